//! Server settings kept in the database, shared by every instance.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::settings;
use crate::error::AppError;

const JWT_SECRET_KEY: &str = "jwt_secret";

/// The token signing secret: read it, or create it once. Concurrent first starts race on the
/// primary key; the loser reads the winner's value.
pub fn jwt_secret(conn: &mut DbConnection) -> Result<String, AppError> {
    let read = |conn: &mut DbConnection| -> Result<Option<String>, AppError> {
        Ok(settings::table
            .find(JWT_SECRET_KEY)
            .select(settings::value)
            .first(conn)
            .optional()?)
    };
    if let Some(secret) = read(conn)? {
        return Ok(secret);
    }
    let bytes: [u8; 32] = rand::random();
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let inserted = diesel::insert_into(settings::table)
        .values((
            settings::key.eq(JWT_SECRET_KEY),
            settings::value.eq(&secret),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(secret),
        Err(_) => read(conn)?.ok_or_else(|| AppError::internal("jwt secret vanished")),
    }
}
