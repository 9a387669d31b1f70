//! The CMS SignedData inside a signature: its structure as PDF signatures require it (exactly one
//! SignerInfo; no encapsulated content for detached formats; `id-data` content), the
//! cryptographic checks (messageDigest over the byte ranges, the signature over the signed
//! attributes as received, the signer found by issuer and serial or by key identifier, the ESS
//! signing-certificate binding — all through `cms::verify`), and the algorithm policy. Every
//! outcome is a sub-indication and a finding; nothing here panics on hostile bytes.

use time::OffsetDateTime;

use crate::cms::{
    self, EssBinding, SignedData, SignerInfo, SignerVerification, VerifyError,
    find_signer_certificate, parse_signed_data, verify_signer_info,
};
use crate::crypto::{DigestAlgorithm, PublicKey};
use crate::pki::indication::SubIndication;
use crate::pki::policy::{AlgorithmPolicy, CryptoConstraint};
use crate::verify::messages::Code;
use crate::verify::report::Finding;
use crate::verify::signatures::SignatureFormat;

/// A SignedData that passed the structural rules, with the digest algorithm to hash the signed
/// byte ranges with.
#[derive(Debug, Clone)]
pub struct ParsedCms {
    pub signed_data: SignedData,
    pub signer: SignerInfo,
    pub format: SignatureFormat,
    /// `None` when the SignerInfo names a digest this build does not know.
    pub range_digest: Option<DigestAlgorithm>,
}

/// Why a `/Contents` cannot be used: always a `FORMAT_FAILURE`.
#[derive(Debug, Clone)]
pub struct CmsFormatError(pub Box<Finding>);

/// Parses the `/Contents` bytes of an approval or certification signature.
pub fn parse(contents: &[u8], format: SignatureFormat) -> Result<ParsedCms, CmsFormatError> {
    let malformed = |detail: String| {
        CmsFormatError(Box::new(Finding::new(
            Code::CmsMalformed,
            &[("detail", &detail)],
        )))
    };
    let signed_data = parse_signed_data(contents).map_err(|error| malformed(error.to_string()))?;
    let signer = match signed_data.signer_infos.as_slice() {
        [signer] => signer.clone(),
        others => {
            return Err(CmsFormatError(Box::new(Finding::new(
                Code::CmsSignerCount,
                &[("count", &others.len().to_string())],
            ))));
        }
    };
    match format {
        SignatureFormat::CadesDetached | SignatureFormat::Pkcs7Detached => {
            if signed_data.content.is_some() {
                return Err(CmsFormatError(Box::new(Finding::new(
                    Code::CmsEncapsulatedContent,
                    &[],
                ))));
            }
            if signed_data.content_type != cms::oid::ID_DATA {
                return Err(malformed(format!(
                    "the encapsulated content type is {}, not id-data",
                    signed_data.content_type
                )));
            }
        }
        SignatureFormat::Pkcs7Sha1 => {
            let length = signed_data.content.as_ref().map(Vec::len);
            if length != Some(DigestAlgorithm::Sha1.output_len()) {
                return Err(malformed(
                    "adbe.pkcs7.sha1 must encapsulate the 20-byte SHA-1 of the signed ranges"
                        .into(),
                ));
            }
        }
        SignatureFormat::Rfc3161 => {
            return Err(malformed(
                "a document timestamp is not an approval signature".into(),
            ));
        }
    }
    let range_digest = match format {
        SignatureFormat::Pkcs7Sha1 => Some(DigestAlgorithm::Sha1),
        _ => signer.digest().ok(),
    };
    Ok(ParsedCms {
        signed_data,
        signer,
        format,
        range_digest,
    })
}

/// What the cryptographic checks established.
#[derive(Debug, Clone, Default)]
pub struct CryptoOutcome {
    /// The signed bytes are unchanged and the signature value verifies.
    pub intact: bool,
    /// The signer's certificate (DER), when the signer identifier names one.
    pub signer_certificate: Option<Vec<u8>>,
    pub verification: Option<SignerVerification>,
    pub sub_indications: Vec<SubIndication>,
    pub findings: Vec<Finding>,
}

