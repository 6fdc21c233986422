//! The loader's errors, one test per mistake an editor of the catalog can make. Each
//! test starts from a small valid file and breaks one thing.

use proptest::prelude::*;

use super::fixture::valid;
use super::{CatalogError, CatalogErrors, ErrorKind, load};

fn file(id: &str, text: String) -> (String, String) {
    (format!("{id}.toml"), text)
}

fn load_err(files: &[(String, String)]) -> CatalogErrors {
    match load(files) {
        Ok(catalog) => panic!("expected errors, loaded {} services", catalog.len()),
        Err(errors) => errors,
    }
}

/// The only error of `errors`, checked to name `file` and `field` in its line.
fn single<'a>(errors: &'a CatalogErrors, file: &str, field: &str) -> &'a CatalogError {
    assert_eq!(errors.len(), 1, "{errors}");
    let error = &errors.0[0];
    let line = error.to_string();
    assert!(line.starts_with(file), "{line}");
    assert!(line.contains(field), "{line}");
    error
}

#[test]
fn a_valid_file_loads() {
    let catalog = load(&[file("s1", valid("s1"))]).expect("the fixture is valid");
    assert_eq!(catalog.len(), 1);
    assert!(catalog.get("s1").is_some());
}

#[test]
fn an_unknown_field_is_an_error_naming_the_file_and_the_field() {
    let text = valid("s1").replace("phone = ", "colour = \"blue\"\nphone = ");
    let errors = load_err(&[file("s1", text)]);
    let error = single(&errors, "s1.toml", "colour");
    assert_eq!(error.kind, ErrorKind::Syntax);
    assert!(error.position.is_some(), "{error}");
}

#[test]
fn an_unknown_field_in_a_nested_table_is_an_error_too() {
    let text = valid("s1").replace("[sla]\n", "[sla]\nurl = \"x\"\n");
    let errors = load_err(&[file("s1", text)]);
    single(&errors, "s1.toml", "url");
}

#[test]
fn a_missing_field_is_an_error_naming_the_file_and_the_field() {
    let text = valid("s1").replace("fee = \"free\"\n", "");
    let errors = load_err(&[file("s1", text)]);
    let error = single(&errors, "s1.toml", "fee");
    assert_eq!(error.kind, ErrorKind::Syntax);
}

#[test]
fn an_empty_list_must_still_be_written() {
    let text = valid("s1").replace("required_inputs = []\n", "");
    let errors = load_err(&[file("s1", text)]);
    single(&errors, "s1.toml", "required_inputs");
}

#[test]
fn a_duplicate_identifier_is_an_error_naming_both_files_and_the_field() {
    let errors = load_err(&[
        ("north/s1.toml".to_owned(), valid("s1")),
        ("south/s1.toml".to_owned(), valid("s1")),
    ]);
    let error = single(&errors, "south/s1.toml", "identifier");
    assert_eq!(error.kind, ErrorKind::DuplicateIdentifier);
    assert_eq!(error.field.as_deref(), Some("identifier"));
    assert!(error.message.contains("north/s1.toml"), "{error}");
}

#[test]
fn a_file_not_named_after_its_identifier_is_an_error() {
    let errors = load_err(&[("other.toml".to_owned(), valid("s1"))]);
    let error = single(&errors, "other.toml", "identifier");
    assert_eq!(error.kind, ErrorKind::FileName);
    assert!(error.message.contains("s1.toml"), "{error}");
}

#[test]
fn an_unknown_owner_role_is_an_error_naming_the_file_and_the_field() {
    let text = valid("s1").replace(
        "owner_unit = \"renewal_clearance\"",
        "owner_unit = \"mayor\"",
    );
    let errors = load_err(&[file("s1", text)]);
    let error = single(&errors, "s1.toml", "owner_unit");
    assert_eq!(error.field.as_deref(), Some("owner_unit"));
    assert!(error.message.contains("`mayor`"), "{error}");
    assert_eq!(error.position, Some((3, 14)));
}

#[test]
fn an_unknown_value_of_a_closed_set_names_its_key() {
    let text = valid("s1").replace("nature = \"operational\"", "nature = \"national\"");
    let errors = load_err(&[file("s1", text)]);
    let error = single(&errors, "s1.toml", "nature");
    assert_eq!(error.field.as_deref(), Some("nature"));
}

#[test]
fn an_unknown_sub_service_is_an_error_naming_the_file_and_the_field() {
    let text = valid("s1").replace("sub_services = []", "sub_services = [\"s404\"]");
    let errors = load_err(&[file("s1", text)]);
    let error = single(&errors, "s1.toml", "sub_services[0]");
    assert_eq!(error.kind, ErrorKind::UnknownSubService);
    assert!(error.message.contains("s404"), "{error}");
}

