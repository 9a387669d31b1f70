//! Comparing a rendered page with a golden image, and reading pixels of a rendering: shared by the
//! appearance tests and the signing tests (which render pages signed by the real signer).
//!
//! Tolerance: the rendering must have the golden's size; a pixel counts as different when
//! any channel differs by more than [`CHANNEL_TOLERANCE`] (antialiasing and hinting differences
//! between poppler/FreeType versions move edge pixels by less than that), and at most
//! [`DIFFERENT_PIXELS_TOLERANCE`] of all pixels may differ. The goldens were drawn with Debian's
//! `fonts-liberation2` (Liberation Serif 2.1) and poppler 22; with another font the comparison is
//! skipped (geometry and text checks still run). `VANTHU_BLESS_GOLDEN=1` rewrites the goldens.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use vanthu::pdf::appearance::{FontFamily, Rect, Weight};

use crate::common;

pub const CHANNEL_TOLERANCE: u8 = 48;
pub const DIFFERENT_PIXELS_TOLERANCE: f64 = 0.005;
pub const DPI: f32 = 100.0;

/// An RGB raster read from a PNG.
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Raster {
    pub fn read(path: &Path) -> Raster {
        let file = std::fs::File::open(path).expect("open PNG");
        let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().expect("PNG header");
        let mut buffer = vec![0; reader.output_buffer_size()];
        let frame = reader.next_frame(&mut buffer).expect("PNG data");
        buffer.truncate(frame.buffer_size());
        let rgb = match frame.color_type {
            png::ColorType::Rgb => buffer,
            png::ColorType::Rgba => buffer
                .chunks_exact(4)
                .flat_map(|pixel| [pixel[0], pixel[1], pixel[2]])
                .collect(),
            png::ColorType::Grayscale => buffer.iter().flat_map(|grey| [*grey; 3]).collect(),
            other => panic!("unexpected colour type {other:?} in {}", path.display()),
        };
        Raster {
            width: frame.width,
            height: frame.height,
            rgb,
        }
    }

    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let index = ((y * self.width + x) * 3) as usize;
        [self.rgb[index], self.rgb[index + 1], self.rgb[index + 2]]
    }

    /// Pixels inside a page rectangle (points, origin lower left) that satisfy `test`.
    pub fn count_in(&self, page_height: f32, area: Rect, test: impl Fn([u8; 3]) -> bool) -> usize {
        let (left, right) = (to_px(area.x), to_px(area.x + area.width));
        let (top, bottom) = (
            to_px(page_height - area.y - area.height),
            to_px(page_height - area.y),
        );
        let mut count = 0;
        for y in top.max(0)..bottom.min(self.height as i64) {
            for x in left.max(0)..right.min(self.width as i64) {
                if test(self.pixel(x as u32, y as u32)) {
                    count += 1;
                }
            }
        }
        count
    }

    /// The bounding box, in pixels (left, top, right, bottom), of the pixels satisfying `test`.
    pub fn bounds_of(&self, test: impl Fn([u8; 3]) -> bool) -> Option<(u32, u32, u32, u32)> {
        let mut bounds: Option<(u32, u32, u32, u32)> = None;
        for y in 0..self.height {
            for x in 0..self.width {
                if test(self.pixel(x, y)) {
                    bounds = Some(match bounds {
                        None => (x, y, x, y),
                        Some((l, t, r, b)) => (l.min(x), t.min(y), r.max(x), b.max(y)),
                    });
                }
            }
        }
        bounds
    }
}

pub fn to_px(points: f32) -> i64 {
    (points * DPI / 72.0).round() as i64
}

pub fn is_red([r, g, b]: [u8; 3]) -> bool {
    r > 150 && g < 120 && b < 120
}

pub fn is_blue([r, g, b]: [u8; 3]) -> bool {
    b > 120 && r < 120 && g < 140
}

pub fn is_ink([r, g, b]: [u8; 3]) -> bool {
    u16::from(r) + u16::from(g) + u16::from(b) < 600
}

pub fn golden_dir() -> PathBuf {
    common::repo_dir().join("tests/golden")
}

/// Whether the loaded font is the one the goldens were drawn with.
pub fn goldens_apply(fonts: &FontFamily) -> bool {
    let origin = fonts.face(Weight::Regular).origin();
    let applies = origin.contains("/liberation2/");
    if !applies {
        eprintln!(
            "golden comparison skipped: the goldens were drawn with fonts-liberation2, not {origin}"
        );
    }
    common::require(
        "fonts-liberation2's Liberation Serif, the font the goldens were drawn with",
        applies.then_some(()),
    )
    .is_some()
}

/// Compares a rendering with `tests/golden/<name>.png` within the tolerance described above.
pub fn assert_matches_golden(actual: &Path, name: &str) {
    let golden = golden_dir().join(format!("{name}.png"));
    if std::env::var("VANTHU_BLESS_GOLDEN").is_ok_and(|value| value == "1") {
        std::fs::create_dir_all(golden_dir()).expect("golden dir");
        std::fs::copy(actual, &golden).expect("bless golden");
        eprintln!("golden rewritten: {}", golden.display());
        return;
    }
    assert!(
        golden.is_file(),
        "missing golden {}; run with VANTHU_BLESS_GOLDEN=1 and look at it",
        golden.display()
    );
    let (expected, rendered) = (Raster::read(&golden), Raster::read(actual));
    let kept = keep_for_inspection(actual, name);
    assert_eq!(
        (rendered.width, rendered.height),
        (expected.width, expected.height),
        "size differs from {} (rendering kept at {})",
        golden.display(),
        kept.display()
    );
    let (different, share) = difference(&expected, &rendered);
    assert!(
        share <= DIFFERENT_PIXELS_TOLERANCE,
        "{different} pixels ({:.3}%) differ from {} by more than {CHANNEL_TOLERANCE} (rendering kept at {})",
        share * 100.0,
        golden.display(),
        kept.display()
    );
}

/// The number and share of pixels that differ by more than the channel tolerance.
pub fn difference(expected: &Raster, rendered: &Raster) -> (usize, f64) {
    let different = expected
        .rgb
        .chunks_exact(3)
        .zip(rendered.rgb.chunks_exact(3))
        .filter(|(a, b)| {
            a.iter()
                .zip(b.iter())
                .any(|(x, y)| x.abs_diff(*y) > CHANNEL_TOLERANCE)
        })
        .count();
    (
        different,
        different as f64 / f64::from(expected.width * expected.height),
    )
}

/// Copies a rendering to the target's temporary folder so that a failure can be looked at.
pub fn keep_for_inspection(actual: &Path, name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("appearance");
    std::fs::create_dir_all(&dir).expect("inspection dir");
    let kept = dir.join(format!("{name}.png"));
    std::fs::copy(actual, &kept).expect("keep rendering");
    kept
}
