//! BER length forms in received CMS, rewritten to DER lengths so that the DER walker can read them.
//!
//! Java signers (BouncyCastle, and so EU DSS and many national tools) write the outer layers of a
//! SignedData with indefinite lengths, and sometimes chunk an OCTET STRING into a constructed one.
//! Both are valid BER, and PDF signatures carry them. This module rewrites exactly those two
//! things: an indefinite-length element gets a definite length, a constructed OCTET STRING
//! becomes one primitive OCTET STRING. Every element that contains neither is copied byte for
//! byte, so the signed attributes, whose received bytes a signature covers, are never re-encoded.
//! Depth and size are bounded by the input.

use super::error::CmsError;

/// Deepest nesting followed (CMS needs about a dozen levels).
const MAX_DEPTH: usize = 64;

/// Normalises the first element of `input`; returns it and how many input bytes it took.
pub(crate) fn normalise(input: &[u8]) -> Result<(Vec<u8>, usize), CmsError> {
    let element = element(input, 0, 0)?;
    Ok((
        element.bytes.unwrap_or_else(|| element.raw.to_vec()),
        element.consumed,
    ))
}

struct Element<'a> {
    /// The element as received.
    raw: &'a [u8],
    /// The rewritten element, when anything in it changed.
    bytes: Option<Vec<u8>>,
    consumed: usize,
    /// The content octets, flattened, of a (possibly constructed) OCTET STRING.
    octets: Option<Vec<u8>>,
}

struct Header {
    tag_len: usize,
    constructed: bool,
    octet_string: bool,
    /// `None`: indefinite.
    length: Option<usize>,
    header_len: usize,
}

fn ber_error(offset: usize, problem: &'static str) -> CmsError {
    CmsError::Ber { offset, problem }
}

fn header(input: &[u8], offset: usize) -> Result<Header, CmsError> {
    let first = *input
        .first()
        .ok_or_else(|| ber_error(offset, "truncated tag"))?;
    let constructed = first & 0x20 != 0;
    let mut tag_len = 1;
    if first & 0x1f == 0x1f {
        loop {
            let byte = *input
                .get(tag_len)
                .ok_or_else(|| ber_error(offset, "truncated tag"))?;
            tag_len += 1;
            if tag_len > 6 {
                return Err(ber_error(offset, "tag number too large"));
            }
            if byte & 0x80 == 0 {
                break;
            }
        }
    }
    let length_byte = *input
        .get(tag_len)
        .ok_or_else(|| ber_error(offset, "truncated length"))?;
    let (length, header_len) = match length_byte {
        0x80 if constructed => (None, tag_len + 1),
        0x80 => {
            return Err(ber_error(
                offset,
                "indefinite length on a primitive element",
            ));
        }
        short if short < 0x80 => (Some(usize::from(short)), tag_len + 1),
        long => {
            let count = usize::from(long & 0x7f);
            if count > 4 {
                return Err(ber_error(offset, "length too large"));
            }
            let mut length = 0usize;
            for index in 0..count {
                let byte = *input
                    .get(tag_len + 1 + index)
                    .ok_or_else(|| ber_error(offset, "truncated length"))?;
                length = (length << 8) | usize::from(byte);
            }
            (Some(length), tag_len + 1 + count)
        }
    };
    Ok(Header {
        tag_len,
        constructed,
        octet_string: first & 0xdf == 0x04,
        length,
        header_len,
    })
}

/// How deeply constructed OCTET STRINGs may nest in one another. Java signers chunk a string
/// once; every level holds a copy of all it contains while the walk returns, so deep nesting
/// around a large string would multiply memory.
const MAX_STRING_NESTING: usize = 2;

fn element(input: &[u8], offset: usize, depth: usize) -> Result<Element<'_>, CmsError> {
    nested_element(input, offset, depth, 0)
}

