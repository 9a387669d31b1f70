//! The authority in process: a granted token says exactly what was asked (imprint, nonce, policy,
//! serial, genTime with accuracy, TSA name, signing-certificate-v2, certificates on certReq);
//! every malformed or unacceptable request gets the right failInfo; serial numbers are unique and
//! logged; a certificate without the critical timeStamping EKU never starts an authority; and
//! thousands of mutated requests all get a well-formed reply.

use std::collections::HashSet;
use std::sync::Arc;

use const_oid::ObjectIdentifier;
use der::asn1::{Any, Int, OctetString};
use der::{Decode, Encode};
use time::{Duration, OffsetDateTime};
use vanthu::cms::{EssBinding, MessageImprint, TimeStampToken};
use vanthu::crypto::DigestAlgorithm;
use vanthu::pki::cert::Certificate;
use vanthu::pki::devpki::{CertificateRequest, ExtendedKeyUsage, KeyUsage};
use vanthu::tsa::{
    AuthorityConfig, AuthorityError, FailureInfo, Outcome, PkiStatus, TimeStampReq, TimeStampResp,
    TimestampAuthority, TsaCertificateError,
};
use x509_cert::ext::Extension;

use crate::support::{
    self, BrokenSerials, CountingSerials, authority, authority_with, pki, request_der,
};

fn token_of(reply: &[u8]) -> TimeStampToken {
    let response = TimeStampResp::from_der_bytes(reply).expect("a TimeStampResp");
    assert_eq!(response.status, PkiStatus::Granted, "{response:?}");
    TimeStampToken::parse(&response.token.expect("a token")).expect("the token parses")
}

fn rejection_of(reply: &[u8]) -> (Vec<FailureInfo>, String) {
    let response = TimeStampResp::from_der_bytes(reply).expect("a TimeStampResp");
    assert_eq!(response.status, PkiStatus::Rejection, "{response:?}");
    assert_eq!(response.token, None);
    (
        response.fail_info,
        response.status_text.expect("a status text"),
    )
}

#[tokio::test]
async fn a_granted_token_says_what_was_asked() {
    let authority = authority();
    let nonce = [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0];
    let data = b"the signature value of a Procuracy decision";
    let before = OffsetDateTime::now_utc();
    let answer = authority
        .respond(&request_der(data, Some(&nonce), true))
        .await;
    let after = OffsetDateTime::now_utc();
    assert_eq!(answer.outcome, Outcome::Granted { serial: 1 });
    let token = token_of(&answer.der);
    let info = &token.tst_info;

    assert_eq!(info.version, 1);
    assert_eq!(info.policy, vanthu::tsa::DEFAULT_POLICY);
    assert_eq!(token.imprint_matches(data), Ok(true));
    assert_eq!(
        info.message_imprint.hash_algorithm.oid,
        DigestAlgorithm::Sha256.oid()
    );
    assert_eq!(info.nonce, Some(Int::new(&nonce).unwrap()));
    assert_eq!(info.serial_number.as_bytes(), &[0x01]);
    assert!(!info.ordering);
    assert!(info.extensions.is_none());
    let gen_time = token.gen_time();
    assert!(
        gen_time >= before - Duration::milliseconds(1) && gen_time <= after,
        "genTime {gen_time} is when the token was made ({before}..{after})"
    );
    assert_eq!(
        gen_time.nanosecond() % 1_000_000,
        0,
        "millisecond precision"
    );
    assert_eq!(
        info.accuracy.as_ref().map(|accuracy| accuracy.duration()),
        Some(Duration::seconds(1))
    );
    let tsa_subject = Certificate::from_der(&pki().tsa.certificate)
        .unwrap()
        .subject()
        .to_string();
    match &info.tsa {
        Some(x509_cert::ext::pkix::name::GeneralName::DirectoryName(name)) => {
            assert_eq!(
                name.to_der().unwrap(),
                x509_cert::Certificate::from_der(&pki().tsa.certificate)
                    .unwrap()
                    .tbs_certificate
                    .subject
                    .to_der()
                    .unwrap(),
                "the tsa field names the certificate's subject ({tsa_subject})"
            );
        }
        other => panic!("tsa name: {other:?}"),
    }

    // certReq: the TSA certificate and its chain are in the token, and the signature binds it.
    let certificates = &token.signed_data.certificates;
    assert!(certificates.contains(&pki().tsa.certificate));
    assert!(certificates.contains(&pki().intermediate.certificate));
    let verification = token.verify(&pki().tsa.certificate).expect("verifies");
    assert!(matches!(verification.ess, EssBinding::V2 { .. }));
    let signer = token.signer().unwrap();
    let attributes = signer.signed_attributes.as_ref().unwrap();
    assert!(attributes.signing_certificate_v2.is_some());
    assert!(attributes.signing_time.is_none());
}

