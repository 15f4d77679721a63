//! Push benchmark: 10,000 inspections pushed through `POST /api/sync/push` in batches, and 128
//! photos of 256 KiB uploaded in four pieces each through `PUT /api/attachments/{sha256}`, on
//! SQLite and on PostgreSQL without TLS, over verified TLS, and over TLS with the photos in an
//! S3 bucket (s3s-fs on the same machine); wall time and the server's CPU time.
//!
//! `cargo bench -p tests --bench push` (`PUSH_TOTAL`, `PUSH_BATCH`, `PUSH_CLIENTS` and
//! `PUSH_PHOTOS` override 10,000, 500, 2 and 128). The request bodies are serialised before the
//! clock starts, so the process's CPU time during the run is the server's (plus a negligible
//! client that only sends bytes); PostgreSQL's and the S3 server's own CPU are not included.

use std::time::{Duration, Instant};

use shared::dto::sync::{PushRequest, PushResponse, SyncRecord};
use tests::demo::{DemoServer, Setup};
use tests::records::{inspection, photo};

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
    let photos = env("PUSH_PHOTOS", 128).min(256);
    let rt = tests::bench_runtime();
    let (mut rows, mut photo_rows) = (Vec::new(), Vec::new());
    rt.block_on(async {
        for setup in Setup::available() {
            let demo = tests::demo::start_on(setup).await;
            rows.push(run(&demo, setup, total, batch, clients).await);
            photo_rows.push(upload_photos(&demo, setup, photos, clients).await);
        }
    });
    println!(
        "\n| setup | inspections | batch | clients | wall s | server CPU ms | CPU ms / inspection |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!("{r}");
    }
    println!(
        "\n| setup | photos × 256 KiB | pieces each | clients | wall s | photos/s | server CPU ms / photo |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in photo_rows {
        println!("{r}");
    }
}

/// Bytes of one benchmark photo, and in how many pieces it is sent.
const PHOTO_BYTES: usize = 256 * 1024;
const PIECES: usize = 4;

/// Uploads `count` photos, each in [`PIECES`] pieces (the resumable path), from `clients`
/// clients.
async fn upload_photos(demo: &DemoServer, setup: Setup, count: usize, clients: usize) -> String {
    let client = tests::http_client();
    let photos: Vec<(Vec<u8>, String)> = (0..count)
        .map(|i| {
            let (bytes, reference) = photo(PHOTO_BYTES, u8::try_from(i).unwrap_or(u8::MAX));
            (bytes, reference.sha256)
        })
        .collect();
    let per_client: Vec<Vec<(Vec<u8>, String)>> = (0..clients)
        .map(|c| photos.iter().skip(c).step_by(clients).cloned().collect())
        .collect();
    let (cpu0, start) = (process_cpu(), Instant::now());
    let tasks: Vec<_> = per_client
        .into_iter()
        .map(|photos| {
            let (client, base, token) = (client.clone(), demo.base_url.clone(), demo.token.clone());
            tokio::spawn(async move {
                for (bytes, sha) in photos {
                    let piece = bytes.len().div_ceil(PIECES);
                    for (n, chunk) in bytes.chunks(piece).enumerate() {
                        let first = n * piece;
                        let res = client
                            .put(format!("{base}/api/attachments/{sha}"))
                            .bearer_auth(&token)
                            .header("content-type", "image/jpeg")
                            .header(
                                "content-range",
                                format!(
                                    "bytes {first}-{}/{}",
                                    first + chunk.len() - 1,
                                    bytes.len()
                                ),
                            )
                            .body(chunk.to_vec())
                            .send()
                            .await
                            .expect("upload");
                        assert!(res.status().is_success(), "{}", res.status());
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("client");
    }
    let (wall, cpu) = (start.elapsed(), process_cpu() - cpu0);
    let secs = wall.as_secs_f64();
    format!(
        "| {} | {count} | {PIECES} | {clients} | {secs:.2} | {:.0} | {:.2} |",
        setup.label(),
        count as f64 / secs,
        cpu.as_secs_f64() * 1000.0 / count as f64
    )
}

async fn run(
    demo: &DemoServer,
    setup: Setup,
    total: usize,
    batch: usize,
    clients: usize,
) -> String {
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
        "{}: {total} inspections in {:.2} s, server CPU {} ms ({per:.3} ms each)",
        setup.label(),
        wall.as_secs_f64(),
        cpu.as_millis()
    );
    format!(
        "| {} | {total} | {batch} | {clients} | {:.2} | {} | {per:.3} |",
        setup.label(),
        wall.as_secs_f64(),
        cpu.as_millis()
    )
}
