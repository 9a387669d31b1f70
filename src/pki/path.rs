//! Certificate path building and validation at a given time, from an end-entity certificate to a
//! trust anchor.
//!
//! Building: from the end entity, candidate issuers are the store's anchors and intermediates and
//! the untrusted certificates offered by the caller (the CMS's, the `/DSS`'s) whose subject
//! matches the issuer name; those whose key identifier matches the authority key identifier, and
//! those valid at the validation time, are tried first. The search backtracks, never puts the
//! same entity twice on a path (loops), is bounded in depth and in work, and stops at the first
//! path that passes. When no path passes, the least serious failure is reported.
//!
//! Validation of a complete path follows RFC 5280 §6.1 where it matters for document signatures,
//! with per-certificate detail: validity at the validation time, the issuer's signature, the
//! algorithm policy, basicConstraints and pathLenConstraint, keyCertSign, unknown critical
//! extensions, the end entity's usage for the purpose, and revocation from CRLs. Outcomes use the
//! ETSI EN 319 102-1 vocabulary.
//!
//! This is our own validator rather than rustls-webpki: webpki reports one error for the whole
//! path and none for the others it tried, refuses SHA-1 and RSA below 2048 bits outright (so it
//! cannot tell `CRYPTO_CONSTRAINTS_FAILURE` from a forged signature), treats an expired chain as
//! a plain failure (so it cannot tell `OUT_OF_BOUNDS_NO_POE` from a broken path at a past time),
//! and requires an EKU match for every purpose.

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::cache::VerificationCache;
use super::cert::{
    Certificate, CertificateError, OID_EKU_ANY, OID_EKU_CODE_SIGNING, OID_EKU_OCSP_SIGNING,
    OID_EKU_SERVER_AUTH, OID_EKU_TIME_STAMPING,
};
use super::crl::{
    CrlTimes, RevocationCheck, RevocationReason, RevocationStatus, SourcedCrl, UnknownRevocation,
    check_revocation,
};
use super::indication::{Indication, SubIndication, outcome};
use super::policy::{CryptoConstraint, ValidationPolicy};
use super::trust::{Role, TrustStore};
use crate::crypto::{CryptoError, DigestAlgorithm, KeyKind};

/// Where a certificate on a path came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CertificateSource {
    /// The CMS SignedData's certificates (or a timestamp token's).
    Cms,
    /// The PDF's `/DSS` dictionary.
    Dss,
    /// The store's intermediates.
    Store,
    /// The store's trust anchors.
    Anchor,
    /// Given by the caller otherwise (a file on the command line).
    Supplied,
}

/// A certificate with its origin.
#[derive(Clone, Debug)]
pub struct SourcedCertificate {
    pub cert: Arc<Certificate>,
    pub source: CertificateSource,
}

impl SourcedCertificate {
    pub fn new(cert: Certificate, source: CertificateSource) -> Self {
        SourcedCertificate {
            cert: Arc::new(cert),
            source,
        }
    }

    /// Parses a DER certificate found in a CMS or a `/DSS`.
    pub fn from_der(der: &[u8], source: CertificateSource) -> Result<Self, CertificateError> {
        Ok(Self::new(Certificate::from_der(der)?, source))
    }
}

/// What the end-entity certificate must be fit for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Purpose {
    /// Signing documents: keyUsage, when present, must allow digitalSignature or nonRepudiation;
    /// extendedKeyUsage is not required, and when present is refused only if every purpose it
    /// lists is known to be for something else (TLS servers, code, timestamps, OCSP) — Vietnamese
    /// personal certificates commonly carry clientAuth and emailProtection.
    DocumentSigning,
    /// RFC 3161 timestamping: a critical extendedKeyUsage with id-kp-timeStamping only.
    Timestamping,
    /// Signing CRLs: keyUsage, when present, must allow cRLSign.
    CrlSigning,
    /// No end-entity usage check (for example to validate a CA certificate itself).
    Any,
}

/// When certificates must be valid, and what that time proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidationTime {
    /// The validation time: every certificate must be valid then.
    pub at: OffsetDateTime,
    /// True when `at` is a proof of existence of the signed object (a verified timestamp's
    /// genTime), not merely the current or a requested time. Only then does a revocation after
    /// `at` leave the signature valid.
    pub proof_of_existence: bool,
    /// The signing time the signer claims (`/M`). Not a proof; it only turns a revocation before
    /// that time into a proven failure (the signer admits signing after it).
    pub claimed: Option<OffsetDateTime>,
    /// The real current time: CRLs issued after it are refused.
    pub now: OffsetDateTime,
}

impl ValidationTime {
    /// Validation now.
    pub fn current() -> Self {
        let now = OffsetDateTime::now_utc();
        ValidationTime {
            at: now,
            proof_of_existence: false,
            claimed: None,
            now,
        }
    }

