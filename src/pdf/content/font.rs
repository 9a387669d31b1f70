//! Fonts as far as finding text needs them (ISO 32000-1 §9.5–9.10): how a shown string splits
//! into codes, each code's Unicode text, its advance width, and the font's vertical extent.
//!
//! - Text: the `/ToUnicode` CMap first; then, for simple fonts, the encoding (`/BaseEncoding`
//!   or the font's standard one, overlaid with `/Differences`) through glyph names and the
//!   Adobe Glyph List; for Type0 fonts with a `Uni…-UCS2`/`-UTF16` CMap, the code itself; for
//!   CIDFontType2 fonts without ToUnicode, the embedded TrueType program's Unicode `cmap` read
//!   backwards (glyph to character, through `/CIDToGIDMap`).
//! - Widths: `/Widths` + `/FirstChar` (or `/MissingWidth`) for simple fonts, `/W` + `/DW` for
//!   CIDFonts. A simple font without `/Widths` gets the Adobe Core 14 AFM widths of the standard
//!   font its `/BaseFont` names (Times, Helvetica, Courier and their usual TrueType aliases such
//!   as `TimesNewRomanPSMT` or `Arial`; the tables come with `pdfboss-encoding`), else
//!   Helvetica's widths for its glyph names (what a viewer substituting Helvetica would show),
//!   else `/MissingWidth`, else half an em. Symbol and ZapfDingbats have no table there: their
//!   glyphs get half an em, an approximation that only matters for text set in them.
//! - Vertical extent: the AFM ascender and descender for a standard font that is not embedded
//!   (the viewer draws its own), else the descriptor's `/Ascent` and `/Descent` when plausible,
//!   else 0.95 and −0.35 of the size — poppler's rules, so that boxes agree with
//!   `pdftotext -bbox`. Type3 fonts use their `/FontBBox` through the `/FontMatrix`.
//!
//! Object-level failures (an unreadable ToUnicode stream) are errors; entries of the wrong type
//! are ignored as viewers ignore them.

use std::collections::HashMap;

use crate::pdf::{Dictionary, Limits, Object, View};

use super::cmap::CMap;
use super::error::{ContentError, ContentLimit};

/// Width of a code a simple font says nothing about, in thousandths of the em.
const FALLBACK_WIDTH: f64 = 500.0;
/// The default `/DW` of CIDFonts.
const DEFAULT_CID_WIDTH: f64 = 1000.0;
/// The default vertical advance of `/DW2 [880 −1000]`.
const DEFAULT_VERTICAL_ADVANCE: f64 = -1000.0;
/// poppler's ascent and descent for fonts that do not tell.
const DEFAULT_ASCENT: f64 = 0.95;
const DEFAULT_DESCENT: f64 = -0.35;

/// One code of a shown string.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ShownCode {
    /// The text the code stands for; `None` when the font does not say.
    pub text: Option<String>,
    /// Horizontal advance in text space units for a font size of 1 (`w0` / 1000).
    pub width: f64,
    /// A one-byte code 32, to which word spacing applies (§9.3.3).
    pub word_space: bool,
}

#[derive(Debug)]
enum Codes {
    /// Simple fonts: one byte, one code.
    SingleByte,
    /// Type0 fonts: codes as the encoding CMap splits them.
    Composite(CMap),
}

#[derive(Debug)]
enum Widths {
    /// Per code, in glyph space.
    Simple(Box<[f64; 256]>),
    /// `/DW` and the `/W` ranges `(first, last, widths)` sorted by `first`; a range with one
    /// width gives it to every CID.
    Cid {
        default: f64,
        ranges: Vec<(u32, u32, Vec<f64>)>,
    },
}

/// A font, read once per page and shared by every operator that selects it.
#[derive(Debug)]
pub(super) struct Font {
    codes: Codes,
    to_unicode: Option<CMap>,
    /// Per code, for simple fonts: the encoding's text.
    encoded_text: Option<Box<[Option<String>; 256]>>,
    /// The Type0 encoding is a Unicode CMap: codes are UTF-16 code units.
    unicode_codes: bool,
    /// A CIDFontType2 without ToUnicode: text from its embedded program's Unicode cmap.
    glyph_text: Option<GlyphText>,
    widths: Widths,
    /// Glyph space to text space: 1/1000, or a Type3 font's `/FontMatrix` scale.
    scale: f64,
    /// Top and bottom of the glyphs, in text space units for a font size of 1.
    pub ascent: f64,
    pub descent: f64,
    /// Vertical writing: the advance `w1` in glyph space (negative: downwards).
    pub vertical_advance: Option<f64>,
    /// Decoded CMap bytes read for this font (charged to the page's budget).
    pub cost: usize,
}

