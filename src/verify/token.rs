//! Validation of an RFC 3161 timestamp token against the data (or the digest of the data) it
//! should cover: the message imprint (algorithm and value), the TSA's CMS signature over the
//! TSTInfo with the ESS signing-certificate binding, the algorithm policy, and the TSA
//! certificate's purpose and chain (`pki::path` with `Purpose::Timestamping`).
//!
//! Never fails and never panics: a malformed token is a `TOTAL_FAILED`/`FORMAT_FAILURE` result
//! with a finding. The verifier calls this for signature timestamps (the imprint covers the
//! SignerInfo's signature value) and document timestamps (the imprint covers the revision's
//! ByteRange bytes); [`TimestampValidation::report`] gives the report's `TimestampReport`.
//!
//! **At which time the TSA chain is validated** ([`TsaChainTime`]): the verifier asks for the
//! validation time (now, or `--at`) unless a later valid timestamp covers the token, and then for
//! the time that timestamp proves: an archive timestamp keeps the older ones valid after their
//! TSA certificates expire (ETSI EN 319 102-1 §5.6.2.4). Standalone checks default to `genTime`
//! without treating it as proven — the TSA certificate must have been valid when the token says
//! it was made, a revocation of the TSA certificate after `genTime` leaves the token
//! `INDETERMINATE` (`REVOKED_NO_POE`), since a compromised TSA key can back-date tokens, and one
//! at or before `genTime` fails it (`REVOKED`: the TSA says it signed after). When a
//! later proof of existence of the token is known (an archive timestamp over it), the caller
//! passes [`TsaChainTime::ProvenAt`] and the chain is validated at that time as a proof.

use std::sync::Arc;

use time::OffsetDateTime;
use x509_cert::ext::pkix::name::GeneralName;

use crate::cms::{EssBinding, TimeStampToken, VerifyError, find_signer_certificate};
use crate::crypto::DigestAlgorithm;
use crate::pki::cert::Certificate;
use crate::pki::crl::SourcedCrl;
use crate::pki::indication::{Indication, SubIndication, outcome};
use crate::pki::path::{
    CertificateSource, PathRequest, PathValidation, PathValidator, Purpose, SourcedCertificate,
    ValidationTime,
};
use crate::pki::policy::ValidationPolicy;
use crate::pki::trust::TrustStore;
use crate::verify::messages::Code;
use crate::verify::report::{ChainEntry, Finding, TimestampReport, display_time};

/// What the token's message imprint should be the hash of.
#[derive(Clone, Copy, Debug)]
pub enum Covered<'a> {
    /// The data itself (a signature value): hashed here with the imprint's algorithm.
    Data(&'a [u8]),
    /// A digest the caller computed (a document revision's ByteRange, hashed piecewise), with
    /// the algorithm the token's imprint uses (`TimeStampToken::imprint_algorithm`).
    Digest {
        algorithm: DigestAlgorithm,
        digest: &'a [u8],
    },
}

/// When the TSA's certificate chain must be valid (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TsaChainTime {
    /// At the token's `genTime`, which proves nothing by itself.
    #[default]
    GenTime,
    /// Now.
    Current,
    /// At a time asked for (`--at`), not proven.
    Requested(OffsetDateTime),
    /// At a time the token is proven to have existed (a later timestamp's `genTime`).
    ProvenAt(OffsetDateTime),
}

/// What validation needs besides the token.
#[derive(Clone, Copy, Debug)]
pub struct ValidationContext<'a> {
    pub trust: &'a TrustStore,
    pub policy: &'a ValidationPolicy,
    /// Certificates that may help build the TSA's path (the `/DSS`'s); never trusted.
    pub certificates: &'a [SourcedCertificate],
    /// CRLs besides the store's (the `/DSS`'s).
    pub crls: &'a [SourcedCrl],
    pub chain_time: TsaChainTime,
    /// The real current time.
    pub now: OffsetDateTime,
}

