//! `vanthu extend --level B-LT|B-LTA [--tsa URL] [--trust …] [--crl …] FILE [--out OUT]`:
//! brings a signed PDF (ours or another tool's) to B-LT or B-LTA in new incremental updates
//! (`crate::ltv::extend`). Without `--out` the file is replaced, atomically, once the update is
//! complete; a failure leaves it untouched.

use super::outln;
use std::path::PathBuf;
use std::process::ExitCode;

use super::ltv_options::LtvOptions;
use super::sign::{read_input, write_atomically};
use super::{CliError, CliResult};
use crate::ltv::{self, Level};
use crate::pades::DEFAULT_MAX_INPUT_SIZE;
use crate::pdf::Limits;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  vanthu extend --level B-LT --trust pki/root.cert.pem --crl pki/crl signed.pdf
  vanthu extend --level B-LTA --tsa http://127.0.0.1:8080/tsa --trust pki/root.cert.pem \\
      --crl pki/crl signed.pdf --out archived.pdf")]
pub struct ExtendArgs {
    /// The level to reach: B-LT (certificates and CRLs in the /DSS) or B-LTA (also a document
    /// timestamp from --tsa).
    #[arg(long, value_name = "LEVEL")]
    pub level: Level,
    #[command(flatten)]
    pub ltv: LtvOptions,
    /// Write here instead of replacing FILE.
    #[arg(long, value_name = "OUT.pdf")]
    pub out: Option<PathBuf>,
    /// The signed PDF.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

pub async fn run(args: ExtendArgs) -> CliResult {
    let timestamper = args.ltv.timestamper()?;
    let sources = args.ltv.sources()?;
    let input = read_input(&args.file)?;
    let limits = Limits {
        max_file_size: DEFAULT_MAX_INPUT_SIZE,
        ..Limits::default()
    };
    let extended = ltv::extend(input, args.level, timestamper, &sources, limits)
        .await
        .map_err(CliError::failed)?;
    let output = args.out.as_ref().unwrap_or(&args.file);
    write_atomically(output, &extended)?;
    outln!(
        "Đã nâng lên / extended to PAdES {}: {}",
        args.level,
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}
