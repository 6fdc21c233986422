//! A checked sketch drawn as SVG: every floor at one scale, each edge with its length,
//! each part with its use and area, with a north arrow and a scale bar; sized in
//! millimetres to print on one A4 page.

use std::fmt::Write;

use geo::{Centroid, Coord, LineString, Polygon};

use super::{Part, PartUse, Sketch, centi_m2_text, cm_text};
use crate::text::Text;

/// The drawing's width on paper, in millimetres (A4 less its margins).
const PAGE_W: f64 = 180.0;
/// The most height it may take on paper.
const PAGE_H: f64 = 240.0;
const FONT: f64 = 3.2;

/// The name of a floor by its level: ground floor, floor n, basement n.
pub fn floor_name(level: i16) -> Text<String> {
    match level {
        0 => Text::new("همکف".into(), "Ground floor".into()),
        n if n < 0 => Text::new(
            format!(
                "زیرزمین {}",
                crate::fa::to_persian_digits(&(-n).to_string())
            ),
            format!("Basement {}", -n),
        ),
        n => Text::new(
            format!("طبقه {}", crate::fa::to_persian_digits(&n.to_string())),
            format!("Floor {n}"),
        ),
    }
}

fn fill(part_use: PartUse) -> &'static str {
    match part_use {
        PartUse::Residential => "#e3f0e8",
        PartUse::Commercial => "#fbe7c6",
        PartUse::Office => "#dde7f7",
        PartUse::Parking => "#e6e6e6",
        PartUse::Storage => "#efe3f5",
        PartUse::Common => "#f5f1dc",
        PartUse::Other => "#ffffff",
    }
}

/// The sketch as an SVG element. `persian` writes the names and digits in Persian.
pub fn render(sketch: &Sketch, persian: bool) -> String {
    // Persian digits and the Persian decimal separator; the units in words.
    let digits = |text: String| {
        if persian {
            crate::fa::to_persian_digits(&text).replace('.', "٫")
        } else {
            text
        }
    };
    let (square_metres, metres) = if persian {
        ("مترمربع", "متر")
    } else {
        ("m²", "m")
    };
    let pick = |text: Text<String>| if persian { text.fa } else { text.en };
    let (min, max) = extent(sketch);
    let (width_m, height_m) = ((max.x - min.x).max(1.0), (max.y - min.y).max(1.0));
    let count = sketch.floors.len().max(1);
    let columns = if count == 1 { 1 } else { 2 };
    let rows = count.div_ceil(columns);
    let panel_w = PAGE_W / columns as f64;
    // Room around each drawing for the lengths, the title and the scale bar.
    let (side_room, top_room, bottom_room) = (12.0, 12.0, 16.0);
    // Up to sixteen floors share one A4 page; a taller building keeps a readable size for
    // each floor (40 mm of drawing at least) and runs onto further pages.
    let row_room = (PAGE_H / rows as f64 - top_room - bottom_room).max(40.0);
    let scale = ((panel_w - 2.0 * side_room) / width_m)
        .min(row_room / height_m)
        .min(10.0);
    let panel_h = height_m * scale + top_room + bottom_room;
    let total_h = panel_h * rows as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="sketch" viewBox="0 0 {PAGE_W} {total_h:.1}" width="{PAGE_W}mm" height="{total_h:.1}mm" font-family="Vazirmatn, sans-serif" font-size="{FONT}" role="img" direction="ltr">"#
    );
    // The drawing's name for a screen reader: what it is, and its total area.
    let name = if persian {
        format!(
            "کروکی ساختمان، {} طبقه، {} مترمربع",
            digits(count.to_string()),
            digits(centi_m2_text(sketch.total_centi_m2))
        )
    } else {
        format!(
            "Building sketch, {count} floor{}, {} m²",
            if count == 1 { "" } else { "s" },
            centi_m2_text(sketch.total_centi_m2)
        )
    };
    let _ = write!(svg, "<title>{}</title>", escape(&name));
    for (n, floor) in sketch.floors.iter().enumerate() {
        // Read in the page's direction: in Persian the first floor is on the right.
        let column = if persian {
            columns - 1 - n % columns
        } else {
            n % columns
        };
        let left = column as f64 * panel_w + side_room;
        let top = (n / columns) as f64 * panel_h + top_room;
        let at = |x: i64, y: i64| -> (f64, f64) {
            (
                left + (x as f64 / 100.0 - min.x) * scale,
                top + (max.y - y as f64 / 100.0) * scale,
            )
        };
        let title = format!(
            "{} — {} {square_metres}",
            pick(floor_name(floor.level)),
            digits(centi_m2_text(floor.area_centi_m2))
        );
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-weight="700"{}>{}</text>"#,
            left + (panel_w - 2.0 * side_room) / 2.0,
            top - 6.0,
            rtl(persian),
            escape(&title)
        );
        for part in &floor.parts {
            draw_part(&mut svg, part, &at, &digits, &pick, square_metres, persian);
        }
        let bar_y = top + height_m * scale + 9.0;
        scale_bar(
            &mut svg, left, bar_y, scale, width_m, &digits, metres, persian,
        );
        north_arrow(&mut svg, left + panel_w - 2.0 * side_room + 4.0, top - 2.0);
    }
    svg.push_str("</svg>");
    svg
}

