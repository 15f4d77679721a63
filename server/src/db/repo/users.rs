//! Users: lookup, creation and the changes of an account's lifecycle (see `crate::accounts`).

use diesel::prelude::*;
use shared::dto::auth::{Role, User};
use shared::dto::enclave::Province;

use crate::db::DbConnection;
use crate::db::rows::{UserRow, corrupt, uuid};
use crate::db::schema::users;

/// A user by (lower-case) username.
pub fn by_username(conn: &mut DbConnection, username: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// A user by id.
pub fn by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts a user; the username is stored lower-case. Fails with 409 if it exists.
pub fn insert(
    conn: &mut DbConnection,
    username: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
    provinces: &[Province],
) -> QueryResult<UserRow> {
    let now = super::now();
    let row = UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        username: username.trim().to_lowercase(),
        display_name: display_name.to_owned(),
        role: role.as_str().to_owned(),
        password_hash: password_hash.to_owned(),
        active: true,
        provinces: provinces_column(provinces),
        created_at: now,
        updated_at: now,
        must_change_password: false,
    };
    diesel::insert_into(users::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// The API form of a user.
pub fn to_dto(row: &UserRow) -> QueryResult<User> {
    Ok(User {
        id: uuid(&row.id)?,
        username: row.username.clone(),
        display_name: row.display_name.clone(),
        role: Role::parse(&row.role).ok_or_else(|| corrupt("role", &row.role))?,
        provinces: row.provinces(),
    })
}

/// Active users, optionally of one role, by display name.
pub fn active(conn: &mut DbConnection, role: Option<&str>) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table
        .filter(users::active.eq(true))
        .order((users::display_name.asc(), users::id.asc()))
        .select(UserRow::as_select())
        .into_boxed();
    if let Some(role) = role {
        query = query.filter(users::role.eq(role));
    }
    query.load(conn)
}

/// Every user, active or not, by display name.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<UserRow>> {
    users::table
        .order((users::display_name.asc(), users::id.asc()))
        .select(UserRow::as_select())
        .load(conn)
}

/// How many active admins there are besides `except`.
pub fn other_active_admins(conn: &mut DbConnection, except: &str) -> QueryResult<i64> {
    users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::id.ne(except))
        .count()
        .get_result(conn)
}

/// Serialises changes to accounts until the transaction ends, so two admins cannot each
/// disable the other and leave no admin. PostgreSQL: a table lock that plain reads (logins)
/// pass; SQLite: the database write lock, taken now.
pub fn lock_accounts(conn: &mut DbConnection) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    let sql = match conn {
        DbConnection::Pg(_) => "LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE",
        DbConnection::Sqlite(_) => "UPDATE users SET active = active WHERE 0",
    };
    conn.batch_execute(sql)?;
    Ok(())
}

/// Writes an account's active flag, role, provinces, password hash and must-change flag as
/// they are in `row`.
pub fn update(conn: &mut DbConnection, row: &UserRow) -> QueryResult<()> {
    diesel::update(users::table.find(&row.id))
        .set((
            users::active.eq(row.active),
            users::role.eq(&row.role),
            users::provinces.eq(&row.provinces),
            users::password_hash.eq(&row.password_hash),
            users::must_change_password.eq(row.must_change_password),
            users::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The stored form of a list of provinces.
pub fn provinces_column(provinces: &[Province]) -> String {
    provinces
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(",")
}
