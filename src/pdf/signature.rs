//! Signature placeholders (§12.8.1): the update that adds a signature field, its widget and the
//! signature dictionary with `/ByteRange` and `/Contents` reserved at fixed width, patched once the
//! offsets are known so that the gap is exactly the `<hex>` token. The CMS itself is the caller's
//! business: this module hands out the covered bytes and embeds whatever DER it is given.

use std::ops::Range;

use time::OffsetDateTime;

use super::document::{Document, View};
use super::error::{PdfError, Result};
use super::forms::{DocMdpPermission, Field, FieldMdpAction};
use super::object::{Dictionary, Name, Object, ObjectId, PdfString, Rect, Stream};
use super::serialize;
use super::text::format_pdf_date;
use super::writer::IncrementalUpdate;

/// Annotation flags of a signature widget: Print (4) and Locked (128).
pub const SIGNATURE_WIDGET_FLAGS: i64 = 132;

/// Default DER capacity reserved in `/Contents`: room for a CMS with a chain, a timestamp token
/// and a few certificates.
pub const DEFAULT_CONTENTS_CAPACITY: usize = 32 * 1024;

/// The `/ByteRange` placeholder: four integers of the widest width ever needed (10 digits), so
/// that patching never moves a byte.
const BYTE_RANGE_PLACEHOLDER: i64 = 9_999_999_999;

/// Where the signature's widget goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Placement {
    /// A zero-size widget on the first page.
    Invisible,
    /// A widget on page `page_index` (0-based) covering `rect` (default user space).
    Visible { page_index: usize, rect: Rect },
}

/// Which kind of dictionary `/V` receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    /// `/Type /Sig`: an approval or certification signature.
    Signature,
    /// `/Type /DocTimeStamp`: an RFC 3161 document timestamp (PAdES B-LTA).
    DocumentTimestamp,
}

/// What to put in the signature field and dictionary.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureSpec {
    pub kind: SignatureKind,
    /// The field's full name: an existing empty signature field with this name is used, else a
    /// new top-level field is created (its name must not contain `.`).
    pub field_name: String,
    /// Where a new field's widget goes. An existing field keeps its own widget and rectangle
    /// (look it up with [`View::find_field`] to build an appearance of the right size).
    pub placement: Placement,
    /// `/Filter` (default `Adobe.PPKLite`).
    pub filter: Name,
    /// `/SubFilter` (default `ETSI.CAdES.detached`, or `ETSI.RFC3161` for timestamps).
    pub sub_filter: Name,
    /// `/M`, the claimed signing time (written with its offset).
    pub signing_time: Option<OffsetDateTime>,
    pub reason: Option<String>,
    pub location: Option<String>,
    pub contact_info: Option<String>,
    /// `/Name` of the signer (the verifier must never trust it; it is informational).
    pub name: Option<String>,
    /// `/Prop_Build` (software that made the signature).
    pub prop_build: Option<Dictionary>,
    /// Certify the document with this DocMDP permission (`/Perms /DocMDP` in the catalog and a
    /// DocMDP `/Reference`). Only the first signature of a document may certify.
    pub certification: Option<DocMdpPermission>,
    /// Lock these fields once signed (`/Lock` on the field and a FieldMDP `/Reference`).
    pub lock: Option<FieldMdpAction>,
    /// A Form XObject the caller added to the same update, used as the widget's `/AP /N`. When
    /// absent an empty form of the widget's size is written (as pyHanko does).
    pub appearance: Option<ObjectId>,
    /// Bytes of DER reserved in `/Contents`.
    pub contents_capacity: usize,
}

impl SignatureSpec {
    /// An invisible PAdES signature (`ETSI.CAdES.detached`) in field `field_name`.
    pub fn new(field_name: impl Into<String>) -> Self {
        SignatureSpec {
            kind: SignatureKind::Signature,
            field_name: field_name.into(),
            placement: Placement::Invisible,
            filter: Name::from("Adobe.PPKLite"),
            sub_filter: Name::from("ETSI.CAdES.detached"),
            signing_time: None,
            reason: None,
            location: None,
            contact_info: None,
            name: None,
            prop_build: None,
            certification: None,
            lock: None,
            appearance: None,
            contents_capacity: DEFAULT_CONTENTS_CAPACITY,
        }
    }

