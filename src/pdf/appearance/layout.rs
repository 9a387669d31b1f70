//! The Decree 30 layouts — personal signature, agency seal signature, the top-right stamp of
//! attachments and copies, and plain text — and the geometry the signer needs to place them:
//! text measured with the real glyph advances, wrapped and centred, images at their printed size.

use time::OffsetDateTime;

use super::content::Canvas;
use super::font::{FontFamily, Weight};
use super::image::PngImage;
use super::text::{normalise, wrap};
use super::{Appearance, AppearanceError, Rect};

/// Type size of every appearance text (Appendix I: "cỡ chữ 10").
pub const FONT_SIZE: f32 = 10.0;
/// Distance between baselines.
pub const LINE_HEIGHT: f32 = 12.0;
/// Empty border inside the widget, so that antialiasing never touches the widget's edge.
pub const PADDING: f32 = 2.0;
/// Space between a text block and an image.
pub const GAP: f32 = 3.0;
/// Widest line of text when the caller does not say otherwise (about 78 mm).
pub const DEFAULT_MAX_WIDTH: f32 = 220.0;
/// Height of a signature image whose PNG gives no plausible printed size.
pub const DEFAULT_SIGNATURE_HEIGHT_MM: f32 = 15.0;
/// Diameter of a seal whose PNG gives no plausible printed size (a typical round agency seal).
pub const DEFAULT_SEAL_DIAMETER_MM: f32 = 36.0;
/// Longest text accepted in one field, in characters.
pub const MAX_FIELD_CHARS: usize = 300;

/// A `pHYs` size outside these ranges is taken as meaningless (editors write 72 or 96 dpi to
/// every file) and the caller's fallback is used instead.
const PLAUSIBLE_SIGNATURE_HEIGHT_MM: std::ops::RangeInclusive<f32> = 5.0..=60.0;
const PLAUSIBLE_SEAL_DIAMETER_MM: std::ops::RangeInclusive<f32> = 15.0..=80.0;
const POINTS_PER_MM: f32 = 72.0 / 25.4;
const VIETNAM_OFFSET: time::UtcOffset = time::macros::offset!(+7);

/// How large an image is printed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PrintSize {
    /// The size the PNG's `pHYs` resolution gives, when plausible; otherwise `fallback_mm`.
    Physical { fallback_mm: f32 },
    /// Exactly this many millimetres.
    Millimetres(f32),
}

/// Horizontal placement of text lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextAlign {
    Left,
    Center,
    Right,
}

/// One paragraph of a text-only appearance (wrapped as needed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextLine {
    pub text: String,
    pub weight: Weight,
}

impl TextLine {
    pub fn regular(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            weight: Weight::Regular,
        }
    }

    pub fn bold(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            weight: Weight::Bold,
        }
    }
}

/// The competent person's signature (Appendix I, item 7c).
#[derive(Debug, Clone)]
pub struct PersonalSignature<'a> {
    /// The position, one line per `\n` (e.g. "KT. VIỆN TRƯỞNG\nPHÓ VIỆN TRƯỞNG"); empty when the
    /// page already prints it above the widget.
    pub position: &'a str,
    /// The full name; empty when the page already prints it below the widget.
    pub full_name: &'a str,
    /// The handwritten signature: blue ink on a transparent background.
    pub image: &'a PngImage,
    /// The image's height.
    pub image_height: PrintSize,
    /// The widest the appearance may be, in points (the image is scaled down to fit).
    pub max_width: f32,
}

impl<'a> PersonalSignature<'a> {
    /// Defaults: the image at its `pHYs` height or 15 mm, at most [`DEFAULT_MAX_WIDTH`] wide.
    pub fn new(position: &'a str, full_name: &'a str, image: &'a PngImage) -> Self {
        Self {
            position,
            full_name,
            image,
            image_height: PrintSize::Physical {
                fallback_mm: DEFAULT_SIGNATURE_HEIGHT_MM,
            },
            max_width: DEFAULT_MAX_WIDTH,
        }
    }
}

/// A personal signature's appearance and where its image lies inside it.
#[derive(Debug, Clone)]
pub struct PersonalLayout {
    pub appearance: Appearance,
    /// The signature image's rectangle in the appearance's own coordinates.
    pub image_rect: Rect,
}

impl PersonalLayout {
    /// The image's rectangle on the page when the widget's lower-left corner is at `origin`.
    pub fn image_rect_on_page(&self, origin: (f32, f32)) -> Rect {
        self.image_rect.offset(origin.0, origin.1)
    }
}

