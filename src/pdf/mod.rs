//! Reading PDF revisions, cross-reference sections and objects, and writing incremental updates
//! with signature placeholders; knows nothing of CMS, HTTP or the database.
//!
//! Reading ([`Document`]):
//! - [`Document::open`] (a file, read through small windows) or [`Document::from_bytes`] reads the
//!   header and every cross-reference section, nothing else; objects are parsed on demand and
//!   kept in a bounded cache. [`Limits`] bound file size, object counts, nesting, decoded stream
//!   size and tree walks; every limit error names the [`Limit`].
//! - Every revision is kept, oldest first ([`Revision`]: xref offset and kind, trailer, the ids it
//!   defines or frees, where its `%%EOF` ends). [`Document::latest`] and [`Document::at`] give a
//!   [`View`] of the document as that revision saw it: objects, references, catalog, pages,
//!   form fields, signature fields, DocMDP/FieldMDP settings and the DSS.
//! - Objects read directly from the file keep the byte spans of their top-level dictionary
//!   entries ([`IndirectObject::entry_span`]): a verifier checks that a signature's `/ByteRange`
//!   gap is exactly *this* dictionary's `/Contents` token. An object read from an object stream
//!   has no spans (a signature dictionary there cannot be valid).
//! - Nothing is repaired: a wrong `startxref`, an offset that misses its `N G obj`, a loop or a
//!   malformed section is an error ([`PdfError`]) naming what is wrong. Encryption is detected
//!   ([`Document::is_encrypted`]), never decrypted.
//!
//! Writing ([`IncrementalUpdate`]):
//! - An update appends new objects and new versions of existing ones after the input's exact
//!   bytes, with an xref section of the input's kind and a trailer chained with `/Prev`.
//! - [`prepare_signature`] (or [`prepare_signature_in`] with the caller's appearance objects
//!   already in the update) adds a signature field, widget and signature dictionary with
//!   `/ByteRange` and `/Contents` reserved and patched in place; the [`PreparedSignature`] streams
//!   the covered bytes to a hasher and embeds the DER the CMS layer makes.
//!   [`prepare_document_timestamp`] and [`append_dss`] make the PAdES B-LTA and B-LT updates.

pub mod appearance;
pub mod content;
mod document;
mod dss;
mod error;
pub mod filters;
mod forms;
mod limits;
mod object;
mod pages;
mod parser;
pub mod serialize;
mod signature;
mod source;
pub mod text;
mod writer;
mod xref;

pub use document::{Document, IndirectObject, ObjectLocation, View};
pub use dss::{Dss, DssUpdate, VriData, VriEntry, add_dss, append_dss, vri_key};
pub use error::{PdfError, Result, XrefProblem};
pub use filters::{DecodedStream, FilterStep};
pub use forms::{
    Certification, DocMdpPermission, Field, FieldMdpAction, SignatureField, SignatureReference,
    SignatureValue, Widget,
};
pub use limits::{Limit, Limits};
pub use object::{
    Dictionary, Name, Object, ObjectId, PdfString, Rect, Stream, StreamData, StringForm,
    number_object,
};
pub use pages::Page;
pub use parser::EntrySpan;
pub use signature::{
    DEFAULT_CONTENTS_CAPACITY, Placement, PreparedSignature, SIGNATURE_WIDGET_FLAGS, SignatureKind,
    SignatureSpec, prepare_document_timestamp, prepare_signature, prepare_signature_in,
};
pub use source::{FileSource, MemorySource, Source};
pub use writer::{IncrementalUpdate, WrittenUpdate};
pub use xref::{Header, Revision, XrefEntry, XrefKind, XrefSection};
