//! Observability: Prometheus metrics, request ids and the log format.
//!
//! - [`Metrics`]: one registry per running server. Counters move where things happen (every
//!   request in [`requests`], sync outcomes in `routes::sync`, photos in
//!   `routes::attachments`, login failures in `routes::auth`); gauges of shared state (the
//!   review queue, the connection pool) are read when scraped. They are served by a second
//!   HTTP server on `METRICS_BIND` ([`metrics_server`]), never on the public address. Each
//!   instance serves its own: scrape every instance.
//! - [`RequestSpan`]: each request's span holds its id, method and route pattern, and nothing
//!   else: no path or query (a search names people), no client address, no user agent.
//! - [`requests`]: times and counts each request by its route pattern (never the raw path, so
//!   ids do not multiply the series), logs one line per answer in the request's span, and
//!   returns the request id (made by `tracing-actix-web`) in `X-Request-Id` and in the
//!   `request_id` of every JSON error body. The cause an [`AppError`] carries is logged
//!   there too, once, in the request's span.
//! - [`init_logging`]: the human format, or one JSON object per line (`LOG_FORMAT=json`).

use std::net::TcpListener;
use std::time::{Duration, Instant};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{App, Error, HttpMessage, HttpResponse, HttpServer, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};
use shared::dto::sync::{PushOutcome, PushResult, SyncRecord};
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;
use crate::db::repo;
use crate::error::AppError;
use crate::state::AppState;

/// The response header that carries the request id.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Error bodies larger than this are passed on as they are (error bodies are a few hundred
/// bytes; this only bounds the copy).
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// How long a scrape waits for the review queue's count before it shows the last one.
const SCRAPE_QUERY_TIMEOUT: Duration = Duration::from_secs(5);

/// The metrics of one running server.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    durations: HistogramVec,
    in_flight: IntGauge,
    sync_outcomes: IntCounterVec,
    photos_stored: IntCounter,
    photo_bytes_stored: IntCounter,
    login_failures: IntCounterVec,
    review_queue: IntGauge,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    pool_max: IntGauge,
}

/// Registers `metric` in `registry` and gives it back.
fn registered<M>(registry: &Registry, metric: M) -> prometheus::Result<M>
where
    M: prometheus::core::Collector + Clone + 'static,
{
    registry.register(Box::new(metric.clone()))?;
    Ok(metric)
}

impl Metrics {
    /// A fresh registry with every metric at zero.
    pub fn new() -> Result<Self, String> {
        Self::register().map_err(|e| format!("metrics: {e}"))
    }

