//! Validation of tokens against data: a good token passes with its details for the report; a
//! token over other data, with a broken signature, an altered TSTInfo, an untrusted or unfit TSA,
//! a weak imprint or no TSA certificate fails with the right indication and findings; the TSA
//! chain is judged at genTime, now, or a proven time as asked, revocation included; and mutated
//! tokens never panic the validator.

use der::asn1::OctetString;
use time::{Duration, OffsetDateTime};
use vanthu::cms::{MessageImprint, TimeStampToken};
use vanthu::crypto::DigestAlgorithm;
use vanthu::pki::crl::{CrlSource, SourcedCrl};
use vanthu::pki::devpki::{CertificateRequest, KeyUsage, Revocation};
use vanthu::pki::indication::{Indication, SubIndication};
use vanthu::pki::path::{CertificateSource, SourcedCertificate};
use vanthu::pki::policy::{AlgorithmPolicy, ValidationPolicy};
use vanthu::pki::trust::{Role, TrustStore};
use vanthu::tsa::TimeStampResp;
use vanthu::verify::messages::Code;
use vanthu::verify::token::{
    Covered, TimestampValidation, TsaChainTime, ValidationContext, validate_token,
};

use crate::support::{self, HandMade, authority, pki, request, request_der, trust};

const DATA: &[u8] = b"signature value of the unit seal";

async fn good_token(cert_req: bool) -> Vec<u8> {
    let answer = authority()
        .respond(&request_der(DATA, Some(&[9; 8]), cert_req))
        .await;
    TimeStampResp::from_der_bytes(&answer.der)
        .unwrap()
        .token
        .unwrap()
}

fn codes(validation: &TimestampValidation) -> Vec<Code> {
    validation
        .findings
        .iter()
        .map(|finding| finding.code)
        .collect()
}

fn validate(token: &[u8], covered: Covered<'_>, store: &TrustStore) -> TimestampValidation {
    let policy = ValidationPolicy::default();
    validate_token(token, covered, &ValidationContext::new(store, &policy))
}

#[tokio::test]
async fn a_good_token_passes_with_everything_the_report_shows() {
    let token = good_token(true).await;
    let store = trust(pki());
    let validation = validate(&token, Covered::Data(DATA), &store);
    assert_eq!(
        validation.indication,
        Indication::TotalPassed,
        "{validation:#?}"
    );
    assert_eq!(validation.sub_indication, None);
    assert!(validation.intact && validation.signature_valid);
    assert_eq!(validation.serial.as_deref(), Some("01"));
    assert_eq!(
        validation.policy.as_deref(),
        Some("1.3.6.1.4.1.32473.3161.1")
    );
    assert_eq!(validation.nonce.as_deref(), Some("0909090909090909"));
    assert_eq!(validation.imprint_algorithm, Some(DigestAlgorithm::Sha256));
    assert_eq!(validation.accuracy, Some(Duration::seconds(1)));
    let subject = validation.tsa_subject().expect("TSA subject");
    assert!(subject.contains("Time Stamping Authority"), "{subject}");
    assert!(
        validation
            .tsa_name
            .as_deref()
            .is_some_and(|name| name.contains("Time Stamping"))
    );
    let chain = validation.chain.as_ref().expect("chain validated");
    assert!(chain.passed() && chain.anchored);
    assert_eq!(chain.chain.len(), 3, "TSA, intermediate, root");
    let gen_time = validation.gen_time.unwrap();
    assert_eq!(
        validation.proof_of_existence(),
        Some(gen_time + Duration::seconds(1))
    );
    let report = validation.report().expect("report");
    assert_eq!(report.gen_time, gen_time);
    assert!(report.intact);
    assert_eq!(report.indication, Indication::TotalPassed);
    assert_eq!(report.chain.len(), 3);
    assert_eq!(report.tsa_not_after, validation.tsa_not_after());
    assert!(
        !validation
            .findings
            .iter()
            .any(|finding| finding.severity == vanthu::verify::messages::Severity::Error),
        "{:#?}",
        validation.findings
    );

    // The same with a digest computed by the caller.
    let digest = DigestAlgorithm::Sha256.digest(DATA);
    let by_digest = validate(
        &token,
        Covered::Digest {
            algorithm: DigestAlgorithm::Sha256,
            digest: &digest,
        },
        &store,
    );
    assert!(by_digest.passed());
    let wrong_algorithm = validate(
        &token,
        Covered::Digest {
            algorithm: DigestAlgorithm::Sha384,
            digest: &DigestAlgorithm::Sha384.digest(DATA),
        },
        &store,
    );
    assert_eq!(
        wrong_algorithm.sub_indication,
        Some(SubIndication::SignedDataNotFound)
    );
}

