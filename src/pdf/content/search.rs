//! Matching a needle against the lines of a page. Both sides are NFC-normalised (a base letter
//! and combining marks drawn as separate glyphs compose, so "Nguyễn" matches however it was
//! encoded); white space is ignored on both sides (words split by a gap, a drawn space, several
//! spaces or none all match), optionally case-insensitively; by default the match must stand as
//! whole words (the needle "Văn A" does not match inside "Văn An").

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{canonical_combining_class, is_combining_mark};

use crate::pdf::Rect;

use super::interpret::Glyph;
use super::layout::{Item, Line};

/// How a needle is compared with the page's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Matching {
    pub case_sensitive: bool,
    pub whole_words: bool,
}

/// One character of a line's text and the cluster (glyphs) it came from.
#[derive(Debug, Clone, Copy)]
struct Unit {
    ch: char,
    cluster: usize,
}

/// A line's text, NFC-normalised cluster by cluster, each cluster knowing its glyphs.
#[derive(Debug, Default)]
pub(super) struct LineText {
    units: Vec<Unit>,
    clusters: Vec<Vec<usize>>,
}

impl LineText {
    pub fn new(line: &Line, glyphs: &[Glyph]) -> Self {
        // Characters with the glyph they were drawn by (`None`: a space read from a gap).
        let raw = line
            .items
            .iter()
            .flat_map(|item| -> Vec<(char, Option<usize>)> {
                match item {
                    Item::Gap => vec![(' ', None)],
                    Item::Glyph(index) => glyphs
                        .get(*index)
                        .map(|glyph| glyph.text.chars().map(|ch| (ch, Some(*index))).collect())
                        .unwrap_or_default(),
                }
            });
        let mut text = LineText::default();
        let mut cluster: Vec<(char, Option<usize>)> = Vec::new();
        for (ch, glyph) in raw {
            let starts_cluster = canonical_combining_class(ch) == 0 && !is_combining_mark(ch);
            if starts_cluster && !cluster.is_empty() {
                text.push_cluster(std::mem::take(&mut cluster));
            }
            cluster.push((ch, glyph));
        }
        if !cluster.is_empty() {
            text.push_cluster(cluster);
        }
        text
    }

    fn push_cluster(&mut self, cluster: Vec<(char, Option<usize>)>) {
        let index = self.clusters.len();
        let mut glyphs: Vec<usize> = cluster.iter().filter_map(|(_, glyph)| *glyph).collect();
        glyphs.dedup();
        self.clusters.push(glyphs);
        let composed: String = cluster.iter().map(|(ch, _)| *ch).nfc().collect();
        self.units
            .extend(composed.chars().map(|ch| Unit { ch, cluster: index }));
    }

    /// The text with spaces between words, without white space at either end.
    pub fn text(&self) -> String {
        let text: String = self.units.iter().map(|unit| unit.ch).collect();
        text.trim().to_string()
    }

    /// The box around the line's glyphs that are not white space; `None` for a blank line.
    pub fn bounds(&self, glyphs: &[Glyph]) -> Option<Rect> {
        let visible = self
            .units
            .iter()
            .filter(|unit| !unit.ch.is_whitespace())
            .flat_map(|unit| {
                self.clusters
                    .get(unit.cluster)
                    .into_iter()
                    .flatten()
                    .copied()
            });
        bounds(visible, glyphs)
    }

    /// Every non-overlapping match of `needle` (already prepared by [`prepare_needle`]): the
    /// matched text as found and the box of its glyphs.
    pub fn find(
        &self,
        needle: &[char],
        matching: Matching,
        glyphs: &[Glyph],
    ) -> Vec<(String, Rect)> {
        // The line's characters without white space, each with its position in `units`.
        let compared: Vec<(char, usize)> = self
            .units
            .iter()
            .enumerate()
            .filter(|(_, unit)| !unit.ch.is_whitespace())
            .flat_map(|(position, unit)| fold(unit.ch, matching).map(move |ch| (ch, position)))
            .collect();
        let mut hits = Vec::new();
        let mut start = 0;
        while start + needle.len() <= compared.len() {
            let window = compared
                .get(start..start + needle.len())
                .unwrap_or_default();
            let equal = window.iter().map(|(ch, _)| ch).eq(needle.iter());
            let (Some(&(_, first)), Some(&(_, last))) = (window.first(), window.last()) else {
                break;
            };
            if equal && (!matching.whole_words || self.stands_alone(first, last, needle)) {
                let matched = self.units.get(first..=last).unwrap_or_default();
                let clusters = matched.iter().map(|unit| unit.cluster);
                let glyph_indices = clusters
                    .flat_map(|cluster| self.clusters.get(cluster).cloned().unwrap_or_default());
                if let Some(rect) = bounds(glyph_indices, glyphs) {
                    hits.push((matched.iter().map(|unit| unit.ch).collect(), rect));
                }
                start += needle.len();
            } else {
                start += 1;
            }
        }
        hits
    }

