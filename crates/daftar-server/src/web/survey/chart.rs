//! The results' charts, drawn as SVG in the page: one bar per item, the share of each
//! score side by side, from «خیلی کم» at the line's start (the right in Persian) to
//! «خیلی زیاد» at its end; the bar's text alternative gives each score's share and count.

use daftar_core::survey::{SCALE_POINTS, Tally};

use crate::i18n::Tr;

/// The scale's colours, from 1 to 5: red through grey to green, told apart without
/// colour too by the bar's text alternative and the table's mean.
pub(super) const COLOURS: [&str; SCALE_POINTS] =
    ["#a3261b", "#e0907a", "#b8c2cc", "#7fb89f", "#0b6e4f"];

/// One part of a bar, in the SVG's units (the bar is 100 wide).
pub(super) struct Segment {
    pub(super) x: u32,
    pub(super) width: u32,
    pub(super) colour: &'static str,
}

/// An item's bar and its text alternative: «۴ زیاد: ۴۰٪ (۱۲)، …».
pub(super) struct Bar {
    pub(super) segments: Vec<Segment>,
    pub(super) label: String,
}

/// The bar of one item's tally; `scale` holds the labels as the page shows them.
pub(super) fn bar(tr: &Tr, tally: &Tally, scale: &[String]) -> Bar {
    let shares = tally.percentages();
    let mut segments = Vec::new();
    let mut start = 0;
    let mut parts = Vec::new();
    for (at, share) in shares.iter().enumerate() {
        let label = scale.get(at).cloned().unwrap_or_default();
        let part = format!(
            "{label}: {}٪ ({})",
            tr.number(u64::from(*share)),
            tr.number(tally.counts[at])
        );
        parts.push(part);
        if *share > 0 {
            // Persian runs right to left: the scale's start is on the right.
            let x = if tr.is_fa() {
                100 - start - share
            } else {
                start
            };
            segments.push(Segment {
                x,
                width: *share,
                colour: COLOURS[at],
            });
        }
        start += share;
    }
    Bar {
        segments,
        label: parts.join("، "),
    }
}

/// A mean score as the page writes it: `۳٫۸` or `3.8`.
pub(super) fn mean(tr: &Tr, tally: &Tally) -> String {
    let text = format!("{:.1}", tally.mean().unwrap_or(0.0));
    if tr.is_fa() {
        tr.digits(&text).replace('.', "٫")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn scale() -> Vec<String> {
        (1..=5).map(|n| format!("s{n}")).collect()
    }

    #[test]
    fn the_bar_runs_from_the_lines_start_in_either_language() {
        let tally = Tally {
            counts: [1, 0, 1, 0, 2],
        };
        let en = bar(&Tr::new(Lang::En), &tally, &scale());
        let placed: Vec<(u32, u32)> = en.segments.iter().map(|s| (s.x, s.width)).collect();
        assert_eq!(placed, [(0, 25), (25, 25), (50, 50)]);
        assert_eq!(en.segments[0].colour, COLOURS[0]);
        assert!(en.label.contains("s5: 50٪ (2)"), "{}", en.label);

        let fa = bar(&Tr::new(Lang::Fa), &tally, &scale());
        let placed: Vec<(u32, u32)> = fa.segments.iter().map(|s| (s.x, s.width)).collect();
        assert_eq!(placed, [(75, 25), (50, 25), (0, 50)]);
        assert!(fa.label.contains("s5: ۵۰٪ (۲)"), "{}", fa.label);
    }

    #[test]
    fn the_mean_is_written_to_one_decimal_in_the_pages_digits() {
        let tally = Tally {
            counts: [0, 0, 1, 1, 1],
        };
        assert_eq!(mean(&Tr::new(Lang::En), &tally), "4.0");
        assert_eq!(mean(&Tr::new(Lang::Fa), &tally), "۴٫۰");
    }
}
