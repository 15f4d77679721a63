//! `PUT /api/attachments/{sha256}`: photos, uploaded before the record that names them.
//!
//! An upload may come whole or in pieces (`Content-Range: bytes START-END/TOTAL`); a piece must
//! start where the stored part ends, so a broken-off upload resumes from
//! `GET /api/attachments/{sha256}/status`. When the last byte arrives the server hashes the
//! file: only bytes whose SHA-256 is the name are kept, so evidence provably is what the
//! tablet hashed when the photo was taken. Bodies are read whole before any file or database
//! work starts.
//!
//! Photos are kept in the shared [`crate::photos::PhotoStore`]: partial uploads per user, one
//! object per piece, so a piece sent to one instance and the next to another resume alike;
//! complete photos once (`{sha256}`). What a user has parked — partial uploads, and complete
//! photos no pushed inspection names yet — counts against their quota
//! ([`crate::config::UploadLimits::quota_bytes`]); a partial upload that has not grown for
//! [`crate::config::UploadLimits::partial_max_age`] is swept
//! ([`crate::photos::PhotoStore::sweep`]). Whether a photo exists is told only to its uploader,
//! reviewers and admins: to any other inspector a stored photo looks like one never uploaded.

use actix_web::http::header::{CONTENT_RANGE, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};
use shared::dto::auth::Role;
use shared::dto::sync::AttachmentStatus;
use shared::error::ErrorCode;
use shared::rules::inspection::{MAX_PHOTO_BYTES, PHOTO_CONTENT_TYPES, is_sha256_hex};

use crate::auth::AuthUser;
use crate::db::repo;
use crate::db::rows::AttachmentRow;
use crate::error::AppError;
use crate::photos::PhotoStore;
use crate::state::AppState;

/// The body of an upload: up to one whole photo.
pub fn photo_body() -> web::PayloadConfig {
    web::PayloadConfig::new(usize::try_from(MAX_PHOTO_BYTES).unwrap_or(usize::MAX))
}

fn checked_hash(raw: &str) -> Result<String, AppError> {
    if is_sha256_hex(raw) {
        Ok(raw.to_owned())
    } else {
        Err(AppError::bad_request(
            "De naam van een bijlage is de SHA-256 ervan: 64 kleine hexadecimale tekens.",
            "An attachment is named by its SHA-256: 64 lower-case hexadecimal characters.",
        ))
    }
}

/// `bytes START-END/TOTAL`.
fn parse_range(value: &str) -> Option<(u64, u64, u64)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let (start, end) = span.split_once('-')?;
    let (start, end, total) = (start.parse().ok()?, end.parse().ok()?, total.parse().ok()?);
    (start <= end && end < total).then_some((start, end, total))
}

/// What became of a piece.
enum Stored {
    /// Kept (the whole photo when `complete`).
    Kept(AttachmentStatus),
    /// The bytes are not what the hash names; nothing kept.
    Mismatch,
    /// The piece does not start where the stored part ends (which it names).
    Gap(u64),
    /// Storing it would take the user past their quota.
    OverQuota,
}

/// Stores a whole upload or a piece in `photos`; publishes the photo once its last byte came
/// and its hash matched. `room` is what the user's quota leaves beside their complete photos no record names.
async fn store(
    photos: &PhotoStore,
    user_id: &str,
    sha: &str,
    mine: bool,
    range: Option<(u64, u64, u64)>,
    body: web::Bytes,
    room: u64,
) -> Result<Stored, AppError> {
    let kept = |complete, received_bytes| {
        Stored::Kept(AttachmentStatus {
            sha256: sha.to_owned(),
            complete,
            received_bytes,
        })
    };
    // Only the uploader learns that the photo is stored without sending it; anyone else
    // proves they hold the bytes by sending them all.
    if mine && let Some(size) = photos.size(sha).await? {
        return Ok(kept(true, size));
    }
    let received = photos.received(user_id, sha).await?;
    let (start, total) = match range {
        Some((start, _, total)) => (start, total),
        None => (0, body.len() as u64),
    };
    // A whole upload (no range) starts afresh; a piece must follow on what is stored.
    if range.is_some() && start != received.bytes {
        return Ok(Stored::Gap(received.bytes));
    }
    let parked = photos.parked(user_id, sha).await?;
    if parked.saturating_add(total) > room {
        return Ok(Stored::OverQuota);
    }
    let end = start + body.len() as u64;
    if end < total {
        photos
            .put_piece(user_id, sha, start, body, &received)
            .await?;
        return Ok(kept(false, end));
    }
    let whole = if range.is_some() {
        web::Bytes::from(photos.assemble(&received, &body).await?)
    } else {
        body
    };
    // Hashing a large photo takes a while: off the async workers.
    let expected = sha.to_owned();
    let (whole, matches) = web::block(move || {
        let matches = format!("{:x}", Sha256::digest(&whole)) == expected;
        (whole, matches)
    })
    .await
    .map_err(AppError::internal)?;
    if matches && photos.size(sha).await?.is_none() {
        photos.publish(sha, whole).await?;
    }
    // Published or refused, the pieces have served.
    photos.delete_pieces(user_id, sha).await?;
    Ok(if matches {
        kept(true, total)
    } else {
        Stored::Mismatch
    })
}

