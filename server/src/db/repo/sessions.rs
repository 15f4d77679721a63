//! Login sessions and their rotating refresh tokens (one family per session).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::rows::{RefreshTokenRow, SessionRow, UserRow};
use crate::db::schema::{refresh_tokens, sessions, users};

/// Creates a session with its first refresh token.
pub fn create(
    conn: &mut DbConnection,
    session: &SessionRow,
    token: &RefreshTokenRow,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(conn)?;
    diesel::insert_into(refresh_tokens::table)
        .values(token)
        .execute(conn)?;
    Ok(())
}

/// The active user of a live session (unrevoked, begun after `started_after`: younger than
/// the session lifetime), if the session belongs to `user_id`.
pub fn live_session_user(
    conn: &mut DbConnection,
    session_id: &str,
    user_id: &str,
    started_after: NaiveDateTime,
) -> QueryResult<Option<UserRow>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::created_at.gt(started_after))
        .filter(users::active.eq(true))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// A refresh token row with its session.
pub fn token_with_session(
    conn: &mut DbConnection,
    jti: &str,
) -> QueryResult<Option<(RefreshTokenRow, SessionRow)>> {
    refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::id.eq(jti))
        .select((RefreshTokenRow::as_select(), SessionRow::as_select()))
        .first(conn)
        .optional()
}

/// Marks a token used, only if it was unused; returns whether this call used it. Two
/// concurrent refreshes with the same token cannot both succeed.
pub fn mark_used(conn: &mut DbConnection, jti: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(jti))
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(Some(at)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Adds the next token of a family.
pub fn add_token(conn: &mut DbConnection, token: &RefreshTokenRow) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(token)
        .execute(conn)?;
    Ok(())
}

/// Revokes a session, and with it every token of its family.
pub fn revoke(
    conn: &mut DbConnection,
    session_id: &str,
    at: NaiveDateTime,
    reason: &str,
) -> QueryResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(Some(at)),
        sessions::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(())
}

/// Revokes every live session of a user but `except` (the one making the change, if any);
/// returns how many it revoked.
pub fn revoke_all_of(
    conn: &mut DbConnection,
    user_id: &str,
    except: Option<&str>,
    at: NaiveDateTime,
    reason: &str,
) -> QueryResult<usize> {
    let live = sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::id.ne(except.unwrap_or("")));
    diesel::update(live)
        .set((
            sessions::revoked_at.eq(Some(at)),
            sessions::revoked_reason.eq(Some(reason)),
        ))
        .execute(conn)
}

/// When each user last logged in: the start of their newest session, by user id.
pub fn last_logins(
    conn: &mut DbConnection,
) -> QueryResult<std::collections::HashMap<String, NaiveDateTime>> {
    let rows: Vec<(String, Option<NaiveDateTime>)> = sessions::table
        .group_by(sessions::user_id)
        .select((sessions::user_id, diesel::dsl::max(sessions::created_at)))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(user, at)| Some((user, at?)))
        .collect())
}

/// When a user last logged in: the start of their newest session.
pub fn last_login_of(conn: &mut DbConnection, user_id: &str) -> QueryResult<Option<NaiveDateTime>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .select(diesel::dsl::max(sessions::created_at))
        .first(conn)
}
