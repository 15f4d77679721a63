//! The state shared by all handlers.

use crate::auth::sessions::SessionCache;
use crate::auth::token::TokenKeys;
use crate::config::Config;
use crate::db::Db;
use crate::heavy::HeavyReads;
use crate::index::EnclaveIndex;
use crate::observe::Metrics;
use crate::photos::PhotoStore;
use crate::read_audit::ReadAudit;

/// Database pool, token keys, caches and configuration, given to handlers as
/// `web::Data<AppState>` (one instance shared by all workers).
pub struct AppState {
    pub db: Db,
    pub keys: TokenKeys,
    pub config: Config,
    pub sessions: SessionCache,
    pub index: EnclaveIndex,
    /// Audit rows of enclave page reads, committed in groups.
    pub read_audit: ReadAudit,
    /// Where photos are kept (shared by every instance).
    pub photos: PhotoStore,
    /// This instance's metrics (served on `METRICS_BIND`).
    pub metrics: Metrics,
    /// One heavy read at a time per user.
    pub heavy: HeavyReads,
}
