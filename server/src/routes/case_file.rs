//! `GET /api/enclaves/{id}/case-file`: the enclave's case file as one timeline
//! ([`shared::rules::case_file`]): its contracts from the register index, and from the
//! database its inspections with their corrected measures, amendments, review decisions and
//! follow-ups. No person of the team is named, so reading it is not audited.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use chrono::Utc;
use shared::dto::auth::Role;
use shared::dto::case_file::CaseFile;
use shared::dto::inspection::{Measure, corrected_conclusion};
use shared::dto::review::ReviewDecision;
use shared::rules::case_file::{CaseInspection, events};
use shared::rules::follow_up;
use shared::rules::time::belgian_local;

use crate::auth::AuthUser;
use crate::db::repo::inspections::{self as repo, FollowerRow};
use crate::db::rows::{failed_checks, uuid};
use crate::error::AppError;
use crate::state::AppState;

/// The case file of one enclave (inspectors: of their provinces).
#[utoipa::path(get, path = "/api/enclaves/{id}/case-file", tag = "enclaves",
    params(("id" = String, Path, description = "Enclave id")),
    security(("bearer" = [])),
    responses((status = 200, body = CaseFile), (status = 403, body = shared::error::ApiError),
              (status = 404, body = shared::error::ApiError)))]
pub async fn case_file(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Inspector, Role::Reviewer, Role::Admin])?;
    let id = super::path_id(&path, || AppError::not_found("Enclave", "Enclave"))?;
    let snapshot = state.index.snapshot(&state.db).await?;
    let entry = snapshot
        .get(&id)
        .ok_or_else(|| AppError::not_found("Enclave", "Enclave"))?;
    if !user.covers(entry.province) {
        return Err(AppError::forbidden());
    }
    let contracts = entry.contracts.clone();
    let enclave_id = entry.summary.id;
    let (rows, mut corrected, amendments, reviews, latest) = state
        .db
        .run(move |conn| {
            let rows = repo::of_enclave(conn, &id)?;
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            Ok::<_, AppError>((
                rows,
                repo::corrections_of_many(conn, &ids)?,
                repo::amendment_days(conn, &ids)?,
                repo::reviews_of_many(conn, &ids)?,
                repo::latest_followers(conn, &ids)?,
            ))
        })
        .await?;
    let day = |at: chrono::NaiveDateTime| belgian_local(at.and_utc()).date();
    let mut amended: HashMap<String, Vec<_>> = HashMap::new();
    for (id, at, measure) in amendments {
        let measure = measure.as_deref().and_then(Measure::parse);
        amended.entry(id).or_default().push((day(at), measure));
    }
    let mut decided: HashMap<String, Vec<_>> = HashMap::new();
    for r in reviews {
        let decision = ReviewDecision::parse(&r.decision)
            .ok_or_else(|| AppError::internal("bad stored review decision"))?;
        decided
            .entry(r.inspection_id.clone())
            .or_default()
            .push((day(r.decided_at), decision));
    }
    let mut inspections = Vec::with_capacity(rows.len());
    for row in &rows {
        let record = row.stored_record()?;
        let conclusion = corrected_conclusion(
            &record.conclusion,
            corrected.remove(&row.id).unwrap_or_default(),
        );
        inspections.push(CaseInspection {
            id: uuid(&row.id)?,
            on: row.on_date,
            measure: conclusion.measure,
            due: follow_up::due(&conclusion),
            review_state: row.review_state()?,
            failed_checks: failed_checks([
                &row.contract_filed,
                &row.daily_registration,
                &row.supervisor_present,
            ]),
            amendments: amended.remove(&row.id).unwrap_or_default(),
            decisions: decided.remove(&row.id).unwrap_or_default(),
            follows: record
                .follows
                .as_ref()
                .map(|f| (f.inspection_id, follow_up::tally(&f.remedies))),
            followed_up: latest.get(&row.id).map(FollowerRow::outcome),
        });
    }
    let today = belgian_local(Utc::now()).date();
    Ok(HttpResponse::Ok().json(CaseFile {
        enclave_id,
        events: events(&contracts, &inspections, today),
    }))
}
