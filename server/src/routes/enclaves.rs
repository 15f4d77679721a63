//! `GET /api/enclaves` (lookup) and `GET /api/enclaves/{id}` (the enclave page with the
//! verdicts of checks 1 and 2, computed by the rules in `shared`).

use actix_web::{HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{NaiveDate, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Serialize};
use shared::dto::auth::Role;
use shared::dto::enclave::{Checks, EnclaveDetail, EnclavePage};
use shared::dto::query::{DetailQuery, SearchQuery};
use shared::error::ErrorCode;
use shared::rules::contract_filed::check_contract_filed;
use shared::rules::daily_registration::check_daily_registration;
use shared::rules::enterprise_number::{EnterpriseNumber, EstablishmentUnitNumber};
use shared::rules::time::belgian_local;

use crate::auth::AuthUser;
use crate::db::repo::enclaves as repo;
use crate::error::AppError;
use crate::index::{After, Search, SearchMode};
use crate::search_text::normalise;
use crate::state::AppState;

const ALL_ROLES: &[Role] = &[Role::Inspector, Role::Reviewer, Role::Admin];
const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;
const DEFAULT_RADIUS_KM: f64 = 10.0;
const MAX_RADIUS_KM: f64 = 250.0;

/// The opaque cursor's content.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "k")]
enum Cursor {
    #[serde(rename = "s")]
    Key { s: String, i: String },
    #[serde(rename = "d")]
    Distance { d: f64, i: String },
}

fn bad_query(nl: &str, en: &str) -> AppError {
    AppError::bad_request(nl, en)
}

/// Well-formed parameters the schema cannot rule out: two search modes at once, a cursor this
/// server did not give, a date that does not exist.
fn unprocessable(nl: &str, en: &str) -> AppError {
    AppError::new(ErrorCode::ValidationFailed, nl, en)
}

/// The search a query asks for, checked.
fn into_search(mut query: SearchQuery, user: &AuthUser) -> Result<Search, AppError> {
    // An empty field is no field (a form sends its empty boxes).
    let given = |s: &Option<String>| s.as_ref().is_some_and(|s| !s.trim().is_empty());
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if !given(&query.enterprise_number) {
        query.enterprise_number = None;
    }
    if !given(&query.near) {
        query.near = None;
    }
    if !given(&query.cursor) {
        query.cursor = None;
    }
    let modes = [
        q.is_some(),
        query.enterprise_number.is_some(),
        query.near.is_some(),
    ];
    if modes.iter().filter(|g| **g).count() > 1 {
        return Err(unprocessable(
            "Geef één zoekwijze: q, enterprise_number of near.",
            "Give one search mode: q, enterprise_number or near.",
        ));
    }
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(bad_query(
            "limit moet tussen 1 en 100 liggen.",
            "limit must be between 1 and 100.",
        ));
    }
    // The establishment unit number shown on an enclave page finds it, typed in the search
    // box or given as a number.
    let unit = q
        .or(query.enterprise_number.as_deref())
        .and_then(|n| n.parse::<EstablishmentUnitNumber>().ok());
    let mode = if let Some(unit) = unit {
        SearchMode::EstablishmentUnit(unit.digits().to_owned())
    } else if let Some(raw) = &query.enterprise_number {
        let number: EnterpriseNumber =
            raw.parse()
                .map_err(|e: shared::rules::enterprise_number::NumberError| {
                    AppError::new(
                        ErrorCode::InvalidEnterpriseNumber,
                        e.message_nl(),
                        e.message_en(),
                    )
                })?;
        SearchMode::EnterpriseNumber(number.digits().to_owned())
    } else if let Some(near) = &query.near {
        let (lat, lon) = parse_position(near)?;
        let radius_km = query.radius_km.unwrap_or(DEFAULT_RADIUS_KM);
        if !(radius_km > 0.0 && radius_km <= MAX_RADIUS_KM) {
            return Err(bad_query(
                "radius_km moet groter dan 0 en hoogstens 250 zijn.",
                "radius_km must be above 0 and at most 250.",
            ));
        }
        SearchMode::Near {
            lat,
            lon,
            radius_km,
        }
    } else if let Some(q) = q {
        let words: Vec<String> = normalise(q).split_whitespace().map(str::to_owned).collect();
        if words.is_empty() {
            SearchMode::All
        } else {
            SearchMode::Text(words)
        }
    } else {
        SearchMode::All
    };
    let after = match query.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => Some(decode_cursor(c, &mode)?),
    };
    let provinces = if user.role == Role::Inspector {
        user.provinces.clone()
    } else {
        Vec::new()
    };
    Ok(Search {
        mode,
        limit,
        after,
        provinces,
    })
}

fn parse_position(s: &str) -> Result<(f64, f64), AppError> {
    let bad = || {
        bad_query(
            "near moet de vorm LAT,LON hebben, bv. 51.05,3.72.",
            "near must look like LAT,LON, e.g. 51.05,3.72.",
        )
    };
    let (lat, lon) = s.split_once(',').ok_or_else(bad)?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(bad());
    }
    Ok((lat, lon))
}

fn bad_cursor() -> AppError {
    unprocessable(
        "Ongeldige cursor; begin de zoekopdracht opnieuw.",
        "Invalid cursor; start the search again.",
    )
}

fn decode_cursor(c: &str, mode: &SearchMode) -> Result<After, AppError> {
    let bytes = URL_SAFE_NO_PAD.decode(c).map_err(|_| bad_cursor())?;
    let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad_cursor())?;
    match (cursor, mode) {
        (Cursor::Distance { d, i }, SearchMode::Near { .. }) => {
            Ok(After::Distance { km: d, id: i })
        }
        (Cursor::Key { s, i }, m) if !matches!(m, SearchMode::Near { .. }) => {
            Ok(After::Key { sort_key: s, id: i })
        }
        _ => Err(bad_cursor()),
    }
}

