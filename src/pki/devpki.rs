//! The development PKI: a root, an intermediate, a timestamping certificate, unit seals and
//! personal certificates for the demo organisation, with the root's and the intermediate's CRLs.
//! Never for production. Also a small certificate authority to issue the odd test certificates
//! other tests need (expired, not yet valid, revoked, wrong key usage).
//!
//! Layout of `DIR` (folders 0700, keys 0600 plain PKCS#8 PEM, certificates PEM, CRLs DER):
//! `root.cert.pem` `root.key.pem` `intermediate.cert.pem` `intermediate.key.pem` `tsa.cert.pem`
//! `tsa.key.pem` `units/<unit-code>.{cert,key}.pem` `people/<username>.{cert,key}.pem`
//! `crl/root.crl` `crl/intermediate.crl`.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rand_core::{OsRng, RngCore};
use rcgen::string::PrintableString;
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CustomExtension,
    DistinguishedName, DnType, DnValue, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod,
    KeyPair, KeyUsagePurpose, RevokedCertParams, SerialNumber,
};
use time::{Duration, OffsetDateTime};
use x509_parser::extensions::ParsedExtension;

pub use rcgen::RevocationReason;

use super::keys::{KeyError, PrivateKey, load_private_key};
use super::trust::certificates_from_bytes;
use crate::cms::{LocalKey, SignerError};
use crate::crypto::KeyKind;
use crate::domain::demo;

/// The key algorithm of the development PKI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyAlgorithm {
    /// RSA-2048 (generated with the `rsa` crate), signed with SHA-256.
    #[default]
    Rsa2048,
    /// ECDSA P-256 with SHA-256.
    P256,
}

impl FromStr for KeyAlgorithm {
    type Err = DevPkiError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "rsa2048" | "rsa" => Ok(KeyAlgorithm::Rsa2048),
            "p256" | "ecdsa" => Ok(KeyAlgorithm::P256),
            other => Err(DevPkiError::UnknownAlgorithm(other.to_string())),
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyAlgorithm::Rsa2048 => "rsa2048",
            KeyAlgorithm::P256 => "p256",
        })
    }
}

/// Why the development PKI could not be made, read or extended.
#[derive(Debug, thiserror::Error)]
pub enum DevPkiError {
    #[error("unknown key algorithm {0:?} (expected rsa2048 or p256)")]
    UnknownAlgorithm(String),
    #[error(
        "{0} already holds a PKI; pass --force to replace it / thư mục đã có PKI, dùng --force để ghi đè"
    )]
    AlreadyExists(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0:?} cannot be used as a file name")]
    InvalidName(String),
    #[error("key generation failed: {0}")]
    KeyGeneration(String),
    #[error("certificate generation failed for {subject}: {source}")]
    Certificate {
        subject: String,
        #[source]
        source: rcgen::Error,
    },
    #[error("{path}: {source}")]
    Key {
        path: PathBuf,
        #[source]
        source: KeyError,
    },
    #[error("{path}: not a usable certificate: {reason}")]
    BadCertificate { path: PathBuf, reason: String },
    #[error("encoding failed: {0}")]
    Encoding(#[source] der::Error),
    #[error("signer for {0}: {1}")]
    Signer(String, #[source] SignerError),
}

/// A certificate with its private key.
#[derive(Clone, Debug)]
pub struct Credential {
    /// The certificate, DER.
    pub certificate: Vec<u8>,
    pub key: PrivateKey,
}

impl Credential {
    /// The certificate's serial number (content octets of the INTEGER).
    pub fn serial(&self) -> Vec<u8> {
        x509_parser::parse_x509_certificate(&self.certificate)
            .map(|(_, certificate)| certificate.tbs_certificate.raw_serial().to_vec())
            .unwrap_or_default()
    }

    /// The certificate as PEM.
    pub fn certificate_pem(&self) -> String {
        certificate_pem(&self.certificate)
    }
}

/// Who gets a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevPkiSpec {
    pub units: Vec<UnitSpec>,
    pub people: Vec<PersonSpec>,
}

