//! Building and running the HTTP server: database, token keys, limits and routes.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpRequest, HttpServer, web};
use shared::error::ErrorCode;
use tracing_actix_web::TracingLogger;

use crate::auth::sessions::SessionCache;
use crate::auth::token::TokenKeys;
use crate::config::Config;
use crate::db::{Db, repo};
use crate::error::AppError;
use crate::index::EnclaveIndex;
use crate::routes;
use crate::state::AppState;

/// A bound, not yet running server. Binding to port 0 picks a free port (tests do this).
pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    /// Connects to the database (running migrations), loads or creates the signing key and
    /// binds the listener.
    pub fn build(config: Config) -> Result<Self, String> {
        let db = Db::connect(&config.database_url, config.db_max_connections)?;
        let secret = match &config.jwt_secret {
            Some(s) => s.clone(),
            None => {
                let mut conn = db.get().map_err(|e| e.to_string())?;
                repo::settings::jwt_secret(&mut conn).map_err(|e| e.to_string())?
            }
        };
        let keys = TokenKeys::new(
            secret.as_bytes(),
            &config.token_issuer,
            &config.token_audience,
        );
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let json_limit = config.json_body_limit;
        let keep_alive = config.keep_alive;
        let state = web::Data::new(AppState {
            db,
            keys,
            sessions: SessionCache::new(config.session_cache_ttl),
            index: EnclaveIndex::new(config.lookup_index_max_age),
            config,
        });
        if let Some(at) = state.config.purge_daily_at {
            crate::retention::spawn_daily(
                state.db.clone(),
                state.config.retention,
                state.config.attachments_dir.clone(),
                at,
            );
        }
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(json_limit)
                        .error_handler(|e, _req| json_error(e).into()),
                )
                .app_data(web::PayloadConfig::new(json_limit))
                .app_data(
                    web::QueryConfig::default().error_handler(|e, _req| query_error(e).into()),
                )
                .app_data(
                    web::PathConfig::default().error_handler(|e, req| path_error(e, req).into()),
                )
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Referrer-Policy", "no-referrer")),
                )
                .wrap(TracingLogger::default())
                .configure(routes::config)
        })
        // A client that trickles its request gets cut off instead of holding a worker.
        .client_request_timeout(Duration::from_secs(10))
        // Idle connections outlive the clients' and the proxy's own idle timeouts: the side
        // that reuses a connection is always the side that closes it.
        .keep_alive(keep_alive)
        .shutdown_timeout(10)
        .listen(listener)
        .map_err(|e| e.to_string())?
        .run();
        Ok(Self {
            port,
            server,
            state,
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The database of this application (for loading demo data before serving).
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// Serves until the process is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The error answer for a JSON body that is too large, of the wrong type or malformed.
pub fn json_error(e: JsonPayloadError) -> AppError {
    match e {
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => AppError::new(
            ErrorCode::PayloadTooLarge,
            format!("De inhoud is te groot (maximaal {limit} bytes)."),
            format!("The request body is too large (at most {limit} bytes)."),
        ),
        JsonPayloadError::ContentType => AppError::bad_request(
            "Stuur JSON met Content-Type: application/json.",
            "Send JSON with Content-Type: application/json.",
        ),
        JsonPayloadError::Deserialize(err) => AppError::new(
            ErrorCode::ValidationFailed,
            format!("Ongeldige JSON: {err}"),
            format!("Invalid JSON: {err}"),
        ),
        other => AppError::bad_request(
            format!("Ongeldige aanvraag: {other}"),
            format!("Invalid request: {other}"),
        ),
    }
}

fn query_error(e: QueryPayloadError) -> AppError {
    AppError::bad_request(
        format!("Ongeldige zoekparameters: {e}"),
        format!("Invalid query parameters: {e}"),
    )
}

fn path_error(e: PathError, req: &HttpRequest) -> AppError {
    AppError::bad_request(
        format!("Ongeldig pad {}: {e}", req.path()),
        format!("Invalid path {}: {e}", req.path()),
    )
}
