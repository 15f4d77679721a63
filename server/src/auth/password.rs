//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;

/// Memory cost in KiB.
pub const MEMORY_KIB: u32 = 19 * 1024;
/// Number of passes.
pub const PASSES: u32 = 2;

fn hasher() -> Argon2<'static> {
    let params =
        Params::new(MEMORY_KIB, PASSES, 1, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash password: {e}"))
}

/// Checks a password against a stored PHC string; a malformed hash never verifies.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so that unknown usernames take as
/// long to reject as wrong passwords.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash("no such user: timing equaliser").unwrap_or_default());

/// Whether a login's password opens the account (`(stored hash, active)`, none when the
/// username is unknown). Exactly one verification runs whoever asks: an unknown username is
/// checked against a dummy hash and an inactive account against its own, so neither answers
/// sooner than a wrong password. `verify` is [`verify`]; tests pass one that counts.
pub fn login_opens(
    account: Option<(&str, bool)>,
    password: &str,
    verify: impl FnOnce(&str, &str) -> bool,
) -> bool {
    let (phc, active) = account.unwrap_or((DUMMY_HASH.as_str(), false));
    let matches = verify(password, phc);
    matches && active
}

/// The longest password accepted (login refuses longer ones before hashing).
pub const MAX_BYTES: usize = 1024;

/// Whether a password is acceptable for a new account.
pub fn check_strength(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < 10 {
        return Err("a password needs at least 10 characters");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_the_required_cost_and_verify() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("anything", "not a phc string"));
        assert_ne!(h, hash("correct horse battery").unwrap(), "salted");
    }

    #[test]
    fn unknown_inactive_and_active_accounts_cost_one_verification_each() {
        let stored = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA";
        let cases = [
            (None, "pw", false, DUMMY_HASH.as_str()),
            (Some((stored, false)), "pw", false, stored),
            (Some((stored, true)), "wrong", false, stored),
            (Some((stored, true)), "pw", true, stored),
        ];
        for (account, password, opens, checked_against) in cases {
            let mut calls = Vec::new();
            let result = login_opens(account, password, |pw, phc| {
                calls.push((pw.to_owned(), phc.to_owned()));
                pw == "pw"
            });
            assert_eq!(result, opens, "{account:?} {password}");
            assert_eq!(
                calls,
                [(password.to_owned(), checked_against.to_owned())],
                "exactly one verification, against the account's own hash or the dummy"
            );
        }
        // The dummy is a real hash of the same cost, so verifying it takes as long.
        assert!(DUMMY_HASH.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }
}
