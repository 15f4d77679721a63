//! A short-lived cache of verified sessions, so an authenticated request usually costs no
//! database round-trip. A session revoked on this instance is forgotten at once; one revoked
//! through another instance stops working within the cache's time-to-live.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use shared::dto::auth::Role;
use shared::dto::enclave::Province;

/// What a live session tells about its user.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionUser {
    pub user_id: String,
    pub username: String,
    pub role: Role,
    pub provinces: Vec<Province>,
    /// Only the password change (and logout) is open until the user chose a new password.
    pub must_change_password: bool,
}

/// Verified sessions by session id.
pub struct SessionCache {
    entries: RwLock<HashMap<String, (SessionUser, Instant)>>,
    ttl: Duration,
}

/// Past this many entries, expired ones are swept on insert.
const SWEEP_ABOVE: usize = 10_000;

impl SessionCache {
    /// A cache whose entries live `ttl` (zero disables caching).
    pub fn new(ttl: Duration) -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
            ttl,
        }
    }

    /// The cached user of a session, if verified less than `ttl` ago.
    pub fn get(&self, session_id: &str, user_id: &str) -> Option<SessionUser> {
        let entries = self.entries.read().ok()?;
        let (user, at) = entries.get(session_id)?;
        (at.elapsed() < self.ttl && user.user_id == user_id).then(|| user.clone())
    }

    /// Remembers a session just verified against the database.
    pub fn put(&self, session_id: &str, user: SessionUser) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() > SWEEP_ABOVE {
                let ttl = self.ttl;
                entries.retain(|_, (_, at)| at.elapsed() < ttl);
            }
            entries.insert(session_id.to_owned(), (user, Instant::now()));
        }
    }

    /// Forgets every session of a user (their account changed here).
    pub fn forget_user(&self, user_id: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, (user, _)| user.user_id != user_id);
        }
    }

    /// Forgets a session (it was revoked here).
    pub fn forget(&self, session_id: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(session_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> SessionUser {
        SessionUser {
            user_id: "u".into(),
            username: "ines".into(),
            role: Role::Inspector,
            provinces: vec![],
            must_change_password: false,
        }
    }

    #[test]
    fn entries_expire_are_forgotten_by_session_or_user_and_are_bound_to_their_user() {
        let cache = SessionCache::new(Duration::from_millis(50));
        cache.put("s", user());
        assert_eq!(cache.get("s", "u"), Some(user()));
        assert_eq!(cache.get("s", "other user"), None);
        cache.forget("s");
        assert_eq!(cache.get("s", "u"), None);
        cache.put("s", user());
        cache.put(
            "t",
            SessionUser {
                user_id: "v".into(),
                ..user()
            },
        );
        cache.forget_user("u");
        assert_eq!(cache.get("s", "u"), None);
        assert!(
            cache.get("t", "v").is_some(),
            "another user's session stays"
        );
        cache.put("s", user());
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get("s", "u"), None);
    }

    #[test]
    fn zero_ttl_caches_nothing() {
        let cache = SessionCache::new(Duration::ZERO);
        cache.put("s", user());
        assert_eq!(cache.get("s", "u"), None);
    }
}
