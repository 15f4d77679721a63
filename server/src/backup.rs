//! Backup and restore of the database and the photos, while the server keeps serving.
//!
//! A backup directory holds the database snapshot (`database.sqlite`, made with `VACUUM INTO`,
//! or `database.pgdump`, made with `pg_dump --format=custom` inside an exported snapshot), the
//! photos (`photos/{sha256}`) and, written last, `manifest.json`: a directory without a
//! manifest is a backup that did not finish. The database comes first and the photos after it,
//! so every photo the snapshot names is still in the store when the photos are copied (photos
//! are immutable and named by their hash; only retention deletes them, and then the snapshot's
//! inspection is gone from the next backup too). A later backup into the same directory copies
//! only the photos it does not hold yet and drops those the store no longer has.
//!
//! Restore checks everything before it touches anything: the manifest (format, backend, schema
//! version), every photo's SHA-256, the database file, an empty target database and a photo
//! store that holds nothing but this backup's photos (so an interrupted restore can be run
//! again). Then the photos are published and the database is restored last, in one step
//! (a file renamed into place, or `pg_restore --single-transaction`).

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use actix_web::web::{self, Bytes};
use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::dsl::{max, sql};
use diesel::migration::MigrationSource;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::{Sqlite, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use futures_util::{StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared::rules::inspection::is_sha256_hex;

use crate::db::schema::inspections;
use crate::db::{Backend, DbConnection};
use crate::photos::PhotoStore;
use crate::serve::masked_url;

/// What `manifest.json` says it is.
pub const FORMAT: &str = "enclave-inspect-backup";
/// The layout this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;

const MANIFEST: &str = "manifest.json";
const PHOTOS: &str = "photos";
const SQLITE_FILE: &str = "database.sqlite";
const POSTGRES_FILE: &str = "database.pgdump";
/// Suffix of a file being written; renamed into place once whole.
const PARTIAL: &str = ".partial";
/// Photos copied at the same time (an object store answers each request with some latency).
const PARALLEL_COPIES: usize = 8;

/// The migrations this binary knows: a backup of a newer schema is not restored by it.
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

diesel::table! {
    /// diesel's record of the migrations applied: its latest version is the schema version.
    __diesel_schema_migrations (version) {
        version -> Text,
    }
}

/// `manifest.json`: what a backup holds, written last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] when written.
    pub version: u32,
    /// `sqlite` or `postgres`: a backup restores into the same kind of database.
    pub backend: String,
    /// When the database snapshot was taken.
    pub created_at: DateTime<Utc>,
    /// The latest migration applied in the snapshot.
    pub schema_version: String,
    pub counts: Counts,
    /// Every photo in the backup, by hash.
    pub photos: Vec<PhotoEntry>,
}

/// What a backup holds, in numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub inspections: u64,
    pub photos: u64,
    pub photo_bytes: u64,
    pub database_bytes: u64,
}

/// One photo of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoEntry {
    pub sha256: String,
    pub bytes: u64,
}

/// What a backup did.
#[derive(Debug)]
pub struct BackupReport {
    pub manifest: Manifest,
    /// Photos copied into the directory now (the rest were there from an earlier backup).
    pub photos_copied: u64,
    /// Photos listed by the store but deleted before they were copied (retention).
    pub photos_gone: u64,
    /// Photos whose bytes do not match their hash in the store: left out, to be looked at.
    pub photos_damaged: Vec<String>,
}

/// What a restore did.
#[derive(Debug)]
pub struct RestoreReport {
    pub manifest: Manifest,
    /// Photos published now (the rest were there from an interrupted restore).
    pub photos_published: u64,
}

/// Why a backup or restore did not happen. A refusal leaves the target as it was.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "{0} holds no manifest.json: it is not a backup, or a backup that did not finish (the manifest is written last)"
    )]
    NoManifest(PathBuf),
    /// The backup cannot be restored here: unknown format, other backend, newer schema.
    #[error("{0}")]
    Unusable(String),
    /// A file of the backup is missing or does not match.
    #[error("the backup is damaged: {0}")]
    Damaged(String),
    #[error("the database {0} is not empty ({1}); restore only into a new, empty database")]
    DatabaseNotEmpty(String, String),
    #[error(
        "the photo store {0} holds {1} photo(s) that are not in this backup; restore only into an empty store"
    )]
    StoreNotEmpty(String, usize),
    /// The PostgreSQL client tools are missing, too old, or failed.
    #[error("{0}")]
    Tool(String),
    #[error("{0}")]
    Failed(String),
}