    /// Validation at a requested time (`--at`), which proves nothing.
    pub fn requested(at: OffsetDateTime, now: OffsetDateTime) -> Self {
        ValidationTime {
            at,
            proof_of_existence: false,
            claimed: None,
            now,
        }
    }

    /// Validation at a time the signed object is proven to have existed (timestamp genTime).
    pub fn proven(at: OffsetDateTime, now: OffsetDateTime) -> Self {
        ValidationTime {
            at,
            proof_of_existence: true,
            claimed: None,
            now,
        }
    }

    /// Adds the signer's claimed signing time.
    pub fn with_claimed(self, claimed: Option<OffsetDateTime>) -> Self {
        ValidationTime { claimed, ..self }
    }
}

/// What to validate.
#[derive(Clone, Copy, Debug)]
pub struct PathRequest<'a> {
    pub end_entity: &'a SourcedCertificate,
    /// Certificates that may help build the path (the CMS's, the `/DSS`'s); never trusted.
    pub untrusted: &'a [SourcedCertificate],
    /// CRLs besides the store's (the `/DSS`'s, `--crl` files).
    pub crls: &'a [SourcedCrl],
    pub purpose: Purpose,
    pub time: ValidationTime,
}

/// One thing found wrong (or worth saying) about a certificate on the path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", tag = "code")]
pub enum ProblemKind {
    /// No certificate names this certificate's issuer as its subject (or none verifies).
    IssuerNotFound {
        issuer: String,
    },
    /// A self-signed certificate that is not a configured trust anchor.
    SelfSignedNotTrusted,
    /// The path would exceed the policy's maximum length.
    PathTooLong {
        max: usize,
    },
    Expired {
        #[serde(with = "time::serde::rfc3339")]
        not_after: OffsetDateTime,
    },
    NotYetValid {
        #[serde(with = "time::serde::rfc3339")]
        not_before: OffsetDateTime,
    },
    /// The issuer's signature on this certificate does not verify.
    SignatureInvalid {
        issuer: String,
    },
    /// The issuer's signature could not be checked (unsupported algorithm or key).
    SignatureUnverifiable {
        detail: String,
    },
    /// signatureAlgorithm outside and inside the signed part differ.
    SignatureAlgorithmMismatch,
    /// Signed with a digest the algorithm policy refuses (SHA-1, MD5).
    WeakDigest {
        digest: DigestAlgorithm,
    },
    /// A key below the policy's minimum size.
    WeakKey {
        algorithm: String,
        bits: u32,
        minimum: u32,
    },
    /// Used as an issuer but basicConstraints does not make it a CA.
    NotCa,
    PathLengthExceeded {
        path_len: u32,
        intermediates_below: usize,
    },
    /// Used as an issuer but keyUsage lacks keyCertSign.
    MissingKeyCertSign,
    UnrecognisedCriticalExtension {
        oid: String,
    },
    MalformedExtension {
        oid: String,
    },
    /// keyUsage allows neither digitalSignature nor nonRepudiation.
    KeyUsageNotForSigning {
        key_usage: Vec<String>,
    },
    /// extendedKeyUsage lists only purposes other than document signing.
    ExtendedKeyUsageIncompatible {
        purposes: Vec<String>,
    },
    TimestampingEkuMissing,
    TimestampingEkuNotCritical,
    TimestampingEkuNotSole {
        purposes: Vec<String>,
    },
    KeyUsageNotForCrlSigning,
    /// Revoked, and the signer claims to have signed after the revocation.
    Revoked {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        reason: RevocationReason,
    },
    /// Revoked, and nothing proves the signature existed before the revocation.
    RevokedNoPoe {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        reason: RevocationReason,
    },
    /// A CA certificate on the path is revoked, and nothing proves the signature existed before.
    CaRevokedNoPoe {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        reason: RevocationReason,
    },
    /// Revoked after the validation time, which is a proof of existence: no effect, but said.
    RevokedAfterValidationTime {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        reason: RevocationReason,
    },
    /// No usable CRL told the status.
    RevocationUnknown {
        why: UnknownRevocation,
    },
}

