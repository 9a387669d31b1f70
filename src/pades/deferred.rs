//! Deferred signing, for keys the server never holds (personal USB tokens): [`prepare`] makes the
//! PDF with its placeholder and a small serialisable [`PendingSignature`] holding what the token
//! must sign; the caller stores both (the PDF in the content-addressed blob store under
//! [`PendingSignature::prepared_sha256`]), hands the signed-attribute bytes (or their digest) to the
//! client, and calls [`complete`] with the token's answer — a raw signature value or a whole
//! CMS. `complete` verifies everything against the prepared state before returning a byte.

use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::embed::{CmsExtension, Expected, check_cms, finish};
use super::error::PadesError;
use super::options::SignOptions;
use super::prepare::prepare as prepare_document;
use super::sign::run_blocking;
use crate::cms::{SignedAttributes, assemble, signer::default_algorithm};
use crate::crypto::{DigestAlgorithm, PublicKey, SignatureAlgorithm, sha256};
use crate::pdf::PreparedSignature;

/// The format of [`PendingSignature`]; a stored state of another version is refused.
pub const PENDING_VERSION: u32 = 1;

/// A prepared document waiting for its signature.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The state to keep until the token answers (small; serialise it as JSON).
    pub pending: PendingSignature,
    /// The PDF with its placeholder; its SHA-256 is `pending.prepared_sha256`.
    pub pdf: Vec<u8>,
}

/// Everything [`complete`] needs besides the prepared PDF and the token's answer. Byte fields are
/// base64 in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignature {
    pub version: u32,
    /// The prepared PDF's SHA-256 in lower-case hex: its id in the blob store.
    pub prepared_sha256: String,
    pub prepared_size: u64,
    /// `/ByteRange` of the placeholder.
    pub byte_range: [u64; 4],
    pub field_name: String,
    /// The claimed signing time written in `/M`.
    #[serde(with = "time::serde::rfc3339")]
    pub signing_time: OffsetDateTime,
    pub digest_algorithm: DigestAlgorithm,
    /// The signature algorithm the token must use, as a DER AlgorithmIdentifier.
    #[serde(with = "base64_bytes")]
    pub signature_algorithm: Vec<u8>,
    /// The digest of the covered bytes (the CMS messageDigest).
    #[serde(with = "base64_bytes")]
    pub document_digest: Vec<u8>,
    /// The DER of the signed-attribute SET: the bytes the token signs.
    #[serde(with = "base64_bytes")]
    pub signed_attributes: Vec<u8>,
    /// The digest of `signed_attributes`, for tokens that sign a prehash.
    #[serde(with = "base64_bytes")]
    pub signed_attributes_digest: Vec<u8>,
    /// The signer's certificate (DER).
    #[serde(with = "base64_bytes")]
    pub certificate: Vec<u8>,
    /// Its chain, nearest issuer first (DER).
    #[serde(with = "base64_list")]
    pub chain: Vec<Vec<u8>>,
}

impl PendingSignature {
    /// The signature algorithm the token must use.
    pub fn algorithm(&self) -> Result<SignatureAlgorithm, PadesError> {
        SignatureAlgorithm::from_der(&self.signature_algorithm, Some(self.digest_algorithm))
            .map_err(|error| PadesError::InvalidPending(format!("signature algorithm: {error}")))
    }
}

/// What the token sent back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenResponse {
    /// The signature value over [`PendingSignature::signed_attributes`] (PKCS#1 bytes, or a DER
    /// ECDSA-Sig-Value).
    Signature(Vec<u8>),
    /// A whole detached CMS SignedData made by the client for the prepared document's digest.
    Cms(Vec<u8>),
}

