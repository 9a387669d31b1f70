//! Fonts other than the standard 14: a TrueType font with `/Differences` naming Vietnamese
//! glyphs, Type0 fonts with ToUnicode CMaps (arrays, surrogates, decomposed marks), a Type3
//! font, and the embedded Vietnamese font of our own signature appearances.

use lopdf::{
    Dictionary as LDictionary, Object as LObject, ObjectId as LObjectId, Stream as LStream,
    dictionary,
};
use vanthu::pdf::Rect;
use vanthu::pdf::appearance::{EmbeddedFont, FontFamily, TextAlign, TextLine, layout};

use super::support::{
    Builder, assert_near, assert_words_match_poppler, find, find_one, fonts, page_lines, pdftotext,
};
use crate::common;

fn numbers(values: &[i64]) -> LObject {
    LObject::Array(values.iter().map(|value| LObject::from(*value)).collect())
}

#[test]
fn truetype_with_differences_naming_vietnamese_glyphs() {
    let mut builder = Builder::new();
    let descriptor = builder.add(dictionary! {
        "Type" => "FontDescriptor", "FontName" => "TimesNewRomanPSMT", "Flags" => 34,
        "FontBBox" => numbers(&[-568, -216, 2046, 891]), "ItalicAngle" => 0,
        "Ascent" => 891, "Descent" => -216, "CapHeight" => 662, "StemV" => 80,
    });
    // Codes 32…132, every glyph half an em wide.
    let widths = numbers(&[500; 101]);
    let font = builder.add(dictionary! {
        "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "TimesNewRomanPSMT",
        "FirstChar" => 32, "LastChar" => 132, "Widths" => widths, "FontDescriptor" => descriptor,
        "Encoding" => dictionary! {
            "Type" => "Encoding", "BaseEncoding" => "WinAnsiEncoding",
            "Differences" => vec![
                128.into(), "Ecircumflexdotbelow".into(), "Uhorn".into(), "Ohornhookabove".into(),
                "uni1EC5".into(), "abreve".into(),
            ],
        },
    });
    builder.page(
        &[b"BT /F1 10 Tf 100 700 Td (VI\x80N TR\x81\x82NG) Tj 0 -40 Td (Nguy\x83n V\x84n A) Tj ET"],
        fonts(vec![("F1", font.into())]),
    );
    let pdf = builder.finish();
    assert_eq!(page_lines(&pdf, 0), ["VIỆN TRƯỞNG", "Nguyễn Văn A"]);
    // Twelve glyphs of 5 points; a Times alias not embedded: Times' ascender and descender,
    // not the descriptor's.
    assert_near(
        find_one(&pdf, 0, "Nguyễn Văn A"),
        Rect::new(100.0, 657.83, 160.0, 666.83),
        0.01,
    );
    if pdftotext().is_some() {
        assert_words_match_poppler(&pdf, 0, 0.05, 0.05);
    }
}

/// A ToUnicode CMap for two-byte codes: N g u by an array range, y by bfchar, ễ decomposed
/// (e + two combining marks), n, space, V, ă, A, and a mathematical bold A beyond the BMP.
const TO_UNICODE: &str = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap \
    /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def \
    /CMapName /Test-UCS def /CMapType 2 def \
    1 begincodespacerange <0000> <FFFF> endcodespacerange \
    1 beginbfrange <0001> <0003> [<004E> <0067> <0075>] endbfrange \
    4 beginbfchar <0004> <0079> <0005> <006503020303> <0006> <006E> <0007> <0020> endbfchar \
    1 beginbfrange <0008> <000A> <0056> endbfrange \
    2 beginbfchar <0009> <0103> <000B> <D835DC00> endbfchar \
    1 beginbfrange <000A> <000A> <0041> endbfrange \
    endcmap CMapName currentdict /CMap defineresource pop end end";

