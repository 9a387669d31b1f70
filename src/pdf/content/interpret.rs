//! The content-stream interpreter for text (ISO 32000-1 §8.4, §9.3–9.4): graphics state (`q Q
//! cm`), text objects and state (`BT ET Tf Tc Tw Tz TL Ts gs`), positioning (`Tm Td TD T*`),
//! showing (`Tj TJ ' "`) and form XObjects (`Do`, with their own resources and matrix). It
//! produces every shown glyph with its text and its box in default user space; everything else
//! (paths, colours, images, clipping) is stepped over.

use std::collections::HashMap;
use std::rc::Rc;

use crate::pdf::{Dictionary, MemorySource, Object, ObjectId, View};

use super::error::{ContentError, ContentLimit, ContentLimits};
use super::font::{self, Font};
use super::matrix::{Matrix, Point};
use super::operations::Operations;

/// One shown glyph, in default user space.
#[derive(Debug, Clone)]
pub(super) struct Glyph {
    /// What the glyph stands for (U+FFFD when its font does not say).
    pub text: String,
    /// The start of the glyph on its baseline.
    pub origin: Point,
    /// The end of its advance box on the baseline (the next glyph starts near it).
    pub end: Point,
    /// The writing direction, a unit vector.
    pub axis: Point,
    /// The font size as drawn (the length of text space's vertical unit, scaled).
    pub em: f64,
    /// The glyph's box: origin side at the descent, then the far side, both heights.
    pub quad: [Point; 4],
}

/// Fonts are cached per page by object, or by resource name when defined inline.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FontKey {
    Object(ObjectId),
    Inline { owner: String, name: Vec<u8> },
}

#[derive(Debug, Clone)]
struct TextState {
    font: Option<Rc<Font>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    /// `Tz` / 100.
    scaling: f64,
    leading: f64,
    rise: f64,
}

impl Default for TextState {
    fn default() -> Self {
        TextState {
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scaling: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

#[derive(Debug, Clone)]
struct GraphicsState {
    ctm: Matrix,
    text: TextState,
}

/// What one content stream changes as it runs.
struct StreamState {
    graphics: GraphicsState,
    saved: Vec<GraphicsState>,
    text_matrix: Matrix,
    line_matrix: Matrix,
}

impl StreamState {
    fn new(graphics: GraphicsState) -> Self {
        StreamState {
            graphics,
            saved: Vec::new(),
            text_matrix: Matrix::IDENTITY,
            line_matrix: Matrix::IDENTITY,
        }
    }

    /// Starts a new line offset by `(tx, ty)` from the current line's start.
    fn next_line(&mut self, tx: f64, ty: f64) {
        self.line_matrix = Matrix::translation(tx, ty).then(&self.line_matrix);
        self.text_matrix = self.line_matrix;
    }

    /// The text state and positioning operators: `BT Tc Tw Tz TL Ts Td TD Tm T*`; anything
    /// else is not about text and is ignored.
    fn text_operator(&mut self, operator: &[u8], operands: &[Object]) {
        let number = |index: usize| operands.get(index).and_then(Object::as_number);
        let text = &mut self.graphics.text;
        match operator {
            b"BT" => {
                self.text_matrix = Matrix::IDENTITY;
                self.line_matrix = Matrix::IDENTITY;
            }
            b"Tc" => text.char_spacing = number(0).unwrap_or(text.char_spacing),
            b"Tw" => text.word_spacing = number(0).unwrap_or(text.word_spacing),
            b"Tz" => text.scaling = number(0).map_or(text.scaling, |z| z / 100.0),
            b"TL" => text.leading = number(0).unwrap_or(text.leading),
            b"Ts" => text.rise = number(0).unwrap_or(text.rise),
            b"Td" | b"TD" => {
                if let (Some(tx), Some(ty)) = (number(0), number(1)) {
                    if operator == b"TD" {
                        text.leading = -ty;
                    }
                    self.next_line(tx, ty);
                }
            }
            b"Tm" => {
                if let Some(matrix) = Matrix::from_numbers(operands) {
                    self.line_matrix = matrix;
                    self.text_matrix = matrix;
                }
            }
            b"T*" => {
                let leading = text.leading;
                self.next_line(0.0, -leading);
            }
            _ => {}
        }
    }
}

/// The resource categories a content stream uses, resolved once per page or form.
#[derive(Debug, Default)]
struct Resources {
    fonts: Dictionary,
    xobjects: Dictionary,
    states: Dictionary,
}

/// A content stream's resources and a label for messages.
struct Scope<'r> {
    resources: Rc<Resources>,
    context: &'r str,
}

pub(super) struct Interpreter<'d> {
    view: View<'d>,
    limits: ContentLimits,
    fonts: HashMap<FontKey, Rc<Font>>,
    glyphs: Vec<Glyph>,
    operations: usize,
    bytes: usize,
    /// The forms being drawn, outermost first.
    forms: Vec<ObjectId>,
    /// Every XObject `Do` named, read once (`None`: not a form).
    forms_read: HashMap<ObjectId, Option<Rc<Form>>>,
    form_draws: usize,
    codes_shown: usize,
}

/// A form XObject as drawing it needs it.
struct Form {
    content: Vec<u8>,
    matrix: Matrix,
    /// `None`: the form uses the resources of whatever draws it.
    resources: Option<Rc<Resources>>,
}

impl<'d> Interpreter<'d> {
    pub fn new(view: View<'d>, limits: ContentLimits) -> Self {
        Interpreter {
            view,
            limits,
            fonts: HashMap::new(),
            glyphs: Vec::new(),
            operations: 0,
            bytes: 0,
            forms: Vec::new(),
            forms_read: HashMap::new(),
            form_draws: 0,
            codes_shown: 0,
        }
    }

