//! Stream filters (§7.4): FlateDecode and LZWDecode with predictors, ASCIIHexDecode,
//! ASCII85Decode and RunLengthDecode, each bounded by the decompressed-size limit. Image codecs
//! (DCT, JPX, CCITT fax, JBIG2) are left encoded and reported to the caller.

use std::io::Read;

use super::error::{PdfError, Result};
use super::limits::Limit;
use super::object::{Dictionary, Name, Object};

/// One filter of a stream's `/Filter` chain with its (already resolved) `/DecodeParms`.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterStep {
    pub name: Name,
    pub params: Option<Dictionary>,
}

/// A stream's data after decoding.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedStream {
    /// The data with every non-image filter applied.
    pub data: Vec<u8>,
    /// Image filters left in place (the data is still encoded with these), in order.
    pub remaining: Vec<FilterStep>,
}

const IMAGE_FILTERS: &[&[u8]] = &[
    b"DCTDecode",
    b"DCT",
    b"JPXDecode",
    b"CCITTFaxDecode",
    b"CCF",
    b"JBIG2Decode",
];

/// Longest filter chain accepted. Real files use one or two filters; each step may produce up
/// to the decompression limit, so an unbounded chain multiplies that work.
pub const MAX_FILTERS: usize = 8;

/// Applies `steps` in order. Stops at the first image codec and returns the rest as `remaining`.
pub fn decode(data: Vec<u8>, steps: &[FilterStep], max_output: usize) -> Result<DecodedStream> {
    if steps.len() > MAX_FILTERS {
        return Err(PdfError::limit(
            Limit::FilterChain,
            steps.len() as u64,
            MAX_FILTERS as u64,
        ));
    }
    let mut data = data;
    for (index, step) in steps.iter().enumerate() {
        let name = step.name.as_bytes();
        if IMAGE_FILTERS.contains(&name) {
            return Ok(DecodedStream {
                data,
                remaining: steps.get(index..).unwrap_or_default().to_vec(),
            });
        }
        if is_identity_crypt(step) {
            continue;
        }
        data = apply(&data, step, max_output)?;
    }
    Ok(DecodedStream {
        data,
        remaining: Vec::new(),
    })
}

/// `/Crypt` with the Identity crypt filter (the default): the data passes unchanged.
fn is_identity_crypt(step: &FilterStep) -> bool {
    step.name.as_bytes() == b"Crypt"
        && step
            .params
            .as_ref()
            .and_then(|dict| dict.get(b"Name"))
            .is_none_or(|name| name.is_name("Identity"))
}

fn apply(data: &[u8], step: &FilterStep, max_output: usize) -> Result<Vec<u8>> {
    let params = step.params.as_ref();
    match step.name.as_bytes() {
        b"FlateDecode" | b"Fl" => {
            let inflated = inflate(data, max_output)?;
            unpredict(inflated, params, "FlateDecode", max_output)
        }
        b"LZWDecode" | b"LZW" => {
            let early_change = param_integer(params, b"EarlyChange", 1)? != 0;
            let expanded = lzw(data, early_change, max_output)?;
            unpredict(expanded, params, "LZWDecode", max_output)
        }
        b"ASCIIHexDecode" | b"AHx" => ascii_hex(data, max_output),
        b"ASCII85Decode" | b"A85" => ascii85(data, max_output),
        b"RunLengthDecode" | b"RL" => run_length(data, max_output),
        b"Crypt" => {
            // Identity is skipped by `decode`; any other crypt filter needs decryption.
            Err(PdfError::UnsupportedFilter {
                filter: "Crypt (non-Identity)".to_string(),
            })
        }
        other => Err(PdfError::UnsupportedFilter {
            filter: String::from_utf8_lossy(other).into_owned(),
        }),
    }
}

fn filter_error(filter: &str, problem: impl Into<String>) -> PdfError {
    PdfError::Filter {
        filter: filter.to_string(),
        problem: problem.into(),
    }
}

fn too_large(max_output: usize) -> PdfError {
    PdfError::limit(
        Limit::DecompressedSize,
        max_output as u64 + 1,
        max_output as u64,
    )
}

fn push_bounded(out: &mut Vec<u8>, byte: u8, max_output: usize) -> Result<()> {
    if out.len() >= max_output {
        return Err(too_large(max_output));
    }
    out.push(byte);
    Ok(())
}

