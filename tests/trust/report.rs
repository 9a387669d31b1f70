//! The verification report: JSON schema and round trip, the file verdict rule, findings from
//! path problems, and the text and HTML renderers.

use time::macros::datetime;

use vanthu::pki::indication::{Indication, SubIndication};
use vanthu::pki::path::{
    CertificateSource, PathRequest, PathValidation, Purpose, ValidationTime, validate_path,
};
use vanthu::pki::policy::ValidationPolicy;
use vanthu::pki::trust::{Role, TrustStore};
use vanthu::verify::messages::{Code, Severity};
use vanthu::verify::report::{
    Coverage, FileIndication, FileReport, Finding, Language, ModificationLevel, ObjectRef,
    PadesLevel, RevocationState, SCHEMA_VERSION, SignatureKind, SignatureReport, TimestampReport,
    file_indication, html, text,
};

use super::pki::{AT, Hierarchy, Made, NOW, Spec, TestKey};

fn path_for(leaf: &Made, pki: &Hierarchy) -> PathValidation {
    let mut store = TrustStore::new();
    store.add(pki.root.cert(), Role::Anchor);
    store.add(pki.intermediate.cert(), Role::Intermediate);
    let end_entity = leaf.sourced(CertificateSource::Cms);
    validate_path(
        &store,
        &ValidationPolicy::default(),
        &PathRequest {
            end_entity: &end_entity,
            untrusted: &[],
            crls: &[],
            purpose: Purpose::DocumentSigning,
            time: ValidationTime::proven(AT, NOW)
                .with_claimed(Some(datetime!(2025-06-01 09:00 UTC))),
        },
    )
}

/// A signature report as the verifier will fill it.
fn signature(field: &str, kind: SignatureKind, indication: Indication) -> SignatureReport {
    SignatureReport {
        field: field.to_owned(),
        kind,
        indication,
        sub_indication: match indication {
            Indication::TotalPassed => None,
            Indication::Indeterminate => Some(SubIndication::NoCertificateChainFound),
            Indication::TotalFailed => Some(SubIndication::HashFailure),
        },
        intact: indication != Indication::TotalFailed,
        coverage: Coverage::EntireFile,
        modification_level: ModificationLevel::None,
        docmdp_ok: true,
        sub_filter: Some("ETSI.CAdES.detached".to_owned()),
        signer: None,
        chain: Vec::new(),
        trust: None,
        revocation: None,
        signing_time: None,
        timestamp: None,
        pades_level: PadesLevel::BB,
        findings: Vec::new(),
    }
}

fn sample(leaf_name: &str) -> (FileReport, PathValidation) {
    let pki = Hierarchy::new();
    let leaf = pki
        .intermediate
        .issue(Spec::leaf(leaf_name), TestKey::ecdsa());
    let path = path_for(&leaf, &pki);
    let mut report = signature("Signature1", SignatureKind::Signature, path.indication);
    report.set_path(&path);
    report.signing_time = Some(datetime!(2025-06-01 09:00 UTC));
    report.timestamp = Some(TimestampReport {
        gen_time: datetime!(2025-06-01 09:00:05 UTC),
        tsa: "CN=TSA thử nghiệm, C=VN".to_owned(),
        serial: Some("1F".to_owned()),
        policy: Some("1.3.6.1.4.1.99999.1".to_owned()),
        intact: true,
        indication: Indication::TotalPassed,
        sub_indication: None,
        chain: Vec::new(),
        tsa_not_after: Some(datetime!(2030-01-01 0:00 UTC)),
    });
    report.pades_level = PadesLevel::BT;
    report.findings = Finding::from_path(&path);
    report.findings.push(
        Finding::new(
            Code::ObjectChanged,
            &[("object", "12 0 R"), ("how", "DSS added")],
        )
        .with_objects([ObjectRef {
            number: 12,
            generation: 0,
        }]),
    );
    let mut file = FileReport::new(
        "công văn 15-KH-VKS.pdf",
        datetime!(2025-06-02 01:00 UTC),
        vec![report],
        Vec::new(),
    );
    file.sha256 = Some("00".repeat(32));
    (file, path)
}

