//! The incremental writer (§7.5.6): one update appended to a document whose bytes stay exactly as
//! they were, with a cross-reference section of the input's kind and a trailer chained by `/Prev`.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::ops::Range;

use super::document::Document;
use super::error::{PdfError, Result};
use super::limits::Limit;
use super::object::{Dictionary, Object, ObjectId, PdfString, Stream, StreamData};
use super::serialize;
use super::xref::XrefKind;

/// Trailer keys that describe one cross-reference section rather than the document; they are
/// never carried into the update's trailer.
const SECTION_KEYS: &[&[u8]] = &[
    b"Length",
    b"Filter",
    b"DecodeParms",
    b"DP",
    b"DL",
    b"F",
    b"FFilter",
    b"FDecodeParms",
    b"W",
    b"Type",
    b"Index",
    b"XRefStm",
    b"Prev",
];

/// An object staged in the update.
#[derive(Debug, Clone)]
enum Staged {
    Object(Object),
    /// Already serialised value bytes (what goes between `obj` and `endobj`), for objects whose
    /// byte layout the caller must know, such as a signature dictionary.
    Serialized(Vec<u8>),
}

/// An update being built over a [`Document`]: new objects, and new versions of existing ones.
/// Nothing is written until [`write`](Self::write).
#[derive(Debug)]
pub struct IncrementalUpdate<'d> {
    doc: &'d Document,
    original_size: u32,
    next_number: u32,
    staged: BTreeMap<ObjectId, Staged>,
}

/// The result of writing an update.
#[derive(Debug, Clone)]
pub struct WrittenUpdate {
    /// The complete output: the input's bytes, then the update.
    pub bytes: Vec<u8>,
    /// Length of the input; `bytes[..input_len]` are the input's bytes unchanged.
    pub input_len: usize,
    /// Where the update's first object starts (after the EOL added when the input lacked one).
    pub update_start: usize,
    /// Offset of the new cross-reference section (what `startxref` says).
    pub xref_offset: usize,
    /// The id of the new xref stream, when the update uses one.
    pub xref_stream: Option<ObjectId>,
    body_spans: HashMap<ObjectId, Range<usize>>,
    object_spans: HashMap<ObjectId, Range<usize>>,
}

impl WrittenUpdate {
    /// Where object `id`'s value was written (between `obj` and `endobj`).
    pub fn body_span(&self, id: ObjectId) -> Option<Range<usize>> {
        self.body_spans.get(&id).cloned()
    }

    /// Where object `id` was written, from `N G obj` to just after `endobj`.
    pub fn object_span(&self, id: ObjectId) -> Option<Range<usize>> {
        self.object_spans.get(&id).cloned()
    }
}

impl<'d> IncrementalUpdate<'d> {
    /// Starts an update. Refuses encrypted documents and documents whose newest trailer lacks
    /// `/Root` or `/Size`.
    pub fn new(doc: &'d Document) -> Result<Self> {
        if doc.is_encrypted() {
            return Err(PdfError::Encrypted);
        }
        let trailer = doc.trailer();
        if trailer.get_reference(b"Root")?.is_none() {
            return Err(PdfError::MissingKey {
                context: "trailer".to_string(),
                key: "Root".to_string(),
            });
        }
        let size = trailer
            .get_integer(b"Size")?
            .and_then(|size| u32::try_from(size).ok())
            .ok_or_else(|| PdfError::MissingKey {
                context: "trailer".to_string(),
                key: "Size".to_string(),
            })?;
        Ok(IncrementalUpdate {
            doc,
            original_size: size,
            next_number: size.max(1),
            staged: BTreeMap::new(),
        })
    }

