//! Photos in an S3-compatible bucket (a real `s3s-fs`, see `tests::s3`), shared by two
//! instances on one database: an upload begun on one instance is resumed and finished on the
//! other and served byte-identical by both; a tampered last piece publishes nothing; pieces in
//! the bucket count against the quota and are swept when stale; the purge deletes from the
//! bucket.

use std::process::Stdio;
use std::time::{Duration, Instant};

use chrono::Days;
use diesel::prelude::*;
use reqwest::StatusCode;
use server::config::Retention;
use server::db::schema::inspections;
use server::retention::{Outcome, Trigger, purge};
use shared::dto::auth::Role;
use shared::dto::sync::{AttachmentStatus, PushOutcome, SyncRecord};
use tests::dates::today;
use tests::records::{inspection, photo};
use tests::s3::Bucket;
use tests::{Backend, TestApp, assert_error, json, on_both_backends};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

on_both_backends!(
    a_photo_begun_on_one_instance_is_finished_on_the_other,
    a_tampered_last_piece_publishes_nothing,
    pieces_in_the_bucket_count_against_the_quota_and_are_swept,
    the_purge_deletes_photos_from_the_bucket,
    the_store_is_configured_from_the_environment,
    a_store_that_fails_is_a_503,
);

const PW: &str = "a-long-test-password";

/// Two instances on one database and one fresh bucket, with Ines (inspector) and Rita
/// (reviewer) logged in; `None` when no S3 server can be had outside CI (warned).
struct Two {
    a: TestApp,
    b: TestApp,
    bucket: Bucket,
    ines: String,
    ines_id: String,
    rita: String,
}

async fn two_instances(backend: Backend, quota: u64) -> Option<Two> {
    let bucket = tests::s3::server()?.bucket();
    let configure = |c: &mut server::config::Config| {
        bucket.configure(c);
        c.upload_limits.quota_bytes = quota;
    };
    let a = TestApp::spawn_with(backend, configure).await;
    let b = a.another_instance(configure).await;
    let f = a.fixture();
    let ines_id = f.user("ines", PW, Role::Inspector, &[]).id;
    f.user("rita", PW, Role::Reviewer, &[]);
    let ines = a.login("ines", PW).await.access_token;
    let rita = b.login("rita", PW).await.access_token;
    Some(Two {
        a,
        b,
        bucket,
        ines,
        ines_id,
        rita,
    })
}

async fn put(
    app: &TestApp,
    token: &str,
    sha: &str,
    body: &[u8],
    range: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .client
        .put(format!("{}/api/attachments/{sha}", app.base_url))
        .bearer_auth(token)
        .header("content-type", "image/jpeg")
        .body(body.to_vec());
    if let Some(r) = range {
        req = req.header("content-range", r);
    }
    req.send().await.expect("put")
}

/// Sends `bytes[from..to]` as a piece of the whole of `bytes`.
async fn put_piece(
    app: &TestApp,
    token: &str,
    sha: &str,
    bytes: &[u8],
    from: usize,
    to: usize,
) -> reqwest::Response {
    let range = format!("bytes {from}-{}/{}", to - 1, bytes.len());
    put(app, token, sha, &bytes[from..to], Some(&range)).await
}

async fn status_of(app: &TestApp, token: &str, sha: &str) -> (bool, u64) {
    let s: AttachmentStatus = json(
        app.get(&format!("/api/attachments/{sha}/status"), token)
            .await,
        StatusCode::OK,
    )
    .await;
    (s.complete, s.received_bytes)
}

async fn fetch(app: &TestApp, token: &str, sha: &str) -> reqwest::Response {
    app.get(&format!("/api/attachments/{sha}"), token).await
}

