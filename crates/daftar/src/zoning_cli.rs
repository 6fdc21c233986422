//! `daftar zoning …`: loading the detailed plan's rules and importing its map.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use daftar_app::Config;

use crate::open_store;

#[derive(Debug, Subcommand)]
pub enum ZoningCommand {
    /// Load a zone rules file (TOML: `city`, `version`, and a `[[zone]]` per sub-zone with
    /// its uses, density, occupancy, floors, minimum plot and parking). A version loaded
    /// before is not rewritten.
    Rules {
        #[command(flatten)]
        config: Config,
        file: PathBuf,
    },
    /// Import a zoning map: a GeoJSON FeatureCollection, each feature a sub-zone's Polygon
    /// or MultiPolygon in WGS 84 with `properties.code` (R121, …) and optional
    /// `properties.flags`. Checked against the latest rules; one bad feature refuses the
    /// whole file, listing every bad one. Each import is a new version.
    Import {
        #[command(flatten)]
        config: Config,
        file: PathBuf,
    },
}

pub async fn run(command: ZoningCommand) -> anyhow::Result<()> {
    match command {
        ZoningCommand::Rules { config, file } => {
            let text = read(&file)?;
            let store = open_store(&config).await?;
            let loaded = daftar_app::zoning::save_rules(store.as_ref(), &text).await?;
            let what = if loaded.new {
                "loaded"
            } else {
                "already loaded; nothing changed"
            };
            println!(
                "Zone rules {} ({} sub-zones): {what}.",
                loaded.version, loaded.zones
            );
        }
        ZoningCommand::Import { config, file } => {
            let text = read(&file)?;
            let store = open_store(&config).await?;
            let imported = daftar_app::zoning::save_map(store.as_ref(), &text).await?;
            println!(
                "Zoning map version {} imported: {} features, under zone rules {}. A running server takes it at its next start.",
                imported.version, imported.features, imported.rules_version
            );
        }
    }
    Ok(())
}

fn read(file: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("could not read {}", file.display()))
}
