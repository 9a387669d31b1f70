//! Embedding a face as a PDF Type0 font: collecting the glyphs an appearance shows, subsetting the
//! TrueType program (`subsetter`), and describing it as plain values — the `/W` widths, the
//! FontDescriptor metrics and the ToUnicode CMap — that map one to one onto PDF objects.

use std::collections::BTreeMap;

use subsetter::GlyphRemapper;

use super::cmap::to_unicode_cmap;
use super::font::{FontError, FontFace};

/// A subset TrueType font ready to become, in the signer's hands (the `Debug` output shows sizes,
/// not the program):
///
/// ```text
/// Type0:         /Type /Font /Subtype /Type0 /BaseFont /{base_font} /Encoding /Identity-H
///                /DescendantFonts [CIDFont] /ToUnicode <stream: to_unicode>
/// CIDFont:       /Type /Font /Subtype /CIDFontType2 /BaseFont /{base_font}
///                /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>
///                /FontDescriptor FD /DW {default_width} /W [first [w …] …] /CIDToGIDMap /Identity
/// FontDescriptor:/Type /FontDescriptor /FontName /{base_font} /Flags … /FontBBox […]
///                /ItalicAngle … /Ascent … /Descent … /CapHeight … /StemV …
///                /FontFile2 <stream: font_program, /Filter /FlateDecode /Length1 font_program_length>
/// ```
///
/// Codes in the content stream are two-byte CIDs, and CID = glyph id of the subset program, hence
/// `/CIDToGIDMap /Identity`.
#[derive(Clone)]
pub struct EmbeddedFont {
    /// The name under which `content` selects the font (`/F1 10 Tf`).
    pub resource_name: String,
    /// Six upper-case letters identifying this subset.
    pub subset_tag: String,
    /// The face's PostScript name, e.g. `LiberationSerif-Bold`.
    pub postscript_name: String,
    /// `subset_tag + "+" + postscript_name`, the `/BaseFont` and `/FontName`.
    pub base_font: String,
    /// The subset TrueType program, zlib-compressed (`/Filter /FlateDecode`).
    pub font_program: Vec<u8>,
    /// The uncompressed length of the program (`/Length1`).
    pub font_program_length: usize,
    /// `/DW`: width of any CID not listed in `widths`.
    pub default_width: u32,
    /// `/W`: runs of consecutive CIDs and their widths in glyph space (thousandths of the em).
    pub widths: Vec<WidthRun>,
    /// The FontDescriptor's metrics.
    pub descriptor: FontDescriptor,
    /// The ToUnicode CMap stream's bytes (uncompressed).
    pub to_unicode: Vec<u8>,
}

impl std::fmt::Debug for EmbeddedFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedFont")
            .field("resource_name", &self.resource_name)
            .field("base_font", &self.base_font)
            .field("font_program_bytes", &self.font_program.len())
            .field("font_program_length", &self.font_program_length)
            .field("widths", &self.widths)
            .field("descriptor", &self.descriptor)
            .finish_non_exhaustive()
    }
}

impl EmbeddedFont {
    /// `/Encoding` of the Type0 font.
    pub const ENCODING: &'static str = "Identity-H";
    /// `/CIDToGIDMap` of the CIDFont.
    pub const CID_TO_GID_MAP: &'static str = "Identity";
    /// `/CIDSystemInfo` of the CIDFont: registry, ordering, supplement.
    pub const CID_SYSTEM_INFO: (&'static str, &'static str, i32) = ("Adobe", "Identity", 0);
}

/// One `/W` entry: `first_cid [widths…]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidthRun {
    pub first_cid: u16,
    pub widths: Vec<u32>,
}

