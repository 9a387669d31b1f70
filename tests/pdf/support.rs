//! Helpers shared by the pdf tests: inputs generated with lopdf and qpdf, `qpdf --check`, and a
//! walk over every object of a document.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use lopdf::{Object as LObject, Stream as LStream, dictionary};
use vanthu::pdf::{Document, Object, ObjectId, Result};

use crate::common;

/// Reads every object every revision defines, and decodes every stream, returning how many
/// objects were read.
pub fn read_everything(doc: &Document) -> Result<usize> {
    let mut count = 0;
    for revision in doc.revisions() {
        let view = doc.at(revision.index())?;
        for id in revision.defined_ids() {
            let object = view.object(id)?;
            if let Object::Stream(stream) = &object.object {
                view.decode_stream(stream)?;
            }
            count += 1;
        }
    }
    Ok(count)
}

pub fn id(number: u32) -> ObjectId {
    ObjectId::new(number, 0)
}

/// How the generated document stores its cross-reference data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Classic xref table, every object at top level.
    Table,
    /// Xref stream and object streams (lopdf's modern writer).
    Streams,
}

/// A document with `pages` pages whose MediaBox and font resources are inherited from the page
/// tree root, and one content stream per page.
pub fn simple_pdf(pages: usize, layout: Layout) -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Times-Roman",
    });
    let mut kids = Vec::new();
    for number in 1..=pages {
        let content = format!("BT /F1 24 Tf 72 720 Td (Page {number}) Tj ET");
        let content_id = doc.add_object(LStream::new(dictionary! {}, content.into_bytes()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
        });
        kids.push(LObject::Reference(page_id));
    }
    doc.objects.insert(
        pages_id,
        LObject::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => pages as i64,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        }),
    );
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    doc.trailer.set("Root", catalog_id);
    let info_id =
        doc.add_object(dictionary! { "Producer" => LObject::string_literal("vanthu tests") });
    doc.trailer.set("Info", info_id);
    save(&mut doc, layout)
}

/// A one-page document with an AcroForm: a parent field `person` with text fields `name` and
/// `title`, a top-level text field `date`, and an empty signature field `approval`.
pub fn form_pdf(layout: Layout) -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let page_id = doc.new_object_id();
    let widget = |doc: &mut lopdf::Document, extra: lopdf::Dictionary, rect: [i64; 4]| {
        let mut dict = dictionary! {
            "Type" => "Annot",
            "Subtype" => "Widget",
            "Rect" => rect.iter().map(|v| LObject::Integer(*v)).collect::<Vec<_>>(),
            "P" => page_id,
            "F" => 4,
        };
        dict.extend(&extra);
        doc.add_object(dict)
    };
    let person_id = doc.new_object_id();
    let name_id = widget(
        &mut doc,
        dictionary! { "T" => LObject::string_literal("name"), "Parent" => person_id, "V" => LObject::string_literal("Nguyen Van A") },
        [72, 700, 300, 720],
    );
    let title_id = widget(
        &mut doc,
        dictionary! { "T" => LObject::string_literal("title"), "Parent" => person_id },
        [72, 670, 300, 690],
    );
    doc.objects.insert(
        person_id,
        LObject::Dictionary(dictionary! {
            "T" => LObject::string_literal("person"),
            "FT" => "Tx",
            "Kids" => vec![name_id.into(), title_id.into()],
        }),
    );
    let date_id = widget(
        &mut doc,
        dictionary! { "T" => LObject::string_literal("date"), "FT" => "Tx" },
        [72, 640, 300, 660],
    );
    let approval_id = widget(
        &mut doc,
        dictionary! { "T" => LObject::string_literal("approval"), "FT" => "Sig" },
        [300, 100, 500, 160],
    );
    let content_id = doc.add_object(LStream::new(
        dictionary! {},
        b"BT /F1 12 Tf 72 750 Td (Form) Tj ET".to_vec(),
    ));
    let font_id = doc.add_object(
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" },
    );
    doc.objects.insert(
        page_id,
        LObject::Dictionary(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content_id,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
            "Annots" => vec![name_id.into(), title_id.into(), date_id.into(), approval_id.into()],
        }),
    );
    doc.objects.insert(
        pages_id,
        LObject::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let fields_id = doc.add_object(LObject::Array(vec![
        person_id.into(),
        date_id.into(),
        approval_id.into(),
    ]));
    let acroform_id = doc.add_object(dictionary! {
        "Fields" => fields_id,
        "DA" => LObject::string_literal("/Helv 0 Tf 0 g"),
    });
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
        "AcroForm" => acroform_id,
    });
    doc.trailer.set("Root", catalog_id);
    save(&mut doc, layout)
}

