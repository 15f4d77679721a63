//! JSON Web Tokens: HS256 only (the algorithm is pinned, `alg: none` and others are refused),
//! with issuer, audience, subject, expiry and a token type, so an access token is never
//! accepted as a refresh token or the other way round.

use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use shared::error::ErrorCode;

use crate::error::AppError;

/// Clock skew tolerated when checking expiry.
pub const LEEWAY_SECS: u64 = 30;

/// What a token may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenType {
    Access,
    Refresh,
}

/// The claims of both token types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    /// Token id; for refresh tokens the key of its row.
    pub jti: String,
    /// The session (refresh family) the token belongs to.
    pub sid: String,
    pub typ: TokenType,
}

/// Signing and verification keys with the expected issuer and audience.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
}

impl TokenKeys {
    /// Keys from a shared secret.
    pub fn new(secret: &[u8], issuer: &str, audience: &str) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        }
    }

    /// Signs a token.
    pub fn issue(
        &self,
        typ: TokenType,
        user_id: &str,
        session_id: &str,
        jti: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<String, AppError> {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user_id.to_owned(),
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
            jti: jti.to_owned(),
            sid: session_id.to_owned(),
            typ,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::internal(format!("cannot sign token: {e}")))
    }

    /// Verifies signature, algorithm, issuer, audience, expiry and type.
    pub fn verify(&self, token: &str, expected: TokenType) -> Result<Claims, AppError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = LEEWAY_SECS;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data =
            decode::<Claims>(token, &self.decoding, &validation).map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => AppError::new(
                    ErrorCode::TokenExpired,
                    "Uw sessie is verlopen; vernieuw het token.",
                    "Your token has expired; refresh it.",
                ),
                _ => invalid_token(),
            })?;
        if data.claims.typ != expected {
            return Err(invalid_token());
        }
        Ok(data.claims)
    }
}

/// 401 for a token that is malformed, forged, revoked or of the wrong type.
pub fn invalid_token() -> AppError {
    AppError::new(
        ErrorCode::InvalidToken,
        "Ongeldig of ingetrokken token. Meld u opnieuw aan.",
        "Invalid or revoked token. Please log in again.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn keys() -> TokenKeys {
        TokenKeys::new(b"0123456789abcdef0123456789abcdef", "iss", "aud")
    }

    #[test]
    fn round_trip_and_type_is_enforced() {
        let now = Utc::now();
        let t = keys()
            .issue(
                TokenType::Access,
                "u",
                "s",
                "j",
                now,
                now + Duration::minutes(5),
            )
            .unwrap();
        assert_eq!(keys().verify(&t, TokenType::Access).unwrap().sub, "u");
        assert_eq!(
            keys().verify(&t, TokenType::Refresh).unwrap_err().code,
            ErrorCode::InvalidToken
        );
    }

    #[test]
    fn expiry_beyond_leeway_is_rejected_within_is_accepted() {
        let now = Utc::now();
        let old = keys()
            .issue(
                TokenType::Access,
                "u",
                "s",
                "j",
                now - Duration::minutes(20),
                now - Duration::seconds(40),
            )
            .unwrap();
        assert_eq!(
            keys().verify(&old, TokenType::Access).unwrap_err().code,
            ErrorCode::TokenExpired
        );
        let recent = keys()
            .issue(
                TokenType::Access,
                "u",
                "s",
                "j",
                now - Duration::minutes(20),
                now - Duration::seconds(10),
            )
            .unwrap();
        assert!(keys().verify(&recent, TokenType::Access).is_ok());
    }

    #[test]
    fn other_key_and_other_audience_are_rejected() {
        let now = Utc::now();
        let other = TokenKeys::new(b"another secret another secret 123", "iss", "aud");
        let t = other
            .issue(
                TokenType::Access,
                "u",
                "s",
                "j",
                now,
                now + Duration::minutes(5),
            )
            .unwrap();
        assert!(keys().verify(&t, TokenType::Access).is_err());
        let wrong_aud = TokenKeys::new(b"0123456789abcdef0123456789abcdef", "iss", "other");
        let t = wrong_aud
            .issue(
                TokenType::Access,
                "u",
                "s",
                "j",
                now,
                now + Duration::minutes(5),
            )
            .unwrap();
        assert!(keys().verify(&t, TokenType::Access).is_err());
    }
}
