//! Comparing two versions of an object: exact equality (references compared as references, not
//! followed; strings by their bytes whatever their syntax; streams by dictionary and encoded
//! bytes) and the list of dictionary keys whose values differ.

use crate::pdf::{Dictionary, Document, Name, Object, PdfError, StreamData};

/// True when `a` and `b` are the same value. Streams compare their dictionaries and where their
/// data lies (for a full comparison of stream data, use [`same_object`]).
pub(crate) fn same_value(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Null, Object::Null) => true,
        (Object::Bool(x), Object::Bool(y)) => x == y,
        (Object::Integer(x), Object::Integer(y)) => x == y,
        (Object::Real(x), Object::Real(y)) => x.to_bits() == y.to_bits() || x == y,
        (Object::Name(x), Object::Name(y)) => x == y,
        (Object::String(x), Object::String(y)) => x.bytes == y.bytes,
        (Object::Reference(x), Object::Reference(y)) => x == y,
        (Object::Array(x), Object::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_value(x, y))
        }
        (Object::Dictionary(x), Object::Dictionary(y)) => same_dict(x, y),
        (Object::Stream(x), Object::Stream(y)) => same_dict(&x.dict, &y.dict) && x.data == y.data,
        _ => false,
    }
}

fn same_dict(a: &Dictionary, b: &Dictionary) -> bool {
    a.len() == b.len()
        && a.iter().all(|(key, value)| {
            b.get(key.as_bytes())
                .is_some_and(|other| same_value(value, other))
        })
}

/// True when the indirect objects `a` and `b` are identical, stream data included (read from the
/// document, bounded by its decompressed-size limit).
pub(crate) fn same_object(doc: &Document, a: &Object, b: &Object) -> Result<bool, PdfError> {
    match (a, b) {
        (Object::Stream(x), Object::Stream(y)) => {
            if !same_dict(&x.dict, &y.dict) || x.encoded_len() != y.encoded_len() {
                return Ok(false);
            }
            if let (StreamData::InFile { offset: p, .. }, StreamData::InFile { offset: q, .. }) =
                (&x.data, &y.data)
                && p == q
            {
                return Ok(true);
            }
            Ok(doc.raw_stream_data(x)? == doc.raw_stream_data(y)?)
        }
        _ => Ok(same_value(a, b)),
    }
}

/// The keys added, removed or changed between `old` and `new`, in `new`'s order then `old`'s.
pub(crate) fn changed_keys(old: &Dictionary, new: &Dictionary) -> Vec<Name> {
    let mut keys: Vec<Name> = new
        .iter()
        .filter(|(key, value)| {
            old.get(key.as_bytes())
                .is_none_or(|previous| !same_value(previous, value))
        })
        .map(|(key, _)| key.clone())
        .collect();
    keys.extend(
        old.keys()
            .filter(|key| !new.contains_key(key.as_bytes()))
            .cloned(),
    );
    keys
}

/// The keys of `changed` that are not in `allowed`.
pub(crate) fn disallowed(changed: &[Name], allowed: &[&str]) -> Vec<Name> {
    changed
        .iter()
        .filter(|key| !allowed.iter().any(|allowed| *key == allowed))
        .cloned()
        .collect()
}

/// The type of an object as a reader tells them apart: the object kind, and `/Type` for
/// dictionaries and streams.
pub(crate) fn kind_of(object: &Object) -> String {
    let type_name = object
        .as_dict()
        .and_then(|dict| dict.get(b"Type"))
        .and_then(Object::as_name)
        .map(|name| String::from_utf8_lossy(name.as_bytes()).into_owned());
    match type_name {
        Some(name) => format!("{} /{name}", object.type_name()),
        None => object.type_name().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::{ObjectId, PdfString};

    #[test]
    fn strings_compare_by_bytes_and_references_by_id() {
        assert!(same_value(
            &Object::String(PdfString::literal(b"abc".to_vec())),
            &Object::String(PdfString::hex(b"abc".to_vec())),
        ));
        assert!(!same_value(
            &Object::Reference(ObjectId::new(1, 0)),
            &Object::Reference(ObjectId::new(1, 1)),
        ));
        assert!(!same_value(&Object::Integer(1), &Object::Real(1.0)));
    }

    #[test]
    fn changed_keys_lists_additions_changes_and_removals() {
        let old = Dictionary::new()
            .with("A", 1)
            .with("B", 2)
            .with("C", Dictionary::new().with("X", 1));
        let new = Dictionary::new()
            .with("C", Dictionary::new().with("X", 1))
            .with("B", 3)
            .with("D", 4);
        let keys: Vec<String> = changed_keys(&old, &new)
            .iter()
            .map(|key| key.to_string())
            .collect();
        assert_eq!(keys, ["/B", "/D", "/A"]);
        assert_eq!(disallowed(&changed_keys(&old, &new), &["B", "D"]).len(), 1);
    }
}
