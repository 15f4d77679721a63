//! Pure domain rules. "Now" and all settings are arguments; nothing here reads a clock.

pub mod calendar;
pub mod contract_filed;
pub mod daily_registration;
pub mod enterprise_number;
pub mod geo;
pub mod inspection;
pub mod supervisor_present;
pub mod time;
pub mod verdict;

pub use calendar::CalendarSettings;
pub use contract_filed::{LeadTime, RuleSettings, check_contract_filed};
pub use daily_registration::check_daily_registration;
pub use enterprise_number::{EnterpriseNumber, EstablishmentUnitNumber, NumberError};
pub use inspection::{Problem, ProblemCode, validate_amendment, validate_inspection};
pub use supervisor_present::{Presence, check_supervisor_present, floating_supervisors};
pub use verdict::{Reason, ReasonCode, Verdict, VerdictStatus};
