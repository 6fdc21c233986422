//! The built-in workflows: the files under `workflows/`, compiled in.

use super::load::{Registry, WorkflowError};

const FILES: [(&str, &str); 14] = [
    (
        "building_violation.toml",
        include_str!("../../../../workflows/building_violation.toml"),
    ),
    (
        "building_permit.toml",
        include_str!("../../../../workflows/building_permit.toml"),
    ),
    (
        "building_permit-v2.toml",
        include_str!("../../../../workflows/building_permit-v2.toml"),
    ),
    (
        "building_permit-v3.toml",
        include_str!("../../../../workflows/building_permit-v3.toml"),
    ),
    (
        "complaint.toml",
        include_str!("../../../../workflows/complaint.toml"),
    ),
    (
        "completion_certificate.toml",
        include_str!("../../../../workflows/completion_certificate.toml"),
    ),
    (
        "no_objection_certificate.toml",
        include_str!("../../../../workflows/no_objection_certificate.toml"),
    ),
    (
        "non_eligibility.toml",
        include_str!("../../../../workflows/non_eligibility.toml"),
    ),
    (
        "no_violation_certificate.toml",
        include_str!("../../../../workflows/no_violation_certificate.toml"),
    ),
    (
        "personal_data_correction.toml",
        include_str!("../../../../workflows/personal_data_correction.toml"),
    ),
    (
        "pre_sale_cancellation.toml",
        include_str!("../../../../workflows/pre_sale_cancellation.toml"),
    ),
    (
        "single_review.toml",
        include_str!("../../../../workflows/single_review.toml"),
    ),
    (
        "supervisor_report.toml",
        include_str!("../../../../workflows/supervisor_report.toml"),
    ),
    (
        "water_sewage_connection.toml",
        include_str!("../../../../workflows/water_sewage_connection.toml"),
    ),
];

/// Every built-in workflow, checked.
pub fn built_in() -> Result<Registry, Vec<WorkflowError>> {
    Registry::load(&built_in_files())
}

/// The built-in workflow files as (name, text), for a registry that adds to them.
pub fn built_in_files() -> Vec<(String, String)> {
    FILES
        .iter()
        .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
        .collect()
}
