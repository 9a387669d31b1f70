//! The RFC 3161 client: asks a TSA (ours or any other, over HTTP or HTTPS) for a token over a
//! digest, with a fresh nonce, and checks what comes back before anyone embeds it — status
//! granted, the token parses, its imprint and nonce are the request's, the policy is the one
//! asked for, the TSA's signature verifies with the included (or given) certificate, which
//! carries the timeStamping extended key usage. Nothing is kept or written: the caller gets a
//! checked token or an error that says what went wrong.
//!
//! Trust in the TSA's chain is not decided here: `verify::token` does that, with the trust store.

use crate::error_chain::error_chain;
use std::time::Duration;

use const_oid::ObjectIdentifier;
use der::asn1::{Int, Uint};
use time::OffsetDateTime;

use super::certificate::{TsaCertificateError, check_timestamping_usage};
use super::protocol::{FailureInfo, PkiStatus, QUERY_MEDIA_TYPE, TimeStampReq, TimeStampResp};
use crate::cms::{CmsError, EssBinding, TimeStampToken, VerifyError, find_signer_certificate};
use crate::crypto::DigestAlgorithm;
use crate::pki::cert::Certificate;

/// Limits and extra trust of the client.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The whole exchange (connect, send, answer) must finish within this.
    pub timeout: Duration,
    /// Connecting must finish within this.
    pub connect_timeout: Duration,
    /// A reply larger than this is refused (a token with its chain is a few kilobytes).
    pub max_reply_bytes: usize,
    /// CA certificates (DER) trusted for HTTPS besides the system's.
    pub https_roots: Vec<Vec<u8>>,
    /// TSA certificates (DER) to verify tokens that do not include theirs (certReq false).
    pub tsa_certificates: Vec<Vec<u8>>,
    /// Use the proxy named by `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`.
    pub system_proxy: bool,
}

/// Default time-out of a whole exchange.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// Default largest reply.
pub const DEFAULT_MAX_REPLY_BYTES: usize = 256 * 1024;

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: Duration::from_secs(5),
            max_reply_bytes: DEFAULT_MAX_REPLY_BYTES,
            https_roots: Vec::new(),
            tsa_certificates: Vec::new(),
            system_proxy: true,
        }
    }
}

/// What to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampRequest {
    pub algorithm: DigestAlgorithm,
    /// The digest to timestamp, computed with `algorithm`.
    pub digest: Vec<u8>,
    /// A TSA policy to require; the token must carry it.
    pub policy: Option<ObjectIdentifier>,
    /// Ask the TSA to include its certificate (default true).
    pub cert_req: bool,
}

impl TimestampRequest {
    /// A request for a digest, certificate included, any policy.
    pub fn new(algorithm: DigestAlgorithm, digest: Vec<u8>) -> Self {
        TimestampRequest {
            algorithm,
            digest,
            policy: None,
            cert_req: true,
        }
    }

    /// A request for the digest of `data` (for instance a SignerInfo's signature value).
    pub fn for_data(algorithm: DigestAlgorithm, data: &[u8]) -> Self {
        Self::new(algorithm, algorithm.digest(data))
    }

    pub fn with_policy(mut self, policy: ObjectIdentifier) -> Self {
        self.policy = Some(policy);
        self
    }

    pub fn with_cert_req(mut self, cert_req: bool) -> Self {
        self.cert_req = cert_req;
        self
    }
}

/// A token that passed every check of the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObtainedToken {
    /// The DER `TimeStampToken`, as received: embed these bytes.
    pub der: Vec<u8>,
    pub token: TimeStampToken,
    /// The TSA certificate (DER) whose key signed the token.
    pub tsa_certificate: Vec<u8>,
}

impl ObtainedToken {
    pub fn gen_time(&self) -> OffsetDateTime {
        self.token.gen_time()
    }
}

