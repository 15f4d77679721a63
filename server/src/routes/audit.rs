//! `GET /api/audit`: the audit trail, for administrators only, filtered by user, action,
//! object and dates, paged by cursor, or exported as CSV. Also [`record_read`], the one way a
//! handler notes a read of personal data.

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};
use shared::dto::audit::{AuditEvent, cursor_after};
use shared::dto::auth::Role;
use shared::dto::query::AuditQuery;
use shared::rules::time::{belgian_local, from_belgian_local};

use crate::auth::AuthUser;
use crate::db::rows::{AuditEventRow, uuid};
use crate::db::{DbConnection, repo};
use crate::error::AppError;
use crate::routes::reports::{Format, csv_table, download};
use crate::state::AppState;

/// Most events in one CSV export.
pub const MAX_EXPORT_EVENTS: i64 = 10_000;

/// The response header that carries the cursor of the next page (absent on the last page).
pub const NEXT_CURSOR_HEADER: &str = "X-Next-Cursor";

/// Writes the audit row of a read of personal data by `user` (action `read`, or `export` and
/// `search` for those), on the caller's connection: call it in the same database call as the
/// read itself.
pub fn record_read(
    conn: &mut DbConnection,
    user: &AuthUser,
    action: &str,
    object_type: &str,
    object_id: Option<&str>,
    detail: Option<String>,
) -> Result<(), AppError> {
    Ok(repo::audit::record(
        conn,
        read_event(user, action, object_type, object_id, detail),
    )?)
}

/// The audit event of a read of personal data by `user`.
pub fn read_event<'a>(
    user: &'a AuthUser,
    action: &'a str,
    object_type: &'a str,
    object_id: Option<&'a str>,
    detail: Option<String>,
) -> repo::audit::Event<'a> {
    repo::audit::Event {
        actor_id: Some(&user.id),
        actor_username: Some(&user.username),
        client: &user.client,
        action,
        outcome: "success",
        object_type: Some(object_type),
        object_id,
        detail,
    }
}

fn bad(nl: &str, en: &str) -> AppError {
    AppError::bad_request(nl, en)
}

/// Well-formed filters the schema cannot rule out: `from` after `to`, a cursor this server did
/// not give.
fn unprocessable(nl: &str, en: &str) -> AppError {
    AppError::new(shared::error::ErrorCode::ValidationFailed, nl, en)
}

/// A day given as `YYYY-MM-DD`.
fn day(value: &str, name: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        if super::shaped_like(value, "0000-00-00") {
            return unprocessable("Die datum bestaat niet.", "That date does not exist.");
        }
        bad(
            &format!("{name} moet de vorm JJJJ-MM-DD hebben."),
            &format!("{name} must look like YYYY-MM-DD."),
        )
    })
}

/// The start of a Belgian day as stored (naive UTC).
fn start_of(day: NaiveDate) -> NaiveDateTime {
    from_belgian_local(day.and_time(chrono::NaiveTime::MIN)).naive_utc()
}

/// An empty text filter is no filter.
fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The filter a query asks for, checked.
fn into_filter(query: AuditQuery) -> Result<repo::audit::Filter, AppError> {
    let from = query.from.as_deref().map(|v| day(v, "from")).transpose()?;
    let to = query.to.as_deref().map(|v| day(v, "to")).transpose()?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(unprocessable(
            "from mag niet na to liggen.",
            "from must not be after to.",
        ));
    }
    let before = match query.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => Some(
            c.split_once('~')
                .and_then(|(ts, id)| {
                    let ts = chrono::DateTime::parse_from_rfc3339(ts).ok()?.naive_utc();
                    Some((ts, id.to_owned()))
                })
                .ok_or_else(|| {
                    unprocessable(
                        "Ongeldige cursor; begin opnieuw bij de eerste pagina.",
                        "Invalid cursor; start again at the first page.",
                    )
                })?,
        ),
    };
    Ok(repo::audit::Filter {
        username: given(query.user),
        action: given(query.action),
        object_type: given(query.object_type),
        object_id: given(query.object_id),
        from: from.map(start_of),
        to: to.and_then(|d| d.succ_opt()).map(start_of),
        before,
    })
}

/// The newest audit events first (the cursor of the next page in the `X-Next-Cursor` header),
/// or every match as CSV.
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [AuditEvent], description = "JSON (next page's cursor in X-Next-Cursor), or CSV with format=csv"),
              (status = 400, body = shared::error::ApiError),
              (status = 401, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError),
              (status = 422, body = shared::error::ApiError, description = "from after to, or a cursor this server did not give")))]
pub async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let query = query.into_inner();
    let format = match query.format.as_deref() {
        None | Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some(_) => {
            return Err(bad(
                "format moet json of csv zijn.",
                "format must be json or csv.",
            ));
        }
    };
    let limit = match format {
        Format::Json => query.limit.unwrap_or(100),
        _ => MAX_EXPORT_EVENTS,
    };
    if format == Format::Json && !(1..=500).contains(&limit) {
        return Err(bad(
            "limit moet tussen 1 en 500 liggen.",
            "limit must be between 1 and 500.",
        ));
    }
    let filter = into_filter(query)?;
    let mut rows = state
        .db
        .run(move |conn| Ok(repo::audit::page(conn, &filter, limit + 1)?))
        .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    if format == Format::Csv {
        if more {
            return Err(bad(
                "Te veel gebeurtenissen voor één export (meer dan 10 000); verfijn de filter.",
                "Too many events for one export (over 10,000); narrow the filter.",
            ));
        }
        return Ok(download(
            format,
            "audit",
            csv_table(&CSV_HEADER, &csv_rows(&rows), &[])?,
        ));
    }
    let events = rows
        .into_iter()
        .map(event)
        .collect::<Result<Vec<_>, AppError>>()?;
    let next_cursor = more.then(|| events.last().map(cursor_after)).flatten();
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = next_cursor {
        response.insert_header((NEXT_CURSOR_HEADER, cursor));
    }
    Ok(response.json(events))
}

fn event(r: AuditEventRow) -> Result<AuditEvent, AppError> {
    Ok(AuditEvent {
        id: uuid(&r.id)?,
        occurred_at: r.occurred_at.and_utc(),
        actor_id: r.actor_id.as_deref().map(uuid).transpose()?,
        actor_username: r.actor_username,
        client: r.client,
        action: r.action,
        outcome: r.outcome,
        object_type: r.object_type,
        object_id: r.object_id,
        detail: r.detail,
    })
}

const CSV_HEADER: [&str; 8] = [
    "tijdstip",
    "gebruiker",
    "client",
    "actie",
    "uitkomst",
    "objecttype",
    "object",
    "details",
];

/// The events as CSV rows, times in Belgian local time (`csv_table` neutralises every cell: the
/// usernames, object ids and details come from users and must not run as spreadsheet formulas).
fn csv_rows(rows: &[AuditEventRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            [
                belgian_local(r.occurred_at.and_utc())
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string(),
                r.actor_username.clone().unwrap_or_default(),
                r.client.clone(),
                r.action.clone(),
                r.outcome.clone(),
                r.object_type.clone().unwrap_or_default(),
                r.object_id.clone().unwrap_or_default(),
                r.detail.clone().unwrap_or_default(),
            ]
            .into()
        })
        .collect()
}
