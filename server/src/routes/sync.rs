//! `POST /api/sync/push` and `GET /api/sync/pull`: the tablet's outbox and inbox.
//!
//! A push is validated first (pure rules from `shared`), then applied in one transaction
//! holding the change-log lock. Outcomes are per record: a resend of the same content is a
//! duplicate with the same answer as the first time, other content under a known id is a
//! conflict, an invalid record is rejected while the valid ones around it apply, and an
//! inspection naming a photo that is not stored completely is not applied but answered
//! `missing_attachments` (retryable: upload, then push again), so every applied inspection's
//! evidence can be fetched.

use std::collections::{HashMap, HashSet};

use actix_web::{HttpResponse, web};
use chrono::{NaiveDateTime, Utc};
use diesel::Connection;
use sha2::{Digest, Sha256};
use shared::dto::auth::Role;
use shared::dto::enclave::Province;
use shared::dto::inspection::{AmendmentRecord, InspectionRecord, corrected_conclusion};
use shared::dto::query::PullQuery;
use shared::dto::sync::{
    Entity, PullResponse, PushOutcome, PushRequest, PushResponse, PushResult, RejectionCode,
    SyncRecord,
};
use shared::rules::follow_up::{self, validate_follow_up};
use shared::rules::inspection::{validate_amendment, validate_correction, validate_inspection};
use shared::rules::time::belgian_local;

use crate::auth::AuthUser;
use crate::db::DbConnection;
use crate::db::repo::{self, inspections as repo_inspections};
use crate::db::rows::{AmendmentRow, ChangeRow, InspectionRow};
use crate::error::AppError;
use crate::state::AppState;

/// Largest batch accepted in one push.
pub const MAX_BATCH: usize = 2_000;
/// Largest push body (a thousand inspections with findings fit comfortably).
pub const MAX_PUSH_BYTES: usize = 16 * 1024 * 1024;
const MAX_PULL: i64 = 1_000;

/// The body of a push: larger than other JSON bodies, refused with the API's own error.
pub fn push_body() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_PUSH_BYTES)
        .error_handler(|e, _| crate::error::json_error(e).into())
}

/// A record checked and ready to write.
enum Prepared {
    Invalid(uuid::Uuid, PushOutcome),
    Inspection {
        record: Box<InspectionRecord>,
        json: String,
        hash: String,
    },
    Amendment {
        record: AmendmentRecord,
        hash: String,
    },
}

fn rejected(code: RejectionCode, nl: impl Into<String>, en: impl Into<String>) -> PushOutcome {
    PushOutcome::Rejected {
        code,
        message_nl: nl.into(),
        message_en: en.into(),
    }
}

/// What an amendment's structured correction does to `inspection`'s conclusion.
enum Corrected {
    /// It corrects nothing.
    Nothing,
    /// It leaves the conclusion invalid (after the corrections stored before it).
    Rejected(PushOutcome),
    /// It holds; the follow-up is due on this day (`None`: the measure opens none).
    Due(Option<chrono::NaiveDate>),
}

