//! The Decree 30 workflow on a real page: the person signs with the personal appearance, the
//! clerk adds the agency seal over the left third of the signature image in a later update. Both
//! signatures pass the peers (the first reported as followed by form filling only), the page
//! renders as the golden image shows, the seal lies where Appendix I puts it, and `pdftotext`
//! gives the Vietnamese text back. Copies get their stamp at the top right of page 1.

use std::path::PathBuf;
use std::process::Command;

use time::OffsetDateTime;
use time::macros::datetime;
use vanthu::pades::{AppearanceKind, Placement, SignOptions, sign};
use vanthu::pdf::appearance::layout::{self, PersonalSignature};
use vanthu::pdf::appearance::{FontFamily, PngImage, Rect as LayoutRect};
use vanthu::pdf::{Document, Rect};

use super::support::{
    Key, PERSON_NAME, PERSON_POSITION, UNIT_NAME, assert_starts_with_input, fonts, options_with,
    peer_verify, peers, pki, pyhanko_rows,
};
use crate::common;
use crate::fixtures;
use crate::golden::{Raster, assert_matches_golden, goldens_apply, is_blue, is_red, to_px};
use crate::inputs::{Layout, simple_pdf};

/// Height of the generated pages (A4) in points.
const A4_HEIGHT: f32 = 842.0;
/// Where the person's signature goes: the appearance is centred in this rectangle.
const PERSONAL_RECT: [f64; 4] = [330.0, 420.0, 560.0, 560.0];

/// `pdftoppm` and `pdftotext`, or `None` (skipped; a failure under CI).
fn poppler() -> Option<()> {
    let found = common::tool("pdftoppm").and(common::tool("pdftotext"));
    common::require("pdftoppm and pdftotext (poppler-utils)", found.map(|_| ()))
}

/// Renders page 1 at 100 dpi; the PDF and PNG are kept under the target's temporary folder.
fn render(pdf: &[u8], name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("signing-appearance");
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join(format!("{name}.pdf"));
    std::fs::write(&input, pdf).unwrap();
    let prefix = dir.join(name);
    let status = Command::new("pdftoppm")
        .args(["-r", "100", "-png", "-singlefile", "-f", "1", "-l", "1"])
        .arg(&input)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success(), "pdftoppm failed on {}", input.display());
    prefix.with_extension("png")
}

