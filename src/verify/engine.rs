//! The verifier: one document in, one [`FileReport`] out. It reads the signature fields, checks
//! each signature's geometry before hashing anything, parses its CMS (or timestamp token), hashes
//! every signed range and the whole file in one parallel pass over the source, verifies the
//! cryptography, validates the certificate paths, asks the diff analysis what changed after each
//! signed revision, and folds everything into an ETSI indication with findings.
//!
//! # How the indication of a signature is decided
//!
//! Every check contributes sub-indications; the most serious wins (`pki::indication::outcome`):
//! - a broken signature dictionary, `/ByteRange`, `/Contents` or CMS structure, or ranges of
//!   successive signatures that do not nest: `TOTAL_FAILED/FORMAT_FAILURE`;
//! - a wrong messageDigest: `TOTAL_FAILED/HASH_FAILURE`; a wrong signature value:
//!   `TOTAL_FAILED/SIG_CRYPTO_FAILURE`;
//! - a signer certificate that cannot be found or that the ESS attribute does not name:
//!   `INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND`;
//! - SHA-1 (by default), RSA below 2048 bits, or an algorithm this build cannot verify:
//!   `INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE`;
//! - the certificate path, as `pki::path` judges it at the validation time (see
//!   [`super::chain`] for the rule);
//! - changes after the signed revision beyond what DocMDP, FieldMDP and `/Lock` allow, changes of
//!   kind `OTHER`, or a signature that does not cover its whole revision:
//!   `INDETERMINATE/SIG_CONSTRAINTS_FAILURE`, as EU DSS reports a DocMDP violation: the signed
//!   revision itself is intact, but the document shown is no longer the one signed, and a clerk
//!   must not accept it as it is.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use time::OffsetDateTime;

use crate::crypto::DigestAlgorithm;
use crate::pdf::{Document, FileSource, Limit, Limits, PdfError, Source};
use crate::pki::crl::{CrlOutcome, CrlSource, RevocationStatus, SourcedCrl, UnknownRevocation};
use crate::pki::indication::{Indication, SubIndication, outcome};
use crate::pki::path::{CertificateSource, PathValidation, Purpose, SourcedCertificate};
use crate::pki::policy::ValidationPolicy;
use crate::pki::trust::{TrustError, TrustStore, crls_from_bytes};
use crate::verify::chain::{ChainContext, Moment};
use crate::verify::cms_check::{self, CryptoOutcome, ParsedCms};
use crate::verify::diff::{self, DiffInput};
use crate::verify::digest::{DigestJob, digest_all};
use crate::verify::geometry::{self, FileLayout, Geometry, GeometryProblem};
use crate::verify::messages::{Code, Severity};
use crate::verify::report::{
    Coverage, FileReport, Finding, ModificationLevel, PadesLevel, SignatureKind, SignatureReport,
    TimestampReport,
};
use crate::verify::signatures::{EmbeddedSignature, SignatureFormat, embedded_signatures};
use crate::verify::timestamps::{self, TimestampCheck};
use crate::verify::token::Covered;

/// Most signatures checked in one file. Each hashes up to the whole file, so the work grows with
/// their number; real documents carry a handful.
pub const MAX_SIGNATURES: usize = 64;

/// Verifies PDF signatures against a trust store under a policy. Cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Verifier {
    store: Arc<TrustStore>,
    policy: ValidationPolicy,
    crls: Vec<SourcedCrl>,
    at: Option<OffsetDateTime>,
    limits: Limits,
}

impl Verifier {
    /// A verifier trusting what `store` trusts, with the default policy and limits, validating
    /// at the current time.
    pub fn new(store: Arc<TrustStore>) -> Self {
        Verifier {
            store,
            policy: ValidationPolicy::default(),
            crls: Vec::new(),
            at: None,
            limits: Limits::default(),
        }
    }

