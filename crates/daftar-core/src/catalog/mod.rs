//! The service catalog: every service the office offers, each described by the service
//! identity card (شناسنامه خدمت) of seed 000, with its owner unit, its application form
//! and the workflow its cases follow.
//!
//! Services are data: one TOML file each, in the repository's `catalog/` directory
//! (whose README documents the format field by field). A tour of this module:
//! - `service`, `values`, `form`: the types a file is read into;
//! - `load` and `validate`: reading files handed in as `(name, text)` pairs, and every
//!   check, collecting all errors rather than stopping at the first ([`load`]);
//! - `builtin`: the files of `catalog/`, embedded at compile time ([`built_in`]);
//! - `answers`: checking an application's answers against its form;
//! - `search`: Persian-aware matching and ordering; `csv`: the RFC 4180 export.
//!
//! There is no I/O here: whoever reads a directory of overrides passes its texts in.

mod answers;
mod builtin;
mod csv;
mod error;
mod form;
mod load;
mod search;
mod service;
mod validate;
mod values;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod load_tests;
#[cfg(test)]
mod search_tests;

use std::collections::HashMap;

pub use answers::{AnswerError, MAX_TEXT_CHARS, check_answer};
pub use builtin::{BUILT_IN_FILES, built_in};
pub use error::{CatalogError, CatalogErrors, ErrorKind};
pub use form::{DocumentFormat, FieldKind, Form, FormField, RequiredDocument, SelectOption};
pub use load::load;
pub use service::{AverageTime, Fee, Service, Sla, Text, UserGuide};
pub use values::{Access, Audience, ElectronicStatus, Group, Hours, Level, Nature, Start};

/// A checked set of services, in a stable order: by group (in [`Group::ALL`]'s order),
/// then by Persian title in dictionary order, then by identifier.
#[derive(Debug, Clone)]
pub struct Catalog {
    services: Vec<Service>,
    /// Parallel to `services`.
    entries: Vec<search::Entry>,
    by_identifier: HashMap<String, usize>,
}

impl Catalog {
    /// Loads and checks a catalog; see [`load`].
    pub fn load(files: &[(String, String)]) -> Result<Catalog, CatalogErrors> {
        load(files)
    }

    /// Builds the catalog from services that passed every check.
    fn from_services(mut services: Vec<Service>) -> Catalog {
        services.sort_by_cached_key(|s| {
            (
                s.group,
                search::collation_key(&s.title.fa),
                s.identifier.clone(),
            )
        });
        let entries = services.iter().map(search::Entry::new).collect();
        let by_identifier = services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.identifier.clone(), i))
            .collect();
        Catalog {
            services,
            entries,
            by_identifier,
        }
    }

    /// Every service, in the catalog's order.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    pub fn len(&self) -> usize {
        self.services.len()
    }

    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    /// The service with this exact identifier.
    pub fn get(&self, identifier: &str) -> Option<&Service> {
        self.by_identifier
            .get(identifier)
            .and_then(|&i| self.services.get(i))
    }

    /// The groups that have services, in order, each with its services in order.
    pub fn groups(&self) -> impl Iterator<Item = (Group, &[Service])> {
        self.services
            .chunk_by(|a, b| a.group == b.group)
            .filter_map(|chunk| chunk.first().map(|first| (first.group, chunk)))
    }

    /// The services matching every word of `query`, searched in titles, descriptions,
    /// group names and identifiers, with Persian spelling variants folded (Arabic ي/ك,
    /// ZWNJ, Persian digits). Services with every word in their title come first; ties
    /// keep the catalog's order. A query with no words matches every service.
    pub fn search(&self, query: &str) -> Vec<&Service> {
        let words = search::query_words(query);
        let mut hits: Vec<(u8, &Service)> = self
            .entries
            .iter()
            .zip(&self.services)
            .filter_map(|(entry, service)| search::rank(entry, &words).map(|r| (r, service)))
            .collect();
        hits.sort_by_key(|(rank, _)| *rank);
        hits.into_iter().map(|(_, service)| service).collect()
    }

    /// The catalog as RFC 4180 CSV, one row per service in the catalog's order.
    pub fn to_csv(&self) -> String {
        csv::write(&self.services)
    }
}
