//! CMS attributes: the ESS signing-certificate structures (RFC 2634 v1, RFC 5035 v2), building the
//! PAdES signed-attribute set, and reading received signed attributes without re-encoding them.

use const_oid::ObjectIdentifier;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::{GeneralName, GeneralNames};
use x509_cert::serial_number::SerialNumber;

use super::error::CmsError;
use super::oid;
use crate::crypto::{DigestAlgorithm, UnsupportedAlgorithm};

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct IssuerSerial {
    pub issuer: GeneralNames,
    pub serial_number: SerialNumber,
}

/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT id-sha256,
///   certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }` (RFC 5035).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertIdV2 {
    /// Absent means SHA-256 (the DEFAULT, which DER omits).
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

impl EssCertIdV2 {
    /// The OID of the hash over the certificate, applying the SHA-256 default.
    pub fn hash_oid(&self) -> ObjectIdentifier {
        self.hash_algorithm
            .as_ref()
            .map_or(DigestAlgorithm::Sha256.oid(), |algorithm| algorithm.oid)
    }
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2,
///   policies SEQUENCE OF PolicyInformation OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}

/// `ESSCertID ::= SEQUENCE { certHash OCTET STRING (SHA-1), issuerSerial IssuerSerial OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct EssCertId {
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies … OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct SigningCertificate {
    pub certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    pub policies: Option<Vec<Any>>,
}

/// The DER of a signed-attribute `SET` (tag 0x31) with the digest algorithm it was made for:
/// exactly the bytes a signing token signs, and the digest a prehash token signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAttributes {
    der: Vec<u8>,
    digest_algorithm: DigestAlgorithm,
    content_type: ObjectIdentifier,
}

impl SignedAttributes {
    /// The bytes the signature covers.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.digest_algorithm
    }

    /// The value of the contentType attribute.
    pub fn content_type(&self) -> ObjectIdentifier {
        self.content_type
    }

    /// The digest of [`Self::der`], for tokens that sign a prehash.
    pub fn digest(&self) -> Vec<u8> {
        self.digest_algorithm.digest(&self.der)
    }

    /// Rebuilds the value from stored bytes (deferred signing keeps them between the two steps).
    /// The bytes must be a DER `SET` of attributes with contentType and a messageDigest of the
    /// right length for `digest_algorithm`.
    pub fn from_der(der: &[u8], digest_algorithm: DigestAlgorithm) -> Result<Self, CmsError> {
        let received = ReceivedSignedAttributes::parse(der, 0)?;
        let content_type = received.content_type.ok_or(CmsError::MalformedAttribute {
            oid: oid::CONTENT_TYPE,
            reason: "missing".into(),
        })?;
        let digest = received
            .message_digest
            .as_ref()
            .ok_or(CmsError::MalformedAttribute {
                oid: oid::MESSAGE_DIGEST,
                reason: "missing".into(),
            })?;
        check_digest_length(digest_algorithm, digest)?;
        Ok(SignedAttributes {
            der: received.der,
            digest_algorithm,
            content_type,
        })
    }
}

/// The PAdES baseline signed attributes over detached data: contentType id-data, messageDigest,
/// signing-certificate-v2 with issuerSerial; no signing-time (PAdES puts the claimed time in `/M`).
pub fn signed_attributes(
    digest_algorithm: DigestAlgorithm,
    message_digest: &[u8],
    signer_certificate: &[u8],
) -> Result<SignedAttributes, CmsError> {
    signed_attributes_for(
        oid::ID_DATA,
        digest_algorithm,
        message_digest,
        signer_certificate,
    )
}

/// Like [`signed_attributes`] for another content type (a timestamp authority signs
/// id-ct-TSTInfo).
pub fn signed_attributes_for(
    content_type: ObjectIdentifier,
    digest_algorithm: DigestAlgorithm,
    message_digest: &[u8],
    signer_certificate: &[u8],
) -> Result<SignedAttributes, CmsError> {
    if matches!(
        digest_algorithm,
        DigestAlgorithm::Md2 | DigestAlgorithm::Md5 | DigestAlgorithm::Sha1
    ) {
        return Err(UnsupportedAlgorithm {
            what: "digest (too weak to sign with)",
            oid: digest_algorithm.oid(),
        }
        .into());
    }
    check_digest_length(digest_algorithm, message_digest)?;
    let certificate = x509_cert::Certificate::from_der(signer_certificate)
        .map_err(|source| CmsError::Certificate { index: 0, source })?;
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: (digest_algorithm != DigestAlgorithm::Sha256)
                .then(|| digest_algorithm.algorithm_identifier()),
            cert_hash: OctetString::new(digest_algorithm.digest(signer_certificate))
                .map_err(CmsError::Encoding)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    certificate.tbs_certificate.issuer.clone(),
                )],
                serial_number: certificate.tbs_certificate.serial_number.clone(),
            }),
        }],
        policies: None,
    };
    let digest_value = OctetString::new(message_digest).map_err(CmsError::Encoding)?;
    let attributes = vec![
        attribute(oid::CONTENT_TYPE, &content_type)?,
        attribute(oid::MESSAGE_DIGEST, &digest_value)?,
        attribute(oid::SIGNING_CERTIFICATE_V2, &ess)?,
    ];
    let set = SetOfVec::try_from(attributes).map_err(CmsError::Encoding)?;
    Ok(SignedAttributes {
        der: set.to_der().map_err(CmsError::Encoding)?,
        digest_algorithm,
        content_type,
    })
}

