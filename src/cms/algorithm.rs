//! Digest, signature and public-key algorithms: the closed set vanthu signs and verifies with, and
//! their object identifiers. Anything else maps to a typed "unsupported" error carrying the OID, so
//! a verifier can report exactly what it met.

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitString};
use der::{Decode, Encode};
use rsa::pkcs1::{RsaPssParams, TrailerField};
use spki::{AlgorithmIdentifier, AlgorithmIdentifierOwned, AlgorithmIdentifierRef};

use super::error::UnsupportedAlgorithm;

/// Object identifiers used by the CMS layer.
pub mod oid {
    use const_oid::ObjectIdentifier as Oid;

    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");

    pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
    pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
    pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");

    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    pub const ECDSA_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
    pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
    pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
    pub const SECP521R1: Oid = Oid::new_unwrap("1.3.132.0.35");
    pub const ED25519: Oid = Oid::new_unwrap("1.3.101.112");

    pub const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
    pub const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
    pub const ID_CT_TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");

    pub const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
    pub const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
    pub const SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
    pub const SIGNING_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
    pub const SIGNATURE_TIME_STAMP_TOKEN: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.14");
    pub const SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
}

/// A message digest algorithm. SHA-1 is recognised so that policy can reject it by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    pub fn from_oid(oid: ObjectIdentifier) -> Result<Self, UnsupportedAlgorithm> {
        match oid {
            oid::SHA1 => Ok(DigestAlgorithm::Sha1),
            oid::SHA256 => Ok(DigestAlgorithm::Sha256),
            oid::SHA384 => Ok(DigestAlgorithm::Sha384),
            oid::SHA512 => Ok(DigestAlgorithm::Sha512),
            other => Err(UnsupportedAlgorithm {
                what: "digest",
                oid: other,
            }),
        }
    }

    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Sha1 => oid::SHA1,
            DigestAlgorithm::Sha256 => oid::SHA256,
            DigestAlgorithm::Sha384 => oid::SHA384,
            DigestAlgorithm::Sha512 => oid::SHA512,
        }
    }

    /// Short name for reports: "SHA-256".
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => "SHA-1",
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha384 => "SHA-384",
            DigestAlgorithm::Sha512 => "SHA-512",
        }
    }

    pub fn output_len(self) -> usize {
        self.ring().output_len()
    }

    /// The identifier written into CMS: parameters absent, as RFC 5754 prefers.
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifier {
            oid: self.oid(),
            parameters: None,
        }
    }

    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        ring::digest::digest(self.ring(), data).as_ref().to_vec()
    }

    /// An incremental hasher, for data that arrives in pieces (PDF byte ranges).
    pub fn hasher(self) -> ring::digest::Context {
        ring::digest::Context::new(self.ring())
    }

    fn ring(self) -> &'static ring::digest::Algorithm {
        match self {
            DigestAlgorithm::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            DigestAlgorithm::Sha256 => &ring::digest::SHA256,
            DigestAlgorithm::Sha384 => &ring::digest::SHA384,
            DigestAlgorithm::Sha512 => &ring::digest::SHA512,
        }
    }
}

/// A signature algorithm as CMS names it in `SignerInfo.signatureAlgorithm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    RsaPkcs1v15(DigestAlgorithm),
    /// RSASSA-PSS with MGF1 over the same digest and trailer field 1.
    RsaPss {
        digest: DigestAlgorithm,
        salt_length: u32,
    },
    Ecdsa(DigestAlgorithm),
    Ed25519,
}

impl SignatureAlgorithm {
    /// RSASSA-PSS with the salt as long as the digest, the form ring signs and verifies.
    pub fn rsa_pss(digest: DigestAlgorithm) -> Self {
        SignatureAlgorithm::RsaPss {
            digest,
            salt_length: u32::try_from(digest.output_len()).unwrap_or(32),
        }
    }

