//! Revocation from CRLs: before and after the signing time, freshness, bad signatures, policy.

use rcgen::{Issuer, KeyUsagePurpose, RevocationReason};
use time::OffsetDateTime;
use time::macros::datetime;

use vanthu::pki::crl::{
    CrlOutcome, CrlRejection, CrlSource, RevocationStatus, SourcedCrl, UnknownRevocation,
};
use vanthu::pki::indication::{Indication, SubIndication};
use vanthu::pki::path::{
    CertificateSource, PathRequest, PathValidation, Purpose, ValidationTime, validate_path,
};
use vanthu::pki::policy::{RevocationPolicy, ValidationPolicy};
use vanthu::pki::trust::{Role, TrustStore};

use super::pki::{AT, Hierarchy, Made, NOW, Spec, TestKey, sourced_crl};

const REVOKED_AT: OffsetDateTime = datetime!(2025-03-01 08:00 UTC);

fn store(pki: &Hierarchy) -> TrustStore {
    let mut store = TrustStore::new();
    store.add(pki.root.cert(), Role::Anchor);
    store.add(pki.intermediate.cert(), Role::Intermediate);
    store
}

fn check(
    pki: &Hierarchy,
    crls: &[SourcedCrl],
    time: ValidationTime,
    revocation: RevocationPolicy,
) -> PathValidation {
    check_leaf(pki, &pki.leaf, crls, time, revocation)
}

fn check_leaf(
    pki: &Hierarchy,
    leaf: &Made,
    crls: &[SourcedCrl],
    time: ValidationTime,
    revocation: RevocationPolicy,
) -> PathValidation {
    let store = store(pki);
    let policy = ValidationPolicy {
        revocation,
        ..ValidationPolicy::default()
    };
    let end_entity = leaf.sourced(CertificateSource::Cms);
    validate_path(
        &store,
        &policy,
        &PathRequest {
            end_entity: &end_entity,
            untrusted: &[],
            crls,
            purpose: Purpose::DocumentSigning,
            time,
        },
    )
}

/// The intermediate's CRL listing the leaf as revoked for key compromise on REVOKED_AT.
fn revoking_crl(pki: &Hierarchy, this_update: OffsetDateTime) -> SourcedCrl {
    let der = pki.intermediate.crl(
        this_update,
        this_update + time::Duration::days(30),
        &[(
            pki.leaf.serial(),
            REVOKED_AT,
            RevocationReason::KeyCompromise,
        )],
    );
    sourced_crl(&der, CrlSource::Dss)
}

/// The intermediate's CRL listing nobody.
fn empty_crl(pki: &Hierarchy, this_update: OffsetDateTime, days: i64) -> SourcedCrl {
    let der = pki
        .intermediate
        .crl(this_update, this_update + time::Duration::days(days), &[]);
    sourced_crl(&der, CrlSource::Dss)
}

fn leaf_status(validation: &PathValidation) -> RevocationStatus {
    validation.chain[0].revocation.status.clone()
}

#[test]
fn a_good_status_from_a_fresh_crl_is_recorded() {
    let pki = Hierarchy::new();
    let crl = empty_crl(&pki, datetime!(2025-05-20 0:00 UTC), 30);
    let validation = check(
        &pki,
        &[crl],
        ValidationTime::requested(AT, NOW),
        RevocationPolicy::RequireForEndEntity,
    );
    assert!(validation.passed(), "{:?}", validation.chain[0].problems);
    assert_eq!(
        leaf_status(&validation),
        RevocationStatus::Good {
            as_of: datetime!(2025-05-20 0:00 UTC)
        }
    );
    let considered = &validation.chain[0].revocation.crls;
    assert_eq!(considered.len(), 1);
    assert_eq!(considered[0].source, CrlSource::Dss);
    assert_eq!(considered[0].outcome, CrlOutcome::Used);
    assert_eq!(
        validation.chain[0].revocation.distribution_points,
        ["http://crl.example.invalid/ca.crl"]
    );
}

#[test]
fn revoked_before_the_claimed_signing_time_is_a_proven_failure() {
    let pki = Hierarchy::new();
    let crl = revoking_crl(&pki, datetime!(2025-05-01 0:00 UTC));
    let claimed_after =
        ValidationTime::requested(AT, NOW).with_claimed(Some(datetime!(2025-05-15 10:00 UTC)));
    let validation = check(
        &pki,
        std::slice::from_ref(&crl),
        claimed_after,
        RevocationPolicy::SoftFail,
    );
    assert_eq!(validation.indication, Indication::TotalFailed);
    assert_eq!(validation.sub_indication, Some(SubIndication::Revoked));
    assert_eq!(
        leaf_status(&validation),
        RevocationStatus::Revoked {
            at: REVOKED_AT,
            reason: vanthu::pki::crl::RevocationReason::KeyCompromise
        }
    );
    // Without a claimed time nothing proves when it was signed.
    let unclaimed = check(
        &pki,
        &[crl],
        ValidationTime::requested(AT, NOW),
        RevocationPolicy::SoftFail,
    );
    assert_eq!(unclaimed.indication, Indication::Indeterminate);
    assert_eq!(unclaimed.sub_indication, Some(SubIndication::RevokedNoPoe));
}

