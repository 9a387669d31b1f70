//! Preparing a document for one signature, shared by local and deferred signing: the input read
//! within limits, every refusal, the field and its appearance, the placeholder update, the digest
//! of the covered bytes and the signed attributes a key must sign.

use time::OffsetDateTime;

use super::appearance::{LaidOut, Signatory, add_centring_form, add_form_xobject, lay_out};
use super::capacity::contents_capacity;
use super::checks;
use super::error::PadesError;
use super::options::{AppearanceKind, Placement, SignOptions};
use super::placement::{self, WidgetPlace};
use crate::cms::{SignedAttributes, signed_attributes};
use crate::crypto::{PublicKey, SignatureAlgorithm};
use crate::pdf::appearance::FontFamily;
use crate::pdf::{
    self, Dictionary, Document, Field, IncrementalUpdate, Object, ObjectId, PdfString,
    PreparedSignature, SignatureSpec, View, prepare_signature_in,
};
use crate::pki::cert::Certificate;

/// Vietnam's offset, in which claimed signing times are written.
const VIETNAM: time::UtcOffset = time::macros::offset!(+7);

/// A document with its placeholder and everything the CMS needs.
#[derive(Debug)]
pub struct Preparation {
    pub prepared: PreparedSignature,
    pub field_name: String,
    pub signing_time: OffsetDateTime,
    /// The digest of the covered bytes (`messageDigest`).
    pub document_digest: Vec<u8>,
    /// What the key signs.
    pub attributes: SignedAttributes,
    /// The signer's certificate, then its chain.
    pub certificates: Vec<Vec<u8>>,
}

/// Prepares `pdf` for a signature by `certificate` with `algorithm`.
pub fn prepare<P>(
    pdf: P,
    options: &SignOptions,
    certificate: &[u8],
    chain: &[Vec<u8>],
    algorithm: SignatureAlgorithm,
) -> Result<Preparation, PadesError>
where
    P: AsRef<[u8]> + Send + Sync + 'static,
{
    let size = pdf.as_ref().len() as u64;
    if size > options.limits.max_file_size {
        return Err(PadesError::TooLarge {
            size,
            max: options.limits.max_file_size,
        });
    }
    check_algorithm(options, certificate, algorithm)?;
    let parsed = Certificate::from_der(certificate)
        .map_err(|error| PadesError::Certificate(error.to_string()))?;
    let now = OffsetDateTime::now_utc();
    let signing_time = options.signing_time.unwrap_or(now);
    // A time with no +07:00 form (the end of year 9999) is kept as given; the certificate check
    // refuses it.
    let signing_time = signing_time
        .checked_to_offset(VIETNAM)
        .unwrap_or(signing_time)
        .replace_nanosecond(0)
        .unwrap_or(now);
    checks::certificate_allows(&parsed, signing_time, now)?;

    let doc = Document::from_bytes_with_limits(pdf, options.limits.clone())?;
    if doc.is_encrypted() {
        return Err(PadesError::Encrypted);
    }
    let view = doc.latest();
    let page_count = view.page_count()?;
    if page_count == 0 {
        return Err(PadesError::NoPages);
    }
    let field_name = match &options.field_name {
        Some(name) if name.trim().is_empty() => {
            return Err(PadesError::Options("the field name is empty".to_owned()));
        }
        Some(name) => name.clone(),
        None => view.free_field_name("Signature")?,
    };
    let existing = checks::existing_field(&view, &field_name)?;
    checks::document_allows(
        &view,
        &field_name,
        existing.is_none() && options.appearance.is_visible(),
        options.certification.is_some(),
    )?;
    check_placement(options, existing.is_some())?;

    let signatory = Signatory::from_certificate(&parsed);
    let mut update = IncrementalUpdate::new(&doc)?;
    let (placement, appearance) = match &existing {
        Some(field) => (
            pdf::Placement::Invisible,
            appearance_in_field(&mut update, options, field, &signatory, signing_time)?,
        ),
        None => match new_widget(
            &mut update,
            &view,
            page_count,
            options,
            &signatory,
            signing_time,
        )? {
            Some((place, form)) => (
                pdf::Placement::Visible {
                    page_index: place.page_index,
                    rect: place.rect,
                },
                Some(form),
            ),
            None => (pdf::Placement::Invisible, None),
        },
    };
    let capacity = match options.contents_capacity {
        Some(capacity) => capacity,
        None => contents_capacity(
            certificate,
            chain,
            options.digest,
            options.timestamp_reserve,
        )?,
    };
    let spec = SignatureSpec {
        placement,
        signing_time: Some(signing_time),
        reason: options.reason.clone(),
        location: options.location.clone(),
        contact_info: options.contact_info.clone(),
        name: signatory.common_name.clone(),
        prop_build: Some(build_properties()),
        certification: options.certification,
        lock: options.lock.clone(),
        appearance,
        contents_capacity: capacity,
        ..SignatureSpec::new(field_name.clone())
    };
    let prepared = prepare_signature_in(update, &spec)?;
    let mut hasher = options.digest.hasher();
    prepared.digest_with(|chunk| hasher.update(chunk));
    let document_digest = hasher.finish();
    let attributes = signed_attributes(options.digest, &document_digest, certificate)?;
    let mut certificates = Vec::with_capacity(chain.len() + 1);
    certificates.push(certificate.to_vec());
    certificates.extend(chain.iter().cloned());
    Ok(Preparation {
        prepared,
        field_name,
        signing_time,
        document_digest,
        attributes,
        certificates,
    })
}

