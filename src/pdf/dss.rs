//! The document security store (`/DSS`, ETSI EN 319 142-1 §5.4, ISO 32000-2 §12.8.4.3): reading it,
//! and appending certificates, CRLs, OCSP responses and per-signature `/VRI` entries in a new
//! incremental update, merged with what is already there (PAdES B-LT).

use std::collections::{BTreeMap, HashMap};

use time::OffsetDateTime;

use super::document::{Document, View};
use super::error::{PdfError, Result};
use super::limits::Limit;
use super::object::{Dictionary, Object, ObjectId, Stream, wrong_type};
use super::text::{format_pdf_date, parse_pdf_date};
use super::writer::IncrementalUpdate;

/// Validation data to add to the document security store. Every blob is DER.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DssUpdate {
    pub certs: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    /// Per-signature entries; their blobs are also added to the global arrays.
    pub vri: Vec<VriEntry>,
}

/// The validation data of one signature (a `/VRI` entry).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VriEntry {
    /// The signature's `/Contents` string bytes exactly as stored, zero padding included: the
    /// entry's key is their upper-case hex SHA-1 (ISO 32000-2 §12.8.4.4, as pyHanko does).
    pub signature_contents: Vec<u8>,
    pub certs: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    /// `/TU`: when this validation data was gathered.
    pub time: Option<OffsetDateTime>,
}

/// The document security store as read from a document, streams decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dss {
    pub certs: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    /// `/VRI` entries by key (upper-case hex SHA-1 of a signature's `/Contents`).
    pub vri: BTreeMap<String, VriData>,
}

/// One `/VRI` entry as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VriData {
    pub certs: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    pub ocsps: Vec<Vec<u8>>,
    pub time: Option<OffsetDateTime>,
}

/// The `/VRI` key of a signature: upper-case hex SHA-1 of its `/Contents` bytes.
pub fn vri_key(signature_contents: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, signature_contents);
    hex::encode_upper(digest.as_ref())
}

/// The global arrays of the DSS and the matching keys of a VRI entry.
const CATEGORIES: [(&str, &str); 3] = [("Certs", "Cert"), ("CRLs", "CRL"), ("OCSPs", "OCSP")];

impl View<'_> {
    /// The catalog's `/DSS`, with every stream decoded.
    pub fn dss(&self) -> Result<Option<Dss>> {
        let (_, catalog) = self.catalog()?;
        let Some(dict) = self.dict_at(&catalog, b"DSS")? else {
            return Ok(None);
        };
        let mut streams = DssStreams::new(self.document().limits());
        let [certs, crls, ocsps] =
            CATEGORIES.map(|(key, _)| streams.decode_all(self, &dict, key.as_bytes()));
        let mut dss = Dss {
            certs: certs?,
            crls: crls?,
            ocsps: ocsps?,
            vri: BTreeMap::new(),
        };
        if let Some(vri) = self.dict_at(&dict, b"VRI")? {
            for (key, value) in &vri {
                let entry = match self.resolve(value)? {
                    Object::Dictionary(entry) => entry,
                    other => return Err(wrong_type("/VRI entry", "dictionary", &other)),
                };
                let [certs, crls, ocsps] =
                    CATEGORIES.map(|(_, key)| streams.decode_all(self, &entry, key.as_bytes()));
                let time = match self.resolve_key(&entry, b"TU")? {
                    Object::String(date) => parse_pdf_date(&date.bytes),
                    _ => None,
                };
                let key = String::from_utf8_lossy(key.as_bytes()).into_owned();
                dss.vri.insert(
                    key,
                    VriData {
                        certs: certs?,
                        crls: crls?,
                        ocsps: ocsps?,
                        time,
                    },
                );
            }
        }
        Ok(Some(dss))
    }
}

/// The streams of one `/DSS` read: each decoded once, however many arrays and `/VRI` entries
/// name it, and all the bytes handed out bounded, so that thousands of references to one
/// compressed bomb cost neither thousands of inflations nor their copies.
struct DssStreams {
    decoded: HashMap<ObjectId, Vec<u8>>,
    handed_out: usize,
    max_handed_out: usize,
}

impl DssStreams {
    fn new(limits: &crate::pdf::Limits) -> Self {
        DssStreams {
            decoded: HashMap::new(),
            handed_out: 0,
            max_handed_out: limits.max_decompressed_size.saturating_mul(8),
        }
    }

    fn decode_all(
        &mut self,
        view: &View<'_>,
        dict: &Dictionary,
        key: &[u8],
    ) -> Result<Vec<Vec<u8>>> {
        let items = view.array_at(dict, key)?.unwrap_or_default();
        items
            .iter()
            .map(|item| {
                let data = match item {
                    Object::Reference(id) => match self.decoded.get(id) {
                        Some(data) => data.clone(),
                        None => {
                            let data = decode_entry(view, item)?;
                            self.decoded.insert(*id, data.clone());
                            data
                        }
                    },
                    direct => decode_entry(view, direct)?,
                };
                self.handed_out = self.handed_out.saturating_add(data.len());
                if self.handed_out > self.max_handed_out {
                    return Err(PdfError::limit(
                        Limit::DecompressedSize,
                        self.handed_out as u64,
                        self.max_handed_out as u64,
                    ));
                }
                Ok(data)
            })
            .collect()
    }
}

fn decode_entry(view: &View<'_>, item: &Object) -> Result<Vec<u8>> {
    match view.resolve(item)? {
        Object::Stream(stream) => Ok(view.decode_stream(&stream)?.data),
        other => Err(wrong_type("/DSS entry", "stream", &other)),
    }
}

