//! The ledger of checks (SQLite): every check recorded, and each new one
//! compared with what the ledger has seen.
//!
//! One row per check. Each check is compared and written in one
//! `BEGIN IMMEDIATE` transaction, committed on its own: two processes
//! writing the same ledger take turns (WAL mode, a busy timeout), and a
//! crash mid-batch loses nothing already committed.
//!
//! Conflicts (SPEC.md "The ledger"): `management_number_other_holder` (the
//! same 管理号 seen with another name or ID number),
//! `id_number_other_name` (the same ID number with another name),
//! `same_file_other_holder` (the same SHA-256 with other fields). Values are
//! compared after NFKC normalisation, with spaces removed and letters
//! upper-cased, so a full-width or lower-case copy of a number still matches.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use thiserror::Error;
use time::OffsetDateTime;
use unicode_normalization::UnicodeNormalization;

use crate::online::Confirmation;
use crate::report::{Code, Fields, LedgerConflict, LedgerEarlier, LedgerInfo, Reason, Record};

/// The environment variable that relocates the default ledger's dir.
pub const DATA_DIR_ENV: &str = "CERTCHECK_DATA_DIR";

/// How long a writer waits for another one before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Earlier holders reported per conflict kind; the rest are counted in the
/// ledger, not repeated in every record.
const MAX_CONFLICTS_PER_KIND: usize = 10;

#[derive(Debug, Error)]
pub enum LedgerError {
    #[error("ledger {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("ledger: {0}")]
    Sql(String),
    #[error("ledger: no check with id {0}")]
    NotFound(i64),
    #[error("ledger: {0}")]
    Io(String),
}

impl From<rusqlite::Error> for LedgerError {
    fn from(e: rusqlite::Error) -> Self {
        LedgerError::Sql(e.to_string())
    }
}

/// An open ledger.
pub struct Ledger {
    path: PathBuf,
    conn: Connection,
}

/// One recorded check, as `ledger list|show|export` print it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: i64,
    pub checked_at: String,
    pub path: String,
    pub sha256: Option<String>,
    pub size: Option<i64>,
    pub verdict: String,
    pub reasons: serde_json::Value,
    pub fields: serde_json::Value,
    pub management_number: Option<String>,
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub conflicts: serde_json::Value,
    pub confirmation: Option<String>,
    pub confirmed_at: Option<String>,
    /// The whole record (only `show` includes it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<serde_json::Value>,
}

/// `ledger export` formats (named on the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

pub const EXPORT_HEADER: &[&str] = &[
    "id",
    "checked_at",
    "path",
    "sha256",
    "verdict",
    "reasons",
    "management_number",
    "name",
    "id_number",
    "conflicts",
    "confirmation",
    "confirmed_at",
];

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    checked_at TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT,
    size INTEGER,
    verdict TEXT NOT NULL,
    reasons TEXT NOT NULL,
    fields TEXT,
    management_number TEXT,
    name TEXT,
    id_number TEXT,
    mn_key TEXT,
    name_key TEXT,
    id_key TEXT,
    conflicts TEXT NOT NULL,
    record TEXT NOT NULL,
    confirmation TEXT,
    confirmed_at TEXT
);
CREATE INDEX IF NOT EXISTS checks_mn ON checks(mn_key);
CREATE INDEX IF NOT EXISTS checks_id ON checks(id_key);
CREATE INDEX IF NOT EXISTS checks_sha ON checks(sha256);
";

const ENTRY_COLUMNS: &str = "id, checked_at, path, sha256, size, verdict, reasons, fields, \
    management_number, name, id_number, conflicts, confirmation, confirmed_at, record";