    /// A document timestamp (`/DocTimeStamp`, `ETSI.RFC3161`) in field `field_name`.
    pub fn document_timestamp(field_name: impl Into<String>) -> Self {
        SignatureSpec {
            kind: SignatureKind::DocumentTimestamp,
            sub_filter: Name::from("ETSI.RFC3161"),
            contents_capacity: 16 * 1024,
            ..SignatureSpec::new(field_name)
        }
    }
}

/// A PDF with a signature placeholder: the complete output bytes and where the signature goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedSignature {
    bytes: Vec<u8>,
    byte_range: [u64; 4],
    contents: Range<usize>,
}

impl PreparedSignature {
    /// Rebuilds a prepared signature from stored bytes and their `/ByteRange` (deferred signing),
    /// checking that the gap is a `<…>` token of zeros and the ranges cover the rest of the file.
    pub fn from_parts(bytes: Vec<u8>, byte_range: [u64; 4]) -> Result<Self> {
        let invalid = |problem: &str| PdfError::InvalidPrepared {
            problem: problem.to_string(),
        };
        let [start, gap_start, gap_end, tail] = byte_range;
        if start != 0
            || gap_start >= gap_end
            || gap_end.checked_add(tail) != Some(bytes.len() as u64)
        {
            return Err(invalid(
                "the byte range does not cover the file around one gap",
            ));
        }
        let contents = gap_start as usize..gap_end as usize;
        let token = bytes
            .get(contents.clone())
            .ok_or_else(|| invalid("the gap lies outside the bytes"))?;
        let inner = token
            .strip_prefix(b"<")
            .and_then(|rest| rest.strip_suffix(b">"))
            .ok_or_else(|| invalid("the gap is not a <hex> token"))?;
        if inner.is_empty() || inner.len() % 2 != 0 || inner.iter().any(|&byte| byte != b'0') {
            return Err(invalid(
                "the <hex> token is not an empty (all-zero) placeholder",
            ));
        }
        Ok(PreparedSignature {
            bytes,
            byte_range,
            contents,
        })
    }

    /// The complete PDF with the placeholder (`/Contents` still zeros).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// `[0, a, b, c]`: `a` is the offset of `<`, `b` the offset just after `>`, `b + c` the
    /// length of the file.
    pub fn byte_range(&self) -> [u64; 4] {
        self.byte_range
    }

    /// The span of the `<…>` token of `/Contents`, delimiters included.
    pub fn contents_span(&self) -> Range<usize> {
        self.contents.clone()
    }

    /// How many bytes of DER fit in `/Contents`.
    pub fn capacity(&self) -> usize {
        self.contents.len().saturating_sub(2) / 2
    }

    /// The two covered byte ranges.
    pub fn covered_ranges(&self) -> [Range<usize>; 2] {
        [0..self.contents.start, self.contents.end..self.bytes.len()]
    }

    /// The two covered byte slices, in order: feed them to the digest the CMS signs.
    pub fn covered(&self) -> [&[u8]; 2] {
        let [head, tail] = self.covered_ranges();
        [
            self.bytes.get(head).unwrap_or_default(),
            self.bytes.get(tail).unwrap_or_default(),
        ]
    }

    /// Streams the covered bytes to `sink` in order (e.g. a hasher's `update`).
    pub fn digest_with(&self, mut sink: impl FnMut(&[u8])) {
        for part in self.covered() {
            sink(part);
        }
    }

    /// The signed PDF: `der` written as upper-case hex into `/Contents`, the rest of the
    /// placeholder left as zero padding. Fails when `der` is empty or does not fit.
    pub fn embed(&self, der: &[u8]) -> Result<Vec<u8>> {
        self.clone().into_signed(der)
    }

