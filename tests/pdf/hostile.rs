//! Hostile input: truncated and garbage files, loops in `/Prev`, `/Kids`, references, stream
//! lengths and object streams, deep nesting, huge lengths, flate bombs and lying offsets. Each is
//! an error naming the problem, never a panic, never a hang.

use std::io::Write;

use vanthu::pdf::{Document, Limit, Limits, Object, ObjectId, PdfError, XrefProblem};

use crate::support::{Layout, form_pdf, read_everything, simple_pdf};

/// A PDF with these objects (bodies between `obj` and `endobj`), a correct xref table and a
/// trailer with `/Root 1 0 R` plus `trailer_extra`.
fn build(objects: &[(u32, Vec<u8>)], trailer_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (number, body) in objects {
        offsets.push((*number, out.len()));
        out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let size = objects
        .iter()
        .map(|(number, _)| number + 1)
        .max()
        .unwrap_or(1);
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f\r\n").as_bytes());
    for number in 1..size {
        match offsets.iter().find(|(candidate, _)| *candidate == number) {
            Some((_, offset)) => {
                out.extend_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes())
            }
            None => out.extend_from_slice(b"0000000000 00001 f\r\n"),
        }
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {size} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

fn text(body: &str) -> Vec<u8> {
    body.as_bytes().to_vec()
}

fn catalog_and_pages() -> Vec<(u32, Vec<u8>)> {
    vec![
        (1, text("<< /Type /Catalog /Pages 2 0 R >>")),
        (2, text("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")),
        (
            3,
            text("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"),
        ),
    ]
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// Opens and reads everything; returns the first error. Never panics (the test would fail).
fn try_everything(bytes: Vec<u8>) -> Result<(), PdfError> {
    let doc = Document::from_bytes(bytes)?;
    read_everything(&doc)?;
    let view = doc.latest();
    view.pages()?;
    view.fields()?;
    view.signature_fields()?;
    view.certification()?;
    Ok(())
}

#[test]
fn every_truncation_of_real_files_is_an_error_or_a_smaller_document() {
    for input in [
        simple_pdf(2, Layout::Table),
        simple_pdf(2, Layout::Streams),
        form_pdf(Layout::Table),
    ] {
        for cut in (0..input.len()).step_by(3) {
            let truncated = input[..cut].to_vec();
            // Only a cut at the very end can still end in %%EOF.
            let result = Document::from_bytes(truncated.clone());
            if cut + 6 < input.len() {
                assert!(
                    result.is_err(),
                    "truncated at {cut} of {} opened",
                    input.len()
                );
            }
            let _ = try_everything(truncated);
        }
    }
}

#[test]
fn garbage_and_empty_inputs_are_errors() {
    assert!(matches!(
        Document::from_bytes(Vec::new()),
        Err(PdfError::NotPdf)
    ));
    assert!(matches!(
        Document::from_bytes(b"hello".to_vec()),
        Err(PdfError::NotPdf)
    ));
    assert!(matches!(
        Document::from_bytes(b"%PDF-1.7\n".to_vec()),
        Err(PdfError::StartxrefNotFound { .. })
    ));
    // A deterministic pseudo-random stream of bytes after a header.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for round in 0..200 {
        let mut bytes = b"%PDF-1.7\n".to_vec();
        for _ in 0..(round * 13 % 700) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.push((state >> 24) as u8);
        }
        bytes.extend_from_slice(b"\nstartxref\n9\n%%EOF\n");
        assert!(try_everything(bytes).is_err());
    }
}

#[test]
fn wrong_startxref_and_lying_offsets_are_never_repaired() {
    let good = build(&catalog_and_pages(), "");
    let text = String::from_utf8_lossy(&good).into_owned();
    let startxref: usize = text
        .rsplit("startxref\n")
        .next()
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let shifted = text.replace(
        &format!("startxref\n{startxref}\n"),
        &format!("startxref\n{}\n", startxref + 2),
    );
    let error = Document::from_bytes(shifted.into_bytes()).unwrap_err();
    assert!(matches!(error, PdfError::XrefNotFound { .. }), "{error}");

    // Object 2's xref entry points at object 3.
    let entry_2 = text
        .lines()
        .filter(|line| line.ends_with(" 00000 n"))
        .nth(1)
        .unwrap()
        .to_string();
    let entry_3 = text
        .lines()
        .filter(|line| line.ends_with(" 00000 n"))
        .nth(2)
        .unwrap()
        .to_string();
    let lying = text.replacen(&entry_2, &entry_3, 1);
    let doc = Document::from_bytes(lying.into_bytes()).unwrap();
    let error = doc.object(ObjectId::new(2, 0)).unwrap_err();
    assert!(
        matches!(error, PdfError::ObjectNotAtOffset { .. }),
        "{error}"
    );
    assert!(doc.latest().pages().is_err());
}

#[test]
fn prev_cycles_are_detected() {
    let good = build(&catalog_and_pages(), "");
    let text = String::from_utf8_lossy(&good).into_owned();
    let xref = text.find("xref\n").unwrap();
    let looped = build(&catalog_and_pages(), &format!("/Prev {xref}"));
    let error = Document::from_bytes(looped).unwrap_err();
    assert!(matches!(error, PdfError::PrevCycle { .. }), "{error}");
}

#[test]
fn page_tree_cycles_are_detected() {
    let objects = vec![
        (1, text("<< /Type /Catalog /Pages 2 0 R >>")),
        (2, text("<< /Type /Pages /Kids [4 0 R] /Count 1 >>")),
        (4, text("<< /Type /Pages /Kids [2 0 R] /Count 1 >>")),
    ];
    let doc = Document::from_bytes(build(&objects, "")).unwrap();
    let error = doc.latest().pages().unwrap_err();
    assert!(matches!(error, PdfError::Structure { .. }), "{error}");
}

#[test]
fn field_tree_cycles_are_detected() {
    let mut objects = catalog_and_pages();
    objects[0].1 = text("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] >> >>");
    objects.push((5, text("<< /T (a) /Kids [6 0 R] >>")));
    objects.push((6, text("<< /T (b) /Kids [5 0 R] >>")));
    let doc = Document::from_bytes(build(&objects, "")).unwrap();
    assert!(matches!(
        doc.latest().fields(),
        Err(PdfError::Structure { .. })
    ));
}

#[test]
fn deep_nesting_hits_the_limit() {
    let mut objects = catalog_and_pages();
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    objects.push((4, deep.into_bytes()));
    let doc = Document::from_bytes(build(&objects, "")).unwrap();
    let error = doc.object(ObjectId::new(4, 0)).unwrap_err();
    assert!(
        matches!(error, PdfError::InObject { id, .. } if id == ObjectId::new(4, 0)),
        "{error}"
    );
    assert!(
        matches!(
            error.root_cause(),
            PdfError::LimitExceeded {
                limit: Limit::NestingDepth,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn reference_and_length_loops_are_detected() {
    let mut objects = catalog_and_pages();
    objects.push((4, text("5 0 R")));
    objects.push((5, text("4 0 R")));
    objects.push((6, text("<< /Length 6 0 R >>\nstream\nabc\nendstream")));
    let doc = Document::from_bytes(build(&objects, "")).unwrap();
    let error = doc
        .resolve(&Object::Reference(ObjectId::new(4, 0)))
        .unwrap_err();
    assert!(matches!(error, PdfError::ReferenceCycle { .. }), "{error}");
    let error = doc.object(ObjectId::new(6, 0)).unwrap_err();
    assert!(matches!(error, PdfError::MalformedStream { .. }), "{error}");
}

#[test]
fn huge_lengths_and_missing_endstream_are_errors() {
    let mut objects = catalog_and_pages();
    objects.push((4, text("<< /Length 99999999999 >>\nstream\nabc\nendstream")));
    objects.push((5, text("<< /Length 1 >>\nstream\nabc\nendstream")));
    objects.push((6, text("<< /Length -5 >>\nstream\nabc\nendstream")));
    let doc = Document::from_bytes(build(&objects, "")).unwrap();
    for number in 4..=6 {
        let error = doc.object(ObjectId::new(number, 0)).unwrap_err();
        assert!(
            matches!(error, PdfError::MalformedStream { .. }),
            "{number}: {error}"
        );
    }
}

#[test]
fn flate_bombs_stop_at_the_decompressed_size_limit() {
    let bomb = deflate(&vec![0u8; 40 * 1024 * 1024]);
    let mut body = format!(
        "<< /Length {} /Filter /FlateDecode >>\nstream\n",
        bomb.len()
    )
    .into_bytes();
    body.extend_from_slice(&bomb);
    body.extend_from_slice(b"\nendstream");
    let mut objects = catalog_and_pages();
    objects.push((4, body));
    let doc = Document::from_bytes(build(&objects, "")).unwrap();
    let stream = doc.object(ObjectId::new(4, 0)).unwrap();
    let error = doc
        .decode_stream(stream.object.as_stream().unwrap())
        .unwrap_err();
    assert!(
        matches!(
            error,
            PdfError::LimitExceeded {
                limit: Limit::DecompressedSize,
                ..
            }
        ),
        "{error}"
    );
}

/// An xref-stream file whose object 4 lives in object stream 5, which the xref stream claims is
/// itself inside object stream 5.
#[test]
fn object_stream_loops_and_lies_are_errors() {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = std::collections::BTreeMap::new();
    for (number, body) in catalog_and_pages() {
        offsets.insert(number, out.len());
        out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(b"\nendobj\n");
    }
    // Object stream 6 holds "object 9" at index 0 although the xref says 7 is there.
    let inner = b"9 0 << /Lie true >>";
    offsets.insert(6, out.len());
    out.extend_from_slice(
        format!(
            "6 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Length {} >>\nstream\n",
            inner.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(inner);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = out.len();
    let mut rows = Vec::new();
    for number in 0..9u32 {
        let row: [u8; 4] = match number {
            1..=3 | 6 => {
                let offset = offsets[&number] as u16;
                [1, (offset >> 8) as u8, offset as u8, 0]
            }
            4 => [2, 0, 5, 0],  // in object stream 5 ...
            5 => [2, 0, 5, 1],  // ... which is itself "compressed" in 5
            7 => [2, 0, 6, 0],  // index 0 of 6 holds object 9, not 7
            8 => [2, 0, 6, 40], // beyond /N
            _ => [0, 0, 0, 0],
        };
        rows.extend_from_slice(&row);
    }
    let offset = xref as u16;
    rows.extend_from_slice(&[1, (offset >> 8) as u8, offset as u8, 0]);
    out.extend_from_slice(
        format!(
            "9 0 obj\n<< /Type /XRef /Size 10 /W [1 2 1] /Root 1 0 R /Length {} >>\nstream\n",
            rows.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&rows);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    let doc = Document::from_bytes(out).unwrap();
    for number in [4, 7, 8] {
        let error = doc.object(ObjectId::new(number, 0)).unwrap_err();
        assert!(
            matches!(error, PdfError::MalformedObjectStream { .. }),
            "{number}: {error}"
        );
    }
    assert_eq!(doc.latest().page_count().unwrap(), 1);
}

#[test]
fn malformed_xref_streams_are_errors() {
    let cases: [(&str, &[u8]); 4] = [
        ("/W [1 20 1]", &[0; 8]),
        ("/W [1 2 1] /Index [0 5000000000]", &[0; 8]),
        ("/W [1 2 1] /Index [0 9]", &[1, 0, 9, 0]),
        (
            "/W [1 2 1] /Index [0 9223372036854775807 0 9223372036854775807 0 9]",
            &[1, 0, 9, 0],
        ),
    ];
    for (entries, data) in cases {
        let mut out = b"%PDF-1.7\n".to_vec();
        let xref = out.len();
        out.extend_from_slice(
            format!(
                "1 0 obj\n<< /Type /XRef /Size 10 {entries} /Root 1 0 R /Length {} >>\nstream\n",
                data.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(data);
        out.extend_from_slice(
            format!("\nendstream\nendobj\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
        );
        let error = Document::from_bytes(out).unwrap_err();
        assert!(
            matches!(
                error,
                PdfError::MalformedXref { .. } | PdfError::LimitExceeded { .. }
            ),
            "{entries}: {error}"
        );
    }
}

#[test]
fn duplicate_keys_and_limits_are_reported_by_name() {
    let mut objects = catalog_and_pages();
    objects.push((4, text("<< /Contents <00> /Contents <11> >>")));
    let doc = Document::from_bytes(build(&objects, "")).unwrap();
    let error = doc.object(ObjectId::new(4, 0)).unwrap_err();
    assert!(error.to_string().contains("/Contents twice"), "{error}");

    let limits = Limits {
        max_file_size: 100,
        ..Limits::default()
    };
    let error = Document::from_bytes_with_limits(build(&objects, ""), limits).unwrap_err();
    assert!(matches!(
        error,
        PdfError::LimitExceeded {
            limit: Limit::FileSize,
            ..
        }
    ));
    assert!(error.to_string().contains("file size"));

    let huge_size = build(&catalog_and_pages(), "").to_vec();
    let text = String::from_utf8_lossy(&huge_size).replace("/Size 4", "/Size 4000000000");
    let error = Document::from_bytes(text.into_bytes()).unwrap_err();
    assert!(
        matches!(
            error,
            PdfError::LimitExceeded {
                limit: Limit::ObjectCount,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn a_forward_prev_outside_linearization_is_refused() {
    // Section X (the one startxref names) has /Prev pointing forward to section Y, the pattern of
    // a linearized file, but the file has no linearization dictionary.
    let objects = catalog_and_pages();
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (number, body) in &objects {
        offsets.push(bytes.len());
        bytes.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        bytes.extend_from_slice(body);
        bytes.extend_from_slice(b"\nendobj\n");
    }
    let x = bytes.len();
    let x_section = |prev: usize| {
        format!(
            "xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size 4 /Root 1 0 R /Prev {prev:010} >>\nstartxref\n{x}\n%%EOF\n"
        )
    };
    let y = x + x_section(0).len();
    bytes.extend_from_slice(x_section(y).as_bytes());
    bytes.extend_from_slice(b"xref\n1 3\n");
    for offset in &offsets {
        bytes.extend_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes());
    }
    bytes.extend_from_slice(
        format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{x}\n%%EOF\n").as_bytes(),
    );
    let error = Document::from_bytes(bytes).unwrap_err();
    assert!(
        matches!(
            error,
            PdfError::MalformedXref {
                problem: XrefProblem::ForwardPrev { .. },
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn dangling_references_are_not_captured_by_new_objects() {
    // /AcroForm and /Annots name objects 5 and 6, which do not exist; the update allocates ids
    // from /Size 4, so its own new objects get exactly those numbers.
    let objects = vec![
        (1, text("<< /Type /Catalog /Pages 2 0 R /AcroForm 5 0 R >>")),
        (2, text("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")),
        (
            3,
            text("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Annots 6 0 R >>"),
        ),
    ];
    let doc = Document::from_bytes(build(&objects, "")).unwrap();
    assert!(doc.latest().fields().unwrap().is_empty());
    let prepared =
        vanthu::pdf::prepare_signature(&doc, &vanthu::pdf::SignatureSpec::new("Sig")).unwrap();
    let signed = Document::from_bytes(prepared.bytes().to_vec()).unwrap();
    let view = signed.latest();
    let fields = view.fields().unwrap();
    assert_eq!(fields.len(), 1);
    let acroform = view.acroform().unwrap().unwrap();
    assert_eq!(view.integer_at(&acroform, b"SigFlags").unwrap(), Some(3));
    let page = view.page(0).unwrap();
    let annots = view.array_at(&page.dict, b"Annots").unwrap().unwrap();
    assert_eq!(annots, vec![Object::Reference(fields[0].id)]);
}

/// Appends an update section listing `entries` (number, offset or next generation, kind) and
/// objects written before it.
fn append_update(base: &[u8], objects: &[(u32, u16, &str)], free: &[(u32, u16)]) -> Vec<u8> {
    let doc = Document::from_bytes(base.to_vec()).unwrap();
    let prev = doc.latest_revision().xref_offset();
    let mut out = base.to_vec();
    let mut lines = Vec::new();
    for (number, generation, body) in objects {
        lines.push((*number, format!("{:010} {generation:05} n\r\n", out.len())));
        out.extend_from_slice(format!("{number} {generation} obj\n{body}\nendobj\n").as_bytes());
    }
    for (number, next_generation) in free {
        lines.push((*number, format!("0000000000 {next_generation:05} f\r\n")));
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n");
    for (number, line) in lines {
        out.extend_from_slice(format!("{number} 1\n{line}").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size 5 /Root 1 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n")
            .as_bytes(),
    );
    out
}

#[test]
fn free_entries_and_generations_are_honoured_per_revision() {
    let mut objects = catalog_and_pages();
    objects.push((4, text("(first life)")));
    let base = build(&objects, "");
    let freed = append_update(&base, &[], &[(4, 1)]);
    let reused = append_update(&freed, &[(4, 1, "(second life)")], &[]);
    let doc = Document::from_bytes(reused).unwrap();
    assert_eq!(doc.revisions().len(), 3);
    let old = ObjectId::new(4, 0);
    let new = ObjectId::new(4, 1);
    assert_eq!(
        doc.object_at(old, 0)
            .unwrap()
            .unwrap()
            .object
            .as_string()
            .unwrap()
            .bytes,
        b"first life"
    );
    assert!(doc.object_at(old, 1).unwrap().is_none());
    assert_eq!(doc.revisions()[1].freed_ids(), vec![old]);
    assert!(
        doc.get(old).unwrap().is_none(),
        "a stale generation reads as null"
    );
    assert_eq!(doc.resolve(&Object::Reference(old)).unwrap(), Object::Null);
    assert_eq!(
        doc.object(new).unwrap().object.as_string().unwrap().bytes,
        b"second life"
    );
    assert_eq!(doc.revisions_defining(new), vec![2]);
    assert_eq!(doc.revisions_defining(old), vec![0]);
}

#[test]
fn entries_of_all_sections_together_are_bounded() {
    let mut bytes = build(&catalog_and_pages(), "");
    for _ in 0..3 {
        bytes = append_update(&bytes, &[], &[(4, 1)]);
    }
    let limits = Limits {
        max_objects: 5,
        ..Limits::default()
    };
    // Each section alone fits (at most 4 entries), the four together do not.
    let error = Document::from_bytes_with_limits(bytes.clone(), limits).unwrap_err();
    assert!(
        matches!(
            error,
            PdfError::LimitExceeded {
                limit: Limit::ObjectCount,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(Document::from_bytes(bytes).unwrap().revisions().len(), 4);
}
