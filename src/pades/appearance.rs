//! The picture of a signature: laying out the Decree 30 appearance the options ask for (with the
//! names the signer's certificate gives), and turning an [`Appearance`] into PDF objects in the
//! signing update — Type0 / CIDFontType2 / FontDescriptor / FontFile2 / ToUnicode for each font,
//! an image XObject with its `/SMask` for each image, and the Form XObject that draws them.

use time::OffsetDateTime;

use super::error::PadesError;
use super::options::AppearanceKind;
use crate::pdf::appearance::layout::{
    self, AgencyLayout, AgencySignature, CornerStamp, DEFAULT_MAX_WIDTH, PersonalSignature,
    TextAlign, TextLine,
};
use crate::pdf::appearance::{Appearance, EmbeddedFont, EmbeddedImage, FontFamily};
use crate::pdf::{Dictionary, IncrementalUpdate, Object, ObjectId, PdfString, Rect, Stream};
use crate::pki::cert::Certificate;

/// Widest a corner stamp may be (about 70 mm), so that it stays in the top-right corner.
pub const CORNER_STAMP_MAX_WIDTH: f32 = 200.0;
/// Distance of a corner stamp from the top and right edges of page 1 (5 mm).
pub const CORNER_STAMP_MARGIN: f32 = 14.0;

/// The names an appearance shows by default, read from the signer's certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signatory {
    pub common_name: Option<String>,
    pub organisation: Option<String>,
    /// The `title` attribute (2.5.4.12), which Vietnamese personal certificates use for the
    /// position.
    pub title: Option<String>,
}

const OID_TITLE: &str = "2.5.4.12";

impl Signatory {
    pub fn from_certificate(certificate: &Certificate) -> Self {
        let subject = certificate.subject();
        Signatory {
            common_name: subject.common_name().map(str::to_owned),
            organisation: subject.organisation().map(str::to_owned),
            title: subject.first(OID_TITLE).map(str::to_owned),
        }
    }

    fn organisation_or_name(&self) -> String {
        self.organisation
            .clone()
            .or_else(|| self.common_name.clone())
            .unwrap_or_default()
    }
}

/// A laid-out appearance; the agency's keeps where its seal lies, to be placed over a personal
/// signature.
#[derive(Debug, Clone)]
pub enum LaidOut {
    Plain(Appearance),
    Agency(AgencyLayout),
}

impl LaidOut {
    pub fn appearance(&self) -> &Appearance {
        match self {
            LaidOut::Plain(appearance) => appearance,
            LaidOut::Agency(agency) => &agency.appearance,
        }
    }
}

/// Lays out the appearance `kind` asks for; `None` for an invisible signature. `max_width` bounds
/// the appearance's width (a caller's rectangle or an existing widget); `None` uses the layout's
/// default.
pub fn lay_out(
    kind: &AppearanceKind,
    fonts: &FontFamily,
    signatory: &Signatory,
    signed_at: OffsetDateTime,
    max_width: Option<f32>,
) -> Result<Option<LaidOut>, PadesError> {
    let width = max_width.unwrap_or(DEFAULT_MAX_WIDTH);
    let appearance = match kind {
        AppearanceKind::Invisible => return Ok(None),
        AppearanceKind::Personal {
            image,
            position,
            full_name,
        } => {
            let position = position
                .clone()
                .or_else(|| signatory.title.clone())
                .unwrap_or_default();
            let full_name = full_name
                .clone()
                .or_else(|| signatory.common_name.clone())
                .unwrap_or_default();
            let signature = PersonalSignature {
                max_width: width,
                ..PersonalSignature::new(&position, &full_name, image)
            };
            layout::personal(fonts, &signature)?.appearance
        }
        AppearanceKind::Agency { seal, organisation } => {
            let organisation = organisation
                .clone()
                .unwrap_or_else(|| signatory.organisation_or_name());
            let signature = AgencySignature {
                max_text_width: width,
                ..AgencySignature::new(&organisation, signed_at, seal)
            };
            return Ok(Some(LaidOut::Agency(layout::agency(fonts, &signature)?)));
        }
        AppearanceKind::Copy { form, organisation } => {
            let organisation = organisation
                .clone()
                .unwrap_or_else(|| signatory.organisation_or_name());
            let stamp = CornerStamp::copy(form, &organisation, signed_at);
            layout::corner_stamp(fonts, &stamp, max_width.unwrap_or(CORNER_STAMP_MAX_WIDTH))?
        }
        AppearanceKind::Attachment { number_and_symbol } => {
            let stamp = CornerStamp::attachment(number_and_symbol, signed_at);
            layout::corner_stamp(fonts, &stamp, max_width.unwrap_or(CORNER_STAMP_MAX_WIDTH))?
        }
        AppearanceKind::Text { lines } => {
            let lines: Vec<TextLine> = match lines {
                Some(lines) => lines.iter().map(TextLine::regular).collect(),
                None => default_text_lines(signatory, signed_at),
            };
            layout::text_only(fonts, &lines, width, TextAlign::Left)?
        }
    };
    Ok(Some(LaidOut::Plain(appearance)))
}

