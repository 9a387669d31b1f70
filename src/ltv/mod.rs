//! Long-term validation: takes PAdES signatures beyond baseline B-B, so that a document stays
//! verifiable after its certificates expire (ETSI EN 319 142-1 §5.3–5.5).
//!
//! - B-T: a signature timestamp in the CMS ([`SignatureTimestamp`], run by the signer before
//!   the CMS is embedded).
//! - B-LT: a `/DSS` with every certificate and CRL needed to validate the signatures and their
//!   timestamps offline, one `/VRI` entry per signature ([`validation_data`]).
//! - B-LTA: a document timestamp over everything, the DSS included ([`add_document_timestamp`]).
//! - [`sign`] signs at a level, [`complete`] finishes a deferred (USB token) signature at one;
//!   [`extend`] brings an already signed PDF (ours or another tool's)
//!   to B-LT or B-LTA in new incremental updates; [`renewal`] tells when an archived document's
//!   last timestamp nears the end of its TSA certificate and [`renew`] adds a fresh one.
//!
//! Each step appends an update after the input's exact bytes, so every earlier signature stays
//! valid. Tokens come from any [`Timestamper`](crate::tsa::Timestamper): the built-in authority or
//! a TSA at a URL. Revocation data comes from the configured sources only (the trust store's and
//! the caller's CRLs): nothing is fetched from distribution points.

mod document_timestamp;
mod error;
mod levels;
mod renewal;
mod signature_timestamp;
mod validation_data;

pub use document_timestamp::{DOCUMENT_TIMESTAMP_CAPACITY, add_document_timestamp};
pub use error::LtvError;
pub use levels::{Level, complete, extend, sign};
pub use renewal::{LastTimestamp, Renewal, last_timestamp, renew, renewal};
pub use signature_timestamp::SignatureTimestamp;
pub use validation_data::{ValidationSources, validation_data};
