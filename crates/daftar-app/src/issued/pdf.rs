//! An issued document as paper: its PDF, typeset from its signed record
//! ([`super::typeset`]), with a QR code that carries the verify address and, after its
//! `#`, the signed record itself, so that a phone with the office's published key checks
//! it offline. The same record is attached to the PDF (`daftar-record.txt`), which is what
//! `daftar documents verify FILE.pdf` reads back.

use std::collections::BTreeMap;

use daftar_core::calendar::JalaliDate;
use daftar_core::fa::{amount_in_words, to_persian_digits};
use daftar_core::issued::{Compact, DocumentKind, IssuedRecord, PublicKey, Serial};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use super::typeset::{
    BillsData, DocumentData, PrintedBill, PrintedLine, RenderError, Titles, Typesetter,
};
use super::{Found, Status};

/// The name the signed record is attached under.
pub const RECORD_ATTACHMENT: &str = "daftar-record.txt";

/// The address a document is checked at: `{base}/verify/{serial}`.
pub fn verify_url(base_url: &str, serial: &str) -> String {
    format!("{}/verify/{serial}", base_url.trim_end_matches('/'))
}

/// What the QR code carries: the verify address, and the signed record after `#` (a
/// browser does not send it to the server; an offline checker reads it).
pub fn qr_payload(base_url: &str, serial: &str, compact: &str) -> String {
    format!("{}#{compact}", verify_url(base_url, serial))
}

/// The QR code as SVG. Medium error correction: a fold or a stamp over a corner still
/// reads.
pub fn qr_svg(payload: &str) -> Result<String, RenderError> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .map_err(|e| RenderError::Template(vec![format!("the QR code: {e}")]))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .min_dimensions(200, 200)
        .build())
}

/// What a template is given for a document: its facts as signed and as printed.
pub fn document_data(
    record: &IssuedRecord,
    status: &Status,
    compact: &str,
    typesetter: &Typesetter,
    base_url: &str,
) -> DocumentData {
    let name = record.kind.name();
    let branding = typesetter.branding();
    let shown = record
        .facts
        .iter()
        .flat_map(|(key, value)| {
            let mut printed = vec![(key.clone(), to_persian_digits(value))];
            // A day is printed as Persian writes it: «۵ آذر ۱۴۰۵».
            if key.ends_with("_date") {
                printed[0].1 = printed_day(value);
            }
            if key == super::REPLACES
                && let Ok(serial) = Serial::parse(value)
            {
                printed[0].1 = to_persian_digits(&serial.grouped());
            }
            if key.ends_with("_rials")
                && let Ok(amount) = value.parse::<u64>()
            {
                printed[0].1 = daftar_core::fa::format_number(amount);
                printed.push((format!("{key}_words"), amount_in_words(amount)));
            }
            printed
        })
        .collect::<BTreeMap<_, _>>();
    let grouped = Serial::parse(&record.serial)
        .map(|serial| serial.grouped())
        .unwrap_or_else(|_| record.serial.clone());
    DocumentData {
        kind: record.kind.slug().to_owned(),
        title: Titles {
            fa: name.fa.to_owned(),
            en: name.en.to_owned(),
        },
        serial: to_persian_digits(&grouped),
        issued_on: printed_day(&record.issued_on),
        valid_until: record.valid_until.as_deref().map(printed_day),
        facts: record.facts.clone(),
        shown,
        municipality: Titles {
            fa: branding.municipality_fa.clone(),
            en: branding.municipality_en.clone(),
        },
        emblem: branding.emblem_extension(),
        verify_url: verify_url(base_url, &record.serial),
        compact: compact.to_owned(),
        key: record.key.clone(),
        status: status.slug(),
        sketch: false,
    }
}

/// A Jalali day as printed: `۱۳ آذر ۱۴۰۵`.
fn printed_day(iso: &str) -> String {
    JalaliDate::parse(iso)
        .map(|day| day.format_fa())
        .unwrap_or_else(|_| to_persian_digits(iso))
}

