//! `vanthu verify [--trust PEM|DIR]... [--intermediates PEM|DIR]... [--crl FILE]...
//! [--at RFC3339] [--max-time SECONDS] [--json | --format text|json|html] [--lang vi|en|both]
//! FILE...`
//!
//! Verifies every file with [`crate::verify::Verifier`] (the same call the API and the workflow
//! make), several at a time (one per core), with a progress bar on stderr when it is a terminal.
//! Reports go to stdout. Exit code: 0 when every file is `TOTAL_PASSED`, 1 when any is not,
//! 2 on usage or I/O errors (a file that cannot be opened, a trust file that cannot be read).

use std::io::IsTerminal as _;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{CliError, CliResult};
use crate::pki::trust::TrustError;
use crate::verify::Verifier;
use crate::verify::report::{FileIndication, FileReport, Language, html, text};

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Trust anchors: a certificate file (PEM or DER) or a folder of them. Repeatable.
    #[arg(long = "trust", value_name = "PEM|DIR")]
    pub trust: Vec<PathBuf>,
    /// Intermediate CA certificates that may complete chains (never trusted). Repeatable.
    #[arg(long = "intermediates", value_name = "PEM|DIR")]
    pub intermediates: Vec<PathBuf>,
    /// Certificate revocation lists (PEM or DER). Repeatable.
    #[arg(long = "crl", value_name = "FILE")]
    pub crl: Vec<PathBuf>,
    /// Validate certificates at this time (RFC 3339, e.g. 2024-03-09T10:08:00+07:00) instead of
    /// now; a valid timestamp still proves its own time.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub at: Option<OffsetDateTime>,
    /// Give up on a file after this many seconds (it is then INDETERMINATE, not checked
    /// completely); no limit by default.
    #[arg(long, value_name = "SECONDS")]
    pub max_time: Option<u64>,
    /// Print the JSON report (same as --format json).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Output format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<OutputFormat>,
    /// Language of the text and HTML forms.
    #[arg(long, value_enum, default_value = "vi", value_name = "LANG")]
    pub lang: LanguageArg,
    /// PDF files to verify.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LanguageArg {
    Vi,
    En,
    Both,
}

impl From<LanguageArg> for Language {
    fn from(language: LanguageArg) -> Self {
        match language {
            LanguageArg::Vi => Language::Vietnamese,
            LanguageArg::En => Language::English,
            LanguageArg::Both => Language::Both,
        }
    }
}

fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|error| format!("not an RFC 3339 time ({error}), e.g. 2024-03-09T10:08:00+07:00"))
}

pub async fn run(args: VerifyArgs) -> CliResult {
    let verifier = build_verifier(&args)?;
    let files = args.files.clone();
    let outcomes = tokio::task::spawn_blocking(move || verify_all(&verifier, &files))
        .await
        .map_err(CliError::failed)?;
    let mut reports = Vec::new();
    let mut io_failure = false;
    for (path, outcome) in args.files.iter().zip(outcomes) {
        match outcome {
            Ok(report) => reports.push(report),
            Err(error) => {
                io_failure = true;
                eprintln!("vanthu: {}: {error}", path.display());
            }
        }
    }
    print_reports(&reports, &args)?;
    if io_failure {
        return Ok(ExitCode::from(2));
    }
    let all_passed = reports
        .iter()
        .all(|report| report.indication == FileIndication::TotalPassed);
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The trust store, CRLs and validation time the options name.
fn build_verifier(args: &VerifyArgs) -> Result<Verifier, CliError> {
    let verifier = Verifier::from_trust_files(&args.trust, &args.intermediates, &args.crl)
        .map_err(trust_error)?
        .at(args.at);
    let limits = crate::pdf::Limits {
        max_processing_time: args.max_time.map(std::time::Duration::from_secs),
        ..verifier.limits().clone()
    };
    Ok(verifier.with_limits(limits))
}

fn trust_error(error: TrustError) -> CliError {
    match error {
        TrustError::Read { path, source } => CliError::io(path, source),
        other => CliError::Usage(other.to_string()),
    }
}

/// Verifies every file, one per core at a time, reports in the order of `files`.
pub fn verify_all(verifier: &Verifier, files: &[PathBuf]) -> Vec<std::io::Result<FileReport>> {
    let workers = std::thread::available_parallelism()
        .map(NonZeroUsize::get)
        .unwrap_or(1)
        .min(files.len())
        .max(1);
    let progress = progress_bar(files.len());
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<std::io::Result<FileReport>>> =
        files.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(index) else {
                            break;
                        };
                        progress.set_message(short_name(path));
                        done.push((index, verifier.verify_file(path)));
                        progress.inc(1);
                    }
                    done
                })
            })
            .collect();
        for handle in handles {
            if let Ok(done) = handle.join() {
                for (index, result) in done {
                    if let Some(slot) = results.get_mut(index) {
                        *slot = Some(result);
                    }
                }
            }
        }
    });
    progress.finish_and_clear();
    results
        .into_iter()
        .map(|result| {
            result.unwrap_or_else(|| Err(std::io::Error::other("the verification thread stopped")))
        })
        .collect()
}

/// A bar on stderr when it is a terminal and there is more than one file; nothing otherwise.
fn progress_bar(files: usize) -> indicatif::ProgressBar {
    if files < 2 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(files as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {wide_msg}")
    {
        bar.set_style(style);
    }
    bar
}

fn short_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn print_reports(reports: &[FileReport], args: &VerifyArgs) -> Result<(), CliError> {
    let format = if args.json {
        OutputFormat::Json
    } else {
        args.format.unwrap_or(OutputFormat::Text)
    };
    let language = Language::from(args.lang);
    let output = match format {
        OutputFormat::Text => text::render_all(reports, language),
        OutputFormat::Json => {
            let mut json = serde_json::to_string_pretty(reports).map_err(CliError::failed)?;
            json.push('\n');
            json
        }
        OutputFormat::Html => html::render_page(reports, language),
    };
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|source| CliError::io("<stdout>", source))
}
