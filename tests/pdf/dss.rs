//! The document security store: appending certificates, CRLs, OCSP responses and VRI entries,
//! merging with an existing store without duplicates, and reading it back.

use vanthu::pdf::{
    Dictionary, Document, DssUpdate, IncrementalUpdate, Object, SignatureSpec, Stream, VriEntry,
    append_dss, prepare_signature, vri_key,
};

use crate::common;
use crate::support::{Layout, assert_qpdf_clean, simple_pdf};

fn signed_document() -> Vec<u8> {
    let doc = Document::from_bytes(simple_pdf(1, Layout::Streams)).unwrap();
    let mut spec = SignatureSpec::new("Signature1");
    spec.contents_capacity = 64;
    let prepared = prepare_signature(&doc, &spec).unwrap();
    prepared.embed(&[0x30, 0x03, 0x02, 0x01, 0x05]).unwrap()
}

fn signature_contents(doc: &Document) -> Vec<u8> {
    let fields = doc.latest().signature_fields().unwrap();
    let signature = fields[0].signature.as_ref().unwrap();
    signature
        .dict
        .get_string(b"Contents")
        .unwrap()
        .unwrap()
        .bytes
        .clone()
}

#[test]
fn dss_is_appended_then_merged_without_duplicates() {
    let input = signed_document();
    let doc = Document::from_bytes(input.clone()).unwrap();
    let contents = signature_contents(&doc);
    assert_eq!(contents.len(), 64, "the key covers the zero padding too");
    let time = time::macros::datetime!(2024-03-09 10:08:00 +07:00);
    let first = DssUpdate {
        certs: vec![b"cert-1".to_vec(), b"cert-2".to_vec()],
        crls: vec![b"crl-1".to_vec()],
        ocsps: Vec::new(),
        vri: vec![VriEntry {
            signature_contents: contents.clone(),
            certs: vec![b"cert-1".to_vec()],
            crls: vec![b"crl-1".to_vec()],
            ocsps: Vec::new(),
            time: Some(time),
        }],
    };
    let once = append_dss(&doc, &first).unwrap();
    assert!(once.starts_with(&input));
    assert_qpdf_clean(&once, "DSS appended");
    let doc = Document::from_bytes(once.clone()).unwrap();
    assert_eq!(doc.revisions().len(), 3);
    let dss = doc.latest().dss().unwrap().unwrap();
    assert_eq!(dss.certs, [b"cert-1".to_vec(), b"cert-2".to_vec()]);
    assert_eq!(dss.crls, [b"crl-1".to_vec()]);
    assert!(dss.ocsps.is_empty());
    let key = vri_key(&contents);
    let entry = &dss.vri[&key];
    assert_eq!(entry.certs, [b"cert-1".to_vec()]);
    assert_eq!(entry.crls, [b"crl-1".to_vec()]);
    assert_eq!(entry.time, Some(time));
    // The signed revision is untouched: the signature still ends at its own %%EOF.
    assert!(doc.revision_ending_at(input.len() as u64).is_some());

    let second = DssUpdate {
        certs: vec![b"cert-2".to_vec()],
        crls: Vec::new(),
        ocsps: vec![b"ocsp-1".to_vec()],
        vri: vec![VriEntry {
            signature_contents: contents.clone(),
            certs: vec![b"cert-3".to_vec()],
            ..VriEntry::default()
        }],
    };
    let twice = append_dss(&doc, &second).unwrap();
    assert_qpdf_clean(&twice, "DSS merged");
    let doc = Document::from_bytes(twice).unwrap();
    let dss = doc.latest().dss().unwrap().unwrap();
    assert_eq!(
        dss.certs,
        [b"cert-1".to_vec(), b"cert-2".to_vec(), b"cert-3".to_vec()]
    );
    assert_eq!(dss.ocsps, [b"ocsp-1".to_vec()]);
    assert_eq!(dss.crls, [b"crl-1".to_vec()]);
    let entry = &dss.vri[&key];
    assert_eq!(entry.certs, [b"cert-1".to_vec(), b"cert-3".to_vec()]);
    assert_eq!(entry.crls, [b"crl-1".to_vec()]);
    // Only the two new blobs became streams; the DSS dictionary kept its object.
    let newest = doc.latest_revision();
    let streams = newest
        .defined_ids()
        .into_iter()
        .filter(|id| !newest.xref_stream_ids().contains(id))
        .filter(|id| doc.object(*id).unwrap().object.as_stream().is_some())
        .count();
    assert_eq!(streams, 2);
}

