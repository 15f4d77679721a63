//! `GET /api/reports/contracts?year=&format=json|csv|xlsx`: the yearly overview of enclave contracts
//! received, per maatwerkbedrijf and host with host type, start, receipt, deadline and whether
//! it was on time, counts by host type, rejections with reasons, open-ended ones still running,
//! and the target-group workers and supervisors from the daily registrations. The counting is
//! `shared::rules::overview`; this loads the register (from the lookup index) and the year's
//! registrations, and writes JSON, CSV or XLSX.

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use shared::dto::auth::Role;
use shared::dto::registration::MemberRole;
use shared::dto::report::{ContractOverview, HostType, OverviewRow};
use shared::rules::overview::{ContractInput, Registered, contract_overview};
use shared::rules::time::belgian_local;
use utoipa::IntoParams;

use crate::auth::AuthUser;
use crate::db::repo::enclaves as repo;
use crate::db::rows::uuid;
use crate::error::AppError;
use crate::state::AppState;

/// Registers the report routes under `/api`.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/reports/contracts", web::get().to(contracts));
}

/// Query of the reports.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// The year, e.g. 2019.
    pub year: i32,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
}

/// The yearly overview of contracts received.
#[utoipa::path(get, path = "/api/reports/contracts", tag = "reports", params(ReportQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ContractOverview, description = "JSON, or CSV with format=csv"),
              (status = 400, body = shared::error::ApiError), (status = 403, body = shared::error::ApiError)))]
pub async fn contracts(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin, Role::Reviewer])?;
    let ReportQuery { year, format } = query.into_inner();
    if !(2000..=2100).contains(&year) {
        return Err(AppError::bad_request(
            "year moet tussen 2000 en 2100 liggen.",
            "year must be between 2000 and 2100.",
        ));
    }
    let format = format.unwrap_or_else(|| "json".to_owned());
    if !matches!(format.as_str(), "json" | "csv" | "xlsx") {
        return Err(AppError::bad_request(
            "format moet json, csv of xlsx zijn.",
            "format must be json, csv or xlsx.",
        ));
    }
    let snapshot = state.index.snapshot(&state.db).await?;
    let inputs: Vec<ContractInput> = snapshot
        .entries()
        .iter()
        .flat_map(|e| {
            e.contracts.iter().map(|c| ContractInput {
                contract: c.clone(),
                maatwerkbedrijf: e.maatwerkbedrijf.name.clone(),
                host: e.host.name.clone(),
                host_type: HostType::of(e.host.kind),
            })
        })
        .collect();
    let (from, to) = (
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default(),
    );
    let rows = state
        .db
        .run(move |conn| repo::registered_between(conn, from, to))
        .await?;
    let registered = rows
        .into_iter()
        .map(|(enclave, day, person, role)| {
            Ok((
                uuid(&enclave)?,
                day,
                uuid(&person)?,
                MemberRole::parse(&role).ok_or_else(|| AppError::internal("bad stored role"))?,
            ))
        })
        .collect::<Result<Vec<Registered>, AppError>>()?;
    let today = belgian_local(Utc::now()).date();
    let overview = contract_overview(year, &inputs, &registered, &state.config.rules, today);
    if format == "csv" {
        let body = csv(&overview).map_err(AppError::internal)?;
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"enclavecontracten-{year}.csv\""),
            ))
            .body(body));
    }
    if format == "xlsx" {
        let body = xlsx(&overview).map_err(AppError::internal)?;
        return Ok(HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"enclavecontracten-{year}.xlsx\""),
            ))
            .body(body));
    }
    Ok(HttpResponse::Ok().json(overview))
}

/// The column headers of the contract rows (Dutch, as the department's register).
const HEADERS: [&str; 15] = [
    "referentie",
    "maatwerkbedrijf",
    "gastorganisatie",
    "type gastorganisatie",
    "start",
    "einde",
    "ontvangen",
    "uiterlijk",
    "tijdig",
    "status",
    "reden weigering",
    "doelgroepwerknemers",
    "begeleiders",
    "werknemersdagen",
    "begeleidersdagen",
];

/// One row's cells, as text.
fn cells(r: &OverviewRow) -> [String; 15] {
    [
        r.reference.clone(),
        r.maatwerkbedrijf.clone(),
        r.host.clone(),
        r.host_type.names().0.to_owned(),
        r.start.to_string(),
        r.end.map(|d| d.to_string()).unwrap_or_default(),
        r.received.to_string(),
        r.deadline.to_string(),
        if r.on_time { "ja" } else { "nee" }.to_owned(),
        r.status.as_str().to_owned(),
        r.rejection_reason.clone().unwrap_or_default(),
        r.headcount.workers.to_string(),
        r.headcount.supervisors.to_string(),
        r.headcount.worker_days.to_string(),
        r.headcount.supervisor_days.to_string(),
    ]
}

/// Two sheets: the contracts (numbers as numbers) and the counts by host type.
fn xlsx(o: &ContractOverview) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(format!("Contracten {}", o.year))?;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, r) in o.rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (c, cell) in cells(r).iter().enumerate() {
            if c >= 11 {
                sheet.write_number(row, c as u16, cell.parse::<f64>().unwrap_or(0.0))?;
            } else {
                sheet.write_string(row, c as u16, cell)?;
            }
        }
    }
    let counts = book.add_worksheet();
    counts.set_name("Per type")?;
    for (c, h) in ["type gastorganisatie", "contracten", "te laat", "geweigerd"]
        .iter()
        .enumerate()
    {
        counts.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, t) in o.by_host_type.iter().enumerate() {
        let row = i as u32 + 1;
        counts.write_string(row, 0, t.host_type.names().0)?;
        counts.write_number(row, 1, f64::from(t.contracts))?;
        counts.write_number(row, 2, f64::from(t.late))?;
        counts.write_number(row, 3, f64::from(t.rejected))?;
    }
    book.save_to_buffer()
}

/// The rows as CSV (`;`-separated, as Excel in Belgium expects), Dutch headers.
fn csv(o: &ContractOverview) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    w.write_record(HEADERS)?;
    for r in &o.rows {
        w.write_record(cells(r))?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
