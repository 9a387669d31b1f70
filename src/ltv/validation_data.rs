//! PAdES B-LT: the certificates and CRLs that validate every signature and timestamp of a
//! document, gathered into a [`DssUpdate`] with one `/VRI` entry per signature.
//!
//! Each signer (and each TSA) is validated now against the trust store, offering the CMS's and
//! the existing `/DSS`'s certificates; the path found, anchor included, goes into the store, with
//! the CRLs that told the status of every certificate below the anchor. A signer that does not
//! chain to a trust anchor, or a certificate whose status no configured CRL tells, is an error:
//! B-LT promises that the document can be validated offline, and a DSS without that data would be
//! a false promise.

use std::collections::HashMap;
use std::sync::Arc;

use time::OffsetDateTime;

use super::error::LtvError;
use crate::cms::{SignedData, find_signer_certificate, parse_signed_data};
use crate::pdf::{Document, DssUpdate, Object, VriEntry, vri_key};
use crate::pki::crl::{CrlOutcome, CrlSource, RevocationStatus, SourcedCrl, UnknownRevocation};
use crate::pki::indication::SubIndication;
use crate::pki::path::{CertificateSource, Purpose, SourcedCertificate, ValidationTime};
use crate::pki::policy::ValidationPolicy;
use crate::pki::trust::TrustStore;
use crate::verify::chain::{ChainContext, Moment};

/// Where validation data comes from: the trust store (anchors, intermediates and its CRLs), the
/// caller's CRLs, and the policy the paths are built under.
#[derive(Debug, Clone)]
pub struct ValidationSources {
    pub trust: Arc<TrustStore>,
    pub crls: Vec<SourcedCrl>,
    pub policy: ValidationPolicy,
}

impl ValidationSources {
    pub fn new(trust: Arc<TrustStore>, crls: Vec<SourcedCrl>) -> Self {
        ValidationSources {
            trust,
            crls,
            policy: ValidationPolicy::default(),
        }
    }
}

/// One signature or document timestamp of the document, as stored.
pub(super) struct StoredSignature {
    pub field: String,
    /// The `/Contents` bytes, zero padding included (the `/VRI` key is their SHA-1).
    pub contents: Vec<u8>,
    pub document_timestamp: bool,
}

/// Every signed signature field of the latest revision.
pub(super) fn stored_signatures(doc: &Document) -> Result<Vec<StoredSignature>, LtvError> {
    let view = doc.latest();
    let mut found = Vec::new();
    for field in view.signature_fields()? {
        let Some(value) = field.signature else {
            continue;
        };
        let contents = match value.dict.get(b"Contents").map(|item| view.resolve(item)) {
            Some(Ok(Object::String(string))) => string.bytes,
            _ => continue,
        };
        let document_timestamp = value
            .dict
            .get(b"SubFilter")
            .and_then(Object::as_name)
            .is_some_and(|name| name.as_bytes() == b"ETSI.RFC3161");
        found.push(StoredSignature {
            field: field.field.full_name,
            contents,
            document_timestamp,
        });
    }
    Ok(found)
}

/// The validation data of every signature and timestamp in `doc`, as of `now`.
pub fn validation_data(
    doc: &Document,
    sources: &ValidationSources,
    now: OffsetDateTime,
) -> Result<DssUpdate, LtvError> {
    let signatures = stored_signatures(doc)?;
    if signatures.is_empty() {
        return Err(LtvError::Unsigned);
    }
    let gatherer = Gatherer::new(doc, sources, now)?;
    let mut update = DssUpdate::default();
    for signature in &signatures {
        let entry = gatherer.for_signature(signature)?;
        update.vri.push(entry);
    }
    Ok(update)
}

