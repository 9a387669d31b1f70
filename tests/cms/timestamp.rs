//! RFC 3161 tokens: one made by `openssl ts` with the development TSA, added to our CMS as the
//! signature-timestamp unsigned attribute; and one built with our own types, which `openssl ts
//! -verify` accepts.

use std::path::Path;

use der::Encode;
use der::asn1::{Int, OctetString};
use time::OffsetDateTime;
use vanthu::cms::timestamp::GeneralizedTimeFraction;
use vanthu::cms::{self, Accuracy, MessageImprint, Signer, TimeStampToken, TstInfo};
use vanthu::crypto::DigestAlgorithm;
use vanthu::pki::devpki;

use crate::support::{self, document, document_digest};

const TSA_CONFIG: &str = "\
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = ./serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:500, microsecs:100
ordering = yes
tsa_name = yes
ess_cert_id_alg = sha256
ess_cert_id_chain = no
";

fn openssl_token(openssl: &Path, dir: &Path, data: &[u8]) -> Vec<u8> {
    let pki = support::rsa_pki();
    support::write(dir, "tsa.cnf", TSA_CONFIG);
    support::write(dir, "serial", "01\n");
    support::write(dir, "tsa.cert.pem", pki.tsa.certificate_pem());
    support::write(dir, "tsa.key.pem", pki.tsa.key.to_pem().unwrap().as_bytes());
    support::write(dir, "chain.pem", support::pem_certificates(&pki.chain()));
    support::write(dir, "data.bin", data);
    support::run_openssl(
        openssl,
        dir,
        &[
            "ts",
            "-query",
            "-data",
            "data.bin",
            "-sha256",
            "-cert",
            "-out",
            "query.tsq",
        ],
    );
    support::run_openssl(
        openssl,
        dir,
        &[
            "ts",
            "-reply",
            "-config",
            "tsa.cnf",
            "-queryfile",
            "query.tsq",
            "-signer",
            "tsa.cert.pem",
            "-inkey",
            "tsa.key.pem",
            "-chain",
            "chain.pem",
            "-token_out",
            "-out",
            "token.der",
        ],
    );
    std::fs::read(dir.join("token.der")).unwrap()
}

#[test]
fn an_openssl_token_parses_verifies_and_joins_our_signature() {
    let Some(openssl) = support::openssl() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pki = support::rsa_pki();
    let signer = support::person(pki);
    let cms_der = cms::sign_detached(&signer, &document_digest(DigestAlgorithm::Sha256)).unwrap();
    let original = cms::parse_signed_data(&cms_der).unwrap();
    let signature = original.signer_infos[0].signature.clone();

    let token_der = openssl_token(&openssl, dir.path(), &signature);
    let token = TimeStampToken::parse(&token_der).expect("token parses");
    assert_eq!(token.tst_info.policy.to_string(), "1.2.3.4.1");
    assert_eq!(token.imprint_algorithm(), Ok(DigestAlgorithm::Sha256));
    assert_eq!(token.imprint_matches(&signature), Ok(true));
    assert_eq!(token.imprint_matches(b"something else"), Ok(false));
    assert!(token.tst_info.nonce.is_some());
    assert!(token.tst_info.ordering);
    assert!(token.tst_info.tsa.is_some());
    let accuracy = token.tst_info.accuracy.clone().expect("accuracy");
    assert_eq!(accuracy.duration(), time::Duration::microseconds(1_500_100));
    let age = OffsetDateTime::now_utc() - token.gen_time();
    assert!(
        age.abs() < time::Duration::minutes(5),
        "genTime is now: {age}"
    );
    let tsa_certificate = cms::find_signer_certificate(
        &token.signer().unwrap().sid,
        token.signed_data.certificates.iter().map(Vec::as_slice),
    )
    .expect("TSA certificate in the token");
    assert_eq!(tsa_certificate, pki.tsa.certificate.as_slice());
    let verification = token
        .verify(tsa_certificate)
        .expect("TSA signature verifies");
    assert!(matches!(verification.ess, cms::EssBinding::V2 { .. }));

    // Add it as the signature-timestamp attribute: the signed parts stay byte for byte.
    let stamped = cms::add_signature_timestamp(&cms_der, &token_der).expect("add token");
    let parsed = cms::parse_signed_data(&stamped).unwrap();
    let signer_info = &parsed.signer_infos[0];
    assert_eq!(signer_info.timestamp_tokens(), vec![token_der.clone()]);
    assert_eq!(
        signer_info.signed_attributes,
        original.signer_infos[0].signed_attributes
    );
    assert_eq!(signer_info.signature, signature);
    assert_eq!(parsed.certificates, original.certificates);
    let signed_attributes_der = &original.signer_infos[0]
        .signed_attributes
        .as_ref()
        .unwrap()
        .der[1..];
    assert!(
        stamped
            .windows(signed_attributes_der.len())
            .any(|window| window == signed_attributes_der),
        "the signed attribute bytes are still there unchanged"
    );
    support::verify_detached(&stamped, &document()).expect("still verifies");
    support::assert_openssl_verifies(&stamped, &document(), &pki.root.certificate);

    // A second attribute goes next to the first.
    let twice = cms::add_signature_timestamp(&stamped, &token_der).unwrap();
    let parsed = cms::parse_signed_data(&twice).unwrap();
    assert_eq!(parsed.signer_infos[0].unsigned_attributes.len(), 2);
    assert_eq!(parsed.signer_infos[0].timestamp_tokens().len(), 2);
    support::verify_detached(&twice, &document()).expect("still verifies");
    assert!(matches!(
        cms::add_unsigned_attribute(&stamped, 1, &parsed.signer_infos[0].unsigned_attributes[0]),
        Err(cms::CmsError::NoSuchSigner { index: 1 })
    ));
}

