//! Imports of the department's files. Daily registrations: see [`registrations`].
//!
//! `POST /api/imports/contracts?format=csv|xlsx&dry_run=true`: the department's register of
//! enclave contracts, from CSV (`;` or `,`) or Excel. Columns are found by their header (Dutch
//! or English, case and accents ignored); every row is validated and every problem named with
//! its row number; the import is all or nothing, in one transaction that also records the
//! register changes devices pull and an audit row. A contract is known by its reference:
//! importing the same file twice adds nothing.
//!
//! Columns: `referentie` (reference), `maatwerkbedrijf` (its enterprise number),
//! `gastorganisatie` / `host` (its enterprise number), `start`, `einde` / `end` (optional),
//! `ontvangen` / `notified` (date or date and time, Belgian), `status` (optional: gemeld,
//! goedgekeurd, geweigerd, beëindigd or the English words), `reden weigering` /
//! `rejection_reason`. The enclave is the one of that maatwerkbedrijf at that host.

pub mod registrations;

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Deserialize;
use shared::dto::auth::Role;
use shared::dto::contract::ContractStatus;
use shared::dto::enclave::Province;
use shared::dto::report::{ImportReport, RowProblem};
use shared::dto::sync::Entity;
use shared::error::ErrorCode;
use shared::rules::contract_filed::regime_for_start;
use shared::rules::enterprise_number::EnterpriseNumber;
use shared::rules::time::from_belgian_local;
use utoipa::IntoParams;

use crate::auth::AuthUser;
use crate::db::repo::inspections::{RegisterChange, add_register_changes};
use crate::db::repo::{self, audit};
use crate::db::rows::ContractRow;
use crate::error::AppError;
use crate::search_text::normalise;
use crate::state::AppState;

/// Largest file accepted: 10 MiB.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;
/// Most data rows in one file.
pub const MAX_IMPORT_ROWS: usize = 20_000;

/// Registers the import routes under `/api`.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/imports/contracts", web::post().to(contracts_import))
        .route(
            "/imports/registrations",
            web::post().to(registrations::registrations_import),
        );
}

/// Query of the imports.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportQuery {
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
    /// Validate and preview only.
    #[serde(default)]
    pub dry_run: bool,
}

/// Import contracts (all or nothing); `dry_run=true` previews.
#[utoipa::path(post, path = "/api/imports/contracts", tag = "imports", params(ImportQuery),
    request_body(content = String, description = "The CSV or XLSX file"),
    security(("bearer" = [])),
    responses((status = 200, body = ImportReport), (status = 400, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError), (status = 413, body = shared::error::ApiError),
              (status = 422, body = ImportReport, description = "Problems: nothing imported")))]
pub async fn contracts_import(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let ImportQuery { format, dry_run } = query.into_inner();
    let table = read_upload(format.as_deref(), payload).await?;
    let snapshot = state.index.snapshot(&state.db).await?;
    // (mwb digits, host digits) → enclaves of that pair.
    let mut pairs: HashMap<(String, String), Vec<(String, Province)>> = HashMap::new();
    for e in snapshot.entries() {
        let digits = |n: &Option<String>| n.as_deref().map(only_digits).unwrap_or_default();
        pairs
            .entry((
                digits(&e.maatwerkbedrijf.enterprise_number),
                digits(&e.host.enterprise_number),
            ))
            .or_default()
            .push((e.id.clone(), e.province));
    }
    let (parsed, mut problems) = validate(&table, &pairs);
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
                let (mut added, mut updated, mut unchanged) = (0, 0, 0);
                let mut changes = Vec::new();
                let mut writes = Vec::new();
                for p in &parsed {
                    match existing.get(&p.row.reference) {
                        Some(old) if old.enclave_id != p.row.enclave_id => {
                            problems.push(problem(
                                p.line,
                                "referentie",
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
                            updated += 1;
                            let mut row = p.row.clone();
                            row.id = old.id.clone();
                            row.created_at = old.created_at;
                            writes.push((row, true));
                            changes.push(p);
                        }
                        None => {
                            added += 1;
                            writes.push((p.row.clone(), false));
                            changes.push(p);
                        }
                    }
                }
                if !problems.is_empty() || dry_run {
                    return Ok((added, updated, unchanged, problems));
                }
                for (row, exists) in &writes {
                    if *exists {
                        repo::contracts::update_imported(conn, row)?;
                    } else {
                        repo::contracts::insert(conn, row)?;
                    }
                }
                let register: Vec<RegisterChange> = writes
                    .iter()
                    .zip(&changes)
                    .map(|((row, _), p)| RegisterChange {
                        entity: Entity::Contract,
                        id: row.id.clone(),
                        enclave_id: row.enclave_id.clone(),
                        province: p.province,
                        deleted: false,
                    })
                    .collect();
                add_register_changes(conn, &register, repo::now())?;
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
                Ok((added, updated, unchanged, problems))
            })
        })
        .await?;
    let (added, updated, unchanged, problems) = outcome;
    let failed = !problems.is_empty();
    Ok(answer(ImportReport {
        dry_run,
        rows,
        added: if failed { 0 } else { added },
        updated: if failed { 0 } else { updated },
        unchanged,
        problems,
    }))
}

