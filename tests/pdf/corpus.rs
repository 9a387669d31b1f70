//! Every third-party PDF in `../shared/corpus` opens and every object in it reads, except the two
//! files that are broken on purpose or by their producer, which fail with errors naming the
//! problem.

use vanthu::pdf::{DocMdpPermission, Document, FieldMdpAction, ObjectId, PdfError};

use crate::common;
use crate::support::read_everything;

fn corpus_files() -> Option<Vec<std::path::PathBuf>> {
    let dir = common::require("../shared/corpus", common::corpus_dir())?;
    let mut files: Vec<_> = ["dss", "pyhanko"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(dir.join(sub)).unwrap())
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pdf"))
        .collect();
    files.sort();
    Some(files)
}

#[test]
fn corpus_files_open_and_every_object_reads() {
    let Some(files) = corpus_files() else {
        return;
    };
    assert!(files.len() >= 30, "corpus looks incomplete: {files:?}");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let opened = Document::open(&path);
        match name.as_str() {
            // Ten bytes were cut out: startxref now points into the middle of the xref table.
            "pdf-signed-corrupted.pdf" => {
                let error = opened.unwrap_err();
                assert!(
                    matches!(error, PdfError::XrefNotFound { offset: 150689, .. }),
                    "{name}: {error}"
                );
            }
            // The update after signing writes a bounding box as `-1.#INF`, which is not a number.
            "modified_after_signature.pdf" => {
                let doc = opened.unwrap();
                assert_eq!(doc.revisions().len(), 4);
                let error = read_everything(&doc).unwrap_err();
                assert!(
                    matches!(&error, PdfError::InObject { id, .. } if *id == ObjectId::new(422, 0)),
                    "{name}: {error}"
                );
                assert!(doc.object_at(ObjectId::new(422, 0), 2).unwrap().is_none());
            }
            _ => {
                let doc = opened.unwrap_or_else(|error| panic!("{name}: {error}"));
                let read = read_everything(&doc).unwrap_or_else(|error| panic!("{name}: {error}"));
                assert!(read > 0, "{name}");
                doc.latest()
                    .catalog()
                    .unwrap_or_else(|error| panic!("{name}: {error}"));
                for revision in doc.revisions() {
                    assert!(revision.eof_offset() <= revision.end_offset());
                    assert!(revision.end_offset() <= doc.len(), "{name}");
                }
            }
        }
    }
}

#[test]
fn word_hybrid_file_keeps_its_revisions_apart() {
    let Some(dir) = common::require("../shared/corpus", common::corpus_dir()) else {
        return;
    };
    let doc = Document::open(dir.join("dss/PAdES-LT.pdf")).unwrap();
    let offsets: Vec<u64> = doc.revisions().iter().map(|r| r.xref_offset()).collect();
    assert_eq!(
        offsets,
        [91198, 91814, 161762, 205949, 226424, 239007, 313668, 319706]
    );
    // Revision 1 is Word's hybrid section whose /XRefStm points back into revision 0's bytes.
    let hybrid = &doc.revisions()[1];
    assert_eq!(hybrid.xref_kind(), vanthu::pdf::XrefKind::Hybrid);
    assert_eq!(hybrid.sections()[0].hybrid_stream_offset, Some(90909));
    assert_eq!(doc.latest_revision().end_offset(), doc.len());
}

#[test]
fn linearized_adobe_file_has_one_original_revision() {
    let Some(dir) = common::require("../shared/corpus", common::corpus_dir()) else {
        return;
    };
    let doc = Document::open(dir.join("dss/pdf-byterange-overlap.pdf")).unwrap();
    let revisions = doc.revisions();
    assert_eq!(revisions.len(), 3);
    assert!(revisions[0].is_linearized());
    assert_eq!(revisions[0].sections().len(), 2);
    // The first-page section is what /Prev of the first update names; the revision ends at /L.
    assert_eq!(revisions[0].xref_offset(), 116);
    assert_eq!(revisions[0].end_offset(), 4880);
    assert_eq!(revisions[1].start_offset(), 4880);
}

#[test]
fn certification_and_signature_fields_are_found() {
    let Some(dir) = common::require("../shared/corpus", common::corpus_dir()) else {
        return;
    };
    let p1 = Document::open(dir.join("dss/dss-2554_certified-no-change-permitted.pdf")).unwrap();
    let certification = p1.latest().certification().unwrap().unwrap();
    assert_eq!(certification.permission, DocMdpPermission::NoChanges);
    assert_eq!(p1.latest().page_count().unwrap(), 16);

    let p3 = Document::open(dir.join("dss/dss-2554_certified-changes-permitted.pdf")).unwrap();
    let view = p3.latest();
    assert_eq!(
        view.certification().unwrap().unwrap().permission,
        DocMdpPermission::Annotations
    );
    let fields = view.signature_fields().unwrap();
    let names: Vec<(&str, bool)> = fields
        .iter()
        .map(|field| (field.field.full_name.as_str(), field.signature.is_some()))
        .collect();
    assert_eq!(
        names,
        [("signature-test", true), ("signature-test2", false)]
    );

    // FieldMDP /Lock on an Adobe certification signature field.
    let locked = Document::open(dir.join("dss/pkcs7-no-message-digest.pdf")).unwrap();
    let field = &locked.latest().signature_fields().unwrap()[0];
    assert_eq!(field.field.lock, Some(FieldMdpAction::All));
}

#[test]
fn contents_span_is_the_gap_of_the_byte_range() {
    let Some(dir) = common::require("../shared/corpus", common::corpus_dir()) else {
        return;
    };
    let doc = Document::open(dir.join("dss/pades-bes.pdf")).unwrap();
    let field = &doc.latest().signature_fields().unwrap()[0];
    let id = field.signature.as_ref().unwrap().id.unwrap();
    let signature = doc.object(id).unwrap();
    let contents = signature
        .entry_span(b"Contents")
        .unwrap()
        .value_span
        .clone();
    let range: Vec<u64> = signature
        .dict()
        .unwrap()
        .get(b"ByteRange")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value.as_integer().unwrap() as u64)
        .collect();
    assert_eq!(range[0], 0);
    assert_eq!(range[1], contents.start);
    assert_eq!(range[2], contents.end);
    assert_eq!(range[2] + range[3], doc.latest_revision().end_offset());
    let token = doc.read_range(contents).unwrap();
    assert_eq!(token.first(), Some(&b'<'));
    assert_eq!(token.last(), Some(&b'>'));
}
