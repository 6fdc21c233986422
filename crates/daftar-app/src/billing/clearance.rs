//! The clearance (مفاصاحساب) a property gets when it owes nothing, and verifying one by
//! its code.

use daftar_core::billing::{BillStatus, ClearanceCode};
use daftar_core::calendar::JalaliDate;
use daftar_core::roles::Role;
use daftar_store::{Clearance, ClearanceOutcome, OwnedProperty, StoreError};
use jiff::Timestamp;

use super::track::{parse_district, parse_renewal_code};
use super::{Billing, BillingError, TrackedBill};
use crate::accounts::Principal;
use crate::codes::CODE_DRAWS;
use crate::replica::ReadFrom;

/// What became of a clearance request.
#[derive(Debug, Clone)]
pub enum ClearanceResult {
    Issued(Clearance),
    /// Nothing was issued: these bills are still unpaid.
    Owes(Vec<TrackedBill>),
}

impl Billing {
    /// The properties a citizen may ask a clearance for: those they own.
    pub async fn properties_owned_by(
        &self,
        who: &Principal,
    ) -> Result<Vec<OwnedProperty>, BillingError> {
        match who {
            Principal::Citizen { national_id, .. } => {
                Ok(self.store.properties_owned_by(national_id).await?)
            }
            Principal::Staff(_) => Ok(Vec::new()),
        }
    }

    /// The bills still to pay on a citizen's properties, for their dashboard: unpaid and
    /// not past their due date, oldest first.
    pub async fn my_unpaid_bills(&self, who: &Principal) -> Result<Vec<TrackedBill>, BillingError> {
        let today = JalaliDate::from_timestamp(Timestamp::now());
        let mut unpaid = Vec::new();
        for property in self.properties_owned_by(who).await? {
            let bills = self
                .store
                .bills_of_property(property.district, &property.renewal_code)
                .await?;
            unpaid.extend(
                bills
                    .into_iter()
                    .map(|bill| TrackedBill::of(bill, today))
                    .filter(|bill| bill.status == BillStatus::Unpaid),
            );
        }
        Ok(unpaid)
    }

    /// Issues a clearance for a property that owes nothing, to its owner or to the renewal
    /// and clearance unit.
    pub async fn issue_clearance(
        &self,
        who: &Principal,
        district: &str,
        renewal_code: &str,
    ) -> Result<ClearanceResult, BillingError> {
        let district = parse_district(district)?;
        let code = parse_renewal_code(renewal_code)?;
        let issued_by = match who {
            Principal::Staff(account) if account.has_role(Role::RenewalClearance) => {
                format!("staff:{}", account.username)
            }
            Principal::Staff(_) => return Err(BillingError::NotAllowed("auth.forbidden")),
            Principal::Citizen { national_id, .. } => {
                let owned = self.store.properties_owned_by(national_id).await?;
                let owns = owned
                    .iter()
                    .any(|p| p.district == district && p.renewal_code == code.as_str());
                if !owns {
                    return Err(BillingError::NotAllowed("clearance.not_owner"));
                }
                "owner".to_owned()
            }
        };
        let today = JalaliDate::from_timestamp(Timestamp::now());
        let outcome = self
            .issue_with_a_free_code(district, code.as_str(), &issued_by)
            .await?;
        match outcome {
            ClearanceOutcome::Issued(clearance) => {
                self.sign_clearance(who, &clearance).await?;
                Ok(ClearanceResult::Issued(clearance))
            }
            ClearanceOutcome::Owes(bills) => Ok(ClearanceResult::Owes(
                bills
                    .into_iter()
                    .map(|bill| TrackedBill::of(bill, today))
                    .collect(),
            )),
            ClearanceOutcome::UnknownProperty => Err(BillingError::NotFound),
        }
    }