/// "Ký bởi" (signed by), the organisation and "Thời gian ký" (signing time).
fn default_text_lines(signatory: &Signatory, signed_at: OffsetDateTime) -> Vec<TextLine> {
    let mut lines = Vec::new();
    if let Some(name) = &signatory.common_name {
        lines.push(TextLine::bold(format!("Ký bởi: {name}")));
    }
    if let Some(organisation) = &signatory.organisation
        && signatory.common_name.as_ref() != Some(organisation)
    {
        lines.push(TextLine::regular(format!("Cơ quan: {organisation}")));
    }
    lines.push(TextLine::regular(format!(
        "Thời gian ký: {}",
        layout::format_signing_time(signed_at)
    )));
    lines
}

/// A PDF number for a layout value: three decimals at most, as the content stream writes them.
pub fn points(value: f32) -> Object {
    crate::pdf::number_object((f64::from(value) * 1000.0).round() / 1000.0)
}

fn bbox(width: f32, height: f32) -> Object {
    Object::Array(vec![
        points(0.0),
        points(0.0),
        points(width),
        points(height),
    ])
}

/// The rectangle of a widget showing `appearance` with its lower-left corner at `(x, y)`.
pub fn widget_rect(x: f32, y: f32, appearance: &Appearance) -> Rect {
    let round = |value: f32| (f64::from(value) * 1000.0).round() / 1000.0;
    Rect::new(
        round(x),
        round(y),
        round(x) + round(appearance.width),
        round(y) + round(appearance.height),
    )
}

fn deflated(bytes: &[u8], what: &str) -> Result<Vec<u8>, PadesError> {
    crate::pdf::appearance::deflate(bytes)
        .map_err(|error| PadesError::Options(format!("cannot compress the {what}: {error}")))
}

/// Adds the appearance to the update as a Form XObject (with its fonts and images) and returns
/// the form's id: the one mechanical conversion of the values `pdf::appearance` describes.
pub fn add_form_xobject(
    update: &mut IncrementalUpdate<'_>,
    appearance: &Appearance,
) -> Result<ObjectId, PadesError> {
    let mut fonts = Dictionary::new();
    for font in &appearance.fonts {
        let id = add_type0_font(update, font)?;
        fonts.insert(font.resource_name.as_str(), id);
    }
    let mut images = Dictionary::new();
    for image in &appearance.images {
        let id = add_image(update, image)?;
        images.insert(image.resource_name.as_str(), id);
    }
    let mut resources = Dictionary::new();
    if !fonts.is_empty() {
        resources.insert("Font", fonts);
    }
    if !images.is_empty() {
        resources.insert("XObject", images);
    }
    let form = Dictionary::new()
        .with("Type", Object::name("XObject"))
        .with("Subtype", Object::name("Form"))
        .with("BBox", bbox(appearance.width, appearance.height))
        .with("Resources", resources)
        .with("Filter", Object::name("FlateDecode"));
    let content = deflated(&appearance.content, "appearance content")?;
    Ok(update.add(Stream::new(form, content))?)
}

