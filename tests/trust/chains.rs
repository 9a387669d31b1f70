//! Path building and validation on chains made for each rule.

use rcgen::KeyUsagePurpose;
use time::macros::datetime;

use vanthu::pki::indication::{Indication, SubIndication};
use vanthu::pki::path::{
    CertificateSource, PathRequest, PathValidation, Purpose, SourcedCertificate, ValidationTime,
    validate_path,
};
use vanthu::pki::policy::{AlgorithmPolicy, ValidationPolicy};
use vanthu::pki::trust::{Role, TrustStore};

use super::pki::{AT, Digest, Hierarchy, Made, NOW, Spec, TestKey, critical_eku};

fn store_with(root: &Made, intermediates: &[&Made]) -> TrustStore {
    let mut store = TrustStore::new();
    assert!(store.add(root.cert(), Role::Anchor));
    for intermediate in intermediates {
        store.add(intermediate.cert(), Role::Intermediate);
    }
    store
}

fn validate_with(
    store: &TrustStore,
    policy: &ValidationPolicy,
    leaf: &Made,
    untrusted: &[SourcedCertificate],
    time: ValidationTime,
    purpose: Purpose,
) -> PathValidation {
    let end_entity = leaf.sourced(CertificateSource::Cms);
    validate_path(
        store,
        policy,
        &PathRequest {
            end_entity: &end_entity,
            untrusted,
            crls: &[],
            purpose,
            time,
        },
    )
}

fn validate(store: &TrustStore, leaf: &Made, untrusted: &[SourcedCertificate]) -> PathValidation {
    validate_with(
        store,
        &ValidationPolicy::default(),
        leaf,
        untrusted,
        ValidationTime::requested(AT, NOW),
        Purpose::DocumentSigning,
    )
}

fn codes(validation: &PathValidation) -> Vec<&'static str> {
    validation
        .problems()
        .filter(|(_, problem)| problem.sub_indication.is_some())
        .map(|(_, problem)| problem.kind.code())
        .collect()
}

#[test]
fn a_complete_chain_passes_with_details_per_certificate() {
    let pki = Hierarchy::new();
    let store = store_with(&pki.root, &[]);
    let validation = validate(
        &store,
        &pki.leaf,
        &[pki.intermediate.sourced(CertificateSource::Cms)],
    );
    assert_eq!(
        validation.indication,
        Indication::TotalPassed,
        "{:?}",
        codes(&validation)
    );
    assert_eq!(validation.sub_indication, None);
    assert!(validation.anchored);
    assert_eq!(validation.chain.len(), 3);
    let sources: Vec<_> = validation
        .chain
        .iter()
        .map(|element| element.source)
        .collect();
    assert_eq!(
        sources,
        [
            CertificateSource::Cms,
            CertificateSource::Cms,
            CertificateSource::Anchor
        ]
    );
    let leaf = &validation.chain[0];
    assert!(
        leaf.subject
            .starts_with("CN=Nguyễn Văn Kiểm, O=Viện Kiểm sát"),
        "{}",
        leaf.subject
    );
    assert_eq!(leaf.issuer, validation.chain[1].subject);
    assert_eq!(leaf.serial, format!("{:X}", pki.leaf.serial()));
    assert_eq!(leaf.sha256, pki.leaf.cert().sha256_hex());
    assert_eq!(leaf.key_bits, 256);
    assert_eq!(
        leaf.key_usage.as_deref(),
        Some(&["digitalSignature".to_owned(), "nonRepudiation".to_owned()][..])
    );
    assert_eq!(
        validation.anchor().map(|anchor| anchor.subject.as_str()),
        Some(pki.root.cert().subject().to_string().as_str())
    );
    // No CRL anywhere: soft-fail by default, reported as a note on each non-anchor certificate.
    assert!(validation.has_problem("REVOCATION_UNKNOWN"));
}

