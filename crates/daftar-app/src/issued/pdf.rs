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
        status: match status {
            Status::Valid => "valid",
            Status::Revoked { .. } => "revoked",
            Status::Superseded { .. } => "superseded",
        },
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

/// The 26-digit barcode in Code 128 (set C, two digits a symbol), as SVG.
pub fn barcode_svg(digits: &str) -> Result<String, RenderError> {
    let code = barcoders::sym::code128::Code128::new(format!("\u{0106}{digits}"))
        .map_err(|e| RenderError::Template(vec![format!("Code 128 refused {digits}: {e}")]))?;
    barcoders::generators::svg::SVG::new(60)
        .xmlns("http://www.w3.org/2000/svg".to_owned())
        .xdim(2)
        .generate(code.encode())
        .map_err(|e| RenderError::Template(vec![format!("the barcode's SVG: {e}")]))
}

/// Bills as printed, with the files of their QR codes and barcodes (`/qr-<n>.svg`,
/// `/barcode-<n>.svg`).
pub fn printed_bills(
    bills: &[daftar_store::BillView],
    typesetter: &Typesetter,
    base_url: &str,
) -> Result<(BillsData, Vec<(String, String)>), RenderError> {
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
        let (qr, barcode) = (format!("/qr-{n}.svg"), format!("/barcode-{n}.svg"));
        images.push((
            qr[1..].to_owned(),
            qr_svg(&bill_track_url(base_url, &bill.bill_id, &bill.payment_id))?,
        ));
        images.push((barcode[1..].to_owned(), barcode_svg(&bill.barcode)?));
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
pub fn sample_bills(typesetter: &Typesetter) -> (BillsData, Vec<(String, String)>) {
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
}