impl Ledger {
    /// The default ledger file: `$CERTCHECK_DATA_DIR/ledger.sqlite3`, else
    /// the platform data dir.
    pub fn default_path() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os(DATA_DIR_ENV) {
            return Some(PathBuf::from(dir).join("ledger.sqlite3"));
        }
        directories::ProjectDirs::from("", "", "certcheck")
            .map(|d| d.data_dir().join("ledger.sqlite3"))
    }

    /// Opens the ledger at `path` for checks, creating it (and its dirs).
    pub fn open(path: &Path) -> Result<Ledger, LedgerError> {
        let err = |message: String| LedgerError::Open {
            path: path.to_path_buf(),
            message,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        }
        let conn = Connection::open(path).map_err(|e| err(e.to_string()))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| err(e.to_string()))?;
        // Two processes may create the same ledger at once; the loser of
        // the race for the schema lock retries rather than failing.
        let mut last = None;
        for attempt in 0..50u64 {
            match setup(&conn) {
                Ok(()) => {
                    return Ok(Ledger {
                        path: path.to_path_buf(),
                        conn,
                    })
                }
                Err(e) if is_busy(&e) => {
                    last = Some(e);
                    std::thread::sleep(Duration::from_millis(20 + attempt * 10));
                }
                Err(e) => return Err(err(e.to_string())),
            }
        }
        Err(err(last.map(|e| e.to_string()).unwrap_or_default()))
    }

    /// Opens an existing ledger for reading only (`ledger list|show|export`).
    pub fn open_read_only(path: &Path) -> Result<Ledger, LedgerError> {
        let err = |message: String| LedgerError::Open {
            path: path.to_path_buf(),
            message,
        };
        if !path.is_file() {
            return Err(err("no ledger here (run verify with --ledger first)".into()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| err(e.to_string()))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| err(e.to_string()))?;
        // A file that is not a ledger fails here, not halfway through a listing.
        conn.query_row("SELECT count(*) FROM checks", [], |r| r.get::<_, i64>(0))
            .map_err(|e| err(e.to_string()))?;
        Ok(Ledger {
            path: path.to_path_buf(),
            conn,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Compares `record` with what the ledger holds (filling `record.ledger`
    /// and adding a `ledger_conflict` reason per conflict) and, unless
    /// `write` is false, records it. Without writing, `ledger.id` is 0.
    pub fn check_and_record(
        &mut self,
        record: &mut Record,
        write: bool,
    ) -> Result<(), LedgerError> {
        let keys = Keys::of(record.fields.as_ref());
        let now = now_rfc3339();
        let behavior = if write {
            TransactionBehavior::Immediate
        } else {
            TransactionBehavior::Deferred
        };
        let tx = self.conn.transaction_with_behavior(behavior)?;
        let conflicts = find_conflicts(&tx, record, &keys)?;
        let mut id = 0;
        if write {
            let fields = record.fields.as_ref();
            let field = |f: fn(&Fields) -> &Option<String>| fields.and_then(|x| f(x).clone());
            let conflicts_json = serde_json::to_string(&conflicts).unwrap_or_else(|_| "[]".into());
            let mut stored = record.clone();
            stored.ledger = None;
            tx.execute(
                "INSERT INTO checks (checked_at, path, sha256, size, verdict, reasons, fields,
                    management_number, name, id_number, mn_key, name_key, id_key, conflicts, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                params![
                    now,
                    record.path,
                    record.sha256,
                    record.size.and_then(|s| i64::try_from(s).ok()),
                    record.verdict.as_str(),
                    serde_json::to_string(&record.reasons).unwrap_or_else(|_| "[]".into()),
                    fields.and_then(|f| serde_json::to_string(f).ok()),
                    field(|f| &f.management_number),
                    field(|f| &f.name),
                    field(|f| &f.id_number),
                    keys.management_number,
                    keys.name,
                    keys.id_number,
                    conflicts_json,
                    serde_json::to_string(&stored).unwrap_or_else(|_| "{}".into()),
                ],
            )?;
            id = tx.last_insert_rowid();
        }
        tx.commit()?;
        for c in &conflicts {
            record
                .reasons
                .push(Reason::detail(Code::LedgerConflict, describe(c)));
        }
        record.ledger = Some(LedgerInfo { id, conflicts });
        Ok(())
    }

    /// Records a person's answer from the official check on check `id`.
    pub fn record_confirmation(
        &mut self,
        id: i64,
        answer: Confirmation,
    ) -> Result<(), LedgerError> {
        let n = self.conn.execute(
            "UPDATE checks SET confirmation = ?1, confirmed_at = ?2 WHERE id = ?3",
            params![answer.as_str(), now_rfc3339(), id],
        )?;
        if n == 0 {
            return Err(LedgerError::NotFound(id));
        }
        Ok(())
    }

    /// The latest `limit` checks, newest first.
    pub fn list(&self, limit: usize) -> Result<Vec<Entry>, LedgerError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM checks ORDER BY id DESC LIMIT ?1");
        let mut stmt = self.conn.prepare(&sql)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map([limit], |r| entry_from_row(r, false))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// One check, with its whole record.
    pub fn get(&self, id: i64) -> Result<Entry, LedgerError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM checks WHERE id = ?1");
        self.conn
            .query_row(&sql, [id], |r| entry_from_row(r, true))
            .optional()?
            .ok_or(LedgerError::NotFound(id))
    }

    /// How many checks the ledger holds.
    pub fn count(&self) -> Result<i64, LedgerError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM checks", [], |r| r.get(0))?)
    }

    /// Writes every check, oldest first, as CSV (with [`EXPORT_HEADER`]) or
    /// one JSON object per line.
    pub fn export<W: Write>(&self, format: ExportFormat, out: W) -> Result<(), LedgerError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM checks ORDER BY id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| entry_from_row(r, false))?;
        let io = |e: std::io::Error| LedgerError::Io(e.to_string());
        match format {
            ExportFormat::Jsonl => {
                let mut out = out;
                for row in rows {
                    let entry = row?;
                    serde_json::to_writer(&mut out, &entry)
                        .map_err(|e| LedgerError::Io(e.to_string()))?;
                    writeln!(out).map_err(io)?;
                }
                out.flush().map_err(io)?;
            }
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(out);
                let csv_err = |e: csv::Error| LedgerError::Io(e.to_string());
                w.write_record(EXPORT_HEADER).map_err(csv_err)?;
                for row in rows {
                    w.write_record(csv_row(&row?)).map_err(csv_err)?;
                }
                w.flush().map_err(io)?;
            }
        }
        Ok(())
    }
}

