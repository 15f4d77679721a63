//! Every input alike on both databases: NUL and other control characters in a path, a query
//! parameter or a JSON body are refused with a 400 before any query (PostgreSQL cannot store
//! a NUL; SQLite would), while tabs and line breaks in free text pass. And no API answer may be
//! kept by a browser or proxy cache: `Cache-Control: no-store` on every kind.

use chrono::Utc;
use reqwest::{Method, Response, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};
use shared::dto::auth::Role;
use shared::dto::import::ImportReport;
use shared::dto::sync::{PushOutcome, SyncRecord};
use tests::dates::today;
use tests::records::inspection;
use tests::{Backend, TestApp, User, World, assert_error, on_both_backends};

on_both_backends!(
    control_characters_are_refused_before_any_query,
    a_control_character_in_an_imported_cell_is_a_row_problem,
    every_api_answer_is_no_store,
);

const PW: &str = "a-long-test-password";

struct Setup {
    app: TestApp,
    ines: String,
    rev: String,
    adam: String,
    enclave: String,
    inspection: uuid::Uuid,
}

async fn setup(backend: Backend) -> Setup {
    let app = TestApp::spawn(backend).await;
    let enclave = app.fixture().simple_enclave("Host").id;
    let ines = app.inspector().await;
    let record = inspection(&enclave);
    let pushed = ines
        .push(vec![SyncRecord::Inspection(Box::new(record.clone()))])
        .await;
    assert_eq!(
        pushed.results[0].outcome,
        PushOutcome::Applied { version: 1 }
    );
    Setup {
        rev: app.user("rev", Role::Reviewer, &[]).await.token,
        adam: app.admin().await.token,
        app,
        ines: ines.token,
        enclave,
        inspection: record.id,
    }
}

/// A contract draft for `enclave` with `reference`.
fn contract(enclave: &str, reference: &str) -> serde_json::Value {
    json!({
        "enclave_id": enclave,
        "reference": reference,
        "start_date": today().to_string(),
        "end_date": null,
        "notified_at": (Utc::now() - chrono::Duration::days(3)).to_rfc3339(),
        "approved_at": null,
        "status": "notified",
        "rejection_reason": null,
        "min_supervisors": 1,
    })
}

async fn refused(res: Response, what: &str) {
    let status = res.status();
    let body = res.text().await.unwrap_or_default();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
    let body: serde_json::Value = serde_json::from_str(&body).expect("error body");
    assert_eq!(body["error"]["code"], "bad_request", "{what}: {body}");
    assert!(
        body["error"]["message_en"]
            .as_str()
            .is_some_and(|m| m.contains("control character")),
        "{what}: {body}"
    );
}