fn failed(what: impl std::fmt::Display, e: impl std::fmt::Display) -> Error {
    Error::Failed(format!("{what}: {e}"))
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

fn database_file(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => SQLITE_FILE,
        Backend::Postgres => POSTGRES_FILE,
    }
}

/// The SQLite file a URL names (as [`crate::db::ConnectionManager`] reads it).
fn sqlite_path(url: &str) -> &Path {
    Path::new(url.strip_prefix("sqlite://").unwrap_or(url))
}

/// Runs blocking work (files, database, child processes) off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    web::block(f)
        .await
        .map_err(|e| failed("blocking task", e))?
}

/// Writes a consistent copy of the database `database_url` names and of every photo in
/// `store` into `dir` (created if missing; an earlier backup there is brought up to date).
pub async fn backup(
    database_url: &str,
    store: &PhotoStore,
    dir: &Path,
) -> Result<BackupReport, Error> {
    let backend = Backend::of_url(database_url);
    let (url, target) = (database_url.to_owned(), dir.to_path_buf());
    let snapshot = blocking(move || {
        prepare_dir(&target)?;
        match backend {
            Backend::Sqlite => snapshot_sqlite(&url, &target),
            Backend::Postgres => snapshot_postgres(&url, &target),
        }
    })
    .await?;
    let copied = copy_photos(store, &dir.join(PHOTOS)).await?;
    let manifest = Manifest {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        backend: backend_name(backend).into(),
        created_at: snapshot.created_at,
        schema_version: snapshot.schema_version,
        counts: Counts {
            inspections: snapshot.inspections,
            photos: copied.photos.len() as u64,
            photo_bytes: copied.photos.iter().map(|p| p.bytes).sum(),
            database_bytes: snapshot.bytes,
        },
        photos: copied.photos,
    };
    let (written, target) = (manifest.clone(), dir.to_path_buf());
    blocking(move || {
        write_manifest(&target, &written)?;
        prune_photos(&target.join(PHOTOS), &written.photos)
    })
    .await?;
    Ok(BackupReport {
        manifest,
        photos_copied: copied.copied,
        photos_gone: copied.gone,
        photos_damaged: copied.damaged,
    })
}

/// Creates `dir` or checks that it holds nothing but an earlier backup, and removes that
/// backup's manifest: until the new one is written, the directory is an unfinished backup.
fn prepare_dir(dir: &Path) -> Result<(), Error> {
    let shown = dir.display();
    let ours = [MANIFEST, PHOTOS, SQLITE_FILE, POSTGRES_FILE];
    for entry in fs::read_dir(dir).into_iter().flatten() {
        let name = entry.map_err(|e| failed(&shown, e))?.file_name();
        let name = name.to_string_lossy();
        let base = name.strip_suffix(PARTIAL).unwrap_or(&name);
        if !ours.contains(&base) {
            return Err(Error::Unusable(format!(
                "{shown} holds {name}, which no backup writes: back up into an empty directory or an earlier backup's"
            )));
        }
    }
    fs::create_dir_all(dir.join(PHOTOS)).map_err(|e| failed(&shown, e))?;
    remove_if_there(&dir.join(MANIFEST))
}

fn remove_if_there(path: &Path) -> Result<(), Error> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(failed(path.display(), e)),
        _ => Ok(()),
    }
}

/// Flushes a written file to disk.
fn sync_file(path: &Path) -> Result<(), Error> {
    fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| failed(path.display(), e))
}

/// Renames a whole file into place and makes the rename durable.
fn commit_file(from: &Path, to: &Path) -> Result<(), Error> {
    fs::rename(from, to).map_err(|e| failed(to.display(), e))?;
    match to.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => sync_file(parent),
        None => Ok(()),
    }
}

/// Where `path` is written before it is whole.
fn partial(path: &Path) -> PathBuf {
    suffixed(path, PARTIAL)
}

/// `path` with `suffix` appended (`.partial`, or SQLite's `-wal` beside its database).
fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The database snapshot of a backup.
struct Snapshot {
    created_at: DateTime<Utc>,
    schema_version: String,
    inspections: u64,
    bytes: u64,
}