/// Prepares `pdf` for a signature by `certificate` (DER) with `chain`. `algorithm` is what the
/// token will sign with; `None` takes the usual one for the key (RSA PKCS#1 v1.5, ECDSA) with
/// the options' digest.
pub fn prepare<P>(
    pdf: P,
    options: &SignOptions,
    certificate: &[u8],
    chain: &[Vec<u8>],
    algorithm: Option<SignatureAlgorithm>,
) -> Result<Prepared, PadesError>
where
    P: AsRef<[u8]> + Send + Sync + 'static,
{
    let algorithm = match algorithm {
        Some(algorithm) => algorithm,
        None => algorithm_for(certificate, options.digest)?,
    };
    let preparation = prepare_document(pdf, options, certificate, chain, algorithm)?;
    let byte_range = preparation.prepared.byte_range();
    let pdf = preparation.prepared.into_bytes();
    let signed_attributes = preparation.attributes.der().to_vec();
    let pending = PendingSignature {
        version: PENDING_VERSION,
        prepared_sha256: hex::encode(sha256(&pdf)),
        prepared_size: pdf.len() as u64,
        byte_range,
        field_name: preparation.field_name,
        signing_time: preparation.signing_time,
        digest_algorithm: options.digest,
        signature_algorithm: algorithm_der(algorithm)?,
        document_digest: preparation.document_digest,
        signed_attributes_digest: preparation.attributes.digest(),
        signed_attributes,
        certificate: certificate.to_vec(),
        chain: chain.to_vec(),
    };
    Ok(Prepared { pending, pdf })
}

/// The usual algorithm for the certificate's key with `digest`.
fn algorithm_for(
    certificate: &[u8],
    digest: DigestAlgorithm,
) -> Result<SignatureAlgorithm, PadesError> {
    let kind = PublicKey::from_certificate_der(certificate)
        .map_err(|error| PadesError::Certificate(error.to_string()))?
        .kind();
    match default_algorithm(kind) {
        Some(SignatureAlgorithm::RsaPkcs1v15(_)) => Ok(SignatureAlgorithm::RsaPkcs1v15(digest)),
        Some(SignatureAlgorithm::Ecdsa(_)) => Ok(SignatureAlgorithm::Ecdsa(digest)),
        Some(other) => Ok(other),
        None => Err(PadesError::Certificate(format!(
            "no signature algorithm for a {kind} key"
        ))),
    }
}

fn algorithm_der(algorithm: SignatureAlgorithm) -> Result<Vec<u8>, PadesError> {
    use der::Encode;
    algorithm
        .algorithm_identifier()
        .and_then(|identifier| identifier.to_der())
        .map_err(|error| PadesError::InvalidPending(format!("signature algorithm: {error}")))
}

/// Completes a prepared signature with the token's answer and returns the signed PDF.
///
/// `prepared_pdf` must be the PDF `prepare` made (checked through the digest of its covered bytes
/// and its zeroed placeholder); `certificates` is the signer's certificate then its chain, or
/// empty to use those given to `prepare` — the signer's must be the one prepared for. A raw
/// signature must verify over the signed attributes with that certificate; a whole CMS must be
/// for exactly the prepared digest. Anything else is refused and nothing is returned.
pub fn complete(
    pending: &PendingSignature,
    prepared_pdf: &[u8],
    response: &TokenResponse,
    certificates: &[Vec<u8>],
) -> Result<Vec<u8>, PadesError> {
    complete_inner(pending, prepared_pdf, response, certificates, None)
}

/// Like [`complete`], with `extension` run on the CMS before it is embedded.
pub fn complete_extended(
    pending: &PendingSignature,
    prepared_pdf: &[u8],
    response: &TokenResponse,
    certificates: &[Vec<u8>],
    extension: &dyn CmsExtension,
) -> Result<Vec<u8>, PadesError> {
    complete_inner(
        pending,
        prepared_pdf,
        response,
        certificates,
        Some(extension),
    )
}

