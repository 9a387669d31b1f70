//! PDF text strings (§7.9.2.2: PDFDocEncoding, UTF-16BE, UTF-8 with BOM) and dates (§7.9.4).

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// PDFDocEncoding code points that differ from Latin-1 (bytes 0x18–0x1F and 0x80–0xA0);
/// `None` where the encoding leaves the byte undefined.
fn pdfdoc_char(byte: u8) -> Option<char> {
    let code: u32 = match byte {
        0x18 => 0x02D8,
        0x19 => 0x02C7,
        0x1A => 0x02C6,
        0x1B => 0x02D9,
        0x1C => 0x02DD,
        0x1D => 0x02DB,
        0x1E => 0x02DA,
        0x1F => 0x02DC,
        0x80 => 0x2022,
        0x81 => 0x2020,
        0x82 => 0x2021,
        0x83 => 0x2026,
        0x84 => 0x2014,
        0x85 => 0x2013,
        0x86 => 0x0192,
        0x87 => 0x2044,
        0x88 => 0x2039,
        0x89 => 0x203A,
        0x8A => 0x2212,
        0x8B => 0x2030,
        0x8C => 0x201E,
        0x8D => 0x201C,
        0x8E => 0x201D,
        0x8F => 0x2018,
        0x90 => 0x2019,
        0x91 => 0x201A,
        0x92 => 0x2122,
        0x93 => 0xFB01,
        0x94 => 0xFB02,
        0x95 => 0x0141,
        0x96 => 0x0152,
        0x97 => 0x0160,
        0x98 => 0x0178,
        0x99 => 0x017D,
        0x9A => 0x0131,
        0x9B => 0x0142,
        0x9C => 0x0153,
        0x9D => 0x0161,
        0x9E => 0x017E,
        0x9F | 0xAD => return None,
        0xA0 => 0x20AC,
        other => u32::from(other),
    };
    char::from_u32(code)
}

/// Decodes a text string: UTF-16BE (BOM FE FF), UTF-8 (BOM EF BB BF, PDF 2.0) or PDFDocEncoding.
/// Undecodable units become U+FFFD rather than an error: text strings are for display.
pub fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units = rest
            .chunks(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair.get(1).copied().unwrap_or(0)]));
        return char::decode_utf16(units)
            .map(|unit| unit.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes
        .iter()
        .map(|&byte| pdfdoc_char(byte).unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Encodes text for a text string: printable ASCII stays as is (identical in PDFDocEncoding),
/// anything else becomes UTF-16BE with a BOM, which every reader understands.
pub fn encode_text_string(value: &str) -> Vec<u8> {
    if value
        .bytes()
        .all(|byte| (0x20..0x7F).contains(&byte) || byte == b'\t' || byte == b'\n')
    {
        return value.as_bytes().to_vec();
    }
    let mut out = vec![0xFE, 0xFF];
    for unit in value.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out
}

/// Formats a date as a PDF date string, e.g. `D:20240309100800+07'00'` (UTC is written `Z`).
pub fn format_pdf_date(value: OffsetDateTime) -> String {
    let offset = value.offset();
    let zone = if offset.is_utc() {
        "Z".to_string()
    } else {
        let total = offset.whole_minutes();
        let sign = if total < 0 { '-' } else { '+' };
        let total = total.unsigned_abs();
        format!("{sign}{:02}'{:02}'", total / 60, total % 60)
    };
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}{zone}",
        value.year(),
        u8::from(value.month()),
        value.day(),
        value.hour(),
        value.minute(),
        value.second()
    )
}

/// Parses a PDF date string (`D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year optional, the
/// `D:` prefix and the trailing apostrophe tolerated when missing). `None` when malformed.
pub fn parse_pdf_date(value: &[u8]) -> Option<OffsetDateTime> {
    let text = value.strip_prefix(b"D:").unwrap_or(value);
    let digits_end = text
        .iter()
        .position(|byte| !byte.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, zone) = text.split_at(digits_end);
    if digits.len() < 4 || digits.len() > 14 || digits.len() % 2 != 0 {
        return None;
    }
    let field = |start: usize, default: u32| -> Option<u32> {
        match digits.get(start..start + 2) {
            Some(pair) => std::str::from_utf8(pair).ok()?.parse().ok(),
            None => Some(default),
        }
    };
    let year: i32 = std::str::from_utf8(digits.get(0..4)?).ok()?.parse().ok()?;
    let month = Month::try_from(u8::try_from(field(4, 1)?).ok()?).ok()?;
    let day = u8::try_from(field(6, 1)?).ok()?;
    let hour = u8::try_from(field(8, 0)?).ok()?;
    let minute = u8::try_from(field(10, 0)?).ok()?;
    let second = u8::try_from(field(12, 0)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let clock = Time::from_hms(hour, minute, second).ok()?;
    let offset = parse_zone(zone)?;
    Some(PrimitiveDateTime::new(date, clock).assume_offset(offset))
}

fn parse_zone(zone: &[u8]) -> Option<UtcOffset> {
    let Some((&sign, rest)) = zone.split_first() else {
        return Some(UtcOffset::UTC);
    };
    if sign == b'Z' {
        return Some(UtcOffset::UTC);
    }
    let negative = match sign {
        b'+' => false,
        b'-' => true,
        _ => return None,
    };
    let digits: Vec<u8> = rest
        .iter()
        .copied()
        .filter(|byte| byte.is_ascii_digit())
        .collect();
    let hours: i8 = std::str::from_utf8(digits.get(0..2)?).ok()?.parse().ok()?;
    let minutes: i8 = match digits.get(2..4) {
        Some(pair) => std::str::from_utf8(pair).ok()?.parse().ok()?,
        None => 0,
    };
    let (hours, minutes) = if negative {
        (-hours, -minutes)
    } else {
        (hours, minutes)
    };
    UtcOffset::from_hms(hours, minutes, 0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_round_trip_vietnamese() {
        let value = "Viện Kiểm sát nhân dân tỉnh Thái Nguyên";
        let encoded = encode_text_string(value);
        assert_eq!(&encoded[..2], &[0xFE, 0xFF]);
        assert_eq!(decode_text_string(&encoded), value);
        assert_eq!(encode_text_string("Signature1"), b"Signature1");
    }

    #[test]
    fn pdfdoc_encoding_maps_the_special_range() {
        assert_eq!(decode_text_string(&[0x80, 0x41, 0xA0]), "•A€");
    }

    #[test]
    fn dates_format_and_parse() {
        let date = time::macros::datetime!(2024-03-09 10:08:00 +07:00);
        let text = format_pdf_date(date);
        assert_eq!(text, "D:20240309100800+07'00'");
        assert_eq!(parse_pdf_date(text.as_bytes()), Some(date));
        assert_eq!(
            parse_pdf_date(b"D:2024"),
            Some(time::macros::datetime!(2024-01-01 00:00:00 UTC))
        );
        assert_eq!(parse_pdf_date(b"D:20241399"), None);
        assert_eq!(parse_pdf_date(b"garbage"), None);
    }
}