#[test]
fn revoked_after_a_proven_signing_time_still_passes_but_not_without_proof() {
    let pki = Hierarchy::new();
    let crl = revoking_crl(&pki, datetime!(2025-05-01 0:00 UTC));
    let signed = datetime!(2025-02-01 10:00 UTC);
    let proven = check(
        &pki,
        std::slice::from_ref(&crl),
        ValidationTime::proven(signed, NOW).with_claimed(Some(signed)),
        RevocationPolicy::RequireForEndEntity,
    );
    assert!(proven.passed(), "{:?}", proven.chain[0].problems);
    assert!(proven.has_problem("CERT_REVOKED_AFTER_POE"));

    let claimed_only = check(
        &pki,
        &[crl],
        ValidationTime::requested(signed, NOW).with_claimed(Some(signed)),
        RevocationPolicy::SoftFail,
    );
    assert_eq!(
        claimed_only.sub_indication,
        Some(SubIndication::RevokedNoPoe)
    );
}

#[test]
fn a_crl_from_the_future_is_refused() {
    let pki = Hierarchy::new();
    let future = empty_crl(&pki, datetime!(2025-07-01 0:00 UTC), 30);
    let time = ValidationTime::requested(AT, NOW);
    let soft = check(
        &pki,
        std::slice::from_ref(&future),
        time,
        RevocationPolicy::SoftFail,
    );
    assert!(soft.passed());
    assert_eq!(
        leaf_status(&soft),
        RevocationStatus::Unknown {
            why: UnknownRevocation::NoUsableCrl
        }
    );
    assert!(matches!(
        soft.chain[0].revocation.crls[0].outcome,
        CrlOutcome::Rejected {
            why: CrlRejection::NotYetValid { .. }
        }
    ));
    let strict = check(&pki, &[future], time, RevocationPolicy::RequireForEndEntity);
    assert_eq!(strict.indication, Indication::Indeterminate);
    assert_eq!(strict.sub_indication, Some(SubIndication::TryLater));

    // A CA clock a couple of minutes ahead is tolerated.
    let slightly_ahead = empty_crl(&pki, NOW + time::Duration::minutes(2), 30);
    let tolerated = check(
        &pki,
        &[slightly_ahead],
        time,
        RevocationPolicy::RequireForEndEntity,
    );
    assert!(
        tolerated.passed(),
        "{:?}",
        tolerated.chain[0].revocation.crls
    );
}

#[test]
fn a_stale_crl_cannot_vouch_but_still_proves_a_revocation() {
    let pki = Hierarchy::new();
    // Next update 2025-04-30, before the validation time.
    let stale_empty = empty_crl(&pki, datetime!(2025-04-01 0:00 UTC), 29);
    let validation = check(
        &pki,
        &[stale_empty],
        ValidationTime::requested(AT, NOW),
        RevocationPolicy::RequireForEndEntity,
    );
    assert_eq!(validation.sub_indication, Some(SubIndication::TryLater));
    assert!(matches!(
        validation.chain[0].revocation.crls[0].outcome,
        CrlOutcome::Rejected {
            why: CrlRejection::Expired { .. }
        }
    ));

    let stale_listing = revoking_crl(&pki, datetime!(2025-03-15 0:00 UTC));
    let validation = check(
        &pki,
        &[stale_listing],
        ValidationTime::requested(AT, NOW),
        RevocationPolicy::SoftFail,
    );
    assert_eq!(validation.sub_indication, Some(SubIndication::RevokedNoPoe));
}

#[test]
fn a_badly_signed_crl_is_refused() {
    let pki = Hierarchy::new();
    let mut der = pki.intermediate.crl(
        datetime!(2025-05-20 0:00 UTC),
        datetime!(2025-06-20 0:00 UTC),
        &[(
            pki.leaf.serial(),
            REVOKED_AT,
            RevocationReason::KeyCompromise,
        )],
    );
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let tampered = sourced_crl(&der, CrlSource::Supplied);
    let validation = check(
        &pki,
        &[tampered],
        ValidationTime::requested(AT, NOW),
        RevocationPolicy::SoftFail,
    );
    // The tampered CRL "revokes" the leaf, but cannot be trusted.
    assert!(validation.passed(), "{:?}", validation.chain[0].problems);
    assert_eq!(
        validation.chain[0].revocation.crls[0].outcome,
        CrlOutcome::Rejected {
            why: CrlRejection::SignatureInvalid
        }
    );

    // A CRL under the intermediate's name signed by another key is not for this certificate.
    let other_key = TestKey::ecdsa();
    let forged = pki.intermediate.crl_signed_by(
        &Issuer::from_params(&pki.intermediate.params, &other_key),
        datetime!(2025-05-20 0:00 UTC),
        datetime!(2025-06-20 0:00 UTC),
        &[(
            pki.leaf.serial(),
            REVOKED_AT,
            RevocationReason::KeyCompromise,
        )],
    );
    let validation = check(
        &pki,
        &[sourced_crl(&forged, CrlSource::Dss)],
        ValidationTime::requested(AT, NOW),
        RevocationPolicy::SoftFail,
    );
    assert!(validation.passed());
    assert!(matches!(
        validation.chain[0].revocation.crls[0].outcome,
        CrlOutcome::NotApplicable { .. }
    ));
}