/// Checks `amendment`'s correction against `inspection` and the corrections stored before
/// it (one read of each), and says when the follow-up is due once it applies.
fn corrected(
    conn: &mut DbConnection,
    amendment: &AmendmentRecord,
    inspection: &InspectionRow,
) -> Result<Corrected, AppError> {
    let Some(correction) = amendment.correction() else {
        return Ok(Corrected::Nothing);
    };
    let record = inspection.stored_record()?;
    let earlier = repo_inspections::corrections_of(conn, &inspection.id)?;
    let problems = validate_correction(amendment, &record, &earlier);
    if !problems.is_empty() {
        let (nl, en): (Vec<String>, Vec<String>) = problems
            .into_iter()
            .map(|p| (p.message_nl, p.message_en))
            .unzip();
        return Ok(Corrected::Rejected(rejected(
            RejectionCode::ValidationFailed,
            nl.join("; "),
            en.join("; "),
        )));
    }
    let conclusion =
        corrected_conclusion(&record.conclusion, earlier.into_iter().chain([correction]));
    Ok(Corrected::Due(follow_up::due(&conclusion)))
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn prepare(record: SyncRecord, today: chrono::NaiveDate) -> Prepared {
    let id = record.id();
    let problems = match &record {
        SyncRecord::Inspection(r) => validate_inspection(r, today),
        SyncRecord::Amendment(r) => validate_amendment(r),
    };
    if !problems.is_empty() {
        let (nl, en): (Vec<String>, Vec<String>) = problems
            .iter()
            .map(|p| {
                (
                    format!("{}: {}", p.field, p.message_nl),
                    format!("{}: {}", p.field, p.message_en),
                )
            })
            .unzip();
        return Prepared::Invalid(
            id,
            rejected(
                RejectionCode::ValidationFailed,
                nl.join("; "),
                en.join("; "),
            ),
        );
    }
    match record {
        SyncRecord::Inspection(r) => match serde_json::to_string(&r) {
            Ok(json) => Prepared::Inspection {
                hash: sha256_hex(json.as_bytes()),
                json,
                record: r,
            },
            Err(e) => Prepared::Invalid(
                id,
                rejected(
                    RejectionCode::ValidationFailed,
                    e.to_string(),
                    e.to_string(),
                ),
            ),
        },
        SyncRecord::Amendment(r) => {
            let hash = sha256_hex(serde_json::to_string(&r).unwrap_or_default().as_bytes());
            Prepared::Amendment { record: r, hash }
        }
    }
}

/// The distinct photos a record names, in order.
fn photo_hashes(record: &InspectionRecord) -> impl Iterator<Item = String> + '_ {
    let mut seen = HashSet::new();
    record
        .photos()
        .filter(move |p| seen.insert(p.sha256.as_str()))
        .map(|p| p.sha256.clone())
}

fn version(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

fn forbidden() -> PushOutcome {
    rejected(
        RejectionCode::Forbidden,
        "U mag dit record niet indienen (ander eigenaar of buiten uw regio).",
        "You may not push this record (another owner, or outside your region).",
    )
}

/// One push transaction: what is already stored (looked up for the whole batch at once), the
/// next change number, and the rows waiting to be inserted in bulk.
struct Batch<'a> {
    user: &'a AuthUser,
    now: NaiveDateTime,
    next_seq: i64,
    /// Inspections by id: stored before this batch, or added by it.
    known: HashMap<String, InspectionRow>,
    /// Province of each enclave the batch names.
    provinces: HashMap<String, String>,
    /// The photos the batch names that are stored completely.
    photos: HashSet<String>,
    new_inspections: Vec<InspectionRow>,
    new_changes: Vec<ChangeRow>,
    /// The photos of the inspections applied, no longer counted against the upload quota.
    named_photos: Vec<String>,
}

impl<'a> Batch<'a> {
    /// Takes the change-log lock and looks up what the batch refers to.
    fn open(
        conn: &mut DbConnection,
        user: &'a AuthUser,
        prepared: &[Prepared],
    ) -> Result<Self, AppError> {
        repo::journal::lock_change_log(conn)?;
        let mut inspection_ids = Vec::new();
        let mut enclave_ids = Vec::new();
        let mut photos = Vec::new();
        for p in prepared {
            match p {
                Prepared::Inspection { record, .. } => {
                    inspection_ids.push(record.id.to_string());
                    if let Some(follows) = &record.follows {
                        inspection_ids.push(follows.inspection_id.to_string());
                    }
                    enclave_ids.push(record.enclave_id.to_string());
                    photos.extend(photo_hashes(record));
                }
                Prepared::Amendment { record, .. } => {
                    inspection_ids.push(record.inspection_id.to_string())
                }
                Prepared::Invalid(..) => {}
            }
        }
        Ok(Self {
            user,
            now: repo::now(),
            next_seq: repo::journal::next_seq(conn)?,
            known: repo_inspections::by_ids(conn, &inspection_ids)?
                .into_iter()
                .map(|r| (r.id.clone(), r))
                .collect(),
            provinces: repo::enclaves::provinces(conn, &enclave_ids)?
                .into_iter()
                .collect(),
            photos: repo::attachments::complete_of(conn, &photos)?,
            new_inspections: Vec::new(),
            new_changes: Vec::new(),
            named_photos: Vec::new(),
        })
    }

    fn change(&mut self, entity: Entity, entity_id: &str, inspection_id: &str) {
        self.new_changes.push(ChangeRow::of_owner(
            self.next_seq,
            entity,
            entity_id,
            inspection_id,
            &self.user.id,
            self.now,
        ));
        self.next_seq += 1;
    }

