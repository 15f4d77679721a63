//! The clerk's import on a laptop (1366×768), and the same on a tablet (800×1280): the
//! department's own register file (names beside enterprise numbers, a site column under a
//! header the application does not know, an open-ended contract ended by the file) is uploaded;
//! the mapping step proposes the number columns, not the name columns; the clerk sees an
//! ambiguous row refused, chooses the site column, checks (nothing imported yet), imports and
//! sees what was imported, each contract linked to its enclave. Screenshots:
//! `$CARGO_TARGET_TMPDIR/import-mapping.png` and `import-result.png`.

use shared::dto::auth::Role;
use shared::dto::organisation::OrganisationKind;
use tests::axe::audit;
use tests::driver::Browser;
use tests::fixture::{ContractSpec, EnclaveSpec};

use super::{PW, Scenario};

/// The summary once the report of the wanted kind (dry run or not) is shown.
async fn summary(b: &Browser, dry_run: bool) -> String {
    b.until("the import's report", async || {
        let report = b.all("import-report").await.into_iter().next()?;
        (b.attr(&report, "data-dry-run").await.as_deref() == Some(&dry_run.to_string()))
            .then_some(())
    })
    .await;
    b.text(&b.find("import-summary").await).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_maps_checks_and_imports_the_register_file() {
    import((1366, 768), "").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_on_a_tablet_maps_checks_and_imports_the_same() {
    import((800, 1280), "-tablet").await;
}

/// The clerk's import on a screen of `width`×`height`; screenshots named with `suffix`
/// (empty for the laptop).
async fn import((width, height): (u32, u32), suffix: &str) {
    let Some(b) = Browser::open().await else {
        return;
    };
    b.set_viewport(width, height).await;
    let s = Scenario::start().await;
    let f = s.app.fixture();
    f.user("adam", PW, Role::Admin, &[]);
    let mwb = f.organisation(
        OrganisationKind::Maatwerkbedrijf,
        "Atelier Kouter",
        Some("0123456749"),
    );
    let host = f.organisation(
        OrganisationKind::RegularCompany,
        "Brouwerij Gent",
        Some("0200000043"),
    );
    f.enclave(&mwb, &host, EnclaveSpec::default());
    let store = f.enclave(
        &mwb,
        &host,
        EnclaveSpec {
            site_name: "Opslag".into(),
            street: "Havenlaan 5".into(),
            ..EnclaveSpec::default()
        },
    );
    let open = f.contract(&store, ContractSpec::default());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register-wse.csv");
    std::fs::write(
        &path,
        format!(
            "Referentie;Gebruiker;Ondernemingsnummer gebruiker;Maatwerkbedrijf;Ondernemingsnummer maatwerkbedrijf;Werkpost;Startdatum;Einddatum;Datum ontvangst
{open};Brouwerij Gent;0200.000.043;Atelier Kouter;BE 0123.456.749;Opslag;11/03/2024;31/08/2024;2024-03-01 10:00
CL-1;Brouwerij Gent;0200.000.043;Atelier Kouter;BE 0123.456.749;Productiehal;11/03/2024;31/12/2024;08/03/2024 09:30
CL-2;Brouwerij Gent;0200.000.043;Atelier Kouter;BE 0123.456.749;Opslag;01/09/2024;;20/08/2024
",
            open = open.reference
        ),
    )
    .unwrap();

    b.sign_in(&s.url("/login"), "adam", PW).await;
    b.click("nav-imports").await;
    b.until_path("/imports").await;
    let input = b.find("import-file").await;
    let chosen = input.send_keys(&path.to_string_lossy()).await;
    b.ok("choosing the file", chosen).await;

    // The mapping step: the number columns (3 and 5), not the name columns; "Werkpost" is
    // not known as the site.
    b.find("import-mapping").await;
    let value = async |name: &str| -> String {
        b.js(&format!(
            "return document.querySelector('[data-test={name}]').value"
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    };
    b.until("the proposal is shown", async || {
        (value("map-host").await == "2").then_some(())
    })
    .await;
    assert_eq!(value("map-maatwerkbedrijf").await, "4");
    assert_eq!(value("map-received").await, "8");
    assert_eq!(value("map-site").await, "");
    let samples = b.all("mapping-samples").await;
    assert!(
        b.text(&samples[1]).await.contains("0123.456.749"),
        "the chosen column's values are shown"
    );

    // Checked as proposed: the host's two enclaves cannot be told apart; the candidates named.
    b.click("import-check").await;
    let said = summary(&b, true).await;
    assert!(said.contains("Niets ingelezen"), "{said}");
    let problems = b.all("import-problem").await;
    assert_eq!(
        problems.len(),
        3,
        "every row names the host with two enclaves"
    );
    let first = b.text(&problems[0]).await;
    assert!(
        first.contains("Productiehal") && first.contains("Opslag"),
        "{first}"
    );

    // The clerk corrects one choice: the site is in "Werkpost"; the check then passes.
    b.choose("map-site", "5").await;
    b.until("the old report is cleared", async || {
        b.all("import-report").await.is_empty().then_some(())
    })
    .await;
    b.click("import-check").await;
    let said = summary(&b, true).await;
    assert!(
        said.contains("nog niets ingelezen") && said.contains("2 nieuw, 1 gewijzigd"),
        "{said}"
    );
    // The mapping step passes axe-core, and its controls are touch targets.
    let mut problems = Vec::new();
    audit(&b, "import mapping", &mut problems).await;
    assert_eq!(problems, Vec::<String>::new());
    // The whole mapping step and the check's answer in one picture.
    b.set_viewport(width, height.max(1500)).await;
    b.screenshot(
        &std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("import-mapping{suffix}.png")),
    )
    .await;
    b.set_viewport(width, height).await;

    // Imported: it says what, and links each contract to its enclave.
    b.click("import-run").await;
    let said = summary(&b, false).await;
    assert!(
        said.starts_with("3 ingelezen: 2 nieuw, 1 gewijzigd"),
        "{said}"
    );
    let listed = b.all("import-contract").await;
    assert_eq!(listed.len(), 3);
    assert!(b.text(&listed[0]).await.contains(&open.reference));
    assert!(b.text(&listed[0]).await.contains("gewijzigd"));
    let link = b
        .js("return document.querySelector('[data-test=import-contract] a').getAttribute('href')")
        .await;
    assert_eq!(
        link.as_str(),
        Some(format!("/enclaves/{}", store.id).as_str())
    );
    b.js("document.querySelector('[data-test=import-summary]').scrollIntoView()")
        .await;
    b.screenshot(
        &std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("import-result{suffix}.png")),
    )
    .await;
    audit(&b, "import result", &mut problems).await;
    assert_eq!(problems, Vec::<String>::new());

    // The register shows the enterprise numbers, so a search by number shows what matched.
    b.goto(&s.url("/register?q=0123456749")).await;
    let shown = b
        .until("the number under the name", async || {
            let el = b.all("enterprise-number").await.into_iter().next()?;
            Some(b.text(&el).await)
        })
        .await;
    assert_eq!(shown.trim(), "0123.456.749");
    b.close().await;
}