impl<'a> ValidationContext<'a> {
    /// Validation with the store and policy, no extra certificates or CRLs, the chain at
    /// `genTime`, now.
    pub fn new(trust: &'a TrustStore, policy: &'a ValidationPolicy) -> Self {
        ValidationContext {
            trust,
            policy,
            certificates: &[],
            crls: &[],
            chain_time: TsaChainTime::GenTime,
            now: OffsetDateTime::now_utc(),
        }
    }
}

/// The outcome of validating one timestamp token, for the report.
#[derive(Clone, Debug)]
pub struct TimestampValidation {
    pub indication: Indication,
    pub sub_indication: Option<SubIndication>,
    /// `genTime`, when the token could be read.
    pub gen_time: Option<OffsetDateTime>,
    /// The declared accuracy of `genTime`.
    pub accuracy: Option<time::Duration>,
    /// The token's serial number, uppercase hex.
    pub serial: Option<String>,
    /// The TSA policy OID, dotted.
    pub policy: Option<String>,
    /// The nonce, uppercase hex.
    pub nonce: Option<String>,
    pub imprint_algorithm: Option<DigestAlgorithm>,
    /// The message imprint is the hash of the covered data.
    pub intact: bool,
    /// The TSA's signature over the TSTInfo verifies and binds the TSA certificate (ESS).
    pub signature_valid: bool,
    /// The TSTInfo's optional `tsa` name, as written there.
    pub tsa_name: Option<String>,
    /// The TSA certificate that signed the token, when found.
    pub tsa_certificate: Option<Arc<Certificate>>,
    /// The TSA certificate's path validation, when the signature could be checked.
    pub chain: Option<PathValidation>,
    pub findings: Vec<Finding>,
}

impl TimestampValidation {
    pub fn passed(&self) -> bool {
        self.indication == Indication::TotalPassed
    }

    /// The TSA certificate's subject (short form), when found.
    pub fn tsa_subject(&self) -> Option<String> {
        self.tsa_certificate
            .as_ref()
            .map(|certificate| certificate.subject().to_string())
    }

    /// When the TSA certificate expires (archive timestamps are renewed before).
    pub fn tsa_not_after(&self) -> Option<OffsetDateTime> {
        self.tsa_certificate
            .as_ref()
            .map(|certificate| certificate.not_after())
    }

    /// The latest instant at which the covered data provably existed: `genTime` plus the
    /// declared accuracy, when the token passed; `None` otherwise.
    pub fn proof_of_existence(&self) -> Option<OffsetDateTime> {
        if !self.passed() {
            return None;
        }
        let gen_time = self.gen_time?;
        // A time plus accuracy past the representable range (a hostile token) proves nothing.
        gen_time.checked_add(self.accuracy.unwrap_or(time::Duration::ZERO))
    }

    /// The report's view of this timestamp; `None` when the token could not be read at all (the
    /// findings then say why).
    pub fn report(&self) -> Option<TimestampReport> {
        Some(TimestampReport {
            gen_time: self.gen_time?,
            tsa: self
                .tsa_subject()
                .or_else(|| self.tsa_name.clone())
                .unwrap_or_default(),
            serial: self.serial.clone(),
            policy: self.policy.clone(),
            intact: self.intact,
            indication: self.indication,
            sub_indication: self.sub_indication,
            chain: self
                .chain
                .as_ref()
                .map(ChainEntry::from_path)
                .unwrap_or_default(),
            tsa_not_after: self.tsa_not_after(),
        })
    }

    fn empty() -> Self {
        TimestampValidation {
            indication: Indication::TotalFailed,
            sub_indication: Some(SubIndication::FormatFailure),
            gen_time: None,
            accuracy: None,
            serial: None,
            policy: None,
            nonce: None,
            imprint_algorithm: None,
            intact: false,
            signature_valid: false,
            tsa_name: None,
            tsa_certificate: None,
            chain: None,
            findings: Vec::new(),
        }
    }
}

