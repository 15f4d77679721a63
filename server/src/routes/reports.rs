//! `GET /api/reports/inspections?year=&format=`: inspection statistics (as
//! `shared::rules::statistics` counts them, grouped and summed by the database), with the
//! yearly-report figures.
//!
//! `GET /api/reports/contracts?year=&format=json|csv|xlsx`: the yearly overview of enclave contracts
//! received, per maatwerkbedrijf and host with host type, the enclave's activity, start, receipt,
//! deadline and whether it was on time, counts by host type, rejections counted by reason, the
//! activities per host type, open-ended ones still running, and the target-group workers and
//! supervisors from the daily registrations. Exports are Dutch throughout (headers and status). The counting is
//! `shared::rules::overview`; this takes the register from the lookup index, has the database
//! count the year's registered people (`db::repo::reports`), and writes JSON, CSV or XLSX.

use std::borrow::Cow;

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Utc};
use shared::dto::auth::Role;
use shared::dto::query::ReportQuery;
use shared::dto::report::{
    CheckCounts, ContractOverview, HostType, InspectionStatistics, OverviewRow,
};
use shared::rules::overview::{ContractInput, Owners, overview, overview_enclaves, status_names};
use shared::rules::statistics::{Visited, statistics};
use shared::rules::time::belgian_local;

use crate::auth::AuthUser;
use crate::db::repo::reports;
use crate::error::AppError;
use crate::state::AppState;

/// The formats of reports and exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

impl Format {
    /// Parses `format=`; absent is JSON.
    pub fn parse(raw: Option<&str>) -> Result<Self, AppError> {
        match raw.unwrap_or("json") {
            "json" => Ok(Self::Json),
            "csv" => Ok(Self::Csv),
            "xlsx" => Ok(Self::Xlsx),
            _ => Err(AppError::bad_request(
                "format moet json, csv of xlsx zijn.",
                "format must be json, csv or xlsx.",
            )),
        }
    }
}

/// A file to download: CSV or XLSX bytes named `{name}.csv` / `{name}.xlsx`.
pub fn download(format: Format, name: &str, body: Vec<u8>) -> HttpResponse {
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        _ => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}.{extension}\""),
        ))
        .body(body)
}

/// A table as CSV: `;`-separated (as Excel in Belgium expects), with a BOM so Excel reads
/// UTF-8. Every cell passes [`formula_safe`]; in the `numeric` columns (figures the server
/// counts) a number stays a number.
pub fn csv_table(
    header: &[&str],
    rows: &[Vec<String>],
    numeric: &[usize],
) -> Result<Vec<u8>, AppError> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let write = |w: &mut csv::Writer<Vec<u8>>| -> Result<(), csv::Error> {
        w.write_record(header.iter().map(|h| formula_safe(h).into_owned()))?;
        for r in rows {
            w.write_record(r.iter().enumerate().map(|(c, cell)| {
                if numeric.contains(&c) && cell.parse::<f64>().is_ok() {
                    cell.clone()
                } else {
                    formula_safe(cell).into_owned()
                }
            }))?;
        }
        w.flush()?;
        Ok(())
    };
    write(&mut w).map_err(AppError::internal)?;
    w.into_inner()
        .map_err(|e| AppError::internal(e.into_error()))
}

/// A cell a spreadsheet program will show as text, never run as a formula (OWASP's CSV
/// injection advice): one that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets
/// a `'` in front, whatever follows, so `-2+3` and a name like `=HYPERLINK(…)` stay text.
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// One sheet of an XLSX export: a bold header and rows; columns listed in `numeric` are
/// written as numbers.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub header: &'a [&'a str],
    pub rows: &'a [Vec<String>],
    pub numeric: &'a [usize],
}

/// Sheets as an XLSX workbook.
pub fn xlsx_book(sheets: &[Sheet<'_>]) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        for s in sheets {
            let sheet = book.add_worksheet();
            sheet.set_name(s.name)?;
            for (c, h) in s.header.iter().enumerate() {
                sheet.write_string_with_format(0, c as u16, *h, &bold)?;
            }
            for (i, r) in s.rows.iter().enumerate() {
                let row = i as u32 + 1;
                for (c, cell) in r.iter().enumerate() {
                    match cell.parse::<f64>() {
                        Ok(n) if s.numeric.contains(&c) => sheet.write_number(row, c as u16, n)?,
                        _ => sheet.write_string(row, c as u16, cell)?,
                    };
                }
            }
            sheet.autofit();
        }
        book.save_to_buffer()
    };
    build().map_err(AppError::internal)
}

/// The yearly overview of contracts received.
#[utoipa::path(get, path = "/api/reports/contracts", tag = "reports", params(ReportQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ContractOverview, description = "JSON, or CSV with format=csv"),
              (status = 400, body = shared::error::ApiError), (status = 403, body = shared::error::ApiError), (status = 429, body = shared::error::ApiError)))]