fn type0_page(encoding: LObject, text: &[u8]) -> Vec<u8> {
    let mut builder = Builder::new();
    let to_unicode = builder.stream(dictionary! {}, TO_UNICODE.as_bytes().to_vec());
    let cid_font = builder.add(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "ABCDEF+Test",
        "CIDSystemInfo" => dictionary! {
            "Registry" => LObject::string_literal("Adobe"),
            "Ordering" => LObject::string_literal("Identity"), "Supplement" => 0,
        },
        // CIDs 1–3 listed, 4–6 one width, 7 listed, 8–10 one width, the rest /DW.
        "W" => vec![
            1.into(), numbers(&[722, 500, 500]), 4.into(), 6.into(), 500.into(),
            7.into(), numbers(&[250]), 8.into(), 10.into(), 700.into(),
        ],
        "DW" => 1000,
    });
    let font = builder.add(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "ABCDEF+Test",
        "Encoding" => encoding, "DescendantFonts" => vec![cid_font.into()],
        "ToUnicode" => to_unicode,
    });
    let mut content = b"BT /F1 10 Tf 100 700 Td <".to_vec();
    content.extend_from_slice(text);
    content.extend_from_slice(b"> Tj ET");
    builder.page(&[&content], fonts(vec![("F1", font.into())]));
    builder.finish()
}

#[test]
fn type0_identity_with_to_unicode() {
    let pdf = type0_page(
        "Identity-H".into(),
        b"0001 0002 0003 0004 0005 0006 0007 0008 0009 0006 0007 000A 0007 000B 0063",
    );
    assert_eq!(page_lines(&pdf, 0), ["Nguyễn Văn A \u{1D400}\u{FFFD}"]);
    // 722 + 4 × 500 + 500 + 250 + 700 + 700 + 500 + 250 + 700 = 6322; no descriptor: poppler's
    // default ascent 0.95 and descent −0.35.
    assert_near(
        find_one(&pdf, 0, "Nguyễn Văn A"),
        Rect::new(100.0, 696.5, 163.22, 709.5),
        0.01,
    );
    // An unmapped code (0x63, CID 99 at /DW 1000) is still a glyph: 10 points after the 𝐀.
    let rect = find_one(&pdf, 0, "\u{1D400}");
    assert_near(rect, Rect::new(165.72, 696.5, 175.72, 709.5), 0.01);
}

#[test]
fn type0_with_embedded_cmap_of_one_and_two_byte_codes() {
    let mut builder = Builder::new();
    // Bytes 0x00–0x7F are one-byte codes, 0x8000–0x80FF two-byte ones.
    let codespace = "2 begincodespacerange <00> <7F> <8000> <80FF> endcodespacerange ";
    let cmap = builder.stream(
        dictionary! { "Type" => "CMap", "CMapName" => "Test-Mixed" },
        format!(
            "{codespace} 1 begincidrange <8001> <8003> 1 endcidrange \
                 3 begincidchar <41> 4 <42> 5 <43> 6 endcidchar"
        ),
    );
    let to_unicode = builder.stream(
        dictionary! {},
        format!("{codespace} 2 beginbfrange <8001> <8003> <0058> <41> <43> <0061> endbfrange"),
    );
    let cid_font = builder.add(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType0", "BaseFont" => "Mixed",
        "W" => vec![1.into(), numbers(&[722, 500, 500]), 4.into(), 6.into(), 500.into()],
    });
    let font = builder.add(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "Mixed",
        "Encoding" => cmap, "DescendantFonts" => vec![cid_font.into()],
        "ToUnicode" => to_unicode,
    });
    builder.page(
        &[b"BT /F1 10 Tf 100 700 Td <800141800242> Tj ET"],
        fonts(vec![("F1", font.into())]),
    );
    let pdf = builder.finish();
    assert_eq!(page_lines(&pdf, 0), ["XaYb"]);
    // CIDs 1, 4, 2, 5: 722 + 500 + 500 + 500.
    assert_near(
        find_one(&pdf, 0, "XaYb"),
        Rect::new(100.0, 696.5, 122.22, 709.5),
        0.01,
    );
}

