//! Signing with every algorithm we sign with, verifying with our verifier and with OpenSSL, and
//! the two-step (deferred) path.

use vanthu::cms::{self, CmsError, EssBinding, LocalKey, SignedAttributes, Signer, SignerError};
use vanthu::crypto::{DigestAlgorithm, KeyKind, SignatureAlgorithm};

use crate::support::{self, document, document_digest};

fn sign_and_check(signer: &LocalKey, trust_root: &[u8]) {
    sign_and_verify(signer);
    let algorithm = signer.signature_algorithm();
    let cms_der = cms::sign_detached(signer, &document_digest(algorithm.digest())).expect("sign");
    support::assert_openssl_verifies(&cms_der, &document(), trust_root);
}

/// Signs and verifies with our own verifier, and checks that other content fails.
fn sign_and_verify(signer: &LocalKey) {
    let algorithm = signer.signature_algorithm();
    let digest = document_digest(algorithm.digest());
    let cms_der = cms::sign_detached(signer, &digest).expect("sign");
    let verification = support::verify_detached(&cms_der, &document()).expect("verifies");
    assert_eq!(verification.signature_algorithm, algorithm);
    assert_eq!(verification.digest_algorithm, algorithm.digest());
    assert!(verification.signed_attributes_present);
    assert_eq!(
        verification.ess,
        EssBinding::V2 {
            hash: algorithm.digest()
        }
    );
    let mut other = document();
    other[3] ^= 4;
    assert!(support::verify_detached(&cms_der, &other).is_err());
}

#[test]
fn rsa_pkcs1_and_pss_with_every_digest() {
    let pki = support::rsa_pki();
    let credential = &pki.people["lanhdao.a"];
    for digest in [
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
    ] {
        for algorithm in [
            SignatureAlgorithm::RsaPkcs1v15(digest),
            SignatureAlgorithm::rsa_pss(digest),
        ] {
            let signer = LocalKey::with_algorithm(
                credential.key.pkcs8_der(),
                credential.certificate.clone(),
                pki.chain(),
                algorithm,
            )
            .expect("signer");
            assert_eq!(signer.key_kind(), KeyKind::Rsa { modulus_bits: 2048 });
            sign_and_check(&signer, &pki.root.certificate);
        }
    }
}

#[test]
fn ecdsa_p256_from_the_development_pki() {
    let pki = support::p256_pki();
    let signer = support::person(pki);
    assert_eq!(
        signer.signature_algorithm(),
        SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256)
    );
    sign_and_check(&signer, &pki.root.certificate);
}

#[test]
fn ecdsa_p384_rsa_4096_and_ed25519_keys_made_by_openssl() {
    // OpenSSL 3.0 cannot verify Ed25519 in CMS ("eddsa_digest_signverify_init: invalid
    // digest", fixed in 3.2): Ed25519 is checked by our verifier (ring) only.
    let Some(openssl) = support::openssl() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: [(&str, &[&str], SignatureAlgorithm); 3] = [
        (
            "p384",
            &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
            SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha384),
        ),
        (
            "rsa4096",
            &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"],
            SignatureAlgorithm::rsa_pss(DigestAlgorithm::Sha512),
        ),
        (
            "ed25519",
            &["-algorithm", "ED25519"],
            SignatureAlgorithm::Ed25519,
        ),
    ];
    for (name, args, algorithm) in cases {
        let (key, certificate) =
            support::openssl_key_and_certificate(&openssl, dir.path(), name, args);
        let signer = LocalKey::with_algorithm(&key, certificate.clone(), Vec::new(), algorithm)
            .expect("signer");
        if algorithm == SignatureAlgorithm::Ed25519 {
            sign_and_verify(&signer);
        } else {
            sign_and_check(&signer, &certificate);
        }
    }
}

#[test]
fn sha1_and_curve_digest_mismatches_are_refused_for_signing() {
    let pki = support::rsa_pki();
    let credential = &pki.people["lanhdao.a"];
    let sha1 = LocalKey::with_algorithm(
        credential.key.pkcs8_der(),
        credential.certificate.clone(),
        Vec::new(),
        SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha1),
    );
    assert!(matches!(
        sha1,
        Err(SignerError::UnsupportedForSigning { .. })
    ));
    let ecdsa_with_rsa_key = LocalKey::with_algorithm(
        credential.key.pkcs8_der(),
        credential.certificate.clone(),
        Vec::new(),
        SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256),
    );
    assert!(matches!(
        ecdsa_with_rsa_key,
        Err(SignerError::AlgorithmNotForKey { .. })
    ));
    let ec = support::p256_pki();
    let p256_with_sha512 = LocalKey::with_algorithm(
        ec.people["lanhdao.a"].key.pkcs8_der(),
        ec.people["lanhdao.a"].certificate.clone(),
        Vec::new(),
        SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha512),
    );
    assert!(matches!(
        p256_with_sha512,
        Err(SignerError::UnsupportedForSigning { .. })
    ));
}

