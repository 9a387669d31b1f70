//! Where a signature's signed bytes are, checked before anything is hashed: the `/ByteRange`
//! rules that stop Universal Signature Forgery and Signature Wrapping (Mladenov et al., CCS 2019),
//! the coverage classification in pyHanko's words, and the rule that successive signatures nest.
//!
//! The rules for a standard `/ByteRange [a b c d]`:
//! 1. four non-negative integers, the two ranges inside the file, in order, not overlapping;
//! 2. `a` is 0: the signature covers the file from its first byte;
//! 3. the gap `[b, c)` is exactly this signature dictionary's `<hex>` `/Contents` token;
//! 4. `c + d` is the end of a revision (its `%%EOF`, with or without the end-of-line after it).
//!
//! Breaking any rule is a `FORMAT_FAILURE`. The ranges are still hashed when they are usable
//! (inside the file, ordered, not overlapping), so that the report can say whether the bytes they
//! name are intact, as pyHanko does; the verdict does not depend on it.

use std::ops::Range;

use crate::pdf::{Document, Object};
use crate::verify::report::Coverage;

/// How many trailing bytes after the last revision are inspected for being only whitespace.
const TRAILING_WHITESPACE_WINDOW: u64 = 1024;

/// What the geometry checks need to know about the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLayout {
    pub len: u64,
    /// For each revision, oldest first: the byte just after `%%EOF`, and after its end-of-line.
    pub revision_ends: Vec<(u64, u64)>,
    /// True when the bytes after the newest revision (if any) are only whitespace or NUL.
    pub tail_is_blank: bool,
}

impl FileLayout {
    pub fn of(doc: &Document) -> Self {
        let revision_ends = doc
            .revisions()
            .iter()
            .map(|revision| (revision.eof_offset(), revision.end_offset()))
            .collect();
        let trailing = doc.trailing_bytes();
        let tail_is_blank = trailing == 0
            || (trailing <= TRAILING_WHITESPACE_WINDOW
                && doc
                    .read_range(doc.len() - trailing..doc.len())
                    .is_ok_and(|tail| tail.iter().all(|byte| is_blank(*byte))));
        FileLayout {
            len: doc.len(),
            revision_ends,
            tail_is_blank,
        }
    }

    /// The revision whose `%%EOF` (with or without its end-of-line) ends at `offset`.
    pub fn revision_ending_at(&self, offset: u64) -> Option<usize> {
        self.revision_ends
            .iter()
            .position(|(eof, end)| *eof == offset || *end == offset)
    }

    fn newest_revision(&self) -> Option<usize> {
        self.revision_ends.len().checked_sub(1)
    }
}

fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | 0)
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GeometryProblem {
    /// Not an array of an even number of non-negative integers naming ordered ranges inside the
    /// file, or not exactly four of them.
    Malformed { detail: String },
    /// The first range does not start at byte 0.
    NotFromStart { start: u64 },
    /// The gap is not exactly the `/Contents` token of this signature dictionary.
    GapNotContents {
        gap: Range<u64>,
        contents: Option<Range<u64>>,
    },
    /// The signed area does not end at a revision's `%%EOF`.
    NotAtEof { end: u64 },
}

/// The outcome of the geometry checks for one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Geometry {
    /// The ranges to hash, when usable (even when a rule is broken).
    pub ranges: Option<Vec<Range<u64>>>,
    pub problems: Vec<GeometryProblem>,
    pub coverage: Coverage,
    /// The revision whose end the signed area reaches.
    pub signed_revision: Option<usize>,
}

impl Geometry {
    pub fn is_standard(&self) -> bool {
        self.problems.is_empty()
    }

    /// Where the first gap starts and the signed area ends, for the nesting check.
    pub fn gap_start_and_end(&self) -> Option<(u64, u64)> {
        let ranges = self.ranges.as_ref()?;
        let first = ranges.first()?;
        let last = ranges.last()?;
        Some((first.end, last.end))
    }
}