/// Upload an attachment, whole or a piece at a time.
#[utoipa::path(put, path = "/api/attachments/{sha256}", tag = "sync",
    params(("sha256" = String, Path, description = "SHA-256 of the file, hex", pattern = "^[0-9a-f]{64}$")),
    security(("bearer" = [])),
    responses((status = 201, body = AttachmentStatus, description = "Complete"),
              (status = 202, body = AttachmentStatus, description = "Piece stored; send the rest"),
              (status = 200, body = AttachmentStatus, description = "Already had it"),
              (status = 400, body = shared::error::ApiError), (status = 401, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError, description = "Not an inspector"),
              (status = 409, body = shared::error::ApiError),
              (status = 413, body = shared::error::ApiError, description = "Larger than a photo may be (payload_too_large), or past the user's upload quota (upload_quota_exceeded)"),
              (status = 422, body = shared::error::ApiError, description = "Not a photo, or the bytes do not match the hash")))]
pub async fn put(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Inspector])?;
    let sha = checked_hash(&path.into_inner())?;
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if !PHOTO_CONTENT_TYPES.contains(&content_type.as_str()) {
        return Err(AppError::new(
            ErrorCode::ValidationFailed,
            format!(
                "Een foto moet van het type {} zijn.",
                PHOTO_CONTENT_TYPES.join(", ")
            ),
            format!(
                "A photo must be of type {}.",
                PHOTO_CONTENT_TYPES.join(", ")
            ),
        ));
    }
    let range = match req.headers().get(CONTENT_RANGE) {
        None => None,
        Some(v) => Some(v.to_str().ok().and_then(parse_range).ok_or_else(|| {
            AppError::bad_request(
                "Content-Range moet de vorm 'bytes START-EINDE/TOTAAL' hebben.",
                "Content-Range must look like 'bytes START-END/TOTAL'.",
            )
        })?),
    };
    if range.is_some_and(|(s, e, _)| e - s + 1 != body.len() as u64) {
        return Err(AppError::bad_request(
            "Content-Range en de lengte van de inhoud verschillen.",
            "Content-Range and the body length differ.",
        ));
    }
    if range.is_some_and(|(_, _, total)| total > MAX_PHOTO_BYTES) {
        return Err(AppError::new(
            ErrorCode::PayloadTooLarge,
            "De foto is te groot.",
            "The photo is too large.",
        ));
    }
    let (uploader, unnamed) = {
        let (s, id) = (sha.clone(), user.id.clone());
        state
            .db
            .run(move |conn| {
                let uploader = repo::attachments::by_hash(conn, &s)?.map(|r| r.uploader_id);
                Ok((uploader, repo::attachments::unnamed_bytes(conn, &id)?))
            })
            .await?
    };
    let quota = state.config.upload_limits.quota_bytes;
    let mine = uploader.as_deref() == Some(user.id.as_str());
    let room = quota.saturating_sub(unnamed);
    let stored = store(&state.photos, &user.id, &sha, mine, range, body, room).await?;
    let status = match stored {
        Stored::Kept(status) => status,
        Stored::Mismatch => {
            return Err(AppError::new(
                ErrorCode::ValidationFailed,
                "De inhoud komt niet overeen met de SHA-256 in de naam; het bestand werd niet bewaard.",
                "The content does not match the SHA-256 in its name; the file was not kept.",
            ));
        }
        Stored::Gap(have) => {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "Dit stuk sluit niet aan: de server heeft {have} bytes; ga verder vanaf daar."
                ),
                format!(
                    "This piece does not follow on: the server has {have} bytes; resume from there."
                ),
            ));
        }
        Stored::OverQuota => {
            let mib = quota / (1024 * 1024);
            return Err(AppError::new(
                ErrorCode::UploadQuotaExceeded,
                format!(
                    "U hebt al {mib} MiB aan foto's klaarstaan die nog in geen ingediende inspectie zitten. Synchroniseer eerst uw inspecties."
                ),
                format!(
                    "You already have {mib} MiB of photos waiting that no pushed inspection names yet. Sync your inspections first."
                ),
            ));
        }
    };
    if !status.complete {
        return Ok(HttpResponse::Accepted().json(status));
    }
    let row = AttachmentRow {
        sha256: sha.clone(),
        content_type,
        bytes: i64::try_from(status.received_bytes).unwrap_or(i64::MAX),
        uploader_id: user.id.clone(),
        stored_at: repo::now(),
    };
    let existed = state
        .db
        .run(move |conn| {
            let existed = repo::attachments::by_hash(conn, &row.sha256)?.is_some();
            repo::attachments::record(conn, &row)?;
            Ok(existed)
        })
        .await?;
    if !existed {
        state.metrics.count_photo(status.received_bytes);
    }
    Ok(if existed {
        HttpResponse::Ok()
    } else {
        HttpResponse::Created()
    }
    .json(status))
}

