//! Signature algorithms: reading them from an `AlgorithmIdentifier` (a certificate's, a CRL's or
//! a SignerInfo's), writing the identifier CMS carries, and naming them for reports.

use std::fmt;

use const_oid::ObjectIdentifier;
use der::asn1::AnyRef;
use der::{Decode, Encode};
use rsa::pkcs1::{RsaPssParams, TrailerField};
use spki::{AlgorithmIdentifier, AlgorithmIdentifierOwned, AlgorithmIdentifierRef};

use super::digest::DigestAlgorithm;
use super::error::{CryptoError, UnsupportedAlgorithm};
use super::oid;

/// How a signature was made.
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

    /// Short name for reports: "RSA PKCS#1 v1.5 with SHA-256", "RSA-PSS with SHA-256".
    pub fn name(self) -> String {
        self.to_string()
    }

    /// Reads an `AlgorithmIdentifier`. Key-only identifiers (`rsaEncryption`, `id-ecPublicKey`),
    /// which CMS signers often write in place of a combined OID, take their digest from
    /// `digest_hint` (the SignerInfo's digestAlgorithm) and are unsupported without one.
    pub fn from_identifier(
        identifier: &AlgorithmIdentifierOwned,
        digest_hint: Option<DigestAlgorithm>,
    ) -> Result<Self, CryptoError> {
        use DigestAlgorithm::*;
        let needs_hint = || {
            digest_hint.ok_or(CryptoError::Unsupported(UnsupportedAlgorithm {
                what: "signature (key-only identifier without a digest)",
                oid: identifier.oid,
            }))
        };
        Ok(match identifier.oid {
            oid::RSA_ENCRYPTION => SignatureAlgorithm::RsaPkcs1v15(needs_hint()?),
            oid::MD2_WITH_RSA => SignatureAlgorithm::RsaPkcs1v15(Md2),
            oid::MD5_WITH_RSA => SignatureAlgorithm::RsaPkcs1v15(Md5),
            oid::SHA1_WITH_RSA | oid::SHA1_WITH_RSA_OIW => SignatureAlgorithm::RsaPkcs1v15(Sha1),
            oid::SHA224_WITH_RSA => SignatureAlgorithm::RsaPkcs1v15(Sha224),
            oid::SHA256_WITH_RSA => SignatureAlgorithm::RsaPkcs1v15(Sha256),
            oid::SHA384_WITH_RSA => SignatureAlgorithm::RsaPkcs1v15(Sha384),
            oid::SHA512_WITH_RSA => SignatureAlgorithm::RsaPkcs1v15(Sha512),
            oid::EC_PUBLIC_KEY => SignatureAlgorithm::Ecdsa(needs_hint()?),
            oid::ECDSA_WITH_SHA1 => SignatureAlgorithm::Ecdsa(Sha1),
            oid::ECDSA_WITH_SHA224 => SignatureAlgorithm::Ecdsa(Sha224),
            oid::ECDSA_WITH_SHA256 => SignatureAlgorithm::Ecdsa(Sha256),
            oid::ECDSA_WITH_SHA384 => SignatureAlgorithm::Ecdsa(Sha384),
            oid::ECDSA_WITH_SHA512 => SignatureAlgorithm::Ecdsa(Sha512),
            oid::ED25519 => SignatureAlgorithm::Ed25519,
            oid::RSASSA_PSS => pss_from_parameters(identifier)?,
            other => {
                return Err(UnsupportedAlgorithm {
                    what: "signature",
                    oid: other,
                }
                .into());
            }
        })
    }

    /// Reads a DER `AlgorithmIdentifier` (see [`Self::from_identifier`]).
    pub fn from_der(
        algorithm_identifier: &[u8],
        digest_hint: Option<DigestAlgorithm>,
    ) -> Result<Self, CryptoError> {
        let identifier =
            AlgorithmIdentifierOwned::from_der(algorithm_identifier).map_err(|_| {
                CryptoError::Malformed {
                    what: "AlgorithmIdentifier",
                    reason: "not DER".into(),
                }
            })?;
        Self::from_identifier(&identifier, digest_hint)
    }

    /// Reads an identifier parsed by x509-parser (a certificate's or CRL's signatureAlgorithm).
    pub fn from_x509(
        identifier: &x509_parser::x509::AlgorithmIdentifier<'_>,
    ) -> Result<Self, CryptoError> {
        use x509_parser::der_parser::asn1_rs::ToDer;
        let oid = ObjectIdentifier::from_bytes(identifier.algorithm.as_bytes()).map_err(|_| {
            CryptoError::Malformed {
                what: "signature algorithm identifier",
                reason: "invalid object identifier".into(),
            }
        })?;
        let malformed = || CryptoError::MalformedParameters {
            what: "signature",
            oid,
        };
        let parameters = match &identifier.parameters {
            Some(any) => {
                let der = any.to_der_vec().map_err(|_| malformed())?;
                Some(der::Any::from_der(&der).map_err(|_| malformed())?)
            }
            None => None,
        };
        Self::from_identifier(&AlgorithmIdentifier { oid, parameters }, None)
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
                    DigestAlgorithm::Sha224 => oid::ECDSA_WITH_SHA224,
                    DigestAlgorithm::Sha256 => oid::ECDSA_WITH_SHA256,
                    DigestAlgorithm::Sha384 => oid::ECDSA_WITH_SHA384,
                    DigestAlgorithm::Sha512 => oid::ECDSA_WITH_SHA512,
                    // No ECDSA identifier exists for these.
                    DigestAlgorithm::Md2 | DigestAlgorithm::Md5 => {
                        return Err(der::Tag::ObjectIdentifier.value_error());
                    }
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

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SignatureAlgorithm::RsaPkcs1v15(digest) => {
                write!(f, "RSA PKCS#1 v1.5 with {}", digest.name())
            }
            SignatureAlgorithm::RsaPss {
                digest,
                salt_length,
            } => {
                write!(f, "RSA-PSS with {}", digest.name())?;
                if usize::try_from(salt_length).ok() != Some(digest.output_len()) {
                    write!(f, " (salt {salt_length})")?;
                }
                Ok(())
            }
            SignatureAlgorithm::Ecdsa(digest) => write!(f, "ECDSA with {}", digest.name()),
            SignatureAlgorithm::Ed25519 => f.write_str("Ed25519"),
        }
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

