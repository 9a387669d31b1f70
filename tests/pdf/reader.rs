//! Reading generated inputs: xref tables and streams, object streams, hybrid and linearized
//! files, qpdf's QDF form (indirect stream lengths), a 200-page document, a form, revisions.

use vanthu::pdf::{Document, IncrementalUpdate, Object, ObjectLocation, Rect, XrefEntry, XrefKind};

use crate::support::{
    Layout, form_pdf, hybrid_pdf, id, qpdf_transform, read_everything, simple_pdf,
};

fn page_text(doc: &Document, index: usize) -> String {
    let view = doc.latest();
    let page = view.page(index).unwrap();
    let contents = view.resolve(page.dict.get(b"Contents").unwrap()).unwrap();
    let stream = contents.as_stream().unwrap();
    String::from_utf8(view.decode_stream(stream).unwrap().data).unwrap()
}

#[test]
fn xref_table_file_with_inherited_page_attributes() {
    let bytes = simple_pdf(3, Layout::Table);
    let doc = Document::from_bytes(bytes.clone()).unwrap();
    assert_eq!(doc.revisions().len(), 1);
    let revision = &doc.revisions()[0];
    assert_eq!(revision.xref_kind(), XrefKind::Table);
    assert_eq!(revision.end_offset(), bytes.len() as u64);
    assert_eq!(doc.trailing_bytes(), 0);
    let pages = doc.latest().pages().unwrap();
    assert_eq!(pages.len(), 3);
    for page in &pages {
        assert_eq!(page.media_box, Some(Rect::new(0.0, 0.0, 595.0, 842.0)));
        let resources = doc.resolve(page.resources.as_ref().unwrap()).unwrap();
        assert!(resources.as_dict().unwrap().contains_key(b"Font"));
        assert_eq!(page.rotate, 0);
    }
    assert!(page_text(&doc, 2).contains("(Page 3)"));
    assert!(!doc.is_encrypted());
}

#[test]
fn xref_stream_file_with_object_streams() {
    let doc = Document::from_bytes(simple_pdf(2, Layout::Streams)).unwrap();
    let revision = doc.latest_revision();
    assert_eq!(revision.xref_kind(), XrefKind::Stream);
    let compressed = revision
        .entries()
        .into_iter()
        .filter(|(_, entry)| matches!(entry, XrefEntry::Compressed { .. }))
        .count();
    assert!(compressed > 0, "lopdf should have used object streams");
    let (root, _) = doc.latest().catalog().unwrap();
    assert!(matches!(
        doc.object(root).unwrap().location,
        ObjectLocation::ObjectStream { .. }
    ));
    assert_eq!(doc.latest().page_count().unwrap(), 2);
    assert!(page_text(&doc, 1).contains("(Page 2)"));
    read_everything(&doc).unwrap();
}

#[test]
fn qpdf_object_streams_linearized_and_qdf_files_read() {
    let input = simple_pdf(5, Layout::Table);
    let variants: [(&str, &[&str]); 4] = [
        ("object streams", &["--object-streams=generate"]),
        ("linearized", &["--linearize"]),
        (
            "linearized with object streams",
            &["--linearize", "--object-streams=generate"],
        ),
        ("qdf", &["--qdf"]),
    ];
    for (what, args) in variants {
        let Some(bytes) = qpdf_transform(&input, args) else {
            return;
        };
        let doc = Document::from_bytes(bytes.clone()).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(doc.revisions().len(), 1, "{what}");
        assert_eq!(
            doc.latest_revision().end_offset(),
            bytes.len() as u64,
            "{what}"
        );
        assert_eq!(doc.latest().page_count().unwrap(), 5, "{what}");
        assert!(page_text(&doc, 4).contains("(Page 5)"), "{what}");
        read_everything(&doc).unwrap_or_else(|e| panic!("{what}: {e}"));
        if what.starts_with("linearized") {
            let revision = doc.latest_revision();
            assert!(revision.is_linearized(), "{what}");
            assert_eq!(revision.sections().len(), 2, "{what}");
        }
    }
}

