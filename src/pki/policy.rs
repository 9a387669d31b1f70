//! Validation policy: which algorithms and key sizes are acceptable, what to do when no
//! revocation information is available, and how deep a certificate path may be. One value,
//! passed by the caller, so that the signature verifier, the timestamp verifier and the path
//! validator apply the same rules.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::crypto::{DigestAlgorithm, KeyKind, PublicKey, SignatureAlgorithm};

/// Whether an algorithm is acceptable, possibly only for objects validated before a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acceptance {
    Never,
    Always,
    /// Acceptable when the validation time is before this instant (e.g. a timestamp proves the
    /// object existed before the algorithm was deemed weak).
    Before(#[serde(with = "time::serde::rfc3339")] OffsetDateTime),
}

impl Acceptance {
    pub fn accepts_at(self, at: OffsetDateTime) -> bool {
        match self {
            Acceptance::Never => false,
            Acceptance::Always => true,
            Acceptance::Before(limit) => at < limit,
        }
    }
}

/// Algorithm and key-size rules (ETSI TS 119 312 in spirit). The trust anchor's self-signature is
/// never checked, so it is never judged; the anchor's key, which verifies the next certificate,
/// is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlgorithmPolicy {
    /// Smallest acceptable RSA modulus in bits.
    pub min_rsa_bits: u32,
    /// SHA-1 in certificate, CRL and signer signatures. MD2 and MD5 are never acceptable.
    pub sha1: Acceptance,
}

impl Default for AlgorithmPolicy {
    /// SHA-1 never, RSA from 2048 bits.
    fn default() -> Self {
        AlgorithmPolicy {
            min_rsa_bits: 2048,
            sha1: Acceptance::Never,
        }
    }
}

/// Why an algorithm or key fails the policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", tag = "kind")]
pub enum CryptoConstraint {
    #[error("digest {digest:?} is not acceptable at the validation time")]
    WeakDigest { digest: DigestAlgorithm },
    #[error("{algorithm} key of {bits} bits is below the minimum of {minimum}")]
    WeakKey {
        algorithm: String,
        bits: u32,
        minimum: u32,
    },
}

impl AlgorithmPolicy {
    /// Accepts SHA-1 everywhere: for deployments that must read documents under the SHA-1 era
    /// Vietnamese CAs, at the price of a weaker guarantee.
    pub fn legacy_sha1() -> Self {
        AlgorithmPolicy {
            sha1: Acceptance::Always,
            ..Self::default()
        }
    }

    /// Checks the digest of a signature made (or validated) at `at`.
    pub fn check_digest(
        &self,
        digest: DigestAlgorithm,
        at: OffsetDateTime,
    ) -> Result<(), CryptoConstraint> {
        let acceptable = match digest {
            DigestAlgorithm::Md2 | DigestAlgorithm::Md5 => false,
            DigestAlgorithm::Sha1 => self.sha1.accepts_at(at),
            DigestAlgorithm::Sha224
            | DigestAlgorithm::Sha256
            | DigestAlgorithm::Sha384
            | DigestAlgorithm::Sha512 => true,
        };
        if acceptable {
            Ok(())
        } else {
            Err(CryptoConstraint::WeakDigest { digest })
        }
    }

    /// Checks the digest of a signature algorithm (Ed25519's own SHA-512 always passes).
    pub fn check_signature_algorithm(
        &self,
        algorithm: SignatureAlgorithm,
        at: OffsetDateTime,
    ) -> Result<(), CryptoConstraint> {
        self.check_digest(algorithm.digest(), at)
    }

    /// Checks the size of a public key. Elliptic curves ring can verify with are all acceptable;
    /// DSA and unknown key types are not judged here (they fail verification instead).
    pub fn check_key(&self, key: &PublicKey) -> Result<(), CryptoConstraint> {
        if let KeyKind::Rsa { .. } = key.kind()
            && key.bits() < self.min_rsa_bits
        {
            return Err(CryptoConstraint::WeakKey {
                algorithm: "RSA".to_owned(),
                bits: key.bits(),
                minimum: self.min_rsa_bits,
            });
        }
        Ok(())
    }
}

/// What to do when no usable CRL tells the status of a certificate. Offline verification is the
/// rule here (distribution points are reported, never fetched), and most signatures received by
/// a Procuracy carry no CRL at all.
///
/// The default is [`RevocationPolicy::SoftFail`]: the status is reported as unknown, with a
/// warning in both languages, and the indication is not lowered, as pyHanko does with fetching
/// disabled. Failing every such signature as INDETERMINATE (what EU DSS does) would make the
/// verdict useless to a clerk; an archive or LTV check can ask for the strict behaviour.
/// A certificate known to be revoked always counts, whatever the policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationPolicy {
    #[default]
    SoftFail,
    /// No usable CRL for the end-entity certificate → INDETERMINATE/TRY_LATER.
    RequireForEndEntity,
    /// No usable CRL for any certificate below the anchor → INDETERMINATE/TRY_LATER.
    RequireForAll,
}

impl RevocationPolicy {
    /// Whether a missing status for the certificate at this position (0 = end entity) lowers the
    /// indication.
    pub fn requires(self, position: usize) -> bool {
        match self {
            RevocationPolicy::SoftFail => false,
            RevocationPolicy::RequireForEndEntity => position == 0,
            RevocationPolicy::RequireForAll => true,
        }
    }
}

/// Everything the path validator needs to know about the deployment's rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationPolicy {
    pub algorithms: AlgorithmPolicy,
    pub revocation: RevocationPolicy,
    /// Longest accepted path, counting the end entity and the anchor.
    pub max_path_length: usize,
}

impl Default for ValidationPolicy {
    fn default() -> Self {
        ValidationPolicy {
            algorithms: AlgorithmPolicy::default(),
            revocation: RevocationPolicy::default(),
            max_path_length: 8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn sha1_acceptance_follows_the_configured_date() {
        let policy = AlgorithmPolicy {
            sha1: Acceptance::Before(datetime!(2020-01-01 0:00 UTC)),
            ..AlgorithmPolicy::default()
        };
        assert!(
            policy
                .check_digest(DigestAlgorithm::Sha1, datetime!(2019-06-01 0:00 UTC))
                .is_ok()
        );
        assert!(
            policy
                .check_digest(DigestAlgorithm::Sha1, datetime!(2020-06-01 0:00 UTC))
                .is_err()
        );
        assert!(
            AlgorithmPolicy::legacy_sha1()
                .check_digest(DigestAlgorithm::Md5, datetime!(2000-01-01 0:00 UTC))
                .is_err()
        );
    }

    #[test]
    fn revocation_requirements_by_position() {
        assert!(!RevocationPolicy::SoftFail.requires(0));
        assert!(RevocationPolicy::RequireForEndEntity.requires(0));
        assert!(!RevocationPolicy::RequireForEndEntity.requires(1));
        assert!(RevocationPolicy::RequireForAll.requires(2));
    }
}
