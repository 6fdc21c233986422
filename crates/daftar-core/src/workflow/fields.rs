//! What an action writes into a case's answers. An action sets only the fields its
//! definition names, each checked by its kind; the applicant changes the application's
//! own answers only by resubmitting in a state that allows editing. Each value changed is
//! listed with its old and new value, for the history.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Action, ActionKind, State};
use crate::catalog::{AnswerError, FieldKind, Form, check_answer};

/// One answer an action changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: String,
}

/// The kind of a field an action names, read from its name, as docs/WORKFLOWS.md says:
/// `…_date` is a Jalali date, `…_m2` an area in square metres, `…_national_id` a national
/// ID, anything else a text (unless the service's form lists it as a choice).
pub fn action_field_kind(name: &str) -> FieldKind {
    if name.ends_with("_date") {
        FieldKind::Date
    } else if name.ends_with("_national_id") {
        FieldKind::NationalId
    } else if name.ends_with("_m2") {
        FieldKind::AreaM2
    } else {
        FieldKind::Text
    }
}

/// Who is acting, for what they may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Editor {
    Applicant,
    Staff,
}

/// The case's answers after `action` with `submitted` values (blank ones are left out),
/// and what changed; a field the action may not set, or a value wrong for its kind, is
/// refused by name and changes nothing.
pub fn apply_fields(
    action: &Action,
    state: &State,
    form: &Form,
    editor: Editor,
    current: &BTreeMap<String, String>,
    submitted: &BTreeMap<String, String>,
) -> Result<(BTreeMap<String, String>, Vec<FieldChange>), AnswerError> {
    let edits_application = editor == Editor::Applicant
        && state.applicant_may_edit
        && action.kind == ActionKind::Resubmit;
    let mut answers = current.clone();
    let mut changes = Vec::new();
    for (name, value) in submitted {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let kind = if action.fields.iter().any(|field| field == name) {
            // A choice the service's form lists (a finding, a rating) is one of its options;
            // anything else is known by its name.
            match form.fields.iter().find(|field| field.name == *name) {
                Some(field) if matches!(field.kind, FieldKind::Select { .. }) => field.kind.clone(),
                _ => action_field_kind(name),
            }
        } else if let Some(field) = form
            .fields
            .iter()
            .find(|field| edits_application && field.name == *name)
        {
            field.kind.clone()
        } else {
            return Err(AnswerError {
                field: name.clone(),
                code: "field.not_for_action",
            });
        };
        let value = check_answer(&kind, value).map_err(|code| AnswerError {
            field: name.clone(),
            code,
        })?;
        let old = answers.insert(name.clone(), value.clone());
        if old.as_ref() != Some(&value) {
            changes.push(FieldChange {
                field: name.clone(),
                old,
                new: value,
            });
        }
    }
    Ok((answers, changes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Text;
    use crate::workflow::Owner;

    fn action(kind: ActionKind, fields: &[&str]) -> Action {
        Action {
            id: "act".into(),
            name: Text::new("کار".into(), "act".into()),
            kind,
            from: vec![],
            by: vec![],
            to: None,
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            documents: vec![],
            needs: vec![],
            effects: vec![],
            comment_required: false,
            takes_uploads: false,
            times: None,
            within_days: None,
        }
    }

    fn state(applicant_may_edit: bool) -> State {
        State {
            id: "s".into(),
            name: Text::new("حالت".into(), "state".into()),
            owner: Owner::Applicant,
            sla_days: Some(3),
            applicant_may_edit,
            documents: vec![],
        }
    }

    fn form() -> Form {
        Form {
            fields: vec![crate::catalog::FormField {
                name: "mobile".into(),
                label: Text::new("همراه".into(), "Mobile".into()),
                kind: FieldKind::Mobile,
                required: true,
            }],
            documents: vec![],
        }
    }

    fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn an_action_sets_only_the_fields_it_names_checked_by_kind() {
        let inspect = action(ActionKind::Move, &["inspection_date", "built_area_m2"]);
        let current = answers(&[("mobile", "09120000001")]);
        let (after, changes) = apply_fields(
            &inspect,
            &state(false),
            &form(),
            Editor::Staff,
            &current,
            &answers(&[
                ("inspection_date", "۱۴۰۵/۰۳/۰۱"),
                ("built_area_m2", "120.5"),
            ]),
        )
        .unwrap();
        assert_eq!(after["inspection_date"], "1405-03-01");
        assert_eq!(after["mobile"], "09120000001");
        assert_eq!(changes.len(), 2);
        let refused = apply_fields(
            &inspect,
            &state(false),
            &form(),
            Editor::Staff,
            &current,
            &answers(&[("mobile", "not-a-mobile")]),
        )
        .unwrap_err();
        assert_eq!(refused.code, "field.not_for_action");
        let bad_date = apply_fields(
            &inspect,
            &state(false),
            &form(),
            Editor::Staff,
            &current,
            &answers(&[("inspection_date", "tomorrow")]),
        )
        .unwrap_err();
        assert_eq!(bad_date.code, "field.date");
    }

    #[test]
    fn the_applicant_edits_answers_only_by_resubmitting_where_editing_is_allowed() {
        let current = answers(&[("mobile", "09120000001")]);
        let new_mobile = answers(&[("mobile", "09120000002")]);
        let withdraw = action(ActionKind::Withdraw, &[]);
        let resubmit = action(ActionKind::Resubmit, &[]);
        for (action, state) in [(&withdraw, state(true)), (&resubmit, state(false))] {
            let refused = apply_fields(
                action,
                &state,
                &form(),
                Editor::Applicant,
                &current,
                &new_mobile,
            );
            assert!(refused.is_err(), "{:?}", action.kind);
        }
        let (after, changes) = apply_fields(
            &resubmit,
            &state(true),
            &form(),
            Editor::Applicant,
            &current,
            &new_mobile,
        )
        .unwrap();
        assert_eq!(after["mobile"], "09120000002");
        assert_eq!(
            changes,
            [FieldChange {
                field: "mobile".into(),
                old: Some("09120000001".into()),
                new: "09120000002".into(),
            }]
        );
        // A value wrong for its kind is refused there too.
        let refused = apply_fields(
            &resubmit,
            &state(true),
            &form(),
            Editor::Applicant,
            &current,
            &answers(&[("mobile", "not-a-mobile")]),
        );
        assert!(refused.is_err());
    }
}
