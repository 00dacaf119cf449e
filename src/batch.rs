//! Checking many files at once: in parallel, handed back in the order
//! given, with a summary for the desk and the exit status SPEC.md defines.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::pipeline::{verify_file, Options};
use crate::report::{Code, Reason, Record};

pub use crate::report::human::ledger_line as render_ledger_human;
pub use crate::report::summary::{attention, Summary};
pub use crate::verdict::exit_status;

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

/// Where `files` came from: turns the command line's paths into files
/// (files as given, folders searched, recursively and sorted, for
/// `*.pdf`). A symlinked folder is not followed; one named `*.pdf` is
/// taken as a file (its check then says it is not one).
pub fn collect(paths: &[PathBuf]) -> Vec<PathBuf> {
    gather(paths, None)
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
    let mut skipped_links = Vec::new();
    let files = gather(paths, Some(&mut skipped_links));
    Inputs {
        files,
        skipped_links,
    }
}

/// The files `paths` name, each folder's sorted. `links`: where the
/// symlinked folders found go; without it, they are left to the `*.pdf`
/// rule as any other entry (see [`collect`]).
fn gather(paths: &[PathBuf], mut links: Option<&mut Vec<PathBuf>>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found, links.as_deref_mut(), 0);
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    files
}

/// Folders deeper than this are not searched.
const MAX_DEPTH: usize = 32;

fn walk(dir: &Path, out: &mut Vec<PathBuf>, mut links: Option<&mut Vec<PathBuf>>, depth: usize) {
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
            walk(&path, out, links.as_deref_mut(), depth + 1);
        } else if let Some(links) = links
            .as_deref_mut()
            .filter(|_| kind.is_symlink() && path.is_dir())
        {
            links.push(path);
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
    use crate::verdict::Verdict;

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
}
