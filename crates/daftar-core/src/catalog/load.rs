//! Reading catalog files: parse each one, check it, then check what only the whole set
//! can tell (identifiers unique, file names matching, sub-services known and acyclic).
//!
//! The loader is handed names and texts rather than a directory, so that this crate
//! stays free of I/O and tests can feed it strings. It never stops at the first problem:
//! an editor fixing the catalog wants the whole list.

use std::collections::{HashMap, HashSet};

use super::Catalog;
use super::error::{CatalogError, CatalogErrors, ErrorKind};
use super::service::Service;
use super::validate::check_service;

/// Loads a catalog from `(file name, text)` pairs. The file name may carry a directory;
/// only its last part must be the identifier followed by `.toml`.
pub fn load(files: &[(String, String)]) -> Result<Catalog, CatalogErrors> {
    let mut errors = Vec::new();
    let mut parsed: Vec<(&str, Service)> = Vec::new();
    // Identifiers that files which failed to parse were presumably meant to hold, so that
    // one broken file does not also break every sub-service reference to it.
    let mut presumed = HashSet::new();
    for (file, text) in files {
        match toml::from_str::<Service>(text) {
            Ok(service) => {
                check_service(file, &service, &mut errors);
                parsed.push((file, service));
            }
            Err(error) => {
                errors.push(syntax_error(file, text, &error));
                if let Some(stem) = base_name(file).strip_suffix(".toml") {
                    presumed.insert(stem.to_owned());
                }
            }
        }
    }
    check_file_names(&parsed, &mut errors);
    check_unique(&parsed, &mut errors);
    check_sub_services(&parsed, &presumed, &mut errors);
    if errors.is_empty() {
        Ok(Catalog::from_services(
            parsed.into_iter().map(|(_, service)| service).collect(),
        ))
    } else {
        // Stable, so each file's errors keep the order in which its fields were checked.
        errors.sort_by(|a, b| a.file.cmp(&b.file));
        Err(CatalogErrors(errors))
    }
}

fn base_name(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

fn check_file_names(parsed: &[(&str, Service)], errors: &mut Vec<CatalogError>) {
    for (file, service) in parsed {
        let expected = format!("{}.toml", service.identifier);
        if base_name(file) != expected {
            errors.push(CatalogError::at_field(
                file,
                "identifier",
                ErrorKind::FileName,
                format!(
                    "the file holding `{}` must be named {expected}",
                    service.identifier
                ),
            ));
        }
    }
}

fn check_unique(parsed: &[(&str, Service)], errors: &mut Vec<CatalogError>) {
    let mut first_file: HashMap<&str, &str> = HashMap::new();
    for (file, service) in parsed {
        if let Some(first) = first_file.get(service.identifier.as_str()) {
            errors.push(CatalogError::at_field(
                file,
                "identifier",
                ErrorKind::DuplicateIdentifier,
                format!(
                    "`{}` is already the identifier of {first}",
                    service.identifier
                ),
            ));
        } else {
            first_file.insert(&service.identifier, file);
        }
    }
}

fn check_sub_services(
    parsed: &[(&str, Service)],
    presumed: &HashSet<String>,
    errors: &mut Vec<CatalogError>,
) {
    let mut by_id: HashMap<&str, &Service> = HashMap::new();
    for (_, service) in parsed {
        by_id.entry(&service.identifier).or_insert(service);
    }
    for (file, service) in parsed {
        for (i, sub) in service.sub_services.iter().enumerate() {
            if !by_id.contains_key(sub.as_str()) && !presumed.contains(sub) {
                errors.push(CatalogError::at_field(
                    file,
                    format!("sub_services[{i}]"),
                    ErrorKind::UnknownSubService,
                    format!("no service of the catalog has the identifier `{sub}`"),
                ));
            }
        }
        if leads_back(service, &by_id) {
            errors.push(CatalogError::at_field(
                file,
                "sub_services",
                ErrorKind::UnknownSubService,
                format!(
                    "following the sub-services of `{}` leads back to it",
                    service.identifier
                ),
            ));
        }
    }
}

/// Whether walking down from `service`'s sub-services reaches `service` again through
/// another service (a direct self-reference is reported by the file's own checks). A
/// page that lists sub-services recursively would otherwise never end.
fn leads_back(service: &Service, by_id: &HashMap<&str, &Service>) -> bool {
    let start = service.identifier.as_str();
    let mut stack: Vec<&str> = service
        .sub_services
        .iter()
        .map(String::as_str)
        .filter(|sub| *sub != start)
        .collect();
    let mut visited = HashSet::new();
    while let Some(id) = stack.pop() {
        if id == start {
            return true;
        }
        if !visited.insert(id) {
            continue;
        }
        if let Some(next) = by_id.get(id) {
            stack.extend(next.sub_services.iter().map(String::as_str));
        }
    }
    false
}

/// Turns toml's error into one line: its message, with the line and column computed from
/// its span, and the key whose value was refused when the span starts at a value.
fn syntax_error(file: &str, text: &str, error: &toml::de::Error) -> CatalogError {
    let start = error.span().map(|span| span.start);
    CatalogError {
        file: file.to_owned(),
        position: start.and_then(|start| position_of(text, start)),
        field: start.and_then(|start| key_of_value_at(text, start)),
        kind: ErrorKind::Syntax,
        message: error.message().to_owned(),
    }
}

/// Line and column (from 1, in characters) of byte `offset`.
fn position_of(text: &str, offset: usize) -> Option<(usize, usize)> {
    let before = text.get(..offset)?;
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    Some((line, column))
}

/// When an error points at a value (`nature = "national_ish"`, or `fixed_rials = -1`
/// inside an inline table), the key written before it on the same line. toml names the
/// key itself for unknown and missing fields, but not for a refused value of a closed
/// set, which is exactly when the editor most needs to know which field it was.
fn key_of_value_at(text: &str, offset: usize) -> Option<String> {
    let line = text.get(..offset)?.rsplit('\n').next()?;
    let (key_part, _) = line.rsplit_once('=')?;
    let key = key_part.rsplit(['{', ',']).next()?.trim();
    let is_key = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    is_key.then(|| key.to_owned())
}