    /// A verifier trusting the anchors in `trust` (files or folders), completing chains with
    /// `intermediates`, and using the CRLs in the files `crls`.
    pub fn from_trust_files(
        trust: &[PathBuf],
        intermediates: &[PathBuf],
        crls: &[PathBuf],
    ) -> Result<Self, TrustError> {
        let mut store = TrustStore::new();
        for path in trust {
            store.load_anchors(path)?;
        }
        for path in intermediates {
            store.load_intermediates(path)?;
        }
        let mut supplied = Vec::new();
        for path in crls {
            let bytes = std::fs::read(path).map_err(|source| TrustError::Read {
                path: path.clone(),
                source,
            })?;
            for crl in crls_from_bytes(path, &bytes)? {
                supplied.push(SourcedCrl {
                    crl: Arc::new(crl),
                    source: CrlSource::Supplied,
                });
            }
        }
        Ok(Verifier::new(Arc::new(store)).with_crls(supplied))
    }

    pub fn with_policy(mut self, policy: ValidationPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// CRLs supplied by the caller (`--crl`), besides the store's and the document's.
    pub fn with_crls(mut self, crls: Vec<SourcedCrl>) -> Self {
        self.crls = crls;
        self
    }

    /// Validates at `at` instead of the current time (`--at`); a timestamp still proves its own
    /// time.
    pub fn at(mut self, at: Option<OffsetDateTime>) -> Self {
        self.at = at;
        self
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn store(&self) -> &TrustStore {
        &self.store
    }

    /// Verifies the file at `path`, reading only what it needs. An error only when the file
    /// cannot be opened at all; everything else, a malformed PDF included, is in the report.
    pub fn verify_file(&self, path: &Path) -> std::io::Result<FileReport> {
        let source = FileSource::open(path)?;
        Ok(self.verify_source(&path.display().to_string(), Arc::new(source)))
    }

    /// Verifies a PDF held in memory.
    pub fn verify_bytes<T: AsRef<[u8]> + Send + Sync + 'static>(
        &self,
        name: &str,
        bytes: T,
    ) -> FileReport {
        self.verify_source(name, Arc::new(crate::pdf::MemorySource(bytes)))
    }

    /// Verifies a PDF read from `source`; `name` is what the report calls it.
    pub fn verify_source(&self, name: &str, source: Arc<dyn Source>) -> FileReport {
        let now = OffsetDateTime::now_utc();
        match Document::from_source(source, self.limits.clone()) {
            Ok(doc) => self.verify_document(name, &doc, now),
            Err(error) => FileReport::new(name, now, Vec::new(), vec![pdf_error_finding(&error)]),
        }
    }

    /// Verifies an opened document; `now` is the real current time.
    pub fn verify_document(&self, name: &str, doc: &Document, now: OffsetDateTime) -> FileReport {
        let failed = |finding: Finding| FileReport::new(name, now, Vec::new(), vec![finding]);
        if doc.is_encrypted() {
            return failed(Finding::new(Code::PdfEncrypted, &[]));
        }
        let latest = doc.latest();
        let signatures = match embedded_signatures(&latest, MAX_SIGNATURES) {
            Ok(signatures) => signatures,
            Err(error) => return failed(pdf_error_finding(&error)),
        };
        if signatures.len() > MAX_SIGNATURES {
            return failed(Finding::new(
                Code::TooManySignatures,
                &[("max", &MAX_SIGNATURES.to_string())],
            ));
        }
        let mut file_findings = Vec::new();
        let dss = match latest.dss() {
            Ok(dss) => dss.unwrap_or_default(),
            Err(error) => {
                file_findings.push(Finding::new(
                    Code::DssUnreadable,
                    &[("detail", &error.to_string())],
                ));
                Default::default()
            }
        };
        let context = ChainContext {
            store: &self.store,
            policy: &self.policy,
            dss_certificates: dss
                .certs
                .iter()
                .filter_map(|der| SourcedCertificate::from_der(der, CertificateSource::Dss).ok())
                .collect(),
            crls: self
                .crls
                .iter()
                .cloned()
                .chain(
                    dss.crls
                        .iter()
                        .filter_map(|der| SourcedCrl::from_der(der, CrlSource::Dss).ok()),
                )
                .collect(),
            moment: Moment::new(self.at, now),
        };
        let mut run = Run {
            doc,
            layout: FileLayout::of(doc),
            context,
            dss_has_ocsp: !dss.ocsps.is_empty(),
            dss_certificates: dss.certs,
            certification: latest
                .certification()
                .ok()
                .flatten()
                .map(|certification| certification.permission),
            certified_revision: None,
        };
        let (mut reports, file_sha256) = run.verify(signatures, file_findings);
        if doc.check_time().is_err() {
            out_of_time(&mut reports, doc.limits());
        }
        let mut report = FileReport::new(name, now, reports, Vec::new());
        report.sha256 = file_sha256;
        report
    }
}

/// When the processing time ran out, some checks failed only for want of time (reading an
/// object, decoding a stream): no verdict stands, every signature is INDETERMINATE/TRY_LATER.
fn out_of_time(reports: &mut [SignatureReport], limits: &Limits) {
    let limit = limits
        .max_processing_time
        .map(|budget| format!("{} ms", budget.as_millis()))
        .unwrap_or_default();
    for report in reports {
        report.indication = Indication::Indeterminate;
        report.sub_indication = Some(SubIndication::TryLater);
        report.findings.push(Finding::new(
            Code::ProcessingTimeExceeded,
            &[("limit", &limit)],
        ));
    }
}

/// The finding for a document that cannot be read.
fn pdf_error_finding(error: &PdfError) -> Finding {
    match error.root_cause() {
        PdfError::LimitExceeded {
            limit: Limit::FileSize,
            max,
            ..
        } => Finding::new(Code::FileTooLarge, &[("limit", &format!("{max} bytes"))]),
        PdfError::LimitExceeded {
            limit: Limit::ProcessingTime,
            max,
            ..
        } => Finding::new(
            Code::ProcessingTimeExceeded,
            &[("limit", &format!("{max} ms"))],
        ),
        PdfError::Io { .. } => {
            Finding::new(Code::FileUnreadable, &[("detail", &error.to_string())])
        }
        PdfError::Encrypted => Finding::new(Code::PdfEncrypted, &[]),
        _ => Finding::new(Code::PdfMalformed, &[("detail", &error.to_string())]),
    }
}

/// What a signature's `/Contents` turned out to hold.
#[derive(Debug)]
enum Payload {
    Cms(Box<ParsedCms>),
    Timestamp(Box<crate::cms::TimeStampToken>),
    /// Unusable; the finding says why (a `FORMAT_FAILURE`).
    Broken(Finding),
    /// Not examined: the dictionary's own problems already say why.
    Absent,
}

/// One signature on its way to a report.
struct Pending {
    signature: EmbeddedSignature,
    geometry: Geometry,
    payload: Payload,
    /// Which digest job hashes its ranges.
    job: Option<usize>,
    overlaps: bool,
}

impl Pending {
    fn range_digest_algorithm(&self) -> Option<DigestAlgorithm> {
        match &self.payload {
            Payload::Cms(parsed) => parsed.range_digest,
            Payload::Timestamp(token) => token.imprint_algorithm().ok(),
            Payload::Broken(_) | Payload::Absent => None,
        }
    }
}

/// One verification of one document.
struct Run<'a> {
    doc: &'a Document,
    layout: FileLayout,
    context: ChainContext<'a>,
    dss_certificates: Vec<Vec<u8>>,
    /// The `/DSS` holds OCSP responses (not read, see `carries_validation_data`).
    dss_has_ocsp: bool,
    /// The document's DocMDP permission, from its certification signature.
    certification: Option<crate::pdf::DocMdpPermission>,
    /// The revision the certification signature covers (set once geometries are known).
    certified_revision: Option<usize>,
}

