//! Where photos are kept: a directory (the default, `data/attachments`) or a bucket of any
//! S3-compatible service (`ATTACHMENTS_URL=s3://bucket/prefix`, configured by the standard
//! `AWS_*` variables), both through `object_store`, so that every instance behind a load
//! balancer sees the same photos.
//!
//! A complete photo is the object named by its SHA-256 (`{sha256}` under the prefix), written
//! only after its bytes were hashed and found to match. Everything else the store holds lives
//! under sub-prefixes (`pieces/` for uploads in progress) and is never listed as a photo.

use std::sync::Arc;

use actix_web::web::Bytes;
use futures_util::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use shared::rules::inspection::is_sha256_hex;

/// What went wrong talking to the store (logged; users get a 503 or 500).
#[derive(Debug, thiserror::Error)]
#[error("photo store {store}: {source}")]
pub struct StoreError {
    store: String,
    #[source]
    source: object_store::Error,
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
        if let Some(rest) = location.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(format!(
                    "ATTACHMENTS_URL {location}: name a bucket, s3://bucket/prefix"
                ));
            }
            let s3 = AmazonS3Builder::from_env()
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
        let fs = LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| format!("attachments directory {dir}: {e}"))?;
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
}