impl ProblemKind {
    /// A stable code for the finding catalogue.
    pub fn code(&self) -> &'static str {
        match self {
            ProblemKind::IssuerNotFound { .. } => "ISSUER_NOT_FOUND",
            ProblemKind::SelfSignedNotTrusted => "SELF_SIGNED_NOT_TRUSTED",
            ProblemKind::PathTooLong { .. } => "PATH_TOO_LONG",
            ProblemKind::Expired { .. } => "CERT_EXPIRED",
            ProblemKind::NotYetValid { .. } => "CERT_NOT_YET_VALID",
            ProblemKind::SignatureInvalid { .. } => "CERT_SIGNATURE_INVALID",
            ProblemKind::SignatureUnverifiable { .. } => "CERT_SIGNATURE_UNVERIFIABLE",
            ProblemKind::SignatureAlgorithmMismatch => "CERT_SIGNATURE_ALGORITHM_MISMATCH",
            ProblemKind::WeakDigest { .. } => "WEAK_DIGEST",
            ProblemKind::WeakKey { .. } => "WEAK_KEY",
            ProblemKind::NotCa => "ISSUER_NOT_CA",
            ProblemKind::PathLengthExceeded { .. } => "PATH_LENGTH_EXCEEDED",
            ProblemKind::MissingKeyCertSign => "ISSUER_MISSING_KEY_CERT_SIGN",
            ProblemKind::UnrecognisedCriticalExtension { .. } => "UNRECOGNISED_CRITICAL_EXTENSION",
            ProblemKind::MalformedExtension { .. } => "MALFORMED_EXTENSION",
            ProblemKind::KeyUsageNotForSigning { .. } => "KEY_USAGE_NOT_FOR_SIGNING",
            ProblemKind::ExtendedKeyUsageIncompatible { .. } => "EXTENDED_KEY_USAGE_INCOMPATIBLE",
            ProblemKind::TimestampingEkuMissing => "TSA_EKU_MISSING",
            ProblemKind::TimestampingEkuNotCritical => "TSA_EKU_NOT_CRITICAL",
            ProblemKind::TimestampingEkuNotSole { .. } => "TSA_EKU_NOT_SOLE",
            ProblemKind::KeyUsageNotForCrlSigning => "KEY_USAGE_NOT_FOR_CRL_SIGNING",
            ProblemKind::Revoked { .. } => "CERT_REVOKED",
            ProblemKind::RevokedNoPoe { .. } => "CERT_REVOKED_NO_POE",
            ProblemKind::CaRevokedNoPoe { .. } => "CA_REVOKED_NO_POE",
            ProblemKind::RevokedAfterValidationTime { .. } => "CERT_REVOKED_AFTER_POE",
            ProblemKind::RevocationUnknown { .. } => "REVOCATION_UNKNOWN",
        }
    }
}

/// A problem and its effect: `None` means it is reported but does not lower the indication.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PathProblem {
    #[serde(flatten)]
    pub kind: ProblemKind,
    pub sub_indication: Option<SubIndication>,
}

impl PathProblem {
    fn new(kind: ProblemKind, sub_indication: SubIndication) -> Self {
        PathProblem {
            kind,
            sub_indication: Some(sub_indication),
        }
    }

    fn note(kind: ProblemKind) -> Self {
        PathProblem {
            kind,
            sub_indication: None,
        }
    }
}

/// One certificate of the reported path, end entity first.
#[derive(Clone, Debug, Serialize)]
pub struct ChainElement {
    #[serde(skip)]
    pub certificate: Arc<Certificate>,
    pub subject: String,
    pub issuer: String,
    /// Uppercase hex.
    pub serial: String,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// SHA-256 of the DER, lowercase hex.
    pub sha256: String,
    pub source: CertificateSource,
    pub key_algorithm: KeyKind,
    pub key_bits: u32,
    pub signature_algorithm: String,
    /// keyUsage bit names; `None` when the extension is absent.
    pub key_usage: Option<Vec<String>>,
    /// extendedKeyUsage purposes; `None` when the extension is absent.
    pub extended_key_usage: Option<Vec<String>>,
    pub is_ca: bool,
    pub revocation: RevocationCheck,
    pub problems: Vec<PathProblem>,
}

impl ChainElement {
    fn new(
        certificate: &Arc<Certificate>,
        source: CertificateSource,
        revocation: RevocationCheck,
        problems: Vec<PathProblem>,
    ) -> Self {
        let cert = certificate.as_ref();
        ChainElement {
            certificate: Arc::clone(certificate),
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            serial: cert.serial_hex(),
            not_before: cert.not_before(),
            not_after: cert.not_after(),
            sha256: cert.sha256_hex(),
            source,
            key_algorithm: cert.public_key().kind(),
            key_bits: cert.public_key().bits(),
            signature_algorithm: cert.signature_algorithm_name(),
            key_usage: cert
                .key_usage()
                .map(|usage| usage.names().into_iter().map(str::to_owned).collect()),
            extended_key_usage: cert.extended_key_usage().map(|eku| eku.names()),
            is_ca: cert.is_ca(),
            revocation,
            problems,
        }
    }
}

/// The result of path validation.
#[derive(Clone, Debug, Serialize)]
pub struct PathValidation {
    pub indication: Indication,
    pub sub_indication: Option<SubIndication>,
    /// True when the reported path ends at a configured trust anchor.
    pub anchored: bool,
    /// The reported path, end entity first, anchor last when anchored. When no path reaches an
    /// anchor, the longest partial path.
    pub chain: Vec<ChainElement>,
    pub purpose: Purpose,
    #[serde(with = "time::serde::rfc3339")]
    pub validation_time: OffsetDateTime,
    pub proof_of_existence: bool,
    /// Complete candidate paths evaluated.
    pub paths_considered: usize,
}