/// Reads an uploaded file (at most 10 MiB) as a table with at least one and at most
/// [`MAX_IMPORT_ROWS`] data rows.
async fn read_upload(format: Option<&str>, payload: web::Payload) -> Result<Table, AppError> {
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
    let table = match format.unwrap_or("csv") {
        "csv" => read_csv(&body)?,
        "xlsx" => read_xlsx(&body)?,
        _ => {
            return Err(AppError::bad_request(
                "format moet csv of xlsx zijn.",
                "format must be csv or xlsx.",
            ));
        }
    };
    if table.rows.is_empty() {
        return Err(AppError::bad_request(
            "Het bestand bevat geen gegevensrijen.",
            "The file holds no data rows.",
        ));
    }
    if table.rows.len() > MAX_IMPORT_ROWS {
        return Err(AppError::bad_request(
            "Te veel rijen (hoogstens 20 000 per bestand).",
            "Too many rows (at most 20,000 per file).",
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

/// A file as header and rows of text cells.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn unreadable(what_nl: &str, what_en: &str) -> AppError {
    AppError::bad_request(
        format!("Het bestand is geen leesbaar {what_nl}-bestand."),
        format!("The file is not a readable {what_en} file."),
    )
}

fn read_csv(body: &[u8]) -> Result<Table, AppError> {
    let text = std::str::from_utf8(body).map_err(|_| unreadable("CSV (UTF-8)", "CSV (UTF-8)"))?;
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() >= first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut all = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| unreadable("CSV", "CSV"))?;
        all.push(
            record
                .iter()
                .map(|c| c.trim().to_owned())
                .collect::<Vec<_>>(),
        );
    }
    split(all)
}

fn read_xlsx(body: &[u8]) -> Result<Table, AppError> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(body.to_vec()))
        .map_err(|_| unreadable("Excel (.xlsx)", "Excel (.xlsx)"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("Excel (.xlsx)", "Excel (.xlsx)"))?
        .map_err(|_| unreadable("Excel (.xlsx)", "Excel (.xlsx)"))?;
    let all = range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    Data::DateTime(d) => excel_datetime(d.as_f64())
                        .map(|t| {
                            if t.time() == chrono::NaiveTime::MIN {
                                t.date().to_string()
                            } else {
                                t.format("%Y-%m-%d %H:%M").to_string()
                            }
                        })
                        .unwrap_or_default(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                    other => other.to_string().trim().to_owned(),
                })
                .collect()
        })
        .collect();
    split(all)
}

/// An Excel serial date (days since 1899-12-30, the fraction the time of day), to the minute.
fn excel_datetime(serial: f64) -> Option<NaiveDateTime> {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let minutes = (serial * 24.0 * 60.0).round();
    (minutes.is_finite() && minutes.abs() < 1e9)
        .then(|| epoch + chrono::Duration::minutes(minutes as i64))
}

fn split(mut all: Vec<Vec<String>>) -> Result<Table, AppError> {
    all.retain(|r| r.iter().any(|c| !c.is_empty()));
    if all.is_empty() {
        return Err(AppError::bad_request(
            "Het bestand is leeg.",
            "The file is empty.",
        ));
    }
    let header = all.remove(0).iter().map(|h| normalise(h)).collect();
    Ok(Table { header, rows: all })
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
}

/// The columns, each by its accepted (normalised) headers.
const COLUMNS: [(&str, &[&str]); 8] = [
    ("referentie", &["referentie", "reference"]),
    (
        "maatwerkbedrijf",
        &[
            "maatwerkbedrijf",
            "ondernemingsnummer maatwerkbedrijf",
            "mwb",
        ],
    ),
    (
        "gastorganisatie",
        &[
            "gastorganisatie",
            "gastbedrijf",
            "host",
            "ondernemingsnummer gastorganisatie",
        ],
    ),
    ("start", &["start", "startdatum", "start date"]),
    ("einde", &["einde", "einddatum", "end", "end date"]),
    (
        "ontvangen",
        &["ontvangen", "gemeld", "notified", "received", "melding"],
    ),
    ("status", &["status"]),
    (
        "reden weigering",
        &["reden weigering", "rejection reason", "rejection_reason"],
    ),
];

