//! Test support: start the real server on a random port against a fresh database (a temporary
//! SQLite file, or a new PostgreSQL database that is dropped afterwards), a builder for the
//! data a scenario needs, signed-in users whose clients speak the API, the recurring scenario
//! as one [`World`], and headless Chromium for the browser tests.

pub mod axe;
pub mod browser;
pub mod dates;
pub mod demo;
pub mod driver;
pub mod faulty;
pub mod field;
pub mod fixture;
pub mod fuzz;
pub mod nginx;
pub mod poppler;
pub mod postgres;
pub mod proxy;
pub mod records;
pub mod s3;
pub mod tls;
pub mod users;
pub mod world;

use reqwest::{Method, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use server::config::Config;
use server::db::Db;
use server::startup::Application;
use shared::dto::auth::TokenResponse;
use shared::dto::sync::{Change, PullResponse, PushResponse, SyncRecord};

pub use fixture::Fixture;
pub use users::{PASSWORD, User};
pub use world::World;

/// The signing secret of test servers, so tests can forge tokens.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// How long a test client keeps an idle connection for reuse: well below the server's
/// keep-alive (75 s), so a client never sends on a connection the server is closing (a busy
/// machine can delay the client noticing the server's close; reusing it then is a reset).
pub const CLIENT_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// A client builder for test and benchmark traffic ([`CLIENT_IDLE_TIMEOUT`] set).
pub fn http_client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().pool_idle_timeout(CLIENT_IDLE_TIMEOUT)
}

/// A client for test and benchmark traffic.
pub fn http_client() -> reqwest::Client {
    http_client_builder().build().expect("HTTP client")
}

/// The runtime of a bench binary: two workers, as the machine has two cores.
pub fn bench_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Whether the run is in CI (`CI=true`), where missing tools fail loudly.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// What became of providing a real component a test needs (PostgreSQL, Chromium, nginx, the
/// S3 server, Schemathesis): `Some` when it is there. Under `CI=true` one that cannot be
/// provided fails the run loudly; otherwise a warning names the `skipped` tests and `None`
/// lets them return early.
pub fn required<T>(component: &str, skipped: &str, provided: Result<T, String>) -> Option<T> {
    match provided {
        Ok(it) => Some(it),
        Err(why) if in_ci() => panic!("{component} is required when CI=true: {why}"),
        Err(why) => {
            // Straight to stderr: the test harness swallows `eprintln!` of passing tests.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "\n==========\nWARNING: {component} unavailable, {skipped} SKIPPED: {why}\n==========\n"
            );
            None
        }
    }
}

/// Runs apt-get non-interactively, waiting for the package lock another installer (another
/// process) may hold.
pub fn apt_get(args: &[&str]) -> Result<(), String> {
    let out = std::process::Command::new("apt-get")
        .args(["-o", "DPkg::Lock::Timeout=600"])
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("apt-get: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "apt-get {args:?} exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// One apt-get at a time in this process. Parallel tests that each miss a component would
/// otherwise run `apt-get update` together, and apt refuses the second at once while the
/// first holds the package lists' lock (`DPkg::Lock::Timeout` waits only for dpkg's lock).
static APT: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Installs Debian's `packages` (without recommends) after updating the package lists,
/// unless `present` says, once this process's other installs are done, that they are there.
pub fn apt_install(packages: &[&str], present: impl Fn() -> bool) -> Result<(), String> {
    let _one_at_a_time = APT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if present() {
        return Ok(());
    }
    apt_get(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend_from_slice(packages);
    apt_get(&args)
}

/// Runs a tool to its end and gives what it wrote to stdout; an error names the tool, its
/// exit status and what it wrote to stderr.
pub fn run_tool(program: &str, args: &[&std::ffi::OsStr]) -> Result<Vec<u8>, String> {
    let out = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "{program} {args:?} exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits until the server at `base` answers `/healthz` (a server process starting).
pub async fn wait_until_up(client: &reqwest::Client, base: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("server at {base} did not come up");
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// What a benchmark runs on: SQLite, and PostgreSQL where one can be reached.
    pub fn available() -> Vec<Self> {
        let mut backends = vec![Self::Sqlite];
        if postgres::available() {
            backends.push(Self::Postgres);
        }
        backends
    }
}

/// Generates one `#[tokio::test]` per backend for an `async fn(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::postgres::available() {
                    super::$name($crate::Backend::Postgres).await
                }
            }
        }
    )+};
}

/// A fresh database; removed when dropped.
pub enum TestDatabase {
    Sqlite {
        url: String,
        _dir: tempfile::TempDir,
    },
    Postgres(postgres::TempDatabase),
}

impl TestDatabase {
    /// A new, empty database on `backend`.
    pub fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = dir.path().join("test.db").to_string_lossy().into_owned();
                Self::Sqlite { url, _dir: dir }
            }
            Backend::Postgres => Self::Postgres(postgres::TempDatabase::create()),
        }
    }

    /// Its connection URL.
    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url, .. } => url,
            Self::Postgres(db) => db.url(),
        }
    }
}

