//! Where the token signing keys come from and how long they live.
//!
//! - The operator gives the secret (`JWT_SECRET` or `JWT_SECRET_FILE`): that one key signs
//!   and verifies; rotating means a new secret and a restart, which ends every session.
//! - Otherwise the keys live in the database, shared by every instance. `keys rotate` adds a
//!   key; every instance signs with it from its next login or refresh on (each reads the
//!   keys then), and one that meets a token of a key it does not know reads them at once.
//!   An older key keeps verifying for as long as a token it signed can live (the session
//!   lifetime), then it is left out, and the next rotation deletes it.

use actix_web::web;
use chrono::{Duration, NaiveDateTime};

use super::token::{Claims, LEEWAY_SECS, SigningKey, TokenKeys, TokenType};
use crate::config::Config;
use crate::db::repo::settings::{LEGACY_KID, StoredKey};
use crate::db::{Db, DbConnection, repo};
use crate::error::AppError;
use crate::state::AppState;

/// How long a key still verifies after a newer one took over: the longest life of a token
/// it signed (no token outlives its session), plus the clock leeway.
pub fn retention(config: &Config) -> Duration {
    Duration::seconds(
        config
            .session_max_age_secs
            .max(config.access_token_ttl_secs)
            + LEEWAY_SECS as i64,
    )
}

/// Splits keys (oldest first) into those in use and those past their retention.
fn partition(
    stored: Vec<StoredKey>,
    now: NaiveDateTime,
    retention: Duration,
) -> (Vec<StoredKey>, Vec<StoredKey>) {
    let successors: Vec<Option<NaiveDateTime>> = stored
        .iter()
        .skip(1)
        .map(|k| Some(k.created_at))
        .chain([None])
        .collect();
    let (live, expired): (Vec<_>, Vec<_>) = stored
        .into_iter()
        .zip(successors)
        .partition(|(_, successor)| successor.is_none_or(|at| at + retention > now));
    (
        live.into_iter().map(|(k, _)| k).collect(),
        expired.into_iter().map(|(k, _)| k).collect(),
    )
}

/// The database's keys in use (oldest first) and the id of the key of tokens without a
/// `kid`; a fresh database gets its first key.
fn load(
    conn: &mut DbConnection,
    config: &Config,
) -> Result<(Vec<SigningKey>, Option<String>), AppError> {
    let mut stored = repo::settings::signing_keys(conn)?;
    if stored.is_empty() {
        stored.push(repo::settings::add_signing_key(conn, repo::now())?);
    }
    let (live, _) = partition(stored, repo::now(), retention(config));
    let legacy = live
        .iter()
        .any(|k| k.key.kid == LEGACY_KID)
        .then(|| LEGACY_KID.to_owned());
    Ok((live.into_iter().map(|k| k.key).collect(), legacy))
}

/// The token keys for `config`: the operator's secret, or the database's keys.
pub fn token_keys(config: &Config, db: &Db) -> Result<TokenKeys, String> {
    let (issuer, audience) = (&config.token_issuer, &config.token_audience);
    if let Some(secret) = &config.jwt_secret {
        return Ok(TokenKeys::new(secret.expose().as_bytes(), issuer, audience));
    }
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let (keys, legacy) = load(&mut conn, config).map_err(|e| e.to_string())?;
    TokenKeys::with_keys(&keys, legacy, issuer, audience)
        .ok_or_else(|| "no token signing key".to_owned())
}

/// Reads the database's keys again, so a rotation through another instance signs here too
/// (nothing to do when the operator gives the secret).
pub fn reload(state: &AppState, conn: &mut DbConnection) -> Result<(), AppError> {
    if state.config.jwt_secret.is_none() {
        let (keys, legacy) = load(conn, &state.config)?;
        state.keys.replace(&keys, legacy);
    }
    Ok(())
}

/// What `keys rotate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The key that signs from now on.
    pub new_kid: String,
    /// Keys past their retention, deleted.
    pub dropped: Vec<String>,
}

/// Adds a key that signs from now on, and deletes the keys past their retention.
pub fn rotate(conn: &mut DbConnection, config: &Config) -> Result<Rotation, String> {
    if config.jwt_secret.is_some() {
        return Err(
            "the signing key comes from JWT_SECRET or JWT_SECRET_FILE: put a new \
                    secret there and restart (every session ends)"
                .into(),
        );
    }
    let rotate = |conn: &mut DbConnection| -> Result<Rotation, AppError> {
        let now = repo::now();
        let new = repo::settings::add_signing_key(conn, now)?;
        let (_, expired) = partition(repo::settings::signing_keys(conn)?, now, retention(config));
        for key in &expired {
            repo::settings::drop_signing_key(conn, &key.key.kid)?;
        }
        Ok(Rotation {
            new_kid: new.key.kid,
            dropped: expired.into_iter().map(|k| k.key.kid).collect(),
        })
    };
    diesel::Connection::transaction(conn, rotate).map_err(|e| e.to_string())
}

/// Verifies a token; one that names a key this instance does not know yet (a rotation
/// through another instance) makes it read the keys again first. `check_expiry: false` lets
/// an expired token pass (for a logout).
pub async fn verify(
    state: &web::Data<AppState>,
    token: &str,
    expected: TokenType,
    check_expiry: bool,
) -> Result<Claims, AppError> {
    let verify = |keys: &TokenKeys| {
        if check_expiry {
            keys.verify(token, expected)
        } else {
            keys.verify_ignoring_expiry(token, expected)
        }
    };
    match verify(&state.keys) {
        Err(_)
            if state.config.jwt_secret.is_none()
                && state.keys.names_unknown_key(token)
                && state.keys.may_reload() =>
        {
            let state2 = state.clone();
            state.db.run(move |conn| reload(&state2, conn)).await?;
            verify(&state.keys)
        }
        verified => verified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kid: &str, minute: u32) -> StoredKey {
        StoredKey {
            key: SigningKey {
                kid: kid.into(),
                secret: "s".into(),
            },
            created_at: chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
                .and_then(|d| d.and_hms_opt(8, minute, 0))
                .unwrap(),
        }
    }

    #[test]
    fn a_key_verifies_until_its_successor_is_older_than_the_retention() {
        let stored = vec![key("a", 0), key("b", 10), key("c", 20)];
        let at = |minute| key("now", minute).created_at;
        let kids =
            |keys: Vec<StoredKey>| keys.into_iter().map(|k| k.key.kid).collect::<Vec<String>>();
        let retention = Duration::minutes(15);
        let (live, gone) = partition(stored.clone(), at(24), retention);
        assert_eq!(kids(live), ["a", "b", "c"]);
        assert!(gone.is_empty());
        let (live, gone) = partition(stored.clone(), at(25), retention);
        assert_eq!(
            (kids(live), kids(gone)),
            (vec!["b".to_owned(), "c".into()], vec!["a".to_owned()])
        );
        let (live, gone) = partition(stored, at(59), retention);
        assert_eq!(
            (kids(live), kids(gone)),
            (vec!["c".to_owned()], vec!["a".to_owned(), "b".into()])
        );
    }
}
