//! Types and pure domain rules shared by the Enclave Inspect server and the wasm PWA.
//!
//! Nothing here does I/O or reads the clock: "now" is always an argument, so a verdict
//! computed offline on a tablet is the same as the one the server computes.
//!
//! - [`dto`]: the JSON shapes of the HTTP API, one module per resource.
//! - [`error`]: the error body every failing API call answers with.
//! - [`rules`]: working days, enterprise numbers, the inspection checks with their verdicts,
//!   the supervision norm and the risk planning.
//! - [`search`]: the folding of search words and the word index of the enclave search.
//! - `fixtures`: test data, for tests only (feature `fixtures`).

pub mod dto;
pub mod error;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod rules;
pub mod search;
