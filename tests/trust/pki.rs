//! A small test PKI made with rcgen: roots, intermediates and leaves with chosen dates, usages and
//! keys (ECDSA P-256 by default; RSA through the `rsa` crate, including SHA-1 and 1024-bit keys
//! that rcgen and ring cannot produce), and CRLs.

use std::sync::{Arc, OnceLock};

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CustomExtension,
    DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair,
    KeyUsagePurpose, PublicKeyData, RevocationReason, RevokedCertParams, SerialNumber,
    SignatureAlgorithm, SigningKey,
};
use ring::digest;
use rsa::RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::EncodePrivateKey;
use time::OffsetDateTime;
use time::macros::datetime;

use vanthu::pki::cert::Certificate;
use vanthu::pki::crl::{Crl, CrlSource, SourcedCrl};
use vanthu::pki::path::{CertificateSource, SourcedCertificate};

/// The default validation time of the tests (every certificate below is valid then unless a test
/// says otherwise).
pub const AT: OffsetDateTime = datetime!(2025-06-01 09:00 UTC);
/// The "current time" the tests pretend it is.
pub const NOW: OffsetDateTime = datetime!(2025-06-02 09:00 UTC);

/// A signing key: rcgen's (ECDSA, Ed25519, ring RSA) or an `rsa` crate key signing PKCS#1 v1.5
/// with SHA-256 (for sizes ring refuses to sign with).
pub enum TestKey {
    Rcgen(KeyPair),
    Rsa {
        private: RsaPrivateKey,
        public: Vec<u8>,
    },
}

impl TestKey {
    pub fn ecdsa() -> Self {
        TestKey::Rcgen(KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("P-256 key"))
    }

    pub fn ed25519() -> Self {
        TestKey::Rcgen(KeyPair::generate_for(&rcgen::PKCS_ED25519).expect("Ed25519 key"))
    }

    /// A fresh RSA key of any size, signing with PKCS#1 v1.5 and SHA-256.
    pub fn rsa(bits: usize) -> Self {
        let private = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, bits).expect("RSA key");
        let public = private
            .to_public_key()
            .to_pkcs1_der()
            .expect("RSA public key")
            .as_bytes()
            .to_vec();
        TestKey::Rsa { private, public }
    }

    /// The shared 2048-bit RSA key, signing with PKCS#1 v1.5 and SHA-256.
    pub fn rsa_shared() -> Self {
        let private = shared_rsa_2048().clone();
        let public = private
            .to_public_key()
            .to_pkcs1_der()
            .expect("RSA public key")
            .as_bytes()
            .to_vec();
        TestKey::Rsa { private, public }
    }

    fn rsa_private(&self) -> Option<&RsaPrivateKey> {
        match self {
            TestKey::Rsa { private, .. } => Some(private),
            TestKey::Rcgen(_) => None,
        }
    }
}

fn shared_rsa_2048() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA key"))
}

impl PublicKeyData for TestKey {
    fn der_bytes(&self) -> &[u8] {
        match self {
            TestKey::Rcgen(pair) => pair.der_bytes(),
            TestKey::Rsa { public, .. } => public,
        }
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        match self {
            TestKey::Rcgen(pair) => pair.algorithm(),
            TestKey::Rsa { .. } => &rcgen::PKCS_RSA_SHA256,
        }
    }
}

impl SigningKey for TestKey {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        match self {
            TestKey::Rcgen(pair) => pair.sign(message),
            TestKey::Rsa { private, .. } => Ok(rsa_pkcs1_sign(private, Digest::Sha256, message)),
        }
    }
}

/// How `resign` signs: RSA PKCS#1 v1.5 with SHA-1 or SHA-256, or RSA-PSS with SHA-256.
#[derive(Clone, Copy)]
pub enum Digest {
    Sha1,
    Sha256,
    PssSha256,
}

