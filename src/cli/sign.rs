//! `vanthu sign`: signs a PDF with a local key (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1 or
//! PKCS#12), invisibly or with a Decree 30 appearance. The key's password comes from the named
//! environment variable or a prompt on the terminal (never echoed). OUT is written to a temporary
//! file beside it and renamed only once the signature verified, so a failure never leaves OUT
//! behind. `--level B-T|B-LT|B-LTA` with `--tsa URL` takes the signature further
//! (`crate::ltv`).

use super::outln;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use super::ltv_options::LtvOptions;
use super::{CliError, CliResult};
use crate::cms::{LocalKey, Signer};
use crate::crypto::{DigestAlgorithm, KeyKind, SignatureAlgorithm};
use crate::ltv::{self, Level, ValidationSources};
use crate::pades::{self, AppearanceKind, DEFAULT_MAX_INPUT_SIZE, Placement, SignOptions};
use crate::pdf::appearance::PngImage;
use crate::pdf::{DocMdpPermission, Rect};
use crate::pki::keys::{KeyError, PrivateKey, load_pkcs12, load_private_key};
use crate::pki::trust::TrustStore;
use crate::pki::trust::certificates_from_bytes;

/// `vanthu sign`'s arguments (boxed: they are many, and the command enum stays small).
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    #[command(flatten)]
    pub flags: Box<SignFlags>,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  vanthu sign --key person.key.pem --cert person.cert.pem --chain chain.pem \\
      --visible --page 1 --rect 330,420,560,560 --image chu-ky.png in.pdf signed.pdf
  vanthu sign --key unit.key.pem --cert unit.cert.pem --seal con-dau.png signed.pdf issued.pdf
  vanthu sign --p12 token.p12 --password-env P12_PASS --appearance copy --org 'Văn phòng' in.pdf copy.pdf")]
