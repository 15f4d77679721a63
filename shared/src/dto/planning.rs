//! The risk planning (`GET /api/planning`): the enclaves to inspect first, each with its
//! score, the reasons behind it ([`crate::rules::planning`]) and what a planning page shows
//! to find and route the visit.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::enclave::Site;
use crate::rules::planning::{PlanningInput, PlanningReason, PlanningSettings};

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

/// The answer of `GET /api/planning/facts`: what the planning weighs for every active enclave
/// of the user's region on `on`, and the settings it weighs them with, so that the tablet
/// ranks offline with the same rule (`shared::rules::planning::rank`) as the server. No
/// person is named in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanningFacts {
    /// The day the facts were read for (today in Belgium).
    pub on: NaiveDate,
    pub settings: PlanningSettings,
    pub inputs: Vec<PlanningInput>,
}
