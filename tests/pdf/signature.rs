//! Signature placeholders: the field, widget, AcroForm and signature dictionary of the update,
//! `/ByteRange [0 a b c]` with `a` at `<` and `b` after `>`, embedding, certification, locks,
//! document timestamps, and a real CMS from openssl checked by the peers.

use lopdf::dictionary;
use vanthu::pdf::{
    Dictionary, DocMdpPermission, Document, FieldMdpAction, IncrementalUpdate, Object, ObjectId,
    PdfError, Placement, PreparedSignature, Rect, SIGNATURE_WIDGET_FLAGS, SignatureReference,
    SignatureSpec, Stream, prepare_document_timestamp, prepare_signature, prepare_signature_in,
};

use crate::support::{Layout, assert_qpdf_clean, form_pdf, hybrid_pdf, qpdf_transform, simple_pdf};

/// Reads the `/ByteRange` of the signature dictionary `id` as written.
fn byte_range_of(doc: &Document, id: ObjectId) -> [u64; 4] {
    let signature = doc.object(id).unwrap();
    let values: Vec<u64> = signature
        .dict()
        .unwrap()
        .get_array(b"ByteRange")
        .unwrap()
        .unwrap()
        .iter()
        .map(|value| value.as_integer().unwrap() as u64)
        .collect();
    values.try_into().unwrap()
}

/// Checks everything a verifier will check about the geometry of the newest signature in
/// `field`, and returns the signature dictionary's id.
fn assert_geometry(bytes: &[u8], prepared: &PreparedSignature, field: &str) -> ObjectId {
    let [zero, a, b, c] = prepared.byte_range();
    assert_eq!(zero, 0);
    assert_eq!(bytes[a as usize], b'<');
    assert_eq!(bytes[b as usize - 1], b'>');
    assert_eq!(b + c, bytes.len() as u64);
    let doc = Document::from_bytes(bytes.to_vec()).unwrap();
    let signatures = doc.latest().signature_fields().unwrap();
    let signed = signatures
        .iter()
        .find(|candidate| candidate.field.full_name == field)
        .unwrap_or_else(|| panic!("no field {field}"));
    let id = signed.signature.as_ref().unwrap().id.unwrap();
    // The dictionary says the same byte range, and its /Contents token is the gap.
    assert_eq!(byte_range_of(&doc, id), prepared.byte_range());
    let object = doc.object(id).unwrap();
    let contents = object.entry_span(b"Contents").unwrap().value_span.clone();
    assert_eq!(contents, a..b);
    // The signed revision ends exactly where the byte range ends.
    assert!(doc.revision_ending_at(b + c).is_some());
    id
}

fn inputs() -> Vec<(&'static str, Vec<u8>)> {
    let mut inputs = vec![
        ("xref table", simple_pdf(2, Layout::Table)),
        ("xref stream", simple_pdf(2, Layout::Streams)),
        ("form", form_pdf(Layout::Streams)),
        ("hybrid", hybrid_pdf()),
    ];
    if let Some(linearized) = qpdf_transform(&simple_pdf(3, Layout::Table), &["--linearize"]) {
        inputs.push(("linearized", linearized));
    }
    inputs
}

#[test]
fn invisible_signature_on_every_kind_of_input() {
    for (what, input) in inputs() {
        let doc = Document::from_bytes(input.clone()).unwrap();
        let prepared = prepare_signature(&doc, &SignatureSpec::new("Signature1"))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let bytes = prepared.bytes().to_vec();
        assert!(bytes.starts_with(&input), "{what}");
        let signature_id = assert_geometry(&bytes, &prepared, "Signature1");
        let doc = Document::from_bytes(bytes.clone()).unwrap();
        let view = doc.latest();
        let signature = doc.object(signature_id).unwrap();
        let dict = signature.dict().unwrap();
        assert!(dict.has_type("Sig"));
        assert!(
            dict.get(b"SubFilter")
                .unwrap()
                .is_name("ETSI.CAdES.detached")
        );
        let field = view.find_field("Signature1").unwrap().unwrap();
        let widget = &field.widgets[0];
        assert_eq!(widget.flags, SIGNATURE_WIDGET_FLAGS);
        assert_eq!(widget.rect, Some(Rect::default()));
        let first_page = view.page(0).unwrap();
        assert_eq!(widget.page, Some(first_page.id));
        let annots = view.array_at(&first_page.dict, b"Annots").unwrap().unwrap();
        assert!(annots.contains(&Object::Reference(widget.id)), "{what}");
        let acroform = view.acroform().unwrap().unwrap();
        assert_eq!(view.integer_at(&acroform, b"SigFlags").unwrap(), Some(3));
        // The invisible widget still has an (empty) appearance.
        let ap = view.dict_at(&field.dict, b"AP").unwrap().unwrap();
        let normal = view.resolve(ap.get(b"N").unwrap()).unwrap();
        assert!(normal.as_stream().is_some(), "{what}");
        // Existing fields survive the merge.
        let before = Document::from_bytes(input.clone()).unwrap();
        assert_eq!(
            view.fields().unwrap().len(),
            before.latest().fields().unwrap().len() + 1,
            "{what}"
        );
        assert_qpdf_clean(&bytes, what);
        let signed = prepared.embed(&[0x30, 0x03, 0x02, 0x01, 0x01]).unwrap();
        assert_qpdf_clean(&signed, what);
    }
}

