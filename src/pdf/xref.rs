//! Cross-reference sections and revisions (§7.5.4–7.5.8): `startxref`, classic tables, xref streams,
//! hybrid files, the `/Prev` chain, and the `%%EOF` that closes each revision. Never repairs: a
//! pointer that misses, a malformed section or a loop is an error naming what is wrong.

use std::collections::{HashMap, HashSet};

use super::error::{PdfError, Result, XrefProblem};
use super::filters::{self, FilterStep};
use super::limits::{Limit, Limits};
use super::object::{Dictionary, Object, ObjectId, StreamData};
use super::parser::{self, Parser, Token};
use super::source::{Source, read_vec};

/// One cross-reference entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrefEntry {
    /// A free entry; `next_generation` is the generation a reuse of the number must carry.
    Free { next_generation: u16 },
    /// An object stored at `offset` in the file.
    InUse { offset: u64, generation: u16 },
    /// An object stored at position `index` of object stream `stream` (generation 0).
    Compressed { stream: u32, index: u32 },
}

impl XrefEntry {
    /// The generation an object defined by this entry has (free entries: the freed generation + 1).
    pub fn generation(&self) -> u16 {
        match self {
            XrefEntry::Free { next_generation } => *next_generation,
            XrefEntry::InUse { generation, .. } => *generation,
            XrefEntry::Compressed { .. } => 0,
        }
    }

    pub fn is_free(&self) -> bool {
        matches!(self, XrefEntry::Free { .. })
    }
}

/// How a revision's cross-reference information is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum XrefKind {
    /// A classic `xref` table with a `trailer` dictionary.
    Table,
    /// A cross-reference stream (PDF 1.5).
    Stream,
    /// A classic table whose trailer points with `/XRefStm` at an additional xref stream.
    Hybrid,
}

/// One cross-reference section as found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XrefSection {
    /// Where the section starts: the `xref` keyword or the xref stream's `N G obj`.
    pub offset: u64,
    pub kind: XrefKind,
    /// Just after the trailer dictionary (table) or `endobj` (stream).
    pub end: u64,
    /// The xref stream's own id (stream and hybrid sections).
    pub stream_id: Option<ObjectId>,
    /// For hybrid sections: where the `/XRefStm` stream is.
    pub hybrid_stream_offset: Option<u64>,
}

/// One revision of the document: the original or an incremental update, oldest first.
#[derive(Debug, Clone)]
pub struct Revision {
    pub(crate) index: usize,
    pub(crate) xref_offset: u64,
    pub(crate) kind: XrefKind,
    pub(crate) trailer: Dictionary,
    pub(crate) entries: HashMap<u32, XrefEntry>,
    pub(crate) sections: Vec<XrefSection>,
    pub(crate) eof_marker_end: u64,
    pub(crate) end: u64,
    pub(crate) start: u64,
    pub(crate) linearized: bool,
}

impl Revision {
    /// 0 for the original document, then one per incremental update.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The offset `startxref` (or the next revision's `/Prev`) gives for this revision.
    pub fn xref_offset(&self) -> u64 {
        self.xref_offset
    }

    /// The kind of cross-reference section (for a linearized original: of its first-page section).
    pub fn xref_kind(&self) -> XrefKind {
        self.kind
    }

    /// This revision's trailer (for an xref stream: the stream's dictionary).
    pub fn trailer(&self) -> &Dictionary {
        &self.trailer
    }

    /// The entry this revision gives for object `number`, if it lists it. In a hybrid section
    /// the table's entry wins, and the stream's entry is used where the table has none or only a
    /// free entry (§7.5.8.4).
    pub fn entry(&self, number: u32) -> Option<XrefEntry> {
        self.entries.get(&number).copied()
    }

    /// Every entry this revision lists, sorted by object number (object 0 left out).
    pub fn entries(&self) -> Vec<(u32, XrefEntry)> {
        let mut entries: Vec<(u32, XrefEntry)> = self
            .entries
            .iter()
            .map(|(number, entry)| (*number, *entry))
            .collect();
        entries.sort_unstable_by_key(|(number, _)| *number);
        entries
    }

