//! Revision diff analysis: what changed after a signed revision, object by object.
//!
//! Every revision after the signed one is compared with the signed revision (never with its
//! predecessor only, so that an intermediate update cannot launder a change). Each object a later
//! revision writes, frees or re-points must be explained by a rule, otherwise it counts as
//! [`ModificationLevel::Other`]: the rules whitelist, they never blacklist. The rules and the
//! levels they grant:
//!
//! - long-term validation (`LTA_UPDATES`): the catalog with only `/DSS`, `/AcroForm`,
//!   `/Metadata`, `/Extensions`, `/MarkInfo` or `/Version` changed; the `/DSS` with its
//!   certificates, CRLs, OCSP responses and `/VRI` entries (old entries kept); `/Info` and XMP
//!   metadata; new invisible signature fields and document timestamps; `/Fields` appended and
//!   `/SigFlags`; cross-reference and object streams; objects nothing refers to.
//! - form filling (`FORM_FILLING`): values (`/V`), appearances (`/AP`, `/AS`) of the field's own
//!   widgets, `/NeedAppearances`, `/DR`; new signature fields and signing them.
//! - annotations (`ANNOTATIONS`): annotations other than widgets added, changed or deleted.
//!
//! An object written again over one of the signed revision must be explained at *every* place
//! the signed revision uses it (the container object and the path inside it), which is how the
//! shadow attacks (an object redefined, or the cross-reference re-pointed, so that something else
//! is shown) and the sneaky appearance overwrites are caught. DocMDP (P1/P2/P3), FieldMDP and
//! `/Lock` are then applied to the changes: see [`DiffOutcome::docmdp_ok`].

mod compare;
mod describe;
mod graph;
mod pages;
mod problem;
mod review;
mod rules;

use crate::pdf::{DocMdpPermission, Document, FieldMdpAction, ObjectId, PdfError, View};
use crate::verify::messages::Code;
use crate::verify::report::{Finding, ModificationLevel, ObjectRef};

pub use describe::Role;
pub use problem::Problem;

use graph::UsageIndex;
use review::Review;

/// What [`analyse`] needs to know about the signature whose later changes are examined.
#[derive(Debug, Clone)]
pub struct DiffInput<'a> {
    pub document: &'a Document,
    /// Index (in [`Document::revisions`]) of the revision the signature covers.
    pub signed_revision: usize,
    /// The signature field's full name (it must exist in the signed revision).
    pub signature_field: &'a str,
    /// The permission of the document's certification signature, when the document was
    /// certified at or before the signed revision: it governs every later change.
    pub certification: Option<DocMdpPermission>,
    /// Field locks in force from the signed revision on, besides those the analysis reads
    /// itself. The analysis already applies, from the revision after it is signed, the `/Lock`
    /// and the FieldMDP references of every signature field in the document (this one, earlier
    /// ones and later ones alike).
    pub field_locks: Vec<FieldLock>,
}

impl<'a> DiffInput<'a> {
    /// An input with no certification and no extra locks.
    pub fn new(document: &'a Document, signed_revision: usize, signature_field: &'a str) -> Self {
        DiffInput {
            document,
            signed_revision,
            signature_field,
            certification: None,
            field_locks: Vec::new(),
        }
    }
}

/// Which fields a signature locks once it is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldLock {
    /// The signature field whose signing put the lock in force.
    pub signature_field: String,
    pub action: FieldMdpAction,
    pub source: LockSource,
}

/// Where a lock comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockSource {
    /// The signature field's `/Lock` dictionary.
    Lock,
    /// A FieldMDP transform in the signature dictionary's `/Reference`.
    FieldMdp,
}

impl FieldLock {
    /// True when the field with this full name is locked. A name in `/Fields` also covers the
    /// fields below it (`person` covers `person.name`).
    pub fn covers(&self, full_name: &str) -> bool {
        let listed = |names: &[String]| {
            names.iter().any(|name| {
                full_name == name
                    || full_name
                        .strip_prefix(name.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
        };
        match &self.action {
            FieldMdpAction::All => true,
            FieldMdpAction::Include(names) => listed(names),
            FieldMdpAction::Exclude(names) => !listed(names),
        }
    }
}

/// The result of the analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffOutcome {
    /// The highest level of any change: `NONE` when no revision follows the signed one,
    /// at least `LTA_UPDATES` when one does.
    pub modification_level: ModificationLevel,
    /// False when a change is of level `OTHER`, exceeds the certification's DocMDP permission,
    /// changes a locked field, or is refused after a certification (a new visible signature
    /// field, an annotation that can hide content under P3).
    pub docmdp_ok: bool,
    /// Every object written, freed or affected after the signed revision, by revision then
    /// object number.
    pub changes: Vec<Change>,
}

impl DiffOutcome {
    /// Findings for the report: the overall modification, then each change that is not an
    /// unchanged rewrite, then each violated restriction.
    pub fn findings(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        if self.modification_level > ModificationLevel::None {
            let (vi, en) = self.modification_level.text();
            findings.push(Finding::localized(
                Code::ModifiedAfterSigning,
                &[],
                &[("level", vi, en)],
            ));
        }
        for change in &self.changes {
            findings.extend(change.findings());
        }
        findings
    }
}

/// What is changed: an object, or the trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Trailer,
    Object(ObjectId),
}

/// How a revision changed the target, compared with the revision before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    /// A new object number (or a number that was free).
    Added,
    /// A new version of an existing object (or a cross-reference entry re-pointed to another
    /// body).
    Replaced,
    /// Freed, or replaced by another generation (references to it now point at nothing).
    Freed,
    /// Written again, identical to the signed revision: not a change.
    Unchanged,
    /// Not written, but a change elsewhere removed it from a structure (a deleted form field).
    Affected,
}

