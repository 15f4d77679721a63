//! The app's pages, one per route: login, search and the enclave page.

pub mod enclave;
pub mod login;
pub mod search;