#[test]
fn visible_signature_on_a_later_page_with_caller_appearance() {
    let input = simple_pdf(3, Layout::Table);
    let doc = Document::from_bytes(input).unwrap();
    let mut update = IncrementalUpdate::new(&doc).unwrap();
    let form = Dictionary::new()
        .with("Type", Object::name("XObject"))
        .with("Subtype", Object::name("Form"))
        .with("BBox", Rect::new(0.0, 0.0, 200.0, 60.0).to_object())
        .with("Resources", Dictionary::new());
    let appearance = update
        .add(Stream::new(form, b"0 0 1 rg 0 0 200 60 re f".to_vec()))
        .unwrap();
    let mut spec = SignatureSpec::new("Lanh dao");
    spec.placement = Placement::Visible {
        page_index: 1,
        rect: Rect::new(300.0, 100.0, 500.0, 160.0),
    };
    spec.appearance = Some(appearance);
    spec.reason = Some("Phê duyệt văn bản".to_string());
    spec.signing_time = Some(time::macros::datetime!(2024-03-09 10:08:00 +07:00));
    let prepared = prepare_signature_in(update, &spec).unwrap();
    let bytes = prepared.bytes().to_vec();
    let id = assert_geometry(&bytes, &prepared, "Lanh dao");
    let doc = Document::from_bytes(bytes.clone()).unwrap();
    let view = doc.latest();
    let field = view.find_field("Lanh dao").unwrap().unwrap();
    assert_eq!(field.widgets[0].page, Some(view.page(1).unwrap().id));
    assert_eq!(
        field.widgets[0].rect,
        Some(Rect::new(300.0, 100.0, 500.0, 160.0))
    );
    let ap = view.dict_at(&field.dict, b"AP").unwrap().unwrap();
    assert_eq!(ap.get(b"N"), Some(&Object::Reference(appearance)));
    let signature = doc.object(id).unwrap();
    let dict = signature.dict().unwrap();
    assert_eq!(
        dict.get_string(b"M").unwrap().unwrap().bytes,
        b"D:20240309100800+07'00'"
    );
    assert_eq!(
        dict.get_string(b"Reason").unwrap().unwrap().to_text(),
        "Phê duyệt văn bản"
    );
    assert_qpdf_clean(&bytes, "visible signature");
}

#[test]
fn page_out_of_range_and_bad_names_are_refused() {
    let doc = Document::from_bytes(simple_pdf(1, Layout::Table)).unwrap();
    let mut spec = SignatureSpec::new("Sig");
    spec.placement = Placement::Visible {
        page_index: 5,
        rect: Rect::new(0.0, 0.0, 10.0, 10.0),
    };
    assert!(matches!(
        prepare_signature(&doc, &spec),
        Err(PdfError::SignatureField { .. })
    ));
    assert!(matches!(
        prepare_signature(&doc, &SignatureSpec::new("a.b")),
        Err(PdfError::SignatureField { .. })
    ));
    assert!(matches!(
        prepare_signature(&doc, &SignatureSpec::new("")),
        Err(PdfError::SignatureField { .. })
    ));
}

