//! The message catalogue of verification: every finding code with its default severity and its
//! text in Vietnamese and English, the explanation of each ETSI sub-indication, the one-sentence
//! verdicts and the labels the renderers print. The verifier, the CLI and the web page all take
//! their words from here, so that one code always reads the same.
//!
//! Texts may contain `{name}` placeholders, filled from a finding's parameters.

use serde::{Deserialize, Serialize};

use crate::pki::indication::SubIndication;

/// How much a finding matters to the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// Stable finding codes. Codes are part of the report schema: add new ones, never rename.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    // The file.
    FileUnreadable,
    FileTooLarge,
    ProcessingTimeExceeded,
    PdfMalformed,
    PdfEncrypted,
    PdfXrefRepaired,
    NoSignatures,
    // Geometry of the signature dictionary.
    ByteRangeInvalid,
    ByteRangeNotFromStart,
    ByteRangeGapNotContents,
    ByteRangeNotAtEof,
    ByteRangesOverlap,
    ContentsInvalid,
    SubFilterUnsupported,
    NotEtsiSubFilter,
    // CMS.
    CmsMalformed,
    CmsSignerCount,
    CmsEncapsulatedContent,
    MessageDigestMismatch,
    SignatureInvalid,
    SignerCertificateNotFound,
    SigningCertificateMismatch,
    SigningCertificateAttributeMissing,
    SigningTimeAttributePresent,
    WeakSignatureAlgorithm,
    // Certificates and paths (the codes of `pki::path::ProblemKind`).
    IssuerNotFound,
    SelfSignedNotTrusted,
    PathTooLong,
    CertExpired,
    CertNotYetValid,
    CertSignatureInvalid,
    CertSignatureUnverifiable,
    CertSignatureAlgorithmMismatch,
    WeakDigest,
    WeakKey,
    IssuerNotCa,
    PathLengthExceeded,
    IssuerMissingKeyCertSign,
    UnrecognisedCriticalExtension,
    MalformedExtension,
    KeyUsageNotForSigning,
    ExtendedKeyUsageIncompatible,
    TsaEkuMissing,
    TsaEkuNotCritical,
    TsaEkuNotSole,
    KeyUsageNotForCrlSigning,
    CertRevoked,
    CertRevokedNoPoe,
    CaRevokedNoPoe,
    CertRevokedAfterPoe,
    RevocationUnknown,
    // Revisions and modifications.
    ModifiedAfterSigning,
    ObjectChanged,
    CoverageUnclear,
    UnsignedDataAppended,
    DocMdpViolation,
    FieldMdpViolation,
    LockViolation,
    SignatureWidgetChanged,
    SuspiciousAnnotation,
    // Time.
    SigningTimeClaimedOnly,
    TimestampInvalid,
    TimestampImprintMismatch,
    TimestampUntrusted,
    TimestampAfterClaimedTime,
    TimestampBeforeClaimedTime,
    TsaCertificateExpiresSoon,
    // Added with the verifier (issue 4).
    FilterInvalid,
    SignatureTypeInvalid,
    AlgorithmUnsupported,
    DssUnreadable,
    ModificationAnalysisFailed,
    ValidationTimeUsed,
    SigningCertificateV1Only,
    DocumentTimestampCovers,
    TooManySignatures,
}

/// One catalogue entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    pub severity: Severity,
    pub vi: &'static str,
    pub en: &'static str,
}

const fn entry(severity: Severity, vi: &'static str, en: &'static str) -> Message {
    Message { severity, vi, en }
}

impl Code {
    /// The code as written in reports (`"CERT_EXPIRED"`).
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Looks a code up by its written form.
    pub fn parse(code: &str) -> Option<Code> {
        serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
    }