/// The agency's signature (Appendix I, item 8b).
#[derive(Debug, Clone)]
pub struct AgencySignature<'a> {
    /// The issuing agency's name.
    pub agency_name: &'a str,
    /// When the agency signed; shown in Vietnam time as `YYYY-MM-DDThh:mm:ss+07:00`.
    pub signed_at: OffsetDateTime,
    /// The seal: red on a transparent background.
    pub seal: &'a PngImage,
    /// The seal's diameter (its larger side).
    pub seal_size: PrintSize,
    /// The widest a line of text may be, in points.
    pub max_text_width: f32,
}

impl<'a> AgencySignature<'a> {
    /// Defaults: the seal at its `pHYs` size or 36 mm, text at most [`DEFAULT_MAX_WIDTH`] wide.
    pub fn new(agency_name: &'a str, signed_at: OffsetDateTime, seal: &'a PngImage) -> Self {
        Self {
            agency_name,
            signed_at,
            seal,
            seal_size: PrintSize::Physical {
                fallback_mm: DEFAULT_SEAL_DIAMETER_MM,
            },
            max_text_width: DEFAULT_MAX_WIDTH,
        }
    }
}

/// An agency signature's appearance and where its seal lies inside it.
#[derive(Debug, Clone)]
pub struct AgencyLayout {
    pub appearance: Appearance,
    /// The seal's rectangle in the appearance's own coordinates.
    pub seal_rect: Rect,
}

/// The text of an agency signature without image, set at the top right of page 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CornerStamp {
    lines: Vec<String>,
}

impl CornerStamp {
    /// An attachment in its own file (Appendix I, item 8c): the main document's number and
    /// symbol (e.g. `15/KH-VKS`) and the signing time.
    pub fn attachment(number_and_symbol: &str, signed_at: OffsetDateTime) -> Self {
        Self {
            lines: vec![number_and_symbol.to_owned(), format_signing_time(signed_at)],
        }
    }

    /// An electronic copy (Appendix I, Part II): the form of copy ("SAO Y", "SAO LỤC",
    /// "TRÍCH SAO"), the copying agency's name and the signing time.
    pub fn copy(form: &str, agency_name: &str, signed_at: OffsetDateTime) -> Self {
        Self {
            lines: vec![
                form.to_owned(),
                agency_name.to_owned(),
                format_signing_time(signed_at),
            ],
        }
    }

    /// The agency's name and the signing time.
    pub fn agency(agency_name: &str, signed_at: OffsetDateTime) -> Self {
        Self {
            lines: vec![agency_name.to_owned(), format_signing_time(signed_at)],
        }
    }

    /// The lines as they will be shown (before wrapping).
    pub fn lines(&self) -> &[String] {
        &self.lines
    }
}

/// The signing time in Vietnam time, ISO 8601 with the offset: `2024-03-09T10:08:00+07:00`.
pub fn format_signing_time(at: OffsetDateTime) -> String {
    let local = at.checked_to_offset(VIETNAM_OFFSET).unwrap_or(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second()
    )
}

/// The personal signature: position (bold, centred) above, the signature image centred, the full
/// name (bold, centred) below.
pub fn personal(
    fonts: &FontFamily,
    signature: &PersonalSignature<'_>,
) -> Result<PersonalLayout, AppearanceError> {
    let max_width = checked("max_width", signature.max_width, 20.0, 2000.0)?;
    let text_width = max_width - 2.0 * PADDING;
    let (mut image_width, mut image_height) =
        signature_image_size(signature.image, signature.image_height)?;
    if image_width > text_width {
        image_height *= text_width / image_width;
        image_width = text_width;
    }
    let mut stack = Stack::new(TextAlign::Center);
    stack.text(
        fonts,
        Weight::Bold,
        "position",
        signature.position,
        text_width,
    )?;
    stack.gap_if_not_empty(GAP);
    let image_index = stack.image(signature.image, image_width, image_height);
    let name = Stack::text_block(
        fonts,
        Weight::Bold,
        "full_name",
        signature.full_name,
        text_width,
    )?;
    if !name.is_empty() {
        stack.gap(GAP);
        stack.lines(name);
    }
    let (appearance, image_rects) = stack.draw(fonts)?;
    let image_rect = image_rects.get(image_index).copied().unwrap_or(Rect::new(
        0.0,
        0.0,
        image_width,
        image_height,
    ));
    Ok(PersonalLayout {
        appearance,
        image_rect,
    })
}

