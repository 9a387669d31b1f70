//! Inputs for the diff tests: a one-page document with a form made with lopdf, signatures
//! prepared with the `pdf` module (a placeholder DER is enough: the diff never checks the CMS),
//! later revisions written with [`IncrementalUpdate`] or, for cross-reference tricks, by hand,
//! and the signed revision of each signature found from its `/ByteRange`.
#![allow(dead_code)]

use lopdf::{Object as LObject, Stream as LStream, dictionary};
use vanthu::pdf::{
    Dictionary, DocMdpPermission, Document, FieldMdpAction, IncrementalUpdate, Object, ObjectId,
    Placement, Rect, SignatureSpec, Stream, prepare_signature,
};
use vanthu::verify::diff::{Change, DiffInput, DiffOutcome, Problem, analyse};
use vanthu::verify::report::ModificationLevel;

/// Object ids of the base document, fixed by the order in which [`base_pdf`] creates them.
pub struct Base;

impl Base {
    pub const PAGES: ObjectId = ObjectId::new(1, 0);
    pub const PAGE: ObjectId = ObjectId::new(2, 0);
    pub const CONTENT: ObjectId = ObjectId::new(3, 0);
    pub const FONT: ObjectId = ObjectId::new(4, 0);
    /// Text field `name` (field and widget in one).
    pub const NAME: ObjectId = ObjectId::new(5, 0);
    /// Appearance stream of `name`.
    pub const NAME_AP: ObjectId = ObjectId::new(6, 0);
    /// Empty signature field `approval` (field and widget in one), visible.
    pub const APPROVAL: ObjectId = ObjectId::new(7, 0);
    /// Appearance stream of `approval`.
    pub const APPROVAL_AP: ObjectId = ObjectId::new(8, 0);
    pub const FIELDS: ObjectId = ObjectId::new(9, 0);
    pub const ACROFORM: ObjectId = ObjectId::new(10, 0);
    pub const CATALOG: ObjectId = ObjectId::new(11, 0);
    pub const INFO: ObjectId = ObjectId::new(12, 0);
    /// A form XObject that the page content draws (`/Fm0 Do`).
    pub const LOGO: ObjectId = ObjectId::new(13, 0);
}

/// Options of the base document.
#[derive(Debug, Clone, Copy, Default)]
pub struct BaseOptions {
    /// The empty signature field's appearance is the page's logo XObject (shared): the setting
    /// of the sneaky appearance attack.
    pub shared_approval_appearance: bool,
    /// Write with an xref stream and object streams.
    pub object_streams: bool,
}

/// A one-page document: content drawing text with font F1 and the logo XObject, a text field
/// `name` with an appearance, an empty visible signature field `approval`, `/Info`.
pub fn base_pdf(options: BaseOptions) -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.7");
    let pages = doc.new_object_id();
    let page = doc.new_object_id();
    let content = doc.new_object_id();
    let font = doc.new_object_id();
    let name = doc.new_object_id();
    let name_ap = doc.new_object_id();
    let approval = doc.new_object_id();
    let approval_ap = doc.new_object_id();
    let fields = doc.new_object_id();
    let acroform = doc.new_object_id();
    let catalog = doc.new_object_id();
    let info = doc.new_object_id();
    let logo = doc.new_object_id();
    assert_eq!(logo, (13, 0), "ids are fixed by creation order");
    let rect = |values: [i64; 4]| {
        values
            .iter()
            .map(|v| LObject::Integer(*v))
            .collect::<Vec<_>>()
    };
    let form_xobject = |bbox: [i64; 4], data: &[u8]| {
        LStream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => rect(bbox), "Resources" => dictionary! {} },
            data.to_vec(),
        )
    };
    doc.objects.insert(
        pages,
        LObject::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            "MediaBox" => rect([0, 0, 595, 842]),
        }),
    );
    doc.objects.insert(
        page,
        LObject::Dictionary(dictionary! {
            "Type" => "Page", "Parent" => pages, "Contents" => content,
            "Resources" => dictionary! {
                "Font" => dictionary! { "F1" => font },
                "XObject" => dictionary! { "Fm0" => logo },
            },
            "Annots" => vec![name.into(), approval.into()],
        }),
    );
    doc.objects.insert(
        content,
        LObject::Stream(LStream::new(
            dictionary! {},
            b"BT /F1 12 Tf 72 750 Td (Quyet dinh so 15/QD-VKS) Tj ET q 72 600 100 50 cm /Fm0 Do Q"
                .to_vec(),
        )),
    );
    doc.objects.insert(
        font,
        LObject::Dictionary(
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Times-Roman" },
        ),
    );
    doc.objects.insert(
        name,
        LObject::Dictionary(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "FT" => "Tx",
            "T" => LObject::string_literal("name"), "Rect" => rect([72, 700, 300, 720]),
            "P" => page, "F" => 4, "DA" => LObject::string_literal("/Helv 10 Tf 0 g"),
            "AP" => dictionary! { "N" => name_ap },
        }),
    );
    doc.objects.insert(
        name_ap,
        LObject::Stream(form_xobject([0, 0, 228, 20], b"/Tx BMC EMC")),
    );
    let approval_appearance = if options.shared_approval_appearance {
        logo
    } else {
        approval_ap
    };
    doc.objects.insert(
        approval,
        LObject::Dictionary(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "FT" => "Sig",
            "T" => LObject::string_literal("approval"), "Rect" => rect([300, 100, 500, 160]),
            "P" => page, "F" => 132,
            "AP" => dictionary! { "N" => approval_appearance },
        }),
    );
    doc.objects.insert(
        approval_ap,
        LObject::Stream(form_xobject([0, 0, 200, 60], b"")),
    );
    doc.objects
        .insert(fields, LObject::Array(vec![name.into(), approval.into()]));
    doc.objects.insert(
        acroform,
        LObject::Dictionary(dictionary! {
            "Fields" => fields,
            "DA" => LObject::string_literal("/Helv 0 Tf 0 g"),
        }),
    );
    doc.objects.insert(
        catalog,
        LObject::Dictionary(
            dictionary! { "Type" => "Catalog", "Pages" => pages, "AcroForm" => acroform },
        ),
    );
    doc.objects.insert(
        info,
        LObject::Dictionary(dictionary! { "Producer" => LObject::string_literal("vanthu tests") }),
    );
    doc.objects.insert(
        logo,
        LObject::Stream(form_xobject([0, 0, 100, 50], b"0 0 1 rg 0 0 100 50 re f")),
    );
    doc.trailer.set("Root", catalog);
    doc.trailer.set("Info", info);
    let mut out = Vec::new();
    if options.object_streams {
        let save = lopdf::SaveOptions::builder()
            .use_object_streams(true)
            .use_xref_streams(true)
            .build();
        doc.save_with_options(&mut out, save).unwrap();
    } else {
        doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
        doc.save_to(&mut out).unwrap();
    }
    out
}

