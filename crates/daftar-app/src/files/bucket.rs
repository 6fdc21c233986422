//! Documents in an S3-compatible object store (Amazon S3, ArvanCloud, MinIO, Ceph),
//! through the Apache Arrow project's `object_store` client: every instance of an office
//! reads and writes the same files.
//!
//! Keys are the same as on disk (`ab/abcdef…`, the SHA-256 of the bytes) under the
//! bucket's prefix; drafts of forms being corrected live under `drafts/`, so that a
//! correction may be sent to any instance.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};

/// How long a bucket that answered is taken to be there without asking again: a load
/// balancer asks `/readyz` every half second, and each asking is a LIST the office pays
/// for. A failure is never remembered: the next check asks again.
pub(super) const ANSWERED_FOR: Duration = Duration::from_secs(2);

/// A bucket and the prefix Daftar's files live under in it.
#[derive(Debug, Clone)]
pub(super) struct Bucket {
    store: Arc<dyn ObjectStore>,
    /// When the bucket last answered a readiness check.
    answered: Arc<Mutex<Option<Instant>>>,
    /// `""` or a prefix without slashes at either end.
    prefix: String,
    /// `s3://bucket/prefix`, for messages (never credentials).
    url: String,
}

impl Bucket {
    pub(super) fn new(store: Arc<dyn ObjectStore>, prefix: &str, url: String) -> Bucket {
        Bucket {
            store,
            answered: Arc::new(Mutex::new(None)),
            prefix: prefix.trim_matches('/').to_owned(),
            url,
        }
    }

    pub(super) fn url(&self) -> &str {
        &self.url
    }

    fn path(&self, key: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(key)
        } else {
            ObjectPath::from(format!("{}/{key}", self.prefix))
        }
    }

    /// Whether an object is stored under `key`.
    pub(super) async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        match self.store.head(&self.path(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(error) => {
                Err(error).with_context(|| format!("could not look for {key} in {}", self.url))
            }
        }
    }

    /// Stores `bytes` under `key`: one request, so the object appears whole or not at all.
    pub(super) async fn put(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.store
            .put(&self.path(key), PutPayload::from(bytes))
            .await
            .with_context(|| format!("could not store {key} in {}", self.url))?;
        Ok(())
    }

    /// The object under `key`, or `None` when there is none.
    pub(super) async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let found = match self.store.get(&self.path(key)).await {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("could not read {key} from {}", self.url));
            }
        };
        let bytes = found
            .bytes()
            .await
            .with_context(|| format!("could not read {key} from {}", self.url))?;
        Ok(Some(bytes.to_vec()))
    }

    /// Removes the object under `key`, if there is one.
    pub(super) async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => {
                Err(error).with_context(|| format!("could not remove {key} from {}", self.url))
            }
        }
    }

    /// The keys under `folder` (relative to the prefix), with when each was last written
    /// (Unix seconds).
    pub(super) async fn list(&self, folder: &str) -> anyhow::Result<Vec<(String, i64)>> {
        use futures_util::TryStreamExt;
        let under = self.path(folder);
        let objects: Vec<object_store::ObjectMeta> = self
            .store
            .list(Some(&under))
            .try_collect()
            .await
            .with_context(|| format!("could not list {folder} in {}", self.url))?;
        let strip = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        Ok(objects
            .into_iter()
            .filter_map(|object| {
                let key = object.location.as_ref().strip_prefix(&strip)?.to_owned();
                Some((key, object.last_modified.timestamp()))
            })
            .collect())
    }

    /// Removes the objects under `folder` not written for `age_secs`.
    pub(super) async fn remove_older_than(
        &self,
        folder: &str,
        age_secs: i64,
    ) -> anyhow::Result<()> {
        let before = jiff::Timestamp::now().as_second() - age_secs;
        for (key, modified) in self.list(folder).await? {
            if modified < before {
                self.delete(&key).await?;
            }
        }
        Ok(())
    }

    /// Whether the bucket answers: one page of its top folders (a look-up of a single
    /// key would not tell a missing bucket from a missing key).
    pub(super) async fn ready(&self) -> anyhow::Result<()> {
        let recently = self
            .answered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|at| at.elapsed() < ANSWERED_FOR);
        if recently {
            return Ok(());
        }
        self.store
            .list_with_delimiter(Some(&self.path("")))
            .await
            .with_context(|| format!("{} does not answer", self.url))?;
        *self.answered.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        Ok(())
    }
}
