//! The timestamp authority: checks an RFC 3161 `TimeStampReq`, allocates a serial number in the
//! store, and answers a `TimeStampResp` carrying a token signed by the TSA key — or a rejection
//! with its failInfo. Every input, however malformed, gets a well-formed DER reply.
//!
//! **Policy.** Tokens carry one TSA policy OID, [`DEFAULT_POLICY`] unless configured. That
//! default sits under 1.3.6.1.4.1.32473, the enterprise number IANA reserved for documentation
//! (RFC 5612): it belongs to no one, so it can never collide with a real policy, and it says
//! plainly that no policy document stands behind it. A deployment whose timestamps must carry
//! legal weight configures an OID from its own arc (its IANA enterprise number, or the national
//! arc its CA assigns), or ETSI's best-practices policy 0.4.0.2023.1.1 when it operates under
//! ETSI EN 319 421. (The UUID arc 2.25 would be the textbook choice for an unregistered OID, but
//! `const-oid` 0.9 cannot hold its 128-bit arc.)
//!
//! **Time.** `genTime` is the host's UTC clock, read after the serial number is allocated and
//! truncated to milliseconds. The authority does not discipline the clock: the operator keeps it
//! synchronised (NTP: chrony or systemd-timesyncd) to well within the declared accuracy, which
//! defaults to one second ([`DEFAULT_ACCURACY_MS`]). A clock outside the TSA certificate's
//! validity gets `timeNotAvailable` (before it) or `systemFailure` (after it), never a token.
//!
//! **Serial numbers** come from the store's timestamp log ([`StoreSerials`]): allocated by the
//! database, so that a restart or a second instance sharing PostgreSQL never reuses one.
//!
//! **Extensions.** RFC 3161 §2.4.1 says a TSA "SHALL not issue a token" for any extension it
//! does not recognise, critical or not; this authority recognises none, so a request with an
//! extension is rejected with `unacceptedExtension`.

use std::fmt;
use std::sync::Arc;

use const_oid::ObjectIdentifier;
use der::asn1::{Int, OctetString, Uint};
use der::{Decode, Encode, Tagged};
use time::OffsetDateTime;
use x509_cert::ext::pkix::name::GeneralName;

use super::certificate::{TsaCertificateError, check_timestamping_usage};
use super::protocol::{FailureInfo, TimeStampReq, TimeStampResp};
use crate::cms::timestamp::GeneralizedTimeFraction;
use crate::cms::{self, Accuracy, CmsError, MessageImprint, Signer, SignerError, TstInfo};
use crate::crypto::DigestAlgorithm;
use crate::pki::cert::{Certificate, CertificateError};
use crate::store::{NewTimestampRecord, Store, StoreError};

/// The default TSA policy: documentation enterprise number (RFC 5612) 32473, then 3161 (the
/// RFC), then 1 (version). See the module documentation.
pub const DEFAULT_POLICY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.32473.3161.1");

/// The declared accuracy of `genTime` unless configured: one second.
pub const DEFAULT_ACCURACY_MS: u32 = 1000;

/// The reply when even a rejection cannot be encoded: `TimeStampResp { status { rejection,
/// failInfo systemFailure } }`.
pub const SYSTEM_FAILURE_REPLY: &[u8] = &[
    0x30, 0x0c, 0x30, 0x0a, 0x02, 0x01, 0x02, 0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40,
];

/// How the authority issues tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityConfig {
    /// The policy every token carries; a request asking for another is rejected.
    pub policy: ObjectIdentifier,
    /// The accuracy declared in every token, in milliseconds (0: no accuracy field).
    pub accuracy_ms: u32,
    /// Message imprint algorithms accepted. SHA-1 and MD5 are left out by default: with a
    /// collision-prone imprint a token could be moved to other data.
    pub digests: Vec<DigestAlgorithm>,
    /// Put the TSA certificate's subject in the TSTInfo `tsa` field.
    pub include_tsa_name: bool,
}

impl Default for AuthorityConfig {
    fn default() -> Self {
        AuthorityConfig {
            policy: DEFAULT_POLICY,
            accuracy_ms: DEFAULT_ACCURACY_MS,
            digests: vec![
                DigestAlgorithm::Sha256,
                DigestAlgorithm::Sha384,
                DigestAlgorithm::Sha512,
            ],
            include_tsa_name: true,
        }
    }
}

