//! The third-party corpus (`../shared/corpus`): for every signature of every file, the level of
//! the changes after it, compared with the verdict documented in `manifest.tsv` (DSS and pyHanko
//! test suites) where the documentation gives one.

use std::path::Path;

use vanthu::pdf::Document;
use vanthu::verify::diff::{DiffInput, analyse};
use vanthu::verify::report::ModificationLevel;

use crate::common;
use crate::support::{explain, signatures};

/// The documented expectation for one signature.
struct Expected {
    file: &'static str,
    field: Option<&'static str>,
    level: ModificationLevel,
    docmdp_ok: bool,
    /// Where the expectation comes from (manifest column `expected_verdict_documented`).
    why: &'static str,
}

use ModificationLevel::{FormFilling, LtaUpdates, None as Untouched, Other};

const EXPECTED: &[Expected] = &[
    Expected {
        file: "pyhanko/form-update-override-appearance-stream.pdf",
        field: Some("Sig1"),
        level: FormFilling,
        docmdp_ok: true,
        why: "FORM_FILLING (permitted): the second signature reuses an orphaned appearance id",
    },
    Expected {
        file: "pyhanko/form-update-override-appearance-stream-sneaky.pdf",
        field: Some("Sig1"),
        level: Other,
        docmdp_ok: false,
        why: "modification_level OTHER: the appearance stream is also used by the catalog",
    },
    Expected {
        file: "pyhanko/form-update-override-appearance-stream-ap-indirect-sneaky.pdf",
        field: Some("Sig1"),
        level: Other,
        docmdp_ok: false,
        why: "modification_level OTHER: the appearance dictionary is also used by the catalog",
    },
    Expected {
        file: "pyhanko/form-update-ap-indirect-sneaky-trailer.pdf",
        field: Some("Sig1"),
        level: Other,
        docmdp_ok: false,
        why: "modification_level OTHER: the appearance dictionary is also used by the trailer",
    },
    Expected {
        file: "pyhanko/minimal-two-fields-signed-twice.pdf",
        field: None,
        level: FormFilling,
        docmdp_ok: true,
        why: "sig1 FORM_FILLING + docmdp_ok (Adobe Reader, object streams, XMP)",
    },
    Expected {
        file: "pyhanko/minimal-signed-twice-both-created.pdf",
        field: None,
        level: FormFilling,
        docmdp_ok: true,
        why: "sig1 FORM_FILLING + docmdp_ok (Adobe Reader created both fields)",
    },
    Expected {
        file: "dss/modified_after_signature.pdf",
        field: None,
        level: Other,
        docmdp_ok: false,
        why: "visible content changed after signing",
    },
    Expected {
        file: "dss/PAdES-LT.pdf",
        field: Some("Signature4"),
        level: LtaUpdates,
        docmdp_ok: true,
        // pyHanko reports OTHER here ("VRI key … was modified or deleted"): EU DSS rebuilds the
        // VRI entry of a signature when it adds revocation data. We accept DSS updates of the
        // right shape, since validation data cannot change what the document shows.
        why: "PAdES-LT, valid: only a DSS (its VRI entries rebuilt) follows the last signature",
    },
    Expected {
        file: "dss/PAdES-LT.pdf",
        field: Some("Signature3"),
        level: FormFilling,
        docmdp_ok: true,
        why: "valid: the document timestamp is followed by a DSS and a further signature",
    },
    Expected {
        file: "dss/hello_signed_INCSAVE_signed.pdf",
        field: None,
        level: FormFilling,
        docmdp_ok: true,
        // pyHanko reports LTA_UPDATES: an empty update with /Size 1 between the signatures
        // makes it take the catalog, field and signature of the second signature for new
        // unreferenced objects. A second approval signature is FORM_FILLING by its own rules.
        why: "two sequential signatures, both valid: the first sees a signing",
    },
    Expected {
        file: "pyhanko/certified-with-indirect-refs-in-dir.pdf",
        field: None,
        level: Untouched,
        docmdp_ok: true,
        why: "certification signature, valid: nothing after it",
    },
];

#[test]
fn documented_modification_levels_match() {
    let Some(corpus) = common::require("the corpus (../shared/corpus)", common::corpus_dir())
    else {
        return;
    };
    let mut mismatches = Vec::new();
    for expected in EXPECTED {
        let path = corpus.join(expected.file);
        let doc =
            Document::open(&path).unwrap_or_else(|error| panic!("{}: {error}", expected.file));
        let all = signatures(&doc);
        let (field, revision) = match expected.field {
            Some(field) => all
                .iter()
                .find(|(name, _)| name == field)
                .cloned()
                .unwrap_or_else(|| panic!("{}: no signature {field}", expected.file)),
            // The first signature in file order: the one with the earliest signed revision.
            None => all
                .iter()
                .min_by_key(|(_, revision)| *revision)
                .cloned()
                .unwrap_or_else(|| panic!("{}: no signature", expected.file)),
        };
        let outcome = analyse(&DiffInput::new(&doc, revision, &field)).unwrap();
        if outcome.modification_level != expected.level || outcome.docmdp_ok != expected.docmdp_ok {
            mismatches.push(format!(
                "{} ({field}): documented {:?}/{} ({}), got {}",
                expected.file,
                expected.level,
                expected.docmdp_ok,
                expected.why,
                explain(&outcome)
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Every signature of every corpus PDF: the analysis gives an outcome or a clear error, and
/// never panics. Printed for the report.
#[test]
fn every_corpus_signature_is_analysed() {
    let Some(corpus) = common::require("the corpus (../shared/corpus)", common::corpus_dir())
    else {
        return;
    };
    let mut analysed = 0;
    for folder in ["dss", "pyhanko"] {
        let mut files: Vec<_> = std::fs::read_dir(corpus.join(folder))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "pdf"))
            .collect();
        files.sort();
        for path in files {
            analysed += analyse_file(&path);
        }
    }
    assert!(analysed > 10, "only {analysed} signatures analysed");
}

fn analyse_file(path: &Path) -> usize {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let doc = match Document::open(path) {
        Ok(doc) => doc,
        Err(error) => {
            println!("{name}: not readable: {error}");
            return 0;
        }
    };
    let all = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| signatures(&doc))) {
        Ok(all) => all,
        Err(_) => {
            println!("{name}: signature fields not readable");
            return 0;
        }
    };
    for (field, revision) in &all {
        match analyse(&DiffInput::new(&doc, *revision, field)) {
            Ok(outcome) => print!(
                "{name} «{field}» signed revision {revision} of {}: {}",
                doc.revisions().len(),
                explain(&outcome)
            ),
            Err(error) => println!("{name} «{field}»: error: {error}"),
        }
    }
    all.len()
}
