//! Department and reviewer reports on the demo data, on SQLite and PostgreSQL: the yearly
//! contract overview, the inspection statistics, the whole register as XLSX, the queue as CSV
//! (median of 10 requests each), an inspection's report as a PDF, the statistics of a year of 100,000 inspections (seeded in
//! bulk through the server's own insert), an import of 20,000 registration rows (a dry run,
//! then the import itself, once each), and `GET /healthz` as the reference of a request that
//! does no work.
//!
//! `cargo bench -p tests --bench reports`.

use std::time::{Duration, Instant};

use chrono::{Datelike, Days};
use shared::dto::contract::RegisterPage;
use shared::dto::review::InspectionQueue;
use tests::Backend;
use tests::dates::today;

const RUNS: usize = 10;
const IMPORT_ROWS: usize = 20_000;
const TEAM: usize = 10;
/// Inspections seeded for the statistics of one year.
const INSPECTIONS: usize = 100_000;

fn main() {
    let rt = tests::bench_runtime();
    let mut rows = Vec::new();
    rt.block_on(async {
        for backend in Backend::available() {
            rows.extend(run(backend).await);
        }
    });
    println!("\n| database | request | median ms | bytes |");
    println!("|---|---|---:|---:|");
    for r in rows {
        println!("{r}");
    }
}

/// The median of `RUNS` sequential requests of each path, as table rows.
async fn measure(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    backend: Backend,
    paths: &[String],
) -> Vec<String> {
    let mut rows = Vec::new();
    for path in paths {
        let mut times = Vec::with_capacity(RUNS);
        let mut bytes = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let res = client
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .expect("request");
            assert!(res.status().is_success(), "{path}: {}", res.status());
            bytes = res.bytes().await.expect("body").len();
            times.push(started.elapsed());
        }
        times.sort();
        rows.push(format!(
            "| {backend:?} | `GET {path}` | {} | {bytes} |",
            ms(times[RUNS / 2])
        ));
    }
    rows
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

