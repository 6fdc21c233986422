//! `/outages`: the planned outages announced, coming and under way first, then the past
//! ones of the last 90 days; for the system admin, the form to announce one.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use daftar_app::outage::Outages;
use daftar_core::outage::phase;
use jiff::Timestamp;
use serde::Deserialize;

use super::affected;
use crate::error::AppError;
use crate::query::QueryParams;
use crate::web::{Layout, Page};

#[derive(Template)]
#[template(path = "outages.html")]
pub(super) struct OutagesPage {
    layout: Layout,
    outages: Vec<OutageRow>,
    /// The announcing form, for the system admin: what was typed and the refusal.
    pub(super) form: Option<(AnnounceForm, Option<String>)>,
    notice: Option<String>,
}

struct OutageRow {
    id: i64,
    /// `coming`, `now` or `past`: the tag's class.
    phase: &'static str,
    phase_label: String,
    affected: String,
    from: String,
    to: String,
    announced: String,
}

/// The announcing form as typed: Jalali days and Tehran times.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct AnnounceForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) from_day: String,
    #[serde(default)]
    pub(super) from_time: String,
    #[serde(default)]
    pub(super) to_day: String,
    #[serde(default)]
    pub(super) to_time: String,
    #[serde(default)]
    pub(super) affected_fa: String,
    #[serde(default)]
    pub(super) affected_en: String,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Shown {
    #[serde(default)]
    done: Option<String>,
}

pub(super) async fn page(
    State(outages): State<Outages>,
    page: Page,
    QueryParams(shown): QueryParams<Shown>,
) -> Result<Response, AppError> {
    let notice = shown.done.map(|_| page.layout.tr.t("outage-saved"));
    render(&outages, &page, StatusCode::OK, None, notice).await
}

/// The page, with the admin's form as typed and its refusal when there is one.
pub(super) async fn render(
    outages: &Outages,
    page: &Page,
    status: StatusCode,
    typed: Option<(AnnounceForm, Option<String>)>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let tr = page.layout.tr;
    let now = Timestamp::now();
    let mut listed = outages.listed().await?;
    // Coming and current first, the soonest on top; then the past, the latest on top.
    listed.sort_by_key(|outage| {
        let over = outage.to <= now;
        (
            over,
            if over {
                -outage.from.as_second()
            } else {
                outage.from.as_second()
            },
        )
    });
    let rows = listed
        .iter()
        .map(|outage| {
            let phase = phase(outage.from, outage.to, now);
            OutageRow {
                id: outage.id,
                phase: phase.slug(),
                phase_label: tr.t(&format!("outage-phase-{}", phase.slug())),
                affected: affected(&tr, outage).to_owned(),
                from: tr.moment(outage.from),
                to: tr.moment(outage.to),
                announced: tr.moment(outage.announced_at),
            }
        })
        .collect();
    let is_admin = page
        .user
        .as_ref()
        .is_some_and(|user| outages.may_announce(&user.principal).is_ok());
    let form = is_admin.then(|| typed.unwrap_or_default());
    let view = OutagesPage {
        layout: page.layout.clone(),
        outages: rows,
        form,
        notice,
    };
    Ok((status, page.render(&view)?).into_response())
}
