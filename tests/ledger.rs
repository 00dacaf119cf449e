//! The ledger's test suite, run against both engines: every test is one
//! generic function over a [`Place`], instantiated by `both!` once for an
//! SQLite file and once for a real PostgreSQL server (each test in a schema
//! of its own). The PostgreSQL server is `$CERTCHECK_TEST_PG_URL` (.ci/run
//! starts one); without it the PostgreSQL half says so plainly —
//! "SKIPPED: CERTCHECK_TEST_PG_URL not set" — and, under CI, fails.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Barrier};

use certcheck::ledger::{
    HashKey, HistoryOf, Ledger, LedgerConfig, LedgerError, Location, Privacy, Stamp,
};
use certcheck::online::Confirmation;
use certcheck::report::{Code, Fields, Record};
use certcheck::trust::TrustStore;
use certcheck::Verdict;

const PG_ENV: &str = "CERTCHECK_TEST_PG_URL";

/// Where one test's ledger lives.
struct Place {
    location: Location,
    /// The temp dir (SQLite files, and the CLI's config and data dirs).
    dir: tempfile::TempDir,
    /// PostgreSQL: the server URL and the test's schema.
    pg: Option<(String, String)>,
}

impl Place {
    fn sqlite(_name: &str) -> Option<Place> {
        let dir = tempfile::tempdir().unwrap();
        Some(Place {
            location: Location::Sqlite(dir.path().join("ledger.sqlite3")),
            dir,
            pg: None,
        })
    }

