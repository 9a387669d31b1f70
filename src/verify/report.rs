//! The verification report: what `vanthu verify`, `POST /api/v1/verify` and the workflow all
//! produce, as a versioned JSON document (serde), with the rule that derives a file's verdict
//! from its signatures, conversions from the path validator's results, and two renderers
//! (compact text in [`text`], an HTML page in [`html`]).
//!
//! # Fields required by Vietnamese regulation
//!
//! Signature-checking software for electronic documents of state agencies must check, and so
//! show, the validity of the signer's certificate *at the signing time* (validity period,
//! revocation status from the CRL published at the signing time or OCSP, checked up to the root
//! CA; the certificate is valid when valid at that time, used within its scope and not revoked),
//! that the signature was made with the key of that certificate, and the integrity of the
//! document: Circular 41/2017/TT-BTTTT (digital signatures for electronic documents in state
//! agencies), Art. 7–8, and Art. 12 for the checking software's functions. For signature software
//! in general, Circular 22/2020/TT-BTTTT Art. 5 asks the same (validity period, CRL status at the
//! signing time, trust path to the national root CA); it excludes the Government's dedicated CA,
//! and its 2025 successor is Circular 15/2025/TT-BKHCN under Decree 23/2025/NĐ-CP (Art. 16: the
//! recipient checks the certificate's status, scope and signer information, and that the
//! signature was made with the matching private key). Sources read: the circulars' texts and
//! summaries on thukyluat.vn, thuviennhadat.vn, ketoanmvb.com, lawnet.vn and vietnam.vn. The
//! report carries each of them:
//!
//! | regulation | report field |
//! |---|---|
//! | signer (người ký) | `signer.common_name`, `signer.organisation`, `signer.subject` |
//! | issuing CA (tổ chức cấp chứng thư số) | `signer.issuer`, `chain`, `trust.anchor` |
//! | certificate validity (hiệu lực chứng thư số) | `signer.not_before`, `signer.not_after`, `trust.validation_time` |
//! | signing time (thời điểm ký) | `signing_time` (claimed `/M`), `timestamp.gen_time` |
//! | integrity (tính toàn vẹn) | `intact`, `coverage`, `modification_level` |
//! | trust and revocation (tin cậy, thu hồi) | `trust`, `revocation`, `chain[].revocation` |

pub mod html;
pub mod text;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::pki::cert::Certificate;
use crate::pki::crl::{
    CrlOutcome, CrlSource, RevocationCheck, RevocationReason, RevocationStatus, UnknownRevocation,
};
use crate::pki::indication::{Indication, SubIndication};
use crate::pki::path::{CertificateSource, ChainElement, PathProblem, PathValidation, ProblemKind};

use super::messages::{Code, Severity, Verdict, fill};

/// Version of the report's JSON layout. Raised on any incompatible change (a renamed or removed
/// field, a changed meaning); adding optional fields or finding codes keeps the version.
pub const SCHEMA_VERSION: u32 = 1;

/// The verdict on a whole file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FileIndication {
    /// At least one signature (not only document timestamps), and every signature and
    /// timestamp passed.
    TotalPassed,
    /// Nothing failed for certain, but something could not be confirmed.
    Indeterminate,
    /// A signature failed, or the file could not be checked.
    TotalFailed,
    /// The file carries no signature (document timestamps alone do not sign it).
    NoSignature,
}

impl FileIndication {
    pub fn verdict(self) -> Verdict {
        match self {
            FileIndication::TotalPassed => Verdict::Passed,
            FileIndication::Indeterminate => Verdict::Indeterminate,
            FileIndication::TotalFailed => Verdict::Failed,
            FileIndication::NoSignature => Verdict::NoSignature,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FileIndication::TotalPassed => "TOTAL_PASSED",
            FileIndication::Indeterminate => "INDETERMINATE",
            FileIndication::TotalFailed => "TOTAL_FAILED",
            FileIndication::NoSignature => "NO_SIGNATURE",
        }
    }
}

/// The verdict word for a signature's indication.
pub fn indication_verdict(indication: Indication) -> Verdict {
    match indication {
        Indication::TotalPassed => Verdict::Passed,
        Indication::Indeterminate => Verdict::Indeterminate,
        Indication::TotalFailed => Verdict::Failed,
    }
}