fn save(doc: &mut lopdf::Document, layout: Layout) -> Vec<u8> {
    let mut out = Vec::new();
    match layout {
        Layout::Table => {
            doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
            doc.save_to(&mut out).unwrap();
        }
        Layout::Streams => {
            let options = lopdf::SaveOptions::builder()
                .use_object_streams(true)
                .use_xref_streams(true)
                .build();
            doc.save_with_options(&mut out, options).unwrap();
        }
    }
    out
}

/// A hand-made hybrid file: objects 1–3 and 5 at top level listed by the table, object 4 inside
/// object stream 5 listed only by the `/XRefStm` stream 6.
pub fn hybrid_pdf() -> Vec<u8> {
    let mut out = b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = std::collections::BTreeMap::new();
    let mut object = |out: &mut Vec<u8>, number: u32, body: &[u8]| {
        offsets.insert(number, out.len());
        out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    object(
        &mut out,
        1,
        b"<< /Type /Catalog /Pages 2 0 R /Names 4 0 R >>",
    );
    object(&mut out, 2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    object(
        &mut out,
        3,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    );
    let inner = b"4 0 << /Dests << >> >>";
    let header_len = b"4 0 ".len();
    let objstm = format!(
        "<< /Type /ObjStm /N 1 /First {header_len} /Length {} >>\nstream\n{}\nendstream",
        inner.len(),
        String::from_utf8_lossy(inner)
    );
    object(&mut out, 5, objstm.as_bytes());
    let stream_offset = out.len();
    // Xref stream: W [1 2 1]; entries for 4 (compressed in 5, index 0) and 6 (itself).
    let entries: Vec<u8> = vec![
        2,
        0,
        5,
        0,
        1,
        (stream_offset >> 8) as u8,
        stream_offset as u8,
        0,
    ];
    let xref_stream = format!(
        "<< /Type /XRef /Size 7 /W [1 2 1] /Index [4 1 6 1] /Length {} >>\nstream\n",
        entries.len()
    );
    offsets.insert(6, out.len());
    out.extend_from_slice(b"6 0 obj\n");
    out.extend_from_slice(xref_stream.as_bytes());
    out.extend_from_slice(&entries);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let table_offset = out.len();
    out.extend_from_slice(b"xref\n0 4\n0000000000 65535 f\r\n");
    for number in 1..=3 {
        out.extend_from_slice(format!("{:010} 00000 n\r\n", offsets[&number]).as_bytes());
    }
    out.extend_from_slice(b"5 1\n");
    out.extend_from_slice(format!("{:010} 00000 n\r\n", offsets[&5]).as_bytes());
    out.extend_from_slice(
        format!("trailer\n<< /Size 7 /Root 1 0 R /XRefStm {stream_offset} >>\nstartxref\n{table_offset}\n%%EOF\n")
            .as_bytes(),
    );
    out
}

/// `qpdf` with these arguments on `input`, returning the output file's bytes. `None` (test
/// skipped) when qpdf is not installed.
pub fn qpdf_transform(input: &[u8], args: &[&str]) -> Option<Vec<u8>> {
    let qpdf = common::require("qpdf", common::tool("qpdf"))?;
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("in.pdf");
    let target = dir.path().join("out.pdf");
    std::fs::write(&source, input).unwrap();
    let status = Command::new(qpdf)
        .args(args)
        .arg(&source)
        .arg(&target)
        .status()
        .unwrap();
    // qpdf exits 3 when it succeeded with warnings.
    assert!(
        status.success() || status.code() == Some(3),
        "qpdf {args:?} failed: {status}"
    );
    Some(std::fs::read(target).unwrap())
}

/// Runs `qpdf --check` and fails the test unless it finds no error and no warning. Returns false
/// (test skipped) when qpdf is not installed.
pub fn assert_qpdf_clean(pdf: &[u8], what: &str) -> bool {
    let Some(qpdf) = common::require("qpdf", common::tool("qpdf")) else {
        return false;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("check.pdf");
    std::fs::write(&path, pdf).unwrap();
    qpdf_check_path(&qpdf, &path, what);
    true
}

fn qpdf_check_path(qpdf: &Path, path: &Path, what: &str) {
    let output = Command::new(qpdf)
        .arg("--check")
        .arg(path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && !stdout.contains("WARNING") && stderr.trim().is_empty(),
        "qpdf --check on {what}: {}\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains("No syntax or stream encoding errors found"),
        "qpdf --check on {what}: {stdout}"
    );
}
