//! A minimal DER tag-length-value walker that keeps the exact received bytes of every element.
//!
//! The `der` crate's derived decoders re-sort `SET OF` contents and reject duplicates, which loses
//! the order of certificates and, worse, the received bytes of the signed attributes that a
//! signature covers. The CMS parser walks the outer structure with this module and hands only leaf
//! elements to typed decoders.

use der::{Decode, Encode, Header, Length, Reader, SliceReader, Tag, TagNumber};

use super::error::CmsError;

/// One element: its tag, its content octets and the whole encoding (header and content).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: Tag,
    pub value: &'a [u8],
    pub raw: &'a [u8],
    /// Offset of the element's first byte in the outermost input handed to the walker chain.
    pub offset: usize,
}

impl<'a> Tlv<'a> {
    /// The children of a constructed element.
    pub fn children(&self) -> TlvReader<'a> {
        let header_len = self.raw.len().saturating_sub(self.value.len());
        TlvReader::new(self.value, self.offset.saturating_add(header_len))
    }

    /// Fails unless this element has the expected tag.
    pub fn expect(self, tag: Tag, what: &'static str) -> Result<Self, CmsError> {
        if self.tag == tag {
            Ok(self)
        } else {
            Err(CmsError::UnexpectedTag {
                what,
                offset: self.offset,
                expected: tag.to_string(),
                found: self.tag.to_string(),
            })
        }
    }
}

/// Reads consecutive elements from a byte slice.
#[derive(Debug, Clone)]
pub(crate) struct TlvReader<'a> {
    input: &'a [u8],
    position: usize,
    base_offset: usize,
}

