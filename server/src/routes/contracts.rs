//! The contract register, kept by the department (role `admin`; reviewers may read it).
//!
//! `GET /api/contracts`: the register, filtered (text, maatwerkbedrijf, host type, status,
//! year received, late, open-ended), as JSON pages or as a CSV/XLSX export of every match.
//! `GET /api/contracts/{id}`: one contract, read from the database.
//! `POST /api/contracts`: register a contract; `PUT /api/contracts/{id}`: edit or end one.
//!
//! Writes are checked by `shared::rules::register` (the same checks the PWA runs as the admin
//! types), refused with 409 when the contract changed since the editor read it, and written in
//! one transaction with the register change devices pull and an audit row.

use actix_web::{HttpResponse, web};
use chrono::{Datelike, Utc};
use diesel::Connection;
use shared::dto::auth::Role;
use shared::dto::contract::{
    Contract, ContractDraft, ContractStatus, ContractUpdate, RegisterEntry, RegisterPage,
};
use shared::dto::query::RegisterQuery;
use shared::dto::report::HostType;
use shared::dto::sync::Entity;
use shared::error::ErrorCode;
use shared::rules::contract_filed::regime_for_start;
use shared::rules::enterprise_number::EnterpriseNumber;
use shared::rules::register::{overlap_problem, overlapping, timeliness, validate_contract};

use crate::auth::AuthUser;
use crate::db::repo;
use crate::db::repo::journal::{self, Change};
use crate::db::rows::ContractRow;
use crate::error::AppError;
use crate::index::{Entry, Snapshot};
use crate::routes::reports::{Format, Sheet, csv_table, download, xlsx_book};
use crate::search_text::normalise;
use crate::state::AppState;

/// Most rows in one export.
pub const MAX_EXPORT_ROWS: usize = 50_000;

fn entry_of(e: &Entry, c: &Contract, state: &AppState) -> RegisterEntry {
    RegisterEntry {
        contract: c.clone(),
        maatwerkbedrijf: e.summary.maatwerkbedrijf.clone(),
        host: e.summary.host.clone(),
        site_name: e.summary.site.name.clone(),
        municipality: e.summary.site.municipality.clone(),
        timeliness: timeliness(&ContractDraft::of(c), &state.config.rules),
        support_need: e.summary.support_need,
    }
}

/// Every register entry matching `q`, by maatwerkbedrijf, host, then newest start.
fn matching(snapshot: &Snapshot, q: &RegisterQuery, state: &AppState) -> Vec<RegisterEntry> {
    // An enterprise number in any accepted spelling finds the contracts of that host or
    // maatwerkbedrijf (its dots would otherwise split it into words that match nothing).
    let number =
        q.q.as_deref()
            .and_then(|s| s.trim().parse::<EnterpriseNumber>().ok());
    let has_number = |o: &shared::dto::organisation::Organisation, n: &EnterpriseNumber| {
        o.enterprise_number.as_deref().is_some_and(|d| {
            d.chars().filter(char::is_ascii_digit).collect::<String>() == n.digits()
        })
    };
    let words: Vec<String> = if number.is_some() {
        Vec::new()
    } else {
        q.q.as_deref()
            .map(normalise)
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    };
    let mut out: Vec<RegisterEntry> = snapshot
        .entries()
        .iter()
        .filter(|e| {
            number
                .as_ref()
                .is_none_or(|n| has_number(&e.host, n) || has_number(&e.maatwerkbedrijf, n))
        })
        .filter(|e| q.maatwerkbedrijf.is_none_or(|m| e.maatwerkbedrijf.id == m))
        .filter(|e| q.host_type.is_none_or(|t| HostType::of(e.host.kind) == t))
        .flat_map(|e| e.contracts.iter().map(move |c| (e, c)))
        .filter(|(_, c)| q.status.is_none_or(|s| c.status == s))
        .filter(|(e, c)| {
            words.iter().all(|w| {
                e.search_text.contains(&format!(" {w}")) || normalise(&c.reference).contains(w)
            })
        })
        .map(|(e, c)| entry_of(e, c, state))
        .filter(|r| {
            q.received_year
                .is_none_or(|y| r.timeliness.received.is_some_and(|d| d.year() == y))
        })
        .filter(|r| !q.late || r.timeliness.on_time == Some(false))
        .filter(|r| {
            !q.open_ended
                || (r.contract.end_date.is_none()
                    && !matches!(
                        r.contract.status,
                        ContractStatus::Rejected | ContractStatus::Ended
                    ))
        })
        .collect();
    out.sort_by(|a, b| {
        (
            &a.maatwerkbedrijf.name,
            &a.host.name,
            b.contract.start_date,
            &a.contract.reference,
        )
            .cmp(&(
                &b.maatwerkbedrijf.name,
                &b.host.name,
                a.contract.start_date,
                &b.contract.reference,
            ))
    });
    let key = |r: &RegisterEntry| -> Option<String> {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        Some(match q.sort.as_deref()? {
            "reference" => r.contract.reference.to_lowercase(),
            "maatwerkbedrijf" => normalise(&r.maatwerkbedrijf.name),
            "host" => normalise(&r.host.name),
            "start" => r.contract.start_date.to_string(),
            // Open-ended last.
            "end" => r
                .contract
                .end_date
                .map_or_else(|| "9999".to_owned(), |d| d.to_string()),
            "received" => date(r.timeliness.received),
            "status" => r.contract.status.as_str().to_owned(),
            _ => return None,
        })
    };
    if q.sort.is_some() {
        // Stable: ties keep the default order.
        out.sort_by_cached_key(|r| key(r).unwrap_or_default());
        if q.desc {
            out.reverse();
        }
    }
    out
}

