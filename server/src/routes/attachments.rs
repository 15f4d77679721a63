//! `PUT /api/attachments/{sha256}`: photos, uploaded before the record that names them.
//!
//! An upload may come whole or in pieces (`Content-Range: bytes START-END/TOTAL`); a piece must
//! start where the stored part ends, so a broken-off upload resumes from
//! `GET /api/attachments/{sha256}/status`. When the last byte arrives the server hashes the
//! file: only bytes whose SHA-256 is the name are kept, so evidence provably is what the
//! tablet hashed when the photo was taken. Bodies are read whole before any file or database
//! work starts.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

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
use crate::state::AppState;

/// Registers the attachment routes under `/api`.
pub fn config(cfg: &mut web::ServiceConfig) {
    let limit = usize::try_from(MAX_PHOTO_BYTES).unwrap_or(usize::MAX);
    cfg.service(
        web::resource("/attachments/{sha256}")
            .app_data(web::PayloadConfig::new(limit))
            .route(web::put().to(put))
            .route(web::get().to(get)),
    )
    .route("/attachments/{sha256}/status", web::get().to(status));
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

fn io(e: std::io::Error) -> AppError {
    AppError::internal(format!("attachment storage: {e}"))
}

fn sha256_of(path: &Path) -> Result<String, AppError> {
    let mut file = fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            return Ok(format!("{:x}", hasher.finalize()));
        }
        hasher.update(&buf[..n]);
    }
}

struct Paths {
    complete: PathBuf,
    part: PathBuf,
}

fn paths(dir: &Path, sha: &str) -> Paths {
    Paths {
        complete: dir.join(sha),
        part: dir.join(format!("{sha}.part")),
    }
}

/// Upload an attachment, whole or a piece at a time.
#[utoipa::path(put, path = "/api/attachments/{sha256}", tag = "sync",
    params(("sha256" = String, Path, description = "SHA-256 of the file, hex")),
    security(("bearer" = [])),
    responses((status = 201, body = AttachmentStatus, description = "Complete"),
              (status = 202, body = AttachmentStatus, description = "Piece stored; send the rest"),
              (status = 200, body = AttachmentStatus, description = "Already had it"),
              (status = 400, body = shared::error::ApiError), (status = 409, body = shared::error::ApiError),
              (status = 413, body = shared::error::ApiError)))]
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
    let dir = state.config.attachments_dir.clone();
    let sha2 = sha.clone();
    let stored = web::block(
        move || -> Result<Result<AttachmentStatus, (u64, bool)>, AppError> {
            fs::create_dir_all(&dir).map_err(io)?;
            let p = paths(&dir, &sha2);
            if let Ok(meta) = fs::metadata(&p.complete) {
                return Ok(Ok(AttachmentStatus {
                    sha256: sha2,
                    complete: true,
                    received_bytes: meta.len(),
                }));
            }
            let have = fs::metadata(&p.part).map(|m| m.len()).unwrap_or(0);
            let (start, total) = match range {
                Some((start, _, total)) => (start, total),
                None => (0, body.len() as u64),
            };
            // A whole upload (no range) starts afresh; a piece must follow on what is stored.
            if range.is_some() && start != have {
                return Ok(Err((have, false)));
            }
            let mut file = OpenOptions::new()
                .create(true)
                .append(start > 0)
                .write(true)
                .truncate(start == 0)
                .open(&p.part)
                .map_err(io)?;
            file.write_all(&body).map_err(io)?;
            file.sync_all().map_err(io)?;
            let received = start + body.len() as u64;
            if received < total {
                return Ok(Ok(AttachmentStatus {
                    sha256: sha2,
                    complete: false,
                    received_bytes: received,
                }));
            }
            if sha256_of(&p.part)? != sha2 {
                fs::remove_file(&p.part).map_err(io)?;
                return Ok(Err((0, true)));
            }
            fs::rename(&p.part, &p.complete).map_err(io)?;
            Ok(Ok(AttachmentStatus {
                sha256: sha2,
                complete: true,
                received_bytes: received,
            }))
        },
    )
    .await
    .map_err(AppError::internal)??;
    let status = match stored {
        Ok(status) => status,
        Err((_, true)) => {
            return Err(AppError::new(
                ErrorCode::ValidationFailed,
                "De inhoud komt niet overeen met de SHA-256 in de naam; het bestand werd niet bewaard.",
                "The content does not match the SHA-256 in its name; the file was not kept.",
            ));
        }
        Err((have, false)) => {
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
    Ok(if existed {
        HttpResponse::Ok()
    } else {
        HttpResponse::Created()
    }
    .json(status))
}

/// How much of an attachment the server has, to resume an upload.
#[utoipa::path(get, path = "/api/attachments/{sha256}/status", tag = "sync",
    params(("sha256" = String, Path, description = "SHA-256 of the file, hex")),
    security(("bearer" = [])),
    responses((status = 200, body = AttachmentStatus)))]
