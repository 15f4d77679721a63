//! The signed-in session: the token pair and user from the last login or refresh, kept in
//! localStorage so a reload (or a restart offline) keeps the inspector signed in, and shared
//! with the pages as a reactive context.
//!
//! Tabs share the storage: a refresh in one tab rotates the refresh token for all, so every
//! tab follows storage changes (the `storage` event) and rereads it before refreshing.

use leptos::prelude::*;
use shared::dto::auth::{TokenResponse, User};

const STORAGE_KEY: &str = "ei.session";

/// The session context.
#[derive(Clone, Copy)]
pub struct Session {
    tokens: RwSignal<Option<TokenResponse>>,
    /// Set when the server ended the session (not when the user logged out).
    expired: RwSignal<bool>,
}

impl Session {
    /// Creates the context from storage and follows changes made by other tabs.
    pub fn provide() -> Self {
        let session = Self {
            tokens: RwSignal::new(stored()),
            expired: RwSignal::new(false),
        };
        // The app lives as long as the page: the listener is never removed.
        let _ = window_event_listener(leptos::ev::storage, move |_| session.sync_from_storage());
        provide_context(session);
        session
    }

    /// The context provided by the app.
    pub fn expect() -> Self {
        expect_context()
    }

    /// Whether someone is signed in (tracked).
    pub fn is_signed_in(self) -> bool {
        self.tokens.with(Option::is_some)
    }

    /// The signed-in user (tracked).
    pub fn user(self) -> Option<User> {
        self.tokens.with(|t| t.as_ref().map(|t| t.user.clone()))
    }

    /// Whether the server ended the last session (tracked).
    pub fn expired(self) -> bool {
        self.expired.get()
    }

    /// The current access token.
    pub fn access_token(self) -> Option<String> {
        self.tokens
            .with_untracked(|t| t.as_ref().map(|t| t.access_token.clone()))
    }

    /// The current refresh token.
    pub fn refresh_token(self) -> Option<String> {
        self.tokens
            .with_untracked(|t| t.as_ref().map(|t| t.refresh_token.clone()))
    }

    /// Stores the tokens of a login or refresh.
    pub fn sign_in(self, tokens: TokenResponse) {
        if let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(&tokens)) {
            // Without storage the session still lasts until the page is closed.
            let _ = storage.set_item(STORAGE_KEY, &json);
        }
        self.expired.set(false);
        self.tokens.set(Some(tokens));
    }

    /// Forgets the tokens; `expired` says the server ended the session.
    pub fn sign_out(self, expired: bool) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(STORAGE_KEY);
        }
        self.expired.set(expired);
        self.tokens.set(None);
    }

    /// Adopts what another tab stored (a rotated token pair, or a logout).
    pub fn sync_from_storage(self) {
        let stored = stored();
        if self.tokens.with_untracked(|t| t != &stored) {
            self.tokens.set(stored);
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The stored session, unless its refresh token has expired.
fn stored() -> Option<TokenResponse> {
    let json = storage()?.get_item(STORAGE_KEY).ok().flatten()?;
    let tokens: TokenResponse = serde_json::from_str(&json).ok()?;
    let now_ms = js_sys::Date::now() as i64;
    (tokens.refresh_expires_at.timestamp_millis() > now_ms).then_some(tokens)
}
