//! The PDF object model (ISO 32000-1 §7.3): values as read from a file or built for an update,
//! with typed accessors that fail with errors naming the key and the types involved.

use std::borrow::Borrow;
use std::fmt;

use indexmap::IndexMap;

use super::error::{PdfError, Result};
use super::text;

/// An indirect object's identity: object number and generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    pub number: u32,
    pub generation: u16,
}

impl ObjectId {
    pub const fn new(number: u32, generation: u16) -> Self {
        ObjectId { number, generation }
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} R", self.number, self.generation)
    }
}

/// A name object's bytes, without the leading `/` and with `#xx` escapes decoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(Vec<u8>);

impl Name {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Name(bytes.into())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The name as UTF-8 text, when it is.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl Borrow<[u8]> for Name {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(value: &str) -> Self {
        Name(value.as_bytes().to_vec())
    }
}

impl From<&[u8]> for Name {
    fn from(value: &[u8]) -> Self {
        Name(value.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for Name {
    fn from(value: &[u8; N]) -> Self {
        Name(value.to_vec())
    }
}

impl From<Vec<u8>> for Name {
    fn from(value: Vec<u8>) -> Self {
        Name(value)
    }
}

impl PartialEq<[u8]> for Name {
    fn eq(&self, other: &[u8]) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl fmt::Display for Name {
    /// Written as PDF syntax: `/Name` with `#xx` escapes where needed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::with_capacity(self.0.len() + 1);
        super::serialize::write_name(&mut out, self);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

/// How a string was (or will be) written: `( … )` or `< … >`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StringForm {
    #[default]
    Literal,
    Hex,
}

/// A string object: its bytes and the syntax it was written in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PdfString {
    pub bytes: Vec<u8>,
    pub form: StringForm,
}

impl PdfString {
    pub fn literal(bytes: impl Into<Vec<u8>>) -> Self {
        PdfString {
            bytes: bytes.into(),
            form: StringForm::Literal,
        }
    }

    pub fn hex(bytes: impl Into<Vec<u8>>) -> Self {
        PdfString {
            bytes: bytes.into(),
            form: StringForm::Hex,
        }
    }

    /// A text string (§7.9.2.2): PDFDocEncoding-compatible ASCII as is, anything else UTF-16BE.
    pub fn text(value: &str) -> Self {
        PdfString::literal(text::encode_text_string(value))
    }

    /// The bytes decoded as a text string (UTF-16BE or UTF-8 with BOM, else PDFDocEncoding).
    pub fn to_text(&self) -> String {
        text::decode_text_string(&self.bytes)
    }
}

/// Where a stream's (still encoded) data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamData {
    /// Bytes held in memory (built for an update, or taken from an object stream).
    Owned(Vec<u8>),
    /// `length` bytes at absolute `offset` of the document's source, read only when asked.
    InFile { offset: u64, length: u64 },
}

/// A stream: its dictionary and its encoded data.
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    pub dict: Dictionary,
    pub data: StreamData,
}

impl Stream {
    /// A stream holding `data` as is (already encoded as its `/Filter` says, if any).
    /// The writer sets `/Length`.
    pub fn new(dict: Dictionary, data: Vec<u8>) -> Self {
        Stream {
            dict,
            data: StreamData::Owned(data),
        }
    }

    /// A stream holding `data` compressed with FlateDecode (`/Filter` set accordingly). For
    /// content streams, fonts and other data the caller builds.
    pub fn compressed(mut dict: Dictionary, data: &[u8]) -> Self {
        use std::io::Write;
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        // Writing into a Vec cannot fail.
        let compressed = encoder
            .write_all(data)
            .and_then(|()| encoder.finish())
            .unwrap_or_default();
        dict.insert("Filter", Object::name("FlateDecode"));
        Stream::new(dict, compressed)
    }

