//! Certificate revocation lists: parsing, signature and freshness checks, revocation status of a
//! certificate at a time.
//!
//! Offline only: CRLs come from the trust store, from files the caller names and from a PDF's
//! `/DSS` (the caller passes the DER). Distribution points are reported, never fetched.
//!
//! The status is factual (`Good` as of a CRL, `Revoked { at, reason }`, `Unknown { why }`); how a
//! revocation compares with the signing time and its proof of existence is decided by
//! [`crate::pki::path`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_parser::der_parser::asn1_rs::GeneralizedTime;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::{CertificateRevocationList, RevokedCertificate};

use super::cache::VerificationCache;
use super::cert::{Certificate, strip_leading_zeros};
use super::name::DistinguishedName;
use super::policy::AlgorithmPolicy;
use crate::crypto::{CryptoError, SignatureAlgorithm, Signed, sha256};

/// Why bytes are not a usable CRL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrlError {
    #[error("not a DER X.509 CRL: {reason}")]
    Malformed { reason: String },
    #[error("{count} bytes follow the CRL")]
    TrailingData { count: usize },
    #[error("serial number {serial} is listed twice")]
    DuplicateEntry { serial: String },
}

/// The reasonCode of a CRL entry (RFC 5280 §5.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RevocationReason {
    Unspecified,
    KeyCompromise,
    CaCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
    CertificateHold,
    RemoveFromCrl,
    PrivilegeWithdrawn,
    AaCompromise,
    /// A value RFC 5280 does not define.
    Unknown,
}

impl RevocationReason {
    fn from_code(code: u8) -> Self {
        match code {
            0 => Self::Unspecified,
            1 => Self::KeyCompromise,
            2 => Self::CaCompromise,
            3 => Self::AffiliationChanged,
            4 => Self::Superseded,
            5 => Self::CessationOfOperation,
            6 => Self::CertificateHold,
            8 => Self::RemoveFromCrl,
            9 => Self::PrivilegeWithdrawn,
            10 => Self::AaCompromise,
            _ => Self::Unknown,
        }
    }
}

/// One revoked certificate listed by a CRL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedEntry {
    pub revoked_at: OffsetDateTime,
    pub reason: RevocationReason,
    /// When the key is known or suspected to have been compromised (may precede `revoked_at`).
    pub invalidity_date: Option<OffsetDateTime>,
    /// A critical entry extension this crate does not know (e.g. certificateIssuer of an
    /// indirect CRL): the entry cannot be interpreted.
    pub unrecognised_critical_extension: Option<String>,
}

/// The issuingDistributionPoint restrictions of a CRL (RFC 5280 §5.2.5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrlScope {
    pub only_user_certificates: bool,
    pub only_ca_certificates: bool,
    pub only_some_reasons: bool,
    pub indirect: bool,
    pub only_attribute_certificates: bool,
}

const OID_CRL_NUMBER: &str = "2.5.29.20";
const OID_DELTA_CRL_INDICATOR: &str = "2.5.29.27";
const OID_ISSUING_DISTRIBUTION_POINT: &str = "2.5.29.28";
const OID_ISSUER_ALT_NAME: &str = "2.5.29.18";
const OID_FRESHEST_CRL: &str = "2.5.29.46";
const OID_EXPIRED_CERTS_ON_CRL: &str = "2.5.29.60";
const OID_REASON_CODE: &str = "2.5.29.21";
const OID_INVALIDITY_DATE: &str = "2.5.29.24";
const OID_HOLD_INSTRUCTION: &str = "2.5.29.23";

/// A parsed CRL. Cheap to share behind an `Arc`.
#[derive(Clone, Debug)]
pub struct Crl {
    der: Vec<u8>,
    sha256: [u8; 32],
    issuer: DistinguishedName,
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    revoked: HashMap<Vec<u8>, RevokedEntry>,
    signature_algorithm: Result<SignatureAlgorithm, CryptoError>,
    signature_algorithm_oid: String,
    tbs: Vec<u8>,
    signature: Vec<u8>,
    crl_number: Option<String>,
    authority_key_id: Option<Vec<u8>>,
    scope: CrlScope,
    is_delta: bool,
    expired_certs_on_crl: Option<OffsetDateTime>,
    unrecognised_critical_extensions: Vec<String>,
}

