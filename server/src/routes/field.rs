//! `GET /api/field/working-set`: what an inspector takes into the field. Without `ids`, the
//! enclaves of the user's region (an inspector's provinces; everything for other roles);
//! with `ids`, the chosen enclaves, each of which must lie in the region.

use std::collections::{HashMap, HashSet};

use actix_web::{HttpResponse, web};
use chrono::{Days, Utc};
use serde::Deserialize;
use shared::dto::auth::Role;
use shared::dto::field::{
    FieldEnclave, FieldRegistration, MAX_WORKING_SET_DAYS, MAX_WORKING_SET_IDS, WorkingSet,
};
use shared::dto::registration::Registration;
use shared::rules::floating_supervisors;
use shared::rules::time::belgian_local;
use utoipa::IntoParams;

use crate::auth::AuthUser;
use crate::db::repo::enclaves as repo;
use crate::db::repo::journal;
use crate::error::AppError;
use crate::index::Entry;
use crate::state::AppState;

/// Query of `GET /api/field/working-set`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkingSetQuery {
    /// Days of registrations from today on, 1–7 (default 3).
    #[param(minimum = 1, maximum = 7)]
    pub days: Option<u32>,
    /// Comma-separated enclave ids: only these (at most 500).
    #[param(
        pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(,[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})*$"
    )]
    pub ids: Option<String>,
}

/// The working set: enclaves with their organisations, contracts and the registrations of
/// the coming days, with floating supervisors flagged.
#[utoipa::path(get, path = "/api/field/working-set", tag = "field", params(WorkingSetQuery),
    security(("bearer" = [])),
    responses((status = 200, body = WorkingSet), (status = 400, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError), (status = 404, body = shared::error::ApiError)))]
pub async fn working_set(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<WorkingSetQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Inspector, Role::Reviewer, Role::Admin])?;
    let days = query.days.unwrap_or(3);
    if !(1..=MAX_WORKING_SET_DAYS).contains(&days) {
        return Err(AppError::bad_request(
            "days moet tussen 1 en 7 liggen.",
            "days must be between 1 and 7.",
        ));
    }
    let ids = parse_ids(query.ids.as_deref())?;
    let snapshot = state.index.snapshot(&state.db).await?;
    let chosen: Vec<&Entry> = match &ids {
        Some(ids) => {
            let mut chosen = Vec::with_capacity(ids.len());
            for id in ids {
                let entry = snapshot
                    .get(id)
                    .ok_or_else(|| AppError::not_found("Enclave", "Enclave"))?;
                if !user.covers(entry.province) {
                    return Err(AppError::forbidden());
                }
                chosen.push(entry);
            }
            chosen
        }
        None => snapshot
            .entries()
            .iter()
            .filter(|e| user.covers(e.province))
            .collect(),
    };

    let generated_at = Utc::now();
    let from = belgian_local(generated_at).date();
    let to = from + Days::new(u64::from(days - 1));
    // Every registration of those days, in all of Flanders: a floating supervisor may be
    // registered for an enclave outside the working set.
    // The set holds personal data (the team members) for a device in the field: who took
    // which set is in the audit trail.
    let detail = format!(
        "{} enclaves, {from}..{to}{}",
        chosen.len(),
        if ids.is_some() { ", chosen list" } else { "" }
    );
    let registrations = state
        .db
        .run(move |conn| {
            journal::record(
                conn,
                (&user).into(),
                journal::Entry::new("working_set_download").detail(detail),
            )?;
            Ok(repo::registrations_between(conn, from, to)?)
        })
        .await?
        .into_iter()
        .map(|(registration, members)| registration.to_dto(&members))
        .collect::<diesel::QueryResult<Vec<Registration>>>()?;
    let mut by_enclave: HashMap<uuid::Uuid, Vec<FieldRegistration>> = HashMap::new();
    let wanted: HashSet<uuid::Uuid> = chosen.iter().map(|e| e.summary.id).collect();
    for registration in registrations
        .iter()
        .filter(|r| wanted.contains(&r.enclave_id))
    {
        let same_day: Vec<Registration> = registrations
            .iter()
            .filter(|r| r.work_date == registration.work_date)
            .cloned()
            .collect();
        let floating = floating_supervisors(registration, &same_day);
        by_enclave
            .entry(registration.enclave_id)
            .or_default()
            .push(FieldRegistration {
                registration: registration.clone(),
                floating,
            });
    }
    let enclaves = chosen
        .into_iter()
        .map(|e| {
            let mut registrations = by_enclave.remove(&e.summary.id).unwrap_or_default();
            registrations.sort_by_key(|r| r.registration.work_date);
            FieldEnclave {
                summary: e.summary.clone(),
                maatwerkbedrijf: e.maatwerkbedrijf.clone(),
                host: e.host.clone(),
                contracts: e.contracts.clone(),
                registrations,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(WorkingSet {
        generated_at,
        from,
        to,
        rules: state.config.rules,
        enclaves,
    }))
}

/// The distinct ids of `ids=a,b,c`, or `None` when not given.
fn parse_ids(raw: Option<&str>) -> Result<Option<Vec<String>>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let mut seen = HashSet::new();
    let mut ids = Vec::new();
    for part in raw.split(',') {
        let id = uuid::Uuid::parse_str(part.trim()).map_err(|_| {
            AppError::bad_request(
                format!("ids bevat een ongeldig id: {}", part.trim()),
                format!("ids holds an invalid id: {}", part.trim()),
            )
        })?;
        if seen.insert(id) {
            ids.push(id.to_string());
        }
    }
    if ids.len() > MAX_WORKING_SET_IDS {
        return Err(AppError::bad_request(
            "Kies hoogstens 500 enclaves.",
            "Choose at most 500 enclaves.",
        ));
    }
    Ok(Some(ids))
}
