//! What a signer is for CMS — a certificate, the chain to embed, a signature algorithm and a
//! `sign` over the signed-attribute bytes — and `LocalKey`, a signer holding a PKCS#8 key in
//! memory and signing with ring.

use std::fmt;

use ring::rand::SystemRandom;
use ring::signature::{self as ring_signature, KeyPair};

use crate::crypto::{
    CryptoError, DigestAlgorithm, EcCurve, KeyKind, PublicKey, SignatureAlgorithm, private_key_kind,
};

/// Something that can sign CMS signed attributes for one certificate: a local key, a USB token
/// behind a client, an HSM.
pub trait Signer: Send + Sync {
    /// The signer's certificate (DER).
    fn certificate(&self) -> &[u8];
    /// Intermediate certificates to embed after the signer's (DER), nearest issuer first.
    fn chain(&self) -> &[Vec<u8>];
    /// The algorithm `sign` uses.
    fn signature_algorithm(&self) -> SignatureAlgorithm;
    /// Signs `message` (the DER of the signed-attribute SET) and returns the signature value as
    /// CMS carries it (PKCS#1 bytes, DER ECDSA-Sig-Value, or 64 Ed25519 bytes).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError>;
}

/// Why a signer could not be made or could not sign.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    #[error("the private key cannot be used: {0}")]
    Key(#[from] CryptoError),
    #[error("the private key was rejected ({key}): {reason}")]
    KeyRejected { key: String, reason: String },
    #[error("the signer certificate cannot be read: {0}")]
    Certificate(String),
    #[error(
        "the private key does not match the certificate's public key / khóa bí mật không khớp với chứng thư số"
    )]
    KeyMismatch,
    #[error("{algorithm} cannot be made with a {key} key")]
    AlgorithmNotForKey { algorithm: String, key: String },
    #[error("{algorithm} is not supported for signing with a {key} key")]
    UnsupportedForSigning { algorithm: String, key: String },
    #[error("the signature operation failed")]
    SigningFailed,
    #[error("external signer: {0}")]
    External(String),
}

enum RingKey {
    Rsa(ring_signature::RsaKeyPair),
    Ecdsa(ring_signature::EcdsaKeyPair),
    Ed25519(ring_signature::Ed25519KeyPair),
}

/// A signer with its private key in memory (development keys, the agency seal's server key once
/// unsealed, a PKCS#12 file given on the command line).
pub struct LocalKey {
    key: RingKey,
    kind: KeyKind,
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
    algorithm: SignatureAlgorithm,
    rng: SystemRandom,
}

