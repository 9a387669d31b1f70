//! Integration tests of the signature verifier: the third-party corpus with its documented
//! verdicts, signatures made by pyHanko and the same files tampered with, the agreement of the
//! library, the CLI and the HTTP API, and hostile input.

mod common;

mod verification {
    pub mod support;

    mod corpus;
}
