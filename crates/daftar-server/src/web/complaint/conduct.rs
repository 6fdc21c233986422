//! `/staff/conduct`: the staff named in complaints, and each one's conduct record — the
//! complaints and disputes naming them, with internal inspection's finding. For internal
//! inspection and the office head only.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use daftar_app::Complaints;
use daftar_store::StaffId;

use super::staff_account;
use crate::error::AppError;
use crate::extract::Path;
use crate::web::{Layout, Page};

#[derive(Template)]
#[template(path = "conduct.html")]
struct ConductPage {
    layout: Layout,
    /// The staff named, with their counts (the list), or one record.
    named: Vec<(String, String, String)>,
    record: Option<RecordView>,
}

struct RecordView {
    name: String,
    rows: Vec<RowView>,
}

struct RowView {
    case_href: String,
    tracking_code: String,
    kind: String,
    finding: String,
    finding_slug: String,
    answer: String,
    filed: String,
}

pub(super) async fn list(
    State(complaints): State<Complaints>,
    page: Page,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Ok(crate::web::staff_sign_in_then(&page.layout.path_and_query).into_response());
    };
    let tr = page.layout.tr;
    let named = complaints
        .named_staff(staff_account(user)?)
        .await?
        .into_iter()
        .map(|n| {
            (
                format!("/staff/conduct/{}", n.staff.0),
                n.display_name,
                tr.number(u64::try_from(n.count).unwrap_or(0)),
            )
        })
        .collect();
    page.render(&ConductPage {
        layout: page.layout.clone(),
        named,
        record: None,
    })
}

pub(super) async fn record(
    State(complaints): State<Complaints>,
    page: Page,
    Path(staff): Path<String>,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Ok(crate::web::staff_sign_in_then(&page.layout.path_and_query).into_response());
    };
    let tr = page.layout.tr;
    let staff = StaffId(staff.parse().map_err(|_| AppError::NotFound)?);
    let record = complaints
        .conduct_record(staff_account(user)?, staff)
        .await?;
    let rows = record
        .rows
        .into_iter()
        .map(|row| {
            let finding_slug = row
                .finding
                .clone()
                .unwrap_or_else(|| if row.open { "open" } else { "none" }.to_owned());
            RowView {
                case_href: format!("/cases/{}", row.case.0),
                tracking_code: tr.grouped(&row.tracking_code, 3),
                kind: tr.text(&row.kind),
                finding: tr.t(&format!(
                    "conduct-finding-{}",
                    finding_slug.replace('_', "-")
                )),
                finding_slug,
                answer: row.answer.unwrap_or_default(),
                filed: tr.moment(row.filed_at),
            }
        })
        .collect();
    page.render(&ConductPage {
        layout: page.layout.clone(),
        named: Vec::new(),
        record: Some(RecordView {
            name: record.display_name,
            rows,
        }),
    })
}
