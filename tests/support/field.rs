//! Recording inspections through the PWA in headless Chromium, shared by the field browser
//! tests and the field-sync benchmark: photo files to choose, the steps of an inspection, and
//! waiting until the device says everything is on the server.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::demo::DemoServer;
use crate::driver::Browser;
use crate::proxy::Proxy;
use crate::{Backend, TestApp};

/// Where a Chromium bench of the field app starts: the demo server on SQLite behind a proxy
/// that can cut the network, and headless Chromium at a 10-inch tablet's viewport with the
/// demo inspector signed in (on the search page).
pub struct FieldBench {
    pub browser: Browser,
    pub demo: DemoServer,
    pub proxy: Proxy,
}

impl FieldBench {
    /// Starts it all; a bench without Chromium cannot measure anything, so that panics.
    pub async fn start() -> Self {
        let Some(browser) = Browser::open().await else {
            panic!("headless Chromium is needed for this benchmark");
        };
        let demo = crate::demo::start(Backend::Sqlite).await;
        let proxy = Proxy::start(demo.base_url.trim_start_matches("http://")).await;
        browser.set_viewport(800, 1280).await;
        let bench = Self {
            browser,
            demo,
            proxy,
        };
        bench
            .browser
            .sign_in(&bench.url("/login"), "inspector", "inspector-demo")
            .await;
        bench.browser.find("search-input").await;
        bench
    }

    /// `path` on the server, through the proxy.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.proxy.base_url)
    }
}

/// A 24-bit BMP of `width`×`height` noise from `seed`: every file a different photo, which the
/// app turns into a JPEG of about two thirds of a byte a pixel (800×600: ~320 KB).
pub fn bmp(width: u32, height: u32, seed: u64) -> Vec<u8> {
    let row = (width * 3).div_ceil(4) * 4;
    let size = 54 + row * height;
    let mut out = Vec::with_capacity(size as usize);
    out.extend_from_slice(b"BM");
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&54u32.to_le_bytes());
    out.extend_from_slice(&40u32.to_le_bytes());
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&24u16.to_le_bytes());
    out.extend_from_slice(&[0; 24]);
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for _ in 0..height {
        for x in 0..row {
            if x < width * 3 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                out.push(state as u8);
            } else {
                out.push(0);
            }
        }
    }
    out
}

/// Writes a photo file to `dir` and gives its path.
pub fn photo_file(dir: &Path, name: &str, width: u32, height: u32, seed: u64) -> PathBuf {
    let path = dir.join(format!("{name}.bmp"));
    std::fs::write(&path, bmp(width, height, seed)).expect("photo file");
    path
}

/// Signs in at `base` and prepares for the field: the working set on the device and the app
/// shell in the service worker's cache, so the app also starts offline.
pub async fn prepare_for_the_field(b: &Browser, base: &str, username: &str, password: &str) {
    b.sign_in(&format!("{base}/login"), username, password)
        .await;
    b.find("search-input").await;
    b.goto(&format!("{base}/device")).await;
    b.click("prepare").await;
    b.find("working-set-count").await;
    until_service_worker(b).await;
}

/// Starts an inspection of `enclave` from its page (from the device) and gives its path.
pub async fn start_inspection(b: &Browser, base: &str, enclave: &str) -> String {
    b.goto(&format!("{base}/enclaves/{enclave}")).await;
    b.until("the device store is read", async || {
        let start = b.find("start-inspection").await;
        b.attr(&start, "disabled").await.is_none().then_some(())
    })
    .await;
    b.click("start-inspection").await;
    b.find("inspection-title").await;
    let url = b.ok("reading the URL", b.client.current_url().await).await;
    url.path().to_owned()
}

/// Prints the page as Chromium prints it on A4 upright (the page's own `@page` size) to a PDF
/// kept at `path` for humans to read; fails unless it is a PDF.
pub async fn print_to_pdf(b: &Browser, path: &Path) {
    let pdf = b
        .cdp(
            "Page.printToPDF",
            serde_json::json!({ "preferCSSPageSize": true }),
        )
        .await;
    let data = pdf["data"].as_str().unwrap_or_default();
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, data)
        .expect("the PDF's bytes");
    assert!(
        bytes.starts_with(b"%PDF"),
        "a PDF: {}",
        &data[..data.len().min(20)]
    );
    std::fs::write(path, bytes).expect("the PDF kept for humans to read");
}

