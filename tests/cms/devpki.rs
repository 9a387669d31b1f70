//! `vanthu pki dev-init`: the layout of issue 3, key usages (read with x509-parser), permissions,
//! refusal to overwrite; and the builder of odd test certificates.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use ::time::{Duration, OffsetDateTime};
use vanthu::domain::demo;
use vanthu::pki::devpki::{
    self, CertificateRequest, ExtendedKeyUsage, KeyAlgorithm, KeyUsage, Revocation,
};
use x509_parser::prelude::*;

use crate::support;

/// A private copy of the `vanthu` binary: the target folder may be shared with other checkouts
/// that rebuild `target/debug/vanthu` while the tests run.
fn vanthu_binary() -> &'static Path {
    static COPY: std::sync::OnceLock<(tempfile::TempDir, std::path::PathBuf)> =
        std::sync::OnceLock::new();
    let (_, path) = COPY.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vanthu");
        std::fs::copy(env!("CARGO_BIN_EXE_vanthu"), &path).unwrap();
        (dir, path)
    });
    path
}

fn dev_init(out: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(vanthu_binary())
        .args(["pki", "dev-init", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("run vanthu")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn subject_value(
    certificate: &X509Certificate<'_>,
    oid: &x509_parser::oid_registry::Oid<'_>,
) -> String {
    certificate
        .subject()
        .iter_attributes()
        .find(|attribute| attribute.attr_type() == oid)
        .and_then(|attribute| attribute.as_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn key_usage(certificate: &X509Certificate<'_>) -> (bool, bool, bool) {
    let usage = certificate.key_usage().unwrap().expect("keyUsage").value;
    (
        usage.digital_signature(),
        usage.non_repudiation(),
        usage.key_cert_sign(),
    )
}

fn check_layout(dir: &Path, algorithm: KeyAlgorithm) {
    use x509_parser::oid_registry::{
        OID_X509_COMMON_NAME, OID_X509_ORGANIZATION_NAME, OID_X509_TITLE,
    };
    assert_eq!(mode(dir), 0o700);
    let pki = devpki::load(dir).expect("load what dev-init wrote");
    assert_eq!(pki.algorithm, algorithm);
    for base in ["root", "intermediate", "tsa"] {
        assert!(dir.join(format!("{base}.cert.pem")).is_file(), "{base}");
        assert_eq!(mode(&dir.join(format!("{base}.key.pem"))), 0o600, "{base}");
    }
    for folder in ["units", "people", "crl"] {
        assert_eq!(mode(&dir.join(folder)), 0o700, "{folder}");
    }

    let (_, root) = parse_x509_certificate(&pki.root.certificate).unwrap();
    let (_, intermediate) = parse_x509_certificate(&pki.intermediate.certificate).unwrap();
    assert!(root.is_ca() && intermediate.is_ca());
    assert_eq!(root.subject(), root.issuer());
    assert_eq!(intermediate.issuer(), root.subject());
    let expected_key = match algorithm {
        KeyAlgorithm::Rsa2048 => x509_parser::oid_registry::OID_PKCS1_RSAENCRYPTION,
        KeyAlgorithm::P256 => x509_parser::oid_registry::OID_KEY_TYPE_EC_PUBLIC_KEY,
    };
    assert_eq!(root.public_key().algorithm.algorithm, expected_key);

    let (_, tsa) = parse_x509_certificate(&pki.tsa.certificate).unwrap();
    assert_eq!(tsa.issuer(), intermediate.subject());
    let eku = tsa.extended_key_usage().unwrap().expect("EKU");
    assert!(eku.critical, "RFC 3161 wants the EKU critical");
    assert!(eku.value.time_stamping && !eku.value.any);
    assert!(!tsa.is_ca());

    let units = demo::units();
    assert_eq!(pki.units.len(), units.len());
    for unit in &units {
        assert!(dir.join(format!("units/{}.cert.pem", unit.code)).is_file());
        assert_eq!(
            mode(&dir.join(format!("units/{}.key.pem", unit.code))),
            0o600
        );
        let (_, certificate) = parse_x509_certificate(&pki.units[unit.code].certificate).unwrap();
        assert_eq!(certificate.issuer(), intermediate.subject());
        assert_eq!(
            subject_value(&certificate, &OID_X509_COMMON_NAME),
            unit.name
        );
        assert_eq!(
            subject_value(&certificate, &OID_X509_ORGANIZATION_NAME),
            unit.name
        );
        assert_eq!(
            key_usage(&certificate),
            (true, true, false),
            "{}",
            unit.code
        );
        assert!(!certificate.is_ca());
    }
    let signers: Vec<_> = demo::users()
        .into_iter()
        .filter(|user| user.roles.contains(&demo::DemoRole::Signer))
        .collect();
    assert_eq!(pki.people.len(), signers.len());
    for user in &signers {
        assert!(
            dir.join(format!("people/{}.cert.pem", user.username))
                .is_file()
        );
        let (_, certificate) =
            parse_x509_certificate(&pki.people[&user.username].certificate).unwrap();
        let unit = units
            .iter()
            .find(|unit| unit.code == user.unit_code)
            .unwrap();
        assert_eq!(
            subject_value(&certificate, &OID_X509_COMMON_NAME),
            user.full_name
        );
        assert_eq!(subject_value(&certificate, &OID_X509_TITLE), user.position);
        assert_eq!(
            subject_value(&certificate, &OID_X509_ORGANIZATION_NAME),
            unit.name
        );
        assert_eq!(
            key_usage(&certificate),
            (true, true, false),
            "{}",
            user.username
        );
    }
    assert!(
        !pki.people.contains_key("vanthu.tn"),
        "clerks get no personal certificate"
    );

    for (name, issuer) in [("root", &root), ("intermediate", &intermediate)] {
        let der = std::fs::read(dir.join(format!("crl/{name}.crl"))).unwrap();
        let (_, crl) = parse_x509_crl(&der).expect("DER CRL");
        assert_eq!(crl.issuer(), issuer.subject());
        assert!(crl.verify_signature(issuer.public_key()).is_ok());
        assert_eq!(crl.iter_revoked_certificates().count(), 0);
    }

    // A person's key signs, and OpenSSL follows the chain to the root.
    let signer = pki.person_signer(&signers[0].username).unwrap();
    let cms_der = vanthu::cms::sign_detached(
        &signer,
        &support::document_digest(vanthu::crypto::DigestAlgorithm::Sha256),
    )
    .unwrap();
    support::assert_openssl_verifies(&cms_der, &support::document(), &pki.root.certificate);
}

#[test]
fn dev_init_rsa_layout_and_overwrite_protection() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pki");
    let output = dev_init(&out, &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    check_layout(&out, KeyAlgorithm::Rsa2048);

    let root_before = std::fs::read(out.join("root.cert.pem")).unwrap();
    let again = dev_init(&out, &["--algorithm", "p256"]);
    assert_eq!(again.status.code(), Some(2), "refuses to overwrite");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read(out.join("root.cert.pem")).unwrap(),
        root_before
    );

    let forced = dev_init(&out, &["--algorithm", "p256", "--force"]);
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    assert_ne!(
        std::fs::read(out.join("root.cert.pem")).unwrap(),
        root_before
    );
    check_layout(&out, KeyAlgorithm::P256);

    let bad = dev_init(&dir.path().join("other"), &["--algorithm", "dsa"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_library_entry_refuses_an_existing_pki() {
    let dir = tempfile::tempdir().unwrap();
    let spec = devpki::DevPkiSpec {
        units: vec![],
        people: vec![],
    };
    devpki::init(dir.path(), &spec, KeyAlgorithm::P256).expect("first init");
    assert!(matches!(
        devpki::init(dir.path(), &spec, KeyAlgorithm::P256),
        Err(devpki::DevPkiError::AlreadyExists(_))
    ));
    let bad_name = devpki::DevPkiSpec {
        units: vec![devpki::UnitSpec {
            code: "../escape".into(),
            name: "x".into(),
        }],
        people: vec![],
    };
    assert!(matches!(
        devpki::init(&dir.path().join("new"), &bad_name, KeyAlgorithm::P256),
        Err(devpki::DevPkiError::InvalidName(_))
    ));
}

#[test]
fn odd_test_certificates_expired_future_revoked_and_wrong_usage() {
    let pki = support::p256_pki();
    let ca = pki.intermediate_authority().unwrap();
    let now = OffsetDateTime::now_utc();
    let expired = ca
        .issue(
            &CertificateRequest::new("Hết hạn")
                .validity(now - Duration::days(400), now - Duration::days(35))
                .key_usage(&[KeyUsage::DigitalSignature, KeyUsage::NonRepudiation]),
        )
        .unwrap();
    let future = ca
        .issue(
            &CertificateRequest::new("Chưa hiệu lực")
                .validity(now + Duration::days(30), now + Duration::days(400))
                .key_usage(&[KeyUsage::DigitalSignature]),
        )
        .unwrap();
    let wrong_usage = ca
        .issue(
            &CertificateRequest::new("Sai mục đích")
                .key_usage(&[KeyUsage::KeyEncipherment])
                .extended_key_usage(&[ExtendedKeyUsage::ServerAuth], false),
        )
        .unwrap();
    let revoked = ca
        .issue(&CertificateRequest::new("Bị thu hồi").key_usage(&[KeyUsage::DigitalSignature]))
        .unwrap();
    let crl = ca
        .crl(
            &[Revocation {
                serial: revoked.serial(),
                revoked_at: now - Duration::days(1),
                reason: Some(devpki::RevocationReason::KeyCompromise),
            }],
            now - Duration::hours(1),
            now + Duration::days(7),
            2,
        )
        .unwrap();

    let (_, certificate) = parse_x509_certificate(&expired.certificate).unwrap();
    assert!(certificate.validity().not_after.timestamp() < now.unix_timestamp());
    let (_, certificate) = parse_x509_certificate(&future.certificate).unwrap();
    assert!(certificate.validity().not_before.timestamp() > now.unix_timestamp());
    let (_, certificate) = parse_x509_certificate(&wrong_usage.certificate).unwrap();
    let usage = certificate.key_usage().unwrap().unwrap().value;
    assert!(usage.key_encipherment() && !usage.digital_signature());
    assert!(
        certificate
            .extended_key_usage()
            .unwrap()
            .unwrap()
            .value
            .server_auth
    );
    let (_, intermediate) = parse_x509_certificate(&pki.intermediate.certificate).unwrap();
    assert_eq!(certificate.issuer(), intermediate.subject());

    let (_, crl) = parse_x509_crl(&crl).unwrap();
    assert!(crl.verify_signature(intermediate.public_key()).is_ok());
    let serials: Vec<_> = crl
        .iter_revoked_certificates()
        .map(|entry| entry.raw_serial().to_vec())
        .collect();
    assert_eq!(serials, vec![revoked.serial()]);
    assert!(
        vanthu::cms::LocalKey::new(
            revoked.key.pkcs8_der(),
            revoked.certificate.clone(),
            pki.chain()
        )
        .is_ok()
    );
}
