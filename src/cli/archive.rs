//! `vanthu archive renew [--margin-days N] [--dry-run] --tsa URL [--trust …] [--crl …] DIR|FILE…`:
//! walks the given PDFs (folders recursively), and renews those whose latest timestamp's TSA
//! certificate expires within the margin (`crate::ltv::renewal`, `crate::ltv::renew`). Each file
//! is replaced atomically once its update is complete. One line per file on stdout, a progress
//! bar on stderr when it is a terminal. Exit code 0 when every file was renewed or needed
//! nothing, 1 when any failed, 2 on usage errors.

use super::outln;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::ltv_options::LtvOptions;
use super::sign::{read_input, write_atomically};
use super::{CliError, CliResult};
use crate::ltv::{self, LtvError, Renewal, ValidationSources};
use crate::pades::DEFAULT_MAX_INPUT_SIZE;
use crate::pdf::{Document, Limits};
use crate::tsa::Timestamper;
use crate::verify::report::display_time;

#[derive(Debug, clap::Args)]
pub struct ArchiveArgs {
    #[command(subcommand)]
    pub command: ArchiveCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ArchiveCommand {
    /// Add a fresh document timestamp to signed PDFs whose last timestamp's TSA certificate
    /// expires within the margin.
    #[command(after_help = "Example:
  vanthu archive renew --tsa http://127.0.0.1:8080/tsa --trust pki/root.cert.pem \\
      --crl pki/crl --margin-days 90 archive/2026/")]
    Renew(RenewArgs),
}

#[derive(Debug, clap::Args)]
pub struct RenewArgs {
    /// Renew this many days before the TSA certificate of the last timestamp expires.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub margin_days: u32,
    /// Only say what would be renewed.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub ltv: LtvOptions,
    /// PDF files, or folders searched recursively for `*.pdf`.
    #[arg(required = true, value_name = "DIR|FILE")]
    pub paths: Vec<PathBuf>,
}

pub async fn run(args: ArchiveArgs) -> CliResult {
    match args.command {
        ArchiveCommand::Renew(args) => renew_all(args).await,
    }
}

/// What became of one file.
enum Outcome {
    Renewed(String),
    WouldRenew(String),
    NotDue(OffsetDateTime),
    Unsigned,
}

async fn renew_all(args: RenewArgs) -> CliResult {
    let timestamper = match (args.ltv.timestamper()?, args.dry_run) {
        (Some(timestamper), _) => Some(timestamper),
        (None, true) => None,
        (None, false) => {
            return Err(CliError::Usage(
                "renewing needs a timestamping authority: give --tsa URL (or --dry-run)".into(),
            ));
        }
    };
    let sources = args.ltv.sources()?;
    let files = pdf_files(&args.paths)?;
    let margin = Duration::days(i64::from(args.margin_days));
    let progress = progress_bar(files.len());
    let mut failures = 0usize;
    for file in &files {
        let outcome = renew_file(file, margin, args.dry_run, timestamper.as_ref(), &sources).await;
        let line = match outcome {
            Ok(Outcome::Renewed(why)) => format!("gia hạn / renewed  {}: {why}", file.display()),
            Ok(Outcome::WouldRenew(why)) => {
                format!("cần gia hạn / due  {}: {why}", file.display())
            }
            Ok(Outcome::NotDue(after)) => format!(
                "chưa cần / not due  {}: until {}",
                file.display(),
                display_time(after)
            ),
            Ok(Outcome::Unsigned) => format!("bỏ qua / skipped  {}: unsigned", file.display()),
            Err(error) => {
                failures += 1;
                format!("lỗi / failed  {}: {error}", file.display())
            }
        };
        match &progress {
            Some(bar) => {
                bar.println(&line);
                bar.inc(1);
            }
            None => outln!("{line}"),
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn renew_file(
    file: &Path,
    margin: Duration,
    dry_run: bool,
    timestamper: Option<&Arc<dyn Timestamper>>,
    sources: &ValidationSources,
) -> Result<Outcome, CliError> {
    let input = read_input(file)?;
    let limits = Limits {
        max_file_size: DEFAULT_MAX_INPUT_SIZE,
        ..Limits::default()
    };
    let (input, renewal) = {
        let limits = limits.clone();
        let sources = sources.clone();
        tokio::task::spawn_blocking(move || -> Result<_, LtvError> {
            let input: Arc<[u8]> = input.into();
            let doc = Document::from_bytes_with_limits(input.clone(), limits)?;
            let renewal = ltv::renewal(&doc, &sources, margin, OffsetDateTime::now_utc())?;
            Ok((input, renewal))
        })
        .await
        .map_err(CliError::failed)?
        .map_err(CliError::failed)?
    };
    let last = match &renewal {
        Renewal::Due(last) => Some(last.clone()),
        _ => None,
    };
    let why = match &renewal {
        Renewal::Unsigned => return Ok(Outcome::Unsigned),
        Renewal::NotDue { renew_after, .. } => return Ok(Outcome::NotDue(*renew_after)),
        Renewal::NotTimestamped => "no valid timestamp".to_owned(),
        Renewal::Due(last) => match last.tsa_not_after {
            Some(not_after) => format!(
                "the TSA certificate of {} expires {}",
                last.field,
                display_time(not_after)
            ),
            None => format!("the TSA certificate of {} is unknown", last.field),
        },
    };
    let Some(timestamper) = timestamper.filter(|_| !dry_run) else {
        return Ok(Outcome::WouldRenew(why));
    };
    let renewed = ltv::renew(input.to_vec(), last, timestamper.clone(), sources, limits)
        .await
        .map_err(CliError::failed)?;
    write_atomically(file, &renewed)?;
    Ok(Outcome::Renewed(why))
}

/// The PDFs named: files as given, folders searched recursively (sorted, hidden entries and
/// symbolic links to folders skipped, so that a link loop cannot recurse forever). A file
/// reached twice (two names, a link) is renewed once.
fn pdf_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|error| CliError::io(path, error))?;
        if metadata.is_dir() {
            collect_pdfs(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|file| seen.insert(std::fs::canonicalize(file).unwrap_or_else(|_| file.clone())));
    Ok(files)
}

fn collect_pdfs(folder: &Path, files: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|error| CliError::io(folder, error))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            !path
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with('.'))
        })
        .collect();
    entries.sort();
    for entry in entries {
        let Ok(metadata) = std::fs::symlink_metadata(&entry) else {
            continue;
        };
        if metadata.is_dir() {
            collect_pdfs(&entry, files)?;
        } else if metadata.file_type().is_symlink() && entry.is_dir() {
            continue;
        } else if entry
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("pdf"))
        {
            files.push(entry);
        }
    }
    Ok(())
}

fn progress_bar(total: usize) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() || total < 2 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed_precise}")
    {
        bar.set_style(style);
    }
    Some(bar)
}
