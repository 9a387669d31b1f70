//! A spread of inputs — xref table, xref and object streams (lopdf and qpdf), hybrid, linearized,
//! already signed by pyHanko and by us, form-filled, 200 pages — signed visibly and invisibly with
//! RSA-2048, RSA-PSS and P-256, each output starting with the input's bytes and every one
//! accepted by pyHanko, pdfsig and qpdf.

use vanthu::crypto::DigestAlgorithm;
use vanthu::pades::{AppearanceKind, Placement, SignOptions, sign};
use vanthu::pdf::Rect;

use super::support::{
    Key, assert_starts_with_input, fonts, options_with, peer_verify, peers, pki, pyhanko_python,
    pyhanko_rows, pyhanko_sign, signed_field_names,
};
use crate::inputs::{Layout, form_pdf, hybrid_pdf, qpdf_transform, simple_pdf};

/// A text appearance in a rectangle on `page_index`.
fn visible(fonts: &vanthu::pdf::appearance::FontFamily, page_index: usize) -> SignOptions {
    SignOptions {
        appearance: AppearanceKind::Text { lines: None },
        placement: Placement::Rect {
            page_index,
            rect: Rect::new(330.0, 60.0, 560.0, 140.0),
        },
        ..options_with(fonts)
    }
}

#[test]
fn every_kind_of_input_signed_every_way_passes_the_peers() {
    let Some(script) = peers() else { return };
    let Some(fonts) = fonts() else { return };
    let Some(python) = pyhanko_python() else {
        return;
    };
    let pki = pki();
    let invisible = options_with(&fonts);
    let mut inputs: Vec<(&str, Vec<u8>, SignOptions, Key)> = vec![
        (
            "xref table, invisible, RSA",
            simple_pdf(2, Layout::Table),
            invisible.clone(),
            Key::PersonRsa,
        ),
        (
            "xref table, visible, P-256",
            simple_pdf(2, Layout::Table),
            visible(&fonts, 1),
            Key::PersonP256,
        ),
        (
            "lopdf xref and object streams, visible, RSA-PSS",
            simple_pdf(3, Layout::Streams),
            visible(&fonts, 2),
            Key::PersonPss,
        ),
        (
            "hybrid, invisible, P-256",
            hybrid_pdf(),
            invisible.clone(),
            Key::PersonP256,
        ),
        (
            "form-filled, existing field, visible, RSA",
            form_pdf(Layout::Table),
            SignOptions {
                field_name: Some("approval".into()),
                appearance: AppearanceKind::Text { lines: None },
                ..options_with(&fonts)
            },
            Key::PersonRsa,
        ),
        (
            // A new field would leave the form's empty signature field, which pdfsig counts as
            // an unverified signature.
            "form-filled streams, existing field, invisible, RSA-PSS",
            form_pdf(Layout::Streams),
            SignOptions {
                field_name: Some("approval".into()),
                ..invisible.clone()
            },
            Key::PersonPss,
        ),
        (
            "200 pages, visible on the last, RSA, SHA-512",
            simple_pdf(200, Layout::Streams),
            SignOptions {
                digest: DigestAlgorithm::Sha512,
                ..visible(&fonts, 199)
            },
            Key::PersonRsa,
        ),
    ];
    if let Some(qpdf_streams) = qpdf_transform(
        &simple_pdf(2, Layout::Table),
        &["--object-streams=generate"],
    ) {
        inputs.push((
            "qpdf object streams, visible, P-256",
            qpdf_streams,
            visible(&fonts, 0),
            Key::PersonP256,
        ));
    }
    if let Some(linearized) = qpdf_transform(&simple_pdf(3, Layout::Table), &["--linearize"]) {
        inputs.push((
            "linearized, visible, RSA",
            linearized.clone(),
            visible(&fonts, 0),
            Key::PersonRsa,
        ));
        inputs.push((
            "linearized, invisible, P-256",
            linearized,
            invisible.clone(),
            Key::PersonP256,
        ));
    }
    let by_pyhanko = pyhanko_sign(&python, &simple_pdf(1, Layout::Table), "PyHanko");
    inputs.push((
        "signed by pyHanko, visible, RSA",
        by_pyhanko,
        visible(&fonts, 0),
        Key::PersonRsa,
    ));
    // pdfsig (NSS) calls the certificate of every signature "Unknown issue with Certificate"
    // when one certificate signed twice in a file, whoever made the signatures (pyHanko's too):
    // the earlier signature here is the unit's, as in the person-and-seal workflow.
    let by_us = sign(
        simple_pdf(1, Layout::Streams),
        &invisible,
        &pki.signer(Key::UnitRsa),
    )
    .unwrap();
    inputs.push((
        "signed by us, visible, RSA-PSS, SHA-384",
        by_us,
        SignOptions {
            digest: DigestAlgorithm::Sha384,
            ..visible(&fonts, 0)
        },
        Key::PersonPss,
    ));

    let mut signed = Vec::new();
    for (what, input, options, key) in inputs {
        let signer = pki.signer_with(key, options.digest);
        let output = sign(input.clone(), &options, &signer)
            .unwrap_or_else(|error| panic!("{what}: {error}"));
        assert_starts_with_input(&input, &output, what);
        signed.push((what.to_string(), output));
    }
    let report = peer_verify(&script, &signed);

    // Each earlier signature is still there and valid: the peers saw two where there were two.
    for (index, (what, output)) in signed.iter().enumerate() {
        let fields = signed_field_names(output);
        let rows = pyhanko_rows(&report, index);
        assert_eq!(rows.len(), fields.len(), "{what}: {fields:?}");
        if what.starts_with("signed by") {
            assert_eq!(fields.len(), 2, "{what}");
        }
    }
}

#[test]
fn the_contents_capacity_follows_the_certificates_and_leaves_room_for_a_timestamp() {
    let pki = pki();
    let signer = pki.signer(Key::PersonRsa);
    let input = simple_pdf(1, Layout::Table);
    let options = SignOptions::default();
    let with_room = sign(input.clone(), &options, &signer).unwrap();
    let bare = sign(
        input,
        &SignOptions {
            timestamp_reserve: 0,
            ..options
        },
        &signer,
    )
    .unwrap();
    let contents_len = |pdf: &[u8]| {
        let doc = vanthu::pdf::Document::from_bytes(pdf.to_vec()).unwrap();
        let fields = doc.latest().signature_fields().unwrap();
        let signature = fields[0].signature.as_ref().unwrap();
        let contents = signature.dict.get_string(b"Contents").unwrap().unwrap();
        let used = vanthu::cms::parse_signed_data(&contents.bytes)
            .unwrap()
            .encoded_len;
        (contents.bytes.len(), used)
    };
    let (reserved, used) = contents_len(&bare);
    assert!(used <= reserved, "{used} > {reserved}");
    assert!(
        reserved - used < 2048,
        "{reserved} bytes reserved for a {used}-byte CMS"
    );
    let (reserved_with_room, _) = contents_len(&with_room);
    assert!(reserved_with_room >= used + vanthu::pades::DEFAULT_TIMESTAMP_RESERVE);
}
