//! Authentication and authorisation: password hashing, tokens, and the [`AuthUser`]
//! extractor that every protected handler takes as an argument.

pub mod keys;
pub mod password;
pub mod sessions;
pub mod token;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;

use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use ipnet::IpNet;
use shared::dto::auth::Role;
use shared::dto::enclave::Province;
use shared::error::ErrorCode;

use crate::db::repo;
use crate::error::AppError;
use crate::state::AppState;
use sessions::SessionUser;
use token::{TokenType, invalid_token};

/// The user behind a valid access token of a live session.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub username: String,
    pub role: Role,
    /// Provinces covered; empty means all of Flanders.
    pub provinces: Vec<Province>,
    pub session_id: String,
    /// The client address, for the audit trail.
    pub client: String,
}

impl AuthUser {
    /// Refuses the request unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    /// Whether the user may see data of `province` (inspectors only their own region).
    pub fn covers(&self, province: Province) -> bool {
        self.role != Role::Inspector
            || self.provinces.is_empty()
            || self.provinces.contains(&province)
    }
}

/// The routes open to a user who must first change their password: the change itself,
/// logout, and who they are.
const OPEN_BEFORE_PASSWORD_CHANGE: [&str; 3] =
    ["/api/auth/password", "/api/auth/logout", "/api/users/me"];

/// 403 for any other route while the password set by someone else is not replaced.
pub fn password_change_required() -> AppError {
    AppError::new(
        ErrorCode::PasswordChangeRequired,
        "Kies eerst een nieuw wachtwoord.",
        "Choose a new password first.",
    )
}

/// The client's address: the peer, or behind trusted proxies the right-most address in
/// `X-Forwarded-For` that is not a trusted proxy (see [`client_address`]).
pub fn client_of(req: &HttpRequest) -> String {
    let Some(peer) = req.peer_addr() else {
        return "unknown".into();
    };
    let trusted = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.config.trusted_proxies.as_slice())
        .unwrap_or_default();
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok());
    client_address(peer.ip(), forwarded, trusted).to_string()
}

/// The client behind `peer`. Only a trusted proxy's `X-Forwarded-For` is believed: walking it
/// from the right (the hop nearest to us), every trusted proxy is skipped and the first other
/// address is the client. Anything before it was written by the client and may be forged. An
/// entry that is not an address stops the walk at the last trusted hop.
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(&client) {
        return client;
    }
    let hops: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).collect();
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop.trim()) else {
            return client;
        };
        client = ip.to_canonical();
        if !is_trusted(&client) {
            return client;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`1.2.3.4:5`, `[::1]:5`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let client = client_of(req);
        let open_before_password_change = OPEN_BEFORE_PASSWORD_CHANGE.contains(&req.path());
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("app state missing"))?;
            let header = header.ok_or_else(AppError::unauthorized)?;
            let token = header
                .strip_prefix("Bearer ")
                .or_else(|| header.strip_prefix("bearer "))
                .ok_or_else(AppError::unauthorized)?;
            let claims = keys::verify(&state, token.trim(), TokenType::Access, true).await?;
            let user = match state.sessions.get(&claims.sid, &claims.sub) {
                Some(user) => user,
                None => {
                    // Revocation: the session must still be live and the user active.
                    let (sid, sub) = (claims.sid.clone(), claims.sub.clone());
                    let started_after =
                        repo::now() - chrono::Duration::seconds(state.config.session_max_age_secs);
                    let row = state
                        .db
                        .run(move |conn| {
                            Ok(repo::sessions::live_session_user(
                                conn,
                                &sid,
                                &sub,
                                started_after,
                            )?)
                        })
                        .await?
                        .ok_or_else(invalid_token)?;
                    let user = SessionUser {
                        role: Role::parse(&row.role).ok_or_else(invalid_token)?,
                        provinces: row.provinces(),
                        user_id: row.id,
                        username: row.username,
                        must_change_password: row.must_change_password,
                    };
                    state.sessions.put(&claims.sid, user.clone());
                    user
                }
            };
            if user.must_change_password && !open_before_password_change {
                return Err(password_change_required());
            }
            Ok(AuthUser {
                id: user.user_id,
                username: user.username,
                role: user.role,
                provinces: user.provinces,
                session_id: claims.sid,
                client,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(peer: &str, forwarded: &[&str], trusted: &str) -> String {
        let trusted = crate::config::parse_networks(trusted).unwrap();
        client_address(peer.parse().unwrap(), forwarded.iter().copied(), &trusted).to_string()
    }

    #[test]
    fn the_peer_is_the_client_unless_it_is_a_trusted_proxy() {
        // No trusted proxies: X-Forwarded-For is anyone's to write.
        assert_eq!(client("203.0.113.9", &["198.51.100.1"], ""), "203.0.113.9");
        // An untrusted peer's header is ignored even when proxies are configured.
        assert_eq!(
            client("203.0.113.9", &["198.51.100.1"], "10.0.0.0/8"),
            "203.0.113.9"
        );
        // A trusted peer without the header is itself the client.
        assert_eq!(client("10.0.0.2", &[], "10.0.0.0/8"), "10.0.0.2");
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let trusted = "10.0.0.0/8, 192.168.0.1";
        // The client forged a left-most entry; the proxies appended the real one.
        assert_eq!(
            client(
                "10.0.0.2",
                &["1.1.1.1, 198.51.100.7", "192.168.0.1"],
                trusted
            ),
            "198.51.100.7"
        );
        assert_eq!(
            client("10.0.0.2", &["198.51.100.7:4711"], trusted),
            "198.51.100.7"
        );
        assert_eq!(
            client("10.0.0.2", &["[2001:db8::1]:80"], trusted),
            "2001:db8::1"
        );
        // Only trusted hops: the left-most of them.
        assert_eq!(
            client("10.0.0.2", &["10.1.1.1, 10.2.2.2"], trusted),
            "10.1.1.1"
        );
        // Garbage stops the walk at the last trusted hop; it never becomes the client.
        assert_eq!(
            client("10.0.0.2", &["1.1.1.1, unknown"], trusted),
            "10.0.0.2"
        );
        // IPv4-mapped IPv6 peers match IPv4 ranges.
        assert_eq!(
            client("::ffff:10.0.0.2", &["198.51.100.7"], trusted),
            "198.51.100.7"
        );
    }
}
