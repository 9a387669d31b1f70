//! RFC 3161 timestamp tokens: the TSTInfo structure (defined here on der 0.7; `x509-tsp` pulls
//! der 0.8), parsing a token, checking its message imprint and verifying its signature.

use const_oid::ObjectIdentifier;
use der::asn1::{Int, OctetString};
use der::{DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Sequence, Tag, Writer};
use spki::AlgorithmIdentifierOwned;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::GeneralName;

use super::error::CmsError;
use super::oid;
use super::parse::{SignedData, SignerInfo, parse_signed_data_exact};
use super::verify::{SignerVerification, VerifyError, verify_signer_info};
use crate::crypto::{DigestAlgorithm, UnsupportedAlgorithm};

/// `MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct MessageImprint {
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub hashed_message: OctetString,
}

/// `Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER (1..999) OPTIONAL,
///   micros [1] INTEGER (1..999) OPTIONAL }`
#[derive(Clone, Debug, Default, Eq, PartialEq, Sequence)]
pub struct Accuracy {
    #[asn1(optional = "true")]
    pub seconds: Option<u64>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<u16>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<u16>,
}

impl Accuracy {
    /// The accuracy as a duration; a hostile `seconds` saturates instead of overflowing.
    pub fn duration(&self) -> time::Duration {
        time::Duration::seconds(i64::try_from(self.seconds.unwrap_or(0)).unwrap_or(i64::MAX))
            .saturating_add(time::Duration::milliseconds(i64::from(
                self.millis.unwrap_or(0),
            )))
            .saturating_add(time::Duration::microseconds(i64::from(
                self.micros.unwrap_or(0),
            )))
    }
}

/// `TSTInfo` (RFC 3161 §2.4.2).
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TstInfo {
    pub version: u8,
    pub policy: ObjectIdentifier,
    pub message_imprint: MessageImprint,
    pub serial_number: Int,
    pub gen_time: GeneralizedTimeFraction,
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// A GeneralizedTime that may carry fractional seconds (`YYYYMMDDhhmmss[.f+]Z`), as RFC 3161
/// allows for `genTime`; the `der` crate's own type refuses fractions.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct GeneralizedTimeFraction(pub OffsetDateTime);

impl FixedTag for GeneralizedTimeFraction {
    const TAG: Tag = Tag::GeneralizedTime;
}

impl<'a> DecodeValue<'a> for GeneralizedTimeFraction {
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let bytes = reader.read_vec(header.length)?;
        parse_generalized_time(&bytes)
            .map(GeneralizedTimeFraction)
            .ok_or_else(|| Tag::GeneralizedTime.value_error())
    }
}

impl EncodeValue for GeneralizedTimeFraction {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(format_generalized_time(self.0).len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(format_generalized_time(self.0).as_bytes())
    }
}

fn parse_generalized_time(bytes: &[u8]) -> Option<OffsetDateTime> {
    let text = std::str::from_utf8(bytes).ok()?;
    let body = text.strip_suffix('Z')?;
    let (whole, fraction) = match body.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (body, None),
    };
    if whole.len() != 14 || !whole.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| whole.get(range)?.parse::<u32>().ok();
    let date = Date::from_calendar_date(
        i32::try_from(number(0..4)?).ok()?,
        Month::try_from(u8::try_from(number(4..6)?).ok()?).ok()?,
        u8::try_from(number(6..8)?).ok()?,
    )
    .ok()?;
    let nanoseconds = match fraction {
        Some(digits)
            if !digits.is_empty()
                && digits.len() <= 9
                && digits.bytes().all(|byte| byte.is_ascii_digit()) =>
        {
            let value: u32 = digits.parse().ok()?;
            value.checked_mul(10u32.checked_pow(9 - u32::try_from(digits.len()).ok()?)?)?
        }
        Some(_) => return None,
        None => 0,
    };
    let time = Time::from_hms_nano(
        u8::try_from(number(8..10)?).ok()?,
        u8::try_from(number(10..12)?).ok()?,
        u8::try_from(number(12..14)?).ok()?,
        nanoseconds,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

fn format_generalized_time(time: OffsetDateTime) -> String {
    let time = time.to_offset(time::UtcOffset::UTC);
    let mut text = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    );
    let nanoseconds = time.nanosecond();
    if nanoseconds != 0 {
        let fraction = format!("{nanoseconds:09}");
        text.push('.');
        text.push_str(fraction.trim_end_matches('0'));
    }
    text.push('Z');
    text
}