/// The schema version and the number of inspections a connection sees.
fn describe(conn: &mut DbConnection) -> QueryResult<(String, u64)> {
    let version: Option<String> = __diesel_schema_migrations::table
        .select(max(__diesel_schema_migrations::version))
        .get_result(conn)?;
    let count: i64 = inspections::table.count().get_result(conn)?;
    Ok((version.unwrap_or_default(), count.unsigned_abs()))
}

/// `VACUUM INTO`: one read transaction, so a consistent snapshot while the server writes.
fn snapshot_sqlite(url: &str, dir: &Path) -> Result<Snapshot, Error> {
    let source = sqlite_path(url);
    if !source.is_file() {
        return Err(Error::Failed(format!(
            "there is no SQLite database at {}",
            source.display()
        )));
    }
    let db_err = |e: &dyn std::fmt::Display| failed(source.display(), e);
    let mut conn =
        SqliteConnection::establish(&source.to_string_lossy()).map_err(|e| db_err(&e))?;
    conn.batch_execute("PRAGMA busy_timeout = 10000")
        .map_err(|e| db_err(&e))?;
    let file = dir.join(SQLITE_FILE);
    let part = partial(&file);
    remove_if_there(&part)?;
    let created_at = Utc::now();
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(part.to_string_lossy().into_owned())
        .execute(&mut conn)
        .map_err(|e| db_err(&e))?;
    drop(conn);
    // The copy keeps the source's WAL mode; a plain rollback journal makes it one
    // self-contained file that can be opened read-only.
    let mut copy = SqliteConnection::establish(&part.to_string_lossy()).map_err(|e| db_err(&e))?;
    copy.batch_execute("PRAGMA journal_mode = DELETE")
        .map_err(|e| db_err(&e))?;
    let mut copy = DbConnection::Sqlite(copy);
    let (schema_version, inspections) = describe(&mut copy).map_err(|e| db_err(&e))?;
    drop(copy);
    sync_file(&part)?;
    let bytes = fs::metadata(&part).map_err(|e| db_err(&e))?.len();
    commit_file(&part, &file)?;
    Ok(Snapshot {
        created_at,
        schema_version,
        inspections,
        bytes,
    })
}

/// `pg_dump --format=custom` inside a snapshot exported by a repeatable-read transaction that
/// also counts what the dump holds.
fn snapshot_postgres(url: &str, dir: &Path) -> Result<Snapshot, Error> {
    let tool = PgTool::find("pg_dump")?;
    let shown = masked_url(url);
    let db_err = |e: &dyn std::fmt::Display| failed(&shown, e);
    let mut pg = crate::db::pg_establish(url).map_err(|e| db_err(&e))?;
    tool.check_against(server_version(&mut pg).map_err(|e| db_err(&e))?)?;
    pg.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .map_err(|e| db_err(&e))?;
    let created_at = Utc::now();
    let snapshot: String = diesel::select(sql::<Text>("pg_export_snapshot()"))
        .get_result(&mut pg)
        .map_err(|e| db_err(&e))?;
    let mut conn = DbConnection::Pg(pg);
    let (schema_version, inspections) = describe(&mut conn).map_err(|e| db_err(&e))?;
    let file = dir.join(POSTGRES_FILE);
    let part = partial(&file);
    remove_if_there(&part)?;
    let mut file_arg = OsString::from("--file=");
    file_arg.push(&part);
    tool.run(
        url,
        &[
            "--format=custom".into(),
            format!("--snapshot={snapshot}").into(),
            file_arg,
        ],
    )?;
    conn.batch_execute("COMMIT").map_err(|e| db_err(&e))?;
    sync_file(&part)?;
    let bytes = fs::metadata(&part).map_err(|e| db_err(&e))?.len();
    commit_file(&part, &file)?;
    Ok(Snapshot {
        created_at,
        schema_version,
        inspections,
        bytes,
    })
}

/// The server's `server_version_num` (e.g. 150004 for 15.4).
fn server_version(pg: &mut PgConnection) -> QueryResult<u32> {
    let num: String =
        diesel::select(sql::<Text>("current_setting('server_version_num')")).get_result(pg)?;
    Ok(num.trim().parse().unwrap_or(0))
}

/// The photos of a backup directory after copying.
struct Copied {
    photos: Vec<PhotoEntry>,
    copied: u64,
    gone: u64,
    damaged: Vec<String>,
}