/// A Form XObject of `outer_width` × `outer_height` that shows the form `inner` (of the given
/// size) centred, scaled down uniformly if it does not fit: an existing widget keeps its
/// rectangle, and the appearance keeps its proportions.
pub fn add_centring_form(
    update: &mut IncrementalUpdate<'_>,
    inner: ObjectId,
    inner_size: (f32, f32),
    outer_size: (f32, f32),
) -> Result<ObjectId, PadesError> {
    let (inner_width, inner_height) = inner_size;
    let (outer_width, outer_height) = outer_size;
    let scale = (outer_width / inner_width)
        .min(outer_height / inner_height)
        .min(1.0);
    let dx = (outer_width - inner_width * scale) / 2.0;
    let dy = (outer_height - inner_height * scale) / 2.0;
    let number = |value: f32| format!("{}", (f64::from(value) * 1000.0).round() / 1000.0);
    let content = format!(
        "q {} 0 0 {} {} {} cm /Fm1 Do Q\n",
        number(scale),
        number(scale),
        number(dx),
        number(dy)
    );
    let form = Dictionary::new()
        .with("Type", Object::name("XObject"))
        .with("Subtype", Object::name("Form"))
        .with("BBox", bbox(outer_width, outer_height))
        .with(
            "Resources",
            Dictionary::new().with("XObject", Dictionary::new().with("Fm1", inner)),
        );
    Ok(update.add(Stream::new(form, content.into_bytes()))?)
}

fn add_type0_font(
    update: &mut IncrementalUpdate<'_>,
    font: &EmbeddedFont,
) -> Result<ObjectId, PadesError> {
    let program = update.add(Stream::new(
        Dictionary::new()
            .with("Filter", Object::name("FlateDecode"))
            .with("Length1", Object::Integer(font.font_program_length as i64)),
        font.font_program.clone(),
    ))?;
    let metrics = &font.descriptor;
    let descriptor = update.add(
        Dictionary::new()
            .with("Type", Object::name("FontDescriptor"))
            .with("FontName", Object::name(font.base_font.as_str()))
            .with("Flags", Object::Integer(i64::from(metrics.flags)))
            .with(
                "FontBBox",
                Object::Array(
                    metrics
                        .bbox
                        .iter()
                        .map(|value| Object::Integer(i64::from(*value)))
                        .collect(),
                ),
            )
            .with("ItalicAngle", points(metrics.italic_angle))
            .with("Ascent", Object::Integer(i64::from(metrics.ascent)))
            .with("Descent", Object::Integer(i64::from(metrics.descent)))
            .with("CapHeight", Object::Integer(i64::from(metrics.cap_height)))
            .with("StemV", Object::Integer(i64::from(metrics.stem_v)))
            .with("FontFile2", program),
    )?;
    let widths: Vec<Object> = font
        .widths
        .iter()
        .flat_map(|run| {
            [
                Object::Integer(i64::from(run.first_cid)),
                Object::Array(
                    run.widths
                        .iter()
                        .map(|width| Object::Integer(i64::from(*width)))
                        .collect(),
                ),
            ]
        })
        .collect();
    let (registry, ordering, supplement) = EmbeddedFont::CID_SYSTEM_INFO;
    let cid_font = update.add(
        Dictionary::new()
            .with("Type", Object::name("Font"))
            .with("Subtype", Object::name("CIDFontType2"))
            .with("BaseFont", Object::name(font.base_font.as_str()))
            .with(
                "CIDSystemInfo",
                Dictionary::new()
                    .with("Registry", Object::String(PdfString::literal(registry)))
                    .with("Ordering", Object::String(PdfString::literal(ordering)))
                    .with("Supplement", Object::Integer(i64::from(supplement))),
            )
            .with("FontDescriptor", descriptor)
            .with("DW", Object::Integer(i64::from(font.default_width)))
            .with("W", Object::Array(widths))
            .with("CIDToGIDMap", Object::name(EmbeddedFont::CID_TO_GID_MAP)),
    )?;
    let to_unicode = update.add(Stream::new(
        Dictionary::new().with("Filter", Object::name("FlateDecode")),
        deflated(&font.to_unicode, "ToUnicode map")?,
    ))?;
    Ok(update.add(
        Dictionary::new()
            .with("Type", Object::name("Font"))
            .with("Subtype", Object::name("Type0"))
            .with("BaseFont", Object::name(font.base_font.as_str()))
            .with("Encoding", Object::name(EmbeddedFont::ENCODING))
            .with("DescendantFonts", Object::Array(vec![cid_font.into()]))
            .with("ToUnicode", to_unicode),
    )?)
}