/// The PDF of a document as found: its template, its facts, its QR code, and the
/// building's sketch (as an SVG drawing) when it has one.
pub fn render(
    typesetter: &Typesetter,
    found: &Found,
    base_url: &str,
    sketch_svg: Option<&str>,
) -> Result<Vec<u8>, RenderError> {
    let mut data = document_data(
        &found.record,
        &found.status,
        &found.compact,
        typesetter,
        base_url,
    );
    data.sketch = sketch_svg.is_some();
    let qr = qr_svg(&qr_payload(base_url, &found.record.serial, &found.compact))?;
    typesetter.render(&data, &qr, sketch_svg)
}

/// The signed record a PDF carries, as attached by the letterhead; `None` when it carries
/// none (or is not a PDF).
pub fn pdf_record(pdf: &[u8]) -> Option<String> {
    use hayro_syntax::object::{Name, Object, dict::keys};
    let document = hayro_syntax::Pdf::new(pdf.to_vec()).ok()?;
    document.objects().into_iter().find_map(|object| {
        let Object::Stream(stream) = object else {
            return None;
        };
        let kind: Option<Name<'_>> = stream.dict().get(keys::TYPE);
        if kind.as_deref() != Some(keys::EMBEDDED_FILE) {
            return None;
        }
        let data = stream.decoded().ok()?;
        let text = std::str::from_utf8(&data).ok()?.trim().to_owned();
        Compact::decode(&text).ok().map(|_| text)
    })
}

/// How many pages a PDF has; `None` when it is not one.
pub fn page_count(pdf: &[u8]) -> Option<usize> {
    Some(hayro_syntax::Pdf::new(pdf.to_vec()).ok()?.pages().len())
}

/// What checking a PDF offline found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfCheck {
    /// The record is signed by one of the keys: what it states.
    Signed(Box<IssuedRecord>),
    NoRecord,
    /// A record whose signature no key verifies: changed, or signed elsewhere.
    BadSignature(String),
}

/// Checks a PDF's attached record against published keys, offline.
pub fn check_pdf(pdf: &[u8], keys: &[PublicKey]) -> PdfCheck {
    let Some(text) = pdf_record(pdf) else {
        return PdfCheck::NoRecord;
    };
    let Ok(compact) = Compact::decode(&text) else {
        return PdfCheck::NoRecord;
    };
    match daftar_core::issued::verify(&compact.record, &compact.signature, keys) {
        Ok(()) => PdfCheck::Signed(Box::new(compact.record)),
        Err(error) => PdfCheck::BadSignature(error.to_string()),
    }
}

/// A record for checking templates: every fact a built-in template prints, with
/// plausible values, unsigned.
pub fn sample_data(kind: DocumentKind, typesetter: &Typesetter) -> DocumentData {
    let facts: BTreeMap<String, String> = [
        ("tracking_code", "140509123456"),
        ("service", "گواهی نمونه"),
        ("district", "3"),
        ("renewal_code", "03-0112-0045-000"),
        ("certificate_number", "1405/3/1234"),
        ("year", "1405"),
        ("amount_rials", "12500000"),
        ("permit_number", "1405/3/77"),
        ("floors", "4"),
        ("total_area_m2", "420.5"),
        ("area_residential_m2", "360"),
        ("area_parking_m2", "60.5"),
        ("parking_spaces", "3"),
        ("supervisor_code", "1-23-45678"),
        ("deed_area_m2", "200"),
        ("setback_m2", "12.5"),
        ("allowed_floors", "4"),
        ("allowed_floor_m2", "120"),
        ("allowed_total_m2", "480"),
        ("extension", "1x12"),
        ("ruling_number", "1405/3/12"),
        ("ruling_date", "1405-09-01"),
        ("served_date", "1405-09-05"),
        ("fines_rials", "450000000"),
        ("fined_items", "2"),
        ("demolitions", "1"),
        ("uses_restored", "0"),
    ]
    .into_iter()
    .map(|(key, value)| (key.to_owned(), value.to_owned()))
    .collect();
    let record = IssuedRecord {
        v: 1,
        kind,
        serial: Serial::from_random(1).as_str().to_owned(),
        subject: daftar_core::issued::Subject::Property {
            district: 3,
            renewal_code: "03-0112-0045-000".into(),
        },
        facts,
        issued_on: "1405-09-13".into(),
        valid_until: Some("1405-12-29".into()),
        key: "sample".into(),
    };
    let compact = Compact {
        record: record.clone(),
        signature: [0; 64],
    }
    .encode();
    let mut data = document_data(
        &record,
        &Status::Valid,
        &compact,
        typesetter,
        "https://daftar.example.ir",
    );
    data.sketch = matches!(
        kind,
        DocumentKind::BuildingPermit | DocumentKind::InspectionReport
    );
    data
}

