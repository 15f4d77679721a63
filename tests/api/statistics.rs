//! Inspection statistics and the yearly-report figures: every number equals a count of the
//! inspections pushed (per month, per maatwerkbedrijf, per host type, failing checks, people
//! checked, measures proposed and taken); CSV and XLSX; the review queue exported as a file
//! with its filters; who may read them; and the database's counting equal to
//! `shared::rules::statistics`' on the demo data, with the people counted filled in from the
//! stored records by the migration that added them.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::Datelike;
use reqwest::{Method, StatusCode};
use shared::dto::inspection::Measure;
use shared::dto::organisation::OrganisationKind;
use shared::dto::report::{HostType, InspectionStatistics};
use shared::dto::review::{ReviewDecision, ReviewRequest};
use shared::dto::sync::SyncRecord;
use shared::rules::verdict::VerdictStatus;
use tests::dates::today;
use tests::fixture::EnclaveSpec;
use tests::records::inspection;
use tests::{Backend, TestApp, assert_error, json, on_both_backends};

on_both_backends!(
    statistics_count_the_inspections,
    the_database_counts_the_demo_inspections_as_the_rule_does
);

async fn statistics_count_the_inspections(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let kouter = f.organisation(OrganisationKind::Maatwerkbedrijf, "Atelier Kouter", None);
    let leie = f.organisation(OrganisationKind::Maatwerkbedrijf, "Leiewerk", None);
    let brewery = f.organisation(OrganisationKind::RegularCompany, "Brouwerij Gent", None);
    let city = f.organisation(OrganisationKind::GovernmentBody, "Stad Gent", None);
    let at_brewery = f.enclave(&kouter, &brewery, EnclaveSpec::default());
    let at_city = f.enclave(&kouter, &city, EnclaveSpec::default());
    let leie_at_city = f.enclave(&leie, &city, EnclaveSpec::default());
    let ines = app.inspector().await.token;
    let rita = app.reviewer().await.token;
    let adam = app.admin().await.token;

    // Four inspections: all in order; registration missing; no supervisor and a proposed
    // report with two unregistered people; contract late and registration missing.
    let mut ok = inspection(&at_brewery.id);
    ok.daily_registration.computed.status = VerdictStatus::Pass;
    ok.conclusion.measure = Measure::Advice;
    ok.conclusion.deadline = None;
    let registration = inspection(&at_brewery.id);
    let mut report = inspection(&at_city.id);
    report.daily_registration.computed.status = VerdictStatus::Pass;
    report.supervisor_present.computed.status = VerdictStatus::Fail;
    report.conclusion.measure = Measure::ReportProposed;
    report.conclusion.deadline = None;
    report.workers_present = 7;
    report.supervisors_present = 0;
    report.unregistered = vec![
        shared::dto::inspection::UnregisteredPerson {
            name: "Onbekend 1".into(),
            stated_role: shared::dto::registration::MemberRole::Worker,
        },
        shared::dto::inspection::UnregisteredPerson {
            name: "Onbekend 2".into(),
            stated_role: shared::dto::registration::MemberRole::Worker,
        },
    ];
    let mut both = inspection(&leie_at_city.id);
    both.contract_filed.computed.status = VerdictStatus::Fail;
    both.conclusion.measure = Measure::RegularisationOrder;
    let all = [&ok, &registration, &report, &both];
    app.push(
        &ines,
        all.iter()
            .map(|r| SyncRecord::Inspection(Box::new((*r).clone())))
            .collect(),
    )
    .await;
    // The report is approved (four eyes): taken. The others wait.
    let res = app
        .send(
            Method::POST,
            &format!("/api/inspections/{}/review", report.id),
            Some(&rita),
            Some(&ReviewRequest {
                decision: ReviewDecision::Approve,
                comment: String::new(),
                version: 1,
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let today = today();
    let year = today.year();
    let stats: InspectionStatistics = json(
        app.get(&format!("/api/reports/inspections?year={year}"), &rita)
            .await,
        StatusCode::OK,
    )
    .await;
    let failing = |i: usize| {
        all.iter()
            .filter(|r| {
                [
                    &r.contract_filed,
                    &r.daily_registration,
                    &r.supervisor_present,
                ][i]
                    .status()
                    == VerdictStatus::Fail
            })
            .count() as u32
    };
    assert_eq!(stats.total.inspections, 4);
    assert_eq!(stats.total.contract_filed_failed, failing(0));
    assert_eq!(stats.total.daily_registration_failed, failing(1));
    assert_eq!(stats.total.supervisor_present_failed, failing(2));
    assert_eq!(stats.total.any_failed, 3);
    let month = &stats.per_month[today.month0() as usize];
    assert_eq!(month.counts, stats.total);
    assert_eq!(
        stats
            .per_month
            .iter()
            .map(|m| m.counts.inspections)
            .sum::<u32>(),
        4
    );
    assert_eq!(
        stats.per_maatwerkbedrijf[0].maatwerkbedrijf,
        "Atelier Kouter"
    );
    assert_eq!(stats.per_maatwerkbedrijf[0].counts.inspections, 3);
    assert_eq!(stats.per_maatwerkbedrijf[1].counts.contract_filed_failed, 1);
    let of_type = |t: HostType| {
        stats
            .per_host_type
            .iter()
            .find(|c| c.host_type == t)
            .unwrap()
            .counts
    };
    assert_eq!(of_type(HostType::RegularCompany).inspections, 2);
    assert_eq!(of_type(HostType::Government).inspections, 2);
    assert_eq!(of_type(HostType::Government).supervisor_present_failed, 1);
    assert_eq!(of_type(HostType::Maatwerkbedrijf).inspections, 0);
    let figures = &stats.figures;
    assert_eq!(figures.controls, 4);
    assert_eq!(figures.employers_visited, 2);
    assert_eq!(figures.hosts_visited, 2);
    assert_eq!(
        figures.workers_checked,
        all.iter().map(|r| r.workers_present).sum::<u32>()
    );
    assert_eq!(
        figures.supervisors_checked,
        all.iter().map(|r| r.supervisors_present).sum::<u32>()
    );
    assert_eq!(figures.unregistered_found, 2);
    let measure = |m: Measure| {
        let c = figures.measures.iter().find(|c| c.measure == m).unwrap();
        (c.proposed, c.taken)
    };
    assert_eq!(measure(Measure::Advice), (1, 0));
    assert_eq!(measure(Measure::Warning), (1, 0));
    assert_eq!(measure(Measure::RegularisationOrder), (1, 0));
    assert_eq!(measure(Measure::ReportProposed), (1, 1));

    // Another year is empty.
    let empty: InspectionStatistics = json(
        app.get(
            &format!("/api/reports/inspections?year={}", year - 1),
            &adam,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(empty.total.inspections, 0);

    // CSV: the total, twelve months, five host types, two maatwerkbedrijven.
    let res = app
        .get(
            &format!("/api/reports/inspections?year={year}&format=csv"),
            &adam,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 1 + 1 + 12 + 5 + 2, "{body}");
    assert_eq!(lines[1], format!("totaal;{year};4;1;2;1;3"));
    // XLSX: the same table and the yearly-report figures.
    let res = app
        .get(
            &format!("/api/reports/inspections?year={year}&format=xlsx"),
            &adam,
        )
        .await;
    let bytes = res.bytes().await.unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let figures_sheet = book.worksheet_range("Jaarverslag").unwrap();
    let report_row = figures_sheet
        .rows()
        .find(|r| r[0] == Data::String("proces-verbaal".into()))
        .expect("a report row");
    assert_eq!(report_row[1..3], [Data::Float(1.0), Data::Float(1.0)]);

    // The queue as a file: the filter applies, every match is in it.
    let res = app
        .get(
            "/api/inspections?failing=daily_registration&format=csv",
            &rita,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("inspecties.csv")
    );
    let body = res.text().await.unwrap();
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 1 + failing(1) as usize, "{body}");
    assert!(lines.iter().skip(1).all(|l| l.contains(";niet in orde;")));
    let res = app.get("/api/inspections?format=xlsx", &rita).await;
    let bytes = res.bytes().await.unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(book.worksheet_range("Inspecties").unwrap().height(), 5);
    // An inspector exports only their own, like the queue.
    let res = app.get("/api/inspections?format=csv", &ines).await;
    assert_eq!(res.status(), StatusCode::OK);

    assert_error(
        app.get(&format!("/api/reports/inspections?year={year}"), &ines)
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    for bad in ["year=1999", "year=2025&format=pdf"] {
        let res = app
            .get(&format!("/api/reports/inspections?{bad}"), &rita)
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    let res = app.get("/api/inspections?format=pdf", &rita).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

/// The statistics are counted by the database; `shared::rules::statistics` states the
/// counting over single inspections. On the demo data (a year of inspections with every check
/// failing now and then, every measure and review state, unregistered people found) both give
/// the same answer for each year the inspections fall in. The people present are read from
/// columns written beside the record; the migration that added them fills them from the
/// stored records, and is run again here on the demo data to show it.
async fn the_database_counts_the_demo_inspections_as_the_rule_does(backend: Backend) {
    use chrono::NaiveDate;
    use diesel::prelude::*;
    use server::db::schema::{enclaves, inspections, organisations};
    use shared::dto::inspection::InspectionRecord;
    use shared::dto::review::ReviewState;
    use shared::rules::statistics::{InspectionFact, inspection_statistics};

    let app = TestApp::spawn(backend).await;
    let today = today();
    let db = app.db.clone();
    let facts = tokio::task::spawn_blocking(move || {
        server::demo::load_if_empty(&db, today).expect("demo data");
        let mut conn = db.get().expect("connection");
        let backfill = match backend {
            Backend::Sqlite => {
                include_str!("../../migrations/sqlite/2026-12-06-190000_report_figures/up.sql")
            }
            Backend::Postgres => {
                include_str!("../../migrations/postgres/2026-12-06-190000_report_figures/up.sql")
            }
        };
        let backfill = &backfill[backfill.find("UPDATE").expect("the back-fill")..];
        let backfill = &backfill[..=backfill.find(';').expect("one statement")];
        diesel::update(inspections::table)
            .set((
                inspections::workers_present.eq(0),
                inspections::supervisors_present.eq(0),
                inspections::unregistered.eq(0),
            ))
            .execute(&mut conn)
            .unwrap();
        diesel::sql_query(backfill).execute(&mut conn).unwrap();

        let hosts = organisations::table.on(organisations::id.eq(enclaves::host_id));
        let places: std::collections::HashMap<String, (String, String, String)> = enclaves::table
            .inner_join(hosts)
            .select((
                enclaves::id,
                enclaves::maatwerkbedrijf_id,
                enclaves::host_id,
                organisations::kind,
            ))
            .load::<(String, String, String, String)>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|(enclave, mwb, host, kind)| (enclave, (mwb, host, kind)))
            .collect();
        let names: std::collections::HashMap<String, String> = organisations::table
            .select((organisations::id, organisations::name))
            .load(&mut conn)
            .unwrap()
            .into_iter()
            .collect();
        inspections::table
            .select((
                inspections::enclave_id,
                inspections::on_date,
                inspections::measure,
                inspections::contract_filed,
                inspections::daily_registration,
                inspections::supervisor_present,
                inspections::review_state,
                inspections::record,
            ))
            .load::<(
                String,
                NaiveDate,
                String,
                String,
                String,
                String,
                String,
                String,
            )>(&mut conn)
            .unwrap()
            .into_iter()
            .map(
                |(enclave, on, measure, contract, registration, supervisor, state, record)| {
                    let (mwb, host, kind) = &places[&enclave];
                    let record: InspectionRecord = serde_json::from_str(&record).unwrap();
                    InspectionFact {
                        on,
                        maatwerkbedrijf_id: mwb.parse().unwrap(),
                        maatwerkbedrijf: names[mwb].clone(),
                        host_id: host.parse().unwrap(),
                        host_type: HostType::of(OrganisationKind::parse(kind).unwrap()),
                        checks: [
                            VerdictStatus::parse(&contract),
                            VerdictStatus::parse(&registration),
                            VerdictStatus::parse(&supervisor),
                        ],
                        measure: Measure::parse(&measure).unwrap(),
                        review_state: ReviewState::parse(&state).unwrap(),
                        workers_present: record.workers_present,
                        supervisors_present: record.supervisors_present,
                        unregistered: record.unregistered.len() as u32,
                        follow_up: record
                            .follows
                            .as_ref()
                            .map(|f| shared::rules::follow_up::tally(&f.remedies)),
                    }
                },
            )
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();

    let reviewer = app.login("reviewer", "reviewer-demo").await.access_token;
    let mut years: Vec<i32> = facts.iter().map(|f| f.on.year()).collect();
    years.sort();
    years.dedup();
    for year in years {
        let expected = inspection_statistics(year, &facts);
        let counted: InspectionStatistics = json(
            app.get(&format!("/api/reports/inspections?year={year}"), &reviewer)
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(counted, expected, "{year}");
    }
    assert!(
        facts
            .iter()
            .any(|f| f.checks.contains(&VerdictStatus::Fail))
    );
    let unregistered: u32 = facts.iter().map(|f| f.unregistered).sum();
    assert!(unregistered > 0, "some unregistered people to count");
    assert!(
        facts.iter().any(
            |f| f.review_state == ReviewState::Approved && f.measure == Measure::ReportProposed
        ),
        "reports taken"
    );
    assert!(
        facts
            .iter()
            .any(|f| f.follow_up.is_some_and(|o| o.not_remedied == 0))
            && facts
                .iter()
                .any(|f| f.follow_up.is_some_and(|o| o.not_remedied > 0)),
        "follow-ups that found everything remedied and some that did not"
    );
}
