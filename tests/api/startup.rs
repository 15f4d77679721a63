//! The server process at start-up, as an operator runs it: demo accounts stay out of real
//! databases, a server refuses to start while demo accounts with their published passwords
//! are active, the database password never shows in its output, and the signing key can come
//! from a file (`JWT_SECRET_FILE`), and an operator's mistyped rule settings stop the start
//! with a message naming the setting.

use std::process::Stdio;
use std::time::Duration;

use diesel::prelude::*;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use reqwest::StatusCode;
use server::auth::token::SigningKey;
use server::db::schema::users;
use shared::dto::auth::{Role, TokenResponse};
use tests::{Backend, TestApp, json, on_both_backends};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

on_both_backends!(
    demo_accounts_stay_out_of_real_databases,
    the_signing_key_can_come_from_a_file,
    an_operators_rule_settings_are_checked_before_the_start,
);

const PW: &str = "a-long-test-password";
/// The password put into PostgreSQL URLs (the test cluster trusts local connections, so it
/// is accepted and never checked): it must not show in anything the server prints.
const DB_PASSWORD: &str = "Db-Secr3t-never-printed";
/// How long a start-up may take on a loaded machine.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The test database's URL, with a password when it is PostgreSQL.
fn url_with_password(app: &TestApp) -> String {
    match app.backend {
        Backend::Sqlite => app.database_url().to_owned(),
        Backend::Postgres => {
            let mut url = reqwest::Url::parse(app.database_url()).expect("database URL");
            url.set_password(Some(DB_PASSWORD)).expect("password");
            url.to_string()
        }
    }
}

/// `enclave-inspect serve [args]` on `database_url`, on a free port, output captured.
fn server(database_url: &str, args: &[&str]) -> Command {
    let attachments = std::env::temp_dir().join(format!("ei-startup-{}", uuid::Uuid::new_v4()));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_test-server"));
    cmd.args(args)
        .env("DATABASE_URL", database_url)
        .env("BIND", "127.0.0.1:0")
        .env("ATTACHMENTS_DIR", attachments)
        .env("RUST_LOG", "info")
        .env_remove("JWT_SECRET")
        .env_remove("JWT_SECRET_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// Runs a server that must refuse to start; returns what it printed (stdout and stderr).
async fn refused(mut cmd: Command) -> String {
    let out = tokio::time::timeout(START_TIMEOUT, cmd.output())
        .await
        .expect("the server exits in time")
        .expect("the server runs");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "it started: {printed}");
    printed
}

/// Starts a server that must come up; returns it, its base URL and its start-up line.
async fn started(mut cmd: Command) -> (Child, String, String) {
    let mut child = cmd.spawn().expect("the server runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let banner = tokio::time::timeout(START_TIMEOUT, async {
        while let Some(line) = lines.next_line().await.expect("stdout line") {
            if line.starts_with("Enclave Inspect on http://") {
                return line;
            }
        }
        let mut err = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            let _ = stderr.read_to_string(&mut err).await;
        }
        panic!("the server ended without starting: {err}");
    })
    .await
    .expect("the server starts in time");
    let base = banner
        .trim_start_matches("Enclave Inspect on ")
        .split_whitespace()
        .next()
        .expect("address")
        .to_owned();
    (child, base, banner)
}

/// The started server at `base` answers its health check.
async fn assert_serves(app: &TestApp, base: &str) {
    let health = app
        .client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), StatusCode::OK);
}

async fn demo_accounts_stay_out_of_real_databases(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.fixture().user("jan", PW, Role::Admin, &[]);
    let url = url_with_password(&app);
    let demo_users = || -> Vec<String> {
        let mut conn = app.db.get().expect("connection");
        users::table
            .filter(users::username.eq_any(["inspector", "reviewer", "admin"]))
            .select(users::username)
            .load(&mut conn)
            .expect("users")
    };

    // `serve --demo` on a database with a real account: refused, no demo account added.
    let printed = refused(server(&url, &["--demo"])).await;
    assert!(printed.contains("serve --demo"), "{printed}");
    assert!(!printed.contains(DB_PASSWORD), "{printed}");
    assert!(demo_users().is_empty(), "{:?}", demo_users());

    // A demo account with its published password (e.g. left by a demo) blocks a real start,
    // saying how to remove it.
    app.fixture()
        .user("reviewer", "reviewer-demo", Role::Reviewer, &[]);
    let printed = refused(server(&url, &[])).await;
    assert!(
        printed.contains("enclave-inspect user disable --username reviewer"),
        "{printed}"
    );
    assert!(!printed.contains(DB_PASSWORD), "{printed}");

    // Disabled, it no longer blocks: the server starts, naming its database without the
    // password.
    let mut conn = app.db.get().expect("connection");
    diesel::update(users::table.filter(users::username.eq("reviewer")))
        .set(users::active.eq(false))
        .execute(&mut conn)
        .expect("disable");
    drop(conn);
    let (mut child, base, banner) = started(server(&url, &[])).await;
    assert!(!banner.contains(DB_PASSWORD), "{banner}");
    if backend == Backend::Postgres {
        assert!(banner.contains(":***@"), "{banner}");
    }
    assert_serves(&app, &base).await;
    child.kill().await.expect("stop the server");
    let mut rest = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = stderr.read_to_string(&mut rest).await;
    }
    assert!(!rest.contains(DB_PASSWORD), "{rest}");
}

