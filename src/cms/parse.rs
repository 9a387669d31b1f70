//! Parsing CMS SignedData as received (in a PDF `/Contents`, or as a timestamp token), keeping the
//! received bytes of everything a signature or a hash covers and the received order of
//! certificates.

use const_oid::ObjectIdentifier;
use der::{Decode, Tag};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;

use super::attributes::ReceivedSignedAttributes;
use super::error::CmsError;
use super::oid;
use super::tlv::{Tlv, TlvReader, context, context_primitive};
use crate::crypto::{CryptoError, DigestAlgorithm, SignatureAlgorithm, UnsupportedAlgorithm};

/// A parsed `SignedData`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedData {
    pub version: u64,
    pub digest_algorithms: Vec<AlgorithmIdentifierOwned>,
    /// `encapContentInfo.eContentType`.
    pub content_type: ObjectIdentifier,
    /// `encapContentInfo.eContent` (the OCTET STRING's contents); `None` for detached signatures.
    pub content: Option<Vec<u8>>,
    /// X.509 certificates (DER) in the order received.
    pub certificates: Vec<Vec<u8>>,
    /// Certificate choices other than X.509 certificates (attribute certificates…), ignored.
    pub other_certificates: usize,
    /// CRLs (DER) in the order received.
    pub crls: Vec<Vec<u8>>,
    /// Revocation information other than CRLs (e.g. OCSP responses), ignored.
    pub other_revocation_info: usize,
    pub signer_infos: Vec<SignerInfo>,
    /// Length of the DER `ContentInfo`, without any trailing zero padding.
    pub encoded_len: usize,
}

/// How a SignerInfo names its certificate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SignerId {
    /// The DER of the issuer `Name` and the serial number's content octets.
    IssuerAndSerial {
        issuer: Vec<u8>,
        serial: Vec<u8>,
    },
    SubjectKeyIdentifier(Vec<u8>),
}

/// A parsed `SignerInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    pub version: u64,
    pub sid: SignerId,
    pub digest_algorithm: AlgorithmIdentifierOwned,
    pub signed_attributes: Option<ReceivedSignedAttributes>,
    pub signature_algorithm: AlgorithmIdentifierOwned,
    pub signature: Vec<u8>,
    /// Unsigned attributes in the order received.
    pub unsigned_attributes: Vec<Attribute>,
}

impl SignerInfo {
    /// The digest algorithm, or the OID we do not support.
    pub fn digest(&self) -> Result<DigestAlgorithm, UnsupportedAlgorithm> {
        DigestAlgorithm::from_oid(self.digest_algorithm.oid)
    }

    /// The signature algorithm, with PSS parameters resolved.
    pub fn signature_algorithm(&self) -> Result<SignatureAlgorithm, CryptoError> {
        SignatureAlgorithm::from_identifier(&self.signature_algorithm, Some(self.digest()?))
    }

    /// The DER `ContentInfo` of each signature timestamp token (id-aa-signatureTimeStampToken).
    pub fn timestamp_tokens(&self) -> Vec<Vec<u8>> {
        use der::Encode;
        self.unsigned_attributes
            .iter()
            .filter(|attribute| attribute.oid == oid::SIGNATURE_TIME_STAMP_TOKEN)
            .flat_map(|attribute| attribute.values.iter())
            .filter_map(|value| value.to_der().ok())
            .collect()
    }
}

/// Parses a DER `ContentInfo` holding `SignedData`. Zero bytes after it are accepted (the padding
/// of a PDF `/Contents` string); any other trailing byte is an error.
///
/// BER length forms (indefinite lengths, constructed OCTET STRINGs), which Java signers write,
/// are rewritten to DER lengths first; elements without them, the signed attributes among them,
/// keep their received bytes. `encoded_len` is then the length of the received encoding.
pub fn parse_signed_data(input: &[u8]) -> Result<SignedData, CmsError> {
    match parse_der_signed_data(input) {
        Err(CmsError::IndefiniteLength { .. }) => {
            let (normalised, consumed) = super::ber::normalise(input)?;
            let rest = input.get(consumed..).unwrap_or_default();
            if let Some(position) = rest.iter().position(|&byte| byte != 0) {
                return Err(CmsError::TrailingData {
                    what: "ContentInfo (only zero padding may follow)",
                    offset: consumed + position,
                });
            }
            let mut signed_data = parse_signed_data_exact(&normalised)?;
            signed_data.encoded_len = consumed;
            Ok(signed_data)
        }
        other => other,
    }
}

