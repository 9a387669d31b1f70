//! CMS made by `openssl cms -sign -binary -outform DER`: with and without signed attributes,
//! with a subject-key-identifier sid, PSS, and the verification-only algorithms (P-521, SHA-1
//! recognised).

use std::path::Path;

use vanthu::cms::{self, EssBinding, SignerId};
use vanthu::crypto::{DigestAlgorithm, EcCurve, KeyKind, SignatureAlgorithm};
use vanthu::pki::devpki::Credential;

use crate::support::{self, document};

fn write_credential(dir: &Path, name: &str, credential: &Credential) -> (String, String) {
    let key = format!("{name}.key.pem");
    let certificate = format!("{name}.cert.pem");
    support::write(dir, &key, credential.key.to_pem().unwrap().as_bytes());
    support::write(dir, &certificate, credential.certificate_pem());
    (key, certificate)
}

fn openssl_sign(
    openssl: &Path,
    dir: &Path,
    key: &str,
    certificate: &str,
    extra: &[&str],
) -> Vec<u8> {
    let mut args = vec![
        "cms",
        "-sign",
        "-binary",
        "-in",
        "content.bin",
        "-signer",
        certificate,
        "-inkey",
        key,
        "-outform",
        "DER",
        "-out",
        "out.p7s",
    ];
    args.extend_from_slice(extra);
    support::run_openssl(openssl, dir, &args);
    std::fs::read(dir.join("out.p7s")).unwrap()
}

#[test]
fn rsa_with_and_without_signed_attributes_and_with_keyid() {
    let Some(openssl) = support::openssl() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pki = support::rsa_pki();
    support::write(dir.path(), "content.bin", document());
    support::write(
        dir.path(),
        "chain.pem",
        support::pem_certificates(&pki.chain()),
    );
    let (key, certificate) = write_credential(dir.path(), "person", &pki.people["lanhdao.a"]);

    // Signed attributes, CAdES (ESS v2), chain included.
    let cms_der = openssl_sign(
        &openssl,
        dir.path(),
        &key,
        &certificate,
        &["-cades", "-certfile", "chain.pem"],
    );
    let signed_data = cms::parse_signed_data(&cms_der).unwrap();
    assert_eq!(signed_data.certificates.len(), 3);
    assert!(signed_data.content.is_none());
    let attributes = signed_data.signer_infos[0]
        .signed_attributes
        .as_ref()
        .unwrap();
    assert!(
        attributes.signing_time.is_some(),
        "OpenSSL adds signingTime"
    );
    let verification = support::verify_detached(&cms_der, &document()).expect("verifies");
    assert_eq!(
        verification.signature_algorithm,
        SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256)
    );
    assert_eq!(
        verification.ess,
        EssBinding::V2 {
            hash: DigestAlgorithm::Sha256
        }
    );

    // No signed attributes: the signature is over the content digest (prehash verification).
    let cms_der = openssl_sign(&openssl, dir.path(), &key, &certificate, &["-noattr"]);
    let signed_data = cms::parse_signed_data(&cms_der).unwrap();
    assert!(signed_data.signer_infos[0].signed_attributes.is_none());
    let verification = support::verify_detached(&cms_der, &document()).expect("verifies");
    assert!(!verification.signed_attributes_present);
    assert_eq!(verification.ess, EssBinding::Absent);
    let mut other = document();
    other[0] ^= 1;
    assert_eq!(
        support::verify_detached(&cms_der, &other),
        Err(cms::VerifyError::SignatureInvalid)
    );

    // Subject key identifier as sid, SHA-512.
    let cms_der = openssl_sign(
        &openssl,
        dir.path(),
        &key,
        &certificate,
        &["-keyid", "-md", "sha512"],
    );
    let signed_data = cms::parse_signed_data(&cms_der).unwrap();
    assert!(matches!(
        signed_data.signer_infos[0].sid,
        SignerId::SubjectKeyIdentifier(_)
    ));
    let verification = support::verify_detached(&cms_der, &document()).expect("verifies");
    assert_eq!(verification.digest_algorithm, DigestAlgorithm::Sha512);

    // RSASSA-PSS as OpenSSL writes it (its own salt-length choice).
    let cms_der = openssl_sign(
        &openssl,
        dir.path(),
        &key,
        &certificate,
        &["-keyopt", "rsa_padding_mode:pss"],
    );
    let verification = support::verify_detached(&cms_der, &document()).expect("PSS verifies");
    assert!(matches!(
        verification.signature_algorithm,
        SignatureAlgorithm::RsaPss {
            digest: DigestAlgorithm::Sha256,
            ..
        }
    ));

    // SHA-1 is recognised (policy rejects it elsewhere), not "unknown".
    let cms_der = openssl_sign(&openssl, dir.path(), &key, &certificate, &["-md", "sha1"]);
    let signed_data = cms::parse_signed_data(&cms_der).unwrap();
    assert_eq!(
        signed_data.signer_infos[0].digest(),
        Ok(DigestAlgorithm::Sha1)
    );
    let verification = support::verify_detached(&cms_der, &document()).expect("verifies");
    assert_eq!(verification.digest_algorithm, DigestAlgorithm::Sha1);
}

#[test]
fn ecdsa_p256_and_p521() {
    let Some(openssl) = support::openssl() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    support::write(dir.path(), "content.bin", document());
    let pki = support::p256_pki();
    let (key, certificate) = write_credential(dir.path(), "p256", &pki.people["lanhdao.a"]);
    for extra in [&[][..], &["-noattr"][..]] {
        let cms_der = openssl_sign(&openssl, dir.path(), &key, &certificate, extra);
        let verification = support::verify_detached(&cms_der, &document()).expect("P-256");
        assert_eq!(verification.key, KeyKind::Ec(EcCurve::P256));
    }

    support::openssl_key_and_certificate(
        &openssl,
        dir.path(),
        "p521",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
    );
    for extra in [&["-md", "sha512"][..], &["-noattr", "-md", "sha512"][..]] {
        let cms_der = openssl_sign(&openssl, dir.path(), "p521.key.pem", "p521.cert.pem", extra);
        let verification = support::verify_detached(&cms_der, &document()).expect("P-521");
        assert_eq!(verification.key, KeyKind::Ec(EcCurve::P521));
        let mut other = document();
        other[1] ^= 1;
        assert!(support::verify_detached(&cms_der, &other).is_err());
    }
    // Ed25519: OpenSSL 3.0 cannot make Ed25519 CMS with signed attributes ("no default
    // digest"); our own Ed25519 signatures are verified in `roundtrip`.
}

#[test]
fn an_unknown_signature_algorithm_is_reported_with_its_oid() {
    let pki = support::rsa_pki();
    let signer = support::person(pki);
    let cms_der =
        cms::sign_detached(&signer, &support::document_digest(DigestAlgorithm::Sha256)).unwrap();
    // rsaEncryption (1.2.840.113549.1.1.1) → an unassigned arc 1.2.840.113549.1.1.99.
    let oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
    ];
    let mut altered = cms_der.clone();
    // The last occurrence is the SignerInfo's signatureAlgorithm (the first ones are inside
    // the certificates).
    let at = altered
        .windows(oid.len())
        .rposition(|window| window == oid)
        .unwrap();
    altered[at + oid.len() - 1] = 99;
    let result = support::verify_detached(&altered, &document());
    assert!(
        matches!(
            result,
            Err(cms::VerifyError::UnsupportedAlgorithm { oid, .. })
                if oid.to_string() == "1.2.840.113549.1.1.99"
        ),
        "{result:?}"
    );
}
