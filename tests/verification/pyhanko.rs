//! Signatures made by pyHanko (the `pyhanko` that `../shared/tools/setup-peers` installs) with a
//! development PKI generated here: they verify `TOTAL_PASSED` under its root, in each of the
//! forms pyHanko writes (adbe.pkcs7.detached, PAdES, RSA-PSS, certification). The same files
//! tampered with fail as they should: a flipped byte is a `HASH_FAILURE`, an appended update that
//! replaces the page content is an `OTHER` modification, and a re-pointed `/ByteRange` is a
//! `FORMAT_FAILURE`.

use std::path::{Path, PathBuf};
use std::process::Command;

use vanthu::pdf::{Document, IncrementalUpdate, Object, Stream};
use vanthu::pki::devpki::{self, DevPki, DevPkiSpec, KeyAlgorithm, PersonSpec, UnitSpec};
use vanthu::pki::indication::{Indication, SubIndication};
use vanthu::verify::report::{
    Coverage, FileIndication, FileReport, ModificationLevel, PadesLevel, SignatureKind,
};

use super::support::{codes, signature, verifier};
use crate::common;
use crate::pdf_support::{Layout, simple_pdf};

/// A development PKI on disk in the files pyHanko reads.
pub struct PyhankoSigner {
    dir: tempfile::TempDir,
    bin: PathBuf,
}

impl PyhankoSigner {
    pub fn new(algorithm: KeyAlgorithm) -> Option<Self> {
        let bin = common::require("pyhanko (../shared/tools/setup-peers)", common::peers_bin())?;
        let spec = DevPkiSpec {
            units: vec![UnitSpec {
                code: "VKS-TN".into(),
                name: "Viện kiểm sát nhân dân tỉnh Thái Nguyên".into(),
            }],
            people: vec![PersonSpec {
                username: "lanhdao".into(),
                full_name: "Nguyễn Văn An".into(),
                position: "Viện trưởng".into(),
                unit_name: "Viện kiểm sát nhân dân tỉnh Thái Nguyên".into(),
            }],
        };
        let pki = devpki::generate(&spec, algorithm).unwrap();
        let dir = tempfile::tempdir().unwrap();
        write_pki(dir.path(), &pki);
        Some(PyhankoSigner {
            dir,
            bin: bin.join("pyhanko"),
        })
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root.pem")
    }

    /// Signs `input` into field `field` with pyHanko; `options` go to `addsig`.
    pub fn sign(&self, input: &[u8], field: &str, options: &[&str]) -> Vec<u8> {
        let path = |name: &str| self.dir.path().join(name);
        std::fs::write(path("in.pdf"), input).unwrap();
        let output = Command::new(&self.bin)
            .current_dir(self.dir.path())
            .args(["sign", "addsig", "--field", field])
            .args(options)
            .args([
                "pemder",
                "--no-pass",
                "--key",
                "signer.key.pem",
                "--cert",
                "signer.pem",
                "--chain",
                "chain.pem",
                "in.pdf",
                "out.pdf",
            ])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "pyhanko addsig {options:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read(path("out.pdf")).unwrap()
    }

    pub fn verify(&self, name: &str, pdf: Vec<u8>) -> FileReport {
        verifier(&[&self.root()], None).verify_bytes(name, pdf)
    }
}

fn write_pki(dir: &Path, pki: &DevPki) {
    let person = pki.people.get("lanhdao").unwrap();
    std::fs::write(dir.join("signer.pem"), person.certificate_pem()).unwrap();
    std::fs::write(
        dir.join("signer.key.pem"),
        person.key.to_pem().unwrap().as_bytes(),
    )
    .unwrap();
    std::fs::write(dir.join("chain.pem"), pki.intermediate.certificate_pem()).unwrap();
    std::fs::write(dir.join("root.pem"), pki.root.certificate_pem()).unwrap();
}

fn assert_passed(report: &FileReport, field: &str) {
    let signed = signature(report, field);
    assert_eq!(
        (report.indication, signed.indication),
        (FileIndication::TotalPassed, Indication::TotalPassed),
        "{field}: {:?}/{:?} {:?}",
        signed.indication,
        signed.sub_indication,
        codes(signed)
    );
    assert!(signed.intact);
    assert_eq!(signed.coverage, Coverage::EntireFile);
    assert_eq!(signed.modification_level, ModificationLevel::None);
    assert!(signed.docmdp_ok);
    let signer = signed.signer.as_ref().unwrap();
    assert_eq!(signer.common_name.as_deref(), Some("Nguyễn Văn An"));
    assert!(signed.trust.as_ref().is_some_and(|trust| trust.anchored));
    assert_eq!(signed.chain.len(), 3, "signer, intermediate, root");
}

