//! Cryptographic verification of one SignerInfo against a candidate certificate: the signer's
//! identity (sid), messageDigest against the caller's digest of the content, the signature over
//! the signed attributes as received (or over the content digest when there are none), and the
//! ESS signing-certificate binding. Policy (which algorithms are acceptable, key sizes, trust) is
//! the caller's: this module says only what is cryptographically true.

use const_oid::ObjectIdentifier;
use der::Encode;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;

use super::attributes::IssuerSerial;
use super::parse::{SignedData, SignerId, SignerInfo};
use crate::crypto::{
    CryptoError, DigestAlgorithm, KeyKind, PublicKey, SignatureAlgorithm, Signed,
    UnsupportedAlgorithm,
};

/// Why a SignerInfo does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error(
        "messageDigest ({algorithm:?}) does not match the signed content / giá trị băm không khớp"
    )]
    DigestMismatch { algorithm: DigestAlgorithm },
    #[error("the signature value is invalid / chữ ký không hợp lệ")]
    SignatureInvalid,
    #[error("no certificate matches the SignerInfo's signer identifier")]
    SignerCertificateNotFound,
    #[error("unsupported {what} algorithm {oid}")]
    UnsupportedAlgorithm {
        what: &'static str,
        oid: ObjectIdentifier,
    },
    #[error("the signed attributes lack the mandatory {name} attribute")]
    MissingAttribute { name: &'static str },
    #[error("the contentType attribute is {found}, the encapsulated content type is {expected}")]
    ContentTypeMismatch {
        expected: ObjectIdentifier,
        found: ObjectIdentifier,
    },
    #[error("the digest handed in has {found} bytes, {expected} expected for {algorithm:?}")]
    DigestLength {
        algorithm: DigestAlgorithm,
        expected: usize,
        found: usize,
    },
    #[error("signature algorithm {algorithm} does not fit a {key} key")]
    AlgorithmKeyMismatch { algorithm: String, key: String },
    #[error("{algorithm} cannot be verified with this key in this form (no verifier for it)")]
    PrehashNotPossible { algorithm: String },
    #[error(
        "the signing-certificate{version} attribute does not bind the signer certificate ({detail})"
    )]
    EssCertificateMismatch {
        version: &'static str,
        detail: &'static str,
    },
    #[error("the signing-certificate-v2 attribute is empty")]
    EssEmpty,
    #[error("the certificate cannot be read: {0}")]
    Certificate(String),
}

impl From<UnsupportedAlgorithm> for VerifyError {
    fn from(error: UnsupportedAlgorithm) -> Self {
        VerifyError::UnsupportedAlgorithm {
            what: error.what,
            oid: error.oid,
        }
    }
}

/// The signature check's outcome in this module's words.
impl From<CryptoError> for VerifyError {
    fn from(error: CryptoError) -> Self {
        match error {
            CryptoError::SignatureInvalid => VerifyError::SignatureInvalid,
            CryptoError::Unsupported(unsupported) => unsupported.into(),
            CryptoError::MalformedParameters { what, oid } => {
                VerifyError::UnsupportedAlgorithm { what, oid }
            }
            CryptoError::AlgorithmKeyMismatch { algorithm, key } => {
                VerifyError::AlgorithmKeyMismatch { algorithm, key }
            }
            CryptoError::NotVerifiable { algorithm, .. } => {
                VerifyError::PrehashNotPossible { algorithm }
            }
            CryptoError::DigestLength {
                algorithm,
                expected,
                found,
            } => VerifyError::DigestLength {
                algorithm,
                expected,
                found,
            },
            malformed @ CryptoError::Malformed { .. } => {
                VerifyError::Certificate(malformed.to_string())
            }
        }
    }
}

/// Which ESS attribute bound the signer certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EssBinding {
    /// signing-certificate-v2 (and v1, if also present) matched.
    V2 { hash: DigestAlgorithm },
    /// Only signing-certificate (v1, SHA-1) was present and matched.
    V1,
    /// Neither attribute was present (allowed by CMS and by `adbe.pkcs7.detached`, not by PAdES).
    Absent,
}

/// What a successful verification established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerVerification {
    pub digest_algorithm: DigestAlgorithm,
    pub signature_algorithm: SignatureAlgorithm,
    pub key: KeyKind,
    pub signed_attributes_present: bool,
    pub ess: EssBinding,
}

/// The certificate (among `certificates`) that the signer identifier names.
pub fn find_signer_certificate<'c>(
    sid: &SignerId,
    certificates: impl IntoIterator<Item = &'c [u8]>,
) -> Result<&'c [u8], VerifyError> {
    certificates
        .into_iter()
        .find(|candidate| {
            x509_parser::parse_x509_certificate(candidate)
                .is_ok_and(|(_, certificate)| sid_matches(sid, &certificate))
        })
        .ok_or(VerifyError::SignerCertificateNotFound)
}

/// Whether a parsed certificate is the one a signer identifier names.
pub fn sid_matches(sid: &SignerId, certificate: &X509Certificate<'_>) -> bool {
    match sid {
        SignerId::IssuerAndSerial { issuer, serial } => {
            certificate.tbs_certificate.issuer.as_raw() == issuer.as_slice()
                && certificate.tbs_certificate.raw_serial() == serial.as_slice()
        }
        SignerId::SubjectKeyIdentifier(identifier) => {
            certificate.extensions().iter().any(|extension| {
                matches!(extension.parsed_extension(),
                    ParsedExtension::SubjectKeyIdentifier(key_id) if key_id.0 == identifier.as_slice())
            })
        }
    }
}

