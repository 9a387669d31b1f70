//! An X.509 certificate parsed once into owned values: names, validity, key, extensions and the
//! signed bytes, so that stores, path builders and reports can share it without lifetimes.

use std::fmt;

use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;

use super::name::DistinguishedName;
use crate::crypto::{CryptoError, PublicKey, SignatureAlgorithm, Signed, sha256};

/// Why bytes are not a usable certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("not a DER X.509 certificate: {reason}")]
    Malformed { reason: String },
    #[error("{count} bytes follow the certificate")]
    TrailingData { count: usize },
    #[error("extension {oid} appears more than once")]
    DuplicateExtension { oid: String },
    #[error("malformed subject public key: {0}")]
    MalformedKey(CryptoError),
}

/// The keyUsage bits (RFC 5280 §4.2.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyUsage(u16);

impl KeyUsage {
    const NAMES: [&'static str; 9] = [
        "digitalSignature",
        "nonRepudiation",
        "keyEncipherment",
        "dataEncipherment",
        "keyAgreement",
        "keyCertSign",
        "cRLSign",
        "encipherOnly",
        "decipherOnly",
    ];

    fn bit(self, index: u16) -> bool {
        (self.0 >> index) & 1 == 1
    }
    pub fn digital_signature(self) -> bool {
        self.bit(0)
    }
    /// Also called contentCommitment.
    pub fn non_repudiation(self) -> bool {
        self.bit(1)
    }
    pub fn key_cert_sign(self) -> bool {
        self.bit(5)
    }
    pub fn crl_sign(self) -> bool {
        self.bit(6)
    }

    /// The names of the bits that are set.
    pub fn names(self) -> Vec<&'static str> {
        Self::NAMES
            .iter()
            .zip(0u16..)
            .filter(|(_, index)| self.bit(*index))
            .map(|(name, _)| *name)
            .collect()
    }
}

pub const OID_EKU_ANY: &str = "2.5.29.37.0";
pub const OID_EKU_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
pub const OID_EKU_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
pub const OID_EKU_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
pub const OID_EKU_EMAIL_PROTECTION: &str = "1.3.6.1.5.5.7.3.4";
pub const OID_EKU_TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";
pub const OID_EKU_OCSP_SIGNING: &str = "1.3.6.1.5.5.7.3.9";
pub const OID_EKU_DOCUMENT_SIGNING: &str = "1.3.6.1.5.5.7.3.36";
pub const OID_EKU_ADOBE_AUTHENTIC_DOCUMENTS: &str = "1.2.840.113583.1.1.5";
pub const OID_EKU_MS_DOCUMENT_SIGNING: &str = "1.3.6.1.4.1.311.10.3.12";

/// The extendedKeyUsage extension (RFC 5280 §4.2.1.12).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtendedKeyUsage {
    /// Purposes as dotted OIDs, in the certificate's order.
    pub purposes: Vec<String>,
    pub critical: bool,
}

impl ExtendedKeyUsage {
    pub fn contains(&self, oid: &str) -> bool {
        self.purposes.iter().any(|purpose| purpose == oid)
    }

    /// Human names of the purposes (dotted OID for unknown ones).
    pub fn names(&self) -> Vec<String> {
        self.purposes
            .iter()
            .map(|oid| eku_name(oid).map_or_else(|| oid.clone(), str::to_owned))
            .collect()
    }
}

fn eku_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        OID_EKU_ANY => "anyExtendedKeyUsage",
        OID_EKU_SERVER_AUTH => "serverAuth",
        OID_EKU_CLIENT_AUTH => "clientAuth",
        OID_EKU_CODE_SIGNING => "codeSigning",
        OID_EKU_EMAIL_PROTECTION => "emailProtection",
        OID_EKU_TIME_STAMPING => "timeStamping",
        OID_EKU_OCSP_SIGNING => "OCSPSigning",
        OID_EKU_DOCUMENT_SIGNING => "documentSigning",
        OID_EKU_ADOBE_AUTHENTIC_DOCUMENTS => "adobeAuthenticDocumentsTrust",
        OID_EKU_MS_DOCUMENT_SIGNING => "msDocumentSigning",
        _ => return None,
    })
}

