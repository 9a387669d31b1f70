//! Key files: PKCS#8 (plain, DER, encrypted), PKCS#1, SEC1, PKCS#12 (OpenSSL 3 default and
//! legacy 3DES/RC2), and sealed keys.

use vanthu::cms::{LocalKey, Signer};
use vanthu::pki::keys::{self, KeyError};

use crate::support;

#[test]
fn key_formats_made_by_openssl_load_to_the_same_pkcs8() {
    let Some(openssl) = support::openssl() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    let (pkcs8, certificate) = support::openssl_key_and_certificate(
        &openssl,
        path,
        "rsa",
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    );
    let run = |args: &[&str]| support::run_openssl(&openssl, path, args);
    run(&[
        "rsa",
        "-in",
        "rsa.key.pem",
        "-traditional",
        "-out",
        "pkcs1.pem",
    ]);
    run(&[
        "rsa",
        "-in",
        "rsa.key.pem",
        "-traditional",
        "-outform",
        "DER",
        "-out",
        "pkcs1.der",
    ]);
    run(&[
        "pkcs8",
        "-topk8",
        "-nocrypt",
        "-in",
        "rsa.key.pem",
        "-outform",
        "DER",
        "-out",
        "pkcs8.der",
    ]);
    run(&[
        "pkcs8",
        "-topk8",
        "-in",
        "rsa.key.pem",
        "-v2",
        "aes-256-cbc",
        "-passout",
        "pass:mật khẩu",
        "-out",
        "encrypted.pem",
    ]);
    run(&[
        "pkcs8",
        "-topk8",
        "-in",
        "rsa.key.pem",
        "-v2",
        "aes-256-cbc",
        "-passout",
        "pass:mật khẩu",
        "-outform",
        "DER",
        "-out",
        "encrypted.der",
    ]);
    let read = |name: &str| std::fs::read(path.join(name)).unwrap();
    assert!(String::from_utf8_lossy(&read("pkcs1.pem")).contains("BEGIN RSA PRIVATE KEY"));
    for name in ["pkcs1.pem", "pkcs1.der", "pkcs8.der"] {
        let key = keys::load_private_key(&read(name), None).expect(name);
        assert_eq!(key.pkcs8_der(), pkcs8.as_slice(), "{name}");
    }
    for name in ["encrypted.pem", "encrypted.der"] {
        let key = keys::load_private_key(&read(name), Some("mật khẩu".as_bytes())).expect(name);
        assert_eq!(key.pkcs8_der(), pkcs8.as_slice(), "{name}");
        assert!(matches!(
            keys::load_private_key(&read(name), None),
            Err(KeyError::PasswordRequired)
        ));
        assert!(matches!(
            keys::load_private_key(&read(name), Some(b"sai")),
            Err(KeyError::WrongPassword)
        ));
    }
    LocalKey::new(&pkcs8, certificate, Vec::new()).expect("the key signs for its certificate");

    run(&[
        "rsa",
        "-in",
        "rsa.key.pem",
        "-traditional",
        "-aes256",
        "-passout",
        "pass:x",
        "-out",
        "legacy.pem",
    ]);
    assert!(matches!(
        keys::load_private_key(&read("legacy.pem"), Some(b"x")),
        Err(KeyError::LegacyEncryptedPem)
    ));
    assert!(matches!(
        keys::load_private_key(b"not a key at all", None),
        Err(KeyError::NotAKey)
    ));
}

#[test]
fn sec1_ec_keys_load_with_their_public_key() {
    let Some(openssl) = support::openssl() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    for curve in ["P-256", "P-384"] {
        let name = curve.to_lowercase();
        let (pkcs8, certificate) = support::openssl_key_and_certificate(
            &openssl,
            path,
            &name,
            &[
                "-algorithm",
                "EC",
                "-pkeyopt",
                &format!("ec_paramgen_curve:{curve}"),
            ],
        );
        let key_file = format!("{name}.key.pem");
        support::run_openssl(
            &openssl,
            path,
            &["ec", "-in", &key_file, "-out", "sec1.pem"],
        );
        let sec1 = std::fs::read(path.join("sec1.pem")).unwrap();
        assert!(String::from_utf8_lossy(&sec1).contains("BEGIN EC PRIVATE KEY"));
        let key = keys::load_private_key(&sec1, None).expect("SEC1 loads");
        LocalKey::new(key.pkcs8_der(), certificate.clone(), Vec::new()).expect("SEC1 key signs");
        LocalKey::new(&pkcs8, certificate, Vec::new()).expect("PKCS#8 key signs");
    }
}