#[test]
fn a_missing_intermediate_is_completed_from_the_store_or_the_chain_is_not_found() {
    let pki = Hierarchy::new();
    let with_intermediate = store_with(&pki.root, &[&pki.intermediate]);
    let validation = validate(&with_intermediate, &pki.leaf, &[]);
    assert!(validation.passed(), "{:?}", codes(&validation));
    assert_eq!(validation.chain[1].source, CertificateSource::Store);

    let without = store_with(&pki.root, &[]);
    let validation = validate(&without, &pki.leaf, &[]);
    assert_eq!(validation.indication, Indication::Indeterminate);
    assert_eq!(
        validation.sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
    assert!(!validation.anchored);
    assert_eq!(validation.chain.len(), 1);
    assert!(validation.has_problem("ISSUER_NOT_FOUND"));
}

#[test]
fn expiry_is_out_of_bounds_after_and_valid_before() {
    let pki = Hierarchy::new();
    let store = store_with(&pki.root, &[&pki.intermediate]);
    let policy = ValidationPolicy::default();
    let before = validate_with(
        &store,
        &policy,
        &pki.leaf,
        &[],
        ValidationTime::requested(datetime!(2026-12-31 23:00 UTC), NOW),
        Purpose::DocumentSigning,
    );
    assert!(before.passed(), "{:?}", codes(&before));
    let after = validate_with(
        &store,
        &policy,
        &pki.leaf,
        &[],
        ValidationTime::requested(datetime!(2027-01-02 0:00 UTC), NOW),
        Purpose::DocumentSigning,
    );
    assert_eq!(after.sub_indication, Some(SubIndication::OutOfBoundsNoPoe));
    assert_eq!(after.indication, Indication::Indeterminate);
    assert_eq!(codes(&after), ["CERT_EXPIRED"]);
    // Even with a timestamp proving the signature existed then (issue 5).
    let proven = validate_with(
        &store,
        &policy,
        &pki.leaf,
        &[],
        ValidationTime::proven(datetime!(2027-01-02 0:00 UTC), NOW),
        Purpose::DocumentSigning,
    );
    assert_eq!(proven.sub_indication, Some(SubIndication::OutOfBoundsNoPoe));
}

#[test]
fn not_yet_valid_is_out_of_bounds_unless_proven_before_issuance() {
    let pki = Hierarchy::new();
    let store = store_with(&pki.root, &[&pki.intermediate]);
    let policy = ValidationPolicy::default();
    let early = datetime!(2023-06-01 0:00 UTC);
    let requested = validate_with(
        &store,
        &policy,
        &pki.leaf,
        &[],
        ValidationTime::requested(early, NOW),
        Purpose::DocumentSigning,
    );
    assert_eq!(
        requested.sub_indication,
        Some(SubIndication::OutOfBoundsNoPoe)
    );
    assert!(requested.has_problem("CERT_NOT_YET_VALID"));
    let proven = validate_with(
        &store,
        &policy,
        &pki.leaf,
        &[],
        ValidationTime::proven(early, NOW),
        Purpose::DocumentSigning,
    );
    assert_eq!(proven.indication, Indication::TotalFailed);
    assert_eq!(proven.sub_indication, Some(SubIndication::NotYetValid));
}

#[test]
fn a_forged_issuer_signature_is_a_chain_failure() {
    let pki = Hierarchy::new();
    // Same name as the real intermediate, another key: it signs the forged leaf.
    let impostor = pki.root.issue(
        Spec::ca("CA phục vụ các cơ quan Nhà nước (thử nghiệm)"),
        TestKey::ecdsa(),
    );
    let forged = impostor.issue(Spec::leaf("Kẻ mạo danh"), TestKey::ecdsa());
    let store = store_with(&pki.root, &[&pki.intermediate]);
    let validation = validate(&store, &forged, &[]);
    assert_eq!(validation.indication, Indication::Indeterminate);
    assert_eq!(
        validation.sub_indication,
        Some(SubIndication::CertificateChainGeneralFailure)
    );
    assert_eq!(codes(&validation), ["CERT_SIGNATURE_INVALID"]);
}

#[test]
fn an_impostor_whose_key_does_not_verify_is_passed_over() {
    let pki = Hierarchy::new();
    // Same name as the real intermediate, another key; no authorityKeyIdentifier on the leaf to
    // tell them apart, and the impostor sits in the store, which is searched first.
    let impostor = pki.root.issue(
        Spec::ca("CA phục vụ các cơ quan Nhà nước (thử nghiệm)"),
        TestKey::ecdsa(),
    );
    let mut spec = Spec::leaf("Leaf without AKI");
    spec.authority_key_id = false;
    let leaf = pki.intermediate.issue(spec, TestKey::ecdsa());
    assert_eq!(leaf.cert().authority_key_id(), None);
    let store = store_with(&pki.root, &[&impostor]);
    let validation = validate(
        &store,
        &leaf,
        &[pki.intermediate.sourced(CertificateSource::Cms)],
    );
    assert!(validation.passed(), "{:?}", codes(&validation));
    assert_eq!(
        validation.chain[1].sha256,
        pki.intermediate.cert().sha256_hex()
    );
    assert_eq!(validation.chain[1].source, CertificateSource::Cms);
}

#[test]
fn backtracking_abandons_dead_ends_and_failing_paths() {
    let pki = Hierarchy::new();
    let intermediate_spec = pki.intermediate.spec.clone();
    // Two other certificates for the intermediate's own name and key, so both verify the leaf:
    // one issued by a root nobody trusts (a dead end), one by the trusted root but unable to sign
    // certificates (a complete path that fails). The real intermediate is offered last.
    let stranger = Made::root(Spec::ca("Untrusted cross-signer"), TestKey::ecdsa());
    let mut cross_spec = intermediate_spec.clone();
    cross_spec.serial += 700_000;
    let dead_end = stranger.issue_der(&cross_spec, &pki.intermediate.key);
    let mut crippled_spec = intermediate_spec;
    crippled_spec.serial += 800_000;
    crippled_spec.key_usages = vec![KeyUsagePurpose::CrlSign];
    let crippled = pki.root.issue_der(&crippled_spec, &pki.intermediate.key);
    let offered = |der: &[u8]| {
        SourcedCertificate::new(
            vanthu::pki::cert::Certificate::from_der(der).expect("parses"),
            CertificateSource::Cms,
        )
    };
    let store = store_with(&pki.root, &[]);
    let validation = validate(
        &store,
        &pki.leaf,
        &[
            offered(&dead_end),
            offered(&crippled),
            pki.intermediate.sourced(CertificateSource::Cms),
        ],
    );
    assert!(validation.passed(), "{:?}", codes(&validation));
    assert_eq!(
        validation.chain[1].sha256,
        pki.intermediate.cert().sha256_hex()
    );
    // The crippled path was evaluated and abandoned; the dead end never reached an anchor.
    assert_eq!(validation.paths_considered, 2);
}

#[test]
fn an_issuer_without_key_cert_sign_breaks_the_chain_constraints() {
    let root = Made::root(Spec::ca("Root KU"), TestKey::ecdsa());
    let mut spec = Spec::ca("CA without keyCertSign");
    spec.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::CrlSign];
    let intermediate = root.issue(spec, TestKey::ecdsa());
    let leaf = intermediate.issue(Spec::leaf("Leaf KU"), TestKey::ecdsa());
    let store = store_with(&root, &[&intermediate]);
    let validation = validate(&store, &leaf, &[]);
    assert_eq!(
        validation.sub_indication,
        Some(SubIndication::ChainConstraintsFailure)
    );
    assert_eq!(codes(&validation), ["ISSUER_MISSING_KEY_CERT_SIGN"]);
}

