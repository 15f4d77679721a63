//! Searching the working set on the tablet as the inspector types, offline, in headless
//! Chromium: the demo inspector prepares for the field (the demo's 1,500 enclaves), the
//! network is cut, and queries are typed key by key; then the register grows to a region of
//! the future (every demo enclave ten times, 15,000; the copies with their contracts, through
//! the server's own rows), the inspector prepares again, and the same is typed.
//!
//! `cargo bench -p tests --bench device_search` (`SEARCH_QUERIES` overrides 12 queries, of
//! ~15 keystrokes each). Each keystroke is a WebDriver key press; in the page, a `keydown`
//! listener notes `performance.now()`, and the measure ends when the results are on screen:
//! the `input` event's work and its microtasks done (the app's search and Leptos' update of
//! the list), then the next animation frame and the task after it (style, layout and paint
//! of that frame). Keystrokes are measured one at a time, each after the previous one is on
//! screen. The app's `ei-index` measure gives the time the search index took to build when
//! the working set loaded. In each round the planning page is then opened offline, and the
//! device ranks the enclaves it holds from the planning facts kept with the set: the page's
//! measure of its ranking, beside the same facts ranked natively in this process.

use diesel::prelude::*;
use server::db::rows::{ContractRow, EnclaveRow};
use server::db::schema::{contracts, enclaves, organisations};
use server::db::{Db, DbConnection};
use server::search_text::{enclave_search_text, normalise};
use shared::dto::enclave::EnclavePage;
use shared::dto::planning::PlanningFacts;
use shared::rules::rank;
use tests::field::FieldBench;

/// The region of the future, in copies of the demo's register.
const COPIES: usize = 10;
/// How long the browser is left to settle the preparation's write before the second start.
const SETTLE: std::time::Duration = std::time::Duration::from_secs(10);
/// How often the planning page is opened offline to rank.
const RANKINGS: usize = 11;

/// Set on each keydown; gives the milliseconds until its results are on screen, and the
/// result cards then shown.
const MEASURE: &str = r#"
    window.__key = new Promise((done) => {
        document.addEventListener('keydown', () => {
            const down = performance.now();
            document.addEventListener('input', () => {
                setTimeout(() => {
                    const work = performance.now() - down;
                    requestAnimationFrame(() => setTimeout(() => done({
                        work,
                        shown: performance.now() - down,
                        cards: document.querySelectorAll('[data-test="result-card"]').length,
                    }), 0));
                }, 0);
            }, { once: true, capture: true });
        }, { once: true, capture: true });
    });
"#;

#[derive(serde::Deserialize)]
struct Key {
    work: f64,
    shown: f64,
    cards: usize,
}