#[test]
fn a_token_built_with_our_types_is_accepted_by_openssl_ts_verify() {
    let pki = support::rsa_pki();
    let data = b"the signature value being timestamped";
    let gen_time = OffsetDateTime::now_utc()
        .replace_nanosecond(120_000_000)
        .unwrap();
    let tst_info = TstInfo {
        version: 1,
        policy: "1.2.3.4.1".parse().unwrap(),
        message_imprint: MessageImprint {
            hash_algorithm: DigestAlgorithm::Sha256.algorithm_identifier(),
            hashed_message: OctetString::new(DigestAlgorithm::Sha256.digest(data)).unwrap(),
        },
        serial_number: Int::new(&[0x01, 0x02, 0x03]).unwrap(),
        gen_time: GeneralizedTimeFraction(gen_time),
        accuracy: Some(Accuracy {
            seconds: Some(1),
            millis: None,
            micros: None,
        }),
        ordering: false,
        nonce: Some(Int::new(&[0x42; 8]).unwrap()),
        tsa: None,
        extensions: None,
    };
    let content = tst_info.to_der().unwrap();
    assert!(
        content.windows(3).any(|window| window == b".12"),
        "fraction written without trailing zeros"
    );
    let tsa = pki.signer_for(&pki.tsa, "tsa").unwrap();
    let attributes = cms::signed_attributes_for(
        cms::oid::ID_CT_TST_INFO,
        DigestAlgorithm::Sha256,
        &DigestAlgorithm::Sha256.digest(&content),
        tsa.certificate(),
    )
    .unwrap();
    let signature = tsa.sign(attributes.der()).unwrap();
    let token_der = cms::assemble_with_content(
        &attributes,
        Some(&content),
        tsa.signature_algorithm(),
        &signature,
        &[tsa.certificate().to_vec()],
    )
    .unwrap();
    let token = TimeStampToken::parse(&token_der).unwrap();
    assert_eq!(token.tst_info, tst_info);
    assert_eq!(token.gen_time(), gen_time);
    token.verify(&pki.tsa.certificate).expect("verifies");

    let Some(openssl) = support::openssl() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    support::write(dir.path(), "token.der", &token_der);
    support::write(dir.path(), "data.bin", data);
    support::write(
        dir.path(),
        "root.pem",
        devpki::certificate_pem(&pki.root.certificate),
    );
    support::write(
        dir.path(),
        "chain.pem",
        support::pem_certificates(&pki.chain()),
    );
    support::run_openssl(
        &openssl,
        dir.path(),
        &[
            "ts",
            "-verify",
            "-token_in",
            "-in",
            "token.der",
            "-data",
            "data.bin",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "chain.pem",
        ],
    );
}

#[test]
fn a_detached_signature_is_not_a_timestamp_token() {
    let signer = support::person(support::rsa_pki());
    let cms_der = cms::sign_detached(&signer, &document_digest(DigestAlgorithm::Sha256)).unwrap();
    assert!(matches!(
        TimeStampToken::parse(&cms_der),
        Err(cms::CmsError::TimeStamp(_))
    ));
}