pub async fn contracts(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin, Role::Reviewer])?;
    let ReportQuery { year, format } = query.into_inner();
    year_range(year)?;
    let format = Format::parse(format.as_deref())?;
    let _turn = state.heavy.turn(&user.id).await?;
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
                activity: e.summary.activity.clone(),
            })
        })
        .collect();
    let today = belgian_local(Utc::now()).date();
    let owners: Owners = snapshot
        .entries()
        .iter()
        .map(|e| {
            (
                e.summary.id,
                (e.maatwerkbedrijf.id, e.maatwerkbedrijf.name.clone()),
            )
        })
        .collect();
    let enclaves = overview_enclaves(year, &inputs);
    let counts = state
        .db
        .run(move |conn| Ok(reports::registered_counts(conn, year, &enclaves, &owners)?))
        .await?;
    let overview = overview(year, &inputs, counts, &state.config.rules, today);
    let name = format!("enclavecontracten-{year}");
    let rows: Vec<Vec<String>> = overview.rows.iter().map(cells).collect();
    match format {
        Format::Json => return Ok(HttpResponse::Ok().json(overview)),
        Format::Csv => {
            return Ok(download(
                format,
                &name,
                csv_table(&HEADERS, &rows, &[12, 13, 14, 15])?,
            ));
        }
        Format::Xlsx => {}
    }
    let counts: Vec<Vec<String>> = overview
        .by_host_type
        .iter()
        .map(|t| {
            vec![
                t.host_type.names().0.to_owned(),
                t.contracts.to_string(),
                t.late.to_string(),
                t.rejected.to_string(),
            ]
        })
        .collect();
    let per_mwb: Vec<Vec<String>> = overview
        .per_maatwerkbedrijf
        .iter()
        .map(|m| {
            let h = m.headcount;
            vec![
                m.maatwerkbedrijf.clone(),
                m.enclaves.to_string(),
                h.workers.to_string(),
                h.supervisors.to_string(),
                h.worker_days.to_string(),
                h.supervisor_days.to_string(),
            ]
        })
        .collect();
    let reasons: Vec<Vec<String>> = overview
        .rejection_reasons
        .iter()
        .map(|r| vec![r.reason.clone(), r.contracts.to_string()])
        .collect();
    let activities: Vec<Vec<String>> = overview
        .activities
        .iter()
        .flat_map(|t| {
            t.activities.iter().map(|a| {
                vec![
                    t.host_type.names().0.to_owned(),
                    a.activity.clone(),
                    a.contracts.to_string(),
                ]
            })
        })
        .collect();
    let sheet_name = format!("Contracten {year}");
    let body = xlsx_book(&[
        Sheet {
            name: &sheet_name,
            header: &HEADERS,
            rows: &rows,
            numeric: &[12, 13, 14, 15],
        },
        Sheet {
            name: "Per type",
            header: &["type gastorganisatie", "contracten", "te laat", "geweigerd"],
            rows: &counts,
            numeric: &[1, 2, 3],
        },
        Sheet {
            name: "Per maatwerkbedrijf",
            header: &[
                "maatwerkbedrijf",
                "enclaves",
                "doelgroepwerknemers",
                "begeleiders",
                "werknemersdagen",
                "begeleidersdagen",
            ],
            rows: &per_mwb,
            numeric: &[1, 2, 3, 4, 5],
        },
        Sheet {
            name: "Redenen weigering",
            header: &["reden weigering", "contracten"],
            rows: &reasons,
            numeric: &[1],
        },
        Sheet {
            name: "Activiteiten",
            header: &["type gastorganisatie", "activiteit", "contracten"],
            rows: &activities,
            numeric: &[2],
        },
    ])?;
    Ok(download(format, &name, body))
}

/// Inspection statistics of a year: per month, maatwerkbedrijf and host type, with the share
/// failing each check, and the figures of the yearly report.
#[utoipa::path(get, path = "/api/reports/inspections", tag = "reports", params(ReportQuery),
    security(("bearer" = [])),
    responses((status = 200, body = InspectionStatistics, description = "JSON, or CSV/XLSX with format="),
              (status = 400, body = shared::error::ApiError), (status = 403, body = shared::error::ApiError), (status = 429, body = shared::error::ApiError)))]