#[test]
fn the_json_round_trips_with_its_schema_version() {
    let (report, path) = sample("Nguyễn Văn Kiểm");
    assert!(path.passed());
    assert_eq!(report.indication, FileIndication::TotalPassed);
    let json = report.to_json().expect("serialises");
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(value["schema_version"], SCHEMA_VERSION);
    assert_eq!(value["indication"], "TOTAL_PASSED");
    let signature = &value["signatures"][0];
    for field in [
        "field",
        "indication",
        "sub_indication",
        "intact",
        "coverage",
        "modification_level",
        "docmdp_ok",
        "signer",
        "chain",
        "revocation",
        "signing_time",
        "timestamp",
        "pades_level",
        "kind",
        "findings",
    ] {
        assert!(signature.get(field).is_some(), "missing field {field}");
    }
    assert_eq!(signature["coverage"], "ENTIRE_FILE");
    assert_eq!(signature["modification_level"], "NONE");
    assert_eq!(signature["pades_level"], "B-T");
    assert_eq!(signature["kind"], "SIGNATURE");
    assert_eq!(signature["signing_time"], "2025-06-01T09:00:00Z");
    assert_eq!(signature["signer"]["common_name"], "Nguyễn Văn Kiểm");
    assert_eq!(
        signature["signer"]["organisation"],
        "Viện Kiểm sát nhân dân tỉnh Thái Nguyên"
    );
    assert_eq!(signature["chain"][2]["source"], "ANCHOR");
    assert_eq!(signature["chain"][0]["revocation"]["status"], "UNKNOWN");
    assert_eq!(signature["chain"][2]["revocation"]["status"], "NOT_CHECKED");
    assert_eq!(signature["trust"]["anchored"], true);
    assert_eq!(signature["findings"][0]["code"], "REVOCATION_UNKNOWN");
    assert_eq!(signature["findings"][0]["severity"], "WARNING");

    let back = FileReport::from_json(&json).expect("reads back");
    assert_eq!(back, report);
}

#[test]
fn other_schema_versions_are_refused() {
    let (report, _) = sample("Trần Thị Bích");
    let mut value = serde_json::to_value(&report).expect("serialises");
    value["schema_version"] = serde_json::json!(SCHEMA_VERSION + 1);
    let error = FileReport::from_json(&value.to_string()).expect_err("future version");
    assert!(error.to_string().contains("not supported"), "{error}");
    value
        .as_object_mut()
        .expect("object")
        .remove("schema_version");
    assert!(FileReport::from_json(&value.to_string()).is_err());
}

#[test]
fn the_file_verdict_follows_one_rule() {
    use Indication::*;
    use SignatureKind::*;
    type Case<'a> = (&'a [(SignatureKind, Indication)], bool, FileIndication);
    let cases: &[Case<'_>] = &[
        (&[], false, FileIndication::NoSignature),
        (
            &[(DocumentTimestamp, TotalPassed)],
            false,
            FileIndication::NoSignature,
        ),
        (
            &[(Signature, TotalPassed)],
            false,
            FileIndication::TotalPassed,
        ),
        (
            &[
                (Signature, TotalPassed),
                (Certification, TotalPassed),
                (DocumentTimestamp, TotalPassed),
            ],
            false,
            FileIndication::TotalPassed,
        ),
        (
            &[(Signature, TotalPassed), (Signature, Indeterminate)],
            false,
            FileIndication::Indeterminate,
        ),
        (
            &[(Signature, Indeterminate), (Signature, TotalFailed)],
            false,
            FileIndication::TotalFailed,
        ),
        (
            &[(Signature, TotalPassed), (DocumentTimestamp, TotalFailed)],
            false,
            FileIndication::TotalFailed,
        ),
        (
            &[(Signature, TotalPassed)],
            true,
            FileIndication::TotalFailed,
        ),
        (&[], true, FileIndication::TotalFailed),
    ];
    for (signatures, with_error, expected) in cases {
        let reports: Vec<SignatureReport> = signatures
            .iter()
            .enumerate()
            .map(|(index, (kind, indication))| signature(&format!("S{index}"), *kind, *indication))
            .collect();
        let errors = if *with_error {
            vec![Finding::new(
                Code::PdfMalformed,
                &[("detail", "no trailer")],
            )]
        } else {
            Vec::new()
        };
        assert_eq!(
            file_indication(&reports, &errors),
            *expected,
            "{signatures:?} errors={with_error}"
        );
    }
}

