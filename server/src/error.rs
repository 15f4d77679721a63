//! The one error type of the HTTP layer. Every failure answers
//! `{"error": {"code", "message", "message_nl", "message_en"}}`; the HTTP status follows from
//! the code, here and nowhere else. The request id is added to every error body on its way out
//! (`crate::observe::requests`), where the request is known.
//!
//! An error may carry its cause (a database error, an unreadable stored value): never shown
//! to the client, it is logged once, with the request id, when the answer goes out
//! (`crate::observe::requests`). The extractors' error handlers (JSON body, query, path) are
//! here too, so that every error answer is made in this module.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use shared::error::{ApiError, ErrorBody, ErrorCode};

/// The cause of an error, kept for the log.
pub type Cause = Arc<dyn Error + Send + Sync>;

/// An error with its code, messages in Dutch and English, and (for the log) its cause.
#[derive(Debug, Clone)]
pub struct AppError {
    pub code: ErrorCode,
    pub message_nl: String,
    pub message_en: String,
    cause: Option<Cause>,
    /// For `rate_limited`: the seconds to wait (`Retry-After`), 60 unless set.
    retry_after_secs: Option<u32>,
}

/// Two errors are equal when the client sees the same answer; the cause is not compared.
impl PartialEq for AppError {
    fn eq(&self, other: &Self) -> bool {
        (self.code, &self.message_nl, &self.message_en)
            == (other.code, &other.message_nl, &other.message_en)
    }
}

impl AppError {
    /// An error with explicit messages.
    pub fn new(
        code: ErrorCode,
        message_nl: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            code,
            message_nl: message_nl.into(),
            message_en: message_en.into(),
            cause: None,
            retry_after_secs: None,
        }
    }

    /// The same error, telling the client to wait `secs` before it asks again.
    pub fn retry_after(mut self, secs: u32) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    /// The same error, with `cause` kept for the log.
    pub fn caused_by(mut self, cause: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        self.cause = Some(Arc::from(cause.into()));
        self
    }

    /// The cause with its own causes, `: `-separated, if there is one (for the log).
    pub fn cause_chain(&self) -> Option<String> {
        let cause = self.cause.as_deref()?;
        let mut chain = cause.to_string();
        let mut next = cause.source();
        while let Some(e) = next {
            chain.push_str(": ");
            chain.push_str(&e.to_string());
            next = e.source();
        }
        Some(chain)
    }

    /// 400 with a specific explanation.
    pub fn bad_request(message_nl: impl Into<String>, message_en: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message_nl, message_en)
    }

    /// 401: no usable credentials.
    pub fn unauthorized() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            "Aanmelden is vereist.",
            "Authentication is required.",
        )
    }

    /// 403: the role or the object does not allow this.
    pub fn forbidden() -> Self {
        Self::new(
            ErrorCode::Forbidden,
            "U hebt geen toegang tot deze gegevens of actie.",
            "You are not allowed to access this data or action.",
        )
    }

    /// 404 for a kind of object.
    pub fn not_found(what_nl: &str, what_en: &str) -> Self {
        Self::new(
            ErrorCode::NotFound,
            format!("{what_nl} niet gevonden."),
            format!("{what_en} not found."),
        )
    }

    /// 503: the database is unreachable or saturated.
    pub fn unavailable() -> Self {
        Self::new(
            ErrorCode::Unavailable,
            "De databank is tijdelijk niet bereikbaar. Probeer het zo meteen opnieuw.",
            "The database is temporarily unavailable. Please retry shortly.",
        )
    }

    /// 500; the cause is logged with the answer, never shown.
    pub fn internal(cause: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        Self::new(
            ErrorCode::Internal,
            "Er ging iets mis op de server. Er werd niets half opgeslagen.",
            "Something went wrong on the server. Nothing was half-saved.",
        )
        .caused_by(cause)
    }

    /// The HTTP status of an error code.
    pub fn status_of(code: ErrorCode) -> StatusCode {
        match code {
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::ValidationFailed | ErrorCode::InvalidEnterpriseNumber => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ErrorCode::Unauthorized
            | ErrorCode::InvalidCredentials
            | ErrorCode::TokenExpired
            | ErrorCode::InvalidToken => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden | ErrorCode::PasswordChangeRequired => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::PayloadTooLarge
            | ErrorCode::ArchiveTooLarge
            | ErrorCode::UploadQuotaExceeded => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TableTooLarge => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The JSON body; `message` is Dutch, the product's default language.
    pub fn body(&self) -> ApiError {
        ApiError {
            error: ErrorBody {
                code: self.code,
                message: self.message_nl.clone(),
                message_nl: self.message_nl.clone(),
                message_en: self.message_en.clone(),
            },
            request_id: None,
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message_en)
    }
}

impl Error for AppError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.cause.as_deref().map(|c| c as &(dyn Error + 'static))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        Self::status_of(self.code)
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        if self.code == ErrorCode::RateLimited {
            let secs = self.retry_after_secs.unwrap_or(60);
            res.insert_header(("Retry-After", secs.to_string()));
        }
        res.json(self.body())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::not_found("Gegeven", "Record"),
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                info,
            ) => Self::new(
                ErrorCode::Conflict,
                format!("Bestaat al: {}", info.message()),
                format!("Already exists: {}", info.message()),
            ),
            other => Self::internal(other),
        }
    }
}

