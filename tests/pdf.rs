//! Integration tests of the `pdf` module: reading revisions and objects, the incremental writer,
//! signature placeholders, hostile input and the corpus of third-party PDFs.

mod common;

#[path = "pdf/support.rs"]
mod support;

#[path = "pdf/corpus.rs"]
mod corpus;

#[path = "pdf/reader.rs"]
mod reader;

#[path = "pdf/writer.rs"]
mod writer;

#[path = "pdf/signature.rs"]
mod signature;

#[path = "pdf/peers.rs"]
mod peers;

#[path = "pdf/dss.rs"]
mod dss;

#[path = "pdf/hostile.rs"]
mod hostile;

#[path = "../fuzz/exercise.rs"]
mod exercise;

#[path = "pdf/fuzz_corpus.rs"]
mod fuzz_corpus;
