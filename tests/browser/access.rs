//! Every user sees what they need, and can reach it:
//!
//! - On an upright 10-inch tablet (800 × 1280), each role visits every page it is offered —
//!   the inspector search, an enclave, an inspection in progress and submitted, the device
//!   page; the reviewer the queue, an inspection to review, the register, the overview and the
//!   statistics; the admin the register, the contract form, the import, the overview, the
//!   statistics and the audit trail — and axe-core finds no serious or critical violation, and no control is
//!   smaller than 44 × 44 CSS px. The header offers each role only its own pages.
//! - A returned inspection is announced in the header, linking to it, until the inspector
//!   answers it with an amendment; offline, the device page says what the device holds.
//! - A record the server refuses (403 on its photo's upload: the user's role was changed
//!   while they recorded offline) goes to "needs attention" with the server's reason, never
//!   "to send" forever.

use std::time::Duration;

use diesel::prelude::*;
use shared::dto::auth::Role;

use shared::dto::sync::SyncRecord;
use tests::axe::audit;
use tests::driver::Browser;
use tests::field::{
    conclude, finding_with_photos, photo_file, prepare_for_the_field, returned_by_a_reviewer,
    start_inspection, tap, until_all_synced, until_submitted,
};
use tests::proxy::Proxy;
use tests::records::inspection;

use super::{ELEGANCE, PW, Scenario, USERNAME};

/// The `data-test` names of the header's navigation links.
async fn nav(b: &Browser) -> Vec<String> {
    b.find("current-user").await;
    let links = b
        .js("return [...document.querySelectorAll('nav.nav-links a')].map(a => a.dataset.test)")
        .await;
    serde_json::from_value(links).expect("the navigation's links")
}

