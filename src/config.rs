//! Service configuration: command-line options, environment variables and the optional TOML file,
//! merged with the precedence CLI > environment > file > default, with secrets redacted.
//!
//! clap reads each option from its flag or, failing that, its `VANTHU_*` variable; what neither
//! gives comes from the TOML file (`--config FILE` / `VANTHU_CONFIG`), then from the defaults.
//! Secrets (the database URL's password, the demo password) are wrapped so that `Debug` and
//! `Display` never show them; `--help` hides their environment values.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;

/// A value that must never be printed: `Debug` shows `[redacted]`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A database URL (`sqlite://…` or `postgres://…`) whose password never appears in `Debug` or
/// `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(url::Url);

/// Which implementation a database URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl DatabaseUrl {
    /// The SQLite database file `path`, created when missing.
    pub fn sqlite_file(path: &Path) -> Result<Self, ConfigError> {
        let absolute = std::path::absolute(path).map_err(|source| ConfigError::Path {
            path: path.to_path_buf(),
            source,
        })?;
        let url = url::Url::from_file_path(&absolute).map_err(|()| ConfigError::DatabaseUrl {
            reason: format!("{} cannot be written as a URL", absolute.display()),
        })?;
        // file:///abs/path → sqlite:///abs/path
        let text = format!("sqlite://{}", url.path());
        text.parse()
    }

    pub fn backend(&self) -> Backend {
        match self.0.scheme() {
            "postgres" | "postgresql" => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }

    /// The full URL, password included, for the driver only.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    /// The URL with its password (in the user part or as a `password=` parameter) replaced.
    pub fn redacted(&self) -> String {
        let mut url = self.0.clone();
        if url.password().is_some() {
            let _ = url.set_password(Some("***"));
        }
        let has_password_param = url.query_pairs().any(|(key, _)| key == "password");
        if has_password_param {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(key, value)| {
                    let value = if key == "password" {
                        "***".to_string()
                    } else {
                        value.into_owned()
                    };
                    (key.into_owned(), value)
                })
                .collect();
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
        url.to_string()
    }
}

impl FromStr for DatabaseUrl {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let url = url::Url::parse(text).map_err(|error| ConfigError::DatabaseUrl {
            // The parser's message never echoes the input, so no secret leaks through it.
            reason: error.to_string(),
        })?;
        match url.scheme() {
            "sqlite" | "postgres" | "postgresql" => Ok(DatabaseUrl(url)),
            other => Err(ConfigError::DatabaseUrl {
                reason: format!("unsupported scheme `{other}` (expected sqlite:// or postgres://)"),
            }),
        }
    }
}

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Options that locate the database; shared by `serve` and the administration commands.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct StorageArgs {
    /// TOML configuration file.
    #[arg(long, global = true, env = "VANTHU_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory: the SQLite database and the blob files [default: ./data].
    #[arg(long, global = true, env = "VANTHU_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite://PATH or postgres://USER[:PASSWORD]@HOST:PORT/DB [default: sqlite://DATA_DIR/vanthu.db].
    #[arg(
        long,
        global = true,
        env = "VANTHU_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<DatabaseUrl>,
}