    /// The digest the signature is computed over (Ed25519: SHA-512 by RFC 8419).
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            SignatureAlgorithm::RsaPkcs1v15(digest)
            | SignatureAlgorithm::RsaPss { digest, .. }
            | SignatureAlgorithm::Ecdsa(digest) => digest,
            SignatureAlgorithm::Ed25519 => DigestAlgorithm::Sha512,
        }
    }

    /// Short name for reports: "RSA PKCS#1 v1.5 with SHA-256".
    pub fn name(self) -> String {
        match self {
            SignatureAlgorithm::RsaPkcs1v15(digest) => {
                format!("RSA PKCS#1 v1.5 with {}", digest.name())
            }
            SignatureAlgorithm::RsaPss {
                digest,
                salt_length,
            } => format!("RSASSA-PSS with {} (salt {salt_length})", digest.name()),
            SignatureAlgorithm::Ecdsa(digest) => format!("ECDSA with {}", digest.name()),
            SignatureAlgorithm::Ed25519 => "Ed25519".to_string(),
        }
    }

    /// Reads `SignerInfo.signatureAlgorithm`. `rsaEncryption` and `id-ecPublicKey` (used by some
    /// signers in place of a combined OID) take their digest from `SignerInfo.digestAlgorithm`.
    pub fn from_cms(
        identifier: &AlgorithmIdentifierOwned,
        digest_algorithm: DigestAlgorithm,
    ) -> Result<Self, UnsupportedAlgorithm> {
        let unsupported = |oid| UnsupportedAlgorithm {
            what: "signature",
            oid,
        };
        Ok(match identifier.oid {
            oid::RSA_ENCRYPTION => SignatureAlgorithm::RsaPkcs1v15(digest_algorithm),
            oid::SHA1_WITH_RSA => SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha1),
            oid::SHA256_WITH_RSA => SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256),
            oid::SHA384_WITH_RSA => SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha384),
            oid::SHA512_WITH_RSA => SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha512),
            oid::EC_PUBLIC_KEY => SignatureAlgorithm::Ecdsa(digest_algorithm),
            oid::ECDSA_WITH_SHA1 => SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha1),
            oid::ECDSA_WITH_SHA256 => SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256),
            oid::ECDSA_WITH_SHA384 => SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha384),
            oid::ECDSA_WITH_SHA512 => SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha512),
            oid::ED25519 => SignatureAlgorithm::Ed25519,
            oid::RSASSA_PSS => pss_from_parameters(identifier)?,
            other => return Err(unsupported(other)),
        })
    }

    /// The identifier written into `SignerInfo.signatureAlgorithm`. RSA PKCS#1 v1.5 is written as
    /// `rsaEncryption`, the form most verifiers (and OpenSSL itself) use in CMS.
    pub fn algorithm_identifier(self) -> Result<AlgorithmIdentifierOwned, der::Error> {
        Ok(match self {
            SignatureAlgorithm::RsaPkcs1v15(_) => AlgorithmIdentifier {
                oid: oid::RSA_ENCRYPTION,
                parameters: Some(AnyRef::NULL.into()),
            },
            SignatureAlgorithm::RsaPss {
                digest,
                salt_length,
            } => AlgorithmIdentifier {
                oid: oid::RSASSA_PSS,
                parameters: Some(pss_parameters(digest, salt_length)?),
            },
            SignatureAlgorithm::Ecdsa(digest) => AlgorithmIdentifier {
                oid: match digest {
                    DigestAlgorithm::Sha1 => oid::ECDSA_WITH_SHA1,
                    DigestAlgorithm::Sha256 => oid::ECDSA_WITH_SHA256,
                    DigestAlgorithm::Sha384 => oid::ECDSA_WITH_SHA384,
                    DigestAlgorithm::Sha512 => oid::ECDSA_WITH_SHA512,
                },
                parameters: None,
            },
            SignatureAlgorithm::Ed25519 => AlgorithmIdentifier {
                oid: oid::ED25519,
                parameters: None,
            },
        })
    }
}

fn pss_parameters(digest: DigestAlgorithm, salt_length: u32) -> Result<der::Any, der::Error> {
    let hash = AlgorithmIdentifierRef {
        oid: digest.oid(),
        parameters: Some(AnyRef::NULL),
    };
    let params = RsaPssParams {
        hash,
        mask_gen: AlgorithmIdentifier {
            oid: oid::MGF1,
            parameters: Some(hash),
        },
        salt_len: u8::try_from(salt_length).map_err(|_| der::Tag::Integer.value_error())?,
        trailer_field: TrailerField::BC,
    };
    der::Any::from_der(&params.to_der()?)
}

fn pss_from_parameters(
    identifier: &AlgorithmIdentifierOwned,
) -> Result<SignatureAlgorithm, UnsupportedAlgorithm> {
    let unsupported = UnsupportedAlgorithm {
        what: "RSASSA-PSS parameters of the",
        oid: oid::RSASSA_PSS,
    };
    let encoded = identifier
        .parameters
        .as_ref()
        .and_then(|any| any.to_der().ok())
        .ok_or(unsupported.clone())?;
    let params = RsaPssParams::from_der(&encoded).map_err(|_| unsupported.clone())?;
    let digest = DigestAlgorithm::from_oid(params.hash.oid)?;
    let mgf_digest = params
        .mask_gen
        .parameters
        .map(|hash| hash.oid)
        .ok_or(unsupported.clone())?;
    if params.mask_gen.oid != oid::MGF1 {
        return Err(UnsupportedAlgorithm {
            what: "PSS mask generation",
            oid: params.mask_gen.oid,
        });
    }
    if mgf_digest != params.hash.oid {
        return Err(UnsupportedAlgorithm {
            what: "PSS MGF1 digest (differs from the message digest)",
            oid: mgf_digest,
        });
    }
    if params.trailer_field != TrailerField::BC {
        return Err(unsupported);
    }
    Ok(SignatureAlgorithm::RsaPss {
        digest,
        salt_length: u32::from(params.salt_len),
    })
}

