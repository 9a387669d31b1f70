//! Errors of reading a page's text, and the limits that bound the work.

use std::fmt;

use crate::pdf::PdfError;

/// Upper bounds on the work of reading one page's text. Hitting one is an error
/// ([`ContentError::LimitExceeded`]) naming the [`ContentLimit`]; nothing is silently cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentLimits {
    /// Operators interpreted for the page, form XObjects included (a form drawn twice counts
    /// twice).
    pub max_operations: usize,
    /// Decoded bytes interpreted for the page: content streams (each time a form is drawn) and
    /// CMap streams.
    pub max_content_bytes: usize,
    /// Deepest nesting of form XObjects (a form that draws itself reaches it at once).
    pub max_form_depth: usize,
    /// Form XObjects drawn for the page (a form drawn twice counts twice).
    pub max_form_draws: usize,
    /// Deepest nesting of `q` without `Q`.
    pub max_graphics_depth: usize,
    /// Operands waiting for their operator.
    pub max_operands: usize,
    /// Glyphs shown on the page (every code of every shown string).
    pub max_glyphs: usize,
    /// Mappings in one CMap or one `/W` array (a range counts once, each element of a range's
    /// array counts once).
    pub max_cmap_entries: usize,
}

impl Default for ContentLimits {
    fn default() -> Self {
        ContentLimits {
            max_operations: 2_000_000,
            max_content_bytes: 256 * 1024 * 1024,
            max_form_depth: 12,
            max_form_draws: 20_000,
            max_graphics_depth: 1024,
            max_operands: 4096,
            max_glyphs: 500_000,
            max_cmap_entries: 200_000,
        }
    }
}

/// Which content limit was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentLimit {
    Operations,
    ContentBytes,
    FormDepth,
    FormDraws,
    GraphicsDepth,
    Operands,
    Glyphs,
    CMapEntries,
}

impl fmt::Display for ContentLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContentLimit::Operations => "content operators",
            ContentLimit::ContentBytes => "decoded content bytes",
            ContentLimit::FormDepth => "form XObject nesting (nested or cyclic forms)",
            ContentLimit::FormDraws => "form XObjects drawn",
            ContentLimit::GraphicsDepth => "graphics state nesting (q without Q)",
            ContentLimit::Operands => "operands before an operator",
            ContentLimit::Glyphs => "glyphs on the page",
            ContentLimit::CMapEntries => "CMap or width entries",
        })
    }
}

/// Why a page's text could not be read or searched.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error(
        "không có trang {number} (tài liệu có {count} trang) / \
         there is no page {number} (the document has {count})"
    )]
    PageOutOfRange {
        /// 1-based, as a person counts pages.
        number: usize,
        count: usize,
    },
    #[error("chuỗi cần tìm đang trống / the text to find is empty")]
    EmptyNeedle,
    #[error("reading {context}: {source}")]
    Pdf {
        /// What was being read: `page 1`, `font /F1 of page 1`, `form XObject 12 0 R`, …
        context: String,
        #[source]
        source: PdfError,
    },
    #[error("syntax error in {context}: {source}")]
    Syntax {
        /// The stream: `content of page 1`, `form XObject 12 0 R`, `ToUnicode CMap of font /F1`.
        context: String,
        #[source]
        source: PdfError,
    },
    #[error("{context}: {limit} limit exceeded ({value} > {max})")]
    LimitExceeded {
        limit: ContentLimit,
        context: String,
        value: u64,
        max: u64,
    },
}

impl ContentError {
    pub(super) fn pdf(context: impl Into<String>) -> impl FnOnce(PdfError) -> ContentError {
        let context = context.into();
        move |source| ContentError::Pdf { context, source }
    }

    pub(super) fn limit(
        limit: ContentLimit,
        context: impl Into<String>,
        value: usize,
        max: usize,
    ) -> ContentError {
        ContentError::LimitExceeded {
            limit,
            context: context.into(),
            value: value as u64,
            max: max as u64,
        }
    }
}
