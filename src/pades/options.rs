//! What a caller asks of one signature: the field, the picture and where it goes, the digest, the
//! claimed time and texts of the signature dictionary, certification and field locks, and the
//! space reserved for the CMS. Plain values with defaults that give a valid PAdES B-B signature.

use time::OffsetDateTime;

use crate::crypto::DigestAlgorithm;
use crate::pdf::appearance::{FontFamily, PngImage};
use crate::pdf::{DocMdpPermission, FieldMdpAction, Limits, Rect};

/// Bytes of DER kept free in `/Contents`, beyond the CMS itself, for a signature timestamp token
/// (PAdES B-T) that a [`CmsExtension`](super::CmsExtension) adds between building the CMS and
/// embedding it. A token with its TSA certificate and chain is typically 3–6 KiB.
pub const DEFAULT_TIMESTAMP_RESERVE: usize = 8 * 1024;

/// Largest PDF accepted for signing: the input and the output are both held in memory.
pub const DEFAULT_MAX_INPUT_SIZE: u64 = 128 * 1024 * 1024;

/// The full options of one signature. `SignOptions::default()` is an invisible PAdES B-B
/// signature with SHA-256 in a new field, claimed at the current time.
#[derive(Debug, Clone)]
pub struct SignOptions {
    /// The signature field: an existing empty signature field of that full name, or a new
    /// top-level field. `None` picks the first free name among `Signature1`, `Signature2`, ….
    pub field_name: Option<String>,
    /// What the widget shows.
    pub appearance: AppearanceKind,
    /// Where the widget goes (ignored for an existing field, which keeps its widget).
    pub placement: Placement,
    /// The digest of the document and of the signed attributes (SHA-256, SHA-384 or SHA-512).
    pub digest: DigestAlgorithm,
    /// The claimed signing time written in `/M` and shown by agency appearances; `None` is now.
    /// The certificate must be valid both then and now.
    pub signing_time: Option<OffsetDateTime>,
    pub reason: Option<String>,
    pub location: Option<String>,
    pub contact_info: Option<String>,
    /// Certify the document (DocMDP) with this permission; only the first signature may.
    pub certification: Option<DocMdpPermission>,
    /// Lock these fields once signed (FieldMDP and the field's `/Lock`).
    pub lock: Option<FieldMdpAction>,
    /// Bytes of DER reserved in `/Contents`; `None` computes it from the certificates, the
    /// algorithm and [`timestamp_reserve`](Self::timestamp_reserve).
    pub contents_capacity: Option<usize>,
    /// See [`DEFAULT_TIMESTAMP_RESERVE`]; 0 for a signature that will never carry a timestamp.
    pub timestamp_reserve: usize,
    /// Limits for reading the input; `max_file_size` defaults to [`DEFAULT_MAX_INPUT_SIZE`].
    pub limits: Limits,
    /// The typeface of visible appearances; `None` finds a Times New Roman–compatible system
    /// font (see [`FontFamily::locate`]) when one is needed.
    pub fonts: Option<FontFamily>,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            field_name: None,
            appearance: AppearanceKind::Invisible,
            placement: Placement::Auto,
            digest: DigestAlgorithm::Sha256,
            signing_time: None,
            reason: None,
            location: None,
            contact_info: None,
            certification: None,
            lock: None,
            contents_capacity: None,
            timestamp_reserve: DEFAULT_TIMESTAMP_RESERVE,
            limits: Limits {
                max_file_size: DEFAULT_MAX_INPUT_SIZE,
                ..Limits::default()
            },
            fonts: None,
        }
    }
}

/// The picture of a signature (Decree 30/2020/NĐ-CP, Appendix I). Names shown are for display
/// only: verification reads identity from the certificate.
#[derive(Debug, Clone)]
pub enum AppearanceKind {
    /// No picture: a zero-size widget on page 1.
    Invisible,
    /// The competent person's signature (item 7c): position above, the blue signature image,
    /// the full name below.
    Personal {
        /// The handwritten signature, blue on transparency.
        image: PngImage,
        /// The position, one line per `\n`; `None` takes the certificate's `title` attribute;
        /// `Some("")` shows none (the page already prints it).
        position: Option<String>,
        /// `None` takes the certificate's common name; `Some("")` shows none.
        full_name: Option<String>,
    },
    /// The agency's seal signature (item 8b): the red seal at its real size with the agency's
    /// name and the signing time below it.
    Agency {
        seal: PngImage,
        /// `None` takes the certificate's organisation (else its common name).
        organisation: Option<String>,
    },
    /// An electronic copy (Appendix I, Part II): the form of copy ("SAO Y", "SAO LỤC",
    /// "TRÍCH SAO"), the copying agency and the time, top right of page 1, no image.
    Copy {
        form: String,
        organisation: Option<String>,
    },
    /// An attachment in its own file (item 8c): the main document's number and symbol and the
    /// time, top right of page 1, no image.
    Attachment { number_and_symbol: String },
    /// Text only: the signer, the organisation and the signing time (or the caller's lines).
    Text { lines: Option<Vec<String>> },
}

impl AppearanceKind {
    pub fn is_visible(&self) -> bool {
        !matches!(self, AppearanceKind::Invisible)
    }
}

/// Where a visible signature's widget goes. The widget always has the appearance's own size
/// (nothing is scaled), except in an existing field, whose widget keeps its rectangle and shows
/// the appearance centred (scaled down only if it does not fit).
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    /// Invisible: page 1; copy and attachment stamps: top right of page 1; agency signatures:
    /// over the most recent visible signature; personal and text appearances need a place.
    Auto,
    /// Centred in `rect` (points, default user space) on page `page_index` (0-based); the
    /// appearance is laid out no wider than the rectangle.
    Rect { page_index: usize, rect: Rect },
    /// Centred above the first occurrence of `text` (such as the signer's name printed on the
    /// page) on `page_index`, or on the last page holding it when `None`.
    Anchor {
        page_index: Option<usize>,
        text: String,
    },
    /// An agency seal over the signature image of the signed field `field` (or of the most
    /// recent visible signature when `None`), covering its left third.
    OverSignature { field: Option<String> },
}
