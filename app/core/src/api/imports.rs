//! The contract import's two steps: the server's proposal of the columns, and the import
//! (or its dry run) with the columns the clerk confirmed.

use shared::dto::import::{ColumnMapping, ImportColumns, ImportReport};

use super::{ApiFailure, Body, authed_reply, decode, encode};
use crate::session::Session;

fn file_body(bytes: &[u8]) -> Body {
    Body::Bytes {
        data: js_sys::Uint8Array::from(bytes),
        content_type: "application/octet-stream".to_owned(),
        range: None,
    }
}

fn format(xlsx: bool) -> &'static str {
    if xlsx { "xlsx" } else { "csv" }
}

/// `POST /api/imports/contracts/columns`: the header, sample rows and proposed columns.
pub async fn columns(
    session: Session,
    bytes: &[u8],
    xlsx: bool,
) -> Result<ImportColumns, ApiFailure> {
    let url = format!("/api/imports/contracts/columns?format={}", format(xlsx));
    let reply = authed_reply(session, "POST", &url, Some(file_body(bytes))).await?;
    decode(&reply)
}

/// `POST /api/imports/contracts?mapping=…`: the report, also when it has problems (422).
pub async fn contracts(
    session: Session,
    bytes: &[u8],
    xlsx: bool,
    dry_run: bool,
    mapping: &ColumnMapping,
) -> Result<ImportReport, ApiFailure> {
    let mapping = serde_json::to_string(mapping).unwrap_or_default();
    let url = format!(
        "/api/imports/contracts?format={}&dry_run={dry_run}&mapping={}",
        format(xlsx),
        encode(&mapping)
    );
    let reply = authed_reply(session, "POST", &url, Some(file_body(bytes))).await?;
    if reply.status == 422 {
        return serde_json::from_str(&reply.body).map_err(|_| reply.failure());
    }
    decode(&reply)
}
