//! Building CMS SignedData: detached PAdES signatures in one call or in two steps (signed
//! attributes first, then the signature from a token), encapsulated content for a timestamp
//! authority, and adding an unsigned attribute (the signature timestamp) to an existing
//! SignedData without touching any signed byte.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData as CmsSignedData, SignerIdentifier,
    SignerInfo as CmsSignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Tag};
use x509_cert::attr::{Attribute, Attributes};

use super::attributes::{SignedAttributes, attribute, signed_attributes};
use super::error::CmsError;
use super::oid;
use super::signer::{Signer, certificate_public_key};
use super::tlv::{TlvReader, context, encode_constructed};
use super::verify::VerifyError;
use crate::crypto::{SignatureAlgorithm, Signed};

/// Signs `message_digest` (the digest of the detached content, computed with the signer's
/// digest algorithm) and returns the DER `ContentInfo`.
pub fn sign_detached(signer: &dyn Signer, message_digest: &[u8]) -> Result<Vec<u8>, CmsError> {
    let algorithm = signer.signature_algorithm();
    let attributes = signed_attributes(algorithm.digest(), message_digest, signer.certificate())?;
    let signature = signer.sign(attributes.der())?;
    let mut certificates = vec![signer.certificate().to_vec()];
    certificates.extend(signer.chain().iter().cloned());
    assemble(&attributes, algorithm, &signature, &certificates)
}

/// The second step of deferred signing: a detached SignedData from the signed attributes, the
/// signature value a token made over them, and the certificates (signer first, then its chain).
/// The signature is checked against the first certificate before anything is returned.
pub fn assemble(
    signed_attributes: &SignedAttributes,
    algorithm: SignatureAlgorithm,
    signature_value: &[u8],
    certificates: &[Vec<u8>],
) -> Result<Vec<u8>, CmsError> {
    assemble_with_content(
        signed_attributes,
        None,
        algorithm,
        signature_value,
        certificates,
    )
}

/// Like [`assemble`], with the content encapsulated (`eContent` present), as a timestamp
/// authority does with TSTInfo. The content type is the signed attributes' contentType.
pub fn assemble_with_content(
    signed_attributes: &SignedAttributes,
    content: Option<&[u8]>,
    algorithm: SignatureAlgorithm,
    signature_value: &[u8],
    certificates: &[Vec<u8>],
) -> Result<Vec<u8>, CmsError> {
    assemble_signed_data(
        signed_attributes,
        content,
        algorithm,
        signature_value,
        certificates,
        true,
    )
}

/// Like [`assemble_with_content`], with no `certificates` field: a timestamp authority answers
/// so when the request's certReq is false (RFC 3161 §2.4.1). `certificates` still names the
/// signer (first), for the signer identifier and the signature check.
pub fn assemble_without_certificates(
    signed_attributes: &SignedAttributes,
    content: Option<&[u8]>,
    algorithm: SignatureAlgorithm,
    signature_value: &[u8],
    certificates: &[Vec<u8>],
) -> Result<Vec<u8>, CmsError> {
    assemble_signed_data(
        signed_attributes,
        content,
        algorithm,
        signature_value,
        certificates,
        false,
    )
}

