//! Test inputs made by the tests: the font (from the system, or a skip), a blue signature scribble
//! and a red round seal as PNG files, and fixed signing data.

use time::OffsetDateTime;
use time::macros::datetime;
use vanthu::pdf::appearance::{FontFamily, PngImage};

use crate::common;

pub const POSITION: &str = "KT. VIỆN TRƯỞNG\nPHÓ VIỆN TRƯỞNG";
/// A placeholder in the Vietnamese form convention, not a real person.
pub const FULL_NAME: &str = "Nguyễn Văn A";
pub const AGENCY: &str = "VIỆN KIỂM SÁT NHÂN DÂN TỈNH THÁI NGUYÊN";
pub const SIGNED_AT: OffsetDateTime = datetime!(2024-03-09 03:08:00 UTC);
pub const SIGNED_AT_TEXT: &str = "2024-03-09T10:08:00+07:00";

/// Signature ink and seal ink.
pub const BLUE: [u8; 3] = [20, 50, 190];
pub const RED: [u8; 3] = [215, 25, 30];

/// The font family, or `None` (skipped with the reason; a failure under `CI=true`).
pub fn fonts() -> Option<FontFamily> {
    let located = FontFamily::locate(None);
    if let Err(error) = &located {
        eprintln!("{error}");
    }
    common::require(
        "a Times New Roman-compatible font with Vietnamese (apt-get install fonts-liberation2)",
        located.ok(),
    )
}

/// A small RGBA canvas.
pub struct Canvas {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl Canvas {
    pub fn transparent(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            rgba: vec![0; (width * height * 4) as usize],
        }
    }

    /// Lays `color` over the pixel with coverage `alpha` (0–1).
    pub fn blend(&mut self, x: i64, y: i64, color: [u8; 3], alpha: f32) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let index = ((y as u32 * self.width + x as u32) * 4) as usize;
        let pixel = &mut self.rgba[index..index + 4];
        let coverage = (alpha.clamp(0.0, 1.0) * 255.0).round() as u8;
        if coverage > pixel[3] {
            pixel[..3].copy_from_slice(&color);
            pixel[3] = coverage;
        }
    }

    /// A round brush of `radius` with a one-pixel soft edge.
    pub fn dab(&mut self, cx: f32, cy: f32, radius: f32, color: [u8; 3]) {
        let reach = radius.ceil() as i64 + 1;
        for dy in -reach..=reach {
            for dx in -reach..=reach {
                let (x, y) = (cx.round() as i64 + dx, cy.round() as i64 + dy);
                let distance = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                self.blend(x, y, color, radius + 0.5 - distance);
            }
        }
    }

    /// Encodes as an RGBA PNG, with a `pHYs` chunk when `dpi` is given.
    pub fn png(&self, dpi: Option<f32>) -> Vec<u8> {
        encode_png(self.width, self.height, &self.rgba, dpi)
    }
}

pub fn encode_png(width: u32, height: u32, rgba: &[u8], dpi: Option<f32>) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        if let Some(dpi) = dpi {
            let per_metre = (dpi / 0.0254).round() as u32;
            encoder.set_pixel_dims(Some(png::PixelDimensions {
                xppu: per_metre,
                yppu: per_metre,
                unit: png::Unit::Meter,
            }));
        }
        let mut writer = encoder.write_header().expect("png header");
        writer.write_image_data(rgba).expect("png data");
    }
    out
}

/// A blue handwritten-looking scribble on transparency, 360×120 pixels.
pub fn signature_png(dpi: Option<f32>) -> Vec<u8> {
    let mut canvas = Canvas::transparent(360, 120);
    // A looping stroke left to right, then an underline flourish.
    let steps = 1400;
    for step in 0..=steps {
        let t = step as f32 / steps as f32;
        let x = 25.0 + 300.0 * t + 18.0 * (t * 40.0).cos();
        let y = 62.0 - 28.0 * (t * 40.0).sin() * (1.0 - 0.5 * t) - 10.0 * (t * 6.0).sin();
        canvas.dab(x, y, 2.6, BLUE);
    }
    for step in 0..=600 {
        let t = step as f32 / 600.0;
        let x = 40.0 + 290.0 * t;
        let y = 98.0 - 12.0 * (t * 3.1).sin();
        canvas.dab(x, y, 2.0, BLUE);
    }
    canvas.png(dpi)
}

/// A red round seal on transparency: two rings, a ring of letter-like marks between them and a star
/// in the middle. 425 pixels across, which is 36 mm at 300 dpi.
pub fn seal_png(dpi: Option<f32>) -> Vec<u8> {
    let size = 425u32;
    let centre = size as f32 / 2.0;
    let mut canvas = Canvas::transparent(size, size);
    for y in 0..size {
        for x in 0..size {
            let (dx, dy) = (x as f32 + 0.5 - centre, y as f32 + 0.5 - centre);
            let radius = (dx * dx + dy * dy).sqrt();
            let angle = dy.atan2(dx).to_degrees().rem_euclid(360.0);
            let ring = band(radius, 199.0, 209.0).max(band(radius, 140.0, 145.0));
            let marks = letter_mark(radius, angle);
            let star = if in_star(dx, dy, 48.0, 20.0) {
                1.0
            } else {
                0.0
            };
            let coverage = ring.max(marks).max(star);
            if coverage > 0.0 {
                canvas.blend(i64::from(x), i64::from(y), RED, coverage);
            }
        }
    }
    canvas.png(dpi)
}

/// Coverage of a ring between `inner` and `outer` radii, soft by one pixel.
fn band(radius: f32, inner: f32, outer: f32) -> f32 {
    (radius - inner + 0.5)
        .min(outer - radius + 0.5)
        .clamp(0.0, 1.0)
}

/// "Letters" around the seal: each 10° sector (except a gap at the bottom) holds a radial stroke
/// and, every other sector, a short tangential bar, like capitals along the rim.
fn letter_mark(radius: f32, angle: f32) -> f32 {
    if !(160.0..=190.0).contains(&radius) || (60.0..120.0).contains(&angle) {
        return 0.0;
    }
    let sector = (angle / 10.0).floor();
    let within = angle - sector * 10.0;
    let stem = within > 3.0 && within < 4.6;
    let bar =
        sector as i32 % 2 == 0 && within > 3.0 && within < 7.5 && (174.0..178.0).contains(&radius);
    if stem || bar { 1.0 } else { 0.0 }
}

/// A five-pointed star with the given outer and inner radii, point up.
fn in_star(x: f32, y: f32, outer: f32, inner: f32) -> bool {
    let vertices: Vec<(f32, f32)> = (0..10)
        .map(|index| {
            let radius = if index % 2 == 0 { outer } else { inner };
            let angle = (-90.0 + 36.0 * index as f32).to_radians();
            (radius * angle.cos(), radius * angle.sin())
        })
        .collect();
    // Even-odd point in polygon.
    let mut inside = false;
    let mut previous = vertices[vertices.len() - 1];
    for &current in &vertices {
        let crosses = (current.1 > y) != (previous.1 > y)
            && x < (previous.0 - current.0) * (y - current.1) / (previous.1 - current.1)
                + current.0;
        if crosses {
            inside = !inside;
        }
        previous = current;
    }
    inside
}

pub fn decode(png: &[u8]) -> PngImage {
    PngImage::decode(png).expect("fixture PNG decodes")
}