async fn run(backend: Backend) -> Vec<String> {
    let demo = tests::demo::start(backend).await;
    let base = demo.base_url.clone();
    let client = tests::http_client();
    let admin = tests::demo::login(&base, "admin", "admin-demo").await;
    let year = today().year();
    let mut out = Vec::new();
    // The demo's own figures first: the queue export stops at 10,000 rows, which the seeded
    // year would pass.
    // The newest demo inspection's report for the file, as a PDF (the demo's have no photos).
    let newest: InspectionQueue = client
        .get(format!("{base}/api/inspections?limit=1"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("queue")
        .json()
        .await
        .expect("queue page");
    let report = newest.items.first().expect("a demo inspection").id;
    let demo_paths = [
        "/healthz".to_owned(),
        format!("/api/reports/contracts?year={year}"),
        format!("/api/reports/inspections?year={year}"),
        "/api/contracts?format=xlsx".to_owned(),
        "/api/inspections?format=csv".to_owned(),
        format!("/api/inspections/{report}/report.pdf"),
    ];
    out.extend(measure(&client, &base, &admin, backend, &demo_paths).await);
    // Two years back the demo has no inspections: that year gets 100,000.
    let seeded = year - 2;
    let db = demo.db.clone();
    let started = Instant::now();
    tokio::task::spawn_blocking(move || seed_inspections(&db, seeded))
        .await
        .expect("seed task");
    eprintln!(
        "{backend:?}: {INSPECTIONS} inspections seeded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let seeded_paths = [
        "/healthz".to_owned(),
        format!("/api/reports/inspections?year={seeded}"),
    ];
    out.extend(measure(&client, &base, &admin, backend, &seeded_paths).await);

    // 20,000 rows: teams of 10 on 2,000 (enclave, day) pairs, on days the demo has none.
    let page: RegisterPage = client
        .get(format!("{base}/api/contracts?limit=200"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("page");
    let mut references = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for e in &page.items {
        if seen.insert(e.contract.enclave_id) {
            references.push(e.contract.reference.clone());
        }
    }
    let today = today();
    let days = IMPORT_ROWS / TEAM / references.len().max(1) + 1;
    let mut csv =
        String::from("referentie;datum;geregistreerd;aanvang;personeelsnummer;naam;rol\n");
    let mut rows = 0;
    'fill: for d in 0..days {
        let day = today - Days::new(100 + d as u64);
        for (i, reference) in references.iter().enumerate() {
            for k in 0..TEAM {
                if rows == IMPORT_ROWS {
                    break 'fill;
                }
                let role = if k == 0 {
                    "begeleider"
                } else {
                    "doelgroepwerknemer"
                };
                csv.push_str(&format!(
                    "{reference};{day};{day} 06:30;07:00;BENCH-{i}-{k};Persoon {i}-{k};{role}\n"
                ));
                rows += 1;
            }
        }
    }
    for dry_run in [true, false] {
        let started = Instant::now();
        let res = client
            .post(format!(
                "{base}/api/imports/registrations?format=csv&dry_run={dry_run}"
            ))
            .bearer_auth(&admin)
            .body(csv.clone())
            .send()
            .await
            .expect("import");
        let status = res.status();
        let report: shared::dto::report::ImportReport = res.json().await.expect("report");
        assert!(
            status.is_success(),
            "{status}: {:?}",
            report.problems.first()
        );
        out.push(format!(
            "| {backend:?} | `POST /api/imports/registrations` {} rows{} ({} registrations) | {} | {} |",
            report.rows,
            if dry_run { ", dry run" } else { "" },
            report.added,
            ms(started.elapsed()),
            csv.len()
        ));
    }
    out
}

/// Stores [`INSPECTIONS`] inspections done in `year` by the demo inspector, spread over the
/// demo's active enclaves and the year's days, with checks failing, measures and review
/// states varied as in the field; in one transaction, through the server's chunked insert.
fn seed_inspections(db: &server::db::Db, year: i32) {
    use chrono::NaiveDate;
    use diesel::prelude::*;
    use server::db::rows::InspectionRow;
    use server::db::schema::enclaves;
    use shared::dto::inspection::Measure;
    use shared::dto::review::ReviewState;
    use shared::rules::verdict::VerdictStatus::{Fail, Pass};

    let mut conn = db.get().expect("connection");
    let inspector = server::db::repo::users::by_username(&mut conn, "inspector")
        .expect("users")
        .expect("the demo inspector")
        .id;
    let places: Vec<(String, String)> = enclaves::table
        .filter(enclaves::status.eq(shared::dto::enclave::EnclaveStatus::Active.as_str()))
        .select((enclaves::id, enclaves::province))
        .load(&mut conn)
        .expect("enclaves");
    let first = NaiveDate::from_ymd_opt(year, 1, 1).expect("a year");
    let rows: Vec<InspectionRow> = (0..INSPECTIONS)
        .map(|i| {
            let (enclave, province) = &places[(i * 7919) % places.len()];
            let mut record = tests::records::inspection(enclave);
            record.on = first + Days::new((i % 365) as u64);
            let fails = |every: usize| if i % every == 0 { Fail } else { Pass };
            record.contract_filed.computed.status = fails(8);
            record.daily_registration.computed.status = fails(5);
            record.supervisor_present.computed.status = fails(10);
            record.conclusion.measure = Measure::ALL[i % 4];
            record.workers_present = (i % 9) as u32;
            record.supervisors_present = (i % 3) as u32;
            if i % 10 == 0 {
                record.unregistered = vec![shared::dto::inspection::UnregisteredPerson {
                    name: "Niet geregistreerde werknemer".into(),
                    stated_role: shared::dto::registration::MemberRole::Worker,
                }];
            }
            let json = serde_json::to_string(&record).expect("record");
            let at = record.submitted_at.naive_utc();
            InspectionRow {
                id: record.id.to_string(),
                enclave_id: enclave.clone(),
                inspector_id: inspector.clone(),
                province: province.clone(),
                on_date: record.on,
                measure: record.conclusion.measure.as_str().into(),
                contract_filed: record.contract_filed.status().as_str().into(),
                daily_registration: record.daily_registration.status().as_str().into(),
                supervisor_present: record.supervisor_present.status().as_str().into(),
                version: 1,
                content_hash: format!("bench-{i}"),
                record: json,
                review_state: [ReviewState::Approved, ReviewState::Submitted][i % 2]
                    .as_str()
                    .into(),
                started_at_device: at,
                submitted_at_device: at,
                received_at: at,
                report_notified_on: None,
                workers_present: record.workers_present as i32,
                supervisors_present: record.supervisors_present as i32,
                unregistered: record.unregistered.len() as i32,
                follow_up_due: shared::rules::follow_up::due(&record.conclusion),
                follows_id: None,
                remedied: None,
                not_remedied: None,
            }
        })
        .collect();
    conn.transaction(|c| server::db::repo::inspections::insert_many(c, &rows))
        .expect("seeded");
    // A year of inspections arrives over a year, not in one transaction: what the database
    // does meanwhile is done here. On SQLite the pool's reopened connections refresh the
    // planner's statistics (`PRAGMA optimize`, as every connection does at open); on
    // PostgreSQL autovacuum analyses the table and sets its visibility map.
    let maintenance = match &mut *conn {
        server::db::DbConnection::Sqlite(_) => "PRAGMA optimize = 0x10002",
        server::db::DbConnection::Pg(_) => "VACUUM ANALYZE inspections",
    };
    diesel::connection::SimpleConnection::batch_execute(&mut *conn, maintenance)
        .expect("maintenance");
}