#[test]
fn type3_font_uses_its_font_matrix() {
    let mut builder = Builder::new();
    let glyph = builder.stream(dictionary! {}, b"60 0 d0 0 0 60 80 re f".to_vec());
    let font = builder.add(dictionary! {
        "Type" => "Font", "Subtype" => "Type3",
        "FontMatrix" => vec![0.01.into(), 0.into(), 0.into(), 0.01.into(), 0.into(), 0.into()],
        "FontBBox" => numbers(&[0, -20, 80, 90]),
        "FirstChar" => 65, "LastChar" => 66, "Widths" => numbers(&[60, 60]),
        "Encoding" => dictionary! { "Type" => "Encoding", "Differences" => vec![65.into(), "A".into(), "B".into()] },
        "CharProcs" => dictionary! { "A" => glyph, "B" => glyph },
        "Resources" => LDictionary::new(),
    });
    builder.page(
        &[b"BT /T3 10 Tf 100 700 Td (ABAB) Tj ET"],
        fonts(vec![("T3", font.into())]),
    );
    let pdf = builder.finish();
    // 60 × 0.01 × 10 = 6 points a glyph; the box from −20 to 90 glyph units.
    assert_near(
        find_one(&pdf, 0, "ABAB"),
        Rect::new(100.0, 698.0, 124.0, 709.0),
        0.01,
    );
}

/// The signer's own appearance font: Type0, Identity-H, subset TrueType, ToUnicode.
fn type0_font(doc: &mut lopdf::Document, font: &EmbeddedFont) -> LObjectId {
    let program = doc.add_object(LStream::new(
        dictionary! { "Filter" => "FlateDecode", "Length1" => font.font_program_length as i64 },
        font.font_program.clone(),
    ));
    let metrics = &font.descriptor;
    let descriptor = doc.add_object(dictionary! {
        "Type" => "FontDescriptor", "FontName" => font.base_font.clone(),
        "Flags" => i64::from(metrics.flags),
        "FontBBox" => metrics.bbox.iter().map(|value| LObject::from(*value)).collect::<Vec<_>>(),
        "ItalicAngle" => metrics.italic_angle, "Ascent" => metrics.ascent,
        "Descent" => metrics.descent, "CapHeight" => metrics.cap_height, "StemV" => metrics.stem_v,
        "FontFile2" => program,
    });
    let widths: Vec<LObject> = font
        .widths
        .iter()
        .flat_map(|run| {
            [
                LObject::from(run.first_cid),
                LObject::Array(
                    run.widths
                        .iter()
                        .map(|width| LObject::from(*width))
                        .collect(),
                ),
            ]
        })
        .collect();
    let cid_font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => font.base_font.clone(),
        "CIDSystemInfo" => dictionary! {
            "Registry" => LObject::string_literal("Adobe"),
            "Ordering" => LObject::string_literal("Identity"), "Supplement" => 0,
        },
        "FontDescriptor" => descriptor, "DW" => font.default_width, "W" => widths,
        "CIDToGIDMap" => EmbeddedFont::CID_TO_GID_MAP,
    });
    let to_unicode = doc.add_object(LStream::new(LDictionary::new(), font.to_unicode.clone()));
    doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => font.base_font.clone(),
        "Encoding" => EmbeddedFont::ENCODING, "DescendantFonts" => vec![cid_font.into()],
        "ToUnicode" => to_unicode,
    })
}

#[test]
fn vietnamese_in_an_embedded_font_inside_a_form() {
    let located = FontFamily::locate(None);
    let Some(family) = common::require(
        "a Times New Roman-compatible font with Vietnamese (apt-get install fonts-liberation2)",
        located.ok(),
    ) else {
        return;
    };
    let appearance = layout::text_only(
        &family,
        &[
            TextLine::bold("KT. VIỆN TRƯỞNG"),
            TextLine::bold("PHÓ VIỆN TRƯỞNG"),
            TextLine::regular(" "),
            TextLine::bold("Nguyễn Văn A"),
        ],
        240.0,
        TextAlign::Center,
    )
    .expect("the appearance is made");
    let mut builder = Builder::new();
    let mut font_resources = LDictionary::new();
    for font in &appearance.fonts {
        let id = type0_font(&mut builder.doc, font);
        font_resources.set(font.resource_name.as_str(), id);
    }
    let form = builder.stream(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), appearance.width.into(), appearance.height.into()],
            "Resources" => dictionary! { "Font" => font_resources },
        },
        appearance.content.clone(),
    );
    builder.page(
        &[b"q 1 0 0 1 300 400 cm /Sig Do Q"],
        dictionary! { "XObject" => dictionary! { "Sig" => form } },
    );
    let pdf = builder.finish();
    let title = find_one(&pdf, 0, "PHÓ VIỆN TRƯỞNG");
    let name = find_one(&pdf, 0, "Nguyễn Văn A");
    assert!(
        name.ury < title.lly,
        "the name {name:?} is under the title {title:?}"
    );
    let centre = |rect: Rect| (rect.llx + rect.urx) / 2.0;
    assert!(
        (centre(name) - centre(title)).abs() < 1.0,
        "both centred: {name:?} {title:?}"
    );
    assert!(name.llx > 300.0 && name.urx < 300.0 + f64::from(appearance.width));
    // Decomposed input finds the precomposed text, and a part of the name is not the name.
    assert_eq!(find(&pdf, 0, "Nguye\u{302}\u{303}n Va\u{306}n A").len(), 1);
    assert!(find(&pdf, 0, "Văn").len() == 1 && find(&pdf, 0, "Vă").is_empty());
    if pdftotext().is_some() {
        assert_words_match_poppler(&pdf, 0, 0.05, 0.05);
    }
}

