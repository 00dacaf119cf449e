//! Checking many files at once: in parallel, handed back in the order
//! given, with a summary for the desk and the exit status SPEC.md defines.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::pipeline::{verify_file, Options};
use crate::report::{Code, Reason, Record};
use crate::verdict::Verdict;

/// The default number of parallel checks: one per core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Checks `files` on `jobs` threads and calls `sink` with each record in
/// the order of `files`, as soon as it and every record before it are done
/// (so output streams while later files are still being checked). A check
/// that panics gives that file a `malformed` record; the others go on.
pub fn run<F: FnMut(usize, Record)>(
    files: &[PathBuf],
    options: &Options,
    jobs: usize,
    mut sink: F,
) {
    let jobs = jobs.clamp(1, files.len().max(1));
    // One file or one job: no pool, no threads to start.
    let pool = if jobs == 1 {
        None
    } else {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .ok()
    };
    let Some(pool) = pool else {
        for (i, f) in files.iter().enumerate() {
            sink(i, check_one(f, options));
        }
        return;
    };
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Record)>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            pool.install(|| {
                files
                    .par_iter()
                    .enumerate()
                    .for_each_with(tx, |tx, (i, f)| {
                        // The receiver only goes away when the caller panicked.
                        let _ = tx.send((i, check_one(f, options)));
                    })
            })
        });
        let mut pending: BTreeMap<usize, Record> = BTreeMap::new();
        let mut next = 0;
        for (i, record) in rx {
            pending.insert(i, record);
            while let Some(r) = pending.remove(&next) {
                sink(next, r);
                next += 1;
            }
        }
    });
}

fn check_one(path: &std::path::Path, options: &Options) -> Record {
    match catch_unwind(AssertUnwindSafe(|| verify_file(path, options))) {
        Ok(r) => r,
        Err(_) => Record::malformed(
            &path.display().to_string(),
            "certcheck failed on this file (internal error); it was not checked".to_string(),
            vec![Reason::detail(Code::UnreadablePdf, "internal error")],
        ),
    }
}

/// SPEC.md: 0 every file authentic; 1 some file altered, invalid or
/// untrusted; 2 otherwise some input could not be read from the disk
/// (missing, not allowed, not a regular file); 3 otherwise some file
/// unsigned; 4 otherwise some file malformed. A "do not accept" finding is
/// never hidden by another file's problem, and a batch with an input that
/// was not checked never reads as 0, 3 or 4. (2 is also the command line's
/// usage error: in both cases the run did not check what it was asked to.)
pub fn exit_status<'a, I: IntoIterator<Item = &'a Verdict>>(verdicts: I) -> u8 {
    let mut worst = 0;
    for v in verdicts {
        let rank = v.exit_rank();
        // 1 beats 2 beats 3 beats 4: the ranks are ordered by how bad,
        // not by value.
        let badness = |r: u8| match r {
            1 => 4,
            2 => 3,
            3 => 2,
            4 => 1,
            _ => 0,
        };
        if badness(rank) > badness(worst) {
            worst = rank;
        }
    }
    worst
}

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
        exit_status(&self.verdicts)
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
                    crate::report::escape::for_terminal(path)
                );
            }
        }
        out
    }
}

fn headline(v: Verdict) -> &'static str {
    match v {
        Verdict::Authentic => "authentic",
        Verdict::Altered => "changed after signing: do not accept",
        Verdict::Invalid => "signature not valid: do not accept",
        Verdict::Untrusted => "not signed by a known issuer",
        Verdict::Unsigned => "no signature: check online",
        Verdict::Malformed => "not a readable PDF",
        Verdict::InputError => "input problem: the file could not be read from the disk",
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
        why.push(headline(record.verdict));
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

/// The desk's line under a record in human output: which ledger entry it
/// became (the conflicts themselves are in the reasons and the record's
/// ledger lines, which the human printer shows).
pub fn render_ledger_human(record: &Record) -> String {
    match &record.ledger {
        Some(l) if l.id > 0 => format!("  ledger: recorded as #{}\n", l.id),
        Some(_) => "  ledger: compared, not recorded (--no-record)\n".to_string(),
        None => String::new(),
    }
}

/// Where `files` came from: turns the command line's paths into files.
pub fn collect(paths: &[PathBuf]) -> Vec<PathBuf> {
    crate::pipeline::collect_pdfs(paths)
}

/// The files a command line names, and what the folder walk left out so
/// the person can be told (a symlinked folder is not followed: it could
/// lead anywhere, or in a circle).
#[derive(Debug, Default)]
pub struct Inputs {
    pub files: Vec<PathBuf>,
    /// Symbolic links to folders found inside the folders given.
    pub skipped_links: Vec<PathBuf>,
}

/// Like [`collect`], and says which symlinked folders were skipped.
pub fn collect_inputs(paths: &[PathBuf]) -> Inputs {
    let mut inputs = Inputs::default();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found, &mut inputs.skipped_links, 0);
            found.sort();
            inputs.files.extend(found);
        } else {
            inputs.files.push(p.clone());
        }
    }
    inputs
}

