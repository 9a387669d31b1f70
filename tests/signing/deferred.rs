//! Deferred signing end to end with a key the library never sees: openssl makes the "token" key
//! and its certificate (issued by the test PKI's intermediate with openssl itself), the library
//! prepares the PDF for that certificate, the pending state goes through JSON, `openssl pkeyutl`
//! signs the digest, and `complete` embeds it. Wrong, foreign and malformed answers are refused.

use std::path::{Path, PathBuf};

use vanthu::cms::{SignedAttributes, assemble, signed_attributes};
use vanthu::crypto::DigestAlgorithm;
use vanthu::pades::{
    PadesError, PendingSignature, Prepared, SignOptions, TokenResponse, complete, complete_async,
    prepare, prepare_async,
};

use super::support::{
    Key, assert_starts_with_input, openssl, peer_verify, peers, pki, run_openssl,
    signed_field_names,
};
use crate::inputs::{Layout, simple_pdf};

/// A key made by openssl and its certificate from the test PKI's intermediate, issued by openssl.
struct Token {
    openssl: PathBuf,
    dir: tempfile::TempDir,
    certificate: Vec<u8>,
}

impl Token {
    fn new(openssl: &Path, kind: &str) -> Token {
        let pki = pki();
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| run_openssl(openssl, dir.path(), args);
        match kind {
            "rsa" => run(&[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                "token.key.pem",
            ]),
            _ => run(&[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "token.key.pem",
            ]),
        };
        run(&[
            "req",
            "-new",
            "-key",
            "token.key.pem",
            "-subj",
            "/C=VN/O=VKSND tinh Thai Nguyen/CN=Token Holder",
            "-out",
            "token.csr",
        ]);
        std::fs::write(
            dir.path().join("token.ext"),
            "basicConstraints=critical,CA:FALSE\n\
             keyUsage=critical,digitalSignature,nonRepudiation\n\
             subjectKeyIdentifier=hash\n\
             authorityKeyIdentifier=keyid\n",
        )
        .unwrap();
        let intermediate = pki.file("intermediate.pem");
        let intermediate_key = pki.file("intermediate.key.pem");
        run(&[
            "x509",
            "-req",
            "-in",
            "token.csr",
            "-CA",
            intermediate.to_str().unwrap(),
            "-CAkey",
            intermediate_key.to_str().unwrap(),
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            "token.ext",
            "-out",
            "token.pem",
        ]);
        let certificate = run(&["x509", "-in", "token.pem", "-outform", "DER"]);
        Token {
            openssl: openssl.to_path_buf(),
            dir,
            certificate,
        }
    }

    /// `openssl pkeyutl -sign` over a digest with the token's key (or `key_file`'s): PKCS#1
    /// v1.5 with the DigestInfo for RSA, a DER ECDSA-Sig-Value for EC.
    fn sign_digest(&self, digest: &[u8], key_file: Option<&Path>) -> Vec<u8> {
        let input = self.dir.path().join("digest.bin");
        std::fs::write(&input, digest).unwrap();
        let key = key_file.map_or_else(|| self.dir.path().join("token.key.pem"), Path::to_path_buf);
        run_openssl(
            &self.openssl,
            self.dir.path(),
            &[
                "pkeyutl",
                "-sign",
                "-inkey",
                key.to_str().unwrap(),
                "-in",
                "digest.bin",
                "-pkeyopt",
                "digest:sha256",
            ],
        )
    }

    /// `openssl cms -sign` over `data` with the token's key (`extra` adds options).
    fn openssl_cms(&self, data: &[u8], extra: &[&str]) -> Vec<u8> {
        std::fs::write(self.dir.path().join("data.bin"), data).unwrap();
        let mut args = vec![
            "cms",
            "-sign",
            "-binary",
            "-md",
            "sha256",
            "-outform",
            "DER",
            "-in",
            "data.bin",
            "-signer",
            "token.pem",
            "-inkey",
            "token.key.pem",
        ];
        args.extend_from_slice(extra);
        run_openssl(&self.openssl, self.dir.path(), &args)
    }
}

