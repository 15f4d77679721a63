//! A bad line between device and server, through the [`FaultyProxy`]: a push whose answer is
//! lost is resent and stored exactly once; an upload cut off halfway leaves a consistent
//! prefix and resumes to the same bytes; a token refresh whose answer is lost can be retried
//! without losing the session.

use std::ops::Range;
use std::time::Duration;

use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use shared::dto::auth::{Role, TokenResponse};
use shared::dto::sync::{AttachmentStatus, PushOutcome, PushRequest, PushResponse, SyncRecord};
use tests::faulty::{Faults, FaultyProxy};
use tests::records::inspection;
use tests::{Backend, TestApp, json, on_both_backends};

on_both_backends!(
    a_push_whose_answer_is_lost_is_stored_once,
    an_upload_cut_off_halfway_resumes,
    a_refresh_whose_answer_is_lost_can_be_retried,
);

const PW: &str = "a-long-test-password";
/// Each request through the proxy; a dropped answer must show as an error well before this.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The app, an inspector and a proxy with `faults` in front of the server.
async fn setup(backend: Backend, faults: Faults) -> (TestApp, FaultyProxy) {
    let app = TestApp::spawn(backend).await;
    app.fixture().user("ines", PW, Role::Inspector, &[]);
    let proxy = FaultyProxy::start(app.base_url.trim_start_matches("http://"), faults).await;
    (app, proxy)
}

/// A request to `path` through the proxy, on a connection of its own.
fn through(proxy: &FaultyProxy, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    tests::http_client()
        .request(method, format!("{}{path}", proxy.base_url))
        .timeout(TIMEOUT)
}

/// Asserts that a request through the proxy failed as on a broken connection: no answer, and
/// no waiting for one.
fn assert_cut_off(result: reqwest::Result<reqwest::Response>) {
    match result {
        Ok(res) => panic!("an answer got through: {}", res.status()),
        Err(e) => assert!(!e.is_timeout(), "the client waited in vain: {e}"),
    }
}

async fn a_push_whose_answer_is_lost_is_stored_once(backend: Backend) {
    let faults = Faults {
        drop_response_every: Some(2),
        ..Faults::default()
    };
    let (app, proxy) = setup(backend, faults).await;
    let enclave = app.fixture().simple_enclave("Host").id;
    // API request 1 is answered.
    let login = through(&proxy, reqwest::Method::POST, "/api/auth/login")
        .json(&serde_json::json!({ "username": "ines", "password": PW }))
        .send()
        .await
        .expect("login through the proxy");
    let token = json::<TokenResponse>(login, StatusCode::OK)
        .await
        .access_token;
    // Without photos, so that the server applies it at once: only the lost answer is at stake.
    let mut record = inspection(&enclave);
    for finding in &mut record.findings {
        finding.photos.clear();
    }
    let push = || {
        through(&proxy, reqwest::Method::POST, "/api/sync/push")
            .bearer_auth(&token)
            .json(&PushRequest {
                records: vec![SyncRecord::Inspection(Box::new(record.clone()))],
            })
            .send()
    };

    // API request 2: the server stores the inspection, the answer is lost on the way back.
    assert_cut_off(push().await);
    let (changes, _) = app.pull_all(&token, 100).await;
    assert_eq!(
        changes.len(),
        1,
        "the server handled the push it never answered"
    );

    // API request 3: the device resends and learns that the server already has it.
    let again: PushResponse = json(push().await.expect("resend"), StatusCode::OK).await;
    assert_eq!(again.results.len(), 1);
    assert_eq!(again.results[0].id, record.id);
    assert_eq!(
        again.results[0].outcome,
        PushOutcome::Duplicate { version: 1 }
    );
    let (changes, _) = app.pull_all(&token, 100).await;
    assert_eq!(changes.len(), 1, "stored exactly once");

    let stats = proxy.stats();
    assert_eq!(
        (stats.requests, stats.responses_dropped, stats.uploads_reset),
        (3, 1, 0)
    );
    assert!(stats.bytes_up > 0 && stats.bytes_down > 0, "{stats:?}");
}

fn photo(len: usize) -> (Vec<u8>, String) {
    let bytes: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(37)).collect();
    let sha = format!("{:x}", Sha256::digest(&bytes));
    (bytes, sha)
}