fn complete_inner(
    pending: &PendingSignature,
    prepared_pdf: &[u8],
    response: &TokenResponse,
    certificates: &[Vec<u8>],
    extension: Option<&dyn CmsExtension>,
) -> Result<Vec<u8>, PadesError> {
    if pending.version != PENDING_VERSION {
        return Err(PadesError::InvalidPending(format!(
            "version {} (this build reads {PENDING_VERSION})",
            pending.version
        )));
    }
    let certificates = chosen_certificates(pending, certificates)?;
    let prepared = checked_prepared(pending, prepared_pdf)?;
    let expected = Expected {
        certificate: &pending.certificate,
        digest: pending.digest_algorithm,
        document_digest: &pending.document_digest,
    };
    let cms = match response {
        TokenResponse::Signature(signature) => {
            let attributes =
                SignedAttributes::from_der(&pending.signed_attributes, pending.digest_algorithm)?;
            assemble(&attributes, pending.algorithm()?, signature, &certificates)?
        }
        TokenResponse::Cms(cms) => {
            check_cms(cms, &expected)?;
            cms.clone()
        }
    };
    finish(prepared, cms, &expected, extension)
}

/// The certificates to embed: the caller's (whose first must be the prepared one) or the
/// prepared ones.
fn chosen_certificates(
    pending: &PendingSignature,
    certificates: &[Vec<u8>],
) -> Result<Vec<Vec<u8>>, PadesError> {
    match certificates.first() {
        None => {
            let mut all = vec![pending.certificate.clone()];
            all.extend(pending.chain.iter().cloned());
            Ok(all)
        }
        Some(first) if *first == pending.certificate => Ok(certificates.to_vec()),
        Some(_) => Err(PadesError::WrongCertificate),
    }
}

/// The prepared PDF, checked to be the one `pending` describes: same size, a zeroed `<hex>`
/// placeholder at the byte range, and covered bytes with the prepared digest.
fn checked_prepared(
    pending: &PendingSignature,
    prepared_pdf: &[u8],
) -> Result<PreparedSignature, PadesError> {
    let mismatch = |problem: &str| PadesError::PreparedMismatch(problem.to_owned());
    if prepared_pdf.len() as u64 != pending.prepared_size {
        return Err(mismatch("its size differs"));
    }
    let prepared = PreparedSignature::from_parts(prepared_pdf.to_vec(), pending.byte_range)
        .map_err(|error| PadesError::PreparedMismatch(error.to_string()))?;
    let mut hasher = pending.digest_algorithm.hasher();
    prepared.digest_with(|chunk| hasher.update(chunk));
    if hasher.finish() != pending.document_digest {
        return Err(mismatch("the digest of its covered bytes differs"));
    }
    Ok(prepared)
}

/// [`prepare`] on the blocking thread pool.
pub async fn prepare_async<P>(
    pdf: P,
    options: SignOptions,
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
    algorithm: Option<SignatureAlgorithm>,
) -> Result<Prepared, PadesError>
where
    P: AsRef<[u8]> + Send + Sync + 'static,
{
    run_blocking(move || prepare(pdf, &options, &certificate, &chain, algorithm)).await
}

/// [`complete`] on the blocking thread pool.
pub async fn complete_async(
    pending: PendingSignature,
    prepared_pdf: Vec<u8>,
    response: TokenResponse,
    certificates: Vec<Vec<u8>>,
) -> Result<Vec<u8>, PadesError> {
    run_blocking(move || complete(&pending, &prepared_pdf, &response, &certificates)).await
}

mod base64_bytes {
    use super::BASE64;
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&BASE64.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        BASE64.decode(text).map_err(serde::de::Error::custom)
    }
}

mod base64_list {
    use super::BASE64;
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(list: &[Vec<u8>], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(list.iter().map(|bytes| BASE64.encode(bytes)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Vec<u8>>, D::Error> {
        Vec::<String>::deserialize(deserializer)?
            .into_iter()
            .map(|text| BASE64.decode(text).map_err(serde::de::Error::custom))
            .collect()
    }
}