/// A unit whose seal certificate is issued: O and CN are the unit's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitSpec {
    pub code: String,
    pub name: String,
}

/// A person with the Signer role: CN full name, title position, O the unit's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonSpec {
    pub username: String,
    pub full_name: String,
    pub position: String,
    pub unit_name: String,
}

impl DevPkiSpec {
    /// Every demo unit and every demo user with the Signer role.
    pub fn demo() -> Self {
        let units = demo::units();
        let unit_name = |code: &str| {
            units
                .iter()
                .find(|unit| unit.code == code)
                .map_or_else(|| code.to_string(), |unit| unit.name.to_string())
        };
        DevPkiSpec {
            units: units
                .iter()
                .map(|unit| UnitSpec {
                    code: unit.code.to_string(),
                    name: unit.name.to_string(),
                })
                .collect(),
            people: demo::users()
                .into_iter()
                .filter(|user| user.roles.contains(&demo::DemoRole::Signer))
                .map(|user| PersonSpec {
                    unit_name: unit_name(user.unit_code),
                    username: user.username,
                    full_name: user.full_name,
                    position: user.position,
                })
                .collect(),
        }
    }
}

/// A generated (or loaded) development PKI.
#[derive(Debug, Clone)]
pub struct DevPki {
    pub dir: PathBuf,
    pub algorithm: KeyAlgorithm,
    pub root: Credential,
    pub intermediate: Credential,
    pub tsa: Credential,
    /// Unit seals by unit code.
    pub units: BTreeMap<String, Credential>,
    /// Personal certificates by username.
    pub people: BTreeMap<String, Credential>,
    /// DER CRLs of the root (over the intermediate) and the intermediate (over the leaves).
    pub root_crl: Vec<u8>,
    pub intermediate_crl: Vec<u8>,
}

const ROOT_CN: &str = "vanthu DEVELOPMENT Root CA - NOT FOR PRODUCTION";
const INTERMEDIATE_CN: &str = "vanthu DEVELOPMENT Issuing CA - NOT FOR PRODUCTION";
const TSA_CN: &str = "vanthu DEVELOPMENT Time Stamping Authority";
const PKI_ORGANIZATION: &str = "vanthu development PKI";
/// How long a CRL of the development PKI stays current.
const CRL_LIFETIME: Duration = Duration::days(365);

impl DevPki {
    /// The chain to embed after a leaf certificate: intermediate, then root.
    pub fn chain(&self) -> Vec<Vec<u8>> {
        vec![
            self.intermediate.certificate.clone(),
            self.root.certificate.clone(),
        ]
    }

    /// The intermediate CA, which issued the TSA, unit and personal certificates.
    pub fn intermediate_authority(&self) -> Result<CertificateAuthority, DevPkiError> {
        CertificateAuthority::from_credential(&self.intermediate)
    }

    /// The root CA.
    pub fn root_authority(&self) -> Result<CertificateAuthority, DevPkiError> {
        CertificateAuthority::from_credential(&self.root)
    }

    /// A CMS signer for a person (by username) with the chain embedded.
    pub fn person_signer(&self, username: &str) -> Result<LocalKey, DevPkiError> {
        let person = self
            .people
            .get(username)
            .ok_or_else(|| DevPkiError::InvalidName(username.to_string()))?;
        self.signer_for(person, username)
    }

    /// A CMS signer for a unit's seal (by unit code) with the chain embedded.
    pub fn unit_signer(&self, code: &str) -> Result<LocalKey, DevPkiError> {
        let unit = self
            .units
            .get(code)
            .ok_or_else(|| DevPkiError::InvalidName(code.to_string()))?;
        self.signer_for(unit, code)
    }

    /// A CMS signer for any credential issued by the intermediate.
    pub fn signer_for(&self, credential: &Credential, name: &str) -> Result<LocalKey, DevPkiError> {
        LocalKey::new(
            credential.key.pkcs8_der(),
            credential.certificate.clone(),
            self.chain(),
        )
        .map_err(|error| DevPkiError::Signer(name.to_string(), error))
    }
}

