//! Issued documents: rendering and signing a certificate as its PDF, one at a time (the
//! latency a clerk or a citizen waits) and on every core at once (what an office's
//! printing can sustain), against the same run's baselines: signing the record alone, and
//! a one-line Typst page through the same typesetter (what Typst costs before our
//! letterhead, table and QR code). And `--issue-into`, the setup of bench/verify.sh: that
//! many certificates issued into a database, their serials written to a file.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use daftar_app::Branding;
use daftar_app::issued::pdf::{document_data, render};
use daftar_app::issued::typeset::Typesetter;
use daftar_app::issued::{Found, Issuing, NewDocument, Status};
use daftar_core::calendar::JalaliDate;
use daftar_core::issued::{Compact, DocumentKind, IssuedRecord, OfficeKey, Serial, Subject};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Certificates rendered one at a time (after 20 not measured).
    #[arg(long, default_value_t = 300)]
    count: usize,
    /// Threads rendering at once for the throughput (default: every core).
    #[arg(long)]
    threads: Option<usize>,
    /// Instead of measuring: issue `--count` certificates into this database (migrated
    /// first), signed with the key of `--data-dir`, and write their serials to `--serials`.
    #[arg(long, requires_all = ["data_dir", "serials"])]
    issue_into: Option<String>,
    #[arg(long)]
    data_dir: Option<PathBuf>,
    #[arg(long)]
    serials: Option<PathBuf>,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    if let (Some(url), Some(data_dir), Some(serials)) =
        (&args.issue_into, &args.data_dir, &args.serials)
    {
        return issue_into(url, data_dir, serials, args.count).await;
    }
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let typesetter = Typesetter::built_in(Branding::named("شهرداری نمونه", "Sample Municipality"));
    let key = OfficeKey::from_secret(&[3; 32]);
    let base = "https://daftar.example.ir";

    let sign_only = timed(args.count, |i| {
        let record = certificate(&key, i);
        std::hint::black_box(key.sign(&record));
    });
    let one_line = {
        // The same typesetter and font, a template of one Persian line with the serial.
        let bare = Typesetter::from_files(
            [
                ("letterhead.typ".to_owned(), String::new()),
                (
                    "no_violation_certificate.typ".to_owned(),
                    "#set text(font: \"Vazirmatn\", lang: \"fa\", dir: rtl)\nگواهی #json(\"/document.json\").serial\n"
                        .to_owned(),
                ),
            ],
            Branding::named("شهرداری نمونه", "Sample Municipality"),
        );
        timed(args.count, |i| {
            let record = certificate(&key, i);
            let data = document_data(&record, &Status::Valid, "", &bare, base);
            std::hint::black_box(
                bare.render(&data, "", None)
                    .expect("a one-line page renders"),
            );
        })
    };
    let full = timed(args.count, |i| {
        std::hint::black_box(signed_pdf(&typesetter, &key, i, base));
    });
    let per_second = throughput(threads, args.count, &typesetter, &key, base);

    println!("# Issued documents benchmark");
    println!();
    println!(
        "{} cores; {} renders measured one at a time after 20 not measured; the same \
         no-violation certificate (letterhead, emblem, facts table, QR code of ~700 bytes) \
         each time with another serial.",
        threads, args.count
    );
    println!();
    println!("| what | p50 ms | p90 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    for (name, samples) in [
        ("signing the record only (baseline)", &sign_only),
        ("a one-line Typst page to PDF (baseline)", &one_line),
        ("a certificate rendered and signed", &full),
    ] {
        println!(
            "| {name} | {:.2} | {:.2} | {:.2} | {:.2} |",
            percentile(samples, 50.0),
            percentile(samples, 90.0),
            percentile(samples, 99.0),
            percentile(samples, 100.0)
        );
    }
    println!();
    let p99 = percentile(&full, 99.0);
    println!(
        "Certificates rendered and signed on {threads} threads at once: {per_second:.1} per second."
    );
    println!(
        "Targets: p99 ≤ 50 ms ({}), ≥ 40 per second ({}).",
        if p99 <= 50.0 { "met" } else { "missed" },
        if per_second >= 40.0 { "met" } else { "missed" }
    );
    Ok(())
}

/// A no-violation certificate numbered `i`.
fn certificate(key: &OfficeKey, i: usize) -> IssuedRecord {
    IssuedRecord::new(
        DocumentKind::NoViolationCertificate,
        &Serial::from_random(i as u64 * 7919 + 13),
        Subject::Property {
            district: 3,
            renewal_code: "03-112-45-0".into(),
        },
        facts(i),
        JalaliDate::new(1405, 9, 13).expect("a real day"),
        None,
        &key.id(),
    )
    .expect("a valid record")
}

fn facts(i: usize) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("certificate_number".to_owned(), format!("1405/{i}")),
        ("district".to_owned(), "3".to_owned()),
        ("renewal_code".to_owned(), "03-112-45-0".to_owned()),
        ("service".to_owned(), "گواهی عدم خلاف".to_owned()),
        ("tracking_code".to_owned(), format!("1405{:08}", i)),
    ])
}

/// Signs certificate `i` and renders its PDF, as a download does.
fn signed_pdf(typesetter: &Typesetter, key: &OfficeKey, i: usize, base: &str) -> Vec<u8> {
    let record = certificate(key, i);
    let signature = key.sign(&record);
    let found = Found {
        compact: Compact {
            record: record.clone(),
            signature,
        }
        .encode(),
        record,
        status: Status::Valid,
        issued_at: jiff::Timestamp::now(),
        case: None,
    };
    render(typesetter, &found, base, None).expect("the certificate renders")
}

/// Milliseconds of each of `count` runs, after 20 not measured.
fn timed(count: usize, mut work: impl FnMut(usize)) -> Vec<f64> {
    for i in 0..20 {
        work(i);
    }
    let mut samples: Vec<f64> = (0..count)
        .map(|i| {
            let start = Instant::now();
            work(i + 20);
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Certificates per second with `threads` rendering at once, `count` each.
fn throughput(
    threads: usize,
    count: usize,
    typesetter: &Typesetter,
    key: &OfficeKey,
    base: &str,
) -> f64 {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            scope.spawn(move || {
                for i in 0..count {
                    std::hint::black_box(signed_pdf(typesetter, key, t * count + i, base));
                }
            });
        }
    });
    let elapsed = start.elapsed().max(Duration::from_micros(1));
    (threads * count) as f64 / elapsed.as_secs_f64()
}

/// bench/verify.sh's setup: `count` certificates issued, their serials written.
async fn issue_into(
    url: &str,
    data_dir: &std::path::Path,
    serials: &std::path::Path,
    count: usize,
) -> anyhow::Result<()> {
    let store = daftar_store::open(url).await?;
    let key = daftar_app::issued::office_key(data_dir, None)?;
    let issuing = Issuing::new(Arc::clone(&store), key);
    let mut written = String::new();
    for i in 0..count {
        let record = issuing
            .issue(NewDocument {
                kind: DocumentKind::NoViolationCertificate,
                subject: Subject::Property {
                    district: 3,
                    renewal_code: "03-112-45-0".into(),
                },
                facts: facts(i),
                valid_until: None,
                case: None,
                issued_by: None,
                office: None,
                serial: None,
                supersedes: None,
            })
            .await
            .map_err(|e| anyhow::anyhow!("issuing certificate {i}: {e}"))?;
        written.push_str(&record.serial);
        written.push('\n');
    }
    std::fs::write(serials, written)?;
    Ok(())
}
