//! Imports of the department's files. Daily registrations: see [`registrations`].
//!
//! The contract register, from CSV (`;` or `,`) or Excel, in two steps:
//! `POST /api/imports/contracts/columns?format=csv|xlsx` reads the header row and the cells
//! and proposes which column holds which field ([`mapping`]); the clerk confirms or corrects
//! it and sends the file to `POST /api/imports/contracts?format=&dry_run=true&mapping=JSON`,
//! where `mapping` is `{"reference": 0, "maatwerkbedrijf": 4, …}` (field → 0-based column;
//! without it the proposal is used). Every row is checked by `shared::rules::register` (the
//! same rule as the register form) and against the register: the enclave is the one of that
//! maatwerkbedrijf at that host, told apart by the site column when the host has several, and
//! a contract must not overlap another one of its enclave (open-ended ones included). Every
//! problem is named with its row; the import is all or nothing, in one transaction that also
//! records the register changes devices pull and an audit row, and its report lists each
//! contract added or changed. A contract is known by its reference: importing the same file
//! twice adds nothing.

mod mapping;
pub mod registrations;
mod table;

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use shared::dto::auth::Role;
use shared::dto::contract::{Contract, ContractDraft, ContractStatus};
use shared::dto::enclave::Province;
use shared::dto::import::{
    ColumnMapping, ContractField, ImportChange, ImportColumns, ImportReport, ImportedContract,
    RowProblem,
};
use shared::dto::sync::Entity;
use shared::error::ErrorCode;
use shared::rules::contract_filed::regime_for_start;
use shared::rules::enterprise_number::EnterpriseNumber;
use shared::rules::inspection::ProblemCode;
use shared::rules::register::{overlap_problem, overlapping, validate_contract};
use shared::rules::time::from_belgian_local;
use utoipa::IntoParams;
use uuid::Uuid;

use self::table::{Format, Table};
use crate::auth::AuthUser;
use crate::config::ImportLimits;
use crate::db::repo::inspections::{RegisterChange, add_register_changes};
use crate::db::repo::{self, audit};
use crate::db::rows::ContractRow;
use crate::error::AppError;
use crate::index::{Entry, Snapshot};
use crate::search_text::normalise;
use crate::state::AppState;

/// Largest file accepted: 10 MiB.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

/// Registers the import routes under `/api`.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/imports/contracts", web::post().to(contracts_import))
        .route(
            "/imports/contracts/columns",
            web::post().to(contract_columns),
        )
        .route(
            "/imports/registrations",
            web::post().to(registrations::registrations_import),
        );
}

/// Query of the imports.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `csv` (default) or `xlsx`.
    #[param(pattern = "^(csv|xlsx)$")]
    pub format: Option<String>,
    /// Validate and preview only.
    #[serde(default)]
    pub dry_run: bool,
}

/// Query of the contract import.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractImportQuery {
    /// `csv` (default) or `xlsx`.
    #[param(pattern = "^(csv|xlsx)$")]
    pub format: Option<String>,
    /// Validate and preview only.
    #[serde(default)]
    pub dry_run: bool,
    /// The confirmed columns as JSON, field → 0-based column, e.g.
    /// `{"reference":0,"maatwerkbedrijf":4,"host":2,"site":5,"start":6,"received":7}`
    /// (fields: reference, maatwerkbedrijf, host, site, start, end, received, approved,
    /// status, rejection_reason). Without it, the proposal of `/columns` is used.
    pub mapping: Option<String>,
}