/// Validates a DER `TimeStampToken` against what it should cover.
pub fn validate_token(
    token: &[u8],
    covered: Covered<'_>,
    context: &ValidationContext<'_>,
) -> TimestampValidation {
    match TimeStampToken::parse(token) {
        Ok(parsed) => validate_parsed(&parsed, covered, context),
        Err(error) => {
            let mut validation = TimestampValidation::empty();
            validation.findings.push(invalid(
                &format!("không đọc được dấu thời gian ({error})"),
                &format!("the token cannot be read ({error})"),
            ));
            validation
        }
    }
}

/// Validates a parsed token against what it should cover.
pub fn validate_parsed(
    token: &TimeStampToken,
    covered: Covered<'_>,
    context: &ValidationContext<'_>,
) -> TimestampValidation {
    let info = &token.tst_info;
    let mut validation = TimestampValidation {
        gen_time: Some(token.gen_time()),
        accuracy: info.accuracy.as_ref().map(|accuracy| accuracy.duration()),
        serial: Some(hex_integer(info.serial_number.as_bytes())),
        policy: Some(info.policy.to_string()),
        nonce: info
            .nonce
            .as_ref()
            .map(|nonce| hex_integer(nonce.as_bytes())),
        tsa_name: info.tsa.as_ref().map(general_name_text),
        ..TimestampValidation::empty()
    };
    let mut problems: Vec<SubIndication> = Vec::new();

    check_imprint(token, covered, context, &mut validation, &mut problems);
    if let Some(certificate) = tsa_certificate(token, context) {
        validation.tsa_certificate = Some(Arc::clone(&certificate.cert));
        check_signature(token, &certificate, context, &mut validation, &mut problems);
        if validation.signature_valid {
            check_chain(token, &certificate, context, &mut validation, &mut problems);
        }
    } else {
        validation.findings.push(invalid(
            "không tìm thấy chứng thư số của tổ chức cấp dấu thời gian",
            "the timestamping authority's certificate cannot be found",
        ));
        problems.push(SubIndication::NoSigningCertificateFound);
    }

    let (indication, sub_indication) = outcome(problems);
    validation.indication = indication;
    validation.sub_indication = sub_indication;
    validation
}

/// The imprint's algorithm is known and acceptable, and its value is the covered data's hash.
fn check_imprint(
    token: &TimeStampToken,
    covered: Covered<'_>,
    context: &ValidationContext<'_>,
    validation: &mut TimestampValidation,
    problems: &mut Vec<SubIndication>,
) {
    let oid = token.tst_info.message_imprint.hash_algorithm.oid;
    let Ok(algorithm) = token.imprint_algorithm() else {
        validation.findings.push(invalid(
            &format!("thuật toán băm {oid} không được hỗ trợ"),
            &format!("the imprint's hash algorithm {oid} is not supported"),
        ));
        problems.push(SubIndication::CryptoConstraintsFailure);
        return;
    };
    validation.imprint_algorithm = Some(algorithm);
    let digest = match covered {
        Covered::Data(data) => algorithm.digest(data),
        Covered::Digest {
            algorithm: given,
            digest,
        } if given == algorithm => digest.to_vec(),
        Covered::Digest {
            algorithm: given, ..
        } => {
            validation.findings.push(invalid(
                &format!(
                    "giá trị băm được tính bằng {}, dấu thời gian dùng {}",
                    given.name(),
                    algorithm.name()
                ),
                &format!(
                    "the digest was computed with {}, the token's imprint uses {}",
                    given.name(),
                    algorithm.name()
                ),
            ));
            problems.push(SubIndication::SignedDataNotFound);
            return;
        }
    };
    validation.intact = token.tst_info.message_imprint.hashed_message.as_bytes() == digest;
    if !validation.intact {
        validation
            .findings
            .push(Finding::new(Code::TimestampImprintMismatch, &[]));
        problems.push(SubIndication::HashFailure);
    }
    let gen_time = token.gen_time();
    if context
        .policy
        .algorithms
        .check_digest(algorithm, gen_time)
        .is_err()
    {
        validation.findings.push(Finding::new(
            Code::WeakSignatureAlgorithm,
            &[("algorithm", algorithm.name())],
        ));
        problems.push(SubIndication::CryptoConstraintsFailure);
    }
}

