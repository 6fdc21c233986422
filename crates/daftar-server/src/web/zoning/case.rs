//! The inquiry on the case page: the latest answer recorded, with its map order (what
//! plan approval reads), and for formation while it has the case, the button that records
//! it ([`super::record`]), with a point for a plot the GIS has not drawn.

use daftar_app::Zoning;
use daftar_app::cases::{CaseView, Standing};
use daftar_core::calendar::JalaliDate;
use daftar_core::roles::Role;

use super::view::{Answer, OrderView, answer, order_view};
use crate::error::AppError;
use crate::web::{Page, isolated};

/// The inquiry section of a case page.
#[derive(Debug, Clone)]
pub struct InquirySection {
    /// Who recorded the latest answer and when; none before the first.
    pub meta: Option<String>,
    pub form: Option<InquiryForm>,
}

/// Formation's form: an optional point, and the message of a refused attempt.
#[derive(Debug, Clone, Default)]
pub struct InquiryForm {
    pub lon: String,
    pub lat: String,
    pub error: Option<String>,
}

/// The section, the answer and the map order, for a case page the user has just been
/// shown through [`daftar_app::Cases::view`].
pub async fn for_case_page(
    zoning: &Zoning,
    page: &Page,
    view: &CaseView,
    typed: Option<InquiryForm>,
) -> Result<(Option<InquirySection>, Option<Answer>, Option<OrderView>), AppError> {
    let latest = zoning.of_case_seen(view.case.id).await?.into_iter().next();
    // The inquiry is about the property the case names.
    let names_property = daftar_app::cases::property_of(&view.case).is_some();
    let forms = names_property
        && matches!(&view.standing, Standing::Staff(roles) if roles.contains(&Role::Formation))
        && view.tasks.iter().any(|task| task.role == Role::Formation);
    if latest.is_none() && !forms {
        return Ok((None, None, None));
    }
    let tr = page.layout.tr;
    let meta = latest.as_ref().map(|latest| {
        let when = tr.day(JalaliDate::from_timestamp(latest.recorded_at));
        let separator = if tr.is_fa() { "، " } else { ", " };
        tr.t2(
            "case-inquiry-meta",
            "version",
            &tr.number(u64::try_from(latest.version).unwrap_or(0)),
            "who",
            &format!("{}{separator}{when}", isolated(&latest.recorded_by_name)),
        )
    });
    let order = latest
        .as_ref()
        .and_then(|latest| latest.map_order())
        .map(|order| order_view(page, &order));
    let answer = latest.map(|latest| answer(page, latest.inquiry));
    let section = InquirySection {
        meta,
        form: forms.then(|| typed.unwrap_or_default()),
    };
    Ok((Some(section), answer, order))
}
