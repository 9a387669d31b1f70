//! Vietnamese documents made by LibreOffice (`soffice --headless --convert-to pdf` of a flat ODF
//! text document written here): the signer's name is found under the title, where poppler sees
//! it too.

use std::path::{Path, PathBuf};
use std::process::Command;

use vanthu::pdf::Rect;

use super::support::{assert_words_match_poppler, find, find_one, page_lines, pdftotext};
use crate::common;

/// `soffice`, or a skip (a failure under `CI=true`).
fn soffice() -> Option<PathBuf> {
    let found = ["/usr/bin/soffice", "/usr/bin/libreoffice"]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.is_file());
    common::require(
        "LibreOffice (apt-get install --no-install-recommends libreoffice-writer-nogui)",
        found,
    )
}

/// Paragraphs `(style, text)` as ODF text.
fn paragraphs(paragraphs: &[(&str, &str)]) -> String {
    paragraphs
        .iter()
        .map(|(style, text)| format!("<text:p text:style-name=\"{style}\">{text}</text:p>\n"))
        .collect()
}

/// A flat ODF text document with paragraphs `(style, text)`; styles `title` (bold, centred),
/// `body` (justified), `name` (bold, centred, 2 cm above) and `small` (11 points).
fn fodt(content: &[(&str, &str)]) -> String {
    fodt_body(&paragraphs(content))
}

/// A flat ODF text document around `body` (ODF text elements).
fn fodt_body(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:font-face-decls>
  <style:font-face style:name="Liberation Serif" svg:font-family="'Liberation Serif'"/>
 </office:font-face-decls>
 <office:automatic-styles>
  <style:style style:name="title" style:family="paragraph">
   <style:paragraph-properties fo:text-align="center"/>
   <style:text-properties style:font-name="Liberation Serif" fo:font-size="13pt" fo:font-weight="bold"/>
  </style:style>
  <style:style style:name="body" style:family="paragraph">
   <style:paragraph-properties fo:text-align="justify" fo:margin-top="0.2cm"/>
   <style:text-properties style:font-name="Liberation Serif" fo:font-size="14pt"/>
  </style:style>
  <style:style style:name="small" style:family="paragraph">
   <style:text-properties style:font-name="Liberation Serif" fo:font-size="11pt"/>
  </style:style>
  <style:style style:name="name" style:family="paragraph">
   <style:paragraph-properties fo:text-align="center" fo:margin-top="2cm"/>
   <style:text-properties style:font-name="Liberation Serif" fo:font-size="14pt" fo:font-weight="bold"/>
  </style:style>
 </office:automatic-styles>
 <office:body><office:text>
{body} </office:text></office:body>
</office:document>
"#
    )
}

/// Converts `document` with LibreOffice in a private profile; returns the PDF's bytes.
fn convert(soffice: &Path, document: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = dir.path().join("doc.fodt");
    std::fs::write(&input, document).expect("write the document");
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let output = Command::new(soffice)
        .arg(profile)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&input)
        .env("HOME", dir.path())
        .output()
        .expect("soffice runs");
    let pdf = dir.path().join("doc.pdf");
    assert!(
        pdf.is_file(),
        "LibreOffice made no PDF: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(pdf).expect("read the PDF")
}

const BODY: &str = "Căn cứ Luật Tổ chức Viện kiểm sát nhân dân năm 2014, Viện trưởng Viện kiểm sát \
    nhân dân tỉnh giao cho ông Nguyễn Văn A, Kiểm sát viên, chủ trì thực hiện kế hoạch kiểm sát \
    việc tạm giữ, tạm giam và thi hành án hình sự trong quý.";