/// What a signature field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SignatureKind {
    /// An approval signature.
    Signature,
    /// A certification signature (DocMDP).
    Certification,
    /// A document timestamp (`/DocTimeStamp`, SubFilter `ETSI.RFC3161`).
    DocumentTimestamp,
}

impl SignatureKind {
    pub fn text(self) -> (&'static str, &'static str) {
        match self {
            SignatureKind::Signature => ("Chữ ký", "Signature"),
            SignatureKind::Certification => ("Chữ ký chứng nhận", "Certification signature"),
            SignatureKind::DocumentTimestamp => ("Dấu thời gian tài liệu", "Document timestamp"),
        }
    }
}

/// What part of the file a signature covers (pyHanko's words).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Coverage {
    EntireFile,
    EntireRevision,
    ContiguousBlockFromStart,
    Unclear,
}

impl Coverage {
    pub fn text(self) -> (&'static str, &'static str) {
        match self {
            Coverage::EntireFile => ("toàn bộ tệp", "the entire file"),
            Coverage::EntireRevision => ("toàn bộ bản sửa đổi đã ký", "the entire signed revision"),
            Coverage::ContiguousBlockFromStart => (
                "một phần liền mạch từ đầu tệp",
                "a contiguous block from the start",
            ),
            Coverage::Unclear => ("không xác định", "unclear"),
        }
    }
}

/// What later revisions changed after a signature (pyHanko's words), least to most.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ModificationLevel {
    None,
    LtaUpdates,
    FormFilling,
    Annotations,
    Other,
}

impl ModificationLevel {
    pub fn text(self) -> (&'static str, &'static str) {
        match self {
            ModificationLevel::None => ("không", "none"),
            ModificationLevel::LtaUpdates => (
                "chỉ bổ sung dữ liệu kiểm tra dài hạn (DSS, dấu thời gian)",
                "long-term validation data only (DSS, timestamps)",
            ),
            ModificationLevel::FormFilling => ("điền biểu mẫu", "form filling"),
            ModificationLevel::Annotations => ("thêm chú thích", "annotations"),
            ModificationLevel::Other => ("thay đổi khác", "other changes"),
        }
    }
}

/// PAdES baseline level reached (ETSI EN 319 142-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PadesLevel {
    #[serde(rename = "B-B")]
    BB,
    #[serde(rename = "B-T")]
    BT,
    #[serde(rename = "B-LT")]
    BLt,
    #[serde(rename = "B-LTA")]
    BLta,
    /// Not an ETSI PAdES signature (`adbe.pkcs7.detached`, `adbe.pkcs7.sha1`).
    #[serde(rename = "NOT_ETSI")]
    NotEtsi,
}

impl PadesLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            PadesLevel::BB => "B-B",
            PadesLevel::BT => "B-T",
            PadesLevel::BLt => "B-LT",
            PadesLevel::BLta => "B-LTA",
            PadesLevel::NotEtsi => "NOT_ETSI",
        }
    }
}

/// A PDF indirect object reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ObjectRef {
    pub number: u32,
    pub generation: u16,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} R", self.number, self.generation)
    }
}