/// Folders deeper than this are not searched.
const MAX_DEPTH: usize = 32;

fn walk(dir: &Path, out: &mut Vec<PathBuf>, skipped: &mut Vec<PathBuf>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, out, skipped, depth + 1);
        } else if kind.is_symlink() && path.is_dir() {
            skipped.push(path);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
        {
            // FIFOs and devices named *.pdf are kept: the check refuses
            // them with an input error the person sees.
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_follows_spec_precedence() {
        use Verdict::*;
        assert_eq!(exit_status(&[]), 0);
        assert_eq!(exit_status(&[Authentic, Authentic]), 0);
        assert_eq!(exit_status(&[Malformed, Unsigned]), 3);
        assert_eq!(exit_status(&[Malformed, Authentic]), 4);
        assert_eq!(exit_status(&[Unsigned, Untrusted, Malformed]), 1);
        assert_eq!(exit_status(&[Altered]), 1);
        assert_eq!(exit_status(&[Malformed, InputError, Unsigned]), 2);
        assert_eq!(exit_status(&[InputError, Untrusted]), 1);
        assert_eq!(exit_status(&[InputError, Authentic]), 2);
    }

    #[test]
    fn run_keeps_order_and_survives_unreadable_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for i in 0..20 {
            let p = dir.path().join(format!("f{i:02}.pdf"));
            if i % 3 == 0 {
                std::fs::write(&p, b"not a pdf").unwrap();
            }
            files.push(p);
        }
        let mut seen = Vec::new();
        run(&files, &Options::default(), 3, |i, r| seen.push((i, r)));
        assert_eq!(seen.len(), 20);
        for (n, (i, r)) in seen.iter().enumerate() {
            assert_eq!(*i, n);
            assert_eq!(r.path, files[n].display().to_string());
            // Written but not a PDF: malformed. Never written: an input
            // error, not a verdict on a PDF.
            let want = if n % 3 == 0 {
                Verdict::Malformed
            } else {
                Verdict::InputError
            };
            assert_eq!(r.verdict, want, "{}", r.path);
            assert!(r.error.is_some());
        }
        let mut s = Summary::default();
        for (_, r) in &seen {
            s.add(r);
        }
        assert_eq!(s.counts.get(&Verdict::Malformed), Some(&7));
        assert_eq!(s.counts.get(&Verdict::InputError), Some(&13));
        assert_eq!(s.need_a_person.len(), 20);
        assert_eq!(s.exit_status(), 2);
        let text = s.render_human();
        assert!(
            text.contains("7 malformed") && text.contains("13 input_error"),
            "{text}"
        );
    }

    #[test]
    fn an_authentic_file_with_a_ledger_conflict_needs_a_person() {
        use crate::report::{LedgerConflict, LedgerEarlier, LedgerInfo};
        let mut r = Record::malformed("a.pdf", String::new(), Vec::new());
        r.verdict = Verdict::Authentic;
        r.error = None;
        r.ledger = Some(LedgerInfo {
            id: 7,
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
                },
            }],
        });
        let line = render_ledger_human(&r);
        assert!(line.contains("recorded as #7"), "{line}");
        let mut s = Summary::default();
        s.add(&r);
        assert_eq!(s.need_a_person.len(), 1);
        assert_eq!(s.need_a_person[0].2, "ledger conflict");
        assert_eq!(s.exit_status(), 0);
        r.ledger = None;
        assert!(render_ledger_human(&r).is_empty());
        let mut s = Summary::default();
        s.add(&r);
        assert!(s.need_a_person.is_empty());
        assert!(s.render_human().contains("No file needs a person"));
    }
}
