//! What the signing tests share: one development PKI per test run (RSA root and issuing CA; a
//! person and a unit with RSA keys, a person with a P-256 key), its files for the peers and
//! openssl, the peers' verdict, pyHanko as a signer of inputs, and assertions on signed PDFs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use time::Duration;
use vanthu::cms::LocalKey;
use vanthu::crypto::{DigestAlgorithm, SignatureAlgorithm};
use vanthu::pades::SignOptions;
use vanthu::pdf::Document;
use vanthu::pdf::appearance::FontFamily;
use vanthu::pki::devpki::{
    self, CertificateAuthority, CertificateRequest, Credential, DevPki, DevPkiSpec, KeyAlgorithm,
    KeyUsage, PersonSpec, UnitSpec, certificate_pem,
};

use crate::common;

pub const PERSON: &str = "nguyenvana";
pub const PERSON_NAME: &str = "Nguyễn Văn A";
pub const PERSON_POSITION: &str = "PHÓ VIỆN TRƯỞNG";
pub const UNIT: &str = "vks-tn";
pub const UNIT_NAME: &str = "VIỆN KIỂM SÁT NHÂN DÂN TỈNH THÁI NGUYÊN";

/// The test PKI and where its files are.
pub struct TestPki {
    pub dev: DevPki,
    /// A person with a P-256 key, issued by the same intermediate.
    pub person_p256: Credential,
    pub dir: PathBuf,
}

/// Which key signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    PersonRsa,
    PersonPss,
    PersonP256,
    UnitRsa,
}

static PKI: OnceLock<TestPki> = OnceLock::new();

/// The PKI of this test run (made once: RSA key generation is the slow part).
pub fn pki() -> &'static TestPki {
    PKI.get_or_init(|| {
        let spec = DevPkiSpec {
            units: vec![UnitSpec {
                code: UNIT.into(),
                name: UNIT_NAME.into(),
            }],
            people: vec![PersonSpec {
                username: PERSON.into(),
                full_name: PERSON_NAME.into(),
                position: PERSON_POSITION.into(),
                unit_name: UNIT_NAME.into(),
            }],
        };
        let dev = devpki::generate(&spec, KeyAlgorithm::Rsa2048).expect("test PKI");
        let intermediate = dev.intermediate_authority().expect("intermediate CA");
        let request = CertificateRequest::new("Trần Thị B")
            .organization(UNIT_NAME)
            .title("KIỂM SÁT VIÊN")
            .key_usage(&[KeyUsage::DigitalSignature, KeyUsage::NonRepudiation]);
        let person_p256 = intermediate
            .issue_with_key(
                &request,
                devpki::generate_key(KeyAlgorithm::P256).expect("P-256 key"),
            )
            .expect("P-256 certificate");
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("signing-pki");
        std::fs::create_dir_all(&dir).expect("PKI dir");
        let pki = TestPki {
            dev,
            person_p256,
            dir,
        };
        pki.write_files();
        pki
    })
}

impl TestPki {
    fn write_files(&self) {
        let write = |name: &str, text: &str| std::fs::write(self.dir.join(name), text).unwrap();
        write("root.pem", &self.dev.root.certificate_pem());
        write(
            "chain.pem",
            &format!(
                "{}{}",
                self.dev.intermediate.certificate_pem(),
                self.dev.root.certificate_pem()
            ),
        );
        write("intermediate.pem", &self.dev.intermediate.certificate_pem());
        write(
            "intermediate.key.pem",
            &self.dev.intermediate.key.to_pem().unwrap(),
        );
        for (name, credential) in [
            ("person", self.credential(Key::PersonRsa)),
            ("unit", self.credential(Key::UnitRsa)),
            ("person-p256", self.credential(Key::PersonP256)),
        ] {
            write(&format!("{name}.pem"), &credential.certificate_pem());
            write(
                &format!("{name}.key.pem"),
                &credential.key.to_pem().unwrap(),
            );
        }
    }

    /// The trust anchor for the peers.
    pub fn root_pem(&self) -> PathBuf {
        self.dir.join("root.pem")
    }

    /// A file of the PKI folder (`person.pem`, `person.key.pem`, `chain.pem`, …).
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn credential(&self, key: Key) -> &Credential {
        match key {
            Key::PersonRsa | Key::PersonPss => &self.dev.people[PERSON],
            Key::PersonP256 => &self.person_p256,
            Key::UnitRsa => &self.dev.units[UNIT],
        }
    }

    /// The signer for `key` with SHA-256 and the chain embedded.
    pub fn signer(&self, key: Key) -> LocalKey {
        self.signer_with(key, DigestAlgorithm::Sha256)
    }

    /// The signer for `key` with `digest`.
    pub fn signer_with(&self, key: Key, digest: DigestAlgorithm) -> LocalKey {
        let credential = self.credential(key);
        let algorithm = match key {
            Key::PersonRsa | Key::UnitRsa => SignatureAlgorithm::RsaPkcs1v15(digest),
            Key::PersonPss => SignatureAlgorithm::rsa_pss(digest),
            Key::PersonP256 => SignatureAlgorithm::Ecdsa(digest),
        };
        LocalKey::with_algorithm(
            credential.key.pkcs8_der(),
            credential.certificate.clone(),
            self.dev.chain(),
            algorithm,
        )
        .expect("test signer")
    }

    pub fn intermediate(&self) -> CertificateAuthority {
        self.dev.intermediate_authority().unwrap()
    }

