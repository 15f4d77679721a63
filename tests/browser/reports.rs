//! The yearly overview in the browser: an admin opens it from the header, picks a year, reads
//! the counts by host type and the contract rows, and gets the CSV as a download; then imports
//! a register file (checked first) and finds its contract in that year's overview, then that
//! contract's daily registrations, whose people the overview then counts.

use shared::dto::auth::Role;
use shared::dto::organisation::OrganisationKind;
use tests::fixture::EnclaveSpec;

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