fn param_integer(params: Option<&Dictionary>, key: &[u8], default: i64) -> Result<i64> {
    match params.and_then(|dict| dict.get(key)) {
        None | Some(Object::Null) => Ok(default),
        Some(Object::Integer(value)) => Ok(*value),
        Some(other) => Err(filter_error(
            "DecodeParms",
            format!(
                "/{} is a {}, not an integer",
                String::from_utf8_lossy(key),
                other.type_name()
            ),
        )),
    }
}

/// zlib inflate, bounded. A stream truncated after complete deflate blocks is an error: we never
/// guess at damaged data.
fn inflate(data: &[u8], max_output: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let decoder = flate2::read::ZlibDecoder::new(data);
    decoder
        .take(max_output as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|error| filter_error("FlateDecode", error.to_string()))?;
    if out.len() > max_output {
        return Err(too_large(max_output));
    }
    Ok(out)
}

fn lzw(data: &[u8], early_change: bool, max_output: usize) -> Result<Vec<u8>> {
    use weezl::{BitOrder, LzwStatus, decode::Decoder};
    let mut decoder = if early_change {
        Decoder::with_tiff_size_switch(BitOrder::Msb, 8)
    } else {
        Decoder::new(BitOrder::Msb, 8)
    };
    let mut out = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut input = data;
    loop {
        let result = decoder.decode_bytes(input, &mut buffer);
        let produced = buffer.get(..result.consumed_out).unwrap_or_default();
        if out.len() + produced.len() > max_output {
            return Err(too_large(max_output));
        }
        out.extend_from_slice(produced);
        input = input.get(result.consumed_in..).unwrap_or_default();
        match result.status {
            Ok(LzwStatus::Done) => return Ok(out),
            Ok(LzwStatus::NoProgress) => {
                // Input exhausted without an EOD code: what was decoded is complete.
                return Ok(out);
            }
            Ok(LzwStatus::Ok) => {
                if input.is_empty() && result.consumed_out == 0 {
                    return Ok(out);
                }
            }
            Err(error) => return Err(filter_error("LZWDecode", error.to_string())),
        }
    }
}

fn ascii_hex(data: &[u8], max_output: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 2);
    let mut high: Option<u8> = None;
    for &byte in data {
        if byte == b'>' {
            break;
        }
        if super::parser::is_whitespace(byte) {
            continue;
        }
        let value = match byte {
            b'0'..=b'9' => byte - b'0',
            b'a'..=b'f' => byte - b'a' + 10,
            b'A'..=b'F' => byte - b'A' + 10,
            _ => {
                return Err(filter_error(
                    "ASCIIHexDecode",
                    format!("byte 0x{byte:02X} is not a hex digit"),
                ));
            }
        };
        match high.take() {
            None => high = Some(value),
            Some(upper) => push_bounded(&mut out, upper << 4 | value, max_output)?,
        }
    }
    if let Some(upper) = high {
        push_bounded(&mut out, upper << 4, max_output)?;
    }
    Ok(out)
}

fn ascii85(data: &[u8], max_output: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() * 4 / 5);
    let mut group = [0u8; 5];
    let mut filled = 0usize;
    let body = data.strip_prefix(b"<~").unwrap_or(data);
    for &byte in body {
        match byte {
            b'~' => break,
            b'z' if filled == 0 => {
                for _ in 0..4 {
                    push_bounded(&mut out, 0, max_output)?;
                }
            }
            b'!'..=b'u' => {
                if let Some(slot) = group.get_mut(filled) {
                    *slot = byte - b'!';
                }
                filled += 1;
                if filled == 5 {
                    for value in ascii85_group(&group, 4)? {
                        push_bounded(&mut out, value, max_output)?;
                    }
                    filled = 0;
                }
            }
            _ if super::parser::is_whitespace(byte) => {}
            _ => {
                return Err(filter_error(
                    "ASCII85Decode",
                    format!("byte 0x{byte:02X} is not base-85"),
                ));
            }
        }
    }
    if filled == 1 {
        return Err(filter_error(
            "ASCII85Decode",
            "a final group of one character",
        ));
    }
    if filled > 1 {
        for slot in group.iter_mut().skip(filled) {
            *slot = 84;
        }
        for value in ascii85_group(&group, filled - 1)? {
            push_bounded(&mut out, value, max_output)?;
        }
    }
    Ok(out)
}

fn ascii85_group(group: &[u8; 5], keep: usize) -> Result<Vec<u8>> {
    let value = group
        .iter()
        .try_fold(0u64, |acc, &digit| Some(acc * 85 + u64::from(digit)))
        .filter(|value| *value <= u64::from(u32::MAX))
        .ok_or_else(|| filter_error("ASCII85Decode", "a group exceeds 2^32"))?;
    let bytes = (value as u32).to_be_bytes();
    Ok(bytes.get(..keep).unwrap_or_default().to_vec())
}

