//! Building and running the HTTP server: database, token keys, limits (connections per
//! client, body pace, open files: see [`crate::connections`]), routes, and the metrics server
//! on its own address (see [`crate::observe`]); API answers compressed (see
//! [`crate::compression`]).

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;

use crate::auth;
use crate::auth::sessions::SessionCache;
use crate::compression::CompressApi;
use crate::config::Config;
use crate::connections::{ConnectionCounts, pace_bodies, raise_open_file_limit};
use crate::db::Db;
use crate::error::{json_error, path_error, query_error};
use crate::index::EnclaveIndex;
use crate::middleware;
use crate::observe::{self, Metrics};
use crate::photos::PhotoStore;
use crate::read_audit::ReadAudit;
use crate::routes;
use crate::state::AppState;

/// A bound, not yet running server. Binding to port 0 picks a free port (tests do this).
pub struct Application {
    port: u16,
    server: Server,
    /// The metrics server and its port, when `METRICS_BIND` is set.
    metrics: Option<(Server, u16)>,
    state: web::Data<AppState>,
}

impl Application {
    /// Connects to the database (running migrations), loads or creates the signing key and
    /// binds the listener.
    pub fn build(config: Config) -> Result<Self, String> {
        let db = Db::connect(&config.database_url, config.db_max_connections)?;
        let keys = auth::keys::token_keys(&config, &db)?;
        let photos = config.open_photos()?;
        let listener = TcpListener::bind(&config.bind)
            .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let json_limit = config.json_body_limit;
        let keep_alive = config.keep_alive;
        raise_open_file_limit();
        let per_client = ConnectionCounts::default()
            .on_connect(config.connection_limits.per_client, &config.trusted_proxies);
        let read_audit = ReadAudit::new(db.clone());
        let state = web::Data::new(AppState {
            db,
            keys,
            sessions: SessionCache::new(config.session_cache_ttl),
            index: EnclaveIndex::new(config.lookup_index_max_age, config.rules),
            read_audit,
            photos,
            metrics: Metrics::new()?,
            heavy: Default::default(),
            config,
        });
        if let Some(at) = state.config.purge_daily_at {
            crate::retention::spawn_daily(
                state.db.clone(),
                state.config.retention,
                state.photos.clone(),
                at,
            );
        }
        let metrics = match &state.config.metrics_bind {
            Some(bind) => Some(observe::metrics_server(bind, state.clone())?),
            None => None,
        };
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
                .wrap(from_fn(middleware::refuse_control_characters))
                .wrap(from_fn(middleware::no_store))
                .wrap(from_fn(pace_bodies))
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("X-Frame-Options", "DENY"))
                        .add(("Referrer-Policy", "no-referrer")),
                )
                .wrap(from_fn(observe::requests))
                .wrap(TracingLogger::<observe::RequestSpan>::new())
                // Outermost: the middlewares above read and write uncompressed bodies.
                .wrap(CompressApi)
                .configure(routes::config)
        })
        // At most so many connections per client address; slow bodies are cut off above.
        .on_connect(per_client)
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
            metrics,
            state,
        })
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the metrics server, when `METRICS_BIND` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(_, port)| *port)
    }

    /// The database of this application (for loading demo data before serving).
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// Serves until the process is stopped, sweeping stale partial uploads at once and then
    /// every hour; the metrics server stops with the public one.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let state = self.state.clone();
        let sweeper = tokio::spawn(async move {
            let mut every = tokio::time::interval(SWEEP_EVERY);
            loop {
                every.tick().await;
                sweep_partial_uploads(&state.photos, state.config.upload_limits.partial_max_age)
                    .await;
            }
        });
        let (metrics, metrics_handle) = match self.metrics {
            Some((server, _)) => {
                let handle = server.handle();
                (Some(server), Some(handle))
            }
            None => (None, None),
        };
        let public = async {
            let served = self.server.await;
            if let Some(handle) = metrics_handle {
                handle.stop(true).await;
            }
            served
        };
        let metrics = async {
            if let Some(server) = metrics
                && let Err(e) = server.await
            {
                tracing::error!(error = %e, "the metrics server failed");
            }
        };
        let (served, ()) = futures_util::future::join(public, metrics).await;
        sweeper.abort();
        served
    }
}

/// How often stale partial uploads are swept while the server runs (and once at start-up).
const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Deletes the partial uploads older than `max_age`, saying how many pieces went.
async fn sweep_partial_uploads(photos: &PhotoStore, max_age: Duration) {
    match photos.sweep(max_age).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(swept = n, "stale partial uploads deleted"),
        Err(e) => tracing::warn!(error = %e, "sweeping stale partial uploads failed"),
    }
}
