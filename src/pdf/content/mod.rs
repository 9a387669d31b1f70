//! Finding text on a PDF page: content streams interpreted for their text, fonts read back to
//! Unicode, glyphs placed in default user space and gathered into lines that can be searched.
//! The signer uses it to place a signature by a text anchor such as the signer's name.
//!
//! ```text
//! page /Contents (one stream or an array, concatenated) ─▶ operations ─▶ interpreter
//!   (q Q cm · BT ET · Tf Tc Tw Tz TL Ts gs · Tm Td TD T* · Tj TJ ' " · Do into forms; BI…EI skipped)
//!   ─▶ glyphs: text (ToUnicode, encodings, glyph names) + box (widths, ascent/descent, CTM × Tm)
//!   ─▶ lines by geometry ─▶ NFC, white-space-free matching ─▶ TextHit rectangles
//! ```
//!
//! # Spaces
//! [`TextHit::rect`] and [`TextLine::rect`] are in the page's **default user space** (points,
//! before `/Rotate`): the space of annotation and widget `/Rect`s, so a signer can place a
//! widget next to a hit directly. [`displayed_rect`] maps such a rectangle onto the page as a
//! viewer shows it (after `/Rotate`, origin at the lower left of the visible box), where "above"
//! and "to the right" mean what a reader sees; [`user_space_rect`] maps back. Hits come in
//! reading order of the displayed page: top to bottom, then left to right.
//!
//! # Matching
//! The needle and the page text are NFC-normalised; white space is ignored on both sides (words
//! split over several `Tj`/`TJ` operators, text objects or `Td` moves still match when they are on
//! one line); the comparison is case-sensitive and on whole words by default ([`FindOptions`]).
//! Text is matched within one line, never across lines.
//!
//! # What is read
//! Page content and the form XObjects it draws (nested up to [`ContentLimits::max_form_depth`]).
//! Not read: annotation appearances (an existing signature's text is not an anchor), Type3 glyph
//! procedures, `/ActualText`, text in patterns. Invisible text (render mode 3, the text layer of
//! scanned documents) is found like any other. Fonts: see the `font` submodule's notes.
//!
//! # Bounds
//! [`ContentLimits`] bounds operators, decoded bytes (forms drawn repeatedly count each time),
//! form nesting, `q` nesting, operands, glyphs and CMap sizes; hitting a bound, a lexical error
//! in a content stream or an unreadable object is a [`ContentError`], never a panic.

mod cmap;
mod error;
mod font;
mod interpret;
mod layout;
mod matrix;
mod operations;
mod search;

use unicode_normalization::UnicodeNormalization;

use crate::pdf::{Dictionary, Document, Object, Page, Rect, View};

pub use error::{ContentError, ContentLimit, ContentLimits};

use interpret::{Glyph, Interpreter};
use search::{LineText, Matching};

/// Where a needle was found.
#[derive(Debug, Clone, PartialEq)]
pub struct TextHit {
    /// 0-based page index (as given).
    pub page: usize,
    /// The box around the matched glyphs in default user space (points): from their descent to
    /// their ascent, from the first glyph's start to the last one's advance.
    pub rect: Rect,
}

/// How [`find_text_with`] compares and how much work it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindOptions {
    /// Letters must match in case (default `true`).
    pub case_sensitive: bool,
    /// The match must not continue a word on either side (default `true`): "Văn A" is not found
    /// in "Văn An".
    pub whole_words: bool,
    pub limits: ContentLimits,
}

impl Default for FindOptions {
    fn default() -> Self {
        FindOptions {
            case_sensitive: true,
            whole_words: true,
            limits: ContentLimits::default(),
        }
    }
}

/// One line of a page's text (lines of white space only are left out).
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    /// NFC text, with a space wherever the glyphs leave a gap, trimmed.
    pub text: String,
    /// The box around the line's visible glyphs in default user space.
    pub rect: Rect,
}

/// Every place `needle` appears on page `page_index` (0-based) of the document's latest revision,
/// in reading order, with the default [`FindOptions`].
pub fn find_text(
    document: &Document,
    page_index: usize,
    needle: &str,
) -> Result<Vec<TextHit>, ContentError> {
    find_text_with(document, page_index, needle, &FindOptions::default())
}