impl<'a> TlvReader<'a> {
    pub fn new(input: &'a [u8], base_offset: usize) -> Self {
        TlvReader {
            input,
            position: 0,
            base_offset,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.position >= self.input.len()
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.input.get(self.position..).unwrap_or_default()
    }

    /// Absolute offset of the next element.
    pub fn offset(&self) -> usize {
        self.base_offset.saturating_add(self.position)
    }

    /// The tag of the next element, without consuming it.
    pub fn peek_tag(&self) -> Option<Tag> {
        self.remaining()
            .first()
            .and_then(|&byte| Tag::try_from(byte).ok())
    }

    /// Reads the next element; `what` names it in errors.
    pub fn read(&mut self, what: &'static str) -> Result<Tlv<'a>, CmsError> {
        let offset = self.offset();
        let rest = self.remaining();
        if rest.is_empty() {
            return Err(CmsError::Truncated { what, offset });
        }
        if rest.get(1) == Some(&0x80) {
            return Err(CmsError::IndefiniteLength { what, offset });
        }
        let malformed = |source: der::Error| CmsError::Malformed {
            what,
            offset,
            source,
        };
        let mut reader = SliceReader::new(rest).map_err(malformed)?;
        let header = Header::decode(&mut reader).map_err(malformed)?;
        let header_len = usize::try_from(reader.position()).map_err(malformed)?;
        let value_len = usize::try_from(header.length).map_err(malformed)?;
        let total = header_len
            .checked_add(value_len)
            .ok_or(CmsError::Truncated { what, offset })?;
        let raw = rest
            .get(..total)
            .ok_or(CmsError::Truncated { what, offset })?;
        let value = raw.get(header_len..).unwrap_or_default();
        self.position = self.position.saturating_add(total);
        Ok(Tlv {
            tag: header.tag,
            value,
            raw,
            offset,
        })
    }

    /// Reads the next element and checks its tag.
    pub fn read_expected(&mut self, tag: Tag, what: &'static str) -> Result<Tlv<'a>, CmsError> {
        self.read(what)?.expect(tag, what)
    }

    /// Reads the next element only when it carries `tag`.
    pub fn read_optional(
        &mut self,
        tag: Tag,
        what: &'static str,
    ) -> Result<Option<Tlv<'a>>, CmsError> {
        if self.peek_tag() == Some(tag) {
            self.read(what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Fails when elements are left over.
    pub fn finish(&self, what: &'static str) -> Result<(), CmsError> {
        if self.is_finished() {
            Ok(())
        } else {
            Err(CmsError::TrailingData {
                what,
                offset: self.offset(),
            })
        }
    }
}

/// `[n]` constructed, context-specific.
pub(crate) fn context(number: u8) -> Tag {
    Tag::ContextSpecific {
        constructed: true,
        number: TagNumber::new(number),
    }
}

/// `[n]` primitive, context-specific.
pub(crate) fn context_primitive(number: u8) -> Tag {
    Tag::ContextSpecific {
        constructed: false,
        number: TagNumber::new(number),
    }
}

/// Encodes a header for `tag` with a content of `len` bytes followed by the content.
pub(crate) fn encode_tlv(tag: Tag, content: &[u8]) -> Result<Vec<u8>, CmsError> {
    let length = Length::try_from(content.len()).map_err(CmsError::Encoding)?;
    let header = Header::new(tag, length).map_err(CmsError::Encoding)?;
    let mut out = header.to_der().map_err(CmsError::Encoding)?;
    out.extend_from_slice(content);
    Ok(out)
}

/// Concatenates already encoded elements inside one new element.
pub(crate) fn encode_constructed(tag: Tag, parts: &[&[u8]]) -> Result<Vec<u8>, CmsError> {
    let content = parts.concat();
    encode_tlv(tag, &content)
}

/// Most elements of one `SET` (or `SET OF`) in a CMS structure. The `der` crate sorts the
/// values of a `SET OF` it decodes with an insertion sort: a set of a million values, which fits
/// in a few megabytes, would take hours. Real structures have a handful.
pub(crate) const MAX_SET_ELEMENTS: usize = 256;

/// Deepest nesting of constructed elements accepted (real CMS structures stay below 20; the
/// typed decoders recurse).
pub(crate) const MAX_DEPTH: usize = 64;

/// Walks every constructed element of `input` (one or more DER elements) and refuses a `SET`
/// with more than [`MAX_SET_ELEMENTS`] elements or a nesting deeper than [`MAX_DEPTH`], before
/// any typed decoder sees them. Primitive elements (an OCTET STRING holding DER) are not
/// entered: their contents are checked where they are decoded. A subtree that is not strict DER
/// (an embedded certificate from a lax CA) is left to the parser that reads it, as before: this
/// walk only bounds work, it judges no encoding.
pub(crate) fn check_shape(
    input: &[u8],
    base_offset: usize,
    what: &'static str,
) -> Result<(), CmsError> {
    let mut pending: Vec<(TlvReader<'_>, usize)> = vec![(TlvReader::new(input, base_offset), 0)];
    while let Some((mut reader, depth)) = pending.pop() {
        while !reader.is_finished() {
            let Ok(element) = reader.read(what) else {
                break;
            };
            if !element.tag.is_constructed() {
                continue;
            }
            if depth >= MAX_DEPTH {
                return Err(CmsError::TooComplex {
                    what,
                    offset: element.offset,
                    problem: format!("nested deeper than {MAX_DEPTH} levels"),
                });
            }
            if element.tag == Tag::Set {
                let count = element.children().count_elements();
                if count > MAX_SET_ELEMENTS {
                    return Err(CmsError::TooComplex {
                        what,
                        offset: element.offset,
                        problem: format!(
                            "a SET of {count} elements (at most {MAX_SET_ELEMENTS} are read)"
                        ),
                    });
                }
            }
            pending.push((element.children(), depth + 1));
        }
    }
    Ok(())
}

impl TlvReader<'_> {
    /// How many elements are left (up to the first that cannot be read), reading their headers
    /// only.
    fn count_elements(mut self) -> usize {
        let mut count = 0usize;
        while !self.is_finished() && self.read("SET element").is_ok() {
            count += 1;
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DER element with `tag` around `content` (short or long form length).
    fn element(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|byte| **byte == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend_from_slice(content);
        out
    }

    fn set_of_integers(count: usize) -> Vec<u8> {
        let integers: Vec<u8> = (0..count).flat_map(|_| [0x02, 0x01, 0x05]).collect();
        element(0x30, &element(0x31, &integers))
    }

    #[test]
    fn large_sets_and_deep_nesting_are_refused_before_decoding() {
        assert!(check_shape(&set_of_integers(3), 0, "test").is_ok());
        assert!(check_shape(&set_of_integers(MAX_SET_ELEMENTS), 0, "test").is_ok());
        assert!(matches!(
            check_shape(&set_of_integers(MAX_SET_ELEMENTS + 1), 0, "test"),
            Err(CmsError::TooComplex { .. })
        ));
        let mut nested = element(0x02, &[1]);
        for _ in 0..=MAX_DEPTH {
            nested = element(0x30, &nested);
        }
        assert!(matches!(
            check_shape(&nested, 0, "test"),
            Err(CmsError::TooComplex { .. })
        ));
    }
}
