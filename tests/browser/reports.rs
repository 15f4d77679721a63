//! The yearly overview in the browser: an admin opens it from the header, picks a year, reads
//! the counts by host type and the contract rows, and gets the CSV as a download; then imports
//! a register file (checked first) and finds its contract in that year's overview, then that
//! contract's daily registrations, whose people the overview then counts.
//!
//! On a laptop, the overview of a year without registrations says why it counts 0 workers,
//! sums up the rejections by reason and what the enclaves do per host type, shows each
//! contract's activity, and prints with the print date and page numbers (Chromium's
//! print-to-PDF); the statistics' charts keep their labels inside the drawing.

use base64::Engine;
use serde_json::json;
use shared::dto::auth::Role;
use shared::dto::contract::ContractStatus;
use shared::dto::organisation::OrganisationKind;
use tests::dates::{date, local};
use tests::fixture::{ContractSpec, EnclaveSpec};

use super::{ELEGANCE, PW, Scenario};
use tests::driver::Browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_reads_and_downloads_the_yearly_overview() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    s.app.fixture().user("adam", PW, Role::Admin, &[]);
    b.sign_in(&s.url("/login"), "adam", PW).await;
    b.click("nav-overview").await;
    b.until_path("/reports/contracts").await;
    b.find("overview-types").await;
    // Élégance's contract was notified in 2024.
    b.type_into("overview-year", "2024\n").await;
    let rows = b
        .until("the 2024 overview lists one contract", async || {
            let rows = b.all("overview-row").await;
            (rows.len() == 1).then_some(rows)
        })
        .await;
    let text = b.text(&rows[0]).await;
    assert!(text.contains(ELEGANCE), "{text}");
    let regular = b
        .ok(
            "finding the regular-company count",
            b.client
                .find(fantoccini::Locator::Css(
                    "[data-type=RegularCompany] [data-test=count]",
                ))
                .await,
        )
        .await;
    assert_eq!(b.text(&regular).await.trim(), "1");
    b.find("overview-maatwerkbedrijven").await;
    let csv = b.find("overview-csv").await;
    assert!(b.attr(&csv, "download").await.is_some());
    // The file itself comes from the API with the session's token, as a blob the browser
    // saves (the API test checks its content).
    let href = b.attr(&csv, "href").await.unwrap_or_default();
    assert!(href.starts_with("blob:"), "{href}");
    let xlsx = b.find("overview-xlsx").await;
    assert!(
        b.attr(&xlsx, "download")
            .await
            .is_some_and(|d| d.ends_with(".xlsx"))
    );

    // Import a register file: check it first (nothing written), then import it; the overview
    // of its year shows the contract.
    let f = s.app.fixture();
    let mwb = f.organisation(
        OrganisationKind::Maatwerkbedrijf,
        "Atelier Leie",
        Some("0123456749"),
    );
    let host = f.organisation(
        OrganisationKind::GovernmentBody,
        "Stad Kortrijk",
        Some("0200000043"),
    );
    f.enclave(&mwb, &host, EnclaveSpec::default());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.csv");
    std::fs::write(
        &path,
        "referentie;maatwerkbedrijf;gastorganisatie;start;ontvangen\nENC-2022-7;0123.456.749;0200.000.043;2022-05-02;2022-04-28\n",
    )
    .unwrap();
    b.click("nav-imports").await;
    b.until_path("/imports").await;
    let input = b.find("import-file").await;
    let chosen = input.send_keys(&path.to_string_lossy()).await;
    b.ok("choosing the file", chosen).await;
    b.until("the file is read", async || {
        let name = b.find("import-file-name").await;
        b.text(&name).await.contains("register.csv").then_some(())
    })
    .await;
    b.click("import-check").await;
    let report = b.find("import-report").await;
    assert_eq!(
        b.attr(&report, "data-dry-run").await.as_deref(),
        Some("true")
    );
    b.click("import-run").await;
    b.until("the import is done", async || {
        let report = b.find("import-report").await;
        let done = b.attr(&report, "data-dry-run").await.as_deref() == Some("false");
        let added = b.text(&b.find("import-added").await).await;
        (done && added.trim() == "1").then_some(())
    })
    .await;
    b.goto(&s.url("/reports/contracts?year=2022")).await;
    let rows = b
        .until(
            "the 2022 overview lists the imported contract",
            async || {
                let rows = b.all("overview-row").await;
                (rows.len() == 1).then_some(rows)
            },
        )
        .await;
    assert!(b.text(&rows[0]).await.contains("Stad Kortrijk"));

    // Daily registrations of that contract, the same way: the overview then counts its people.
    let path = dir.path().join("registraties.csv");
    std::fs::write(
        &path,
        "referentie;datum;geregistreerd;aanvang;personeelsnummer;naam;rol
ENC-2022-7;2022-05-02;2022-05-02 06:30;07:00;P-1;An Peeters;doelgroepwerknemer
ENC-2022-7;2022-05-02;2022-05-02 06:30;07:00;B-1;Bart Claes;begeleider
",
    )
    .unwrap();
    b.click("nav-imports").await;
    b.until_path("/imports").await;
    b.click("import-registrations").await;
    let input = b.find("import-file").await;
    let chosen = input.send_keys(&path.to_string_lossy()).await;
    b.ok("choosing the registrations", chosen).await;
    b.until("the registrations file is read", async || {
        let name = b.find("import-file-name").await;
        b.text(&name)
            .await
            .contains("registraties.csv")
            .then_some(())
    })
    .await;
    b.click("import-run").await;
    b.until("one registration is imported", async || {
        let report = b.all("import-report").await.into_iter().next()?;
        let done = b.attr(&report, "data-dry-run").await.as_deref() == Some("false");
        let added = b.text(&b.find("import-added").await).await;
        (done && added.trim() == "1").then_some(())
    })
    .await;
    b.goto(&s.url("/reports/contracts?year=2022")).await;
    let workers = b.find("overview-workers").await;
    b.until("the overview counts the registered worker", async || {
        b.text(&workers).await.starts_with("1 ").then_some(())
    })
    .await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_sums_up_reasons_and_activities_and_prints_with_page_numbers() {
    let Some(b) = Browser::open().await else {
        return;
    };
    let s = Scenario::start().await;
    let f = s.app.fixture();
    f.user("adam", PW, Role::Admin, &[]);
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "Atelier Leie", None);
    let city = f.organisation(OrganisationKind::GovernmentBody, "Stad Kortrijk", None);
    let parks = f.enclave(
        &mwb,
        &city,
        EnclaveSpec {
            activity: "Groenonderhoud".into(),
            ..EnclaveSpec::default()
        },
    );
    for (start, status, reason) in [
        ("2023-03-06", ContractStatus::Notified, None),
        (
            "2023-09-04",
            ContractStatus::Rejected,
            Some("Geen begeleider voorzien."),
        ),
    ] {
        f.contract(
            &parks,
            ContractSpec {
                start: date(start),
                notified_local: Some(local(&format!("{start} 09:00"))),
                status,
                rejection_reason: reason.map(str::to_owned),
                ..ContractSpec::default()
            },
        );
    }
    b.set_viewport(1366, 768).await;
    b.sign_in(&s.url("/login"), "adam", PW).await;
    b.find("nav-overview").await;
    b.goto(&s.url("/reports/contracts?year=2023")).await;
    let why = b.find("overview-no-registrations").await;
    assert!(b.text(&why).await.contains("geen dagelijkse registraties"));
    let reason = b.find("overview-reason").await;
    let text = b.text(&reason).await;
    assert!(
        text.contains("Geen begeleider voorzien.") && text.ends_with('1'),
        "{text}"
    );
    let government = b
        .ok(
            "finding the government hosts' activities",
            b.client
                .find(fantoccini::Locator::Css(
                    "[data-test=overview-activities][data-type=Government]",
                ))
                .await,
        )
        .await;
    let text = b.text(&government).await;
    assert!(text.contains("Groenonderhoud (2)"), "{text}");
    let activities = b.all("row-activity").await;
    assert_eq!(activities.len(), 2);
    assert_eq!(b.text(&activities[0]).await, "Groenonderhoud");
    // The wide contract table scrolls within itself: the page does not scroll sideways.
    let sideways = b
        .js("return document.documentElement.scrollWidth > document.documentElement.clientWidth")
        .await;
    assert_eq!(sideways, json!(false), "the overview scrolls sideways");
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    b.screenshot(&tmp.join("overview-laptop.png")).await;
    b.js("document.querySelector('[data-test=overview-reasons]').scrollIntoView({ block: 'center' })")
        .await;
    b.screenshot(&tmp.join("overview-laptop-reasons.png")).await;

    // Printed: Chromium lays out the @page margin boxes; the page says when it was printed.
    let stamp = b
        .js("return getComputedStyle(document.documentElement).getPropertyValue('--printed-on')")
        .await;
    assert!(
        stamp.as_str().is_some_and(|c| c.contains("Afgedrukt op")),
        "{stamp}"
    );
    let pdf = b
        .cdp(
            "Page.printToPDF",
            json!({ "landscape": true, "preferCSSPageSize": true }),
        )
        .await;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(pdf["data"].as_str().expect("the PDF"))
        .expect("base64");
    assert!(bytes.starts_with(b"%PDF"));
    std::fs::write(tmp.join("overview.pdf"), &bytes).expect("write the PDF");

    // Two inspections this month: its bar is the tallest, with its value on top.
    let ines = s.app.login(super::USERNAME, PW).await.access_token;
    for enclave in [&s.elegance, &s.peeters] {
        let record = tests::records::inspection(enclave);
        s.app
            .push(
                &ines,
                vec![shared::dto::sync::SyncRecord::Inspection(Box::new(record))],
            )
            .await;
    }
    b.goto(&s.url("/reports/inspections")).await;
    let controls = b.find("figures-controls").await;
    b.until("the statistics count both", async || {
        (b.text(&controls).await.trim() == "2").then_some(())
    })
    .await;
    // Every chart label lies inside its drawing.
    let outside = b
        .js(r#"
            const out = [];
            document.querySelectorAll('svg').forEach((svg) => {
                const box = svg.getBoundingClientRect();
                svg.querySelectorAll('text').forEach((t) => {
                    const r = t.getBoundingClientRect();
                    if (r.width > 0 && (r.left < box.left - 0.5 || r.right > box.right + 0.5
                        || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)) {
                        out.push(t.textContent);
                    }
                });
            });
            return out;
        "#)
        .await;
    assert_eq!(outside, json!([]), "chart labels cut off");
    b.js("document.querySelector('[data-test=month-chart]').scrollIntoView({ block: 'center' })")
        .await;
    b.screenshot(&tmp.join("statistics-laptop.png")).await;
    b.close().await;
}