    /// Like [`embed`](Self::embed), without copying the bytes.
    pub fn into_signed(mut self, der: &[u8]) -> Result<Vec<u8>> {
        let capacity = self.capacity();
        if der.is_empty() {
            return Err(PdfError::InvalidPrepared {
                problem: "the signature to embed is empty".to_string(),
            });
        }
        if der.len() > capacity {
            return Err(PdfError::SignatureTooLarge {
                needed: der.len(),
                capacity,
            });
        }
        let hex = hex::encode_upper(der);
        let start = self.contents.start + 1;
        let slot = self
            .bytes
            .get_mut(start..start + hex.len())
            .ok_or_else(|| PdfError::InvalidPrepared {
                problem: "the contents span lies outside the bytes".to_string(),
            })?;
        slot.copy_from_slice(hex.as_bytes());
        Ok(self.bytes)
    }
}

/// Prepares a signature on `doc` in a fresh update.
pub fn prepare_signature(doc: &Document, spec: &SignatureSpec) -> Result<PreparedSignature> {
    prepare_signature_in(IncrementalUpdate::new(doc)?, spec)
}

/// Prepares a document timestamp (PAdES B-LTA) on `doc` in a new invisible field.
pub fn prepare_document_timestamp(doc: &Document, field_name: &str) -> Result<PreparedSignature> {
    prepare_signature(doc, &SignatureSpec::document_timestamp(field_name))
}

/// Prepares a signature in `update`, which may already hold the caller's objects (such as the
/// appearance named by `spec.appearance`), then writes the update.
pub fn prepare_signature_in(
    mut update: IncrementalUpdate<'_>,
    spec: &SignatureSpec,
) -> Result<PreparedSignature> {
    let doc = update.document();
    let view = doc.latest();
    check_spec(&view, spec)?;
    let root = update.root()?;
    let signature_id = update.allocate()?;
    let existing = match view.find_field(&spec.field_name)? {
        Some(field) => Some(usable_field(field, spec)?),
        None => None,
    };
    let lock = match &existing {
        Some(field) => effective_lock(field, spec)?,
        None => spec.lock.clone(),
    };
    let new_field = match existing {
        Some(field) => {
            fill_existing_field(&mut update, &field, signature_id, spec, &lock)?;
            None
        }
        None => Some(create_field(&mut update, &view, signature_id, spec, &lock)?),
    };
    // One edit of the AcroForm: references this update creates are never followed again.
    update_acroform(&mut update, root, new_field)?;
    if spec.certification.is_some() {
        add_docmdp_permission(&mut update, root, signature_id)?;
    }
    let dictionary = signature_dictionary(spec, root, &lock);
    let mut body = Vec::new();
    let spans = serialize::write_dictionary(&mut body, &dictionary);
    let span_of = |key: &str| {
        spans
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, span)| span.clone())
            .ok_or_else(|| {
                PdfError::update(format!("/{key} missing from the signature dictionary"))
            })
    };
    let byte_range_span = span_of("ByteRange")?;
    let contents_span = span_of("Contents")?;
    update.set_serialized(signature_id, body)?;
    let written = update.write()?;
    let body_start = written
        .body_span(signature_id)
        .ok_or_else(|| PdfError::update("the signature dictionary was not written"))?
        .start;
    let contents = body_start + contents_span.start..body_start + contents_span.end;
    let byte_range = [
        0,
        contents.start as u64,
        contents.end as u64,
        (written.bytes.len() - contents.end) as u64,
    ];
    let mut bytes = written.bytes;
    patch_byte_range(
        &mut bytes,
        body_start + byte_range_span.start..body_start + byte_range_span.end,
        byte_range,
    )?;
    Ok(PreparedSignature {
        bytes,
        byte_range,
        contents,
    })
}

fn field_error(spec: &SignatureSpec, problem: impl Into<String>) -> PdfError {
    PdfError::SignatureField {
        name: spec.field_name.clone(),
        problem: problem.into(),
    }
}

