//! Sessions with an end (an absolute lifetime and an idle limit), logout with the refresh
//! token alone, and signing keys with ids: `keys rotate` while tokens of the old key are
//! still in use, on two instances of one database.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::json;
use server::auth::token::SigningKey;
use server::db::rows::AuditEventRow;
use shared::dto::auth::{Role, TokenResponse};
use tests::{Backend, TEST_JWT_SECRET, TestApp, assert_error, json, on_both_backends};

on_both_backends!(
    a_session_ends_at_its_max_age_however_active,
    a_session_ends_when_idle_past_the_limit,
    logout_needs_only_the_refresh_token,
    tokens_name_their_key,
    a_rotated_key_signs_from_then_on_and_the_old_one_still_verifies,
);

const PW: &str = "a-long-test-password";

/// A JSON part (0: header, 1: claims) of a token.
fn part(token: &str, i: usize) -> serde_json::Value {
    let raw = token.split('.').nth(i).expect("token part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(raw).expect("base64")).expect("json")
}

fn kid(token: &str) -> String {
    part(token, 0)["kid"].as_str().expect("kid").to_owned()
}

/// Waits until the clock has passed `at` (plus a second, as token times are whole seconds).
async fn wait_past(at: DateTime<Utc>) {
    let left = (at - Utc::now()).num_milliseconds() + 1_000;
    if left > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(left as u64)).await;
    }
}

async fn refreshed(app: &TestApp, refresh_token: &str) -> TokenResponse {
    json(app.refresh(refresh_token).await, StatusCode::OK).await
}

