//! Checking an application's answers against its service's form: every required field
//! present, every answer valid for its kind (a national ID by its check digit, a date as
//! a Jalali date), nothing the form does not ask for. Answers come back normalised
//! (ASCII digits, trimmed), as they are stored.

use std::collections::BTreeMap;

use super::form::{FieldKind, Form};
use crate::billing::{Area, RenewalCode};
use crate::calendar::JalaliDate;
use crate::fa::normalize_digits;
use crate::ir::{BillId, LegalId, Mobile, NationalId, PaymentId, PostalCode};

/// The longest free-text answer taken.
pub const MAX_TEXT_CHARS: usize = 2000;

/// Why an answer was refused: the field, and a stable code the server translates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {code}")]
pub struct AnswerError {
    pub field: String,
    pub code: &'static str,
}

fn refuse(field: &str, code: &'static str) -> AnswerError {
    AnswerError {
        field: field.to_owned(),
        code,
    }
}

impl Form {
    /// The answers, checked and normalised; otherwise every problem found, answers the
    /// form does not ask for first, then the form's fields in order, so that a person
    /// correcting the form sees them all at once.
    pub fn check_answers(
        &self,
        answers: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, Vec<AnswerError>> {
        let mut problems: Vec<AnswerError> = answers
            .keys()
            .filter(|name| !self.fields.iter().any(|f| &f.name == *name))
            .map(|unknown| refuse(unknown, "field.unknown"))
            .collect();
        let mut checked = BTreeMap::new();
        for field in &self.fields {
            let answer = answers.get(&field.name).map(|a| a.trim()).unwrap_or("");
            if answer.is_empty() {
                if field.required {
                    problems.push(refuse(&field.name, "field.required"));
                }
                continue;
            }
            match check_answer(&field.kind, answer) {
                Ok(value) => {
                    checked.insert(field.name.clone(), value);
                }
                Err(code) => problems.push(refuse(&field.name, code)),
            }
        }
        if problems.is_empty() {
            Ok(checked)
        } else {
            Err(problems)
        }
    }
}

/// One answer checked for its kind and normalised as it is stored, or the code of what is
/// wrong with it.
pub fn check_answer(kind: &FieldKind, answer: &str) -> Result<String, &'static str> {
    let digits = normalize_digits(answer);
    let as_str = |s: &str| s.to_owned();
    match kind {
        FieldKind::Text => {
            if answer.chars().count() > MAX_TEXT_CHARS {
                Err("field.too_long")
            } else {
                Ok(answer.to_owned())
            }
        }
        FieldKind::Number => digits
            .parse::<u64>()
            .map(|n| n.to_string())
            .map_err(|_| "field.number"),
        FieldKind::NationalId => NationalId::parse(answer)
            .map(|id| as_str(id.as_str()))
            .map_err(|e| e.code()),
        FieldKind::LegalId => LegalId::parse(answer)
            .map(|id| as_str(id.as_str()))
            .map_err(|e| e.code()),
        FieldKind::PostalCode => PostalCode::parse(answer)
            .map(|code| code.to_string())
            .map_err(|e| e.code()),
        FieldKind::Mobile => Mobile::parse(answer)
            .map(|m| m.local())
            .map_err(|e| e.code()),
        FieldKind::Date => JalaliDate::parse(answer)
            .map(|d| d.iso_jalali())
            .map_err(|_| "field.date"),
        FieldKind::RenewalCode => RenewalCode::parse(answer)
            .map(|code| as_str(code.as_str()))
            .map_err(|e| e.code()),
        FieldKind::BillId => BillId::parse(answer)
            .map(|id| as_str(id.as_str()))
            .map_err(|e| e.code()),
        FieldKind::PaymentId => PaymentId::parse(answer)
            .map(|id| as_str(id.as_str()))
            .map_err(|e| e.code()),
        FieldKind::District => digits
            .parse::<u16>()
            .ok()
            .filter(|d| (1..=99).contains(d))
            .map(|d| d.to_string())
            .ok_or("district.invalid"),
        FieldKind::Select { options } => options
            .iter()
            .find(|option| option.value == answer)
            .map(|option| option.value.clone())
            .ok_or("field.option"),
        FieldKind::AreaM2 => Area::parse_m2(answer)
            .filter(|area| !area.is_zero())
            .map(|_| digits.clone())
            .ok_or("field.area"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn permit_form() -> Form {
        crate::catalog::built_in()
            .unwrap()
            .get("10010101018th01")
            .unwrap()
            .form
            .clone()
    }

    fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn full() -> BTreeMap<String, String> {
        let form = permit_form();
        let mut all = BTreeMap::new();
        for field in form.fields.iter().filter(|f| f.required) {
            let value = match &field.kind {
                FieldKind::NationalId => "0499370899".to_owned(),
                FieldKind::Mobile => "09120000001".to_owned(),
                FieldKind::RenewalCode => "01-101-12-0".to_owned(),
                FieldKind::District => "۱".to_owned(),
                FieldKind::PostalCode => "1619735744".to_owned(),
                FieldKind::AreaM2 => "180.5".to_owned(),
                FieldKind::Number => "۴".to_owned(),
                FieldKind::Date => "1405-03-01".to_owned(),
                FieldKind::Select { options } => options[0].value.clone(),
                _ => "متن".to_owned(),
            };
            all.insert(field.name.clone(), value);
        }
        all
    }

    #[test]
    fn a_complete_application_is_normalised() {
        let checked = permit_form().check_answers(&full()).unwrap();
        assert_eq!(checked["district"], "1");
        assert_eq!(checked["floors"], "4");
    }

    #[test]
    fn a_missing_required_field_is_named() {
        let mut partial = full();
        partial.remove("renewal_code");
        let errors = permit_form().check_answers(&partial).unwrap_err();
        assert_eq!(errors, vec![refuse("renewal_code", "field.required")]);
    }

    #[test]
    fn every_problem_is_reported_at_once_in_the_forms_order() {
        let mut bad = full();
        bad.remove("renewal_code");
        bad.insert("applicant_national_id".into(), "1234567890".into());
        bad.extend(answers(&[("favourite_colour", "blue")]));
        let errors = permit_form().check_answers(&bad).unwrap_err();
        let named: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            named,
            vec![
                ("favourite_colour", "field.unknown"),
                ("applicant_national_id", "national_id.invalid"),
                ("renewal_code", "field.required"),
            ]
        );
    }

    #[test]
    fn a_bad_answer_is_refused_by_its_kind() {
        let mut bad = full();
        bad.insert("applicant_national_id".into(), "1234567890".into());
        let errors = permit_form().check_answers(&bad).unwrap_err();
        assert_eq!(
            errors,
            vec![refuse("applicant_national_id", "national_id.invalid")]
        );
    }

    #[test]
    fn a_field_the_form_does_not_ask_for_is_refused() {
        let mut extra = full();
        extra.extend(answers(&[("favourite_colour", "blue")]));
        let errors = permit_form().check_answers(&extra).unwrap_err();
        assert_eq!(errors, vec![refuse("favourite_colour", "field.unknown")]);
    }
}
