//! The one interface both ledger engines implement. Everything that
//! decides something (which earlier checks conflict, what is stored in
//! hashed mode) lives above it, in `ledger/mod.rs`; a backend only stores,
//! serialises writers and reads back.

use super::LedgerError;

/// A stored value: what both engines read back from a column.
pub(crate) trait Value:
    for<'a> postgres::types::FromSql<'a> + rusqlite::types::FromSql
{
}
impl<T: for<'a> postgres::types::FromSql<'a> + rusqlite::types::FromSql> Value for T {}

/// A row as an engine returns it, read by column number: the readers
/// below are written once for both engines.
pub(crate) trait Columns {
    type Error;
    fn col<T: Value>(&self, i: usize) -> Result<T, Self::Error>;
}

/// A stored value as a statement parameter: each engine binds it through
/// its own `ToSql`, the import checksum writes it as JSON.
pub(crate) trait Stored: postgres::types::ToSql + Sync + rusqlite::ToSql {
    fn json(&self) -> serde_json::Value;
}

impl<T: postgres::types::ToSql + Sync + rusqlite::ToSql + serde::Serialize> Stored for T {
    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// One statement parameter, borrowed from a row: each column list below is
/// written once, for both engines' inserts and for the import checksum.
pub(crate) type Param<'a> = &'a dyn Stored;

/// `columns` with the id first: the order of the IMPORT_* statements.
fn with_id<'a>(id: &'a i64, columns: Vec<Param<'a>>) -> Vec<Param<'a>> {
    std::iter::once(id as Param).chain(columns).collect()
}

/// A check as it is stored: one row of `checks`, plus (when read back) the
/// latest answer recorded from the online check.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Row {
    pub id: i64,
    pub checked_at: String,
    pub path: String,
    pub sha256: Option<String>,
    pub size: Option<i64>,
    pub verdict: String,
    pub reasons: String,
    pub fields: Option<String>,
    pub management_number: Option<String>,
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub mn_key: Option<String>,
    pub name_key: Option<String>,
    pub id_key: Option<String>,
    pub conflicts: String,
    pub record: String,
    pub operator: Option<String>,
    pub desk: Option<String>,
    pub certcheck_version: Option<String>,
    pub trust_fingerprint: Option<String>,
    /// Read back only: the latest confirmation of this check.
    pub confirmation: Option<String>,
    pub confirmed_at: Option<String>,
}

/// One answer from the official online check: an entry of its own that
/// refers to the check it confirms (the check itself is never updated).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ConfirmationRow {
    pub id: i64,
    pub check_id: i64,
    pub answer: String,
    pub confirmed_at: String,
    pub operator: Option<String>,
    pub desk: Option<String>,
}

/// A person's correction of a check, as stored: the public [`Correction`].
pub(crate) type CorrectionRow = super::Correction;

/// An earlier check that may conflict with a new one: every check that
/// shares its 管理号 key, ID number key or file hash.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate {
    pub id: i64,
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub checked_at: String,
    pub path: String,
    pub mn_key: Option<String>,
    pub name_key: Option<String>,
    pub id_key: Option<String>,
    pub sha256: Option<String>,
    pub has_fields: bool,
    pub operator: Option<String>,
    pub desk: Option<String>,
}

impl Row {
    /// One row of [`ROW_COLUMNS`].
    pub fn read<R: Columns>(r: &R) -> Result<Row, R::Error> {
        Ok(Row {
            id: r.col(0)?,
            checked_at: r.col(1)?,
            path: r.col(2)?,
            sha256: r.col(3)?,
            size: r.col(4)?,
            verdict: r.col(5)?,
            reasons: r.col(6)?,
            fields: r.col(7)?,
            management_number: r.col(8)?,
            name: r.col(9)?,
            id_number: r.col(10)?,
            mn_key: r.col(11)?,
            name_key: r.col(12)?,
            id_key: r.col(13)?,
            conflicts: r.col(14)?,
            record: r.col(15)?,
            operator: r.col(16)?,
            desk: r.col(17)?,
            certcheck_version: r.col(18)?,
            trust_fingerprint: r.col(19)?,
            confirmation: r.col(20)?,
            confirmed_at: r.col(21)?,
        })
    }

