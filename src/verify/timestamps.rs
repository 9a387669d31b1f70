//! RFC 3161 timestamp tokens as the verifier meets them: inside a signature (a signature
//! timestamp, whose imprint is the hash of the SignerInfo's signature value: PAdES B-T) and as a
//! document timestamp (`ETSI.RFC3161`, whose imprint is the hash of its byte ranges: B-LTA).
//!
//! The token itself is judged by [`super::token`] (imprint, the TSA's signature with its ESS
//! binding, the algorithm policy, the TSA's path for the timestamping purpose); this module runs
//! it with the document's context — its `/DSS` certificates and CRLs, the validation time, and
//! the time a later timestamp proves — and shapes the outcome for the engine. A token that
//! passes proves its genTime (plus its declared accuracy).

use time::OffsetDateTime;

use crate::cms::TimeStampToken;
use crate::pki::path::PathValidation;
use crate::verify::chain::ChainContext;
use crate::verify::messages::Code;
use crate::verify::report::{Finding, TimestampReport, display_time};
use crate::verify::token::{Covered, TsaChainTime, ValidationContext, validate_parsed};

/// The outcome for one token.
#[derive(Debug, Clone)]
pub struct TimestampCheck {
    pub report: TimestampReport,
    /// The latest time the covered data provably existed, when the token passed.
    pub proof_of_existence: Option<OffsetDateTime>,
    pub findings: Vec<Finding>,
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

/// Checks `token` against what it should cover. The TSA's path is validated at the time
/// `proven_at` proves (a later timestamp over this one), else at the validation time.
pub fn check(
    token: &TimeStampToken,
    covered: Covered<'_>,
    context: &ChainContext<'_>,
    proven_at: Option<OffsetDateTime>,
) -> TimestampCheck {
    let validation_context = ValidationContext {
        trust: context.store,
        policy: context.policy,
        certificates: &context.dss_certificates,
        crls: &context.crls,
        chain_time: match proven_at {
            Some(proven) => TsaChainTime::ProvenAt(proven),
            None => TsaChainTime::Requested(context.moment.at),
        },
        now: context.moment.now,
    };
    let validation = validate_parsed(token, covered, &validation_context);
    let report = validation.report().unwrap_or_else(|| TimestampReport {
        gen_time: token.gen_time(),
        tsa: validation.tsa_name.clone().unwrap_or_default(),
        serial: validation.serial.clone(),
        policy: validation.policy.clone(),
        intact: validation.intact,
        indication: validation.indication,
        sub_indication: validation.sub_indication,
        chain: Vec::new(),
        tsa_not_after: None,
    });
    TimestampCheck {
        proof_of_existence: validation.proof_of_existence(),
        intact: validation.intact && validation.signature_valid,
        report,
        findings: validation.findings,
        path: validation.chain,
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
