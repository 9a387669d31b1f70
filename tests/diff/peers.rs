//! Checked against pyHanko: documents signed by pyHanko (with a key and certificate made by
//! openssl in the test) are analysed by us and by pyHanko's own diff policy, signature by
//! signature, and the modification levels and DocMDP verdicts must agree.

use std::path::Path;
use std::process::Command;

use vanthu::pdf::{DocMdpPermission, Document};
use vanthu::verify::diff::{DiffInput, analyse};

use crate::common;
use crate::support::{BaseOptions, base_pdf, explain, signatures};

/// pyHanko's verdict for every signature: `field|LEVEL|docmdp_ok`.
const PYHANKO_DIFF: &str = r#"
import sys
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel
from pyhanko.sign.diff_analysis.policy_api import SuspiciousModification
with open(sys.argv[1], 'rb') as f:
    r = PdfFileReader(f)
    for s in r.embedded_signatures:
        res = DEFAULT_DIFF_POLICY.review_file(
            r, s.signed_revision, field_mdp_spec=s.fieldmdp, doc_mdp=s.docmdp_level)
        level = ModificationLevel.OTHER if isinstance(res, SuspiciousModification) \
            else res.modification_level
        docmdp = s.docmdp_level
        ok = not (level == ModificationLevel.OTHER
                  or (docmdp is not None and level.value > docmdp.value))
        print(f"{s.field_name}|{level.name}|{ok}")
"#;

fn run(command: &mut Command) {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Signs `input` into `output` with pyHanko (`extra` before the subcommand).
fn pyhanko_sign(bin: &Path, dir: &Path, input: &str, output: &str, extra: &[&str]) {
    let mut command = Command::new(bin.join("pyhanko"));
    command
        .current_dir(dir)
        .args(["sign", "addsig"])
        .args(extra)
        .args([
            "pemder",
            "--key",
            "key.pem",
            "--cert",
            "cert.pem",
            "--no-pass",
        ])
        .args([input, output]);
    run(&mut command);
}

fn pyhanko_verdicts(bin: &Path, file: &Path) -> Vec<(String, String, bool)> {
    let output = Command::new(bin.join("python"))
        .args(["-c", PYHANKO_DIFF])
        .arg(file)
        .output()
        .expect("pyHanko's python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut parts = line.split('|');
            Some((
                parts.next()?.to_owned(),
                parts.next()?.to_owned(),
                parts.next()? == "True",
            ))
        })
        .collect()
}

#[test]
fn our_levels_agree_with_pyhanko_on_pyhanko_signatures() {
    let Some(bin) = common::require("pyHanko (setup-peers)", common::peers_bin()) else {
        return;
    };
    let Some(openssl) = common::require("openssl", common::tool("openssl")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    run(Command::new(openssl).current_dir(path).args([
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem",
        "-days",
        "30",
        "-subj",
        "/CN=Kiem sat vien/O=VKSND",
    ]));
    std::fs::write(path.join("base.pdf"), base_pdf(BaseOptions::default())).unwrap();
    // Approval in the existing field, then a second signature in a new visible field.
    pyhanko_sign(&bin, path, "base.pdf", "one.pdf", &["--field", "approval"]);
    pyhanko_sign(
        &bin,
        path,
        "one.pdf",
        "two.pdf",
        &["--field", "1/72,100,272,160/agency"],
    );
    // A certification (pyHanko's default: P2), then the existing empty field signed.
    pyhanko_sign(
        &bin,
        path,
        "base.pdf",
        "cert.pdf",
        &["--certify", "--field", "certification"],
    );
    pyhanko_sign(
        &bin,
        path,
        "cert.pdf",
        "cert-two.pdf",
        &["--field", "approval"],
    );
    let mut compared = 0;
    for file in ["two.pdf", "cert-two.pdf"] {
        let file = path.join(file);
        let doc = Document::open(&file).unwrap();
        let ours = signatures(&doc);
        for (field, level, ok) in pyhanko_verdicts(&bin, &file) {
            let (_, revision) = ours
                .iter()
                .find(|(name, _)| *name == field)
                .unwrap_or_else(|| panic!("we do not find the signature {field}"));
            let mut input = DiffInput::new(&doc, *revision, &field);
            if field == "certification" {
                input.certification = Some(DocMdpPermission::FormFilling);
            }
            let outcome = analyse(&input).unwrap();
            let ours = serde_json::to_value(outcome.modification_level).unwrap();
            assert_eq!(
                (ours.as_str().unwrap(), outcome.docmdp_ok),
                (level.as_str(), ok),
                "{field} in {}: pyHanko says {level}/{ok}, we say:\n{}",
                file.display(),
                explain(&outcome)
            );
            println!("{field}: pyHanko {level}/{ok}, same here");
            compared += 1;
        }
    }
    assert_eq!(compared, 4);
}
