//! The incremental writer: the input's bytes stay exactly as they were, the new section is of the
//! input's kind, the trailer is chained, and `qpdf --check` accepts every output.

use vanthu::pdf::{Dictionary, Document, IncrementalUpdate, Object, ObjectId, PdfError, XrefKind};

use crate::support::{
    Layout, assert_qpdf_clean, form_pdf, hybrid_pdf, qpdf_transform, read_everything, simple_pdf,
};

/// Adds one object and a new catalog version pointing at it.
fn touch(input: &[u8]) -> (Vec<u8>, ObjectId, ObjectId) {
    let doc = Document::from_bytes(input.to_vec()).unwrap();
    let mut update = IncrementalUpdate::new(&doc).unwrap();
    let root = update.root().unwrap();
    let note = update
        .add(Dictionary::new().with("Note", Object::text("Văn bản đến")))
        .unwrap();
    let mut catalog = update.current(root).unwrap();
    catalog.as_dict_mut().unwrap().insert("VanthuNote", note);
    update.set(root, catalog).unwrap();
    let written = update.write().unwrap();
    assert_eq!(written.input_len, input.len());
    (written.bytes, root, note)
}

fn inputs() -> Vec<(&'static str, Vec<u8>, XrefKind)> {
    let mut inputs = vec![
        ("xref table", simple_pdf(2, Layout::Table), XrefKind::Table),
        (
            "xref stream",
            simple_pdf(2, Layout::Streams),
            XrefKind::Stream,
        ),
        ("form", form_pdf(Layout::Table), XrefKind::Table),
        ("hybrid", hybrid_pdf(), XrefKind::Table),
    ];
    let qpdf_variants: [(&str, &[&str], XrefKind); 3] = [
        (
            "qpdf object streams",
            &["--object-streams=generate"],
            XrefKind::Stream,
        ),
        ("qpdf linearized", &["--linearize"], XrefKind::Table),
        ("qpdf qdf", &["--qdf"], XrefKind::Table),
    ];
    for (what, args, kind) in qpdf_variants {
        if let Some(bytes) = qpdf_transform(&simple_pdf(3, Layout::Table), args) {
            inputs.push((what, bytes, kind));
        }
    }
    inputs
}

