//! Sync under concurrency: writers whose transactions overlap while a client pulls, two
//! server instances on one database, and clients that abort uploads mid-body.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use shared::dto::auth::Role;
use shared::dto::sync::{PushOutcome, PushRequest, SyncRecord};
use tests::records::inspection;
use tests::{Backend, TestApp, on_both_backends};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

on_both_backends!(
    a_pull_during_concurrent_pushes_sees_every_change_once,
    two_instances_on_one_database_agree,
    aborted_uploads_hold_no_connection_or_lock,
);

const PW: &str = "a-long-test-password";
const WRITERS: usize = 8;
const BATCHES: usize = 10;
const PER_BATCH: usize = 5;

async fn a_pull_during_concurrent_pushes_sees_every_change_once(backend: Backend) {
    let app = Arc::new(TestApp::spawn_with(backend, |c| c.db_max_connections = 12).await);
    let token = Arc::new(app.inspector().await.token);
    let enclave = Arc::new(app.fixture().simple_enclave("Host").id);

    let done = Arc::new(AtomicBool::new(false));
    let puller = {
        let (app, token, done) = (app.clone(), token.clone(), done.clone());
        tokio::spawn(async move {
            let (mut since, mut seen, mut seqs) = (0, Vec::new(), Vec::new());
            loop {
                let finished = done.load(Ordering::Acquire);
                let page = app.pull(&token, since, 13).await;
                seen.extend(page.changes.iter().filter_map(|c| c.inspection_id));
                seqs.extend(page.changes.iter().map(|c| c.seq));
                since = page.next_cursor;
                if finished && !page.more {
                    return (seen, seqs);
                }
                if !page.more {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        })
    };
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let (app, token, enclave) = (app.clone(), token.clone(), enclave.clone());
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for _ in 0..BATCHES {
                    let batch: Vec<SyncRecord> = (0..PER_BATCH)
                        .map(|_| {
                            let r = inspection(&enclave);
                            ids.push(r.id);
                            SyncRecord::Inspection(Box::new(r))
                        })
                        .collect();
                    let r = app.push(&token, batch).await;
                    assert!(
                        r.results
                            .iter()
                            .all(|r| r.outcome == PushOutcome::Applied { version: 1 })
                    );
                }
                ids
            })
        })
        .collect();
    let mut pushed = HashSet::new();
    for w in writers {
        pushed.extend(w.await.expect("writer"));
    }
    done.store(true, Ordering::Release);
    let (seen, seqs) = puller.await.expect("puller");
    assert_eq!(pushed.len(), WRITERS * BATCHES * PER_BATCH);
    assert_eq!(seen.len(), pushed.len(), "no change twice, none missing");
    assert_eq!(seen.iter().copied().collect::<HashSet<Uuid>>(), pushed);
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
}

async fn two_instances_on_one_database_agree(backend: Backend) {
    // No configured secret: the instances must share the one stored in the database.
    let a = TestApp::spawn_with(backend, |c| c.jwt_secret = None).await;
    let b = a.another_instance(|c| c.jwt_secret = None).await;
    a.fixture().user("dev1", PW, Role::Inspector, &[]);
    a.fixture().user("dev2", PW, Role::Inspector, &[]);
    let enclave = a.fixture().simple_enclave("Host").id;
    let t1 = a.login("dev1", PW).await.access_token;
    let t2 = b.login("dev2", PW).await.access_token;

    let mut tasks = Vec::new();
    for (token, first, second) in [(t1.clone(), &a, &b), (t2.clone(), &b, &a)] {
        let records: Vec<_> = (0..40).map(|_| inspection(&enclave)).collect();
        let ids: HashSet<Uuid> = records.iter().map(|r| r.id).collect();
        let (first_url, second_url, client) = (
            first.base_url.clone(),
            second.base_url.clone(),
            first.client.clone(),
        );
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            // Every batch goes to one instance, then again to the other (a retry after a
            // lost answer, through another instance behind the load balancer).
            for chunk in records.chunks(8) {
                let body = PushRequest {
                    records: chunk
                        .iter()
                        .cloned()
                        .map(|r| SyncRecord::Inspection(Box::new(r)))
                        .collect(),
                };
                for url in [&first_url, &second_url] {
                    let res = client
                        .post(format!("{url}/api/sync/push"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status(), StatusCode::OK);
                }
            }
            ids
        }));
    }
    let mut expected = Vec::new();
    for t in tasks {
        expected.push(t.await.expect("device"));
    }
    for (i, token) in [t1, t2].iter().enumerate() {
        for instance in [&a, &b] {
            let mut since = 0;
            let mut seen = Vec::new();
            loop {
                let page = instance.pull(token, since, 13).await;
                seen.extend(page.changes.iter().filter_map(|c| c.inspection_id));
                since = page.next_cursor;
                if !page.more {
                    break;
                }
            }
            assert_eq!(seen.len(), 40, "device {i}: every inspection exactly once");
            assert_eq!(seen.into_iter().collect::<HashSet<_>>(), expected[i]);
        }
    }
}

async fn aborted_uploads_hold_no_connection_or_lock(backend: Backend) {
    // A small pool: if aborted requests held connections, the next push would starve.
    let app = TestApp::spawn_with(backend, |c| c.db_max_connections = 2).await;
    let token = app.inspector().await.token;
    let enclave = app.fixture().simple_enclave("Host").id;
    let addr = app.base_url.trim_start_matches("http://").to_owned();
    let body = serde_json::to_string(&PushRequest {
        records: (0..20)
            .map(|_| SyncRecord::Inspection(Box::new(inspection(&enclave))))
            .collect(),
    })
    .unwrap();
    for i in 0..50 {
        let mut stream = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        let path = if i % 2 == 0 {
            "/api/sync/push"
        } else {
            "/api/auth/login"
        };
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream
            .write_all(&body.as_bytes()[..body.len() / 2])
            .await
            .unwrap();
        drop(stream); // cut off mid-body
    }
    let start = Instant::now();
    let r = app
        .push(
            &token,
            vec![SyncRecord::Inspection(Box::new(inspection(&enclave)))],
        )
        .await;
    assert_eq!(r.results[0].outcome, PushOutcome::Applied { version: 1 });
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "the next push did not wait for the aborted ones"
    );
    let page = app.pull(&token, 0, 13).await;
    assert_eq!(
        page.changes.len(),
        1,
        "nothing of the aborted bodies was stored"
    );
}