async fn a_session_ends_at_its_max_age_however_active(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.session_max_age_secs = 8;
        c.session_idle_secs = 8;
        c.session_cache_ttl = std::time::Duration::ZERO;
    })
    .await;
    app.fixture().user("ines", PW, Role::Inspector, &[]);
    let first = app.login("ines", PW).await;
    // Nothing issued outlives the session (it began before the login answered).
    let ends = Utc::now() + chrono::Duration::seconds(8);
    assert!(first.refresh_expires_at <= ends, "{first:?}");
    assert!(first.expires_at <= ends, "{first:?}");
    let second = refreshed(&app, &first.refresh_token).await;
    assert!(second.refresh_expires_at <= ends, "{second:?}");
    assert!(second.expires_at <= ends, "{second:?}");
    assert_eq!(
        app.get("/api/enclaves", &second.access_token)
            .await
            .status(),
        StatusCode::OK
    );

    wait_past(second.refresh_expires_at).await;
    // Within the tokens' clock leeway, yet refused: the session has ended.
    assert_error(
        app.refresh(&second.refresh_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    assert!(
        audit(&app, "refresh", "failure")
            .iter()
            .any(|e| e.detail.as_deref() == Some("session_max_age"))
    );
    assert_error(
        app.get("/api/enclaves", &second.access_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    // A new login is a new session.
    let again = app.login("ines", PW).await;
    assert_eq!(
        app.get("/api/enclaves", &again.access_token).await.status(),
        StatusCode::OK
    );
}

async fn a_session_ends_when_idle_past_the_limit(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.session_max_age_secs = 3600;
        c.session_idle_secs = 4;
    })
    .await;
    app.fixture().user("ines", PW, Role::Inspector, &[]);
    let t = app.login("ines", PW).await;
    assert!(t.refresh_expires_at <= Utc::now() + chrono::Duration::seconds(4));
    // A refresh within the limit keeps the session going, for another idle limit.
    let t = refreshed(&app, &t.refresh_token).await;
    assert!(t.refresh_expires_at <= Utc::now() + chrono::Duration::seconds(4));
    // Without one, the session has ended.
    wait_past(t.refresh_expires_at).await;
    assert_error(
        app.refresh(&t.refresh_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    let events = audit(&app, "refresh", "failure");
    assert!(
        events
            .iter()
            .any(|e| e.detail.as_deref() == Some("session_idle")),
        "{events:?}"
    );
}

/// The audit rows of `action` with `outcome`, newest first.
fn audit(app: &TestApp, action: &str, outcome: &str) -> Vec<AuditEventRow> {
    let mut conn = app.db.get().expect("connection");
    let filter = server::db::repo::audit::Filter {
        action: Some(action.to_owned()),
        ..Default::default()
    };
    server::db::repo::audit::page(&mut conn, &filter, 500)
        .expect("audit")
        .into_iter()
        .filter(|e| e.outcome == outcome)
        .collect()
}

async fn logout_needs_only_the_refresh_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.fixture().user("ines", PW, Role::Inspector, &[]);
    app.fixture().user("rik", PW, Role::Inspector, &[]);
    let t = app.login("ines", PW).await;
    // Someone else's live access token cannot end this session.
    let rik = app.login("rik", PW).await;
    let res = app
        .send(
            Method::POST,
            "/api/auth/logout",
            Some(&rik.access_token),
            Some(&json!({ "refresh_token": t.refresh_token })),
        )
        .await;
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    // No access token (it expired while the tablet sat idle): the refresh token is enough.
    let res = app
        .post(
            "/api/auth/logout",
            &json!({ "refresh_token": t.refresh_token }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.refresh(&t.refresh_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    assert_error(
        app.get("/api/enclaves", &t.access_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    // A forged refresh token ends nothing.
    let res = app
        .post("/api/auth/logout", &json!({ "refresh_token": "not.a.jwt" }))
        .await;
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_eq!(
        app.get("/api/enclaves", &rik.access_token).await.status(),
        StatusCode::OK
    );
    let events = audit(&app, "logout", "success");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].actor_username.as_deref(), Some("ines"));
}

async fn tokens_name_their_key(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.fixture().user("ines", PW, Role::Inspector, &[]);
    let t = app.login("ines", PW).await;
    let configured = SigningKey::from_secret(TEST_JWT_SECRET).kid;
    assert_eq!(kid(&t.access_token), configured);
    assert_eq!(kid(&t.refresh_token), configured);
    assert_eq!(part(&t.access_token, 0)["alg"], "HS256");
}

async fn a_rotated_key_signs_from_then_on_and_the_old_one_still_verifies(backend: Backend) {
    // The keys live in the database, as in production without JWT_SECRET.
    let app = TestApp::spawn_with(backend, |c| c.jwt_secret = None).await;
    let other = app.another_instance(|c| c.jwt_secret = None).await;
    app.fixture().user("ines", PW, Role::Inspector, &[]);
    let before = app.login("ines", PW).await;
    let old_kid = kid(&before.access_token);
    assert_eq!(kid(&other.login("ines", PW).await.access_token), old_kid);

    let config = server::config::Config::new(app.database_url());
    let mut conn = app.db.get().expect("connection");
    let rotation = server::auth::keys::rotate(&mut conn, &config).expect("rotate");
    drop(conn);
    assert_ne!(rotation.new_kid, old_kid);
    assert!(rotation.dropped.is_empty(), "{rotation:?}");

    // Tokens of the old key still verify, on both instances.
    for instance in [&app, &other] {
        assert_eq!(
            instance
                .get("/api/enclaves", &before.access_token)
                .await
                .status(),
            StatusCode::OK
        );
    }
    // Every instance signs with the new key from its next login or refresh on…
    let after = refreshed(&other, &before.refresh_token).await;
    assert_eq!(kid(&after.access_token), rotation.new_kid);
    assert_eq!(kid(&after.refresh_token), rotation.new_kid);
    // …and one that has not signed with it yet reads it when a token names it.
    assert_eq!(
        app.get("/api/enclaves", &after.access_token).await.status(),
        StatusCode::OK
    );
    let refreshed_there = refreshed(&app, &after.refresh_token).await;
    assert_eq!(kid(&refreshed_there.access_token), rotation.new_kid);
    assert_eq!(
        kid(&app.login("ines", PW).await.access_token),
        rotation.new_kid
    );

    // With the key given by the operator there is nothing to rotate.
    let mut fixed = server::config::Config::new(app.database_url());
    fixed.jwt_secret = Some(TEST_JWT_SECRET.into());
    let mut conn = app.db.get().expect("connection");
    let refused = server::auth::keys::rotate(&mut conn, &fixed).expect_err("fixed key");
    assert!(refused.contains("JWT_SECRET"), "{refused}");
}