/// The validation data of the signatures and document timestamps that have no `/VRI` entry yet
/// (for renewals: what earlier updates stored stays, what is missing is added). `None` when
/// every one has its entry.
pub(super) fn missing_validation_data(
    doc: &Document,
    sources: &ValidationSources,
    now: OffsetDateTime,
) -> Result<Option<DssUpdate>, LtvError> {
    let stored = doc.latest().dss()?.unwrap_or_default();
    let missing: Vec<StoredSignature> = stored_signatures(doc)?
        .into_iter()
        .filter(|signature| !stored.vri.contains_key(&vri_key(&signature.contents)))
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let gatherer = Gatherer::new(doc, sources, now)?;
    let mut update = DssUpdate::default();
    for signature in &missing {
        update.vri.push(gatherer.for_signature(signature)?);
    }
    Ok(Some(update))
}

/// The validation data of one timestamp token's TSA (for renewals).
pub(super) fn validation_data_for_token(
    doc: &Document,
    sources: &ValidationSources,
    now: OffsetDateTime,
    token: &[u8],
) -> Result<Material, LtvError> {
    let gatherer = Gatherer::new(doc, sources, now)?;
    let mut material = Material::default();
    gatherer.token(token, "TSA", &mut material)?;
    Ok(material)
}

/// Certificates and CRLs (DER), each once, in the order found.
#[derive(Default)]
pub(super) struct Material {
    pub certs: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
}

impl Material {
    fn add_cert(&mut self, der: &[u8]) {
        if !self.certs.iter().any(|known| known == der) {
            self.certs.push(der.to_vec());
        }
    }

    fn add_crl(&mut self, der: &[u8]) {
        if !self.crls.iter().any(|known| known == der) {
            self.crls.push(der.to_vec());
        }
    }
}

struct Gatherer<'a> {
    now: OffsetDateTime,
    /// Paths are built as the verifier builds them: the trust store, the document's `/DSS`
    /// certificates and CRLs, the caller's CRLs.
    context: ChainContext<'a>,
    /// Every CRL on offer (the store's too) by SHA-256: path validation names the CRLs it used
    /// by fingerprint.
    crl_der: HashMap<String, Vec<u8>>,
}

impl<'a> Gatherer<'a> {
    fn new(
        doc: &Document,
        sources: &'a ValidationSources,
        now: OffsetDateTime,
    ) -> Result<Self, LtvError> {
        let dss = doc.latest().dss()?.unwrap_or_default();
        let dss_certificates = dss
            .certs
            .iter()
            .filter_map(|der| SourcedCertificate::from_der(der, CertificateSource::Dss).ok())
            .collect();
        let mut crls = sources.crls.clone();
        crls.extend(
            dss.crls
                .iter()
                .filter_map(|der| SourcedCrl::from_der(der, CrlSource::Dss).ok()),
        );
        let crl_der = crls
            .iter()
            .chain(sources.trust.crls())
            .map(|crl| (crl.crl.sha256_hex(), crl.crl.der().to_vec()))
            .collect();
        Ok(Gatherer {
            now,
            context: ChainContext {
                store: &sources.trust,
                policy: &sources.policy,
                dss_certificates,
                crls,
                moment: Moment::new(None, now),
            },
            crl_der,
        })
    }