fn main() {
    let queries: usize = std::env::var("SEARCH_QUERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let rt = tests::bench_runtime();
    rt.block_on(async move {
        let bench = FieldBench::start().await;
        let (b, demo, proxy) = (&bench.browser, &bench.demo, &bench.proxy);
        let url = |path: &str| bench.url(path);
        let typed = typical_queries(&demo.base_url, &demo.token, queries).await;

        for round in 0..2 {
            if round == 1 {
                let db = demo.db.clone();
                let added = tokio::task::spawn_blocking(move || seed_copies(&db))
                    .await
                    .expect("seed task");
                eprintln!("{added} enclaves added");
            }
            proxy.set_online(true);
            b.goto(&url("/device")).await;
            b.click("prepare").await;
            // 15,000 enclaves take longer to download and store than the driver's usual wait.
            let wanted = if round == 0 { 1 } else { 1500 * COPIES };
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
            let count = loop {
                if let Some(count) = b.all("working-set-count").await.into_iter().next() {
                    let text = b.text(&count).await;
                    if let Ok(n) = text.trim().replace(['.', ','], "").parse::<usize>()
                        && n >= wanted
                    {
                        break n;
                    }
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "the working set of {wanted} enclaves reaches the device"
                );
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            };
            tests::field::until_service_worker(b).await;

            proxy.set_online(false);
            // Right after the preparation's write, and again once the browser has had time to
            // settle it (a tablet is rarely restarted within seconds of preparing).
            let ready = offline_start(b, &url("/")).await;
            tokio::time::sleep(SETTLE).await;
            let settled = offline_start(b, &url("/")).await;
            let index = b
                .js("const m = performance.getEntriesByName('ei-index').pop(); return m ? m.duration : null;")
                .await
                .as_f64()
                .expect("the app measured the building of the search index");
            let input = b.find("search-input").await;
            let mut work = Vec::new();
            let mut shown = Vec::new();
            let mut cards = 0;
            for query in &typed {
                b.js("const i = document.querySelector('[data-test=\"search-input\"]'); i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true }));")
                    .await;
                for (i, key) in query.chars().enumerate() {
                    b.js(MEASURE).await;
                    let sent = input.send_keys(&key.to_string()).await;
                    b.ok("typing a key", sent).await;
                    let measured = b.js("return window.__key").await;
                    let key: Key = serde_json::from_value(measured).expect("a measure");
                    // One letter is too little to search.
                    if i >= 1 {
                        work.push(key.work);
                        shown.push(key.shown);
                        cards += key.cards;
                    }
                }
            }
            let (w50, w95) = percentiles(&mut work);
            let (s50, s95) = percentiles(&mut shown);
            println!(
                "offline search, working set of {count} enclaves, {} keystrokes over {} queries (mean {:.1} cards shown): keydown to results on screen median {s50:.1} ms, p95 {s95:.1} ms (search and list updated: median {w50:.1} ms, p95 {w95:.1} ms); app interactive offline (ei-ready) at {ready:.0} ms right after preparing, {settled:.0} ms {} s later, of which building the search index {index:.1} ms",
                shown.len(),
                typed.len(),
                cards as f64 / shown.len() as f64,
                SETTLE.as_secs()
            );
            rank_offline(b, &url("/planning"), &demo.base_url, &demo.token).await;
        }
        bench.browser.close().await;
    });
}

/// Opens `url` (offline) and gives the app's `ei-ready` mark: when lookup and recording work.
async fn offline_start(b: &tests::driver::Browser, url: &str) -> f64 {
    b.goto(url).await;
    b.until("the app is interactive", async || {
        b.client
            .execute(
                "const m = performance.getEntriesByName('ei-ready')[0]; return m ? m.startTime : null;",
                vec![],
            )
            .await
            .ok()?
            .as_f64()
    })
    .await
}

/// The planning ranked on the device, offline, from the facts kept with the working set (the
/// page's own measure, `data-rank-ms`: choosing the facts of the enclaves held, ranking them
/// and making the list's 30 cards), `RANKINGS` times, beside the same facts
/// (`GET /api/planning/facts`) ranked natively in this process, as the reference.
async fn rank_offline(b: &tests::driver::Browser, planning: &str, base_url: &str, token: &str) {
    let mut on_device = Vec::new();
    let mut ranked = String::new();
    for _ in 0..RANKINGS {
        b.goto(planning).await;
        let notice = b.find("ranked-on-device").await;
        let ms = b.attr(&notice, "data-rank-ms").await.unwrap_or_default();
        on_device.push(ms.parse::<f64>().expect("the page measured its ranking"));
        ranked = b.attr(&notice, "data-ranked").await.unwrap_or_default();
    }
    let facts: PlanningFacts = tests::http_client()
        .get(format!("{base_url}/api/planning/facts"))
        .bearer_auth(token)
        .send()
        .await
        .expect("facts")
        .json()
        .await
        .expect("facts json");
    let today = tests::dates::today();
    let mut native: Vec<f64> = (0..RANKINGS)
        .map(|_| {
            let started = std::time::Instant::now();
            std::hint::black_box(rank(&facts.inputs, &facts.settings, today, 30));
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let (d50, d95) = percentiles(&mut on_device);
    let (n50, n95) = percentiles(&mut native);
    println!(
        "planning ranked offline on the device, {ranked} enclaves, keep 30: median {d50:.1} ms, p95 {d95:.1} ms; the same {} facts ranked natively (reference): median {n50:.2} ms, p95 {n95:.2} ms",
        facts.inputs.len()
    );
}

/// Median and 95th percentile.
fn percentiles(v: &mut [f64]) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95))
}