/// Refuses what can never give a valid signature.
fn check_spec(view: &View<'_>, spec: &SignatureSpec) -> Result<()> {
    if spec.field_name.is_empty() {
        return Err(field_error(spec, "the field name is empty"));
    }
    if spec.contents_capacity == 0 {
        return Err(field_error(spec, "no space reserved for the signature"));
    }
    let certification = view.certification()?;
    if spec.kind == SignatureKind::DocumentTimestamp {
        if spec.certification.is_some() || spec.lock.is_some() {
            return Err(field_error(
                spec,
                "a document timestamp cannot certify or lock fields",
            ));
        }
        // Document timestamps (like DSS updates) are allowed even under DocMDP P1.
        return Ok(());
    }
    let no_changes = certification
        .as_ref()
        .is_some_and(|existing| existing.permission == DocMdpPermission::NoChanges);
    if no_changes {
        return Err(PdfError::CertifiedNoChanges);
    }
    if spec.certification.is_some() {
        let signed = view
            .signature_fields()?
            .iter()
            .any(|field| field.signature.is_some());
        if signed || certification.is_some() {
            return Err(field_error(
                spec,
                "only the first signature of a document may certify it",
            ));
        }
    }
    Ok(())
}

/// An existing field may receive the signature only if it is an empty signature field with a
/// widget.
fn usable_field(field: Field, spec: &SignatureSpec) -> Result<Field> {
    if !field.is_signature() {
        return Err(field_error(
            spec,
            "the field exists and is not a signature field",
        ));
    }
    if !field.value.is_null() {
        return Err(field_error(spec, "the field is already signed"));
    }
    if field.widgets.is_empty() {
        return Err(field_error(spec, "the field has no widget annotation"));
    }
    Ok(field)
}

/// The field's own `/Lock` applies; a different lock asked by the caller is a conflict.
fn effective_lock(field: &Field, spec: &SignatureSpec) -> Result<Option<FieldMdpAction>> {
    match (&field.lock, &spec.lock) {
        (Some(own), Some(asked)) if own != asked => {
            Err(field_error(spec, "the field already has a different /Lock"))
        }
        (Some(own), _) => Ok(Some(own.clone())),
        (None, asked) => Ok(asked.clone()),
    }
}

fn lock_dictionary(lock: &FieldMdpAction) -> Dictionary {
    let mut dict = Dictionary::new().with("Type", Object::name("SigFieldLock"));
    lock.to_entries(&mut dict);
    dict
}

fn appearance_for(
    update: &mut IncrementalUpdate<'_>,
    spec: &SignatureSpec,
    rect: Rect,
) -> Result<ObjectId> {
    if let Some(appearance) = spec.appearance {
        if !update.is_staged(appearance) && update.document().get(appearance)?.is_none() {
            return Err(field_error(
                spec,
                format!("appearance {appearance} does not exist"),
            ));
        }
        return Ok(appearance);
    }
    let form = Dictionary::new()
        .with("Type", Object::name("XObject"))
        .with("Subtype", Object::name("Form"))
        .with(
            "BBox",
            Rect::new(0.0, 0.0, rect.width(), rect.height()).to_object(),
        )
        .with("Resources", Dictionary::new());
    update.add(Stream::new(form, Vec::new()))
}

/// Creates the merged field and widget, adds it to its page and returns its id.
fn create_field(
    update: &mut IncrementalUpdate<'_>,
    view: &View<'_>,
    signature_id: ObjectId,
    spec: &SignatureSpec,
    lock: &Option<FieldMdpAction>,
) -> Result<ObjectId> {
    if spec.field_name.contains('.') {
        return Err(field_error(
            spec,
            "a new field's name cannot contain '.' (it separates parent and child names)",
        ));
    }
    let (page_index, rect) = match spec.placement {
        Placement::Invisible => (0, Rect::default()),
        Placement::Visible { page_index, rect } => (page_index, rect),
    };
    let pages = view.page_ids()?;
    let page = *pages.get(page_index).ok_or_else(|| {
        field_error(
            spec,
            format!(
                "page {} does not exist (the document has {})",
                page_index + 1,
                pages.len()
            ),
        )
    })?;
    let appearance = appearance_for(update, spec, rect)?;
    let mut widget = Dictionary::new()
        .with("Type", Object::name("Annot"))
        .with("Subtype", Object::name("Widget"))
        .with("FT", Object::name("Sig"))
        .with("T", Object::text(&spec.field_name))
        .with("F", Object::Integer(SIGNATURE_WIDGET_FLAGS))
        .with("Rect", rect.to_object())
        .with("P", page)
        .with("V", signature_id)
        .with("AP", Dictionary::new().with("N", appearance));
    if let Some(lock) = lock {
        widget.insert("Lock", lock_dictionary(lock));
    }
    let field = update.add(widget)?;
    add_to_annots(update, page, field)?;
    Ok(field)
}

