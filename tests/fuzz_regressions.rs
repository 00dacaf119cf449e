//! Every input the fuzz campaign found a crash, hang or memory blow-up
//! with (tests/data/fuzz/, see its README.md) is fed back through every
//! reader the fuzz targets reach: each must return without a panic, within
//! a bound, and none may come out authentic or trusted.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use certcheck::signature::{cms, timestamp, CheckContext};
use certcheck::text::cmap::CMap;
use certcheck::text::content::Lexer;
use certcheck::trust::TrustStore;
use certcheck::{Options, Verdict};

/// Generous for a debug build on a loaded 2-core machine; a regression to
/// the hang is many times longer.
const BOUND: Duration = Duration::from_secs(60);

fn inputs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/data/fuzz exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            p.is_file() && name != "README.md" && name != "manifest.json"
        })
        .collect();
    files.sort();
    files
}

/// Runs every reader on `data`; panics (in the worker) if any says
/// authentic or trusted.
fn check_all(name: &str, data: &[u8]) {
    let record = certcheck::verify(data, name, &Options::default());
    assert_ne!(record.verdict, Verdict::Authentic, "{name}: verify");

    let trust = TrustStore::empty();
    let ctx = CheckContext {
        trust: &trust,
        document_dates: Vec::new(),
        claimed_m: None,
        doc_timestamp: None,
        now: time::OffsetDateTime::UNIX_EPOCH,
    };
    let signed: [&[u8]; 2] = [b"%PDF-1.7 signed", b"%%EOF"];
    let vc = cms::check(data, &signed, &ctx);
    assert!(vc.trusted_issuer.is_none(), "{name}: cms::check");
    assert!(
        !timestamp::check_token(data, &signed, &trust).trusted(),
        "{name}: timestamp"
    );
    if let Ok(report) = certcheck::seal::inspect(data, &trust) {
        let _ = report.render_human();
    }

    let mut lexer = Lexer::new(data);
    let mut ops = 0usize;
    while lexer.next_op().is_some() {
        ops += 1;
        assert!(
            ops <= data.len() + 1,
            "{name}: content lexer did not advance"
        );
    }
    let _ = CMap::parse_limited(data, 10_000).entries();
}

#[test]
fn every_fuzz_finding_fails_closed_without_a_panic_within_a_bound() {
    let files = inputs();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let data = std::fs::read(path).unwrap();
        let (tx, rx) = mpsc::channel();
        let worker_name = name.clone();
        let worker = std::thread::spawn(move || {
            check_all(&worker_name, &data);
            let _ = tx.send(());
        });
        match rx.recv_timeout(BOUND) {
            Ok(()) => worker.join().unwrap(),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("{name}: not done within {BOUND:?}")
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let err = worker.join().unwrap_err();
                std::panic::resume_unwind(err)
            }
        }
    }
    eprintln!("{} fuzz regression inputs checked", files.len());
}
