//! The timestamp authority of `vanthu serve`: its options (`--tsa-key`, `--tsa-cert`,
//! `--tsa-chain`, `--tsa-policy`, `--tsa-accuracy-ms`, each also `VANTHU_TSA_*`, and the `[tsa]`
//! table of the TOML file), and opening the authority they describe.
//!
//! Which TSA runs:
//! - a configured key and certificate (both or neither);
//! - otherwise, in demo mode, the development TSA of `<data-dir>/pki/` (the `vanthu pki dev-init`
//!   layout), created on first start with P-256 keys — generating the RSA-2048 development PKI
//!   takes about 12 s in a debug build, P-256 well under one — and clearly marked as development;
//! - otherwise none: `POST /tsa` answers 503.
//!
//! Keys at rest: when a passphrase is configured (`VANTHU_TSA_KEY_PASSPHRASE` or `key_passphrase`
//! in the file — never a flag, which `ps` would show), a sealed key file is opened with it, and a
//! plain one is sealed in place (`pki::keys::seal_private_key`, written to a temporary file and
//! renamed over the original). Without a passphrase a plain key is used with a warning. The
//! development PKI stays plain: it is marked "NOT FOR PRODUCTION" in its names.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use const_oid::ObjectIdentifier;
use serde::Deserialize;

use super::authority::{
    AuthorityConfig, AuthorityError, DEFAULT_ACCURACY_MS, StoreSerials, TimestampAuthority,
};
use crate::cms::{LocalKey, SignerError};
use crate::config::Secret;
use crate::pki::devpki::{self, DevPkiError, DevPkiSpec, KeyAlgorithm};
use crate::pki::keys::{self, KeyError, PrivateKey};
use crate::pki::trust::certificates_from_bytes;
use crate::store::Store;

/// The environment variable holding the TSA key's passphrase.
pub const PASSPHRASE_ENV: &str = "VANTHU_TSA_KEY_PASSPHRASE";

/// The folder of the development PKI under the data directory.
pub const DEV_PKI_FOLDER: &str = "pki";

/// The `--tsa-*` options of `vanthu serve`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TsaArgs {
    /// Private key of the timestamp authority (PEM or DER; sealed or plain) [default: the
    /// development TSA in DATA_DIR/pki in demo mode].
    #[arg(long, env = "VANTHU_TSA_KEY", value_name = "FILE")]
    pub tsa_key: Option<PathBuf>,
    /// Certificate of the timestamp authority (PEM or DER), with the critical timeStamping
    /// extended key usage.
    #[arg(long, env = "VANTHU_TSA_CERT", value_name = "FILE")]
    pub tsa_cert: Option<PathBuf>,
    /// Certificates to include after the TSA's (PEM bundle), nearest issuer first.
    #[arg(long, env = "VANTHU_TSA_CHAIN", value_name = "FILE")]
    pub tsa_chain: Option<PathBuf>,
    /// TSA policy OID of the tokens [default: 1.3.6.1.4.1.32473.3161.1, a placeholder].
    #[arg(long, env = "VANTHU_TSA_POLICY", value_name = "OID")]
    pub tsa_policy: Option<String>,
    /// Accuracy of genTime declared in tokens, in milliseconds; 0 leaves it out [default: 1000].
    #[arg(long, env = "VANTHU_TSA_ACCURACY_MS", value_name = "MS")]
    pub tsa_accuracy_ms: Option<u32>,
}

/// The `[tsa]` table of the TOML file; keys are named like the options.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct TsaFileConfig {
    pub key: Option<PathBuf>,
    pub cert: Option<PathBuf>,
    pub chain: Option<PathBuf>,
    pub policy: Option<String>,
    pub accuracy_ms: Option<u32>,
    pub key_passphrase: Option<Secret<String>>,
}

/// Where the authority's key comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum TsaSource {
    /// Key and certificate files given by the operator.
    Configured {
        key: PathBuf,
        cert: PathBuf,
        chain: Option<PathBuf>,
        passphrase: Option<Secret<String>>,
    },
    /// The development TSA in this development-PKI folder, created when absent.
    Development { dir: PathBuf },
    /// No timestamp authority.
    Disabled,
}

