//! The HTML form of a report, for the web page: per file a coloured verdict with one sentence in
//! Vietnamese (green, amber, red), and per signature the details one click away in `<details>`.
//! Self-contained: inline CSS, no script, no external asset. Text is escaped by maud.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::verify::messages::{Label, Severity, Verdict, sub_indication};

use super::{
    ChainEntry, FileReport, Finding, Language, RevocationState, SignatureReport, display_time,
    indication_verdict,
};

const STYLE: &str = "\
body{font-family:system-ui,'Segoe UI',Roboto,'Noto Sans',sans-serif;margin:0;background:#f6f7f9;color:#1f2328}\
main{max-width:60rem;margin:0 auto;padding:1.5rem}\
h1{font-size:1.4rem;margin:0 0 1rem}\
section.file{background:#fff;border:1px solid #d0d7de;border-radius:8px;margin:0 0 1.5rem;overflow:hidden}\
.verdict{padding:1rem 1.25rem;border-left:.5rem solid}\
.verdict p{margin:.25rem 0}\
.verdict .sentence{font-size:1.15rem;font-weight:600}\
.verdict .en{font-weight:400;font-size:.95rem}\
.badge{display:inline-block;padding:.1rem .5rem;border-radius:4px;font-weight:700;font-size:.85rem;color:#fff}\
.passed{background:#e6f4ea;border-color:#1b7f3b}.passed .badge,.badge.passed{background:#1b7f3b}\
.indeterminate{background:#fff4e0;border-color:#b26a00}.indeterminate .badge,.badge.indeterminate{background:#b26a00}\
.failed{background:#fdecea;border-color:#b3261e}.failed .badge,.badge.failed{background:#b3261e}\
.unsigned{background:#fff4e0;border-color:#b26a00}.unsigned .badge,.badge.unsigned{background:#b26a00}\
.file-name{color:#57606a;font-size:.9rem;word-break:break-all}\
details{border-top:1px solid #d0d7de;padding:.5rem 1.25rem}\
summary{cursor:pointer;font-weight:600;padding:.25rem 0}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}\
th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid #eaeef2;font-size:.92rem}\
th{width:14rem;color:#57606a;font-weight:500}\
ol.chain,ul.findings{margin:.25rem 0 .75rem;padding-left:1.5rem;font-size:.9rem}\
ol.chain li{margin:.3rem 0}\
.muted{color:#57606a;font-size:.85rem}\
li.error{color:#b3261e}li.warning{color:#8a5a00}\
code{font-size:.8rem;background:#eaeef2;padding:0 .25rem;border-radius:3px}\
";

/// A whole page for one or several files.
pub fn render_page(reports: &[FileReport], language: Language) -> String {
    let title = language.pick((
        "Kết quả kiểm tra chữ ký số",
        "Digital signature verification",
    ));
    let lang = match language {
        Language::English => "en",
        Language::Vietnamese | Language::Both => "vi",
    };
    html! {
        (DOCTYPE)
        html lang=(lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    h1 { (title) }
                    @for report in reports {
                        (render_file(report, language))
                    }
                }
            }
        }
    }
    .into_string()
}

/// One file's section, to embed in another page.
pub fn render_file(report: &FileReport, language: Language) -> Markup {
    let verdict = report.indication.verdict();
    let (sentence_vi, sentence_en) = verdict.file_sentence();
    html! {
        section.file {
            div class={ "verdict " (verdict_class(verdict)) } role="status" {
                p {
                    span.badge { (language.pick(verdict.word())) }
                }
                @match language {
                    Language::English => p.sentence lang="en" { (sentence_en) },
                    Language::Vietnamese => p.sentence { (sentence_vi) },
                    Language::Both => {
                        p.sentence { (sentence_vi) }
                        p.sentence.en lang="en" { (sentence_en) }
                    },
                }
                p.file-name { (language.pick(Label::File.text())) ": " (report.file) }
            }
            @for signature in &report.signatures {
                (render_signature(signature, language))
            }
            @if !report.errors.is_empty() {
                details open {
                    summary { (language.pick(Label::Errors.text())) }
                    (render_findings(&report.errors, language))
                }
            }
        }
    }
}

fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Passed => "passed",
        Verdict::Indeterminate => "indeterminate",
        Verdict::Failed => "failed",
        Verdict::NoSignature => "unsigned",
    }
}

