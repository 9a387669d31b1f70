//! PAdES signing (ETSI EN 319 142-1, baseline B-B): turns a PDF into a signed PDF by one
//! incremental update holding a `ETSI.CAdES.detached` signature, with an optional Decree 30
//! appearance, certification (DocMDP) and field locks (FieldMDP).
//!
//! - [`sign`]: with a key the process can use (`&dyn cms::Signer`), in one call.
//! - [`prepare`] / [`complete`]: deferred signing with a key the server never sees (a USB token):
//!   the prepared PDF and a serialisable [`PendingSignature`] first, the token's signature or CMS
//!   later; `complete` verifies before returning.
//! - [`CmsExtension`]: the hook between building the CMS and embedding it (signature timestamps).
//! - `*_async`: the same work on tokio's blocking pool.
//!
//! Every refusal ([`PadesError`]) happens before anything is returned: encrypted, unreadable
//! (nothing is repaired), empty or oversized input; a document certified with P1 or a field locked
//! by an earlier signature; certification asked on a signed document; a certificate expired or
//! not yet valid at the signing time, or whose key usage forbids signing; a key that does not
//! match its certificate; an image that is not a PNG. The output always starts with the input's
//! exact bytes.

mod appearance;
mod capacity;
mod checks;
mod deferred;
mod embed;
mod error;
mod options;
mod placement;
mod prepare;
mod sign;

pub use appearance::{CORNER_STAMP_MARGIN, CORNER_STAMP_MAX_WIDTH, Signatory};
pub use capacity::{contents_capacity, max_signature_len};
pub use checks::CLOCK_SKEW;
pub use deferred::{
    PENDING_VERSION, PendingSignature, Prepared, TokenResponse, complete, complete_async,
    complete_extended, prepare, prepare_async,
};
pub use embed::{CmsExtension, ExtensionError};
pub use error::PadesError;
pub use options::{
    AppearanceKind, DEFAULT_MAX_INPUT_SIZE, DEFAULT_TIMESTAMP_RESERVE, Placement, SignOptions,
};
pub use placement::ANCHOR_GAP;
pub use sign::{sign, sign_async, sign_extended, sign_extended_async};
