//! End to end through the independent peers: placeholders prepared here, a detached CMS made by
//! `openssl cms` over the covered bytes, embedded, then judged by pyHanko, pdfsig and qpdf
//! (`../shared/tools/peer-verify`). This proves the PDF side of signing without our CMS code.

use std::path::{Path, PathBuf};
use std::process::Command;

use vanthu::pdf::{
    DocMdpPermission, Document, DssUpdate, Name, Placement, Rect, SignatureSpec, VriEntry,
    append_dss, prepare_document_timestamp, prepare_signature,
};

use crate::common;
use crate::support::{Layout, form_pdf, qpdf_transform, simple_pdf};

struct TestSigner {
    dir: tempfile::TempDir,
    openssl: PathBuf,
}

impl TestSigner {
    /// A root CA and a signer certificate it issued (pdfsig only trusts real CA certificates).
    fn new() -> Option<Self> {
        let openssl = common::require("openssl", common::tool("openssl"))?;
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name);
        let run = |args: &[&str]| {
            let output = Command::new(&openssl)
                .current_dir(dir.path())
                .args(args)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=Vanthu PDF Test Root/O=VKSND",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
            "root.key.pem",
            "-out",
            "root.pem",
        ]);
        std::fs::write(
            path("signer.ext"),
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n",
        )
        .unwrap();
        for (name, subject) in [
            ("person", "/CN=Vanthu PDF Test Person/O=VKSND"),
            ("agency", "/CN=Vanthu PDF Test Agency/O=VKSND"),
        ] {
            let key = format!("{name}.key.pem");
            let csr = format!("{name}.csr");
            let cert = format!("{name}.pem");
            run(&[
                "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", &key,
                "-out", &csr,
            ]);
            run(&[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "root.pem",
                "-CAkey",
                "root.key.pem",
                "-CAcreateserial",
                "-days",
                "30",
                "-extfile",
                "signer.ext",
                "-out",
                &cert,
            ]);
        }
        Some(TestSigner { dir, openssl })
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("root.pem")
    }

    /// A certificate of the test PKI in DER.
    fn der(&self, name: &str) -> Vec<u8> {
        let output = Command::new(&self.openssl)
            .args(["x509", "-outform", "DER", "-in"])
            .arg(self.dir.path().join(name))
            .output()
            .unwrap();
        assert!(output.status.success());
        output.stdout
    }

    /// A detached CMS (SHA-256, signed attributes) over `data` by `who` ("person" or "agency").
    fn cms(&self, who: &str, data: &[u8]) -> Vec<u8> {
        let input = self.dir.path().join("covered.bin");
        let output = self.dir.path().join("signature.der");
        std::fs::write(&input, data).unwrap();
        let result = Command::new(&self.openssl)
            .args([
                "cms", "-sign", "-binary", "-md", "sha256", "-outform", "DER",
            ])
            .arg("-in")
            .arg(&input)
            .arg("-signer")
            .arg(self.dir.path().join(format!("{who}.pem")))
            .arg("-certfile")
            .arg(self.root())
            .arg("-inkey")
            .arg(self.dir.path().join(format!("{who}.key.pem")))
            .arg("-out")
            .arg(&output)
            .output()
            .unwrap();
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        std::fs::read(output).unwrap()
    }

    /// Prepares `spec` on `input` and embeds an openssl CMS made by `who`.
    fn sign(&self, who: &str, input: &[u8], spec: &SignatureSpec) -> Vec<u8> {
        let doc = Document::from_bytes(input.to_vec()).unwrap();
        let prepared = prepare_signature(&doc, spec).unwrap();
        let mut covered = Vec::new();
        prepared.digest_with(|chunk| covered.extend_from_slice(chunk));
        prepared.embed(&self.cms(who, &covered)).unwrap()
    }
}

