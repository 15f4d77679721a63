//! The OpenAPI document tells the truth: Schemathesis fuzzes every operation of the server's own
//! document against the real server, on SQLite and on PostgreSQL, for a fixed time budget, and
//! finds no 5xx, no status the document does not list and no schema-valid request refused.

use std::time::Duration;

use reqwest::StatusCode;
use shared::dto::auth::Role;
use tests::{Backend, TestApp, fuzz, on_both_backends};

on_both_backends!(every_operation_answers_as_documented);

const PW: &str = "a-long-test-password";

/// The deadline of one pass (each backend runs one; about 50 s on an idle machine of 2 cores,
/// 110 s when other builds load it). The work is fixed (seed and cases per operation), so the
/// deadline only catches a server that hangs: it is set well above the slowest pass seen.
const BUDGET: Duration = Duration::from_secs(600);

async fn every_operation_answers_as_documented(backend: Backend) {
    let Some(exe) = fuzz::schemathesis() else {
        return;
    };
    let app = TestApp::spawn(backend).await;
    let today = tests::dates::today();
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || server::demo::load_if_empty(&db, today))
        .await
        .expect("demo data task")
        .expect("demo data");
    app.fixture().user("fuzz-admin", PW, Role::Admin, &[]);
    let token = app.login("fuzz-admin", PW).await.access_token;

    let doc = app.get("/api/openapi.json", &token).await;
    assert_eq!(doc.status(), StatusCode::OK);
    let dir = tempfile::tempdir().expect("temp dir");
    let schema = dir.path().join("openapi.json");
    std::fs::write(&schema, doc.bytes().await.expect("document")).expect("writing the document");

    let pass = fuzz::Fuzzing {
        schema: schema.clone(),
        base_url: app.base_url.clone(),
        headers: vec![format!("Authorization: Bearer {token}")],
        options: [
            "--checks",
            fuzz::CHECKS,
            // What would end or lock the fuzzer's own session (its account may be among the
            // ones listed): logging out, revoking, resetting or changing a password, changing
            // a role. The accounts tests cover these operations.
            "--exclude-path-regex",
            "^/api/auth/(logout|password)$|^/api/accounts/\\{id\\}(/password|/revoke)?$",
            "--suppress-health-check",
            "all",
        ]
        .map(String::from)
        .to_vec(),
        budget: BUDGET,
    };
    let outcome = tokio::task::spawn_blocking(move || pass.run(exe))
        .await
        .expect("fuzzing task");
    // What the pass covered (its summary), for the test log.
    let summary: Vec<&str> = outcome.output.lines().rev().take(12).collect();
    eprintln!(
        "{}",
        summary.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
    assert!(
        outcome.passed,
        "Schemathesis found answers the OpenAPI document does not describe:\n{}",
        outcome.output
    );
}
