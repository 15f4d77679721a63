//! Small widgets shared by the pages.

pub mod enclave_card;
pub mod header;
pub mod offline;
pub mod problems;
pub mod record;
pub mod verdict;
