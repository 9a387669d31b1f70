//! Every PDF of `../shared/corpus/manifest.tsv` through the verifier, against its documented
//! verdict on integrity, coverage and modifications (the manifest's `expected_verdict_documented`,
//! and pyHanko's own verdicts recorded in the briefs where the manifest is terse).
//!
//! Files from EU DSS are signed under foreign test PKIs that are not trusted here, and validated
//! now: their documented "valid" becomes "intact, nothing failed for certain" (INDETERMINATE,
//! never TOTAL_FAILED). pyHanko's files are validated under pyHanko's testing CA at 2020-11-01,
//! where its certificates were valid.
//!
//! Where our policy deliberately differs from the documented verdict, the expectation says why.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use time::macros::datetime;
use vanthu::pki::indication::{Indication, SubIndication};
use vanthu::verify::report::{
    Coverage, FileIndication, FileReport, ModificationLevel, PadesLevel, SignatureKind,
};

use super::support::{codes, signature, verifier};
use crate::common;

use Coverage::*;
use ModificationLevel as Mod;

/// What the verdict on one signature must be.
#[derive(Debug, Clone)]
struct Expected {
    field: &'static str,
    intact: bool,
    coverage: Coverage,
    modification: ModificationLevel,
    verdict: Verdict,
    /// Finding codes that must be present.
    findings: &'static [&'static str],
}

#[derive(Debug, Clone, Copy)]
enum Verdict {
    Passed,
    /// INDETERMINATE with this sub-indication.
    Indeterminate(SubIndication),
    /// TOTAL_FAILED with this sub-indication.
    Failed(SubIndication),
}

const fn sig(
    field: &'static str,
    intact: bool,
    coverage: Coverage,
    modification: ModificationLevel,
    verdict: Verdict,
) -> Expected {
    Expected {
        field,
        intact,
        coverage,
        modification,
        verdict,
        findings: &[],
    }
}

impl Expected {
    const fn with_findings(mut self, findings: &'static [&'static str]) -> Self {
        self.findings = findings;
        self
    }
}

use SubIndication::{
    CertificateChainGeneralFailure, FormatFailure, NoCertificateChainFound, SigConstraintsFailure,
};
use Verdict::{Failed, Indeterminate, Passed};

