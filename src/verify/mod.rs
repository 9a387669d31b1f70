//! Signature verification: ByteRange geometry, CMS checks, trust, revision diff analysis and the
//! validation report; writes nothing.
//!
//! [`Verifier`] is the one entry point the CLI, the HTTP API and the workflow share: a document
//! (file, bytes or any [`crate::pdf::Source`]) in, a [`report::FileReport`] out. The steps, each
//! in its module: [`signatures`] reads the signature fields, [`geometry`] checks `/ByteRange`
//! before anything is hashed, [`cms_check`] the CMS, [`digest`] hashes the signed ranges from the
//! source, [`timestamps`] the RFC 3161 tokens (judged by [`token`]), [`chain`] validates certificate paths (and states
//! the validation time rule), [`diff`] says what changed after each signed revision, and
//! [`engine`] folds it all into indications.

pub mod chain;
pub mod cms_check;
pub mod diff;
pub mod digest;
pub mod engine;
pub mod geometry;
pub mod messages;
pub mod report;
pub mod signatures;
pub mod timestamps;
pub mod token;

pub use engine::Verifier;
