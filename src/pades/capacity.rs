//! How many bytes of DER to reserve in `/Contents`: the CMS this signer will make, computed from
//! its parts (certificates, signed attributes, signature size for the key), plus room for a
//! signature timestamp added before embedding. Too little makes signing fail after the work is
//! done; too much only costs zeros in the file.

use crate::cms::signed_attributes;
use crate::crypto::{DigestAlgorithm, EcCurve, KeyKind, PublicKey};

use super::error::PadesError;

/// Fixed parts of a SignedData around its variable fields (ContentInfo, version, the
/// digest-algorithm set, encapContentInfo, SignerInfo headers, algorithm identifiers with
/// parameters such as RSA-PSS's), generously rounded up.
const FIXED_OVERHEAD: usize = 512;
/// The capacity is rounded up to a multiple of this.
const GRANULE: usize = 256;

/// The largest signature value a key of this kind gives, in bytes.
pub fn max_signature_len(key: KeyKind) -> usize {
    match key {
        KeyKind::Rsa { modulus_bits } => modulus_bits.div_ceil(8),
        // DER ECDSA-Sig-Value: two INTEGERs of the order's size, each with a possible 0x00.
        KeyKind::Ec(EcCurve::P256) => 72,
        KeyKind::Ec(EcCurve::P384) => 104,
        KeyKind::Ec(EcCurve::P521) => 141,
        KeyKind::Ed25519 => 64,
        KeyKind::EcOther { .. } | KeyKind::Dsa | KeyKind::Other => 1024,
    }
}

/// Bytes of DER to reserve for a CMS by `certificate` (DER) with `chain`, signing with `digest`,
/// plus `extra` (a timestamp token).
pub fn contents_capacity(
    certificate: &[u8],
    chain: &[Vec<u8>],
    digest: DigestAlgorithm,
    extra: usize,
) -> Result<usize, PadesError> {
    let key = PublicKey::from_certificate_der(certificate)
        .map_err(|error| PadesError::Certificate(error.to_string()))?;
    let attributes = signed_attributes(digest, &vec![0; digest.output_len()], certificate)?;
    let certificates: usize = certificate.len() + chain.iter().map(Vec::len).sum::<usize>();
    // The SignerInfo names the signer by issuer and serial: at most the certificate's size.
    let signer_identifier = certificate.len().min(1024);
    let total = certificates
        + attributes.der().len()
        + max_signature_len(key.kind())
        + signer_identifier
        + FIXED_OVERHEAD
        + extra;
    Ok(total.div_ceil(GRANULE) * GRANULE)
}
