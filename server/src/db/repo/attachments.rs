//! The register of complete attachments (the bytes live in the attachment directory), and
//! which of them a pushed inspection names.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::rows::AttachmentRow;
use crate::db::schema::attachments;

/// An attachment by hash.
pub fn by_hash(conn: &mut DbConnection, sha256: &str) -> QueryResult<Option<AttachmentRow>> {
    attachments::table
        .find(sha256)
        .select(AttachmentRow::as_select())
        .first(conn)
        .optional()
}

/// The complete attachments among `hashes`.
pub fn of_hashes(conn: &mut DbConnection, hashes: &[String]) -> QueryResult<Vec<AttachmentRow>> {
    let mut found = Vec::new();
    for chunk in hashes.chunks(500) {
        found.extend(
            attachments::table
                .filter(attachments::sha256.eq_any(chunk))
                .select(AttachmentRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// Which of `hashes` are stored completely.
pub fn complete_of(
    conn: &mut DbConnection,
    hashes: &[String],
) -> QueryResult<std::collections::HashSet<String>> {
    Ok(of_hashes(conn, hashes)?
        .into_iter()
        .map(|row| row.sha256)
        .collect())
}

/// The sizes of the complete attachments `uploader_id` uploaded that no pushed inspection
/// names yet (what counts against the upload quota besides partial uploads).
pub fn unnamed_bytes(conn: &mut DbConnection, uploader_id: &str) -> QueryResult<u64> {
    let sizes: Vec<i64> = attachments::table
        .filter(attachments::uploader_id.eq(uploader_id))
        .filter(attachments::named_at.is_null())
        .select(attachments::bytes)
        .load(conn)?;
    Ok(sizes
        .into_iter()
        .map(|b| u64::try_from(b).unwrap_or(0))
        .sum())
}

/// Marks `hashes` as named by a pushed inspection (the first time only).
pub fn mark_named(
    conn: &mut DbConnection,
    hashes: &[String],
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    for chunk in hashes.chunks(500) {
        diesel::update(
            attachments::table
                .filter(attachments::sha256.eq_any(chunk))
                .filter(attachments::named_at.is_null()),
        )
        .set(attachments::named_at.eq(Some(now)))
        .execute(conn)?;
    }
    Ok(())
}

/// Records a complete attachment; a second upload of the same bytes changes nothing.
pub fn record(conn: &mut DbConnection, row: &AttachmentRow) -> QueryResult<()> {
    conn.transaction(|conn| {
        if by_hash(conn, &row.sha256)?.is_none() {
            diesel::insert_into(attachments::table)
                .values(row)
                .execute(conn)?;
        }
        Ok(())
    })
}
