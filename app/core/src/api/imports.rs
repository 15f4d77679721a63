//! The contract import's two steps: the server's proposal of the columns, and the import
//! (or its dry run) with the columns the clerk confirmed.

use shared::dto::import::{ColumnMapping, ImportColumns, ImportReport};
use shared::dto::query::{ContractImportQuery, FormatQuery};

use super::{ApiFailure, Body, authed_reply, decode, url};
use crate::session::Session;

fn file_body(bytes: &[u8]) -> Body {
    Body::Bytes {
        data: js_sys::Uint8Array::from(bytes),
        content_type: "application/octet-stream".to_owned(),
        range: None,
    }
}

fn format(xlsx: bool) -> Option<String> {
    Some(if xlsx { "xlsx" } else { "csv" }.to_owned())
}

/// `POST /api/imports/contracts/columns`: the header, sample rows and proposed columns.
pub async fn columns(
    session: Session,
    bytes: &[u8],
    xlsx: bool,
) -> Result<ImportColumns, ApiFailure> {
    let query = FormatQuery {
        format: format(xlsx),
    };
    let url = url("/api/imports/contracts/columns", &query);
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
    let query = ContractImportQuery {
        format: format(xlsx),
        dry_run,
        mapping: Some(serde_json::to_string(mapping).unwrap_or_default()),
    };
    let url = url("/api/imports/contracts", &query);
    let reply = authed_reply(session, "POST", &url, Some(file_body(bytes))).await?;
    if reply.status == 422 {
        return serde_json::from_str(&reply.body).map_err(|_| reply.failure());
    }
    decode(&reply)
}
