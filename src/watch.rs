//! The watch folder: `certcheck watch IN_DIR --accepted DIR --needs-person DIR`.
//! Each PDF that arrives in the inbox is checked, recorded (the caller's
//! hook: the ledger), and moved into the accepted folder, or the
//! needs-person folder when a person must look at it
//! ([`crate::batch::attention`]), with its JSON record beside it.
//!
//! Nothing is ever lost or overwritten:
//! - a file is taken only once its size and time have stopped changing
//!   (hidden files, e.g. `.cert.pdf.part` while a scanner writes, are left
//!   alone until renamed);
//! - the copy and the record are written under temporary hidden names in
//!   the destination, then linked to their final names with `link(2)`,
//!   which fails rather than replace anything: a name that is taken gets
//!   `-2`, `-3`, …;
//! - the inbox file is removed only after both are in place. Stopped at any
//!   point, the inbox still holds the file, and the next run finishes it: a
//!   copy already delivered (same SHA-256, record beside it) is recognised,
//!   so nothing is delivered twice.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::pipeline::{open_regular_file, InputError, Options};
use crate::report::Record;

/// Names tried for one delivery before giving up.
const MAX_NAME_TRIES: usize = 10_000;
/// How long a file's size and time must stay unchanged before it is taken.
pub const DEFAULT_SETTLE: Duration = Duration::from_millis(500);
/// Rescans of the inbox even when no event came (events can be missed).
const RESCAN: Duration = Duration::from_secs(2);

#[derive(Debug, Error)]
pub enum WatchError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{0}")]
    Folders(String),
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> WatchError {
    WatchError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The three folders of a watch.
#[derive(Debug, Clone)]
pub struct Folders {
    pub inbox: PathBuf,
    pub accepted: PathBuf,
    pub needs_person: PathBuf,
}

impl Folders {
    /// Creates the destinations and refuses folders that would feed the
    /// inbox back into itself.
    pub fn prepare(&self) -> Result<(), WatchError> {
        if !self.inbox.is_dir() {
            return Err(WatchError::Folders(format!(
                "{} is not a folder",
                self.inbox.display()
            )));
        }
        for dest in [&self.accepted, &self.needs_person] {
            std::fs::create_dir_all(dest).map_err(|e| io_err(dest, e))?;
        }
        let canon = |p: &Path| std::fs::canonicalize(p).map_err(|e| io_err(p, e));
        let (inbox, accepted, needs) = (
            canon(&self.inbox)?,
            canon(&self.accepted)?,
            canon(&self.needs_person)?,
        );
        if inbox == accepted || inbox == needs {
            return Err(WatchError::Folders(
                "the inbox cannot also be a destination".into(),
            ));
        }
        Ok(())
    }
}

/// What happened to one inbox file.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub source: PathBuf,
    /// Where the PDF is now.
    pub pdf: PathBuf,
    /// Its JSON record beside it.
    pub json: PathBuf,
    pub record: Record,
    /// Why a person must look at it (empty: accepted).
    pub attention: Vec<&'static str>,
    /// It had been delivered before the watch was stopped; only the inbox
    /// copy was left to remove.
    pub already_delivered: bool,
}

/// The PDFs in the inbox waiting to be taken: `*.pdf`, not hidden, sorted.
/// Links and other non-regular files are not taken (they are named in
/// the second list so the person can be told, once).
pub fn pending(inbox: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut files = Vec::new();
    let mut refused = Vec::new();
    let Ok(entries) = std::fs::read_dir(inbox) else {
        return (files, refused);
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let is_pdf = Path::new(&*name)
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
        if !is_pdf {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_file() => files.push(entry.path()),
            Ok(_) => refused.push(entry.path()),
            Err(_) => {}
        }
    }
    files.sort();
    refused.sort();
    (files, refused)
}

/// A file's size and modification time, to tell when it stopped growing.
pub fn stamp(path: &Path) -> Option<(u64, SystemTime)> {
    let m = std::fs::symlink_metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
}