    /// Keeps the clearance as a signed document under its code, unless it is kept already
    /// (the same clearance handed out again within its year). Written after the clearance
    /// itself: should it fail, asking again signs it.
    async fn sign_clearance(
        &self,
        who: &Principal,
        clearance: &Clearance,
    ) -> Result<(), BillingError> {
        let Some(issuing) = &self.issuing else {
            return Ok(());
        };
        let serial = daftar_core::issued::Serial::parse(&clearance.code)
            .map_err(|_| anyhow::anyhow!("clearance code {} is not a serial", clearance.code))?;
        let kept = issuing
            .look_up(&serial, ReadFrom::Primary)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if let Some(found) = kept {
            if found.record.kind != daftar_core::issued::DocumentKind::RenewalClearance {
                return Err(anyhow::anyhow!(
                    "clearance code {} is another document's serial",
                    clearance.code
                )
                .into());
            }
            return Ok(());
        }
        let issued_on = JalaliDate::from_timestamp(clearance.issued_at);
        let year_end = JalaliDate::new(issued_on.year() + 1, 1, 1)
            .map(|next| next.add_days(-1))
            .map_err(|e| anyhow::anyhow!("the year's last day: {e}"))?;
        let facts = std::collections::BTreeMap::from([
            ("district".to_owned(), clearance.district.to_string()),
            ("renewal_code".to_owned(), clearance.renewal_code.clone()),
            ("year".to_owned(), issued_on.year().to_string()),
        ]);
        let issued_by = who
            .staff()
            .map(|account| (account.id, Role::RenewalClearance));
        let signed = issuing
            .issue(crate::issued::NewDocument {
                kind: daftar_core::issued::DocumentKind::RenewalClearance,
                subject: daftar_core::issued::Subject::Property {
                    district: clearance.district,
                    renewal_code: clearance.renewal_code.clone(),
                },
                facts,
                valid_until: Some(year_end),
                case: None,
                issued_by,
                office: None,
                serial: Some(serial),
                supersedes: None,
            })
            .await;
        match signed {
            Ok(_) => Ok(()),
            // Signed by a request beside this one, in the same moment.
            Err(crate::cases::CaseError::Store(StoreError::Conflict(_))) => Ok(()),
            Err(e) => Err(anyhow::anyhow!("signing clearance {}: {e}", clearance.code).into()),
        }
    }

    /// Draws a clearance code until one is free. Eleven random digits collide with one of
    /// n earlier codes with a chance of n in 10¹¹, rarely but surely in a city's lifetime
    /// ([`crate::codes`]); a draw taken is refused by the store's unique key, writing
    /// nothing.
    async fn issue_with_a_free_code(
        &self,
        district: u16,
        renewal_code: &str,
        issued_by: &str,
    ) -> Result<ClearanceOutcome, BillingError> {
        // A clearance holds for the Jalali year it was issued in: asked again within it
        // (and still owing nothing), the property gets the same one back.
        let now = Timestamp::now();
        let today = JalaliDate::from_timestamp(now);
        let year_began = JalaliDate::new(today.year(), 1, 1)
            .map(|first| first.start_in_tehran())
            .map_err(|error| anyhow::anyhow!("the year's first day: {error}"))?;
        for _ in 0..CODE_DRAWS {
            let code = ClearanceCode::from_random(self.codes.draw());
            match self
                .store
                .issue_clearance(
                    district,
                    renewal_code,
                    code.as_str(),
                    issued_by,
                    now,
                    year_began,
                )
                .await
            {
                Err(StoreError::Conflict("clearance code")) => continue,
                outcome => return Ok(outcome?),
            }
        }
        Err(anyhow::anyhow!("{CODE_DRAWS} clearance codes drawn in a row were taken").into())
    }

    /// The clearances issued for a citizen's properties, newest first, to print again.
    pub async fn my_clearances(&self, who: &Principal) -> Result<Vec<Clearance>, BillingError> {
        match who {
            Principal::Citizen { national_id, .. } => {
                Ok(self.store.clearances_of_owner(national_id).await?)
            }
            Principal::Staff(_) => Ok(Vec::new()),
        }
    }

    /// The clearance a code names; a mistyped code is refused before the look-up.
    pub async fn verify_clearance(
        &self,
        code: &str,
        from: ReadFrom,
    ) -> Result<Clearance, BillingError> {
        let code = ClearanceCode::parse(code)
            .map_err(|error| BillingError::Invalid(ClearanceCode::error_code(error)))?;
        let code = &code;
        self.reads
            .read(
                from,
                |store| async move { store.clearance(code.as_str()).await },
            )
            .await?
            .ok_or(BillingError::NotFound)
    }
}
