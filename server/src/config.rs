//! Typed configuration: defaults that run with no set-up, each overridable by an environment
//! variable (documented in the README).

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

use shared::rules::planning::{PlanningReasonCode, PlanningWeights, Weight};
use shared::rules::supervision_norm::SupervisionNorm;
use shared::rules::{CalendarSettings, LeadTime, PlanningSettings, RuleSettings};

/// A secret (a signing key): used where it is needed, never printed; `Debug` shows
/// `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A database URL: used as it is, printed by `Debug` with its password masked
/// ([`masked_url`]).
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl std::ops::Deref for DatabaseUrl {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<String> for DatabaseUrl {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for DatabaseUrl {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&masked_url(&self.0), f)
    }
}

/// A database URL fit to print or log: a password (in the user part or as a `password`
/// parameter) shows as `***`. A SQLite path is shown as it is.
pub fn masked_url(database_url: &str) -> String {
    let Ok(mut url) = url::Url::parse(database_url) else {
        return database_url.to_owned();
    };
    if url.cannot_be_a_base() {
        return database_url.to_owned();
    }
    if url.password().is_some() {
        // Only fails for URLs without a host, which cannot carry a password.
        let _ = url.set_password(Some("***"));
    }
    if url.query_pairs().any(|(k, _)| k == "password") {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "password" {
                    "***".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// Default SQLite database: a file under `data/`.
pub const DEFAULT_DATABASE_URL: &str = "data/enclave-inspect.db";

/// Everything the server needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on, e.g. `127.0.0.1:8080` (port 0 picks a free port).
    pub bind: String,
    /// `postgres://...` or a SQLite file path.
    pub database_url: DatabaseUrl,
    pub db_max_connections: u32,
    /// HS256 signing secret from `JWT_SECRET` or the file `JWT_SECRET_FILE`; when absent, the
    /// keys live in the database, shared by every instance (see `auth::keys`).
    pub jwt_secret: Option<Secret>,
    pub token_issuer: String,
    pub token_audience: String,
    /// Access token lifetime in seconds (at most 900).
    pub access_token_ttl_secs: i64,
    /// Refresh token lifetime in seconds (never beyond the session's idle limit or end).
    pub refresh_token_ttl_secs: i64,
    /// Absolute session lifetime in seconds: no refresh after it, however active the session.
    pub session_max_age_secs: i64,
    /// A session without a refresh for this many seconds has ended.
    pub session_idle_secs: i64,
    /// How long after a rotation the previous refresh token still gets the same new pair
    /// (a refresh answer lost on a bad link must not end the session).
    pub refresh_grace_secs: i64,
    /// Settings of the inspection rules.
    pub rules: RuleSettings,
    /// The risk planning's weights and windows (`PLANNING_WEIGHTS`); its calendar is
    /// `rules.calendar`.
    pub planning: PlanningSettings,
    pub login_limits: LoginLimits,
    /// Largest accepted JSON body in bytes.
    pub json_body_limit: usize,
    /// How stale the in-memory lookup index may get before it checks the register again.
    pub lookup_index_max_age: Duration,
    /// Where photos are kept: a directory, `file:///dir`, or `s3://bucket/prefix`
    /// (`ATTACHMENTS_URL`, or `ATTACHMENTS_DIR`).
    pub attachments: String,
    /// S3 settings that take precedence over the `AWS_*` environment (empty unless a test
    /// sets them).
    pub attachments_s3: crate::photos::S3Settings,
    /// How long a verified session is trusted before it is checked in the database again
    /// (revocations through another instance take effect within this time).
    pub session_cache_ttl: Duration,
    /// How long an idle HTTP connection is kept open. Longer than any client's or proxy's
    /// idle timeout, so a client never sends on a connection the server is closing.
    pub keep_alive: Duration,
    pub import_limits: ImportLimits,
    pub upload_limits: UploadLimits,
    /// Reverse proxies whose `X-Forwarded-For` is believed (empty: none).
    pub trusted_proxies: Vec<IpNet>,
    /// Limits on connections and request bodies.
    pub connection_limits: ConnectionLimits,
    /// How long personal data are kept before the purge deletes them.
    pub retention: Retention,
    /// When the server runs the purge each day (Belgian local time); `None`: never (the
    /// `purge` command still does).
    pub purge_daily_at: Option<chrono::NaiveTime>,
    /// Where Prometheus metrics are served (`METRICS_BIND`); `None`: nowhere. Never the
    /// public address.
    pub metrics_bind: Option<String>,
}

/// How log lines are written (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// For people: one line per event, span fields in front.
    #[default]
    Text,
    /// One JSON object per line, with the fields of the spans around the event.
    Json,
}

impl LogFormat {
    /// `LOG_FORMAT`: `text` (the default) or `json`.
    pub fn from_env() -> Result<Self, String> {
        match env("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => Ok(Self::Text),
            Some("json") => Ok(Self::Json),
            Some(other) => Err(format!("LOG_FORMAT must be text or json, not {other:?}")),
        }
    }
}

/// Retention periods in days (see the README's "What is logged, read and kept").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Daily registrations, by work day.
    pub registrations_days: u32,
    /// Approved inspections, by inspection day (submitted and returned ones are kept).
    pub inspections_days: u32,
    /// The audit trail.
    pub audit_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            registrations_days: 2 * 365,
            inspections_days: 10 * 365,
            audit_days: 2 * 365,
        }
    }
}

