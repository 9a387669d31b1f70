//! Where a visible signature goes on the page: centred in the caller's rectangle, above a text
//! anchor, at the top right of page 1 for copies and attachments, or — for the agency seal — over
//! the left third of the personal signature's image, which is found in that signature's own
//! appearance stream.

use crate::pdf::appearance::layout::{self, AgencyLayout};
use crate::pdf::appearance::{Appearance, Rect as LayoutRect};
use crate::pdf::content::{self, TextHit};
use crate::pdf::{Document, Object, ObjectId, Rect, SignatureField, View};

use super::appearance::{CORNER_STAMP_MARGIN, widget_rect};
use super::error::PadesError;

/// Space between an anchor text and the appearance placed above it.
pub const ANCHOR_GAP: f32 = 2.0;
/// Tolerance when checking that an appearance fits the caller's rectangle.
const FIT_TOLERANCE: f32 = 0.5;
/// How deep nested forms are followed when looking for a signature image.
const MAX_FORM_DEPTH: usize = 3;
/// Longest appearance content stream examined for a signature image.
const MAX_APPEARANCE_CONTENT: usize = 256 * 1024;

/// A widget's page and rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WidgetPlace {
    pub page_index: usize,
    pub rect: Rect,
}

/// The appearance centred in `rect`; refused when it does not fit.
pub fn centred_in(
    page_index: usize,
    rect: Rect,
    appearance: &Appearance,
) -> Result<WidgetPlace, PadesError> {
    check_rect(rect)?;
    let (width, height) = (rect.width() as f32, rect.height() as f32);
    if appearance.width > width + FIT_TOLERANCE || appearance.height > height + FIT_TOLERANCE {
        return Err(PadesError::Placement(format!(
            "the appearance needs {:.1} × {:.1} pt and the rectangle is {:.1} × {:.1} pt",
            appearance.width, appearance.height, width, height
        )));
    }
    let x = rect.llx as f32 + (width - appearance.width) / 2.0;
    let y = rect.lly as f32 + (height - appearance.height) / 2.0;
    Ok(WidgetPlace {
        page_index,
        rect: widget_rect(x, y, appearance),
    })
}

/// Refuses a rectangle that is not a finite, non-empty area.
pub fn check_rect(rect: Rect) -> Result<(), PadesError> {
    let finite = [rect.llx, rect.lly, rect.urx, rect.ury]
        .iter()
        .all(|value| value.is_finite() && value.abs() < 1e6);
    if !finite || rect.width() < 1.0 || rect.height() < 1.0 {
        return Err(PadesError::Placement(format!(
            "the rectangle [{} {} {} {}] is not a usable area",
            rect.llx, rect.lly, rect.urx, rect.ury
        )));
    }
    Ok(())
}

/// The top right of page 1 (its crop box, else media box), for copies and attachments.
pub fn top_right_of_first_page(
    view: &View<'_>,
    appearance: &Appearance,
) -> Result<WidgetPlace, PadesError> {
    let page = view.page(0)?;
    let visible = page.visible_box();
    let page_box = LayoutRect::new(
        visible.llx as f32,
        visible.lly as f32,
        visible.width() as f32,
        visible.height() as f32,
    );
    let rect = layout::top_right_rect(
        page_box,
        appearance.width,
        appearance.height,
        CORNER_STAMP_MARGIN,
    );
    Ok(WidgetPlace {
        page_index: 0,
        rect: widget_rect(rect.x, rect.y, appearance),
    })
}

