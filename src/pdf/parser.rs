//! The lexer and object parser (§7.2–7.3): tokens and objects with their absolute byte spans,
//! bounded nesting and sizes, and indirect objects read exactly where an xref entry points.

use std::collections::VecDeque;
use std::ops::Range;

use super::error::{PdfError, Result};
use super::limits::{Limit, Limits};
use super::object::{Dictionary, Name, Object, ObjectId, PdfString, Stream, StreamData};
use super::source::{ByteReader, Source};

/// Longest keyword the lexer accepts (longer runs of regular characters are garbage).
const MAX_KEYWORD: usize = 64;
/// Longest number token.
const MAX_NUMBER: usize = 64;

pub(crate) fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b'\0' | b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

pub(crate) fn is_delimiter(byte: u8) -> bool {
    matches!(
        byte,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(byte: u8) -> bool {
    !is_whitespace(byte) && !is_delimiter(byte)
}

/// A lexical token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    Integer(i64),
    Real(f64),
    Name(Name),
    String(PdfString),
    ArrayOpen,
    ArrayClose,
    DictOpen,
    DictClose,
    Keyword(Vec<u8>),
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Integer(value) => format!("integer {value}"),
            Token::Real(value) => format!("real {value}"),
            Token::Name(name) => format!("name {name}"),
            Token::String(_) => "a string".to_string(),
            Token::ArrayOpen => "[".to_string(),
            Token::ArrayClose => "]".to_string(),
            Token::DictOpen => "<<".to_string(),
            Token::DictClose => ">>".to_string(),
            Token::Keyword(word) => format!("keyword {:?}", String::from_utf8_lossy(word)),
        }
    }

    pub(crate) fn is_keyword(&self, word: &[u8]) -> bool {
        matches!(self, Token::Keyword(found) if found == word)
    }
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Spanned {
    pub token: Token,
    pub start: u64,
    pub end: u64,
}

/// Turns bytes into tokens, skipping whitespace and comments.
pub(crate) struct Lexer<'s> {
    reader: ByteReader<'s>,
    pos: u64,
    limits: &'s Limits,
}

impl<'s> Lexer<'s> {
    pub(crate) fn new(source: &'s dyn Source, pos: u64, limits: &'s Limits) -> Self {
        Lexer {
            reader: ByteReader::new(source),
            pos,
            limits,
        }
    }

    pub(crate) fn pos(&self) -> u64 {
        self.pos
    }

    pub(crate) fn set_pos(&mut self, pos: u64) {
        self.pos = pos;
    }

    pub(crate) fn len(&self) -> u64 {
        self.reader.len()
    }

    pub(crate) fn peek_byte(&mut self) -> Result<Option<u8>> {
        self.reader.byte(self.pos)
    }

    pub(crate) fn byte_at(&mut self, pos: u64) -> Result<Option<u8>> {
        self.reader.byte(pos)
    }

    fn next_byte(&mut self) -> Result<Option<u8>> {
        let byte = self.reader.byte(self.pos)?;
        if byte.is_some() {
            self.pos += 1;
        }
        Ok(byte)
    }