/// A parsed RFC 3161 `TimeStampToken`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeStampToken {
    pub signed_data: SignedData,
    pub tst_info: TstInfo,
}

impl TimeStampToken {
    /// Parses a DER `ContentInfo` whose SignedData encapsulates a TSTInfo.
    pub fn parse(der: &[u8]) -> Result<Self, CmsError> {
        use der::Decode;
        let signed_data = parse_signed_data_exact(der)?;
        if signed_data.content_type != oid::ID_CT_TST_INFO {
            return Err(CmsError::TimeStamp(format!(
                "the encapsulated content type is {}, not id-ct-TSTInfo",
                signed_data.content_type
            )));
        }
        let content = signed_data
            .content
            .as_deref()
            .ok_or_else(|| CmsError::TimeStamp("the TSTInfo is missing".into()))?;
        super::tlv::check_shape(content, 0, "TSTInfo")?;
        let tst_info = TstInfo::from_der(content).map_err(|source| CmsError::Malformed {
            what: "TSTInfo",
            offset: 0,
            source,
        })?;
        if tst_info.version != 1 {
            return Err(CmsError::UnsupportedVersion {
                what: "TSTInfo",
                version: u64::from(tst_info.version),
            });
        }
        if signed_data.signer_infos.len() != 1 {
            return Err(CmsError::TimeStamp(format!(
                "a timestamp token has exactly one SignerInfo, this one has {}",
                signed_data.signer_infos.len()
            )));
        }
        Ok(TimeStampToken {
            signed_data,
            tst_info,
        })
    }

    /// The TSA's SignerInfo.
    pub fn signer(&self) -> Option<&SignerInfo> {
        self.signed_data.signer_infos.first()
    }

    pub fn gen_time(&self) -> OffsetDateTime {
        self.tst_info.gen_time.0
    }

    /// The hash algorithm of the message imprint.
    pub fn imprint_algorithm(&self) -> Result<DigestAlgorithm, UnsupportedAlgorithm> {
        DigestAlgorithm::from_oid(self.tst_info.message_imprint.hash_algorithm.oid)
    }

    /// Whether the message imprint is the hash of `data` (for a signature timestamp: the
    /// SignerInfo's signature value; for a document timestamp: the signed byte ranges).
    pub fn imprint_matches(&self, data: &[u8]) -> Result<bool, UnsupportedAlgorithm> {
        let algorithm = self.imprint_algorithm()?;
        Ok(self.tst_info.message_imprint.hashed_message.as_bytes() == algorithm.digest(data))
    }

    /// Verifies the TSA's signature over the TSTInfo with `certificate` (found, for instance,
    /// with `find_signer_certificate` among the token's certificates).
    pub fn verify(&self, certificate: &[u8]) -> Result<SignerVerification, VerifyError> {
        let signer = self
            .signer()
            .ok_or(VerifyError::SignerCertificateNotFound)?;
        let digest = signer.digest()?;
        let content = self.signed_data.content.as_deref().unwrap_or_default();
        verify_signer_info(
            &self.signed_data,
            signer,
            certificate,
            &digest.digest(content),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalized_time_with_and_without_fraction() {
        let whole = parse_generalized_time(b"20240309030800Z").unwrap();
        assert_eq!(whole.unix_timestamp(), 1_709_953_680);
        let fraction = parse_generalized_time(b"20240309030800.125Z").unwrap();
        assert_eq!(fraction.nanosecond(), 125_000_000);
        assert_eq!(format_generalized_time(fraction), "20240309030800.125Z");
        assert_eq!(format_generalized_time(whole), "20240309030800Z");
        for bad in [
            &b"20240309030800"[..],
            b"20240309030800.Z",
            b"20240309030800.1234567890Z",
            b"20241309030800Z",
            b"2024030903080Z",
            b"20240309030800+0700",
            b"\xff",
        ] {
            assert!(parse_generalized_time(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn a_hostile_accuracy_saturates() {
        let huge = Accuracy {
            seconds: Some(u64::MAX),
            millis: Some(999),
            micros: Some(999),
        };
        assert_eq!(huge.duration().whole_seconds(), i64::MAX);
        let normal = Accuracy {
            seconds: Some(1),
            millis: Some(500),
            micros: None,
        };
        assert_eq!(normal.duration(), time::Duration::milliseconds(1500));
    }
}
