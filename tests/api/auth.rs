//! Login, tokens (expiry, forged keys, `alg: none`, audience, type confusion), refresh
//! rotation and reuse, logout, roles, the login rate limit and the audit trail.

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use jsonwebtoken::{EncodingKey, Header, encode};
use reqwest::{Method, StatusCode};
use serde_json::json;
use server::routes::ROUTES;
use shared::dto::audit::AuditEvent;
use shared::dto::auth::{Role, TokenResponse};
use tests::{Backend, TEST_JWT_SECRET, TestApp, assert_error, json, on_both_backends};

on_both_backends!(
    login_succeeds_and_wrong_credentials_fail,
    forged_and_expired_tokens_are_refused,
    token_types_are_not_interchangeable,
    refresh_rotates_and_reuse_revokes_the_family,
    a_lost_refresh_answer_is_given_again,
    reuse_after_the_grace_window_revokes,
    logout_ends_the_session,
    roles_are_checked_per_route,
    logins_are_rate_limited,
    every_auth_event_is_audited,
);

const PW: &str = "a-long-test-password";

async fn app_with_users(backend: Backend) -> TestApp {
    app_with_users_and(backend, |_| {}).await
}

/// With `adjust` applied to the configuration.
async fn app_with_users_and(
    backend: Backend,
    adjust: impl FnOnce(&mut server::config::Config),
) -> TestApp {
    let app = TestApp::spawn_with(backend, adjust).await;
    let f = app.fixture();
    f.user("ines", PW, Role::Inspector, &[]);
    f.user("admin", PW, Role::Admin, &[]);
    app
}

