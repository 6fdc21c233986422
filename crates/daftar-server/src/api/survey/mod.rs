//! Satisfaction surveys in the API, a file an action:
//!
//! - [`answer`]: `GET` and `POST /cases/{id}/survey`, the applicant's: where the survey
//!   stands, and the answer.
//! - [`results`]: `GET /surveys`, `GET /surveys/results` and `GET /surveys/results.csv`,
//!   public: the form, and a month's published results.

pub(super) mod answer;
pub(super) mod results;

use axum::Router;
use axum::routing::get;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/cases/{id}/survey",
            get(answer::standing).post(answer::answer),
        )
        .route("/api/v1/surveys", get(results::form))
        .route("/api/v1/surveys/results", get(results::results))
        .route("/api/v1/surveys/results.csv", get(results::csv))
}
