//! The follow-ups of measures (`GET /api/follow-ups`): each warning or regularisation order
//! with a deadline, when it is due, and what the inspection that followed it up found
//! ([`crate::rules::follow_up`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::enclave::Site;
use super::inspection::{Measure, Shortcoming};
use crate::rules::follow_up::FollowUpStatus;

/// The answer of `GET /api/follow-ups`: soonest due first, ties by inspection id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpList {
    pub items: Vec<FollowUp>,
    /// The day the statuses are for (today in Belgium).
    pub on: NaiveDate,
    /// Whether more matched than `limit`.
    pub more: bool,
}

/// One follow-up: the inspection whose measure opened it, and its state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    /// The inspection whose measure is followed up.
    pub inspection_id: Uuid,
    pub enclave_id: Uuid,
    /// Where the team works.
    pub site: Site,
    pub host_name: String,
    /// Who did the inspection (and follows it up, unless a colleague does).
    pub inspector_id: Uuid,
    pub inspected_on: NaiveDate,
    /// The measure as corrected by amendments.
    pub measure: Measure,
    /// The deadline.
    pub due: NaiveDate,
    pub status: FollowUpStatus,
    /// How many shortcomings the follow-up answers (failed checks and findings).
    pub shortcomings: u32,
    /// The latest inspection that followed it up, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followed_up_by: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followed_up_on: Option<NaiveDate>,
    /// Of its shortcomings, how many the follow-up found remedied and not (0 and 0 before).
    pub remedied: u32,
    pub not_remedied: u32,
    /// The shortcomings a follow-up answers, in order, as the tablet asks about them.
    #[serde(default)]
    pub to_answer: Vec<ShortcomingText>,
}

/// A shortcoming with what the earlier inspection said of it: a failed check (no text: the
/// app names the check) or a finding's category and text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShortcomingText {
    pub shortcoming: Shortcoming,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub text: String,
}
