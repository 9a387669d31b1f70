//! Standard 14 fonts: positions from the AFM widths, the text state operators, text split over
//! operators and text objects, forms, several content streams, inline images, rotated pages.

use lopdf::{Object as LObject, dictionary};
use vanthu::pdf::Rect;
use vanthu::pdf::content::{self, FindOptions};

use super::support::{
    Builder, assert_near, assert_words_match_poppler, find, find_one, fonts, open, page_lines,
    pdftotext, standard_font,
};

/// Helvetica's ascender and descender (AFM), at 10 points.
const HELVETICA_TOP: f64 = 7.18;
const HELVETICA_BOTTOM: f64 = -2.07;

fn helvetica_page(contents: &[&[u8]]) -> Vec<u8> {
    let mut builder = Builder::new();
    let font = builder.add(standard_font("Helvetica", Some("WinAnsiEncoding")));
    builder.page(contents, fonts(vec![("F1", font.into())]));
    builder.finish()
}

#[test]
fn helvetica_box_from_afm_widths() {
    let pdf = helvetica_page(&[b"BT /F1 10 Tf 100 700 Td (Hello) Tj ET"]);
    // H 722 + e 556 + l 222 + l 222 + o 556 = 2278 thousandths of 10 points.
    let rect = find_one(&pdf, 0, "Hello");
    assert_near(
        rect,
        Rect::new(
            100.0,
            700.0 + HELVETICA_BOTTOM,
            122.78,
            700.0 + HELVETICA_TOP,
        ),
        0.01,
    );
    assert!(find(&pdf, 0, "Help").is_empty());
}

#[test]
fn character_word_spacing_and_horizontal_scaling() {
    let pdf = helvetica_page(&[b"BT /F1 10 Tf 2 Tc 5 Tw 50 Tz 100 600 Td (a b) Tj ET"]);
    // a: (5.56 + 2) × 0.5 = 3.78; space: (2.78 + 2 + 5) × 0.5 = 4.89; b's box: 5.56 × 0.5.
    let rect = find_one(&pdf, 0, "a b");
    assert_near(
        rect,
        Rect::new(
            100.0,
            600.0 + HELVETICA_BOTTOM,
            100.0 + 3.78 + 4.89 + 2.78,
            600.0 + HELVETICA_TOP,
        ),
        0.01,
    );
}

#[test]
fn tj_kerning_moves_glyphs_and_wide_gaps_read_as_spaces() {
    let pdf = helvetica_page(&[
        b"BT /F1 10 Tf 100 500 Td [(Hel) 200 (lo)] TJ 0 -20 Td [(Van) -600 (A)] TJ \
          0 -20 Td [(Van) (An)] TJ ET",
    ]);
    // "lo" starts 2 points early: 15.00 − 2 + 7.78.
    assert_near(
        find_one(&pdf, 0, "Hello"),
        Rect::new(
            100.0,
            500.0 + HELVETICA_BOTTOM,
            120.78,
            500.0 + HELVETICA_TOP,
        ),
        0.01,
    );
    // V 667 + a 556 + n 556 = 17.79, then 6 points of gap, then A 667.
    assert_near(
        find_one(&pdf, 0, "Van A"),
        Rect::new(
            100.0,
            480.0 + HELVETICA_BOTTOM,
            130.46,
            480.0 + HELVETICA_TOP,
        ),
        0.01,
    );
    assert_eq!(page_lines(&pdf, 0), ["Hello", "Van A", "VanAn"]);
    // "VanAn" has no gap: "Van A" does not stand alone there, but is there when parts count.
    let loose = FindOptions {
        whole_words: false,
        ..Default::default()
    };
    let doc = open(pdf.clone());
    let hits = content::find_text_with(&doc, 0, "Van A", &loose).unwrap();
    assert_eq!(hits.len(), 2);
    assert!(
        hits[0].rect.lly > hits[1].rect.lly,
        "hits come top to bottom"
    );
}

#[test]
fn text_split_over_operators_and_text_objects() {
    // N 722 + g 556 + u 556 + y 500 = 23.34: the second text object continues exactly there.
    let pdf = helvetica_page(&[b"BT /F1 10 Tf 100 200 Td (Ngu) Tj (y) Tj ET \
          BT /F1 10 Tf 1 0 0 1 123.34 200 Tm (en) ' ( Van) Tj [( A)] TJ ET"]);
    // `'` moves to the next line first: with TL 0 it stays on the baseline.
    let rect = find_one(&pdf, 0, "Nguyen Van A");
    assert!((rect.llx - 100.0).abs() < 0.01, "{rect:?}");
    // Drawn right part first, left part after, with a gap of one and a half ems between.
    let pdf = helvetica_page(&[b"BT /F1 10 Tf 150 100 Td (Van A) Tj -50 0 Td (Nguyen) Tj ET"]);
    let rect = find_one(&pdf, 0, "Nguyen Van A");
    assert!(
        (rect.llx - 100.0).abs() < 0.01 && rect.urx > 170.0,
        "{rect:?}"
    );
}