/// The expectations for every corpus PDF, by its manifest name.
fn expectations(file: &str) -> Option<Vec<Expected>> {
    let untrusted = Indeterminate(NoCertificateChainFound);
    let expected = match file {
        // DSS PAdESSimpleValidationTest: valid (certificate untrusted offline).
        "dss/pdf-signed-original.pdf" => {
            vec![sig("Signature1", true, EntireFile, Mod::None, untrusted)]
        }
        // DSS PAdESSimpleCorruptedTest: ten bytes cut out. The reader refuses the file itself
        // (startxref points into the xref table), so there is no signature to report and the file
        // is TOTAL_FAILED with an error: checked in `corrupted_file_fails_as_a_whole`.
        "dss/pdf-signed-corrupted.pdf" => vec![],
        // DSS PAdESOutOfByteRangeTest: /ByteRange past the end of the file.
        "dss/pdf-signed-out-of-byteRange.pdf" => vec![
            sig(
                "Signature1",
                false,
                Unclear,
                Mod::Other,
                Failed(FormatFailure),
            )
            .with_findings(&["BYTE_RANGE_INVALID"]),
        ],
        // DSS2451Test: one valid, one TOTAL_FAILED/FORMAT_FAILURE (its range overlaps the first's).
        "dss/pdf-byterange-overlap.pdf" => vec![
            sig(
                "Signature1",
                true,
                EntireRevision,
                Mod::FormFilling,
                untrusted,
            ),
            sig(
                "Signature2",
                false,
                Unclear,
                Mod::Other,
                Failed(FormatFailure),
            )
            .with_findings(&["BYTE_RANGE_GAP_NOT_CONTENTS"]),
        ],
        // DetectionModificationAfterSignTest: visible content changed in a later revision. The
        // untrusted chain is the more serious doubt; the change is an error finding.
        "dss/modified_after_signature.pdf" => vec![
            sig("Signature1", true, EntireRevision, Mod::Other, untrusted)
                .with_findings(&["MODIFIED_AFTER_SIGNING"]),
        ],
        // DSS917Test: both valid. Signing a second field is form filling. pyHanko 0.38 says
        // LTA_UPDATES here, an artefact of the file: an empty update with /Size 1 makes it take
        // the whole second signature for unreferenced objects. The signer keys are RSA 1024:
        // below our minimum, a CRYPTO_CONSTRAINTS finding, while the missing chain stays the more
        // serious doubt.
        "dss/hello_signed_INCSAVE_signed.pdf" => vec![
            sig(
                "Signature1",
                true,
                EntireRevision,
                Mod::FormFilling,
                untrusted,
            )
            .with_findings(&["WEAK_SIGNATURE_ALGORITHM"]),
            sig("Signature2", true, EntireFile, Mod::None, untrusted),
        ],
        // DSS917CorruptedTest: the second signature's /ByteRange copied from the first. Its gap
        // is then not its own /Contents: FORMAT_FAILURE. pyHanko calls the coverage
        // CONTIGUOUS_BLOCK_FROM_START because it compares only the gap's length with /Contents;
        // we compare its position, so the coverage is UNCLEAR.
        "dss/hello_signed_INCSAVE_signed_EDITED.pdf" => vec![
            sig(
                "Signature1",
                true,
                EntireRevision,
                Mod::FormFilling,
                untrusted,
            ),
            sig(
                "Signature2",
                false,
                Unclear,
                Mod::Other,
                Failed(FormatFailure),
            )
            .with_findings(&["BYTE_RANGE_GAP_NOT_CONTENTS", "MESSAGE_DIGEST_MISMATCH"]),
        ],
        // PdfPkcs7Test: adbe.pkcs7.detached, valid (a "not ETSI" note).
        "dss/pkcs7.pdf" => vec![
            sig("SIGN1", true, EntireFile, Mod::None, untrusted)
                .with_findings(&["NOT_ETSI_SUB_FILTER"]),
        ],
        // PdfPkcs7SubFilterValidAndInvalidTest: valid, not ETSI, no signing-certificate
        // reference. It is signed with SHA-1, which our default policy refuses
        // (CRYPTO_CONSTRAINTS_FAILURE as a finding; the untrusted chain is the more serious doubt).
        "dss/pkcs7-no-message-digest.pdf" => vec![
            sig("Signature_0", true, EntireFile, Mod::None, untrusted)
                .with_findings(&["NOT_ETSI_SUB_FILTER", "WEAK_SIGNATURE_ALGORITHM"]),
        ],
        // BadEncodedCMSTest: "no signature found, must not be reported valid". The field is
        // signed, so we report the signature and fail it: its CMS does not parse.
        "dss/BadEncodedCMS.pdf" => vec![
            sig(
                "Test Signature",
                false,
                EntireFile,
                Mod::None,
                Failed(FormatFailure),
            )
            .with_findings(&["CMS_MALFORMED"]),
        ],
        // PDFWithMultipleSignerInfoValidationTest: ambiguous CMS. DSS reports one signature with
        // PDF_NOT_ETSI; pyHanko refuses it. We fail it: exactly one SignerInfo is required.
        "dss/pdf-double-signer-info.pdf" => vec![
            sig(
                "Signature1",
                false,
                EntireFile,
                Mod::None,
                Failed(FormatFailure),
            )
            .with_findings(&["CMS_SIGNER_COUNT"]),
        ],
        // PAdESBESValidationTest: valid.
        "dss/pades-bes.pdf" => vec![sig("Signature1", true, EntireFile, Mod::None, untrusted)],
        // DSS1469ExtensionTest: a real PAdES-T, valid.
        "dss/doc-firmado-T.pdf" => vec![sig("Signature1", true, EntireFile, Mod::None, untrusted)],
        // DSS2471Test: PAdES-LT with a DSS and a document timestamp, valid. pyHanko's levels:
        // FORM_FILLING for the first three, OTHER for the last signature because a later DSS
        // update rewrites a /VRI entry. DSS, which made the file, rebuilds VRI entries and calls
        // the file valid; validation data cannot change what a reader sees, so a DSS update of
        // the right shape is an LTA update for us.
        "dss/PAdES-LT.pdf" => vec![
            sig(
                "Signature1",
                true,
                EntireRevision,
                Mod::FormFilling,
                untrusted,
            ),
            sig(
                "Signature2",
                true,
                EntireRevision,
                Mod::FormFilling,
                untrusted,
            ),
            sig(
                "Signature3",
                true,
                EntireRevision,
                Mod::FormFilling,
                untrusted,
            ),
            sig(
                "Signature4",
                true,
                EntireRevision,
                Mod::LtaUpdates,
                untrusted,
            ),
        ],
        // PAdESNoChangesPermittedTest: a DocMDP P1 certification, valid.
        "dss/dss-2554_certified-no-change-permitted.pdf" => {
            vec![sig("Sign993545267", true, EntireFile, Mod::None, untrusted)]
        }
        // PDFSignWithPermissionsTest: a DocMDP P3 certification with an empty field, valid.
        "dss/dss-2554_certified-changes-permitted.pdf" => {
            vec![sig(
                "signature-test",
                true,
                EntireFile,
                Mod::None,
                untrusted,
            )]
        }
        // test_anomalous_coverage: intact and cryptographically valid, but nonstandard coverage,
        // bottom line false. pyHanko keeps them INDETERMINATE-like; a /ByteRange that breaks the
        // rules is a FORMAT_FAILURE here (issue 4: never "not checked", never valid).
        "pyhanko/coverage-anomalies_tail-uncovered.pdf" => vec![
            sig(
                "Sig1",
                true,
                ContiguousBlockFromStart,
                Mod::Other,
                Failed(FormatFailure),
            )
            .with_findings(&["BYTE_RANGE_NOT_AT_EOF"]),
        ],
        "pyhanko/coverage-anomalies_signature-gap-too-big.pdf" => vec![
            sig("Sig1", true, Unclear, Mod::Other, Failed(FormatFailure))
                .with_findings(&["BYTE_RANGE_GAP_NOT_CONTENTS"]),
        ],
        "pyhanko/coverage-anomalies_one-byterange.pdf" => vec![
            sig("Sig1", true, Unclear, Mod::Other, Failed(FormatFailure))
                .with_findings(&["BYTE_RANGE_INVALID"]),
        ],
        "pyhanko/coverage-anomalies_weird-byterange.pdf" => vec![
            sig("Sig1", true, Unclear, Mod::Other, Failed(FormatFailure))
                .with_findings(&["BYTE_RANGE_GAP_NOT_CONTENTS"]),
        ],
        // test_appearance_update_edge_cases: FORM_FILLING, permitted.
        "pyhanko/form-update-override-appearance-stream.pdf" => vec![
            sig("Sig1", true, EntireRevision, Mod::FormFilling, Passed),
            sig("Sig2", true, EntireFile, Mod::None, Passed),
        ],
        // test_disallow_appearance_stream_override_if_clobbers: OTHER, not permitted.
        "pyhanko/form-update-override-appearance-stream-sneaky.pdf"
        | "pyhanko/form-update-override-appearance-stream-ap-indirect-sneaky.pdf"
        | "pyhanko/form-update-ap-indirect-sneaky-trailer.pdf" => vec![
            sig(
                "Sig1",
                true,
                EntireRevision,
                Mod::Other,
                Indeterminate(SigConstraintsFailure),
            )
            .with_findings(&["MODIFIED_AFTER_SIGNING"]),
            sig("Sig2", true, EntireFile, Mod::None, Passed),
        ],
        // test_double_sig_adobe_reader: the first FORM_FILLING with docmdp_ok, the second valid.
        // Adobe Reader signed them with a self-signed test certificate that is not pyHanko's CA.
        "pyhanko/minimal-two-fields-signed-twice.pdf" => vec![
            sig("Sig2", true, EntireRevision, Mod::FormFilling, untrusted),
            sig("Sig1", true, EntireFile, Mod::None, untrusted),
        ],
        "pyhanko/minimal-signed-twice-both-created.pdf" => vec![
            sig(
                "Signature2",
                true,
                EntireRevision,
                Mod::FormFilling,
                untrusted,
            ),
            sig("Signature3", true, EntireFile, Mod::None, untrusted),
        ],
        // test_sign_reject_econtent_if_detached: FORMAT_FAILURE.
        "pyhanko/pdf-sig-with-econtent.pdf" => vec![
            sig("Sig1", false, EntireFile, Mod::None, Failed(FormatFailure))
                .with_findings(&["CMS_ENCAPSULATED_CONTENT"]),
        ],
        // test_verify_sig_without_signed_attrs and _with_ski_sid: valid (and here trusted).
        "pyhanko/sig-no-signed-attrs.pdf" => vec![sig("Sig1", true, EntireFile, Mod::None, Passed)],
        "pyhanko/sig-with-ski-sid.pdf" => vec![sig("Sig1", true, EntireFile, Mod::None, Passed)],
        // test_ed448_invalid_hash_algo_validation: INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE. Ed448
        // is not among our algorithms at all, so the signature cannot be checked
        // (ALGORITHM_UNSUPPORTED, a CRYPTO_CONSTRAINTS_FAILURE) and neither can the Ed448 CA
        // signatures on its chain, which is the more serious doubt in EN 319 102-1's order.
        "pyhanko/ed448-disallowed-hash.pdf" => vec![
            sig(
                "Sig1",
                false,
                EntireFile,
                Mod::None,
                Indeterminate(CertificateChainGeneralFailure),
            )
            .with_findings(&["ALGORITHM_UNSUPPORTED"]),
        ],
        // test_old_style_signing_cert_attr_ok: valid and trusted at 2020-11-01.
        "pyhanko/pades-with-old-style-signing-cert-attr.pdf" => vec![
            sig("Sig1", true, EntireFile, Mod::None, Passed)
                .with_findings(&["SIGNING_CERTIFICATE_V1_ONLY"]),
        ],
        // test_indir_ref_in_sigref_dict: valid and trusted.
        "pyhanko/certified-with-indirect-refs-in-dir.pdf" => {
            vec![sig("Sig1", true, EntireFile, Mod::None, Passed)]
        }
        _ => return None,
    };
    Some(expected)
}

