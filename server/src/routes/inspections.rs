//! `GET /api/inspections/{id}`: a submitted inspection with its amendments, photo hashes,
//! review state and decisions, naming who decided and who corrected (display names only). Inspectors see their own; reviewers and admins see all.
//!
//! `GET /api/inspections`: the review queue, newest first, with filters (among them the
//! approved reports whose notification is overdue or due within a few days) and the number of
//! matches; `format=csv|xlsx` exports every match.
//!
//! `POST /api/inspections/{id}/review`: a reviewer approves it or returns it to the inspector
//! with a comment (the state machine is `shared::rules::review`). The decision, the new state,
//! a change the inspector pulls and an audit row are written in one transaction.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use chrono::Utc;
use diesel::Connection;
use shared::dto::auth::Role;
use shared::dto::inspection::InspectionView;
use shared::dto::inspection::Measure;
use shared::dto::query::{InspectionReportQuery, QueueQuery};
use shared::dto::review::{InspectionQueue, InspectionSummary, ReviewRequest, ReviewState};
use shared::dto::sync::Entity;
use shared::error::ErrorCode;
use shared::rules::review::{ReviewRefusal, decide};

use crate::auth::AuthUser;
use crate::db::DbConnection;
use crate::db::repo::inspections as repo;
use crate::db::repo::journal::{self, Change};
use crate::db::rows::{AmendmentRow, AttachmentRow, InspectionRow, ReviewRow, uuid};
use crate::error::AppError;
use crate::report::{Evidence, Jpeg, Lang, MAX_EMBEDDED_BYTES, Place, Report};
use crate::routes::reports::{Format, Sheet, csv_table, download, xlsx_book};
use crate::state::AppState;

fn not_found() -> AppError {
    AppError::not_found("Inspectie", "Inspection")
}

/// Everything stored about one inspection, with the display names of who decided and who
/// corrected it.
type Stored = (
    InspectionRow,
    Vec<AmendmentRow>,
    Vec<ReviewRow>,
    Vec<(String, String)>,
);

fn load(conn: &mut DbConnection, id: &str) -> Result<Option<Stored>, AppError> {
    let Some(row) = repo::by_id(conn, id)? else {
        return Ok(None);
    };
    let amendments = repo::amendments_of(conn, id)?;
    let reviews = repo::reviews_of(conn, id)?;
    let mut people: Vec<String> = amendments
        .iter()
        .map(|a| a.author_id.clone())
        .chain(reviews.iter().map(|r| r.reviewer_id.clone()))
        .collect();
    people.sort();
    people.dedup();
    let names = repo::display_names(conn, &people)?;
    Ok(Some((row, amendments, reviews, names)))
}

