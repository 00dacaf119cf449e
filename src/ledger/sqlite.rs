//! The embedded backend: one SQLite file, the default, needing no setup.
//!
//! Each check is compared and written in one `BEGIN IMMEDIATE`
//! transaction, committed on its own: two processes writing the same
//! ledger take turns (WAL mode, a busy timeout), and a crash mid-batch
//! loses nothing already committed.

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use super::backend::*;
use super::schema::MIGRATIONS;
use super::LedgerError;

/// How long a writer waits for another one before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

impl From<rusqlite::Error> for LedgerError {
    fn from(e: rusqlite::Error) -> Self {
        LedgerError::Sql(e.to_string())
    }
}

pub(crate) struct Sqlite {
    conn: Connection,
}

/// The shared SQL is written with PostgreSQL's `$1`; SQLite reads `?1`.
fn q(sql: &str) -> String {
    sql.replace('$', "?")
}

impl Sqlite {
    pub fn open(path: &Path) -> Result<Sqlite, String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let conn = Connection::open(path).map_err(|e| e.to_string())?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| e.to_string())?;
        // Two processes may create the same ledger at once; the loser of
        // the race for the journal-mode switch retries rather than failing.
        let mut last = None;
        for attempt in 0..50u64 {
            match setup(&conn) {
                Ok(()) => return Ok(Sqlite { conn }),
                Err(e) if is_busy(&e) => {
                    last = Some(e);
                    std::thread::sleep(Duration::from_millis(20 + attempt * 10));
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        Err(last.map(|e| e.to_string()).unwrap_or_default())
    }
}

impl Sqlite {
    /// Opens an existing ledger file only to read it: nothing is created,
    /// the journal mode is left alone and no migration runs, so a desk
    /// with read access alone (a file on a read-only share, or mode 444 in
    /// a folder it cannot write) can list and export. A ledger in WAL mode
    /// whose folder cannot be written has no -shm file to share: it is then
    /// read as immutable, which is what it is to this process.
    pub fn open_read_only(path: &Path) -> Result<Sqlite, String> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| e.to_string())?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| e.to_string())?;
        let readable = conn
            .query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .is_ok();
        if readable {
            return Ok(Sqlite { conn });
        }
        drop(conn);
        let uri = immutable_uri(path);
        let conn = Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
            .map_err(|e| e.to_string())?;
        conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| e.to_string())?;
        Ok(Sqlite { conn })
    }
}

/// `file:` URI of `path` with `immutable=1`: every byte but letters,
/// digits and `/._-` percent-escaped, as SQLite's URI rules allow.
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/._-".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

fn setup(conn: &Connection) -> Result<(), rusqlite::Error> {
    let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    // NORMAL in WAL mode: a committed check survives a crash of the process;
    // only a power cut can lose the last few.
    conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked)
    )
}

impl Columns for rusqlite::Row<'_> {
    type Error = rusqlite::Error;
    fn col<T: Value>(&self, i: usize) -> Result<T, rusqlite::Error> {
        self.get(i)
    }
}

/// The parameters as rusqlite takes them.
fn sql_params<'a>(params: &[Param<'a>]) -> Vec<&'a dyn rusqlite::ToSql> {
    let bind = |p: Param<'a>| -> &'a dyn rusqlite::ToSql { p };
    params.iter().copied().map(bind).collect()
}

