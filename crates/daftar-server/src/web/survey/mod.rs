//! Satisfaction surveys on the pages, a file an action:
//!
//! - [`answer`]: `/cases/{id}/survey`, the applicant's: the survey of their closed case,
//!   and its answer.
//! - [`results`]: `/surveys` and `/surveys.csv`, public: a month's results per unit and
//!   per service, with their charts ([`chart`]).

mod answer;
mod chart;
mod results;

use axum::Router;
use axum::routing::get;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/survey", get(answer::page).post(answer::answer))
        .route("/surveys", get(results::page))
        .route("/surveys.csv", get(results::csv))
}
