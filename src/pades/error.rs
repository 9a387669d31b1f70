//! Why a PDF could not be signed. Every refusal happens before anything is written, and names what
//! is wrong (the field, the certificate, the limit); messages are Vietnamese first, English second.

use time::OffsetDateTime;

use crate::cms::{CmsError, SignerError, VerifyError};
use crate::pdf::PdfError;
use crate::pdf::appearance::AppearanceError;

/// Everything that can stop a signature.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PadesError {
    #[error(
        "tệp PDF quá lớn ({size} byte, tối đa {max}) / the PDF is too large ({size} bytes, at most {max})"
    )]
    TooLarge { size: u64, max: u64 },
    #[error("không đọc được tệp PDF / the PDF cannot be read: {0}")]
    Pdf(#[source] PdfError),
    #[error(
        "tệp PDF được mã hóa, không thể ký / the PDF is encrypted; encrypted PDFs cannot be signed"
    )]
    Encrypted,
    #[error("tệp PDF không có trang nào / the PDF has no page")]
    NoPages,
    #[error(
        "tài liệu đã được chứng thực không cho phép thay đổi (DocMDP P1) / the document is certified \
         with DocMDP P1 (no changes allowed): it cannot take another signature"
    )]
    CertifiedNoChanges,
    #[error(
        "chỉ chữ ký đầu tiên mới được chứng thực tài liệu / only the first signature of a document \
         may certify it (the document is already signed)"
    )]
    CertificationNotFirst,
    #[error(
        "tài liệu đã được chứng thực: chữ ký hiển thị chỉ được đặt vào trường có sẵn / the \
         document is certified: a new visible signature field would break the certification for \
         strict verifiers (pyHanko); sign invisibly or into an empty field made before certifying"
    )]
    CertifiedNewVisibleField,
    #[error(
        "trường \"{field}\" đã bị khóa bởi chữ ký \"{locked_by}\" / field {field:?} is locked by \
         signature {locked_by:?} (FieldMDP)"
    )]
    FieldLocked { field: String, locked_by: String },
    #[error(
        "chữ ký \"{locked_by}\" không cho phép thay đổi sau khi ký / signature {locked_by:?} allows \
         no change after it (its /Lock sets DocMDP P1)"
    )]
    LockedNoChanges { locked_by: String },
    #[error("trường chữ ký \"{field}\": {problem} / signature field {field:?}: {problem}")]
    Field { field: String, problem: String },
    #[error("tùy chọn không hợp lệ / invalid signing options: {0}")]
    Options(String),
    #[error("vị trí chữ ký không hợp lệ / invalid placement: {0}")]
    Placement(String),
    #[error(
        "không đọc được nội dung trang để tìm \"{text}\" / the page content cannot be searched for \
         {text:?}: {source}"
    )]
    AnchorSearch {
        text: String,
        #[source]
        source: crate::pdf::content::ContentError,
    },
    #[error(
        "không tìm thấy \"{text}\" trên trang {page} / the text {text:?} was not found on page {page}"
    )]
    AnchorNotFound { text: String, page: usize },
    #[error("chứng thư số không đọc được / the signer certificate cannot be read: {0}")]
    Certificate(String),
    #[error(
        "chứng thư số đã hết hạn vào {not_after} (thời điểm ký {at}) / the signer certificate \
         expired on {not_after}, before the signing time {at}"
    )]
    CertificateExpired {
        not_after: OffsetDateTime,
        at: OffsetDateTime,
    },
    #[error(
        "chứng thư số chưa có hiệu lực đến {not_before} (thời điểm ký {at}) / the signer \
         certificate is not valid before {not_before}, after the signing time {at}"
    )]
    CertificateNotYetValid {
        not_before: OffsetDateTime,
        at: OffsetDateTime,
    },
    #[error(
        "chứng thư số không dùng để ký ({problems}) / the signer certificate may not sign \
         documents: {problems}"
    )]
    CertificateNotForSigning { problems: String },
    #[error(
        "thời điểm ký {claimed} ở tương lai / the claimed signing time {claimed} is in the future"
    )]
    ClaimedTimeInFuture { claimed: OffsetDateTime },
    #[error("khóa ký / signing key: {0}")]
    Signer(#[source] SignerError),
    #[error("CMS: {0}")]
    Cms(#[source] CmsError),
    #[error("hình thức chữ ký / appearance: {0}")]
    Appearance(#[source] AppearanceError),
    #[error(
        "chữ ký ({needed} byte) không vừa chỗ dành sẵn ({capacity} byte) / the signature \
         ({needed} bytes) does not fit the {capacity} bytes reserved in /Contents"
    )]
    SignatureTooLarge { needed: usize, capacity: usize },
    #[error(
        "tệp PDF đã chuẩn bị không khớp với trạng thái chờ ký / the prepared PDF does not match \
         the pending signature ({0})"
    )]
    PreparedMismatch(String),
    #[error("trạng thái chờ ký không hợp lệ / the pending signature is invalid: {0}")]
    InvalidPending(String),
    #[error(
        "chứng thư số không phải chứng thư đã chuẩn bị / the certificate is not the one the \
         signature was prepared for"
    )]
    WrongCertificate,
    #[error("chữ ký bị từ chối / the signature is refused: {0}")]
    SignatureRejected(#[source] VerifyError),
    #[error("CMS không dùng được cho PAdES / the CMS cannot be embedded: {0}")]
    UnusableCms(String),
    #[error("phần mở rộng chữ ký / signature extension: {0}")]
    Extension(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("tác vụ ký bị gián đoạn / the signing task was interrupted: {0}")]
    Interrupted(String),
}

impl From<PdfError> for PadesError {
    /// The refusals the reader and writer already name keep their own variant.
    fn from(error: PdfError) -> Self {
        match error.root_cause() {
            PdfError::Encrypted => PadesError::Encrypted,
            PdfError::CertifiedNoChanges => PadesError::CertifiedNoChanges,
            PdfError::SignatureTooLarge { needed, capacity } => PadesError::SignatureTooLarge {
                needed: *needed,
                capacity: *capacity,
            },
            _ => PadesError::Pdf(error),
        }
    }
}

impl From<CmsError> for PadesError {
    fn from(error: CmsError) -> Self {
        match error {
            CmsError::Signer(signer) => PadesError::Signer(signer),
            CmsError::SignatureRejected(rejected) => PadesError::SignatureRejected(*rejected),
            other => PadesError::Cms(other),
        }
    }
}

impl From<SignerError> for PadesError {
    fn from(error: SignerError) -> Self {
        PadesError::Signer(error)
    }
}

impl From<AppearanceError> for PadesError {
    fn from(error: AppearanceError) -> Self {
        PadesError::Appearance(error)
    }
}

impl From<VerifyError> for PadesError {
    fn from(error: VerifyError) -> Self {
        PadesError::SignatureRejected(error)
    }
}