fn setup(conn: &Connection) -> Result<(), rusqlite::Error> {
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    let _ = mode;
    // NORMAL in WAL mode: a committed check survives a crash of the process;
    // only a power cut can lose the last few.
    conn.execute_batch("PRAGMA synchronous=NORMAL;")?;
    conn.execute_batch(SCHEMA)
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn now_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The normalised values conflicts are matched on.
#[derive(Debug, Default)]
struct Keys {
    management_number: Option<String>,
    name: Option<String>,
    id_number: Option<String>,
    has_fields: bool,
}

impl Keys {
    fn of(fields: Option<&Fields>) -> Keys {
        let Some(f) = fields else {
            return Keys::default();
        };
        Keys {
            management_number: f.management_number.as_deref().and_then(normalise),
            name: f.name.as_deref().and_then(normalise),
            id_number: f.id_number.as_deref().and_then(normalise),
            has_fields: !f.is_empty(),
        }
    }
}

/// NFKC, no whitespace, upper case; `None` when nothing is left.
pub fn normalise(value: &str) -> Option<String> {
    let s: String = value
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if s.is_empty() {
        None
    } else {
        Some(s)
    }
}

struct Earlier {
    id: i64,
    name: Option<String>,
    id_number: Option<String>,
    checked_at: String,
    path: String,
    holder: (Option<String>, Option<String>, Option<String>),
}

fn earlier_rows(
    tx: &rusqlite::Transaction,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Earlier>, rusqlite::Error> {
    let mut stmt = tx.prepare_cached(sql)?;
    let rows = stmt.query_map(args, |r| {
        Ok(Earlier {
            id: r.get(0)?,
            name: r.get(1)?,
            id_number: r.get(2)?,
            checked_at: r.get(3)?,
            path: r.get(4)?,
            holder: (r.get(5)?, r.get(6)?, r.get(7)?),
        })
    })?;
    rows.collect()
}

const EARLIER_COLUMNS: &str =
    "SELECT id, name, id_number, checked_at, path, mn_key, name_key, id_key FROM checks";

fn find_conflicts(
    tx: &rusqlite::Transaction,
    record: &Record,
    keys: &Keys,
) -> Result<Vec<LedgerConflict>, LedgerError> {
    let mut out = Vec::new();
    let fields = record.fields.clone().unwrap_or_default();
    if let Some(mn) = &keys.management_number {
        let sql = format!(
            "{EARLIER_COLUMNS} WHERE mn_key = ?1 AND (
                (name_key IS NOT NULL AND ?2 IS NOT NULL AND name_key <> ?2)
                OR (id_key IS NOT NULL AND ?3 IS NOT NULL AND id_key <> ?3))
             ORDER BY id"
        );
        let rows = earlier_rows(tx, &sql, &[mn, &keys.name, &keys.id_number])?;
        push_conflicts(
            &mut out,
            rows,
            "management_number_other_holder",
            "management_number",
            fields.management_number.as_deref().unwrap_or(mn),
        );
    }
    if let (Some(idn), Some(name)) = (&keys.id_number, &keys.name) {
        let sql = format!(
            "{EARLIER_COLUMNS} WHERE id_key = ?1 AND name_key IS NOT NULL AND name_key <> ?2
             ORDER BY id"
        );
        let rows = earlier_rows(tx, &sql, &[idn, name])?;
        push_conflicts(
            &mut out,
            rows,
            "id_number_other_name",
            "id_number",
            fields.id_number.as_deref().unwrap_or(idn),
        );
    }
    if let (Some(sha), true) = (&record.sha256, keys.has_fields) {
        let sql = format!(
            "{EARLIER_COLUMNS} WHERE sha256 = ?1 AND fields IS NOT NULL AND (
                mn_key IS NOT ?2 OR name_key IS NOT ?3 OR id_key IS NOT ?4)
             ORDER BY id"
        );
        let rows = earlier_rows(
            tx,
            &sql,
            &[sha, &keys.management_number, &keys.name, &keys.id_number],
        )?;
        push_conflicts(&mut out, rows, "same_file_other_holder", "sha256", sha);
    }
    Ok(out)
}

