//! Backup and restore: a backup taken while inspections with photos keep arriving restores,
//! into a new database and photo store, every inspection acknowledged before it began, with
//! every photo byte for byte; a later backup into the same directory copies only new photos
//! and drops those the store no longer has; restore refuses, touching nothing, a database or
//! photo store that holds other data and a directory that is not a whole backup of this kind
//! of database.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use reqwest::StatusCode;
use server::backup::{self, Error};
use server::photos::PhotoStore;
use sha2::{Digest, Sha256};
use shared::dto::auth::Role;
use shared::dto::inspection::InspectionView;
use shared::dto::sync::{PushOutcome, SyncRecord};
use tests::records::{inspection, photo};
use tests::{Backend, TestApp, TestDatabase, json, on_both_backends};
use uuid::Uuid;

on_both_backends!(
    a_backup_during_pushes_restores_every_acknowledged_inspection,
    restore_refuses_data_it_would_overwrite,
    restore_refuses_what_is_not_a_whole_backup,
);

const PW: &str = "a-long-test-password";
/// Inspections acknowledged before the backup starts.
const BEFORE: usize = 12;
/// Inspections acknowledged after it ended, so that pushes clearly went on around it.
const AFTER: usize = 3;
/// How long a condition may take on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(120);

/// An acknowledged inspection and the photo it names.
#[derive(Clone)]
struct Pushed {
    id: Uuid,
    sha256: String,
    bytes: Vec<u8>,
}

/// A server with an inspector and a reviewer; the inspector's token and an enclave.
async fn setup(backend: Backend) -> (TestApp, String, String) {
    let app = TestApp::spawn(backend).await;
    app.fixture().user("rev", PW, Role::Reviewer, &[]);
    let token = app.inspector().await.token;
    let enclave = app.fixture().simple_enclave("Host").id;
    (app, token, enclave)
}

/// Uploads photo number `n` and pushes an inspection naming it; returns once acknowledged.
async fn push_with_photo(app: &TestApp, token: &str, enclave: &str, n: usize) -> Pushed {
    let (bytes, reference) = photo(20_000 + n * 97, n as u8);
    let res = app
        .client
        .put(format!(
            "{}/api/attachments/{}",
            app.base_url, reference.sha256
        ))
        .bearer_auth(token)
        .header("content-type", "image/jpeg")
        .body(bytes.clone())
        .send()
        .await
        .expect("upload");
    assert!(res.status().is_success(), "upload: {}", res.status());
    let mut record = inspection(enclave);
    record.findings[0].photos = vec![reference.clone()];
    let id = record.id;
    let answer = app
        .push(token, vec![SyncRecord::Inspection(Box::new(record))])
        .await;
    assert_eq!(
        answer.results[0].outcome,
        PushOutcome::Applied { version: 1 }
    );
    Pushed {
        id,
        sha256: reference.sha256,
        bytes,
    }
}

fn store_of(dir: &Path) -> PhotoStore {
    PhotoStore::open(&dir.to_string_lossy()).expect("photo store")
}