/// A document timestamp's proof, for the signatures it covers.
struct TimestampProof {
    field: String,
    signed_revision: usize,
    gen_time: OffsetDateTime,
    proven: bool,
}

impl Run<'_> {
    fn verify(
        &mut self,
        signatures: Vec<EmbeddedSignature>,
        file_findings: Vec<Finding>,
    ) -> (Vec<SignatureReport>, Option<String>) {
        let mut pending: Vec<Pending> = signatures
            .into_iter()
            .map(|signature| self.prepare(signature))
            .collect();
        self.certified_revision = pending
            .iter()
            .find(|item| item.signature.kind == SignatureKind::Certification)
            .and_then(|item| item.geometry.signed_revision);
        let geometries: Vec<&Geometry> = pending.iter().map(|item| &item.geometry).collect();
        for index in geometry::overlapping(&geometries) {
            if let Some(item) = pending.get_mut(index) {
                item.overlaps = true;
            }
        }
        let mut jobs = vec![DigestJob::whole_file(self.doc, DigestAlgorithm::Sha256)];
        for item in &mut pending {
            if let (Some(ranges), Some(algorithm)) =
                (item.geometry.ranges.clone(), item.range_digest_algorithm())
            {
                item.job = Some(jobs.len());
                jobs.push(DigestJob { algorithm, ranges });
            }
        }
        let mut digests = digest_all(self.doc, &jobs).into_iter();
        let file_sha256 = digests.next().and_then(Result::ok).map(hex::encode);
        let digests: Vec<Result<Vec<u8>, PdfError>> = digests.collect();
        let digest_of = |item: &Pending| item.job.and_then(|job| digests.get(job - 1));

        // Document timestamps first, newest first: a valid one proves that what it covers
        // existed, older timestamps included, whose TSA chains are then judged at that time.
        let mut proofs = Vec::new();
        let mut reports: Vec<(Option<usize>, SignatureReport)> = Vec::new();
        let mut document_timestamps: Vec<&Pending> = pending
            .iter()
            .filter(|item| item.signature.kind == SignatureKind::DocumentTimestamp)
            .collect();
        document_timestamps.sort_by_key(|item| {
            std::cmp::Reverse(item.geometry.signed_revision.unwrap_or(usize::MAX))
        });
        let mut later_proof: Option<OffsetDateTime> = None;
        for item in document_timestamps {
            let (report, proof) = self.document_timestamp(item, digest_of(item), later_proof);
            if let Some((gen_time, true)) = proof
                && item.geometry.signed_revision.is_some()
            {
                later_proof = Some(later_proof.map_or(gen_time, |later| later.min(gen_time)));
            }
            if let (Some(proof), Some(revision)) = (proof, item.geometry.signed_revision) {
                proofs.push(TimestampProof {
                    field: item.signature.field.clone(),
                    signed_revision: revision,
                    gen_time: proof.0,
                    proven: proof.1,
                });
            }
            reports.push((item.geometry.signed_revision, report));
        }
        for item in pending
            .iter()
            .filter(|item| item.signature.kind != SignatureKind::DocumentTimestamp)
        {
            let report = self.signature(item, digest_of(item), &proofs);
            reports.push((item.geometry.signed_revision, report));
        }
        // Oldest signed revision first; signatures whose revision is unknown last.
        reports.sort_by_key(|(revision, _)| revision.unwrap_or(usize::MAX));
        let mut reports: Vec<SignatureReport> =
            reports.into_iter().map(|(_, report)| report).collect();
        if let Some(first) = reports.first_mut() {
            first.findings.extend(file_findings);
        }
        (reports, file_sha256)
    }

    /// Geometry and payload, before anything is hashed.
    fn prepare(&self, signature: EmbeddedSignature) -> Pending {
        let geometry = geometry::examine(
            &signature.byte_range,
            signature.contents_span.as_ref(),
            &self.layout,
        );
        let payload = match (&signature.contents, signature.format) {
            (Some(contents), Some(SignatureFormat::Rfc3161)) => {
                match timestamps::parse_token(contents) {
                    Ok(token) => Payload::Timestamp(Box::new(token)),
                    Err(finding) => Payload::Broken(*finding),
                }
            }
            (Some(contents), Some(format)) if signature.format_problems.is_empty() => {
                match cms_check::parse(contents, format) {
                    Ok(parsed) => Payload::Cms(Box::new(parsed)),
                    Err(error) => Payload::Broken(*error.0),
                }
            }
            _ => Payload::Absent,
        };
        Pending {
            signature,
            geometry,
            payload,
            job: None,
            overlaps: false,
        }
    }

    /// Format findings and sub-indications shared by signatures and document timestamps.
    fn format_checks(&self, item: &Pending, assessment: &mut Assessment) {
        for finding in &item.signature.format_problems {
            assessment.fail(SubIndication::FormatFailure, finding.clone());
        }
        for problem in &item.geometry.problems {
            assessment.fail(SubIndication::FormatFailure, geometry_finding(problem));
        }
        if item.overlaps {
            assessment.fail(
                SubIndication::FormatFailure,
                Finding::new(Code::ByteRangesOverlap, &[]),
            );
        }
        if let Payload::Broken(finding) = &item.payload {
            assessment.fail(SubIndication::FormatFailure, finding.clone());
        }
    }

    /// What changed after the signed revision, when the signature covers a whole revision.
    fn modifications(
        &self,
        item: &Pending,
        assessment: &mut Assessment,
    ) -> (ModificationLevel, bool) {
        let (level, docmdp_ok) = match (item.geometry.coverage, item.geometry.signed_revision) {
            (Coverage::EntireFile, _) => (ModificationLevel::None, true),
            (Coverage::EntireRevision, Some(revision)) => self.diff(item, revision, assessment),
            // pyHanko's rule: without a clear coverage there is nothing to compare against.
            _ => (ModificationLevel::Other, false),
        };
        let (level, docmdp_ok) = if self.layout.tail_is_blank {
            (level, docmdp_ok)
        } else {
            assessment
                .findings
                .push(Finding::new(Code::UnsignedDataAppended, &[]));
            (ModificationLevel::Other, false)
        };
        if level > ModificationLevel::None {
            let (vi, en) = level.text();
            let finding = Finding::localized(Code::ModifiedAfterSigning, &[], &[("level", vi, en)]);
            assessment.findings.push(if docmdp_ok {
                finding
            } else {
                finding.with_severity(Severity::Error)
            });
        }
        if !docmdp_ok {
            assessment
                .sub_indications
                .push(SubIndication::SigConstraintsFailure);
        }
        (level, docmdp_ok)
    }

    fn diff(
        &self,
        item: &Pending,
        revision: usize,
        assessment: &mut Assessment,
    ) -> (ModificationLevel, bool) {
        let mut input = DiffInput::new(self.doc, revision, &item.signature.field);
        // A certification signature restricts what follows it, and only that. FieldMDP and /Lock
        // restrictions are read from the document by the analysis itself.
        input.certification = self.certification.filter(|_| {
            self.certified_revision
                .is_some_and(|certified| certified <= revision)
        });
        match diff::analyse(&input) {
            Ok(outcome) => {
                let findings = outcome.findings();
                let violation_reported = findings.iter().any(|finding| {
                    matches!(
                        finding.code,
                        Code::DocMdpViolation | Code::FieldMdpViolation | Code::LockViolation
                    )
                });
                assessment.findings.extend(findings);
                if !outcome.docmdp_ok
                    && !violation_reported
                    && let Some(permission) = self.certification
                    && outcome.modification_level > ModificationLevel::LtaUpdates
                {
                    assessment.findings.push(Finding::new(
                        Code::DocMdpViolation,
                        &[("permission", &permission.value().to_string())],
                    ));
                }
                (outcome.modification_level, outcome.docmdp_ok)
            }
            Err(error) => {
                assessment.findings.push(Finding::new(
                    Code::ModificationAnalysisFailed,
                    &[("detail", &error.to_string())],
                ));
                (ModificationLevel::Other, false)
            }
        }
    }

    fn document_timestamp(
        &self,
        item: &Pending,
        digest: Option<&Result<Vec<u8>, PdfError>>,
        later_proof: Option<OffsetDateTime>,
    ) -> (SignatureReport, Option<(OffsetDateTime, bool)>) {
        let mut assessment = Assessment::default();
        self.format_checks(item, &mut assessment);
        let mut report = blank_report(item);
        report.pades_level = PadesLevel::BLta;
        let mut proof = None;
        if let Payload::Timestamp(token) = &item.payload {
            // Without a digest of the ranges (broken geometry, unreadable file) nothing can
            // match the imprint: an empty digest makes that a hash failure.
            let covered_digest: &[u8] = match digest {
                Some(Ok(digest)) => digest,
                Some(Err(error)) => {
                    assessment.fail(
                        SubIndication::FormatFailure,
                        Finding::new(Code::FileUnreadable, &[("detail", &error.to_string())]),
                    );
                    &[]
                }
                None => &[],
            };
            let covered = Covered::Digest {
                algorithm: token.imprint_algorithm().unwrap_or(DigestAlgorithm::Sha256),
                digest: covered_digest,
            };
            let check = timestamps::check(token, covered, &self.context, later_proof);
            report.intact = check.intact && item.geometry.ranges.is_some();
            self.fill_from_timestamp(&mut report, &check, &mut assessment);
            // Only a timestamp whose ranges are exactly its revision (from the start, around
            // its own /Contents, to its %%EOF) proves that revision: a token over other bytes
            // proves nothing about what precedes it, however genuine the token.
            let covers_its_revision = item.signature.format_problems.is_empty()
                && item.geometry.problems.is_empty()
                && item.geometry.ranges.is_some()
                && !item.overlaps;
            if check.intact && covers_its_revision {
                proof = Some(match check.proof_of_existence {
                    Some(proven) => (proven, true),
                    None => (check.report.gen_time, false),
                });
            }
        }
        let (level, docmdp_ok) = self.modifications(item, &mut assessment);
        report.modification_level = level;
        report.docmdp_ok = docmdp_ok;
        assessment.finish(&mut report);
        (report, proof)
    }

    fn fill_from_timestamp(
        &self,
        report: &mut SignatureReport,
        check: &TimestampCheck,
        assessment: &mut Assessment,
    ) {
        if let Some(path) = &check.path {
            report.set_path(path);
        }
        if let Some(sub) = check.report.sub_indication {
            assessment.sub_indications.push(sub);
        }
        // The token's findings include its path's.
        assessment.findings.extend(check.findings.iter().cloned());
        report.timestamp = Some(check.report.clone());
    }

    fn signature(
        &self,
        item: &Pending,
        digest: Option<&Result<Vec<u8>, PdfError>>,
        proofs: &[TimestampProof],
    ) -> SignatureReport {
        let mut assessment = Assessment::default();
        self.format_checks(item, &mut assessment);
        let mut report = blank_report(item);
        report.signing_time = item.signature.claimed_time;
        let format = item.signature.format;
        report.pades_level = if format.is_some_and(SignatureFormat::is_legacy) {
            PadesLevel::NotEtsi
        } else {
            PadesLevel::BB
        };
        if let Some(format) = format.filter(|format| format.is_legacy()) {
            let name = match format {
                SignatureFormat::Pkcs7Sha1 => "adbe.pkcs7.sha1",
                _ => "adbe.pkcs7.detached",
            };
            assessment.findings.push(Finding::new(
                Code::NotEtsiSubFilter,
                &[("sub_filter", name)],
            ));
        }
        if let Payload::Cms(parsed) = &item.payload {
            self.cryptography(item, parsed, digest, proofs, &mut report, &mut assessment);
        }
        let (level, docmdp_ok) = self.modifications(item, &mut assessment);
        report.modification_level = level;
        report.docmdp_ok = docmdp_ok;
        assessment.finish(&mut report);
        report
    }

    #[allow(clippy::too_many_arguments)]
    fn cryptography(
        &self,
        item: &Pending,
        parsed: &ParsedCms,
        digest: Option<&Result<Vec<u8>, PdfError>>,
        proofs: &[TimestampProof],
        report: &mut SignatureReport,
        assessment: &mut Assessment,
    ) {
        let crypto: CryptoOutcome = match digest {
            Some(Ok(digest)) => cms_check::verify(parsed, Some(digest), &self.dss_certificates),
            Some(Err(error)) => {
                assessment.fail(
                    SubIndication::FormatFailure,
                    Finding::new(Code::FileUnreadable, &[("detail", &error.to_string())]),
                );
                cms_check::identify(parsed, &self.dss_certificates)
            }
            // The geometry already failed: nothing to hash, but the signer is still named.
            None if item.geometry.ranges.is_none() => {
                cms_check::identify(parsed, &self.dss_certificates)
            }
            None => cms_check::verify(parsed, None, &self.dss_certificates),
        };
        report.intact = crypto.intact;
        assessment
            .sub_indications
            .extend(crypto.sub_indications.iter().copied());
        assessment.findings.extend(crypto.findings.iter().cloned());

        // Proofs of existence: the signature's own timestamp, and document timestamps after it
        // (which also prove when the signature timestamp existed).
        let covering: Vec<&TimestampProof> = proofs
            .iter()
            .filter(|proof| {
                item.geometry
                    .signed_revision
                    .is_some_and(|revision| proof.signed_revision > revision)
            })
            .collect();
        let earliest_covering = covering
            .iter()
            .filter(|proof| proof.proven)
            .min_by_key(|proof| proof.gen_time);
        let signature_timestamp = self.signature_timestamp(
            parsed,
            assessment,
            earliest_covering.map(|proof| proof.gen_time),
        );
        if let Some(check) = &signature_timestamp {
            report.timestamp = Some(check.report.clone());
            if let Some(finding) =
                timestamps::compare_with_claimed(check.report.gen_time, item.signature.claimed_time)
            {
                assessment.findings.push(finding);
            }
        }
        let mut proof = signature_timestamp
            .as_ref()
            .and_then(|check| check.proof_of_existence);
        if let Some(earliest) = earliest_covering
            && proof.is_none_or(|time| earliest.gen_time < time)
        {
            proof = Some(earliest.gen_time);
            assessment.findings.push(Finding::new(
                Code::DocumentTimestampCovers,
                &[
                    ("field", &earliest.field),
                    (
                        "gen_time",
                        &crate::verify::report::display_time(earliest.gen_time),
                    ),
                ],
            ));
        }
        if proof.is_none() && item.signature.claimed_time.is_some() {
            assessment
                .findings
                .push(Finding::new(Code::SigningTimeClaimedOnly, &[]));
        }
        let timestamped = signature_timestamp
            .as_ref()
            .is_some_and(|check| check.intact)
            || !covering.is_empty();
        if report.pades_level == PadesLevel::BB && timestamped {
            report.pades_level = PadesLevel::BT;
        }

        let Some(certificate) = &crypto.signer_certificate else {
            return;
        };
        let time = self
            .context
            .moment
            .for_signature(proof, item.signature.claimed_time);
        assessment.findings.push(self.context.moment.finding(&time));
        if let Some(verification) = &crypto.verification {
            for finding in cms_check::check_algorithms(
                parsed,
                verification,
                certificate,
                &self.context.policy.algorithms,
                time.at,
            ) {
                assessment.fail(SubIndication::CryptoConstraintsFailure, finding);
            }
        }
        match self.context.validate(
            certificate,
            &parsed.signed_data.certificates,
            &parsed.signed_data.crls,
            Purpose::DocumentSigning,
            time,
        ) {
            Ok(path) => {
                // B-LT: the document itself carries what validated the path.
                if report.pades_level == PadesLevel::BT
                    && self.carries_validation_data(&path, parsed)
                {
                    report.pades_level = if covering.is_empty() {
                        PadesLevel::BLt
                    } else {
                        PadesLevel::BLta
                    };
                }
                self.apply_path(&path, report, assessment)
            }
            Err(finding) => assessment.fail(SubIndication::FormatFailure, *finding),
        }
    }

    /// Whether the document carries the validation data of `path` (B-LT): every certificate
    /// below the root is in the `/DSS` or the CMS, with revocation data from the document — a
    /// CRL from it that told the status, or, as OCSP responses are not read by this verifier,
    /// OCSP responses in the `/DSS` (counted as present, as a structural check). The level is
    /// about what the file holds; whether its chain is trusted is the indication's business.
    fn carries_validation_data(&self, path: &PathValidation, parsed: &ParsedCms) -> bool {
        let document_crls: Vec<String> = self
            .context
            .crls
            .iter()
            .filter(|crl| crl.source == CrlSource::Dss)
            .map(|crl| crl.crl.sha256_hex())
            .chain(parsed.signed_data.crls.iter().filter_map(|der| {
                SourcedCrl::from_der(der, CrlSource::Cms)
                    .ok()
                    .map(|crl| crl.crl.sha256_hex())
            }))
            .collect();
        !path.chain.is_empty()
            && path
                .chain
                .iter()
                .filter(|element| {
                    !element.certificate.is_self_issued()
                        && !matches!(
                            element.revocation.status,
                            RevocationStatus::Unknown {
                                why: UnknownRevocation::TrustAnchor
                            }
                        )
                })
                .all(|element| {
                    let der = element.certificate.der();
                    let embedded = self.dss_certificates.iter().any(|known| known == der)
                        || parsed
                            .signed_data
                            .certificates
                            .iter()
                            .any(|known| known == der);
                    let revocation_embedded = self.dss_has_ocsp
                        || element.revocation.crls.iter().any(|considered| {
                            considered.outcome == CrlOutcome::Used
                                && document_crls.contains(&considered.sha256)
                        });
                    embedded && revocation_embedded
                })
    }

    fn apply_path(
        &self,
        path: &PathValidation,
        report: &mut SignatureReport,
        assessment: &mut Assessment,
    ) {
        report.set_path(path);
        if let Some(sub) = path.sub_indication {
            assessment.sub_indications.push(sub);
        }
        assessment.findings.extend(Finding::from_path(path));
    }

    /// The first signature timestamp token of the SignerInfo, checked.
    fn signature_timestamp(
        &self,
        parsed: &ParsedCms,
        assessment: &mut Assessment,
        proven_at: Option<OffsetDateTime>,
    ) -> Option<TimestampCheck> {
        let tokens = parsed.signer.timestamp_tokens();
        let der = tokens.first()?;
        match timestamps::parse_token(der) {
            Ok(token) => {
                let covered = Covered::Data(&parsed.signer.signature);
                let check = timestamps::check(&token, covered, &self.context, proven_at);
                assessment.findings.extend(check.findings.iter().cloned());
                Some(check)
            }
            Err(finding) => {
                assessment.findings.push(*finding);
                None
            }
        }
    }
}

