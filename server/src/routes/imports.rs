//! The import routes: HTTP only (the file, the query, the answer); reading, validating and
//! writing are in [`crate::import`].
//!
//! The contract register, from CSV (`;` or `,`) or Excel, in two steps:
//! `POST /api/imports/contracts/columns?format=csv|xlsx` reads the header row and the cells
//! and proposes which column holds which field; the clerk confirms or corrects it and sends
//! the file to `POST /api/imports/contracts?format=&dry_run=true&mapping=JSON`, where
//! `mapping` is `{"reference": 0, "maatwerkbedrijf": 4, …}` (field → 0-based column; without
//! it the proposal is used). Daily registrations: `POST
//! /api/imports/registrations?format=&dry_run=true`. An import is all or nothing: 200 with
//! its report, or 422 with every problem named by row and column.

use actix_web::{HttpResponse, web};
use diesel::Connection;
use shared::dto::auth::Role;
use shared::dto::import::{ImportColumns, ImportReport};
use shared::dto::query::{ContractImportQuery, FormatQuery, ImportQuery};
use shared::error::ErrorCode;

use crate::auth::AuthUser;
use crate::config::ImportLimits;
use crate::error::AppError;
use crate::import::table::{self, Format, Table};
use crate::import::{contracts, mapping, registrations};
use crate::state::AppState;

/// Largest file accepted: 10 MiB.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

/// The body of a 422 from an import: the report of its rows' problems, or the file refused
/// whole for its size. Only describes the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "a schema of the OpenAPI document, never built")]
pub enum ImportRefusal {
    Report(ImportReport),
    Refused(shared::error::ApiError),
}

/// The mapping step: the file's header, sample rows and the proposed column of every field.
#[utoipa::path(post, path = "/api/imports/contracts/columns", tag = "imports", params(FormatQuery),
    request_body(content = String, description = "The CSV or XLSX file"),
    security(("bearer" = [])),
    responses((status = 200, body = ImportColumns), (status = 400, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError),
              (status = 413, body = shared::error::ApiError, description = "Larger than 10 MiB, or an .xlsx unzipping past the limit (archive_too_large)"),
              (status = 422, body = shared::error::ApiError, description = "More rows, columns or cells than the server reads (table_too_large), or an empty or unreadable file")))]
pub async fn contract_columns(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<FormatQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let limits = state.config.import_limits;
    let table = read_upload(query.format.as_deref(), payload, limits).await?;
    Ok(HttpResponse::Ok().json(mapping::columns(&table)))
}
/// Import contracts (all or nothing) with the confirmed columns; `dry_run=true` previews.
#[utoipa::path(post, path = "/api/imports/contracts", tag = "imports", params(ContractImportQuery),
    request_body(content = String, description = "The CSV or XLSX file"),
    security(("bearer" = [])),
    responses((status = 200, body = ImportReport), (status = 400, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError),
              (status = 413, body = shared::error::ApiError, description = "Larger than 10 MiB, or an .xlsx unzipping past the limit (archive_too_large)"),
              (status = 422, body = ImportRefusal, description = "Problems: nothing imported; or more rows, columns or cells than the server reads (table_too_large), or an empty or unreadable file")))]
pub async fn contracts_import(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ContractImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let ContractImportQuery {
        format,
        dry_run,
        mapping,
    } = query.into_inner();
    let table = read_upload(format.as_deref(), payload, state.config.import_limits).await?;
    let mapping = match mapping {
        Some(json) => mapping::parse(&json, table.header.len())?,
        None => mapping::propose(&table),
    };
    // Overlaps are judged on the register as it is now, not as the index saw it up to
    // `max_age` ago.
    state.index.expire();
    let snapshot = state.index.snapshot(&state.db).await?;
    let plan = contracts::validate(&table, &mapping, &snapshot);
    let outcome = state
        .db
        .run(move |conn| {
            conn.transaction(|conn| contracts::write(conn, plan, dry_run, (&user).into()))
        })
        .await?;
    if outcome.wrote(dry_run) {
        state.index.expire();
    }
    Ok(answer(outcome.report(dry_run, table.rows.len() as u32)))
}

/// Import daily registrations (all or nothing); `dry_run=true` previews.
#[utoipa::path(post, path = "/api/imports/registrations", tag = "imports", params(ImportQuery),
    request_body(content = String, description = "The CSV or XLSX file"),
    security(("bearer" = [])),
    responses((status = 200, body = ImportReport), (status = 400, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError),
              (status = 413, body = shared::error::ApiError, description = "Larger than 10 MiB, or an .xlsx unzipping past the limit (archive_too_large)"),
              (status = 422, body = ImportRefusal, description = "Problems: nothing imported; or more rows, columns or cells than the server reads (table_too_large), or an empty or unreadable file")))]
pub async fn registrations_import(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let ImportQuery { format, dry_run } = query.into_inner();
    let table = read_upload(format.as_deref(), payload, state.config.import_limits).await?;
    let rows = table.rows.len() as u32;
    let snapshot = state.index.snapshot(&state.db).await?;
    let outcome = match registrations::read(&table, &snapshot) {
        Ok(plan) => {
            state
                .db
                .run(move |conn| {
                    conn.transaction(|conn| {
                        registrations::write(conn, plan, dry_run, (&user).into())
                    })
                })
                .await?
        }
        Err(refused) => refused,
    };
    if !dry_run && outcome.problems.is_empty() && outcome.added > 0 {
        // Today's enclave pages on this instance show the new registrations at once.
        state.index.expire();
    }
    Ok(answer(outcome.report(dry_run, rows)))
}

/// Reads an uploaded file (at most 10 MiB) as a table with at least one data row and no more
/// than the configured rows, columns, cells and unzipped bytes.
async fn read_upload(
    format: Option<&str>,
    payload: web::Payload,
    limits: ImportLimits,
) -> Result<Table, AppError> {
    let format = Format::parse(format)?;
    // The outer result is the limit, the inner one the connection.
    let body = match payload.to_bytes_limited(MAX_IMPORT_BYTES).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => return Err(AppError::bad_request(format!("{e}"), format!("{e}"))),
        Err(_) => {
            return Err(AppError::new(
                ErrorCode::PayloadTooLarge,
                "Het bestand is te groot (maximaal 10 MiB).",
                "The file is too large (at most 10 MiB).",
            ));
        }
    };
    table::read(format, body, limits).await
}

/// The answer to an import: 200 with the report, or 422 when it has problems.
fn answer(report: ImportReport) -> HttpResponse {
    if report.problems.is_empty() {
        HttpResponse::Ok().json(report)
    } else {
        HttpResponse::UnprocessableEntity().json(report)
    }
}
