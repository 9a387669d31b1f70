//! Signature appearances of Decree 30/2020/NĐ-CP: the pictures a signature widget shows, as plain
//! Rust values (a content stream, the fonts and the images it names) that the signer turns into PDF
//! objects. This module owns fonts (finding, measuring, subsetting, ToUnicode), PNG images and the
//! layouts; it knows nothing of the PDF object model, CMS or I/O beyond reading font files.
//!
//! # What Appendix I of Decree 30/2020/NĐ-CP requires
//!
//! Appendix I ("Thể thức, kỹ thuật trình bày văn bản hành chính và bản sao văn bản"), Part I,
//! Section II (the main components of an administrative document):
//!
//! - **Item 7c — the competent person's digital signature** ("chữ ký số của người có thẩm
//!   quyền"): the image is the person's handwritten signature, *blue*, PNG with a *transparent*
//!   background, *centred between the signer's position and full name* ("đặt canh giữa chức vụ
//!   của người ký và họ và tên người ký"), at the place where the paper document is signed. The
//!   position ("quyền hạn, chức vụ") and the full name are set upright and bold. See
//!   [`layout::personal`].
//! - **Item 8b — the agency's digital signature** ("chữ ký số của cơ quan, tổ chức"): the image
//!   is the issuing agency's seal, *red*, *at the seal's real size*, PNG with a transparent
//!   background, *covering about one third of the person's signature image, on its left*
//!   ("trùm lên khoảng 1/3 hình ảnh chữ ký số của người có thẩm quyền về phía bên trái"). The
//!   information shown is the agency's name and the signing time — date, hours, minutes, seconds
//!   and the Vietnam time zone in ISO 8601 (`2024-03-09T10:08:00+07:00`) — in Times New Roman,
//!   lower case, upright, size 10, black. See [`layout::agency`] and
//!   [`layout::agency_widget_rect`].
//! - **Item 8c — documents attached to the main document** ("văn bản kèm theo"): when they are in
//!   the same file, only the main document is signed; when they are a separate file, the clerk
//!   applies the agency signature *at the top right of the attachment's first page*, *with no
//!   image*, showing the main document's number and symbol and the signing time in the same
//!   type (size 10, upright, black). See [`layout::CornerStamp::attachment`].
//!
//! Part II (electronic copies, "bản sao sang định dạng điện tử") places the copying agency's
//! signature the same way — top right of page 1, no image — showing the form of copy ("SAO Y",
//! "SAO LỤC", "TRÍCH SAO"), the copying agency's name and the signing time. See
//! [`layout::CornerStamp::copy`] and [`layout::top_right_rect`].
//!
//! Article 33(1b) states the paper rule that these mirror: a seal stamped over a signature covers
//! about one third of the signature, on the left.
//!
//! # What the signer must do with these values
//!
//! - Draw an [`Appearance`] as the widget's normal appearance: a Form XObject with
//!   `/BBox [0 0 width height]`, the [`Appearance::content`] bytes as its stream, and
//!   `/Resources << /Font << name → Type0 font >> /XObject << name → image >> >>` built from
//!   [`Appearance::fonts`] and [`Appearance::images`] (each carries its resource name). The widget
//!   rectangle must have the appearance's size so that nothing is scaled.
//! - The personal and the agency signatures are two signatures and two widgets: the person signs
//!   first (widget from [`layout::personal`]), the clerk then adds the agency signature in a later
//!   incremental update (widget from [`layout::agency`], rectangle from
//!   [`layout::agency_widget_rect`], which puts the seal over the left third of the person's image).
//!   The agency widget must come after the personal one in the page's `/Annots` so that the seal is
//!   drawn on top.
//! - An attachment in a separate file, or an electronic copy, gets one agency signature whose widget
//!   is [`layout::corner_stamp`] at [`layout::top_right_rect`] of page 1.
//! - Fonts: see [`EmbeddedFont`] for the Type0 / CIDFontType2 / Identity-H objects; images: see
//!   [`EmbeddedImage`] for the image XObject and its `/SMask`.
//!
//! The typeface is a metric-compatible Times New Roman substitute found on the system (see
//! [`font`]); no font file is part of this repository.

pub mod embed;
pub mod font;
pub mod image;
pub mod layout;

mod cmap;
mod content;
mod text;

pub use embed::{EmbeddedFont, FontDescriptor, WidthRun};
pub use font::{FontError, FontFace, FontFamily, Weight};
pub use image::{EmbeddedImage, ImageError, PngImage};
pub use layout::{
    AgencyLayout, AgencySignature, CornerStamp, PersonalLayout, PersonalSignature, PrintSize,
    TextAlign, TextLine,
};

/// A finished appearance: everything a Form XObject needs, with resources named in `content`.
#[derive(Clone)]
pub struct Appearance {
    /// Width in points (the Form XObject's `/BBox` is `[0 0 width height]`).
    pub width: f32,
    /// Height in points.
    pub height: f32,
    /// The content stream's operators, uncompressed.
    pub content: Vec<u8>,
    /// The fonts `content` selects with `Tf`, each under its [`EmbeddedFont::resource_name`].
    pub fonts: Vec<EmbeddedFont>,
    /// The images `content` paints with `Do`, each under its [`EmbeddedImage::resource_name`].
    pub images: Vec<EmbeddedImage>,
}

/// The content stream shown as text (it is ASCII), the resources by their own `Debug`.
impl std::fmt::Debug for Appearance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Appearance")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("content", &String::from_utf8_lossy(&self.content))
            .field("fonts", &self.fonts)
            .field("images", &self.images)
            .finish()
    }
}

/// A rectangle in points, origin at the lower left (PDF user space).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Rect {
    pub fn new(x: f32, y: f32, width: f32, height: f32) -> Self {
        Self {
            x,
            y,
            width,
            height,
        }
    }

    /// The rectangle as PDF's `[llx lly urx ury]`.
    pub fn to_pdf_array(self) -> [f32; 4] {
        [self.x, self.y, self.x + self.width, self.y + self.height]
    }

    /// The same rectangle moved by `(dx, dy)`.
    pub fn offset(self, dx: f32, dy: f32) -> Self {
        Self::new(self.x + dx, self.y + dy, self.width, self.height)
    }
}

/// Why an appearance could not be made. Messages are Vietnamese first, English second.
#[derive(Debug, thiserror::Error)]
pub enum AppearanceError {
    #[error(transparent)]
    Font(#[from] FontError),
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(
        "nội dung \"{field}\" quá dài ({chars} ký tự, tối đa {limit}) / \
         the {field} text is too long ({chars} characters, at most {limit})"
    )]
    TextTooLong {
        field: &'static str,
        chars: usize,
        limit: usize,
    },
    #[error(
        "kích thước \"{what}\" không hợp lệ: {value} / invalid {what}: {value} \
         (expected a finite value between {min} and {max})"
    )]
    InvalidSize {
        what: &'static str,
        value: f32,
        min: f32,
        max: f32,
    },
}

/// Compresses a stream payload with zlib, as PDF's `/FlateDecode` expects. Writing into memory
/// does not fail in practice; the `io::Result` is kept so that no panic path exists.
pub(crate) fn deflate(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write as _;
    let mut encoder = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(bytes.len() / 2 + 64),
        flate2::Compression::default(),
    );
    encoder.write_all(bytes)?;
    encoder.finish()
}
