//! A service's application form: typed fields and the documents to upload.
//!
//! A field's kind is what the desk validates the answer with (a national ID is checked
//! with its check digit, a bill ID with its own), so it is a closed set rather than free
//! text. A select field carries its options in the same table as its other keys, which
//! keeps the file flat; `RawField` reads that shape and [`FormField`] is the typed one.

use serde::{Deserialize, Serialize};

use crate::text::Text;

/// The form an applicant fills in. Both lists are required in the file, even empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub fields: Vec<FormField>,
    pub documents: Vec<RequiredDocument>,
}

/// One field of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawField", into = "RawField")]
pub struct FormField {
    /// The key the answer is stored under: snake_case, unique within the form.
    pub name: String,
    pub kind: FieldKind,
    pub label: Text,
    pub required: bool,
}

/// What a field holds, and so how the desk checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Number,
    NationalId,
    LegalId,
    PostalCode,
    Mobile,
    Date,
    RenewalCode,
    BillId,
    PaymentId,
    District,
    Select { options: Vec<SelectOption> },
    AreaM2,
}

impl FieldKind {
    pub fn slug(&self) -> &'static str {
        self.to_slug().slug()
    }

    fn to_slug(&self) -> KindSlug {
        match self {
            FieldKind::Text => KindSlug::Text,
            FieldKind::Number => KindSlug::Number,
            FieldKind::NationalId => KindSlug::NationalId,
            FieldKind::LegalId => KindSlug::LegalId,
            FieldKind::PostalCode => KindSlug::PostalCode,
            FieldKind::Mobile => KindSlug::Mobile,
            FieldKind::Date => KindSlug::Date,
            FieldKind::RenewalCode => KindSlug::RenewalCode,
            FieldKind::BillId => KindSlug::BillId,
            FieldKind::PaymentId => KindSlug::PaymentId,
            FieldKind::District => KindSlug::District,
            FieldKind::Select { .. } => KindSlug::Select,
            FieldKind::AreaM2 => KindSlug::AreaM2,
        }
    }
}

/// One choice of a select field: the stored value and its labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectOption {
    pub value: String,
    pub fa: String,
    pub en: String,
}

impl SelectOption {
    /// What the option reads, in both languages.
    pub fn label(&self) -> Text<&str> {
        Text::new(&self.fa, &self.en)
    }
}

/// A document the applicant uploads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "DocumentInFile", into = "DocumentInFile")]
pub struct RequiredDocument {
    /// snake_case, unique within the form.
    pub id: String,
    pub title: Text,
    pub required: bool,
    /// The file formats accepted; at least one.
    pub formats: Vec<DocumentFormat>,
}

/// A required document as a catalog file writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentInFile {
    id: String,
    title_fa: String,
    title_en: String,
    required: bool,
    formats: Vec<DocumentFormat>,
}

impl From<DocumentInFile> for RequiredDocument {
    fn from(file: DocumentInFile) -> RequiredDocument {
        RequiredDocument {
            id: file.id,
            title: Text::new(file.title_fa, file.title_en),
            required: file.required,
            formats: file.formats,
        }
    }
}

impl From<RequiredDocument> for DocumentInFile {
    fn from(document: RequiredDocument) -> DocumentInFile {
        DocumentInFile {
            id: document.id,
            title_fa: document.title.fa,
            title_en: document.title.en,
            required: document.required,
            formats: document.formats,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentFormat {
    Pdf,
    Jpeg,
    Png,
}

impl DocumentFormat {
    pub fn slug(self) -> &'static str {
        match self {
            DocumentFormat::Pdf => "pdf",
            DocumentFormat::Jpeg => "jpeg",
            DocumentFormat::Png => "png",
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            DocumentFormat::Pdf => "application/pdf",
            DocumentFormat::Jpeg => "image/jpeg",
            DocumentFormat::Png => "image/png",
        }
    }
}

/// A field as the file writes it: `kind` is a word, and `options` sits beside it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    name: String,
    kind: KindSlug,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    options: Option<Vec<SelectOption>>,
    label_fa: String,
    label_en: String,
    required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindSlug {
    Text,
    Number,
    NationalId,
    LegalId,
    PostalCode,
    Mobile,
    Date,
    RenewalCode,
    BillId,
    PaymentId,
    District,
    Select,
    #[serde(rename = "area_m2")]
    AreaM2,
}

impl KindSlug {
    fn slug(self) -> &'static str {
        match self {
            KindSlug::Text => "text",
            KindSlug::Number => "number",
            KindSlug::NationalId => "national_id",
            KindSlug::LegalId => "legal_id",
            KindSlug::PostalCode => "postal_code",
            KindSlug::Mobile => "mobile",
            KindSlug::Date => "date",
            KindSlug::RenewalCode => "renewal_code",
            KindSlug::BillId => "bill_id",
            KindSlug::PaymentId => "payment_id",
            KindSlug::District => "district",
            KindSlug::Select => "select",
            KindSlug::AreaM2 => "area_m2",
        }
    }
}

impl TryFrom<RawField> for FormField {
    type Error = String;