#[test]
fn an_end_entity_used_as_issuer_is_not_a_ca() {
    let pki = Hierarchy::new();
    let mut spec = Spec::leaf("Issued by a leaf");
    spec.serial += 100_000;
    let below_leaf = pki.leaf.issue(spec, TestKey::ecdsa());
    let store = store_with(&pki.root, &[&pki.intermediate, &pki.leaf]);
    let validation = validate(&store, &below_leaf, &[]);
    assert_eq!(
        validation.sub_indication,
        Some(SubIndication::ChainConstraintsFailure)
    );
    assert!(validation.has_problem("ISSUER_NOT_CA"));
}

#[test]
fn path_length_constraint_is_enforced() {
    let root = Made::root(Spec::ca("Root pathLen"), TestKey::ecdsa());
    let mut constrained = Spec::ca("Policy CA pathLen 0");
    constrained.ca = Some(Some(0));
    let policy_ca = root.issue(constrained, TestKey::ecdsa());
    let issuing_ca = policy_ca.issue(Spec::ca("Issuing CA below pathLen 0"), TestKey::ecdsa());
    let leaf = issuing_ca.issue(Spec::leaf("Leaf pathLen"), TestKey::ecdsa());
    let store = store_with(&root, &[&policy_ca, &issuing_ca]);
    let validation = validate(&store, &leaf, &[]);
    assert_eq!(
        validation.sub_indication,
        Some(SubIndication::ChainConstraintsFailure)
    );
    assert_eq!(codes(&validation), ["PATH_LENGTH_EXCEEDED"]);

    // pathLen 0 directly above the leaf is fine.
    let direct = policy_ca.issue(Spec::leaf("Leaf directly below"), TestKey::ecdsa());
    assert!(validate(&store, &direct, &[]).passed());
}

