//! The validation vocabulary of ETSI EN 319 102-1 (§5.1.3): indications, sub-indications, which
//! indication each sub-indication belongs to, and which of two outcomes is the more serious.
//! Shared by the path validator, the signature verifier and the report.

use serde::{Deserialize, Serialize};

/// The main status of a validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    TotalPassed,
    Indeterminate,
    TotalFailed,
}

impl Indication {
    pub fn as_str(self) -> &'static str {
        match self {
            Indication::TotalPassed => "TOTAL_PASSED",
            Indication::Indeterminate => "INDETERMINATE",
            Indication::TotalFailed => "TOTAL_FAILED",
        }
    }
}

/// Why a validation did not pass (ETSI EN 319 102-1 Table 5 and 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubIndication {
    FormatFailure,
    HashFailure,
    SigCryptoFailure,
    Revoked,
    Expired,
    NotYetValid,
    SigConstraintsFailure,
    ChainConstraintsFailure,
    CertificateChainGeneralFailure,
    CryptoConstraintsFailure,
    PolicyProcessingError,
    SignaturePolicyNotAvailable,
    TimestampOrderFailure,
    NoSigningCertificateFound,
    NoCertificateChainFound,
    RevokedNoPoe,
    RevokedCaNoPoe,
    OutOfBoundsNoPoe,
    OutOfBoundsNotRevoked,
    RevocationOutOfBoundsNoPoe,
    CryptoConstraintsFailureNoPoe,
    NoPoe,
    TryLater,
    SignedDataNotFound,
}

/// Most serious first: the order in which a report names the reason when there are several.
/// A proven failure beats any doubt; among doubts, a missing or broken chain comes first (nothing
/// else can be trusted without it), then revocation, then constraints, then time bounds, and
/// last the absence of revocation data.
const PRECEDENCE: [SubIndication; 24] = [
    SubIndication::FormatFailure,
    SubIndication::HashFailure,
    SubIndication::SigCryptoFailure,
    SubIndication::Revoked,
    SubIndication::NotYetValid,
    SubIndication::Expired,
    SubIndication::NoSigningCertificateFound,
    SubIndication::SignedDataNotFound,
    SubIndication::NoCertificateChainFound,
    SubIndication::CertificateChainGeneralFailure,
    SubIndication::RevokedNoPoe,
    SubIndication::RevokedCaNoPoe,
    SubIndication::SigConstraintsFailure,
    SubIndication::ChainConstraintsFailure,
    SubIndication::CryptoConstraintsFailure,
    SubIndication::CryptoConstraintsFailureNoPoe,
    SubIndication::TimestampOrderFailure,
    SubIndication::PolicyProcessingError,
    SubIndication::SignaturePolicyNotAvailable,
    SubIndication::OutOfBoundsNoPoe,
    SubIndication::OutOfBoundsNotRevoked,
    SubIndication::RevocationOutOfBoundsNoPoe,
    SubIndication::NoPoe,
    SubIndication::TryLater,
];

impl SubIndication {
    /// The indication this sub-indication is reported with.
    pub fn indication(self) -> Indication {
        match self {
            SubIndication::FormatFailure
            | SubIndication::HashFailure
            | SubIndication::SigCryptoFailure
            | SubIndication::Revoked
            | SubIndication::Expired
            | SubIndication::NotYetValid => Indication::TotalFailed,
            _ => Indication::Indeterminate,
        }
    }

    /// Position in the precedence order: lower is more serious.
    pub fn precedence(self) -> usize {
        PRECEDENCE
            .iter()
            .position(|known| *known == self)
            .unwrap_or(PRECEDENCE.len())
    }

    /// The more serious of two.
    pub fn most_serious(self, other: SubIndication) -> SubIndication {
        if other.precedence() < self.precedence() {
            other
        } else {
            self
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SubIndication::FormatFailure => "FORMAT_FAILURE",
            SubIndication::HashFailure => "HASH_FAILURE",
            SubIndication::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            SubIndication::Revoked => "REVOKED",
            SubIndication::Expired => "EXPIRED",
            SubIndication::NotYetValid => "NOT_YET_VALID",
            SubIndication::SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
            SubIndication::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            SubIndication::CertificateChainGeneralFailure => "CERTIFICATE_CHAIN_GENERAL_FAILURE",
            SubIndication::CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            SubIndication::PolicyProcessingError => "POLICY_PROCESSING_ERROR",
            SubIndication::SignaturePolicyNotAvailable => "SIGNATURE_POLICY_NOT_AVAILABLE",
            SubIndication::TimestampOrderFailure => "TIMESTAMP_ORDER_FAILURE",
            SubIndication::NoSigningCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
            SubIndication::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            SubIndication::RevokedNoPoe => "REVOKED_NO_POE",
            SubIndication::RevokedCaNoPoe => "REVOKED_CA_NO_POE",
            SubIndication::OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
            SubIndication::OutOfBoundsNotRevoked => "OUT_OF_BOUNDS_NOT_REVOKED",
            SubIndication::RevocationOutOfBoundsNoPoe => "REVOCATION_OUT_OF_BOUNDS_NO_POE",
            SubIndication::CryptoConstraintsFailureNoPoe => "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
            SubIndication::NoPoe => "NO_POE",
            SubIndication::TryLater => "TRY_LATER",
            SubIndication::SignedDataNotFound => "SIGNED_DATA_NOT_FOUND",
        }
    }
}

/// The outcome of a validation: `TOTAL_PASSED` without a sub-indication, or the most serious
/// sub-indication found with its indication.
pub fn outcome(
    sub_indications: impl IntoIterator<Item = SubIndication>,
) -> (Indication, Option<SubIndication>) {
    match sub_indications
        .into_iter()
        .reduce(SubIndication::most_serious)
    {
        Some(sub) => (sub.indication(), Some(sub)),
        None => (Indication::TotalPassed, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sub_indication_has_a_precedence() {
        let json = serde_json::to_string(&PRECEDENCE).unwrap_or_default();
        for sub in PRECEDENCE {
            assert!(sub.precedence() < PRECEDENCE.len());
            assert!(
                json.contains(sub.as_str()),
                "{} serialises differently",
                sub.as_str()
            );
        }
    }

    #[test]
    fn proven_failures_beat_doubts() {
        assert_eq!(
            outcome([SubIndication::TryLater, SubIndication::Revoked]),
            (Indication::TotalFailed, Some(SubIndication::Revoked))
        );
        assert_eq!(
            outcome([
                SubIndication::OutOfBoundsNoPoe,
                SubIndication::CryptoConstraintsFailure
            ]),
            (
                Indication::Indeterminate,
                Some(SubIndication::CryptoConstraintsFailure)
            )
        );
        assert_eq!(outcome([]), (Indication::TotalPassed, None));
    }
}