/// Why no usable token was obtained.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("địa chỉ TSA không hợp lệ / invalid TSA URL {url}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("the HTTP client cannot be set up: {0}")]
    Setup(String),
    #[error("the request cannot be encoded: {0}")]
    Encoding(#[source] der::Error),
    #[error("không kết nối được TSA / the TSA at {url} cannot be reached: {reason}")]
    Unreachable { url: String, reason: String },
    #[error(
        "TSA không trả lời kịp / the TSA at {url} did not answer within {} s",
        after.as_secs_f32()
    )]
    TimedOut { url: String, after: Duration },
    #[error("TSA trả lời lỗi HTTP / the TSA at {url} answered HTTP {status}")]
    HttpStatus { url: String, status: u16 },
    #[error("câu trả lời quá lớn / the reply of {url} is larger than {limit} bytes")]
    TooLarge { url: String, limit: usize },
    #[error(
        "không phải câu trả lời RFC 3161 / not a timestamp reply (content type {content_type}): {reason}"
    )]
    NotTimestampReply {
        content_type: String,
        reason: String,
    },
    #[error("TSA từ chối / the TSA rejected the request: {status}{}{}",
        failure_text(fail_info), text.as_deref().map(|text| format!(" ({text})")).unwrap_or_default())]
    Rejected {
        status: PkiStatus,
        fail_info: Vec<FailureInfo>,
        text: Option<String>,
    },
    #[error("the reply says granted but carries no token")]
    MissingToken,
    #[error("the token cannot be read: {0}")]
    MalformedToken(#[source] CmsError),
    #[error("nonce sai / the token's nonce is {found}, the request's was {expected}")]
    WrongNonce { expected: String, found: String },
    #[error(
        "dấu thời gian không gắn với dữ liệu đã gửi / the token's message imprint is not the one requested"
    )]
    WrongImprint,
    #[error("the token's policy is {found}, {requested} was requested")]
    WrongPolicy {
        requested: ObjectIdentifier,
        found: ObjectIdentifier,
    },
    #[error("the TSA certificate is neither in the token nor among the given certificates")]
    TsaCertificateNotFound,
    #[error("chữ ký của TSA không hợp lệ / the TSA's signature does not verify: {0}")]
    BadSignature(#[source] VerifyError),
    #[error("the token does not bind the TSA certificate (no signing-certificate attribute)")]
    MissingSigningCertificate,
    #[error("{0}")]
    MissingEku(#[source] TsaCertificateError),
    #[error("the TSA certificate cannot be read: {0}")]
    TsaCertificate(String),
}

fn failure_text(fail_info: &[FailureInfo]) -> String {
    if fail_info.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = fail_info.iter().map(|info| info.name()).collect();
        format!(", failInfo {}", names.join(", "))
    }
}

/// An RFC 3161 client; cheap to clone and share.
#[derive(Debug, Clone)]
pub struct TsaClient {
    http: reqwest::Client,
    config: ClientConfig,
}

impl TsaClient {
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("vanthu/", env!("CARGO_PKG_VERSION")))
            // A redirected POST would turn into a GET: a 3xx is reported as an HTTP status.
            .redirect(reqwest::redirect::Policy::none());
        if !config.system_proxy {
            builder = builder.no_proxy();
        }
        for der in &config.https_roots {
            let root = reqwest::Certificate::from_der(der)
                .map_err(|error| ClientError::Setup(error.to_string()))?;
            builder = builder.add_root_certificate(root);
        }
        let http = builder
            .build()
            .map_err(|error| ClientError::Setup(error_chain(&error)))?;
        Ok(TsaClient { http, config })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Asks the TSA at `url` for a token and checks it.
    pub async fn timestamp(
        &self,
        url: &str,
        request: &TimestampRequest,
    ) -> Result<ObtainedToken, ClientError> {
        let shown = shown_url(url)?;
        let query = TimeStampReq::new(
            request.algorithm,
            &request.digest,
            request.policy,
            Some(fresh_nonce()?),
            request.cert_req,
        )
        .map_err(ClientError::Encoding)?;
        let body = query.to_der_bytes().map_err(ClientError::Encoding)?;
        let (content_type, reply) = self.exchange(url, &shown, body).await?;
        check_reply(&query, &reply, &self.config.tsa_certificates).map_err(|error| match error {
            ClientError::NotTimestampReply { reason, .. } => ClientError::NotTimestampReply {
                content_type,
                reason,
            },
            other => other,
        })
    }

    /// Sends the query and reads the reply within the size cap; returns its content type.
    async fn exchange(
        &self,
        url: &str,
        shown: &str,
        body: Vec<u8>,
    ) -> Result<(String, Vec<u8>), ClientError> {
        let transport = |error: reqwest::Error| self.transport_error(shown, &error);
        let mut response = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, QUERY_MEDIA_TYPE)
            .body(body)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(ClientError::HttpStatus {
                url: shown.to_owned(),
                status: status.as_u16(),
            });
        }
        let limit = self.config.max_reply_bytes;
        let too_large = || ClientError::TooLarge {
            url: shown.to_owned(),
            limit,
        };
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(too_large());
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("none")
            .to_owned();
        let mut reply = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if reply.len() + chunk.len() > limit {
                return Err(too_large());
            }
            reply.extend_from_slice(&chunk);
        }
        Ok((content_type, reply))
    }

    fn transport_error(&self, shown: &str, error: &reqwest::Error) -> ClientError {
        if error.is_timeout() {
            ClientError::TimedOut {
                url: shown.to_owned(),
                after: self.config.timeout,
            }
        } else {
            ClientError::Unreachable {
                url: shown.to_owned(),
                reason: error_chain(error),
            }
        }
    }
}

