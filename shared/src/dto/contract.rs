//! Enclave contracts and their notification to the Departement WSE.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How a contract had to reach the department, fixed by the date the enclave starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// Approval by letter (beschutte/sociale werkplaatsen rules): before 1 April 2015, and
    /// 8 February 2016 – 31 December 2018.
    Approval,
    /// Notification by e-mail: 1 April 2015 – 7 February 2016, and from 1 January 2019.
    Notification,
}

impl Regime {
    /// The regime as stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approval => "approval",
            Self::Notification => "notification",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approval" => Some(Self::Approval),
            "notification" => Some(Self::Notification),
            _ => None,
        }
    }
}

/// Where a contract stands in the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    /// Received by the department (notification regime: this is all that is needed).
    Notified,
    /// Approved by letter (approval regime).
    Approved,
    /// Rejected; see the reason.
    Rejected,
    /// Ended; the end date says when.
    Ended,
}

impl ContractStatus {
    /// Every status, in the register's order.
    pub const ALL: [Self; 4] = [Self::Notified, Self::Approved, Self::Rejected, Self::Ended];

    /// The status as stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Notified => "notified",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Ended => "ended",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "notified" => Some(Self::Notified),
            "approved" => Some(Self::Approved),
            "rejected" => Some(Self::Rejected),
            "ended" => Some(Self::Ended),
            _ => None,
        }
    }
}

/// An enclave contract as registered by the department.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contract {
    pub id: Uuid,
    pub enclave_id: Uuid,
    /// The department's reference for the contract.
    pub reference: String,
    pub start_date: NaiveDate,
    /// `None`: open-ended.
    pub end_date: Option<NaiveDate>,
    /// When the notification reached the department (UTC).
    pub notified_at: Option<DateTime<Utc>>,
    /// When the department approved it (approval regime), UTC.
    pub approved_at: Option<DateTime<Utc>>,
    pub regime: Regime,
    pub status: ContractStatus,
    pub rejection_reason: Option<String>,
    /// Minimum number of supervisors on site; at least 1.
    pub min_supervisors: u32,
}

/// A contract as the department registers or edits it. The regime follows from the start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractDraft {
    pub enclave_id: Uuid,
    pub reference: String,
    pub start_date: NaiveDate,
    /// `None`: open-ended.
    pub end_date: Option<NaiveDate>,
    /// When the notification reached the department (UTC).
    pub notified_at: Option<DateTime<Utc>>,
    /// When the department approved it (approval regime), UTC.
    pub approved_at: Option<DateTime<Utc>>,
    pub status: ContractStatus,
    pub rejection_reason: Option<String>,
    pub min_supervisors: u32,
}

impl ContractDraft {
    /// The draft of a stored contract, to edit it.
    pub fn of(c: &Contract) -> Self {
        Self {
            enclave_id: c.enclave_id,
            reference: c.reference.clone(),
            start_date: c.start_date,
            end_date: c.end_date,
            notified_at: c.notified_at,
            approved_at: c.approved_at,
            status: c.status,
            rejection_reason: c.rejection_reason.clone(),
            min_supervisors: c.min_supervisors,
        }
    }
}

/// `PUT /api/contracts/{id}`: the new state, and the contract as the editor read it; when
/// the stored one differs, someone else changed it meanwhile and the edit is refused (409).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractUpdate {
    pub previous: Contract,
    pub draft: ContractDraft,
}

/// When a contract had to reach the department, and whether it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Timeliness {
    /// The last day it could arrive in time.
    pub deadline: NaiveDate,
    /// The Belgian date it arrived (notification, else approval).
    pub received: Option<NaiveDate>,
    /// `None` while nothing was received.
    pub on_time: Option<bool>,
}

/// A contract in the register, with its enclave's parties and its timeliness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterEntry {
    pub contract: Contract,
    pub maatwerkbedrijf: super::organisation::OrganisationRef,
    pub host: super::organisation::OrganisationRef,
    pub site_name: String,
    pub municipality: String,
    pub timeliness: Timeliness,
    /// The team's support need, recorded on the enclave (not with the contract).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_need: Option<crate::rules::supervision_norm::SupportNeed>,
}

/// `GET /api/contracts`: a page of the register, and how many match in all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterPage {
    pub items: Vec<RegisterEntry>,
    pub total: u32,
}