/// The algorithm must use the asked digest and fit the certificate's key.
fn check_algorithm(
    options: &SignOptions,
    certificate: &[u8],
    algorithm: SignatureAlgorithm,
) -> Result<(), PadesError> {
    if !matches!(
        options.digest,
        crate::crypto::DigestAlgorithm::Sha256
            | crate::crypto::DigestAlgorithm::Sha384
            | crate::crypto::DigestAlgorithm::Sha512
    ) {
        return Err(PadesError::Options(format!(
            "{} is not a digest for new signatures (SHA-256, SHA-384 or SHA-512)",
            options.digest.name()
        )));
    }
    if algorithm != SignatureAlgorithm::Ed25519 && algorithm.digest() != options.digest {
        return Err(PadesError::Options(format!(
            "the signer uses {} but the options ask for {}",
            algorithm.name(),
            options.digest.name()
        )));
    }
    let key = PublicKey::from_certificate_der(certificate)
        .map_err(|error| PadesError::Certificate(error.to_string()))?;
    if !key.kind().fits(algorithm) {
        return Err(PadesError::Options(format!(
            "{} cannot be made with the certificate's {} key",
            algorithm.name(),
            key.kind()
        )));
    }
    Ok(())
}

/// Refuses placements that cannot apply.
fn check_placement(options: &SignOptions, existing_field: bool) -> Result<(), PadesError> {
    let auto = options.placement == Placement::Auto;
    if existing_field && !auto {
        return Err(PadesError::Options(
            "the field exists and keeps its own widget: give no placement".to_owned(),
        ));
    }
    if !options.appearance.is_visible() && !auto {
        return Err(PadesError::Options(
            "an invisible signature takes no placement".to_owned(),
        ));
    }
    if matches!(options.placement, Placement::OverSignature { .. })
        && !matches!(options.appearance, AppearanceKind::Agency { .. })
    {
        return Err(PadesError::Options(
            "only an agency seal is placed over another signature".to_owned(),
        ));
    }
    Ok(())
}

/// `/Prop_Build`: the software that made the signature.
fn build_properties() -> Dictionary {
    Dictionary::new().with(
        "App",
        Dictionary::new().with("Name", Object::name("vanthu")).with(
            "REx",
            Object::String(PdfString::text(env!("CARGO_PKG_VERSION"))),
        ),
    )
}