impl Font {
    /// Splits `bytes` into codes with their text and widths, at most `max_codes` of them (the
    /// caller's glyph budget: a string of megabytes is not expanded beyond it).
    pub fn decode(&self, bytes: &[u8], max_codes: usize) -> Vec<ShownCode> {
        let mut shown = Vec::new();
        let mut rest = bytes;
        while let Some(&first) = rest.first() {
            if shown.len() >= max_codes {
                break;
            }
            let (code, len, cid) = match &self.codes {
                Codes::SingleByte => (u32::from(first), 1, u32::from(first)),
                Codes::Composite(cmap) => {
                    let (code, len) = cmap.next_code(rest);
                    (code, len, cmap.cid(code))
                }
            };
            rest = rest.get(len.max(1)..).unwrap_or_default();
            shown.push(ShownCode {
                text: self.text(code, cid),
                width: self.width(code, cid) * self.scale,
                word_space: len == 1 && code == 32,
            });
        }
        shown
    }

    fn text(&self, code: u32, cid: u32) -> Option<String> {
        if let Some(text) = self.to_unicode.as_ref().and_then(|cmap| cmap.unicode(code)) {
            return Some(text);
        }
        if let Some(texts) = &self.encoded_text {
            return texts.get(code as usize).cloned().flatten();
        }
        if self.unicode_codes {
            return char::from_u32(code).map(String::from);
        }
        self.glyph_text
            .as_ref()
            .and_then(|glyphs| glyphs.text(cid))
            .map(String::from)
    }

    fn width(&self, code: u32, cid: u32) -> f64 {
        match &self.widths {
            Widths::Simple(widths) => widths.get(code as usize).copied().unwrap_or(0.0),
            Widths::Cid { default, ranges } => {
                let after = ranges.partition_point(|(first, _, _)| *first <= cid);
                ranges
                    .get(..after)
                    .and_then(|candidates| candidates.last())
                    .filter(|(_, last, _)| *last >= cid)
                    .and_then(|(first, _, widths)| match widths.as_slice() {
                        [single] => Some(*single),
                        listed => listed.get((cid - first) as usize).copied(),
                    })
                    .unwrap_or(*default)
            }
        }
    }
}

/// Reads the font dictionary `dict`; `context` names it in errors (`font /F1 of page 1`).
pub(super) fn load(
    view: View<'_>,
    dict: &Dictionary,
    max_entries: usize,
    context: &str,
) -> Result<Font, ContentError> {
    let reader = Reader {
        view,
        limits: view.document().limits(),
        max_entries,
        context,
    };
    let name = dict
        .get(b"BaseFont")
        .and_then(Object::as_name)
        .map(|name| String::from_utf8_lossy(name.as_bytes()).into_owned())
        .unwrap_or_default();
    let mut cost = 0;
    let to_unicode = match reader.resolve(dict.get(b"ToUnicode"))? {
        Object::Stream(stream) => {
            let data = reader.decode(&stream, "ToUnicode CMap")?;
            cost += data.len();
            Some(CMap::parse(
                &data,
                reader.limits,
                max_entries,
                &format!("ToUnicode CMap of {context}"),
            )?)
            .filter(CMap::has_unicode)
        }
        _ => None,
    };
    let subtype = dict.get(b"Subtype").and_then(Object::as_name);
    let mut font = if subtype.is_some_and(|subtype| subtype.as_bytes() == b"Type0") {
        reader.composite(dict, &name, to_unicode.is_some(), &mut cost)?
    } else {
        let type3 = subtype.is_some_and(|subtype| subtype.as_bytes() == b"Type3");
        reader.simple(dict, &name, type3)?
    };
    font.to_unicode = to_unicode;
    font.cost += cost;
    Ok(font)
}

