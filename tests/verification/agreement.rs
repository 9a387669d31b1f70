//! The library call, `vanthu verify --json` and `POST /api/v1/verify` give the same report for the
//! same file; the CLI's exit codes and the API's guards (problem+json on bad input, upload limit,
//! rate limit).

use std::path::{Path, PathBuf};
use std::process::Command;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;
use vanthu::config::{DatabaseUrl, HttpSettings, StorageSettings};
use vanthu::http::verify::VerificationService;
use vanthu::http::{AppState, router};
use vanthu::verify::Verifier;
use vanthu::verify::report::{FileIndication, FileReport};
use vanthu::workflow::{AuthPolicy, Service};

use super::support::verifier;
use crate::common;

const AT: &str = "2020-11-01T00:00:00Z";

fn corpus_file(name: &str) -> Option<(PathBuf, PathBuf)> {
    let corpus = common::require("../shared/corpus", common::corpus_dir())?;
    Some((
        corpus.join(name),
        corpus.join("trust/pyhanko-testing-ca-root.cert.pem"),
    ))
}

fn library_verifier(root: &Path) -> Verifier {
    verifier(&[root], Some(time::macros::datetime!(2020-11-01 0:00 UTC)))
}

/// The report as JSON, without the moment of verification (the only field that differs).
fn comparable(report: &FileReport) -> serde_json::Value {
    let mut value = serde_json::to_value(report).unwrap();
    value.as_object_mut().unwrap().remove("verified_at");
    value
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .arg("verify")
        .args(args)
        .output()
        .unwrap()
}

async fn app(verification: VerificationService) -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let storage = StorageSettings {
        data_dir: dir.path().to_path_buf(),
        database_url: DatabaseUrl::sqlite_file(&dir.path().join("vanthu.db")).unwrap(),
    };
    let service = Service::open(&storage, AuthPolicy::default())
        .await
        .unwrap();
    let state = AppState::new(service, HttpSettings::default()).with_verification(verification);
    (router(state), dir)
}

/// A multipart body with one `file` part per (name, bytes).
fn multipart(files: &[(&str, &[u8])]) -> Request<Body> {
    let boundary = "vanthu-test-boundary";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::post("/api/v1/verify")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

async fn call(
    app: &axum::Router,
    request: Request<Body>,
) -> (StatusCode, String, serde_json::Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        content_type,
        serde_json::from_slice(&bytes).unwrap_or_default(),
    )
}

#[tokio::test]
async fn library_cli_and_api_give_the_same_report() {
    let Some((file, root)) = corpus_file("pyhanko/sig-with-ski-sid.pdf") else {
        return;
    };
    let name = file.display().to_string();
    let library = library_verifier(&root).verify_file(&file).unwrap();
    assert_eq!(library.indication, FileIndication::TotalPassed);

    let output = cli(&[
        "--json",
        "--trust",
        root.to_str().unwrap(),
        "--at",
        AT,
        &name,
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "nothing on stderr when it is a pipe"
    );
    let from_cli: Vec<FileReport> = serde_json::from_slice(&output.stdout).unwrap();

    let verification = VerificationService::new(library_verifier(&root), 1 << 20);
    let (app, _dir) = app(verification).await;
    let bytes = std::fs::read(&file).unwrap();
    let (status, _, body) = call(&app, multipart(&[(&name, &bytes)])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let from_api: Vec<FileReport> = serde_json::from_value(body).unwrap();

    assert_eq!(from_cli.len(), 1);
    assert_eq!(from_api.len(), 1);
    assert_eq!(comparable(&from_cli[0]), comparable(&library));
    assert_eq!(comparable(&from_api[0]), comparable(&library));
}

#[test]
fn cli_exit_codes_and_formats() {
    let Some((good, root)) = corpus_file("pyhanko/sig-with-ski-sid.pdf") else {
        return;
    };
    let Some((bad, _)) = corpus_file("pyhanko/pdf-sig-with-econtent.pdf") else {
        return;
    };
    let root = root.to_str().unwrap();
    let good = good.to_str().unwrap();
    let bad = bad.to_str().unwrap();
    // Every file passes: 0, with the Vietnamese text report by default.
    let output = cli(&["--trust", root, "--at", AT, good]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("HỢP LỆ"), "{text}");
    // One does not: 1, and both reports are printed, in order.
    let output = cli(&["--json", "--trust", root, "--at", AT, good, bad]);
    assert_eq!(output.status.code(), Some(1));
    let reports: Vec<FileReport> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[1].indication, FileIndication::TotalFailed);
    // Without the trust anchor, nothing is TOTAL_PASSED: 1.
    assert_eq!(cli(&[good]).status.code(), Some(1));
    // A missing file or trust file, a bad time, no file at all: 2.
    assert_eq!(cli(&["/nonexistent/file.pdf"]).status.code(), Some(2));
    assert_eq!(
        cli(&["--trust", "/nonexistent/root.pem", good])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(cli(&["--at", "yesterday", good]).status.code(), Some(2));
    assert_eq!(cli(&[]).status.code(), Some(2));
    // HTML and English.
    let output = cli(&[
        "--format", "html", "--lang", "en", "--trust", root, "--at", AT, good,
    ]);
    let html = String::from_utf8(output.stdout).unwrap();
    assert!(html.contains("<html") && html.contains("VALID"), "{html}");
}

#[tokio::test]
async fn api_refuses_bad_input_with_problems() {
    let verification = VerificationService::new(Verifier::new(Default::default()), 4096);
    let (app, _dir) = app(verification).await;
    // Not multipart.
    let request = Request::post("/api/v1/verify")
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let (status, content_type, body) = call(&app, request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "/problems/bad-request");
    // No file.
    let (status, _, body) = call(&app, multipart(&[])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Over the upload limit.
    let big = vec![b'%'; 8192];
    let (status, content_type, body) = call(&app, multipart(&[("big.pdf", &big)])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(content_type, "application/problem+json");
    // A browser asking for HTML gets the page.
    let mut request = multipart(&[("junk.pdf", b"not a pdf")]);
    request
        .headers_mut()
        .insert("accept", "text/html".parse().unwrap());
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let page = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(page.contains("KHÔNG HỢP LỆ"), "{page}");
    // Garbage is not an error of the request: it is a report that says the file is broken.
    let (status, _, body) = call(&app, multipart(&[("junk.pdf", b"not a pdf")])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0]["indication"], "TOTAL_FAILED");
    assert_eq!(body[0]["errors"][0]["code"], "PDF_MALFORMED");
}

#[tokio::test]
async fn api_limits_the_rate_per_client() {
    let verification =
        VerificationService::with_rate(Verifier::new(Default::default()), 4096, 1, 2);
    let (app, _dir) = app(verification).await;
    for _ in 0..2 {
        let (status, _, _) = call(&app, multipart(&[("a.pdf", b"x")])).await;
        assert_eq!(status, StatusCode::OK);
    }
    let response = app
        .clone()
        .oneshot(multipart(&[("a.pdf", b"x")]))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
}