/// The resolved TSA settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TsaSettings {
    pub source: TsaSource,
    pub authority: AuthorityConfig,
}

/// Why the TSA cannot be configured or opened.
#[derive(Debug, thiserror::Error)]
pub enum TsaConfigError {
    #[error("--tsa-key and --tsa-cert go together; only {given} was given")]
    Incomplete { given: &'static str },
    #[error("--tsa-chain needs --tsa-key and --tsa-cert")]
    ChainWithoutKey,
    #[error("TSA policy {text:?} is not an object identifier: {reason}")]
    Policy { text: String, reason: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {reason}", path.display())]
    Certificate { path: PathBuf, reason: String },
    #[error("{}: {source}", path.display())]
    Key {
        path: PathBuf,
        #[source]
        source: KeyError,
    },
    #[error(
        "{}: the key is sealed; give its passphrase in {PASSPHRASE_ENV} or tsa.key_passphrase",
        path.display()
    )]
    PassphraseRequired { path: PathBuf },
    #[error("the TSA key and certificate do not make a signer: {0}")]
    Signer(#[from] SignerError),
    #[error("development PKI: {0}")]
    DevPki(#[from] DevPkiError),
    #[error("the timestamp authority cannot start: {0}")]
    Authority(#[from] AuthorityError),
    #[error("the development PKI could not be prepared: {0}")]
    Task(String),
}

impl TsaSettings {
    /// Merges options/environment (combined by clap), the file's `[tsa]` table, the passphrase
    /// from the environment and the defaults. `demo` enables the development TSA.
    pub fn resolve(
        args: &TsaArgs,
        file: Option<&TsaFileConfig>,
        passphrase_from_env: Option<String>,
        data_dir: &Path,
        demo: bool,
    ) -> Result<Self, TsaConfigError> {
        let empty = TsaFileConfig::default();
        let file = file.unwrap_or(&empty);
        let key = args.tsa_key.clone().or_else(|| file.key.clone());
        let cert = args.tsa_cert.clone().or_else(|| file.cert.clone());
        let chain = args.tsa_chain.clone().or_else(|| file.chain.clone());
        let passphrase = passphrase_from_env
            .filter(|value| !value.is_empty())
            .map(Secret::new)
            .or_else(|| file.key_passphrase.clone())
            .filter(|secret| !secret.expose().is_empty());
        let source = match (key, cert) {
            (Some(key), Some(cert)) => TsaSource::Configured {
                key,
                cert,
                chain,
                passphrase,
            },
            (Some(_), None) => return Err(TsaConfigError::Incomplete { given: "--tsa-key" }),
            (None, Some(_)) => {
                return Err(TsaConfigError::Incomplete {
                    given: "--tsa-cert",
                });
            }
            (None, None) if chain.is_some() => return Err(TsaConfigError::ChainWithoutKey),
            (None, None) if demo => TsaSource::Development {
                dir: data_dir.join(DEV_PKI_FOLDER),
            },
            (None, None) => TsaSource::Disabled,
        };
        let mut authority = AuthorityConfig::default();
        if let Some(text) = args.tsa_policy.as_ref().or(file.policy.as_ref()) {
            authority.policy = parse_oid(text)?;
        }
        authority.accuracy_ms = args
            .tsa_accuracy_ms
            .or(file.accuracy_ms)
            .unwrap_or(DEFAULT_ACCURACY_MS);
        Ok(TsaSettings { source, authority })
    }
}

/// A running authority and whether it is the development one.
#[derive(Debug, Clone)]
pub struct OpenedAuthority {
    pub authority: Arc<TimestampAuthority>,
    pub development: bool,
}

/// Opens the authority the settings describe, with serial numbers from `store`; `None` when
/// the TSA is disabled.
pub async fn open_authority(
    settings: &TsaSettings,
    store: Arc<dyn Store>,
) -> Result<Option<OpenedAuthority>, TsaConfigError> {
    let source = settings.source.clone();
    let (signer, development) = match source {
        TsaSource::Disabled => return Ok(None),
        TsaSource::Configured {
            key,
            cert,
            chain,
            passphrase,
        } => {
            let signer = tokio::task::spawn_blocking(move || {
                configured_signer(&key, &cert, chain.as_deref(), passphrase.as_ref())
            })
            .await
            .map_err(|error| TsaConfigError::Task(error.to_string()))??;
            (signer, false)
        }
        TsaSource::Development { dir } => {
            let signer = tokio::task::spawn_blocking(move || development_signer(&dir))
                .await
                .map_err(|error| TsaConfigError::Task(error.to_string()))??;
            (signer, true)
        }
    };
    let authority = TimestampAuthority::new(
        Arc::new(signer),
        settings.authority.clone(),
        Arc::new(StoreSerials(store)),
    )?;
    Ok(Some(OpenedAuthority {
        authority: Arc::new(authority),
        development,
    }))
}

/// The operator's key, certificate and chain; seals a plain key when a passphrase is given.
fn configured_signer(
    key_path: &Path,
    cert_path: &Path,
    chain_path: Option<&Path>,
    passphrase: Option<&Secret<String>>,
) -> Result<LocalKey, TsaConfigError> {
    let certificate = read_certificates(cert_path)?
        .into_iter()
        .next()
        .ok_or_else(|| TsaConfigError::Certificate {
            path: cert_path.to_path_buf(),
            reason: "no certificate in the file".into(),
        })?;
    let chain = match chain_path {
        Some(path) => read_certificates(path)?,
        None => Vec::new(),
    };
    let key = read_key(key_path, passphrase)?;
    Ok(LocalKey::new(key.pkcs8_der(), certificate, chain)?)
}

/// The development PKI's TSA, creating the PKI (P-256) when the folder holds none.
fn development_signer(dir: &Path) -> Result<LocalKey, TsaConfigError> {
    let pki = if devpki::exists(dir) {
        devpki::load(dir)?
    } else {
        tracing::warn!(dir = %dir.display(),
            "creating the development PKI (P-256); NOT FOR PRODUCTION");
        devpki::init(dir, &DevPkiSpec::demo(), KeyAlgorithm::P256)?
    };
    Ok(LocalKey::new(
        pki.tsa.key.pkcs8_der(),
        pki.tsa.certificate.clone(),
        pki.chain(),
    )?)
}

fn read_certificates(path: &Path) -> Result<Vec<Vec<u8>>, TsaConfigError> {
    let bytes = std::fs::read(path).map_err(|source| TsaConfigError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let certificates =
        certificates_from_bytes(path, &bytes).map_err(|error| TsaConfigError::Certificate {
            path: path.to_path_buf(),
            reason: error.to_string(),
        })?;
    Ok(certificates
        .into_iter()
        .map(|certificate| certificate.der().to_vec())
        .collect())
}

/// Reads the key: opens a sealed one with the passphrase, seals a plain one when a passphrase
/// is configured.
fn read_key(
    path: &Path,
    passphrase: Option<&Secret<String>>,
) -> Result<PrivateKey, TsaConfigError> {
    let bytes =
        zeroize::Zeroizing::new(std::fs::read(path).map_err(|source| TsaConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?);
    let key_error = |source| TsaConfigError::Key {
        path: path.to_path_buf(),
        source,
    };
    match keys::load_private_key(&bytes, None) {
        Ok(key) => {
            match passphrase {
                Some(passphrase) => seal_in_place(path, &key, passphrase),
                None => tracing::warn!(path = %path.display(),
                    "the TSA key is stored unencrypted; set {PASSPHRASE_ENV} to seal it at rest"),
            }
            Ok(key)
        }
        Err(KeyError::PasswordRequired) => {
            let passphrase = passphrase.ok_or_else(|| TsaConfigError::PassphraseRequired {
                path: path.to_path_buf(),
            })?;
            keys::load_private_key(&bytes, Some(passphrase.expose().as_bytes())).map_err(key_error)
        }
        Err(error) => Err(key_error(error)),
    }
}

/// Replaces a plain key file by its sealed form. A failure is logged, not fatal: the service
/// still runs, and the operator is told the key stays plain.
fn seal_in_place(path: &Path, key: &PrivateKey, passphrase: &Secret<String>) {
    match write_sealed(path, key, passphrase) {
        Ok(()) => tracing::info!(path = %path.display(), "sealed the TSA key at rest"),
        Err(error) => tracing::warn!(path = %path.display(), %error,
            "could not seal the TSA key; it stays unencrypted on disk"),
    }
}

fn write_sealed(
    path: &Path,
    key: &PrivateKey,
    passphrase: &Secret<String>,
) -> Result<(), TsaConfigError> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let sealed = keys::seal_private_key(key, passphrase.expose().as_bytes()).map_err(|source| {
        TsaConfigError::Key {
            path: path.to_path_buf(),
            source,
        }
    })?;
    let io = |source| TsaConfigError::Io {
        path: path.to_path_buf(),
        source,
    };
    let temporary = path.with_extension("sealing");
    // A leftover of an interrupted earlier attempt holds nothing the original does not.
    let _ = std::fs::remove_file(&temporary);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temporary)
        .map_err(io)?;
    let written = file
        .write_all(sealed.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&temporary, path));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(io(error));
    }
    if let Some(parent) = path.parent()
        && let Ok(directory) = std::fs::File::open(parent)
    {
        let _ = directory.sync_all();
    }
    Ok(())
}

/// Parses a dotted OID, refusing arcs `const-oid` cannot hold (its parser overflows on them
/// instead of failing).
pub fn parse_oid(text: &str) -> Result<ObjectIdentifier, TsaConfigError> {
    let invalid = |reason: &str| TsaConfigError::Policy {
        text: text.to_owned(),
        reason: reason.to_owned(),
    };
    let arcs: Vec<&str> = text.trim().split('.').collect();
    if arcs.len() < 2 {
        return Err(invalid("at least two arcs are needed"));
    }
    for arc in &arcs {
        if arc.is_empty() || !arc.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(invalid("arcs are decimal numbers separated by dots"));
        }
        if arc.parse::<u32>().is_err() {
            return Err(invalid("an arc is larger than 4294967295"));
        }
    }
    ObjectIdentifier::new(text.trim()).map_err(|error| invalid(&error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_from_text_never_overflow() {
        assert_eq!(
            parse_oid("1.3.6.1.4.1.32473.3161.1").unwrap(),
            super::super::authority::DEFAULT_POLICY
        );
        for bad in [
            "",
            "1",
            "1..2",
            "1.2.x",
            "2.25.329800735698586629295641978511506172918",
            "1.2.99999999999",
        ] {
            assert!(parse_oid(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn key_and_certificate_go_together_and_demo_uses_the_data_dir() {
        let data = Path::new("/srv/vanthu");
        let only_key = TsaArgs {
            tsa_key: Some("tsa.key.pem".into()),
            ..TsaArgs::default()
        };
        assert!(matches!(
            TsaSettings::resolve(&only_key, None, None, data, true),
            Err(TsaConfigError::Incomplete { .. })
        ));
        let demo = TsaSettings::resolve(&TsaArgs::default(), None, None, data, true).unwrap();
        assert_eq!(
            demo.source,
            TsaSource::Development {
                dir: data.join("pki")
            }
        );
        let off = TsaSettings::resolve(&TsaArgs::default(), None, None, data, false).unwrap();
        assert_eq!(off.source, TsaSource::Disabled);

        let file: TsaFileConfig = toml::from_str(
            "key = \"/etc/vanthu/tsa.key\"\ncert = \"/etc/vanthu/tsa.pem\"\npolicy = \"1.2.3.4\"\nkey_passphrase = \"bi-mat\"\naccuracy_ms = 250\n",
        )
        .unwrap();
        let configured = TsaSettings::resolve(
            &TsaArgs {
                tsa_accuracy_ms: Some(500),
                ..TsaArgs::default()
            },
            Some(&file),
            Some("from-env".into()),
            data,
            true,
        )
        .unwrap();
        assert_eq!(configured.authority.policy.to_string(), "1.2.3.4");
        assert_eq!(configured.authority.accuracy_ms, 500);
        match configured.source {
            TsaSource::Configured { passphrase, .. } => {
                assert_eq!(passphrase.unwrap().expose(), "from-env");
            }
            other => panic!("{other:?}"),
        }
        assert!(!format!("{file:?}").contains("bi-mat"));
    }
}