fn image_dictionary(image: &EmbeddedImage, color_space: &str) -> Dictionary {
    Dictionary::new()
        .with("Type", Object::name("XObject"))
        .with("Subtype", Object::name("Image"))
        .with("Width", Object::Integer(i64::from(image.width)))
        .with("Height", Object::Integer(i64::from(image.height)))
        .with("ColorSpace", Object::name(color_space))
        .with(
            "BitsPerComponent",
            Object::Integer(i64::from(EmbeddedImage::BITS_PER_COMPONENT)),
        )
        .with("Filter", Object::name(EmbeddedImage::FILTER))
}

fn add_image(
    update: &mut IncrementalUpdate<'_>,
    image: &EmbeddedImage,
) -> Result<ObjectId, PadesError> {
    let mut dict = image_dictionary(image, EmbeddedImage::COLOR_SPACE);
    if let Some(alpha) = &image.alpha {
        let mask = update.add(Stream::new(
            image_dictionary(image, EmbeddedImage::MASK_COLOR_SPACE),
            alpha.clone(),
        ))?;
        dict.insert("SMask", mask);
    }
    Ok(update.add(Stream::new(dict, image.rgb.clone()))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn default_text_names_the_signer_the_agency_and_the_time() {
        let signatory = Signatory {
            common_name: Some("Nguyễn Văn A".into()),
            organisation: Some("VKSND tỉnh Thái Nguyên".into()),
            title: None,
        };
        let lines = default_text_lines(&signatory, datetime!(2024-03-09 03:08:00 UTC));
        let texts: Vec<&str> = lines.iter().map(|line| line.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Ký bởi: Nguyễn Văn A",
                "Cơ quan: VKSND tỉnh Thái Nguyên",
                "Thời gian ký: 2024-03-09T10:08:00+07:00"
            ]
        );
    }

    #[test]
    fn a_seal_certificate_does_not_repeat_its_name() {
        let signatory = Signatory {
            common_name: Some("Văn phòng".into()),
            organisation: Some("Văn phòng".into()),
            title: None,
        };
        let lines = default_text_lines(&signatory, datetime!(2024-03-09 03:08:00 UTC));
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn layout_values_become_short_pdf_numbers() {
        assert_eq!(points(12.345_678), Object::Real(12.346));
        assert_eq!(points(10.0), Object::Integer(10));
        let appearance = Appearance {
            width: 100.123_45,
            height: 40.0,
            content: Vec::new(),
            fonts: Vec::new(),
            images: Vec::new(),
        };
        let rect = widget_rect(300.5, 100.0, &appearance);
        assert_eq!((rect.llx, rect.lly, rect.ury), (300.5, 100.0, 140.0));
        assert!((rect.urx - 400.623).abs() < 1e-9);
    }
}