/// The register, filtered: a page as JSON, or every match as CSV or XLSX.
#[utoipa::path(get, path = "/api/contracts", tag = "register", params(RegisterQuery),
    security(("bearer" = [])),
    responses((status = 200, body = RegisterPage, description = "JSON, or CSV/XLSX with format="),
              (status = 400, body = shared::error::ApiError), (status = 403, body = shared::error::ApiError), (status = 429, body = shared::error::ApiError)))]
pub async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin, Role::Reviewer])?;
    let q = query.into_inner();
    let format = Format::parse(q.format.as_deref())?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::bad_request(
            "limit moet tussen 1 en 200 liggen.",
            "limit must be between 1 and 200.",
        ));
    }
    let snapshot = state.index.snapshot(&state.db).await?;
    let all = matching(&snapshot, &q, &state);
    if format == Format::Json {
        let total = all.len() as u32;
        let items = all
            .into_iter()
            .skip(q.offset.unwrap_or(0))
            .take(limit)
            .collect();
        return Ok(HttpResponse::Ok().json(RegisterPage { items, total }));
    }
    if all.len() > MAX_EXPORT_ROWS {
        return Err(AppError::bad_request(
            "Te veel rijen voor één export; verfijn de filter.",
            "Too many rows for one export; narrow the filter.",
        ));
    }
    let _turn = state.heavy.turn(&user.id).await?;
    let rows: Vec<Vec<String>> = all.iter().map(export_cells).collect();
    let body = match format {
        Format::Csv => csv_table(&EXPORT_HEADER, &rows, &[12])?,
        _ => xlsx_book(&[Sheet {
            name: "Register",
            header: &EXPORT_HEADER,
            rows: &rows,
            numeric: &[12],
        }])?,
    };
    Ok(download(format, "enclavecontracten-register", body))
}

/// The export's columns; the first eight and the last (the team's support need) are what
/// the import reads back.
const EXPORT_HEADER: [&str; 15] = [
    "referentie",
    "maatwerkbedrijf",
    "gastorganisatie",
    "start",
    "einde",
    "ontvangen",
    "status",
    "reden weigering",
    "naam maatwerkbedrijf",
    "naam gastorganisatie",
    "type gastorganisatie",
    "uiterlijk",
    "minimum begeleiders",
    "tijdig",
    "ondersteuningsnood",
];