fn view((row, amendments, reviews, names): Stored) -> Result<InspectionView, AppError> {
    let name = |id: &str| {
        names
            .iter()
            .find(|(user, _)| user == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let record = row.stored_record()?;
    let photo_hashes = record.photos().map(|p| p.sha256.clone()).collect();
    let amendments = amendments
        .iter()
        .map(|a| a.to_view(name(&a.author_id)))
        .collect::<Result<Vec<_>, _>>()?;
    let reviews = reviews
        .iter()
        .map(|r| r.to_view(name(&r.reviewer_id)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(InspectionView {
        record,
        version: u32::try_from(row.version).unwrap_or(0),
        inspector_id: uuid(&row.inspector_id)?,
        received_at: row.received_at.and_utc(),
        review_state: row.review_state()?,
        amendments,
        reviews,
        report_notified_on: row.report_notified_on,
        photo_hashes,
    })
}

/// One inspection as stored, with its amendments and review decisions.
#[utoipa::path(get, path = "/api/inspections/{id}", tag = "inspections",
    params(("id" = uuid::Uuid, Path, description = "Inspection id (generated on the device)")),
    security(("bearer" = [])),
    responses((status = 200, body = InspectionView), (status = 403, body = shared::error::ApiError),
              (status = 404, body = shared::error::ApiError)))]
pub async fn get(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let stored = read(&user, &state, &path, "inspection").await?;
    Ok(HttpResponse::Ok().json(view(stored)?))
}

/// The inspection at `path` as stored, for `user` if they may read it (its inspector, a
/// reviewer, an admin). The record names the team and the findings: the read is audited as
/// a read of `what` in the same database call, once it is allowed.
async fn read(
    user: &AuthUser,
    state: &AppState,
    path: &str,
    what: &'static str,
) -> Result<Stored, AppError> {
    user.require(&[Role::Inspector, Role::Reviewer, Role::Admin])?;
    let id = super::path_id(path, not_found)?;
    let reader = user.clone();
    state
        .db
        .run(move |conn| {
            let Some(stored) = load(conn, &id)? else {
                return Ok(None);
            };
            if reader.role == Role::Inspector && stored.0.inspector_id != reader.id {
                return Err(AppError::forbidden());
            }
            super::audit::record_read(conn, &reader, "read", what, Some(&id), None)?;
            Ok(Some(stored))
        })
        .await?
        .ok_or_else(not_found)
}

/// The inspection report as a PDF for the file, in Dutch (default) or English: the record
/// with its amendments and decisions, the enclave as the register knows it, and each photo
/// embedded with its SHA-256 (`crate::report`). Who may read the inspection may read its
/// report; the read is audited, as the record names the team.
#[utoipa::path(get, path = "/api/inspections/{id}/report.pdf", tag = "inspections",
    params(("id" = uuid::Uuid, Path, description = "Inspection id"), InspectionReportQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The report, `application/pdf`", content_type = "application/pdf"),
              (status = 400, body = shared::error::ApiError), (status = 403, body = shared::error::ApiError),
              (status = 404, body = shared::error::ApiError)))]
pub async fn report_pdf(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<InspectionReportQuery>,
) -> Result<HttpResponse, AppError> {
    let lang = match query.lang.as_deref() {
        None => Lang::Nl,
        Some(l) => Lang::parse(l).ok_or_else(|| {
            AppError::bad_request(
                "De taal van het verslag is nl of en.",
                "The report's language is nl or en.",
            )
        })?,
    };
    let stored = read(&user, &state, &path, "inspection_report").await?;
    let view = view(stored)?;
    let snapshot = state.index.snapshot(&state.db).await?;
    let place = snapshot
        .get(&view.record.enclave_id.to_string())
        .map(|e| Place {
            host: e.host.clone(),
            maatwerkbedrijf: e.maatwerkbedrijf.clone(),
            site: e.summary.site.clone(),
            activity: e.summary.activity.clone(),
        });
    // What the server holds of the photos the record names, read at once: whether each is
    // there, who uploaded it (an inspector sees only hers, as from `GET /api/attachments`),
    // its stored type and size.
    let hashes: Vec<String> = view.record.photos().map(|p| p.sha256.clone()).collect();
    let stored: HashMap<String, AttachmentRow> = state
        .db
        .run(move |conn| Ok(crate::db::repo::attachments::of_hashes(conn, &hashes)?))
        .await?
        .into_iter()
        .filter(|row| super::attachments::visible_to(&user, row))
        .map(|row| (row.sha256.clone(), row))
        .collect();
    // Each photo the record names, once: embedded while the report's budget lasts; only the
    // bytes of a JPEG that fits it are read.
    let mut photos = HashMap::new();
    let mut embedded = 0u64;
    for (sha, row) in view
        .record
        .photos()
        .map(|p| (&p.sha256, stored.get(&p.sha256)))
    {
        if photos.contains_key(sha) {
            continue;
        }
        let evidence = match row {
            None => Evidence::NotReceived,
            Some(row) if row.content_type != "image/jpeg" => Evidence::NotShown,
            Some(row) if embedded + row.bytes.unsigned_abs() > MAX_EMBEDDED_BYTES => {
                Evidence::OverBudget
            }
            Some(_) => match state.photos.read(sha).await?.map(Jpeg::read) {
                None => Evidence::NotReceived,
                Some(Some(jpeg)) => {
                    embedded += jpeg.bytes.len() as u64;
                    Evidence::Jpeg(jpeg)
                }
                Some(None) => Evidence::NotShown,
            },
        };
        photos.insert(sha.clone(), evidence);
    }
    let report = Report {
        view,
        place,
        photos,
        lang,
        made_at: Utc::now(),
    };
    let name = format!("inspectie-{}.pdf", report.view.record.id);
    let pdf = web::block(move || report.pdf())
        .await
        .map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .body(pdf))
}