    fn postgres(name: &str) -> Option<Place> {
        let Some(url) = std::env::var(PG_ENV).ok().filter(|u| !u.is_empty()) else {
            println!("SKIPPED: {PG_ENV} not set");
            eprintln!("SKIPPED: {PG_ENV} not set ({name} against PostgreSQL)");
            if std::env::var_os("CI").is_some() {
                panic!("{PG_ENV} must be set under CI");
            }
            return None;
        };
        // Within PostgreSQL's 63-byte identifiers (pg_dump matches the
        // name as given, not truncated).
        let schema = format!("t_{}_{}", &name[..name.len().min(40)], std::process::id());
        let mut c = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        c.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"
        ))
        .unwrap();
        let sep = if url.contains('?') { '&' } else { '?' };
        let with_schema = format!("{url}{sep}options=-c%20search_path%3D{schema}");
        Some(Place {
            location: Location::Postgres(with_schema),
            dir: tempfile::tempdir().unwrap(),
            pg: Some((url, schema)),
        })
    }

    fn config(&self) -> LedgerConfig {
        LedgerConfig::new(self.location.clone(), Privacy::Clear)
    }

    fn hashed(&self, key: &[u8]) -> LedgerConfig {
        LedgerConfig::new(
            self.location.clone(),
            Privacy::Hashed(HashKey::new(key).unwrap()),
        )
    }

    fn open(&self) -> Ledger {
        Ledger::open(self.config()).unwrap()
    }

    fn open_at_desk(&self, desk: &str, operator: &str) -> Ledger {
        let mut l = self.open();
        l.set_stamp(Stamp::new(
            Some(operator),
            Some(desk),
            &TrustStore::default(),
        ));
        l
    }

    /// What the ledger's storage holds, as text: a pg_dump of the schema,
    /// or every byte of the SQLite files.
    fn dump(&self) -> String {
        match &self.pg {
            Some((url, schema)) => {
                let out = Command::new(pg_tool("pg_dump"))
                    .args(["--schema", schema, "--no-owner", "--inserts", "-d", url])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                String::from_utf8(out.stdout).unwrap()
            }
            None => {
                let mut all = Vec::new();
                for e in std::fs::read_dir(self.dir.path()).unwrap() {
                    let p = e.unwrap().path();
                    if p.is_file() {
                        all.extend(std::fs::read(&p).unwrap());
                    }
                }
                String::from_utf8_lossy(&all).into_owned()
            }
        }
    }

    /// Runs one SQL statement on the ledger's storage, beside certcheck.
    fn raw_execute(&self, sql: &str) -> Result<(), String> {
        match (&self.location, &self.pg) {
            (Location::Postgres(url), Some(_)) => {
                let mut c = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
                c.batch_execute(sql).map_err(|e| {
                    e.as_db_error()
                        .map(|d| d.message().to_string())
                        .unwrap_or_else(|| e.to_string())
                })
            }
            (Location::Sqlite(p), _) => {
                let c = rusqlite::Connection::open(p).unwrap();
                c.execute_batch(sql).map_err(|e| e.to_string())
            }
            _ => unreachable!(),
        }
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.pg {
            if let Ok(mut c) = ::postgres::Client::connect(url, ::postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// A PostgreSQL client program: on PATH, else in Debian's versioned dir.
fn pg_tool(name: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs.into_iter()
        .rev()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// Each test, once per engine.
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { if let Some(p) = super::Place::sqlite(stringify!($name)) { super::$name(&p) } })*
        }
        mod postgres {
            $(#[test] fn $name() { if let Some(p) = super::Place::postgres(stringify!($name)) { super::$name(&p) } })*
        }
    };
}

both!(
    a_reused_management_number_is_caught_across_runs,
    the_same_file_with_other_fields_and_compare_only,
    records_without_fields_are_recorded_without_conflicts,
    eight_concurrent_writers_over_the_same_numbers_lose_nothing,
    entries_are_append_only_and_confirmations_refer_to_them,
    history_across_desks,
    hashed_mode_stores_no_clear_text_and_still_finds_conflicts,
    purge_removes_old_entries,
    import_from_sqlite_keeps_every_entry,
    two_cli_runs_from_different_folders_see_each_other,
    a_later_check_of_a_management_number_gets_its_earlier_online_answers,
    a_correction_is_a_new_entry_referring_to_the_old_one,
);

fn record(path: &str, sha: &str, mn: &str, name: &str, idn: &str) -> Record {
    let mut r = Record::malformed(path, String::new(), Vec::new());
    r.error = None;
    r.verdict = Verdict::Unsigned;
    r.sha256 = Some(sha.to_string());
    r.fields = Some(Fields {
        management_number: Some(mn.to_string()),
        name: Some(name.to_string()),
        id_number: Some(idn.to_string()),
        ..Fields::default()
    });
    r
}

fn kinds(r: &Record) -> Vec<String> {
    r.ledger
        .as_ref()
        .unwrap()
        .conflicts
        .iter()
        .map(|c| c.kind.clone())
        .collect()
}

fn a_reused_management_number_is_caught_across_runs(p: &Place) {
    {
        let mut l = p.open();
        let mut a = record(
            "a.pdf",
            "aa",
            "2023K1101000417",
            "张伟",
            "110199199003071212",
        );
        l.check_and_record(&mut a, true).unwrap();
        assert_eq!(a.ledger.as_ref().unwrap().id, 1);
        assert!(kinds(&a).is_empty());
        // The same holder again is no conflict.
        let mut again = record(
            "a2.pdf",
            "aa",
            "2023K1101000417",
            "张 伟",
            "110199199003071212",
        );
        l.check_and_record(&mut again, true).unwrap();
        assert!(kinds(&again).is_empty(), "{:?}", again.ledger);
    }
    // A second run (a new connection) sees the first.
    let mut l = p.open_at_desk("desk-2", "李娜");
    let mut b = record(
        "b.pdf",
        "bb",
        "２０２３K1101000417",
        "程国华",
        "110199199003071212",
    );
    l.check_and_record(&mut b, true).unwrap();
    let info = b.ledger.clone().unwrap();
    assert_eq!(info.id, 3);
    assert_eq!(
        kinds(&b),
        vec!["management_number_other_holder", "id_number_other_name"]
    );
    let first = &info.conflicts[0];
    assert_eq!(first.value, "２０２３K1101000417");
    assert_eq!(first.earlier.id, 1);
    assert_eq!(first.earlier.name.as_deref(), Some("张伟"));
    assert_eq!(first.earlier.path, "a.pdf");
    assert!(b.has_reason(Code::LedgerConflict));
    assert!(b
        .reasons
        .iter()
        .any(|r| r.message.contains("管理号") && r.message.contains("张伟")));
    // Who checked is on every entry.
    let e = l.get(3).unwrap();
    assert_eq!(e.desk.as_deref(), Some("desk-2"));
    assert_eq!(e.operator.as_deref(), Some("李娜"));
    assert_eq!(
        e.certcheck_version.as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert!(e
        .trust_fingerprint
        .as_deref()
        .unwrap()
        .starts_with("sha256:"));
    assert_eq!(l.schema_version().unwrap(), 3);
}

fn the_same_file_with_other_fields_and_compare_only(p: &Place) {
    let mut l = p.open();
    let mut a = record("a.pdf", "cafe", "M0001", "张伟", "1");
    l.check_and_record(&mut a, true).unwrap();
    let mut b = record("b.pdf", "cafe", "M0002", "李娜", "2");
    l.check_and_record(&mut b, false).unwrap();
    assert_eq!(kinds(&b), vec!["same_file_other_holder"]);
    assert_eq!(b.ledger.as_ref().unwrap().id, 0);
    // Compare-only wrote nothing.
    assert_eq!(l.count().unwrap(), 1);
    // Another number and ID with a different name: no conflict at all.
    let mut c = record("c.pdf", "beef", "M0003", "李娜", "3");
    l.check_and_record(&mut c, true).unwrap();
    assert!(kinds(&c).is_empty());
}

fn records_without_fields_are_recorded_without_conflicts(p: &Place) {
    let mut l = p.open();
    let mut m = Record::malformed("bad.pdf", "not a PDF".into(), Vec::new());
    l.check_and_record(&mut m, true).unwrap();
    let mut m2 = Record::malformed("bad2.pdf", "not a PDF".into(), Vec::new());
    l.check_and_record(&mut m2, true).unwrap();
    assert!(kinds(&m2).is_empty());
    let e = l.get(2).unwrap();
    assert_eq!(e.verdict, "malformed");
    assert_eq!(e.path, "bad2.pdf");
    assert_eq!(e.record.as_ref().unwrap()["error"], "not a PDF");
    assert!(matches!(l.get(99), Err(LedgerError::NotFound(99))));
}

/// 8 desks at once, each with its own holder, over the same two 管理号.
/// Each check must see exactly the other holders recorded before it (by
/// id, which is commit order for checks sharing a key): none missed (a
/// lost update), no row twice.
fn eight_concurrent_writers_over_the_same_numbers_lose_nothing(p: &Place) {
    const WRITERS: usize = 8;
    const EACH: usize = 12;
    p.open(); // the schema, once
    let start = Arc::new(Barrier::new(WRITERS));
    let threads: Vec<_> = (0..WRITERS)
        .map(|t| {
            let config = p.config();
            let start = start.clone();
            std::thread::spawn(move || {
                let mut l = Ledger::open(config).unwrap();
                l.set_stamp(Stamp::new(
                    Some(&format!("op{t}")),
                    Some(&format!("desk{t}")),
                    &TrustStore::default(),
                ));
                start.wait();
                let mut seen = Vec::new();
                for i in 0..EACH {
                    let mn = if i % 2 == 0 {
                        "2023K0000000001"
                    } else {
                        "2023K0000000002"
                    };
                    let mut r = record(
                        &format!("t{t}-{i}.pdf"),
                        &format!("sha-{t}-{i}"),
                        mn,
                        &format!("持证人{t}"),
                        &format!("ID{t}"),
                    );
                    l.check_and_record(&mut r, true).unwrap();
                    seen.push(r.ledger.unwrap());
                }
                seen
            })
        })
        .collect();
    let results: Vec<_> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let l = p.open();
    assert_eq!(l.count().unwrap(), (WRITERS * EACH) as i64);
    let entries = l.list(10_000).unwrap();
    let mut ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), WRITERS * EACH, "a duplicate or missing row");
    // Replay in id order: what each check should have seen.
    let mut by_id: Vec<_> = entries.clone();
    by_id.sort_by_key(|e| e.id);
    let mut conflicting_pairs = 0;
    for info in &results {
        let me = by_id.iter().find(|e| e.id == info.id).unwrap();
        let mut expected: Vec<i64> = Vec::new();
        let mut holders: Vec<&str> = Vec::new();
        for e in by_id.iter().take_while(|e| e.id < me.id) {
            let name = e.name.as_deref().unwrap();
            if e.management_number == me.management_number
                && name != me.name.as_deref().unwrap()
                && !holders.contains(&name)
            {
                holders.push(name);
                expected.push(e.id);
            }
        }
        let got: Vec<i64> = info
            .conflicts
            .iter()
            .filter(|c| c.kind == "management_number_other_holder")
            .map(|c| c.earlier.id)
            .collect();
        assert_eq!(
            got, expected,
            "check #{} saw the wrong earlier holders",
            me.id
        );
        conflicting_pairs += got.len();
    }
    assert!(conflicting_pairs > 0);
    // Each desk's history shows the others' checks of the same number.
    let h = l
        .history(&HistoryOf::ManagementNumber("2023K0000000001".into()))
        .unwrap();
    assert_eq!(h.len(), WRITERS * EACH / 2);
    let mut desks: Vec<_> = h.iter().filter_map(|e| e.desk.clone()).collect();
    desks.sort();
    desks.dedup();
    assert_eq!(desks.len(), WRITERS);
}

