//! The shared backend: one PostgreSQL database that many desks write at
//! once, through the synchronous `postgres` client (see docs/design.md for
//! why that client, and how the web desk calls it).
//!
//! A new check is compared and written in one transaction that first
//! takes a transaction-scoped advisory lock per key it could conflict on
//! (its 管理号, ID number and file hash). Two desks checking the same
//! 管理号 at the same moment therefore take turns: the second waits for
//! the first to commit and then, under READ COMMITTED, reads its row.

use postgres::types::ToSql;
use postgres::{Client, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::backend::*;
use super::pg_tls::{self, SslMode};
use super::schema::MIGRATIONS;
use super::LedgerError;

/// One advisory-lock number for schema changes, so two desks starting at
/// once do not both create the tables.
const MIGRATION_LOCK: i64 = 0x6365_7274_6368_6b31; // "certchk1"

impl From<postgres::Error> for LedgerError {
    fn from(e: postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => LedgerError::Sql(format!("{}: {}", db.code().code(), db.message())),
            None => LedgerError::Sql(e.to_string()),
        }
    }
}

pub(crate) struct Postgres {
    client: Option<Client>,
    /// How the server was to be authenticated, for [`Backend::transport`].
    server_check: &'static str,
}

impl Postgres {
    /// Connects on a thread of its own: the `postgres` client runs a small
    /// tokio runtime of its own and must not be started (or dropped) on a
    /// thread that is already driving one, such as the web desk's.
    pub fn connect(url: &str) -> Result<Postgres, String> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let request = pg_tls::parse_request(url, &env, pg_tls::default_root_cert())?;
        let tls = match request.mode {
            SslMode::Disable => None,
            _ => Some(MakeRustlsConnect::new(request.client_config()?)),
        };
        let server_check = request.describe_check();
        let client_url = request.client_url;
        std::thread::scope(|s| {
            s.spawn(move || {
                match tls {
                    None => Client::connect(&client_url, NoTls),
                    Some(tls) => Client::connect(&client_url, tls),
                }
                .map_err(|e| describe_connect_error(&e))
            })
            .join()
            .unwrap_or_else(|_| Err("the PostgreSQL client panicked".into()))
        })
        .map(|client| Postgres {
            client: Some(client),
            server_check,
        })
    }

    fn c(&mut self) -> Result<&mut Client, LedgerError> {
        self.client
            .as_mut()
            .ok_or_else(|| LedgerError::Sql("connection closed".into()))
    }
}

/// The client's error with its cause: "error performing TLS handshake"
/// alone does not say that the certificate was refused, or why.
fn describe_connect_error(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = std::thread::spawn(move || drop(client)).join();
        }
    }
}

impl Columns for postgres::Row {
    type Error = postgres::Error;
    fn col<T: Value>(&self, i: usize) -> Result<T, postgres::Error> {
        self.try_get(i)
    }
}

/// The parameters as the `postgres` client takes them.
fn sql_params<'a>(params: &[Param<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    let bind = |p: Param<'a>| -> &'a (dyn ToSql + Sync) { p };
    params.iter().copied().map(bind).collect()
}

/// Rows of one statement, each read by `read`.
fn read_all<T>(
    rows: Vec<postgres::Row>,
    read: fn(&postgres::Row) -> Result<T, postgres::Error>,
) -> Result<Vec<T>, LedgerError> {
    Ok(rows.iter().map(read).collect::<Result<Vec<_>, _>>()?)
}

/// NotFound unless check `id` exists, held FOR KEY SHARE so that a purge
/// cannot remove it underneath the entry that refers to it.
fn lock_check(tx: &mut postgres::Transaction<'_>, id: i64) -> Result<(), LedgerError> {
    let exists = tx.query_opt("SELECT id FROM checks WHERE id = $1 FOR KEY SHARE", &[&id])?;
    match exists {
        Some(_) => Ok(()),
        None => Err(LedgerError::NotFound(id)),
    }
}