#[test]
fn findings_from_path_problems_carry_both_languages_and_their_effect() {
    let root = Made::root(Spec::ca("Root RSA report"), TestKey::rsa_shared());
    let weak_ca = root.issue_sha1(Spec::ca("CA SHA-1 report"), TestKey::ecdsa());
    let leaf = weak_ca.issue(Spec::leaf("Lê Văn Ký"), TestKey::ecdsa());
    let pki = Hierarchy {
        root,
        intermediate: weak_ca,
        leaf,
    };
    let path = path_for(&pki.leaf, &pki);
    assert_eq!(
        path.sub_indication,
        Some(SubIndication::CryptoConstraintsFailure)
    );
    let findings = Finding::from_path(&path);
    let weak = findings
        .iter()
        .find(|finding| finding.code == Code::WeakDigest)
        .expect("a weak digest finding");
    assert_eq!(weak.severity, Severity::Error);
    assert_eq!(
        weak.message_vi,
        "Chứng thư số «CA SHA-1 report» được ký bằng hàm băm SHA-1, không còn được coi là an toàn."
    );
    assert_eq!(
        weak.message_en,
        "The certificate «CA SHA-1 report» is signed with SHA-1, which is no longer considered secure."
    );
    assert_eq!(
        weak.certificate.as_deref(),
        Some(path.chain[1].sha256.as_str())
    );
    let unknown = findings
        .iter()
        .find(|finding| finding.code == Code::RevocationUnknown)
        .expect("revocation unknown under soft-fail");
    assert_eq!(unknown.severity, Severity::Warning);
    assert!(
        unknown.message_vi.ends_with(
            "không có danh sách thu hồi (CRL) của tổ chức cấp (phần mềm không tự tải về)."
        )
    );
    assert!(unknown.message_en.ends_with("(nothing is downloaded)."));
    for finding in &findings {
        assert!(!finding.message_vi.contains('{'), "{}", finding.message_vi);
        assert!(!finding.message_en.contains('{'), "{}", finding.message_en);
    }
}

#[test]
fn the_text_form_shows_the_verdict_and_the_regulated_fields() {
    let (report, _) = sample("Nguyễn Văn Kiểm");
    let vietnamese = text::render(&report, Language::Vietnamese);
    let lines: Vec<&str> = vietnamese.lines().collect();
    assert_eq!(lines[0], "Tệp: công văn 15-KH-VKS.pdf");
    assert_eq!(
        lines[1],
        "Kết luận: HỢP LỆ — Văn bản có chữ ký số hợp lệ và không bị thay đổi sau khi ký."
    );
    assert_eq!(lines[2], "[1/1] Chữ ký «Signature1»: HỢP LỆ (TOTAL_PASSED)");
    for expected in [
        "    Người ký: Nguyễn Văn Kiểm — Viện Kiểm sát nhân dân tỉnh Thái Nguyên",
        "    Tổ chức cấp chứng thư số: CA phục vụ các cơ quan Nhà nước (thử nghiệm)",
        "    Thời điểm ký: 2025-06-01T16:00:00+07:00 (người ký khai báo)",
        "    Dấu thời gian: 2025-06-01T16:00:05+07:00 — CN=TSA thử nghiệm, C=VN (TOTAL_PASSED)",
        "    Tính toàn vẹn: nguyên vẹn; Phạm vi ký: toàn bộ tệp; Thay đổi sau khi ký: không",
        "    Tình trạng thu hồi: chưa kiểm tra được (không có danh sách thu hồi dùng được)",
        "    Mức PAdES: B-T",
    ] {
        assert!(
            lines.contains(&expected),
            "missing line {expected:?} in\n{vietnamese}"
        );
    }
    assert!(
        lines.iter().any(|line| line.starts_with(
            "    Hiệu lực chứng thư số: 2024-01-01T07:00:00+07:00 → 2027-01-01T07:00:00+07:00"
        )),
        "{vietnamese}"
    );
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("    Tin cậy: chuỗi tin cậy đến CN=RootCA thử nghiệm G2")),
        "{vietnamese}"
    );
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("        ! [REVOCATION_UNKNOWN] Chưa xác định được")),
        "{vietnamese}"
    );
    assert!(!vietnamese.contains("Signer:"));

    let english = text::render(&report, Language::English);
    assert!(english.contains(
        "Verdict: VALID — The document's digital signatures are valid and it has not been changed since signing.\n"
    ));
    assert!(
        english.contains("    Signer: Nguyễn Văn Kiểm — Viện Kiểm sát nhân dân tỉnh Thái Nguyên\n")
    );
    assert!(!english.contains("Người ký"));

    let both = text::render(&report, Language::Both);
    assert!(both.contains("Kết luận / Verdict: HỢP LỆ / VALID — Văn bản có chữ ký số hợp lệ"));
    assert!(both.contains("\n  The document's digital signatures are valid"));
    assert!(both.contains("    Người ký / Signer: Nguyễn Văn Kiểm"));
}

