//! The register of fire-safety firms, kept by the violation-review unit and read by staff.

use daftar_core::calendar::JalaliDate;
use daftar_core::roles::Role;
use daftar_core::violation::FireSafetyFirm;
use daftar_store::NewFirm;
use jiff::Timestamp;

use super::Violations;
use crate::accounts::Principal;
use crate::cases::CaseError;

/// A registered firm, with whether its licence has lapsed today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredFirm {
    pub firm: FireSafetyFirm,
    pub expired: bool,
}

impl Violations {
    /// Registers a firm: the violation-review unit only.
    pub async fn register_firm(
        &self,
        who: &Principal,
        firm: &FireSafetyFirm,
    ) -> Result<(), CaseError> {
        let Principal::Staff(account) = who else {
            return Err(CaseError::NotAllowed("auth.staff_only"));
        };
        if !account.has_role(Role::ViolationReview) {
            return Err(CaseError::NotAllowed("firm.violation_review_only"));
        }
        self.store
            .register_firm(&NewFirm {
                name: firm.name.clone(),
                legal_id: firm.legal_id.as_str().to_owned(),
                licence_number: firm.licence_number.clone(),
                licence_valid_until: firm.licence_valid_until.to_string(),
                registered_by: account.id,
                registered_at: Timestamp::now(),
            })
            .await?;
        Ok(())
    }

    /// Every registered firm, by name, for staff.
    pub async fn firms(&self, who: &Principal) -> Result<Vec<RegisteredFirm>, CaseError> {
        if who.staff().is_none() {
            return Err(CaseError::NotAllowed("auth.staff_only"));
        }
        let today = JalaliDate::from_timestamp(Timestamp::now());
        self.store
            .firms()
            .await?
            .into_iter()
            .map(|stored| {
                let firm = FireSafetyFirm::new(
                    &stored.name,
                    &stored.legal_id,
                    &stored.licence_number,
                    &stored.licence_valid_until,
                )
                .map_err(|e| {
                    anyhow::anyhow!("fire-safety firm {} is unreadable: {e}", stored.id)
                })?;
                Ok(RegisteredFirm {
                    expired: firm.expired(today),
                    firm,
                })
            })
            .collect()
    }
}