/// Whether `dir` already holds a development PKI.
pub fn exists(dir: &Path) -> bool {
    dir.join("root.cert.pem").exists() || dir.join("root.key.pem").exists()
}

/// Creates the development PKI in `dir` (created if needed); refuses a folder that already
/// holds one. The service calls this on first start.
pub fn init(dir: &Path, spec: &DevPkiSpec, algorithm: KeyAlgorithm) -> Result<DevPki, DevPkiError> {
    init_with(dir, spec, algorithm, false)
}

/// Like [`init`]; with `force`, an existing PKI in `dir` is removed first (only the files and
/// folders of the layout, nothing else).
pub fn init_with(
    dir: &Path,
    spec: &DevPkiSpec,
    algorithm: KeyAlgorithm,
    force: bool,
) -> Result<DevPki, DevPkiError> {
    for name in spec
        .units
        .iter()
        .map(|unit| &unit.code)
        .chain(spec.people.iter().map(|person| &person.username))
    {
        check_file_name(name)?;
    }
    if exists(dir) {
        if !force {
            return Err(DevPkiError::AlreadyExists(dir.to_path_buf()));
        }
        remove_layout(dir)?;
    }
    let mut pki = generate(spec, algorithm)?;
    pki.dir = dir.to_path_buf();
    write(&pki)?;
    Ok(pki)
}

/// Reads a development PKI written by [`init`].
pub fn load(dir: &Path) -> Result<DevPki, DevPkiError> {
    let root = read_credential(dir, "root")?;
    let algorithm = match root.key.kind() {
        Ok(KeyKind::Ec(_)) => KeyAlgorithm::P256,
        _ => KeyAlgorithm::Rsa2048,
    };
    Ok(DevPki {
        dir: dir.to_path_buf(),
        algorithm,
        intermediate: read_credential(dir, "intermediate")?,
        tsa: read_credential(dir, "tsa")?,
        units: read_folder(&dir.join("units"))?,
        people: read_folder(&dir.join("people"))?,
        root_crl: read_file(&dir.join("crl/root.crl"))?,
        intermediate_crl: read_file(&dir.join("crl/intermediate.crl"))?,
        root,
    })
}

/// Generates a development PKI in memory only (`dir` is empty): for tests that need
/// certificates but no files.
pub fn generate(spec: &DevPkiSpec, algorithm: KeyAlgorithm) -> Result<DevPki, DevPkiError> {
    let now = OffsetDateTime::now_utc();
    let not_before = now - Duration::hours(1);
    let key_count = 3 + spec.units.len() + spec.people.len();
    let mut keys = generate_keys(algorithm, key_count)?.into_iter();
    let mut next_key = || {
        keys.next()
            .ok_or_else(|| DevPkiError::KeyGeneration("too few keys".into()))
    };

    let root_request = CertificateRequest::new(ROOT_CN)
        .organization(PKI_ORGANIZATION)
        .validity(not_before, now + Duration::days(20 * 365))
        .certificate_authority(None)
        .key_usage(&[KeyUsage::KeyCertSign, KeyUsage::CrlSign]);
    let root = self_signed(&root_request, next_key()?)?;
    let root_ca = CertificateAuthority::from_credential(&root)?;

    let intermediate_request = CertificateRequest::new(INTERMEDIATE_CN)
        .organization(PKI_ORGANIZATION)
        .validity(not_before, now + Duration::days(10 * 365))
        .certificate_authority(Some(0))
        .key_usage(&[KeyUsage::KeyCertSign, KeyUsage::CrlSign]);
    let intermediate = root_ca.issue_with_key(&intermediate_request, next_key()?)?;
    let intermediate_ca = CertificateAuthority::from_credential(&intermediate)?;

    let leaf_not_after = now + Duration::days(3 * 365);
    let tsa_request = CertificateRequest::new(TSA_CN)
        .organization(PKI_ORGANIZATION)
        .validity(not_before, leaf_not_after)
        .key_usage(&[KeyUsage::DigitalSignature, KeyUsage::NonRepudiation])
        .time_stamping();
    let tsa = intermediate_ca.issue_with_key(&tsa_request, next_key()?)?;

    let mut units = BTreeMap::new();
    for unit in &spec.units {
        let request = CertificateRequest::new(&unit.name)
            .organization(&unit.name)
            .validity(not_before, leaf_not_after)
            .key_usage(&[KeyUsage::DigitalSignature, KeyUsage::NonRepudiation]);
        units.insert(
            unit.code.clone(),
            intermediate_ca.issue_with_key(&request, next_key()?)?,
        );
    }
    let mut people = BTreeMap::new();
    for person in &spec.people {
        let request = CertificateRequest::new(&person.full_name)
            .organization(&person.unit_name)
            .title(&person.position)
            .validity(not_before, leaf_not_after)
            .key_usage(&[KeyUsage::DigitalSignature, KeyUsage::NonRepudiation]);
        people.insert(
            person.username.clone(),
            intermediate_ca.issue_with_key(&request, next_key()?)?,
        );
    }
    let root_crl = root_ca.crl(&[], not_before, now + CRL_LIFETIME, 1)?;
    let intermediate_crl = intermediate_ca.crl(&[], not_before, now + CRL_LIFETIME, 1)?;
    Ok(DevPki {
        dir: PathBuf::new(),
        algorithm,
        root,
        intermediate,
        tsa,
        units,
        people,
        root_crl,
        intermediate_crl,
    })
}

