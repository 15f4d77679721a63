//! `GET /api/inspections/{id}`: a submitted inspection with its amendments, photo hashes and
//! review state. Inspectors see their own; reviewers and admins see all.

use actix_web::{HttpResponse, web};
use shared::dto::auth::Role;
use shared::dto::inspection::{AmendmentView, InspectionRecord, InspectionView};

use crate::auth::AuthUser;
use crate::db::repo::inspections as repo;
use crate::db::rows::uuid;
use crate::error::AppError;
use crate::state::AppState;

/// Registers the inspection routes under `/api`.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/inspections/{id}", web::get().to(get));
}

/// One inspection as stored, with its amendments.
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
    user.require(&[Role::Inspector, Role::Reviewer, Role::Admin])?;
    let not_found = || AppError::not_found("Inspectie", "Inspection");
    let id = uuid::Uuid::parse_str(&path.into_inner())
        .map_err(|_| not_found())?
        .to_string();
    let (row, amendments) = state
        .db
        .run(move |conn| {
            let Some(row) = repo::by_id(conn, &id)? else {
                return Ok(None);
            };
            let amendments = repo::amendments_of(conn, &id)?;
            Ok(Some((row, amendments)))
        })
        .await?
        .ok_or_else(not_found)?;
    if user.role == Role::Inspector && row.inspector_id != user.id {
        return Err(AppError::forbidden());
    }
    let record: InspectionRecord = serde_json::from_str(&row.record)
        .map_err(|e| AppError::internal(format!("stored inspection {} unreadable: {e}", row.id)))?;
    let photo_hashes = record
        .findings
        .iter()
        .flat_map(|f| f.photos.iter().map(|p| p.sha256.clone()))
        .collect();
    let amendments = amendments
        .into_iter()
        .map(|a| {
            Ok(AmendmentView {
                id: uuid(&a.id)?,
                author_id: uuid(&a.author_id)?,
                base_version: u32::try_from(a.base_version).unwrap_or(0),
                text: a.text,
                written_at: a.written_at_device.and_utc(),
                received_at: a.received_at.and_utc(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(HttpResponse::Ok().json(InspectionView {
        record,
        version: u32::try_from(row.version).unwrap_or(0),
        inspector_id: uuid(&row.inspector_id)?,
        received_at: row.received_at.and_utc(),
        review_state: row.review_state,
        amendments,
        photo_hashes,
    }))
}
