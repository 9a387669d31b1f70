//! Signature algorithms and public keys: identifying them from their ASN.1 identifiers and
//! verifying a signature with ring.
//!
//! Verification here is purely cryptographic and accepts legacy parameters (RSA keys from 1024
//! bits, SHA-1): whether an algorithm or key size is *acceptable* is decided separately by
//! [`crate::pki::policy::AlgorithmPolicy`], so that a report can say "the signature is correct but
//! made with SHA-1" instead of "the signature is wrong".

use std::collections::HashMap;
use std::fmt;

use ring::signature as ring_sig;
use serde::{Deserialize, Serialize};
use x509_parser::der_parser::asn1_rs::{Any, FromDer, Oid};
use x509_parser::signature_algorithm::RsaSsaPssParams;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

/// A message digest algorithm, as far as the algorithm policy is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DigestAlgorithm {
    Md2,
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    /// Recognises a digest algorithm OID (dotted form).
    pub fn from_oid(oid: &str) -> Option<Self> {
        Some(match oid {
            "1.2.840.113549.2.2" => Self::Md2,
            "1.2.840.113549.2.5" => Self::Md5,
            "1.3.14.3.2.26" => Self::Sha1,
            "2.16.840.1.101.3.4.2.4" => Self::Sha224,
            "2.16.840.1.101.3.4.2.1" => Self::Sha256,
            "2.16.840.1.101.3.4.2.2" => Self::Sha384,
            "2.16.840.1.101.3.4.2.3" => Self::Sha512,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Md2 => "MD2",
            Self::Md5 => "MD5",
            Self::Sha1 => "SHA-1",
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }

    fn output_len(self) -> u32 {
        match self {
            Self::Md2 | Self::Md5 => 16,
            Self::Sha1 => 20,
            Self::Sha224 => 28,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }
}

/// How a signature was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "SCREAMING_SNAKE_CASE",
    tag = "scheme",
    content = "digest"
)]
pub enum SignatureScheme {
    RsaPkcs1(DigestAlgorithm),
    RsaPss(DigestAlgorithm),
    Ecdsa(DigestAlgorithm),
    Ed25519,
}

impl SignatureScheme {
    /// The digest the scheme hashes with (Ed25519 has its own, SHA-512 based).
    pub fn digest(self) -> Option<DigestAlgorithm> {
        match self {
            Self::RsaPkcs1(digest) | Self::RsaPss(digest) | Self::Ecdsa(digest) => Some(digest),
            Self::Ed25519 => None,
        }
    }
}

impl fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RsaPkcs1(digest) => write!(f, "RSA PKCS#1 v1.5 with {}", digest.name()),
            Self::RsaPss(digest) => write!(f, "RSA-PSS with {}", digest.name()),
            Self::Ecdsa(digest) => write!(f, "ECDSA with {}", digest.name()),
            Self::Ed25519 => f.write_str("Ed25519"),
        }
    }
}

/// The kind of a public key and its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KeyAlgorithm {
    Rsa,
    EcP256,
    EcP384,
    EcP521,
    /// An elliptic curve this crate does not verify with (brainpool, secp256k1, …).
    EcOther,
    Ed25519,
    Dsa,
    Other,
}

impl KeyAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::EcP256 => "ECDSA P-256",
            Self::EcP384 => "ECDSA P-384",
            Self::EcP521 => "ECDSA P-521",
            Self::EcOther => "ECDSA (other curve)",
            Self::Ed25519 => "Ed25519",
            Self::Dsa => "DSA",
            Self::Other => "unknown",
        }
    }
}

/// A subject public key, with what the policy and the verifier need to know about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKeyInfo {
    pub algorithm: KeyAlgorithm,
    /// Modulus size for RSA, field size for elliptic curves.
    pub bits: u32,
    /// The algorithm OID of the SubjectPublicKeyInfo (dotted form).
    pub oid: String,
    /// The DER of the whole SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
    /// The content of the subjectPublicKey BIT STRING (what ring verifies with).
    key: Vec<u8>,
}

