//! A PDF document opened for reading: its revisions, and every object as the latest revision or
//! any earlier one sees it, read lazily from the source with a bounded cache.

use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use super::error::{PdfError, Result};
use super::filters::{self, DecodedStream};
use super::limits::{Limit, Limits};
use super::object::{Dictionary, Object, ObjectId, Stream, StreamData, wrong_type};
use super::parser::{self, EntrySpan, Parser};
use super::source::{FileSource, MemorySource, Source, read_vec};
use super::xref::{self, Header, Revision, XrefEntry};

/// An indirect object and where it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct IndirectObject {
    pub id: ObjectId,
    pub object: Object,
    pub location: ObjectLocation,
}

/// Where an indirect object is stored.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectLocation {
    /// Directly in the file.
    File {
        /// From `N G obj` to just after `endobj`.
        span: Range<u64>,
        /// The value (for a stream: its dictionary).
        value_span: Range<u64>,
        /// Each top-level dictionary entry (for a stream: of its dictionary), in file order.
        entries: Vec<EntrySpan>,
    },
    /// Inside an object stream (no byte positions in the file).
    ObjectStream { stream: ObjectId, index: u32 },
}

impl IndirectObject {
    /// The absolute span of the whole object in the file, when stored directly.
    pub fn span(&self) -> Option<Range<u64>> {
        match &self.location {
            ObjectLocation::File { span, .. } => Some(span.clone()),
            ObjectLocation::ObjectStream { .. } => None,
        }
    }

    /// The absolute span of the value of the top-level dictionary entry `key`, when stored
    /// directly in the file (e.g. the `<hex>` token of a signature's `/Contents`).
    pub fn entry_span(&self, key: &[u8]) -> Option<&EntrySpan> {
        match &self.location {
            ObjectLocation::File { entries, .. } => {
                entries.iter().find(|entry| entry.key.as_bytes() == key)
            }
            ObjectLocation::ObjectStream { .. } => None,
        }
    }

    /// The value as a dictionary (or a stream's dictionary).
    pub fn dict(&self) -> Result<&Dictionary> {
        self.object
            .as_dict()
            .ok_or_else(|| wrong_type(&format!("object {}", self.id), "dictionary", &self.object))
    }
}

/// Which cached object: the same id can have different versions at different places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum CacheKey {
    File {
        id: ObjectId,
        offset: u64,
    },
    Compressed {
        id: ObjectId,
        stream_offset: u64,
        index: u32,
    },
}

/// A decoded object stream: its bytes and where each object starts in them.
struct ObjectStreamData {
    id: ObjectId,
    data: MemorySource<Vec<u8>>,
    objects: Vec<(u32, u64)>,
}

#[derive(Default)]
struct Cache {
    objects: HashMap<CacheKey, Arc<IndirectObject>>,
    order: VecDeque<CacheKey>,
    streams: HashMap<u64, Arc<ObjectStreamData>>,
    stream_order: VecDeque<u64>,
    stream_bytes: usize,
}

impl Cache {
    fn put_object(&mut self, key: CacheKey, object: Arc<IndirectObject>, capacity: usize) {
        if capacity == 0 {
            return;
        }
        if self.objects.insert(key, object).is_none() {
            self.order.push_back(key);
        }
        while self.objects.len() > capacity {
            match self.order.pop_front() {
                Some(old) => {
                    self.objects.remove(&old);
                }
                None => break,
            }
        }
    }

    /// Keeps the newest stream always, older ones within the byte budget.
    fn put_stream(&mut self, offset: u64, stream: Arc<ObjectStreamData>, budget: usize) {
        let size = stream.data.0.len();
        if self.streams.insert(offset, stream).is_none() {
            self.stream_order.push_back(offset);
            self.stream_bytes += size;
        }
        while self.stream_bytes > budget && self.stream_order.len() > 1 {
            let removed = self
                .stream_order
                .pop_front()
                .and_then(|old| self.streams.remove(&old));
            if let Some(removed) = removed {
                self.stream_bytes -= removed.data.0.len();
            }
        }
    }
}