/// basicConstraints (RFC 5280 §4.2.1.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BasicConstraints {
    pub ca: bool,
    pub path_len: Option<u32>,
}

/// Extensions this crate acts upon or may safely ignore, so that they may be critical.
/// Name constraints and the policy-processing extensions are deliberately absent: they are not
/// enforced, so a certificate that marks them critical is refused (fail closed).
const RECOGNISED_EXTENSIONS: &[&str] = &[
    "2.5.29.14",            // subjectKeyIdentifier
    "2.5.29.15",            // keyUsage
    "2.5.29.17",            // subjectAltName
    "2.5.29.18",            // issuerAltName
    "2.5.29.19",            // basicConstraints
    "2.5.29.31",            // cRLDistributionPoints
    "2.5.29.32",            // certificatePolicies (any policy is acceptable)
    "2.5.29.35",            // authorityKeyIdentifier
    "2.5.29.37",            // extKeyUsage
    "1.3.6.1.5.5.7.1.1",    // authorityInfoAccess
    "1.3.6.1.5.5.7.48.1.5", // id-pkix-ocsp-nocheck
];

/// A parsed certificate. Cheap to share behind an `Arc`.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    sha256: [u8; 32],
    version: u32,
    serial: Vec<u8>,
    subject: DistinguishedName,
    issuer: DistinguishedName,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    public_key: PublicKey,
    signature_algorithm: Result<SignatureAlgorithm, CryptoError>,
    signature_algorithm_oid: String,
    signature_algorithms_agree: bool,
    tbs: Vec<u8>,
    signature: Vec<u8>,
    basic_constraints: Option<BasicConstraints>,
    key_usage: Option<KeyUsage>,
    extended_key_usage: Option<ExtendedKeyUsage>,
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    crl_distribution_points: Vec<String>,
    authority_info_access: Vec<String>,
    unrecognised_critical_extensions: Vec<String>,
    malformed_extensions: Vec<String>,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject.to_string())
            .field("issuer", &self.issuer.to_string())
            .field("serial", &self.serial_hex())
            .field("sha256", &self.sha256_hex())
            .finish()
    }
}

