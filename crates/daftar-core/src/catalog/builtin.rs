//! The built-in services: the files of the repository's `catalog/` directory, compiled
//! into the binary so that `daftar serve` has a catalog with nothing configured.
//!
//! The list is written out rather than discovered, because this crate does no I/O and
//! has no build script; a test reads the directory and fails when a file is missing here.

/// Embeds `catalog/<id>.toml` for each identifier, as `(file name, text)`.
macro_rules! embed {
    ($($id:literal),* $(,)?) => {
        &[$((
            concat!($id, ".toml"),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalog/", $id, ".toml")),
        )),*]
    };
}

/// Every built-in catalog file as `(file name, text)`, for [`built_in`] and for tools that
/// export the files as a starting point for an office's own catalog.
pub const BUILT_IN_FILES: &[(&str, &str)] = embed![
    // Seed 000, as the national register publishes it.
    "10012656000sh13",
    // Formation.
    "10010101001th01",
    "10010101002th01",
    "10010101003th01",
    "10010101004th01",
    "10010101005th01",
    "10010101006th01",
    "10010101007th01",
    "10010101008th01",
    "10010101009th01",
    // Inspection and violation review.
    "10010101010th01",
    "10010101011th01",
    "10010101012th01",
    "10010101013th01",
    // Plan approval, certificate drafting and permit drafting.
    "10010101014th01",
    "10010101015th01",
    "10010101016th01",
    "10010101017th01",
    "10010101018th01",
    // Renewal and waste clearance.
    "10010101019th01",
    "10010101020th01",
    "10010101021th01",
    "10010101022th01",
    // Follow-up, consulting, vehicle tolls and internal inspection.
    "10010101023th01",
    "10010101024th01",
    "10010101025th01",
    "10010101026th01",
    "10010101027th01",
    "10010101028th01",
    "10010101029th01",
    "10010101030th01",
];