/// Checks, records and delivers one inbox file. `hook` sees the record
/// before it is written beside the PDF (the ledger records it there).
pub fn deliver(
    folders: &Folders,
    source: &Path,
    options: &Options,
    hook: &mut dyn FnMut(&mut Record),
) -> Result<Delivery, WatchError> {
    let file = open_regular_file(source).map_err(|e| match e {
        InputError::NotRegular(kind) => io_err(source, kind),
        InputError::Io(e) => io_err(source, e),
    })?;
    let size = file.metadata().map_err(|e| io_err(source, e))?.len();
    if size > crate::pdf::limits::MAX_FILE_SIZE {
        return Err(io_err(
            source,
            "over the file size limit; left in the inbox",
        ));
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut &file, &mut bytes).map_err(|e| io_err(source, e))?;
    drop(file);
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "certificate.pdf".into());
    let sha256 = hex::encode(Sha256::digest(&bytes));

    // Delivered before a stop, inbox copy not yet removed?
    for dest in [&folders.accepted, &folders.needs_person] {
        if let Some((pdf, json)) = find_delivered(dest, &name, &sha256) {
            let record = std::fs::read(&json)
                .ok()
                .and_then(|b| serde_json::from_slice::<Record>(&b).ok());
            if let Some(record) = record {
                remove_source(source)?;
                return Ok(Delivery {
                    source: source.to_path_buf(),
                    attention: crate::batch::attention(&record),
                    pdf,
                    json,
                    record,
                    already_delivered: true,
                });
            }
        }
    }

    let mut record = crate::pipeline::verify(&bytes, &name, options);
    hook(&mut record);
    let attention = crate::batch::attention(&record);
    let dest = if attention.is_empty() {
        &folders.accepted
    } else {
        &folders.needs_person
    };
    let json_text = crate::report::to_json(&record, true) + "\n";
    let (pdf, json) = place(dest, &name, &bytes, json_text.as_bytes())?;
    remove_source(source)?;
    Ok(Delivery {
        source: source.to_path_buf(),
        pdf,
        json,
        record,
        attention,
        already_delivered: false,
    })
}

fn remove_source(source: &Path) -> Result<(), WatchError> {
    match std::fs::remove_file(source) {
        Ok(()) => Ok(()),
        // Someone else took it away: nothing is lost, it is delivered.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err(source, e)),
    }
}

/// The names a delivery of `name` may take: `name.pdf`, `name-2.pdf`, …,
/// each with its record `name.json`, `name-2.json`, ….
fn candidate(dest: &Path, name: &str, n: usize) -> (PathBuf, PathBuf) {
    let p = Path::new(name);
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "certificate".into());
    let ext = p
        .extension()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "pdf".into());
    let base = if n == 1 { stem } else { format!("{stem}-{n}") };
    (
        dest.join(format!("{base}.{ext}")),
        dest.join(format!("{base}.json")),
    )
}

/// A delivered copy of this content under one of `name`'s names, with its
/// record beside it.
fn find_delivered(dest: &Path, name: &str, sha256: &str) -> Option<(PathBuf, PathBuf)> {
    for n in 1..=MAX_NAME_TRIES {
        let (pdf, json) = candidate(dest, name, n);
        let Ok(meta) = std::fs::symlink_metadata(&pdf) else {
            // A slot is skipped when only its record's name was taken.
            if std::fs::symlink_metadata(&json).is_ok() {
                continue;
            }
            return None;
        };
        if meta.is_file() && json.is_file() {
            if let Ok(bytes) = std::fs::read(&pdf) {
                if hex::encode(Sha256::digest(&bytes)) == sha256 {
                    return Some((pdf, json));
                }
            }
        }
    }
    None
}