    /// A certificate from the intermediate for odd cases (expired, wrong key usage…).
    pub fn issue(&self, request: &CertificateRequest) -> Credential {
        self.intermediate().issue(request).unwrap()
    }

    /// A signer for an odd certificate.
    pub fn signer_for(&self, credential: &Credential) -> LocalKey {
        LocalKey::new(
            credential.key.pkcs8_der(),
            credential.certificate.clone(),
            self.dev.chain(),
        )
        .unwrap()
    }
}

/// A request valid from `from_days` to `to_days` around now, for signing.
pub fn signing_request(name: &str, from_days: i64, to_days: i64) -> CertificateRequest {
    let now = time::OffsetDateTime::now_utc();
    CertificateRequest::new(name)
        .organization(UNIT_NAME)
        .validity(
            now + Duration::days(from_days),
            now + Duration::days(to_days),
        )
        .key_usage(&[KeyUsage::DigitalSignature, KeyUsage::NonRepudiation])
}

/// PEM of a DER certificate.
pub fn pem(der: &[u8]) -> String {
    certificate_pem(der)
}

/// The font family for visible appearances, or `None` (skipped; a failure under CI).
pub fn fonts() -> Option<FontFamily> {
    crate::fixtures::fonts()
}

/// Options with the test fonts (visible appearances need them).
pub fn options_with(fonts: &FontFamily) -> SignOptions {
    SignOptions {
        fonts: Some(fonts.clone()),
        ..SignOptions::default()
    }
}

/// The signed output begins with the input's exact bytes.
pub fn assert_starts_with_input(input: &[u8], output: &[u8], what: &str) {
    assert!(
        output.len() > input.len() && output.starts_with(input),
        "{what}: the output does not start with the input's bytes"
    );
}

/// The names of the signed fields, in document order.
pub fn signed_field_names(pdf: &[u8]) -> Vec<String> {
    let doc = Document::from_bytes(pdf.to_vec()).unwrap();
    doc.latest()
        .signature_fields()
        .unwrap()
        .into_iter()
        .filter(|field| field.signature.is_some())
        .map(|field| field.field.full_name)
        .collect()
}

/// `peer-verify`, or `None` (skipped with the reason; a failure under CI).
pub fn peers() -> Option<PathBuf> {
    common::require(
        "peer-verify (../shared/tools/setup-peers)",
        common::peer_verify(),
    )
}

/// Runs `peer-verify --trust <test root> --json` on every file at once and fails unless all pass;
/// returns the peers' JSON report (one entry per file, in order).
pub fn peer_verify(script: &Path, files: &[(String, Vec<u8>)]) -> serde_json::Value {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("signing-peers");
    std::fs::create_dir_all(&dir).unwrap();
    let mut paths = Vec::new();
    for (name, bytes) in files {
        let file_name: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let path = dir.join(format!("{file_name}.pdf"));
        std::fs::write(&path, bytes).unwrap();
        paths.push(path);
    }
    let output = Command::new(script)
        .arg("--trust")
        .arg(pki().root_pem())
        .arg("--json")
        .args(&paths)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|_| {
        panic!(
            "peer-verify printed no JSON:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let failed: Vec<String> = report
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| entry["ok"] != serde_json::Value::Bool(true))
        .map(|entry| serde_json::to_string_pretty(entry).unwrap_or_default())
        .collect();
    assert!(
        output.status.success() && failed.is_empty(),
        "peer-verify rejected {} file(s):\n{}",
        failed.len(),
        failed.join("\n")
    );
    report
}

/// pyHanko's verdict rows for the file at `index` of a report.
pub fn pyhanko_rows(report: &serde_json::Value, index: usize) -> Vec<serde_json::Value> {
    report[index]["pyhanko"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The virtualenv's Python with pyHanko, or `None` (skipped; a failure under CI).
pub fn pyhanko_python() -> Option<PathBuf> {
    common::require(
        "pyHanko (../shared/tools/setup-peers)",
        common::peers_bin().map(|bin| bin.join("python")),
    )
}

/// Signs `input` with pyHanko's own signer (the unit's RSA key, in field `field`).
pub fn pyhanko_sign(python: &Path, input: &[u8], field: &str) -> Vec<u8> {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("in.pdf");
    let target = dir.path().join("out.pdf");
    std::fs::write(&source, input).unwrap();
    let script = r#"
import sys
from pyhanko.sign import signers
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
key, cert, chain, source, target, field = sys.argv[1:]
signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(chain,))
with open(source, 'rb') as f:
    writer = IncrementalPdfFileWriter(f)
    out = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name=field), signer=signer)
    with open(target, 'wb') as g:
        g.write(out.getbuffer())
"#;
    let output = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(pki.file("unit.key.pem"))
        .arg(pki.file("unit.pem"))
        .arg(pki.file("chain.pem"))
        .arg(&source)
        .arg(&target)
        .arg(field)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "pyHanko could not sign: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(target).unwrap()
}

/// `openssl`, or `None` (skipped; a failure under CI).
pub fn openssl() -> Option<PathBuf> {
    common::require("openssl", common::tool("openssl"))
}

/// Runs openssl with `args` in `dir` and returns its stdout; fails the test on an error.
pub fn run_openssl(openssl: &Path, dir: &Path, args: &[&str]) -> Vec<u8> {
    let output = Command::new(openssl)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}
