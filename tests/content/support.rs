//! Test-side helpers: one-page documents built with lopdf, poppler's word boxes for comparison,
//! and rectangle assertions.
#![allow(dead_code)]

use std::process::Command;

use lopdf::{
    Dictionary as LDictionary, Object as LObject, ObjectId as LObjectId, Stream as LStream,
    dictionary,
};
use vanthu::pdf::content::{self, TextHit};
use vanthu::pdf::{Document, Rect};

use crate::common;

/// Builds a document page by page.
pub struct Builder {
    pub doc: lopdf::Document,
    pages_id: LObjectId,
    kids: Vec<LObject>,
}

impl Builder {
    pub fn new() -> Self {
        let mut doc = lopdf::Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        Builder {
            doc,
            pages_id,
            kids: Vec::new(),
        }
    }

    pub fn add(&mut self, object: impl Into<LObject>) -> LObjectId {
        self.doc.add_object(object)
    }

    pub fn stream(&mut self, dict: LDictionary, data: impl Into<Vec<u8>>) -> LObjectId {
        self.doc.add_object(LStream::new(dict, data.into()))
    }

    /// A page of A4 size showing `contents` (one stream each) with `resources`.
    pub fn page(&mut self, contents: &[&[u8]], resources: LDictionary) -> LObjectId {
        self.page_with(contents, resources, dictionary! {})
    }

    /// A page with extra page dictionary entries (`/Rotate`, `/CropBox`).
    pub fn page_with(
        &mut self,
        contents: &[&[u8]],
        resources: LDictionary,
        extra: LDictionary,
    ) -> LObjectId {
        let streams: Vec<LObject> = contents
            .iter()
            .map(|data| self.stream(dictionary! {}, data.to_vec()).into())
            .collect();
        let mut page = dictionary! {
            "Type" => "Page",
            "Parent" => self.pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => resources,
            "Contents" => if streams.len() == 1 { streams[0].clone() } else { LObject::Array(streams) },
        };
        page.extend(&extra);
        let id = self.add(page);
        self.kids.push(id.into());
        id
    }

    pub fn finish(mut self) -> Vec<u8> {
        let count = self.kids.len() as i64;
        self.doc.objects.insert(
            self.pages_id,
            LObject::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => self.kids,
                "Count" => count,
            }),
        );
        let catalog = self
            .doc
            .add_object(dictionary! { "Type" => "Catalog", "Pages" => self.pages_id });
        self.doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        self.doc
            .save_to(&mut bytes)
            .expect("lopdf writes the test PDF");
        bytes
    }
}

/// A standard 14 font dictionary (not embedded), WinAnsi unless `encoding` is `None`.
pub fn standard_font(name: &str, encoding: Option<&str>) -> LDictionary {
    let mut font = dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => name };
    if let Some(encoding) = encoding {
        font.set("Encoding", encoding);
    }
    font
}

/// `/Font << /F1 font >>` resources.
pub fn fonts(entries: Vec<(&str, LObject)>) -> LDictionary {
    let mut fonts = LDictionary::new();
    for (name, font) in entries {
        fonts.set(name, font);
    }
    dictionary! { "Font" => fonts }
}

pub fn open(bytes: Vec<u8>) -> Document {
    Document::from_bytes(bytes).expect("the test PDF opens")
}

pub fn find(bytes: &[u8], page: usize, needle: &str) -> Vec<TextHit> {
    let doc = open(bytes.to_vec());
    content::find_text(&doc, page, needle).expect("the page reads")
}

/// The one hit of `needle`, failing with the page's text otherwise.
pub fn find_one(bytes: &[u8], page: usize, needle: &str) -> Rect {
    let hits = find(bytes, page, needle);
    assert_eq!(
        hits.len(),
        1,
        "expected one {needle:?} on page {page}, found {hits:?}; the page reads {:?}",
        page_lines(bytes, page)
    );
    assert_eq!(hits[0].page, page);
    hits[0].rect
}

pub fn page_lines(bytes: &[u8], page: usize) -> Vec<String> {
    let doc = open(bytes.to_vec());
    content::page_text(&doc, page, &Default::default())
        .map(|lines| lines.into_iter().map(|line| line.text).collect())
        .unwrap_or_default()
}