fn parse_der_signed_data(input: &[u8]) -> Result<SignedData, CmsError> {
    let mut reader = TlvReader::new(input, 0);
    let content_info = reader.read_expected(Tag::Sequence, "ContentInfo")?;
    if let Some(position) = reader.remaining().iter().position(|&byte| byte != 0) {
        return Err(CmsError::TrailingData {
            what: "ContentInfo (only zero padding may follow)",
            offset: content_info.raw.len() + position,
        });
    }
    let mut signed_data = parse_content_info(content_info)?;
    signed_data.encoded_len = content_info.raw.len();
    Ok(signed_data)
}

/// Parses a `ContentInfo` that must be exactly the input (no padding), e.g. a timestamp token.
/// BER length forms are accepted as in [`parse_signed_data`].
pub fn parse_signed_data_exact(input: &[u8]) -> Result<SignedData, CmsError> {
    match parse_der_signed_data_exact(input) {
        Err(CmsError::IndefiniteLength { .. }) => {
            let (normalised, consumed) = super::ber::normalise(input)?;
            if consumed != input.len() {
                return Err(CmsError::TrailingData {
                    what: "ContentInfo",
                    offset: consumed,
                });
            }
            let mut signed_data = parse_der_signed_data_exact(&normalised)?;
            signed_data.encoded_len = consumed;
            Ok(signed_data)
        }
        other => other,
    }
}

fn parse_der_signed_data_exact(input: &[u8]) -> Result<SignedData, CmsError> {
    let mut reader = TlvReader::new(input, 0);
    let content_info = reader.read_expected(Tag::Sequence, "ContentInfo")?;
    reader.finish("ContentInfo")?;
    let mut signed_data = parse_content_info(content_info)?;
    signed_data.encoded_len = content_info.raw.len();
    Ok(signed_data)
}

/// The elements of a `ContentInfo` / `SignedData`, for code that splices new bytes in.
pub(crate) struct SignedDataElements<'a> {
    pub content_type: Tlv<'a>,
    /// The children of the `SignedData` SEQUENCE, in order.
    pub children: Vec<Tlv<'a>>,
}

pub(crate) fn signed_data_elements(
    content_info: Tlv<'_>,
) -> Result<SignedDataElements<'_>, CmsError> {
    let mut fields = content_info.children();
    let content_type = fields.read_expected(Tag::ObjectIdentifier, "ContentInfo.contentType")?;
    let oid = decode::<ObjectIdentifier>(content_type, "ContentInfo.contentType")?;
    if oid != oid::ID_SIGNED_DATA {
        return Err(CmsError::NotSignedData { found: oid });
    }
    let explicit = fields.read_expected(context(0), "ContentInfo.content")?;
    fields.finish("ContentInfo")?;
    let mut inner = explicit.children();
    let signed_data = inner.read_expected(Tag::Sequence, "SignedData")?;
    inner.finish("ContentInfo.content")?;
    let mut reader = signed_data.children();
    let mut children = Vec::new();
    while !reader.is_finished() {
        children.push(reader.read("SignedData field")?);
    }
    Ok(SignedDataElements {
        content_type,
        children,
    })
}

fn parse_content_info(content_info: Tlv<'_>) -> Result<SignedData, CmsError> {
    super::tlv::check_shape(content_info.raw, content_info.offset, "ContentInfo")?;
    let elements = signed_data_elements(content_info)?;
    let end_offset = content_info.offset + content_info.raw.len();
    let mut fields = elements.children.into_iter().peekable();
    let mut next = |what: &'static str| {
        fields.next().ok_or(CmsError::Truncated {
            what,
            offset: end_offset,
        })
    };
    let version = decode::<u64>(
        next("SignedData.version")?.expect(Tag::Integer, "SignedData.version")?,
        "SignedData.version",
    )?;
    let digest_algorithms = algorithm_set(
        next("SignedData.digestAlgorithms")?.expect(Tag::Set, "SignedData.digestAlgorithms")?,
    )?;
    let (content_type, content) = encapsulated_content(
        next("SignedData.encapContentInfo")?.expect(Tag::Sequence, "encapContentInfo")?,
    )?;
    let mut signed_data = SignedData {
        version,
        digest_algorithms,
        content_type,
        content,
        certificates: Vec::new(),
        other_certificates: 0,
        crls: Vec::new(),
        other_revocation_info: 0,
        signer_infos: Vec::new(),
        encoded_len: 0,
    };
    let mut current = next("SignedData.signerInfos")?;
    if current.tag == context(0) {
        let mut children = current.children();
        while !children.is_finished() {
            let choice = children.read("certificate")?;
            if choice.tag == Tag::Sequence {
                signed_data.certificates.push(choice.raw.to_vec());
            } else {
                signed_data.other_certificates += 1;
            }
        }
        current = next("SignedData.signerInfos")?;
    }
    if current.tag == context(1) {
        let mut children = current.children();
        while !children.is_finished() {
            let choice = children.read("revocation information")?;
            if choice.tag == Tag::Sequence {
                signed_data.crls.push(choice.raw.to_vec());
            } else {
                signed_data.other_revocation_info += 1;
            }
        }
        current = next("SignedData.signerInfos")?;
    }
    let signer_set = current.expect(Tag::Set, "SignedData.signerInfos")?;
    if let Some(extra) = fields.next() {
        return Err(CmsError::TrailingData {
            what: "SignedData.signerInfos",
            offset: extra.offset,
        });
    }
    let mut signers = signer_set.children();
    while !signers.is_finished() {
        let signer = signers.read_expected(Tag::Sequence, "SignerInfo")?;
        signed_data.signer_infos.push(parse_signer_info(signer)?);
    }
    Ok(signed_data)
}

