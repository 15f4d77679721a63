//! The office app's pages, one per route: the review queue and review page, the contract
//! register and its form, the yearly overview, the inspection statistics, the imports, the
//! audit trail and the admins' users.

pub mod audit;
pub mod imports;
pub mod register;
pub mod reports;
pub mod review;
pub mod statistics;
pub mod users;