/// Checks `byte_range` (the signature dictionary's `/ByteRange` value, not resolved: an indirect
/// reference is refused) against this dictionary's `/Contents` token span and the file.
pub fn examine(
    byte_range: &Object,
    contents: Option<&Range<u64>>,
    layout: &FileLayout,
) -> Geometry {
    let ranges = match parse_ranges(byte_range, layout.len) {
        Ok(ranges) => ranges,
        Err(detail) => {
            return Geometry {
                ranges: None,
                problems: vec![GeometryProblem::Malformed { detail }],
                coverage: Coverage::Unclear,
                signed_revision: None,
            };
        }
    };
    let mut problems = Vec::new();
    let end = ranges.last().map_or(0, |range| range.end);
    let signed_revision = revision_at_end(end, layout);
    let [first, second] = ranges.as_slice() else {
        problems.push(GeometryProblem::Malformed {
            detail: format!("{} integers instead of 4", ranges.len().saturating_mul(2)),
        });
        return Geometry {
            ranges: Some(ranges),
            problems,
            coverage: Coverage::Unclear,
            signed_revision,
        };
    };
    if first.start != 0 {
        problems.push(GeometryProblem::NotFromStart { start: first.start });
    }
    let gap = first.end..second.start;
    if contents != Some(&gap) {
        problems.push(GeometryProblem::GapNotContents {
            gap,
            contents: contents.cloned(),
        });
    }
    if signed_revision.is_none() {
        problems.push(GeometryProblem::NotAtEof { end });
    }
    let coverage = classify(&problems, end, signed_revision, layout);
    Geometry {
        ranges: Some(ranges),
        problems,
        coverage,
        signed_revision,
    }
}

/// The coverage level, as pyHanko names it: anything but a standard, contiguous range from the
/// start is unclear; covering the whole file is best; ending at a revision's end is next.
fn classify(
    problems: &[GeometryProblem],
    end: u64,
    signed_revision: Option<usize>,
    layout: &FileLayout,
) -> Coverage {
    let nonstandard = problems.iter().any(|problem| {
        matches!(
            problem,
            GeometryProblem::NotFromStart { .. } | GeometryProblem::GapNotContents { .. }
        )
    });
    if nonstandard {
        Coverage::Unclear
    } else if end == layout.len {
        Coverage::EntireFile
    } else if signed_revision.is_some() {
        Coverage::EntireRevision
    } else {
        Coverage::ContiguousBlockFromStart
    }
}

/// The revision whose end is `end`; the file's end counts for the newest revision when only
/// blank bytes follow its `%%EOF`.
fn revision_at_end(end: u64, layout: &FileLayout) -> Option<usize> {
    layout.revision_ending_at(end).or_else(|| {
        (end == layout.len && layout.tail_is_blank)
            .then(|| layout.newest_revision())
            .flatten()
    })
}

/// Reads `[start length start length …]` into ordered, non-overlapping ranges inside the file.
fn parse_ranges(value: &Object, file_len: u64) -> Result<Vec<Range<u64>>, String> {
    let items = match value {
        Object::Array(items) => items,
        Object::Null => return Err("missing".into()),
        Object::Reference(id) => {
            return Err(format!(
                "an indirect reference ({id}) instead of a direct array"
            ));
        }
        other => return Err(format!("a {} instead of an array", other.type_name())),
    };
    if items.is_empty() || items.len() % 2 != 0 {
        return Err(format!(
            "{} integers; pairs of start and length are needed",
            items.len()
        ));
    }
    let mut ranges = Vec::with_capacity(items.len() / 2);
    let mut previous_end = 0u64;
    for (index, pair) in items.chunks_exact(2).enumerate() {
        let start = non_negative(pair.first(), index * 2)?;
        let length = non_negative(pair.get(1), index * 2 + 1)?;
        let end = start
            .checked_add(length)
            .ok_or_else(|| format!("range {index} overflows"))?;
        if end > file_len {
            return Err(format!(
                "range {index} ends at byte {end}, past the end of the file ({file_len} bytes)"
            ));
        }
        if index > 0 && start < previous_end {
            return Err(format!(
                "range {index} starts at byte {start}, before the previous one ends ({previous_end})"
            ));
        }
        previous_end = end;
        ranges.push(start..end);
    }
    Ok(ranges)
}