/// The certificate the TSA's SignerInfo names: in the token, then among the caller's (the
/// `/DSS`'s), then in the trust store.
fn tsa_certificate(
    token: &TimeStampToken,
    context: &ValidationContext<'_>,
) -> Option<SourcedCertificate> {
    let sid = &token.signer()?.sid;
    if let Ok(der) = find_signer_certificate(
        sid,
        token.signed_data.certificates.iter().map(Vec::as_slice),
    ) && let Ok(certificate) = SourcedCertificate::from_der(der, CertificateSource::Cms)
    {
        return Some(certificate);
    }
    if let Ok(der) = find_signer_certificate(
        sid,
        context
            .certificates
            .iter()
            .map(|certificate| certificate.cert.der()),
    ) {
        return context
            .certificates
            .iter()
            .find(|certificate| certificate.cert.der() == der)
            .cloned();
    }
    let stored = context
        .trust
        .intermediates()
        .iter()
        .map(|certificate| (certificate, CertificateSource::Store))
        .chain(
            context
                .trust
                .anchors()
                .iter()
                .map(|certificate| (certificate, CertificateSource::Anchor)),
        );
    for (certificate, source) in stored {
        if find_signer_certificate(sid, [certificate.der()]).is_ok() {
            return Some(SourcedCertificate {
                cert: Arc::clone(certificate),
                source,
            });
        }
    }
    None
}

/// The CMS signature over the TSTInfo, the ESS binding RFC 3161 requires, and the algorithm
/// policy for the signature and the TSA's key.
fn check_signature(
    token: &TimeStampToken,
    certificate: &SourcedCertificate,
    context: &ValidationContext<'_>,
    validation: &mut TimestampValidation,
    problems: &mut Vec<SubIndication>,
) {
    let verification = match token.verify(certificate.cert.der()) {
        Ok(verification) => verification,
        Err(error) => {
            let (code_finding, sub) = signature_failure(&error);
            validation.findings.push(code_finding);
            problems.push(sub);
            return;
        }
    };
    if verification.ess == EssBinding::Absent {
        validation.findings.push(
            Finding::new(Code::SigningCertificateAttributeMissing, &[])
                .with_severity(crate::verify::messages::Severity::Error),
        );
        problems.push(SubIndication::FormatFailure);
        return;
    }
    validation.signature_valid = true;
    let gen_time = token.gen_time();
    if context
        .policy
        .algorithms
        .check_signature_algorithm(verification.signature_algorithm, gen_time)
        .is_err()
    {
        validation.findings.push(Finding::new(
            Code::WeakSignatureAlgorithm,
            &[("algorithm", &verification.signature_algorithm.name())],
        ));
        problems.push(SubIndication::CryptoConstraintsFailure);
    }
    if let Err(constraint) = context
        .policy
        .algorithms
        .check_key(certificate.cert.public_key())
    {
        validation.findings.push(invalid(
            &format!("khóa của tổ chức cấp dấu thời gian quá yếu ({constraint})"),
            &format!("the timestamping authority's key is too weak ({constraint})"),
        ));
        problems.push(SubIndication::CryptoConstraintsFailure);
    }
}