    /// The objects this revision defines or redefines (in-use and compressed entries), sorted.
    pub fn defined_ids(&self) -> Vec<ObjectId> {
        let mut ids: Vec<ObjectId> = self
            .entries
            .iter()
            .filter(|(_, entry)| !entry.is_free())
            .map(|(number, entry)| ObjectId::new(*number, entry.generation()))
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The objects this revision frees: id with the generation that was freed.
    pub fn freed_ids(&self) -> Vec<ObjectId> {
        let mut ids: Vec<ObjectId> = self
            .entries
            .iter()
            .filter_map(|(number, entry)| match entry {
                XrefEntry::Free { next_generation } if *next_generation > 0 => {
                    Some(ObjectId::new(*number, next_generation - 1))
                }
                _ => None,
            })
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The cross-reference sections making up this revision (two for a linearized original, whose
    /// first-page section and main section belong to the same save).
    pub fn sections(&self) -> &[XrefSection] {
        &self.sections
    }

    /// The ids of this revision's xref stream objects (not document content).
    pub fn xref_stream_ids(&self) -> Vec<ObjectId> {
        self.sections
            .iter()
            .filter_map(|section| section.stream_id)
            .collect()
    }

    /// The byte just after this revision's `%%EOF` marker.
    pub fn eof_offset(&self) -> u64 {
        self.eof_marker_end
    }

    /// The byte just after this revision's `%%EOF` and the end-of-line that follows it (equal to
    /// [`eof_offset`](Self::eof_offset) when no EOL follows).
    pub fn end_offset(&self) -> u64 {
        self.end
    }

    /// Where this revision's bytes begin: 0 for the original, else the previous revision's end.
    pub fn start_offset(&self) -> u64 {
        self.start
    }

    /// True for the original revision of a linearized file.
    pub fn is_linearized(&self) -> bool {
        self.linearized
    }

    /// The trailer's `/Size`.
    pub fn size(&self) -> Option<u64> {
        self.trailer
            .get(b"Size")
            .and_then(Object::as_integer)
            .and_then(|size| u64::try_from(size).ok())
    }
}

/// The `%PDF-x.y` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Where `%PDF-` starts (0 in a well-formed file).
    pub offset: u64,
    pub major: u8,
    pub minor: u8,
}

/// What the `startxref`/`%%EOF` after a section says.
struct EofMarker {
    declared: u64,
    marker_end: u64,
    end: u64,
}

/// A section as read, before revisions are formed.
struct RawSection {
    info: XrefSection,
    trailer: Dictionary,
    entries: HashMap<u32, XrefEntry>,
    hybrid_entries: Option<HashMap<u32, XrefEntry>>,
    /// The `startxref … %%EOF` after the section, or why there is none (only a linearized file's
    /// first-page section may lack it).
    eof: Result<EofMarker>,
    prev: Option<u64>,
    /// Bytes decoded from xref streams to read this section.
    decoded: usize,
}

const HEADER_SEARCH: u64 = 1024;
const TAIL_SEARCH: u64 = 4096;

/// Finds the `%PDF-x.y` header in the first 1024 bytes.
pub(crate) fn read_header(source: &dyn Source) -> Result<Header> {
    let len = source.len().min(HEADER_SEARCH) as usize;
    let head = read_vec(source, 0, len)?;
    let start = find(&head, b"%PDF-").ok_or(PdfError::NotPdf)?;
    let version = head.get(start + 5..).unwrap_or_default();
    let digit = |at: usize| {
        version
            .get(at)
            .filter(|byte| byte.is_ascii_digit())
            .map(|d| d - b'0')
    };
    match (digit(0), version.get(1), digit(2)) {
        (Some(major), Some(b'.'), Some(minor)) => Ok(Header {
            offset: start as u64,
            major,
            minor,
        }),
        _ => Err(PdfError::NotPdf),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|window| window == needle)
}

/// The offset given by the last `startxref` of the file (which must be followed by `%%EOF`).
fn read_last_startxref(source: &dyn Source, limits: &Limits) -> Result<u64> {
    let len = source.len();
    let searched = len.min(TAIL_SEARCH);
    let tail_start = len - searched;
    let tail = read_vec(source, tail_start, searched as usize)?;
    let not_found = PdfError::StartxrefNotFound { searched };
    let keyword = rfind(&tail, b"startxref").ok_or(not_found)?;
    let position = tail_start + keyword as u64;
    let mut parser = Parser::new(source, position, limits);
    let marker =
        read_eof_marker(&mut parser).map_err(|_| PdfError::StartxrefNotFound { searched })?;
    Ok(marker.declared)
}

/// Reads `startxref N %%EOF [EOL]` at the parser's position (after whitespace).
fn read_eof_marker(parser: &mut Parser<'_>) -> Result<EofMarker> {
    let lexer = parser.lexer();
    lexer.skip_whitespace()?;
    let start = lexer.pos();
    if !lexer.looking_at(b"startxref")? {
        let found = lexer.excerpt(start);
        return Err(PdfError::MalformedXref {
            offset: start,
            problem: XrefProblem::MissingEof { found },
        });
    }
    parser.seek(start + b"startxref".len() as u64);
    let (declared, _) = parser.expect_unsigned("the startxref offset")?;
    let lexer = parser.lexer();
    lexer.skip_whitespace()?;
    let marker = lexer.pos();
    if !lexer.looking_at(b"%%EOF")? {
        let found = lexer.excerpt(marker);
        return Err(PdfError::MalformedXref {
            offset: start,
            problem: XrefProblem::MissingEof { found },
        });
    }
    let marker_end = marker + 5;
    let end = match (lexer.byte_at(marker_end)?, lexer.byte_at(marker_end + 1)?) {
        (Some(b'\r'), Some(b'\n')) => marker_end + 2,
        (Some(b'\r'), _) | (Some(b'\n'), _) => marker_end + 1,
        _ => marker_end,
    };
    Ok(EofMarker {
        declared,
        marker_end,
        end,
    })
}

/// True when the first object after the header is a linearization parameter dictionary.
fn starts_linearized(source: &dyn Source, limits: &Limits, header: &Header) -> bool {
    let mut parser = Parser::new(source, header.offset, limits);
    let first_object = (|| -> Result<bool> {
        parser.lexer().skip_whitespace_and_comments()?;
        parser.expect_unsigned("an object number")?;
        parser.expect_unsigned("a generation")?;
        parser.expect_keyword(b"obj", "obj")?;
        let (object, _) = parser.parse_object(0)?;
        Ok(object
            .as_dict()
            .is_some_and(|dict| dict.contains_key(b"Linearized")))
    })();
    first_object.unwrap_or(false)
}

/// Reads every cross-reference section from `startxref` back through `/Prev` and forms revisions,
/// oldest first.
pub(crate) fn read_revisions(
    source: &dyn Source,
    limits: &Limits,
    header: &Header,
) -> Result<Vec<Revision>> {
    let startxref = read_last_startxref(source, limits)?;
    let mut sections: Vec<RawSection> = Vec::new();
    let mut visited = HashSet::new();
    let mut total_entries = 0usize;
    // Every section may decode an xref stream up to the stream limit; all of them together get
    // twice that, so that thousands of sections pointing at one compressed bomb (a hybrid
    // `/XRefStm` may be shared) cannot make opening inflate it thousands of times.
    let max_total_decoded = limits.max_decompressed_size.saturating_mul(2);
    let mut total_decoded = 0usize;
    let mut next = Some((startxref, "startxref"));
    while let Some((offset, pointed_by)) = next {
        if !visited.insert(offset) {
            return Err(PdfError::PrevCycle { offset });
        }
        if sections.len() >= limits.max_xref_sections {
            return Err(PdfError::limit(
                Limit::XrefSections,
                sections.len() as u64 + 1,
                limits.max_xref_sections as u64,
            ));
        }
        let section = read_section(source, limits, offset, pointed_by)?;
        // Bounds the memory of all sections together, not only of each one.
        total_entries +=
            section.entries.len() + section.hybrid_entries.as_ref().map_or(0, HashMap::len);
        if total_entries > limits.max_objects as usize {
            return Err(PdfError::limit(
                Limit::ObjectCount,
                total_entries as u64,
                u64::from(limits.max_objects),
            ));
        }
        total_decoded = total_decoded.saturating_add(section.decoded);
        if total_decoded > max_total_decoded {
            return Err(PdfError::limit(
                Limit::DecompressedSize,
                total_decoded as u64,
                max_total_decoded as u64,
            ));
        }
        next = section.prev.map(|prev| (prev, "/Prev"));
        sections.push(section);
    }
    sections.reverse();
    build_revisions(sections, starts_linearized(source, limits, header))
}

fn read_section(
    source: &dyn Source,
    limits: &Limits,
    offset: u64,
    pointed_by: &'static str,
) -> Result<RawSection> {
    if offset >= source.len() {
        return Err(PdfError::XrefNotFound {
            offset,
            pointed_by,
            found: "the end of the file".to_string(),
        });
    }
    let mut parser = Parser::new(source, offset, limits);
    let first = parser.lexer().byte_at(offset)?;
    if parser.lexer().looking_at(b"xref")? {
        read_table_section(source, limits, &mut parser, offset)
    } else if matches!(first, Some(b'0'..=b'9')) {
        let stream = read_xref_stream(source, limits, offset, pointed_by)?;
        parser.seek(stream.end);
        let eof = read_eof_marker(&mut parser);
        let prev = trailer_offset(&stream.trailer, b"Prev", offset, XrefProblem::BadPrev)?;
        Ok(RawSection {
            info: XrefSection {
                offset,
                kind: XrefKind::Stream,
                end: stream.end,
                stream_id: Some(stream.id),
                hybrid_stream_offset: None,
            },
            trailer: stream.trailer,
            entries: stream.entries,
            hybrid_entries: None,
            eof,
            prev,
            decoded: stream.decoded,
        })
    } else {
        let found = format!("found {}", parser.lexer().excerpt(offset));
        Err(PdfError::XrefNotFound {
            offset,
            pointed_by,
            found,
        })
    }
}

fn trailer_offset(
    trailer: &Dictionary,
    key: &[u8],
    section: u64,
    problem: XrefProblem,
) -> Result<Option<u64>> {
    match trailer.get(key) {
        None => Ok(None),
        Some(Object::Integer(value)) if *value >= 0 => Ok(Some(*value as u64)),
        Some(_) => Err(PdfError::MalformedXref {
            offset: section,
            problem,
        }),
    }
}

fn trailer_size(trailer: &Dictionary, section: u64, limits: &Limits) -> Result<u64> {
    let size = match trailer.get(b"Size") {
        Some(Object::Integer(size)) if *size >= 0 => *size as u64,
        _ => {
            return Err(PdfError::MalformedXref {
                offset: section,
                problem: XrefProblem::BadSize,
            });
        }
    };
    if size > u64::from(limits.max_objects) {
        return Err(PdfError::limit(
            Limit::ObjectCount,
            size,
            u64::from(limits.max_objects),
        ));
    }
    Ok(size)
}

fn read_table_section(
    source: &dyn Source,
    limits: &Limits,
    parser: &mut Parser<'_>,
    offset: u64,
) -> Result<RawSection> {
    let malformed = |problem| PdfError::MalformedXref { offset, problem };
    parser.expect_keyword(b"xref", "xref")?;
    let mut entries = HashMap::new();
    let mut total: u64 = 0;
    loop {
        let Some(next) = parser.peek()? else {
            return Err(malformed(XrefProblem::MissingTrailer));
        };
        if next.token.is_keyword(b"trailer") {
            parser.next()?;
            break;
        }
        let (first, _) = parser
            .expect_unsigned("a subsection's first object number")
            .map_err(|_| malformed(XrefProblem::BadSubsectionHeader))?;
        let (count, _) = parser
            .expect_unsigned("a subsection's entry count")
            .map_err(|_| malformed(XrefProblem::BadSubsectionHeader))?;
        total = total.saturating_add(count);
        let max = u64::from(limits.max_objects);
        if total > max || first.saturating_add(count) > max {
            return Err(PdfError::limit(
                Limit::ObjectCount,
                total.max(first + count),
                max,
            ));
        }
        for number in first..first + count {
            let entry = read_table_entry(parser)
                .map_err(|_| malformed(XrefProblem::BadEntry { number }))?;
            // Object 0 is the head of the free list, never an object.
            if number != 0 {
                entries.insert(number as u32, entry);
            }
        }
    }
    let (trailer, _) = parser.parse_object(0)?;
    let Object::Dictionary(trailer) = trailer else {
        return Err(malformed(XrefProblem::MissingTrailer));
    };
    let end = parser.pos();
    let size = trailer_size(&trailer, offset, limits)?;
    if let Some(beyond) = entries
        .keys()
        .copied()
        .filter(|n| u64::from(*n) >= size)
        .max()
    {
        return Err(malformed(XrefProblem::EntryBeyondSize {
            number: u64::from(beyond),
            size,
        }));
    }
    let eof = read_eof_marker(parser);
    let prev = trailer_offset(&trailer, b"Prev", offset, XrefProblem::BadPrev)?;
    let hybrid_offset = trailer_offset(&trailer, b"XRefStm", offset, XrefProblem::BadXrefStm)?;
    let (kind, hybrid_entries, stream_id, decoded) = match hybrid_offset {
        Some(stream_offset) => {
            let stream = read_xref_stream(source, limits, stream_offset, "/XRefStm")?;
            (
                XrefKind::Hybrid,
                Some(stream.entries),
                Some(stream.id),
                stream.decoded,
            )
        }
        None => (XrefKind::Table, None, None, 0),
    };
    Ok(RawSection {
        info: XrefSection {
            offset,
            kind,
            end,
            stream_id,
            hybrid_stream_offset: hybrid_offset,
        },
        trailer,
        entries,
        hybrid_entries,
        eof,
        prev,
        decoded,
    })
}

fn read_table_entry(parser: &mut Parser<'_>) -> Result<XrefEntry> {
    let (field1, _) = parser.expect_unsigned("an xref entry offset")?;
    let (field2, _) = parser.expect_unsigned("an xref entry generation")?;
    let generation = u16::try_from(field2).map_err(|_| PdfError::MalformedXref {
        offset: parser.pos(),
        problem: XrefProblem::BadGeneration,
    })?;
    let kind = parser.expect_token("n or f")?;
    match kind.token {
        Token::Keyword(ref word) if word == b"n" => Ok(XrefEntry::InUse {
            offset: field1,
            generation,
        }),
        Token::Keyword(ref word) if word == b"f" => Ok(XrefEntry::Free {
            next_generation: generation,
        }),
        _ => Err(PdfError::Syntax {
            offset: kind.start,
            expected: "n or f",
            found: "another token".to_string(),
        }),
    }
}

struct XrefStream {
    id: ObjectId,
    trailer: Dictionary,
    entries: HashMap<u32, XrefEntry>,
    end: u64,
    /// Size of the decoded stream data.
    decoded: usize,
}

fn read_xref_stream(
    source: &dyn Source,
    limits: &Limits,
    offset: u64,
    pointed_by: &'static str,
) -> Result<XrefStream> {
    let malformed = |problem| PdfError::MalformedXref { offset, problem };
    // §7.5.8.2: every value in an xref stream's dictionary is direct, /Length included.
    let (id, parsed) = parser::parse_indirect_object(source, limits, offset, None, &mut |_| {
        Err(PdfError::structure(
            "an xref stream's /Length must be a direct integer",
        ))
    })
    .map_err(|error| match error {
        PdfError::ObjectNotAtOffset { found, .. } => PdfError::XrefNotFound {
            offset,
            pointed_by,
            found,
        },
        other => other,
    })?;
    let Object::Stream(stream) = parsed.object else {
        return Err(malformed(XrefProblem::NotXrefStream));
    };
    if !stream.dict.has_type("XRef") {
        return Err(malformed(XrefProblem::NotXrefStream));
    }
    let size = trailer_size(&stream.dict, offset, limits)?;
    let widths = xref_widths(&stream.dict).ok_or(malformed(XrefProblem::BadWidths))?;
    let index = xref_index(&stream.dict, size).ok_or(malformed(XrefProblem::BadIndex))?;
    let StreamData::InFile {
        offset: data_offset,
        length,
    } = stream.data
    else {
        return Err(malformed(XrefProblem::NotXrefStream));
    };
    if length > limits.max_decompressed_size as u64 {
        return Err(PdfError::limit(
            Limit::DecompressedSize,
            length,
            limits.max_decompressed_size as u64,
        ));
    }
    let raw = read_vec(source, data_offset, length as usize)?;
    let steps = direct_filter_steps(&stream.dict).map_err(|error| error.in_object(id))?;
    let decoded = filters::decode(raw, &steps, limits.max_decompressed_size)
        .map_err(|error| error.in_object(id))?;
    if !decoded.remaining.is_empty() {
        return Err(malformed(XrefProblem::NotXrefStream));
    }
    let entries = parse_xref_stream_entries(&decoded.data, widths, &index, size, limits)
        .map_err(malformed)?;
    Ok(XrefStream {
        id,
        trailer: stream.dict,
        entries,
        end: parsed.span.end,
        decoded: decoded.data.len(),
    })
}

/// `/Filter` and `/DecodeParms` read without resolving references (they must be direct here).
pub(crate) fn direct_filter_steps(dict: &Dictionary) -> Result<Vec<FilterStep>> {
    filter_steps_with(dict, &mut |object| Ok(object.clone()))
}

/// `/Filter` and `/DecodeParms` with every value passed through `resolve`.
pub(crate) fn filter_steps_with(
    dict: &Dictionary,
    resolve: &mut dyn FnMut(&Object) -> Result<Object>,
) -> Result<Vec<FilterStep>> {
    let filter = match dict.get(b"Filter") {
        None => return Ok(Vec::new()),
        Some(value) => resolve(value)?,
    };
    // `/DP` is the inline-image abbreviation (§8.9.7); a stream dictionary must spell it out.
    let params = match dict.get(b"DecodeParms") {
        None => Object::Null,
        Some(value) => resolve(value)?,
    };
    let names: Vec<Object> = match filter {
        Object::Name(_) => vec![filter],
        Object::Array(items) => items,
        Object::Null => Vec::new(),
        other => {
            return Err(super::object::wrong_type(
                "/Filter",
                "name or array",
                &other,
            ));
        }
    };
    let params: Vec<Object> = match params {
        Object::Array(items) => items,
        other => vec![other],
    };
    names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let name = resolve(name)?;
            let name = name.expect_name("/Filter")?.clone();
            let params = match params.get(index).map(&mut *resolve).transpose()? {
                Some(Object::Dictionary(dict)) => Some(dict),
                Some(Object::Null) | None => None,
                Some(other) => {
                    return Err(super::object::wrong_type(
                        "/DecodeParms",
                        "dictionary",
                        &other,
                    ));
                }
            };
            Ok(FilterStep { name, params })
        })
        .collect()
}