/// How much of an imported spreadsheet is read before it is refused.
#[derive(Debug, Clone, Copy)]
pub struct ImportLimits {
    /// Data rows (below the header row), and in a sheet the last row a cell may sit on.
    pub max_rows: usize,
    /// Columns: no cell may sit further right.
    pub max_columns: usize,
    /// Cells in all, empty ones inside a row included.
    pub max_cells: usize,
    /// Bytes an .xlsx may unzip to, declared and actually inflated.
    pub max_unzipped_bytes: u64,
}

/// What an inspector may park on the server before pushing the record that names it.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    /// Bytes of partial uploads and complete photos no record names yet, per user.
    pub quota_bytes: u64,
    /// After how long a partial upload that did not grow is deleted.
    pub partial_max_age: Duration,
}

/// What one client may hold of the server's connections and how slowly it may send a body.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Open connections per peer address (trusted proxies are exempt).
    pub per_client: usize,
    /// Time a request body may take before the minimum rate applies.
    pub body_grace: Duration,
    /// Bytes per second a request body must average after the grace time.
    pub body_min_bytes_per_sec: u64,
}

/// How failed logins are throttled (429 with `Retry-After`), counted over a sliding window.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub window_secs: i64,
    /// Failures of one username from one client before each further attempt waits.
    pub free_failures: i64,
    /// The wait after the first failure beyond the free ones; it doubles with each further one.
    pub first_backoff_secs: i64,
    /// The longest wait between attempts on one username from one client.
    pub max_backoff_secs: i64,
    /// Failures from one client across all usernames (password spraying).
    pub failures_per_client: i64,
}

