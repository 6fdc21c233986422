//! Typesetting an issued document as a PDF with Typst, used as a library.
//!
//! A document's template is a Typst file, one per kind (`documents/<kind>.typ`), that
//! imports the municipality's letterhead (`letterhead.typ`). Both are compiled into the
//! program, and `--documents-dir` replaces them with a municipality's own, read at start
//! (no rebuilding). Each render sees a small virtual file system: the templates,
//! `/document.json` (what the document states, ready to print: Persian digits, Jalali
//! dates), the emblem and the QR code. Nothing is read from disk or the network while
//! rendering, and the one font is Vazirmatn, the pages' own.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use daftar_core::issued::DocumentKind;
use serde::Serialize;
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::Branding;

/// Vazirmatn, vendored under its OFL licence (`fonts/OFL.txt`): the pages serve the same
/// files.
pub const FONT_REGULAR: &[u8] = include_bytes!("../../../../fonts/Vazirmatn-Regular.ttf");
pub const FONT_BOLD: &[u8] = include_bytes!("../../../../fonts/Vazirmatn-Bold.ttf");

/// The letterhead every template imports.
pub const LETTERHEAD: &str = "letterhead.typ";

/// The built-in templates: the letterhead and one per kind that has one.
const BUILT_IN: &[(&str, &str)] = &[
    (
        LETTERHEAD,
        include_str!("../../../../documents/letterhead.typ"),
    ),
    (
        "no_violation_certificate.typ",
        include_str!("../../../../documents/no_violation_certificate.typ"),
    ),
    (
        "completion_certificate.typ",
        include_str!("../../../../documents/completion_certificate.typ"),
    ),
    (
        "no_objection_letter.typ",
        include_str!("../../../../documents/no_objection_letter.typ"),
    ),
    ("bill.typ", include_str!("../../../../documents/bill.typ")),
    (
        "building_permit.typ",
        include_str!("../../../../documents/building_permit.typ"),
    ),
    (
        "inspection_report.typ",
        include_str!("../../../../documents/inspection_report.typ"),
    ),
    (
        "ruling_notice.typ",
        include_str!("../../../../documents/ruling_notice.typ"),
    ),
    (
        "renewal_clearance.typ",
        include_str!("../../../../documents/renewal_clearance.typ"),
    ),
];

/// What a template is given as `/document.json`.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentData {
    pub kind: String,
    pub title: Titles,
    /// The serial as printed: Persian digits, grouped.
    pub serial: String,
    /// The day of issue, Persian digits (`۱۴۰۵/۰۹/۱۳`).
    pub issued_on: String,
    pub valid_until: Option<String>,
    /// The facts as signed.
    pub facts: BTreeMap<String, String>,
    /// The facts as printed: Persian digits; an amount in rials (`*_rials`) also gets
    /// `*_rials_words`.
    pub shown: BTreeMap<String, String>,
    pub municipality: Titles,
    /// `svg` or `png`: the emblem is `/emblem.<this>`.
    pub emblem: &'static str,
    /// Where the document is checked, as printed under the QR code.
    pub verify_url: String,
    /// The signed record, `RECORD.SIGNATURE`: attached to the PDF and in the QR code.
    pub compact: String,
    /// The id of the key that signed it.
    pub key: String,
    /// `valid`, `revoked` or `superseded`: a document no longer valid is stamped so.
    pub status: &'static str,
    /// Whether `/sketch.svg` holds the building's sketch (a permit, an inspection report).
    pub sketch: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Titles {
    pub fa: String,
    pub en: String,
}

/// What the bill template is given as `/bills.json`: a page a bill.
#[derive(Debug, Clone, Serialize)]
pub struct BillsData {
    pub municipality: Titles,
    pub emblem: &'static str,
    pub bills: Vec<PrintedBill>,
}

/// A bill as printed: Persian digits, Jalali dates, amounts grouped and in words.
#[derive(Debug, Clone, Serialize)]
pub struct PrintedBill {
    pub title: String,
    pub year: String,
    pub period: String,
    pub district: String,
    pub renewal_code: String,
    pub due_date: String,
    pub bill_id: String,
    pub payment_id: String,
    pub lines: Vec<PrintedLine>,
    pub amount: String,
    pub amount_words: String,
    pub barcode_digits: String,
    /// The files of its QR code (to the tracking page) and its Code 128 barcode.
    pub qr: String,
    pub barcode: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrintedLine {
    pub name: String,
    pub amount: String,
}

/// Why a document did not render.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RenderError {
    #[error("there is no template for {0} documents")]
    NoTemplate(&'static str),
    #[error("{}", .0.join("\n"))]
    Template(Vec<String>),
}

/// The templates, the font and Typst's standard library, ready to render documents.
/// Cheap to clone; rendering does not block others.
#[derive(Clone)]
pub struct Typesetter {
    inner: Arc<Inner>,
}

struct Inner {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    /// Template sources by file name, parsed once.
    sources: BTreeMap<String, Source>,
    branding: Branding,
}

impl std::fmt::Debug for Typesetter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Typesetter")
            .field("templates", &self.inner.sources.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Typesetter {
    /// The built-in templates.
    pub fn built_in(branding: Branding) -> Typesetter {
        let files = BUILT_IN
            .iter()
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()));
        Typesetter::from_files(files, branding)
    }

