//! Shared fixtures: one small development PKI per key algorithm for the whole test binary,
//! OpenSSL invocations, and a few DER helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use vanthu::cms::{self, LocalKey, SignedData};
use vanthu::crypto::DigestAlgorithm;
use vanthu::pki::devpki::{self, DevPki, DevPkiSpec, KeyAlgorithm, PersonSpec, UnitSpec};

use crate::common;

/// A PKI with two units and two people: enough for every CMS test, quick to generate.
fn small_spec() -> DevPkiSpec {
    DevPkiSpec {
        units: vec![
            UnitSpec {
                code: "vks-a".into(),
                name: "Viện kiểm sát nhân dân huyện A".into(),
            },
            UnitSpec {
                code: "vks-b".into(),
                name: "Viện kiểm sát nhân dân huyện B".into(),
            },
        ],
        people: vec![
            PersonSpec {
                username: "lanhdao.a".into(),
                full_name: "Nguyễn Văn A".into(),
                position: "Viện trưởng".into(),
                unit_name: "Viện kiểm sát nhân dân huyện A".into(),
            },
            PersonSpec {
                username: "lanhdao.b".into(),
                full_name: "Trần Thị B".into(),
                position: "Phó Viện trưởng".into(),
                unit_name: "Viện kiểm sát nhân dân huyện B".into(),
            },
        ],
    }
}

/// The RSA-2048 test PKI, generated once per test binary.
pub fn rsa_pki() -> &'static DevPki {
    static PKI: OnceLock<DevPki> = OnceLock::new();
    PKI.get_or_init(|| devpki::generate(&small_spec(), KeyAlgorithm::Rsa2048).expect("RSA PKI"))
}

/// The P-256 test PKI.
pub fn p256_pki() -> &'static DevPki {
    static PKI: OnceLock<DevPki> = OnceLock::new();
    PKI.get_or_init(|| devpki::generate(&small_spec(), KeyAlgorithm::P256).expect("P-256 PKI"))
}

/// The signer of person `lanhdao.a` in a PKI.
pub fn person(pki: &DevPki) -> LocalKey {
    pki.person_signer("lanhdao.a").expect("person signer")
}

/// `openssl`, or a printed skip (a failure under CI).
pub fn openssl() -> Option<PathBuf> {
    common::require("openssl on PATH", common::tool("openssl"))
}

/// Runs openssl in `dir`; panics with its stderr when it fails.
pub fn run_openssl(openssl: &Path, dir: &Path, args: &[&str]) -> Vec<u8> {
    let output = Command::new(openssl)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// Runs openssl in `dir` and says whether it succeeded.
pub fn openssl_succeeds(openssl: &Path, dir: &Path, args: &[&str]) -> bool {
    Command::new(openssl)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl")
        .status
        .success()
}

pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write fixture");
    path
}

pub fn pem_certificates(certificates: &[Vec<u8>]) -> String {
    certificates
        .iter()
        .map(|der| devpki::certificate_pem(der))
        .collect()
}

/// Some document bytes standing in for the signed byte ranges of a PDF.
pub fn document() -> Vec<u8> {
    (0..10_000u32).flat_map(|i| i.to_le_bytes()).collect()
}

/// Asserts that OpenSSL accepts a detached CMS over `content`, trusting `root`.
pub fn assert_openssl_verifies(cms_der: &[u8], content: &[u8], root: &[u8]) {
    let Some(openssl) = openssl() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "sig.der", cms_der);
    write(dir.path(), "content.bin", content);
    write(dir.path(), "root.pem", devpki::certificate_pem(root));
    let args = [
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        "sig.der",
        "-content",
        "content.bin",
        "-CAfile",
        "root.pem",
        "-purpose",
        "any",
        "-out",
        "/dev/null",
    ];
    let output = Command::new(&openssl)
        .args(args)
        .current_dir(dir.path())
        .output()
        .expect("run openssl");
    assert!(
        output.status.success(),
        "openssl cms -verify rejected our CMS: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Parses, finds the signer certificate and verifies signer 0 against `content`.
pub fn verify_detached(
    cms_der: &[u8],
    content: &[u8],
) -> Result<cms::SignerVerification, cms::VerifyError> {
    let signed_data: SignedData = cms::parse_signed_data(cms_der).expect("parse");
    let signer = signed_data.signer_infos.first().expect("one signer");
    let certificate = cms::find_signer_certificate(
        &signer.sid,
        signed_data.certificates.iter().map(Vec::as_slice),
    )?;
    let digest = signer.digest()?;
    cms::verify_signer_info(&signed_data, signer, certificate, &digest.digest(content))
}

/// Digest of the test document.
pub fn document_digest(algorithm: DigestAlgorithm) -> Vec<u8> {
    algorithm.digest(&document())
}

/// The position of `needle` in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
        .expect("bytes present")
}

/// A key made by `openssl genpkey` with `genpkey_args` and a self-signed certificate for it:
/// (PKCS#8 DER, certificate DER).
pub fn openssl_key_and_certificate(
    openssl: &Path,
    dir: &Path,
    name: &str,
    genpkey_args: &[&str],
) -> (Vec<u8>, Vec<u8>) {
    let key_pem = format!("{name}.key.pem");
    let cert_pem = format!("{name}.cert.pem");
    let mut args = vec!["genpkey"];
    args.extend_from_slice(genpkey_args);
    args.extend_from_slice(&["-out", &key_pem]);
    run_openssl(openssl, dir, &args);
    let subject = format!("/C=VN/O=Thử nghiệm/CN={name}");
    run_openssl(
        openssl,
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            &key_pem,
            "-subj",
            &subject,
            "-utf8",
            "-days",
            "30",
            "-addext",
            "keyUsage=critical,digitalSignature,nonRepudiation",
            "-out",
            &cert_pem,
        ],
    );
    let key = vanthu::pki::keys::load_private_key(
        &std::fs::read(dir.join(&key_pem)).expect("read key"),
        None,
    )
    .expect("load openssl key");
    let certificate = vanthu::pki::trust::certificates_from_bytes(
        &dir.join(&cert_pem),
        &std::fs::read(dir.join(&cert_pem)).expect("read certificate"),
    )
    .expect("load certificate")
    .remove(0)
    .der()
    .to_vec();
    (key.pkcs8_der().to_vec(), certificate)
}
