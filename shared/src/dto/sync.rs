//! The sync protocol between a tablet and the server.
//!
//! - `POST /api/sync/push`: a batch of records with client-generated ids; the answer says per
//!   record whether it was applied, was a duplicate (same result as the first time), conflicts
//!   with the server's version, or was rejected (with code and messages). Pushing the same
//!   batch twice changes nothing.
//! - `GET /api/sync/pull?since=CURSOR`: what changed since a server-assigned, monotonically
//!   increasing cursor: the user's own inspections and amendments, and the registrations and
//!   contracts of their region (deletions as tombstones). The client stores the changes
//!   durably, then advances its cursor.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::inspection::{AmendmentRecord, InspectionRecord};

/// One record of a push batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum SyncRecord {
    Inspection(Box<InspectionRecord>),
    Amendment(AmendmentRecord),
}

impl SyncRecord {
    /// The record's client-generated id.
    pub fn id(&self) -> Uuid {
        match self {
            Self::Inspection(r) => r.id,
            Self::Amendment(r) => r.id,
        }
    }
}

/// `POST /api/sync/push`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub records: Vec<SyncRecord>,
}

/// What happened to one pushed record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PushOutcome {
    /// Stored now; `version` is the inspection's version afterwards.
    Applied { version: u32 },
    /// Already stored with the same content: nothing changed.
    Duplicate { version: u32 },
    /// The server has another version: fetch it, then amend again.
    Conflict { server_version: u32 },
    /// Not applied yet: the server lacks these photos (or parts of them). Upload them,
    /// then push the same record again; it is applied once every photo it names is stored.
    MissingAttachments { sha256: Vec<String> },
    /// Invalid; it will never be accepted as it is.
    Rejected {
        code: RejectionCode,
        message_nl: String,
        message_en: String,
    },
}

/// Why a pushed record was rejected, for machines; the messages say it to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RejectionCode {
    /// A field fails a rule, or the record cannot be read.
    ValidationFailed,
    /// Another user's record, or an enclave outside the user's region.
    Forbidden,
    /// The inspection names an enclave the register does not hold.
    UnknownEnclave,
}

impl RejectionCode {
    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ValidationFailed => "validation_failed",
            Self::Forbidden => "forbidden",
            Self::UnknownEnclave => "unknown_enclave",
        }
    }
}

/// Compares with the code as it appears in JSON.
impl PartialEq<str> for RejectionCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

/// The outcome for one record, by its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResult {
    pub id: Uuid,
    #[serde(flatten)]
    pub outcome: PushOutcome,
}

/// Answer to a push: one result per record, in the order pushed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub results: Vec<PushResult>,
}

/// What kind of object changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Inspection,
    Amendment,
    /// A daily registration of an enclave team.
    Registration,
    /// An enclave contract.
    Contract,
    /// A reviewer's decision on one of the user's inspections.
    Review,
}

impl Entity {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inspection => "inspection",
            Self::Amendment => "amendment",
            Self::Registration => "registration",
            Self::Contract => "contract",
            Self::Review => "review",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "inspection" => Some(Self::Inspection),
            "amendment" => Some(Self::Amendment),
            "registration" => Some(Self::Registration),
            "contract" => Some(Self::Contract),
            "review" => Some(Self::Review),
            _ => None,
        }
    }
}

/// One change since the client's cursor. Deletions come as tombstones (`deleted = true`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// The change number; strictly increasing, never reused.
    pub seq: i64,
    pub entity: Entity,
    pub id: Uuid,
    /// The inspection the change belongs to (inspections, amendments, reviews).
    pub inspection_id: Option<Uuid>,
    /// The enclave the change belongs to (registrations and contracts): a device holding it
    /// in its working set downloads it again.
    pub enclave_id: Option<Uuid>,
    pub deleted: bool,
    /// When the server received it (the device's clock is never used for ordering).
    pub received_at: DateTime<Utc>,
}

/// `GET /api/sync/pull` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Pass as `since` next time (after storing the changes).
    pub next_cursor: i64,
    /// More changes are waiting; pull again at once.
    pub more: bool,
}

/// Where an attachment upload stands (`PUT` and `GET /api/attachments/{sha256}/status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentStatus {
    pub sha256: String,
    /// The whole file arrived and its hash matched.
    pub complete: bool,
    /// Bytes received so far: resume the upload from here.
    pub received_bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_codes_keep_their_wire_form() {
        for code in [
            RejectionCode::ValidationFailed,
            RejectionCode::Forbidden,
            RejectionCode::UnknownEnclave,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<RejectionCode>(&json).unwrap(), code);
            assert!(code == *code.as_str());
        }
        let outcome: PushOutcome = serde_json::from_str(
            r#"{"outcome":"rejected","code":"unknown_enclave","message_nl":"n","message_en":"e"}"#,
        )
        .unwrap();
        assert!(matches!(
            outcome,
            PushOutcome::Rejected {
                code: RejectionCode::UnknownEnclave,
                ..
            }
        ));
    }
}
