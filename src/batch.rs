//! Checking many files at once: in parallel, handed back in the order
//! given, with a summary for the desk and the exit status SPEC.md defines.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::pipeline::{verify_file, Options};
use crate::report::{Code, Reason, Record};

pub use crate::report::human::ledger_line as render_ledger_human;
pub use crate::report::summary::Summary;
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

/// Where `files` came from: turns the command line's paths into files.
pub fn collect(paths: &[PathBuf]) -> Vec<PathBuf> {
    crate::pipeline::collect_pdfs(paths)
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
            assert_eq!(r.verdict, Verdict::Malformed);
        }
        let mut s = Summary::default();
        for (_, r) in &seen {
            s.add(r);
        }
        assert_eq!(s.counts.get(&Verdict::Malformed), Some(&20));
        assert_eq!(s.need_a_person.len(), 20);
        assert_eq!(s.exit_status(), 4);
        assert!(s.render_human().contains("20 malformed"));
    }
}