fn entries_are_append_only_and_confirmations_refer_to_them(p: &Place) {
    let mut l = p.open();
    let mut a = record("a,1.pdf", "aa", "M0001", "张伟", "1");
    l.check_and_record(&mut a, true).unwrap();
    let mut b = record("b.pdf", "bb", "M0001", "李娜", "2");
    l.check_and_record(&mut b, true).unwrap();
    l.record_confirmation(2, Confirmation::NotFound).unwrap();
    // A later answer is another entry; the latest is the one shown.
    l.record_confirmation(2, Confirmation::Revoked).unwrap();
    assert!(matches!(
        l.record_confirmation(7, Confirmation::Valid),
        Err(LedgerError::NotFound(7))
    ));
    assert_eq!(l.get(2).unwrap().confirmation.as_deref(), Some("revoked"));
    assert_eq!(l.get(1).unwrap().confirmation, None);
    // The storage itself refuses to change an entry.
    let refused = p.raw_execute("UPDATE checks SET verdict = 'authentic' WHERE id = 1");
    assert!(
        refused.as_ref().is_err_and(|e| e.contains("append-only")),
        "{refused:?}"
    );
    let refused = p.raw_execute("UPDATE confirmations SET answer = 'valid'");
    assert!(refused.is_err());
    assert_eq!(l.get(1).unwrap().verdict, "unsigned");

    let mut out = Vec::new();
    l.export(certcheck::ledger::ExportFormat::Csv, &mut out)
        .unwrap();
    let mut rd = csv::Reader::from_reader(out.as_slice());
    assert_eq!(
        rd.headers().unwrap().iter().collect::<Vec<_>>(),
        certcheck::ledger::EXPORT_HEADER
    );
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][2], "a,1.pdf");
    assert_eq!(&rows[1][7], "李娜");
    assert_eq!(&rows[1][9], "management_number_other_holder");
    assert_eq!(&rows[1][10], "revoked");

    let mut out = Vec::new();
    l.export(certcheck::ledger::ExportFormat::Jsonl, &mut out)
        .unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["conflicts"][0]["earlier"]["name"], "张伟");
    assert_eq!(lines[1]["confirmation"], "revoked");
    assert!(lines[0].get("record").is_none());
}

