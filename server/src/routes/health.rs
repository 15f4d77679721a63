//! Liveness (`/healthz`: the process answers and reaches its database) and readiness
//! (`/readyz`: the database answers, every migration this build embeds is applied, and the
//! photo store answers), for load balancers and orchestrators. Neither needs a token or tells
//! anything about the data; the causes of a failure go to the log.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde::Serialize;
use shared::error::{ErrorBody, ErrorCode};
use utoipa::ToSchema;

use crate::db;
use crate::error::AppError;
use crate::state::AppState;

/// How long each readiness check may take before it counts as failed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// Liveness and database reachability.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, description = "Up and the database answers"), (status = 503, body = shared::error::ApiError)))]
pub async fn health(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state
        .db
        .run(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1")
                .map_err(|_| AppError::unavailable())
        })
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })))
}

/// Whether the instance can serve: `ready`, or `unavailable` with the checks that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadyStatus {
    Ready,
    Unavailable,
}

/// The result of each readiness check: `ok`, or a short reason (`unavailable`, `3 pending`,
/// `unknown` when the database could not be asked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReadyChecks {
    pub database: String,
    pub migrations: String,
    pub photos: String,
}

/// The answer of `GET /readyz`; `error` (code `unavailable`) only when not ready.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Readiness {
    pub status: ReadyStatus,
    pub checks: ReadyChecks,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

const OK: &str = "ok";

/// Readiness: the database answers, no embedded migration is pending, the photo store answers.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Readiness, description = "Ready to serve"),
              (status = 503, body = Readiness, description = "Not ready: `checks` says what failed")))]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let database = tokio::time::timeout(
        CHECK_TIMEOUT,
        state.db.run(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1")
                .map_err(|_| AppError::unavailable())?;
            Ok(db::pending_migrations(conn).map_err(|e| e.to_string()))
        }),
    );
    let photos = tokio::time::timeout(CHECK_TIMEOUT, state.photos.check());
    let (database, photos) = futures_util::future::join(database, photos).await;
    let (database, migrations) = match database {
        Ok(Ok(Ok(0))) => (OK.to_owned(), OK.to_owned()),
        Ok(Ok(Ok(pending))) => {
            tracing::warn!(pending, "not ready: migrations pending");
            (OK.to_owned(), format!("{pending} pending"))
        }
        Ok(Ok(Err(e))) => {
            tracing::warn!(error = %e, "not ready: the applied migrations cannot be read");
            (OK.to_owned(), "unknown".to_owned())
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: database");
            ("unavailable".to_owned(), "unknown".to_owned())
        }
        Err(_) => {
            tracing::warn!("not ready: the database took too long to answer");
            ("timeout".to_owned(), "unknown".to_owned())
        }
    };
    let photos = match photos {
        Ok(Ok(())) => OK.to_owned(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: photo store");
            "unavailable".to_owned()
        }
        Err(_) => {
            tracing::warn!("not ready: the photo store took too long to answer");
            "timeout".to_owned()
        }
    };
    let checks = ReadyChecks {
        database,
        migrations,
        photos,
    };
    let failed: Vec<&str> = [
        ("database", &checks.database),
        ("migrations", &checks.migrations),
        ("photos", &checks.photos),
    ]
    .into_iter()
    .filter(|(_, outcome)| *outcome != OK)
    .map(|(name, _)| name)
    .collect();
    if failed.is_empty() {
        return HttpResponse::Ok().json(Readiness {
            status: ReadyStatus::Ready,
            checks,
            error: None,
        });
    }
    let failed = failed.join(", ");
    let error = AppError::new(
        ErrorCode::Unavailable,
        format!("Niet klaar: {failed}."),
        format!("Not ready: {failed}."),
    );
    HttpResponse::ServiceUnavailable().json(Readiness {
        status: ReadyStatus::Unavailable,
        checks,
        error: Some(error.body().error),
    })
}
