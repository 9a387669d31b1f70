//! Distinguished names: decoding for display and comparison by the rules of RFC 5280 §7.1.
//!
//! Two names match when their encodings are identical or when, attribute by attribute, their
//! decoded values are equal after case folding and whitespace collapsing (a simplified RFC 4518
//! string preparation). This is what lets a certificate whose issuer is a `UTF8String` chain to a
//! CA whose subject is a `PrintableString`, as happens with the Vietnamese CAs.

use std::fmt;

use x509_parser::der_parser::asn1_rs::{Class, Tag};
use x509_parser::x509::{AttributeTypeAndValue, X509Name};

/// A decoded distinguished name with its comparison key.
#[derive(Clone, Debug)]
pub struct DistinguishedName {
    raw: Vec<u8>,
    rdns: Vec<Vec<NameAttribute>>,
    key: NameKey,
}

/// One attribute of a name: its type (dotted OID) and its value decoded to text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameAttribute {
    pub oid: String,
    pub value: String,
}

/// The comparison form of a name: per RDN, the sorted (type, prepared value) pairs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NameKey(Vec<Vec<(String, String)>>);

pub const OID_COMMON_NAME: &str = "2.5.4.3";
pub const OID_SERIAL_NUMBER: &str = "2.5.4.5";
pub const OID_COUNTRY: &str = "2.5.4.6";
pub const OID_LOCALITY: &str = "2.5.4.7";
pub const OID_STATE: &str = "2.5.4.8";
pub const OID_ORGANISATION: &str = "2.5.4.10";
pub const OID_ORGANISATIONAL_UNIT: &str = "2.5.4.11";
pub const OID_TITLE: &str = "2.5.4.12";
pub const OID_EMAIL: &str = "1.2.840.113549.1.9.1";
pub const OID_USER_ID: &str = "0.9.2342.19200300.100.1.1";

/// Short labels used when a name is displayed (RFC 4514 and common practice).
const LABELS: &[(&str, &str)] = &[
    (OID_COMMON_NAME, "CN"),
    ("2.5.4.4", "SN"),
    (OID_SERIAL_NUMBER, "SERIALNUMBER"),
    (OID_COUNTRY, "C"),
    (OID_LOCALITY, "L"),
    (OID_STATE, "ST"),
    ("2.5.4.9", "STREET"),
    (OID_ORGANISATION, "O"),
    (OID_ORGANISATIONAL_UNIT, "OU"),
    (OID_TITLE, "T"),
    ("2.5.4.42", "GN"),
    ("2.5.4.65", "PSEUDONYM"),
    ("2.5.4.97", "ORGID"),
    (OID_EMAIL, "E"),
    (OID_USER_ID, "UID"),
    ("0.9.2342.19200300.100.1.25", "DC"),
];

impl DistinguishedName {
    /// Decodes a name parsed by x509-parser.
    pub fn from_x509(name: &X509Name<'_>) -> Self {
        let rdns: Vec<Vec<NameAttribute>> = name
            .iter()
            .map(|rdn| rdn.iter().map(decode_attribute).collect())
            .collect();
        let key = NameKey(
            rdns.iter()
                .map(|rdn| {
                    let mut pairs: Vec<(String, String)> = rdn
                        .iter()
                        .map(|attr| (attr.oid.clone(), prepare(&attr.value)))
                        .collect();
                    pairs.sort();
                    pairs
                })
                .collect(),
        );
        DistinguishedName {
            raw: name.as_raw().to_vec(),
            rdns,
            key,
        }
    }

    /// The DER encoding of the name, as found in the certificate.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The comparison key (for indexing).
    pub fn key(&self) -> &NameKey {
        &self.key
    }

    /// True when the two names denote the same entity (RFC 5280 §7.1).
    pub fn matches(&self, other: &DistinguishedName) -> bool {
        self.raw == other.raw || self.key == other.key
    }

    /// True for the empty name (allowed for end entities that carry only a subjectAltName).
    pub fn is_empty(&self) -> bool {
        self.rdns.is_empty()
    }

    /// Every attribute, in the order of the encoding.
    pub fn attributes(&self) -> impl Iterator<Item = &NameAttribute> {
        self.rdns.iter().flatten()
    }