    /// The parameters of [`INSERT_ROW`], in its order.
    pub fn columns(&self) -> Vec<Param<'_>> {
        vec![
            &self.checked_at,
            &self.path,
            &self.sha256,
            &self.size,
            &self.verdict,
            &self.reasons,
            &self.fields,
            &self.management_number,
            &self.name,
            &self.id_number,
            &self.mn_key,
            &self.name_key,
            &self.id_key,
            &self.conflicts,
            &self.record,
            &self.operator,
            &self.desk,
            &self.certcheck_version,
            &self.trust_fingerprint,
        ]
    }

    /// The parameters of [`IMPORT_ROW`]: the id, then [`Row::columns`].
    pub fn import_columns(&self) -> Vec<Param<'_>> {
        with_id(&self.id, self.columns())
    }
}

impl ConfirmationRow {
    /// One row of [`CONFIRMATION_COLUMNS`] or [`ANSWERS_FOR_MN`].
    pub fn read<R: Columns>(r: &R) -> Result<ConfirmationRow, R::Error> {
        Ok(ConfirmationRow {
            id: r.col(0)?,
            check_id: r.col(1)?,
            answer: r.col(2)?,
            confirmed_at: r.col(3)?,
            operator: r.col(4)?,
            desk: r.col(5)?,
        })
    }

    /// The parameters of [`INSERT_CONFIRMATION`].
    pub fn columns(&self) -> Vec<Param<'_>> {
        vec![
            &self.check_id,
            &self.answer,
            &self.confirmed_at,
            &self.operator,
            &self.desk,
        ]
    }

    /// The parameters of [`IMPORT_CONFIRMATION`].
    pub fn import_columns(&self) -> Vec<Param<'_>> {
        with_id(&self.id, self.columns())
    }
}

impl CorrectionRow {
    /// One row of [`CORRECTION_COLUMNS`].
    pub(crate) fn read<R: Columns>(r: &R) -> Result<CorrectionRow, R::Error> {
        Ok(CorrectionRow {
            id: r.col(0)?,
            check_id: r.col(1)?,
            reason: r.col(2)?,
            verdict: r.col(3)?,
            answer: r.col(4)?,
            corrected_at: r.col(5)?,
            operator: r.col(6)?,
            desk: r.col(7)?,
        })
    }

    /// The parameters of [`INSERT_CORRECTION`].
    pub(crate) fn columns(&self) -> Vec<Param<'_>> {
        vec![
            &self.check_id,
            &self.reason,
            &self.verdict,
            &self.answer,
            &self.corrected_at,
            &self.operator,
            &self.desk,
        ]
    }

    /// The parameters of [`IMPORT_CORRECTION`].
    pub(crate) fn import_columns(&self) -> Vec<Param<'_>> {
        with_id(&self.id, self.columns())
    }
}

impl Candidate {
    /// One row of [`CANDIDATES`].
    pub fn read<R: Columns>(r: &R) -> Result<Candidate, R::Error> {
        Ok(Candidate {
            id: r.col(0)?,
            name: r.col(1)?,
            id_number: r.col(2)?,
            checked_at: r.col(3)?,
            path: r.col(4)?,
            mn_key: r.col(5)?,
            name_key: r.col(6)?,
            id_key: r.col(7)?,
            sha256: r.col(8)?,
            has_fields: r.col(9)?,
            operator: r.col(10)?,
            desk: r.col(11)?,
        })
    }
}

/// What the candidates of a new check are looked up by.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lookup {
    pub mn_key: Option<String>,
    pub id_key: Option<String>,
    pub sha256: Option<String>,
}