/// What became of one photo while copying.
enum CopyOutcome {
    Copied(PhotoEntry),
    AlreadyThere(PhotoEntry),
    Gone,
    Damaged(String),
}

/// Copies every complete photo of `store` that `photos_dir` does not hold yet, checking its
/// hash on the way.
async fn copy_photos(store: &PhotoStore, photos_dir: &Path) -> Result<Copied, Error> {
    let listed = store
        .list()
        .await
        .map_err(|e| failed("listing photos", e))?;
    let outcomes: Vec<CopyOutcome> = stream::iter(listed)
        .map(|(sha, size)| copy_photo(store, photos_dir.join(&sha), sha, size))
        .buffer_unordered(PARALLEL_COPIES)
        .try_collect()
        .await?;
    let mut copied = Copied {
        photos: Vec::new(),
        copied: 0,
        gone: 0,
        damaged: Vec::new(),
    };
    for outcome in outcomes {
        match outcome {
            CopyOutcome::Copied(p) => {
                copied.copied += 1;
                copied.photos.push(p);
            }
            CopyOutcome::AlreadyThere(p) => copied.photos.push(p),
            CopyOutcome::Gone => copied.gone += 1,
            CopyOutcome::Damaged(sha) => copied.damaged.push(sha),
        }
    }
    copied.photos.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    copied.damaged.sort();
    Ok(copied)
}

/// Copies one photo into `dest`, unless the directory holds it already.
async fn copy_photo(
    store: &PhotoStore,
    dest: PathBuf,
    sha256: String,
    size: u64,
) -> Result<CopyOutcome, Error> {
    let entry = PhotoEntry {
        sha256: sha256.clone(),
        bytes: size,
    };
    let there = dest.clone();
    if blocking(move || Ok(fs::metadata(&there).is_ok_and(|m| m.len() == size))).await? {
        return Ok(CopyOutcome::AlreadyThere(entry));
    }
    let Some(bytes) = store
        .read(&sha256)
        .await
        .map_err(|e| failed(format!("reading photo {sha256}"), e))?
    else {
        return Ok(CopyOutcome::Gone);
    };
    if hex_sha256(&bytes) != sha256 {
        return Ok(CopyOutcome::Damaged(sha256));
    }
    let entry = PhotoEntry {
        bytes: bytes.len() as u64,
        ..entry
    };
    blocking(move || {
        let part = partial(&dest);
        fs::write(&part, &bytes).map_err(|e| failed(part.display(), e))?;
        sync_file(&part)?;
        fs::rename(&part, &dest).map_err(|e| failed(dest.display(), e))
    })
    .await?;
    Ok(CopyOutcome::Copied(entry))
}

fn hex_sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Writes the manifest beside the rest, last, by rename.
fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), Error> {
    let photos = dir.join(PHOTOS);
    sync_file(&photos)?;
    let file = dir.join(MANIFEST);
    let part = partial(&file);
    let json = serde_json::to_vec_pretty(manifest).map_err(|e| failed(MANIFEST, e))?;
    fs::write(&part, json).map_err(|e| failed(part.display(), e))?;
    sync_file(&part)?;
    commit_file(&part, &file)
}

/// Deletes the photos of earlier backups that the store no longer has (retention deleted
/// them: a backup keeps no more than the store does).
fn prune_photos(photos_dir: &Path, keep: &[PhotoEntry]) -> Result<(), Error> {
    let keep: std::collections::HashSet<&str> = keep.iter().map(|p| p.sha256.as_str()).collect();
    let shown = photos_dir.display();
    for entry in fs::read_dir(photos_dir).map_err(|e| failed(&shown, e))? {
        let entry = entry.map_err(|e| failed(&shown, e))?;
        if !keep.contains(entry.file_name().to_string_lossy().as_ref()) {
            remove_if_there(&entry.path())?;
        }
    }
    Ok(())
}