fn xref_widths(dict: &Dictionary) -> Option<[usize; 3]> {
    let items = dict.get(b"W")?.as_array()?;
    let mut widths = [0usize; 3];
    if items.len() != 3 {
        return None;
    }
    for (slot, item) in widths.iter_mut().zip(items) {
        let width = usize::try_from(item.as_integer()?).ok()?;
        if width > 8 {
            return None;
        }
        *slot = width;
    }
    (widths.iter().sum::<usize>() > 0).then_some(widths)
}

fn xref_index(dict: &Dictionary, size: u64) -> Option<Vec<(u64, u64)>> {
    let Some(index) = dict.get(b"Index") else {
        return Some(vec![(0, size)]);
    };
    let items = index.as_array()?;
    if items.len() % 2 != 0 {
        return None;
    }
    items
        .chunks(2)
        .map(|pair| {
            let first = u64::try_from(pair.first()?.as_integer()?).ok()?;
            let count = u64::try_from(pair.get(1)?.as_integer()?).ok()?;
            Some((first, count))
        })
        .collect()
}

fn parse_xref_stream_entries(
    data: &[u8],
    widths: [usize; 3],
    index: &[(u64, u64)],
    size: u64,
    limits: &Limits,
) -> std::result::Result<HashMap<u32, XrefEntry>, XrefProblem> {
    let entry_width: usize = widths.iter().sum();
    let total: u64 = index
        .iter()
        .fold(0u64, |sum, (_, count)| sum.saturating_add(*count));
    if total > u64::from(limits.max_objects) {
        return Err(XrefProblem::DataLength {
            expected: total.saturating_mul(entry_width as u64),
            actual: data.len() as u64,
        });
    }
    let expected = total * entry_width as u64;
    if (data.len() as u64) < expected {
        return Err(XrefProblem::DataLength {
            expected,
            actual: data.len() as u64,
        });
    }
    let mut entries = HashMap::with_capacity(total as usize);
    let mut rows = data.chunks_exact(entry_width);
    for &(first, count) in index {
        for number in first..first.saturating_add(count) {
            let row = rows.next().ok_or(XrefProblem::DataLength {
                expected,
                actual: data.len() as u64,
            })?;
            if number >= size {
                return Err(XrefProblem::EntryBeyondSize { number, size });
            }
            let (field1, rest) = row.split_at(widths[0]);
            let (field2, field3) = rest.split_at(widths[1]);
            let kind = if widths[0] == 0 { 1 } else { be_number(field1) };
            let field2 = be_number(field2);
            let field3 = be_number(field3);
            let entry = match kind {
                0 => XrefEntry::Free {
                    next_generation: u16::try_from(field3)
                        .map_err(|_| XrefProblem::BadGeneration)?,
                },
                1 => XrefEntry::InUse {
                    offset: field2,
                    generation: u16::try_from(field3).map_err(|_| XrefProblem::BadGeneration)?,
                },
                2 => XrefEntry::Compressed {
                    stream: u32::try_from(field2).map_err(|_| XrefProblem::BadEntry { number })?,
                    index: u32::try_from(field3).map_err(|_| XrefProblem::BadEntry { number })?,
                },
                // §7.5.8.3: other types are references to the null object; keep nothing.
                _ => continue,
            };
            if number != 0 {
                entries.insert(number as u32, entry);
            }
        }
    }
    Ok(entries)
}