struct Reader<'v, 'c> {
    view: View<'v>,
    limits: &'v Limits,
    max_entries: usize,
    context: &'c str,
}

impl Reader<'_, '_> {
    fn resolve(&self, value: Option<&Object>) -> Result<Object, ContentError> {
        match value {
            Some(value) => self
                .view
                .resolve(value)
                .map_err(ContentError::pdf(self.context)),
            None => Ok(Object::Null),
        }
    }

    fn dict(&self, dict: &Dictionary, key: &[u8]) -> Result<Option<Dictionary>, ContentError> {
        Ok(match self.resolve(dict.get(key))? {
            Object::Dictionary(found) => Some(found),
            _ => None,
        })
    }

    fn numbers(&self, dict: &Dictionary, key: &[u8]) -> Result<Option<Vec<f64>>, ContentError> {
        let Object::Array(items) = self.resolve(dict.get(key))? else {
            return Ok(None);
        };
        let mut numbers = Vec::with_capacity(items.len());
        for item in &items {
            numbers.push(self.resolve(Some(item))?.as_number().unwrap_or(0.0));
        }
        Ok(Some(numbers))
    }

    fn number(&self, dict: &Dictionary, key: &[u8]) -> Result<Option<f64>, ContentError> {
        Ok(self
            .resolve(dict.get(key))?
            .as_number()
            .filter(|n| n.is_finite()))
    }

    fn decode(&self, stream: &crate::pdf::Stream, what: &str) -> Result<Vec<u8>, ContentError> {
        self.view
            .decode_stream(stream)
            .map(|decoded| decoded.data)
            .map_err(ContentError::pdf(format!("{what} of {}", self.context)))
    }

    fn simple(&self, dict: &Dictionary, name: &str, type3: bool) -> Result<Font, ContentError> {
        let descriptor = self.dict(dict, b"FontDescriptor")?.unwrap_or_default();
        let flags = self
            .number(&descriptor, b"Flags")?
            .map_or(0, |flags| flags as i64);
        let symbolic = flags & 4 != 0;
        let standard = StandardFamily::of(name);
        let (base, differences) = self.encoding(dict, standard, symbolic, type3)?;
        let mut names: Vec<Option<String>> = (0..=255u8)
            .map(|code| base.glyph_name(code).map(str::to_string))
            .collect();
        let mut texts: Vec<Option<String>> = (0..=255u8)
            .map(|code| base.char(code).map(String::from))
            .collect();
        for (code, glyph) in differences {
            if let (Some(slot), Some(text)) = (names.get_mut(code), texts.get_mut(code)) {
                *text = pdfboss_encoding::glyph_to_text(&glyph).or_else(|| text.take());
                *slot = Some(glyph);
            }
        }

        let missing = self.number(&descriptor, b"MissingWidth")?.unwrap_or(0.0);
        let mut widths = Box::new([0.0; 256]);
        match self.numbers(dict, b"Widths")? {
            Some(listed) => {
                let first = self.number(dict, b"FirstChar")?.unwrap_or(0.0) as i64;
                for (code, width) in widths.iter_mut().enumerate() {
                    *width = usize::try_from(code as i64 - first)
                        .ok()
                        .and_then(|index| listed.get(index).copied())
                        .unwrap_or(missing);
                }
            }
            None if !type3 => {
                for (width, glyph) in widths.iter_mut().zip(&names) {
                    *width = glyph
                        .as_deref()
                        .and_then(|glyph| {
                            pdfboss_encoding::standard_14_width(name, glyph)
                                .or_else(|| pdfboss_encoding::standard_14_width("Helvetica", glyph))
                        })
                        .map(f64::from)
                        .unwrap_or(if missing > 0.0 {
                            missing
                        } else {
                            FALLBACK_WIDTH
                        });
                }
            }
            None => {}
        }

        let (scale, ascent, descent) = if type3 {
            self.type3_metrics(dict)?
        } else {
            // A standard font that is not embedded is drawn with the viewer's own: its
            // descriptor's extent is not trusted (poppler does the same).
            let embedded = [&b"FontFile"[..], b"FontFile2", b"FontFile3"]
                .iter()
                .any(|key| descriptor.contains_key(key));
            let (ascent, descent) = match standard {
                Some(family) if !embedded => family.extent(),
                _ => self.vertical_extent(&descriptor, standard)?,
            };
            (0.001, ascent, descent)
        };
        let encoded_text: Box<[Option<String>; 256]> = texts
            .try_into()
            .unwrap_or_else(|_| Box::new(std::array::from_fn(|_| None)));
        Ok(Font {
            codes: Codes::SingleByte,
            to_unicode: None,
            encoded_text: Some(encoded_text),
            unicode_codes: false,
            glyph_text: None,
            widths: Widths::Simple(widths),
            scale,
            ascent,
            descent,
            vertical_advance: None,
            cost: 0,
        })
    }