#[test]
fn a_direct_dss_in_the_catalog_is_kept_and_extended() {
    let doc = Document::from_bytes(simple_pdf(1, Layout::Table)).unwrap();
    let mut update = IncrementalUpdate::new(&doc).unwrap();
    let cert = update
        .add(Stream::new(Dictionary::new(), b"old-cert".to_vec()))
        .unwrap();
    let root = update.root().unwrap();
    let mut catalog = update.current(root).unwrap();
    catalog.as_dict_mut().unwrap().insert(
        "DSS",
        Dictionary::new().with("Certs", Object::Array(vec![cert.into()])),
    );
    update.set(root, catalog).unwrap();
    let with_direct = update.write().unwrap().bytes;
    let doc = Document::from_bytes(with_direct).unwrap();
    let extended = append_dss(
        &doc,
        &DssUpdate {
            certs: vec![b"old-cert".to_vec(), b"new-cert".to_vec()],
            ..DssUpdate::default()
        },
    )
    .unwrap();
    assert_qpdf_clean(&extended, "direct DSS extended");
    let doc = Document::from_bytes(extended).unwrap();
    let dss = doc.latest().dss().unwrap().unwrap();
    assert_eq!(dss.certs, [b"old-cert".to_vec(), b"new-cert".to_vec()]);
}

#[test]
fn corpus_dss_keys_match_signature_contents() {
    let Some(dir) = common::require("../shared/corpus", common::corpus_dir()) else {
        return;
    };
    let doc = Document::open(dir.join("dss/PAdES-LT.pdf")).unwrap();
    let view = doc.latest();
    let dss = view.dss().unwrap().unwrap();
    assert!(!dss.certs.is_empty());
    let keys: Vec<String> = view
        .signature_fields()
        .unwrap()
        .iter()
        .filter_map(|field| field.signature.as_ref())
        .map(|signature| {
            vri_key(
                &signature
                    .dict
                    .get_string(b"Contents")
                    .unwrap()
                    .unwrap()
                    .bytes,
            )
        })
        .collect();
    assert!(
        keys.iter().any(|key| dss.vri.contains_key(key)),
        "no VRI key among {keys:?} in {:?}",
        dss.vri.keys().collect::<Vec<_>>()
    );
}

#[test]
fn a_dss_naming_one_bomb_many_times_is_refused_not_copied() {
    use std::io::Write as _;
    // A stream that inflates to 1 MiB, named 100 times: decoded once, and the copies handed out
    // stop at eight times the stream limit.
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0u8; 1024 * 1024]).unwrap();
    let bomb = encoder.finish().unwrap();
    let doc = Document::from_bytes(simple_pdf(1, Layout::Streams)).unwrap();
    let mut update = IncrementalUpdate::new(&doc).unwrap();
    let stream = update
        .add(Stream::new(
            Dictionary::new().with("Filter", Object::name("FlateDecode")),
            bomb,
        ))
        .unwrap();
    let dss = update
        .add(Dictionary::new().with("Certs", Object::Array(vec![Object::Reference(stream); 100])))
        .unwrap();
    let root = update.root().unwrap();
    let mut catalog = update.current(root).unwrap();
    catalog.as_dict_mut().unwrap().insert("DSS", dss);
    update.set(root, catalog).unwrap();
    let bytes = update.write().unwrap().bytes;
    let limits = vanthu::pdf::Limits {
        max_decompressed_size: 2 * 1024 * 1024,
        ..vanthu::pdf::Limits::default()
    };
    let doc = Document::from_bytes_with_limits(bytes, limits).unwrap();
    let error = doc.latest().dss().unwrap_err();
    assert!(
        matches!(
            error.root_cause(),
            vanthu::pdf::PdfError::LimitExceeded {
                limit: vanthu::pdf::Limit::DecompressedSize,
                ..
            }
        ),
        "{error}"
    );
}
