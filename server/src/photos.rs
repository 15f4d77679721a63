//! Where photos are kept: a directory (the default, `data/attachments`) or a bucket of any
//! S3-compatible service (`ATTACHMENTS_URL=s3://bucket/prefix`, configured by the standard
//! `AWS_*` variables), both through `object_store`, so that every instance behind a load
//! balancer sees the same photos.
//!
//! A complete photo is the object named by its SHA-256 (`{sha256}` under the prefix), written
//! only after its bytes were hashed and found to match. Everything else the store holds lives
//! under sub-prefixes and is never listed as a photo: an upload in progress is one object per
//! piece received, `pieces/{user id}/{sha256}/{first byte:020}`, so any instance can resume
//! it. How much of an upload arrived is the chain of pieces that follow on from byte 0; a
//! piece beyond a gap is ignored (and deleted when the next piece is stored).

use std::sync::Arc;
use std::time::Duration;

use actix_web::web::Bytes;
use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};
use shared::error::ErrorCode;
use shared::rules::inspection::is_sha256_hex;

use crate::error::AppError;

/// What went wrong talking to the store (logged; users get a 503 or 500).
#[derive(Debug, thiserror::Error)]
#[error("photo store {store}: {source}")]
pub struct StoreError {
    store: String,
    #[source]
    source: object_store::Error,
}

/// The store failing is the store being unavailable: answered with a 503, the cause logged
/// with the answer.
impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::new(
            ErrorCode::Unavailable,
            "De opslag voor foto's is tijdelijk niet bereikbaar. Probeer het zo meteen opnieuw.",
            "The photo store is temporarily unavailable. Please retry shortly.",
        )
        .caused_by(e)
    }
}

/// `AWS_*` settings that take precedence over the environment's, for an S3 store (tests
/// start their own S3 server in-process). Its `Debug` shows the names only, never a value.
#[derive(Clone, Default)]
pub struct S3Settings(pub Vec<(String, String)>);

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, _)| k))
            .finish()
    }
}

/// The part of an upload in progress that is stored: the pieces that follow on from byte 0.
#[derive(Debug, Default)]
pub struct Received {
    /// The pieces of the chain, in order.
    pub chain: Vec<ObjectMeta>,
    /// How many bytes the chain holds.
    pub bytes: u64,
    /// Pieces that are no part of the chain (beyond a gap, or overlapping it).
    pub stray: Vec<ObjectMeta>,
}

/// Where the pieces of `user`'s upload of `sha256` are kept. A user id is a UUID; anything
/// else would be a path of its own, and is refused.
fn pieces_of(user: &str, sha256: &str) -> Result<Path, AppError> {
    let safe = !user.is_empty() && user.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !safe || !is_sha256_hex(sha256) {
        return Err(AppError::internal(format!(
            "upload {user:?}/{sha256:?} is no store path"
        )));
    }
    Ok(Path::from(format!("pieces/{user}/{sha256}")))
}

/// Splits pieces (named by their first byte) into the chain from byte 0 and the rest.
fn chain_of(mut pieces: Vec<ObjectMeta>) -> Received {
    let start = |m: &ObjectMeta| m.location.filename().and_then(|f| f.parse::<u64>().ok());
    pieces.retain(|m| start(m).is_some());
    pieces.sort_by_key(|m| start(m));
    let mut received = Received::default();
    for piece in pieces {
        if start(&piece) == Some(received.bytes) && piece.size > 0 {
            received.bytes += piece.size;
            received.chain.push(piece);
        } else {
            received.stray.push(piece);
        }
    }
    received
}

/// The shared photo store; cheap to clone.
#[derive(Clone)]
pub struct PhotoStore {
    inner: Arc<dyn ObjectStore>,
    /// For logs and errors: the directory or `s3://bucket/prefix`, never a credential.
    describe: String,
}

impl std::fmt::Debug for PhotoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PhotoStore").field(&self.describe).finish()
    }
}

impl PhotoStore {
    /// Opens the store `location` names: `s3://bucket[/prefix]` (credentials, region and
    /// endpoint from the `AWS_*` environment), `file:///dir`, or a directory path (created if
    /// missing).
    pub fn open(location: &str) -> Result<Self, String> {
        Self::open_with(location, &S3Settings::default())
    }

