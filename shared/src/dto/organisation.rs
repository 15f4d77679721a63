//! Organisations: maatwerkbedrijven and the organisations that host their enclaves.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What kind of organisation; for hosts this is the "host type" of the yearly overviews.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Maatwerkbedrijf,
    RegularCompany,
    ShelteredWorkplace,
    SocialWorkplace,
    GovernmentBody,
    Other,
}

impl OrganisationKind {
    /// All kinds, in display order.
    pub const ALL: [Self; 6] = [
        Self::Maatwerkbedrijf,
        Self::RegularCompany,
        Self::ShelteredWorkplace,
        Self::SocialWorkplace,
        Self::GovernmentBody,
        Self::Other,
    ];

    /// The kind as stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Maatwerkbedrijf => "maatwerkbedrijf",
            Self::RegularCompany => "regular_company",
            Self::ShelteredWorkplace => "sheltered_workplace",
            Self::SocialWorkplace => "social_workplace",
            Self::GovernmentBody => "government_body",
            Self::Other => "other",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An organisation with its address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    pub id: Uuid,
    pub kind: OrganisationKind,
    pub name: String,
    /// Formatted `0123.456.749`.
    pub enterprise_number: Option<String>,
    pub street: String,
    pub postcode: String,
    pub municipality: String,
    /// NACE-BEL activity code, where known.
    pub nace_code: Option<String>,
}

/// The short form of an organisation used in lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganisationRef {
    pub id: Uuid,
    pub kind: OrganisationKind,
    pub name: String,
    pub enterprise_number: Option<String>,
}
