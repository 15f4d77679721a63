//! The audit trail as the API shows it to administrators.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One recorded event: who did what, when and from where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_username: Option<String>,
    /// The client address.
    pub client: String,
    /// E.g. `login`, `refresh`, `logout`.
    pub action: String,
    /// E.g. `success`, `failure`, `rate_limited`.
    pub outcome: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub detail: Option<String>,
}

/// The cursor of the page after the one that ends with `last` (`GET /api/audit?cursor=`): its
/// time to the microsecond and its id, so events of the same instant are neither skipped nor
/// repeated.
pub fn cursor_after(last: &AuditEvent) -> String {
    format!(
        "{}~{}",
        last.occurred_at
            .to_rfc3339_opts(SecondsFormat::Micros, true),
        last.id
    )
}
