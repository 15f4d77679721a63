//! A server with production settings on the full demo data, for benchmarks.

use std::time::Instant;

use chrono::Utc;
use server::config::Config;
use server::startup::Application;
use shared::dto::enclave::EnclavePage;
use shared::rules::time::belgian_local;

use crate::{Backend, TestDatabase};

/// A running demo server, logged in as the demo inspector.
pub struct DemoServer {
    pub base_url: String,
    pub token: String,
    /// Ids of the first 100 enclaves by name.
    pub enclave_ids: Vec<String>,
    _database: TestDatabase,
    _attachments: tempfile::TempDir,
}

/// Starts the server on a fresh database of `backend` filled with the demo data.
pub async fn start(backend: Backend) -> DemoServer {
    let database = TestDatabase::create(backend);
    let attachments = tempfile::tempdir().expect("attachment dir");
    let mut config = Config::new(database.url());
    config.bind = "127.0.0.1:0".into();
    config.attachments = attachments.path().display().to_string();
    config.purge_daily_at = None;
    let app = Application::build(config).expect("server");
    let db = app.db().clone();
    let today = belgian_local(Utc::now()).date();
    let started = Instant::now();
    tokio::task::spawn_blocking(move || server::demo::load_if_empty(&db, today))
        .await
        .expect("demo task")
        .expect("demo data");
    eprintln!(
        "{backend:?}: demo data loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let base_url = format!("http://127.0.0.1:{}", app.port());
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
        _database: database,
        _attachments: attachments,
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