/// Scrolls the element `name` to the middle of the screen (clear of the sticky header, which
/// would take a tap on an element scrolled under it) and taps it.
pub async fn tap(b: &Browser, name: &str) {
    b.js(&format!(
        "document.querySelector('[data-test=\"{name}\"]').scrollIntoView({{ block: 'center' }})"
    ))
    .await;
    b.click(name).await;
}

/// Answers what the form leaves unanswered until the inspector answers it: confirms the
/// three computed checks and answers the questions on the work (the host's main activity,
/// only the begeleider, the host assigns no tasks, the begeleider is there the whole shift).
pub async fn answer_the_questions(b: &Browser) {
    for check in ["contract_filed", "daily_registration", "supervisor_present"] {
        tap(b, &format!("confirm-{check}")).await;
    }
    tap(b, "main_activity-yes").await;
    tap(b, "given-by-supervisor").await;
    tap(b, "host_assigns_tasks-no").await;
    tap(b, "supervisor_whole_shift-yes").await;
}

/// Adds a finding (of medium severity) with the given photos, waiting until each is on the
/// page.
pub async fn finding_with_photos(b: &Browser, photos: &[PathBuf]) {
    b.type_into("finding-category", "Registratie").await;
    b.choose("finding-severity", "medium").await;
    b.type_into("finding-text", "Team werkt zoals geregistreerd.")
        .await;
    tap(b, "add-finding").await;
    b.find("finding").await;
    for (i, photo) in photos.iter().enumerate() {
        let input = b.find("photo-input").await;
        let chosen = input.send_keys(&photo.to_string_lossy()).await;
        b.ok("choosing a photo", chosen).await;
        b.until("the photo is on the page", async || {
            (b.all("photo").await.len() > i).then_some(())
        })
        .await;
    }
    b.until("the draft is saved", async || {
        let saved = b.find("draft-saved").await;
        (b.attr(&saved, "data-saved").await.as_deref() == Some("true")).then_some(())
    })
    .await;
}

/// Answers the questions and chooses a conclusion; the form is then ready to submit.
pub async fn conclude(b: &Browser) {
    answer_the_questions(b).await;
    tap(b, "measure-advice").await;
    b.type_into("motivation", "Alles in orde; informatie gegeven.")
        .await;
}

/// Waits until the submitted view shows the record (after `submit`).
pub async fn until_submitted(b: &Browser) {
    b.find("sync-state").await;
}

/// Syncs on demand until the header says everything is on the server.
pub async fn until_all_synced(b: &Browser, base: &str, within: Duration) {
    b.goto(&format!("{base}/device")).await;
    let deadline = std::time::Instant::now() + within;
    loop {
        let indicator = b.find("sync-indicator").await;
        if b.attr(&indicator, "data-state").await.as_deref() == Some("synced") {
            return;
        }
        if std::time::Instant::now() > deadline {
            b.fail("everything syncs once the network heals").await;
        }
        if let Some(button) = b.all("sync-now").await.first() {
            // A sync already running keeps the button busy; a click then does nothing.
            let _ = button.click().await;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// The outbox states on the device page, by record.
pub async fn outbox_states(b: &Browser) -> Vec<String> {
    let mut states = Vec::new();
    for entry in b.all("outbox-entry").await {
        states.push(b.attr(&entry, "data-state").await.unwrap_or_default());
    }
    states
}

/// Waits until the service worker controls the page (it has the app shell by then).
pub async fn until_service_worker(b: &Browser) {
    b.until("the service worker controls the page", async || {
        let controlled = b
            .client
            .execute(
                "return navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller !== null)",
                vec![],
            )
            .await
            .ok()?;
        (controlled == serde_json::Value::Bool(true)).then_some(())
    })
    .await;
}

/// A reviewer (`rita`, made here) returns the inspection `id` on its first version, asking
/// who the begeleider is.
pub async fn returned_by_a_reviewer(app: &TestApp, id: &str, password: &str) {
    use shared::dto::auth::Role;
    use shared::dto::review::{ReviewDecision, ReviewRequest};
    app.fixture().user("rita", password, Role::Reviewer, &[]);
    let rita = app.login("rita", password).await.access_token;
    let returned = app
        .send(
            reqwest::Method::POST,
            &format!("/api/inspections/{id}/review"),
            Some(&rita),
            Some(&ReviewRequest {
                decision: ReviewDecision::Return,
                comment: "Wie is de begeleider?".into(),
                version: 1,
            }),
        )
        .await;
    assert_eq!(returned.status(), reqwest::StatusCode::OK, "returning {id}");
}
