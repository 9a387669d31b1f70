//! Lines of text from shown glyphs, by geometry rather than by operator: a glyph continues a
//! line when it runs in the same direction, sits on the same baseline (within 0.4 em) and
//! starts near where the line ends (from half an em back to three ems on). A gap wider than
//! 0.15 em between two glyphs reads as a space, as in poppler and pdf.js. Glyphs are chained in
//! drawing order first; pieces of one line drawn apart (another column in between, a later text
//! object) are then joined when one's end meets the other's start.

use super::interpret::Glyph;

/// Baselines this far apart (in ems) are different lines.
const MAX_BASELINE_SHIFT: f64 = 0.4;
/// A glyph may start this far (in ems) before the previous one ends: kerning, overlaps.
const MAX_OVERLAP: f64 = 0.5;
/// Further apart than this (in ems) is another column or cell.
const MAX_GAP: f64 = 3.0;
/// Wider than this (in ems) is a space between words.
const SPACE_GAP: f64 = 0.15;
/// Directions whose cosine is below this are different.
const SAME_DIRECTION: f64 = 0.95;
/// Earlier lines a piece is tried against when joining (bounds the work on pathological pages).
const JOIN_CANDIDATES: usize = 64;

/// One element of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Item {
    /// The glyph at this index.
    Glyph(usize),
    /// A space read from a gap between glyphs.
    Gap,
}

/// A line: its items in reading order (never empty, first and last are glyphs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    pub items: Vec<Item>,
}

impl Line {
    fn first(&self) -> Option<usize> {
        match self.items.first() {
            Some(Item::Glyph(index)) => Some(*index),
            _ => None,
        }
    }

    fn last(&self) -> Option<usize> {
        match self.items.last() {
            Some(Item::Glyph(index)) => Some(*index),
            _ => None,
        }
    }

    /// Appends `other` after a join decided by [`join`].
    fn append(&mut self, other: Line, gap: bool) {
        if gap {
            self.items.push(Item::Gap);
        }
        self.items.extend(other.items);
    }
}

/// How `next` follows `previous`: `None` when it does not continue the line, else whether a
/// gap (a space) lies between them.
fn join(previous: &Glyph, next: &Glyph) -> Option<bool> {
    if previous.axis.dot(next.axis) < SAME_DIRECTION {
        return None;
    }
    let em = previous.em.max(next.em);
    if em <= 0.0 {
        return None;
    }
    let across = previous.axis.cross(next.origin.minus(previous.origin));
    if across.abs() > MAX_BASELINE_SHIFT * em {
        return None;
    }
    let along = previous.axis.dot(next.origin.minus(previous.end));
    if along < -MAX_OVERLAP * em || along > MAX_GAP * em {
        return None;
    }
    let blank = |glyph: &Glyph| glyph.text.chars().all(char::is_whitespace);
    Some(along > SPACE_GAP * em && !blank(previous) && !blank(next))
}

/// The lines of `glyphs`, in the order their first piece was drawn.
pub(super) fn lines(glyphs: &[Glyph]) -> Vec<Line> {
    let pieces = chain_in_drawing_order(glyphs);
    join_pieces(glyphs, pieces)
}

fn chain_in_drawing_order(glyphs: &[Glyph]) -> Vec<Line> {
    let mut pieces: Vec<Line> = Vec::new();
    for (index, glyph) in glyphs.iter().enumerate() {
        let continued = pieces.last_mut().and_then(|piece| {
            let previous = glyphs.get(piece.last()?)?;
            join(previous, glyph).map(|gap| (piece, gap))
        });
        match continued {
            Some((piece, gap)) => piece.append(
                Line {
                    items: vec![Item::Glyph(index)],
                },
                gap,
            ),
            None => pieces.push(Line {
                items: vec![Item::Glyph(index)],
            }),
        }
    }
    pieces
}

fn join_pieces(glyphs: &[Glyph], pieces: Vec<Line>) -> Vec<Line> {
    let glyph = |index: Option<usize>| index.and_then(|index| glyphs.get(index));
    let mut lines: Vec<Line> = Vec::new();
    'pieces: for piece in pieces {
        let candidates = lines.len().saturating_sub(JOIN_CANDIDATES)..lines.len();
        for at in candidates.rev() {
            let Some(line) = lines.get_mut(at) else {
                continue;
            };
            // The piece goes on where the line ends…
            if let (Some(end), Some(start)) = (glyph(line.last()), glyph(piece.first()))
                && let Some(gap) = join(end, start)
            {
                line.append(piece, gap);
                continue 'pieces;
            }
            // …or the line goes on where the piece ends (its left part was drawn later).
            if let (Some(end), Some(start)) = (glyph(piece.last()), glyph(line.first()))
                && let Some(gap) = join(end, start)
            {
                let mut joined = piece;
                joined.append(std::mem::replace(line, Line { items: Vec::new() }), gap);
                *line = joined;
                continue 'pieces;
            }
        }
        lines.push(piece);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::content::matrix::Point;

    /// A glyph of one em (10 units) at `x, y`, advancing `width` along +x.
    fn glyph(text: &str, x: f64, y: f64, width: f64) -> Glyph {
        Glyph {
            text: text.to_string(),
            origin: Point::new(x, y),
            end: Point::new(x + width, y),
            axis: Point::new(1.0, 0.0),
            em: 10.0,
            quad: [
                Point::new(x, y - 2.0),
                Point::new(x + width, y - 2.0),
                Point::new(x + width, y + 8.0),
                Point::new(x, y + 8.0),
            ],
        }
    }

    fn texts(glyphs: &[Glyph]) -> Vec<String> {
        lines(glyphs)
            .iter()
            .map(|line| {
                line.items
                    .iter()
                    .map(|item| match item {
                        Item::Glyph(index) => glyphs[*index].text.clone(),
                        Item::Gap => " ".to_string(),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn gaps_become_spaces_and_baselines_split_lines() {
        let glyphs = [
            glyph("A", 0.0, 100.0, 5.0),
            glyph("b", 5.0, 100.0, 5.0),
            glyph("c", 13.0, 100.0, 5.0),
            glyph("d", 0.0, 88.0, 5.0),
        ];
        assert_eq!(texts(&glyphs), ["Ab c", "d"]);
    }

    #[test]
    fn pieces_drawn_apart_are_joined() {
        let glyphs = [
            glyph("V", 20.0, 100.0, 5.0),
            glyph("x", 0.0, 50.0, 5.0),
            glyph("N", 0.0, 100.0, 5.0),
            glyph("g", 5.0, 100.0, 5.0),
        ];
        assert_eq!(texts(&glyphs), ["Ng V", "x"]);
    }

    #[test]
    fn far_apart_glyphs_are_separate() {
        let glyphs = [glyph("a", 0.0, 100.0, 5.0), glyph("b", 100.0, 100.0, 5.0)];
        assert_eq!(texts(&glyphs), ["a", "b"]);
    }

    #[test]
    fn drawn_spaces_are_not_doubled() {
        let glyphs = [
            glyph("a", 0.0, 100.0, 5.0),
            glyph(" ", 5.0, 100.0, 2.5),
            glyph("b", 10.0, 100.0, 5.0),
        ];
        assert_eq!(texts(&glyphs), ["a b"]);
    }
}