    /// Whether the units `first..=last` are not glued to a word character on either side (a
    /// side where the needle itself ends in punctuation needs no boundary).
    fn stands_alone(&self, first: usize, last: usize, needle: &[char]) -> bool {
        let word = |ch: char| ch.is_alphanumeric() || is_combining_mark(ch);
        let before = first
            .checked_sub(1)
            .and_then(|index| self.units.get(index))
            .map(|unit| unit.ch);
        let after = self.units.get(last + 1).map(|unit| unit.ch);
        let starts_word = needle.first().is_some_and(|ch| word(*ch));
        let ends_word = needle.last().is_some_and(|ch| word(*ch));
        (!starts_word || !before.is_some_and(word)) && (!ends_word || !after.is_some_and(word))
    }
}

/// The needle as compared: NFC, without white space, case-folded when asked.
pub(super) fn prepare_needle(needle: &str, matching: Matching) -> Vec<char> {
    needle
        .nfc()
        .filter(|ch| !ch.is_whitespace())
        .flat_map(|ch| fold(ch, matching))
        .collect()
}

fn fold(ch: char, matching: Matching) -> impl Iterator<Item = char> {
    let lower = (!matching.case_sensitive).then(|| ch.to_lowercase());
    let same = matching.case_sensitive.then_some(ch);
    lower.into_iter().flatten().chain(same)
}

/// The axis-aligned box around the glyphs at `indices`.
fn bounds(indices: impl Iterator<Item = usize>, glyphs: &[Glyph]) -> Option<Rect> {
    let corners = indices
        .filter_map(|index| glyphs.get(index))
        .flat_map(|glyph| glyph.quad.iter());
    corners.fold(None, |rect: Option<Rect>, corner| {
        Some(match rect {
            None => Rect::new(corner.x, corner.y, corner.x, corner.y),
            Some(rect) => Rect {
                llx: rect.llx.min(corner.x),
                lly: rect.lly.min(corner.y),
                urx: rect.urx.max(corner.x),
                ury: rect.ury.max(corner.y),
            },
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::content::matrix::Point;

    fn glyph(text: &str, x: f64) -> Glyph {
        Glyph {
            text: text.to_string(),
            origin: Point::new(x, 0.0),
            end: Point::new(x + 5.0, 0.0),
            axis: Point::new(1.0, 0.0),
            em: 10.0,
            quad: [
                Point::new(x, -2.0),
                Point::new(x + 5.0, -2.0),
                Point::new(x + 5.0, 8.0),
                Point::new(x, 8.0),
            ],
        }
    }

    /// A line of one glyph per element; `None` is a gap.
    fn line(parts: &[Option<&str>]) -> (Vec<Glyph>, Line) {
        let mut glyphs = Vec::new();
        let mut items = Vec::new();
        for (position, part) in parts.iter().enumerate() {
            match part {
                Some(text) => {
                    items.push(Item::Glyph(glyphs.len()));
                    glyphs.push(glyph(text, position as f64 * 5.0));
                }
                None => items.push(Item::Gap),
            }
        }
        (glyphs, Line { items })
    }

    const DEFAULT: Matching = Matching {
        case_sensitive: true,
        whole_words: true,
    };

    fn find(parts: &[Option<&str>], needle: &str, matching: Matching) -> Vec<(String, Rect)> {
        let (glyphs, line) = line(parts);
        let text = LineText::new(&line, &glyphs);
        text.find(&prepare_needle(needle, matching), matching, &glyphs)
    }

    #[test]
    fn decomposed_marks_compose_across_glyphs() {
        // "Nguyễn" with ễ drawn as e + combining circumflex + combining tilde.
        let parts = ["N", "g", "u", "y", "e", "\u{302}", "\u{303}", "n"].map(Some);
        let hits = find(&parts, "Nguyễn", DEFAULT);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].0, "Nguyễn");
        assert_eq!(hits[0].1, Rect::new(0.0, -2.0, 40.0, 8.0));
        // A decomposed needle finds precomposed text too.
        let hits = find(&["ễ"].map(Some), "e\u{302}\u{303}", DEFAULT);
        assert_eq!(hits.len(), 1);
    }

    #[test]
    fn white_space_is_ignored_but_words_stand_alone() {
        let parts = [Some("V"), Some("ă"), Some("n"), None, Some("A"), Some("n")];
        assert!(find(&parts, "Văn A", DEFAULT).is_empty());
        let loose = Matching {
            whole_words: false,
            ..DEFAULT
        };
        assert_eq!(find(&parts, "Văn  A", loose)[0].0, "Văn A");
        assert_eq!(
            find(&parts, "VănAn", DEFAULT)[0].1,
            Rect::new(0.0, -2.0, 30.0, 8.0)
        );
    }

    #[test]
    fn case_folding_on_request() {
        let parts = ["Đ", "Ư", "Ờ", "N", "G"].map(Some);
        assert!(find(&parts, "đường", DEFAULT).is_empty());
        let folded = Matching {
            case_sensitive: false,
            ..DEFAULT
        };
        assert_eq!(find(&parts, "đường", folded).len(), 1);
    }

    #[test]
    fn every_occurrence_without_overlap() {
        let parts = ["a", "a", "a", "a"].map(Some);
        let loose = Matching {
            whole_words: false,
            ..DEFAULT
        };
        assert_eq!(find(&parts, "aa", loose).len(), 2);
    }

    #[test]
    fn punctuation_needs_no_boundary() {
        let parts = ["(", "A", ")", "x"].map(Some);
        assert_eq!(find(&parts, "(A)", DEFAULT).len(), 1);
        assert!(find(&parts, "A", DEFAULT).len() == 1);
    }
}
