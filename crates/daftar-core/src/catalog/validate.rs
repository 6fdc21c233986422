//! The rules one catalog file must follow beyond its shape: values in range, names
//! well formed and unique, and a card that does not contradict itself. The checks that
//! need every file (identifiers unique, sub-services known) are in `load`.
//!
//! Every rule reports and moves on, so a file with three mistakes gets three errors.

use std::collections::HashSet;

use super::error::{CatalogError, ErrorKind};
use super::form::{FieldKind, Form, SelectOption};
use super::service::{AverageTime, Fee, Service, Text, UserGuide};
use super::values::{Access, ElectronicStatus};

/// The longest identifier accepted; the register's are 15 characters.
const MAX_IDENTIFIER_LEN: usize = 32;

/// Checks one parsed service and adds what is wrong to `errors`.
pub(super) fn check_service(file: &str, service: &Service, errors: &mut Vec<CatalogError>) {
    let mut check = Checker { file, errors };
    check.identifier(&service.identifier);
    check.text("title", &service.title);
    check.text("description", &service.description);
    check.text("rules", &service.rules);
    check.text("complaint_channel", &service.complaint_channel);
    for (i, input) in service.required_inputs.iter().enumerate() {
        check.text(&format!("required_inputs[{i}]"), input);
    }
    check.audience(service);
    check.amounts(service);
    check.consistency(service);
    check.user_guide(&service.user_guide);
    check.phone(&service.phone);
    check.path("request_address", &service.request_address);
    check.path("result_address", &service.result_address);
    check.not_blank("sla.fa", &service.sla.fa);
    if let Some(en) = &service.sla.en {
        check.not_blank("sla.en", en);
    }
    check.sub_services(service);
    if let Some(workflow) = &service.workflow {
        check.snake_case("workflow", workflow);
    }
    check.form(&service.form);
}

/// Whether `s` is a snake_case name: a lowercase ASCII letter, then lowercase letters,
/// digits and underscores. Names of fields, documents and workflows end up in URLs,
/// database keys and template names, so they keep to this.
pub(super) fn is_snake_case(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

struct Checker<'a> {
    file: &'a str,
    errors: &'a mut Vec<CatalogError>,
}

