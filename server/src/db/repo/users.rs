//! Users: lookup and creation.

use diesel::prelude::*;
use shared::dto::auth::{Role, User};
use shared::dto::enclave::Province;

use crate::db::DbConnection;
use crate::db::rows::{UserRow, uuid};
use crate::db::schema::users;
use crate::error::AppError;

/// A user by (lower-case) username.
pub fn by_username(conn: &mut DbConnection, username: &str) -> Result<Option<UserRow>, AppError> {
    Ok(users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// A user by id.
pub fn by_id(conn: &mut DbConnection, id: &str) -> Result<Option<UserRow>, AppError> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts a user; the username is stored lower-case. Fails with 409 if it exists.
pub fn insert(
    conn: &mut DbConnection,
    username: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
    provinces: &[Province],
) -> Result<UserRow, AppError> {
    let now = super::now();
    let row = UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        username: username.trim().to_lowercase(),
        display_name: display_name.to_owned(),
        role: role.as_str().to_owned(),
        password_hash: password_hash.to_owned(),
        active: true,
        provinces: provinces
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(","),
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(users::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// The API form of a user.
pub fn to_dto(row: &UserRow) -> Result<User, AppError> {
    Ok(User {
        id: uuid(&row.id)?,
        username: row.username.clone(),
        display_name: row.display_name.clone(),
        role: Role::parse(&row.role)
            .ok_or_else(|| AppError::internal(format!("bad stored role {:?}", row.role)))?,
        provinces: row.provinces(),
    })
}

/// Active users, optionally of one role, by display name.
pub fn active(conn: &mut DbConnection, role: Option<&str>) -> Result<Vec<UserRow>, AppError> {
    // A LIKE pattern rather than a boxed query: one static query type on both backends.
    Ok(users::table
        .filter(users::active.eq(true))
        .filter(users::role.like(role.unwrap_or("%").to_owned()))
        .order((users::display_name.asc(), users::id.asc()))
        .select(UserRow::as_select())
        .load(conn)?)
}
