//! CMaps (ISO 32000-1 §9.7.5, §9.10.3; Adobe Technical Note #5014): codespace ranges that split
//! a string into 1- to 4-byte codes, `bfchar`/`bfrange` mappings to Unicode (ToUnicode CMaps,
//! UTF-16BE destinations with surrogate pairs, glyph-name destinations, array ranges) and
//! `cidchar`/`cidrange` mappings to CIDs (embedded encoding CMaps), with `/WMode` and
//! `usecmap` of the Identity CMaps. Parsing is tolerant of bytes the lexer refuses (they are
//! skipped) and bounded by [`ContentLimits::max_cmap_entries`](super::ContentLimits).

use std::collections::HashMap;

use crate::pdf::{Limits, MemorySource, Object};

use super::error::{ContentError, ContentLimit};
use super::operations::Operations;

/// Ranges with the same first code that are looked at before giving up on a code.
const OVERLAP_PROBES: usize = 8;

/// One codespace range: codes of `len` bytes, each byte between the bounds' bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CodespaceRange {
    low: Vec<u8>,
    high: Vec<u8>,
}

impl CodespaceRange {
    fn contains(&self, bytes: &[u8]) -> bool {
        bytes.len() == self.low.len()
            && bytes
                .iter()
                .zip(self.low.iter().zip(&self.high))
                .all(|(byte, (low, high))| (low..=high).contains(&byte))
    }
}

/// Where a `bfrange` sends its codes.
#[derive(Debug, Clone)]
enum RangeTarget {
    /// The first code's text; later codes increment its last character.
    Incrementing(String),
    /// One text per code, in order.
    Listed(Vec<String>),
}

#[derive(Debug, Clone)]
struct UnicodeRange {
    low: u32,
    high: u32,
    target: RangeTarget,
}

/// A parsed CMap.
#[derive(Debug, Clone, Default)]
pub(super) struct CMap {
    codespace: Vec<CodespaceRange>,
    unicode_chars: HashMap<u32, String>,
    /// Sorted by `low`.
    unicode_ranges: Vec<UnicodeRange>,
    cid_chars: HashMap<u32, u32>,
    /// `(low, high, first CID)`, sorted by `low`.
    cid_ranges: Vec<(u32, u32, u32)>,
    /// Every two-byte code is its own CID (`Identity-H`/`Identity-V`).
    identity: bool,
    /// `/WMode 1`: vertical writing.
    pub vertical: bool,
    entries: usize,
}

impl CMap {
    /// `Identity-H` (or `Identity-V` when `vertical`): two-byte codes, CID = code.
    pub fn identity(vertical: bool) -> CMap {
        CMap {
            codespace: vec![CodespaceRange {
                low: vec![0, 0],
                high: vec![0xFF, 0xFF],
            }],
            identity: true,
            vertical,
            ..CMap::default()
        }
    }

    /// Parses a CMap stream's decoded bytes. `context` names the stream in errors.
    pub fn parse(
        data: &[u8],
        limits: &Limits,
        max_entries: usize,
        context: &str,
    ) -> Result<CMap, ContentError> {
        let mut builder = Builder {
            cmap: CMap::default(),
            max_entries,
            context,
        };
        let source = MemorySource(data);
        // Operands of a CMap section can be many (100 pairs per block by the specification,
        // more in the wild); an entry takes at most three plus an array, so the entry limit is
        // what bounds them.
        let max_operands = max_entries.saturating_mul(4).saturating_add(16);
        let mut operations = Operations::new(&source, data, limits, max_operands, context);
        loop {
            let position = operations.position();
            match operations.next_operator() {
                Ok(Some(operator)) => builder.apply(&operator, operations.operands())?,
                Ok(None) => break,
                // Operands of a CMap are its entries: too many is too many entries.
                Err(ContentError::LimitExceeded { .. }) => {
                    return Err(ContentError::limit(
                        ContentLimit::CMapEntries,
                        context,
                        max_entries.saturating_add(1),
                        max_entries,
                    ));
                }
                // PostScript the lexer does not know (`{ }` procedures): step over it.
                Err(_) => operations.skip_byte_at(position.max(operations.position())),
            }
        }
        let mut cmap = builder.cmap;
        cmap.unicode_ranges.sort_by_key(|range| range.low);
        cmap.cid_ranges.sort_by_key(|range| range.0);
        Ok(cmap)
    }

