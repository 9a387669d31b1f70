//! The canvas an appearance is drawn on: writes content-stream operators (text in black, images
//! scaled into rectangles) and gathers the glyph subsets and images those operators name.

use std::fmt::Write as _;

use super::embed::GlyphSubset;
use super::font::{FontError, FontFamily, Weight};
use super::image::PngImage;
use super::{Appearance, AppearanceError, EmbeddedImage, Rect};

/// Resource names: fixed per weight so that every appearance reads the same way.
const REGULAR_FONT_NAME: &str = "F1";
const BOLD_FONT_NAME: &str = "F2";

pub(crate) struct Canvas<'f> {
    regular: GlyphSubset<'f>,
    bold: GlyphSubset<'f>,
    images: Vec<EmbeddedImage>,
    operators: String,
}

impl<'f> Canvas<'f> {
    pub(crate) fn new(fonts: &'f FontFamily) -> Self {
        Self {
            regular: GlyphSubset::new(fonts.face(Weight::Regular)),
            bold: GlyphSubset::new(fonts.face(Weight::Bold)),
            images: Vec::new(),
            // Everything is drawn inside one saved graphics state, in black (Appendix I: "màu đen").
            operators: String::from("q\n0 g\n"),
        }
    }

    /// Shows `text` with its left end at `x` and its baseline at `baseline`, in upright type.
    pub(crate) fn text(
        &mut self,
        weight: Weight,
        size: f32,
        x: f32,
        baseline: f32,
        text: &str,
    ) -> Result<(), FontError> {
        let (subset, name) = match weight {
            Weight::Regular => (&mut self.regular, REGULAR_FONT_NAME),
            Weight::Bold => (&mut self.bold, BOLD_FONT_NAME),
        };
        let codes = subset.encode(text)?;
        let hex = codes.iter().fold(String::new(), |mut hex, byte| {
            let _ = write!(hex, "{byte:02X}");
            hex
        });
        let _ = writeln!(
            self.operators,
            "BT /{name} {} Tf 1 0 0 1 {} {} Tm <{hex}> Tj ET",
            number(size),
            number(x),
            number(baseline),
        );
        Ok(())
    }

    /// Paints `image` scaled to fill `rect` (the caller keeps the aspect ratio).
    pub(crate) fn image(&mut self, image: &PngImage, rect: Rect) -> Result<(), AppearanceError> {
        let name = format!("Im{}", self.images.len() + 1);
        self.images.push(image.embed(&name)?);
        let _ = writeln!(
            self.operators,
            "q {} 0 0 {} {} {} cm /{name} Do Q",
            number(rect.width),
            number(rect.height),
            number(rect.x),
            number(rect.y),
        );
        Ok(())
    }

    /// Closes the content stream and cuts the font subsets that were used.
    pub(crate) fn finish(mut self, width: f32, height: f32) -> Result<Appearance, FontError> {
        self.operators.push_str("Q\n");
        let mut fonts = Vec::new();
        for (subset, name) in [
            (self.regular, REGULAR_FONT_NAME),
            (self.bold, BOLD_FONT_NAME),
        ] {
            if subset.is_used() {
                fonts.push(subset.into_embedded(name)?);
            }
        }
        Ok(Appearance {
            width,
            height,
            content: self.operators.into_bytes(),
            fonts,
            images: self.images,
        })
    }
}

/// A number as a content stream writes it: at most three decimals, no trailing zeros, no `-0`.
pub(crate) fn number(value: f32) -> String {
    let rounded = (value * 1000.0).round() / 1000.0;
    if rounded == 0.0 || !rounded.is_finite() {
        return "0".to_owned();
    }
    let text = format!("{rounded:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_are_short_and_never_negative_zero() {
        assert_eq!(number(10.0), "10");
        assert_eq!(number(12.3456), "12.346");
        assert_eq!(number(-0.0001), "0");
        assert_eq!(number(-3.5), "-3.5");
        assert_eq!(number(f32::NAN), "0");
    }
}