async fn login_succeeds_and_wrong_credentials_fail(backend: Backend) {
    let app = app_with_users(backend).await;
    let tokens = app.login("Ines", PW).await;
    assert_eq!(tokens.user.username, "ines");
    assert_eq!(tokens.user.role, Role::Inspector);
    assert_eq!(tokens.token_type, "Bearer");
    assert!(tokens.expires_in > 0 && tokens.expires_in <= 900);
    let res = app.get("/api/enclaves", &tokens.access_token).await;
    assert_eq!(res.status(), StatusCode::OK);

    assert_error(
        app.try_login("ines", "wrong password!").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert_error(
        app.try_login("nobody", PW).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    // No token, a malformed header, garbage token.
    let res = app
        .send::<()>(Method::GET, "/api/enclaves", None, None)
        .await;
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_error(
        app.get("/api/enclaves", "not.a.jwt").await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    // Bad JSON is a clear 4xx, not a panic.
    let res = app
        .client
        .post(format!("{}/api/auth/login", app.base_url))
        .header("content-type", "application/json")
        .body("{\"username\": 3")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
}

fn claims(user_id: &str, sid: &str, typ: &str, aud: &str, exp: i64) -> serde_json::Value {
    json!({
        "iss": "enclave-inspect", "aud": aud, "sub": user_id, "exp": exp,
        "iat": Utc::now().timestamp(), "jti": "j", "sid": sid, "typ": typ,
    })
}

fn sign(claims: &serde_json::Value, secret: &[u8]) -> String {
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

/// Reads the session id out of a token the server issued.
fn session_of(token: &str) -> String {
    let payload = token.split('.').nth(1).unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    v["sid"].as_str().unwrap().to_owned()
}

async fn forged_and_expired_tokens_are_refused(backend: Backend) {
    let app = app_with_users(backend).await;
    let t = app.login("ines", PW).await;
    let uid = t.user.id.to_string();
    let sid = session_of(&t.access_token);
    let aud = "enclave-inspect-api";
    let later = (Utc::now() + Duration::minutes(5)).timestamp();

    // Control: a token we sign with the right key and claims is accepted.
    let good = sign(
        &claims(&uid, &sid, "access", aud, later),
        TEST_JWT_SECRET.as_bytes(),
    );
    assert_eq!(
        app.get("/api/enclaves", &good).await.status(),
        StatusCode::OK
    );

    // Expired beyond the 30 s leeway.
    let expired = sign(
        &claims(
            &uid,
            &sid,
            "access",
            aud,
            (Utc::now() - Duration::seconds(90)).timestamp(),
        ),
        TEST_JWT_SECRET.as_bytes(),
    );
    assert_error(
        app.get("/api/enclaves", &expired).await,
        StatusCode::UNAUTHORIZED,
        "token_expired",
    )
    .await;

    // Signed with another key.
    let other = sign(
        &claims(&uid, &sid, "access", aud, later),
        b"some-other-secret-some-other-secret!!",
    );
    assert_error(
        app.get("/api/enclaves", &other).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;

    // alg: none, unsigned.
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims(&uid, &sid, "access", aud, later).to_string());
    let none = format!("{header}.{body}.");
    assert_error(
        app.get("/api/enclaves", &none).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;

    // Another algorithm with the same secret (HS512).
    let hs512 = encode(
        &Header::new(jsonwebtoken::Algorithm::HS512),
        &claims(&uid, &sid, "access", aud, later),
        &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
    )
    .unwrap();
    assert_error(
        app.get("/api/enclaves", &hs512).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;

    // Wrong audience.
    let wrong_aud = sign(
        &claims(&uid, &sid, "access", "someone-else", later),
        TEST_JWT_SECRET.as_bytes(),
    );
    assert_error(
        app.get("/api/enclaves", &wrong_aud).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;

    // A valid signature for a session that does not exist.
    let ghost = sign(
        &claims(&uid, "no-such-session", "access", aud, later),
        TEST_JWT_SECRET.as_bytes(),
    );
    assert_error(
        app.get("/api/enclaves", &ghost).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
}

async fn token_types_are_not_interchangeable(backend: Backend) {
    let app = app_with_users(backend).await;
    let t = app.login("ines", PW).await;
    // A refresh token is not an access token.
    assert_error(
        app.get("/api/enclaves", &t.refresh_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    // An access token is not a refresh token.
    let res = app.refresh(&t.access_token).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    // The refresh token still works afterwards.
    let res = app.refresh(&t.refresh_token).await;
    let _: TokenResponse = json(res, StatusCode::OK).await;
}

/// A refresh answer lost on a bad link: the tablet presents the same refresh token again and
/// gets exactly the pair it missed (also two at once, as from two tabs); once that pair's
/// refresh token has been used, the old one is a reuse again and revokes the session.
async fn a_lost_refresh_answer_is_given_again(backend: Backend) {
    let app = app_with_users(backend).await;
    let first = app.login("ines", PW).await;
    let lost: TokenResponse = json(app.refresh(&first.refresh_token).await, StatusCode::OK).await;
    let (again, together) = tokio::join!(
        app.refresh(&first.refresh_token),
        app.refresh(&first.refresh_token)
    );
    for res in [again, together] {
        let repeated: TokenResponse = json(res, StatusCode::OK).await;
        assert_eq!(repeated.access_token, lost.access_token);
        assert_eq!(repeated.refresh_token, lost.refresh_token);
        assert_eq!(repeated.expires_at, lost.expires_at);
        assert_eq!(repeated.refresh_expires_at, lost.refresh_expires_at);
    }
    assert_eq!(
        app.get("/api/sync/pull", &lost.access_token).await.status(),
        StatusCode::OK
    );
    // The missed pair goes on rotating as usual...
    let next: TokenResponse = json(app.refresh(&lost.refresh_token).await, StatusCode::OK).await;
    assert_ne!(next.refresh_token, lost.refresh_token);
    // ...and now the first token is a reuse: the session ends.
    let res = app.refresh(&first.refresh_token).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let res = app.refresh(&next.refresh_token).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
}

/// After the grace window a used refresh token revokes the session, as before.
async fn reuse_after_the_grace_window_revokes(backend: Backend) {
    let app = app_with_users_and(backend, |c| c.refresh_grace_secs = 1).await;
    let first = app.login("ines", PW).await;
    let second: TokenResponse = json(app.refresh(&first.refresh_token).await, StatusCode::OK).await;
    // The window is a span of real time: wait it out.
    tokio::time::sleep(std::time::Duration::from_millis(2_200)).await;
    let res = app.refresh(&first.refresh_token).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let res = app.refresh(&second.refresh_token).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
}

/// Without a grace window (`REFRESH_GRACE_SECS=0`) any reuse revokes at once.
async fn refresh_rotates_and_reuse_revokes_the_family(backend: Backend) {
    let app = app_with_users_and(backend, |c| c.refresh_grace_secs = 0).await;
    let first = app.login("ines", PW).await;
    let second: TokenResponse = json(app.refresh(&first.refresh_token).await, StatusCode::OK).await;
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(
        app.get("/api/enclaves", &second.access_token)
            .await
            .status(),
        StatusCode::OK
    );

    // The first refresh token was used: presenting it again is reuse.
    let res = app.refresh(&first.refresh_token).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    // ...which revokes the whole family: the newest refresh token and the access token die.
    let res = app.refresh(&second.refresh_token).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    assert_error(
        app.get("/api/enclaves", &second.access_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;

    // Another session of the same user is unaffected.
    let other = app.login("ines", PW).await;
    assert_eq!(
        app.get("/api/enclaves", &other.access_token).await.status(),
        StatusCode::OK
    );
}

async fn logout_ends_the_session(backend: Backend) {
    let app = app_with_users(backend).await;
    let t = app.login("ines", PW).await;
    let res = app
        .send(
            Method::POST,
            "/api/auth/logout",
            Some(&t.access_token),
            Some(&json!({ "refresh_token": t.refresh_token })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get("/api/enclaves", &t.access_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    let res = app.refresh(&t.refresh_token).await;
    assert_error(res, StatusCode::UNAUTHORIZED, "invalid_token").await;
    // Logging out again changes nothing (the refresh token alone is enough: `sessions.rs`).
    let res = app
        .post(
            "/api/auth/logout",
            &json!({ "refresh_token": t.refresh_token }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

async fn roles_are_checked_per_route(backend: Backend) {
    let app = app_with_users(backend).await;
    let inspector = app.login("ines", PW).await;
    let admin = app.login("admin", PW).await;
    assert_error(
        app.get("/api/audit", &inspector.access_token).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_eq!(
        app.get("/api/audit", &admin.access_token).await.status(),
        StatusCode::OK
    );
    // The OpenAPI document needs a token too, and lists the routes: all of them.
    let res = app
        .send::<()>(Method::GET, "/api/openapi.json", None, None)
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let doc: serde_json::Value = json(
        app.get("/api/openapi.json", &inspector.access_token).await,
        StatusCode::OK,
    )
    .await;
    // Every route of the server's table is documented, and the document lists no other.
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|op| (op.path.to_owned(), op.method.as_str().to_lowercase()))
        .collect();
    for (path, method) in &routed {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} missing from OpenAPI"
        );
    }
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            let methods = item.as_object().expect("operations").keys();
            methods.map(move |method| (path.clone(), method.clone()))
        })
        .collect();
    assert_eq!(
        documented.difference(&routed).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "documented but not routed"
    );
    // Unknown API paths are JSON 404s, not the app shell.
    assert_error(
        app.get("/api/nope", &inspector.access_token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn logins_are_rate_limited(backend: Backend) {
    let app = app_with_users_and(backend, |c| c.login_limits.first_backoff_secs = 60).await;
    for _ in 0..5 {
        assert_error(
            app.try_login("ines", "wrong password!").await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        )
        .await;
    }
    // Beyond five failures the next attempt from this client waits, even with the right
    // password, and is told how long.
    let res = app.try_login("ines", PW).await;
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Another user from the same client is not limited (the per-client limit is higher).
    let _ = app.login("admin", PW).await;
}

async fn every_auth_event_is_audited(backend: Backend) {
    let app = app_with_users_and(backend, |c| c.refresh_grace_secs = 0).await;
    let _ = app.try_login("ines", "wrong password!").await;
    let t = app.login("ines", PW).await;
    let t2: TokenResponse = json(app.refresh(&t.refresh_token).await, StatusCode::OK).await;
    let _ = app.refresh(&t.refresh_token).await;
    let res = app
        .send(
            Method::POST,
            "/api/auth/logout",
            Some(&t.access_token),
            Some(&json!({ "refresh_token": t2.refresh_token })),
        )
        .await;
    // The session was revoked by the reuse: its access token counts for nothing, and ending
    // the session with its refresh token again changes nothing.
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.refresh(&t2.refresh_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    let admin = app.login("admin", PW).await;
    let events: Vec<AuditEvent> = json(
        app.get("/api/audit?limit=500", &admin.access_token).await,
        StatusCode::OK,
    )
    .await;
    let has = |action: &str, outcome: &str, user: Option<&str>| {
        events.iter().any(|e| {
            e.action == action
                && e.outcome == outcome
                && (user.is_none() || e.actor_username.as_deref() == user)
        })
    };
    assert!(has("login", "failure", Some("ines")), "{events:#?}");
    assert!(has("login", "success", Some("ines")));
    assert!(has("refresh", "success", Some("ines")));
    assert!(events.iter().any(|e| e.action == "refresh"
        && e.outcome == "failure"
        && e.detail.as_deref() == Some("reuse_detected")));
    assert!(events.iter().all(|e| e.client == "127.0.0.1"));
    assert!(
        events
            .windows(2)
            .all(|w| w[0].occurred_at >= w[1].occurred_at),
        "newest first"
    );
    let only_logins: Vec<AuditEvent> = json(
        app.get("/api/audit?action=login", &admin.access_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(!only_logins.is_empty() && only_logins.iter().all(|e| e.action == "login"));
    // Logout is audited too.
    let t3 = app.login("ines", PW).await;
    let res = app
        .send(
            Method::POST,
            "/api/auth/logout",
            Some(&t3.access_token),
            Some(&json!({ "refresh_token": t3.refresh_token })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let events: Vec<AuditEvent> = json(
        app.get("/api/audit?action=logout", &admin.access_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(events.len(), 2);
    assert!(
        events
            .iter()
            .all(|e| e.actor_username.as_deref() == Some("ines"))
    );
}
