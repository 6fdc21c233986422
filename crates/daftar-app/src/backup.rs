//! `daftar backup` and `daftar restore`: the database (by its engine's own means, see
//! `daftar_store::backup`), the uploaded documents and the office's signing key, in one
//! directory with a manifest of what is there and its SHA-256.
//!
//! A backup runs while the office works. The database is copied first, as one moment;
//! the documents after it, so every document a copied row names is there (a document is
//! stored before its row is committed, and never deleted while a row names it).

use std::path::Path;

use anyhow::Context;
use daftar_store::backup::{
    backend_of, copy_database, copy_file_name, ensure_empty, restore_database,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::files::FileStore;
use crate::files::migrate::migrate;
use crate::issued::KEY_FILE;

/// The manifest's name in a backup directory.
pub const MANIFEST: &str = "manifest.json";
/// The documents' directory in a backup, laid out as a `file://` documents place.
const DOCUMENTS: &str = "documents";
/// What this program writes and reads.
const FORMAT: u32 = 1;

/// What a backup holds: written last, so a directory without one is not a backup.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The program that wrote it.
    pub daftar_version: String,
    /// `sqlite` or `postgres`: a backup restores into the same engine.
    pub backend: String,
    /// When the copy began: every write acknowledged before is in it.
    pub began_at: jiff::Timestamp,
    pub finished_at: jiff::Timestamp,
    pub database: CopiedFile,
    /// The office's signing key from the data directory; none when `--signing-key` names
    /// a key kept elsewhere (back that up where it lives).
    pub signing_key: Option<CopiedFile>,
    /// Where the documents were copied from, and each one's key (its SHA-256 is in it).
    pub documents_from: String,
    pub documents: Vec<String>,
}

/// A file of the backup, by its path inside it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CopiedFile {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

impl CopiedFile {
    /// The file's size and SHA-256, read a piece at a time (a database copy may be
    /// larger than the memory).
    fn of(dir: &Path, path: &str) -> anyhow::Result<CopiedFile> {
        let full = dir.join(path);
        let mut file = std::fs::File::open(&full)
            .with_context(|| format!("could not read {}", full.display()))?;
        let mut hasher = Sha256::new();
        let bytes = std::io::copy(&mut file, &mut hasher)
            .with_context(|| format!("could not read {}", full.display()))?;
        Ok(CopiedFile {
            path: path.to_owned(),
            bytes,
            sha256: hex::encode(hasher.finalize()),
        })
    }

    /// Fails unless the file in `dir` is still what the manifest says.
    fn check(&self, dir: &Path) -> anyhow::Result<()> {
        let found = CopiedFile::of(dir, &self.path)?;
        anyhow::ensure!(
            found == *self,
            "{} is not what the manifest says (damaged or changed): nothing was restored",
            dir.join(&self.path).display()
        );
        Ok(())
    }
}

/// Backs up the office `config` describes into `output` (a new or empty directory);
/// `progress` hears the documents copied of how many.
pub async fn back_up(
    config: &Config,
    output: &Path,
    progress: impl FnMut(usize, usize),
) -> anyhow::Result<Manifest> {
    if output.exists() {
        anyhow::ensure!(
            std::fs::read_dir(output)?.next().is_none(),
            "{} is not empty: back up into a new directory",
            output.display()
        );
    }
    private_dir(output)?;
    let url = config.database_url();
    let backend = backend_of(&url)?;
    let began_at = jiff::Timestamp::now();
    let database_file = copy_file_name(backend);
    copy_database(&url, &output.join(database_file)).await?;

    let signing_key = match &config.signing_key {
        Some(_) => None,
        None if config.data_dir.join(KEY_FILE).exists() => {
            let into = output.join(KEY_FILE);
            private_dir(into.parent().unwrap_or(output))?;
            std::fs::copy(config.data_dir.join(KEY_FILE), &into)
                .with_context(|| format!("could not copy the signing key to {}", into.display()))?;
            Some(CopiedFile::of(output, KEY_FILE)?)
        }
        None => None,
    };

    let from = FileStore::open(
        &config.data_dir,
        config.documents_url.as_deref(),
        &config.object_store,
    )?;
    let to = FileStore::in_directory(output.join(DOCUMENTS));
    let copied = migrate(&from, &to, progress).await?;
    if !copied.damaged.is_empty() {
        anyhow::bail!(
            "{} document(s) are damaged (their bytes do not have the hash they are named by), \
             not copied: {}",
            copied.damaged.len(),
            copied.damaged.join(", ")
        );
    }
    let mut documents = to.keys().await?;
    documents.sort();

    let manifest = Manifest {
        format: FORMAT,
        daftar_version: env!("CARGO_PKG_VERSION").to_owned(),
        backend: backend_name(backend).to_owned(),
        began_at,
        finished_at: jiff::Timestamp::now(),
        database: CopiedFile::of(output, database_file)?,
        signing_key,
        documents_from: from.describe(),
        documents,
    };
    let written = output.join(format!("{MANIFEST}.partial"));
    std::fs::write(&written, serde_json::to_vec_pretty(&manifest)?)?;
    std::fs::File::open(&written)?.sync_all()?;
    std::fs::rename(&written, output.join(MANIFEST))?;
    Ok(manifest)
}

