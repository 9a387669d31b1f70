//! The RFC 3161 wire format: `TimeStampReq`, `TimeStampResp`, `PKIStatusInfo` and the
//! `PKIFailureInfo` bits, with their DER encoding and decoding, and the HTTP media types of the
//! transport (RFC 3161 §3.4).
//!
//! Defined here on der 0.7 (as `cms::timestamp` defines `TSTInfo`): `x509-tsp` 0.1 takes
//! `PKIStatusInfo` from `cmpv2` 0.2, whose `PKIFailureInfo` flags are declared with bit
//! positions as flag values (`badAlg = 0` is the empty flag set, `badTime` repeats
//! `badRequest`), so its failure bits would be wrong on the wire.

use const_oid::ObjectIdentifier;
use der::asn1::{Any, BitString, Int};
use der::{Decode, Encode, Sequence};
use x509_cert::ext::Extensions;

use crate::cms::MessageImprint;
use crate::crypto::DigestAlgorithm;

/// The media type of a request body (`Content-Type` of `POST /tsa`).
pub const QUERY_MEDIA_TYPE: &str = "application/timestamp-query";
/// The media type of a response body.
pub const REPLY_MEDIA_TYPE: &str = "application/timestamp-reply";

/// `TimeStampReq` (RFC 3161 §2.4.1).
///
/// ```text
/// TimeStampReq ::= SEQUENCE {
///    version         INTEGER { v1(1) },
///    messageImprint  MessageImprint,
///    reqPolicy       TSAPolicyId             OPTIONAL,
///    nonce           INTEGER                 OPTIONAL,
///    certReq         BOOLEAN                 DEFAULT FALSE,
///    extensions      [0] IMPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TimeStampReq {
    pub version: u64,
    pub message_imprint: MessageImprint,
    #[asn1(optional = "true")]
    pub req_policy: Option<ObjectIdentifier>,
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    #[asn1(default = "Default::default")]
    pub cert_req: bool,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

impl TimeStampReq {
    /// A version 1 request for `digest` (computed with `algorithm`), without extensions.
    /// The digest's length is not checked here (an authority must see wrong lengths too).
    pub fn new(
        algorithm: DigestAlgorithm,
        digest: &[u8],
        policy: Option<ObjectIdentifier>,
        nonce: Option<Int>,
        cert_req: bool,
    ) -> Result<Self, der::Error> {
        Ok(TimeStampReq {
            version: 1,
            message_imprint: MessageImprint {
                hash_algorithm: algorithm.algorithm_identifier(),
                hashed_message: der::asn1::OctetString::new(digest)?,
            },
            req_policy: policy,
            nonce,
            cert_req,
            extensions: None,
        })
    }

    /// The DER request body.
    pub fn to_der_bytes(&self) -> Result<Vec<u8>, der::Error> {
        self.to_der()
    }

    /// Decodes a DER request; anything else (BER, trailing bytes) is an error.
    pub fn from_der_bytes(der: &[u8]) -> Result<Self, der::Error> {
        Self::from_der(der)
    }
}

/// `PKIStatus` values (RFC 3161 §2.4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PkiStatus {
    /// A token is present, as requested.
    Granted,
    /// A token is present, with modifications (RFC 3161 defines none for timestamps).
    GrantedWithMods,
    Rejection,
    Waiting,
    RevocationWarning,
    RevocationNotification,
    /// A value RFC 3161 does not define.
    Other(u64),
}

impl PkiStatus {
    pub fn from_value(value: u64) -> Self {
        match value {
            0 => PkiStatus::Granted,
            1 => PkiStatus::GrantedWithMods,
            2 => PkiStatus::Rejection,
            3 => PkiStatus::Waiting,
            4 => PkiStatus::RevocationWarning,
            5 => PkiStatus::RevocationNotification,
            other => PkiStatus::Other(other),
        }
    }

    pub fn value(self) -> u64 {
        match self {
            PkiStatus::Granted => 0,
            PkiStatus::GrantedWithMods => 1,
            PkiStatus::Rejection => 2,
            PkiStatus::Waiting => 3,
            PkiStatus::RevocationWarning => 4,
            PkiStatus::RevocationNotification => 5,
            PkiStatus::Other(other) => other,
        }
    }

    /// Whether a response with this status carries a token.
    pub fn is_granted(self) -> bool {
        matches!(self, PkiStatus::Granted | PkiStatus::GrantedWithMods)
    }