impl Crl {
    /// Parses one DER CRL; trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Crl, CrlError> {
        let (rest, crl) =
            CertificateRevocationList::from_der(der).map_err(|error| CrlError::Malformed {
                reason: error.to_string(),
            })?;
        if !rest.is_empty() {
            return Err(CrlError::TrailingData { count: rest.len() });
        }
        let sha256 = sha256(der);
        let mut parsed = Crl {
            der: der.to_vec(),
            sha256,
            issuer: DistinguishedName::from_x509(crl.issuer()),
            this_update: crl.last_update().to_datetime(),
            next_update: crl.next_update().map(|time| time.to_datetime()),
            revoked: HashMap::new(),
            signature_algorithm: SignatureAlgorithm::from_x509(&crl.signature_algorithm),
            signature_algorithm_oid: crl.signature_algorithm.algorithm.to_id_string(),
            tbs: crl.tbs_cert_list.as_ref().to_vec(),
            signature: crl.signature_value.data.to_vec(),
            crl_number: crl.crl_number().map(|number| number.to_string()),
            authority_key_id: None,
            scope: CrlScope::default(),
            is_delta: false,
            expired_certs_on_crl: None,
            unrecognised_critical_extensions: Vec::new(),
        };
        parsed.read_extensions(&crl);
        for entry in crl.iter_revoked_certificates() {
            let serial = strip_leading_zeros(entry.raw_serial()).to_vec();
            let previous = parsed.revoked.insert(serial.clone(), read_entry(entry));
            if previous.is_some() {
                return Err(CrlError::DuplicateEntry {
                    serial: hex::encode_upper(serial),
                });
            }
        }
        Ok(parsed)
    }

    fn read_extensions(&mut self, crl: &CertificateRevocationList<'_>) {
        for extension in crl.extensions() {
            let oid = extension.oid.to_id_string();
            match (oid.as_str(), extension.parsed_extension()) {
                (_, ParsedExtension::AuthorityKeyIdentifier(aki)) => {
                    self.authority_key_id = aki.key_identifier.as_ref().map(|id| id.0.to_vec());
                }
                (_, ParsedExtension::IssuingDistributionPoint(idp)) => {
                    self.scope = CrlScope {
                        only_user_certificates: idp.only_contains_user_certs,
                        only_ca_certificates: idp.only_contains_ca_certs,
                        only_some_reasons: idp.only_some_reasons.is_some(),
                        indirect: idp.indirect_crl,
                        only_attribute_certificates: idp.only_contains_attribute_certs,
                    };
                }
                (OID_DELTA_CRL_INDICATOR, _) => self.is_delta = true,
                (OID_EXPIRED_CERTS_ON_CRL, _) => {
                    self.expired_certs_on_crl = GeneralizedTime::from_der(extension.value)
                        .ok()
                        .and_then(|(_, time)| time.0.to_datetime().ok());
                }
                (OID_CRL_NUMBER | OID_ISSUER_ALT_NAME | OID_FRESHEST_CRL, _) => {}
                (_, _) if extension.critical => {
                    self.unrecognised_critical_extensions.push(oid);
                }
                _ => {}
            }
        }
        // A critical IDP that could not be parsed must not be ignored.
        let idp_parsed = crl.extensions().iter().any(|extension| {
            matches!(
                extension.parsed_extension(),
                ParsedExtension::IssuingDistributionPoint(_)
            )
        });
        let idp_present = crl
            .extensions()
            .iter()
            .any(|extension| extension.oid.to_id_string() == OID_ISSUING_DISTRIBUTION_POINT);
        if idp_present && !idp_parsed {
            self.unrecognised_critical_extensions
                .push(OID_ISSUING_DISTRIBUTION_POINT.to_owned());
        }
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }

    pub(crate) fn sha256(&self) -> &[u8; 32] {
        &self.sha256
    }

    pub fn issuer(&self) -> &DistinguishedName {
        &self.issuer
    }

    pub fn this_update(&self) -> OffsetDateTime {
        self.this_update
    }

    pub fn next_update(&self) -> Option<OffsetDateTime> {
        self.next_update
    }

    pub fn crl_number(&self) -> Option<&str> {
        self.crl_number.as_deref()
    }

    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    pub fn scope(&self) -> CrlScope {
        self.scope
    }

    pub fn is_delta(&self) -> bool {
        self.is_delta
    }

    /// Number of revoked certificates listed.
    pub fn len(&self) -> usize {
        self.revoked.len()
    }

    pub fn is_empty(&self) -> bool {
        self.revoked.is_empty()
    }

    /// The entry for a serial number (DER content bytes; sign bytes are ignored).
    pub fn entry(&self, serial: &[u8]) -> Option<&RevokedEntry> {
        self.revoked.get(strip_leading_zeros(serial))
    }

    /// Verifies the CRL's signature with the issuer's key.
    pub fn verify_signed_by(&self, issuer: &Certificate) -> Result<(), CryptoError> {
        let algorithm = self.signature_algorithm.clone()?;
        issuer
            .public_key()
            .verify(algorithm, Signed::Message(&self.tbs), &self.signature)
    }

    /// Dotted OID of the CRL's signature algorithm.
    pub fn signature_algorithm_oid(&self) -> &str {
        &self.signature_algorithm_oid
    }
}

