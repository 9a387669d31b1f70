//! The client against our authority behind the real router (and that route's HTTP errors), and
//! against fake TSAs that are down, slow, answer garbage, too much, an HTTP error, a rejection, a
//! token with the wrong nonce, imprint or policy, a broken signature, or a signature by a
//! certificate without the timeStamping EKU — each a clear error; and over HTTPS.

use std::sync::Arc;
use std::time::Duration;

use const_oid::ObjectIdentifier;
use der::asn1::Int;
use vanthu::crypto::DigestAlgorithm;
use vanthu::pki::devpki::{CertificateRequest, KeyUsage};
use vanthu::pki::policy::ValidationPolicy;
use vanthu::tsa::{
    ClientConfig, ClientError, FailureInfo, TimeStampReq, TimeStampResp, TimestampRequest,
    TsaCertificateError, TsaClient,
};
use vanthu::verify::token::{Covered, ValidationContext, validate_token};

use crate::fakes::{Behaviour, FakeTsa, Handler, Vanthu, reply};
use crate::support::{self, HandMade, pki, trust};

const DATA: &[u8] = b"signature value to timestamp";

/// Generous: tests run in parallel on a busy machine. The slow-TSA test uses its own.
fn client() -> TsaClient {
    client_with(ClientConfig {
        timeout: Duration::from_secs(20),
        system_proxy: false,
        ..ClientConfig::default()
    })
}

fn client_with(config: ClientConfig) -> TsaClient {
    TsaClient::new(config).expect("client")
}

fn asked() -> TimestampRequest {
    TimestampRequest::for_data(DigestAlgorithm::Sha256, DATA)
}

/// A fake TSA that answers every request with a hand-made token, adjusted by `adjust` first.
pub fn answering(adjust: impl Fn(&mut HandMade) + Send + Sync + 'static) -> Handler {
    answering_with(adjust, Arc::new(support::tsa_signer(pki())))
}

pub fn answering_with(
    adjust: impl Fn(&mut HandMade) + Send + Sync + 'static,
    signer: Arc<vanthu::cms::LocalKey>,
) -> Handler {
    Arc::new(move |body: Vec<u8>| {
        let request = TimeStampReq::from_der_bytes(&body).expect("the client sends DER");
        let mut made = HandMade::answering(&request);
        made.include_certificates = request.cert_req;
        adjust(&mut made);
        reply(TimeStampResp::granted(&made.sign(signer.as_ref())).unwrap())
    })
}

#[tokio::test]
async fn our_client_gets_a_checked_token_from_our_authority() {
    let vanthu = Vanthu::start(true).await;
    let obtained = client()
        .timestamp(&vanthu.tsa_url(), &asked())
        .await
        .expect("a token");
    assert_eq!(obtained.tsa_certificate, pki().tsa.certificate);
    assert_eq!(obtained.token.imprint_matches(DATA), Ok(true));
    assert!(obtained.token.tst_info.nonce.is_some(), "a nonce was sent");
    let store = trust(pki());
    let policy = ValidationPolicy::default();
    let validation = validate_token(
        &obtained.der,
        Covered::Data(DATA),
        &ValidationContext::new(&store, &policy),
    );
    assert!(validation.passed(), "{validation:#?}");

    // Asking for our policy works; asking for another is the TSA's rejection.
    let ours = asked().with_policy(vanthu::tsa::DEFAULT_POLICY);
    assert!(client().timestamp(&vanthu.tsa_url(), &ours).await.is_ok());
    let other = asked().with_policy(ObjectIdentifier::new_unwrap("1.2.3.4.5"));
    match client().timestamp(&vanthu.tsa_url(), &other).await {
        Err(ClientError::Rejected {
            fail_info, text, ..
        }) => {
            assert_eq!(fail_info, vec![FailureInfo::UnacceptedPolicy]);
            assert!(text.unwrap().contains("1.2.3.4.5"));
        }
        other => panic!("{other:?}"),
    }

    // Without the certificate in the token, the client needs it given.
    let bare = asked().with_cert_req(false);
    assert!(matches!(
        client().timestamp(&vanthu.tsa_url(), &bare).await,
        Err(ClientError::TsaCertificateNotFound)
    ));
    let given = client_with(ClientConfig {
        tsa_certificates: vec![pki().tsa.certificate.clone()],
        system_proxy: false,
        ..ClientConfig::default()
    });
    let obtained = given.timestamp(&vanthu.tsa_url(), &bare).await.unwrap();
    assert!(obtained.token.signed_data.certificates.is_empty());
}