/// Polls until the pusher has `count` acknowledgements; a pusher that stopped (it failed) or
/// a timeout is a failure.
async fn wait_for(what: &str, acked: &Mutex<Vec<Pushed>>, pusher: &JoinHandle<()>, count: usize) {
    let deadline = Instant::now() + PATIENCE;
    while acked.lock().unwrap().len() < count {
        assert!(!pusher.is_finished(), "the pusher stopped before {what}");
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A server on a restored database and photo store.
async fn serve_restored(backend: Backend, database: &TestDatabase, photos: &Path) -> TestApp {
    let (url, photos) = (database.url().to_owned(), photos.to_path_buf());
    TestApp::spawn_with(backend, move |c| {
        c.database_url = url.into();
        c.attachments = photos.display().to_string();
    })
    .await
}

/// Every inspection the inspector can pull from `app`, each with its photos byte for byte.
async fn every_inspection_with_its_photos(app: &TestApp) -> Vec<Uuid> {
    let ines = app.login("ines", PW).await.access_token;
    let rev = app.login("rev", PW).await.access_token;
    let ids: Vec<Uuid> = app
        .pull_all(&ines, 500)
        .await
        .0
        .iter()
        .filter_map(|c| c.inspection_id)
        .collect();
    for id in &ids {
        let view: InspectionView = json(
            app.get(&format!("/api/inspections/{id}"), &rev).await,
            StatusCode::OK,
        )
        .await;
        assert!(!view.photo_hashes.is_empty(), "{id} names its photo");
        for sha in &view.photo_hashes {
            let res = app.get(&format!("/api/attachments/{sha}"), &rev).await;
            assert_eq!(res.status(), StatusCode::OK, "photo {sha} of {id}");
            let bytes = res.bytes().await.expect("photo");
            assert_eq!(
                format!("{:x}", Sha256::digest(&bytes)),
                *sha,
                "photo of {id}"
            );
        }
    }
    ids
}

async fn a_backup_during_pushes_restores_every_acknowledged_inspection(backend: Backend) {
    let (app, token, enclave) = setup(backend).await;
    let app = Arc::new(app);
    let acked: Arc<Mutex<Vec<Pushed>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let pusher = tokio::spawn({
        let (app, acked, stop) = (app.clone(), acked.clone(), stop.clone());
        async move {
            for n in 0.. {
                if stop.load(Ordering::Acquire) {
                    break;
                }
                let pushed = push_with_photo(&app, &token, &enclave, n).await;
                acked.lock().unwrap().push(pushed);
            }
        }
    });
    let count = || acked.lock().unwrap().len();
    wait_for("the first inspections", &acked, &pusher, BEFORE).await;

    let before: Vec<Pushed> = acked.lock().unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let report = backup::backup(
        app.database_url(),
        &store_of(app.attachments_dir()),
        dir.path(),
    )
    .await
    .expect("backup");
    let at_end = count();
    wait_for("pushes after the backup", &acked, &pusher, at_end + AFTER).await;
    stop.store(true, Ordering::Release);
    pusher.await.expect("pusher");
    let total = count();
    eprintln!(
        "{backend:?}: {} acknowledged before the backup, {} while it ran, {total} in all; the snapshot holds {}",
        before.len(),
        at_end - before.len(),
        report.manifest.counts.inspections
    );
    let m = &report.manifest;
    assert!(m.counts.inspections as usize >= before.len());
    assert!(
        (m.counts.inspections as usize) < total,
        "later pushes are not in it"
    );
    assert!(m.counts.photos >= m.counts.inspections);
    assert_eq!(report.photos_copied, m.counts.photos, "a new directory");
    assert!(report.photos_damaged.is_empty());

    let database = TestDatabase::create(backend);
    let photos = tempfile::tempdir().unwrap();
    let restored = backup::restore(database.url(), &store_of(photos.path()), dir.path())
        .await
        .expect("restore");
    assert_eq!(restored.manifest, report.manifest);
    assert_eq!(restored.photos_published, m.counts.photos);

    let server = serve_restored(backend, &database, photos.path()).await;
    let ids = every_inspection_with_its_photos(&server).await;
    assert_eq!(ids.len() as u64, m.counts.inspections);
    let rev = server.login("rev", PW).await.access_token;
    for pushed in &before {
        assert!(
            ids.contains(&pushed.id),
            "{} was acknowledged before",
            pushed.id
        );
        let res = server
            .get(&format!("/api/attachments/{}", pushed.sha256), &rev)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.unwrap().to_vec(), pushed.bytes);
    }
}

async fn restore_refuses_data_it_would_overwrite(backend: Backend) {
    let (app, token, enclave) = setup(backend).await;
    let first = push_with_photo(&app, &token, &enclave, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let source = store_of(app.attachments_dir());
    backup::backup(app.database_url(), &source, dir.path())
        .await
        .expect("first backup");
    // Into the same directory again: only the new photo is copied.
    push_with_photo(&app, &token, &enclave, 2).await;
    let again = backup::backup(app.database_url(), &source, dir.path())
        .await
        .expect("second backup");
    assert_eq!((again.photos_copied, again.manifest.counts.photos), (1, 2));
    assert_eq!(again.manifest.counts.inspections, 2);
    // A photo the store no longer has (purged) leaves the directory at the next backup.
    let (orphan_bytes, orphan) = photo(2_000, 77);
    source
        .publish(&orphan.sha256, orphan_bytes.into())
        .await
        .unwrap();
    let with_orphan = backup::backup(app.database_url(), &source, dir.path())
        .await
        .expect("third backup");
    assert_eq!(with_orphan.manifest.counts.photos, 3);
    let copy = dir.path().join("photos").join(&orphan.sha256);
    assert!(copy.is_file());
    std::fs::remove_file(app.attachments_dir().join(&orphan.sha256)).unwrap();
    let without = backup::backup(app.database_url(), &source, dir.path())
        .await
        .expect("fourth backup");
    assert_eq!(
        (without.photos_copied, without.manifest.counts.photos),
        (0, 2)
    );
    assert!(!copy.exists(), "the purged photo left the backup");

    // A database with other data: refused, and neither it nor the empty store changes.
    let other = TestApp::spawn(backend).await;
    other.fixture().user("someone", PW, Role::Inspector, &[]);
    let empty = tempfile::tempdir().unwrap();
    let err = backup::restore(other.database_url(), &store_of(empty.path()), dir.path())
        .await
        .expect_err("a database with data");
    assert!(matches!(err, Error::DatabaseNotEmpty(..)), "{err}");
    assert!(err.to_string().contains("not empty"), "{err}");
    assert!(store_of(empty.path()).list().await.unwrap().is_empty());
    other.login("someone", PW).await;
    assert_eq!(
        other.try_login("ines", PW).await.status(),
        StatusCode::UNAUTHORIZED,
        "no account of the backup came in"
    );

    // An empty database and a store with a photo of something else: refused too.
    let database = TestDatabase::create(backend);
    let foreign = tempfile::tempdir().unwrap();
    let (bytes, reference) = photo(1_000, 99);
    store_of(foreign.path())
        .publish(&reference.sha256, bytes.into())
        .await
        .unwrap();
    let err = backup::restore(database.url(), &store_of(foreign.path()), dir.path())
        .await
        .expect_err("a store with other photos");
    assert!(matches!(err, Error::StoreNotEmpty(_, 1)), "{err}");
    assert_eq!(store_of(foreign.path()).list().await.unwrap().len(), 1);

    // The database was left empty: a restore into it, with a store that already holds one
    // photo of this backup (an interrupted restore), goes through.
    let resumed = tempfile::tempdir().unwrap();
    store_of(resumed.path())
        .publish(&first.sha256, first.bytes.clone().into())
        .await
        .unwrap();
    let done = backup::restore(database.url(), &store_of(resumed.path()), dir.path())
        .await
        .expect("restore");
    assert_eq!(done.photos_published, 1);
    let server = serve_restored(backend, &database, resumed.path()).await;
    assert_eq!(every_inspection_with_its_photos(&server).await.len(), 2);
}

/// Rewrites one field of `dir`'s manifest.
fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut manifest);
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
}

