//! The app's pages, one per route: login, search, the enclave page, the inspection form, the
//! device page, the review queue and review page, and the yearly overview.

pub mod device;
pub mod enclave;
pub mod inspection;
pub mod login;
pub mod reports;
pub mod review;
pub mod search;
