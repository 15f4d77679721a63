//! Overviews for the department: the yearly overview of enclave contracts received, with the
//! numbers of target-group workers and supervisors from the daily registrations.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::contract::ContractStatus;
use super::organisation::OrganisationKind;

/// The host types the department counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HostType {
    RegularCompany,
    /// Another maatwerkbedrijf.
    Maatwerkbedrijf,
    /// A sheltered or social workplace.
    ShelteredOrSocial,
    /// The (Flemish) government.
    Government,
    Other,
}

impl HostType {
    /// All host types, in the order of the overview.
    pub const ALL: [Self; 5] = [
        Self::RegularCompany,
        Self::Maatwerkbedrijf,
        Self::ShelteredOrSocial,
        Self::Government,
        Self::Other,
    ];

    /// The host type of an organisation kind.
    pub fn of(kind: OrganisationKind) -> Self {
        match kind {
            OrganisationKind::RegularCompany => Self::RegularCompany,
            OrganisationKind::Maatwerkbedrijf => Self::Maatwerkbedrijf,
            OrganisationKind::ShelteredWorkplace | OrganisationKind::SocialWorkplace => {
                Self::ShelteredOrSocial
            }
            OrganisationKind::GovernmentBody => Self::Government,
            OrganisationKind::Other => Self::Other,
        }
    }

    /// Dutch and English names, for tables and CSV.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::RegularCompany => ("reguliere onderneming", "regular company"),
            Self::Maatwerkbedrijf => ("ander maatwerkbedrijf", "another maatwerkbedrijf"),
            Self::ShelteredOrSocial => (
                "beschutte of sociale werkplaats",
                "sheltered or social workplace",
            ),
            Self::Government => ("overheid", "government"),
            Self::Other => ("andere", "other"),
        }
    }
}

/// People of one enclave in one year, from the daily registrations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Headcount {
    /// Distinct target-group workers registered at least once.
    pub workers: u32,
    /// Distinct supervisors registered at least once.
    pub supervisors: u32,
    /// Registered (person, day) pairs.
    pub worker_days: u32,
    pub supervisor_days: u32,
}

/// One contract received in the year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverviewRow {
    pub contract_id: Uuid,
    pub reference: String,
    pub enclave_id: Uuid,
    pub maatwerkbedrijf: String,
    pub host: String,
    pub host_type: HostType,
    /// What the enclave's team does (the enclave's activity).
    #[serde(default)]
    pub activity: String,
    pub start: NaiveDate,
    /// `None`: open-ended.
    pub end: Option<NaiveDate>,
    /// When WSE received the notification (Belgian date).
    pub received: NaiveDate,
    /// The last day it could arrive in time.
    pub deadline: NaiveDate,
    pub on_time: bool,
    pub status: ContractStatus,
    pub rejection_reason: Option<String>,
    /// The enclave's people in the overview's year.
    pub headcount: Headcount,
}

/// Contracts counted per host type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostTypeCount {
    pub host_type: HostType,
    pub contracts: u32,
    pub rejected: u32,
    pub late: u32,
}

/// `GET /api/reports/contracts?year=`: the yearly overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractOverview {
    pub year: i32,
    /// By maatwerkbedrijf, then host, then start.
    pub rows: Vec<OverviewRow>,
    pub by_host_type: Vec<HostTypeCount>,
    pub rejected: u32,
    /// Open-ended contracts received in the year that are still running today.
    pub open_ended_running: u32,
    /// Over all enclaves of the rows, each enclave once.
    pub total: Headcount,
    /// Every maatwerkbedrijf with registrations in the year, over all its enclaves (not only
    /// those with a contract received in the year), by name.
    pub per_maatwerkbedrijf: Vec<MaatwerkbedrijfHeadcount>,
    /// Rejected contracts of the year counted by reason, most frequent first.
    #[serde(default)]
    pub rejection_reasons: Vec<ReasonCount>,
    /// Per host type with contracts, what the enclaves do ("de aard van de opdrachten").
    #[serde(default)]
    pub activities: Vec<HostTypeActivities>,
    /// Registered person-days in the year over every enclave: 0 means the department has no
    /// daily registrations of that year, so every headcount is 0.
    #[serde(default)]
    pub registered_days: u32,
}

