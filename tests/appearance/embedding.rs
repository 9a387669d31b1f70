//! The embedded fonts as the signer receives them: the subset program is a valid TrueType font
//! holding only the glyphs shown, CIDs are its glyph ids (so `/W` matches its advances), the
//! ToUnicode CMap gives back the exact text, and a character the font lacks is an error.

use std::collections::BTreeMap;
use std::io::Read as _;

use vanthu::pdf::appearance::layout::{self, TextAlign, TextLine};
use vanthu::pdf::appearance::{
    Appearance, AppearanceError, EmbeddedFont, FontError, FontFamily, Weight,
};

use super::fixtures;

fn inflate(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("zlib stream");
    out
}

fn text_appearance(fonts: &FontFamily, lines: &[TextLine]) -> Appearance {
    layout::text_only(fonts, lines, 300.0, TextAlign::Left).expect("text layout")
}

/// The ToUnicode CMap's `bfchar` entries: CID → text.
fn parse_to_unicode(cmap: &[u8]) -> BTreeMap<u16, String> {
    let text = std::str::from_utf8(cmap).expect("ASCII CMap");
    let mut map = BTreeMap::new();
    let mut in_block = false;
    for line in text.lines() {
        if line.ends_with("beginbfchar") {
            in_block = true;
        } else if line == "endbfchar" {
            in_block = false;
        } else if in_block {
            let hex: Vec<&str> = line
                .split(['<', '>', ' '])
                .filter(|part| !part.is_empty())
                .collect();
            let cid = u16::from_str_radix(hex[0], 16).expect("cid");
            let units: Vec<u16> = hex[1]
                .as_bytes()
                .chunks(4)
                .map(|unit| u16::from_str_radix(std::str::from_utf8(unit).unwrap(), 16).unwrap())
                .collect();
            map.insert(cid, String::from_utf16(&units).expect("UTF-16"));
        }
    }
    map
}

/// The CIDs each `Tj` of the content stream shows, with the font resource selected before it.
fn shown_cids(content: &[u8]) -> Vec<(String, Vec<u16>)> {
    let text = std::str::from_utf8(content).expect("ASCII content");
    text.lines()
        .filter(|line| line.starts_with("BT "))
        .map(|line| {
            let font = line
                .split_whitespace()
                .nth(1)
                .expect("font operand")
                .trim_start_matches('/')
                .to_owned();
            let start = line.find('<').expect("hex string") + 1;
            let end = line.find('>').expect("hex string end");
            let cids = line.as_bytes()[start..end]
                .chunks(4)
                .map(|cid| u16::from_str_radix(std::str::from_utf8(cid).unwrap(), 16).unwrap())
                .collect();
            (font, cids)
        })
        .collect()
}

fn font_named<'a>(appearance: &'a Appearance, name: &str) -> &'a EmbeddedFont {
    appearance
        .fonts
        .iter()
        .find(|font| font.resource_name == name)
        .expect("font resource present")
}

#[test]
fn the_subset_program_is_small_valid_truetype_whose_glyph_ids_are_the_cids() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let appearance = text_appearance(&fonts, &[TextLine::regular("Đặng Việt Thành, Phổ Yên")]);
    assert_eq!(appearance.fonts.len(), 1);
    let font = font_named(&appearance, "F1");
    let face = fonts.face(Weight::Regular);

    let program = inflate(&font.font_program);
    assert_eq!(program.len(), font.font_program_length);
    assert!(
        program.len() * 5 < face.data().len(),
        "subset is not much smaller than the font"
    );
    let subset = ttf_parser::Face::parse(&program, 0).expect("subset parses");
    assert!(
        subset.number_of_glyphs() < 60,
        "{} glyphs",
        subset.number_of_glyphs()
    );

    // Every width in /W is the subset glyph's own advance at that CID (CIDToGIDMap /Identity).
    let scale = 1000.0 / f32::from(subset.units_per_em());
    let mut checked = 0;
    for run in &font.widths {
        for (offset, width) in run.widths.iter().enumerate() {
            let cid = run.first_cid + offset as u16;
            let advance = subset
                .glyph_hor_advance(ttf_parser::GlyphId(cid))
                .expect("glyph in subset");
            assert_eq!(
                *width,
                (f32::from(advance) * scale).round() as u32,
                "cid {cid}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} widths");
    assert_eq!(
        font.base_font,
        format!("{}+{}", font.subset_tag, face.postscript_name())
    );
    assert!(font.subset_tag.len() == 6 && font.subset_tag.chars().all(|c| c.is_ascii_uppercase()));
}

#[test]
fn to_unicode_gives_back_exactly_the_text_the_content_shows() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let lines = [
        TextLine::bold("PHÓ VIỆN TRƯỞNG"),
        TextLine::regular("Thời gian ký: 2024-03-09T10:08:00+07:00"),
        TextLine::bold("Đỗ Thị Ữ"),
    ];
    let appearance = text_appearance(&fonts, &lines);
    assert_eq!(appearance.fonts.len(), 2, "regular and bold");
    let maps: BTreeMap<String, BTreeMap<u16, String>> = appearance
        .fonts
        .iter()
        .map(|font| {
            (
                font.resource_name.clone(),
                parse_to_unicode(&font.to_unicode),
            )
        })
        .collect();
    let shown: Vec<String> = shown_cids(&appearance.content)
        .into_iter()
        .map(|(font, cids)| {
            let map = &maps[&font];
            cids.iter().map(|cid| map[cid].as_str()).collect()
        })
        .collect();
    assert_eq!(
        shown,
        [
            "PHÓ VIỆN TRƯỞNG",
            "Thời gian ký: 2024-03-09T10:08:00+07:00",
            "Đỗ Thị Ữ"
        ]
    );
}