#[test]
fn a_known_sub_service_is_accepted() {
    let text = valid("s1").replace("sub_services = []", "sub_services = [\"s2\"]");
    let catalog = load(&[file("s1", text), file("s2", valid("s2"))]).expect("valid");
    assert_eq!(catalog.get("s1").map(|s| s.sub_services.len()), Some(1));
}

#[test]
fn sub_services_that_lead_back_to_their_service_are_an_error() {
    let s1 = valid("s1").replace("sub_services = []", "sub_services = [\"s2\"]");
    let s2 = valid("s2").replace("sub_services = []", "sub_services = [\"s1\"]");
    let errors = load_err(&[file("s1", s1), file("s2", s2)]);
    assert_eq!(errors.len(), 2, "{errors}");
    assert!(
        errors
            .iter()
            .all(|e| e.field.as_deref() == Some("sub_services"))
    );
}

#[test]
fn a_file_that_fails_to_parse_does_not_also_break_references_to_it() {
    let s1 = valid("s1").replace("sub_services = []", "sub_services = [\"s2\"]");
    let s2 = valid("s2").replace("level = \"city\"\n", "");
    let errors = load_err(&[file("s1", s1), file("s2", s2)]);
    single(&errors, "s2.toml", "level");
}

#[test]
fn a_duplicate_form_field_name_is_an_error_naming_the_field() {
    let field = r#"{ name = "plate", kind = "text", label_fa = "پلاک", label_en = "Plate", required = true }"#;
    let text = valid("s1").replace("fields = []", &format!("fields = [{field}, {field}]"));
    let errors = load_err(&[file("s1", text)]);
    let error = single(&errors, "s1.toml", "form.fields[1].name");
    assert_eq!(error.kind, ErrorKind::DuplicateName);
}

#[test]
fn a_select_without_options_is_an_error() {
    let field = r#"{ name = "usage", kind = "select", label_fa = "کاربری", label_en = "Use", required = true }"#;
    let text = valid("s1").replace("fields = []", &format!("fields = [{field}]"));
    let errors = load_err(&[file("s1", text)]);
    single(&errors, "s1.toml", "options");
}

#[test]
fn a_document_format_outside_pdf_jpeg_and_png_is_an_error() {
    let document = r#"{ id = "deed", title_fa = "سند", title_en = "Deed", required = true, formats = ["docx"] }"#;
    let text = valid("s1").replace("documents = []", &format!("documents = [{document}]"));
    let errors = load_err(&[file("s1", text)]);
    single(&errors, "s1.toml", "docx");
}

#[test]
fn a_card_that_contradicts_itself_is_an_error() {
    let text = valid("s1").replace("in_person_visits = 0", "in_person_visits = 2");
    let errors = load_err(&[file("s1", text)]);
    // Fully electronic and internet-only: both say no visit.
    assert_eq!(errors.len(), 2, "{errors}");
    assert!(
        errors
            .iter()
            .all(|e| e.field.as_deref() == Some("in_person_visits"))
    );
}

#[test]
fn one_file_with_several_mistakes_reports_them_all() {
    let text = valid("s1")
        .replace("phone = \"137\"", "phone = \"+98 21 137\"")
        .replace(
            "request_address = \"/services/s1\"",
            "request_address = \"https://example.com\"",
        )
        .replace(
            "average_time = \"instant\"",
            "average_time = { working_days = 0 }",
        );
    let errors = load_err(&[file("s1", text)]);
    let fields: Vec<&str> = errors.iter().filter_map(|e| e.field.as_deref()).collect();
    assert_eq!(fields, ["average_time", "phone", "request_address"]);
}

#[test]
fn errors_of_every_file_are_collected_and_listed_one_per_line() {
    let errors = load_err(&[
        file("s3", valid("s3").replace("hours = ", "hour = ")),
        file(
            "s1",
            valid("s1").replace("owner_unit = \"renewal_clearance\"", "owner_unit = \"x\""),
        ),
        file("s2", valid("s2")),
    ]);
    assert_eq!(errors.len(), 2, "{errors}");
    let report = errors.to_string();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 2, "{report}");
    assert!(lines[0].starts_with("s1.toml:"), "{report}");
    assert!(lines[1].starts_with("s3.toml:"), "{report}");
}

#[test]
fn an_empty_set_of_files_is_an_empty_catalog() {
    let catalog = load(&[]).expect("nothing to check");
    assert!(catalog.is_empty());
    assert!(catalog.search("").is_empty());
}

proptest! {
    #[test]
    fn any_text_gives_a_catalog_or_errors_but_never_a_panic(text in "\\PC*") {
        let _ = load(&[("s1.toml".to_owned(), text)]);
    }

    #[test]
    fn a_valid_file_cut_anywhere_never_panics(cut in 0usize..1200) {
        let text = valid("s1");
        let end = text.char_indices().map(|(i, _)| i).take_while(|i| *i <= cut).last().unwrap_or(0);
        let _ = load(&[("s1.toml".to_owned(), text[..end].to_owned())]);
    }
}
