//! Fault test: the server process is killed (SIGKILL) at random moments while a client pushes
//! 1,000 inspections and retries whatever did not get an answer; afterwards every inspection
//! exists exactly once.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use shared::dto::sync::{PullResponse, PushRequest, PushResponse, SyncRecord};
use tests::records::inspection;
use tests::{Backend, TEST_JWT_SECRET, TestApp, on_both_backends, wait_until_up};

on_both_backends!(killing_the_server_mid_push_loses_and_duplicates_nothing);

const TOTAL: usize = 1_000;
const BATCH: usize = 10;
const KILLS: usize = 3;

fn start(url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_test-server"))
        .env("DATABASE_URL", url)
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("JWT_SECRET", TEST_JWT_SECRET)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start the server process")
}

async fn killing_the_server_mid_push_loses_and_duplicates_nothing(backend: Backend) {
    // The in-process app creates the database, a user and an enclave, then steps aside: the
    // server under test is a separate process on the same database.
    let setup = TestApp::spawn(backend).await;
    let enclave = setup.fixture().simple_enclave("Host").id;
    let token = setup.inspector().await.token;
    let url = setup.database_url().to_owned();

    let port = tests::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = tests::http_client_builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut server = start(&url, port);
    wait_until_up(&client, &base).await;

    let records: Vec<_> = (0..TOTAL).map(|_| inspection(&enclave)).collect();
    let expected: HashSet<_> = records.iter().map(|r| r.id).collect();
    let answered = Arc::new(AtomicUsize::new(0));
    let pusher = {
        let (client, base, token, answered) = (
            client.clone(),
            base.clone(),
            token.clone(),
            answered.clone(),
        );
        tokio::spawn(async move {
            let mut retries = 0;
            for chunk in records.chunks(BATCH) {
                let body = PushRequest {
                    records: chunk
                        .iter()
                        .cloned()
                        .map(|r| SyncRecord::Inspection(Box::new(r)))
                        .collect(),
                };
                // The outbox: resend the same batch until an answer arrives.
                loop {
                    let sent = client
                        .post(format!("{base}/api/sync/push"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await;
                    if let Ok(res) = sent
                        && res.status() == StatusCode::OK
                        && let Ok(answer) = res.json::<PushResponse>().await
                    {
                        assert_eq!(answer.results.len(), chunk.len());
                        answered.fetch_add(chunk.len(), Ordering::Release);
                        break;
                    }
                    retries += 1;
                    tokio::time::sleep(Duration::from_millis(30)).await;
                }
            }
            retries
        })
    };
    // Kill the server at random moments while the pushes are under way (each kill once a
    // further quarter of the inspections got an answer, plus a random delay), then restart it.
    let seed = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos(),
    );
    for k in 0..KILLS {
        while answered.load(Ordering::Acquire) < (k + 1) * TOTAL / (KILLS + 1) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let jitter = seed.wrapping_mul(k as u64 * 2 + 7) % 5;
        tokio::time::sleep(Duration::from_millis(jitter)).await;
        assert!(
            answered.load(Ordering::Acquire) < TOTAL,
            "a kill came after the last push"
        );
        server.kill().expect("SIGKILL");
        server.wait().expect("reaped");
        server = start(&url, port);
        wait_until_up(&client, &base).await;
    }
    let retries = pusher.await.expect("pusher");
    eprintln!("{backend:?}: {retries} retries after {KILLS} kills");
    assert!(
        retries >= KILLS,
        "each kill must have cut off at least one push ({retries} retries)"
    );

    // Pull everything back: each inspection exactly once.
    let (mut since, mut seen) = (0, Vec::new());
    loop {
        let page: PullResponse = client
            .get(format!("{base}/api/sync/pull?since={since}&limit=1000"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        seen.extend(page.changes.iter().filter_map(|c| c.inspection_id));
        since = page.next_cursor;
        if !page.more {
            break;
        }
    }
    server.kill().ok();
    server.wait().ok();
    assert_eq!(seen.len(), TOTAL, "every inspection once, none twice");
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), expected);
}