impl ChangeKind {
    fn text(self) -> (&'static str, &'static str) {
        match self {
            ChangeKind::Added => ("được thêm", "added"),
            ChangeKind::Replaced => ("bị thay thế", "replaced"),
            ChangeKind::Freed => ("bị xóa", "freed"),
            ChangeKind::Unchanged => ("được ghi lại không đổi", "rewritten unchanged"),
            ChangeKind::Affected => ("bị ảnh hưởng", "affected"),
        }
    }
}

/// One object's change in one revision, with the verdict of the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Index of the revision (in [`Document::revisions`]) that made the change.
    pub revision: usize,
    pub target: Target,
    pub kind: ChangeKind,
    /// What the object is (page content, signature value, form field, …).
    pub role: Role,
    /// The level this change counts at: `NONE` for an unchanged rewrite, `OTHER` when no rule
    /// explains it.
    pub level: ModificationLevel,
    /// The form field the change belongs to, when a form rule explained it.
    pub field: Option<String>,
    /// Why the change is not permitted (empty when it is).
    pub problems: Vec<Problem>,
}

impl Change {
    /// True when no problem is attached.
    pub fn permitted(&self) -> bool {
        self.problems.is_empty()
    }

    /// True when a problem breaks DocMDP, FieldMDP or `/Lock`, or the change is `OTHER`.
    pub fn breaks_docmdp(&self) -> bool {
        self.level == ModificationLevel::Other || self.problems.iter().any(Problem::breaks_docmdp)
    }

    /// "object 12 0 (page 1 content stream) replaced in revision 3", in Vietnamese and English.
    pub fn summary(&self) -> (String, String) {
        let (role_vi, role_en) = self.role.text();
        let (kind_vi, kind_en) = self.kind.text();
        match self.target {
            Target::Trailer => (
                format!("trailer {kind_vi} ở bản sửa đổi {}", self.revision),
                format!("trailer {kind_en} in revision {}", self.revision),
            ),
            Target::Object(id) => (
                format!(
                    "đối tượng {} {} ({role_vi}) {kind_vi} ở bản sửa đổi {}",
                    id.number, id.generation, self.revision
                ),
                format!(
                    "object {} {} ({role_en}) {kind_en} in revision {}",
                    id.number, id.generation, self.revision
                ),
            ),
        }
    }

    /// The report's findings for this change: what changed (unless it is an unchanged
    /// rewrite), then one finding per problem.
    pub fn findings(&self) -> Vec<Finding> {
        let objects: Vec<ObjectRef> = match self.target {
            Target::Object(id) => vec![ObjectRef {
                number: id.number,
                generation: id.generation,
            }],
            Target::Trailer => Vec::new(),
        };
        let object_text = match self.target {
            Target::Object(id) => format!("{} {}", id.number, id.generation),
            Target::Trailer => "trailer".to_owned(),
        };
        let mut findings = Vec::new();
        if self.kind != ChangeKind::Unchanged {
            let (role_vi, role_en) = self.role.text();
            let (kind_vi, kind_en) = self.kind.text();
            let how_vi = format!("{role_vi}, {kind_vi} ở bản sửa đổi {}", self.revision);
            let how_en = format!("{role_en}, {kind_en} in revision {}", self.revision);
            findings.push(
                Finding::localized(
                    Code::ObjectChanged,
                    &[("object", &object_text)],
                    &[("how", &how_vi, &how_en)],
                )
                .with_objects(objects.clone()),
            );
        }
        for problem in &self.problems {
            findings.push(problem.finding(&object_text).with_objects(objects.clone()));
        }
        findings
    }
}

/// Why the analysis could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("revision {index} does not exist: the document has {count} revisions")]
    NoSuchRevision { index: usize, count: usize },
    #[error("the signed revision {revision} has no signature field «{field}»")]
    SignatureFieldNotFound { field: String, revision: usize },
    #[error("cannot read object {id} of the signed revision {revision}: {source}")]
    SignedObject {
        id: ObjectId,
        revision: usize,
        #[source]
        source: PdfError,
    },
    #[error("cannot read the signed revision {revision} ({what}): {source}")]
    SignedRevision {
        revision: usize,
        what: &'static str,
        #[source]
        source: PdfError,
    },
    #[error("the signed revision {revision} has more than {limit} {what}: the analysis stops")]
    TooLarge {
        revision: usize,
        what: &'static str,
        limit: usize,
    },
}