async fn a_photo_begun_on_one_instance_is_finished_on_the_other(backend: Backend) {
    let Some(Two {
        a,
        b,
        bucket,
        ines,
        ines_id,
        rita,
    }) = two_instances(backend, 200 * 1024 * 1024).await
    else {
        return;
    };
    let (bytes, reference) = photo(100_000, 21);
    let sha = reference.sha256.as_str();
    let s: AttachmentStatus = json(
        put_piece(&a, &ines, sha, &bytes, 0, 40_000).await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(s.received_bytes, 40_000);
    // The other instance knows how far the upload came, and refuses a piece that skips ahead
    // with that count.
    assert_eq!(status_of(&b, &ines, sha).await, (false, 40_000));
    let gap: serde_json::Value = json(
        put_piece(&b, &ines, sha, &bytes, 50_000, 60_000).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(gap["error"]["code"], "conflict");
    let said = gap["error"]["message_en"].as_str().unwrap_or_default();
    assert!(said.contains("the server has 40000 bytes"), "{gap}");
    json::<AttachmentStatus>(
        put_piece(&b, &ines, sha, &bytes, 40_000, 70_000).await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(status_of(&a, &ines, sha).await, (false, 70_000));
    assert_eq!(
        bucket.keys(),
        [
            format!("pieces/{ines_id}/{sha}/{:020}", 0),
            format!("pieces/{ines_id}/{sha}/{:020}", 40_000),
        ],
        "each piece is an object of the bucket"
    );
    let done: AttachmentStatus = json(
        put_piece(&a, &ines, sha, &bytes, 70_000, 100_000).await,
        StatusCode::CREATED,
    )
    .await;
    assert!(done.complete);
    assert_eq!(
        bucket.keys(),
        [sha.to_owned()],
        "published; the pieces are gone"
    );
    for (app, token) in [(&a, &ines), (&b, &ines), (&a, &rita), (&b, &rita)] {
        let res = fetch(app, token, sha).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.expect("body").as_ref(), bytes.as_slice());
        assert_eq!(status_of(app, token, sha).await, (true, 100_000));
    }
}

async fn a_tampered_last_piece_publishes_nothing(backend: Backend) {
    let Some(Two {
        a,
        b,
        bucket,
        ines,
        rita,
        ..
    }) = two_instances(backend, 200 * 1024 * 1024).await
    else {
        return;
    };
    let (bytes, reference) = photo(60_000, 22);
    let sha = reference.sha256.as_str();
    json::<AttachmentStatus>(
        put(
            &a,
            &ines,
            sha,
            &bytes[..30_000],
            Some("bytes 0-29999/60000"),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let mut tampered = bytes[30_000..].to_vec();
    tampered[100] ^= 1;
    assert_error(
        put(&b, &ines, sha, &tampered, Some("bytes 30000-59999/60000")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        bucket.keys().is_empty(),
        "nothing published, no piece left: {:?}",
        bucket.keys()
    );
    assert_eq!(status_of(&a, &ines, sha).await, (false, 0));
    assert_eq!(fetch(&b, &rita, sha).await.status(), StatusCode::NOT_FOUND);
    // The honest bytes are taken afterwards.
    json::<AttachmentStatus>(put(&b, &ines, sha, &bytes, None).await, StatusCode::CREATED).await;
    assert_eq!(bucket.keys(), [sha.to_owned()]);
}

async fn pieces_in_the_bucket_count_against_the_quota_and_are_swept(backend: Backend) {
    let Some(Two {
        a, b, bucket, ines, ..
    }) = two_instances(backend, 100_000).await
    else {
        return;
    };
    let (parked, parked_ref) = photo(80_000, 23);
    let (other, other_ref) = photo(50_000, 24);
    json::<AttachmentStatus>(
        put(
            &a,
            &ines,
            &parked_ref.sha256,
            &parked[..60_000],
            Some("bytes 0-59999/80000"),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    // 60,000 bytes parked in the bucket through A: 50,000 more pass the quota on B too.
    assert_error(
        put(&b, &ines, &other_ref.sha256, &other, None).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "upload_quota_exceeded",
    )
    .await;
    assert_eq!(bucket.keys().len(), 1, "nothing kept of the refused photo");
    // An instance that sweeps every partial upload (maximum age zero) empties the bucket.
    let _sweeper = a
        .another_instance(|c| {
            bucket.configure(c);
            c.upload_limits.partial_max_age = Duration::ZERO;
        })
        .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !bucket.keys().is_empty() {
        assert!(
            Instant::now() < deadline,
            "pieces swept: {:?}",
            bucket.keys()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status_of(&b, &ines, &parked_ref.sha256).await, (false, 0));
    json::<AttachmentStatus>(
        put(&b, &ines, &other_ref.sha256, &other, None).await,
        StatusCode::CREATED,
    )
    .await;
}

async fn the_purge_deletes_photos_from_the_bucket(backend: Backend) {
    let Some(Two {
        a,
        b,
        bucket,
        ines,
        rita,
        ..
    }) = two_instances(backend, 200 * 1024 * 1024).await
    else {
        return;
    };
    let (old_bytes, old) = photo(20_000, 25);
    let (new_bytes, new) = photo(20_000, 26);
    let enclave = a.fixture().simple_enclave("Brouwerij Emmer").id;
    let mut ids = Vec::new();
    for (bytes, reference) in [(&old_bytes, &old), (&new_bytes, &new)] {
        json::<AttachmentStatus>(
            put(&a, &ines, &reference.sha256, bytes, None).await,
            StatusCode::CREATED,
        )
        .await;
        let mut record = inspection(&enclave);
        record.findings[0].photos = vec![reference.clone()];
        ids.push(record.id);
        let pushed = b
            .push(&ines, vec![SyncRecord::Inspection(Box::new(record))])
            .await;
        assert!(matches!(
            pushed.results[0].outcome,
            PushOutcome::Applied { .. }
        ));
    }
    // The first inspection was decided eleven years ago.
    {
        let long_ago = today() - Days::new(11 * 365);
        let mut conn = a.db.get().expect("connection");
        diesel::update(inspections::table.filter(inspections::id.eq(ids[0].to_string())))
            .set((
                inspections::on_date.eq(long_ago),
                inspections::review_state.eq("approved"),
            ))
            .execute(&mut *conn)
            .expect("aged");
    }
    let outcome = purge(
        &b.db,
        Retention::default(),
        &b.photos,
        Trigger::Command,
        false,
    )
    .await
    .expect("purge");
    assert!(
        matches!(outcome, Outcome::Done(ref p) if p.photos == 1),
        "{outcome:?}"
    );
    assert_eq!(
        bucket.keys(),
        std::slice::from_ref(&new.sha256),
        "the old photo left the bucket"
    );
    assert_eq!(
        fetch(&a, &rita, &old.sha256).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = fetch(&a, &rita, &new.sha256).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.bytes().await.expect("body").as_ref(),
        new_bytes.as_slice()
    );
}

/// `enclave-inspect serve` on `app`'s database, configured by the environment `set` adds.
fn server_process(app: &TestApp, set: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_test-server"));
    cmd.env("DATABASE_URL", app.database_url())
        .env("BIND", "127.0.0.1:0")
        // The in-process instances' key: their tokens are good here too.
        .env("JWT_SECRET", tests::TEST_JWT_SECRET)
        .env_remove("JWT_SECRET_FILE")
        .env_remove("ATTACHMENTS_DIR")
        .env_remove("ATTACHMENTS_URL")
        .envs(set.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

async fn the_store_is_configured_from_the_environment(backend: Backend) {
    let Some(Two {
        a, bucket, ines, ..
    }) = two_instances(backend, 200 * 1024 * 1024).await
    else {
        return;
    };
    let mut env: Vec<(&str, &str)> = bucket
        .settings
        .0
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let secret = env
        .iter()
        .find(|(k, _)| *k == "AWS_SECRET_ACCESS_KEY")
        .map(|(_, v)| *v)
        .expect("a secret");
    // ATTACHMENTS_URL and AWS_* as an operator sets them: a photo uploaded through this
    // process lands in the bucket the in-process instance serves from.
    env.push(("ATTACHMENTS_URL", &bucket.url));
    let mut child = server_process(&a, &env).spawn().expect("server runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let banner = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("stdout") {
            if let Some(rest) = line.strip_prefix("Enclave Inspect on ") {
                return rest.split_whitespace().next().map(str::to_owned);
            }
        }
        None
    })
    .await
    .expect("the server starts in time")
    .expect("the server starts");
    let (bytes, reference) = photo(10_000, 27);
    let client = tests::http_client();
    let res = client
        .put(format!("{banner}/api/attachments/{}", reference.sha256))
        .bearer_auth(&ines)
        .header("content-type", "image/jpeg")
        .body(bytes.clone())
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(bucket.keys(), std::slice::from_ref(&reference.sha256));
    let res = fetch(&a, &ines, &reference.sha256).await;
    assert_eq!(res.bytes().await.expect("body").as_ref(), bytes.as_slice());
    drop(child);
    // Two different stores named at once, or no bucket: refused at start-up, with no
    // credential in what is printed.
    let url_and_dir = [
        ("ATTACHMENTS_URL", bucket.url.as_str()),
        ("ATTACHMENTS_DIR", "/tmp/elsewhere"),
    ];
    let no_bucket = [
        ("ATTACHMENTS_URL", "s3:///photos"),
        ("AWS_SECRET_ACCESS_KEY", secret),
    ];
    for (set, says) in [
        (&url_and_dir[..], "name different stores"),
        (&no_bucket[..], "name a bucket"),
    ] {
        let out = tokio::time::timeout(Duration::from_secs(60), server_process(&a, set).output())
            .await
            .expect("exits in time")
            .expect("runs");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.status.success(), "started: {printed}");
        assert!(printed.contains(says), "{printed}");
        assert!(!printed.contains(secret), "a secret printed: {printed}");
    }
}

async fn a_store_that_fails_is_a_503(backend: Backend) {
    let Some(Two {
        a, bucket, ines, ..
    }) = two_instances(backend, 200 * 1024 * 1024).await
    else {
        return;
    };
    // A bucket that does not exist: every request to the store fails.
    let broken = a
        .another_instance(|c| {
            bucket.configure(c);
            c.attachments = "s3://t-missing/photos".into();
        })
        .await;
    let (bytes, reference) = photo(10_000, 28);
    let sha = reference.sha256.as_str();
    for res in [
        put(&broken, &ines, sha, &bytes, None).await,
        put_piece(&broken, &ines, sha, &bytes, 0, 5_000).await,
        broken
            .get(&format!("/api/attachments/{sha}/status"), &ines)
            .await,
    ] {
        assert_error(res, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    }
    // An endpoint that answers every request with 503 (after the client's retries): 503.
    let failing = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let failing_at = failing.local_addr().expect("address");
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut conn, _)) = failing.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = conn.read(&mut buf).await;
                let answer = "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
                let _ = conn.write_all(answer.as_bytes()).await;
            });
        }
    });
    let down = a
        .another_instance(|c| {
            bucket.configure(c);
            let endpoint = c
                .attachments_s3
                .0
                .iter_mut()
                .find(|(k, _)| k == "AWS_ENDPOINT_URL");
            endpoint.expect("an endpoint").1 = format!("http://{failing_at}");
        })
        .await;
    assert_error(
        put(&down, &ines, sha, &bytes, None).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
    )
    .await;
    // The instance on the working store is not affected.
    json::<AttachmentStatus>(put(&a, &ines, sha, &bytes, None).await, StatusCode::CREATED).await;
}