fn encode_cursor(c: &Cursor) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(c).unwrap_or_default())
}

/// Search enclaves by free text, enterprise number, or nearest first.
#[utoipa::path(get, path = "/api/enclaves", tag = "enclaves", params(SearchQuery),
    security(("bearer" = [])),
    responses((status = 200, body = EnclavePage), (status = 400, body = shared::error::ApiError),
              (status = 401, body = shared::error::ApiError),
              (status = 422, body = shared::error::ApiError, description = "An enterprise number that fails its check digits, two search modes, or a cursor this server did not give")))]
pub async fn search(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(ALL_ROLES)?;
    let search = into_search(query.into_inner(), &user)?;
    // Each result carries its verdicts for now: check 1 from the register, check 2 from the
    // day's registrations, both in the lookup index.
    let now_local = belgian_local(Utc::now());
    let today = now_local.date();
    let lookup = state.index.lookup(&state.db, today).await?;
    let mut hits = lookup.register.search(&search);
    let next_cursor = if hits.len() > search.limit {
        hits.truncate(search.limit);
        hits.last().map(|(e, distance)| {
            encode_cursor(&match distance {
                Some(d) => Cursor::Distance {
                    d: *d,
                    i: e.id.clone(),
                },
                None => Cursor::Key {
                    s: e.sort_key.clone(),
                    i: e.id.clone(),
                },
            })
        })
    } else {
        None
    };
    // The day's results are rendered in the index (their checks hold all day): join them.
    let mut body = Vec::with_capacity(1024 * (hits.len() + 1));
    body.extend_from_slice(b"{\"items\":[");
    for (i, (e, distance)) in hits.into_iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        let distance_km = distance.map(|d| (d * 100.0).round() / 100.0);
        lookup.results.write(&mut body, e.position, distance_km);
    }
    body.extend_from_slice(b"],\"next_cursor\":");
    serde_json::to_writer(&mut body, &next_cursor).map_err(AppError::internal)?;
    body.push(b'}');
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body))
}

/// An enclave with its organisations, contracts, that day's registration and the verdicts.
#[utoipa::path(get, path = "/api/enclaves/{id}", tag = "enclaves", params(DetailQuery,
    ("id" = uuid::Uuid, Path, description = "Enclave id")),
    security(("bearer" = [])),
    responses((status = 200, body = EnclaveDetail), (status = 400, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError), (status = 404, body = shared::error::ApiError),
              (status = 422, body = shared::error::ApiError, description = "A date or time that does not exist")))]
pub async fn detail(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<DetailQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(ALL_ROLES)?;
    let id = super::path_id(&path, || AppError::not_found("Enclave", "Enclave"))?;
    let now_local = belgian_local(Utc::now());
    let on = match query.on.as_deref() {
        None => now_local.date(),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            if super::shaped_like(s, "0000-00-00") {
                unprocessable("Die datum bestaat niet.", "That date does not exist.")
            } else {
                bad_query(
                    "on moet de vorm JJJJ-MM-DD hebben.",
                    "on must look like YYYY-MM-DD.",
                )
            }
        })?,
    };
    let at = match query.at.as_deref() {
        None => now_local.time().with_nanosecond(0).unwrap_or_default(),
        Some(s) => NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| {
            if super::shaped_like(s, "00:00") {
                unprocessable("Dat uur bestaat niet.", "That time does not exist.")
            } else {
                bad_query("at moet de vorm UU:MM hebben.", "at must look like HH:MM.")
            }
        })?,
    };
    let lookup = state.index.lookup(&state.db, now_local.date()).await?;
    let entry = lookup
        .register
        .get(&id)
        .ok_or_else(|| AppError::not_found("Enclave", "Enclave"))?;
    if !user.covers(entry.province) {
        return Err(AppError::forbidden());
    }
    // Today's registration is in the lookup index; another day's is read from the database.
    let registration = if lookup.registrations.day() == Some(on) {
        lookup.registrations.get(&id).cloned()
    } else {
        let id = id.clone();
        state
            .db
            .run(move |conn| match repo::registration(conn, &id, on)? {
                Some((registration, members)) => Ok(Some(registration.to_dto(&members)?)),
                None => Ok(None),
            })
            .await?
    };
    // The day's registration names the team: who read it is in the audit trail before the
    // answer leaves (a page without people leaves no row, so lookups stay cheap).
    if let Some(registration) = registration.as_ref().filter(|r| !r.members.is_empty()) {
        let detail = format!("{on}, {} personen", registration.members.len());
        let event = super::audit::read_event(&user, "read", "enclave", Some(&id), Some(detail));
        state.read_audit.record(event).await?;
    }
    let checks = Checks {
        contract_filed: check_contract_filed(&entry.contracts, on, &state.config.rules),
        daily_registration: check_daily_registration(
            registration.as_ref(),
            on,
            on.and_time(at).min(now_local),
        ),
    };
    let summary = &entry.summary;
    Ok(HttpResponse::Ok().json(EnclaveDetail {
        id: summary.id,
        site: summary.site.clone(),
        activity: summary.activity.clone(),
        status: summary.status,
        maatwerkbedrijf: entry.maatwerkbedrijf.clone(),
        host: entry.host.clone(),
        contracts: entry.contracts.clone(),
        registration,
        on,
        at,
        checks,
        support_need: summary.support_need,
        workers_per_supervisor: Some(state.config.rules.norm.for_team(summary.support_need)),
    }))
}
