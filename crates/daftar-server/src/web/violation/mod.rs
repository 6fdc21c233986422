//! Violations on the case page: what the sketch shows against the permit and the plan,
//! the review, the commission's rulings, the deadlines and the fine's bill; the review
//! form for the violation-review unit ([`review`]) and the ruling form for the
//! commission's secretary ([`ruling`]); permit drafting's form on the property file
//! ([`permit`]); the registry letter that opens a violation case, from the property file
//! ([`letter`]); and the register of fire-safety firms ([`firms`]).

mod firms;
mod letter;
mod permit;
mod review;
mod ruling;

use axum::Router;
use axum::handler::Handler;
use axum::routing::{get, post};
use daftar_app::Violations;
use daftar_app::cases::{CaseView, Standing};
use daftar_core::calendar::JalaliDate;
use daftar_core::roles::Role;
use daftar_core::violation::{
    ReviewDecision, ReviewedViolation, RulingDecision, RulingLevel, Unit, Violation,
};
use jiff::Timestamp;

pub use letter::LetterForm;
pub use permit::PermitForm;
pub use review::ReviewForm;
pub use ruling::RulingForm;

use crate::app::AppState;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::web::sketch::decimal;
use crate::web::{Page, isolated};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/violations/review", post(review::review))
        .route("/cases/{id}/ruling", post(ruling::rule))
        .route(
            "/properties/{district}/{renewal_code}/permit",
            post(permit::record),
        )
        .route(
            "/properties/{district}/{renewal_code}/registry-letter",
            post(letter::open.layer(crate::app::upload_limit())),
        )
        .route(
            "/staff/fire-safety-firms",
            get(firms::firms_page).post(firms::register),
        )
}

/// The violations section of a case page.
#[derive(Debug, Clone)]
pub struct ViolationSection {
    /// When they were computed, and that the fines' values are made up for the demo.
    pub meta: String,
    pub demo: bool,
    /// The reviewed list once there is one, else the computed list.
    pub rows: Vec<ViolationRow>,
    pub reviewed_meta: Option<String>,
    /// Total area and the fines' range.
    pub total: String,
    pub deadlines: Vec<String>,
    pub rulings: Vec<RulingView>,
    pub bills: Vec<FineBillRow>,
    pub review_form: Option<ReviewForm>,
    pub ruling_form: Option<RulingForm>,
}

#[derive(Debug, Clone)]
pub struct ViolationRow {
    pub n: String,
    pub kind: String,
    pub floor: String,
    pub quantity: String,
    pub note: String,
    pub fine: String,
    pub formula: String,
    /// The review's word and reason, once reviewed.
    pub review: String,
    pub dismissed: bool,
}

#[derive(Debug, Clone)]
pub struct RulingView {
    pub title: String,
    pub issued: bool,
    pub items: Vec<(String, String)>,
    /// The fines' sum in figures and, on a Persian page, in words.
    pub total: String,
    pub in_words: String,
}

#[derive(Debug, Clone)]
pub struct FineBillRow {
    pub bill_id: String,
    pub payment_id: String,
    pub amount: String,
    pub status: String,
    pub payable: bool,
    pub href: String,
}

