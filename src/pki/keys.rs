//! Private keys: loading PKCS#8 (plain or encrypted), PKCS#1 RSA, SEC1 EC and PKCS#12 files
//! into one normalised form (PKCS#8 DER, what ring signs with), and sealing server-held keys at
//! rest as encrypted PKCS#8 (PBES2: PBKDF2-HMAC-SHA256, 600 000 iterations, AES-256-CBC).

use std::fmt;

use der::asn1::AnyRef;
use der::{Decode, Encode};
use pkcs8::pkcs5::pbes2;
use pkcs8::{EncryptedPrivateKeyInfo, LineEnding, PrivateKeyInfo};
use rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

use super::pem::{PemBlock, PemError, looks_like_pem, pem_blocks};
use crate::crypto::{CryptoError, KeyKind, oid, private_key_kind};

/// PBKDF2 iterations for sealed keys (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).
pub const SEAL_PBKDF2_ITERATIONS: u32 = 600_000;

/// The PEM label of a sealed key (standard encrypted PKCS#8, readable by `openssl pkcs8`).
pub const SEALED_KEY_LABEL: &str = "ENCRYPTED PRIVATE KEY";

/// A private key as PKCS#8 DER, wiped from memory when dropped and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct PrivateKey {
    pkcs8: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(<redacted>)")
    }
}

impl PrivateKey {
    /// Wraps PKCS#8 DER after checking that it parses and names a key type we know.
    pub fn from_pkcs8_der(pkcs8: &[u8]) -> Result<Self, KeyError> {
        private_key_kind(pkcs8).map_err(KeyError::Unusable)?;
        Ok(PrivateKey {
            pkcs8: Zeroizing::new(pkcs8.to_vec()),
        })
    }

    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// RSA, EC (with curve) or Ed25519; the RSA size is reported as 0 here.
    pub fn kind(&self) -> Result<KeyKind, KeyError> {
        private_key_kind(&self.pkcs8).map_err(KeyError::Unusable)
    }

    /// Plain PKCS#8 PEM ("PRIVATE KEY"), for development keys only.
    pub fn to_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        der::pem::encode_string("PRIVATE KEY", LineEnding::LF, &self.pkcs8)
            .map(Zeroizing::new)
            .map_err(|error| KeyError::Encoding(error.into()))
    }
}

/// What a PKCS#12 file held.
#[derive(Debug, Clone)]
pub struct Pkcs12Contents {
    pub key: PrivateKey,
    /// The certificate of the key (DER), when the file links one to it.
    pub certificate: Option<Vec<u8>>,
    /// The other certificates of the key's chain (DER), nearest issuer first.
    pub chain: Vec<Vec<u8>>,
}

