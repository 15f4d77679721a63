//! JSON Web Tokens: HS256 only (the algorithm is pinned, `alg: none` and others are refused),
//! with issuer, audience, subject, expiry and a token type, so an access token is never
//! accepted as a refresh token or the other way round.
//!
//! Keys have ids: a token names its key in the header (`kid`), the newest key signs and every
//! key still kept verifies, so a key can be rotated without ending sessions. A token without
//! a `kid` (signed before keys had ids) verifies only with the key that was in use then.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
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

/// One signing key: its id (`kid` in every token's header) and secret.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey {
    pub kid: String,
    pub secret: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A key given by the operator (`JWT_SECRET`, `JWT_SECRET_FILE`): its id is derived from
    /// the secret, so every instance with the same secret names it alike.
    pub fn from_secret(secret: &str) -> Self {
        let digest = Sha256::digest(format!("enclave-inspect/kid/{secret}"));
        let kid = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            kid,
            secret: secret.to_owned(),
        }
    }
}

/// The keys in use: the newest signs, every one verifies.
struct KeyRing {
    signing_kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    /// The key that verifies tokens without a `kid` (signed before keys had ids).
    legacy: Option<String>,
}

impl KeyRing {
    /// `keys` oldest first; the last one signs. `legacy` names the key of tokens without a
    /// `kid`.
    fn new(keys: &[SigningKey], legacy: Option<String>) -> Option<Self> {
        let signing = keys.last()?;
        Some(Self {
            signing_kid: signing.kid.clone(),
            encoding: EncodingKey::from_secret(signing.secret.as_bytes()),
            decoding: keys
                .iter()
                .map(|k| (k.kid.clone(), DecodingKey::from_secret(k.secret.as_bytes())))
                .collect(),
            legacy,
        })
    }
}

/// Signing and verification keys with the expected issuer and audience. The keys can be
/// replaced while the server runs ([`TokenKeys::replace`]), so a `keys rotate` through one
/// instance reaches every instance on the database.
pub struct TokenKeys {
    ring: RwLock<Arc<KeyRing>>,
    /// What a token must hold: HS256, issuer, audience, subject and an expiry that has not
    /// passed (built once: every request verifies a token).
    validation: Validation,
    /// The same, except that an expired token passes.
    validation_ignoring_expiry: Validation,
    issuer: String,
    audience: String,
    /// When a token with an unknown `kid` last made the keys reload.
    reloaded: Mutex<Option<Instant>>,
}

/// At most one reload a second for tokens naming unknown keys (anyone can send those).
const RELOAD_INTERVAL: Duration = Duration::from_secs(1);

impl TokenKeys {
    /// Keys from a single shared secret, which also verifies tokens without a `kid`.
    pub fn new(secret: &[u8], issuer: &str, audience: &str) -> Self {
        let key = SigningKey::from_secret(&String::from_utf8_lossy(secret));
        let legacy = Some(key.kid.clone());
        Self::with_keys(&[key], legacy, issuer, audience)
            .unwrap_or_else(|| unreachable!("one key was given"))
    }

    /// Keys from a ring (`keys` oldest first, the last one signs); `None` without keys.
    pub fn with_keys(
        keys: &[SigningKey],
        legacy: Option<String>,
        issuer: &str,
        audience: &str,
    ) -> Option<Self> {
        let validation = |check_expiry: bool| {
            let mut validation = Validation::new(Algorithm::HS256);
            validation.algorithms = vec![Algorithm::HS256];
            validation.leeway = LEEWAY_SECS;
            validation.validate_exp = check_expiry;
            validation.set_issuer(&[issuer]);
            validation.set_audience(&[audience]);
            validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
            validation
        };
        Some(Self {
            ring: RwLock::new(Arc::new(KeyRing::new(keys, legacy)?)),
            validation: validation(true),
            validation_ignoring_expiry: validation(false),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            reloaded: Mutex::new(None),
        })
    }

    /// Whether a token naming an unknown key may reload the keys now (at most once a second).
    pub fn may_reload(&self) -> bool {
        let Ok(mut last) = self.reloaded.lock() else {
            return false;
        };
        if last.is_some_and(|at| at.elapsed() < RELOAD_INTERVAL) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }

    /// Uses `keys` from now on (oldest first; the last one signs). Ignored when empty.
    pub fn replace(&self, keys: &[SigningKey], legacy: Option<String>) {
        if let Some(ring) = KeyRing::new(keys, legacy)
            && let Ok(mut current) = self.ring.write()
        {
            *current = Arc::new(ring);
        }
    }

