//! Signed-in test users: `app.inspector().await` creates the inspector (once) and logs in,
//! giving a [`User`]: a client that carries its token and speaks the API (`get`, `post`,
//! `push`, `pull`, ...), so a scenario reads as who does what.

use reqwest::{Method, Response, StatusCode};
use serde::Serialize;
use shared::dto::auth::Role;
use shared::dto::enclave::Province;
use shared::dto::sync::{Change, PullResponse, PushRequest, PushResponse, SyncRecord};

use crate::{TestApp, json};

/// The password of every test user.
pub const PASSWORD: &str = "a-long-test-password";

/// A user signed in to a test server; cheap to clone (the HTTP client is shared).
#[derive(Clone)]
pub struct User {
    /// The access token every request carries.
    pub token: String,
    http: reqwest::Client,
    base_url: String,
}

impl TestApp {
    /// The user `username` with `role` in `provinces` (created unless it exists), signed in.
    pub async fn user(&self, username: &str, role: Role, provinces: &[Province]) -> User {
        let f = self.fixture();
        if !f.has_user(username) {
            f.user(username, PASSWORD, role, provinces);
        }
        self.bearer(&self.login(username, PASSWORD).await.access_token)
    }

    /// Ines, an inspector of every province, signed in.
    pub async fn inspector(&self) -> User {
        self.user("ines", Role::Inspector, &[]).await
    }

    /// Rita, a reviewer, signed in.
    pub async fn reviewer(&self) -> User {
        self.user("rita", Role::Reviewer, &[]).await
    }

    /// Adam, an administrator, signed in.
    pub async fn admin(&self) -> User {
        self.user("adam", Role::Admin, &[]).await
    }

    /// Whoever holds `token` (from a login done otherwise, a refresh, a forged token).
    pub fn bearer(&self, token: &str) -> User {
        User {
            token: token.to_owned(),
            http: self.client.clone(),
            base_url: self.base_url.clone(),
        }
    }
}

impl User {
    /// Sends a request with this user's token and an optional JSON body.
    pub async fn send<B: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Response {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("request sent")
    }

    /// GET.
    pub async fn get(&self, path: &str) -> Response {
        self.send::<()>(Method::GET, path, None).await
    }

    /// POST a JSON body.
    pub async fn post<B: Serialize>(&self, path: &str, body: &B) -> Response {
        self.send(Method::POST, path, Some(body)).await
    }

    /// POST a file as the raw body (an import).
    pub async fn upload(&self, path: &str, file: impl Into<reqwest::Body>) -> Response {
        self.http
            .post(format!("{}{path}", self.base_url))
            .bearer_auth(&self.token)
            .body(file)
            .send()
            .await
            .expect("upload sent")
    }

    /// Uploads a whole photo (as the tablet does, in one piece); panics unless it is taken.
    pub async fn put_photo(&self, photo: &shared::dto::inspection::PhotoRef, bytes: &[u8]) {
        let res = self
            .http
            .put(format!(
                "{}/api/attachments/{}",
                self.base_url, photo.sha256
            ))
            .bearer_auth(&self.token)
            .header("content-type", &photo.content_type)
            .header(
                "content-range",
                format!("bytes 0-{}/{}", bytes.len() - 1, bytes.len()),
            )
            .body(bytes.to_vec())
            .send()
            .await
            .expect("upload sent");
        assert!(res.status().is_success(), "photo upload: {}", res.status());
    }

    /// Pushes records; panics unless the answer is 200.
    pub async fn push(&self, records: Vec<SyncRecord>) -> PushResponse {
        let res = self.post("/api/sync/push", &PushRequest { records }).await;
        json(res, StatusCode::OK).await
    }

    /// One pull page.
    pub async fn pull(&self, since: i64, limit: i64) -> PullResponse {
        let res = self
            .get(&format!("/api/sync/pull?since={since}&limit={limit}"))
            .await;
        json(res, StatusCode::OK).await
    }

    /// Pulls from the start until no more changes; returns them and the number of pages.
    pub async fn pull_all(&self, limit: i64) -> (Vec<Change>, usize) {
        let (mut changes, mut pages, mut since) = (Vec::new(), 0, 0);
        loop {
            let page = self.pull(since, limit).await;
            pages += 1;
            changes.extend(page.changes);
            since = page.next_cursor;
            if !page.more {
                return (changes, pages);
            }
        }
    }
}
