//! `daftar documents`: checking a directory of document templates before `serve` is
//! given it, checking a document's PDF offline against the office's published keys, and
//! moving the uploaded documents to another place (into an object store).

use std::path::{Path, PathBuf};

use crate::progress::FilesBar;
use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use clap::Subcommand;
use daftar_app::Branding;
use daftar_app::files::{FileStore, ObjectStoreSettings};
use daftar_app::issued::pdf::{PdfCheck, check_pdf, sample_data};
use daftar_app::issued::typeset::Typesetter;
use daftar_core::issued::PublicKey;

#[derive(Debug, Subcommand)]
pub enum DocumentsCommand {
    /// Check a directory of templates (`letterhead.typ` and `<kind>.typ` files) as
    /// `serve --documents-dir` would use them: each renders with sample facts and carries
    /// its signed record. Problems name the file and line; exits 1 then.
    Check { dir: PathBuf },
    /// Check a document's PDF offline: the signed record it carries, against the keys of
    /// the office's `/.well-known/daftar-keys.json` saved as a file, or the office key of
    /// this machine's data directory. Prints what it states; exits 1 when the signature
    /// does not hold or there is no record.
    Verify {
        file: PathBuf,
        /// The office's published keys, saved from `/.well-known/daftar-keys.json`.
        #[arg(long)]
        keys: Option<PathBuf>,
        /// Directory whose `keys/office-ed25519.key` to check against, without `--keys`.
        #[arg(long, env = "DAFTAR_DATA_DIR", default_value = "./daftar-data")]
        data_dir: PathBuf,
    },
    /// Copy the uploaded documents from where they live now (`--documents-url`, by
    /// default DATA_DIR/documents) to another place, such as an object store shared by
    /// every instance: each file checked against its hash, those already there skipped,
    /// so that a migration cut off is resumed by running it again. Serve with
    /// `--documents-url` set to the new place afterwards; the old files are left as
    /// they were. Exits 1 when a file is damaged (named, not copied).
    Migrate {
        /// Where to: s3://BUCKET/PREFIX (with the --s3-* flags) or file:///DIR.
        #[arg(long)]
        to: String,
        #[arg(long, env = "DAFTAR_DATA_DIR", default_value = "./daftar-data")]
        data_dir: PathBuf,
        /// Where the documents live now (default: DATA_DIR/documents).
        #[arg(long, env = "DAFTAR_DOCUMENTS_URL")]
        documents_url: Option<String>,
        #[command(flatten)]
        object_store: ObjectStoreSettings,
    },
}

pub async fn run(command: DocumentsCommand) -> anyhow::Result<()> {
    match command {
        DocumentsCommand::Check { dir } => check(&dir),
        DocumentsCommand::Verify {
            file,
            keys,
            data_dir,
        } => verify(&file, keys.as_deref(), &data_dir),
        DocumentsCommand::Migrate {
            to,
            data_dir,
            documents_url,
            object_store,
        } => {
            let from = FileStore::open(&data_dir, documents_url.as_deref(), &object_store)?;
            let to = FileStore::open(&data_dir, Some(&to), &object_store)?;
            migrate(&from, &to).await
        }
    }
}

async fn migrate(from: &FileStore, to: &FileStore) -> anyhow::Result<()> {
    to.ready().await?;
    let bar = FilesBar::new();
    let migration = daftar_app::files::migrate::migrate(from, to, bar.progress()).await;
    bar.finish();
    let migration = migration.with_context(|| {
        format!(
            "the migration stopped (run it again to resume) from {} to {}",
            from.describe(),
            to.describe()
        )
    })?;
    println!(
        "{} files copied to {}, {} there already.",
        migration.copied,
        to.describe(),
        migration.present
    );
    if !migration.damaged.is_empty() {
        for key in &migration.damaged {
            eprintln!("{key}: damaged (its bytes do not have the hash it is named by), not copied");
        }
        anyhow::bail!("{} damaged file(s)", migration.damaged.len());
    }
    Ok(())
}

fn check(dir: &Path) -> anyhow::Result<()> {
    let typesetter = Typesetter::from_dir(dir, Branding::named("شهرداری", "Municipality"))?;
    let problems = typesetter.check(|kind| sample_data(kind, &typesetter));
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("{problem}");
        }
        anyhow::bail!("{}: {} problem(s)", dir.display(), problems.len());
    }
    let kinds: Vec<&str> = typesetter.kinds().iter().map(|kind| kind.slug()).collect();
    println!(
        "{}: {} templates ({}), all render.",
        dir.display(),
        kinds.len(),
        kinds.join(", ")
    );
    Ok(())
}

fn verify(file: &Path, keys: Option<&Path>, data_dir: &Path) -> anyhow::Result<()> {
    let pdf = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let keys = match keys {
        Some(path) => published_keys(path)?,
        None => {
            let path = data_dir.join(daftar_app::issued::KEY_FILE);
            if !path.exists() {
                anyhow::bail!(
                    "{} has no office key: give the office's published keys with --keys",
                    data_dir.display()
                );
            }
            vec![daftar_app::issued::office_key(data_dir, None)?.public()]
        }
    };
    match check_pdf(&pdf, &keys) {
        PdfCheck::Signed(record) => {
            println!("{}: the signature holds.", file.display());
            println!("kind: {}", record.kind.slug());
            println!("serial: {}", record.serial);
            println!("issued on: {}", record.issued_on);
            if let Some(until) = &record.valid_until {
                println!("valid until: {until}");
            }
            for (name, value) in &record.facts {
                println!("{name}: {value}");
            }
            println!(
                "signed by key: {} (whether it was revoked since, only the office's verify page says)",
                record.key
            );
            Ok(())
        }
        PdfCheck::NoRecord => anyhow::bail!("{} carries no signed record", file.display()),
        PdfCheck::BadSignature(why) => anyhow::bail!(
            "{}: the signature does not hold ({why}): the document was changed, or another office signed it",
            file.display()
        ),
    }
}

/// The keys of a saved `/.well-known/daftar-keys.json`.
fn published_keys(path: &Path) -> anyhow::Result<Vec<PublicKey>> {
    #[derive(serde::Deserialize)]
    struct Published {
        keys: Vec<Listed>,
    }
    #[derive(serde::Deserialize)]
    struct Listed {
        public_key: String,
    }
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let published: Published = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a daftar-keys.json: {e}", path.display()))?;
    let keys: Vec<PublicKey> = published
        .keys
        .iter()
        .filter_map(|key| {
            STANDARD
                .decode(&key.public_key)
                .ok()
                .and_then(|bytes| PublicKey::from_bytes(&bytes))
        })
        .collect();
    if keys.is_empty() {
        anyhow::bail!("{} lists no Ed25519 key", path.display());
    }
    Ok(keys)
}
