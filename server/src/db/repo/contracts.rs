//! Contracts of the register: read, write, and the two ways of updating one (an edit in the
//! app, conditional on what the editor read; an import, which sets only the imported columns).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::rows::ContractRow;
use crate::db::schema::contracts;

/// One contract.
pub fn by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ContractRow>> {
    contracts::table
        .find(id)
        .select(ContractRow::as_select())
        .first(conn)
        .optional()
}

/// The contracts with these references.
pub fn by_references(
    conn: &mut DbConnection,
    references: &[String],
) -> QueryResult<Vec<ContractRow>> {
    let mut found = Vec::new();
    for chunk in references.chunks(1000) {
        found.extend(
            contracts::table
                .filter(contracts::reference.eq_any(chunk))
                .select(ContractRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// Whether a contract has this reference.
pub fn reference_taken(conn: &mut DbConnection, reference: &str) -> QueryResult<bool> {
    let n: i64 = contracts::table
        .filter(contracts::reference.eq(reference))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Stores a new contract.
pub fn insert(conn: &mut DbConnection, row: &ContractRow) -> QueryResult<()> {
    diesel::insert_into(contracts::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// An edit: every editable column, only if the stored row still has `read_at` as its
/// `updated_at` (the compare and the write are one statement). Returns the rows changed: 0
/// means someone changed it meanwhile.
pub fn update_if_unchanged(
    conn: &mut DbConnection,
    row: &ContractRow,
    read_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        contracts::table
            .find(&row.id)
            .filter(contracts::updated_at.eq(read_at)),
    )
    .set((
        contracts::reference.eq(&row.reference),
        contracts::start_date.eq(row.start_date),
        contracts::end_date.eq(row.end_date),
        contracts::notified_at.eq(row.notified_at),
        contracts::approved_at.eq(row.approved_at),
        contracts::regime.eq(&row.regime),
        contracts::status.eq(&row.status),
        contracts::rejection_reason.eq(&row.rejection_reason),
        contracts::min_supervisors.eq(row.min_supervisors),
        contracts::updated_at.eq(row.updated_at),
    ))
    .execute(conn)
}

/// An import: the columns a register file carries (the import keeps the stored approval date
/// when the file has no column for it); the minimum of supervisors, which no file carries,
/// stays as it is.
pub fn update_imported(conn: &mut DbConnection, row: &ContractRow) -> QueryResult<()> {
    diesel::update(contracts::table.find(&row.id))
        .set((
            contracts::start_date.eq(row.start_date),
            contracts::end_date.eq(row.end_date),
            contracts::notified_at.eq(row.notified_at),
            contracts::approved_at.eq(row.approved_at),
            contracts::regime.eq(&row.regime),
            contracts::status.eq(&row.status),
            contracts::rejection_reason.eq(&row.rejection_reason),
            contracts::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores new contracts (an import's), in batches.
pub fn insert_many(conn: &mut DbConnection, rows: &[ContractRow]) -> QueryResult<()> {
    super::insert_chunks!(conn, contracts::table, rows, 1000)
}
