//! The last step of every signature: the CMS, once built, passes through the optional extension
//! (PAdES B-T adds its signature timestamp here), is verified against what was prepared — the
//! certificate, the digest of the covered bytes, the PAdES shape — and only then written into
//! `/Contents`. Nothing unverified is ever returned.

use super::error::PadesError;
use crate::cms::{self, EssBinding, parse_signed_data_exact, verify_signer_info};
use crate::crypto::DigestAlgorithm;
use crate::pdf::PreparedSignature;

/// Error type of a [`CmsExtension`].
pub type ExtensionError = Box<dyn std::error::Error + Send + Sync>;

/// A step between building the CMS and embedding it. PAdES B-T uses it to request a timestamp
/// over the signature value and add it as the signature-time-stamp unsigned attribute
/// ([`cms::add_signature_timestamp`]). Room for what it adds is reserved by
/// [`SignOptions::timestamp_reserve`](super::SignOptions::timestamp_reserve).
///
/// The CMS it returns is verified again before it is embedded: it may add unsigned attributes,
/// certificates or CRLs, never change what was signed.
pub trait CmsExtension: Send + Sync {
    /// Returns the CMS to embed. `signature_value` is the SignerInfo's signature (what a
    /// signature timestamp covers).
    fn extend(&self, cms: Vec<u8>, signature_value: &[u8]) -> Result<Vec<u8>, ExtensionError>;
}

/// What a CMS must match to be embedded.
pub struct Expected<'a> {
    pub certificate: &'a [u8],
    pub digest: DigestAlgorithm,
    pub document_digest: &'a [u8],
}

/// Runs the extension, verifies the result and embeds it.
pub fn finish(
    prepared: PreparedSignature,
    cms: Vec<u8>,
    expected: &Expected<'_>,
    extension: Option<&dyn CmsExtension>,
) -> Result<Vec<u8>, PadesError> {
    let cms = match extension {
        Some(extension) => {
            let signature = check_cms(&cms, expected)?;
            extension
                .extend(cms, &signature)
                .map_err(PadesError::Extension)?
        }
        None => cms,
    };
    check_cms(&cms, expected)?;
    let capacity = prepared.capacity();
    if cms.len() > capacity {
        return Err(PadesError::SignatureTooLarge {
            needed: cms.len(),
            capacity,
        });
    }
    Ok(prepared.into_signed(&cms)?)
}

/// Verifies that `cms` is a PAdES signature of the prepared document by the expected
/// certificate; returns its signature value.
///
/// - one SignerInfo, detached, content type id-data, the expected digest algorithm;
/// - signed attributes with messageDigest equal to the document digest, an ESS
///   signing-certificate(-v2) binding the certificate, and no signing-time (PAdES puts the
///   claimed time in `/M`);
/// - the signer's certificate is the expected one and is included;
/// - the signature over the signed attributes verifies with it.
pub fn check_cms(cms_der: &[u8], expected: &Expected<'_>) -> Result<Vec<u8>, PadesError> {
    let unusable = |problem: &str| PadesError::UnusableCms(problem.to_owned());
    let signed_data = parse_signed_data_exact(cms_der)?;
    if signed_data.content.is_some() {
        return Err(unusable(
            "it encapsulates its content; a PDF signature is detached",
        ));
    }
    if signed_data.content_type != cms::oid::ID_DATA {
        return Err(unusable("its content type is not id-data"));
    }
    let [signer] = signed_data.signer_infos.as_slice() else {
        return Err(PadesError::UnusableCms(format!(
            "it has {} SignerInfos; a PDF signature has exactly one",
            signed_data.signer_infos.len()
        )));
    };
    let digest = signer.digest().map_err(cms::CmsError::from)?;
    if digest != expected.digest {
        return Err(PadesError::UnusableCms(format!(
            "it uses {} and the document was prepared with {}",
            digest.name(),
            expected.digest.name()
        )));
    }
    let attributes = signer
        .signed_attributes
        .as_ref()
        .ok_or_else(|| unusable("it has no signed attributes (PAdES requires them)"))?;
    if attributes.signing_time.is_some() {
        return Err(unusable(
            "it has a signing-time attribute, which PAdES forbids (the claimed time is /M)",
        ));
    }
    let named = cms::find_signer_certificate(&signer.sid, std::iter::once(expected.certificate))
        .map_err(|_| PadesError::WrongCertificate)?;
    if !signed_data
        .certificates
        .iter()
        .any(|included| included.as_slice() == named)
    {
        return Err(unusable("it does not include the signer's certificate"));
    }
    let verification = verify_signer_info(
        &signed_data,
        signer,
        expected.certificate,
        expected.document_digest,
    )?;
    if verification.ess == EssBinding::Absent {
        return Err(unusable(
            "it has no signing-certificate-v2 attribute (PAdES requires it)",
        ));
    }
    Ok(signer.signature.clone())
}