/// Why a key could not be loaded or sealed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "no private key found (expected PEM PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY, ENCRYPTED PRIVATE KEY or DER PKCS#8)"
    )]
    NotAKey,
    #[error("PEM block {label:?} is malformed: {reason}")]
    Pem { label: String, reason: String },
    #[error(
        "legacy OpenSSL-encrypted PEM (Proc-Type/DEK-Info) is not supported; convert with `openssl pkcs8 -topk8`"
    )]
    LegacyEncryptedPem,
    #[error("the key is encrypted and needs a password / khóa được mã hóa, cần mật khẩu")]
    PasswordRequired,
    #[error("wrong password or corrupted key / sai mật khẩu hoặc khóa hỏng")]
    WrongPassword,
    #[error("the key is encrypted with a scheme we cannot open: {0}")]
    UnsupportedEncryption(String),
    #[error("{format} key is malformed: {reason}")]
    Malformed {
        format: &'static str,
        reason: String,
    },
    #[error("unusable key: {0}")]
    Unusable(#[source] CryptoError),
    #[error("PKCS#12: {0}")]
    Pkcs12(String),
    #[error("PKCS#12 file holds no private key")]
    Pkcs12NoKey,
    #[error("a sealing passphrase must not be empty")]
    EmptyPassphrase,
    #[error("a sealed key must be PEM {SEALED_KEY_LABEL:?}, found {found:?}")]
    NotSealed { found: String },
    #[error("key encoding failed: {0}")]
    Encoding(#[source] der::Error),
}

/// Loads a private key from PEM (PKCS#8, PKCS#1 RSA, SEC1 EC, encrypted PKCS#8) or DER (PKCS#8,
/// PKCS#1, SEC1, encrypted PKCS#8). `password` opens encrypted PKCS#8.
pub fn load_private_key(bytes: &[u8], password: Option<&[u8]>) -> Result<PrivateKey, KeyError> {
    if looks_like_pem(bytes) {
        let blocks = pem_blocks(bytes)?;
        let PemBlock { label, der } = blocks
            .into_iter()
            .find(|block| block.label.ends_with("PRIVATE KEY"))
            .ok_or(KeyError::NotAKey)?;
        return match label.as_str() {
            "PRIVATE KEY" => normalise_pkcs8(&der),
            "RSA PRIVATE KEY" => from_pkcs1(&der),
            "EC PRIVATE KEY" => from_sec1(&der),
            "ENCRYPTED PRIVATE KEY" => decrypt_pkcs8(&der, password),
            _ => Err(KeyError::NotAKey),
        };
    }
    if PrivateKeyInfo::from_der(bytes).is_ok() {
        return normalise_pkcs8(bytes);
    }
    if EncryptedPrivateKeyInfo::from_der(bytes).is_ok() {
        return decrypt_pkcs8(bytes, password);
    }
    if rsa::pkcs1::RsaPrivateKey::from_der(bytes).is_ok() {
        return from_pkcs1(bytes);
    }
    from_sec1(bytes).map_err(|_| KeyError::NotAKey)
}

/// Reads the key and its certificates from a PKCS#12 (PFX) file: OpenSSL 3's default
/// (PBES2/AES-256, HMAC-SHA-256) and the legacy 3DES/RC2 forms.
pub fn load_pkcs12(bytes: &[u8], password: &str) -> Result<Pkcs12Contents, KeyError> {
    use p12_keystore::{KeyStore, Pkcs12ImportPolicy};
    let store =
        KeyStore::from_pkcs12(bytes, password, Pkcs12ImportPolicy::Relaxed).map_err(|error| {
            match error {
                // The MAC over the file is keyed by the password: a mismatch means a wrong password.
                p12_keystore::error::Error::MacError(_) => KeyError::WrongPassword,
                other => KeyError::Pkcs12(other.to_string()),
            }
        })?;
    let (_, chain) = store.private_key_chain().ok_or(KeyError::Pkcs12NoKey)?;
    let key = normalise_pkcs8(chain.key().as_der())?;
    let mut certificates = chain
        .certs()
        .iter()
        .map(|certificate| certificate.as_der().to_vec());
    Ok(Pkcs12Contents {
        key,
        certificate: certificates.next(),
        chain: certificates.collect(),
    })
}

/// Encrypts a PKCS#8 key for storage at rest: PEM "ENCRYPTED PRIVATE KEY", PBES2 with
/// PBKDF2-HMAC-SHA256 ([`SEAL_PBKDF2_ITERATIONS`]), a random 16-byte salt and AES-256-CBC.
pub fn seal_private_key(
    key: &PrivateKey,
    passphrase: &[u8],
) -> Result<Zeroizing<String>, KeyError> {
    if passphrase.is_empty() {
        return Err(KeyError::EmptyPassphrase);
    }
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut iv);
    let params = pbes2::Parameters::pbkdf2_sha256_aes256cbc(SEAL_PBKDF2_ITERATIONS, &salt, &iv)
        .map_err(|error| KeyError::UnsupportedEncryption(error.to_string()))?;
    let info = PrivateKeyInfo::from_der(key.pkcs8_der()).map_err(KeyError::Encoding)?;
    let sealed = info
        .encrypt_with_params(params, passphrase)
        .map_err(|error| KeyError::UnsupportedEncryption(error.to_string()))?;
    sealed
        .to_pem(SEALED_KEY_LABEL, LineEnding::LF)
        .map_err(KeyError::Encoding)
}

/// Opens a key sealed by [`seal_private_key`] (or any encrypted PKCS#8 PEM we can decrypt).
pub fn open_sealed_key(pem: &str, passphrase: &[u8]) -> Result<PrivateKey, KeyError> {
    let blocks = pem_blocks(pem.as_bytes())?;
    let PemBlock { label, der } = blocks.into_iter().next().ok_or(KeyError::NotSealed {
        found: String::new(),
    })?;
    if label != SEALED_KEY_LABEL {
        return Err(KeyError::NotSealed { found: label });
    }
    decrypt_pkcs8(&der, Some(passphrase))
}

