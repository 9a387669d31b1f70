//! Why an algorithm, a key or a signature could not be used.

use const_oid::ObjectIdentifier;

use super::digest::DigestAlgorithm;

/// An algorithm identifier we do not implement, with the OID that named it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported {what} algorithm {oid}")]
pub struct UnsupportedAlgorithm {
    pub what: &'static str,
    pub oid: ObjectIdentifier,
}

/// Why a key could not be read or a signature could not be verified. Only
/// [`CryptoError::SignatureInvalid`] says the signature is wrong; every other variant says it
/// could not be checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error(transparent)]
    Unsupported(#[from] UnsupportedAlgorithm),
    #[error("malformed parameters of the {what} algorithm {oid}")]
    MalformedParameters {
        what: &'static str,
        oid: ObjectIdentifier,
    },
    #[error("malformed {what}: {reason}")]
    Malformed { what: &'static str, reason: String },
    #[error("signature algorithm {algorithm} does not fit a {key} key")]
    AlgorithmKeyMismatch { algorithm: String, key: String },
    #[error("{algorithm} cannot be verified {over} with a {key} key")]
    NotVerifiable {
        algorithm: String,
        key: String,
        /// "over a message" or "over a prehash".
        over: &'static str,
    },
    #[error("the digest handed in has {found} bytes, {expected} expected for {algorithm:?}")]
    DigestLength {
        algorithm: DigestAlgorithm,
        expected: usize,
        found: usize,
    },
    #[error("the signature value does not verify / chữ ký không hợp lệ")]
    SignatureInvalid,
}