    fn try_from(raw: RawField) -> Result<Self, String> {
        let kind = match (raw.kind, raw.options) {
            (KindSlug::Select, Some(options)) => FieldKind::Select { options },
            (KindSlug::Select, None) => {
                return Err(format!(
                    "form field `{}` is a select and needs `options`",
                    raw.name
                ));
            }
            (other, Some(_)) => {
                return Err(format!(
                    "form field `{}` has `options`, which only a select field takes (kind is `{}`)",
                    raw.name,
                    other.slug()
                ));
            }
            (KindSlug::Text, None) => FieldKind::Text,
            (KindSlug::Number, None) => FieldKind::Number,
            (KindSlug::NationalId, None) => FieldKind::NationalId,
            (KindSlug::LegalId, None) => FieldKind::LegalId,
            (KindSlug::PostalCode, None) => FieldKind::PostalCode,
            (KindSlug::Mobile, None) => FieldKind::Mobile,
            (KindSlug::Date, None) => FieldKind::Date,
            (KindSlug::RenewalCode, None) => FieldKind::RenewalCode,
            (KindSlug::BillId, None) => FieldKind::BillId,
            (KindSlug::PaymentId, None) => FieldKind::PaymentId,
            (KindSlug::District, None) => FieldKind::District,
            (KindSlug::AreaM2, None) => FieldKind::AreaM2,
        };
        Ok(FormField {
            name: raw.name,
            kind,
            label: Text::new(raw.label_fa, raw.label_en),
            required: raw.required,
        })
    }
}

impl From<FormField> for RawField {
    fn from(field: FormField) -> RawField {
        let kind = field.kind.to_slug();
        let options = match field.kind {
            FieldKind::Select { options } => Some(options),
            _ => None,
        };
        RawField {
            name: field.name,
            kind,
            options,
            label_fa: field.label.fa,
            label_en: field.label.en,
            required: field.required,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(toml_text: &str) -> Result<FormField, toml::de::Error> {
        toml::from_str(toml_text)
    }

    #[test]
    fn a_select_field_takes_its_options_beside_its_kind() {
        let parsed = field(
            r#"
            name = "usage"
            kind = "select"
            options = [{ value = "residential", fa = "مسکونی", en = "Residential" }]
            label_fa = "کاربری"
            label_en = "Land use"
            required = true
            "#,
        )
        .expect("a select with options parses");
        let FieldKind::Select { options } = &parsed.kind else {
            panic!("expected a select, got {:?}", parsed.kind);
        };
        assert_eq!(options.len(), 1);
        assert_eq!(parsed.kind.slug(), "select");
    }

    #[test]
    fn options_on_a_field_that_is_not_a_select_are_refused() {
        let error = field(
            r#"
            name = "area"
            kind = "area_m2"
            options = []
            label_fa = "مساحت"
            label_en = "Area"
            required = true
            "#,
        )
        .expect_err("options on an area field are refused");
        assert!(error.message().contains("only a select"), "{error}");
    }

    #[test]
    fn every_kind_slug_reads_back_as_itself() {
        for slug in [
            "text",
            "number",
            "national_id",
            "legal_id",
            "postal_code",
            "mobile",
            "date",
            "renewal_code",
            "bill_id",
            "payment_id",
            "district",
            "area_m2",
        ] {
            let text = format!(
                "name = \"f\"\nkind = \"{slug}\"\nlabel_fa = \"ف\"\nlabel_en = \"F\"\nrequired = false"
            );
            let parsed = field(&text).expect("every kind parses");
            assert_eq!(parsed.kind.slug(), slug);
        }
    }
}
