//! The app's pages, one per route: login, search, the enclave page, the inspection form, the
//! device page, the review queue and review page, the contract register and its form, the
//! yearly overview, the inspection statistics, the imports, the audit trail, the admins' users,
//! and the password change a reset requires.

pub mod audit;
pub mod device;
pub mod enclave;
pub mod imports;
pub mod inspection;
pub mod login;
pub mod password;
pub mod register;
pub mod reports;
pub mod review;
pub mod search;
pub mod statistics;
pub mod users;