/// The appearance centred above the last occurrence of `text` on `page_index`, or on the last
/// page holding it: a signature block closes the document, so its name is the last one written
/// (the same name may appear earlier in the body).
///
/// Rectangles are in default user space, like widget rectangles; on a page with `/Rotate` the
/// appearance turns with the page.
pub fn above_anchor(
    doc: &Document,
    page_count: usize,
    page_index: Option<usize>,
    text: &str,
    appearance: &Appearance,
) -> Result<WidgetPlace, PadesError> {
    let pages: Vec<usize> = match page_index {
        Some(index) => vec![index],
        None => (0..page_count).rev().collect(),
    };
    for page in &pages {
        let hits =
            content::find_text(doc, *page, text).map_err(|source| PadesError::AnchorSearch {
                text: text.to_owned(),
                source,
            })?;
        if let Some(hit) = hits.last() {
            return Ok(above(hit, appearance));
        }
    }
    Err(PadesError::AnchorNotFound {
        text: text.to_owned(),
        page: page_index.map_or(page_count, |index| index + 1),
    })
}

/// Centred horizontally on the hit, bottom [`ANCHOR_GAP`] above its top.
fn above(hit: &TextHit, appearance: &Appearance) -> WidgetPlace {
    let centre = ((hit.rect.llx + hit.rect.urx) / 2.0) as f32;
    WidgetPlace {
        page_index: hit.page,
        rect: widget_rect(
            centre - appearance.width / 2.0,
            hit.rect.ury as f32 + ANCHOR_GAP,
            appearance,
        ),
    }
}

/// The agency widget over the signature image of `field` (or of the most recent visible
/// signature), the seal covering the image's left third
/// ([`layout::agency_widget_rect`]).
pub fn over_signature(
    view: &View<'_>,
    field: Option<&str>,
    agency: &AgencyLayout,
) -> Result<WidgetPlace, PadesError> {
    let (page_index, image) = signature_image_on_page(view, field)?;
    let rect = layout::agency_widget_rect(image, agency);
    Ok(WidgetPlace {
        page_index,
        rect: widget_rect(rect.x, rect.y, &agency.appearance),
    })
}

/// The page and the rectangle of the signature image of a signed, visible field: the image
/// drawn in its appearance when that can be read, else the widget's rectangle.
fn signature_image_on_page(
    view: &View<'_>,
    field: Option<&str>,
) -> Result<(usize, LayoutRect), PadesError> {
    let signed: Vec<SignatureField> = view
        .signature_fields()?
        .into_iter()
        .filter(|candidate| candidate.signature.is_some())
        .filter(|candidate| {
            candidate
                .field
                .widgets
                .first()
                .and_then(|widget| widget.rect)
                .is_some_and(|rect| !rect.is_empty())
        })
        .collect();
    let chosen = match field {
        Some(name) => signed
            .iter()
            .find(|candidate| candidate.field.full_name == name)
            .ok_or_else(|| {
                PadesError::Placement(format!(
                    "there is no signed, visible signature field {name:?} to place the seal on"
                ))
            })?,
        None => signed
            .iter()
            .max_by_key(|candidate| signed_extent(candidate))
            .ok_or_else(|| {
                PadesError::Placement(
                    "an agency signature needs a place: the document has no visible signature \
                     to put the seal on; give a page and a rectangle"
                        .to_owned(),
                )
            })?,
    };
    let widget = chosen.field.widgets.first().ok_or_else(|| {
        PadesError::Placement(format!("field {:?} has no widget", chosen.field.full_name))
    })?;
    let rect = widget.rect.unwrap_or_default();
    let page_index = page_of(view, widget.id, widget.page)?;
    let image = image_in_widget(view, widget.id, rect).unwrap_or_else(|| to_layout_rect(rect));
    Ok((page_index, image))
}

/// How far into the file a signature's byte range reaches: the latest signature reaches furthest.
fn signed_extent(field: &SignatureField) -> i64 {
    field
        .signature
        .as_ref()
        .and_then(|signature| signature.dict.get(b"ByteRange"))
        .and_then(Object::as_array)
        .and_then(|range| match range {
            [_, _, start, length] => Some(start.as_integer()? + length.as_integer()?),
            _ => None,
        })
        .unwrap_or(0)
}