/// RSASSA-PSS-params (RFC 4055 §3.1): MGF1 over the message digest and trailer field 1 are
/// required; any salt length is accepted (the prehash verifier handles what ring does not).
fn pss_from_parameters(
    identifier: &AlgorithmIdentifierOwned,
) -> Result<SignatureAlgorithm, CryptoError> {
    let malformed = || CryptoError::MalformedParameters {
        what: "RSASSA-PSS",
        oid: oid::RSASSA_PSS,
    };
    let encoded = identifier
        .parameters
        .as_ref()
        .and_then(|any| any.to_der().ok())
        .ok_or_else(malformed)?;
    let params = RsaPssParams::from_der(&encoded).map_err(|_| malformed())?;
    let digest = DigestAlgorithm::from_oid(params.hash.oid)?;
    if params.mask_gen.oid != oid::MGF1 {
        return Err(UnsupportedAlgorithm {
            what: "PSS mask generation",
            oid: params.mask_gen.oid,
        }
        .into());
    }
    let mgf_digest = params
        .mask_gen
        .parameters
        .map(|hash| hash.oid)
        .ok_or_else(malformed)?;
    if mgf_digest != params.hash.oid {
        return Err(UnsupportedAlgorithm {
            what: "PSS MGF1 digest (differs from the message digest)",
            oid: mgf_digest,
        }
        .into());
    }
    if params.trailer_field != TrailerField::BC {
        return Err(malformed());
    }
    Ok(SignatureAlgorithm::RsaPss {
        digest,
        salt_length: u32::from(params.salt_len),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA_ENCRYPTION_DER: [u8; 15] = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];

    #[test]
    fn key_only_identifiers_need_a_digest_hint() {
        assert!(matches!(
            SignatureAlgorithm::from_der(&RSA_ENCRYPTION_DER, None),
            Err(CryptoError::Unsupported(_))
        ));
        assert_eq!(
            SignatureAlgorithm::from_der(&RSA_ENCRYPTION_DER, Some(DigestAlgorithm::Sha256)),
            Ok(SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256))
        );
    }

    #[test]
    fn written_identifiers_read_back() {
        for algorithm in [
            SignatureAlgorithm::rsa_pss(DigestAlgorithm::Sha384),
            SignatureAlgorithm::RsaPss {
                digest: DigestAlgorithm::Sha256,
                salt_length: 20,
            },
            SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha224),
            SignatureAlgorithm::Ed25519,
        ] {
            let identifier = algorithm.algorithm_identifier().expect("encode");
            assert_eq!(
                SignatureAlgorithm::from_identifier(&identifier, None),
                Ok(algorithm)
            );
        }
    }

    #[test]
    fn names_mention_the_salt_only_when_unusual() {
        assert_eq!(
            SignatureAlgorithm::rsa_pss(DigestAlgorithm::Sha256).to_string(),
            "RSA-PSS with SHA-256"
        );
        let odd = SignatureAlgorithm::RsaPss {
            digest: DigestAlgorithm::Sha256,
            salt_length: 20,
        };
        assert_eq!(odd.to_string(), "RSA-PSS with SHA-256 (salt 20)");
    }
}