/// Verifies `signer` of `signed_data` with `certificate` (DER), given the caller's digest of the
/// signed content computed with `signer.digest()`.
pub fn verify_signer_info(
    signed_data: &SignedData,
    signer: &SignerInfo,
    certificate: &[u8],
    content_digest: &[u8],
) -> Result<SignerVerification, VerifyError> {
    let digest_algorithm = signer.digest()?;
    let signature_algorithm = signer.signature_algorithm()?;
    let (_, parsed) = x509_parser::parse_x509_certificate(certificate)
        .map_err(|error| VerifyError::Certificate(error.to_string()))?;
    if !sid_matches(&signer.sid, &parsed) {
        return Err(VerifyError::SignerCertificateNotFound);
    }
    let public_key = PublicKey::from_x509(parsed.public_key())
        .map_err(|error| VerifyError::Certificate(error.to_string()))?;
    if content_digest.len() != digest_algorithm.output_len() {
        return Err(VerifyError::DigestLength {
            algorithm: digest_algorithm,
            expected: digest_algorithm.output_len(),
            found: content_digest.len(),
        });
    }
    let Some(attributes) = &signer.signed_attributes else {
        if signature_algorithm.digest() != digest_algorithm {
            return Err(VerifyError::AlgorithmKeyMismatch {
                algorithm: signature_algorithm.name(),
                key: format!("digest {}", digest_algorithm.name()),
            });
        }
        public_key.verify(
            signature_algorithm,
            Signed::Prehash(content_digest),
            &signer.signature,
        )?;
        return Ok(SignerVerification {
            digest_algorithm,
            signature_algorithm,
            key: public_key.kind(),
            signed_attributes_present: false,
            ess: EssBinding::Absent,
        });
    };
    let content_type = attributes
        .content_type
        .ok_or(VerifyError::MissingAttribute {
            name: "contentType",
        })?;
    if content_type != signed_data.content_type {
        return Err(VerifyError::ContentTypeMismatch {
            expected: signed_data.content_type,
            found: content_type,
        });
    }
    let message_digest =
        attributes
            .message_digest
            .as_deref()
            .ok_or(VerifyError::MissingAttribute {
                name: "messageDigest",
            })?;
    if message_digest != content_digest {
        return Err(VerifyError::DigestMismatch {
            algorithm: digest_algorithm,
        });
    }
    public_key.verify(
        signature_algorithm,
        Signed::Message(&attributes.der),
        &signer.signature,
    )?;
    let ess = check_ess_binding(
        attributes.signing_certificate_v2.as_ref(),
        attributes.signing_certificate.as_ref(),
        certificate,
        &parsed,
    )?;
    Ok(SignerVerification {
        digest_algorithm,
        signature_algorithm,
        key: public_key.kind(),
        signed_attributes_present: true,
        ess,
    })
}

/// Checks the first ESSCertID(v2) against the signer certificate: the hash over its DER and, when
/// present, the issuer and serial number.
fn check_ess_binding(
    v2: Option<&super::attributes::SigningCertificateV2>,
    v1: Option<&super::attributes::SigningCertificate>,
    certificate_der: &[u8],
    certificate: &X509Certificate<'_>,
) -> Result<EssBinding, VerifyError> {
    let mut binding = EssBinding::Absent;
    if let Some(v1) = v1 {
        let first = v1.certs.first().ok_or(VerifyError::EssEmpty)?;
        if first.cert_hash.as_bytes() != DigestAlgorithm::Sha1.digest(certificate_der) {
            return Err(VerifyError::EssCertificateMismatch {
                version: "",
                detail: "certificate hash",
            });
        }
        check_issuer_serial(first.issuer_serial.as_ref(), certificate, "")?;
        binding = EssBinding::V1;
    }
    if let Some(v2) = v2 {
        let first = v2.certs.first().ok_or(VerifyError::EssEmpty)?;
        let hash = DigestAlgorithm::from_oid(first.hash_oid())?;
        if first.cert_hash.as_bytes() != hash.digest(certificate_der) {
            return Err(VerifyError::EssCertificateMismatch {
                version: "-v2",
                detail: "certificate hash",
            });
        }
        check_issuer_serial(first.issuer_serial.as_ref(), certificate, "-v2")?;
        binding = EssBinding::V2 { hash };
    }
    Ok(binding)
}

fn check_issuer_serial(
    issuer_serial: Option<&IssuerSerial>,
    certificate: &X509Certificate<'_>,
    version: &'static str,
) -> Result<(), VerifyError> {
    let Some(issuer_serial) = issuer_serial else {
        return Ok(());
    };
    if issuer_serial.serial_number.as_bytes() != certificate.tbs_certificate.raw_serial() {
        return Err(VerifyError::EssCertificateMismatch {
            version,
            detail: "serial number",
        });
    }
    let issuer_matches = issuer_serial.issuer.iter().any(|name| match name {
        x509_cert::ext::pkix::name::GeneralName::DirectoryName(name) => name
            .to_der()
            .is_ok_and(|der| der == certificate.tbs_certificate.issuer.as_raw()),
        _ => false,
    });
    if issuer_matches {
        Ok(())
    } else {
        Err(VerifyError::EssCertificateMismatch {
            version,
            detail: "issuer name",
        })
    }
}