impl AuthorityConfig {
    /// The TSTInfo `accuracy` for the configured milliseconds.
    pub fn accuracy(&self) -> Option<Accuracy> {
        if self.accuracy_ms == 0 {
            return None;
        }
        let seconds = u64::from(self.accuracy_ms / 1000);
        let millis = u16::try_from(self.accuracy_ms % 1000).unwrap_or(0);
        Some(Accuracy {
            seconds: (seconds > 0).then_some(seconds),
            millis: (millis > 0).then_some(millis),
            micros: None,
        })
    }
}

/// Where serial numbers come from.
#[async_trait::async_trait]
pub trait SerialAllocator: Send + Sync + fmt::Debug {
    /// Records the token about to be issued and returns its serial number (positive, never
    /// returned before).
    async fn allocate(&self, record: &NewTimestampRecord) -> Result<i64, StoreError>;
}

/// Serial numbers from the store's timestamp log.
#[derive(Debug, Clone)]
pub struct StoreSerials(pub Arc<dyn Store>);

#[async_trait::async_trait]
impl SerialAllocator for StoreSerials {
    async fn allocate(&self, record: &NewTimestampRecord) -> Result<i64, StoreError> {
        self.0.record_timestamp(record).await
    }
}

/// Why the authority cannot start.
#[derive(Debug, thiserror::Error)]
pub enum AuthorityError {
    #[error("the TSA certificate cannot be read: {0}")]
    Certificate(#[from] CertificateError),
    #[error("the TSA certificate cannot be used: {0}")]
    Usage(#[from] TsaCertificateError),
    #[error(
        "chứng thư số TSA «{subject}» không có hiệu lực lúc này (từ {not_before} đến {not_after}) / the TSA certificate «{subject}» is not valid now (valid from {not_before} to {not_after})"
    )]
    NotValidNow {
        subject: String,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    },
    #[error("no message imprint algorithm is accepted")]
    NoDigest,
    #[error("the TSA signs with {0}, too weak for timestamps")]
    WeakSigningDigest(&'static str),
    #[error("the TSA certificate's subject cannot be encoded as the TSTInfo tsa name: {0}")]
    Name(#[source] der::Error),
}

/// Why a request gets no token: the failInfo bit and a text for the statusString.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub fail_info: FailureInfo,
    pub reason: String,
}

impl Rejection {
    fn new(fail_info: FailureInfo, reason: impl Into<String>) -> Self {
        Rejection {
            fail_info,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.fail_info, self.reason)
    }
}

/// A token the authority issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The DER `ContentInfo` (the RFC's `TimeStampToken`).
    pub token: Vec<u8>,
    pub serial: i64,
    pub gen_time: OffsetDateTime,
}

/// What happened to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Granted { serial: i64 },
    Rejected(Rejection),
}

/// The reply to one request: the DER `TimeStampResp` and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub der: Vec<u8>,
    pub outcome: Outcome,
}

/// An RFC 3161 timestamp authority with its key, certificate and serial-number source.
pub struct TimestampAuthority {
    signer: Arc<dyn Signer>,
    certificate: Certificate,
    tsa_name: Option<GeneralName>,
    config: AuthorityConfig,
    serials: Arc<dyn SerialAllocator>,
}

impl fmt::Debug for TimestampAuthority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimestampAuthority")
            .field("subject", &self.certificate.subject().to_string())
            .field("config", &self.config)
            .field("serials", &self.serials)
            .finish_non_exhaustive()
    }
}

impl TimestampAuthority {
    /// An authority signing with `signer` (its certificate, then its chain, go into tokens when
    /// asked). Refuses a certificate without the critical, sole timeStamping extended key usage
    /// (RFC 3161 §2.3), one that is not valid now, and a signer whose digest is too weak.
    pub fn new(
        signer: Arc<dyn Signer>,
        config: AuthorityConfig,
        serials: Arc<dyn SerialAllocator>,
    ) -> Result<Self, AuthorityError> {
        let certificate = Certificate::from_der(signer.certificate())?;
        check_timestamping_usage(&certificate)?;
        let now = OffsetDateTime::now_utc();
        if !certificate.is_valid_at(now) {
            return Err(AuthorityError::NotValidNow {
                subject: certificate.subject().short(),
                not_before: certificate.not_before(),
                not_after: certificate.not_after(),
            });
        }
        if config.digests.is_empty() {
            return Err(AuthorityError::NoDigest);
        }
        let digest = signer.signature_algorithm().digest();
        if matches!(
            digest,
            DigestAlgorithm::Md2 | DigestAlgorithm::Md5 | DigestAlgorithm::Sha1
        ) {
            return Err(AuthorityError::WeakSigningDigest(digest.name()));
        }
        let tsa_name = if config.include_tsa_name {
            let decoded = x509_cert::Certificate::from_der(signer.certificate())
                .map_err(AuthorityError::Name)?;
            Some(GeneralName::DirectoryName(decoded.tbs_certificate.subject))
        } else {
            None
        };
        Ok(TimestampAuthority {
            signer,
            certificate,
            tsa_name,
            config,
            serials,
        })
    }

