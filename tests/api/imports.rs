//! Importing the department's contract register: a good file (CSV and Excel), a dry run that
//! writes nothing, the same file twice, an approval recorded by a later file (and kept by a
//! file without the column), a file with bad rows (every problem with its row, and
//! nothing imported), an empty file, a wrong format, a huge file; the imported contracts reach
//! devices of the region through the pull and the enclave page's verdict. A clerk's own file
//! (Dutch headers, a name column beside the number column, a site column, an empty receipt
//! date, an overlap with an open-ended contract): the proposed mapping, the problems, the
//! fixed file imported and what it did. Every contract the register form refuses, the import
//! refuses with the same problems. A column of support needs sets each team's, which the
//! enclave page and the tablets' working sets then carry.

use reqwest::StatusCode;
use shared::dto::contract::ContractStatus;
use shared::dto::enclave::EnclaveDetail;
use shared::dto::field::{WireSet, WorkingSet};
use shared::dto::import::{ContractField, ImportChange, ImportColumns, ImportReport};
use shared::dto::organisation::OrganisationKind;
use shared::dto::sync::Entity;
use shared::rules::supervision_norm::SupportNeed;
use shared::rules::time::belgian_local;
use shared::rules::verdict::VerdictStatus;
use tests::fixture::{ContractSpec, EnclaveSpec};
use tests::{Backend, TestApp, World, assert_error, json, on_both_backends};

on_both_backends!(
    contract_register_imports,
    registration_imports,
    a_clerks_register_file_imports_with_its_mapping,
    a_mapping_that_does_not_fit_the_file_is_refused,
    the_import_refuses_what_the_form_refuses,
    a_register_file_records_each_teams_support_need
);

const OTHER_HOST: &str = "0300000016";

async fn import(app: &TestApp, token: &str, query: &str, body: Vec<u8>) -> reqwest::Response {
    upload(app, token, "contracts", query, body).await
}

async fn upload(
    app: &TestApp,
    token: &str,
    what: &str,
    query: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(format!("{}/api/imports/{what}?{query}", app.base_url))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .expect("import request")
}

const GOOD: &str = "Referentie;Maatwerkbedrijf;Gastorganisatie;Start;Einde;Ontvangen;Status;Reden weigering
ENC-2019-001;0123.456.749;BE 0200.000.043;2019-03-11;;2019-03-08 10:00;gemeld;
ENC-2019-002;0123456749;0200000043;02/09/2019;31/12/2019;01/08/2019;geweigerd;Geen begeleider voorzien
";

