//! The real Vietnamese CA certificates (`../shared/trust-vn`) and the corpus trust roots.

use std::path::Path;
use std::sync::Arc;

use vanthu::pki::cert::Certificate;
use vanthu::pki::indication::SubIndication;
use vanthu::pki::path::{
    CertificateSource, PathRequest, PathValidation, Purpose, SourcedCertificate, ValidationTime,
    validate_path,
};
use vanthu::pki::policy::{AlgorithmPolicy, ValidationPolicy};
use vanthu::pki::trust::{Role, TrustStore, certificates_from_bytes};

use crate::common::{corpus_dir, require, trust_vn_dir};

/// Every certificate of a folder, by file name.
fn certificates(dir: &Path) -> Vec<(String, Certificate)> {
    let mut found = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("readable folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "pem"))
        .collect();
    entries.sort();
    for path in entries {
        let bytes = std::fs::read(&path).expect("readable file");
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default()
            .to_owned();
        for cert in certificates_from_bytes(&path, &bytes).expect("certificates parse") {
            found.push((name.clone(), cert));
        }
    }
    found
}

/// Roots as anchors, the CAs as intermediates (which is how a deployment would set it up).
fn trust_vn_store(dir: &Path) -> TrustStore {
    let mut store = TrustStore::new();
    for (name, cert) in certificates(dir) {
        let role = if name.starts_with("root_") {
            Role::Anchor
        } else {
            Role::Intermediate
        };
        store.add(cert, role);
    }
    store
}

fn validate_ca(
    store: &TrustStore,
    cert: &Certificate,
    policy: &ValidationPolicy,
    time: ValidationTime,
) -> PathValidation {
    let end_entity = SourcedCertificate {
        cert: Arc::new(cert.clone()),
        source: CertificateSource::Supplied,
    };
    validate_path(
        store,
        policy,
        &PathRequest {
            end_entity: &end_entity,
            untrusted: &[],
            crls: &[],
            purpose: Purpose::Any,
            time,
        },
    )
}

/// A time inside the validity of the certificate and of its issuers (all of these roots outlive
/// their CAs).
fn midpoint(cert: &Certificate) -> ValidationTime {
    let at = cert.not_before() + (cert.not_after() - cert.not_before()) / 2;
    ValidationTime::requested(at, at)
}

#[test]
fn every_trust_vn_certificate_loads_from_the_folder() {
    let Some(dir) = require("../shared/trust-vn", trust_vn_dir()) else {
        return;
    };
    // certs.tsv lists every certificate of the folder, one a line after the header.
    let listed = std::fs::read_to_string(dir.join("certs.tsv"))
        .expect("certs.tsv")
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .count();
    assert_eq!(listed, 19);
    let mut store = TrustStore::new();
    let summary = store.load_intermediates(&dir).expect("trust-vn loads");
    assert_eq!(summary.files, listed);
    assert_eq!(summary.certificates_added, listed);
    // README.md and certs.tsv are skipped by extension.
    let names: Vec<String> = store
        .intermediates()
        .iter()
        .map(|cert| cert.subject().short())
        .collect();
    assert!(
        names
            .iter()
            .any(|name| name == "RootCA chuyên dùng Chính phủ G2"),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|name| name == "CA phục vụ các cơ quan Nhà nước G2")
    );
}

#[test]
fn every_trust_vn_ca_chains_to_its_root() {
    let Some(dir) = require("../shared/trust-vn", trust_vn_dir()) else {
        return;
    };
    let store = trust_vn_store(&dir);
    assert_eq!(store.anchors().len(), 4);
    let legacy = ValidationPolicy {
        algorithms: AlgorithmPolicy::legacy_sha1(),
        ..ValidationPolicy::default()
    };
    let mut checked = 0;
    for (name, cert) in certificates(&dir) {
        if !name.starts_with("ca_") {
            continue;
        }
        let validation = validate_ca(&store, &cert, &legacy, midpoint(&cert));
        assert!(
            validation.passed(),
            "{name}: {:?} {:?}",
            validation.sub_indication,
            validation
                .problems()
                .map(|(position, problem)| (position, problem.kind.code()))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            validation.chain.len(),
            2,
            "{name} is directly under its root"
        );
        checked += 1;
    }
    assert_eq!(checked, 15);
}

