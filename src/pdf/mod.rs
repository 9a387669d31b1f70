//! Reading PDF revisions, cross-reference sections and objects, and writing incremental updates;
//! knows nothing of CMS, HTTP or the database.
//!
//! - [`Document`] opens a file (or bytes) and reads only what it needs: the cross-reference
//!   sections at open, objects on demand through a bounded cache. Every revision is kept
//!   ([`Revision`]: xref offset, trailer, ids it defines, where its `%%EOF` ends), and
//!   [`Document::at`] shows the document as any revision saw it.
//! - Objects ([`Object`]) keep the byte spans of their top-level dictionary entries
//!   ([`IndirectObject::entry_span`]), which a verifier needs to check a signature's `/ByteRange`.
//! - Nothing is repaired: a wrong `startxref`, an offset that misses its object or a malformed
//!   section is an error ([`PdfError`]) naming what is wrong. [`Limits`] bound memory and time.

pub mod appearance;
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
