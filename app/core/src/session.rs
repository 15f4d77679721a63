//! The session: the token pair and user from the last login or refresh, kept in localStorage
//! so a reload (or a restart offline) keeps the inspector signed in, and shared with the
//! pages as a reactive context.
//!
//! When the server ends the session (a refused refresh, a 401), the user is kept as an
//! *ended session*, without tokens, under its own key: what is on the device stays theirs
//! and usable — drafts, the outbox, the working set — while sync waits until they sign in
//! again. Only a logout forgets the user.
//!
//! Tabs share the storage: a refresh in one tab rotates the refresh token for all, so every
//! tab follows storage changes (the `storage` event) and rereads it before refreshing.

use leptos::prelude::*;
use shared::dto::auth::{TokenResponse, User};

const STORAGE_KEY: &str = "ei.session";
/// The user of a session the server ended (JSON [`User`]).
const ENDED_KEY: &str = "ei.session_ended";

/// The session context.
#[derive(Clone, Copy)]
pub struct Session {
    tokens: RwSignal<Option<TokenResponse>>,
    /// The user whose session the server ended (none while signed in or after a logout).
    ended: RwSignal<Option<User>>,
}

impl Session {
    /// Creates the context from storage and follows changes made by other tabs.
    pub fn provide() -> Self {
        let (tokens, ended) = stored();
        let session = Self {
            tokens: RwSignal::new(tokens),
            ended: RwSignal::new(ended),
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

    /// Whether someone is signed in with a live session (tracked).
    pub fn is_signed_in(self) -> bool {
        self.tokens.with(Option::is_some)
    }

    /// [`Session::is_signed_in`], untracked.
    pub fn is_signed_in_untracked(self) -> bool {
        self.tokens.with_untracked(Option::is_some)
    }

    /// Whether the signed-in user must first replace a password someone else set (tracked).
    pub fn must_change_password(self) -> bool {
        self.tokens
            .with(|t| t.as_ref().is_some_and(|t| t.must_change_password))
    }

    /// The user chose a new password: the requirement is lifted (in every tab).
    pub fn password_changed(self) {
        if let Some(mut tokens) = self.tokens.get_untracked() {
            tokens.must_change_password = false;
            self.sign_in(tokens);
        }
    }

    /// The user of this device: signed in, or whose session ended (tracked).
    pub fn user(self) -> Option<User> {
        self.tokens
            .with(|t| t.as_ref().map(|t| t.user.clone()))
            .or_else(|| self.ended.get())
    }

    /// Whether the server ended the session of the user still on this device (tracked).
    pub fn ended(self) -> bool {
        !self.is_signed_in() && self.ended.with(Option::is_some)
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

    /// Stores the tokens of a login or refresh; an ended session is over.
    pub fn sign_in(self, tokens: TokenResponse) {
        if let Some(storage) = storage() {
            // Without storage the session still lasts until the page is closed.
            let _ = storage.set_item(STORAGE_KEY, &json(&tokens));
            let _ = storage.remove_item(ENDED_KEY);
        }
        self.ended.set(None);
        self.tokens.set(Some(tokens));
    }

    /// Forgets the tokens. `ended`: the server ended the session, and the user stays on the
    /// device until someone signs in or logs out; otherwise (a logout) the user goes too.
    pub fn sign_out(self, ended: bool) {
        let user = if ended { untrack(|| self.user()) } else { None };
        if let Some(storage) = storage() {
            let _ = storage.remove_item(STORAGE_KEY);
            match &user {
                Some(user) => {
                    let _ = storage.set_item(ENDED_KEY, &json(user));
                }
                None => {
                    let _ = storage.remove_item(ENDED_KEY);
                }
            }
        }
        self.tokens.set(None);
        self.ended.set(user);
    }

    /// Adopts what another tab stored (a rotated token pair, an ended session, a logout).
    pub fn sync_from_storage(self) {
        let (tokens, ended) = stored();
        if self.tokens.with_untracked(|t| t != &tokens) {
            self.tokens.set(tokens);
        }
        if self.ended.with_untracked(|e| e != &ended) {
            self.ended.set(ended);
        }
    }
}

/// The browser's localStorage, where it is available.
pub(crate) fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn json<T: serde::Serialize>(value: &T) -> String {
    // Plain structs of strings: serialising them cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

/// The stored session, and the user of an ended one: a session whose refresh token has
/// expired has ended too.
fn stored() -> (Option<TokenResponse>, Option<User>) {
    let Some(storage) = storage() else {
        return (None, None);
    };
    let read = |key: &str| storage.get_item(key).ok().flatten();
    let tokens: Option<TokenResponse> =
        read(STORAGE_KEY).and_then(|json| serde_json::from_str(&json).ok());
    let now_ms = js_sys::Date::now() as i64;
    match tokens {
        Some(tokens) if tokens.refresh_expires_at.timestamp_millis() > now_ms => {
            (Some(tokens), None)
        }
        Some(tokens) => (None, Some(tokens.user)),
        None => (
            None,
            read(ENDED_KEY).and_then(|json| serde_json::from_str(&json).ok()),
        ),
    }
}