    /// The base encoding and the `/Differences` (code, glyph name) of a simple font.
    fn encoding(
        &self,
        dict: &Dictionary,
        standard: Option<StandardFamily>,
        symbolic: bool,
        type3: bool,
    ) -> Result<(BaseEncoding, Vec<(usize, String)>), ContentError> {
        let builtin = match standard {
            Some(StandardFamily::Symbol) => BaseEncoding::Symbol,
            Some(StandardFamily::ZapfDingbats) => BaseEncoding::ZapfDingbats,
            Some(_) => BaseEncoding::Standard,
            None if type3 => BaseEncoding::None,
            // A symbolic font's own encoding is in its program; its codes are most often
            // Latin-1 text all the same.
            None if symbolic => BaseEncoding::WinAnsi,
            None => BaseEncoding::Standard,
        };
        let mut differences = Vec::new();
        let base = match self.resolve(dict.get(b"Encoding"))? {
            Object::Name(name) => BaseEncoding::named(name.as_bytes()).unwrap_or(builtin),
            Object::Dictionary(encoding) => {
                let base = match self.resolve(encoding.get(b"BaseEncoding"))? {
                    Object::Name(name) => BaseEncoding::named(name.as_bytes()).unwrap_or(builtin),
                    _ => builtin,
                };
                if let Object::Array(items) = self.resolve(encoding.get(b"Differences"))? {
                    let mut code: Option<usize> = None;
                    for item in items.iter().take(self.max_entries) {
                        match self.resolve(Some(item))? {
                            Object::Integer(start) => code = usize::try_from(start).ok(),
                            Object::Name(glyph) => {
                                if let Some(at) = code {
                                    differences.push((
                                        at,
                                        String::from_utf8_lossy(glyph.as_bytes()).into_owned(),
                                    ));
                                    code = Some(at + 1);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                base
            }
            _ => builtin,
        };
        Ok((base, differences))
    }

    fn vertical_extent(
        &self,
        descriptor: &Dictionary,
        standard: Option<StandardFamily>,
    ) -> Result<(f64, f64), ContentError> {
        let (mut ascent, mut descent) = standard
            .map(StandardFamily::extent)
            .unwrap_or((DEFAULT_ASCENT, DEFAULT_DESCENT));
        // poppler's sanity rules: descriptors with zero or absurd values are ignored.
        if let Some(value) = self.number(descriptor, b"Ascent")? {
            let value = (value * 0.001).abs();
            if value != 0.0 && value < 3.0 {
                ascent = value;
            }
        }
        if let Some(value) = self.number(descriptor, b"Descent")? {
            let value = -(value * 0.001).abs();
            if value != 0.0 && value > -3.0 {
                descent = value;
            }
        }
        Ok((ascent, descent))
    }

    /// A Type3 font's glyph-to-text scale and vertical extent, from `/FontMatrix` and
    /// `/FontBBox`.
    fn type3_metrics(&self, dict: &Dictionary) -> Result<(f64, f64, f64), ContentError> {
        let matrix = self.numbers(dict, b"FontMatrix")?.unwrap_or_default();
        let (scale_x, scale_y) = match matrix.as_slice() {
            [a, _, _, d, _, _] if a.is_finite() && d.is_finite() => (*a, *d),
            _ => (0.001, 0.001),
        };
        let bbox = self.numbers(dict, b"FontBBox")?.unwrap_or_default();
        let (ascent, descent) = match bbox.as_slice() {
            [_, low, _, high] if high > low => (high * scale_y, low * scale_y),
            _ => (DEFAULT_ASCENT, DEFAULT_DESCENT),
        };
        let (ascent, descent) = if ascent > descent {
            (ascent, descent)
        } else {
            (descent, ascent)
        };
        Ok((scale_x, ascent, descent))
    }

    fn composite(
        &self,
        dict: &Dictionary,
        name: &str,
        has_to_unicode: bool,
        cost: &mut usize,
    ) -> Result<Font, ContentError> {
        let (cmap, unicode_codes) = self.encoding_cmap(dict.get(b"Encoding"), cost, 0)?;
        let descendant = match self.resolve(dict.get(b"DescendantFonts"))? {
            Object::Array(items) => match self.resolve(items.first())? {
                Object::Dictionary(found) => found,
                _ => Dictionary::new(),
            },
            _ => Dictionary::new(),
        };
        let default = self
            .number(&descendant, b"DW")?
            .unwrap_or(DEFAULT_CID_WIDTH);
        let ranges = self.cid_widths(&descendant)?;
        let vertical_advance = if cmap.vertical {
            let advance = match self.numbers(&descendant, b"DW2")?.as_deref() {
                Some([_, advance]) => *advance,
                _ => DEFAULT_VERTICAL_ADVANCE,
            };
            Some(advance)
        } else {
            None
        };
        let descriptor = self
            .dict(&descendant, b"FontDescriptor")?
            .unwrap_or_default();
        let (ascent, descent) = self.vertical_extent(&descriptor, StandardFamily::of(name))?;
        let truetype = descendant
            .get(b"Subtype")
            .is_some_and(|subtype| subtype.is_name("CIDFontType2"));
        let glyph_text = if truetype && !has_to_unicode && !unicode_codes {
            self.glyph_text(&descendant, &descriptor, cost)?
        } else {
            None
        };
        Ok(Font {
            codes: Codes::Composite(cmap),
            to_unicode: None,
            encoded_text: None,
            unicode_codes,
            glyph_text,
            widths: Widths::Cid { default, ranges },
            scale: 0.001,
            ascent,
            descent,
            vertical_advance,
            cost: 0,
        })
    }

    /// A Type0 font's `/Encoding`: Identity-H/V, an embedded CMap stream (with `/UseCMap`), or
    /// another predefined name, read as two-byte codes (the CMap files are not carried; text
    /// then comes from ToUnicode). Also says whether the codes are Unicode (`Uni…-UCS2-…`,
    /// `Uni…-UTF16-…`).
    fn encoding_cmap(
        &self,
        value: Option<&Object>,
        cost: &mut usize,
        depth: usize,
    ) -> Result<(CMap, bool), ContentError> {
        Ok(match self.resolve(value)? {
            Object::Name(name) => {
                let name = name.as_bytes();
                let vertical = name.ends_with(b"-V");
                let unicode = name.starts_with(b"Uni")
                    && (contains(name, b"UCS2") || contains(name, b"UTF16"));
                (CMap::identity(vertical), unicode)
            }
            Object::Stream(stream) if depth < 2 => {
                let data = self.decode(&stream, "encoding CMap")?;
                *cost += data.len();
                let mut cmap = CMap::parse(
                    &data,
                    self.limits,
                    self.max_entries,
                    &format!("encoding CMap of {}", self.context),
                )?;
                if let Some(parent) = stream.dict.get(b"UseCMap") {
                    let (parent, _) = self.encoding_cmap(Some(parent), cost, depth + 1)?;
                    cmap.inherit(&parent);
                }
                if let Some(Object::Integer(mode)) = stream.dict.get(b"WMode") {
                    cmap.vertical = *mode == 1;
                }
                (cmap, false)
            }
            _ => (CMap::identity(false), false),
        })
    }

    /// The text of each glyph of an embedded TrueType program, through its Unicode cmap, and
    /// the `/CIDToGIDMap` that leads from CIDs to glyphs.
    fn glyph_text(
        &self,
        descendant: &Dictionary,
        descriptor: &Dictionary,
        cost: &mut usize,
    ) -> Result<Option<GlyphText>, ContentError> {
        let Object::Stream(program) = self.resolve(descriptor.get(b"FontFile2"))? else {
            return Ok(None);
        };
        let data = self.decode(&program, "embedded TrueType program")?;
        *cost += data.len();
        let Ok(face) = ttf_parser::Face::parse(&data, 0) else {
            return Ok(None);
        };
        let mut text_of_gid: HashMap<u16, char> = HashMap::new();
        let subtables = face
            .tables()
            .cmap
            .into_iter()
            .flat_map(|cmap| cmap.subtables);
        for subtable in subtables.filter(|subtable| subtable.is_unicode()) {
            subtable.codepoints(|codepoint| {
                if let (Some(glyph), Some(ch)) =
                    (subtable.glyph_index(codepoint), char::from_u32(codepoint))
                {
                    text_of_gid.entry(glyph.0).or_insert(ch);
                }
            });
        }
        if text_of_gid.is_empty() {
            return Ok(None);
        }
        let cid_to_gid = match self.resolve(descendant.get(b"CIDToGIDMap"))? {
            Object::Stream(map) => {
                let data = self.decode(&map, "CIDToGIDMap")?;
                *cost += data.len();
                Some(
                    data.chunks_exact(2)
                        .filter_map(|pair| match pair {
                            [high, low] => Some(u16::from_be_bytes([*high, *low])),
                            _ => None,
                        })
                        .collect(),
                )
            }
            _ => None,
        };
        Ok(Some(GlyphText {
            cid_to_gid,
            text_of_gid,
        }))
    }

    /// `/W`: `c [w1 w2 …]` and `c_first c_last w` entries.
    fn cid_widths(
        &self,
        descendant: &Dictionary,
    ) -> Result<Vec<(u32, u32, Vec<f64>)>, ContentError> {
        let Object::Array(items) = self.resolve(descendant.get(b"W"))? else {
            return Ok(Vec::new());
        };
        let mut ranges = Vec::new();
        let mut entries = 0usize;
        let mut index = 0;
        let cid = |value: &Object| value.as_integer().and_then(|n| u32::try_from(n).ok());
        while let Some(first) = items.get(index) {
            let first = self.resolve(Some(first))?;
            let second = self.resolve(items.get(index + 1))?;
            let Some(first) = cid(&first) else {
                index += 1;
                continue;
            };
            match second {
                Object::Array(listed) => {
                    let mut widths = Vec::with_capacity(listed.len());
                    for width in &listed {
                        widths.push(self.resolve(Some(width))?.as_number().unwrap_or(0.0));
                    }
                    entries += widths.len();
                    if let Some(last) = u32::try_from(widths.len())
                        .ok()
                        .and_then(|len| first.checked_add(len.checked_sub(1)?))
                    {
                        ranges.push((first, last, widths));
                    }
                    index += 2;
                }
                last => {
                    let width = self.resolve(items.get(index + 2))?.as_number();
                    if let (Some(last), Some(width)) = (cid(&last), width)
                        && last >= first
                    {
                        ranges.push((first, last, vec![width]));
                    }
                    entries += 1;
                    index += 3;
                }
            }
            if entries > self.max_entries {
                return Err(ContentError::limit(
                    ContentLimit::CMapEntries,
                    format!("/W of {}", self.context),
                    entries,
                    self.max_entries,
                ));
            }
        }
        ranges.sort_by_key(|(first, _, _)| *first);
        Ok(ranges)
    }
}

/// Glyph texts of an embedded TrueType program (how pdf.js reads CIDFontType2 fonts that lack
/// a ToUnicode CMap).
#[derive(Debug)]
struct GlyphText {
    /// `None`: `/CIDToGIDMap /Identity` (the default).
    cid_to_gid: Option<Vec<u16>>,
    text_of_gid: HashMap<u16, char>,
}

impl GlyphText {
    fn text(&self, cid: u32) -> Option<char> {
        let gid = match &self.cid_to_gid {
            Some(map) => *map.get(cid as usize)?,
            None => u16::try_from(cid).ok()?,
        };
        self.text_of_gid.get(&gid).copied()
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// The built-in encodings of simple fonts (Annex D).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BaseEncoding {
    Standard,
    WinAnsi,
    MacRoman,
    Symbol,
    ZapfDingbats,
    /// Type3 fonts without `/BaseEncoding`: only `/Differences` count.
    None,
}

impl BaseEncoding {
    fn named(name: &[u8]) -> Option<BaseEncoding> {
        match name {
            b"WinAnsiEncoding" => Some(BaseEncoding::WinAnsi),
            b"MacRomanEncoding" => Some(BaseEncoding::MacRoman),
            // MacExpertEncoding holds small capitals and old-style figures: their text is the
            // standard letters and digits, which the Differences name when they matter.
            b"StandardEncoding" | b"MacExpertEncoding" => Some(BaseEncoding::Standard),
            _ => None,
        }
    }

    fn glyph_name(self, code: u8) -> Option<&'static str> {
        match self {
            BaseEncoding::Standard => pdfboss_encoding::standard_encoding_name(code),
            BaseEncoding::WinAnsi => pdfboss_encoding::win_ansi_glyph_name(code),
            BaseEncoding::MacRoman => pdfboss_encoding::mac_roman_glyph_name(code),
            BaseEncoding::Symbol => pdfboss_encoding::symbol_glyph_name(code),
            BaseEncoding::ZapfDingbats => pdfboss_encoding::zapf_dingbats_glyph_name(code),
            BaseEncoding::None => None,
        }
    }

    fn char(self, code: u8) -> Option<char> {
        match self {
            BaseEncoding::Standard => pdfboss_encoding::standard(code),
            BaseEncoding::WinAnsi => pdfboss_encoding::win_ansi(code),
            BaseEncoding::MacRoman => pdfboss_encoding::mac_roman(code),
            BaseEncoding::Symbol => pdfboss_encoding::symbol(code),
            BaseEncoding::ZapfDingbats => pdfboss_encoding::zapf_dingbats(code),
            BaseEncoding::None => None,
        }
    }
}

/// The standard 14 fonts by family, for their built-in encoding and vertical extent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StandardFamily {
    Times,
    Helvetica,
    Courier,
    Symbol,
    ZapfDingbats,
}

impl StandardFamily {
    fn of(base_font: &str) -> Option<StandardFamily> {
        let name = base_font
            .split_once('+')
            .filter(|(tag, _)| tag.len() == 6)
            .map_or(base_font, |(_, name)| name);
        match name {
            "Symbol" => return Some(StandardFamily::Symbol),
            "ZapfDingbats" => return Some(StandardFamily::ZapfDingbats),
            _ => {}
        }
        if !pdfboss_encoding::is_standard_14(name) {
            return None;
        }
        let lower = name.to_ascii_lowercase();
        Some(if lower.starts_with("courier") {
            StandardFamily::Courier
        } else if lower.starts_with("times") {
            StandardFamily::Times
        } else {
            StandardFamily::Helvetica
        })
    }

    /// Ascender and descender of the Core 14 AFM files (FontBBox for the symbol fonts).
    fn extent(self) -> (f64, f64) {
        match self {
            StandardFamily::Times => (0.683, -0.217),
            StandardFamily::Helvetica => (0.718, -0.207),
            StandardFamily::Courier => (0.629, -0.157),
            StandardFamily::Symbol => (1.010, -0.293),
            StandardFamily::ZapfDingbats => (0.820, -0.143),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_families() {
        assert_eq!(
            StandardFamily::of("Times-Roman"),
            Some(StandardFamily::Times)
        );
        assert_eq!(
            StandardFamily::of("ABCDEF+TimesNewRomanPS-BoldMT"),
            Some(StandardFamily::Times)
        );
        assert_eq!(
            StandardFamily::of("Arial,Bold"),
            Some(StandardFamily::Helvetica)
        );
        assert_eq!(
            StandardFamily::of("Courier-Oblique"),
            Some(StandardFamily::Courier)
        );
        assert_eq!(StandardFamily::of("Symbol"), Some(StandardFamily::Symbol));
        assert_eq!(StandardFamily::of("LiberationSerif"), None);
    }

    #[test]
    fn base_encodings_differ_where_annex_d_says() {
        assert_eq!(BaseEncoding::WinAnsi.char(0x80), Some('€'));
        assert_eq!(BaseEncoding::Standard.char(0x27), Some('\u{2019}'));
        assert_eq!(BaseEncoding::MacRoman.char(0x8E), Some('é'));
        assert_eq!(BaseEncoding::WinAnsi.glyph_name(0xE9), Some("eacute"));
    }
}