    fn register() -> prometheus::Result<Self> {
        let r = Registry::new();
        let by_request = ["route", "method", "status"];
        Ok(Self {
            requests: registered(
                &r,
                IntCounterVec::new(
                    Opts::new(
                        "enclave_inspect_http_requests_total",
                        "HTTP requests answered, by route pattern, method and status class",
                    ),
                    &by_request,
                )?,
            )?,
            durations: registered(
                &r,
                HistogramVec::new(
                    HistogramOpts::new(
                        "enclave_inspect_http_request_duration_seconds",
                        "Time from a request's arrival to its answer, by route pattern, method \
                         and status class",
                    ),
                    &by_request,
                )?,
            )?,
            in_flight: registered(
                &r,
                IntGauge::new(
                    "enclave_inspect_http_requests_in_flight",
                    "Requests being handled now",
                )?,
            )?,
            sync_outcomes: registered(
                &r,
                IntCounterVec::new(
                    Opts::new(
                        "enclave_inspect_sync_outcomes_total",
                        "Pushed records, by record kind and outcome (applied, duplicate, \
                         conflict, missing_attachments, rejected)",
                    ),
                    &["kind", "outcome"],
                )?,
            )?,
            photos_stored: registered(
                &r,
                IntCounter::new(
                    "enclave_inspect_photos_stored_total",
                    "Photos stored for the first time",
                )?,
            )?,
            photo_bytes_stored: registered(
                &r,
                IntCounter::new(
                    "enclave_inspect_photo_bytes_stored_total",
                    "Bytes of the photos stored for the first time",
                )?,
            )?,
            login_failures: registered(
                &r,
                IntCounterVec::new(
                    Opts::new(
                        "enclave_inspect_login_failures_total",
                        "Failed logins, by reason (invalid_credentials, rate_limited)",
                    ),
                    &["reason"],
                )?,
            )?,
            review_queue: registered(
                &r,
                IntGauge::new(
                    "enclave_inspect_review_queue_inspections",
                    "Submitted inspections waiting for a reviewer (read from the database \
                     when scraped)",
                )?,
            )?,
            pool_connections: registered(
                &r,
                IntGauge::new(
                    "enclave_inspect_db_pool_connections",
                    "Open database connections of this instance's pool, busy or idle",
                )?,
            )?,
            pool_idle: registered(
                &r,
                IntGauge::new(
                    "enclave_inspect_db_pool_idle_connections",
                    "Idle database connections of this instance's pool",
                )?,
            )?,
            pool_max: registered(
                &r,
                IntGauge::new(
                    "enclave_inspect_db_pool_max_connections",
                    "The most connections this instance's pool opens (DB_MAX_CONNECTIONS)",
                )?,
            )?,
            registry: r,
        }
        .with_known_series())
    }

    /// Every series of a known label value starts at 0, so that `rate()` and alerts see the
    /// first one happen.
    fn with_known_series(self) -> Self {
        for kind in ["inspection", "amendment"] {
            for outcome in OUTCOMES {
                self.sync_outcomes.with_label_values(&[kind, outcome]);
            }
        }
        for reason in LOGIN_FAILURE_REASONS {
            self.login_failures.with_label_values(&[reason]);
        }
        self
    }

    /// Counts the outcomes of a committed push; `records` and `results` are in the same order.
    pub fn count_push(&self, records: &[&'static str], results: &[PushResult]) {
        for (kind, result) in records.iter().zip(results) {
            self.sync_outcomes
                .with_label_values(&[*kind, outcome_name(&result.outcome)])
                .inc();
        }
    }

    /// Counts a photo stored for the first time.
    pub fn count_photo(&self, bytes: u64) {
        self.photos_stored.inc();
        self.photo_bytes_stored.inc_by(bytes);
    }

    /// Counts a failed login (`reason` is a fixed word, never a username).
    pub fn count_login_failure(&self, reason: &'static str) {
        self.login_failures.with_label_values(&[reason]).inc();
    }

    /// The Prometheus text of every metric.
    fn render(&self) -> Result<String, prometheus::Error> {
        let mut text = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut text)?;
        String::from_utf8(text).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// The kind of a pushed record, as the sync metrics name it.
pub fn record_kind(record: &SyncRecord) -> &'static str {
    match record {
        SyncRecord::Inspection(_) => "inspection",
        SyncRecord::Amendment(_) => "amendment",
    }
}

/// The outcome labels of the sync metrics.
const OUTCOMES: [&str; 5] = [
    "applied",
    "duplicate",
    "conflict",
    "missing_attachments",
    "rejected",
];

/// The reasons a login failure is counted under.
const LOGIN_FAILURE_REASONS: [&str; 2] = ["invalid_credentials", "rate_limited"];

fn outcome_name(outcome: &PushOutcome) -> &'static str {
    match outcome {
        PushOutcome::Applied { .. } => "applied",
        PushOutcome::Duplicate { .. } => "duplicate",
        PushOutcome::Conflict { .. } => "conflict",
        PushOutcome::MissingAttachments { .. } => "missing_attachments",
        PushOutcome::Rejected { .. } => "rejected",
    }
}

