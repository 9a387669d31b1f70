//! RFC 3161 timestamp tokens as the verifier meets them: inside a signature (a signature
//! timestamp, whose imprint is the hash of the SignerInfo's signature value: PAdES B-T) and as a
//! document timestamp (`ETSI.RFC3161`, whose imprint is the hash of its byte ranges: B-LTA).
//!
//! Checked here: the imprint, the TSA's signature over the TSTInfo with its ESS binding
//! (`cms::TimeStampToken::verify`), the algorithm policy, and the TSA certificate's path for the
//! timestamping purpose at the validation moment. A token that passes all of them proves its
//! genTime. Long-term aspects (timestamp renewal, ordering, revocation data gathered later) are
//! beyond this module.

use time::OffsetDateTime;

use crate::cms::{TimeStampToken, VerifyError, find_signer_certificate};
use crate::pki::indication::{Indication, SubIndication, outcome};
use crate::pki::path::{PathValidation, Purpose, ValidationTime};
use crate::verify::chain::ChainContext;
use crate::verify::messages::Code;
use crate::verify::report::{ChainEntry, Finding, TimestampReport, display_time};

/// The outcome for one token.
#[derive(Debug, Clone)]
pub struct TimestampCheck {
    pub report: TimestampReport,
    /// The genTime, when the token is intact, verifies and its TSA is trusted.
    pub proof_of_existence: Option<OffsetDateTime>,
    pub findings: Vec<Finding>,
    /// The TSA certificate (DER), when found.
    pub tsa_certificate: Option<Vec<u8>>,
    pub path: Option<PathValidation>,
    /// The imprint matches and the TSA's signature verifies.
    pub intact: bool,
}

/// Parses a token held in a `/Contents` or an unsigned attribute; zero padding after the DER
/// (a `/Contents` string's) is allowed.
pub fn parse_token(bytes: &[u8]) -> Result<TimeStampToken, Box<Finding>> {
    let malformed =
        |detail: String| Box::new(Finding::new(Code::TimestampInvalid, &[("detail", &detail)]));
    let signed_data =
        crate::cms::parse_signed_data(bytes).map_err(|error| malformed(error.to_string()))?;
    let exact = bytes
        .get(..signed_data.encoded_len)
        .ok_or_else(|| malformed("truncated".into()))?;
    TimeStampToken::parse(exact).map_err(|error| malformed(error.to_string()))
}

/// Checks `token`, given whether its imprint matches what it should cover (computed by the
/// caller), against `context` at `context.moment`.
pub fn check(
    token: &TimeStampToken,
    imprint_matches: bool,
    context: &ChainContext<'_>,
) -> TimestampCheck {
    let mut subs = Vec::new();
    let mut findings = Vec::new();
    let gen_time = token.gen_time();
    if !imprint_matches {
        subs.push(SubIndication::HashFailure);
        findings.push(Finding::new(Code::TimestampImprintMismatch, &[]));
    }
    let tsa_certificate = token.signer().and_then(|signer| {
        let candidates = token
            .signed_data
            .certificates
            .iter()
            .map(Vec::as_slice)
            .chain(
                context
                    .dss_certificates
                    .iter()
                    .map(|certificate| certificate.cert.der()),
            );
        find_signer_certificate(&signer.sid, candidates)
            .ok()
            .map(<[u8]>::to_vec)
    });
    let mut signature_ok = false;
    let mut path = None;
    match &tsa_certificate {
        None => {
            subs.push(SubIndication::NoSigningCertificateFound);
            findings.push(invalid(
                "the timestamping authority's certificate is not in the token",
            ));
        }
        Some(certificate) => {
            match token.verify(certificate) {
                Ok(verification) => {
                    signature_ok = true;
                    let at = context.moment.at;
                    let mut digests = vec![
                        verification.digest_algorithm,
                        verification.signature_algorithm.digest(),
                    ];
                    digests.dedup();
                    for digest in digests {
                        if context.policy.algorithms.check_digest(digest, at).is_err() {
                            subs.push(SubIndication::CryptoConstraintsFailure);
                            findings.push(Finding::new(
                                Code::WeakSignatureAlgorithm,
                                &[("algorithm", digest.name())],
                            ));
                        }
                    }
                }
                Err(error) => {
                    subs.push(signature_sub_indication(&error));
                    findings.push(invalid(&error.to_string()));
                }
            }
            let time = ValidationTime::requested(context.moment.at, context.moment.now);
            match context.validate(
                certificate,
                &token.signed_data.certificates,
                &token.signed_data.crls,
                Purpose::Timestamping,
                time,
            ) {
                Ok(validation) => {
                    if let Some(sub) = validation.sub_indication {
                        subs.push(sub);
                    }
                    path = Some(validation);
                }
                Err(finding) => {
                    subs.push(SubIndication::FormatFailure);
                    findings.push(*finding);
                }
            }
        }
    }
    let (indication, sub_indication) = outcome(subs);
    let tsa = path
        .as_ref()
        .and_then(PathValidation::end_entity)
        .map(|element| element.subject.clone())
        .unwrap_or_else(|| "?".to_owned());
    if indication != Indication::TotalPassed && imprint_matches && signature_ok {
        findings.push(Finding::new(Code::TimestampUntrusted, &[("tsa", &tsa)]));
    }
    let report = TimestampReport {
        gen_time,
        tsa,
        serial: Some(hex::encode_upper(token.tst_info.serial_number.as_bytes())),
        policy: Some(token.tst_info.policy.to_string()),
        intact: imprint_matches && signature_ok,
        indication,
        sub_indication,
        chain: path.as_ref().map(ChainEntry::from_path).unwrap_or_default(),
        tsa_not_after: path
            .as_ref()
            .and_then(PathValidation::end_entity)
            .map(|element| element.not_after),
    };
    TimestampCheck {
        proof_of_existence: (indication == Indication::TotalPassed).then_some(gen_time),
        intact: report.intact,
        report,
        findings,
        tsa_certificate,
        path,
    }
}