pub struct SignFlags {
    /// The private key: PKCS#8 (PEM or DER, plain or encrypted), PKCS#1 RSA or SEC1 EC.
    #[arg(long, required_unless_present = "p12", conflicts_with = "p12")]
    pub key: Option<PathBuf>,
    /// A PKCS#12 file with the key, its certificate and chain (instead of --key/--cert).
    #[arg(long)]
    pub p12: Option<PathBuf>,
    /// The environment variable holding the key's or PKCS#12 file's password; without it the
    /// password is asked on the terminal when needed.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// The signer's certificate (PEM or DER); with --p12 it overrides the file's.
    #[arg(long, required_unless_present = "p12")]
    pub cert: Option<PathBuf>,
    /// Certificates to embed after the signer's (PEM), nearest issuer first.
    #[arg(long, value_name = "PEM")]
    pub chain: Option<PathBuf>,
    /// The signature field: an existing empty signature field, or a new one (default
    /// Signature1, Signature2, …).
    #[arg(long, value_name = "NAME")]
    pub field: Option<String>,
    /// Show the signature on the page (implied by --rect, --anchor, --image, --seal,
    /// --appearance).
    #[arg(long)]
    pub visible: bool,
    /// The page of --rect or --anchor, from 1 (default 1; with --anchor, the last page holding
    /// the text).
    #[arg(long, value_name = "N")]
    pub page: Option<usize>,
    /// Where the appearance is centred, in points: x1,y1,x2,y2 (origin at the bottom left).
    #[arg(long, value_name = "x1,y1,x2,y2", value_parser = parse_rect, conflicts_with = "anchor")]
    pub rect: Option<Rect>,
    /// Place the appearance above this text on the page (e.g. the signer's printed name).
    #[arg(long, value_name = "TEXT")]
    pub anchor: Option<String>,
    /// The signer's handwritten signature image (blue, transparent PNG): a personal appearance.
    #[arg(long, value_name = "PNG")]
    pub image: Option<PathBuf>,
    /// The agency's seal image (red, transparent PNG): an agency appearance.
    #[arg(long, value_name = "PNG")]
    pub seal: Option<PathBuf>,
    /// The organisation shown (default: the certificate's O).
    #[arg(long, value_name = "NAME")]
    pub org: Option<String>,
    /// The position shown above a personal signature, `\n` between lines (default: the
    /// certificate's title).
    #[arg(long, value_name = "TEXT")]
    pub position: Option<String>,
    /// The full name shown under a personal signature (default: the certificate's CN; display
    /// only).
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// The appearance: personal (--image), agency (--seal), copy, attachment, text.
    #[arg(long, value_enum)]
    pub appearance: Option<AppearanceArg>,
    /// The form of copy shown by --appearance copy.
    #[arg(long, default_value = "SAO Y", value_name = "TEXT")]
    pub copy_form: String,
    /// The main document's number and symbol shown by --appearance attachment (e.g. 15/KH-VKS).
    #[arg(long, value_name = "TEXT")]
    pub number: Option<String>,
    /// Put the agency seal over the signature in this field (default: the latest visible one).
    #[arg(long, value_name = "FIELD")]
    pub over: Option<String>,
    /// Certify the document (first signature only): P1 no changes, P2 form filling and
    /// signing, P3 also annotations.
    #[arg(long, value_enum, ignore_case = true)]
    pub certify: Option<CertifyArg>,
    /// The digest algorithm.
    #[arg(long, value_enum, ignore_case = true, default_value = "sha256")]
    pub digest: DigestArg,
    /// Sign with RSA-PSS instead of PKCS#1 v1.5 (RSA keys).
    #[arg(long)]
    pub pss: bool,
    /// `/Reason` of the signature dictionary.
    #[arg(long)]
    pub reason: Option<String>,
    /// `/Location` of the signature dictionary.
    #[arg(long)]
    pub location: Option<String>,
    /// The claimed signing time, RFC 3339 (default: now); the certificate must be valid then.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    pub time: Option<OffsetDateTime>,
    /// The PAdES level: B-B (the signature), B-T (with a signature timestamp from --tsa), B-LT
    /// (also the certificates and CRLs in the /DSS, from --trust and --crl), B-LTA (also a
    /// document timestamp). Default: B-T when --tsa is given, else B-B.
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<Level>,
    #[command(flatten)]
    pub ltv: LtvOptions,
    /// The PDF to sign.
    #[arg(value_name = "IN.pdf")]
    pub input: PathBuf,
    /// Where to write the signed PDF (never written when signing fails).
    #[arg(value_name = "OUT.pdf")]
    pub output: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AppearanceArg {
    Personal,
    Agency,
    Copy,
    Attachment,
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CertifyArg {
    P1,
    P2,
    P3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DigestArg {
    Sha256,
    Sha384,
    Sha512,
}

fn parse_rect(text: &str) -> Result<Rect, String> {
    let numbers: Vec<f64> = text
        .split(',')
        .map(|part| part.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("{text:?} is not four numbers x1,y1,x2,y2"))?;
    match numbers.as_slice() {
        [x1, y1, x2, y2] if numbers.iter().all(|value| value.is_finite()) => {
            Ok(Rect::new(*x1, *y1, *x2, *y2))
        }
        _ => Err(format!("{text:?} is not four numbers x1,y1,x2,y2")),
    }
}

fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|error| {
        format!("{text:?} is not an RFC 3339 time (2024-03-09T10:08:00+07:00): {error}")
    })
}

pub async fn run(args: SignArgs) -> CliResult {
    let flags: Arc<SignFlags> = Arc::from(args.flags);
    let level = flags.level.unwrap_or(if flags.ltv.tsa.is_some() {
        Level::BT
    } else {
        Level::BB
    });
    if level == Level::BB && flags.ltv.tsa.is_some() {
        return Err(CliError::Usage(
            "--tsa is used from --level B-T up; B-B has no timestamp".into(),
        ));
    }
    let timestamper = flags.ltv.timestamper()?;
    let sources = if level >= Level::BLt {
        flags.ltv.sources()?
    } else {
        ValidationSources::new(Arc::new(TrustStore::new()), Vec::new())
    };
    let (options, signer, input) = {
        let flags = flags.clone();
        tokio::task::spawn_blocking(move || -> Result<_, CliError> {
            let options = options(&flags)?;
            let signer = signer(&flags, options.digest)?;
            let input = read_input(&flags.input)?;
            Ok((options, signer, input))
        })
        .await
        .map_err(CliError::failed)??
    };
    let algorithm = signer.signature_algorithm().name();
    let digest = options.digest.name();
    let signed = ltv::sign(
        input,
        options,
        Arc::new(signer),
        level,
        timestamper,
        &sources,
    )
    .await
    .map_err(CliError::failed)?;
    write_atomically(&flags.output, &signed)?;
    outln!(
        "Đã ký / signed: {} (PAdES {level}, {algorithm}, {digest})",
        flags.output.display(),
    );
    Ok(ExitCode::SUCCESS)
}

fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|error| CliError::io(path, error))
}

