//! Users and their accounts:
//! - `GET /api/users?role=`: the active users, for the reviewers' filters (e.g. the queue's
//!   inspector); reviewers and admins.
//! - `GET /api/users/me`: who the token belongs to (the PWA's cheap check that its session
//!   is still alive).
//! - `POST /api/auth/password`: the user replaces their password (the only route open while
//!   a password set by someone else must be changed).
//! - `/api/accounts…`: admins list every account with its status, disable, enable, reset the
//!   password (the server generates a temporary one and shows it once), change role and
//!   provinces, and end every session; the logic is `crate::accounts`, shared with the CLI.
//!
//! Never a password hash.

use actix_web::{HttpResponse, web};
use shared::dto::auth::{Account, AccountChange, AccountUpdate, PasswordChange, Role, User};
use shared::dto::query::UsersQuery;

use crate::accounts::{self, Actor, Target};
use crate::auth::{AuthUser, password};
use crate::db::repo::users;
use crate::error::AppError;
use crate::state::AppState;

/// The active users, by name.
#[utoipa::path(get, path = "/api/users", tag = "auth", params(UsersQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<User>), (status = 400, body = shared::error::ApiError),
              (status = 401, body = shared::error::ApiError), (status = 403, body = shared::error::ApiError)))]
pub async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<UsersQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Reviewer, Role::Admin])?;
    let role = query.into_inner().role;
    let rows = state
        .db
        .run(move |conn| Ok(users::active(conn, role.map(Role::as_str))?))
        .await?;
    let users = rows
        .iter()
        .map(users::to_dto)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(users))
}

/// The user of the token, while their session lives (any role; also while a password change
/// is required).
#[utoipa::path(get, path = "/api/users/me", tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = shared::error::ApiError)))]
pub async fn me(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let row = state
        .db
        .run(move |conn| Ok(users::by_id(conn, &user.id)?))
        .await?
        .ok_or_else(crate::auth::token::invalid_token)?;
    Ok(HttpResponse::Ok().json(users::to_dto(&row)?))
}

/// The user replaces their password: `current` must be right and `new` strong enough and
/// different. Lifts the must-change requirement and ends the user's other sessions.
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", request_body = PasswordChange,
    security(("bearer" = [])),
    responses((status = 204, description = "Changed"), (status = 400, body = shared::error::ApiError),
              (status = 401, body = shared::error::ApiError), (status = 413, body = shared::error::ApiError)))]
pub async fn change_password(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    let PasswordChange { current, new } = body.into_inner();
    accounts::check_strength(&new)?;
    if new == current {
        return Err(AppError::new(
            shared::error::ErrorCode::ValidationFailed,
            "Het nieuwe wachtwoord moet verschillen van het huidige.",
            "The new password must differ from the current one.",
        ));
    }
    let id = user.id.clone();
    let row = state
        .db
        .run(move |conn| Ok(users::by_id(conn, &id)?))
        .await?
        .ok_or_else(crate::auth::token::invalid_token)?;
    let hash = web::block(move || {
        if current.len() > password::MAX_BYTES || !password::verify(&current, &row.password_hash) {
            // Not a 401: the session is fine, only this answer is wrong.
            return Err(AppError::new(
                shared::error::ErrorCode::ValidationFailed,
                "Het huidige wachtwoord klopt niet.",
                "The current password is wrong.",
            ));
        }
        password::hash(&new).map_err(AppError::internal)
    })
    .await
    .map_err(AppError::internal)??;
    let (id, sid, client) = (
        user.id.clone(),
        user.session_id.clone(),
        user.client.clone(),
    );
    state
        .db
        .run(move |conn| accounts::change_own_password(conn, &id, &sid, &client, hash))
        .await?;
    state.sessions.forget_user(&user.id);
    Ok(HttpResponse::NoContent().finish())
}

/// Every account, active or disabled, with its status and last login, by name.
#[utoipa::path(get, path = "/api/accounts", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Account>), (status = 401, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError)))]
pub async fn accounts_list(
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let accounts = state.db.run(accounts::list).await?;
    Ok(HttpResponse::Ok().json(accounts))
}

