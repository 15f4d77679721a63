//! The people in the data (target-group workers and supervisors), as an administrator finds
//! them and exports everything held about one of them for an access request (GDPR art. 15).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::inspection::PresentPerson;
use super::registration::MemberRole;
use super::review::ReviewState;

/// A person as found by name or staff number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonSummary {
    pub id: Uuid,
    pub display_name: String,
    /// The maatwerkbedrijf's own reference (staff number) for the person.
    pub company_reference: String,
    pub role: MemberRole,
    pub maatwerkbedrijf_id: Uuid,
    pub maatwerkbedrijf_name: String,
    /// When the person was first recorded (UTC).
    pub created_at: DateTime<Utc>,
}

/// A daily registration naming the person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRegistration {
    pub registration_id: Uuid,
    pub enclave_id: Uuid,
    pub site_name: String,
    pub host_name: String,
    pub work_date: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?$", example = "07:30:00"))]
    pub planned_start: NaiveTime,
    pub registered_at: DateTime<Utc>,
    /// The person's role that day.
    pub role: MemberRole,
}

/// An inspection whose record names the person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonInspection {
    pub inspection_id: Uuid,
    pub enclave_id: Uuid,
    pub on: NaiveDate,
    pub review_state: ReviewState,
    /// The person as ticked present, if they were; `None` when the record only mentions their
    /// name (in a finding, a note or among the unregistered people): read it in full there.
    pub present: Option<PresentPerson>,
}

/// Everything held about one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonExport {
    pub generated_at: DateTime<Utc>,
    pub person: PersonSummary,
    /// Oldest first.
    pub registrations: Vec<PersonRegistration>,
    /// Oldest first.
    pub inspections: Vec<PersonInspection>,
}
