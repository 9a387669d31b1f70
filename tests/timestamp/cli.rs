//! The command line at PAdES B-T and above, against `vanthu serve`'s development TSA:
//! `vanthu sign --level`, `vanthu extend` on our own and on pyHanko's signatures, `vanthu archive
//! renew`, and the refusals that must leave every file as it was.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common;
use crate::peers::{a_person, simple_pdf};
use crate::serve::{Server, vanthu};

const BINARY: &str = env!("CARGO_BIN_EXE_vanthu");

/// A running `vanthu serve` with the demo PKI, and a work folder.
struct Setup {
    _folder: tempfile::TempDir,
    dir: PathBuf,
    pki: PathBuf,
    server: Server,
}

impl Setup {
    fn start() -> Setup {
        let folder = tempfile::tempdir().unwrap();
        let dir = folder.path().to_path_buf();
        let data = dir.join("data");
        let mut command = vanthu(&dir);
        command.arg("--data-dir").arg(&data);
        let server = Server::start_with_tsa(command);
        Setup {
            _folder: folder,
            pki: data.join("pki"),
            dir,
            server,
        }
    }

    /// `vanthu ARGS…` in the work folder.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(BINARY)
            .current_dir(&self.dir)
            .args(args)
            .env("NO_PROXY", "127.0.0.1")
            .output()
            .unwrap()
    }

    /// The options naming the TSA, the development root and its CRLs.
    fn ltv_args(&self) -> Vec<String> {
        vec![
            "--tsa".into(),
            self.server.tsa_url(),
            "--trust".into(),
            self.path("root.cert.pem"),
            "--crl".into(),
            self.path("crl"),
        ]
    }

    fn path(&self, name: &str) -> String {
        self.pki.join(name).display().to_string()
    }

    fn sign(&self, level: &str, input: &str, output: &str) -> Output {
        let (key, certificate) = a_person(&self.pki);
        let mut args: Vec<String> = vec![
            "sign".into(),
            "--key".into(),
            key.display().to_string(),
            "--cert".into(),
            certificate.display().to_string(),
            "--chain".into(),
            self.path("intermediate.cert.pem"),
            "--level".into(),
            level.into(),
        ];
        args.extend(self.ltv_args());
        args.extend([input.to_owned(), output.to_owned()]);
        self.run(&args.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// Our verdict on `file`: (exit success, the first signature's PAdES level, the number of
    /// document timestamps).
    fn verify(&self, file: &str) -> (bool, String, usize) {
        let output = self.run(&[
            "verify",
            "--json",
            "--trust",
            &self.path("root.cert.pem"),
            file,
        ]);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|_| panic!("{}", describe(&output)));
        let report = if report.is_array() {
            report[0].clone()
        } else {
            report
        };
        let signatures = report["signatures"].as_array().unwrap();
        let level = signatures
            .iter()
            .find(|signature| signature["kind"] != "DOCUMENT_TIMESTAMP")
            .map(|signature| signature["pades_level"].as_str().unwrap().to_owned())
            .unwrap_or_default();
        let timestamps = signatures
            .iter()
            .filter(|signature| signature["kind"] == "DOCUMENT_TIMESTAMP")
            .count();
        (output.status.success(), level, timestamps)
    }
}

impl Setup {
    /// pyHanko accepts every signature and timestamp of `file` as intact, valid and trusted
    /// under the development root, and qpdf finds it clean (pdfsig cannot check document
    /// timestamps: the library tests hold it to the rest).
    fn peers_accept(&self, file: &str) {
        let Some(peer_verify) = common::require("peer-verify", common::peer_verify()) else {
            return;
        };
        let verdict = Command::new(&peer_verify)
            .current_dir(&self.dir)
            .args(["--json", "--trust", &self.path("root.cert.pem"), file])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&verdict.stdout)
            .unwrap_or_else(|_| panic!("{}", describe(&verdict)));
        for row in report[0]["pyhanko"].as_array().unwrap() {
            assert_eq!(row["bottom_line"], true, "{file}: {report:#}");
            assert_eq!(row["trusted"], true, "{file}: {report:#}");
            if let Some(timestamp) = row.get("timestamp").filter(|value| !value.is_null()) {
                assert_eq!(timestamp["valid"], true, "{file}: {report:#}");
                assert_eq!(timestamp["trusted"], true, "{file}: {report:#}");
            }
        }
        assert_eq!(report[0]["qpdf"]["clean"], true, "{file}: {report:#}");
    }
}

fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

#[test]
fn sign_at_each_level_then_extend_and_renew_from_the_command_line() {
    let setup = Setup::start();
    std::fs::write(setup.dir.join("in.pdf"), simple_pdf()).unwrap();
    for (level, expected) in [("B-T", "B-T"), ("B-LT", "B-LT"), ("B-LTA", "B-LTA")] {
        let output_name = format!("{level}.pdf");
        let output = setup.sign(level, "in.pdf", &output_name);
        assert!(output.status.success(), "{level}: {}", describe(&output));
        let (passed, found, timestamps) = setup.verify(&output_name);
        assert!(passed, "{level}");
        assert_eq!(found, expected);
        assert_eq!(timestamps, usize::from(level == "B-LTA"));
        setup.peers_accept(&output_name);
    }

    // Renewal: nothing is due with no margin; everything with a margin beyond the TSA
    // certificate's life. A dry run changes nothing.
    let archive = setup.dir.join("archive");
    std::fs::create_dir_all(archive.join("2026")).unwrap();
    std::fs::copy(setup.dir.join("B-LTA.pdf"), archive.join("2026/a.pdf")).unwrap();
    std::fs::copy(setup.dir.join("B-T.pdf"), archive.join("b.pdf")).unwrap();
    std::fs::copy(setup.dir.join("in.pdf"), archive.join("unsigned.pdf")).unwrap();
    // A link loop and a second name for a.pdf: walked once, renewed once, links kept.
    std::os::unix::fs::symlink("..", archive.join("2026/up")).unwrap();
    std::os::unix::fs::symlink("2026/a.pdf", archive.join("link.pdf")).unwrap();
    let readable = std::fs::Permissions::from_mode(0o644);
    std::fs::set_permissions(archive.join("2026/a.pdf"), readable).unwrap();
    let before = read(&archive, "2026/a.pdf");
    let mut renew: Vec<String> = vec!["archive".into(), "renew".into()];
    renew.extend(setup.ltv_args());
    let run_renew = |extra: &[&str]| {
        let mut args = renew.clone();
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        args.push(archive.display().to_string());
        setup.run(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let output = run_renew(&["--margin-days", "0"]);
    assert!(output.status.success(), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("not due") && stdout.contains("a.pdf"),
        "{stdout}"
    );
    assert!(
        stdout.contains("skipped") && stdout.contains("unsigned.pdf"),
        "{stdout}"
    );
    assert_eq!(read(&archive, "2026/a.pdf"), before);
    let output = run_renew(&["--margin-days", "100000", "--dry-run"]);
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout)
            .matches(" due ")
            .count(),
        2
    );
    assert_eq!(read(&archive, "2026/a.pdf"), before);
    let output = run_renew(&["--margin-days", "100000"]);
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout)
            .matches("renewed")
            .count(),
        2
    );
    let after = read(&archive, "2026/a.pdf");
    assert!(after.len() > before.len() && after.starts_with(&before));
    let mode = std::fs::metadata(archive.join("2026/a.pdf"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644, "the file keeps its permissions");
    assert!(
        std::fs::symlink_metadata(archive.join("link.pdf"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let renewed = archive.join("2026/a.pdf").display().to_string();
    let (passed, level, timestamps) = setup.verify(&renewed);
    assert!(passed);
    assert_eq!(level, "B-LTA");
    assert_eq!(timestamps, 2);
    // The B-T file had no document timestamp: it got its validation data and its first one.
    let (passed, level, timestamps) = setup.verify(&archive.join("b.pdf").display().to_string());
    assert!(passed);
    assert_eq!((level.as_str(), timestamps), ("B-LTA", 1));
    let renewed = vanthu::pdf::Document::from_bytes(read(&archive, "b.pdf")).unwrap();
    let dss = renewed.latest().dss().unwrap().expect("a /DSS");
    let intermediate_crl = std::fs::read(setup.pki.join("crl/intermediate.crl")).unwrap();
    assert!(dss.crls.contains(&intermediate_crl), "the signer's CRL");
    assert!(!dss.vri.is_empty(), "a /VRI entry for the signature");
}

#[test]
fn extend_takes_a_pyhanko_signature_to_b_lta_and_pyhanko_still_accepts_it() {
    let Some(bin) = common::require("pyHanko (../shared/tools/setup-peers)", common::peers_bin())
    else {
        return;
    };
    let Some(peer_verify) = common::require("peer-verify", common::peer_verify()) else {
        return;
    };
    let setup = Setup::start();
    std::fs::write(setup.dir.join("in.pdf"), simple_pdf()).unwrap();
    let (key, certificate) = a_person(&setup.pki);
    let signed = Command::new(bin.join("pyhanko"))
        .current_dir(&setup.dir)
        .args(["sign", "addsig", "--field", "Sig1", "--use-pades"])
        .args(["pemder", "--no-pass", "--key"])
        .arg(&key)
        .arg("--cert")
        .arg(&certificate)
        .arg("--chain")
        .arg(setup.path("intermediate.cert.pem"))
        .args(["in.pdf", "pyhanko.pdf"])
        .output()
        .unwrap();
    assert!(signed.status.success(), "pyhanko: {}", describe(&signed));
    let original = read(&setup.dir, "pyhanko.pdf");

    let mut args: Vec<String> = vec!["extend".into(), "--level".into(), "B-LTA".into()];
    args.extend(setup.ltv_args());
    args.push("pyhanko.pdf".into());
    let output = setup.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(output.status.success(), "{}", describe(&output));
    let extended = read(&setup.dir, "pyhanko.pdf");
    assert!(extended.starts_with(&original) && extended.len() > original.len());
    let (passed, level, timestamps) = setup.verify("pyhanko.pdf");
    assert!(passed);
    assert_eq!((level.as_str(), timestamps), ("B-LTA", 1));

    let verdict = Command::new(&peer_verify)
        .current_dir(&setup.dir)
        .args([
            "--json",
            "--trust",
            &setup.path("root.cert.pem"),
            "pyhanko.pdf",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&verdict.stdout)
        .unwrap_or_else(|_| panic!("{}", describe(&verdict)));
    let pyhanko = report[0]["pyhanko"].as_array().unwrap();
    assert_eq!(pyhanko.len(), 2, "{report:#}");
    for signature in pyhanko {
        assert_eq!(signature["bottom_line"], true, "{report:#}");
        assert_eq!(signature["trusted"], true, "{report:#}");
    }
    assert_eq!(pyhanko[1]["kind"], "document-timestamp", "{report:#}");
    assert_eq!(report[0]["qpdf"]["clean"], true, "{report:#}");
}

#[test]
fn refusals_leave_every_file_as_it_was() {
    let setup = Setup::start();
    std::fs::write(setup.dir.join("in.pdf"), simple_pdf()).unwrap();
    let pristine = read(&setup.dir, "in.pdf");

    // A TSA that does not answer: no output at all.
    let (key, certificate) = a_person(&setup.pki);
    let key = key.display().to_string();
    let certificate = certificate.display().to_string();
    let output = setup.run(&[
        "sign",
        "--key",
        &key,
        "--cert",
        &certificate,
        "--level",
        "B-T",
        "--tsa",
        "http://127.0.0.1:9/tsa",
        "--tsa-timeout",
        "3",
        "in.pdf",
        "out.pdf",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("TSA"),
        "{}",
        describe(&output)
    );
    assert!(!setup.dir.join("out.pdf").exists());

    // --tsa with B-B is a usage error.
    let output = setup.run(&[
        "sign",
        "--key",
        &key,
        "--cert",
        &certificate,
        "--level",
        "B-B",
        "--tsa",
        &setup.server.tsa_url(),
        "in.pdf",
        "out.pdf",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));

    // Nothing to extend in an unsigned PDF; B-T cannot be added afterwards; B-LTA needs a TSA.
    for args in [
        vec![
            "extend",
            "--level",
            "B-LT",
            "--trust",
            &setup.path("root.cert.pem"),
            "in.pdf",
        ],
        vec!["extend", "--level", "B-T", "in.pdf"],
        vec!["extend", "--level", "B-LTA", "in.pdf"],
    ] {
        let output = setup.run(&args);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            describe(&output)
        );
        assert_eq!(read(&setup.dir, "in.pdf"), pristine, "{args:?}");
    }
    let output = setup.run(&["extend", "--level", "B-X", "in.pdf"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));

    // Renewal without a TSA is a usage error.
    let output = setup.run(&["archive", "renew", "in.pdf"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert_eq!(read(&setup.dir, "in.pdf"), pristine);
}