/// The span of a request, for `TracingLogger`: its id, method and route pattern.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let id = request.extensions().get::<RequestId>().copied();
        let route = request.match_pattern();
        tracing::info_span!(
            "request",
            request_id = id.map(tracing::field::display),
            method = method_name(request.method()),
            route = route.as_deref().unwrap_or(UNMATCHED),
        )
    }

    /// The answer is logged by [`requests`], with its status and duration.
    fn on_request_end<B: MessageBody>(_span: Span, _outcome: &Result<ServiceResponse<B>, Error>) {}
}

/// The route label of a request that matches no route.
const UNMATCHED: &str = "unmatched";

/// Lowers the in-flight gauge when a request ends, answered or abandoned.
struct InFlight(IntGauge);

impl InFlight {
    fn enter(gauge: &IntGauge) -> Self {
        gauge.inc();
        Self(gauge.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Counts and times every request, logs it, and puts the request id on the answer. Wrapped
/// just inside `TracingLogger`, which makes the id and the request's span.
pub async fn requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let _in_flight = state
        .as_ref()
        .map(|s| InFlight::enter(&s.metrics.in_flight));
    let request_id = req.extensions().get::<RequestId>().map(ToString::to_string);
    let route = req.match_pattern();
    let route = route.as_deref().unwrap_or(UNMATCHED);
    let method = method_name(req.method());
    let answer = next.call(req).await;
    let (status, failure) = match &answer {
        Ok(res) => (res.status(), res.response().error()),
        Err(e) => (e.as_response_error().status_code(), Some(e)),
    };
    // The cause of a failure, logged once, here, in the request's span (with its id).
    if let Some(cause) = failure
        .and_then(|e| e.as_error::<AppError>())
        .and_then(AppError::cause_chain)
    {
        tracing::error!(%cause, "request failed");
    }
    let elapsed = started.elapsed();
    if let Some(state) = &state {
        let labels = [route, method, status_class(status)];
        let m = &state.metrics;
        m.requests.with_label_values(&labels).inc();
        m.durations
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
    }
    tracing::info!(
        status = status.as_u16(),
        elapsed_ms = elapsed.as_millis() as u64,
        "answered"
    );
    // An error a middleware returned instead of an answer (a failure, not a refusal) is
    // answered by actix, without the id.
    let res = answer?.map_into_boxed_body();
    match request_id {
        Some(id) => with_request_id(res, &id).await,
        None => Ok(res),
    }
}

/// The method as a label: the standard ones by name, anything else as `other`.
fn method_name(method: &Method) -> &'static str {
    const KNOWN: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
    ];
    KNOWN
        .into_iter()
        .find(|m| *m == method.as_str())
        .unwrap_or("other")
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Sets `X-Request-Id`, and writes the id into a JSON error body (`{"error": …}`).
async fn with_request_id(
    mut res: ServiceResponse<BoxBody>,
    id: &str,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if let Ok(value) = HeaderValue::from_str(id) {
        res.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let small = matches!(res.response().body().size(), BodySize::Sized(n) if n <= MAX_ERROR_BODY);
    if !(res.status().is_client_error() || res.status().is_server_error()) || !json || !small {
        return Ok(res);
    }
    let (req, response) = res.into_parts();
    let (response, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))?;
    let body = error_body_with_id(&bytes, id).map_or(bytes, Into::into);
    Ok(ServiceResponse::new(
        req,
        response.set_body(BoxBody::new(body)),
    ))
}

/// The error body with `request_id` set, or `None` when it is not an error body.
fn error_body_with_id(body: &[u8], id: &str) -> Option<Vec<u8>> {
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let object = value.as_object_mut()?;
    if !object
        .get("error")
        .is_some_and(serde_json::Value::is_object)
    {
        return None;
    }
    object.insert("request_id".into(), id.into());
    serde_json::to_vec(&value).ok()
}

/// `GET /metrics` on the metrics address: the gauges read now, then every metric as text.
async fn scrape(state: web::Data<AppState>) -> HttpResponse {
    let m = &state.metrics;
    let pool = state.db.pool_state();
    m.pool_connections.set(i64::from(pool.connections));
    m.pool_idle.set(i64::from(pool.idle_connections));
    m.pool_max.set(i64::from(state.db.pool_max_size()));
    let depth = state
        .db
        .run(|conn| Ok(repo::inspections::awaiting_review(conn)?));
    match tokio::time::timeout(SCRAPE_QUERY_TIMEOUT, depth).await {
        Ok(Ok(n)) => m.review_queue.set(n),
        Ok(Err(e)) => tracing::warn!(error = %e, "metrics: review queue not counted"),
        Err(_) => tracing::warn!("metrics: counting the review queue took too long"),
    }
    match m.render() {
        Ok(text) => HttpResponse::Ok()
            .content_type(prometheus::TEXT_FORMAT)
            .body(text),
        Err(e) => {
            tracing::error!(error = %e, "metrics: rendering failed");
            HttpResponse::InternalServerError().finish()
        }
    }
}

/// The metrics server on `bind`: `GET /metrics` and nothing else, one worker. It does not
/// handle signals itself: whoever runs it stops it when the public server stops.
pub fn metrics_server(bind: &str, state: web::Data<AppState>) -> Result<(Server, u16), String> {
    let listener = TcpListener::bind(bind)
        .map_err(|e| format!("METRICS_BIND: cannot listen on {bind}: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    tracing::info!(bind, port, "metrics served on /metrics");
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(scrape))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)
    .map_err(|e| e.to_string())?
    .run();
    Ok((server, port))
}

/// Installs the log subscriber: `RUST_LOG` filters (default `info`); `LOG_FORMAT` (read from
/// the environment) chooses the human format or one JSON object per line, with the fields of
/// the spans around an event (a request's `request_id` among them).
pub fn init_logging() -> Result<(), String> {
    let format = LogFormat::from_env()?;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only for a terminal: a journal or a file gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi);
    match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    }
    .map_err(|e| format!("cannot set up logging: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_goes_into_error_bodies_only() {
        let body =
            br#"{"error":{"code":"not_found","message":"x","message_nl":"x","message_en":"x"}}"#;
        let with: serde_json::Value =
            serde_json::from_slice(&error_body_with_id(body, "abc").unwrap()).unwrap();
        assert_eq!(with["request_id"], "abc");
        assert_eq!(with["error"]["code"], "not_found");
        assert_eq!(error_body_with_id(br#"{"status":"ok"}"#, "abc"), None);
        assert_eq!(error_body_with_id(br#"{"error":"text"}"#, "abc"), None);
        assert_eq!(error_body_with_id(b"not json", "abc"), None);
    }

    #[test]
    fn labels_stay_few() {
        assert_eq!(status_class(StatusCode::NOT_FOUND), "4xx");
        assert_eq!(status_class(StatusCode::SERVICE_UNAVAILABLE), "5xx");
        assert_eq!(method_name(&Method::PUT), "PUT");
        assert_eq!(
            method_name(&Method::from_bytes(b"PROPFIND").unwrap()),
            "other"
        );
    }

    #[test]
    fn every_metric_has_help_and_the_prefix() {
        let m = Metrics::new().unwrap();
        m.count_login_failure("rate_limited");
        m.requests
            .with_label_values(&["/healthz", "GET", "2xx"])
            .inc();
        let text = m.render().unwrap();
        for line in text.lines().filter(|l| l.starts_with("# HELP")) {
            let name = line.split_whitespace().nth(2).unwrap();
            assert!(name.starts_with("enclave_inspect_"), "{line}");
        }
        assert!(text.contains(r#"enclave_inspect_login_failures_total{reason="rate_limited"} 1"#));
        assert!(text.contains(
            r#"enclave_inspect_sync_outcomes_total{kind="amendment",outcome="conflict"} 0"#
        ));
    }
}