/// Writes `pdf` and `json` into `dest` under the first free pair of names.
/// Both are written to hidden temporary files first and linked to their
/// names with `hard_link`, which never replaces an existing file or link.
fn place(
    dest: &Path,
    name: &str,
    pdf: &[u8],
    json: &[u8],
) -> Result<(PathBuf, PathBuf), WatchError> {
    let tmp_pdf = write_temp(dest, pdf)?;
    let tmp_json = match write_temp(dest, json) {
        Ok(t) => t,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp_pdf);
            return Err(e);
        }
    };
    let result = (|| {
        for n in 1..=MAX_NAME_TRIES {
            let (pdf_path, json_path) = candidate(dest, name, n);
            match std::fs::hard_link(&tmp_pdf, &pdf_path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_err(&pdf_path, e)),
            }
            match std::fs::hard_link(&tmp_json, &json_path) {
                Ok(()) => return Ok((pdf_path, json_path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    // The record's name is taken: give the PDF name back.
                    std::fs::remove_file(&pdf_path).map_err(|e| io_err(&pdf_path, e))?;
                    continue;
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&pdf_path);
                    return Err(io_err(&json_path, e));
                }
            }
        }
        Err(io_err(dest, format!("no free name for {name}")))
    })();
    let _ = std::fs::remove_file(&tmp_pdf);
    let _ = std::fs::remove_file(&tmp_json);
    result
}

/// A new hidden file in `dir` holding `data`, flushed to the disk.
fn write_temp(dir: &Path, data: &[u8]) -> Result<PathBuf, WatchError> {
    let pid = std::process::id();
    for n in 0..MAX_NAME_TRIES {
        let path = dir.join(format!(".certcheck-watch-{pid}-{n}.tmp"));
        match crate::trust_admin::create_new(&path) {
            Ok(mut f) => {
                f.write_all(data).and_then(|()| f.sync_all()).map_err(|e| {
                    let _ = std::fs::remove_file(&path);
                    io_err(&path, e)
                })?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_err(&path, e)),
        }
    }
    Err(io_err(dir, "no free temporary name"))
}

/// What the watch loop reports to its caller.
#[derive(Debug)]
pub enum Event {
    Delivered(Box<Delivery>),
    /// A file that could not be delivered this time; it stays in the inbox.
    Failed {
        source: PathBuf,
        error: WatchError,
    },
    /// A non-regular file or link named `*.pdf` in the inbox, left alone.
    Refused(PathBuf),
}