/// Options of `vanthu serve` beyond the storage ones.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServiceArgs {
    /// Address to listen on [default: 127.0.0.1:8080]; port 0 picks a free port.
    #[arg(long, env = "VANTHU_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Do not seed the demo organisation into an empty database.
    #[arg(long, env = "VANTHU_NO_DEMO", num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub no_demo: Option<bool>,
    /// Log format [default: text].
    #[arg(long, env = "VANTHU_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Largest accepted request body, in bytes [default: 2097152].
    #[arg(long, env = "VANTHU_BODY_LIMIT", value_name = "BYTES")]
    pub body_limit: Option<usize>,
    /// Longest time a request may take, in seconds [default: 30].
    #[arg(long, env = "VANTHU_REQUEST_TIMEOUT", value_name = "SECONDS")]
    pub request_timeout: Option<u64>,
    /// Lifetime of a login session, in hours [default: 12].
    #[arg(long, env = "VANTHU_SESSION_HOURS", value_name = "HOURS")]
    pub session_hours: Option<u64>,
    /// Mark the session cookie `Secure` (behind HTTPS) [default: false].
    #[arg(long, env = "VANTHU_COOKIE_SECURE", num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub cookie_secure: Option<bool>,
    /// Trust anchors for signature verification: a certificate file or a folder. Repeatable;
    /// the variable takes a `:`-separated list.
    #[arg(
        long = "trust",
        env = "VANTHU_TRUST",
        value_name = "PEM|DIR",
        value_delimiter = ':'
    )]
    pub trust: Vec<PathBuf>,
    /// Intermediate CA certificates that may complete chains (never trusted). Repeatable.
    #[arg(
        long = "intermediates",
        env = "VANTHU_INTERMEDIATES",
        value_name = "PEM|DIR",
        value_delimiter = ':'
    )]
    pub intermediates: Vec<PathBuf>,
    /// CRL files used when verifying signatures. Repeatable.
    #[arg(
        long = "crl",
        env = "VANTHU_CRL",
        value_name = "FILE",
        value_delimiter = ':'
    )]
    pub crl: Vec<PathBuf>,
    /// Largest upload to `POST /api/v1/verify`, in bytes [default: 104857600].
    #[arg(long, env = "VANTHU_VERIFY_UPLOAD_LIMIT", value_name = "BYTES")]
    pub verify_upload_limit: Option<usize>,
}

/// The optional TOML file: every key is optional and named like the long option.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<DatabaseUrl>,
    /// `false` has the effect of `--no-demo`.
    pub demo: Option<bool>,
    pub demo_password: Option<Secret<String>>,
    pub log_format: Option<LogFormat>,
    pub body_limit: Option<usize>,
    pub request_timeout: Option<u64>,
    pub session_hours: Option<u64>,
    pub cookie_secure: Option<bool>,
    /// The timestamp authority (`[tsa]` table).
    pub tsa: Option<crate::tsa::config::TsaFileConfig>,
    /// Trust anchors for signature verification (files or folders).
    #[serde(default)]
    pub trust: Vec<PathBuf>,
    #[serde(default)]
    pub intermediates: Vec<PathBuf>,
    #[serde(default)]
    pub crls: Vec<PathBuf>,
    pub verify_upload_limit: Option<usize>,
}

impl FileConfig {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Path {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|error| ConfigError::File {
            path: path.to_path_buf(),
            reason: error.message().to_string(),
        })
    }
}

/// Where the data lives.
#[derive(Debug, Clone, PartialEq)]
pub struct StorageSettings {
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
}

/// Everything `vanthu serve` needs, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub storage: StorageSettings,
    pub listen: SocketAddr,
    /// Seed the demo organisation into an empty database.
    pub demo: bool,
    pub demo_password: Secret<String>,
    pub log_format: LogFormat,
    pub http: HttpSettings,
    pub session_ttl: Duration,
    pub verification: VerificationSettings,
}

/// Where signature verification finds its trust anchors, intermediates and CRLs, and how large
/// an upload it takes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VerificationSettings {
    pub trust: Vec<PathBuf>,
    pub intermediates: Vec<PathBuf>,
    pub crls: Vec<PathBuf>,
    pub upload_limit: usize,
}

/// Largest upload to `POST /api/v1/verify` by default: a 100 MB PDF with the multipart framing.
pub const DEFAULT_VERIFY_UPLOAD_LIMIT: usize = 100 * 1024 * 1024;

/// Limits and cookie attributes of the HTTP service.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpSettings {
    pub body_limit: usize,
    pub request_timeout: Duration,
    pub cookie_secure: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            body_limit: DEFAULT_BODY_LIMIT,
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
            cookie_secure: false,
        }
    }
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./data";
pub const DEFAULT_DEMO_PASSWORD: &str = "vanthu-demo";
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
pub const DEFAULT_SESSION_HOURS: u64 = 12;
/// The demo password comes from the environment or the file, never from a flag (flags show in `ps`).
pub const DEMO_PASSWORD_ENV: &str = "VANTHU_DEMO_PASSWORD";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: {source}", path.display())]
    Path {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("configuration file {}: {reason}", path.display())]
    File { path: PathBuf, reason: String },
    #[error("database URL: {reason}")]
    DatabaseUrl { reason: String },
    #[error("{key} must be greater than zero")]
    Zero { key: &'static str },
}