impl Certificate {
    /// Parses one DER certificate; trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Certificate, CertificateError> {
        let (rest, cert) =
            X509Certificate::from_der(der).map_err(|error| CertificateError::Malformed {
                reason: error.to_string(),
            })?;
        if !rest.is_empty() {
            return Err(CertificateError::TrailingData { count: rest.len() });
        }
        Self::from_parsed(&cert, der.to_vec())
    }

    fn from_parsed(cert: &X509Certificate<'_>, der: Vec<u8>) -> Result<Self, CertificateError> {
        let sha256 = sha256(&der);
        let public_key =
            PublicKey::from_x509(cert.public_key()).map_err(CertificateError::MalformedKey)?;
        let mut parsed = Certificate {
            sha256,
            // A hostile version field (u32::MAX) must not overflow.
            version: cert.version().0.saturating_add(1),
            serial: cert.raw_serial().to_vec(),
            subject: DistinguishedName::from_x509(cert.subject()),
            issuer: DistinguishedName::from_x509(cert.issuer()),
            not_before: cert.validity().not_before.to_datetime(),
            not_after: cert.validity().not_after.to_datetime(),
            public_key,
            signature_algorithm: SignatureAlgorithm::from_x509(&cert.signature_algorithm),
            signature_algorithm_oid: cert.signature_algorithm.algorithm.to_id_string(),
            signature_algorithms_agree: cert.signature_algorithm == cert.tbs_certificate.signature,
            tbs: cert.tbs_certificate.as_ref().to_vec(),
            signature: cert.signature_value.data.to_vec(),
            basic_constraints: None,
            key_usage: None,
            extended_key_usage: None,
            subject_key_id: None,
            authority_key_id: None,
            crl_distribution_points: Vec::new(),
            authority_info_access: Vec::new(),
            unrecognised_critical_extensions: Vec::new(),
            malformed_extensions: Vec::new(),
            der,
        };
        parsed.read_extensions(cert)?;
        Ok(parsed)
    }

    fn read_extensions(&mut self, cert: &X509Certificate<'_>) -> Result<(), CertificateError> {
        let mut seen: Vec<String> = Vec::new();
        for extension in cert.extensions() {
            let oid = extension.oid.to_id_string();
            if seen.contains(&oid) {
                return Err(CertificateError::DuplicateExtension { oid });
            }
            if extension.critical && !RECOGNISED_EXTENSIONS.contains(&oid.as_str()) {
                self.unrecognised_critical_extensions.push(oid.clone());
            }
            match extension.parsed_extension() {
                ParsedExtension::BasicConstraints(bc) => {
                    self.basic_constraints = Some(BasicConstraints {
                        ca: bc.ca,
                        path_len: bc.path_len_constraint,
                    });
                }
                ParsedExtension::KeyUsage(ku) => self.key_usage = Some(KeyUsage(ku.flags)),
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    self.extended_key_usage = Some(read_eku(eku, extension.critical));
                }
                ParsedExtension::SubjectKeyIdentifier(id) => {
                    self.subject_key_id = Some(id.0.to_vec());
                }
                ParsedExtension::AuthorityKeyIdentifier(aki) => {
                    self.authority_key_id = aki.key_identifier.as_ref().map(|id| id.0.to_vec());
                }
                ParsedExtension::CRLDistributionPoints(points) => {
                    self.crl_distribution_points = points
                        .iter()
                        .filter_map(|point| point.distribution_point.as_ref())
                        .flat_map(|name| match name {
                            DistributionPointName::FullName(names) => names.iter().collect(),
                            DistributionPointName::NameRelativeToCRLIssuer(_) => Vec::new(),
                        })
                        .filter_map(general_name_text)
                        .collect();
                }
                ParsedExtension::AuthorityInfoAccess(aia) => {
                    self.authority_info_access = aia
                        .iter()
                        .filter_map(|access| general_name_text(&access.access_location))
                        .collect();
                }
                ParsedExtension::ParseError { .. } => self.malformed_extensions.push(oid.clone()),
                _ => {}
            }
            seen.push(oid);
        }
        Ok(())
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// SHA-256 of the DER encoding.
    pub fn sha256(&self) -> &[u8; 32] {
        &self.sha256
    }

    /// SHA-256 fingerprint as lowercase hex.
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }

    /// X.509 version (1, 2 or 3).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The serial number's DER content bytes.
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// The serial number in uppercase hex, without the sign byte.
    pub fn serial_hex(&self) -> String {
        hex::encode_upper(strip_leading_zeros(&self.serial))
    }

    pub fn subject(&self) -> &DistinguishedName {
        &self.subject
    }

    pub fn issuer(&self) -> &DistinguishedName {
        &self.issuer
    }

    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// True when `at` lies within the validity period (both ends inclusive, RFC 5280 §4.1.2.5).
    pub fn is_valid_at(&self, at: OffsetDateTime) -> bool {
        self.not_before <= at && at <= self.not_after
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The algorithm of the issuer's signature on this certificate, or why it is not supported.
    pub fn signature_algorithm(&self) -> Result<SignatureAlgorithm, CryptoError> {
        self.signature_algorithm.clone()
    }

    /// Dotted OID of the signatureAlgorithm.
    pub fn signature_algorithm_oid(&self) -> &str {
        &self.signature_algorithm_oid
    }

    /// Human name of the signature algorithm.
    pub fn signature_algorithm_name(&self) -> String {
        match &self.signature_algorithm {
            Ok(algorithm) => algorithm.to_string(),
            Err(_) => self.signature_algorithm_oid.clone(),
        }
    }

    /// False when the outer signatureAlgorithm differs from the one inside the signed part
    /// (RFC 5280 §4.1.1.2 requires them to be identical).
    pub fn signature_algorithms_agree(&self) -> bool {
        self.signature_algorithms_agree
    }

    /// Verifies this certificate's signature with a public key (normally its issuer's).
    pub fn verify_signed_by(&self, issuer_key: &PublicKey) -> Result<(), CryptoError> {
        let algorithm = self.signature_algorithm.clone()?;
        issuer_key.verify(algorithm, Signed::Message(&self.tbs), &self.signature)
    }

    pub fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.basic_constraints
    }

    /// True when basicConstraints says this is a CA.
    pub fn is_ca(&self) -> bool {
        self.basic_constraints.is_some_and(|bc| bc.ca)
    }

    pub fn key_usage(&self) -> Option<KeyUsage> {
        self.key_usage
    }

    pub fn extended_key_usage(&self) -> Option<&ExtendedKeyUsage> {
        self.extended_key_usage.as_ref()
    }

    pub fn subject_key_id(&self) -> Option<&[u8]> {
        self.subject_key_id.as_deref()
    }

    /// The keyIdentifier of the authorityKeyIdentifier extension.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    /// URIs (and other printable names) of the CRL distribution points; never fetched.
    pub fn crl_distribution_points(&self) -> &[String] {
        &self.crl_distribution_points
    }

    /// Locations from authorityInfoAccess (OCSP responders, CA issuers); never fetched.
    pub fn authority_info_access(&self) -> &[String] {
        &self.authority_info_access
    }

    /// Critical extensions this crate does not process.
    pub fn unrecognised_critical_extensions(&self) -> &[String] {
        &self.unrecognised_critical_extensions
    }

    /// Extensions whose content could not be parsed.
    pub fn malformed_extensions(&self) -> &[String] {
        &self.malformed_extensions
    }

    /// Subject and issuer are the same name (a root, or a self-issued key-rollover certificate).
    pub fn is_self_issued(&self) -> bool {
        self.subject.matches(&self.issuer)
    }

    /// Same subject and same key: two encodings of one CA (re-issued with new dates, cross-signed).
    pub fn same_entity(&self, other: &Certificate) -> bool {
        self.subject.matches(&other.subject)
            && self.public_key.spki_der() == other.public_key.spki_der()
    }
}