/// A PDF opened for reading. Cheap to share between threads (`Send + Sync`).
pub struct Document {
    source: Arc<dyn Source>,
    limits: Limits,
    header: Header,
    revisions: Vec<Revision>,
    cache: Mutex<Cache>,
    /// When [`Limits::max_processing_time`] runs out.
    opened: std::time::Instant,
    /// Every revision's entry for each object number, oldest first: finding the entry in force
    /// at a revision is a binary search, not a walk back through thousands of revisions. Built
    /// on the first lookup (opening a document to sign it never needs it).
    entry_index: std::sync::OnceLock<HashMap<u32, Vec<(usize, XrefEntry)>>>,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("len", &self.source.len())
            .field("header", &self.header)
            .field("revisions", &self.revisions.len())
            .finish_non_exhaustive()
    }
}

impl Document {
    /// Opens a file with the default [`Limits`], reading only what is needed.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with_limits(path, Limits::default())
    }

    pub fn open_with_limits(path: impl AsRef<Path>, limits: Limits) -> Result<Self> {
        let source =
            FileSource::open(path.as_ref()).map_err(|source| PdfError::Io { offset: 0, source })?;
        Self::from_source(Arc::new(source), limits)
    }

    /// Reads a PDF held in memory with the default [`Limits`].
    pub fn from_bytes<T: AsRef<[u8]> + Send + Sync + 'static>(bytes: T) -> Result<Self> {
        Self::from_source(Arc::new(MemorySource(bytes)), Limits::default())
    }

    pub fn from_bytes_with_limits<T: AsRef<[u8]> + Send + Sync + 'static>(
        bytes: T,
        limits: Limits,
    ) -> Result<Self> {
        Self::from_source(Arc::new(MemorySource(bytes)), limits)
    }

    /// Reads the header and every cross-reference section; objects are read later, on demand.
    pub fn from_source(source: Arc<dyn Source>, limits: Limits) -> Result<Self> {
        let opened = std::time::Instant::now();
        let len = source.len();
        if len > limits.max_file_size {
            return Err(PdfError::limit(Limit::FileSize, len, limits.max_file_size));
        }
        let header = xref::read_header(source.as_ref())?;
        let revisions = xref::read_revisions(source.as_ref(), &limits, &header)?;
        if revisions.is_empty() {
            return Err(PdfError::structure("no cross-reference section"));
        }
        Ok(Document {
            source,
            limits,
            header,
            revisions,
            cache: Mutex::new(Cache::default()),
            opened,
            entry_index: std::sync::OnceLock::new(),
        })
    }

    /// Fails once the document has been worked on for longer than
    /// [`Limits::max_processing_time`].
    pub fn check_time(&self) -> Result<()> {
        let Some(budget) = self.limits.max_processing_time else {
            return Ok(());
        };
        let spent = self.opened.elapsed();
        if spent >= budget {
            let millis = |duration: std::time::Duration| {
                u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
            };
            return Err(PdfError::limit(
                Limit::ProcessingTime,
                millis(spent),
                millis(budget),
            ));
        }
        Ok(())
    }

    /// The file's length in bytes.
    pub fn len(&self) -> u64 {
        self.source.len()
    }

    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn source(&self) -> &dyn Source {
        self.source.as_ref()
    }

    pub fn header(&self) -> Header {
        self.header
    }

    /// Every revision, oldest (the original document) first.
    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }

    pub fn revision(&self, index: usize) -> Result<&Revision> {
        self.revisions.get(index).ok_or(PdfError::NoSuchRevision {
            index,
            count: self.revisions.len(),
        })
    }

    pub fn latest_revision(&self) -> &Revision {
        // `from_source` refuses documents without revisions.
        &self.revisions[self.revisions.len() - 1]
    }

    /// The newest trailer.
    pub fn trailer(&self) -> &Dictionary {
        self.latest_revision().trailer()
    }

    /// True when the newest trailer has `/Encrypt`. Callers that sign must refuse such files.
    pub fn is_encrypted(&self) -> bool {
        self.trailer().contains_key(b"Encrypt")
    }

    /// Bytes after the newest revision's `%%EOF` line (0 for a well-formed file).
    pub fn trailing_bytes(&self) -> u64 {
        self.len()
            .saturating_sub(self.latest_revision().end_offset())
    }

    /// The revision whose `%%EOF` ends exactly at `offset` (with or without its EOL).
    pub fn revision_ending_at(&self, offset: u64) -> Option<&Revision> {
        self.revisions
            .iter()
            .find(|revision| revision.eof_offset() == offset || revision.end_offset() == offset)
    }

    /// The revision whose bytes contain `offset` (from its start to the end of its `%%EOF` line).
    pub fn revision_containing(&self, offset: u64) -> Option<&Revision> {
        self.revisions
            .iter()
            .find(|revision| revision.start_offset() <= offset && offset < revision.end_offset())
    }

    /// The document as the newest revision sees it.
    pub fn latest(&self) -> View<'_> {
        View {
            doc: self,
            revision: self.revisions.len() - 1,
        }
    }

    /// The document as revision `index` saw it (later updates ignored).
    pub fn at(&self, index: usize) -> Result<View<'_>> {
        self.revision(index)?;
        Ok(View {
            doc: self,
            revision: index,
        })
    }

    /// The newest version of object `id`; an error when it does not exist.
    pub fn object(&self, id: ObjectId) -> Result<Arc<IndirectObject>> {
        self.latest().object(id)
    }

    /// The newest version of object `id`, or `None` when it is absent or free.
    pub fn get(&self, id: ObjectId) -> Result<Option<Arc<IndirectObject>>> {
        self.latest().get(id)
    }

    /// Object `id` as revision `revision` saw it, or `None` when it did not exist then.
    pub fn object_at(&self, id: ObjectId, revision: usize) -> Result<Option<Arc<IndirectObject>>> {
        self.at(revision)?.get(id)
    }

    /// Follows references (newest revision) until a direct value; missing objects are null.
    pub fn resolve(&self, value: &Object) -> Result<Object> {
        self.latest().resolve(value)
    }

    /// The revisions whose cross-reference sections list `id` as in use (with that generation).
    pub fn revisions_defining(&self, id: ObjectId) -> Vec<usize> {
        let defines = |entry: &XrefEntry| !entry.is_free() && entry.generation() == id.generation;
        if self.revisions.len() <= DIRECT_LOOKUP_REVISIONS {
            return self
                .revisions
                .iter()
                .filter(|revision| revision.entry(id.number).as_ref().is_some_and(defines))
                .map(Revision::index)
                .collect();
        }
        self.entry_index()
            .get(&id.number)
            .map(|entries| {
                entries
                    .iter()
                    .filter(|(_, entry)| defines(entry))
                    .map(|(revision, _)| *revision)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The newest revision up to `at` whose cross-reference section lists object `number`, and
    /// the entry it gives.
    pub fn entry_at(&self, number: u32, at: usize) -> Option<(usize, XrefEntry)> {
        let upto = self.revisions.get(..=at)?;
        // A few revisions are walked back directly; past that, a walk per lookup would make
        // the modification analysis quadratic, and the index is built once.
        if upto.len() <= DIRECT_LOOKUP_REVISIONS {
            return upto
                .iter()
                .rev()
                .find_map(|revision| revision.entry(number).map(|entry| (revision.index, entry)));
        }
        let entries = self.entry_index().get(&number)?;
        let newer = entries.partition_point(|(revision, _)| *revision <= at);
        entries.get(newer.checked_sub(1)?).copied()
    }

    fn entry_index(&self) -> &HashMap<u32, Vec<(usize, XrefEntry)>> {
        self.entry_index
            .get_or_init(|| index_entries(&self.revisions))
    }

    /// Reads a byte range of the file into memory.
    pub fn read_range(&self, range: Range<u64>) -> Result<Vec<u8>> {
        let len = range
            .end
            .checked_sub(range.start)
            .and_then(|len| usize::try_from(len).ok())
            .ok_or_else(|| PdfError::structure(format!("invalid byte range {range:?}")))?;
        read_vec(self.source.as_ref(), range.start, len)
    }

    /// Passes the bytes of `range` to `sink` in chunks of at most 64 KiB (for hashing without
    /// holding the file in memory).
    pub fn for_each_chunk(&self, range: Range<u64>, mut sink: impl FnMut(&[u8])) -> Result<()> {
        if range.end > self.len() || range.start > range.end {
            return Err(PdfError::structure(format!(
                "byte range {range:?} is outside the file of {} bytes",
                self.len()
            )));
        }
        if let Some(whole) = self.source.as_slice() {
            let slice = whole
                .get(range.start as usize..range.end as usize)
                .unwrap_or_default();
            for chunk in slice.chunks(64 * 1024) {
                self.check_time()?;
                sink(chunk);
            }
            return Ok(());
        }
        let mut buffer = vec![0u8; 64 * 1024];
        let mut position = range.start;
        while position < range.end {
            self.check_time()?;
            let take = ((range.end - position) as usize).min(buffer.len());
            let chunk = buffer.get_mut(..take).unwrap_or_default();
            self.source
                .read_exact_at(position, chunk)
                .map_err(|source| PdfError::Io {
                    offset: position,
                    source,
                })?;
            sink(chunk);
            position += take as u64;
        }
        Ok(())
    }

    /// A stream's encoded bytes (bounded by the decompressed-size limit).
    pub fn raw_stream_data(&self, stream: &Stream) -> Result<Vec<u8>> {
        match &stream.data {
            StreamData::Owned(bytes) => Ok(bytes.clone()),
            StreamData::InFile { offset, length } => {
                let max = self.limits.max_decompressed_size as u64;
                if *length > max {
                    return Err(PdfError::limit(Limit::DecompressedSize, *length, max));
                }
                read_vec(self.source.as_ref(), *offset, *length as usize)
            }
        }
    }

    /// A stream's data with every non-image filter applied (newest revision resolves indirect
    /// `/Filter` and `/DecodeParms` values).
    pub fn decode_stream(&self, stream: &Stream) -> Result<DecodedStream> {
        self.latest().decode_stream(stream)
    }

    fn lock_cache(&self) -> MutexGuard<'_, Cache> {
        // A panic while holding the lock cannot leave the cache inconsistent in a way that
        // matters (entries are immutable), so a poisoned lock is still usable.
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn load(
        &self,
        id: ObjectId,
        revision: usize,
        depth: usize,
    ) -> Result<Option<Arc<IndirectObject>>> {
        if depth > self.limits.max_nesting_depth {
            return Err(PdfError::ReferenceCycle { id });
        }
        let Some((_, entry)) = self.entry_at(id.number, revision) else {
            return Ok(None);
        };
        match entry {
            XrefEntry::Free { .. } => Ok(None),
            XrefEntry::InUse { offset, generation } => {
                if generation != id.generation {
                    return Ok(None);
                }
                self.load_from_file(id, offset, revision, depth).map(Some)
            }
            XrefEntry::Compressed { stream, index } => {
                if id.generation != 0 {
                    return Ok(None);
                }
                self.load_compressed(id, stream, index, revision, depth)
                    .map(Some)
            }
        }
    }

    fn load_from_file(
        &self,
        id: ObjectId,
        offset: u64,
        revision: usize,
        depth: usize,
    ) -> Result<Arc<IndirectObject>> {
        let key = CacheKey::File { id, offset };
        if let Some(hit) = self.lock_cache().objects.get(&key) {
            return Ok(Arc::clone(hit));
        }
        if offset >= self.len() {
            return Err(PdfError::ObjectNotAtOffset {
                expected: id,
                offset,
                found: format!("the file has only {} bytes", self.len()),
            });
        }
        let mut resolve_length = |length_id: ObjectId| -> Result<i64> {
            let length = self
                .load(length_id, revision, depth + 1)?
                .ok_or(PdfError::ObjectNotFound { id: length_id })?;
            length.object.expect_integer("/Length")
        };
        let (_, parsed) = parser::parse_indirect_object(
            self.source.as_ref(),
            &self.limits,
            offset,
            Some(id),
            &mut resolve_length,
        )?;
        let object = Arc::new(IndirectObject {
            id,
            object: parsed.object,
            location: ObjectLocation::File {
                span: parsed.span,
                value_span: parsed.value_span,
                entries: parsed.entries,
            },
        });
        self.lock_cache()
            .put_object(key, Arc::clone(&object), self.limits.object_cache_entries);
        Ok(object)
    }

    fn load_compressed(
        &self,
        id: ObjectId,
        stream_number: u32,
        index: u32,
        revision: usize,
        depth: usize,
    ) -> Result<Arc<IndirectObject>> {
        let stream_id = ObjectId::new(stream_number, 0);
        let stream_offset = match self.entry_at(stream_number, revision) {
            Some((
                _,
                XrefEntry::InUse {
                    offset,
                    generation: 0,
                },
            )) => offset,
            Some((_, XrefEntry::Compressed { .. })) => {
                return Err(PdfError::MalformedObjectStream {
                    stream: stream_id,
                    problem: "it is itself stored in an object stream".to_string(),
                });
            }
            _ => return Err(PdfError::ObjectNotFound { id: stream_id }),
        };
        let key = CacheKey::Compressed {
            id,
            stream_offset,
            index,
        };
        if let Some(hit) = self.lock_cache().objects.get(&key) {
            return Ok(Arc::clone(hit));
        }
        let stream = self.object_stream(stream_id, stream_offset, revision, depth + 1)?;
        let malformed = |problem: String| PdfError::MalformedObjectStream {
            stream: stream_id,
            problem,
        };
        let &(number, position) = stream.objects.get(index as usize).ok_or_else(|| {
            malformed(format!(
                "object {id} is said to be at index {index}, but it holds {} objects",
                stream.objects.len()
            ))
        })?;
        if number != id.number {
            return Err(malformed(format!(
                "index {index} holds object {number}, not {}",
                id.number
            )));
        }
        let (object, _) = parser::parse_direct_object(&stream.data, &self.limits, position)
            .map_err(|error| malformed(format!("object {id}: {error}")))?;
        let object = Arc::new(IndirectObject {
            id,
            object,
            location: ObjectLocation::ObjectStream {
                stream: stream.id,
                index,
            },
        });
        self.lock_cache()
            .put_object(key, Arc::clone(&object), self.limits.object_cache_entries);
        Ok(object)
    }

    fn object_stream(
        &self,
        id: ObjectId,
        offset: u64,
        revision: usize,
        depth: usize,
    ) -> Result<Arc<ObjectStreamData>> {
        if let Some(hit) = self.lock_cache().streams.get(&offset) {
            return Ok(Arc::clone(hit));
        }
        let malformed = |problem: String| PdfError::MalformedObjectStream {
            stream: id,
            problem,
        };
        let container = self.load_from_file(id, offset, revision, depth)?;
        let Object::Stream(stream) = &container.object else {
            return Err(malformed("it is not a stream".to_string()));
        };
        if !stream.dict.has_type("ObjStm") {
            return Err(malformed("its /Type is not /ObjStm".to_string()));
        }
        let count = match stream.dict.get(b"N") {
            Some(Object::Integer(count)) if *count >= 0 => *count as u64,
            _ => return Err(malformed("/N is missing or invalid".to_string())),
        };
        if count > self.limits.max_objects_per_stream as u64 {
            return Err(PdfError::limit(
                Limit::ObjectsPerStream,
                count,
                self.limits.max_objects_per_stream as u64,
            ));
        }
        let first = match stream.dict.get(b"First") {
            Some(Object::Integer(first)) if *first >= 0 => *first as u64,
            _ => return Err(malformed("/First is missing or invalid".to_string())),
        };
        let view = View {
            doc: self,
            revision,
        };
        let decoded = view
            .decode_stream_at_depth(stream, depth + 1)
            .map_err(|error| malformed(error.to_string()))?;
        if !decoded.remaining.is_empty() {
            return Err(malformed("it uses an image filter".to_string()));
        }
        let data = MemorySource(decoded.data);
        let mut objects = Vec::with_capacity(count as usize);
        let mut header = Parser::new(&data, 0, &self.limits);
        for _ in 0..count {
            let (number, _) = header
                .expect_unsigned("an object number")
                .map_err(|error| malformed(format!("header: {error}")))?;
            let (relative, _) = header
                .expect_unsigned("an offset")
                .map_err(|error| malformed(format!("header: {error}")))?;
            let number = u32::try_from(number)
                .map_err(|_| malformed(format!("object number {number} out of range")))?;
            let position = first.saturating_add(relative);
            if position >= data.0.len() as u64 {
                return Err(malformed(format!(
                    "object {number} is said to be at {position}, past the {} decoded bytes",
                    data.0.len()
                )));
            }
            objects.push((number, position));
        }
        let parsed = Arc::new(ObjectStreamData { id, data, objects });
        self.lock_cache().put_stream(
            offset,
            Arc::clone(&parsed),
            self.limits.object_stream_cache_bytes,
        );
        Ok(parsed)
    }
}

/// The document as one revision sees it: objects, references and structure of that moment.
#[derive(Clone, Copy)]
pub struct View<'d> {
    doc: &'d Document,
    revision: usize,
}

impl std::fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("View")
            .field("revision", &self.revision)
            .finish()
    }
}

