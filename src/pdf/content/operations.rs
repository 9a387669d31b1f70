//! Splitting a content stream (§7.8.2) — or a CMap, which has the same syntax — into operators
//! and their operands, with inline images (`BI … ID … EI`, §8.9.7) stepped over byte-exactly.
//! Tokens come from the document parser's lexer, so strings, names and numbers read exactly as
//! they do in objects.

use crate::pdf::parser::{Parser, Token};
use crate::pdf::{Limits, Object, PdfError, Source};

use super::error::{ContentError, ContentLimit};

/// Inline image dictionaries larger than this are not images.
const MAX_INLINE_IMAGE_ENTRIES: usize = 256;
/// Bytes after a candidate `EI` that must look like content-stream text.
const EI_LOOKAHEAD: usize = 32;

/// Reads operations one at a time; the operands of the last operator are in [`Operations::operands`].
pub(super) struct Operations<'s> {
    parser: Parser<'s>,
    data: &'s [u8],
    context: &'s str,
    max_operands: usize,
    operands: Vec<Object>,
}

impl<'s> Operations<'s> {
    /// `source` must hold exactly `data`.
    pub fn new(
        source: &'s dyn Source,
        data: &'s [u8],
        limits: &'s Limits,
        max_operands: usize,
        context: &'s str,
    ) -> Self {
        Operations {
            parser: Parser::new(source, 0, limits),
            data,
            context,
            max_operands,
            operands: Vec::new(),
        }
    }

    /// The operands of the operator [`Operations::next_operator`] returned last.
    pub fn operands(&self) -> &[Object] {
        &self.operands
    }

    /// The byte offset of the next unread token.
    pub fn position(&self) -> u64 {
        self.parser.pos()
    }

    /// Moves past a byte the lexer refused (used by tolerant readers such as the CMap parser).
    pub fn skip_byte_at(&mut self, position: u64) {
        self.parser.seek(position + 1);
        self.operands.clear();
    }

    /// The next operator, or `None` at the end of the data. An inline image is returned as the
    /// operator `BI` with no operands, its data already skipped.
    pub fn next_operator(&mut self) -> Result<Option<Vec<u8>>, ContentError> {
        self.operands.clear();
        loop {
            let Some(next) = self.parser.peek().map_err(syntax(self.context))? else {
                return Ok(None);
            };
            if let Token::Keyword(word) = &next.token
                && !matches!(word.as_slice(), b"true" | b"false" | b"null")
            {
                let word = word.clone();
                self.parser.next().map_err(syntax(self.context))?;
                if word == b"BI" {
                    self.skip_inline_image()?;
                }
                return Ok(Some(word));
            }
            if self.operands.len() >= self.max_operands {
                return Err(ContentError::limit(
                    ContentLimit::Operands,
                    self.context,
                    self.operands.len() + 1,
                    self.max_operands,
                ));
            }
            let (operand, _) = self.parser.parse_object(0).map_err(syntax(self.context))?;
            self.operands.push(operand);
        }
    }

    /// After `BI`: reads the image dictionary up to `ID`, then moves past the data and `EI`.
    fn skip_inline_image(&mut self) -> Result<(), ContentError> {
        let mut entries = Vec::new();
        let id_end = loop {
            let Some(next) = self.parser.peek().map_err(syntax(self.context))? else {
                return Err(self.malformed_image("ends before ID"));
            };
            if next.token.is_keyword(b"ID") {
                let end = next.end;
                self.parser.next().map_err(syntax(self.context))?;
                break end;
            }
            if entries.len() >= 2 * MAX_INLINE_IMAGE_ENTRIES {
                return Err(self.malformed_image("has too many dictionary entries"));
            }
            let (value, _) = self.parser.parse_object(0).map_err(syntax(self.context))?;
            entries.push(value);
        };
        let dict = InlineImageDict::from_entries(&entries);
        let id_end = usize::try_from(id_end).unwrap_or(usize::MAX);
        // One white-space byte separates ID from the data (§8.9.7).
        let start = match self.data.get(id_end) {
            Some(byte) if crate::pdf::parser::is_whitespace(*byte) => id_end + 1,
            _ => id_end,
        };
        let end = inline_image_end(self.data, start, &dict)
            .ok_or_else(|| self.malformed_image("has no EI after its data"))?;
        self.parser.seek(end as u64);
        Ok(())
    }

