//! The app's pages, one per route: login, search, the enclave page, the inspection form and
//! the device page.

pub mod device;
pub mod enclave;
pub mod inspection;
pub mod login;
pub mod search;
