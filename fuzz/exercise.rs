//! What the `pdf_reader` fuzz target does with one input, shared with the test that replays the
//! committed corpus (`tests/pdf/fuzz_corpus.rs`). Errors are fine; panics and broken invariants
//! are findings.

use vanthu::pdf::{Document, Limits, Object, SignatureSpec, prepare_signature};

/// Small limits keep each run fast; they are what a hostile input meets in production, scaled.
fn limits() -> Limits {
    Limits {
        max_file_size: 8 * 1024 * 1024,
        max_decompressed_size: 2 * 1024 * 1024,
        max_tree_nodes: 10_000,
        object_cache_entries: 256,
        object_stream_cache_bytes: 1024 * 1024,
        ..Limits::default()
    }
}

/// Reads everything reachable, then signs what can be signed and checks the result.
pub fn exercise(data: &[u8]) {
    let Ok(doc) = Document::from_bytes_with_limits(data.to_vec(), limits()) else {
        return;
    };
    read_all(&doc);
    sign_and_reread(&doc);
}

fn read_all(doc: &Document) {
    for revision in doc.revisions() {
        let Ok(view) = doc.at(revision.index()) else {
            panic!("revision {} listed but not viewable", revision.index());
        };
        for id in revision.defined_ids().into_iter().take(2_000) {
            let Ok(object) = view.object(id) else {
                continue;
            };
            if let Some(span) = object.span() {
                assert!(
                    span.start < span.end && span.end <= doc.len(),
                    "span {span:?}"
                );
                for entry in object.entry_span(b"Contents").into_iter() {
                    assert!(
                        entry.value_span.start >= span.start && entry.value_span.end <= span.end
                    );
                }
            }
            if let Object::Stream(stream) = &object.object {
                let _ = view.decode_stream(stream);
            }
        }
        let _ = view.pages();
        let _ = view.fields();
        let _ = view.signature_fields();
        let _ = view.certification();
        let _ = view.dss();
    }
}

fn sign_and_reread(doc: &Document) {
    // Objects the input already could not read stay unreadable in the output; only what read
    // before must read after.
    let fields_read = doc.latest().signature_fields().is_ok();
    let mut spec = SignatureSpec::new("FuzzSignature");
    spec.contents_capacity = 64;
    let Ok(prepared) = prepare_signature(doc, &spec) else {
        return;
    };
    let [zero, a, b, c] = prepared.byte_range();
    let bytes = prepared.bytes();
    assert_eq!(zero, 0);
    assert_eq!(bytes.get(a as usize), Some(&b'<'));
    assert_eq!(bytes.get(b as usize - 1), Some(&b'>'));
    assert_eq!(b + c, bytes.len() as u64);
    assert!(bytes.starts_with(data_prefix(doc).as_slice()));
    let signed = prepared.embed(&[0x30, 0x00]).expect("two bytes fit in 64");
    let reread = Document::from_bytes_with_limits(signed, limits())
        .unwrap_or_else(|error| panic!("our own update does not read back: {error}"));
    assert_eq!(reread.revisions().len(), doc.revisions().len() + 1);
    if !fields_read {
        return;
    }
    let fields = reread
        .latest()
        .signature_fields()
        .unwrap_or_else(|error| panic!("our signature field does not read back: {error}"));
    assert!(
        fields
            .iter()
            .any(|field| field.field.full_name == "FuzzSignature")
    );
}

fn data_prefix(doc: &Document) -> Vec<u8> {
    doc.read_range(0..doc.len()).expect("in-memory source")
}
