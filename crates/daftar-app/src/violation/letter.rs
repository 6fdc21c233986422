//! Registry letters (نامه اداره ثبت): the registry writes when a completion certificate
//! differs from the engineering-council drawings. The violation-review unit opens a
//! violation case on the property for the owner the register names, with the scanned
//! letter as its first document; the case then runs as any violation case does.

use std::collections::BTreeMap;

use daftar_core::calendar::JalaliDate;
use daftar_core::ir::NationalId;
use daftar_core::property::RenewalCode;
use daftar_core::roles::Role;
use daftar_store::CaseRecord;
use jiff::Timestamp;

use super::{VIOLATION_WORKFLOW, Violations};
use crate::accounts::Principal;
use crate::cases::{CaseError, OwnerOpening, Upload};

/// The document kind the scanned letter is kept as (in the violation service's form).
pub const LETTER_DOCUMENT: &str = "registry_letter";

/// Who types registry letters in: violation review, or formation, which receives the
/// office's mail (in the office the property's district goes to).
const LETTER_ROLES: [Role; 2] = [Role::ViolationReview, Role::Formation];

/// Whether a staff member holds a role that records registry letters in some office: what
/// a page or a call asks before it reads a letter's scan.
pub fn may_record_letters(account: &daftar_store::StaffAccount) -> bool {
    LETTER_ROLES.iter().any(|role| account.has_role(*role))
}

/// The longest letter number and summary kept.
const MAX_NUMBER_CHARS: usize = 40;
const MAX_SUMMARY_CHARS: usize = 2000;

/// A registry letter as the unit types it in, with its scan.
#[derive(Debug)]
pub struct RegistryLetter {
    /// The registry's number for the letter, as written on it.
    pub number: String,
    /// Its Jalali date, `1405-09-12` (Persian digits accepted).
    pub date: String,
    /// What the letter says differs.
    pub summary: String,
    pub scan: Upload,
}

impl Violations {
    /// Opens a violation case from a registry letter about the property: the
    /// violation-review unit (or formation, which receives the office's mail). Refused
    /// when the property is not in the register, or has a violation case open already
    /// (the letter is then added to that case).
    pub async fn open_from_registry_letter(
        &self,
        who: &Principal,
        district: u16,
        code: &RenewalCode,
        letter: RegistryLetter,
    ) -> Result<CaseRecord, CaseError> {
        let Principal::Staff(account) = who else {
            return Err(CaseError::NotAllowed("auth.forbidden"));
        };
        if !may_record_letters(account) {
            return Err(CaseError::NotAllowed("letter.not_allowed"));
        }
        let invalid = |code: &'static str, field: &str| CaseError::InvalidField {
            code,
            field: field.into(),
        };
        let number = daftar_core::fa::normalize_digits(letter.number.trim());
        if number.is_empty() || number.chars().count() > MAX_NUMBER_CHARS {
            return Err(invalid("letter.number", "number"));
        }
        let date = JalaliDate::parse(&daftar_core::fa::normalize_digits(letter.date.trim()))
            .map_err(|_| invalid("letter.date", "date"))?;
        if date > JalaliDate::from_timestamp(Timestamp::now()) {
            return Err(invalid("letter.date", "date"));
        }
        let summary = letter.summary.trim();
        if summary.is_empty() || summary.chars().count() > MAX_SUMMARY_CHARS {
            return Err(invalid("letter.summary", "summary"));
        }
        let owner = self
            .store
            .register_owner(district, code.as_str())
            .await?
            .and_then(|id| NationalId::parse(&id).ok())
            .ok_or(invalid("letter.property_not_registered", "renewal_code"))?;
        if !self
            .store
            .open_cases_on(VIOLATION_WORKFLOW, district, code.as_str())
            .await?
            .is_empty()
        {
            return Err(invalid("letter.case_open", "renewal_code"));
        }
        let service_id = self
            .cases
            .catalog()
            .services()
            .iter()
            .find(|s| s.workflow.as_deref() == Some(VIOLATION_WORKFLOW))
            .map(|s| s.identifier.clone())
            .ok_or_else(|| anyhow::anyhow!("no service runs the {VIOLATION_WORKFLOW} workflow"))?;
        let scan = Upload {
            kind: LETTER_DOCUMENT.into(),
            ..letter.scan
        };
        let answers = BTreeMap::from([
            ("registry_letter_number".to_owned(), number.clone()),
            ("registry_letter_date".to_owned(), date.iso_jalali()),
        ]);
        self.cases
            .open_for_owner(
                account,
                OwnerOpening {
                    service_id: &service_id,
                    district,
                    renewal_code: code,
                    owner,
                    answers,
                    uploads: std::slice::from_ref(&scan),
                    action: "open_from_registry_letter",
                    roles: &LETTER_ROLES,
                    refusal: "letter.not_allowed",
                    comment: summary.to_owned(),
                },
            )
            .await
    }
}