/// Runs the (cached) statement `sql` once with `params`.
fn run(tx: &rusqlite::Transaction, sql: &str, params: &[Param<'_>]) -> Result<(), rusqlite::Error> {
    tx.prepare_cached(&q(sql))?
        .execute(sql_params(params).as_slice())?;
    Ok(())
}

/// NotFound unless check `id` exists.
fn check_exists(tx: &rusqlite::Transaction, id: i64) -> Result<(), LedgerError> {
    let exists: Option<i64> = tx
        .query_row("SELECT id FROM checks WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    match exists {
        Some(_) => Ok(()),
        None => Err(LedgerError::NotFound(id)),
    }
}

impl Backend for Sqlite {
    fn migrate(&mut self) -> Result<Vec<i64>, LedgerError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )?;
        let mut applied = Vec::new();
        for m in MIGRATIONS {
            let done: Option<i64> = tx
                .query_row(
                    "SELECT version FROM schema_migrations WHERE version = ?1",
                    [m.version],
                    |r| r.get(0),
                )
                .optional()?;
            if done.is_some() {
                continue;
            }
            tx.execute_batch(m.sqlite)
                .map_err(|e| LedgerError::Sql(format!("migration {}: {e}", m.version)))?;
            tx.execute(
                "INSERT INTO schema_migrations (version, description, applied_at)
                 VALUES (?1, ?2, ?3)",
                params![m.version, m.description, super::now_rfc3339()],
            )?;
            applied.push(m.version);
        }
        tx.commit()?;
        Ok(applied)
    }

    fn schema_version(&mut self) -> Result<i64, LedgerError> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )?)
    }

    fn meta(&mut self, key: &str) -> Result<Option<String>, LedgerError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    fn init_meta(&mut self, key: &str, value: &str) -> Result<(), LedgerError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
            params![key, value],
        )?;
        Ok(())
    }

    fn record(&mut self, lookup: &Lookup, decide: &mut Decide<'_>) -> Result<i64, LedgerError> {
        // IMMEDIATE takes the write lock before reading: the next writer
        // waits and then sees this check.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let candidates = {
            let mut stmt = tx.prepare_cached(&q(CANDIDATES))?;
            let rows = stmt.query_map(
                params![lookup.mn_key, lookup.id_key, lookup.sha256, MAX_CANDIDATES],
                |r| Candidate::read(r),
            )?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        let mut id = 0;
        if let Some(row) = decide(candidates) {
            run(&tx, INSERT_ROW, &row.columns())?;
            id = tx.last_insert_rowid();
        }
        tx.commit()?;
        Ok(id)
    }

    fn confirm(&mut self, c: &ConfirmationRow) -> Result<(), LedgerError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        check_exists(&tx, c.check_id)?;
        run(&tx, INSERT_CONFIRMATION, &c.columns())?;
        tx.commit()?;
        Ok(())
    }

    fn rows(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(&q(sql))?;
        let rows = stmt.query_map(sql_params(params).as_slice(), |r| Row::read(r))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn confirmations(&mut self) -> Result<Vec<ConfirmationRow>, LedgerError> {
        let mut stmt = self.conn.prepare(CONFIRMATION_COLUMNS)?;
        let rows = stmt.query_map([], |r| ConfirmationRow::read(r))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn answers_for(&mut self, mn_key: &str) -> Result<Vec<ConfirmationRow>, LedgerError> {
        let mut stmt = self.conn.prepare(ANSWERS_FOR_MN)?;
        let rows = stmt.query_map(params![mn_key, MAX_CANDIDATES], |r| {
            ConfirmationRow::read(r)
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn correct(&mut self, c: &CorrectionRow) -> Result<i64, LedgerError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        check_exists(&tx, c.check_id)?;
        let id: i64 = tx.query_row(
            &q(INSERT_CORRECTION),
            sql_params(&c.columns()).as_slice(),
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(id)
    }

    fn corrections(&mut self, check_id: Option<i64>) -> Result<Vec<CorrectionRow>, LedgerError> {
        let mut stmt = self.conn.prepare(&q(CORRECTION_COLUMNS))?;
        let rows = stmt.query_map([check_id], |r| CorrectionRow::read(r))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn import_corrections(&mut self, corrections: &[CorrectionRow]) -> Result<(), LedgerError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for c in corrections {
            run(&tx, IMPORT_CORRECTION, &c.import_columns())?;
        }
        tx.commit()?;
        Ok(())
    }

    fn count(&mut self) -> Result<i64, LedgerError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM checks", [], |r| r.get(0))?)
    }

    fn purge(&mut self, before: &str) -> Result<u64, LedgerError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM confirmations WHERE check_id IN
                (SELECT id FROM checks WHERE checked_at < ?1)",
            [before],
        )?;
        tx.execute(
            "DELETE FROM corrections WHERE check_id IN
                (SELECT id FROM checks WHERE checked_at < ?1)",
            [before],
        )?;
        let n = tx.execute("DELETE FROM checks WHERE checked_at < ?1", [before])?;
        tx.commit()?;
        // The freed pages are overwritten, so deleted personal data does
        // not linger in the file.
        let _ = self.conn.execute_batch("VACUUM");
        Ok(n as u64)
    }

    fn import(
        &mut self,
        rows: &[Row],
        confirmations: &[ConfirmationRow],
    ) -> Result<(), LedgerError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n: i64 = tx.query_row("SELECT count(*) FROM checks", [], |r| r.get(0))?;
        if n > 0 {
            return Err(LedgerError::NotEmpty(n));
        }
        for row in rows {
            run(&tx, IMPORT_ROW, &row.import_columns())?;
        }
        for c in confirmations {
            run(&tx, IMPORT_CONFIRMATION, &c.import_columns())?;
        }
        tx.commit()?;
        Ok(())
    }
}
