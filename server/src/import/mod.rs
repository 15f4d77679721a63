//! The imports of the department's files, apart from HTTP (the routes are in
//! `routes::imports`): one table reader for every import ([`table`]: CSV or XLSX within
//! limits, columns found by their headers, dates read alike) and one module per import.
//!
//! - [`contracts`]: the contract register, with a mapping step ([`mapping`]) that proposes
//!   which column holds which field. Every row is checked by
//!   `shared::rules::register::validate_contract`, the rule the register form runs, so a file
//!   stores nothing the form refuses.
//! - [`registrations`]: daily registrations, one row per person per day.
//!
//! Each import is all or nothing: its rows are validated in memory first, against what the
//! register holds, and written in one transaction that also appends the register changes
//! devices pull and an audit row ([`journal`](crate::db::repo::journal)). Every problem is
//! named with its row (the header is row 1) and column.

pub mod contracts;
pub mod mapping;
pub mod registrations;
pub mod table;

use shared::dto::import::RowProblem;

/// A problem of row `row` (the header is 1) in `column`.
fn problem(row: u32, column: &str, nl: String, en: String) -> RowProblem {
    RowProblem {
        row,
        column: column.to_owned(),
        message_nl: nl,
        message_en: en,
    }
}
