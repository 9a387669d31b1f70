//! Hostile bytes: mutated certificates, CRLs and PEM files give errors or reports, never panics.

use vanthu::pki::cert::Certificate;
use vanthu::pki::crl::{CrlSource, SourcedCrl};
use vanthu::pki::path::{
    CertificateSource, PathRequest, Purpose, SourcedCertificate, ValidationTime, validate_path,
};
use vanthu::pki::policy::ValidationPolicy;
use vanthu::pki::trust::{Role, TrustStore, certificates_from_bytes};

use super::pki::{AT, Hierarchy, NOW, Spec, TestKey};

/// A small deterministic generator (xorshift), so that a failure can be replayed.
struct Mutator(u64);

impl Mutator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(bound.max(1)).unwrap_or(1)).unwrap_or(0)
    }

    /// Flips, overwrites, truncates or duplicates bytes.
    fn mutate(&mut self, input: &[u8]) -> Vec<u8> {
        let mut bytes = input.to_vec();
        for _ in 0..=self.below(4) {
            if bytes.is_empty() {
                break;
            }
            let at = self.below(bytes.len());
            match self.below(5) {
                0 => bytes[at] ^= 1 << self.below(8),
                1 => bytes[at] = u8::try_from(self.next() & 0xff).unwrap_or(0),
                2 => bytes.truncate(at),
                3 => {
                    let chunk = bytes[at..].to_vec();
                    bytes.extend(chunk);
                }
                _ => bytes[at] = 0xff,
            }
        }
        bytes
    }
}

#[test]
fn mutated_certificates_and_crls_never_panic() {
    let pki = Hierarchy::new();
    let mut store = TrustStore::new();
    store.add(pki.root.cert(), Role::Anchor);
    let crl = pki.intermediate.crl(
        time::macros::datetime!(2025-05-20 0:00 UTC),
        time::macros::datetime!(2025-06-20 0:00 UTC),
        &[(
            pki.leaf.serial(),
            time::macros::datetime!(2025-03-01 0:00 UTC),
            rcgen::RevocationReason::KeyCompromise,
        )],
    );
    let policy = ValidationPolicy::default();
    let mut mutator = Mutator(0x5eed_1234_abcd_0001);
    let mut parsed = 0;
    for round in 0..1500 {
        let leaf = mutator.mutate(&pki.leaf.der);
        let intermediate = if round % 2 == 0 {
            mutator.mutate(&pki.intermediate.der)
        } else {
            pki.intermediate.der.clone()
        };
        let crl_bytes = mutator.mutate(&crl);
        let Ok(end_entity) = SourcedCertificate::from_der(&leaf, CertificateSource::Cms) else {
            continue;
        };
        parsed += 1;
        let untrusted: Vec<SourcedCertificate> =
            SourcedCertificate::from_der(&intermediate, CertificateSource::Cms)
                .into_iter()
                .collect();
        let crls: Vec<SourcedCrl> = SourcedCrl::from_der(&crl_bytes, CrlSource::Dss)
            .into_iter()
            .collect();
        let validation = validate_path(
            &store,
            &policy,
            &PathRequest {
                end_entity: &end_entity,
                untrusted: &untrusted,
                crls: &crls,
                purpose: Purpose::DocumentSigning,
                time: ValidationTime::requested(AT, NOW),
            },
        );
        // Whatever the bytes, the report names a path of at least the end entity.
        assert!(!validation.chain.is_empty());
    }
    // Enough mutants parse for path building and CRL checks to meet hostile input.
    assert!(parsed > 100, "only {parsed} mutated certificates parsed");
}

#[test]
fn garbage_files_give_errors() {
    let mut mutator = Mutator(0xdead_beef_0000_0042);
    let pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----\n";
    for _ in 0..300 {
        let bytes = mutator.mutate(pem.as_bytes());
        let _ = certificates_from_bytes(std::path::Path::new("fuzz.pem"), &bytes);
        let random: Vec<u8> = (0..mutator.below(200))
            .map(|_| u8::try_from(mutator.next() & 0xff).unwrap_or(0))
            .collect();
        // Random bytes are never a certificate.
        assert!(Certificate::from_der(&random).is_err());
        let _ = certificates_from_bytes(std::path::Path::new("fuzz.der"), &random);
    }
}

#[test]
fn a_crowd_of_same_name_impostors_does_not_hide_the_real_issuer() {
    let pki = Hierarchy::new();
    let mut spec = Spec::leaf("Leaf among impostors");
    spec.authority_key_id = false;
    let leaf = pki.intermediate.issue(spec, TestKey::ecdsa());
    // Sixty certificates with the intermediate's name and other keys, all chaining to the
    // anchor, offered before the real intermediate: more than the search evaluates in full.
    let mut offered: Vec<SourcedCertificate> = (0..60)
        .map(|_| {
            pki.root
                .issue(
                    Spec::ca("CA phục vụ các cơ quan Nhà nước (thử nghiệm)"),
                    TestKey::ecdsa(),
                )
                .sourced(CertificateSource::Cms)
        })
        .collect();
    offered.push(pki.intermediate.sourced(CertificateSource::Cms));
    let mut store = TrustStore::new();
    store.add(pki.root.cert(), Role::Anchor);
    let end_entity = leaf.sourced(CertificateSource::Cms);
    let validation = validate_path(
        &store,
        &ValidationPolicy::default(),
        &PathRequest {
            end_entity: &end_entity,
            untrusted: &offered,
            crls: &[],
            purpose: Purpose::DocumentSigning,
            time: ValidationTime::requested(AT, NOW),
        },
    );
    assert!(validation.passed(), "{:?}", validation.sub_indication);
    assert_eq!(validation.paths_considered, 1);
    assert_eq!(
        validation.chain[1].sha256,
        pki.intermediate.cert().sha256_hex()
    );
}