async fn contract_register_imports(backend: Backend) {
    let World {
        app,
        admin,
        inspector,
        enclave,
        ..
    } = World::new(backend).await;
    let (adam, ines) = (admin.token, inspector.token);
    app.fixture().organisation(
        OrganisationKind::RegularCompany,
        "Zonder Enclave",
        Some(OTHER_HOST),
    );
    let cursor = app.pull(&ines, 0, 100).await.next_cursor;
    let page = async || -> EnclaveDetail {
        json(
            app.get(
                &format!("/api/enclaves/{}?on=2019-06-03&at=10:00", enclave.id),
                &adam,
            )
            .await,
            StatusCode::OK,
        )
        .await
    };
    assert!(page().await.contracts.is_empty());

    // A dry run previews and writes nothing.
    let preview: ImportReport = json(
        import(&app, &adam, "format=csv&dry_run=true", GOOD.into()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((preview.dry_run, preview.rows, preview.added), (true, 2, 2));
    assert!(
        page().await.contracts.is_empty(),
        "a dry run writes nothing"
    );

    // The import: both contracts, on the enclave, check 1 judged on them.
    let done: ImportReport = json(
        import(&app, &adam, "format=csv", GOOD.into()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((done.added, done.updated, done.unchanged), (2, 0, 0));
    let detail = page().await;
    assert_eq!(detail.contracts.len(), 2);
    assert_eq!(detail.checks.contract_filed.status, VerdictStatus::Pass);
    let rejected = detail
        .contracts
        .iter()
        .find(|c| c.reference == "ENC-2019-002")
        .unwrap();
    assert_eq!(
        rejected.rejection_reason.as_deref(),
        Some("Geen begeleider voorzien")
    );
    // Devices of the region pull both.
    let pulled = app.pull(&ines, cursor, 100).await.changes;
    assert_eq!(
        pulled
            .iter()
            .filter(|c| c.entity == Entity::Contract)
            .count(),
        2
    );

    // The same file again adds nothing; a changed row updates.
    let again: ImportReport = json(
        import(&app, &adam, "format=csv", GOOD.into()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 2));
    let changed = GOOD.replace("31/12/2019", "30/06/2020");
    let third: ImportReport = json(
        import(&app, &adam, "format=csv", changed.clone().into()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((third.added, third.updated, third.unchanged), (0, 1, 1));

    // An approval recorded later: the import stores its date, and the same file again then
    // changes nothing.
    let approved = "Referentie;Maatwerkbedrijf;Gastorganisatie;Start;Einde;Ontvangen;Goedgekeurd op;Status;Reden weigering
ENC-2019-001;0123.456.749;BE 0200.000.043;2019-03-11;;2019-03-08 10:00;2019-03-09 14:30;goedgekeurd;
";
    for (updated, unchanged) in [(1, 0), (0, 1)] {
        let report: ImportReport = json(
            import(&app, &adam, "format=csv", approved.into()).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            (report.added, report.updated, report.unchanged),
            (0, updated, unchanged),
            "{report:?}"
        );
    }
    let contract = page()
        .await
        .contracts
        .into_iter()
        .find(|c| c.reference == "ENC-2019-001")
        .expect("the approved contract");
    assert_eq!(contract.status, ContractStatus::Approved);
    assert_eq!(
        contract.approved_at.map(|t| belgian_local(t).to_string()),
        Some("2019-03-09 14:30:00".to_owned()),
        "stored as the file says, in Belgian time"
    );
    // A file without the column says nothing of the approval: the register keeps its date.
    let report: ImportReport = json(
        import(&app, &adam, "format=csv", changed.into()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((report.added, report.updated), (0, 1), "{report:?}");
    let kept = page()
        .await
        .contracts
        .into_iter()
        .find(|c| c.reference == "ENC-2019-001")
        .expect("the contract");
    assert_eq!(kept.status, ContractStatus::Notified);
    assert_eq!(kept.approved_at, contract.approved_at);

    // Bad rows: each named with its row and column; nothing of the file is imported.
    let bad =
        "referentie,maatwerkbedrijf,gastorganisatie,start,einde,ontvangen,status,reden weigering
ENC-2020-001,0123456749,0200000043,2019-01-07,2019-03-08,2019-01-02,gemeld,
ENC-2020-002,0123456748,0200000043,2020-02-03,,2020-01-30,gemeld,
ENC-2020-003,0123456749,0300000016,2020-13-01,,2020-01-30,gemeld,
ENC-2020-001,0123456749,0200000043,2020-03-02,2020-01-01,gisteren,misschien,
ENC-2020-005,0123456749,0200000043,2020-03-02,,2020-02-01,geweigerd,
";
    let res = import(&app, &adam, "format=csv", bad.into()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let report: ImportReport = res.json().await.unwrap();
    assert_eq!(report.added, 0);
    let problems: Vec<(u32, &str)> = report
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_str()))
        .collect();
    for expected in [
        (3, "maatwerkbedrijf"),
        (4, "start"),
        (4, "gastorganisatie"),
        (5, "referentie"),
        (5, "einde"),
        (5, "ontvangen"),
        (5, "status"),
        (6, "reden weigering"),
    ] {
        assert!(problems.contains(&expected), "{expected:?} in {problems:?}");
    }
    assert!(
        !problems.iter().any(|(row, _)| *row == 2),
        "row 2 is fine: {problems:?}"
    );
    assert!(
        report
            .problems
            .iter()
            .all(|p| !p.message_nl.is_empty() && !p.message_en.is_empty())
    );
    assert_eq!(page().await.contracts.len(), 2, "all or nothing");

    // A missing column, an empty file, a wrong format, a huge file, the wrong role.
    let res = import(
        &app,
        &adam,
        "format=csv",
        b"referentie;start\nX;2020-01-01\n".to_vec(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(
        import(&app, &adam, "format=csv", Vec::new()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_error(
        import(
            &app,
            &adam,
            "format=csv",
            b"referentie;maatwerkbedrijf\n".to_vec(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_error(
        import(&app, &adam, "format=xlsx", GOOD.into()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_error(
        import(&app, &adam, "format=pdf", GOOD.into()).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    assert_error(
        import(&app, &adam, "format=csv", vec![b'x'; 11 * 1024 * 1024]).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    assert_error(
        import(&app, &ines, "format=csv", GOOD.into()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Excel: a sheet as the department keeps it, dates as Excel dates.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in [
        "Referentie",
        "Maatwerkbedrijf",
        "Gastorganisatie",
        "Start",
        "Ontvangen",
        "Einde",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "ENC-2021-001").unwrap();
    sheet.write_string(1, 1, "0123.456.749").unwrap();
    sheet.write_string(1, 2, "0200.000.043").unwrap();
    // Ended before ENC-2019-001 started: no overlap.
    let start = rust_xlsxwriter::ExcelDateTime::from_ymd(2019, 1, 7).unwrap();
    let received = rust_xlsxwriter::ExcelDateTime::from_ymd(2019, 1, 3).unwrap();
    let end = rust_xlsxwriter::ExcelDateTime::from_ymd(2019, 2, 28).unwrap();
    sheet
        .write_datetime_with_format(1, 3, &start, &date)
        .unwrap();
    sheet
        .write_datetime_with_format(1, 4, &received, &date)
        .unwrap();
    sheet.write_datetime_with_format(1, 5, &end, &date).unwrap();
    let file = book.save_to_buffer().unwrap();
    let report: ImportReport = json(
        import(&app, &adam, "format=xlsx", file).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((report.rows, report.added), (1, 1), "{report:?}");
    let imported = page().await;
    let c = imported
        .contracts
        .iter()
        .find(|c| c.reference == "ENC-2021-001")
        .unwrap();
    assert_eq!(c.start_date.to_string(), "2019-01-07");
}

/// Two days of one enclave: a worker and a supervisor, then the same two and a new worker.
const REGISTRATIONS: &str = "referentie,datum,geregistreerd,aanvang,personeelsnummer,naam,rol
ENC-2025-001,2025-03-10,2025-03-10 06:45,07:00,P-001,An Peeters,doelgroepwerknemer
ENC-2025-001,2025-03-10,2025-03-10 06:45,07:00,B-001,Bart Claes,begeleider
ENC-2025-001,2025-03-11,2025-03-11 06:40,07:00,P-001,An Peeters,doelgroepwerknemer
ENC-2025-001,2025-03-11,2025-03-11 06:40,07:00,P-002,Chris Wouters,worker
ENC-2025-001,2025-03-11,2025-03-11 06:40,07:00,B-001,Bart Claes,supervisor
";

async fn registration_imports(backend: Backend) {
    use chrono::NaiveTime;
    use shared::dto::report::ContractOverview;

    let world = World::new(backend).await;
    let row = world.contract();
    let World {
        app,
        admin,
        reviewer,
        inspector,
        enclave,
        ..
    } = world;
    let file = REGISTRATIONS.replace("ENC-2025-001", &row.reference);
    let (adam, rita, ines) = (admin.token, reviewer.token, inspector.token);
    let cursor = app.pull(&ines, 0, 100).await.next_cursor;
    let page = async |day: &str| -> EnclaveDetail {
        json(
            app.get(
                &format!("/api/enclaves/{}?on={day}&at=10:00", enclave.id),
                &adam,
            )
            .await,
            StatusCode::OK,
        )
        .await
    };

    // A dry run: two registrations would be added, none is.
    let preview: ImportReport = json(
        upload(
            &app,
            &adam,
            "registrations",
            "dry_run=true",
            file.clone().into(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((preview.rows, preview.added), (5, 2));
    assert!(page("2025-03-10").await.registration.is_none());

    // The import: both days, with their people; check 2 passes on them.
    let done: ImportReport = json(
        upload(&app, &adam, "registrations", "", file.clone().into()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((done.added, done.unchanged), (2, 0));
    let day = page("2025-03-11").await;
    let registration = day.registration.expect("the 11th is registered");
    assert_eq!(registration.members.len(), 3);
    assert_eq!(
        registration.planned_start,
        NaiveTime::from_hms_opt(7, 0, 0).unwrap()
    );
    assert_eq!(day.checks.daily_registration.status, VerdictStatus::Pass);
    // Devices of the region pull both registrations.
    let pulled = app.pull(&ines, cursor, 100).await.changes;
    assert_eq!(
        pulled
            .iter()
            .filter(|c| c.entity == Entity::Registration)
            .count(),
        2
    );
    // The overview counts them: 2 distinct workers, 1 supervisor, 3 + 2 person-days.
    let overview: ContractOverview = json(
        app.get("/api/reports/contracts?year=2025", &rita).await,
        StatusCode::OK,
    )
    .await;
    let h = overview.rows[0].headcount;
    assert_eq!(
        (h.workers, h.supervisors, h.worker_days, h.supervisor_days),
        (2, 1, 3, 2)
    );

    // The same file twice adds nothing.
    let again: ImportReport = json(
        upload(&app, &adam, "registrations", "", file.clone().into()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((again.added, again.unchanged), (0, 2));

    // A registration is never rewritten afterwards, and bad rows are named; nothing of the
    // file is imported.
    let bad = format!(
        "referentie;datum;geregistreerd;aanvang;personeelsnummer;naam;rol
{r};2025-03-11;2025-03-11 09:00;07:00;P-003;Dirk Smet;doelgroepwerknemer
{r};2025-03-12;2025-03-12 06:30;07:00;P-001;An Peeters;chauffeur
ONBEKEND;2025-03-12;2025-03-12 06:30;07:00;P-001;An Peeters;begeleider
{r};2025-13-40;gisteren;7u;;;begeleider
{r};2025-03-14;2025-03-14 06:30;07:00;P-001;An Peeters;doelgroepwerknemer
",
        r = row.reference
    );
    let failed: ImportReport = json(
        upload(&app, &adam, "registrations", "", bad.into()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let named: Vec<(u32, &str)> = failed
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_str()))
        .collect();
    for expected in [
        (3, "rol"),
        (4, "referentie"),
        (5, "datum"),
        (5, "geregistreerd"),
        (5, "aanvang"),
        (5, "personeelsnummer"),
        (5, "naam"),
    ] {
        assert!(named.contains(&expected), "{expected:?} in {named:?}");
    }
    assert_eq!(failed.added, 0);
    // Row 2 (a different registration of the 11th) is only found once the rows are valid.
    let rewrite = format!(
        "referentie;datum;geregistreerd;aanvang;personeelsnummer;naam;rol
{r};2025-03-11;2025-03-11 09:00;07:00;P-003;Dirk Smet;doelgroepwerknemer
{r};2025-03-14;2025-03-14 06:30;07:00;P-001;An Peeters;doelgroepwerknemer
",
        r = row.reference
    );
    let refused: ImportReport = json(
        upload(&app, &adam, "registrations", "", rewrite.into()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused.problems.len(), 1);
    assert_eq!(refused.problems[0].row, 2);
    assert!(
        page("2025-03-14").await.registration.is_none(),
        "all or nothing"
    );
    assert_eq!(
        page("2025-03-11").await.registration.unwrap().members.len(),
        3
    );

    // Files that are not registrations, and who may import.
    let res = upload(&app, &adam, "registrations", "", b"naam;rol\n".to_vec()).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no data rows"
    );
    let missing: ImportReport = json(
        upload(
            &app,
            &adam,
            "registrations",
            "",
            b"naam;rol\nAn;begeleider\n".to_vec(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(missing.problems.iter().all(|p| p.row == 1));
    assert_error(
        upload(&app, &rita, "registrations", "", file.into()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

/// The department's register as a clerk writes it: names beside numbers, a site column for a
/// host with two enclaves. `{open}` is the reference of the open-ended contract in the register.
const CLERK_BAD: &str = "Referentie;Gebruiker;Ondernemingsnummer gebruiker;Maatwerkbedrijf;Ondernemingsnummer maatwerkbedrijf;Vestiging;Startdatum;Einddatum;Datum ontvangst
CL-1;Brouwerij Gent;0200.000.043;Atelier Kouter;BE 0123.456.749;Productiehal;11/03/2024;31/12/2024;08/03/2024 09:30
CL-2;Brouwerij Gent;0200.000.043;Atelier Kouter;BE 0123.456.749;Magazijn;01/09/2024;;20/08/2024
CL-3;Brouwerij Gent;0200.000.043;Atelier Kouter;BE 0123.456.749;Productiehal;06/01/2025;;
CL-4;Brouwerij Gent;0200.000.043;Atelier Kouter;BE 0123.456.749;;06/01/2025;;20/12/2024
";

/// The same file fixed: the open-ended contract ended, the receipt date and the site filled in.
const CLERK_FIXED: &str = "Referentie;Gebruiker;Ondernemingsnummer gebruiker;Maatwerkbedrijf;Ondernemingsnummer maatwerkbedrijf;Vestiging;Startdatum;Einddatum;Datum ontvangst
{open};Brouwerij Gent;0200.000.043;Atelier Kouter;BE 0123.456.749;Magazijn;11/03/2024;31/08/2024;2024-03-01 10:00
CL-1;Brouwerij Gent;0200.000.043;Atelier Kouter;BE 0123.456.749;Productiehal;11/03/2024;31/12/2024;08/03/2024 09:30
CL-2;Brouwerij Gent;0200.000.043;Atelier Kouter;BE 0123.456.749;Magazijn;01/09/2024;31/12/2024;20/08/2024
CL-3;Brouwerij Gent;0200.000.043;Atelier Kouter;BE 0123.456.749;Productiehal;06/01/2025;;30/12/2024
CL-4;Brouwerij Gent;0200.000.043;Atelier Kouter;BE 0123.456.749;Magazijn;06/01/2025;;20/12/2024
";

/// A CSV text as an Excel sheet of text cells.
fn xlsx_of(csv: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in csv.lines().enumerate() {
        for (c, cell) in line.split(';').enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn a_clerks_register_file_imports_with_its_mapping(backend: Backend) {
    let World {
        app,
        admin,
        maatwerkbedrijf: mwb,
        host,
        enclave: hall,
        ..
    } = World::new(backend).await;
    let adam = admin.token;
    let f = app.fixture();
    let store = f.enclave(
        &mwb,
        &host,
        EnclaveSpec {
            site_name: "Magazijn".into(),
            street: "Havenlaan 5".into(),
            ..EnclaveSpec::default()
        },
    );
    // Open-ended, from 2024-03-11.
    let open = f.contract(&store, ContractSpec::default());

    // The mapping step, for the CSV and the Excel file alike: the number columns, not the
    // name columns; the site and the receipt date by their Dutch headers.
    for (format, body) in [
        ("csv", CLERK_BAD.as_bytes().to_vec()),
        ("xlsx", xlsx_of(CLERK_BAD)),
    ] {
        let proposal: ImportColumns = json(
            upload(
                &app,
                &adam,
                "contracts/columns",
                &format!("format={format}"),
                body,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(proposal.header[3], "Maatwerkbedrijf");
        assert_eq!(proposal.rows, 4);
        assert_eq!(proposal.samples[0][1], "Brouwerij Gent");
        let column = |field: ContractField| {
            proposal
                .fields
                .iter()
                .find(|p| p.field == field)
                .and_then(|p| p.column)
        };
        assert_eq!(column(ContractField::Reference), Some(0), "{format}");
        assert_eq!(
            column(ContractField::Host),
            Some(2),
            "{format}: the number, not 'Gebruiker'"
        );
        assert_eq!(
            column(ContractField::Maatwerkbedrijf),
            Some(4),
            "{format}: the number, not the names under 'Maatwerkbedrijf'"
        );
        assert_eq!(column(ContractField::Site), Some(5), "{format}");
        assert_eq!(column(ContractField::Start), Some(6), "{format}");
        assert_eq!(column(ContractField::End), Some(7), "{format}");
        assert_eq!(column(ContractField::Received), Some(8), "{format}");
        assert_eq!(column(ContractField::Status), None, "{format}");
    }

    // The mapping travels with the file; the problems are named, nothing is imported.
    let mapping =
        r#"{"reference":0,"host":2,"maatwerkbedrijf":4,"site":5,"start":6,"end":7,"received":8}"#;
    let url = |query: &[(&str, &str)]| {
        reqwest::Url::parse_with_params(
            &format!("{}/api/imports/contracts", app.base_url),
            query.iter().chain([&("mapping", mapping)]),
        )
        .unwrap()
    };
    let send = async |query: &[(&str, &str)], body: Vec<u8>| {
        app.client
            .post(url(query))
            .bearer_auth(&adam)
            .body(body)
            .send()
            .await
            .unwrap()
    };
    for (format, body) in [
        ("csv", CLERK_BAD.as_bytes().to_vec()),
        ("xlsx", xlsx_of(CLERK_BAD)),
    ] {
        let report: ImportReport = json(
            send(&[("format", format), ("dry_run", "true")], body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        let at = |row: u32| {
            report
                .problems
                .iter()
                .filter(|p| p.row == row)
                .collect::<Vec<_>>()
        };
        assert_eq!(report.problems.len(), 3, "{format}: {:?}", report.problems);
        assert!(at(2).is_empty(), "{format}: CL-1 is fine");
        let overlap = at(3);
        assert_eq!(overlap[0].column, "Startdatum");
        assert!(
            overlap[0].message_nl.contains(&open.reference)
                && overlap[0].message_nl.contains("zonder einddatum"),
            "{format}: {overlap:?}"
        );
        assert!(overlap[0].message_en.contains("open-ended"));
        let missing = at(4);
        assert_eq!(missing[0].column, "Datum ontvangst");
        assert_eq!(missing[0].message_nl, "De datum van ontvangst ontbreekt.");
        assert_eq!(missing[0].message_en, "The date received is missing.");
        let site = at(5);
        assert_eq!(site[0].column, "Vestiging");
        assert!(
            site[0].message_nl.contains("Productiehal") && site[0].message_nl.contains("Magazijn"),
            "{format}: the candidates are named: {site:?}"
        );
        assert_eq!((report.added, report.updated), (0, 0));
        assert!(report.contracts.is_empty());
    }
    // The same file for real: refused as a whole.
    let refused: ImportReport = json(
        send(&[("format", "csv")], CLERK_BAD.into()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(!refused.dry_run && refused.added == 0);

    // Fixed: the dry run says what would happen, the import does it and says what it did.
    let fixed = CLERK_FIXED.replace("{open}", &open.reference);
    let preview: ImportReport = json(
        send(&[("format", "xlsx"), ("dry_run", "true")], xlsx_of(&fixed)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (preview.dry_run, preview.added, preview.updated),
        (true, 4, 1)
    );
    let detail = async |id: &str| -> EnclaveDetail {
        json(
            app.get(&format!("/api/enclaves/{id}"), &adam).await,
            StatusCode::OK,
        )
        .await
    };
    assert_eq!(
        detail(&hall.id).await.contracts.len(),
        0,
        "a dry run writes nothing"
    );
    let done: ImportReport = json(
        send(&[("format", "csv")], fixed.clone().into()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (done.dry_run, done.added, done.updated, done.unchanged),
        (false, 4, 1, 0)
    );
    let said: Vec<(u32, &str, ImportChange, String)> = done
        .contracts
        .iter()
        .map(|c| {
            (
                c.row,
                c.reference.as_str(),
                c.change,
                c.enclave_id.to_string(),
            )
        })
        .collect();
    assert_eq!(
        said,
        [
            (
                2,
                open.reference.as_str(),
                ImportChange::Updated,
                store.id.clone()
            ),
            (3, "CL-1", ImportChange::Added, hall.id.clone()),
            (4, "CL-2", ImportChange::Added, store.id.clone()),
            (5, "CL-3", ImportChange::Added, hall.id.clone()),
            (6, "CL-4", ImportChange::Added, store.id.clone()),
        ]
    );
    assert!(done.contracts[1].enclave.contains("Productiehal"));
    let hall_contracts = detail(&hall.id).await.contracts;
    assert_eq!(hall_contracts.len(), 2);
    let store_detail = detail(&store.id).await;
    let ended = store_detail
        .contracts
        .iter()
        .find(|c| c.reference == open.reference)
        .unwrap();
    assert_eq!(
        ended.end_date.map(|d| d.to_string()).as_deref(),
        Some("2024-08-31")
    );
    // Again: nothing new.
    let again: ImportReport = json(
        send(&[("format", "csv")], fixed.into()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 5));
    assert!(again.contracts.is_empty());
}

/// A mapping that is not JSON, names a column the file does not have or gives one column
/// to two fields is refused with its reason (422; a control character in it: 400), and nothing
/// is imported.
async fn a_mapping_that_does_not_fit_the_file_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let adam = app.admin().await.token;
    for mapping in [
        "not json",
        r#"{"reference":99}"#,
        r#"{"reference":0,"host":0}"#,
    ] {
        let query = reqwest::Url::parse_with_params(
            "http://localhost/",
            &[
                ("format", "csv"),
                ("dry_run", "false"),
                ("mapping", mapping),
            ],
        )
        .unwrap()
        .query()
        .unwrap()
        .to_owned();
        assert_error(
            import(&app, &adam, &query, CLERK_BAD.as_bytes().to_vec()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
    let query = reqwest::Url::parse_with_params(
        "http://localhost/",
        &[("format", "csv"), ("mapping", "{\"reference\":0\u{0}}")],
    )
    .unwrap()
    .query()
    .unwrap()
    .to_owned();
    assert_error(
        import(&app, &adam, &query, CLERK_BAD.as_bytes().to_vec()).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    let page: serde_json::Value =
        json(app.get("/api/contracts", &adam).await, StatusCode::OK).await;
    assert_eq!(page["total"], 0, "nothing imported");
}

/// Every check of `shared::rules::register::validate_contract`, alone and together: the form
/// refuses each draft, and the import refuses the same contract as a row of a file, with the
/// same problems in the columns of their fields (only the missing receipt is worded for a
/// file, which has a column for each of the form's two dates). Control characters are left
/// out: the form's JSON never reaches the rule with one (a 400 before it).
async fn the_import_refuses_what_the_form_refuses(backend: Backend) {
    use chrono::{Days, Utc};
    use reqwest::Method;
    use shared::dto::contract::{ContractDraft, ContractStatus};
    use shared::rules::register::validate_contract;
    use shared::rules::time::{belgian_local, from_belgian_local};
    use tests::dates::{date, local, now_local};
    use tests::world::{BREWERY as HOST, KOUTER as MWB};

    let World {
        app,
        admin,
        enclave,
        ..
    } = World::new(backend).await;
    let adam = admin.token;

    let tomorrow = (now_local() + Days::new(2))
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let good = |reference: &str| ContractDraft {
        enclave_id: enclave.id.parse().unwrap(),
        reference: reference.into(),
        start_date: date("2025-03-10"),
        end_date: None,
        notified_at: Some(from_belgian_local(local("2025-03-07 16:00"))),
        approved_at: None,
        status: ContractStatus::Notified,
        rejection_reason: None,
        min_supervisors: 1,
    };
    let refused: Vec<ContractDraft> = vec![
        ContractDraft {
            reference: "R".repeat(65),
            ..good("")
        },
        ContractDraft {
            start_date: date("1999-12-31"),
            ..good("ENC-3")
        },
        ContractDraft {
            end_date: Some(date("2025-03-09")),
            ..good("ENC-4")
        },
        ContractDraft {
            notified_at: None,
            ..good("ENC-5")
        },
        ContractDraft {
            notified_at: Some(from_belgian_local(local(&tomorrow))),
            ..good("ENC-6")
        },
        ContractDraft {
            approved_at: Some(from_belgian_local(local(&tomorrow))),
            status: ContractStatus::Approved,
            ..good("ENC-7")
        },
        ContractDraft {
            approved_at: Some(from_belgian_local(local("2025-03-06 10:00"))),
            status: ContractStatus::Approved,
            ..good("ENC-8")
        },
        ContractDraft {
            status: ContractStatus::Rejected,
            ..good("ENC-9")
        },
        ContractDraft {
            status: ContractStatus::Ended,
            ..good("ENC-10")
        },
        ContractDraft {
            status: ContractStatus::Approved,
            ..good("ENC-11")
        },
        ContractDraft {
            rejection_reason: Some("Geen begeleider".into()),
            ..good("ENC-12")
        },
        ContractDraft {
            status: ContractStatus::Rejected,
            rejection_reason: Some("x".repeat(501)),
            ..good("ENC-13")
        },
        // Several at once: the form names them all, so must the import.
        ContractDraft {
            start_date: date("1990-05-02"),
            end_date: Some(date("1990-05-01")),
            notified_at: Some(from_belgian_local(local(&tomorrow))),
            ..good("ENC-15")
        },
    ];

    // The form refuses each, for exactly the problems of the rule.
    let now = Utc::now();
    let mut expected = Vec::new();
    for draft in &refused {
        let problems = validate_contract(draft, now);
        assert!(!problems.is_empty(), "{draft:?} is refused");
        let body: serde_json::Value = json(
            app.send(Method::POST, "/api/contracts", Some(&adam), Some(draft))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(body["error"]["code"], "validation_failed", "{body}");
        let said: Vec<&str> = problems.iter().map(|p| p.message_en.as_str()).collect();
        assert_eq!(body["error"]["message_en"], said.join(" "), "{draft:?}");
        expected.push(problems);
    }

    // The same contracts as rows of a file, each column mapped.
    let moment = |t: Option<chrono::DateTime<Utc>>| {
        t.map(|t| belgian_local(t).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let mut csv = String::from(
        "Referentie;Maatwerkbedrijf;Gastorganisatie;Start;Einde;Ontvangen;Goedgekeurd;Status;Reden weigering\n",
    );
    for d in &refused {
        csv.push_str(&format!(
            "{};{MWB};{HOST};{};{};{};{};{};{}\n",
            d.reference,
            d.start_date,
            d.end_date.map(|e| e.to_string()).unwrap_or_default(),
            moment(d.notified_at),
            moment(d.approved_at),
            d.status.as_str(),
            d.rejection_reason.as_deref().unwrap_or(""),
        ));
    }
    let mapping = r#"{"reference":0,"maatwerkbedrijf":1,"host":2,"start":3,"end":4,"received":5,"approved":6,"status":7,"rejection_reason":8}"#;
    let url = reqwest::Url::parse_with_params(
        &format!("{}/api/imports/contracts", app.base_url),
        [("mapping", mapping)],
    )
    .unwrap();
    let report: ImportReport = json(
        app.client
            .post(url)
            .bearer_auth(&adam)
            .body(csv.into_bytes())
            .send()
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!((report.added, report.updated), (0, 0));
    let column_of = |field: &str| match field {
        "reference" => "Referentie",
        "start_date" => "Start",
        "end_date" => "Einde",
        "notified_at" => "Ontvangen",
        "approved_at" => "Goedgekeurd",
        "rejection_reason" => "Reden weigering",
        other => panic!("no column for {other}"),
    };
    for (i, (draft, problems)) in refused.iter().zip(&expected).enumerate() {
        let row = i as u32 + 2;
        let found: Vec<(&str, &str)> = report
            .problems
            .iter()
            .filter(|p| p.row == row)
            .map(|p| (p.column.as_str(), p.message_en.as_str()))
            .collect();
        let wanted: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| {
                let message = if p.field == "notified_at" && draft.notified_at.is_none() {
                    "The date received is missing."
                } else {
                    p.message_en.as_str()
                };
                (column_of(&p.field), message)
            })
            .collect();
        assert_eq!(found, wanted, "row {row}: {draft:?}");
    }
    assert_eq!(
        report.problems.len(),
        expected.iter().map(Vec::len).sum::<usize>(),
        "no other problems: {:?}",
        report.problems
    );
}

/// The register file with a support-need column (Dutch words, any case).
fn with_needs(first: &str, second: &str) -> String {
    format!(
        "Referentie;Maatwerkbedrijf;Gastorganisatie;Start;Einde;Ontvangen;Ondersteuningsnood
ENC-2019-001;0123.456.749;BE 0200.000.043;2019-03-11;2019-08-31;2019-03-08 10:00;{first}
ENC-2019-002;0123456749;0200000043;02/09/2019;31/12/2019;01/08/2019;{second}
"
    )
}

async fn a_register_file_records_each_teams_support_need(backend: Backend) {
    let World {
        app,
        admin,
        inspector,
        enclave,
        ..
    } = World::new(backend).await;
    let adam = admin.token;
    let need = async || {
        let detail: EnclaveDetail = json(
            app.get(&format!("/api/enclaves/{}", enclave.id), &adam)
                .await,
            StatusCode::OK,
        )
        .await;
        detail.support_need
    };
    assert_eq!(need().await, None, "not recorded yet");

    // The column is proposed by its Dutch header.
    let file = with_needs("Hoog", "");
    let proposal: ImportColumns = json(
        upload(
            &app,
            &adam,
            "contracts/columns",
            "format=csv",
            file.clone().into(),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let proposed = proposal
        .fields
        .iter()
        .find(|p| p.field == ContractField::SupportNeed)
        .expect("a support-need field");
    assert_eq!((proposed.column, proposed.required), (Some(6), false));

    // A dry run counts it and writes nothing; the import records it.
    let preview: ImportReport = json(
        import(&app, &adam, "format=csv&dry_run=true", file.clone().into()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((preview.added, preview.support_needs), (2, 1));
    assert_eq!(need().await, None, "a dry run writes nothing");
    let done: ImportReport = json(
        import(&app, &adam, "format=csv", file.clone().into()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((done.added, done.support_needs), (2, 1));
    assert_eq!(need().await, Some(SupportNeed::High));
    let region = "/api/field/working-set";
    let wire = async |path: &str| -> WireSet {
        let text = inspector.get(path).await.text().await.expect("body");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    };
    let before = wire(region).await;
    assert_eq!(
        WorkingSet::read(&before).expect("a set").enclaves[0]
            .summary
            .support_need,
        Some(SupportNeed::High)
    );

    // The same file changes nothing; another need changes it, an empty cell keeps it.
    let again: ImportReport = json(
        import(&app, &adam, "format=csv", file.into()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((again.unchanged, again.support_needs), (2, 0));
    let lower: ImportReport = json(
        import(&app, &adam, "format=csv", with_needs("", "midden").into()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((lower.unchanged, lower.support_needs), (2, 1));
    assert_eq!(need().await, Some(SupportNeed::Medium));
    // No contract changed, but the enclave did: the tablet's next refresh is a whole set.
    let refresh = wire(&format!("{region}?since={}", before.token)).await;
    assert!(refresh.full, "an enclave changed: the set is sent whole");
    let sent = WorkingSet::read(&refresh)
        .expect("a set")
        .enclaves
        .iter()
        .find(|e| e.summary.id.to_string() == enclave.id)
        .expect("the enclave")
        .clone();
    assert_eq!(sent.summary.support_need, Some(SupportNeed::Medium));

    // An unknown word, and two needs for one enclave, are problems in their column and row;
    // nothing is written.
    for (file, row, says) in [
        (
            with_needs("zeer hoog", ""),
            2,
            "Onbekende ondersteuningsnood 'zeer hoog'",
        ),
        (
            with_needs("laag", "hoog"),
            3,
            "Rij 2 geeft deze enclave een andere ondersteuningsnood (lage).",
        ),
    ] {
        let refused: ImportReport = json(
            import(&app, &adam, "format=csv", file.into()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(refused.support_needs, 0);
        let problem = &refused.problems[0];
        assert_eq!(
            (problem.row, problem.column.as_str()),
            (row, "Ondersteuningsnood"),
            "{problem:?}"
        );
        assert!(
            problem.message_nl.starts_with(says),
            "{}",
            problem.message_nl
        );
    }
    assert_eq!(need().await, Some(SupportNeed::Medium));

    // The register's export names each team's need in its last column, so the department's
    // file comes back whole: imported again it changes nothing; edited, it changes the need.
    let res = app.get("/api/contracts?format=csv", &adam).await;
    assert_eq!(res.status(), StatusCode::OK);
    let export = res.text().await.expect("the export");
    let lines: Vec<&str> = export.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].ends_with(";ondersteuningsnood"), "{}", lines[0]);
    let ours: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with("ENC-2019-"))
        .collect();
    assert_eq!(ours.len(), 2, "{export}");
    assert!(ours.iter().all(|l| l.ends_with(";midden")), "{export}");
    let rows = u32::try_from(lines.len() - 1).expect("a few rows");
    let edited = export
        .replace(";midden\r\n", ";hoog\r\n")
        .replace(";midden\n", ";hoog\n");
    // Read back: nothing changes; edited: the need changes, the contracts do not.
    for (file, changed) in [(export, 0), (edited, 1)] {
        let report: ImportReport = json(
            import(&app, &adam, "format=csv", file.into()).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            (report.unchanged, report.support_needs),
            (rows, changed),
            "{report:?}"
        );
    }
    assert_eq!(need().await, Some(SupportNeed::High));
}
