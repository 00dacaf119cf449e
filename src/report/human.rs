//! The human printer: the verdict first, then why, then what changed, the
//! seals, and the fields. Plain words for a desk clerk; the JSON record has
//! the evidence for an examiner. Every string that comes from the file (its
//! name, field values, names in certificates, messages that quote the file)
//! goes through [`shown`], so nothing in a file can act on the terminal.

use std::collections::HashSet;
use std::fmt::Write;

use super::escape::for_terminal as shown;
use super::verdict::Verdict;
use super::{Code, Record, Severity, SignatureReport, SigningTimeSource};

/// Renders one record for a person. `color` adds ANSI colours (only when
/// printing to a terminal).
pub fn render(record: &Record, color: bool) -> String {
    let mut out = String::new();
    let (paint, bold, reset) = if color {
        let paint = match record.verdict {
            Verdict::Authentic => "\x1b[1;32m",
            Verdict::Unsigned | Verdict::Malformed | Verdict::InputError => "\x1b[1;33m",
            _ => "\x1b[1;31m",
        };
        (paint, "\x1b[1m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let _ = writeln!(out, "{bold}{}{reset}", shown(&record.path));
    let _ = writeln!(
        out,
        "  {paint}{}{reset}: {}",
        record.verdict.as_str().to_uppercase(),
        headline(record.verdict).record
    );
    if record.has_reason(Code::ContentNotReadable) {
        let _ = writeln!(
            out,
            "  {paint}CONTENT NOT READABLE{reset}: enter the password (--password); what it certifies was not read, so a person must look at it"
        );
    }

    let mut seen = HashSet::new();
    let why: Vec<&str> = record
        .reasons
        .iter()
        .chain(record.signatures.iter().flat_map(|s| s.reasons.iter()))
        .filter(|r| r.severity() >= Severity::Warning)
        .filter(|r| seen.insert(r.message.as_str()))
        .map(|r| r.message.as_str())
        .collect();
    if !why.is_empty() {
        let _ = writeln!(out, "  why:");
        for line in why {
            let _ = writeln!(out, "    - {}", shown(line));
        }
    }

    let changes: Vec<_> = record
        .changes_after_signing
        .iter()
        .filter(|c| !c.benign)
        .collect();
    if !changes.is_empty() {
        let _ = writeln!(out, "  changed after signing:");
        for c in changes {
            let page = c.page.map(|p| format!("page {p}, ")).unwrap_or_default();
            let _ = writeln!(
                out,
                "    - {page}revision {}: {}",
                c.revision,
                shown(&c.description)
            );
        }
    }
    if !record.text_changes.is_empty() {
        let _ = writeln!(out, "  text that differs from what was signed:");
        for tc in &record.text_changes {
            let _ = writeln!(
                out,
                "    - {}: signed \"{}\", shown \"{}\"",
                label(&tc.field),
                shown(tc.signed.as_deref().unwrap_or("—")),
                shown(tc.shown.as_deref().unwrap_or("—"))
            );
        }
    }

    if !record.signatures.is_empty() {
        let _ = writeln!(out, "  seals and signatures:");
        for sig in &record.signatures {
            let _ = writeln!(out, "    - {}", describe_signature(sig, record.revisions));
        }
    }

    for q in &record.qr_codes {
        let mark = if q.host_allowed {
            "official site"
        } else {
            "NOT an official site"
        };
        let _ = writeln!(out, "  QR code ({mark}): {}", shown(&q.text));
    }

    if let Some(fields) = &record.fields {
        if !fields.is_empty() {
            let heading = if record.verdict == Verdict::Authentic {
                "what it certifies:"
            } else {
                "what the file claims (not proven):"
            };
            let _ = writeln!(out, "  {heading}");
            for (name, value) in fields.named() {
                if let Some(v) = value {
                    let note = match (name, fields.id_number_valid) {
                        ("id_number", Some(false)) => "  (check digit wrong)",
                        _ => "",
                    };
                    let _ = writeln!(out, "    {} {}{note}", pad(label(name), 14), shown(v));
                }
            }
            if fields.query_result_label {
                let _ = writeln!(out, "    {} yes", pad("查询结果证明 query result", 14));
            }
        }
    }
    if let Some(e) = &record.error {
        let _ = writeln!(out, "  error: {}", shown(e));
    }
    out
}

fn describe_signature(sig: &SignatureReport, revisions: usize) -> String {
    let mut s = format!("{} [{}", shown(&sig.field), shown(&sig.format));
    if let Some(alg) = &sig.signature_algorithm {
        let _ = write!(s, ", {}", shown(alg));
    }
    s.push_str("]: ");
    s.push_str(match sig.verdict {
        Verdict::Authentic => "valid for what it signed",
        Verdict::Altered => "what it signed was changed",
        Verdict::Invalid => "not a valid signature",
        Verdict::Untrusted => "valid, but not from a known issuer",
        Verdict::Unsigned | Verdict::Malformed | Verdict::InputError => "not checked",
    });
    if let Some(signer) = &sig.signer {
        let _ = write!(s, "; sealed by {}", shown(common_name(&signer.subject)));
    }
    if let Some(issuer) = &sig.trusted_issuer {
        let _ = write!(s, "; known issuer {}", shown(issuer));
    }
    if let Some(t) = &sig.signing_time {
        let source = match sig.signing_time_source {
            Some(SigningTimeSource::Timestamp) => " (trusted timestamp)",
            Some(SigningTimeSource::DocTimestamp) => " (proven by a trusted document timestamp)",
            Some(SigningTimeSource::Claimed) => " (claimed by the signer)",
            Some(SigningTimeSource::DocumentDate) => " (latest date in the document)",
            Some(SigningTimeSource::CheckTime) | None => "",
        };
        let _ = write!(s, "; signed {}{source}", shown(t));
    }
    if let Some(rev) = sig.revision {
        if !sig.covers_whole_file {
            let _ = write!(s, "; covers revision {rev} of {revisions}");
        }
    }
    s
}

/// The CN of an RFC 4514-style subject, or the whole subject.
pub(crate) fn common_name(subject: &str) -> &str {
    subject
        .split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("CN="))
        .unwrap_or(subject)
}

/// What a verdict means for the person at the desk, in the two lengths
/// human output prints it: the one table of headlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headline {
    /// The line under a record's path.
    pub record: &'static str,
    /// The note in the summary's "need a person" list.
    pub summary: &'static str,
}

