//! The working set: what an inspector takes into the field ("prepare for the field") so that
//! lookup, the enclave page, the three checks and recording all work without a network.
//!
//! The server sends, per enclave, the register data and the registrations of the coming
//! days, with the floating supervisors already found: a supervisor registered for another
//! enclave the same day may be registered anywhere in Flanders, outside the working set.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::contract::Contract;
use super::enclave::{Checks, EnclaveSummary};
use super::organisation::Organisation;
use super::registration::Registration;
use crate::rules::contract_filed::{RuleSettings, check_contract_filed};
use crate::rules::daily_registration::check_daily_registration;

/// Most days of registrations a working set may cover.
pub const MAX_WORKING_SET_DAYS: u32 = 7;
/// Most enclaves a chosen list may name.
pub const MAX_WORKING_SET_IDS: usize = 500;

/// `GET /api/field/working-set`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkingSet {
    /// Server clock when the set was made: how fresh it is.
    pub generated_at: DateTime<Utc>,
    /// First and last Belgian work date whose registrations are included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The settings of check 1 the server applies, so the device judges alike.
    pub rules: RuleSettings,
    /// Sorted by host name.
    pub enclaves: Vec<FieldEnclave>,
}

/// One enclave of the working set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldEnclave {
    pub summary: EnclaveSummary,
    pub maatwerkbedrijf: Organisation,
    pub host: Organisation,
    /// Newest start first.
    pub contracts: Vec<Contract>,
    /// The registrations from `from` to `to`, one per work date at most.
    pub registrations: Vec<FieldRegistration>,
}

/// A registration with the supervisors in it who are also registered for another enclave
/// that day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldRegistration {
    pub registration: Registration,
    pub floating: Vec<Uuid>,
}

impl FieldEnclave {
    /// The registration for `on`, if the set holds one.
    pub fn registration(&self, on: NaiveDate) -> Option<&FieldRegistration> {
        self.registrations
            .iter()
            .find(|r| r.registration.work_date == on)
    }

    /// Checks 1 and 2 for `on` at `now` (Belgian local time), as the server computes them
    /// for the enclave page.
    pub fn checks(&self, on: NaiveDate, now: NaiveDateTime, rules: &RuleSettings) -> Checks {
        Checks {
            contract_filed: check_contract_filed(&self.contracts, on, rules),
            daily_registration: check_daily_registration(
                self.registration(on).map(|r| &r.registration),
                on,
                now,
            ),
        }
    }
}
