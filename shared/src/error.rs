//! The API's error body: `{"error": {"code", "message", "message_nl", "message_en"},
//! "request_id"}`.

use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes. The HTTP status for each is fixed by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Malformed request: bad JSON, bad query parameter.
    BadRequest,
    /// Well-formed but invalid input (a field fails a rule).
    ValidationFailed,
    /// An enterprise or establishment unit number fails its format or check digits.
    InvalidEnterpriseNumber,
    /// No or unusable credentials.
    Unauthorized,
    /// Wrong username or password.
    InvalidCredentials,
    /// The token has expired; refresh it.
    TokenExpired,
    /// The token is malformed, badly signed, of the wrong type or revoked.
    InvalidToken,
    /// Authenticated, but the role or object does not allow this.
    Forbidden,
    /// The password was set by someone else: choose a new one (`POST /api/auth/password`)
    /// before anything else.
    PasswordChangeRequired,
    /// No such object.
    NotFound,
    /// The request conflicts with the current state.
    Conflict,
    /// Too many attempts; wait and retry.
    RateLimited,
    /// The request body is larger than allowed.
    PayloadTooLarge,
    /// An .xlsx unzips to more bytes than the server reads (413).
    ArchiveTooLarge,
    /// An imported file has more rows, columns or cells than the server reads (422).
    TableTooLarge,
    /// The user's photos not yet named by a pushed record, partial ones included, would take
    /// more than their quota (413); push the records that name them, or wait for the sweep.
    UploadQuotaExceeded,
    /// The request arrived too slowly; the connection is closed.
    RequestTimeout,
    /// The server failed; nothing was half-written.
    Internal,
    /// A dependency (the database) is unavailable; retry later.
    Unavailable,
}

impl ErrorCode {
    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::ValidationFailed => "validation_failed",
            Self::InvalidEnterpriseNumber => "invalid_enterprise_number",
            Self::Unauthorized => "unauthorized",
            Self::InvalidCredentials => "invalid_credentials",
            Self::TokenExpired => "token_expired",
            Self::InvalidToken => "invalid_token",
            Self::Forbidden => "forbidden",
            Self::PasswordChangeRequired => "password_change_required",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::RateLimited => "rate_limited",
            Self::PayloadTooLarge => "payload_too_large",
            Self::ArchiveTooLarge => "archive_too_large",
            Self::TableTooLarge => "table_too_large",
            Self::UploadQuotaExceeded => "upload_quota_exceeded",
            Self::RequestTimeout => "request_timeout",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
        }
    }
}

/// The JSON body of every error answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub error: ErrorBody,
    /// The id of the request in the server's log (also in the `X-Request-Id` header), so a
    /// user's report can be matched to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// What went wrong, for machines (`code`) and people (`message_nl`, `message_en`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: ErrorCode,
    /// The message in the language the client asked for (Dutch by default).
    pub message: String,
    pub message_nl: String,
    pub message_en: String,
}