#[test]
fn update_keeps_input_bytes_and_writes_a_section_of_the_input_kind() {
    for (what, input, expected_kind) in inputs() {
        let (output, root, note) = touch(&input);
        assert!(output.starts_with(&input), "{what}: input bytes changed");
        let doc = Document::from_bytes(output.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
        let before = Document::from_bytes(input.clone()).unwrap();
        assert_eq!(
            doc.revisions().len(),
            before.revisions().len() + 1,
            "{what}"
        );
        let newest = doc.latest_revision();
        assert_eq!(newest.xref_kind(), expected_kind, "{what}");
        assert_eq!(newest.end_offset(), output.len() as u64, "{what}");
        // The previous revision ends after its %%EOF and EOL, which the writer adds when the
        // input lacks one.
        let eol_added = !input.ends_with(b"\n") && !input.ends_with(b"\r");
        assert_eq!(
            newest.start_offset(),
            input.len() as u64 + u64::from(eol_added),
            "{what}"
        );
        // The new revision defines exactly the new object and the new catalog version (plus its
        // own xref stream).
        let mut defined = newest.defined_ids();
        defined.retain(|id| !newest.xref_stream_ids().contains(id));
        let mut expected = vec![root, note];
        expected.sort();
        assert_eq!(defined, expected, "{what}");
        // The old revision still sees the old catalog.
        let old = doc
            .object_at(root, doc.revisions().len() - 2)
            .unwrap()
            .unwrap();
        assert!(
            !old.object.as_dict().unwrap().contains_key(b"VanthuNote"),
            "{what}"
        );
        let catalog = doc.object(root).unwrap();
        assert_eq!(
            catalog.object.as_dict().unwrap().get(b"VanthuNote"),
            Some(&Object::Reference(note))
        );
        let text = doc.object(note).unwrap();
        assert_eq!(
            text.object
                .as_dict()
                .unwrap()
                .get_string(b"Note")
                .unwrap()
                .unwrap()
                .to_text(),
            "Văn bản đến"
        );
        // Trailer: /Prev chains to the input's section, /Size covers every object, /ID keeps
        // its first element.
        let trailer = doc.trailer();
        assert_eq!(
            trailer.get_integer(b"Prev").unwrap(),
            Some(before.latest_revision().xref_offset() as i64),
            "{what}"
        );
        let size = trailer.get_integer(b"Size").unwrap().unwrap();
        assert!(size > i64::from(note.number), "{what}");
        let ids = trailer.get_array(b"ID").unwrap().unwrap();
        if let Some(Object::Array(old_ids)) = before.trailer().get(b"ID") {
            assert_eq!(
                ids[0].as_string().unwrap().bytes,
                old_ids[0].as_string().unwrap().bytes
            );
            assert_ne!(
                ids[1].as_string().unwrap().bytes,
                old_ids[1].as_string().unwrap().bytes
            );
        }
        assert_eq!(
            doc.latest().page_count().unwrap(),
            before.latest().page_count().unwrap()
        );
        read_everything(&doc).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_qpdf_clean(&output, what);
    }
}

#[test]
fn an_eol_is_added_only_when_the_input_lacks_one() {
    let trimmed = simple_pdf(1, Layout::Table);
    assert!(trimmed.ends_with(b"%%EOF"));
    let mut input = trimmed.clone();
    input.push(b'\n');
    let (with_eol, _, _) = touch(&input);
    assert!(
        with_eol[input.len()].is_ascii_digit(),
        "no extra EOL expected"
    );
    let (output, _, _) = touch(&trimmed);
    assert!(output.starts_with(&trimmed));
    assert_eq!(output[trimmed.len()], b'\n');
    let doc = Document::from_bytes(output.clone()).unwrap();
    assert_eq!(doc.revisions()[0].eof_offset(), trimmed.len() as u64);
    assert_eq!(doc.revisions()[0].end_offset(), trimmed.len() as u64 + 1);
    assert_qpdf_clean(&output, "input without final EOL");
}

#[test]
fn chained_updates_of_both_kinds_stay_clean() {
    for layout in [Layout::Table, Layout::Streams] {
        let mut bytes = simple_pdf(1, layout);
        for _ in 0..3 {
            bytes = touch(&bytes).0;
        }
        let doc = Document::from_bytes(bytes.clone()).unwrap();
        assert_eq!(doc.revisions().len(), 4);
        assert_qpdf_clean(&bytes, "three chained updates");
    }
}

#[test]
fn misuse_is_refused() {
    let doc = Document::from_bytes(simple_pdf(1, Layout::Table)).unwrap();
    let mut update = IncrementalUpdate::new(&doc).unwrap();
    // Never allocated, not in the document.
    let error = update.set(ObjectId::new(500, 0), Object::Null).unwrap_err();
    assert!(matches!(error, PdfError::Update { .. }), "{error}");
    // Existing object with the wrong generation.
    let error = update.set(ObjectId::new(1, 3), Object::Null).unwrap_err();
    assert!(matches!(error, PdfError::Update { .. }), "{error}");
    // Allocated but left empty.
    update.allocate().unwrap();
    let error = update.write().unwrap_err();
    assert!(matches!(error, PdfError::Update { .. }), "{error}");
}

#[test]
fn encrypted_documents_are_refused() {
    let Some(encrypted) = qpdf_transform(
        &simple_pdf(1, Layout::Table),
        &["--encrypt", "user", "owner", "256", "--"],
    ) else {
        return;
    };
    let doc = Document::from_bytes(encrypted).unwrap();
    assert!(doc.is_encrypted());
    assert!(matches!(
        IncrementalUpdate::new(&doc),
        Err(PdfError::Encrypted)
    ));
}

#[test]
fn compressed_streams_round_trip_through_an_update() {
    let doc = Document::from_bytes(simple_pdf(1, Layout::Table)).unwrap();
    let mut update = IncrementalUpdate::new(&doc).unwrap();
    let content = b"q 1 0 0 1 10 10 cm BT /F1 10 Tf (Vi\xe1\xbb\x87n) Tj ET Q".repeat(20);
    let id = update
        .add(vanthu::pdf::Stream::compressed(Dictionary::new(), &content))
        .unwrap();
    let bytes = update.write().unwrap().bytes;
    let doc = Document::from_bytes(bytes.clone()).unwrap();
    let stream = doc.object(id).unwrap();
    let stream = stream.object.as_stream().unwrap();
    assert!(stream.encoded_len() < content.len() as u64);
    assert_eq!(doc.decode_stream(stream).unwrap().data, content);
    assert_qpdf_clean(&bytes, "compressed stream");
}

#[test]
fn entries_are_found_the_same_way_across_many_revisions() {
    // Twenty updates, each writing one new object and rewriting the first one: past sixteen
    // revisions the lookup goes through the per-object index instead of a walk.
    let mut bytes = simple_pdf(1, Layout::Table);
    let mut first = None;
    let mut added = Vec::new();
    for round in 0..20 {
        let doc = Document::from_bytes(bytes.clone()).unwrap();
        let mut update = IncrementalUpdate::new(&doc).unwrap();
        let id = update
            .add(Dictionary::new().with("Round", Object::Integer(round)))
            .unwrap();
        let first_id = *first.get_or_insert(id);
        update
            .set(
                first_id,
                Dictionary::new().with("Round", Object::Integer(round)),
            )
            .unwrap();
        added.push(id);
        bytes = update.write().unwrap().bytes;
    }
    let doc = Document::from_bytes(bytes).unwrap();
    let revisions = doc.revisions().len();
    assert_eq!(revisions, 21);
    let first = first.unwrap();
    for at in 1..revisions {
        assert_eq!(
            doc.entry_at(first.number, at).map(|(found, _)| found),
            Some(at)
        );
        // The object added in round `at - 1` exists from revision `at` on, not before.
        let id = added[at - 1];
        assert_eq!(
            doc.entry_at(id.number, at).map(|(found, _)| found),
            Some(at)
        );
        assert_eq!(doc.entry_at(id.number, at - 1), None);
    }
    assert_eq!(
        doc.revisions_defining(first),
        (1..revisions).collect::<Vec<_>>()
    );
    assert_eq!(
        doc.entry_at(first.number, revisions),
        None,
        "no such revision"
    );
}
