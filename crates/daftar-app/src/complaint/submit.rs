//! Filing a complaint: checked against its kind, routed, and opened as a case with its
//! register row, its documents and its notice in one transaction.

use std::collections::BTreeMap;

use daftar_core::cases::TrackingCode;
use daftar_core::complaint::{ComplaintRefused, Submission};
use daftar_store::{Actor, CaseRecord, NewComplaint, StaffId};

use super::Complaints;
use crate::accounts::Principal;
use crate::cases::{CaseError, Opening, Upload};

/// What the form (or an Open311 client) sends.
#[derive(Debug, Default)]
pub struct ComplaintForm {
    pub kind: String,
    /// The catalog service it concerns, by identifier.
    pub concerns_service: Option<String>,
    /// The case it concerns, by tracking code.
    pub tracking_code: Option<String>,
    /// The staff member it names (one who acted on the citizen's cases).
    pub named_staff: Option<StaffId>,
    pub text: String,
    /// "latitude, longitude", or empty.
    pub location: String,
    pub uploads: Vec<Upload>,
}

/// Who files it.
#[derive(Debug, Clone, Copy)]
pub enum Filer<'a> {
    /// From the form: a signed-in citizen, or no one (an anonymous suggestion).
    Person(Option<&'a Principal>),
    /// An Open311 client, by its id: it vouches for its reporter, whom we never know.
    Open311Client(i64),
}

fn refused(refusal: ComplaintRefused) -> CaseError {
    CaseError::InvalidField {
        code: refusal.code(),
        field: refusal.field().into(),
    }
}

impl Complaints {
    /// Files a complaint, criticism or suggestion: checked, routed by its kind, and
    /// opened as a case. Nothing is kept on a refusal.
    pub async fn submit(
        &self,
        filer: Filer<'_>,
        form: &ComplaintForm,
    ) -> Result<CaseRecord, CaseError> {
        let kind = self
            .kinds
            .get(form.kind.trim())
            .filter(|kind| matches!(filer, Filer::Person(_)) || kind.open311)
            .ok_or(CaseError::InvalidField {
                code: "complaint.kind",
                field: "kind".into(),
            })?;
        let citizen = match filer {
            Filer::Person(Some(Principal::Citizen {
                national_id,
                acting_for,
                verified,
            })) => Some((national_id, acting_for, *verified)),
            Filer::Person(Some(Principal::Staff(_))) => {
                return Err(CaseError::NotAllowed("case.applicants_only"));
            }
            Filer::Person(None) | Filer::Open311Client(_) => None,
        };
        let service = match form.concerns_service.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(id) => Some(
                self.cases
                    .catalog()
                    .get(id)
                    .ok_or(CaseError::InvalidField {
                        code: "complaint.service_unknown",
                        field: "concerns_service".into(),
                    })?,
            ),
        };
        // A citizen names a staff member they met: one who acted on their cases.
        let named = match (form.named_staff, citizen) {
            (None, _) => None,
            (Some(staff), Some((national_id, _, _))) => Some(
                self.store
                    .staff_who_acted_for(national_id.as_str())
                    .await?
                    .into_iter()
                    .find(|met| met.staff == staff)
                    .ok_or(CaseError::InvalidField {
                        code: "complaint.staff_unknown",
                        field: "named_staff".into(),
                    })?,
            ),
            (Some(_), None) => return Err(refused(ComplaintRefused::SignIn)),
        };
        let tracking_code = match form.tracking_code.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(typed) => Some(
                TrackingCode::parse(typed)
                    .map_err(|_| CaseError::InvalidField {
                        code: "complaint.tracking_code",
                        field: "tracking_code".into(),
                    })?
                    .to_string(),
            ),
        };
        let checked = Submission {
            text: &form.text,
            location: &form.location,
            attachments: form.uploads.len(),
            names_service: service.is_some(),
            names_staff: named.is_some(),
            signed_in: citizen.is_some() || matches!(filer, Filer::Open311Client(_)),
        }
        .check(kind)
        .map_err(refused)?;
        let unit = kind
            .route
            .unit(service.map(|s| s.owner_unit))
            .ok_or_else(|| anyhow::anyhow!("kind {} routes to a missing service", kind.code))?;
        self.cases
            .check_uploads(&kind.service, citizen.map(|c| c.0), &form.uploads)
            .await?;
        let mut answers = BTreeMap::from([
            ("kind".to_owned(), kind.code.clone()),
            ("description".to_owned(), checked.text.clone()),
            (crate::cases::ROUTED_TO.to_owned(), unit.slug().to_owned()),
        ]);
        if let Some(service) = service {
            answers.insert("concerns_service".into(), service.identifier.clone());
        }
        if let Some(code) = tracking_code {
            answers.insert("tracking_code".into(), code);
        }
        if let Some(location) = checked.location {
            answers.insert("location".into(), location.to_string());
        }
        if let Some(named) = &named {
            answers.insert("named_staff".into(), named.display_name.clone());
            answers.insert(
                crate::cases::NAMED_STAFF_ID.into(),
                named.staff.0.to_string(),
            );
        }
        // The office of the case it concerns (the citizen's own), else of the staff member
        // named, else the district's rule (the first office).
        let mut office = None;
        if let (Some(code), Some((national_id, _, _))) = (answers.get("tracking_code"), citizen)
            && let Some(concerned) = self.store.case_by_tracking_code(code).await?
            && concerned.applicant.as_ref() == Some(national_id)
        {
            office = Some(concerned.office);
        }
        if office.is_none()
            && let Some(named) = &named
            && let Some(member) = self.store.staff_by_id(named.staff).await?
        {
            office = member.roles.first().map(|(office, _)| office.clone());
        }
        let micro = |degrees: f64| (degrees * 1_000_000.0).round() as i64;
        self.cases
            .open(Opening {
                service_id: &kind.service,
                applicant: citizen.map(|c| c.0.clone()),
                applicant_verified: citizen.is_some_and(|c| c.2),
                acting_for: citizen.and_then(|c| c.1.clone()),
                answers,
                uploads: &form.uploads,
                uploaded_by: "applicant".into(),
                actor: Actor::Applicant,
                action: "file_complaint",
                comment: None,
                complaint: Some(NewComplaint {
                    kind: kind.code.clone(),
                    // Listed to Open311 only when no one is behind it: a report an app
                    // sent, or an anonymous suggestion. A citizen's own is theirs.
                    public: kind.open311 && citizen.is_none(),
                    description: checked.text,
                    location_micro: checked
                        .location
                        .map(|l| (micro(l.latitude), micro(l.longitude))),
                    named_staff: named.map(|n| n.staff),
                    client: match filer {
                        Filer::Open311Client(id) => Some(id),
                        Filer::Person(_) => None,
                    },
                }),
                office,
            })
            .await
    }

    /// The staff a citizen may name: those who acted on their cases.
    pub async fn staff_met(
        &self,
        who: &Principal,
    ) -> Result<Vec<daftar_store::NamedStaff>, CaseError> {
        match who {
            Principal::Citizen { national_id, .. } => {
                Ok(self.store.staff_who_acted_for(national_id.as_str()).await?)
            }
            Principal::Staff(_) => Ok(Vec::new()),
        }
    }
}