fn invalid(detail: &str) -> Finding {
    Finding::new(Code::TimestampInvalid, &[("detail", detail)])
}

fn signature_sub_indication(error: &VerifyError) -> SubIndication {
    match error {
        VerifyError::DigestMismatch { .. } => SubIndication::HashFailure,
        VerifyError::SignatureInvalid | VerifyError::AlgorithmKeyMismatch { .. } => {
            SubIndication::SigCryptoFailure
        }
        VerifyError::UnsupportedAlgorithm { .. } | VerifyError::PrehashNotPossible { .. } => {
            SubIndication::CryptoConstraintsFailure
        }
        VerifyError::SignerCertificateNotFound
        | VerifyError::EssCertificateMismatch { .. }
        | VerifyError::EssEmpty => SubIndication::NoSigningCertificateFound,
        VerifyError::MissingAttribute { .. }
        | VerifyError::ContentTypeMismatch { .. }
        | VerifyError::DigestLength { .. }
        | VerifyError::Certificate(_) => SubIndication::FormatFailure,
    }
}

/// Findings comparing a signature timestamp with the claimed signing time.
pub fn compare_with_claimed(
    gen_time: OffsetDateTime,
    claimed: Option<OffsetDateTime>,
) -> Option<Finding> {
    let claimed = claimed?;
    let params = [
        ("gen_time", display_time(gen_time)),
        ("claimed", display_time(claimed)),
    ];
    let borrowed: Vec<(&str, &str)> = params
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    // `/M` has whole seconds; a token issued in the same second is neither before nor after.
    // Times near the ends of the representable range (year 9999 in a hostile token) saturate
    // instead of overflowing.
    let second = time::Duration::seconds(1);
    let plus_second = |moment: OffsetDateTime| moment.checked_add(second).unwrap_or(moment);
    if plus_second(gen_time) < claimed {
        Some(Finding::new(Code::TimestampBeforeClaimedTime, &borrowed))
    } else if gen_time > plus_second(claimed) {
        Some(Finding::new(Code::TimestampAfterClaimedTime, &borrowed))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_at_the_end_of_the_range_do_not_overflow() {
        let end = datetime!(9999-12-31 23:59:59.999 UTC);
        let early = datetime!(2024-03-09 3:08 UTC);
        assert!(compare_with_claimed(end, Some(end)).is_none());
        let after = compare_with_claimed(end, Some(early)).expect("a finding");
        assert_eq!(after.code, Code::TimestampAfterClaimedTime);
        let before = compare_with_claimed(early, Some(end)).expect("a finding");
        assert_eq!(before.code, Code::TimestampBeforeClaimedTime);
    }
}