    /// The first value of the attribute with this OID.
    pub fn first(&self, oid: &str) -> Option<&str> {
        self.attributes()
            .find(|attr| attr.oid == oid)
            .map(|attr| attr.value.as_str())
    }

    pub fn common_name(&self) -> Option<&str> {
        self.first(OID_COMMON_NAME)
    }

    pub fn organisation(&self) -> Option<&str> {
        self.first(OID_ORGANISATION)
    }

    pub fn organisational_unit(&self) -> Option<&str> {
        self.first(OID_ORGANISATIONAL_UNIT)
    }

    pub fn country(&self) -> Option<&str> {
        self.first(OID_COUNTRY)
    }

    pub fn email(&self) -> Option<&str> {
        self.first(OID_EMAIL)
    }

    /// The most recognisable label: the common name, else the organisation, else the whole name.
    pub fn short(&self) -> String {
        self.common_name()
            .or_else(|| self.organisation())
            .map(str::to_owned)
            .unwrap_or_else(|| self.to_string())
    }
}

/// Most specific attribute first (`CN=…, O=…, C=VN`), as RFC 4514 writes names.
impl fmt::Display for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, rdn) in self.rdns.iter().rev().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            for (position, attr) in rdn.iter().enumerate() {
                if position > 0 {
                    f.write_str(" + ")?;
                }
                write!(f, "{}={}", label(&attr.oid), escape(&attr.value))?;
            }
        }
        Ok(())
    }
}

fn label(oid: &str) -> &str {
    LABELS
        .iter()
        .find(|(known, _)| *known == oid)
        .map(|(_, label)| *label)
        .unwrap_or(oid)
}

/// Escapes the characters RFC 4514 §2.4 reserves, so that a displayed name cannot be misread.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (index, ch) in value.chars().enumerate() {
        let reserved = matches!(ch, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (index == 0 && (ch == '#' || ch == ' '));
        if reserved {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

fn decode_attribute(attr: &AttributeTypeAndValue<'_>) -> NameAttribute {
    NameAttribute {
        oid: attr.attr_type().to_id_string(),
        value: decode_value(attr),
    }
}

/// Decodes the directory string types; any other value is shown as `#` and its hex bytes.
fn decode_value(attr: &AttributeTypeAndValue<'_>) -> String {
    let any = attr.attr_value();
    let data = any.data;
    if any.class() != Class::Universal {
        return format!("#{}", hex::encode(data));
    }
    let decoded = match any.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::VisibleString => std::str::from_utf8(data).ok().map(str::to_owned),
        // T.61 is in practice used as Latin-1.
        Tag::TeletexString => Some(data.iter().map(|&byte| char::from(byte)).collect()),
        Tag::BmpString => decode_utf16_be(data),
        Tag::UniversalString => decode_utf32_be(data),
        _ => None,
    };
    decoded.unwrap_or_else(|| format!("#{}", hex::encode(data)))
}

fn decode_utf16_be(data: &[u8]) -> Option<String> {
    if !data.len().is_multiple_of(2) {
        return None;
    }
    let units: Option<Vec<u16>> = data
        .chunks_exact(2)
        .map(|pair| pair.try_into().ok().map(u16::from_be_bytes))
        .collect();
    String::from_utf16(&units?).ok()
}

fn decode_utf32_be(data: &[u8]) -> Option<String> {
    if !data.len().is_multiple_of(4) {
        return None;
    }
    data.chunks_exact(4)
        .map(|quad| {
            quad.try_into()
                .ok()
                .and_then(|bytes| char::from_u32(u32::from_be_bytes(bytes)))
        })
        .collect()
}

/// Case folding and whitespace collapsing: the parts of RFC 4518 string preparation that matter
/// for real certificates.
fn prepare(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preparation_folds_case_and_collapses_spaces() {
        assert_eq!(prepare("  Ban  Cơ YẾU\tChính phủ "), "ban cơ yếu chính phủ");
    }

    #[test]
    fn utf16_values_decode() {
        assert_eq!(
            decode_utf16_be(&[0x00, 0x43, 0x01, 0xA1]).as_deref(),
            Some("Cơ")
        );
        assert_eq!(decode_utf16_be(&[0x00]), None);
    }

    #[test]
    fn reserved_characters_are_escaped() {
        assert_eq!(escape("A, B"), "A\\, B");
        assert_eq!(escape("#x"), "\\#x");
    }
}