async fn an_upload_cut_off_halfway_resumes(backend: Backend) {
    const LEN: usize = 200_000;
    const FIRST_PIECE: usize = 80_000;
    let faults = Faults {
        reset_upload_every: Some(1),
        ..Faults::default()
    };
    let (app, proxy) = setup(backend, faults).await;
    let token = app.login("ines", PW).await.access_token;
    let (bytes, sha) = photo(LEN);
    let path = format!("/api/attachments/{sha}");
    // The whole photo, or a piece of it with its Content-Range.
    let put = |piece: Range<usize>| {
        let mut req = through(&proxy, reqwest::Method::PUT, &path)
            .bearer_auth(&token)
            .header("content-type", "image/jpeg");
        if piece != (0..LEN) {
            let range = format!("bytes {}-{}/{LEN}", piece.start, piece.end - 1);
            req = req.header("content-range", range);
        }
        req.body(bytes[piece].to_vec()).send()
    };
    let status = async || -> AttachmentStatus {
        let res = app.get(&format!("{path}/status"), &token).await;
        json(res, StatusCode::OK).await
    };

    // The connection dies halfway through the photo: the server has nothing of it.
    assert_cut_off(put(0..LEN).await);
    let stats = proxy.stats();
    assert_eq!((stats.requests, stats.uploads_reset), (1, 1));
    assert!(
        (LEN as u64 / 2..LEN as u64).contains(&stats.bytes_up),
        "about half of the body crossed: {stats:?}"
    );
    let s = status().await;
    assert_eq!((s.complete, s.received_bytes), (false, 0));

    // In pieces, on a line that cuts every second upload: the first piece arrives, the
    // second is cut off, and the server keeps exactly the first.
    proxy.set_faults(Faults {
        reset_upload_every: Some(2),
        ..Faults::default()
    });
    let first: AttachmentStatus = json(
        put(0..FIRST_PIECE).await.expect("first piece"),
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(first.received_bytes, FIRST_PIECE as u64);
    assert_cut_off(put(FIRST_PIECE..LEN).await);
    let s = status().await;
    assert_eq!((s.complete, s.received_bytes), (false, FIRST_PIECE as u64));

    // The device resumes where the server says it stands.
    let from = usize::try_from(s.received_bytes).expect("an offset");
    let done: AttachmentStatus =
        json(put(from..LEN).await.expect("the rest"), StatusCode::CREATED).await;
    assert_eq!((done.complete, done.received_bytes), (true, LEN as u64));
    let got = through(&proxy, reqwest::Method::GET, &path)
        .bearer_auth(&token)
        .send()
        .await
        .expect("download through the proxy");
    assert_eq!(got.status(), StatusCode::OK);
    assert!(
        got.bytes().await.expect("photo bytes") == bytes,
        "byte-identical"
    );
    assert_eq!(proxy.stats().uploads_reset, 2);
}

async fn a_refresh_whose_answer_is_lost_can_be_retried(backend: Backend) {
    let faults = Faults {
        lose_refresh_responses: 1,
        ..Faults::default()
    };
    let (app, proxy) = setup(backend, faults).await;
    let login = app.login("ines", PW).await;
    let refresh = async |refresh_token: &str| {
        through(&proxy, reqwest::Method::POST, "/api/auth/refresh")
            .json(&serde_json::json!({ "refresh_token": refresh_token }))
            .send()
            .await
    };

    // The server rotates the tokens; the answer is lost.
    assert_cut_off(refresh(&login.refresh_token).await);
    let stats = proxy.stats();
    assert_eq!((stats.requests, stats.responses_dropped), (1, 1));

    // The device retries with the only refresh token it has. Without a grace window the
    // server took that for a stolen token being replayed: it revoked the session
    // (`refresh_token_reuse`) and answered 401, so one lost answer logged the inspector out
    // with records still waiting. Within the window it hands out the lost pair again: every
    // retry gets that one pair.
    let retried = refresh(&login.refresh_token).await.expect("retry");
    let first: TokenResponse = json(retried, StatusCode::OK).await;
    let retried = refresh(&login.refresh_token).await.expect("retry");
    let second: TokenResponse = json(retried, StatusCode::OK).await;
    assert_eq!(
        (&second.access_token, &second.refresh_token),
        (&first.access_token, &first.refresh_token),
        "each retry gets the same pair"
    );

    // The session lives on: the new access token works, and the new refresh token rotates.
    let pull = app
        .get("/api/sync/pull?since=0&limit=10", &first.access_token)
        .await;
    assert_eq!(pull.status(), StatusCode::OK);
    let next = refresh(&first.refresh_token).await.expect("refresh");
    let next: TokenResponse = json(next, StatusCode::OK).await;
    assert_ne!(next.refresh_token, first.refresh_token);
}
