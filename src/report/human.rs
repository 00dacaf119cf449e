//! The human printer: the verdict first, then why, then the fields.

use std::fmt::Write;

use super::Record;
use crate::verdict::Verdict;

/// Renders one record for a person. `color` adds ANSI colours.
pub fn render(record: &Record, color: bool) -> String {
    let mut out = String::new();
    let (paint, reset) = if color {
        (
            match record.verdict {
                Verdict::Authentic => "\x1b[1;32m",
                Verdict::Unsigned => "\x1b[1;33m",
                _ => "\x1b[1;31m",
            },
            "\x1b[0m",
        )
    } else {
        ("", "")
    };
    let _ = writeln!(
        out,
        "{}: {paint}{}{reset} — {}",
        record.path,
        record.verdict.as_str().to_uppercase(),
        headline(record.verdict)
    );
    let mut seen = std::collections::HashSet::new();
    let all = record
        .reasons
        .iter()
        .chain(record.signatures.iter().flat_map(|s| s.reasons.iter()));
    for reason in all {
        if reason.severity() >= super::Severity::Warning && seen.insert(reason.message.clone()) {
            let _ = writeln!(out, "  why: {}", reason.message);
        }
    }
    for sig in &record.signatures {
        let who = sig
            .signer
            .as_ref()
            .map(|s| s.subject.as_str())
            .unwrap_or("unknown signer");
        let issuer = sig
            .trusted_issuer
            .as_deref()
            .map(|i| format!(", known issuer {i}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  signature {} ({}): {} by {who}{issuer}",
            sig.field, sig.format, sig.verdict
        );
    }
    for change in record.changes_after_signing.iter().filter(|c| !c.benign) {
        let _ = writeln!(
            out,
            "  changed in revision {}: {}",
            change.revision, change.description
        );
    }
    for tc in &record.text_changes {
        let _ = writeln!(
            out,
            "  {}: signed {:?}, shown {:?}",
            tc.field,
            tc.signed.as_deref().unwrap_or("-"),
            tc.shown.as_deref().unwrap_or("-")
        );
    }
    if let Some(fields) = &record.fields {
        if record.verdict != Verdict::Authentic && !fields.is_empty() {
            let _ = writeln!(out, "  the file claims (not proven):");
        }
        for (name, value) in fields.named() {
            if let Some(v) = value {
                let _ = writeln!(out, "    {:<18} {v}", label(name));
            }
        }
        if fields.query_result_label {
            let _ = writeln!(out, "    {:<18} yes", "query-result proof");
        }
    }
    if let Some(e) = &record.error {
        let _ = writeln!(out, "  error: {e}");
    }
    out
}

fn headline(v: Verdict) -> &'static str {
    match v {
        Verdict::Authentic => "signed by a known issuer and unchanged since",
        Verdict::Altered => "changed after it was signed: do not accept",
        Verdict::Invalid => "the signature is not valid: do not accept",
        Verdict::Untrusted => "signed, but not by a known issuer: do not accept as genuine",
        Verdict::Unsigned => "no electronic signature: check it online with the issuer",
        Verdict::Malformed => "not a readable PDF",
    }
}

fn label(field: &str) -> &'static str {
    match field {
        "management_number" => "管理号 number",
        "name" => "姓名 name",
        "gender" => "性别 gender",
        "birth" => "出生年月 birth",
        "id_number" => "证件号码 ID",
        "qualification" => "资格名称 qualif.",
        "level" => "级别 level",
        "approval_date" => "批准日期 approved",
        _ => "field",
    }
}
