//! The PWA in headless Chromium against the real server (SQLite, fresh database per test).
//!
//! - An inspector signs in (after one wrong password), finds an enclave by typing part of the
//!   host's name without its accents, reads two passing verdicts, goes back, opens an enclave
//!   without a contract (a failing verdict), switches the language and signs out.
//! - The app is installable: the manifest is linked and has a name and icons, and the service
//!   worker registers, activates and controls the page.
//!
//! Elements are found by their `data-test` attributes. Every wait has a timeout; a failed step
//! reports the page's URL, its source and the end of chromedriver's log. A screenshot of the
//! enclave page is saved as `$CARGO_TARGET_TMPDIR/enclave.png` for humans to look at.

use chrono::{Days, NaiveTime};
use fantoccini::Locator;
use serde_json::json;
use shared::dto::auth::Role;
use shared::dto::organisation::OrganisationKind;
use shared::dto::registration::MemberRole::{Supervisor, Worker};
use tests::dates::{date, local, today};
use tests::fixture::{ContractSpec, EnclaveSpec};
use tests::{Backend, TestApp};

use tests::driver::{Browser, tid};
use tests::faulty::{Faults, FaultyProxy};

mod access;
mod accounts;
mod audit;
mod downloads;
mod field;
mod follow_ups;
mod imports;
mod inspector;
mod login;
mod offline;
mod planning;
mod register;
mod reports;
mod review;
mod search;

const USERNAME: &str = "ines";
const PW: &str = "a-long-test-password";
const ELEGANCE: &str = "Brouwerij Élégance NV";
const PEETERS: &str = "Peeters Verpakking BV";

/// The server with an inspector and two enclaves of one maatwerkbedrijf: at Élégance with a
/// contract notified in time and today's registration (both checks pass), at Peeters with
/// neither (both fail).
struct Scenario {
    app: TestApp,
    elegance: String,
    peeters: String,
}

impl Scenario {
    async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// [`Scenario::start`] on a server whose configuration `adjust` changed.
    async fn start_with(adjust: impl FnOnce(&mut server::config::Config)) -> Self {
        let app = TestApp::spawn_with(Backend::Sqlite, adjust).await;
        let f = app.fixture();
        f.user(USERNAME, PW, Role::Inspector, &[]);
        let mwb = f.organisation(
            OrganisationKind::Maatwerkbedrijf,
            "Atelier De Kouter vzw",
            None,
        );
        let host = f.organisation(OrganisationKind::RegularCompany, ELEGANCE, None);
        let elegance = f.enclave(&mwb, &host, EnclaveSpec::default());
        f.contract(
            &elegance,
            ContractSpec {
                start: date("2024-03-11"),
                notified_local: Some(local("2024-03-01 10:00")),
                ..ContractSpec::default()
            },
        );
        let today = today();
        let yesterday_evening = (today - Days::new(1)).and_time(hm(18, 0));
        f.registration(
            &elegance,
            today,
            yesterday_evening,
            hm(6, 0),
            &[Supervisor, Worker],
        );

        let other = f.organisation(OrganisationKind::RegularCompany, PEETERS, None);
        let peeters = f.enclave(
            &mwb,
            &other,
            EnclaveSpec {
                site_name: "Magazijn".into(),
                street: "Kerkstraat 9".into(),
                postcode: "8500".into(),
                municipality: "Kortrijk".into(),
                latitude: 50.828,
                longitude: 3.265,
                ..EnclaveSpec::default()
            },
        );
        Self {
            app,
            elegance: elegance.id,
            peeters: peeters.id,
        }
    }

    /// [`Scenario::start`] behind a [`FaultyProxy`] with a perfect line, to put faults on.
    async fn behind_a_faulty_line() -> (Self, FaultyProxy) {
        let s = Self::start().await;
        let server = s.app.base_url.trim_start_matches("http://").to_owned();
        let proxy = FaultyProxy::start(&server, Faults::default()).await;
        (s, proxy)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.app.base_url)
    }
}

fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("valid time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspector_signs_in_finds_enclaves_and_reads_the_verdicts() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;

    // The app sends a stranger to the login page; a wrong password is refused.
    b.goto(&s.url("/")).await;
    b.find("login-username").await;
    b.until_path("/login").await;
    b.type_into("login-username", USERNAME).await;
    b.type_into("login-password", "not-the-right-password")
        .await;
    b.click("login-submit").await;
    let error = b.find("login-error").await;
    assert!(
        !b.text(&error).await.trim().is_empty(),
        "the login error says something"
    );
    assert!(
        b.all("current-user").await.is_empty(),
        "not signed in after a wrong password"
    );

    b.type_into("login-password", PW).await;
    b.click("login-submit").await;
    b.find("search-input").await;
    b.until_path("/").await;
    let user = b.find("current-user").await;
    assert_eq!(b.text(&user).await.trim(), USERNAME);
    let net = b.find("net-status").await;
    assert_eq!(b.attr(&net, "data-online").await.as_deref(), Some("true"));

    // Accents and case do not matter; one result, both checks pass.
    b.type_into("search-input", "elegance").await;
    let card = b.only_result(ELEGANCE).await;
    assert_eq!(
        b.attr(&card, "data-id").await.as_deref(),
        Some(s.elegance.as_str())
    );
    b.ok("opening the result", card.click().await).await;
    b.until_path(&format!("/enclaves/{}", s.elegance)).await;
    let (contract, daily) = b.verdicts(ELEGANCE).await;
    b.screenshot(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("enclave.png"))
        .await;
    if (contract.as_str(), daily.as_str()) != ("pass", "pass") {
        b.fail(&format!(
            "Élégance should pass both checks, got contract {contract}, daily {daily}"
        ))
        .await;
    }

    // Back to the same results; a search for the other enclave, whose checks fail.
    b.ok("going back", b.client.back().await).await;
    b.until_path("/").await;
    b.only_result(ELEGANCE).await;
    b.type_into("search-input", "peeters").await;
    let card = b.only_result(PEETERS).await;
    assert_eq!(
        b.attr(&card, "data-id").await.as_deref(),
        Some(s.peeters.as_str())
    );
    b.ok("opening the result", card.click().await).await;
    b.until_path(&format!("/enclaves/{}", s.peeters)).await;
    let (contract, daily) = b.verdicts(PEETERS).await;
    if (contract.as_str(), daily.as_str()) != ("fail", "fail") {
        b.fail(&format!(
            "Peeters should fail both checks, got contract {contract}, daily {daily}"
        ))
        .await;
    }
    b.find("no-registration").await;

    // The language switch changes the visible texts and the document language.
    let title_css = format!("{} .label", tid("verdict-contract_filed"));
    let title = b
        .ok(
            "finding the verdict title",
            b.client.find(Locator::Css(&title_css)).await,
        )
        .await;
    let dutch = b.text(&title).await;
    assert_eq!(
        b.js("return document.documentElement.lang").await,
        json!("nl")
    );
    b.click("lang-switch").await;
    let english = b
        .until("the verdict title changes language", async || {
            let text = b
                .client
                .find(Locator::Css(&title_css))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            (text != dutch).then_some(text)
        })
        .await;
    assert_eq!(english, "Contract filed", "Dutch title was {dutch:?}");
    assert_eq!(
        b.js("return document.documentElement.lang").await,
        json!("en")
    );

    // Logging out returns to the login page and forgets the session.
    b.click("logout").await;
    b.find("login-username").await;
    b.until_path("/login").await;
    assert!(b.all("current-user").await.is_empty(), "signed out");
    // The server ended it too: the app sent the refresh token.
    let db = s.app.db.clone();
    b.until("the server ends the session at the logout", async || {
        use diesel::prelude::*;
        use server::db::schema::sessions;
        let mut conn = db.get().ok()?;
        let reasons: Vec<Option<String>> = sessions::table
            .select(sessions::revoked_reason)
            .load(&mut conn)
            .ok()?;
        (!reasons.is_empty() && reasons.iter().all(|r| r.as_deref() == Some("logout")))
            .then_some(())
    })
    .await;
    b.goto(&s.url(&format!("/enclaves/{}", s.peeters))).await;
    b.find("login-username").await;
    b.until_path("/login").await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_is_installable_and_its_service_worker_takes_control() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    b.goto(&s.url("/")).await;
    b.find("login-username").await;

    // The linked manifest is JSON with a name, standalone display and icons that load.
    let manifest = b
        .js(r#"
            const link = document.querySelector('link[rel="manifest"]');
            if (!link) return { missing: true };
            return fetch(link.href).then(async (res) => ({
                status: res.status,
                type: res.headers.get('content-type'),
                body: await res.json(),
            }));
        "#)
        .await;
    if manifest["status"] != 200 {
        b.fail(&format!(
            "the manifest is not linked or does not load: {manifest}"
        ))
        .await;
    }
    let body = &manifest["body"];
    assert!(
        manifest["type"]
            .as_str()
            .is_some_and(|t| t.contains("json")),
        "manifest content type: {manifest}"
    );
    assert!(
        body["name"].as_str().is_some_and(|n| !n.is_empty()),
        "manifest name: {body}"
    );
    assert_eq!(body["display"], "standalone", "{body}");
    let icons = body["icons"].as_array().cloned().unwrap_or_default();
    for size in ["192x192", "512x512"] {
        assert!(
            icons.iter().any(|i| i["sizes"] == size),
            "no {size} icon: {body}"
        );
    }
    for icon in &icons {
        let src = icon["src"].as_str().expect("icon src");
        let res = s
            .app
            .client
            .get(s.url(src))
            .send()
            .await
            .expect("icon request");
        let kind = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            res.status().is_success() && kind.starts_with("image/"),
            "icon {src}: {res:?}"
        );
    }

    // The service worker is registered for the whole app, activates and takes control.
    let ready = b
        .ok(
            "waiting for navigator.serviceWorker.ready",
            b.client
                .execute_async(
                    r#"
                    const done = arguments[arguments.length - 1];
                    if (!('serviceWorker' in navigator)) { done({ error: 'no serviceWorker' }); return; }
                    navigator.serviceWorker.ready
                        .then((reg) => done({ scope: reg.scope, script: reg.active && reg.active.scriptURL }))
                        .catch((e) => done({ error: String(e) }));
                    "#,
                    vec![],
                )
                .await,
        )
        .await;
    let scope = ready["scope"].as_str().unwrap_or_default();
    let script = ready["script"].as_str().unwrap_or_default();
    if scope != s.url("/") || !script.ends_with("/sw.js") {
        b.fail(&format!("unexpected service worker registration: {ready}"))
            .await;
    }
    b.until(
        "the service worker is activated and controls the page",
        async || {
            let state = b
                .client
                .execute(
                    r#"
                return navigator.serviceWorker.getRegistration().then((reg) => ({
                    state: reg && reg.active ? reg.active.state : null,
                    controlled: navigator.serviceWorker.controller !== null,
                }));
                "#,
                    vec![],
                )
                .await
                .ok()?;
            (state["state"] == "activated" && state["controlled"] == true).then_some(())
        },
    )
    .await;
    b.close().await;
}
