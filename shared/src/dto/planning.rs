//! The risk planning (`GET /api/planning`): the enclaves to inspect first, each with its
//! score, the reasons behind it ([`crate::rules::planning`]) and what a planning page shows
//! to find and route the visit.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::enclave::Site;
use crate::rules::planning::PlanningReason;

/// The answer of `GET /api/planning`: highest score first, ties by enclave id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanningAnswer {
    pub items: Vec<PlannedVisit>,
    /// The day the ranking is for (today in Belgium).
    pub on: NaiveDate,
    /// The rule and its settings, e.g. `planning/1;settings=0a1b2c3d`.
    pub rule_version: String,
}

/// One enclave in the planning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedVisit {
    pub enclave_id: Uuid,
    /// The sum of the reasons' weights.
    pub score: u32,
    /// Heaviest first.
    pub reasons: Vec<PlanningReason>,
    /// Where the team works, with its position to route the visit.
    pub site: Site,
    pub host_name: String,
    pub maatwerkbedrijf_name: String,
}
