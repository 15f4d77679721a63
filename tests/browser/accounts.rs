//! Accounts, managed from the Users page: an admin on a laptop disables an inspector while the
//! inspector's tablet (a second browser, 800×1280) holds an inspection it could not send yet.
//! The tablet notices within seconds that the server ended its session: it is signed out,
//! the service worker's stored API answers and the working set are gone, the unsent
//! inspection stays. Enabled again and signed in, the tablet sends it. On the way the Users
//! page passes axe and the 44-px check, on the laptop and on the tablet, with screenshots.

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use reqwest::StatusCode;
use shared::dto::auth::Role;
use tests::axe::audit;
use tests::driver::{Browser, TIMEOUT};
use tests::field::{
    conclude, finding_with_photos, prepare_for_the_field, start_inspection, tap, until_submitted,
};

use super::{PW, Scenario, USERNAME};

/// How long the tablet may take to notice the session ended: the app checks every 5 s; the
/// rest is margin for a loaded machine.
const NOTICED_WITHIN: Duration = Duration::from_secs(20);

/// A button of the account `username` on the Users page.
async fn account_button(b: &Browser, username: &str, name: &str) {
    let css =
        format!("[data-test=\"account\"][data-username=\"{username}\"] [data-test=\"{name}\"]");
    let result = b
        .client
        .wait()
        .at_most(TIMEOUT)
        .for_element(Locator::Css(&css))
        .await;
    let button = b.ok(&format!("waiting for {css}"), result).await;
    b.js(&format!(
        "document.querySelector('{}').scrollIntoView({{ block: 'center' }}); return true",
        css.replace('\'', "\\'")
    ))
    .await;
    b.ok(&format!("clicking {css}"), button.click().await).await;
}

/// Waits until the account `username` shows `status` on the Users page.
async fn until_status(b: &Browser, username: &str, status: &str) {
    let css = format!("[data-test=\"account\"][data-username=\"{username}\"]");
    b.until(&format!("{username} is {status}"), async || {
        let account = b.client.find(Locator::Css(&css)).await.ok()?;
        (account.attr("data-status").await.ok()??.as_str() == status).then_some(())
    })
    .await;
}

