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
use crate::cms::parse_signed_data;
use crate::pdf::{Document, Limits, append_dss};
use crate::pki::indication::Indication;
use crate::tsa::Timestamper;
use crate::verify::Verifier;
use crate::verify::report::SignatureKind;

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
/// timestamp or a signature timestamp. The verifier judges them and reports each one's TSA and
/// its certificate's expiry; only the token's bytes are read here.
pub fn last_timestamp(
    doc: &Document,
    sources: &ValidationSources,
) -> Result<Option<LastTimestamp>, LtvError> {
    let verifier = Verifier::new(sources.trust.clone())
        .with_policy(sources.policy.clone())
        .with_crls(sources.crls.clone());
    let report = verifier.verify_document("renewal", doc, OffsetDateTime::now_utc());
    let Some((signature, timestamp)) = report
        .signatures
        .iter()
        .filter_map(|signature| Some((signature, signature.timestamp.as_ref()?)))
        .filter(|(_, timestamp)| timestamp.indication == Indication::TotalPassed)
        .max_by_key(|(_, timestamp)| timestamp.gen_time)
    else {
        return Ok(None);
    };
    let document_timestamp = signature.kind == SignatureKind::DocumentTimestamp;
    let Some(stored) = stored_signatures(doc)?
        .into_iter()
        .find(|stored| stored.field == signature.field)
    else {
        return Ok(None);
    };
    // The document timestamp's /Contents, or the signature's timestamp the verifier judged (its
    // first one).
    let token = if document_timestamp {
        Some(stored.contents)
    } else {
        parse_signed_data(&stored.contents).ok().and_then(|signed| {
            signed
                .signer_infos
                .first()?
                .timestamp_tokens()
                .into_iter()
                .next()
        })
    };
    let Some(token) = token.and_then(|der| exact_token(&der)) else {
        return Ok(None);
    };
    Ok(Some(LastTimestamp {
        field: signature.field.clone(),
        document_timestamp,
        gen_time: timestamp.gen_time,
        tsa_subject: Some(timestamp.tsa.clone()),
        tsa_not_after: timestamp.tsa_not_after,
        token,
    }))
}

/// A token's DER without the zero padding of a `/Contents` string.
fn exact_token(der: &[u8]) -> Option<Vec<u8>> {
    let signed_data = parse_signed_data(der).ok()?;
    der.get(..signed_data.encoded_len).map(<[u8]>::to_vec)
}

/// Renews `pdf`: the validation data still missing and that of `last`, its latest valid
/// timestamp as [`renewal`] found it (`None` when it has none), go into the `/DSS`, then a fresh
/// document timestamp covers everything. Returns the whole output.
pub async fn renew(
    pdf: Vec<u8>,
    last: Option<LastTimestamp>,
    timestamper: Arc<dyn Timestamper>,
    sources: &ValidationSources,
    limits: Limits,
) -> Result<Vec<u8>, LtvError> {
    let with_dss = {
        let sources = sources.clone();
        let limits = limits.clone();
        blocking(move || add_renewal_data(pdf, last.as_ref(), &sources, limits)).await??
    };
    add_document_timestamp(with_dss, timestamper.as_ref(), limits).await
}

fn add_renewal_data(
    pdf: Vec<u8>,
    last: Option<&LastTimestamp>,
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
    if let Some(last) = last {
        let Material { certs, crls } = validation_data_for_token(&doc, sources, now, &last.token)?;
        update.certs.extend(certs);
        update.crls.extend(crls);
    }
    Ok(append_dss(&doc, &update)?)
}
