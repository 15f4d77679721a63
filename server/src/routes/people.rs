//! Access requests, for administrators: `GET /api/people?q=` finds a person by name or staff
//! number, `GET /api/people/{id}/export` gives everything held about them as JSON. Both are
//! personal-data reads, so both are audited in the same database call.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use shared::dto::auth::Role;
use shared::dto::inspection::InspectionRecord;
use shared::dto::person::{PersonExport, PersonInspection, PersonRegistration, PersonSummary};
use shared::dto::query::PeopleQuery;
use shared::dto::registration::MemberRole;
use shared::dto::review::ReviewState;

use crate::auth::AuthUser;
use crate::db::repo::people as repo;
use crate::db::rows::{PersonRow, uuid};
use crate::error::AppError;
use crate::state::AppState;

/// Most people in one search answer.
const MAX_RESULTS: i64 = 50;

fn not_found() -> AppError {
    AppError::not_found("Persoon", "Person")
}

fn role(stored: &str) -> Result<MemberRole, AppError> {
    MemberRole::parse(stored).ok_or_else(|| AppError::internal("bad stored person role"))
}

fn summary((p, maatwerkbedrijf_name): (PersonRow, String)) -> Result<PersonSummary, AppError> {
    Ok(PersonSummary {
        id: uuid(&p.id)?,
        role: role(&p.role)?,
        maatwerkbedrijf_id: uuid(&p.maatwerkbedrijf_id)?,
        maatwerkbedrijf_name,
        display_name: p.display_name,
        company_reference: p.company_reference,
        created_at: p.created_at.and_utc(),
    })
}

/// People whose name or staff number contains `q`, by name (at most 50).
#[utoipa::path(get, path = "/api/people", tag = "people", params(PeopleQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [PersonSummary]), (status = 400, body = shared::error::ApiError),
              (status = 401, body = shared::error::ApiError), (status = 403, body = shared::error::ApiError)))]
pub async fn search(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<PeopleQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let q = query.into_inner().q.trim().to_owned();
    if q.chars().count() < 2 {
        return Err(AppError::bad_request(
            "Geef minstens 2 tekens van de naam of het personeelsnummer.",
            "Give at least 2 characters of the name or the staff number.",
        ));
    }
    let rows = state
        .db
        .run(move |conn| {
            let rows = repo::search(conn, &q, MAX_RESULTS)?;
            let detail = format!("q={q}, {} gevonden", rows.len());
            super::audit::record_read(conn, &user, "search", "person", None, Some(detail))?;
            Ok(rows)
        })
        .await?;
    let people = rows
        .into_iter()
        .map(summary)
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(HttpResponse::Ok().json(people))
}

/// Everything held about one person: who they are, every registration naming them and every
/// inspection whose record names them (ticked present, or mentioned by name).
#[utoipa::path(get, path = "/api/people/{id}/export", tag = "people",
    params(("id" = uuid::Uuid, Path, description = "Person id")),
    security(("bearer" = [])),
    responses((status = 200, body = PersonExport), (status = 401, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError), (status = 404, body = shared::error::ApiError)))]
pub async fn export(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let id = super::path_id(&path, not_found)?;
    let (person, registrations, inspections) = state
        .db
        .run(move |conn| {
            let Some(person) = repo::by_id(conn, &id)? else {
                return Ok(None);
            };
            let registrations = repo::registrations_of(conn, &id)?;
            let inspections = repo::inspections_naming(conn, &id, &person.0.display_name)?;
            let detail = format!(
                "inzageverzoek: {} registraties, {} inspecties",
                registrations.len(),
                inspections.len()
            );
            super::audit::record_read(conn, &user, "export", "person", Some(&id), Some(detail))?;
            Ok(Some((person, registrations, inspections)))
        })
        .await?
        .ok_or_else(not_found)?;
    let person = summary(person)?;
    let registrations = registrations
        .into_iter()
        .map(|(r, member_role, site_name, host_name)| {
            Ok(PersonRegistration {
                registration_id: uuid(&r.id)?,
                enclave_id: uuid(&r.enclave_id)?,
                site_name,
                host_name,
                work_date: r.work_date,
                planned_start: r.planned_start,
                registered_at: r.registered_at.and_utc(),
                role: role(&member_role)?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let inspections = inspections
        .into_iter()
        .map(|row| {
            let record: InspectionRecord = serde_json::from_str(&row.record).map_err(|e| {
                AppError::internal(format!("stored inspection {} unreadable: {e}", row.id))
            })?;
            Ok(PersonInspection {
                inspection_id: uuid(&row.id)?,
                enclave_id: uuid(&row.enclave_id)?,
                on: row.on_date,
                review_state: ReviewState::parse(&row.review_state)
                    .ok_or_else(|| AppError::internal("bad stored review state"))?,
                present: record
                    .present
                    .into_iter()
                    .find(|p| p.person_id == person.id),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(HttpResponse::Ok().json(PersonExport {
        generated_at: Utc::now(),
        person,
        registrations,
        inspections,
    }))
}