/// A running server with its own database.
pub struct TestApp {
    pub base_url: String,
    /// `http://127.0.0.1:{port}` of the metrics server, when the test set `metrics_bind`.
    pub metrics_url: Option<String>,
    pub client: reqwest::Client,
    pub db: Db,
    pub backend: Backend,
    /// The owner of the database drops it; a second instance on it holds `None`.
    _database: Option<TestDatabase>,
    database_url: String,
    _attachments: tempfile::TempDir,
    /// The photo store this instance serves from (a temporary directory unless the test
    /// chose another).
    pub photos: server::photos::PhotoStore,
}

impl TestApp {
    /// Starts a server with default settings.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts a server after `adjust` has changed its configuration.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Self {
        let database = TestDatabase::create(backend);
        let mut app = Self::start(backend, database.url(), adjust).await;
        app._database = Some(database);
        app
    }

    /// Another server instance on this instance's database (as in a scaled-out deployment):
    /// its own pool, caches and port.
    pub async fn another_instance(&self, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start(self.backend, &self.database_url, adjust).await
    }

    async fn start(backend: Backend, url: &str, adjust: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::new(url);
        let attachments = tempfile::tempdir().expect("attachment dir");
        config.attachments = attachments.path().display().to_string();
        config.bind = "127.0.0.1:0".into();
        config.db_max_connections = 4;
        config.jwt_secret = Some(TEST_JWT_SECRET.into());
        // Fixtures write straight into the database: let lookups see them at once.
        config.lookup_index_max_age = std::time::Duration::ZERO;
        // Fixtures hold data of any age: only a test that asks for it purges.
        config.purge_daily_at = None;
        adjust(&mut config);
        let photos = config.open_photos().expect("photo store");
        let app = Application::build(config).expect("server starts");
        let base_url = format!("http://127.0.0.1:{}", app.port());
        let metrics_url = app
            .metrics_port()
            .map(|port| format!("http://127.0.0.1:{port}"));
        let db = app.db().clone();
        tokio::spawn(app.run_until_stopped());
        Self {
            base_url,
            metrics_url,
            client: http_client(),
            db,
            backend,
            _database: None,
            database_url: url.to_owned(),
            _attachments: attachments,
            photos,
        }
    }

    /// Where this app keeps photos, unless the test chose another store.
    pub fn attachments_dir(&self) -> &std::path::Path {
        self._attachments.path()
    }

    /// The URL of this app's database.
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// A builder for this app's data.
    pub fn fixture(&self) -> Fixture {
        Fixture::new(self.db.clone())
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn send<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> Response {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base_url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("request sent")
    }

    /// GET with a token.
    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.send::<()>(Method::GET, path, Some(token), None).await
    }

    /// POST a JSON body without a token.
    pub async fn post<B: Serialize>(&self, path: &str, body: &B) -> Response {
        self.send(Method::POST, path, None, Some(body)).await
    }

    /// Raw login attempt.
    pub async fn try_login(&self, username: &str, password: &str) -> Response {
        self.post(
            "/api/auth/login",
            &serde_json::json!({ "username": username, "password": password }),
        )
        .await
    }

    /// Pushes records as the holder of `token`; panics unless the answer is 200.
    pub async fn push(&self, token: &str, records: Vec<SyncRecord>) -> PushResponse {
        self.bearer(token).push(records).await
    }

    /// One pull page for the holder of `token`.
    pub async fn pull(&self, token: &str, since: i64, limit: i64) -> PullResponse {
        self.bearer(token).pull(since, limit).await
    }

    /// Pulls from the start until no more changes; returns them and the number of pages.
    pub async fn pull_all(&self, token: &str, limit: i64) -> (Vec<Change>, usize) {
        self.bearer(token).pull_all(limit).await
    }

    /// Raw refresh attempt with a refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.post(
            "/api/auth/refresh",
            &serde_json::json!({ "refresh_token": refresh_token }),
        )
        .await
    }

    /// Logs in and returns the tokens; panics on failure.
    pub async fn login(&self, username: &str, password: &str) -> TokenResponse {
        let res = self.try_login(username, password).await;
        assert_eq!(res.status(), StatusCode::OK, "login of {username}");
        res.json().await.expect("token response")
    }
}

/// Reads a JSON body after asserting the status.
pub async fn json<T: DeserializeOwned>(res: Response, status: StatusCode) -> T {
    let actual = res.status();
    let text = res.text().await.expect("body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON ({e}): {text}"))
}

/// Asserts an error answer: status and machine-readable code, with messages in both languages.
pub async fn assert_error(res: Response, status: StatusCode, code: &str) {
    let body: serde_json::Value = json(res, status).await;
    assert_eq!(body["error"]["code"], code, "{body}");
    for field in ["message", "message_nl", "message_en"] {
        assert!(
            body["error"][field].as_str().is_some_and(|m| !m.is_empty()),
            "missing {field}: {body}"
        );
    }
}