    /// The catalogue entry.
    pub fn message(self) -> Message {
        use Severity::*;
        match self {
            Code::FileUnreadable => entry(
                Error,
                "Không đọc được tệp: {detail}.",
                "The file cannot be read: {detail}.",
            ),
            Code::FileTooLarge => entry(
                Error,
                "Tệp vượt quá kích thước cho phép ({limit}).",
                "The file exceeds the size limit ({limit}).",
            ),
            Code::ProcessingTimeExceeded => entry(
                Error,
                "Việc kiểm tra tệp vượt quá thời gian cho phép ({limit}); tệp không được kiểm tra hết.",
                "Checking the file took longer than allowed ({limit}); it was not checked completely.",
            ),
            Code::PdfMalformed => entry(
                Error,
                "Tệp PDF bị lỗi cấu trúc: {detail}.",
                "The PDF is malformed: {detail}.",
            ),
            Code::PdfEncrypted => entry(
                Error,
                "Tệp PDF được mã hóa nên không kiểm tra được chữ ký.",
                "The PDF is encrypted, so its signatures cannot be checked.",
            ),
            Code::PdfXrefRepaired => entry(
                Error,
                "Bảng tham chiếu chéo (xref) của tệp PDF bị hỏng và phải dựng lại: không tin cậy được các bản sửa đổi.",
                "The PDF's cross-reference table is broken and had to be rebuilt: its revisions cannot be trusted.",
            ),
            Code::NoSignatures => entry(
                Warning,
                "Tệp không có chữ ký số nào.",
                "The file contains no digital signature.",
            ),
            Code::ByteRangeInvalid => entry(
                Error,
                "/ByteRange của chữ ký không hợp lệ: {detail}.",
                "The signature's /ByteRange is invalid: {detail}.",
            ),
            Code::ByteRangeNotFromStart => entry(
                Error,
                "/ByteRange không bắt đầu từ đầu tệp.",
                "The /ByteRange does not start at the beginning of the file.",
            ),
            Code::ByteRangeGapNotContents => entry(
                Error,
                "Khoảng trống của /ByteRange không đúng bằng giá trị /Contents của chính chữ ký này.",
                "The /ByteRange gap is not exactly this signature's /Contents value.",
            ),
            Code::ByteRangeNotAtEof => entry(
                Error,
                "/ByteRange không kết thúc tại dấu %%EOF của một bản sửa đổi.",
                "The /ByteRange does not end at a revision's %%EOF.",
            ),
            Code::ByteRangesOverlap => entry(
                Error,
                "Vùng ký của các chữ ký chồng lấn nhau thay vì lồng nhau.",
                "The signed ranges of the signatures overlap instead of nesting.",
            ),
            Code::ContentsInvalid => entry(
                Error,
                "/Contents của chữ ký không hợp lệ: {detail}.",
                "The signature's /Contents is invalid: {detail}.",
            ),
            Code::SubFilterUnsupported => entry(
                Error,
                "Định dạng chữ ký {sub_filter} không được hỗ trợ.",
                "The signature format {sub_filter} is not supported.",
            ),
            Code::NotEtsiSubFilter => entry(
                Info,
                "Chữ ký dùng định dạng {sub_filter}, không phải PAdES theo ETSI.",
                "The signature uses {sub_filter}, not ETSI PAdES.",
            ),
            Code::CmsMalformed => entry(
                Error,
                "Cấu trúc chữ ký CMS bị lỗi: {detail}.",
                "The CMS signature is malformed: {detail}.",
            ),
            Code::CmsSignerCount => entry(
                Error,
                "Chữ ký CMS phải có đúng một người ký, ở đây có {count}.",
                "The CMS signature must have exactly one signer; it has {count}.",
            ),
            Code::CmsEncapsulatedContent => entry(
                Error,
                "Chữ ký tách rời không được chứa nội dung đóng gói (eContent).",
                "A detached signature must not carry encapsulated content (eContent).",
            ),
            Code::MessageDigestMismatch => entry(
                Error,
                "Giá trị băm của nội dung đã ký không khớp: văn bản đã bị thay đổi sau khi ký.",
                "The digest of the signed content does not match: the document was changed after signing.",
            ),
            Code::SignatureInvalid => entry(
                Error,
                "Giá trị chữ ký không đúng với khóa công khai trong chứng thư số của người ký.",
                "The signature value does not verify with the public key of the signer's certificate.",
            ),
            Code::SignerCertificateNotFound => entry(
                Error,
                "Không tìm thấy chứng thư số của người ký.",
                "The signer's certificate cannot be found.",
            ),
            Code::SigningCertificateMismatch => entry(
                Error,
                "Thuộc tính signing-certificate không trỏ đúng chứng thư số của người ký.",
                "The signing-certificate attribute does not identify the signer's certificate.",
            ),
            Code::SigningCertificateAttributeMissing => entry(
                Warning,
                "Chữ ký không gắn chứng thư số của người ký (thiếu thuộc tính signing-certificate-v2).",
                "The signature does not bind the signer's certificate (no signing-certificate-v2 attribute).",
            ),
            Code::SigningTimeAttributePresent => entry(
                Warning,
                "Chữ ký chứa thuộc tính signing-time mà PAdES không cho phép.",
                "The signature carries a signing-time attribute, which PAdES forbids.",
            ),
            Code::WeakSignatureAlgorithm => entry(
                Error,
                "Chữ ký dùng thuật toán {algorithm}, không còn được coi là an toàn.",
                "The signature uses {algorithm}, which is no longer considered secure.",
            ),
            Code::IssuerNotFound => entry(
                Error,
                "Không tìm thấy chứng thư số của tổ chức cấp «{issuer}» trong chữ ký hay trong kho tin cậy.",
                "The issuer's certificate «{issuer}» is neither in the signature nor in the trust store.",
            ),
            Code::SelfSignedNotTrusted => entry(
                Error,
                "Chứng thư số tự ký «{subject}» không thuộc danh sách tổ chức chứng thực được tin cậy.",
                "The self-signed certificate «{subject}» is not a configured trust anchor.",
            ),
            Code::PathTooLong => entry(
                Error,
                "Chuỗi chứng thư số dài quá {max} chứng thư.",
                "The certificate chain is longer than {max} certificates.",
            ),
            Code::CertExpired => entry(
                Error,
                "Chứng thư số «{subject}» đã hết hiệu lực từ {not_after}.",
                "The certificate «{subject}» expired on {not_after}.",
            ),
            Code::CertNotYetValid => entry(
                Error,
                "Chứng thư số «{subject}» chỉ có hiệu lực từ {not_before}.",
                "The certificate «{subject}» is only valid from {not_before}.",
            ),
            Code::CertSignatureInvalid => entry(
                Error,
                "Chữ ký của «{issuer}» trên chứng thư số «{subject}» không hợp lệ.",
                "The signature of «{issuer}» on the certificate «{subject}» is invalid.",
            ),
            Code::CertSignatureUnverifiable => entry(
                Error,
                "Không kiểm tra được chữ ký trên chứng thư số «{subject}»: {detail}.",
                "The signature on the certificate «{subject}» cannot be checked: {detail}.",
            ),
            Code::CertSignatureAlgorithmMismatch => entry(
                Error,
                "Chứng thư số «{subject}» ghi hai thuật toán chữ ký khác nhau.",
                "The certificate «{subject}» names two different signature algorithms.",
            ),
            Code::WeakDigest => entry(
                Error,
                "Chứng thư số «{subject}» được ký bằng hàm băm {digest}, không còn được coi là an toàn.",
                "The certificate «{subject}» is signed with {digest}, which is no longer considered secure.",
            ),
            Code::WeakKey => entry(
                Error,
                "Khóa {algorithm} {bits} bit của «{subject}» ngắn hơn mức tối thiểu {minimum} bit.",
                "The {bits}-bit {algorithm} key of «{subject}» is below the minimum of {minimum} bits.",
            ),
            Code::IssuerNotCa => entry(
                Error,
                "«{subject}» không phải là tổ chức chứng thực (basicConstraints) nhưng lại cấp chứng thư số.",
                "«{subject}» is not a certification authority (basicConstraints) yet issues certificates.",
            ),
            Code::PathLengthExceeded => entry(
                Error,
                "«{subject}» chỉ cho phép {path_len} CA trung gian bên dưới, chuỗi có {intermediates_below}.",
                "«{subject}» allows {path_len} intermediate CAs below it; the chain has {intermediates_below}.",
            ),
            Code::IssuerMissingKeyCertSign => entry(
                Error,
                "Khóa của «{subject}» không được phép ký chứng thư số (thiếu keyCertSign).",
                "The key of «{subject}» may not sign certificates (no keyCertSign).",
            ),
            Code::UnrecognisedCriticalExtension => entry(
                Error,
                "Chứng thư số «{subject}» có phần mở rộng bắt buộc {oid} mà phần mềm không xử lý.",
                "The certificate «{subject}» has a critical extension {oid} that is not processed.",
            ),
            Code::MalformedExtension => entry(
                Error,
                "Phần mở rộng {oid} của chứng thư số «{subject}» bị lỗi.",
                "The extension {oid} of the certificate «{subject}» is malformed.",
            ),
            Code::KeyUsageNotForSigning => entry(
                Error,
                "Chứng thư số «{subject}» không cho phép dùng khóa để ký (keyUsage: {key_usage}).",
                "The certificate «{subject}» does not allow its key to sign (keyUsage: {key_usage}).",
            ),
            Code::ExtendedKeyUsageIncompatible => entry(
                Error,
                "Chứng thư số «{subject}» chỉ dành cho mục đích khác ({purposes}), không dùng để ký văn bản.",
                "The certificate «{subject}» is for other purposes ({purposes}), not for signing documents.",
            ),
            Code::TsaEkuMissing => entry(
                Error,
                "Chứng thư số «{subject}» không dành cho dịch vụ cấp dấu thời gian (thiếu timeStamping).",
                "The certificate «{subject}» is not for a timestamping authority (no timeStamping purpose).",
            ),
            Code::TsaEkuNotCritical => entry(
                Error,
                "Mục đích timeStamping của «{subject}» phải được đánh dấu bắt buộc (critical).",
                "The timeStamping purpose of «{subject}» must be marked critical.",
            ),
            Code::TsaEkuNotSole => entry(
                Error,
                "Chứng thư số cấp dấu thời gian «{subject}» chỉ được có mục đích timeStamping, ở đây có: {purposes}.",
                "The timestamping certificate «{subject}» must have timeStamping as its only purpose; it has: {purposes}.",
            ),
            Code::KeyUsageNotForCrlSigning => entry(
                Error,
                "Khóa của «{subject}» không được phép ký danh sách thu hồi (thiếu cRLSign).",
                "The key of «{subject}» may not sign revocation lists (no cRLSign).",
            ),
            Code::CertRevoked => entry(
                Error,
                "Chứng thư số «{subject}» đã bị thu hồi lúc {revoked_at} ({reason}), trước thời điểm ký.",
                "The certificate «{subject}» was revoked on {revoked_at} ({reason}), before the signing time.",
            ),
            Code::CertRevokedNoPoe => entry(
                Error,
                "Chứng thư số «{subject}» đã bị thu hồi lúc {revoked_at} ({reason}) và không có bằng chứng chữ ký được tạo trước đó.",
                "The certificate «{subject}» was revoked on {revoked_at} ({reason}) and nothing proves the signature existed before.",
            ),
            Code::CaRevokedNoPoe => entry(
                Error,
                "Chứng thư số của tổ chức chứng thực «{subject}» đã bị thu hồi lúc {revoked_at} ({reason}).",
                "The certification authority certificate «{subject}» was revoked on {revoked_at} ({reason}).",
            ),
            Code::CertRevokedAfterPoe => entry(
                Warning,
                "Chứng thư số «{subject}» bị thu hồi lúc {revoked_at} ({reason}), sau thời điểm ký đã được chứng minh: chữ ký vẫn có giá trị.",
                "The certificate «{subject}» was revoked on {revoked_at} ({reason}), after the proven signing time: the signature stands.",
            ),
            Code::RevocationUnknown => entry(
                Warning,
                "Chưa xác định được tình trạng thu hồi của «{subject}»: {why}.",
                "The revocation status of «{subject}» is unknown: {why}.",
            ),
            Code::ModifiedAfterSigning => entry(
                Warning,
                "Tệp đã được bổ sung sau khi ký (mức thay đổi: {level}).",
                "The file was updated after signing (modification level: {level}).",
            ),
            Code::ObjectChanged => entry(
                Info,
                "Đối tượng {object} được thay đổi sau khi ký: {how}.",
                "Object {object} was changed after signing: {how}.",
            ),
            Code::CoverageUnclear => entry(
                Error,
                "Không xác định được chữ ký bao phủ phần nào của tệp.",
                "It cannot be determined which part of the file the signature covers.",
            ),
            Code::UnsignedDataAppended => entry(
                Warning,
                "Sau phần đã ký còn dữ liệu không thuộc bản sửa đổi nào.",
                "Data that belongs to no revision follows the signed part.",
            ),
            Code::DocMdpViolation => entry(
                Error,
                "Thay đổi sau khi ký vượt quá mức cho phép của chữ ký chứng nhận (DocMDP P{permission}).",
                "Changes after signing exceed what the certification signature allows (DocMDP P{permission}).",
            ),
            Code::FieldMdpViolation => entry(
                Error,
                "Trường «{field}» bị khóa bởi chữ ký nhưng đã bị thay đổi.",
                "The field «{field}» is locked by a signature but was changed.",
            ),
            Code::LockViolation => entry(
                Error,
                "Thay đổi vi phạm khóa /Lock của trường chữ ký «{field}».",
                "A change violates the /Lock of the signature field «{field}».",
            ),
            Code::SignatureWidgetChanged => entry(
                Error,
                "Hình hiển thị của chữ ký «{field}» bị thay đổi sau khi ký.",
                "The appearance of the signature «{field}» was changed after signing.",
            ),
            Code::SuspiciousAnnotation => entry(
                Error,
                "Một chú thích thêm sau khi ký có thể che hoặc thay đổi nội dung hiển thị ({object}).",
                "An annotation added after signing can hide or change the displayed content ({object}).",
            ),
            Code::SigningTimeClaimedOnly => entry(
                Info,
                "Thời điểm ký chỉ do người ký khai báo, không có dấu thời gian xác nhận.",
                "The signing time is only claimed by the signer; no timestamp confirms it.",
            ),
            Code::TimestampInvalid => entry(
                Error,
                "Dấu thời gian không hợp lệ: {detail}.",
                "The timestamp is invalid: {detail}.",
            ),
            Code::TimestampImprintMismatch => entry(
                Error,
                "Dấu thời gian không gắn với chữ ký này (giá trị băm không khớp).",
                "The timestamp does not belong to this signature (imprint mismatch).",
            ),
            Code::TimestampUntrusted => entry(
                Warning,
                "Không xác nhận được tổ chức cấp dấu thời gian «{tsa}».",
                "The timestamping authority «{tsa}» cannot be confirmed.",
            ),
            Code::TimestampAfterClaimedTime => entry(
                Info,
                "Dấu thời gian ({gen_time}) muộn hơn thời điểm ký khai báo ({claimed}).",
                "The timestamp ({gen_time}) is later than the claimed signing time ({claimed}).",
            ),
            Code::TimestampBeforeClaimedTime => entry(
                Warning,
                "Dấu thời gian ({gen_time}) sớm hơn thời điểm ký khai báo ({claimed}).",
                "The timestamp ({gen_time}) is earlier than the claimed signing time ({claimed}).",
            ),
            Code::TsaCertificateExpiresSoon => entry(
                Info,
                "Chứng thư số của tổ chức cấp dấu thời gian hết hiệu lực lúc {not_after}: cần gia hạn dấu thời gian lưu trữ.",
                "The timestamping authority's certificate expires on {not_after}: the archive timestamp needs renewing.",
            ),
            Code::FilterInvalid => entry(
                Error,
                "/Filter của chữ ký không hợp lệ: {detail}.",
                "The signature's /Filter is invalid: {detail}.",
            ),
            Code::SignatureTypeInvalid => entry(
                Error,
                "/Type của từ điển chữ ký là {found}, không phải /Sig hay /DocTimeStamp tương ứng với {sub_filter}.",
                "The signature dictionary's /Type is {found}, not the /Sig or /DocTimeStamp that {sub_filter} requires.",
            ),
            Code::AlgorithmUnsupported => entry(
                Error,
                "Thuật toán {what} {oid} không được hỗ trợ nên không kiểm tra được chữ ký.",
                "The {what} algorithm {oid} is not supported, so the signature cannot be checked.",
            ),
            Code::DssUnreadable => entry(
                Warning,
                "Không đọc được kho dữ liệu kiểm tra (/DSS) của tệp, nên không dùng đến: {detail}.",
                "The document security store (/DSS) cannot be read and is not used: {detail}.",
            ),
            Code::ModificationAnalysisFailed => entry(
                Error,
                "Không phân tích được các thay đổi sau khi ký: {detail}.",
                "The changes made after signing cannot be analysed: {detail}.",
            ),
            Code::ValidationTimeUsed => entry(
                Info,
                "Chứng thư số được kiểm tra tại thời điểm {time} ({basis}).",
                "The certificates were checked at {time} ({basis}).",
            ),
            Code::SigningCertificateV1Only => entry(
                Info,
                "Chữ ký gắn chứng thư số bằng thuộc tính signing-certificate cũ (SHA-1), không phải signing-certificate-v2.",
                "The signature binds its certificate with the older signing-certificate attribute (SHA-1), not signing-certificate-v2.",
            ),
            Code::TooManySignatures => entry(
                Error,
                "Tệp có hơn {max} chữ ký, vượt quá giới hạn kiểm tra.",
                "The file carries more than the {max} signatures that are checked.",
            ),
            Code::DocumentTimestampCovers => entry(
                Info,
                "Dấu thời gian tài liệu «{field}» ({gen_time}) chứng minh chữ ký đã tồn tại trước thời điểm đó.",
                "The document timestamp «{field}» ({gen_time}) proves the signature existed before that time.",
            ),
        }
    }
}