/// Watches the inbox until `stop` is set: takes every settled PDF (the
/// ones there at the start too), delivers it, and reports each step.
/// `wake` receives a message whenever the inbox may have changed (the
/// file-system watcher); the inbox is rescanned every few seconds anyway.
pub fn run(
    folders: &Folders,
    options: &Options,
    settle: Duration,
    wake: &Receiver<()>,
    stop: &AtomicBool,
    hook: &mut dyn FnMut(&mut Record),
    report: &mut dyn FnMut(Event),
) -> Result<(), WatchError> {
    folders.prepare()?;
    let mut seen: std::collections::HashMap<PathBuf, (u64, SystemTime)> = Default::default();
    let mut told_refused: std::collections::HashSet<PathBuf> = Default::default();
    let mut failed: std::collections::HashMap<PathBuf, (u64, SystemTime)> = Default::default();
    while !stop.load(Ordering::SeqCst) {
        let (files, refused) = pending(&folders.inbox);
        for r in refused {
            if told_refused.insert(r.clone()) {
                report(Event::Refused(r));
            }
        }
        let mut waiting = false;
        for f in files {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let Some(now) = stamp(&f) else { continue };
            // A file that failed is retried only once it changes.
            if failed.get(&f) == Some(&now) {
                continue;
            }
            // Taken once it looked the same for a whole settle period.
            if seen.get(&f) != Some(&now) {
                seen.insert(f.clone(), now);
                waiting = true;
                continue;
            }
            seen.remove(&f);
            match deliver(folders, &f, options, hook) {
                Ok(d) => report(Event::Delivered(Box::new(d))),
                Err(error) => {
                    failed.insert(f.clone(), now);
                    report(Event::Failed { source: f, error });
                }
            }
        }
        let wait = if waiting { settle } else { RESCAN };
        match wake.recv_timeout(wait) {
            Ok(()) => {
                // Drain a burst of events; the settle period starts now.
                while wake.try_recv().is_ok() {}
                if waiting {
                    std::thread::sleep(settle);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            // No watcher any more: keep polling.
            Err(RecvTimeoutError::Disconnected) => std::thread::sleep(wait),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Verdict;

    fn corpus(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/corpus")
            .join(name)
    }

    fn folders(root: &Path) -> Folders {
        let f = Folders {
            inbox: root.join("in"),
            accepted: root.join("ok"),
            needs_person: root.join("person"),
        };
        std::fs::create_dir_all(&f.inbox).unwrap();
        f.prepare().unwrap();
        f
    }

    #[test]
    fn a_delivery_never_overwrites_and_a_stopped_one_is_finished_once() {
        let dir = tempfile::tempdir().unwrap();
        let f = folders(dir.path());
        // A file of that name is already in the destination, and the
        // record's name of the second slot is taken too.
        std::fs::write(f.needs_person.join("q.pdf"), b"earlier").unwrap();
        std::fs::write(f.needs_person.join("q-2.json"), b"someone's notes").unwrap();
        let src = f.inbox.join("q.pdf");
        std::fs::copy(corpus("unsigned-query-result.pdf"), &src).unwrap();
        let mut hooked = 0;
        let d = deliver(&f, &src, &Options::default(), &mut |_| hooked += 1).unwrap();
        assert_eq!(hooked, 1);
        assert_eq!(d.record.verdict, Verdict::Unsigned);
        assert!(!d.attention.is_empty());
        assert_eq!(d.pdf, f.needs_person.join("q-3.pdf"));
        assert_eq!(d.json, f.needs_person.join("q-3.json"));
        assert!(!src.exists());
        assert_eq!(
            std::fs::read(f.needs_person.join("q.pdf")).unwrap(),
            b"earlier"
        );
        assert_eq!(
            std::fs::read(f.needs_person.join("q-2.json")).unwrap(),
            b"someone's notes"
        );
        assert!(!f.needs_person.join("q-2.pdf").exists());
        let json: Record = serde_json::from_slice(&std::fs::read(&d.json).unwrap()).unwrap();
        assert_eq!(json.sha256, d.record.sha256);

        // Stopped after delivering, before removing the inbox file: the
        // next run recognises it and only removes the inbox copy.
        std::fs::copy(corpus("unsigned-query-result.pdf"), &src).unwrap();
        let again = deliver(&f, &src, &Options::default(), &mut |_| hooked += 1).unwrap();
        assert!(again.already_delivered);
        assert_eq!(again.pdf, d.pdf);
        assert_eq!(hooked, 1, "not checked and recorded twice");
        assert!(!src.exists());
        let hidden: Vec<_> = std::fs::read_dir(&f.needs_person)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(hidden.is_empty(), "temporary files left: {hidden:?}");
    }

    #[test]
    fn only_settled_visible_pdfs_are_taken() {
        let dir = tempfile::tempdir().unwrap();
        let f = folders(dir.path());
        std::fs::write(f.inbox.join(".part.pdf"), b"x").unwrap();
        std::fs::write(f.inbox.join("notes.txt"), b"x").unwrap();
        std::fs::write(f.inbox.join("b.PDF"), b"x").unwrap();
        std::fs::write(f.inbox.join("a.pdf"), b"x").unwrap();
        let (files, refused) = pending(&f.inbox);
        assert_eq!(files, vec![f.inbox.join("a.pdf"), f.inbox.join("b.PDF")]);
        assert!(refused.is_empty());
        let bad = Folders {
            accepted: f.inbox.clone(),
            ..f.clone()
        };
        assert!(bad.prepare().is_err());
    }
}