/// The elliptic curves we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EcCurve {
    P256,
    P384,
    P521,
}

impl EcCurve {
    pub fn from_oid(oid: ObjectIdentifier) -> Result<Self, UnsupportedAlgorithm> {
        match oid {
            oid::SECP256R1 => Ok(EcCurve::P256),
            oid::SECP384R1 => Ok(EcCurve::P384),
            oid::SECP521R1 => Ok(EcCurve::P521),
            other => Err(UnsupportedAlgorithm {
                what: "elliptic curve",
                oid: other,
            }),
        }
    }

    pub fn oid(self) -> ObjectIdentifier {
        match self {
            EcCurve::P256 => oid::SECP256R1,
            EcCurve::P384 => oid::SECP384R1,
            EcCurve::P521 => oid::SECP521R1,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            EcCurve::P256 => "P-256",
            EcCurve::P384 => "P-384",
            EcCurve::P521 => "P-521",
        }
    }
}

/// What kind of key a certificate holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    Rsa { modulus_bits: usize },
    Ec(EcCurve),
    Ed25519,
}

impl KeyKind {
    /// "RSA-2048", "ECDSA P-256", "Ed25519".
    pub fn name(self) -> String {
        match self {
            KeyKind::Rsa { modulus_bits } => format!("RSA-{modulus_bits}"),
            KeyKind::Ec(curve) => format!("ECDSA {}", curve.name()),
            KeyKind::Ed25519 => "Ed25519".to_string(),
        }
    }

    /// Whether a signature algorithm can be made with a key of this kind.
    pub fn fits(self, algorithm: SignatureAlgorithm) -> bool {
        matches!(
            (self, algorithm),
            (
                KeyKind::Rsa { .. },
                SignatureAlgorithm::RsaPkcs1v15(_) | SignatureAlgorithm::RsaPss { .. }
            ) | (KeyKind::Ec(_), SignatureAlgorithm::Ecdsa(_))
                | (KeyKind::Ed25519, SignatureAlgorithm::Ed25519)
        )
    }
}

/// A subject public key as the verifier needs it: its kind and the raw key bytes (PKCS#1
/// `RSAPublicKey` DER for RSA, the uncompressed point for EC, 32 bytes for Ed25519).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub kind: KeyKind,
    pub key: Vec<u8>,
}

impl PublicKey {
    /// Reads a DER `SubjectPublicKeyInfo`.
    pub fn from_spki_der(spki_der: &[u8]) -> Result<Self, PublicKeyError> {
        let spki = spki::SubjectPublicKeyInfo::<der::Any, BitString>::from_der(spki_der)
            .map_err(PublicKeyError::Malformed)?;
        let key = spki
            .subject_public_key
            .as_bytes()
            .ok_or(PublicKeyError::Malformed(der::Tag::BitString.value_error()))?
            .to_vec();
        let kind = match spki.algorithm.oid {
            oid::RSA_ENCRYPTION => KeyKind::Rsa {
                modulus_bits: rsa_modulus_bits(&key)?,
            },
            oid::EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|any| any.decode_as::<ObjectIdentifier>().ok())
                    .ok_or(PublicKeyError::MissingCurve)?;
                KeyKind::Ec(EcCurve::from_oid(curve)?)
            }
            oid::ED25519 => KeyKind::Ed25519,
            other => {
                return Err(UnsupportedAlgorithm {
                    what: "public key",
                    oid: other,
                }
                .into());
            }
        };
        Ok(PublicKey { kind, key })
    }
}

fn rsa_modulus_bits(rsa_public_key: &[u8]) -> Result<usize, PublicKeyError> {
    let key = rsa::pkcs1::RsaPublicKey::from_der(rsa_public_key)
        .map_err(|_| PublicKeyError::Malformed(der::Tag::Sequence.value_error()))?;
    let modulus = key.modulus.as_bytes();
    let leading = modulus.iter().take_while(|&&byte| byte == 0).count();
    let significant = modulus.get(leading..).unwrap_or_default();
    Ok(match significant.first() {
        Some(first) => {
            (significant.len() - 1) * 8 + (8 - usize::try_from(first.leading_zeros()).unwrap_or(0))
        }
        None => 0,
    })
}

/// Why a public key could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PublicKeyError {
    #[error("malformed subject public key: {0}")]
    Malformed(#[source] der::Error),
    #[error("EC public key without a named curve")]
    MissingCurve,
    #[error(transparent)]
    Unsupported(#[from] UnsupportedAlgorithm),
}
