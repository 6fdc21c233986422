//! Query strings, read the same way by the pages and the API: a rejection is our 422, and
//! a work queue's filters.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use daftar_app::cases::QueueFilter;
use daftar_store::QueueOrder;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Query parameters whose rejection is an [`AppError`] (422 with a code); pages use it too.
/// Read by serde_urlencoded itself: axum's `Query` also tracks the path to a field that
/// fails, which our 422 never shows, at a cost on every public look-up.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query)
            .map(QueryParams)
            .map_err(|_| AppError::Invalid("request.invalid"))
    }
}

/// A work queue's filters as a query string has them
/// (`?q=&service=&district=&overdue=1&mine=1&sort=-received&page=`).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct QueueParams {
    pub service: Option<String>,
    pub district: Option<String>,
    #[serde(default)]
    pub overdue: Option<String>,
    #[serde(default)]
    pub mine: Option<String>,
    /// A tracking code or an applicant's national ID.
    #[param(max_length = 40)]
    pub q: Option<String>,
    /// `due` (the default), `received` or `code`; a leading `-` sorts descending.
    #[param(pattern = r"^-?(due|received|code)$")]
    pub sort: Option<String>,
    pub page: Option<u32>,
}

impl QueueParams {
    pub(crate) fn filter(&self) -> Result<QueueFilter, AppError> {
        let flag = |value: &Option<String>| {
            value
                .as_deref()
                .is_some_and(|v| matches!(v, "true" | "1" | "on" | "yes"))
        };
        let district = match self.district.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                daftar_core::fa::normalize_digits(text)
                    .parse::<u16>()
                    .map_err(|_| AppError::Invalid("district.invalid"))?,
            ),
        };
        let sort = self.sort.as_deref().unwrap_or("due").trim();
        let (descending, key) = match sort.strip_prefix('-') {
            Some(key) => (true, key),
            None => (false, sort),
        };
        let order = match key {
            "" | "due" => QueueOrder::Due,
            "received" => QueueOrder::Received,
            "code" => QueueOrder::TrackingCode,
            _ => return Err(AppError::Invalid("queue.sort")),
        };
        Ok(QueueFilter {
            service_id: self.service.clone().filter(|s| !s.trim().is_empty()),
            district,
            overdue_only: flag(&self.overdue),
            mine: flag(&self.mine),
            search: self.q.clone().filter(|q| !q.trim().is_empty()),
            order,
            descending,
            page: self.page.unwrap_or(0).min(10_000),
        })
    }
}
