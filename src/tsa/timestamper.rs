//! One way for signing code to get a checked token for a digest, wherever the TSA is: the
//! built-in authority in process ([`TimestampAuthority`]) or any TSA at a URL ([`RemoteTsa`]).
//! Both go through the same request (with a fresh nonce) and the same reply checks
//! (`client::check_reply`), so a token from either has passed the same tests.

use const_oid::ObjectIdentifier;

use super::authority::TimestampAuthority;
use super::client::{ClientError, ObtainedToken, TimestampRequest, TsaClient, check_reply};
use super::protocol::TimeStampReq;
use crate::crypto::DigestAlgorithm;

/// Something that timestamps digests.
#[async_trait::async_trait]
pub trait Timestamper: Send + Sync {
    /// A checked token whose imprint is `digest` (computed with `algorithm`).
    async fn timestamp(
        &self,
        algorithm: DigestAlgorithm,
        digest: &[u8],
    ) -> Result<ObtainedToken, ClientError>;
}

/// A TSA at a URL, asked through a [`TsaClient`].
#[derive(Debug, Clone)]
pub struct RemoteTsa {
    pub client: TsaClient,
    pub url: String,
    /// A policy the tokens must carry.
    pub policy: Option<ObjectIdentifier>,
}

impl RemoteTsa {
    pub fn new(client: TsaClient, url: impl Into<String>) -> Self {
        RemoteTsa {
            client,
            url: url.into(),
            policy: None,
        }
    }
}

#[async_trait::async_trait]
impl Timestamper for RemoteTsa {
    async fn timestamp(
        &self,
        algorithm: DigestAlgorithm,
        digest: &[u8],
    ) -> Result<ObtainedToken, ClientError> {
        let mut request = TimestampRequest::new(algorithm, digest.to_vec());
        request.policy = self.policy;
        self.client.timestamp(&self.url, &request).await
    }
}

/// The built-in authority, without HTTP: the same DER request and reply as over `POST /tsa`.
#[async_trait::async_trait]
impl Timestamper for TimestampAuthority {
    async fn timestamp(
        &self,
        algorithm: DigestAlgorithm,
        digest: &[u8],
    ) -> Result<ObtainedToken, ClientError> {
        let request = TimeStampReq::new(
            algorithm,
            digest,
            None,
            Some(super::client::fresh_nonce()?),
            true,
        )
        .map_err(ClientError::Encoding)?;
        let der = request.to_der_bytes().map_err(ClientError::Encoding)?;
        let answer = self.respond(&der).await;
        check_reply(&request, &answer.der, &[])
    }
}
