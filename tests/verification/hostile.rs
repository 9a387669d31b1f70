//! Hostile input: signed files cut short, with bytes flipped, with their `/ByteRange` and
//! `/Contents` replaced by malformed values, and bytes that are no PDF at all. Each gives a
//! report that holds together (the fuzz target's invariants), never a panic.

use std::path::PathBuf;

use super::fuzz_corpus::verify_exercise;

fn seed(name: &str) -> Vec<u8> {
    let path: PathBuf = crate::common::repo_dir()
        .join("fuzz/corpus/verify")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Replaces the value after `key` up to the end of its token with `value`, keeping the length
/// when `value` fits (so offsets stay valid) and shifting the file otherwise.
fn replace_value(pdf: &[u8], key: &[u8], end: u8, value: &[u8]) -> Vec<u8> {
    let start = find(pdf, key).unwrap() + key.len();
    let stop = start + pdf[start..].iter().position(|b| *b == end).unwrap() + 1;
    let mut out = pdf[..start].to_vec();
    out.push(b' ');
    out.extend_from_slice(value);
    let old_width = stop - start;
    let new_width = value.len() + 1;
    if new_width < old_width {
        out.extend(std::iter::repeat_n(b' ', old_width - new_width));
    }
    out.extend_from_slice(&pdf[stop..]);
    out
}

#[test]
fn truncated_and_flipped_signed_files() {
    for name in ["seed-pades-streams.pdf", "seed-two-signatures.pdf"] {
        let pdf = seed(name);
        for cut in (0..pdf.len()).step_by(pdf.len() / 61 + 1) {
            verify_exercise::exercise(&pdf[..cut]);
        }
        for position in (0..pdf.len()).step_by(pdf.len() / 257 + 1) {
            let mut flipped = pdf.clone();
            flipped[position] ^= 0x55;
            verify_exercise::exercise(&flipped);
        }
    }
}

#[test]
fn malformed_byte_ranges_and_contents() {
    let pdf = seed("seed-pkcs7-table.pdf");
    for value in [
        &b"[0 -5 10 20]"[..],
        b"[0 99999999999999999999 1 1]",
        b"[]",
        b"[0 1 2]",
        b"[0 1 1 1 1 1 1 1 1 1 1 1 1 1]",
        b"[/Name (string) 1.5 true]",
        b"3 0 R]",
        b"[0 0 0 0]",
        b"[9223372036854775807 9223372036854775807 0 0]",
    ] {
        verify_exercise::exercise(&replace_value(&pdf, b"/ByteRange", b']', value));
    }
    for value in [
        &b"(literal)"[..],
        b"<>",
        b"<0>",
        b"<30800000>",
        b"<3082ffff0000>",
        b"12 0 R>",
    ] {
        verify_exercise::exercise(&replace_value(&pdf, b"/Contents", b'>', value));
    }
}

#[test]
fn claimed_times_at_the_end_of_the_calendar() {
    let pdf = seed("seed-pades-streams.pdf");
    for value in [
        &b"(D:99991231235959Z)"[..],
        b"(D:99991231235959-11'00)",
        b"(D:00000101000000+14'00)",
        b"(D:99991231235959+14'00)",
    ] {
        let hostile = replace_value(&pdf, b"/M ", b')', value);
        verify_exercise::exercise(&hostile);
    }
}

#[test]
fn a_file_that_takes_too_long_is_reported_not_checked_completely() {
    let pdf = seed("seed-pades-streams.pdf");
    let limits = vanthu::pdf::Limits {
        max_processing_time: Some(std::time::Duration::ZERO),
        ..vanthu::pdf::Limits::default()
    };
    let verifier = vanthu::verify::Verifier::new(Default::default()).with_limits(limits);
    let report = verifier.verify_bytes("slow.pdf", pdf.clone());
    verify_exercise::check(&report);
    let codes: Vec<String> = report
        .errors
        .iter()
        .chain(
            report
                .signatures
                .iter()
                .flat_map(|signature| &signature.findings),
        )
        .map(|finding| finding.code.as_str())
        .collect();
    assert!(
        codes.iter().any(|code| code == "PROCESSING_TIME_EXCEEDED"),
        "{codes:?}"
    );
    // Not checked completely is not the same as failed.
    assert_eq!(
        report.indication,
        vanthu::verify::report::FileIndication::Indeterminate
    );
    // Without the limit the same file is checked completely.
    let report = vanthu::verify::Verifier::new(Default::default()).verify_bytes("slow.pdf", pdf);
    assert!(!report.signatures.is_empty());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

#[test]
fn bytes_that_are_no_pdf() {
    for data in [
        &b""[..],
        b"%PDF-1.7",
        b"%PDF-1.7\n%%EOF",
        b"%PDF-1.7\nstartxref\n0\n%%EOF\n",
        &[0u8; 4096],
        &[0xffu8; 1024],
    ] {
        verify_exercise::exercise(data);
    }
}

#[test]
fn a_file_with_too_many_signatures_is_refused_before_hashing() {
    use vanthu::pdf::{Dictionary, Document, IncrementalUpdate, Object};
    use vanthu::verify::report::FileIndication;

    let pdf = seed("seed-pkcs7-table.pdf");
    let doc = Document::from_bytes(pdf).unwrap();
    let view = doc.latest();
    let (catalog_id, catalog) = view.catalog().unwrap();
    let field = view.signature_fields().unwrap().remove(0);
    let signature = field.signature.unwrap().id.unwrap();
    let mut update = IncrementalUpdate::new(&doc).unwrap();
    let mut fields = Vec::new();
    for number in 0..=vanthu::verify::engine::MAX_SIGNATURES {
        let dict = Dictionary::new()
            .with("FT", Object::name("Sig"))
            .with("T", Object::text(&format!("Copy{number}")))
            .with("V", Object::Reference(signature));
        fields.push(Object::Reference(
            update.add(Object::Dictionary(dict)).unwrap(),
        ));
    }
    let acroform = Dictionary::new().with("Fields", Object::Array(fields));
    let mut catalog = catalog.clone();
    catalog.insert("AcroForm", Object::Dictionary(acroform));
    update.set(catalog_id, Object::Dictionary(catalog)).unwrap();
    let bytes = update.write().unwrap().bytes;
    let report = verify_exercise_report(bytes);
    assert_eq!(report.indication, FileIndication::TotalFailed);
    assert_eq!(report.errors[0].code.as_str(), "TOO_MANY_SIGNATURES");
}

fn verify_exercise_report(bytes: Vec<u8>) -> vanthu::verify::report::FileReport {
    let report = vanthu::verify::Verifier::new(Default::default()).verify_bytes("many.pdf", bytes);
    verify_exercise::check(&report);
    report
}