    /// The document being updated.
    pub fn document(&self) -> &'d Document {
        self.doc
    }

    /// The id of the document catalog.
    pub fn root(&self) -> Result<ObjectId> {
        self.doc
            .trailer()
            .get_reference(b"Root")?
            .ok_or_else(|| PdfError::MissingKey {
                context: "trailer".to_string(),
                key: "Root".to_string(),
            })
    }

    /// Reserves a new object id (numbers continue from the trailer's `/Size`). The id must be
    /// given a value with [`set`](Self::set) before writing.
    pub fn allocate(&mut self) -> Result<ObjectId> {
        let max = self.doc.limits().max_objects;
        if self.next_number >= max {
            return Err(PdfError::limit(
                Limit::ObjectCount,
                u64::from(self.next_number) + 1,
                u64::from(max),
            ));
        }
        let id = ObjectId::new(self.next_number, 0);
        self.next_number += 1;
        Ok(id)
    }

    /// Adds a new object and returns its id.
    pub fn add(&mut self, object: impl Into<Object>) -> Result<ObjectId> {
        let id = self.allocate()?;
        self.staged.insert(id, Staged::Object(object.into()));
        Ok(id)
    }

    /// Sets the value of an id allocated by this update, or writes a new version of an object
    /// that exists in the document (with its current generation).
    pub fn set(&mut self, id: ObjectId, object: impl Into<Object>) -> Result<()> {
        self.check_settable(id)?;
        self.staged.insert(id, Staged::Object(object.into()));
        Ok(())
    }

    /// Like [`set`](Self::set) with the value already serialised (the bytes between `obj` and
    /// `endobj`); [`WrittenUpdate::body_span`] then tells where those bytes ended up.
    pub fn set_serialized(&mut self, id: ObjectId, body: Vec<u8>) -> Result<()> {
        self.check_settable(id)?;
        self.staged.insert(id, Staged::Serialized(body));
        Ok(())
    }

    fn check_settable(&self, id: ObjectId) -> Result<()> {
        if id.number >= self.original_size {
            if id.number >= self.next_number || id.generation != 0 {
                return Err(PdfError::update(format!(
                    "object {id} was not allocated by this update"
                )));
            }
            return Ok(());
        }
        if id.number == 0 {
            return Err(PdfError::update("object 0 cannot be written"));
        }
        // An existing number: the new version keeps the generation of the current one.
        match self.doc.entry_at(id.number, self.doc.revisions().len() - 1) {
            Some((_, entry)) if !entry.is_free() && entry.generation() == id.generation => Ok(()),
            Some((_, entry)) if entry.is_free() => Err(PdfError::update(format!(
                "object {id} is free in the document; allocate a new object instead"
            ))),
            _ => Err(PdfError::update(format!(
                "object {id} does not exist in the document"
            ))),
        }
    }

    /// True when the update already holds a value for `id`.
    pub fn is_staged(&self, id: ObjectId) -> bool {
        self.staged.contains_key(&id)
    }

    /// The staged value of `id`, if it was staged as an object.
    pub fn staged(&self, id: ObjectId) -> Option<&Object> {
        match self.staged.get(&id) {
            Some(Staged::Object(object)) => Some(object),
            _ => None,
        }
    }

    /// The value `id` has in the update: the staged version, or else the document's newest one.
    /// Use it to modify objects step by step (read, change, [`set`](Self::set)).
    pub fn current(&self, id: ObjectId) -> Result<Object> {
        match self.staged.get(&id) {
            Some(Staged::Object(object)) => Ok(object.clone()),
            Some(Staged::Serialized(_)) => Err(PdfError::update(format!(
                "object {id} was staged as serialised bytes and cannot be read back"
            ))),
            None => Ok(self.doc.object(id)?.object.clone()),
        }
    }

    /// Like [`current`](Self::current) but following references: the value a reference to `id`
    /// designates in the update (direct values are returned as they are).
    pub fn resolve(&self, value: &Object) -> Result<Object> {
        let mut current = value.clone();
        for _ in 0..=self.doc.limits().max_nesting_depth {
            let Object::Reference(id) = current else {
                return Ok(current);
            };
            current = if self.staged.contains_key(&id) {
                self.current(id)?
            } else {
                self.doc.latest().resolve(&Object::Reference(id))?
            };
        }
        Err(PdfError::ReferenceCycle {
            id: value.as_reference().unwrap_or(ObjectId::new(0, 0)),
        })
    }

    /// Writes the input's exact bytes followed by the update.
    pub fn write(self) -> Result<WrittenUpdate> {
        if let Some(missing) = (self.original_size.max(1)..self.next_number)
            .map(|number| ObjectId::new(number, 0))
            .find(|id| !self.staged.contains_key(id))
        {
            return Err(PdfError::update(format!(
                "object {missing} was allocated but never given a value"
            )));
        }
        let doc = self.doc;
        let input_len = usize::try_from(doc.len())
            .map_err(|_| PdfError::update("the input is too large to hold in memory"))?;
        let mut out = doc.read_range(0..doc.len())?;
        out.reserve(64 * 1024);
        if !matches!(out.last(), Some(b'\n') | Some(b'\r')) {
            out.push(b'\n');
        }
        let update_start = out.len();
        let mut body_spans = HashMap::new();
        let mut object_spans = HashMap::new();
        let mut offsets: BTreeMap<u32, (u64, u16)> = BTreeMap::new();
        for (id, staged) in &self.staged {
            let start = out.len();
            out.extend_from_slice(format!("{} {} obj\n", id.number, id.generation).as_bytes());
            let body_start = out.len();
            match staged {
                Staged::Object(object) => {
                    let loaded = load_stream_data(doc, object)?;
                    serialize::write_object(&mut out, loaded.as_ref().unwrap_or(object));
                }
                Staged::Serialized(bytes) => out.extend_from_slice(bytes),
            }
            let body_end = out.len();
            out.extend_from_slice(b"\nendobj\n");
            body_spans.insert(*id, body_start..body_end);
            object_spans.insert(*id, start..out.len());
            offsets.insert(id.number, (start as u64, id.generation));
        }
        let trailer = self.trailer(&out, update_start)?;
        let xref_offset = out.len();
        let xref_stream = match doc.latest_revision().xref_kind() {
            XrefKind::Table | XrefKind::Hybrid => {
                write_xref_table(&mut out, &offsets, trailer, self.size(false));
                None
            }
            XrefKind::Stream => {
                let id = ObjectId::new(self.next_number, 0);
                offsets.insert(id.number, (xref_offset as u64, 0));
                write_xref_stream(&mut out, id, &offsets, trailer, self.size(true))?;
                Some(id)
            }
        };
        out.extend_from_slice(format!("startxref\n{xref_offset}\n%%EOF\n").as_bytes());
        Ok(WrittenUpdate {
            bytes: out,
            input_len,
            update_start,
            xref_offset,
            xref_stream,
            body_spans,
            object_spans,
        })
    }

    fn size(&self, with_xref_stream: bool) -> i64 {
        let next = self.next_number.saturating_add(u32::from(with_xref_stream));
        i64::from(next.max(self.original_size))
    }

    /// The update's trailer: the previous one's document entries, then `/Root`, `/Info`, `/ID`
    /// with a new second element, and `/Prev`.
    fn trailer(&self, out: &[u8], update_start: usize) -> Result<Dictionary> {
        let previous = self.doc.trailer();
        let mut trailer = Dictionary::new();
        for (key, value) in previous {
            if !SECTION_KEYS.contains(&key.as_bytes()) && key.as_bytes() != b"Size" {
                trailer.insert(key.clone(), value.clone());
            }
        }
        let first_id = match previous.get(b"ID") {
            Some(Object::Array(items)) => items
                .first()
                .and_then(Object::as_string)
                .map(|string| string.bytes.clone()),
            _ => None,
        };
        let new_id = update_id(
            first_id.as_deref(),
            out.get(update_start..).unwrap_or_default(),
            out.len(),
        );
        let first_id = first_id.unwrap_or_else(|| new_id.clone());
        trailer.insert(
            "ID",
            Object::Array(vec![
                Object::String(PdfString::hex(first_id)),
                Object::String(PdfString::hex(new_id)),
            ]),
        );
        trailer.insert(
            "Prev",
            Object::Integer(self.doc.latest_revision().xref_offset() as i64),
        );
        Ok(trailer)
    }
}

