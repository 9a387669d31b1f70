//! Geometry of the Decree 30 layouts with the real font: centring and wrapping measured with the
//! glyph advances, images at their printed size, and bad sizes or texts refused.

use vanthu::pdf::appearance::layout::{
    self, GAP, LINE_HEIGHT, MAX_FIELD_CHARS, PADDING, TextAlign, TextLine,
};
use vanthu::pdf::appearance::{
    AgencySignature, AppearanceError, PersonalSignature, PrintSize, Weight,
};

use super::fixtures::{self, AGENCY, FULL_NAME, POSITION, SIGNED_AT};

const POINTS_PER_MM: f32 = 72.0 / 25.4;

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 0.01
}

/// The `x` of each text line's `Tm` in a content stream.
fn line_starts(content: &[u8]) -> Vec<f32> {
    std::str::from_utf8(content)
        .expect("ASCII")
        .lines()
        .filter(|line| line.starts_with("BT "))
        .map(|line| {
            let operands: Vec<&str> = line.split_whitespace().collect();
            let tm = operands.iter().position(|op| *op == "Tm").expect("Tm");
            operands[tm - 2].parse().expect("x")
        })
        .collect()
}

#[test]
fn personal_signature_centres_the_image_between_position_and_name() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let image = fixtures::decode(&fixtures::signature_png(None));
    let personal = layout::personal(&fonts, &PersonalSignature::new(POSITION, FULL_NAME, &image))
        .expect("layout");
    let (appearance, image_rect) = (&personal.appearance, personal.image_rect);

    // No pHYs: the fallback height of 15 mm, the width from the aspect ratio (360×120).
    assert!(
        close(image_rect.height, 15.0 * POINTS_PER_MM),
        "{image_rect:?}"
    );
    assert!(
        close(image_rect.width, 3.0 * image_rect.height),
        "{image_rect:?}"
    );
    assert!(close(
        image_rect.x + image_rect.width / 2.0,
        appearance.width / 2.0
    ));
    // Two position lines above the image, one name line below.
    let above = appearance.height - PADDING - (image_rect.y + image_rect.height);
    assert!(close(above, 2.0 * LINE_HEIGHT + GAP), "{above}");
    assert!(
        close(image_rect.y, PADDING + LINE_HEIGHT + GAP),
        "{}",
        image_rect.y
    );
    assert!(appearance.width <= layout::DEFAULT_MAX_WIDTH);
    assert_eq!(appearance.images.len(), 1);
    assert!(
        appearance.images[0].alpha.is_some(),
        "transparent background kept"
    );

    // Every text line is centred with the real advances.
    let content = String::from_utf8(appearance.content.clone()).expect("ASCII");
    let starts = line_starts(&appearance.content);
    let texts = ["KT. VIỆN TRƯỞNG", "PHÓ VIỆN TRƯỞNG", FULL_NAME];
    assert_eq!(starts.len(), texts.len(), "{content}");
    for (start, text) in starts.iter().zip(texts) {
        let width = fonts
            .face(Weight::Bold)
            .text_width(text, 10.0)
            .expect("measure");
        assert!(
            close(*start, (appearance.width - width) / 2.0),
            "{text}: {start}"
        );
    }
}

#[test]
fn without_position_and_name_the_widget_is_just_the_image() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let image = fixtures::decode(&fixtures::signature_png(Some(1200.0)));
    let personal =
        layout::personal(&fonts, &PersonalSignature::new("", "", &image)).expect("layout");
    // 120 px at 1200 dpi is 2.54 mm: implausible for a signature, so the 15 mm fallback applies.
    assert!(close(personal.image_rect.height, 15.0 * POINTS_PER_MM));
    assert!(close(
        personal.appearance.height,
        personal.image_rect.height + 2.0 * PADDING
    ));
    assert!(personal.appearance.fonts.is_empty());
}

#[test]
fn a_signature_image_too_wide_for_the_widget_is_scaled_down() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let image = fixtures::decode(&fixtures::signature_png(None));
    let signature = PersonalSignature {
        image_height: PrintSize::Millimetres(40.0),
        max_width: 200.0,
        ..PersonalSignature::new(POSITION, FULL_NAME, &image)
    };
    let personal = layout::personal(&fonts, &signature).expect("layout");
    assert!(close(personal.image_rect.width, 200.0 - 2.0 * PADDING));
    assert!(close(
        personal.image_rect.height,
        personal.image_rect.width / 3.0
    ));
    assert!(close(personal.appearance.width, 200.0));
}

#[test]
fn the_seal_is_printed_at_its_real_size() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let seal_at = |dpi: Option<f32>, size: PrintSize| {
        let seal = fixtures::decode(&fixtures::seal_png(dpi));
        let signature = AgencySignature {
            seal_size: size,
            ..AgencySignature::new(AGENCY, SIGNED_AT, &seal)
        };
        layout::agency(&fonts, &signature)
            .expect("layout")
            .seal_rect
    };
    let physical = PrintSize::Physical { fallback_mm: 36.0 };
    // 425 px at 300 dpi: 35.98 mm.
    let rect = seal_at(Some(300.0), physical);
    assert!(
        (rect.width / POINTS_PER_MM - 35.98).abs() < 0.05,
        "{rect:?}"
    );
    // 425 px at 600 dpi: 18 mm, still a plausible seal.
    let rect = seal_at(Some(600.0), physical);
    assert!(
        (rect.width / POINTS_PER_MM - 17.99).abs() < 0.05,
        "{rect:?}"
    );
    // 425 px at 72 dpi would be 150 mm: an editor's default, so the fallback applies.
    let rect = seal_at(Some(72.0), PrintSize::Physical { fallback_mm: 38.0 });
    assert!(close(rect.width, 38.0 * POINTS_PER_MM), "{rect:?}");
    // No pHYs at all: the fallback.
    let rect = seal_at(None, physical);
    assert!(close(rect.width, 36.0 * POINTS_PER_MM), "{rect:?}");
    // A caller's exact size wins over pHYs.
    let rect = seal_at(Some(300.0), PrintSize::Millimetres(40.0));
    assert!(close(rect.width, 40.0 * POINTS_PER_MM) && close(rect.height, rect.width));
}