/// The agency signature: the seal at its real size, with the agency's name and the signing time
/// centred below it.
pub fn agency(
    fonts: &FontFamily,
    signature: &AgencySignature<'_>,
) -> Result<AgencyLayout, AppearanceError> {
    let text_width = checked("max_text_width", signature.max_text_width, 20.0, 2000.0)?;
    let (seal_width, seal_height) = seal_size(signature.seal, signature.seal_size)?;
    let mut stack = Stack::new(TextAlign::Center);
    let seal_index = stack.image(signature.seal, seal_width, seal_height);
    stack.gap(GAP);
    stack.text(
        fonts,
        Weight::Regular,
        "agency_name",
        signature.agency_name,
        text_width,
    )?;
    let time = format_signing_time(signature.signed_at);
    stack.text(fonts, Weight::Regular, "signed_at", &time, text_width)?;
    let (appearance, image_rects) = stack.draw(fonts)?;
    let seal_rect = image_rects.get(seal_index).copied().unwrap_or(Rect::new(
        0.0,
        0.0,
        seal_width,
        seal_height,
    ));
    Ok(AgencyLayout {
        appearance,
        seal_rect,
    })
}

/// Where the agency widget goes on the page so that its seal covers the left third of the
/// personal signature's image (Appendix I, item 8b; Article 33(1b)): the seal's right edge lies
/// one third of the way into the image, and the seal is centred on the image vertically.
///
/// `personal_image_on_page` is the personal signature image's rectangle on the page
/// ([`PersonalLayout::image_rect_on_page`]); when the personal signature was made elsewhere and
/// only its widget rectangle is known, pass that rectangle.
pub fn agency_widget_rect(personal_image_on_page: Rect, agency: &AgencyLayout) -> Rect {
    let image = personal_image_on_page;
    let seal = agency.seal_rect;
    let seal_right = image.x + image.width / 3.0;
    let seal_centre_y = image.y + image.height / 2.0;
    Rect::new(
        seal_right - (seal.x + seal.width),
        seal_centre_y - (seal.y + seal.height / 2.0),
        agency.appearance.width,
        agency.appearance.height,
    )
}

/// The text-only agency signature of attachments and copies, left-aligned, one wrapped paragraph
/// per line of the stamp, in regular upright type.
pub fn corner_stamp(
    fonts: &FontFamily,
    stamp: &CornerStamp,
    max_width: f32,
) -> Result<Appearance, AppearanceError> {
    let lines: Vec<TextLine> = stamp.lines.iter().map(TextLine::regular).collect();
    text_only(fonts, &lines, max_width, TextAlign::Left)
}

/// The rectangle at the top right of `page_box` (the page's `/CropBox`, else `/MediaBox`) for an
/// appearance of `width` × `height`, `margin` points from the top and right edges.
pub fn top_right_rect(page_box: Rect, width: f32, height: f32, margin: f32) -> Rect {
    Rect::new(
        page_box.x + page_box.width - margin - width,
        page_box.y + page_box.height - margin - height,
        width,
        height,
    )
}

/// Plain text, for signatures shown without an image: each paragraph wrapped to `max_width`.
pub fn text_only(
    fonts: &FontFamily,
    lines: &[TextLine],
    max_width: f32,
    align: TextAlign,
) -> Result<Appearance, AppearanceError> {
    let max_width = checked("max_width", max_width, 20.0, 2000.0)?;
    let mut stack = Stack::new(align);
    for line in lines {
        stack.text(
            fonts,
            line.weight,
            "text",
            &line.text,
            max_width - 2.0 * PADDING,
        )?;
    }
    Ok(stack.draw(fonts)?.0)
}

fn checked(what: &'static str, value: f32, min: f32, max: f32) -> Result<f32, AppearanceError> {
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(AppearanceError::InvalidSize {
            what,
            value,
            min,
            max,
        })
    }
}

/// The printed size in points of a signature image: its height from `pHYs` or the caller.
fn signature_image_size(image: &PngImage, size: PrintSize) -> Result<(f32, f32), AppearanceError> {
    let height_mm = match size {
        PrintSize::Physical { fallback_mm } => image
            .physical_size_mm()
            .map(|(_, height)| height)
            .filter(|height| PLAUSIBLE_SIGNATURE_HEIGHT_MM.contains(height))
            .map_or_else(|| checked("image_height", fallback_mm, 1.0, 200.0), Ok)?,
        PrintSize::Millimetres(height) => checked("image_height", height, 1.0, 200.0)?,
    };
    let height = height_mm * POINTS_PER_MM;
    let width = height * image.width() as f32 / image.height() as f32;
    Ok((width, height))
}

