//! Revision diff analysis: what changed after a signed revision, object by object.
//!
//! This is the interface the verifier calls. The body here is a placeholder that nothing can pass
//! by accident: no later revision means `NONE`, any later revision means `OTHER`. The real
//! analysis (modification levels, DocMDP/FieldMDP/`/Lock` enforcement, the shadow and sneaky
//! attacks) replaces it behind the same signature.

use crate::pdf::{DocMdpPermission, Document, FieldMdpAction, ObjectId, PdfError};
use crate::verify::report::{Finding, ModificationLevel};

/// What to compare: the document, the revision a signature covers, and the restrictions in force.
#[derive(Debug, Clone, Copy)]
pub struct DiffInput<'a> {
    pub document: &'a Document,
    /// Index (into [`Document::revisions`]) of the last revision the signature covers.
    pub signed_revision: usize,
    /// Full name of the signature field being evaluated.
    pub signature_field: &'a str,
    /// The document's certification permission, when a certification signature at or before the
    /// signed revision sets one.
    pub certification: Option<DocMdpPermission>,
    /// FieldMDP locks that apply: the signature's own FieldMDP `/Reference` and the `/Lock` of
    /// its field.
    pub field_locks: &'a [FieldMdpAction],
}

/// The verdict on everything later revisions did.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffOutcome {
    /// The most permissive-demanding change found (`NONE` when nothing follows the signature).
    pub modification_level: ModificationLevel,
    /// No DocMDP, FieldMDP or `/Lock` restriction is violated (and nothing is `OTHER`).
    pub docmdp_ok: bool,
    /// Every change, object by object.
    pub changes: Vec<Change>,
    /// Findings for the report beyond one per change: violations (`DOC_MDP_VIOLATION`,
    /// `FIELD_MDP_VIOLATION`, `LOCK_VIOLATION`), `SIGNATURE_WIDGET_CHANGED`, `SUSPICIOUS_ANNOTATION`.
    pub findings: Vec<Finding>,
}

/// One object added, replaced or freed by a later revision.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub object: ObjectId,
    /// The revision that made the change.
    pub revision: usize,
    /// What happened, Vietnamese and English ("nội dung trang 1 bị thay thế" / "page 1 content
    /// stream replaced").
    pub what_vi: String,
    pub what_en: String,
    /// The level this change alone requires.
    pub level: ModificationLevel,
}

/// Why the analysis could not be done (the verifier then reports `OTHER`).
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("revision {index} does not exist (the document has {count})")]
    NoSuchRevision { index: usize, count: usize },
    #[error("cannot compare revisions: {0}")]
    Pdf(#[from] PdfError),
}

/// Classifies what every revision after `input.signed_revision` changed.
pub fn analyse(input: &DiffInput) -> Result<DiffOutcome, DiffError> {
    let count = input.document.revisions().len();
    if input.signed_revision >= count {
        return Err(DiffError::NoSuchRevision {
            index: input.signed_revision,
            count,
        });
    }
    let later = input.signed_revision + 1 < count;
    let modification_level = if later {
        ModificationLevel::Other
    } else {
        ModificationLevel::None
    };
    Ok(DiffOutcome {
        modification_level,
        docmdp_ok: !later,
        changes: Vec::new(),
        findings: Vec::new(),
    })
}
