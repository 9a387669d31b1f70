//! The options every long-term-validation command shares (`sign --level`, `extend`, `archive
//! renew`): the timestamping authority, and where validation data comes from.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::CliError;
use crate::ltv::ValidationSources;
use crate::pki::trust::TrustStore;
use crate::tsa::{ClientConfig, RemoteTsa, Timestamper, TsaClient};

#[derive(Debug, Clone, clap::Args)]
pub struct LtvOptions {
    /// The RFC 3161 timestamping authority, e.g. http://127.0.0.1:8080/tsa (`vanthu serve`'s).
    #[arg(long, value_name = "URL")]
    pub tsa: Option<String>,
    /// Give up on the TSA after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 15)]
    pub tsa_timeout: u64,
    /// Trust anchors for the validation data (B-LT, B-LTA): a certificate file or a folder.
    /// Repeatable.
    #[arg(long = "trust", value_name = "PEM|DIR")]
    pub trust: Vec<PathBuf>,
    /// Intermediate CA certificates that may complete chains. Repeatable.
    #[arg(long = "intermediates", value_name = "PEM|DIR")]
    pub intermediates: Vec<PathBuf>,
    /// CRLs to embed (a file or a folder of them; PEM or DER). Repeatable.
    #[arg(long = "crl", value_name = "FILE|DIR")]
    pub crl: Vec<PathBuf>,
}

impl LtvOptions {
    /// The TSA at `--tsa`, when given.
    pub fn timestamper(&self) -> Result<Option<Arc<dyn Timestamper>>, CliError> {
        let Some(url) = &self.tsa else {
            return Ok(None);
        };
        let client = TsaClient::new(ClientConfig {
            timeout: Duration::from_secs(self.tsa_timeout.max(1)),
            ..ClientConfig::default()
        })
        .map_err(CliError::failed)?;
        Ok(Some(Arc::new(RemoteTsa::new(client, url.clone()))))
    }

    /// The trust store and CRLs named by `--trust`, `--intermediates` and `--crl`.
    pub fn sources(&self) -> Result<ValidationSources, CliError> {
        let mut store = TrustStore::new();
        for path in &self.trust {
            store.load_anchors(path).map_err(CliError::failed)?;
        }
        // Intermediates and CRLs both go to the store: CRLs are kept whatever the role.
        for path in self.intermediates.iter().chain(&self.crl) {
            store.load_intermediates(path).map_err(CliError::failed)?;
        }
        Ok(ValidationSources::new(Arc::new(store), Vec::new()))
    }
}