#[tokio::test]
async fn the_tsa_route_answers_http_errors_as_problems() {
    let vanthu = Vanthu::start(true).await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let request = support::request_der(DATA, Some(&[3; 8]), true);

    let wrong_type = http
        .post(vanthu.tsa_url())
        .header("content-type", "application/octet-stream")
        .body(request.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    assert_eq!(
        wrong_type.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value =
        serde_json::from_slice(&wrong_type.bytes().await.unwrap()).unwrap();
    assert_eq!(problem["type"], "/problems/unsupported-media-type");

    let oversized = http
        .post(vanthu.tsa_url())
        .header("content-type", "application/timestamp-query")
        .body(vec![0x30; vanthu::http::tsa::MAX_REQUEST_BYTES + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(oversized.status(), 413);
    let problem: serde_json::Value =
        serde_json::from_slice(&oversized.bytes().await.unwrap()).unwrap();
    assert_eq!(problem["type"], "/problems/payload-too-large");

    let wrong_method = http.get(vanthu.tsa_url()).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);

    // Garbage of the right type is an RFC 3161 rejection, in a 200.
    let garbage = http
        .post(vanthu.tsa_url())
        .header(
            "content-type",
            "application/timestamp-query; charset=binary",
        )
        .body(b"\x30\x80garbage".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 200);
    assert_eq!(
        garbage.headers()["content-type"],
        "application/timestamp-reply"
    );
    let parsed = TimeStampResp::from_der_bytes(&garbage.bytes().await.unwrap()).unwrap();
    assert_eq!(parsed.fail_info, vec![FailureInfo::BadDataFormat]);

    let granted = http
        .post(vanthu.tsa_url())
        .header("content-type", "application/timestamp-query")
        .body(request)
        .send()
        .await
        .unwrap();
    assert_eq!(granted.status(), 200);
    let parsed = TimeStampResp::from_der_bytes(&granted.bytes().await.unwrap()).unwrap();
    assert!(parsed.token.is_some());

    let metrics = http
        .get(format!("{}/metrics", vanthu.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("tsa_tokens_issued_total"), "{metrics}");
    assert!(
        metrics.contains("tsa_requests_rejected_total{fail_info=\"badDataFormat\"}"),
        "{metrics}"
    );

    let without = Vanthu::start(false).await;
    let unavailable = http
        .post(without.tsa_url())
        .header("content-type", "application/timestamp-query")
        .body(support::request_der(DATA, None, true))
        .send()
        .await
        .unwrap();
    assert_eq!(unavailable.status(), 503);
    let problem: serde_json::Value =
        serde_json::from_slice(&unavailable.bytes().await.unwrap()).unwrap();
    assert_eq!(problem["type"], "/problems/unavailable");
}

#[tokio::test]
async fn a_tsa_that_is_down_slow_or_talks_nonsense_is_a_clear_error() {
    // Down: a port nobody listens on any more.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let down = client()
        .timestamp(&format!("http://{address}/tsa"), &asked())
        .await;
    assert!(
        matches!(down, Err(ClientError::Unreachable { .. })),
        "{down:?}"
    );

    let slow = FakeTsa::start(Arc::new(|_| Behaviour::Hang)).await;
    let impatient = client_with(ClientConfig {
        timeout: Duration::from_secs(1),
        system_proxy: false,
        ..ClientConfig::default()
    });
    match impatient.timestamp(&slow.url, &asked()).await {
        Err(error @ ClientError::TimedOut { .. }) => {
            assert!(error.to_string().contains(&slow.url), "{error}");
        }
        other => panic!("{other:?}"),
    }

    let garbage = FakeTsa::start(Arc::new(|_| Behaviour::Reply {
        status: 200,
        content_type: "text/html",
        body: b"<html>Welcome to nginx!</html>".to_vec(),
    }))
    .await;
    match client().timestamp(&garbage.url, &asked()).await {
        Err(ClientError::NotTimestampReply { content_type, .. }) => {
            assert_eq!(content_type, "text/html")
        }
        other => panic!("{other:?}"),
    }

    let failing = FakeTsa::start(Arc::new(|_| Behaviour::Reply {
        status: 500,
        content_type: "text/plain",
        body: b"internal error".to_vec(),
    }))
    .await;
    assert!(matches!(
        client().timestamp(&failing.url, &asked()).await,
        Err(ClientError::HttpStatus { status: 500, .. })
    ));

    let limit = 4096;
    let small = client_with(ClientConfig {
        max_reply_bytes: limit,
        timeout: Duration::from_secs(20),
        system_proxy: false,
        ..ClientConfig::default()
    });
    let announced = FakeTsa::start(Arc::new(move |_| reply(vec![0x30; limit + 1]))).await;
    assert!(matches!(
        small.timestamp(&announced.url, &asked()).await,
        Err(ClientError::TooLarge { .. })
    ));
    // The same without a Content-Length: the cap holds while reading.
    let streamed = FakeTsa::start(Arc::new(move |_| {
        let mut raw = b"HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nConnection: close\r\n\r\n".to_vec();
        raw.extend(vec![0x30; 10 * limit]);
        Behaviour::Raw(raw)
    }))
    .await;
    assert!(matches!(
        small.timestamp(&streamed.url, &asked()).await,
        Err(ClientError::TooLarge { .. })
    ));

    let rejecting = FakeTsa::start(Arc::new(|_| {
        reply(TimeStampResp::rejection(FailureInfo::TimeNotAvailable, "clock lost").unwrap())
    }))
    .await;
    match client().timestamp(&rejecting.url, &asked()).await {
        Err(error @ ClientError::Rejected { .. }) => {
            let text = error.to_string();
            assert!(
                text.contains("timeNotAvailable") && text.contains("clock lost"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }

    // "Granted" without a token.
    let empty = FakeTsa::start(Arc::new(|_| {
        reply(vec![0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00])
    }))
    .await;
    assert!(matches!(
        client().timestamp(&empty.url, &asked()).await,
        Err(ClientError::MissingToken)
    ));

    assert!(matches!(
        client().timestamp("ftp://127.0.0.1/tsa", &asked()).await,
        Err(ClientError::InvalidUrl { .. })
    ));
}

#[tokio::test]
async fn tokens_that_do_not_answer_the_request_are_refused() {
    let wrong_nonce = FakeTsa::start(answering(|made| {
        made.nonce = Some(Int::new(&[0x66; 8]).unwrap());
    }))
    .await;
    assert!(matches!(
        client().timestamp(&wrong_nonce.url, &asked()).await,
        Err(ClientError::WrongNonce { .. })
    ));
    let no_nonce = FakeTsa::start(answering(|made| made.nonce = None)).await;
    match client().timestamp(&no_nonce.url, &asked()).await {
        Err(ClientError::WrongNonce { found, .. }) => assert_eq!(found, "absent"),
        other => panic!("{other:?}"),
    }

    let wrong_imprint = FakeTsa::start(answering(|made| {
        made.imprint = support::other_imprint(&made.imprint);
    }))
    .await;
    assert!(matches!(
        client().timestamp(&wrong_imprint.url, &asked()).await,
        Err(ClientError::WrongImprint)
    ));

    let wrong_policy = FakeTsa::start(answering(|_| {})).await;
    let policy = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.7");
    assert!(matches!(
        client()
            .timestamp(&wrong_policy.url, &asked().with_policy(policy))
            .await,
        Err(ClientError::WrongPolicy { .. })
    ));
    // The honest fake itself is accepted: the refusals above are about the changes.
    assert!(
        client()
            .timestamp(&wrong_policy.url, &asked())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_bad_signature_or_a_certificate_without_the_eku_is_refused() {
    let pki = pki();
    let ca = pki.intermediate_authority().unwrap();
    let plain = ca
        .issue(&CertificateRequest::new("Not a TSA").key_usage(&[KeyUsage::DigitalSignature]))
        .unwrap();
    let no_eku = FakeTsa::start(answering_with(
        |_| {},
        Arc::new(support::signer_for(pki, &plain)),
    ))
    .await;
    match client().timestamp(&no_eku.url, &asked()).await {
        Err(ClientError::MissingEku(TsaCertificateError::MissingEku { subject })) => {
            assert_eq!(subject, "Not a TSA");
        }
        other => panic!("{other:?}"),
    }

    let signer = Arc::new(support::tsa_signer(pki));
    let broken = FakeTsa::start(Arc::new(move |body: Vec<u8>| {
        let request = TimeStampReq::from_der_bytes(&body).unwrap();
        let token = HandMade::answering(&request).sign(signer.as_ref());
        let parsed = vanthu::cms::TimeStampToken::parse(&token).unwrap();
        let signature = &parsed.signer().unwrap().signature;
        let start = token
            .windows(signature.len())
            .position(|window| window == signature.as_slice())
            .unwrap();
        let mut tampered = token.clone();
        tampered[start + signature.len() - 1] ^= 0x01;
        reply(TimeStampResp::granted(&tampered).unwrap())
    }))
    .await;
    assert!(matches!(
        client().timestamp(&broken.url, &asked()).await,
        Err(ClientError::BadSignature(_))
    ));
}

#[tokio::test]
async fn https_works_with_a_trusted_server_certificate_and_only_then() {
    let (fake, certificate) = FakeTsa::start_tls(answering(|_| {})).await;
    let trusting = client_with(ClientConfig {
        https_roots: vec![certificate],
        timeout: Duration::from_secs(20),
        system_proxy: false,
        ..ClientConfig::default()
    });
    let obtained = trusting
        .timestamp(&fake.url, &asked())
        .await
        .expect("token over HTTPS");
    assert_eq!(obtained.token.imprint_matches(DATA), Ok(true));
    match client().timestamp(&fake.url, &asked()).await {
        Err(ClientError::Unreachable { reason, .. }) => {
            assert!(reason.to_lowercase().contains("certificate"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_timestamper_gives_checked_tokens_in_process_and_over_http() {
    use vanthu::tsa::{RemoteTsa, Timestamper};
    let vanthu = Vanthu::start(true).await;
    let digest = DigestAlgorithm::Sha256.digest(DATA);
    let remote: Box<dyn Timestamper> = Box::new(RemoteTsa::new(client(), vanthu.tsa_url()));
    let local: Box<dyn Timestamper> = Box::new(support::authority());
    let store = trust(pki());
    let policy = ValidationPolicy::default();
    for timestamper in [remote, local] {
        let obtained = timestamper
            .timestamp(DigestAlgorithm::Sha256, &digest)
            .await
            .expect("token");
        assert!(obtained.token.tst_info.nonce.is_some());
        let validation = validate_token(
            &obtained.der,
            Covered::Data(DATA),
            &ValidationContext::new(&store, &policy),
        );
        assert!(validation.passed(), "{validation:#?}");
    }
    let rejected = support::authority()
        .timestamp(DigestAlgorithm::Sha1, &DigestAlgorithm::Sha1.digest(DATA))
        .await;
    assert!(matches!(
        rejected,
        Err(ClientError::Rejected { ref fail_info, .. }) if fail_info == &[FailureInfo::BadAlg]
    ));
}
