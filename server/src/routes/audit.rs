//! `GET /api/audit`: the audit trail, for administrators only.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use shared::dto::audit::AuditEvent;
use shared::dto::auth::Role;
use utoipa::IntoParams;

use crate::auth::AuthUser;
use crate::db::repo;
use crate::db::rows::uuid;
use crate::error::AppError;
use crate::state::AppState;

/// Registers the audit route under `/api`.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit", web::get().to(list));
}

/// Query of `GET /api/audit`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events of this action (e.g. `login`).
    pub action: Option<String>,
    /// At most this many events, 1–500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The newest audit events first.
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [AuditEvent]), (status = 403, body = shared::error::ApiError)))]
pub async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(AppError::bad_request(
            "limit moet tussen 1 en 500 liggen.",
            "limit must be between 1 and 500.",
        ));
    }
    let action = query.into_inner().action;
    let rows = state
        .db
        .run(move |conn| repo::audit::recent(conn, action.as_deref(), limit))
        .await?;
    let events = rows
        .into_iter()
        .map(|r| {
            Ok(AuditEvent {
                id: uuid(&r.id)?,
                occurred_at: r.occurred_at.and_utc(),
                actor_id: r.actor_id.as_deref().map(uuid).transpose()?,
                actor_username: r.actor_username,
                client: r.client,
                action: r.action,
                outcome: r.outcome,
                object_type: r.object_type,
                object_id: r.object_id,
                detail: r.detail,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(HttpResponse::Ok().json(events))
}