#[test]
fn existing_empty_signature_field_is_filled_and_other_fields_are_refused() {
    let input = form_pdf(Layout::Table);
    let doc = Document::from_bytes(input.clone()).unwrap();
    let before = doc.latest().find_field("approval").unwrap().unwrap();
    let prepared = prepare_signature(&doc, &SignatureSpec::new("approval")).unwrap();
    let bytes = prepared.bytes().to_vec();
    assert_geometry(&bytes, &prepared, "approval");
    let signed = Document::from_bytes(bytes.clone()).unwrap();
    let view = signed.latest();
    // Same field object, no new field, the widget keeps its rectangle.
    assert_eq!(view.fields().unwrap().len(), 5);
    let after = view.find_field("approval").unwrap().unwrap();
    assert_eq!(after.id, before.id);
    assert_eq!(after.widgets[0].rect, before.widgets[0].rect);
    assert_qpdf_clean(&bytes, "existing field");

    // A text field, and the now signed field, cannot take a signature.
    assert!(matches!(
        prepare_signature(&doc, &SignatureSpec::new("date")),
        Err(PdfError::SignatureField { .. })
    ));
    let error = prepare_signature(&signed, &SignatureSpec::new("approval")).unwrap_err();
    assert!(error.to_string().contains("already signed"), "{error}");
}

#[test]
fn byte_range_and_contents_are_exact_and_embedding_is_bounded() {
    let doc = Document::from_bytes(simple_pdf(1, Layout::Table)).unwrap();
    let mut spec = SignatureSpec::new("Signature1");
    spec.contents_capacity = 100;
    let prepared = prepare_signature(&doc, &spec).unwrap();
    assert_eq!(prepared.capacity(), 100);
    assert_eq!(prepared.contents_span().len(), 202);
    // The covered bytes are everything except the <hex> token.
    let mut covered = Vec::new();
    prepared.digest_with(|chunk| covered.extend_from_slice(chunk));
    let span = prepared.contents_span();
    let mut expected = prepared.bytes()[..span.start].to_vec();
    expected.extend_from_slice(&prepared.bytes()[span.end..]);
    assert_eq!(covered, expected);

    let error = prepared.embed(&[0xAB; 101]).unwrap_err();
    assert!(matches!(
        error,
        PdfError::SignatureTooLarge {
            needed: 101,
            capacity: 100
        }
    ));
    let signed = prepared.embed(&[0xAB; 100]).unwrap();
    assert_eq!(signed.len(), prepared.bytes().len());
    let small = prepared.embed(&[0x30, 0x00]).unwrap();
    // Only the token changed, the covered bytes are identical.
    let [head, tail] = prepared.covered_ranges();
    assert_eq!(small[head.clone()], prepared.bytes()[head]);
    assert_eq!(small[tail.clone()], prepared.bytes()[tail]);
    assert!(small[span.start..].starts_with(b"<3000000"));
    let reread = Document::from_bytes(small).unwrap();
    let field = &reread.latest().signature_fields().unwrap()[0];
    let contents = field
        .signature
        .as_ref()
        .unwrap()
        .dict
        .get_string(b"Contents")
        .unwrap()
        .unwrap();
    assert_eq!(&contents.bytes[..2], &[0x30, 0x00]);
    assert_eq!(contents.bytes.len(), 100);
}

#[test]
fn prepared_signature_survives_storage_for_deferred_signing() {
    let doc = Document::from_bytes(simple_pdf(1, Layout::Streams)).unwrap();
    let prepared = prepare_signature(&doc, &SignatureSpec::new("Signature1")).unwrap();
    let restored =
        PreparedSignature::from_parts(prepared.bytes().to_vec(), prepared.byte_range()).unwrap();
    assert_eq!(restored, prepared);
    let mut tampered = prepared.bytes().to_vec();
    tampered[prepared.contents_span().start + 1] = b'A';
    assert!(PreparedSignature::from_parts(tampered, prepared.byte_range()).is_err());
    let [z, a, b, c] = prepared.byte_range();
    assert!(PreparedSignature::from_parts(prepared.bytes().to_vec(), [z, a + 1, b, c]).is_err());
    assert!(PreparedSignature::from_parts(prepared.bytes().to_vec(), [z, a, b, c + 1]).is_err());
}