/// Something the verifier found, in both languages, with a stable code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub message_vi: String,
    pub message_en: String,
    /// PDF objects concerned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<ObjectRef>,
    /// SHA-256 of the certificate concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// The values filled into the messages, for machines.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl Finding {
    /// A finding with the catalogue's severity and texts, placeholders filled from `params`.
    pub fn new(code: Code, params: &[(&str, &str)]) -> Self {
        Self::localized(code, params, &[])
    }

    /// A finding whose parameters include words that differ by language:
    /// `localized` holds (name, Vietnamese value, English value); `params` keeps the English one.
    pub fn localized(
        code: Code,
        shared: &[(&str, &str)],
        localized: &[(&str, &str, &str)],
    ) -> Self {
        let message = code.message();
        let vi: Vec<(&str, &str)> = shared
            .iter()
            .copied()
            .chain(localized.iter().map(|(name, vi, _)| (*name, *vi)))
            .collect();
        let en: Vec<(&str, &str)> = shared
            .iter()
            .copied()
            .chain(localized.iter().map(|(name, _, en)| (*name, *en)))
            .collect();
        Finding {
            code,
            severity: message.severity,
            message_vi: fill(message.vi, &vi),
            message_en: fill(message.en, &en),
            objects: Vec::new(),
            certificate: None,
            params: en
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect(),
        }
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn with_objects(mut self, objects: impl IntoIterator<Item = ObjectRef>) -> Self {
        self.objects.extend(objects);
        self
    }

    pub fn with_certificate(mut self, sha256: impl Into<String>) -> Self {
        self.certificate = Some(sha256.into());
        self
    }

    /// The finding for a path problem: an error when it lowers the indication, the catalogue's
    /// severity otherwise (a warning for an unknown revocation status under soft-fail).
    pub fn from_path_problem(element: &ChainElement, problem: &PathProblem) -> Self {
        let subject = element.certificate.subject().short();
        let mut params: Vec<(&str, String)> = vec![("subject", subject)];
        let mut localized: Vec<(&str, &str, &str)> = Vec::new();
        match &problem.kind {
            ProblemKind::IssuerNotFound { issuer } => params.push(("issuer", issuer.clone())),
            ProblemKind::PathTooLong { max } => params.push(("max", max.to_string())),
            ProblemKind::Expired { not_after } => {
                params.push(("not_after", display_time(*not_after)))
            }
            ProblemKind::NotYetValid { not_before } => {
                params.push(("not_before", display_time(*not_before)))
            }
            ProblemKind::SignatureInvalid { issuer } => params.push(("issuer", issuer.clone())),
            ProblemKind::SignatureUnverifiable { detail } => {
                params.push(("detail", detail.clone()))
            }
            ProblemKind::WeakDigest { digest } => params.push(("digest", digest.name().to_owned())),
            ProblemKind::WeakKey {
                algorithm,
                bits,
                minimum,
            } => {
                params.push(("algorithm", algorithm.clone()));
                params.push(("bits", bits.to_string()));
                params.push(("minimum", minimum.to_string()));
            }
            ProblemKind::PathLengthExceeded {
                path_len,
                intermediates_below,
            } => {
                params.push(("path_len", path_len.to_string()));
                params.push(("intermediates_below", intermediates_below.to_string()));
            }
            ProblemKind::UnrecognisedCriticalExtension { oid }
            | ProblemKind::MalformedExtension { oid } => params.push(("oid", oid.clone())),
            ProblemKind::KeyUsageNotForSigning { key_usage } => {
                params.push(("key_usage", key_usage.join(", ")))
            }
            ProblemKind::ExtendedKeyUsageIncompatible { purposes }
            | ProblemKind::TimestampingEkuNotSole { purposes } => {
                params.push(("purposes", purposes.join(", ")))
            }
            ProblemKind::Revoked { at, reason }
            | ProblemKind::RevokedNoPoe { at, reason }
            | ProblemKind::CaRevokedNoPoe { at, reason }
            | ProblemKind::RevokedAfterValidationTime { at, reason } => {
                params.push(("revoked_at", display_time(*at)));
                params.push(("reason", reason_name(*reason).to_owned()));
            }
            ProblemKind::RevocationUnknown { why } => {
                let (vi, en) = unknown_revocation_text(*why);
                localized.push(("why", vi, en));
            }
            ProblemKind::SelfSignedNotTrusted
            | ProblemKind::SignatureAlgorithmMismatch
            | ProblemKind::NotCa
            | ProblemKind::MissingKeyCertSign
            | ProblemKind::TimestampingEkuMissing
            | ProblemKind::TimestampingEkuNotCritical
            | ProblemKind::KeyUsageNotForCrlSigning => {}
        }
        let borrowed: Vec<(&str, &str)> = params
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let finding = Finding::localized(problem_code(&problem.kind), &borrowed, &localized)
            .with_certificate(element.sha256.clone());
        if problem.sub_indication.is_some() {
            finding.with_severity(Severity::Error)
        } else {
            finding
        }
    }

    /// Every problem of a path validation as findings, end entity first.
    pub fn from_path(validation: &PathValidation) -> Vec<Finding> {
        validation
            .chain
            .iter()
            .flat_map(|element| {
                element
                    .problems
                    .iter()
                    .map(move |problem| Finding::from_path_problem(element, problem))
            })
            .collect()
    }
}

