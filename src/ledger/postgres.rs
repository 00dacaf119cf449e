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

use super::backend::*;
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
}

impl Postgres {
    /// Connects on a thread of its own: the `postgres` client runs a small
    /// tokio runtime of its own and must not be started (or dropped) on a
    /// thread that is already driving one, such as the web desk's.
    pub fn connect(url: &str) -> Result<Postgres, String> {
        let url = url.to_string();
        std::thread::scope(|s| {
            s.spawn(move || Client::connect(&url, NoTls).map_err(|e| e.to_string()))
                .join()
                .unwrap_or_else(|_| Err("the PostgreSQL client panicked".into()))
        })
        .map(|client| Postgres {
            client: Some(client),
        })
    }

    fn c(&mut self) -> Result<&mut Client, LedgerError> {
        self.client
            .as_mut()
            .ok_or_else(|| LedgerError::Sql("connection closed".into()))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = std::thread::spawn(move || drop(client)).join();
        }
    }
}

fn row_from(r: &postgres::Row) -> Result<Row, postgres::Error> {
    Ok(Row {
        id: r.try_get(0)?,
        checked_at: r.try_get(1)?,
        path: r.try_get(2)?,
        sha256: r.try_get(3)?,
        size: r.try_get(4)?,
        verdict: r.try_get(5)?,
        reasons: r.try_get(6)?,
        fields: r.try_get(7)?,
        management_number: r.try_get(8)?,
        name: r.try_get(9)?,
        id_number: r.try_get(10)?,
        mn_key: r.try_get(11)?,
        name_key: r.try_get(12)?,
        id_key: r.try_get(13)?,
        conflicts: r.try_get(14)?,
        record: r.try_get(15)?,
        operator: r.try_get(16)?,
        desk: r.try_get(17)?,
        certcheck_version: r.try_get(18)?,
        trust_fingerprint: r.try_get(19)?,
        confirmation: r.try_get(20)?,
        confirmed_at: r.try_get(21)?,
    })
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
        let candidates = tx
            .query(
                CANDIDATES,
                &[
                    &lookup.mn_key,
                    &lookup.id_key,
                    &lookup.sha256,
                    &MAX_CANDIDATES,
                ],
            )?
            .iter()
            .map(|r| {
                Ok(Candidate {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    id_number: r.try_get(2)?,
                    checked_at: r.try_get(3)?,
                    path: r.try_get(4)?,
                    mn_key: r.try_get(5)?,
                    name_key: r.try_get(6)?,
                    id_key: r.try_get(7)?,
                    sha256: r.try_get(8)?,
                    has_fields: r.try_get(9)?,
                    operator: r.try_get(10)?,
                    desk: r.try_get(11)?,
                })
            })
            .collect::<Result<Vec<_>, postgres::Error>>()?;
        let mut id = 0;
        if let Some(row) = decide(candidates) {
            let sql = format!("{INSERT_ROW} RETURNING id");
            let r = tx.query_one(sql.as_str(), &row_columns(&row))?;
            id = r.try_get(0)?;
        }
        tx.commit()?;
        Ok(id)
    }

    fn confirm(&mut self, c: &ConfirmationRow) -> Result<(), LedgerError> {
        let mut tx = self.c()?.transaction()?;
        // FOR KEY SHARE: a purge cannot remove the check underneath.
        let exists = tx.query_opt(
            "SELECT id FROM checks WHERE id = $1 FOR KEY SHARE",
            &[&c.check_id],
        )?;
        if exists.is_none() {
            return Err(LedgerError::NotFound(c.check_id));
        }
        tx.execute(
            INSERT_CONFIRMATION,
            &[
                &c.check_id,
                &c.answer,
                &c.confirmed_at,
                &c.operator,
                &c.desk,
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn select(
        &mut self,
        filter: &Filter,
        newest_first: bool,
        limit: Option<i64>,
    ) -> Result<Vec<Row>, LedgerError> {
        let sql = select_sql(filter, newest_first, limit.is_some());
        let mut args: Vec<Box<dyn postgres::types::ToSql + Sync>> = match filter {
            Filter::All => vec![],
            Filter::Id(id) => vec![Box::new(*id)],
            Filter::File { sha256, path } => vec![Box::new(sha256.clone()), Box::new(path.clone())],
            Filter::MnKey(k) | Filter::IdKey(k) => vec![Box::new(k.clone())],
        };
        if let Some(n) = limit {
            args.push(Box::new(n));
        }
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
            args.iter().map(|a| a.as_ref()).collect();
        let rows = self.c()?.query(sql.as_str(), &refs)?;
        Ok(rows.iter().map(row_from).collect::<Result<Vec<_>, _>>()?)
    }

    fn confirmations(&mut self) -> Result<Vec<ConfirmationRow>, LedgerError> {
        let rows = self.c()?.query(CONFIRMATION_COLUMNS, &[])?;
        Ok(rows
            .iter()
            .map(|r| {
                Ok(ConfirmationRow {
                    id: r.try_get(0)?,
                    check_id: r.try_get(1)?,
                    answer: r.try_get(2)?,
                    confirmed_at: r.try_get(3)?,
                    operator: r.try_get(4)?,
                    desk: r.try_get(5)?,
                })
            })
            .collect::<Result<Vec<_>, postgres::Error>>()?)
    }

    fn answers_for(&mut self, mn_key: &str) -> Result<Vec<ConfirmationRow>, LedgerError> {
        let rows = self
            .c()?
            .query(ANSWERS_FOR_MN, &[&mn_key, &MAX_CANDIDATES])?;
        Ok(rows
            .iter()
            .map(|r| {
                Ok(ConfirmationRow {
                    id: r.try_get(0)?,
                    check_id: r.try_get(1)?,
                    answer: r.try_get(2)?,
                    confirmed_at: r.try_get(3)?,
                    operator: r.try_get(4)?,
                    desk: r.try_get(5)?,
                })
            })
            .collect::<Result<Vec<_>, postgres::Error>>()?)
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
            let mut params: Vec<&(dyn ToSql + Sync)> = vec![&row.id];
            params.extend(row_columns(row));
            tx.execute(&insert, &params)?;
        }
        let insert = tx.prepare(IMPORT_CONFIRMATION)?;
        for c in confirmations {
            tx.execute(
                &insert,
                &[
                    &c.id,
                    &c.check_id,
                    &c.answer,
                    &c.confirmed_at,
                    &c.operator,
                    &c.desk,
                ],
            )?;
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

/// A check's columns in the order of INSERT_ROW (IMPORT_ROW puts `id`
/// before them): written once, so the two inserts cannot drift apart.
fn row_columns(row: &Row) -> [&(dyn ToSql + Sync); 19] {
    [
        &row.checked_at,
        &row.path,
        &row.sha256,
        &row.size,
        &row.verdict,
        &row.reasons,
        &row.fields,
        &row.management_number,
        &row.name,
        &row.id_number,
        &row.mn_key,
        &row.name_key,
        &row.id_key,
        &row.conflicts,
        &row.record,
        &row.operator,
        &row.desk,
        &row.certcheck_version,
        &row.trust_fingerprint,
    ]
}