/// A bill's tracking page, where its QR code leads: public, and it says whether the bill
/// is paid.
pub fn bill_track_url(base_url: &str, bill_id: &str, payment_id: &str) -> String {
    format!(
        "{}/bills/track?bill_id={bill_id}&payment_id={payment_id}",
        base_url.trim_end_matches('/')
    )
}

/// The 26-digit barcode in Code 128 (set C, two digits a symbol): its bars, a module
/// each, true for black.
fn barcode_modules(digits: &str) -> Result<Vec<bool>, RenderError> {
    Ok(barcode_encoded(digits)?
        .into_iter()
        .map(|module| module == 1)
        .collect())
}

/// The barcode's modules as barcoders encodes them, 1 for black.
fn barcode_encoded(digits: &str) -> Result<Vec<u8>, RenderError> {
    let code = barcoders::sym::code128::Code128::new(format!("\u{0106}{digits}"))
        .map_err(|e| RenderError::Template(vec![format!("Code 128 refused {digits}: {e}")]))?;
    Ok(code.encode())
}

/// The barcode as SVG, for a bill's page.
pub fn barcode_svg(digits: &str) -> Result<String, RenderError> {
    barcoders::generators::svg::SVG::new(60)
        .xmlns("http://www.w3.org/2000/svg".to_owned())
        .xdim(2)
        .generate(barcode_encoded(digits)?)
        .map_err(|e| RenderError::Template(vec![format!("the barcode's SVG: {e}")]))
}

/// The barcode as a PNG one pixel high, a pixel a module with ten light modules each
/// side: a template stretches it to the bars' height without smoothing
/// (`scaling: "pixelated"`). A print run of 100,000 bills takes PNGs rather than SVGs:
/// Typst decodes a few hundred bytes instead of parsing a path of a hundred bars.
pub fn barcode_png(digits: &str) -> Result<Vec<u8>, RenderError> {
    const QUIET: usize = 10;
    let modules = barcode_modules(digits)?;
    let width = modules.len() + 2 * QUIET;
    bitmap_png(width, 1, |x, _| {
        x >= QUIET && modules.get(x - QUIET).copied().unwrap_or(false)
    })
}

/// The QR code as a PNG, a pixel a module with the standard quiet zone of four, for a
/// template to scale up without smoothing.
pub fn qr_png(payload: &str) -> Result<Vec<u8>, RenderError> {
    const QUIET: usize = 4;
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .map_err(|e| RenderError::Template(vec![format!("the QR code: {e}")]))?;
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET;
    bitmap_png(side, side, |x, y| {
        let inside = QUIET..QUIET + width;
        inside.contains(&x)
            && inside.contains(&y)
            && colors[(y - QUIET) * width + (x - QUIET)] == qrcode::Color::Dark
    })
}