/// Prepares a one-page document for the token's certificate and sends the pending state
/// through JSON, as a service would store it.
fn prepared_for(token: &Token, input: &[u8]) -> (PendingSignature, Vec<u8>) {
    let Prepared { pending, pdf } = prepare(
        input.to_vec(),
        &SignOptions::default(),
        &token.certificate,
        &pki().dev.chain(),
        None,
    )
    .unwrap();
    assert_eq!(
        pending.prepared_sha256,
        hex::encode(vanthu::crypto::sha256(&pdf))
    );
    assert_starts_with_input(input, &pdf, "prepared");
    let json = serde_json::to_string(&pending).unwrap();
    let restored: PendingSignature = serde_json::from_str(&json).unwrap();
    assert_eq!(restored, pending);
    (restored, pdf)
}

/// The covered bytes of a prepared PDF (what a whole-CMS client signs).
fn covered(pending: &PendingSignature, pdf: &[u8]) -> Vec<u8> {
    let [_, gap_start, gap_end, _] = pending.byte_range;
    let mut bytes = pdf[..gap_start as usize].to_vec();
    bytes.extend_from_slice(&pdf[gap_end as usize..]);
    bytes
}

#[test]
fn a_token_signature_completes_the_prepared_pdf_and_passes_the_peers() {
    let Some(openssl) = openssl() else { return };
    let mut files = Vec::new();
    for kind in ["rsa", "p256"] {
        let token = Token::new(&openssl, kind);
        let input = simple_pdf(2, Layout::Streams);
        let (pending, pdf) = prepared_for(&token, &input);
        let signature = token.sign_digest(&pending.signed_attributes_digest, None);
        let signed = complete(&pending, &pdf, &TokenResponse::Signature(signature), &[]).unwrap();
        assert_starts_with_input(&pdf[..input.len()], &signed, kind);
        assert_eq!(signed.len(), pdf.len());
        assert_eq!(signed_field_names(&signed), ["Signature1"]);
        files.push((format!("deferred {kind}"), signed));

        // A client that builds the whole CMS itself from the prepared attributes.
        let attributes =
            SignedAttributes::from_der(&pending.signed_attributes, pending.digest_algorithm)
                .unwrap();
        let signature = token.sign_digest(&attributes.digest(), None);
        let mut certificates = vec![token.certificate.clone()];
        certificates.extend(pki().dev.chain());
        let cms = assemble(
            &attributes,
            pending.algorithm().unwrap(),
            &signature,
            &certificates,
        )
        .unwrap();
        let signed = complete(&pending, &pdf, &TokenResponse::Cms(cms), &[]).unwrap();
        files.push((format!("deferred {kind} whole CMS"), signed));
    }
    let Some(script) = peers() else { return };
    peer_verify(&script, &files);
}

