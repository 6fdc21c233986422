//! What an issued document states, as it is signed: its kind, serial, what it is about,
//! the facts it states, the day it was issued and how long it holds, and the key that
//! signs it. The signed bytes are this record's JSON with its fields in a fixed order and
//! its facts sorted by name ([`IssuedRecord::canonical_bytes`]), so that any reader that
//! rebuilds the record gets the same bytes. No owner's name or national ID is a fact.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DocumentKind, KeyId, Serial};
use crate::calendar::JalaliDate;

/// What a document is about: a property (by district and renewal code) or a case (by its
/// tracking code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "snake_case")]
pub enum Subject {
    Property { district: u16, renewal_code: String },
    Case { tracking_code: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuedRecord {
    /// The record's format, 1.
    pub v: u8,
    pub kind: DocumentKind,
    pub serial: String,
    pub subject: Subject,
    pub facts: BTreeMap<String, String>,
    /// Jalali, `1405-09-13`.
    pub issued_on: String,
    /// Jalali; none for a document that does not lapse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// The office key that signs it.
    pub key: String,
}

/// Why a record is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("a fact's name or value is empty or too long: {0}")]
    Fact(String),
    #[error("the validity ends before the issue day")]
    Validity,
    #[error("the record is not one this program writes: {0}")]
    Unreadable(String),
}

/// The longest fact name and value, and the most facts: a record fits a QR code.
const MAX_NAME: usize = 40;
const MAX_VALUE: usize = 200;
const MAX_FACTS: usize = 40;

impl IssuedRecord {
    /// A record of what a document states; facts are checked for size (a record must fit
    /// a QR code) and the validity must not end before the issue day.
    pub fn new(
        kind: DocumentKind,
        serial: &Serial,
        subject: Subject,
        facts: BTreeMap<String, String>,
        issued_on: JalaliDate,
        valid_until: Option<JalaliDate>,
        key: &KeyId,
    ) -> Result<IssuedRecord, RecordError> {
        if facts.len() > MAX_FACTS {
            return Err(RecordError::Fact(format!("{} facts", facts.len())));
        }
        for (name, value) in &facts {
            let bad_name = name.is_empty() || name.len() > MAX_NAME;
            if bad_name || value.trim().is_empty() || value.chars().count() > MAX_VALUE {
                return Err(RecordError::Fact(name.clone()));
            }
        }
        if valid_until.is_some_and(|until| until < issued_on) {
            return Err(RecordError::Validity);
        }
        Ok(IssuedRecord {
            v: 1,
            kind,
            serial: serial.as_str().to_owned(),
            subject,
            facts,
            issued_on: issued_on.iso_jalali(),
            valid_until: valid_until.map(|until| until.iso_jalali()),
            key: key.as_str().to_owned(),
        })
    }

    /// The bytes that are signed: the record's JSON, fields in their declared order and
    /// facts sorted by name, with no spaces.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a record of strings and maps serialises")
    }

    /// Reads a record from its canonical bytes, refusing any other form of the same
    /// record (so that what was checked is exactly what was signed).
    pub fn from_canonical(bytes: &[u8]) -> Result<IssuedRecord, RecordError> {
        let record: IssuedRecord =
            serde_json::from_slice(bytes).map_err(|e| RecordError::Unreadable(e.to_string()))?;
        if record.canonical_bytes() != bytes {
            return Err(RecordError::Unreadable("not in canonical form".into()));
        }
        Ok(record)
    }

    pub fn issued_on(&self) -> Option<JalaliDate> {
        JalaliDate::parse(&self.issued_on).ok()
    }

    pub fn valid_until(&self) -> Option<JalaliDate> {
        self.valid_until
            .as_deref()
            .and_then(|until| JalaliDate::parse(until).ok())
    }
}
