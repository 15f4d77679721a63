//! An enclave's case file (`GET /api/enclaves/{id}/case-file`): one timeline of its
//! contracts, inspections, measures, follow-ups, amendments and review decisions, newest
//! first, each event said in Dutch and English ([`crate::rules::case_file`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The answer of `GET /api/enclaves/{id}/case-file`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseFile {
    pub enclave_id: Uuid,
    /// Newest first.
    pub events: Vec<CaseEvent>,
}

/// What happened on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseEventKind {
    ContractNotified,
    ContractStarted,
    ContractEnded,
    Inspection,
    Amendment,
    ReviewDecision,
    FollowUpDue,
    FollowedUp,
}

impl CaseEventKind {
    /// As serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContractNotified => "contract_notified",
            Self::ContractStarted => "contract_started",
            Self::ContractEnded => "contract_ended",
            Self::Inspection => "inspection",
            Self::Amendment => "amendment",
            Self::ReviewDecision => "review_decision",
            Self::FollowUpDue => "follow_up_due",
            Self::FollowedUp => "followed_up",
        }
    }
}

/// One event of the case file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEvent {
    pub on: NaiveDate,
    pub kind: CaseEventKind,
    /// The inspection it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection_id: Option<Uuid>,
    /// The contract it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<Uuid>,
    pub text_nl: String,
    pub text_en: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_named_as_serialised() {
        use CaseEventKind::*;
        for kind in [
            ContractNotified,
            ContractStarted,
            ContractEnded,
            Inspection,
            Amendment,
            ReviewDecision,
            FollowUpDue,
            FollowedUp,
        ] {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }
}
