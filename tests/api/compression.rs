//! Compressed answers: the working set comes brotli- or gzip-compressed to a client that accepts
//! it (brotli first when both are, as browsers ask), decodes to the same answer and is far
//! smaller; without `Accept-Encoding` it is sent as it is; the
//! sign-in routes (tokens) are never compressed; a compressed error keeps its JSON body and
//! request id; the PWA's pre-gzipped files are not compressed a second time.

use std::io::Read;

use flate2::read::GzDecoder;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, HeaderMap, VARY};
use serde_json::{Value, json};
use shared::dto::auth::Role;
use shared::dto::enclave::Province;
use shared::dto::organisation::OrganisationKind;
use tests::fixture::{ContractSpec, EnclaveSpec};
use tests::{Backend, TestApp, on_both_backends};

on_both_backends!(
    working_set_is_compressed_when_accepted,
    sign_in_answers_are_never_compressed,
    compressed_errors_keep_their_body_and_request_id,
);

/// A GET of `path` with `token` and, when given, `Accept-Encoding: accept`: status, headers
/// and the body exactly as it came over the wire (the test client decodes nothing).
async fn fetch(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    accept: Option<&str>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = app.client.get(format!("{}{path}", app.base_url));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(accept) = accept {
        req = req.header(ACCEPT_ENCODING, accept);
    }
    let res = req.send().await.expect("request sent");
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.bytes().await.expect("body").to_vec())
}

/// `bytes` decoded from the content coding `encoding` (`gzip` or `br`).
fn decode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        "gzip" => GzDecoder::new(bytes).read_to_end(&mut out),
        "br" => brotli_decompressor::Decompressor::new(bytes, 4096).read_to_end(&mut out),
        other => panic!("unexpected content coding {other}"),
    }
    .unwrap_or_else(|e| panic!("not a valid {encoding} stream: {e}"));
    out
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<&str> {
    headers.get(name).map(|v| v.to_str().expect("ASCII header"))
}

async fn working_set_is_compressed_when_accepted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, "Atelier Kouter", None);
    for i in 0..25 {
        let host = f.organisation(
            OrganisationKind::RegularCompany,
            &format!("Brouwerij {i:02}"),
            None,
        );
        let enclave = f.enclave(&mwb, &host, EnclaveSpec::default());
        f.contract(&enclave, ContractSpec::default());
    }
    let ines = app
        .user("ines", Role::Inspector, &[Province::OostVlaanderen])
        .await;
    let path = "/api/field/working-set?days=2";

    let (status, headers, plain) = fetch(&app, path, Some(&ines.token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, CONTENT_ENCODING), None, "identity");
    let plain: Value = serde_json::from_slice(&plain).expect("plain JSON");
    assert_eq!(plain["enclaves"].as_array().map(Vec::len), Some(25));

    for (accept, encoding) in [
        ("gzip", "gzip"),
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=0.5, gzip", "gzip"),
    ] {
        let (status, headers, wire) = fetch(&app, path, Some(&ines.token), Some(accept)).await;
        assert_eq!(status, StatusCode::OK, "{accept}");
        assert_eq!(
            header(&headers, CONTENT_ENCODING),
            Some(encoding),
            "{accept}"
        );
        assert!(
            header(&headers, VARY).is_some_and(|v| v.eq_ignore_ascii_case("accept-encoding")),
            "{headers:?}"
        );
        assert_eq!(
            header(&headers, reqwest::header::CACHE_CONTROL),
            Some("no-store")
        );
        let decoded = decode(encoding, &wire);
        let mut compressed: Value = serde_json::from_slice(&decoded).expect("gzipped JSON");
        // The same answer; only the moment it was made differs between two requests.
        assert_ne!(compressed["generated_at"], Value::Null);
        let mut expected = plain.clone();
        expected["generated_at"] = Value::Null;
        compressed["generated_at"] = Value::Null;
        assert_eq!(compressed, expected, "{accept}");
        assert!(
            wire.len() * 100 < decoded.len() * 40,
            "{accept}: {} bytes on the wire for {} bytes of JSON",
            wire.len(),
            decoded.len()
        );
    }

    // A client that accepts only what the server does not offer gets the plain answer.
    let (status, headers, body) = fetch(&app, path, Some(&ines.token), Some("compress")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, CONTENT_ENCODING), None);
    assert!(serde_json::from_slice::<Value>(&body).is_ok());

    // The app's files come compressed by the build, once: no second encoding, one Vary.
    for (accept, coding) in [("gzip, br", "br"), ("gzip", "gzip")] {
        let (status, headers, wire) = fetch(&app, "/field_bg.wasm", None, Some(accept)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header(&headers, CONTENT_ENCODING), Some(coding));
        assert_eq!(
            headers.get_all(VARY).iter().collect::<Vec<_>>(),
            ["Accept-Encoding"]
        );
        assert_eq!(
            &decode(coding, &wire)[..4],
            b"\0asm",
            "decoded once, it is wasm"
        );
    }
}

async fn sign_in_answers_are_never_compressed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.fixture()
        .user("ines", "a-long-test-password", Role::Inspector, &[]);
    let post = |path: &str, body: Value| {
        app.client
            .post(format!("{}{path}", app.base_url))
            .header(ACCEPT_ENCODING, "gzip, deflate, br")
            .json(&body)
            .send()
    };

    let login = post(
        "/api/auth/login",
        json!({ "username": "ines", "password": "a-long-test-password" }),
    )
    .await
    .expect("login sent");
    assert_eq!(login.status(), StatusCode::OK);
    assert_eq!(header(login.headers(), CONTENT_ENCODING), None);
    let tokens: Value = login.json().await.expect("plain JSON");
    let refresh_token = tokens["refresh_token"].as_str().expect("a refresh token");

    let refreshed = post(
        "/api/auth/refresh",
        json!({ "refresh_token": refresh_token }),
    )
    .await
    .expect("refresh sent");
    assert_eq!(refreshed.status(), StatusCode::OK);
    assert_eq!(header(refreshed.headers(), CONTENT_ENCODING), None);
    let refreshed: Value = refreshed.json().await.expect("plain JSON");
    assert!(refreshed["access_token"].is_string(), "{refreshed}");

    let refused = post(
        "/api/auth/login",
        json!({ "username": "ines", "password": "wrong-but-long-enough" }),
    )
    .await
    .expect("login sent");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header(refused.headers(), CONTENT_ENCODING), None);
}

async fn compressed_errors_keep_their_body_and_request_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ines = app.inspector().await;
    for path in [
        "/api/enclaves/00000000-0000-4000-8000-000000000000",
        "/api/no-such-thing",
    ] {
        let (status, headers, wire) = fetch(&app, path, Some(&ines.token), Some("gzip")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(header(&headers, CONTENT_ENCODING), Some("gzip"), "{path}");
        let body: Value = serde_json::from_slice(&decode("gzip", &wire)).expect("a JSON error");
        assert_eq!(body["error"]["code"], "not_found", "{body}");
        for field in ["message_nl", "message_en"] {
            assert!(body["error"][field].is_string(), "{body}");
        }
        let id = header(&headers, "x-request-id".parse().unwrap()).expect("X-Request-Id");
        assert_eq!(body["request_id"], id, "{path}: {body}");
    }
}