impl fmt::Debug for LocalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKey")
            .field("key", &self.kind.name())
            .field("algorithm", &self.algorithm)
            .field("chain", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl LocalKey {
    /// A signer from a PKCS#8 DER key and its certificate, with the usual algorithm for the key:
    /// RSA PKCS#1 v1.5 with SHA-256, ECDSA P-256 with SHA-256, P-384 with SHA-384, Ed25519.
    pub fn new(
        pkcs8_der: &[u8],
        certificate_der: Vec<u8>,
        chain: Vec<Vec<u8>>,
    ) -> Result<Self, SignerError> {
        let kind = private_key_kind(pkcs8_der)?;
        let algorithm = default_algorithm(kind).ok_or(SignerError::UnsupportedForSigning {
            algorithm: "any".into(),
            key: kind.name(),
        })?;
        Self::with_algorithm(pkcs8_der, certificate_der, chain, algorithm)
    }

    /// A signer with a chosen algorithm. Refuses a key that does not match the certificate and
    /// an algorithm ring cannot sign with this key.
    pub fn with_algorithm(
        pkcs8_der: &[u8],
        certificate_der: Vec<u8>,
        chain: Vec<Vec<u8>>,
        algorithm: SignatureAlgorithm,
    ) -> Result<Self, SignerError> {
        let kind = private_key_kind(pkcs8_der)?;
        let rejected = |error: ring::error::KeyRejected| SignerError::KeyRejected {
            key: kind.name(),
            reason: error.to_string(),
        };
        if !kind.fits(algorithm) {
            return Err(SignerError::AlgorithmNotForKey {
                algorithm: algorithm.name(),
                key: kind.name(),
            });
        }
        let unsupported = || SignerError::UnsupportedForSigning {
            algorithm: algorithm.name(),
            key: kind.name(),
        };
        // ring signs with SHA-256, SHA-384 and SHA-512 only (and Ed25519 with its own).
        if !matches!(
            algorithm.digest(),
            DigestAlgorithm::Sha256 | DigestAlgorithm::Sha384 | DigestAlgorithm::Sha512
        ) {
            return Err(unsupported());
        }
        let rng = SystemRandom::new();
        let key = match kind {
            KeyKind::Rsa { .. } => {
                if let SignatureAlgorithm::RsaPss {
                    digest,
                    salt_length,
                } = algorithm
                    && usize::try_from(salt_length).ok() != Some(digest.output_len())
                {
                    return Err(unsupported());
                }
                RingKey::Rsa(ring_signature::RsaKeyPair::from_pkcs8(pkcs8_der).map_err(rejected)?)
            }
            KeyKind::Ec(curve) => {
                let signing = match (curve, algorithm.digest()) {
                    (EcCurve::P256, DigestAlgorithm::Sha256) => {
                        &ring_signature::ECDSA_P256_SHA256_ASN1_SIGNING
                    }
                    (EcCurve::P384, DigestAlgorithm::Sha384) => {
                        &ring_signature::ECDSA_P384_SHA384_ASN1_SIGNING
                    }
                    _ => return Err(unsupported()),
                };
                RingKey::Ecdsa(
                    ring_signature::EcdsaKeyPair::from_pkcs8(signing, pkcs8_der, &rng)
                        .map_err(rejected)?,
                )
            }
            KeyKind::Ed25519 => RingKey::Ed25519(
                ring_signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8_der)
                    .map_err(rejected)?,
            ),
            KeyKind::EcOther { .. } | KeyKind::Dsa | KeyKind::Other => return Err(unsupported()),
        };
        let certificate_key = certificate_public_key(&certificate_der)?;
        let key_bytes = match &key {
            RingKey::Rsa(pair) => pair.public_key().as_ref(),
            RingKey::Ecdsa(pair) => pair.public_key().as_ref(),
            RingKey::Ed25519(pair) => pair.public_key().as_ref(),
        };
        if certificate_key.key_bytes() != key_bytes {
            return Err(SignerError::KeyMismatch);
        }
        Ok(LocalKey {
            key,
            kind: certificate_key.kind(),
            certificate: certificate_der,
            chain,
            algorithm,
            rng,
        })
    }

    /// The kind of key held.
    pub fn key_kind(&self) -> KeyKind {
        self.kind
    }
}

impl Signer for LocalKey {
    fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn signature_algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        match &self.key {
            RingKey::Rsa(pair) => {
                let padding: &'static dyn ring_signature::RsaEncoding = match self.algorithm {
                    SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256) => {
                        &ring_signature::RSA_PKCS1_SHA256
                    }
                    SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha384) => {
                        &ring_signature::RSA_PKCS1_SHA384
                    }
                    SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha512) => {
                        &ring_signature::RSA_PKCS1_SHA512
                    }
                    SignatureAlgorithm::RsaPss {
                        digest: DigestAlgorithm::Sha256,
                        ..
                    } => &ring_signature::RSA_PSS_SHA256,
                    SignatureAlgorithm::RsaPss {
                        digest: DigestAlgorithm::Sha384,
                        ..
                    } => &ring_signature::RSA_PSS_SHA384,
                    SignatureAlgorithm::RsaPss {
                        digest: DigestAlgorithm::Sha512,
                        ..
                    } => &ring_signature::RSA_PSS_SHA512,
                    _ => return Err(SignerError::SigningFailed),
                };
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(padding, &self.rng, message, &mut signature)
                    .map_err(|_| SignerError::SigningFailed)?;
                Ok(signature)
            }
            RingKey::Ecdsa(pair) => Ok(pair
                .sign(&self.rng, message)
                .map_err(|_| SignerError::SigningFailed)?
                .as_ref()
                .to_vec()),
            RingKey::Ed25519(pair) => Ok(pair.sign(message).as_ref().to_vec()),
        }
    }
}

/// The algorithm vanthu uses by default for a kind of key (none for keys it cannot sign with).
pub fn default_algorithm(kind: KeyKind) -> Option<SignatureAlgorithm> {
    Some(match kind {
        KeyKind::Rsa { .. } => SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256),
        KeyKind::Ec(EcCurve::P384) => SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha384),
        KeyKind::Ec(EcCurve::P521) => SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha512),
        KeyKind::Ec(EcCurve::P256) => SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256),
        KeyKind::Ed25519 => SignatureAlgorithm::Ed25519,
        KeyKind::EcOther { .. } | KeyKind::Dsa | KeyKind::Other => return None,
    })
}

/// The public key of a DER certificate.
pub fn certificate_public_key(certificate_der: &[u8]) -> Result<PublicKey, SignerError> {
    PublicKey::from_certificate_der(certificate_der)
        .map_err(|error| SignerError::Certificate(error.to_string()))
}
