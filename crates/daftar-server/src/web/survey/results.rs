//! `/surveys`: the published results of the satisfaction survey for a Jalali month, per
//! unit and per service, with a bar per item; a service below five responses is not
//! listed. `/surveys.csv` is the same month as CSV. Remarks are never shown.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use daftar_app::survey::{GroupResult, Surveys};
use daftar_core::survey::{PUBLISHED_FROM, SurveyMonth};
use serde::Deserialize;

use super::chart::{self, Bar};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::query::QueryParams;
use crate::web::{Layout, Page};

#[derive(Template)]
#[template(path = "surveys.html")]
struct ResultsPage {
    layout: Layout,
    month: String,
    month_name: String,
    /// The months with responses: value and name.
    months: Vec<(String, String)>,
    /// The scale's labels and colours, for the legend.
    legend: Vec<(String, &'static str)>,
    units: Vec<GroupView>,
    services: Vec<GroupView>,
    published_from: String,
}

struct GroupView {
    id: String,
    name: String,
    responses: String,
    items: Vec<ItemView>,
}

struct ItemView {
    label: String,
    mean: String,
    bar: Bar,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct MonthQuery {
    #[serde(default)]
    month: String,
}

fn month_of(query: &MonthQuery) -> Result<Option<SurveyMonth>, AppError> {
    SurveyMonth::chosen(Some(&query.month)).map_err(|refused| AppError::Invalid(refused.code()))
}

fn month_name(tr: &Tr, month: SurveyMonth) -> String {
    match month.first_day() {
        Some(day) if tr.is_fa() => tr.digits(&format!("{} {}", day.month_name_fa(), day.year())),
        Some(day) => format!("{} {}", day.month_name_en(), day.year()),
        None => month.iso(),
    }
}

pub(super) async fn page(
    State(surveys): State<Surveys>,
    crate::auth::ReadsFrom(from): crate::auth::ReadsFrom,
    page: Page,
    QueryParams(query): QueryParams<MonthQuery>,
) -> Result<Response, AppError> {
    let tr = page.layout.tr;
    let results = surveys.results(month_of(&query)?, from).await?;
    let form = surveys.form();
    let scale: Vec<String> = form
        .scale
        .iter()
        .enumerate()
        .map(|(at, label)| format!("{} {}", tr.number(at as u64 + 1), tr.text(label)))
        .collect();
    let group = |prefix: &str, group: &GroupResult| GroupView {
        id: format!("{prefix}-{}", group.key),
        name: tr.text(&group.name),
        responses: tr.number(group.responses),
        items: group
            .items
            .iter()
            .map(|(item, tally)| ItemView {
                label: form
                    .item(item)
                    .map(|known| tr.text(&known.label))
                    .unwrap_or_else(|| item.clone()),
                mean: chart::mean(&tr, tally),
                bar: chart::bar(&tr, tally, &scale),
            })
            .collect(),
    };
    let mut months: Vec<(String, String)> = results
        .months
        .iter()
        .map(|month| (month.iso(), month_name(&tr, *month)))
        .collect();
    if !results.months.contains(&results.month) {
        months.insert(0, (results.month.iso(), month_name(&tr, results.month)));
    }
    let view = ResultsPage {
        layout: page.layout.clone(),
        month: results.month.iso(),
        month_name: month_name(&tr, results.month),
        months,
        legend: scale.iter().cloned().zip(chart::COLOURS).collect(),
        units: results.units.iter().map(|g| group("unit", g)).collect(),
        services: results
            .services
            .iter()
            .map(|g| group("service", g))
            .collect(),
        published_from: tr.number(PUBLISHED_FROM),
    };
    page.render(&view)
}

pub(super) async fn csv(
    State(surveys): State<Surveys>,
    crate::auth::ReadsFrom(from): crate::auth::ReadsFrom,
    QueryParams(query): QueryParams<MonthQuery>,
) -> Result<Response, AppError> {
    let results = surveys.results(month_of(&query)?, from).await?;
    let disposition = format!("attachment; filename=\"{}\"", results.csv_file_name());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        results.to_csv()?,
    )
        .into_response())
}