/// Approve an inspection, or return it to the inspector with a comment.
#[utoipa::path(post, path = "/api/inspections/{id}/review", tag = "inspections",
    params(("id" = uuid::Uuid, Path, description = "Inspection id")),
    request_body = ReviewRequest,
    security(("bearer" = [])),
    responses((status = 200, body = InspectionView), (status = 400, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError), (status = 404, body = shared::error::ApiError),
              (status = 409, body = shared::error::ApiError),
              (status = 422, body = shared::error::ApiError, description = "A return without a reason, or a comment too long")))]
pub async fn review(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<ReviewRequest>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Reviewer])?;
    let id = super::path_id(&path, not_found)?;
    let request = body.into_inner();
    let stored = state
        .db
        .run(move |conn| {
            conn.transaction(|conn| {
                // The change-log lock first: it also serialises decisions on SQLite.
                journal::lock_change_log(conn)?;
                let row = repo::by_id_for_update(conn, &id)?.ok_or_else(not_found)?;
                let current = row.review_state()?;
                let version = u32::try_from(row.version).unwrap_or(0);
                let next = decide(
                    current,
                    version,
                    request.version,
                    request.decision,
                    &request.comment,
                )
                .map_err(refusal)?;
                let now = Utc::now().naive_utc();
                let review = ReviewRow::decided(&row, &user.id, &request, now);
                repo::insert_review(conn, &review, next)?;
                journal::record(
                    conn,
                    (&user).into(),
                    journal::Entry::new("inspection_review")
                        .outcome(request.decision.as_str())
                        .about("inspection", &row.id)
                        .detail(format!("version {version} → {}", next.as_str()))
                        .changes([Change::Record {
                            entity: Entity::Review,
                            id: review.id.clone(),
                            inspection_id: row.id.clone(),
                            owner_id: row.inspector_id.clone(),
                        }]),
                )?;
                load(conn, &id)?.ok_or_else(not_found)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(stored)?))
}

fn refusal(r: ReviewRefusal) -> AppError {
    let (nl, en) = r.messages();
    let code = match r {
        ReviewRefusal::CommentRequired | ReviewRefusal::CommentTooLong => {
            ErrorCode::ValidationFailed
        }
        ReviewRefusal::StaleVersion
        | ReviewRefusal::AwaitingAmendment
        | ReviewRefusal::AlreadyApproved => ErrorCode::Conflict,
    };
    AppError::new(code, nl, en)
}

/// Most inspections in one export.
pub const MAX_EXPORT_ROWS: i64 = 10_000;

/// A date after every stored one, valid in SQLite's text and PostgreSQL's date ranges.
fn far_future() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default()
}

fn bad(nl: &str, en: &str) -> AppError {
    AppError::bad_request(nl, en)
}

/// The review queue: submitted inspections, newest first, filtered.
#[utoipa::path(get, path = "/api/inspections", tag = "inspections", params(QueueQuery),
    security(("bearer" = [])),
    responses((status = 200, body = shared::dto::review::InspectionQueue),
              (status = 400, body = shared::error::ApiError),
              (status = 422, body = shared::error::ApiError, description = "A cursor this server did not give")))]