/// FontDescriptor values, in glyph space (thousandths of the em) except the angle (degrees).
#[derive(Debug, Clone, PartialEq)]
pub struct FontDescriptor {
    /// `/Flags`: bit 1 fixed pitch, bit 2 serif, bit 6 nonsymbolic, bit 7 italic.
    pub flags: u32,
    /// `/FontBBox [llx lly urx ury]`.
    pub bbox: [i32; 4],
    pub italic_angle: f32,
    pub ascent: i32,
    pub descent: i32,
    pub cap_height: i32,
    pub stem_v: i32,
}

const FLAG_FIXED_PITCH: u32 = 1 << 0;
const FLAG_SERIF: u32 = 1 << 1;
const FLAG_NONSYMBOLIC: u32 = 1 << 5;
const FLAG_ITALIC: u32 = 1 << 6;

/// The glyphs one appearance shows in one face, in order of first use. Encoding text assigns each
/// new glyph its CID (its glyph id in the subset) at once, so the content stream can be written
/// before the subset program exists.
pub(crate) struct GlyphSubset<'f> {
    face: &'f FontFace,
    remapper: GlyphRemapper,
    text_of_cid: BTreeMap<u16, String>,
    width_of_cid: BTreeMap<u16, u32>,
}

impl<'f> GlyphSubset<'f> {
    pub(crate) fn new(face: &'f FontFace) -> Self {
        Self {
            face,
            remapper: GlyphRemapper::new(),
            text_of_cid: BTreeMap::new(),
            width_of_cid: BTreeMap::new(),
        }
    }

    /// Whether any text was encoded with this face.
    pub(crate) fn is_used(&self) -> bool {
        !self.text_of_cid.is_empty()
    }

    /// The two-byte CIDs that show `text` (Identity-H), recording each glyph for the subset.
    pub(crate) fn encode(&mut self, text: &str) -> Result<Vec<u8>, FontError> {
        let glyphs = self.face.glyphs(text)?;
        let mut codes = Vec::with_capacity(glyphs.len() * 2);
        for (ch, glyph, advance) in glyphs {
            let cid = self.remapper.remap(glyph);
            // The first character seen for a glyph is the one copying gives back.
            self.text_of_cid
                .entry(cid)
                .or_insert_with(|| ch.to_string());
            // Advances are rounded, non-negative glyph-space values well inside u32.
            self.width_of_cid.insert(cid, advance.max(0.0) as u32);
            codes.extend_from_slice(&cid.to_be_bytes());
        }
        Ok(codes)
    }

    /// Cuts the subset and describes it; `resource_name` is the name `content` uses.
    pub(crate) fn into_embedded(self, resource_name: &str) -> Result<EmbeddedFont, FontError> {
        let face = self.face;
        let subset_error = |reason: String| FontError::Subset {
            font: face.postscript_name().to_owned(),
            reason,
        };
        let program = subsetter::subset(face.data(), 0, &self.remapper)
            .map_err(|error| subset_error(error.to_string()))?;
        let font_program =
            super::deflate(&program).map_err(|error| subset_error(error.to_string()))?;
        let subset_tag = subset_tag(face.postscript_name(), &self.remapper);
        let to_unicode_entries: Vec<(u16, String)> = self.text_of_cid.into_iter().collect();
        Ok(EmbeddedFont {
            resource_name: resource_name.to_owned(),
            base_font: format!("{subset_tag}+{}", face.postscript_name()),
            subset_tag,
            postscript_name: face.postscript_name().to_owned(),
            font_program_length: program.len(),
            font_program,
            default_width: 1000,
            widths: width_runs(&self.width_of_cid),
            descriptor: descriptor(face)?,
            to_unicode: to_unicode_cmap(&to_unicode_entries),
        })
    }
}

/// Groups CIDs into runs of consecutive codes, the compact form of `/W`.
fn width_runs(width_of_cid: &BTreeMap<u16, u32>) -> Vec<WidthRun> {
    let mut runs: Vec<WidthRun> = Vec::new();
    for (&cid, &width) in width_of_cid {
        match runs.last_mut() {
            Some(run) if usize::from(cid) == usize::from(run.first_cid) + run.widths.len() => {
                run.widths.push(width);
            }
            _ => runs.push(WidthRun {
                first_cid: cid,
                widths: vec![width],
            }),
        }
    }
    runs
}