/// Generates `count` keys, on every core: RSA generation dominates the time of `init`.
fn generate_keys(algorithm: KeyAlgorithm, count: usize) -> Result<Vec<PrivateKey>, DevPkiError> {
    let workers = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .clamp(1, count.max(1));
    let per_worker = count.div_ceil(workers);
    let results: Vec<Result<Vec<PrivateKey>, DevPkiError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                let share = per_worker.min(count.saturating_sub(worker * per_worker));
                scope.spawn(move || {
                    (0..share)
                        .map(|_| generate_key(algorithm))
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    Err(DevPkiError::KeyGeneration("a worker thread failed".into()))
                })
            })
            .collect()
    });
    let mut keys = Vec::with_capacity(count);
    for result in results {
        keys.extend(result?);
    }
    Ok(keys)
}

/// One new private key.
pub fn generate_key(algorithm: KeyAlgorithm) -> Result<PrivateKey, DevPkiError> {
    let failed = |error: String| DevPkiError::KeyGeneration(error);
    match algorithm {
        KeyAlgorithm::Rsa2048 => {
            use rsa::pkcs8::EncodePrivateKey;
            let key = rsa::RsaPrivateKey::new(&mut OsRng, 2048)
                .map_err(|error| failed(error.to_string()))?;
            let document = key
                .to_pkcs8_der()
                .map_err(|error| failed(error.to_string()))?;
            PrivateKey::from_pkcs8_der(document.as_bytes())
                .map_err(|error| failed(error.to_string()))
        }
        KeyAlgorithm::P256 => {
            let pair = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
                .map_err(|error| failed(error.to_string()))?;
            PrivateKey::from_pkcs8_der(&zeroize::Zeroizing::new(pair.serialize_der()))
                .map_err(|error| failed(error.to_string()))
        }
    }
}

/// Key usage bits of an issued certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUsage {
    DigitalSignature,
    NonRepudiation,
    KeyEncipherment,
    DataEncipherment,
    KeyAgreement,
    KeyCertSign,
    CrlSign,
}