fn peer_verify(script: &Path, trust: &Path, pdf: &[u8], what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signed.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new(script)
        .arg("--trust")
        .arg(trust)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "peer-verify rejected {what}:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn pkcs7_spec(field: &str) -> SignatureSpec {
    let mut spec = SignatureSpec::new(field);
    // openssl's CMS has no ESS signing-certificate attribute, so it is not PAdES.
    spec.sub_filter = Name::from("adbe.pkcs7.detached");
    spec.contents_capacity = 8192;
    spec.signing_time = Some(time::OffsetDateTime::now_utc());
    spec
}

#[test]
fn peers_accept_signatures_on_every_kind_of_input() {
    let Some(script) = common::require(
        "peer-verify (../shared/tools/setup-peers)",
        common::peer_verify(),
    ) else {
        return;
    };
    let Some(signer) = TestSigner::new() else {
        return;
    };
    let mut inputs = vec![
        ("xref table", simple_pdf(2, Layout::Table)),
        ("xref and object streams", simple_pdf(2, Layout::Streams)),
    ];
    if let Some(linearized) = qpdf_transform(&simple_pdf(2, Layout::Table), &["--linearize"]) {
        inputs.push(("linearized", linearized));
    }
    for (what, input) in &inputs {
        let signed = signer.sign("person", input, &pkcs7_spec("Signature1"));
        peer_verify(&script, &signer.root(), &signed, what);
    }
    // The form's existing empty signature field (pdfsig would list an unsigned one as invalid).
    for layout in [Layout::Table, Layout::Streams] {
        let signed = signer.sign("person", &form_pdf(layout), &pkcs7_spec("approval"));
        peer_verify(&script, &signer.root(), &signed, "existing field");
    }
}

#[test]
fn peers_accept_two_signatures_and_a_certification() {
    let Some(script) = common::require(
        "peer-verify (../shared/tools/setup-peers)",
        common::peer_verify(),
    ) else {
        return;
    };
    let Some(signer) = TestSigner::new() else {
        return;
    };
    let mut first = pkcs7_spec("Person");
    first.certification = Some(DocMdpPermission::FormFilling);
    first.placement = Placement::Visible {
        page_index: 0,
        rect: Rect::new(300.0, 100.0, 500.0, 160.0),
    };
    let once = signer.sign("person", &simple_pdf(1, Layout::Streams), &first);
    peer_verify(&script, &signer.root(), &once, "certified");
    let twice = signer.sign("agency", &once, &pkcs7_spec("Agency"));
    peer_verify(&script, &signer.root(), &twice, "person then agency");
    // A DSS with the certificates on top is an LTV update the peers accept.
    let doc = Document::from_bytes(twice).unwrap();
    let contents = doc
        .latest()
        .signature_fields()
        .unwrap()
        .iter()
        .map(|field| {
            let signature = field.signature.as_ref().unwrap();
            signature
                .dict
                .get_string(b"Contents")
                .unwrap()
                .unwrap()
                .bytes
                .clone()
        })
        .collect::<Vec<_>>();
    let der = |name: &str| signer.der(name);
    let dss = DssUpdate {
        certs: vec![der("root.pem")],
        vri: contents
            .into_iter()
            .zip(["person.pem", "agency.pem"])
            .map(|(signature_contents, cert)| VriEntry {
                signature_contents,
                certs: vec![der(cert), der("root.pem")],
                ..VriEntry::default()
            })
            .collect(),
        ..DssUpdate::default()
    };
    let with_dss = append_dss(&doc, &dss).unwrap();
    peer_verify(&script, &signer.root(), &with_dss, "signatures with a DSS");
    // A document timestamp placeholder on top is well-formed for qpdf (the token itself would
    // come from a TSA).
    let doc = Document::from_bytes(with_dss).unwrap();
    let prepared = prepare_document_timestamp(&doc, "Timestamp1").unwrap();
    crate::support::assert_qpdf_clean(prepared.bytes(), "timestamp placeholder");
}