/// The error answer for a JSON body that is too large, of the wrong type or malformed.
pub fn json_error(e: JsonPayloadError) -> AppError {
    match e {
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => AppError::new(
            ErrorCode::PayloadTooLarge,
            format!("De inhoud is te groot (maximaal {limit} bytes)."),
            format!("The request body is too large (at most {limit} bytes)."),
        ),
        JsonPayloadError::ContentType => AppError::bad_request(
            "Stuur JSON met Content-Type: application/json.",
            "Send JSON with Content-Type: application/json.",
        ),
        JsonPayloadError::Deserialize(err) => AppError::bad_request(
            format!("Ongeldige JSON: {err}"),
            format!("Invalid JSON: {err}"),
        ),
        other => AppError::bad_request(
            format!("Ongeldige aanvraag: {other}"),
            format!("Invalid request: {other}"),
        ),
    }
}

/// The error answer for query parameters that do not parse.
pub fn query_error(e: QueryPayloadError) -> AppError {
    AppError::bad_request(
        format!("Ongeldige zoekparameters: {e}"),
        format!("Invalid query parameters: {e}"),
    )
}

/// The error answer for a path whose parameters do not parse.
pub fn path_error(e: PathError, req: &HttpRequest) -> AppError {
    AppError::bad_request(
        format!("Ongeldig pad {}: {e}", req.path()),
        format!("Invalid path {}: {e}", req.path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_from_the_code() {
        assert_eq!(
            AppError::status_of(ErrorCode::RateLimited),
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            AppError::status_of(ErrorCode::TokenExpired),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            AppError::status_of(ErrorCode::InvalidEnterpriseNumber),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }

    #[test]
    fn body_carries_both_languages() {
        let body = AppError::forbidden().body();
        assert_eq!(body.error.code, ErrorCode::Forbidden);
        assert_eq!(body.error.message, body.error.message_nl);
        assert!(body.error.message_en.starts_with("You are not allowed"));
    }

    #[test]
    fn the_cause_is_kept_for_the_log_and_never_shown() {
        let e = AppError::from(diesel::result::Error::DeserializationError(
            "bad stored regime: \"x\"".into(),
        ));
        assert_eq!(e.code, ErrorCode::Internal);
        assert_eq!(e.cause_chain().as_deref(), Some("bad stored regime: \"x\""));
        let body = serde_json::to_string(&e.body()).unwrap();
        assert!(!body.contains("regime"), "{body}");
        assert_eq!(AppError::forbidden().cause_chain(), None);
    }
}