#[test]
fn a_crl_from_an_issuer_without_crl_sign_is_refused() {
    let root = Made::root(Spec::ca("Root CRL sign"), TestKey::ecdsa());
    let mut spec = Spec::ca("CA without cRLSign");
    spec.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let ca = root.issue(spec, TestKey::ecdsa());
    let leaf = ca.issue(Spec::leaf("Leaf CRL sign"), TestKey::ecdsa());
    // rcgen refuses to sign for such an issuer: present it with cRLSign, same name and key.
    let mut claimed = ca.params.clone();
    claimed.key_usages.push(KeyUsagePurpose::CrlSign);
    let crl = ca.crl_signed_by(
        &Issuer::from_params(&claimed, &ca.key),
        datetime!(2025-05-20 0:00 UTC),
        datetime!(2025-06-20 0:00 UTC),
        &[],
    );
    let pki = Hierarchy {
        root,
        intermediate: ca,
        leaf,
    };
    let validation = check(
        &pki,
        &[sourced_crl(&crl, CrlSource::Dss)],
        ValidationTime::requested(AT, NOW),
        RevocationPolicy::RequireForEndEntity,
    );
    assert_eq!(validation.sub_indication, Some(SubIndication::TryLater));
    assert_eq!(
        validation.chain[0].revocation.crls[0].outcome,
        CrlOutcome::Rejected {
            why: CrlRejection::IssuerCannotSignCrls
        }
    );
}

#[test]
fn a_revoked_intermediate_is_revoked_ca_no_poe() {
    let pki = Hierarchy::new();
    let root_crl = pki.root.crl(
        datetime!(2025-05-01 0:00 UTC),
        datetime!(2025-08-01 0:00 UTC),
        &[(
            pki.intermediate.serial(),
            REVOKED_AT,
            RevocationReason::CaCompromise,
        )],
    );
    let validation = check(
        &pki,
        &[sourced_crl(&root_crl, CrlSource::Store)],
        ValidationTime::requested(AT, NOW),
        RevocationPolicy::SoftFail,
    );
    assert_eq!(
        validation.sub_indication,
        Some(SubIndication::RevokedCaNoPoe)
    );
    assert!(
        validation.chain[1]
            .problems
            .iter()
            .any(|problem| problem.kind.code() == "CA_REVOKED_NO_POE")
    );
}

#[test]
fn the_whole_chain_policy_wants_every_crl() {
    let pki = Hierarchy::new();
    let leaf_crl = empty_crl(&pki, datetime!(2025-05-20 0:00 UTC), 30);
    let time = ValidationTime::requested(AT, NOW);
    let end_entity_only = check(
        &pki,
        std::slice::from_ref(&leaf_crl),
        time,
        RevocationPolicy::RequireForEndEntity,
    );
    assert!(end_entity_only.passed());
    let whole_chain = check(
        &pki,
        std::slice::from_ref(&leaf_crl),
        time,
        RevocationPolicy::RequireForAll,
    );
    assert_eq!(whole_chain.sub_indication, Some(SubIndication::TryLater));
    let root_crl = pki.root.crl(
        datetime!(2025-05-01 0:00 UTC),
        datetime!(2025-08-01 0:00 UTC),
        &[],
    );
    let complete = check(
        &pki,
        &[leaf_crl, sourced_crl(&root_crl, CrlSource::Dss)],
        time,
        RevocationPolicy::RequireForAll,
    );
    assert!(complete.passed(), "{:?}", complete.chain[1].problems);
}

#[test]
fn an_expired_certificate_known_not_revoked_is_out_of_bounds_not_revoked() {
    let pki = Hierarchy::new();
    // Issued before the leaf expired (2027-01-01), valid until after the validation time.
    let crl = empty_crl(&pki, datetime!(2026-12-15 0:00 UTC), 90);
    let at = datetime!(2027-02-01 0:00 UTC);
    let now = datetime!(2027-02-02 0:00 UTC);
    let validation = check(
        &pki,
        &[crl],
        ValidationTime::requested(at, now),
        RevocationPolicy::SoftFail,
    );
    assert_eq!(
        validation.sub_indication,
        Some(SubIndication::OutOfBoundsNotRevoked)
    );

    // A CRL issued after the expiry may have dropped the certificate: it does not vouch.
    let late = empty_crl(&pki, datetime!(2027-01-20 0:00 UTC), 30);
    let validation = check(
        &pki,
        &[late],
        ValidationTime::requested(at, now),
        RevocationPolicy::SoftFail,
    );
    assert_eq!(
        validation.sub_indication,
        Some(SubIndication::OutOfBoundsNoPoe)
    );
    assert_eq!(
        validation.chain[0].revocation.crls[0].outcome,
        CrlOutcome::Rejected {
            why: CrlRejection::IssuedAfterCertificateExpiry
        }
    );
}