fn fonts(options: &SignOptions) -> Result<FontFamily, PadesError> {
    match &options.fonts {
        Some(fonts) => Ok(fonts.clone()),
        None => {
            Ok(FontFamily::locate(None).map_err(crate::pdf::appearance::AppearanceError::from)?)
        }
    }
}

/// The appearance of an existing field: laid out to its widget's width and centred in the
/// widget's rectangle, which stays as it is.
fn appearance_in_field(
    update: &mut IncrementalUpdate<'_>,
    options: &SignOptions,
    field: &Field,
    signatory: &Signatory,
    signed_at: OffsetDateTime,
) -> Result<Option<ObjectId>, PadesError> {
    if !options.appearance.is_visible() {
        return Ok(None);
    }
    let rect = field
        .widgets
        .first()
        .and_then(|widget| widget.rect)
        .filter(|rect| !rect.is_empty())
        .ok_or_else(|| PadesError::Field {
            field: field.full_name.clone(),
            problem: "the widget has no area to show an appearance in".to_owned(),
        })?;
    let fonts = fonts(options)?;
    let Some(laid_out) = lay_out(
        &options.appearance,
        &fonts,
        signatory,
        signed_at,
        Some(rect.width() as f32),
    )?
    else {
        return Ok(None);
    };
    let appearance = laid_out.appearance();
    let inner = add_form_xobject(update, appearance)?;
    let outer = add_centring_form(
        update,
        inner,
        (appearance.width, appearance.height),
        (rect.width() as f32, rect.height() as f32),
    )?;
    Ok(Some(outer))
}

/// The widget of a new field: the appearance laid out, placed and added; `None` when invisible.
fn new_widget(
    update: &mut IncrementalUpdate<'_>,
    view: &View<'_>,
    page_count: usize,
    options: &SignOptions,
    signatory: &Signatory,
    signed_at: OffsetDateTime,
) -> Result<Option<(WidgetPlace, ObjectId)>, PadesError> {
    if !options.appearance.is_visible() {
        return Ok(None);
    }
    let max_width = match &options.placement {
        Placement::Rect { rect, .. } => Some(rect.width() as f32),
        _ => None,
    };
    let fonts = fonts(options)?;
    let Some(laid_out) = lay_out(&options.appearance, &fonts, signatory, signed_at, max_width)?
    else {
        return Ok(None);
    };
    let appearance = laid_out.appearance();
    let is_corner_stamp = matches!(
        options.appearance,
        AppearanceKind::Copy { .. } | AppearanceKind::Attachment { .. }
    );
    let place = match (&options.placement, &laid_out) {
        (Placement::Rect { page_index, rect }, _) => {
            placement::centred_in(*page_index, *rect, appearance)?
        }
        (Placement::Anchor { page_index, text }, _) => {
            placement::above_anchor(view.document(), page_count, *page_index, text, appearance)?
        }
        (Placement::OverSignature { field }, LaidOut::Agency(agency)) => {
            placement::over_signature(view, field.as_deref(), agency)?
        }
        (Placement::Auto, LaidOut::Agency(agency)) => {
            placement::over_signature(view, None, agency)?
        }
        (Placement::Auto, _) if is_corner_stamp => {
            placement::top_right_of_first_page(view, appearance)?
        }
        (Placement::Auto | Placement::OverSignature { .. }, _) => {
            return Err(PadesError::Placement(
                "a personal or text appearance needs a page and a rectangle, or a text anchor"
                    .to_owned(),
            ));
        }
    };
    if place.page_index >= page_count {
        return Err(PadesError::Placement(format!(
            "page {} does not exist (the document has {page_count})",
            place.page_index + 1
        )));
    }
    let form = add_form_xobject(update, appearance)?;
    Ok(Some((place, form)))
}
