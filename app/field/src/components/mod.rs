//! The field app's widgets.

pub mod enclave_card;
pub mod status;