    pub fn into_glyphs(self) -> Vec<Glyph> {
        self.glyphs
    }

    /// Counts decoded bytes against the page's budget.
    pub fn charge_bytes(&mut self, bytes: usize, context: &str) -> Result<(), ContentError> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > self.limits.max_content_bytes {
            return Err(ContentError::limit(
                ContentLimit::ContentBytes,
                context,
                self.bytes,
                self.limits.max_content_bytes,
            ));
        }
        Ok(())
    }

    /// Interprets a page's (concatenated) content with the page's resources and `ctm`.
    pub fn run_page(
        &mut self,
        content: &[u8],
        resources: &Dictionary,
        context: &str,
    ) -> Result<(), ContentError> {
        let state = GraphicsState {
            ctm: Matrix::IDENTITY,
            text: TextState::default(),
        };
        let resources = Rc::new(self.read_resources(resources, context)?);
        self.run(content, &Scope { resources, context }, state)
    }

    fn run(
        &mut self,
        content: &[u8],
        scope: &Scope<'_>,
        initial: GraphicsState,
    ) -> Result<(), ContentError> {
        let source = MemorySource(content);
        let pdf_limits = self.view.document().limits();
        let mut operations = Operations::new(
            &source,
            content,
            pdf_limits,
            self.limits.max_operands,
            scope.context,
        );
        let mut stream = StreamState::new(initial);
        while let Some(operator) = operations.next_operator()? {
            self.operations += 1;
            if self.operations > self.limits.max_operations {
                return Err(ContentError::limit(
                    ContentLimit::Operations,
                    scope.context,
                    self.operations,
                    self.limits.max_operations,
                ));
            }
            let all = operations.operands();
            let operands = all
                .len()
                .checked_sub(arity(&operator))
                .and_then(|start| all.get(start..))
                .unwrap_or_default();
            match operator.as_slice() {
                b"q" | b"Q" | b"cm" => {
                    self.graphics_operator(&operator, operands, &mut stream, scope)?
                }
                b"Tj" | b"'" | b"\"" | b"TJ" => {
                    self.show_operator(&operator, operands, &mut stream, scope)?
                }
                b"Tf" => {
                    if let [Object::Name(name), size] = operands
                        && let Some(size) = size.as_number()
                    {
                        stream.graphics.text.font = self.font(scope, name.as_bytes())?;
                        stream.graphics.text.size = size;
                    }
                }
                b"gs" => {
                    if let [Object::Name(name)] = operands {
                        let text = &mut stream.graphics.text;
                        self.graphics_state_font(scope, name.as_bytes(), text)?;
                    }
                }
                b"Do" => {
                    if let [Object::Name(name)] = operands {
                        self.draw_xobject(scope, name.as_bytes(), &stream.graphics)?;
                    }
                }
                other => stream.text_operator(other, operands),
            }
        }
        Ok(())
    }

    /// `q`, `Q` and `cm`.
    fn graphics_operator(
        &self,
        operator: &[u8],
        operands: &[Object],
        stream: &mut StreamState,
        scope: &Scope<'_>,
    ) -> Result<(), ContentError> {
        match operator {
            b"q" => {
                if stream.saved.len() >= self.limits.max_graphics_depth {
                    return Err(ContentError::limit(
                        ContentLimit::GraphicsDepth,
                        scope.context,
                        stream.saved.len() + 1,
                        self.limits.max_graphics_depth,
                    ));
                }
                stream.saved.push(stream.graphics.clone());
            }
            b"Q" => {
                // An unbalanced Q is ignored, as viewers do.
                if let Some(saved) = stream.saved.pop() {
                    stream.graphics = saved;
                }
            }
            _ => {
                if let Some(matrix) = Matrix::from_numbers(operands) {
                    stream.graphics.ctm = matrix.then(&stream.graphics.ctm);
                }
            }
        }
        Ok(())
    }