#[test]
fn wrong_and_foreign_answers_are_refused() {
    let Some(openssl) = openssl() else { return };
    let token = Token::new(&openssl, "rsa");
    let (pending, pdf) = prepared_for(&token, &simple_pdf(1, Layout::Table));
    let refuse = |response: TokenResponse| {
        complete(&pending, &pdf, &response, &[]).expect_err("must be refused")
    };

    // Another key's signature over the right digest.
    let foreign = token.sign_digest(
        &pending.signed_attributes_digest,
        Some(&pki().file("unit.key.pem")),
    );
    let error = refuse(TokenResponse::Signature(foreign));
    assert!(
        matches!(error, PadesError::SignatureRejected(_)),
        "{error:?}"
    );

    // The token's signature over something else.
    let wrong = token.sign_digest(&DigestAlgorithm::Sha256.digest(b"other"), None);
    let error = refuse(TokenResponse::Signature(wrong));
    assert!(
        matches!(error, PadesError::SignatureRejected(_)),
        "{error:?}"
    );

    // Garbage.
    let error = refuse(TokenResponse::Cms(b"not a CMS".to_vec()));
    assert!(matches!(error, PadesError::Cms(_)), "{error:?}");

    // openssl's own CMS over the right bytes carries signing-time, which PAdES forbids.
    let with_time = token.openssl_cms(&covered(&pending, &pdf), &[]);
    let error = refuse(TokenResponse::Cms(with_time));
    assert!(error.to_string().contains("signing-time"), "{error}");

    // Without signed attributes there is nothing binding the certificate.
    let bare = token.openssl_cms(&covered(&pending, &pdf), &["-noattr"]);
    let error = refuse(TokenResponse::Cms(bare));
    assert!(
        error.to_string().contains("no signed attributes"),
        "{error}"
    );

    // A correct CMS by the token, for another document.
    let attributes = signed_attributes(
        DigestAlgorithm::Sha256,
        &DigestAlgorithm::Sha256.digest(b"another document"),
        &token.certificate,
    )
    .unwrap();
    let signature = token.sign_digest(&attributes.digest(), None);
    let other_document = assemble(
        &attributes,
        pending.algorithm().unwrap(),
        &signature,
        std::slice::from_ref(&token.certificate),
    )
    .unwrap();
    let error = refuse(TokenResponse::Cms(other_document));
    assert!(
        matches!(
            error,
            PadesError::SignatureRejected(vanthu::cms::VerifyError::DigestMismatch { .. })
        ),
        "{error:?}"
    );

    // A correct CMS for this document by someone else.
    let unit =
        vanthu::cms::sign_detached(&pki().signer(Key::UnitRsa), &pending.document_digest).unwrap();
    let error = refuse(TokenResponse::Cms(unit));
    assert!(matches!(error, PadesError::WrongCertificate), "{error:?}");

    // The right signature with another certificate named as the signer's.
    let good = token.sign_digest(&pending.signed_attributes_digest, None);
    let unit_certificate = pki().credential(Key::UnitRsa).certificate.clone();
    let error = complete(
        &pending,
        &pdf,
        &TokenResponse::Signature(good.clone()),
        &[unit_certificate],
    )
    .unwrap_err();
    assert!(matches!(error, PadesError::WrongCertificate), "{error:?}");

    // A prepared PDF changed while stored.
    let mut tampered = pdf.clone();
    tampered[20] ^= 0x01;
    let error = complete(
        &pending,
        &tampered,
        &TokenResponse::Signature(good.clone()),
        &[],
    )
    .unwrap_err();
    assert!(
        matches!(error, PadesError::PreparedMismatch(_)),
        "{error:?}"
    );
    let error = complete(
        &pending,
        &pdf[..pdf.len() - 1],
        &TokenResponse::Signature(good.clone()),
        &[],
    )
    .unwrap_err();
    assert!(
        matches!(error, PadesError::PreparedMismatch(_)),
        "{error:?}"
    );

    // A pending state of another format version.
    let future = PendingSignature {
        version: 2,
        ..pending.clone()
    };
    let error = complete(&future, &pdf, &TokenResponse::Signature(good.clone()), &[]).unwrap_err();
    assert!(matches!(error, PadesError::InvalidPending(_)), "{error:?}");

    // And after all that, the right answer still completes.
    complete(&pending, &pdf, &TokenResponse::Signature(good), &[]).unwrap();
}

#[tokio::test]
async fn the_async_forms_run_on_the_blocking_pool() {
    let pki = pki();
    let credential = pki.credential(Key::PersonP256);
    let prepared = prepare_async(
        simple_pdf(1, Layout::Table),
        SignOptions::default(),
        credential.certificate.clone(),
        pki.dev.chain(),
        None,
    )
    .await
    .unwrap();
    // The "token" here is the test's own ring key.
    let key_pair = ring::signature::EcdsaKeyPair::from_pkcs8(
        &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        credential.key.pkcs8_der(),
        &ring::rand::SystemRandom::new(),
    )
    .unwrap();
    let signature = key_pair
        .sign(
            &ring::rand::SystemRandom::new(),
            &prepared.pending.signed_attributes,
        )
        .unwrap();
    let signed = complete_async(
        prepared.pending,
        prepared.pdf,
        TokenResponse::Signature(signature.as_ref().to_vec()),
        Vec::new(),
    )
    .await
    .unwrap();
    assert_eq!(signed_field_names(&signed), ["Signature1"]);
}