impl KeyUsage {
    fn rcgen(self) -> KeyUsagePurpose {
        match self {
            KeyUsage::DigitalSignature => KeyUsagePurpose::DigitalSignature,
            KeyUsage::NonRepudiation => KeyUsagePurpose::ContentCommitment,
            KeyUsage::KeyEncipherment => KeyUsagePurpose::KeyEncipherment,
            KeyUsage::DataEncipherment => KeyUsagePurpose::DataEncipherment,
            KeyUsage::KeyAgreement => KeyUsagePurpose::KeyAgreement,
            KeyUsage::KeyCertSign => KeyUsagePurpose::KeyCertSign,
            KeyUsage::CrlSign => KeyUsagePurpose::CrlSign,
        }
    }
}

/// Extended key usages an issued certificate may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtendedKeyUsage {
    TimeStamping,
    EmailProtection,
    ClientAuth,
    ServerAuth,
    CodeSigning,
}

impl ExtendedKeyUsage {
    fn rcgen(self) -> ExtendedKeyUsagePurpose {
        match self {
            ExtendedKeyUsage::TimeStamping => ExtendedKeyUsagePurpose::TimeStamping,
            ExtendedKeyUsage::EmailProtection => ExtendedKeyUsagePurpose::EmailProtection,
            ExtendedKeyUsage::ClientAuth => ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsage::ServerAuth => ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsage::CodeSigning => ExtendedKeyUsagePurpose::CodeSigning,
        }
    }

    fn oid(self) -> const_oid::ObjectIdentifier {
        use const_oid::ObjectIdentifier as Oid;
        match self {
            ExtendedKeyUsage::ServerAuth => Oid::new_unwrap("1.3.6.1.5.5.7.3.1"),
            ExtendedKeyUsage::ClientAuth => Oid::new_unwrap("1.3.6.1.5.5.7.3.2"),
            ExtendedKeyUsage::CodeSigning => Oid::new_unwrap("1.3.6.1.5.5.7.3.3"),
            ExtendedKeyUsage::EmailProtection => Oid::new_unwrap("1.3.6.1.5.5.7.3.4"),
            ExtendedKeyUsage::TimeStamping => Oid::new_unwrap("1.3.6.1.5.5.7.3.8"),
        }
    }
}

/// What to put in a certificate; a builder for the development PKI and for test certificates.
#[derive(Debug, Clone)]
pub struct CertificateRequest {
    pub common_name: String,
    pub organization: Option<String>,
    pub title: Option<String>,
    pub country: Option<String>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub key_usage: Vec<KeyUsage>,
    pub extended_key_usage: Vec<ExtendedKeyUsage>,
    /// Whether the extendedKeyUsage extension is marked critical.
    pub extended_key_usage_critical: bool,
    /// `Some(path length)` for a CA (`None` inside: unconstrained); `None` for an end entity.
    pub certificate_authority: Option<Option<u8>>,
}

impl CertificateRequest {
    /// An end-entity request valid from an hour ago for a year, country VN, no key usage.
    pub fn new(common_name: &str) -> Self {
        let now = OffsetDateTime::now_utc();
        CertificateRequest {
            common_name: common_name.to_string(),
            organization: None,
            title: None,
            country: Some("VN".into()),
            not_before: now - Duration::hours(1),
            not_after: now + Duration::days(365),
            key_usage: Vec::new(),
            extended_key_usage: Vec::new(),
            extended_key_usage_critical: false,
            certificate_authority: None,
        }
    }

    pub fn organization(mut self, organization: &str) -> Self {
        self.organization = Some(organization.to_string());
        self
    }

    /// The `title` attribute (2.5.4.12): the person's position.
    pub fn title(mut self, title: &str) -> Self {
        self.title = Some(title.to_string());
        self
    }

    pub fn validity(mut self, not_before: OffsetDateTime, not_after: OffsetDateTime) -> Self {
        self.not_before = not_before;
        self.not_after = not_after;
        self
    }

    pub fn key_usage(mut self, usages: &[KeyUsage]) -> Self {
        self.key_usage = usages.to_vec();
        self
    }

    pub fn extended_key_usage(mut self, usages: &[ExtendedKeyUsage], critical: bool) -> Self {
        self.extended_key_usage = usages.to_vec();
        self.extended_key_usage_critical = critical;
        self
    }