    /// `Tj`, `'`, `"` and `TJ`.
    fn show_operator(
        &mut self,
        operator: &[u8],
        operands: &[Object],
        stream: &mut StreamState,
        scope: &Scope<'_>,
    ) -> Result<(), ContentError> {
        let text = match (operator, operands) {
            (b"Tj", [Object::String(text)]) => text,
            (b"'", [Object::String(text)]) => {
                stream.next_line(0.0, -stream.graphics.text.leading);
                text
            }
            (b"\"", [word, char, Object::String(text)]) => {
                if let (Some(word), Some(char)) = (word.as_number(), char.as_number()) {
                    stream.graphics.text.word_spacing = word;
                    stream.graphics.text.char_spacing = char;
                }
                stream.next_line(0.0, -stream.graphics.text.leading);
                text
            }
            (b"TJ", [Object::Array(items)]) => {
                for item in items {
                    match item {
                        Object::String(text) => self.show(&text.bytes, stream, scope)?,
                        other => {
                            if let Some(adjust) = other.as_number() {
                                stream.text_matrix = adjusted(&stream.graphics.text, adjust)
                                    .then(&stream.text_matrix);
                            }
                        }
                    }
                }
                return Ok(());
            }
            _ => return Ok(()),
        };
        self.show(&text.bytes, stream, scope)
    }

    /// Shows `bytes` with the current font, advancing the text matrix.
    fn show(
        &mut self,
        bytes: &[u8],
        stream: &mut StreamState,
        scope: &Scope<'_>,
    ) -> Result<(), ContentError> {
        let state = &stream.graphics;
        // Without a font nothing can be shown (viewers report an error and go on).
        let Some(font) = state.text.font.clone() else {
            return Ok(());
        };
        let text = &state.text;
        let text_matrix = &mut stream.text_matrix;
        // One more than the budget allows, so that going over it is seen.
        let budget = self.limits.max_glyphs.saturating_sub(self.codes_shown) + 1;
        for code in font.decode(bytes, budget) {
            // Codes count whether or not their glyph lands anywhere (a size of 1e300 places
            // none), so that showing text always costs.
            self.codes_shown += 1;
            if self.codes_shown > self.limits.max_glyphs {
                return Err(ContentError::limit(
                    ContentLimit::Glyphs,
                    scope.context,
                    self.codes_shown,
                    self.limits.max_glyphs,
                ));
            }
            let rendering = Matrix::new(
                text.size * text.scaling,
                0.0,
                0.0,
                text.size,
                0.0,
                text.rise,
            )
            .then(text_matrix)
            .then(&state.ctm);
            let spacing = text.char_spacing
                + if code.word_space {
                    text.word_spacing
                } else {
                    0.0
                };
            let glyph_text = code.text.unwrap_or_else(|| '\u{FFFD}'.to_string());
            let (glyph, advance) = match font.vertical_advance {
                None => {
                    let glyph = horizontal_glyph(&rendering, code.width, &font, glyph_text);
                    let advance =
                        Matrix::translation((code.width * text.size + spacing) * text.scaling, 0.0);
                    (glyph, advance)
                }
                Some(vertical) => {
                    let height = vertical * 0.001;
                    let glyph = vertical_glyph(&rendering, code.width, height, glyph_text);
                    (
                        glyph,
                        Matrix::translation(0.0, height * text.size + spacing),
                    )
                }
            };
            if let Some(glyph) = glyph {
                self.glyphs.push(glyph);
            }
            *text_matrix = advance.then(text_matrix);
        }
        Ok(())
    }

    /// The font `name` of the scope's `/Font` resources, read once per page.
    fn font(&mut self, scope: &Scope<'_>, name: &[u8]) -> Result<Option<Rc<Font>>, ContentError> {
        let Some(entry) = scope.resources.fonts.get(name).cloned() else {
            return Ok(None);
        };
        let key = match &entry {
            Object::Reference(id) => FontKey::Object(*id),
            _ => FontKey::Inline {
                owner: scope.context.to_string(),
                name: name.to_vec(),
            },
        };
        self.font_for(key, &entry, scope, name)
    }

