//! Login, token refresh and the user the tokens belong to.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::enclave::Province;

/// What a user may do. Checked on every route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Inspects enclaves on site.
    Inspector,
    /// Reviews inspection results (inspection supervisor).
    Reviewer,
    /// Department staff: keeps the contract register and the users.
    Admin,
}

impl Role {
    /// The role as stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inspector => "inspector",
            Self::Reviewer => "reviewer",
            Self::Admin => "admin",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "inspector" => Some(Self::Inspector),
            "reviewer" => Some(Self::Reviewer),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// `POST /api/auth/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// `POST /api/auth/refresh` and `POST /api/auth/logout`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Answer to a login or refresh: a short-lived access token and a rotating refresh token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub user: User,
    /// The password was set by someone else: until the user chose a new one
    /// (`POST /api/auth/password`), every other route answers 403 `password_change_required`.
    #[serde(default)]
    pub must_change_password: bool,
}

/// A user as the API shows it (never the password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Provinces an inspector covers; all of Flanders when empty.
    pub provinces: Vec<Province>,
}

/// `POST /api/auth/password`: the user replaces their password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// A user's account as administrators manage it (`GET /api/accounts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Provinces an inspector covers; all of Flanders when empty.
    pub provinces: Vec<Province>,
    /// A disabled account cannot log in and has no sessions.
    pub active: bool,
    /// The password was set by someone else and must be changed at the next login.
    pub must_change_password: bool,
    /// When the user last logged in (the start of their newest session).
    pub last_login_at: Option<DateTime<Utc>>,
}

/// `PATCH /api/accounts/{id}`: a new role and/or provinces (absent: unchanged).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountUpdate {
    pub role: Option<Role>,
    /// Provinces an inspector covers; empty: all of Flanders.
    pub provinces: Option<Vec<Province>>,
}

/// What a change to an account did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountChange {
    pub account: Account,
    /// How many live sessions of the user the change ended.
    pub sessions_ended: u32,
    /// After a password reset: the temporary password, shown this once and never stored
    /// in clear; the user must replace it at their next login.
    pub temporary_password: Option<String>,
}