fn history_across_desks(p: &Place) {
    let mut north = p.open_at_desk("北京-1", "王芳");
    let mut south = p.open_at_desk("广州-2", "陈明");
    let mut a = record("/n/a.pdf", "f00d", "M7", "张伟", "110101199003071234");
    north.check_and_record(&mut a, true).unwrap();
    let mut b = record("/s/b.pdf", "f00d", "M7", "程国华", "110101199003071234");
    south.check_and_record(&mut b, true).unwrap();
    // The second desk is told where and by whom the first check was made.
    let c = &b.ledger.as_ref().unwrap().conflicts[0];
    assert_eq!(c.earlier.desk.as_deref(), Some("北京-1"));
    assert_eq!(c.earlier.operator.as_deref(), Some("王芳"));
    assert!(b.reasons.iter().any(|r| r.message.contains("北京-1")));
    let mut other = record("/s/c.pdf", "0ther", "M8", "李娜", "2");
    south.check_and_record(&mut other, true).unwrap();

    let desks = |h: Vec<certcheck::ledger::Entry>| -> Vec<(i64, String)> {
        h.into_iter().map(|e| (e.id, e.desk.unwrap())).collect()
    };
    let both = vec![(1, "北京-1".to_string()), (2, "广州-2".to_string())];
    assert_eq!(
        desks(
            north
                .history(&HistoryOf::File {
                    sha256: Some("f00d".into()),
                    path: "elsewhere.pdf".into()
                })
                .unwrap()
        ),
        both
    );
    assert_eq!(
        desks(
            north
                .history(&HistoryOf::ManagementNumber(" m7 ".into()))
                .unwrap()
        ),
        both
    );
    assert_eq!(
        desks(
            south
                .history(&HistoryOf::IdNumber("110101199003071234".into()))
                .unwrap()
        ),
        both
    );
    assert_eq!(
        north
            .history(&HistoryOf::File {
                sha256: None,
                path: "/s/c.pdf".into()
            })
            .unwrap()
            .len(),
        1
    );
}

