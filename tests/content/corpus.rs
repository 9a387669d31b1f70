//! Third-party PDFs of the shared corpus (Word, LibreOffice, iText and other producers): every
//! page reads, and where poppler reads words from the page content, the boxes agree.

use std::path::{Path, PathBuf};

use vanthu::pdf::Document;
use vanthu::pdf::content::{self, ContentLimits};

use super::support::{assert_words_match_poppler, find_one, pdftotext};
use crate::common;

fn pdfs(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("corpus folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(pdfs(&path));
        } else if path.extension().is_some_and(|extension| extension == "pdf") {
            found.push(path);
        }
    }
    found.sort();
    found
}

fn corpus_file(name: &str) -> Option<PathBuf> {
    let dir = common::require("the shared corpus (../shared/corpus)", common::corpus_dir())?;
    pdfs(&dir).into_iter().find(|path| path.ends_with(name))
}

#[test]
fn every_corpus_page_reads() {
    let Some(dir) = common::require("the shared corpus (../shared/corpus)", common::corpus_dir())
    else {
        return;
    };
    let mut pages_read = 0;
    for path in pdfs(&dir) {
        // Files the reader refuses (broken on purpose) are the pdf tests' business.
        let Ok(doc) = Document::open(&path) else {
            continue;
        };
        let count = doc.latest().page_count().unwrap_or(0);
        for page in 0..count.min(5) {
            let lines = content::page_text(&doc, page, &ContentLimits::default());
            assert!(
                lines.is_ok(),
                "{} page {}: {lines:?}",
                path.display(),
                page + 1
            );
            pages_read += 1;
        }
    }
    assert!(pages_read >= 30, "{pages_read} pages read");
}

#[test]
fn word_made_pages_agree_with_poppler() {
    let Some(path) = corpus_file("dss-2554_certified-no-change-permitted.pdf") else {
        return;
    };
    let pdf = std::fs::read(&path).expect("read the corpus file");
    let title = find_one(&pdf, 0, "EUROPEAN COMMISSION");
    assert!(title.lly > 600.0, "the title is at the top: {title:?}");
    if pdftotext().is_none() {
        return;
    }
    // Pages 1–4 (page 5 sets small capitals in two sizes, which poppler splits into two words).
    for page in 0..4 {
        let compared = assert_words_match_poppler(&pdf, page, 0.05, 0.05);
        assert!(compared > 40, "page {}: {compared} words", page + 1);
    }
}
