//! A sketch written as text, for the form that works without JavaScript: one line a
//! part, `LEVEL USE: X,Y X,Y X,Y …`, optionally followed by `| LENGTH LENGTH …`, the
//! measured edges in metres. The ring closes itself: the first corner need not be repeated.
//!
//! ```text
//! 0 parking: 0,0 12,0 12,9.5 0,9.5 | 12 9.5 12 9.5
//! 1 residential: 0,0 8,0 8,9.5 0,9.5
//! 1 common: 8,0 12,0 12,9.5 8,9.5
//! ```
//!
//! Persian digits, the Persian decimal separator and the uses' Persian names are read too.

use super::{FloorInput, PartInput, PartUse, Sketch, SketchInput};
use crate::fa::parse_decimal;

/// Why a line could not be read, with the line's number from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem:?}")]
pub struct SketchTextError {
    pub line: usize,
    pub problem: TextProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    /// Nothing was written.
    Empty,
    /// The level, before the use, is not a whole number.
    Level,
    /// The use is not one of the known ones.
    Use,
    /// No `:` between the use and the corners.
    NoColon,
    /// A corner is not `X,Y` in numbers; which one, from 1.
    Corner(usize),
    /// A measured length is not a number; which one, from 1.
    Edge(usize),
}

impl TextProblem {
    pub fn code(&self) -> &'static str {
        match self {
            TextProblem::Empty => "sketch.text_empty",
            TextProblem::Level => "sketch.text_level",
            TextProblem::Use => "sketch.text_use",
            TextProblem::NoColon => "sketch.text_colon",
            TextProblem::Corner(_) => "sketch.text_corner",
            TextProblem::Edge(_) => "sketch.text_edge",
        }
    }
}

fn part_use(word: &str) -> Option<PartUse> {
    PartUse::from_slug(word).or_else(|| {
        PartUse::ALL
            .into_iter()
            .find(|part_use| part_use.name().fa == word)
    })
}

/// Reads the text into a sketch's input; floors in the order their levels first appear.
pub fn parse_sketch_text(text: &str) -> Result<SketchInput, SketchTextError> {
    parse_sketch_text_with_lines(text).map(|(input, _)| input)
}

