//! `GET /api/field/working-set`: what an inspector takes into the field. Without `ids`, the
//! enclaves of the user's region (an inspector's provinces; everything for other roles);
//! with `ids`, the chosen enclaves, each of which must lie in the region.
//!
//! The answer is compact ([`WireSet`]) and carries a token. With `since=<token>` the server
//! answers only what changed after that set (`shared::rules::working_set` says what and
//! when a whole set is needed instead); enclaves asked for by `ids` that are gone or outside
//! the region are then named in `removed`, never sent.

use std::collections::{HashMap, HashSet};

use actix_web::{HttpResponse, web};
use chrono::{Days, Utc};
use shared::dto::auth::Role;
use shared::dto::field::{
    FieldEnclave, FieldRegistration, MAX_WORKING_SET_DAYS, MAX_WORKING_SET_IDS, WireHeader, WireSet,
};
use shared::dto::query::WorkingSetQuery;
use shared::dto::registration::Registration;
use shared::dto::sync::Entity;
use shared::rules::floating_supervisors;
use shared::rules::time::belgian_local;
use shared::rules::working_set::{SetToken, delta_enclaves, refresh_by_delta, scope};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::repo::enclaves as repo;
use crate::db::repo::journal;
use crate::db::rows::uuid;
use crate::error::AppError;
use crate::index::{Entry, Snapshot};
use crate::state::AppState;

/// The working set: enclaves with their organisations, contracts and the registrations of
/// the coming days, with floating supervisors flagged; whole, or what changed since `since`.
#[utoipa::path(get, path = "/api/field/working-set", tag = "field", params(WorkingSetQuery),
    security(("bearer" = [])),
    responses((status = 200, body = WireSet), (status = 400, body = shared::error::ApiError),
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
    let since = query
        .since
        .as_deref()
        .map(|s| {
            SetToken::parse(s).ok_or_else(|| {
                AppError::bad_request(
                    "since is geen token van een werkset: download de werkset opnieuw.",
                    "since is not a working set's token: download the working set again.",
                )
            })
        })
        .transpose()?;

    let generated_at = Utc::now();
    let from = belgian_local(generated_at).date();
    let to = from + Days::new(u64::from(days - 1));
    // The log's last change first, the register after: the set holds at least every change
    // up to it. Every registration of those days, in all of Flanders: a floating supervisor
    // may be registered for an enclave outside the working set.
    let after = since.map(|t| t.seq);
    let (last_seq, changes, registrations) = state
        .db
        .run(move |conn| {
            let last_seq = journal::last_seq(conn)?;
            let changes = match after {
                Some(after) if after <= last_seq => {
                    journal::register_changes_between(conn, after, last_seq)?
                }
                _ => Vec::new(),
            };
            Ok((
                last_seq,
                changes,
                repo::registrations_between(conn, from, to)?,
            ))
        })
        .await?;
    let registrations = registrations
        .into_iter()
        .map(|(registration, members)| registration.to_dto(&members))
        .collect::<diesel::QueryResult<Vec<Registration>>>()?;
    state.index.expire();
    let snapshot = state.index.snapshot(&state.db).await?;
    let scope = set_scope(&user, &state, &snapshot);

    let (chosen, removed) = choose(&user, &snapshot, ids.as_deref(), since.is_some())?;
    let delta = since.filter(|token| {
        let deleted = changes
            .iter()
            .any(|c| c.deleted && c.entity == Entity::Registration.as_str());
        refresh_by_delta(token, from, days, scope, last_seq, deleted).is_ok()
    });
    let chosen: Vec<&Entry> = match delta {
        None => chosen,
        Some(_) => {
            let mut changed = HashSet::new();
            let mut added = HashSet::new();
            for c in &changes {
                if let Some(enclave) = &c.enclave_id {
                    changed.insert(uuid(enclave)?);
                }
                if c.entity == Entity::Registration.as_str() {
                    added.insert(uuid(&c.entity_id)?);
                }
            }
            let touched = delta_enclaves(&changed, &added, &registrations);
            chosen
                .into_iter()
                .filter(|e| touched.contains(&e.summary.id))
                .collect()
        }
    };
    let enclaves = field_enclaves(&chosen, &registrations);

    if !enclaves.is_empty() {
        // The set holds personal data (the team members) for a device in the field: who
        // took which set is in the audit trail.
        let detail = format!(
            "{} enclaves, {from}..{to}{}{}",
            enclaves.len(),
            if ids.is_some() { ", chosen list" } else { "" },
            if delta.is_some() {
                ", changes only"
            } else {
                ""
            },
        );
        state
            .db
            .run(move |conn| {
                Ok(journal::record(
                    conn,
                    (&user).into(),
                    journal::Entry::new("working_set_download").detail(detail),
                )?)
            })
            .await?;
    }
    let header = WireHeader {
        generated_at,
        from,
        to,
        rules: state.config.rules,
        token: SetToken {
            seq: last_seq,
            from,
            days,
            scope,
        }
        .format(),
        full: delta.is_none(),
        removed,
    };
    Ok(HttpResponse::Ok().json(WireSet::encode(header, &enclaves)))
}

/// What a set is made for, as a fingerprint: the user's region, the rules of check 1, and
/// the register's enclaves and organisations (contracts and registrations come by delta).
fn set_scope(user: &AuthUser, state: &AppState, snapshot: &Snapshot) -> u64 {
    let region = if user.role == Role::Inspector && !user.provinces.is_empty() {
        let mut provinces: Vec<&str> = user.provinces.iter().map(|p| p.as_str()).collect();
        provinces.sort_unstable();
        provinces.join(",")
    } else {
        "*".to_owned()
    };
    let rules = serde_json::to_string(&state.config.rules).unwrap_or_default();
    let version = snapshot.version();
    let register = format!("{:?} {:?}", version.enclaves, version.organisations);
    scope(&[&region, &rules, &register])
}

/// The enclaves of the set and the ids asked for that it cannot hold. Without `ids`, the
/// user's region. With `ids`, each must exist and lie in the region — for a refresh
/// (`refresh`), those that do not are named as removed instead.
fn choose<'a>(
    user: &AuthUser,
    snapshot: &'a Snapshot,
    ids: Option<&[String]>,
    refresh: bool,
) -> Result<(Vec<&'a Entry>, Vec<Uuid>), AppError> {
    let Some(ids) = ids else {
        let region = snapshot
            .entries()
            .iter()
            .filter(|e| user.covers(e.province))
            .collect();
        return Ok((region, Vec::new()));
    };
    let mut chosen = Vec::with_capacity(ids.len());
    let mut removed = Vec::new();
    for id in ids {
        match snapshot.get(id) {
            Some(entry) if user.covers(entry.province) => chosen.push(entry),
            _ if refresh => removed.push(uuid(id)?),
            None => return Err(AppError::not_found("Enclave", "Enclave")),
            Some(_) => return Err(AppError::forbidden()),
        }
    }
    Ok((chosen, removed))
}

/// The chosen enclaves with their registrations among `registrations` (every registration of
/// the window, all of Flanders), floating supervisors flagged.
fn field_enclaves(chosen: &[&Entry], registrations: &[Registration]) -> Vec<FieldEnclave> {
    let wanted: HashSet<Uuid> = chosen.iter().map(|e| e.summary.id).collect();
    let mut by_enclave: HashMap<Uuid, Vec<FieldRegistration>> = HashMap::new();
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
    chosen
        .iter()
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
        .collect()
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