#[tokio::test]
async fn a_token_over_other_data_fails_with_a_hash_failure() {
    let token = good_token(true).await;
    let validation = validate(&token, Covered::Data(b"another signature"), &trust(pki()));
    assert_eq!(validation.indication, Indication::TotalFailed);
    assert_eq!(validation.sub_indication, Some(SubIndication::HashFailure));
    assert!(!validation.intact);
    assert!(validation.signature_valid, "the token itself is genuine");
    assert!(codes(&validation).contains(&Code::TimestampImprintMismatch));
    assert!(!validation.report().unwrap().intact);
}

/// `token` with the last byte of `part` (found in it) changed.
fn altered(token: &[u8], part: &[u8]) -> Vec<u8> {
    let start = token
        .windows(part.len())
        .position(|window| window == part)
        .expect("part inside the token");
    let mut bytes = token.to_vec();
    bytes[start + part.len() - 1] ^= 0x01;
    bytes
}

#[tokio::test]
async fn tampered_tokens_fail() {
    let token = good_token(true).await;
    let parsed = TimeStampToken::parse(&token).unwrap();
    let store = trust(pki());

    let signature = parsed.signer().unwrap().signature.clone();
    let bad_signature = validate(&altered(&token, &signature), Covered::Data(DATA), &store);
    assert_eq!(bad_signature.indication, Indication::TotalFailed);
    assert_eq!(
        bad_signature.sub_indication,
        Some(SubIndication::SigCryptoFailure),
        "{:#?}",
        bad_signature.findings
    );
    assert!(!bad_signature.signature_valid);

    // A byte of the nonce inside the signed TSTInfo: the signed messageDigest no longer fits.
    let moved = validate(&altered(&token, &[9; 8]), Covered::Data(DATA), &store);
    assert_eq!(moved.indication, Indication::TotalFailed, "{moved:#?}");
    assert_eq!(moved.sub_indication, Some(SubIndication::HashFailure));
    assert!(moved.intact, "the imprint itself was not touched");

    for garbage in [&b""[..], b"\x30\x03\x02\x01\x01", b"not a token at all"] {
        let validation = validate(garbage, Covered::Data(DATA), &store);
        assert_eq!(validation.indication, Indication::TotalFailed);
        assert_eq!(
            validation.sub_indication,
            Some(SubIndication::FormatFailure)
        );
        assert!(validation.report().is_none());
        assert_eq!(codes(&validation), vec![Code::TimestampInvalid]);
    }
}

#[tokio::test]
async fn an_untrusted_tsa_is_indeterminate() {
    let token = good_token(true).await;
    let validation = validate(&token, Covered::Data(DATA), &trust(support::foreign_pki()));
    assert_eq!(validation.indication, Indication::Indeterminate);
    assert!(validation.intact && validation.signature_valid);
    assert!(codes(&validation).contains(&Code::TimestampUntrusted));
    assert!(!validation.chain.as_ref().unwrap().passed());
}