fn non_negative(item: Option<&Object>, position: usize) -> Result<u64, String> {
    match item {
        Some(Object::Integer(value)) => {
            u64::try_from(*value).map_err(|_| format!("value {position} is negative ({value})"))
        }
        Some(other) => Err(format!(
            "value {position} is a {}, not an integer",
            other.type_name()
        )),
        None => Err(format!("value {position} is missing")),
    }
}

/// The signatures (by index into `geometries`) whose signed area does not nest with those before
/// it: ordered by where their signed area ends, each must end after the previous ones and its
/// gap must start after everything they cover (a later signature signs the earlier ones whole).
/// Only standard geometries take part; the others have already failed.
pub fn overlapping(geometries: &[&Geometry]) -> Vec<usize> {
    let mut spans: Vec<(usize, u64, u64)> = geometries
        .iter()
        .enumerate()
        .filter(|(_, geometry)| geometry.is_standard())
        .filter_map(|(index, geometry)| {
            geometry
                .gap_start_and_end()
                .map(|(gap_start, end)| (index, gap_start, end))
        })
        .collect();
    spans.sort_by_key(|(index, _, end)| (*end, *index));
    let mut covered_until: Option<u64> = None;
    let mut bad = Vec::new();
    for (index, gap_start, end) in spans {
        if let Some(previous_end) = covered_until
            && (end == previous_end || gap_start < previous_end)
        {
            bad.push(index);
        }
        covered_until = Some(covered_until.map_or(end, |until| until.max(end)));
    }
    bad.sort_unstable();
    bad
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> FileLayout {
        FileLayout {
            len: 1000,
            revision_ends: vec![(400, 401), (998, 1000)],
            tail_is_blank: true,
        }
    }

    fn byte_range(values: &[i64]) -> Object {
        Object::Array(values.iter().map(|value| Object::Integer(*value)).collect())
    }

    #[test]
    fn a_standard_range_over_the_whole_file() {
        let geometry = examine(
            &byte_range(&[0, 100, 300, 700]),
            Some(&(100..300)),
            &layout(),
        );
        assert!(geometry.is_standard(), "{:?}", geometry.problems);
        assert_eq!(geometry.coverage, Coverage::EntireFile);
        assert_eq!(geometry.signed_revision, Some(1));
        assert_eq!(geometry.ranges, Some(vec![0..100, 300..1000]));
    }

    #[test]
    fn a_range_ending_at_an_earlier_revision_with_or_without_its_eol() {
        for end in [400, 401] {
            let geometry = examine(
                &byte_range(&[0, 100, 300, end - 300]),
                Some(&(100..300)),
                &layout(),
            );
            assert!(geometry.is_standard());
            assert_eq!(geometry.coverage, Coverage::EntireRevision);
            assert_eq!(geometry.signed_revision, Some(0));
        }
    }

    #[test]
    fn a_range_ending_elsewhere_is_a_contiguous_block_and_breaks_the_eof_rule() {
        let geometry = examine(
            &byte_range(&[0, 100, 300, 150]),
            Some(&(100..300)),
            &layout(),
        );
        assert_eq!(geometry.coverage, Coverage::ContiguousBlockFromStart);
        assert_eq!(
            geometry.problems,
            vec![GeometryProblem::NotAtEof { end: 450 }]
        );
        assert!(geometry.ranges.is_some());
    }

    #[test]
    fn the_gap_must_be_exactly_the_contents_token() {
        for contents in [Some(101..300), Some(100..299), None] {
            let geometry = examine(
                &byte_range(&[0, 100, 300, 700]),
                contents.as_ref(),
                &layout(),
            );
            assert_eq!(geometry.coverage, Coverage::Unclear);
            assert!(matches!(
                geometry.problems.as_slice(),
                [GeometryProblem::GapNotContents { .. }]
            ));
        }
    }

    #[test]
    fn a_range_not_from_the_start_is_unclear() {
        let geometry = examine(
            &byte_range(&[10, 90, 300, 700]),
            Some(&(100..300)),
            &layout(),
        );
        assert_eq!(geometry.coverage, Coverage::Unclear);
        assert_eq!(
            geometry.problems,
            vec![GeometryProblem::NotFromStart { start: 10 }]
        );
    }

    #[test]
    fn malformed_arrays_are_refused_without_ranges() {
        for value in [
            Object::Null,
            Object::Integer(4),
            Object::Reference(crate::pdf::ObjectId::new(5, 0)),
            byte_range(&[0, 100, 300]),
            byte_range(&[]),
            byte_range(&[0, -1, 300, 700]),
            byte_range(&[0, 100, 300, 701]),
            byte_range(&[0, 100, 50, 100]),
            byte_range(&[0, i64::MAX, i64::MAX, 1]),
            Object::Array(vec![
                Object::Integer(0),
                Object::Real(100.0),
                Object::Integer(300),
                Object::Integer(700),
            ]),
        ] {
            let geometry = examine(&value, Some(&(100..300)), &layout());
            assert!(geometry.ranges.is_none(), "{value:?}");
            assert_eq!(geometry.coverage, Coverage::Unclear);
            assert!(matches!(
                geometry.problems.as_slice(),
                [GeometryProblem::Malformed { .. }]
            ));
        }
    }

    #[test]
    fn two_or_six_integers_are_hashable_but_not_standard() {
        let one = examine(&byte_range(&[0, 1000]), Some(&(100..300)), &layout());
        assert_eq!(one.ranges, Some(std::iter::once(0..1000).collect()));
        assert_eq!(one.coverage, Coverage::Unclear);
        assert!(!one.is_standard());
        let three = examine(
            &byte_range(&[0, 100, 300, 100, 500, 500]),
            Some(&(100..300)),
            &layout(),
        );
        assert_eq!(three.ranges.as_ref().map(Vec::len), Some(3));
        assert!(!three.is_standard());
    }

    #[test]
    fn the_file_end_counts_when_only_blank_bytes_follow_the_last_eof() {
        let mut layout = layout();
        layout.revision_ends = vec![(400, 401), (990, 991)];
        let geometry = examine(&byte_range(&[0, 100, 300, 700]), Some(&(100..300)), &layout);
        assert!(geometry.is_standard());
        assert_eq!(geometry.signed_revision, Some(1));
        layout.tail_is_blank = false;
        let geometry = examine(&byte_range(&[0, 100, 300, 700]), Some(&(100..300)), &layout);
        assert_eq!(
            geometry.problems,
            vec![GeometryProblem::NotAtEof { end: 1000 }]
        );
    }

    #[test]
    fn successive_signatures_must_nest() {
        let first = examine(
            &byte_range(&[0, 100, 300, 101]),
            Some(&(100..300)),
            &layout(),
        );
        let second = examine(
            &byte_range(&[0, 500, 700, 300]),
            Some(&(500..700)),
            &layout(),
        );
        assert!(overlapping(&[&first, &second]).is_empty());
        assert!(overlapping(&[&second, &first]).is_empty());
        // The second one's gap starts inside the first one's signed area.
        let wrapped = examine(
            &byte_range(&[0, 350, 700, 300]),
            Some(&(350..700)),
            &layout(),
        );
        assert_eq!(overlapping(&[&first, &wrapped]), vec![1]);
        // Two signatures claiming the same signed area.
        let twin = examine(
            &byte_range(&[0, 100, 300, 101]),
            Some(&(100..300)),
            &layout(),
        );
        assert_eq!(overlapping(&[&first, &twin]), vec![1]);
    }
}