    pub fn name(self) -> String {
        match self {
            PkiStatus::Granted => "granted".into(),
            PkiStatus::GrantedWithMods => "grantedWithMods".into(),
            PkiStatus::Rejection => "rejection".into(),
            PkiStatus::Waiting => "waiting".into(),
            PkiStatus::RevocationWarning => "revocationWarning".into(),
            PkiStatus::RevocationNotification => "revocationNotification".into(),
            PkiStatus::Other(value) => format!("status {value}"),
        }
    }
}

impl std::fmt::Display for PkiStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// `PKIFailureInfo` bits RFC 3161 §2.4.2 names (a rejection carries one, a foreign TSA may set
/// any bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailureInfo {
    /// Unrecognized or unsupported algorithm identifier.
    BadAlg,
    /// Transaction not permitted or supported.
    BadRequest,
    /// The data submitted has the wrong format.
    BadDataFormat,
    /// The TSA's time source is not available.
    TimeNotAvailable,
    /// The requested TSA policy is not supported by the TSA.
    UnacceptedPolicy,
    /// The requested extension is not supported by the TSA.
    UnacceptedExtension,
    /// The additional information requested could not be understood or is not available.
    AddInfoNotAvailable,
    /// The request cannot be handled due to system failure.
    SystemFailure,
    /// A bit RFC 3161 does not name.
    Other(usize),
}

impl FailureInfo {
    /// The bit's position in the BIT STRING (bit 0 is the first, most significant, bit).
    pub fn bit(self) -> usize {
        match self {
            FailureInfo::BadAlg => 0,
            FailureInfo::BadRequest => 2,
            FailureInfo::BadDataFormat => 5,
            FailureInfo::TimeNotAvailable => 14,
            FailureInfo::UnacceptedPolicy => 15,
            FailureInfo::UnacceptedExtension => 16,
            FailureInfo::AddInfoNotAvailable => 17,
            FailureInfo::SystemFailure => 25,
            FailureInfo::Other(bit) => bit,
        }
    }

    pub fn from_bit(bit: usize) -> Self {
        match bit {
            0 => FailureInfo::BadAlg,
            2 => FailureInfo::BadRequest,
            5 => FailureInfo::BadDataFormat,
            14 => FailureInfo::TimeNotAvailable,
            15 => FailureInfo::UnacceptedPolicy,
            16 => FailureInfo::UnacceptedExtension,
            17 => FailureInfo::AddInfoNotAvailable,
            25 => FailureInfo::SystemFailure,
            other => FailureInfo::Other(other),
        }
    }

    /// The RFC's name (`badAlg`), for messages, logs and metric labels.
    pub fn name(self) -> String {
        match self {
            FailureInfo::BadAlg => "badAlg".into(),
            FailureInfo::BadRequest => "badRequest".into(),
            FailureInfo::BadDataFormat => "badDataFormat".into(),
            FailureInfo::TimeNotAvailable => "timeNotAvailable".into(),
            FailureInfo::UnacceptedPolicy => "unacceptedPolicy".into(),
            FailureInfo::UnacceptedExtension => "unacceptedExtension".into(),
            FailureInfo::AddInfoNotAvailable => "addInfoNotAvailable".into(),
            FailureInfo::SystemFailure => "systemFailure".into(),
            FailureInfo::Other(bit) => format!("bit {bit}"),
        }
    }

    /// The DER BIT STRING with only this bit set (named-bit lists drop trailing zero bits).
    fn bit_string(self) -> Result<BitString, der::Error> {
        let bit = self.bit();
        let mut bytes = vec![0u8; bit / 8 + 1];
        if let Some(byte) = bytes.last_mut() {
            *byte = 0x80 >> (bit % 8);
        }
        let unused = u8::try_from(7 - bit % 8).map_err(|_| der::Tag::BitString.value_error())?;
        BitString::new(unused, bytes)
    }

    /// Every bit set in a received BIT STRING.
    fn all_in(bits: &BitString) -> Vec<FailureInfo> {
        bits.bits()
            .enumerate()
            .filter(|(_, set)| *set)
            .map(|(bit, _)| FailureInfo::from_bit(bit))
            .collect()
    }
}

impl std::fmt::Display for FailureInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// `PKIStatusInfo ::= SEQUENCE { status PKIStatus, statusString PKIFreeText OPTIONAL,
///   failInfo PKIFailureInfo OPTIONAL }`, `PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String`.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct PkiStatusInfoDer {
    status: u64,
    #[asn1(optional = "true")]
    status_string: Option<Vec<String>>,
    #[asn1(optional = "true")]
    fail_info: Option<BitString>,
}