    fn malformed_image(&self, problem: &'static str) -> ContentError {
        ContentError::Syntax {
            context: self.context.to_string(),
            source: PdfError::Syntax {
                offset: self.parser.pos(),
                expected: "an inline image (BI … ID … EI)",
                found: format!("an inline image that {problem}"),
            },
        }
    }
}

fn syntax(context: &str) -> impl FnOnce(PdfError) -> ContentError + '_ {
    move |source| ContentError::Syntax {
        context: context.to_string(),
        source,
    }
}

/// What an inline image's dictionary says about the size of its data.
#[derive(Debug, Default)]
struct InlineImageDict {
    length: Option<usize>,
    filtered: bool,
    width: Option<usize>,
    height: Option<usize>,
    bits_per_component: Option<usize>,
    components: Option<usize>,
    image_mask: bool,
}

impl InlineImageDict {
    fn from_entries(entries: &[Object]) -> Self {
        let mut dict = InlineImageDict::default();
        for pair in entries.chunks(2) {
            let [Object::Name(key), value] = pair else {
                continue;
            };
            let number = value
                .as_integer()
                .and_then(|value| usize::try_from(value).ok());
            match key.as_bytes() {
                b"L" | b"Length" => dict.length = number,
                b"F" | b"Filter" => {
                    dict.filtered = !matches!(value, Object::Array(items) if items.is_empty())
                }
                b"W" | b"Width" => dict.width = number,
                b"H" | b"Height" => dict.height = number,
                b"BPC" | b"BitsPerComponent" => dict.bits_per_component = number,
                b"IM" | b"ImageMask" => dict.image_mask = value.as_bool() == Some(true),
                b"CS" | b"ColorSpace" => dict.components = colour_components(value),
                _ => {}
            }
        }
        dict
    }

    /// The data length when the dictionary determines it: `/L`, or the raw size of an
    /// unfiltered image.
    fn data_length(&self) -> Option<usize> {
        if let Some(length) = self.length {
            return Some(length);
        }
        if self.filtered {
            return None;
        }
        let (components, bits) = if self.image_mask {
            (1, 1)
        } else {
            (self.components?, self.bits_per_component?)
        };
        let row_bits = self.width?.checked_mul(components)?.checked_mul(bits)?;
        row_bits.div_ceil(8).checked_mul(self.height?)
    }
}

fn colour_components(value: &Object) -> Option<usize> {
    let name = match value {
        Object::Name(name) => name.as_bytes(),
        // [/I base hival lookup]: one index per pixel.
        Object::Array(items) => items.first()?.as_name()?.as_bytes(),
        _ => return None,
    };
    match name {
        b"G" | b"DeviceGray" | b"CalGray" | b"I" | b"Indexed" => Some(1),
        b"RGB" | b"DeviceRGB" | b"CalRGB" => Some(3),
        b"CMYK" | b"DeviceCMYK" => Some(4),
        _ => None,
    }
}

/// The offset just after the `EI` that ends the image data starting at `start`.
fn inline_image_end(data: &[u8], start: usize, dict: &InlineImageDict) -> Option<usize> {
    if let Some(length) = dict.data_length()
        && let Some(end) = start
            .checked_add(length)
            .and_then(|after| ei_at(data, after))
    {
        return Some(end);
    }
    scan_for_ei(data, start)
}

/// When white space then `EI` (as a whole token) follow `position`, the offset after `EI`.
fn ei_at(data: &[u8], position: usize) -> Option<usize> {
    let mut at = position;
    while data
        .get(at)
        .is_some_and(|byte| crate::pdf::parser::is_whitespace(*byte))
    {
        at += 1;
    }
    (data.get(at..at + 2) == Some(b"EI") && token_ends(data, at + 2)).then_some(at + 2)
}

fn token_ends(data: &[u8], at: usize) -> bool {
    data.get(at).is_none_or(|byte| {
        crate::pdf::parser::is_whitespace(*byte) || crate::pdf::parser::is_delimiter(*byte)
    })
}