/// Query of the column proposal.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `csv` (default) or `xlsx`.
    #[param(pattern = "^(csv|xlsx)$")]
    pub format: Option<String>,
}

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
        Some(json) => parse_mapping(&json, table.header.len())?,
        None => mapping::propose(&table),
    };
    // Overlaps are judged on the register as it is now, not as the index saw it up to
    // `max_age` ago.
    state.index.expire();
    let snapshot = state.index.snapshot(&state.db).await?;
    let (parsed, mut problems) = validate(&table, &mapping, &snapshot);
    let rows = table.rows.len() as u32;
    let actor = (user.id.clone(), user.username.clone(), user.client.clone());
    let outcome = state
        .db
        .run(move |conn| {
            conn.transaction::<_, AppError, _>(|conn| {
                let references: Vec<String> =
                    parsed.iter().map(|p| p.row.reference.clone()).collect();
                let existing: HashMap<String, ContractRow> =
                    repo::contracts::by_references(conn, &references)?
                        .into_iter()
                        .map(|row| (row.reference.clone(), row))
                        .collect();
                let mut unchanged = 0;
                let mut writes = Vec::new();
                for p in &parsed {
                    match existing.get(&p.row.reference) {
                        Some(old) if old.enclave_id != p.row.enclave_id => {
                            problems.push(problem(
                                p.line,
                                &p.reference_column,
                                format!(
                                    "Referentie {} hoort bij een andere enclave.",
                                    p.row.reference
                                ),
                                format!(
                                    "Reference {} belongs to another enclave.",
                                    p.row.reference
                                ),
                            ));
                        }
                        Some(old) if same(old, &p.row) => unchanged += 1,
                        Some(old) => {
                            let mut row = p.row.clone();
                            row.id = old.id.clone();
                            row.created_at = old.created_at;
                            row.min_supervisors = old.min_supervisors;
                            writes.push((row, p, ImportChange::Updated));
                        }
                        None => writes.push((p.row.clone(), p, ImportChange::Added)),
                    }
                }
                let imported: Vec<ImportedContract> = writes
                    .iter()
                    .map(|(row, p, change)| ImportedContract {
                        row: p.line,
                        reference: row.reference.clone(),
                        enclave_id: p.enclave_id,
                        enclave: p.enclave.clone(),
                        change: *change,
                    })
                    .collect();
                if !problems.is_empty() || dry_run {
                    return Ok((unchanged, imported, problems));
                }
                for (row, _, change) in &writes {
                    match change {
                        ImportChange::Updated => repo::contracts::update_imported(conn, row)?,
                        ImportChange::Added => repo::contracts::insert(conn, row)?,
                    }
                }
                let register: Vec<RegisterChange> = writes
                    .iter()
                    .map(|(row, p, _)| RegisterChange {
                        entity: Entity::Contract,
                        id: row.id.clone(),
                        enclave_id: row.enclave_id.clone(),
                        province: p.province,
                        deleted: false,
                    })
                    .collect();
                add_register_changes(conn, &register, repo::now())?;
                let added = count(&imported, ImportChange::Added);
                let updated = count(&imported, ImportChange::Updated);
                audit::record(
                    conn,
                    audit::Event {
                        actor_id: Some(&actor.0),
                        actor_username: Some(&actor.1),
                        client: &actor.2,
                        action: "contracts_import",
                        outcome: "success",
                        detail: Some(format!(
                            "{added} added, {updated} updated, {unchanged} unchanged"
                        )),
                        ..Default::default()
                    },
                )?;
                Ok((unchanged, imported, problems))
            })
        })
        .await?;
    let (unchanged, imported, problems) = outcome;
    if !dry_run && problems.is_empty() && !imported.is_empty() {
        state.index.expire();
    }
    let failed = !problems.is_empty();
    Ok(answer(ImportReport {
        dry_run,
        rows,
        added: if failed {
            0
        } else {
            count(&imported, ImportChange::Added)
        },
        updated: if failed {
            0
        } else {
            count(&imported, ImportChange::Updated)
        },
        unchanged,
        problems,
        contracts: if failed { Vec::new() } else { imported },
    }))
}

fn count(imported: &[ImportedContract], change: ImportChange) -> u32 {
    imported.iter().filter(|c| c.change == change).count() as u32
}

