//! HTTP routes, wired in one place: `/api/...` per resource, health, the OpenAPI document,
//! and the PWA's static files as the fallback.

pub mod attachments;
pub mod audit;
pub mod auth;
pub mod contracts;
pub mod enclaves;
pub mod field;
pub mod imports;
pub mod inspections;
pub mod reports;
pub mod sync;
pub mod users;

use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::error::AppError;
use crate::state::AppState;

/// Registers every route of the application.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health))
        .service(
            web::scope("/api")
                .route("/openapi.json", web::get().to(openapi))
                .configure(auth::config)
                .configure(enclaves::config)
                .configure(field::config)
                .configure(audit::config)
                .configure(sync::config)
                .configure(attachments::config)
                .configure(inspections::config)
                .configure(reports::config)
                .configure(imports::config)
                .configure(contracts::config)
                .configure(users::config)
                .default_service(web::to(api_not_found)),
        )
        .configure(crate::pwa::config)
        .default_service(web::to(crate::pwa::spa_fallback));
}

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

/// The id in a path, as stored (lowercase, hyphenated); what is not a UUID names no object,
/// so it is `missing` (a 404 that says which kind of object).
pub fn path_id(raw: &str, missing: fn() -> AppError) -> Result<String, AppError> {
    uuid::Uuid::parse_str(raw)
        .map(|id| id.to_string())
        .map_err(|_| missing())
}

async fn api_not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(AppError::not_found(
        &format!("API-pad {}", req.path()),
        &format!("API path {}", req.path()),
    ))
}

/// The OpenAPI document, generated from the handlers and the `shared` types.
#[derive(OpenApi)]
#[openapi(
    info(title = "Enclave Inspect API", description = "Lookup, verdicts and inspections of enclavewerking."),
    paths(health, auth::login, auth::refresh, auth::logout, enclaves::search, enclaves::detail, field::working_set, audit::list, sync::push, sync::pull, inspections::queue, inspections::get, inspections::review, inspections::report_notified, reports::contracts, reports::inspections, contracts::list, contracts::get, contracts::create, contracts::update, imports::contracts_import, imports::contract_columns, imports::registrations::registrations_import, attachments::put, attachments::status, attachments::get, users::list, users::me, users::change_password, users::accounts_list, users::update, users::disable, users::enable, users::reset_password, users::revoke),
    modifiers(&BearerAuth),
    tags((name = "auth"), (name = "enclaves"), (name = "field"), (name = "audit"), (name = "sync"), (name = "inspections"), (name = "reports"), (name = "imports"), (name = "register"), (name = "accounts"), (name = "health"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The document is for API users, so it needs a token like the rest of the API.
async fn openapi(_user: crate::auth::AuthUser) -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