#[test]
fn only_the_weights_used_are_embedded() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let regular = text_appearance(&fonts, &[TextLine::regular("Văn phòng")]);
    let names: Vec<&str> = regular
        .fonts
        .iter()
        .map(|f| f.resource_name.as_str())
        .collect();
    assert_eq!(names, ["F1"]);
    let bold = text_appearance(&fonts, &[TextLine::bold("Văn phòng")]);
    let names: Vec<&str> = bold
        .fonts
        .iter()
        .map(|f| f.resource_name.as_str())
        .collect();
    assert_eq!(names, ["F2"]);
    assert!(
        bold.fonts[0].postscript_name.contains("Bold"),
        "{}",
        bold.fonts[0].postscript_name
    );
}

#[test]
fn the_same_text_gives_the_same_bytes() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let lines = [TextLine::regular("Viện kiểm sát nhân dân huyện Võ Nhai")];
    let first = text_appearance(&fonts, &lines);
    let second = text_appearance(&fonts, &lines);
    assert_eq!(first.content, second.content);
    assert_eq!(first.fonts[0].font_program, second.fonts[0].font_program);
    assert_eq!(first.fonts[0].base_font, second.fonts[0].base_font);
}

#[test]
fn a_character_the_font_lacks_is_an_error_not_a_blank_box() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let result = layout::text_only(
        &fonts,
        &[TextLine::regular("Hán tự 漢字")],
        300.0,
        TextAlign::Left,
    );
    match result {
        Err(AppearanceError::Font(FontError::MissingGlyph { ch, code, .. })) => {
            assert_eq!((ch, code), ('漢', 0x6F22));
        }
        other => panic!("expected a missing glyph error, got {other:?}"),
    }
}

#[test]
fn the_descriptor_describes_an_upright_times_like_serif() {
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let appearance = text_appearance(&fonts, &[TextLine::regular("Hà Nội")]);
    let metrics = &appearance.fonts[0].descriptor;
    assert!(
        (850..=950).contains(&metrics.ascent),
        "ascent {}",
        metrics.ascent
    );
    assert!(
        (-260..=-180).contains(&metrics.descent),
        "descent {}",
        metrics.descent
    );
    assert!(
        (600..=700).contains(&metrics.cap_height),
        "cap height {}",
        metrics.cap_height
    );
    assert_eq!(metrics.italic_angle, 0.0);
    assert_eq!(
        metrics.flags & 0b110_0010,
        0b010_0010,
        "serif, nonsymbolic, not italic"
    );
    let [llx, lly, urx, ury] = metrics.bbox;
    assert!(
        llx < 0 && lly < 0 && urx > 1000 && ury > 900,
        "{:?}",
        metrics.bbox
    );
}

#[test]
fn font_files_that_are_missing_or_not_fonts_are_clear_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("absent-Regular.ttf");
    let bold = dir.path().join("absent-Bold.ttf");
    match FontFamily::from_files(&missing, Some(&bold)) {
        Err(FontError::Read { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected a read error, got {other:?}"),
    }
    let garbage = dir.path().join("Garbage-Regular.ttf");
    std::fs::write(&garbage, b"\x00\x01\x00\x00 but nothing else").expect("write");
    std::fs::write(dir.path().join("Garbage-Bold.ttf"), b"junk").expect("write");
    let error = FontFamily::from_files(&garbage, None).expect_err("garbage is not a font");
    assert!(matches!(error, FontError::Malformed { .. }), "{error:?}");
    let lonely = dir.path().join("Lonely.ttf");
    std::fs::write(&lonely, b"x").expect("write");
    let error = FontFamily::from_files(&lonely, None).expect_err("no bold face next to it");
    assert!(matches!(error, FontError::BoldNotFound { .. }), "{error:?}");
}

#[test]
fn a_font_without_vietnamese_is_refused_when_loaded() {
    // A font without Vietnamese is made by subsetting Liberation Serif down to a few ASCII
    // letters: a valid TrueType program (without a cmap, as subsets for PDF are).
    let Some(fonts) = fixtures::fonts() else {
        return;
    };
    let appearance = text_appearance(&fonts, &[TextLine::regular("ABC abc")]);
    let ascii_only = inflate(&appearance.fonts[0].font_program);
    match vanthu::pdf::appearance::FontFace::from_bytes(ascii_only, "ascii subset") {
        Err(FontError::IncompleteVietnamese { origin, missing }) => {
            assert_eq!(origin, "ascii subset");
            assert!(missing.contains('ệ') && missing.contains('Đ'), "{missing}");
        }
        other => panic!("expected a refusal for missing Vietnamese, got {other:?}"),
    }
}
