//! Graceful shutdown: SIGTERM reaches the server process while several clients keep pushing
//! inspections (with photos) and one push is half sent, its rest following seconds later as
//! over a slow link. The server stops accepting connections at once, still finishes that push,
//! and exits with success within its shutdown timeout. Afterwards every push that was answered
//! is stored exactly once, and every push that was not is stored whole or not at all: an
//! inspection is in the pull exactly when it can be read, with the findings and photos it was
//! sent with. (`proxy.rs` restarts instances behind nginx with the helpers here.)

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use shared::dto::inspection::{InspectionRecord, InspectionView, PhotoRef};
use shared::dto::sync::{PushOutcome, PushRequest, PushResponse, SyncRecord};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uuid::Uuid;

use tests::records::{inspection, photo};
use tests::{Backend, TEST_JWT_SECRET, TestApp, json, on_both_backends, wait_until_up};

on_both_backends!(sigterm_finishes_pushes_in_flight_and_exits_cleanly);

const CLIENTS: usize = 3;
const BATCH: usize = 5;
/// Pushes answered before the signal is sent.
const ANSWERED_BEFORE_SIGTERM: usize = 20;
/// The server's `shutdown_timeout`, and what the test allows on top for exiting.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
const EXIT_MARGIN: Duration = Duration::from_secs(5);
/// How long the push in flight waits before sending the rest of its body: longer than the
/// server checks for the end of its shutdown (every second), well within its timeout and
/// its minimum body rate's grace time.
const SLOW_LINK: Duration = Duration::from_secs(3);

/// A server process, killed when dropped (a failing test leaves none behind).
pub(crate) struct ServerProcess(Child);

impl std::ops::Deref for ServerProcess {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for ServerProcess {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The server process on `url`, listening on `port`, keeping photos in `attachments`.
pub(crate) fn start(url: &str, port: u16, attachments: &std::path::Path) -> ServerProcess {
    let child = server(url, attachments)
        .env("BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .spawn()
        .expect("start the server process");
    ServerProcess(child)
}

/// The server process on `url` on a port it chooses itself (so no other test can take the
/// port between its choice and the bind), keeping photos in `attachments`; and its base URL,
/// from the line it announces itself with. Its output is read to the end, so it never blocks
/// on a full pipe.
fn start_anywhere(url: &str, attachments: &std::path::Path) -> (ServerProcess, String) {
    use std::io::BufRead;
    let mut child = server(url, attachments)
        .env("BIND", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the server process");
    let stdout = child.stdout.take().expect("stdout");
    let (announced, base) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(rest) = line.strip_prefix("Enclave Inspect on ") {
                let base = rest.split_whitespace().next().unwrap_or_default();
                let _ = announced.send(base.to_owned());
            }
        }
    });
    let server = ServerProcess(child);
    let base = base
        .recv_timeout(Duration::from_secs(60))
        .expect("the server announces its address");
    (server, base)
}

/// `test-server` on `url` with the settings of these tests, keeping photos in `attachments`.
fn server(url: &str, attachments: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_test-server"));
    command
        .env("DATABASE_URL", url)
        .env("JWT_SECRET", TEST_JWT_SECRET)
        // As in-process test servers: a pool keeps all its connections open, and many tests
        // share one PostgreSQL.
        .env("DB_MAX_CONNECTIONS", "4")
        .env("ATTACHMENTS_DIR", attachments)
        .env("RUST_LOG", "warn");
    command
}

/// An inspection with three findings, the first two naming `photos`.
fn record(enclave: &str, photos: &[PhotoRef]) -> InspectionRecord {
    let mut r = inspection(enclave);
    let first = r.findings[0].clone();
    r.findings = (0..3)
        .map(|i| {
            let mut f = first.clone();
            f.id = Uuid::new_v4();
            f.text = format!("Vaststelling {i}.");
            if i < 2 {
                f.photos = photos.to_vec();
            }
            f
        })
        .collect();
    r
}

fn push_body(records: &[InspectionRecord]) -> PushRequest {
    PushRequest {
        records: records
            .iter()
            .cloned()
            .map(|r| SyncRecord::Inspection(Box::new(r)))
            .collect(),
    }
}

/// Sends SIGTERM to the server process.
pub(crate) fn terminate(server: &Child) {
    let pid = libc::pid_t::try_from(server.id()).expect("pid");
    // SAFETY: kill(2) with a pid this test started and has not reaped yet.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0, "SIGTERM sent");
}

/// Waits for the server process to exit after SIGTERM; panics unless it exits with success
/// within its shutdown timeout (and a margin).
pub(crate) async fn exited_cleanly(server: &mut Child, signalled: Instant) {
    let exit = loop {
        if let Some(exit) = server.try_wait().unwrap() {
            break exit;
        }
        assert!(
            signalled.elapsed() < SHUTDOWN_TIMEOUT + EXIT_MARGIN,
            "still running {:?} after SIGTERM",
            signalled.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(exit.success(), "exit status {exit}");
}

/// Waits until connecting to `port` is refused (or reset: a connection the kernel queued for
/// a listener that closed).
async fn until_refused(port: u16) {
    use std::io::ErrorKind::{ConnectionRefused, ConnectionReset};
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match TcpStream::connect(("127.0.0.1", port)).await {
            Err(e) if matches!(e.kind(), ConnectionRefused | ConnectionReset) => return,
            Err(e) => panic!("connecting after SIGTERM: {e} ({:?})", e.kind()),
            Ok(_) => {
                assert!(
                    Instant::now() < deadline,
                    "still accepting connections 5 s after SIGTERM"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// One HTTP/1.1 response with a `content-length`, head and body.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.expect("read the answer");
        assert!(n > 0, "connection closed before a whole answer: {bytes:?}");
        bytes.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&bytes);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().expect("content-length"))
                })
                .expect("content-length");
            if body.len() >= length {
                return text.into_owned();
            }
        }
    }
}

