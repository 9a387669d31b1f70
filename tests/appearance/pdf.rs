//! Test-side conversion of appearances into a one-page PDF with lopdf (each appearance a Form
//! XObject painted at a rectangle), and the poppler tools that render it and read its text back.

use std::path::{Path, PathBuf};
use std::process::Command;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, dictionary};
use vanthu::pdf::appearance::{Appearance, EmbeddedFont, EmbeddedImage};

use crate::common;

/// An appearance and where its lower-left corner goes on the page.
pub struct Placed<'a> {
    pub appearance: &'a Appearance,
    pub origin: (f32, f32),
}

/// A PDF with one page of `width` × `height` points showing each appearance at its origin, in
/// order (later ones on top).
pub fn one_page_pdf(width: f32, height: f32, placed: &[Placed<'_>]) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let mut page_xobjects = Dictionary::new();
    let mut page_content = String::new();
    for (index, item) in placed.iter().enumerate() {
        let name = format!("Fm{}", index + 1);
        let form = form_xobject(&mut doc, item.appearance);
        page_xobjects.set(name.as_str(), form);
        page_content.push_str(&format!(
            "q 1 0 0 1 {} {} cm /{name} Do Q\n",
            item.origin.0, item.origin.1
        ));
    }
    let content = doc.add_object(Stream::new(Dictionary::new(), page_content.into_bytes()));
    let pages_id = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), width.into(), height.into()],
        "Resources" => dictionary! { "XObject" => page_xobjects },
        "Contents" => content,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page.into()],
            "Count" => 1,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("lopdf writes the test PDF");
    bytes
}

/// The mechanical conversion the signer will do: one Form XObject with its fonts and images.
pub fn form_xobject(doc: &mut Document, appearance: &Appearance) -> ObjectId {
    let mut fonts = Dictionary::new();
    for font in &appearance.fonts {
        let id = type0_font(doc, font);
        fonts.set(font.resource_name.as_str(), id);
    }
    let mut images = Dictionary::new();
    for image in &appearance.images {
        let id = image_xobject(doc, image);
        images.set(image.resource_name.as_str(), id);
    }
    let form = Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), appearance.width.into(), appearance.height.into()],
            "Resources" => dictionary! { "Font" => fonts, "XObject" => images },
        },
        appearance.content.clone(),
    );
    doc.add_object(form)
}

fn type0_font(doc: &mut Document, font: &EmbeddedFont) -> ObjectId {
    let program = doc.add_object(Stream::new(
        dictionary! {
            "Filter" => "FlateDecode",
            "Length1" => font.font_program_length as i64,
        },
        font.font_program.clone(),
    ));
    let metrics = &font.descriptor;
    let descriptor = doc.add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => font.base_font.clone(),
        "Flags" => i64::from(metrics.flags),
        "FontBBox" => metrics.bbox.iter().map(|value| Object::from(*value)).collect::<Vec<_>>(),
        "ItalicAngle" => metrics.italic_angle,
        "Ascent" => metrics.ascent,
        "Descent" => metrics.descent,
        "CapHeight" => metrics.cap_height,
        "StemV" => metrics.stem_v,
        "FontFile2" => program,
    });
    let widths: Vec<Object> = font
        .widths
        .iter()
        .flat_map(|run| {
            [
                Object::from(run.first_cid),
                Object::Array(
                    run.widths
                        .iter()
                        .map(|width| Object::from(*width))
                        .collect(),
                ),
            ]
        })
        .collect();
    let (registry, ordering, supplement) = EmbeddedFont::CID_SYSTEM_INFO;
    let cid_font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => font.base_font.clone(),
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal(registry),
            "Ordering" => Object::string_literal(ordering),
            "Supplement" => supplement,
        },
        "FontDescriptor" => descriptor,
        "DW" => font.default_width,
        "W" => widths,
        "CIDToGIDMap" => EmbeddedFont::CID_TO_GID_MAP,
    });
    let to_unicode = doc.add_object(Stream::new(Dictionary::new(), font.to_unicode.clone()));
    doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => font.base_font.clone(),
        "Encoding" => EmbeddedFont::ENCODING,
        "DescendantFonts" => vec![cid_font.into()],
        "ToUnicode" => to_unicode,
    })
}

fn image_xobject(doc: &mut Document, image: &EmbeddedImage) -> ObjectId {
    let mut dict = dictionary! {
        "Type" => "XObject",
        "Subtype" => "Image",
        "Width" => image.width,
        "Height" => image.height,
        "ColorSpace" => EmbeddedImage::COLOR_SPACE,
        "BitsPerComponent" => EmbeddedImage::BITS_PER_COMPONENT,
        "Filter" => EmbeddedImage::FILTER,
    };
    if let Some(alpha) = &image.alpha {
        let mask = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => image.width,
                "Height" => image.height,
                "ColorSpace" => EmbeddedImage::MASK_COLOR_SPACE,
                "BitsPerComponent" => EmbeddedImage::BITS_PER_COMPONENT,
                "Filter" => EmbeddedImage::FILTER,
            },
            alpha.clone(),
        ));
        dict.set("SMask", mask);
    }
    doc.add_object(Stream::new(dict, image.rgb.clone()))
}

/// `pdftoppm` and `pdftotext` from poppler-utils, or `None` (skipped with the reason).
pub fn poppler() -> Option<()> {
    let found = common::tool("pdftoppm").and(common::tool("pdftotext"));
    common::require(
        "pdftoppm and pdftotext (apt-get install poppler-utils)",
        found.map(|_| ()),
    )
}

/// Renders page 1 at 100 dpi with `pdftoppm -r 100 -png`; returns the PNG's path. The PDF is also
/// kept under the target's temporary folder (`appearance/<name>.pdf`) for a look by hand.
pub fn render(pdf: &[u8], dir: &Path, name: &str) -> PathBuf {
    let input = dir.join(format!("{name}.pdf"));
    std::fs::write(&input, pdf).expect("write PDF");
    let kept = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("appearance");
    std::fs::create_dir_all(&kept).expect("inspection dir");
    std::fs::write(kept.join(format!("{name}.pdf")), pdf).expect("keep PDF");
    let prefix = dir.join(name);
    let status = Command::new("pdftoppm")
        .args(["-r", "100", "-png", "-singlefile"])
        .arg(&input)
        .arg(&prefix)
        .status()
        .expect("run pdftoppm");
    assert!(status.success(), "pdftoppm failed on {}", input.display());
    prefix.with_extension("png")
}

/// The page's text as `pdftotext` extracts it (UTF-8).
pub fn extract_text(pdf: &[u8], dir: &Path, name: &str) -> String {
    let input = dir.join(format!("{name}-text.pdf"));
    std::fs::write(&input, pdf).expect("write PDF");
    let output = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&input)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(
        output.status.success(),
        "pdftotext failed on {}",
        input.display()
    );
    String::from_utf8(output.stdout).expect("pdftotext prints UTF-8")
}