/// Checks a DER `TimeStampResp` against the request that was sent; `tsa_certificates` are
/// candidates for the TSA certificate besides the token's own.
pub fn check_reply(
    request: &TimeStampReq,
    reply: &[u8],
    tsa_certificates: &[Vec<u8>],
) -> Result<ObtainedToken, ClientError> {
    let response =
        TimeStampResp::from_der_bytes(reply).map_err(|error| ClientError::NotTimestampReply {
            content_type: String::new(),
            reason: error.to_string(),
        })?;
    if !response.status.is_granted() {
        return Err(ClientError::Rejected {
            status: response.status,
            fail_info: response.fail_info,
            text: response.status_text,
        });
    }
    let der = response.token.ok_or(ClientError::MissingToken)?;
    let token = TimeStampToken::parse(&der).map_err(ClientError::MalformedToken)?;
    check_imprint(request, &token)?;
    check_nonce(request, &token)?;
    if let Some(requested) = request.req_policy
        && token.tst_info.policy != requested
    {
        return Err(ClientError::WrongPolicy {
            requested,
            found: token.tst_info.policy,
        });
    }
    let signer = token.signer().ok_or(ClientError::TsaCertificateNotFound)?;
    let candidates = token
        .signed_data
        .certificates
        .iter()
        .chain(tsa_certificates)
        .map(Vec::as_slice);
    let tsa_certificate = find_signer_certificate(&signer.sid, candidates)
        .map_err(|_| ClientError::TsaCertificateNotFound)?
        .to_vec();
    let verification = token
        .verify(&tsa_certificate)
        .map_err(ClientError::BadSignature)?;
    if verification.ess == EssBinding::Absent {
        return Err(ClientError::MissingSigningCertificate);
    }
    let certificate = Certificate::from_der(&tsa_certificate)
        .map_err(|error| ClientError::TsaCertificate(error.to_string()))?;
    check_timestamping_usage(&certificate).map_err(ClientError::MissingEku)?;
    Ok(ObtainedToken {
        der,
        token,
        tsa_certificate,
    })
}

/// The imprint is the request's: same hash algorithm (parameters NULL or absent alike) and value.
fn check_imprint(request: &TimeStampReq, token: &TimeStampToken) -> Result<(), ClientError> {
    let asked = &request.message_imprint;
    let got = &token.tst_info.message_imprint;
    let same_algorithm = match (
        DigestAlgorithm::from_oid(asked.hash_algorithm.oid),
        DigestAlgorithm::from_oid(got.hash_algorithm.oid),
    ) {
        (Ok(asked), Ok(got)) => asked == got,
        _ => asked.hash_algorithm.oid == got.hash_algorithm.oid,
    };
    if same_algorithm && asked.hashed_message == got.hashed_message {
        Ok(())
    } else {
        Err(ClientError::WrongImprint)
    }
}

fn check_nonce(request: &TimeStampReq, token: &TimeStampToken) -> Result<(), ClientError> {
    let Some(expected) = &request.nonce else {
        return Ok(());
    };
    match &token.tst_info.nonce {
        Some(found) if found == expected => Ok(()),
        found => Err(ClientError::WrongNonce {
            expected: hex::encode_upper(expected.as_bytes()),
            found: found
                .as_ref()
                .map(|nonce| hex::encode_upper(nonce.as_bytes()))
                .unwrap_or_else(|| "absent".into()),
        }),
    }
}

/// 64 random bits as a positive INTEGER.
pub(crate) fn fresh_nonce() -> Result<Int, ClientError> {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 8];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| ClientError::Setup("no random numbers for the nonce".into()))?;
    let unsigned = Uint::new(&bytes).map_err(ClientError::Encoding)?;
    Ok(Int::from(unsigned))
}

/// The URL for messages, without any password; refuses what is not http(s).
fn shown_url(url: &str) -> Result<String, ClientError> {
    let invalid = |reason: String| ClientError::InvalidUrl {
        url: url.split('@').next_back().unwrap_or_default().to_owned(),
        reason,
    };
    let mut parsed = url::Url::parse(url).map_err(|error| invalid(error.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "the scheme {} is not http or https",
            parsed.scheme()
        )));
    }
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    Ok(parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_passwords_and_only_http_is_accepted() {
        assert_eq!(
            shown_url("https://user:secret@tsa.example/tsr").unwrap(),
            "https://user:***@tsa.example/tsr"
        );
        assert!(matches!(
            shown_url("ftp://tsa.example/"),
            Err(ClientError::InvalidUrl { .. })
        ));
        assert!(matches!(
            shown_url("not a url"),
            Err(ClientError::InvalidUrl { .. })
        ));
    }

    #[test]
    fn nonces_are_positive_and_fresh() {
        let first = fresh_nonce().unwrap();
        let second = fresh_nonce().unwrap();
        assert_ne!(first, second);
        assert!(
            first
                .as_bytes()
                .first()
                .is_some_and(|byte| byte & 0x80 == 0)
        );
    }
}
