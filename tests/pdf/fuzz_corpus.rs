//! Replays the committed fuzz corpus (`fuzz/corpus/pdf_reader/`) through the fuzz target's code,
//! so every input the fuzzer ever kept, crashes included once copied there, stays a regression
//! test.

use vanthu::pdf::{Document, SignatureSpec, prepare_signature};

use crate::exercise::exercise;
use crate::support::{Layout, form_pdf, hybrid_pdf, qpdf_transform, simple_pdf};

fn corpus_dir() -> std::path::PathBuf {
    crate::common::repo_dir().join("fuzz/corpus/pdf_reader")
}

#[test]
fn every_fuzz_corpus_file_replays_without_panic() {
    let mut count = 0;
    for entry in std::fs::read_dir(corpus_dir()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        exercise(&bytes);
        count += 1;
    }
    assert!(count >= 10, "the seed corpus is missing ({count} files)");
}

/// Writes the seed corpus. Run with `cargo test --test pdf -- --ignored regenerate_fuzz_seeds`.
#[test]
#[ignore = "writes fuzz/corpus/pdf_reader; run on purpose"]
fn regenerate_fuzz_seeds() {
    let dir = corpus_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let mut seeds: Vec<(&str, Vec<u8>)> = vec![
        ("table.pdf", simple_pdf(2, Layout::Table)),
        ("streams.pdf", simple_pdf(2, Layout::Streams)),
        ("form-table.pdf", form_pdf(Layout::Table)),
        ("form-streams.pdf", form_pdf(Layout::Streams)),
        ("hybrid.pdf", hybrid_pdf()),
    ];
    let qpdf: [(&str, &[&str]); 3] = [
        ("linearized.pdf", &["--linearize"]),
        ("qpdf-object-streams.pdf", &["--object-streams=generate"]),
        ("qdf.pdf", &["--qdf"]),
    ];
    for (name, args) in qpdf {
        if let Some(bytes) = qpdf_transform(&simple_pdf(1, Layout::Table), args) {
            seeds.push((name, bytes));
        }
    }
    let doc = Document::from_bytes(form_pdf(Layout::Table)).unwrap();
    let mut spec = SignatureSpec::new("approval");
    spec.contents_capacity = 64;
    let signed = prepare_signature(&doc, &spec)
        .unwrap()
        .embed(&[0x30, 0x03, 0x02, 0x01, 0x01])
        .unwrap();
    seeds.push(("signed-form.pdf", signed));
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}