async fn sigterm_finishes_pushes_in_flight_and_exits_cleanly(backend: Backend) {
    // The in-process app creates the database, a user and an enclave, then reads back what
    // the server process under test stored.
    let setup = TestApp::spawn(backend).await;
    let enclave = setup.fixture().simple_enclave("Host").id;
    let token = setup.inspector().await.token;

    let attachments = tempfile::tempdir().unwrap();
    let client = tests::http_client_builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let (mut server, base) = start_anywhere(setup.database_url(), attachments.path());
    let port: u16 = base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port in the announced address");
    wait_until_up(&client, &base).await;

    let mut photos: Vec<PhotoRef> = Vec::new();
    for seed in [1, 2] {
        let (bytes, reference) = photo(4096, seed);
        let res = client
            .put(format!("{base}/api/attachments/{}", reference.sha256))
            .bearer_auth(&token)
            .header("Content-Type", "image/jpeg")
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        photos.push(reference);
    }

    // Clients push batches until their first push without an answer.
    let sent: Arc<Mutex<HashMap<Uuid, InspectionRecord>>> = Arc::default();
    let unanswered: Arc<Mutex<Vec<Uuid>>> = Arc::default();
    let answered: Arc<Mutex<Vec<Uuid>>> = Arc::default();
    let pushes_answered = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (client, base, token, enclave, photos) = (
                client.clone(),
                base.clone(),
                token.clone(),
                enclave.clone(),
                photos.clone(),
            );
            let (sent, unanswered, answered, pushes_answered) = (
                sent.clone(),
                unanswered.clone(),
                answered.clone(),
                pushes_answered.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let batch: Vec<_> = (0..BATCH).map(|_| record(&enclave, &photos)).collect();
                    let ids: Vec<Uuid> = batch.iter().map(|r| r.id).collect();
                    sent.lock()
                        .unwrap()
                        .extend(batch.iter().map(|r| (r.id, r.clone())));
                    let res = client
                        .post(format!("{base}/api/sync/push"))
                        .bearer_auth(&token)
                        .json(&push_body(&batch))
                        .send()
                        .await;
                    let answer = match res {
                        Ok(res) if res.status() == StatusCode::OK => {
                            res.json::<PushResponse>().await.ok()
                        }
                        Ok(res) => panic!("push answered {}", res.status()),
                        Err(_) => None,
                    };
                    let Some(answer) = answer else {
                        unanswered.lock().unwrap().extend(ids);
                        return;
                    };
                    for result in &answer.results {
                        assert!(
                            matches!(result.outcome, PushOutcome::Applied { .. }),
                            "{result:?}"
                        );
                    }
                    answered.lock().unwrap().extend(ids);
                    pushes_answered.fetch_add(1, Ordering::Release);
                }
            })
        })
        .collect();

    while pushes_answered.load(Ordering::Acquire) < ANSWERED_BEFORE_SIGTERM {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // A push whose head and half its body are sent just before the signal
    // (the server's minimum body rate would cut it off if it waited long).
    let in_flight = record(&enclave, &photos);
    let body = serde_json::to_vec(&push_body(std::slice::from_ref(&in_flight))).unwrap();
    let mut raw = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = format!(
        "POST /api/sync/push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    );
    raw.write_all(head.as_bytes()).await.unwrap();
    // The server asks for the body: a worker is handling the request.
    let mut interim = [0u8; 25];
    raw.read_exact(&mut interim).await.unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    let (first_half, second_half) = body.split_at(body.len() / 2);
    raw.write_all(first_half).await.unwrap();

    terminate(&server);
    let signalled = Instant::now();

    // No new connections, while the push in flight keeps the process going: its body's second
    // half comes later, as over a slow link.
    until_refused(port).await;
    tokio::time::sleep(SLOW_LINK).await;
    assert!(
        server.try_wait().unwrap().is_none(),
        "the server exited with a request in flight"
    );
    raw.write_all(second_half).await.unwrap();
    let answer = read_response(&mut raw).await;
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "the push in flight is answered: {answer}"
    );
    let results: PushResponse =
        serde_json::from_str(answer.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert!(matches!(
        results.results[0].outcome,
        PushOutcome::Applied { .. }
    ));

    // The process exits, with success, within its shutdown timeout.
    exited_cleanly(&mut server, signalled).await;
    let took = signalled.elapsed();
    for c in clients {
        c.await.expect("client");
    }

    // What the server stored: each inspection in the pull once, readable exactly when it is in
    // the pull, and whole.
    let (changes, _) = setup.pull_all(&token, 1000).await;
    let pulled: Vec<Uuid> = changes.iter().filter_map(|c| c.inspection_id).collect();
    let once: HashSet<Uuid> = pulled.iter().copied().collect();
    assert_eq!(once.len(), pulled.len(), "an inspection pulled twice");
    let answered = answered.lock().unwrap().clone();
    let unanswered = unanswered.lock().unwrap().clone();
    let sent = sent.lock().unwrap().clone();
    for id in &answered {
        assert!(once.contains(id), "answered push {id} is not stored");
    }
    assert!(once.contains(&in_flight.id), "the push in flight is stored");
    assert!(
        once.iter()
            .all(|id| *id == in_flight.id || sent.contains_key(id))
    );
    let mut to_read: Vec<(Uuid, &InspectionRecord)> = unanswered
        .iter()
        .map(|id| (*id, &sent[id]))
        .chain(answered.iter().step_by(25).map(|id| (*id, &sent[id])))
        .collect();
    to_read.push((in_flight.id, &in_flight));
    let mut applied_unanswered = 0;
    for (id, record) in to_read {
        let res = setup.get(&format!("/api/inspections/{id}"), &token).await;
        if once.contains(&id) {
            let view: InspectionView = json(res, StatusCode::OK).await;
            assert_eq!(view.record.findings, record.findings, "{id} whole");
            for p in &photos {
                assert!(
                    view.photo_hashes.contains(&p.sha256),
                    "{id} names its photos"
                );
            }
            applied_unanswered += usize::from(unanswered.contains(&id));
        } else {
            assert_eq!(
                res.status(),
                StatusCode::NOT_FOUND,
                "{id} stored but not pulled"
            );
        }
    }
    eprintln!(
        "{backend:?}: exited {took:?} after SIGTERM; {} records answered, {} unanswered \
         ({applied_unanswered} of them applied)",
        answered.len(),
        unanswered.len()
    );
}
