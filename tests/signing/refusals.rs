//! The "bad input" list: truncated, garbage, encrypted, repaired-xref, 0-page and oversized PDFs;
//! a key that does not match its certificate; expired, not-yet-valid and wrong-purpose
//! certificates; claimed times outside the certificate; images that are not PNGs; impossible
//! fields and placements; too little room; a misbehaving extension. Each is a clear error, never
//! a panic, and the library returns no bytes.

use time::{Duration, OffsetDateTime};
use vanthu::cms::{LocalKey, Signer, SignerError};
use vanthu::crypto::{DigestAlgorithm, SignatureAlgorithm};
use vanthu::pades::{
    AppearanceKind, CmsExtension, ExtensionError, PadesError, Placement, SignOptions, sign,
    sign_extended,
};
use vanthu::pdf::appearance::PngImage;
use vanthu::pdf::{Limits, Rect};
use vanthu::pki::devpki::{CertificateRequest, ExtendedKeyUsage, KeyUsage};

use super::support::{Key, fonts, options_with, pki, signing_request};
use crate::inputs::{Layout, form_pdf, qpdf_transform, simple_pdf};

/// A PDF from object bodies with a correct xref table and `/Root 1 0 R`.
fn build(objects: &[(u32, &str)]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (number, body) in objects {
        offsets.push(out.len());
        out.extend_from_slice(format!("{number} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Signs with the person's RSA key and returns the refusal.
fn refused(input: Vec<u8>, options: &SignOptions) -> PadesError {
    let Err(error) = sign(input, options, &pki().signer(Key::PersonRsa)) else {
        panic!("the signature must be refused");
    };
    assert!(!error.to_string().is_empty());
    error
}

#[test]
fn broken_and_hostile_pdfs_are_refused() {
    let good = simple_pdf(2, Layout::Table);
    let options = SignOptions::default();

    let truncated = good[..good.len() / 2].to_vec();
    assert!(matches!(refused(truncated, &options), PadesError::Pdf(_)));
    assert!(matches!(
        refused(b"GIF89a not a PDF at all".to_vec(), &options),
        PadesError::Pdf(_)
    ));
    assert!(matches!(refused(Vec::new(), &options), PadesError::Pdf(_)));

    // A wrong startxref would need a repair, which the reader never does.
    let mut moved = good.clone();
    let position = moved
        .windows(9)
        .rposition(|window| window == b"startxref")
        .unwrap();
    let digits = position + 10;
    moved[digits] = if moved[digits] == b'1' { b'2' } else { b'1' };
    assert!(matches!(refused(moved, &options), PadesError::Pdf(_)));

    let no_pages = build(&[
        (1, "<< /Type /Catalog /Pages 2 0 R >>"),
        (2, "<< /Type /Pages /Kids [] /Count 0 >>"),
    ]);
    assert!(matches!(refused(no_pages, &options), PadesError::NoPages));

    let small_limit = SignOptions {
        limits: Limits {
            max_file_size: 100,
            ..Limits::default()
        },
        ..SignOptions::default()
    };
    match refused(good.clone(), &small_limit) {
        PadesError::TooLarge { size, max } => {
            assert_eq!((size, max), (good.len() as u64, 100));
        }
        other => panic!("{other:?}"),
    }

    if let Some(encrypted) = qpdf_transform(&good, &["--encrypt", "user", "owner", "256", "--"]) {
        let error = refused(encrypted, &options);
        assert!(matches!(error, PadesError::Encrypted), "{error:?}");
        assert!(error.to_string().contains("encrypted"), "{error}");
    }
}

/// A signer whose certificate is the person's but whose key is the unit's.
struct Impostor {
    certificate: Vec<u8>,
    key: LocalKey,
}

impl Signer for Impostor {
    fn certificate(&self) -> &[u8] {
        &self.certificate
    }
    fn chain(&self) -> &[Vec<u8>] {
        &[]
    }
    fn signature_algorithm(&self) -> SignatureAlgorithm {
        self.key.signature_algorithm()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignerError> {
        self.key.sign(message)
    }
}

#[test]
fn a_key_that_does_not_match_its_certificate_is_refused() {
    let pki = pki();
    let unit = pki.credential(Key::UnitRsa);
    let person = pki.credential(Key::PersonRsa);
    let mismatch = LocalKey::new(unit.key.pkcs8_der(), person.certificate.clone(), Vec::new());
    assert!(matches!(mismatch, Err(SignerError::KeyMismatch)));

    let impostor = Impostor {
        certificate: person.certificate.clone(),
        key: pki.signer(Key::UnitRsa),
    };
    let error = sign(
        simple_pdf(1, Layout::Table),
        &SignOptions::default(),
        &impostor,
    )
    .unwrap_err();
    assert!(
        matches!(error, PadesError::SignatureRejected(_)),
        "{error:?}"
    );
}

#[test]
fn certificates_outside_their_validity_or_purpose_are_refused() {
    let pki = pki();
    let input = || simple_pdf(1, Layout::Table);
    let options = SignOptions::default();

    let expired = pki.signer_for(&pki.issue(&signing_request("Expired", -60, -1)));
    let error = sign(input(), &options, &expired).unwrap_err();
    assert!(
        matches!(error, PadesError::CertificateExpired { .. }),
        "{error:?}"
    );

    let future = pki.signer_for(&pki.issue(&signing_request("Not yet", 1, 60)));
    let error = sign(input(), &options, &future).unwrap_err();
    assert!(
        matches!(error, PadesError::CertificateNotYetValid { .. }),
        "{error:?}"
    );

    // The claimed time must also lie inside the validity, and not in the future.
    let person = pki.signer(Key::PersonRsa);
    let before_issue = SignOptions {
        signing_time: Some(OffsetDateTime::now_utc() - Duration::days(30)),
        ..SignOptions::default()
    };
    let error = sign(input(), &before_issue, &person).unwrap_err();
    assert!(
        matches!(error, PadesError::CertificateNotYetValid { .. }),
        "{error:?}"
    );
    let tomorrow = SignOptions {
        signing_time: Some(OffsetDateTime::now_utc() + Duration::days(1)),
        ..SignOptions::default()
    };
    let error = sign(input(), &tomorrow, &person).unwrap_err();
    assert!(
        matches!(error, PadesError::ClaimedTimeInFuture { .. }),
        "{error:?}"
    );

    let ca_only = pki.signer_for(
        &pki.issue(
            &CertificateRequest::new("Key usage for certificates")
                .key_usage(&[KeyUsage::KeyCertSign, KeyUsage::CrlSign]),
        ),
    );
    let error = sign(input(), &options, &ca_only).unwrap_err();
    assert!(
        matches!(error, PadesError::CertificateNotForSigning { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("KEY_USAGE_NOT_FOR_SIGNING"),
        "{error}"
    );

    let tls_only = pki.signer_for(
        &pki.issue(
            &CertificateRequest::new("TLS server")
                .key_usage(&[KeyUsage::DigitalSignature])
                .extended_key_usage(&[ExtendedKeyUsage::ServerAuth], false),
        ),
    );
    let error = sign(input(), &options, &tls_only).unwrap_err();
    assert!(
        matches!(error, PadesError::CertificateNotForSigning { .. }),
        "{error:?}"
    );
}

#[test]
fn impossible_fields_placements_and_options_are_refused() {
    let Some(fonts) = fonts() else { return };
    let pki = pki();
    let text = AppearanceKind::Text { lines: None };

    let not_a_signature_field = SignOptions {
        field_name: Some("date".into()),
        ..SignOptions::default()
    };
    let error = refused(form_pdf(Layout::Table), &not_a_signature_field);
    assert!(matches!(error, PadesError::Field { .. }), "{error:?}");

    let signed = sign(
        simple_pdf(1, Layout::Table),
        &SignOptions::default(),
        &pki.signer(Key::UnitRsa),
    )
    .unwrap();
    let same_field = SignOptions {
        field_name: Some("Signature1".into()),
        ..SignOptions::default()
    };
    let error = refused(signed, &same_field);
    assert!(matches!(error, PadesError::Field { .. }), "{error:?}");

    let invisible_placed = SignOptions {
        placement: Placement::Rect {
            page_index: 0,
            rect: Rect::new(0.0, 0.0, 100.0, 100.0),
        },
        ..SignOptions::default()
    };
    let error = refused(simple_pdf(1, Layout::Table), &invisible_placed);
    assert!(matches!(error, PadesError::Options(_)), "{error:?}");

    let too_small = SignOptions {
        appearance: text.clone(),
        placement: Placement::Rect {
            page_index: 0,
            rect: Rect::new(100.0, 100.0, 300.0, 110.0),
        },
        ..options_with(&fonts)
    };
    let error = refused(simple_pdf(1, Layout::Table), &too_small);
    assert!(matches!(error, PadesError::Placement(_)), "{error:?}");

    let missing_page = SignOptions {
        appearance: text.clone(),
        placement: Placement::Rect {
            page_index: 5,
            rect: Rect::new(100.0, 100.0, 400.0, 200.0),
        },
        ..options_with(&fonts)
    };
    let error = refused(simple_pdf(1, Layout::Table), &missing_page);
    assert!(error.to_string().contains("page 6"), "{error}");

    let nowhere = SignOptions {
        appearance: text.clone(),
        ..options_with(&fonts)
    };
    let error = refused(simple_pdf(1, Layout::Table), &nowhere);
    assert!(matches!(error, PadesError::Placement(_)), "{error:?}");

    let anchored = SignOptions {
        appearance: text,
        placement: Placement::Anchor {
            page_index: None,
            text: "Nguyễn Văn A".into(),
        },
        ..options_with(&fonts)
    };
    let error = refused(simple_pdf(1, Layout::Table), &anchored);
    assert!(
        matches!(error, PadesError::AnchorNotFound { .. }),
        "{error:?}"
    );

    let seal = crate::fixtures::decode(&crate::fixtures::seal_png(Some(300.0)));
    let seal_on_nothing = SignOptions {
        appearance: AppearanceKind::Agency {
            seal,
            organisation: None,
        },
        ..options_with(&fonts)
    };
    let error = refused(simple_pdf(1, Layout::Table), &seal_on_nothing);
    assert!(
        error.to_string().contains("no visible signature"),
        "{error}"
    );

    let other_digest = SignOptions {
        digest: DigestAlgorithm::Sha384,
        ..SignOptions::default()
    };
    let error = refused(simple_pdf(1, Layout::Table), &other_digest);
    assert!(matches!(error, PadesError::Options(_)), "{error:?}");

    let no_room = SignOptions {
        contents_capacity: Some(100),
        ..SignOptions::default()
    };
    let error = refused(simple_pdf(1, Layout::Table), &no_room);
    assert!(
        matches!(error, PadesError::SignatureTooLarge { .. }),
        "{error:?}"
    );
}

#[test]
fn a_signed_field_whose_lock_sets_p1_refuses_any_later_signature() {
    let pki = pki();
    // PDF 2.0: a signature field's /Lock may carry /P, the DocMDP permission after it is signed.
    let form = build(&[
        (
            1,
            "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
        ),
        (
            2,
            "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>",
        ),
        (3, "<< /Type /Page /Parent 2 0 R /Annots [4 0 R] >>"),
        (
            4,
            "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Locked) /Rect [0 0 0 0] /P 3 0 R \
             /Lock << /Type /SigFieldLock /Action /All /P 1 >> >>",
        ),
    ]);
    let locked = sign(
        form,
        &SignOptions {
            field_name: Some("Locked".into()),
            ..SignOptions::default()
        },
        &pki.signer(Key::PersonRsa),
    )
    .unwrap();
    let error = refused(locked, &SignOptions::default());
    match error {
        PadesError::LockedNoChanges { locked_by } => assert_eq!(locked_by, "Locked"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn images_that_are_not_png_are_refused() {
    for bytes in [
        &b"GIF89a\x01\x00\x01\x00"[..],
        b"",
        b"\x89PNG\r\n\x1a\n truncated",
    ] {
        let error = PngImage::decode(bytes).unwrap_err();
        assert!(error.to_string().contains("PNG"), "{error}");
    }
}

/// An extension that returns what it is told to.
struct Extension(Result<Vec<u8>, &'static str>);

impl CmsExtension for Extension {
    fn extend(&self, cms: Vec<u8>, _signature_value: &[u8]) -> Result<Vec<u8>, ExtensionError> {
        match &self.0 {
            Ok(replacement) if replacement.is_empty() => Ok(cms),
            Ok(replacement) => Ok(replacement.clone()),
            Err(message) => Err((*message).into()),
        }
    }
}

#[test]
fn an_extension_may_fail_but_never_change_what_was_signed() {
    let pki = pki();
    let signer = pki.signer(Key::PersonRsa);
    let input = || simple_pdf(1, Layout::Table);
    let options = SignOptions::default();

    let passthrough = sign_extended(input(), &options, &signer, &Extension(Ok(Vec::new())));
    assert!(passthrough.is_ok(), "{passthrough:?}");

    let failing =
        sign_extended(input(), &options, &signer, &Extension(Err("TSA down"))).unwrap_err();
    assert!(matches!(failing, PadesError::Extension(_)), "{failing:?}");
    assert!(
        failing.to_string().contains("TSA down") || format!("{failing:?}").contains("TSA down")
    );

    // A CMS for another document, well-formed and by the right signer, is refused.
    let other = vanthu::cms::sign_detached(&signer, &DigestAlgorithm::Sha256.digest(b"x")).unwrap();
    let swapped = sign_extended(input(), &options, &signer, &Extension(Ok(other))).unwrap_err();
    assert!(
        matches!(swapped, PadesError::SignatureRejected(_)),
        "{swapped:?}"
    );
}