#[tokio::test]
async fn the_tsa_certificate_may_come_from_elsewhere_but_must_come() {
    let token = good_token(false).await;
    let store = trust(pki());
    let missing = validate(&token, Covered::Data(DATA), &store);
    assert_eq!(missing.indication, Indication::Indeterminate);
    assert_eq!(
        missing.sub_indication,
        Some(SubIndication::NoSigningCertificateFound)
    );
    let from_dss = [
        SourcedCertificate::from_der(&pki().tsa.certificate, CertificateSource::Dss).unwrap(),
        SourcedCertificate::from_der(&pki().intermediate.certificate, CertificateSource::Dss)
            .unwrap(),
    ];
    let policy = ValidationPolicy::default();
    let context = ValidationContext {
        certificates: &from_dss,
        ..ValidationContext::new(&store, &policy)
    };
    let found = validate_token(&token, Covered::Data(DATA), &context);
    assert!(found.passed(), "{found:#?}");
}

#[tokio::test]
async fn a_token_signed_without_the_timestamping_eku_is_not_a_timestamp() {
    let pki = pki();
    let ca = pki.intermediate_authority().unwrap();
    let plain = ca
        .issue(&CertificateRequest::new("Not a TSA").key_usage(&[KeyUsage::DigitalSignature]))
        .unwrap();
    let signer = support::signer_for(pki, &plain);
    let token = HandMade::answering(&request(DATA, Some(&[1; 8]), true)).sign(&signer);
    let validation = validate(&token, Covered::Data(DATA), &trust(pki));
    assert_eq!(validation.indication, Indication::Indeterminate);
    assert_eq!(
        validation.sub_indication,
        Some(SubIndication::ChainConstraintsFailure)
    );
    assert!(
        codes(&validation).contains(&Code::TsaEkuMissing),
        "{:#?}",
        validation.findings
    );
    assert!(validation.signature_valid, "the signature itself verifies");
}

#[tokio::test]
async fn a_sha1_imprint_is_weak_unless_the_policy_accepts_it() {
    let mut made = HandMade::answering(&request(DATA, None, true));
    made.imprint = MessageImprint {
        hash_algorithm: DigestAlgorithm::Sha1.algorithm_identifier(),
        hashed_message: OctetString::new(DigestAlgorithm::Sha1.digest(DATA)).unwrap(),
    };
    let token = made.sign(&support::tsa_signer(pki()));
    let store = trust(pki());
    let weak = validate(&token, Covered::Data(DATA), &store);
    assert_eq!(weak.indication, Indication::Indeterminate);
    assert_eq!(
        weak.sub_indication,
        Some(SubIndication::CryptoConstraintsFailure)
    );
    assert!(codes(&weak).contains(&Code::WeakSignatureAlgorithm));
    let legacy = ValidationPolicy {
        algorithms: AlgorithmPolicy::legacy_sha1(),
        ..ValidationPolicy::default()
    };
    let accepted = validate_token(
        &token,
        Covered::Data(DATA),
        &ValidationContext::new(&store, &legacy),
    );
    assert!(accepted.passed(), "{accepted:#?}");
}

#[tokio::test]
async fn the_tsa_chain_is_judged_at_the_time_asked_for() {
    let pki = pki();
    let now = OffsetDateTime::now_utc();
    // A TSA certificate that expired twenty minutes ago, and a token it made while it was valid
    // (the test PKI's CAs are only an hour old: everything happens within that hour).
    let ca = pki.intermediate_authority().unwrap();
    let old = ca
        .issue(
            &CertificateRequest::new("Retired TSA")
                .key_usage(&[KeyUsage::DigitalSignature])
                .time_stamping()
                .validity(now - Duration::minutes(50), now - Duration::minutes(20)),
        )
        .unwrap();
    let mut made = HandMade::answering(&request(DATA, None, true));
    made.gen_time = now - Duration::minutes(40);
    let token = made.sign(&support::signer_for(pki, &old));
    let store = trust(pki);
    let policy = ValidationPolicy::default();
    let at = |chain_time| ValidationContext {
        chain_time,
        ..ValidationContext::new(&store, &policy)
    };
    let at_gen_time = validate_token(&token, Covered::Data(DATA), &at(TsaChainTime::GenTime));
    assert!(at_gen_time.passed(), "{at_gen_time:#?}");
    // Now the certificate has expired (the CRL says it was not revoked before).
    let today = validate_token(&token, Covered::Data(DATA), &at(TsaChainTime::Current));
    assert_eq!(today.indication, Indication::Indeterminate);
    assert_eq!(
        today.sub_indication,
        Some(SubIndication::OutOfBoundsNotRevoked)
    );
    let proven = validate_token(
        &token,
        Covered::Data(DATA),
        &at(TsaChainTime::ProvenAt(now - Duration::minutes(30))),
    );
    assert!(proven.passed(), "{proven:#?}");
    let contradicted = validate_token(
        &token,
        Covered::Data(DATA),
        &at(TsaChainTime::ProvenAt(now - Duration::minutes(45))),
    );
    assert_eq!(
        contradicted.sub_indication,
        Some(SubIndication::TimestampOrderFailure)
    );
}