fn validate(
    table: &Table,
    pairs: &HashMap<(String, String), Vec<(String, Province)>>,
) -> (Vec<Parsed>, Vec<RowProblem>) {
    let mut problems = Vec::new();
    let index = match columns(
        &table.header,
        &COLUMNS,
        &[
            "referentie",
            "maatwerkbedrijf",
            "gastorganisatie",
            "start",
            "ontvangen",
        ],
    ) {
        Ok(index) => index,
        Err(missing) => return (Vec::new(), missing),
    };
    let now = repo::now();
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut parsed = Vec::new();
    for (i, cells) in table.rows.iter().enumerate() {
        let line = i as u32 + 2;
        let cell = |name: &str| cell_of(&index, cells, name);
        let before = problems.len();
        let mut bad =
            |column: &str, nl: String, en: String| problems.push(problem(line, column, nl, en));
        let reference = cell("referentie").to_owned();
        if reference.is_empty() {
            bad(
                "referentie",
                "De referentie ontbreekt.".into(),
                "The reference is missing.".into(),
            );
        } else if let Some(first) = seen.insert(reference.clone(), line) {
            bad(
                "referentie",
                format!("Referentie {reference} staat ook al op rij {first}."),
                format!("Reference {reference} is also on row {first}."),
            );
        }
        let number =
            |column: &str, bad: &mut dyn FnMut(&str, String, String)| match cell(column)
                .parse::<EnterpriseNumber>(
            ) {
                Ok(n) => Some(n.digits().to_owned()),
                Err(e) => {
                    bad(
                        column,
                        format!("{}: {}", cell(column), e.message_nl()),
                        format!("{}: {}", cell(column), e.message_en()),
                    );
                    None
                }
            };
        let mwb = number("maatwerkbedrijf", &mut bad);
        let host = number("gastorganisatie", &mut bad);
        let start = date(cell("start"), "start", &mut bad, true).flatten();
        let end = date(cell("einde"), "einde", &mut bad, false);
        let notified = datetime(cell("ontvangen"), "ontvangen", &mut bad);
        let status = match normalise(cell("status")).as_str() {
            "" | "gemeld" | "notified" => Some(ContractStatus::Notified),
            "goedgekeurd" | "approved" => Some(ContractStatus::Approved),
            "geweigerd" | "rejected" => Some(ContractStatus::Rejected),
            "beeindigd" | "ended" => Some(ContractStatus::Ended),
            other => {
                bad(
                    "status",
                    format!(
                        "Onbekende status '{other}' (gemeld, goedgekeurd, geweigerd of beëindigd)."
                    ),
                    format!("Unknown status '{other}' (notified, approved, rejected or ended)."),
                );
                None
            }
        };
        let reason = cell("reden weigering").to_owned();
        if status == Some(ContractStatus::Rejected) && reason.is_empty() {
            bad(
                "reden weigering",
                "Een geweigerd contract heeft een reden.".into(),
                "A rejected contract needs a reason.".into(),
            );
        }
        if let (Some(s), Some(Some(e))) = (start, end)
            && e < s
        {
            bad(
                "einde",
                "Het einde ligt voor de start.".into(),
                "The end is before the start.".into(),
            );
        }
        let enclave = match (&mwb, &host) {
            (Some(m), Some(h)) => match pairs.get(&(m.clone(), h.clone())).map(Vec::as_slice) {
                Some([one]) => Some(one.clone()),
                Some([]) | None => {
                    bad(
                        "gastorganisatie",
                        "Er is geen enclave van dit maatwerkbedrijf bij deze gastorganisatie."
                            .into(),
                        "There is no enclave of this maatwerkbedrijf at this host.".into(),
                    );
                    None
                }
                Some(_) => {
                    bad(
                        "gastorganisatie",
                        "Dit maatwerkbedrijf heeft meerdere enclaves bij deze gastorganisatie."
                            .into(),
                        "This maatwerkbedrijf has several enclaves at this host.".into(),
                    );
                    None
                }
            },
            _ => None,
        };
        if problems.len() > before {
            continue;
        }
        let (Some(start), Some(end), Some(notified), Some(status), Some((enclave_id, province))) =
            (start, end, notified, status, enclave)
        else {
            continue;
        };
        parsed.push(Parsed {
            line,
            province,
            row: ContractRow {
                id: uuid::Uuid::new_v4().to_string(),
                enclave_id,
                reference,
                start_date: start,
                end_date: end,
                notified_at: Some(from_belgian_local(notified).naive_utc()),
                approved_at: None,
                regime: regime_for_start(start).as_str().to_owned(),
                status: status.as_str().to_owned(),
                rejection_reason: (!reason.is_empty()).then_some(reason),
                min_supervisors: 1,
                created_at: now,
                updated_at: now,
            },
        });
    }
    (parsed, problems)
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
        && old.status == new.status
        && old.rejection_reason == new.rejection_reason
}
