//! The contract register and the statistics in the browser: an admin registers a contract
//! (a mistyped enterprise number is flagged by its check digits; the form's checks and the
//! timeliness follow what is typed, from late to in time), saves it and finds it in the
//! filtered register; then reads the inspection statistics of the year, whose chart and
//! figures hold the inspection the server has. Screenshots of the form and the statistics are
//! saved as `$CARGO_TARGET_TMPDIR/contract.png`, `register.png` and `statistics.png`.
//! Then on a laptop: the register's text filter acts as the admin types, columns sort by a
//! click on their header (aria-sort), the page number shows, and filters and sort are kept in
//! the URL across a reload (`register-sorted.png`).

use chrono::Datelike;
use shared::dto::auth::Role;
use shared::dto::contract::RegisterPage;
use shared::dto::sync::SyncRecord;
use tests::driver::Browser;
use tests::json;
use tests::records::inspection;

use super::{PEETERS, PW, Scenario, USERNAME};
use tests::dates::now_local;

/// Sets an input's value the way a date picker does, and fires `change`.
async fn pick(b: &Browser, name: &str, value: &str) {
    b.find(name).await;
    b.js(&format!(
        "const e = document.querySelector('[data-test={name}]'); e.value = '{value}'; \
         e.dispatchEvent(new Event('change', {{ bubbles: true }}));"
    ))
    .await;
}

async fn on_time(b: &Browser) -> String {
    let t = b.find("contract-timeliness").await;
    b.attr(&t, "data-on-time").await.unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_registers_a_contract_and_reads_the_statistics() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    s.app.fixture().user("adam", PW, Role::Admin, &[]);
    let ines = s.app.login(USERNAME, PW).await.access_token;
    s.app
        .push(
            &ines,
            vec![SyncRecord::Inspection(Box::new(inspection(&s.peeters)))],
        )
        .await;

    b.sign_in(&s.url("/login"), "adam", PW).await;
    b.click("nav-register").await;
    b.until_path("/register").await;
    b.click("register-new").await;
    b.until_path("/register/new").await;

    // A mistyped enterprise number is caught before anything is searched.
    b.type_into("contract-enclave-search", "0123.456.748\n")
        .await;
    b.find("contract-number-error").await;
    b.type_into("contract-enclave-search", "Peeters\n").await;
    b.click("contract-enclave-option").await;
    let chosen = b.find("contract-enclave").await;
    assert!(b.text(&chosen).await.contains(PEETERS));

    // The shared checks and the timeliness follow the input.
    b.type_into("contract-reference", "ENC-2025-100").await;
    pick(&b, "contract-start", "2025-03-10").await;
    assert_eq!(on_time(&b).await, "", "nothing received yet");
    let missing = b.find("contract-problem").await;
    assert_eq!(
        b.attr(&missing, "data-field").await.as_deref(),
        Some("notified_at")
    );
    let save = b.find("contract-save").await;
    assert!(b.attr(&save, "disabled").await.is_some());
    pick(&b, "contract-received", "2025-03-10T08:30").await;
    b.until("late: received on the start day", async || {
        (on_time(&b).await == "false").then_some(())
    })
    .await;
    pick(&b, "contract-received", "2025-03-07T16:00").await;
    b.until("in time: the working day before", async || {
        (on_time(&b).await == "true").then_some(())
    })
    .await;
    assert!(b.all("contract-problem").await.is_empty());
    b.screenshot(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("contract.png"))
        .await;
    // Enter in a field saves, like the button.
    let reference = b.find("contract-reference").await;
    let result = reference.send_keys("\n").await;
    b.ok("pressing Enter in the reference", result).await;
    b.find("contract-saved").await;
    b.until("the form moved to the stored contract", async || {
        let url = b.client.current_url().await.ok()?;
        (url.path().starts_with("/register/") && url.path() != "/register/new").then_some(())
    })
    .await;

    // The server has it; the register shows it under its filter.
    let adam = s.app.login("adam", PW).await.access_token;
    let page: RegisterPage = json(
        s.app.get("/api/contracts?q=ENC-2025-100", &adam).await,
        reqwest::StatusCode::OK,
    )
    .await;
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].timeliness.on_time, Some(true));
    b.click("nav-register").await;
    b.until_path("/register").await;
    b.type_into("register-search", "peeters\n").await;
    b.until("the register lists Peeters' contract only", async || {
        let rows = b.all("register-row").await;
        (rows.len() == 1
            && b.attr(&rows[0], "data-reference").await.as_deref() == Some("ENC-2025-100"))
        .then_some(())
    })
    .await;

    let next = b.find("register-next").await;
    assert_eq!(b.text(&next).await.trim(), "Volgende");
    assert!(b.attr(&next, "disabled").await.is_some(), "one page only");
    let total = b.find("register-total").await;
    assert_eq!(b.text(&total).await.trim(), "1 contract");
    // On a tablet held upright.
    b.set_viewport(800, 1100).await;
    b.screenshot(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("register.png"))
        .await;

    // The statistics of this year: the inspection in this month's bar and in the figures.
    b.click("nav-statistics").await;
    b.until_path("/reports/inspections").await;
    b.find("month-chart").await;
    let month = now_local().month();
    let bar = b
        .ok(
            "finding this month's bar",
            b.client
                .find(fantoccini::Locator::Css(&format!(
                    "[data-test=month-bar][data-month='{month}']"
                )))
                .await,
        )
        .await;
    assert_eq!(b.attr(&bar, "data-inspections").await.as_deref(), Some("1"));
    let controls = b.find("figures-controls").await;
    assert_eq!(b.text(&controls).await.trim(), "1");
    assert_eq!(b.all("check-bar").await.len(), 3);
    let types = b.all("type-bar").await;
    assert_eq!(types.len(), 1, "only the regular company was inspected");
    assert_eq!(
        b.attr(&types[0], "data-percent").await.as_deref(),
        Some("100")
    );
    let csv = b.find("statistics-csv").await;
    let href = b.attr(&csv, "href").await.unwrap_or_default();
    assert!(href.starts_with("blob:"), "{href}");
    // For humans to look at, like the enclave page's: the charts.
    b.js("document.querySelector('[data-test=month-chart]').scrollIntoView()")
        .await;
    b.screenshot(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("statistics.png"))
        .await;
    b.close().await;
}