/// The index of the widget's page: its `/P` if that is a page, else the page whose `/Annots`
/// lists it.
fn page_of(
    view: &View<'_>,
    widget: ObjectId,
    claimed: Option<ObjectId>,
) -> Result<usize, PadesError> {
    let pages = view.pages()?;
    if let Some(index) = claimed.and_then(|page| pages.iter().position(|p| p.id == page)) {
        return Ok(index);
    }
    for page in &pages {
        let annots = view.array_at(&page.dict, b"Annots")?.unwrap_or_default();
        if annots.contains(&Object::Reference(widget)) {
            return Ok(page.index);
        }
    }
    Err(PadesError::Placement(format!(
        "cannot tell which page widget {widget} is on"
    )))
}

fn to_layout_rect(rect: Rect) -> LayoutRect {
    LayoutRect::new(
        rect.llx as f32,
        rect.lly as f32,
        rect.width() as f32,
        rect.height() as f32,
    )
}

/// A scale-and-translate transform: `(x, y) ↦ (sx·x + tx, sy·y + ty)`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Transform {
    sx: f64,
    sy: f64,
    tx: f64,
    ty: f64,
}

impl Transform {
    const IDENTITY: Transform = Transform {
        sx: 1.0,
        sy: 1.0,
        tx: 0.0,
        ty: 0.0,
    };

    /// `[a b c d e f]` when it only scales and translates (rotation and skew are not followed).
    fn from_matrix(numbers: &[f64]) -> Option<Transform> {
        match numbers {
            [a, b, c, d, e, f] if *b == 0.0 && *c == 0.0 => Some(Transform {
                sx: *a,
                sy: *d,
                tx: *e,
                ty: *f,
            }),
            _ => None,
        }
    }

    /// `self` applied first, then `outer`.
    fn then(self, outer: Transform) -> Transform {
        Transform {
            sx: self.sx * outer.sx,
            sy: self.sy * outer.sy,
            tx: self.tx * outer.sx + outer.tx,
            ty: self.ty * outer.sy + outer.ty,
        }
    }

    fn unit_square(self) -> LayoutRect {
        let (x1, x2) = (self.tx, self.tx + self.sx);
        let (y1, y2) = (self.ty, self.ty + self.sy);
        LayoutRect::new(
            x1.min(x2) as f32,
            y1.min(y2) as f32,
            (x2 - x1).abs() as f32,
            (y2 - y1).abs() as f32,
        )
    }
}

/// The first image the widget's normal appearance paints, on the page. Only the simple shapes
/// signature appearances use are followed (`q a 0 0 d e f cm /Name Do Q`, forms inside forms);
/// anything else gives `None` and the caller falls back to the widget's rectangle.
fn image_in_widget(view: &View<'_>, widget: ObjectId, rect: Rect) -> Option<LayoutRect> {
    let widget_dict = view.object(widget).ok()?.dict().ok()?.clone();
    let appearances = view.dict_at(&widget_dict, b"AP").ok()??;
    let normal = appearances.get(b"N")?.clone();
    let form = view.resolve(&normal).ok()?;
    let form = form.as_stream()?;
    let bbox = Rect::from_object(&view.resolve_key(&form.dict, b"BBox").ok()?, "/BBox").ok()?;
    if form.dict.contains_key(b"Matrix") || bbox.is_empty() {
        return None;
    }
    // The appearance's bounding box is mapped onto the widget's rectangle (§12.5.5).
    let sx = rect.width() / bbox.width();
    let sy = rect.height() / bbox.height();
    let to_page = Transform {
        sx,
        sy,
        tx: rect.llx - bbox.llx * sx,
        ty: rect.lly - bbox.lly * sy,
    };
    image_in_form(view, &Object::Stream(form.clone()), to_page, 0)
}

