//! Accounts managed: the `enclave-inspect user …` commands (run as the binary runs them, on
//! the test server's database, while the server runs) and the admins' `/api/accounts`
//! routes — disable, enable, password reset with the must-change flow, role and provinces,
//! ending sessions, the last-admin guard — each with its audit row, and a disabled user's
//! live access token refused within the session cache's time.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;
use server::cli::{self, UserCommand, UserSet, Username};
use shared::dto::audit::AuditEvent;
use shared::dto::auth::{Account, AccountChange, Role, TokenResponse};
use shared::dto::enclave::Province;
use tests::{Backend, TestApp, assert_error, json, on_both_backends};

on_both_backends!(
    the_cli_manages_accounts_with_an_audit_row_each,
    admins_manage_accounts_through_the_api,
    a_password_set_by_someone_else_must_be_changed_first,
);

const PW: &str = "a-long-test-password";
/// The session cache's time-to-live the servers run with here (the default).
const CACHE_TTL: Duration = Duration::from_millis(2000);
/// How long past the cache's time a revoked token may still pass on a loaded machine.
const MARGIN: Duration = Duration::from_secs(8);

async fn app_with_users(backend: Backend) -> TestApp {
    let app = TestApp::spawn_with(backend, |c| c.session_cache_ttl = CACHE_TTL).await;
    let f = app.fixture();
    f.user("ines", PW, Role::Inspector, &[Province::Limburg]);
    f.user("admin", PW, Role::Admin, &[]);
    app
}

/// Runs `enclave-inspect user …` on the app's database with `stdin`; its output, or its error.
async fn user_cli(app: &TestApp, command: UserCommand, stdin: &str) -> Result<String, String> {
    let (db, stdin) = (app.db.clone(), stdin.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        cli::run(&db, command, &mut stdin.as_bytes(), &mut out)
            .map(|()| String::from_utf8(out).expect("UTF-8 output"))
    })
    .await
    .expect("CLI task")
}

fn username(name: &str) -> Username {
    Username {
        username: name.into(),
    }
}

