//! Signature verification: ByteRange geometry, CMS checks, trust, revision diff analysis and the validation report; writes nothing.

pub mod diff;
pub mod messages;
pub mod report;