/// A Persian text's own direction inside the drawing, which runs left to right.
fn rtl(persian: bool) -> &'static str {
    if persian {
        r#" direction="rtl" unicode-bidi="embed""#
    } else {
        ""
    }
}

fn draw_part(
    svg: &mut String,
    part: &Part,
    at: &dyn Fn(i64, i64) -> (f64, f64),
    digits: &dyn Fn(String) -> String,
    pick: &dyn Fn(Text<String>) -> String,
    square_metres: &str,
    persian: bool,
) {
    let points: Vec<(f64, f64)> = part.corners_cm.iter().map(|[x, y]| at(*x, *y)).collect();
    let _ = write!(
        svg,
        r##"<polygon fill="{}" stroke="#1b1b1b" stroke-width="0.4" points=""##,
        fill(part.part_use)
    );
    for (x, y) in &points {
        let _ = write!(svg, "{x:.2},{y:.2} ");
    }
    svg.push_str(r#""/>"#);
    // Each edge's length beside its middle, outside the part.
    let centre = centroid(&points);
    for (pair, length) in points.windows(2).zip(part.edge_lengths_cm()) {
        let (mx, my) = ((pair[0].0 + pair[1].0) / 2.0, (pair[0].1 + pair[1].1) / 2.0);
        let (dx, dy) = (mx - centre.0, my - centre.1);
        let away = dx.hypot(dy).max(0.001);
        let (lx, ly) = (mx + dx / away * 3.5, my + dy / away * 3.5 + FONT / 3.0);
        let _ = write!(
            svg,
            r#"<text x="{lx:.1}" y="{ly:.1}" text-anchor="middle" font-size="{:.1}">{}</text>"#,
            FONT * 0.85,
            digits(cm_text(length))
        );
    }
    let use_name = pick(Text::new(
        part.part_use.name().fa.to_owned(),
        part.part_use.name().en.to_owned(),
    ));
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle"{rtl}>{}</text><text x="{:.1}" y="{:.1}" text-anchor="middle"{rtl}>{} {square_metres}</text>"#,
        centre.0,
        centre.1 - 1.0,
        escape(&use_name),
        centre.0,
        centre.1 + FONT + 0.2,
        digits(centi_m2_text(part.area_centi_m2)),
        rtl = rtl(persian),
    );
}

/// A bar of a round length, about a quarter of the drawing's width.
#[allow(clippy::too_many_arguments)]
fn scale_bar(
    svg: &mut String,
    x: f64,
    y: f64,
    scale: f64,
    width_m: f64,
    digits: &dyn Fn(String) -> String,
    metres: &str,
    persian: bool,
) {
    let length_m = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0]
        .into_iter()
        .rev()
        .find(|m| *m <= width_m / 3.0)
        .unwrap_or(1.0);
    let w = length_m * scale;
    let _ = write!(
        svg,
        r##"<path d="M{x:.1} {y:.1} v-1.5 M{x:.1} {y:.1} h{w:.1} v-1.5" stroke="#1b1b1b" stroke-width="0.5" fill="none"/><text x="{:.1}" y="{:.1}" font-size="{:.1}" text-anchor="middle"{}>{} {metres}</text>"##,
        x + w / 2.0,
        y + FONT + 0.5,
        FONT * 0.85,
        rtl(persian),
        digits(format!("{length_m}"))
    );
}

fn north_arrow(svg: &mut String, x: f64, y: f64) {
    let _ = write!(
        svg,
        r##"<g aria-label="N"><path d="M{x:.1} {:.1} l-2 6 l2 -1.5 l2 1.5 z" fill="#1b1b1b"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="{:.1}">N</text></g>"##,
        y - 4.0,
        y + 5.5,
        FONT * 0.8
    );
}