#[tokio::test]
async fn a_revoked_tsa_certificate_counts_by_when_it_was_revoked() {
    let pki = pki();
    let now = OffsetDateTime::now_utc();
    let gen_time = now - Duration::minutes(30);
    let mut made = HandMade::answering(&request(DATA, None, true));
    made.gen_time = gen_time;
    let token = made.sign(&support::tsa_signer(pki));
    let ca = pki.intermediate_authority().unwrap();
    let crl_revoking_at = |revoked_at| {
        let der = ca
            .crl(
                &[Revocation {
                    serial: pki.tsa.serial(),
                    revoked_at,
                    reason: None,
                }],
                now - Duration::minutes(5),
                now + Duration::days(1),
                7,
            )
            .unwrap();
        vec![
            SourcedCrl::from_der(&der, CrlSource::Supplied).unwrap(),
            SourcedCrl::from_der(&pki.root_crl, CrlSource::Supplied).unwrap(),
        ]
    };
    let mut store = TrustStore::new();
    store.add_der(&pki.root.certificate, Role::Anchor).unwrap();
    let policy = ValidationPolicy::default();
    let judge = |crls: &[SourcedCrl], chain_time| {
        validate_token(
            &token,
            Covered::Data(DATA),
            &ValidationContext {
                crls,
                chain_time,
                ..ValidationContext::new(&store, &policy)
            },
        )
    };

    let after = crl_revoking_at(now - Duration::minutes(10));
    let no_poe = judge(&after, TsaChainTime::GenTime);
    assert_eq!(no_poe.indication, Indication::Indeterminate);
    assert_eq!(no_poe.sub_indication, Some(SubIndication::RevokedNoPoe));
    let proven_before = judge(&after, TsaChainTime::ProvenAt(now - Duration::minutes(20)));
    assert!(proven_before.passed(), "{proven_before:#?}");
    assert!(codes(&proven_before).contains(&Code::CertRevokedAfterPoe));

    let before = crl_revoking_at(gen_time - Duration::minutes(10));
    let revoked = judge(&before, TsaChainTime::GenTime);
    assert_eq!(revoked.indication, Indication::TotalFailed);
    assert_eq!(revoked.sub_indication, Some(SubIndication::Revoked));
}

#[tokio::test]
async fn mutated_tokens_never_panic_the_validator() {
    let token = good_token(true).await;
    let store = trust(pki());
    let policy = ValidationPolicy::default();
    let context = ValidationContext::new(&store, &policy);
    let mut state: u64 = 0x0bad_5eed_1357_9bdf;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut passed = 0;
    for _ in 0..1500 {
        let mut bytes = token.clone();
        for _ in 0..=(next() % 3) {
            let position = (next() % bytes.len() as u64) as usize;
            match next() % 3 {
                0 => bytes[position] ^= 1 << (next() % 8),
                1 => bytes[position] = next() as u8,
                _ => bytes.truncate(position),
            }
            if bytes.is_empty() {
                break;
            }
        }
        let validation = validate_token(&bytes, Covered::Data(DATA), &context);
        if validation.passed() {
            passed += 1;
            assert!(validation.intact && validation.signature_valid);
        } else {
            assert!(validation.sub_indication.is_some());
            assert!(!validation.findings.is_empty());
        }
    }
    // Changes to unsigned parts (the certificate set) can leave a token valid; most break it.
    assert!(passed < 1500);
}
