//! Why a change is not permitted: the reasons the rules give, in Vietnamese and English, and the
//! report finding each one becomes.

use crate::verify::messages::Code;
use crate::verify::report::{Finding, ModificationLevel};

use super::LockSource;

/// One reason a change is not permitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No rule explains the change.
    Unexplained,
    /// The object was written again, but the signed revision also uses it at these places,
    /// which no rule cleared (a shadow or sneaky overwrite).
    UsedElsewhere {
        places: Vec<String>,
    },
    /// An object of the signed revision was freed.
    Freed,
    /// The object number now has another generation: references to the old one point at nothing.
    GenerationChanged {
        from: u16,
        to: u16,
    },
    /// The object changed kind (`dictionary /Annot` to `stream`, …).
    TypeChanged {
        from: String,
        to: String,
    },
    /// An object stream of the signed revision was replaced: every object stored in it changes.
    ObjectStreamReplaced,
    /// Something cannot be read (`what` in Vietnamese and English).
    Unreadable {
        what_vi: String,
        what_en: String,
        error: String,
    },
    /// Dictionary entries no rule allows to change.
    EntriesChanged {
        keys: Vec<String>,
    },
    /// A trailer entry changed.
    TrailerEntryChanged {
        key: String,
    },
    /// The trailer's `/Root` points at another catalog.
    RootChanged,
    FieldRemoved {
        field: String,
    },
    /// A form field other than a signature field was added.
    FieldAdded {
        field: String,
    },
    FieldTypeChanged {
        field: String,
    },
    /// The field's name now leads to another object.
    FieldMoved {
        field: String,
    },
    DuplicateField {
        field: String,
    },
    /// A signed signature field, its widget, appearance or signature value was changed.
    SignedFieldChanged {
        field: String,
    },
    /// The widget's old appearance dictionary is shared with other structures.
    AppearanceShared {
        field: Option<String>,
    },
    /// Pages were added, removed or reordered.
    PageTreeChanged,
    /// A widget annotation was added to a page without a new signature field.
    WidgetAdded,
    /// A widget annotation was removed from a page.
    WidgetRemoved,
    /// A structure is not what the standard requires.
    Malformed {
        vi: String,
        en: String,
    },
    /// The change touches a field a signature locked.
    LockedField {
        field: String,
        signature_field: String,
        source: LockSource,
    },
    /// The change exceeds the certification's DocMDP permission.
    ExceedsDocMdp {
        permission: i64,
        level: ModificationLevel,
    },
    /// A visible signature field was created after a certification signature.
    SignatureFieldAfterCertification {
        field: String,
        permission: i64,
    },
    /// An annotation of a kind that can cover or replace the signed content (FreeText, Stamp,
    /// Redact); refused under a certification, a warning otherwise.
    AnnotationMayHideContent {
        subtype: String,
        under_certification: bool,
    },
}

impl Problem {
    /// True when the problem breaks DocMDP, FieldMDP or `/Lock` by itself.
    pub fn breaks_docmdp(&self) -> bool {
        match self {
            Problem::LockedField { .. }
            | Problem::ExceedsDocMdp { .. }
            | Problem::SignatureFieldAfterCertification { .. } => true,
            Problem::AnnotationMayHideContent {
                under_certification,
                ..
            } => *under_certification,
            _ => false,
        }
    }

    /// True when the problem alone makes the change `OTHER` (restrictions and warnings do not).
    pub fn makes_other(&self) -> bool {
        !matches!(
            self,
            Problem::LockedField { .. }
                | Problem::ExceedsDocMdp { .. }
                | Problem::SignatureFieldAfterCertification { .. }
                | Problem::AnnotationMayHideContent { .. }
        )
    }

