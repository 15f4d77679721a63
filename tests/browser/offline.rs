//! Offline first, end to end: an inspector prepares for the field, loses the network, reloads
//! the app, finds an enclave on the device, records a whole inspection with a photo, reloads
//! again (nothing lost), gets the network back, sees it sync, and the server has it, photo
//! and all, exactly as recorded — also when the access token expired while offline. A
//! reviewer then returns it, and the inspector sees that after a sync and answers with an
//! amendment.
//!
//! The browser reaches the server through a [`Proxy`] that the test cuts and restores: the
//! app's origin stays the same while the server becomes unreachable, as on site.
//!
//! A registration made after the inspector prepared reaches the device with the next sync,
//! through the working set's refresh by delta.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{EncodingKey, Header, encode};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use shared::dto::inspection::InspectionView;
use shared::dto::review::ReviewState;
use shared::rules::verdict::VerdictStatus;
use tests::proxy::Proxy;
use tests::{TEST_JWT_SECRET, json};

use super::{ELEGANCE, PW, Scenario, USERNAME};
use fantoccini::Locator;
use shared::rules::enterprise_number::EstablishmentUnitNumber;
use tests::driver::{Browser, tid};
use tests::field::{prepare_for_the_field, returned_by_a_reviewer, tap, until_service_worker};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspection_recorded_offline_syncs_when_the_network_returns() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    // Élégance's site has an establishment unit number (its enclave page shows it).
    let unit = EstablishmentUnitNumber::from_base(21_234_567).expect("a unit number");
    {
        use diesel::prelude::*;
        use server::db::schema::enclaves;
        let mut conn = s.app.db.get().expect("connection");
        diesel::update(enclaves::table.filter(enclaves::id.eq(&s.elegance)))
            .set(enclaves::establishment_unit_number.eq(Some(unit.digits())))
            .execute(&mut conn)
            .expect("the unit number");
    }
    let server = s.app.base_url.trim_start_matches("http://").to_owned();
    let proxy = Proxy::start(&server).await;
    let url = |path: &str| format!("{}{path}", proxy.base_url);
    b.set_viewport(800, 1280).await; // a tablet held upright

    // Online: sign in and prepare for the field.
    b.sign_in(&url("/login"), USERNAME, PW).await;
    b.find("search-input").await;
    b.click("sync-indicator").await;
    b.until_path("/device").await;
    b.find("working-set-empty").await;
    b.click("prepare").await;
    let count = b.find("working-set-count").await;
    assert_eq!(
        b.text(&count).await.trim(),
        "2",
        "both enclaves are on the device"
    );
    until_service_worker(&b).await;

    // Offline: the app starts from the service worker, the session and data from the device.
    proxy.set_online(false);
    b.goto(&url("/")).await;
    // The device finds a site by the establishment unit number its page shows, and says
    // what it searched by.
    b.type_into("search-input", &unit.to_string()).await;
    b.find("search-from-device").await;
    b.only_result(ELEGANCE).await;
    assert_eq!(
        b.js("return document.querySelector('[data-test=search-hint]').textContent.trim()")
            .await,
        "Zoeken op vestigingseenheidsnummer"
    );
    b.goto(&url("/")).await;
    b.type_into("search-input", "elegance").await;
    b.find("search-from-device").await;
    let card = b.only_result(ELEGANCE).await;
    // The device's result carries checks 1 and 2, computed from its copy, as the server's do.
    for check in ["contract_filed", "daily_registration"] {
        let badge = b
            .ok(
                "the result's verdict badge",
                card.find(Locator::Css(&tid(&format!("result-{check}"))))
                    .await,
            )
            .await;
        assert_eq!(b.attr(&badge, "data-status").await.as_deref(), Some("pass"));
    }
    b.ok("opening the result", card.click().await).await;
    b.find("from-device").await;
    let (contract, daily) = b.verdicts(ELEGANCE).await;
    assert_eq!((contract.as_str(), daily.as_str()), ("pass", "pass"));

    // A whole inspection, offline.
    b.click("start-inspection").await;
    b.find("inspection-title").await;
    let path = b.ok("reading the URL", b.client.current_url().await).await;
    let path = path.path().to_owned();
    let id = path.trim_start_matches("/inspections/").to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "inspection URL {path}");
    b.click("confirm-contract_filed").await;
    b.click("confirm-daily_registration").await;
    let check3 = b.find("verdict-supervisor_present").await;
    assert_eq!(
        b.attr(&check3, "data-status").await.as_deref(),
        Some("fail")
    );
    for person in b.all("present-person").await {
        b.ok("ticking a person", person.click().await).await;
    }
    b.until("check 3 passes once the supervisor is ticked", async || {
        let card = b.find("verdict-supervisor_present").await;
        (b.attr(&card, "data-status").await.as_deref() == Some("pass")).then_some(())
    })
    .await;
    b.click("confirm-supervisor_present").await;
    b.click("main_activity-yes").await;
    b.click("given-by-supervisor").await;
    b.click("host_assigns_tasks-no").await;
    b.click("supervisor_whole_shift-yes").await;
    b.type_into("finding-category", "Registratie").await;
    b.choose("finding-severity", "low").await;
    b.type_into("finding-text", "Team werkt zoals geregistreerd.")
        .await;
    b.click("add-finding").await;
    b.find("finding").await;
    let icon = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../app/static/icons/icon-192.png")
        .canonicalize()
        .expect("the app icon, as a photo");
    let input = b.find("photo-input").await;
    let chosen = input.send_keys(&icon.to_string_lossy()).await;
    b.ok("choosing a photo", chosen).await;
    let photo = b.find("photo").await;
    let sha256 = b.attr(&photo, "data-sha256").await.unwrap_or_default();
    assert_eq!(sha256.len(), 64, "the photo is hashed on the device");
    b.until("the draft is saved", async || {
        let saved = b.find("draft-saved").await;
        (b.attr(&saved, "data-saved").await.as_deref() == Some("true")).then_some(())
    })
    .await;

    // A reload in the middle loses nothing.
    b.goto(&url(&path)).await;
    b.find("finding").await;
    let photo = b.find("photo").await;
    assert_eq!(
        b.attr(&photo, "data-sha256").await.as_deref(),
        Some(sha256.as_str())
    );
    assert_eq!(b.all("present-person").await.len(), 2);

    b.screenshot(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("inspection.png"))
        .await;
    b.click("measure-advice").await;
    b.type_into(
        "motivation",
        "Alles in orde; informatie gegeven over de registratie.",
    )
    .await;
    b.click("submit").await;
    let state = b.find("sync-state").await;
    assert_eq!(
        b.attr(&state, "data-state").await.as_deref(),
        Some("waiting")
    );
    let indicator = b.find("sync-indicator").await;
    assert_eq!(
        b.attr(&indicator, "data-state").await.as_deref(),
        Some("waiting")
    );

    // Logging out now would strand the record: the app warns instead, and deletes nothing.
    b.click("logout").await;
    b.find("logout-warning").await;
    tap(&b, "logout-cancel").await;
    assert!(b.all("logout-warning").await.is_empty());

    // The access token runs out while offline: the sync must refresh it and resend.
    let forged = expire_access_token(&b).await;

    // Reloaded offline, it is still there, still waiting.
    b.goto(&url(&path)).await;
    let state = b.find("sync-state").await;
    assert_eq!(
        b.attr(&state, "data-state").await.as_deref(),
        Some("waiting")
    );

    // Online again: it syncs.
    proxy.set_online(true);
    b.click("sync-indicator").await;
    b.until_path("/device").await;
    b.click("sync-now").await;
    b.until("the inspection is synced", async || {
        let entry = b.find("outbox-entry").await;
        (b.attr(&entry, "data-state").await.as_deref() == Some("synced")).then_some(())
    })
    .await;
    b.until("the indicator says everything is synced", async || {
        let indicator = b.find("sync-indicator").await;
        (b.attr(&indicator, "data-state").await.as_deref() == Some("synced")).then_some(())
    })
    .await;

    let stored = b
        .js("return JSON.parse(localStorage.getItem('ei.session')).access_token")
        .await;
    assert_ne!(
        stored.as_str(),
        Some(forged.as_str()),
        "the expired token was refreshed"
    );

    // A reviewer returns it; the inspector sees the return after the next sync and answers
    // with an amendment, which syncs too.
    returned_by_a_reviewer(&s.app, &id, PW).await;
    b.click("sync-now").await;
    b.find("returned").await;
    let entry = b.find("outbox-entry").await;
    b.ok(
        "opening the inspection",
        entry
            .find(fantoccini::Locator::Css("a"))
            .await
            .expect("link")
            .click()
            .await,
    )
    .await;
    b.type_into("amendment-text", "Naam van de begeleider aangevuld.")
        .await;
    tap(&b, "add-amendment").await;
    b.until("the amendment is synced", async || {
        let amendment = b.find("amendment").await;
        let state = amendment
            .find(fantoccini::Locator::Css("[data-state]"))
            .await
            .ok()?;
        (b.attr(&state, "data-state").await.as_deref() == Some("synced")).then_some(())
    })
    .await;

    // The server has it as recorded, with the photo whose hash the device computed.
    let token = s.app.login(USERNAME, PW).await.access_token;
    let view: InspectionView = json(
        s.app.get(&format!("/api/inspections/{id}"), &token).await,
        StatusCode::OK,
    )
    .await;
    let r = &view.record;
    assert_eq!(r.enclave_id.to_string(), s.elegance);
    assert_eq!(r.present.len(), 2);
    assert_eq!(r.supervisor_present.status(), VerdictStatus::Pass);
    assert_eq!(r.contract_filed.status(), VerdictStatus::Pass);
    assert_eq!(view.photo_hashes, vec![sha256.clone()]);
    assert_eq!(view.amendments.len(), 1);
    assert_eq!(view.version, 2);
    assert_eq!(
        view.review_state,
        ReviewState::Submitted,
        "answered: back for review"
    );
    let photo = s
        .app
        .get(&format!("/api/attachments/{sha256}"), &token)
        .await;
    assert_eq!(photo.status(), StatusCode::OK);
    let bytes = photo.bytes().await.expect("photo bytes");
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        digest, sha256,
        "the stored photo is the one hashed on the device"
    );
    b.close().await;
}