#[test]
fn a_certificate_loop_terminates_without_a_chain() {
    // X is issued by Y and Y by X (each with its own key); the leaf is issued by X; no anchor
    // is reachable.
    let x = Made::root(Spec::ca("Loop X"), TestKey::ecdsa());
    let y = Made::root(Spec::ca("Loop Y"), TestKey::ecdsa());
    let x_by_y = y.issue_der(&Spec::ca("Loop X"), &x.key);
    let y_by_x = x.issue_der(&Spec::ca("Loop Y"), &y.key);
    let leaf = x.issue(Spec::leaf("Leaf in a loop"), TestKey::ecdsa());
    let sourced = |der: &[u8]| {
        SourcedCertificate::new(
            vanthu::pki::cert::Certificate::from_der(der).expect("parses"),
            CertificateSource::Cms,
        )
    };
    let unrelated_root = Made::root(Spec::ca("Unrelated root"), TestKey::ecdsa());
    let store = store_with(&unrelated_root, &[]);
    let validation = validate(&store, &leaf, &[sourced(&x_by_y), sourced(&y_by_x)]);
    assert_eq!(
        validation.sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
    assert_eq!(validation.chain.len(), 3);
    assert_eq!(codes(&validation), ["ISSUER_NOT_FOUND"]);
}

#[test]
fn paths_longer_than_the_policy_allows_are_not_built() {
    let root = Made::root(Spec::ca("Deep root"), TestKey::ecdsa());
    let mut issuers = vec![root];
    for depth in 0..9 {
        let next = issuers
            .last()
            .expect("an issuer")
            .issue(Spec::ca(&format!("Deep CA {depth}")), TestKey::ecdsa());
        issuers.push(next);
    }
    let leaf = issuers
        .last()
        .expect("an issuer")
        .issue(Spec::leaf("Deep leaf"), TestKey::ecdsa());
    let mut store = TrustStore::new();
    store.add(issuers[0].cert(), Role::Anchor);
    for ca in &issuers[1..] {
        store.add(ca.cert(), Role::Intermediate);
    }
    let validation = validate(&store, &leaf, &[]);
    assert_eq!(
        validation.sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
    assert!(validation.has_problem("PATH_TOO_LONG"));
    assert_eq!(
        validation.chain.len(),
        ValidationPolicy::default().max_path_length
    );
}

#[test]
fn a_sha1_signed_intermediate_fails_the_crypto_constraints_unless_allowed() {
    let root = Made::root(Spec::ca("Root RSA"), TestKey::rsa_shared());
    let intermediate = root.issue_sha1(Spec::ca("CA signed with SHA-1"), TestKey::ecdsa());
    assert_eq!(
        intermediate.cert().signature_algorithm_oid(),
        "1.2.840.113549.1.1.5"
    );
    let leaf = intermediate.issue(Spec::leaf("Leaf under SHA-1 CA"), TestKey::ecdsa());
    let store = store_with(&root, &[&intermediate]);
    let strict = validate(&store, &leaf, &[]);
    assert_eq!(strict.indication, Indication::Indeterminate);
    assert_eq!(
        strict.sub_indication,
        Some(SubIndication::CryptoConstraintsFailure)
    );
    assert_eq!(codes(&strict), ["WEAK_DIGEST"]);
    assert_eq!(strict.chain[1].problems[0].kind.code(), "WEAK_DIGEST");

    let legacy = ValidationPolicy {
        algorithms: AlgorithmPolicy::legacy_sha1(),
        ..ValidationPolicy::default()
    };
    let allowed = validate_with(
        &store,
        &legacy,
        &leaf,
        &[],
        ValidationTime::requested(AT, NOW),
        Purpose::DocumentSigning,
    );
    assert!(allowed.passed(), "{:?}", codes(&allowed));
}

#[test]
fn an_rsa_1024_leaf_fails_the_crypto_constraints() {
    let pki = Hierarchy::new();
    let weak = pki
        .intermediate
        .issue(Spec::leaf("RSA 1024 signer"), TestKey::rsa(1024));
    let store = store_with(&pki.root, &[&pki.intermediate]);
    let validation = validate(&store, &weak, &[]);
    assert_eq!(
        validation.sub_indication,
        Some(SubIndication::CryptoConstraintsFailure)
    );
    assert_eq!(codes(&validation), ["WEAK_KEY"]);
    assert_eq!(validation.chain[0].key_bits, 1024);
}

#[test]
fn rsa_pkcs1_rsa_pss_and_ed25519_chains_verify() {
    let rsa_root = Made::root(Spec::ca("Root RSA PKCS1"), TestKey::rsa_shared());
    let rsa_leaf = rsa_root.issue(Spec::leaf("Leaf under RSA"), TestKey::ecdsa());
    assert!(validate(&store_with(&rsa_root, &[]), &rsa_leaf, &[]).passed());

    let pss_root = Made::root(Spec::ca("Root RSA-PSS"), TestKey::rsa_shared());
    let pss_leaf = pss_root.issue_resigned(
        Spec::leaf("Leaf under RSA-PSS"),
        TestKey::ecdsa(),
        Digest::PssSha256,
    );
    let pss = validate(&store_with(&pss_root, &[]), &pss_leaf, &[]);
    assert!(pss.passed(), "{:?}", codes(&pss));
    assert!(pss.chain[0].signature_algorithm.starts_with("RSA-PSS"));

    let ed_root = Made::root(Spec::ca("Root Ed25519"), TestKey::ed25519());
    let ed_leaf = ed_root.issue(Spec::leaf("Leaf under Ed25519"), TestKey::ed25519());
    let ed = validate(&store_with(&ed_root, &[]), &ed_leaf, &[]);
    assert!(ed.passed(), "{:?}", codes(&ed));
    assert_eq!(ed.chain[0].signature_algorithm, "Ed25519");
}

#[test]
fn timestamping_requires_the_critical_sole_eku() {
    let pki = Hierarchy::new();
    let store = store_with(&pki.root, &[&pki.intermediate]);
    let policy = ValidationPolicy::default();
    let time = ValidationTime::requested(AT, NOW);
    let tsa = pki
        .intermediate
        .issue(Spec::tsa("TSA thử nghiệm"), TestKey::ecdsa());
    let with_eku = validate_with(&store, &policy, &tsa, &[], time, Purpose::Timestamping);
    assert!(with_eku.passed(), "{:?}", codes(&with_eku));

    // The document signer's certificate has no timeStamping EKU.
    let without = validate_with(&store, &policy, &pki.leaf, &[], time, Purpose::Timestamping);
    assert_eq!(
        without.sub_indication,
        Some(SubIndication::ChainConstraintsFailure)
    );
    assert_eq!(codes(&without), ["TSA_EKU_MISSING"]);

    let mut not_critical = Spec::tsa("TSA with a non-critical EKU");
    not_critical.custom_extensions.clear();
    not_critical.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::TimeStamping];
    let not_critical = pki.intermediate.issue(not_critical, TestKey::ecdsa());
    let result = validate_with(
        &store,
        &policy,
        &not_critical,
        &[],
        time,
        Purpose::Timestamping,
    );
    assert_eq!(codes(&result), ["TSA_EKU_NOT_CRITICAL"]);

    let mut shared = Spec::tsa("TSA that also does TLS");
    shared.custom_extensions = vec![critical_eku(&[
        &[1, 3, 6, 1, 5, 5, 7, 3, 8],
        &[1, 3, 6, 1, 5, 5, 7, 3, 1],
    ])];
    let shared = pki.intermediate.issue(shared, TestKey::ecdsa());
    let result = validate_with(&store, &policy, &shared, &[], time, Purpose::Timestamping);
    assert_eq!(codes(&result), ["TSA_EKU_NOT_SOLE"]);
}

#[test]
fn document_signing_checks_key_usage_and_refuses_only_foreign_ekus() {
    let pki = Hierarchy::new();
    let store = store_with(&pki.root, &[&pki.intermediate]);

    let mut encipher_only = Spec::leaf("Encryption-only certificate");
    encipher_only.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
    let encipher_only = pki.intermediate.issue(encipher_only, TestKey::ecdsa());
    assert_eq!(
        codes(&validate(&store, &encipher_only, &[])),
        ["KEY_USAGE_NOT_FOR_SIGNING"]
    );

    let mut tls_server = Spec::leaf("TLS server certificate");
    tls_server.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let tls_server = pki.intermediate.issue(tls_server, TestKey::ecdsa());
    assert_eq!(
        codes(&validate(&store, &tls_server, &[])),
        ["EXTENDED_KEY_USAGE_INCOMPATIBLE"]
    );

    // No EKU at all, or an unknown vendor purpose: accepted.
    let mut no_eku = Spec::leaf("No EKU");
    no_eku.extended_key_usages.clear();
    let no_eku = pki.intermediate.issue(no_eku, TestKey::ecdsa());
    assert!(validate(&store, &no_eku, &[]).passed());
    let mut vendor = Spec::leaf("Vendor EKU");
    vendor.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::Other(vec![
        1, 3, 6, 1, 4, 1, 99_999, 1,
    ])];
    let vendor = pki.intermediate.issue(vendor, TestKey::ecdsa());
    assert!(validate(&store, &vendor, &[]).passed());
}

