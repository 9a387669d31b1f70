//! Cryptographic verification of one SignerInfo against a candidate certificate: the signer's
//! identity (sid), messageDigest against the caller's digest of the content, the signature over
//! the signed attributes as received (or over the content digest when there are none), and the
//! ESS signing-certificate binding. Policy (which algorithms are acceptable, key sizes, trust) is
//! the caller's: this module says only what is cryptographically true.

use const_oid::ObjectIdentifier;
use der::Encode;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use ring::signature::{self as ring_signature, UnparsedPublicKey, VerificationAlgorithm};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;

use super::algorithm::{DigestAlgorithm, EcCurve, KeyKind, PublicKey, SignatureAlgorithm};
use super::attributes::IssuerSerial;
use super::error::UnsupportedAlgorithm;
use super::parse::{SignedData, SignerId, SignerInfo};

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
    #[error("{algorithm} over a digest without signed attributes cannot be verified")]
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
    let public_key = PublicKey::from_spki_der(parsed.tbs_certificate.subject_pki.raw)
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
        verify_prehashed(
            &public_key,
            signature_algorithm,
            content_digest,
            &signer.signature,
        )?;
        return Ok(SignerVerification {
            digest_algorithm,
            signature_algorithm,
            key: public_key.kind,
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
    verify_signature(
        &public_key,
        signature_algorithm,
        &attributes.der,
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
        key: public_key.kind,
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

/// Verifies a signature over `message`: ring where it implements the combination, otherwise the
/// message is hashed and the prehash verifiers take over (P-521, RSA keys under 2048 bits,
/// uncommon curve/digest pairs, PSS with a non-standard salt).
pub fn verify_signature(
    public_key: &PublicKey,
    algorithm: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    check_fits(public_key, algorithm)?;
    match ring_algorithm(public_key.kind, algorithm) {
        Some(ring_algorithm) => UnparsedPublicKey::new(ring_algorithm, &public_key.key)
            .verify(message, signature)
            .map_err(|_| VerifyError::SignatureInvalid),
        None => verify_prehashed(
            public_key,
            algorithm,
            &algorithm.digest().digest(message),
            signature,
        ),
    }
}

/// Verifies a signature over a digest computed by the caller (CMS without signed attributes).
pub fn verify_prehashed(
    public_key: &PublicKey,
    algorithm: SignatureAlgorithm,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), VerifyError> {
    check_fits(public_key, algorithm)?;
    match (public_key.kind, algorithm) {
        (KeyKind::Rsa { .. }, SignatureAlgorithm::RsaPkcs1v15(digest_algorithm)) => {
            let key = rsa_public_key(&public_key.key)?;
            let scheme = rsa::Pkcs1v15Sign {
                hash_len: Some(digest_algorithm.output_len()),
                prefix: digest_info_prefix(digest_algorithm).into(),
            };
            key.verify(scheme, digest, signature).map_err(invalid)
        }
        (
            KeyKind::Rsa { .. },
            SignatureAlgorithm::RsaPss {
                digest: digest_algorithm,
                salt_length,
            },
        ) => {
            let key = rsa_public_key(&public_key.key)?;
            let salt = usize::try_from(salt_length).map_err(|_| VerifyError::SignatureInvalid)?;
            let scheme = match digest_algorithm {
                DigestAlgorithm::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
                DigestAlgorithm::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
                DigestAlgorithm::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
                DigestAlgorithm::Sha1 => {
                    return Err(VerifyError::PrehashNotPossible {
                        algorithm: algorithm.name(),
                    });
                }
            };
            key.verify(scheme, digest, signature).map_err(invalid)
        }
        (KeyKind::Ec(EcCurve::P256), SignatureAlgorithm::Ecdsa(_)) => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&public_key.key)
                .map_err(|_| VerifyError::Certificate("invalid P-256 public key".into()))?;
            let signature = p256::ecdsa::Signature::from_der(signature).map_err(invalid)?;
            key.verify_prehash(digest, &signature).map_err(invalid)
        }
        (KeyKind::Ec(EcCurve::P384), SignatureAlgorithm::Ecdsa(_)) => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(&public_key.key)
                .map_err(|_| VerifyError::Certificate("invalid P-384 public key".into()))?;
            let signature = p384::ecdsa::Signature::from_der(signature).map_err(invalid)?;
            key.verify_prehash(digest, &signature).map_err(invalid)
        }
        (KeyKind::Ec(EcCurve::P521), SignatureAlgorithm::Ecdsa(_)) => {
            let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(&public_key.key)
                .map_err(|_| VerifyError::Certificate("invalid P-521 public key".into()))?;
            let signature = p521::ecdsa::Signature::from_der(signature).map_err(invalid)?;
            key.verify_prehash(digest, &signature).map_err(invalid)
        }
        _ => Err(VerifyError::PrehashNotPossible {
            algorithm: algorithm.name(),
        }),
    }
}

