//! `GET /api/inspections/{id}`: a submitted inspection with its amendments, photo hashes,
//! review state and decisions. Inspectors see their own; reviewers and admins see all.
//!
//! `POST /api/inspections/{id}/review`: a reviewer approves it or returns it to the inspector
//! with a comment (the state machine is `shared::rules::review`). The decision, the new state,
//! a change the inspector pulls and an audit row are written in one transaction.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use diesel::Connection;
use shared::dto::auth::Role;
use shared::dto::inspection::{AmendmentView, InspectionRecord, InspectionView};
use shared::dto::review::{ReviewDecision, ReviewRequest, ReviewState, ReviewView};
use shared::dto::sync::Entity;
use shared::error::ErrorCode;
use shared::rules::review::{ReviewRefusal, decide};

use crate::auth::AuthUser;
use crate::db::DbConnection;
use crate::db::repo::audit;
use crate::db::repo::inspections as repo;
use crate::db::rows::{AmendmentRow, ChangeRow, InspectionRow, ReviewRow, uuid};
use crate::error::AppError;
use crate::state::AppState;

/// Registers the inspection routes under `/api`.
pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/inspections/{id}", web::get().to(get))
        .route("/inspections/{id}/review", web::post().to(review));
}

fn not_found() -> AppError {
    AppError::not_found("Inspectie", "Inspection")
}

fn parse_id(raw: String) -> Result<String, AppError> {
    Ok(uuid::Uuid::parse_str(&raw)
        .map_err(|_| not_found())?
        .to_string())
}

/// Everything stored about one inspection.
type Stored = (InspectionRow, Vec<AmendmentRow>, Vec<ReviewRow>);

fn load(conn: &mut DbConnection, id: &str) -> Result<Option<Stored>, AppError> {
    let Some(row) = repo::by_id(conn, id)? else {
        return Ok(None);
    };
    let amendments = repo::amendments_of(conn, id)?;
    let reviews = repo::reviews_of(conn, id)?;
    Ok(Some((row, amendments, reviews)))
}

fn view((row, amendments, reviews): Stored) -> Result<InspectionView, AppError> {
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
    let reviews = reviews
        .into_iter()
        .map(|r| {
            Ok(ReviewView {
                id: uuid(&r.id)?,
                reviewer_id: uuid(&r.reviewer_id)?,
                decision: ReviewDecision::parse(&r.decision)
                    .ok_or_else(|| AppError::internal("bad stored review decision"))?,
                comment: r.comment,
                inspection_version: u32::try_from(r.inspection_version).unwrap_or(0),
                decided_at: r.decided_at.and_utc(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(InspectionView {
        record,
        version: u32::try_from(row.version).unwrap_or(0),
        inspector_id: uuid(&row.inspector_id)?,
        received_at: row.received_at.and_utc(),
        review_state: ReviewState::parse(&row.review_state)
            .ok_or_else(|| AppError::internal("bad stored review state"))?,
        amendments,
        reviews,
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
    user.require(&[Role::Inspector, Role::Reviewer, Role::Admin])?;
    let id = parse_id(path.into_inner())?;
    let stored = state
        .db
        .run(move |conn| load(conn, &id))
        .await?
        .ok_or_else(not_found)?;
    if user.role == Role::Inspector && stored.0.inspector_id != user.id {
        return Err(AppError::forbidden());
    }
    Ok(HttpResponse::Ok().json(view(stored)?))
}

/// Approve an inspection, or return it to the inspector with a comment.
#[utoipa::path(post, path = "/api/inspections/{id}/review", tag = "inspections",
    params(("id" = uuid::Uuid, Path, description = "Inspection id")),
    request_body = ReviewRequest,
    security(("bearer" = [])),
    responses((status = 200, body = InspectionView), (status = 400, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError), (status = 404, body = shared::error::ApiError),
              (status = 409, body = shared::error::ApiError)))]
pub async fn review(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<ReviewRequest>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Reviewer])?;
    let id = parse_id(path.into_inner())?;
    let request = body.into_inner();
    let stored = state
        .db
        .run(move |conn| {
            conn.transaction(|conn| {
                // The change-log lock first: it also serialises decisions on SQLite.
                repo::lock_change_log(conn)?;
                let row = repo::by_id_for_update(conn, &id)?.ok_or_else(not_found)?;
                let current = ReviewState::parse(&row.review_state)
                    .ok_or_else(|| AppError::internal("bad stored review state"))?;
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
                let review = ReviewRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    inspection_id: row.id.clone(),
                    reviewer_id: user.id.clone(),
                    decision: request.decision.as_str().to_owned(),
                    comment: request.comment.trim().to_owned(),
                    inspection_version: row.version,
                    decided_at: now,
                };
                repo::insert_review(conn, &review, next)?;
                let seq = repo::next_seq(conn)?;
                repo::add_changes(
                    conn,
                    &[ChangeRow {
                        seq,
                        entity: Entity::Review.as_str().to_owned(),
                        entity_id: review.id.clone(),
                        inspection_id: row.id.clone(),
                        owner_id: row.inspector_id.clone(),
                        deleted: false,
                        received_at: now,
                        enclave_id: None,
                        province: None,
                    }],
                )?;
                audit::record(
                    conn,
                    audit::Event {
                        actor_id: Some(&user.id),
                        actor_username: Some(&user.username),
                        client: &user.client,
                        action: "inspection_review",
                        outcome: request.decision.as_str(),
                        object_type: Some("inspection"),
                        object_id: Some(&row.id),
                        detail: Some(format!("version {version} → {}", next.as_str())),
                    },
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
