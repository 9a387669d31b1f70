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
    use rand_core::OsRng;
    use rsa::pkcs8::EncodePublicKey;

    fn rsa_1024() -> (rsa::RsaPrivateKey, PublicKey) {
        let private = rsa::RsaPrivateKey::new(&mut OsRng, 1024).expect("RSA key");
        let spki = private.to_public_key().to_public_key_der().expect("SPKI");
        let public = PublicKey::from_spki_der(spki.as_bytes()).expect("public key");
        (private, public)
    }

    fn p256() -> (p256::ecdsa::SigningKey, PublicKey) {
        let private = p256::ecdsa::SigningKey::random(&mut OsRng);
        let mut spki = vec![
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        spki.extend_from_slice(private.verifying_key().to_encoded_point(false).as_bytes());
        let public = PublicKey::from_spki_der(&spki).expect("public key");
        (private, public)
    }

    fn pkcs1_sign(key: &rsa::RsaPrivateKey, digest: DigestAlgorithm, message: &[u8]) -> Vec<u8> {
        let scheme = rsa::Pkcs1v15Sign {
            hash_len: Some(digest.output_len()),
            prefix: digest_info_prefix(digest).into(),
        };
        key.sign(scheme, &digest.digest(message)).expect("sign")
    }

    /// RSA below ring's 2048 bits, with the legacy digests policy refuses: verified, so that
    /// policy can judge them by name.
    #[test]
    fn small_rsa_keys_and_legacy_digests_verify_through_the_prehash_path() {
        let (private, public) = rsa_1024();
        assert_eq!(public.kind(), KeyKind::Rsa { modulus_bits: 1024 });
        let message = b"to be signed";
        for digest in [
            DigestAlgorithm::Md5,
            DigestAlgorithm::Sha1,
            DigestAlgorithm::Sha224,
            DigestAlgorithm::Sha256,
        ] {
            let algorithm = SignatureAlgorithm::RsaPkcs1v15(digest);
            let signature = pkcs1_sign(&private, digest, message);
            assert_eq!(
                public.verify(algorithm, Signed::Message(message), &signature),
                Ok(()),
                "{digest:?}"
            );
            assert_eq!(
                public.verify(
                    algorithm,
                    Signed::Prehash(&digest.digest(message)),
                    &signature
                ),
                Ok(())
            );
            assert_eq!(
                public.verify(algorithm, Signed::Message(b"another"), &signature),
                Err(CryptoError::SignatureInvalid)
            );
        }
    }

    #[test]
    fn pss_with_an_uncommon_salt_verifies() {
        let (private, public) = rsa_1024();
        let message = b"PSS";
        let digest = DigestAlgorithm::Sha256.digest(message);
        let signature = private
            .sign_with_rng(
                &mut OsRng,
                rsa::Pss::new_with_salt::<sha2::Sha256>(20),
                &digest,
            )
            .expect("sign");
        let odd_salt = SignatureAlgorithm::RsaPss {
            digest: DigestAlgorithm::Sha256,
            salt_length: 20,
        };
        assert_eq!(
            public.verify(odd_salt, Signed::Message(message), &signature),
            Ok(())
        );
        assert_eq!(
            public.verify(
                SignatureAlgorithm::rsa_pss(DigestAlgorithm::Sha256),
                Signed::Message(message),
                &signature
            ),
            Err(CryptoError::SignatureInvalid)
        );
    }

    /// P-256 with SHA-256 goes through ring, with SHA-512 through p256; a message and its
    /// prehash are the same thing to both.
    #[test]
    fn ecdsa_verifies_from_a_message_or_a_prehash() {
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        let (private, public) = p256();
        let message = b"ECDSA";
        for digest in [DigestAlgorithm::Sha256, DigestAlgorithm::Sha512] {
            let prehash = digest.digest(message);
            let signature: p256::ecdsa::Signature = private.sign_prehash(&prehash).expect("sign");
            let der = signature.to_der();
            let algorithm = SignatureAlgorithm::Ecdsa(digest);
            assert_eq!(
                public.verify(algorithm, Signed::Message(message), der.as_bytes()),
                Ok(()),
                "{digest:?}"
            );
            assert_eq!(
                public.verify(algorithm, Signed::Prehash(&prehash), der.as_bytes()),
                Ok(())
            );
            assert_eq!(
                public.verify(algorithm, Signed::Prehash(&prehash[1..]), der.as_bytes()),
                Err(CryptoError::DigestLength {
                    algorithm: digest,
                    expected: digest.output_len(),
                    found: digest.output_len() - 1,
                })
            );
        }
    }

    #[test]
    fn mismatched_and_unverifiable_combinations_are_not_called_invalid() {
        let (_, public) = p256();
        assert!(matches!(
            public.verify(SignatureAlgorithm::Ed25519, Signed::Message(b"x"), &[0; 64]),
            Err(CryptoError::AlgorithmKeyMismatch { .. })
        ));
        let pkcs8 =
            ring_signature::Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
                .expect("Ed25519 key");
        let pair = ring_signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).expect("pair");
        let mut spki = vec![
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
        ];
        spki.extend_from_slice(ring_signature::KeyPair::public_key(&pair).as_ref());
        let ed25519 = PublicKey::from_spki_der(&spki).expect("Ed25519 SPKI");
        let signature = pair.sign(b"x");
        assert_eq!(
            ed25519.verify(
                SignatureAlgorithm::Ed25519,
                Signed::Message(b"x"),
                signature.as_ref()
            ),
            Ok(())
        );
        assert!(matches!(
            ed25519.verify(
                SignatureAlgorithm::Ed25519,
                Signed::Prehash(&[0; 64]),
                signature.as_ref()
            ),
            Err(CryptoError::NotVerifiable { .. })
        ));
    }

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
