//! What the `verify` fuzz target does with one input, shared with the test that replays the
//! committed corpus (`tests/verification/fuzz_corpus.rs`). A report or an error inside it is
//! fine; a panic, or a report that contradicts itself, is a finding.

use std::sync::{Arc, OnceLock};

use vanthu::pdf::Limits;
use vanthu::pki::indication::Indication;
use vanthu::pki::trust::TrustStore;
use vanthu::verify::Verifier;
use vanthu::verify::report::{FileIndication, FileReport, Language, file_indication, html, text};

/// Small limits keep each run fast; they are what a hostile input meets in production, scaled.
fn verifier() -> &'static Verifier {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    VERIFIER.get_or_init(|| {
        Verifier::new(Arc::new(TrustStore::new())).with_limits(Limits {
            max_file_size: 8 * 1024 * 1024,
            max_decompressed_size: 2 * 1024 * 1024,
            max_tree_nodes: 10_000,
            object_cache_entries: 256,
            object_stream_cache_bytes: 1024 * 1024,
            ..Limits::default()
        })
    })
}

/// Verifies `data` and checks that the report is consistent.
pub fn exercise(data: &[u8]) {
    let report = verifier().verify_bytes("fuzz.pdf", data.to_vec());
    check(&report);
}

/// Invariants every report keeps, whatever the input.
pub fn check(report: &FileReport) {
    assert_eq!(
        report.indication,
        file_indication(&report.signatures, &report.errors),
        "the file's indication follows from its signatures"
    );
    // Nothing is trusted here, so nothing can pass.
    assert_ne!(report.indication, FileIndication::TotalPassed);
    for signature in &report.signatures {
        if !signature.intact {
            assert_ne!(
                signature.indication,
                Indication::TotalPassed,
                "{}",
                signature.field
            );
        }
        assert_eq!(
            signature.sub_indication.is_some(),
            signature.indication != Indication::TotalPassed,
            "{}",
            signature.field
        );
    }
    // The forms people read format every time and name; none of it may panic.
    let _ = text::render(report, Language::Both);
    let _ = html::render_page(std::slice::from_ref(report), Language::Both);
    let json = report.to_json().expect("a report serialises");
    let back = FileReport::from_json(&json).expect("a report reads back");
    assert_eq!(&back, report);
}