fn be_number(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0u64, |acc, &byte| (acc << 8) | u64::from(byte))
}

/// Groups chronological sections into revisions: a linearized file's first-page section (whose
/// `/Prev` points forward to the main section) joins the main section in revision 0.
fn build_revisions(sections: Vec<RawSection>, linearized: bool) -> Result<Vec<Revision>> {
    let mut sections = sections.into_iter().peekable();
    let mut revisions: Vec<Revision> = Vec::new();
    let Some(oldest) = sections.next() else {
        return Ok(revisions);
    };
    let first_page = sections.next_if(|next| next.info.offset < oldest.info.offset);
    match first_page {
        Some(first_page) => {
            // Linearized: the file-end `startxref` names the first-page section, whose own
            // trailer is followed by `startxref 0` (or its own offset, or nothing at all for a
            // first-page xref stream).
            let first_offset = first_page.info.offset;
            let oldest_declared = oldest.eof.as_ref().map_err(clone_error)?.declared;
            let first_declared_ok = match &first_page.eof {
                Ok(marker) => marker.declared == 0 || marker.declared == first_offset,
                Err(_) => true,
            };
            let pair_is_consistent = linearized
                && oldest_declared == first_offset
                && first_declared_ok
                && first_page.info.end <= oldest.info.offset;
            if !pair_is_consistent {
                return Err(PdfError::MalformedXref {
                    offset: first_offset,
                    problem: XrefProblem::ForwardPrev {
                        prev: oldest.info.offset,
                    },
                });
            }
            let mut revision = revision_from(oldest, 0, 0);
            merge_linearized(&mut revision, first_page);
            revisions.push(revision);
        }
        None => {
            check_declared(&oldest)?;
            revisions.push(revision_from(oldest, 0, 0));
        }
    }
    for section in sections {
        let offset = section.info.offset;
        let Some(last) = revisions.last() else {
            break;
        };
        if offset < last.xref_offset {
            return Err(PdfError::MalformedXref {
                offset,
                problem: XrefProblem::ForwardPrev {
                    prev: last.xref_offset,
                },
            });
        }
        check_declared(&section)?;
        // The section itself comes after the previous revision's %%EOF. A hybrid section's
        // `/XRefStm` may point back into earlier bytes (Word writes its files that way).
        if offset < last.end {
            return Err(PdfError::MalformedXref {
                offset: last.xref_offset,
                problem: XrefProblem::Overlap {
                    end: last.end,
                    next: offset,
                },
            });
        }
        let start = last.end;
        let index = revisions.len();
        revisions.push(revision_from(section, index, start));
    }
    Ok(revisions)
}

