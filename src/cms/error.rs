//! Errors of CMS parsing, building and signing; verification has its own enum in `verify`.

use const_oid::ObjectIdentifier;

use crate::crypto::{DigestAlgorithm, SignatureAlgorithm, UnsupportedAlgorithm};

/// Why a CMS structure could not be read, built or signed.
#[derive(Debug, thiserror::Error)]
pub enum CmsError {
    #[error("CMS: {what} at offset {offset} is truncated")]
    Truncated { what: &'static str, offset: usize },
    #[error("CMS: {what} at offset {offset} is refused: {problem}")]
    TooComplex {
        what: &'static str,
        offset: usize,
        problem: String,
    },
    #[error("CMS: {what} at offset {offset} uses indefinite length (BER), only DER is accepted")]
    IndefiniteLength { what: &'static str, offset: usize },
    #[error("CMS: BER encoding at offset {offset}: {problem}")]
    Ber {
        offset: usize,
        problem: &'static str,
    },
    #[error("CMS: {what} at offset {offset} is malformed: {source}")]
    Malformed {
        what: &'static str,
        offset: usize,
        #[source]
        source: der::Error,
    },
    #[error("CMS: {what} at offset {offset}: expected {expected}, found {found}")]
    UnexpectedTag {
        what: &'static str,
        offset: usize,
        expected: String,
        found: String,
    },
    #[error("CMS: unexpected data after {what} at offset {offset}")]
    TrailingData { what: &'static str, offset: usize },
    #[error("CMS: content type is {found}, expected id-signedData")]
    NotSignedData { found: ObjectIdentifier },
    #[error("CMS: unsupported version {version} of {what}")]
    UnsupportedVersion { what: &'static str, version: u64 },
    #[error("CMS: signed attribute {oid} is malformed: {reason}")]
    MalformedAttribute {
        oid: ObjectIdentifier,
        reason: String,
    },
    #[error("CMS: signed attribute {oid} appears more than once")]
    DuplicateAttribute { oid: ObjectIdentifier },
    #[error("CMS: {0}")]
    Unsupported(#[from] UnsupportedAlgorithm),
    #[error("CMS: certificate {index} cannot be decoded: {source}")]
    Certificate {
        index: usize,
        #[source]
        source: der::Error,
    },
    #[error("CMS: no signer certificate was given")]
    NoCertificate,
    #[error("CMS: there is no SignerInfo number {index}")]
    NoSuchSigner { index: usize },
    #[error("CMS: {algorithm:?} cannot be used with digest {digest:?}")]
    AlgorithmMismatch {
        algorithm: SignatureAlgorithm,
        digest: DigestAlgorithm,
    },
    #[error("CMS: the message digest has {found} bytes, {expected} expected for {digest:?}")]
    DigestLength {
        digest: DigestAlgorithm,
        expected: usize,
        found: usize,
    },
    #[error("CMS: the {what} are not in DER form")]
    NotDer { what: &'static str },
    #[error("CMS: encoding failed: {0}")]
    Encoding(#[source] der::Error),
    #[error("CMS: the signature value does not verify with the signer certificate: {0}")]
    SignatureRejected(#[source] Box<super::verify::VerifyError>),
    #[error("CMS: signing failed: {0}")]
    Signer(#[from] super::signer::SignerError),
    #[error("timestamp token: {0}")]
    TimeStamp(String),
}
