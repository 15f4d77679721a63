//! Behind a proxy, for real: Debian's nginx with the README's configuration
//! (`tests/support/nginx.conf`), TLS with a certificate made here, in front of two instances
//! on one database that trust it (`TRUSTED_PROXIES=127.0.0.1/32`). Over HTTPS: logins work and
//! requests are spread over both instances, the audit trail and the login throttle see the
//! client nginx saw (a forged `X-Forwarded-For` does not escape the per-client limit), a photo
//! of the largest size passes the body limit and one byte more does not, plain HTTP is
//! redirected and HSTS is set. The client connects from 127.0.0.2 (and .3), addresses the
//! server does not trust, so nginx's own 127.0.0.1 is the only trusted hop.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use shared::dto::audit::AuditEvent;
use shared::dto::auth::{Role, TokenResponse};
use shared::dto::sync::{PushRequest, PushResponse, SyncRecord};
use shared::rules::inspection::MAX_PHOTO_BYTES;
use tests::nginx::{self, Nginx};
use tests::records::{inspection, photo};
use tests::tls::TestCa;
use tests::{Backend, TestApp, on_both_backends};
use uuid::Uuid;

use crate::shutdown::{exited_cleanly, start, terminate};
use tests::wait_until_up;

on_both_backends!(
    nginx_with_the_documented_configuration_serves_two_instances,
    a_rolling_restart_behind_nginx_loses_no_push,
);

const PW: &str = "a-long-test-password";
/// The README's `server_name`.
const HOST: &str = "inspect.example.be";
/// Inspections per push during the rolling restart, and how many more must be answered after
/// each step (an instance stopped, started again).
const ROLLING_BATCH: usize = 5;
const ROLLING_STEP: usize = 100;

/// A CA and a certificate for [`HOST`] signed by it: (CA PEM, chain PEM, key PEM).
fn certificates() -> (String, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = TestCa::new(dir.path(), "nginx-ca");
    let (cert, key) = ca.issue(&[HOST]);
    (ca.pem(), cert + &ca.pem(), key)
}

/// An HTTPS client that trusts only `ca`, reaches [`HOST`] at nginx and connects from the
/// loopback address `from`.
fn client(ca: &str, nginx: &Nginx, from: Ipv4Addr) -> reqwest_tls::Client {
    reqwest_tls::Client::builder()
        .tls_certs_only([reqwest_tls::Certificate::from_pem(ca.as_bytes()).expect("CA PEM")])
        .resolve(
            HOST,
            SocketAddr::from((Ipv4Addr::LOCALHOST, nginx.https_port)),
        )
        .local_address(IpAddr::V4(from))
        .redirect(reqwest_tls::redirect::Policy::none())
        .build()
        .expect("HTTPS client")
}

fn url(nginx: &Nginx, path: &str) -> String {
    format!("https://{HOST}:{}{path}", nginx.https_port)
}

/// A login through nginx, claiming to come from `forged` in `X-Forwarded-For`.
async fn login(
    http: &reqwest_tls::Client,
    nginx: &Nginx,
    username: &str,
    password: &str,
    forged: Option<&str>,
) -> reqwest_tls::Response {
    let mut req = http
        .post(url(nginx, "/api/auth/login"))
        .header("Content-Type", "application/json")
        .body(json!({ "username": username, "password": password }).to_string());
    if let Some(forged) = forged {
        req = req.header("X-Forwarded-For", forged);
    }
    req.send().await.expect("login sent through nginx")
}

async fn tokens(res: reqwest_tls::Response) -> TokenResponse {
    assert_eq!(res.status(), StatusCode::OK.as_u16());
    serde_json::from_slice(&res.bytes().await.expect("body")).expect("token response")
}

