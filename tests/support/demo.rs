//! A server with production settings on the full demo data, for benchmarks: on SQLite, or on
//! PostgreSQL without TLS, over verified TLS, and over TLS with the photos in an S3 bucket.

use std::time::Instant;

use server::config::Config;
use server::startup::Application;
use shared::dto::enclave::EnclavePage;

use crate::{Backend, TestDatabase, postgres, s3};

/// Where a benchmark's server keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setup {
    /// SQLite, photos in a directory.
    Sqlite,
    /// PostgreSQL without TLS, photos in a directory.
    PostgresPlain,
    /// PostgreSQL over TLS (`sslmode=verify-full`), photos in a directory.
    PostgresTls,
    /// PostgreSQL over TLS, photos in a bucket of the test S3 server (s3s-fs).
    PostgresTlsS3,
}

impl Setup {
    /// Every setup this machine can provide (PostgreSQL and the S3 server where available).
    pub fn available() -> Vec<Self> {
        let mut setups = vec![Self::Sqlite];
        if postgres::available() && postgres::cluster().is_some() {
            setups.extend([Self::PostgresPlain, Self::PostgresTls]);
            if s3::server().is_some() {
                setups.push(Self::PostgresTlsS3);
            }
        }
        setups
    }

    /// How a table row names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite, photos in a directory",
            Self::PostgresPlain => "PostgreSQL without TLS, photos in a directory",
            Self::PostgresTls => "PostgreSQL over TLS (verify-full), photos in a directory",
            Self::PostgresTlsS3 => "PostgreSQL over TLS, photos in S3 (s3s-fs)",
        }
    }
}

/// A running demo server, logged in as the demo inspector.
pub struct DemoServer {
    pub base_url: String,
    pub token: String,
    /// Ids of the first 100 enclaves by name.
    pub enclave_ids: Vec<String>,
    /// The server's database, for benchmarks that seed more data.
    pub db: server::db::Db,
    _database: TestDatabase,
    _attachments: tempfile::TempDir,
    _bucket: Option<s3::Bucket>,
}

/// Starts the server on a fresh database of `backend` filled with the demo data (PostgreSQL
/// over TLS, as every test reaches it).
pub async fn start(backend: Backend) -> DemoServer {
    start_on(match backend {
        Backend::Sqlite => Setup::Sqlite,
        Backend::Postgres => Setup::PostgresTls,
    })
    .await
}

/// Starts the server on `setup`, filled with the demo data.
pub async fn start_on(setup: Setup) -> DemoServer {
    let backend = match setup {
        Setup::Sqlite => Backend::Sqlite,
        _ => Backend::Postgres,
    };
    let database = TestDatabase::create(backend);
    let attachments = tempfile::tempdir().expect("attachment dir");
    let url = match (setup, &database) {
        (Setup::PostgresPlain, TestDatabase::Postgres(db)) => postgres::cluster()
            .expect("the test cluster")
            .plain_url(db.name()),
        _ => database.url().to_owned(),
    };
    let mut config = Config::new(url);
    config.bind = "127.0.0.1:0".into();
    config.attachments = attachments.path().display().to_string();
    config.purge_daily_at = None;
    let bucket = (setup == Setup::PostgresTlsS3).then(|| {
        let bucket = s3::server().expect("the S3 server").bucket();
        bucket.configure(&mut config);
        bucket
    });
    let app = Application::build(config).expect("server");
    let db = app.db().clone();
    let today = crate::dates::today();
    let started = Instant::now();
    tokio::task::spawn_blocking(move || server::demo::load_if_empty(&db, today))
        .await
        .expect("demo task")
        .expect("demo data");
    eprintln!(
        "{}: demo data loaded in {:.1} s",
        setup.label(),
        started.elapsed().as_secs_f64()
    );
    let base_url = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    tokio::spawn(app.run_until_stopped());

    let token = login(&base_url, "inspector", "inspector-demo").await;
    let page: EnclavePage = crate::http_client()
        .get(format!("{base_url}/api/enclaves?limit=100"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("page");
    DemoServer {
        base_url,
        token,
        enclave_ids: page.items.iter().map(|e| e.id.to_string()).collect(),
        db,
        _database: database,
        _attachments: attachments,
        _bucket: bucket,
    }
}

/// Signs in to the server at `base_url`; gives the access token.
pub async fn login(base_url: &str, username: &str, password: &str) -> String {
    let tokens: shared::dto::auth::TokenResponse = crate::http_client()
        .post(format!("{base_url}/api/auth/login"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("tokens");
    tokens.access_token
}