#[tokio::test]
async fn without_cert_req_the_token_carries_no_certificate() {
    let answer = authority()
        .respond(&request_der(b"data", Some(&[7; 8]), false))
        .await;
    let token = token_of(&answer.der);
    assert!(token.signed_data.certificates.is_empty());
    token
        .verify(&pki().tsa.certificate)
        .expect("verifies with the TSA certificate given separately");
    assert!(
        !answer
            .der
            .windows(pki().tsa.certificate.len())
            .any(|window| window == pki().tsa.certificate.as_slice())
    );
}

#[tokio::test]
async fn other_digests_and_a_policy_of_our_own() {
    let policy = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.99.1");
    let authority = authority_with(
        pki(),
        AuthorityConfig {
            policy,
            accuracy_ms: 250,
            include_tsa_name: false,
            ..AuthorityConfig::default()
        },
        Arc::new(CountingSerials::default()),
    );
    for algorithm in [DigestAlgorithm::Sha384, DigestAlgorithm::Sha512] {
        let request =
            TimeStampReq::new(algorithm, &algorithm.digest(b"x"), Some(policy), None, true)
                .unwrap();
        let answer = authority.respond(&request.to_der_bytes().unwrap()).await;
        let token = token_of(&answer.der);
        assert_eq!(token.imprint_algorithm(), Ok(algorithm));
        assert_eq!(token.tst_info.policy, policy);
        assert_eq!(token.tst_info.nonce, None);
        assert_eq!(token.tst_info.tsa, None);
        let accuracy = token.tst_info.accuracy.clone().unwrap();
        assert_eq!((accuracy.seconds, accuracy.millis), (None, Some(250)));
    }
    let issued = authority
        .timestamp_digest(
            DigestAlgorithm::Sha256,
            &DigestAlgorithm::Sha256.digest(b"y"),
        )
        .await
        .expect("in-process token");
    let token = TimeStampToken::parse(&issued.token).unwrap();
    assert_eq!(token.imprint_matches(b"y"), Ok(true));
    assert_eq!(token.gen_time(), issued.gen_time);
}

/// A request with every field set by hand.
fn custom(
    version: u64,
    imprint: MessageImprint,
    policy: Option<ObjectIdentifier>,
    extensions: Option<Vec<Extension>>,
) -> Vec<u8> {
    TimeStampReq {
        version,
        message_imprint: imprint,
        req_policy: policy,
        nonce: Some(Int::new(&[1, 2, 3]).unwrap()),
        cert_req: true,
        extensions,
    }
    .to_der_bytes()
    .unwrap()
}

fn imprint(algorithm: DigestAlgorithm, length: usize) -> MessageImprint {
    MessageImprint {
        hash_algorithm: algorithm.algorithm_identifier(),
        hashed_message: OctetString::new(vec![0xab; length]).unwrap(),
    }
}

