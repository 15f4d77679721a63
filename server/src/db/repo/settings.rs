//! Server settings kept in the database, shared by every instance: the token signing keys,
//! and whether `serve --demo` seeded this database.
//!
//! A signing key is the row `jwt_key:<kid>` whose value is `<created at, RFC 3339> <secret>`.
//! The row `jwt_secret` holds the one secret of the time before keys had ids; it counts as
//! the oldest key, with the id [`LEGACY_KID`].

use chrono::{DateTime, NaiveDateTime};
use diesel::prelude::*;

use crate::auth::token::SigningKey;
use crate::db::DbConnection;
use crate::db::schema::settings;

const JWT_SECRET_KEY: &str = "jwt_secret";
const JWT_KEY_PREFIX: &str = "jwt_key:";
const DEMO_SEEDED_KEY: &str = "demo_seeded";

/// The id of the secret from before keys had ids (tokens without `kid` were signed with it).
pub const LEGACY_KID: &str = "legacy";

/// A signing key with when it was added.
#[derive(Debug, Clone)]
pub struct StoredKey {
    pub key: SigningKey,
    pub created_at: NaiveDateTime,
}

/// Every stored signing key, oldest first.
pub fn signing_keys(conn: &mut DbConnection) -> QueryResult<Vec<StoredKey>> {
    let rows: Vec<(String, String)> = settings::table
        .filter(
            settings::key
                .like(format!("{JWT_KEY_PREFIX}%"))
                .or(settings::key.eq(JWT_SECRET_KEY)),
        )
        .select((settings::key, settings::value))
        .load(conn)?;
    let mut keys: Vec<StoredKey> = rows
        .into_iter()
        .filter_map(|(name, value)| {
            if name == JWT_SECRET_KEY {
                return Some(StoredKey {
                    key: SigningKey {
                        kid: LEGACY_KID.to_owned(),
                        secret: value,
                    },
                    created_at: NaiveDateTime::MIN,
                });
            }
            let kid = name.strip_prefix(JWT_KEY_PREFIX)?;
            let (created_at, secret) = value.split_once(' ')?;
            Some(StoredKey {
                key: SigningKey {
                    kid: kid.to_owned(),
                    secret: secret.to_owned(),
                },
                created_at: DateTime::parse_from_rfc3339(created_at).ok()?.naive_utc(),
            })
        })
        .collect();
    keys.sort_by(|a, b| (a.created_at, &a.key.kid).cmp(&(b.created_at, &b.key.kid)));
    Ok(keys)
}

/// Adds a new random signing key created `now`.
pub fn add_signing_key(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<StoredKey> {
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let kid = hex(&rand::random::<[u8; 8]>());
    let secret = hex(&rand::random::<[u8; 32]>());
    diesel::insert_into(settings::table)
        .values((
            settings::key.eq(format!("{JWT_KEY_PREFIX}{kid}")),
            settings::value.eq(format!("{} {secret}", now.and_utc().to_rfc3339())),
        ))
        .execute(conn)?;
    Ok(StoredKey {
        key: SigningKey { kid, secret },
        created_at: now,
    })
}

/// Deletes the signing key `kid`.
pub fn drop_signing_key(conn: &mut DbConnection, kid: &str) -> QueryResult<()> {
    let name = if kid == LEGACY_KID {
        JWT_SECRET_KEY.to_owned()
    } else {
        format!("{JWT_KEY_PREFIX}{kid}")
    };
    diesel::delete(settings::table.find(name)).execute(conn)?;
    Ok(())
}

/// Whether `serve --demo` seeded this database (its demo accounts are expected here).
pub fn demo_seeded(conn: &mut DbConnection) -> QueryResult<bool> {
    Ok(settings::table
        .find(DEMO_SEEDED_KEY)
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Marks this database as seeded by `serve --demo` at `now`.
pub fn mark_demo_seeded(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<()> {
    if !demo_seeded(conn)? {
        diesel::insert_into(settings::table)
            .values((
                settings::key.eq(DEMO_SEEDED_KEY),
                settings::value.eq(now.and_utc().to_rfc3339()),
            ))
            .execute(conn)?;
    }
    Ok(())
}