async fn the_signing_key_can_come_from_a_file(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.fixture().user("ines", PW, Role::Inspector, &[]);
    let dir = tempfile::tempdir().expect("temp dir");
    let secret = "a-secret-from-a-mounted-file-0123456789";
    let file = dir.path().join("jwt-secret");
    // Secret mounts often end in a newline; it is not part of the secret.
    std::fs::write(&file, format!("{secret}\n")).expect("secret file");

    let mut cmd = server(app.database_url(), &[]);
    cmd.env("JWT_SECRET_FILE", &file);
    let (mut child, base, _) = started(cmd).await;
    let res = app
        .client
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({ "username": "ines", "password": PW }))
        .send()
        .await
        .expect("login");
    let tokens: TokenResponse = json(res, StatusCode::OK).await;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&["enclave-inspect-api"]);
    let header = jsonwebtoken::decode_header(&tokens.access_token).expect("header");
    assert_eq!(header.kid, Some(SigningKey::from_secret(secret).kid));
    decode::<serde_json::Value>(
        &tokens.access_token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .expect("signed with the file's secret");
    child.kill().await.expect("stop the server");

    // Both set is a mistake the server refuses to guess about.
    let mut cmd = server(app.database_url(), &[]);
    cmd.env("JWT_SECRET_FILE", &file)
        .env("JWT_SECRET", "another-secret-another-secret-0123456789");
    let printed = refused(cmd).await;
    assert!(printed.contains("not both"), "{printed}");
}

async fn an_operators_rule_settings_are_checked_before_the_start(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let url = url_with_password(&app);
    let with = |name: &str, value: &str| {
        let mut cmd = server(&url, &[]);
        cmd.env(name, value);
        cmd
    };
    // Mistakes an operator makes in an environment file: the start stops, naming the
    // setting and what it takes, and prints no password.
    for (name, value, says) in [
        (
            "SUPERVISION_NORM",
            "13;10;7",
            "SUPERVISION_NORM must be three numbers",
        ),
        (
            "SUPERVISION_NORM",
            "13,10",
            "SUPERVISION_NORM must be three numbers from 1 to 100",
        ),
        (
            "SUPERVISION_NORM",
            "13,0,7",
            "SUPERVISION_NORM must be three numbers from 1 to 100",
        ),
        (
            "PLANNING_WEIGHTS",
            "follow_up_overdue=30",
            "PLANNING_WEIGHTS: not a JSON object",
        ),
        (
            "PLANNING_WEIGHTS",
            r#"{"folow_up_overdue": {"each": 30, "max": 60}}"#,
            "no planning reason `folow_up_overdue`",
        ),
        (
            "PLANNING_WEIGHTS",
            r#"{"follow_up_overdue": {"each": 30}}"#,
            "`follow_up_overdue` is not {\"each\": n, \"max\": n}",
        ),
        (
            "PLANNING_WEIGHTS",
            r#"{"follow_up_overdue": {"each": 30, "max": 20}}"#,
            "max 20 is below each 30",
        ),
    ] {
        let printed = refused(with(name, value)).await;
        assert!(printed.contains(says), "{name}={value}: {printed}");
        assert!(!printed.contains(DB_PASSWORD), "{printed}");
    }

    // Well formed, both are taken and the server serves.
    let mut cmd = with("SUPERVISION_NORM", "12,9,6");
    cmd.env(
        "PLANNING_WEIGHTS",
        r#"{"follow_up_overdue": {"each": 30, "max": 60}}"#,
    );
    let (mut child, base, _) = started(cmd).await;
    assert_serves(&app, &base).await;
    child.kill().await.expect("stop the server");
}
