//! PNG signature and seal images: decoding any PNG (palette, grey, RGB, with or without alpha,
//! 1–16 bits, interlaced) into 8-bit RGB plus an optional 8-bit alpha channel, within size limits,
//! and describing it as an image XObject with a soft mask.

use std::io::Cursor;

/// Largest PNG file accepted, in bytes.
pub const MAX_PNG_BYTES: usize = 8 * 1024 * 1024;
/// Largest width or height accepted, in pixels (a 40 mm seal at 1200 dpi is about 1900 pixels).
pub const MAX_DIMENSION: u32 = 4096;
/// Largest number of pixels accepted (bounds the decoded buffer to 64 MiB of RGBA).
pub const MAX_PIXELS: u64 = 16 * 1024 * 1024;

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
const METRES_PER_INCH: f32 = 0.0254;

/// Why an image cannot be used. Messages are Vietnamese first, English second.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("tệp ảnh không phải PNG / the image is not a PNG file")]
    NotPng,
    #[error(
        "tệp ảnh quá lớn ({bytes} byte, tối đa {MAX_PNG_BYTES}) / the image file is too large \
         ({bytes} bytes, at most {MAX_PNG_BYTES})"
    )]
    FileTooLarge { bytes: usize },
    #[error(
        "ảnh quá lớn ({width}×{height} điểm ảnh, tối đa {MAX_DIMENSION} mỗi chiều và {MAX_PIXELS} \
         điểm ảnh) / the image is too large ({width}×{height} pixels, at most {MAX_DIMENSION} per \
         side and {MAX_PIXELS} pixels)"
    )]
    TooManyPixels { width: u32, height: u32 },
    #[error("ảnh PNG rỗng (0 điểm ảnh) / the PNG image is empty (0 pixels)")]
    Empty,
    #[error("ảnh PNG hỏng hoặc bị cắt cụt / the PNG image is damaged or truncated: {source}")]
    Decode { source: png::DecodingError },
    #[error("không nén được ảnh / cannot compress the image: {source}")]
    Compress { source: std::io::Error },
}

/// A decoded PNG, normalised to 8-bit RGB samples and an optional 8-bit alpha channel.
#[derive(Clone, PartialEq, Eq)]
pub struct PngImage {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
    alpha: Option<Vec<u8>>,
    pixels_per_metre: Option<(u32, u32)>,
}

/// Sizes only: the samples would flood logs and test failures.
impl std::fmt::Debug for PngImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PngImage")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("has_transparency", &self.alpha.is_some())
            .field("pixels_per_metre", &self.pixels_per_metre)
            .finish()
    }
}

impl PngImage {
    /// Decodes a PNG file's bytes. Anything that is not a complete, valid PNG within
    /// [`MAX_PNG_BYTES`], [`MAX_DIMENSION`] and [`MAX_PIXELS`] is an error.
    pub fn decode(bytes: &[u8]) -> Result<Self, ImageError> {
        if bytes.len() > MAX_PNG_BYTES {
            return Err(ImageError::FileTooLarge { bytes: bytes.len() });
        }
        if !bytes.starts_with(&PNG_SIGNATURE) {
            return Err(ImageError::NotPng);
        }
        let decode_error = |source| ImageError::Decode { source };
        let limits = png::Limits {
            bytes: (MAX_PIXELS as usize) * 8,
        };
        let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), limits);
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().map_err(decode_error)?;
        let info = reader.info();
        let (width, height) = (info.width, info.height);
        check_dimensions(width, height)?;
        let pixels_per_metre = info
            .pixel_dims
            .filter(|dims| dims.unit == png::Unit::Meter && dims.xppu > 0 && dims.yppu > 0)
            .map(|dims| (dims.xppu, dims.yppu));
        let mut buffer = vec![0; reader.output_buffer_size()];
        let frame = reader.next_frame(&mut buffer).map_err(decode_error)?;
        // Reading on to IEND refuses a file cut short after its image data.
        reader.finish().map_err(decode_error)?;
        buffer.truncate(frame.buffer_size());
        let (rgb, alpha) = split_channels(&buffer, frame.color_type);
        Ok(Self {
            width,
            height,
            rgb,
            alpha: alpha.filter(|alpha| alpha.iter().any(|value| *value != u8::MAX)),
            pixels_per_metre,
        })
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// Whether the image has any pixel that is not fully opaque.
    pub fn has_transparency(&self) -> bool {
        self.alpha.is_some()
    }

    /// The 8-bit RGB samples, row by row.
    pub fn rgb(&self) -> &[u8] {
        &self.rgb
    }

    /// The 8-bit alpha samples, when some pixel is not opaque.
    pub fn alpha(&self) -> Option<&[u8]> {
        self.alpha.as_deref()
    }

    /// The resolution in dots per inch (horizontal, vertical) from the `pHYs` chunk, if it gives
    /// one in metres.
    pub fn dpi(&self) -> Option<(f32, f32)> {
        self.pixels_per_metre
            .map(|(x, y)| (x as f32 * METRES_PER_INCH, y as f32 * METRES_PER_INCH))
    }

    /// The printed size in millimetres (width, height) that the `pHYs` resolution implies.
    pub fn physical_size_mm(&self) -> Option<(f32, f32)> {
        self.pixels_per_metre.map(|(x, y)| {
            (
                self.width as f32 / x as f32 * 1000.0,
                self.height as f32 / y as f32 * 1000.0,
            )
        })
    }

    /// Compresses the samples for embedding under `resource_name`.
    pub fn embed(&self, resource_name: &str) -> Result<EmbeddedImage, ImageError> {
        let compress_error = |source| ImageError::Compress { source };
        Ok(EmbeddedImage {
            resource_name: resource_name.to_owned(),
            width: self.width,
            height: self.height,
            rgb: super::deflate(&self.rgb).map_err(compress_error)?,
            alpha: self
                .alpha
                .as_deref()
                .map(super::deflate)
                .transpose()
                .map_err(compress_error)?,
        })
    }
}