/// The section, for a case page the user has just been shown through
/// [`daftar_app::Cases::view`]; none for a case with no violations and no commission.
pub async fn for_case_page(
    violations: &Violations,
    page: &Page,
    view: &CaseView,
    typed_review: Option<ReviewForm>,
    typed_ruling: Option<RulingForm>,
) -> Result<Option<ViolationSection>, AppError> {
    let case = &view.case;
    let staff = matches!(&view.standing, Standing::Staff(_));
    let found = violations.of_case_seen(case, staff).await?;
    let is_violation_case = case.workflow_id == daftar_app::violation::VIOLATION_WORKFLOW;
    if found.computed.is_empty() && found.computed_at.is_none() && !is_violation_case {
        return Ok(None);
    }
    let tr = page.layout.tr;
    let holds = |role: Role| {
        matches!(&view.standing, Standing::Staff(roles) if roles.contains(&role))
            && view.tasks.iter().any(|task| task.role == role)
    };
    let meta = match found.computed_at {
        Some(at) => tr.t1(
            "violations-meta",
            "when",
            &tr.day(JalaliDate::from_timestamp(at)),
        ),
        None => tr.t("violations-none-yet"),
    };
    let rows: Vec<ViolationRow> = match &found.reviewed {
        Some(review) => review
            .violations
            .iter()
            .enumerate()
            .map(|(n, reviewed)| reviewed_row(&tr, n, reviewed))
            .collect(),
        None => found
            .computed
            .iter()
            .enumerate()
            .map(|(n, violation)| row(&tr, n, violation))
            .collect(),
    };
    let standing: Vec<&Violation> = match &found.reviewed {
        Some(review) => review
            .violations
            .iter()
            .filter(|v| v.stands())
            .map(|v| &v.violation)
            .collect(),
        None => found.computed.iter().collect(),
    };
    let (area, min, max) = daftar_core::violation::totals(standing.iter().copied());
    let total = tr.tn(
        "violations-total",
        &[
            ("count", tr.number(standing.len() as u64)),
            (
                "area",
                decimal(&tr, &daftar_core::sketch::centi_m2_text(area)),
            ),
            ("min", rials(&tr, min)),
            ("max", rials(&tr, max)),
        ],
    );
    let reviewed_meta = found.reviewed.as_ref().map(|review| {
        tr.t2(
            "violations-reviewed-meta",
            "who",
            &isolated(&review.by_name),
            "when",
            &tr.day(JalaliDate::from_timestamp(review.at)),
        )
    });
    let today = JalaliDate::from_timestamp(Timestamp::now());
    let mut deadlines = Vec::new();
    if let Some(session) = found.session_date {
        deadlines.push(tr.t1("violations-session-on", "date", &tr.day(session)));
    }
    if let Some(last) = found.defence_deadline {
        deadlines.push(tr.t1("violations-defence-until", "date", &tr.day(last)));
    }
    if let Some(last) = found.objection_deadline {
        let left = today.days_until(last);
        deadlines.push(if left >= 0 {
            tr.t2(
                "violations-objection-until",
                "date",
                &tr.day(last),
                "days",
                &tr.number(u64::try_from(left).unwrap_or(0)),
            )
        } else {
            tr.t1("violations-objection-ended", "date", &tr.day(last))
        });
    }
    let standing_titles: Vec<String> = match &found.reviewed {
        Some(review) => review
            .violations
            .iter()
            .enumerate()
            .filter(|(_, v)| v.stands())
            .map(|(n, v)| title(&tr, n, &v.violation))
            .collect(),
        None => Vec::new(),
    };
    let rulings = found
        .rulings
        .iter()
        .map(|recorded| {
            let ruling = &recorded.ruling;
            let mut level = match ruling.level {
                RulingLevel::First => tr.t("ruling-first"),
                RulingLevel::Appeal => tr.t("ruling-appeal"),
            };
            // A case sent back for an unpaid commercial fine is ruled on again.
            if recorded.round > 1 {
                level = tr.tn(
                    "ruling-round",
                    &[
                        ("level", level),
                        ("round", tr.number(recorded.round.unsigned_abs())),
                    ],
                );
            }
            let fines: i64 = ruling.fines().sum();
            RulingView {
                title: tr.tn(
                    "ruling-title",
                    &[
                        ("level", level),
                        (
                            "number",
                            format!("\u{2066}{}\u{2069}", tr.digits(ruling.number.as_str())),
                        ),
                        ("date", tr.day(ruling.date)),
                    ],
                ),
                issued: recorded.issued,
                items: ruling
                    .items
                    .iter()
                    .enumerate()
                    .map(|(n, item)| {
                        let what = match item.decision {
                            RulingDecision::Demolition => tr.t("ruling-demolition"),
                            RulingDecision::RestoreUse => tr.t("ruling-restore-use"),
                            RulingDecision::Fine { amount_rials } => {
                                tr.t1("ruling-fine-of", "amount", &rials(&tr, amount_rials))
                            }
                        };
                        let what = match &item.outside_range_reason {
                            Some(reason) => format!(
                                "{what} — {}",
                                tr.t1("ruling-outside-range", "reason", reason)
                            ),
                            None => what,
                        };
                        (
                            standing_titles
                                .get(n)
                                .cloned()
                                .unwrap_or_else(|| tr.number(n as u64 + 1)),
                            what,
                        )
                    })
                    .collect(),
                total: rials(&tr, fines),
                in_words: if tr.is_fa() && fines > 0 {
                    format!(
                        "{} ریال",
                        daftar_core::fa::amount_in_words(u64::try_from(fines).unwrap_or(0))
                    )
                } else {
                    String::new()
                },
            }
        })
        .collect();
    // A violation case's bills are its fines; another case's own bills (a permit's fees)
    // are listed by the case page itself.
    let bills = if is_violation_case {
        bill_rows(&tr, &found.bills)
    } else {
        Vec::new()
    };
    let review_form = (case.state == "violation_review"
        && holds(Role::ViolationReview)
        && !found.computed.is_empty())
    .then(|| review::form(&tr, &found.computed, typed_review));
    let ruling_form = (matches!(case.state.as_str(), "commission" | "appeal")
        && holds(Role::CommissionSecretary))
    .then(|| {
        let reviewed: Vec<&ReviewedViolation> = found
            .reviewed
            .iter()
            .flat_map(|r| r.violations.iter())
            .filter(|v| v.stands())
            .collect();
        ruling::form(&tr, case.state == "appeal", &reviewed, typed_ruling)
    });
    Ok(Some(ViolationSection {
        meta,
        demo: found.made_for_demo,
        rows,
        reviewed_meta,
        total,
        deadlines,
        rulings,
        bills,
        review_form,
        ruling_form,
    }))
}

