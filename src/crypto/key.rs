//! Public keys and key kinds: what a SubjectPublicKeyInfo holds, described for reports and
//! policy, and carried in the form the verifiers need.

use std::fmt;

use const_oid::ObjectIdentifier;
use der::Decode;
use serde::{Deserialize, Serialize};
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::algorithm::SignatureAlgorithm;
use super::error::{CryptoError, UnsupportedAlgorithm};
use super::oid;

/// The elliptic curves we verify and sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
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

    pub fn bits(self) -> u32 {
        match self {
            EcCurve::P256 => 256,
            EcCurve::P384 => 384,
            EcCurve::P521 => 521,
        }
    }
}

/// What kind of key a certificate holds. Every well-formed SubjectPublicKeyInfo has one, so
/// that a certificate with a key we cannot verify with still loads and can be described.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KeyKind {
    Rsa {
        modulus_bits: usize,
    },
    Ec(EcCurve),
    Ed25519,
    /// An elliptic curve we do not verify with (brainpool, secp256k1, …), by its field size.
    EcOther {
        field_bits: usize,
    },
    Dsa,
    /// Any other algorithm; its OID is [`PublicKey::algorithm_oid`].
    Other,
}

impl KeyKind {
    /// "RSA 2048", "ECDSA P-256", "Ed25519".
    pub fn name(self) -> String {
        self.to_string()
    }

    /// Modulus size for RSA, field size for elliptic curves, 0 when unknown.
    pub fn bits(self) -> u32 {
        match self {
            KeyKind::Rsa { modulus_bits } => u32::try_from(modulus_bits).unwrap_or(u32::MAX),
            KeyKind::Ec(curve) => curve.bits(),
            KeyKind::Ed25519 => 256,
            KeyKind::EcOther { field_bits } => u32::try_from(field_bits).unwrap_or(u32::MAX),
            KeyKind::Dsa | KeyKind::Other => 0,
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

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyKind::Rsa { modulus_bits } => write!(f, "RSA {modulus_bits}"),
            KeyKind::Ec(curve) => write!(f, "ECDSA {}", curve.name()),
            KeyKind::Ed25519 => f.write_str("Ed25519"),
            KeyKind::EcOther { field_bits } => write!(f, "ECDSA (other curve) {field_bits}"),
            KeyKind::Dsa => f.write_str("DSA"),
            KeyKind::Other => f.write_str("unknown"),
        }
    }
}

/// A subject public key: its kind, the algorithm OID, the raw key the verifiers take (PKCS#1
/// `RSAPublicKey` DER for RSA, the SEC1 point for EC, 32 bytes for Ed25519) and the whole SPKI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    kind: KeyKind,
    algorithm_oid: ObjectIdentifier,
    key: Vec<u8>,
    spki_der: Vec<u8>,
}

impl PublicKey {
    /// Describes a SubjectPublicKeyInfo parsed by x509-parser. Unknown algorithms and curves are
    /// described, not refused; only a malformed RSA key is an error.
    pub fn from_x509(spki: &SubjectPublicKeyInfo<'_>) -> Result<Self, CryptoError> {
        let algorithm_oid = ObjectIdentifier::from_bytes(spki.algorithm.algorithm.as_bytes())
            .map_err(|_| CryptoError::Malformed {
                what: "subject public key algorithm",
                reason: "invalid object identifier".into(),
            })?;
        let key = spki.subject_public_key.data.to_vec();
        let kind = match algorithm_oid {
            oid::RSA_ENCRYPTION | oid::RSASSA_PSS => KeyKind::Rsa {
                modulus_bits: rsa_modulus_bits(&key)?,
            },
            oid::EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|any| any.as_oid().ok())
                    .and_then(|curve| ObjectIdentifier::from_bytes(curve.as_bytes()).ok())
                    .and_then(|curve| EcCurve::from_oid(curve).ok());
                match curve {
                    Some(curve) => KeyKind::Ec(curve),
                    None => KeyKind::EcOther {
                        field_bits: ec_point_bits(&key),
                    },
                }
            }
            oid::ED25519 => KeyKind::Ed25519,
            oid::DSA => KeyKind::Dsa,
            _ => KeyKind::Other,
        };
        Ok(PublicKey {
            kind,
            algorithm_oid,
            key,
            spki_der: spki.raw.to_vec(),
        })
    }

    /// Reads a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(spki_der: &[u8]) -> Result<Self, CryptoError> {
        let (_, spki) =
            SubjectPublicKeyInfo::from_der(spki_der).map_err(|error| CryptoError::Malformed {
                what: "subject public key",
                reason: error.to_string(),
            })?;
        Self::from_x509(&spki)
    }

    /// The subject public key of a DER certificate.
    pub fn from_certificate_der(certificate_der: &[u8]) -> Result<Self, CryptoError> {
        let (_, certificate) =
            x509_parser::parse_x509_certificate(certificate_der).map_err(|error| {
                CryptoError::Malformed {
                    what: "certificate",
                    reason: error.to_string(),
                }
            })?;
        Self::from_x509(certificate.public_key())
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// Modulus size for RSA, field size for elliptic curves, 0 when unknown.
    pub fn bits(&self) -> u32 {
        self.kind.bits()
    }

    /// The OID of the SubjectPublicKeyInfo's algorithm.
    pub fn algorithm_oid(&self) -> ObjectIdentifier {
        self.algorithm_oid
    }

    /// The content of the subjectPublicKey BIT STRING.
    pub fn key_bytes(&self) -> &[u8] {
        &self.key
    }

    /// The DER of the whole SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// "RSA 2048", "ECDSA P-256", …
    pub fn describe(&self) -> String {
        self.kind.to_string()
    }
}

