//! `vanthu sign`, the binary: keys from PEM files, encrypted PKCS#8 and PKCS#12 with the password
//! from an environment variable, the Decree 30 appearances from PNG files, certification; every
//! output accepted by the peers; every failure a clear message, a non-zero exit and no OUT.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::support::{openssl, peer_verify, peers, pki, run_openssl, signed_field_names};
use crate::fixtures;
use crate::inputs::{Layout, qpdf_transform, simple_pdf};

fn vanthu(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vanthu"));
    command.arg("sign").args(args).stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A folder with an input PDF and the images.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("in.pdf"), simple_pdf(1, Layout::Table)).unwrap();
        std::fs::write(
            dir.path().join("signature.png"),
            fixtures::signature_png(None),
        )
        .unwrap();
        std::fs::write(dir.path().join("seal.png"), fixtures::seal_png(Some(300.0))).unwrap();
        std::fs::write(dir.path().join("not-a.png"), b"GIF89a\x01\x00\x01\x00").unwrap();
        Workspace { dir }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

#[test]
fn the_command_signs_person_then_seal_and_the_peers_accept_both() {
    if super::support::fonts().is_none() {
        return;
    }
    let pki = pki();
    let work = Workspace::new();
    let personal = vanthu(
        &[
            "--key",
            path(&pki.file("person.key.pem")),
            "--cert",
            path(&pki.file("person.pem")),
            "--chain",
            path(&pki.file("chain.pem")),
            "--field",
            "NguoiKy",
            "--visible",
            "--page",
            "1",
            "--rect",
            "330,420,560,560",
            "--image",
            path(&work.file("signature.png")),
            "--position",
            "KT. VIỆN TRƯỞNG\\nPHÓ VIỆN TRƯỞNG",
            "--reason",
            "Phê duyệt",
            path(&work.file("in.pdf")),
            path(&work.file("person.pdf")),
        ],
        &[],
    );
    assert!(personal.status.success(), "{}", stderr(&personal));
    assert!(String::from_utf8_lossy(&personal.stdout).contains("signed"));
    let sealed = vanthu(
        &[
            "--key",
            path(&pki.file("unit.key.pem")),
            "--cert",
            path(&pki.file("unit.pem")),
            "--chain",
            path(&pki.file("chain.pem")),
            "--seal",
            path(&work.file("seal.png")),
            "--digest",
            "SHA384",
            path(&work.file("person.pdf")),
            path(&work.file("sealed.pdf")),
        ],
        &[],
    );
    assert!(sealed.status.success(), "{}", stderr(&sealed));
    let sealed = std::fs::read(work.file("sealed.pdf")).unwrap();
    assert_eq!(signed_field_names(&sealed), ["NguoiKy", "Signature1"]);
    // No temporary file is left beside OUT.
    let leftovers: Vec<_> = std::fs::read_dir(work.dir.path())
        .unwrap()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    if let Some(script) = peers() {
        peer_verify(&script, &[("cli person then seal".into(), sealed)]);
    }
}

