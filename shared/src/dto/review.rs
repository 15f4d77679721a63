//! Review of submitted inspections by inspection supervisors: approve, or return to the
//! inspector with a comment; the inspector answers a return with an amendment.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where an inspection stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Waiting for a reviewer (also again after the inspector amended it).
    Submitted,
    /// Returned to the inspector, who answers with an amendment.
    Returned,
    Approved,
}

impl ReviewState {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Approved => "approved",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "submitted" => Some(Self::Submitted),
            "returned" => Some(Self::Returned),
            "approved" => Some(Self::Approved),
            _ => None,
        }
    }
}

/// A reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Approve,
    Return,
}

impl ReviewDecision {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Return => "return",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approve" => Some(Self::Approve),
            "return" => Some(Self::Return),
            _ => None,
        }
    }
}

/// `POST /api/inspections/{id}/review`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewRequest {
    pub decision: ReviewDecision,
    /// Required when returning.
    #[serde(default)]
    pub comment: String,
    /// The inspection version the reviewer read; a newer amendment makes this a conflict.
    pub version: u32,
}

/// A decision as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewView {
    pub id: Uuid,
    pub reviewer_id: Uuid,
    /// The reviewer's display name (no other personal data).
    #[serde(default)]
    pub reviewer_name: String,
    pub decision: ReviewDecision,
    pub comment: String,
    /// The inspection version decided on.
    pub inspection_version: u32,
    /// Server clock.
    pub decided_at: DateTime<Utc>,
}

/// An inspection in the review queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionSummary {
    pub id: Uuid,
    pub enclave_id: Uuid,
    pub host: String,
    pub maatwerkbedrijf_id: Option<Uuid>,
    pub maatwerkbedrijf: String,
    pub municipality: String,
    /// The Belgian date of the inspection.
    pub on: chrono::NaiveDate,
    pub inspector_id: Uuid,
    /// The inspector's display name.
    pub inspector: String,
    /// Server clock: the queue's order, newest first.
    pub received_at: DateTime<Utc>,
    pub review_state: ReviewState,
    pub contract_filed: crate::rules::verdict::VerdictStatus,
    pub daily_registration: crate::rules::verdict::VerdictStatus,
    pub supervisor_present: crate::rules::verdict::VerdictStatus,
    pub measure: crate::dto::inspection::Measure,
    pub version: u32,
    /// For an approved report: its notification deadline and state.
    pub report: Option<ReportTracking>,
}

/// The 14-day notification of an approved report (proces-verbaal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportTracking {
    pub due: chrono::NaiveDate,
    pub notified_on: Option<chrono::NaiveDate>,
    pub overdue: bool,
}

/// `POST /api/inspections/{id}/report-notified`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportNotified {
    /// The Belgian date the offender was notified.
    pub on: chrono::NaiveDate,
}

/// `GET /api/inspections`: one page of the queue; pass `next_cursor` back as `cursor`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionQueue {
    pub items: Vec<InspectionSummary>,
    pub next_cursor: Option<String>,
    /// How many inspections match the filters, over every page.
    #[serde(default)]
    pub total: u64,
}