pub async fn inspections(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin, Role::Reviewer])?;
    let ReportQuery { year, format } = query.into_inner();
    let (from, to) = year_range(year)?;
    let format = Format::parse(format.as_deref())?;
    let _turn = state.heavy.turn(&user.id).await?;
    let snapshot = state.index.snapshot(&state.db).await?;
    let tally = state
        .db
        .run(move |conn| {
            Ok(reports::inspection_tally(conn, from, to, |enclave| {
                let entry = snapshot.get(&enclave.to_string())?;
                Some(Visited {
                    maatwerkbedrijf_id: entry.maatwerkbedrijf.id,
                    maatwerkbedrijf: entry.maatwerkbedrijf.name.clone(),
                    host_id: entry.host.id,
                    host_type: HostType::of(entry.host.kind),
                })
            })?)
        })
        .await?;
    let stats = statistics(year, &tally);
    let name = format!("inspecties-{year}");
    let counts = |group: &str, name: String, c: &CheckCounts| {
        vec![
            group.to_owned(),
            name,
            c.inspections.to_string(),
            c.contract_filed_failed.to_string(),
            c.daily_registration_failed.to_string(),
            c.supervisor_present_failed.to_string(),
            c.any_failed.to_string(),
        ]
    };
    let mut table = vec![counts("totaal", year.to_string(), &stats.total)];
    table.extend(
        stats
            .per_month
            .iter()
            .map(|m| counts("maand", format!("{year}-{:02}", m.month), &m.counts)),
    );
    table.extend(stats.per_host_type.iter().map(|t| {
        counts(
            "type gastorganisatie",
            t.host_type.names().0.into(),
            &t.counts,
        )
    }));
    table.extend(
        stats
            .per_maatwerkbedrijf
            .iter()
            .map(|m| counts("maatwerkbedrijf", m.maatwerkbedrijf.clone(), &m.counts)),
    );
    let f = &stats.figures;
    let mut figures: Vec<Vec<String>> = [
        ("controles", f.controls),
        ("werkgevers bezocht", f.employers_visited),
        ("gastorganisaties bezocht", f.hosts_visited),
        ("doelgroepwerknemers gecontroleerd", f.workers_checked),
        ("begeleiders gecontroleerd", f.supervisors_checked),
        ("niet-geregistreerde personen", f.unregistered_found),
        ("opvolgingen: alles verholpen", f.follow_ups.remedied),
        (
            "opvolgingen: niet alles verholpen",
            f.follow_ups.not_remedied,
        ),
        (
            "tekortkomingen verholpen",
            f.follow_ups.shortcomings_remedied,
        ),
        (
            "tekortkomingen niet verholpen",
            f.follow_ups.shortcomings_not_remedied,
        ),
    ]
    .into_iter()
    .map(|(name, n)| vec![name.to_owned(), n.to_string(), String::new()])
    .collect();
    figures.extend(f.measures.iter().map(|m| {
        vec![
            m.measure.names().0.to_owned(),
            m.proposed.to_string(),
            m.taken.to_string(),
        ]
    }));
    const HEADER: [&str; 7] = [
        "groep",
        "naam",
        "inspecties",
        "contract niet tijdig gemeld",
        "dagregistratie niet in orde",
        "geen begeleider",
        "minstens één tekortkoming",
    ];
    match format {
        Format::Json => Ok(HttpResponse::Ok().json(stats)),
        Format::Csv => Ok(download(
            format,
            &name,
            csv_table(&HEADER, &table, &[2, 3, 4, 5, 6])?,
        )),
        Format::Xlsx => Ok(download(
            format,
            &name,
            xlsx_book(&[
                Sheet {
                    name: "Controles",
                    header: &HEADER,
                    rows: &table,
                    numeric: &[2, 3, 4, 5, 6],
                },
                Sheet {
                    name: "Jaarverslag",
                    header: &["kengetal", "voorgesteld / aantal", "genomen"],
                    rows: &figures,
                    numeric: &[1, 2],
                },
            ])?,
        )),
    }
}

/// The first and last day of `year`, which must lie between 2000 and 2100.
fn year_range(year: i32) -> Result<(NaiveDate, NaiveDate), AppError> {
    match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(from), Some(to)) if (2000..=2100).contains(&year) => Ok((from, to)),
        _ => Err(AppError::bad_request(
            "year moet tussen 2000 en 2100 liggen.",
            "year must be between 2000 and 2100.",
        )),
    }
}

/// The column headers of the contract rows (Dutch, as the department's register).
const HEADERS: [&str; 16] = [
    "referentie",
    "maatwerkbedrijf",
    "gastorganisatie",
    "type gastorganisatie",
    "activiteit",
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
fn cells(r: &OverviewRow) -> Vec<String> {
    vec![
        r.reference.clone(),
        r.maatwerkbedrijf.clone(),
        r.host.clone(),
        r.host_type.names().0.to_owned(),
        r.activity.clone(),
        r.start.to_string(),
        r.end.map(|d| d.to_string()).unwrap_or_default(),
        r.received.to_string(),
        r.deadline.to_string(),
        if r.on_time { "ja" } else { "nee" }.to_owned(),
        status_names(r.status).0.to_owned(),
        r.rejection_reason.clone().unwrap_or_default(),
        r.headcount.workers.to_string(),
        r.headcount.supervisors.to_string(),
        r.headcount.worker_days.to_string(),
        r.headcount.supervisor_days.to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_could_start_a_formula_are_text() {
        for cell in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-2+3",
            "@SUM(1)",
            "\tA",
            "\rA",
            "-5",
        ] {
            assert_eq!(formula_safe(cell), format!("'{cell}"));
        }
        for cell in ["Atelier", "", "2019-01-07", "'=x", " =x"] {
            assert_eq!(formula_safe(cell), cell);
        }
    }

    #[test]
    fn numbers_stay_numbers_in_numeric_columns_only() {
        let rows = vec![vec!["-3".to_owned(), "-3".to_owned(), "-2+3".to_owned()]];
        let csv = csv_table(&["a", "b", "c"], &rows, &[0, 2]).unwrap();
        let text = String::from_utf8(csv).unwrap();
        assert!(text.ends_with("a;b;c\n-3;'-3;'-2+3\n"), "{text}");
    }
}
