//! What an operator watches: Prometheus metrics on their own address (never the public one),
//! readiness (`/readyz`) failing for an unreachable photo store and for pending migrations,
//! the request id in the `X-Request-Id` header and in every error body, and JSON logs that
//! carry it.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use shared::dto::sync::{PushOutcome, SyncRecord};
use tests::records::{inspection, photo};
use tests::{Backend, TEST_JWT_SECRET, TestApp, json, on_both_backends};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

on_both_backends!(
    metrics_count_requests_logins_pushes_and_photos,
    readiness_fails_for_the_photo_store_and_pending_migrations,
    errors_carry_the_request_id_of_the_header,
);

/// One sample of the Prometheus text format: name, labels, value.
type Sample = (String, BTreeMap<String, String>, f64);

/// Parses the samples of a scrape (what Prometheus itself reads; HELP and TYPE apart).
fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("a value");
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => {
                    let labels = rest
                        .trim_end_matches('}')
                        .split("\",")
                        .filter(|p| !p.is_empty())
                        .map(|pair| {
                            let (k, v) = pair.split_once("=\"").expect("label");
                            (k.to_owned(), v.trim_end_matches('"').to_owned())
                        })
                        .collect();
                    (name.to_owned(), labels)
                }
                None => (series.to_owned(), BTreeMap::new()),
            };
            (name, labels, value.parse().expect("a number"))
        })
        .collect()
}

/// The value of the sample `name` whose labels include `labels` (0 when there is none).
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|(n, l, _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, _, v)| v)
        .sum()
}

