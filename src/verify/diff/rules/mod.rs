//! The whitelisting rules, applied in order: trailer and catalog structure, the DSS, the form,
//! pages and annotations, then objects nothing refers to. A rule only approves or objects, so a
//! rule that cannot read what it checks approves nothing and cannot let a change pass: what it
//! could not read is attached to the changes left unexplained.

mod annotations;
mod appearance;
mod dss;
mod form;
mod orphans;
mod structure;

use crate::pdf::PdfError;

use super::problem::Problem;
use super::review::Review;

type Rule = fn(&mut Review<'_>) -> Result<(), PdfError>;

/// Each rule with what it reads, in Vietnamese and English.
const RULES: [(&str, &str, Rule); 5] = [
    (
        "trailer và danh mục tài liệu",
        "the trailer and catalog",
        structure::apply,
    ),
    (
        "kho dữ liệu kiểm tra dài hạn (/DSS)",
        "the document security store",
        dss::apply,
    ),
    ("biểu mẫu", "the form", form::apply),
    (
        "trang và chú thích",
        "pages and annotations",
        annotations::apply,
    ),
    (
        "các đối tượng không được tham chiếu",
        "unreferenced objects",
        orphans::apply,
    ),
];

pub(super) fn apply_all(review: &mut Review<'_>) {
    for (what_vi, what_en, rule) in RULES {
        if let Err(error) = rule(review) {
            review.rule_failed(Problem::Unreadable {
                what_vi: what_vi.to_owned(),
                what_en: what_en.to_owned(),
                error: error.to_string(),
            });
        }
    }
}
