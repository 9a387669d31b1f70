//! Signature appearances (`vanthu::pdf::appearance`) put on a real page: the font embedding, the
//! Decree 30 layouts and their geometry, the images, and the rendered result compared with golden
//! images and read back with `pdftotext`.

mod common;

mod appearance {
    mod embedding;
    mod fixtures;
    mod golden;
    mod images;
    mod layouts;
    mod pdf;
    mod rendering;
}
