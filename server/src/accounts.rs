//! The lifecycle of an account, shared by the command line (`enclave-inspect user …`) and the
//! admins' API (`/api/accounts`): list, disable, enable, reset the password, change role and
//! provinces, end every session. Each change is one transaction with its audit row.
//!
//! Access tokens carry only the user and the session; the role and provinces are read from
//! the database with the session (and cached for `SESSION_CACHE_TTL_MS`). A change of role or
//! provinces still ends the user's sessions, like disabling and a password reset do: the
//! tablet keeps the user and a working set of their old region, and a fresh login gives it
//! the new ones. The caller forgets the user's cached sessions after the commit; another
//! instance (or a running server when the CLI made the change) notices within the cache's
//! time-to-live.

use diesel::Connection;
use shared::dto::auth::{Account, AccountChange, AccountUpdate, Role};
use shared::error::ErrorCode;

use crate::auth::password;
use crate::db::DbConnection;
use crate::db::repo::{self, audit::Event};
use crate::db::rows::{UserRow, uuid};
use crate::error::AppError;

/// Who changes an account, for the audit trail.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    /// The admin's user id; none for the command line.
    pub id: Option<&'a str>,
    pub username: &'a str,
    pub client: &'a str,
}

impl Actor<'static> {
    /// The operator at the command line.
    pub const CLI: Self = Self {
        id: None,
        username: "cli",
        client: "cli",
    };
}

/// The account a change is about.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// By id (the API).
    Id(&'a str),
    /// By username, any case (the command line).
    Username(&'a str),
}

/// Every account with its status and last login, by display name.
pub fn list(conn: &mut DbConnection) -> Result<Vec<Account>, AppError> {
    let last = repo::sessions::last_logins(conn)?;
    repo::users::all(conn)?
        .iter()
        .map(|row| to_account(row, last.get(&row.id).copied()))
        .collect()
}

/// One account with its status and last login.
pub fn get(conn: &mut DbConnection, target: Target<'_>) -> Result<Account, AppError> {
    let row = find(conn, target)?;
    account_of(conn, &row)
}

/// Disables an account and ends its sessions. Refused (409) for one's own account and for
/// the last active admin.
pub fn disable(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    target: Target<'_>,
) -> Result<AccountChange, AppError> {
    change(conn, actor, target, "account_disable", |row| {
        if actor.id == Some(row.id.as_str()) {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "U kunt uw eigen account niet uitschakelen.",
                "You cannot disable your own account.",
            ));
        }
        row.active = false;
        Ok((true, None))
    })
}

/// Enables a disabled account (it logs in with its password as it was).
pub fn enable(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    target: Target<'_>,
) -> Result<AccountChange, AppError> {
    change(conn, actor, target, "account_enable", |row| {
        row.active = true;
        Ok((false, None))
    })
}

/// Sets a password chosen by someone else (`password_hash`, of `temporary` when the server
/// generated it): the user must change it at their next login; their sessions end.
pub fn reset_password(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    target: Target<'_>,
    password_hash: String,
    temporary: Option<String>,
) -> Result<AccountChange, AppError> {
    let mut change = change(conn, actor, target, "account_password_reset", |row| {
        row.password_hash = password_hash;
        row.must_change_password = true;
        Ok((true, None))
    })?;
    change.temporary_password = temporary;
    Ok(change)
}

/// Changes the role and/or the provinces; the user's sessions end. Refused (409) when it
/// would leave no active admin.
pub fn update(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    target: Target<'_>,
    update: &AccountUpdate,
) -> Result<AccountChange, AppError> {
    if update.role.is_none() && update.provinces.is_none() {
        return Err(AppError::bad_request(
            "Geef een nieuwe rol of nieuwe provincies op.",
            "Give a new role or new provinces.",
        ));
    }
    change(conn, actor, target, "account_update", |row| {
        let mut what = Vec::new();
        if let Some(role) = update.role {
            what.push(format!("role {} -> {}", row.role, role.as_str()));
            row.role = role.as_str().to_owned();
        }
        if let Some(provinces) = &update.provinces {
            let mut provinces = provinces.clone();
            provinces.sort();
            provinces.dedup();
            let column = repo::users::provinces_column(&provinces);
            what.push(format!("provinces [{}] -> [{column}]", row.provinces));
            row.provinces = column;
        }
        Ok((true, Some(what.join("; "))))
    })
}

/// Ends every session of the user (a lost or stolen tablet).
pub fn revoke_sessions(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    target: Target<'_>,
) -> Result<AccountChange, AppError> {
    change(conn, actor, target, "account_sessions_revoke", |_| {
        Ok((true, None))
    })
}

