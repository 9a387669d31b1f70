//! `vanthu serve`: resolves the configuration, opens and migrates the database, seeds the demo
//! organisation into an empty database, and serves HTTP until SIGINT or SIGTERM.
//!
//! stdout carries what a person starting the service needs (where it listens, the demo
//! accounts); logs go to stderr, as text or JSON.

use std::process::ExitCode;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::Notify;

use super::{CliError, CliResult};
use crate::config::{self, LogFormat, ServiceArgs, Settings, StorageArgs};
use crate::domain::demo;
use crate::http::{self, AppState};
use crate::tsa::config::{self as tsa_config, OpenedAuthority, TsaArgs, TsaSettings};
use crate::workflow::{AuthPolicy, SeedOutcome, Service};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    #[command(flatten)]
    pub service: ServiceArgs,
    #[command(flatten)]
    pub tsa: TsaArgs,
}

pub async fn run(args: ServeArgs) -> CliResult {
    let file = args.storage.load_file().map_err(config_error)?;
    let settings = Settings::resolve(
        &args.storage,
        &args.service,
        &file,
        config::demo_password_from_env(&file),
    )
    .map_err(config_error)?;
    init_tracing(settings.log_format);
    tracing::info!(
        database = %settings.storage.database_url,
        data_dir = %settings.storage.data_dir.display(),
        "opening the database"
    );
    let policy = AuthPolicy {
        session_ttl: settings.session_ttl,
        ..AuthPolicy::default()
    };
    let service = Service::open(&settings.storage, policy)
        .await
        .map_err(CliError::failed)?;
    let show_demo = seed(&service, &settings).await?;
    let tsa = open_tsa(&args.tsa, &file, &settings, &service).await?;

    let listener = TcpListener::bind(settings.listen).await.map_err(|source| {
        CliError::Usage(format!("cannot listen on {}: {source}", settings.listen))
    })?;
    let address = listener
        .local_addr()
        .map_err(|source| CliError::Usage(format!("cannot read the bound address: {source}")))?;
    print_banner(address, show_demo.then_some(&settings), tsa.as_ref());
    tracing::info!(%address, "listening");

    let verifier = crate::verify::Verifier::from_trust_files(
        &settings.verification.trust,
        &settings.verification.intermediates,
        &settings.verification.crls,
    )
    .map_err(|error| CliError::Usage(format!("signature verification: {error}")))?;
    // The files of one upload together may take as long as a whole request is allowed to:
    // beyond that nobody waits for their reports, and the work stops instead of holding a
    // verification slot (`http::verify` shares the budget between the files).
    let limits = crate::pdf::Limits {
        max_processing_time: Some(settings.http.request_timeout),
        ..verifier.limits().clone()
    };
    let verifier = verifier.with_limits(limits);
    let verification =
        http::verify::VerificationService::new(verifier, settings.verification.upload_limit);
    let mut state = AppState::new(service, settings.http.clone()).with_verification(verification);
    if let Some(opened) = &tsa {
        state = state.with_tsa(opened.authority.clone());
    }
    let app = http::router(state);
    let signalled = Arc::new(Notify::new());
    let notify = signalled.clone();
    let shutdown = async move {
        http::shutdown_signal().await;
        notify.notify_one();
    };
    let server = http::serve(listener, app, shutdown);
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => result.map_err(CliError::failed)?,
        () = async {
            signalled.notified().await;
            tokio::time::sleep(http::SHUTDOWN_GRACE).await;
        } => tracing::warn!("requests still running after the grace period; stopping anyway"),
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

fn config_error(error: config::ConfigError) -> CliError {
    CliError::Usage(error.to_string())
}

/// Seeds the demo organisation when asked to and the database is empty. Returns whether the
/// demo accounts exist (so that they are worth printing).
async fn seed(service: &Service, settings: &Settings) -> Result<bool, CliError> {
    if !settings.demo {
        return Ok(false);
    }
    match service
        .seed_demo(settings.demo_password.expose())
        .await
        .map_err(CliError::failed)?
    {
        SeedOutcome::Seeded { units, users } => {
            tracing::info!(units, users, "seeded the demo organisation");
            Ok(true)
        }
        SeedOutcome::NotEmpty => {
            let admin = demo::users().into_iter().last().map(|user| user.username);
            let present = match admin {
                Some(username) => service
                    .store()
                    .user_by_username(&username)
                    .await
                    .map_err(CliError::failed)?
                    .is_some(),
                None => false,
            };
            Ok(present)
        }
    }
}

/// The timestamp authority the options describe (the development one in demo mode).
async fn open_tsa(
    args: &TsaArgs,
    file: &config::FileConfig,
    settings: &Settings,
    service: &Service,
) -> Result<Option<OpenedAuthority>, CliError> {
    let tsa_settings = TsaSettings::resolve(
        args,
        file.tsa.as_ref(),
        std::env::var(tsa_config::PASSPHRASE_ENV).ok(),
        &settings.storage.data_dir,
        settings.demo,
    )
    .map_err(|error| CliError::Usage(error.to_string()))?;
    let opened = tsa_config::open_authority(&tsa_settings, service.store().clone())
        .await
        .map_err(CliError::failed)?;
    if let Some(opened) = &opened {
        tracing::info!(
            subject = %opened.authority.subject(),
            policy = %opened.authority.config().policy,
            development = opened.development,
            "timestamp authority ready"
        );
    }
    Ok(opened)
}

/// The start-up banner: where vanthu listens, the timestamp authority, the demo accounts.
///
/// Written in one `write` whose error is ignored rather than with `println!`, which panics when
/// nobody reads stdout any more (a service must not die because its terminal went away).
fn print_banner(
    address: std::net::SocketAddr,
    demo: Option<&Settings>,
    tsa: Option<&OpenedAuthority>,
) {
    use std::io::Write as _;
    let mut banner = format!("vanthu listening on http://{address}\n");
    if let Some(opened) = tsa {
        let marking = if opened.development {
            " (development TSA, NOT FOR PRODUCTION / chỉ dùng thử nghiệm)"
        } else {
            ""
        };
        banner.push_str(&format!(
            "Timestamp authority (cấp dấu thời gian): POST http://{address}/tsa{marking}\n"
        ));
    }
    if let Some(settings) = demo {
        banner.push_str("\nDemo accounts (tài khoản demo):\n");
        for line in demo_lines() {
            banner.push_str(&format!("  {line}\n"));
        }
        // A password someone chose is a secret: name where it comes from instead of printing it.
        if settings.demo_password.expose() == config::DEFAULT_DEMO_PASSWORD {
            banner.push_str(&format!(
                "  password (mật khẩu): {}\n",
                config::DEFAULT_DEMO_PASSWORD
            ));
        } else {
            banner.push_str(&format!(
                "  password (mật khẩu): the value of {} or the configuration file\n",
                config::DEMO_PASSWORD_ENV
            ));
        }
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(banner.as_bytes());
    let _ = stdout.flush();
}

/// One line per unit: its code and its accounts with their roles.
fn demo_lines() -> Vec<String> {
    let users = demo::users();
    demo::units()
        .iter()
        .map(|unit| {
            let accounts: Vec<String> = users
                .iter()
                .filter(|user| user.unit_code == unit.code)
                .map(|user| {
                    let roles: Vec<&str> = user
                        .roles
                        .iter()
                        .map(|role| crate::workflow::demo_role(*role).as_str())
                        .collect();
                    format!("{} ({})", user.username, roles.join(", "))
                })
                .collect();
            format!("{:<11} {}", unit.code, accounts.join("  "))
        })
        .collect()
}

/// Logs to stderr as text or JSON; `RUST_LOG` refines the level (default `info`).
fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    use std::io::IsTerminal as _;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Opens the database the same options and variables as `serve` name, for the administration
/// commands (`unit`, `user`, `audit`).
pub(super) async fn open_service(storage: &StorageArgs) -> Result<Service, CliError> {
    let file = storage.load_file().map_err(config_error)?;
    let settings = storage.resolve(&file).map_err(config_error)?;
    Service::open(&settings, AuthPolicy::default())
        .await
        .map_err(CliError::failed)
}

/// Reads a password from stdin (first line), prompting on stderr when stdin is a terminal.
/// Passwords never come from flags, which other users can see in the process list.
pub(super) fn read_password() -> Result<String, CliError> {
    use std::io::{BufRead as _, IsTerminal as _, Write as _};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Mật khẩu / Password: ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|source| CliError::io("<stdin>", source))?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        return Err(CliError::Usage(
            "no password on stdin (give it as the first line)".into(),
        ));
    }
    Ok(password)
}