impl Config {
    /// Defaults for a database URL.
    pub fn new(database_url: impl Into<DatabaseUrl>) -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            database_url: database_url.into(),
            db_max_connections: 16,
            jwt_secret: None,
            token_issuer: "enclave-inspect".into(),
            token_audience: "enclave-inspect-api".into(),
            access_token_ttl_secs: 600,
            refresh_token_ttl_secs: 7 * 24 * 3600,
            session_max_age_secs: 14 * 3600,
            session_idle_secs: 8 * 3600,
            refresh_grace_secs: 60,
            rules: RuleSettings::default(),
            planning: PlanningSettings::default(),
            login_limits: LoginLimits {
                window_secs: 15 * 60,
                free_failures: 5,
                first_backoff_secs: 1,
                max_backoff_secs: 5 * 60,
                failures_per_client: 20,
            },
            json_body_limit: 256 * 1024,
            lookup_index_max_age: Duration::from_secs(2),
            session_cache_ttl: Duration::from_secs(2),
            attachments: "data/attachments".into(),
            attachments_s3: Default::default(),
            keep_alive: Duration::from_secs(75),
            import_limits: ImportLimits {
                max_rows: 20_000,
                max_columns: 100,
                max_cells: 1_000_000,
                max_unzipped_bytes: 64 * 1024 * 1024,
            },
            upload_limits: UploadLimits {
                quota_bytes: 200 * 1024 * 1024,
                partial_max_age: Duration::from_secs(48 * 3600),
            },
            trusted_proxies: Vec::new(),
            connection_limits: ConnectionLimits {
                per_client: 128,
                body_grace: Duration::from_secs(10),
                body_min_bytes_per_sec: 1024,
            },
            retention: Retention::default(),
            purge_daily_at: chrono::NaiveTime::from_hms_opt(3, 0, 0),
            metrics_bind: None,
        }
    }

    /// Where photos are kept, for [`crate::photos::PhotoStore::open`].
    pub fn photo_location(&self) -> String {
        self.attachments.clone()
    }

    /// Opens the photo store [`Config::photo_location`] names.
    pub fn open_photos(&self) -> Result<crate::photos::PhotoStore, String> {
        crate::photos::PhotoStore::open_with(&self.attachments, &self.attachments_s3)
    }

    /// Defaults overridden by environment variables.
    pub fn from_env() -> Result<Self, String> {
        let url = env("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        let mut c = Self::new(url);
        if let Some(v) = env("DB_MAX_CONNECTIONS") {
            c.db_max_connections = parse("DB_MAX_CONNECTIONS", &v)?;
        }
        c.jwt_secret = match (env("JWT_SECRET"), env("JWT_SECRET_FILE")) {
            (Some(_), Some(_)) => {
                return Err("set JWT_SECRET or JWT_SECRET_FILE, not both".into());
            }
            (Some(secret), None) => Some(Secret(secret)),
            (None, Some(path)) => Some(Secret(
                std::fs::read_to_string(&path)
                    .map_err(|e| format!("JWT_SECRET_FILE {path}: cannot read it: {e}"))?
                    .trim_end_matches(['\n', '\r'])
                    .to_owned(),
            )),
            (None, None) => None,
        };
        if c.jwt_secret.as_ref().is_some_and(|s| s.expose().len() < 32) {
            return Err(
                "JWT_SECRET (or the content of JWT_SECRET_FILE) must be at least 32 characters"
                    .into(),
            );
        }
        if let Some(v) = env("ACCESS_TOKEN_TTL_SECS") {
            c.access_token_ttl_secs = parse("ACCESS_TOKEN_TTL_SECS", &v)?;
            if !(30..=900).contains(&c.access_token_ttl_secs) {
                return Err("ACCESS_TOKEN_TTL_SECS must be between 30 and 900".into());
            }
        }
        if let Some(v) = env("REFRESH_TOKEN_TTL_SECS") {
            c.refresh_token_ttl_secs = parse("REFRESH_TOKEN_TTL_SECS", &v)?;
        }
        if let Some(v) = env("SESSION_MAX_AGE_SECS") {
            c.session_max_age_secs = parse("SESSION_MAX_AGE_SECS", &v)?;
            if !(300..=30 * 24 * 3600).contains(&c.session_max_age_secs) {
                return Err(
                    "SESSION_MAX_AGE_SECS must be between 300 and 2592000 (30 days)".into(),
                );
            }
        }
        if let Some(v) = env("SESSION_IDLE_SECS") {
            c.session_idle_secs = parse("SESSION_IDLE_SECS", &v)?;
        }
        if !(60..=c.session_max_age_secs).contains(&c.session_idle_secs) {
            return Err(
                "SESSION_IDLE_SECS must be at least 60 and at most SESSION_MAX_AGE_SECS".into(),
            );
        }
        if let Some(v) = env("REFRESH_GRACE_SECS") {
            c.refresh_grace_secs = parse("REFRESH_GRACE_SECS", &v)?;
            if !(0..=300).contains(&c.refresh_grace_secs) {
                return Err("REFRESH_GRACE_SECS must be between 0 and 300".into());
            }
        }
        if let Some(v) = env("LOOKUP_INDEX_MAX_AGE_MS") {
            c.lookup_index_max_age = Duration::from_millis(parse("LOOKUP_INDEX_MAX_AGE_MS", &v)?);
        }
        if let Some(v) = env("SESSION_CACHE_TTL_MS") {
            c.session_cache_ttl = Duration::from_millis(parse("SESSION_CACHE_TTL_MS", &v)?);
        }
        if let Some(v) = env("KEEP_ALIVE_SECS") {
            c.keep_alive = Duration::from_secs(parse("KEEP_ALIVE_SECS", &v)?);
        }
        if let Some(v) = env("TRUSTED_PROXIES") {
            c.trusted_proxies = parse_networks(&v)?;
        }
        let limits = &mut c.login_limits;
        if let Some(v) = env("LOGIN_WINDOW_SECS") {
            limits.window_secs = parse_within("LOGIN_WINDOW_SECS", &v, 60..=86_400)?;
        }
        if let Some(v) = env("LOGIN_FREE_FAILURES") {
            limits.free_failures = parse_within("LOGIN_FREE_FAILURES", &v, 1..=100)?;
        }
        if let Some(v) = env("LOGIN_FIRST_BACKOFF_SECS") {
            limits.first_backoff_secs = parse_within("LOGIN_FIRST_BACKOFF_SECS", &v, 1..=3600)?;
        }
        if let Some(v) = env("LOGIN_MAX_BACKOFF_SECS") {
            limits.max_backoff_secs = parse_within("LOGIN_MAX_BACKOFF_SECS", &v, 1..=86_400)?;
        }
        if let Some(v) = env("LOGIN_FAILURES_PER_CLIENT") {
            limits.failures_per_client = parse_within("LOGIN_FAILURES_PER_CLIENT", &v, 1..=10_000)?;
        }
        let limits = &mut c.connection_limits;
        if let Some(v) = env("MAX_CONNECTIONS_PER_CLIENT") {
            limits.per_client = parse_within("MAX_CONNECTIONS_PER_CLIENT", &v, 1..=100_000)?;
        }
        if let Some(v) = env("REQUEST_BODY_GRACE_SECS") {
            limits.body_grace =
                Duration::from_secs(parse_within("REQUEST_BODY_GRACE_SECS", &v, 1..=3600)?);
        }
        if let Some(v) = env("REQUEST_BODY_MIN_RATE") {
            limits.body_min_bytes_per_sec =
                parse_within("REQUEST_BODY_MIN_RATE", &v, 1..=10_000_000)?;
        }
        match (env("ATTACHMENTS_URL"), env("ATTACHMENTS_DIR")) {
            (Some(url), Some(dir)) if url.strip_prefix("file://").unwrap_or(&url) != dir => {
                return Err(format!(
                    "ATTACHMENTS_URL ({url}) and ATTACHMENTS_DIR ({dir}) name different stores: set one"
                ));
            }
            (Some(v), _) | (None, Some(v)) => c.attachments = v,
            (None, None) => {}
        }
        let l = &mut c.import_limits;
        if let Some(v) = env("IMPORT_MAX_ROWS") {
            l.max_rows = positive("IMPORT_MAX_ROWS", &v)?;
        }
        if let Some(v) = env("IMPORT_MAX_COLUMNS") {
            l.max_columns = positive("IMPORT_MAX_COLUMNS", &v)?;
        }
        if let Some(v) = env("IMPORT_MAX_CELLS") {
            l.max_cells = positive("IMPORT_MAX_CELLS", &v)?;
        }
        if let Some(v) = env("IMPORT_MAX_UNZIPPED_BYTES") {
            l.max_unzipped_bytes = positive("IMPORT_MAX_UNZIPPED_BYTES", &v)?;
        }
        if let Some(v) = env("UPLOAD_QUOTA_BYTES") {
            c.upload_limits.quota_bytes = positive("UPLOAD_QUOTA_BYTES", &v)?;
        }
        if let Some(v) = env("UPLOAD_PARTIAL_MAX_AGE_HOURS") {
            let hours: u64 = parse("UPLOAD_PARTIAL_MAX_AGE_HOURS", &v)?;
            c.upload_limits.partial_max_age = Duration::from_secs(hours.saturating_mul(3600));
        }
        if let Some(v) = env("RULE_LEAD_TIME") {
            c.rules.lead_time = match v.as_str() {
                "working_day" => LeadTime::WorkingDays(1),
                "calendar_day" => LeadTime::CalendarDays(1),
                _ => return Err("RULE_LEAD_TIME must be working_day or calendar_day".into()),
            };
        }
        if let Some(v) = env("SUPERVISION_NORM") {
            c.rules.norm = supervision_norm(&v)?;
        }
        if let Some(v) = env("PLANNING_WEIGHTS") {
            c.planning.weights = planning_weights(&v)?;
        }
        if let Some(v) = env("RULE_FLEMISH_HOLIDAY") {
            c.rules.calendar = CalendarSettings {
                flemish_holiday: parse("RULE_FLEMISH_HOLIDAY", &v)?,
            };
        }
        for (name, days, least) in [
            (
                "RETENTION_REGISTRATIONS_DAYS",
                &mut c.retention.registrations_days,
                31,
            ),
            (
                "RETENTION_INSPECTIONS_DAYS",
                &mut c.retention.inspections_days,
                365,
            ),
            ("RETENTION_AUDIT_DAYS", &mut c.retention.audit_days, 31),
        ] {
            if let Some(v) = env(name) {
                *days = parse(name, &v)?;
                if !(least..=36_500).contains(days) {
                    return Err(format!("{name} must be between {least} and 36500"));
                }
            }
        }
        if let Some(v) = env("PURGE_DAILY_AT") {
            c.purge_daily_at = match v.trim() {
                "off" => None,
                at => Some(
                    chrono::NaiveTime::parse_from_str(at, "%H:%M")
                        .map_err(|_| "PURGE_DAILY_AT must be HH:MM or off".to_owned())?,
                ),
            };
        }
        c.metrics_bind = env("METRICS_BIND").filter(|v| v.trim() != "off");
        Ok(c)
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Parses a number and checks that it lies within `range`.
fn parse_within<T: std::str::FromStr + PartialOrd + std::fmt::Debug>(
    name: &str,
    value: &str,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, String> {
    let n = parse(name, value)?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "{name} must be between {:?} and {:?}",
            range.start(),
            range.end()
        ))
    }
}