#[test]
fn a_key_that_does_not_match_the_certificate_is_refused() {
    let pki = support::rsa_pki();
    let result = LocalKey::new(
        pki.people["lanhdao.a"].key.pkcs8_der(),
        pki.people["lanhdao.b"].certificate.clone(),
        Vec::new(),
    );
    assert!(
        matches!(result, Err(SignerError::KeyMismatch)),
        "{result:?}"
    );
    let ec = support::p256_pki();
    let result = LocalKey::new(
        ec.units["vks-a"].key.pkcs8_der(),
        ec.units["vks-b"].certificate.clone(),
        Vec::new(),
    );
    assert!(
        matches!(result, Err(SignerError::KeyMismatch)),
        "{result:?}"
    );
}

#[test]
fn parsed_fields_of_our_own_signature() {
    let pki = support::rsa_pki();
    let signer = pki.unit_signer("vks-b").expect("unit signer");
    let cms_der =
        cms::sign_detached(&signer, &document_digest(DigestAlgorithm::Sha256)).expect("sign");
    let signed_data = cms::parse_signed_data(&cms_der).expect("parse");
    assert_eq!(signed_data.content_type, cms::oid::ID_DATA);
    assert_eq!(signed_data.content, None, "detached: no eContent");
    assert_eq!(
        signed_data.certificates.len(),
        3,
        "signer, intermediate, root"
    );
    for certificate in [
        &pki.units["vks-b"].certificate,
        &pki.intermediate.certificate,
        &pki.root.certificate,
    ] {
        assert!(signed_data.certificates.contains(certificate));
    }
    assert_eq!(signed_data.signer_infos.len(), 1);
    let signer_info = &signed_data.signer_infos[0];
    let attributes = signer_info
        .signed_attributes
        .as_ref()
        .expect("signed attributes");
    assert_eq!(attributes.der[0], 0x31, "hashed as a SET");
    assert_eq!(attributes.attributes.len(), 3);
    assert_eq!(attributes.signing_time, None, "PAdES forbids signing-time");
    assert_eq!(
        attributes.message_digest.as_deref(),
        Some(document_digest(DigestAlgorithm::Sha256).as_slice())
    );
    let ess = attributes.signing_certificate_v2.as_ref().expect("ESS v2");
    assert!(
        ess.certs[0].hash_algorithm.is_none(),
        "SHA-256 is the DEFAULT, omitted"
    );
    assert!(ess.certs[0].issuer_serial.is_some());
    assert!(signer_info.unsigned_attributes.is_empty());
    assert_eq!(signed_data.encoded_len, cms_der.len());
}

#[test]
fn deferred_signing_in_two_steps() {
    let pki = support::rsa_pki();
    let token = support::person(pki);
    let digest = document_digest(DigestAlgorithm::Sha256);
    // Step 1 (server): the bytes to sign, stored until the token answers.
    let prepared = cms::signed_attributes(DigestAlgorithm::Sha256, &digest, token.certificate())
        .expect("signed attributes");
    assert_eq!(
        prepared.digest(),
        DigestAlgorithm::Sha256.digest(prepared.der()),
        "the prehash a token signs"
    );
    let stored = prepared.der().to_vec();
    // The token signs; the server never sees its key.
    let signature = token.sign(&stored).expect("token signs");
    // Step 2 (server): rebuild from storage and assemble.
    let restored = SignedAttributes::from_der(&stored, DigestAlgorithm::Sha256).expect("restore");
    assert_eq!(restored, prepared);
    let mut certificates = vec![token.certificate().to_vec()];
    certificates.extend(pki.chain());
    let cms_der = cms::assemble(
        &restored,
        token.signature_algorithm(),
        &signature,
        &certificates,
    )
    .expect("assemble");
    support::verify_detached(&cms_der, &document()).expect("verifies");
    support::assert_openssl_verifies(&cms_der, &document(), &pki.root.certificate);

    // A signature over other bytes, or from another key, is refused at assembly.
    let mut wrong = signature.clone();
    wrong[10] ^= 1;
    let refused = cms::assemble(
        &restored,
        token.signature_algorithm(),
        &wrong,
        &certificates,
    );
    assert!(
        matches!(refused, Err(CmsError::SignatureRejected(_))),
        "{refused:?}"
    );
    let other = pki.person_signer("lanhdao.b").expect("other signer");
    let foreign = other.sign(&stored).expect("sign");
    let refused = cms::assemble(
        &restored,
        token.signature_algorithm(),
        &foreign,
        &certificates,
    );
    assert!(
        matches!(refused, Err(CmsError::SignatureRejected(_))),
        "{refused:?}"
    );
    // A message digest of the wrong length is refused when preparing.
    assert!(matches!(
        cms::signed_attributes(DigestAlgorithm::Sha384, &digest, token.certificate()),
        Err(CmsError::DigestLength { .. })
    ));
}
