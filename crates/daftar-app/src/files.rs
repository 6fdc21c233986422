//! Where uploaded documents live: files under `<data-dir>/documents/`, named by the
//! SHA-256 of their bytes, outside the database.
//!
//! Content addressing keeps every version (a new version has new bytes, so a new name),
//! makes a second upload of the same bytes free, and lets anyone check a file against
//! the hash the database holds. An upload is received piece by piece into
//! `documents/.incoming/` and synced ([`FileStore::receive`]); only when its request is
//! accepted is it linked into place and its directory synced ([`FileStore::keep`]), all
//! before the row that names it is committed, with SQLite's full sync, so after a power
//! cut a committed row never points at an empty or missing file.

use std::path::{Path, PathBuf};

use anyhow::Context;
use daftar_core::cases::{MAX_UPLOAD_BYTES, UPLOAD_HEAD_BYTES};
use sha2::{Digest, Sha256};
use tempfile::TempPath;
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

/// Why a file could not be received.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// Past [`MAX_UPLOAD_BYTES`]: the rest is not read, and what was is removed.
    #[error("the file is larger than the limit")]
    TooLarge,
    #[error(transparent)]
    Io(#[from] anyhow::Error),
}

/// A file being received, written to `documents/.incoming/` piece by piece as it arrives
/// and hashed on the way, so that an upload is never held whole in memory. Dropped before
/// [`Receiving::finish`], its file is removed.
#[derive(Debug)]
pub struct Receiving {
    file: tokio::fs::File,
    path: TempPath,
    hasher: Sha256,
    size: usize,
    head: Vec<u8>,
}

/// A file received whole, synced, and waiting in `documents/.incoming/` for its request
/// to be accepted ([`FileStore::keep`] links it into place). Dropped, it is removed from
/// there: a refused request leaves nothing on disk.
#[derive(Debug)]
pub struct Received {
    path: TempPath,
    sha256: String,
    size: usize,
    head: Vec<u8>,
}

impl Received {
    pub fn size(&self) -> usize {
        self.size
    }

    /// Its first bytes, up to [`UPLOAD_HEAD_BYTES`]: enough to tell its type.
    pub fn head(&self) -> &[u8] {
        &self.head
    }
}

impl Receiving {
    /// Appends a piece; refuses the file once it passes [`MAX_UPLOAD_BYTES`].
    pub async fn write(&mut self, piece: &[u8]) -> Result<(), ReceiveError> {
        self.size += piece.len();
        if self.size > MAX_UPLOAD_BYTES {
            return Err(ReceiveError::TooLarge);
        }
        if self.head.len() < UPLOAD_HEAD_BYTES {
            let wanted = (UPLOAD_HEAD_BYTES - self.head.len()).min(piece.len());
            self.head.extend_from_slice(&piece[..wanted]);
        }
        self.hasher.update(piece);
        self.file
            .write_all(piece)
            .await
            .with_context(|| format!("could not write {}", self.path.display()))?;
        Ok(())
    }

    /// Syncs the file, so that keeping it is only a link.
    pub async fn finish(mut self) -> Result<Received, ReceiveError> {
        self.file
            .flush()
            .await
            .with_context(|| format!("could not write {}", self.path.display()))?;
        synced(self.file.sync_all().await)
            .with_context(|| format!("could not sync {}", self.path.display()))?;
        Ok(Received {
            path: self.path,
            sha256: hex::encode(self.hasher.finalize()),
            size: self.size,
            head: self.head,
        })
    }
}

impl FileStore {
    pub fn new(data_dir: &Path) -> FileStore {
        FileStore {
            root: data_dir.join("documents"),
        }
    }

    fn incoming(&self) -> PathBuf {
        self.root.join(".incoming")
    }

    fn drafts(&self) -> PathBuf {
        self.root.join(".drafts")
    }

