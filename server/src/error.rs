//! The one error type of the HTTP layer. Every failure answers
//! `{"error": {"code", "message", "message_nl", "message_en"}}`; the HTTP status follows from
//! the code, here and nowhere else. The request id is added to every error body on its way out
//! (`crate::observe::request_ids`), where the request is known.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use shared::error::{ApiError, ErrorBody, ErrorCode};
use std::fmt;

/// An error with its code and messages in Dutch and English.
#[derive(Debug, Clone, PartialEq)]
pub struct AppError {
    pub code: ErrorCode,
    pub message_nl: String,
    pub message_en: String,
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
        }
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

    /// 500; the detail is logged, never shown.
    pub fn internal(detail: impl fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(
            ErrorCode::Internal,
            "Er ging iets mis op de server. Er werd niets half opgeslagen.",
            "Something went wrong on the server. Nothing was half-saved.",
        )
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

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        Self::status_of(self.code)
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        if self.code == ErrorCode::RateLimited {
            res.insert_header(("Retry-After", "60"));
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
}