/// Replaces the stored access token by the same one expired 2 minutes ago (signed with the
/// test servers' key); the refresh token stays valid. Gives the expired token.
pub async fn expire_access_token(b: &Browser) -> String {
    let stored = b.js("return localStorage.getItem('ei.session')").await;
    let mut session: serde_json::Value =
        serde_json::from_str(stored.as_str().expect("a stored session")).expect("session JSON");
    let access = session["access_token"].as_str().expect("access token");
    let payload = access.split('.').nth(1).expect("JWT payload");
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("claims");
    claims["exp"] = (chrono::Utc::now().timestamp() - 120).into();
    let expired = encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
    )
    .expect("signing");
    session["access_token"] = expired.clone().into();
    let script = format!(
        "localStorage.setItem('ei.session', {}); return true",
        serde_json::Value::String(session.to_string())
    );
    b.js(&script).await;
    expired
}

/// The registrations the device store holds for the enclave `id`.
async fn stored_registrations(b: &Browser, id: &str) -> u64 {
    let script = format!(
        "return new Promise((resolve, reject) => {{
             const open = indexedDB.open('enclave-inspect');
             open.onerror = () => reject(open.error);
             open.onsuccess = () => {{
                 const get = open.result.transaction('enclaves').objectStore('enclaves').get('{id}');
                 get.onsuccess = () => resolve(JSON.parse(get.result).registrations.length);
             }};
         }})"
    );
    b.js(&script).await.as_u64().expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_made_after_preparing_reaches_the_device() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    b.set_viewport(800, 1280).await;
    prepare_for_the_field(&b, &s.app.base_url, USERNAME, PW).await;
    assert_eq!(stored_registrations(&b, &s.peeters).await, 0);

    // Peeters' team registers for today after the inspector prepared.
    let peeters = {
        use diesel::prelude::*;
        use server::db::rows::EnclaveRow;
        use server::db::schema::enclaves;
        let mut conn = s.app.db.get().expect("connection");
        enclaves::table
            .filter(enclaves::id.eq(&s.peeters))
            .select(EnclaveRow::as_select())
            .first(&mut conn)
            .expect("Peeters")
    };
    let today = tests::dates::today();
    s.app.fixture().registration(
        &peeters,
        today,
        today.and_hms_opt(6, 0, 0).expect("a time"),
        chrono::NaiveTime::from_hms_opt(7, 0, 0).expect("a time"),
        &[shared::dto::registration::MemberRole::Supervisor],
    );
    b.click("sync-now").await;
    b.until("the registration is on the device", async || {
        (stored_registrations(&b, &s.peeters).await == 1).then_some(())
    })
    .await;
    // The rest of the set is as it was: Élégance keeps its registration.
    assert_eq!(stored_registrations(&b, &s.elegance).await, 1);
    b.close().await;
}