fn hashed_mode_stores_no_clear_text_and_still_finds_conflicts(p: &Place) {
    let key = b"a desk key of sufficient length";
    let idn = "110101199003071234";
    let mut l = Ledger::open(p.hashed(key)).unwrap();
    assert!(l.is_hashed());
    let mut a = record(&format!("/in/{idn}-张伟.pdf"), "h1", "M9", "张伟", idn);
    l.check_and_record(&mut a, true).unwrap();
    let mut b = record("/in/b.pdf", "h2", "M9", "程国华", idn);
    l.check_and_record(&mut b, true).unwrap();
    assert_eq!(
        kinds(&b),
        vec!["management_number_other_holder", "id_number_other_name"]
    );
    // The earlier holder is not in the ledger to show.
    assert_eq!(b.ledger.as_ref().unwrap().conflicts[0].earlier.name, None);
    l.record_confirmation(2, Confirmation::Valid).unwrap();
    // Found by ID number with the key.
    assert_eq!(
        l.history(&HistoryOf::IdNumber(idn.into())).unwrap().len(),
        2
    );
    drop(l);

    let dump = p.dump();
    assert!(dump.contains("hmac-sha256:"), "the dump has no hashes");
    assert!(dump.contains("M9"));
    for clear in [idn, "张伟", "程国华"] {
        assert!(
            !dump.contains(clear),
            "{clear} is in the dump in clear text"
        );
    }
    // A wrong key, or no key, is refused rather than matching nothing.
    let wrong = Ledger::open(p.hashed(b"another key, also long enough"));
    assert!(
        matches!(wrong, Err(LedgerError::Open { .. })),
        "wrong key opened"
    );
    assert!(Ledger::open(p.config()).is_err(), "opened in clear mode");
    // Reading without the key: the entries, hashed.
    let r = Ledger::open_existing(p.config()).unwrap();
    assert_eq!(r.count().unwrap(), 2);
    assert!(r.history(&HistoryOf::IdNumber(idn.into())).is_err());
    assert_eq!(r.get(1).unwrap().name, None);
}

fn purge_removes_old_entries(p: &Place) {
    let mut l = p.open();
    for i in 0..3 {
        let mut r = record(&format!("{i}.pdf"), &format!("s{i}"), "M1", "张伟", "1");
        l.check_and_record(&mut r, true).unwrap();
    }
    l.record_confirmation(1, Confirmation::Valid).unwrap();
    assert_eq!(l.purge("2000-01-01").unwrap(), 0);
    assert_eq!(l.count().unwrap(), 3);
    assert!(l.purge("yesterday").is_err());
    assert_eq!(l.purge("2999-12-31").unwrap(), 3);
    assert_eq!(l.count().unwrap(), 0);
    assert!(l.checksum().unwrap().confirmations == 0);
    let dump = p.dump();
    if p.pg.is_some() {
        assert!(!dump.contains("张伟"));
    }
}

fn import_from_sqlite_keeps_every_entry(p: &Place) {
    let src_dir = tempfile::tempdir().unwrap();
    let src_path = src_dir.path().join("desk.sqlite3");
    let mut src = Ledger::open(src_path.as_path()).unwrap();
    for i in 0..40 {
        let mut r = record(
            &format!("c{i}.pdf"),
            &format!("s{}", i % 7),
            &format!("M{}", i % 5),
            if i % 3 == 0 { "张伟" } else { "李娜" },
            &format!("{}", i % 4),
        );
        src.check_and_record(&mut r, true).unwrap();
    }
    src.record_confirmation(3, Confirmation::Revoked).unwrap();
    src.record_confirmation(9, Confirmation::Valid).unwrap();
    src.correct(
        9,
        "the clerk pressed the wrong button",
        None,
        Some(Confirmation::NotFound),
    )
    .unwrap();
    let mut m = Record::malformed("bad.pdf", "not a PDF".into(), Vec::new());
    src.check_and_record(&mut m, true).unwrap();
    let before = src.checksum().unwrap();
    assert_eq!(before.checks, 41);
    assert_eq!(before.corrections, 1);

    let target = Ledger::open_import_target(p.config()).unwrap();
    let report = target.import_from(&src).unwrap();
    assert_eq!(report, before);
    assert_eq!(target.checksum().unwrap(), before);
    let (a, b) = (src.list(1000).unwrap(), target.list(1000).unwrap());
    assert_eq!(a, b);
    assert_eq!(
        target.get(3).unwrap().confirmation.as_deref(),
        Some("revoked")
    );
    assert_eq!(target.get(9).unwrap(), src.get(9).unwrap());
    assert_eq!(target.get(9).unwrap().corrections.len(), 1);
    // A second import into a ledger that holds checks is refused.
    assert!(matches!(
        target.import_from(&src),
        Err(LedgerError::NotEmpty(41))
    ));
    drop(target);
    // New checks go on after the imported ids, and see the imported ones.
    let mut l = p.open();
    let mut r = record("new.pdf", "new", "M1", "程国华", "99");
    l.check_and_record(&mut r, true).unwrap();
    assert_eq!(r.ledger.as_ref().unwrap().id, 42);
    assert!(kinds(&r).contains(&"management_number_other_holder".to_string()));
}