    /// The critical timeStamping extended key usage RFC 3161 requires of a TSA.
    pub fn time_stamping(self) -> Self {
        self.extended_key_usage(&[ExtendedKeyUsage::TimeStamping], true)
    }

    pub fn certificate_authority(mut self, path_length: Option<u8>) -> Self {
        self.certificate_authority = Some(path_length);
        self
    }

    fn params(&self) -> Result<CertificateParams, DevPkiError> {
        let mut params = CertificateParams::default();
        let mut name = DistinguishedName::new();
        if let Some(country) = &self.country {
            let printable = PrintableString::try_from(country.as_str()).map_err(|error| {
                DevPkiError::Certificate {
                    subject: self.common_name.clone(),
                    source: error,
                }
            })?;
            name.push(DnType::CountryName, DnValue::PrintableString(printable));
        }
        if let Some(organization) = &self.organization {
            name.push(DnType::OrganizationName, organization.as_str());
        }
        if let Some(title) = &self.title {
            name.push(DnType::CustomDnType(vec![2, 5, 4, 12]), title.as_str());
        }
        name.push(DnType::CommonName, self.common_name.as_str());
        params.distinguished_name = name;
        params.not_before = self.not_before;
        params.not_after = self.not_after;
        params.serial_number = Some(random_serial());
        params.use_authority_key_identifier_extension = true;
        params.key_usages = self.key_usage.iter().map(|usage| usage.rcgen()).collect();
        if self.extended_key_usage_critical {
            use der::Encode;
            let oids: Vec<const_oid::ObjectIdentifier> = self
                .extended_key_usage
                .iter()
                .map(|usage| usage.oid())
                .collect();
            let content = oids.to_der().map_err(DevPkiError::Encoding)?;
            let mut extension = CustomExtension::from_oid_content(&[2, 5, 29, 37], content);
            extension.set_criticality(true);
            params.custom_extensions.push(extension);
        } else {
            params.extended_key_usages = self
                .extended_key_usage
                .iter()
                .map(|usage| usage.rcgen())
                .collect();
        }
        params.is_ca = match self.certificate_authority {
            Some(Some(length)) => IsCa::Ca(BasicConstraints::Constrained(length)),
            Some(None) => IsCa::Ca(BasicConstraints::Unconstrained),
            None => IsCa::ExplicitNoCa,
        };
        Ok(params)
    }
}

/// A serial of 16 random bytes, positive.
fn random_serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes[0] = (bytes[0] & 0x7f) | 0x10;
    SerialNumber::from_slice(&bytes)
}

/// A revoked certificate for [`CertificateAuthority::crl`].
#[derive(Debug, Clone)]
pub struct Revocation {
    /// The serial number's content octets (as [`Credential::serial`] returns them).
    pub serial: Vec<u8>,
    pub revoked_at: OffsetDateTime,
    pub reason: Option<RevocationReason>,
}

/// A CA that can issue certificates and CRLs (one of the development PKI's, or any credential
/// with a CA certificate).
pub struct CertificateAuthority {
    credential: Credential,
    issuer: Issuer<'static, KeyPair>,
}

impl fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateAuthority")
            .finish_non_exhaustive()
    }
}