impl CryptoOutcome {
    fn fail(&mut self, sub: SubIndication, finding: Finding) {
        self.sub_indications.push(sub);
        self.findings.push(finding);
    }
}

/// Finds the signer's certificate without checking anything else (for a signature whose ranges
/// cannot be hashed: the report still says who claims to have signed, from the certificate).
pub fn identify(parsed: &ParsedCms, more_certificates: &[Vec<u8>]) -> CryptoOutcome {
    let candidates = parsed
        .signed_data
        .certificates
        .iter()
        .chain(more_certificates)
        .map(Vec::as_slice);
    CryptoOutcome {
        signer_certificate: find_signer_certificate(&parsed.signer.sid, candidates)
            .ok()
            .map(<[u8]>::to_vec),
        ..CryptoOutcome::default()
    }
}

/// Checks the signature against `range_digest`, the digest of the signed byte ranges computed
/// with [`ParsedCms::range_digest`] (`None` when it could not be computed). The signer's
/// certificate is looked for among the CMS certificates, then among `more_certificates` (the
/// `/DSS`'s).
pub fn verify(
    parsed: &ParsedCms,
    range_digest: Option<&[u8]>,
    more_certificates: &[Vec<u8>],
) -> CryptoOutcome {
    let mut outcome = CryptoOutcome::default();
    let signer = &parsed.signer;
    let candidates = parsed
        .signed_data
        .certificates
        .iter()
        .chain(more_certificates)
        .map(Vec::as_slice);
    let Ok(certificate) = find_signer_certificate(&signer.sid, candidates) else {
        outcome.fail(
            SubIndication::NoSigningCertificateFound,
            Finding::new(Code::SignerCertificateNotFound, &[]),
        );
        return outcome;
    };
    outcome.signer_certificate = Some(certificate.to_vec());
    let digest_algorithm = match signer.digest() {
        Ok(algorithm) => algorithm,
        Err(unsupported) => {
            outcome.fail(
                SubIndication::CryptoConstraintsFailure,
                unsupported_finding(unsupported.what, &unsupported.oid.to_string()),
            );
            return outcome;
        }
    };
    let Some(range_digest) = range_digest else {
        outcome.fail(
            SubIndication::CryptoConstraintsFailure,
            Finding::new(
                Code::AlgorithmUnsupported,
                &[
                    ("what", "digest"),
                    ("oid", &signer.digest_algorithm.oid.to_string()),
                ],
            ),
        );
        return outcome;
    };
    let content_digest = match &parsed.signed_data.content {
        // adbe.pkcs7.sha1: the encapsulated content is the digest of the ranges, and the
        // SignerInfo signs that content.
        Some(content) => {
            if content.as_slice() != range_digest {
                outcome.fail(
                    SubIndication::HashFailure,
                    Finding::new(Code::MessageDigestMismatch, &[]),
                );
                return outcome;
            }
            digest_algorithm.digest(content)
        }
        None => range_digest.to_vec(),
    };
    match verify_signer_info(&parsed.signed_data, signer, certificate, &content_digest) {
        Ok(verification) => {
            outcome.intact = true;
            note_attributes(&mut outcome, parsed, &verification);
            outcome.verification = Some(verification);
        }
        Err(error) => record_error(&mut outcome, error),
    }
    outcome
}

fn unsupported_finding(what: &str, oid: &str) -> Finding {
    Finding::new(Code::AlgorithmUnsupported, &[("what", what), ("oid", oid)])
}