fn text_of(pdf: &[u8], name: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join(format!("{name}.pdf"));
    std::fs::write(&input, pdf).unwrap();
    let output = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-f", "1", "-l", "1"])
        .arg(&input)
        .arg("-")
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn signature_image() -> PngImage {
    fixtures::decode(&fixtures::signature_png(None))
}

fn seal_image() -> PngImage {
    fixtures::decode(&fixtures::seal_png(Some(300.0)))
}

/// The widget rectangle of a signed field.
fn widget_rect(pdf: &[u8], field: &str) -> Rect {
    let doc = Document::from_bytes(pdf.to_vec()).unwrap();
    let fields = doc.latest().signature_fields().unwrap();
    let found = fields
        .iter()
        .find(|candidate| candidate.field.full_name == field)
        .unwrap();
    found.field.widgets[0].rect.unwrap()
}

/// The person's signature, then the unit's seal over it, at `signed_at`.
fn person_then_seal(fonts: &FontFamily, signed_at: OffsetDateTime) -> (Vec<u8>, Vec<u8>) {
    let pki = pki();
    let input = simple_pdf(1, Layout::Table);
    let personal = SignOptions {
        field_name: Some("NguoiKy".into()),
        appearance: AppearanceKind::Personal {
            image: signature_image(),
            position: Some(format!("KT. VIỆN TRƯỞNG\n{PERSON_POSITION}")),
            full_name: None,
        },
        placement: Placement::Rect {
            page_index: 0,
            rect: Rect::new(
                PERSONAL_RECT[0],
                PERSONAL_RECT[1],
                PERSONAL_RECT[2],
                PERSONAL_RECT[3],
            ),
        },
        signing_time: Some(signed_at),
        ..options_with(fonts)
    };
    let once = sign(input.clone(), &personal, &pki.signer(Key::PersonRsa)).unwrap();
    assert_starts_with_input(&input, &once, "personal");
    let agency = SignOptions {
        field_name: Some("CoQuan".into()),
        appearance: AppearanceKind::Agency {
            seal: seal_image(),
            organisation: None,
        },
        signing_time: Some(signed_at),
        ..options_with(fonts)
    };
    let twice = sign(once.clone(), &agency, &pki.signer(Key::UnitRsa)).unwrap();
    assert_starts_with_input(&once, &twice, "agency");
    (once, twice)
}

/// The signature image's rectangle on the page, from the personal widget and the same layout.
fn signature_image_on_page(fonts: &FontFamily, pdf: &[u8]) -> LayoutRect {
    let position = format!("KT. VIỆN TRƯỞNG\n{PERSON_POSITION}");
    let image = signature_image();
    let layout = layout::personal(
        fonts,
        &PersonalSignature {
            max_width: (PERSONAL_RECT[2] - PERSONAL_RECT[0]) as f32,
            ..PersonalSignature::new(&position, PERSON_NAME, &image)
        },
    )
    .unwrap();
    let widget = widget_rect(pdf, "NguoiKy");
    assert!(
        (widget.width() as f32 - layout.appearance.width).abs() < 0.01
            && (widget.height() as f32 - layout.appearance.height).abs() < 0.01,
        "the widget has the appearance's size: {widget:?}"
    );
    layout.image_rect_on_page((widget.llx as f32, widget.lly as f32))
}

#[test]
fn person_then_seal_passes_the_peers_and_renders_as_decree_30_shows_it() {
    let Some(fonts) = fonts() else { return };
    // The test certificates are valid from an hour before the run: claim the current minute.
    let signed_at = OffsetDateTime::now_utc()
        .replace_second(0)
        .unwrap()
        .replace_nanosecond(0)
        .unwrap();
    let (once, twice) = person_then_seal(&fonts, signed_at);

    // Both signatures valid; the first followed only by what form filling allows.
    if let Some(script) = peers() {
        let report = peer_verify(
            &script,
            &[
                ("person".into(), once.clone()),
                ("person then seal".into(), twice.clone()),
            ],
        );
        let rows = pyhanko_rows(&report, 1);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["field"], "NguoiKy");
        assert_eq!(rows[0]["modification_level"], "FORM_FILLING", "{}", rows[0]);
        assert_eq!(rows[0]["docmdp_ok"], true);
        assert_eq!(rows[1]["field"], "CoQuan");
        assert_eq!(rows[1]["coverage"], "ENTIRE_FILE");
    }

    // The agency widget comes after the personal one in /Annots, so the seal is drawn on top.
    let doc = Document::from_bytes(twice.clone()).unwrap();
    let view = doc.latest();
    let page = view.page(0).unwrap();
    let annots = view.array_at(&page.dict, b"Annots").unwrap().unwrap();
    let fields = view.signature_fields().unwrap();
    let widget_of = |name: &str| {
        fields
            .iter()
            .find(|field| field.field.full_name == name)
            .unwrap()
            .field
            .widgets[0]
            .id
    };
    let position_of = |name: &str| {
        annots
            .iter()
            .position(|item| item.as_reference() == Some(widget_of(name)))
            .unwrap()
    };
    assert!(position_of("NguoiKy") < position_of("CoQuan"));

    if poppler().is_none() {
        return;
    }
    let image = signature_image_on_page(&fonts, &twice);
    let png = render(&twice, "person-then-seal");
    let raster = Raster::read(&png);
    let third = image.width / 3.0;
    let left_third = LayoutRect::new(image.x, image.y, third - 1.5, image.height);
    let right_two_thirds = LayoutRect::new(
        image.x + third + 1.5,
        image.y,
        2.0 * third - 1.5,
        image.height,
    );
    assert!(
        raster.count_in(A4_HEIGHT, left_third, is_red) > 50,
        "no seal over the left third"
    );
    assert_eq!(
        raster.count_in(A4_HEIGHT, right_two_thirds, is_red),
        0,
        "seal beyond the left third"
    );
    assert!(
        raster.count_in(A4_HEIGHT, right_two_thirds, is_blue) > 200,
        "signature not visible"
    );
    let (_, red_top, red_right, red_bottom) = raster.bounds_of(is_red).expect("seal drawn");
    let seal_right = to_px(image.x + third);
    assert!(
        (i64::from(red_right) - seal_right).abs() <= 3,
        "{red_right} vs {seal_right}"
    );
    let image_centre = to_px(A4_HEIGHT - image.y - image.height / 2.0);
    let red_centre = i64::from(red_top + red_bottom) / 2;
    assert!(
        (red_centre - image_centre).abs() <= 3,
        "{red_centre} vs {image_centre}"
    );
    // The seal at its real size: 36 mm is 142 px at 100 dpi.
    assert!((i64::from(red_bottom - red_top) - 142).abs() <= 3);

    let text = text_of(&twice, "person-then-seal");
    let time = layout::format_signing_time(signed_at);
    for expected in [
        "KT. VIỆN TRƯỞNG",
        PERSON_POSITION,
        PERSON_NAME,
        UNIT_NAME,
        time.as_str(),
        "Page 1",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
}

#[test]
fn the_signed_page_matches_the_golden_image() {
    let Some(fonts) = fonts() else { return };
    if poppler().is_none() || !goldens_apply(&fonts) {
        return;
    }
    // The golden shows a fixed time: that time must lie in the certificates' validity, so this
    // test signs with a PKI of its own whose certificates start in 2024.
    let signed_at = datetime!(2024-03-09 03:08:00 UTC);
    let (_, twice) = person_then_seal_at_fixed_time(&fonts, signed_at);
    let png = render(&twice, "person-then-seal-golden");
    assert_matches_golden(&png, "signing-person-then-seal");
}

/// [`person_then_seal`] with certificates valid since 2024, so that a fixed time can be claimed.
fn person_then_seal_at_fixed_time(
    fonts: &FontFamily,
    signed_at: OffsetDateTime,
) -> (Vec<u8>, Vec<u8>) {
    use vanthu::cms::LocalKey;
    use vanthu::pki::devpki::{CertificateRequest, KeyUsage};
    let pki = pki();
    let intermediate = pki.intermediate();
    let from = datetime!(2024-01-01 00:00:00 UTC);
    let until = OffsetDateTime::now_utc() + time::Duration::days(30);
    let issue = |name: &str, title: Option<&str>, key: Key| {
        let mut request = CertificateRequest::new(name)
            .organization(UNIT_NAME)
            .validity(from, until)
            .key_usage(&[KeyUsage::DigitalSignature, KeyUsage::NonRepudiation]);
        if let Some(title) = title {
            request = request.title(title);
        }
        // The intermediate itself is younger than 2024 in this run; a path check is not what
        // this test is about (the peers test above covers it), the picture is.
        let credential = intermediate
            .issue_with_key(&request, pki.credential(key).key.clone())
            .unwrap();
        LocalKey::new(
            credential.key.pkcs8_der(),
            credential.certificate,
            pki.dev.chain(),
        )
        .unwrap()
    };
    let person = issue(PERSON_NAME, Some(PERSON_POSITION), Key::PersonRsa);
    let unit = issue(UNIT_NAME, None, Key::UnitRsa);
    let input = simple_pdf(1, Layout::Table);
    let personal = SignOptions {
        field_name: Some("NguoiKy".into()),
        appearance: AppearanceKind::Personal {
            image: signature_image(),
            position: Some(format!("KT. VIỆN TRƯỞNG\n{PERSON_POSITION}")),
            full_name: None,
        },
        placement: Placement::Rect {
            page_index: 0,
            rect: Rect::new(
                PERSONAL_RECT[0],
                PERSONAL_RECT[1],
                PERSONAL_RECT[2],
                PERSONAL_RECT[3],
            ),
        },
        signing_time: Some(signed_at),
        ..options_with(fonts)
    };
    let once = sign(input, &personal, &person).unwrap();
    let agency = SignOptions {
        field_name: Some("CoQuan".into()),
        appearance: AppearanceKind::Agency {
            seal: seal_image(),
            organisation: None,
        },
        signing_time: Some(signed_at),
        ..options_with(fonts)
    };
    let twice = sign(once.clone(), &agency, &unit).unwrap();
    (once, twice)
}

#[test]
fn a_copy_is_stamped_at_the_top_right_of_page_one_without_image() {
    let Some(fonts) = fonts() else { return };
    let pki = pki();
    let options = SignOptions {
        appearance: AppearanceKind::Copy {
            form: "SAO Y".into(),
            organisation: Some("Văn phòng Viện kiểm sát nhân dân tỉnh Thái Nguyên".into()),
        },
        ..options_with(&fonts)
    };
    let copy = sign(
        simple_pdf(2, Layout::Streams),
        &options,
        &pki.signer(Key::UnitRsa),
    )
    .unwrap();
    let rect = widget_rect(&copy, "Signature1");
    // A4 is 595 × 842: the stamp ends 14 pt from the right and top edges.
    assert!((rect.urx - (595.0 - 14.0)).abs() < 0.01, "{rect:?}");
    assert!((rect.ury - (842.0 - 14.0)).abs() < 0.01, "{rect:?}");
    assert!(rect.width() <= 200.0);

    let attachment = SignOptions {
        appearance: AppearanceKind::Attachment {
            number_and_symbol: "15/KH-VKS".into(),
        },
        ..options_with(&fonts)
    };
    let stamped = sign(
        simple_pdf(1, Layout::Table),
        &attachment,
        &pki.signer(Key::UnitRsa),
    )
    .unwrap();
    if let Some(script) = peers() {
        peer_verify(
            &script,
            &[
                ("copy".into(), copy.clone()),
                ("attachment".into(), stamped.clone()),
            ],
        );
    }
    if poppler().is_none() {
        return;
    }
    let text = text_of(&copy, "copy");
    assert!(
        text.contains("SAO Y Văn phòng Viện kiểm sát nhân dân tỉnh Thái Nguyên"),
        "{text:?}"
    );
    assert!(text_of(&stamped, "attachment").contains("15/KH-VKS"));
    let raster = Raster::read(&render(&copy, "copy"));
    assert!(raster.bounds_of(is_red).is_none() && raster.bounds_of(is_blue).is_none());
}

#[test]
fn the_seal_finds_the_signature_image_inside_an_existing_fields_scaled_appearance() {
    use vanthu::pdf::appearance::layout::AgencySignature;
    let Some(fonts) = fonts() else { return };
    let pki = pki();
    let signed_at = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let position = format!("KT. VIỆN TRƯỞNG\n{PERSON_POSITION}");
    // The form's empty field "approval" is 200 × 60 pt at (300, 100): the personal appearance is
    // laid out 200 pt wide, then scaled down and centred to fit the field.
    let personal = SignOptions {
        field_name: Some("approval".into()),
        appearance: AppearanceKind::Personal {
            image: signature_image(),
            position: Some(position.clone()),
            full_name: None,
        },
        signing_time: Some(signed_at),
        ..options_with(&fonts)
    };
    let once = sign(
        crate::inputs::form_pdf(Layout::Table),
        &personal,
        &pki.signer(Key::PersonRsa),
    )
    .unwrap();
    assert_eq!(
        widget_rect(&once, "approval"),
        Rect::new(300.0, 100.0, 500.0, 160.0)
    );
    let agency = SignOptions {
        appearance: AppearanceKind::Agency {
            seal: seal_image(),
            organisation: None,
        },
        signing_time: Some(signed_at),
        ..options_with(&fonts)
    };
    let twice = sign(once, &agency, &pki.signer(Key::UnitRsa)).unwrap();

    let image = signature_image();
    let inner = layout::personal(
        &fonts,
        &PersonalSignature {
            max_width: 200.0,
            ..PersonalSignature::new(&position, PERSON_NAME, &image)
        },
    )
    .unwrap();
    let (width, height) = (inner.appearance.width, inner.appearance.height);
    let scale = (200.0 / width).min(60.0 / height).min(1.0);
    assert!(
        scale < 1.0,
        "the appearance must be scaled for this test to mean something"
    );
    let (dx, dy) = ((200.0 - width * scale) / 2.0, (60.0 - height * scale) / 2.0);
    let image_on_page = LayoutRect::new(
        300.0 + dx + scale * inner.image_rect.x,
        100.0 + dy + scale * inner.image_rect.y,
        scale * inner.image_rect.width,
        scale * inner.image_rect.height,
    );
    let seal = seal_image();
    let agency_layout =
        layout::agency(&fonts, &AgencySignature::new(UNIT_NAME, signed_at, &seal)).unwrap();
    let expected = layout::agency_widget_rect(image_on_page, &agency_layout);
    let actual = widget_rect(&twice, "Signature1");
    assert!(
        (actual.llx as f32 - expected.x).abs() < 0.01
            && (actual.lly as f32 - expected.y).abs() < 0.01,
        "agency widget at {actual:?}, expected at ({}, {})",
        expected.x,
        expected.y
    );
}

/// `--anchor`: the appearance is centred above the text where `pdf::content` finds it, on the
/// last page holding it, and the result still passes the peers.
#[test]
fn anchor_places_the_signature_centred_above_the_text() {
    let Some(fonts) = fonts() else {
        return;
    };
    let input = simple_pdf(3, Layout::Table);
    let options = SignOptions {
        appearance: AppearanceKind::Text { lines: None },
        placement: Placement::Anchor {
            page_index: None,
            text: "Page 2".into(),
        },
        ..options_with(&fonts)
    };
    let signed = sign(input.clone(), &options, &pki().signer(Key::PersonRsa)).unwrap();
    assert_starts_with_input(&input, &signed, "anchored");

    let doc = Document::from_bytes(signed.clone()).unwrap();
    let hits = vanthu::pdf::content::find_text(&doc, 1, "Page 2").unwrap();
    let text = hits.last().expect("the anchor text is on page 2").rect;
    let view = doc.latest();
    let field = view
        .signature_fields()
        .unwrap()
        .into_iter()
        .find(|field| field.signature.is_some())
        .unwrap();
    let widget = &field.field.widgets[0];
    let rect = widget.rect.unwrap();
    assert_eq!(
        widget.page,
        Some(view.page_ids().unwrap()[1]),
        "on the page holding the text"
    );
    let centre = |llx: f64, urx: f64| (llx + urx) / 2.0;
    assert!(
        (centre(rect.llx, rect.urx) - centre(text.llx, text.urx)).abs() < 0.5,
        "centred on the text: widget {rect:?}, text {text:?}"
    );
    assert!(
        rect.lly >= text.ury && rect.lly - text.ury < 5.0,
        "just above the text: widget {rect:?}, text {text:?}"
    );

    if let Some(script) = peers() {
        let report = peer_verify(&script, &[("anchored.pdf".into(), signed)]);
        assert_eq!(report[0]["ok"], true, "{report:#}");
    }
}
