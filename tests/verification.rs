//! Integration tests of the signature verifier: the third-party corpus with its documented
//! verdicts, signatures made by pyHanko and the same files tampered with, the agreement of the
//! library, the CLI and the HTTP API, and hostile input.

mod common;

/// The PDF tests' generated inputs (lopdf, qpdf).
#[path = "pdf/support.rs"]
mod pdf_support;

mod verification {
    pub mod support;

    mod agreement;
    mod corpus;
    mod fuzz_corpus;
    mod hostile;
    pub mod pyhanko;
}