#[test]
fn signer_name_under_the_title() {
    let Some(soffice) = soffice() else {
        return;
    };
    let pdf = convert(
        &soffice,
        &fodt(&[
            ("body", BODY),
            ("title", "KT. VIỆN TRƯỞNG"),
            ("title", "PHÓ VIỆN TRƯỞNG"),
            ("name", "Nguyễn Văn A"),
        ]),
    );
    let lines = page_lines(&pdf, 0);
    assert!(lines.contains(&"PHÓ VIỆN TRƯỞNG".to_string()), "{lines:?}");
    // The name in the justified body (unless a line break splits it there) and the name in the
    // signature block, which comes last in reading order.
    let hits = find(&pdf, 0, "Nguyễn Văn A");
    assert!((1..=2).contains(&hits.len()), "{hits:?} in {lines:?}");
    let name = hits.last().expect("the signature block's name").rect;
    let title = find_one(&pdf, 0, "PHÓ VIỆN TRƯỞNG");
    assert!(
        name.ury < title.lly,
        "the name {name:?} is under the title {title:?}"
    );
    let centre = |rect: Rect| (rect.llx + rect.urx) / 2.0;
    assert!(
        (centre(name) - centre(title)).abs() < 1.0,
        "{name:?} {title:?}"
    );
    // 14 points bold: the box is about the font's height, the text about 80 points long.
    assert!((14.0..22.0).contains(&name.height()), "{name:?}");
    assert!((70.0..110.0).contains(&name.width()), "{name:?}");
    if pdftotext().is_some() {
        let compared = assert_words_match_poppler(&pdf, 0, 0.05, 0.05);
        assert!(compared > 40, "{compared} words compared");
    }
}

#[test]
fn names_that_only_start_alike_are_not_the_name() {
    let Some(soffice) = soffice() else {
        return;
    };
    let pdf = convert(
        &soffice,
        &fodt(&[
            ("title", "VIỆN TRƯỞNG"),
            ("name", "Nguyễn Văn An"),
            (
                "body",
                "Người ký: Nguyễn Văn Anh; người nhận: NGUYỄN VĂN A.",
            ),
        ]),
    );
    assert!(
        find(&pdf, 0, "Nguyễn Văn A").is_empty(),
        "{:?}",
        page_lines(&pdf, 0)
    );
    assert_eq!(find(&pdf, 0, "Nguyễn Văn An").len(), 1);
    assert_eq!(find(&pdf, 0, "NGUYỄN VĂN A").len(), 1);
}

#[test]
fn signature_block_in_a_table_next_to_the_recipients() {
    let Some(soffice) = soffice() else {
        return;
    };
    // Decree 30's closing: recipients on the left, the signer on the right.
    let left = paragraphs(&[
        ("small", "Nơi nhận:"),
        ("small", "- Như trên;"),
        ("small", "- VKSND tối cao (để báo cáo);"),
        ("small", "- Lưu: VT, VP."),
    ]);
    let right = paragraphs(&[
        ("title", "KT. VIỆN TRƯỞNG"),
        ("title", "PHÓ VIỆN TRƯỞNG"),
        ("name", "Nguyễn Văn A"),
    ]);
    let table = format!(
        "<table:table table:name=\"closing\"><table:table-column table:number-columns-repeated=\"2\"/>\
         <table:table-row><table:table-cell office:value-type=\"string\">{left}</table:table-cell>\
         <table:table-cell office:value-type=\"string\">{right}</table:table-cell></table:table-row>\
         </table:table>"
    );
    let pdf = convert(&soffice, &fodt_body(&table));
    let name = find_one(&pdf, 0, "Nguyễn Văn A");
    let title = find_one(&pdf, 0, "PHÓ VIỆN TRƯỞNG");
    let recipients = find_one(&pdf, 0, "Nơi nhận:");
    assert!(name.ury < title.lly, "{name:?} under {title:?}");
    assert!(
        name.llx > recipients.urx,
        "{name:?} right of {recipients:?}"
    );
    assert!(
        title.lly < recipients.ury && title.ury > recipients.lly - 30.0,
        "the title starts level with the recipients: {title:?} {recipients:?}"
    );
    if pdftotext().is_some() {
        assert_words_match_poppler(&pdf, 0, 0.05, 0.05);
    }
}
