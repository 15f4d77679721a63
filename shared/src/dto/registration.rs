//! The mandatory daily registration of an enclave team.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A person's role in the team on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// Doelgroepwerknemer.
    Worker,
    /// Begeleider.
    Supervisor,
}

impl MemberRole {
    /// The role as stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Worker => "worker",
            Self::Supervisor => "supervisor",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "worker" => Some(Self::Worker),
            "supervisor" => Some(Self::Supervisor),
            _ => None,
        }
    }
}

/// One team's registration for one work day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Registration {
    pub id: Uuid,
    pub enclave_id: Uuid,
    pub work_date: NaiveDate,
    /// When the registration was made (UTC).
    pub registered_at: DateTime<Utc>,
    /// When the team plans to start, Belgian local time.
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?$", example = "07:30:00"))]
    pub planned_start: NaiveTime,
    pub members: Vec<RegistrationMember>,
}

/// A person in a registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationMember {
    pub person_id: Uuid,
    pub display_name: String,
    /// The maatwerkbedrijf's own pseudonymous reference for the person.
    pub company_reference: String,
    pub role: MemberRole,
}