impl Checker<'_> {
    fn report(&mut self, field: &str, kind: ErrorKind, message: impl Into<String>) {
        self.errors
            .push(CatalogError::at_field(self.file, field, kind, message));
    }

    fn invalid(&mut self, field: &str, message: impl Into<String>) {
        self.report(field, ErrorKind::Invalid, message);
    }

    fn not_blank(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.invalid(field, "must not be empty");
        }
    }

    fn text(&mut self, field: &str, text: &Text) {
        self.not_blank(&format!("{field}.fa"), &text.fa);
        self.not_blank(&format!("{field}.en"), &text.en);
    }

    fn snake_case(&mut self, field: &str, value: &str) {
        if !is_snake_case(value) {
            self.invalid(
                field,
                format!(
                    "`{value}` is not a snake_case name (a-z, 0-9 and _, starting with a letter)"
                ),
            );
        }
    }

    fn identifier(&mut self, identifier: &str) {
        let well_formed = !identifier.is_empty()
            && identifier.len() <= MAX_IDENTIFIER_LEN
            && identifier
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !well_formed {
            self.invalid(
                "identifier",
                format!(
                    "`{identifier}` must be 1 to {MAX_IDENTIFIER_LEN} lowercase ASCII letters and digits"
                ),
            );
        }
    }

    fn audience(&mut self, service: &Service) {
        if service.audience.is_empty() {
            self.invalid("audience", "must list g2c, g2b or both");
        }
        let distinct: HashSet<_> = service.audience.iter().collect();
        if distinct.len() != service.audience.len() {
            self.invalid("audience", "lists the same audience twice");
        }
    }

    fn amounts(&mut self, service: &Service) {
        if service.average_time == AverageTime::WorkingDays(0) {
            self.invalid(
                "average_time",
                "0 working days: write \"instant\" for a service answered on the spot",
            );
        }
        if service.fee == Fee::FixedRials(0) {
            self.invalid("fee", "0 rials: write \"free\" for a free service");
        }
    }

    /// A card is shown to the public, so it must not promise two things at once.
    fn consistency(&mut self, service: &Service) {
        let visits = service.in_person_visits;
        if service.electronic_status == ElectronicStatus::FullyElectronic && visits > 0 {
            self.invalid(
                "in_person_visits",
                format!("a fully electronic service needs no visit, but the card says {visits}"),
            );
        }
        if service.access == Access::Internet && visits > 0 {
            self.invalid(
                "in_person_visits",
                format!(
                    "a service reached only by internet needs no visit, but the card says {visits}"
                ),
            );
        }
        if service.electronic_status == ElectronicStatus::NotElectronic
            && service.access != Access::InPerson
        {
            self.invalid(
                "access",
                "a service that is not electronic can only be reached in person",
            );
        }
    }

    fn user_guide(&mut self, guide: &UserGuide) {
        match guide {
            UserGuide::Text(text) => self.text("user_guide.text", text),
            UserGuide::Path(path) => self.path("user_guide.path", path),
        }
    }

    fn phone(&mut self, phone: &str) {
        // From a three-digit city line (137) to a landline with its area code.
        let well_formed =
            (3..=11).contains(&phone.len()) && phone.chars().all(|c| c.is_ascii_digit());
        if !well_formed {
            self.invalid("phone", format!("`{phone}` must be 3 to 11 ASCII digits"));
        }
    }

    /// Addresses are pages of our own desk, never another site, so that a card cannot
    /// send applicants to a look-alike domain.
    fn path(&mut self, field: &str, path: &str) {
        let well_formed = path.starts_with('/')
            && !path.starts_with("//")
            && !path.chars().any(|c| c.is_whitespace() || c.is_control());
        if !well_formed {
            self.invalid(
                field,
                format!("`{path}` must be a path on our desk, starting with a single /"),
            );
        }
    }

    fn sub_services(&mut self, service: &Service) {
        let mut seen = HashSet::new();
        for (i, sub) in service.sub_services.iter().enumerate() {
            let field = format!("sub_services[{i}]");
            if sub == &service.identifier {
                self.report(
                    &field,
                    ErrorKind::UnknownSubService,
                    "a service cannot be its own sub-service",
                );
            }
            if !seen.insert(sub) {
                self.report(
                    &field,
                    ErrorKind::DuplicateName,
                    format!("`{sub}` is listed twice"),
                );
            }
        }
    }

    fn form(&mut self, form: &Form) {
        let mut names = HashSet::new();
        for (i, field) in form.fields.iter().enumerate() {
            let at = format!("form.fields[{i}]");
            self.snake_case(&format!("{at}.name"), &field.name);
            if !names.insert(field.name.as_str()) {
                self.report(
                    &format!("{at}.name"),
                    ErrorKind::DuplicateName,
                    format!("another form field is already named `{}`", field.name),
                );
            }
            self.not_blank(&format!("{at}.label_fa"), &field.label.fa);
            self.not_blank(&format!("{at}.label_en"), &field.label.en);
            if let FieldKind::Select { options } = &field.kind {
                self.options(&at, options);
            }
        }
        let mut ids = HashSet::new();
        for (i, document) in form.documents.iter().enumerate() {
            let at = format!("form.documents[{i}]");
            self.snake_case(&format!("{at}.id"), &document.id);
            if !ids.insert(document.id.as_str()) {
                self.report(
                    &format!("{at}.id"),
                    ErrorKind::DuplicateName,
                    format!("another document already has the id `{}`", document.id),
                );
            }
            self.not_blank(&format!("{at}.title_fa"), &document.title.fa);
            self.not_blank(&format!("{at}.title_en"), &document.title.en);
            let formats: HashSet<_> = document.formats.iter().collect();
            if document.formats.is_empty() {
                self.invalid(&format!("{at}.formats"), "must list pdf, jpeg or png");
            } else if formats.len() != document.formats.len() {
                self.invalid(&format!("{at}.formats"), "lists the same format twice");
            }
        }
    }

    fn options(&mut self, at: &str, options: &[SelectOption]) {
        if options.is_empty() {
            self.invalid(
                &format!("{at}.options"),
                "a select needs at least one option",
            );
        }
        let mut values = HashSet::new();
        for (j, option) in options.iter().enumerate() {
            let field = format!("{at}.options[{j}]");
            self.snake_case(&format!("{field}.value"), &option.value);
            if !values.insert(option.value.as_str()) {
                self.report(
                    &format!("{field}.value"),
                    ErrorKind::DuplicateName,
                    format!("another option already has the value `{}`", option.value),
                );
            }
            self.not_blank(&format!("{field}.fa"), &option.fa);
            self.not_blank(&format!("{field}.en"), &option.en);
        }
    }
}
