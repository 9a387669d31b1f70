//! Signing throughput on one core, next to pyHanko on the same files in the same run, and the
//! physical floor (hashing the file once plus one RSA-2048 signature with ring).
//!
//! `cargo bench --bench signing` prints a Markdown table. pyHanko is run through
//! `/opt/vanthu-peers/bin/python` (or `$PEERS_VENV/bin/python`) with a key and certificate of
//! the same development PKI in PEM; without it its columns read "n/a".
//!
//! Inputs are generated here: a PDF of about 1 MB and one of about 10 MB, each page carrying an
//! uncompressed greyscale image of pseudo-random bytes (nothing for a filter to shrink).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use bytes::Bytes;
use vanthu::cms::{LocalKey, Signer};
use vanthu::crypto::DigestAlgorithm;
use vanthu::pades::{SignOptions, sign};
use vanthu::pki::devpki::{
    self, CertificateRequest, Credential, DevPki, DevPkiSpec, KeyAlgorithm, KeyUsage, PersonSpec,
};

/// Time spent measuring each case (after a warm-up).
const MEASURE: Duration = Duration::from_secs(3);

fn main() {
    let pki = pki();
    let dir = tempfile::tempdir().expect("temporary folder");
    let keys = [
        ("RSA-2048", pki.people["bench"].clone()),
        ("P-256", p256_person(&pki)),
    ];
    for (name, credential) in &keys {
        write_pem(dir.path(), name, credential, &pki);
    }
    let files = [("1 MB", pdf(1 << 20, 4)), ("10 MB", pdf(10 << 20, 20))];
    let python = python();

    println!(
        "Signing on one core (release build; invisible PAdES B-B signature, SHA-256, chain of 2 \
         embedded; pyHanko {} on the same files, same run).\n",
        python
            .as_ref()
            .map(|python| pyhanko_version(python))
            .unwrap_or_else(|| "not installed".into())
    );
    println!(
        "| file | key | vanthu sig/s | vanthu ms/sig | floor ms (hash + RSA sign) | vanthu ÷ floor | pyHanko sig/s | vanthu × pyHanko |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    let rsa_sign = rsa_signature_time(&keys[0].1, &pki);
    let mut copies = Vec::new();
    for (file_name, bytes) in &files {
        let hash = hash_time(bytes);
        copies.push((file_name, copy_time(bytes), placeholder_time(bytes)));
        let floor = hash + rsa_sign;
        let input = dir
            .path()
            .join(format!("{}.pdf", file_name.replace(' ', "")));
        std::fs::write(&input, bytes).expect("write input");
        for (key_name, credential) in &keys {
            let signer = signer(credential, &pki);
            let ours = our_time(bytes, &signer);
            let theirs = python
                .as_ref()
                .and_then(|python| pyhanko_time(python, dir.path(), key_name, &input));
            println!(
                "| {file_name} ({} bytes) | {key_name} | {:.0} | {:.2} | {:.2} ({:.2} + {:.2}) | {:.2} | {} | {} |",
                bytes.len(),
                1.0 / ours.as_secs_f64(),
                ms(ours),
                ms(floor),
                ms(hash),
                ms(rsa_sign),
                ours.as_secs_f64() / floor.as_secs_f64(),
                theirs.map_or("n/a".into(), |time| format!(
                    "{:.1}",
                    1.0 / time.as_secs_f64()
                )),
                theirs.map_or("n/a".into(), |time| format!(
                    "{:.0}",
                    time.as_secs_f64() / ours.as_secs_f64()
                )),
            );
        }
    }
    println!();
    for (file_name, copy, placeholder) in copies {
        println!(
            "{file_name}: copying the input into fresh memory (the output buffer) takes {:.2} ms; \
             opening it, writing the placeholder update and hashing the covered bytes (no CMS) {:.2} ms.",
            ms(copy),
            ms(placeholder)
        );
    }
}

/// What the output buffer costs: copying the input into fresh memory (the signed PDF is a new
/// buffer holding the input's bytes and the update).
fn copy_time(pdf: &[u8]) -> Duration {
    mean_time(|| {
        std::hint::black_box(pdf.to_vec());
    })
}

/// The PDF side alone: open, write the signature placeholder, hash the covered bytes.
fn placeholder_time(pdf: &[u8]) -> Duration {
    let input = Bytes::copy_from_slice(pdf);
    let spec = vanthu::pdf::SignatureSpec::new("Signature1");
    mean_time(|| {
        let doc = vanthu::pdf::Document::from_bytes(input.clone()).expect("open");
        let prepared = vanthu::pdf::prepare_signature(&doc, &spec).expect("placeholder");
        let mut hasher = DigestAlgorithm::Sha256.hasher();
        prepared.digest_with(|chunk| hasher.update(chunk));
        std::hint::black_box(hasher.finish());
    })
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Runs `work` for a warm-up, then for [`MEASURE`]; returns the mean time of one call.
fn mean_time(mut work: impl FnMut()) -> Duration {
    for _ in 0..3 {
        work();
    }
    let start = Instant::now();
    let mut count = 0u32;
    while start.elapsed() < MEASURE || count < 5 {
        work();
        count += 1;
    }
    start.elapsed() / count
}

fn our_time(pdf: &[u8], signer: &LocalKey) -> Duration {
    let input = Bytes::copy_from_slice(pdf);
    let options = SignOptions::default();
    mean_time(|| {
        let signed = sign(input.clone(), &options, signer).expect("sign");
        std::hint::black_box(signed);
    })
}

fn hash_time(pdf: &[u8]) -> Duration {
    mean_time(|| {
        std::hint::black_box(DigestAlgorithm::Sha256.digest(pdf));
    })
}

fn rsa_signature_time(credential: &Credential, pki: &DevPki) -> Duration {
    let signer = signer(credential, pki);
    let message = [7u8; 200];
    mean_time(|| {
        std::hint::black_box(signer.sign(&message).expect("RSA signature"));
    })
}

fn signer(credential: &Credential, pki: &DevPki) -> LocalKey {
    LocalKey::new(
        credential.key.pkcs8_der(),
        credential.certificate.clone(),
        vec![
            pki.intermediate.certificate.clone(),
            pki.root.certificate.clone(),
        ],
    )
    .expect("signer")
}

fn pki() -> DevPki {
    let spec = DevPkiSpec {
        units: Vec::new(),
        people: vec![PersonSpec {
            username: "bench".into(),
            full_name: "Nguyễn Văn A".into(),
            position: "PHÓ VIỆN TRƯỞNG".into(),
            unit_name: "VIỆN KIỂM SÁT NHÂN DÂN TỈNH THÁI NGUYÊN".into(),
        }],
    };
    devpki::generate(&spec, KeyAlgorithm::Rsa2048).expect("development PKI")
}

fn p256_person(pki: &DevPki) -> Credential {
    let request = CertificateRequest::new("Trần Thị B")
        .key_usage(&[KeyUsage::DigitalSignature, KeyUsage::NonRepudiation]);
    pki.intermediate_authority()
        .expect("intermediate")
        .issue_with_key(
            &request,
            devpki::generate_key(KeyAlgorithm::P256).expect("P-256 key"),
        )
        .expect("P-256 certificate")
}

fn write_pem(dir: &Path, name: &str, credential: &Credential, pki: &DevPki) {
    std::fs::write(
        dir.join(format!("{name}.key.pem")),
        credential.key.to_pem().unwrap().as_bytes(),
    )
    .expect("key");
    std::fs::write(
        dir.join(format!("{name}.cert.pem")),
        credential.certificate_pem(),
    )
    .expect("cert");
    std::fs::write(
        dir.join("chain.pem"),
        format!(
            "{}{}",
            pki.intermediate.certificate_pem(),
            pki.root.certificate_pem()
        ),
    )
    .expect("chain");
}

/// A PDF of about `size` bytes over `pages` pages, each showing one image of random bytes.
fn pdf(size: usize, pages: usize) -> Vec<u8> {
    let side = (((size / pages) as f64).sqrt() as usize).max(16);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    let kids: Vec<String> = (0..pages)
        .map(|page| format!("{} 0 R", 3 + 3 * page))
        .collect();
    object(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    object(
        &mut out,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} /MediaBox [0 0 595 842] >>",
            kids.join(" ")
        )
        .as_bytes(),
    );
    for page in 0..pages {
        let first = 3 + 3 * page;
        object(
            &mut out,
            format!(
                "<< /Type /Page /Parent 2 0 R /Contents {} 0 R /Resources << /XObject << /Im1 {} 0 R >> >> >>",
                first + 1,
                first + 2
            )
            .as_bytes(),
        );
        let content = b"q 500 0 0 500 47 170 cm /Im1 Do Q";
        let mut body = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(b"\nendstream");
        object(&mut out, &body);
        let samples: Vec<u8> = (0..side * side).map(|_| random() as u8).collect();
        let mut body = format!(
            "<< /Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {} >>\nstream\n",
            samples.len()
        )
        .into_bytes();
        body.extend_from_slice(&samples);
        body.extend_from_slice(b"\nendstream");
        object(&mut out, &body);
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", offsets.len() + 1).as_bytes(),
    );
    for offset in &offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn python() -> Option<PathBuf> {
    let venv = std::env::var_os("PEERS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/vanthu-peers"));
    let python = venv.join("bin/python");
    python.is_file().then_some(python)
}

fn pyhanko_version(python: &Path) -> String {
    Command::new(python)
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('pyhanko'))",
        ])
        .output()
        .ok()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_else(|| "?".into())
}

/// pyHanko's mean time per signature of `input` with the key `name`, measured inside Python
/// (the interpreter's start and the key loading are not counted).
fn pyhanko_time(python: &Path, dir: &Path, name: &str, input: &Path) -> Option<Duration> {
    let script = r#"
import io, sys, time
from pyhanko.sign import signers
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
key, cert, chain, source, budget = sys.argv[1:]
signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(chain,))
data = open(source, 'rb').read()
def once(index):
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name='Signature%d' % index, md_algorithm='sha256')
    signers.sign_pdf(writer, meta, signer=signer)
once(0)
count, start = 0, time.perf_counter()
while time.perf_counter() - start < float(budget) or count < 3:
    once(count + 1)
    count += 1
print((time.perf_counter() - start) / count)
"#;
    let output = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(dir.join(format!("{name}.key.pem")))
        .arg(dir.join(format!("{name}.cert.pem")))
        .arg(dir.join("chain.pem"))
        .arg(input)
        .arg(MEASURE.as_secs_f64().to_string())
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "pyHanko failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    let seconds: f64 = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs_f64(seconds))
}