/// An image ready to become, in the signer's hands:
///
/// ```text
/// image:  /Type /XObject /Subtype /Image /Width w /Height h /ColorSpace /DeviceRGB
///         /BitsPerComponent 8 /Filter /FlateDecode [/SMask mask]   stream: rgb
/// mask:   /Type /XObject /Subtype /Image /Width w /Height h /ColorSpace /DeviceGray
///         /BitsPerComponent 8 /Filter /FlateDecode                 stream: alpha
/// ```
#[derive(Clone)]
pub struct EmbeddedImage {
    /// The name under which `content` paints the image (`/Im1 Do`).
    pub resource_name: String,
    pub width: u32,
    pub height: u32,
    /// 8-bit RGB samples, zlib-compressed.
    pub rgb: Vec<u8>,
    /// 8-bit alpha samples for the `/SMask`, zlib-compressed; `None` when the image is opaque.
    pub alpha: Option<Vec<u8>>,
}

impl std::fmt::Debug for EmbeddedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedImage")
            .field("resource_name", &self.resource_name)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("rgb_bytes", &self.rgb.len())
            .field("alpha_bytes", &self.alpha.as_ref().map(Vec::len))
            .finish()
    }
}

impl EmbeddedImage {
    pub const BITS_PER_COMPONENT: u8 = 8;
    pub const COLOR_SPACE: &'static str = "DeviceRGB";
    pub const MASK_COLOR_SPACE: &'static str = "DeviceGray";
    pub const FILTER: &'static str = "FlateDecode";
}

fn check_dimensions(width: u32, height: u32) -> Result<(), ImageError> {
    if width == 0 || height == 0 {
        return Err(ImageError::Empty);
    }
    let pixels = u64::from(width) * u64::from(height);
    if width > MAX_DIMENSION || height > MAX_DIMENSION || pixels > MAX_PIXELS {
        return Err(ImageError::TooManyPixels { width, height });
    }
    Ok(())
}

