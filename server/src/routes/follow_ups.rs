//! `GET /api/follow-ups`: the warnings and regularisation orders with a deadline, each with
//! where its follow-up stands today ([`shared::rules::follow_up`]). The due day is kept on
//! the inspection (corrected with its amendments); a follow-up inspection keeps which one it
//! follows and what it found, so the list is two indexed reads before the page's records.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use chrono::Utc;
use shared::dto::auth::Role;
use shared::dto::follow_up::{FollowUp, FollowUpList};
use shared::dto::inspection::corrected_conclusion;
use shared::dto::query::FollowUpQuery;
use shared::rules::follow_up::{self, FollowUpStatus};
use shared::rules::time::belgian_local;

use crate::auth::AuthUser;
use crate::db::repo::inspections::{self as repo, FollowUpFilter, FollowerRow};
use crate::db::rows::uuid;
use crate::error::AppError;
use crate::state::AppState;

/// Follow-ups answered when `limit` is not given.
const DEFAULT_LIMIT: usize = 200;
/// The largest `limit`.
const MAX_LIMIT: usize = 500;

/// Follow-ups soonest due first: an inspector's own inspections', every inspector's for
/// reviewers and admins (or one inspector's); only the overdue ones with `overdue=true`.
#[utoipa::path(get, path = "/api/follow-ups", tag = "inspections", params(FollowUpQuery),
    security(("bearer" = [])),
    responses((status = 200, body = FollowUpList), (status = 400, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError)))]
pub async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<FollowUpQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Inspector, Role::Reviewer, Role::Admin])?;
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::bad_request(
            "limit moet tussen 1 en 500 liggen.",
            "limit must be between 1 and 500.",
        ));
    }
    let asked = query.inspector.map(|id| id.to_string());
    let inspector = if user.role == Role::Inspector {
        if asked.as_ref().is_some_and(|id| *id != user.id) {
            return Err(AppError::forbidden());
        }
        Some(user.id.clone())
    } else {
        asked
    };
    let today = belgian_local(Utc::now()).date();
    let overdue = query.overdue == Some(true);
    let filter = FollowUpFilter {
        inspector,
        enclave: query.enclave.map(|id| id.to_string()),
        due_before: overdue.then_some(today),
    };

    let (mut found, latest) = state
        .db
        .run(move |conn| {
            let found = repo::follow_ups(conn, &filter)?;
            let ids: Vec<String> = found.iter().map(|r| r.id.clone()).collect();
            let latest = repo::latest_followers(conn, &ids)?;
            Ok::<_, AppError>((found, latest))
        })
        .await?;
    let status = |row: &repo::FollowUpRow| {
        let outcome = latest.get(&row.id).map(FollowerRow::outcome);
        row.follow_up_due
            .map(|due| follow_up::status(due, today, outcome))
    };
    found.retain(|row| status(row).is_some_and(|s| !overdue || s == FollowUpStatus::Overdue));
    found.sort_by(|a, b| (a.follow_up_due, &a.id).cmp(&(b.follow_up_due, &b.id)));
    let more = found.len() > limit;
    found.truncate(limit);

    let ids: Vec<String> = found.iter().map(|r| r.id.clone()).collect();
    let (records, mut corrected) = state
        .db
        .run(move |conn| {
            Ok::<_, AppError>((
                repo::by_ids(conn, &ids)?,
                repo::corrections_of_many(conn, &ids)?,
            ))
        })
        .await?;
    let records: HashMap<String, _> = records.into_iter().map(|r| (r.id.clone(), r)).collect();
    let snapshot = state.index.snapshot(&state.db).await?;
    let mut items = Vec::with_capacity(found.len());
    for row in &found {
        let (Some(stored), Some(due), Some(status)) =
            (records.get(&row.id), row.follow_up_due, status(row))
        else {
            continue;
        };
        let Some(entry) = snapshot.get(&row.enclave_id) else {
            continue;
        };
        let record = stored.stored_record()?;
        let conclusion = corrected_conclusion(
            &record.conclusion,
            corrected.remove(&row.id).unwrap_or_default(),
        );
        let to_answer = follow_up::described_shortcomings(&record);
        let follower = latest.get(&row.id);
        let result = follower.map(FollowerRow::outcome).unwrap_or_default();
        items.push(FollowUp {
            inspection_id: uuid(&row.id)?,
            enclave_id: uuid(&row.enclave_id)?,
            site: entry.summary.site.clone(),
            host_name: entry.host.name.clone(),
            inspector_id: uuid(&row.inspector_id)?,
            inspected_on: row.on_date,
            measure: conclusion.measure,
            due,
            status,
            shortcomings: to_answer.len() as u32,
            followed_up_by: follower.map(|f| uuid(&f.id)).transpose()?,
            followed_up_on: follower.map(|f| f.on_date),
            remedied: result.remedied,
            not_remedied: result.not_remedied,
            to_answer,
        });
    }
    Ok(HttpResponse::Ok().json(FollowUpList {
        items,
        on: today,
        more,
    }))
}