async fn nginx_with_the_documented_configuration_serves_two_instances(backend: Backend) {
    if !nginx::available() {
        return;
    }
    let trust_nginx = |c: &mut server::config::Config| {
        c.trusted_proxies = server::config::parse_networks("127.0.0.1/32").unwrap();
        // Three failures are free, then a wait longer than the test: what is refused does not
        // depend on how fast the machine hashes.
        c.login_limits.free_failures = 3;
        c.login_limits.first_backoff_secs = 600;
    };
    let one = TestApp::spawn_with(backend, trust_nginx).await;
    let two = one.another_instance(trust_nginx).await;
    let f = one.fixture();
    f.user("ines", PW, Role::Inspector, &[]);
    f.user("admin", PW, Role::Admin, &[]);
    let upstream = |app: &TestApp| -> SocketAddr {
        app.base_url
            .trim_start_matches("http://")
            .parse()
            .expect("instance address")
    };
    let instances = [upstream(&one), upstream(&two)];
    let (ca, chain, key) = certificates();
    let nginx = Nginx::start(&instances, &chain, &key);
    let tablet = client(&ca, &nginx, Ipv4Addr::new(127, 0, 0, 2));

    // Plain HTTP is sent to HTTPS.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("http://127.0.0.1:{}/api/users/me", nginx.http_port))
        .header("Host", HOST)
        .send()
        .await
        .expect("plain HTTP");
    assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        res.headers()["location"],
        format!("https://{HOST}/api/users/me").as_str()
    );

    // Log in over HTTPS; the token works on both instances, and nginx spreads the requests.
    let ines = tokens(login(&tablet, &nginx, "ines", PW, None).await).await;
    for _ in 0..10 {
        let res = tablet
            .get(url(&nginx, "/api/users/me"))
            .bearer_auth(&ines.access_token)
            .send()
            .await
            .expect("through nginx");
        assert_eq!(res.status(), StatusCode::OK.as_u16());
        assert!(
            res.headers()["strict-transport-security"]
                .to_str()
                .unwrap()
                .starts_with("max-age="),
            "HSTS on every answer"
        );
    }
    let log = nginx.access_log();
    for instance in instances {
        let served = log
            .lines()
            .filter(|l| l.contains(&format!(" {instance} ")) && l.ends_with("/api/users/me"))
            .count();
        assert!(
            served >= 3,
            "{instance} answered {served} of 10 requests:\n{log}"
        );
    }

    // A client that forges X-Forwarded-For is still itself to the throttle: three failures,
    // then refused, whatever address it claims.
    let statuses: Vec<u16> = {
        let mut statuses = Vec::new();
        for i in 0..6 {
            let forged = format!("203.0.113.{i}");
            let res = login(&tablet, &nginx, "ines", "wrong password!", Some(&forged)).await;
            statuses.push(res.status().as_u16());
        }
        statuses
    };
    assert_eq!(statuses, [401, 401, 401, 429, 429, 429]);
    // Another client (another tablet) is not locked out.
    let office = client(&ca, &nginx, Ipv4Addr::new(127, 0, 0, 3));
    let admin = tokens(login(&office, &nginx, "admin", PW, None).await).await;
    tokens(login(&office, &nginx, "ines", PW, Some("203.0.113.1")).await).await;

    // The audit trail names the clients nginx saw: never nginx itself or a forged address.
    let res = office
        .get(url(&nginx, "/api/audit?action=login&limit=500"))
        .bearer_auth(&admin.access_token)
        .send()
        .await
        .expect("audit through nginx");
    assert_eq!(res.status(), StatusCode::OK.as_u16());
    let events: Vec<AuditEvent> = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap();
    let from = |client: &str| events.iter().filter(|e| e.client == client).count();
    assert_eq!(
        (from("127.0.0.2"), from("127.0.0.3")),
        (1 + 6, 2),
        "{events:#?}"
    );
    assert_eq!(from("127.0.0.2") + from("127.0.0.3"), events.len());

    // The largest photo passes nginx's body limit; one byte more is refused there.
    let max = usize::try_from(MAX_PHOTO_BYTES).unwrap();
    for (len, expected) in [
        (max, StatusCode::CREATED),
        (max + 1, StatusCode::PAYLOAD_TOO_LARGE),
    ] {
        let (bytes, reference) = photo(len, 7);
        let res = tablet
            .put(url(
                &nginx,
                &format!("/api/attachments/{}", reference.sha256),
            ))
            .bearer_auth(&ines.access_token)
            .header("Content-Type", "image/jpeg")
            .body(bytes)
            .send()
            .await
            .expect("upload through nginx");
        assert_eq!(res.status(), expected.as_u16(), "a photo of {len} bytes");
    }
    drop(nginx);
    drop(two);
}

/// The README shows the configuration this test runs, verbatim.
#[test]
fn the_readme_shows_the_tested_nginx_configuration() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    assert!(
        readme.contains(&format!("```nginx\n{}```", nginx::SITE)),
        "README.md must show tests/support/nginx.conf verbatim in an ```nginx block"
    );
}

