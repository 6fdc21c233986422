//! `daftar backup` and `daftar restore`: progress on standard error, what was done on
//! standard output.

use std::path::Path;

use daftar_app::Config;
use daftar_app::backup::MANIFEST;

use crate::progress::FilesBar;

pub async fn back_up(config: &Config, output: &Path) -> anyhow::Result<()> {
    let bar = FilesBar::new();
    let manifest = daftar_app::backup::back_up(config, output, bar.progress()).await;
    bar.finish();
    let manifest = manifest?;
    println!(
        "Backed up to {}: the {} database ({} bytes), {} documents{}; began {}, finished {}.",
        output.display(),
        manifest.backend,
        manifest.database.bytes,
        manifest.documents.len(),
        if manifest.signing_key.is_some() {
            ", the signing key"
        } else {
            ""
        },
        manifest.began_at,
        manifest.finished_at,
    );
    println!(
        "Every file's SHA-256 is in {}. Keep the directory private: it holds personal data.",
        output.join(MANIFEST).display()
    );
    Ok(())
}

pub async fn restore(config: &Config, dir: &Path) -> anyhow::Result<()> {
    let bar = FilesBar::new();
    let manifest = daftar_app::backup::restore(config, dir, bar.progress()).await;
    bar.finish();
    let manifest = manifest?;
    println!(
        "Restored the backup begun {}: the {} database, {} documents{}.",
        manifest.began_at,
        manifest.backend,
        manifest.documents.len(),
        if manifest.signing_key.is_some() {
            ", the signing key"
        } else {
            ""
        },
    );
    Ok(())
}