#[test]
fn pyhanko_signatures_verify_in_every_form() {
    let Some(ecdsa) = PyhankoSigner::new(KeyAlgorithm::P256) else {
        return;
    };
    let input = simple_pdf(1, Layout::Table);

    let plain = ecdsa.verify("plain", ecdsa.sign(&input, "Sig1", &[]));
    assert_passed(&plain, "Sig1");
    assert_eq!(signature(&plain, "Sig1").pades_level, PadesLevel::NotEtsi);

    let pades = ecdsa.verify("pades", ecdsa.sign(&input, "Sig1", &["--use-pades"]));
    assert_passed(&pades, "Sig1");
    let signed = signature(&pades, "Sig1");
    assert_eq!(signed.pades_level, PadesLevel::BB);
    assert_eq!(signed.sub_filter.as_deref(), Some("ETSI.CAdES.detached"));
    assert!(!codes(signed).contains(&"SIGNING_CERTIFICATE_ATTRIBUTE_MISSING".to_owned()));

    let certified = ecdsa.verify(
        "certified",
        ecdsa.sign(
            &simple_pdf(2, Layout::Streams),
            "Author",
            &["--certify", "--use-pades"],
        ),
    );
    assert_passed(&certified, "Author");
    assert_eq!(
        signature(&certified, "Author").kind,
        SignatureKind::Certification
    );

    let Some(rsa) = PyhankoSigner::new(KeyAlgorithm::Rsa2048) else {
        return;
    };
    let pss = rsa.verify(
        "pss",
        rsa.sign(&input, "Sig1", &["--use-pades", "--prefer-pss"]),
    );
    assert_passed(&pss, "Sig1");
    let pkcs1 = rsa.verify("pkcs1", rsa.sign(&input, "Sig1", &[]));
    assert_passed(&pkcs1, "Sig1");
}

#[test]
fn tampered_pyhanko_signatures_fail() {
    let Some(signer) = PyhankoSigner::new(KeyAlgorithm::P256) else {
        return;
    };
    let signed = signer.sign(&simple_pdf(1, Layout::Table), "Sig1", &["--use-pades"]);
    assert_passed(&signer.verify("signed", signed.clone()), "Sig1");

    // A byte of the page content changed.
    let mut flipped = signed.clone();
    let at = find(&flipped, b"(Page 1)").unwrap() + 6;
    flipped[at] = b'7';
    let report = signer.verify("flipped", flipped);
    let broken = signature(&report, "Sig1");
    assert_eq!(report.indication, FileIndication::TotalFailed);
    assert_eq!(
        (broken.indication, broken.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::HashFailure))
    );
    assert!(!broken.intact);
    assert!(codes(broken).contains(&"MESSAGE_DIGEST_MISMATCH".to_owned()));

    // An incremental update after signing that replaces what the page shows.
    let replaced = replace_page_content(&signed, b"BT /F1 24 Tf 72 720 Td (Paid in full) Tj ET");
    let report = signer.verify("updated", replaced);
    let updated = signature(&report, "Sig1");
    assert_ne!(report.indication, FileIndication::TotalPassed);
    assert!(updated.intact, "the signed revision itself is unchanged");
    assert_eq!(updated.coverage, Coverage::EntireRevision);
    assert_eq!(updated.modification_level, ModificationLevel::Other);
    assert!(!updated.docmdp_ok);
    assert_eq!(
        (updated.indication, updated.sub_indication),
        (
            Indication::Indeterminate,
            Some(SubIndication::SigConstraintsFailure)
        )
    );

    // The /ByteRange re-pointed so that the gap moves off /Contents (same text width).
    let repointed = repoint_byte_range(&signed);
    let report = signer.verify("repointed", repointed);
    let moved = signature(&report, "Sig1");
    assert_eq!(
        (moved.indication, moved.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::FormatFailure))
    );
    assert!(codes(moved).contains(&"BYTE_RANGE_GAP_NOT_CONTENTS".to_owned()));
    assert_eq!(moved.coverage, Coverage::Unclear);
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Appends an update replacing the first page's content stream.
pub fn replace_page_content(pdf: &[u8], content: &[u8]) -> Vec<u8> {
    let doc = Document::from_bytes(pdf.to_vec()).unwrap();
    let view = doc.latest();
    let page = view.page(0).unwrap();
    let page_dict = view.object(page.id).unwrap().dict().unwrap().clone();
    let Some(Object::Reference(content_id)) = page_dict.get(b"Contents").cloned() else {
        panic!("page content is not a single reference");
    };
    let mut update = IncrementalUpdate::new(&doc).unwrap();
    update
        .set(
            content_id,
            Object::Stream(Stream::new(Default::default(), content.to_vec())),
        )
        .unwrap();
    update.write().unwrap().bytes
}

/// Rewrites `/ByteRange [0 a b c]` as `[0 a-1 b-1 c+1]` in the same number of bytes.
fn repoint_byte_range(pdf: &[u8]) -> Vec<u8> {
    let start = find(pdf, b"/ByteRange").unwrap();
    let open = start + pdf[start..].iter().position(|b| *b == b'[').unwrap();
    let close = open + pdf[open..].iter().position(|b| *b == b']').unwrap();
    let text = std::str::from_utf8(&pdf[open + 1..close]).unwrap();
    let values: Vec<i64> = text
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    let moved = format!(
        "{} {} {} {}",
        values[0],
        values[1] - 1,
        values[2] - 1,
        values[3] + 1
    );
    let width = close - open - 1;
    assert!(moved.len() <= width);
    let mut out = pdf.to_vec();
    out[open + 1..close].copy_from_slice(format!("{moved:<width$}").as_bytes());
    out
}