fn nested_element(
    input: &[u8],
    offset: usize,
    depth: usize,
    string_depth: usize,
) -> Result<Element<'_>, CmsError> {
    if depth > MAX_DEPTH {
        return Err(ber_error(offset, "nested too deeply"));
    }
    let head = header(input, offset)?;
    let string_depth = string_depth + usize::from(head.constructed && head.octet_string);
    if string_depth > MAX_STRING_NESTING {
        return Err(ber_error(
            offset,
            "constructed OCTET STRINGs nested too deeply",
        ));
    }
    let tag = input.get(..head.tag_len).unwrap_or_default();
    if !head.constructed {
        let length = head.length.unwrap_or(0);
        let end = head
            .header_len
            .checked_add(length)
            .filter(|end| *end <= input.len())
            .ok_or_else(|| ber_error(offset, "truncated content"))?;
        let raw = input.get(..end).unwrap_or_default();
        return Ok(Element {
            raw,
            bytes: None,
            consumed: end,
            octets: head
                .octet_string
                .then(|| raw.get(head.header_len..).unwrap_or_default().to_vec()),
        });
    }
    // Constructed: walk the children, up to the definite end or the end-of-contents marker.
    let limit = match head.length {
        Some(length) => head
            .header_len
            .checked_add(length)
            .filter(|end| *end <= input.len())
            .ok_or_else(|| ber_error(offset, "truncated content"))?,
        None => input.len(),
    };
    let mut position = head.header_len;
    let mut children = Vec::new();
    let mut changed = head.length.is_none();
    loop {
        if head.length.is_some() && position >= limit {
            break;
        }
        let rest = input
            .get(position..limit)
            .ok_or_else(|| ber_error(offset, "truncated content"))?;
        if head.length.is_none() && rest.starts_with(&[0, 0]) {
            position += 2;
            break;
        }
        if rest.is_empty() {
            return Err(ber_error(offset, "missing end-of-contents"));
        }
        let child = nested_element(rest, offset + position, depth + 1, string_depth)?;
        position += child.consumed;
        changed |= child.bytes.is_some();
        children.push(child);
    }
    let raw = input.get(..position).unwrap_or_default();
    let flattened = if head.octet_string {
        let mut octets = Vec::new();
        for child in &children {
            let piece = child.octets.as_ref().ok_or_else(|| {
                ber_error(offset, "a constructed OCTET STRING holds a non-string")
            })?;
            octets.extend_from_slice(piece);
        }
        Some(octets)
    } else {
        None
    };
    let bytes = if let Some(octets) = &flattened {
        // A constructed OCTET STRING is always rewritten as one primitive OCTET STRING.
        let mut tag = tag.to_vec();
        if let Some(first) = tag.first_mut() {
            *first &= !0x20;
        }
        Some(encode(&tag, octets))
    } else if changed {
        let content: Vec<u8> = children
            .iter()
            .flat_map(|child| child.bytes.as_deref().unwrap_or(child.raw).iter().copied())
            .collect();
        Some(encode(tag, &content))
    } else {
        None
    };
    Ok(Element {
        raw,
        bytes,
        consumed: position,
        octets: flattened,
    })
}

/// Tag, DER length, content.
fn encode(tag: &[u8], content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(tag.len() + 5 + content.len());
    out.extend_from_slice(tag);
    let length = content.len();
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let bytes = length.to_be_bytes();
        let skip = bytes.iter().take_while(|byte| **byte == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definite_der_is_copied_unchanged() {
        let der = [0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xaa];
        let (out, consumed) = normalise(&der).unwrap();
        assert_eq!(out, der);
        assert_eq!(consumed, der.len());
    }

    #[test]
    fn indefinite_lengths_become_definite_and_inner_der_stays() {
        // SEQUENCE (indefinite) { [0] (indefinite) { INTEGER 5 }, SET { INTEGER 7 } } + padding
        let ber = [
            0x30, 0x80, 0xa0, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00, 0x31, 0x03, 0x02, 0x01, 0x07,
            0x00, 0x00, 0x00, 0x00,
        ];
        let (out, consumed) = normalise(&ber).unwrap();
        assert_eq!(
            out,
            [
                0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x05, 0x31, 0x03, 0x02, 0x01, 0x07
            ]
        );
        assert_eq!(consumed, 16);
    }

    #[test]
    fn constructed_octet_strings_are_flattened() {
        let ber = [
            0x24, 0x80, 0x04, 0x01, 0xaa, 0x04, 0x02, 0xbb, 0xcc, 0x00, 0x00,
        ];
        let (out, _) = normalise(&ber).unwrap();
        assert_eq!(out, [0x04, 0x03, 0xaa, 0xbb, 0xcc]);
    }

    #[test]
    fn constructed_strings_nest_two_levels_at_most() {
        // A chunked string inside a chunked string is read; one more level is refused.
        let nest = |levels: usize| -> Vec<u8> {
            let mut out = Vec::new();
            for _ in 0..levels {
                out.extend_from_slice(&[0x24, 0x80]);
            }
            out.extend_from_slice(&[0x04, 0x01, 0xaa]);
            for _ in 0..levels {
                out.extend_from_slice(&[0x00, 0x00]);
            }
            out
        };
        assert_eq!(normalise(&nest(2)).unwrap().0, [0x04, 0x01, 0xaa]);
        assert!(normalise(&nest(MAX_STRING_NESTING + 1)).is_err());
    }

    #[test]
    fn hostile_encodings_are_errors() {
        for bad in [
            &[0x30, 0x80, 0x02, 0x01][..],
            &[0x30, 0x80][..],
            &[0x02, 0x80, 0x00, 0x00][..],
            &[0x30, 0x85, 1, 0, 0, 0, 0][..],
            &[0x24, 0x80, 0x30, 0x00, 0x00, 0x00][..],
            &[][..],
        ] {
            assert!(normalise(bad).is_err(), "{bad:?}");
        }
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 100).flatten().collect();
        assert!(normalise(&deep).is_err());
    }
}