    /// Keeps a received file for a form being corrected, so that the applicant need not
    /// send it again: under a random token, which only their page is given, and for its
    /// `owner` only (a key of theirs, stored hashed). Kept a day.
    pub async fn keep_draft(
        &self,
        received: &Received,
        file_name: &str,
        owner: &str,
    ) -> Result<String, ReceiveError> {
        let drafts = self.drafts();
        tokio::fs::create_dir_all(&drafts)
            .await
            .with_context(|| format!("could not create {}", drafts.display()))?;
        let token = format!("{:032x}", rand::random::<u128>());
        let about = serde_json::json!({
            "owner": hex::encode(Sha256::digest(owner.as_bytes())),
            "file_name": file_name,
            "sha256": received.sha256,
            "size": received.size,
            "head": hex::encode(&received.head),
        });
        tokio::fs::write(drafts.join(format!("{token}.json")), about.to_string())
            .await
            .context("could not write a draft's description")?;
        tokio::fs::hard_link(&received.path, drafts.join(&token))
            .await
            .context("could not keep a draft")?;
        Ok(token)
    }

    /// A draft kept by [`FileStore::keep_draft`] for `owner`, received again (the draft
    /// itself stays until [`FileStore::discard_draft`]), with its file name; `None` for a
    /// token that is not one, whose draft is gone, or that is someone else's.
    pub async fn draft(
        &self,
        token: &str,
        owner: &str,
    ) -> Result<Option<(Received, String)>, ReceiveError> {
        let well_formed = token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit());
        if !well_formed {
            return Ok(None);
        }
        let drafts = self.drafts();
        let Ok(about) = tokio::fs::read_to_string(drafts.join(format!("{token}.json"))).await
        else {
            return Ok(None);
        };
        let about: serde_json::Value =
            serde_json::from_str(&about).context("a draft's description is not JSON")?;
        let owned = about["owner"].as_str() == Some(&hex::encode(Sha256::digest(owner.as_bytes())));
        let (true, Some(file_name), Some(sha256), Some(size), Some(head)) = (
            owned,
            about["file_name"].as_str(),
            about["sha256"]
                .as_str()
                .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())),
            about["size"].as_u64(),
            about["head"].as_str().and_then(|h| hex::decode(h).ok()),
        ) else {
            return Ok(None);
        };
        let incoming = self.incoming();
        tokio::fs::create_dir_all(&incoming)
            .await
            .with_context(|| format!("could not create {}", incoming.display()))?;
        let path = incoming.join(format!("draft-{:032x}", rand::random::<u128>()));
        if tokio::fs::hard_link(drafts.join(token), &path)
            .await
            .is_err()
        {
            return Ok(None);
        }
        Ok(Some((
            Received {
                path: TempPath::try_from_path(path).context("a draft's path")?,
                sha256: sha256.to_owned(),
                size: usize::try_from(size).map_err(|_| anyhow::anyhow!("a draft's size"))?,
                head,
            },
            file_name.to_owned(),
        )))
    }

    /// Removes a draft once its application is accepted.
    pub async fn discard_draft(&self, token: &str) {
        if token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
            let drafts = self.drafts();
            let _ = tokio::fs::remove_file(drafts.join(token)).await;
            let _ = tokio::fs::remove_file(drafts.join(format!("{token}.json"))).await;
        }
    }

    /// Starts receiving a file.
    pub async fn receive(&self) -> Result<Receiving, ReceiveError> {
        let incoming = self.incoming();
        tokio::fs::create_dir_all(&incoming)
            .await
            .with_context(|| format!("could not create {}", incoming.display()))?;
        let (file, path) = tempfile::Builder::new()
            .prefix("upload-")
            .tempfile_in(&incoming)
            .with_context(|| format!("could not create a file in {}", incoming.display()))?
            .into_parts();
        Ok(Receiving {
            file: tokio::fs::File::from_std(file),
            path,
            hasher: Sha256::new(),
            size: 0,
            head: Vec::with_capacity(UPLOAD_HEAD_BYTES),
        })
    }

    /// Receives bytes already in memory (a document decoded from JSON, a test's file).
    pub async fn receive_bytes(&self, bytes: &[u8]) -> Result<Received, ReceiveError> {
        let mut receiving = self.receive().await?;
        receiving.write(bytes).await?;
        receiving.finish().await
    }

    /// Removes what uploads cut off by a crash left in `documents/.incoming/` (files
    /// untouched for an hour: a live upload writes more often than that), and drafts of
    /// forms left uncorrected for a day.
    pub async fn clear_abandoned_uploads(&self) {
        let hour = std::time::Duration::from_secs(3600);
        for (dir, age) in [(self.incoming(), hour), (self.drafts(), 24 * hour)] {
            let Ok(mut entries) = tokio::fs::read_dir(&dir).await else {
                continue;
            };
            let before = std::time::SystemTime::now() - age;
            while let Ok(Some(entry)) = entries.next_entry().await {
                let stale = entry
                    .metadata()
                    .await
                    .and_then(|m| m.modified())
                    .is_ok_and(|modified| modified < before);
                if stale && let Err(error) = tokio::fs::remove_file(entry.path()).await {
                    tracing::warn!(error = %error, "Could not remove an abandoned upload.");
                }
            }
        }
    }

    /// Keeps a received file (idempotently) under its hash, and returns the hash and key.
    /// The file is linked into place, not moved: the link fails, rather than overwrite,
    /// when the same bytes are stored already, and the received file is removed when its
    /// request is done with it either way.
    pub async fn keep(&self, received: &Received) -> anyhow::Result<StoredFile> {
        let sha256 = received.sha256.clone();
        let storage_key = format!("{}/{}", &sha256[..2], sha256);
        let path = self.root.join(&storage_key);
        let dir = path.parent().context("a document path has a directory")?;
        if !tokio::fs::try_exists(dir).await.unwrap_or(false) {
            tokio::fs::create_dir_all(dir)
                .await
                .with_context(|| format!("could not create {}", dir.display()))?;
            // Each new directory's own entry lives in its parent: the shard's in
            // documents/, and documents/'s own (new with the first upload) in the data
            // directory. A shard is new at most 256 times.
            sync_directory(&self.root).await?;
            if let Some(data_dir) = self.root.parent() {
                sync_directory(data_dir).await?;
            }
        }
        let created = match tokio::fs::hard_link(&received.path, &path).await {
            Ok(()) => true,
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => false,
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("could not link a document into {}", path.display()));
            }
        };
        // Found stored already, it may be another upload's, linked and not yet synced: the
        // row about to name it must not outrun that either.
        sync_directory(dir).await?;
        Ok(StoredFile {
            sha256,
            storage_key,
            created,
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

    fn names_in(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    async fn put(files: &FileStore, bytes: &[u8]) -> StoredFile {
        let received = files.receive_bytes(bytes).await.unwrap();
        files.keep(&received).await.unwrap()
    }

    #[tokio::test]
    async fn a_new_document_and_its_names_are_synced_before_keep_returns() {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path());
        let before = syncs();
        let first = put(&files, b"%PDF-1.7 first").await;
        // The file, the new shard's entry in documents/, documents/'s entry in the data
        // directory, and the file's entry in the shard.
        assert_eq!(syncs() - before, 4);
        // Stored already: received (and synced) again, but not kept twice; its directory
        // is synced, so that a row naming it never outruns another upload's rename.
        let before = syncs();
        let again = put(&files, b"%PDF-1.7 first").await;
        assert_eq!(syncs() - before, 2);
        assert_eq!(again.storage_key, first.storage_key);
        let shard = dir.path().join("documents").join(&first.sha256[..2]);
        assert_eq!(names_in(&shard).len(), 1, "{:?}", names_in(&shard));
        assert!(
            names_in(&files.incoming()).is_empty(),
            "nothing is left incoming: {:?}",
            names_in(&files.incoming())
        );
    }

    #[tokio::test]
    async fn a_file_comes_back_by_its_key_and_its_hash_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path());
        let stored = put(&files, b"%PDF-1.7 deed").await;
        assert_eq!(stored.sha256, hex::encode(Sha256::digest(b"%PDF-1.7 deed")));
        assert_eq!(
            files.get(&stored.storage_key).await.unwrap(),
            b"%PDF-1.7 deed"
        );
        assert!(stored.created);
        let again = put(&files, b"%PDF-1.7 deed").await;
        assert_eq!(again.storage_key, stored.storage_key, "idempotent");
        assert!(!again.created, "found, not written again");
        let other = put(&files, b"%PDF-1.7 second version").await;
        assert_ne!(other.storage_key, stored.storage_key);
        assert!(
            files.get(&stored.storage_key).await.is_ok(),
            "both versions kept"
        );
    }

    #[tokio::test]
    async fn a_file_received_in_pieces_is_hashed_whole_and_told_by_its_first_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path());
        let mut receiving = files.receive().await.unwrap();
        for piece in [&b"%P"[..], b"DF-1", b".7 in ", b"pieces"] {
            receiving.write(piece).await.unwrap();
        }
        let received = receiving.finish().await.unwrap();
        assert_eq!(received.size(), 18);
        assert_eq!(received.head(), b"%PDF-1.7");
        let stored = files.keep(&received).await.unwrap();
        assert_eq!(
            stored.sha256,
            hex::encode(Sha256::digest(b"%PDF-1.7 in pieces"))
        );
    }

    #[tokio::test]
    async fn a_file_past_the_limit_is_refused_and_nothing_of_it_stays() {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path());
        let mut receiving = files.receive().await.unwrap();
        let mebibyte = vec![b'x'; 1024 * 1024];
        for _ in 0..10 {
            receiving.write(&mebibyte).await.unwrap();
        }
        assert!(matches!(
            receiving.write(b"one byte more").await,
            Err(ReceiveError::TooLarge)
        ));
        drop(receiving);
        assert!(names_in(&files.incoming()).is_empty());
    }

    #[tokio::test]
    async fn a_received_file_not_kept_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path());
        let received = files.receive_bytes(b"%PDF-1.7 refused").await.unwrap();
        assert_eq!(names_in(&files.incoming()).len(), 1);
        drop(received);
        assert!(names_in(&files.incoming()).is_empty());
        assert_eq!(names_in(&dir.path().join("documents")), [".incoming"]);
    }

    #[tokio::test]
    async fn a_draft_is_received_again_by_its_token_until_discarded() {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path());
        let received = files.receive_bytes(b"%PDF-1.7 kept").await.unwrap();
        let token = files
            .keep_draft(&received, "scan.pdf", "0499370899")
            .await
            .unwrap();
        drop(received);
        assert!(
            files.draft(&token, "0790419904").await.unwrap().is_none(),
            "someone else's draft is not theirs to take"
        );
        for _ in 0..2 {
            let (again, name) = files.draft(&token, "0499370899").await.unwrap().unwrap();
            assert_eq!(name, "scan.pdf");
            assert_eq!((again.size(), again.head()), (13, &b"%PDF-1.7"[..]));
            let stored = files.keep(&again).await.unwrap();
            assert_eq!(
                files.get(&stored.storage_key).await.unwrap(),
                b"%PDF-1.7 kept"
            );
        }
        assert!(
            names_in(&files.incoming()).is_empty(),
            "the drafts' copies are gone"
        );
        files.discard_draft(&token).await;
        assert!(files.draft(&token, "0499370899").await.unwrap().is_none());
        assert!(names_in(&files.drafts()).is_empty());
        for forged in ["../../etc/passwd", "", "0123456789abcdef0123456789abcdeg"] {
            assert!(
                files.draft(forged, "0499370899").await.unwrap().is_none(),
                "{forged}"
            );
        }
    }

    #[tokio::test]
    async fn a_key_that_walks_out_of_the_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path());
        assert!(files.get("../../etc/passwd").await.is_err());
    }
}
