//! Photo uploads: whole, resumed after a break, hash-checked, and readable only by their
//! uploader and reviewers.

use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use shared::dto::auth::Role;
use shared::dto::sync::AttachmentStatus;
use tests::{Backend, TestApp, assert_error, json, on_both_backends};

on_both_backends!(
    whole_uploads_are_idempotent_and_private,
    broken_uploads_resume,
    wrong_bytes_are_never_kept
);

const PW: &str = "a-long-test-password";

fn photo(len: usize, seed: u8) -> (Vec<u8>, String) {
    let bytes: Vec<u8> = (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect();
    let sha = format!("{:x}", Sha256::digest(&bytes));
    (bytes, sha)
}

async fn put(
    app: &TestApp,
    token: &str,
    sha: &str,
    body: Vec<u8>,
    range: Option<String>,
) -> reqwest::Response {
    let mut req = app
        .client
        .put(format!("{}/api/attachments/{sha}", app.base_url))
        .bearer_auth(token)
        .header("content-type", "image/jpeg")
        .body(body);
    if let Some(r) = range {
        req = req.header("content-range", r);
    }
    req.send().await.expect("put")
}

async fn users(backend: Backend) -> (TestApp, String, String, String) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    f.user("ines", PW, Role::Inspector, &[]);
    f.user("other", PW, Role::Inspector, &[]);
    f.user("rev", PW, Role::Reviewer, &[]);
    let (a, b, c) = (
        app.login("ines", PW).await,
        app.login("other", PW).await,
        app.login("rev", PW).await,
    );
    (app, a.access_token, b.access_token, c.access_token)
}

async fn whole_uploads_are_idempotent_and_private(backend: Backend) {
    let (app, ines, other, rev) = users(backend).await;
    let (bytes, sha) = photo(50_000, 1);
    let s: AttachmentStatus = json(
        put(&app, &ines, &sha, bytes.clone(), None).await,
        StatusCode::CREATED,
    )
    .await;
    assert!(s.complete && s.received_bytes == 50_000);
    let s: AttachmentStatus = json(
        put(&app, &ines, &sha, bytes.clone(), None).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        s.complete,
        "a second upload of the same photo changes nothing"
    );

    let res = app.get(&format!("/api/attachments/{sha}"), &ines).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);
    assert_eq!(
        app.get(&format!("/api/attachments/{sha}"), &rev)
            .await
            .status(),
        StatusCode::OK
    );
    assert_error(
        app.get(&format!("/api/attachments/{sha}"), &other).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // Reviewers do not upload; names must be hashes; only photos.
    assert_error(
        put(&app, &rev, &sha, bytes.clone(), None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_error(
        put(&app, &ines, "not-a-hash", bytes.clone(), None).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    let res = app
        .client
        .put(format!("{}/api/attachments/{sha}", app.base_url))
        .bearer_auth(&ines)
        .header("content-type", "text/html")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

async fn broken_uploads_resume(backend: Backend) {
    let (app, ines, _, _) = users(backend).await;
    let (bytes, sha) = photo(100_000, 2);
    let first = put(
        &app,
        &ines,
        &sha,
        bytes[..40_000].to_vec(),
        Some("bytes 0-39999/100000".into()),
    )
    .await;
    let s: AttachmentStatus = json(first, StatusCode::ACCEPTED).await;
    assert_eq!((s.complete, s.received_bytes), (false, 40_000));
    // The connection broke; the device asks where to resume.
    let s: AttachmentStatus = json(
        app.get(&format!("/api/attachments/{sha}/status"), &ines)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((s.complete, s.received_bytes), (false, 40_000));
    // A piece that does not follow on is refused, and changes nothing.
    let gap = put(
        &app,
        &ines,
        &sha,
        bytes[60_000..].to_vec(),
        Some("bytes 60000-99999/100000".into()),
    )
    .await;
    assert_error(gap, StatusCode::CONFLICT, "conflict").await;
    // A Content-Range that does not match the body is a bad request.
    let bad = put(
        &app,
        &ines,
        &sha,
        bytes[40_000..50_000].to_vec(),
        Some("bytes 40000-59999/100000".into()),
    )
    .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "bad_request").await;
    let rest = put(
        &app,
        &ines,
        &sha,
        bytes[40_000..].to_vec(),
        Some("bytes 40000-99999/100000".into()),
    )
    .await;
    let s: AttachmentStatus = json(rest, StatusCode::CREATED).await;
    assert_eq!((s.complete, s.received_bytes), (true, 100_000));
    let got = app
        .get(&format!("/api/attachments/{sha}"), &ines)
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.to_vec(), bytes);
}

async fn wrong_bytes_are_never_kept(backend: Backend) {
    let (app, ines, _, _) = users(backend).await;
    let (_, sha) = photo(10_000, 3);
    let (other_bytes, _) = photo(10_000, 4);
    assert_error(
        put(&app, &ines, &sha, other_bytes, None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let s: AttachmentStatus = json(
        app.get(&format!("/api/attachments/{sha}/status"), &ines)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((s.complete, s.received_bytes), (false, 0));
    assert_error(
        app.get(&format!("/api/attachments/{sha}"), &ines).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}