/// The `mapping` parameter: JSON field → column, each column within the file and used once.
fn parse_mapping(json: &str, width: usize) -> Result<ColumnMapping, AppError> {
    let mapping: ColumnMapping = serde_json::from_str(json).map_err(|e| {
        AppError::new(
            ErrorCode::ValidationFailed,
            format!("mapping is geen geldige koppeling van velden aan kolommen: {e}"),
            format!("mapping is not a valid map of fields to columns: {e}"),
        )
    })?;
    let mut seen = HashMap::new();
    for (field, &column) in &mapping {
        if column as usize >= width {
            return Err(AppError::new(
                ErrorCode::ValidationFailed,
                format!(
                    "Het bestand heeft geen kolom {} (veld {}).",
                    column + 1,
                    field.as_str()
                ),
                format!(
                    "The file has no column {} (field {}).",
                    column + 1,
                    field.as_str()
                ),
            ));
        }
        if let Some(other) = seen.insert(column, *field) {
            return Err(AppError::new(
                ErrorCode::ValidationFailed,
                format!(
                    "Kolom {} is gekozen voor zowel {} als {}.",
                    column + 1,
                    other.label().0,
                    field.label().0
                ),
                format!(
                    "Column {} is chosen for both {} and {}.",
                    column + 1,
                    other.label().1,
                    field.label().1
                ),
            ));
        }
    }
    Ok(mapping)
}

/// Reads an uploaded file (at most 10 MiB) as a table with at least one data row and no more
/// than the configured rows, columns, cells and unzipped bytes.
async fn read_upload(
    format: Option<&str>,
    payload: web::Payload,
    limits: ImportLimits,
) -> Result<Table, AppError> {
    let format = match format.unwrap_or("csv") {
        "csv" => Format::Csv,
        "xlsx" => Format::Xlsx,
        _ => {
            return Err(AppError::bad_request(
                "format moet csv of xlsx zijn.",
                "format must be csv or xlsx.",
            ));
        }
    };
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
    let table = table::read(format, body, limits).await?;
    if table.rows.is_empty() {
        return Err(AppError::new(
            ErrorCode::ValidationFailed,
            "Het bestand bevat geen gegevensrijen.",
            "The file holds no data rows.",
        ));
    }
    Ok(table)
}

/// The answer to an import: 200 with the report, or 422 when it has problems.
fn answer(report: ImportReport) -> HttpResponse {
    if report.problems.is_empty() {
        HttpResponse::Ok().json(report)
    } else {
        HttpResponse::UnprocessableEntity().json(report)
    }
}