#[test]
fn text_on_two_lines_does_not_match_across() {
    let pdf = helvetica_page(&[b"BT /F1 10 Tf 12 TL 100 100 Td (Nguyen Van) Tj T* (A) Tj ET"]);
    assert!(find(&pdf, 0, "Nguyen Van A").is_empty());
    assert_eq!(find(&pdf, 0, "Nguyen Van").len(), 1);
    // T* moved down by the leading.
    let rect = find_one(&pdf, 0, "A");
    assert!(
        (rect.lly - (88.0 + HELVETICA_BOTTOM)).abs() < 0.01,
        "{rect:?}"
    );
}

#[test]
fn winansi_accents_and_case_options() {
    let pdf = helvetica_page(&[b"BT /F1 10 Tf 100 400 Td (Caf\xe9 \x80 Stra\xdfe) Tj ET"]);
    assert_eq!(page_lines(&pdf, 0), ["Café € Straße"]);
    assert!(find(&pdf, 0, "café").is_empty());
    let doc = open(pdf.clone());
    let folded = FindOptions {
        case_sensitive: false,
        ..Default::default()
    };
    assert_eq!(
        content::find_text_with(&doc, 0, "CAFÉ", &folded)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn times_without_encoding_or_widths_agrees_with_poppler() {
    let mut builder = Builder::new();
    let times = builder.add(standard_font("Times-Roman", None));
    let courier = builder.add(standard_font("Courier-Bold", Some("WinAnsiEncoding")));
    builder.page(
        &[
            b"BT /F1 11 Tf 72 760 Td (Quick brown foxes jump over lazy dogs.) Tj \
            0 -30 Td [(Kerned) -250 (words,) 120 (tight)] TJ ET \
            BT /F2 9 Tf 3 Tw 72 600 Td (Courier with word spacing) Tj ET",
        ],
        fonts(vec![("F1", times.into()), ("F2", courier.into())]),
    );
    let pdf = builder.finish();
    if pdftotext().is_none() {
        return;
    }
    let compared = assert_words_match_poppler(&pdf, 0, 0.05, 0.05);
    assert!(compared >= 12, "{compared} words compared");
}

#[test]
fn form_xobjects_with_their_matrix_and_resources() {
    let mut builder = Builder::new();
    let helvetica = builder.add(standard_font("Helvetica", Some("WinAnsiEncoding")));
    // The inner form has no resources: it uses its parent's.
    let inner = builder.stream(
        dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 100.into(), 100.into()] },
        b"BT /F9 5 Tf 0 -20 Td (Inner) Tj ET".to_vec(),
    );
    let outer = builder.stream(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 200.into(), 200.into()],
            "Matrix" => vec![2.into(), 0.into(), 0.into(), 2.into(), 0.into(), 0.into()],
            "Resources" => dictionary! {
                "Font" => dictionary! { "F9" => helvetica },
                "XObject" => dictionary! { "In" => inner },
            },
        },
        b"BT /F9 5 Tf 10 20 Td (Form) Tj ET /In Do".to_vec(),
    );
    builder.page(
        &[b"q 1 0 0 1 100 300 cm /X1 Do Q BT /F1 10 Tf 100 250 Td (Page) Tj ET"],
        dictionary! {
            "Font" => dictionary! { "F1" => helvetica },
            "XObject" => dictionary! { "X1" => outer },
        },
    );
    let pdf = builder.finish();
    // Size 5 × 2 = 10 at (100 + 2 × 10, 300 + 2 × 20); F 611 + o 556 + r 333 + m 833.
    assert_near(
        find_one(&pdf, 0, "Form"),
        Rect::new(
            120.0,
            340.0 + HELVETICA_BOTTOM,
            143.33,
            340.0 + HELVETICA_TOP,
        ),
        0.01,
    );
    // The inner form draws at (100, 300 + 2 × −20).
    let inner = find_one(&pdf, 0, "Inner");
    assert!(
        (inner.llx - 100.0).abs() < 0.01 && (inner.lly - (260.0 + HELVETICA_BOTTOM)).abs() < 0.01
    );
    assert_eq!(page_lines(&pdf, 0), ["Form", "Inner", "Page"]);
    if pdftotext().is_some() {
        assert_words_match_poppler(&pdf, 0, 0.05, 0.05);
    }
}

