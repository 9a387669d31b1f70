//! Helpers shared by the verification tests: verifiers over given trust anchors, and lookups in
//! reports.

use std::path::Path;
use std::sync::Arc;

use time::OffsetDateTime;
use vanthu::pki::trust::TrustStore;
use vanthu::verify::Verifier;
use vanthu::verify::report::{FileReport, SignatureReport};

/// A verifier trusting the anchors in `trust` (files or folders), validating at `at`.
pub fn verifier(trust: &[&Path], at: Option<OffsetDateTime>) -> Verifier {
    let mut store = TrustStore::new();
    for path in trust {
        store
            .load_anchors(path)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    }
    Verifier::new(Arc::new(store)).at(at)
}

/// The report of the signature in field `field`.
pub fn signature<'r>(report: &'r FileReport, field: &str) -> &'r SignatureReport {
    report
        .signatures
        .iter()
        .find(|signature| signature.field == field)
        .unwrap_or_else(|| {
            panic!(
                "{}: no signature «{field}» in {:?}",
                report.file,
                report
                    .signatures
                    .iter()
                    .map(|signature| &signature.field)
                    .collect::<Vec<_>>()
            )
        })
}

/// The finding codes of a signature, as written in reports.
pub fn codes(signature: &SignatureReport) -> Vec<String> {
    signature
        .findings
        .iter()
        .map(|finding| finding.code.as_str())
        .collect()
}