/// One conflict per distinct earlier holder (the first time it was seen).
fn push_conflicts(
    out: &mut Vec<LedgerConflict>,
    rows: Vec<Earlier>,
    kind: &str,
    field: &str,
    value: &str,
) {
    let mut holders = Vec::new();
    for row in rows {
        if holders.contains(&row.holder) {
            continue;
        }
        if holders.len() >= MAX_CONFLICTS_PER_KIND {
            break;
        }
        holders.push(row.holder.clone());
        out.push(LedgerConflict {
            kind: kind.to_string(),
            field: field.to_string(),
            value: value.to_string(),
            earlier: LedgerEarlier {
                id: row.id,
                name: row.name,
                id_number: row.id_number,
                checked_at: row.checked_at,
                path: row.path,
            },
        });
    }
}

/// The clerk-facing sentence for one conflict.
pub fn describe(c: &LedgerConflict) -> String {
    let e = &c.earlier;
    let holder = match (&e.name, &e.id_number) {
        (Some(n), Some(i)) => format!("{n} ({i})"),
        (Some(n), None) => n.clone(),
        (None, Some(i)) => format!("ID {i}"),
        (None, None) => "no readable holder".to_string(),
    };
    let what = match c.kind.as_str() {
        "management_number_other_holder" => format!("管理号 {} was checked before for", c.value),
        "id_number_other_name" => format!("ID number {} was checked before with", c.value),
        "same_file_other_holder" => "the same file was checked before showing".to_string(),
        other => format!("{other}: {} was seen before with", c.value),
    };
    format!(
        "{what} {holder}, in {} on {} (ledger #{})",
        e.path, e.checked_at, e.id
    )
}

fn entry_from_row(r: &rusqlite::Row, with_record: bool) -> Result<Entry, rusqlite::Error> {
    let json = |s: Option<String>| {
        s.and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(serde_json::Value::Null)
    };
    Ok(Entry {
        id: r.get(0)?,
        checked_at: r.get(1)?,
        path: r.get(2)?,
        sha256: r.get(3)?,
        size: r.get(4)?,
        verdict: r.get(5)?,
        reasons: json(r.get(6)?),
        fields: json(r.get(7)?),
        management_number: r.get(8)?,
        name: r.get(9)?,
        id_number: r.get(10)?,
        conflicts: json(r.get(11)?),
        confirmation: r.get(12)?,
        confirmed_at: r.get(13)?,
        record: if with_record {
            Some(json(r.get(14)?))
        } else {
            None
        },
    })
}

fn csv_row(e: &Entry) -> Vec<String> {
    let codes = |v: &serde_json::Value, key: &str| {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.get(key).and_then(|c| c.as_str()))
                    .collect::<Vec<_>>()
                    .join(";")
            })
            .unwrap_or_default()
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        e.id.to_string(),
        e.checked_at.clone(),
        e.path.clone(),
        opt(&e.sha256),
        e.verdict.clone(),
        codes(&e.reasons, "code"),
        opt(&e.management_number),
        opt(&e.name),
        opt(&e.id_number),
        codes(&e.conflicts, "kind"),
        opt(&e.confirmation),
        opt(&e.confirmed_at),
    ]
}