/// The lowest and highest corner of the whole sketch, in metres.
fn extent(sketch: &Sketch) -> (Coord<f64>, Coord<f64>) {
    let corners = sketch
        .floors
        .iter()
        .flat_map(|floor| &floor.parts)
        .flat_map(|part| &part.corners_cm);
    let mut min = Coord {
        x: f64::MAX,
        y: f64::MAX,
    };
    let mut max = Coord {
        x: f64::MIN,
        y: f64::MIN,
    };
    for [x, y] in corners {
        let (x, y) = (*x as f64 / 100.0, *y as f64 / 100.0);
        min = Coord {
            x: min.x.min(x),
            y: min.y.min(y),
        };
        max = Coord {
            x: max.x.max(x),
            y: max.y.max(y),
        };
    }
    if min.x > max.x {
        return (Coord { x: 0.0, y: 0.0 }, Coord { x: 1.0, y: 1.0 });
    }
    (min, max)
}

/// Where a part's labels go: its centroid on paper.
fn centroid(points: &[(f64, f64)]) -> (f64, f64) {
    let ring: LineString<f64> = points.iter().map(|(x, y)| Coord { x: *x, y: *y }).collect();
    Polygon::new(ring, Vec::new())
        .centroid()
        .map_or((0.0, 0.0), |point| (point.x(), point.y()))
}

fn escape(text: &str) -> String {
    crate::text::xml_escape(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::{FloorInput, PartInput, SketchInput};

    fn two_floors() -> Sketch {
        let rectangle = |w: f64, h: f64, part_use| PartInput {
            part_use,
            corners: vec![[0.0, 0.0], [w, 0.0], [w, h], [0.0, h], [0.0, 0.0]],
            edges_m: None,
        };
        SketchInput {
            floors: vec![
                FloorInput {
                    level: 0,
                    parts: vec![rectangle(12.0, 9.5, PartUse::Parking)],
                },
                FloorInput {
                    level: 1,
                    parts: vec![rectangle(12.0, 9.5, PartUse::Residential)],
                },
            ],
        }
        .check()
        .unwrap()
    }

    #[test]
    fn the_drawing_names_every_length_area_and_floor() {
        let svg = render(&two_floors(), true);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<polygon").count(), 2);
        assert_eq!(
            svg.matches("۱۲٫۰۰</text>").count(),
            4,
            "two 12 m edges a floor"
        );
        assert_eq!(svg.matches("۹٫۵۰</text>").count(), 4);
        assert!(svg.contains("۱۱۴٫۰۰ مترمربع"), "each part's area");
        assert!(svg.contains("همکف") && svg.contains("طبقه ۱"));
        assert!(svg.contains("<title>کروکی ساختمان، ۲ طبقه، ۲۲۸٫۰۰ مترمربع</title>"));
        assert!(svg.contains("پارکینگ"));
        assert_eq!(svg.matches(">N</text>").count(), 2, "a north arrow a floor");
    }

    /// The drawing's height on paper, as its root element says.
    fn height_mm(svg: &str) -> f64 {
        svg.split("height=\"")
            .nth(1)
            .and_then(|rest| rest.split("mm").next())
            .unwrap()
            .parse()
            .unwrap()
    }

    #[test]
    fn a_tower_is_drawn_at_a_readable_size() {
        let floors = (0..40)
            .map(|level| FloorInput {
                level,
                parts: vec![PartInput {
                    part_use: PartUse::Office,
                    corners: vec![
                        [0.0, 0.0],
                        [20.0, 0.0],
                        [20.0, 30.0],
                        [0.0, 30.0],
                        [0.0, 0.0],
                    ],
                    edges_m: None,
                }],
            })
            .collect();
        let svg = render(&SketchInput { floors }.check().unwrap(), false);
        let height = height_mm(&svg);
        assert!(height.is_finite() && height > PAGE_H, "{height}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert!(svg.contains("Building sketch, 40 floors"));
    }

    #[test]
    fn it_fits_an_a4_page() {
        let svg = render(&two_floors(), false);
        let height = height_mm(&svg);
        assert!(height <= PAGE_H + 1.0, "{height}");
        assert!(svg.contains("width=\"180mm\""));
        assert!(svg.contains("Ground floor — 114.00 m²"));
    }
}
