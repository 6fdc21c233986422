//! The detailed plan's answer as pages show it: on `/staff/zoning` and on a case.

use daftar_app::zoning::Inquiry;
use daftar_core::zoning::MapOrder;

use crate::web::Page;

/// The map order of the plot typed, as the page shows it.
pub(in crate::web) struct OrderView {
    pub remaining: String,
    pub setback: String,
    pub floor_area: String,
    pub total_built: String,
    pub floors: String,
    pub parking: String,
    pub below_min_plot: bool,
    pub buildable: bool,
}

pub(in crate::web) struct ZoneRow {
    pub code: String,
    pub name: String,
    pub family: String,
    pub density: String,
    pub occupancy: String,
    pub floors: String,
    pub min_plot: String,
    pub parking: String,
    pub uses: String,
    /// The share of the plot in this zone, when it is not the whole: `۵۲٪`.
    pub share: Option<String>,
}

pub(in crate::web) struct Answer {
    pub zoning_version: String,
    pub rules_version: String,
    pub made_for_demo: bool,
    pub zones: Vec<ZoneRow>,
    pub flags: Vec<String>,
    /// What the street takes, a line a side: «شمال: ۱٫۵ متر در ۱۲ متر».
    pub setbacks: Vec<String>,
}

pub(in crate::web) fn answer(page: &Page, inquiry: Inquiry) -> Answer {
    let tr = page.layout.tr;
    let sign = if tr.is_fa() { "٪" } else { "%" };
    let percent = |value: u32| format!("{}{sign}", tr.number(u64::from(value)));
    let metres =
        |cm: i64| crate::web::sketch::decimal(&tr, &daftar_core::sketch::centi_m2_text(cm));
    let setbacks = inquiry
        .setbacks
        .iter()
        .map(|setback| {
            tr.tn(
                "zoning-setback-line",
                &[
                    (
                        "side",
                        tr.t(&format!("zoning-side-{}", setback.side.slug())),
                    ),
                    ("depth", metres(setback.depth_cm)),
                    ("frontage", metres(setback.frontage_cm)),
                ],
            )
        })
        .collect();
    Answer {
        setbacks,
        zoning_version: tr.number(u64::try_from(inquiry.zoning_version).unwrap_or(0)),
        rules_version: inquiry.rules_version,
        made_for_demo: inquiry.made_for_demo,
        zones: inquiry
            .zones
            .into_iter()
            .map(|found| {
                let zone = found.zone;
                let share = (found.share_permille < 1000).then(|| {
                    format!(
                        "{}{sign}",
                        tr.number(u64::from((found.share_permille + 5) / 10))
                    )
                });
                ZoneRow {
                    share,
                    code: zone.code.to_string(),
                    name: if tr.is_fa() {
                        zone.name_fa
                    } else {
                        zone.name_en
                    },
                    family: zone.family.name().in_lang(tr.lang).to_owned(),
                    density: percent(zone.max_density_pct),
                    occupancy: percent(zone.max_occupancy_pct),
                    floors: tr.number(u64::from(zone.max_floors)),
                    min_plot: tr.t1("zoning-m2", "area", &tr.number(u64::from(zone.min_plot_m2))),
                    parking: match zone.parking.m2_per_space {
                        Some(m2) => tr.t1("zoning-parking-per", "area", &tr.number(u64::from(m2))),
                        None => tr.t("zoning-parking-none"),
                    },
                    uses: zone
                        .uses
                        .iter()
                        .map(|part_use| part_use.name().in_lang(tr.lang))
                        .collect::<Vec<_>>()
                        .join(if tr.is_fa() { "، " } else { ", " }),
                }
            })
            .collect(),
        flags: inquiry
            .flags
            .iter()
            .map(|flag| flag.name().in_lang(tr.lang).to_owned())
            .collect(),
    }
}

pub(in crate::web) fn order_view(page: &Page, order: &MapOrder) -> OrderView {
    let tr = page.layout.tr;
    let m2 = |centi: i64| {
        let text = crate::web::sketch::decimal(&tr, &daftar_core::sketch::centi_m2_text(centi));
        tr.t1("zoning-m2", "area", &text)
    };
    OrderView {
        remaining: m2(order.remaining_area_centi_m2),
        setback: m2(order.setback_area_centi_m2),
        floor_area: m2(order.floor_area_centi_m2),
        total_built: m2(order.total_built_centi_m2),
        floors: tr.number(u64::from(order.floors)),
        parking: tr.number(u64::from(order.parking_spaces)),
        below_min_plot: order.below_min_plot,
        buildable: order.buildable,
    }
}