/// The built-in catalog, checked like any other. It returns a `Result` rather than
/// trusting the embedded files, so that a bad edit shows up as the same errors an
/// office's own files would give; the tests make sure it is `Ok`.
pub fn built_in() -> Result<super::Catalog, super::CatalogErrors> {
    let files: Vec<(String, String)> = BUILT_IN_FILES
        .iter()
        .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
        .collect();
    super::load(&files)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::catalog::{
        Access, Audience, AverageTime, Catalog, ElectronicStatus, Fee, FieldKind, Group, Hours,
        Level, Nature, Start, UserGuide,
    };
    use crate::roles::Role;

    const SEED: &str = "10012656000sh13";

    fn catalog() -> Catalog {
        match built_in() {
            Ok(catalog) => catalog,
            Err(errors) => panic!("the built-in catalog must load:\n{errors}"),
        }
    }

    #[test]
    fn every_file_in_the_catalog_directory_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalog");
        let on_disk: BTreeSet<String> = std::fs::read_dir(dir)
            .expect("the catalog directory is readable")
            .map(|entry| {
                entry
                    .expect("a directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name != "README.md")
            .collect();
        let embedded: BTreeSet<String> = BUILT_IN_FILES
            .iter()
            .map(|(name, _)| (*name).to_owned())
            .collect();
        assert_eq!(on_disk, embedded, "catalog/ and BUILT_IN_FILES differ");
        assert_eq!(
            embedded.len(),
            BUILT_IN_FILES.len(),
            "a file is embedded twice"
        );
    }

    #[test]
    fn the_built_in_catalog_loads_with_every_service_of_seed_001() {
        let catalog = catalog();
        // (identifier, owner unit, workflow) for seed 000 and every service of seed 001.
        let expected: [(&str, Role, Option<&str>); 31] = [
            (SEED, Role::RenewalClearance, None),
            ("10010101001th01", Role::Formation, Some("single_review")),
            (
                "10010101002th01",
                Role::Formation,
                Some("supervisor_report"),
            ),
            ("10010101003th01", Role::Formation, Some("single_review")),
            ("10010101004th01", Role::Formation, Some("single_review")),
            (
                "10010101005th01",
                Role::Formation,
                Some("pre_sale_cancellation"),
            ),
            ("10010101006th01", Role::Formation, Some("non_eligibility")),
            ("10010101007th01", Role::Formation, Some("single_review")),
            (
                "10010101008th01",
                Role::Formation,
                Some("personal_data_correction"),
            ),
            (
                "10010101009th01",
                Role::Formation,
                Some("water_sewage_connection"),
            ),
            ("10010101010th01", Role::Inspection, Some("single_review")),
            (
                "10010101011th01",
                Role::ViolationReview,
                Some("building_violation"),
            ),
            (
                "10010101012th01",
                Role::ViolationReview,
                Some("single_review"),
            ),
            (
                "10010101013th01",
                Role::ViolationReview,
                Some("single_review"),
            ),
            ("10010101014th01", Role::PlanApproval, Some("single_review")),
            (
                "10010101015th01",
                Role::CertificateDrafting,
                Some("no_violation_certificate"),
            ),
            (
                "10010101016th01",
                Role::CertificateDrafting,
                Some("completion_certificate"),
            ),
            (
                "10010101017th01",
                Role::CertificateDrafting,
                Some("no_objection_certificate"),
            ),
            (
                "10010101018th01",
                Role::PermitDrafting,
                Some("building_permit"),
            ),
            (
                "10010101019th01",
                Role::RenewalClearance,
                Some("single_review"),
            ),
            ("10010101020th01", Role::RenewalClearance, None),
            (
                "10010101021th01",
                Role::RenewalClearance,
                Some("single_review"),
            ),
            (
                "10010101022th01",
                Role::RenewalClearance,
                Some("single_review"),
            ),
            ("10010101023th01", Role::FollowUp, Some("single_review")),
            ("10010101024th01", Role::Consulting, Some("single_review")),
            ("10010101025th01", Role::VehicleTolls, Some("single_review")),
            ("10010101026th01", Role::VehicleTolls, Some("single_review")),
            ("10010101027th01", Role::VehicleTolls, Some("single_review")),
            ("10010101028th01", Role::VehicleTolls, Some("single_review")),
            (
                "10010101029th01",
                Role::InternalInspection,
                Some("complaint"),
            ),
            (
                "10010101030th01",
                Role::InternalInspection,
                Some("complaint"),
            ),
        ];
        assert_eq!(catalog.len(), expected.len());
        for (identifier, owner, workflow) in expected {
            let service = catalog
                .get(identifier)
                .unwrap_or_else(|| panic!("{identifier} is missing"));
            assert_eq!(service.owner_unit, owner, "{identifier}");
            assert_eq!(service.workflow.as_deref(), workflow, "{identifier}");
            assert_eq!(service.level, Level::City, "{identifier}");
            assert_eq!(service.start, Start::OnRequest, "{identifier}");
        }
    }

    #[test]
    fn only_instant_services_have_no_workflow() {
        for service in catalog().services() {
            assert_eq!(
                service.workflow.is_none(),
                service.average_time == AverageTime::Instant,
                "{}",
                service.identifier
            );
        }
    }

    #[test]
    fn the_seed_card_has_its_published_values() {
        let catalog = catalog();
        let card = catalog.get(SEED).expect("seed 000 is built in");
        assert_eq!(card.title.fa, "پیگیری قبوض نوسازی");
        assert_eq!(card.group, Group::RenewalTolls);
        assert_eq!(card.group.name().fa, "عوارض نوسازی و شهرداری");
        assert_eq!(card.description.fa, "پیگیری قبوض نوسازی");
        let inputs: Vec<&str> = card.required_inputs.iter().map(|t| t.fa.as_str()).collect();
        assert_eq!(inputs, ["شناسه قبض", "شناسه پرداخت", "منطقه"]);
        assert_eq!(card.audience, [Audience::G2c, Audience::G2b]);
        assert_eq!(card.nature, Nature::Operational);
        assert_eq!(card.level, Level::City);
        assert_eq!(card.start, Start::OnRequest);
        assert_eq!(card.rules.fa, "قوانین شهرداری");
        assert_eq!(card.average_time, AverageTime::Instant);
        assert_eq!(card.hours, Hours::AroundTheClock);
        assert_eq!(card.in_person_visits, 0);
        assert_eq!(card.fee, Fee::Free);
        assert!(matches!(card.user_guide, UserGuide::Text(_)));
        assert!(card.sub_services.is_empty());
        assert_eq!(card.complaint_channel.fa, "بازرسی و شکایات شهرداری");
        assert_eq!(card.access, Access::Internet);
        assert_eq!(card.phone, "0383224849");
        assert_eq!(card.electronic_status, ElectronicStatus::FullyElectronic);
        assert_eq!(card.request_address, "/services/10012656000sh13");
        assert_eq!(card.result_address, "/services/10012656000sh13");
        assert!(card.sla.fa.starts_with("مسئولیت ارائه خدمت"));
        assert!(
            card.sla.fa.contains("می\u{200c}باشد"),
            "the broken ZWNJ is restored"
        );
        assert!(!card.sla.fa.contains('¬'));
        assert_eq!(card.owner_unit, Role::RenewalClearance);
        assert_eq!(card.workflow, None);
        let kinds: Vec<&FieldKind> = card.form.fields.iter().map(|f| &f.kind).collect();
        assert_eq!(
            kinds,
            [
                &FieldKind::BillId,
                &FieldKind::PaymentId,
                &FieldKind::District
            ]
        );
        assert!(card.form.documents.is_empty());
    }

    #[test]
    fn every_required_input_of_a_built_in_card_is_asked_for_by_its_form() {
        // The card's list is what the public reads; the form is what the desk asks. They
        // must tell the same story.
        for service in catalog().services() {
            let asked: Vec<&str> = service
                .form
                .fields
                .iter()
                .filter(|f| f.required)
                .map(|f| f.label.fa.as_str())
                .chain(
                    service
                        .form
                        .documents
                        .iter()
                        .filter(|d| d.required)
                        .map(|d| d.title.fa.as_str()),
                )
                .collect();
            let listed: Vec<&str> = service
                .required_inputs
                .iter()
                .map(|t| t.fa.as_str())
                .collect();
            assert_eq!(listed, asked, "{}", service.identifier);
        }
    }

    #[test]
    fn the_catalog_is_ordered_by_group_then_persian_title() {
        let catalog = catalog();
        let groups: Vec<Group> = catalog.groups().map(|(group, _)| group).collect();
        assert_eq!(groups, Group::ALL);
        let total: usize = catalog.groups().map(|(_, services)| services.len()).sum();
        assert_eq!(total, catalog.len());
        let renewal: Vec<&str> = catalog
            .groups()
            .find(|(group, _)| *group == Group::RenewalTolls)
            .map(|(_, services)| services.iter().map(|s| s.title.fa.as_str()).collect())
            .unwrap_or_default();
        // In dictionary order پ comes before ت; by code point it would come last.
        assert_eq!(
            renewal,
            [
                "پیگیری قبوض نوسازی",
                "تعیین مسیر و پسماند حفاری",
                "تعیین مسیر و پسماند گودبرداری",
                "فیش عوارض نوسازی و پسماند",
                "مفاصا حساب نوسازی",
            ]
        );
    }
}
