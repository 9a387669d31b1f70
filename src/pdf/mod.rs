//! Reading PDF revisions, cross-reference sections and objects, and writing incremental updates; knows nothing of CMS, HTTP or the database.
pub mod appearance;
