//! PAdES B-T: a timestamp over the signature value, added to the CMS as the
//! signature-time-stamp unsigned attribute before the CMS is embedded (RFC 3161 Appendix A,
//! ETSI EN 319 122-1 §5.3).

use std::sync::Arc;

use tokio::runtime::Handle;

use crate::cms::add_signature_timestamp;
use crate::crypto::DigestAlgorithm;
use crate::pades::{CmsExtension, ExtensionError};
use crate::tsa::Timestamper;

/// The [`CmsExtension`] that makes a B-T signature.
///
/// Signing runs on a blocking thread (parsing and hashing a PDF must not stall the runtime), and
/// the timestamper is async: the extension waits for the token on `runtime`. It must therefore
/// run outside the runtime's worker threads, as `pades::sign_async` and [`super::sign`] do.
pub struct SignatureTimestamp {
    timestamper: Arc<dyn Timestamper>,
    runtime: Handle,
    digest: DigestAlgorithm,
}

impl SignatureTimestamp {
    /// Imprints made with `digest` (the signature's own digest algorithm is the natural choice).
    pub fn new(
        timestamper: Arc<dyn Timestamper>,
        runtime: Handle,
        digest: DigestAlgorithm,
    ) -> Self {
        SignatureTimestamp {
            timestamper,
            runtime,
            digest,
        }
    }
}

impl CmsExtension for SignatureTimestamp {
    fn extend(&self, cms: Vec<u8>, signature_value: &[u8]) -> Result<Vec<u8>, ExtensionError> {
        let imprint = self.digest.digest(signature_value);
        let token = self
            .runtime
            .block_on(self.timestamper.timestamp(self.digest, &imprint))?;
        Ok(add_signature_timestamp(&cms, &token.der)?)
    }
}