fn image_in_form(
    view: &View<'_>,
    form: &Object,
    to_page: Transform,
    depth: usize,
) -> Option<LayoutRect> {
    if depth > MAX_FORM_DEPTH {
        return None;
    }
    let stream = form.as_stream()?;
    let content = view.decode_stream(stream).ok()?.data;
    if content.len() > MAX_APPEARANCE_CONTENT {
        return None;
    }
    let resources = view.dict_at(&stream.dict, b"Resources").ok()??;
    let xobjects = view.dict_at(&resources, b"XObject").ok()??;
    let mut stack = vec![Transform::IDENTITY];
    let mut operands: Vec<Operand> = Vec::new();
    for token in tokens(&content) {
        match token {
            Token::Number(value) => operands.push(Operand::Number(value)),
            Token::Name(name) => operands.push(Operand::Name(name)),
            Token::Operator(operator) => {
                match operator {
                    b"q" => stack.push(*stack.last()?),
                    b"Q" if stack.len() > 1 => {
                        stack.pop();
                    }
                    b"cm" => {
                        let numbers: Vec<f64> = operands
                            .iter()
                            .map(|operand| match operand {
                                Operand::Number(value) => Some(*value),
                                Operand::Name(_) => None,
                            })
                            .collect::<Option<_>>()?;
                        let matrix = Transform::from_matrix(&numbers)?;
                        let current = stack.last_mut()?;
                        *current = matrix.then(*current);
                    }
                    b"Do" => {
                        let Some(Operand::Name(name)) = operands.last() else {
                            return None;
                        };
                        let target = view.resolve_key(&xobjects, name).ok()?;
                        let here = stack.last()?.then(to_page);
                        let kind = target.as_stream()?.dict.get(b"Subtype")?.clone();
                        if kind.is_name("Image") {
                            return Some(here.unit_square());
                        }
                        if kind.is_name("Form") {
                            let inner = target.as_stream()?;
                            let matrix = match view.resolve_key(&inner.dict, b"Matrix").ok()? {
                                Object::Null => Transform::IDENTITY,
                                Object::Array(items) => Transform::from_matrix(
                                    &items
                                        .iter()
                                        .map(Object::as_number)
                                        .collect::<Option<Vec<f64>>>()?,
                                )?,
                                _ => return None,
                            };
                            if let Some(found) =
                                image_in_form(view, &target, matrix.then(here), depth + 1)
                            {
                                return Some(found);
                            }
                        }
                    }
                    _ => {}
                }
                operands.clear();
            }
            Token::Other => operands.clear(),
        }
    }
    None
}

enum Operand<'a> {
    Number(f64),
    Name(&'a [u8]),
}

