//! The error type of the `pdf` module: every failure names what was wrong and where (byte offset,
//! object id, dictionary key, limit).

use super::limits::Limit;
use super::object::ObjectId;

/// Result alias used throughout the `pdf` module.
pub type Result<T, E = PdfError> = std::result::Result<T, E>;

/// Everything that can go wrong while reading or writing a PDF.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// Reading the underlying file failed.
    #[error("cannot read the PDF at byte {offset}: {source}")]
    Io {
        offset: u64,
        #[source]
        source: std::io::Error,
    },
    /// A resource limit was hit.
    #[error("PDF exceeds the {limit} limit: {value} > {max}")]
    LimitExceeded { limit: Limit, value: u64, max: u64 },
    /// The file does not start with a `%PDF-x.y` header.
    #[error("not a PDF file: no %PDF- header in the first 1024 bytes")]
    NotPdf,
    /// The file has no `startxref` near its end.
    #[error("no startxref keyword followed by %%EOF in the last {searched} bytes of the file")]
    StartxrefNotFound { searched: u64 },
    /// A token other than the expected one was found.
    #[error("syntax error at byte {offset}: expected {expected}, found {found}")]
    Syntax {
        offset: u64,
        expected: &'static str,
        found: String,
    },
    /// The data ended where more was needed.
    #[error("unexpected end of data at byte {offset} while reading {context}")]
    UnexpectedEof { offset: u64, context: &'static str },
    /// A dictionary contains the same key twice (ambiguous: readers may pick either value).
    #[error("dictionary at byte {offset} has the key /{key} twice")]
    DuplicateKey { offset: u64, key: String },
    /// A number does not fit the range PDF (or this reader) allows.
    #[error("number out of range at byte {offset}: {text}")]
    NumberOutOfRange { offset: u64, text: String },
    /// `startxref`, `/Prev` or `/XRefStm` points at something that is not a cross-reference section.
    #[error("no cross-reference section at byte {offset} (pointed to by {pointed_by}): {found}")]
    XrefNotFound {
        offset: u64,
        pointed_by: &'static str,
        found: String,
    },
    /// A cross-reference section is malformed.
    #[error("malformed cross-reference section at byte {offset}: {problem}")]
    MalformedXref { offset: u64, problem: XrefProblem },
    /// The `/Prev` chain visits the same section twice.
    #[error("the /Prev chain of cross-reference sections loops back to byte {offset}")]
    PrevCycle { offset: u64 },
    /// An xref entry's offset does not point at the object header it promises.
    #[error("object {expected} should start at byte {offset} but {found}")]
    ObjectNotAtOffset {
        expected: ObjectId,
        offset: u64,
        found: String,
    },
    /// The object does not exist (absent or free) in the revision that was asked.
    #[error("object {id} does not exist in the requested revision")]
    ObjectNotFound { id: ObjectId },
    /// The requested revision index is outside the document.
    #[error("revision {index} does not exist (the document has {count})")]
    NoSuchRevision { index: usize, count: usize },
    /// Following references or object streams came back to an object already being read.
    #[error("reference cycle through object {id}")]
    ReferenceCycle { id: ObjectId },
    /// An object stream is malformed or inconsistent with the xref entry pointing into it.
    #[error("object stream {stream}: {problem}")]
    MalformedObjectStream { stream: ObjectId, problem: String },
    /// A stream's data is not where its `/Length` says.
    #[error("stream of object {id}: {problem}")]
    MalformedStream { id: ObjectId, problem: String },
    /// A filter could not decode the data.
    #[error("cannot decode /{filter} data: {problem}")]
    Filter { filter: String, problem: String },
    /// A filter this reader does not implement.
    #[error("unsupported stream filter /{filter}")]
    UnsupportedFilter { filter: String },
    /// An object has the wrong type for where it is used.
    #[error("{context}: expected {expected}, found {found}")]
    WrongType {
        context: String,
        expected: &'static str,
        found: &'static str,
    },
    /// A required dictionary entry is missing.
    #[error("{context}: required entry /{key} is missing")]
    MissingKey { context: String, key: String },
    /// The document is encrypted; this module neither decrypts nor writes encrypted documents.
    #[error(
        "the document is encrypted (/Encrypt in the trailer); encrypted PDFs are not supported"
    )]
    Encrypted,
    /// The document structure (catalog, page tree, form) is inconsistent.
    #[error("invalid document structure: {problem}")]
    Structure { problem: String },
    /// An error inside a given object, with the object named.
    #[error("in object {id}: {source}")]
    InObject {
        id: ObjectId,
        #[source]
        source: Box<PdfError>,
    },
    /// The incremental writer was used wrongly.
    #[error("cannot write the update: {problem}")]
    Update { problem: String },
    /// The signature field cannot be used.
    #[error("signature field {name:?}: {problem}")]
    SignatureField { name: String, problem: String },
    /// The document is certified with DocMDP P1: no signature may be added.
    #[error(
        "the document is certified with DocMDP P1 (no changes allowed): it cannot take another signature"
    )]
    CertifiedNoChanges,
    /// The CMS does not fit into the space reserved in `/Contents`.
    #[error(
        "the signature ({needed} bytes) does not fit the {capacity} bytes reserved in /Contents"
    )]
    SignatureTooLarge { needed: usize, capacity: usize },
    /// Prepared-signature bytes are not what they claim to be.
    #[error("invalid prepared signature: {problem}")]
    InvalidPrepared { problem: String },
}