/// Asserts every side of `actual` within `tolerance` points of `expected`.
#[track_caller]
pub fn assert_near(actual: Rect, expected: Rect, tolerance: f64) {
    let sides = [
        (actual.llx, expected.llx),
        (actual.lly, expected.lly),
        (actual.urx, expected.urx),
        (actual.ury, expected.ury),
    ];
    assert!(
        sides.iter().all(|(a, e)| (a - e).abs() <= tolerance),
        "rectangle {actual:?} is not within {tolerance} pt of {expected:?}"
    );
}

/// A word and its box as poppler reads it, on the displayed page (origin lower left).
#[derive(Debug, Clone)]
pub struct Word {
    pub text: String,
    pub rect: Rect,
}

/// `pdftotext`, or a skip (a failure under `CI=true`).
pub fn pdftotext() -> Option<()> {
    let found = Command::new("pdftotext").arg("-v").output().is_ok();
    common::require(
        "pdftotext (apt-get install poppler-utils)",
        found.then_some(()),
    )
}

/// poppler's words on 0-based `page`, whose displayed height (after `/Rotate`) is
/// `displayed_height` (`pdftotext` gives word boxes on the turned page but the page's height
/// before turning).
pub fn poppler_words(pdf: &[u8], page: usize, displayed_height: f64) -> Vec<Word> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, pdf).expect("write the PDF");
    let number = (page + 1).to_string();
    let output = Command::new("pdftotext")
        .args(["-bbox", "-f", &number, "-l", &number])
        .arg(&input)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        output.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let xhtml = String::from_utf8_lossy(&output.stdout);
    let height = displayed_height;
    xhtml
        .lines()
        .filter(|line| line.trim_start().starts_with("<word "))
        .map(|line| {
            let number = |name| attribute(line, "<word ", name).expect("word box attribute");
            let text = line
                .split_once('>')
                .and_then(|(_, rest)| rest.rsplit_once("</word>"))
                .map(|(text, _)| unescape(text))
                .unwrap_or_default();
            Word {
                text,
                rect: Rect::new(
                    number("xMin"),
                    height - number("yMax"),
                    number("xMax"),
                    height - number("yMin"),
                ),
            }
        })
        .collect()
}

fn attribute(text: &str, element: &str, name: &str) -> Option<f64> {
    let start = text.find(element)?;
    let rest = &text[start..];
    let key = format!("{name}=\"");
    let value = &rest[rest.find(&key)? + key.len()..];
    value[..value.find('"')?].parse().ok()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Finds each of poppler's words on the page with `find_text` and compares the boxes on the
/// displayed page: `x_tolerance` along the line, `y_tolerance` across. Returns how many words
/// were compared.
pub fn assert_words_match_poppler(
    pdf: &[u8],
    page: usize,
    x_tolerance: f64,
    y_tolerance: f64,
) -> usize {
    let doc = open(pdf.to_vec());
    let page_info = doc.latest().page(page).expect("page");
    let visible = page_info.visible_box();
    let displayed_height = if page_info.rotate % 180 == 0 {
        visible.height()
    } else {
        visible.width()
    };
    let words = poppler_words(pdf, page, displayed_height);
    assert!(!words.is_empty(), "poppler reads no words on page {page}");
    let options = content::FindOptions {
        whole_words: true,
        ..Default::default()
    };
    for word in &words {
        let hits = content::find_text_with(&doc, page, &word.text, &options).expect("page reads");
        let shown: Vec<Rect> = hits
            .iter()
            .map(|hit| content::displayed_rect(&page_info, hit.rect))
            .collect();
        let close = shown.iter().any(|rect| {
            (rect.llx - word.rect.llx).abs() <= x_tolerance
                && (rect.urx - word.rect.urx).abs() <= x_tolerance
                && (rect.lly - word.rect.lly).abs() <= y_tolerance
                && (rect.ury - word.rect.ury).abs() <= y_tolerance
        });
        assert!(
            close,
            "word {:?}: poppler's box {:?}, ours {shown:?}",
            word.text, word.rect
        );
    }
    words.len()
}