impl PathValidation {
    pub fn passed(&self) -> bool {
        self.indication == Indication::TotalPassed
    }

    pub fn end_entity(&self) -> Option<&ChainElement> {
        self.chain.first()
    }

    /// The trust anchor, when the path reaches one.
    pub fn anchor(&self) -> Option<&ChainElement> {
        if self.anchored {
            self.chain.last()
        } else {
            None
        }
    }

    /// Every problem with the position of its certificate (0 = end entity).
    pub fn problems(&self) -> impl Iterator<Item = (usize, &PathProblem)> {
        self.chain
            .iter()
            .enumerate()
            .flat_map(|(position, element)| {
                element
                    .problems
                    .iter()
                    .map(move |problem| (position, problem))
            })
    }

    /// True when a problem with this code is reported anywhere on the path.
    pub fn has_problem(&self, code: &str) -> bool {
        self.problems()
            .any(|(_, problem)| problem.kind.code() == code)
    }

    /// The end entity's revocation status.
    pub fn end_entity_revocation(&self) -> Option<&RevocationStatus> {
        self.end_entity().map(|element| &element.revocation.status)
    }
}

/// Complete paths evaluated at most before giving the best one found.
const MAX_COMPLETE_PATHS: usize = 16;
/// Candidate links tried at most (bounds the work on hostile certificate sets).
const MAX_BUILD_STEPS: usize = 512;
/// Issuer candidates whose signature is checked for one certificate. Real hierarchies offer one
/// or two (a re-keyed CA); more same-name certificates are an attack on the search.
const MAX_ISSUER_CANDIDATES: usize = 64;
/// Signature checks made while ranking issuer candidates in one search (each pair once).
const MAX_SIGNATURE_CHECKS: usize = 1024;
/// Certificates offered by the signature and the document (`/DSS`) that path building looks at.
const MAX_OFFERED_CERTIFICATES: usize = 256;

/// Builds and validates paths against a trust store under a policy.
#[derive(Clone, Copy, Debug)]
pub struct PathValidator<'a> {
    store: &'a TrustStore,
    policy: &'a ValidationPolicy,
}

impl<'a> PathValidator<'a> {
    pub fn new(store: &'a TrustStore, policy: &'a ValidationPolicy) -> Self {
        PathValidator { store, policy }
    }

    /// Finds the best path for the request and validates it.
    pub fn validate(&self, request: &PathRequest<'_>) -> PathValidation {
        let mut search = Search {
            validator: *self,
            request,
            signatures: VerificationCache::new(),
            steps: 0,
            complete: 0,
            best: None,
            longest_partial: Vec::new(),
            partial_too_long: false,
            signature_checks: 0,
        };
        let first = match self.store.anchor_for(&request.end_entity.cert) {
            Some(anchor) => Link {
                cert: Arc::clone(anchor),
                source: CertificateSource::Anchor,
                anchor: true,
            },
            None => Link {
                cert: Arc::clone(&request.end_entity.cert),
                source: request.end_entity.source,
                anchor: false,
            },
        };
        let mut path = vec![first];
        search.extend(&mut path);
        let complete = search.complete;
        match search.best {
            Some((_, mut validation)) => {
                validation.paths_considered = complete;
                validation
            }
            None => search.no_path_found(),
        }
    }
}

/// Convenience: validate one request.
pub fn validate_path(
    store: &TrustStore,
    policy: &ValidationPolicy,
    request: &PathRequest<'_>,
) -> PathValidation {
    PathValidator::new(store, policy).validate(request)
}

#[derive(Clone, Debug)]
struct Link {
    cert: Arc<Certificate>,
    source: CertificateSource,
    anchor: bool,
}

/// Ranking of an evaluated path: a pass beats everything, then the least serious worst problem,
/// then the fewest problems.
type Score = (usize, std::cmp::Reverse<usize>);

struct Search<'v, 'r> {
    validator: PathValidator<'v>,
    request: &'r PathRequest<'r>,
    signatures: VerificationCache,
    steps: usize,
    complete: usize,
    best: Option<(Score, PathValidation)>,
    longest_partial: Vec<Link>,
    partial_too_long: bool,
    /// Signature checks made to rank candidates (see [`MAX_SIGNATURE_CHECKS`]).
    signature_checks: usize,
}

