//! JSON shapes of the HTTP API, one module per resource, and the query strings of every
//! operation in [`query`]. Database rows live in the server; these are what crosses the wire.

pub mod audit;
pub mod auth;
pub mod case_file;
pub mod contract;
pub mod enclave;
pub mod field;
pub mod follow_up;
pub mod import;
pub mod inspection;
pub mod organisation;
pub mod person;
pub mod planning;
pub mod query;
pub mod registration;
pub mod report;
pub mod review;
pub mod sync;
