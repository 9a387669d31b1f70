//! CMS SignedData (RFC 5652) for PAdES: the algorithm model, the signer trait and local keys,
//! building detached signatures (in one call or in two steps for deferred signing), parsing
//! received SignedData and RFC 3161 timestamp tokens, and cryptographic verification of a
//! SignerInfo. PDF knows nothing of this module; trust and policy live in `pki` and `verify`;
//! algorithms, keys and the signature check itself are `crate::crypto`'s.

pub mod attributes;
mod ber;
pub mod build;
pub mod error;
pub mod oid;
pub mod parse;
pub mod signer;
pub mod timestamp;
mod tlv;
pub mod verify;

pub use attributes::{
    EssCertId, EssCertIdV2, IssuerSerial, ReceivedSignedAttributes, SignedAttributes,
    SigningCertificate, SigningCertificateV2, signed_attributes, signed_attributes_for,
};
pub use build::{
    add_signature_timestamp, add_unsigned_attribute, assemble, assemble_with_content,
    assemble_without_certificates, sign_detached,
};
pub use error::CmsError;
pub use parse::{SignedData, SignerId, SignerInfo, parse_signed_data, parse_signed_data_exact};
pub use signer::{LocalKey, Signer, SignerError};
pub use timestamp::{Accuracy, MessageImprint, TimeStampToken, TstInfo};
pub use verify::{
    EssBinding, SignerVerification, VerifyError, find_signer_certificate, verify_signer_info,
};