fn read_entry(entry: &RevokedCertificate<'_>) -> RevokedEntry {
    let unrecognised_critical_extension = entry
        .extensions()
        .iter()
        .map(|extension| (extension.oid.to_id_string(), extension.critical))
        .find(|(oid, critical)| {
            *critical
                && ![OID_REASON_CODE, OID_INVALIDITY_DATE, OID_HOLD_INSTRUCTION]
                    .contains(&oid.as_str())
        })
        .map(|(oid, _)| oid);
    RevokedEntry {
        revoked_at: entry.revocation_date.to_datetime(),
        reason: entry
            .reason_code()
            .map_or(RevocationReason::Unspecified, |(_, code)| {
                RevocationReason::from_code(code.0)
            }),
        invalidity_date: entry.invalidity_date().map(|(_, date)| date.to_datetime()),
        unrecognised_critical_extension,
    }
}

/// Where a CRL came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CrlSource {
    /// The deployment's trust store.
    Store,
    /// The PDF's `/DSS` dictionary.
    Dss,
    /// A file named by the caller (`--crl`).
    Supplied,
    /// Inside the CMS signature (revocation values, `adbe-revocationInfoArchival`).
    Cms,
}

/// A CRL with its origin.
#[derive(Clone, Debug)]
pub struct SourcedCrl {
    pub crl: Arc<Crl>,
    pub source: CrlSource,
}

impl SourcedCrl {
    /// Parses a DER CRL found in a `/DSS`, a CMS or a file.
    pub fn from_der(der: &[u8], source: CrlSource) -> Result<Self, CrlError> {
        Ok(SourcedCrl {
            crl: Arc::new(Crl::from_der(der)?),
            source,
        })
    }
}

/// The revocation status of a certificate, as far as the available CRLs tell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", tag = "status")]
pub enum RevocationStatus {
    /// Not listed by a CRL that covers the validation time.
    Good {
        #[serde(with = "time::serde::rfc3339")]
        as_of: OffsetDateTime,
    },
    /// Listed as revoked. Whether that matters depends on when (see `path`).
    Revoked {
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        reason: RevocationReason,
    },
    Unknown {
        why: UnknownRevocation,
    },
}

/// Why no status could be established.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UnknownRevocation {
    /// No CRL from this certificate's issuer was available (offline: nothing is fetched).
    NoCrl,
    /// CRLs were available but none could be used (see each CRL's outcome).
    NoUsableCrl,
    /// Not checked: trust anchors are trusted by configuration.
    TrustAnchor,
    /// Not checked: no path reaches a trust anchor, so no issuer can vouch for a CRL.
    PathIncomplete,
}

/// What happened to one CRL considered for a certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", tag = "outcome")]
pub enum CrlOutcome {
    /// Used: it tells the status.
    Used,
    /// Not for this certificate (another key of the same CA name, or out of scope).
    NotApplicable { why: String },
    /// Rejected: it cannot be trusted or does not cover the validation time.
    Rejected { why: CrlRejection },
}

/// Why a CRL was not used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", tag = "reason")]
pub enum CrlRejection {
    SignatureInvalid,
    SignatureUnsupported {
        detail: String,
    },
    CryptoConstraints {
        detail: String,
    },
    IssuerCannotSignCrls,
    /// thisUpdate lies after the current time (beyond [`CRL_CLOCK_SKEW`]): a CRL from the future.
    NotYetValid {
        #[serde(with = "time::serde::rfc3339")]
        this_update: OffsetDateTime,
    },
    /// nextUpdate lies before the validation time: stale, it cannot vouch for that time.
    Expired {
        #[serde(with = "time::serde::rfc3339::option")]
        next_update: Option<OffsetDateTime>,
    },
    /// Issued after the certificate expired, without expiredCertsOnCRL: an expired certificate
    /// may have been dropped from it.
    IssuedAfterCertificateExpiry,
    DeltaCrlUnsupported,
    UnrecognisedCriticalExtension {
        oid: String,
    },
}