fn decrypt_pkcs8(der: &[u8], password: Option<&[u8]>) -> Result<PrivateKey, KeyError> {
    let password = password.ok_or(KeyError::PasswordRequired)?;
    let encrypted =
        EncryptedPrivateKeyInfo::from_der(der).map_err(|error| KeyError::Malformed {
            format: "encrypted PKCS#8",
            reason: error.to_string(),
        })?;
    let document = encrypted.decrypt(password).map_err(|error| match error {
        // pkcs5 0.7 reports a bad CBC padding after decryption (the usual sign of a wrong
        // password) as `EncryptFailed`.
        pkcs8::Error::EncryptedPrivateKey(
            pkcs8::pkcs5::Error::DecryptFailed | pkcs8::pkcs5::Error::EncryptFailed,
        ) => KeyError::WrongPassword,
        // A wrong password that happens to leave valid CBC padding yields garbage that is not
        // PKCS#8.
        pkcs8::Error::Asn1(_) | pkcs8::Error::KeyMalformed => KeyError::WrongPassword,
        other => KeyError::UnsupportedEncryption(other.to_string()),
    })?;
    normalise_pkcs8(document.as_bytes()).map_err(|error| match error {
        KeyError::Malformed { .. } | KeyError::Unusable(_) => KeyError::WrongPassword,
        other => other,
    })
}

/// Checks a PKCS#8 key; EC keys are re-encoded with their public key included, which ring needs.
fn normalise_pkcs8(der: &[u8]) -> Result<PrivateKey, KeyError> {
    let info = PrivateKeyInfo::from_der(der).map_err(|error| KeyError::Malformed {
        format: "PKCS#8",
        reason: error.to_string(),
    })?;
    if info.algorithm.oid == oid::EC_PUBLIC_KEY && info.public_key.is_none() {
        use pkcs8::{DecodePrivateKey, EncodePrivateKey};
        let reencoded = match info.algorithm.parameters_oid().ok() {
            Some(oid::SECP256R1) => p256::SecretKey::from_pkcs8_der(der)
                .and_then(|key| key.to_pkcs8_der())
                .map(|document| document.as_bytes().to_vec()),
            Some(oid::SECP384R1) => p384::SecretKey::from_pkcs8_der(der)
                .and_then(|key| key.to_pkcs8_der())
                .map(|document| document.as_bytes().to_vec()),
            _ => Ok(der.to_vec()),
        }
        .map_err(|error| KeyError::Malformed {
            format: "PKCS#8 EC",
            reason: error.to_string(),
        })?;
        return PrivateKey::from_pkcs8_der(&Zeroizing::new(reencoded));
    }
    PrivateKey::from_pkcs8_der(der)
}

/// PKCS#1 `RSAPrivateKey` wrapped in PKCS#8 with the rsaEncryption identifier.
fn from_pkcs1(der: &[u8]) -> Result<PrivateKey, KeyError> {
    rsa::pkcs1::RsaPrivateKey::from_der(der).map_err(|error| KeyError::Malformed {
        format: "PKCS#1 RSA",
        reason: error.to_string(),
    })?;
    let info = PrivateKeyInfo::new(
        spki::AlgorithmIdentifierRef {
            oid: oid::RSA_ENCRYPTION,
            parameters: Some(AnyRef::NULL),
        },
        der,
    );
    let pkcs8 = Zeroizing::new(info.to_der().map_err(KeyError::Encoding)?);
    PrivateKey::from_pkcs8_der(&pkcs8)
}

/// SEC1 `ECPrivateKey` (P-256 or P-384) as PKCS#8 with its public key.
fn from_sec1(der: &[u8]) -> Result<PrivateKey, KeyError> {
    use pkcs8::EncodePrivateKey;
    let malformed = |reason: String| KeyError::Malformed {
        format: "SEC1 EC",
        reason,
    };
    let pkcs8 = if let Ok(key) = p256::SecretKey::from_sec1_der(der) {
        key.to_pkcs8_der()
    } else if let Ok(key) = p384::SecretKey::from_sec1_der(der) {
        key.to_pkcs8_der()
    } else {
        return Err(malformed("not a P-256 or P-384 key".into()));
    }
    .map_err(|error| malformed(error.to_string()))?;
    PrivateKey::from_pkcs8_der(pkcs8.as_bytes())
}

impl From<PemError> for KeyError {
    fn from(error: PemError) -> Self {
        match error {
            PemError::LegacyEncrypted { .. } => KeyError::LegacyEncryptedPem,
            PemError::Malformed { label, reason, .. } => KeyError::Pem {
                label,
                reason: reason.to_owned(),
            },
        }
    }
}