/// The first `EI` preceded by white space, ending a token and followed by bytes that look like
/// content-stream text: binary image data rarely passes all three (the heuristic of pdf.js).
fn scan_for_ei(data: &[u8], start: usize) -> Option<usize> {
    let mut at = start;
    while let Some(found) = data.get(at..)?.windows(2).position(|pair| pair == b"EI") {
        let ei = at + found;
        let after = ei + 2;
        let preceded = ei > start
            && data
                .get(ei - 1)
                .is_some_and(|byte| crate::pdf::parser::is_whitespace(*byte));
        if preceded && token_ends(data, after) && looks_like_text(data.get(after..)?) {
            return Some(after);
        }
        at = ei + 1;
    }
    None
}

fn looks_like_text(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .take(EI_LOOKAHEAD)
        .all(|&byte| matches!(byte, b'\t' | b'\n' | b'\r' | b' '..=b'~'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::MemorySource;

    fn operators(data: &[u8]) -> Result<Vec<(String, usize)>, ContentError> {
        let source = MemorySource(data);
        let limits = Limits::default();
        let mut operations = Operations::new(&source, data, &limits, 16, "test");
        let mut found = Vec::new();
        while let Some(operator) = operations.next_operator()? {
            found.push((
                String::from_utf8_lossy(&operator).into_owned(),
                operations.operands().len(),
            ));
        }
        Ok(found)
    }

    fn names(found: &[(String, usize)]) -> Vec<&str> {
        found.iter().map(|(name, _)| name.as_str()).collect()
    }

    #[test]
    fn reads_operators_with_their_operands() {
        let found =
            operators(b"q 1 0 0 1 10 20 cm BT /F1 12 Tf (a) ' 1 2 (b) \" [(x) -20 (y)] TJ ET Q")
                .unwrap();
        assert_eq!(
            found,
            [
                ("q".to_string(), 0),
                ("cm".to_string(), 6),
                ("BT".to_string(), 0),
                ("Tf".to_string(), 2),
                ("'".to_string(), 1),
                ("\"".to_string(), 3),
                ("TJ".to_string(), 1),
                ("ET".to_string(), 0),
                ("Q".to_string(), 0),
            ]
        );
    }

    #[test]
    fn booleans_and_null_are_operands() {
        let found = operators(b"/P << /MCID 0 >> BDC true null false 3 d0 EMC").unwrap();
        assert_eq!(found[0], ("BDC".to_string(), 2));
        assert_eq!(found[1], ("d0".to_string(), 4));
    }

    #[test]
    fn skips_unfiltered_inline_image_by_its_size() {
        // 2×1 RGB at 8 bits: 6 data bytes that contain "EI" and a ')' that would break the lexer.
        let data = b"BI /W 2 /H 1 /CS /RGB /BPC 8 ID \x00EI )\x01\x02\nEI Q";
        assert_eq!(names(&operators(data).unwrap()), ["BI", "Q"]);
    }

    #[test]
    fn skips_filtered_inline_image_by_scanning() {
        let data = b"BI /W 8 /H 8 /F /AHx ID 0A0B\xff\xfeEIx 00 EI\nq Q";
        assert_eq!(names(&operators(data).unwrap()), ["BI", "q", "Q"]);
    }

    #[test]
    fn uses_an_explicit_length() {
        let data = b"BI /W 1 /H 1 /F /DCT /L 5 ID EI EI EI Tj";
        assert_eq!(names(&operators(data).unwrap()), ["BI", "Tj"]);
    }

    #[test]
    fn inline_image_without_end_is_an_error() {
        let error = operators(b"BI /W 1 /H 1 /F /DCT ID \xff\xd8\xff").unwrap_err();
        assert!(matches!(error, ContentError::Syntax { .. }), "{error}");
        let error = operators(b"BI /W 1 /H 1").unwrap_err();
        assert!(matches!(error, ContentError::Syntax { .. }), "{error}");
    }

    #[test]
    fn too_many_operands_is_a_limit() {
        let data = "1 ".repeat(17);
        let error = operators(data.as_bytes()).unwrap_err();
        assert!(matches!(
            error,
            ContentError::LimitExceeded {
                limit: ContentLimit::Operands,
                ..
            }
        ));
    }

    #[test]
    fn lexical_garbage_is_a_syntax_error() {
        let error = operators(b"BT (unterminated Tj").unwrap_err();
        assert!(matches!(error, ContentError::Syntax { .. }));
        let error = operators(b"1 2 } Td").unwrap_err();
        assert!(matches!(error, ContentError::Syntax { .. }));
    }
}