/// PKCS#1 v1.5 signature with an explicit DigestInfo (RFC 8017 §9.2).
fn rsa_pkcs1_sign(key: &RsaPrivateKey, digest_alg: Digest, message: &[u8]) -> Vec<u8> {
    let (prefix, algorithm): (&[u8], _) = match digest_alg {
        Digest::PssSha256 => return rsa_pss_sign(key, message),
        Digest::Sha1 => (
            &[
                0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
                0x14,
            ],
            &digest::SHA1_FOR_LEGACY_USE_ONLY,
        ),
        Digest::Sha256 => (
            &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            &digest::SHA256,
        ),
    };
    let mut digest_info = prefix.to_vec();
    digest_info.extend_from_slice(digest::digest(algorithm, message).as_ref());
    key.sign(rsa::Pkcs1v15Sign::new_unprefixed(), &digest_info)
        .expect("RSA signature")
}

/// RSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt, through ring.
fn rsa_pss_sign(key: &RsaPrivateKey, message: &[u8]) -> Vec<u8> {
    let pkcs8 = key.to_pkcs8_der().expect("PKCS#8");
    let pair = ring::signature::RsaKeyPair::from_pkcs8(pkcs8.as_bytes()).expect("ring RSA key");
    let mut signature = vec![0; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PSS_SHA256,
        &ring::rand::SystemRandom::new(),
        message,
        &mut signature,
    )
    .expect("PSS signature");
    signature
}

/// What a test certificate looks like.
#[derive(Clone)]
pub struct Spec {
    pub name: String,
    pub organisation: Option<String>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub serial: u64,
    /// `Some(path_len)` for a CA (`Some(None)`: no pathLenConstraint).
    pub ca: Option<Option<u8>>,
    pub key_usages: Vec<KeyUsagePurpose>,
    pub extended_key_usages: Vec<ExtendedKeyUsagePurpose>,
    pub custom_extensions: Vec<CustomExtension>,
    pub crl_distribution_point: Option<String>,
    /// Write the authorityKeyIdentifier extension (on by default).
    pub authority_key_id: bool,
}

impl Spec {
    pub fn ca(name: &str) -> Self {
        Spec {
            name: name.to_owned(),
            organisation: Some("Ban Cơ yếu Chính phủ (thử nghiệm)".to_owned()),
            not_before: datetime!(2020-01-01 0:00 UTC),
            not_after: datetime!(2040-01-01 0:00 UTC),
            serial: next_serial(),
            ca: Some(None),
            key_usages: vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
            extended_key_usages: Vec::new(),
            custom_extensions: Vec::new(),
            crl_distribution_point: None,
            authority_key_id: true,
        }
    }

    pub fn leaf(name: &str) -> Self {
        Spec {
            name: name.to_owned(),
            organisation: Some("Viện Kiểm sát nhân dân tỉnh Thái Nguyên".to_owned()),
            not_before: datetime!(2024-01-01 0:00 UTC),
            not_after: datetime!(2027-01-01 0:00 UTC),
            serial: next_serial(),
            ca: None,
            key_usages: vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::ContentCommitment,
            ],
            extended_key_usages: vec![
                ExtendedKeyUsagePurpose::ClientAuth,
                ExtendedKeyUsagePurpose::EmailProtection,
            ],
            custom_extensions: Vec::new(),
            crl_distribution_point: Some("http://crl.example.invalid/ca.crl".to_owned()),
            authority_key_id: true,
        }
    }

    /// A timestamping certificate: critical EKU with id-kp-timeStamping only (RFC 3161 §2.3).
    pub fn tsa(name: &str) -> Self {
        let mut spec = Spec::leaf(name);
        spec.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        spec.extended_key_usages = Vec::new();
        spec.custom_extensions = vec![critical_eku(&[&[1, 3, 6, 1, 5, 5, 7, 3, 8]])];
        spec
    }

    pub fn valid(mut self, not_before: OffsetDateTime, not_after: OffsetDateTime) -> Self {
        self.not_before = not_before;
        self.not_after = not_after;
        self
    }

    fn params(&self) -> CertificateParams {
        let mut params = CertificateParams::default();
        let mut name = DistinguishedName::new();
        name.push(DnType::CountryName, "VN");
        if let Some(organisation) = &self.organisation {
            name.push(DnType::OrganizationName, organisation.as_str());
        }
        name.push(DnType::CommonName, self.name.as_str());
        params.distinguished_name = name;
        params.not_before = self.not_before;
        params.not_after = self.not_after;
        params.serial_number = Some(SerialNumber::from(self.serial));
        params.is_ca = match self.ca {
            Some(Some(path_len)) => IsCa::Ca(BasicConstraints::Constrained(path_len)),
            Some(None) => IsCa::Ca(BasicConstraints::Unconstrained),
            None => IsCa::ExplicitNoCa,
        };
        params.key_usages = self.key_usages.clone();
        params.extended_key_usages = self.extended_key_usages.clone();
        params.custom_extensions = self.custom_extensions.clone();
        params.use_authority_key_identifier_extension = self.authority_key_id;
        params.key_identifier_method = KeyIdMethod::Sha256;
        if let Some(uri) = &self.crl_distribution_point {
            params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
                uris: vec![uri.clone()],
            }];
        }
        params
    }
}

