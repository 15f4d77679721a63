//! Photo uploads: whole, resumed after a break, hash-checked, and readable only by their
//! uploader and reviewers; whether a photo exists told to no other inspector; what a user parks
//! before pushing held to a quota; stale partial uploads swept.

use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use shared::dto::auth::Role;
use shared::dto::sync::AttachmentStatus;
use shared::dto::sync::{PushOutcome, SyncRecord};
use tests::records::inspection;
use tests::{Backend, TestApp, assert_error, json, on_both_backends};

on_both_backends!(
    whole_uploads_are_idempotent_and_private,
    broken_uploads_resume,
    wrong_bytes_are_never_kept,
    a_photos_existence_is_told_only_to_its_uploader_and_reviewers,
    parked_uploads_are_held_to_a_quota_per_user,
    stale_partial_uploads_are_swept
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
    users_with(backend, |_| {}).await
}

async fn users_with(
    backend: Backend,
    adjust: impl FnOnce(&mut server::config::Config),
) -> (TestApp, String, String, String) {
    let app = TestApp::spawn_with(backend, adjust).await;
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
    // To another inspector the photo is not there at all.
    assert_error(
        app.get(&format!("/api/attachments/{sha}"), &other).await,
        StatusCode::NOT_FOUND,
        "not_found",
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

async fn status_of(app: &TestApp, token: &str, sha: &str) -> (bool, u64) {
    let s: AttachmentStatus = json(
        app.get(&format!("/api/attachments/{sha}/status"), token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s.sha256, sha);
    (s.complete, s.received_bytes)
}

async fn a_photos_existence_is_told_only_to_its_uploader_and_reviewers(backend: Backend) {
    let (app, ines, other, rev) = users(backend).await;
    let (bytes, sha) = photo(50_000, 5);
    let (partial, partial_sha) = photo(100_000, 6);
    let (_, unknown) = photo(50_000, 7);
    json::<AttachmentStatus>(
        put(&app, &ines, &sha, bytes.clone(), None).await,
        StatusCode::CREATED,
    )
    .await;
    json::<AttachmentStatus>(
        put(
            &app,
            &ines,
            &partial_sha,
            partial[..40_000].to_vec(),
            Some("bytes 0-39999/100000".into()),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(status_of(&app, &ines, &sha).await, (true, 50_000));
    assert_eq!(status_of(&app, &rev, &sha).await, (true, 50_000));
    assert_eq!(status_of(&app, &ines, &partial_sha).await, (false, 40_000));
    // To another inspector, a stored photo and one partly uploaded answer as one never sent.
    let never = status_of(&app, &other, &unknown).await;
    assert_eq!(never, (false, 0));
    assert_eq!(status_of(&app, &other, &sha).await, never);
    assert_eq!(status_of(&app, &other, &partial_sha).await, never);
    assert_error(
        app.get(&format!("/api/attachments/{sha}"), &other).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Nor does an upload tell: a first piece is stored as for any new photo...
    let s: AttachmentStatus = json(
        put(
            &app,
            &other,
            &sha,
            bytes[..1_000].to_vec(),
            Some("bytes 0-999/50000".into()),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!((s.complete, s.received_bytes), (false, 1_000));
    // ...and whoever sends every byte holds the photo anyway: then it is "already had".
    let s: AttachmentStatus = json(
        put(
            &app,
            &other,
            &sha,
            bytes[1_000..].to_vec(),
            Some("bytes 1000-49999/50000".into()),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(s.complete);
    // Ines's partial upload was not touched by any of this.
    assert_eq!(status_of(&app, &ines, &partial_sha).await, (false, 40_000));
}

async fn parked_uploads_are_held_to_a_quota_per_user(backend: Backend) {
    let (app, ines, other, _) = users_with(backend, |c| {
        c.upload_limits.quota_bytes = 100_000;
    })
    .await;
    let (a, a_ref) = tests::records::photo(80_000, 8);
    let (b, b_sha) = photo(50_000, 9);
    let (c, c_sha) = photo(30_000, 10);
    let sha = a_ref.sha256.clone();
    json::<AttachmentStatus>(
        put(
            &app,
            &ines,
            &sha,
            a[..60_000].to_vec(),
            Some("bytes 0-59999/80000".into()),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    // 60,000 bytes parked, and 50,000 more would pass the quota of 100,000.
    assert_error(
        put(&app, &ines, &b_sha, b.clone(), None).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "upload_quota_exceeded",
    )
    .await;
    assert_eq!(
        status_of(&app, &ines, &b_sha).await,
        (false, 0),
        "nothing kept"
    );
    // The quota is per user.
    json::<AttachmentStatus>(
        put(&app, &other, &b_sha, b, None).await,
        StatusCode::CREATED,
    )
    .await;
    // Finishing a parked upload takes no more than its size.
    json::<AttachmentStatus>(
        put(
            &app,
            &ines,
            &sha,
            a[60_000..].to_vec(),
            Some("bytes 60000-79999/80000".into()),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // A complete photo no pushed inspection names still counts...
    assert_error(
        put(&app, &ines, &c_sha, c.clone(), None).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "upload_quota_exceeded",
    )
    .await;
    // ...until the inspection that names it is pushed.
    let enclave = app.fixture().simple_enclave("Brouwerij Quota").id;
    let mut record = inspection(&enclave);
    record.findings[0].photos = vec![a_ref];
    let pushed = app
        .push(&ines, vec![SyncRecord::Inspection(Box::new(record))])
        .await;
    assert_eq!(
        pushed.results[0].outcome,
        PushOutcome::Applied { version: 1 }
    );
    json::<AttachmentStatus>(put(&app, &ines, &c_sha, c, None).await, StatusCode::CREATED).await;
}

async fn stale_partial_uploads_are_swept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ines_id = app.fixture().user("ines", PW, Role::Inspector, &[]).id;
    let ines = app.login("ines", PW).await.access_token;
    let (stale, stale_sha) = photo(100_000, 11);
    let (fresh, fresh_sha) = photo(100_000, 12);
    for (bytes, sha) in [(&stale, &stale_sha), (&fresh, &fresh_sha)] {
        json::<AttachmentStatus>(
            put(
                &app,
                &ines,
                sha,
                bytes[..40_000].to_vec(),
                Some("bytes 0-39999/100000".into()),
            )
            .await,
            StatusCode::ACCEPTED,
        )
        .await;
    }
    // Three days without a piece; and partial uploads of the layouts before pieces were kept
    // one object each (per-user files, and flat `.part` files before those).
    let three_days_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(72 * 3600);
    let dir = app.attachments_dir().to_path_buf();
    let piece = dir
        .join("pieces")
        .join(&ines_id)
        .join(&stale_sha)
        .join(format!("{:020}", 0));
    let legacy = dir.join(format!("{fresh_sha}.part"));
    let per_user = dir.join("parts").join(&ines_id).join(&stale_sha);
    std::fs::create_dir_all(per_user.parent().unwrap()).unwrap();
    for file in [&legacy, &per_user] {
        std::fs::write(file, &fresh[..1_000]).unwrap();
    }
    for file in [&piece, &legacy, &per_user] {
        std::fs::File::options()
            .write(true)
            .open(file)
            .unwrap()
            .set_modified(three_days_ago)
            .unwrap();
    }
    // An instance starting on the same photos sweeps what is older than 48 hours.
    let location = dir.display().to_string();
    let _second = app
        .another_instance(|c| c.attachments = location.clone())
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while [&piece, &legacy, &per_user].iter().any(|f| f.exists()) {
        assert!(
            std::time::Instant::now() < deadline,
            "stale partial uploads swept at start-up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(status_of(&app, &ines, &stale_sha).await, (false, 0));
    assert_eq!(status_of(&app, &ines, &fresh_sha).await, (false, 40_000));
    // The upload starts again from the first byte.
    assert_error(
        put(
            &app,
            &ines,
            &stale_sha,
            stale[40_000..].to_vec(),
            Some("bytes 40000-99999/100000".into()),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    // With a maximum age of zero, every partial upload goes.
    let _third = app
        .another_instance(|c| {
            c.attachments = location.clone();
            c.upload_limits.partial_max_age = std::time::Duration::ZERO;
        })
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while status_of(&app, &ines, &fresh_sha).await != (false, 0) {
        assert!(
            std::time::Instant::now() < deadline,
            "every partial upload swept"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
