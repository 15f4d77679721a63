//! Lookup benchmark: latency (p50/p99) and throughput of the enclave lookup API at 32
//! concurrent clients on the full demo data, on SQLite and on PostgreSQL (without TLS and over
//! verified TLS), next to a bare actix-web JSON endpoint on the same machine. Lookups read no
//! photos: the photo store is not varied here (see the push bench).
//!
//! The machine's speed drifts over a run (it is a virtual machine with neighbours), so each
//! set-up is measured in rounds that take turns with the reference: a round runs the bare
//! endpoint, then each lookup, for a quarter of the measuring time each. A scenario's share of
//! the bare endpoint compares requests made in the same rounds.
//!
//! `cargo bench -p tests --bench lookup` (set `BENCH_SECS` to change the measuring time per
//! scenario, default 8). Client and server share the machine, so the figures include the
//! load generator's own CPU use; compare rows of one run, not runs on other machines.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use tests::demo::Setup;

const CLIENTS: usize = 32;
/// Rounds per set-up; each scenario runs for the measuring time divided by this per round.
const ROUNDS: u32 = 4;

/// What one scenario measured, over all its rounds.
#[derive(Default)]
struct Sample {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl Sample {
    fn add(&mut self, other: Sample) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        self.elapsed += other.elapsed;
    }

    fn per_sec(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The table row, with the share of `reference` (req/s of the bare endpoint).
    fn row(&mut self, name: &str, reference: f64) -> String {
        self.latencies.sort();
        let pct = |p: f64| {
            self.latencies
                .get(
                    ((self.latencies.len() as f64 * p) as usize)
                        .min(self.latencies.len().saturating_sub(1)),
                )
                .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
        };
        format!(
            "| {name} | {} | {} | {:.2} | {:.2} | {:.0} | {:.0} % |",
            self.latencies.len(),
            self.errors,
            pct(0.50),
            pct(0.99),
            self.per_sec(),
            100.0 * self.per_sec() / reference
        )
    }
}

fn main() {
    let secs: u64 = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let slice = Duration::from_secs(secs) / ROUNDS;
    let rt = tests::bench_runtime();
    let mut rows = Vec::new();
    rt.block_on(async {
        let (bare_url, bare) = bare_actix();
        for setup in Setup::available() {
            if setup != Setup::PostgresTlsS3 {
                rows.extend(lookup(setup, &bare_url, slice).await);
            }
        }
        bare.stop(true).await;
    });
    println!("\n| scenario | requests | errors | p50 ms | p99 ms | req/s | share of bare |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        println!("{row}");
    }
}

/// The reference: a bare actix JSON endpoint with the same worker count; its URL.
fn bare_actix() -> (String, actix_web::dev::ServerHandle) {
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
    (format!("http://127.0.0.1:{port}/json"), handle)
}

/// Text search, near search and the enclave page on the demo data, in rounds with the bare
/// endpoint at `bare_url`; the table rows, the reference's first.
async fn lookup(setup: Setup, bare_url: &str, slice: Duration) -> Vec<String> {
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
    let mut samples: [Sample; 4] = Default::default();
    for _ in 0..ROUNDS {
        let bare = bare_url.to_owned();
        samples[0].add(load(slice, None, move |_| bare.clone()).await);
        let b = base.clone();
        samples[1].add(
            load(slice, Some(token.clone()), move |i| {
                format!("{b}/api/enclaves?q={}", words[i % words.len()])
            })
            .await,
        );
        let b = base.clone();
        samples[2].add(
            load(slice, Some(token.clone()), move |i| {
                let (lat, lon) = positions[i % positions.len()];
                format!("{b}/api/enclaves?near={lat},{lon}&radius_km=10")
            })
            .await,
        );
        let b = base.clone();
        let ids = ids.clone();
        samples[3].add(
            load(slice, Some(token.clone()), move |i| {
                format!("{b}/api/enclaves/{}", ids[i % ids.len()])
            })
            .await,
        );
    }
    let reference = samples[0].per_sec();
    let names = [
        format!("{}: bare actix JSON endpoint (reference)", setup.label()),
        format!("{}: GET /api/enclaves?q=", setup.label()),
        format!("{}: GET /api/enclaves?near=", setup.label()),
        format!("{}: GET /api/enclaves/{{id}}", setup.label()),
    ];
    let rows: Vec<String> = samples
        .iter_mut()
        .zip(names)
        .map(|(sample, name)| sample.row(&name, reference))
        .collect();
    for row in &rows {
        eprintln!("{row}");
    }
    rows
}

/// Runs `CLIENTS` concurrent clients for `duration` after a half-second warm-up.
async fn load<F>(duration: Duration, token: Option<Arc<String>>, url: F) -> Sample
where
    F: Fn(usize) -> String + Send + Sync + 'static,
{
    let url = Arc::new(url);
    let client = tests::http_client_builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .expect("client");
    let warm_up_until = Instant::now() + Duration::from_millis(500);
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
    let mut sample = Sample {
        elapsed: duration,
        ..Sample::default()
    };
    for t in tasks {
        let (l, e) = t.await.expect("client task");
        sample.latencies.extend(l);
        sample.errors += e;
    }
    sample
}