#[test]
fn qdf_stream_lengths_are_indirect_objects() {
    let Some(bytes) = qpdf_transform(&simple_pdf(1, Layout::Table), &["--qdf"]) else {
        return;
    };
    let doc = Document::from_bytes(bytes).unwrap();
    let page = doc.latest().page(0).unwrap();
    let contents = doc
        .object(page.dict.get_reference(b"Contents").unwrap().unwrap())
        .unwrap();
    let stream = contents.object.as_stream().unwrap();
    assert!(matches!(
        stream.dict.get(b"Length"),
        Some(Object::Reference(_))
    ));
    assert!(!doc.decode_stream(stream).unwrap().data.is_empty());
}

#[test]
fn hybrid_file_reads_objects_from_its_xref_stream() {
    let doc = Document::from_bytes(hybrid_pdf()).unwrap();
    let revision = doc.latest_revision();
    assert_eq!(revision.xref_kind(), XrefKind::Hybrid);
    assert_eq!(
        revision.entry(4),
        Some(XrefEntry::Compressed {
            stream: 5,
            index: 0
        })
    );
    let names = doc.object(id(4)).unwrap();
    assert!(names.object.as_dict().unwrap().contains_key(b"Dests"));
    assert_eq!(doc.latest().page_count().unwrap(), 1);
    read_everything(&doc).unwrap();
}

#[test]
fn two_hundred_pages_in_order() {
    let doc = Document::from_bytes(simple_pdf(200, Layout::Table)).unwrap();
    let view = doc.latest();
    let pages = view.pages().unwrap();
    assert_eq!(pages.len(), 200);
    assert!(
        pages
            .iter()
            .enumerate()
            .all(|(index, page)| page.index == index)
    );
    assert!(page_text(&doc, 0).contains("(Page 1)"));
    assert!(page_text(&doc, 199).contains("(Page 200)"));
    assert_eq!(view.page_ids().unwrap().len(), 200);
    assert!(view.page(200).is_err());
}

#[test]
fn form_fields_have_full_names_inherited_types_and_widgets() {
    for layout in [Layout::Table, Layout::Streams] {
        let doc = Document::from_bytes(form_pdf(layout)).unwrap();
        let view = doc.latest();
        let fields = view.fields().unwrap();
        let names: Vec<(&str, bool)> = fields
            .iter()
            .map(|field| (field.full_name.as_str(), field.terminal))
            .collect();
        assert_eq!(
            names,
            [
                ("person", false),
                ("person.name", true),
                ("person.title", true),
                ("date", true),
                ("approval", true),
            ]
        );
        let name = view.find_field("person.name").unwrap().unwrap();
        assert_eq!(name.field_type.as_ref().unwrap().as_bytes(), b"Tx");
        assert_eq!(name.value.as_string().unwrap().to_text(), "Nguyen Van A");
        let page = view.page(0).unwrap();
        assert_eq!(name.widgets.len(), 1);
        assert_eq!(name.widgets[0].page, Some(page.id));
        assert_eq!(
            name.widgets[0].rect,
            Some(Rect::new(72.0, 700.0, 300.0, 720.0))
        );
        let signatures = view.signature_fields().unwrap();
        assert_eq!(signatures.len(), 1);
        assert_eq!(signatures[0].field.full_name, "approval");
        assert!(signatures[0].signature.is_none());
        assert!(view.certification().unwrap().is_none());
    }
}