/// Restores the backup in `dir` into the empty database `database_url` names and the empty
/// photo `store`; refuses, touching nothing, when either holds data or the backup is not whole.
pub async fn restore(
    database_url: &str,
    store: &PhotoStore,
    dir: &Path,
) -> Result<RestoreReport, Error> {
    let backend = Backend::of_url(database_url);
    let target = dir.to_path_buf();
    let manifest = blocking(move || read_manifest(&target)).await?;
    check_restorable(&manifest, backend)?;
    let (url, target, checked) = (database_url.to_owned(), dir.to_path_buf(), manifest.clone());
    let restorer = blocking(move || {
        verify_photos(&target.join(PHOTOS), &checked.photos)?;
        let restorer = Restorer::prepare(backend, &url, &target.join(database_file(backend)))?;
        restorer.check_empty(&checked)?;
        Ok(restorer)
    })
    .await?;
    let missing = photos_to_publish(store, &manifest).await?;
    let published = missing.len() as u64;
    let photos_dir = dir.join(PHOTOS);
    stream::iter(missing)
        .map(|sha| publish_photo(store, &photos_dir, sha))
        .buffer_unordered(PARALLEL_COPIES)
        .try_collect::<Vec<()>>()
        .await?;
    blocking(move || restorer.restore()).await?;
    Ok(RestoreReport {
        manifest,
        photos_published: published,
    })
}

/// Reads `manifest.json`, refusing one of another format or version.
fn read_manifest(dir: &Path) -> Result<Manifest, Error> {
    let text = match fs::read(dir.join(MANIFEST)) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(Error::NoManifest(dir.to_path_buf()));
        }
        Err(e) => return Err(failed(dir.join(MANIFEST).display(), e)),
    };
    /// What every format version shares.
    #[derive(Deserialize)]
    struct Header {
        format: String,
        version: u32,
    }
    let header: Header = serde_json::from_slice(&text).map_err(|e| {
        Error::Unusable(format!(
            "{MANIFEST} in {} is not a backup manifest: {e}",
            dir.display()
        ))
    })?;
    if header.format != FORMAT || header.version != FORMAT_VERSION {
        return Err(Error::Unusable(format!(
            "{MANIFEST} in {} is of format {} version {}; this enclave-inspect reads {FORMAT} version {FORMAT_VERSION}",
            dir.display(),
            header.format,
            header.version
        )));
    }
    serde_json::from_slice(&text).map_err(|e| Error::Damaged(format!("{MANIFEST}: {e}")))
}

/// Refuses a backup of the other backend or of a newer schema than this binary knows.
fn check_restorable(manifest: &Manifest, backend: Backend) -> Result<(), Error> {
    let here = backend_name(backend);
    if manifest.backend != here {
        return Err(Error::Unusable(format!(
            "this is a backup of a {} database and DATABASE_URL names a {here} one: restore it into the same kind of database",
            manifest.backend
        )));
    }
    let known = latest_migration(backend)?;
    if manifest.schema_version > known {
        return Err(Error::Unusable(format!(
            "this backup has schema version {}, newer than this enclave-inspect knows ({known}): restore it with the version that made it",
            manifest.schema_version
        )));
    }
    if let Some(bad) = manifest.photos.iter().find(|p| !is_sha256_hex(&p.sha256)) {
        return Err(Error::Damaged(format!(
            "{MANIFEST} names a photo {:?} that is not a SHA-256",
            bad.sha256
        )));
    }
    Ok(())
}

fn latest_migration(backend: Backend) -> Result<String, Error> {
    let names = match backend {
        Backend::Sqlite => MigrationSource::<Sqlite>::migrations(&SQLITE_MIGRATIONS).map(|m| {
            m.iter()
                .map(|m| m.name().version().to_string())
                .collect::<Vec<_>>()
        }),
        Backend::Postgres => MigrationSource::<Pg>::migrations(&POSTGRES_MIGRATIONS)
            .map(|m| m.iter().map(|m| m.name().version().to_string()).collect()),
    };
    let names = names.map_err(|e| failed("migrations", e))?;
    Ok(names.into_iter().max().unwrap_or_default())
}

/// Checks every photo of the backup: there, of its size, and hashing to its name.
fn verify_photos(photos_dir: &Path, photos: &[PhotoEntry]) -> Result<(), Error> {
    for photo in photos {
        let path = photos_dir.join(&photo.sha256);
        let mut file = fs::File::open(&path)
            .map_err(|e| Error::Damaged(format!("photo {}: {e}", photo.sha256)))?;
        let mut hasher = Sha256::new();
        let read = io::copy(&mut file, &mut hasher)
            .map_err(|e| Error::Damaged(format!("photo {}: {e}", photo.sha256)))?;
        if read != photo.bytes || format!("{:x}", hasher.finalize()) != photo.sha256 {
            return Err(Error::Damaged(format!(
                "photo {} does not match its SHA-256 or size",
                photo.sha256
            )));
        }
    }
    Ok(())
}