/// Comma-separated networks in CIDR notation (`10.0.0.0/8, ::1/128`); a bare address is a
/// network of one.
pub fn parse_networks(value: &str) -> Result<Vec<IpNet>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<IpNet>()
                .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!("TRUSTED_PROXIES: {part:?} is not a network such as 10.0.0.0/8")
                })
        })
        .collect()
}

fn parse<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("{name} has an invalid value: {value:?}"))
}

/// A number above zero (a limit of 0 would refuse everything).
fn positive<T: std::str::FromStr + PartialOrd + Default>(
    name: &str,
    value: &str,
) -> Result<T, String> {
    let n: T = parse(name, value)?;
    if n > T::default() {
        Ok(n)
    } else {
        Err(format!("{name} must be above 0"))
    }
}

/// The supervision norm from `SUPERVISION_NORM`: the most workers per begeleider for a low,
/// a medium and a high support need, e.g. `13,10,7`; each 1–100.
fn supervision_norm(v: &str) -> Result<SupervisionNorm, String> {
    let figures: Vec<u32> = v
        .split(',')
        .map(|n| n.trim().parse::<u32>())
        .collect::<Result<_, _>>()
        .map_err(|_| "SUPERVISION_NORM must be three numbers, e.g. 13,10,7".to_owned())?;
    match figures[..] {
        [low, medium, high] if [low, medium, high].iter().all(|n| (1..=100).contains(n)) => {
            Ok(SupervisionNorm { low, medium, high })
        }
        _ => Err("SUPERVISION_NORM must be three numbers from 1 to 100, e.g. 13,10,7".into()),
    }
}

