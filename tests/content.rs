//! Finding text on a page (`vanthu::pdf::content`): pages made with lopdf in every font kind the
//! reader knows, pages made by LibreOffice, rectangles compared with poppler's `pdftotext -bbox`,
//! and hostile content streams.

mod common;

mod content {
    mod corpus;
    mod fonts;
    mod hostile;
    mod libreoffice;
    mod standard;
    mod support;
}