impl Search<'_, '_> {
    /// Depth-first extension of `path`; returns true to stop the whole search.
    fn extend(&mut self, path: &mut Vec<Link>) -> bool {
        self.steps += 1;
        if self.steps > MAX_BUILD_STEPS {
            return true;
        }
        let Some(current) = path.last().cloned() else {
            return true;
        };
        if current.anchor {
            let validation = self.evaluate(path);
            self.complete += 1;
            let passed = validation.passed();
            let score = score(&validation);
            if self.best.as_ref().is_none_or(|(best, _)| score > *best) {
                self.best = Some((score, validation));
            }
            return passed || self.complete >= MAX_COMPLETE_PATHS;
        }
        let candidates = self.issuer_candidates(&current.cert, path);
        let at_limit = path.len() >= self.validator.policy.max_path_length;
        if candidates.is_empty() || at_limit {
            if path.len() > self.longest_partial.len() {
                self.longest_partial = path.clone();
                self.partial_too_long = at_limit && !candidates.is_empty();
            }
            return false;
        }
        for candidate in candidates {
            path.push(candidate);
            let stop = self.extend(path);
            path.pop();
            if stop {
                return true;
            }
        }
        false
    }

    /// Possible issuers of `cert`, not already on the path, best first: those whose key verifies
    /// `cert`'s signature, then anchors, then a matching key identifier, then validity at the
    /// validation time. Checking the signature here (once, cached) keeps a crowd of same-name
    /// impostors from using up the search budget before the real issuer is tried.
    fn issuer_candidates(&mut self, cert: &Certificate, path: &[Link]) -> Vec<Link> {
        let store = self.validator.store;
        let mut found: Vec<Link> = store
            .by_subject(cert.issuer())
            .into_iter()
            .map(|(candidate, role)| Link {
                cert: Arc::clone(candidate),
                source: match role {
                    Role::Anchor => CertificateSource::Anchor,
                    Role::Intermediate => CertificateSource::Store,
                },
                anchor: role == Role::Anchor,
            })
            .collect();
        for offered in self.request.untrusted.iter().take(MAX_OFFERED_CERTIFICATES) {
            if offered.cert.subject().matches(cert.issuer())
                && store.anchor_for(&offered.cert).is_none()
            {
                found.push(Link {
                    cert: Arc::clone(&offered.cert),
                    source: offered.source,
                    anchor: false,
                });
            }
        }
        let mut unique: Vec<Link> = Vec::with_capacity(found.len());
        let mut kept: HashSet<[u8; 32]> = HashSet::new();
        for link in found {
            let on_path = path.iter().any(|placed| {
                placed.cert.sha256() == link.cert.sha256() || placed.cert.same_entity(&link.cert)
            });
            if !on_path && kept.insert(*link.cert.sha256()) {
                unique.push(link);
            }
        }
        // Signature checks are the expensive part: among many same-name candidates (a crowd of
        // impostors in a hostile CMS) only the likeliest few are checked, anchors and matching
        // key identifiers first.
        if unique.len() > MAX_ISSUER_CANDIDATES {
            unique.sort_by_key(|link| {
                let key_id_mismatch = match (cert.authority_key_id(), link.cert.subject_key_id()) {
                    (Some(wanted), Some(offered)) => wanted != offered,
                    _ => false,
                };
                (!link.anchor, key_id_mismatch)
            });
            unique.truncate(MAX_ISSUER_CANDIDATES);
        }
        let at = self.request.time.at;
        let mut ranked: Vec<((bool, bool, bool, bool), Link)> = unique
            .into_iter()
            .map(|link| {
                // Past the budget an unchecked candidate is ranked as not verifying; it can
                // still be tried, and is verified when its path is evaluated.
                let verifies = match self.signatures.cached(cert.sha256(), link.cert.sha256()) {
                    Some(result) => result.is_ok(),
                    None if self.signature_checks < MAX_SIGNATURE_CHECKS => {
                        self.signature_checks += 1;
                        self.signatures
                            .get_or_verify(cert.sha256(), link.cert.sha256(), || {
                                cert.verify_signed_by(link.cert.public_key())
                            })
                            .is_ok()
                    }
                    None => false,
                };
                let key_id_mismatch = match (cert.authority_key_id(), link.cert.subject_key_id()) {
                    (Some(wanted), Some(offered)) => wanted != offered,
                    _ => false,
                };
                let rank = (
                    !verifies,
                    !link.anchor,
                    key_id_mismatch,
                    !link.cert.is_valid_at(at),
                );
                (rank, link)
            })
            .collect();
        ranked.sort_by_key(|(rank, _)| *rank);
        ranked.into_iter().map(|(_, link)| link).collect()
    }

    /// Validates a complete path (last link is an anchor).
    fn evaluate(&mut self, path: &[Link]) -> PathValidation {
        let mut chain = Vec::with_capacity(path.len());
        for (position, link) in path.iter().enumerate() {
            let issuer = path.get(position + 1);
            let revocation = match issuer {
                Some(issuer) => self.revocation(&link.cert, &issuer.cert),
                None => RevocationCheck::trust_anchor(&link.cert),
            };
            let mut problems = Vec::new();
            self.check_validity(position, &link.cert, &revocation.status, &mut problems);
            if let Some(issuer) = issuer {
                self.check_signature(&link.cert, &issuer.cert, &mut problems);
                check_extensions(&link.cert, &mut problems);
            }
            self.check_key(&link.cert, &mut problems);
            if position > 0 {
                check_issuer_constraints(position, path, &mut problems);
            }
            if position == 0 {
                check_purpose(self.request.purpose, &link.cert, &mut problems);
            }
            if issuer.is_some() {
                problems.extend(self.revocation_problem(position, &revocation.status));
            }
            chain.push(ChainElement::new(
                &link.cert,
                link.source,
                revocation,
                problems,
            ));
        }
        self.finish(chain, true)
    }

