//! Login throttling behind a reverse proxy (`TRUSTED_PROXIES`, clients named by
//! `X-Forwarded-For`): failures from one client never lock the user out from another, parallel
//! failures cannot outrun the limits, spraying usernames from one client is stopped, and the
//! audit trail names the forwarded client. And heavy reads go one at a time per user: a burst
//! slows only the user who sends it.

use reqwest::{Response, StatusCode};
use serde_json::json;
use shared::dto::audit::AuditEvent;
use shared::dto::auth::Role;
use tests::{Backend, TestApp, assert_error, json, on_both_backends};

on_both_backends!(
    failures_from_one_client_never_lock_the_user_out_from_another,
    parallel_failures_cannot_outrun_the_limit,
    spraying_usernames_from_one_client_hits_its_limit,
    a_forwarded_address_from_an_untrusted_peer_is_ignored,
    a_burst_of_heavy_reads_slows_only_its_user,
);

const PW: &str = "a-long-test-password";

/// A server behind a proxy on 127.0.0.1 (the test client), with the users `ines` and `admin`.
async fn app_behind_proxy(
    backend: Backend,
    adjust: impl FnOnce(&mut server::config::Config),
) -> TestApp {
    let app = TestApp::spawn_with(backend, |c| {
        c.trusted_proxies = server::config::parse_networks("127.0.0.1/32").unwrap();
        adjust(c);
    })
    .await;
    let f = app.fixture();
    f.user("ines", PW, Role::Inspector, &[]);
    f.user("admin", PW, Role::Admin, &[]);
    app
}

/// A login attempt that the proxy forwards for `client` (after an entry the client forged).
async fn login_from(app: &TestApp, client: &str, username: &str, password: &str) -> Response {
    forwarded_login(&app.client, &app.base_url, client, username, password).await
}