/// [`find_text`] with explicit options.
pub fn find_text_with(
    document: &Document,
    page_index: usize,
    needle: &str,
    options: &FindOptions,
) -> Result<Vec<TextHit>, ContentError> {
    let matching = Matching {
        case_sensitive: options.case_sensitive,
        whole_words: options.whole_words,
    };
    let needle = search::prepare_needle(needle, matching);
    if needle.is_empty() {
        return Err(ContentError::EmptyNeedle);
    }
    let (page, glyphs) = page_glyphs(document, page_index, &options.limits)?;
    let mut hits: Vec<Rect> = Vec::new();
    for line in layout::lines(&glyphs) {
        let text = LineText::new(&line, &glyphs);
        for (_, rect) in text.find(&needle, matching, &glyphs) {
            // The same text drawn twice at (nearly) the same place is one hit.
            if !hits.iter().any(|seen| mostly_overlap(seen, &rect)) {
                hits.push(rect);
            }
        }
    }
    sort_for_reading(&page, &mut hits, |rect| *rect);
    Ok(hits
        .into_iter()
        .map(|rect| TextHit {
            page: page_index,
            rect,
        })
        .collect())
}

/// The lines of text on page `page_index` (0-based) of the latest revision, in reading order.
pub fn page_text(
    document: &Document,
    page_index: usize,
    limits: &ContentLimits,
) -> Result<Vec<TextLine>, ContentError> {
    let (page, glyphs) = page_glyphs(document, page_index, limits)?;
    let mut lines: Vec<TextLine> = layout::lines(&glyphs)
        .iter()
        .filter_map(|line| {
            let text = LineText::new(line, &glyphs);
            Some(TextLine {
                text: text.text().nfc().collect(),
                rect: text.bounds(&glyphs)?,
            })
        })
        .collect();
    sort_for_reading(&page, &mut lines, |line| line.rect);
    Ok(lines)
}

/// `rect` (default user space) on the page as displayed: `/Rotate` applied (clockwise, as viewers
/// turn the page), origin at the lower left of the visible box (crop box, else media box).
pub fn displayed_rect(page: &Page, rect: Rect) -> Rect {
    let visible = page.visible_box();
    let (x1, y1) = displayed_point(page.rotate, &visible, rect.llx, rect.lly);
    let (x2, y2) = displayed_point(page.rotate, &visible, rect.urx, rect.ury);
    Rect::new(x1, y1, x2, y2)
}

/// The inverse of [`displayed_rect`]: a rectangle on the displayed page in default user space.
pub fn user_space_rect(page: &Page, displayed: Rect) -> Rect {
    let visible = page.visible_box();
    let (x1, y1) = user_space_point(page.rotate, &visible, displayed.llx, displayed.lly);
    let (x2, y2) = user_space_point(page.rotate, &visible, displayed.urx, displayed.ury);
    Rect::new(x1, y1, x2, y2)
}

fn displayed_point(rotate: i64, visible: &Rect, x: f64, y: f64) -> (f64, f64) {
    match rotate {
        90 => (y - visible.lly, visible.urx - x),
        180 => (visible.urx - x, visible.ury - y),
        270 => (visible.ury - y, x - visible.llx),
        _ => (x - visible.llx, y - visible.lly),
    }
}

fn user_space_point(rotate: i64, visible: &Rect, x: f64, y: f64) -> (f64, f64) {
    match rotate {
        90 => (visible.urx - y, x + visible.lly),
        180 => (visible.urx - x, visible.ury - y),
        270 => (y + visible.llx, visible.ury - x),
        _ => (x + visible.llx, y + visible.lly),
    }
}

/// Top to bottom, then left to right, on the displayed page.
fn sort_for_reading<T>(page: &Page, items: &mut [T], rect_of: impl Fn(&T) -> Rect) {
    items.sort_by(|a, b| {
        let (a, b) = (
            displayed_rect(page, rect_of(a)),
            displayed_rect(page, rect_of(b)),
        );
        b.ury.total_cmp(&a.ury).then(a.llx.total_cmp(&b.llx))
    });
}

