//! Department and reviewer reports on the demo data, on SQLite and PostgreSQL: the yearly
//! contract overview, the inspection statistics, the whole register as XLSX, the queue as CSV
//! (median of 10 requests each), and an import of 20,000 registration rows (a dry run, then
//! the import itself, once each).
//!
//! `cargo bench -p tests --bench reports`.

use std::time::{Duration, Instant};

use chrono::{Datelike, Days};
use shared::dto::contract::RegisterPage;
use tests::Backend;
use tests::dates::today;

const RUNS: usize = 10;
const IMPORT_ROWS: usize = 20_000;
const TEAM: usize = 10;

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
    for path in [
        format!("/api/reports/contracts?year={year}"),
        format!("/api/reports/inspections?year={year}"),
        "/api/contracts?format=xlsx".to_owned(),
        "/api/inspections?format=csv".to_owned(),
    ] {
        let mut times = Vec::with_capacity(RUNS);
        let mut bytes = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let res = client
                .get(format!("{base}{path}"))
                .bearer_auth(&admin)
                .send()
                .await
                .expect("request");
            assert!(res.status().is_success(), "{path}: {}", res.status());
            bytes = res.bytes().await.expect("body").len();
            times.push(started.elapsed());
        }
        times.sort();
        out.push(format!(
            "| {backend:?} | `GET {path}` | {} | {bytes} |",
            ms(times[RUNS / 2])
        ));
    }

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