impl StorageArgs {
    /// Reads the TOML file named by `--config`, if any.
    pub fn load_file(&self) -> Result<FileConfig, ConfigError> {
        match &self.config {
            Some(path) => FileConfig::load(path),
            None => Ok(FileConfig::default()),
        }
    }

    pub fn resolve(&self, file: &FileConfig) -> Result<StorageSettings, ConfigError> {
        let data_dir = self
            .data_dir
            .clone()
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let database_url = match self
            .database_url
            .clone()
            .or_else(|| file.database_url.clone())
        {
            Some(url) => url,
            None => DatabaseUrl::sqlite_file(&data_dir.join("vanthu.db"))?,
        };
        Ok(StorageSettings {
            data_dir,
            database_url,
        })
    }
}

/// The demo password: `VANTHU_DEMO_PASSWORD` (passed in as `from_env`), then the file, then the default.
pub fn demo_password(from_env: Option<String>, file: &FileConfig) -> Secret<String> {
    from_env
        .filter(|value| !value.is_empty())
        .map(Secret::new)
        .or_else(|| file.demo_password.clone())
        .unwrap_or_else(|| Secret::new(DEFAULT_DEMO_PASSWORD.to_string()))
}

/// The demo password from the process environment and the file.
pub fn demo_password_from_env(file: &FileConfig) -> Secret<String> {
    demo_password(std::env::var(DEMO_PASSWORD_ENV).ok(), file)
}

impl Settings {
    /// Merges flags/environment (already combined by clap), the file and the defaults.
    pub fn resolve(
        storage: &StorageArgs,
        service: &ServiceArgs,
        file: &FileConfig,
        demo_password: Secret<String>,
    ) -> Result<Settings, ConfigError> {
        let listen = service
            .listen
            .or(file.listen)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let demo = match service.no_demo {
            Some(no_demo) => !no_demo,
            None => file.demo.unwrap_or(true),
        };
        let body_limit = positive(
            "body_limit",
            service
                .body_limit
                .or(file.body_limit)
                .unwrap_or(DEFAULT_BODY_LIMIT),
        )?;
        let timeout = positive(
            "request_timeout",
            service
                .request_timeout
                .or(file.request_timeout)
                .unwrap_or(DEFAULT_REQUEST_TIMEOUT_SECS),
        )?;
        let session_hours = positive(
            "session_hours",
            service
                .session_hours
                .or(file.session_hours)
                .unwrap_or(DEFAULT_SESSION_HOURS),
        )?;
        Ok(Settings {
            storage: storage.resolve(file)?,
            listen,
            demo,
            demo_password,
            log_format: service.log_format.or(file.log_format).unwrap_or_default(),
            http: HttpSettings {
                body_limit,
                request_timeout: Duration::from_secs(timeout),
                cookie_secure: service
                    .cookie_secure
                    .or(file.cookie_secure)
                    .unwrap_or(false),
            },
            session_ttl: Duration::from_secs(session_hours.saturating_mul(3600)),
            verification: VerificationSettings {
                trust: first_non_empty(&service.trust, &file.trust),
                intermediates: first_non_empty(&service.intermediates, &file.intermediates),
                crls: first_non_empty(&service.crl, &file.crls),
                upload_limit: positive(
                    "verify_upload_limit",
                    service
                        .verify_upload_limit
                        .or(file.verify_upload_limit)
                        .unwrap_or(DEFAULT_VERIFY_UPLOAD_LIMIT),
                )?,
            },
        })
    }
}

/// Lists from flags or environment win over the file's as a whole.
fn first_non_empty(given: &[PathBuf], file: &[PathBuf]) -> Vec<PathBuf> {
    if given.is_empty() {
        file.to_vec()
    } else {
        given.to_vec()
    }
}

