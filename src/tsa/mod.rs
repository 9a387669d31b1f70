//! RFC 3161 timestamping: the authority that issues tokens and the client that requests them.
//!
//! - [`protocol`]: `TimeStampReq` / `TimeStampResp` on the wire, failure bits, media types.
//! - [`authority`]: [`TimestampAuthority`] checks requests and signs tokens, with serial numbers
//!   from the store's timestamp log; `POST /tsa` (`crate::http::tsa`) serves it.
//! - [`client`]: [`TsaClient`] asks any TSA over HTTP or HTTPS and checks what comes back.
//! - [`timestamper`]: [`Timestamper`], one interface over the built-in authority (in process)
//!   and a TSA at a URL ([`RemoteTsa`]), for the signing code.
//! - [`certificate`]: what RFC 3161 asks of a TSA certificate.
//! - [`config`]: the `--tsa-*` options of `vanthu serve` and the loading of the TSA key.
//!
//! Tokens themselves (TSTInfo, parsing, the CMS signature) are `crate::cms`'s; chains and trust
//! are `crate::pki`'s; judging a token found in a document is `crate::verify::token`'s.

pub mod authority;
pub mod certificate;
pub mod client;
pub mod config;
pub mod protocol;
pub mod timestamper;

pub use authority::{
    Answer, AuthorityConfig, AuthorityError, DEFAULT_ACCURACY_MS, DEFAULT_POLICY, IssuedToken,
    Outcome, Rejection, SerialAllocator, StoreSerials, TimestampAuthority,
};
pub use certificate::{TsaCertificateError, check_timestamping_usage};
pub use client::{
    ClientConfig, ClientError, ObtainedToken, TimestampRequest, TsaClient, check_reply,
};
pub use protocol::{
    FailureInfo, PkiStatus, QUERY_MEDIA_TYPE, REPLY_MEDIA_TYPE, TimeStampReq, TimeStampResp,
};
pub use timestamper::{RemoteTsa, Timestamper};
