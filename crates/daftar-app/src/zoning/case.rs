//! The inquiry recorded on a case: formation asks what the plan says about the case's
//! property and keeps the answer, with the map order computed from it, as the case's
//! inquiry; later stages (plan approval, the permit) read the map order from it, under
//! the map and rules it was asked under, whatever was imported since.

use daftar_core::roles::Role;
use daftar_core::zoning::MapOrder;
use daftar_store::{CaseId, NewCaseInquiry, StoreError};
use jiff::Timestamp;

use crate::accounts::Principal;
use crate::cases::{CaseError, Cases, property_of};

use super::{Inquiry, Zoning, ZoningError};

/// Formation's request to record the inquiry.
#[derive(Debug, Clone, PartialEq)]
pub struct InquiryRequest {
    /// The case's version the clerk saw.
    pub expected_version: i64,
    /// Longitude and latitude, for a property the GIS has not drawn (else its outline).
    pub point: Option<(f64, f64)>,
}

/// An inquiry as recorded on a case.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedInquiry {
    pub version: i64,
    /// The case's version after the recording, when just recorded.
    pub case_version: Option<i64>,
    pub inquiry: Inquiry,
    pub recorded_by_name: String,
    pub recorded_at: Timestamp,
}

impl RecordedInquiry {
    /// The map order of the case's plot, when its deed area was known.
    pub fn map_order(&self) -> Option<MapOrder> {
        self.inquiry.property_map_order()
    }
}

impl Zoning {
    /// Records the inquiry about the case's property: only a member of the formation unit
    /// of the case's office, while formation has it.
    pub async fn record_for_case(
        &self,
        cases: &Cases,
        who: &Principal,
        id: CaseId,
        request: &InquiryRequest,
    ) -> Result<RecordedInquiry, CaseError> {
        let (case, roles, tasks) = cases.for_staff_work(who, id).await?;
        let Principal::Staff(account) = who else {
            return Err(CaseError::NotFound);
        };
        if !roles.contains(&Role::Formation) {
            return Err(CaseError::NotAllowed("inquiry.formation_only"));
        }
        if !tasks.iter().any(|task| task.role == Role::Formation) {
            return Err(CaseError::NotAllowed("inquiry.not_now"));
        }
        if case.version != request.expected_version {
            return Err(CaseError::Changed);
        }
        let property = property_of(&case);
        let inquiry = match (request.point, &property) {
            (Some((lon, lat)), _) => {
                let mut inquiry = self.at_point(lon, lat).await.map_err(case_error)?;
                if let Some((district, code)) = &property
                    && let Some(plot) = self
                        .properties
                        .plot(*district, code)
                        .await
                        .map_err(|e| case_error(e.into()))?
                {
                    inquiry.setbacks = plot.setbacks.clone();
                    inquiry.plot = Some(plot.facts());
                }
                inquiry
            }
            (None, Some((district, code))) => self
                .of_property(*district, code)
                .await
                .map_err(case_error)?,
            (None, None) => return Err(CaseError::Invalid("inquiry.no_property")),
        };
        let answer_json = serde_json::to_string(&inquiry).map_err(anyhow::Error::from)?;
        let recorded_at = Timestamp::now();
        let (version, case_version) = self
            .store
            .save_case_inquiry(
                &NewCaseInquiry {
                    case: id,
                    zoning_version: inquiry.zoning_version,
                    answer_json,
                    recorded_by: account.id,
                    recorded_at,
                },
                request.expected_version,
            )
            .await
            .map_err(|error| match error {
                StoreError::Conflict(_) => CaseError::Changed,
                error => error.into(),
            })?;
        Ok(RecordedInquiry {
            version,
            case_version: Some(case_version),
            inquiry,
            recorded_by_name: account.display_name.clone(),
            recorded_at,
        })
    }

    /// The inquiries recorded on a case, newest first, for whoever may read the case.
    pub async fn of_case(
        &self,
        cases: &Cases,
        who: &Principal,
        id: CaseId,
    ) -> Result<Vec<RecordedInquiry>, CaseError> {
        cases.view(who, id).await?;
        self.of_case_seen(id).await
    }

    /// The same, for a page that has just shown the case through [`Cases::view`].
    pub async fn of_case_seen(&self, id: CaseId) -> Result<Vec<RecordedInquiry>, CaseError> {
        self.store
            .case_inquiries(id)
            .await?
            .into_iter()
            .map(|stored| {
                let inquiry: Inquiry = serde_json::from_str(&stored.answer_json).map_err(|e| {
                    anyhow::anyhow!(
                        "inquiry {} of case {} is unreadable: {e}",
                        stored.version,
                        id.0
                    )
                })?;
                Ok(RecordedInquiry {
                    version: stored.version,
                    case_version: None,
                    inquiry,
                    recorded_by_name: stored.recorded_by_name,
                    recorded_at: stored.recorded_at,
                })
            })
            .collect()
    }
}

fn case_error(error: ZoningError) -> CaseError {
    match error {
        ZoningError::Invalid(code) => CaseError::Invalid(code),
        ZoningError::NoMap => CaseError::Invalid("zoning.no_map"),
        ZoningError::NotAllowed => CaseError::NotAllowed("zoning.staff_only"),
        ZoningError::NotFound => CaseError::NotFound,
        ZoningError::Store(error) => CaseError::Store(error),
        ZoningError::Refused(reason) => CaseError::Internal(anyhow::anyhow!(reason)),
    }
}