/// `TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }`
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TimeStampRespDer {
    status: PkiStatusInfoDer,
    #[asn1(optional = "true")]
    time_stamp_token: Option<Any>,
}

/// A decoded `TimeStampResp`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeStampResp {
    pub status: PkiStatus,
    /// The statusString texts, joined with "; ".
    pub status_text: Option<String>,
    /// The failInfo bits that are set.
    pub fail_info: Vec<FailureInfo>,
    /// The DER `ContentInfo` of the token, exactly as received.
    pub token: Option<Vec<u8>>,
}

impl TimeStampResp {
    /// A granted response carrying `token` (a DER `ContentInfo`).
    pub fn granted(token: &[u8]) -> Result<Vec<u8>, der::Error> {
        TimeStampRespDer {
            status: PkiStatusInfoDer {
                status: PkiStatus::Granted.value(),
                status_string: None,
                fail_info: None,
            },
            time_stamp_token: Some(Any::from_der(token)?),
        }
        .to_der()
    }

    /// A rejection with one failure bit and a human-readable text.
    pub fn rejection(fail_info: FailureInfo, text: &str) -> Result<Vec<u8>, der::Error> {
        TimeStampRespDer {
            status: PkiStatusInfoDer {
                status: PkiStatus::Rejection.value(),
                status_string: Some(vec![text.to_owned()]),
                fail_info: Some(fail_info.bit_string()?),
            },
            time_stamp_token: None,
        }
        .to_der()
    }

    /// Decodes a DER response. The token is kept as received and not parsed here.
    pub fn from_der_bytes(der: &[u8]) -> Result<Self, der::Error> {
        let decoded = TimeStampRespDer::from_der(der)?;
        let token = decoded
            .time_stamp_token
            .map(|token| token.to_der())
            .transpose()?;
        Ok(TimeStampResp {
            status: PkiStatus::from_value(decoded.status.status),
            status_text: decoded
                .status
                .status_string
                .filter(|texts| !texts.is_empty())
                .map(|texts| texts.join("; ")),
            fail_info: decoded
                .status
                .fail_info
                .as_ref()
                .map(FailureInfo::all_in)
                .unwrap_or_default(),
            token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_bits_are_where_rfc_3161_puts_them() {
        // badAlg: bit 0 → 03 02 07 80
        let bad_alg = TimeStampResp::rejection(FailureInfo::BadAlg, "x").unwrap();
        assert!(bad_alg.windows(4).any(|w| w == [0x03, 0x02, 0x07, 0x80]));
        // badRequest: bit 2 → 03 02 05 20
        let bad_request = TimeStampResp::rejection(FailureInfo::BadRequest, "x").unwrap();
        assert!(
            bad_request
                .windows(4)
                .any(|w| w == [0x03, 0x02, 0x05, 0x20])
        );
        // systemFailure: bit 25 → 03 05 06 00 00 00 40
        let failure = TimeStampResp::rejection(FailureInfo::SystemFailure, "x").unwrap();
        assert!(
            failure
                .windows(7)
                .any(|w| w == [0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40])
        );
        for info in [
            FailureInfo::BadAlg,
            FailureInfo::BadRequest,
            FailureInfo::BadDataFormat,
            FailureInfo::TimeNotAvailable,
            FailureInfo::UnacceptedPolicy,
            FailureInfo::UnacceptedExtension,
            FailureInfo::AddInfoNotAvailable,
            FailureInfo::SystemFailure,
        ] {
            let der = TimeStampResp::rejection(info, "lý do / reason").unwrap();
            let parsed = TimeStampResp::from_der_bytes(&der).unwrap();
            assert_eq!(parsed.status, PkiStatus::Rejection);
            assert_eq!(parsed.fail_info, vec![info]);
            assert_eq!(parsed.status_text.as_deref(), Some("lý do / reason"));
            assert_eq!(parsed.token, None);
        }
    }

    #[test]
    fn a_request_round_trips() {
        let digest = DigestAlgorithm::Sha256.digest(b"data");
        let nonce = Int::new(&[0x01, 0x02]).unwrap();
        let request = TimeStampReq::new(
            DigestAlgorithm::Sha256,
            &digest,
            Some(ObjectIdentifier::new_unwrap("1.2.3.4")),
            Some(nonce),
            true,
        )
        .unwrap();
        let der = request.to_der_bytes().unwrap();
        assert_eq!(TimeStampReq::from_der_bytes(&der).unwrap(), request);
        let mut trailing = der.clone();
        trailing.push(0);
        assert!(TimeStampReq::from_der_bytes(&trailing).is_err());
    }
}