/// The PDFs the manifest lists.
fn manifest(corpus: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(corpus.join("manifest.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .filter(|file| file.ends_with(".pdf"))
        .map(str::to_owned)
        .collect()
}

fn verify(corpus: &Path, file: &str) -> FileReport {
    let path: PathBuf = corpus.join(file);
    let verifier = if file.starts_with("pyhanko/") {
        verifier(
            &[&corpus.join("trust/pyhanko-testing-ca-root.cert.pem")],
            Some(datetime!(2020-11-01 0:00 UTC)),
        )
    } else {
        verifier(&[], None)
    };
    verifier.verify_file(&path).unwrap()
}

#[test]
fn every_corpus_pdf_meets_its_documented_verdict() {
    let Some(corpus) = common::require("../shared/corpus", common::corpus_dir()) else {
        return;
    };
    let files = manifest(&corpus);
    assert!(files.len() >= 32, "manifest looks incomplete: {files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let expected = expectations(file)
            .unwrap_or_else(|| panic!("{file} is in the manifest but has no expectation here"));
        let report = verify(&corpus, file);
        check_file(file, &report, &expected, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn check_file(file: &str, report: &FileReport, expected: &[Expected], failures: &mut Vec<String>) {
    let fields: BTreeSet<&str> = report.signatures.iter().map(|s| s.field.as_str()).collect();
    let wanted: BTreeSet<&str> = expected.iter().map(|e| e.field).collect();
    if fields != wanted {
        failures.push(format!(
            "{file}: signatures {fields:?}, expected {wanted:?}"
        ));
        return;
    }
    for want in expected {
        let got = signature(report, want.field);
        let name = format!("{file} «{}»", want.field);
        let mut check = |what: &str, ok: bool, detail: String| {
            if !ok {
                failures.push(format!("{name}: {what}: {detail}"));
            }
        };
        check(
            "intact",
            got.intact == want.intact,
            format!("{} ≠ {}", got.intact, want.intact),
        );
        check(
            "coverage",
            got.coverage == want.coverage,
            format!("{:?} ≠ {:?}", got.coverage, want.coverage),
        );
        let (indication, sub) = match want.verdict {
            Passed => (Indication::TotalPassed, None),
            Indeterminate(sub) => (Indication::Indeterminate, Some(sub)),
            Failed(sub) => (Indication::TotalFailed, Some(sub)),
        };
        check(
            "indication",
            got.indication == indication && got.sub_indication == sub,
            format!(
                "{:?}/{:?} ≠ {indication:?}/{sub:?}",
                got.indication, got.sub_indication
            ),
        );
        let codes = codes(got);
        for code in want.findings {
            check(
                "finding",
                codes.iter().any(|c| c == code),
                format!("{code} missing in {codes:?}"),
            );
        }
        check(
            "modification level",
            got.modification_level == want.modification,
            format!("{:?} ≠ {:?}", got.modification_level, want.modification),
        );
        // pyHanko's rule: DocMDP is fine unless the level is OTHER (no corpus file is certified
        // and modified).
        check(
            "docmdp_ok",
            got.docmdp_ok == (want.modification != Mod::Other),
            format!("{}", got.docmdp_ok),
        );
    }
}

#[test]
fn corrupted_file_fails_as_a_whole() {
    let Some(corpus) = common::require("../shared/corpus", common::corpus_dir()) else {
        return;
    };
    let report = verify(&corpus, "dss/pdf-signed-corrupted.pdf");
    assert_eq!(report.indication, FileIndication::TotalFailed);
    assert!(report.signatures.is_empty());
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].code.as_str(), "PDF_MALFORMED");
}

#[test]
fn kinds_levels_and_timestamps_of_corpus_signatures() {
    let Some(corpus) = common::require("../shared/corpus", common::corpus_dir()) else {
        return;
    };
    let lt = verify(&corpus, "dss/PAdES-LT.pdf");
    let timestamp = signature(&lt, "Signature3");
    assert_eq!(timestamp.kind, SignatureKind::DocumentTimestamp);
    assert!(timestamp.timestamp.as_ref().is_some_and(|t| t.intact));
    assert_eq!(signature(&lt, "Signature2").pades_level, PadesLevel::BLta);
    assert!(signature(&lt, "Signature2").timestamp.is_some());

    let t = verify(&corpus, "dss/doc-firmado-T.pdf");
    let signed = signature(&t, "Signature1");
    assert_eq!(signed.pades_level, PadesLevel::BT);
    let token = signed.timestamp.as_ref().unwrap();
    assert!(token.intact);
    assert_eq!(token.gen_time, datetime!(2018-09-15 22:10:37 UTC));

    let certified = verify(&corpus, "dss/dss-2554_certified-no-change-permitted.pdf");
    assert_eq!(
        signature(&certified, "Sign993545267").kind,
        SignatureKind::Certification
    );
    let legacy = verify(&corpus, "dss/pkcs7.pdf");
    assert_eq!(signature(&legacy, "SIGN1").pades_level, PadesLevel::NotEtsi);

    let trusted = verify(&corpus, "pyhanko/sig-with-ski-sid.pdf");
    assert_eq!(trusted.indication, FileIndication::TotalPassed);
    let signer = signature(&trusted, "Sig1").signer.as_ref().unwrap();
    assert_eq!(signer.common_name.as_deref(), Some("Alice"));
    assert!(trusted.sha256.as_ref().is_some_and(|hash| hash.len() == 64));
}