/// Whether the service worker's cache of API answers exists.
async fn api_cache_exists(b: &Browser) -> bool {
    b.js("return caches.has('ei-api-v1')").await == serde_json::Value::Bool(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_inspectors_tablet_is_signed_out_within_seconds_keeping_unsent_work() {
    let Some(tablet) = Browser::open().await else {
        return;
    };
    let Some(laptop) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    s.app.fixture().user("admin", PW, Role::Admin, &[]);
    let base = s.app.base_url.clone();
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"));

    // The tablet: prepared for the field, then an inspection the server does not get yet (its
    // pushes fail as on a dead link, while the rest of the API answers).
    tablet.set_viewport(800, 1280).await;
    prepare_for_the_field(&tablet, &base, USERNAME, PW).await;
    let path = start_inspection(&tablet, &base, &s.elegance).await;
    tablet
        .js("const send = window.fetch;
             window.fetch = function (input, init) {
                 const url = input instanceof Request ? input.url : String(input);
                 if (url.includes('/api/sync/push')) return Promise.reject(new TypeError('no network'));
                 return send.call(this, input, init);
             };
             return true")
        .await;
    finding_with_photos(&tablet, &[]).await;
    conclude(&tablet).await;
    tablet.click("submit").await;
    until_submitted(&tablet).await;
    tablet
        .until("the inspection waits to be sent", async || {
            let state = tablet.find("sync-indicator").await;
            (tablet.attr(&state, "data-state").await.as_deref() == Some("waiting")).then_some(())
        })
        .await;
    // An enclave page read online: the service worker keeps the answer (it names people).
    let status = tablet
        .js(&format!(
            "const s = JSON.parse(localStorage.getItem('ei.session'));
             return fetch('/api/enclaves/{}', {{ headers: {{ Authorization: 'Bearer ' + s.access_token }} }})
                 .then((r) => r.status)",
            s.elegance
        ))
        .await;
    assert_eq!(status, serde_json::json!(200));
    tablet
        .until(
            "the enclave page is in the service worker's cache",
            async || {
                let stored = tablet
                .js("return caches.open('ei-api-v1').then((c) => c.keys()).then((k) => k.length)")
                .await;
                (stored.as_u64() > Some(0)).then_some(())
            },
        )
        .await;

    // The laptop: the admin finds the Users page in the header.
    laptop.set_viewport(1366, 900).await;
    laptop.sign_in(&format!("{base}/login"), "admin", PW).await;
    laptop.click("nav-users").await;
    laptop.until_path("/users").await;
    until_status(&laptop, USERNAME, "active").await;
    let mut problems = Vec::new();
    audit(&laptop, "users (laptop)", &mut problems).await;
    laptop.screenshot(&shots.join("users-laptop.png")).await;

    // Disabling asks first; cancelled, nothing happens.
    account_button(&laptop, USERNAME, "account-disable").await;
    laptop.find("account-confirm").await;
    audit(&laptop, "users, confirming", &mut problems).await;
    account_button(&laptop, USERNAME, "account-confirm-no").await;
    until_status(&laptop, USERNAME, "active").await;
    // The admin cannot disable themselves.
    let own = laptop
        .client
        .find(Locator::Css(
            "[data-test=\"account\"][data-username=\"admin\"] [data-test=\"account-disable\"]",
        ))
        .await;
    let own = laptop.ok("the admin's own disable button", own).await;
    assert!(laptop.attr(&own, "disabled").await.is_some());

    account_button(&laptop, USERNAME, "account-disable").await;
    account_button(&laptop, USERNAME, "account-confirm-yes").await;
    let disabled_at = Instant::now();
    until_status(&laptop, USERNAME, "disabled").await;
    let done = laptop.find("users-done").await;
    assert!(laptop.text(&done).await.contains('1'), "one session ended");

    // The tablet notices by itself, within seconds.
    tablet
        .until("the tablet is signed out", async || {
            assert!(
                disabled_at.elapsed() < NOTICED_WITHIN,
                "still signed in {:?} after the disable",
                disabled_at.elapsed()
            );
            (!tablet.all("session-ended").await.is_empty()).then_some(())
        })
        .await;
    tablet
        .until("the stored API answers are gone", async || {
            (!api_cache_exists(&tablet).await).then_some(())
        })
        .await;
    tablet.goto(&format!("{base}/device")).await;
    tablet.find("session-ended").await;
    let outbox = tablet.find("outbox-entry").await;
    assert_eq!(
        tablet.attr(&outbox, "data-state").await.as_deref(),
        Some("waiting"),
        "the unsent inspection is kept"
    );
    assert!(
        tablet.all("working-set-count").await.is_empty(),
        "the working set is gone"
    );
    assert_eq!(
        stored_enclaves(&tablet).await,
        serde_json::json!(0),
        "no enclave left on the device"
    );

    // Enabled again, the inspector signs in on the tablet and the inspection is sent.
    account_button(&laptop, USERNAME, "account-enable").await;
    until_status(&laptop, USERNAME, "active").await;
    tap(&tablet, "session-ended-sign-in").await;
    tablet.type_into("login-password", PW).await;
    tablet.click("login-submit").await;
    tablet
        .until("the kept inspection syncs", async || {
            let indicator = tablet.find("sync-indicator").await;
            (tablet.attr(&indicator, "data-state").await.as_deref() == Some("synced")).then_some(())
        })
        .await;
    let token = s.app.login(USERNAME, PW).await.access_token;
    let id = path.trim_start_matches("/inspections/");
    let res = s.app.get(&format!("/api/inspections/{id}"), &token).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the inspection is on the server"
    );

    // The Users page on a tablet held upright.
    laptop.set_viewport(800, 1280).await;
    laptop.goto(&format!("{base}/users")).await;
    until_status(&laptop, USERNAME, "active").await;
    audit(&laptop, "users (tablet)", &mut problems).await;
    laptop.screenshot(&shots.join("users-tablet.png")).await;
    assert!(problems.is_empty(), "{problems:#?}");
    tablet.close().await;
    laptop.close().await;
}

/// The number of enclaves in the device store.
async fn stored_enclaves(b: &Browser) -> serde_json::Value {
    b.js("return new Promise((resolve, reject) => {
              const open = indexedDB.open('enclave-inspect');
              open.onerror = () => reject(open.error);
              open.onsuccess = () => {
                  const count = open.result.transaction('enclaves').objectStore('enclaves').count();
                  count.onsuccess = () => resolve(count.result);
              };
          })")
        .await
}

/// A logout is final at the click, on a shared tablet whose user closes the tab at once:
/// while the device store is still busy (a transaction holds it, so emptying it must wait),
/// the page is left right after the click. The next start finds nobody signed in, and the
/// device store emptied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_is_final_when_the_tab_goes_at_once() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    let base = s.app.base_url.clone();
    prepare_for_the_field(&b, &base, USERNAME, PW).await;
    assert_ne!(stored_enclaves(&b).await, serde_json::json!(0));
    // Keeps a write transaction on the enclaves busy for 3 s.
    b.js("const open = indexedDB.open('enclave-inspect');
          open.onsuccess = () => {
              const store = open.result.transaction('enclaves', 'readwrite').objectStore('enclaves');
              const until = Date.now() + 3000;
              const spin = () => { store.count().onsuccess = () => { if (Date.now() < until) spin(); }; };
              spin();
          };
          return true")
        .await;
    b.click("logout").await;
    b.goto(&format!("{base}/device")).await;
    b.find("login-username").await;
    let tokens = b
        .js("return Object.keys(localStorage).filter(k => /token|session/i.test(k) && localStorage.getItem(k).includes('access_token'))")
        .await;
    assert_eq!(tokens, serde_json::json!([]), "no tokens are left");
    b.until(
        "the device store is emptied at the next start",
        async || (stored_enclaves(&b).await == serde_json::json!(0)).then_some(()),
    )
    .await;
    b.close().await;
}

/// A password reset on the Users page: the temporary password is shown once; the user signs
/// in with it and must choose a new one before anything else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_password_must_be_replaced_at_the_next_login() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    s.app.fixture().user("admin", PW, Role::Admin, &[]);
    let base = s.app.base_url.clone();

    b.sign_in(&format!("{base}/login"), "admin", PW).await;
    b.click("nav-users").await;
    account_button(&b, USERNAME, "account-reset").await;
    account_button(&b, USERNAME, "account-confirm-yes").await;
    let shown = b.find("temporary-password").await;
    let temporary = b.text(&shown).await.trim().to_owned();
    assert!(temporary.len() >= 16, "{temporary}");
    until_status(&b, USERNAME, "must-change").await;
    let mut problems = Vec::new();
    audit(&b, "users, temporary password", &mut problems).await;
    b.click("logout").await;

    b.sign_in(&format!("{base}/login"), USERNAME, &temporary)
        .await;
    b.find("change-password").await;
    audit(&b, "change password", &mut problems).await;
    b.type_into("password-current", &temporary).await;
    b.type_into("password-new", "my-own-new-password").await;
    b.type_into("password-again", "not-the-same-password").await;
    b.click("password-submit").await;
    b.find("password-error").await;
    b.type_into("password-again", "my-own-new-password").await;
    b.click("password-submit").await;
    b.find("search-input").await;
    assert!(b.all("change-password").await.is_empty());
    s.app.login(USERNAME, "my-own-new-password").await;
    assert!(problems.is_empty(), "{problems:#?}");
    b.close().await;
}