fn fill_existing_field(
    update: &mut IncrementalUpdate<'_>,
    field: &Field,
    signature_id: ObjectId,
    spec: &SignatureSpec,
    lock: &Option<FieldMdpAction>,
) -> Result<()> {
    let mut field_object = update.current(field.id)?;
    let dict = field_object
        .as_dict_mut()
        .ok_or_else(|| field_error(spec, "the field is not a dictionary"))?;
    dict.insert("V", signature_id);
    if !dict.contains_key(b"Lock")
        && let Some(lock) = lock
    {
        dict.insert("Lock", lock_dictionary(lock));
    }
    update.set(field.id, field_object)?;
    // The first widget shows the signature.
    let widget = field
        .widgets
        .first()
        .ok_or_else(|| field_error(spec, "the field has no widget annotation"))?;
    let appearance = appearance_for(update, spec, widget.rect.unwrap_or_default())?;
    let mut widget_object = update.current(widget.id)?;
    let widget_dict = widget_object
        .as_dict_mut()
        .ok_or_else(|| field_error(spec, "the widget is not a dictionary"))?;
    widget_dict.insert("AP", Dictionary::new().with("N", appearance));
    if !widget_dict.contains_key(b"F") {
        widget_dict.insert("F", Object::Integer(SIGNATURE_WIDGET_FLAGS));
    }
    update.set(widget.id, widget_object)
}

/// Appends `annotation` to the page's `/Annots`, whether that array is direct, indirect or absent.
fn add_to_annots(
    update: &mut IncrementalUpdate<'_>,
    page: ObjectId,
    annotation: ObjectId,
) -> Result<()> {
    let mut page_object = update.current(page)?;
    let page_dict = page_object
        .as_dict_mut()
        .ok_or_else(|| PdfError::structure(format!("page {page} is not a dictionary")))?;
    let indirect = live_reference(update, page_dict.get(b"Annots"))?;
    match (page_dict.get_mut(b"Annots"), indirect) {
        (_, Some(array_id)) => append_to_array_object(update, array_id, annotation, "/Annots"),
        (Some(Object::Array(items)), None) => {
            items.push(annotation.into());
            update.set(page, page_object)
        }
        // Absent, null, or a reference to nothing: a new array.
        (None | Some(Object::Null) | Some(Object::Reference(_)), None) => {
            page_dict.insert("Annots", Object::Array(vec![annotation.into()]));
            update.set(page, page_object)
        }
        (Some(other), None) => Err(PdfError::structure(format!(
            "/Annots of page {page} is a {}",
            other.type_name()
        ))),
    }
}

/// The id `value` refers to when it is a reference to an object that exists in the document.
///
/// A reference to a missing object must not be followed into the update: the update allocates
/// new ids from `/Size`, and such a dangling reference could name one of them.
fn live_reference(
    update: &IncrementalUpdate<'_>,
    value: Option<&Object>,
) -> Result<Option<ObjectId>> {
    match value {
        Some(Object::Reference(id)) if update.document().get(*id)?.is_some() => Ok(Some(*id)),
        _ => Ok(None),
    }
}

fn append_to_array_object(
    update: &mut IncrementalUpdate<'_>,
    array_id: ObjectId,
    item: ObjectId,
    what: &str,
) -> Result<()> {
    let mut array = update.current(array_id)?;
    let items = array
        .as_array_mut()
        .ok_or_else(|| PdfError::structure(format!("{what} object {array_id} is not an array")))?;
    items.push(item.into());
    update.set(array_id, array)
}