    /// The TSA certificate (DER).
    pub fn certificate(&self) -> &[u8] {
        self.signer.certificate()
    }

    /// The certificates after the TSA's (DER), as embedded in tokens.
    pub fn chain(&self) -> &[Vec<u8>] {
        self.signer.chain()
    }

    pub fn config(&self) -> &AuthorityConfig {
        &self.config
    }

    /// The TSA certificate's subject, for logs and banners.
    pub fn subject(&self) -> String {
        self.certificate.subject().to_string()
    }

    /// Answers a DER `TimeStampReq` with a DER `TimeStampResp`; never fails.
    pub async fn respond(&self, request: &[u8]) -> Answer {
        let outcome = match TimeStampReq::from_der_bytes(request) {
            Ok(request) => self.issue(&request).await,
            Err(error) => Err(Rejection::new(
                FailureInfo::BadDataFormat,
                format!(
                    "yêu cầu không phải TimeStampReq DER / the request is not a DER TimeStampReq ({error})"
                ),
            )),
        };
        match outcome {
            Ok(issued) => match TimeStampResp::granted(&issued.token) {
                Ok(der) => Answer {
                    der,
                    outcome: Outcome::Granted {
                        serial: issued.serial,
                    },
                },
                Err(error) => {
                    tracing::error!(%error, "cannot encode a timestamp reply");
                    reject(Rejection::new(
                        FailureInfo::SystemFailure,
                        "lỗi hệ thống / system failure",
                    ))
                }
            },
            Err(rejection) => reject(rejection),
        }
    }

    /// Checks a request and issues its token, or says why not. The service's own signing
    /// workflow calls this in process (no HTTP) for signature and document timestamps.
    pub async fn issue(&self, request: &TimeStampReq) -> Result<IssuedToken, Rejection> {
        let imprint_algorithm = self.check(request)?;
        let gen_time = self.clock()?;
        let record = NewTimestampRecord {
            gen_time,
            policy: self.config.policy.to_string(),
            imprint_algorithm: imprint_algorithm.oid().to_string(),
            imprint: request.message_imprint.hashed_message.as_bytes().to_vec(),
            nonce: request
                .nonce
                .as_ref()
                .map(|nonce| nonce.as_bytes().to_vec()),
            tsa_certificate_sha256: self.certificate.sha256().to_vec(),
        };
        let serial = self.serials.allocate(&record).await.map_err(|error| {
            tracing::error!(%error, "cannot allocate a timestamp serial number");
            Rejection::new(
                FailureInfo::SystemFailure,
                "không cấp được số sê-ri / no serial number could be allocated",
            )
        })?;
        let token = self.sign(request, serial, gen_time).map_err(|error| {
            tracing::error!(%error, serial, "cannot sign a timestamp token");
            Rejection::new(
                FailureInfo::SystemFailure,
                "không ký được dấu thời gian / the token could not be signed",
            )
        })?;
        metrics::counter!("tsa_tokens_issued_total").increment(1);
        tracing::debug!(serial, "issued a timestamp token");
        Ok(IssuedToken {
            token,
            serial,
            gen_time,
        })
    }

    /// Issues a token for a digest computed in process (a signature value's or a document
    /// revision's), with the TSA certificate and chain included.
    pub async fn timestamp_digest(
        &self,
        algorithm: DigestAlgorithm,
        digest: &[u8],
    ) -> Result<IssuedToken, Rejection> {
        let request = TimeStampReq::new(algorithm, digest, None, None, true).map_err(|error| {
            Rejection::new(
                FailureInfo::BadDataFormat,
                format!("the digest cannot be encoded: {error}"),
            )
        })?;
        self.issue(&request).await
    }