/// The catalogue code of a path problem (exhaustive, so a new problem cannot lack a message).
pub fn problem_code(kind: &ProblemKind) -> Code {
    match kind {
        ProblemKind::IssuerNotFound { .. } => Code::IssuerNotFound,
        ProblemKind::SelfSignedNotTrusted => Code::SelfSignedNotTrusted,
        ProblemKind::PathTooLong { .. } => Code::PathTooLong,
        ProblemKind::Expired { .. } => Code::CertExpired,
        ProblemKind::NotYetValid { .. } => Code::CertNotYetValid,
        ProblemKind::SignatureInvalid { .. } => Code::CertSignatureInvalid,
        ProblemKind::SignatureUnverifiable { .. } => Code::CertSignatureUnverifiable,
        ProblemKind::SignatureAlgorithmMismatch => Code::CertSignatureAlgorithmMismatch,
        ProblemKind::WeakDigest { .. } => Code::WeakDigest,
        ProblemKind::WeakKey { .. } => Code::WeakKey,
        ProblemKind::NotCa => Code::IssuerNotCa,
        ProblemKind::PathLengthExceeded { .. } => Code::PathLengthExceeded,
        ProblemKind::MissingKeyCertSign => Code::IssuerMissingKeyCertSign,
        ProblemKind::UnrecognisedCriticalExtension { .. } => Code::UnrecognisedCriticalExtension,
        ProblemKind::MalformedExtension { .. } => Code::MalformedExtension,
        ProblemKind::KeyUsageNotForSigning { .. } => Code::KeyUsageNotForSigning,
        ProblemKind::ExtendedKeyUsageIncompatible { .. } => Code::ExtendedKeyUsageIncompatible,
        ProblemKind::TimestampingEkuMissing => Code::TsaEkuMissing,
        ProblemKind::TimestampingEkuNotCritical => Code::TsaEkuNotCritical,
        ProblemKind::TimestampingEkuNotSole { .. } => Code::TsaEkuNotSole,
        ProblemKind::KeyUsageNotForCrlSigning => Code::KeyUsageNotForCrlSigning,
        ProblemKind::Revoked { .. } => Code::CertRevoked,
        ProblemKind::RevokedNoPoe { .. } => Code::CertRevokedNoPoe,
        ProblemKind::CaRevokedNoPoe { .. } => Code::CaRevokedNoPoe,
        ProblemKind::RevokedAfterValidationTime { .. } => Code::CertRevokedAfterPoe,
        ProblemKind::RevocationUnknown { .. } => Code::RevocationUnknown,
    }
}

fn reason_name(reason: RevocationReason) -> &'static str {
    match reason {
        RevocationReason::Unspecified => "unspecified",
        RevocationReason::KeyCompromise => "keyCompromise",
        RevocationReason::CaCompromise => "cACompromise",
        RevocationReason::AffiliationChanged => "affiliationChanged",
        RevocationReason::Superseded => "superseded",
        RevocationReason::CessationOfOperation => "cessationOfOperation",
        RevocationReason::CertificateHold => "certificateHold",
        RevocationReason::RemoveFromCrl => "removeFromCRL",
        RevocationReason::PrivilegeWithdrawn => "privilegeWithdrawn",
        RevocationReason::AaCompromise => "aACompromise",
        RevocationReason::Unknown => "unknown",
    }
}

fn unknown_revocation_text(why: UnknownRevocation) -> (&'static str, &'static str) {
    match why {
        UnknownRevocation::NoCrl => (
            "không có danh sách thu hồi (CRL) của tổ chức cấp (phần mềm không tự tải về)",
            "no revocation list (CRL) from the issuer is available (nothing is downloaded)",
        ),
        UnknownRevocation::NoUsableCrl => (
            "các danh sách thu hồi (CRL) hiện có đều không dùng được",
            "none of the available revocation lists (CRLs) can be used",
        ),
        UnknownRevocation::TrustAnchor => (
            "chứng thư số gốc được tin cậy theo cấu hình",
            "trust anchors are trusted by configuration",
        ),
        UnknownRevocation::PathIncomplete => (
            "chưa xác lập được chuỗi tin cậy",
            "no trusted chain was established",
        ),
    }
}

/// Times are shown to people with the Vietnam offset (DESIGN §2), e.g.
/// `2024-03-09T10:08:00+07:00`; JSON keeps RFC 3339 in UTC.
pub fn display_time(time: OffsetDateTime) -> String {
    let vietnam = time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
    );
    // A hostile date at the end of the range (9999-12-31T23:00Z) has no +07:00 form: shown as is.
    time.checked_to_offset(vietnam)
        .unwrap_or(time)
        .format(&format)
        .unwrap_or_else(|_| time.to_string())
}