/// Polls with `token` until the server refuses it (401); panics if it still works after
/// `within`. Returns how long it took.
async fn refused_within(app: &TestApp, token: &str, within: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let res = app.get("/api/users/me", token).await;
        if res.status() == StatusCode::UNAUTHORIZED {
            let body: serde_json::Value = res.json().await.unwrap();
            assert_eq!(body["error"]["code"], "invalid_token", "{body}");
            return start.elapsed();
        }
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            start.elapsed() < within,
            "the token still works after {:?}",
            start.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The newest audit events of `action`, as the admin reads them.
async fn audit(app: &TestApp, admin: &str, action: &str) -> Vec<AuditEvent> {
    json(
        app.get(&format!("/api/audit?action={action}"), admin).await,
        StatusCode::OK,
    )
    .await
}

async fn the_cli_manages_accounts_with_an_audit_row_each(backend: Backend) {
    let app = app_with_users(backend).await;
    let ines = app.login("ines", PW).await;
    let admin = app.login("admin", PW).await.access_token;

    // list: every account with role, status and provinces.
    let list = user_cli(&app, UserCommand::List, "").await.unwrap();
    let line = |name: &str| {
        list.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {list}"))
            .to_owned()
    };
    assert!(line("ines").contains("inspector") && line("ines").contains("active"));
    assert!(line("ines").contains("limburg"), "{list}");
    assert!(line("admin").contains("admin") && line("admin").contains("all"));

    // disable: the live token stops working within the cache's time, logins are refused.
    let out = user_cli(&app, UserCommand::Disable(username("Ines")), "")
        .await
        .unwrap();
    assert!(out.contains("1 sessions ended"), "{out}");
    refused_within(&app, &ines.access_token, CACHE_TTL + MARGIN).await;
    assert_error(
        app.refresh(&ines.refresh_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    assert_error(
        app.try_login("ines", PW).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let list = user_cli(&app, UserCommand::List, "").await.unwrap();
    assert!(
        list.lines()
            .any(|l| l.starts_with("ines") && l.contains("disabled")),
        "{list}"
    );
    let events = audit(&app, &admin, "account_disable").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor_username.as_deref(), Some("cli"));
    assert_eq!(events[0].client, "cli");
    assert_eq!(events[0].object_type.as_deref(), Some("user"));
    assert_eq!(
        events[0].object_id.as_deref(),
        Some(ines.user.id.to_string().as_str())
    );

    // enable: the old password works again.
    user_cli(&app, UserCommand::Enable(username("ines")), "")
        .await
        .unwrap();
    let ines = app.login("ines", PW).await;
    assert!(!ines.must_change_password);
    assert_eq!(audit(&app, &admin, "account_enable").await.len(), 1);

    // password: from standard input, strength-checked; must be changed at the next login.
    let weak = user_cli(&app, UserCommand::Password(username("ines")), "short\n").await;
    assert!(weak.unwrap_err().contains("at least 10 characters"));
    user_cli(
        &app,
        UserCommand::Password(username("ines")),
        "a-new-long-password\n",
    )
    .await
    .unwrap();
    refused_within(&app, &ines.access_token, CACHE_TTL + MARGIN).await;
    assert_error(
        app.try_login("ines", PW).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let ines = app.login("ines", "a-new-long-password").await;
    assert!(ines.must_change_password);
    assert_error(
        app.get("/api/enclaves?q=x", &ines.access_token).await,
        StatusCode::FORBIDDEN,
        "password_change_required",
    )
    .await;
    assert_eq!(audit(&app, &admin, "account_password_reset").await.len(), 1);

    // set: role and provinces change, and the sessions end.
    let ines = {
        let res = app
            .send(
                Method::POST,
                "/api/auth/password",
                Some(&ines.access_token),
                Some(&json!({"current": "a-new-long-password", "new": PW})),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        app.login("ines", PW).await
    };
    user_cli(
        &app,
        UserCommand::Set(UserSet {
            username: "ines".into(),
            role: Some(Role::Reviewer),
            provinces: vec![Province::Antwerpen, Province::Limburg],
            all_provinces: false,
        }),
        "",
    )
    .await
    .unwrap();
    refused_within(&app, &ines.access_token, CACHE_TTL + MARGIN).await;
    let ines = app.login("ines", PW).await;
    assert_eq!(ines.user.role, Role::Reviewer);
    assert_eq!(
        ines.user.provinces,
        vec![Province::Antwerpen, Province::Limburg]
    );
    let update = audit(&app, &admin, "account_update").await;
    assert_eq!(update.len(), 1);
    let detail = update[0].detail.as_deref().unwrap();
    assert!(
        // The session that changed the password and the one after it.
        detail.contains("role inspector -> reviewer") && detail.contains("2 sessions ended"),
        "{detail}"
    );

    // revoke: every session of the user ends; the account stays active.
    let second = app.login("ines", PW).await;
    let out = user_cli(&app, UserCommand::Revoke(username("ines")), "")
        .await
        .unwrap();
    assert!(out.contains("2 sessions ended"), "{out}");
    refused_within(&app, &ines.access_token, CACHE_TTL + MARGIN).await;
    refused_within(&app, &second.access_token, CACHE_TTL + MARGIN).await;
    assert_error(
        app.refresh(&second.refresh_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    app.login("ines", PW).await;
    assert_eq!(
        audit(&app, &admin, "account_sessions_revoke").await.len(),
        1
    );

    // The last active admin can be neither disabled nor demoted; an unknown user is named.
    let err = user_cli(&app, UserCommand::Disable(username("admin")), "").await;
    assert!(err.unwrap_err().contains("last active admin"));
    let err = user_cli(
        &app,
        UserCommand::Set(UserSet {
            username: "admin".into(),
            role: Some(Role::Inspector),
            provinces: vec![],
            all_provinces: false,
        }),
        "",
    )
    .await;
    assert!(err.unwrap_err().contains("last active admin"));
    let err = user_cli(&app, UserCommand::Revoke(username("nobody")), "").await;
    assert_eq!(err.unwrap_err(), "User not found.");
    let err = user_cli(&app, UserCommand::Password(username("nobody")), "").await;
    assert_eq!(err.unwrap_err(), "User not found.");
    // Refused changes leave no trace but their refusal: the admin is still an active admin.
    app.login("admin", PW).await;
    assert_eq!(audit(&app, &admin, "account_disable").await.len(), 1);
}

async fn admins_manage_accounts_through_the_api(backend: Backend) {
    let app = app_with_users(backend).await;
    app.fixture().user("beheer", PW, Role::Admin, &[]);
    let admin = app.login("admin", PW).await;
    let token = admin.access_token.as_str();
    let ines = app.login("ines", PW).await;
    let ines_id = ines.user.id.to_string();

    // Only admins manage accounts.
    assert_error(
        app.get("/api/accounts", &ines.access_token).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let post = |path: String, token: String| {
        let app = &app;
        async move {
            app.send::<()>(Method::POST, &path, Some(&token), None)
                .await
        }
    };
    assert_error(
        post(
            format!("/api/accounts/{ines_id}/disable"),
            ines.access_token.clone(),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    let accounts: Vec<Account> = json(app.get("/api/accounts", token).await, StatusCode::OK).await;
    let ines_account = accounts.iter().find(|a| a.username == "ines").unwrap();
    assert!(ines_account.active && !ines_account.must_change_password);
    assert!(ines_account.last_login_at.is_some());
    assert!(
        accounts
            .iter()
            .find(|a| a.username == "beheer")
            .unwrap()
            .last_login_at
            .is_none()
    );

    // Disable: the live token is refused at once on this instance, within the cache's time on
    // another one that had just verified it.
    let other = app
        .another_instance(|c| c.session_cache_ttl = CACHE_TTL)
        .await;
    assert_eq!(
        other
            .get("/api/users/me", &ines.access_token)
            .await
            .status(),
        StatusCode::OK
    );
    let change: AccountChange = json(
        post(format!("/api/accounts/{ines_id}/disable"), token.into()).await,
        StatusCode::OK,
    )
    .await;
    assert!(!change.account.active);
    assert_eq!(change.sessions_ended, 1);
    assert_error(
        app.get("/api/users/me", &ines.access_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    refused_within(&other, &ines.access_token, CACHE_TTL + MARGIN).await;
    assert_error(
        app.try_login("ines", PW).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let change: AccountChange = json(
        post(format!("/api/accounts/{ines_id}/enable"), token.into()).await,
        StatusCode::OK,
    )
    .await;
    assert!(change.account.active);
    let ines = app.login("ines", PW).await;

    // Role and provinces: validated, applied, the sessions end.
    let patch = |body: serde_json::Value, id: String| {
        let app = &app;
        async move {
            app.send(
                Method::PATCH,
                &format!("/api/accounts/{id}"),
                Some(token),
                Some(&body),
            )
            .await
        }
    };
    assert_error(
        patch(json!({}), ines_id.clone()).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    let res = patch(json!({"role": "emperor"}), ines_id.clone()).await;
    assert!(res.status().is_client_error() && res.status() != StatusCode::NOT_FOUND);
    let change: AccountChange = json(
        patch(json!({"provinces": ["antwerpen"]}), ines_id.clone()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(change.account.provinces, vec![Province::Antwerpen]);
    assert_eq!(change.account.role, Role::Inspector);
    assert_eq!(change.sessions_ended, 1);
    assert_error(
        app.get("/api/users/me", &ines.access_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;

    // Revoke: every session, the account stays.
    let a = app.login("ines", PW).await;
    let b = app.login("ines", PW).await;
    let change: AccountChange = json(
        post(format!("/api/accounts/{ines_id}/revoke"), token.into()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(change.sessions_ended, 2);
    for t in [&a, &b] {
        assert_error(
            app.get("/api/users/me", &t.access_token).await,
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        )
        .await;
    }
    app.login("ines", PW).await;

    // Unknown and malformed ids.
    let unknown = uuid::Uuid::new_v4();
    assert_error(
        post(format!("/api/accounts/{unknown}/disable"), token.into()).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_error(
        post("/api/accounts/not-an-id/enable".into(), token.into()).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // No lock-out: not one's own account, never the last active admin.
    let admin_id = admin.user.id.to_string();
    assert_error(
        post(format!("/api/accounts/{admin_id}/disable"), token.into()).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let beheer = app.login("beheer", PW).await;
    let beheer_id = beheer.user.id.to_string();
    let change: AccountChange = json(
        patch(json!({"role": "reviewer"}), beheer_id.clone()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(change.account.role, Role::Reviewer);
    assert_error(
        patch(json!({"role": "inspector"}), admin_id.clone()).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    // Still an admin, still signed in.
    let me: serde_json::Value = json(app.get("/api/users/me", token).await, StatusCode::OK).await;
    assert_eq!(me["role"], "admin");

    // Every change is in the audit trail, with the admin as actor and the user as object.
    for (action, n) in [
        ("account_disable", 1),
        ("account_enable", 1),
        ("account_update", 2),
        ("account_sessions_revoke", 1),
    ] {
        let events = audit(&app, token, action).await;
        assert_eq!(events.len(), n, "{action}: {events:?}");
        for e in &events {
            assert_eq!(e.actor_id, Some(admin.user.id), "{action}");
            assert_eq!(e.actor_username.as_deref(), Some("admin"));
            assert_eq!(e.outcome, "success");
        }
    }
    let disabled = &audit(&app, token, "account_disable").await[0];
    assert_eq!(disabled.object_id.as_deref(), Some(ines_id.as_str()));
}

async fn a_password_set_by_someone_else_must_be_changed_first(backend: Backend) {
    let app = app_with_users(backend).await;
    let admin = app.login("admin", PW).await.access_token;
    let ines = app.login("ines", PW).await;
    let ines_id = ines.user.id;

    // The admin resets: the server makes a temporary password and shows it once.
    let change: AccountChange = json(
        app.send::<()>(
            Method::POST,
            &format!("/api/accounts/{ines_id}/password"),
            Some(&admin),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let temporary = change.temporary_password.expect("a temporary password");
    assert!(temporary.len() >= 16, "{temporary}");
    assert!(change.account.must_change_password);
    assert_eq!(change.sessions_ended, 1);
    let events = audit(&app, &admin, "account_password_reset").await;
    assert_eq!(events.len(), 1);
    assert!(
        !events[0]
            .detail
            .as_deref()
            .unwrap_or("")
            .contains(&temporary),
        "never in the audit trail"
    );
    assert_error(
        app.try_login("ines", PW).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;

    // The login succeeds and says so; everything but the change, logout and `me` is refused.
    let tokens: TokenResponse = app.login("ines", &temporary).await;
    assert!(tokens.must_change_password);
    let t = tokens.access_token.as_str();
    for path in [
        "/api/enclaves?q=gent",
        "/api/sync/pull?since=0",
        "/api/field/working-set",
    ] {
        assert_error(
            app.get(path, t).await,
            StatusCode::FORBIDDEN,
            "password_change_required",
        )
        .await;
    }
    assert_eq!(app.get("/api/users/me", t).await.status(), StatusCode::OK);
    // A refresh keeps the requirement.
    let refreshed: TokenResponse =
        json(app.refresh(&tokens.refresh_token).await, StatusCode::OK).await;
    assert!(refreshed.must_change_password);
    let t = refreshed.access_token.as_str();

    let change_to = |current: &str, new: &str| {
        let body = json!({"current": current, "new": new});
        let app = &app;
        async move {
            app.send(Method::POST, "/api/auth/password", Some(t), Some(&body))
                .await
        }
    };
    // Wrong current password, too short, unchanged: 400 each, and nothing changes.
    for (current, new) in [
        ("not the temporary one", "a-brand-new-password"),
        (temporary.as_str(), "short"),
        (temporary.as_str(), temporary.as_str()),
    ] {
        assert_error(
            change_to(current, new).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
    assert_error(
        app.get("/api/enclaves?q=gent", t).await,
        StatusCode::FORBIDDEN,
        "password_change_required",
    )
    .await;

    // Another session of hers, then the change: this session goes on, the other ends.
    let other = app.login("ines", &temporary).await;
    let res = change_to(&temporary, "a-brand-new-password").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/enclaves?q=gent", t).await.status(),
        StatusCode::OK
    );
    assert_error(
        app.get("/api/users/me", &other.access_token).await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
    assert_error(
        app.try_login("ines", &temporary).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let fresh = app.login("ines", "a-brand-new-password").await;
    assert!(!fresh.must_change_password);
    let accounts: Vec<Account> = json(app.get("/api/accounts", &admin).await, StatusCode::OK).await;
    assert!(
        !accounts
            .iter()
            .find(|a| a.username == "ines")
            .unwrap()
            .must_change_password
    );
    let events = audit(&app, &admin, "password_change").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor_id, Some(ines_id));
}