/// Why a signature could not be verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("signature algorithm {oid} is not supported")]
    UnsupportedAlgorithm { oid: String },
    #[error("malformed parameters for signature algorithm {oid}")]
    MalformedParameters { oid: String },
    #[error(
        "RSA-PSS parameters other than MGF1 with the same digest and a salt of the digest's length are not supported"
    )]
    UnsupportedPssParameters,
    #[error("{scheme} cannot be verified with a {key} key of {bits} bits")]
    UnsupportedKey {
        scheme: SignatureScheme,
        key: &'static str,
        bits: u32,
    },
    #[error("malformed SubjectPublicKeyInfo")]
    MalformedKey,
    #[error("the signature value does not verify")]
    Invalid,
}

const OID_RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const OID_RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";
const OID_DSA: &str = "1.2.840.10040.4.1";
const OID_MGF1: &str = "1.2.840.113549.1.1.8";

impl SignatureScheme {
    /// Identifies the scheme of a certificate's or CRL's `signatureAlgorithm`.
    pub fn from_x509(alg: &AlgorithmIdentifier<'_>) -> Result<Self, SignatureError> {
        Self::from_parts(&alg.algorithm, alg.parameters.as_ref(), None)
    }

    /// Identifies the scheme of a DER `AlgorithmIdentifier`. CMS signer infos often name only the
    /// key type (`rsaEncryption`, `id-ecPublicKey`) and give the digest separately: pass it as
    /// `digest_hint`.
    pub fn from_der(
        algorithm_identifier: &[u8],
        digest_hint: Option<DigestAlgorithm>,
    ) -> Result<Self, SignatureError> {
        let (_, alg) = AlgorithmIdentifier::from_der(algorithm_identifier).map_err(|_| {
            SignatureError::MalformedParameters {
                oid: "(unparseable AlgorithmIdentifier)".into(),
            }
        })?;
        Self::from_parts(&alg.algorithm, alg.parameters.as_ref(), digest_hint)
    }

    fn from_parts(
        oid: &Oid<'_>,
        parameters: Option<&Any<'_>>,
        digest_hint: Option<DigestAlgorithm>,
    ) -> Result<Self, SignatureError> {
        use DigestAlgorithm::*;
        let dotted = oid.to_id_string();
        let unsupported = || SignatureError::UnsupportedAlgorithm {
            oid: dotted.clone(),
        };
        Ok(match dotted.as_str() {
            "1.2.840.113549.1.1.2" => Self::RsaPkcs1(Md2),
            "1.2.840.113549.1.1.4" => Self::RsaPkcs1(Md5),
            "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => Self::RsaPkcs1(Sha1),
            "1.2.840.113549.1.1.14" => Self::RsaPkcs1(Sha224),
            "1.2.840.113549.1.1.11" => Self::RsaPkcs1(Sha256),
            "1.2.840.113549.1.1.12" => Self::RsaPkcs1(Sha384),
            "1.2.840.113549.1.1.13" => Self::RsaPkcs1(Sha512),
            "1.2.840.10045.4.1" => Self::Ecdsa(Sha1),
            "1.2.840.10045.4.3.1" => Self::Ecdsa(Sha224),
            "1.2.840.10045.4.3.2" => Self::Ecdsa(Sha256),
            "1.2.840.10045.4.3.3" => Self::Ecdsa(Sha384),
            "1.2.840.10045.4.3.4" => Self::Ecdsa(Sha512),
            OID_ED25519 => Self::Ed25519,
            OID_RSASSA_PSS => Self::RsaPss(pss_digest(&dotted, parameters)?),
            OID_RSA_ENCRYPTION => Self::RsaPkcs1(digest_hint.ok_or_else(unsupported)?),
            OID_EC_PUBLIC_KEY => Self::Ecdsa(digest_hint.ok_or_else(unsupported)?),
            _ => return Err(unsupported()),
        })
    }
}