#[test]
fn an_unknown_critical_extension_is_refused() {
    let pki = Hierarchy::new();
    let mut spec = Spec::leaf("Critical mystery");
    let mut extension =
        rcgen::CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 99_999, 7], vec![0x05, 0x00]);
    extension.set_criticality(true);
    spec.custom_extensions = vec![extension];
    let leaf = pki.intermediate.issue(spec, TestKey::ecdsa());
    let store = store_with(&pki.root, &[&pki.intermediate]);
    let validation = validate(&store, &leaf, &[]);
    assert_eq!(
        validation.sub_indication,
        Some(SubIndication::ChainConstraintsFailure)
    );
    assert_eq!(codes(&validation), ["UNRECOGNISED_CRITICAL_EXTENSION"]);
}

#[test]
fn self_signed_certificates_are_trusted_only_as_anchors() {
    let lone = Made::root(Spec::ca("Self-signed signer"), TestKey::ecdsa());
    let other_root = Made::root(Spec::ca("Some root"), TestKey::ecdsa());
    let untrusted = validate_with(
        &store_with(&other_root, &[]),
        &ValidationPolicy::default(),
        &lone,
        &[],
        ValidationTime::requested(AT, NOW),
        Purpose::Any,
    );
    assert_eq!(
        untrusted.sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
    assert!(untrusted.has_problem("SELF_SIGNED_NOT_TRUSTED"));

    let trusted = validate_with(
        &store_with(&lone, &[]),
        &ValidationPolicy::default(),
        &lone,
        &[],
        ValidationTime::requested(AT, NOW),
        Purpose::Any,
    );
    assert!(trusted.passed(), "{:?}", codes(&trusted));
    assert_eq!(trusted.chain.len(), 1);
    assert_eq!(trusted.chain[0].source, CertificateSource::Anchor);
}

#[test]
fn an_expired_cross_certificate_loses_to_a_valid_one() {
    let pki = Hierarchy::new();
    // The same intermediate entity re-issued with a validity that ended: the valid one is chosen.
    let mut expired_spec = pki.intermediate.spec.clone();
    expired_spec.serial += 500_000;
    expired_spec.not_after = datetime!(2022-01-01 0:00 UTC);
    let expired_der = pki.root.issue_der(&expired_spec, &pki.intermediate.key);
    let expired = SourcedCertificate::new(
        vanthu::pki::cert::Certificate::from_der(&expired_der).expect("parses"),
        CertificateSource::Dss,
    );
    let store = store_with(&pki.root, &[&pki.intermediate]);
    let validation = validate(&store, &pki.leaf, &[expired]);
    assert!(validation.passed(), "{:?}", codes(&validation));
    assert_eq!(
        validation.chain[1].sha256,
        pki.intermediate.cert().sha256_hex()
    );
}