/// The backup's photos the store does not have yet; refuses a store holding any other photo.
async fn photos_to_publish(store: &PhotoStore, manifest: &Manifest) -> Result<Vec<String>, Error> {
    let present = store
        .list()
        .await
        .map_err(|e| failed("listing photos", e))?;
    let ours: std::collections::HashMap<&str, u64> = manifest
        .photos
        .iter()
        .map(|p| (p.sha256.as_str(), p.bytes))
        .collect();
    let foreign = present
        .iter()
        .filter(|(sha, size)| ours.get(sha.as_str()) != Some(size))
        .count();
    if foreign > 0 {
        return Err(Error::StoreNotEmpty(store.describe().to_owned(), foreign));
    }
    let present: std::collections::HashSet<&str> =
        present.iter().map(|(sha, _)| sha.as_str()).collect();
    Ok(manifest
        .photos
        .iter()
        .filter(|p| !present.contains(p.sha256.as_str()))
        .map(|p| p.sha256.clone())
        .collect())
}

/// Publishes one photo of the backup into the store.
async fn publish_photo(store: &PhotoStore, photos_dir: &Path, sha256: String) -> Result<(), Error> {
    let path = photos_dir.join(&sha256);
    let bytes = blocking(move || fs::read(&path).map_err(|e| failed(path.display(), e))).await?;
    store
        .publish(&sha256, Bytes::from(bytes))
        .await
        .map_err(|e| failed(format!("publishing photo {sha256}"), e))
}

/// The database half of a restore, checked before anything is touched.
enum Restorer {
    /// The snapshot file is copied beside the target and renamed over it.
    Sqlite { backup: PathBuf, target: PathBuf },
    Postgres {
        tool: PgTool,
        url: String,
        backup: PathBuf,
    },
}

impl Restorer {
    /// Finds what the restore needs and checks that the backup's database file can be read.
    fn prepare(backend: Backend, url: &str, backup: &Path) -> Result<Self, Error> {
        if !backup.is_file() {
            return Err(Error::Damaged(format!("{} is missing", backup.display())));
        }
        match backend {
            Backend::Sqlite => Ok(Self::Sqlite {
                backup: backup.to_path_buf(),
                target: sqlite_path(url).to_path_buf(),
            }),
            Backend::Postgres => {
                let tool = PgTool::find("pg_restore")?;
                // Lists the archive's contents: a damaged or too-new archive fails here.
                tool.run_offline(&["--list".into(), backup.as_os_str().to_owned()])
                    .map_err(|e| Error::Damaged(format!("{}: {e}", backup.display())))?;
                Ok(Self::Postgres {
                    tool,
                    url: url.to_owned(),
                    backup: backup.to_path_buf(),
                })
            }
        }
    }