/// Appends `dss` to `doc` in a new incremental update and returns the complete output.
pub fn append_dss(doc: &Document, dss: &DssUpdate) -> Result<Vec<u8>> {
    let mut update = IncrementalUpdate::new(doc)?;
    add_dss(&mut update, dss)?;
    Ok(update.write()?.bytes)
}

/// Stages `dss` in `update`: blobs already in the store are reused, new ones become streams, the
/// global arrays and `/VRI` entries are merged with the existing ones.
pub fn add_dss(update: &mut IncrementalUpdate<'_>, dss: &DssUpdate) -> Result<()> {
    let doc = update.document();
    let view = doc.latest();
    let root = update.root()?;
    let catalog = update.current(root)?;
    let catalog_dict = catalog
        .as_dict()
        .ok_or_else(|| PdfError::structure("the catalog is not a dictionary"))?;
    let existing_id = catalog_dict.get_reference(b"DSS").ok().flatten();
    let mut store = match view.resolve(catalog_dict.get(b"DSS").unwrap_or(&Object::Null))? {
        Object::Dictionary(dict) => dict,
        Object::Null => Dictionary::new().with("Type", Object::name("DSS")),
        other => return Err(wrong_type("/DSS", "dictionary", &other)),
    };
    let news: [Vec<&Vec<u8>>; 3] = [
        collect(&dss.certs, dss.vri.iter().map(|entry| &entry.certs)),
        collect(&dss.crls, dss.vri.iter().map(|entry| &entry.crls)),
        collect(&dss.ocsps, dss.vri.iter().map(|entry| &entry.ocsps)),
    ];
    let mut known: [HashMap<Vec<u8>, ObjectId>; 3] = Default::default();
    for (((key, _), blobs), known) in CATEGORIES.iter().zip(news).zip(known.iter_mut()) {
        let mut refs = existing_refs(&view, &store, key.as_bytes(), known)?;
        for blob in blobs {
            if !known.contains_key(blob.as_slice()) {
                let id = update.add(Stream::new(Dictionary::new(), blob.clone()))?;
                known.insert(blob.clone(), id);
                refs.push(Object::Reference(id));
            }
        }
        if !refs.is_empty() {
            store.insert(*key, Object::Array(refs));
        }
    }
    if !dss.vri.is_empty() {
        let mut vri = match store.get(b"VRI") {
            Some(value) => match view.resolve(value)? {
                Object::Dictionary(vri) => vri,
                Object::Null => Dictionary::new(),
                other => return Err(wrong_type("/VRI", "dictionary", &other)),
            },
            None => Dictionary::new(),
        };
        for entry in &dss.vri {
            let key = vri_key(&entry.signature_contents);
            let mut merged = match vri.get(key.as_bytes()) {
                Some(value) => match view.resolve(value)? {
                    Object::Dictionary(existing) => existing,
                    _ => Dictionary::new(),
                },
                None => Dictionary::new(),
            };
            let blobs = [&entry.certs, &entry.crls, &entry.ocsps];
            for (((_, entry_key), blobs), known) in CATEGORIES.iter().zip(blobs).zip(&known) {
                let mut refs = view
                    .array_at(&merged, entry_key.as_bytes())?
                    .unwrap_or_default();
                for blob in blobs {
                    let id = known
                        .get(blob.as_slice())
                        .copied()
                        .ok_or_else(|| PdfError::update("a VRI blob was not added to the store"))?;
                    if !refs.contains(&Object::Reference(id)) {
                        refs.push(Object::Reference(id));
                    }
                }
                if !refs.is_empty() {
                    merged.insert(*entry_key, Object::Array(refs));
                }
            }
            if let Some(time) = entry.time {
                merged.insert("TU", Object::string(format_pdf_date(time)));
            }
            vri.insert(key.as_str(), merged);
        }
        store.insert("VRI", vri);
    }
    match existing_id {
        // Only an existing object: a dangling /DSS reference could name an id of this update.
        Some(id) if view.get(id)?.is_some() => update.set(id, store),
        _ => {
            let id = update.add(store)?;
            let mut catalog = update.current(root)?;
            if let Some(dict) = catalog.as_dict_mut() {
                dict.insert("DSS", id);
            }
            update.set(root, catalog)
        }
    }
}

/// The global blobs followed by every VRI entry's, each once, in order.
fn collect<'a>(
    global: &'a [Vec<u8>],
    per_entry: impl Iterator<Item = &'a Vec<Vec<u8>>>,
) -> Vec<&'a Vec<u8>> {
    let mut out: Vec<&Vec<u8>> = Vec::new();
    for blob in global.iter().chain(per_entry.flatten()) {
        if !out.contains(&blob) {
            out.push(blob);
        }
    }
    out
}

/// The references already in `store[key]`, recording each stream's decoded bytes in `known`.
fn existing_refs(
    view: &View<'_>,
    store: &Dictionary,
    key: &[u8],
    known: &mut HashMap<Vec<u8>, ObjectId>,
) -> Result<Vec<Object>> {
    let items = view.array_at(store, key)?.unwrap_or_default();
    for item in &items {
        let Object::Reference(id) = item else {
            continue;
        };
        if let Object::Stream(stream) = &view.object(*id)?.object {
            let data = view.decode_stream(stream)?.data;
            known.entry(data).or_insert(*id);
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vri_key_is_upper_case_sha1() {
        assert_eq!(vri_key(b"abc"), "A9993E364706816ABA3E25717850C26C9CD0D89D");
    }
}