#[test]
fn truetype_without_to_unicode_reads_its_program_cmap() {
    let path = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf";
    let Some(program) = common::require(
        "Liberation Serif (apt-get install fonts-liberation2)",
        std::fs::read(path).ok(),
    ) else {
        return;
    };
    let face = ttf_parser::Face::parse(&program, 0).expect("the system font parses");
    let text = "Nguyễn Văn A";
    // CIDs 1, 2, … for the characters in order; /CIDToGIDMap leads them to the font's glyphs.
    let mut map = vec![0u8, 0u8];
    let mut codes = String::new();
    for (index, ch) in text.chars().enumerate() {
        let glyph = face.glyph_index(ch).expect("the font has the character").0;
        map.extend_from_slice(&glyph.to_be_bytes());
        codes.push_str(&format!("{:04X}", index + 1));
    }
    let mut builder = Builder::new();
    let file = builder.stream(
        dictionary! { "Length1" => program.len() as i64 },
        program.clone(),
    );
    let descriptor = builder.add(dictionary! {
        "Type" => "FontDescriptor", "FontName" => "LiberationSerif", "Flags" => 34,
        "FontBBox" => numbers(&[-543, -303, 1278, 982]), "ItalicAngle" => 0,
        "Ascent" => 891, "Descent" => -216, "CapHeight" => 662, "StemV" => 80, "FontFile2" => file,
    });
    let cid_to_gid = builder.stream(dictionary! {}, map);
    let cid_font = builder.add(dictionary! {
        "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "LiberationSerif",
        "CIDSystemInfo" => dictionary! {
            "Registry" => LObject::string_literal("Adobe"),
            "Ordering" => LObject::string_literal("Identity"), "Supplement" => 0,
        },
        "FontDescriptor" => descriptor, "DW" => 500, "CIDToGIDMap" => cid_to_gid,
    });
    let font = builder.add(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "LiberationSerif",
        "Encoding" => "Identity-H", "DescendantFonts" => vec![cid_font.into()],
    });
    let content = format!("BT /F1 12 Tf 100 700 Td <{codes}> Tj ET");
    builder.page(&[content.as_bytes()], fonts(vec![("F1", font.into())]));
    let pdf = builder.finish();
    assert_eq!(page_lines(&pdf, 0), [text]);
    // Twelve glyphs at /DW 500 and 12 points.
    assert_near(
        find_one(&pdf, 0, text),
        Rect::new(100.0, 697.408, 172.0, 710.692),
        0.01,
    );
}

#[test]
fn vertical_writing_runs_down_the_page() {
    let pdf = type0_page("Identity-V".into(), b"0001 0002 0003");
    // Each glyph hangs below the previous one (/DW2 default: 1 em), centred on x = 100.
    assert_eq!(page_lines(&pdf, 0), ["Ngu"]);
    let rect = find_one(&pdf, 0, "Ngu");
    // Widths 722, 500, 500 at 10 points: the widest is 7.22 across.
    assert_near(rect, Rect::new(96.39, 670.0, 103.61, 700.0), 0.01);
}