    /// Refuses a target database that holds anything; checks a SQLite snapshot's integrity.
    fn check_empty(&self, manifest: &Manifest) -> Result<(), Error> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        match self {
            Self::Sqlite { backup, target } => {
                let shown = target.display().to_string();
                let db_err = |e: &dyn std::fmt::Display| failed(&shown, e);
                if target.exists() {
                    let mut conn = SqliteConnection::establish(&read_only_uri(target))
                        .map_err(|e| db_err(&e))?;
                    let tables = diesel::sql_query("SELECT count(*) AS n FROM sqlite_master")
                        .get_result::<Count>(&mut conn)
                        .map_err(|e| db_err(&e))?
                        .n;
                    if tables > 0 {
                        return Err(Error::DatabaseNotEmpty(
                            shown,
                            format!("{tables} tables, indexes and other objects"),
                        ));
                    }
                    let wal = suffixed(target, "-wal");
                    if fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
                        return Err(Error::DatabaseNotEmpty(
                            shown,
                            format!("{} is in use: stop the server", wal.display()),
                        ));
                    }
                }
                let shown = backup.display().to_string();
                let damaged = |e: &dyn std::fmt::Display| Error::Damaged(format!("{shown}: {e}"));
                let mut conn =
                    SqliteConnection::establish(&read_only_uri(backup)).map_err(|e| damaged(&e))?;
                #[derive(QueryableByName)]
                struct Check {
                    #[diesel(sql_type = Text)]
                    quick_check: String,
                }
                let check = diesel::sql_query("PRAGMA quick_check")
                    .get_result::<Check>(&mut conn)
                    .map_err(|e| damaged(&e))?;
                if check.quick_check != "ok" {
                    return Err(damaged(&check.quick_check));
                }
                let (version, _) =
                    describe(&mut DbConnection::Sqlite(conn)).map_err(|e| damaged(&e))?;
                if version != manifest.schema_version {
                    return Err(damaged(&format!(
                        "schema version {version}, the manifest says {}",
                        manifest.schema_version
                    )));
                }
                Ok(())
            }
            Self::Postgres { tool, url, .. } => {
                let shown = masked_url(url);
                let db_err = |e: &dyn std::fmt::Display| failed(&shown, e);
                let mut pg = crate::db::pg_establish(url).map_err(|e| db_err(&e))?;
                tool.check_against(server_version(&mut pg).map_err(|e| db_err(&e))?)?;
                let relations = diesel::sql_query(
                    "SELECT count(*) AS n FROM pg_catalog.pg_class c \
                     JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace \
                     WHERE s.nspname <> 'information_schema' AND s.nspname NOT LIKE 'pg\\_%'",
                )
                .get_result::<Count>(&mut pg)
                .map_err(|e| db_err(&e))?
                .n;
                if relations > 0 {
                    return Err(Error::DatabaseNotEmpty(
                        shown,
                        format!("{relations} tables, sequences, indexes and other relations"),
                    ));
                }
                Ok(())
            }
        }
    }

    /// Puts the database in place: all of it or (on failure) nothing.
    fn restore(self) -> Result<(), Error> {
        match self {
            Self::Sqlite { backup, target } => {
                if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                    fs::create_dir_all(dir).map_err(|e| failed(dir.display(), e))?;
                }
                let part = partial(&target);
                fs::copy(&backup, &part).map_err(|e| failed(part.display(), e))?;
                sync_file(&part)?;
                commit_file(&part, &target)
            }
            Self::Postgres { tool, url, backup } => tool.run(
                &url,
                &[
                    "--single-transaction".into(),
                    "--exit-on-error".into(),
                    // Objects belong to the user restoring them, as on a new cluster or provider.
                    "--no-owner".into(),
                    "--no-privileges".into(),
                    backup.into_os_string(),
                ],
            ),
        }
    }
}

/// A SQLite URI that opens `path` read-only (never creating it).
fn read_only_uri(path: &Path) -> String {
    let escaped = path
        .to_string_lossy()
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23");
    format!("file:{escaped}?mode=ro")
}

/// A PostgreSQL client program (`pg_dump`, `pg_restore`) and its version.
#[derive(Debug)]
struct PgTool {
    path: PathBuf,
    /// In `server_version_num` form: 150004 for 15.4, 90624 for 9.6.24.
    version: u32,
}

/// The major release of a `server_version_num`, comparable across 9.x and later.
fn major(version: u32) -> u32 {
    if version >= 100_000 {
        version / 10_000 * 100
    } else {
        version / 100
    }
}

fn show_major(version: u32) -> String {
    if version >= 100_000 {
        (version / 10_000).to_string()
    } else {
        format!("{}.{}", version / 10_000, version / 100 % 100)
    }
}

/// The version `pg_dump --version` prints ("pg_dump (PostgreSQL) 15.4 (Debian …)").
fn parse_tool_version(printed: &str) -> Option<u32> {
    let number = printed
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    let mut parts = number
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (first, second, third) = (parts.next()?, parts.next().unwrap_or(0), parts.next());
    Some(if first >= 10 {
        first * 10_000 + second
    } else {
        first * 10_000 + second * 100 + third.unwrap_or(0)
    })
}