    fn ring(&self) -> Arc<KeyRing> {
        match self.ring.read() {
            Ok(ring) => ring.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Whether a token names a key this ring does not hold (another instance may have
    /// rotated: reload the keys and verify again).
    pub fn names_unknown_key(&self, token: &str) -> bool {
        decode_header(token)
            .ok()
            .and_then(|h| h.kid)
            .is_some_and(|kid| !self.ring().decoding.contains_key(&kid))
    }

    /// Signs a token with the newest key; its id goes in the header.
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
        let ring = self.ring();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(ring.signing_kid.clone());
        encode(&header, &claims, &ring.encoding)
            .map_err(|e| AppError::internal(format!("cannot sign token: {e}")))
    }

    /// Verifies signature (with the key its `kid` names), algorithm, issuer, audience, expiry
    /// and type.
    pub fn verify(&self, token: &str, expected: TokenType) -> Result<Claims, AppError> {
        self.verify_with(token, expected, &self.validation)
    }

    /// As [`TokenKeys::verify`], but an expired token passes (a logout with it is still
    /// welcome).
    pub fn verify_ignoring_expiry(
        &self,
        token: &str,
        expected: TokenType,
    ) -> Result<Claims, AppError> {
        self.verify_with(token, expected, &self.validation_ignoring_expiry)
    }

    fn verify_with(
        &self,
        token: &str,
        expected: TokenType,
        validation: &Validation,
    ) -> Result<Claims, AppError> {
        let ring = self.ring();
        let header = decode_header(token).map_err(|_| invalid_token())?;
        let kid = header.kid.or_else(|| ring.legacy.clone());
        let key = kid
            .and_then(|kid| ring.decoding.get(&kid))
            .ok_or_else(invalid_token)?;
        let data = decode::<Claims>(token, key, validation).map_err(|e| match e.kind() {
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

    #[test]
    fn tokens_name_their_key_and_every_kept_key_verifies() {
        let now = Utc::now();
        let later = now + Duration::minutes(5);
        let key = |kid: &str, secret: &str| SigningKey {
            kid: kid.into(),
            secret: secret.into(),
        };
        let (old, new) = (key("old", "old secret"), key("new", "new secret"));
        let before = TokenKeys::with_keys(std::slice::from_ref(&old), None, "iss", "aud").unwrap();
        let from_old = before
            .issue(TokenType::Access, "u", "s", "j", now, later)
            .unwrap();
        let rotated = TokenKeys::with_keys(&[old, new.clone()], None, "iss", "aud").unwrap();
        let from_new = rotated
            .issue(TokenType::Access, "u", "s", "j", now, later)
            .unwrap();
        assert_eq!(
            decode_header(&from_new).unwrap().kid.as_deref(),
            Some("new")
        );
        assert!(rotated.verify(&from_old, TokenType::Access).is_ok());
        assert!(rotated.verify(&from_new, TokenType::Access).is_ok());
        assert!(!rotated.names_unknown_key(&from_old));
        assert!(before.names_unknown_key(&from_new));
        assert!(before.verify(&from_new, TokenType::Access).is_err());
        // Once the old key is dropped, its tokens are refused.
        let only_new = TokenKeys::with_keys(&[new], None, "iss", "aud").unwrap();
        assert!(only_new.verify(&from_old, TokenType::Access).is_err());
    }

    #[test]
    fn a_token_without_kid_verifies_only_with_the_legacy_key() {
        let now = Utc::now();
        let claims = Claims {
            iss: "iss".into(),
            aud: "aud".into(),
            sub: "u".into(),
            exp: (now + Duration::minutes(5)).timestamp(),
            iat: now.timestamp(),
            jti: "j".into(),
            sid: "s".into(),
            typ: TokenType::Access,
        };
        let secret = "the secret of before";
        let without_kid = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap();
        let legacy = SigningKey {
            kid: "legacy".into(),
            secret: secret.into(),
        };
        let with_legacy = TokenKeys::with_keys(
            std::slice::from_ref(&legacy),
            Some("legacy".into()),
            "iss",
            "aud",
        )
        .unwrap();
        assert!(with_legacy.verify(&without_kid, TokenType::Access).is_ok());
        let without_legacy = TokenKeys::with_keys(&[legacy], None, "iss", "aud").unwrap();
        assert!(
            without_legacy
                .verify(&without_kid, TokenType::Access)
                .is_err()
        );
    }
}
