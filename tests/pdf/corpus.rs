//! Every third-party PDF in `../shared/corpus` opens and every object in it reads, except the two
//! files that are broken on purpose or by their producer, which fail with errors naming the
//! problem.

use vanthu::pdf::{Document, ObjectId, PdfError};

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