#[test]
fn pkcs12_openssl_default_and_legacy() {
    let Some(openssl) = support::openssl() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    let pki = support::rsa_pki();
    let person = &pki.people["lanhdao.a"];
    support::write(path, "key.pem", person.key.to_pem().unwrap().as_bytes());
    support::write(path, "cert.pem", person.certificate_pem());
    support::write(path, "chain.pem", support::pem_certificates(&pki.chain()));
    let export = |extra: &[&str], out: &str| {
        let mut args = vec![
            "pkcs12",
            "-export",
            "-inkey",
            "key.pem",
            "-in",
            "cert.pem",
            "-certfile",
            "chain.pem",
            "-passout",
            "pass:Mật-khẩu 1",
            "-out",
            out,
        ];
        args.extend_from_slice(extra);
        support::run_openssl(&openssl, path, &args);
    };
    export(&[], "modern.p12");
    let legacy_args = [
        "-keypbe",
        "PBE-SHA1-3DES",
        "-certpbe",
        "PBE-SHA1-3DES",
        "-macalg",
        "sha1",
    ];
    export(&legacy_args, "legacy.p12");
    let dump = support::run_openssl(
        &openssl,
        path,
        &[
            "pkcs12",
            "-in",
            "modern.p12",
            "-info",
            "-noout",
            "-passin",
            "pass:Mật-khẩu 1",
        ],
    );
    let _ = dump;
    for name in ["modern.p12", "legacy.p12"] {
        let bytes = std::fs::read(path.join(name)).unwrap();
        let contents = keys::load_pkcs12(&bytes, "Mật-khẩu 1").expect(name);
        assert_eq!(contents.key.pkcs8_der(), person.key.pkcs8_der(), "{name}");
        assert_eq!(
            contents.certificate.as_ref(),
            Some(&person.certificate),
            "{name}"
        );
        assert_eq!(contents.chain.len(), 2, "{name}: intermediate and root");
        let signer = LocalKey::new(
            contents.key.pkcs8_der(),
            contents.certificate.clone().unwrap(),
            contents.chain.clone(),
        )
        .expect("signer from PKCS#12");
        assert_eq!(signer.chain().len(), 2);
        assert!(
            matches!(
                keys::load_pkcs12(&bytes, "sai mật khẩu"),
                Err(KeyError::WrongPassword)
            ),
            "{name}"
        );
    }
}

#[test]
fn sealed_keys_round_trip_and_openssl_reads_them() {
    let pki = support::p256_pki();
    let key = &pki.units["vks-a"].key;
    let sealed = keys::seal_private_key(key, "cụm mật khẩu dài".as_bytes()).expect("seal");
    assert!(sealed.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    let opened = keys::open_sealed_key(&sealed, "cụm mật khẩu dài".as_bytes()).expect("open");
    assert_eq!(opened, *key);
    assert!(matches!(
        keys::open_sealed_key(&sealed, b"wrong"),
        Err(KeyError::WrongPassword)
    ));
    assert!(matches!(
        keys::seal_private_key(key, b""),
        Err(KeyError::EmptyPassphrase)
    ));
    assert!(matches!(
        keys::open_sealed_key(&key.to_pem().unwrap(), b"x"),
        Err(KeyError::NotSealed { .. })
    ));
    // The sealed form is standard encrypted PKCS#8: OpenSSL opens it and sees PBKDF2 + AES-256.
    let Some(openssl) = support::openssl() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    support::write(dir.path(), "sealed.pem", sealed.as_bytes());
    let structure = String::from_utf8(support::run_openssl(
        &openssl,
        dir.path(),
        &["asn1parse", "-in", "sealed.pem"],
    ))
    .unwrap();
    for expected in ["PBES2", "PBKDF2", "aes-256-cbc", "hmacWithSHA256"] {
        assert!(structure.contains(expected), "{expected} in\n{structure}");
    }
    let plain = support::run_openssl(
        &openssl,
        dir.path(),
        &[
            "pkcs8",
            "-in",
            "sealed.pem",
            "-passin",
            "pass:cụm mật khẩu dài",
            "-topk8",
            "-nocrypt",
            "-outform",
            "DER",
        ],
    );
    let reopened = keys::load_private_key(&plain, None).unwrap();
    assert_eq!(reopened, *key);
}