async fn control_characters_are_refused_before_any_query(backend: Backend) {
    let s = setup(backend).await;
    let app = &s.app;
    let id = s.inspection;

    // Unauthenticated: the login's username.
    for username in ["ines\0", "in\u{7f}es", "ines\u{1b}[2J"] {
        refused(
            app.try_login(username, PW).await,
            &format!("login {username:?}"),
        )
        .await;
    }
    let bodies: [(Method, String, &str, serde_json::Value); 6] = [
        (
            Method::POST,
            format!("/api/inspections/{id}/review"),
            &s.rev,
            json!({ "decision": "return", "comment": "Terug\0", "version": 1 }),
        ),
        (
            Method::POST,
            "/api/contracts".into(),
            &s.adam,
            contract(&s.enclave, "ENC-NUL\0"),
        ),
        (
            Method::POST,
            "/api/contracts".into(),
            &s.adam,
            contract(&s.enclave, "ENC-\u{1}"),
        ),
        (
            Method::POST,
            "/api/auth/refresh".into(),
            &s.ines,
            json!({ "refresh_token": "x\0" }),
        ),
        (
            Method::POST,
            "/api/auth/logout".into(),
            &s.ines,
            json!({ "refresh_token": "x\0" }),
        ),
        // In a key, deep in the body.
        (
            Method::POST,
            "/api/contracts".into(),
            &s.adam,
            json!({ "enclave_id": s.enclave, "extra": [{ "k\0": 1 }] }),
        ),
    ];
    for (method, path, token, body) in bodies {
        let what = format!("{method} {path} {body}");
        refused(
            app.send(method, &path, Some(token), Some(&body)).await,
            &what,
        )
        .await;
    }
    // Query parameters and paths.
    let queries: [(&str, &str); 7] = [
        ("/api/enclaves?q=ab%00cd", &s.ines),
        ("/api/enclaves?q=%01", &s.ines),
        ("/api/enclaves?enterprise_number=0123%00", &s.ines),
        ("/api/audit?action=login%00", &s.adam),
        ("/api/contracts?q=ENC%00", &s.adam),
        ("/api/reports/contracts?year=2026&format=csv%00", &s.adam),
        ("/api/enclaves/%00", &s.ines),
    ];
    for (path, token) in queries {
        refused(app.get(path, token).await, path).await;
    }
    // Imports: the mapping parameter.
    let res = app
        .client
        .post(format!(
            "{}/api/imports/contracts?format=csv&dry_run=true&mapping=%7B%22reference%22%3A0%00%7D",
            app.base_url
        ))
        .bearer_auth(&s.adam)
        .body("reference\nENC-1\n")
        .send()
        .await
        .expect("import");
    refused(res, "import mapping").await;

    // Nothing was written; free text keeps its line breaks and tabs.
    let page: serde_json::Value =
        tests::json(app.get("/api/contracts", &s.adam).await, StatusCode::OK).await;
    assert_eq!(page["total"], 0, "{page}");
    let res = app
        .send(
            Method::POST,
            &format!("/api/inspections/{id}/review"),
            Some(&s.rev),
            Some(&json!({
                "decision": "return",
                "comment": "Regel één.\nRegel\ttwee.",
                "version": 1,
            })),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    // A push is checked per record (see `evidence.rs`): one bad record is rejected, not the
    // batch.
    let mut bad = inspection(&s.enclave);
    bad.conclusion.motivation = "nul\0".into();
    let good = inspection(&s.enclave);
    let r = app
        .push(
            &s.ines,
            vec![
                SyncRecord::Inspection(Box::new(bad)),
                SyncRecord::Inspection(Box::new(good)),
            ],
        )
        .await;
    assert!(
        matches!(&r.results[0].outcome, PushOutcome::Rejected { code, .. } if code == "validation_failed"),
        "{r:?}"
    );
    assert_eq!(r.results[1].outcome, PushOutcome::Applied { version: 1 });
    // The refusals were answers, not failures: the server serves on.
    assert_eq!(
        app.get("/api/enclaves?q=Host", &s.ines).await.status(),
        StatusCode::OK
    );
}

/// Posts a file to an import that has problems: a 422 with the report, nothing imported.
async fn import(admin: &User, what: &str, query: &str, file: String) -> ImportReport {
    let res = admin
        .upload(&format!("/api/imports/{what}?{query}"), file)
        .await;
    tests::json(res, StatusCode::UNPROCESSABLE_ENTITY).await
}

fn control_problems(report: &ImportReport) -> Vec<(u32, String)> {
    report
        .problems
        .iter()
        .filter(|p| p.message_en.contains("control character"))
        .map(|p| (p.row, p.column.clone()))
        .collect()
}

async fn a_control_character_in_an_imported_cell_is_a_row_problem(backend: Backend) {
    let world = World::new(backend).await;
    let contract = world.contract();
    let admin = &world.admin;

    // Contracts: the reference of the second row holds a NUL.
    let contracts = "Referentie;Maatwerkbedrijf;Gastorganisatie;Start;Einde;Ontvangen;Status
ENC-2019-001;0123456749;0200000043;2019-03-11;2019-12-31;2019-03-08 10:00;gemeld
ENC-2019\u{0}002;0123456749;0200000043;2020-03-09;2020-12-31;2020-03-05 10:00;gemeld
"
    .to_owned();
    let report = import(admin, "contracts", "format=csv&dry_run=false", contracts).await;
    assert_eq!(
        control_problems(&report),
        [(3, "Referentie".to_owned())],
        "{report:?}"
    );
    assert_eq!(report.added, 0, "{report:?}");
    let page: serde_json::Value =
        tests::json(admin.get("/api/contracts").await, StatusCode::OK).await;
    assert_eq!(page["total"], 1, "only the fixture's contract: {page}");

    // Registrations: a worker's name with an escape character.
    let registrations = format!(
        "referentie,datum,geregistreerd,aanvang,personeelsnummer,naam,rol
{r},2025-03-10,2025-03-10 06:45,07:00,P-001,An Peeters,doelgroepwerknemer
{r},2025-03-10,2025-03-10 06:45,07:00,P-002,Chris{esc}Wouters,doelgroepwerknemer
",
        r = contract.reference,
        esc = '\u{1b}',
    );
    let report = import(admin, "registrations", "", registrations).await;
    assert_eq!(
        control_problems(&report),
        [(3, "naam".to_owned())],
        "{report:?}"
    );
}

fn no_store(res: &Response, what: &str) {
    assert_eq!(
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "{what}"
    );
}

async fn every_api_answer_is_no_store(backend: Backend) {
    let s = setup(backend).await;
    let app = &s.app;
    // JSON, and the exports.
    for (path, token) in [
        ("/api/enclaves", &s.ines),
        (
            &format!("/api/inspections/{}", s.inspection) as &str,
            &s.rev,
        ),
        ("/api/reports/contracts?year=2026&format=csv", &s.adam),
        ("/api/reports/contracts?year=2026&format=xlsx", &s.adam),
        ("/api/openapi.json", &s.adam),
    ] {
        let res = app.get(path, token).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        no_store(&res, path);
    }
    // A photo.
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i % 251) as u8).collect();
    let sha = format!("{:x}", Sha256::digest(&bytes));
    let res = app
        .client
        .put(format!("{}/api/attachments/{sha}", app.base_url))
        .bearer_auth(&s.ines)
        .header("content-type", "image/jpeg")
        .body(bytes)
        .send()
        .await
        .expect("upload");
    assert!(res.status().is_success(), "upload: {}", res.status());
    no_store(&res, "upload");
    let res = app.get(&format!("/api/attachments/{sha}"), &s.ines).await;
    assert_eq!(res.status(), StatusCode::OK);
    no_store(&res, "photo");
    // Errors, and a login answer with its tokens.
    let res = app
        .send::<()>(Method::GET, "/api/enclaves", None, None)
        .await;
    no_store(&res, "401");
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let res = app
        .get(&format!("/api/enclaves/{}", uuid::Uuid::new_v4()), &s.ines)
        .await;
    no_store(&res, "404");
    let res = app.get("/api/enclaves?q=%00", &s.ines).await;
    no_store(&res, "refused");
    let res = app.try_login("ines", PW).await;
    no_store(&res, "login");
    // The app shell is not personal: it keeps its own revalidating policy.
    let res = app
        .client
        .get(format!("{}/", app.base_url))
        .send()
        .await
        .expect("shell");
    assert_ne!(
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
}