/// One CRL and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CrlConsidered {
    pub issuer: String,
    #[serde(with = "time::serde::rfc3339")]
    pub this_update: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_update: Option<OffsetDateTime>,
    pub crl_number: Option<String>,
    pub sha256: String,
    pub source: CrlSource,
    #[serde(flatten)]
    pub outcome: CrlOutcome,
}

/// The revocation check of one certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RevocationCheck {
    pub status: RevocationStatus,
    /// Every CRL from the certificate's issuer that was looked at.
    pub crls: Vec<CrlConsidered>,
    /// The certificate's CRL distribution points, reported and never fetched.
    pub distribution_points: Vec<String>,
}

impl RevocationCheck {
    /// The check of a trust anchor: not performed.
    pub fn trust_anchor(cert: &Certificate) -> Self {
        RevocationCheck {
            status: RevocationStatus::Unknown {
                why: UnknownRevocation::TrustAnchor,
            },
            crls: Vec::new(),
            distribution_points: cert.crl_distribution_points().to_vec(),
        }
    }
}

/// How far ahead of our clock a CRL's thisUpdate may be before it counts as from the future: CA
/// clocks drift, and a CRL fetched right after issuance must not be refused for seconds.
pub const CRL_CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

/// The times a revocation check needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrlTimes {
    /// The validation time: a CRL must cover it to vouch that the certificate was not revoked.
    pub at: OffsetDateTime,
    /// The current time: a CRL issued after it is bogus.
    pub now: OffsetDateTime,
}

/// The status of `cert`, issued by `issuer`, from the given CRLs (any issuer; the others are
/// skipped).
///
/// Rules: a CRL counts only if its issuer name is the certificate's issuer, its signature verifies
/// with the issuer's key under the algorithm policy, the issuer may sign CRLs, it is not from the
/// future, and it is a complete CRL in scope. A CRL that lists the certificate proves revocation
/// even if stale; proving *non*-revocation needs a CRL whose nextUpdate is not before the
/// validation time, issued before the certificate expired (or carrying expiredCertsOnCRL).
/// Among several usable CRLs, a listing wins; otherwise the newest tells `Good`.
pub fn check_revocation<'a>(
    cert: &Certificate,
    issuer: &Certificate,
    crls: impl IntoIterator<Item = &'a SourcedCrl>,
    times: CrlTimes,
    algorithms: &AlgorithmPolicy,
    cache: &mut VerificationCache,
) -> RevocationCheck {
    let mut considered = Vec::new();
    let mut revoked: Option<&RevokedEntry> = None;
    let mut good_as_of: Option<OffsetDateTime> = None;
    let mut seen: HashSet<[u8; 32]> = HashSet::new();
    for sourced in crls {
        let crl = &sourced.crl;
        if !crl.issuer().matches(cert.issuer()) || !seen.insert(*crl.sha256()) {
            continue;
        }
        let assessment = assess(crl, cert, issuer, times, algorithms, cache);
        let outcome = match assessment {
            Assessment::Lists(entry) => {
                if revoked.is_none_or(|earlier| entry.revoked_at < earlier.revoked_at) {
                    revoked = Some(entry);
                }
                CrlOutcome::Used
            }
            Assessment::DoesNotList => {
                if good_as_of.is_none_or(|as_of| crl.this_update() > as_of) {
                    good_as_of = Some(crl.this_update());
                }
                CrlOutcome::Used
            }
            Assessment::NotApplicable(why) => CrlOutcome::NotApplicable { why },
            Assessment::Rejected(why) => CrlOutcome::Rejected { why },
        };
        considered.push(CrlConsidered {
            issuer: crl.issuer().to_string(),
            this_update: crl.this_update(),
            next_update: crl.next_update(),
            crl_number: crl.crl_number().map(str::to_owned),
            sha256: crl.sha256_hex(),
            source: sourced.source,
            outcome,
        });
    }
    let status = match (revoked, good_as_of) {
        (Some(entry), _) => RevocationStatus::Revoked {
            at: entry.revoked_at,
            reason: entry.reason,
        },
        (None, Some(as_of)) => RevocationStatus::Good { as_of },
        (None, None) if considered.is_empty() => RevocationStatus::Unknown {
            why: UnknownRevocation::NoCrl,
        },
        (None, None) => RevocationStatus::Unknown {
            why: UnknownRevocation::NoUsableCrl,
        },
    };
    RevocationCheck {
        status,
        crls: considered,
        distribution_points: cert.crl_distribution_points().to_vec(),
    }
}

