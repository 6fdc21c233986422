//! The zoning look-up at scale: a synthetic zoning map of N sub-zone polygons, read and
//! indexed as `daftar zoning import` and the server do, then point look-ups through the
//! R-tree against a scan of every polygon (the baseline), in the same run; and the
//! import into a database, stored and read back. Prints Markdown tables.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use daftar_core::zoning::{ZoneIndex, ZoneRules, parse_zoning_map};
use geo::Intersects;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::database::Scratch;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to import the map (see `billing --help`). Omitted: SQLite in a temporary
    /// directory.
    #[arg(long)]
    database_url: Option<String>,
    /// How many sub-zone polygons the map has.
    #[arg(long, default_value_t = 100_000)]
    zones: usize,
    /// How many points are looked up through the index.
    #[arg(long, default_value_t = 200_000)]
    lookups: usize,
    /// How many points the scan of every polygon (the baseline) looks up.
    #[arg(long, default_value_t = 200)]
    scanned: usize,
    /// Skip the import into a database.
    #[arg(long)]
    no_import: bool,
}

/// A cell of the synthetic grid, in degrees (about 90 m by 110 m in Tehran).
const CELL: f64 = 0.001;
const ORIGIN: (f64, f64) = (51.2, 35.6);

/// The map: a grid of pentagons (a square with one side bent out), sub-zones and flags
/// drawn at random from the demo's rules.
fn synthetic_map(zones: usize, rng: &mut StdRng) -> String {
    let columns = (zones as f64).sqrt().ceil() as usize;
    let codes = ["R111", "R121", "M111", "G111"];
    let mut text = String::with_capacity(zones * 260);
    text.push_str(r#"{"type":"FeatureCollection","features":["#);
    for n in 0..zones {
        let (x, y) = (
            ORIGIN.0 + (n % columns) as f64 * CELL,
            ORIGIN.1 + (n / columns) as f64 * CELL,
        );
        let bend = rng.random_range(0.1..0.9) * CELL;
        let flags = if rng.random_ratio(1, 10) {
            r#","flags":["worn_out_fabric"]"#
        } else {
            ""
        };
        if n > 0 {
            text.push(',');
        }
        let _ = write!(
            text,
            r#"{{"type":"Feature","properties":{{"code":"{}"{flags}}},"geometry":{{"type":"Polygon","coordinates":[[[{x:.6},{y:.6}],[{:.6},{y:.6}],[{:.6},{:.6}],[{:.6},{:.6}],[{x:.6},{:.6}],[{x:.6},{y:.6}]]]}}}}"#,
            codes[rng.random_range(0..codes.len())],
            x + CELL,
            x + CELL,
            y + CELL,
            x + bend,
            y + CELL,
            y + CELL,
        );
    }
    text.push_str("]}");
    text
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn micros(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(1405);
    let rules = ZoneRules::demo();
    let text = synthetic_map(args.zones, &mut rng);
    println!(
        "# Zoning look-up, {} sub-zone polygons ({:.1} MB of GeoJSON)\n",
        args.zones,
        text.len() as f64 / 1e6
    );

    let started = Instant::now();
    let features = parse_zoning_map(&text, &rules)?;
    let parsed = started.elapsed();
    let started = Instant::now();
    let index = ZoneIndex::new(1, rules.version.clone(), features.clone());
    let indexed = started.elapsed();
    println!("| step | time |\n|---|---:|");
    println!(
        "| read and check the GeoJSON (geojson, geo validation) | {:.2} s |",
        parsed.as_secs_f64()
    );
    println!("| build the R-tree | {:.3} s |", indexed.as_secs_f64());

    let columns = (args.zones as f64).sqrt().ceil();
    let extent = (columns * CELL, (args.zones as f64 / columns).ceil() * CELL);
    let point = move |rng: &mut StdRng| {
        (
            ORIGIN.0 + rng.random_range(0.0..extent.0),
            ORIGIN.1 + rng.random_range(0.0..extent.1),
        )
    };

    // Through the index, each look-up timed.
    let mut times = Vec::with_capacity(args.lookups);
    let mut found = 0usize;
    let started = Instant::now();
    for _ in 0..args.lookups {
        let (lon, lat) = point(&mut rng);
        let one = Instant::now();
        found += index.at_point(lon, lat).len();
        times.push(one.elapsed());
    }
    let indexed_total = started.elapsed();
    times.sort_unstable();

    // The baseline: every polygon tested (its bounding box first), as without an index.
    let mut scan_times = Vec::with_capacity(args.scanned);
    let scan_started = Instant::now();
    for _ in 0..args.scanned {
        let (lon, lat) = point(&mut rng);
        let one = Instant::now();
        let here = geo::Point::new(lon, lat);
        let hits = features
            .iter()
            .filter(|feature| feature.area.intersects(&here))
            .count();
        std::hint::black_box(hits);
        scan_times.push(one.elapsed());
    }
    let scan_total = scan_started.elapsed();
    scan_times.sort_unstable();

    println!(
        "\n| look-up by point, one thread | look-ups | look-ups/s | p50 µs | p99 µs | max µs |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| R-tree (`ZoneIndex::at_point`) | {} | {:.0} | {} | {} | {} |",
        args.lookups,
        args.lookups as f64 / indexed_total.as_secs_f64(),
        micros(percentile(&times, 0.5)),
        micros(percentile(&times, 0.99)),
        micros(*times.last().unwrap_or(&Duration::ZERO)),
    );
    println!(
        "| baseline: every polygon tested | {} | {:.0} | {} | {} | {} |",
        args.scanned,
        args.scanned as f64 / scan_total.as_secs_f64(),
        micros(percentile(&scan_times, 0.5)),
        micros(percentile(&scan_times, 0.99)),
        micros(*scan_times.last().unwrap_or(&Duration::ZERO)),
    );
    println!(
        "\n{found} zones found for {} points (none in the unfilled end of the last row of the grid, two on a shared edge).",
        args.lookups
    );

    if !args.no_import {
        let scratch = Scratch::new(args.database_url.as_deref()).await?;
        let result = import(&scratch, &text, args.zones).await;
        scratch.remove().await?;
        result?;
    }
    Ok(())
}

/// `daftar zoning import` and a server's start, timed on a database.
async fn import(scratch: &Scratch, text: &str, zones: usize) -> anyhow::Result<()> {
    let store = daftar_store::open(scratch.url()).await?;
    daftar_app::zoning::save_rules(store.as_ref(), daftar_core::zoning::rules::DEMO_RULES).await?;
    let started = Instant::now();
    let imported = daftar_app::zoning::save_map(store.as_ref(), text).await?;
    let import_time = started.elapsed();
    anyhow::ensure!(
        imported.features == zones,
        "imported {} of {zones}",
        imported.features
    );
    let zoning = daftar_app::Zoning::new(store.clone(), daftar_app::Properties::new(store.clone()));
    let started = Instant::now();
    zoning.refresh().await?;
    let load_time = started.elapsed();
    println!("\n| on {:?} | time |\n|---|---:|", store.backend());
    println!(
        "| import {zones} features (read, check, store in one transaction) | {:.2} s |",
        import_time.as_secs_f64()
    );
    println!(
        "| load the map in force at start (read back, index) | {:.2} s |",
        load_time.as_secs_f64()
    );
    store.close().await;
    Ok(())
}