/// Finds each column by its accepted headers; a missing required one is a problem of row 1.
fn columns(
    header: &[String],
    spec: &[(&'static str, &[&str])],
    required: &[&str],
) -> Result<HashMap<&'static str, usize>, Vec<RowProblem>> {
    let header: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    let index: HashMap<&'static str, usize> = spec
        .iter()
        .filter_map(|(name, aliases)| {
            let normalised: Vec<String> = aliases.iter().map(|a| normalise(a)).collect();
            header
                .iter()
                .position(|h| normalised.contains(h))
                .map(|i| (*name, i))
        })
        .collect();
    let missing: Vec<RowProblem> = required
        .iter()
        .filter(|r| !index.contains_key(*r))
        .map(|r| {
            problem(
                1,
                r,
                format!("De kolom '{r}' ontbreekt in de kopregel."),
                format!("The column '{r}' is missing from the header row."),
            )
        })
        .collect();
    if missing.is_empty() {
        Ok(index)
    } else {
        Err(missing)
    }
}

/// The cell of column `name` in a row; empty when the file has no such column or the row
/// is short.
fn cell_of<'a>(index: &HashMap<&'static str, usize>, cells: &'a [String], name: &str) -> &'a str {
    index
        .get(name)
        .and_then(|&c| cells.get(c))
        .map(String::as_str)
        .unwrap_or("")
}

fn only_digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn problem(row: u32, column: &str, nl: String, en: String) -> RowProblem {
    RowProblem {
        row,
        column: column.to_owned(),
        message_nl: nl,
        message_en: en,
    }
}

/// A valid row, ready to write.
struct Parsed {
    /// The row's number in the file (header = 1).
    line: u32,
    row: ContractRow,
    province: Province,
    enclave_id: Uuid,
    /// The enclave as the report names it.
    enclave: String,
    /// The file's header of the reference column.
    reference_column: String,
}

/// The enclave as a clerk recognises it: host — site, municipality.
fn enclave_label(e: &Entry) -> String {
    format!(
        "{} — {}, {}",
        e.host.name, e.summary.site.name, e.summary.site.municipality
    )
}

/// Whether a site cell names this enclave: its establishment unit number (any format), or its
/// site name, street, street and municipality, or municipality.
fn names_site(cell: &str, e: &Entry) -> bool {
    let site = &e.summary.site;
    let digits = only_digits(cell);
    if digits.len() >= 9
        && site
            .establishment_unit_number
            .as_deref()
            .is_some_and(|n| only_digits(n) == digits)
    {
        return true;
    }
    let wanted = normalise(cell);
    [
        site.name.clone(),
        site.street.clone(),
        format!("{} {}", site.street, site.municipality),
        format!("{} {} {}", site.street, site.postcode, site.municipality),
        site.municipality.clone(),
        format!("{} {}", site.name, site.municipality),
    ]
    .iter()
    .any(|s| normalise(s) == wanted)
}

/// The field's column header as the file writes it (else the field's name).
fn header_of(table: &Table, mapping: &ColumnMapping, field: ContractField) -> String {
    mapping
        .get(&field)
        .and_then(|&c| table.header.get(c as usize))
        .filter(|h| !h.is_empty())
        .cloned()
        .unwrap_or_else(|| field.label().0.to_owned())
}

/// The contract's parse of every row, checked by `shared::rules::register` and against the
/// register (the enclave, and overlaps with the contracts it will hold after the import).
fn validate(
    table: &Table,
    mapping: &ColumnMapping,
    snapshot: &Snapshot,
) -> (Vec<Parsed>, Vec<RowProblem>) {
    let column = |field: ContractField| header_of(table, mapping, field);
    let mut problems: Vec<RowProblem> = ContractField::ALL
        .into_iter()
        .filter(|f| f.required() && !mapping.contains_key(f))
        .map(|f| {
            let (nl, en) = f.label();
            problem(
                1,
                nl,
                format!("Geen kolom gekozen voor '{nl}'."),
                format!("No column chosen for '{en}'."),
            )
        })
        .collect();
    if !mapping.contains_key(&ContractField::Received)
        && !mapping.contains_key(&ContractField::Approved)
    {
        problems.push(problem(
            1,
            ContractField::Received.label().0,
            "Geen kolom gekozen voor de datum van ontvangst (of van goedkeuring).".into(),
            "No column chosen for the date received (or approved).".into(),
        ));
    }
    if !problems.is_empty() {
        return (Vec::new(), problems);
    }
    // (mwb digits, host digits) → the enclaves of that pair.
    let mut pairs: HashMap<(String, String), Vec<&Entry>> = HashMap::new();
    for e in snapshot.entries() {
        let digits = |n: &Option<String>| n.as_deref().map(only_digits).unwrap_or_default();
        pairs
            .entry((
                digits(&e.maatwerkbedrijf.enterprise_number),
                digits(&e.host.enterprise_number),
            ))
            .or_default()
            .push(e);
    }
    let now = Utc::now();
    let stamp = repo::now();
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut parsed: Vec<(Parsed, ContractDraft)> = Vec::new();
    // Shared by the row's checks below, each of which may add to it.
    let problems = std::cell::RefCell::new(problems);
    for (i, cells) in table.rows.iter().enumerate() {
        let line = i as u32 + 2;
        let cell = |field: ContractField| {
            mapping
                .get(&field)
                .and_then(|&c| cells.get(c as usize))
                .map(String::as_str)
                .unwrap_or("")
        };
        let before = problems.borrow().len();
        let bad = |field: ContractField, nl: String, en: String| {
            problems
                .borrow_mut()
                .push(problem(line, &column(field), nl, en))
        };
        let reference = cell(ContractField::Reference).to_owned();
        if reference.is_empty() {
            bad(
                ContractField::Reference,
                "De referentie ontbreekt.".into(),
                "The reference is missing.".into(),
            );
        } else if let Some(first) = seen.insert(reference.clone(), line) {
            bad(
                ContractField::Reference,
                format!("Referentie {reference} staat ook al op rij {first}."),
                format!("Reference {reference} is also on row {first}."),
            );
        }
        let number = |field: ContractField, whose: (&str, &str)| {
            let value = cell(field);
            if value.is_empty() {
                bad(
                    field,
                    format!("Het ondernemingsnummer van {} ontbreekt.", whose.0),
                    format!("The enterprise number of {} is missing.", whose.1),
                );
                return None;
            }
            match value.parse::<EnterpriseNumber>() {
                Ok(n) => Some(n.digits().to_owned()),
                Err(e) => {
                    bad(
                        field,
                        format!("{value}: {}", e.message_nl()),
                        format!("{value}: {}", e.message_en()),
                    );
                    None
                }
            }
        };
        let mwb = number(
            ContractField::Maatwerkbedrijf,
            ("het maatwerkbedrijf", "the maatwerkbedrijf"),
        );
        let host = number(ContractField::Host, ("de gebruiker", "the host"));
        let day = |field: ContractField| -> Result<Option<NaiveDate>, ()> {
            let value = cell(field);
            if value.is_empty() {
                return Ok(None);
            }
            mapping::parse_date(value).map(Some).ok_or_else(|| {
                bad(
                    field,
                    format!("'{value}' is geen datum (JJJJ-MM-DD of DD/MM/JJJJ)."),
                    format!("'{value}' is not a date (YYYY-MM-DD or DD/MM/YYYY)."),
                )
            })
        };
        let start = day(ContractField::Start);
        let end = day(ContractField::End);
        let moment = |field: ContractField| -> Result<Option<NaiveDateTime>, ()> {
            let value = cell(field);
            if value.is_empty() {
                return Ok(None);
            }
            mapping::parse_datetime(value).map(Some).ok_or_else(|| {
                bad(
                    field,
                    format!(
                        "'{value}' is geen datum (JJJJ-MM-DD of DD/MM/JJJJ, eventueel met UU:MM)."
                    ),
                    format!(
                        "'{value}' is not a date (YYYY-MM-DD or DD/MM/YYYY, optionally with HH:MM)."
                    ),
                )
            })
        };
        let received = moment(ContractField::Received);
        let approved = moment(ContractField::Approved);
        if start == Ok(None) {
            bad(
                ContractField::Start,
                "De startdatum ontbreekt.".into(),
                "The start date is missing.".into(),
            );
        }
        if let (Ok(Some(s)), Ok(Some(e))) = (start, end)
            && e < s
        {
            // Also said when other cells of the row fail (the register's rule then does not run).
            bad(
                ContractField::End,
                "Het einde ligt voor de start.".into(),
                "The end is before the start.".into(),
            );
        }
        let status = match normalise(cell(ContractField::Status)).as_str() {
            "" | "gemeld" | "notified" => Some(ContractStatus::Notified),
            "goedgekeurd" | "approved" => Some(ContractStatus::Approved),
            "geweigerd" | "rejected" => Some(ContractStatus::Rejected),
            "beeindigd" | "ended" => Some(ContractStatus::Ended),
            other => {
                bad(
                    ContractField::Status,
                    format!(
                        "Onbekende status '{other}' (gemeld, goedgekeurd, geweigerd of beëindigd)."
                    ),
                    format!("Unknown status '{other}' (notified, approved, rejected or ended)."),
                );
                None
            }
        };
        let enclave = match (&mwb, &host) {
            (Some(m), Some(h)) => {
                let candidates = pairs
                    .get(&(m.clone(), h.clone()))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let site = cell(ContractField::Site);
                let chosen: Vec<&Entry> = match candidates {
                    [one] => vec![*one],
                    _ if site.is_empty() => candidates.to_vec(),
                    _ => candidates
                        .iter()
                        .copied()
                        .filter(|e| names_site(site, e))
                        .collect(),
                };
                let names = || {
                    candidates
                        .iter()
                        .map(|e| {
                            let s = &e.summary.site;
                            match &s.establishment_unit_number {
                                Some(n) => {
                                    format!("{} ({}, {}; {n})", s.name, s.street, s.municipality)
                                }
                                None => format!("{} ({}, {})", s.name, s.street, s.municipality),
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                match chosen.as_slice() {
                    [one] => Some(*one),
                    _ if candidates.is_empty() => {
                        bad(
                            ContractField::Host,
                            "Er is geen enclave van dit maatwerkbedrijf bij deze gebruiker.".into(),
                            "There is no enclave of this maatwerkbedrijf at this host.".into(),
                        );
                        None
                    }
                    _ if site.is_empty() => {
                        bad(
                            ContractField::Site,
                            format!(
                                "Dit maatwerkbedrijf heeft {} enclaves bij deze gebruiker: {}. Vul de vestiging in.",
                                candidates.len(),
                                names()
                            ),
                            format!(
                                "This maatwerkbedrijf has {} enclaves at this host: {}. Fill in the site.",
                                candidates.len(),
                                names()
                            ),
                        );
                        None
                    }
                    _ => {
                        bad(
                            ContractField::Site,
                            format!(
                                "Vestiging '{site}' wijst geen enkele enclave aan; deze gebruiker heeft: {}.",
                                names()
                            ),
                            format!(
                                "Site '{site}' names none of the enclaves; this host has: {}.",
                                names()
                            ),
                        );
                        None
                    }
                }
            }
            _ => None,
        };
        let reason = cell(ContractField::RejectionReason).trim().to_owned();
        let (
            Ok(Some(start)),
            Ok(end),
            Ok(received),
            Ok(approved),
            Some(status),
            Some(enclave),
            true,
        ) = (
            start,
            end,
            received,
            approved,
            status,
            enclave,
            problems.borrow().len() == before,
        )
        else {
            continue;
        };
        let Ok(enclave_id) = Uuid::parse_str(&enclave.id) else {
            continue;
        };
        let draft = ContractDraft {
            enclave_id,
            reference: reference.clone(),
            start_date: start,
            end_date: end,
            notified_at: received.map(from_belgian_local),
            approved_at: approved.map(from_belgian_local),
            status,
            rejection_reason: (!reason.is_empty()).then_some(reason),
            min_supervisors: 1,
        };
        for p in validate_contract(&draft, now) {
            let (field, nl, en) = match (p.field.as_str(), p.code) {
                ("notified_at", ProblemCode::Required) => (
                    ContractField::Received,
                    "De datum van ontvangst ontbreekt.".to_owned(),
                    "The date received is missing.".to_owned(),
                ),
                ("reference", _) => (ContractField::Reference, p.message_nl, p.message_en),
                ("end_date", _) => (ContractField::End, p.message_nl, p.message_en),
                ("notified_at", _) => (ContractField::Received, p.message_nl, p.message_en),
                ("approved_at", _) => (ContractField::Approved, p.message_nl, p.message_en),
                ("rejection_reason", _) => {
                    (ContractField::RejectionReason, p.message_nl, p.message_en)
                }
                _ => (ContractField::Start, p.message_nl, p.message_en),
            };
            bad(field, nl, en);
        }
        if problems.borrow().len() > before {
            continue;
        }
        parsed.push((
            Parsed {
                line,
                province: enclave.province,
                enclave_id,
                enclave: enclave_label(enclave),
                reference_column: column(ContractField::Reference),
                row: ContractRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    enclave_id: enclave.id.clone(),
                    reference: draft.reference.clone(),
                    start_date: start,
                    end_date: end,
                    notified_at: draft.notified_at.map(|t| t.naive_utc()),
                    approved_at: draft.approved_at.map(|t| t.naive_utc()),
                    regime: regime_for_start(start).as_str().to_owned(),
                    status: status.as_str().to_owned(),
                    rejection_reason: draft.rejection_reason.clone(),
                    min_supervisors: 1,
                    created_at: stamp,
                    updated_at: stamp,
                },
            },
            draft,
        ));
    }
    let mut problems = problems.into_inner();
    // Overlaps: each row against the contracts its enclave holds after the import (the
    // register's, with the file's rows in place of those with the same reference).
    let in_file: HashMap<&str, &ContractDraft> = parsed
        .iter()
        .map(|(_, d)| (d.reference.as_str(), d))
        .collect();
    let mut after: HashMap<Uuid, Vec<Contract>> = HashMap::new();
    for (p, d) in &parsed {
        if let Some(entry) = snapshot.get(&p.row.enclave_id) {
            after.entry(d.enclave_id).or_insert_with(|| {
                entry
                    .contracts
                    .iter()
                    .filter(|c| !in_file.contains_key(c.reference.as_str()))
                    .cloned()
                    .collect()
            });
        }
    }
    for (_, d) in &parsed {
        if let Some(list) = after.get_mut(&d.enclave_id) {
            list.push(Contract {
                id: Uuid::nil(),
                enclave_id: d.enclave_id,
                reference: d.reference.clone(),
                start_date: d.start_date,
                end_date: d.end_date,
                notified_at: d.notified_at,
                approved_at: d.approved_at,
                regime: regime_for_start(d.start_date),
                status: d.status,
                rejection_reason: d.rejection_reason.clone(),
                min_supervisors: d.min_supervisors,
            });
        }
    }
    let mut valid = Vec::with_capacity(parsed.len());
    for (p, d) in parsed {
        let others = after
            .get(&d.enclave_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let overlaps = overlapping(&d, others);
        if overlaps.is_empty() {
            valid.push(p);
            continue;
        }
        for other in overlaps {
            let o = overlap_problem(other);
            problems.push(problem(
                p.line,
                &column(ContractField::Start),
                o.message_nl,
                o.message_en,
            ));
        }
    }
    problems.sort_by_key(|p| p.row);
    (valid, problems)
}

/// `YYYY-MM-DD` or `DD/MM/YYYY`; `Some(None)` for an empty optional cell, `None` on a problem.
fn date(
    s: &str,
    column: &str,
    bad: &mut dyn FnMut(&str, String, String),
    required: bool,
) -> Option<Option<NaiveDate>> {
    if s.is_empty() {
        if required {
            bad(
                column,
                format!("De datum '{column}' ontbreekt."),
                format!("The date '{column}' is missing."),
            );
            return None;
        }
        return Some(None);
    }
    match NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
    {
        Ok(d) => Some(Some(d)),
        Err(_) => {
            bad(
                column,
                format!("'{s}' is geen datum (JJJJ-MM-DD of DD/MM/JJJJ)."),
                format!("'{s}' is not a date (YYYY-MM-DD or DD/MM/YYYY)."),
            );
            None
        }
    }
}

/// A Belgian date, or date and time (a bare date counts as noon).
fn datetime(
    s: &str,
    column: &str,
    bad: &mut dyn FnMut(&str, String, String),
) -> Option<NaiveDateTime> {
    for format in ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Some(t);
        }
    }
    for format in ["%Y-%m-%d", "%d/%m/%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, format) {
            return d.and_hms_opt(12, 0, 0);
        }
    }
    bad(
        column,
        format!("'{s}' is geen datum en tijd (JJJJ-MM-DD [UU:MM])."),
        format!("'{s}' is not a date and time (YYYY-MM-DD [HH:MM])."),
    );
    None
}

/// Whether a stored contract already says what the row says.
fn same(old: &ContractRow, new: &ContractRow) -> bool {
    old.start_date == new.start_date
        && old.end_date == new.end_date
        && old.notified_at == new.notified_at
        && old.approved_at == new.approved_at
        && old.status == new.status
        && old.rejection_reason == new.rejection_reason
}
