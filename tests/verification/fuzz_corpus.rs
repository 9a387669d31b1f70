//! The `verify` fuzz target's committed corpus (`fuzz/corpus/verify/`), replayed through the same
//! code as the fuzzer (`fuzz/verify_exercise.rs`): seeds and every crash found become regression
//! tests. `regenerate_fuzz_seeds` (ignored) writes the named seeds: pyHanko-signed files and
//! tampered variants.

use std::path::PathBuf;

#[path = "../../fuzz/verify_exercise.rs"]
pub mod verify_exercise;

fn corpus_dir() -> PathBuf {
    crate::common::repo_dir().join("fuzz/corpus/verify")
}

#[test]
fn fuzz_corpus_replays_without_panics() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 5, "the seed corpus is missing: {files:?}");
    for path in files {
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| verify_exercise::exercise(&data));
        assert!(outcome.is_ok(), "{} panicked", path.display());
    }
}

#[test]
#[ignore = "writes fuzz/corpus/verify/; run by hand when the seeds should change"]
fn regenerate_fuzz_seeds() {
    use super::pyhanko::{PyhankoSigner, replace_page_content};
    use crate::pdf_support::{Layout, simple_pdf};
    use vanthu::pki::devpki::KeyAlgorithm;

    let signer = PyhankoSigner::new(KeyAlgorithm::P256).expect("pyhanko is needed for the seeds");
    let dir = corpus_dir();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    let plain = signer.sign(&simple_pdf(1, Layout::Table), "Sig1", &[]);
    write("seed-pkcs7-table.pdf", &plain);
    let pades = signer.sign(&simple_pdf(1, Layout::Streams), "Sig1", &["--use-pades"]);
    write("seed-pades-streams.pdf", &pades);
    let twice = signer.sign(&pades, "Sig2", &["--use-pades"]);
    write("seed-two-signatures.pdf", &twice);
    let certified = signer.sign(&simple_pdf(1, Layout::Table), "Author", &["--certify"]);
    write("seed-certified.pdf", &certified);
    write(
        "seed-updated-after-signing.pdf",
        &replace_page_content(&plain, b"BT /F1 24 Tf 72 720 Td (Changed) Tj ET"),
    );
}