/// SPEC "Done when": two `certcheck verify --ledger …` runs from different
/// working folders, with different operators, see each other's conflicts.
fn two_cli_runs_from_different_folders_see_each_other(p: &Place) {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let ledger = match &p.location {
        Location::Sqlite(path) => path.display().to_string(),
        Location::Postgres(url) => url.clone(),
    };
    let run = |folder: &str, operator: &str, file: &str| {
        let cwd = p.dir.path().join(folder);
        std::fs::create_dir_all(&cwd).unwrap();
        std::fs::copy(corpus.join(file), cwd.join(file)).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_certcheck"))
            .current_dir(&cwd)
            .env("CERTCHECK_CONFIG_DIR", p.dir.path().join("config"))
            .env("CERTCHECK_DATA_DIR", p.dir.path().join("data"))
            .env("CERTCHECK_DESK", folder)
            .args(["verify", "--no-default-trust", "--format", "jsonl"])
            .args(["--operator", operator, file, "--ledger", &ledger])
            .output()
            .unwrap();
        assert!(
            out.status.code().is_some_and(|c| c != 2 && c != 4),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8(out.stdout).unwrap();
        serde_json::from_str::<serde_json::Value>(line.lines().next().unwrap()).unwrap()
    };
    let a = run("desk-a", "王芳", "unsigned-query-result.pdf");
    let b = run("desk-b", "陈明", "altered-incremental-content.pdf");
    assert_eq!(a["ledger"]["id"], 1);
    assert_eq!(b["ledger"]["id"], 2);
    let read = |r: &serde_json::Value, f: &str| r["fields"][f].as_str().map(String::from);
    assert!(read(&a, "name").is_some() && read(&b, "name").is_some());
    assert_eq!(read(&a, "management_number"), read(&b, "management_number"));
    let c = &b["ledger"]["conflicts"][0];
    assert_eq!(c["kind"], "management_number_other_holder");
    assert_eq!(c["earlier"]["id"], 1);
    assert_eq!(c["earlier"]["desk"], "desk-a");
    assert_eq!(c["earlier"]["operator"], "王芳");
    // And the first desk, asking the ledger, sees the second's check.
    let mn = read(&a, "management_number").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_certcheck"))
        .current_dir(p.dir.path().join("desk-a"))
        .env("CERTCHECK_CONFIG_DIR", p.dir.path().join("config"))
        .env("CERTCHECK_DATA_DIR", p.dir.path().join("data"))
        .args([
            "ledger",
            "--ledger",
            &ledger,
            "show",
            "--management-number",
            &mn,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let h: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(h.len(), 2);
    assert_eq!(h[1]["operator"], "陈明");
    assert_eq!(h[1]["desk"], "desk-b");
    assert_eq!(h[1]["conflicts"][0]["earlier"]["operator"], "王芳");
}

/// Only SQLite: a ledger file made before the migrations existed (the
/// first schema, a confirmation in place) is taken up as it is.
#[test]
fn a_ledger_from_before_migrations_is_migrated_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE checks (id INTEGER PRIMARY KEY AUTOINCREMENT, checked_at TEXT NOT NULL,
                path TEXT NOT NULL, sha256 TEXT, size INTEGER, verdict TEXT NOT NULL,
                reasons TEXT NOT NULL, fields TEXT, management_number TEXT, name TEXT,
                id_number TEXT, mn_key TEXT, name_key TEXT, id_key TEXT, conflicts TEXT NOT NULL,
                record TEXT NOT NULL, confirmation TEXT, confirmed_at TEXT);
             INSERT INTO checks (checked_at, path, verdict, reasons, management_number, name,
                mn_key, name_key, conflicts, record, confirmation, confirmed_at)
             VALUES ('2025-05-01T00:00:00Z', 'old.pdf', 'unsigned', '[]', 'M1', '张伟', 'M1',
                '张伟', '[]', '{}', 'valid', '2025-05-02T00:00:00Z');",
        )
        .unwrap();
    }
    let mut l = Ledger::open(path.as_path()).unwrap();
    assert_eq!(l.schema_version().unwrap(), 3);
    let e = l.get(1).unwrap();
    assert_eq!(e.confirmation.as_deref(), Some("valid"));
    assert_eq!(e.operator, None);
    // An old ledger holds clear text: it cannot be switched to hashed.
    let hashed = LedgerConfig::new(
        Location::Sqlite(path.clone()),
        Privacy::Hashed(HashKey::new(b"0123456789abcdef").unwrap()),
    );
    assert!(Ledger::open(hashed).is_err());
    let mut r = record("new.pdf", "x", "M1", "李娜", "5");
    l.check_and_record(&mut r, true).unwrap();
    assert_eq!(kinds(&r), vec!["management_number_other_holder"]);
}