/// The planning's weights from `PLANNING_WEIGHTS`: a JSON object naming the reasons whose
/// weight differs from the default, each `{"each": points, "max": cap}`, e.g.
/// `{"follow_up_overdue": {"each": 30, "max": 60}}`. An unknown reason, a missing number or
/// a cap below its points is refused.
fn planning_weights(json: &str) -> Result<PlanningWeights, String> {
    let bad = |why: String| format!("PLANNING_WEIGHTS: {why}");
    let given: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(json).map_err(|e| bad(format!("not a JSON object: {e}")))?;
    let mut merged =
        serde_json::to_value(PlanningWeights::default()).map_err(|e| bad(e.to_string()))?;
    let defaults = merged
        .as_object_mut()
        .ok_or_else(|| bad("the defaults are not an object".into()))?;
    for (reason, weight) in given {
        if !defaults.contains_key(&reason) {
            return Err(bad(format!(
                "no planning reason `{reason}` (the reasons: {})",
                PlanningReasonCode::ALL
                    .map(PlanningReasonCode::as_str)
                    .join(", ")
            )));
        }
        let w: Weight = serde_json::from_value(weight).map_err(|e| {
            bad(format!(
                "`{reason}` is not {{\"each\": n, \"max\": n}}: {e}"
            ))
        })?;
        if w.max < w.each {
            return Err(bad(format!(
                "`{reason}`: max {} is below each {}",
                w.max, w.each
            )));
        }
        defaults.insert(
            reason,
            serde_json::to_value(w).map_err(|e| bad(e.to_string()))?,
        );
    }
    serde_json::from_value(merged).map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_supervision_norm_is_three_figures() {
        assert_eq!(
            supervision_norm(" 12, 9,6").unwrap(),
            SupervisionNorm {
                low: 12,
                medium: 9,
                high: 6
            }
        );
        for bad in ["", "13,10", "13,10,7,5", "13,0,7", "13,10,101", "a,b,c"] {
            let err = supervision_norm(bad).unwrap_err();
            assert!(err.starts_with("SUPERVISION_NORM"), "{bad}: {err}");
        }
    }

    #[test]
    fn planning_weights_change_only_what_they_name() {
        let w = planning_weights(r#"{"follow_up_overdue": {"each": 30, "max": 60}}"#).unwrap();
        assert_eq!(w.follow_up_overdue, Weight::per(30, 60));
        assert_eq!(
            w.never_inspected,
            PlanningWeights::default().never_inspected
        );
        for bad in [
            "",
            "[]",
            r#"{"followup_overdue": {"each": 1, "max": 1}}"#,
            r#"{"never_inspected": {"each": 5}}"#,
            r#"{"never_inspected": {"each": 5, "max": 4}}"#,
            r#"{"never_inspected": {"each": -1, "max": 4}}"#,
        ] {
            let err = planning_weights(bad).unwrap_err();
            assert!(err.starts_with("PLANNING_WEIGHTS: "), "{bad}: {err}");
        }
    }

    #[test]
    fn trusted_proxies_are_networks_or_addresses() {
        let nets = parse_networks(" 10.0.0.0/8, 192.168.1.7 ,::1/128,").unwrap();
        assert_eq!(nets.len(), 3);
        assert!(nets[0].contains(&"10.2.3.4".parse::<IpAddr>().unwrap()));
        assert!(nets[1].contains(&"192.168.1.7".parse::<IpAddr>().unwrap()));
        assert!(!nets[1].contains(&"192.168.1.8".parse::<IpAddr>().unwrap()));
        assert!(parse_networks("").unwrap().is_empty());
        for bad in ["10.0.0.0/33", "proxy.local", "10.0.0/8", "*"] {
            let err = parse_networks(bad).unwrap_err();
            assert!(err.contains("TRUSTED_PROXIES"), "{bad}: {err}");
        }
    }

    #[test]
    fn passwords_are_masked_paths_are_kept() {
        assert_eq!(
            masked_url("postgres://inspect:s3cr%40t@db.example:5432/inspect"),
            "postgres://inspect:***@db.example:5432/inspect"
        );
        assert_eq!(
            masked_url("postgresql://inspect@db/inspect?sslmode=require&password=s3cret"),
            "postgresql://inspect@db/inspect?sslmode=require&password=***"
        );
        assert_eq!(
            masked_url("postgres://inspect@db/inspect"),
            "postgres://inspect@db/inspect"
        );
        assert_eq!(
            masked_url("data/enclave-inspect.db"),
            "data/enclave-inspect.db"
        );
    }

    #[test]
    fn debug_prints_no_secret() {
        let mut config = Config::new(
            "postgres://inspect:pg-pass-word@db.example:5432/inspect?password=pw-in-query",
        );
        config.jwt_secret = Some("the-signing-secret-of-32-characters".into());
        config.attachments_s3 =
            crate::photos::S3Settings(vec![("aws_secret_access_key".into(), "aws-key".into())]);
        let printed = format!("{config:?}");
        for secret in [
            "pg-pass-word",
            "pw-in-query",
            "the-signing-secret-of-32-characters",
            "aws-key",
        ] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("postgres://inspect:***@db.example:5432/inspect"));
        assert!(
            printed.contains("jwt_secret: Some([redacted])"),
            "{printed}"
        );
    }
}