#[test]
fn content_arrays_are_one_stream() {
    // Streams end between tokens (§7.8.2): operands in one, their operator in the next.
    let pdf = helvetica_page(&[b"BT /F1 10 Tf", b"100 500 Td (Split)", b"Tj ET"]);
    assert_eq!(find(&pdf, 0, "Split").len(), 1);
    // Without a separator, "(Split)" and "Tj" would still be two tokens; "Tf" and "100" too.
    let pdf = helvetica_page(&[b"BT /F1 10 Tf", b"100 500 Td (Split)Tj", b"ET"]);
    assert_eq!(find(&pdf, 0, "Split").len(), 1);
}

#[test]
fn inline_images_are_skipped() {
    let pdf = helvetica_page(&[
        b"q 10 0 0 10 50 50 cm BI /W 2 /H 1 /CS /G /BPC 8 ID EI EI Q \
          q BI /W 4 /H 4 /F /AHx ID 00ff)(EI\n0EI EI Q \
          BT /F1 10 Tf 100 400 Td (After) Tj ET",
    ]);
    assert_eq!(page_lines(&pdf, 0), ["After"]);
}

#[test]
fn rotated_page_reads_upright_text() {
    let mut builder = Builder::new();
    let font = builder.add(standard_font("Helvetica", Some("WinAnsiEncoding")));
    // On a page turned 90° clockwise, text running up the user space reads left to right.
    builder.page_with(
        &[b"BT /F1 10 Tf 0 1 -1 0 500 100 Tm (Rotated page text) Tj ET"],
        fonts(vec![("F1", font.into())]),
        dictionary! { "Rotate" => 90 },
    );
    let pdf = builder.finish();
    let rect = find_one(&pdf, 0, "Rotated page");
    // The glyphs' tops point to −x in user space.
    assert_near(
        Rect::new(rect.llx, rect.lly, rect.urx, rect.lly),
        Rect::new(
            500.0 - HELVETICA_TOP,
            100.0,
            500.0 - HELVETICA_BOTTOM,
            100.0,
        ),
        0.01,
    );
    let doc = open(pdf.clone());
    let page = doc.latest().page(0).unwrap();
    let shown = content::displayed_rect(&page, rect);
    // Displayed: 842 wide, 595 high; the text starts 100 points from the left edge.
    assert!((shown.llx - 100.0).abs() < 0.01, "{shown:?}");
    assert!(
        (shown.lly - (595.0 - 500.0 + HELVETICA_BOTTOM)).abs() < 0.01,
        "{shown:?}"
    );
    if pdftotext().is_some() {
        assert_words_match_poppler(&pdf, 0, 0.05, 0.05);
    }
}

#[test]
fn gs_font_and_missing_fonts() {
    let mut builder = Builder::new();
    let font = builder.add(standard_font("Helvetica", Some("WinAnsiEncoding")));
    builder.page(
        &[b"BT /Missing 10 Tf 100 500 Td (Unseen) Tj ET BT /G1 gs 100 400 Td (Seen) Tj ET"],
        dictionary! {
            "ExtGState" => dictionary! { "G1" => dictionary! { "Font" => vec![LObject::from(font), 10.into()] } },
        },
    );
    let pdf = builder.finish();
    assert_eq!(page_lines(&pdf, 0), ["Seen"]);
}

#[test]
fn several_hits_in_reading_order() {
    let pdf = helvetica_page(&[
        b"BT /F1 10 Tf 300 100 Td (Ky ten) Tj -200 0 Td (Ky ten) Tj \
          0 600 Td (Ky ten) Tj ET",
    ]);
    let hits = find(&pdf, 0, "Ky ten");
    let lefts: Vec<(f64, f64)> = hits
        .iter()
        .map(|hit| (hit.rect.llx, hit.rect.lly.round()))
        .collect();
    assert_eq!(lefts, [(100.0, 698.0), (100.0, 98.0), (300.0, 98.0)]);
    // The same text drawn twice at the same place (fake bold) is one hit.
    let pdf = helvetica_page(&[
        b"BT /F1 10 Tf 100 100 Td (Bold) Tj ET BT /F1 10 Tf 100.3 100 Td (Bold) Tj ET",
    ]);
    assert_eq!(find(&pdf, 0, "Bold").len(), 1);
}

#[test]
fn stray_operands_before_an_operator_are_ignored() {
    let pdf = helvetica_page(&[b"BT 7 /F1 10 Tf /X 1 1 0 0 1 100 700 Tm 3 (Hello) Tj ET"]);
    assert_near(
        find_one(&pdf, 0, "Hello"),
        Rect::new(
            100.0,
            700.0 + HELVETICA_BOTTOM,
            122.78,
            700.0 + HELVETICA_TOP,
        ),
        0.01,
    );
}
