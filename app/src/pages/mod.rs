//! The app's pages, one per route: login, search, the enclave page, the inspection form, the
//! device page, and the review queue and review page.

pub mod device;
pub mod enclave;
pub mod inspection;
pub mod login;
pub mod review;
pub mod search;
