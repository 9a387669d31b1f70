//! Archive renewal (PAdES B-LTA over time): a document's proof of existence rests on its latest
//! timestamp, which is only as good as the TSA certificate that signed it. Before that certificate
//! expires, the document gets the validation data of that timestamp in its `/DSS` and a fresh
//! document timestamp over everything, which carries the proof forward.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::document_timestamp::{add_document_timestamp, blocking};
use super::error::LtvError;
use super::validation_data::{
    Material, ValidationSources, missing_validation_data, stored_signatures,
    validation_data_for_token,
};
use crate::cms::{TimeStampToken, find_signer_certificate, parse_signed_data};
use crate::pdf::{Document, Limits, append_dss};
use crate::pki::cert::Certificate;
use crate::pki::indication::Indication;
use crate::tsa::Timestamper;
use crate::verify::Verifier;

/// The most recent timestamp of a document: a document timestamp or a signature timestamp.
#[derive(Debug, Clone)]
pub struct LastTimestamp {
    /// The signature field holding it.
    pub field: String,
    pub document_timestamp: bool,
    pub gen_time: OffsetDateTime,
    pub tsa_subject: Option<String>,
    /// When the TSA certificate expires; `None` when the token does not carry it.
    pub tsa_not_after: Option<OffsetDateTime>,
    /// The token's DER.
    pub token: Vec<u8>,
}

/// What an archive run should do with a document.
#[derive(Debug, Clone)]
pub enum Renewal {
    /// No signature: nothing to keep valid.
    Unsigned,
    /// Signed, with no timestamp that validates: a document timestamp gives it a proof of
    /// existence from now on.
    NotTimestamped,
    /// The latest timestamp's TSA certificate expires within the margin (or is not known).
    Due(LastTimestamp),
    /// Nothing to do before `renew_after`.
    NotDue {
        last: LastTimestamp,
        renew_after: OffsetDateTime,
    },
}

impl Renewal {
    pub fn is_due(&self) -> bool {
        matches!(self, Renewal::NotTimestamped | Renewal::Due(_))
    }
}

/// Decides whether `doc` needs renewal at `now`, renewing `margin` before the TSA certificate
/// of its latest valid timestamp expires. Timestamps are judged by the verifier with `sources`:
/// a token that does not validate (forged, untrusted, over other data) never postpones a renewal.
pub fn renewal(
    doc: &Document,
    sources: &ValidationSources,
    margin: Duration,
    now: OffsetDateTime,
) -> Result<Renewal, LtvError> {
    if stored_signatures(doc)?.is_empty() {
        return Ok(Renewal::Unsigned);
    }
    let Some(last) = last_timestamp(doc, sources)? else {
        return Ok(Renewal::NotTimestamped);
    };
    let renew_after = last
        .tsa_not_after
        .and_then(|not_after| not_after.checked_sub(margin));
    Ok(match renew_after {
        Some(renew_after) if renew_after > now => Renewal::NotDue { last, renew_after },
        _ => Renewal::Due(last),
    })
}

/// The latest timestamp of `doc` (by genTime) that validates now with `sources`: a document
/// timestamp or a signature timestamp.
pub fn last_timestamp(
    doc: &Document,
    sources: &ValidationSources,
) -> Result<Option<LastTimestamp>, LtvError> {
    let valid = valid_timestamps(doc, sources);
    let dss_certificates = doc.latest().dss()?.unwrap_or_default().certs;
    let mut latest: Option<LastTimestamp> = None;
    for signature in stored_signatures(doc)? {
        let tokens: Vec<Vec<u8>> = if signature.document_timestamp {
            vec![signature.contents.clone()]
        } else {
            parse_signed_data(&signature.contents)
                .ok()
                .and_then(|signed| signed.signer_infos.first().map(|s| s.timestamp_tokens()))
                .unwrap_or_default()
        };
        for der in tokens {
            let Some(found) = describe(&der, &dss_certificates) else {
                continue;
            };
            if !valid.contains(&(signature.field.clone(), found.gen_time)) {
                continue;
            }
            if latest
                .as_ref()
                .is_none_or(|latest| found.gen_time > latest.gen_time)
            {
                latest = Some(LastTimestamp {
                    field: signature.field.clone(),
                    document_timestamp: signature.document_timestamp,
                    ..found
                });
            }
        }
    }
    Ok(latest)
}

