//! Behind a proxy, for real: Debian's nginx with the README's configuration
//! (`tests/support/nginx.conf`), TLS with a certificate made here, in front of two instances
//! on one database that trust it (`TRUSTED_PROXIES=127.0.0.1/32`). Over HTTPS: logins work and
//! requests are spread over both instances, the audit trail and the login throttle see the
//! client nginx saw (a forged `X-Forwarded-For` does not escape the per-client limit), a photo
//! of the largest size passes the body limit and one byte more does not, plain HTTP is
//! redirected and HSTS is set. The client connects from 127.0.0.2 (and .3), addresses the
//! server does not trust, so nginx's own 127.0.0.1 is the only trusted hop.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use reqwest::StatusCode;
use serde_json::json;
use shared::dto::audit::AuditEvent;
use shared::dto::auth::{Role, TokenResponse};
use shared::rules::inspection::MAX_PHOTO_BYTES;
use tests::nginx::{self, Nginx};
use tests::records::photo;
use tests::{Backend, TestApp, on_both_backends};

on_both_backends!(nginx_with_the_documented_configuration_serves_two_instances);

const PW: &str = "a-long-test-password";
/// The README's `server_name`.
const HOST: &str = "inspect.example.be";

/// A CA and a certificate for [`HOST`] signed by it: (CA PEM, chain PEM, key PEM).
fn certificates() -> (String, String, String) {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA");
    let key = KeyPair::generate().expect("server key");
    let cert = CertificateParams::new(vec![HOST.to_owned()])
        .expect("server params")
        .signed_by(&key, &ca)
        .expect("server certificate");
    (ca.pem(), cert.pem() + &ca.pem(), key.serialize_pem())
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
