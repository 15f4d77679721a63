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
//!
//! The tagged shapes of a record and of an outcome are read through flat wire structs
//! (`#[serde(try_from)]`) rather than serde's derive for tagged enums, which buffers every
//! field in its `Content` type first: the same JSON, in any key order, for about 95 KB less
//! wasm in the field app (BENCHMARKS.md).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

use super::inspection::{AmendmentRecord, InspectionRecord};

/// One record of a push batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(
    tag = "kind",
    content = "record",
    rename_all = "snake_case",
    try_from = "SyncRecordWire"
)]
pub enum SyncRecord {
    Inspection(Box<InspectionRecord>),
    Amendment(AmendmentRecord),
}

/// A [`SyncRecord`] as read: its kind, and its body kept as JSON until the kind is known.
#[derive(Deserialize)]
struct SyncRecordWire {
    kind: SyncKind,
    record: Box<RawValue>,
}

/// The kinds of [`SyncRecord`].
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum SyncKind {
    Inspection,
    Amendment,
}

impl TryFrom<SyncRecordWire> for SyncRecord {
    type Error = serde_json::Error;

    // Inline: the JSON decoding is then compiled into the app that reads records, not into
    // `shared`, where it would alter how the other app's decoders are optimised.
    #[inline]
    fn try_from(wire: SyncRecordWire) -> Result<Self, Self::Error> {
        let body = wire.record.get();
        Ok(match wire.kind {
            SyncKind::Inspection => Self::Inspection(serde_json::from_str(body)?),
            SyncKind::Amendment => Self::Amendment(serde_json::from_str(body)?),
        })
    }
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

/// What happened to one pushed record (read as part of a [`PushResult`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[serde(try_from = "PushResultWire")]
pub struct PushResult {
    pub id: Uuid,
    #[serde(flatten)]
    pub outcome: PushOutcome,
}

/// A [`PushResult`] as read: the id, the outcome's name and every outcome's fields.
#[derive(Deserialize)]
struct PushResultWire {
    id: Uuid,
    outcome: OutcomeName,
    version: Option<u32>,
    server_version: Option<u32>,
    sha256: Option<Vec<String>>,
    code: Option<RejectionCode>,
    message_nl: Option<String>,
    message_en: Option<String>,
}

/// The names of [`PushOutcome`]'s variants.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum OutcomeName {
    Applied,
    Duplicate,
    Conflict,
    MissingAttachments,
    Rejected,
}

impl TryFrom<PushResultWire> for PushResult {
    type Error = String;

    #[inline]
    fn try_from(w: PushResultWire) -> Result<Self, Self::Error> {
        fn given<T>(field: Option<T>, name: &str) -> Result<T, String> {
            field.ok_or_else(|| format!("missing field `{name}`"))
        }
        let outcome = match w.outcome {
            OutcomeName::Applied => PushOutcome::Applied {
                version: given(w.version, "version")?,
            },
            OutcomeName::Duplicate => PushOutcome::Duplicate {
                version: given(w.version, "version")?,
            },
            OutcomeName::Conflict => PushOutcome::Conflict {
                server_version: given(w.server_version, "server_version")?,
            },
            OutcomeName::MissingAttachments => PushOutcome::MissingAttachments {
                sha256: given(w.sha256, "sha256")?,
            },
            OutcomeName::Rejected => PushOutcome::Rejected {
                code: given(w.code, "code")?,
                message_nl: given(w.message_nl, "message_nl")?,
                message_en: given(w.message_en, "message_en")?,
            },
        };
        Ok(Self { id: w.id, outcome })
    }
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
    }

    /// `value` with its object's keys in the reverse order.
    fn reversed(value: &serde_json::Value) -> String {
        let object = value.as_object().unwrap();
        let pairs: Vec<String> = object
            .iter()
            .rev()
            .map(|(k, v)| format!("{}:{v}", serde_json::Value::from(k.as_str())))
            .collect();
        format!("{{{}}}", pairs.join(","))
    }

    #[test]
    fn records_keep_their_wire_form_in_any_key_order() {
        let inspection = crate::fixtures::inspection_record();
        let amendment = AmendmentRecord {
            id: crate::fixtures::id(7),
            inspection_id: inspection.id,
            base_version: 1,
            text: "Begeleider aangekomen om 9 uur.".into(),
            measure: None,
            deadline: None,
            written_at: inspection.submitted_at,
        };
        for record in [
            SyncRecord::Inspection(Box::new(inspection)),
            SyncRecord::Amendment(amendment),
        ] {
            let value = serde_json::to_value(&record).unwrap();
            assert_eq!(value.as_object().unwrap().len(), 2);
            assert!(value["kind"].is_string() && value["record"].is_object());
            let back: SyncRecord = serde_json::from_str(&value.to_string()).unwrap();
            assert_eq!(back, record);
            let back: SyncRecord = serde_json::from_str(&reversed(&value)).unwrap();
            assert_eq!(back, record, "the body before the kind");
            let back: SyncRecord = serde_json::from_value(value).unwrap();
            assert_eq!(back, record, "from a JSON value");
        }
        for bad in [
            r#"{"kind":"amendment","record":{"id":"x"}}"#,
            r#"{"kind":"visit","record":{}}"#,
            r#"{"kind":"amendment"}"#,
            r#"{"record":{}}"#,
        ] {
            assert!(serde_json::from_str::<SyncRecord>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn outcomes_keep_their_wire_form_in_any_key_order() {
        let id = crate::fixtures::id(3);
        for (outcome, json) in [
            (
                PushOutcome::Applied { version: 2 },
                r#"{"outcome":"applied","version":2}"#,
            ),
            (
                PushOutcome::Duplicate { version: 1 },
                r#"{"outcome":"duplicate","version":1}"#,
            ),
            (
                PushOutcome::Conflict { server_version: 4 },
                r#"{"outcome":"conflict","server_version":4}"#,
            ),
            (
                PushOutcome::MissingAttachments {
                    sha256: vec!["ab".into()],
                },
                r#"{"outcome":"missing_attachments","sha256":["ab"]}"#,
            ),
            (
                PushOutcome::Rejected {
                    code: RejectionCode::UnknownEnclave,
                    message_nl: "n".into(),
                    message_en: "e".into(),
                },
                r#"{"outcome":"rejected","code":"unknown_enclave","message_nl":"n","message_en":"e"}"#,
            ),
        ] {
            let result = PushResult { id, outcome };
            let mut expected: serde_json::Value = serde_json::from_str(json).unwrap();
            expected["id"] = id.to_string().into();
            let value = serde_json::to_value(&result).unwrap();
            assert_eq!(value, expected);
            for text in [value.to_string(), reversed(&value)] {
                let back: PushResult = serde_json::from_str(&text).unwrap();
                assert_eq!(back, result, "{text}");
            }
        }
        // An outcome without the field it needs, or of no known name, is refused.
        for bad in [
            r#"{"outcome":"applied"}"#,
            r#"{"outcome":"conflict","version":2}"#,
            r#"{"outcome":"rejected","code":"forbidden","message_nl":"n"}"#,
            r#"{"outcome":"lost","version":2}"#,
        ] {
            let mut value: serde_json::Value = serde_json::from_str(bad).unwrap();
            value["id"] = id.to_string().into();
            let err = serde_json::from_value::<PushResult>(value).unwrap_err();
            assert!(!err.to_string().is_empty());
        }
    }
}
