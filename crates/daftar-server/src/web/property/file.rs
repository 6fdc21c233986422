//! `/properties/{district}/{renewal_code}`: a property's file — the register's facts and
//! owners, the deed, the cases on it, the documents the office approved on them, its
//! clearances, the permit recorded for it (with permit drafting's form) and, for staff,
//! who read it. A staff read is recorded; an owner sees their
//! own; anyone else is told there is no such file.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use daftar_app::property::parse_property;
use daftar_core::calendar::JalaliDate;

use crate::error::AppError;
use crate::extract::Path;
use crate::web::{Layout, Page};

struct CaseRow {
    id: i64,
    tracking_code: String,
    service: String,
    state: String,
    opened: String,
    work: String,
}

struct DocumentRow {
    id: i64,
    kind: String,
    file_name: String,
    tracking_code: String,
    approved: String,
}

#[derive(Template)]
#[template(path = "property_file.html")]
struct FilePage {
    layout: Layout,
    district: String,
    /// The district in Latin digits, for the form's address.
    district_ascii: u16,
    renewal_code: String,
    staff: bool,
    address: Option<String>,
    facts: Vec<(String, String)>,
    /// Each owner's name and share.
    owners: Vec<(String, String)>,
    deed: Vec<(String, String)>,
    cases: Vec<CaseRow>,
    documents: Vec<DocumentRow>,
    clearances: Vec<(String, String)>,
    /// Who read the file, and when.
    reads: Vec<(String, String)>,
    /// The permit recorded for the property: its number, each floor, the parking.
    permit: Option<PermitView>,
    /// Permit drafting's form: what was typed and a refusal's message.
    permit_form: Option<crate::web::violation::PermitForm>,
    /// The registry letter's form, for violation review and formation.
    letter_form: Option<crate::web::violation::LetterForm>,
}

struct PermitView {
    number: String,
    floors: Vec<String>,
    parking: String,
}