/// Whether two boxes overlap over more than half of the smaller one.
fn mostly_overlap(a: &Rect, b: &Rect) -> bool {
    let width = a.urx.min(b.urx) - a.llx.max(b.llx);
    let height = a.ury.min(b.ury) - a.lly.max(b.lly);
    if width <= 0.0 || height <= 0.0 {
        return false;
    }
    let smaller = (a.width() * a.height()).min(b.width() * b.height());
    width * height > 0.5 * smaller
}

/// The page and every glyph its content shows.
fn page_glyphs(
    document: &Document,
    page_index: usize,
    limits: &ContentLimits,
) -> Result<(Page, Vec<Glyph>), ContentError> {
    let view = document.latest();
    let context = format!("page {}", page_index + 1);
    let pages = view.pages().map_err(ContentError::pdf("the page tree"))?;
    let count = pages.len();
    let page = pages
        .into_iter()
        .nth(page_index)
        .ok_or(ContentError::PageOutOfRange {
            number: page_index + 1,
            count,
        })?;
    let resources = match &page.resources {
        Some(resources) => match view
            .resolve(resources)
            .map_err(ContentError::pdf(&context))?
        {
            Object::Dictionary(dict) => dict,
            _ => Dictionary::new(),
        },
        None => Dictionary::new(),
    };
    let mut interpreter = Interpreter::new(view, limits.clone());
    let content = page_content(view, &page, &context, &mut interpreter)?;
    interpreter.run_page(&content, &resources, &format!("content of {context}"))?;
    Ok((page, interpreter.into_glyphs()))
}

/// The page's content streams decoded and joined (§7.8.2: the division between streams falls
/// between tokens, so a line break between them changes nothing).
fn page_content(
    view: View<'_>,
    page: &Page,
    context: &str,
    interpreter: &mut Interpreter<'_>,
) -> Result<Vec<u8>, ContentError> {
    let contents = view
        .resolve_key(&page.dict, b"Contents")
        .map_err(ContentError::pdf(context))?;
    let parts = match contents {
        Object::Array(items) => items,
        Object::Null => Vec::new(),
        single => vec![single],
    };
    let mut content = Vec::new();
    for part in &parts {
        let Object::Stream(stream) = view.resolve(part).map_err(ContentError::pdf(context))? else {
            continue;
        };
        let decoded = view
            .decode_stream(&stream)
            .map_err(ContentError::pdf(format!("content of {context}")))?;
        interpreter.charge_bytes(decoded.data.len(), context)?;
        content.extend_from_slice(&decoded.data);
        content.push(b'\n');
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(rotate: i64) -> Page {
        Page {
            index: 0,
            id: crate::pdf::ObjectId::new(1, 0),
            dict: Dictionary::new(),
            resources: None,
            media_box: Some(Rect::new(0.0, 0.0, 600.0, 800.0)),
            crop_box: None,
            rotate,
        }
    }

    #[test]
    fn displayed_and_user_space_are_inverse() {
        let rect = Rect::new(100.0, 700.0, 200.0, 720.0);
        for rotate in [0, 90, 180, 270] {
            let page = page(rotate);
            let shown = displayed_rect(&page, rect);
            assert_eq!(user_space_rect(&page, shown), rect, "rotate {rotate}");
        }
    }

    #[test]
    fn rotation_is_clockwise() {
        // Near the user-space top left corner.
        let rect = Rect::new(0.0, 780.0, 10.0, 800.0);
        // Turned clockwise by 90°, the top left corner goes to the top right.
        assert_eq!(
            displayed_rect(&page(90), rect),
            Rect::new(780.0, 590.0, 800.0, 600.0)
        );
        assert_eq!(
            displayed_rect(&page(270), rect),
            Rect::new(0.0, 0.0, 20.0, 10.0)
        );
    }

    #[test]
    fn overlap_test() {
        let a = Rect::new(0.0, 0.0, 10.0, 10.0);
        assert!(mostly_overlap(&a, &Rect::new(1.0, 1.0, 11.0, 11.0)));
        assert!(!mostly_overlap(&a, &Rect::new(8.0, 0.0, 18.0, 10.0)));
    }
}