#[test]
fn long_agency_names_wrap_under_the_seal() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let seal = fixtures::decode(&fixtures::seal_png(Some(300.0)));
    let name =
        "Viện kiểm sát nhân dân khu vực 3 - Thái Nguyên, trực thuộc Viện kiểm sát nhân dân tỉnh";
    let signature = AgencySignature {
        max_text_width: 120.0,
        ..AgencySignature::new(name, SIGNED_AT, &seal)
    };
    let agency = layout::agency(&fonts, &signature).expect("layout");
    let text_lines = line_starts(&agency.appearance.content).len();
    assert!(
        text_lines >= 4,
        "{text_lines} lines: name wrapped plus the time"
    );
    let expected_height =
        PADDING + agency.seal_rect.height + GAP + text_lines as f32 * LINE_HEIGHT + PADDING;
    assert!(close(agency.appearance.height, expected_height));
    // The widget is as wide as the wider of the seal and the text limit.
    assert!(agency.appearance.width <= 120.0_f32.max(agency.seal_rect.width) + 2.0 * PADDING);
    assert!(close(
        agency.seal_rect.x + agency.seal_rect.width / 2.0,
        agency.appearance.width / 2.0
    ));
    // The seal is at the top.
    assert!(close(
        agency.seal_rect.y + agency.seal_rect.height,
        agency.appearance.height - PADDING
    ));
}

#[test]
fn wrapping_follows_the_real_advances_not_the_character_count() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let lines_for = |text: &str| {
        let appearance =
            layout::text_only(&fonts, &[TextLine::regular(text)], 200.0, TextAlign::Left)
                .expect("layout");
        line_starts(&appearance.content).len()
    };
    let narrow = "ii ".repeat(20);
    let wide = "WW ".repeat(20);
    // 40 × "i" (2.78 pt) and 19 spaces (2.5 pt) make 159 pt; 40 × "W" (9.44 pt) make 425 pt.
    assert_eq!(lines_for(&narrow), 1, "59 narrow characters fit in 196 pt");
    assert_eq!(lines_for(&wide), 3, "59 wide characters take three lines");
}

#[test]
fn text_alignment_uses_measured_widths() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let text = "Thời gian ký";
    let width = fonts
        .face(Weight::Regular)
        .text_width(text, 10.0)
        .expect("measure");
    let lines = [
        TextLine::regular(text),
        TextLine::regular("Viện kiểm sát nhân dân tỉnh"),
    ];
    for align in [TextAlign::Left, TextAlign::Right, TextAlign::Center] {
        let appearance = layout::text_only(&fonts, &lines, 300.0, align).expect("layout");
        let full = appearance.width;
        let expected = match align {
            TextAlign::Left => PADDING,
            TextAlign::Right => full - PADDING - width,
            TextAlign::Center => (full - width) / 2.0,
        };
        let start = line_starts(&appearance.content)[0];
        assert!(close(start, expected), "{align:?}: {start} vs {expected}");
    }
}

#[test]
fn bad_sizes_and_overlong_texts_are_refused() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let image = fixtures::decode(&fixtures::signature_png(None));
    let too_narrow = PersonalSignature {
        max_width: f32::NAN,
        ..PersonalSignature::new(POSITION, FULL_NAME, &image)
    };
    assert!(matches!(
        layout::personal(&fonts, &too_narrow),
        Err(AppearanceError::InvalidSize {
            what: "max_width",
            ..
        })
    ));
    let negative = PersonalSignature {
        image_height: PrintSize::Millimetres(-3.0),
        ..PersonalSignature::new(POSITION, FULL_NAME, &image)
    };
    assert!(matches!(
        layout::personal(&fonts, &negative),
        Err(AppearanceError::InvalidSize {
            what: "image_height",
            ..
        })
    ));
    let seal = fixtures::decode(&fixtures::seal_png(None));
    let huge_seal = AgencySignature {
        seal_size: PrintSize::Millimetres(1.0e9),
        ..AgencySignature::new(AGENCY, SIGNED_AT, &seal)
    };
    assert!(matches!(
        layout::agency(&fonts, &huge_seal),
        Err(AppearanceError::InvalidSize {
            what: "seal_size",
            ..
        })
    ));
    let long = "ư".repeat(MAX_FIELD_CHARS + 1);
    let error = layout::personal(&fonts, &PersonalSignature::new(&long, FULL_NAME, &image))
        .expect_err("too long");
    assert!(matches!(
        error,
        AppearanceError::TextTooLong {
            field: "position",
            ..
        }
    ));
    assert!(error.to_string().starts_with("nội dung"), "{error}");
}
