//! Writing objects in PDF syntax (§7.3): name and string escapes, reals without exponents, and the
//! byte spans of a dictionary's values for callers that patch bytes in place.

use std::ops::Range;

use super::object::{Dictionary, Name, Object, ObjectId, PdfString, StreamData, StringForm};

/// Appends the PDF syntax of `object`. Streams must hold owned data: the writer loads data that
/// still lives in the source before serialising (see [`write_object_checked`]).
pub fn write_object(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Bool(true) => out.extend_from_slice(b"true"),
        Object::Bool(false) => out.extend_from_slice(b"false"),
        Object::Integer(value) => out.extend_from_slice(value.to_string().as_bytes()),
        Object::Real(value) => write_real(out, *value),
        Object::Name(name) => write_name(out, name),
        Object::String(string) => write_string(out, string),
        Object::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => {
            write_dictionary(out, dict);
        }
        Object::Stream(stream) => {
            let data: &[u8] = match &stream.data {
                StreamData::Owned(bytes) => bytes,
                StreamData::InFile { .. } => &[],
            };
            let mut dict = stream.dict.clone();
            dict.insert("Length", Object::Integer(data.len() as i64));
            write_dictionary(out, &dict);
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(data);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference(ObjectId { number, generation }) => {
            out.extend_from_slice(format!("{number} {generation} R").as_bytes());
        }
    }
}

/// Like [`write_object`], but refuses streams whose data was not loaded (it would be lost).
pub fn write_object_checked(out: &mut Vec<u8>, object: &Object) -> Result<(), UnloadedStream> {
    if contains_unloaded_stream(object) {
        return Err(UnloadedStream);
    }
    write_object(out, object);
    Ok(())
}

/// A stream whose data still lives in the source file was given to the serializer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnloadedStream;

fn contains_unloaded_stream(object: &Object) -> bool {
    match object {
        Object::Stream(stream) => matches!(stream.data, StreamData::InFile { .. }),
        Object::Array(items) => items.iter().any(contains_unloaded_stream),
        Object::Dictionary(dict) => dict
            .iter()
            .any(|(_, value)| contains_unloaded_stream(value)),
        _ => false,
    }
}

/// Writes `<< /Key value … >>` and returns, for each entry in order, the span of its value as
/// indices into `out`.
pub fn write_dictionary(out: &mut Vec<u8>, dict: &Dictionary) -> Vec<(Name, Range<usize>)> {
    let mut spans = Vec::with_capacity(dict.len());
    out.extend_from_slice(b"<<");
    for (key, value) in dict {
        out.push(b' ');
        write_name(out, key);
        out.push(b' ');
        let start = out.len();
        write_object(out, value);
        spans.push((key.clone(), start..out.len()));
    }
    out.extend_from_slice(b" >>");
    spans
}

/// Writes a real in plain decimal notation (PDF has no exponent syntax). Non-finite values, which
/// the parser never produces, are written as 0.
pub fn write_real(out: &mut Vec<u8>, value: f64) {
    if !value.is_finite() {
        out.push(b'0');
        return;
    }
    // Rust's `Display` for f64 never uses an exponent and gives the shortest round-trip form.
    let text = if value == 0.0 {
        "0".to_string()
    } else {
        value.to_string()
    };
    out.extend_from_slice(text.as_bytes());
}

/// Writes `/Name`, escaping as `#xx` every byte that is not a regular character (§7.3.5).
pub fn write_name(out: &mut Vec<u8>, name: &Name) {
    out.push(b'/');
    for &byte in name.as_bytes() {
        if is_regular_name_byte(byte) {
            out.push(byte);
        } else {
            out.extend_from_slice(format!("#{byte:02X}").as_bytes());
        }
    }
}

fn is_regular_name_byte(byte: u8) -> bool {
    (0x21..=0x7E).contains(&byte)
        && !matches!(
            byte,
            b'#' | b'/' | b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'%'
        )
}

/// Writes a string in its remembered form. Literal strings escape `\`, `(`, `)` and the line-end
/// and control bytes that readers would otherwise normalise.
pub fn write_string(out: &mut Vec<u8>, string: &PdfString) {
    match string.form {
        StringForm::Hex => write_hex_string(out, &string.bytes),
        StringForm::Literal => {
            out.push(b'(');
            for &byte in &string.bytes {
                match byte {
                    b'(' | b')' | b'\\' => {
                        out.push(b'\\');
                        out.push(byte);
                    }
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    0x08 => out.extend_from_slice(b"\\b"),
                    0x0C => out.extend_from_slice(b"\\f"),
                    0x00..=0x1F | 0x7F => out.extend_from_slice(format!("\\{byte:03o}").as_bytes()),
                    _ => out.push(byte),
                }
            }
            out.push(b')');
        }
    }
}

/// Writes `<…>` with upper-case hex digits.
pub fn write_hex_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'<');
    out.extend_from_slice(hex::encode_upper(bytes).as_bytes());
    out.push(b'>');
}

/// The PDF syntax of `object` as a new vector.
pub fn to_bytes(object: &Object) -> Vec<u8> {
    let mut out = Vec::new();
    write_object(&mut out, object);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_escape_delimiters_and_non_ascii() {
        let bytes = to_bytes(&Object::name(&b"A B#(\xC3"[..]));
        assert_eq!(bytes, b"/A#20B#23#28#C3");
    }

    #[test]
    fn literal_strings_escape_what_readers_normalise() {
        let bytes = to_bytes(&Object::string(&b"a(b)\\\r\n\x01"[..]));
        assert_eq!(bytes, b"(a\\(b\\)\\\\\\r\\n\\001)");
    }

    #[test]
    fn reals_never_use_exponents() {
        assert_eq!(to_bytes(&Object::Real(1e-7)), b"0.0000001");
        assert_eq!(to_bytes(&Object::Real(1.5e20)), b"150000000000000000000");
        assert_eq!(to_bytes(&Object::Real(-0.0)), b"0");
        assert_eq!(to_bytes(&Object::Real(f64::NAN)), b"0");
        assert_eq!(to_bytes(&Object::Real(595.2756)), b"595.2756");
    }

    #[test]
    fn dictionary_spans_point_at_values() {
        let dict = Dictionary::new()
            .with("Type", Object::name("Sig"))
            .with("Contents", Object::String(PdfString::hex(vec![0, 0])));
        let mut out = b"xx".to_vec();
        let spans = write_dictionary(&mut out, &dict);
        let contents = &spans[1].1;
        assert_eq!(&out[contents.clone()], b"<0000>");
        assert_eq!(&out[spans[0].1.clone()], b"/Sig");
    }
}
