//! Widgets both apps show.

pub mod header;
pub mod loaded;
pub mod offline;
pub mod problems;
pub mod record;
pub mod verdict;