#[tokio::test]
async fn unacceptable_requests_get_the_right_failure() {
    let sha256 = || imprint(DigestAlgorithm::Sha256, 32);
    let mut with_parameters = sha256();
    with_parameters.hash_algorithm.parameters = Some(Any::encode_from(&7u8).unwrap());
    let mut null_parameters = sha256();
    null_parameters.hash_algorithm.parameters = Some(Any::from_der(&[0x05, 0x00]).unwrap());
    let mut unknown = sha256();
    unknown.hash_algorithm.oid = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.8"); // SHA3-256
    let extension = |critical| Extension {
        extn_id: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.1"),
        critical,
        extn_value: OctetString::new(vec![0x05, 0x00]).unwrap(),
    };
    let mut trailing = request_der(b"x", None, true);
    trailing.extend_from_slice(&[0x00, 0x00]);

    let cases: Vec<(&str, Vec<u8>, Option<FailureInfo>)> = vec![
        ("empty body", Vec::new(), Some(FailureInfo::BadDataFormat)),
        (
            "not DER at all",
            b"GET / HTTP/1.1\r\n".to_vec(),
            Some(FailureInfo::BadDataFormat),
        ),
        ("trailing bytes", trailing, Some(FailureInfo::BadDataFormat)),
        (
            "version 2",
            custom(2, sha256(), None, None),
            Some(FailureInfo::BadDataFormat),
        ),
        (
            "SHA-1 imprint",
            custom(1, imprint(DigestAlgorithm::Sha1, 20), None, None),
            Some(FailureInfo::BadAlg),
        ),
        (
            "MD5 imprint",
            custom(1, imprint(DigestAlgorithm::Md5, 16), None, None),
            Some(FailureInfo::BadAlg),
        ),
        (
            "unknown hash algorithm",
            custom(1, unknown, None, None),
            Some(FailureInfo::BadAlg),
        ),
        (
            "hash algorithm with parameters",
            custom(1, with_parameters, None, None),
            Some(FailureInfo::BadAlg),
        ),
        (
            "hash of the wrong length",
            custom(1, imprint(DigestAlgorithm::Sha256, 20), None, None),
            Some(FailureInfo::BadDataFormat),
        ),
        (
            "another policy",
            custom(
                1,
                sha256(),
                Some(ObjectIdentifier::new_unwrap("1.2.3.4")),
                None,
            ),
            Some(FailureInfo::UnacceptedPolicy),
        ),
        (
            "a critical extension",
            custom(1, sha256(), None, Some(vec![extension(true)])),
            Some(FailureInfo::UnacceptedExtension),
        ),
        (
            "a non-critical extension (RFC 3161 rejects any it does not know)",
            custom(1, sha256(), None, Some(vec![extension(false)])),
            Some(FailureInfo::UnacceptedExtension),
        ),
        (
            "NULL parameters",
            custom(1, null_parameters, None, None),
            None,
        ),
        (
            "our own policy",
            custom(1, sha256(), Some(vanthu::tsa::DEFAULT_POLICY), None),
            None,
        ),
        (
            "an empty extension list",
            custom(1, sha256(), None, Some(vec![])),
            None,
        ),
    ];
    let authority = authority();
    for (what, body, expected) in cases {
        let answer = authority.respond(&body).await;
        match expected {
            Some(fail_info) => {
                let (bits, text) = rejection_of(&answer.der);
                assert_eq!(bits, vec![fail_info], "{what}: {text}");
                assert!(text.contains(" / "), "{what}: bilingual text {text:?}");
                assert!(
                    matches!(&answer.outcome, Outcome::Rejected(rejection) if rejection.fail_info == fail_info),
                    "{what}"
                );
            }
            None => {
                token_of(&answer.der);
            }
        }
    }
}

#[tokio::test]
async fn a_store_that_fails_gets_a_system_failure_not_a_token() {
    let authority = authority_with(pki(), AuthorityConfig::default(), Arc::new(BrokenSerials));
    let answer = authority
        .respond(&request_der(b"x", Some(&[1; 8]), true))
        .await;
    let (bits, _) = rejection_of(&answer.der);
    assert_eq!(bits, vec![FailureInfo::SystemFailure]);
}

