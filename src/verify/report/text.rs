//! The compact text form of a report, for a terminal: the verdict first, then one block per
//! signature with the fields the regulation asks for, then the findings. Vietnamese by default,
//! English or both on request.

use std::fmt::Write as _;

use crate::verify::messages::{Label, Severity, sub_indication};

use super::{
    FileReport, Finding, Language, RevocationReport, RevocationState, SignatureReport,
    TimestampReport, display_time, indication_verdict,
};

/// Renders several files, separated by a blank line.
pub fn render_all(reports: &[FileReport], language: Language) -> String {
    reports
        .iter()
        .map(|report| render(report, language))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renders one file.
pub fn render(report: &FileReport, language: Language) -> String {
    let mut out = String::new();
    let verdict = report.indication.verdict();
    line(
        &mut out,
        0,
        &format!("{}: {}", language.pick(Label::File.text()), report.file),
    );
    let sentence = verdict.file_sentence();
    match language {
        Language::Both => {
            line(
                &mut out,
                0,
                &format!(
                    "{}: {} — {}",
                    language.pick(Label::Verdict.text()),
                    language.pick(verdict.word()),
                    sentence.0
                ),
            );
            line(&mut out, 0, &format!("  {}", sentence.1));
        }
        _ => line(
            &mut out,
            0,
            &format!(
                "{}: {} — {}",
                language.pick(Label::Verdict.text()),
                language.pick(verdict.word()),
                language.pick(sentence)
            ),
        ),
    }
    let total = report.signatures.len();
    for (index, signature) in report.signatures.iter().enumerate() {
        render_signature(&mut out, index + 1, total, signature, language);
    }
    if !report.errors.is_empty() {
        line(
            &mut out,
            0,
            &format!("{}:", language.pick(Label::Errors.text())),
        );
        for finding in &report.errors {
            render_finding(&mut out, 1, finding, language);
        }
    }
    out
}

fn render_signature(
    out: &mut String,
    number: usize,
    total: usize,
    signature: &SignatureReport,
    language: Language,
) {
    let verdict = indication_verdict(signature.indication);
    let status = match signature.sub_indication {
        Some(sub) => format!("{}/{}", signature.indication.as_str(), sub.as_str()),
        None => signature.indication.as_str().to_owned(),
    };
    line(
        out,
        0,
        &format!(
            "[{number}/{total}] {} «{}»: {} ({status})",
            language.pick(signature.kind.text()),
            signature.field,
            language.pick(verdict.word()),
        ),
    );
    if let Some(sub) = signature.sub_indication {
        line(out, 1, &language.pick(sub_indication(sub)));
    }
    let field = |out: &mut String, label: Label, value: &str| {
        line(out, 1, &format!("{}: {value}", language.pick(label.text())));
    };
    match &signature.signer {
        Some(signer) => {
            let mut who = signer.display_name().to_owned();
            if let Some(organisation) = &signer.organisation {
                let _ = write!(who, " — {organisation}");
            }
            field(out, Label::Signer, &who);
            let issuer = signer
                .issuer_common_name
                .clone()
                .unwrap_or_else(|| signer.issuer.clone());
            field(out, Label::IssuingCa, &issuer);
            field(
                out,
                Label::CertificateValidity,
                &format!(
                    "{} → {} ({}: {})",
                    display_time(signer.not_before),
                    display_time(signer.not_after),
                    language.pick(Label::Serial.text()),
                    signer.serial
                ),
            );
        }
        None => field(out, Label::Signer, &language.pick(Label::None.text())),
    }
    if let Some(claimed) = signature.signing_time {
        field(
            out,
            Label::SigningTime,
            &format!(
                "{} ({})",
                display_time(claimed),
                language.pick(Label::ClaimedBySigner.text())
            ),
        );
    }
    if let Some(timestamp) = &signature.timestamp {
        field(out, Label::Timestamp, &timestamp_text(timestamp));
    }
    let integrity = if signature.intact {
        Label::Intact
    } else {
        Label::NotIntact
    };
    line(
        out,
        1,
        &format!(
            "{}: {}; {}: {}; {}: {}",
            language.pick(Label::Integrity.text()),
            language.pick(integrity.text()),
            language.pick(Label::Coverage.text()),
            language.pick(signature.coverage.text()),
            language.pick(Label::Modifications.text()),
            language.pick(signature.modification_level.text()),
        ),
    );
    if let Some(trust) = &signature.trust {
        let value = match (&trust.anchor, trust.anchored) {
            (Some(anchor), true) => {
                format!("{} {anchor}", language.pick(Label::TrustedChainTo.text()))
            }
            _ => language.pick(Label::NotTrusted.text()),
        };
        field(out, Label::Trust, &value);
    }
    if let Some(revocation) = &signature.revocation {
        field(
            out,
            Label::Revocation,
            &revocation_text(revocation, language),
        );
    }
    field(out, Label::PadesLevel, signature.pades_level.as_str());
    if !signature.findings.is_empty() {
        line(
            out,
            1,
            &format!("{}:", language.pick(Label::Findings.text())),
        );
        for finding in &signature.findings {
            render_finding(out, 2, finding, language);
        }
    }
}

fn timestamp_text(timestamp: &TimestampReport) -> String {
    let status = match timestamp.sub_indication {
        Some(sub) => format!("{}/{}", timestamp.indication.as_str(), sub.as_str()),
        None => timestamp.indication.as_str().to_owned(),
    };
    format!(
        "{} — {} ({status})",
        display_time(timestamp.gen_time),
        timestamp.tsa
    )
}

fn revocation_text(revocation: &RevocationReport, language: Language) -> String {
    let mut text = language.pick(revocation.status.text());
    match revocation.status {
        RevocationState::Revoked => {
            if let Some(at) = revocation.revoked_at {
                let _ = write!(text, " {}", display_time(at));
            }
        }
        RevocationState::Good => {
            if let Some(as_of) = revocation.as_of {
                let _ = write!(text, " (CRL {})", display_time(as_of));
            }
        }
        RevocationState::Unknown | RevocationState::NotChecked => {}
    }
    text
}

fn render_finding(out: &mut String, indent: usize, finding: &Finding, language: Language) {
    let mark = match finding.severity {
        Severity::Error => "✗",
        Severity::Warning => "!",
        Severity::Info => "·",
    };
    let code = finding.code.as_str();
    match language {
        Language::Vietnamese => line(
            out,
            indent,
            &format!("{mark} [{code}] {}", finding.message_vi),
        ),
        Language::English => line(
            out,
            indent,
            &format!("{mark} [{code}] {}", finding.message_en),
        ),
        Language::Both => {
            line(
                out,
                indent,
                &format!("{mark} [{code}] {}", finding.message_vi),
            );
            line(out, indent + 1, &finding.message_en);
        }
    }
}

fn line(out: &mut String, indent: usize, text: &str) {
    for _ in 0..indent {
        out.push_str("    ");
    }
    out.push_str(text);
    out.push('\n');
}
