//! The catalog as CSV (RFC 4180): one row per service with the main card fields, for
//! the office's reports and for sending the list to the national register.
//!
//! Closed-set values are written as their slugs and numbers as plain ASCII digits, so a
//! spreadsheet can filter and sum them; Persian titles and descriptions are written as
//! they are. Rows end with CRLF as the RFC asks. No byte-order mark is written: a
//! handler serving the file to Excel may prepend U+FEFF so that Excel reads it as UTF-8.

use std::borrow::Cow;

use super::service::{AverageTime, Fee, Service};

const HEADER: [&str; 24] = [
    "identifier",
    "title_fa",
    "title_en",
    "group",
    "group_fa",
    "owner_unit",
    "audience",
    "nature",
    "level",
    "start",
    "average_time",
    "working_days",
    "hours",
    "in_person_visits",
    "fee",
    "fee_rials",
    "access",
    "electronic_status",
    "phone",
    "request_address",
    "result_address",
    "sub_services",
    "workflow",
    "description_fa",
];

/// Writes the header and one row per service, in the order given.
pub(super) fn write(services: &[Service]) -> String {
    let mut out = String::new();
    push_row(&mut out, HEADER.iter().map(|h| (*h).to_owned()));
    for service in services {
        push_row(&mut out, row(service));
    }
    out
}

fn row(s: &Service) -> impl Iterator<Item = String> {
    let (time, days) = match s.average_time {
        AverageTime::Instant => ("instant", String::new()),
        AverageTime::WorkingDays(days) => ("working_days", days.to_string()),
    };
    let (fee, rials) = match s.fee {
        Fee::Free => ("free", String::new()),
        Fee::FixedRials(rials) => ("fixed", rials.to_string()),
        Fee::ByTariff => ("by_tariff", String::new()),
    };
    let audience: Vec<&str> = s.audience.iter().map(|a| a.slug()).collect();
    [
        s.identifier.clone(),
        s.title.fa.clone(),
        s.title.en.clone(),
        s.group.slug().to_owned(),
        s.group.name().fa.to_owned(),
        s.owner_unit.slug().to_owned(),
        audience.join(";"),
        s.nature.slug().to_owned(),
        s.level.slug().to_owned(),
        s.start.slug().to_owned(),
        time.to_owned(),
        days,
        s.hours.slug().to_owned(),
        s.in_person_visits.to_string(),
        fee.to_owned(),
        rials,
        s.access.slug().to_owned(),
        s.electronic_status.slug().to_owned(),
        s.phone.clone(),
        s.request_address.clone(),
        s.result_address.clone(),
        s.sub_services.join(";"),
        s.workflow.clone().unwrap_or_default(),
        s.description.fa.clone(),
    ]
    .into_iter()
}

fn push_row(out: &mut String, fields: impl Iterator<Item = String>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&quote(&field));
    }
    out.push_str("\r\n");
}

/// One field as RFC 4180 writes it: as is, unless it holds a comma, a double quote, a
/// CR or an LF, in which case it is wrapped in double quotes and its own double quotes
/// are doubled.
pub(super) fn quote(field: &str) -> Cow<'_, str> {
    if field.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_fields_are_written_as_they_are() {
        assert_eq!(quote("پیگیری قبوض نوسازی"), "پیگیری قبوض نوسازی");
        assert_eq!(quote(""), "");
    }

    #[test]
    fn a_field_with_a_comma_is_quoted() {
        assert_eq!(quote("fee, by tariff"), "\"fee, by tariff\"");
    }

    #[test]
    fn a_double_quote_is_doubled_inside_a_quoted_field() {
        assert_eq!(quote(r#"the "map order""#), r#""the ""map order""""#);
    }

    #[test]
    fn a_field_with_a_newline_or_carriage_return_is_quoted() {
        assert_eq!(quote("line one\nline two"), "\"line one\nline two\"");
        assert_eq!(quote("a\r\nb"), "\"a\r\nb\"");
    }

    #[test]
    fn the_header_names_as_many_columns_as_each_row_has() {
        let catalog = crate::catalog::built_in().expect("the built-in catalog loads");
        for service in catalog.services() {
            assert_eq!(row(service).count(), HEADER.len());
        }
    }
}