/// Six letters derived from the face and the glyph set, so that the same text gives the same tag
/// (reproducible output) and different subsets of one face get different names (PDF 32000-1
/// §9.6.4).
fn subset_tag(postscript_name: &str, remapper: &GlyphRemapper) -> String {
    // FNV-1a over the name and the glyph ids in subset order.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let glyph_bytes = remapper.remapped_gids().flat_map(u16::to_be_bytes);
    for byte in postscript_name.bytes().chain(glyph_bytes) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (0..6)
        .map(|_| {
            let letter = b'A' + (hash % 26) as u8;
            hash /= 26;
            char::from(letter)
        })
        .collect()
}

fn descriptor(face: &FontFace) -> Result<FontDescriptor, FontError> {
    let parsed = face.parsed()?;
    let scale = |units: i16| face.to_glyph_space(f32::from(units)) as i32;
    let bbox = parsed.global_bounding_box();
    let cap_height = parsed
        .capital_height()
        .filter(|height| *height > 0)
        .or_else(|| {
            parsed
                .glyph_index('H')
                .and_then(|glyph| parsed.glyph_bounding_box(glyph))
                .map(|rect| rect.y_max)
        })
        .unwrap_or_else(|| parsed.ascender());
    let mut flags = FLAG_NONSYMBOLIC | FLAG_SERIF;
    if parsed.is_monospaced() {
        flags |= FLAG_FIXED_PITCH;
    }
    if parsed.is_italic() {
        flags |= FLAG_ITALIC;
    }
    Ok(FontDescriptor {
        flags,
        bbox: [
            scale(bbox.x_min),
            scale(bbox.y_min),
            scale(bbox.x_max),
            scale(bbox.y_max),
        ],
        italic_angle: parsed.italic_angle(),
        ascent: scale(parsed.ascender()),
        descent: scale(parsed.descender()),
        cap_height: scale(cap_height),
        stem_v: stem_v_for_weight(parsed.weight().to_number()),
    })
}

/// TrueType fonts carry no stem width; this common estimate from the OS/2 weight class gives about
/// 96 for regular and 169 for bold, which is what viewers need to pick a substitute if they must.
fn stem_v_for_weight(weight: u16) -> i32 {
    let weight = f32::from(weight.clamp(100, 900));
    (10.0 + 220.0 * (weight - 50.0) / 900.0).round() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_group_into_runs_of_consecutive_cids() {
        let widths = BTreeMap::from([(1, 500), (2, 250), (3, 722), (7, 444), (8, 333)]);
        assert_eq!(
            width_runs(&widths),
            vec![
                WidthRun {
                    first_cid: 1,
                    widths: vec![500, 250, 722]
                },
                WidthRun {
                    first_cid: 7,
                    widths: vec![444, 333]
                },
            ]
        );
    }

    #[test]
    fn subset_tags_are_six_capitals_stable_and_distinct_per_glyph_set() {
        let first = GlyphRemapper::new_from_glyphs(&[5, 9, 12]);
        let second = GlyphRemapper::new_from_glyphs(&[5, 9, 13]);
        let tag = subset_tag("LiberationSerif", &first);
        assert_eq!(tag.len(), 6);
        assert!(tag.chars().all(|ch| ch.is_ascii_uppercase()));
        assert_eq!(tag, subset_tag("LiberationSerif", &first));
        assert_ne!(tag, subset_tag("LiberationSerif", &second));
        assert_ne!(tag, subset_tag("LiberationSerif-Bold", &first));
    }

    #[test]
    fn stem_v_grows_with_weight() {
        assert_eq!(stem_v_for_weight(400), 96);
        assert_eq!(stem_v_for_weight(700), 169);
        assert!(stem_v_for_weight(900) > stem_v_for_weight(700));
    }
}