pub fn headline(v: Verdict) -> Headline {
    let (record, summary) = match v {
        Verdict::Authentic => (
            "signed by a known issuer's seal and unchanged since",
            "authentic",
        ),
        Verdict::Altered => (
            "changed after it was signed: do not accept",
            "changed after signing: do not accept",
        ),
        Verdict::Invalid => (
            "its signature is not valid: do not accept",
            "signature not valid: do not accept",
        ),
        Verdict::Untrusted => (
            "signed, but not by a known issuer: do not accept as genuine",
            "not signed by a known issuer",
        ),
        Verdict::Unsigned => (
            "no electronic seal: check it online with the issuer",
            "no signature: check online",
        ),
        Verdict::Malformed => ("not a readable PDF", "not a readable PDF"),
        Verdict::InputError => (
            "the file could not be read from the disk: it was not checked",
            "input problem: the file could not be read from the disk",
        ),
    };
    Headline { record, summary }
}

/// The desk's line under a record in human output: which ledger entry it
/// became (the conflicts themselves are in the reasons and the record's
/// ledger lines, which the human printer shows).
pub fn ledger_line(record: &Record) -> String {
    let mut text = match &record.ledger {
        Some(l) if l.id > 0 => format!("  ledger: recorded as #{}\n", l.id),
        Some(_) => "  ledger: compared, not recorded (--no-record)\n".to_string(),
        None => String::new(),
    };
    for a in record.ledger.iter().flat_map(|l| &l.earlier_answers) {
        text.push_str(&earlier_answer_line(a));
    }
    text
}