/// Only SQLite: reading never creates a ledger, and a file that is not one
/// is refused, not overwritten.
#[test]
fn reading_refuses_missing_or_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let none = dir.path().join("none.db");
    assert!(Ledger::open_existing(none.as_path()).is_err());
    assert!(!none.exists());
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"%PDF-1.7 not a database at all, just some bytes").unwrap();
    assert!(Ledger::open_existing(junk.as_path()).is_err());
    assert!(Ledger::open(junk.as_path()).is_err());
    assert_eq!(
        std::fs::read(&junk).unwrap(),
        b"%PDF-1.7 not a database at all, just some bytes"
    );
}

fn a_later_check_of_a_management_number_gets_its_earlier_online_answers(p: &Place) {
    let mut north = p.open_at_desk("北京-1", "王芳");
    let mut south = p.open_at_desk("广州-2", "陈明");
    let mut a = record("a.pdf", "aa", "M0007", "张伟", "1");
    north.check_and_record(&mut a, true).unwrap();
    assert!(a.ledger.as_ref().unwrap().earlier_answers.is_empty());
    north.record_confirmation(1, Confirmation::Revoked).unwrap();
    let mut other = record("o.pdf", "oo", "M0008", "李娜", "2");
    south.check_and_record(&mut other, true).unwrap();
    south.record_confirmation(2, Confirmation::Valid).unwrap();
    // The same 管理号, written another way, at the other desk.
    let mut b = record("b.pdf", "bb", "m 0007", "张伟", "1");
    south.check_and_record(&mut b, true).unwrap();
    let answers = &b.ledger.as_ref().unwrap().earlier_answers;
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0].check_id, 1);
    assert_eq!(answers[0].answer, "revoked");
    assert_eq!(answers[0].operator.as_deref(), Some("王芳"));
    assert_eq!(answers[0].desk.as_deref(), Some("北京-1"));
    assert!(answers[0].confirmed_at.ends_with('Z'));
    // Compare-only sees them too.
    let mut c = record("c.pdf", "cc", "M0007", "张伟", "1");
    north.check_and_record(&mut c, false).unwrap();
    assert_eq!(c.ledger.as_ref().unwrap().earlier_answers.len(), 1);
}

fn a_correction_is_a_new_entry_referring_to_the_old_one(p: &Place) {
    let mut north = p.open_at_desk("北京-1", "王芳");
    let mut a = record("a.pdf", "aa", "M0009", "张伟", "1");
    north.check_and_record(&mut a, true).unwrap();
    north.record_confirmation(1, Confirmation::Valid).unwrap();
    let before = north.get(1).unwrap();
    assert!(before.corrections.is_empty());

    let mut south = p.open_at_desk("广州-2", "陈明");
    let first = south
        .correct(
            1,
            "the official page said 已撤销; recorded wrongly",
            None,
            Some(Confirmation::Revoked),
        )
        .unwrap();
    let second = north
        .correct(
            1,
            "a person compared the seal by hand",
            Some("untrusted"),
            None,
        )
        .unwrap();
    assert!(second > first);
    let after = north.get(1).unwrap();
    // The check itself is as it was; the chain follows, oldest first.
    assert_eq!(after.verdict, before.verdict);
    assert_eq!(after.path, before.path);
    assert_eq!(after.record, before.record);
    assert_eq!(after.confirmation.as_deref(), Some("revoked"));
    let chain = &after.corrections;
    assert_eq!(chain.len(), 2, "{chain:?}");
    assert_eq!(chain[0].id, first);
    assert_eq!(chain[0].check_id, 1);
    assert_eq!(chain[0].answer.as_deref(), Some("revoked"));
    assert_eq!(chain[0].operator.as_deref(), Some("陈明"));
    assert_eq!(chain[0].desk.as_deref(), Some("广州-2"));
    assert!(chain[0].reason.contains("已撤销"));
    assert_eq!(chain[1].verdict.as_deref(), Some("untrusted"));
    assert_eq!(chain[1].operator.as_deref(), Some("王芳"));
    let json = serde_json::to_value(&after).unwrap();
    assert_eq!(json["corrections"][1]["verdict"], "untrusted");
    // `ledger list` marks the check as corrected, with the verdict that stands.
    let listed = north.list(10).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].corrections.len(), 2);
    let line = certcheck::ledger::list_line(&listed[0]);
    assert!(
        line.contains(&format!("corrected #{second}: untrusted")),
        "{line}"
    );
    // A correction is refused without a reason, with an unknown verdict,
    // or for a check that does not exist; and it cannot be updated.
    assert!(matches!(
        north.correct(1, "  ", None, None),
        Err(LedgerError::Usage(_))
    ));
    assert!(matches!(
        north.correct(1, "x", Some("genuine"), None),
        Err(LedgerError::Usage(_))
    ));
    assert!(matches!(
        north.correct(77, "x", None, None),
        Err(LedgerError::NotFound(77))
    ));
    let refused = p.raw_execute("UPDATE corrections SET reason = 'nothing happened'");
    assert!(
        refused.as_ref().is_err_and(|e| e.contains("append-only")),
        "{refused:?}"
    );
    // Purging the check takes its corrections with it.
    assert_eq!(north.purge("2999-01-01").unwrap(), 1);
    assert!(north.checksum().unwrap().corrections == 0);
}