/// Accepts the RSA-PSS parameter sets ring verifies: MGF1 with the same digest, salt length equal
/// to the digest length, trailer field 1.
fn pss_digest(oid: &str, parameters: Option<&Any<'_>>) -> Result<DigestAlgorithm, SignatureError> {
    let malformed = || SignatureError::MalformedParameters { oid: oid.into() };
    let params =
        RsaSsaPssParams::try_from(parameters.ok_or_else(malformed)?).map_err(|_| malformed())?;
    let digest = DigestAlgorithm::from_oid(&params.hash_algorithm_oid().to_id_string())
        .ok_or(SignatureError::UnsupportedPssParameters)?;
    let mgf = params.mask_gen_algorithm().map_err(|_| malformed())?;
    let mgf_digest = DigestAlgorithm::from_oid(&mgf.hash.to_id_string());
    if mgf.mgf.to_id_string() != OID_MGF1
        || mgf_digest != Some(digest)
        || params.salt_length() != digest.output_len()
        || params.trailer_field() != 1
    {
        return Err(SignatureError::UnsupportedPssParameters);
    }
    Ok(digest)
}

impl PublicKeyInfo {
    /// Describes a SubjectPublicKeyInfo parsed by x509-parser.
    pub fn from_x509(spki: &SubjectPublicKeyInfo<'_>) -> Result<Self, SignatureError> {
        let oid = spki.algorithm.algorithm.to_id_string();
        let key = spki.subject_public_key.data.to_vec();
        let (algorithm, bits) = match oid.as_str() {
            OID_RSA_ENCRYPTION | OID_RSASSA_PSS => (KeyAlgorithm::Rsa, rsa_modulus_bits(&key)?),
            OID_EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|any| any.as_oid().ok())
                    .map(|curve| curve.to_id_string());
                match curve.as_deref() {
                    Some("1.2.840.10045.3.1.7") => (KeyAlgorithm::EcP256, 256),
                    Some("1.3.132.0.34") => (KeyAlgorithm::EcP384, 384),
                    Some("1.3.132.0.35") => (KeyAlgorithm::EcP521, 521),
                    _ => (KeyAlgorithm::EcOther, ec_point_bits(&key)),
                }
            }
            OID_ED25519 => (KeyAlgorithm::Ed25519, 256),
            OID_DSA => (KeyAlgorithm::Dsa, 0),
            _ => (KeyAlgorithm::Other, 0),
        };
        Ok(PublicKeyInfo {
            algorithm,
            bits,
            oid,
            spki_der: spki.raw.to_vec(),
            key,
        })
    }

    /// Describes a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, SignatureError> {
        let (_, spki) =
            SubjectPublicKeyInfo::from_der(der).map_err(|_| SignatureError::MalformedKey)?;
        Self::from_x509(&spki)
    }

    /// "RSA 2048", "ECDSA P-256", …
    pub fn describe(&self) -> String {
        match self.algorithm {
            KeyAlgorithm::Rsa | KeyAlgorithm::EcOther | KeyAlgorithm::Dsa => {
                format!("{} {}", self.algorithm.name(), self.bits)
            }
            _ => self.algorithm.name().to_owned(),
        }
    }

    /// Verifies `signature` over `message` with this key.
    pub fn verify(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        let algorithm = self.ring_algorithm(scheme)?;
        ring_sig::UnparsedPublicKey::new(algorithm, &self.key)
            .verify(message, signature)
            .map_err(|_| SignatureError::Invalid)
    }

    fn ring_algorithm(
        &self,
        scheme: SignatureScheme,
    ) -> Result<&'static dyn ring_sig::VerificationAlgorithm, SignatureError> {
        use DigestAlgorithm::*;
        use KeyAlgorithm::*;
        let algorithm: &'static dyn ring_sig::VerificationAlgorithm = match (scheme, self.algorithm)
        {
            (SignatureScheme::RsaPkcs1(Sha1), Rsa) => {
                &ring_sig::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY
            }
            (SignatureScheme::RsaPkcs1(Sha256), Rsa) => {
                &ring_sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY
            }
            (SignatureScheme::RsaPkcs1(Sha384), Rsa) => &ring_sig::RSA_PKCS1_2048_8192_SHA384,
            (SignatureScheme::RsaPkcs1(Sha512), Rsa) => {
                &ring_sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY
            }
            (SignatureScheme::RsaPss(Sha256), Rsa) => &ring_sig::RSA_PSS_2048_8192_SHA256,
            (SignatureScheme::RsaPss(Sha384), Rsa) => &ring_sig::RSA_PSS_2048_8192_SHA384,
            (SignatureScheme::RsaPss(Sha512), Rsa) => &ring_sig::RSA_PSS_2048_8192_SHA512,
            (SignatureScheme::Ecdsa(Sha256), EcP256) => &ring_sig::ECDSA_P256_SHA256_ASN1,
            (SignatureScheme::Ecdsa(Sha384), EcP256) => &ring_sig::ECDSA_P256_SHA384_ASN1,
            (SignatureScheme::Ecdsa(Sha256), EcP384) => &ring_sig::ECDSA_P384_SHA256_ASN1,
            (SignatureScheme::Ecdsa(Sha384), EcP384) => &ring_sig::ECDSA_P384_SHA384_ASN1,
            (SignatureScheme::Ed25519, Ed25519) => &ring_sig::ED25519,
            (scheme, key) => {
                return Err(SignatureError::UnsupportedKey {
                    scheme,
                    key: key.name(),
                    bits: self.bits,
                });
            }
        };
        Ok(algorithm)
    }
}