/// A report with the fields every signature has, before any check.
fn blank_report(item: &Pending) -> SignatureReport {
    SignatureReport {
        field: item.signature.field.clone(),
        kind: item.signature.kind,
        indication: Indication::TotalFailed,
        sub_indication: None,
        intact: false,
        coverage: item.geometry.coverage,
        modification_level: ModificationLevel::Other,
        docmdp_ok: false,
        sub_filter: item.signature.sub_filter.clone(),
        signer: None,
        chain: Vec::new(),
        trust: None,
        revocation: None,
        signing_time: None,
        timestamp: None::<TimestampReport>,
        pades_level: PadesLevel::BB,
        findings: Vec::new(),
    }
}

fn geometry_finding(problem: &GeometryProblem) -> Finding {
    match problem {
        GeometryProblem::Malformed { detail } => {
            Finding::new(Code::ByteRangeInvalid, &[("detail", detail)])
        }
        GeometryProblem::NotFromStart { .. } => Finding::new(Code::ByteRangeNotFromStart, &[]),
        GeometryProblem::GapNotContents { .. } => Finding::new(Code::ByteRangeGapNotContents, &[]),
        GeometryProblem::NotAtEof { .. } => Finding::new(Code::ByteRangeNotAtEof, &[]),
    }
}

/// Sub-indications and findings gathered for one signature.
#[derive(Debug, Default)]
struct Assessment {
    sub_indications: Vec<SubIndication>,
    findings: Vec<Finding>,
}

impl Assessment {
    fn fail(&mut self, sub: SubIndication, finding: Finding) {
        self.sub_indications.push(sub);
        self.findings.push(finding.with_severity(Severity::Error));
    }

    /// Sets the indication. A signature whose bytes were not shown intact never passes, even
    /// when no check said why (which would be a gap in the checks, reported as a format failure).
    fn finish(mut self, report: &mut SignatureReport) {
        if !report.intact && self.sub_indications.is_empty() {
            self.sub_indications.push(SubIndication::FormatFailure);
        }
        let (indication, sub) = outcome(self.sub_indications);
        report.indication = indication;
        report.sub_indication = sub;
        report.findings = self.findings;
    }
}
