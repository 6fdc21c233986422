//! Planned outages on the pages, a file an action:
//!
//! - [`list`]: `/outages`, public: the coming, current and past announcements, and for the
//!   system admin the form to announce one and a button to withdraw each.
//! - [`feed`]: `/outages.atom`, the same as an Atom feed.
//! - [`announce`]: `POST /outages` and `POST /outages/{id}/withdrawal`, the system admin's.
//!
//! Every page's banner is [`banner_text`], from `Layout::outages`.

mod announce;
mod feed;
mod list;

use axum::Router;
use axum::routing::{get, post};
use daftar_store::StoredOutage;

use crate::app::AppState;
use crate::i18n::Tr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/outages", get(list::page).post(announce::announce))
        .route("/outages.atom", get(feed::feed))
        .route("/outages/{id}/withdrawal", post(announce::withdraw))
}

/// What is affected, in the page's language.
fn affected<'a>(tr: &Tr, outage: &'a StoredOutage) -> &'a str {
    if tr.is_fa() {
        &outage.affected_fa
    } else {
        &outage.affected_en
    }
}

/// A banner's sentence: what is affected, from when to when (Tehran time).
pub(super) fn banner_text(tr: &Tr, outage: &StoredOutage) -> String {
    tr.tn(
        "outage-banner",
        &[
            ("affected", affected(tr, outage).to_owned()),
            ("from", tr.moment(outage.from)),
            ("to", tr.moment(outage.to)),
        ],
    )
}