#[derive(Debug, PartialEq)]
enum Token<'a> {
    Number(f64),
    /// A name without its `/` (escapes are not decoded: resource names need none).
    Name(&'a [u8]),
    Operator(&'a [u8]),
    /// Strings, arrays, dictionaries and anything else: never an operand of `cm` or `Do`.
    Other,
}

/// Splits content-stream bytes into the tokens the image search needs, skipping strings
/// (with nesting and escapes) and hex strings whole so that their bytes are never read as
/// operators.
fn tokens(content: &[u8]) -> impl Iterator<Item = Token<'_>> {
    let mut position = 0;
    std::iter::from_fn(move || {
        let is_delimiter = |byte: u8| b"()<>[]{}/%".contains(&byte);
        loop {
            let byte = *content.get(position)?;
            if byte.is_ascii_whitespace() {
                position += 1;
                continue;
            }
            if byte == b'%' {
                while content
                    .get(position)
                    .is_some_and(|b| *b != b'\n' && *b != b'\r')
                {
                    position += 1;
                }
                continue;
            }
            break;
        }
        let start = position;
        let byte = *content.get(position)?;
        let token = match byte {
            b'(' => {
                let mut depth = 0usize;
                while let Some(&current) = content.get(position) {
                    position += 1;
                    match current {
                        b'\\' => position += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                Token::Other
            }
            b'<' if content.get(position + 1) == Some(&b'<') => {
                position += 2;
                Token::Other
            }
            b'<' => {
                while content.get(position).is_some_and(|b| *b != b'>') {
                    position += 1;
                }
                position += 1;
                Token::Other
            }
            b'/' => {
                position += 1;
                let name_start = position;
                while content
                    .get(position)
                    .is_some_and(|b| !b.is_ascii_whitespace() && !is_delimiter(*b))
                {
                    position += 1;
                }
                Token::Name(content.get(name_start..position).unwrap_or_default())
            }
            _ if is_delimiter(byte) => {
                position += 1;
                Token::Other
            }
            _ => {
                while content
                    .get(position)
                    .is_some_and(|b| !b.is_ascii_whitespace() && !is_delimiter(*b))
                {
                    position += 1;
                }
                let word = content.get(start..position).unwrap_or_default();
                match std::str::from_utf8(word).ok().and_then(|text| {
                    if text.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c)) {
                        text.parse::<f64>().ok()
                    } else {
                        None
                    }
                }) {
                    Some(value) => Token::Number(value),
                    None => Token::Operator(word),
                }
            }
        };
        Some(token)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appearance(width: f32, height: f32) -> Appearance {
        Appearance {
            width,
            height,
            content: Vec::new(),
            fonts: Vec::new(),
            images: Vec::new(),
        }
    }

    #[test]
    fn an_appearance_is_centred_in_the_rectangle() {
        let place = centred_in(
            2,
            Rect::new(300.0, 100.0, 500.0, 200.0),
            &appearance(100.0, 40.0),
        )
        .unwrap();
        assert_eq!(place.page_index, 2);
        assert_eq!(place.rect, Rect::new(350.0, 130.0, 450.0, 170.0));
    }

    #[test]
    fn an_appearance_larger_than_the_rectangle_is_refused() {
        let error = centred_in(
            0,
            Rect::new(0.0, 0.0, 100.0, 30.0),
            &appearance(100.0, 40.0),
        )
        .unwrap_err();
        assert!(error.to_string().contains("40.0"), "{error}");
        assert!(check_rect(Rect::new(0.0, 0.0, f64::NAN, 10.0)).is_err());
        assert!(check_rect(Rect::new(5.0, 5.0, 5.0, 50.0)).is_err());
    }

    #[test]
    fn an_anchor_puts_the_appearance_centred_just_above_the_text() {
        let hit = TextHit {
            page: 1,
            rect: Rect::new(100.0, 200.0, 180.0, 212.0),
        };
        let place = above(&hit, &appearance(60.0, 50.0));
        assert_eq!(place.page_index, 1);
        assert_eq!(place.rect, Rect::new(110.0, 214.0, 170.0, 264.0));
    }

    #[test]
    fn the_tokenizer_skips_strings_and_reads_numbers_names_and_operators() {
        let content = b"q 1 0 0 1 0 0 cm BT /F1 10 Tf (a \\) (cm) Do) Tj <4142> Tj ET \
            % comment cm\n q 90.5 0 0 -42 3 4 cm /Im1 Do Q Q";
        let found: Vec<Token<'_>> = tokens(content).collect();
        assert!(found.contains(&Token::Name(b"Im1")));
        assert!(found.contains(&Token::Number(-42.0)));
        let operators: Vec<&[u8]> = found
            .iter()
            .filter_map(|token| match token {
                Token::Operator(operator) => Some(*operator),
                _ => None,
            })
            .collect();
        assert_eq!(
            operators,
            [
                &b"q"[..],
                b"cm",
                b"BT",
                b"Tf",
                b"Tj",
                b"Tj",
                b"ET",
                b"q",
                b"cm",
                b"Do",
                b"Q",
                b"Q"
            ]
        );
    }

    #[test]
    fn transforms_compose_scale_and_translation() {
        let inner = Transform::from_matrix(&[90.0, 0.0, 0.0, 42.0, 10.0, 20.0]).unwrap();
        let outer = Transform::from_matrix(&[0.5, 0.0, 0.0, 0.5, 300.0, 100.0]).unwrap();
        let rect = inner.then(outer).unit_square();
        assert_eq!(rect, LayoutRect::new(305.0, 110.0, 45.0, 21.0));
        assert!(Transform::from_matrix(&[0.0, 1.0, -1.0, 0.0, 0.0, 0.0]).is_none());
    }
}