#[test]
fn the_text_form_of_a_failed_and_an_unsigned_file() {
    let mut failed = signature(
        "Chữ ký 2",
        SignatureKind::Signature,
        Indication::TotalFailed,
    );
    failed
        .findings
        .push(Finding::new(Code::MessageDigestMismatch, &[]));
    let report = FileReport::new(
        "x.pdf",
        datetime!(2025-06-02 01:00 UTC),
        vec![failed],
        Vec::new(),
    );
    let rendered = text::render(&report, Language::Vietnamese);
    assert!(rendered.contains(
        "Kết luận: KHÔNG HỢP LỆ — Chữ ký số không hợp lệ hoặc văn bản đã bị thay đổi: không tiếp nhận văn bản này."
    ));
    assert!(rendered.contains("[1/1] Chữ ký «Chữ ký 2»: KHÔNG HỢP LỆ (TOTAL_FAILED/HASH_FAILURE)"));
    assert!(rendered.contains("    Nội dung đã bị thay đổi sau khi ký."));
    assert!(rendered.contains("        ✗ [MESSAGE_DIGEST_MISMATCH] Giá trị băm"));

    let unsigned = FileReport::new(
        "y.pdf",
        datetime!(2025-06-02 01:00 UTC),
        Vec::new(),
        Vec::new(),
    );
    assert!(
        text::render(&unsigned, Language::Vietnamese)
            .contains("Kết luận: KHÔNG CÓ CHỮ KÝ — Văn bản không có chữ ký số.")
    );
}

#[test]
fn the_html_page_escapes_text_and_needs_nothing_external() {
    let (mut report, _) = sample("Nguyễn Văn <Kiểm> & \"Cộng sự\"");
    report.file = "<script>alert(1)</script>.pdf".to_owned();
    let page = html::render_page(std::slice::from_ref(&report), Language::Vietnamese);
    assert!(page.starts_with("<!DOCTYPE html><html lang=\"vi\">"));
    assert!(page.contains("<meta charset=\"utf-8\">"));
    assert!(page.contains("Nguyễn Văn &lt;Kiểm&gt; &amp; &quot;Cộng sự&quot;"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;.pdf"));
    assert!(!page.contains("<script"));
    assert!(!page.contains("<Kiểm>"));
    // A verdict at a glance, details one click away.
    assert!(page.contains("class=\"verdict passed\""));
    assert!(page.contains("Văn bản có chữ ký số hợp lệ và không bị thay đổi sau khi ký."));
    assert!(page.contains("<details>"));
    assert!(page.contains("Tổ chức cấp chứng thư số"));
    // Self-contained.
    for external in ["src=", "href=", "http://", "https://", "@import", "url("] {
        assert!(!page.contains(external), "external reference {external:?}");
    }

    let failed = FileReport::new(
        "z.pdf",
        datetime!(2025-06-02 01:00 UTC),
        vec![signature(
            "S",
            SignatureKind::Signature,
            Indication::TotalFailed,
        )],
        Vec::new(),
    );
    let both = html::render_page(&[failed], Language::Both);
    assert!(both.contains("class=\"verdict failed\""));
    assert!(both.contains("lang=\"en\""));
    assert!(both.contains("do not accept this document"));
}

#[test]
fn revocation_reports_follow_the_status() {
    let (report, path) = sample("Phạm Văn Thu");
    let signature = &report.signatures[0];
    assert_eq!(
        signature
            .revocation
            .as_ref()
            .map(|revocation| revocation.status),
        Some(RevocationState::Unknown)
    );
    assert_eq!(
        signature.chain[0].revocation.distribution_points,
        ["http://crl.example.invalid/ca.crl"]
    );
    assert_eq!(signature.chain.len(), path.chain.len());
    assert_eq!(
        signature.chain[0].problems,
        [Code::RevocationUnknown],
        "problem codes are listed per certificate"
    );
}