    /// Writes the pending rows (before an amendment reads the database, and at the end).
    fn flush(&mut self, conn: &mut DbConnection) -> Result<(), AppError> {
        repo_inspections::insert_many(conn, &std::mem::take(&mut self.new_inspections))?;
        repo::journal::append(conn, &std::mem::take(&mut self.new_changes))?;
        repo::attachments::mark_named(conn, &std::mem::take(&mut self.named_photos), self.now)?;
        Ok(())
    }

    fn apply(&mut self, conn: &mut DbConnection, p: Prepared) -> Result<PushResult, AppError> {
        let (id, outcome) = match p {
            Prepared::Invalid(id, outcome) => (id, outcome),
            Prepared::Inspection { record, json, hash } => {
                (record.id, self.inspection(*record, json, hash)?)
            }
            Prepared::Amendment { record, hash } => {
                self.flush(conn)?;
                (record.id, self.amendment(conn, record, hash)?)
            }
        };
        Ok(PushResult { id, outcome })
    }

    fn inspection(
        &mut self,
        record: InspectionRecord,
        json: String,
        hash: String,
    ) -> Result<PushOutcome, AppError> {
        let id = record.id.to_string();
        if let Some(existing) = self.known.get(&id) {
            return Ok(if existing.inspector_id != self.user.id {
                forbidden()
            } else if existing.content_hash == hash {
                PushOutcome::Duplicate {
                    version: version(existing.version),
                }
            } else {
                PushOutcome::Conflict {
                    server_version: version(existing.version),
                }
            });
        }
        let province = self
            .provinces
            .get(&record.enclave_id.to_string())
            .and_then(|p| Province::parse(p));
        let province = match province {
            None => {
                return Ok(rejected(
                    RejectionCode::UnknownEnclave,
                    "Onbekende enclave.",
                    "Unknown enclave.",
                ));
            }
            Some(p) if !self.user.covers(p) => return Ok(forbidden()),
            Some(p) => p,
        };
        if let Some(rejection) = self.bad_follow_up(&record)? {
            return Ok(rejection);
        }
        // Evidence complete or not applied: the record waits until every photo is stored.
        let missing: Vec<String> = photo_hashes(&record)
            .filter(|sha| !self.photos.contains(sha))
            .collect();
        if !missing.is_empty() {
            return Ok(PushOutcome::MissingAttachments { sha256: missing });
        }
        self.named_photos.extend(photo_hashes(&record));
        let row = InspectionRow::submitted(&record, &self.user.id, province, json, hash, self.now);
        self.change(Entity::Inspection, &id, &id);
        self.known.insert(id, row.clone());
        self.new_inspections.push(row);
        Ok(PushOutcome::Applied { version: 1 })
    }

    /// The rejection of `record`'s follow-up, if it names an inspection the server does not
    /// have or does not answer it ([`validate_follow_up`]).
    fn bad_follow_up(&self, record: &InspectionRecord) -> Result<Option<PushOutcome>, AppError> {
        let Some(follows) = &record.follows else {
            return Ok(None);
        };
        let Some(earlier) = self.known.get(&follows.inspection_id.to_string()) else {
            return Ok(Some(rejected(
                RejectionCode::ValidationFailed,
                "follows.inspection_id: de opgevolgde inspectie is onbekend.",
                "follows.inspection_id: the inspection followed up is unknown.",
            )));
        };
        let earlier = earlier.stored_record()?;
        let problems = validate_follow_up(record, &earlier);
        if problems.is_empty() {
            return Ok(None);
        }
        let (nl, en): (Vec<String>, Vec<String>) = problems
            .into_iter()
            .map(|p| {
                (
                    format!("{}: {}", p.field, p.message_nl),
                    format!("{}: {}", p.field, p.message_en),
                )
            })
            .unzip();
        Ok(Some(rejected(
            RejectionCode::ValidationFailed,
            nl.join("; "),
            en.join("; "),
        )))
    }

