//! `/design`: every component of the design system on one page, in the page's language,
//! for the developers who build pages and the staff who review them. It shows no one's
//! data: the values are examples.

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

use super::{Layout, Page};
use crate::app::AppState;
use crate::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new().route("/design", get(design))
}

/// A stage of a timeline: done, the current one, or one to come.
pub struct Stage {
    pub name: String,
    pub note: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "design.html")]
struct DesignView {
    layout: Layout,
    errors: Vec<(&'static str, String)>,
    stages: Vec<Stage>,
    tracking_code: String,
    amount: String,
}

async fn design(page: Page) -> Result<Response, AppError> {
    let tr = page.layout.tr;
    let errors = vec![
        ("design-national-id", tr.t("design-error-national-id")),
        ("design-service", tr.t("design-error-service")),
    ];
    let stage = |id: &str, note: String, status| Stage {
        name: tr.t(id),
        note,
        status,
    };
    let day = |d| {
        daftar_core::calendar::JalaliDate::new(1405, 9, d)
            .map(|date| tr.day(date))
            .unwrap_or_default()
    };
    let stages = vec![
        stage("design-stage-applied", day(1), "done"),
        stage("design-stage-formation", day(2), "done"),
        stage(
            "design-stage-inspection",
            tr.t("design-stage-now"),
            "current",
        ),
        stage("design-stage-permit", String::new(), "next"),
    ];
    page.render(&DesignView {
        layout: page.layout.clone(),
        errors,
        stages,
        tracking_code: tr.grouped("83512104592", 3),
        amount: tr.t1("rials", "amount", &tr.number(3_850_000)),
    })
}