/// How many rejected contracts give one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReasonCount {
    /// As registered; "" when the register gives none.
    pub reason: String,
    pub contracts: u32,
}

/// The activities of the enclaves of one host type's contracts in the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostTypeActivities {
    pub host_type: HostType,
    /// Most contracts first, then by name.
    pub activities: Vec<ActivityCount>,
}

/// Contracts received in the year for enclaves doing one activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityCount {
    pub activity: String,
    pub contracts: u32,
}

/// A maatwerkbedrijf's people in a year, from the daily registrations of all its enclaves: a
/// person registered in two of its enclaves counts once, a person-day once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaatwerkbedrijfHeadcount {
    pub maatwerkbedrijf_id: Uuid,
    pub maatwerkbedrijf: String,
    /// Its enclaves with at least one registration in the year.
    pub enclaves: u32,
    pub headcount: Headcount,
}

/// The import's report, kept here under its old path.
pub use super::import::{ImportReport, RowProblem};

/// How many inspections there were, and how many found each check failing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckCounts {
    pub inspections: u32,
    pub contract_filed_failed: u32,
    pub daily_registration_failed: u32,
    pub supervisor_present_failed: u32,
    /// Inspections with at least one failing check.
    pub any_failed: u32,
}

/// One month of a year (1–12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthCounts {
    pub month: u32,
    pub counts: CheckCounts,
}

/// One maatwerkbedrijf's inspections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaatwerkbedrijfCounts {
    pub maatwerkbedrijf_id: Uuid,
    pub maatwerkbedrijf: String,
    pub counts: CheckCounts,
}

/// The inspections at one host type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HostTypeCounts {
    pub host_type: HostType,
    pub counts: CheckCounts,
}

/// A measure: how often the inspectors proposed it, and how often it was taken: the
/// inspection approved by a reviewer (for a report, the four-eyes approval to draw it up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureCount {
    pub measure: super::inspection::Measure,
    pub proposed: u32,
    pub taken: u32,
}

/// The figures of the inspectorate's yearly report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearFigures {
    /// Inspections (controls) made.
    pub controls: u32,
    /// Distinct employers visited: the maatwerkbedrijven whose enclaves were inspected.
    pub employers_visited: u32,
    /// Distinct host organisations visited.
    pub hosts_visited: u32,
    /// Target-group workers and supervisors checked on site (summed over the controls).
    pub workers_checked: u32,
    pub supervisors_checked: u32,
    /// People found working without being registered.
    pub unregistered_found: u32,
    /// Advice, warning, regularisation order, report: in that order.
    pub measures: Vec<MeasureCount>,
    /// What the follow-up inspections of the year found of earlier measures.
    #[serde(default)]
    pub follow_ups: FollowUpFigures,
}

/// The follow-up inspections of a year: how many found every shortcoming of the earlier
/// inspection remedied and how many not, and the shortcomings remedied and not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpFigures {
    pub remedied: u32,
    pub not_remedied: u32,
    pub shortcomings_remedied: u32,
    pub shortcomings_not_remedied: u32,
}

impl FollowUpFigures {
    /// Counts one follow-up inspection's outcome.
    pub fn add(&mut self, outcome: crate::rules::follow_up::Outcome) {
        if outcome.not_remedied == 0 {
            self.remedied += 1;
        } else {
            self.not_remedied += 1;
        }
        self.shortcomings_remedied += outcome.remedied;
        self.shortcomings_not_remedied += outcome.not_remedied;
    }
}

/// `GET /api/reports/inspections?year=`: inspection statistics of a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionStatistics {
    pub year: i32,
    pub total: CheckCounts,
    /// Twelve months, January first.
    pub per_month: Vec<MonthCounts>,
    /// Most inspected first, then by name.
    pub per_maatwerkbedrijf: Vec<MaatwerkbedrijfCounts>,
    /// Every host type, in the order of [`HostType::ALL`].
    pub per_host_type: Vec<HostTypeCounts>,
    pub figures: YearFigures,
}