    /// True when the CMap maps any code to Unicode.
    pub fn has_unicode(&self) -> bool {
        !self.unicode_chars.is_empty() || !self.unicode_ranges.is_empty()
    }

    /// Adds `other`'s mappings under this CMap's own (`usecmap`): codespace ranges and mappings
    /// this CMap lacks.
    pub fn inherit(&mut self, other: &CMap) {
        if self.codespace.is_empty() {
            self.codespace = other.codespace.clone();
        }
        self.identity |= other.identity;
        self.vertical |= other.vertical;
        for (code, cid) in &other.cid_chars {
            self.cid_chars.entry(*code).or_insert(*cid);
        }
        self.cid_ranges.extend(other.cid_ranges.iter().copied());
        self.cid_ranges.sort_by_key(|range| range.0);
    }

    /// Splits the next code off `bytes` (non-empty): the shortest prefix inside a codespace
    /// range (§9.7.6.2). A prefix matching no range is read as one code of the shortest
    /// codespace length that fits, else one byte. Returns the code and its length in bytes.
    pub fn next_code(&self, bytes: &[u8]) -> (u32, usize) {
        if !self.codespace.is_empty() {
            for len in 1..=4 {
                let Some(prefix) = bytes.get(..len) else {
                    break;
                };
                if self.codespace.iter().any(|range| range.contains(prefix)) {
                    return (code_value(prefix), len);
                }
            }
        }
        let len = self
            .codespace
            .iter()
            .map(|range| range.low.len())
            .min()
            .unwrap_or(1)
            .clamp(1, bytes.len().max(1));
        let prefix = bytes.get(..len).unwrap_or(bytes);
        (code_value(prefix), prefix.len())
    }

    /// The text of `code`, when mapped.
    pub fn unicode(&self, code: u32) -> Option<String> {
        if let Some(text) = self.unicode_chars.get(&code) {
            return Some(text.clone());
        }
        let range = find_range(&self.unicode_ranges, code, |range| (range.low, range.high))?;
        let offset = code - range.low;
        match &range.target {
            RangeTarget::Listed(texts) => texts.get(offset as usize).cloned(),
            RangeTarget::Incrementing(first) => increment_last(first, offset),
        }
    }

    /// The CID of `code`: the identity for Identity CMaps, else the mapped CID or 0 (`.notdef`).
    pub fn cid(&self, code: u32) -> u32 {
        if let Some(cid) = self.cid_chars.get(&code) {
            return *cid;
        }
        if let Some(&(low, _, first)) =
            find_range(&self.cid_ranges, code, |range| (range.0, range.1))
        {
            return first.saturating_add(code - low);
        }
        if self.identity { code } else { 0 }
    }
}

/// The range containing `code` in ranges sorted by their low end; with overlapping ranges the
/// nearest few starting at or below `code` are tried.
fn find_range<T>(ranges: &[T], code: u32, bounds: impl Fn(&T) -> (u32, u32)) -> Option<&T> {
    let after = ranges.partition_point(|range| bounds(range).0 <= code);
    ranges
        .get(..after)
        .unwrap_or_default()
        .iter()
        .rev()
        .take(OVERLAP_PROBES)
        .find(|range| bounds(range).1 >= code)
}

fn code_value(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(0u32, |value, byte| value << 8 | u32::from(*byte))
}

/// `first` with its last character advanced by `offset` (a single character, astral ones
/// included, simply counts up; `<0066 0066>`-style ligature starts change their last letter).
fn increment_last(first: &str, offset: u32) -> Option<String> {
    let mut chars: Vec<char> = first.chars().collect();
    let last = chars.pop()?;
    let next = char::from_u32(u32::from(last).checked_add(offset)?)?;
    chars.push(next);
    Some(chars.into_iter().collect())
}

/// UTF-16BE bytes as text; an odd last byte counts as a code unit of its own.
pub(super) fn utf16_text(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|pair| match pair {
            [high, low] => u16::from_be_bytes([*high, *low]),
            [single] => u16::from(*single),
            _ => 0,
        })
        .collect();
    String::from_utf16_lossy(&units)
}