    fn font_for(
        &mut self,
        key: FontKey,
        entry: &Object,
        scope: &Scope<'_>,
        name: &[u8],
    ) -> Result<Option<Rc<Font>>, ContentError> {
        if let Some(font) = self.fonts.get(&key) {
            return Ok(Some(font.clone()));
        }
        let context = format!(
            "font /{} of {}",
            String::from_utf8_lossy(name),
            scope.context
        );
        let Object::Dictionary(dict) = self
            .view
            .resolve(entry)
            .map_err(ContentError::pdf(context.clone()))?
        else {
            return Ok(None);
        };
        let font = font::load(self.view, &dict, self.limits.max_cmap_entries, &context)?;
        self.charge_bytes(font.cost, &context)?;
        let font = Rc::new(font);
        self.fonts.insert(key, font.clone());
        Ok(Some(font))
    }

    /// `gs` with an ExtGState that sets `/Font [font size]`.
    fn graphics_state_font(
        &mut self,
        scope: &Scope<'_>,
        name: &[u8],
        text: &mut TextState,
    ) -> Result<(), ContentError> {
        let Some(entry) = scope.resources.states.get(name).cloned() else {
            return Ok(());
        };
        let context = format!(
            "graphics state /{} of {}",
            String::from_utf8_lossy(name),
            scope.context
        );
        let Object::Dictionary(state) = self
            .view
            .resolve(&entry)
            .map_err(ContentError::pdf(context.clone()))?
        else {
            return Ok(());
        };
        let Object::Array(font) = self
            .view
            .resolve_key(&state, b"Font")
            .map_err(ContentError::pdf(context.clone()))?
        else {
            return Ok(());
        };
        if let [reference @ Object::Reference(id), size] = font.as_slice()
            && let Some(size) = size.as_number()
        {
            text.font = self.font_for(FontKey::Object(*id), reference, scope, name)?;
            text.size = size;
        }
        Ok(())
    }

    /// The categories of a `/Resources` dictionary that text depends on.
    fn read_resources(
        &self,
        resources: &Dictionary,
        context: &str,
    ) -> Result<Resources, ContentError> {
        Ok(Resources {
            fonts: self.resource_category(resources, b"Font", context)?,
            xobjects: self.resource_category(resources, b"XObject", context)?,
            states: self.resource_category(resources, b"ExtGState", context)?,
        })
    }

    /// A resource category (`/Font`, `/XObject`, `/ExtGState`), resolved.
    fn resource_category(
        &self,
        resources: &Dictionary,
        category: &[u8],
        context: &str,
    ) -> Result<Dictionary, ContentError> {
        self.view
            .dict_at(resources, category)
            .map(Option::unwrap_or_default)
            .or_else(|error| match error {
                // A category of the wrong type is no category.
                crate::pdf::PdfError::WrongType { .. } => Ok(Dictionary::new()),
                other => Err(other),
            })
            .map_err(ContentError::pdf(format!(
                "/{} resources of {}",
                String::from_utf8_lossy(category),
                context
            )))
    }

    /// `Do`: a form XObject is interpreted with its matrix and resources; images and anything
    /// else are skipped.
    fn draw_xobject(
        &mut self,
        scope: &Scope<'_>,
        name: &[u8],
        state: &GraphicsState,
    ) -> Result<(), ContentError> {
        let Some(&Object::Reference(id)) = scope.resources.xobjects.get(name) else {
            return Ok(());
        };
        let context = format!("form XObject {id}");
        let form = match self.forms_read.get(&id) {
            Some(form) => form.clone(),
            None => {
                let form = self.read_form(id, &context)?;
                self.forms_read.insert(id, form.clone());
                form
            }
        };
        let Some(form) = form else {
            return Ok(());
        };
        if self.forms.len() >= self.limits.max_form_depth || self.forms.contains(&id) {
            return Err(ContentError::limit(
                ContentLimit::FormDepth,
                context,
                self.forms.len() + 1,
                self.limits.max_form_depth,
            ));
        }
        self.form_draws += 1;
        if self.form_draws > self.limits.max_form_draws {
            return Err(ContentError::limit(
                ContentLimit::FormDraws,
                context,
                self.form_draws,
                self.limits.max_form_draws,
            ));
        }
        // Each drawing is interpreted again: its bytes count each time.
        self.charge_bytes(form.content.len(), &context)?;
        let form_state = GraphicsState {
            ctm: form.matrix.then(&state.ctm),
            text: state.text.clone(),
        };
        // Without resources of its own a form uses its parent's (§7.8.3).
        let resources = form
            .resources
            .clone()
            .unwrap_or_else(|| scope.resources.clone());
        self.forms.push(id);
        let result = self.run(
            &form.content,
            &Scope {
                resources,
                context: &context,
            },
            form_state,
        );
        self.forms.pop();
        result
    }

