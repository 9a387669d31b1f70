//! PAdES B-T, B-LT and B-LTA through the library (`vanthu::ltv`): signing at each level and
//! extending signed documents, judged by our verifier and by the peers; a signature timestamp
//! that outlives the signer's certificate, and one that comes too late; archive renewal.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use vanthu::cms::{LocalKey, add_signature_timestamp, parse_signed_data, sign_detached};
use vanthu::crypto::DigestAlgorithm;
use vanthu::ltv::{self, Level, LtvError, Renewal, ValidationSources};
use vanthu::pades::SignOptions;
use vanthu::pdf::{Document, Limits, SignatureSpec, prepare_signature};
use vanthu::pki::crl::CrlSource;
use vanthu::pki::devpki::{CertificateRequest, KeyUsage};
use vanthu::pki::indication::{Indication, SubIndication};
use vanthu::tsa::Timestamper;
use vanthu::verify::Verifier;
use vanthu::verify::report::{
    FileIndication, FileReport, PadesLevel, RevocationState, SignatureKind,
};

use crate::common;
use crate::support::{self, HandMade, authority, pki, request, trust, write};

/// A one-page PDF.
pub fn simple_pdf() -> Vec<u8> {
    crate::peers::simple_pdf()
}

fn sources() -> ValidationSources {
    ValidationSources::new(Arc::new(trust(pki())), Vec::new())
}

fn timestamper() -> Arc<dyn Timestamper> {
    Arc::new(authority())
}

/// The one-page PDF signed by the test person at `level`, with the in-process TSA from B-T up.
async fn signed_at(level: Level) -> Vec<u8> {
    let timestamper = (level >= Level::BT).then(timestamper);
    ltv::sign(
        simple_pdf(),
        SignOptions::default(),
        person(),
        level,
        timestamper,
        &sources(),
    )
    .await
    .unwrap_or_else(|error| panic!("{level}: {error}"))
}

fn person() -> Arc<LocalKey> {
    let pki = pki();
    let username = pki.people.keys().next().expect("a person").clone();
    Arc::new(pki.person_signer(&username).unwrap())
}

fn verify(pdf: Vec<u8>) -> FileReport {
    Verifier::new(Arc::new(trust(pki()))).verify_bytes("signed.pdf", pdf)
}

/// The signature of a report (not a document timestamp).
fn signature_of(report: &FileReport) -> &vanthu::verify::report::SignatureReport {
    report
        .signatures
        .iter()
        .find(|signature| signature.kind != SignatureKind::DocumentTimestamp)
        .expect("a signature")
}

fn count_document_timestamps(report: &FileReport) -> usize {
    report
        .signatures
        .iter()
        .filter(|signature| signature.kind == SignatureKind::DocumentTimestamp)
        .count()
}