/// The kind of a PKCS#8 private key (the RSA size is not known until ring parses it: 0 here).
pub fn private_key_kind(pkcs8_der: &[u8]) -> Result<KeyKind, CryptoError> {
    let info =
        pkcs8::PrivateKeyInfo::from_der(pkcs8_der).map_err(|error| CryptoError::Malformed {
            what: "PKCS#8 private key",
            reason: error.to_string(),
        })?;
    match info.algorithm.oid {
        oid::RSA_ENCRYPTION => Ok(KeyKind::Rsa { modulus_bits: 0 }),
        oid::EC_PUBLIC_KEY => {
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|_| UnsupportedAlgorithm {
                    what: "private key (EC without a named curve)",
                    oid: oid::EC_PUBLIC_KEY,
                })?;
            Ok(KeyKind::Ec(EcCurve::from_oid(curve)?))
        }
        oid::ED25519 => Ok(KeyKind::Ed25519),
        other => Err(UnsupportedAlgorithm {
            what: "private key",
            oid: other,
        }
        .into()),
    }
}

/// Size of an RSA modulus in bits, read leniently from the RSAPublicKey DER (as certificates in
/// the wild encode it).
fn rsa_modulus_bits(rsa_public_key: &[u8]) -> Result<usize, CryptoError> {
    use x509_parser::der_parser::der::{parse_der_integer, parse_der_sequence_defined_g};
    let malformed = || CryptoError::Malformed {
        what: "RSA public key",
        reason: "not an RSAPublicKey SEQUENCE of two INTEGERs".into(),
    };
    let (_, modulus) = parse_der_sequence_defined_g(|input, _| {
        let (input, modulus) = parse_der_integer(input)?;
        let (input, _exponent) = parse_der_integer(input)?;
        Ok((input, modulus))
    })(rsa_public_key)
    .map_err(|_| malformed())?;
    let bytes = modulus.as_slice().map_err(|_| malformed())?;
    Ok(significant_bits(bytes))
}

/// Field size of an uncompressed or compressed EC point.
fn ec_point_bits(point: &[u8]) -> usize {
    match point.first() {
        Some(0x04) => point.len().saturating_sub(1) / 2 * 8,
        Some(0x02 | 0x03) => point.len().saturating_sub(1) * 8,
        _ => 0,
    }
}

/// Number of significant bits of a big-endian unsigned integer.
fn significant_bits(bytes: &[u8]) -> usize {
    let leading = bytes.iter().take_while(|&&byte| byte == 0).count();
    let significant = bytes.get(leading..).unwrap_or_default();
    match significant.first() {
        Some(first) => (significant.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
        None => 0,
    }
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
    fn only_matching_kinds_fit() {
        let rsa = KeyKind::Rsa { modulus_bits: 2048 };
        assert!(rsa.fits(SignatureAlgorithm::rsa_pss(
            crate::crypto::DigestAlgorithm::Sha256
        )));
        assert!(!rsa.fits(SignatureAlgorithm::Ed25519));
        assert!(!KeyKind::Dsa.fits(SignatureAlgorithm::Ecdsa(
            crate::crypto::DigestAlgorithm::Sha256
        )));
        assert_eq!(rsa.to_string(), "RSA 2048");
        assert_eq!(KeyKind::Ec(EcCurve::P521).bits(), 521);
    }
}