fn invalid<E>(_: E) -> VerifyError {
    VerifyError::SignatureInvalid
}

fn check_fits(public_key: &PublicKey, algorithm: SignatureAlgorithm) -> Result<(), VerifyError> {
    if public_key.kind.fits(algorithm) {
        Ok(())
    } else {
        Err(VerifyError::AlgorithmKeyMismatch {
            algorithm: algorithm.name(),
            key: public_key.kind.name(),
        })
    }
}

fn ring_algorithm(
    key: KeyKind,
    algorithm: SignatureAlgorithm,
) -> Option<&'static dyn VerificationAlgorithm> {
    use DigestAlgorithm::{Sha1, Sha256, Sha384, Sha512};
    use SignatureAlgorithm::{Ecdsa, Ed25519, RsaPkcs1v15, RsaPss};
    let rsa_bits = match key {
        KeyKind::Rsa { modulus_bits } => modulus_bits,
        _ => 0,
    };
    let standard_salt = |digest: DigestAlgorithm, salt: u32| {
        usize::try_from(salt).ok() == Some(digest.output_len())
    };
    Some(match (key, algorithm) {
        (KeyKind::Rsa { .. }, _) if !(2048..=8192).contains(&rsa_bits) => return None,
        (KeyKind::Rsa { .. }, RsaPkcs1v15(Sha1)) => {
            &ring_signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY
        }
        (KeyKind::Rsa { .. }, RsaPkcs1v15(Sha256)) => &ring_signature::RSA_PKCS1_2048_8192_SHA256,
        (KeyKind::Rsa { .. }, RsaPkcs1v15(Sha384)) => &ring_signature::RSA_PKCS1_2048_8192_SHA384,
        (KeyKind::Rsa { .. }, RsaPkcs1v15(Sha512)) => &ring_signature::RSA_PKCS1_2048_8192_SHA512,
        (
            KeyKind::Rsa { .. },
            RsaPss {
                digest,
                salt_length,
            },
        ) if standard_salt(digest, salt_length) => match digest {
            Sha256 => &ring_signature::RSA_PSS_2048_8192_SHA256,
            Sha384 => &ring_signature::RSA_PSS_2048_8192_SHA384,
            Sha512 => &ring_signature::RSA_PSS_2048_8192_SHA512,
            Sha1 => return None,
        },
        (KeyKind::Ec(EcCurve::P256), Ecdsa(Sha256)) => &ring_signature::ECDSA_P256_SHA256_ASN1,
        (KeyKind::Ec(EcCurve::P256), Ecdsa(Sha384)) => &ring_signature::ECDSA_P256_SHA384_ASN1,
        (KeyKind::Ec(EcCurve::P384), Ecdsa(Sha256)) => &ring_signature::ECDSA_P384_SHA256_ASN1,
        (KeyKind::Ec(EcCurve::P384), Ecdsa(Sha384)) => &ring_signature::ECDSA_P384_SHA384_ASN1,
        (KeyKind::Ed25519, Ed25519) => &ring_signature::ED25519,
        _ => return None,
    })
}

/// The largest RSA modulus accepted on the prehash path.
const MAX_RSA_BITS: usize = 16384;

fn rsa_public_key(pkcs1_der: &[u8]) -> Result<rsa::RsaPublicKey, VerifyError> {
    use der::Decode;
    let malformed = |_| VerifyError::Certificate("malformed RSA public key".into());
    let key = rsa::pkcs1::RsaPublicKey::from_der(pkcs1_der).map_err(malformed)?;
    rsa::RsaPublicKey::new_with_max_size(
        rsa::BigUint::from_bytes_be(key.modulus.as_bytes()),
        rsa::BigUint::from_bytes_be(key.public_exponent.as_bytes()),
        MAX_RSA_BITS,
    )
    .map_err(|_| VerifyError::Certificate("unusable RSA public key".into()))
}

/// The DER `DigestInfo` prefix that PKCS#1 v1.5 puts before the digest (RFC 8017 §9.2 note 1).
fn digest_info_prefix(digest: DigestAlgorithm) -> &'static [u8] {
    match digest {
        DigestAlgorithm::Sha1 => &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ],
        DigestAlgorithm::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        DigestAlgorithm::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        DigestAlgorithm::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
    }
}