/// Restores the backup in `from` into the office `config` describes: its database must
/// be empty. Every file is checked against the manifest, and the documents' place asked
/// whether it answers, before anything is written.
pub async fn restore(
    config: &Config,
    from: &Path,
    progress: impl FnMut(usize, usize),
) -> anyhow::Result<Manifest> {
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(from.join(MANIFEST)).with_context(|| {
            format!(
                "{} is not a finished Daftar backup (no {MANIFEST})",
                from.display()
            )
        })?)
        .with_context(|| format!("{} cannot be read", from.join(MANIFEST).display()))?;
    anyhow::ensure!(
        manifest.format == FORMAT,
        "the backup's format is {}; this program reads {FORMAT}",
        manifest.format
    );
    let url = config.database_url();
    let backend = backend_name(backend_of(&url)?);
    anyhow::ensure!(
        manifest.backend == backend,
        "the backup is of a {} database and --database-url names {backend}: restore into the \
         same engine (nothing was restored)",
        manifest.backend
    );
    manifest.database.check(from)?;
    let key_target = config.data_dir.join(KEY_FILE);
    if let Some(key) = &manifest.signing_key {
        key.check(from)?;
        if key_target.exists() {
            anyhow::ensure!(
                std::fs::read(&key_target)? == std::fs::read(from.join(&key.path))?,
                "{} holds another signing key: restore into an empty data directory (nothing \
                 was restored)",
                key_target.display()
            );
        }
    }
    let documents = FileStore::in_directory(from.join(DOCUMENTS));
    let mut held = documents.keys().await?;
    held.sort();
    anyhow::ensure!(
        held == manifest.documents,
        "the backup's documents are not the ones its manifest lists: nothing was restored"
    );
    // Each document is named by its SHA-256: read them all before writing anything.
    for key in &held {
        let found = CopiedFile::of(&from.join(DOCUMENTS), key)?;
        anyhow::ensure!(
            key.ends_with(&found.sha256),
            "{} is damaged (its bytes do not have the hash it is named by): nothing was \
             restored",
            from.join(DOCUMENTS).join(key).display()
        );
    }
    ensure_empty(&url).await?;
    let to = FileStore::open(
        &config.data_dir,
        config.documents_url.as_deref(),
        &config.object_store,
    )?;
    to.ready().await?;

    // The documents and the key first: copying them again is harmless, so a restore cut
    // off here is run again; the database last, once everything it names is in place.
    private_dir(&config.data_dir)?;
    let copied = migrate(&documents, &to, progress).await?;
    anyhow::ensure!(
        copied.damaged.is_empty(),
        "{} document(s) of the backup are damaged, not restored: {}",
        copied.damaged.len(),
        copied.damaged.join(", ")
    );
    if let Some(key) = &manifest.signing_key
        && !key_target.exists()
    {
        private_dir(key_target.parent().unwrap_or(&config.data_dir))?;
        std::fs::copy(from.join(&key.path), &key_target)?;
    }
    restore_database(&url, &from.join(&manifest.database.path)).await?;
    Ok(manifest)
}

fn backend_name(backend: daftar_store::Backend) -> &'static str {
    match backend {
        daftar_store::Backend::Sqlite => "sqlite",
        daftar_store::Backend::Postgres => "postgres",
    }
}

/// Creates `dir` if needed, readable by this user only: a backup holds personal data and
/// the office's signing key.
fn private_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("could not make {} private", dir.display()))?;
    }
    Ok(())
}