#[test]
fn every_revision_keeps_its_own_object_versions() {
    let mut bytes = simple_pdf(1, Layout::Table);
    let original = Document::from_bytes(bytes.clone()).unwrap();
    let (root, _) = original.latest().catalog().unwrap();
    for version in 1..=3i64 {
        let doc = Document::from_bytes(bytes.clone()).unwrap();
        let mut update = IncrementalUpdate::new(&doc).unwrap();
        let mut catalog = update.current(root).unwrap();
        catalog
            .as_dict_mut()
            .unwrap()
            .insert("Version", Object::Integer(version));
        update.set(root, catalog).unwrap();
        bytes = update.write().unwrap().bytes;
    }
    let doc = Document::from_bytes(bytes).unwrap();
    assert_eq!(doc.revisions().len(), 4);
    for revision in 0..4 {
        let catalog = doc.object_at(root, revision).unwrap().unwrap();
        let version = catalog.object.as_dict().unwrap().get(b"Version").cloned();
        let expected = (revision > 0).then_some(Object::Integer(revision as i64));
        assert_eq!(version, expected, "revision {revision}");
        assert!(doc.revisions()[revision].defined_ids().contains(&root));
    }
    assert_eq!(doc.revisions_defining(root), vec![0, 1, 2, 3]);
    for pair in doc.revisions().windows(2) {
        assert_eq!(pair[1].start_offset(), pair[0].end_offset());
        assert!(pair[1].xref_offset() > pair[0].end_offset());
    }
    // Objects not touched by the updates are still read from the original revision.
    let pages = doc.latest().page_tree_root().unwrap();
    assert_eq!(doc.revisions_defining(pages), vec![0]);
    assert_eq!(doc.latest().defining_revision(pages), Some(0));
}

#[test]
fn files_are_read_through_windows_not_loaded_whole() {
    let bytes = simple_pdf(200, Layout::Table);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let doc = Document::open(&path).unwrap();
    assert_eq!(doc.len(), bytes.len() as u64);
    assert_eq!(doc.latest().page_count().unwrap(), 200);
    let mut hashed = 0usize;
    doc.for_each_chunk(0..doc.len(), |chunk| hashed += chunk.len())
        .unwrap();
    assert_eq!(hashed, bytes.len());
    assert_eq!(doc.read_range(0..8).unwrap(), b"%PDF-1.7");
}

/// A source that counts the bytes read from it and does not offer its slice.
struct CountingSource {
    bytes: Vec<u8>,
    read: std::sync::atomic::AtomicU64,
}

impl vanthu::pdf::Source for CountingSource {
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        self.read
            .fetch_add(buf.len() as u64, std::sync::atomic::Ordering::Relaxed);
        vanthu::pdf::MemorySource(&self.bytes[..]).read_exact_at(offset, buf)
    }
}

#[test]
fn opening_a_large_file_reads_only_what_it_needs() {
    // 3 pages and a 24 MB image stream that nobody asks for.
    let mut doc = lopdf::Document::load_mem(&simple_pdf(3, Layout::Table)).unwrap();
    let image = lopdf::Stream::new(
        lopdf::dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 4096, "Height" => 2048,
        "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8 },
        vec![0x5A; 4096 * 2048 * 3],
    );
    doc.add_object(image);
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    assert!(bytes.len() > 24_000_000);
    let source = std::sync::Arc::new(CountingSource {
        bytes,
        read: Default::default(),
    });
    let doc = Document::from_source(source.clone(), vanthu::pdf::Limits::default()).unwrap();
    let view = doc.latest();
    assert_eq!(view.page_count().unwrap(), 3);
    view.fields().unwrap();
    read_everything_but_streams(&doc);
    let read = source.read.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!("read {read} of {} bytes", doc.len());
    assert!(read < 256 * 1024, "read {read} bytes of {}", doc.len());
}

fn read_everything_but_streams(doc: &Document) {
    for id in doc.latest_revision().defined_ids() {
        doc.object(id).unwrap();
    }
}

#[test]
fn documents_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Document>();
    assert_send_sync::<vanthu::pdf::PreparedSignature>();
    let doc = std::sync::Arc::new(Document::from_bytes(simple_pdf(20, Layout::Streams)).unwrap());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let doc = doc.clone();
            std::thread::spawn(move || doc.latest().page_count().unwrap())
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap(), 20);
    }
}