/// A black-and-white image as a one-bit greyscale PNG.
fn bitmap_png(
    width: usize,
    height: usize,
    black: impl Fn(usize, usize) -> bool,
) -> Result<Vec<u8>, RenderError> {
    let failed = |e: png::EncodingError| RenderError::Template(vec![format!("a PNG: {e}")]);
    let row_bytes = width.div_ceil(8);
    let mut pixels = vec![0u8; row_bytes * height];
    for y in 0..height {
        for x in 0..width {
            // In one-bit greyscale a set bit is white.
            if !black(x, y) {
                pixels[y * row_bytes + x / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    let dimension = |n: usize| {
        u32::try_from(n).map_err(|_| RenderError::Template(vec!["a PNG too large".into()]))
    };
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, dimension(width)?, dimension(height)?);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(&pixels).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

/// A bill's QR code or barcode as the template reads it: its file name and its PNG.
pub type BillImage = (String, Vec<u8>);

/// Bills as printed, with the files of their QR codes and barcodes (`/qr-<n>.png`,
/// `/barcode-<n>.png`).
pub fn printed_bills(
    bills: &[daftar_store::BillView],
    typesetter: &Typesetter,
    base_url: &str,
) -> Result<(BillsData, Vec<BillImage>), RenderError> {
    use daftar_core::fa::format_number;
    let branding = typesetter.branding();
    let mut images = Vec::with_capacity(bills.len() * 2);
    let mut printed = Vec::with_capacity(bills.len());
    for (n, bill) in bills.iter().enumerate() {
        let lines: Vec<daftar_core::billing::DemandLine> =
            serde_json::from_str(&bill.lines_json).unwrap_or_default();
        let title = if lines
            .iter()
            .any(|line| line.kind == daftar_core::billing::LineKind::PermitFee)
        {
            "عوارض صدور پروانه ساختمانی"
        } else if lines
            .iter()
            .any(|line| line.kind == daftar_core::billing::LineKind::ViolationFine)
        {
            "جریمه کمیسیون ماده ۱۰۰"
        } else {
            "عوارض نوسازی و پسماند"
        };
        let (qr, barcode) = (format!("/qr-{n}.png"), format!("/barcode-{n}.png"));
        images.push((
            qr[1..].to_owned(),
            qr_png(&bill_track_url(base_url, &bill.bill_id, &bill.payment_id))?,
        ));
        images.push((barcode[1..].to_owned(), barcode_png(&bill.barcode)?));
        printed.push(PrintedBill {
            title: title.to_owned(),
            year: to_persian_digits(&bill.year.to_string()),
            period: to_persian_digits(&bill.period.to_string()),
            district: to_persian_digits(&bill.district.to_string()),
            renewal_code: to_persian_digits(&bill.renewal_code),
            due_date: bill.due_date.format_fa(),
            bill_id: to_persian_digits(&bill.bill_id),
            payment_id: to_persian_digits(&bill.payment_id),
            lines: lines
                .iter()
                .map(|line| PrintedLine {
                    name: line.kind.name_fa().to_owned(),
                    amount: if line.amount_rials < 0 {
                        format!("−{}", format_number(line.amount_rials.unsigned_abs()))
                    } else {
                        format_number(line.amount_rials.unsigned_abs())
                    },
                })
                .collect(),
            amount: format_number(bill.amount_rials),
            amount_words: amount_in_words(bill.amount_rials),
            barcode_digits: bill.barcode.clone(),
            qr,
            barcode,
        });
    }
    Ok((
        BillsData {
            municipality: Titles {
                fa: branding.municipality_fa.clone(),
                en: branding.municipality_en.clone(),
            },
            emblem: branding.emblem_extension(),
            bills: printed,
        },
        images,
    ))
}

/// Bills as one PDF, a page each.
pub fn bills_pdf(
    typesetter: &Typesetter,
    bills: &[daftar_store::BillView],
    base_url: &str,
) -> Result<Vec<u8>, RenderError> {
    let (data, images) = printed_bills(bills, typesetter, base_url)?;
    typesetter.render_bills(&data, images)
}

/// A sample bill, for checking the bill template.
pub fn sample_bills(typesetter: &Typesetter) -> (BillsData, Vec<BillImage>) {
    let bill = daftar_store::BillView {
        bill_id: "1234567890123".into(),
        payment_id: "4440051004".into(),
        barcode: "12345678901230000444005100".into(),
        renewal_code: "01-101-12-0".into(),
        district: 1,
        year: 1405,
        period: 1,
        amount_rials: 4_440_000,
        lines_json: r#"[{"kind":"renewal_toll","amount_rials":3600000},{"kind":"waste_fee","amount_rials":840000}]"#.into(),
        due_date: JalaliDate::new(1405, 3, 31).expect("a real day"),
        paid_at: None,
        trace_number: None,
        cancelled: false,
    };
    printed_bills(&[bill], typesetter, "https://daftar.example.ir").unwrap_or_else(|_| {
        (
            BillsData {
                municipality: Titles {
                    fa: String::new(),
                    en: String::new(),
                },
                emblem: "svg",
                bills: Vec::new(),
            },
            Vec::new(),
        )
    })
}

#[cfg(test)]
mod tests {
    use daftar_core::issued::OfficeKey;

    use super::*;
    use crate::Branding;

    fn typesetter() -> Typesetter {
        Typesetter::built_in(Branding::named("شهرداری نمونه", "Sample Municipality"))
    }

    fn certificate(key: &OfficeKey) -> IssuedRecord {
        IssuedRecord::new(
            DocumentKind::NoViolationCertificate,
            &Serial::from_random(42),
            daftar_core::issued::Subject::Property {
                district: 3,
                renewal_code: "03-0112-0045-000".into(),
            },
            BTreeMap::from([
                ("district".to_owned(), "3".to_owned()),
                ("renewal_code".to_owned(), "03-0112-0045-000".to_owned()),
                ("service".to_owned(), "گواهی عدم خلاف".to_owned()),
                ("tracking_code".to_owned(), "140509123456".to_owned()),
            ]),
            JalaliDate::new(1405, 9, 13).unwrap(),
            None,
            &key.id(),
        )
        .unwrap()
    }

    fn found(record: IssuedRecord, signature: [u8; 64]) -> Found {
        let compact = Compact {
            record: record.clone(),
            signature,
        }
        .encode();
        Found {
            record,
            status: Status::Valid,
            compact,
            issued_at: jiff::Timestamp::now(),
            case: None,
        }
    }

    #[test]
    fn every_built_in_template_renders_and_carries_its_record() {
        let typesetter = typesetter();
        let problems = typesetter.check(|kind| sample_data(kind, &typesetter));
        assert_eq!(problems, Vec::<String>::new());
        assert!(
            typesetter
                .kinds()
                .contains(&DocumentKind::NoViolationCertificate)
        );
    }

    #[test]
    fn a_signed_pdf_verifies_offline_and_a_changed_fact_does_not() {
        let key = OfficeKey::from_secret(&[7; 32]);
        let record = certificate(&key);
        let signature = key.sign(&record);
        let pdf = render(
            &typesetter(),
            &found(record.clone(), signature),
            "https://daftar.example.ir",
            None,
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(
            check_pdf(&pdf, &[key.public()]),
            PdfCheck::Signed(Box::new(record.clone()))
        );

        // The same signature over a record with one fact changed.
        let mut tampered = record;
        tampered.facts.insert("district".into(), "4".into());
        let forged = render(
            &typesetter(),
            &found(tampered, signature),
            "https://daftar.example.ir",
            None,
        )
        .unwrap();
        assert!(matches!(
            check_pdf(&forged, &[key.public()]),
            PdfCheck::BadSignature(_)
        ));
        // Another office's key does not verify the genuine one.
        let other = OfficeKey::from_secret(&[8; 32]);
        assert!(matches!(
            check_pdf(&pdf, &[other.public()]),
            PdfCheck::BadSignature(_)
        ));
        assert_eq!(check_pdf(b"not a pdf", &[key.public()]), PdfCheck::NoRecord);
    }

    #[test]
    fn a_broken_template_is_reported_with_its_file_and_line() {
        let files = [
            (
                "letterhead.typ".to_owned(),
                include_str!("../../../../documents/letterhead.typ").to_owned(),
            ),
            (
                "renewal_clearance.typ".to_owned(),
                "#import \"/letterhead.typ\": *\n#show: letterhead\n\n#doc.nothing_here\n"
                    .to_owned(),
            ),
            (
                "no_violation_certificate.typ".to_owned(),
                "= A page with no letterhead\n".to_owned(),
            ),
            ("receipt.typ".to_owned(), "hello".to_owned()),
        ];
        let typesetter = Typesetter::from_files(files, Branding::named("ش", "M"));
        let problems = typesetter.check(|kind| sample_data(kind, &typesetter));
        // The kinds the directory lacks are named first.
        assert!(
            problems.contains(&"bill.typ: missing (every kind Daftar issues needs one)".to_owned()),
            "{problems:?}"
        );
        let problems: Vec<&String> = problems
            .iter()
            .filter(|problem| !problem.ends_with("needs one)"))
            .collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems[0].starts_with("no_violation_certificate.typ: the PDF does not carry"),
            "{problems:?}"
        );
        assert!(
            problems[1].starts_with("receipt.typ: not a kind of document"),
            "{problems:?}"
        );
        assert!(
            problems[2].starts_with("renewal_clearance.typ: renewal_clearance.typ:4: "),
            "{problems:?}"
        );
    }

    #[test]
    fn the_qr_code_carries_the_verify_address_and_the_record_after_the_hash() {
        let payload = qr_payload("https://daftar.example.ir/", "123456789012", "AAA.BBB");
        assert_eq!(
            payload,
            "https://daftar.example.ir/verify/123456789012#AAA.BBB"
        );
        let svg = qr_svg(&payload).unwrap();
        assert!(svg.contains("<svg"));
    }

    /// A one-bit PNG read back: its width and, row by row, whether each pixel is black.
    fn decoded(png_bytes: &[u8]) -> (usize, Vec<bool>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buffer).unwrap();
        assert_eq!(
            (info.color_type, info.bit_depth),
            (png::ColorType::Grayscale, png::BitDepth::One)
        );
        let (width, height) = (info.width as usize, info.height as usize);
        let black = (0..height)
            .flat_map(|y| (0..width).map(move |x| (x, y)))
            .map(|(x, y)| buffer[y * info.line_size + x / 8] & (0x80 >> (x % 8)) == 0)
            .collect();
        (width, black)
    }

    #[test]
    fn the_bills_barcode_png_is_its_code_128_bars_between_quiet_zones() {
        let digits = "12345678901234567890123456";
        let (width, black) = decoded(&barcode_png(digits).unwrap());
        let modules = barcode_modules(digits).unwrap();
        assert_eq!(width, modules.len() + 20);
        assert!(black[..10].iter().chain(&black[width - 10..]).all(|b| !b));
        assert_eq!(&black[10..width - 10], &modules[..]);
        // Start C, then the stop pattern: what a bank's reader looks for first and last.
        let bars = |pattern: &str| pattern.chars().map(|c| c == '1').collect::<Vec<_>>();
        assert_eq!(&modules[..11], &bars("11010011100")[..]);
        assert_eq!(&modules[modules.len() - 13..], &bars("1100011101011")[..]);
    }

    #[test]
    fn the_bills_qr_png_is_the_codes_modules_in_a_quiet_zone_of_four() {
        let url = bill_track_url("https://daftar.example.ir", "1234567890123", "12345");
        let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).unwrap();
        let (side, black) = decoded(&qr_png(&url).unwrap());
        let width = code.width();
        assert_eq!(side, width + 8);
        let colors = code.to_colors();
        for y in 0..side {
            for x in 0..side {
                let inside = (4..4 + width).contains(&x) && (4..4 + width).contains(&y);
                let dark = inside && colors[(y - 4) * width + (x - 4)] == qrcode::Color::Dark;
                assert_eq!(black[y * side + x], dark, "pixel {x},{y}");
            }
        }
    }
}