impl Backend for Postgres {
    fn migrate(&mut self) -> Result<Vec<i64>, LedgerError> {
        let mut tx = self.c()?.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )?;
        let done: Vec<i64> = tx
            .query("SELECT version FROM schema_migrations", &[])?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let mut applied = Vec::new();
        for m in MIGRATIONS {
            if done.contains(&m.version) {
                continue;
            }
            tx.batch_execute(m.postgres).map_err(|e| {
                LedgerError::Sql(format!("migration {}: {}", m.version, LedgerError::from(e)))
            })?;
            tx.execute(
                "INSERT INTO schema_migrations (version, description, applied_at)
                 VALUES ($1, $2, $3)",
                &[&m.version, &m.description, &super::now_rfc3339()],
            )?;
            applied.push(m.version);
        }
        tx.commit()?;
        Ok(applied)
    }

    fn schema_version(&mut self) -> Result<i64, LedgerError> {
        let r = self.c()?.query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
            &[],
        )?;
        Ok(r.try_get(0)?)
    }

    fn meta(&mut self, key: &str) -> Result<Option<String>, LedgerError> {
        let r = self
            .c()?
            .query_opt("SELECT value FROM meta WHERE key = $1", &[&key])?;
        Ok(r.map(|r| r.try_get(0)).transpose()?)
    }

    fn init_meta(&mut self, key: &str, value: &str) -> Result<(), LedgerError> {
        self.c()?.execute(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            &[&key, &value],
        )?;
        Ok(())
    }

    fn record(&mut self, lookup: &Lookup, decide: &mut Decide<'_>) -> Result<i64, LedgerError> {
        let mut tx = self.c()?.transaction()?;
        for lock in lookup.lock_ids() {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock])?;
        }
        let candidates = read_all(
            tx.query(
                CANDIDATES,
                &[
                    &lookup.mn_key,
                    &lookup.id_key,
                    &lookup.sha256,
                    &MAX_CANDIDATES,
                ],
            )?,
            Candidate::read,
        )?;
        let mut id = 0;
        if let Some(row) = decide(candidates) {
            let sql = format!("{INSERT_ROW} RETURNING id");
            let r = tx.query_one(sql.as_str(), &sql_params(&row.columns()))?;
            id = r.try_get(0)?;
        }
        tx.commit()?;
        Ok(id)
    }

    fn confirm(&mut self, c: &ConfirmationRow) -> Result<(), LedgerError> {
        let mut tx = self.c()?.transaction()?;
        lock_check(&mut tx, c.check_id)?;
        tx.execute(INSERT_CONFIRMATION, &sql_params(&c.columns()))?;
        tx.commit()?;
        Ok(())
    }

    fn rows(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, LedgerError> {
        let rows = self.c()?.query(sql, &sql_params(params))?;
        read_all(rows, Row::read)
    }

    fn confirmations(&mut self) -> Result<Vec<ConfirmationRow>, LedgerError> {
        let rows = self.c()?.query(CONFIRMATION_COLUMNS, &[])?;
        read_all(rows, ConfirmationRow::read)
    }

    fn answers_for(&mut self, mn_key: &str) -> Result<Vec<ConfirmationRow>, LedgerError> {
        let rows = self
            .c()?
            .query(ANSWERS_FOR_MN, &[&mn_key, &MAX_CANDIDATES])?;
        read_all(rows, ConfirmationRow::read)
    }

    fn correct(&mut self, c: &CorrectionRow) -> Result<i64, LedgerError> {
        let mut tx = self.c()?.transaction()?;
        lock_check(&mut tx, c.check_id)?;
        let id: i64 = tx
            .query_one(INSERT_CORRECTION, &sql_params(&c.columns()))?
            .try_get(0)?;
        tx.commit()?;
        Ok(id)
    }

    fn corrections(&mut self, check_id: Option<i64>) -> Result<Vec<CorrectionRow>, LedgerError> {
        let sql = CORRECTION_COLUMNS.replace("$1 IS NULL", "$1::BIGINT IS NULL");
        let rows = self.c()?.query(&sql, &[&check_id])?;
        read_all(rows, CorrectionRow::read)
    }

    fn import_corrections(&mut self, corrections: &[CorrectionRow]) -> Result<(), LedgerError> {
        let mut tx = self.c()?.transaction()?;
        let insert = tx.prepare(IMPORT_CORRECTION)?;
        for c in corrections {
            tx.execute(&insert, &sql_params(&c.import_columns()))?;
        }
        // New corrections continue after the imported ids.
        tx.batch_execute(
            "SELECT setval(pg_get_serial_sequence('corrections', 'id'),
                 COALESCE((SELECT MAX(id) FROM corrections), 0) + 1, false);",
        )?;
        tx.commit()?;
        Ok(())
    }

    fn transport(&mut self) -> Result<String, LedgerError> {
        // The server's own view: whether this session is really encrypted.
        let row = self.c()?.query_opt(
            "SELECT version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl",
            &[],
        )?;
        Ok(match row {
            Some(r) => {
                let version: Option<String> = r.try_get(0)?;
                let cipher: Option<String> = r.try_get(1)?;
                format!(
                    "TLS ({}, {}), {}",
                    version.as_deref().unwrap_or("?"),
                    cipher.as_deref().unwrap_or("?"),
                    self.server_check
                )
            }
            None => "not encrypted (sslmode=verify-full encrypts and authenticates the server)"
                .to_string(),
        })
    }

    fn count(&mut self) -> Result<i64, LedgerError> {
        Ok(self
            .c()?
            .query_one("SELECT count(*) FROM checks", &[])?
            .try_get(0)?)
    }

    fn purge(&mut self, before: &str) -> Result<u64, LedgerError> {
        // The confirmations go with their checks (ON DELETE CASCADE).
        Ok(self
            .c()?
            .execute("DELETE FROM checks WHERE checked_at < $1", &[&before])?)
    }

    fn import(
        &mut self,
        rows: &[Row],
        confirmations: &[ConfirmationRow],
    ) -> Result<(), LedgerError> {
        let mut tx = self.c()?.transaction()?;
        tx.batch_execute("LOCK TABLE checks, confirmations IN EXCLUSIVE MODE")?;
        let n: i64 = tx
            .query_one("SELECT count(*) FROM checks", &[])?
            .try_get(0)?;
        if n > 0 {
            return Err(LedgerError::NotEmpty(n));
        }
        let insert = tx.prepare(IMPORT_ROW)?;
        for row in rows {
            tx.execute(&insert, &sql_params(&row.import_columns()))?;
        }
        let insert = tx.prepare(IMPORT_CONFIRMATION)?;
        for c in confirmations {
            tx.execute(&insert, &sql_params(&c.import_columns()))?;
        }
        // New checks continue after the imported ids.
        tx.batch_execute(
            "SELECT setval(pg_get_serial_sequence('checks', 'id'),
                 COALESCE((SELECT MAX(id) FROM checks), 0) + 1, false);
             SELECT setval(pg_get_serial_sequence('confirmations', 'id'),
                 COALESCE((SELECT MAX(id) FROM confirmations), 0) + 1, false);",
        )?;
        tx.commit()?;
        Ok(())
    }
}