/// Examines every revision after `input.signed_revision` and judges each change.
pub fn analyse(input: &DiffInput<'_>) -> Result<DiffOutcome, DiffError> {
    let doc = input.document;
    let count = doc.revisions().len();
    let signed = input.signed_revision;
    if signed >= count {
        return Err(DiffError::NoSuchRevision {
            index: signed,
            count,
        });
    }
    let old = doc.at(signed).map_err(|source| DiffError::SignedRevision {
        revision: signed,
        what: "revision",
        source,
    })?;
    check_signature_field(&old, input.signature_field)?;
    if signed + 1 == count {
        return Ok(DiffOutcome {
            modification_level: ModificationLevel::None,
            docmdp_ok: true,
            changes: Vec::new(),
        });
    }
    let watched = doc
        .revisions()
        .get(signed + 1..)
        .unwrap_or_default()
        .iter()
        .flat_map(|revision| revision.entries().into_iter().map(|(number, _)| number))
        .collect();
    let index = UsageIndex::build(old, &watched)?;
    // A signed page tree that cannot be read leaves the annotation rule reading both trees in
    // every revision (and explaining nothing when that fails too).
    let pages = pages::SignedPages::read(&old).ok();
    let mut changes = Vec::new();
    // Locks of the signatures made up to the signed revision; each later revision adds those of
    // the signatures it makes, in force from the revision after it. Once in force, a lock stays.
    let mut locks_in_force = signature_locks(&old).map_err(|source| DiffError::SignedRevision {
        revision: signed,
        what: "signature locks",
        source,
    })?;
    for revision in signed + 1..count {
        let new = doc
            .at(revision)
            .map_err(|source| DiffError::SignedRevision {
                revision,
                what: "revision",
                source,
            })?;
        let mut locks = input.field_locks.clone();
        locks.extend(locks_in_force.iter().cloned());
        let policy = review::Policy {
            certification: input.certification,
            locks,
        };
        let review = Review::new(doc, old, new, &index, pages.as_ref());
        changes.extend(review.run(&policy));
        // A later form that cannot be read keeps the locks known so far (its changes are refused).
        for lock in signature_locks(&new).unwrap_or_default() {
            if !locks_in_force.contains(&lock) {
                locks_in_force.push(lock);
            }
        }
    }
    changes.sort_by_key(|change| (change.revision, change.target));
    let modification_level = changes
        .iter()
        .map(|change| change.level)
        .max()
        .unwrap_or(ModificationLevel::LtaUpdates)
        .max(ModificationLevel::LtaUpdates);
    let docmdp_ok = modification_level != ModificationLevel::Other
        && !changes.iter().any(Change::breaks_docmdp);
    Ok(DiffOutcome {
        modification_level,
        docmdp_ok,
        changes,
    })
}

fn check_signature_field(old: &View<'_>, field: &str) -> Result<(), DiffError> {
    let fields = old
        .signature_fields()
        .map_err(|source| DiffError::SignedRevision {
            revision: old.revision_index(),
            what: "signature fields",
            source,
        })?;
    if fields
        .iter()
        .any(|candidate| candidate.field.full_name == field)
    {
        Ok(())
    } else {
        Err(DiffError::SignatureFieldNotFound {
            field: field.to_owned(),
            revision: old.revision_index(),
        })
    }
}

/// The locks of every signature field that is signed in `view`: its `/Lock`, and the FieldMDP
/// references of its signature dictionary.
fn signature_locks(view: &View<'_>) -> Result<Vec<FieldLock>, PdfError> {
    let mut locks = Vec::new();
    for field in view.signature_fields()? {
        let Some(signature) = &field.signature else {
            continue;
        };
        let name = field.field.full_name.clone();
        if let Some(action) = &field.field.lock {
            locks.push(FieldLock {
                signature_field: name.clone(),
                action: action.clone(),
                source: LockSource::Lock,
            });
        }
        for reference in view.signature_references(&signature.dict)? {
            if let crate::pdf::SignatureReference::FieldMdp { action, .. } = reference {
                locks.push(FieldLock {
                    signature_field: name.clone(),
                    action,
                    source: LockSource::FieldMdp,
                });
            }
        }
    }
    Ok(locks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock(action: FieldMdpAction) -> FieldLock {
        FieldLock {
            signature_field: "approval".to_owned(),
            action,
            source: LockSource::Lock,
        }
    }

    #[test]
    fn a_lock_covers_listed_fields_and_their_kids() {
        let include = lock(FieldMdpAction::Include(vec!["person".to_owned()]));
        assert!(include.covers("person"));
        assert!(include.covers("person.name"));
        assert!(!include.covers("personal"));
        assert!(!include.covers("date"));
        let exclude = lock(FieldMdpAction::Exclude(vec!["date".to_owned()]));
        assert!(!exclude.covers("date"));
        assert!(exclude.covers("person.name"));
        assert!(lock(FieldMdpAction::All).covers("anything"));
    }
}
