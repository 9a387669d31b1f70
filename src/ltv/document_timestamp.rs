//! PAdES B-LTA: a document timestamp (`/DocTimeStamp`, SubFilter `ETSI.RFC3161`) whose token's
//! imprint is the digest of everything but its own `/Contents`, in a new incremental update.

use super::error::LtvError;
use crate::crypto::DigestAlgorithm;
use crate::pdf::{Document, Limits, PreparedSignature, SignatureSpec, prepare_signature};
use crate::tsa::Timestamper;

/// Bytes reserved for the token: it carries the TSA's certificate chain, typically 3–6 KiB.
pub const DOCUMENT_TIMESTAMP_CAPACITY: usize = 16 * 1024;

/// Appends a document timestamp to `pdf` and returns the whole output (the input's exact bytes,
/// then the update). The token comes from `timestamper` over SHA-256 of the covered bytes; the
/// parsing and hashing run on the blocking pool.
pub async fn add_document_timestamp(
    pdf: Vec<u8>,
    timestamper: &dyn Timestamper,
    limits: Limits,
) -> Result<Vec<u8>, LtvError> {
    let digest = DigestAlgorithm::Sha256;
    let (prepared, imprint) = blocking(move || prepare(pdf, limits, digest)).await??;
    let token = timestamper.timestamp(digest, &imprint).await?;
    if token.der.len() > prepared.capacity() {
        return Err(LtvError::Signing(
            crate::pades::PadesError::SignatureTooLarge {
                needed: token.der.len(),
                capacity: prepared.capacity(),
            },
        ));
    }
    Ok(prepared.into_signed(&token.der)?)
}

fn prepare(
    pdf: Vec<u8>,
    limits: Limits,
    digest: DigestAlgorithm,
) -> Result<(PreparedSignature, Vec<u8>), LtvError> {
    let doc = Document::from_bytes_with_limits(pdf, limits)?;
    if doc.is_encrypted() {
        return Err(LtvError::Signing(crate::pades::PadesError::Encrypted));
    }
    let field_name = doc.latest().free_field_name("DocTimeStamp")?;
    let spec = SignatureSpec {
        contents_capacity: DOCUMENT_TIMESTAMP_CAPACITY,
        ..SignatureSpec::document_timestamp(field_name)
    };
    let prepared = prepare_signature(&doc, &spec)?;
    let mut hasher = digest.hasher();
    prepared.digest_with(|chunk| hasher.update(chunk));
    Ok((prepared, hasher.finish()))
}

/// Runs `work` on the blocking pool.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, LtvError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| LtvError::Task(error.to_string()))
}
