//! The sketch on the case page: the latest version drawn (SVG, printable on one A4 page)
//! with who drew it and when, and for the inspector the form that records a new one
//! ([`record`]), which works without JavaScript: one line a part, corners as numbers.

mod record;

pub use record::routes;

use daftar_app::Sketches;
use daftar_app::cases::{CaseView, Standing};
use daftar_app::sketch::RecordedSketch;
use daftar_core::calendar::JalaliDate;
use daftar_core::roles::Role;
use daftar_core::sketch::svg;

use crate::error::AppError;
use crate::web::Page;

/// The latest sketch of a case, ready for the page.
#[derive(Debug, Clone)]
pub struct SketchView {
    /// The drawing, generated here from numbers: no text of a user's is in it unescaped.
    pub svg: String,
    pub meta: String,
    pub total: String,
}

/// The sketch section of a case page the user has just been shown (through
/// [`daftar_app::Cases::view`], which checked and recorded the read): the latest drawing,
/// and for an inspector while the case waits on inspection, the form, holding what they
/// typed after a refusal or else the latest sketch to start from.
pub async fn for_case_page(
    sketches: &Sketches,
    page: &Page,
    view: &CaseView,
    typed: Option<SketchForm>,
) -> Result<(Option<SketchView>, Option<SketchForm>), AppError> {
    let kept = sketches.of_case_seen(view.case.id).await?;
    let latest = kept.first();
    let drawing = latest.map(|latest| drawing(page, latest));
    let inspects = matches!(&view.standing, Standing::Staff(roles) if roles.contains(&Role::Inspection))
        && view.tasks.iter().any(|task| task.role == Role::Inspection);
    let uses = daftar_core::sketch::PartUse::ALL
        .iter()
        .map(|part_use| {
            format!(
                "{}={}",
                part_use.slug(),
                part_use.name().in_lang(page.layout.tr.lang)
            )
        })
        .collect::<Vec<_>>()
        .join(";");
    let form = inspects.then(|| {
        let form = typed.unwrap_or_else(|| match latest {
            Some(latest) => SketchForm {
                text: daftar_core::sketch::text::sketch_to_text(&latest.sketch),
                lat: latest
                    .location
                    .map(|(lat, _)| lat.to_string())
                    .unwrap_or_default(),
                lon: latest
                    .location
                    .map(|(_, lon)| lon.to_string())
                    .unwrap_or_default(),
                error: None,
                uses: String::new(),
            },
            None => SketchForm::default(),
        });
        SketchForm { uses, ..form }
    });
    Ok((drawing, form))
}

fn drawing(page: &Page, latest: &RecordedSketch) -> SketchView {
    let tr = page.layout.tr;
    let when = tr.day(JalaliDate::from_timestamp(latest.drawn_at));
    let separator = if tr.is_fa() { "، " } else { ", " };
    SketchView {
        svg: svg::render(&latest.sketch, tr.is_fa()),
        meta: tr.t2(
            "case-sketch-meta",
            "version",
            &tr.number(u64::try_from(latest.version).unwrap_or(0)),
            "who",
            &format!("{}{separator}{when}", latest.drawn_by_name),
        ),
        total: tr.t1(
            "case-sketch-total",
            "area",
            &decimal(
                &tr,
                &daftar_core::sketch::centi_m2_text(latest.sketch.total_centi_m2),
            ),
        ),
    }
}

/// A decimal as the page's language writes it: Persian digits and separator in Persian.
pub(in crate::web) fn decimal(tr: &crate::i18n::Tr, text: &str) -> String {
    if tr.is_fa() {
        tr.digits(text).replace('.', "٫")
    } else {
        text.to_owned()
    }
}

/// The inspector's form: the sketch as text (one line a part), the property's place, and
/// the message of a refused attempt.
#[derive(Debug, Clone, Default)]
pub struct SketchForm {
    pub text: String,
    pub lat: String,
    pub lon: String,
    pub error: Option<String>,
    /// The uses the drawing board offers, `slug=name;…` in the page's language.
    pub uses: String,
}