/// The user replaced their own password: the must-change flag goes, and every other session
/// of theirs ends (this one stays).
pub fn change_own_password(
    conn: &mut DbConnection,
    user_id: &str,
    session_id: &str,
    client: &str,
    password_hash: String,
) -> Result<usize, AppError> {
    conn.transaction(|conn| {
        let mut row = find(conn, Target::Id(user_id))?;
        row.password_hash = password_hash;
        row.must_change_password = false;
        repo::users::update(conn, &row)?;
        let ended = repo::sessions::revoke_all_of(
            conn,
            user_id,
            Some(session_id),
            repo::now(),
            "password_change",
        )?;
        repo::audit::record(
            conn,
            Event {
                actor_id: Some(user_id),
                actor_username: Some(&row.username),
                client,
                action: "password_change",
                outcome: "success",
                object_type: Some("user"),
                object_id: Some(user_id),
                detail: Some(format!("{ended} other sessions ended")),
            },
        )?;
        Ok(ended)
    })
}

/// Adds an account from the command line, with its audit row.
pub fn add(
    conn: &mut DbConnection,
    username: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
    provinces: &[shared::dto::enclave::Province],
) -> Result<UserRow, AppError> {
    conn.transaction(|conn| {
        let row =
            repo::users::insert(conn, username, display_name, role, password_hash, provinces)?;
        audit(
            conn,
            Actor::CLI,
            &row,
            "account_add",
            Some(row.role.clone()),
        )?;
        Ok(row)
    })
}

/// The password rule of every password a person chooses, in both languages.
pub fn check_strength(password: &str) -> Result<(), AppError> {
    password::check_strength(password).map_err(|_| {
        AppError::new(
            ErrorCode::ValidationFailed,
            "Een wachtwoord heeft minstens 10 tekens.",
            "A password needs at least 10 characters.",
        )
    })?;
    if password.len() > password::MAX_BYTES {
        return Err(AppError::new(
            ErrorCode::ValidationFailed,
            "Een wachtwoord heeft hoogstens 1024 bytes.",
            "A password has at most 1024 bytes.",
        ));
    }
    Ok(())
}

/// A temporary password for a reset: 16 characters from an alphabet without look-alikes
/// (about 90 bits), in groups of four so it can be read out over the phone.
pub fn temporary_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..4)
        .map(|_| {
            (0..4)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// One change to an account: lock, find, `apply` (which says whether the sessions end, and
/// what to add to the audit detail), keep an admin, write, end sessions, audit; all in one
/// transaction.
fn change(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    target: Target<'_>,
    action: &str,
    apply: impl FnOnce(&mut UserRow) -> Result<(bool, Option<String>), AppError>,
) -> Result<AccountChange, AppError> {
    conn.transaction(|conn| {
        repo::users::lock_accounts(conn)?;
        let before = find(conn, target)?;
        let mut row = before.clone();
        let (end_sessions, what) = apply(&mut row)?;
        let was_admin = before.active && before.role == Role::Admin.as_str();
        let is_admin = row.active && row.role == Role::Admin.as_str();
        if was_admin && !is_admin && repo::users::other_active_admins(conn, &row.id)? == 0 {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "Dit is de laatste actieve beheerder: maak eerst iemand anders beheerder.",
                "This is the last active admin: make someone else an admin first.",
            ));
        }
        repo::users::update(conn, &row)?;
        let ended = if end_sessions {
            repo::sessions::revoke_all_of(conn, &row.id, None, repo::now(), action)?
        } else {
            0
        };
        let detail = match what {
            Some(what) => format!("{what}; {ended} sessions ended"),
            None => format!("{ended} sessions ended"),
        };
        audit(conn, actor, &row, action, Some(detail))?;
        Ok(AccountChange {
            account: account_of(conn, &row)?,
            sessions_ended: u32::try_from(ended).unwrap_or(u32::MAX),
            temporary_password: None,
        })
    })
}

fn audit(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    row: &UserRow,
    action: &str,
    detail: Option<String>,
) -> Result<(), AppError> {
    Ok(repo::audit::record(
        conn,
        Event {
            actor_id: actor.id,
            actor_username: Some(actor.username),
            client: actor.client,
            action,
            outcome: "success",
            object_type: Some("user"),
            object_id: Some(&row.id),
            detail: Some(match detail {
                Some(d) => format!("{}: {d}", row.username),
                None => row.username.clone(),
            }),
        },
    )?)
}

fn find(conn: &mut DbConnection, target: Target<'_>) -> Result<UserRow, AppError> {
    let row = match target {
        Target::Id(id) => repo::users::by_id(conn, id)?,
        Target::Username(name) => repo::users::by_username(conn, &name.trim().to_lowercase())?,
    };
    row.ok_or_else(|| AppError::not_found("Gebruiker", "User"))
}

fn account_of(conn: &mut DbConnection, row: &UserRow) -> Result<Account, AppError> {
    let last = repo::sessions::last_login_of(conn, &row.id)?;
    to_account(row, last)
}

fn to_account(
    row: &UserRow,
    last_login: Option<chrono::NaiveDateTime>,
) -> Result<Account, AppError> {
    let user = repo::users::to_dto(row)?;
    Ok(Account {
        id: uuid(&row.id)?,
        username: user.username,
        display_name: user.display_name,
        role: user.role,
        provinces: user.provinces,
        active: row.active,
        must_change_password: row.must_change_password,
        last_login_at: last_login.map(|t| t.and_utc()),
    })
}
