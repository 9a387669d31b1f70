//! Resource limits that bound what reading a hostile PDF may cost in memory and time.

use std::fmt;

/// Upper bounds applied while reading a PDF. Every limit that is hit produces
/// [`PdfError::LimitExceeded`](super::PdfError::LimitExceeded) naming the [`Limit`].
///
/// The defaults suit the service: files up to 512 MiB, streams that decode to at most 32 MiB
/// (DESIGN §8), and a nesting depth far beyond any real document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_file_size: u64,
    /// Largest object number accepted in a cross-reference section or trailer `/Size`, and most
    /// cross-reference entries in all sections together.
    pub max_objects: u32,
    /// Deepest nesting of arrays and dictionaries, and longest chain of references followed.
    pub max_nesting_depth: usize,
    /// Largest decoded stream (after all filters), in bytes.
    pub max_decompressed_size: usize,
    /// Most cross-reference sections followed through `/Prev`.
    pub max_xref_sections: usize,
    /// Longest string or name token, in bytes.
    pub max_string_length: usize,
    /// Most elements in one array or entries in one dictionary.
    pub max_collection_length: usize,
    /// Most objects in one object stream (`/N`).
    pub max_objects_per_stream: usize,
    /// Most pages or form fields visited by a tree walk.
    pub max_tree_nodes: usize,
    /// Parsed objects kept in the document's cache.
    pub object_cache_entries: usize,
    /// Decoded object-stream bytes kept in the document's cache.
    pub object_stream_cache_bytes: usize,
    /// Longest time a document may be worked on, counted from its opening; `None` for no limit.
    /// Checked whenever an object is read or a stream decoded, so that a service can bound the
    /// CPU one hostile upload takes whatever the other limits allow.
    pub max_processing_time: Option<std::time::Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 512 * 1024 * 1024,
            max_objects: 8_000_000,
            max_nesting_depth: 64,
            max_decompressed_size: 32 * 1024 * 1024,
            max_xref_sections: 4096,
            max_string_length: 16 * 1024 * 1024,
            max_collection_length: 1_000_000,
            max_objects_per_stream: 100_000,
            max_tree_nodes: 1_000_000,
            object_cache_entries: 4096,
            object_stream_cache_bytes: 8 * 1024 * 1024,
            max_processing_time: None,
        }
    }
}

/// Which limit was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    FileSize,
    ObjectCount,
    NestingDepth,
    DecompressedSize,
    XrefSections,
    StringLength,
    CollectionLength,
    ObjectsPerStream,
    TreeNodes,
    /// [`Limits::max_processing_time`], in milliseconds.
    ProcessingTime,
    /// Filters applied to one stream ([`crate::pdf::filters::MAX_FILTERS`]).
    FilterChain,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Limit::FileSize => "file size",
            Limit::ObjectCount => "object count",
            Limit::NestingDepth => "nesting depth",
            Limit::DecompressedSize => "decompressed stream size",
            Limit::XrefSections => "number of cross-reference sections",
            Limit::StringLength => "string length",
            Limit::CollectionLength => "array or dictionary length",
            Limit::ObjectsPerStream => "objects per object stream",
            Limit::TreeNodes => "page or field tree size",
            Limit::ProcessingTime => "processing time (ms)",
            Limit::FilterChain => "filter chain length",
        };
        f.write_str(text)
    }
}