    /// The templates the configuration names (`--documents-dir`), else the built-in ones,
    /// with the configuration's letterhead.
    pub fn from_config(config: &crate::Config) -> anyhow::Result<Typesetter> {
        let branding = Branding::from_config(config)?;
        match &config.documents_dir {
            Some(dir) => {
                // A template that would fail at a citizen's download fails the start.
                let typesetter = Typesetter::from_dir(dir, branding)?;
                let problems = typesetter.check(|kind| super::pdf::sample_data(kind, &typesetter));
                if !problems.is_empty() {
                    anyhow::bail!(
                        "the document templates of {} do not render (daftar documents check):\n{}",
                        dir.display(),
                        problems.join("\n")
                    );
                }
                Ok(typesetter)
            }
            None => Ok(Typesetter::built_in(branding)),
        }
    }

    /// The templates of a directory (`--documents-dir`): its `.typ` files, which must
    /// include the letterhead.
    pub fn from_dir(dir: &Path, branding: Branding) -> anyhow::Result<Typesetter> {
        let mut files = Vec::new();
        let entries = std::fs::read_dir(dir)
            .map_err(|e| anyhow::anyhow!("the documents directory {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("typ") {
                continue;
            }
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| anyhow::anyhow!("{} is not a UTF-8 name", path.display()))?
                .to_owned();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            files.push((name, text));
        }
        if !files.iter().any(|(name, _)| name == LETTERHEAD) {
            anyhow::bail!("{} has no {LETTERHEAD}", dir.display());
        }
        Ok(Typesetter::from_files(files, branding))
    }

    /// Templates given as (file name, text) pairs.
    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
        branding: Branding,
    ) -> Self {
        let fonts: Vec<Font> = [FONT_REGULAR, FONT_BOLD]
            .into_iter()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        let sources = files
            .into_iter()
            .map(|(name, text)| {
                let source = Source::new(file_id(&name), text);
                (name, source)
            })
            .collect();
        Typesetter {
            inner: Arc::new(Inner {
                library: LazyHash::new(Library::default()),
                book: LazyHash::new(FontBook::from_fonts(&fonts)),
                fonts,
                sources,
                branding,
            }),
        }
    }

    /// The kinds this set of templates can render.
    pub fn kinds(&self) -> Vec<DocumentKind> {
        DocumentKind::ALL
            .into_iter()
            .filter(|kind| self.inner.sources.contains_key(&template_name(*kind)))
            .collect()
    }

    pub fn branding(&self) -> &Branding {
        &self.inner.branding
    }

    /// The document as a PDF: its template filled with `data`, with `qr_svg` as its QR
    /// code and `sketch_svg`, when given, as `/sketch.svg`.
    pub fn render(
        &self,
        data: &DocumentData,
        qr_svg: &str,
        sketch_svg: Option<&str>,
    ) -> Result<Vec<u8>, RenderError> {
        let kind = DocumentKind::from_slug(&data.kind)
            .ok_or_else(|| RenderError::Template(vec![format!("unknown kind {}", data.kind)]))?;
        let main = self
            .inner
            .sources
            .get(&template_name(kind))
            .ok_or(RenderError::NoTemplate(kind.slug()))?;
        let json = serde_json::to_vec(data)
            .map_err(|e| RenderError::Template(vec![format!("the document's data: {e}")]))?;
        let mut files = BTreeMap::from([
            ("document.json".to_owned(), Bytes::new(json)),
            ("qr.svg".to_owned(), Bytes::from_string(qr_svg.to_owned())),
        ]);
        if let Some(svg) = sketch_svg {
            files.insert("sketch.svg".into(), Bytes::from_string(svg.to_owned()));
        }
        self.compile(main, data.serial.clone(), files)
    }

    /// Bills as one PDF, a page each (`bill.typ`), with `images` (file name, SVG) for
    /// their QR codes and barcodes.
    pub fn render_bills(
        &self,
        data: &BillsData,
        images: Vec<super::pdf::BillImage>,
    ) -> Result<Vec<u8>, RenderError> {
        let main = self
            .inner
            .sources
            .get(&template_name(DocumentKind::Bill))
            .ok_or(RenderError::NoTemplate(DocumentKind::Bill.slug()))?;
        let json = serde_json::to_vec(data)
            .map_err(|e| RenderError::Template(vec![format!("the bills' data: {e}")]))?;
        let json = Bytes::new(json);
        let mut files = BTreeMap::from([
            ("bills.json".to_owned(), json.clone()),
            // The letterhead reads the document's data on import: the same names.
            ("document.json".to_owned(), json),
        ]);
        for (name, image) in images {
            files.insert(name, Bytes::new(image));
        }
        let ident = data
            .bills
            .first()
            .map(|bill| format!("{}-{}", bill.bill_id, bill.payment_id))
            .unwrap_or_default();
        self.compile(main, ident, files)
    }

    /// Compiles `main` with the emblem and `files` beside the templates, to a PDF whose
    /// identifier derives from `ident`.
    fn compile(
        &self,
        main: &Source,
        ident: String,
        mut files: BTreeMap<String, Bytes>,
    ) -> Result<Vec<u8>, RenderError> {
        files.insert(
            format!("emblem.{}", self.inner.branding.emblem_extension()),
            Bytes::new(self.inner.branding.emblem.clone()),
        );
        let world = DocumentWorld {
            inner: &self.inner,
            main: main.id(),
            files,
        };
        let compiled = typst::compile::<PagedDocument>(&world);
        let document = compiled
            .output
            .map_err(|errors| RenderError::Template(describe(&world, errors.as_slice())))?;
        let options = typst_pdf::PdfOptions {
            ident: typst::foundations::Smart::Custom(ident),
            ..Default::default()
        };
        let pdf = typst_pdf::pdf(&document, &options)
            .map_err(|errors| RenderError::Template(describe(&world, errors.as_slice())))?;
        // Typst memoizes across compilations; keep what the last few renders used.
        typst::comemo::evict(10);
        Ok(pdf)
    }

    /// Whether every template compiles with sample data: for `daftar documents check`.
    /// Each problem names its file and line.
    pub fn check(&self, sample: impl Fn(DocumentKind) -> DocumentData) -> Vec<String> {
        let mut problems = Vec::new();
        // Every kind Daftar issues needs its template.
        for (name, _) in BUILT_IN {
            if !self.inner.sources.contains_key(*name) {
                problems.push(format!(
                    "{name}: missing (every kind Daftar issues needs one)"
                ));
            }
        }
        for name in self.inner.sources.keys() {
            if name == LETTERHEAD {
                continue;
            }
            let stem = name.trim_end_matches(".typ");
            let Some(kind) = DocumentKind::from_slug(stem) else {
                let kinds: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.slug()).collect();
                problems.push(format!(
                    "{name}: not a kind of document (one of {})",
                    kinds.join(", ")
                ));
                continue;
            };
            if kind == DocumentKind::Bill {
                let (data, images) = super::pdf::sample_bills(self);
                if let Err(error) = self.render_bills(&data, images) {
                    problems.extend(match error {
                        RenderError::Template(lines) => lines
                            .into_iter()
                            .map(|line| format!("{name}: {line}"))
                            .collect(),
                        other => vec![format!("{name}: {other}")],
                    });
                }
                continue;
            }
            let data = sample(kind);
            let sketch = data.sketch.then_some(SAMPLE_QR);
            match self.render(&data, SAMPLE_QR, sketch) {
                Ok(pdf) => match super::pdf::pdf_record(&pdf) {
                    Some(compact) if compact == data.compact => {}
                    _ => problems.push(format!(
                        "{name}: the PDF does not carry its signed record (show the letterhead: `#show: letterhead`)"
                    )),
                },
                Err(RenderError::Template(lines)) => {
                    problems.extend(lines.into_iter().map(|line| format!("{name}: {line}")));
                }
                Err(error) => problems.push(format!("{name}: {error}")),
            }
        }
        problems
    }
}