/// What exactly is wrong with a cross-reference section.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XrefProblem {
    #[error("bad subsection header")]
    BadSubsectionHeader,
    #[error("bad entry for object {number}")]
    BadEntry { number: u64 },
    #[error("trailer dictionary missing")]
    MissingTrailer,
    #[error("/Size missing or invalid")]
    BadSize,
    #[error("entry for object {number} beyond /Size {size}")]
    EntryBeyondSize { number: u64, size: u64 },
    #[error("/W widths invalid")]
    BadWidths,
    #[error("/Index invalid")]
    BadIndex,
    #[error("stream data has {actual} bytes, entries need {expected}")]
    DataLength { expected: u64, actual: u64 },
    #[error("unknown entry type {kind} for object {number}")]
    UnknownEntryType { kind: u64, number: u64 },
    #[error("not an /XRef stream")]
    NotXrefStream,
    #[error("/Prev is not a non-negative integer")]
    BadPrev,
    #[error("/XRefStm is not a non-negative integer")]
    BadXrefStm,
    #[error(
        "/Prev points forward to byte {prev}, which only a linearized file's first-page section may do"
    )]
    ForwardPrev { prev: u64 },
    #[error("no startxref and %%EOF after the section: found {found}")]
    MissingEof { found: String },
    #[error("the startxref after this section says {declared}")]
    StartxrefMismatch { declared: u64 },
    #[error("a generation number above 65535")]
    BadGeneration,
    #[error("section ends at byte {end}, after the next revision's section at byte {next}")]
    Overlap { end: u64, next: u64 },
}

impl PdfError {
    /// Wraps the error with the object it happened in (unless it already names one).
    pub fn in_object(self, id: ObjectId) -> PdfError {
        match self {
            PdfError::InObject { .. }
            | PdfError::ObjectNotAtOffset { .. }
            | PdfError::ObjectNotFound { .. }
            | PdfError::MalformedStream { .. }
            | PdfError::MalformedObjectStream { .. }
            | PdfError::ReferenceCycle { .. } => self,
            other => PdfError::InObject {
                id,
                source: Box::new(other),
            },
        }
    }

    /// The innermost error, past the [`PdfError::InObject`] context wrappers.
    pub fn root_cause(&self) -> &PdfError {
        match self {
            PdfError::InObject { source, .. } => source.root_cause(),
            other => other,
        }
    }

    pub(crate) fn limit(limit: Limit, value: u64, max: u64) -> PdfError {
        PdfError::LimitExceeded { limit, value, max }
    }

    pub(crate) fn structure(problem: impl Into<String>) -> PdfError {
        PdfError::Structure {
            problem: problem.into(),
        }
    }

    pub(crate) fn update(problem: impl Into<String>) -> PdfError {
        PdfError::Update {
            problem: problem.into(),
        }
    }
}