    /// Skips whitespace only (not comments).
    pub(crate) fn skip_whitespace(&mut self) -> Result<()> {
        while let Some(byte) = self.peek_byte()? {
            if !is_whitespace(byte) {
                break;
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// Skips whitespace and comments.
    pub(crate) fn skip_whitespace_and_comments(&mut self) -> Result<()> {
        loop {
            self.skip_whitespace()?;
            if self.peek_byte()? != Some(b'%') {
                return Ok(());
            }
            while let Some(byte) = self.next_byte()? {
                if byte == b'\n' || byte == b'\r' {
                    break;
                }
            }
        }
    }

    /// True when the bytes at the current position are exactly `expected` (no advance).
    pub(crate) fn looking_at(&mut self, expected: &[u8]) -> Result<bool> {
        for (index, &wanted) in expected.iter().enumerate() {
            if self.reader.byte(self.pos + index as u64)? != Some(wanted) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// A short printable excerpt of the bytes at `pos`, for error messages.
    pub(crate) fn excerpt(&mut self, pos: u64) -> String {
        let mut bytes = Vec::new();
        for index in 0..24 {
            match self.reader.byte(pos + index) {
                Ok(Some(byte)) => bytes.push(byte),
                _ => break,
            }
        }
        if bytes.is_empty() {
            return "end of file".to_string();
        }
        let text: String = bytes
            .iter()
            .map(|&byte| {
                if (0x20..0x7F).contains(&byte) {
                    char::from(byte)
                } else {
                    '.'
                }
            })
            .collect();
        format!("{text:?}")
    }

    /// The next token, or `None` at the end of the data.
    pub(crate) fn next_token(&mut self) -> Result<Option<Spanned>> {
        self.skip_whitespace_and_comments()?;
        let start = self.pos;
        let Some(byte) = self.next_byte()? else {
            return Ok(None);
        };
        let token = match byte {
            b'[' => Token::ArrayOpen,
            b']' => Token::ArrayClose,
            b'<' => {
                if self.peek_byte()? == Some(b'<') {
                    self.pos += 1;
                    Token::DictOpen
                } else {
                    Token::String(PdfString::hex(self.hex_string(start)?))
                }
            }
            b'>' => {
                if self.peek_byte()? == Some(b'>') {
                    self.pos += 1;
                    Token::DictClose
                } else {
                    return Err(self.syntax(start, "a token"));
                }
            }
            b'(' => Token::String(PdfString::literal(self.literal_string(start)?)),
            b'/' => Token::Name(self.name()?),
            b'+' | b'-' | b'.' | b'0'..=b'9' => self.number(start)?,
            b')' | b'{' | b'}' => return Err(self.syntax(start, "a token")),
            _ => self.keyword(start)?,
        };
        Ok(Some(Spanned {
            token,
            start,
            end: self.pos,
        }))
    }

    fn syntax(&mut self, at: u64, expected: &'static str) -> PdfError {
        let found = self.excerpt(at);
        PdfError::Syntax {
            offset: at,
            expected,
            found,
        }
    }

    fn regular_run(&mut self, first: Option<u8>, max: usize) -> Result<Vec<u8>> {
        let mut run: Vec<u8> = first.into_iter().collect();
        while let Some(byte) = self.peek_byte()? {
            if !is_regular(byte) {
                break;
            }
            if run.len() >= max {
                return Err(PdfError::limit(
                    Limit::StringLength,
                    run.len() as u64 + 1,
                    max as u64,
                ));
            }
            run.push(byte);
            self.pos += 1;
        }
        Ok(run)
    }

    fn keyword(&mut self, start: u64) -> Result<Token> {
        self.pos = start;
        let word = self.regular_run(None, MAX_KEYWORD)?;
        if word.is_empty() {
            return Err(self.syntax(start, "a token"));
        }
        Ok(Token::Keyword(word))
    }

    fn number(&mut self, start: u64) -> Result<Token> {
        self.pos = start;
        let text = self.regular_run(None, MAX_NUMBER)?;
        let valid_shape = {
            let body = text
                .strip_prefix(b"+")
                .or_else(|| text.strip_prefix(b"-"))
                .unwrap_or(&text);
            let dots = body.iter().filter(|&&byte| byte == b'.').count();
            !body.is_empty()
                && dots <= 1
                && body
                    .iter()
                    .all(|&byte| byte.is_ascii_digit() || byte == b'.')
                && body.iter().any(u8::is_ascii_digit)
        };
        if !valid_shape {
            return Err(self.syntax(start, "a number"));
        }
        let text = String::from_utf8_lossy(&text).into_owned();
        if text.contains('.') {
            match text.parse::<f64>() {
                Ok(value) if value.is_finite() => Ok(Token::Real(value)),
                _ => Err(PdfError::NumberOutOfRange {
                    offset: start,
                    text,
                }),
            }
        } else {
            text.parse::<i64>()
                .map(Token::Integer)
                .map_err(|_| PdfError::NumberOutOfRange {
                    offset: start,
                    text,
                })
        }
    }

    fn name(&mut self) -> Result<Name> {
        let raw = self.regular_run(None, self.limits.max_string_length)?;
        let mut decoded = Vec::with_capacity(raw.len());
        let mut index = 0;
        while let Some(&byte) = raw.get(index) {
            if byte == b'#' {
                let high = raw.get(index + 1).and_then(|&digit| hex_value(digit));
                let low = raw.get(index + 2).and_then(|&digit| hex_value(digit));
                if let (Some(high), Some(low)) = (high, low) {
                    decoded.push(high << 4 | low);
                    index += 3;
                    continue;
                }
            }
            decoded.push(byte);
            index += 1;
        }
        Ok(Name::new(decoded))
    }

    fn hex_string(&mut self, start: u64) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            let Some(byte) = self.next_byte()? else {
                return Err(PdfError::UnexpectedEof {
                    offset: start,
                    context: "a hex string",
                });
            };
            if byte == b'>' {
                break;
            }
            if is_whitespace(byte) {
                continue;
            }
            let Some(value) = hex_value(byte) else {
                return Err(self.syntax(self.pos - 1, "a hex digit"));
            };
            match high.take() {
                None => high = Some(value),
                Some(upper) => {
                    if bytes.len() >= self.limits.max_string_length {
                        return Err(PdfError::limit(
                            Limit::StringLength,
                            bytes.len() as u64 + 1,
                            self.limits.max_string_length as u64,
                        ));
                    }
                    bytes.push(upper << 4 | value);
                }
            }
        }
        if let Some(upper) = high {
            bytes.push(upper << 4);
        }
        Ok(bytes)
    }

    fn literal_string(&mut self, start: u64) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        let mut depth = 1usize;
        let eof = || PdfError::UnexpectedEof {
            offset: start,
            context: "a literal string",
        };
        loop {
            if bytes.len() > self.limits.max_string_length {
                return Err(PdfError::limit(
                    Limit::StringLength,
                    bytes.len() as u64,
                    self.limits.max_string_length as u64,
                ));
            }
            let byte = self.next_byte()?.ok_or_else(eof)?;
            match byte {
                b'(' => {
                    depth += 1;
                    bytes.push(byte);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(bytes);
                    }
                    bytes.push(byte);
                }
                b'\r' => {
                    // An unescaped end-of-line of any kind reads as a single LF (§7.3.4.2).
                    if self.peek_byte()? == Some(b'\n') {
                        self.pos += 1;
                    }
                    bytes.push(b'\n');
                }
                b'\\' => {
                    let escaped = self.next_byte()?.ok_or_else(eof)?;
                    match escaped {
                        b'n' => bytes.push(b'\n'),
                        b'r' => bytes.push(b'\r'),
                        b't' => bytes.push(b'\t'),
                        b'b' => bytes.push(0x08),
                        b'f' => bytes.push(0x0C),
                        b'\r' => {
                            if self.peek_byte()? == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut value = u32::from(escaped - b'0');
                            for _ in 0..2 {
                                match self.peek_byte()? {
                                    Some(digit @ b'0'..=b'7') => {
                                        value = value * 8 + u32::from(digit - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            // High-order overflow is ignored (§7.3.4.2).
                            bytes.push((value & 0xFF) as u8);
                        }
                        other => bytes.push(other),
                    }
                }
                other => bytes.push(other),
            }
        }
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Where a top-level dictionary entry of an indirect object is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySpan {
    pub key: Name,
    /// The key token (`/Contents`).
    pub key_span: Range<u64>,
    /// The value, from its first to just after its last byte (`<…>` for a hex string,
    /// `[…]` for an array, `12 0 R` for a reference).
    pub value_span: Range<u64>,
}

/// Parses objects from tokens, with a two-token look-ahead for `N G R`.
pub(crate) struct Parser<'s> {
    lexer: Lexer<'s>,
    peeked: VecDeque<Spanned>,
    limits: &'s Limits,
}

impl<'s> Parser<'s> {
    pub(crate) fn new(source: &'s dyn Source, pos: u64, limits: &'s Limits) -> Self {
        Parser {
            lexer: Lexer::new(source, pos, limits),
            peeked: VecDeque::new(),
            limits,
        }
    }

    /// The position of the next unread token (or byte).
    pub(crate) fn pos(&self) -> u64 {
        self.peeked
            .front()
            .map_or(self.lexer.pos(), |token| token.start)
    }

    /// Moves to `pos`, dropping any look-ahead.
    pub(crate) fn seek(&mut self, pos: u64) {
        self.peeked.clear();
        self.lexer.set_pos(pos);
    }

    pub(crate) fn lexer(&mut self) -> &mut Lexer<'s> {
        let pos = self.pos();
        self.seek(pos);
        &mut self.lexer
    }

    pub(crate) fn next(&mut self) -> Result<Option<Spanned>> {
        match self.peeked.pop_front() {
            Some(token) => Ok(Some(token)),
            None => self.lexer.next_token(),
        }
    }

    fn peek_nth(&mut self, index: usize) -> Result<Option<&Spanned>> {
        while self.peeked.len() <= index {
            match self.lexer.next_token()? {
                Some(token) => self.peeked.push_back(token),
                None => return Ok(None),
            }
        }
        Ok(self.peeked.get(index))
    }

    pub(crate) fn peek(&mut self) -> Result<Option<&Spanned>> {
        self.peek_nth(0)
    }

    /// The next token, which must exist.
    pub(crate) fn expect_token(&mut self, context: &'static str) -> Result<Spanned> {
        let pos = self.pos();
        self.next()?.ok_or(PdfError::UnexpectedEof {
            offset: pos,
            context,
        })
    }

    /// Consumes the keyword `word` or fails naming what was found.
    pub(crate) fn expect_keyword(
        &mut self,
        word: &'static [u8],
        expected: &'static str,
    ) -> Result<Spanned> {
        let pos = self.pos();
        match self.next()? {
            Some(token) if token.token.is_keyword(word) => Ok(token),
            Some(token) => Err(PdfError::Syntax {
                offset: token.start,
                expected,
                found: token.token.describe(),
            }),
            None => Err(PdfError::UnexpectedEof {
                offset: pos,
                context: expected,
            }),
        }
    }

    /// A non-negative integer token.
    pub(crate) fn expect_unsigned(&mut self, expected: &'static str) -> Result<(u64, Spanned)> {
        let token = self.expect_token(expected)?;
        match token.token {
            Token::Integer(value) if value >= 0 => Ok((value as u64, token)),
            ref other => Err(PdfError::Syntax {
                offset: token.start,
                expected,
                found: other.describe(),
            }),
        }
    }

    /// Parses one object starting at the next token, returning it with its span.
    pub(crate) fn parse_object(&mut self, depth: usize) -> Result<(Object, Range<u64>)> {
        let token = self.expect_token("an object")?;
        self.object_from(token, depth)
    }

    fn object_from(&mut self, token: Spanned, depth: usize) -> Result<(Object, Range<u64>)> {
        let start = token.start;
        let object = match token.token {
            Token::Integer(value) => {
                if let Some(id) = self.reference_after(value)? {
                    let end = self.next()?.map_or(token.end, |r| r.end);
                    return Ok((Object::Reference(id), start..end));
                }
                Object::Integer(value)
            }
            Token::Real(value) => Object::Real(value),
            Token::Name(name) => Object::Name(name),
            Token::String(string) => Object::String(string),
            Token::ArrayOpen => return self.array(start, depth + 1),
            Token::DictOpen => {
                let (dict, end) = self.dictionary(start, depth + 1, None)?;
                return Ok((Object::Dictionary(dict), start..end));
            }
            Token::Keyword(ref word) => match word.as_slice() {
                b"true" => Object::Bool(true),
                b"false" => Object::Bool(false),
                b"null" => Object::Null,
                _ => {
                    return Err(PdfError::Syntax {
                        offset: start,
                        expected: "an object",
                        found: token.token.describe(),
                    });
                }
            },
            Token::ArrayClose | Token::DictClose => {
                return Err(PdfError::Syntax {
                    offset: start,
                    expected: "an object",
                    found: token.token.describe(),
                });
            }
        };
        Ok((object, start..token.end))
    }

    /// When the next tokens are `G R`, consumes `G` (leaving `R` to the caller) and returns the id.
    fn reference_after(&mut self, number: i64) -> Result<Option<ObjectId>> {
        let Ok(number) = u32::try_from(number) else {
            return Ok(None);
        };
        let generation = match self.peek_nth(0)? {
            Some(Spanned {
                token: Token::Integer(generation),
                ..
            }) => *generation,
            _ => return Ok(None),
        };
        let is_reference = matches!(self.peek_nth(1)?, Some(token) if token.token.is_keyword(b"R"));
        if !is_reference {
            return Ok(None);
        }
        let Ok(generation) = u16::try_from(generation) else {
            let offset = self.pos();
            return Err(PdfError::NumberOutOfRange {
                offset,
                text: format!("generation {generation}"),
            });
        };
        self.next()?;
        Ok(Some(ObjectId::new(number, generation)))
    }

    fn check_depth(&self, depth: usize, at: u64) -> Result<()> {
        if depth > self.limits.max_nesting_depth {
            let _ = at;
            return Err(PdfError::limit(
                Limit::NestingDepth,
                depth as u64,
                self.limits.max_nesting_depth as u64,
            ));
        }
        Ok(())
    }

    fn array(&mut self, start: u64, depth: usize) -> Result<(Object, Range<u64>)> {
        self.check_depth(depth, start)?;
        let mut items = Vec::new();
        loop {
            let token = self.next()?.ok_or(PdfError::UnexpectedEof {
                offset: start,
                context: "an array",
            })?;
            if token.token == Token::ArrayClose {
                return Ok((Object::Array(items), start..token.end));
            }
            if items.len() >= self.limits.max_collection_length {
                return Err(PdfError::limit(
                    Limit::CollectionLength,
                    items.len() as u64 + 1,
                    self.limits.max_collection_length as u64,
                ));
            }
            let (item, _) = self.object_from(token, depth)?;
            items.push(item);
        }
    }

    /// Parses the rest of a dictionary after `<<`; records entry spans into `spans` when given.
    fn dictionary(
        &mut self,
        start: u64,
        depth: usize,
        mut spans: Option<&mut Vec<EntrySpan>>,
    ) -> Result<(Dictionary, u64)> {
        self.check_depth(depth, start)?;
        let mut dict = Dictionary::new();
        loop {
            let token = self.next()?.ok_or(PdfError::UnexpectedEof {
                offset: start,
                context: "a dictionary",
            })?;
            let key = match token.token {
                Token::DictClose => return Ok((dict, token.end)),
                Token::Name(name) => name,
                other => {
                    return Err(PdfError::Syntax {
                        offset: token.start,
                        expected: "a name key or >>",
                        found: other.describe(),
                    });
                }
            };
            if dict.len() >= self.limits.max_collection_length {
                return Err(PdfError::limit(
                    Limit::CollectionLength,
                    dict.len() as u64 + 1,
                    self.limits.max_collection_length as u64,
                ));
            }
            let (value, value_span) = self.parse_object(depth)?;
            if let Some(spans) = spans.as_deref_mut() {
                spans.push(EntrySpan {
                    key: key.clone(),
                    key_span: token.start..token.end,
                    value_span,
                });
            }
            if !dict.insert_new(key.clone(), value) {
                return Err(PdfError::DuplicateKey {
                    offset: token.start,
                    key: String::from_utf8_lossy(key.as_bytes()).into_owned(),
                });
            }
        }
    }

    /// Parses an object at the top level of an indirect object, recording entry spans when it is
    /// a dictionary.
    fn top_level_object(&mut self) -> Result<(Object, Range<u64>, Vec<EntrySpan>)> {
        let token = self.expect_token("an object")?;
        if token.token == Token::DictOpen {
            let mut spans = Vec::new();
            let (dict, end) = self.dictionary(token.start, 1, Some(&mut spans))?;
            return Ok((Object::Dictionary(dict), token.start..end, spans));
        }
        let (object, span) = self.object_from(token, 0)?;
        Ok((object, span, Vec::new()))
    }
}

/// An indirect object as parsed from the file, with where everything is.
#[derive(Debug, Clone)]
pub(crate) struct ParsedIndirect {
    pub object: Object,
    /// From the first digit of `N G obj` to just after `endobj`.
    pub span: Range<u64>,
    /// The object's value (for a stream: its dictionary).
    pub value_span: Range<u64>,
    /// Top-level dictionary entries (for a stream: of its dictionary).
    pub entries: Vec<EntrySpan>,
}

/// Reads `N G obj` at `offset`, failing unless it is exactly `expected` there. Whitespace before
/// the header is skipped (some writers count the preceding end-of-line into the offset; the
/// object is still unambiguous); anything else is an error. Returns the id and where the header
/// starts.
pub(crate) fn parse_object_header(
    parser: &mut Parser<'_>,
    offset: u64,
    expected: Option<ObjectId>,
) -> Result<(ObjectId, u64)> {
    parser.seek(offset);
    parser.lexer().skip_whitespace()?;
    let header_start = parser.pos();
    let mismatch = |parser: &mut Parser<'_>, expected: Option<ObjectId>| {
        let found = parser.lexer().excerpt(offset);
        PdfError::ObjectNotAtOffset {
            expected: expected.unwrap_or(ObjectId::new(0, 0)),
            offset,
            found: format!("found {found}"),
        }
    };
    let starts_with_digit = matches!(parser.lexer().byte_at(header_start)?, Some(b'0'..=b'9'));
    if !starts_with_digit {
        return Err(mismatch(parser, expected));
    }
    let header = (|| -> Result<Option<ObjectId>> {
        let (number, _) = parser.expect_unsigned("an object number")?;
        let (generation, _) = parser.expect_unsigned("a generation number")?;
        let keyword = parser.expect_token("obj")?;
        if !keyword.token.is_keyword(b"obj") {
            return Ok(None);
        }
        match (u32::try_from(number), u16::try_from(generation)) {
            (Ok(number), Ok(generation)) => Ok(Some(ObjectId::new(number, generation))),
            _ => Ok(None),
        }
    })();
    match header {
        Ok(Some(id)) if expected.is_none_or(|wanted| wanted == id) => Ok((id, header_start)),
        Ok(Some(id)) => Err(PdfError::ObjectNotAtOffset {
            expected: expected.unwrap_or(id),
            offset,
            found: format!("the header there is for object {id}"),
        }),
        Ok(None) | Err(_) => Err(mismatch(parser, expected)),
    }
}

/// Parses the indirect object at `offset`. `resolve_length` turns an indirect `/Length` into a
/// number (the caller reads that object in the same revision).
pub(crate) fn parse_indirect_object(
    source: &dyn Source,
    limits: &Limits,
    offset: u64,
    expected: Option<ObjectId>,
    resolve_length: &mut dyn FnMut(ObjectId) -> Result<i64>,
) -> Result<(ObjectId, ParsedIndirect)> {
    let mut parser = Parser::new(source, offset, limits);
    let (id, header_start) = parse_object_header(&mut parser, offset, expected)?;
    let (object, value_span, entries) = parser.top_level_object().map_err(|e| e.in_object(id))?;
    let next = parser
        .expect_token("endobj or stream")
        .map_err(|e| e.in_object(id))?;
    if next.token.is_keyword(b"endobj") {
        return Ok((
            id,
            ParsedIndirect {
                object,
                span: header_start..next.end,
                value_span,
                entries,
            },
        ));
    }
    if !next.token.is_keyword(b"stream") {
        return Err(PdfError::Syntax {
            offset: next.start,
            expected: "endobj",
            found: next.token.describe(),
        }
        .in_object(id));
    }
    let Object::Dictionary(dict) = object else {
        return Err(PdfError::MalformedStream {
            id,
            problem: "the stream keyword follows something other than a dictionary".to_string(),
        });
    };
    let (stream, end) = read_stream_body(&mut parser, id, dict, next.end, resolve_length)?;
    Ok((
        id,
        ParsedIndirect {
            object: Object::Stream(stream),
            span: header_start..end,
            value_span,
            entries,
        },
    ))
}

/// After the `stream` keyword: the EOL, `/Length` bytes of data, `endstream`, `endobj`.
fn read_stream_body(
    parser: &mut Parser<'_>,
    id: ObjectId,
    dict: Dictionary,
    after_keyword: u64,
    resolve_length: &mut dyn FnMut(ObjectId) -> Result<i64>,
) -> Result<(Stream, u64)> {
    let malformed = |problem: String| PdfError::MalformedStream { id, problem };
    let lexer = parser.lexer();
    // The keyword is followed by CRLF or LF (§7.3.8.1); a lone CR is tolerated.
    let data_start = match lexer.byte_at(after_keyword)? {
        Some(b'\r') if lexer.byte_at(after_keyword + 1)? == Some(b'\n') => after_keyword + 2,
        Some(b'\r') | Some(b'\n') => after_keyword + 1,
        _ => {
            return Err(malformed(
                "the stream keyword is not followed by an end-of-line".to_string(),
            ));
        }
    };
    let length = match dict.get(b"Length") {
        Some(Object::Integer(length)) => *length,
        Some(Object::Reference(length_id)) => resolve_length(*length_id)
            .map_err(|error| malformed(format!("cannot read its /Length {length_id}: {error}")))?,
        Some(other) => {
            return Err(malformed(format!(
                "/Length is a {}, not an integer",
                other.type_name()
            )));
        }
        None => return Err(malformed("/Length is missing".to_string())),
    };
    let length =
        u64::try_from(length).map_err(|_| malformed(format!("/Length {length} is negative")))?;
    let data_end = data_start
        .checked_add(length)
        .filter(|end| *end <= lexer.len())
        .ok_or_else(|| {
            malformed(format!(
                "/Length {length} runs past the end of the file from byte {data_start}"
            ))
        })?;
    parser.seek(data_end);
    let after = parser.next()?;
    match after {
        Some(token) if token.token.is_keyword(b"endstream") => {}
        _ => {
            let found = parser.lexer().excerpt(data_end);
            return Err(malformed(format!(
                "no endstream after /Length {length} bytes of data (byte {data_end}: {found})"
            )));
        }
    }
    let endobj = parser
        .expect_keyword(b"endobj", "endobj")
        .map_err(|e| e.in_object(id))?;
    Ok((
        Stream {
            dict,
            data: StreamData::InFile {
                offset: data_start,
                length,
            },
        },
        endobj.end,
    ))
}

/// Parses one direct object from `data` (used for objects inside object streams).
pub(crate) fn parse_direct_object(
    source: &dyn Source,
    limits: &Limits,
    offset: u64,
) -> Result<(Object, Range<u64>)> {
    let mut parser = Parser::new(source, offset, limits);
    parser.parse_object(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::source::MemorySource;

    fn parse(text: &[u8]) -> Result<Object> {
        let source = MemorySource(text.to_vec());
        let limits = Limits::default();
        parse_direct_object(&source, &limits, 0).map(|(object, _)| object)
    }

    #[test]
    fn parses_nested_values_and_references() {
        let object = parse(b"<< /A [1 2 0 R -3.5 (x\\)y) <41 4> /N#20ame true null] >>").unwrap();
        let dict = object.as_dict().unwrap();
        let items = dict.get(b"A").unwrap().as_array().unwrap();
        assert_eq!(items[0], Object::Integer(1));
        assert_eq!(items[1], Object::Reference(ObjectId::new(2, 0)));
        assert_eq!(items[2], Object::Real(-3.5));
        assert_eq!(items[3].as_string().unwrap().bytes, b"x)y");
        assert_eq!(items[4].as_string().unwrap().bytes, b"A@");
        assert_eq!(items[5], Object::name("N ame"));
        assert_eq!(items[6], Object::Bool(true));
        assert_eq!(items[7], Object::Null);
    }

    #[test]
    fn rejects_duplicate_keys() {
        let error = parse(b"<< /A 1 /A 2 >>").unwrap_err();
        assert!(matches!(error, PdfError::DuplicateKey { ref key, .. } if key == "A"));
    }

    #[test]
    fn bounds_nesting() {
        let deep = [b"[".repeat(1000), b"]".repeat(1000)].concat();
        let error = parse(&deep).unwrap_err();
        assert!(matches!(
            error,
            PdfError::LimitExceeded {
                limit: Limit::NestingDepth,
                ..
            }
        ));
    }

    #[test]
    fn rejects_bad_numbers() {
        assert!(parse(b"1.2.3").is_err());
        assert!(parse(b"99999999999999999999").is_err());
        assert!(parse(b"-").is_err());
        assert_eq!(parse(b"-.5").unwrap(), Object::Real(-0.5));
    }

    #[test]
    fn entry_spans_cover_values() {
        let text = b"7 0 obj\n<< /Contents <00AA> /ByteRange [0 1 2 3] >>\nendobj\n";
        let source = MemorySource(text.to_vec());
        let limits = Limits::default();
        let (id, parsed) =
            parse_indirect_object(&source, &limits, 0, Some(ObjectId::new(7, 0)), &mut |_| {
                Ok(0)
            })
            .unwrap();
        assert_eq!(id, ObjectId::new(7, 0));
        let contents = &parsed.entries[0];
        let span = contents.value_span.start as usize..contents.value_span.end as usize;
        assert_eq!(&text[span], b"<00AA>");
        let range = &parsed.entries[1];
        let span = range.value_span.start as usize..range.value_span.end as usize;
        assert_eq!(&text[span], b"[0 1 2 3]");
        assert_eq!(
            &text[parsed.span.start as usize..parsed.span.end as usize],
            &text[..text.len() - 1]
        );
    }

    #[test]
    fn header_must_match_the_expected_object() {
        let source = MemorySource(b"8 0 obj 1 endobj".to_vec());
        let limits = Limits::default();
        let error =
            parse_indirect_object(&source, &limits, 0, Some(ObjectId::new(7, 0)), &mut |_| {
                Ok(0)
            })
            .unwrap_err();
        assert!(matches!(error, PdfError::ObjectNotAtOffset { .. }));
    }
}