fn assemble_signed_data(
    signed_attributes: &SignedAttributes,
    content: Option<&[u8]>,
    algorithm: SignatureAlgorithm,
    signature_value: &[u8],
    certificates: &[Vec<u8>],
    embed_certificates: bool,
) -> Result<Vec<u8>, CmsError> {
    let signer_certificate = certificates.first().ok_or(CmsError::NoCertificate)?;
    if algorithm.digest() != signed_attributes.digest_algorithm()
        && algorithm != SignatureAlgorithm::Ed25519
    {
        return Err(CmsError::AlgorithmMismatch {
            algorithm,
            digest: signed_attributes.digest_algorithm(),
        });
    }
    let public_key = certificate_public_key(signer_certificate)?;
    public_key
        .verify(
            algorithm,
            Signed::Message(signed_attributes.der()),
            signature_value,
        )
        .map_err(|error| CmsError::SignatureRejected(Box::new(VerifyError::from(error))))?;

    let decoded = decode_certificates(certificates)?;
    let signer_tbs = &decoded
        .first()
        .ok_or(CmsError::NoCertificate)?
        .tbs_certificate;
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: signer_tbs.issuer.clone(),
        serial_number: signer_tbs.serial_number.clone(),
    });
    let attributes = Attributes::from_der(signed_attributes.der()).map_err(CmsError::Encoding)?;
    if attributes.to_der().map_err(CmsError::Encoding)? != signed_attributes.der() {
        // The SignerInfo is written from the decoded set; bytes that do not survive a round trip
        // (not DER-sorted) would no longer be the bytes that were signed.
        return Err(CmsError::NotDer {
            what: "signed attributes",
        });
    }
    let digest_algorithm = signed_attributes.digest_algorithm().algorithm_identifier();
    let signer_info = CmsSignerInfo {
        version: CmsVersion::V1,
        sid,
        digest_alg: digest_algorithm.clone(),
        signed_attrs: Some(attributes),
        signature_algorithm: algorithm
            .algorithm_identifier()
            .map_err(CmsError::Encoding)?,
        signature: OctetString::new(signature_value).map_err(CmsError::Encoding)?,
        unsigned_attrs: None,
    };
    let content_type = signed_attributes.content_type();
    let econtent = content
        .map(|bytes| {
            OctetString::new(bytes)
                .map_err(CmsError::Encoding)
                .and_then(|octets| Any::encode_from(&octets).map_err(CmsError::Encoding))
        })
        .transpose()?;
    let certificate_set = CertificateSet(
        SetOfVec::try_from(
            decoded
                .into_iter()
                .map(CertificateChoices::Certificate)
                .collect::<Vec<_>>(),
        )
        .map_err(CmsError::Encoding)?,
    );
    let signed_data = CmsSignedData {
        version: if content_type == oid::ID_DATA {
            CmsVersion::V1
        } else {
            CmsVersion::V3
        },
        digest_algorithms: SetOfVec::try_from(vec![digest_algorithm])
            .map_err(CmsError::Encoding)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: content_type,
            econtent,
        },
        certificates: embed_certificates.then_some(certificate_set),
        crls: None,
        signer_infos: SignerInfos(
            SetOfVec::try_from(vec![signer_info]).map_err(CmsError::Encoding)?,
        ),
    };
    let content_info = ContentInfo {
        content_type: oid::ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(CmsError::Encoding)?,
    };
    content_info.to_der().map_err(CmsError::Encoding)
}

/// Decodes the certificates, dropping exact duplicates (a SET OF may not hold any).
fn decode_certificates(certificates: &[Vec<u8>]) -> Result<Vec<x509_cert::Certificate>, CmsError> {
    let mut seen: Vec<&[u8]> = Vec::new();
    let mut decoded = Vec::new();
    for (index, der) in certificates.iter().enumerate() {
        if seen.contains(&der.as_slice()) {
            continue;
        }
        seen.push(der);
        decoded.push(
            x509_cert::Certificate::from_der(der)
                .map_err(|source| CmsError::Certificate { index, source })?,
        );
    }
    Ok(decoded)
}

/// Adds the RFC 3161 token (a DER `ContentInfo`) as the id-aa-signatureTimeStampToken unsigned
/// attribute of the first SignerInfo.
pub fn add_signature_timestamp(cms: &[u8], timestamp_token: &[u8]) -> Result<Vec<u8>, CmsError> {
    let token = Any::from_der(timestamp_token).map_err(|source| CmsError::Malformed {
        what: "timestamp token",
        offset: 0,
        source,
    })?;
    let attribute = attribute(oid::SIGNATURE_TIME_STAMP_TOKEN, &token)?;
    add_unsigned_attribute(cms, 0, &attribute)
}

