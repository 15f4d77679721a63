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
