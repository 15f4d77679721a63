//! Authentication and authorisation: password hashing, tokens, and the [`AuthUser`]
//! extractor that every protected handler takes as an argument.

pub mod password;
pub mod sessions;
pub mod token;

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
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

/// The client's address as seen by this server.
pub fn client_of(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
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
            let claims = state.keys.verify(token.trim(), TokenType::Access)?;
            let user = match state.sessions.get(&claims.sid, &claims.sub) {
                Some(user) => user,
                None => {
                    // Revocation: the session must still be live and the user active.
                    let (sid, sub) = (claims.sid.clone(), claims.sub.clone());
                    let row = state
                        .db
                        .run(move |conn| repo::sessions::live_session_user(conn, &sid, &sub))
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