/// Who signed, read from the certificate only (never from the signature dictionary).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerInfo {
    /// The full subject name (`CN=…, O=…, C=VN`).
    pub subject: String,
    pub common_name: Option<String>,
    pub organisation: Option<String>,
    pub organisational_unit: Option<String>,
    pub email: Option<String>,
    /// The full issuer name: the CA that issued the certificate.
    pub issuer: String,
    pub issuer_common_name: Option<String>,
    /// Uppercase hex.
    pub serial: String,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    pub sha256: String,
    /// "RSA 2048", "ECDSA P-256", …
    pub key: String,
}

impl SignerInfo {
    pub fn from_certificate(cert: &Certificate) -> Self {
        let owned = |value: Option<&str>| value.map(str::to_owned);
        SignerInfo {
            subject: cert.subject().to_string(),
            common_name: owned(cert.subject().common_name()),
            organisation: owned(cert.subject().organisation()),
            organisational_unit: owned(cert.subject().organisational_unit()),
            email: owned(cert.subject().email()),
            issuer: cert.issuer().to_string(),
            issuer_common_name: owned(cert.issuer().common_name()),
            serial: cert.serial_hex(),
            not_before: cert.not_before(),
            not_after: cert.not_after(),
            sha256: cert.sha256_hex(),
            key: cert.public_key().describe(),
        }
    }

    /// The name to show first: the common name, else the whole subject.
    pub fn display_name(&self) -> &str {
        self.common_name.as_deref().unwrap_or(&self.subject)
    }
}

/// The revocation state of one certificate, flattened for readers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RevocationState {
    Good,
    Revoked,
    Unknown,
    /// Trust anchors are not checked.
    NotChecked,
}

impl RevocationState {
    pub fn text(self) -> (&'static str, &'static str) {
        match self {
            RevocationState::Good => ("không bị thu hồi", "not revoked"),
            RevocationState::Revoked => ("đã bị thu hồi", "revoked"),
            RevocationState::Unknown => (
                "chưa kiểm tra được (không có danh sách thu hồi dùng được)",
                "unknown (no usable revocation list)",
            ),
            RevocationState::NotChecked => (
                "không kiểm tra (chứng thư gốc)",
                "not checked (trust anchor)",
            ),
        }
    }
}

/// The revocation check of one certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationReport {
    pub status: RevocationState,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    pub reason: Option<RevocationReason>,
    /// thisUpdate of the CRL that says the certificate is good.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub as_of: Option<OffsetDateTime>,
    /// Where the CRLs used came from.
    #[serde(default)]
    pub sources: Vec<CrlSource>,
    /// Why the status is unknown.
    pub why_unknown: Option<UnknownRevocation>,
    /// CRL distribution points of the certificate, reported and never fetched.
    #[serde(default)]
    pub distribution_points: Vec<String>,
}

impl From<&RevocationCheck> for RevocationReport {
    fn from(check: &RevocationCheck) -> Self {
        let mut report = RevocationReport {
            status: RevocationState::Unknown,
            revoked_at: None,
            reason: None,
            as_of: None,
            sources: check
                .crls
                .iter()
                .filter(|crl| crl.outcome == CrlOutcome::Used)
                .map(|crl| crl.source)
                .collect(),
            why_unknown: None,
            distribution_points: check.distribution_points.clone(),
        };
        report.sources.dedup();
        match check.status {
            RevocationStatus::Good { as_of } => {
                report.status = RevocationState::Good;
                report.as_of = Some(as_of);
            }
            RevocationStatus::Revoked { at, reason } => {
                report.status = RevocationState::Revoked;
                report.revoked_at = Some(at);
                report.reason = Some(reason);
            }
            RevocationStatus::Unknown {
                why: UnknownRevocation::TrustAnchor,
            } => {
                report.status = RevocationState::NotChecked;
                report.why_unknown = Some(UnknownRevocation::TrustAnchor);
            }
            RevocationStatus::Unknown { why } => report.why_unknown = Some(why),
        }
        report
    }
}

