//! The work queues (کارتابل): a role's open tasks in the user's offices, by due date, and
//! the SLA sweep that marks the late ones and tells the office head.

use daftar_core::calendar::JalaliDate;
use daftar_core::cases::TrackingCode;
use daftar_core::ir::NationalId;
use daftar_core::roles::Role;
use daftar_store::{
    NewNotification, OverdueTask, QueueItem, QueueOrder, QueueQuery, QueueSearch, Recipient,
    StaffAccount,
};
use jiff::Timestamp;

use super::{CaseError, Cases};
use daftar_core::text::Text;

/// Filters of a work queue.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub service_id: Option<String>,
    pub district: Option<u16>,
    pub overdue_only: bool,
    /// Only the cases marked to the user.
    pub mine: bool,
    /// A tracking code or an applicant's national ID, as the clerk typed it.
    pub search: Option<String>,
    pub order: QueueOrder,
    pub descending: bool,
    pub page: u32,
}

/// What a clerk typed to find a case: a national ID (ten digits with a valid check
/// digit), else a tracking code, in either script, spaces and dashes ignored.
pub fn parse_queue_search(typed: &str) -> Result<QueueSearch, CaseError> {
    let digits: String = daftar_core::fa::normalize_digits(typed)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if let Ok(national_id) = NationalId::parse(&digits) {
        return Ok(QueueSearch::Applicant(national_id.as_str().to_owned()));
    }
    TrackingCode::parse(&digits)
        .map(|code| QueueSearch::TrackingCode(code.to_string()))
        .map_err(|_| CaseError::Invalid("queue.search"))
}

pub const QUEUE_PAGE: i64 = 50;

/// A page of a queue, with the whole queue's counts (see [`daftar_store::QueuePage`]).
#[derive(Debug, Clone)]
pub struct Queue {
    /// Which page this is, from 0, of [`QUEUE_PAGE`] rows each.
    pub page: u32,
    pub items: Vec<QueueEntry>,
    pub total: u64,
    pub overdue: u64,
}

/// A queue's row, with its state named.
#[derive(Debug, Clone)]
pub struct QueueEntry {
    pub item: QueueItem,
    pub state_name: Text,
}

/// The notice the office head gets when a file in some unit's queue passes its due date.
fn overdue_notice(task: &OverdueTask) -> Vec<NewNotification> {
    let text = daftar_core::fa::to_persian_digits(&format!(
        "دفتر خدمات الکترونیک شهر: پرونده {} در کارتابل «{}» از مهلت رسیدگی گذشته است.",
        task.tracking_code,
        task.role.name().fa
    ));
    vec![NewNotification {
        to: Recipient::Role(task.office.clone(), Role::OfficeHead),
        text,
    }]
}

/// The store's query for a page of `limit` rows of a role's queue, for staff holding it.
fn queue_query(
    account: &StaffAccount,
    role: Role,
    filter: &QueueFilter,
    limit: i64,
) -> Result<QueueQuery, CaseError> {
    if !account.has_role(role) {
        return Err(CaseError::NotAllowed("auth.forbidden"));
    }
    let follow_up = role == Role::FollowUp;
    Ok(QueueQuery {
        role: (!follow_up).then_some(role),
        offices: account.offices_for(role).cloned().collect(),
        assignee: filter.mine.then_some(account.id),
        viewer: Some(account.id),
        service_id: filter.service_id.clone(),
        district: filter.district,
        overdue_only: filter.overdue_only || follow_up,
        search: filter
            .search
            .as_deref()
            .filter(|typed| !typed.trim().is_empty())
            .map(parse_queue_search)
            .transpose()?,
        order: filter.order,
        descending: filter.descending,
        limit,
        offset: i64::from(filter.page) * limit,
    })
}

impl Cases {
    /// A role's work queue, for staff holding it. The follow-up unit's queue is every
    /// overdue case of its offices, whoever's it is.
    pub async fn queue(
        &self,
        account: &StaffAccount,
        role: Role,
        filter: &QueueFilter,
    ) -> Result<Queue, CaseError> {
        let query = queue_query(account, role, filter, QUEUE_PAGE)?;
        let today = JalaliDate::from_timestamp(Timestamp::now());
        let page = self.store.queue(&query, today).await?;
        Ok(Queue {
            page: filter.page,
            total: page.total,
            overdue: page.overdue,
            items: page
                .items
                .into_iter()
                .map(|item| QueueEntry {
                    state_name: self.state_name(
                        &item.workflow_id,
                        item.workflow_version,
                        &item.state,
                    ),
                    item,
                })
                .collect(),
        })
    }

    /// How many open tasks each of the user's queues holds, for the navigation: the
    /// counts only, without reading a page of rows.
    pub async fn queue_counts(
        &self,
        account: &StaffAccount,
    ) -> Result<Vec<(Role, u64)>, CaseError> {
        let mut roles: Vec<Role> = account.roles.iter().map(|(_, role)| *role).collect();
        roles.sort_by_key(|role| role.slug());
        roles.dedup();
        let today = JalaliDate::from_timestamp(Timestamp::now());
        let mut counts = Vec::with_capacity(roles.len());
        for role in roles {
            let query = queue_query(account, role, &QueueFilter::default(), 0)?;
            counts.push((role, self.store.queue(&query, today).await?.total));
        }
        Ok(counts)
    }

    /// Marks the tasks past their due date overdue and notifies the office head, once each.
    pub async fn sweep_overdue(&self, now: Timestamp) -> Result<Vec<OverdueTask>, CaseError> {
        let today = JalaliDate::from_timestamp(now);
        Ok(self
            .store
            .sweep_overdue(today, now, &overdue_notice)
            .await?)
    }
}
