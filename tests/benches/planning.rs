//! The risk planning: ranking 15,000 enclaves (a region of the future) with the pure rule of
//! `shared::rules::planning`, as the server runs it natively, beside a plain sort of as many
//! (score, id) pairs as the reference; then `GET /api/planning` on the demo data (its 1,500
//! enclaves, 30 days of registrations, a year of inspections), on SQLite and PostgreSQL, beside
//! `GET /healthz`. The ranking in the tablet's wasm is measured by `device_search`.
//!
//! `cargo bench -p tests --bench planning`.

use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use shared::rules::planning::{Notification, PlanningInput, PlanningSettings, TeamSize, rank};
use shared::rules::supervision_norm::SupportNeed;
use tests::Backend;
use tests::dates::today;
use uuid::Uuid;

const ENCLAVES: usize = 15_000;
const RUNS: usize = 21;
const REQUESTS: usize = 10;

fn main() {
    let today = today();
    let inputs = inputs(today);
    let settings = PlanningSettings::default();
    let mut rows = vec![
        timed("plain sort of 15,000 (score, id) pairs (reference)", || {
            let mut pairs: Vec<(u32, Uuid)> = inputs
                .iter()
                .map(|i| (i.unregistered_days * 7 + i.failed_checks, i.enclave_id))
                .collect();
            pairs.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            pairs.len()
        }),
        timed("rank 15,000, keep 50 (the API's default)", || {
            rank(&inputs, &settings, today, 50).len()
        }),
        timed("rank 15,000, keep 200 (the API's most)", || {
            rank(&inputs, &settings, today, 200).len()
        }),
        timed("rank 15,000, keep all (every reason written)", || {
            rank(&inputs, &settings, today, ENCLAVES).len()
        }),
    ];
    let rt = tests::bench_runtime();
    rt.block_on(async {
        for backend in Backend::available() {
            rows.extend(endpoint(backend).await);
        }
    });
    println!("\n| what | median ms |");
    println!("|---|---:|");
    for row in rows {
        println!("{row}");
    }
}

/// The median of `RUNS` runs of `f`, as a table row.
fn timed(what: &str, f: impl Fn() -> usize) -> String {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(f());
            started.elapsed()
        })
        .collect();
    times.sort();
    format!("| {what} | {} |", ms(times[RUNS / 2]))
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// 15,000 enclaves with a spread of risks, the same every run (a linear congruential
/// sequence, not a random source).
fn inputs(today: NaiveDate) -> Vec<PlanningInput> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) % n) as u32
    };
    (0..ENCLAVES)
        .map(|i| {
            let contract_days = next(11);
            PlanningInput {
                enclave_id: Uuid::from_u128(i as u128 + 1),
                contract_days,
                unregistered_days: next(u64::from(contract_days) + 1),
                late_registrations: next(3),
                unsupervised_registrations: next(2),
                floating_days: next(2),
                busiest_team: Some(TeamSize {
                    workers: 3 + next(12),
                    supervisors: 1 + next(2),
                }),
                support_need: [None, Some(SupportNeed::Low), Some(SupportNeed::High)]
                    [next(3) as usize],
                notification: [
                    Notification::InTime,
                    Notification::Late,
                    Notification::Missing,
                ][next(3) as usize],
                failed_checks: next(3),
                warnings: next(2),
                orders: next(2),
                reports: next(2),
                open_deadlines: (0..next(2))
                    .map(|_| today - Days::new(u64::from(next(60))))
                    .collect(),
                last_inspection: (next(4) > 0).then(|| today - Days::new(u64::from(next(900)))),
                contract_start: Some(today - Days::new(u64::from(next(400)))),
            }
        })
        .collect()
}

/// `GET /api/planning` on the demo data as its reviewer (all of Flanders) and its inspector,
/// beside `GET /healthz`: the median of `REQUESTS` sequential requests each.
async fn endpoint(backend: Backend) -> Vec<String> {
    let demo = tests::demo::start(backend).await;
    let base = demo.base_url.clone();
    let client = tests::http_client();
    let reviewer = tests::demo::login(&base, "reviewer", "reviewer-demo").await;
    let inspector = tests::demo::login(&base, "inspector", "inspector-demo").await;
    let mut rows = Vec::new();
    for (who, token, path) in [
        ("", &reviewer, "/healthz"),
        ("reviewer, ", &reviewer, "/api/planning"),
        ("reviewer, ", &reviewer, "/api/planning?limit=200"),
        ("inspector, ", &inspector, "/api/planning"),
    ] {
        let mut times = Vec::with_capacity(REQUESTS);
        for _ in 0..REQUESTS {
            let started = Instant::now();
            let res = client
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .expect("request");
            assert!(res.status().is_success(), "{path}: {}", res.status());
            res.bytes().await.expect("body");
            times.push(started.elapsed());
        }
        times.sort();
        rows.push(format!(
            "| {backend:?}, demo data, {who}`GET {path}` | {} |",
            ms(times[REQUESTS / 2])
        ));
    }
    rows
}