pub async fn queue(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Inspector, Role::Reviewer, Role::Admin])?;
    let q = query.into_inner();
    let format = Format::parse(q.format.as_deref())?;
    if format != Format::Json {
        let (items, more, _) = find(&state, &user, &q, MAX_EXPORT_ROWS, Some(format)).await?;
        if more.is_some() {
            return Err(bad(
                "Te veel inspecties voor één export (meer dan 10 000); verfijn de filter.",
                "Too many inspections for one export (over 10,000); narrow the filter.",
            ));
        }
        return export(format, &items);
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(bad(
            "limit moet tussen 1 en 100 liggen.",
            "limit must be between 1 and 100.",
        ));
    }
    let (items, next_cursor, total) = find(&state, &user, &q, limit, None).await?;
    Ok(HttpResponse::Ok().json(InspectionQueue {
        items,
        next_cursor,
        total,
    }))
}

/// One page of the queue: up to `limit` inspections, the cursor of the next page, and how
/// many match in all. An `export` (it leaves the server as a file) is audited in the same
/// database call.
async fn find(
    state: &AppState,
    user: &AuthUser,
    q: &QueueQuery,
    limit: i64,
    export: Option<Format>,
) -> Result<(Vec<InspectionSummary>, Option<String>, u64), AppError> {
    use shared::rules::verdict::VerdictStatus;

    let inspector = if user.role == Role::Inspector {
        Some(user.id.clone())
    } else {
        q.inspector.map(|i| i.to_string())
    };
    let before = match q.cursor.as_deref() {
        None | Some("") => (far_future().and_time(chrono::NaiveTime::MIN), String::new()),
        Some(c) => c
            .split_once('~')
            .and_then(|(ts, id)| {
                let ts = chrono::DateTime::parse_from_rfc3339(ts).ok()?.naive_utc();
                Some((ts, id.to_owned()))
            })
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::ValidationFailed,
                    "Ongeldige cursor; begin opnieuw bij de eerste pagina.",
                    "Invalid cursor; start again at the first page.",
                )
            })?,
    };
    let snapshot = state.index.snapshot(&state.db).await?;
    let words: Vec<String> =
        q.q.as_deref()
            .map(crate::search_text::normalise)
            .unwrap_or_default()
            .split_whitespace()
            .map(|w| format!(" {w}"))
            .collect();
    let municipality = q.municipality.as_deref().map(crate::search_text::normalise);
    let by_enclave = q.enclave.is_some()
        || q.maatwerkbedrijf.is_some()
        || q.host.is_some()
        || municipality.is_some()
        || !words.is_empty();
    let enclaves = by_enclave.then(|| {
        snapshot
            .entries()
            .iter()
            .filter(|e| q.enclave.is_none_or(|id| e.summary.id == id))
            .filter(|e| q.maatwerkbedrijf.is_none_or(|m| e.maatwerkbedrijf.id == m))
            .filter(|e| q.host.is_none_or(|h| e.host.id == h))
            .filter(|e| {
                municipality.as_deref().is_none_or(|m| {
                    crate::search_text::normalise(&e.summary.site.municipality) == m
                })
            })
            .filter(|e| words.iter().all(|w| e.search_text.contains(w.as_str())))
            .map(|e| e.id.clone())
            .collect::<Vec<_>>()
    });
    let today = shared::rules::time::belgian_local(Utc::now()).date();
    let mut from = q
        .from
        .unwrap_or(chrono::NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default());
    let mut to = q.to.unwrap_or_else(far_future);
    let notice_days = shared::rules::review::REPORT_NOTIFICATION_DAYS;
    if q.overdue {
        // Overdue: the deadline (inspection + 14 days) lies before today.
        to = to.min(today - chrono::Days::new(notice_days + 1));
    }
    if let Some(days) = q.due_within_days {
        if u64::from(days) > notice_days {
            return Err(bad(
                "due_within_days moet tussen 0 en 14 liggen.",
                "due_within_days must be between 0 and 14.",
            ));
        }
        // Due soon: the deadline lies between today and today + days.
        from = from.max(today - chrono::Days::new(notice_days));
        to = to.min(today - chrono::Days::new(notice_days - u64::from(days)));
    }
    // Reports still to notify: approved proces-verbaal proposals without a notification date.
    let reports = q.overdue || q.due_within_days.is_some();
    let filter = repo::QueueFilter {
        from,
        to,
        inspector,
        state: if reports {
            Some(ReviewState::Approved)
        } else {
            q.state
        },
        measure: if reports {
            Some(Measure::ReportProposed)
        } else {
            q.measure
        },
        not_notified: reports,
        failing: q.failing,
        enclaves,
        before,
        limit: limit + 1,
    };
    let exporter = user.clone();
    let (mut rows, names, total) = state
        .db
        .run(move |conn| {
            let rows = repo::queue(conn, &filter)?;
            let total = repo::queue_count(conn, &filter)?;
            let mut ids: Vec<String> = rows.iter().map(|r| r.inspector_id.clone()).collect();
            ids.sort();
            ids.dedup();
            let names = repo::display_names(conn, &ids)?;
            if let Some(format) = export {
                let kind = if format == Format::Csv { "csv" } else { "xlsx" };
                let detail = format!("{kind}, {} inspecties", rows.len().min(limit as usize));
                super::audit::record_read(
                    conn,
                    &exporter,
                    "export",
                    "inspections",
                    None,
                    Some(detail),
                )?;
            }
            Ok((rows, names, u64::try_from(total).unwrap_or(0)))
        })
        .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last())
        .flatten()
        // `Z` rather than `+00:00`: the cursor stays URL-safe as it is.
        .map(|r| {
            let ts = r
                .received_at
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
            format!("{ts}~{}", r.id)
        });
    let items = rows
        .into_iter()
        .map(|r| {
            let entry = snapshot.get(&r.enclave_id);
            let name = |f: fn(&crate::index::Entry) -> String| entry.map(f).unwrap_or_default();
            Ok(InspectionSummary {
                id: uuid(&r.id)?,
                enclave_id: uuid(&r.enclave_id)?,
                host: name(|e| e.host.name.clone()),
                maatwerkbedrijf_id: entry.map(|e| e.maatwerkbedrijf.id),
                maatwerkbedrijf: name(|e| e.maatwerkbedrijf.name.clone()),
                municipality: name(|e| e.summary.site.municipality.clone()),
                on: r.on_date,
                inspector_id: uuid(&r.inspector_id)?,
                inspector: names
                    .iter()
                    .find(|(id, _)| *id == r.inspector_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default(),
                received_at: r.received_at.and_utc(),
                review_state: ReviewState::parse(&r.review_state)
                    .ok_or_else(|| AppError::internal("bad stored review state"))?,
                contract_filed: VerdictStatus::parse(&r.contract_filed),
                daily_registration: VerdictStatus::parse(&r.daily_registration),
                supervisor_present: VerdictStatus::parse(&r.supervisor_present),
                measure: Measure::parse(&r.measure)
                    .ok_or_else(|| AppError::internal("bad stored measure"))?,
                version: u32::try_from(r.version).unwrap_or(0),
                report: (r.measure == "report_proposed" && r.review_state == "approved").then(
                    || {
                        let notified_on = r.report_notified_on;
                        shared::dto::review::ReportTracking {
                            due: shared::rules::review::report_deadline(r.on_date),
                            notified_on,
                            overdue: shared::rules::review::report_overdue(
                                r.on_date,
                                notified_on,
                                today,
                            ),
                        }
                    },
                ),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok((items, next_cursor, total))
}

/// The queue's rows as a CSV or XLSX file.
fn export(format: Format, items: &[InspectionSummary]) -> Result<HttpResponse, AppError> {
    const HEADER: [&str; 14] = [
        "datum",
        "gastorganisatie",
        "maatwerkbedrijf",
        "gemeente",
        "inspecteur",
        "contract gemeld",
        "dagregistratie",
        "begeleider aanwezig",
        "maatregel",
        "beoordeling",
        "versie",
        "pv te betekenen uiterlijk",
        "pv betekend op",
        "id",
    ];
    let verdict = |v: shared::rules::verdict::VerdictStatus| match v {
        shared::rules::verdict::VerdictStatus::Pass => "in orde",
        shared::rules::verdict::VerdictStatus::Fail => "niet in orde",
        shared::rules::verdict::VerdictStatus::Unknown => "onbekend",
    };
    let state_name = |s: ReviewState| match s {
        ReviewState::Submitted => "ingediend",
        ReviewState::Returned => "teruggestuurd",
        ReviewState::Approved => "goedgekeurd",
    };
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            vec![
                i.on.to_string(),
                i.host.clone(),
                i.maatwerkbedrijf.clone(),
                i.municipality.clone(),
                i.inspector.clone(),
                verdict(i.contract_filed).to_owned(),
                verdict(i.daily_registration).to_owned(),
                verdict(i.supervisor_present).to_owned(),
                i.measure.names().0.to_owned(),
                state_name(i.review_state).to_owned(),
                i.version.to_string(),
                i.report
                    .as_ref()
                    .map(|r| r.due.to_string())
                    .unwrap_or_default(),
                i.report
                    .as_ref()
                    .and_then(|r| r.notified_on)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                i.id.to_string(),
            ]
        })
        .collect();
    let body = match format {
        Format::Csv => csv_table(&HEADER, &rows, &[10])?,
        _ => xlsx_book(&[Sheet {
            name: "Inspecties",
            header: &HEADER,
            rows: &rows,
            numeric: &[10],
        }])?,
    };
    Ok(download(format, "inspecties", body))
}

/// Records that the offender was notified of an approved report (by a reviewer, or the
/// inspector who wrote it).
#[utoipa::path(post, path = "/api/inspections/{id}/report-notified", tag = "inspections",
    params(("id" = uuid::Uuid, Path, description = "Inspection id")),
    request_body = shared::dto::review::ReportNotified,
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = shared::error::ApiError),
              (status = 404, body = shared::error::ApiError), (status = 409, body = shared::error::ApiError),
              (status = 422, body = shared::error::ApiError, description = "A date before the inspection or in the future")))]
pub async fn report_notified(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<shared::dto::review::ReportNotified>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Inspector, Role::Reviewer])?;
    let id = super::path_id(&path, not_found)?;
    let on = body.into_inner().on;
    state
        .db
        .run(move |conn| {
            conn.transaction(|conn| {
                let row = repo::by_id_for_update(conn, &id)?.ok_or_else(not_found)?;
                if user.role == Role::Inspector && row.inspector_id != user.id {
                    return Err(AppError::forbidden());
                }
                if row.measure != "report_proposed"
                    || row.review_state != ReviewState::Approved.as_str()
                {
                    return Err(AppError::new(
                        ErrorCode::Conflict,
                        "Alleen een goedgekeurd proces-verbaal wordt betekend.",
                        "Only an approved report is notified.",
                    ));
                }
                if on < row.on_date {
                    return Err(AppError::new(
                        ErrorCode::ValidationFailed,
                        "De betekening kan niet vóór de inspectie liggen.",
                        "The notification cannot precede the inspection.",
                    ));
                }
                repo::set_report_notified(conn, &id, on)?;
                Ok(journal::record(
                    conn,
                    (&user).into(),
                    journal::Entry::new("report_notified")
                        .about("inspection", &id)
                        .detail(on.to_string()),
                )?)
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