/// `peer-verify` trusting the test root: every peer accepts the file, and pyHanko reports each
/// signature timestamp and document timestamp intact, valid and trusted. `None` when the peers
/// are not installed (a failure under CI).
fn peers_accept(dir: &Path, name: &str, pdf: &[u8]) -> Option<serde_json::Value> {
    let peer_verify = common::require("peer-verify", common::peer_verify())?;
    write(dir, name, pdf);
    let root = write(dir, "root.pem", pki().root.certificate_pem());
    let output = Command::new(&peer_verify)
        .current_dir(dir)
        .arg("--json")
        .arg("--trust")
        .arg(&root)
        .arg(name)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "peer-verify: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    // pdfsig cannot check document timestamps ("Signature has not yet been verified."): every
    // other signature must be valid and trusted for it, and everything for pyHanko and qpdf.
    let pyhanko = report[0]["pyhanko"].as_array().unwrap();
    let pdfsig = report[0]["pdfsig"]["signatures"].as_array().unwrap();
    assert_eq!(pyhanko.len(), pdfsig.len(), "{report:#}");
    assert_eq!(report[0]["qpdf"]["clean"], true, "{report:#}");
    for (signature, poppler) in pyhanko.iter().zip(pdfsig) {
        assert_eq!(signature["intact"], true, "{report:#}");
        assert_eq!(signature["valid"], true, "{report:#}");
        assert_eq!(signature["trusted"], true, "{report:#}");
        assert_eq!(signature["bottom_line"], true, "{report:#}");
        if signature["kind"] == "document-timestamp" {
            assert_eq!(
                poppler["validation"], "Signature has not yet been verified.",
                "{report:#}"
            );
            continue;
        }
        assert_eq!(poppler["validation"], "Signature is Valid.", "{report:#}");
        assert_eq!(
            poppler["certificate"], "Certificate is Trusted.",
            "{report:#}"
        );
        if let Some(timestamp) = signature.get("timestamp").filter(|value| !value.is_null()) {
            assert_eq!(timestamp["intact"], true, "{report:#}");
            assert_eq!(timestamp["valid"], true, "{report:#}");
            assert_eq!(timestamp["trusted"], true, "{report:#}");
        }
    }
    Some(report)
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_at_each_level_reaches_it_and_the_peers_agree() {
    let folder = tempfile::tempdir().unwrap();
    for (level, expected) in [
        (Level::BT, PadesLevel::BT),
        (Level::BLt, PadesLevel::BLt),
        (Level::BLta, PadesLevel::BLta),
    ] {
        let signed = signed_at(level).await;
        assert!(signed.starts_with(&simple_pdf()), "{level}: incremental");
        let report = verify(signed.clone());
        assert_eq!(
            report.indication,
            FileIndication::TotalPassed,
            "{level}: {report:#?}"
        );
        let signature = &report.signatures[0];
        assert_eq!(signature.pades_level, expected, "{level}: {report:#?}");
        let timestamp = signature.timestamp.as_ref().expect("a signature timestamp");
        assert_eq!(timestamp.indication, Indication::TotalPassed);
        assert_eq!(
            count_document_timestamps(&report),
            usize::from(level == Level::BLta),
            "{level}"
        );
        let doc = Document::from_bytes(signed.clone()).unwrap();
        let dss = doc.latest().dss().unwrap();
        if level >= Level::BLt {
            let dss = dss.expect("a /DSS");
            // The signer's chain and the TSA's, anchors included, and both CRLs.
            assert!(dss.certs.contains(&pki().root.certificate));
            assert!(dss.certs.contains(&pki().intermediate.certificate));
            assert!(dss.certs.contains(&pki().tsa.certificate));
            assert!(dss.crls.contains(&pki().intermediate_crl));
            assert!(dss.crls.contains(&pki().root_crl));
            assert_eq!(dss.vri.len(), 1, "one /VRI entry for the one signature");
        } else {
            assert!(dss.is_none(), "B-T has no /DSS");
        }
        peers_accept(folder.path(), &format!("{level}.pdf"), &signed);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn extending_a_signed_pdf_keeps_its_signature_and_adds_proof() {
    let folder = tempfile::tempdir().unwrap();
    let signed = signed_at(Level::BB).await;
    let before = verify(signed.clone());
    assert_eq!(before.signatures[0].pades_level, PadesLevel::BB);
    assert!(before.signatures[0].timestamp.is_none());

    let lt = ltv::extend(
        signed.clone(),
        Level::BLt,
        None,
        &sources(),
        Limits::default(),
    )
    .await
    .unwrap();
    assert!(lt.starts_with(&signed));
    let dss = Document::from_bytes(lt.clone())
        .unwrap()
        .latest()
        .dss()
        .unwrap();
    assert!(dss.is_some_and(|dss| dss.crls.contains(&pki().intermediate_crl)));
    // Without a timestamp the validation data proves nothing about time: still B-B.
    assert_eq!(verify(lt.clone()).signatures[0].pades_level, PadesLevel::BB);

    let lta = ltv::extend(
        signed.clone(),
        Level::BLta,
        Some(timestamper()),
        &sources(),
        Limits::default(),
    )
    .await
    .unwrap();
    assert!(lta.starts_with(&signed));
    let report = verify(lta.clone());
    assert_eq!(
        report.indication,
        FileIndication::TotalPassed,
        "{report:#?}"
    );
    assert_eq!(count_document_timestamps(&report), 1);
    let signature = signature_of(&report);
    assert_eq!(signature.pades_level, PadesLevel::BLta, "{report:#?}");
    assert!(signature.intact);
    peers_accept(folder.path(), "extended.pdf", &lta);
}

#[tokio::test(flavor = "multi_thread")]
async fn what_cannot_be_extended_is_refused() {
    // A signature timestamp cannot be added after the fact.
    let error = ltv::extend(
        simple_pdf(),
        Level::BT,
        Some(timestamper()),
        &sources(),
        Limits::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, LtvError::LevelNotApplicable("B-T", _)),
        "{error}"
    );
    // Nothing to extend in an unsigned PDF.
    let error = ltv::extend(
        simple_pdf(),
        Level::BLt,
        None,
        &sources(),
        Limits::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, LtvError::Unsigned), "{error}");
    // B-LTA needs a TSA.
    let error = ltv::extend(
        simple_pdf(),
        Level::BLta,
        None,
        &sources(),
        Limits::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, LtvError::LevelNotApplicable("B-LTA", _)),
        "{error}"
    );
    // A signer the trust store does not know: no validation data can be vouched for.
    let signed = signed_at(Level::BB).await;
    let strangers =
        ValidationSources::new(Arc::new(support::trust(support::foreign_pki())), Vec::new());
    let error = ltv::extend(
        signed.clone(),
        Level::BLt,
        None,
        &strangers,
        Limits::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, LtvError::Untrusted { .. }), "{error}");
    // Trusted, but no CRL for the intermediate's leaves: B-LT would be a false promise.
    let mut without_crls = vanthu::pki::trust::TrustStore::new();
    without_crls
        .add_der(&pki().root.certificate, vanthu::pki::trust::Role::Anchor)
        .unwrap();
    let error = ltv::extend(
        signed,
        Level::BLt,
        None,
        &ValidationSources::new(Arc::new(without_crls), Vec::new()),
        Limits::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, LtvError::NoRevocationData { .. }),
        "{error}"
    );
}