#[tokio::test]
async fn serial_numbers_are_unique_and_logged_in_the_store() {
    let (_folder, store) = support::sqlite_store().await;
    let authority = Arc::new(support::stored_authority(&store));
    let mut tasks = Vec::new();
    for index in 0u8..24 {
        let authority = Arc::clone(&authority);
        tasks.push(tokio::spawn(async move {
            let data = [index; 5];
            let answer = authority
                .respond(&request_der(&data, Some(&[index + 1; 8]), true))
                .await;
            (index, token_of(&answer.der))
        }));
    }
    let mut serials = HashSet::new();
    for task in tasks {
        let (index, token) = task.await.unwrap();
        let serial_bytes = token.tst_info.serial_number.as_bytes().to_vec();
        let serial = serial_bytes
            .iter()
            .fold(0i64, |value, byte| value * 256 + i64::from(*byte));
        assert!(serials.insert(serial), "serial {serial} given twice");
        let record = store
            .timestamp_record(serial)
            .await
            .unwrap()
            .expect("logged");
        assert_eq!(record.imprint, DigestAlgorithm::Sha256.digest(&[index; 5]));
        assert_eq!(record.nonce, Some(vec![index + 1; 8]));
        assert_eq!(record.gen_time, token.gen_time());
        assert_eq!(record.policy, vanthu::tsa::DEFAULT_POLICY.to_string());
        assert_eq!(
            record.imprint_algorithm,
            DigestAlgorithm::Sha256.oid().to_string()
        );
        assert_eq!(
            record.tsa_certificate_sha256,
            vanthu::crypto::sha256(&pki().tsa.certificate).to_vec()
        );
    }
    assert_eq!(serials.len(), 24);
    assert!(store.timestamp_record(1000).await.unwrap().is_none());
}

#[test]
fn an_authority_needs_a_certificate_fit_for_timestamping() {
    let pki = pki();
    let ca = pki.intermediate_authority().unwrap();
    let signing = [KeyUsage::DigitalSignature];
    let new = |request: CertificateRequest| {
        let credential = ca.issue(&request).unwrap();
        TimestampAuthority::new(
            Arc::new(support::signer_for(pki, &credential)),
            AuthorityConfig::default(),
            Arc::new(CountingSerials::default()),
        )
    };
    let cases = [
        (
            "no EKU",
            new(CertificateRequest::new("No EKU").key_usage(&signing)),
            "MissingEku",
        ),
        (
            "EKU not critical",
            new(CertificateRequest::new("Soft EKU")
                .key_usage(&signing)
                .extended_key_usage(&[ExtendedKeyUsage::TimeStamping], false)),
            "EkuNotCritical",
        ),
        (
            "EKU with another purpose",
            new(CertificateRequest::new("Busy EKU")
                .key_usage(&signing)
                .extended_key_usage(
                    &[ExtendedKeyUsage::TimeStamping, ExtendedKeyUsage::ClientAuth],
                    true,
                )),
            "EkuNotSole",
        ),
        (
            "keyUsage without signing",
            new(CertificateRequest::new("Encrypting TSA")
                .key_usage(&[KeyUsage::KeyEncipherment])
                .time_stamping()),
            "KeyUsageNotForSigning",
        ),
    ];
    for (what, result, expected) in cases {
        match result {
            Err(AuthorityError::Usage(error)) => {
                let name = match error {
                    TsaCertificateError::MissingEku { .. } => "MissingEku",
                    TsaCertificateError::EkuNotCritical { .. } => "EkuNotCritical",
                    TsaCertificateError::EkuNotSole { .. } => "EkuNotSole",
                    TsaCertificateError::KeyUsageNotForSigning { .. } => "KeyUsageNotForSigning",
                };
                assert_eq!(name, expected, "{what}");
            }
            other => panic!("{what}: {other:?}"),
        }
    }
    let now = OffsetDateTime::now_utc();
    let expired = new(CertificateRequest::new("Old TSA")
        .key_usage(&signing)
        .time_stamping()
        .validity(now - Duration::days(400), now - Duration::days(35)));
    assert!(matches!(expired, Err(AuthorityError::NotValidNow { .. })));
    let person = TimestampAuthority::new(
        Arc::new(pki.person_signer("lanhdao.a").unwrap()),
        AuthorityConfig::default(),
        Arc::new(CountingSerials::default()),
    );
    assert!(matches!(
        person,
        Err(AuthorityError::Usage(
            TsaCertificateError::MissingEku { .. }
        ))
    ));
    let good = new(CertificateRequest::new("Another TSA")
        .key_usage(&signing)
        .time_stamping());
    assert!(good.is_ok(), "{good:?}");
    assert!(matches!(
        TimestampAuthority::new(
            Arc::new(support::tsa_signer(pki)),
            AuthorityConfig {
                digests: vec![],
                ..AuthorityConfig::default()
            },
            Arc::new(CountingSerials::default()),
        ),
        Err(AuthorityError::NoDigest)
    ));
}

