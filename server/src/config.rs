//! Typed configuration: defaults that run with no set-up, each overridable by an environment
//! variable (documented in the README).

use std::time::Duration;

use shared::rules::{CalendarSettings, LeadTime, RuleSettings};

/// Default SQLite database: a file under `data/`.
pub const DEFAULT_DATABASE_URL: &str = "data/enclave-inspect.db";

/// Everything the server needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on, e.g. `127.0.0.1:8080` (port 0 picks a free port).
    pub bind: String,
    /// `postgres://...` or a SQLite file path.
    pub database_url: String,
    pub db_max_connections: u32,
    /// HS256 signing secret; when absent, one is generated once and kept in the database,
    /// so every instance on the same database shares it.
    pub jwt_secret: Option<String>,
    pub token_issuer: String,
    pub token_audience: String,
    /// Access token lifetime in seconds (at most 900).
    pub access_token_ttl_secs: i64,
    /// Refresh token lifetime in seconds.
    pub refresh_token_ttl_secs: i64,
    /// How long after a rotation the previous refresh token still gets the same new pair
    /// (a refresh answer lost on a bad link must not end the session).
    pub refresh_grace_secs: i64,
    /// Settings of the inspection rules.
    pub rules: RuleSettings,
    pub login_limits: LoginLimits,
    /// Largest accepted JSON body in bytes.
    pub json_body_limit: usize,
    /// How stale the in-memory lookup index may get before it checks the register again.
    pub lookup_index_max_age: Duration,
    /// Where photo files are kept.
    pub attachments_dir: std::path::PathBuf,
    /// How long a verified session is trusted before it is checked in the database again
    /// (revocations through another instance take effect within this time).
    pub session_cache_ttl: Duration,
    /// How long an idle HTTP connection is kept open. Longer than any client's or proxy's
    /// idle timeout, so a client never sends on a connection the server is closing.
    pub keep_alive: Duration,
    /// How long personal data are kept before the purge deletes them.
    pub retention: Retention,
    /// When the server runs the purge each day (Belgian local time); `None`: never (the
    /// `purge` command still does).
    pub purge_daily_at: Option<chrono::NaiveTime>,
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

/// How many failed logins are tolerated in a sliding window before answering 429.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub window_secs: i64,
    pub failures_per_username: i64,
    pub failures_per_client: i64,
}

impl Config {
    /// Defaults for a database URL.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            database_url: database_url.into(),
            db_max_connections: 16,
            jwt_secret: None,
            token_issuer: "enclave-inspect".into(),
            token_audience: "enclave-inspect-api".into(),
            access_token_ttl_secs: 600,
            refresh_token_ttl_secs: 7 * 24 * 3600,
            refresh_grace_secs: 60,
            rules: RuleSettings::default(),
            login_limits: LoginLimits {
                window_secs: 15 * 60,
                failures_per_username: 5,
                failures_per_client: 20,
            },
            json_body_limit: 256 * 1024,
            lookup_index_max_age: Duration::from_secs(2),
            session_cache_ttl: Duration::from_secs(2),
            attachments_dir: "data/attachments".into(),
            keep_alive: Duration::from_secs(75),
            retention: Retention::default(),
            purge_daily_at: chrono::NaiveTime::from_hms_opt(3, 0, 0),
        }
    }

    /// Defaults overridden by environment variables.
    pub fn from_env() -> Result<Self, String> {
        let url = env("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        let mut c = Self::new(url);
        if let Some(v) = env("DB_MAX_CONNECTIONS") {
            c.db_max_connections = parse("DB_MAX_CONNECTIONS", &v)?;
        }
        c.jwt_secret = env("JWT_SECRET");
        if c.jwt_secret.as_ref().is_some_and(|s| s.len() < 32) {
            return Err("JWT_SECRET must be at least 32 characters".into());
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
        if let Some(v) = env("ATTACHMENTS_DIR") {
            c.attachments_dir = v.into();
        }
        if let Some(v) = env("RULE_LEAD_TIME") {
            c.rules.lead_time = match v.as_str() {
                "working_day" => LeadTime::WorkingDays(1),
                "calendar_day" => LeadTime::CalendarDays(1),
                _ => return Err("RULE_LEAD_TIME must be working_day or calendar_day".into()),
            };
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
        Ok(c)
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("{name} has an invalid value: {value:?}"))
}