impl PgTool {
    /// The newest `name` under `/usr/lib/postgresql/*/bin` or on `PATH`.
    fn find(name: &str) -> Result<Self, Error> {
        let mut candidates: Vec<PathBuf> = fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("bin").join(name))
            .collect();
        if let Some(path) = std::env::var_os("PATH") {
            candidates.extend(std::env::split_paths(&path).map(|d| d.join(name)));
        }
        let mut best: Option<Self> = None;
        for path in candidates.into_iter().filter(|p| p.is_file()) {
            let Ok(out) = Command::new(&path).arg("--version").output() else {
                continue;
            };
            let Some(version) = parse_tool_version(&String::from_utf8_lossy(&out.stdout)) else {
                continue;
            };
            if best.as_ref().is_none_or(|b| version > b.version) {
                best = Some(Self { path, version });
            }
        }
        best.ok_or_else(|| {
            Error::Tool(format!(
                "{name} is not on PATH nor under /usr/lib/postgresql/*/bin: install the PostgreSQL client tools \
                 (Debian: apt-get install postgresql-client) of the server's version or newer"
            ))
        })
    }

    /// Refuses a tool older than the server.
    fn check_against(&self, server: u32) -> Result<(), Error> {
        if major(self.version) < major(server) {
            return Err(Error::Tool(format!(
                "{} is version {} and the server runs PostgreSQL {}: install the client tools of version {} or newer",
                self.path.display(),
                show_major(self.version),
                show_major(server),
                show_major(server)
            )));
        }
        Ok(())
    }

    /// Runs the tool against `url`: the password goes through the environment, never the
    /// command line, and it never prompts.
    fn run(&self, url: &str, args: &[OsString]) -> Result<(), Error> {
        let (url, password) = split_password(url);
        let mut cmd = Command::new(&self.path);
        cmd.args(args)
            .arg("--no-password")
            .arg(format!("--dbname={url}"));
        if let Some(password) = password {
            cmd.env("PGPASSWORD", password);
        }
        self.output(cmd)
    }

    /// Runs the tool without a database.
    fn run_offline(&self, args: &[OsString]) -> Result<(), Error> {
        let mut cmd = Command::new(&self.path);
        cmd.args(args);
        self.output(cmd)
    }

    fn output(&self, mut cmd: Command) -> Result<(), Error> {
        let out = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| Error::Tool(format!("{}: {e}", self.path.display())))?;
        if out.status.success() {
            return Ok(());
        }
        Err(Error::Tool(format!(
            "{} failed ({}): {}",
            self.path.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// The URL without its password, and the password (from the user part or a `password`
/// parameter), decoded.
fn split_password(database_url: &str) -> (String, Option<String>) {
    let Ok(mut url) = url::Url::parse(database_url) else {
        return (database_url.to_owned(), None);
    };
    let mut password = url.password().map(|p| {
        percent_encoding::percent_decode_str(p)
            .decode_utf8_lossy()
            .into_owned()
    });
    if password.is_some() {
        // Only fails for URLs without a host, which cannot carry a password.
        let _ = url.set_password(None);
    }
    if url.query_pairs().any(|(k, _)| k == "password") {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter_map(|(k, v)| {
                if k == "password" {
                    password = Some(v.into_owned());
                    None
                } else {
                    Some((k.into_owned(), v.into_owned()))
                }
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        if url.query() == Some("") {
            url.set_query(None);
        }
    }
    (url.to_string(), password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_versions_compare_by_major_release() {
        let v = |s| parse_tool_version(s).unwrap();
        assert_eq!(
            v("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"),
            150_020
        );
        assert_eq!(v("pg_restore (PostgreSQL) 9.6.24"), 90_624);
        assert_eq!(v("pg_dump (PostgreSQL) 17beta1"), 170_000);
        assert_eq!(major(150_020), major(150_004));
        assert!(major(90_624) < major(100_001));
        assert!(major(90_500) < major(90_624));
        assert_eq!(show_major(90_624), "9.6");
        assert_eq!(show_major(160_002), "16");
        assert_eq!(parse_tool_version("no version here"), None);
    }

    #[test]
    fn the_password_leaves_the_url() {
        assert_eq!(
            split_password("postgres://u:p%40ss@db:5432/app?sslmode=require"),
            (
                "postgres://u@db:5432/app?sslmode=require".to_owned(),
                Some("p@ss".to_owned())
            )
        );
        assert_eq!(
            split_password("postgres://u@db/app?password=secret&sslmode=verify-full"),
            (
                "postgres://u@db/app?sslmode=verify-full".to_owned(),
                Some("secret".to_owned())
            )
        );
        assert_eq!(
            split_password("postgres://u@db/app?password=secret"),
            ("postgres://u@db/app".to_owned(), Some("secret".to_owned()))
        );
        assert_eq!(
            split_password("postgres://u@db/app"),
            ("postgres://u@db/app".to_owned(), None)
        );
    }
}