#[test]
fn second_signature_leaves_the_first_signed_revision_intact() {
    let input = simple_pdf(1, Layout::Table);
    let doc = Document::from_bytes(input).unwrap();
    let first = prepare_signature(&doc, &SignatureSpec::new("Person")).unwrap();
    let first_signed = first.embed(&[0x30, 0x01, 0x00]).unwrap();
    let doc = Document::from_bytes(first_signed.clone()).unwrap();
    let second = prepare_signature(&doc, &SignatureSpec::new("Agency")).unwrap();
    let bytes = second.bytes().to_vec();
    assert!(bytes.starts_with(&first_signed));
    assert_geometry(&bytes, &second, "Agency");
    let doc = Document::from_bytes(bytes.clone()).unwrap();
    let signatures = doc.latest().signature_fields().unwrap();
    assert_eq!(signatures.len(), 2);
    let person = signatures[0].signature.as_ref().unwrap().id.unwrap();
    let [_, a, b, c] = byte_range_of(&doc, person);
    assert_eq!(b + c, first_signed.len() as u64);
    assert_eq!(first.byte_range(), [0, a, b, c]);
    assert_qpdf_clean(&bytes, "two signatures");
}

#[test]
fn certification_adds_docmdp_and_p1_refuses_later_signatures() {
    let doc = Document::from_bytes(simple_pdf(1, Layout::Table)).unwrap();
    let mut spec = SignatureSpec::new("Certifier");
    spec.certification = Some(DocMdpPermission::NoChanges);
    let prepared = prepare_signature(&doc, &spec).unwrap();
    let signed = prepared.embed(&[0x30, 0x00]).unwrap();
    let doc = Document::from_bytes(signed.clone()).unwrap();
    let view = doc.latest();
    let certification = view.certification().unwrap().unwrap();
    assert_eq!(certification.permission, DocMdpPermission::NoChanges);
    let signature = doc.object(certification.signature).unwrap();
    let references = view
        .signature_references(signature.dict().unwrap())
        .unwrap();
    assert_eq!(
        references,
        vec![SignatureReference::DocMdp {
            permission: DocMdpPermission::NoChanges
        }]
    );
    assert_qpdf_clean(&signed, "certified");
    // P1: no approval signature, but a document timestamp is still allowed.
    assert!(matches!(
        prepare_signature(&doc, &SignatureSpec::new("Later")),
        Err(PdfError::CertifiedNoChanges)
    ));
    let timestamp = prepare_document_timestamp(&doc, "Timestamp1").unwrap();
    assert_qpdf_clean(timestamp.bytes(), "timestamp after P1");
}

#[test]
fn only_the_first_signature_may_certify() {
    let doc = Document::from_bytes(simple_pdf(1, Layout::Table)).unwrap();
    let first = prepare_signature(&doc, &SignatureSpec::new("Person")).unwrap();
    let doc = Document::from_bytes(first.embed(&[0x30, 0x00]).unwrap()).unwrap();
    let mut spec = SignatureSpec::new("Certifier");
    spec.certification = Some(DocMdpPermission::FormFilling);
    assert!(matches!(
        prepare_signature(&doc, &spec),
        Err(PdfError::SignatureField { .. })
    ));
}

#[test]
fn field_lock_writes_lock_and_fieldmdp_reference() {
    let doc = Document::from_bytes(form_pdf(Layout::Table)).unwrap();
    let mut spec = SignatureSpec::new("Agency");
    spec.lock = Some(FieldMdpAction::Include(vec!["person.name".to_string()]));
    spec.certification = Some(DocMdpPermission::FormFilling);
    let prepared = prepare_signature(&doc, &spec).unwrap();
    let doc = Document::from_bytes(prepared.bytes().to_vec()).unwrap();
    let view = doc.latest();
    let field = view.find_field("Agency").unwrap().unwrap();
    assert_eq!(field.lock, spec.lock);
    let signature = view.signature_fields().unwrap();
    let signature = signature
        .iter()
        .find(|candidate| candidate.field.full_name == "Agency")
        .unwrap();
    let references = view
        .signature_references(&signature.signature.as_ref().unwrap().dict)
        .unwrap();
    let (root, _) = view.catalog().unwrap();
    assert_eq!(
        references,
        vec![
            SignatureReference::DocMdp {
                permission: DocMdpPermission::FormFilling
            },
            SignatureReference::FieldMdp {
                action: FieldMdpAction::Include(vec!["person.name".to_string()]),
                data: Some(root),
            }
        ]
    );
    assert_qpdf_clean(prepared.bytes(), "locked field");
}