/// Sets `/SigFlags` bits 1 and 2 (SignaturesExist, AppendOnly, other bits kept) and appends
/// `new_field` to `/Fields`, creating or merging the AcroForm (direct or indirect, existing
/// fields kept).
fn update_acroform(
    update: &mut IncrementalUpdate<'_>,
    root: ObjectId,
    new_field: Option<ObjectId>,
) -> Result<()> {
    edit_acroform(update, root, &mut |update, acroform| {
        let flags = match acroform.get(b"SigFlags") {
            Some(value) => update.document().resolve(value)?.as_integer().unwrap_or(0),
            None => 0,
        };
        acroform.insert("SigFlags", Object::Integer(flags | 3));
        let Some(field) = new_field else {
            return Ok(());
        };
        let indirect = live_reference(update, acroform.get(b"Fields"))?;
        match (acroform.get_mut(b"Fields"), indirect) {
            (_, Some(array_id)) => append_to_array_object(update, array_id, field, "/Fields"),
            (Some(Object::Array(items)), None) => {
                items.push(field.into());
                Ok(())
            }
            (None | Some(Object::Null) | Some(Object::Reference(_)), None) => {
                acroform.insert("Fields", Object::Array(vec![field.into()]));
                Ok(())
            }
            (Some(other), None) => Err(PdfError::structure(format!(
                "/AcroForm /Fields is a {}",
                other.type_name()
            ))),
        }
    })
}

type AcroFormEdit<'a> = dyn FnMut(&mut IncrementalUpdate<'_>, &mut Dictionary) -> Result<()> + 'a;

/// Applies `edit` to the AcroForm dictionary wherever it lives, creating an indirect one when the
/// catalog has none.
fn edit_acroform(
    update: &mut IncrementalUpdate<'_>,
    root: ObjectId,
    edit: &mut AcroFormEdit<'_>,
) -> Result<()> {
    let mut catalog = update.current(root)?;
    let catalog_dict = catalog
        .as_dict_mut()
        .ok_or_else(|| PdfError::structure("the catalog is not a dictionary"))?;
    let indirect = live_reference(update, catalog_dict.get(b"AcroForm"))?;
    if let Some(acroform_id) = indirect {
        let mut acroform = update.current(acroform_id)?;
        let Object::Dictionary(dict) = &mut acroform else {
            return Err(PdfError::structure(format!(
                "/AcroForm {acroform_id} is a {}, not a dictionary",
                acroform.type_name()
            )));
        };
        edit(update, dict)?;
        return update.set(acroform_id, acroform);
    }
    match catalog_dict.get(b"AcroForm").cloned() {
        Some(Object::Dictionary(mut dict)) => {
            edit(update, &mut dict)?;
            catalog_dict.insert("AcroForm", dict);
            update.set(root, catalog)
        }
        None | Some(Object::Null) | Some(Object::Reference(_)) => {
            let mut dict = Dictionary::new();
            edit(update, &mut dict)?;
            let acroform_id = update.add(dict)?;
            // Re-read: `edit` may have changed the catalog through the update.
            let mut catalog = update.current(root)?;
            if let Some(catalog_dict) = catalog.as_dict_mut() {
                catalog_dict.insert("AcroForm", acroform_id);
            }
            update.set(root, catalog)
        }
        Some(other) => Err(PdfError::structure(format!(
            "/AcroForm is a {}",
            other.type_name()
        ))),
    }
}

/// `/Perms /DocMDP` in the catalog names the certification signature.
fn add_docmdp_permission(
    update: &mut IncrementalUpdate<'_>,
    root: ObjectId,
    signature: ObjectId,
) -> Result<()> {
    let mut catalog = update.current(root)?;
    let catalog_dict = catalog
        .as_dict_mut()
        .ok_or_else(|| PdfError::structure("the catalog is not a dictionary"))?;
    if let Some(perms_id) = live_reference(update, catalog_dict.get(b"Perms"))? {
        let mut perms = update.current(perms_id)?;
        let Object::Dictionary(dict) = &mut perms else {
            return Err(PdfError::structure("/Perms is not a dictionary"));
        };
        dict.insert("DocMDP", signature);
        return update.set(perms_id, perms);
    }
    match catalog_dict.get(b"Perms").cloned() {
        Some(Object::Dictionary(mut perms)) => {
            perms.insert("DocMDP", signature);
            catalog_dict.insert("Perms", perms);
            update.set(root, catalog)
        }
        _ => {
            catalog_dict.insert("Perms", Dictionary::new().with("DocMDP", signature));
            update.set(root, catalog)
        }
    }
}

