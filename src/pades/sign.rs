//! Signing with a key the process can use directly (`&dyn cms::Signer`: a local key, an HSM):
//! prepare, sign the signed attributes, assemble the CMS, extend, verify, embed — in one call, and
//! its async form that runs the work on the blocking pool.

use std::sync::Arc;

use super::embed::{CmsExtension, Expected, finish};
use super::error::PadesError;
use super::options::SignOptions;
use super::prepare::prepare;
use crate::cms::{Signer, assemble};

/// Signs `pdf` and returns the signed PDF: the input's exact bytes followed by one incremental
/// update holding the signature. Nothing is returned that did not verify.
pub fn sign<P>(pdf: P, options: &SignOptions, signer: &dyn Signer) -> Result<Vec<u8>, PadesError>
where
    P: AsRef<[u8]> + Send + Sync + 'static,
{
    sign_inner(pdf, options, signer, None)
}

/// Like [`sign`], with `extension` run on the CMS before it is embedded (PAdES B-T and above).
pub fn sign_extended<P>(
    pdf: P,
    options: &SignOptions,
    signer: &dyn Signer,
    extension: &dyn CmsExtension,
) -> Result<Vec<u8>, PadesError>
where
    P: AsRef<[u8]> + Send + Sync + 'static,
{
    sign_inner(pdf, options, signer, Some(extension))
}

fn sign_inner<P>(
    pdf: P,
    options: &SignOptions,
    signer: &dyn Signer,
    extension: Option<&dyn CmsExtension>,
) -> Result<Vec<u8>, PadesError>
where
    P: AsRef<[u8]> + Send + Sync + 'static,
{
    let algorithm = signer.signature_algorithm();
    let preparation = prepare(
        pdf,
        options,
        signer.certificate(),
        signer.chain(),
        algorithm,
    )?;
    let signature = signer.sign(preparation.attributes.der())?;
    // `assemble` checks the signature against the certificate: a signer whose key is not the
    // certificate's is refused here.
    let cms = assemble(
        &preparation.attributes,
        algorithm,
        &signature,
        &preparation.certificates,
    )?;
    let expected = Expected {
        certificate: signer.certificate(),
        digest: options.digest,
        document_digest: &preparation.document_digest,
    };
    finish(preparation.prepared, cms, &expected, extension)
}

/// [`sign`] on the blocking thread pool, for async callers (parsing and hashing a large PDF
/// must not stall the runtime).
pub async fn sign_async<P>(
    pdf: P,
    options: SignOptions,
    signer: Arc<dyn Signer>,
) -> Result<Vec<u8>, PadesError>
where
    P: AsRef<[u8]> + Send + Sync + 'static,
{
    run_blocking(move || sign(pdf, &options, signer.as_ref())).await
}

/// [`sign_extended`] on the blocking thread pool. An extension that must wait for the network
/// (a timestamp authority) can block there, e.g. with `tokio::runtime::Handle::block_on`.
pub async fn sign_extended_async<P>(
    pdf: P,
    options: SignOptions,
    signer: Arc<dyn Signer>,
    extension: Arc<dyn CmsExtension>,
) -> Result<Vec<u8>, PadesError>
where
    P: AsRef<[u8]> + Send + Sync + 'static,
{
    run_blocking(move || sign_extended(pdf, &options, signer.as_ref(), extension.as_ref())).await
}

/// Runs `work` with `spawn_blocking`; a panic or cancellation becomes an error, not a crash.
pub(crate) async fn run_blocking<T, F>(work: F) -> Result<T, PadesError>
where
    F: FnOnce() -> Result<T, PadesError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| PadesError::Interrupted(error.to_string()))?
}