/// The start dates of the listed rows, top to bottom.
async fn starts(b: &Browser) -> Vec<String> {
    let mut out = Vec::new();
    for row in b.all("register-row").await {
        out.push(b.attr(&row, "data-start").await.unwrap_or_default());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_sorts_filters_as_you_type_and_keeps_both_in_the_url() {
    let Some(b) = Browser::open().await else {
        return;
    };
    b.set_viewport(1366, 768).await;
    let s = Scenario::start().await;
    let f = s.app.fixture();
    f.user("adam", PW, Role::Admin, &[]);
    let peeters: server::db::rows::EnclaveRow = {
        use diesel::prelude::*;
        use server::db::schema::enclaves;
        enclaves::table
            .filter(enclaves::id.eq(&s.peeters))
            .select(server::db::rows::EnclaveRow::as_select())
            .first(&mut s.app.db.get().unwrap())
            .unwrap()
    };
    for (start, end) in [
        ("2021-02-01", Some("2021-12-31")),
        ("2023-05-02", None),
        ("2022-01-03", Some("2022-12-30")),
    ] {
        f.contract(
            &peeters,
            tests::fixture::ContractSpec {
                start: tests::dates::date(start),
                end: end.map(tests::dates::date),
                notified_local: Some(tests::dates::local(&format!("{start} 08:00"))),
                ..Default::default()
            },
        );
    }
    b.sign_in(&s.url("/login"), "adam", PW).await;
    b.click("nav-register").await;
    b.until_path("/register").await;
    // Typed, no Enter: the list follows once typing pauses.
    b.type_into("register-search", "peeters").await;
    b.until("only Peeters' three contracts", async || {
        (b.all("register-row").await.len() == 3).then_some(())
    })
    .await;
    let sort = async |key: &str| {
        b.js(&format!(
            "document.querySelector('[data-test=register-sort-{key}] button').click()"
        ))
        .await;
    };
    sort("start").await;
    b.until("sorted by start, oldest first", async || {
        (starts(&b).await == ["2021-02-01", "2022-01-03", "2023-05-02"]).then_some(())
    })
    .await;
    let th = b.find("register-sort-start").await;
    assert_eq!(b.attr(&th, "aria-sort").await.as_deref(), Some("ascending"));
    sort("start").await;
    b.until("sorted by start, newest first", async || {
        (starts(&b).await == ["2023-05-02", "2022-01-03", "2021-02-01"]).then_some(())
    })
    .await;
    let url = b
        .js("return location.pathname + location.search")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        url.starts_with("/register?")
            && url.contains("q=peeters")
            && url.contains("sort=start")
            && url.contains("desc=true"),
        "{url}"
    );
    let number = b.find("register-page-number").await;
    assert_eq!(b.text(&number).await.trim(), "pagina 1 van 1");

    // A reload (or the link sent to a colleague) shows the same list.
    b.goto(&s.url(&url)).await;
    b.until("the same list after a reload", async || {
        (starts(&b).await == ["2023-05-02", "2022-01-03", "2021-02-01"]).then_some(())
    })
    .await;
    let th = b.find("register-sort-start").await;
    assert_eq!(
        b.attr(&th, "aria-sort").await.as_deref(),
        Some("descending")
    );
    let kept = b
        .js("return document.querySelector('[data-test=register-search]').value")
        .await;
    assert_eq!(kept.as_str(), Some("peeters"));
    b.screenshot(&std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("register-sorted.png"))
        .await;
    b.close().await;
}