/// Rials in the page's digits, with the unit.
fn rials(tr: &Tr, amount: i64) -> String {
    tr.t1(
        "rials",
        "amount",
        &tr.number(u64::try_from(amount).unwrap_or(0)),
    )
}

/// «۱. طبقه اضافه، طبقه ۲»: how a form and a ruling name a violation.
fn title(tr: &Tr, n: usize, violation: &Violation) -> String {
    let kind = tr.text(&violation.kind.name());
    match violation.floor {
        Some(level) => format!(
            "{}. {kind} — {}",
            tr.number(n as u64 + 1),
            floor_name(tr, level)
        ),
        None => format!("{}. {kind}", tr.number(n as u64 + 1)),
    }
}

fn floor_name(tr: &Tr, level: i16) -> String {
    match level {
        0 => tr.t("floor-ground"),
        l if l < 0 => tr.t1(
            "floor-basement",
            "n",
            &tr.number(u64::from(l.unsigned_abs())),
        ),
        l => tr.t1("floor-n", "n", &tr.number(u64::from(l.unsigned_abs()))),
    }
}

fn quantity(tr: &Tr, unit: Unit, quantity: i64) -> String {
    match unit {
        Unit::M2 => format!(
            "{} {}",
            decimal(tr, &daftar_core::sketch::centi_m2_text(quantity)),
            tr.t("unit-m2")
        ),
        Unit::Count => tr.number(u64::try_from(quantity).unwrap_or(0)),
    }
}

fn row(tr: &Tr, n: usize, violation: &Violation) -> ViolationRow {
    let fine = if violation.fine.max_rials == 0 && violation.note.demolishes() {
        tr.t("ruling-demolition")
    } else if violation.fine.min_rials == violation.fine.max_rials {
        rials(tr, violation.fine.min_rials)
    } else {
        tr.t2(
            "violations-range",
            "min",
            &rials(tr, violation.fine.min_rials),
            "max",
            &rials(tr, violation.fine.max_rials),
        )
    };
    ViolationRow {
        n: tr.number(n as u64 + 1),
        kind: tr.text(&violation.kind.name()),
        floor: violation
            .floor
            .map(|level| floor_name(tr, level))
            .unwrap_or_else(|| tr.t("floor-whole")),
        quantity: match violation.unit {
            // A count, with the area it is fined on: «۱ (۱۱۴٫۰۰ متر مربع)».
            Unit::Count => format!(
                "{} ({})",
                quantity(tr, Unit::Count, violation.quantity),
                quantity(tr, Unit::M2, violation.fined_centi_m2)
            ),
            Unit::M2 => quantity(tr, Unit::M2, violation.quantity),
        },
        note: tr.text(&violation.note.name()),
        fine,
        formula: violation.fine.formula.clone(),
        review: String::new(),
        dismissed: false,
    }
}

fn reviewed_row(tr: &Tr, n: usize, reviewed: &ReviewedViolation) -> ViolationRow {
    let mut shown = row(tr, n, &reviewed.violation);
    let word = match reviewed.decision {
        ReviewDecision::Confirmed => tr.t("review-confirmed"),
        ReviewDecision::Corrected => tr.t1(
            "review-corrected-from",
            "was",
            &quantity(tr, reviewed.violation.unit, reviewed.computed_quantity),
        ),
        ReviewDecision::Dismissed => tr.t("review-dismissed"),
    };
    shown.review = match &reviewed.reason {
        Some(reason) => format!("{word}: {reason}"),
        None => word,
    };
    shown.dismissed = reviewed.decision == ReviewDecision::Dismissed;
    shown
}

/// A case's own bills (a ruling's fines, a permit's fees) as its page lists them, each
/// with its IDs, amount, status and, while unpaid, the way to pay it.
pub fn bill_rows(tr: &crate::i18n::Tr, bills: &[daftar_store::BillView]) -> Vec<FineBillRow> {
    bills
        .iter()
        .map(|bill| FineBillRow {
            bill_id: tr.digits(&bill.bill_id),
            payment_id: tr.digits(&bill.payment_id),
            amount: rials(tr, i64::try_from(bill.amount_rials).unwrap_or(i64::MAX)),
            status: if bill.paid_at.is_some() {
                tr.t("bill-status-paid")
            } else if bill.cancelled {
                tr.t("bill-status-cancelled")
            } else {
                tr.t1("violations-bill-due", "date", &tr.day(bill.due_date))
            },
            // Nothing left to pay on a paid or a cancelled bill.
            payable: bill.paid_at.is_none() && !bill.cancelled,
            href: format!(
                "/bills/track?bill_id={}&payment_id={}",
                bill.bill_id, bill.payment_id
            ),
        })
        .collect()
}
