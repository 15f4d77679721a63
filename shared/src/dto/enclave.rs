//! Enclaves: search results and the enclave page with its checks.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::contract::Contract;
use super::organisation::{Organisation, OrganisationRef};
use super::registration::Registration;
use crate::rules::supervision_norm::SupportNeed;
use crate::rules::verdict::Verdict;

/// The Flemish provinces; inspectors cover one or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Province {
    Antwerpen,
    Limburg,
    OostVlaanderen,
    VlaamsBrabant,
    WestVlaanderen,
}

impl Province {
    /// All provinces of Flanders.
    pub const ALL: [Self; 5] = [
        Self::Antwerpen,
        Self::Limburg,
        Self::OostVlaanderen,
        Self::VlaamsBrabant,
        Self::WestVlaanderen,
    ];

    /// The province as stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Antwerpen => "antwerpen",
            Self::Limburg => "limburg",
            Self::OostVlaanderen => "oost_vlaanderen",
            Self::VlaamsBrabant => "vlaams_brabant",
            Self::WestVlaanderen => "west_vlaanderen",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The province of a Flemish postcode (`None` outside Flanders).
    pub fn from_postcode(postcode: u16) -> Option<Self> {
        match postcode {
            1500..=1999 | 3000..=3499 => Some(Self::VlaamsBrabant),
            2000..=2999 => Some(Self::Antwerpen),
            3500..=3999 => Some(Self::Limburg),
            8000..=8999 => Some(Self::WestVlaanderen),
            9000..=9999 => Some(Self::OostVlaanderen),
            _ => None,
        }
    }
}

/// Whether the enclave is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EnclaveStatus {
    Active,
    Suspended,
    Ended,
}

impl EnclaveStatus {
    /// The status as stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Ended => "ended",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "suspended" => Some(Self::Suspended),
            "ended" => Some(Self::Ended),
            _ => None,
        }
    }
}

/// Where the enclave works: a site of the host organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Site {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub municipality: String,
    pub province: Province,
    pub latitude: f64,
    pub longitude: f64,
    /// Vestigingseenheidsnummer, formatted `2.123.456.789`, where known.
    pub establishment_unit_number: Option<String>,
}

/// An enclave in a list of search results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnclaveSummary {
    pub id: Uuid,
    pub site: Site,
    /// The site's position, repeated at the top level for map and distance use.
    pub latitude: f64,
    pub longitude: f64,
    pub activity: String,
    pub status: EnclaveStatus,
    pub maatwerkbedrijf: OrganisationRef,
    pub host: OrganisationRef,
    /// Distance from the searched position, for "near" searches.
    pub distance_km: Option<f64>,
    /// Checks 1 and 2 for today, now (search results of the server; `None` elsewhere).
    #[serde(default)]
    pub checks: Option<Checks>,
    /// The team's support need, which sets the supervision norm of check 3; `None` when the
    /// register does not record it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_need: Option<SupportNeed>,
}

/// One page of search results; pass `next_cursor` back as `cursor` for the next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnclavePage {
    pub items: Vec<EnclaveSummary>,
    pub next_cursor: Option<String>,
}

/// The enclave page: everything an inspector needs on site for one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnclaveDetail {
    pub id: Uuid,
    pub site: Site,
    pub activity: String,
    pub status: EnclaveStatus,
    pub maatwerkbedrijf: Organisation,
    pub host: Organisation,
    /// All contracts of the enclave, newest start first.
    pub contracts: Vec<Contract>,
    /// The registration for `on`, if any.
    pub registration: Option<Registration>,
    /// The day the checks are for.
    pub on: NaiveDate,
    /// The Belgian local time the checks are for.
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?$", example = "10:15:00"))]
    pub at: NaiveTime,
    pub checks: Checks,
    /// The team's support need, which sets the supervision norm of check 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_need: Option<SupportNeed>,
    /// The workers per begeleider that check 3 allows this team, by the server's norm
    /// (`SupervisionNorm::for_team`); absent from answers stored before it was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers_per_supervisor: Option<u32>,
}

/// The verdicts of the checks computed from the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checks {
    pub contract_filed: Verdict,
    pub daily_registration: Verdict,
}