fn export_cells(r: &RegisterEntry) -> Vec<String> {
    let c = &r.contract;
    let received = c
        .notified_at
        .or(c.approved_at)
        .map(|t| {
            shared::rules::time::belgian_local(t)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    vec![
        c.reference.clone(),
        r.maatwerkbedrijf
            .enterprise_number
            .clone()
            .unwrap_or_default(),
        r.host.enterprise_number.clone().unwrap_or_default(),
        c.start_date.to_string(),
        c.end_date.map(|d| d.to_string()).unwrap_or_default(),
        received,
        shared::rules::overview::status_names(c.status).0.to_owned(),
        c.rejection_reason.clone().unwrap_or_default(),
        r.maatwerkbedrijf.name.clone(),
        r.host.name.clone(),
        HostType::of(r.host.kind).names().0.to_owned(),
        r.timeliness.deadline.to_string(),
        c.min_supervisors.to_string(),
        match r.timeliness.on_time {
            Some(true) => "ja",
            Some(false) => "nee",
            None => "",
        }
        .to_owned(),
        r.support_need
            .map(|n| n.cell())
            .unwrap_or_default()
            .to_owned(),
    ]
}

fn not_found() -> AppError {
    AppError::not_found("Contract", "Contract")
}

/// The entry of a stored contract, with its enclave from the index.
async fn entry_of_row(state: &AppState, row: &ContractRow) -> Result<RegisterEntry, AppError> {
    let contract = row.to_dto()?;
    let snapshot = state.index.snapshot(&state.db).await?;
    let enclave = snapshot
        .get(&row.enclave_id)
        .ok_or_else(|| AppError::internal("contract of an unknown enclave"))?;
    Ok(entry_of(enclave, &contract, state))
}

/// One contract, as stored now.
#[utoipa::path(get, path = "/api/contracts/{id}", tag = "register",
    params(("id" = uuid::Uuid, Path, description = "Contract id")),
    security(("bearer" = [])),
    responses((status = 200, body = RegisterEntry), (status = 403, body = shared::error::ApiError),
              (status = 404, body = shared::error::ApiError)))]
pub async fn get(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin, Role::Reviewer])?;
    let id = super::path_id(&path, not_found)?;
    let row = state
        .db
        .run(move |conn| Ok(repo::contracts::by_id(conn, &id)?))
        .await?
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok().json(entry_of_row(&state, &row).await?))
}

/// The province of the draft's enclave (for the register change devices pull), after
/// refusing a draft that overlaps another contract of that enclave (`shared::rules::register`,
/// the rule the import runs too). `editing` is the contract being edited, not another one.
async fn province_of(
    state: &AppState,
    draft: &ContractDraft,
    editing: Option<&str>,
) -> Result<shared::dto::enclave::Province, AppError> {
    // Judged on the register as it is now, not as the index saw it up to `max_age` ago.
    state.index.expire();
    let snapshot = state.index.snapshot(&state.db).await?;
    let entry = snapshot
        .get(&draft.enclave_id.to_string())
        .ok_or_else(|| AppError::not_found("Enclave", "Enclave"))?;
    let others: Vec<Contract> = entry
        .contracts
        .iter()
        .filter(|c| editing.is_none_or(|id| c.id.to_string() != id))
        .cloned()
        .collect();
    let problems: Vec<shared::rules::Problem> = overlapping(draft, &others)
        .into_iter()
        .map(overlap_problem)
        .collect();
    if !problems.is_empty() {
        let join = |f: fn(&shared::rules::Problem) -> &str| {
            problems.iter().map(f).collect::<Vec<_>>().join(" ")
        };
        return Err(AppError::new(
            ErrorCode::ValidationFailed,
            join(|p| &p.message_nl),
            join(|p| &p.message_en),
        ));
    }
    Ok(entry.province)
}

/// Refuses a reference another contract already has.
fn reference_free(conn: &mut crate::db::DbConnection, reference: &str) -> Result<(), AppError> {
    if repo::contracts::reference_taken(conn, reference)? {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("Referentie {reference} bestaat al."),
            format!("Reference {reference} already exists."),
        ));
    }
    Ok(())
}

fn changed_meanwhile() -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        "Het contract werd intussen gewijzigd; laad het opnieuw.",
        "The contract was changed meanwhile; reload it.",
    )
}

/// Refuses a draft that breaks a rule, naming every problem.
fn check(draft: &ContractDraft) -> Result<(), AppError> {
    let problems = validate_contract(draft, Utc::now());
    if problems.is_empty() {
        return Ok(());
    }
    let join = |f: fn(&shared::rules::Problem) -> &str| {
        problems.iter().map(f).collect::<Vec<_>>().join(" ")
    };
    Err(AppError::new(
        ErrorCode::ValidationFailed,
        join(|p| &p.message_nl),
        join(|p| &p.message_en),
    ))
}

/// The row a draft describes.
fn row_of(id: String, d: &ContractDraft, created_at: chrono::NaiveDateTime) -> ContractRow {
    let reason = d
        .rejection_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    ContractRow {
        id,
        enclave_id: d.enclave_id.to_string(),
        reference: d.reference.trim().to_owned(),
        start_date: d.start_date,
        end_date: d.end_date,
        notified_at: d.notified_at.map(|t| t.naive_utc()),
        approved_at: d.approved_at.map(|t| t.naive_utc()),
        regime: regime_for_start(d.start_date).as_str().to_owned(),
        status: d.status.as_str().to_owned(),
        rejection_reason: reason.map(str::to_owned),
        min_supervisors: i32::try_from(d.min_supervisors).unwrap_or(1),
        created_at,
        updated_at: repo::now(),
    }
}