enum Assessment<'c> {
    Lists(&'c RevokedEntry),
    DoesNotList,
    NotApplicable(String),
    Rejected(CrlRejection),
}

fn assess<'c>(
    crl: &'c Crl,
    cert: &Certificate,
    issuer: &Certificate,
    times: CrlTimes,
    algorithms: &AlgorithmPolicy,
    cache: &mut VerificationCache,
) -> Assessment<'c> {
    let other_key = match (crl.authority_key_id(), issuer.subject_key_id()) {
        (Some(crl_key), Some(issuer_key)) => crl_key != issuer_key,
        _ => false,
    };
    if other_key {
        return Assessment::NotApplicable("signed by another key of the same CA".into());
    }
    if let Some(why) = out_of_scope(crl.scope(), cert) {
        return Assessment::NotApplicable(why.into());
    }
    if let Err(rejection) = trustworthy(crl, issuer, times, algorithms, cache) {
        return Assessment::Rejected(rejection);
    }
    if let Some(entry) = crl.entry(cert.serial()) {
        return match &entry.unrecognised_critical_extension {
            Some(oid) => Assessment::Rejected(CrlRejection::UnrecognisedCriticalExtension {
                oid: oid.clone(),
            }),
            None => Assessment::Lists(entry),
        };
    }
    if crl.next_update().is_none_or(|next| next < times.at) && crl.this_update() < times.at {
        return Assessment::Rejected(CrlRejection::Expired {
            next_update: crl.next_update(),
        });
    }
    let keeps_expired = crl
        .expired_certs_on_crl
        .is_some_and(|since| since <= cert.not_after());
    if crl.this_update() > cert.not_after() && !keeps_expired {
        return Assessment::Rejected(CrlRejection::IssuedAfterCertificateExpiry);
    }
    Assessment::DoesNotList
}

fn out_of_scope(scope: CrlScope, cert: &Certificate) -> Option<&'static str> {
    if scope.only_user_certificates && cert.is_ca() {
        Some("the CRL covers only end-entity certificates")
    } else if scope.only_ca_certificates && !cert.is_ca() {
        Some("the CRL covers only CA certificates")
    } else if scope.only_attribute_certificates {
        Some("the CRL covers only attribute certificates")
    } else if scope.only_some_reasons {
        Some("the CRL covers only some revocation reasons (partitioned CRLs are not supported)")
    } else if scope.indirect {
        Some("indirect CRLs are not supported")
    } else {
        None
    }
}

/// The checks that make a CRL trustworthy at all, whatever it lists.
fn trustworthy(
    crl: &Crl,
    issuer: &Certificate,
    times: CrlTimes,
    algorithms: &AlgorithmPolicy,
    cache: &mut VerificationCache,
) -> Result<(), CrlRejection> {
    if crl.is_delta() {
        return Err(CrlRejection::DeltaCrlUnsupported);
    }
    if let Some(oid) = crl.unrecognised_critical_extensions.first() {
        return Err(CrlRejection::UnrecognisedCriticalExtension { oid: oid.clone() });
    }
    if issuer.key_usage().is_some_and(|usage| !usage.crl_sign()) {
        return Err(CrlRejection::IssuerCannotSignCrls);
    }
    match cache.get_or_verify(crl.sha256(), issuer.sha256(), || {
        crl.verify_signed_by(issuer)
    }) {
        Ok(()) => {}
        Err(CryptoError::SignatureInvalid) => return Err(CrlRejection::SignatureInvalid),
        Err(other) => {
            return Err(CrlRejection::SignatureUnsupported {
                detail: other.to_string(),
            });
        }
    }
    if let Ok(algorithm) = &crl.signature_algorithm {
        algorithms
            .check_signature_algorithm(*algorithm, crl.this_update())
            .and_then(|()| algorithms.check_key(issuer.public_key()))
            .map_err(|constraint| CrlRejection::CryptoConstraints {
                detail: constraint.to_string(),
            })?;
    }
    if crl.this_update() > times.now + CRL_CLOCK_SKEW {
        return Err(CrlRejection::NotYetValid {
            this_update: crl.this_update(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_clear_error() {
        assert!(matches!(
            Crl::from_der(&[0x30, 0x03, 0x02, 0x01, 0x01]),
            Err(CrlError::Malformed { .. })
        ));
    }

    #[test]
    fn reason_codes_map() {
        assert_eq!(
            RevocationReason::from_code(1),
            RevocationReason::KeyCompromise
        );
        assert_eq!(RevocationReason::from_code(7), RevocationReason::Unknown);
    }
}