    fn amendment(
        &mut self,
        conn: &mut DbConnection,
        record: AmendmentRecord,
        hash: String,
    ) -> Result<PushOutcome, AppError> {
        let user = self.user;
        if let Some(existing) = repo_inspections::amendment_by_id(conn, &record.id.to_string())? {
            let v = repo_inspections::by_id(conn, &existing.inspection_id)?
                .map_or(0, |i| version(i.version));
            return Ok(if existing.author_id != user.id {
                forbidden()
            } else if existing.content_hash == hash {
                PushOutcome::Duplicate { version: v }
            } else {
                PushOutcome::Conflict { server_version: v }
            });
        }
        let Some(inspection) = repo_inspections::by_id(conn, &record.inspection_id.to_string())?
        else {
            // Out of order: the inspection has not arrived (yet). Not a rejection: the same
            // amendment applies once the inspection is pushed.
            return Ok(PushOutcome::Conflict { server_version: 0 });
        };
        if inspection.inspector_id != user.id {
            return Ok(forbidden());
        }
        if version(inspection.version) != record.base_version {
            return Ok(PushOutcome::Conflict {
                server_version: version(inspection.version),
            });
        }
        match corrected(conn, &record, &inspection)? {
            Corrected::Nothing => {}
            Corrected::Rejected(rejection) => return Ok(rejection),
            Corrected::Due(due) => {
                repo_inspections::set_follow_up_due(conn, &inspection.id, due)?;
                if let Some(known) = self.known.get_mut(&inspection.id) {
                    known.follow_up_due = due;
                }
            }
        }
        let row = AmendmentRow::pushed(record, &inspection, &user.id, hash, self.now);
        repo_inspections::insert_amendment(conn, &row)?;
        let new_version = inspection.version + 1;
        repo_inspections::set_version(conn, &inspection.id, new_version)?;
        if let Some(known) = self.known.get_mut(&inspection.id) {
            known.version = new_version;
        }
        self.change(Entity::Amendment, &row.id, &inspection.id);
        Ok(PushOutcome::Applied {
            version: version(new_version),
        })
    }
}

/// Push a batch of records from the device's outbox.
#[utoipa::path(post, path = "/api/sync/push", tag = "sync", request_body = PushRequest,
    security(("bearer" = [])),
    responses((status = 200, body = PushResponse), (status = 400, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError), (status = 413, body = shared::error::ApiError)))]
pub async fn push(
    user: AuthUser,
    state: web::Data<AppState>,
    body: web::Json<PushRequest>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Inspector])?;
    let records = body.into_inner().records;
    if records.len() > MAX_BATCH {
        return Err(AppError::new(
            shared::error::ErrorCode::PayloadTooLarge,
            format!("Te veel records in één keer (maximaal {MAX_BATCH})."),
            format!("Too many records in one push (at most {MAX_BATCH})."),
        ));
    }
    let today = belgian_local(Utc::now()).date();
    let kinds: Vec<&'static str> = records.iter().map(crate::observe::record_kind).collect();
    let prepared: Vec<Prepared> = records.into_iter().map(|r| prepare(r, today)).collect();
    let results = state
        .db
        .run(move |conn| {
            conn.transaction(|conn| {
                let mut batch = Batch::open(conn, &user, &prepared)?;
                let results = prepared
                    .into_iter()
                    .map(|p| batch.apply(conn, p))
                    .collect::<Result<Vec<_>, AppError>>()?;
                batch.flush(conn)?;
                Ok(results)
            })
        })
        .await?;
    state.metrics.count_push(&kinds, &results);
    Ok(HttpResponse::Ok().json(PushResponse { results }))
}

/// Changes since a cursor, oldest first.
#[utoipa::path(get, path = "/api/sync/pull", tag = "sync", params(PullQuery),
    security(("bearer" = [])),
    responses((status = 200, body = PullResponse), (status = 400, body = shared::error::ApiError)))]
pub async fn pull(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<PullQuery>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Inspector, Role::Reviewer, Role::Admin])?;
    let since = query.since.unwrap_or(0);
    let limit = query.limit.unwrap_or(500);
    if since < 0 || !(1..=MAX_PULL).contains(&limit) {
        return Err(AppError::bad_request(
            "since moet ≥ 0 zijn en limit tussen 1 en 1000.",
            "since must be ≥ 0 and limit between 1 and 1000.",
        ));
    }
    let owner = user.id.clone();
    // Register changes: of the inspector's provinces; everything for other roles.
    let provinces: Option<Vec<String>> =
        (user.role == Role::Inspector && !user.provinces.is_empty()).then(|| {
            user.provinces
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect()
        });
    let mut rows = state
        .db
        .run(move |conn| {
            repo::journal::changes_since(conn, &owner, provinces.as_deref(), since, limit + 1)
                .map_err(AppError::from)
        })
        .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = rows.last().map_or(since, |r| r.seq);
    let changes = rows
        .iter()
        .map(ChangeRow::to_change)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(PullResponse {
        changes,
        next_cursor,
        more,
    }))
}
