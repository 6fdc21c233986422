//! Where uploaded documents live: files under `<data-dir>/documents/`, named by the
//! SHA-256 of their bytes, outside the database.
//!
//! Content addressing keeps every version (a new version has new bytes, so a new name),
//! makes a second upload of the same bytes free, and lets anyone check a file against
//! the hash the database holds. A file is written to a temporary name, synced, renamed
//! into place, and its directory synced, all before `put` returns: the row that names it
//! is committed after, with SQLite's full sync, so after a power cut a committed row
//! never points at an empty or missing file.

use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

/// A stored file: its hash, the key to read it back by, and whether this `put` wrote it
/// (rather than finding the same bytes stored before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub sha256: String,
    pub storage_key: String,
    pub created: bool,
}

impl FileStore {
    pub fn new(data_dir: &Path) -> FileStore {
        FileStore {
            root: data_dir.join("documents"),
        }
    }

    /// Writes `bytes` (idempotently) and returns their hash and key.
    pub async fn put(&self, bytes: &[u8]) -> anyhow::Result<StoredFile> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let storage_key = format!("{}/{}", &sha256[..2], sha256);
        let path = self.root.join(&storage_key);
        let dir = path.parent().context("a document path has a directory")?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            // Another upload of the same bytes may have renamed it into place and not yet
            // synced its directory: the row about to name it must not outrun that.
            sync_directory(dir).await?;
            return Ok(StoredFile {
                sha256,
                storage_key,
                created: false,
            });
        }
        if !tokio::fs::try_exists(dir).await.unwrap_or(false) {
            let root_is_new = !tokio::fs::try_exists(&self.root).await.unwrap_or(false);
            tokio::fs::create_dir_all(dir)
                .await
                .with_context(|| format!("could not create {}", dir.display()))?;
            // Each new directory's own entry lives in its parent.
            sync_directory(&self.root).await?;
            if root_is_new && let Some(data_dir) = self.root.parent() {
                sync_directory(data_dir).await?;
            }
        }
        let temporary = dir.join(format!(".{sha256}.{:016x}", rand::random::<u64>()));
        let written = write_durably(&temporary, bytes).await;
        let moved = match written {
            Ok(()) => tokio::fs::rename(&temporary, &path)
                .await
                .with_context(|| format!("could not move a document into {}", path.display())),
            Err(error) => Err(error),
        };
        if let Err(error) = moved {
            let _ = tokio::fs::remove_file(&temporary).await;
            return Err(error);
        }
        sync_directory(dir).await?;
        Ok(StoredFile {
            sha256,
            storage_key,
            created: true,
        })
    }

    /// Removes files a refused request wrote and no document names
    /// (`Cases::discard_unused` checks), so that nothing is left on disk for it.
    pub async fn discard(&self, keys: &[String]) {
        for key in keys {
            if let Err(error) = tokio::fs::remove_file(self.root.join(key)).await {
                tracing::warn!(error = %error, "Could not remove the file of a refused upload.");
            }
        }
    }

    /// Reads a stored file back; a key that is not one of ours is refused.
    pub async fn get(&self, storage_key: &str) -> anyhow::Result<Vec<u8>> {
        let well_formed = storage_key.len() == 67
            && storage_key.as_bytes()[2] == b'/'
            && storage_key
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 2 || b.is_ascii_hexdigit());
        anyhow::ensure!(well_formed, "not a document key: {storage_key}");
        let path = self.root.join(storage_key);
        tokio::fs::read(&path)
            .await
            .with_context(|| format!("could not read {}", path.display()))
    }
}

/// Writes `bytes` to a new file at `path` and syncs it.
async fn write_durably(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file = tokio::fs::File::create(path)
        .await
        .with_context(|| format!("could not create {}", path.display()))?;
    file.write_all(bytes)
        .await
        .with_context(|| format!("could not write {}", path.display()))?;
    synced(file.sync_all().await).with_context(|| format!("could not sync {}", path.display()))
}

/// Syncs a directory, so that the names written in it survive a power cut.
async fn sync_directory(dir: &Path) -> anyhow::Result<()> {
    let handle = tokio::fs::File::open(dir)
        .await
        .with_context(|| format!("could not open {}", dir.display()))?;
    synced(handle.sync_all().await).with_context(|| format!("could not sync {}", dir.display()))
}

/// The outcome of a sync; tests count the syncs that happened on their thread.
fn synced(outcome: std::io::Result<()>) -> std::io::Result<()> {
    #[cfg(test)]
    if outcome.is_ok() {
        tests::SYNCS.with(|syncs| syncs.set(syncs.get() + 1));
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        pub(super) static SYNCS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    fn syncs() -> usize {
        SYNCS.with(std::cell::Cell::get)
    }

    fn sha_prefix(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))[..2].to_owned()
    }

    #[tokio::test]
    async fn a_new_document_and_its_names_are_synced_before_put_returns() {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path());
        std::fs::create_dir_all(dir.path().join("documents")).unwrap();
        let before = syncs();
        files.put(b"%PDF-1.7 first").await.unwrap();
        // The file, its new shard directory's entry, and the file's entry in the shard.
        assert_eq!(syncs() - before, 3);
        // Stored already: not written again, but its directory is synced, so that a row
        // naming it never outruns another upload's rename of the same bytes.
        let before = syncs();
        files.put(b"%PDF-1.7 first").await.unwrap();
        assert_eq!(syncs() - before, 1);
        let shard = dir
            .path()
            .join("documents")
            .join(sha_prefix(b"%PDF-1.7 first"));
        let names: Vec<String> = std::fs::read_dir(shard)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
    }

    #[tokio::test]
    async fn the_first_document_syncs_the_directories_it_creates() {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path());
        let before = syncs();
        files.put(b"%PDF-1.7 first").await.unwrap();
        // The file, the shard's entry in documents/, documents/'s entry in the data
        // directory, and the file's entry in the shard.
        assert_eq!(syncs() - before, 4);
    }

    #[tokio::test]
    async fn a_file_comes_back_by_its_key_and_its_hash_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path());
        let stored = files.put(b"%PDF-1.7 deed").await.unwrap();
        assert_eq!(stored.sha256, hex::encode(Sha256::digest(b"%PDF-1.7 deed")));
        assert_eq!(
            files.get(&stored.storage_key).await.unwrap(),
            b"%PDF-1.7 deed"
        );
        assert!(stored.created);
        let again = files.put(b"%PDF-1.7 deed").await.unwrap();
        assert_eq!(again.storage_key, stored.storage_key, "idempotent");
        assert!(!again.created, "found, not written again");
        let other = files.put(b"%PDF-1.7 second version").await.unwrap();
        assert_ne!(other.storage_key, stored.storage_key);
        assert!(
            files.get(&stored.storage_key).await.is_ok(),
            "both versions kept"
        );
    }

    #[tokio::test]
    async fn a_key_that_walks_out_of_the_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path());
        assert!(files.get("../../etc/passwd").await.is_err());
    }
}