/// One certificate of a chain, end entity first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainEntry {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    pub sha256: String,
    pub source: CertificateSource,
    /// "RSA 4096", "ECDSA P-256", …
    pub key: String,
    pub signature_algorithm: String,
    pub key_usage: Option<Vec<String>>,
    pub extended_key_usage: Option<Vec<String>>,
    pub is_ca: bool,
    pub revocation: RevocationReport,
    /// Codes of the problems found on this certificate (messages are in `findings`).
    #[serde(default)]
    pub problems: Vec<Code>,
}

impl ChainEntry {
    /// The entries of a validated path, end entity first (for a signature's or a timestamp's
    /// `chain`).
    pub fn from_path(validation: &PathValidation) -> Vec<ChainEntry> {
        validation.chain.iter().map(ChainEntry::from).collect()
    }
}

impl From<&ChainElement> for ChainEntry {
    fn from(element: &ChainElement) -> Self {
        ChainEntry {
            subject: element.subject.clone(),
            issuer: element.issuer.clone(),
            serial: element.serial.clone(),
            not_before: element.not_before,
            not_after: element.not_after,
            sha256: element.sha256.clone(),
            source: element.source,
            key: element.certificate.public_key().describe(),
            signature_algorithm: element.signature_algorithm.clone(),
            key_usage: element.key_usage.clone(),
            extended_key_usage: element.extended_key_usage.clone(),
            is_ca: element.is_ca,
            revocation: RevocationReport::from(&element.revocation),
            problems: element
                .problems
                .iter()
                .map(|problem| problem_code(&problem.kind))
                .collect(),
        }
    }
}

/// Whether the signer's certificate chains to a configured trust anchor, and how it fared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustReport {
    pub anchored: bool,
    /// Subject of the trust anchor reached.
    pub anchor: Option<String>,
    pub indication: Indication,
    pub sub_indication: Option<SubIndication>,
    /// The time at which the chain was validated.
    #[serde(with = "time::serde::rfc3339")]
    pub validation_time: OffsetDateTime,
    /// True when that time is proven by a timestamp.
    pub proof_of_existence: bool,
}

impl From<&PathValidation> for TrustReport {
    fn from(validation: &PathValidation) -> Self {
        TrustReport {
            anchored: validation.anchored,
            anchor: validation.anchor().map(|anchor| anchor.subject.clone()),
            indication: validation.indication,
            sub_indication: validation.sub_indication,
            validation_time: validation.validation_time,
            proof_of_existence: validation.proof_of_existence,
        }
    }
}

/// A signature timestamp (RFC 3161) or, for a document timestamp, the token itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimestampReport {
    #[serde(with = "time::serde::rfc3339")]
    pub gen_time: OffsetDateTime,
    /// Subject of the TSA's certificate.
    pub tsa: String,
    /// The token's serial number (hex).
    pub serial: Option<String>,
    /// TSA policy OID.
    pub policy: Option<String>,
    /// The message imprint matches what it timestamps.
    pub intact: bool,
    pub indication: Indication,
    pub sub_indication: Option<SubIndication>,
    #[serde(default)]
    pub chain: Vec<ChainEntry>,
    /// When the TSA's certificate expires (archive timestamps are renewed before).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub tsa_not_after: Option<OffsetDateTime>,
}

/// The report on one signature field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureReport {
    /// The signature field's name.
    pub field: String,
    pub kind: SignatureKind,
    pub indication: Indication,
    pub sub_indication: Option<SubIndication>,
    /// The signed bytes are unchanged and the signature value verifies.
    pub intact: bool,
    pub coverage: Coverage,
    pub modification_level: ModificationLevel,
    /// No DocMDP, FieldMDP or /Lock restriction is violated.
    pub docmdp_ok: bool,
    pub sub_filter: Option<String>,
    /// From the certificate only; absent when no certificate was found.
    pub signer: Option<SignerInfo>,
    pub chain: Vec<ChainEntry>,
    pub trust: Option<TrustReport>,
    /// The signer certificate's revocation.
    pub revocation: Option<RevocationReport>,
    /// The time claimed in the signature dictionary's `/M` (the signer's word, not a proof).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub signing_time: Option<OffsetDateTime>,
    pub timestamp: Option<TimestampReport>,
    pub pades_level: PadesLevel,
    #[serde(default)]
    pub findings: Vec<Finding>,
}