/// Only PostgreSQL, over TLS: .ci/run starts its server with ssl=on and
/// tests/data/pg_tls/server.crt, issued by ca.crt to "localhost" alone
/// ($CERTCHECK_TEST_PG_TLS_CA names that CA). Each sslmode must do what
/// libpq's does: verify-full checks the chain and the name, verify-ca only
/// the chain, and a server from another CA is refused by both.
#[test]
fn postgres_over_tls_authenticates_the_server_as_sslmode_asks() {
    const TLS_ENV: &str = "CERTCHECK_TEST_PG_TLS_CA";
    let Some(p) = Place::postgres("tls") else {
        return;
    };
    let Some(ca) = std::env::var(TLS_ENV).ok().filter(|c| !c.is_empty()) else {
        println!("SKIPPED: {TLS_ENV} not set");
        eprintln!("SKIPPED: {TLS_ENV} not set (the PostgreSQL ledger over TLS)");
        assert!(
            std::env::var_os("CI").is_none(),
            "{TLS_ENV} must be set under CI"
        );
        return;
    };
    let other_ca = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pg_tls/other-ca.crt");
    let Location::Postgres(base) = &p.location else {
        unreachable!()
    };
    assert!(
        base.contains("@127.0.0.1:"),
        "the test server is on 127.0.0.1: {base}"
    );
    let url = |host: &str, extra: &str| {
        format!(
            "{}&{extra}",
            base.replace("@127.0.0.1:", &format!("@{host}:"))
        )
    };
    let certcheck = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_certcheck"))
            .current_dir(p.dir.path())
            .env("HOME", p.dir.path())
            .env("CERTCHECK_CONFIG_DIR", p.dir.path().join("config"))
            .env("CERTCHECK_DATA_DIR", p.dir.path().join("data"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let migrate = |ledger: &str| certcheck(&["ledger", "--ledger", ledger, "migrate"]);

    let full = url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    let (code, out, err) = migrate(&full);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("connection: TLS ("), "{out}");
    assert!(out.contains("host name verified"), "{out}");

    // A real check goes into the ledger over that session.
    let sample =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/unsigned-query-result.pdf");
    let (code, _, err) = certcheck(&[
        "verify",
        "--no-default-trust",
        "--format",
        "jsonl",
        sample.to_str().unwrap(),
        "--ledger",
        &full,
    ]);
    assert!(code.is_some_and(|c| c != 2 && c != 4), "{err}");
    let (code, out, err) = certcheck(&["ledger", "--ledger", &full, "list"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("unsigned-query-result.pdf"), "{out}");

    // 127.0.0.1 is not a name the certificate holds.
    let (code, _, err) = migrate(&url(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    ));
    assert_ne!(code, Some(0));
    assert!(err.contains("not valid for name"), "{err}");
    let (code, out, err) = migrate(&url(
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={ca}"),
    ));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("connection: TLS (") && out.contains("not its name"),
        "{out}"
    );

    // A server certificate from another CA.
    for mode in ["verify-full", "verify-ca"] {
        let (code, _, err) = migrate(&url(
            "localhost",
            &format!("sslmode={mode}&sslrootcert={}", other_ca.display()),
        ));
        assert_ne!(code, Some(0), "{mode}");
        assert!(err.contains("UnknownIssuer"), "{mode}: {err}");
    }

    // The server's own view of the session, for the other modes.
    let (code, out, err) = migrate(&url("127.0.0.1", "sslmode=require"));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("connection: TLS (") && out.contains("not authenticated"),
        "{out}"
    );
    let (code, out, err) = migrate(&url("127.0.0.1", "sslmode=disable"));
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("connection: not encrypted"), "{out}");
    let (code, _, err) = migrate(&url("127.0.0.1", "sslmode=verify-full"));
    assert_ne!(code, Some(0));
    assert!(err.contains("sslrootcert"), "{err}");
}
