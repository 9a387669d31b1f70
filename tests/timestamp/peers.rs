//! pyHanko as a real RFC 3161 client: `pyhanko sign addsig --timestamp-url` against `vanthu
//! serve` (the development TSA of its data directory) signs a PDF at PAdES B-T with a key of the
//! same development PKI; `peer-verify` (pyHanko, pdfsig, qpdf) trusting the development root
//! reports the signature timestamp intact, valid and trusted; and our own validator agrees on the
//! token pyHanko embedded.

use std::path::Path;
use std::process::Command;

use lopdf::dictionary;
use vanthu::pki::policy::ValidationPolicy;
use vanthu::pki::trust::{Role, TrustStore, certificates_from_bytes};
use vanthu::verify::token::{Covered, ValidationContext, validate_token};

use crate::common;
use crate::serve::{Server, vanthu};

/// A one-page PDF.
pub fn simple_pdf() -> Vec<u8> {
    use lopdf::{Object, Stream};
    let mut doc = lopdf::Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Times-Roman",
    });
    let content = doc.add_object(Stream::new(
        dictionary! {},
        b"BT /F1 18 Tf 72 720 Td (Ke hoach 15/KH-VKS) Tj ET".to_vec(),
    ));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![Object::Reference(page_id)],
            "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// The first person of the development PKI in `pki_dir`: (key, certificate).
pub fn a_person(pki_dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let people = pki_dir.join("people");
    let mut certificates: Vec<_> = std::fs::read_dir(&people)
        .unwrap()
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|path| path.to_string_lossy().ends_with(".cert.pem"))
        .collect();
    certificates.sort();
    let certificate = certificates.first().expect("a person").clone();
    let key = std::path::PathBuf::from(
        certificate
            .to_string_lossy()
            .replace(".cert.pem", ".key.pem"),
    );
    (key, certificate)
}

#[tokio::test]
async fn pyhanko_timestamps_through_vanthu_serve_and_the_timestamp_validates() {
    let Some(bin) = common::require("pyHanko (../shared/tools/setup-peers)", common::peers_bin())
    else {
        return;
    };
    let Some(peer_verify) = common::require("peer-verify", common::peer_verify()) else {
        return;
    };
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path();
    let data = dir.join("data");
    let mut command = vanthu(dir);
    command.arg("--data-dir").arg(&data);
    let server = Server::start_with_tsa(command);
    let pki_dir = data.join("pki");
    let (key, certificate) = a_person(&pki_dir);
    std::fs::write(dir.join("in.pdf"), simple_pdf()).unwrap();

    let signed = Command::new(bin.join("pyhanko"))
        .current_dir(dir)
        .args(["sign", "addsig", "--field", "Sig1", "--use-pades"])
        .args(["--timestamp-url", &server.tsa_url()])
        .args(["pemder", "--no-pass", "--key"])
        .arg(&key)
        .arg("--cert")
        .arg(&certificate)
        .arg("--chain")
        .arg(pki_dir.join("intermediate.cert.pem"))
        .args(["in.pdf", "out.pdf"])
        .env("NO_PROXY", "127.0.0.1")
        .output()
        .unwrap();
    assert!(
        signed.status.success(),
        "pyhanko: {}{}",
        String::from_utf8_lossy(&signed.stdout),
        String::from_utf8_lossy(&signed.stderr)
    );

    let verdict = Command::new(&peer_verify)
        .current_dir(dir)
        .arg("--json")
        .arg("--trust")
        .arg(pki_dir.join("root.cert.pem"))
        .arg("out.pdf")
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&verdict.stdout).unwrap_or_else(|_| {
        panic!(
            "peer-verify output: {}{}",
            String::from_utf8_lossy(&verdict.stdout),
            String::from_utf8_lossy(&verdict.stderr)
        )
    });
    let signature = &report[0]["pyhanko"][0];
    let timestamp = &signature["timestamp"];
    assert_eq!(timestamp["intact"], true, "{report:#}");
    assert_eq!(timestamp["valid"], true, "{report:#}");
    assert_eq!(timestamp["trusted"], true, "{report:#}");
    assert_eq!(signature["valid"], true, "{report:#}");
    assert_eq!(report[0]["ok"], true, "{report:#}");

    // Our validator on the token pyHanko embedded: the imprint covers the signature value.
    let pdf = std::fs::read(dir.join("out.pdf")).unwrap();
    let document = vanthu::pdf::Document::from_bytes(pdf).unwrap();
    let fields = document.latest().signature_fields().unwrap();
    let value = fields[0].signature.as_ref().expect("signed");
    let contents = value
        .dict
        .get(b"Contents")
        .and_then(|object| object.as_string())
        .expect("/Contents")
        .bytes
        .clone();
    let cms = vanthu::cms::parse_signed_data(&contents).unwrap();
    let signer = &cms.signer_infos[0];
    let tokens = signer.timestamp_tokens();
    assert_eq!(tokens.len(), 1);
    let root = std::fs::read(pki_dir.join("root.cert.pem")).unwrap();
    let mut store = TrustStore::new();
    for certificate in certificates_from_bytes(Path::new("root.cert.pem"), &root).unwrap() {
        store.add(certificate, Role::Anchor);
    }
    let policy = ValidationPolicy::default();
    let validation = validate_token(
        &tokens[0],
        Covered::Data(&signer.signature),
        &ValidationContext::new(&store, &policy),
    );
    assert!(validation.passed(), "{validation:#?}");
    assert!(
        validation.nonce.is_some(),
        "pyHanko sent a nonce, and it came back"
    );
}