impl SignatureReport {
    /// Fills signer, chain, trust and revocation from a path validation of the signer's
    /// certificate.
    pub fn set_path(&mut self, validation: &PathValidation) {
        self.signer = validation
            .end_entity()
            .map(|element| SignerInfo::from_certificate(&element.certificate));
        self.chain = ChainEntry::from_path(validation);
        self.trust = Some(TrustReport::from(validation));
        self.revocation = validation
            .end_entity()
            .map(|element| RevocationReport::from(&element.revocation));
    }
}

/// The report on one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileReport {
    pub schema_version: u32,
    /// The file's name as given.
    pub file: String,
    /// SHA-256 of the whole file, lowercase hex.
    pub sha256: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub verified_at: OffsetDateTime,
    pub indication: FileIndication,
    pub signatures: Vec<SignatureReport>,
    /// What prevented checking the file (it is then `TOTAL_FAILED`).
    #[serde(default)]
    pub errors: Vec<Finding>,
}

impl FileReport {
    /// A report whose indication is derived by [`file_indication`].
    pub fn new(
        file: impl Into<String>,
        verified_at: OffsetDateTime,
        signatures: Vec<SignatureReport>,
        errors: Vec<Finding>,
    ) -> Self {
        let indication = file_indication(&signatures, &errors);
        FileReport {
            schema_version: SCHEMA_VERSION,
            file: file.into(),
            sha256: None,
            verified_at,
            indication,
            signatures,
            errors,
        }
    }

    /// The JSON document (pretty-printed).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }

    /// Reads a report, refusing a schema version this build does not know.
    pub fn from_json(json: &str) -> Result<Self, ReportError> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(ReportError::Json)?;
        let version = value
            .get("schema_version")
            .and_then(serde_json::Value::as_u64)
            .ok_or(ReportError::MissingVersion)?;
        if version != u64::from(SCHEMA_VERSION) {
            return Err(ReportError::UnsupportedVersion { version });
        }
        serde_json::from_value(value).map_err(ReportError::Json)
    }
}

/// Why a JSON report cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the report is not valid JSON for this schema: {0}")]
    Json(serde_json::Error),
    #[error("the report has no schema_version")]
    MissingVersion,
    #[error("report schema version {version} is not supported (this build reads {SCHEMA_VERSION})")]
    UnsupportedVersion { version: u64 },
}

/// The file's verdict from its signatures, in one pure rule:
///
/// 1. anything that prevented checking the file (`errors`) → `TOTAL_FAILED`;
/// 2. no signature other than document timestamps → `NO_SIGNATURE`;
/// 3. any signature or timestamp `TOTAL_FAILED` → `TOTAL_FAILED`;
/// 4. any `INDETERMINATE` → `INDETERMINATE`;
/// 5. otherwise `TOTAL_PASSED`.
///
/// Issue 4 asks for `TOTAL_PASSED` only with at least one signature all passing and
/// `NO_SIGNATURE` otherwise; a file with a failed or doubtful signature is kept distinct from an
/// unsigned one, because a clerk must refuse the first and may register the second as paper.
pub fn file_indication(signatures: &[SignatureReport], errors: &[Finding]) -> FileIndication {
    // Running out of time says nothing about the file: it was not checked completely.
    if !errors.is_empty()
        && errors
            .iter()
            .all(|error| error.code == Code::ProcessingTimeExceeded)
    {
        return FileIndication::Indeterminate;
    }
    if !errors.is_empty() {
        return FileIndication::TotalFailed;
    }
    let signed = signatures
        .iter()
        .any(|signature| signature.kind != SignatureKind::DocumentTimestamp);
    if !signed {
        return FileIndication::NoSignature;
    }
    let worst = signatures
        .iter()
        .map(|signature| signature.indication)
        .max_by_key(|indication| match indication {
            Indication::TotalPassed => 0,
            Indication::Indeterminate => 1,
            Indication::TotalFailed => 2,
        });
    match worst {
        Some(Indication::TotalFailed) => FileIndication::TotalFailed,
        Some(Indication::Indeterminate) => FileIndication::Indeterminate,
        _ => FileIndication::TotalPassed,
    }
}

/// Which language a renderer writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Vietnamese,
    English,
    /// Vietnamese first, English second.
    Both,
}

impl Language {
    /// Picks or joins the two texts.
    pub fn pick(self, (vi, en): (&str, &str)) -> String {
        match self {
            Language::Vietnamese => vi.to_owned(),
            Language::English => en.to_owned(),
            Language::Both => format!("{vi} / {en}"),
        }
    }
}
