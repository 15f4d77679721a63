//! `GET /api/users?role=`: the active users, for the reviewers' filters (e.g. the queue's
//! inspector). Reviewers and admins only; never a password hash.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use shared::dto::auth::{Role, User};
use utoipa::IntoParams;

use crate::auth::AuthUser;
use crate::db::repo::users;
use crate::error::AppError;
use crate::state::AppState;

/// Registers the user routes under `/api`.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/users", web::get().to(list));
}

/// Query of `GET /api/users`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsersQuery {
    /// Only users of this role.
    pub role: Option<Role>,
}

/// The active users, by name.
#[utoipa::path(get, path = "/api/users", tag = "auth", params(UsersQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<User>), (status = 403, body = shared::error::ApiError)))]
pub async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<UsersQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Reviewer, Role::Admin])?;
    let role = query.into_inner().role;
    let rows = state
        .db
        .run(move |conn| users::active(conn, role.map(Role::as_str)))
        .await?;
    let users = rows
        .iter()
        .map(users::to_dto)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(users))
}