async fn scrape(app: &TestApp) -> (String, Vec<Sample>) {
    let url = app.metrics_url.as_ref().expect("metrics are served");
    let res = app
        .client
        .get(format!("{url}/metrics"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "{:?}",
        res.headers()
    );
    let text = res.text().await.expect("metrics text");
    let parsed = samples(&text);
    (text, parsed)
}

async fn metrics_count_requests_logins_pushes_and_photos(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.metrics_bind = Some("127.0.0.1:0".into())).await;
    let first = app.fixture().simple_enclave("Host").id;
    let second = app.fixture().simple_enclave("Other host").id;

    // Metrics are not on the public address, whatever the method.
    for method in [Method::GET, Method::POST] {
        let res = app.send::<()>(method.clone(), "/metrics", None, None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method} /metrics");
    }
    let (_, before) = scrape(&app).await;
    assert_eq!(
        value(&before, "enclave_inspect_db_pool_max_connections", &[]),
        4.0
    );

    let failed = app.try_login("ines", "not the password").await;
    assert_eq!(failed.status(), StatusCode::UNAUTHORIZED);
    let token = app.inspector().await.token;
    for id in [&first, &second] {
        let res = app.get(&format!("/api/enclaves/{id}"), &token).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let record = {
        let mut r = inspection(&first);
        let (bytes, reference) = photo(2_000, 7);
        let res = app
            .client
            .put(format!(
                "{}/api/attachments/{}",
                app.base_url, reference.sha256
            ))
            .bearer_auth(&token)
            .header("content-type", "image/jpeg")
            .body(bytes)
            .send()
            .await
            .expect("upload");
        assert_eq!(res.status(), StatusCode::CREATED);
        r.findings[0].photos.push(reference);
        r
    };
    let mut invalid = inspection(&first);
    invalid.conclusion.motivation = " ".into();
    let batch = vec![
        SyncRecord::Inspection(Box::new(record)),
        SyncRecord::Inspection(Box::new(invalid)),
    ];
    let pushed = app.push(&token, batch.clone()).await;
    assert_eq!(
        pushed.results[0].outcome,
        PushOutcome::Applied { version: 1 }
    );
    let again = app.push(&token, batch).await;
    assert_eq!(
        again.results[0].outcome,
        PushOutcome::Duplicate { version: 1 }
    );

    let (text, after) = scrape(&app).await;
    let by_id = [
        ("route", "/api/enclaves/{id}"),
        ("method", "GET"),
        ("status", "2xx"),
    ];
    assert_eq!(
        value(&after, "enclave_inspect_http_requests_total", &by_id),
        2.0,
        "{text}"
    );
    assert_eq!(
        value(
            &after,
            "enclave_inspect_http_request_duration_seconds_count",
            &by_id
        ),
        2.0
    );
    assert!(
        value(
            &after,
            "enclave_inspect_http_request_duration_seconds_sum",
            &by_id
        ) > 0.0
    );
    assert!(
        !text.contains(&first) && !text.contains(&second),
        "raw paths leak into the labels: {text}"
    );
    let login = [("route", "/api/auth/login"), ("method", "POST")];
    assert_eq!(
        value(
            &after,
            "enclave_inspect_http_requests_total",
            &[login[0], login[1], ("status", "4xx")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            "enclave_inspect_http_requests_total",
            &[login[0], login[1], ("status", "2xx")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            "enclave_inspect_login_failures_total",
            &[("reason", "invalid_credentials")]
        ),
        1.0
    );
    assert!(!text.contains("ines"), "a username in the metrics: {text}");
    let sync = |outcome| {
        value(
            &after,
            "enclave_inspect_sync_outcomes_total",
            &[("kind", "inspection"), ("outcome", outcome)],
        )
    };
    assert_eq!(
        (sync("applied"), sync("duplicate"), sync("rejected")),
        (1.0, 1.0, 2.0)
    );
    assert_eq!(
        value(&after, "enclave_inspect_photos_stored_total", &[]),
        1.0
    );
    assert_eq!(
        value(&after, "enclave_inspect_photo_bytes_stored_total", &[]),
        2_000.0
    );
    assert_eq!(
        value(&after, "enclave_inspect_review_queue_inspections", &[]),
        1.0
    );
    // The scrape itself is in flight on the metrics server, not on the public one.
    assert_eq!(
        value(&after, "enclave_inspect_http_requests_in_flight", &[]),
        0.0
    );
    let open = value(&after, "enclave_inspect_db_pool_connections", &[]);
    let idle = value(&after, "enclave_inspect_db_pool_idle_connections", &[]);
    assert!((1.0..=4.0).contains(&open) && idle <= open, "{open} {idle}");
}

async fn readyz(app: &TestApp) -> (StatusCode, serde_json::Value) {
    let res = app.send::<()>(Method::GET, "/readyz", None, None).await;
    let status = res.status();
    (status, res.json().await.expect("JSON"))
}

async fn readiness_fails_for_the_photo_store_and_pending_migrations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, body) = readyz(&app).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        serde_json::json!({
            "status": "ready",
            "checks": {"database": "ok", "migrations": "ok", "photos": "ok"}
        })
    );

    // A file where the photo directory should be: the store cannot be listed.
    let dir = app.attachments_dir().to_path_buf();
    std::fs::remove_dir_all(&dir).expect("photo dir removed");
    std::fs::write(&dir, b"not a directory").expect("file in its place");
    let (status, body) = readyz(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["status"], "unavailable");
    assert_eq!(
        body["checks"],
        serde_json::json!({"database": "ok", "migrations": "ok", "photos": "unavailable"})
    );
    assert_eq!(body["error"]["code"], "unavailable");
    assert!(
        body["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains("photos")
    );
    assert!(body["request_id"].is_string(), "{body}");
    // Liveness does not depend on the photo store.
    let live = app.send::<()>(Method::GET, "/healthz", None, None).await;
    assert_eq!(live.status(), StatusCode::OK);
    std::fs::remove_file(&dir).expect("file removed");
    std::fs::create_dir(&dir).expect("photo dir back");
    assert_eq!(readyz(&app).await.0, StatusCode::OK);

    // The newest migration's row removed: this build's schema is not (all) there.
    let mut conn = app.db.get().expect("connection");
    diesel::sql_query(
        "DELETE FROM __diesel_schema_migrations \
         WHERE version = (SELECT MAX(version) FROM __diesel_schema_migrations)",
    )
    .execute(&mut *conn)
    .expect("migration row deleted");
    drop(conn);
    let (status, body) = readyz(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(
        body["checks"],
        serde_json::json!({"database": "ok", "migrations": "1 pending", "photos": "ok"})
    );
    assert!(
        body["error"]["message_nl"]
            .as_str()
            .unwrap()
            .contains("migrations")
    );
}

/// The id in the header, checked to be a UUID.
fn header_id(res: &reqwest::Response) -> String {
    let id = res
        .headers()
        .get("x-request-id")
        .unwrap_or_else(|| panic!("no X-Request-Id: {:?}", res.headers()))
        .to_str()
        .unwrap()
        .to_owned();
    uuid::Uuid::parse_str(&id).unwrap_or_else(|_| panic!("not a UUID: {id}"));
    id
}

async fn errors_carry_the_request_id_of_the_header(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.inspector().await.token;

    // Errors from a handler, an extractor, the authentication and a middleware alike; a
    // request id sent by a client that is no trusted proxy is not taken over.
    let answers = [
        app.get("/api/enclaves/not-an-id", &token).await,
        app.get("/api/nope", &token).await,
        app.client
            .get(format!("{}/api/enclaves", app.base_url))
            .header("x-request-id", "forged-by-the-client")
            .send()
            .await
            .unwrap(),
        app.get("/api/enclaves?q=%00", &token).await,
        app.try_login("ines", "not the password").await,
    ];
    let mut seen = std::collections::HashSet::new();
    for res in answers {
        let status = res.status();
        assert!(status.is_client_error(), "{status}");
        let id = header_id(&res);
        let body: serde_json::Value = res.json().await.expect("JSON error");
        assert_eq!(body["request_id"], id.as_str(), "{status}: {body}");
        assert!(body["error"]["code"].is_string(), "{body}");
        assert!(seen.insert(id), "request ids repeat");
    }
    // A success has the header, and its body is as it was.
    let res = app.get("/api/users/me", &token).await;
    header_id(&res);
    let me: serde_json::Value = json(res, StatusCode::OK).await;
    assert!(me.get("request_id").is_none(), "{me}");
}

/// `LOG_FORMAT=json`: the server process writes one JSON object per line, and the line of a
/// request carries the id its answer had in `X-Request-Id`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_request_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut child, mut lines, base) =
        json_logging_server(dir.path(), &dir.path().join("log.db")).await;
    let wait = Duration::from_secs(60);

    let res = tests::http_client()
        .get(format!("{base}/api/enclaves/nothing"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let id = header_id(&res);
    let line = tokio::time::timeout(wait, async {
        loop {
            let line = lines
                .next_line()
                .await
                .expect("stdout")
                .expect("a log line");
            if line.contains(&id) {
                break line;
            }
        }
    })
    .await
    .expect("the request is logged");
    let event: serde_json::Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    assert_eq!(event["span"]["request_id"], id.as_str(), "{event}");
    assert_eq!(event["status"], 401, "{event}");
    assert_eq!(event["span"]["route"], "/api/enclaves/{id}", "{event}");
    assert_eq!(event["span"]["method"], "GET", "{event}");
    assert!(
        event["timestamp"].is_string() && event["level"] == "INFO",
        "{event}"
    );
    child.kill().await.expect("stopped");
}

/// A failure (500) logs its cause once, in the line of its request (with the request id),
/// and the answer shows none of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_logs_its_cause_once_with_the_request_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("log.db");
    let (mut child, mut lines, base) = json_logging_server(dir.path(), &database).await;
    let wait = Duration::from_secs(60);

    // A table gone from under the server: every login fails on it.
    let mut conn = server::db::establish(&database.to_string_lossy()).expect("connection");
    diesel::sql_query("DROP TABLE login_attempts")
        .execute(&mut conn)
        .expect("table dropped");
    let res = tests::http_client()
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({"username": "ines", "password": "a-long-test-password"}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = header_id(&res);
    let body = res.text().await.expect("body");
    assert!(body.contains("\"internal\""), "{body}");
    assert!(!body.contains("login_attempts"), "the cause leaked: {body}");

    // The request's lines, up to the one that logs its answer.
    let lines = tokio::time::timeout(wait, async {
        let mut mine = Vec::new();
        loop {
            let line = lines
                .next_line()
                .await
                .expect("stdout")
                .expect("a log line");
            if !line.contains(&id) {
                continue;
            }
            let event: serde_json::Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            let answered = event["status"] == 500;
            mine.push(event);
            if answered {
                break mine;
            }
        }
    })
    .await
    .expect("the request is logged");
    let errors: Vec<_> = lines.iter().filter(|e| e["level"] == "ERROR").collect();
    assert_eq!(errors.len(), 1, "{lines:#?}");
    assert_eq!(
        errors[0]["span"]["request_id"],
        id.as_str(),
        "{}",
        errors[0]
    );
    assert!(
        errors[0]["cause"]
            .as_str()
            .is_some_and(|c| c.contains("login_attempts")),
        "{}",
        errors[0]
    );
    child.kill().await.expect("stopped");
}

/// The server in its own process on `database`, logging JSON at `info` to its stdout: the
/// process, its log lines after the start-up line, and its base URL.
async fn json_logging_server(
    dir: &std::path::Path,
    database: &std::path::Path,
) -> (
    tokio::process::Child,
    tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    String,
) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_test-server"))
        .env("DATABASE_URL", database)
        .env("BIND", "127.0.0.1:0")
        .env("ATTACHMENTS_DIR", dir.join("photos"))
        .env("JWT_SECRET", TEST_JWT_SECRET)
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("the server runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let line = lines.next_line().await.expect("stdout").expect("started");
            if let Some(rest) = line.strip_prefix("Enclave Inspect on ") {
                break rest.split_whitespace().next().expect("address").to_owned();
            }
        }
    })
    .await
    .expect("the server starts in time");
    (child, lines, base)
}
