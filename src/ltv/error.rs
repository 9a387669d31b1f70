//! Why a PDF could not be taken to a PAdES level.

use crate::pades::PadesError;
use crate::pdf::PdfError;
use crate::tsa::ClientError;

#[derive(Debug, thiserror::Error)]
pub enum LtvError {
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error(transparent)]
    Signing(#[from] PadesError),
    #[error("không lấy được dấu thời gian / no timestamp: {0}")]
    Timestamp(#[from] ClientError),
    #[error("tài liệu không có chữ ký / the document carries no signature")]
    Unsigned,
    #[error("chữ ký {field}: không đọc được CMS / signature {field}: unreadable CMS: {detail}")]
    UnreadableSignature { field: String, detail: String },
    #[error(
        "{what} ({subject}) không dẫn tới chứng thư gốc tin cậy / does not chain to a trusted root: {detail}"
    )]
    Untrusted {
        what: String,
        subject: String,
        detail: String,
    },
    #[error(
        "không có CRL hợp lệ cho {subject} / no usable CRL for {subject}: give it with --crl (distribution points: {distribution_points})"
    )]
    NoRevocationData {
        subject: String,
        distribution_points: String,
    },
    #[error("mức {0} không áp dụng được ở đây / level {0} cannot be used here: {1}")]
    LevelNotApplicable(&'static str, &'static str),
    #[error("tác vụ nền bị hủy / the background task failed: {0}")]
    Task(String),
}