    fn for_signature(&self, signature: &StoredSignature) -> Result<VriEntry, LtvError> {
        let mut material = Material::default();
        if signature.document_timestamp {
            self.token(&signature.contents, &signature.field, &mut material)?;
        } else {
            let signed_data = parse(&signature.contents, &signature.field)?;
            self.signer(
                &signed_data,
                Purpose::DocumentSigning,
                &signature.field,
                &mut material,
            )?;
            for (index, token) in signed_data
                .signer_infos
                .first()
                .map(|signer| signer.timestamp_tokens())
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let what = format!("{} timestamp {}", signature.field, index + 1);
                self.token(token, &what, &mut material)?;
            }
        }
        Ok(VriEntry {
            signature_contents: signature.contents.clone(),
            certs: material.certs,
            crls: material.crls,
            ocsps: Vec::new(),
            time: Some(self.now),
        })
    }

    fn token(&self, der: &[u8], what: &str, material: &mut Material) -> Result<(), LtvError> {
        let signed_data = parse(der, what)?;
        self.signer(&signed_data, Purpose::Timestamping, what, material)
    }

    /// The path of `signed_data`'s signer and the CRLs for it.
    fn signer(
        &self,
        signed_data: &SignedData,
        purpose: Purpose,
        what: &str,
        material: &mut Material,
    ) -> Result<(), LtvError> {
        let unreadable = |detail: String| LtvError::UnreadableSignature {
            field: what.to_owned(),
            detail,
        };
        let signer = signed_data
            .signer_infos
            .first()
            .ok_or_else(|| unreadable("no SignerInfo".into()))?;
        let candidates = signed_data.certificates.iter().map(Vec::as_slice).chain(
            self.context
                .dss_certificates
                .iter()
                .map(|certificate| certificate.cert.der()),
        );
        let der = find_signer_certificate(&signer.sid, candidates)
            .map_err(|error| unreadable(format!("the signer's certificate: {error}")))?;
        let end_entity = crate::pki::cert::Certificate::from_der(der)
            .map_err(|error| unreadable(format!("the signer's certificate: {error}")))?;
        let path = self
            .context
            .validate(
                der,
                &signed_data.certificates,
                &signed_data.crls,
                purpose,
                ValidationTime::requested(self.now, self.now),
            )
            .map_err(|finding| unreadable(finding.code.as_str()))?;
        let subject = end_entity.subject().to_string();
        // An expired certificate does not stop the gathering (its data still serves a
        // validation at an earlier, proven time); any other problem means the path is not one
        // a verifier would accept, whatever data is stored.
        let blocking_problems: Vec<&str> = path
            .problems()
            .filter(|(_, problem)| {
                !matches!(
                    problem.sub_indication,
                    None | Some(SubIndication::OutOfBoundsNoPoe)
                        | Some(SubIndication::OutOfBoundsNotRevoked)
                )
            })
            .map(|(_, problem)| problem.kind.code())
            .collect();
        if !path.anchored || !blocking_problems.is_empty() {
            let detail = blocking_problems
                .iter()
                .map(|code| (*code).to_owned())
                .collect::<Vec<_>>()
                .join("; ");
            return Err(LtvError::Untrusted {
                what: what.to_owned(),
                subject,
                detail: if detail.is_empty() {
                    "no path".into()
                } else {
                    detail
                },
            });
        }
        for element in &path.chain {
            material.add_cert(element.certificate.der());
            if matches!(
                element.revocation.status,
                RevocationStatus::Unknown {
                    why: UnknownRevocation::TrustAnchor
                }
            ) {
                continue;
            }
            let used: Vec<&Vec<u8>> = element
                .revocation
                .crls
                .iter()
                .filter(|considered| considered.outcome == CrlOutcome::Used)
                .filter_map(|considered| {
                    self.crl_der.get(&considered.sha256).or_else(|| {
                        // A CRL from the CMS itself: not in the pool, found by its fingerprint.
                        signed_data.crls.iter().find(|der| {
                            SourcedCrl::from_der(der, CrlSource::Cms)
                                .is_ok_and(|crl| crl.crl.sha256_hex() == considered.sha256)
                        })
                    })
                })
                .collect();
            if used.is_empty() {
                return Err(LtvError::NoRevocationData {
                    subject: element.subject.clone(),
                    distribution_points: if element.revocation.distribution_points.is_empty() {
                        "none".into()
                    } else {
                        element.revocation.distribution_points.join(", ")
                    },
                });
            }
            for der in used {
                material.add_crl(der);
            }
        }
        Ok(())
    }
}

fn parse(der: &[u8], what: &str) -> Result<SignedData, LtvError> {
    parse_signed_data(der).map_err(|error| LtvError::UnreadableSignature {
        field: what.to_owned(),
        detail: error.to_string(),
    })
}