/// Reads IN after checking its size, so that a huge file is refused before it is loaded.
pub(super) fn read_input(path: &Path) -> Result<Vec<u8>, CliError> {
    let size = std::fs::metadata(path)
        .map_err(|error| CliError::io(path, error))?
        .len();
    if size > DEFAULT_MAX_INPUT_SIZE {
        return Err(CliError::failed(pades::PadesError::TooLarge {
            size,
            max: DEFAULT_MAX_INPUT_SIZE,
        }));
    }
    read_file(path)
}

fn image(path: &Path) -> Result<PngImage, CliError> {
    PngImage::decode(&read_file(path)?)
        .map_err(|error| CliError::Usage(format!("{}: {error}", path.display())))
}

/// The appearance the flags ask for: an explicit --appearance, else the seal, else the image,
/// else text when --visible (or a place) is given, else invisible.
fn appearance(args: &SignFlags) -> Result<AppearanceKind, CliError> {
    let placed = args.visible || args.rect.is_some() || args.anchor.is_some();
    let kind = args.appearance.or(if args.seal.is_some() {
        Some(AppearanceArg::Agency)
    } else if args.image.is_some() {
        Some(AppearanceArg::Personal)
    } else if placed {
        Some(AppearanceArg::Text)
    } else {
        None
    });
    let needs = |flag: &str, what: &str| CliError::Usage(format!("{what} needs {flag}"));
    Ok(match kind {
        None => AppearanceKind::Invisible,
        Some(AppearanceArg::Personal) => AppearanceKind::Personal {
            image: image(
                args.image
                    .as_deref()
                    .ok_or_else(|| needs("--image PNG", "a personal appearance"))?,
            )?,
            position: args.position.as_ref().map(|text| text.replace("\\n", "\n")),
            full_name: args.name.clone(),
        },
        Some(AppearanceArg::Agency) => AppearanceKind::Agency {
            seal: image(
                args.seal
                    .as_deref()
                    .ok_or_else(|| needs("--seal PNG", "an agency appearance"))?,
            )?,
            organisation: args.org.clone(),
        },
        Some(AppearanceArg::Copy) => AppearanceKind::Copy {
            form: args.copy_form.clone(),
            organisation: args.org.clone(),
        },
        Some(AppearanceArg::Attachment) => AppearanceKind::Attachment {
            number_and_symbol: args
                .number
                .clone()
                .ok_or_else(|| needs("--number", "an attachment stamp"))?,
        },
        Some(AppearanceArg::Text) => AppearanceKind::Text { lines: None },
    })
}

fn placement(args: &SignFlags) -> Result<Placement, CliError> {
    let page_index = match args.page {
        Some(0) => return Err(CliError::Usage("--page counts from 1".into())),
        Some(page) => Some(page - 1),
        None => None,
    };
    Ok(match (&args.rect, &args.anchor, &args.over) {
        (Some(rect), _, _) => Placement::Rect {
            page_index: page_index.unwrap_or(0),
            rect: *rect,
        },
        (None, Some(text), _) => Placement::Anchor {
            page_index,
            text: text.clone(),
        },
        (None, None, Some(field)) => Placement::OverSignature {
            field: Some(field.clone()),
        },
        (None, None, None) => Placement::Auto,
    })
}

fn options(args: &SignFlags) -> Result<SignOptions, CliError> {
    let digest = match args.digest {
        DigestArg::Sha256 => DigestAlgorithm::Sha256,
        DigestArg::Sha384 => DigestAlgorithm::Sha384,
        DigestArg::Sha512 => DigestAlgorithm::Sha512,
    };
    let certification = args.certify.map(|level| match level {
        CertifyArg::P1 => DocMdpPermission::NoChanges,
        CertifyArg::P2 => DocMdpPermission::FormFilling,
        CertifyArg::P3 => DocMdpPermission::Annotations,
    });
    Ok(SignOptions {
        field_name: args.field.clone(),
        appearance: appearance(args)?,
        placement: placement(args)?,
        digest,
        signing_time: args.time,
        reason: args.reason.clone(),
        location: args.location.clone(),
        certification,
        ..SignOptions::default()
    })
}