#[test]
fn document_timestamp_dictionary() {
    let doc = Document::from_bytes(simple_pdf(1, Layout::Streams)).unwrap();
    let prepared = prepare_document_timestamp(&doc, "Timestamp1").unwrap();
    let bytes = prepared.bytes().to_vec();
    let id = assert_geometry(&bytes, &prepared, "Timestamp1");
    let doc = Document::from_bytes(bytes.clone()).unwrap();
    let dict = doc.object(id).unwrap().dict().unwrap().clone();
    assert!(dict.has_type("DocTimeStamp"));
    assert!(dict.get(b"SubFilter").unwrap().is_name("ETSI.RFC3161"));
    assert!(!dict.contains_key(b"M"));
    assert_qpdf_clean(&bytes, "document timestamp");
}

/// A page whose `/Annots` is an indirect array and a catalog whose `/AcroForm` is direct with a
/// direct `/Fields` array holding a text field.
fn direct_acroform_indirect_annots() -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let page_id = doc.new_object_id();
    let text_field = doc.add_object(dictionary! {
        "Type" => "Annot", "Subtype" => "Widget", "FT" => "Tx",
        "T" => lopdf::Object::string_literal("note"),
        "Rect" => vec![10.into(), 10.into(), 100.into(), 30.into()],
        "P" => page_id,
    });
    let annots = doc.add_object(lopdf::Object::Array(vec![text_field.into()]));
    doc.objects.insert(
        page_id,
        lopdf::Object::Dictionary(dictionary! {
            "Type" => "Page", "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 300.into(), 300.into()],
            "Annots" => annots,
        }),
    );
    doc.objects.insert(
        pages_id,
        lopdf::Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! {
        "Type" => "Catalog", "Pages" => pages_id,
        "AcroForm" => dictionary! { "Fields" => vec![text_field.into()], "SigFlags" => 0 },
    });
    doc.trailer.set("Root", catalog);
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn direct_acroform_and_indirect_annots_are_merged() {
    let input = direct_acroform_indirect_annots();
    let doc = Document::from_bytes(input.clone()).unwrap();
    let page = doc.latest().page(0).unwrap();
    let annots_id = page.dict.get_reference(b"Annots").unwrap().unwrap();
    let prepared = prepare_signature(&doc, &SignatureSpec::new("Signature1")).unwrap();
    let bytes = prepared.bytes().to_vec();
    assert_geometry(&bytes, &prepared, "Signature1");
    let signed = Document::from_bytes(bytes.clone()).unwrap();
    let view = signed.latest();
    // The indirect /Annots array got a new version; the page itself is unchanged.
    let newest = signed.latest_revision();
    assert!(newest.defined_ids().contains(&annots_id));
    assert!(!newest.defined_ids().contains(&page.id));
    let annots = view.object(annots_id).unwrap();
    assert_eq!(annots.object.as_array().unwrap().len(), 2);
    let names: Vec<String> = view
        .fields()
        .unwrap()
        .into_iter()
        .map(|f| f.full_name)
        .collect();
    assert_eq!(names, ["note", "Signature1"]);
    let acroform = view.acroform().unwrap().unwrap();
    assert_eq!(acroform.get(b"SigFlags"), Some(&Object::Integer(3)));
    assert_qpdf_clean(&bytes, "direct AcroForm");
}

#[test]
fn visible_signature_deep_in_a_two_hundred_page_document() {
    let doc = Document::from_bytes(simple_pdf(200, Layout::Streams)).unwrap();
    let mut spec = SignatureSpec::new("Signature1");
    spec.placement = Placement::Visible {
        page_index: 149,
        rect: Rect::new(400.0, 40.0, 560.0, 100.0),
    };
    let prepared = prepare_signature(&doc, &spec).unwrap();
    let bytes = prepared.bytes().to_vec();
    assert_geometry(&bytes, &prepared, "Signature1");
    let signed = Document::from_bytes(bytes.clone()).unwrap();
    let view = signed.latest();
    let field = view.find_field("Signature1").unwrap().unwrap();
    assert_eq!(field.widgets[0].page, Some(view.page(149).unwrap().id));
    // Only the page that received the widget changed, besides the new objects and the catalog.
    let changed_pages: Vec<ObjectId> = view
        .page_ids()
        .unwrap()
        .into_iter()
        .filter(|page| signed.latest_revision().defined_ids().contains(page))
        .collect();
    assert_eq!(changed_pages, vec![view.page(149).unwrap().id]);
    assert_qpdf_clean(&bytes, "200 pages");
}