fn run_length(data: &[u8], max_output: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut index = 0usize;
    while let Some(&length) = data.get(index) {
        index += 1;
        match length {
            128 => break,
            0..=127 => {
                let count = usize::from(length) + 1;
                let run = data
                    .get(index..index + count)
                    .ok_or_else(|| filter_error("RunLengthDecode", "a literal run is cut short"))?;
                if out.len() + count > max_output {
                    return Err(too_large(max_output));
                }
                out.extend_from_slice(run);
                index += count;
            }
            _ => {
                let count = 257 - usize::from(length);
                let &byte = data
                    .get(index)
                    .ok_or_else(|| filter_error("RunLengthDecode", "a repeat run is cut short"))?;
                index += 1;
                if out.len() + count > max_output {
                    return Err(too_large(max_output));
                }
                out.resize(out.len() + count, byte);
            }
        }
    }
    Ok(out)
}

/// Reverses the PNG (10–15) or TIFF (2) predictor named in `/DecodeParms`.
fn unpredict(
    data: Vec<u8>,
    params: Option<&Dictionary>,
    filter: &str,
    max_output: usize,
) -> Result<Vec<u8>> {
    let predictor = param_integer(params, b"Predictor", 1)?;
    if predictor == 1 {
        return Ok(data);
    }
    let colors = param_integer(params, b"Colors", 1)?;
    let bits = param_integer(params, b"BitsPerComponent", 8)?;
    let columns = param_integer(params, b"Columns", 1)?;
    let valid = (1..=32).contains(&colors)
        && matches!(bits, 1 | 2 | 4 | 8 | 16)
        && (1..=1_000_000).contains(&columns);
    if !valid {
        return Err(filter_error(
            filter,
            format!(
                "predictor parameters Colors {colors}, BitsPerComponent {bits}, Columns {columns}"
            ),
        ));
    }
    // Bounded by the checks above: at most 32 * 16 * 1e6 bits per row.
    let bits_per_pixel = (colors * bits) as usize;
    let row_bytes = (bits_per_pixel * columns as usize).div_ceil(8);
    let pixel_bytes = bits_per_pixel.div_ceil(8);
    match predictor {
        2 => tiff_predictor(data, row_bytes, pixel_bytes, bits, filter),
        10..=15 => png_predictor(&data, row_bytes, pixel_bytes, filter, max_output),
        other => Err(filter_error(filter, format!("unknown predictor {other}"))),
    }
}

fn png_predictor(
    data: &[u8],
    row_bytes: usize,
    pixel_bytes: usize,
    filter: &str,
    max_output: usize,
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    let mut previous = vec![0u8; row_bytes];
    let mut row = vec![0u8; row_bytes];
    for chunk in data.chunks(row_bytes + 1) {
        let Some((&kind, encoded)) = chunk.split_first() else {
            break;
        };
        // A short final row is decoded as far as it goes.
        row.fill(0);
        for index in 0..encoded.len() {
            let raw = encoded.get(index).copied().unwrap_or(0);
            let left = index
                .checked_sub(pixel_bytes)
                .and_then(|at| row.get(at).copied())
                .unwrap_or(0);
            let up = previous.get(index).copied().unwrap_or(0);
            let up_left = index
                .checked_sub(pixel_bytes)
                .and_then(|at| previous.get(at).copied())
                .unwrap_or(0);
            let value = match kind {
                0 => raw,
                1 => raw.wrapping_add(left),
                2 => raw.wrapping_add(up),
                3 => raw.wrapping_add(((u16::from(left) + u16::from(up)) / 2) as u8),
                4 => raw.wrapping_add(paeth(left, up, up_left)),
                other => {
                    return Err(filter_error(
                        filter,
                        format!("unknown PNG row filter {other}"),
                    ));
                }
            };
            if let Some(slot) = row.get_mut(index) {
                *slot = value;
            }
        }
        let decoded = row.get(..encoded.len()).unwrap_or_default();
        if out.len() + decoded.len() > max_output {
            return Err(too_large(max_output));
        }
        out.extend_from_slice(decoded);
        std::mem::swap(&mut previous, &mut row);
    }
    Ok(out)
}

fn paeth(left: u8, up: u8, up_left: u8) -> u8 {
    let estimate = i16::from(left) + i16::from(up) - i16::from(up_left);
    let to_left = (estimate - i16::from(left)).abs();
    let to_up = (estimate - i16::from(up)).abs();
    let to_up_left = (estimate - i16::from(up_left)).abs();
    if to_left <= to_up && to_left <= to_up_left {
        left
    } else if to_up <= to_up_left {
        up
    } else {
        up_left
    }
}