/// A critical extendedKeyUsage extension with the given purposes.
pub fn critical_eku(purposes: &[&[u64]]) -> CustomExtension {
    let content = yasna_sequence_of_oids(purposes);
    let mut extension = CustomExtension::from_oid_content(&[2, 5, 29, 37], content);
    extension.set_criticality(true);
    extension
}

/// DER of SEQUENCE OF OBJECT IDENTIFIER, written by hand to avoid another dependency.
fn yasna_sequence_of_oids(oids: &[&[u64]]) -> Vec<u8> {
    let mut body = Vec::new();
    for oid in oids {
        let encoded = encode_oid(oid);
        body.push(0x06);
        body.push(u8::try_from(encoded.len()).expect("short OID"));
        body.extend(encoded);
    }
    let mut out = vec![0x30, u8::try_from(body.len()).expect("short sequence")];
    out.extend(body);
    out
}

fn encode_oid(arcs: &[u64]) -> Vec<u8> {
    let mut out = vec![u8::try_from(arcs[0] * 40 + arcs[1]).expect("first arcs")];
    for &arc in &arcs[2..] {
        let mut groups = vec![u8::try_from(arc & 0x7f).expect("7 bits")];
        let mut rest = arc >> 7;
        while rest > 0 {
            groups.push(u8::try_from(rest & 0x7f).expect("7 bits") | 0x80);
            rest >>= 7;
        }
        groups.reverse();
        out.extend(groups);
    }
    out
}

fn next_serial() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SERIAL: AtomicU64 = AtomicU64::new(0x1000);
    SERIAL.fetch_add(1, Ordering::Relaxed)
}

/// A certificate made for a test, with its key and the parameters that name it as an issuer.
pub struct Made {
    pub spec: Spec,
    pub params: CertificateParams,
    pub key: TestKey,
    pub der: Vec<u8>,
}

impl Made {
    /// A self-signed root.
    pub fn root(spec: Spec, key: TestKey) -> Made {
        let params = spec.params();
        let der = params
            .self_signed(&key)
            .expect("self-signed certificate")
            .der()
            .to_vec();
        Made {
            spec,
            params,
            key,
            der,
        }
    }

    /// A certificate issued by `self`.
    pub fn issue(&self, spec: Spec, key: TestKey) -> Made {
        let params = spec.params();
        let der = params
            .signed_by(&key, &self.issuer())
            .expect("issued certificate")
            .der()
            .to_vec();
        Made {
            spec,
            params,
            key,
            der,
        }
    }

    /// The DER of a certificate for `subject_key` issued by `self` (for keys used more than once).
    pub fn issue_der(&self, spec: &Spec, subject_key: &TestKey) -> Vec<u8> {
        spec.params()
            .signed_by(subject_key, &self.issuer())
            .expect("issued certificate")
            .der()
            .to_vec()
    }

    /// A certificate issued by `self`, re-signed with RSA and SHA-1 (`self` must hold an RSA key).
    pub fn issue_sha1(&self, spec: Spec, key: TestKey) -> Made {
        self.issue_resigned(spec, key, Digest::Sha1)
    }

    /// A certificate issued by `self`, re-signed with another RSA scheme.
    pub fn issue_resigned(&self, spec: Spec, key: TestKey, digest_alg: Digest) -> Made {
        let made = self.issue(spec, key);
        let private = self
            .key
            .rsa_private()
            .expect("re-signing needs an RSA issuer key");
        let der = resign(&made.der, private, digest_alg);
        Made { der, ..made }
    }

