//! OpenSSL as an independent RFC 3161 client: `openssl ts -query` requests answered by our
//! authority, and `openssl ts -verify` (against the development root) accepts the replies — for
//! RSA and P-256 TSAs, with and without the certificate in the token, and rejects them for other
//! data.

use std::path::Path;
use std::sync::Arc;

use vanthu::pki::devpki::DevPki;
use vanthu::tsa::AuthorityConfig;

use crate::support::{self, CountingSerials, authority_with, openssl, run_openssl, write};

fn verifies(openssl: &Path, dir: &Path, args: &[&str]) -> bool {
    std::process::Command::new(openssl)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
        .status
        .success()
}

async fn openssl_round_trip(pki: &DevPki, name: &str) {
    let Some(openssl) = openssl() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let authority = authority_with(
        pki,
        AuthorityConfig::default(),
        Arc::new(CountingSerials::default()),
    );
    write(dir, "data.bin", format!("{name}: Quyết định số 15/QĐ-VKS"));
    write(dir, "other.bin", "something else");
    write(dir, "root.pem", pki.root.certificate_pem());
    write(
        dir,
        "untrusted.pem",
        support::pem_certificates(&[
            pki.tsa.certificate.clone(),
            pki.intermediate.certificate.clone(),
        ]),
    );
    for (query, cert) in [("with-cert", true), ("without-cert", false)] {
        let mut args = vec!["ts", "-query", "-data", "data.bin", "-sha256"];
        if cert {
            args.push("-cert");
        }
        let tsq = format!("{query}.tsq");
        let tsr = format!("{query}.tsr");
        args.extend(["-out", tsq.as_str()]);
        run_openssl(&openssl, dir, &args);
        let request = std::fs::read(dir.join(&tsq)).unwrap();
        let answer = authority.respond(&request).await;
        write(dir, &tsr, &answer.der);

        let text = String::from_utf8(run_openssl(
            &openssl,
            dir,
            &["ts", "-reply", "-in", &tsr, "-text"],
        ))
        .unwrap();
        assert!(text.contains("Status: Granted"), "{name} {query}: {text}");
        assert!(text.contains("1.3.6.1.4.1.32473.3161.1"), "{text}");
        assert!(text.contains("Nonce: 0x"), "the nonce is echoed: {text}");
        assert!(text.contains("Accuracy: 0x01 seconds"), "{text}");

        let with_query = [
            "ts",
            "-verify",
            "-in",
            &tsr,
            "-queryfile",
            &tsq,
            "-CAfile",
            "root.pem",
            "-untrusted",
            "untrusted.pem",
        ];
        assert!(
            verifies(&openssl, dir, &with_query),
            "{name} {query}: openssl ts -verify -queryfile"
        );
        let with_data = [
            "ts",
            "-verify",
            "-in",
            &tsr,
            "-data",
            "data.bin",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "untrusted.pem",
        ];
        assert!(verifies(&openssl, dir, &with_data), "{name} {query}: -data");
        let wrong_data = [
            "ts",
            "-verify",
            "-in",
            &tsr,
            "-data",
            "other.bin",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "untrusted.pem",
        ];
        assert!(
            !verifies(&openssl, dir, &wrong_data),
            "{name} {query}: openssl must refuse other data"
        );
    }

    // A SHA-1 query is refused with badAlg, which openssl reads as such.
    run_openssl(
        &openssl,
        dir,
        &[
            "ts", "-query", "-data", "data.bin", "-sha1", "-out", "sha1.tsq",
        ],
    );
    let answer = authority
        .respond(&std::fs::read(dir.join("sha1.tsq")).unwrap())
        .await;
    write(dir, "sha1.tsr", &answer.der);
    let text = String::from_utf8_lossy(&run_openssl(
        &openssl,
        dir,
        &["ts", "-reply", "-in", "sha1.tsr", "-text"],
    ))
    .into_owned();
    assert!(text.contains("Status: Rejected"), "{text}");
    assert!(
        text.contains("unrecognized or unsupported algorithm identifier"),
        "{text}"
    );
}

#[tokio::test]
async fn openssl_accepts_tokens_from_an_rsa_tsa() {
    openssl_round_trip(support::rsa_pki(), "RSA").await;
}

#[tokio::test]
async fn openssl_accepts_tokens_from_a_p256_tsa() {
    openssl_round_trip(support::pki(), "P-256").await;
}