    /// The request's checks, in the order RFC 3161 lists the fields; returns the imprint's
    /// algorithm.
    fn check(&self, request: &TimeStampReq) -> Result<DigestAlgorithm, Rejection> {
        if request.version != 1 {
            return Err(Rejection::new(
                FailureInfo::BadDataFormat,
                format!(
                    "phiên bản {} không được hỗ trợ / version {} is not supported (only 1)",
                    request.version, request.version
                ),
            ));
        }
        let imprint = &request.message_imprint;
        let oid = imprint.hash_algorithm.oid;
        let algorithm = DigestAlgorithm::from_oid(oid)
            .ok()
            .filter(|algorithm| self.config.digests.contains(algorithm))
            .ok_or_else(|| {
                Rejection::new(
                    FailureInfo::BadAlg,
                    format!(
                        "thuật toán băm {oid} không được chấp nhận / hash algorithm {oid} is not accepted (accepted: {})",
                        self.accepted_digest_names()
                    ),
                )
            })?;
        let parameters_ok = match &imprint.hash_algorithm.parameters {
            None => true,
            Some(parameters) => parameters.tag() == der::Tag::Null && parameters.value().is_empty(),
        };
        if !parameters_ok {
            return Err(Rejection::new(
                FailureInfo::BadAlg,
                format!(
                    "tham số của thuật toán băm không hợp lệ / the {} algorithm identifier has parameters",
                    algorithm.name()
                ),
            ));
        }
        let length = imprint.hashed_message.as_bytes().len();
        if length != algorithm.output_len() {
            return Err(Rejection::new(
                FailureInfo::BadDataFormat,
                format!(
                    "giá trị băm dài {length} byte, {} cần {} / the hashed message has {length} bytes, {} needs {}",
                    algorithm.name(),
                    algorithm.output_len(),
                    algorithm.name(),
                    algorithm.output_len()
                ),
            ));
        }
        if let Some(policy) = request.req_policy
            && policy != self.config.policy
        {
            return Err(Rejection::new(
                FailureInfo::UnacceptedPolicy,
                format!(
                    "chính sách {policy} không được hỗ trợ / policy {policy} is not supported (this TSA issues under {})",
                    self.config.policy
                ),
            ));
        }
        if let Some(extension) = request.extensions.iter().flatten().next() {
            let critical = if extension.critical {
                "critical"
            } else {
                "non-critical"
            };
            return Err(Rejection::new(
                FailureInfo::UnacceptedExtension,
                format!(
                    "phần mở rộng {} không được hỗ trợ / extension {} ({critical}) is not supported",
                    extension.extn_id, extension.extn_id
                ),
            ));
        }
        Ok(algorithm)
    }

    /// The current time for `genTime`, refused outside the certificate's validity.
    fn clock(&self) -> Result<OffsetDateTime, Rejection> {
        let now = OffsetDateTime::now_utc();
        let now = now
            .replace_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
            .unwrap_or(now);
        if now < self.certificate.not_before() {
            tracing::error!(%now, not_before = %self.certificate.not_before(),
                "the clock is before the TSA certificate's validity");
            return Err(Rejection::new(
                FailureInfo::TimeNotAvailable,
                "đồng hồ của TSA chưa đúng / the TSA's time source is not available",
            ));
        }
        if now > self.certificate.not_after() {
            tracing::error!(%now, not_after = %self.certificate.not_after(),
                "the TSA certificate has expired");
            return Err(Rejection::new(
                FailureInfo::SystemFailure,
                "chứng thư số của TSA đã hết hiệu lực / the TSA certificate has expired",
            ));
        }
        Ok(now)
    }

