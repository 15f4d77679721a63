//! The field app's pages, one per route: search (`/`), the enclave page, the inspection form,
//! the device page, the planning, and the logout that began in the office app.

pub mod device;
pub mod enclave;
pub mod inspection;
pub mod logout;
pub mod planning;
pub mod search;