    pub fn issuer(&self) -> Issuer<'_, &TestKey> {
        Issuer::from_params(&self.params, &self.key)
    }

    pub fn cert(&self) -> Certificate {
        Certificate::from_der(&self.der).expect("test certificate parses")
    }

    pub fn sourced(&self, source: CertificateSource) -> SourcedCertificate {
        SourcedCertificate::new(self.cert(), source)
    }

    pub fn serial(&self) -> u64 {
        self.spec.serial
    }

    /// A CRL signed by `self` listing `revoked` (serial, revocation time, reason).
    pub fn crl(
        &self,
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
        revoked: &[(u64, OffsetDateTime, RevocationReason)],
    ) -> Vec<u8> {
        self.crl_signed_by(&self.issuer(), this_update, next_update, revoked)
    }

    /// A CRL naming `self` as issuer but signed by another key.
    pub fn crl_signed_by(
        &self,
        signer: &Issuer<'_, &TestKey>,
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
        revoked: &[(u64, OffsetDateTime, RevocationReason)],
    ) -> Vec<u8> {
        let params = CertificateRevocationListParams {
            this_update,
            next_update,
            crl_number: SerialNumber::from(next_serial()),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|(serial, at, reason)| RevokedCertParams {
                    serial_number: SerialNumber::from(*serial),
                    revocation_time: *at,
                    reason_code: Some(*reason),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        params.signed_by(signer).expect("CRL").der().to_vec()
    }
}

/// Re-signs a certificate with RSA PKCS#1 v1.5 and the given digest, rewriting both signature
/// algorithm identifiers.
pub fn resign(der: &[u8], key: &RsaPrivateKey, digest_alg: Digest) -> Vec<u8> {
    use der::{Decode, Encode};
    let mut cert = x509_cert::Certificate::from_der(der).expect("DER certificate");
    let (oid, parameters) = match digest_alg {
        Digest::Sha1 => ("1.2.840.113549.1.1.5", der::Any::from(der::asn1::Null)),
        Digest::Sha256 => ("1.2.840.113549.1.1.11", der::Any::from(der::asn1::Null)),
        Digest::PssSha256 => (
            "1.2.840.113549.1.1.10",
            der::Any::from_der(PSS_SHA256_PARAMETERS).expect("PSS parameters"),
        ),
    };
    let algorithm = spki::AlgorithmIdentifierOwned {
        oid: der::asn1::ObjectIdentifier::new_unwrap(oid),
        parameters: Some(parameters),
    };
    cert.tbs_certificate.signature = algorithm.clone();
    cert.signature_algorithm = algorithm;
    let tbs = cert.tbs_certificate.to_der().expect("TBS DER");
    let signature = rsa_pkcs1_sign(key, digest_alg, &tbs);
    cert.signature = der::asn1::BitString::from_bytes(&signature).expect("bit string");
    cert.to_der().expect("certificate DER")
}

/// RSASSA-PSS-params: SHA-256, MGF1 with SHA-256, salt length 32 (RFC 4055 §3.1).
const PSS_SHA256_PARAMETERS: &[u8] = &[
    0x30, 0x34, // SEQUENCE
    0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, // [0] sha256
    0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
    0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, // [1] mgf1(sha256)
    0xa2, 0x03, 0x02, 0x01, 0x20, // [2] salt length 32
];

pub fn sourced_crl(der: &[u8], source: CrlSource) -> SourcedCrl {
    SourcedCrl {
        crl: Arc::new(Crl::from_der(der).expect("test CRL parses")),
        source,
    }
}

/// A root, an intermediate under it and a document-signing leaf under that: the usual shape.
pub struct Hierarchy {
    pub root: Made,
    pub intermediate: Made,
    pub leaf: Made,
}

impl Hierarchy {
    pub fn new() -> Hierarchy {
        let root = Made::root(Spec::ca("RootCA thử nghiệm G2"), TestKey::ecdsa());
        let intermediate = root.issue(
            Spec::ca("CA phục vụ các cơ quan Nhà nước (thử nghiệm)").valid(
                datetime!(2021-01-01 0:00 UTC),
                datetime!(2035-01-01 0:00 UTC),
            ),
            TestKey::ecdsa(),
        );
        let leaf = intermediate.issue(Spec::leaf("Nguyễn Văn Kiểm"), TestKey::ecdsa());
        Hierarchy {
            root,
            intermediate,
            leaf,
        }
    }
}
