//! The shell both apps run in: which app a bundle is, which app each role goes to, what an
//! app adds to the shell (the header's sync state, the logout), and the app choice kept on
//! the device.
//!
//! The server serves two wasm apps: the *field app* (inspectors: search, the enclave page,
//! inspections, the device store and sync) and the *office app* (reviewers and department
//! staff: review, register, imports, overviews, users, audit). `boot.js` loads one of them
//! per page load: by the path when it belongs to one app, else by the choice stored here,
//! else by the signed-in role. Changing app is a page load.

use leptos::prelude::*;
use shared::dto::auth::Role;

use crate::api;
use crate::session::{Session, storage};

/// The localStorage key of the app a reviewer or admin chose last (not personal data;
/// forgotten at a logout).
const CHOICE_KEY: &str = "ei.app";

/// One of the two apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppKind {
    Field,
    Office,
}

impl AppKind {
    /// The name `boot.js` and the stored choice use.
    pub fn code(self) -> &'static str {
        match self {
            Self::Field => "field",
            Self::Office => "office",
        }
    }

    /// The other app.
    pub fn other(self) -> Self {
        match self {
            Self::Field => Self::Office,
            Self::Office => Self::Field,
        }
    }

    /// Whether `role` may use this app: the field app is the inspectors', and a reviewer or
    /// admin who also inspects may switch to it; the office app is not the inspectors'.
    pub fn allows(self, role: Role) -> bool {
        match self {
            Self::Field => true,
            Self::Office => role != Role::Inspector,
        }
    }

    /// The app `role` starts in when it has not chosen one.
    pub fn home_of(role: Role) -> Self {
        match role {
            Role::Inspector => Self::Field,
            Role::Reviewer | Role::Admin => Self::Office,
        }
    }

    /// The app `role` goes to for pages both apps have (`/`): the stored choice when the
    /// role may use it, else the role's home app.
    pub fn preferred(role: Role) -> Self {
        match stored_choice() {
            Some(choice) if choice.allows(role) => choice,
            _ => Self::home_of(role),
        }
    }

    fn parse(code: &str) -> Option<Self> {
        match code {
            "field" => Some(Self::Field),
            "office" => Some(Self::Office),
            _ => None,
        }
    }
}

/// Forgets the stored choice of app (at a logout).
pub fn forget_choice() {
    write(CHOICE_KEY, None);
}

fn stored_choice() -> Option<AppKind> {
    read(CHOICE_KEY).and_then(|code| AppKind::parse(&code))
}

/// The stored value of `key` (none without storage).
fn read(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten())
}

/// Stores `value` under `key`, or removes it. Without storage (or when it is full) nothing is
/// kept: the choice falls back to the role's app, the field data mark to a logout here.
fn write(key: &str, value: Option<&str>) {
    if let Some(storage) = storage() {
        let _ = match value {
            Some(value) => storage.set_item(key, value),
            None => storage.remove_item(key),
        };
    }
}

/// Switches to `app` on the user's request: remembered for `/`, then a page load of `/`.
pub fn switch_to(app: AppKind) {
    write(CHOICE_KEY, Some(app.code()));
    let _ = window().location().assign("/");
}

/// What an app adds to the shell. Provided as context before the shell renders.
#[derive(Clone)]
pub struct Shell {
    /// Which app this bundle is.
    pub kind: AppKind,
    /// The logout button (the field app first checks the device for unsent work).
    pub logout: Callback<()>,
    /// After the user replaced their password (the field app syncs what waited).
    pub password_changed: Callback<()>,
    /// Whether the server could not be reached at the last attempt (shown as offline).
    pub unreachable: Signal<bool>,
    /// Shown in the header beside the user (the field app's sync indicator).
    pub status: Option<ViewFn>,
    /// Shown under the header (the field app's logout warning).
    pub notices: Option<ViewFn>,
}

impl Shell {
    /// The context the app provided.
    pub fn expect() -> Self {
        expect_context()
    }
}

/// The localStorage key the field app sets while its device store holds anything (working
/// set, drafts, outbox, photos) and removes once the store is empty. Not personal data.
pub const FIELD_DATA_KEY: &str = "ei.field-data";

/// Marks whether the field app's device store holds anything.
pub fn mark_field_data(held: bool) {
    write(FIELD_DATA_KEY, held.then_some("1"));
}

/// The office app's logout. When the field app left data on this device, the logout runs in
/// the field app (`/logout`), which empties the device store or warns about unsent work;
/// otherwise the user signs out here.
pub fn logout_without_device(session: Session) {
    if read(FIELD_DATA_KEY).is_some() {
        let _ = window().location().assign("/logout");
    } else {
        api::logout(session);
    }
}
