//! `daftar property …`: importing the plots of the property files from the GIS.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use daftar_app::Config;

use crate::open_store;

#[derive(Debug, Subcommand)]
pub enum PropertyCommand {
    /// Import plots: a GeoJSON FeatureCollection, a feature per property with
    /// `properties` `district`, `renewal_code`, `registration_plate`,
    /// `registration_section`, `deed_area_m2` and optional `setbacks`
    /// (`[{"side": "north", "depth_m": 1.5, "frontage_m": 12}]`), its geometry the plot's
    /// outline (Polygon or MultiPolygon, WGS 84) or null. One bad feature refuses the
    /// whole file, listing every bad one; a property imported again is replaced.
    Import {
        #[command(flatten)]
        config: Config,
        file: PathBuf,
    },
}

pub async fn run(command: PropertyCommand) -> anyhow::Result<()> {
    match command {
        PropertyCommand::Import { config, file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("could not read {}", file.display()))?;
            let store = open_store(&config).await?;
            let imported = daftar_app::property::import_plots(store.as_ref(), &text).await?;
            println!(
                "{} plots imported ({} new, {} replaced).",
                imported.plots,
                imported.new,
                imported.plots as u64 - imported.new
            );
        }
    }
    Ok(())
}