    /// Builds the TSTInfo and signs it into a token.
    fn sign(
        &self,
        request: &TimeStampReq,
        serial: i64,
        gen_time: OffsetDateTime,
    ) -> Result<Vec<u8>, SignError> {
        let serial_number = positive_integer(serial)?;
        let tst_info = TstInfo {
            version: 1,
            policy: self.config.policy,
            message_imprint: MessageImprint {
                hash_algorithm: request.message_imprint.hash_algorithm.clone(),
                hashed_message: OctetString::new(request.message_imprint.hashed_message.as_bytes())
                    .map_err(SignError::Encoding)?,
            },
            serial_number,
            gen_time: GeneralizedTimeFraction(gen_time),
            accuracy: self.config.accuracy(),
            ordering: false,
            nonce: request.nonce.clone(),
            tsa: self.tsa_name.clone(),
            extensions: None,
        };
        let content = tst_info.to_der().map_err(SignError::Encoding)?;
        let algorithm = self.signer.signature_algorithm();
        let digest = algorithm.digest();
        let attributes = cms::signed_attributes_for(
            cms::oid::ID_CT_TST_INFO,
            digest,
            &digest.digest(&content),
            self.signer.certificate(),
        )?;
        let signature = self.signer.sign(attributes.der())?;
        let mut certificates = vec![self.signer.certificate().to_vec()];
        certificates.extend(self.signer.chain().iter().cloned());
        let token = if request.cert_req {
            cms::assemble_with_content(
                &attributes,
                Some(&content),
                algorithm,
                &signature,
                &certificates,
            )?
        } else {
            cms::assemble_without_certificates(
                &attributes,
                Some(&content),
                algorithm,
                &signature,
                &certificates,
            )?
        };
        Ok(token)
    }

    fn accepted_digest_names(&self) -> String {
        self.config
            .digests
            .iter()
            .map(|digest| digest.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Why a token could not be signed (logged; the client sees systemFailure).
#[derive(Debug, thiserror::Error)]
enum SignError {
    #[error("encoding the TSTInfo: {0}")]
    Encoding(der::Error),
    #[error("serial number {0} is not positive")]
    Serial(i64),
    #[error(transparent)]
    Cms(#[from] CmsError),
    #[error(transparent)]
    Signer(#[from] SignerError),
}

/// A positive INTEGER in minimal DER form.
fn positive_integer(value: i64) -> Result<Int, SignError> {
    let unsigned = u64::try_from(value)
        .ok()
        .filter(|value| *value > 0)
        .ok_or(SignError::Serial(value))?;
    let uint = Uint::new(&unsigned.to_be_bytes()).map_err(SignError::Encoding)?;
    Ok(Int::from(uint))
}

fn reject(rejection: Rejection) -> Answer {
    metrics::counter!("tsa_requests_rejected_total", "fail_info" => rejection.fail_info.name())
        .increment(1);
    // Debug, not info: rejections are ordinary protocol answers, counted by the metric, and a
    // flood of garbage must not flood the log.
    tracing::debug!(fail_info = %rejection.fail_info, reason = %rejection.reason, "timestamp request rejected");
    let der = TimeStampResp::rejection(rejection.fail_info, &rejection.reason)
        .unwrap_or_else(|_| SYSTEM_FAILURE_REPLY.to_vec());
    Answer {
        der,
        outcome: Outcome::Rejected(rejection),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsa::protocol::PkiStatus;

    #[test]
    fn the_fallback_reply_is_a_system_failure_rejection() {
        let parsed = TimeStampResp::from_der_bytes(SYSTEM_FAILURE_REPLY).unwrap();
        assert_eq!(parsed.status, PkiStatus::Rejection);
        assert_eq!(parsed.fail_info, vec![FailureInfo::SystemFailure]);
        assert_eq!(parsed.token, None);
    }

    #[test]
    fn serials_are_minimal_positive_integers() {
        assert_eq!(positive_integer(1).unwrap().as_bytes(), &[0x01]);
        assert_eq!(positive_integer(0x80).unwrap().as_bytes(), &[0x00, 0x80]);
        assert_eq!(positive_integer(0x1234).unwrap().as_bytes(), &[0x12, 0x34]);
        assert!(positive_integer(0).is_err());
        assert!(positive_integer(-5).is_err());
    }

    #[test]
    fn accuracy_is_split_into_seconds_and_millis() {
        let config = AuthorityConfig {
            accuracy_ms: 1500,
            ..AuthorityConfig::default()
        };
        let accuracy = config.accuracy().unwrap();
        assert_eq!((accuracy.seconds, accuracy.millis), (Some(1), Some(500)));
        let config = AuthorityConfig {
            accuracy_ms: 0,
            ..AuthorityConfig::default()
        };
        assert_eq!(config.accuracy(), None);
        assert_eq!(
            AuthorityConfig::default().accuracy().unwrap().duration(),
            time::Duration::seconds(1)
        );
    }
}