fn positive<T: PartialEq + Default>(key: &'static str, value: T) -> Result<T, ConfigError> {
    if value == T::default() {
        Err(ConfigError::Zero { key })
    } else {
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PG_WITH_PASSWORD: &str = "postgres://vanthu:Tr0ub4dor-3@db.internal:5432/vanthu";

    #[test]
    fn debug_and_display_never_show_secrets() {
        let file: FileConfig = toml::from_str(&format!(
            "database_url = \"{PG_WITH_PASSWORD}\"\ndemo_password = \"m4t-khau-demo\"\n"
        ))
        .unwrap();
        let settings = Settings::resolve(
            &StorageArgs::default(),
            &ServiceArgs::default(),
            &file,
            demo_password(None, &file),
        )
        .unwrap();
        let shown = format!("{settings:?} {} {file:?}", settings.storage.database_url);
        assert!(!shown.contains("Tr0ub4dor-3"), "{shown}");
        assert!(!shown.contains("m4t-khau-demo"), "{shown}");
        assert!(shown.contains("vanthu:***@db.internal"), "{shown}");
        assert_eq!(settings.storage.database_url.expose(), PG_WITH_PASSWORD);
        assert_eq!(settings.demo_password.expose(), "m4t-khau-demo");

        let query: DatabaseUrl = "postgres://db/vanthu?user=a&password=hunter22"
            .parse()
            .unwrap();
        assert!(!format!("{query:?}").contains("hunter22"));
    }

    #[test]
    fn flags_beat_the_file_and_the_file_beats_defaults() {
        let file: FileConfig = toml::from_str(
            "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/vanthu\"\ndemo = false\nlog_format = \"json\"\n",
        )
        .unwrap();
        let from_file = Settings::resolve(
            &StorageArgs::default(),
            &ServiceArgs::default(),
            &file,
            demo_password(None, &file),
        )
        .unwrap();
        assert_eq!(from_file.listen.to_string(), "0.0.0.0:9000");
        assert!(!from_file.demo);
        assert_eq!(from_file.log_format, LogFormat::Json);
        assert_eq!(
            from_file.storage.database_url.expose(),
            "sqlite:///srv/vanthu/vanthu.db"
        );

        let flags = ServiceArgs {
            listen: Some("127.0.0.1:0".parse().unwrap()),
            no_demo: Some(false),
            log_format: Some(LogFormat::Text),
            ..ServiceArgs::default()
        };
        let storage = StorageArgs {
            database_url: Some("sqlite:///tmp/x.db".parse().unwrap()),
            ..StorageArgs::default()
        };
        let from_flags =
            Settings::resolve(&storage, &flags, &file, demo_password(None, &file)).unwrap();
        assert_eq!(from_flags.listen.to_string(), "127.0.0.1:0");
        assert!(from_flags.demo);
        assert_eq!(from_flags.log_format, LogFormat::Text);
        assert_eq!(
            from_flags.storage.database_url.expose(),
            "sqlite:///tmp/x.db"
        );
        assert_eq!(from_flags.storage.data_dir, PathBuf::from("/srv/vanthu"));

        let defaults = Settings::resolve(
            &StorageArgs::default(),
            &ServiceArgs::default(),
            &FileConfig::default(),
            demo_password(None, &FileConfig::default()),
        )
        .unwrap();
        assert_eq!(defaults.listen.to_string(), DEFAULT_LISTEN);
        assert!(defaults.demo);
        assert_eq!(defaults.demo_password.expose(), DEFAULT_DEMO_PASSWORD);
        assert!(
            defaults
                .storage
                .database_url
                .expose()
                .ends_with("/data/vanthu.db")
        );
    }

    #[test]
    fn environment_demo_password_beats_the_file() {
        let file: FileConfig = toml::from_str("demo_password = \"from-file\"").unwrap();
        assert_eq!(
            demo_password(Some("from-env".into()), &file).expose(),
            "from-env"
        );
        assert_eq!(demo_password(None, &file).expose(), "from-file");
    }

    #[test]
    fn bad_files_and_urls_are_named() {
        assert!(toml::from_str::<FileConfig>("listne = \"x\"").is_err());
        let error = "mysql://db/x".parse::<DatabaseUrl>().unwrap_err();
        assert!(error.to_string().contains("mysql"));
        let zero = ServiceArgs {
            body_limit: Some(0),
            ..ServiceArgs::default()
        };
        assert!(matches!(
            Settings::resolve(
                &StorageArgs::default(),
                &zero,
                &FileConfig::default(),
                Secret::new(String::new())
            ),
            Err(ConfigError::Zero { key: "body_limit" })
        ));
    }
}