/// An earlier answer of the official check for the same 管理号: when,
/// what, who and where (strings from the ledger shown escaped).
fn earlier_answer_line(a: &crate::report::LedgerAnswer) -> String {
    use crate::report::escape::for_terminal as shown;
    let word = crate::report::online::Confirmation::from_name(&a.answer)
        .map(|c| format!("{} ({})", c.zh(), c.as_str()))
        .unwrap_or_else(|| shown(&a.answer).into_owned());
    let who = match (&a.operator, &a.desk) {
        (Some(o), Some(d)) if !o.is_empty() => format!(" by {} at desk {}", shown(o), shown(d)),
        (_, Some(d)) => format!(" at desk {}", shown(d)),
        (Some(o), None) if !o.is_empty() => format!(" by {}", shown(o)),
        _ => String::new(),
    };
    format!(
        "  earlier online answer for this 管理号: {word} on {}{who} (ledger #{})\n",
        shown(&a.confirmed_at),
        a.check_id
    )
}

fn label(field: &str) -> &'static str {
    match field {
        "management_number" => "管理号",
        "name" => "姓名",
        "gender" => "性别",
        "birth" => "出生年月",
        "id_number" => "证件号码",
        "qualification" => "资格名称",
        "level" => "级别",
        "approval_date" => "批准日期",
        _ => "字段",
    }
}

/// Pads to `width` terminal columns, counting CJK characters as two.
fn pad(text: &str, width: usize) -> String {
    let cols: usize = text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(cols)))
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Fields, Reason};

    #[test]
    fn the_verdict_comes_first_then_why_then_fields() {
        let mut record = Record::new("x.pdf");
        record.verdict = Verdict::Unsigned;
        record.reasons.push(Reason::new(Code::IdNumberCheckDigit));
        record.fields = Some(Fields {
            name: Some("张伟".into()),
            ..Fields::default()
        });
        let text = render(&record, false);
        let verdict_at = text.find("UNSIGNED").expect("verdict shown");
        let why_at = text.find("check digit").expect("reason shown");
        let name_at = text.find("张伟").expect("field shown");
        assert!(verdict_at < why_at && why_at < name_at, "{text}");
        assert!(text.contains("not proven"));
        assert!(!text.contains('\x1b'), "no colour when not on a terminal");
    }

    /// Issue 15: a field read from the file (a name, a qualification, a
    /// signed-vs-shown value) holding terminal escapes or a bidi override
    /// reaches the screen escaped, never as a control byte.
    #[test]
    fn hostile_field_values_are_shown_escaped() {
        let hostile = "马丽\u{1b}[2J\u{1b}[1;32mAUTHENTIC\u{202e}\u{9b}31m";
        let mut record = Record::new("x.pdf");
        record.verdict = Verdict::Altered;
        record.fields = Some(Fields {
            name: Some(hostile.into()),
            qualification: Some(hostile.into()),
            ..Fields::default()
        });
        record.text_changes.push(crate::report::TextChange {
            field: "name".into(),
            signed: Some("张伟".into()),
            shown: Some(hostile.into()),
        });
        for color in [false, true] {
            let text = render(&record, color);
            assert!(text.contains("马丽"), "{text}");
            assert!(text.contains("\\x1b"), "the escape is shown: {text}");
            assert!(!text.contains("\u{202e}"), "no bidi override: {text}");
            assert!(!text.contains('\u{9b}'), "no C1 CSI: {text}");
            if !color {
                assert!(!text.contains('\x1b'), "no raw ESC at all: {text:?}");
            } else {
                // Only our own colour codes: every ESC opens an SGR we wrote.
                assert!(!text.contains("\x1b[2J"), "{text:?}");
                assert!(!text.contains("\x1b[1;32mAUTHENTIC"), "{text:?}");
            }
        }
    }

    #[test]
    fn wide_characters_count_twice_when_padding() {
        assert_eq!(pad("姓名", 6), "姓名  ");
        assert_eq!(pad("ab", 4), "ab  ");
    }
}