/// The password from `--password-env`, else from the terminal, else a usage error.
fn password(args: &SignFlags, what: &Path) -> Result<Zeroizing<String>, CliError> {
    if let Some(variable) = &args.password_env {
        return std::env::var(variable).map(Zeroizing::new).map_err(|_| {
            CliError::Usage(format!(
                "biến môi trường {variable} không có / the environment variable {variable} is not set"
            ))
        });
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "{} cần mật khẩu / needs a password: give --password-env VAR (there is no terminal to ask on)",
            what.display()
        )));
    }
    let _ = std::io::stderr().flush();
    rpassword::prompt_password(format!("Mật khẩu / password for {}: ", what.display()))
        .map(Zeroizing::new)
        .map_err(|error| CliError::io(what, error))
}

fn certificates(path: &Path) -> Result<Vec<Vec<u8>>, CliError> {
    let bytes = read_file(path)?;
    let certificates = certificates_from_bytes(path, &bytes).map_err(CliError::failed)?;
    if certificates.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: no certificate found",
            path.display()
        )));
    }
    Ok(certificates
        .into_iter()
        .map(|certificate| certificate.der().to_vec())
        .collect())
}

/// The key, certificate and chain from --key/--cert/--chain or --p12, as a signer for `digest`.
fn signer(args: &SignFlags, digest: DigestAlgorithm) -> Result<LocalKey, CliError> {
    let (key, mut certificate, mut chain) = match (&args.p12, &args.key) {
        (Some(path), _) => {
            let bytes = read_file(path)?;
            let password = password(args, path)?;
            let contents = load_pkcs12(&bytes, &password).map_err(CliError::failed)?;
            (contents.key, contents.certificate, contents.chain)
        }
        (None, Some(path)) => {
            let bytes = read_file(path)?;
            let key = match load_private_key(&bytes, None) {
                Err(KeyError::PasswordRequired) => {
                    let password = password(args, path)?;
                    load_private_key(&bytes, Some(password.as_bytes()))
                }
                other => other,
            }
            .map_err(CliError::failed)?;
            (key, None, Vec::new())
        }
        (None, None) => return Err(CliError::Usage("give --key or --p12".into())),
    };
    if let Some(path) = &args.cert {
        certificate = certificates(path)?.into_iter().next();
    }
    if let Some(path) = &args.chain {
        chain = certificates(path)?;
    }
    let certificate =
        certificate.ok_or_else(|| CliError::Usage("no signer certificate: give --cert".into()))?;
    let algorithm = algorithm(&key, digest, args.pss)?;
    LocalKey::with_algorithm(key.pkcs8_der(), certificate, chain, algorithm)
        .map_err(CliError::failed)
}

fn algorithm(
    key: &PrivateKey,
    digest: DigestAlgorithm,
    pss: bool,
) -> Result<SignatureAlgorithm, CliError> {
    match key.kind().map_err(CliError::failed)? {
        KeyKind::Rsa { .. } if pss => Ok(SignatureAlgorithm::rsa_pss(digest)),
        KeyKind::Rsa { .. } => Ok(SignatureAlgorithm::RsaPkcs1v15(digest)),
        KeyKind::Ec(_) if !pss => Ok(SignatureAlgorithm::Ecdsa(digest)),
        KeyKind::Ed25519 if !pss => Ok(SignatureAlgorithm::Ed25519),
        other => Err(CliError::Usage(format!(
            "cannot sign with a {other} key{}",
            if pss { " using --pss" } else { "" }
        ))),
    }
}

/// Writes `bytes` to a temporary file in OUT's folder and renames it to OUT: OUT appears whole
/// or not at all. Replacing an existing file keeps its permissions, and a symbolic link is
/// followed: its target is replaced, the link stays.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let is_link = std::fs::symlink_metadata(path)
        .map(|metadata| metadata.file_type().is_symlink())
        .unwrap_or(false);
    let target = if is_link {
        std::fs::canonicalize(path).map_err(|error| CliError::io(path, error))?
    } else {
        path.to_path_buf()
    };
    let permissions = std::fs::metadata(&target)
        .ok()
        .map(|metadata| metadata.permissions());
    let folder = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".vanthu-sign-")
        .suffix(".pdf.tmp")
        .tempfile_in(folder)
        .map_err(|error| CliError::io(folder, error))?;
    if let Some(permissions) = permissions {
        file.as_file()
            .set_permissions(permissions)
            .map_err(|error| CliError::io(file.path().to_path_buf(), error))?;
    }
    file.write_all(bytes)
        .and_then(|()| file.as_file().sync_all())
        .map_err(|error| CliError::io(file.path().to_path_buf(), error))?;
    file.persist(&target)
        .map_err(|error| CliError::io(&target, error.error))?;
    Ok(())
}