/// The signature dictionary with fixed-width placeholders for `/ByteRange` and `/Contents`.
fn signature_dictionary(
    spec: &SignatureSpec,
    root: ObjectId,
    lock: &Option<FieldMdpAction>,
) -> Dictionary {
    let kind = match spec.kind {
        SignatureKind::Signature => "Sig",
        SignatureKind::DocumentTimestamp => "DocTimeStamp",
    };
    let mut dict = Dictionary::new()
        .with("Type", Object::name(kind))
        .with("Filter", Object::Name(spec.filter.clone()))
        .with("SubFilter", Object::Name(spec.sub_filter.clone()))
        .with(
            "ByteRange",
            Object::Array(vec![
                Object::Integer(0),
                Object::Integer(BYTE_RANGE_PLACEHOLDER),
                Object::Integer(BYTE_RANGE_PLACEHOLDER),
                Object::Integer(BYTE_RANGE_PLACEHOLDER),
            ]),
        )
        .with(
            "Contents",
            Object::String(PdfString::hex(vec![0u8; spec.contents_capacity])),
        );
    if let Some(time) = spec.signing_time {
        dict.insert("M", Object::string(format_pdf_date(time)));
    }
    let texts = [
        ("Name", &spec.name),
        ("Reason", &spec.reason),
        ("Location", &spec.location),
        ("ContactInfo", &spec.contact_info),
    ];
    for (key, value) in texts {
        if let Some(value) = value {
            dict.insert(key, Object::text(value));
        }
    }
    if let Some(prop_build) = &spec.prop_build {
        dict.insert("Prop_Build", prop_build.clone());
    }
    let mut references = Vec::new();
    if let Some(permission) = spec.certification {
        let params = Dictionary::new()
            .with("Type", Object::name("TransformParams"))
            .with("P", Object::Integer(permission.value()))
            .with("V", Object::name("1.2"));
        references.push(Object::Dictionary(
            Dictionary::new()
                .with("Type", Object::name("SigRef"))
                .with("TransformMethod", Object::name("DocMDP"))
                .with("TransformParams", params),
        ));
    }
    if let Some(lock) = lock {
        let mut params = Dictionary::new().with("Type", Object::name("TransformParams"));
        lock.to_entries(&mut params);
        params.insert("V", Object::name("1.2"));
        references.push(Object::Dictionary(
            Dictionary::new()
                .with("Type", Object::name("SigRef"))
                .with("TransformMethod", Object::name("FieldMDP"))
                .with("TransformParams", params)
                .with("Data", root),
        ));
    }
    if !references.is_empty() {
        dict.insert("Reference", Object::Array(references));
    }
    dict
}

/// Writes `[0 a b c]` over the placeholder, padded with spaces to the same width.
fn patch_byte_range(bytes: &mut [u8], span: Range<usize>, byte_range: [u64; 4]) -> Result<()> {
    let [start, gap_start, gap_end, tail] = byte_range;
    let text = format!("[{start} {gap_start} {gap_end} {tail}]");
    let slot = bytes
        .get_mut(span.clone())
        .ok_or_else(|| PdfError::update("the /ByteRange placeholder lies outside the output"))?;
    if text.len() > slot.len() {
        return Err(PdfError::update(format!(
            "the byte range {text} does not fit its {}-byte placeholder",
            slot.len()
        )));
    }
    slot.fill(b' ');
    slot.get_mut(..text.len())
        .ok_or_else(|| PdfError::update("the /ByteRange placeholder is too short"))?
        .copy_from_slice(text.as_bytes());
    Ok(())
}