struct Builder<'c> {
    cmap: CMap,
    max_entries: usize,
    context: &'c str,
}

impl Builder<'_> {
    fn count(&mut self, entries: usize) -> Result<(), ContentError> {
        self.cmap.entries = self.cmap.entries.saturating_add(entries);
        if self.cmap.entries > self.max_entries {
            return Err(ContentError::limit(
                ContentLimit::CMapEntries,
                self.context,
                self.cmap.entries,
                self.max_entries,
            ));
        }
        Ok(())
    }

    fn apply(&mut self, operator: &[u8], operands: &[Object]) -> Result<(), ContentError> {
        match operator {
            b"endcodespacerange" => {
                for pair in operands.chunks_exact(2) {
                    if let [Object::String(low), Object::String(high)] = pair
                        && low.bytes.len() == high.bytes.len()
                        && (1..=4).contains(&low.bytes.len())
                    {
                        self.count(1)?;
                        self.cmap.codespace.push(CodespaceRange {
                            low: low.bytes.clone(),
                            high: high.bytes.clone(),
                        });
                    }
                }
            }
            b"endbfchar" => {
                for pair in operands.chunks_exact(2) {
                    if let [Object::String(code), target] = pair
                        && let Some(text) = target_text(target)
                    {
                        self.count(1)?;
                        self.cmap
                            .unicode_chars
                            .insert(code_value(&code.bytes), text);
                    }
                }
            }
            b"endbfrange" => {
                for triple in operands.chunks_exact(3) {
                    self.bf_range(triple)?;
                }
            }
            b"endcidchar" => {
                for pair in operands.chunks_exact(2) {
                    if let [Object::String(code), cid] = pair
                        && let Some(cid) = cid.as_integer().and_then(|cid| u32::try_from(cid).ok())
                    {
                        self.count(1)?;
                        self.cmap.cid_chars.insert(code_value(&code.bytes), cid);
                    }
                }
            }
            b"endcidrange" => {
                for triple in operands.chunks_exact(3) {
                    if let [Object::String(low), Object::String(high), cid] = triple
                        && let Some(cid) = cid.as_integer().and_then(|cid| u32::try_from(cid).ok())
                    {
                        let (low, high) = (code_value(&low.bytes), code_value(&high.bytes));
                        if low <= high {
                            self.count(1)?;
                            self.cmap.cid_ranges.push((low, high, cid));
                        }
                    }
                }
            }
            b"def" => {
                if let [Object::Name(key), Object::Integer(mode)] = operands
                    && key.as_bytes() == b"WMode"
                {
                    self.cmap.vertical = *mode == 1;
                }
            }
            b"usecmap" => {
                if let [Object::Name(name)] = operands {
                    match name.as_bytes() {
                        b"Identity-H" => self.cmap.inherit(&CMap::identity(false)),
                        b"Identity-V" => self.cmap.inherit(&CMap::identity(true)),
                        // Other predefined CMaps are files this reader does not carry.
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn bf_range(&mut self, triple: &[Object]) -> Result<(), ContentError> {
        let [Object::String(low), Object::String(high), target] = triple else {
            return Ok(());
        };
        let (low, high) = (code_value(&low.bytes), code_value(&high.bytes));
        if low > high {
            return Ok(());
        }
        let target = match target {
            Object::String(first) => RangeTarget::Incrementing(utf16_text(&first.bytes)),
            Object::Array(items) => {
                let span = (high - low) as usize + 1;
                let texts: Vec<String> = items
                    .iter()
                    .take(span)
                    .map(|item| target_text(item).unwrap_or_default())
                    .collect();
                self.count(texts.len())?;
                RangeTarget::Listed(texts)
            }
            _ => return Ok(()),
        };
        self.count(1)?;
        self.cmap
            .unicode_ranges
            .push(UnicodeRange { low, high, target });
        Ok(())
    }
}

/// A `bfchar` destination: UTF-16BE bytes, or a glyph name.
fn target_text(target: &Object) -> Option<String> {
    match target {
        Object::String(bytes) => Some(utf16_text(&bytes.bytes)),
        Object::Name(name) => pdfboss_encoding::glyph_to_text(name.as_str()?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> CMap {
        CMap::parse(text.as_bytes(), &Limits::default(), 1000, "test").unwrap()
    }

    const HEADER: &str = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap \
        /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def \
        /CMapName /Adobe-Identity-UCS def /CMapType 2 def\n";

    #[test]
    fn bfchar_and_bfrange_with_surrogates_and_arrays() {
        let cmap = parse(&format!(
            "{HEADER}1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
             3 beginbfchar <0001> <0041> <0002> <D835DC00> <0003> <00660069> endbfchar\n\
             2 beginbfrange <0010> <0012> <1EA0> <0020> <0022> [<0061> <0062> <0063>] endbfrange\n\
             1 beginbfrange <0030> <0031> <D83DDE00> endbfrange\n\
             endcmap CMapName currentdict /CMap defineresource pop end end"
        ));
        assert_eq!(cmap.unicode(1).as_deref(), Some("A"));
        assert_eq!(cmap.unicode(2).as_deref(), Some("\u{1D400}"));
        assert_eq!(cmap.unicode(3).as_deref(), Some("fi"));
        assert_eq!(cmap.unicode(0x12).as_deref(), Some("\u{1EA2}"));
        assert_eq!(cmap.unicode(0x21).as_deref(), Some("b"));
        assert_eq!(cmap.unicode(0x31).as_deref(), Some("\u{1F601}"));
        assert_eq!(cmap.unicode(0x13), None);
        assert_eq!(cmap.next_code(&[0x00, 0x01, 0x41]), (1, 2));
    }

    #[test]
    fn mixed_one_and_two_byte_codespace() {
        let cmap = parse(
            "2 begincodespacerange <00> <80> <8140> <9FFC> endcodespacerange\n\
             1 begincidrange <8140> <817E> 633 endcidrange\n\
             1 begincidchar <41> 34 endcidchar",
        );
        assert_eq!(cmap.next_code(b"A\x81\x41"), (0x41, 1));
        assert_eq!(cmap.next_code(b"\x81\x41A"), (0x8141, 2));
        assert_eq!(cmap.cid(0x8141), 634);
        assert_eq!(cmap.cid(0x41), 34);
        assert_eq!(cmap.cid(0x42), 0);
        // A byte outside every range is read alone.
        assert_eq!(cmap.next_code(b"\xFF\x41"), (0xFF, 1));
    }

    #[test]
    fn glyph_name_destinations_and_vertical_mode() {
        let cmap = parse(
            "/WMode 1 def 1 begincodespacerange <00> <FF> endcodespacerange \
             1 beginbfchar <01> /ecircumflex endbfchar",
        );
        assert!(cmap.vertical);
        assert_eq!(cmap.unicode(1).as_deref(), Some("ê"));
    }

    #[test]
    fn usecmap_identity() {
        let cmap = parse("/Identity-V usecmap");
        assert!(cmap.vertical);
        assert_eq!(cmap.cid(0x1234), 0x1234);
        assert_eq!(cmap.next_code(&[0x12, 0x34]), (0x1234, 2));
    }

    #[test]
    fn tolerates_postscript_it_does_not_know() {
        let cmap = parse(
            "/Foo { pop } bind def 1 begincodespacerange <00> <FF> endcodespacerange \
             1 beginbfchar <41> <0042> endbfchar",
        );
        assert_eq!(cmap.unicode(0x41).as_deref(), Some("B"));
    }

    #[test]
    fn entry_limit() {
        let pairs: String = (0..20)
            .map(|code| format!("<{code:02X}> <0041> "))
            .collect();
        let text = format!("20 beginbfchar {pairs} endbfchar");
        let error = CMap::parse(text.as_bytes(), &Limits::default(), 10, "test").unwrap_err();
        assert!(matches!(
            error,
            ContentError::LimitExceeded {
                limit: ContentLimit::CMapEntries,
                ..
            }
        ));
    }

    #[test]
    fn huge_ranges_are_not_expanded() {
        let cmap = parse("1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange");
        assert_eq!(cmap.unicode(1).as_deref(), Some("B"));
        assert_eq!(cmap.unicode(0xFFFF_FFFF), None);
    }
}