    /// The problem in Vietnamese and English.
    pub fn text(&self) -> (String, String) {
        let pair = |vi: &str, en: &str| (vi.to_owned(), en.to_owned());
        match self {
            Problem::Unexplained => pair(
                "không quy tắc nào cho phép thay đổi này",
                "no rule permits this change",
            ),
            Problem::UsedElsewhere { places } => {
                let places = places.join(", ");
                (
                    format!(
                        "bản đã ký còn dùng đối tượng này tại {places}, nơi không được phép thay đổi"
                    ),
                    format!(
                        "the signed revision also uses this object at {places}, where no change is permitted"
                    ),
                )
            }
            Problem::Freed => pair(
                "đối tượng của bản đã ký bị xóa khỏi bảng tham chiếu",
                "an object of the signed revision was freed",
            ),
            Problem::GenerationChanged { from, to } => (
                format!(
                    "số thế hệ đổi từ {from} sang {to}: các tham chiếu cũ không còn trỏ tới đối tượng nào"
                ),
                format!(
                    "the generation changed from {from} to {to}: the old references now point at nothing"
                ),
            ),
            Problem::TypeChanged { from, to } => (
                format!("kiểu đối tượng đổi từ {from} sang {to}"),
                format!("the object changed from {from} to {to}"),
            ),
            Problem::ObjectStreamReplaced => pair(
                "luồng đối tượng của bản đã ký bị thay thế, làm thay đổi mọi đối tượng chứa trong nó",
                "an object stream of the signed revision was replaced, changing every object stored in it",
            ),
            Problem::Unreadable {
                what_vi,
                what_en,
                error,
            } => (
                format!("không đọc được {what_vi}: {error}"),
                format!("{what_en} cannot be read: {error}"),
            ),
            Problem::EntriesChanged { keys } => {
                let keys = keys.join(" ");
                (
                    format!("các mục {keys} bị thay đổi, điều không được phép"),
                    format!("the entries {keys} changed, which is not permitted"),
                )
            }
            Problem::TrailerEntryChanged { key } => (
                format!("mục {key} của trailer bị thay đổi"),
                format!("the trailer entry {key} changed"),
            ),
            Problem::RootChanged => pair(
                "trailer trỏ tới một danh mục tài liệu khác",
                "the trailer points at another document catalog",
            ),
            Problem::FieldRemoved { field } => (
                format!("trường biểu mẫu «{field}» bị xóa"),
                format!("the form field «{field}» was removed"),
            ),
            Problem::FieldAdded { field } => (
                format!("trường biểu mẫu «{field}» (không phải trường chữ ký) được thêm"),
                format!("the form field «{field}», not a signature field, was added"),
            ),
            Problem::FieldTypeChanged { field } => (
                format!("kiểu của trường «{field}» bị thay đổi"),
                format!("the type of the field «{field}» changed"),
            ),
            Problem::FieldMoved { field } => (
                format!("trường «{field}» được thay bằng một đối tượng khác"),
                format!("the field «{field}» was replaced by another object"),
            ),
            Problem::DuplicateField { field } => (
                format!("có hai trường cùng tên «{field}»"),
                format!("two fields are named «{field}»"),
            ),
            Problem::SignedFieldChanged { field } => (
                format!("trường chữ ký đã ký «{field}» bị thay đổi"),
                format!("the signed signature field «{field}» was changed"),
            ),
            Problem::AppearanceShared { field: Some(field) } => (
                format!("từ điển hình hiển thị cũ của trường «{field}» còn được dùng ở nơi khác"),
                format!(
                    "the old appearance dictionary of the field «{field}» is also used elsewhere"
                ),
            ),
            Problem::AppearanceShared { field: None } => pair(
                "từ điển hình hiển thị cũ của chú thích còn được dùng ở nơi khác",
                "the old appearance dictionary of the annotation is also used elsewhere",
            ),
            Problem::PageTreeChanged => pair(
                "trang bị thêm, bớt hoặc đổi thứ tự",
                "pages were added, removed or reordered",
            ),
            Problem::WidgetAdded => pair(
                "một ô hiển thị biểu mẫu được thêm vào trang mà không có trường chữ ký mới",
                "a widget annotation was added to a page without a new signature field",
            ),
            Problem::WidgetRemoved => pair(
                "một ô hiển thị biểu mẫu bị xóa khỏi trang",
                "a widget annotation was removed from a page",
            ),
            Problem::Malformed { vi, en } => (vi.clone(), en.clone()),
            Problem::LockedField {
                field,
                signature_field,
                ..
            } => (
                format!("trường «{field}» đã bị khóa bởi chữ ký «{signature_field}»"),
                format!("the field «{field}» is locked by the signature «{signature_field}»"),
            ),
            Problem::ExceedsDocMdp { permission, level } => {
                let (vi, en) = level.text();
                (
                    format!(
                        "mức thay đổi «{vi}» vượt quá quyền DocMDP P{permission} của chữ ký chứng nhận"
                    ),
                    format!(
                        "the change ({en}) exceeds the certification's DocMDP permission P{permission}"
                    ),
                )
            }
            Problem::SignatureFieldAfterCertification { field, .. } => (
                format!(
                    "trường chữ ký hiển thị «{field}» được tạo sau chữ ký chứng nhận (có thể che nội dung)"
                ),
                format!(
                    "the visible signature field «{field}» was created after the certification signature (it can cover content)"
                ),
            ),
            Problem::AnnotationMayHideContent { subtype, .. } => (
                format!("chú thích /{subtype} có thể che hoặc thay đổi nội dung đã ký"),
                format!("a /{subtype} annotation can cover or replace the signed content"),
            ),
        }
    }

    /// The report finding for this problem on the object `object` ("12 0").
    pub fn finding(&self, object: &str) -> Finding {
        match self {
            Problem::LockedField {
                field,
                signature_field,
                source: LockSource::Lock,
            } => Finding::new(
                Code::LockViolation,
                &[("field", signature_field), ("locked_field", field)],
            ),
            Problem::LockedField { field, .. } => {
                Finding::new(Code::FieldMdpViolation, &[("field", field)])
            }
            Problem::ExceedsDocMdp { permission, .. } => Finding::new(
                Code::DocMdpViolation,
                &[("permission", &permission.to_string())],
            ),
            Problem::SignatureFieldAfterCertification { field, permission } => {
                let (vi, en) = self.text();
                Finding::localized(
                    Code::DocMdpViolation,
                    &[("permission", &permission.to_string()), ("field", field)],
                    &[("detail", &vi, &en)],
                )
            }
            Problem::SignedFieldChanged { field } => {
                Finding::new(Code::SignatureWidgetChanged, &[("field", field)])
            }
            Problem::AnnotationMayHideContent { .. } => {
                Finding::new(Code::SuspiciousAnnotation, &[("object", object)])
            }
            _ => {
                let (vi, en) = self.text();
                Finding::localized(
                    Code::ObjectChanged,
                    &[("object", object)],
                    &[("how", &vi, &en)],
                )
            }
        }
    }
}