/// A PDF signed "by another tool" with `credential`, whose signature timestamp says `gen_time`
/// (signed by the test TSA), claimed at `gen_time` too.
fn signed_by_hand(
    credential: &vanthu::pki::devpki::Credential,
    gen_time: OffsetDateTime,
) -> Vec<u8> {
    signed_by_hand_with_tsa(credential, gen_time, &support::tsa_signer(pki()))
}

/// As [`signed_by_hand`], the signature timestamp signed by `tsa`.
fn signed_by_hand_with_tsa(
    credential: &vanthu::pki::devpki::Credential,
    gen_time: OffsetDateTime,
    tsa: &LocalKey,
) -> Vec<u8> {
    let pki = pki();
    let signer = support::signer_for(pki, credential);
    let doc = Document::from_bytes(simple_pdf()).unwrap();
    let spec = SignatureSpec {
        signing_time: Some(gen_time),
        contents_capacity: 16 * 1024,
        ..SignatureSpec::new("Signature1")
    };
    let prepared = prepare_signature(&doc, &spec).unwrap();
    let mut hasher = DigestAlgorithm::Sha256.hasher();
    prepared.digest_with(|chunk| hasher.update(chunk));
    let cms = sign_detached(&signer, &hasher.finish()).unwrap();
    let signature_value = parse_signed_data(&cms).unwrap().signer_infos[0]
        .signature
        .clone();
    let mut token = HandMade::answering(&request(&signature_value, None, true));
    token.gen_time = gen_time;
    let token = token.sign(tsa);
    let cms = add_signature_timestamp(&cms, &token).unwrap();
    prepared.into_signed(&cms).unwrap()
}