pub async fn status(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Inspector, Role::Reviewer, Role::Admin])?;
    let sha = checked_hash(&path.into_inner())?;
    let p = paths(&state.config.attachments_dir, &sha);
    let (status, content_type) = web::block(move || {
        if let Ok(meta) = fs::metadata(&p.complete) {
            let content_type = sniff_content_type(&p.complete);
            let status = AttachmentStatus {
                sha256: sha,
                complete: true,
                received_bytes: meta.len(),
            };
            (status, content_type)
        } else {
            let have = fs::metadata(&p.part).map(|m| m.len()).unwrap_or(0);
            let status = AttachmentStatus {
                sha256: sha,
                complete: false,
                received_bytes: have,
            };
            (status, None)
        }
    })
    .await
    .map_err(AppError::internal)?;
    if status.complete {
        // A file completed and renamed just before a crash has no row yet: record it now,
        // so a push naming it is applied instead of waiting for an upload that never comes.
        let row = AttachmentRow {
            sha256: status.sha256.clone(),
            content_type: content_type.unwrap_or("image/jpeg").to_owned(),
            bytes: i64::try_from(status.received_bytes).unwrap_or(i64::MAX),
            uploader_id: user.id.clone(),
            stored_at: repo::now(),
        };
        state
            .db
            .run(move |conn| repo::attachments::record(conn, &row))
            .await?;
    }
    Ok(HttpResponse::Ok().json(status))
}

/// The photo type of a stored file, by its first bytes.
fn sniff_content_type(path: &Path) -> Option<&'static str> {
    let mut head = [0u8; 12];
    let n = fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .ok()?;
    match &head[..n] {
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P'] => Some("image/webp"),
        _ => None,
    }
}

/// The photo itself: for its uploader, reviewers and admins.
#[utoipa::path(get, path = "/api/attachments/{sha256}", tag = "sync",
    params(("sha256" = String, Path, description = "SHA-256 of the file, hex")),
    security(("bearer" = [])),
    responses((status = 200, description = "The file"), (status = 403, body = shared::error::ApiError),
              (status = 404, body = shared::error::ApiError)))]
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
            if user.role == Role::Inspector && row.uploader_id != user.id {
                return Err(AppError::forbidden());
            }
            super::audit::record_read(conn, &user, "read", "attachment", Some(&s), None)?;
            Ok(Some(row))
        })
        .await?
        .ok_or_else(|| AppError::not_found("Bijlage", "Attachment"))?;
    let file = paths(&state.config.attachments_dir, &sha).complete;
    let bytes = web::block(move || fs::read(file))
        .await
        .map_err(AppError::internal)?
        .map_err(io)?;
    Ok(HttpResponse::Ok()
        .content_type(row.content_type)
        .insert_header(("Cache-Control", "private, max-age=31536000, immutable"))
        .body(bytes))
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
