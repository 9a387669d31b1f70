//! Tampering is detected, padding is tolerated and nothing else trails, and the signed
//! attributes are hashed exactly as received.

use vanthu::cms::{self, CmsError, Signer, VerifyError};
use vanthu::crypto::DigestAlgorithm;

use crate::support::{self, document, document_digest, find};

fn signed() -> (Vec<u8>, vanthu::cms::LocalKey) {
    let signer = support::person(support::rsa_pki());
    let cms_der =
        cms::sign_detached(&signer, &document_digest(DigestAlgorithm::Sha256)).expect("sign");
    (cms_der, signer)
}

#[test]
fn a_flipped_signature_byte_is_an_invalid_signature() {
    let (mut cms_der, _) = signed();
    let signature = cms::parse_signed_data(&cms_der).unwrap().signer_infos[0]
        .signature
        .clone();
    let at = find(&cms_der, &signature) + 100;
    cms_der[at] ^= 0x01;
    assert_eq!(
        support::verify_detached(&cms_der, &document()),
        Err(VerifyError::SignatureInvalid)
    );
}

#[test]
fn other_content_is_a_digest_mismatch() {
    let (cms_der, _) = signed();
    let mut content = document();
    content[5] ^= 0x80;
    assert_eq!(
        support::verify_detached(&cms_der, &content),
        Err(VerifyError::DigestMismatch {
            algorithm: DigestAlgorithm::Sha256
        })
    );
}

#[test]
fn a_changed_signed_attribute_breaks_the_signature() {
    let (mut cms_der, signer) = signed();
    // Flip a byte of the ESS certificate hash inside the signed attributes.
    let certificate_hash = DigestAlgorithm::Sha256.digest(signer.certificate());
    let at = find(&cms_der, &certificate_hash);
    cms_der[at] ^= 0x01;
    assert_eq!(
        support::verify_detached(&cms_der, &document()),
        Err(VerifyError::SignatureInvalid)
    );
}

#[test]
fn an_ess_attribute_naming_another_certificate_is_caught() {
    let pki = support::rsa_pki();
    let signer = support::person(pki);
    let digest = document_digest(DigestAlgorithm::Sha256);
    let attributes = cms::signed_attributes(
        DigestAlgorithm::Sha256,
        &digest,
        &pki.people["lanhdao.b"].certificate,
    )
    .unwrap();
    let signature = signer.sign(attributes.der()).unwrap();
    let cms_der = cms::assemble(
        &attributes,
        signer.signature_algorithm(),
        &signature,
        &[signer.certificate().to_vec()],
    )
    .expect("the signature itself is fine");
    assert!(matches!(
        support::verify_detached(&cms_der, &document()),
        Err(VerifyError::EssCertificateMismatch { .. })
    ));
}

#[test]
fn the_signer_certificate_is_found_by_sid_only() {
    let pki = support::rsa_pki();
    let (cms_der, _) = signed();
    let signed_data = cms::parse_signed_data(&cms_der).unwrap();
    let signer = &signed_data.signer_infos[0];
    let others = [
        pki.people["lanhdao.b"].certificate.as_slice(),
        pki.intermediate.certificate.as_slice(),
    ];
    assert_eq!(
        cms::find_signer_certificate(&signer.sid, others),
        Err(VerifyError::SignerCertificateNotFound)
    );
    assert_eq!(
        cms::verify_signer_info(
            &signed_data,
            signer,
            &pki.people["lanhdao.b"].certificate,
            &document_digest(DigestAlgorithm::Sha256)
        ),
        Err(VerifyError::SignerCertificateNotFound)
    );
}

#[test]
fn zero_padding_is_tolerated_and_anything_else_trailing_is_rejected() {
    let (cms_der, _) = signed();
    let mut padded = cms_der.clone();
    padded.extend(std::iter::repeat_n(0u8, 8192 - cms_der.len()));
    let parsed = cms::parse_signed_data(&padded).expect("zero padding is fine");
    assert_eq!(parsed.encoded_len, cms_der.len());
    support::verify_detached(&padded, &document()).expect("verifies with padding");

    let mut trailing = padded.clone();
    trailing[cms_der.len() + 100] = 0x01;
    assert!(matches!(
        cms::parse_signed_data(&trailing),
        Err(CmsError::TrailingData { offset, .. }) if offset == cms_der.len() + 100
    ));
    let mut trailing = cms_der.clone();
    trailing.push(0x30);
    assert!(cms::parse_signed_data(&trailing).is_err());
    // The exact form (timestamp tokens) accepts no padding at all.
    assert!(cms::parse_signed_data_exact(&padded).is_err());
}

