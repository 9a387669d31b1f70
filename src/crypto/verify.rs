//! Signature verification: ring where it implements the key, digest and size, the RustCrypto
//! prehash verifiers otherwise. Purely cryptographic: legacy digests and small RSA keys verify,
//! and policy judges them elsewhere.

use p256::ecdsa::signature::hazmat::PrehashVerifier;
use ring::signature::{self as ring_signature, UnparsedPublicKey, VerificationAlgorithm};

use super::algorithm::SignatureAlgorithm;
use super::digest::DigestAlgorithm;
use super::error::CryptoError;
use super::key::{EcCurve, KeyKind, PublicKey};

/// What the signature was computed over.
#[derive(Debug, Clone, Copy)]
pub enum Signed<'a> {
    /// The message itself (a certificate's TBS, the DER of CMS signed attributes).
    Message(&'a [u8]),
    /// A digest of the message, computed by the caller with the algorithm's digest (CMS without
    /// signed attributes, a token that signs a prehash).
    Prehash(&'a [u8]),
}

/// The largest RSA modulus accepted on the prehash path.
const MAX_RSA_BITS: usize = 16384;

impl PublicKey {
    /// Verifies `signature`, made with `algorithm`, over `signed`. Only
    /// [`CryptoError::SignatureInvalid`] says the signature is wrong.
    pub fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        signed: Signed<'_>,
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        if !self.kind().fits(algorithm) {
            return Err(CryptoError::AlgorithmKeyMismatch {
                algorithm: algorithm.name(),
                key: self.kind().name(),
            });
        }
        match signed {
            Signed::Message(message) => match ring_algorithm(self.kind(), algorithm) {
                Some(ring_algorithm) => UnparsedPublicKey::new(ring_algorithm, self.key_bytes())
                    .verify(message, signature)
                    .map_err(|_| CryptoError::SignatureInvalid),
                None if algorithm == SignatureAlgorithm::Ed25519 => {
                    Err(self.not_verifiable(algorithm, "over a message"))
                }
                None => {
                    self.verify_prehash(algorithm, &algorithm.digest().digest(message), signature)
                }
            },
            Signed::Prehash(digest) => {
                let expected = algorithm.digest().output_len();
                if digest.len() != expected {
                    return Err(CryptoError::DigestLength {
                        algorithm: algorithm.digest(),
                        expected,
                        found: digest.len(),
                    });
                }
                self.verify_prehash(algorithm, digest, signature)
            }
        }
    }

    fn verify_prehash(
        &self,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        match (self.kind(), algorithm) {
            (KeyKind::Rsa { .. }, SignatureAlgorithm::RsaPkcs1v15(digest_algorithm)) => {
                let scheme = rsa::Pkcs1v15Sign {
                    hash_len: Some(digest_algorithm.output_len()),
                    prefix: digest_info_prefix(digest_algorithm).into(),
                };
                self.rsa_key()?
                    .verify(scheme, digest, signature)
                    .map_err(invalid)
            }
            (
                KeyKind::Rsa { .. },
                SignatureAlgorithm::RsaPss {
                    digest: digest_algorithm,
                    salt_length,
                },
            ) => {
                let salt = usize::try_from(salt_length).map_err(invalid)?;
                let scheme = match digest_algorithm {
                    DigestAlgorithm::Sha224 => rsa::Pss::new_with_salt::<sha2::Sha224>(salt),
                    DigestAlgorithm::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
                    DigestAlgorithm::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
                    DigestAlgorithm::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
                    DigestAlgorithm::Md2 | DigestAlgorithm::Md5 | DigestAlgorithm::Sha1 => {
                        return Err(self.not_verifiable(algorithm, "over a prehash"));
                    }
                };
                self.rsa_key()?
                    .verify(scheme, digest, signature)
                    .map_err(invalid)
            }
            (KeyKind::Ec(EcCurve::P256), SignatureAlgorithm::Ecdsa(_)) => {
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(self.key_bytes())
                    .map_err(|_| malformed_point("P-256"))?;
                let signature = p256::ecdsa::Signature::from_der(signature).map_err(invalid)?;
                key.verify_prehash(digest, &signature).map_err(invalid)
            }
            (KeyKind::Ec(EcCurve::P384), SignatureAlgorithm::Ecdsa(_)) => {
                let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(self.key_bytes())
                    .map_err(|_| malformed_point("P-384"))?;
                let signature = p384::ecdsa::Signature::from_der(signature).map_err(invalid)?;
                key.verify_prehash(digest, &signature).map_err(invalid)
            }
            (KeyKind::Ec(EcCurve::P521), SignatureAlgorithm::Ecdsa(_)) => {
                let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(self.key_bytes())
                    .map_err(|_| malformed_point("P-521"))?;
                let signature = p521::ecdsa::Signature::from_der(signature).map_err(invalid)?;
                key.verify_prehash(digest, &signature).map_err(invalid)
            }
            _ => Err(self.not_verifiable(algorithm, "over a prehash")),
        }
    }

    fn rsa_key(&self) -> Result<rsa::RsaPublicKey, CryptoError> {
        use der::Decode;
        let malformed = |reason: &str| CryptoError::Malformed {
            what: "RSA public key",
            reason: reason.to_owned(),
        };
        let key = rsa::pkcs1::RsaPublicKey::from_der(self.key_bytes())
            .map_err(|_| malformed("not a DER RSAPublicKey"))?;
        rsa::RsaPublicKey::new_with_max_size(
            rsa::BigUint::from_bytes_be(key.modulus.as_bytes()),
            rsa::BigUint::from_bytes_be(key.public_exponent.as_bytes()),
            MAX_RSA_BITS,
        )
        .map_err(|_| malformed("unusable modulus or exponent"))
    }

    fn not_verifiable(&self, algorithm: SignatureAlgorithm, over: &'static str) -> CryptoError {
        CryptoError::NotVerifiable {
            algorithm: algorithm.name(),
            key: self.kind().name(),
            over,
        }
    }
}

