//! The PAdES baseline levels, and the two ways to reach one: signing at it, or extending a
//! signed document.

use std::sync::Arc;

use time::OffsetDateTime;

use super::document_timestamp::{add_document_timestamp, blocking};
use super::error::LtvError;
use super::signature_timestamp::SignatureTimestamp;
use super::validation_data::{ValidationSources, validation_data};
use crate::cms::Signer;
use crate::pades::{self, PendingSignature, SignOptions, TokenResponse};
use crate::pdf::{Document, Limits, append_dss};
use crate::tsa::Timestamper;

/// A PAdES baseline level (ETSI EN 319 142-1 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The signature alone.
    BB,
    /// With a signature timestamp: trusted proof of when it existed.
    BT,
    /// With the validation data (certificates, CRLs) in the `/DSS`.
    BLt,
    /// With a document timestamp over all of it, renewable before its TSA certificate expires.
    BLta,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::BB => "B-B",
            Level::BT => "B-T",
            Level::BLt => "B-LT",
            Level::BLta => "B-LTA",
        }
    }

    fn needs_timestamper(self) -> bool {
        self >= Level::BT
    }
}

impl std::str::FromStr for Level {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_uppercase().as_str() {
            "B-B" | "BB" => Ok(Level::BB),
            "B-T" | "BT" => Ok(Level::BT),
            "B-LT" | "BLT" => Ok(Level::BLt),
            "B-LTA" | "BLTA" => Ok(Level::BLta),
            _ => Err(format!("{text:?} is not one of B-B, B-T, B-LT, B-LTA")),
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Signs `pdf` at `level`. B-T and above need `timestamper`; B-LT and above gather validation
/// data from `sources` (a signer whose chain or revocation status they cannot establish is
/// refused, and nothing is returned).
pub async fn sign(
    pdf: Vec<u8>,
    options: SignOptions,
    signer: Arc<dyn Signer>,
    level: Level,
    timestamper: Option<Arc<dyn Timestamper>>,
    sources: &ValidationSources,
) -> Result<Vec<u8>, LtvError> {
    let timestamper = match (level.needs_timestamper(), timestamper) {
        (true, None) => {
            return Err(LtvError::LevelNotApplicable(
                level.name(),
                "it needs a timestamping authority (--tsa)",
            ));
        }
        (_, timestamper) => timestamper,
    };
    let limits = options.limits.clone();
    let signed = match &timestamper {
        Some(timestamper) if level >= Level::BT => {
            let extension = Arc::new(SignatureTimestamp::new(
                timestamper.clone(),
                tokio::runtime::Handle::current(),
                options.digest,
            ));
            pades::sign_extended_async(pdf, options, signer, extension).await?
        }
        _ => pades::sign_async(pdf, options, signer).await?,
    };
    raise(signed, level, timestamper.as_deref(), sources, limits).await
}

/// Completes a deferred signature (`pades::prepare`, then a USB token signs) at `level`: the
/// signature timestamp is added to the token's CMS before it is embedded, then the validation
/// data and the document timestamp as for [`sign`].
#[allow(clippy::too_many_arguments)]
pub async fn complete(
    pending: PendingSignature,
    prepared_pdf: Vec<u8>,
    response: TokenResponse,
    certificates: Vec<Vec<u8>>,
    level: Level,
    timestamper: Option<Arc<dyn Timestamper>>,
    sources: &ValidationSources,
    limits: Limits,
) -> Result<Vec<u8>, LtvError> {
    if level.needs_timestamper() && timestamper.is_none() {
        return Err(LtvError::LevelNotApplicable(
            level.name(),
            "it needs a timestamping authority (--tsa)",
        ));
    }
    let signed = match &timestamper {
        Some(timestamper) if level >= Level::BT => {
            let extension = SignatureTimestamp::new(
                timestamper.clone(),
                tokio::runtime::Handle::current(),
                pending.digest_algorithm,
            );
            blocking(move || {
                pades::complete_extended(
                    &pending,
                    &prepared_pdf,
                    &response,
                    &certificates,
                    &extension,
                )
            })
            .await??
        }
        _ => pades::complete_async(pending, prepared_pdf, response, certificates).await?,
    };
    raise(signed, level, timestamper.as_deref(), sources, limits).await
}

/// Extends the signed `pdf` to `level` (B-LT or B-LTA) in new incremental updates, keeping every
/// signature as it is. B-T cannot be reached this way: a signature timestamp lives inside the
/// signature's CMS, which cannot change without breaking it; a document timestamp (B-LTA) gives
/// the same proof of existence.
pub async fn extend(
    pdf: Vec<u8>,
    level: Level,
    timestamper: Option<Arc<dyn Timestamper>>,
    sources: &ValidationSources,
    limits: Limits,
) -> Result<Vec<u8>, LtvError> {
    match level {
        Level::BB | Level::BT => Err(LtvError::LevelNotApplicable(
            level.name(),
            "a signature timestamp cannot be added to an existing signature; extend to B-LTA",
        )),
        Level::BLta if timestamper.is_none() => Err(LtvError::LevelNotApplicable(
            level.name(),
            "it needs a timestamping authority (--tsa)",
        )),
        _ => raise(pdf, level, timestamper.as_deref(), sources, limits).await,
    }
}

/// Adds what B-LT and B-LTA add on top of a signed document.
async fn raise(
    signed: Vec<u8>,
    level: Level,
    timestamper: Option<&dyn Timestamper>,
    sources: &ValidationSources,
    limits: Limits,
) -> Result<Vec<u8>, LtvError> {
    if level < Level::BLt {
        return Ok(signed);
    }
    let with_dss = {
        let sources = sources.clone();
        let limits = limits.clone();
        blocking(move || add_validation_data(signed, &sources, limits)).await??
    };
    match (level, timestamper) {
        (Level::BLta, Some(timestamper)) => {
            add_document_timestamp(with_dss, timestamper, limits).await
        }
        _ => Ok(with_dss),
    }
}

/// Appends a `/DSS` update with the validation data of every signature and timestamp.
pub(super) fn add_validation_data(
    pdf: Vec<u8>,
    sources: &ValidationSources,
    limits: Limits,
) -> Result<Vec<u8>, LtvError> {
    let doc = Document::from_bytes_with_limits(pdf, limits)?;
    if doc.is_encrypted() {
        return Err(LtvError::Signing(pades::PadesError::Encrypted));
    }
    let update = validation_data(&doc, sources, OffsetDateTime::now_utc())?;
    Ok(append_dss(&doc, &update)?)
}