impl CertificateAuthority {
    /// A CA from its certificate and key; it issues certificates with keys of its own kind.
    pub fn from_credential(credential: &Credential) -> Result<Self, DevPkiError> {
        let bad = |reason: String| DevPkiError::BadCertificate {
            path: PathBuf::from("<CA certificate>"),
            reason,
        };
        let (_, certificate) = x509_parser::parse_x509_certificate(&credential.certificate)
            .map_err(|error| bad(error.to_string()))?;
        let mut params = CertificateParams::default();
        params.distinguished_name = distinguished_name(&certificate).map_err(bad)?;
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key_identifier = certificate
            .extensions()
            .iter()
            .find_map(|extension| match extension.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(identifier) => Some(identifier.0.to_vec()),
                _ => None,
            });
        if let Some(identifier) = key_identifier {
            params.key_identifier_method = KeyIdMethod::PreSpecified(identifier);
        }
        let key_pair = rcgen_key_pair(&credential.key)?;
        Ok(CertificateAuthority {
            credential: credential.clone(),
            issuer: Issuer::new(params, key_pair),
        })
    }

    /// The CA's own certificate and key.
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// Issues a certificate with a new key of the CA's kind.
    pub fn issue(&self, request: &CertificateRequest) -> Result<Credential, DevPkiError> {
        let algorithm = match self.credential.key.kind() {
            Ok(KeyKind::Ec(_)) => KeyAlgorithm::P256,
            _ => KeyAlgorithm::Rsa2048,
        };
        self.issue_with_key(request, generate_key(algorithm)?)
    }

    /// Issues a certificate for a given key (to reuse keys, or to control the key type).
    pub fn issue_with_key(
        &self,
        request: &CertificateRequest,
        key: PrivateKey,
    ) -> Result<Credential, DevPkiError> {
        let subject_key = rcgen_key_pair(&key)?;
        let certificate = request
            .params()?
            .signed_by(&subject_key, &self.issuer)
            .map_err(|source| DevPkiError::Certificate {
                subject: request.common_name.clone(),
                source,
            })?;
        Ok(Credential {
            certificate: certificate.der().to_vec(),
            key,
        })
    }

    /// A DER CRL listing `revoked`.
    pub fn crl(
        &self,
        revoked: &[Revocation],
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
        number: u64,
    ) -> Result<Vec<u8>, DevPkiError> {
        let params = CertificateRevocationListParams {
            this_update,
            next_update,
            crl_number: SerialNumber::from_slice(&number.to_be_bytes()),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|revocation| RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&revocation.serial),
                    revocation_time: revocation.revoked_at,
                    reason_code: revocation.reason,
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        let crl = params
            .signed_by(&self.issuer)
            .map_err(|source| DevPkiError::Certificate {
                subject: "CRL".into(),
                source,
            })?;
        Ok(crl.der().to_vec())
    }
}

fn self_signed(request: &CertificateRequest, key: PrivateKey) -> Result<Credential, DevPkiError> {
    let key_pair = rcgen_key_pair(&key)?;
    let certificate =
        request
            .params()?
            .self_signed(&key_pair)
            .map_err(|source| DevPkiError::Certificate {
                subject: request.common_name.clone(),
                source,
            })?;
    Ok(Credential {
        certificate: certificate.der().to_vec(),
        key,
    })
}

fn rcgen_key_pair(key: &PrivateKey) -> Result<KeyPair, DevPkiError> {
    KeyPair::try_from(key.pkcs8_der())
        .map_err(|error| DevPkiError::KeyGeneration(error.to_string()))
}

/// The subject of a certificate as rcgen names it, to issue under an existing CA certificate.
fn distinguished_name(
    certificate: &x509_parser::certificate::X509Certificate<'_>,
) -> Result<DistinguishedName, String> {
    use x509_parser::der_parser::asn1_rs::Tag;
    let mut name = DistinguishedName::new();
    for attribute in certificate.subject().iter_attributes() {
        let components: Vec<u64> = attribute
            .attr_type()
            .iter()
            .ok_or("attribute type with an arc over 64 bits")?
            .collect();
        let text = attribute.as_str().map_err(|error| error.to_string())?;
        let value = if attribute.attr_value().tag() == Tag::PrintableString {
            DnValue::PrintableString(
                PrintableString::try_from(text).map_err(|error| error.to_string())?,
            )
        } else {
            DnValue::Utf8String(text.to_string())
        };
        name.push(DnType::from_oid(&components), value);
    }
    Ok(name)
}

