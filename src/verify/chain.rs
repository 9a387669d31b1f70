//! Path validation for the certificates a document names (signers, timestamping authorities): the
//! trust store and policy of the caller, the certificates and CRLs the document carries (CMS,
//! `/DSS`) and those the caller supplies, and the validation time rule.
//!
//! # Validation time
//!
//! A signature's certificates are validated at the earliest time something *proves* the
//! signature existed: the genTime of a valid signature timestamp (B-T), or of a valid document
//! timestamp that covers the signature (B-LTA). Without such a proof (B-B), they are validated at
//! the current time, or at the time asked for (`--at`), and the claimed `/M` only serves to turn
//! a revocation *before* it into a proven failure. The signer's own `/M` is never enough to accept
//! a certificate that has since expired or been revoked: it is the signer's word, and a forger
//! writes whatever date suits them (EN 319 102-1 §5.6.2: without a proof of existence an expired
//! certificate is `OUT_OF_BOUNDS_NO_POE`). This is what DSS and pyHanko do.

use time::OffsetDateTime;

use crate::pki::crl::{CrlSource, SourcedCrl};
use crate::pki::path::{
    CertificateSource, PathRequest, PathValidation, Purpose, SourcedCertificate, ValidationTime,
    validate_path,
};
use crate::pki::policy::ValidationPolicy;
use crate::pki::trust::TrustStore;
use crate::verify::messages::Code;
use crate::verify::report::Finding;

/// When certificates are validated, before any proof of existence is considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// The current time or the time asked for.
    pub at: OffsetDateTime,
    /// True when `at` was asked for (`--at`).
    pub requested: bool,
    /// The real current time (CRLs issued after it are refused).
    pub now: OffsetDateTime,
}

impl Moment {
    pub fn new(requested: Option<OffsetDateTime>, now: OffsetDateTime) -> Self {
        Moment {
            at: requested.unwrap_or(now),
            requested: requested.is_some(),
            now,
        }
    }

    /// The validation time for a signature: proven by `proof` when there is one.
    pub fn for_signature(
        &self,
        proof: Option<OffsetDateTime>,
        claimed: Option<OffsetDateTime>,
    ) -> ValidationTime {
        match proof {
            Some(proven) => ValidationTime::proven(proven, self.now),
            None => ValidationTime::requested(self.at, self.now),
        }
        .with_claimed(claimed)
    }

    /// The finding saying which time was used and why.
    pub fn finding(&self, time: &ValidationTime) -> Finding {
        let (vi, en) = if time.proof_of_existence {
            (
                "thời điểm được dấu thời gian chứng minh",
                "the time proven by a timestamp",
            )
        } else if self.requested {
            ("thời điểm được yêu cầu kiểm tra", "the time asked for")
        } else {
            (
                "thời điểm hiện tại, vì không có dấu thời gian chứng minh thời điểm ký",
                "the current time, as no timestamp proves when the signature was made",
            )
        };
        Finding::localized(
            Code::ValidationTimeUsed,
            &[("time", &crate::verify::report::display_time(time.at))],
            &[("basis", vi, en)],
        )
    }
}

/// What path validation draws on besides the end entity.
#[derive(Debug, Clone)]
pub struct ChainContext<'a> {
    pub store: &'a TrustStore,
    pub policy: &'a ValidationPolicy,
    /// The document's `/DSS` certificates.
    pub dss_certificates: Vec<SourcedCertificate>,
    /// CRLs from the caller and the `/DSS`.
    pub crls: Vec<SourcedCrl>,
    pub moment: Moment,
}

impl ChainContext<'_> {
    /// Validates `end_entity` (DER) for `purpose` at `time`, offering the certificates and CRLs
    /// of its CMS (`cms_certificates`, `cms_crls`) besides the context's.
    pub fn validate(
        &self,
        end_entity: &[u8],
        cms_certificates: &[Vec<u8>],
        cms_crls: &[Vec<u8>],
        purpose: Purpose,
        time: ValidationTime,
    ) -> Result<PathValidation, Box<Finding>> {
        let end_entity =
            SourcedCertificate::from_der(end_entity, CertificateSource::Cms).map_err(|error| {
                Box::new(Finding::new(
                    Code::CmsMalformed,
                    &[("detail", &format!("the signer's certificate: {error}"))],
                ))
            })?;
        // Unreadable certificates and CRLs among the offered ones are skipped: they cannot help
        // a path, and the signer's own certificate was read above.
        let mut untrusted: Vec<SourcedCertificate> = cms_certificates
            .iter()
            .filter_map(|der| SourcedCertificate::from_der(der, CertificateSource::Cms).ok())
            .filter(|certificate| certificate.cert.sha256() != end_entity.cert.sha256())
            .collect();
        untrusted.extend(self.dss_certificates.iter().cloned());
        let mut crls = self.crls.clone();
        crls.extend(
            cms_crls
                .iter()
                .filter_map(|der| SourcedCrl::from_der(der, CrlSource::Cms).ok()),
        );
        let request = PathRequest {
            end_entity: &end_entity,
            untrusted: &untrusted,
            crls: &crls,
            purpose,
            time,
        };
        Ok(validate_path(self.store, self.policy, &request))
    }
}