/// The second `/ID` element of the update: 16 bytes of SHA-256 over the first element, the
/// update's bytes and the output length, so that it changes whenever the content does.
fn update_id(first: Option<&[u8]>, update: &[u8], total_len: usize) -> Vec<u8> {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    context.update(first.unwrap_or_default());
    context.update(update);
    context.update(&(total_len as u64).to_be_bytes());
    context
        .finish()
        .as_ref()
        .get(..16)
        .unwrap_or_default()
        .to_vec()
}

/// A copy of `object` with the data of a stream still in the source loaded, or `None` when
/// nothing needs loading.
fn load_stream_data(doc: &Document, object: &Object) -> Result<Option<Object>> {
    match object {
        Object::Stream(Stream {
            dict,
            data: data @ StreamData::InFile { .. },
        }) => {
            let bytes = doc.raw_stream_data(&Stream {
                dict: Dictionary::new(),
                data: data.clone(),
            })?;
            Ok(Some(Object::Stream(Stream::new(dict.clone(), bytes))))
        }
        _ => Ok(None),
    }
}

/// Groups sorted object numbers into runs of consecutive numbers.
fn subsections(numbers: impl Iterator<Item = u32>) -> Vec<(u32, u32)> {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for number in numbers {
        match runs.last_mut() {
            Some((first, count)) if *first + *count == number => *count += 1,
            _ => runs.push((number, 1)),
        }
    }
    runs
}