fn check_file_name(name: &str) -> Result<(), DevPkiError> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if plain {
        Ok(())
    } else {
        Err(DevPkiError::InvalidName(name.to_string()))
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> DevPkiError + '_ {
    move |source| DevPkiError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn remove_layout(dir: &Path) -> Result<(), DevPkiError> {
    for base in ["root", "intermediate", "tsa"] {
        for suffix in ["cert.pem", "key.pem"] {
            let path = dir.join(format!("{base}.{suffix}"));
            if path.exists() {
                fs::remove_file(&path).map_err(io_error(&path))?;
            }
        }
    }
    for folder in ["units", "people", "crl"] {
        let path = dir.join(folder);
        if path.is_dir() {
            fs::remove_dir_all(&path).map_err(io_error(&path))?;
        }
    }
    Ok(())
}

fn private_dir(path: &Path) -> Result<(), DevPkiError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(io_error(path))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700)).map_err(io_error(path))
}

fn write_new(path: &Path, contents: &[u8], mode: u32) -> Result<(), DevPkiError> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(io_error(path))?;
    file.write_all(contents).map_err(io_error(path))
}

fn write_credential(dir: &Path, base: &str, credential: &Credential) -> Result<(), DevPkiError> {
    let key_path = dir.join(format!("{base}.key.pem"));
    let pem = credential.key.to_pem().map_err(|source| DevPkiError::Key {
        path: key_path.clone(),
        source,
    })?;
    write_new(&key_path, pem.as_bytes(), 0o600)?;
    write_new(
        &dir.join(format!("{base}.cert.pem")),
        credential.certificate_pem().as_bytes(),
        0o644,
    )
}

fn write(pki: &DevPki) -> Result<(), DevPkiError> {
    let dir = &pki.dir;
    private_dir(dir)?;
    write_credential(dir, "root", &pki.root)?;
    write_credential(dir, "intermediate", &pki.intermediate)?;
    write_credential(dir, "tsa", &pki.tsa)?;
    for (folder, credentials) in [("units", &pki.units), ("people", &pki.people)] {
        let folder = dir.join(folder);
        private_dir(&folder)?;
        for (name, credential) in credentials {
            write_credential(&folder, name, credential)?;
        }
    }
    let crl_dir = dir.join("crl");
    private_dir(&crl_dir)?;
    write_new(&crl_dir.join("root.crl"), &pki.root_crl, 0o644)?;
    write_new(
        &crl_dir.join("intermediate.crl"),
        &pki.intermediate_crl,
        0o644,
    )
}

fn read_file(path: &Path) -> Result<Vec<u8>, DevPkiError> {
    fs::read(path).map_err(io_error(path))
}

fn read_credential(dir: &Path, base: &str) -> Result<Credential, DevPkiError> {
    let certificate_path = dir.join(format!("{base}.cert.pem"));
    let key_path = dir.join(format!("{base}.key.pem"));
    let certificate = certificates_from_bytes(&certificate_path, &read_file(&certificate_path)?)
        .map_err(|error| DevPkiError::BadCertificate {
            path: certificate_path.clone(),
            reason: error.to_string(),
        })?
        .into_iter()
        .next()
        .ok_or_else(|| DevPkiError::BadCertificate {
            path: certificate_path.clone(),
            reason: "no CERTIFICATE block".into(),
        })?
        .der()
        .to_vec();
    let key =
        load_private_key(&read_file(&key_path)?, None).map_err(|source| DevPkiError::Key {
            path: key_path,
            source,
        })?;
    Ok(Credential { certificate, key })
}

fn read_folder(folder: &Path) -> Result<BTreeMap<String, Credential>, DevPkiError> {
    let mut credentials = BTreeMap::new();
    for entry in fs::read_dir(folder).map_err(io_error(folder))? {
        let entry = entry.map_err(io_error(folder))?;
        let file_name = entry.file_name();
        let Some(base) = file_name
            .to_str()
            .and_then(|name| name.strip_suffix(".cert.pem"))
        else {
            continue;
        };
        credentials.insert(base.to_string(), read_credential(folder, base)?);
    }
    Ok(credentials)
}

/// PEM `CERTIFICATE` text for DER bytes.
pub fn certificate_pem(der: &[u8]) -> String {
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der).unwrap_or_default()
}