pub(super) async fn file_page(
    State(state): State<crate::app::AppState>,
    page: Page,
    Path((district, renewal_code)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (district, code) = parse_property(&district, &renewal_code)?;
    file_response(
        &state,
        page,
        district,
        &code,
        FileForms::default(),
        StatusCode::OK,
    )
    .await
}

/// The forms on the property file as typed, after a refusal.
#[derive(Debug, Default)]
pub(in crate::web) struct FileForms {
    pub permit: Option<crate::web::violation::PermitForm>,
    pub letter: Option<crate::web::violation::LetterForm>,
}

/// The property file's page, with its forms as typed (after a refusal).
pub(in crate::web) async fn file_response(
    state: &crate::app::AppState,
    page: Page,
    district: u16,
    code: &daftar_core::property::RenewalCode,
    typed: FileForms,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (properties, cases, violations) = (
        &state.services.properties,
        &state.services.cases,
        &state.services.violations,
    );
    let Some(user) = page.user.as_ref() else {
        return Ok(crate::web::sign_in_then(&page.layout.path_and_query).into_response());
    };
    let file = properties.file(&user.principal, district, code).await?;
    let tr = page.layout.tr;
    let staff = user.staff().is_some();
    let m2 = |centi: i64| {
        let text = crate::web::sketch::decimal(&tr, &daftar_core::sketch::centi_m2_text(centi));
        tr.t1("zoning-m2", "area", &text)
    };
    let day = |at: jiff::Timestamp| tr.day(JalaliDate::from_timestamp(at));
    let stored = file.stored;
    let registered = stored.registered.as_ref();
    let facts = registered
        .map(|registered| {
            vec![
                (
                    tr.t("property-land-area"),
                    m2(registered.land_area_centi_m2),
                ),
                (
                    tr.t("property-built-area"),
                    m2(registered.built_area_centi_m2),
                ),
                (
                    tr.t("property-use"),
                    daftar_core::billing::PropertyUse::parse(&registered.use_kind)
                        .map(|kind| match tr.is_fa() {
                            true => kind.name_fa().to_owned(),
                            false => kind.slug().replace('_', " "),
                        })
                        .unwrap_or_else(|| registered.use_kind.clone()),
                ),
            ]
        })
        .unwrap_or_default();
    let sign = if tr.is_fa() { "٪" } else { "%" };
    let owners = registered
        .map(|registered| {
            registered
                .owners
                .iter()
                .map(|owner| {
                    let whole = daftar_core::sketch::centi_m2_text(owner.share_hundredths);
                    let share = crate::web::sketch::decimal(
                        &tr,
                        whole.strip_suffix(".00").unwrap_or(&whole),
                    );
                    (owner.name.clone(), format!("{share}{sign}"))
                })
                .collect()
        })
        .unwrap_or_default();
    let deed = file
        .plot
        .as_ref()
        .map(|plot| {
            let mut rows = vec![
                (
                    tr.t("property-plate"),
                    tr.digits(&plot.deed.registration_plate),
                ),
                (
                    tr.t("property-section"),
                    tr.number(u64::from(plot.deed.registration_section)),
                ),
                (tr.t("property-deed-area"), m2(plot.deed.deed_area_centi_m2)),
            ];
            rows.push((
                tr.t("property-outline"),
                tr.t(if plot.outline.is_some() {
                    "property-outline-drawn"
                } else {
                    "property-outline-none"
                }),
            ));
            rows
        })
        .unwrap_or_default();
    let cases = stored
        .cases
        .iter()
        .map(|case| {
            let service = cases
                .catalog()
                .get(&case.service_id)
                .map(|service| tr.text(&service.title))
                .unwrap_or_else(|| case.service_id.clone());
            let state = u32::try_from(case.workflow_version)
                .ok()
                .and_then(|version| cases.workflow(&case.workflow_id, version))
                .and_then(|definition| definition.state(&case.state))
                .map(|state| tr.text(&state.name))
                .unwrap_or_else(|| case.state.clone());
            CaseRow {
                id: case.id.0,
                tracking_code: case.tracking_code.clone(),
                service,
                state,
                opened: day(case.created_at),
                work: tr.t2(
                    "property-case-work",
                    "sketches",
                    &tr.number(u64::try_from(case.sketches).unwrap_or(0)),
                    "inquiries",
                    &tr.number(u64::try_from(case.inquiries).unwrap_or(0)),
                ),
            }
        })
        .collect();
    let documents = stored
        .documents
        .iter()
        .map(|document| DocumentRow {
            id: document.document_id,
            kind: document.kind.replace('_', " "),
            file_name: document.file_name.clone(),
            tracking_code: document.tracking_code.clone(),
            approved: day(document.approved_at),
        })
        .collect();
    let recorded = violations.permit(district, code).await?;
    // A new permit starts from the one recorded.
    let from_recorded = || {
        recorded
            .as_ref()
            .map(|permit| crate::web::violation::PermitForm {
                number: permit.number.clone(),
                parking: permit.parking_spaces.to_string(),
                floors: permit
                    .floors
                    .iter()
                    .map(|floor| {
                        format!(
                            "{} {} {}",
                            floor.level,
                            floor.floor_use.slug(),
                            daftar_core::sketch::centi_m2_text(floor.area_centi_m2)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
                ..Default::default()
            })
            .unwrap_or_default()
    };
    let permit = recorded.as_ref().map(|permit| PermitView {
        number: tr.digits(&permit.number),
        floors: permit
            .floors
            .iter()
            .map(|floor| {
                tr.tn(
                    "permit-floor",
                    &[
                        ("level", tr.digits(&floor.level.to_string())),
                        ("use", tr.text(&floor.floor_use.name())),
                        ("area", m2(floor.area_centi_m2)),
                    ],
                )
            })
            .collect(),
        parking: tr.number(u64::from(permit.parking_spaces)),
    });
    let drafts = user
        .staff()
        .is_some_and(|account| account.has_role(daftar_core::roles::Role::PermitDrafting));
    let permit_form = drafts.then(|| typed.permit.unwrap_or_else(from_recorded));
    // A registry letter opens a case for the register's owner: only on a registered file.
    let letter_form = (registered.is_some_and(|r| !r.owners.is_empty())
        && user
            .staff()
            .is_some_and(daftar_app::violation::may_record_letters))
    .then(|| typed.letter.unwrap_or_default());
    let body = page.render(&FilePage {
        layout: page.layout.clone(),
        district: tr.number(u64::from(district)),
        district_ascii: district,
        renewal_code: code.as_str().to_owned(),
        staff,
        address: registered.map(|registered| tr.digits(&registered.address)),
        facts,
        owners,
        deed,
        cases,
        documents,
        clearances: stored
            .clearances
            .iter()
            .map(|(code, at)| (code.clone(), day(*at)))
            .collect(),
        reads: stored
            .reads
            .iter()
            .map(|read| (read.staff_name.clone(), tr.moment(read.at)))
            .collect(),
        permit,
        permit_form,
        letter_form,
    })?;
    Ok((status, body).into_response())
}