/// A placeholder "CMS": the diff analysis never reads it.
const PLACEHOLDER_DER: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x00];

/// How to sign in [`sign`].
#[derive(Debug, Clone, Default)]
pub struct Signing {
    pub certification: Option<DocMdpPermission>,
    pub lock: Option<FieldMdpAction>,
    /// A new field's widget on page 1 at this rectangle (invisible when `None`).
    pub visible: Option<Rect>,
}

/// Signs `field` (an existing empty signature field, or a new one) in a new revision.
pub fn sign(bytes: &[u8], field: &str, signing: Signing) -> Vec<u8> {
    let doc = Document::from_bytes(bytes.to_vec()).unwrap();
    let mut spec = SignatureSpec::new(field);
    spec.certification = signing.certification;
    spec.lock = signing.lock;
    if let Some(rect) = signing.visible {
        spec.placement = Placement::Visible {
            page_index: 0,
            rect,
        };
    }
    spec.contents_capacity = 64;
    let prepared = prepare_signature(&doc, &spec).unwrap();
    prepared.into_signed(PLACEHOLDER_DER).unwrap()
}

/// Applies `edit` to a fresh update of `bytes` and returns the new file.
pub fn update(bytes: &[u8], edit: impl FnOnce(&mut IncrementalUpdate<'_>)) -> Vec<u8> {
    let doc = Document::from_bytes(bytes.to_vec()).unwrap();
    let mut update = IncrementalUpdate::new(&doc).unwrap();
    edit(&mut update);
    update.write().unwrap().bytes
}

/// The dictionary of `id` as the update currently has it.
pub fn dict_of(update: &IncrementalUpdate<'_>, id: ObjectId) -> Dictionary {
    update.current(id).unwrap().as_dict().unwrap().clone()
}

/// A form XObject stream with `data`.
pub fn form_stream(data: &[u8]) -> Stream {
    Stream::new(
        Dictionary::new()
            .with("Type", Object::name("XObject"))
            .with("Subtype", Object::name("Form"))
            .with("BBox", Rect::new(0.0, 0.0, 100.0, 50.0).to_object())
            .with("Resources", Dictionary::new()),
        data.to_vec(),
    )
}

/// Every signature: field name and the revision its `/ByteRange` ends with, read from the
/// newest revision whose form can be read (hostile later revisions may break it).
pub fn signatures(doc: &Document) -> Vec<(String, usize)> {
    let fields = (0..doc.revisions().len())
        .rev()
        .find_map(|index| doc.at(index).ok()?.signature_fields().ok())
        .unwrap_or_default();
    let mut found = Vec::new();
    for field in fields {
        let Some(signature) = field.signature else {
            continue;
        };
        let Ok(Some(range)) = signature.dict.get_array(b"ByteRange") else {
            continue;
        };
        let numbers: Vec<u64> = range
            .iter()
            .filter_map(|value| value.as_integer())
            .filter_map(|value| u64::try_from(value).ok())
            .collect();
        let [_, _, start, length] = numbers.as_slice() else {
            continue;
        };
        if let Some(revision) = doc.revision_ending_at(start + length) {
            found.push((field.field.full_name.clone(), revision.index()));
        }
    }
    found
}

/// The signed revision of signature `field`.
pub fn signed_revision(doc: &Document, field: &str) -> usize {
    signatures(doc)
        .into_iter()
        .find(|(name, _)| name == field)
        .unwrap_or_else(|| panic!("no signature in field {field}"))
        .1
}

/// Analyses the changes after signature `field` with the given certification.
pub fn diff_with(
    bytes: &[u8],
    field: &str,
    certification: Option<DocMdpPermission>,
) -> DiffOutcome {
    let doc = Document::from_bytes(bytes.to_vec()).unwrap();
    let mut input = DiffInput::new(&doc, signed_revision(&doc, field), field);
    input.certification = certification;
    analyse(&input).unwrap()
}

pub fn diff(bytes: &[u8], field: &str) -> DiffOutcome {
    diff_with(bytes, field, None)
}

/// Every change, one per line, for failure messages.
pub fn explain(outcome: &DiffOutcome) -> String {
    let mut text = format!(
        "level {:?}, docmdp_ok {}\n",
        outcome.modification_level, outcome.docmdp_ok
    );
    for change in &outcome.changes {
        text.push_str(&format!(
            "  {} [{:?}] {:?}\n",
            change.summary().1,
            change.level,
            change.problems
        ));
    }
    text
}

/// Asserts the outcome's level and `docmdp_ok`, showing every change when they differ.
#[track_caller]
pub fn assert_outcome(outcome: &DiffOutcome, level: ModificationLevel, docmdp_ok: bool) {
    assert!(
        outcome.modification_level == level && outcome.docmdp_ok == docmdp_ok,
        "expected {level:?} with docmdp_ok {docmdp_ok}, got:\n{}",
        explain(outcome)
    );
}

/// The change of object `id`, in any revision.
#[track_caller]
pub fn change_of(outcome: &DiffOutcome, id: ObjectId) -> &Change {
    outcome
        .changes
        .iter()
        .find(|change| change.target == vanthu::verify::diff::Target::Object(id))
        .unwrap_or_else(|| panic!("no change of {id}:\n{}", explain(outcome)))
}

/// True when some change has a problem matching `predicate`.
pub fn has_problem(outcome: &DiffOutcome, predicate: impl Fn(&Problem) -> bool) -> bool {
    outcome
        .changes
        .iter()
        .any(|change| change.problems.iter().any(&predicate))
}

/// A cross-reference entry of a hand-written revision.
#[derive(Debug, Clone, Copy)]
pub enum RawEntry {
    /// The `index`-th body written by [`raw_revision`], with this generation.
    Written {
        index: usize,
        generation: u16,
    },
    /// An arbitrary offset (for instance a body hidden in an earlier, signed revision).
    At {
        offset: usize,
        generation: u16,
    },
    Free {
        next_generation: u16,
    },
}

/// Appends a hand-written revision to a document whose newest section is an xref table:
/// `bodies` (id and the bytes between `obj` and `endobj`), then an xref table with `entries`,
/// then a trailer with the previous `/Root` and `/Info` (unless `trailer_extra` sets other
/// entries, written after them). Returns the new file and the offset of each body.
pub fn raw_revision(
    bytes: &[u8],
    bodies: &[(ObjectId, &[u8])],
    entries: &[(u32, RawEntry)],
    trailer_extra: &str,
) -> (Vec<u8>, Vec<usize>) {
    let doc = Document::from_bytes(bytes.to_vec()).unwrap();
    let previous = doc.trailer().clone();
    let prev = doc.latest_revision().xref_offset();
    let mut out = bytes.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets = Vec::new();
    for (id, body) in bodies {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} {} obj\n", id.number, id.generation).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f\r\n");
    let mut sorted = entries.to_vec();
    sorted.sort_by_key(|(number, _)| *number);
    for (number, entry) in &sorted {
        let line = match entry {
            RawEntry::Written { index, generation } => {
                format!("{:010} {generation:05} n\r\n", offsets[*index])
            }
            RawEntry::At { offset, generation } => format!("{offset:010} {generation:05} n\r\n"),
            RawEntry::Free { next_generation } => format!("0000000000 {next_generation:05} f\r\n"),
        };
        out.extend_from_slice(format!("{number} 1\n{line}").as_bytes());
    }
    let size = previous
        .get(b"Size")
        .and_then(Object::as_integer)
        .unwrap_or(0)
        .max(
            sorted
                .iter()
                .map(|(n, _)| i64::from(*n) + 1)
                .max()
                .unwrap_or(0),
        );
    let reference = |key: &[u8]| {
        previous
            .get(key)
            .and_then(Object::as_reference)
            .map(|id| {
                format!(
                    "/{} {} {} R ",
                    String::from_utf8_lossy(key),
                    id.number,
                    id.generation
                )
            })
            .unwrap_or_default()
    };
    let root = if trailer_extra.contains("/Root") {
        String::new()
    } else {
        reference(b"Root")
    };
    let info = reference(b"Info");
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} {root}{info}{trailer_extra} /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n")
            .as_bytes(),
    );
    (out, offsets)
}

/// The serialized bytes of a value, for hand-written bodies.
pub fn body(object: &Object) -> Vec<u8> {
    vanthu::pdf::serialize::to_bytes(object)
}