/// The printed size in points of a seal: its larger side from `pHYs` or the caller.
fn seal_size(image: &PngImage, size: PrintSize) -> Result<(f32, f32), AppearanceError> {
    let diameter_mm = match size {
        PrintSize::Physical { fallback_mm } => image
            .physical_size_mm()
            .map(|(width, height)| width.max(height))
            .filter(|diameter| PLAUSIBLE_SEAL_DIAMETER_MM.contains(diameter))
            .map_or_else(|| checked("seal_size", fallback_mm, 5.0, 200.0), Ok)?,
        PrintSize::Millimetres(diameter) => checked("seal_size", diameter, 5.0, 200.0)?,
    };
    let larger_side = image.width().max(image.height()) as f32;
    let points_per_pixel = diameter_mm * POINTS_PER_MM / larger_side;
    Ok((
        image.width() as f32 * points_per_pixel,
        image.height() as f32 * points_per_pixel,
    ))
}

/// A measured text line.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    weight: Weight,
    width: f32,
}

enum Item<'a> {
    Line(Line),
    Image {
        image: &'a PngImage,
        width: f32,
        height: f32,
    },
    Gap(f32),
}

/// A column of text lines, images and gaps, drawn top to bottom inside [`PADDING`].
struct Stack<'a> {
    items: Vec<Item<'a>>,
    align: TextAlign,
    images: usize,
}

impl<'a> Stack<'a> {
    fn new(align: TextAlign) -> Self {
        Self {
            items: Vec::new(),
            align,
            images: 0,
        }
    }

    /// Normalises, checks, wraps and measures one field's text.
    fn text_block(
        fonts: &FontFamily,
        weight: Weight,
        field: &'static str,
        text: &str,
        max_width: f32,
    ) -> Result<Vec<Line>, AppearanceError> {
        let text = normalise(text);
        let chars = text.chars().count();
        if chars > MAX_FIELD_CHARS {
            return Err(AppearanceError::TextTooLong {
                field,
                chars,
                limit: MAX_FIELD_CHARS,
            });
        }
        let face = fonts.face(weight);
        let mut measure = |line: &str| face.text_width(line, FONT_SIZE);
        let lines = wrap(&text, max_width, &mut measure)?;
        lines
            .into_iter()
            .map(|text| {
                let width = face.text_width(&text, FONT_SIZE)?;
                Ok(Line {
                    text,
                    weight,
                    width,
                })
            })
            .collect()
    }

    fn text(
        &mut self,
        fonts: &FontFamily,
        weight: Weight,
        field: &'static str,
        text: &str,
        max_width: f32,
    ) -> Result<(), AppearanceError> {
        let lines = Self::text_block(fonts, weight, field, text, max_width)?;
        self.lines(lines);
        Ok(())
    }

    fn lines(&mut self, lines: Vec<Line>) {
        self.items.extend(lines.into_iter().map(Item::Line));
    }

    /// Adds an image and returns its index among the stack's images.
    fn image(&mut self, image: &'a PngImage, width: f32, height: f32) -> usize {
        self.items.push(Item::Image {
            image,
            width,
            height,
        });
        self.images += 1;
        self.images - 1
    }

    fn gap(&mut self, height: f32) {
        self.items.push(Item::Gap(height));
    }

    fn gap_if_not_empty(&mut self, height: f32) {
        if !self.items.is_empty() {
            self.gap(height);
        }
    }

    fn content_width(&self) -> f32 {
        self.items
            .iter()
            .map(|item| match item {
                Item::Line(line) => line.width,
                Item::Image { width, .. } => *width,
                Item::Gap(_) => 0.0,
            })
            .fold(0.0, f32::max)
    }

    fn content_height(&self) -> f32 {
        self.items
            .iter()
            .map(|item| match item {
                Item::Line(_) => LINE_HEIGHT,
                Item::Image { height, .. } => *height,
                Item::Gap(height) => *height,
            })
            .sum()
    }