/// A small deterministic generator (xorshift64*), so that a failure can be replayed.
struct Mutator(u64);

impl Mutator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }

    fn mutate(&mut self, input: &[u8]) -> Vec<u8> {
        let mut bytes = input.to_vec();
        for _ in 0..=self.below(3) {
            let position = self.below(bytes.len());
            match self.below(7) {
                0 => {
                    if let Some(byte) = bytes.get_mut(position) {
                        *byte ^= 1 << self.below(8);
                    }
                }
                1 => {
                    let value = self.next() as u8;
                    if let Some(byte) = bytes.get_mut(position) {
                        *byte = value;
                    }
                }
                2 => bytes.truncate(position),
                3 => {
                    let value = self.next() as u8;
                    bytes.insert(position.min(bytes.len()), value);
                }
                4 => {
                    if position < bytes.len() {
                        bytes.remove(position);
                    }
                }
                5 => {
                    // Lengths are where parsers break: set one to something large.
                    if let Some(byte) = bytes.get_mut(position) {
                        *byte = [0x80, 0x81, 0x84, 0xff, 0x00, 0x7f][self.below(6)];
                    }
                }
                _ => {
                    let end = (position + self.below(16)).min(bytes.len());
                    let slice = bytes[position..end].to_vec();
                    bytes.splice(position..position, slice);
                }
            }
        }
        bytes
    }
}

#[tokio::test]
async fn mutated_requests_always_get_a_well_formed_reply() {
    let authority = authority();
    let base = TimeStampReq {
        version: 1,
        message_imprint: imprint(DigestAlgorithm::Sha256, 32),
        req_policy: Some(vanthu::tsa::DEFAULT_POLICY),
        nonce: Some(Int::new(&[0x11; 8]).unwrap()),
        cert_req: true,
        extensions: None,
    }
    .to_der_bytes()
    .unwrap();
    let mut mutator = Mutator(0x5eed_1234_abcd_9876);
    let (mut granted, mut rejected) = (0, 0);
    for round in 0..3000 {
        let input = mutator.mutate(&base);
        let answer = authority.respond(&input).await;
        let response = TimeStampResp::from_der_bytes(&answer.der)
            .unwrap_or_else(|error| panic!("round {round}: reply does not parse: {error}"));
        match answer.outcome {
            Outcome::Granted { .. } => {
                granted += 1;
                let request = TimeStampReq::from_der_bytes(&input).expect("granted ⇒ parsed");
                let token = TimeStampToken::parse(&response.token.expect("token")).unwrap();
                assert_eq!(
                    token.tst_info.message_imprint.hashed_message,
                    request.message_imprint.hashed_message,
                    "round {round}"
                );
                assert_eq!(token.tst_info.nonce, request.nonce, "round {round}");
                token.verify(&pki().tsa.certificate).expect("verifies");
            }
            Outcome::Rejected(rejection) => {
                rejected += 1;
                assert_eq!(response.status, PkiStatus::Rejection, "round {round}");
                assert_eq!(response.fail_info, vec![rejection.fail_info]);
            }
        }
    }
    assert!(
        granted > 50,
        "some mutations keep a valid request ({granted})"
    );
    assert!(rejected > 1000, "most are rejected ({rejected})");
}
