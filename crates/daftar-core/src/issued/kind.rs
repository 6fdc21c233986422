//! The kinds of document the office issues.

use serde::{Deserialize, Serialize};

use crate::text::Text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    BuildingPermit,
    NoViolationCertificate,
    CompletionCertificate,
    NoObjectionLetter,
    RenewalClearance,
    InspectionReport,
    RulingNotice,
    Bill,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 8] = [
        DocumentKind::BuildingPermit,
        DocumentKind::NoViolationCertificate,
        DocumentKind::CompletionCertificate,
        DocumentKind::NoObjectionLetter,
        DocumentKind::RenewalClearance,
        DocumentKind::InspectionReport,
        DocumentKind::RulingNotice,
        DocumentKind::Bill,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            DocumentKind::BuildingPermit => "building_permit",
            DocumentKind::NoViolationCertificate => "no_violation_certificate",
            DocumentKind::CompletionCertificate => "completion_certificate",
            DocumentKind::NoObjectionLetter => "no_objection_letter",
            DocumentKind::RenewalClearance => "renewal_clearance",
            DocumentKind::InspectionReport => "inspection_report",
            DocumentKind::RulingNotice => "ruling_notice",
            DocumentKind::Bill => "bill",
        }
    }

    /// Whether a document of this kind is issued again under a new serial (a copy, an
    /// extension). Not a renewal clearance, whose serial is the clearance code the
    /// property's owner holds and `/clearance/verify` answers for, nor a bill, whose proof
    /// is its bill and payment IDs.
    pub fn reissuable(self) -> bool {
        !matches!(self, DocumentKind::RenewalClearance | DocumentKind::Bill)
    }

    pub fn from_slug(slug: &str) -> Option<DocumentKind> {
        DocumentKind::ALL
            .into_iter()
            .find(|kind| kind.slug() == slug)
    }

    pub fn name(self) -> Text<&'static str> {
        let (fa, en) = match self {
            DocumentKind::BuildingPermit => ("پروانه ساختمانی", "Building permit"),
            DocumentKind::NoViolationCertificate => ("گواهی عدم خلاف", "No-violation certificate"),
            DocumentKind::CompletionCertificate => ("گواهی پایان کار", "Completion certificate"),
            DocumentKind::NoObjectionLetter => ("نامه بلامانع", "No-objection letter"),
            DocumentKind::RenewalClearance => ("مفاصاحساب عوارض نوسازی", "Renewal-toll clearance"),
            DocumentKind::InspectionReport => ("گزارش بازدید", "Inspection report"),
            DocumentKind::RulingNotice => {
                ("ابلاغ رای کمیسیون ماده ۱۰۰", "Article 100 ruling notice")
            }
            DocumentKind::Bill => ("قبض", "Bill"),
        };
        Text { fa, en }
    }
}