/// The same, with the line (from 1) each part was written on, by floor and part as the
/// input has them: what a form names when the sketch is refused.
pub fn parse_sketch_text_with_lines(
    text: &str,
) -> Result<(SketchInput, Vec<Vec<usize>>), SketchTextError> {
    let mut floors: Vec<FloorInput> = Vec::new();
    let mut lines: Vec<Vec<usize>> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let wrong = |problem| SketchTextError {
            line: n + 1,
            problem,
        };
        let (head, rest) = line
            .split_once(':')
            .ok_or_else(|| wrong(TextProblem::NoColon))?;
        let mut words = head.split_whitespace();
        let level = words
            .next()
            .map(crate::fa::normalize_digits)
            .and_then(|level| level.replace('−', "-").parse::<i16>().ok())
            .ok_or_else(|| wrong(TextProblem::Level))?;
        let use_words: Vec<&str> = words.collect();
        let part_use = part_use(&use_words.join(" ")).ok_or_else(|| wrong(TextProblem::Use))?;
        let (corners_text, edges_text) = match rest.split_once('|') {
            Some((corners, edges)) => (corners, Some(edges)),
            None => (rest, None),
        };
        let mut corners = Vec::new();
        for (c, pair) in corners_text.split_whitespace().enumerate() {
            let (x, y) = pair
                .split_once([',', '،'])
                .and_then(|(x, y)| Some((parse_decimal(x)?, parse_decimal(y)?)))
                .ok_or_else(|| wrong(TextProblem::Corner(c + 1)))?;
            corners.push([x, y]);
        }
        if corners.len() >= 2 && corners.first() != corners.last() {
            corners.push(corners[0]);
        }
        let edges_m = match edges_text {
            Some(edges) => Some(
                edges
                    .split_whitespace()
                    .enumerate()
                    .map(|(e, length)| {
                        parse_decimal(length).ok_or_else(|| wrong(TextProblem::Edge(e + 1)))
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            None => None,
        };
        let part = PartInput {
            part_use,
            corners,
            edges_m,
        };
        match floors.iter().position(|floor| floor.level == level) {
            Some(at) => {
                floors[at].parts.push(part);
                lines[at].push(n + 1);
            }
            None => {
                floors.push(FloorInput {
                    level,
                    parts: vec![part],
                });
                lines.push(vec![n + 1]);
            }
        }
    }
    if floors.is_empty() {
        return Err(SketchTextError {
            line: 1,
            problem: TextProblem::Empty,
        });
    }
    Ok((SketchInput { floors }, lines))
}

/// A kept sketch as text again, for editing: corners without the closing repeat.
pub fn sketch_to_text(sketch: &Sketch) -> String {
    let metres = |cm: i64| {
        let text = format!("{}.{:02}", cm / 100, (cm % 100).abs());
        let text = if cm < 0 && cm > -100 {
            format!("-{text}")
        } else {
            text
        };
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    let mut text = String::new();
    for floor in &sketch.floors {
        for part in &floor.parts {
            text.push_str(&format!("{} {}:", floor.level, part.part_use.slug()));
            let open = &part.corners_cm[..part.corners_cm.len().saturating_sub(1)];
            for [x, y] in open {
                text.push_str(&format!(" {},{}", metres(*x), metres(*y)));
            }
            if let Some(measured) = &part.measured_cm {
                text.push_str(" |");
                for cm in measured {
                    text.push_str(&format!(" {}", metres(*cm)));
                }
            }
            text.push('\n');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_FLOORS: &str = "0 parking: 0,0 12,0 12,9.5 0,9.5 | 12 9.5 12 9.5\n\n1 residential: 0,0 8,0 8,9.5 0,9.5\n1 common: 8,0 12,0 12,9.5 8,9.5\n";

    #[test]
    fn the_text_form_reads_floors_parts_and_lengths() {
        let input = parse_sketch_text(TWO_FLOORS).unwrap();
        assert_eq!(input.floors.len(), 2);
        assert_eq!(input.floors[1].parts.len(), 2);
        let parking = &input.floors[0].parts[0];
        assert_eq!(parking.corners.len(), 5, "closed by itself");
        assert_eq!(
            parking.edges_m.as_deref(),
            Some(&[12.0, 9.5, 12.0, 9.5][..])
        );
        let sketch = input.check().unwrap();
        assert_eq!(sketch.total_centi_m2, 22_800);
        // And back: the text of a kept sketch reads to the same sketch.
        let again = parse_sketch_text(&sketch_to_text(&sketch))
            .unwrap()
            .check()
            .unwrap();
        assert_eq!(again, sketch);
    }

    #[test]
    fn persian_digits_names_and_separators_are_read() {
        let input = parse_sketch_text("−۱ پارکینگ: ۰،۰ ۱۰٫۵،۰ ۱۰٫۵،۸ ۰،۸").unwrap();
        assert_eq!(input.floors[0].level, -1);
        assert_eq!(input.floors[0].parts[0].part_use, PartUse::Parking);
        assert_eq!(input.floors[0].parts[0].corners[2], [10.5, 8.0]);
    }

    #[test]
    fn a_bad_line_is_named_with_what_is_wrong() {
        let problem = |text: &str| parse_sketch_text(text).unwrap_err();
        assert_eq!(problem("").problem, TextProblem::Empty);
        assert_eq!(
            problem("0 parking 0,0 1,0 1,1").problem,
            TextProblem::NoColon
        );
        assert_eq!(problem("ground parking: 0,0").problem, TextProblem::Level);
        assert_eq!(problem("0 garden: 0,0 1,0 1,1").problem, TextProblem::Use);
        let corner = problem("0 parking: 0,0 1,0\n0 office: 0,0 1;0 1,1");
        assert_eq!((corner.line, corner.problem), (2, TextProblem::Corner(2)));
        assert_eq!(
            problem("0 office: 0,0 1,0 1,1 | 1 x").problem,
            TextProblem::Edge(2)
        );
    }
}