#[test]
fn truncated_and_mangled_input_is_an_error_never_a_panic() {
    let (cms_der, _) = signed();
    for length in 0..cms_der.len() {
        assert!(
            cms::parse_signed_data(&cms_der[..length]).is_err(),
            "length {length}"
        );
    }
    let mut mangled = cms_der.clone();
    for position in (0..mangled.len()).step_by(7) {
        let original = mangled[position];
        for value in [0x00, 0x80, 0xff, original ^ 0x20] {
            mangled[position] = value;
            if let Ok(parsed) = cms::parse_signed_data(&mangled) {
                let _ = support::verify_detached(&mangled, &document());
                drop(parsed);
            }
        }
        mangled[position] = original;
    }
    // An indefinite length is read as BER; cut short, it is a BER error, not a panic.
    assert!(matches!(
        cms::parse_signed_data(&[0x30, 0x80, 0x06, 0x09]),
        Err(CmsError::Ber { .. })
    ));
}

#[test]
fn ber_indefinite_lengths_are_read_and_the_signature_still_verifies() {
    let (cms_der, _) = signed();
    let ber = indefinite_outer(&cms_der);
    assert_ne!(ber, cms_der);
    let from_der = cms::parse_signed_data(&cms_der).unwrap();
    let from_ber = cms::parse_signed_data(&ber).unwrap();
    assert_eq!(from_ber.encoded_len, ber.len());
    assert_eq!(from_ber.signer_infos, from_der.signer_infos);
    assert_eq!(from_ber.certificates, from_der.certificates);
    support::verify_detached(&ber, &document()).unwrap();
}

/// The ContentInfo with its outer SEQUENCE re-encoded with an indefinite length, as Java
/// signers write it.
fn indefinite_outer(der: &[u8]) -> Vec<u8> {
    let length_octets = match der[1] {
        short if short < 0x80 => 0,
        long => usize::from(long & 0x7f),
    };
    let mut ber = vec![0x30, 0x80];
    ber.extend_from_slice(&der[2 + length_octets..]);
    ber.extend_from_slice(&[0, 0]);
    ber
}

#[test]
fn signed_attributes_not_in_der_order_are_hashed_as_received() {
    let (cms_der, signer) = signed();
    let signed_data = cms::parse_signed_data(&cms_der).unwrap();
    let received = signed_data.signer_infos[0]
        .signed_attributes
        .clone()
        .unwrap();
    let signature = signed_data.signer_infos[0].signature.clone();

    // Re-order the SET elements (reverse them) and re-sign the new bytes.
    let set_der = received.der.clone();
    let header_len = set_der.len() - element_lengths(&set_der[..]).iter().sum::<usize>();
    let mut elements = split_elements(&set_der[header_len..]);
    elements.reverse();
    let mut reordered = set_der[..header_len].to_vec();
    for element in &elements {
        reordered.extend_from_slice(element);
    }
    assert_ne!(reordered, set_der, "the order really changed");
    let new_signature = signer.sign(&reordered).unwrap();
    assert_eq!(new_signature.len(), signature.len());

    // Splice: the [0] element and the signature keep their lengths.
    let mut spliced = cms_der.clone();
    let mut implicit_old = set_der.clone();
    implicit_old[0] = 0xa0;
    let mut implicit_new = reordered.clone();
    implicit_new[0] = 0xa0;
    let at = find(&spliced, &implicit_old);
    spliced[at..at + implicit_new.len()].copy_from_slice(&implicit_new);
    let at = find(&spliced, &signature);
    spliced[at..at + new_signature.len()].copy_from_slice(&new_signature);

    let parsed = cms::parse_signed_data(&spliced).unwrap();
    let attributes = parsed.signer_infos[0].signed_attributes.as_ref().unwrap();
    assert_eq!(attributes.der, reordered, "kept as received");
    assert_eq!(
        attributes.attributes[0].oid,
        cms::oid::SIGNING_CERTIFICATE_V2,
        "received order"
    );
    support::verify_detached(&spliced, &document()).expect("verifies over the received bytes");
    support::assert_openssl_verifies(&spliced, &document(), &support::rsa_pki().root.certificate);
}

/// Lengths of the elements inside a constructed element (header excluded).
fn element_lengths(constructed: &[u8]) -> Vec<usize> {
    let (header, content_len) = header_and_length(constructed);
    split_elements(&constructed[header..header + content_len])
        .iter()
        .map(Vec::len)
        .collect()
}

fn split_elements(mut content: &[u8]) -> Vec<Vec<u8>> {
    let mut elements = Vec::new();
    while !content.is_empty() {
        let (header, length) = header_and_length(content);
        elements.push(content[..header + length].to_vec());
        content = &content[header + length..];
    }
    elements
}

fn header_and_length(der: &[u8]) -> (usize, usize) {
    let first = der[1];
    if first < 0x80 {
        return (2, usize::from(first));
    }
    let count = usize::from(first & 0x7f);
    let length = der[2..2 + count]
        .iter()
        .fold(0usize, |acc, &byte| (acc << 8) | usize::from(byte));
    (2 + count, length)
}