fn encapsulated_content(encap: Tlv<'_>) -> Result<(ObjectIdentifier, Option<Vec<u8>>), CmsError> {
    let mut fields = encap.children();
    let content_type = decode::<ObjectIdentifier>(
        fields.read_expected(Tag::ObjectIdentifier, "eContentType")?,
        "eContentType",
    )?;
    let content = match fields.read_optional(context(0), "eContent")? {
        Some(explicit) => {
            let mut inner = explicit.children();
            let octets = inner.read_expected(Tag::OctetString, "eContent")?;
            inner.finish("eContent")?;
            Some(octets.value.to_vec())
        }
        None => None,
    };
    fields.finish("encapContentInfo")?;
    Ok((content_type, content))
}

fn parse_signer_info(signer: Tlv<'_>) -> Result<SignerInfo, CmsError> {
    let mut fields = signer.children();
    let version = decode::<u64>(
        fields.read_expected(Tag::Integer, "SignerInfo.version")?,
        "SignerInfo.version",
    )?;
    let sid_element = fields.read("SignerInfo.sid")?;
    let sid = if sid_element.tag == Tag::Sequence {
        let mut parts = sid_element.children();
        let issuer = parts.read_expected(Tag::Sequence, "SignerInfo.sid issuer")?;
        let serial = parts.read_expected(Tag::Integer, "SignerInfo.sid serialNumber")?;
        parts.finish("SignerInfo.sid")?;
        SignerId::IssuerAndSerial {
            issuer: issuer.raw.to_vec(),
            serial: serial.value.to_vec(),
        }
    } else if sid_element.tag == context_primitive(0) {
        SignerId::SubjectKeyIdentifier(sid_element.value.to_vec())
    } else {
        return Err(CmsError::UnexpectedTag {
            what: "SignerInfo.sid",
            offset: sid_element.offset,
            expected: "SEQUENCE or [0]".into(),
            found: sid_element.tag.to_string(),
        });
    };
    let digest_algorithm = algorithm(fields.read_expected(Tag::Sequence, "digestAlgorithm")?)?;
    let signed_attributes = match fields.read_optional(context(0), "signedAttrs")? {
        Some(element) => Some(ReceivedSignedAttributes::parse(
            element.raw,
            element.offset,
        )?),
        None => None,
    };
    let signature_algorithm =
        algorithm(fields.read_expected(Tag::Sequence, "signatureAlgorithm")?)?;
    let signature = fields
        .read_expected(Tag::OctetString, "SignerInfo.signature")?
        .value
        .to_vec();
    let mut unsigned_attributes = Vec::new();
    if let Some(element) = fields.read_optional(context(1), "unsignedAttrs")? {
        let mut children = element.children();
        while !children.is_finished() {
            let attribute = children.read_expected(Tag::Sequence, "unsigned attribute")?;
            unsigned_attributes.push(decode::<Attribute>(attribute, "unsigned attribute")?);
        }
    }
    fields.finish("SignerInfo")?;
    Ok(SignerInfo {
        version,
        sid,
        digest_algorithm,
        signed_attributes,
        signature_algorithm,
        signature,
        unsigned_attributes,
    })
}

fn algorithm_set(set: Tlv<'_>) -> Result<Vec<AlgorithmIdentifierOwned>, CmsError> {
    let mut children = set.children();
    let mut algorithms = Vec::new();
    while !children.is_finished() {
        algorithms.push(algorithm(children.read("AlgorithmIdentifier")?)?);
    }
    Ok(algorithms)
}

fn algorithm(element: Tlv<'_>) -> Result<AlgorithmIdentifierOwned, CmsError> {
    decode::<AlgorithmIdentifierOwned>(element, "AlgorithmIdentifier")
}

fn decode<T: for<'a> Decode<'a>>(element: Tlv<'_>, what: &'static str) -> Result<T, CmsError> {
    T::from_der(element.raw).map_err(|source| CmsError::Malformed {
        what,
        offset: element.offset,
        source,
    })
}