/// Change an account's role and/or provinces; the user's sessions end (they log in again
/// with the new ones). 409 when it would leave no active admin.
#[utoipa::path(patch, path = "/api/accounts/{id}", tag = "accounts", request_body = AccountUpdate,
    params(("id" = String, Path, description = "The user's id")),
    security(("bearer" = [])),
    responses((status = 200, body = AccountChange), (status = 400, body = shared::error::ApiError),
              (status = 401, body = shared::error::ApiError), (status = 403, body = shared::error::ApiError),
              (status = 404, body = shared::error::ApiError), (status = 409, body = shared::error::ApiError),
              (status = 413, body = shared::error::ApiError)))]
pub async fn update(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<AccountUpdate>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    change(user, state, &path, move |conn, actor, target| {
        accounts::update(conn, actor, target, &body)
    })
    .await
}

/// Disable an account: it can no longer log in and every session of it ends at once (within
/// `SESSION_CACHE_TTL_MS` on other instances). 409 for one's own account or the last admin.
#[utoipa::path(post, path = "/api/accounts/{id}/disable", tag = "accounts",
    params(("id" = String, Path, description = "The user's id")),
    security(("bearer" = [])),
    responses((status = 200, body = AccountChange), (status = 401, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError), (status = 404, body = shared::error::ApiError),
              (status = 409, body = shared::error::ApiError)))]
pub async fn disable(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    change(user, state, &path, accounts::disable).await
}

/// Enable a disabled account.
#[utoipa::path(post, path = "/api/accounts/{id}/enable", tag = "accounts",
    params(("id" = String, Path, description = "The user's id")),
    security(("bearer" = [])),
    responses((status = 200, body = AccountChange), (status = 401, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError), (status = 404, body = shared::error::ApiError)))]
pub async fn enable(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    change(user, state, &path, accounts::enable).await
}

/// Reset the password: the server generates a temporary password, answers it this once
/// (`temporary_password`) and keeps only its hash; the user's sessions end and they must
/// choose a new password at their next login.
#[utoipa::path(post, path = "/api/accounts/{id}/password", tag = "accounts",
    params(("id" = String, Path, description = "The user's id")),
    security(("bearer" = [])),
    responses((status = 200, body = AccountChange), (status = 401, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError), (status = 404, body = shared::error::ApiError)))]
pub async fn reset_password(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let temporary = accounts::temporary_password();
    let plain = temporary.clone();
    let hash = web::block(move || password::hash(&plain))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    change(user, state, &path, move |conn, actor, target| {
        accounts::reset_password(conn, actor, target, hash, Some(temporary))
    })
    .await
}

/// End every session of the user (a lost or stolen tablet); the account stays active.
#[utoipa::path(post, path = "/api/accounts/{id}/revoke", tag = "accounts",
    params(("id" = String, Path, description = "The user's id")),
    security(("bearer" = [])),
    responses((status = 200, body = AccountChange), (status = 401, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError), (status = 404, body = shared::error::ApiError)))]
pub async fn revoke(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    change(user, state, &path, accounts::revoke_sessions).await
}

/// An admin's change to the account `raw_id`, then the user's cached sessions are forgotten
/// (after the commit, so no request can cache them as live again).
async fn change<F>(
    user: AuthUser,
    state: web::Data<AppState>,
    raw_id: &str,
    apply: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(
            &mut crate::db::DbConnection,
            Actor<'_>,
            Target<'_>,
        ) -> Result<AccountChange, AppError>
        + Send
        + 'static,
{
    user.require(&[Role::Admin])?;
    let id = super::path_id(raw_id, || AppError::not_found("Gebruiker", "User"))?;
    let target_id = id.clone();
    let changed = state
        .db
        .run(move |conn| {
            let actor = Actor {
                id: Some(&user.id),
                username: &user.username,
                client: &user.client,
            };
            apply(conn, actor, Target::Id(&target_id))
        })
        .await?;
    state.sessions.forget_user(&id);
    Ok(HttpResponse::Ok().json(changed))
}