/// Splits normalised 8-bit samples into RGB and alpha. After `normalize_to_color8` the colour type
/// is one of grey, grey+alpha, RGB, RGBA (palettes are expanded).
fn split_channels(samples: &[u8], color_type: png::ColorType) -> (Vec<u8>, Option<Vec<u8>>) {
    match color_type {
        png::ColorType::Grayscale | png::ColorType::Indexed => {
            (samples.iter().flat_map(|grey| [*grey; 3]).collect(), None)
        }
        png::ColorType::GrayscaleAlpha => (
            samples
                .chunks_exact(2)
                .flat_map(|pixel| [pixel[0]; 3])
                .collect(),
            Some(samples.chunks_exact(2).map(|pixel| pixel[1]).collect()),
        ),
        png::ColorType::Rgb => (samples.to_vec(), None),
        png::ColorType::Rgba => (
            samples
                .chunks_exact(4)
                .flat_map(|pixel| [pixel[0], pixel[1], pixel[2]])
                .collect(),
            Some(samples.chunks_exact(4).map(|pixel| pixel[3]).collect()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(
        width: u32,
        height: u32,
        color: png::ColorType,
        depth: png::BitDepth,
        data: &[u8],
        setup: impl FnOnce(&mut png::Encoder<'_, &mut Vec<u8>>),
    ) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, width, height);
            encoder.set_color(color);
            encoder.set_depth(depth);
            setup(&mut encoder);
            let mut writer = encoder.write_header().expect("header");
            writer.write_image_data(data).expect("data");
        }
        out
    }

    #[test]
    fn rgba_splits_into_rgb_and_alpha() {
        let png = encode(
            2,
            1,
            png::ColorType::Rgba,
            png::BitDepth::Eight,
            &[10, 20, 30, 0, 40, 50, 60, 255],
            |_| {},
        );
        let image = PngImage::decode(&png).expect("decode");
        assert_eq!((image.width(), image.height()), (2, 1));
        assert_eq!(image.rgb(), &[10, 20, 30, 40, 50, 60]);
        assert_eq!(image.alpha(), Some(&[0, 255][..]));
    }

    #[test]
    fn opaque_alpha_is_dropped() {
        let png = encode(
            1,
            1,
            png::ColorType::Rgba,
            png::BitDepth::Eight,
            &[1, 2, 3, 255],
            |_| {},
        );
        let image = PngImage::decode(&png).expect("decode");
        assert!(!image.has_transparency());
        assert_eq!(image.rgb(), &[1, 2, 3]);
    }

    #[test]
    fn palette_with_transparency_expands_to_rgb_and_alpha() {
        let png = encode(
            2,
            1,
            png::ColorType::Indexed,
            png::BitDepth::Eight,
            &[0, 1],
            |encoder| {
                encoder.set_palette(vec![255, 0, 0, 0, 0, 255]);
                encoder.set_trns(vec![0, 255]);
            },
        );
        let image = PngImage::decode(&png).expect("decode");
        assert_eq!(image.rgb(), &[255, 0, 0, 0, 0, 255]);
        assert_eq!(image.alpha(), Some(&[0, 255][..]));
    }

    #[test]
    fn sixteen_bit_grey_with_alpha_is_stripped_to_eight_bits() {
        let png = encode(
            1,
            1,
            png::ColorType::GrayscaleAlpha,
            png::BitDepth::Sixteen,
            &[0x80, 0x01, 0x40, 0x02],
            |_| {},
        );
        let image = PngImage::decode(&png).expect("decode");
        assert_eq!(image.rgb(), &[0x80, 0x80, 0x80]);
        assert_eq!(image.alpha(), Some(&[0x40][..]));
    }

    #[test]
    fn one_bit_grey_expands_to_eight_bit_rgb() {
        let png = encode(
            8,
            1,
            png::ColorType::Grayscale,
            png::BitDepth::One,
            &[0b1010_0000],
            |_| {},
        );
        let image = PngImage::decode(&png).expect("decode");
        assert_eq!(&image.rgb()[..6], &[255, 255, 255, 0, 0, 0]);
        assert_eq!(image.rgb().len(), 8 * 3);
    }

    #[test]
    fn phys_in_metres_gives_dpi_and_physical_size() {
        let png = encode(
            300,
            150,
            png::ColorType::Grayscale,
            png::BitDepth::Eight,
            &vec![0; 300 * 150],
            |encoder| {
                encoder.set_pixel_dims(Some(png::PixelDimensions {
                    xppu: 11811,
                    yppu: 11811,
                    unit: png::Unit::Meter,
                }))
            },
        );
        let image = PngImage::decode(&png).expect("decode");
        let (dpi, _) = image.dpi().expect("dpi");
        assert!((dpi - 300.0).abs() < 0.1, "{dpi}");
        let (width_mm, height_mm) = image.physical_size_mm().expect("size");
        assert!((width_mm - 25.4).abs() < 0.01, "{width_mm}");
        assert!((height_mm - 12.7).abs() < 0.01, "{height_mm}");
    }

    #[test]
    fn not_a_png_truncated_and_oversized_inputs_are_errors() {
        assert!(matches!(
            PngImage::decode(b"GIF89a...."),
            Err(ImageError::NotPng)
        ));
        assert!(matches!(PngImage::decode(b""), Err(ImageError::NotPng)));
        let png = encode(
            4,
            4,
            png::ColorType::Rgb,
            png::BitDepth::Eight,
            &[7; 48],
            |_| {},
        );
        for cut in [8, 20, 33, png.len() - 13] {
            assert!(
                matches!(
                    PngImage::decode(&png[..cut]),
                    Err(ImageError::Decode { .. })
                ),
                "cut at {cut}"
            );
        }
        assert!(matches!(
            PngImage::decode(&vec![0; MAX_PNG_BYTES + 1]),
            Err(ImageError::FileTooLarge { .. })
        ));
    }

    #[test]
    fn a_header_claiming_huge_dimensions_is_refused_before_decoding() {
        // A valid 1×1 PNG whose IHDR is rewritten to 20000×20000 (with a correct CRC).
        let mut png = encode(
            1,
            1,
            png::ColorType::Rgb,
            png::BitDepth::Eight,
            &[0; 3],
            |_| {},
        );
        png[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(
            PngImage::decode(&png),
            Err(ImageError::TooManyPixels {
                width: 20_000,
                height: 20_000
            })
        ));
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = u32::MAX;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