/// Fills `{name}` placeholders; unknown placeholders stay as written.
pub fn fill(template: &str, params: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in params {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// What a sub-indication means, for a reader.
pub fn sub_indication(sub: SubIndication) -> (&'static str, &'static str) {
    use SubIndication::*;
    match sub {
        FormatFailure => (
            "Chữ ký không đúng định dạng chuẩn nên không kiểm tra được.",
            "The signature does not follow the standard format and cannot be checked.",
        ),
        HashFailure => (
            "Nội dung đã bị thay đổi sau khi ký.",
            "The content was changed after signing.",
        ),
        SigCryptoFailure => ("Giá trị chữ ký sai.", "The signature value is wrong."),
        Revoked => (
            "Chứng thư số của người ký đã bị thu hồi trước khi ký.",
            "The signer's certificate was revoked before signing.",
        ),
        Expired => (
            "Chữ ký được tạo sau khi chứng thư số hết hiệu lực.",
            "The signature was made after the certificate expired.",
        ),
        NotYetValid => (
            "Chữ ký được tạo trước khi chứng thư số có hiệu lực.",
            "The signature was made before the certificate became valid.",
        ),
        SigConstraintsFailure => (
            "Chữ ký không đáp ứng chính sách kiểm tra.",
            "The signature does not meet the validation policy.",
        ),
        ChainConstraintsFailure => (
            "Chuỗi chứng thư số không đáp ứng các ràng buộc (mục đích sử dụng, quyền cấp chứng thư…).",
            "The certificate chain breaks a constraint (key usage, authority to issue…).",
        ),
        CertificateChainGeneralFailure => (
            "Chuỗi chứng thư số bị lỗi (chữ ký trên chứng thư không hợp lệ hoặc không kiểm tra được).",
            "The certificate chain is broken (a certificate's signature is invalid or cannot be checked).",
        ),
        CryptoConstraintsFailure => (
            "Thuật toán hoặc độ dài khóa không còn đủ an toàn.",
            "An algorithm or key size is no longer secure enough.",
        ),
        PolicyProcessingError => (
            "Không xử lý được chính sách chữ ký.",
            "The signature policy cannot be processed.",
        ),
        SignaturePolicyNotAvailable => (
            "Không có chính sách chữ ký được yêu cầu.",
            "The required signature policy is not available.",
        ),
        TimestampOrderFailure => (
            "Thứ tự các dấu thời gian không hợp lý.",
            "The timestamps are not in a consistent order.",
        ),
        NoSigningCertificateFound => (
            "Không tìm thấy chứng thư số của người ký.",
            "The signer's certificate cannot be found.",
        ),
        NoCertificateChainFound => (
            "Không xây dựng được chuỗi chứng thư số đến một tổ chức chứng thực được tin cậy.",
            "No certificate chain leads to a trusted certification authority.",
        ),
        RevokedNoPoe => (
            "Chứng thư số của người ký đã bị thu hồi và không có bằng chứng chữ ký được tạo trước đó.",
            "The signer's certificate was revoked and nothing proves the signature existed before.",
        ),
        RevokedCaNoPoe => (
            "Chứng thư số của một tổ chức chứng thực trong chuỗi đã bị thu hồi.",
            "A certification authority certificate in the chain was revoked.",
        ),
        OutOfBoundsNoPoe => (
            "Chứng thư số không còn (hoặc chưa) có hiệu lực tại thời điểm kiểm tra và không có bằng chứng thời điểm ký.",
            "A certificate is not valid at the validation time and nothing proves when the signature was made.",
        ),
        OutOfBoundsNotRevoked => (
            "Chứng thư số đã hết hiệu lực (không bị thu hồi) và không có bằng chứng thời điểm ký.",
            "A certificate has expired (it was not revoked) and nothing proves when the signature was made.",
        ),
        RevocationOutOfBoundsNoPoe => (
            "Thông tin thu hồi không còn hiệu lực tại thời điểm kiểm tra.",
            "The revocation information is not valid at the validation time.",
        ),
        CryptoConstraintsFailureNoPoe => (
            "Thuật toán đã hết an toàn và không có bằng chứng chữ ký được tạo trước thời điểm đó.",
            "An algorithm is no longer secure and nothing proves the signature existed before.",
        ),
        NoPoe => (
            "Thiếu bằng chứng về thời điểm tồn tại của chữ ký.",
            "A proof of when the signature existed is missing.",
        ),
        TryLater => (
            "Chưa có đủ thông tin thu hồi để kết luận; hãy kiểm tra lại khi có danh sách thu hồi (CRL).",
            "Not enough revocation information to conclude; check again when a revocation list (CRL) is available.",
        ),
        SignedDataNotFound => (
            "Không tìm thấy dữ liệu đã ký.",
            "The signed data cannot be found.",
        ),
    }
}

/// The four verdicts a reader sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Indeterminate,
    Failed,
    NoSignature,
}

impl Verdict {
    /// One word for a badge.
    pub fn word(self) -> (&'static str, &'static str) {
        match self {
            Verdict::Passed => ("HỢP LỆ", "VALID"),
            Verdict::Indeterminate => ("CHƯA XÁC ĐỊNH", "INDETERMINATE"),
            Verdict::Failed => ("KHÔNG HỢP LỆ", "INVALID"),
            Verdict::NoSignature => ("KHÔNG CÓ CHỮ KÝ", "NOT SIGNED"),
        }
    }

    /// One sentence a clerk understands at a glance, about a whole file.
    pub fn file_sentence(self) -> (&'static str, &'static str) {
        match self {
            Verdict::Passed => (
                "Văn bản có chữ ký số hợp lệ và không bị thay đổi sau khi ký.",
                "The document's digital signatures are valid and it has not been changed since signing.",
            ),
            Verdict::Indeterminate => (
                "Chưa khẳng định được chữ ký số là hợp lệ: cần kiểm tra thêm trước khi tiếp nhận.",
                "The digital signatures could not be confirmed as valid: check further before accepting the document.",
            ),
            Verdict::Failed => (
                "Chữ ký số không hợp lệ hoặc văn bản đã bị thay đổi: không tiếp nhận văn bản này.",
                "A digital signature is invalid or the document was altered: do not accept this document.",
            ),
            Verdict::NoSignature => (
                "Văn bản không có chữ ký số.",
                "The document carries no digital signature.",
            ),
        }
    }
}

/// Labels printed by the renderers, in Vietnamese and English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    File,
    Verdict,
    Signature,
    DocumentTimestamp,
    CertificationSignature,
    Signer,
    Organisation,
    IssuingCa,
    CertificateValidity,
    Serial,
    SigningTime,
    ClaimedBySigner,
    Timestamp,
    Integrity,
    Intact,
    NotIntact,
    Coverage,
    Modifications,
    Trust,
    TrustedChainTo,
    NotTrusted,
    Revocation,
    PadesLevel,
    Findings,
    Chain,
    Details,
    Errors,
    None,
}