/// A one-line summary of an entry, for `ledger list`.
pub fn list_line(e: &Entry) -> String {
    let conflicts = e.conflicts.as_array().map(|a| a.len()).unwrap_or(0);
    let flag = if conflicts > 0 {
        format!("  {conflicts} conflict(s)")
    } else {
        String::new()
    };
    let confirm = e
        .confirmation
        .as_deref()
        .map(|c| format!("  online: {c}"))
        .unwrap_or_default();
    format!(
        "#{:<5} {}  {:<10} {:<20} {:<8} {}{flag}{confirm}",
        e.id,
        e.checked_at,
        e.verdict,
        e.management_number.as_deref().unwrap_or("-"),
        e.name.as_deref().unwrap_or("-"),
        e.path
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Verdict;

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

    #[test]
    fn reused_management_number_with_another_name_is_caught_across_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/ledger.sqlite3");
        {
            let mut l = Ledger::open(&path).unwrap();
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
        let mut l = Ledger::open(&path).unwrap();
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
    }

    #[test]
    fn same_file_with_other_fields_and_no_record_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        let mut l = Ledger::open(&path).unwrap();
        let mut a = record("a.pdf", "cafe", "M0001", "张伟", "1");
        l.check_and_record(&mut a, true).unwrap();
        let mut b = record("b.pdf", "cafe", "M0002", "李娜", "2");
        l.check_and_record(&mut b, false).unwrap();
        assert_eq!(kinds(&b), vec!["same_file_other_holder"]);
        assert_eq!(b.ledger.as_ref().unwrap().id, 0);
        // --no-record wrote nothing.
        assert_eq!(l.count().unwrap(), 1);
        // Another number and ID with a different name: no conflict at all.
        let mut c = record("c.pdf", "beef", "M0003", "李娜", "3");
        l.check_and_record(&mut c, true).unwrap();
        assert!(kinds(&c).is_empty());
    }

    #[test]
    fn records_without_fields_are_recorded_without_conflicts() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(&dir.path().join("l.db")).unwrap();
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

    #[test]
    fn concurrent_writers_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.db");
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut l = Ledger::open(&path).unwrap();
                    for i in 0..25 {
                        let mut r = record(
                            &format!("t{t}-{i}.pdf"),
                            &format!("{t}-{i}"),
                            &format!("M{t:02}{i:04}"),
                            "张伟",
                            &format!("{t}{i}"),
                        );
                        l.check_and_record(&mut r, true).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let l = Ledger::open_read_only(&path).unwrap();
        assert_eq!(l.count().unwrap(), 100);
        let ok: String = l
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        let mut ids: Vec<i64> = l.list(1000).unwrap().iter().map(|e| e.id).collect();
        ids.sort();
        assert_eq!(ids, (1..=100).collect::<Vec<_>>());
    }

    #[test]
    fn export_formats_and_confirmation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        let mut l = Ledger::open(&path).unwrap();
        let mut a = record("a,1.pdf", "aa", "M0001", "张伟", "1");
        l.check_and_record(&mut a, true).unwrap();
        let mut b = record("b.pdf", "bb", "M0001", "李娜", "2");
        l.check_and_record(&mut b, true).unwrap();
        l.record_confirmation(2, Confirmation::Revoked).unwrap();
        assert!(l.record_confirmation(7, Confirmation::Valid).is_err());

        let mut out = Vec::new();
        l.export(ExportFormat::Csv, &mut out).unwrap();
        let mut rd = csv::Reader::from_reader(out.as_slice());
        assert_eq!(
            rd.headers().unwrap().iter().collect::<Vec<_>>(),
            EXPORT_HEADER
        );
        let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][2], "a,1.pdf");
        assert_eq!(&rows[1][7], "李娜");
        assert_eq!(&rows[1][9], "management_number_other_holder");
        assert_eq!(&rows[1][10], "revoked");

        let mut out = Vec::new();
        l.export(ExportFormat::Jsonl, &mut out).unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|s| serde_json::from_str(s).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["id"], 1);
        assert_eq!(lines[1]["conflicts"][0]["earlier"]["name"], "张伟");
        assert_eq!(lines[1]["confirmation"], "revoked");
        assert!(lines[0].get("record").is_none());
    }

    #[test]
    fn read_only_open_refuses_missing_or_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Ledger::open_read_only(&dir.path().join("none.db")).is_err());
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, b"%PDF-1.7 not a database at all, just some bytes").unwrap();
        assert!(Ledger::open_read_only(&junk).is_err());
        assert!(Ledger::open(&junk).is_err());
    }
}