    /// [`PhotoStore::open`], with `settings` taking precedence over the `AWS_*` environment.
    pub fn open_with(location: &str, settings: &S3Settings) -> Result<Self, String> {
        if let Some(rest) = location.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(format!(
                    "ATTACHMENTS_URL {location}: name a bucket, s3://bucket/prefix"
                ));
            }
            let mut builder = AmazonS3Builder::from_env();
            for (key, value) in &settings.0 {
                let key: AmazonS3ConfigKey = key
                    .to_ascii_lowercase()
                    .parse()
                    .map_err(|_| format!("{key}: no S3 setting"))?;
                builder = builder.with_config(key, value);
            }
            // A few quick retries: a tablet is better served by a prompt 503 it retries than
            // by a request that hangs for up to the default three minutes.
            let retry = RetryConfig {
                max_retries: 3,
                retry_timeout: Duration::from_secs(10),
                ..RetryConfig::default()
            };
            let s3 = builder
                .with_retry(retry)
                .with_bucket_name(bucket)
                .build()
                .map_err(|e| format!("ATTACHMENTS_URL {location}: {e}"))?;
            let prefix = prefix.trim_matches('/');
            let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
                Arc::new(s3)
            } else {
                Arc::new(PrefixStore::new(s3, prefix))
            };
            return Ok(Self {
                inner,
                describe: location.to_owned(),
            });
        }
        if location.contains("://") && !location.starts_with("file://") {
            return Err(format!(
                "ATTACHMENTS_URL {location}: use s3://bucket/prefix, file:///dir or a directory"
            ));
        }
        let dir = location.strip_prefix("file://").unwrap_or(location);
        std::fs::create_dir_all(dir).map_err(|e| format!("attachments directory {dir}: {e}"))?;
        // Written to disk before the answer, as evidence should be; empty folders of finished
        // uploads go with their last piece.
        let fs = LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| format!("attachments directory {dir}: {e}"))?
            .with_fsync(true)
            .with_automatic_cleanup(true);
        Ok(Self {
            inner: Arc::new(fs),
            describe: dir.to_owned(),
        })
    }

    /// The directory or URL, for logs.
    pub fn describe(&self) -> &str {
        &self.describe
    }

    /// The underlying store, for the upload pieces kept beside the photos.
    pub fn objects(&self) -> &Arc<dyn ObjectStore> {
        &self.inner
    }

    fn fail(&self, source: object_store::Error) -> StoreError {
        StoreError {
            store: self.describe.clone(),
            source,
        }
    }

    /// A complete photo's bytes, or `None` when the store has none by that hash.
    pub async fn read(&self, sha256: &str) -> Result<Option<Bytes>, StoreError> {
        match self.inner.get(&Path::from(sha256)).await {
            Ok(got) => got.bytes().await.map(Some).map_err(|e| self.fail(e)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// A complete photo's size, or `None` when there is none.
    pub async fn size(&self, sha256: &str) -> Result<Option<u64>, StoreError> {
        match self.inner.head(&Path::from(sha256)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Stores a complete photo under its hash. The caller has verified that `bytes` hash to
    /// `sha256`; writing the same photo twice is harmless (same name, same bytes).
    pub async fn publish(&self, sha256: &str, bytes: Bytes) -> Result<(), StoreError> {
        self.inner
            .put(&Path::from(sha256), PutPayload::from_bytes(bytes))
            .await
            .map(drop)
            .map_err(|e| self.fail(e))
    }

    /// Deletes a complete photo; one already gone is no error.
    pub async fn delete(&self, sha256: &str) -> Result<(), StoreError> {
        match self.inner.delete(&Path::from(sha256)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Every complete photo: its hash and size (uploads in progress are not listed).
    pub async fn list(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let listed = self
            .inner
            .list_with_delimiter(None)
            .await
            .map_err(|e| self.fail(e))?;
        Ok(listed
            .objects
            .into_iter()
            .filter_map(|o| {
                let name = o.location.filename()?.to_owned();
                is_sha256_hex(&name).then_some((name, o.size))
            })
            .collect())
    }

    /// Whether the store answers: a listing of one sub-prefix (readiness).
    pub async fn check(&self) -> Result<(), StoreError> {
        self.inner
            .list(Some(&Path::from("pieces")))
            .try_next()
            .await
            .map(drop)
            .map_err(|e| self.fail(e))
    }

    /// A complete photo's size and first `n` bytes (fewer if it is shorter), or `None`.
    pub async fn head_bytes(
        &self,
        sha256: &str,
        n: u64,
    ) -> Result<Option<(u64, Bytes)>, StoreError> {
        let Some(size) = self.size(sha256).await? else {
            return Ok(None);
        };
        if size == 0 || n == 0 {
            return Ok(Some((size, Bytes::new())));
        }
        match self
            .inner
            .get_range(&Path::from(sha256), 0..n.min(size))
            .await
        {
            Ok(bytes) => Ok(Some((size, bytes))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.fail(e)),
        }
    }

    async fn list_under(&self, prefix: &Path) -> Result<Vec<ObjectMeta>, StoreError> {
        self.inner
            .list(Some(prefix))
            .try_collect()
            .await
            .map_err(|e| self.fail(e))
    }

    async fn delete_all(&self, objects: &[ObjectMeta]) -> Result<(), StoreError> {
        for object in objects {
            match self.inner.delete(&object.location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.fail(e)),
            }
        }
        Ok(())
    }

    /// What is stored of `user`'s upload of `sha256`.
    pub async fn received(&self, user: &str, sha256: &str) -> Result<Received, AppError> {
        let pieces = self.list_under(&pieces_of(user, sha256)?).await?;
        Ok(chain_of(pieces))
    }

    /// Stores a piece that starts at `start` (where `received` ends), and deletes the pieces
    /// that are no part of the chain.
    pub async fn put_piece(
        &self,
        user: &str,
        sha256: &str,
        start: u64,
        bytes: Bytes,
        received: &Received,
    ) -> Result<(), AppError> {
        let at = pieces_of(user, sha256)?.join(format!("{start:020}"));
        self.inner
            .put(&at, PutPayload::from_bytes(bytes))
            .await
            .map_err(|e| self.fail(e))?;
        Ok(self.delete_all(&received.stray).await?)
    }

    /// The chain's bytes followed by `last`: the whole photo, ready to be hashed.
    pub async fn assemble(&self, received: &Received, last: &[u8]) -> Result<Vec<u8>, AppError> {
        let total = received.bytes + last.len() as u64;
        let mut whole = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
        for piece in &received.chain {
            let got = self.inner.get(&piece.location).await;
            let bytes = got.map_err(|e| self.fail(e))?.bytes().await;
            whole.extend_from_slice(&bytes.map_err(|e| self.fail(e))?);
        }
        whole.extend_from_slice(last);
        Ok(whole)
    }

    /// Deletes every piece of `user`'s upload of `sha256`.
    pub async fn delete_pieces(&self, user: &str, sha256: &str) -> Result<(), AppError> {
        let pieces = self.list_under(&pieces_of(user, sha256)?).await?;
        Ok(self.delete_all(&pieces).await?)
    }

    /// The bytes of `user`'s uploads in progress, but for their upload of `except`.
    pub async fn parked(&self, user: &str, except: &str) -> Result<u64, AppError> {
        let skip = pieces_of(user, except)?;
        let mine = self
            .list_under(&Path::from(format!("pieces/{user}")))
            .await?;
        Ok(mine
            .iter()
            .filter(|m| m.location.prefix_match(&skip).is_none())
            .map(|m| m.size)
            .sum())
    }

    /// Deletes the uploads whose newest piece is older than `max_age`, and the partial files
    /// of the layouts before (`parts/{user}/{sha256}`, `{sha256}.part`) by their own age;
    /// returns how many objects went. Safe on several instances at once: one already gone is
    /// skipped.
    pub async fn sweep(&self, max_age: Duration) -> Result<usize, StoreError> {
        let now = chrono::Utc::now();
        let stale =
            |m: &ObjectMeta| (now - m.last_modified).to_std().unwrap_or_default() >= max_age;
        let mut uploads: std::collections::BTreeMap<Vec<String>, Vec<ObjectMeta>> =
            Default::default();
        for piece in self.list_under(&Path::from("pieces")).await? {
            let upload: Vec<String> = piece
                .location
                .parts()
                .take(3)
                .map(|p| p.as_ref().to_owned())
                .collect();
            uploads.entry(upload).or_default().push(piece);
        }
        let mut gone: Vec<ObjectMeta> = uploads
            .into_values()
            .filter(|pieces| pieces.iter().all(stale))
            .flatten()
            .collect();
        let legacy = self.list_under(&Path::from("parts")).await?;
        gone.extend(legacy.into_iter().filter(stale));
        let top = self
            .inner
            .list_with_delimiter(None)
            .await
            .map_err(|e| self.fail(e))?;
        gone.extend(
            top.objects
                .into_iter()
                .filter(|m| m.location.as_ref().ends_with(".part") && stale(m)),
        );
        self.delete_all(&gone).await?;
        Ok(gone.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(start: u64, size: u64) -> ObjectMeta {
        ObjectMeta {
            location: Path::from(format!("pieces/u/s/{start:020}")),
            last_modified: chrono::Utc::now(),
            size,
            e_tag: None,
            version: None,
        }
    }

    #[test]
    fn the_chain_follows_on_from_byte_zero() {
        let r = chain_of(vec![
            piece(150, 10),
            piece(100, 50),
            piece(0, 100),
            piece(300, 5),
        ]);
        assert_eq!(r.bytes, 160);
        assert_eq!(r.chain.len(), 3);
        assert_eq!(r.stray.len(), 1, "the piece beyond the gap is ignored");
        let r = chain_of(vec![piece(10, 10), piece(0, 20)]);
        assert_eq!(
            (r.bytes, r.stray.len()),
            (20, 1),
            "an overlapping piece is ignored"
        );
        assert_eq!(chain_of(vec![piece(5, 5)]).bytes, 0);
    }
}