fn record_error(outcome: &mut CryptoOutcome, error: VerifyError) {
    match error {
        VerifyError::DigestMismatch { .. } => outcome.fail(
            SubIndication::HashFailure,
            Finding::new(Code::MessageDigestMismatch, &[]),
        ),
        VerifyError::SignatureInvalid => outcome.fail(
            SubIndication::SigCryptoFailure,
            Finding::new(Code::SignatureInvalid, &[]),
        ),
        VerifyError::AlgorithmKeyMismatch { algorithm, key } => outcome.fail(
            SubIndication::SigCryptoFailure,
            Finding::new(
                Code::CmsMalformed,
                &[(
                    "detail",
                    &format!("signature algorithm {algorithm} does not fit the {key} key"),
                )],
            ),
        ),
        VerifyError::SignerCertificateNotFound => outcome.fail(
            SubIndication::NoSigningCertificateFound,
            Finding::new(Code::SignerCertificateNotFound, &[]),
        ),
        VerifyError::UnsupportedAlgorithm { what, oid } => outcome.fail(
            SubIndication::CryptoConstraintsFailure,
            unsupported_finding(what, &oid.to_string()),
        ),
        VerifyError::PrehashNotPossible { algorithm } => outcome.fail(
            SubIndication::CryptoConstraintsFailure,
            unsupported_finding("signature", &algorithm),
        ),
        VerifyError::MissingAttribute { .. } | VerifyError::ContentTypeMismatch { .. } => outcome
            .fail(
                SubIndication::FormatFailure,
                Finding::new(Code::CmsMalformed, &[("detail", &error.to_string())]),
            ),
        VerifyError::DigestLength { .. } | VerifyError::Certificate(_) => outcome.fail(
            SubIndication::FormatFailure,
            Finding::new(Code::CmsMalformed, &[("detail", &error.to_string())]),
        ),
        // The ESS check runs after the digest and the signature verified: the bytes are intact,
        // but the certificate the signer committed to is not the one presented.
        VerifyError::EssCertificateMismatch { .. } | VerifyError::EssEmpty => {
            outcome.intact = true;
            outcome.fail(
                SubIndication::NoSigningCertificateFound,
                Finding::new(Code::SigningCertificateMismatch, &[]),
            );
        }
    }
}

/// What the signed attributes say about the format.
fn note_attributes(
    outcome: &mut CryptoOutcome,
    parsed: &ParsedCms,
    verification: &SignerVerification,
) {
    let etsi = parsed.format == SignatureFormat::CadesDetached;
    match verification.ess {
        EssBinding::V2 { .. } => {}
        EssBinding::V1 => outcome
            .findings
            .push(Finding::new(Code::SigningCertificateV1Only, &[])),
        EssBinding::Absent if etsi => outcome
            .findings
            .push(Finding::new(Code::SigningCertificateAttributeMissing, &[])),
        EssBinding::Absent => {}
    }
    let signing_time = parsed
        .signer
        .signed_attributes
        .as_ref()
        .is_some_and(|attributes| attributes.signing_time.is_some());
    if etsi && signing_time {
        outcome
            .findings
            .push(Finding::new(Code::SigningTimeAttributePresent, &[]));
    }
}

/// The algorithm policy applied to a verified signature at the validation time: the digests
/// (of the ranges and of the signature algorithm) and the signer's key size.
pub fn check_algorithms(
    parsed: &ParsedCms,
    verification: &SignerVerification,
    signer_certificate: &[u8],
    policy: &AlgorithmPolicy,
    at: OffsetDateTime,
) -> Vec<Finding> {
    let mut digests = vec![
        verification.digest_algorithm,
        verification.signature_algorithm.digest(),
    ];
    if let Some(range_digest) = parsed.range_digest {
        digests.push(range_digest);
    }
    digests.sort_by_key(|digest| digest.name());
    digests.dedup();
    let mut findings: Vec<Finding> = digests
        .into_iter()
        .filter_map(|digest| policy.check_digest(digest, at).err())
        .map(|constraint| constraint_finding(&constraint, verification))
        .collect();
    if let Ok(key) = PublicKey::from_certificate_der(signer_certificate)
        && let Err(constraint) = policy.check_key(&key)
    {
        findings.push(constraint_finding(&constraint, verification));
    }
    findings
}

fn constraint_finding(constraint: &CryptoConstraint, verification: &SignerVerification) -> Finding {
    let algorithm = match constraint {
        CryptoConstraint::WeakDigest { digest } => format!(
            "{} ({})",
            verification.signature_algorithm.name(),
            digest.name()
        ),
        CryptoConstraint::WeakKey {
            algorithm,
            bits,
            minimum,
        } => format!("{algorithm} {bits} bit < {minimum}"),
    };
    Finding::new(Code::WeakSignatureAlgorithm, &[("algorithm", &algorithm)])
}