    fn finish(&self, chain: Vec<ChainElement>, anchored: bool) -> PathValidation {
        let (indication, sub_indication) = outcome(
            chain
                .iter()
                .flat_map(|element| element.problems.iter())
                .filter_map(|problem| problem.sub_indication),
        );
        PathValidation {
            indication,
            sub_indication,
            anchored,
            chain,
            purpose: self.request.purpose,
            validation_time: self.request.time.at,
            proof_of_existence: self.request.time.proof_of_existence,
            paths_considered: self.complete,
        }
    }

    /// The report when no path reaches an anchor: the longest partial path, its last
    /// certificate marked with the missing link.
    fn no_path_found(&self) -> PathValidation {
        let partial = if self.longest_partial.is_empty() {
            vec![Link {
                cert: Arc::clone(&self.request.end_entity.cert),
                source: self.request.end_entity.source,
                anchor: false,
            }]
        } else {
            self.longest_partial.clone()
        };
        let last = partial.len().saturating_sub(1);
        let chain = partial
            .iter()
            .enumerate()
            .map(|(position, link)| {
                let mut problems = Vec::new();
                if position == last {
                    let kind = if self.partial_too_long {
                        ProblemKind::PathTooLong {
                            max: self.validator.policy.max_path_length,
                        }
                    } else if link.cert.is_self_issued()
                        && link.cert.verify_signed_by(link.cert.public_key()).is_ok()
                    {
                        ProblemKind::SelfSignedNotTrusted
                    } else {
                        ProblemKind::IssuerNotFound {
                            issuer: link.cert.issuer().to_string(),
                        }
                    };
                    problems.push(PathProblem::new(
                        kind,
                        SubIndication::NoCertificateChainFound,
                    ));
                }
                let revocation = RevocationCheck {
                    status: RevocationStatus::Unknown {
                        why: UnknownRevocation::PathIncomplete,
                    },
                    crls: Vec::new(),
                    distribution_points: link.cert.crl_distribution_points().to_vec(),
                };
                ChainElement::new(&link.cert, link.source, revocation, problems)
            })
            .collect();
        self.finish(chain, false)
    }

    fn revocation(&mut self, cert: &Certificate, issuer: &Certificate) -> RevocationCheck {
        let time = self.request.time;
        check_revocation(
            cert,
            issuer,
            self.request
                .crls
                .iter()
                .chain(self.validator.store.crls().iter()),
            CrlTimes {
                at: time.at,
                now: time.now,
            },
            &self.validator.policy.algorithms,
            &mut self.signatures,
        )
    }

    fn check_validity(
        &self,
        position: usize,
        cert: &Certificate,
        revocation: &RevocationStatus,
        problems: &mut Vec<PathProblem>,
    ) {
        let time = self.request.time;
        if time.at > cert.not_after() {
            // Not revoked, the certificate might still be saved by a proof of existence before
            // it expired; when `at` already is the best such proof, nothing can save it (ETSI
            // EN 319 102-1 §5.6.2.4: past signature validation ends in OUT_OF_BOUNDS_NO_POE).
            let sub = if matches!(revocation, RevocationStatus::Good { .. })
                && !time.proof_of_existence
            {
                SubIndication::OutOfBoundsNotRevoked
            } else {
                SubIndication::OutOfBoundsNoPoe
            };
            problems.push(PathProblem::new(
                ProblemKind::Expired {
                    not_after: cert.not_after(),
                },
                sub,
            ));
        } else if time.at < cert.not_before() {
            // A signature proven to exist before its certificate was issued cannot be genuine.
            let sub = if position == 0 && time.proof_of_existence {
                SubIndication::NotYetValid
            } else {
                SubIndication::OutOfBoundsNoPoe
            };
            problems.push(PathProblem::new(
                ProblemKind::NotYetValid {
                    not_before: cert.not_before(),
                },
                sub,
            ));
        }
    }