fn read_eku(
    eku: &x509_parser::extensions::ExtendedKeyUsage<'_>,
    critical: bool,
) -> ExtendedKeyUsage {
    let mut purposes = Vec::new();
    let known = [
        (eku.any, OID_EKU_ANY),
        (eku.server_auth, OID_EKU_SERVER_AUTH),
        (eku.client_auth, OID_EKU_CLIENT_AUTH),
        (eku.code_signing, OID_EKU_CODE_SIGNING),
        (eku.email_protection, OID_EKU_EMAIL_PROTECTION),
        (eku.time_stamping, OID_EKU_TIME_STAMPING),
        (eku.ocsp_signing, OID_EKU_OCSP_SIGNING),
    ];
    for (present, oid) in known {
        if present {
            purposes.push(oid.to_owned());
        }
    }
    purposes.extend(eku.other.iter().map(|oid| oid.to_id_string()));
    ExtendedKeyUsage { purposes, critical }
}

fn general_name_text(name: &GeneralName<'_>) -> Option<String> {
    match name {
        GeneralName::URI(uri) => Some((*uri).to_owned()),
        GeneralName::DirectoryName(dn) => Some(DistinguishedName::from_x509(dn).to_string()),
        _ => None,
    }
}

/// Strips the sign byte(s) of a DER INTEGER's content.
pub(crate) fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&byte| byte != 0) {
        Some(start) => bytes.get(start..).unwrap_or_default(),
        None => bytes
            .get(bytes.len().saturating_sub(1)..)
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_sign_bytes_are_stripped() {
        assert_eq!(strip_leading_zeros(&[0, 0x80, 1]), &[0x80, 1]);
        assert_eq!(strip_leading_zeros(&[0]), &[0]);
        assert_eq!(strip_leading_zeros(&[]), &[] as &[u8]);
    }

    #[test]
    fn key_usage_names() {
        assert_eq!(KeyUsage(0b110_0000).names(), vec!["keyCertSign", "cRLSign"]);
        assert!(KeyUsage(0b10).non_repudiation());
    }

    #[test]
    fn garbage_is_a_clear_error() {
        assert!(matches!(
            Certificate::from_der(b"not a certificate"),
            Err(CertificateError::Malformed { .. })
        ));
    }
}