impl<'d> View<'d> {
    pub fn document(&self) -> &'d Document {
        self.doc
    }

    /// The index of the revision this view shows.
    pub fn revision_index(&self) -> usize {
        self.revision
    }

    pub fn revision(&self) -> &'d Revision {
        // `View`s are only made for existing revisions.
        &self.doc.revisions[self.revision]
    }

    /// This revision's trailer.
    pub fn trailer(&self) -> &'d Dictionary {
        self.revision().trailer()
    }

    /// Object `id` as this revision sees it, or `None` when absent or free.
    pub fn get(&self, id: ObjectId) -> Result<Option<Arc<IndirectObject>>> {
        self.doc.check_time()?;
        self.doc.load(id, self.revision, 0)
    }

    /// Object `id` as this revision sees it; [`PdfError::ObjectNotFound`] when it does not exist.
    pub fn object(&self, id: ObjectId) -> Result<Arc<IndirectObject>> {
        self.get(id)?.ok_or(PdfError::ObjectNotFound { id })
    }

    /// The revision (up to this one) whose entry defines object `id`'s current version.
    pub fn defining_revision(&self, id: ObjectId) -> Option<usize> {
        match self.doc.entry_at(id.number, self.revision) {
            Some((index, entry)) if !entry.is_free() && entry.generation() == id.generation => {
                Some(index)
            }
            _ => None,
        }
    }

    /// Follows references until a direct value. A reference to a missing or free object is null
    /// (§7.3.10). Chains of references are bounded by the nesting limit.
    pub fn resolve(&self, value: &Object) -> Result<Object> {
        let mut current = value.clone();
        for _ in 0..=self.doc.limits.max_nesting_depth {
            let Object::Reference(id) = current else {
                return Ok(current);
            };
            current = match self.get(id)? {
                Some(target) => target.object.clone(),
                None => Object::Null,
            };
        }
        match current {
            Object::Reference(id) => Err(PdfError::ReferenceCycle { id }),
            other => Ok(other),
        }
    }

    /// `dict[key]` resolved; null when absent.
    pub fn resolve_key(&self, dict: &Dictionary, key: &[u8]) -> Result<Object> {
        match dict.get(key) {
            Some(value) => self.resolve(value),
            None => Ok(Object::Null),
        }
    }

    /// `dict[key]` resolved to a dictionary; `None` when absent or null, an error when another type.
    pub fn dict_at(&self, dict: &Dictionary, key: &[u8]) -> Result<Option<Dictionary>> {
        match self.resolve_key(dict, key)? {
            Object::Null => Ok(None),
            Object::Dictionary(found) => Ok(Some(found)),
            other => Err(wrong_type(&key_context(key), "dictionary", &other)),
        }
    }

    /// `dict[key]` resolved to an array; `None` when absent or null, an error when another type.
    pub fn array_at(&self, dict: &Dictionary, key: &[u8]) -> Result<Option<Vec<Object>>> {
        match self.resolve_key(dict, key)? {
            Object::Null => Ok(None),
            Object::Array(items) => Ok(Some(items)),
            other => Err(wrong_type(&key_context(key), "array", &other)),
        }
    }

    /// `dict[key]` resolved to an integer; `None` when absent or null, an error when another type.
    pub fn integer_at(&self, dict: &Dictionary, key: &[u8]) -> Result<Option<i64>> {
        match self.resolve_key(dict, key)? {
            Object::Null => Ok(None),
            Object::Integer(value) => Ok(Some(value)),
            other => Err(wrong_type(&key_context(key), "integer", &other)),
        }
    }

    /// The document catalog (`/Root`) and its id.
    pub fn catalog(&self) -> Result<(ObjectId, Dictionary)> {
        let root = self
            .trailer()
            .get_reference(b"Root")?
            .ok_or_else(|| PdfError::MissingKey {
                context: "trailer".to_string(),
                key: "Root".to_string(),
            })?;
        let catalog = self.object(root)?;
        let dict = catalog.dict()?.clone();
        Ok((root, dict))
    }

    /// A stream's data with every non-image filter applied.
    pub fn decode_stream(&self, stream: &Stream) -> Result<DecodedStream> {
        self.decode_stream_at_depth(stream, 0)
    }

    fn decode_stream_at_depth(&self, stream: &Stream, depth: usize) -> Result<DecodedStream> {
        self.doc.check_time()?;
        let raw = self.doc.raw_stream_data(stream)?;
        let mut resolve = |value: &Object| -> Result<Object> {
            match value {
                Object::Reference(id) => Ok(self
                    .doc
                    .load(*id, self.revision, depth + 1)?
                    .map_or(Object::Null, |found| found.object.clone())),
                other => Ok(other.clone()),
            }
        };
        let steps = xref::filter_steps_with(&stream.dict, &mut resolve)?;
        filters::decode(raw, &steps, self.doc.limits.max_decompressed_size)
    }
}

fn key_context(key: &[u8]) -> String {
    format!("/{}", String::from_utf8_lossy(key))
}

/// Up to this many revisions, [`Document::entry_at`] walks them instead of building its index.
const DIRECT_LOOKUP_REVISIONS: usize = 16;

/// The per-object index of [`Document::entry_at`]: for each object number, the revisions that
/// list it with their entries, oldest first.
fn index_entries(revisions: &[Revision]) -> HashMap<u32, Vec<(usize, XrefEntry)>> {
    let mut index: HashMap<u32, Vec<(usize, XrefEntry)>> = HashMap::new();
    for revision in revisions {
        for (number, entry) in &revision.entries {
            index
                .entry(*number)
                .or_default()
                .push((revision.index, *entry));
        }
    }
    index
}