async fn forwarded_login(
    http: &reqwest::Client,
    base_url: &str,
    client: &str,
    username: &str,
    password: &str,
) -> Response {
    http.post(format!("{base_url}/api/auth/login"))
        .header("X-Forwarded-For", format!("203.0.113.66, {client}"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("request sent")
}

/// `Retry-After` in seconds; panics unless the answer is a 429 that carries one.
fn retry_after(res: &Response) -> u64 {
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    res.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds")
}

/// The audit trail as the admin reads it (logging in from `client`).
async fn audit(app: &TestApp, client: &str) -> Vec<AuditEvent> {
    let res = login_from(app, client, "admin", PW).await;
    let admin: shared::dto::auth::TokenResponse = json(res, StatusCode::OK).await;
    json(
        app.get("/api/audit?action=login&limit=500", &admin.access_token)
            .await,
        StatusCode::OK,
    )
    .await
}

async fn failures_from_one_client_never_lock_the_user_out_from_another(backend: Backend) {
    // A first wait longer than the test, so which attempts are refused does not depend on
    // how fast the machine hashes.
    let app = app_behind_proxy(backend, |c| c.login_limits.first_backoff_secs = 600).await;
    let attacker = "198.51.100.1";
    let (mut refused, mut wrong) = (0, 0);
    for _ in 0..25 {
        let res = login_from(&app, attacker, "ines", "wrong password!").await;
        match res.status() {
            StatusCode::UNAUTHORIZED => wrong += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(retry_after(&res) >= 1);
                assert_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
                refused += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((wrong, refused), (5, 20), "five checked, then the back-off");

    // The right password from the inspector's own tablet gets in at once.
    let res = login_from(&app, "198.51.100.2", "ines", PW).await;
    let tokens: shared::dto::auth::TokenResponse = json(res, StatusCode::OK).await;
    assert_eq!(tokens.user.username, "ines");

    // The audit trail names the forwarded clients, never the proxy or the forged entry.
    let events = audit(&app, "198.51.100.3").await;
    let of = |client: &str, outcome: &str| {
        events
            .iter()
            .filter(|e| e.client == client && e.outcome == outcome)
            .count()
    };
    assert_eq!(of(attacker, "failure"), wrong, "{events:#?}");
    assert_eq!(of(attacker, "rate_limited"), refused);
    assert_eq!(of("198.51.100.2", "success"), 1);
    assert!(
        events
            .iter()
            .all(|e| e.client != "127.0.0.1" && e.client != "203.0.113.66"),
        "{events:#?}"
    );
}

async fn parallel_failures_cannot_outrun_the_limit(backend: Backend) {
    const LIMIT: i64 = 10;
    let app = app_behind_proxy(backend, |c| {
        c.login_limits.failures_per_client = LIMIT;
        c.db_max_connections = 8;
    })
    .await;
    let attempts: Vec<_> = (0..80)
        .map(|_| {
            let (http, base_url) = (app.client.clone(), app.base_url.clone());
            tokio::spawn(async move {
                forwarded_login(&http, &base_url, "198.51.100.9", "ines", "wrong password!").await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for attempt in attempts {
        answers.push(attempt.await.expect("attempt"));
    }
    let wrong = answers
        .iter()
        .filter(|r| r.status() == StatusCode::UNAUTHORIZED)
        .count();
    let refused: Vec<&Response> = answers
        .iter()
        .filter(|r| r.status() == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(wrong + refused.len(), 80, "only 401 and 429");
    assert!(
        (1..=LIMIT as usize).contains(&wrong),
        "at most the client's limit of {LIMIT} passwords were checked, not {wrong}"
    );
    assert!(refused.iter().all(|r| retry_after(r) >= 1));
    // Another client is not affected.
    let res = login_from(&app, "198.51.100.10", "ines", PW).await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn spraying_usernames_from_one_client_hits_its_limit(backend: Backend) {
    let app = app_behind_proxy(backend, |_| {}).await;
    let sprayer = "198.51.100.20";
    let limit = server::config::Config::new("unused").login_limits;
    for i in 0..limit.failures_per_client {
        let res = login_from(&app, sprayer, &format!("user{i}"), "Welkom2026!").await;
        assert_error(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    // The next username from there is refused, even the right password of a real one, for
    // about the window (the oldest failure ages out then).
    for (username, password) in [("someone-else", "Welkom2026!"), ("ines", PW)] {
        let res = login_from(&app, sprayer, username, password).await;
        let wait = retry_after(&res);
        assert!(
            (1..=limit.window_secs as u64).contains(&wait) && wait > 60,
            "Retry-After {wait}"
        );
        assert_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    }
    // Everyone else logs in.
    let res = login_from(&app, "198.51.100.21", "ines", PW).await;
    assert_eq!(res.status(), StatusCode::OK);
    let events = audit(&app, "198.51.100.22").await;
    assert!(events.iter().any(|e| {
        e.client == sprayer
            && e.outcome == "rate_limited"
            && e.detail
                .as_deref()
                .is_some_and(|d| d.contains("limit client"))
    }));
}

async fn a_forwarded_address_from_an_untrusted_peer_is_ignored(backend: Backend) {
    // No trusted proxies: anyone can write X-Forwarded-For, so it names nobody.
    let app = app_behind_proxy(backend, |c| c.trusted_proxies.clear()).await;
    let res = login_from(&app, "198.51.100.30", "ines", "wrong password!").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let events = audit(&app, "198.51.100.31").await;
    assert!(!events.is_empty());
    assert!(
        events.iter().all(|e| e.client == "127.0.0.1"),
        "{events:#?}"
    );
}

/// Heavy reads (the planning, its facts, the reports, the register's export) are computed one
/// at a time per user, with a few waiting (`server::heavy`): a burst of one user's requests is
/// answered 200 or 429 `rate_limited` with `Retry-After` (never a 500, never a hang), at
/// least the one under way and the waiting ones are answered, another user meanwhile is not
/// refused, and after the burst the user reads again (every turn was given back).
async fn a_burst_of_heavy_reads_slows_only_its_user(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    for i in 0..20 {
        f.simple_enclave(&format!("Gastbedrijf {i}"));
    }
    let ines = app.inspector().await;
    let rita = app.reviewer().await;
    let burst: Vec<_> = (0..12)
        .map(|_| {
            let ines = ines.clone();
            tokio::spawn(async move { ines.get("/api/planning/facts").await })
        })
        .collect();
    let other = rita.get("/api/planning").await;
    assert_eq!(
        other.status(),
        StatusCode::OK,
        "another user is not refused"
    );
    let mut answered = 0;
    for request in burst {
        let res = request.await.expect("a request");
        match res.status() {
            StatusCode::OK => answered += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(
                    retry_after(&res),
                    u64::from(server::heavy::RETRY_AFTER_SECS)
                );
                assert_error(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
            }
            status => panic!("only 200 and 429, not {status}"),
        }
    }
    assert!(
        answered > server::heavy::WAITING,
        "the read under way and the {} waiting are answered, not only {answered}",
        server::heavy::WAITING
    );
    for _ in 0..3 {
        let res = ines.get("/api/planning/facts").await;
        assert_eq!(res.status(), StatusCode::OK, "every turn was given back");
    }
}