    /// Draws the column; returns the appearance and each image's rectangle, in order.
    fn draw(self, fonts: &FontFamily) -> Result<(Appearance, Vec<Rect>), AppearanceError> {
        let inner_width = self.content_width();
        let width = inner_width + 2.0 * PADDING;
        let height = self.content_height() + 2.0 * PADDING;
        let baseline_below_top = baseline_below_line_top(fonts)?;
        let mut canvas = Canvas::new(fonts);
        let mut image_rects = Vec::new();
        let mut top = height - PADDING;
        for item in self.items {
            match item {
                Item::Line(line) => {
                    let x = PADDING + aligned_offset(self.align, inner_width, line.width);
                    let baseline = top - baseline_below_top;
                    canvas.text(line.weight, FONT_SIZE, x, baseline, &line.text)?;
                    top -= LINE_HEIGHT;
                }
                Item::Image {
                    image,
                    width: image_width,
                    height: image_height,
                } => {
                    let x = PADDING + aligned_offset(TextAlign::Center, inner_width, image_width);
                    let rect = Rect::new(x, top - image_height, image_width, image_height);
                    canvas.image(image, rect)?;
                    image_rects.push(rect);
                    top -= image_height;
                }
                Item::Gap(gap) => top -= gap,
            }
        }
        Ok((canvas.finish(width, height)?, image_rects))
    }
}

fn aligned_offset(align: TextAlign, available: f32, used: f32) -> f32 {
    match align {
        TextAlign::Left => 0.0,
        TextAlign::Center => (available - used) / 2.0,
        TextAlign::Right => available - used,
    }
}

/// Where the baseline sits below the top of a [`LINE_HEIGHT`] line: the font's ascent-to-descent
/// box centred in the line.
fn baseline_below_line_top(fonts: &FontFamily) -> Result<f32, AppearanceError> {
    let (ascent, descent) = fonts.face(Weight::Regular).vertical_metrics()?;
    let ascent = ascent * FONT_SIZE / 1000.0;
    let descent = descent * FONT_SIZE / 1000.0;
    let box_height = ascent - descent;
    Ok((LINE_HEIGHT - box_height) / 2.0 + ascent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn signing_time_is_iso_8601_in_vietnam_time() {
        assert_eq!(
            format_signing_time(datetime!(2024-03-09 03:08:00 UTC)),
            "2024-03-09T10:08:00+07:00"
        );
        assert_eq!(
            format_signing_time(datetime!(2024-12-31 20:30:05 UTC)),
            "2025-01-01T03:30:05+07:00"
        );
        assert_eq!(
            format_signing_time(datetime!(2024-03-09 10:08:00 +7)),
            "2024-03-09T10:08:00+07:00"
        );
    }

    #[test]
    fn agency_widget_puts_the_seal_over_the_left_third_of_the_image() {
        let layout = AgencyLayout {
            appearance: Appearance {
                width: 120.0,
                height: 140.0,
                content: Vec::new(),
                fonts: Vec::new(),
                images: Vec::new(),
            },
            seal_rect: Rect::new(9.0, 36.0, 102.0, 102.0),
        };
        let image = Rect::new(300.0, 200.0, 90.0, 42.0);
        let widget = agency_widget_rect(image, &layout);
        let seal_on_page = layout.seal_rect.offset(widget.x, widget.y);
        assert!((seal_on_page.x + seal_on_page.width - 330.0).abs() < 1e-3);
        let seal_centre = seal_on_page.y + seal_on_page.height / 2.0;
        assert!((seal_centre - 221.0).abs() < 1e-3);
        assert_eq!((widget.width, widget.height), (120.0, 140.0));
    }

    #[test]
    fn top_right_rect_keeps_the_margin_from_both_edges() {
        let a4 = Rect::new(0.0, 0.0, 595.0, 842.0);
        let rect = top_right_rect(a4, 150.0, 40.0, 14.0);
        assert_eq!(rect, Rect::new(431.0, 788.0, 150.0, 40.0));
        let cropped = Rect::new(10.0, 20.0, 500.0, 700.0);
        let rect = top_right_rect(cropped, 100.0, 30.0, 5.0);
        assert_eq!(rect.to_pdf_array(), [405.0, 685.0, 505.0, 715.0]);
    }

    #[test]
    fn sizes_outside_their_range_are_refused() {
        assert!(checked("w", f32::NAN, 1.0, 2.0).is_err());
        assert!(checked("w", f32::INFINITY, 1.0, 2.0).is_err());
        assert!(checked("w", 0.5, 1.0, 2.0).is_err());
        assert_eq!(checked("w", 1.5, 1.0, 2.0).ok(), Some(1.5));
    }

    #[test]
    fn copy_and_attachment_stamps_carry_what_appendix_i_lists() {
        let at = datetime!(2024-03-09 03:08:00 UTC);
        assert_eq!(
            CornerStamp::attachment("15/KH-VKS", at).lines(),
            ["15/KH-VKS", "2024-03-09T10:08:00+07:00"]
        );
        assert_eq!(
            CornerStamp::copy("SAO Y", "Văn phòng", at).lines(),
            ["SAO Y", "Văn phòng", "2024-03-09T10:08:00+07:00"]
        );
    }
}
