//! The zoning look-up at scale: a synthetic zoning map of N sub-zone polygons, read and
//! indexed as `daftar zoning import` and the server do, then point look-ups through the
//! R-tree against a scan of every polygon (the baseline), in the same run; and the
//! import into a database, stored and read back; and the inquiry by property over many
//! stored plots, against the inquiry at a point. Prints Markdown tables.

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
    /// How many plots (the property files' outlines) are stored beside the map, for the
    /// inquiry by property; 0 to skip.
    #[arg(long, default_value_t = 1_000_000)]
    plots: usize,
    /// How many inquiries by property are timed.
    #[arg(long, default_value_t = 100_000)]
    inquiries: usize,
    /// How many tasks ask at once (the server's requests are as many as its clients).
    #[arg(long, default_value_t = 1)]
    tasks: usize,
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
        let result = import(&scratch, &text, &args).await;
        scratch.remove().await?;
        result?;
    }
    Ok(())
}

/// `daftar zoning import` and a server's start, timed on a database.
async fn import(scratch: &Scratch, text: &str, args: &Args) -> anyhow::Result<()> {
    let zones = args.zones;
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
    if args.plots > 0 {
        plots(&store, &zoning, args).await?;
    }
    store.close().await;
    Ok(())
}

/// A plot's key: districts 1 to 22, the rest unique because `n` is.
fn plot_key(n: usize) -> (u16, String) {
    let district = (n % 22 + 1) as u16;
    let n = n / 22;
    (
        district,
        format!(
            "{district:02}-{}-{}-{}",
            n / 10_000 % 1000,
            n / 10 % 1000,
            n % 10
        ),
    )
}

/// The inquiry by property over many stored plots: each plot a square of 12 to 30 m at
/// a random place on the map (some across two zones), stored as `daftar property import`
/// stores them; then inquiries by property, each timed: the plot read by its key, its
/// outline against the zones through the R-tree, the shares and the map order's inputs.
/// The baseline, in the same run: the inquiry at a point, which reads no database.
async fn plots(
    store: &std::sync::Arc<dyn daftar_store::Store>,
    zoning: &daftar_app::Zoning,
    args: &Args,
) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(1406);
    let columns = (args.zones as f64).sqrt().ceil();
    let extent = (columns * CELL, (args.zones as f64 / columns).floor() * CELL);
    let rows: Vec<daftar_store::NewPlot> = (0..args.plots)
        .map(|n| {
            let (district, renewal_code) = plot_key(n);
            let side = rng.random_range(12.0..30.0) / 90_000.0;
            let (x, y) = (
                ORIGIN.0 + rng.random_range(0.0..extent.0 - side),
                ORIGIN.1 + rng.random_range(0.0..extent.1 - side),
            );
            daftar_store::NewPlot {
                district,
                renewal_code,
                registration_plate: format!("{}/{}", n % 9000 + 1, n % 97),
                registration_section: 11,
                deed_area_centi_m2: 30_000,
                outline: Some(format!(
                    r#"{{"type":"Polygon","coordinates":[[[{x:.7},{y:.7}],[{:.7},{y:.7}],[{:.7},{:.7}],[{x:.7},{:.7}],[{x:.7},{y:.7}]]]}}"#,
                    x + side,
                    x + side,
                    y + side,
                    y + side
                )),
                setbacks_json: "[]".into(),
            }
        })
        .collect();
    let started = Instant::now();
    let new = store.save_plots(&rows, jiff::Timestamp::now()).await?;
    let saved = started.elapsed();
    anyhow::ensure!(
        new as usize == args.plots,
        "stored {new} of {} plots",
        args.plots
    );
    println!(
        "| store {} plots (one transaction) | {:.2} s |",
        args.plots,
        saved.as_secs_f64()
    );

    let tasks = args.tasks.max(1);
    let per_task = args.inquiries / tasks;
    let started = Instant::now();
    let mut running = Vec::with_capacity(tasks);
    for task in 0..tasks {
        let zoning = zoning.clone();
        let plots = args.plots;
        running.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(2000 + task as u64);
            let mut times = Vec::with_capacity(per_task);
            let mut shared = 0usize;
            for _ in 0..per_task {
                let (district, code) = plot_key(rng.random_range(0..plots));
                let code = daftar_core::property::RenewalCode::parse(&code)
                    .map_err(|e| anyhow::anyhow!("{code}: {e}"))?;
                let one = Instant::now();
                let inquiry = zoning.of_property(district, &code).await?;
                times.push(one.elapsed());
                if inquiry.zones.len() > 1 {
                    shared += 1;
                }
            }
            anyhow::Ok((times, shared))
        }));
    }
    let mut times = Vec::with_capacity(args.inquiries);
    let mut shared = 0usize;
    for task in running {
        let (task_times, task_shared) = task.await??;
        times.extend(task_times);
        shared += task_shared;
    }
    let total = started.elapsed();
    times.sort_unstable();
    let mut point_times = Vec::with_capacity(args.inquiries);
    let point_started = Instant::now();
    for _ in 0..args.inquiries {
        let (lon, lat) = (
            ORIGIN.0 + rng.random_range(0.0..extent.0),
            ORIGIN.1 + rng.random_range(0.0..extent.1),
        );
        let one = Instant::now();
        std::hint::black_box(zoning.at_point(lon, lat).await?);
        point_times.push(one.elapsed());
    }
    let point_total = point_started.elapsed();
    point_times.sort_unstable();
    println!(
        "\n| inquiry, {tasks} task(s), {} plots stored | inquiries | inquiries/s | p50 µs | p99 µs | max µs |",
        args.plots
    );
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| by property (`Zoning::of_property`: the plot read, its shares) | {} | {:.0} | {} | {} | {} |",
        times.len(),
        times.len() as f64 / total.as_secs_f64(),
        micros(percentile(&times, 0.5)),
        micros(percentile(&times, 0.99)),
        micros(*times.last().unwrap_or(&Duration::ZERO)),
    );
    println!(
        "| baseline: at a point (`Zoning::at_point`, no database) | {} | {:.0} | {} | {} | {} |",
        args.inquiries,
        args.inquiries as f64 / point_total.as_secs_f64(),
        micros(percentile(&point_times, 0.5)),
        micros(percentile(&point_times, 0.99)),
        micros(*point_times.last().unwrap_or(&Duration::ZERO)),
    );
    println!(
        "\n{shared} of {} plots asked about lie in more than one zone.",
        times.len()
    );
    Ok(())
}
