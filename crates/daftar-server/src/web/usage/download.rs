//! `/staff/reports/usage.csv` and `/staff/reports/usage.xlsx`: the period's report as a
//! file, for the office head and manager.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use daftar_app::usage::Usage;

use super::PeriodQuery;
use crate::error::AppError;
use crate::query::QueryParams;
use crate::web::Page;

async fn file(
    usage: &Usage,
    page: &Page,
    query: &PeriodQuery,
    xlsx: bool,
) -> Result<Response, AppError> {
    let Some(user) = page.user.as_ref() else {
        return Ok(crate::web::staff_sign_in_then(&page.layout.path_and_query).into_response());
    };
    let (from, to) = query.days()?;
    let report = usage.report(&user.principal, from, to).await?;
    let name = format!(
        "daftar-usage-{}-{}",
        report.from.iso_jalali(),
        report.to.iso_jalali()
    );
    let (content_type, extension, bytes) = if xlsx {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            usage.to_xlsx(&report)?,
        )
    } else {
        (
            "text/csv; charset=utf-8",
            "csv",
            usage.to_csv(&report)?.into_bytes(),
        )
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{extension}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

pub(super) async fn csv(
    State(usage): State<Usage>,
    page: Page,
    QueryParams(query): QueryParams<PeriodQuery>,
) -> Result<Response, AppError> {
    file(&usage, &page, &query, false).await
}

pub(super) async fn xlsx(
    State(usage): State<Usage>,
    page: Page,
    QueryParams(query): QueryParams<PeriodQuery>,
) -> Result<Response, AppError> {
    file(&usage, &page, &query, true).await
}