/// Waits until `name` is on the page and, after that, until its text is not empty.
async fn until_shown(b: &Browser, name: &str) {
    let element = b.find(name).await;
    b.until(&format!("{name} is filled"), async || {
        (!b.text(&element).await.trim().is_empty()).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_every_role_is_accessible_on_the_tablet() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    let f = s.app.fixture();
    f.user("rita", PW, Role::Reviewer, &[]);
    f.user("adam", PW, Role::Admin, &[]);
    let ines = s.app.login(USERNAME, PW).await.access_token;
    let pushed = inspection(&s.peeters);
    s.app
        .push(
            &ines,
            vec![SyncRecord::Inspection(Box::new(pushed.clone()))],
        )
        .await;
    b.set_viewport(800, 1280).await;
    let base = s.app.base_url.clone();
    let mut problems = Vec::new();

    // The inspector.
    prepare_for_the_field(&b, &base, USERNAME, PW).await;
    assert_eq!(
        nav(&b).await,
        [
            "nav-search",
            "nav-prepare",
            "nav-planning",
            "nav-follow-ups"
        ]
    );
    audit(&b, "device", &mut problems).await;
    b.click("nav-planning").await;
    b.find("planning-visit").await;
    audit(&b, "planning", &mut problems).await;
    b.goto(&s.url("/")).await;
    b.type_into("search-input", "elegance").await;
    b.only_result(ELEGANCE).await;
    audit(&b, "search", &mut problems).await;
    b.goto(&s.url(&format!("/enclaves/{}", s.elegance))).await;
    b.verdicts(ELEGANCE).await;
    audit(&b, "enclave", &mut problems).await;
    start_inspection(&b, &base, &s.elegance).await;
    audit(&b, "inspection draft", &mut problems).await;
    finding_with_photos(&b, &[]).await;
    conclude(&b).await;
    b.click("submit").await;
    until_submitted(&b).await;
    audit(&b, "inspection submitted", &mut problems).await;
    until_all_synced(&b, &base, Duration::from_secs(60)).await;
    b.find("outbox-entry").await;
    audit(&b, "device with records", &mut problems).await;
    b.click("logout").await;
    b.find("login-username").await;

    // The reviewer.
    b.sign_in(&s.url("/login"), "rita", PW).await;
    assert_eq!(
        nav(&b).await,
        [
            "nav-review",
            "nav-follow-ups",
            "nav-register",
            "nav-overview",
            "nav-statistics"
        ]
    );
    b.click("nav-review").await;
    b.find("queue-item").await;
    audit(&b, "review queue", &mut problems).await;
    b.goto(&s.url(&format!("/review/{}", pushed.id))).await;
    b.find("review-state").await;
    audit(&b, "review page", &mut problems).await;
    b.click("nav-register").await;
    b.find("register-row").await;
    audit(&b, "register (reviewer)", &mut problems).await;
    b.click("nav-overview").await;
    b.find("overview-types").await;
    audit(&b, "overview (reviewer)", &mut problems).await;
    b.click("nav-statistics").await;
    until_shown(&b, "figures-controls").await;
    audit(&b, "statistics (reviewer)", &mut problems).await;
    b.click("logout").await;
    b.find("login-username").await;

    // The admin.
    b.sign_in(&s.url("/login"), "adam", PW).await;
    assert_eq!(
        nav(&b).await,
        [
            "nav-follow-ups",
            "nav-register",
            "nav-imports",
            "nav-users",
            "nav-overview",
            "nav-statistics",
            "nav-audit"
        ]
    );
    b.click("nav-register").await;
    b.find("register-row").await;
    audit(&b, "register", &mut problems).await;
    b.click("register-new").await;
    b.find("contract-reference").await;
    audit(&b, "contract form", &mut problems).await;
    b.click("nav-users").await;
    b.find("account").await;
    tap(&b, "account-edit").await;
    b.find("account-editor").await;
    audit(&b, "users, editing role and provinces", &mut problems).await;
    b.click("nav-imports").await;
    b.find("import-file").await;
    audit(&b, "imports", &mut problems).await;
    b.click("nav-overview").await;
    b.type_into("overview-year", "2024\n").await;
    b.find("overview-row").await;
    audit(&b, "overview", &mut problems).await;
    b.click("nav-statistics").await;
    until_shown(&b, "figures-controls").await;
    audit(&b, "statistics", &mut problems).await;
    b.click("nav-audit").await;
    b.find("audit-row").await;
    audit(&b, "audit trail", &mut problems).await;
    b.close().await;

    assert!(
        problems.is_empty(),
        "{} accessibility problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returned_inspection_is_announced_and_a_refused_push_needs_attention() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    let server = s.app.base_url.trim_start_matches("http://").to_owned();
    let proxy = Proxy::start(&server).await;
    let base = proxy.base_url.clone();
    let url = |path: &str| format!("{base}{path}");
    b.set_viewport(800, 1280).await;
    prepare_for_the_field(&b, &base, USERNAME, PW).await;

    // "Prepare for the field" is in the header.
    b.goto(&url("/")).await;
    b.click("nav-prepare").await;
    b.until_path("/device").await;
    b.find("working-set-count").await;

    // An inspection, synced; a reviewer returns it.
    let path = start_inspection(&b, &base, &s.elegance).await;
    let id = path.trim_start_matches("/inspections/").to_owned();
    finding_with_photos(&b, &[]).await;
    conclude(&b).await;
    b.click("submit").await;
    until_submitted(&b).await;
    until_all_synced(&b, &base, Duration::from_secs(60)).await;
    returned_by_a_reviewer(&s.app, &id, PW).await;

    // Meanwhile the inspector signed out, which empties the device (everything was on the
    // server; see offline.rs). Signed in again, the tablet gets the returned inspection back
    // from the server.
    b.click("logout").await;
    b.find("login-username").await;
    prepare_for_the_field(&b, &base, USERNAME, PW).await;

    // After the next sync the header says so, and links to it.
    b.click("sync-now").await;
    let indicator = b
        .until("the header announces the returned inspection", async || {
            let indicator = b.find("sync-indicator").await;
            (b.attr(&indicator, "data-state").await.as_deref() == Some("returned"))
                .then_some(indicator)
        })
        .await;
    let text = b.text(&indicator).await;
    assert!(text.contains("1 teruggestuurd"), "{text}");
    b.screenshot(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("access-returned.png"))
        .await;
    b.ok("opening the returned inspection", indicator.click().await)
        .await;
    b.until_path(&path).await;

    // Answered with an amendment: no longer announced.
    b.type_into("amendment-text", "Naam van de begeleider aangevuld.")
        .await;
    b.click("add-amendment").await;
    b.until("the announcement is gone", async || {
        let indicator = b.find("sync-indicator").await;
        (b.attr(&indicator, "data-state").await.as_deref() == Some("synced")).then_some(())
    })
    .await;

    // Offline, the device page says what the device holds, not "no stored copy".
    proxy.set_online(false);
    b.goto(&url("/device")).await;
    b.click("sync-now").await;
    let failure = b.find("sync-failure").await;
    let said = b.text(&failure).await;
    assert!(
        said.contains("2 enclaves") && !said.contains("geen opgeslagen kopie"),
        "{said}"
    );

    // Recorded offline, one with a photo; meanwhile the user became a reviewer. The server
    // refuses the push and the photo's upload (403): both records need attention, with the
    // server's reason.
    let files = tempfile::tempdir().expect("photo directory");
    let mut refused = Vec::new();
    for photos in [vec![], vec![photo_file(files.path(), "team", 320, 240, 7)]] {
        let path = start_inspection(&b, &base, &s.elegance).await;
        refused.push(path.trim_start_matches("/inspections/").to_owned());
        finding_with_photos(&b, &photos).await;
        conclude(&b).await;
        b.click("submit").await;
        until_submitted(&b).await;
    }
    {
        use server::db::schema::users;
        let mut conn = s.app.db.get().expect("connection");
        diesel::update(users::table.filter(users::username.eq(USERNAME)))
            .set(users::role.eq(Role::Reviewer.as_str()))
            .execute(&mut conn)
            .expect("role changed");
    }
    // The server trusts a verified session for up to 2 s.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    proxy.set_online(true);
    b.goto(&url("/device")).await;
    b.click("sync-now").await;
    let entries = b
        .until("both records need attention", async || {
            let entries = b.all("attention-entry").await;
            (entries.len() == 2).then_some(entries)
        })
        .await;
    for entry in entries {
        let id = b.attr(&entry, "data-id").await.unwrap_or_default();
        assert!(refused.contains(&id), "{id}");
        let problem = entry
            .find(fantoccini::Locator::Css("[data-test=attention-problem]"))
            .await
            .expect("its problem");
        let problem = b.text(&problem).await;
        assert!(
            problem.contains("geen toegang"),
            "the server's reason: {problem}"
        );
    }
    let indicator = b.find("sync-indicator").await;
    assert_eq!(
        b.attr(&indicator, "data-state").await.as_deref(),
        Some("attention")
    );
    b.screenshot(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("access-refused.png"))
        .await;
    b.close().await;
}
