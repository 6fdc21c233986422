//! Where uploaded documents live: files under `<data-dir>/documents/`, named by the
//! SHA-256 of their bytes, outside the database.
//!
//! Content addressing keeps every version (a new version has new bytes, so a new name),
//! makes a second upload of the same bytes free, and lets anyone check a file against
//! the hash the database holds. A file is written to a temporary name and renamed into
//! place, so a crash never leaves half a document under a real name.

use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

/// A stored file: its hash and the key to read it back by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub sha256: String,
    pub storage_key: String,
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
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(StoredFile {
                sha256,
                storage_key,
            });
        }
        let dir = path.parent().context("a document path has a directory")?;
        tokio::fs::create_dir_all(dir)
            .await
            .with_context(|| format!("could not create {}", dir.display()))?;
        let temporary = dir.join(format!(".{sha256}.{:016x}", rand::random::<u64>()));
        tokio::fs::write(&temporary, bytes)
            .await
            .with_context(|| format!("could not write {}", temporary.display()))?;
        tokio::fs::rename(&temporary, &path)
            .await
            .with_context(|| format!("could not move a document into {}", path.display()))?;
        Ok(StoredFile {
            sha256,
            storage_key,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            files.put(b"%PDF-1.7 deed").await.unwrap(),
            stored,
            "idempotent"
        );
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