#[test]
fn encrypted_keys_and_pkcs12_take_the_password_from_the_environment() {
    let Some(openssl) = openssl() else { return };
    let pki = pki();
    let work = Workspace::new();
    let dir = work.dir.path();
    run_openssl(
        &openssl,
        dir,
        &[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            path(&pki.file("person-p256.key.pem")),
            "-passout",
            "pass:mật-khẩu",
            "-out",
            "encrypted.key.pem",
        ],
    );
    run_openssl(
        &openssl,
        dir,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            path(&pki.file("unit.key.pem")),
            "-in",
            path(&pki.file("unit.pem")),
            "-certfile",
            path(&pki.file("chain.pem")),
            "-passout",
            "pass:p12-secret",
            "-out",
            "unit.p12",
        ],
    );
    let encrypted = vanthu(
        &[
            "--key",
            path(&work.file("encrypted.key.pem")),
            "--cert",
            path(&pki.file("person-p256.pem")),
            "--chain",
            path(&pki.file("chain.pem")),
            "--password-env",
            "TEST_KEY_PASSWORD",
            "--certify",
            "P2",
            path(&work.file("in.pdf")),
            path(&work.file("encrypted.pdf")),
        ],
        &[("TEST_KEY_PASSWORD", "mật-khẩu")],
    );
    assert!(encrypted.status.success(), "{}", stderr(&encrypted));

    // Without the variable and without a terminal: a usage error naming the way out.
    let no_password = vanthu(
        &[
            "--key",
            path(&work.file("encrypted.key.pem")),
            "--cert",
            path(&pki.file("person-p256.pem")),
            path(&work.file("in.pdf")),
            path(&work.file("no-password.pdf")),
        ],
        &[],
    );
    assert_eq!(
        no_password.status.code(),
        Some(2),
        "{}",
        stderr(&no_password)
    );
    assert!(stderr(&no_password).contains("--password-env"));
    assert!(!work.file("no-password.pdf").exists());

    let wrong_password = vanthu(
        &[
            "--key",
            path(&work.file("encrypted.key.pem")),
            "--cert",
            path(&pki.file("person-p256.pem")),
            "--password-env",
            "TEST_KEY_PASSWORD",
            path(&work.file("in.pdf")),
            path(&work.file("wrong-password.pdf")),
        ],
        &[("TEST_KEY_PASSWORD", "sai")],
    );
    assert_eq!(wrong_password.status.code(), Some(1));
    assert!(
        stderr(&wrong_password).contains("password"),
        "{}",
        stderr(&wrong_password)
    );
    assert!(!work.file("wrong-password.pdf").exists());

    let p12 = vanthu(
        &[
            "--p12",
            path(&work.file("unit.p12")),
            "--password-env",
            "TEST_P12_PASSWORD",
            "--appearance",
            "copy",
            "--org",
            "Văn phòng",
            path(&work.file("encrypted.pdf")),
            path(&work.file("p12.pdf")),
        ],
        &[("TEST_P12_PASSWORD", "p12-secret")],
    );
    // A certified (P2) document takes no new visible field: the copy stamp is refused.
    assert_eq!(p12.status.code(), Some(1), "{}", stderr(&p12));
    assert!(stderr(&p12).contains("certified"), "{}", stderr(&p12));
    let p12 = vanthu(
        &[
            "--p12",
            path(&work.file("unit.p12")),
            "--password-env",
            "TEST_P12_PASSWORD",
            path(&work.file("encrypted.pdf")),
            path(&work.file("p12.pdf")),
        ],
        &[("TEST_P12_PASSWORD", "p12-secret")],
    );
    assert!(p12.status.success(), "{}", stderr(&p12));
    let signed = std::fs::read(work.file("p12.pdf")).unwrap();
    if let Some(script) = peers() {
        peer_verify(&script, &[("cli encrypted key then pkcs12".into(), signed)]);
    }
}

#[test]
fn failures_leave_no_output_and_say_why() {
    let pki = pki();
    let work = Workspace::new();
    let person_key = pki.file("person.key.pem");
    let person = pki.file("person.pem");
    let unit_key = pki.file("unit.key.pem");
    let out = work.file("out.pdf");
    let run = |extra: &[&str], input: &Path| {
        let mut args = vec!["--key", path(&person_key), "--cert", path(&person)];
        args.extend_from_slice(extra);
        args.push(path(input));
        args.push(path(&out));
        vanthu(&args, &[])
    };

    let not_png = run(
        &["--image", path(&work.file("not-a.png"))],
        &work.file("in.pdf"),
    );
    assert_eq!(not_png.status.code(), Some(2));
    assert!(stderr(&not_png).contains("PNG"), "{}", stderr(&not_png));

    let page_zero = run(&["--visible", "--page", "0"], &work.file("in.pdf"));
    assert_eq!(page_zero.status.code(), Some(2));

    let anchor = run(&["--anchor", "Nguyễn Văn A"], &work.file("in.pdf"));
    assert_eq!(anchor.status.code(), Some(1));
    assert!(
        stderr(&anchor).contains("was not found"),
        "{}",
        stderr(&anchor)
    );

    let mismatch = vanthu(
        &[
            "--key",
            path(&unit_key),
            "--cert",
            path(&person),
            path(&work.file("in.pdf")),
            path(&out),
        ],
        &[],
    );
    assert_eq!(mismatch.status.code(), Some(1));
    assert!(
        stderr(&mismatch).contains("does not match"),
        "{}",
        stderr(&mismatch)
    );

    std::fs::write(work.file("garbage.pdf"), b"%PDF-1.7\nnothing else").unwrap();
    let garbage = run(&[], &work.file("garbage.pdf"));
    assert_eq!(garbage.status.code(), Some(1));
    assert!(stderr(&garbage).contains("PDF"), "{}", stderr(&garbage));

    let missing = run(&[], &work.file("missing.pdf"));
    assert_eq!(missing.status.code(), Some(2));

    if let Some(encrypted) = qpdf_transform(
        &simple_pdf(1, Layout::Table),
        &["--encrypt", "u", "o", "256", "--"],
    ) {
        std::fs::write(work.file("encrypted.pdf"), encrypted).unwrap();
        let refused = run(&[], &work.file("encrypted.pdf"));
        assert_eq!(refused.status.code(), Some(1));
        assert!(
            stderr(&refused).contains("encrypted"),
            "{}",
            stderr(&refused)
        );
    }
    assert!(!out.exists(), "a failed signature left {}", out.display());

    // An existing OUT stays as it was when signing fails.
    std::fs::write(&out, b"previous").unwrap();
    let again = run(
        &["--image", path(&work.file("not-a.png"))],
        &work.file("in.pdf"),
    );
    assert!(!again.status.success());
    assert_eq!(std::fs::read(&out).unwrap(), b"previous");
}
