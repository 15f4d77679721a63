//! Syncing a day in the field over a poor mobile link: the demo inspector records 30
//! inspections with two photos of about 300 KB each offline, then the link comes back at
//! 1 Mbit/s with 300 ms latency (a throttling proxy, both directions) and the app syncs.
//!
//! `cargo bench -p tests --bench field_sync` (headless Chromium, SQLite; ~10 minutes). Prints
//! the time until the device says everything is on the server, the bytes that crossed the
//! link against the photos' own size, and, as the reference measured in the same run, the
//! same photos sent by a plain HTTP client as one whole PUT each over the same link.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use shared::dto::inspection::InspectionView;
use tests::driver::Browser;
use tests::faulty::{Faults, FaultyProxy};
use tests::field::{
    conclude, finding_with_photos, photo_file, prepare_for_the_field, start_inspection,
    until_all_synced, until_submitted,
};
use tests::{Backend, json};

const INSPECTIONS: usize = 30;
const RATE: u64 = 1_000_000;
const LATENCY: Duration = Duration::from_millis(300);

fn main() {
    let rt = tests::bench_runtime();
    rt.block_on(async move {
        let Some(b) = Browser::open().await else {
            panic!("headless Chromium is needed for this benchmark");
        };
        let demo = tests::demo::start(Backend::Sqlite).await;
        let proxy =
            FaultyProxy::start(demo.base_url.trim_start_matches("http://"), Faults::default())
                .await;
        let base = proxy.base_url.clone();
        let files = tempfile::tempdir().expect("photo directory");
        b.set_viewport(800, 1280).await;
        prepare_for_the_field(&b, &base, "inspector", "inspector-demo").await;

        // A day's work, offline.
        proxy.set_online(false);
        let mut ids = Vec::new();
        for i in 0..INSPECTIONS {
            let enclave = &demo.enclave_ids[i % demo.enclave_ids.len()];
            let path = start_inspection(&b, &base, enclave).await;
            let photos: Vec<_> = (0..2)
                .map(|j| {
                    photo_file(files.path(), &format!("p{i}-{j}"), 800, 600, (i * 2 + j) as u64)
                })
                .collect();
            finding_with_photos(&b, &photos).await;
            conclude(&b).await;
            b.click("submit").await;
            until_submitted(&b).await;
            ids.push(path.trim_start_matches("/inspections/").to_owned());
            eprint!(".");
        }
        eprintln!();

        // The link comes back, slow.
        proxy.set_faults(Faults::throttled(RATE, LATENCY));
        proxy.reset_stats();
        proxy.set_online(true);
        let started = Instant::now();
        until_all_synced(&b, &base, Duration::from_secs(900)).await;
        let synced = started.elapsed();
        let wire = proxy.stats();

        let token = demo.token.clone();
        let client = tests::http_client();
        let mut photos = Vec::new();
        for id in &ids {
            let view: InspectionView = json(
                client
                    .get(format!("{}/api/inspections/{id}", demo.base_url))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("inspection"),
                StatusCode::OK,
            )
            .await;
            for sha in view.photo_hashes {
                let bytes = client
                    .get(format!("{}/api/attachments/{sha}", demo.base_url))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("photo")
                    .bytes()
                    .await
                    .expect("photo bytes");
                photos.push((sha, bytes));
            }
        }
        let photo_bytes: u64 = photos.iter().map(|(_, b)| b.len() as u64).sum();

        // Reference: the same bytes as one whole PUT each, by a plain client, same link. The
        // server already has them, so it answers at once: what is measured is the transfer.
        proxy.reset_stats();
        let started = Instant::now();
        for (sha, bytes) in &photos {
            let res = client
                .put(format!("{base}/api/attachments/{sha}"))
                .bearer_auth(&token)
                .header("content-type", "image/jpeg")
                .body(bytes.clone())
                .send()
                .await
                .expect("reference upload");
            assert!(res.status().is_success(), "{}", res.status());
        }
        let reference = started.elapsed();
        let reference_wire = proxy.stats();

        let floor = photo_bytes as f64 * 8.0 / RATE as f64;
        println!(
            "field sync: {INSPECTIONS} inspections, {} photos, {:.1} KB of photos (mean {:.0} KB)",
            photos.len(),
            photo_bytes as f64 / 1000.0,
            photo_bytes as f64 / 1000.0 / photos.len() as f64
        );
        println!(
            "  app sync over 1 Mbit/s + 300 ms: {:.1} s; {:.1} KB up, {:.1} KB down, {} requests ({:.3}x the photos' size up)",
            synced.as_secs_f64(),
            wire.bytes_up as f64 / 1000.0,
            wire.bytes_down as f64 / 1000.0,
            wire.requests,
            wire.bytes_up as f64 / photo_bytes as f64
        );
        println!(
            "  reference, one whole PUT per photo, same link: {:.1} s; {:.1} KB up, {} requests",
            reference.as_secs_f64(),
            reference_wire.bytes_up as f64 / 1000.0,
            reference_wire.requests
        );
        println!("  physical floor of the photo bytes at 1 Mbit/s: {floor:.1} s");
        b.close().await;
    });
}