    fn check_signature(
        &mut self,
        cert: &Certificate,
        issuer: &Certificate,
        problems: &mut Vec<PathProblem>,
    ) {
        let algorithms = &self.validator.policy.algorithms;
        let at = self.request.time.at;
        let weak_digest = cert
            .signature_algorithm()
            .ok()
            .and_then(|algorithm| algorithms.check_signature_algorithm(algorithm, at).err());
        let verified = self
            .signatures
            .get_or_verify(cert.sha256(), issuer.sha256(), || {
                cert.verify_signed_by(issuer.public_key())
            });
        match verified {
            Ok(()) => {}
            Err(CryptoError::SignatureInvalid) => problems.push(PathProblem::new(
                ProblemKind::SignatureInvalid {
                    issuer: issuer.subject().to_string(),
                },
                SubIndication::CertificateChainGeneralFailure,
            )),
            // An algorithm refused by policy need not be verifiable (PSS with SHA-1, for one).
            Err(_) if weak_digest.is_some() => {}
            Err(other) => problems.push(PathProblem::new(
                ProblemKind::SignatureUnverifiable {
                    detail: other.to_string(),
                },
                SubIndication::CertificateChainGeneralFailure,
            )),
        }
        if let Some(CryptoConstraint::WeakDigest { digest }) = weak_digest {
            problems.push(PathProblem::new(
                ProblemKind::WeakDigest { digest },
                SubIndication::CryptoConstraintsFailure,
            ));
        }
        if !cert.signature_algorithms_agree() {
            problems.push(PathProblem::new(
                ProblemKind::SignatureAlgorithmMismatch,
                SubIndication::CertificateChainGeneralFailure,
            ));
        }
    }

    fn check_key(&self, cert: &Certificate, problems: &mut Vec<PathProblem>) {
        if let Err(CryptoConstraint::WeakKey {
            algorithm,
            bits,
            minimum,
        }) = self
            .validator
            .policy
            .algorithms
            .check_key(cert.public_key())
        {
            problems.push(PathProblem::new(
                ProblemKind::WeakKey {
                    algorithm,
                    bits,
                    minimum,
                },
                SubIndication::CryptoConstraintsFailure,
            ));
        }
    }

    /// How a revocation status bears on the validation time (ETSI EN 319 102-1 §5.2.6, §5.3.4,
    /// §5.6.2): only a proof of existence before the revocation saves a signature, and a claimed
    /// signing time after it proves the failure.
    fn revocation_problem(
        &self,
        position: usize,
        status: &RevocationStatus,
    ) -> Option<PathProblem> {
        let time = self.request.time;
        match *status {
            RevocationStatus::Good { .. } => None,
            RevocationStatus::Revoked { at, reason } => {
                if time.proof_of_existence && at > time.at {
                    Some(PathProblem::note(ProblemKind::RevokedAfterValidationTime {
                        at,
                        reason,
                    }))
                } else if position > 0 {
                    Some(PathProblem::new(
                        ProblemKind::CaRevokedNoPoe { at, reason },
                        SubIndication::RevokedCaNoPoe,
                    ))
                } else if time.claimed.is_some_and(|claimed| claimed >= at) {
                    Some(PathProblem::new(
                        ProblemKind::Revoked { at, reason },
                        SubIndication::Revoked,
                    ))
                } else {
                    Some(PathProblem::new(
                        ProblemKind::RevokedNoPoe { at, reason },
                        SubIndication::RevokedNoPoe,
                    ))
                }
            }
            RevocationStatus::Unknown { why } => {
                let kind = ProblemKind::RevocationUnknown { why };
                if self.validator.policy.revocation.requires(position) {
                    Some(PathProblem::new(kind, SubIndication::TryLater))
                } else {
                    Some(PathProblem::note(kind))
                }
            }
        }
    }
}

fn score(validation: &PathValidation) -> Score {
    let worst = validation
        .sub_indication
        .map_or(usize::MAX, SubIndication::precedence);
    let count = validation
        .problems()
        .filter(|(_, problem)| problem.sub_indication.is_some())
        .count();
    (worst, std::cmp::Reverse(count))
}

fn check_extensions(cert: &Certificate, problems: &mut Vec<PathProblem>) {
    for oid in cert.unrecognised_critical_extensions() {
        problems.push(PathProblem::new(
            ProblemKind::UnrecognisedCriticalExtension { oid: oid.clone() },
            SubIndication::ChainConstraintsFailure,
        ));
    }
    for oid in cert.malformed_extensions() {
        problems.push(PathProblem::new(
            ProblemKind::MalformedExtension { oid: oid.clone() },
            SubIndication::CertificateChainGeneralFailure,
        ));
    }
}