/// The `startxref` after a section must exist and name that section.
fn check_declared(section: &RawSection) -> Result<()> {
    let declared = section.eof.as_ref().map_err(clone_error)?.declared;
    if declared != section.info.offset {
        return Err(PdfError::MalformedXref {
            offset: section.info.offset,
            problem: XrefProblem::StartxrefMismatch { declared },
        });
    }
    Ok(())
}

/// The error stored for a missing `%%EOF`, reported again (errors are not `Clone`).
fn clone_error(error: &PdfError) -> PdfError {
    match error {
        PdfError::MalformedXref { offset, problem } => PdfError::MalformedXref {
            offset: *offset,
            problem: problem.clone(),
        },
        other => PdfError::structure(other.to_string()),
    }
}

fn combined_entries(section: &mut RawSection) -> HashMap<u32, XrefEntry> {
    let main = std::mem::take(&mut section.entries);
    let Some(mut combined) = section.hybrid_entries.take() else {
        return main;
    };
    for (number, entry) in main {
        // The table wins, except that its free entries do not hide the stream's objects.
        if !entry.is_free() || !combined.contains_key(&number) {
            combined.insert(number, entry);
        }
    }
    combined
}

fn revision_from(mut section: RawSection, index: usize, start: u64) -> Revision {
    let entries = combined_entries(&mut section);
    // Callers checked the marker with `check_declared` (or the linearized pair's checks).
    let (eof_marker_end, end) = section
        .eof
        .as_ref()
        .map_or((section.info.end, section.info.end), |marker| {
            (marker.marker_end, marker.end)
        });
    Revision {
        index,
        xref_offset: section.info.offset,
        kind: section.info.kind,
        trailer: section.trailer,
        entries,
        sections: vec![section.info],
        eof_marker_end,
        end,
        start,
        linearized: false,
    }
}

fn merge_linearized(main: &mut Revision, mut first_page: RawSection) {
    let entries = combined_entries(&mut first_page);
    // The first-page section is what `startxref` names, so it stands for the revision; its
    // entries win over the main section's where both list an object.
    main.entries.extend(entries);
    main.xref_offset = first_page.info.offset;
    main.kind = first_page.info.kind;
    let mut trailer = first_page.trailer;
    for (key, value) in main.trailer.iter() {
        if !trailer.contains_key(key.as_bytes()) {
            trailer.insert(key.clone(), value.clone());
        }
    }
    main.trailer = trailer;
    main.sections.insert(0, first_page.info);
    main.linearized = true;
}
