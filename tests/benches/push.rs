//! Push benchmark: 10,000 inspections pushed through `POST /api/sync/push` in batches, to
//! SQLite and to PostgreSQL; wall time and the server's CPU time per inspection.
//!
//! `cargo bench -p tests --bench push` (`PUSH_TOTAL`, `PUSH_BATCH` and `PUSH_CLIENTS` override
//! 10,000, 500 and 2). The request bodies are serialised before the clock starts, so the
//! process's CPU time during the run is the server's (plus a negligible client that only
//! sends bytes); PostgreSQL's own CPU is not included.

use std::time::{Duration, Instant};

use shared::dto::sync::{PushRequest, PushResponse, SyncRecord};
use tests::Backend;
use tests::records::inspection;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// User + system CPU time of this process, from /proc (clock ticks of 10 ms).
fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let after_name = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    Duration::from_millis(ticks * 10)
}

fn main() {
    let (total, batch, clients) = (
        env("PUSH_TOTAL", 10_000),
        env("PUSH_BATCH", 500),
        env("PUSH_CLIENTS", 2),
    );
    let rt = tests::bench_runtime();
    let mut rows = Vec::new();
    rt.block_on(async {
        for backend in Backend::available() {
            rows.push(run(backend, total, batch, clients).await);
        }
    });
    println!(
        "\n| database | inspections | batch | clients | wall s | server CPU ms | CPU ms / inspection |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!("{r}");
    }
}

async fn run(backend: Backend, total: usize, batch: usize, clients: usize) -> String {
    let demo = tests::demo::start(backend).await;
    let (base, enclaves) = (demo.base_url.clone(), demo.enclave_ids.clone());
    let client = tests::http_client();
    // Serialise every body up front.
    let bodies: Vec<Vec<u8>> = (0..total)
        .map(|i| inspection(&enclaves[i % enclaves.len()]))
        .collect::<Vec<_>>()
        .chunks(batch)
        .map(|c| {
            serde_json::to_vec(&PushRequest {
                records: c
                    .iter()
                    .cloned()
                    .map(|r| SyncRecord::Inspection(Box::new(r)))
                    .collect(),
            })
            .expect("json")
        })
        .collect();
    let per_client: Vec<Vec<Vec<u8>>> = (0..clients)
        .map(|c| bodies.iter().skip(c).step_by(clients).cloned().collect())
        .collect();

    let (cpu0, start) = (process_cpu(), Instant::now());
    let tasks: Vec<_> = per_client
        .into_iter()
        .map(|bodies| {
            let (client, base, token) = (client.clone(), base.clone(), demo.token.clone());
            tokio::spawn(async move {
                let mut applied = 0;
                for body in bodies {
                    let res = client
                        .post(format!("{base}/api/sync/push"))
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await
                        .expect("push");
                    assert!(res.status().is_success(), "{}", res.status());
                    let r: PushResponse = res.json().await.expect("response");
                    applied += r.results.len();
                }
                applied
            })
        })
        .collect();
    let mut applied = 0;
    for t in tasks {
        applied += t.await.expect("client");
    }
    let (wall, cpu) = (start.elapsed(), process_cpu() - cpu0);
    assert_eq!(applied, total);
    let per = cpu.as_secs_f64() * 1000.0 / total as f64;
    eprintln!(
        "{backend:?}: {total} inspections in {:.2} s, server CPU {} ms ({per:.3} ms each)",
        wall.as_secs_f64(),
        cpu.as_millis()
    );
    format!(
        "| {backend:?} | {total} | {batch} | {clients} | {:.2} | {} | {per:.3} |",
        wall.as_secs_f64(),
        cpu.as_millis()
    )
}