impl Lookup {
    /// The advisory-lock numbers of this lookup, sorted (so two writers
    /// take shared locks in the same order and cannot deadlock). Any two
    /// checks that could conflict share one of these keys, so they are
    /// serialised.
    pub fn lock_ids(&self) -> Vec<i64> {
        use sha2::{Digest, Sha256};
        let mut ids: Vec<i64> = [
            ("mn", &self.mn_key),
            ("id", &self.id_key),
            ("sha", &self.sha256),
        ]
        .iter()
        .filter_map(|(kind, v)| v.as_ref().map(|v| (kind, v)))
        .map(|(kind, v)| {
            let d = Sha256::digest(format!("certcheck-ledger:{kind}:{v}").as_bytes());
            let mut b = [0u8; 8];
            for (to, from) in b.iter_mut().zip(d.iter()) {
                *to = *from;
            }
            i64::from_be_bytes(b)
        })
        .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// Which checks to read.
#[derive(Debug, Clone)]
pub(crate) enum Filter {
    All,
    Id(i64),
    /// The history of one file: its hash, or the path it was checked under.
    File {
        sha256: Option<String>,
        path: String,
    },
    MnKey(String),
    IdKey(String),
}

impl Filter {
    /// The parameters of [`select_sql`]'s WHERE clause.
    pub fn params(&self) -> Vec<Param<'_>> {
        match self {
            Filter::All => vec![],
            Filter::Id(id) => vec![id],
            Filter::File { sha256, path } => vec![sha256, path],
            Filter::MnKey(k) | Filter::IdKey(k) => vec![k],
        }
    }
}

/// The most candidates read for one new check: a file checked thousands
/// of times still costs one bounded read.
pub(crate) const MAX_CANDIDATES: i64 = 5_000;

pub(crate) type Decide<'a> = dyn FnMut(Vec<Candidate>) -> Option<Row> + 'a;

pub(crate) trait Backend: Send {
    /// Applies the migrations not yet applied; returns their versions.
    fn migrate(&mut self) -> Result<Vec<i64>, LedgerError>;
    /// The highest applied migration.
    fn schema_version(&mut self) -> Result<i64, LedgerError>;
    fn meta(&mut self, key: &str) -> Result<Option<String>, LedgerError>;
    /// Sets `key` unless it is set already (the first writer wins).
    fn init_meta(&mut self, key: &str, value: &str) -> Result<(), LedgerError>;
    /// In one transaction that serialises every writer sharing a key of
    /// `lookup`: reads the candidates, lets `decide` choose the row to
    /// insert (None: compare only), inserts it. Returns its id (0: none).
    fn record(&mut self, lookup: &Lookup, decide: &mut Decide<'_>) -> Result<i64, LedgerError>;
    /// Appends a confirmation; NotFound when the check does not exist.
    fn confirm(&mut self, c: &ConfirmationRow) -> Result<(), LedgerError>;
    /// The checks `filter` picks, oldest (or newest) first, at most `limit`.
    fn select(
        &mut self,
        filter: &Filter,
        newest_first: bool,
        limit: Option<i64>,
    ) -> Result<Vec<Row>, LedgerError> {
        let mut params = filter.params();
        params.extend(limit.as_ref().map(|n| n as Param));
        self.rows(&select_sql(filter, newest_first, limit.is_some()), &params)
    }
    /// The rows of a read of `checks` (`sql` with $1.. parameters).
    fn rows(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, LedgerError>;
    /// Every confirmation, oldest first.
    fn confirmations(&mut self) -> Result<Vec<ConfirmationRow>, LedgerError>;
    /// The confirmations of the checks with this 管理号 key, oldest first
    /// (at most [`MAX_CANDIDATES`]).
    fn answers_for(&mut self, mn_key: &str) -> Result<Vec<ConfirmationRow>, LedgerError>;
    fn count(&mut self) -> Result<i64, LedgerError>;
    /// How the ledger is reached, in words (a file, or a network session
    /// and whether it is encrypted).
    fn transport(&mut self) -> Result<String, LedgerError> {
        Ok("a local file".to_string())
    }
    /// Appends a correction; returns its id, NotFound when the check does
    /// not exist.
    fn correct(&mut self, c: &CorrectionRow) -> Result<i64, LedgerError>;
    /// The corrections of one check (None: every correction), oldest first.
    fn corrections(&mut self, check_id: Option<i64>) -> Result<Vec<CorrectionRow>, LedgerError>;
    /// Copies corrections in as they are (same ids), after [`Backend::import`].
    fn import_corrections(&mut self, corrections: &[CorrectionRow]) -> Result<(), LedgerError>;
    /// Removes checks made before `before` (RFC 3339) and their
    /// confirmations; returns how many checks.
    fn purge(&mut self, before: &str) -> Result<u64, LedgerError>;
    /// Copies rows and confirmations in as they are (same ids), in one
    /// transaction, into an empty ledger.
    fn import(
        &mut self,
        rows: &[Row],
        confirmations: &[ConfirmationRow],
    ) -> Result<(), LedgerError>;
}

/// The columns every read of `checks` returns, in [`Row`] order.
pub(crate) const ROW_COLUMNS: &str = "id, checked_at, path, sha256, size, verdict, reasons, fields, \
    management_number, name, id_number, mn_key, name_key, id_key, conflicts, record, \
    operator, desk, certcheck_version, trust_fingerprint, \
    (SELECT c.answer FROM confirmations c WHERE c.check_id = checks.id ORDER BY c.id DESC LIMIT 1), \
    (SELECT c.confirmed_at FROM confirmations c WHERE c.check_id = checks.id ORDER BY c.id DESC LIMIT 1)";

/// The insert of a new check ($1..$20 in [`Row`] order, without id).
pub(crate) const INSERT_ROW: &str = "INSERT INTO checks (checked_at, path, sha256, size, verdict, \
    reasons, fields, management_number, name, id_number, mn_key, name_key, id_key, conflicts, \
    record, operator, desk, certcheck_version, trust_fingerprint) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)";

/// The insert of an imported check, keeping its id ($1 is the id).
pub(crate) const IMPORT_ROW: &str = "INSERT INTO checks (id, checked_at, path, sha256, size, \
    verdict, reasons, fields, management_number, name, id_number, mn_key, name_key, id_key, \
    conflicts, record, operator, desk, certcheck_version, trust_fingerprint) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)";

pub(crate) const CANDIDATES: &str = "SELECT id, name, id_number, checked_at, path, mn_key, \
    name_key, id_key, sha256, fields IS NOT NULL, operator, desk FROM checks \
    WHERE mn_key = $1 OR id_key = $2 OR sha256 = $3 ORDER BY id LIMIT $4";

pub(crate) const INSERT_CONFIRMATION: &str = "INSERT INTO confirmations \
    (check_id, answer, confirmed_at, operator, desk) VALUES ($1, $2, $3, $4, $5)";

pub(crate) const IMPORT_CONFIRMATION: &str = "INSERT INTO confirmations \
    (id, check_id, answer, confirmed_at, operator, desk) VALUES ($1, $2, $3, $4, $5, $6)";

pub(crate) const ANSWERS_FOR_MN: &str = "SELECT c.id, c.check_id, c.answer, c.confirmed_at, \
    c.operator, c.desk FROM confirmations c JOIN checks k ON k.id = c.check_id \
    WHERE k.mn_key = $1 ORDER BY c.id LIMIT $2";

pub(crate) const INSERT_CORRECTION: &str = "INSERT INTO corrections \
    (check_id, reason, verdict, answer, corrected_at, operator, desk) \
    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

pub(crate) const IMPORT_CORRECTION: &str = "INSERT INTO corrections \
    (id, check_id, reason, verdict, answer, corrected_at, operator, desk) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// The corrections of check $1, or every one when $1 is NULL.
pub(crate) const CORRECTION_COLUMNS: &str = "SELECT id, check_id, reason, verdict, answer, \
    corrected_at, operator, desk FROM corrections \
    WHERE $1 IS NULL OR check_id = $1 ORDER BY id";

pub(crate) const CONFIRMATION_COLUMNS: &str =
    "SELECT id, check_id, answer, confirmed_at, operator, desk FROM confirmations ORDER BY id";

/// The WHERE clause of a filter ($1.. parameters) and its ORDER BY.
fn select_sql(filter: &Filter, newest_first: bool, limit: bool) -> String {
    let cond = match filter {
        Filter::All => "TRUE",
        Filter::Id(_) => "id = $1",
        Filter::File { .. } => "(sha256 = $1 OR path = $2)",
        Filter::MnKey(_) => "mn_key = $1",
        Filter::IdKey(_) => "id_key = $1",
    };
    let order = if newest_first { "DESC" } else { "ASC" };
    let n = match filter {
        Filter::All => 1,
        Filter::File { .. } => 3,
        _ => 2,
    };
    let limit = if limit {
        format!(" LIMIT ${n}")
    } else {
        String::new()
    };
    format!("SELECT {ROW_COLUMNS} FROM checks WHERE {cond} ORDER BY id {order}{limit}")
}
