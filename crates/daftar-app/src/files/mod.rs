//! Where uploaded documents live: named by the SHA-256 of their bytes, outside the
//! database, in a directory (by default `<data-dir>/documents/`) or in a bucket of an
//! S3-compatible object store (`--documents-url`, [`place`]), which every instance of an
//! office shares.
//!
//! Content addressing keeps every version (a new version has new bytes, so a new name),
//! makes a second upload of the same bytes free (writes are idempotent), and lets anyone
//! check a file against the hash the database holds. An upload is received piece by piece
//! into `<data-dir>/documents/.incoming/` and synced ([`FileStore::receive`]); only when
//! its request is accepted is it stored ([`FileStore::keep`]), all before the row that
//! names it is committed: in a directory it is linked into place and the directory synced
//! (with SQLite's full sync, after a power cut a committed row never points at an empty or
//! missing file); in a bucket it is one PUT, checked by the store against its SHA-256.

mod bucket;
mod drafts;
pub mod migrate;
pub mod place;
mod receive;

use std::path::{Path, PathBuf};

use anyhow::Context;
use daftar_core::cases::UPLOAD_HEAD_BYTES;
use sha2::{Digest, Sha256};

use bucket::Bucket;
pub use place::{DocumentsUrl, ObjectStoreSettings};
pub use receive::{ReceiveError, Received, Receiving};

#[derive(Debug, Clone)]
pub struct FileStore {
    /// Where uploads are received (`.incoming/`); for a directory place, also where the
    /// files and drafts live.
    root: PathBuf,
    /// The bucket files and drafts live in, when not in `root`.
    bucket: Option<Bucket>,
}

/// A stored file: its hash, the key to read it back by, and whether this `put` wrote it
/// (rather than finding the same bytes stored before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub sha256: String,
    pub storage_key: String,
    pub created: bool,
}