/// (field, genTime) of every timestamp the verifier accepts in `doc` now.
fn valid_timestamps(doc: &Document, sources: &ValidationSources) -> Vec<(String, OffsetDateTime)> {
    let verifier = Verifier::new(sources.trust.clone())
        .with_policy(sources.policy.clone())
        .with_crls(sources.crls.clone());
    let report = verifier.verify_document("renewal", doc, OffsetDateTime::now_utc());
    report
        .signatures
        .iter()
        .filter_map(|signature| {
            let timestamp = signature.timestamp.as_ref()?;
            (timestamp.indication == Indication::TotalPassed)
                .then(|| (signature.field.clone(), timestamp.gen_time))
        })
        .collect()
}

/// The time and TSA of a token (DER, zero padding allowed).
fn describe(der: &[u8], dss_certificates: &[Vec<u8>]) -> Option<LastTimestamp> {
    let signed_data = parse_signed_data(der).ok()?;
    let exact = der.get(..signed_data.encoded_len)?;
    let token = TimeStampToken::parse(exact).ok()?;
    let tsa = token.signer().and_then(|signer| {
        let candidates = token
            .signed_data
            .certificates
            .iter()
            .chain(dss_certificates)
            .map(Vec::as_slice);
        find_signer_certificate(&signer.sid, candidates)
            .ok()
            .and_then(|der| Certificate::from_der(der).ok())
    });
    Some(LastTimestamp {
        field: String::new(),
        document_timestamp: false,
        gen_time: token.gen_time(),
        tsa_subject: tsa.as_ref().map(|cert| cert.subject().to_string()),
        tsa_not_after: tsa.as_ref().map(Certificate::not_after),
        token: exact.to_vec(),
    })
}

/// Renews `pdf`: the validation data of its latest timestamp goes into the `/DSS`, then a fresh
/// document timestamp covers everything. A document with no timestamp yet gets the validation
/// data of all its signatures first (it becomes B-LTA). Returns the whole output.
pub async fn renew(
    pdf: Vec<u8>,
    timestamper: Arc<dyn Timestamper>,
    sources: &ValidationSources,
    limits: Limits,
) -> Result<Vec<u8>, LtvError> {
    let with_dss = {
        let sources = sources.clone();
        let limits = limits.clone();
        blocking(move || add_renewal_data(pdf, &sources, limits)).await??
    };
    add_document_timestamp(with_dss, timestamper.as_ref(), limits).await
}

fn add_renewal_data(
    pdf: Vec<u8>,
    sources: &ValidationSources,
    limits: Limits,
) -> Result<Vec<u8>, LtvError> {
    let doc = Document::from_bytes_with_limits(pdf, limits)?;
    if stored_signatures(&doc)?.is_empty() {
        return Err(LtvError::Unsigned);
    }
    let now = OffsetDateTime::now_utc();
    // Every signature and timestamp without validation data yet gets it (a B-T document
    // becomes B-LT before its first archive timestamp); the latest valid timestamp's TSA data
    // is gathered again, with the CRLs current now.
    let mut update = missing_validation_data(&doc, sources, now)?.unwrap_or_default();
    if let Some(last) = last_timestamp(&doc, sources)? {
        let Material { certs, crls } = validation_data_for_token(&doc, sources, now, &last.token)?;
        update.certs.extend(certs);
        update.crls.extend(crls);
    }
    Ok(append_dss(&doc, &update)?)
}