/// A rolling restart behind nginx: two server processes; while a tablet keeps pushing through
/// nginx (resending what got no answer, as the outbox does), each is stopped with SIGTERM and
/// started again in turn, the next one once the previous answers again. Pushes go on through
/// the other instance while one is down, both exit cleanly, and every inspection is stored
/// exactly once.
async fn a_rolling_restart_behind_nginx_loses_no_push(backend: Backend) {
    if !nginx::available() {
        return;
    }
    let setup = TestApp::spawn(backend).await;
    let enclave = setup.fixture().simple_enclave("Host").id;
    let token = setup.inspector().await.token;
    let direct = tests::http_client();
    let attachments = tempfile::tempdir().unwrap();
    let ports = [tests::free_port(), tests::free_port()];
    let mut servers = ports.map(|port| start(setup.database_url(), port, attachments.path()));
    for port in ports {
        wait_until_up(&direct, &format!("http://127.0.0.1:{port}")).await;
    }
    let (ca, chain, key) = certificates();
    let upstreams = ports.map(|p| SocketAddr::from((Ipv4Addr::LOCALHOST, p)));
    let nginx = Nginx::start(&upstreams, &chain, &key);
    let tablet = client(&ca, &nginx, Ipv4Addr::new(127, 0, 0, 2));

    // The tablet pushes new inspections until told to stop, each batch until it is answered.
    let sent: Arc<Mutex<HashSet<Uuid>>> = Arc::default();
    let answered = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let pusher = {
        let push_url = url(&nginx, "/api/sync/push");
        let (token, enclave) = (token.clone(), enclave.clone());
        let (sent, answered, stop) = (sent.clone(), answered.clone(), stop.clone());
        tokio::spawn(async move {
            let mut failures = 0;
            while !stop.load(Ordering::Acquire) {
                let batch: Vec<_> = (0..ROLLING_BATCH).map(|_| inspection(&enclave)).collect();
                sent.lock().unwrap().extend(batch.iter().map(|r| r.id));
                let body = serde_json::to_vec(&PushRequest {
                    records: batch
                        .into_iter()
                        .map(|r| SyncRecord::Inspection(Box::new(r)))
                        .collect(),
                })
                .unwrap();
                loop {
                    let res = tablet
                        .post(&push_url)
                        .bearer_auth(&token)
                        .header("Content-Type", "application/json")
                        .body(body.clone())
                        .send()
                        .await;
                    if let Ok(res) = res
                        && res.status() == StatusCode::OK.as_u16()
                        && let Ok(bytes) = res.bytes().await
                        && let Ok(answer) = serde_json::from_slice::<PushResponse>(&bytes)
                    {
                        assert_eq!(answer.results.len(), ROLLING_BATCH);
                        answered.fetch_add(ROLLING_BATCH, Ordering::Release);
                        break;
                    }
                    failures += 1;
                    // The outbox waits a moment before it sends again.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            failures
        })
    };
    // Until `more` further records are answered; panics if that takes longer than `limit`.
    let until_answered = |more: usize, limit: Duration| {
        let answered = answered.clone();
        async move {
            let target = answered.load(Ordering::Acquire) + more;
            let deadline = Instant::now() + limit;
            while answered.load(Ordering::Acquire) < target {
                assert!(
                    Instant::now() < deadline,
                    "{} of {target} records answered after {limit:?}",
                    answered.load(Ordering::Acquire)
                );
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };

    until_answered(ROLLING_STEP, Duration::from_secs(60)).await;
    for (i, port) in ports.into_iter().enumerate() {
        terminate(&servers[i]);
        exited_cleanly(&mut servers[i], Instant::now()).await;
        // With this instance down, pushes go on through the other one.
        until_answered(ROLLING_STEP, Duration::from_secs(30)).await;
        servers[i] = start(setup.database_url(), port, attachments.path());
        wait_until_up(&direct, &format!("http://127.0.0.1:{port}")).await;
    }
    until_answered(ROLLING_STEP, Duration::from_secs(30)).await;
    stop.store(true, Ordering::Release);
    let failures = pusher.await.expect("pusher");

    let sent = sent.lock().unwrap().clone();
    let (changes, _) = setup.pull_all(&token, 1000).await;
    let pulled: Vec<Uuid> = changes.iter().filter_map(|c| c.inspection_id).collect();
    assert_eq!(
        pulled.len(),
        sent.len(),
        "every inspection once, none twice"
    );
    assert_eq!(pulled.into_iter().collect::<HashSet<_>>(), sent);
    eprintln!(
        "{backend:?}: {} inspections, {failures} pushes sent again during the rolling restart",
        sent.len()
    );
    for server in &mut servers {
        terminate(server);
        exited_cleanly(server, Instant::now()).await;
    }
}