/// Whether `key` is one of ours: a shard, a slash and a SHA-256, in lower-case hex.
pub fn is_document_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    bytes.len() == 67
        && bytes[2] == b'/'
        && bytes[..2] == bytes[3..5]
        && key
            .bytes()
            .enumerate()
            .all(|(i, b)| i == 2 || b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl FileStore {
    /// Files in `<data-dir>/documents/`.
    pub fn new(data_dir: &Path) -> FileStore {
        FileStore::in_directory(data_dir.join("documents"))
    }

    /// Files in a directory of their own (`file://`), which may be shared (NFS).
    pub fn in_directory(root: PathBuf) -> FileStore {
        FileStore { root, bucket: None }
    }

    fn in_bucket(data_dir: &Path, bucket: Bucket) -> FileStore {
        FileStore {
            root: data_dir.join("documents"),
            bucket: Some(bucket),
        }
    }

    /// Where the files live, for messages: a directory or `s3://bucket/prefix`.
    pub fn describe(&self) -> String {
        match &self.bucket {
            Some(bucket) => bucket.url().to_owned(),
            None => self.root.display().to_string(),
        }
    }

    fn incoming(&self) -> PathBuf {
        self.root.join(".incoming")
    }

    fn drafts(&self) -> PathBuf {
        self.root.join(".drafts")
    }

    /// Whether files can be stored: the directory can be created, or the bucket answers.
    pub async fn ready(&self) -> anyhow::Result<()> {
        match &self.bucket {
            Some(bucket) => bucket.ready().await,
            None => tokio::fs::create_dir_all(self.incoming())
                .await
                .with_context(|| format!("could not create {}", self.incoming().display())),
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

    /// Removes what uploads cut off by a crash left in `.incoming/` (files untouched for
    /// an hour: a live upload writes more often than that), and drafts of forms left
    /// uncorrected for a day.
    pub async fn clear_abandoned_uploads(&self) {
        let hour = std::time::Duration::from_secs(3600);
        remove_older_than(&self.incoming(), hour).await;
        match &self.bucket {
            None => remove_older_than(&self.drafts(), 24 * hour).await,
            Some(bucket) => {
                if let Err(error) = bucket
                    .remove_older_than(drafts::BUCKET_FOLDER, 24 * 3600)
                    .await
                {
                    tracing::warn!(error = %format!("{error:#}"), "Could not remove abandoned drafts.");
                }
            }
        }
    }

    /// Keeps a received file (idempotently) under its hash, and returns the hash and key.
    pub async fn keep(&self, received: &Received) -> anyhow::Result<StoredFile> {
        let sha256 = received.sha256.clone();
        let storage_key = format!("{}/{}", &sha256[..2], sha256);
        let created = match &self.bucket {
            Some(bucket) => {
                if bucket.exists(&storage_key).await? {
                    false
                } else {
                    let bytes = tokio::fs::read(&received.path)
                        .await
                        .context("could not read a received upload")?;
                    bucket.put(&storage_key, bytes).await?;
                    true
                }
            }
            None => self.link(received, &storage_key).await?,
        };
        Ok(StoredFile {
            sha256,
            storage_key,
            created,
        })
    }

    /// Links a received file into place in the directory; whether it was new.
    /// The file is linked, not moved: the link fails, rather than overwrite, when the same
    /// bytes are stored already, and the received file is removed when its request is done
    /// with it either way.
    async fn link(&self, received: &Received, storage_key: &str) -> anyhow::Result<bool> {
        let path = self.root.join(storage_key);
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
        Ok(created)
    }

    /// Removes files a refused request wrote and no document names
    /// (`Cases::discard_refused_uploads` checks), so that nothing is left for it.
    pub async fn discard(&self, keys: &[String]) {
        for key in keys.iter().filter(|key| is_document_key(key)) {
            let removed = match &self.bucket {
                Some(bucket) => bucket.delete(key).await,
                None => tokio::fs::remove_file(self.root.join(key))
                    .await
                    .map_err(anyhow::Error::from),
            };
            if let Err(error) = removed {
                tracing::warn!(error = %format!("{error:#}"), "Could not remove the file of a refused upload.");
            }
        }
    }

    /// Reads a stored file back; a key that is not one of ours is refused.
    pub async fn get(&self, storage_key: &str) -> anyhow::Result<Vec<u8>> {
        anyhow::ensure!(
            is_document_key(storage_key),
            "not a document key: {storage_key}"
        );
        match &self.bucket {
            Some(bucket) => bucket
                .get(storage_key)
                .await?
                .with_context(|| format!("{storage_key} is not in {}", bucket.url())),
            None => {
                let path = self.root.join(storage_key);
                tokio::fs::read(&path)
                    .await
                    .with_context(|| format!("could not read {}", path.display()))
            }
        }
    }

    /// Whether a file is stored under `storage_key`.
    pub async fn has(&self, storage_key: &str) -> anyhow::Result<bool> {
        match &self.bucket {
            Some(bucket) => bucket.exists(storage_key).await,
            None => Ok(tokio::fs::try_exists(self.root.join(storage_key)).await?),
        }
    }

    /// Stores bytes already checked against their key (a migration's copy).
    pub async fn put_checked(&self, storage_key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        anyhow::ensure!(
            is_document_key(storage_key) && hex::encode(Sha256::digest(&bytes)) == storage_key[3..],
            "{storage_key}: the bytes do not have that hash"
        );
        match &self.bucket {
            Some(bucket) => bucket.put(storage_key, bytes).await,
            None => {
                let received = self
                    .receive_bytes(&bytes)
                    .await
                    .map_err(|error| match error {
                        ReceiveError::TooLarge => {
                            anyhow::anyhow!("{storage_key} is past the upload limit")
                        }
                        ReceiveError::Io(error) => error,
                    })?;
                self.link(&received, storage_key).await.map(|_| ())
            }
        }
    }

    /// Every stored file's key (not drafts, not uploads being received).
    pub async fn keys(&self) -> anyhow::Result<Vec<String>> {
        let mut keys: Vec<String> = match &self.bucket {
            Some(bucket) => bucket
                .list("")
                .await?
                .into_iter()
                .map(|(key, _)| key)
                .collect(),
            None => {
                let mut keys = Vec::new();
                let Ok(mut shards) = tokio::fs::read_dir(&self.root).await else {
                    return Ok(keys);
                };
                while let Some(shard) = shards.next_entry().await? {
                    let shard_name = shard.file_name().to_string_lossy().into_owned();
                    if shard_name.len() != 2 || !shard.file_type().await?.is_dir() {
                        continue;
                    }
                    let mut files = tokio::fs::read_dir(shard.path()).await?;
                    while let Some(file) = files.next_entry().await? {
                        keys.push(format!(
                            "{shard_name}/{}",
                            file.file_name().to_string_lossy()
                        ));
                    }
                }
                keys
            }
        };
        keys.retain(|key| is_document_key(key));
        keys.sort();
        Ok(keys)
    }
}

/// Removes the files in `dir` not written for `age`.
async fn remove_older_than(dir: &Path, age: std::time::Duration) {
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return;
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

    /// Two instances' stores over one bucket (object_store's own in-memory store), each
    /// with its data directory.
    fn two_instances_over_one_bucket() -> (tempfile::TempDir, FileStore, FileStore) {
        let dirs = tempfile::tempdir().unwrap();
        let bucket = Bucket::new(
            std::sync::Arc::new(object_store::memory::InMemory::new()),
            "office/",
            "s3://test/office".into(),
        );
        let a = FileStore::in_bucket(&dirs.path().join("a"), bucket.clone());
        let b = FileStore::in_bucket(&dirs.path().join("b"), bucket);
        (dirs, a, b)
    }

    #[tokio::test]
    async fn in_a_bucket_a_file_kept_by_one_instance_is_read_by_another_and_kept_once() {
        let (_dirs, a, b) = two_instances_over_one_bucket();
        let stored = put(&a, b"%PDF-1.7 deed").await;
        assert!(stored.created);
        assert_eq!(b.get(&stored.storage_key).await.unwrap(), b"%PDF-1.7 deed");
        let again = put(&b, b"%PDF-1.7 deed").await;
        assert_eq!(again.storage_key, stored.storage_key);
        assert!(!again.created, "found in the bucket, not written again");
        assert_eq!(
            a.keys().await.unwrap(),
            std::slice::from_ref(&stored.storage_key)
        );
        assert!(names_in(&a.incoming()).is_empty(), "nothing left incoming");
        b.discard(std::slice::from_ref(&stored.storage_key)).await;
        assert!(
            a.get(&stored.storage_key).await.is_err(),
            "discarded for both"
        );
        assert!(a.get("../../etc/passwd").await.is_err());
        assert!(!is_document_key(
            "ab/ab\u{e9}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        ));
    }

    #[tokio::test]
    async fn in_a_bucket_a_draft_kept_by_one_instance_is_taken_up_by_another() {
        let (_dirs, a, b) = two_instances_over_one_bucket();
        let received = a.receive_bytes(b"%PDF-1.7 kept").await.unwrap();
        let token = a
            .keep_draft(&received, "scan.pdf", "0499370899")
            .await
            .unwrap();
        drop(received);
        assert!(
            b.draft(&token, "0790419904").await.unwrap().is_none(),
            "not theirs"
        );
        let (again, name) = b.draft(&token, "0499370899").await.unwrap().unwrap();
        assert_eq!(
            (name.as_str(), again.size(), again.head()),
            ("scan.pdf", 13, &b"%PDF-1.7"[..])
        );
        let stored = b.keep(&again).await.unwrap();
        assert_eq!(a.get(&stored.storage_key).await.unwrap(), b"%PDF-1.7 kept");
        assert_eq!(
            a.keys().await.unwrap(),
            [stored.storage_key],
            "drafts are not documents"
        );
        a.discard_draft(&token).await;
        assert!(b.draft(&token, "0499370899").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_migration_copies_every_file_checked_and_a_second_run_finds_them_there() {
        let (dirs, bucket, _) = two_instances_over_one_bucket();
        let directory = FileStore::new(&dirs.path().join("old"));
        let mut keys = Vec::new();
        for n in 0..20 {
            keys.push(
                put(&directory, format!("%PDF-1.7 file {n}").as_bytes())
                    .await
                    .storage_key,
            );
        }
        keys.sort();
        // One file damaged on disk: its bytes no longer have its name's hash.
        std::fs::write(directory.root.join(&keys[3]), b"%PDF-1.7 bit rot").unwrap();
        let mut heard = Vec::new();
        let first = migrate::migrate(&directory, &bucket, |done, total| heard.push((done, total)))
            .await
            .unwrap();
        assert_eq!((first.copied, first.present), (19, 0));
        assert_eq!(first.damaged, [keys[3].clone()]);
        assert_eq!(heard.last(), Some(&(20, 20)));
        let copied = bucket.keys().await.unwrap();
        assert_eq!(copied.len(), 19);
        for key in &copied {
            let bytes = bucket.get(key).await.unwrap();
            assert_eq!(hex::encode(Sha256::digest(&bytes)), key[3..]);
        }
        let second = migrate::migrate(&directory, &bucket, |_, _| {})
            .await
            .unwrap();
        assert_eq!(
            (second.copied, second.present),
            (0, 19),
            "resumed: nothing copied twice"
        );
        // And back again, into a directory.
        let back = FileStore::new(&dirs.path().join("back"));
        let returned = migrate::migrate(&bucket, &back, |_, _| {}).await.unwrap();
        assert_eq!(returned.copied, 19);
        assert_eq!(back.keys().await.unwrap(), copied);
    }
}