/// What an audit row says about a contract.
fn describe(r: &ContractRow) -> String {
    format!(
        "{} start {} end {} status {}",
        r.reference,
        r.start_date,
        r.end_date.map_or_else(|| "-".to_owned(), |d| d.to_string()),
        r.status
    )
}

/// Register a contract.
#[utoipa::path(post, path = "/api/contracts", tag = "register", request_body = ContractDraft,
    security(("bearer" = [])),
    responses((status = 201, body = RegisterEntry), (status = 400, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError), (status = 404, body = shared::error::ApiError, description = "No such enclave"),
              (status = 409, body = shared::error::ApiError),
              (status = 422, body = shared::error::ApiError, description = "The contract breaks a rule of the register")))]
pub async fn create(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<ContractDraft>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let draft = body.into_inner();
    check(&draft)?;
    let province = province_of(&state, &draft, None).await?;
    let now = repo::now();
    let row = row_of(uuid::Uuid::new_v4().to_string(), &draft, now);
    let written = row.clone();
    state
        .db
        .run(move |conn| {
            conn.transaction(|conn| {
                reference_free(conn, &row.reference)?;
                repo::contracts::insert(conn, &row)?;
                written_changes(conn, &row, province, &user, "contract_create", None)
            })
        })
        .await?;
    state.index.expire();
    Ok(HttpResponse::Created().json(entry_of_row(&state, &written).await?))
}

/// The register change devices pull, and the audit row.
fn written_changes(
    conn: &mut crate::db::DbConnection,
    row: &ContractRow,
    province: shared::dto::enclave::Province,
    user: &AuthUser,
    action: &str,
    before: Option<&ContractRow>,
) -> Result<(), AppError> {
    let detail = match before {
        Some(b) => format!("{} → {}", describe(b), describe(row)),
        None => describe(row),
    };
    Ok(journal::record(
        conn,
        user.into(),
        journal::Entry::new(action)
            .about("contract", &row.id)
            .detail(detail)
            .changes([Change::register(
                Entity::Contract,
                &row.id,
                &row.enclave_id,
                province,
            )]),
    )?)
}

/// Edit a contract, or end it (status `ended` with an end date).
#[utoipa::path(put, path = "/api/contracts/{id}", tag = "register", request_body = ContractUpdate,
    params(("id" = uuid::Uuid, Path, description = "Contract id")),
    security(("bearer" = [])),
    responses((status = 200, body = RegisterEntry), (status = 400, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError), (status = 404, body = shared::error::ApiError),
              (status = 409, body = shared::error::ApiError, description = "Changed meanwhile, or the reference is taken"),
              (status = 422, body = shared::error::ApiError, description = "The contract breaks a rule of the register")))]
pub async fn update(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<ContractUpdate>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let id = super::path_id(&path, not_found)?;
    let ContractUpdate { previous, draft } = body.into_inner();
    check(&draft)?;
    let province = province_of(&state, &draft, Some(id.as_str())).await?;
    let written = state
        .db
        .run(move |conn| {
            conn.transaction(|conn| {
                let old = repo::contracts::by_id(conn, &id)?.ok_or_else(not_found)?;
                if old.to_dto()? != previous {
                    return Err(changed_meanwhile());
                }
                if old.enclave_id != draft.enclave_id.to_string() {
                    return Err(AppError::new(
                        ErrorCode::ValidationFailed,
                        "Een contract verhuist niet naar een andere enclave.",
                        "A contract does not move to another enclave.",
                    ));
                }
                let row = row_of(old.id.clone(), &draft, old.created_at);
                if row.reference != old.reference {
                    reference_free(conn, &row.reference)?;
                }
                // Only if unchanged since it was read: the row is not locked, so the write
                // itself is conditional on the `updated_at` compared above.
                if repo::contracts::update_if_unchanged(conn, &row, old.updated_at)? != 1 {
                    return Err(changed_meanwhile());
                }
                let action = if row.status == ContractStatus::Ended.as_str()
                    && old.status != ContractStatus::Ended.as_str()
                {
                    "contract_end"
                } else {
                    "contract_update"
                };
                written_changes(conn, &row, province, &user, action, Some(&old))?;
                Ok(row)
            })
        })
        .await?;
    state.index.expire();
    Ok(HttpResponse::Ok().json(entry_of_row(&state, &written).await?))
}