/// A single-valued attribute.
pub fn attribute(oid: ObjectIdentifier, value: &impl Encode) -> Result<Attribute, CmsError> {
    let value =
        Any::from_der(&value.to_der().map_err(CmsError::Encoding)?).map_err(CmsError::Encoding)?;
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).map_err(CmsError::Encoding)?,
    })
}

fn check_digest_length(digest_algorithm: DigestAlgorithm, digest: &[u8]) -> Result<(), CmsError> {
    if digest.len() == digest_algorithm.output_len() {
        Ok(())
    } else {
        Err(CmsError::DigestLength {
            digest: digest_algorithm,
            expected: digest_algorithm.output_len(),
            found: digest.len(),
        })
    }
}

/// Signed attributes as received: the exact bytes the signature covers and the attributes we
/// understand, decoded from those same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedSignedAttributes {
    /// The `[0]` element with its tag changed to `SET` (0x31): hash these, never a re-encoding.
    pub der: Vec<u8>,
    /// Every attribute, in the order received.
    pub attributes: Vec<Attribute>,
    pub content_type: Option<ObjectIdentifier>,
    pub message_digest: Option<Vec<u8>>,
    pub signing_time: Option<OffsetDateTime>,
    pub signing_certificate: Option<SigningCertificate>,
    pub signing_certificate_v2: Option<SigningCertificateV2>,
}

impl ReceivedSignedAttributes {
    /// Parses a `SET OF Attribute` or the `[0] IMPLICIT` form of it (the first byte is replaced
    /// by the SET tag in [`Self::der`]). `offset` places errors in the enclosing input.
    pub(crate) fn parse(element: &[u8], offset: usize) -> Result<Self, CmsError> {
        let mut der = element.to_vec();
        if let Some(first) = der.first_mut() {
            *first = 0x31;
        }
        let mut reader = super::tlv::TlvReader::new(element, offset);
        let outer = reader.read("signed attributes")?;
        reader.finish("signed attributes")?;
        let mut children = outer.children();
        let mut attributes = Vec::new();
        while !children.is_finished() {
            let element = children.read("signed attribute")?;
            let attribute =
                Attribute::from_der(element.raw).map_err(|source| CmsError::Malformed {
                    what: "signed attribute",
                    offset: element.offset,
                    source,
                })?;
            attributes.push(attribute);
        }
        let mut received = ReceivedSignedAttributes {
            der,
            attributes: Vec::new(),
            content_type: None,
            message_digest: None,
            signing_time: None,
            signing_certificate: None,
            signing_certificate_v2: None,
        };
        for attribute in &attributes {
            received.understand(attribute)?;
        }
        received.attributes = attributes;
        Ok(received)
    }

    fn understand(&mut self, attribute: &Attribute) -> Result<(), CmsError> {
        let oid = attribute.oid;
        match oid {
            oid::CONTENT_TYPE => {
                let value = single_value::<ObjectIdentifier>(attribute)?;
                set_once(&mut self.content_type, value, oid)
            }
            oid::MESSAGE_DIGEST => {
                let value = single_value::<OctetString>(attribute)?;
                set_once(&mut self.message_digest, value.into_bytes(), oid)
            }
            oid::SIGNING_TIME => {
                let value = single_value::<x509_cert::time::Time>(attribute)?;
                let seconds = i64::try_from(value.to_unix_duration().as_secs()).map_err(|_| {
                    CmsError::MalformedAttribute {
                        oid,
                        reason: "time out of range".into(),
                    }
                })?;
                let time = OffsetDateTime::from_unix_timestamp(seconds).map_err(|error| {
                    CmsError::MalformedAttribute {
                        oid,
                        reason: error.to_string(),
                    }
                })?;
                set_once(&mut self.signing_time, time, oid)
            }
            oid::SIGNING_CERTIFICATE => {
                let value = single_value::<SigningCertificate>(attribute)?;
                set_once(&mut self.signing_certificate, value, oid)
            }
            oid::SIGNING_CERTIFICATE_V2 => {
                let value = single_value::<SigningCertificateV2>(attribute)?;
                set_once(&mut self.signing_certificate_v2, value, oid)
            }
            _ => Ok(()),
        }
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T, oid: ObjectIdentifier) -> Result<(), CmsError> {
    if slot.is_some() {
        return Err(CmsError::DuplicateAttribute { oid });
    }
    *slot = Some(value);
    Ok(())
}

/// The one value of an attribute that must have exactly one (RFC 5652 §11).
pub(crate) fn single_value<T: for<'a> Decode<'a>>(attribute: &Attribute) -> Result<T, CmsError> {
    let malformed = |reason: String| CmsError::MalformedAttribute {
        oid: attribute.oid,
        reason,
    };
    let mut values = attribute.values.iter();
    let value = values.next().ok_or_else(|| malformed("no value".into()))?;
    if values.next().is_some() {
        return Err(malformed("more than one value".into()));
    }
    let encoded = value
        .to_der()
        .map_err(|error| malformed(error.to_string()))?;
    T::from_der(&encoded).map_err(|error| malformed(error.to_string()))
}