fn signature_failure(error: &VerifyError) -> (Finding, SubIndication) {
    match error {
        VerifyError::SignatureInvalid => (
            invalid(
                "chữ ký của tổ chức cấp dấu thời gian không hợp lệ",
                "the timestamping authority's signature is invalid",
            ),
            SubIndication::SigCryptoFailure,
        ),
        VerifyError::DigestMismatch { .. } => (
            invalid(
                "nội dung TSTInfo đã bị thay đổi sau khi ký",
                "the TSTInfo was changed after it was signed",
            ),
            SubIndication::HashFailure,
        ),
        VerifyError::EssCertificateMismatch { .. } | VerifyError::EssEmpty => (
            Finding::new(Code::SigningCertificateMismatch, &[]),
            SubIndication::FormatFailure,
        ),
        VerifyError::MissingAttribute { .. } | VerifyError::ContentTypeMismatch { .. } => (
            invalid(&error.to_string(), &error.to_string()),
            SubIndication::FormatFailure,
        ),
        VerifyError::SignerCertificateNotFound => (
            Finding::new(Code::SignerCertificateNotFound, &[]),
            SubIndication::NoSigningCertificateFound,
        ),
        other => (
            invalid(&other.to_string(), &other.to_string()),
            SubIndication::CryptoConstraintsFailure,
        ),
    }
}

/// The TSA certificate's path for the timestamping purpose, at the time the context asks for.
fn check_chain(
    token: &TimeStampToken,
    certificate: &SourcedCertificate,
    context: &ValidationContext<'_>,
    validation: &mut TimestampValidation,
    problems: &mut Vec<SubIndication>,
) {
    let gen_time = token.gen_time();
    let time = match context.chain_time {
        TsaChainTime::GenTime => ValidationTime::requested(gen_time, context.now),
        TsaChainTime::Current => ValidationTime::requested(context.now, context.now),
        TsaChainTime::Requested(at) => ValidationTime::requested(at, context.now),
        TsaChainTime::ProvenAt(proven) => {
            if gen_time > proven {
                validation.findings.push(invalid(
                    &format!(
                        "thời điểm dấu thời gian ({}) muộn hơn bằng chứng tồn tại của nó ({})",
                        display_time(gen_time),
                        display_time(proven)
                    ),
                    &format!(
                        "the token's genTime ({}) is later than its proof of existence ({})",
                        display_time(gen_time),
                        display_time(proven)
                    ),
                ));
                problems.push(SubIndication::TimestampOrderFailure);
            }
            ValidationTime::proven(proven, context.now)
        }
    }
    // genTime is the TSA's own word: a revocation at or before it is a proven failure.
    .with_claimed(Some(gen_time));
    let mut untrusted: Vec<SourcedCertificate> = token
        .signed_data
        .certificates
        .iter()
        .filter_map(|der| SourcedCertificate::from_der(der, CertificateSource::Cms).ok())
        .collect();
    untrusted.extend(context.certificates.iter().cloned());
    let request = PathRequest {
        end_entity: certificate,
        untrusted: &untrusted,
        crls: context.crls,
        purpose: Purpose::Timestamping,
        time,
    };
    let path = PathValidator::new(context.trust, context.policy).validate(&request);
    validation.findings.extend(Finding::from_path(&path));
    if !path.passed() {
        let tsa = certificate.cert.subject().short();
        validation
            .findings
            .push(Finding::new(Code::TimestampUntrusted, &[("tsa", &tsa)]));
    }
    problems.extend(path.sub_indication);
    validation.chain = Some(path);
}

/// A `TIMESTAMP_INVALID` finding whose detail differs by language.
fn invalid(vi: &str, en: &str) -> Finding {
    Finding::localized(Code::TimestampInvalid, &[], &[("detail", vi, en)])
}

/// An INTEGER's content octets in uppercase hex, without a leading zero sign byte.
fn hex_integer(bytes: &[u8]) -> String {
    let trimmed = match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        other => other,
    };
    hex::encode_upper(trimmed)
}

fn general_name_text(name: &GeneralName) -> String {
    match name {
        GeneralName::DirectoryName(name) => name.to_string(),
        GeneralName::Rfc822Name(text) => text.to_string(),
        GeneralName::DnsName(text) => text.to_string(),
        GeneralName::UniformResourceIdentifier(text) => text.to_string(),
        other => format!("{other:?}"),
    }
}