fn invalid<E>(_: E) -> CryptoError {
    CryptoError::SignatureInvalid
}

fn malformed_point(curve: &'static str) -> CryptoError {
    CryptoError::Malformed {
        what: "EC public key",
        reason: format!("not a point on {curve}"),
    }
}

/// ring's verifier for the combination, if ring has one. RSA keys outside 2048–8192 bits, PSS
/// with a salt other than the digest length, P-521 and the less common digest pairings are left
/// to the prehash verifiers.
fn ring_algorithm(
    key: KeyKind,
    algorithm: SignatureAlgorithm,
) -> Option<&'static dyn VerificationAlgorithm> {
    use DigestAlgorithm::{Sha1, Sha256, Sha384, Sha512};
    use SignatureAlgorithm::{Ecdsa, Ed25519, RsaPkcs1v15, RsaPss};
    let standard_salt = |digest: DigestAlgorithm, salt: u32| {
        usize::try_from(salt).ok() == Some(digest.output_len())
    };
    Some(match (key, algorithm) {
        (KeyKind::Rsa { modulus_bits }, _) if !(2048..=8192).contains(&modulus_bits) => {
            return None;
        }
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
            _ => return None,
        },
        (KeyKind::Ec(EcCurve::P256), Ecdsa(Sha256)) => &ring_signature::ECDSA_P256_SHA256_ASN1,
        (KeyKind::Ec(EcCurve::P256), Ecdsa(Sha384)) => &ring_signature::ECDSA_P256_SHA384_ASN1,
        (KeyKind::Ec(EcCurve::P384), Ecdsa(Sha256)) => &ring_signature::ECDSA_P384_SHA256_ASN1,
        (KeyKind::Ec(EcCurve::P384), Ecdsa(Sha384)) => &ring_signature::ECDSA_P384_SHA384_ASN1,
        (KeyKind::Ed25519, Ed25519) => &ring_signature::ED25519,
        _ => return None,
    })
}

/// The DER `DigestInfo` prefix that PKCS#1 v1.5 puts before the digest (RFC 8017 §9.2 note 1).
fn digest_info_prefix(digest: DigestAlgorithm) -> &'static [u8] {
    match digest {
        DigestAlgorithm::Md2 => &[
            0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x02,
            0x05, 0x00, 0x04, 0x10,
        ],
        DigestAlgorithm::Md5 => &[
            0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05,
            0x05, 0x00, 0x04, 0x10,
        ],
        DigestAlgorithm::Sha1 => &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ],
        DigestAlgorithm::Sha224 => &[
            0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x04, 0x05, 0x00, 0x04, 0x1c,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The prefix followed by a digest must be the DER DigestInfo of that digest.
    #[test]
    fn digest_info_prefixes_encode_their_algorithm() {
        for algorithm in [
            DigestAlgorithm::Md2,
            DigestAlgorithm::Md5,
            DigestAlgorithm::Sha1,
            DigestAlgorithm::Sha224,
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
            let prefix = digest_info_prefix(algorithm);
            let oid = der::Encode::to_der(&algorithm.oid()).expect("oid");
            assert!(
                prefix.windows(oid.len()).any(|window| window == oid),
                "{algorithm:?}"
            );
            assert_eq!(
                usize::from(prefix[1]) + 2,
                prefix.len() + algorithm.output_len(),
                "{algorithm:?}"
            );
            assert_eq!(
                usize::from(prefix[prefix.len() - 1]),
                algorithm.output_len()
            );
        }
    }
}