/// What an inspector types: a municipality and the start of a host's name, or a street,
/// taken from the first results of the demo's register.
async fn typical_queries(base_url: &str, token: &str, n: usize) -> Vec<String> {
    let page: EnclavePage = tests::http_client()
        .get(format!("{base_url}/api/enclaves?limit=100"))
        .bearer_auth(token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("page");
    page.items
        .iter()
        .step_by(7)
        .take(n)
        .enumerate()
        .map(|(i, e)| {
            let host = e.host.name.split(' ').next().unwrap_or_default();
            match i % 3 {
                0 => format!("{} {host}", e.site.municipality),
                1 => format!("{host} {}", e.site.municipality),
                _ => e.site.street.clone(),
            }
            .to_lowercase()
        })
        .collect()
}

/// Adds `COPIES - 1` copies of every enclave with its contracts (new ids, the site named
/// with the copy's number); gives how many enclaves were added.
fn seed_copies(db: &Db) -> usize {
    let mut conn = db.get().expect("connection");
    let names: std::collections::HashMap<String, String> = organisations::table
        .select((organisations::id, organisations::name))
        .load(&mut *conn)
        .expect("organisations")
        .into_iter()
        .collect();
    let originals: Vec<EnclaveRow> = enclaves::table
        .select(EnclaveRow::as_select())
        .load(&mut *conn)
        .expect("enclaves");
    let their_contracts: Vec<ContractRow> = contracts::table
        .select(ContractRow::as_select())
        .load(&mut *conn)
        .expect("contracts");
    let mut rows = Vec::new();
    let mut contract_rows = Vec::new();
    for copy in 2..=COPIES {
        for e in &originals {
            let id = uuid::Uuid::new_v4().to_string();
            let site_name = format!("{} {copy}", e.site_name);
            let host = &names[&e.host_id];
            contract_rows.extend(their_contracts.iter().filter(|c| c.enclave_id == e.id).map(
                |c| ContractRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    enclave_id: id.clone(),
                    reference: format!("{}-{copy}", c.reference),
                    ..c.clone()
                },
            ));
            rows.push(EnclaveRow {
                search_text: enclave_search_text(&[
                    host,
                    &names[&e.maatwerkbedrijf_id],
                    &site_name,
                    &e.street,
                    &e.postcode,
                    &e.municipality,
                    &e.activity,
                ]),
                sort_key: normalise(&format!("{host} {site_name}")),
                id,
                site_name,
                establishment_unit_number: None,
                ..e.clone()
            });
        }
    }
    conn.transaction(|c| {
        insert(c, &rows, |c, chunk| match c {
            DbConnection::Sqlite(c) => diesel::insert_into(enclaves::table)
                .values(chunk)
                .execute(c),
            DbConnection::Pg(c) => diesel::insert_into(enclaves::table)
                .values(chunk)
                .execute(c),
        })?;
        insert(c, &contract_rows, |c, chunk| match c {
            DbConnection::Sqlite(c) => diesel::insert_into(contracts::table)
                .values(chunk)
                .execute(c),
            DbConnection::Pg(c) => diesel::insert_into(contracts::table)
                .values(chunk)
                .execute(c),
        })
    })
    .expect("copies stored");
    rows.len()
}

/// Inserts `rows` in chunks of 1,000 (within the databases' limits on bound parameters).
fn insert<T>(
    conn: &mut DbConnection,
    rows: &[T],
    each: impl Fn(&mut DbConnection, &[T]) -> QueryResult<usize>,
) -> QueryResult<()> {
    rows.chunks(1000)
        .try_for_each(|chunk| each(conn, chunk).map(drop))
}