/// How much of an attachment the server has, to resume an upload. A photo stored by another
/// inspector answers as one never uploaded (`complete: false`, 0 bytes): whether it exists is
/// not told.
#[utoipa::path(get, path = "/api/attachments/{sha256}/status", tag = "sync",
    params(("sha256" = String, Path, description = "SHA-256 of the file, hex", pattern = "^[0-9a-f]{64}$")),
    security(("bearer" = [])),
    responses((status = 200, body = AttachmentStatus), (status = 400, body = shared::error::ApiError),
              (status = 401, body = shared::error::ApiError)))]
pub async fn status(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Inspector, Role::Reviewer, Role::Admin])?;
    let sha = checked_hash(&path.into_inner())?;
    let s = sha.clone();
    let uploader = state
        .db
        .run(move |conn| Ok(repo::attachments::by_hash(conn, &s)?.map(|r| r.uploader_id)))
        .await?;
    // A file completed and renamed just before a crash has no row yet: its uploader (the only
    // one who can have sent it) records it now, so a push naming it is applied instead of
    // waiting for an upload that never comes.
    let sees_complete = match &uploader {
        Some(id) => *id == user.id || user.role != Role::Inspector,
        None => user.role == Role::Inspector,
    };
    let head = if sees_complete {
        state.photos.head_bytes(&sha, 12).await?
    } else {
        None
    };
    let (status, content_type) = match head {
        Some((size, head)) => {
            let status = AttachmentStatus {
                sha256: sha,
                complete: true,
                received_bytes: size,
            };
            (status, sniff_content_type(&head))
        }
        None => {
            let received = state.photos.received(&user.id, &sha).await?;
            let status = AttachmentStatus {
                sha256: sha,
                complete: false,
                received_bytes: received.bytes,
            };
            (status, None)
        }
    };
    if status.complete && uploader.is_none() {
        let row = AttachmentRow {
            sha256: status.sha256.clone(),
            content_type: content_type.unwrap_or("image/jpeg").to_owned(),
            bytes: i64::try_from(status.received_bytes).unwrap_or(i64::MAX),
            uploader_id: user.id.clone(),
            stored_at: repo::now(),
        };
        state
            .db
            .run(move |conn| Ok(repo::attachments::record(conn, &row)?))
            .await?;
    }
    Ok(HttpResponse::Ok().json(status))
}

/// The photo type of a stored file, by its first bytes.
fn sniff_content_type(head: &[u8]) -> Option<&'static str> {
    match head {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P'] => Some("image/webp"),
        _ => None,
    }
}

/// The photo itself: for its uploader, reviewers and admins; to any other inspector it is
/// not found, as one never uploaded.
#[utoipa::path(get, path = "/api/attachments/{sha256}", tag = "sync",
    params(("sha256" = String, Path, description = "SHA-256 of the file, hex", pattern = "^[0-9a-f]{64}$")),
    security(("bearer" = [])),
    responses((status = 200, description = "The file"), (status = 400, body = shared::error::ApiError),
              (status = 401, body = shared::error::ApiError), (status = 404, body = shared::error::ApiError)))]
pub async fn get(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let sha = checked_hash(&path.into_inner())?;
    let s = sha.clone();
    // A photo may show people: the read is audited in the same database call, once allowed.
    let row = state
        .db
        .run(move |conn| {
            let Some(row) = repo::attachments::by_hash(conn, &s)? else {
                return Ok(None);
            };
            // Another inspector's photo is not found, as one never uploaded.
            if !visible_to(&user, &row) {
                return Ok(None);
            }
            super::audit::record_read(conn, &user, "read", "attachment", Some(&s), None)?;
            Ok(Some(row))
        })
        .await?
        .ok_or_else(|| AppError::not_found("Bijlage", "Attachment"))?;
    let bytes = state
        .photos
        .read(&sha)
        .await?
        .ok_or_else(|| AppError::internal(format!("photo {sha} is recorded but not stored")))?;
    Ok(HttpResponse::Ok()
        .content_type(row.content_type)
        .insert_header(("Cache-Control", "no-store"))
        .body(bytes))
}

/// Whether `user` may see the photo of `row`: an inspector only what she uploaded (another's
/// is as one never uploaded), reviewers and admins every photo.
pub fn visible_to(user: &AuthUser, row: &AttachmentRow) -> bool {
    user.role != Role::Inspector || row.uploader_id == user.id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse_strictly() {
        assert_eq!(parse_range("bytes 0-99/200"), Some((0, 99, 200)));
        assert_eq!(parse_range("bytes 100-199/200"), Some((100, 199, 200)));
        assert_eq!(parse_range("bytes 100-99/200"), None);
        assert_eq!(parse_range("bytes 0-200/200"), None);
        assert_eq!(parse_range("items 0-1/2"), None);
        assert_eq!(parse_range("bytes */200"), None);
    }
}