/// Results of verifications already done, keyed by the SHA-256 of the signed object (a
/// certificate or CRL) and of the certificate whose key verified it. Path building meets the same
/// links and CRLs again on every candidate path; hostile inputs can offer many of them.
#[derive(Debug, Default)]
pub struct VerificationCache(HashMap<([u8; 32], [u8; 32]), Result<(), SignatureError>>);

impl VerificationCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached result, or `verify`'s, remembered.
    pub fn get_or_verify(
        &mut self,
        object: &[u8; 32],
        key_owner: &[u8; 32],
        verify: impl FnOnce() -> Result<(), SignatureError>,
    ) -> Result<(), SignatureError> {
        self.0
            .entry((*object, *key_owner))
            .or_insert_with(verify)
            .clone()
    }
}

/// Size of an RSA modulus in bits, read from the RSAPublicKey DER.
fn rsa_modulus_bits(rsa_public_key: &[u8]) -> Result<u32, SignatureError> {
    use x509_parser::der_parser::der::{parse_der_integer, parse_der_sequence_defined_g};
    let (_, modulus) = parse_der_sequence_defined_g(|input, _| {
        let (input, modulus) = parse_der_integer(input)?;
        let (input, _exponent) = parse_der_integer(input)?;
        Ok((input, modulus))
    })(rsa_public_key)
    .map_err(|_| SignatureError::MalformedKey)?;
    let bytes = modulus
        .as_slice()
        .map_err(|_| SignatureError::MalformedKey)?;
    Ok(significant_bits(bytes))
}

/// Field size of an uncompressed or compressed EC point.
fn ec_point_bits(point: &[u8]) -> u32 {
    let coordinate_len = match point.first() {
        Some(0x04) => point.len().saturating_sub(1) / 2,
        Some(0x02 | 0x03) => point.len().saturating_sub(1),
        _ => 0,
    };
    u32::try_from(coordinate_len * 8).unwrap_or(0)
}

/// Number of significant bits of a big-endian unsigned integer.
fn significant_bits(bytes: &[u8]) -> u32 {
    let trimmed: &[u8] = match bytes.iter().position(|&byte| byte != 0) {
        Some(start) => bytes.get(start..).unwrap_or_default(),
        None => return 0,
    };
    let Some(&first) = trimmed.first() else {
        return 0;
    };
    let whole_bytes = u32::try_from(trimmed.len() - 1).unwrap_or(u32::MAX / 16);
    whole_bytes * 8 + (8 - first.leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_bits_ignore_the_sign_byte() {
        assert_eq!(significant_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(significant_bits(&[0x01, 0x00]), 9);
        assert_eq!(significant_bits(&[0x00]), 0);
        assert_eq!(significant_bits(&[]), 0);
    }

    #[test]
    fn key_only_identifiers_need_a_digest_hint() {
        let rsa_encryption_der = [
            0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05,
            0x00,
        ];
        assert!(matches!(
            SignatureScheme::from_der(&rsa_encryption_der, None),
            Err(SignatureError::UnsupportedAlgorithm { .. })
        ));
        assert_eq!(
            SignatureScheme::from_der(&rsa_encryption_der, Some(DigestAlgorithm::Sha256)),
            Ok(SignatureScheme::RsaPkcs1(DigestAlgorithm::Sha256))
        );
    }
}
