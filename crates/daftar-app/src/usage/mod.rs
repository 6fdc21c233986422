//! The operator-usage report: how the office's staff used the desk on a day or in any
//! Jalali period, from the case history and the staff sign-ins (never from logs), for the
//! office head and the office manager (`/staff/reports/usage`) and for the IT staff
//! (`daftar report usage`). Its files are in [`files`]: CSV and XLSX.

pub mod files;

use std::collections::BTreeSet;
use std::sync::Arc;

use daftar_core::calendar::JalaliDate;
use daftar_core::roles::{OfficeCode, Role};
use daftar_core::usage::{
    PeriodRefused, SignIn, StaffAction, UsageReport, check_period, summarize,
};
use daftar_core::workflow::Owner;
use daftar_store::{StaffActionRow, Store};
use jiff::Timestamp;

use crate::accounts::Principal;
use crate::cases::Cases;

#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// Only the office head and the office manager read it (`usage.head_only`).
    #[error("not allowed: {0}")]
    NotAllowed(&'static str),
    /// A bad period (`usage.order`, `usage.too_long`).
    #[error("{0}")]
    Period(#[from] PeriodRefused),
    #[error(transparent)]
    Store(#[from] daftar_store::StoreError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

#[derive(Debug, Clone)]
pub struct Usage {
    store: Arc<dyn Store>,
    cases: Cases,
}

impl Usage {
    pub fn new(store: Arc<dyn Store>, cases: Cases) -> Usage {
        Usage { store, cases }
    }

    /// The office whose report `who` may read: one they head or manage.
    pub fn office_of(&self, who: &Principal) -> Result<OfficeCode, UsageError> {
        match who {
            Principal::Staff(account) => account
                .roles
                .iter()
                .find(|(_, role)| matches!(role, Role::OfficeHead | Role::OfficeManager))
                .map(|(office, _)| office.clone())
                .ok_or(UsageError::NotAllowed("usage.head_only")),
            Principal::Citizen { .. } => Err(UsageError::NotAllowed("usage.head_only")),
        }
    }

    /// The report of `who`'s office for the days `from` to `to`, both included.
    pub async fn report(
        &self,
        who: &Principal,
        from: JalaliDate,
        to: JalaliDate,
    ) -> Result<UsageReport, UsageError> {
        let office = self.office_of(who)?;
        self.report_for(&office, from, to).await
    }

    /// The report of an office for the days `from` to `to` (the command line's).
    pub async fn report_for(
        &self,
        office: &OfficeCode,
        from: JalaliDate,
        to: JalaliDate,
    ) -> Result<UsageReport, UsageError> {
        check_period(from, to)?;
        let start = from.start_in_tehran();
        let end = to.add_days(1).start_in_tehran();
        let rows = self.store.staff_actions(office, start, end).await?;
        let actions: Vec<StaffAction> = rows.into_iter().map(|row| self.action_of(row)).collect();
        let acted: BTreeSet<i64> = actions.iter().map(|a| a.staff).collect();
        let members: BTreeSet<i64> = self
            .store
            .office_members(office)
            .await?
            .into_iter()
            .collect();
        let sign_ins: Vec<SignIn> = self
            .store
            .staff_sign_ins(start, end)
            .await?
            .into_iter()
            .filter(|row| members.contains(&row.staff_id) || acted.contains(&row.staff_id))
            .map(|row| SignIn {
                staff: row.staff_id,
                at: row.at(),
                name: row.display_name,
            })
            .collect();
        let today = JalaliDate::from_timestamp(Timestamp::now()).iso_jalali();
        let overdue = self.store.overdue_held(office, &today).await?;
        Ok(summarize(from, to, &actions, &sign_ins, &overdue))
    }

    /// A history row as the report counts it: the unit whose queue the case was in (the
    /// state's owner, or the deciding branch's), and whether the action closed the case,
    /// both as the case's workflow version says.
    fn action_of(&self, row: StaffActionRow) -> StaffAction {
        let version = u32::try_from(row.workflow_version).unwrap_or(0);
        let definition = self.cases.workflow(&row.workflow_id, version);
        let owner_unit = self
            .cases
            .catalog()
            .get(&row.service_id)
            .map(|service| service.owner_unit);
        let mut parts = row.action.split(':');
        let kind = parts.next().unwrap_or_default().to_owned();
        let branch = parts.next().map(str::to_owned);
        let unit = definition
            .zip(row.from_state.as_deref())
            .and_then(|(definition, from)| definition.state(from))
            .zip(owner_unit)
            .and_then(|(state, owner_unit)| match &state.owner {
                Owner::Role(role) => Some(role.resolve(owner_unit)),
                Owner::Parallel { branches, .. } => branches
                    .iter()
                    .find(|b| Some(&b.id) == branch.as_ref())
                    .map(|b| b.role.resolve(owner_unit)),
                Owner::Applicant | Owner::Nobody(_) => None,
            });
        let closed = row.from_state.as_deref() != Some(row.to_state.as_str())
            && definition
                .and_then(|definition| definition.state(&row.to_state))
                .is_some_and(|state| state.is_terminal());
        StaffAction {
            staff: row.staff_id,
            at: row.at(),
            reached: row.reached(),
            name: row.actor_name,
            unit,
            service: row.service_id,
            kind,
            closed,
        }
    }

    /// A service's title in Persian and English, for the report's files and page.
    pub fn service_title(&self, id: &str) -> Option<daftar_core::text::Text> {
        self.cases.catalog().get(id).map(|s| s.title.clone())
    }
}