impl Label {
    pub fn text(self) -> (&'static str, &'static str) {
        match self {
            Label::File => ("Tệp", "File"),
            Label::Verdict => ("Kết luận", "Verdict"),
            Label::Signature => ("Chữ ký", "Signature"),
            Label::DocumentTimestamp => ("Dấu thời gian tài liệu", "Document timestamp"),
            Label::CertificationSignature => ("Chữ ký chứng nhận", "Certification signature"),
            Label::Signer => ("Người ký", "Signer"),
            Label::Organisation => ("Cơ quan, tổ chức", "Organisation"),
            Label::IssuingCa => ("Tổ chức cấp chứng thư số", "Issuing CA"),
            Label::CertificateValidity => ("Hiệu lực chứng thư số", "Certificate validity"),
            Label::Serial => ("Số hiệu chứng thư số", "Certificate serial"),
            Label::SigningTime => ("Thời điểm ký", "Signing time"),
            Label::ClaimedBySigner => ("người ký khai báo", "claimed by the signer"),
            Label::Timestamp => ("Dấu thời gian", "Timestamp"),
            Label::Integrity => ("Tính toàn vẹn", "Integrity"),
            Label::Intact => ("nguyên vẹn", "intact"),
            Label::NotIntact => ("đã bị thay đổi", "altered"),
            Label::Coverage => ("Phạm vi ký", "Coverage"),
            Label::Modifications => ("Thay đổi sau khi ký", "Changes after signing"),
            Label::Trust => ("Tin cậy", "Trust"),
            Label::TrustedChainTo => ("chuỗi tin cậy đến", "trusted chain to"),
            Label::NotTrusted => ("không xác lập được chuỗi tin cậy", "no trusted chain"),
            Label::Revocation => ("Tình trạng thu hồi", "Revocation"),
            Label::PadesLevel => ("Mức PAdES", "PAdES level"),
            Label::Findings => ("Ghi nhận", "Findings"),
            Label::Chain => ("Chuỗi chứng thư số", "Certificate chain"),
            Label::Details => ("Chi tiết", "Details"),
            Label::Errors => ("Lỗi", "Errors"),
            Label::None => ("không", "none"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_written_form() {
        for code in [
            Code::CertExpired,
            Code::ByteRangeGapNotContents,
            Code::TsaEkuNotSole,
        ] {
            assert_eq!(Code::parse(&code.as_str()), Some(code));
        }
        assert_eq!(Code::CertExpired.as_str(), "CERT_EXPIRED");
        assert_eq!(Code::parse("NO_SUCH_CODE"), None);
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill(
                "«{subject}» hết hạn {not_after}",
                &[("subject", "A"), ("not_after", "B")]
            ),
            "«A» hết hạn B"
        );
        assert_eq!(fill("{unknown}", &[]), "{unknown}");
    }
}
