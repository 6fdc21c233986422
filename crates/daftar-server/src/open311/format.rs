//! Open311's two formats: JSON and XML, chosen by the file's extension, and its errors
//! (`[{"code": 403, "description": "…"}]`, `<errors><error>…</error></errors>`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Json,
    Xml,
}

/// `services.json` → (`services`, JSON); none without a known extension.
pub(super) fn split(file: &str) -> Option<(&str, Format)> {
    let (name, extension) = file.rsplit_once('.')?;
    let format = match extension {
        "json" => Format::Json,
        "xml" => Format::Xml,
        _ => return None,
    };
    Some((name, format))
}

/// One value of a record: what JSON and XML both write.
pub(super) enum Value {
    Text(String),
    Number(f64),
    Int(i64),
    Bool(bool),
    Null,
    /// A list of records, under its element names (`values`/`value`, `attributes`/…).
    List(&'static str, Vec<Record>),
}

/// A record's fields in the standard's order.
pub(super) type Record = Vec<(&'static str, Value)>;

/// Writes a list of records: a JSON array, or `<outer><inner>…</inner></outer>`.
pub(super) fn list(
    format: Format,
    outer: &str,
    inner: &str,
    records: &[Record],
    status: u16,
) -> Response {
    let body = match format {
        Format::Json => json(&Records(records)),
        Format::Xml => {
            let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            xml_list(&mut xml, outer, inner, records);
            xml
        }
    };
    respond(format, status, body)
}

/// Writes one record as a JSON object or `<outer>…</outer>` (a service definition).
pub(super) fn one(format: Format, outer: &str, record: &Record) -> Response {
    let body = match format {
        Format::Json => json(&Fields(record)),
        Format::Xml => {
            let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            xml.push_str(&format!("<{outer}>"));
            xml_fields(&mut xml, record);
            xml.push_str(&format!("</{outer}>"));
            xml
        }
    };
    respond(format, 200, body)
}

/// An error in the standard's shape, with its status.
pub(super) fn error(format: Format, code: u16, description: &str) -> Response {
    let record: Record = vec![
        ("code", Value::Int(i64::from(code))),
        ("description", Value::Text(description.to_owned())),
    ];
    list(format, "errors", "error", &[record], code)
}

/// The standard's time: W3C, at Tehran's offset.
pub(super) fn datetime(at: Timestamp) -> String {
    let tehran = TimeZone::fixed(Offset::from_seconds(12_600).unwrap_or(Offset::UTC));
    at.to_zoned(tehran)
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn respond(format: Format, status: u16, body: String) -> Response {
    let content_type = match format {
        Format::Json => "application/json; charset=utf-8",
        Format::Xml => "text/xml; charset=utf-8",
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// JSON written straight from the records, in the standard's field order, with no tree
/// of values built first (the list is the hot path).
fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

struct Records<'a>(&'a [Record]);

impl serde::Serialize for Records<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for record in self.0 {
            seq.serialize_element(&Fields(record))?;
        }
        seq.end()
    }
}

struct Fields<'a>(&'a Record);

impl serde::Serialize for Fields<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Text(text) => serializer.serialize_str(text),
            Value::Number(n) => serializer.serialize_f64(*n),
            Value::Int(n) => serializer.serialize_i64(*n),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Null => serializer.serialize_unit(),
            Value::List(_, records) => Records(records).serialize(serializer),
        }
    }
}

fn xml_list(xml: &mut String, outer: &str, inner: &str, records: &[Record]) {
    xml.push_str(&format!("<{outer}>"));
    for record in records {
        xml.push_str(&format!("<{inner}>"));
        xml_fields(xml, record);
        xml.push_str(&format!("</{inner}>"));
    }
    xml.push_str(&format!("</{outer}>"));
}

fn xml_fields(xml: &mut String, record: &Record) {
    for (name, value) in record {
        match value {
            Value::List(inner, records) => xml_list(xml, name, inner, records),
            Value::Null => xml.push_str(&format!("<{name}/>")),
            Value::Text(text) => {
                xml.push_str(&format!("<{name}>{}</{name}>", escape(text)));
            }
            Value::Number(n) => xml.push_str(&format!("<{name}>{n}</{name}>")),
            Value::Int(n) => xml.push_str(&format!("<{name}>{n}</{name}>")),
            Value::Bool(b) => xml.push_str(&format!("<{name}>{b}</{name}>")),
        }
    }
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all are left out.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_the_standards_field_order_and_nests_lists() {
        let record: Record = vec![
            ("service_code", Value::Text("suggestion".into())),
            ("lat", Value::Number(32.5)),
            ("metadata", Value::Bool(false)),
            ("address", Value::Null),
            (
                "values",
                Value::List("value", vec![vec![("key", Value::Int(1))]]),
            ),
        ];
        assert_eq!(
            json(&Records(&[record])),
            r#"[{"service_code":"suggestion","lat":32.5,"metadata":false,"address":null,"values":[{"key":1}]}]"#
        );
    }

    #[test]
    fn text_is_escaped_for_xml_and_control_characters_left_out() {
        assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn a_file_names_its_format_by_extension() {
        assert_eq!(split("services.json"), Some(("services", Format::Json)));
        assert_eq!(split("requests.xml"), Some(("requests", Format::Xml)));
        assert_eq!(split("requests.csv"), None);
        assert_eq!(split("requests"), None);
    }

    #[test]
    fn times_are_written_at_tehrans_offset() {
        let at: Timestamp = "2026-12-04T08:00:00Z".parse().unwrap();
        assert_eq!(datetime(at), "2026-12-04T11:30:00+03:30");
    }
}
