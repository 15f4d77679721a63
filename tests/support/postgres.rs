//! PostgreSQL for tests: find the server (127.0.0.1:5432 by default, `TEST_DATABASE_URL` to
//! override), start it if it is installed but stopped, install it with apt if it is missing,
//! and create one fresh database per test. With `CI=true` an unavailable PostgreSQL fails the
//! run loudly; locally the PostgreSQL half of each test is skipped with a warning.

use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::{Connection, ConnectionError};

/// The maintenance database URL tests connect to in order to create their own.
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Whether PostgreSQL can be used; provisions it on first call.
pub fn available() -> bool {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    match READY.get_or_init(provision) {
        Ok(()) => true,
        Err(why) if in_ci() => panic!("PostgreSQL is required when CI=true: {why}"),
        Err(why) => {
            eprintln!("WARNING: PostgreSQL unavailable, PostgreSQL tests SKIPPED: {why}");
            false
        }
    }
}

fn connect() -> Result<PgConnection, ConnectionError> {
    PgConnection::establish(&admin_url())
}

fn wait_for_server(timeout: Duration) -> Result<(), String> {
    let start = Instant::now();
    loop {
        match connect() {
            Ok(_) => return Ok(()),
            Err(e) if start.elapsed() > timeout => return Err(e.to_string()),
            Err(_) => std::thread::sleep(Duration::from_millis(250)),
        }
    }
}

fn run(cmd: &str, args: &[&str]) -> Result<(), String> {
    let status = Command::new(cmd)
        .args(args)
        .status()
        .map_err(|e| format!("{cmd}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd} {args:?} exited with {status}"))
    }
}

fn start_clusters() -> Result<(), String> {
    let versions =
        std::fs::read_dir("/etc/postgresql").map_err(|e| format!("/etc/postgresql: {e}"))?;
    for v in versions.flatten() {
        let version = v.file_name().to_string_lossy().into_owned();
        let _ = run(
            "pg_ctlcluster",
            &["--skip-systemctl-redirect", &version, "main", "start"],
        );
    }
    Ok(())
}

fn provision() -> Result<(), String> {
    if connect().is_ok() {
        return Ok(());
    }
    if std::env::var("TEST_DATABASE_URL").is_ok() {
        return wait_for_server(Duration::from_secs(10));
    }
    eprintln!("PostgreSQL not reachable on 127.0.0.1:5432; trying to start it");
    if Command::new("pg_ctlcluster")
        .arg("--help")
        .output()
        .is_err()
    {
        eprintln!("PostgreSQL is not installed; installing it with apt-get");
        run("apt-get", &["update", "-qq"])?;
        run("apt-get", &["install", "-y", "-qq", "postgresql"])?;
    }
    start_clusters()?;
    wait_for_server(Duration::from_secs(30))
}

/// A database created for one test and dropped (forcefully) when this value is dropped.
pub struct TempDatabase {
    name: String,
    url: String,
}

impl TempDatabase {
    /// Creates `enclave_test_<random>`.
    pub fn create() -> Self {
        assert!(available(), "PostgreSQL unavailable");
        let name = format!("enclave_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = connect().expect("connect to PostgreSQL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let base = admin_url();
        let root = base.rsplit_once('/').map(|(r, _)| r).unwrap_or(&base);
        let url = format!("{root}/{name}");
        Self { name, url }
    }

    /// The URL of the test database.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = connect() {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
