//! Loading the trust store from files and folders.

use std::fs;
use std::path::Path;

use time::macros::datetime;

use vanthu::pki::trust::{Role, TrustError, TrustStore, crls_from_bytes};

use super::pki::{Hierarchy, Made, Spec, TestKey};

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|chunk| std::str::from_utf8(chunk).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

fn write(path: &Path, contents: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("folder");
    }
    fs::write(path, contents).expect("file");
}

#[test]
fn folders_load_recursively_with_several_blocks_der_files_and_crls() {
    let pki = Hierarchy::new();
    let other = Made::root(Spec::ca("Another root"), TestKey::ecdsa());
    let crl = pki.intermediate.crl(
        datetime!(2025-05-01 0:00 UTC),
        datetime!(2025-06-01 0:00 UTC),
        &[],
    );
    let dir = tempfile::tempdir().expect("temporary folder");
    let anchors = dir.path().join("anchors");
    write(
        &anchors.join("roots.pem"),
        pem("CERTIFICATE", &pki.root.der) + &pem("CERTIFICATE", &other.der),
    );
    write(&anchors.join("README.md"), "not a certificate");
    let intermediates = dir.path().join("intermediates");
    write(
        &intermediates.join("nested/deeper/ca.cer"),
        &pki.intermediate.der,
    );
    write(
        &intermediates.join("ca-again.crt"),
        pem("CERTIFICATE", &pki.intermediate.der),
    );
    write(&intermediates.join("ca.crl"), &crl);
    write(&intermediates.join("notes.txt"), "ignored");

    let mut store = TrustStore::new();
    let loaded = store.load_anchors(&anchors).expect("anchors load");
    assert_eq!(loaded.files, 1);
    assert_eq!(loaded.certificates_added, 2);
    let loaded = store
        .load_intermediates(&intermediates)
        .expect("intermediates load");
    assert_eq!(loaded.files, 3);
    assert_eq!(loaded.certificates_added, 1);
    assert_eq!(loaded.duplicates, 1);
    assert_eq!(loaded.crls_added, 1);

    assert_eq!(store.anchors().len(), 2);
    assert_eq!(store.intermediates().len(), 1);
    assert_eq!(store.crls().len(), 1);
    let intermediate = pki.intermediate.cert();
    let by_name = store.by_subject(intermediate.subject());
    assert_eq!(by_name.len(), 1);
    assert_eq!(by_name[0].1, Role::Intermediate);
    let key_id = intermediate.subject_key_id().expect("rcgen writes a SKI");
    assert_eq!(store.by_key_id(key_id).len(), 1);
    assert_eq!(store.role_of(&pki.root.cert()), Some(Role::Anchor));
    assert_eq!(store.role_of(&pki.leaf.cert()), None);
}

#[test]
fn an_intermediate_loaded_again_as_anchor_is_promoted_once() {
    let pki = Hierarchy::new();
    let mut store = TrustStore::new();
    assert!(store.add(pki.intermediate.cert(), Role::Intermediate));
    assert!(store.add(pki.root.cert(), Role::Intermediate));
    assert!(store.add(pki.root.cert(), Role::Anchor));
    assert!(!store.add(pki.root.cert(), Role::Anchor));
    assert!(!store.add(pki.root.cert(), Role::Intermediate));
    assert_eq!(store.anchors().len(), 1);
    assert_eq!(store.intermediates().len(), 1);
    assert_eq!(store.role_of(&pki.root.cert()), Some(Role::Anchor));
    assert_eq!(
        store.role_of(&pki.intermediate.cert()),
        Some(Role::Intermediate)
    );
    let by_name = store.by_subject(pki.root.cert().subject());
    assert_eq!(
        by_name.len(),
        1,
        "no stale index entry survives the promotion"
    );
}

#[test]
fn loading_errors_name_the_file() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let garbage = dir.path().join("broken.der");
    write(&garbage, b"\x30\x03\x02\x01\x01");
    let error = TrustStore::new()
        .load_anchors(dir.path())
        .expect_err("garbage must not load");
    assert!(matches!(error, TrustError::Unrecognised { .. }));
    assert!(error.to_string().contains("broken.der"), "{error}");

    let bad_block = dir.path().join("bad.pem");
    fs::remove_file(&garbage).expect("remove");
    write(
        &bad_block,
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    );
    let error = TrustStore::new()
        .load_anchors(&bad_block)
        .expect_err("a truncated certificate must not load");
    assert!(
        error
            .to_string()
            .starts_with(&bad_block.display().to_string()),
        "{error}"
    );

    let key = dir.path().join("key.pem");
    write(
        &key,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    );
    let error = TrustStore::new()
        .load_anchors(&key)
        .expect_err("a key is not a certificate");
    assert!(matches!(error, TrustError::UnexpectedPem { ref label, .. } if label == "PRIVATE KEY"));

    let missing = dir.path().join("missing.pem");
    let error = TrustStore::new()
        .load_anchors(&missing)
        .expect_err("a missing file must not load");
    assert!(error.to_string().contains("missing.pem"), "{error}");
}

#[test]
fn crl_files_are_read_in_pem_and_der() {
    let pki = Hierarchy::new();
    let der = pki.intermediate.crl(
        datetime!(2025-05-01 0:00 UTC),
        datetime!(2025-06-01 0:00 UTC),
        &[(
            pki.leaf.serial(),
            datetime!(2025-04-01 0:00 UTC),
            rcgen::RevocationReason::Superseded,
        )],
    );
    let from_der = crls_from_bytes(Path::new("ca.crl"), &der).expect("DER CRL");
    let from_pem =
        crls_from_bytes(Path::new("ca.pem"), pem("X509 CRL", &der).as_bytes()).expect("PEM CRL");
    assert_eq!(from_der.len(), 1);
    assert_eq!(from_pem.len(), 1);
    let crl = &from_der[0];
    assert_eq!(crl.len(), 1);
    let entry = crl
        .entry(pki.leaf.cert().serial())
        .expect("the leaf is listed");
    assert_eq!(entry.revoked_at, datetime!(2025-04-01 0:00 UTC));
    assert_eq!(entry.reason, vanthu::pki::crl::RevocationReason::Superseded);
    assert!(crl.issuer().matches(pki.leaf.cert().issuer()));
    assert!(crl.verify_signed_by(&pki.intermediate.cert()).is_ok());
    assert!(crl.verify_signed_by(&pki.root.cert()).is_err());
}
