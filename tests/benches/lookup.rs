//! Lookup benchmark: latency (p50/p99) and throughput of the enclave lookup API at 32
//! concurrent clients on the full demo data, on SQLite and on PostgreSQL (without TLS and over
//! verified TLS), each set-up next to a bare actix-web JSON endpoint measured just before it
//! on the same machine. Lookups read no photos: the photo store is not varied here (see the push bench).
//!
//! `cargo bench -p tests --bench lookup` (set `BENCH_SECS` to change the measuring time per
//! scenario, default 8). Client and server share the machine, so the figures include the
//! load generator's own CPU use; compare rows of one run, not runs on other machines.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use tests::demo::Setup;

const CLIENTS: usize = 32;

/// One measured scenario.
struct Outcome {
    name: String,
    requests: usize,
    errors: usize,
    p50_ms: f64,
    p99_ms: f64,
    per_sec: f64,
}

fn main() {
    let secs: u64 = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let rt = tests::bench_runtime();
    // Each set-up's scenarios beside a measurement of the reference taken just before them,
    // so that a drift of the machine over the run does not move the shares.
    let mut outcomes: Vec<(Outcome, f64)> = Vec::new();
    rt.block_on(async {
        for setup in Setup::available() {
            if setup != Setup::PostgresTlsS3 {
                let bare = bare_actix(Duration::from_secs(secs)).await;
                let reference = bare.per_sec;
                outcomes.push((bare, reference));
                for o in lookup(setup, Duration::from_secs(secs)).await {
                    outcomes.push((o, reference));
                }
            }
        }
    });
    println!("\n| scenario | requests | errors | p50 ms | p99 ms | req/s | share of bare |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (o, reference) in &outcomes {
        println!(
            "| {} | {} | {} | {:.2} | {:.2} | {:.0} | {:.0} % |",
            o.name,
            o.requests,
            o.errors,
            o.p50_ms,
            o.p99_ms,
            o.per_sec,
            100.0 * o.per_sec / reference
        );
    }
}

/// The reference: a bare actix JSON endpoint with the same worker count.
async fn bare_actix(duration: Duration) -> Outcome {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = HttpServer::new(|| {
        App::new().route(
            "/json",
            web::get().to(|| async {
                HttpResponse::Ok().json(serde_json::json!({"message": "Hello, World!"}))
            }),
        )
    })
    .listen(listener)
    .expect("listen")
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    let url = format!("http://127.0.0.1:{port}/json");
    let outcome = load(
        "bare actix JSON endpoint".into(),
        duration,
        None,
        move |_| url.clone(),
    )
    .await;
    handle.stop(true).await;
    outcome
}

/// Text search, near search and the enclave page on the demo data.
async fn lookup(setup: Setup, duration: Duration) -> Vec<Outcome> {
    let demo = tests::demo::start_on(setup).await;
    let base = demo.base_url.clone();
    let token = Arc::new(demo.token.clone());
    let ids: Arc<Vec<String>> = Arc::new(demo.enclave_ids.clone());

    let words = [
        "gent",
        "verpakking",
        "peeters",
        "industrieweg",
        "hasselt",
        "kouter",
        "logistiek",
        "brugge",
    ];
    let positions = [
        (51.05, 3.72),
        (51.22, 4.40),
        (50.93, 5.33),
        (51.21, 3.22),
        (50.88, 4.70),
    ];
    let name = |what: &str| format!("{}: {what}", setup.label());
    let b = base.clone();
    let search = load(
        name("GET /api/enclaves?q="),
        duration,
        Some(token.clone()),
        move |i| format!("{b}/api/enclaves?q={}", words[i % words.len()]),
    )
    .await;
    let b = base.clone();
    let near = load(
        name("GET /api/enclaves?near="),
        duration,
        Some(token.clone()),
        move |i| {
            let (lat, lon) = positions[i % positions.len()];
            format!("{b}/api/enclaves?near={lat},{lon}&radius_km=10")
        },
    )
    .await;
    let b = base.clone();
    let detail = load(
        name("GET /api/enclaves/{id}"),
        duration,
        Some(token.clone()),
        move |i| format!("{b}/api/enclaves/{}", ids[i % ids.len()]),
    )
    .await;
    vec![search, near, detail]
}

/// Runs `CLIENTS` concurrent clients for `duration` after a one-second warm-up.
async fn load<F>(name: String, duration: Duration, token: Option<Arc<String>>, url: F) -> Outcome
where
    F: Fn(usize) -> String + Send + Sync + 'static,
{
    let url = Arc::new(url);
    let client = tests::http_client_builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .expect("client");
    let warm_up_until = Instant::now() + Duration::from_secs(1);
    let until = warm_up_until + duration;
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (client, url, token) = (client.clone(), url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut i = c * 7919;
            loop {
                let start = Instant::now();
                if start >= until {
                    break;
                }
                let mut req = client.get(url(i));
                if let Some(t) = &token {
                    req = req.bearer_auth(t.as_str());
                }
                let ok = match req.send().await {
                    Ok(res) => res.status().is_success() && res.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if start >= warm_up_until {
                    if ok {
                        latencies.push(start.elapsed());
                    } else {
                        errors += 1;
                    }
                }
                i += 1;
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.expect("client task");
        all.extend(l);
        errors += e;
    }
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    let outcome = Outcome {
        requests: all.len(),
        errors,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        per_sec: all.len() as f64 / duration.as_secs_f64(),
        name,
    };
    eprintln!(
        "{}: {} requests, p50 {:.2} ms, p99 {:.2} ms, {:.0}/s, {} errors",
        outcome.name,
        outcome.requests,
        outcome.p50_ms,
        outcome.p99_ms,
        outcome.per_sec,
        outcome.errors
    );
    outcome
}