fn write_xref_table(
    out: &mut Vec<u8>,
    offsets: &BTreeMap<u32, (u64, u16)>,
    trailer: Dictionary,
    size: i64,
) {
    out.extend_from_slice(b"xref\n");
    for (first, count) in subsections(offsets.keys().copied()) {
        out.extend_from_slice(format!("{first} {count}\n").as_bytes());
        for number in first..first + count {
            if let Some((offset, generation)) = offsets.get(&number) {
                // Exactly 20 bytes per entry, ending in CR LF (§7.5.4).
                out.extend_from_slice(format!("{offset:010} {generation:05} n\r\n").as_bytes());
            }
        }
    }
    let mut ordered = Dictionary::new().with("Size", Object::Integer(size));
    for (key, value) in &trailer {
        ordered.insert(key.clone(), value.clone());
    }
    out.extend_from_slice(b"trailer\n");
    serialize::write_object(out, &Object::Dictionary(ordered));
    out.push(b'\n');
}

fn write_xref_stream(
    out: &mut Vec<u8>,
    id: ObjectId,
    offsets: &BTreeMap<u32, (u64, u16)>,
    trailer: Dictionary,
    size: i64,
) -> Result<()> {
    let largest = offsets
        .values()
        .map(|(offset, _)| *offset)
        .max()
        .unwrap_or(0);
    let offset_width = (1..=8)
        .find(|width| *width == 8 || largest < 1u64 << (8 * width))
        .unwrap_or(8);
    let mut rows = Vec::with_capacity(offsets.len() * (3 + offset_width));
    for (offset, generation) in offsets.values() {
        rows.push(1u8);
        rows.extend_from_slice(&offset.to_be_bytes()[8 - offset_width..]);
        rows.extend_from_slice(&generation.to_be_bytes());
    }
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(&rows)
        .and_then(|()| encoder.flush())
        .map_err(|error| PdfError::update(format!("cannot compress the xref stream: {error}")))?;
    let compressed = encoder
        .finish()
        .map_err(|error| PdfError::update(format!("cannot compress the xref stream: {error}")))?;
    let index = subsections(offsets.keys().copied())
        .into_iter()
        .flat_map(|(first, count)| [Object::from(first), Object::from(count)])
        .collect::<Vec<_>>();
    let mut dict = Dictionary::new()
        .with("Type", Object::name("XRef"))
        .with("Size", Object::Integer(size))
        .with(
            "W",
            Object::Array(vec![1.into(), (offset_width as i64).into(), 2.into()]),
        )
        .with("Index", Object::Array(index))
        .with("Filter", Object::name("FlateDecode"));
    for (key, value) in &trailer {
        dict.insert(key.clone(), value.clone());
    }
    out.extend_from_slice(format!("{} {} obj\n", id.number, id.generation).as_bytes());
    serialize::write_object(out, &Object::Stream(Stream::new(dict, compressed)));
    out.extend_from_slice(b"\nendobj\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsections_group_consecutive_numbers() {
        assert_eq!(
            subsections([1, 2, 3, 7, 9, 10].into_iter()),
            vec![(1, 3), (7, 1), (9, 2)]
        );
        assert!(subsections(std::iter::empty()).is_empty());
    }
}