/// basicConstraints, pathLenConstraint and keyCertSign of a certificate used as an issuer. For the
/// anchor (trusted by configuration) only constraints it states are enforced: a version 1 root
/// without extensions is accepted.
fn check_issuer_constraints(position: usize, path: &[Link], problems: &mut Vec<PathProblem>) {
    let Some(link) = path.get(position) else {
        return;
    };
    let cert = &link.cert;
    let constraints = cert.basic_constraints();
    let is_ca = match constraints {
        Some(bc) => bc.ca,
        None => link.anchor,
    };
    if !is_ca {
        problems.push(PathProblem::new(
            ProblemKind::NotCa,
            SubIndication::ChainConstraintsFailure,
        ));
    }
    if let Some(path_len) = constraints.and_then(|bc| bc.path_len) {
        // Non-self-issued intermediates between this CA and the end entity (RFC 5280 §6.1.4 (l)).
        let intermediates_below = path
            .get(1..position)
            .unwrap_or_default()
            .iter()
            .filter(|below| !below.cert.is_self_issued())
            .count();
        if usize::try_from(path_len).unwrap_or(usize::MAX) < intermediates_below {
            problems.push(PathProblem::new(
                ProblemKind::PathLengthExceeded {
                    path_len,
                    intermediates_below,
                },
                SubIndication::ChainConstraintsFailure,
            ));
        }
    }
    if cert.key_usage().is_some_and(|usage| !usage.key_cert_sign()) {
        problems.push(PathProblem::new(
            ProblemKind::MissingKeyCertSign,
            SubIndication::ChainConstraintsFailure,
        ));
    }
}

/// Purposes that are known not to be document signing: an EKU listing only these refuses it.
const NOT_FOR_DOCUMENTS: &[&str] = &[
    OID_EKU_SERVER_AUTH,
    OID_EKU_CODE_SIGNING,
    OID_EKU_TIME_STAMPING,
    OID_EKU_OCSP_SIGNING,
    "1.3.6.1.5.5.7.3.5",  // ipsecEndSystem
    "1.3.6.1.5.5.7.3.6",  // ipsecTunnel
    "1.3.6.1.5.5.7.3.7",  // ipsecUser
    "1.3.6.1.5.5.7.3.17", // ipsecIKE
];

/// What makes `cert` unfit for `purpose` as an end entity (empty when it is fit): the same rule
/// path validation applies, for callers that must refuse a certificate before using it (the
/// signer refuses to sign with a certificate whose key usage forbids signing).
pub fn purpose_problems(purpose: Purpose, cert: &Certificate) -> Vec<ProblemKind> {
    let mut problems = Vec::new();
    check_purpose(purpose, cert, &mut problems);
    problems.into_iter().map(|problem| problem.kind).collect()
}

fn check_purpose(purpose: Purpose, cert: &Certificate, problems: &mut Vec<PathProblem>) {
    let key_usage = cert.key_usage();
    let signs = key_usage.is_none_or(|usage| usage.digital_signature() || usage.non_repudiation());
    let key_usage_names = || {
        key_usage
            .map(|usage| usage.names().into_iter().map(str::to_owned).collect())
            .unwrap_or_default()
    };
    match purpose {
        Purpose::Any => {}
        Purpose::DocumentSigning => {
            if !signs {
                problems.push(PathProblem::new(
                    ProblemKind::KeyUsageNotForSigning {
                        key_usage: key_usage_names(),
                    },
                    SubIndication::ChainConstraintsFailure,
                ));
            }
            if let Some(eku) = cert.extended_key_usage() {
                let incompatible = !eku.contains(OID_EKU_ANY)
                    && !eku.purposes.is_empty()
                    && eku
                        .purposes
                        .iter()
                        .all(|purpose| NOT_FOR_DOCUMENTS.contains(&purpose.as_str()));
                if incompatible {
                    problems.push(PathProblem::new(
                        ProblemKind::ExtendedKeyUsageIncompatible {
                            purposes: eku.names(),
                        },
                        SubIndication::ChainConstraintsFailure,
                    ));
                }
            }
        }
        Purpose::Timestamping => {
            if !signs {
                problems.push(PathProblem::new(
                    ProblemKind::KeyUsageNotForSigning {
                        key_usage: key_usage_names(),
                    },
                    SubIndication::ChainConstraintsFailure,
                ));
            }
            match cert.extended_key_usage() {
                Some(eku) if eku.contains(OID_EKU_TIME_STAMPING) => {
                    if !eku.critical {
                        problems.push(PathProblem::new(
                            ProblemKind::TimestampingEkuNotCritical,
                            SubIndication::ChainConstraintsFailure,
                        ));
                    }
                    if eku.purposes.len() > 1 {
                        problems.push(PathProblem::new(
                            ProblemKind::TimestampingEkuNotSole {
                                purposes: eku.names(),
                            },
                            SubIndication::ChainConstraintsFailure,
                        ));
                    }
                }
                _ => problems.push(PathProblem::new(
                    ProblemKind::TimestampingEkuMissing,
                    SubIndication::ChainConstraintsFailure,
                )),
            }
        }
        Purpose::CrlSigning => {
            if key_usage.is_some_and(|usage| !usage.crl_sign()) {
                problems.push(PathProblem::new(
                    ProblemKind::KeyUsageNotForCrlSigning,
                    SubIndication::ChainConstraintsFailure,
                ));
            }
        }
    }
}