/// Adds an unsigned attribute to SignerInfo `signer_index` of a DER SignedData `ContentInfo`.
/// Every other byte of the structure is kept as received (the signed attributes, the signature,
/// the certificates and their order); only the lengths of the enclosing elements change. Zero
/// padding after the input is dropped.
pub fn add_unsigned_attribute(
    cms: &[u8],
    signer_index: usize,
    attribute: &Attribute,
) -> Result<Vec<u8>, CmsError> {
    let new_attribute = attribute.to_der().map_err(CmsError::Encoding)?;
    let mut reader = TlvReader::new(cms, 0);
    let content_info = reader.read_expected(Tag::Sequence, "ContentInfo")?;
    if reader.remaining().iter().any(|&byte| byte != 0) {
        return Err(CmsError::TrailingData {
            what: "ContentInfo (only zero padding may follow)",
            offset: content_info.raw.len(),
        });
    }
    let elements = super::parse::signed_data_elements(content_info)?;
    let (signer_set, leading) = elements.children.split_last().ok_or(CmsError::Truncated {
        what: "SignedData",
        offset: 0,
    })?;
    let signer_set = signer_set.expect(Tag::Set, "SignedData.signerInfos")?;

    let mut signers = signer_set.children();
    let mut new_signers: Vec<Vec<u8>> = Vec::new();
    let mut found = false;
    let mut index = 0;
    while !signers.is_finished() {
        let signer = signers.read_expected(Tag::Sequence, "SignerInfo")?;
        if index == signer_index {
            new_signers.push(with_unsigned_attribute(signer, &new_attribute)?);
            found = true;
        } else {
            new_signers.push(signer.raw.to_vec());
        }
        index += 1;
    }
    if !found {
        return Err(CmsError::NoSuchSigner {
            index: signer_index,
        });
    }
    let signer_refs: Vec<&[u8]> = new_signers.iter().map(Vec::as_slice).collect();
    let new_signer_set = encode_constructed(Tag::Set, &signer_refs)?;
    let mut parts: Vec<&[u8]> = leading.iter().map(|element| element.raw).collect();
    parts.push(&new_signer_set);
    let signed_data = encode_constructed(Tag::Sequence, &parts)?;
    let explicit = encode_constructed(context(0), &[&signed_data])?;
    encode_constructed(Tag::Sequence, &[elements.content_type.raw, &explicit])
}

fn with_unsigned_attribute(
    signer: super::tlv::Tlv<'_>,
    new_attribute: &[u8],
) -> Result<Vec<u8>, CmsError> {
    let mut fields = signer.children();
    let mut parts: Vec<&[u8]> = Vec::new();
    let mut existing: Vec<&[u8]> = Vec::new();
    while !fields.is_finished() {
        let field = fields.read("SignerInfo field")?;
        if field.tag == context(1) {
            let mut attributes = field.children();
            while !attributes.is_finished() {
                existing.push(attributes.read("unsigned attribute")?.raw);
            }
        } else {
            parts.push(field.raw);
        }
    }
    existing.push(new_attribute);
    existing.sort_by(|a, b| der_set_order(a, b));
    let unsigned = encode_constructed(context(1), &existing)?;
    parts.push(&unsigned);
    encode_constructed(Tag::Sequence, &parts)
}

/// X.690 §11.6: SET OF elements in ascending order of their encodings, the shorter padded with
/// zero octets.
fn der_set_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let length = a.len().max(b.len());
    let padded = |bytes: &[u8], index: usize| bytes.get(index).copied().unwrap_or(0);
    (0..length)
        .map(|index| padded(a, index).cmp(&padded(b, index)))
        .find(|ordering| ordering.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

/// The OID of the content type a SignedData built here carries when detached.
pub const DETACHED_CONTENT_TYPE: ObjectIdentifier = oid::ID_DATA;
