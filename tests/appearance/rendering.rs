//! The appearances drawn on a page by poppler: compared with golden images, checked for geometry
//! pixel by pixel (the seal over the left third of the signature), and read back with `pdftotext`
//! to prove the ToUnicode maps give the exact Vietnamese text. The golden comparison and its
//! tolerance are in [`super::golden`].

use vanthu::pdf::appearance::font::VIETNAMESE_LETTERS;
use vanthu::pdf::appearance::layout::{self, TextAlign, TextLine};
use vanthu::pdf::appearance::{AgencySignature, CornerStamp, FontFamily, PersonalSignature, Rect};

use super::fixtures::{self, AGENCY, FULL_NAME, POSITION, SIGNED_AT, SIGNED_AT_TEXT};
use super::golden::{
    DIFFERENT_PIXELS_TOLERANCE, Raster, assert_matches_golden, difference, golden_dir,
    goldens_apply, is_blue, is_ink, is_red, to_px,
};
use super::pdf::{Placed, extract_text, one_page_pdf, poppler, render};

/// White space collapsed, so that wrapped lines read as one string.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The personal signature at a fixed place and the agency signature placed by
/// `agency_widget_rect`, moved right by `seal_shift` points; returns the PDF, the signature
/// image's rectangle on the page and the page height.
fn personal_and_agency_page(fonts: &FontFamily, seal_shift: f32) -> (Vec<u8>, Rect, f32) {
    let signature = fixtures::decode(&fixtures::signature_png(None));
    let seal = fixtures::decode(&fixtures::seal_png(Some(300.0)));
    let personal = layout::personal(
        fonts,
        &PersonalSignature::new(POSITION, FULL_NAME, &signature),
    )
    .expect("personal layout");
    let personal_origin = (150.0, 110.0);
    let image_on_page = personal.image_rect_on_page(personal_origin);
    let agency = layout::agency(
        fonts,
        &AgencySignature {
            max_text_width: 150.0,
            ..AgencySignature::new(AGENCY, SIGNED_AT, &seal)
        },
    )
    .expect("agency layout");
    let agency_rect = layout::agency_widget_rect(image_on_page, &agency);
    let (page_width, page_height) = (360.0, 300.0);
    assert!(
        agency_rect.x >= 0.0 && agency_rect.y >= 0.0,
        "{agency_rect:?}"
    );
    let pdf = one_page_pdf(
        page_width,
        page_height,
        &[
            Placed {
                appearance: &personal.appearance,
                origin: personal_origin,
            },
            Placed {
                appearance: &agency.appearance,
                origin: (agency_rect.x + seal_shift, agency_rect.y),
            },
        ],
    );
    (pdf, image_on_page, page_height)
}

#[test]
fn personal_and_agency_signatures_render_as_decree_30_shows_them() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    if poppler().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let (pdf, image_on_page, page_height) = personal_and_agency_page(&fonts, 0.0);
    let png = render(&pdf, dir.path(), "personal-agency");
    let raster = Raster::read(&png);

    // The seal covers the left third of the signature image and nothing of the rest.
    let third = image_on_page.width / 3.0;
    let left_third = Rect::new(
        image_on_page.x,
        image_on_page.y,
        third - 1.5,
        image_on_page.height,
    );
    let right_two_thirds = Rect::new(
        image_on_page.x + third + 1.5,
        image_on_page.y,
        2.0 * third - 1.5,
        image_on_page.height,
    );
    assert!(
        raster.count_in(page_height, left_third, is_red) > 50,
        "no seal over the left third"
    );
    assert_eq!(
        raster.count_in(page_height, right_two_thirds, is_red),
        0,
        "seal beyond the left third"
    );
    assert!(
        raster.count_in(page_height, right_two_thirds, is_blue) > 200,
        "signature not visible"
    );

    // The red of the seal is centred on the image vertically and ends one third into it.
    let (_, red_top, red_right, red_bottom) = raster.bounds_of(is_red).expect("seal drawn");
    let seal_right_px = to_px(image_on_page.x + third);
    assert!(
        (i64::from(red_right) - seal_right_px).abs() <= 3,
        "{red_right} vs {seal_right_px}"
    );
    let image_centre_px = to_px(page_height - image_on_page.y - image_on_page.height / 2.0);
    let red_centre = i64::from(red_top + red_bottom) / 2;
    assert!(
        (red_centre - image_centre_px).abs() <= 3,
        "{red_centre} vs {image_centre_px}"
    );

    // The seal is printed at its real size: 425 px at 300 dpi is 36 mm, 142 px at 100 dpi.
    let seal_px = i64::from(red_bottom - red_top);
    assert!((seal_px - 142).abs() <= 3, "seal is {seal_px} px tall");

    let text = collapse(&extract_text(&pdf, dir.path(), "personal-agency"));
    for expected in [
        "KT. VIỆN TRƯỞNG",
        "PHÓ VIỆN TRƯỞNG",
        FULL_NAME,
        AGENCY,
        SIGNED_AT_TEXT,
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }

    if goldens_apply(&fonts) {
        assert_matches_golden(&png, "decree30-personal-agency");
    }
}

