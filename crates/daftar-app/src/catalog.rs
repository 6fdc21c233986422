//! Loading the service catalog: the built-in services, or a directory of service files
//! the office keeps.

use std::path::Path;

use anyhow::Context;
use daftar_core::catalog::Catalog;

/// The catalog in `dir`, or the built-in one.
pub fn load(dir: Option<&Path>) -> anyhow::Result<Catalog> {
    match dir {
        Some(dir) => load_dir(dir),
        None => daftar_core::catalog::built_in()
            .map_err(|errors| anyhow::anyhow!("the built-in catalog does not load:\n{errors}")),
    }
}

/// Reads every `*.toml` file of a directory and loads them as the catalog; the error
/// names each file and field that is wrong.
pub fn load_dir(dir: &Path) -> anyhow::Result<Catalog> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("could not read the catalog directory {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "toml") {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("could not read {}", path.display()))?;
            files.push((name, text));
        }
    }
    files.sort();
    Catalog::load(&files).map_err(|errors| anyhow::anyhow!("{errors}"))
}
