//! An XMP decompression bomb (tests/data/xmp-bomb, built by make.py there
//! with python zlib and pyHanko, never with certcheck) is refused by the
//! bounded stream decoder: no date is read from it, and reading it never
//! allocates anything near its inflated size. The control file's XMP date
//! is read, so the refusal is the limit's doing, not a reader that never
//! looks.
//!
//! A counting allocator measures the peak of live heap bytes during each
//! call; this file has a single test so that no other test's allocations
//! are counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use certcheck::trust::signing_time::document_dates;
use certcheck::trust::TrustStore;
use certcheck::Options;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only
// counters are kept beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            let now = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(now, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What `f` returns, and the most heap it held at once above what was
/// live when it started.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

const MIB: usize = 1024 * 1024;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/xmp-bomb")
}

fn dates_of(bytes: &[u8]) -> Vec<String> {
    let file = certcheck::pdf::PdfFile::parse(bytes, None).expect("the file parses");
    document_dates(&file.doc)
        .iter()
        .map(|t| t.to_offset(time::UtcOffset::UTC).to_string())
        .collect()
}

#[test]
fn an_xmp_bomb_is_refused_without_a_large_allocation() {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir().join("manifest.json")).expect("manifest"))
            .expect("manifest is JSON");
    let options = Options {
        trust: TrustStore::load(&[dir().join("trust")], false).expect("trust folder loads"),
        ..Options::default()
    };
    let files = manifest["files"].as_array().expect("files");
    assert_eq!(files.len(), 3);
    for entry in files {
        let name = entry["file"].as_str().expect("file name");
        let bytes = std::fs::read(dir().join(name)).expect("file reads");
        let inflated = entry["xmp_decoded_bytes"].as_u64().expect("size") as usize;
        let is_bomb = inflated > 64 * MIB;

        let (dates, peak) = peak_during(|| dates_of(&bytes));
        let want: Vec<String> = entry["document_dates"]
            .as_array()
            .expect("dates")
            .iter()
            .map(|d| {
                time::OffsetDateTime::parse(
                    d.as_str().expect("date"),
                    &time::format_description::well_known::Rfc3339,
                )
                .expect("RFC 3339")
                .to_offset(time::UtcOffset::UTC)
                .to_string()
            })
            .collect();
        assert_eq!(dates, want, "{name}");
        if is_bomb {
            // The XMP cap is 4 MiB; the whole reading of a half-megabyte
            // file stays far below the bomb's 512 MiB.
            assert!(peak < 16 * MIB, "{name}: {peak} bytes at once");
        }

        let (record, peak) = peak_during(|| certcheck::verify(&bytes, name, &options));
        assert_eq!(
            record.verdict.as_str(),
            entry["verdict"].as_str().expect("verdict"),
            "{name}: {:?}",
            record.reasons
        );
        if is_bomb {
            assert!(peak < 96 * MIB, "{name}: verify held {peak} bytes at once");
        }
        eprintln!("{name}: verify peak {} KiB", peak / 1024);
    }
}
