//! Archive renewal (PAdES B-LTA over time): a document's proof of existence rests on its latest
//! timestamp, which is only as good as the TSA certificate that signed it. Before that certificate
//! expires, the document gets the validation data of that timestamp in its `/DSS` and a fresh
//! document timestamp over everything, which carries the proof forward.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::document_timestamp::{add_document_timestamp, blocking};
use super::error::LtvError;
use super::levels::add_validation_data;
use super::validation_data::{
    Material, ValidationSources, stored_signatures, validation_data_for_token,
};
use crate::cms::{TimeStampToken, find_signer_certificate, parse_signed_data};
use crate::pdf::{Document, DssUpdate, Limits, VriEntry, append_dss};
use crate::pki::cert::Certificate;
use crate::tsa::Timestamper;

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
    /// The field's `/Contents` bytes when it is a document timestamp (its `/VRI` key).
    contents: Option<Vec<u8>>,
}

/// What an archive run should do with a document.
#[derive(Debug, Clone)]
pub enum Renewal {
    /// No signature: nothing to keep valid.
    Unsigned,
    /// Signed, with no timestamp at all: a document timestamp gives it its first proof of
    /// existence.
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
/// of its latest timestamp expires.
pub fn renewal(doc: &Document, margin: Duration, now: OffsetDateTime) -> Result<Renewal, LtvError> {
    if stored_signatures(doc)?.is_empty() {
        return Ok(Renewal::Unsigned);
    }
    let Some(last) = last_timestamp(doc)? else {
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

/// The latest valid-looking timestamp of `doc` by genTime. Tokens that do not parse are skipped
/// (the verifier reports them); their time proves nothing.
pub fn last_timestamp(doc: &Document) -> Result<Option<LastTimestamp>, LtvError> {
    let dss_certificates = doc.latest().dss()?.unwrap_or_default().certs;
    let mut latest: Option<LastTimestamp> = None;
    for signature in stored_signatures(doc)? {
        let tokens: Vec<(Vec<u8>, Option<Vec<u8>>)> = if signature.document_timestamp {
            vec![(signature.contents.clone(), Some(signature.contents.clone()))]
        } else {
            parse_signed_data(&signature.contents)
                .ok()
                .and_then(|signed| signed.signer_infos.first().map(|s| s.timestamp_tokens()))
                .unwrap_or_default()
                .into_iter()
                .map(|token| (token, None))
                .collect()
        };
        for (der, contents) in tokens {
            let Some(found) = describe(&der, &dss_certificates) else {
                continue;
            };
            if latest
                .as_ref()
                .is_none_or(|latest| found.gen_time > latest.gen_time)
            {
                latest = Some(LastTimestamp {
                    field: signature.field.clone(),
                    document_timestamp: signature.document_timestamp,
                    contents,
                    ..found
                });
            }
        }
    }
    Ok(latest)
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
        contents: None,
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
    let pdf: Arc<[u8]> = pdf.into();
    let doc = Document::from_bytes_with_limits(pdf.clone(), limits.clone())?;
    let Some(last) = last_timestamp(&doc)? else {
        // Signed but never timestamped (or unsigned, refused there): all of its validation
        // data, as for B-LT.
        return add_validation_data(pdf.to_vec(), sources, limits);
    };
    let now = OffsetDateTime::now_utc();
    let Material { certs, crls } = validation_data_for_token(&doc, sources, now, &last.token)?;
    let update = DssUpdate {
        vri: last
            .contents
            .iter()
            .map(|contents| VriEntry {
                signature_contents: contents.clone(),
                certs: certs.clone(),
                crls: crls.clone(),
                ocsps: Vec::new(),
                time: Some(now),
            })
            .collect(),
        certs,
        crls,
        ocsps: Vec::new(),
    };
    Ok(append_dss(&doc, &update)?)
}