    /// The form XObject `id` decoded, or `None` when it is not a form (an image, a PostScript
    /// XObject).
    fn read_form(&self, id: ObjectId, context: &str) -> Result<Option<Rc<Form>>, ContentError> {
        let Object::Stream(stream) = self
            .view
            .resolve(&Object::Reference(id))
            .map_err(ContentError::pdf(context))?
        else {
            return Ok(None);
        };
        if !stream
            .dict
            .get(b"Subtype")
            .is_some_and(|subtype| subtype.is_name("Form"))
        {
            return Ok(None);
        }
        let content = self
            .view
            .decode_stream(&stream)
            .map_err(ContentError::pdf(context))?
            .data;
        let matrix = match self
            .view
            .resolve_key(&stream.dict, b"Matrix")
            .map_err(ContentError::pdf(context))?
        {
            Object::Array(items) => Matrix::from_numbers(&items).unwrap_or(Matrix::IDENTITY),
            _ => Matrix::IDENTITY,
        };
        let resources = match self
            .view
            .resolve_key(&stream.dict, b"Resources")
            .map_err(ContentError::pdf(context))?
        {
            Object::Dictionary(own) => Some(Rc::new(self.read_resources(&own, context)?)),
            _ => None,
        };
        Ok(Some(Rc::new(Form {
            content,
            matrix,
            resources,
        })))
    }
}

/// How many operands `operator` takes (of the text-relevant ones; 0 for the rest). Operators
/// take theirs from the end of what precedes them, so stray values left by broken producers
/// are ignored, as viewers ignore them.
fn arity(operator: &[u8]) -> usize {
    match operator {
        b"cm" | b"Tm" => 6,
        b"\"" => 3,
        b"Tf" | b"Td" | b"TD" => 2,
        b"Tc" | b"Tw" | b"Tz" | b"TL" | b"Ts" | b"Tj" | b"'" | b"TJ" | b"gs" | b"Do" => 1,
        _ => 0,
    }
}

/// A `TJ` number: moves the next glyph back by `adjust` thousandths of the size (down for
/// vertical fonts).
fn adjusted(text: &TextState, adjust: f64) -> Matrix {
    let distance = -adjust * 0.001 * text.size;
    match text.font.as_ref().and_then(|font| font.vertical_advance) {
        Some(_) => Matrix::translation(0.0, distance),
        None => Matrix::translation(distance * text.scaling, 0.0),
    }
}

fn horizontal_glyph(rendering: &Matrix, width: f64, font: &Font, text: String) -> Option<Glyph> {
    let corner = |x: f64, y: f64| rendering.apply(Point::new(x, y));
    let origin = corner(0.0, 0.0);
    let end = corner(width, 0.0);
    let axis = rendering.apply_vector(Point::new(1.0, 0.0)).unit()?;
    let em = rendering.apply_vector(Point::new(0.0, 1.0)).length();
    let quad = [
        corner(0.0, font.descent),
        corner(width, font.descent),
        corner(width, font.ascent),
        corner(0.0, font.ascent),
    ];
    finite_glyph(Glyph {
        text,
        origin,
        end,
        axis,
        em,
        quad,
    })
}

/// Vertical writing: the glyph hangs below its origin, centred on it (§9.7.4.3, with the
/// default position vector).
fn vertical_glyph(rendering: &Matrix, width: f64, height: f64, text: String) -> Option<Glyph> {
    let corner = |x: f64, y: f64| rendering.apply(Point::new(x, y));
    let origin = corner(0.0, 0.0);
    let end = corner(0.0, height);
    // Vertical text runs down text space's y axis.
    let axis = rendering.apply_vector(Point::new(0.0, -1.0)).unit()?;
    let em = rendering.apply_vector(Point::new(1.0, 0.0)).length();
    let half = width / 2.0;
    let quad = [
        corner(-half, 0.0),
        corner(-half, height),
        corner(half, height),
        corner(half, 0.0),
    ];
    finite_glyph(Glyph {
        text,
        origin,
        end,
        axis,
        em,
        quad,
    })
}

fn finite_glyph(glyph: Glyph) -> Option<Glyph> {
    let finite = glyph.origin.is_finite()
        && glyph.end.is_finite()
        && glyph.em.is_finite()
        && glyph.quad.iter().all(|corner| corner.is_finite());
    finite.then_some(glyph)
}
