//! The register of complete attachments (the bytes live in the attachment directory).

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::rows::AttachmentRow;
use crate::db::schema::attachments;
use crate::error::AppError;

/// An attachment by hash.
pub fn by_hash(conn: &mut DbConnection, sha256: &str) -> Result<Option<AttachmentRow>, AppError> {
    Ok(attachments::table
        .find(sha256)
        .select(AttachmentRow::as_select())
        .first(conn)
        .optional()?)
}

/// Which of `hashes` are stored completely.
pub fn complete_of(
    conn: &mut DbConnection,
    hashes: &[String],
) -> Result<std::collections::HashSet<String>, AppError> {
    let mut found = std::collections::HashSet::new();
    for chunk in hashes.chunks(500) {
        found.extend(
            attachments::table
                .filter(attachments::sha256.eq_any(chunk))
                .select(attachments::sha256)
                .load::<String>(conn)?,
        );
    }
    Ok(found)
}

/// Records a complete attachment; a second upload of the same bytes changes nothing.
pub fn record(conn: &mut DbConnection, row: &AttachmentRow) -> Result<(), AppError> {
    conn.transaction(|conn| {
        if by_hash(conn, &row.sha256)?.is_none() {
            diesel::insert_into(attachments::table)
                .values(row)
                .execute(conn)?;
        }
        Ok(())
    })
}