fn render_signature(signature: &SignatureReport, language: Language) -> Markup {
    let verdict = indication_verdict(signature.indication);
    let who = signature
        .signer
        .as_ref()
        .map(|signer| signer.display_name().to_owned())
        .unwrap_or_else(|| language.pick(Label::None.text()));
    let integrity = if signature.intact {
        Label::Intact
    } else {
        Label::NotIntact
    };
    html! {
        details {
            summary {
                span class={ "badge " (verdict_class(verdict)) } { (language.pick(verdict.word())) }
                " " (language.pick(signature.kind.text())) " «" (signature.field) "» — " (who)
            }
            @if let Some(sub) = signature.sub_indication {
                p {
                    (language.pick(sub_indication(sub)))
                    " " span.muted { code { (signature.indication.as_str()) "/" (sub.as_str()) } }
                }
            }
            table {
                @if let Some(signer) = &signature.signer {
                    tr { th { (language.pick(Label::Signer.text())) } td { (signer.display_name()) br; span.muted { (signer.subject) } } }
                    @if let Some(organisation) = &signer.organisation {
                        tr { th { (language.pick(Label::Organisation.text())) } td { (organisation) } }
                    }
                    tr { th { (language.pick(Label::IssuingCa.text())) } td { (signer.issuer_common_name.as_deref().unwrap_or(&signer.issuer)) } }
                    tr {
                        th { (language.pick(Label::CertificateValidity.text())) }
                        td { (display_time(signer.not_before)) " → " (display_time(signer.not_after)) br;
                             span.muted { (language.pick(Label::Serial.text())) ": " code { (signer.serial) } } }
                    }
                }
                tr {
                    th { (language.pick(Label::SigningTime.text())) }
                    td {
                        @if let Some(claimed) = signature.signing_time {
                            (display_time(claimed)) " " span.muted { "(" (language.pick(Label::ClaimedBySigner.text())) ")" }
                        } @else {
                            "—"
                        }
                    }
                }
                @if let Some(timestamp) = &signature.timestamp {
                    tr { th { (language.pick(Label::Timestamp.text())) } td { (display_time(timestamp.gen_time)) " — " (timestamp.tsa) } }
                }
                tr {
                    th { (language.pick(Label::Integrity.text())) }
                    td { (language.pick(integrity.text())) "; " (language.pick(Label::Coverage.text())) ": " (language.pick(signature.coverage.text())) }
                }
                tr { th { (language.pick(Label::Modifications.text())) } td { (language.pick(signature.modification_level.text())) } }
                @if let Some(trust) = &signature.trust {
                    tr {
                        th { (language.pick(Label::Trust.text())) }
                        td {
                            @match (&trust.anchor, trust.anchored) {
                                (Some(anchor), true) => { (language.pick(Label::TrustedChainTo.text())) " " (anchor) },
                                _ => { (language.pick(Label::NotTrusted.text())) },
                            }
                        }
                    }
                }
                @if let Some(revocation) = &signature.revocation {
                    tr {
                        th { (language.pick(Label::Revocation.text())) }
                        td {
                            (language.pick(revocation.status.text()))
                            @if let (RevocationState::Revoked, Some(at)) = (revocation.status, revocation.revoked_at) {
                                " " (display_time(at))
                            }
                        }
                    }
                }
                tr { th { (language.pick(Label::PadesLevel.text())) } td { (signature.pades_level.as_str()) } }
            }
            @if !signature.chain.is_empty() {
                p { strong { (language.pick(Label::Chain.text())) } }
                ol.chain {
                    @for entry in &signature.chain {
                        (render_chain_entry(entry, language))
                    }
                }
            }
            @if !signature.findings.is_empty() {
                p { strong { (language.pick(Label::Findings.text())) } }
                (render_findings(&signature.findings, language))
            }
        }
    }
}

fn render_chain_entry(entry: &ChainEntry, language: Language) -> Markup {
    html! {
        li {
            (entry.subject)
            br;
            span.muted {
                (display_time(entry.not_before)) " → " (display_time(entry.not_after))
                " · " (entry.key) " · " (entry.signature_algorithm)
                " · " (language.pick(entry.revocation.status.text()))
                br;
                "SHA-256 " code { (entry.sha256) }
            }
        }
    }
}

fn render_findings(findings: &[Finding], language: Language) -> Markup {
    html! {
        ul.findings {
            @for finding in findings {
                li class=(severity_class(finding.severity)) {
                    code { (finding.code.as_str()) } " "
                    @match language {
                        Language::English => span lang="en" { (finding.message_en) },
                        Language::Vietnamese => span { (finding.message_vi) },
                        Language::Both => {
                            span { (finding.message_vi) }
                            br;
                            span.muted lang="en" { (finding.message_en) }
                        },
                    }
                }
            }
        }
    }
}

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}