/// A QR code for checking templates: any small SVG does.
const SAMPLE_QR: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><rect width="21" height="21"/></svg>"#;

fn template_name(kind: DocumentKind) -> String {
    format!("{}.typ", kind.slug())
}

fn file_id(name: &str) -> FileId {
    let path = VirtualPath::new(format!("/{name}")).unwrap_or_else(|_| {
        VirtualPath::new("/invalid-name.typ").expect("a plain name is a virtual path")
    });
    RootedPath::new(VirtualRoot::Project, path).intern()
}

/// Typst's errors as lines: the file, the line and the message.
fn describe(world: &DocumentWorld<'_>, diagnostics: &[SourceDiagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|diagnostic| {
            let place = diagnostic.span.id().and_then(|id| {
                let source = world.source(id).ok()?;
                let range = typst::WorldExt::range(world, diagnostic.span)?;
                let line = source.lines().byte_to_line(range.start)? + 1;
                let file = id.get().vpath().get_without_slash().to_owned();
                Some(format!("{file}:{line}: "))
            });
            format!("{}{}", place.unwrap_or_default(), diagnostic.message)
        })
        .collect()
}

/// What one render sees: the templates, and the files made for it.
struct DocumentWorld<'a> {
    inner: &'a Inner,
    main: FileId,
    files: BTreeMap<String, Bytes>,
}

impl World for DocumentWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.inner.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.inner.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        let name = id.get().vpath().get_without_slash();
        self.inner
            .sources
            .get(name)
            .cloned()
            .ok_or_else(|| FileError::NotFound(name.into()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let name = id.get().vpath().get_without_slash();
        if let Some(bytes) = self.files.get(name) {
            return Ok(bytes.clone());
        }
        self.inner
            .sources
            .get(name)
            .map(|source| Bytes::from_string(source.text().to_owned()))
            .ok_or_else(|| FileError::NotFound(name.into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.inner.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // A document states its own day (`issued_on`); a template that asks the clock
        // would print something the record does not sign.
        None
    }
}