fn tiff_predictor(
    mut data: Vec<u8>,
    row_bytes: usize,
    pixel_bytes: usize,
    bits: i64,
    filter: &str,
) -> Result<Vec<u8>> {
    if bits != 8 {
        return Err(filter_error(
            filter,
            format!("TIFF predictor with {bits} bits per component"),
        ));
    }
    for row in data.chunks_mut(row_bytes) {
        for index in pixel_bytes..row.len() {
            let left = row.get(index - pixel_bytes).copied().unwrap_or(0);
            if let Some(value) = row.get_mut(index) {
                *value = value.wrapping_add(left);
            }
        }
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn step(name: &str, params: Option<Dictionary>) -> FilterStep {
        FilterStep {
            name: Name::from(name),
            params,
        }
    }

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn flate_with_png_up_predictor() {
        // Two rows of 3 bytes, the second PNG-Up encoded against the first.
        let encoded = [2, 1, 2, 3, 2, 1, 1, 1];
        let params = Dictionary::new().with("Predictor", 12).with("Columns", 3);
        let decoded = decode(
            deflate(&encoded),
            &[step("FlateDecode", Some(params))],
            1024,
        )
        .unwrap();
        assert_eq!(decoded.data, vec![1, 2, 3, 2, 3, 4]);
    }

    #[test]
    fn flate_bomb_hits_the_limit() {
        let bomb = deflate(&vec![0u8; 10 * 1024 * 1024]);
        let error = decode(bomb, &[step("FlateDecode", None)], 1024 * 1024).unwrap_err();
        assert!(matches!(
            error,
            PdfError::LimitExceeded {
                limit: Limit::DecompressedSize,
                ..
            }
        ));
    }

    #[test]
    fn ascii_filters() {
        let hex = decode(b"48 65 6C6C 6F>".to_vec(), &[step("AHx", None)], 100).unwrap();
        assert_eq!(hex.data, b"Hello");
        let a85 = decode(
            b"<~87cURD]i,\"Ebo80~>".to_vec(),
            &[step("ASCII85Decode", None)],
            100,
        )
        .unwrap();
        assert_eq!(a85.data, b"Hello World!");
        let partial = decode(b"87cURD]i,\"Ebo7~>".to_vec(), &[step("A85", None)], 100).unwrap();
        assert_eq!(partial.data, b"Hello World");
        let zeros = decode(b"z~>".to_vec(), &[step("A85", None)], 100).unwrap();
        assert_eq!(zeros.data, vec![0; 4]);
    }

    #[test]
    fn run_length_and_lzw() {
        let rl = decode(
            vec![2, b'a', b'b', b'c', 254, b'x', 128],
            &[step("RL", None)],
            100,
        )
        .unwrap();
        assert_eq!(rl.data, b"abcxxx");
        let mut encoder = weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
        let packed = encoder.encode(b"-----A---B").unwrap();
        let lzw = decode(packed, &[step("LZWDecode", None)], 100).unwrap();
        assert_eq!(lzw.data, b"-----A---B");
    }

    #[test]
    fn image_codecs_are_left_encoded() {
        let decoded = decode(
            deflate(b"jpeg"),
            &[step("FlateDecode", None), step("DCTDecode", None)],
            100,
        )
        .unwrap();
        assert_eq!(decoded.data, b"jpeg");
        assert_eq!(decoded.remaining.len(), 1);
    }

    #[test]
    fn unknown_filter_is_an_error() {
        assert!(matches!(
            decode(vec![], &[step("Foo", None)], 100),
            Err(PdfError::UnsupportedFilter { .. })
        ));
    }

    #[test]
    fn identity_crypt_passes_and_long_chains_are_refused() {
        let mut chain = vec![step("FlateDecode", None)];
        chain.extend(std::iter::repeat_n(step("Crypt", None), MAX_FILTERS - 1));
        let decoded = decode(deflate(b"data"), &chain, 100).unwrap();
        assert_eq!(decoded.data, b"data");
        chain.push(step("Crypt", None));
        assert!(matches!(
            decode(deflate(b"data"), &chain, 100),
            Err(PdfError::LimitExceeded {
                limit: Limit::FilterChain,
                ..
            })
        ));
        let named = Dictionary::new().with("Name", Object::name("StdCF"));
        assert!(matches!(
            decode(b"x".to_vec(), &[step("Crypt", Some(named))], 100),
            Err(PdfError::UnsupportedFilter { .. })
        ));
    }
}
