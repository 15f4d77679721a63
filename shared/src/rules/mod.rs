//! Pure domain rules. "Now" and all settings are arguments; nothing here reads a clock.

pub mod calendar;
pub mod case_file;
pub mod contract_filed;
pub mod daily_registration;
pub mod enterprise_number;
pub mod follow_up;
pub mod geo;
pub mod inspection;
pub mod overview;
pub mod planning;
pub mod redirect;
pub mod register;
pub mod review;
pub mod statistics;
pub mod supervision_norm;
pub mod supervisor_present;
pub mod sync;
pub mod time;
pub mod verdict;
pub mod working_set;

pub use calendar::CalendarSettings;
pub use contract_filed::{LeadTime, RuleSettings, check_contract_filed};
pub use daily_registration::check_daily_registration;
pub use enterprise_number::{EnterpriseNumber, EstablishmentUnitNumber, NumberError};
pub use inspection::{
    Problem, ProblemCode, validate_amendment, validate_correction, validate_inspection,
};
pub use planning::{
    Notification, PlanningInput, PlanningReason, PlanningReasonCode, PlanningSettings,
    PlanningWeights, RankedEnclave, TeamSize, Weight, rank, score,
};
pub use supervision_norm::{NormOutcome, SupervisionNorm, SupportNeed, compare_with_norm};
pub use supervisor_present::{Presence, TeamNorm, check_supervisor_present, floating_supervisors};
pub use verdict::{Reason, ReasonCode, Verdict, VerdictStatus};

/// `n` followed by the singular or plural noun, for reason and problem messages.
pub(crate) fn count<N>(n: N, one: &str, many: &str) -> String
where
    N: std::fmt::Display + PartialEq + From<u8>,
{
    let noun = if n == N::from(1) { one } else { many };
    format!("{n} {noun}")
}