#[test]
fn copy_stamp_sits_at_the_top_right_of_an_a4_page() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    if poppler().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let agency = "Văn phòng Viện kiểm sát nhân dân tỉnh Thái Nguyên";
    let stamp = CornerStamp::copy("SAO Y", agency, SIGNED_AT);
    let appearance = layout::corner_stamp(&fonts, &stamp, 200.0).expect("stamp layout");
    let (page_width, page_height) = (595.276, 841.89);
    let page = Rect::new(0.0, 0.0, page_width, page_height);
    let margin = 14.0;
    let rect = layout::top_right_rect(page, appearance.width, appearance.height, margin);
    assert!(
        appearance.images.is_empty(),
        "Appendix I: no image on copies"
    );

    let pdf = one_page_pdf(
        page_width,
        page_height,
        &[Placed {
            appearance: &appearance,
            origin: (rect.x, rect.y),
        }],
    );
    let png = render(&pdf, dir.path(), "copy-stamp");
    let raster = Raster::read(&png);
    let (left, top, right, bottom) = raster.bounds_of(is_ink).expect("stamp drawn");
    assert!(
        i64::from(left) >= to_px(rect.x),
        "ink starts left of the stamp"
    );
    assert!(
        i64::from(right) <= to_px(page_width - margin),
        "ink crosses the right margin"
    );
    assert!(
        i64::from(top) >= to_px(margin) - 1,
        "ink crosses the top margin"
    );
    assert!(
        i64::from(bottom) <= to_px(page_height - rect.y),
        "ink below the stamp"
    );
    assert!(
        f64::from(right) > f64::from(raster.width) * 0.6,
        "stamp not on the right"
    );
    assert!(
        f64::from(bottom) < f64::from(raster.height) * 0.15,
        "stamp not at the top"
    );

    let text = collapse(&extract_text(&pdf, dir.path(), "copy-stamp"));
    assert!(
        text.contains(&format!("SAO Y {agency} {SIGNED_AT_TEXT}")),
        "{text:?}"
    );

    if goldens_apply(&fonts) {
        assert_matches_golden(&png, "decree30-copy-stamp");
    }
}

#[test]
fn every_vietnamese_letter_renders_and_copies_back_exactly() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    if poppler().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    // The letters grouped by vowel ("aàáảãạ ăằắẳẵặ …"), lower case regular, upper case bold.
    let letters: Vec<char> = VIETNAMESE_LETTERS.chars().collect();
    let lower: Vec<String> = letters
        .chunks(6)
        .map(|group| group.iter().collect())
        .collect();
    let upper: Vec<String> = lower.iter().map(|group| group.to_uppercase()).collect();
    let decomposed = "Vie\u{0302}\u{0323}t Nam — tie\u{0302}\u{0301}ng Vie\u{0302}\u{0323}t";
    let lines = [
        TextLine::regular(lower.join(" ")),
        TextLine::bold(upper.join(" ")),
        TextLine::regular("Ký bởi: Viện kiểm sát nhân dân huyện Đại Từ"),
        TextLine::regular(decomposed),
    ];
    let appearance =
        layout::text_only(&fonts, &lines, 300.0, TextAlign::Center).expect("text layout");
    let pdf = one_page_pdf(
        appearance.width + 20.0,
        appearance.height + 20.0,
        &[Placed {
            appearance: &appearance,
            origin: (10.0, 10.0),
        }],
    );
    let png = render(&pdf, dir.path(), "letters");
    let text = collapse(&extract_text(&pdf, dir.path(), "letters"));
    for group in lower.iter().chain(upper.iter()) {
        assert!(text.contains(group.as_str()), "{group:?} not in {text:?}");
    }
    assert!(
        text.contains("Ký bởi: Viện kiểm sát nhân dân huyện Đại Từ"),
        "{text:?}"
    );
    assert!(
        text.contains("Việt Nam — tiếng Việt"),
        "decomposed input must copy back composed (NFC): {text:?}"
    );

    if goldens_apply(&fonts) {
        assert_matches_golden(&png, "decree30-vietnamese-letters");
    }
}

#[test]
fn the_golden_comparison_notices_a_seal_moved_by_four_points() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    if poppler().is_none() || !goldens_apply(&fonts) {
        return;
    }
    let golden = golden_dir().join("decree30-personal-agency.png");
    if !golden.is_file() {
        return; // The rendering test reports the missing golden.
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let (pdf, _, _) = personal_and_agency_page(&fonts, 4.0);
    let moved = Raster::read(&render(&pdf, dir.path(), "personal-agency-moved"));
    let (different, share) = difference(&Raster::read(&golden), &moved);
    assert!(
        share > DIFFERENT_PIXELS_TOLERANCE,
        "a seal 4 pt off its place must fail the comparison, but only {different} pixels differ"
    );
}
