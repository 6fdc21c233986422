//! `GET /api/v1/surveys` (the form), `GET /api/v1/surveys/results` and
//! `GET /api/v1/surveys/results.csv` (a month's published results), public.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use daftar_app::survey::{GroupResult, Surveys};
use daftar_core::survey::{PUBLISHED_FROM, SurveyMonth};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiError, Bilingual, QueryParams};
use crate::error::AppError;

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SurveyFormView {
    items: Vec<SurveyItemView>,
    /// The scale's labels, from 1 up.
    scale: Vec<Bilingual>,
    /// Days after a case closes in which its applicant may answer.
    answer_days: u16,
    /// The fewest responses a group's results are published from.
    published_from: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SurveyItemView {
    #[schema(example = "informed")]
    key: String,
    /// A few words naming it in the results.
    label: Bilingual,
    question: Bilingual,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct MonthParams {
    /// A Jalali month, `1405-09`; the latest month with responses when absent.
    month: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ResultsView {
    #[schema(example = "1405-09")]
    month: String,
    /// The months that have responses, the latest first.
    months: Vec<String>,
    published_from: u64,
    units: Vec<GroupView>,
    services: Vec<GroupView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct GroupView {
    /// The unit's slug or the service's id.
    key: String,
    name: Bilingual,
    responses: u64,
    items: Vec<ItemView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ItemView {
    item: String,
    /// The mean score, 1 to 5, to two decimals.
    mean: f64,
    /// How many answered 1, 2, 3, 4 and 5.
    counts: [u64; 5],
}

fn month_of(params: &MonthParams) -> Result<Option<SurveyMonth>, AppError> {
    SurveyMonth::chosen(params.month.as_deref())
        .map_err(|refused| AppError::Invalid(refused.code()))
}

fn group_view(group: GroupResult) -> GroupView {
    GroupView {
        name: Bilingual::from(&group.name),
        responses: group.responses,
        items: group
            .items
            .into_iter()
            .map(|(item, tally)| ItemView {
                item,
                mean: (tally.mean().unwrap_or(0.0) * 100.0).round() / 100.0,
                counts: tally.counts,
            })
            .collect(),
        key: group.key,
    }
}

#[utoipa::path(get, path = "/api/v1/surveys", tag = "surveys",
    responses((status = 200, description = "The survey a closed case's applicant answers", body = SurveyFormView)))]
pub(in crate::api) async fn form(State(surveys): State<Surveys>) -> Json<SurveyFormView> {
    let form = surveys.form();
    Json(SurveyFormView {
        items: form
            .items
            .iter()
            .map(|item| SurveyItemView {
                key: item.key.clone(),
                label: Bilingual::from(&item.label),
                question: Bilingual::from(&item.question),
            })
            .collect(),
        scale: form.scale.iter().map(Bilingual::from).collect(),
        answer_days: form.answer_days,
        published_from: PUBLISHED_FROM,
    })
}

#[utoipa::path(get, path = "/api/v1/surveys/results", tag = "surveys", params(MonthParams),
    responses(
        (status = 200, description = "A month's published results per unit and per service: a service from five responses, in steps of five; a unit sums its published services", body = ResultsView),
        (status = 422, description = "Not a month", body = ApiError),
    ))]
pub(in crate::api) async fn results(
    State(surveys): State<Surveys>,
    crate::auth::ReadsFrom(from): crate::auth::ReadsFrom,
    QueryParams(params): QueryParams<MonthParams>,
) -> Result<Json<ResultsView>, AppError> {
    let results = surveys.results(month_of(&params)?, from).await?;
    Ok(Json(ResultsView {
        month: results.month.iso(),
        months: results.months.iter().map(|m| m.iso()).collect(),
        published_from: PUBLISHED_FROM,
        units: results.units.into_iter().map(group_view).collect(),
        services: results.services.into_iter().map(group_view).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/surveys/results.csv", tag = "surveys", params(MonthParams),
    responses(
        (status = 200, description = "The month's published results, a row per group and item", content_type = "text/csv"),
        (status = 422, description = "Not a month", body = ApiError),
    ))]
pub(in crate::api) async fn csv(
    State(surveys): State<Surveys>,
    crate::auth::ReadsFrom(from): crate::auth::ReadsFrom,
    QueryParams(params): QueryParams<MonthParams>,
) -> Result<impl IntoResponse, AppError> {
    let results = surveys.results(month_of(&params)?, from).await?;
    let disposition = format!("attachment; filename=\"{}\"", results.csv_file_name());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        results.to_csv()?,
    ))
}