    /// The encoded length of the data.
    pub fn encoded_len(&self) -> u64 {
        match &self.data {
            StreamData::Owned(bytes) => bytes.len() as u64,
            StreamData::InFile { length, .. } => *length,
        }
    }
}

/// An insertion-ordered dictionary. Keys are unique: the reader rejects duplicate keys, because two
/// readers could pick different values for the same key.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dictionary {
    entries: IndexMap<Name, Object>,
}

/// Any PDF value.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    Null,
    Bool(bool),
    Integer(i64),
    Real(f64),
    Name(Name),
    String(PdfString),
    Array(Vec<Object>),
    Dictionary(Dictionary),
    Stream(Stream),
    Reference(ObjectId),
}

impl Object {
    /// A name object from text, e.g. `Object::name("Sig")` for `/Sig`.
    pub fn name(value: impl Into<Name>) -> Object {
        Object::Name(value.into())
    }

    /// A text string object (PDFDocEncoding/ASCII or UTF-16BE).
    pub fn text(value: &str) -> Object {
        Object::String(PdfString::text(value))
    }

    /// A literal string with exactly these bytes.
    pub fn string(bytes: impl Into<Vec<u8>>) -> Object {
        Object::String(PdfString::literal(bytes))
    }

    /// The type's name as used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Object::Null => "null",
            Object::Bool(_) => "boolean",
            Object::Integer(_) => "integer",
            Object::Real(_) => "real",
            Object::Name(_) => "name",
            Object::String(_) => "string",
            Object::Array(_) => "array",
            Object::Dictionary(_) => "dictionary",
            Object::Stream(_) => "stream",
            Object::Reference(_) => "reference",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Object::Null)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Object::Bool(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_integer(&self) -> Option<i64> {
        match self {
            Object::Integer(value) => Some(*value),
            _ => None,
        }
    }

    /// An integer or a real, as `f64`.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Object::Integer(value) => Some(*value as f64),
            Object::Real(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_name(&self) -> Option<&Name> {
        match self {
            Object::Name(name) => Some(name),
            _ => None,
        }
    }

    /// True when this is the name `/expected`.
    pub fn is_name(&self, expected: &str) -> bool {
        self.as_name().is_some_and(|name| *name == expected)
    }

    pub fn as_string(&self) -> Option<&PdfString> {
        match self {
            Object::String(string) => Some(string),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Object]> {
        match self {
            Object::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Object>> {
        match self {
            Object::Array(items) => Some(items),
            _ => None,
        }
    }

    /// A dictionary, or the dictionary of a stream.
    pub fn as_dict(&self) -> Option<&Dictionary> {
        match self {
            Object::Dictionary(dict) => Some(dict),
            Object::Stream(stream) => Some(&stream.dict),
            _ => None,
        }
    }

    pub fn as_dict_mut(&mut self) -> Option<&mut Dictionary> {
        match self {
            Object::Dictionary(dict) => Some(dict),
            Object::Stream(stream) => Some(&mut stream.dict),
            _ => None,
        }
    }

    pub fn as_stream(&self) -> Option<&Stream> {
        match self {
            Object::Stream(stream) => Some(stream),
            _ => None,
        }
    }

    pub fn as_reference(&self) -> Option<ObjectId> {
        match self {
            Object::Reference(id) => Some(*id),
            _ => None,
        }
    }

    /// The dictionary, or a [`PdfError::WrongType`] naming `context`.
    pub fn expect_dict(&self, context: &str) -> Result<&Dictionary> {
        self.as_dict()
            .ok_or_else(|| wrong_type(context, "dictionary", self))
    }

    /// The array, or a [`PdfError::WrongType`] naming `context`.
    pub fn expect_array(&self, context: &str) -> Result<&[Object]> {
        self.as_array()
            .ok_or_else(|| wrong_type(context, "array", self))
    }

    /// The stream, or a [`PdfError::WrongType`] naming `context`.
    pub fn expect_stream(&self, context: &str) -> Result<&Stream> {
        self.as_stream()
            .ok_or_else(|| wrong_type(context, "stream", self))
    }

    /// The integer, or a [`PdfError::WrongType`] naming `context`.
    pub fn expect_integer(&self, context: &str) -> Result<i64> {
        self.as_integer()
            .ok_or_else(|| wrong_type(context, "integer", self))
    }

    /// The name, or a [`PdfError::WrongType`] naming `context`.
    pub fn expect_name(&self, context: &str) -> Result<&Name> {
        self.as_name()
            .ok_or_else(|| wrong_type(context, "name", self))
    }
}

pub(crate) fn wrong_type(context: &str, expected: &'static str, found: &Object) -> PdfError {
    PdfError::WrongType {
        context: context.to_string(),
        expected,
        found: found.type_name(),
    }
}

impl From<bool> for Object {
    fn from(value: bool) -> Self {
        Object::Bool(value)
    }
}

impl From<i64> for Object {
    fn from(value: i64) -> Self {
        Object::Integer(value)
    }
}

impl From<i32> for Object {
    fn from(value: i32) -> Self {
        Object::Integer(i64::from(value))
    }
}

impl From<u32> for Object {
    fn from(value: u32) -> Self {
        Object::Integer(i64::from(value))
    }
}

impl From<f64> for Object {
    fn from(value: f64) -> Self {
        Object::Real(value)
    }
}

impl From<Name> for Object {
    fn from(value: Name) -> Self {
        Object::Name(value)
    }
}

impl From<PdfString> for Object {
    fn from(value: PdfString) -> Self {
        Object::String(value)
    }
}

impl From<Vec<Object>> for Object {
    fn from(value: Vec<Object>) -> Self {
        Object::Array(value)
    }
}

impl From<Dictionary> for Object {
    fn from(value: Dictionary) -> Self {
        Object::Dictionary(value)
    }
}

impl From<Stream> for Object {
    fn from(value: Stream) -> Self {
        Object::Stream(value)
    }
}

impl From<ObjectId> for Object {
    fn from(value: ObjectId) -> Self {
        Object::Reference(value)
    }
}

impl Dictionary {
    pub fn new() -> Self {
        Dictionary::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, key: &[u8]) -> Option<&Object> {
        self.entries.get(key)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Object> {
        self.entries.get_mut(key)
    }

    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.entries.contains_key(key)
    }

    /// Sets `key` (keeping its position when it already exists) and returns the old value.
    pub fn insert(&mut self, key: impl Into<Name>, value: impl Into<Object>) -> Option<Object> {
        self.entries.insert(key.into(), value.into())
    }

    /// Builder form of [`Dictionary::insert`].
    pub fn with(mut self, key: impl Into<Name>, value: impl Into<Object>) -> Self {
        self.insert(key, value);
        self
    }

    /// Removes `key`, keeping the order of the other entries.
    pub fn remove(&mut self, key: &[u8]) -> Option<Object> {
        self.entries.shift_remove(key)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Name, &Object)> {
        self.entries.iter()
    }

    pub fn keys(&self) -> impl Iterator<Item = &Name> {
        self.entries.keys()
    }

    /// Inserts only when the key is new; returns false (and changes nothing) for a duplicate.
    pub(crate) fn insert_new(&mut self, key: Name, value: Object) -> bool {
        match self.entries.entry(key) {
            indexmap::map::Entry::Occupied(_) => false,
            indexmap::map::Entry::Vacant(slot) => {
                slot.insert(value);
                true
            }
        }
    }

    /// True when `/Type` is the name `expected`.
    pub fn has_type(&self, expected: &str) -> bool {
        self.get(b"Type")
            .is_some_and(|value| value.is_name(expected))
    }

    /// The entry, or [`PdfError::MissingKey`].
    pub fn require(&self, key: &[u8]) -> Result<&Object> {
        self.get(key).ok_or_else(|| PdfError::MissingKey {
            context: "dictionary".to_string(),
            key: String::from_utf8_lossy(key).into_owned(),
        })
    }

    /// The entry's integer value; `None` when absent, an error when of another type. Does not
    /// follow references: use the document's `resolve` for values that may be indirect.
    pub fn get_integer(&self, key: &[u8]) -> Result<Option<i64>> {
        self.typed(key, "integer", Object::as_integer)
    }

    /// The entry's name value; `None` when absent, an error when of another type.
    pub fn get_name(&self, key: &[u8]) -> Result<Option<&Name>> {
        self.typed(key, "name", Object::as_name)
    }

    /// The entry's string value; `None` when absent, an error when of another type.
    pub fn get_string(&self, key: &[u8]) -> Result<Option<&PdfString>> {
        self.typed(key, "string", Object::as_string)
    }

    /// The entry's reference value; `None` when absent, an error when of another type.
    pub fn get_reference(&self, key: &[u8]) -> Result<Option<ObjectId>> {
        self.typed(key, "reference", Object::as_reference)
    }

    /// The entry's direct array value; `None` when absent, an error when of another type.
    pub fn get_array(&self, key: &[u8]) -> Result<Option<&[Object]>> {
        self.typed(key, "array", Object::as_array)
    }

    /// The entry's direct dictionary value; `None` when absent, an error when of another type.
    pub fn get_dict(&self, key: &[u8]) -> Result<Option<&Dictionary>> {
        self.typed(key, "dictionary", |value| match value {
            Object::Dictionary(dict) => Some(dict),
            _ => None,
        })
    }

    fn typed<'a, T>(
        &'a self,
        key: &[u8],
        expected: &'static str,
        pick: impl Fn(&'a Object) -> Option<T>,
    ) -> Result<Option<T>> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => pick(value).map(Some).ok_or_else(|| {
                wrong_type(
                    &format!("/{}", String::from_utf8_lossy(key)),
                    expected,
                    value,
                )
            }),
        }
    }
}

impl<'a> IntoIterator for &'a Dictionary {
    type Item = (&'a Name, &'a Object);
    type IntoIter = indexmap::map::Iter<'a, Name, Object>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

impl<K: Into<Name>, V: Into<Object>> FromIterator<(K, V)> for Dictionary {
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        let mut dict = Dictionary::new();
        for (key, value) in iter {
            dict.insert(key, value);
        }
        dict
    }
}

/// A rectangle in default user space, normalised so that `llx <= urx` and `lly <= ury`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    pub llx: f64,
    pub lly: f64,
    pub urx: f64,
    pub ury: f64,
}

impl Rect {
    /// A normalised rectangle from any two opposite corners.
    pub fn new(x1: f64, y1: f64, x2: f64, y2: f64) -> Self {
        Rect {
            llx: x1.min(x2),
            lly: y1.min(y2),
            urx: x1.max(x2),
            ury: y1.max(y2),
        }
    }

    pub fn width(&self) -> f64 {
        self.urx - self.llx
    }

    pub fn height(&self) -> f64 {
        self.ury - self.lly
    }

    /// True for the zero-area rectangle of an invisible signature.
    pub fn is_empty(&self) -> bool {
        self.width() == 0.0 || self.height() == 0.0
    }

    /// Reads `[x1 y1 x2 y2]` (direct numbers).
    pub fn from_object(value: &Object, context: &str) -> Result<Rect> {
        let items = value.expect_array(context)?;
        let numbers: Vec<f64> = items
            .iter()
            .map(|item| {
                item.as_number()
                    .filter(|number| number.is_finite())
                    .ok_or_else(|| wrong_type(context, "number", item))
            })
            .collect::<Result<_>>()?;
        match numbers.as_slice() {
            [x1, y1, x2, y2] => Ok(Rect::new(*x1, *y1, *x2, *y2)),
            _ => Err(PdfError::WrongType {
                context: context.to_string(),
                expected: "array of 4 numbers",
                found: "array of another length",
            }),
        }
    }

    pub fn to_object(&self) -> Object {
        Object::Array(vec![
            number_object(self.llx),
            number_object(self.lly),
            number_object(self.urx),
            number_object(self.ury),
        ])
    }
}

/// An integer object when the value is integral, else a real.
pub fn number_object(value: f64) -> Object {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        Object::Integer(value as i64)
    } else {
        Object::Real(value)
    }
}