async fn restore_refuses_what_is_not_a_whole_backup(backend: Backend) {
    let (app, token, enclave) = setup(backend).await;
    let pushed = push_with_photo(&app, &token, &enclave, 1).await;
    let dir = tempfile::tempdir().unwrap();
    backup::backup(
        app.database_url(),
        &store_of(app.attachments_dir()),
        dir.path(),
    )
    .await
    .expect("backup");
    let manifest = std::fs::read(dir.path().join("manifest.json")).unwrap();
    let photo_file = dir.path().join("photos").join(&pushed.sha256);
    let database_file = dir.path().join(match backend {
        Backend::Sqlite => "database.sqlite",
        Backend::Postgres => "database.pgdump",
    });

    let database = TestDatabase::create(backend);
    let photos = tempfile::tempdir().unwrap();
    let restore =
        || async { backup::restore(database.url(), &store_of(photos.path()), dir.path()).await };
    let refused = |err: Result<_, Error>| err.expect_err("refused");

    let nothing = tempfile::tempdir().unwrap();
    let err = backup::restore(database.url(), &store_of(photos.path()), nothing.path())
        .await
        .expect_err("an empty directory");
    assert!(matches!(err, Error::NoManifest(_)), "{err}");

    // Unfinished: no manifest.
    std::fs::remove_file(dir.path().join("manifest.json")).unwrap();
    let err = refused(restore().await);
    assert!(matches!(err, Error::NoManifest(_)), "{err}");
    assert!(err.to_string().contains("did not finish"), "{err}");
    std::fs::write(dir.path().join("manifest.json"), &manifest).unwrap();

    // Another format version, another kind of database, a newer schema.
    edit_manifest(dir.path(), |m| m["version"] = 99.into());
    let err = refused(restore().await);
    assert!(matches!(err, Error::Unusable(_)) && err.to_string().contains("version 99"));
    std::fs::write(dir.path().join("manifest.json"), &manifest).unwrap();
    let other = match backend {
        Backend::Sqlite => "postgres",
        Backend::Postgres => "sqlite",
    };
    edit_manifest(dir.path(), |m| m["backend"] = other.into());
    let err = refused(restore().await);
    assert!(matches!(err, Error::Unusable(_)) && err.to_string().contains(other));
    std::fs::write(dir.path().join("manifest.json"), &manifest).unwrap();
    edit_manifest(dir.path(), |m| {
        m["schema_version"] = "99990101000000".into()
    });
    let err = refused(restore().await);
    assert!(matches!(err, Error::Unusable(_)) && err.to_string().contains("newer"));
    std::fs::write(dir.path().join("manifest.json"), &manifest).unwrap();

    // A photo changed or missing, the database file missing.
    let photo_bytes = std::fs::read(&photo_file).unwrap();
    let mut changed = photo_bytes.clone();
    changed[10] ^= 1;
    std::fs::write(&photo_file, &changed).unwrap();
    let err = refused(restore().await);
    assert!(matches!(err, Error::Damaged(_)) && err.to_string().contains(&pushed.sha256));
    std::fs::remove_file(&photo_file).unwrap();
    assert!(matches!(refused(restore().await), Error::Damaged(_)));
    std::fs::write(&photo_file, &photo_bytes).unwrap();
    let saved = dir.path().join("saved");
    std::fs::rename(&database_file, &saved).unwrap();
    assert!(matches!(refused(restore().await), Error::Damaged(_)));
    std::fs::rename(&saved, &database_file).unwrap();

    // None of it touched the targets: the whole backup restores into them.
    assert!(store_of(photos.path()).list().await.unwrap().is_empty());
    restore().await.expect("restore");
    let server = serve_restored(backend, &database, photos.path()).await;
    assert_eq!(
        every_inspection_with_its_photos(&server).await,
        vec![pushed.id]
    );

    // A directory holding anything else is no place for a backup.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("notes.txt"), "mine").unwrap();
    let err = backup::backup(
        app.database_url(),
        &store_of(app.attachments_dir()),
        elsewhere.path(),
    )
    .await
    .expect_err("a directory with other files");
    assert!(err.to_string().contains("notes.txt"), "{err}");

    // PostgreSQL: a password in the URL reaches pg_dump, and no message shows it.
    if backend == Backend::Postgres {
        const SECRET: &str = "Backup-Secr3t-never-shown";
        let with_password = |url: &str| {
            let mut url = reqwest::Url::parse(url).unwrap();
            url.set_password(Some(SECRET)).unwrap();
            url.to_string()
        };
        let again = tempfile::tempdir().unwrap();
        backup::backup(
            &with_password(app.database_url()),
            &store_of(app.attachments_dir()),
            again.path(),
        )
        .await
        .expect("backup with a password in the URL");
        let missing = with_password(&format!("{}_gone", app.database_url()));
        let err = backup::backup(&missing, &store_of(app.attachments_dir()), again.path())
            .await
            .expect_err("no such database");
        assert!(!err.to_string().contains(SECRET), "{err}");
        assert!(err.to_string().contains("***"), "{err}");
    }
}