#[test]
fn the_g2_intermediate_chains_to_the_g2_root_under_the_strict_policy() {
    let Some(dir) = require("../shared/trust-vn", trust_vn_dir()) else {
        return;
    };
    let store = trust_vn_store(&dir);
    let (_, g2) = certificates(&dir)
        .into_iter()
        .find(|(name, _)| name.starts_with("ca_CA_phuc_vu_cac_co_quan_Nha_nuoc_G2"))
        .expect("the G2 intermediate is in trust-vn");
    let at = time::macros::datetime!(2025-06-01 0:00 UTC);
    let validation = validate_ca(
        &store,
        &g2,
        &ValidationPolicy::default(),
        ValidationTime::requested(at, at),
    );
    assert!(validation.passed(), "{:?}", validation.sub_indication);
    let anchor = validation.anchor().expect("anchored");
    assert_eq!(
        anchor.subject,
        "CN=RootCA chuyên dùng Chính phủ G2, O=Ban Cơ yếu Chính phủ, C=VN"
    );
    assert_eq!(validation.chain[0].key_bits, 4096);
}

#[test]
fn sha1_era_cas_fail_the_strict_policy_and_expired_ones_are_out_of_bounds() {
    let Some(dir) = require("../shared/trust-vn", trust_vn_dir()) else {
        return;
    };
    let store = trust_vn_store(&dir);
    let all = certificates(&dir);
    let find = |prefix: &str| {
        all.iter()
            .find(|(name, _)| name.starts_with(prefix))
            .map(|(_, cert)| cert.clone())
            .expect("certificate present")
    };
    let government = find("ca_Co_quan_chung_thuc_so_Chinh_phu");
    let strict = validate_ca(
        &store,
        &government,
        &ValidationPolicy::default(),
        midpoint(&government),
    );
    assert_eq!(
        strict.sub_indication,
        Some(SubIndication::CryptoConstraintsFailure)
    );
    assert!(strict.has_problem("WEAK_DIGEST"));

    // Viettel-CA expired in 2020: validated in 2025 under the legacy policy, out of bounds.
    let viettel = find("ca_Viettel_CA");
    let at = time::macros::datetime!(2025-06-01 0:00 UTC);
    let legacy = ValidationPolicy {
        algorithms: AlgorithmPolicy::legacy_sha1(),
        ..ValidationPolicy::default()
    };
    let expired = validate_ca(&store, &viettel, &legacy, ValidationTime::requested(at, at));
    assert_eq!(
        expired.sub_indication,
        Some(SubIndication::OutOfBoundsNoPoe)
    );
}

#[test]
fn the_corpus_trust_roots_load_and_chain() {
    let Some(corpus) = require("../shared/corpus", corpus_dir()) else {
        return;
    };
    let trust = corpus.join("trust");
    let mut store = TrustStore::new();
    let root = trust.join("pyhanko-testing-ca-root.cert.pem");
    let summary = store.load_anchors(&root).expect("pyHanko root loads");
    assert_eq!(summary.certificates_added, 1);
    let intermediate_bytes =
        std::fs::read(trust.join("pyhanko-testing-ca-interm.cert.pem")).expect("readable");
    let intermediate = certificates_from_bytes(&trust, &intermediate_bytes)
        .expect("intermediate parses")
        .remove(0);
    let validation = validate_ca(
        &store,
        &intermediate,
        &ValidationPolicy::default(),
        midpoint(&intermediate),
    );
    assert!(validation.passed(), "{:?}", validation.sub_indication);
    let mut everything = TrustStore::new();
    let summary = everything
        .load_anchors(&trust)
        .expect("the corpus trust folder loads");
    assert_eq!(summary.certificates_added, 2);
}
