//! What a batch found, for the lines at the end of human output.

use std::collections::BTreeMap;

use super::human::headline;
use super::verdict::Verdict;
use super::{Code, Record};

/// What a batch found, for the line at the end.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub counts: BTreeMap<Verdict, usize>,
    /// Files a person must look at (see [`attention`]).
    pub need_a_person: Vec<(String, Verdict, String)>,
    pub verdicts: Vec<Verdict>,
}

impl Summary {
    pub fn add(&mut self, record: &Record) {
        *self.counts.entry(record.verdict).or_insert(0) += 1;
        self.verdicts.push(record.verdict);
        let why = attention(record);
        if !why.is_empty() {
            self.need_a_person
                .push((record.path.clone(), record.verdict, why.join("; ")));
        }
    }

    pub fn total(&self) -> usize {
        self.verdicts.len()
    }

    pub fn exit_status(&self) -> u8 {
        super::verdict::exit_status(&self.verdicts)
    }

    /// The summary a person reads after the records.
    pub fn render_human(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|(v, n)| format!("{n} {v}"))
            .collect();
        let _ = writeln!(
            out,
            "\nChecked {} file{}: {}",
            self.total(),
            if self.total() == 1 { "" } else { "s" },
            if counts.is_empty() {
                "none".to_string()
            } else {
                counts.join(", ")
            }
        );
        if self.need_a_person.is_empty() {
            let _ = writeln!(out, "No file needs a person.");
        } else {
            let _ = writeln!(out, "Need a person ({}):", self.need_a_person.len());
            for (path, v, why) in &self.need_a_person {
                let _ = writeln!(
                    out,
                    "  {:<10} {}  ({why})",
                    v.as_str().to_uppercase(),
                    super::escape::for_terminal(path)
                );
            }
        }
        out
    }
}

/// Why a person must look at this file, in the words of the summary; empty
/// when nobody needs to. Every file that is not authentic; an authentic
/// one whose content could not be read (a password is needed), that the
/// ledger has seen with another holder, or whose QR code points off the
/// official hosts. The one place this is decided (the summary, `watch`).
pub fn attention(record: &Record) -> Vec<&'static str> {
    let mut why = Vec::new();
    if record.verdict != Verdict::Authentic {
        why.push(headline(record.verdict).summary);
    }
    if record.has_reason(Code::ContentNotReadable) {
        why.push("content not readable: enter the password");
    }
    if record
        .ledger
        .as_ref()
        .is_some_and(|l| !l.conflicts.is_empty())
    {
        why.push("ledger conflict");
    }
    if record.has_reason(Code::QrCodeOffOfficialHost) {
        why.push("QR code off the official hosts");
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::human::ledger_line;

    #[test]
    fn an_authentic_file_with_a_ledger_conflict_needs_a_person() {
        use crate::report::{LedgerConflict, LedgerEarlier, LedgerInfo};
        let mut r = Record::new("a.pdf");
        r.verdict = Verdict::Authentic;
        r.ledger = Some(LedgerInfo {
            id: 7,
            earlier_answers: Vec::new(),
            conflicts: vec![LedgerConflict {
                kind: "management_number_other_holder".into(),
                field: "management_number".into(),
                value: "M1".into(),
                earlier: LedgerEarlier {
                    id: 3,
                    name: Some("张伟".into()),
                    id_number: None,
                    checked_at: "2026-01-01T00:00:00Z".into(),
                    path: "old.pdf".into(),
                    desk: None,
                    operator: None,
                },
            }],
        });
        let line = ledger_line(&r);
        assert!(line.contains("recorded as #7"), "{line}");
        let mut s = Summary::default();
        s.add(&r);
        assert_eq!(s.need_a_person.len(), 1);
        assert_eq!(s.need_a_person[0].2, "ledger conflict");
        assert_eq!(s.exit_status(), 0);
        r.ledger = None;
        assert!(ledger_line(&r).is_empty());
        let mut s = Summary::default();
        s.add(&r);
        assert!(s.need_a_person.is_empty());
        assert!(s.render_human().contains("No file needs a person"));
    }
}