fn short_lived(
    name: &str,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> vanthu::pki::devpki::Credential {
    pki()
        .intermediate_authority()
        .unwrap()
        .issue(
            &CertificateRequest::new(name)
                .organization("Viện kiểm sát nhân dân huyện A")
                .validity(from, to)
                .key_usage(&[KeyUsage::DigitalSignature, KeyUsage::NonRepudiation]),
        )
        .unwrap()
}

#[test]
fn a_timestamp_keeps_a_signature_valid_after_its_certificate_expires_and_only_then() {
    // The test PKI's CAs are an hour old: everything happens within that hour.
    let now = OffsetDateTime::now_utc();
    let stamped_at = now - Duration::minutes(40);

    // Expired twenty minutes ago; timestamped while it was valid.
    let expired_after = short_lived(
        "Expired After",
        now - Duration::minutes(50),
        now - Duration::minutes(20),
    );
    let report = verify(signed_by_hand(&expired_after, stamped_at));
    let signature = &report.signatures[0];
    assert_eq!(signature.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(signature.pades_level, PadesLevel::BT);
    assert_eq!(
        signature
            .timestamp
            .as_ref()
            .map(|timestamp| timestamp.gen_time.unix_timestamp()),
        Some(stamped_at.unix_timestamp())
    );

    // Expired before the timestamp: the timestamp proves the signature existed only when the
    // certificate no longer vouched for it.
    let expired_before = short_lived(
        "Expired Before",
        now - Duration::minutes(55),
        now - Duration::minutes(45),
    );
    let report = verify(signed_by_hand(&expired_before, stamped_at));
    let signature = &report.signatures[0];
    assert_eq!(
        signature.indication,
        Indication::Indeterminate,
        "{report:#?}"
    );
    assert_eq!(
        signature.sub_indication,
        Some(SubIndication::OutOfBoundsNoPoe),
        "{report:#?}"
    );
    assert!(
        signature.intact,
        "the bytes are intact; the certificate is the problem"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn renewal_adds_a_document_timestamp_when_the_tsa_certificate_nears_expiry() {
    let signed = signed_at(Level::BLta).await;
    let doc = Document::from_bytes(signed.clone()).unwrap();
    let now = OffsetDateTime::now_utc();
    let last = ltv::last_timestamp(&doc, &sources())
        .unwrap()
        .expect("a timestamp");
    assert!(
        last.document_timestamp,
        "the document timestamp is the latest"
    );
    let tsa_not_after = last
        .tsa_not_after
        .expect("the TSA certificate is in the token");
    let until_expiry = tsa_not_after - now;

    // A margin shorter than what is left: nothing to do.
    let margin = until_expiry - Duration::days(1);
    match ltv::renewal(&doc, &sources(), margin, now).unwrap() {
        Renewal::NotDue { renew_after, .. } => {
            assert_eq!(renew_after, tsa_not_after - margin);
        }
        other => panic!("expected NotDue, got {other:?}"),
    }
    // A margin longer than what is left: due.
    let renewal = ltv::renewal(&doc, &sources(), until_expiry + Duration::days(1), now).unwrap();
    assert!(renewal.is_due(), "{renewal:?}");

    let renewed = ltv::renew(
        signed.clone(),
        Some(last.clone()),
        timestamper(),
        &sources(),
        Limits::default(),
    )
    .await
    .unwrap();
    assert!(renewed.starts_with(&signed));
    let report = verify(renewed.clone());
    assert_eq!(
        report.indication,
        FileIndication::TotalPassed,
        "{report:#?}"
    );
    assert_eq!(count_document_timestamps(&report), 2);
    let renewed_doc = Document::from_bytes(renewed).unwrap();
    let newest = ltv::last_timestamp(&renewed_doc, &sources())
        .unwrap()
        .unwrap();
    assert!(newest.gen_time >= last.gen_time);
    assert_ne!(newest.field, last.field, "a new document timestamp field");
    // The first document timestamp's validation data went in before the new one covered it.
    let dss = renewed_doc.latest().dss().unwrap().unwrap();
    assert!(
        dss.vri.len() >= 2,
        "a /VRI entry for the signature and the old timestamp"
    );

    // Unsigned and never-timestamped documents.
    let unsigned = Document::from_bytes(simple_pdf()).unwrap();
    assert!(matches!(
        ltv::renewal(&unsigned, &sources(), Duration::days(90), now).unwrap(),
        Renewal::Unsigned
    ));
    let plain = signed_at(Level::BB).await;
    let plain = Document::from_bytes(plain).unwrap();
    assert!(matches!(
        ltv::renewal(&plain, &sources(), Duration::days(90), now).unwrap(),
        Renewal::NotTimestamped
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn renewing_a_b_t_document_stores_the_signer_data_before_the_archive_timestamp() {
    let signed = signed_at(Level::BT).await;
    let last = ltv::last_timestamp(&Document::from_bytes(signed.clone()).unwrap(), &sources())
        .unwrap()
        .expect("the signature timestamp");
    assert!(!last.document_timestamp);
    let renewed = ltv::renew(
        signed.clone(),
        Some(last),
        timestamper(),
        &sources(),
        Limits::default(),
    )
    .await
    .unwrap();
    let doc = Document::from_bytes(renewed.clone()).unwrap();
    let dss = doc.latest().dss().unwrap().expect("a /DSS");
    // The signer's chain and CRLs (not only the TSA's), under the signature's /VRI key.
    assert!(dss.crls.contains(&pki().intermediate_crl));
    let signature_contents = Document::from_bytes(signed)
        .unwrap()
        .latest()
        .signature_fields()
        .unwrap()[0]
        .signature
        .as_ref()
        .unwrap()
        .dict
        .get(b"Contents")
        .and_then(|contents| contents.as_string())
        .unwrap()
        .bytes
        .clone();
    let entry = &dss.vri[&vanthu::pdf::vri_key(&signature_contents)];
    assert!(entry.certs.contains(&pki().intermediate.certificate));
    let report = verify(renewed);
    assert_eq!(
        report.indication,
        FileIndication::TotalPassed,
        "{report:#?}"
    );
    assert_eq!(count_document_timestamps(&report), 1);
}

#[test]
fn a_timestamp_that_does_not_validate_never_postpones_renewal() {
    // A signature timestamp by a TSA nobody trusts, claiming to be fresh, with a certificate
    // valid for years: renewal must not believe it.
    let now = OffsetDateTime::now_utc();
    let signer = short_lived(
        "Fresh Signer",
        now - Duration::minutes(5),
        now + Duration::days(30),
    );
    let untrusted_tsa = support::tsa_signer(support::foreign_pki());
    let signed = signed_by_hand_with_tsa(&signer, now, &untrusted_tsa);
    let doc = Document::from_bytes(signed).unwrap();
    assert!(ltv::last_timestamp(&doc, &sources()).unwrap().is_none());
    assert!(matches!(
        ltv::renewal(&doc, &sources(), Duration::days(1), now).unwrap(),
        Renewal::NotTimestamped
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_b_lt_document_validates_offline_from_its_own_dss() {
    let signed = signed_at(Level::BLt).await;
    // A verifier that knows the root and nothing else: no intermediates, no CRLs.
    let mut root_only = vanthu::pki::trust::TrustStore::new();
    root_only
        .add_der(&pki().root.certificate, vanthu::pki::trust::Role::Anchor)
        .unwrap();
    let report = Verifier::new(Arc::new(root_only)).verify_bytes("lt.pdf", signed.clone());
    assert_eq!(
        report.indication,
        FileIndication::TotalPassed,
        "{report:#?}"
    );
    let signature = &report.signatures[0];
    let revocation = signature.revocation.as_ref().expect("a revocation report");
    assert_eq!(revocation.status, RevocationState::Good, "{report:#?}");
    assert!(revocation.sources.contains(&CrlSource::Dss), "{report:#?}");

    // The same signature without the /DSS update: the status is unknown to that verifier.
    let doc = Document::from_bytes(signed.clone()).unwrap();
    let signed_revision_end = doc.revisions()[doc.revisions().len() - 2].eof_offset() as usize;
    let without_dss = signed[..signed_revision_end].to_vec();
    let mut root_only = vanthu::pki::trust::TrustStore::new();
    root_only
        .add_der(&pki().root.certificate, vanthu::pki::trust::Role::Anchor)
        .unwrap();
    let report = Verifier::new(Arc::new(root_only)).verify_bytes("t.pdf", without_dss);
    let revocation = report.signatures[0].revocation.as_ref().unwrap();
    assert_ne!(revocation.status, RevocationState::Good, "{report:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tsa_that_misbehaves_stops_the_signature_and_nothing_is_returned() {
    use crate::fakes::{FakeTsa, reply};
    use vanthu::tsa::{ClientConfig, RemoteTsa, TsaClient};

    let wrong_imprint = FakeTsa::start(crate::client::answering(|made| {
        made.imprint = support::other_imprint(&made.imprint);
    }))
    .await;
    let garbage = FakeTsa::start(Arc::new(|_| reply(b"no timestamp here".to_vec()))).await;
    let signed = signed_at(Level::BB).await;
    for url in [&wrong_imprint.url, &garbage.url] {
        let client = TsaClient::new(ClientConfig {
            system_proxy: false,
            ..ClientConfig::default()
        })
        .unwrap();
        let remote: Arc<dyn Timestamper> = Arc::new(RemoteTsa::new(client, url.clone()));
        let error = ltv::sign(
            simple_pdf(),
            SignOptions::default(),
            person(),
            Level::BT,
            Some(remote.clone()),
            &sources(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                error,
                LtvError::Signing(vanthu::pades::PadesError::Extension(_))
            ),
            "{url}: {error}"
        );
        let error = ltv::extend(
            signed.clone(),
            Level::BLta,
            Some(remote),
            &sources(),
            Limits::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(error, LtvError::Timestamp(_)), "{url}: {error}");
    }
}

/// Appends a document timestamp whose token says `gen_time`, signed by the test TSA.
fn document_timestamp_by_hand(pdf: Vec<u8>, gen_time: OffsetDateTime) -> Vec<u8> {
    let doc = Document::from_bytes(pdf).unwrap();
    let prepared = vanthu::pdf::prepare_document_timestamp(&doc, "DocTimeStamp1").unwrap();
    let mut hasher = DigestAlgorithm::Sha256.hasher();
    prepared.digest_with(|chunk| hasher.update(chunk));
    let asked =
        vanthu::tsa::TimeStampReq::new(DigestAlgorithm::Sha256, &hasher.finish(), None, None, true)
            .unwrap();
    let mut token = HandMade::answering(&asked);
    token.gen_time = gen_time;
    prepared
        .into_signed(&token.sign(&support::tsa_signer(pki())))
        .unwrap()
}

#[test]
fn an_archive_timestamp_keeps_an_expired_tsa_and_signer_valid() {
    // Within the test PKI's hour: a signer certificate and a TSA certificate that have both
    // expired; the signature was timestamped while both were valid, and a document timestamp
    // by a valid TSA covered it before the old TSA certificate expired.
    let now = OffsetDateTime::now_utc();
    let signer = short_lived(
        "Archived Signer",
        now - Duration::minutes(50),
        now - Duration::minutes(35),
    );
    let signed = signed_by_hand_with_tsa(&signer, now - Duration::minutes(40), &retired_tsa(now));

    // Alone, the signature timestamp proves nothing today: its TSA certificate has expired,
    // and so the expired signer certificate cannot be saved.
    let report = verify(signed.clone());
    let signature = &report.signatures[0];
    assert_ne!(signature.indication, Indication::TotalPassed, "{report:#?}");
    assert_ne!(
        signature
            .timestamp
            .as_ref()
            .map(|timestamp| timestamp.indication),
        Some(Indication::TotalPassed),
        "{report:#?}"
    );

    // With the archive timestamp made at -30 min, the old TSA's chain is judged then (valid),
    // the signature timestamp proves -40 min, and the signer certificate was valid then.
    let archived = document_timestamp_by_hand(signed, now - Duration::minutes(30));
    let report = verify(archived);
    assert_eq!(
        report.indication,
        FileIndication::TotalPassed,
        "{report:#?}"
    );
    let signature = signature_of(&report);
    assert_eq!(
        signature
            .timestamp
            .as_ref()
            .map(|timestamp| timestamp.indication),
        Some(Indication::TotalPassed),
        "{report:#?}"
    );
    assert_eq!(signature.pades_level, PadesLevel::BT, "no /DSS: not B-LT");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deferred_signature_completes_at_b_lta() {
    use vanthu::cms::Signer;
    use vanthu::pades::{Prepared, TokenResponse, prepare};

    // The token's key stays with the token: the server holds the certificate and chain only.
    let token = person();
    let Prepared { pending, pdf } = prepare(
        simple_pdf(),
        &SignOptions::default(),
        token.certificate(),
        token.chain(),
        None,
    )
    .unwrap();
    let signature = token.sign(&pending.signed_attributes).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let signed = ltv::complete(
        pending,
        pdf,
        TokenResponse::Signature(signature),
        Vec::new(),
        Level::BLta,
        Some(timestamper()),
        &sources(),
        Limits::default(),
    )
    .await
    .unwrap();
    let report = verify(signed.clone());
    assert_eq!(
        report.indication,
        FileIndication::TotalPassed,
        "{report:#?}"
    );
    let signature = signature_of(&report);
    assert_eq!(signature.pades_level, PadesLevel::BLta, "{report:#?}");
    assert!(signature.timestamp.is_some(), "a signature timestamp");
    peers_accept(folder.path(), "deferred.pdf", &signed);
}

/// A document timestamp by a valid TSA at `gen_time` whose `/ByteRange` skips the file's first
/// `skip` bytes: its token is genuine over the bytes it names, which are not its revision.
fn partial_document_timestamp(pdf: Vec<u8>, gen_time: OffsetDateTime, skip: u64) -> Vec<u8> {
    let doc = Document::from_bytes(pdf).unwrap();
    let prepared = vanthu::pdf::prepare_document_timestamp(&doc, "DocTimeStamp1").unwrap();
    let [_, gap_start, gap_end, tail] = prepared.byte_range();
    let contents = prepared.contents_span();
    let mut bytes = prepared.bytes().to_vec();
    let written = format!("[0 {gap_start} {gap_end} {tail}]");
    let position = bytes
        .windows(written.len())
        .rposition(|window| window == written.as_bytes())
        .unwrap();
    let forged = format!("[{skip} {} {gap_end} {tail}]", gap_start - skip);
    let width = "[0 9999999999 9999999999 9999999999]".len();
    let slot = &mut bytes[position..position + width];
    slot.fill(b' ');
    slot[..forged.len()].copy_from_slice(forged.as_bytes());
    let mut hasher = DigestAlgorithm::Sha256.hasher();
    hasher.update(&bytes[skip as usize..gap_start as usize]);
    hasher.update(&bytes[gap_end as usize..]);
    let asked =
        vanthu::tsa::TimeStampReq::new(DigestAlgorithm::Sha256, &hasher.finish(), None, None, true)
            .unwrap();
    let mut token = HandMade::answering(&asked);
    token.gen_time = gen_time;
    let hex = hex::encode_upper(token.sign(&support::tsa_signer(pki())));
    bytes[contents.start + 1..contents.start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    bytes
}

#[test]
fn a_document_timestamp_over_other_bytes_proves_nothing_about_the_revision() {
    // The archive scenario of the test above, with a document timestamp whose token is genuine
    // but whose /ByteRange skips the file's first bytes: it must not lend its time.
    let now = OffsetDateTime::now_utc();
    let signer = short_lived(
        "Archived Signer",
        now - Duration::minutes(50),
        now - Duration::minutes(35),
    );
    let signed = signed_by_hand_with_tsa(&signer, now - Duration::minutes(40), &retired_tsa(now));
    let forged = partial_document_timestamp(signed, now - Duration::minutes(30), 9);
    let report = verify(forged);
    let timestamp = report
        .signatures
        .iter()
        .find(|signature| signature.kind == SignatureKind::DocumentTimestamp)
        .unwrap();
    assert_eq!(timestamp.indication, Indication::TotalFailed, "{report:#?}");
    let signature = signature_of(&report);
    assert_ne!(signature.indication, Indication::TotalPassed, "{report:#?}");
    assert!(
        !signature
            .findings
            .iter()
            .any(|finding| finding.code.as_str() == "DOCUMENT_TIMESTAMP_COVERS"),
        "{report:#?}"
    );
}

/// A TSA whose certificate was valid from 50 to 20 minutes before `now`.
fn retired_tsa(now: OffsetDateTime) -> LocalKey {
    let credential = pki()
        .intermediate_authority()
        .unwrap()
        .issue(
            &CertificateRequest::new("Retired TSA")
                .key_usage(&[KeyUsage::DigitalSignature])
                .time_stamping()
                .validity(now - Duration::minutes(50), now - Duration::minutes(20)),
        )
        .unwrap();
    support::signer_for(pki(), &credential)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dss_without_the_signature_data_is_not_b_lt() {
    let signed = signed_at(Level::BT).await;
    // A /DSS holding only an unrelated certificate: something is there, not what validates.
    let doc = Document::from_bytes(signed).unwrap();
    let unrelated = vanthu::pdf::DssUpdate {
        certs: vec![support::foreign_pki().root.certificate.clone()],
        ..Default::default()
    };
    let with_dss = vanthu::pdf::append_dss(&doc, &unrelated).unwrap();
    let report = verify(with_dss);
    assert_eq!(
        report.signatures[0].pades_level,
        PadesLevel::BT,
        "{report:#?}"
    );
}
