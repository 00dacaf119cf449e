//! The ledger of checks: every check recorded, and each new one compared
//! with what the ledger has seen — at one desk (SQLite, the default) or
//! across many desks sharing one PostgreSQL database.
//!
//! Both engines sit behind one interface ([`backend::Backend`]); what
//! counts as a conflict is decided here, once, for both ([`decide`]), and
//! so is what is stored in hashed mode ([`privacy`]). A backend only stores
//! rows, serialises writers that share a key, and reads rows back.
//!
//! Conflicts (SPEC.md "The ledger"): `management_number_other_holder` (the
//! same 管理号 seen with another name or ID number),
//! `id_number_other_name` (the same ID number with another name),
//! `same_file_other_holder` (the same SHA-256 with other fields). Values are
//! compared after NFKC normalisation, with spaces removed and letters
//! upper-cased, so a full-width or lower-case copy of a number still matches.
//!
//! Entries are append-only: a check is never changed once written (the
//! database refuses an UPDATE), and the answer from the official online
//! check is an entry of its own that refers to the check. Only
//! `ledger purge` removes entries, by age.

mod backend;
mod export;
mod pg_tls;
mod postgres;
pub mod privacy;
mod schema;
mod sqlite;

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use thiserror::Error;
use time::OffsetDateTime;
use unicode_normalization::UnicodeNormalization;

use crate::online::Confirmation;
use crate::report::{
    Code, Fields, LedgerAnswer, LedgerConflict, LedgerEarlier, LedgerInfo, Reason, Record,
};
use crate::trust::TrustStore;
use backend::{Backend, Candidate, ConfirmationRow, CorrectionRow, Filter, Lookup, Param, Row};
pub use export::{
    list_line, ExportFilter, ExportFormat, ExportStyle, EXPORT_HEADER, EXPORT_HEADER_ZH,
};
pub use privacy::{HashKey, Privacy, PrivacyMode, KEY_ENV};

/// The environment variable that relocates the default ledger's dir.
pub const DATA_DIR_ENV: &str = "CERTCHECK_DATA_DIR";

/// The environment variable that names this desk in the ledger (else the
/// host name).
pub const DESK_ENV: &str = "CERTCHECK_DESK";

/// Earlier holders reported per conflict kind; the rest are counted in the
/// ledger, not repeated in every record.
const MAX_CONFLICTS_PER_KIND: usize = 10;

#[derive(Debug, Error)]
pub enum LedgerError {
    #[error("ledger {location}: {message}")]
    Open { location: String, message: String },
    #[error("ledger: {0}")]
    Sql(String),
    #[error("ledger: no check with id {0}")]
    NotFound(i64),
    #[error("ledger: {0}")]
    Io(String),
    #[error("ledger: {0}")]
    Privacy(String),
    #[error("ledger: the target already holds {0} checks; import needs an empty ledger")]
    NotEmpty(i64),
    #[error("ledger: import check failed: {0}")]
    Import(String),
    #[error("ledger: {0}")]
    Usage(String),
}

/// Where a ledger is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://user@host/db`).
    Postgres(String),
}

impl Location {
    /// A `postgres://` or `postgresql://` URL is PostgreSQL; anything else
    /// is the path of an SQLite file.
    pub fn parse(s: &str) -> Location {
        let lower = s.get(..13).unwrap_or(s).to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Location::Postgres(s.to_string())
        } else {
            Location::Sqlite(PathBuf::from(s))
        }
    }

    /// For messages: the path, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(p) => p.display().to_string(),
            Location::Postgres(url) => redact_password(url),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let Some(at) = rest.find('@') else {
        return url.to_string();
    };
    match rest[..at].find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end],
            &rest[..colon],
            &rest[at..]
        ),
        None => url.to_string(),
    }
}

/// Which ledger, and how it keeps personal data. What `--ledger`, the
/// config file and `certcheck serve` carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerConfig {
    pub location: Location,
    pub privacy: Privacy,
}

impl LedgerConfig {
    pub fn new(location: Location, privacy: Privacy) -> Self {
        LedgerConfig { location, privacy }
    }
}

impl From<PathBuf> for LedgerConfig {
    fn from(p: PathBuf) -> Self {
        LedgerConfig::new(Location::Sqlite(p), Privacy::Clear)
    }
}

impl From<&Path> for LedgerConfig {
    fn from(p: &Path) -> Self {
        LedgerConfig::from(p.to_path_buf())
    }
}

impl From<&PathBuf> for LedgerConfig {
    fn from(p: &PathBuf) -> Self {
        LedgerConfig::from(p.clone())
    }
}

impl From<&LedgerConfig> for LedgerConfig {
    fn from(c: &LedgerConfig) -> Self {
        c.clone()
    }
}

/// Who made a check, and with what: written on every entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stamp {
    pub operator: String,
    pub desk: String,
    pub certcheck_version: String,
    pub trust_fingerprint: String,
}

impl Stamp {
    /// `operator` (else the login name) at `desk` (else `$CERTCHECK_DESK`,
    /// else the host name), this build, and the fingerprint of `trust`.
    pub fn new(operator: Option<&str>, desk: Option<&str>, trust: &TrustStore) -> Stamp {
        let operator = operator
            .map(str::to_string)
            .filter(|s| !s.trim().is_empty())
            .or_else(|| std::env::var("USER").ok())
            .or_else(|| std::env::var("USERNAME").ok())
            .unwrap_or_default();
        let desk = desk
            .map(str::to_string)
            .filter(|s| !s.trim().is_empty())
            .or_else(|| std::env::var(DESK_ENV).ok().filter(|s| !s.is_empty()))
            .unwrap_or_else(host_name);
        Stamp {
            operator,
            desk,
            certcheck_version: env!("CARGO_PKG_VERSION").to_string(),
            trust_fingerprint: trust_fingerprint(trust),
        }
    }
}

fn host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

/// `sha256:` and the SHA-256 of the known issuers' SPKI hashes, sorted:
/// two desks with the same issuers have the same fingerprint, whatever
/// the order or the file names they were loaded from.
pub fn trust_fingerprint(trust: &TrustStore) -> String {
    let mut spkis: Vec<String> = trust
        .issuers
        .iter()
        .map(|i| hex::encode(i.spki_sha256))
        .collect();
    spkis.sort();
    spkis.dedup();
    let mut h = Sha256::new();
    for s in &spkis {
        h.update(s.as_bytes());
        h.update(b"\n");
    }
    format!("sha256:{}", hex::encode(h.finalize()))
}

/// An open ledger.
pub struct Ledger {
    location: Location,
    backend: RefCell<Box<dyn Backend>>,
    /// Whether names and ID numbers are kept only as keyed hashes.
    hashed: bool,
    /// The key (always there when writing a hashed ledger).
    key: Option<HashKey>,
    stamp: Stamp,
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
    pub operator: Option<String>,
    pub desk: Option<String>,
    pub certcheck_version: Option<String>,
    pub trust_fingerprint: Option<String>,
    /// The whole record (only `show` includes it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<serde_json::Value>,
    /// The corrections of this check, oldest first (only `show` reads them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<Correction>,
}

/// A person's correction of a check: an entry of its own, referring to
/// the check by `check_id`; the latest one stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    pub id: i64,
    pub check_id: i64,
    /// Why the entry is wrong.
    pub reason: String,
    /// The verdict the person holds right, if the correction gives one.
    pub verdict: Option<String>,
    /// The online answer as corrected, if the correction gives one.
    pub answer: Option<String>,
    pub corrected_at: String,
    pub operator: Option<String>,
    pub desk: Option<String>,
}

/// Whose history `ledger show` gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryOf {
    /// A file: every check of the same bytes, or under the same path.
    File {
        sha256: Option<String>,
        path: String,
    },
    ManagementNumber(String),
    IdNumber(String),
}

/// What `ledger import` moved and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub checks: i64,
    pub confirmations: i64,
    pub corrections: i64,
    /// SHA-256 over every stored column of every entry, the same on both sides.
    pub checksum: String,
}

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

    /// Opens the ledger for checks, creating it (an SQLite file and its
    /// dirs, or the tables of an empty PostgreSQL database) and applying
    /// any migration not yet applied. Entries are stamped with the login
    /// name and host until [`Ledger::set_stamp`] says otherwise.
    pub fn open<C: Into<LedgerConfig>>(config: C) -> Result<Ledger, LedgerError> {
        let config = config.into();
        Ledger::open_with(config.location, |b| settle_privacy(b, &config.privacy))
    }

    /// Opens an existing ledger to read it: an SQLite file that is not
    /// there is not created. Hashed or not is the ledger's own setting;
    /// the key (from `config`) is only needed to look an ID number up.
    pub fn open_existing<C: Into<LedgerConfig>>(config: C) -> Result<Ledger, LedgerError> {
        let config = config.into();
        if let Location::Sqlite(p) = &config.location {
            if !p.is_file() {
                return Err(LedgerError::Open {
                    location: config.location.describe(),
                    message: "no ledger here (run verify with --ledger first)".into(),
                });
            }
        }
        Ledger::open_with(config.location, |b| ledger_privacy(b, &config.privacy))
    }

    /// Opens (creating and migrating) the target of `ledger import`,
    /// leaving its privacy setting to be copied from the source.
    pub fn open_import_target<C: Into<LedgerConfig>>(config: C) -> Result<Ledger, LedgerError> {
        Ledger::open_with(config.into().location, |_| Ok((false, None)))
    }

    /// Connects to `location`, applies any migration not yet applied and
    /// lets `privacy` say whether the ledger is hashed and with what key.
    /// A failure after connecting is an Open error naming the location.
    fn open_with(
        location: Location,
        privacy: impl FnOnce(&mut dyn Backend) -> Result<(bool, Option<HashKey>), LedgerError>,
    ) -> Result<Ledger, LedgerError> {
        let mut backend = connect(&location)?;
        let (hashed, key) = migrate(backend.as_mut())
            .and_then(|()| privacy(backend.as_mut()))
            .map_err(|e| LedgerError::Open {
                location: location.describe(),
                message: e.to_string(),
            })?;
        Ok(Ledger {
            location,
            backend: RefCell::new(backend),
            hashed,
            key,
            stamp: Stamp::new(None, None, &TrustStore::default()),
        })
    }

    /// Opens an existing ledger only to read it (`ledger list`, `show`,
    /// `export`): an SQLite file is opened read-only, nothing is created
    /// and no migration runs, so read access to the file is enough. A
    /// ledger at an older schema than this build's is refused with what to
    /// do, since its rows would be read with the wrong columns.
    pub fn open_read_only<C: Into<LedgerConfig>>(config: C) -> Result<Ledger, LedgerError> {
        let config = config.into();
        let Location::Sqlite(path) = &config.location else {
            return Ledger::open_existing(config);
        };
        let open_err = |message: String| LedgerError::Open {
            location: config.location.describe(),
            message,
        };
        if !path.is_file() {
            return Err(open_err(
                "no ledger here (run verify with --ledger first)".into(),
            ));
        }
        let mut backend: Box<dyn Backend> =
            Box::new(sqlite::Sqlite::open_read_only(path).map_err(open_err)?);
        let version = backend
            .schema_version()
            .map_err(|e| open_err(e.to_string()))?;
        if version < schema::latest() {
            return Err(open_err(format!(
                "the ledger is at schema version {version}, this certcheck reads {}: \
                 run `certcheck ledger migrate` once with write access",
                schema::latest()
            )));
        }
        let (hashed, key) = ledger_privacy(backend.as_mut(), &config.privacy)
            .map_err(|e| open_err(e.to_string()))?;
        Ok(Ledger {
            location: config.location,
            backend: RefCell::new(backend),
            hashed,
            key,
            stamp: Stamp::new(None, None, &TrustStore::default()),
        })
    }

    /// Who and what the following entries are recorded with.
    pub fn set_stamp(&mut self, stamp: Stamp) {
        self.stamp = stamp;
    }

    pub fn stamp(&self) -> &Stamp {
        &self.stamp
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Whether names and ID numbers are stored only as keyed hashes.
    pub fn is_hashed(&self) -> bool {
        self.hashed
    }

    /// The schema version the ledger is at.
    pub fn schema_version(&self) -> Result<i64, LedgerError> {
        self.backend.borrow_mut().schema_version()
    }

    /// How the ledger is reached: a local file, or a PostgreSQL session
    /// and whether the server reports it encrypted.
    pub fn transport(&self) -> Result<String, LedgerError> {
        self.backend.borrow_mut().transport()
    }

    /// Applies the migrations not yet applied (opening already did; this
    /// reports the version).
    pub fn migrate(&self) -> Result<Vec<i64>, LedgerError> {
        self.backend.borrow_mut().migrate()
    }

    /// Compares `record` with what the ledger holds (filling `record.ledger`
    /// and adding a `ledger_conflict` reason per conflict) and, unless
    /// `write` is false, records it. Without writing, `ledger.id` is 0.
    pub fn check_and_record(
        &mut self,
        record: &mut Record,
        write: bool,
    ) -> Result<(), LedgerError> {
        if write && self.hashed && self.key.is_none() {
            return Err(LedgerError::Privacy(
                "this ledger is hashed and no key was given".into(),
            ));
        }
        let keys = Keys::of(record.fields.as_ref(), self.key.as_ref());
        let lookup = Lookup {
            mn_key: keys.management_number.clone(),
            id_key: keys.id_number.clone(),
            sha256: record.sha256.clone(),
        };
        let mut conflicts = Vec::new();
        let id = {
            let record: &Record = record;
            let stamp = &self.stamp;
            let key = self.key.as_ref().filter(|_| self.hashed);
            let mut decide_and_build = |candidates: Vec<Candidate>| {
                conflicts = decide(record, &keys, &candidates);
                write.then(|| new_row(record, &keys, &conflicts, stamp, key))
            };
            self.backend
                .borrow_mut()
                .record(&lookup, &mut decide_and_build)?
        };
        for c in &conflicts {
            record
                .reasons
                .push(Reason::detail(Code::LedgerConflict, describe(c)));
        }
        let earlier_answers = match &keys.management_number {
            Some(mn) => self
                .backend
                .borrow_mut()
                .answers_for(mn)?
                .into_iter()
                .filter(|a| a.check_id != id)
                .map(|a| LedgerAnswer {
                    check_id: a.check_id,
                    answer: a.answer,
                    confirmed_at: a.confirmed_at,
                    operator: a.operator,
                    desk: a.desk,
                })
                .collect(),
            None => Vec::new(),
        };
        record.ledger = Some(LedgerInfo {
            id,
            conflicts,
            earlier_answers,
        });
        Ok(())
    }

    /// Records a person's answer from the official check on check `id`:
    /// a new entry referring to the check (the check is not changed).
    pub fn record_confirmation(
        &mut self,
        id: i64,
        answer: Confirmation,
    ) -> Result<(), LedgerError> {
        self.backend.borrow_mut().confirm(&ConfirmationRow {
            id: 0,
            check_id: id,
            answer: answer.as_str().to_string(),
            confirmed_at: now_rfc3339(),
            operator: Some(self.stamp.operator.clone()),
            desk: Some(self.stamp.desk.clone()),
        })
    }

    /// The latest `limit` checks, newest first.
    pub fn list(&self, limit: usize) -> Result<Vec<Entry>, LedgerError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .backend
            .borrow_mut()
            .select(&Filter::All, true, Some(limit))?;
        let mut entries: Vec<Entry> = rows.into_iter().map(|r| entry_from(r, false)).collect();
        // A corrected check must not be listed as if its verdict stood.
        for e in &mut entries {
            e.corrections = self.backend.borrow_mut().corrections(Some(e.id))?;
        }
        Ok(entries)
    }

    /// One check, with its whole record and its corrections (the chain of
    /// entries that correct it, oldest first).
    pub fn get(&self, id: i64) -> Result<Entry, LedgerError> {
        let rows = self
            .backend
            .borrow_mut()
            .select(&Filter::Id(id), false, None)?;
        let mut entry = rows
            .into_iter()
            .next()
            .map(|r| entry_from(r, true))
            .ok_or(LedgerError::NotFound(id))?;
        entry.corrections = self.backend.borrow_mut().corrections(Some(id))?;
        Ok(entry)
    }

    /// Every check of a file, 管理号 or ID number, at every desk, oldest
    /// first.
    pub fn history(&self, of: &HistoryOf) -> Result<Vec<Entry>, LedgerError> {
        let filter = match of {
            HistoryOf::File { sha256, path } => Filter::File {
                sha256: sha256.clone(),
                path: path.clone(),
            },
            HistoryOf::ManagementNumber(m) => match normalise(m) {
                Some(k) => Filter::MnKey(k),
                None => return Ok(Vec::new()),
            },
            HistoryOf::IdNumber(n) => {
                let Some(k) = normalise(n) else {
                    return Ok(Vec::new());
                };
                match (self.hashed, &self.key) {
                    (false, _) => Filter::IdKey(k),
                    (true, Some(key)) => Filter::IdKey(key.mac(&k)),
                    (true, None) => {
                        return Err(LedgerError::Privacy(format!(
                            "this ledger keeps ID numbers hashed: looking one up needs the key \
                             (--ledger-privacy hashed and ${KEY_ENV} or ledger_key in the config)"
                        )))
                    }
                }
            }
        };
        let rows = self.backend.borrow_mut().select(&filter, false, None)?;
        Ok(rows.into_iter().map(|r| entry_from(r, false)).collect())
    }

    /// How many checks the ledger holds.
    pub fn count(&self) -> Result<i64, LedgerError> {
        self.backend.borrow_mut().count()
    }

    /// Removes every check made before `before` (a date, `2026-01-31`, or
    /// an RFC 3339 time) with its confirmations. Returns how many checks.
    pub fn purge(&self, before: &str) -> Result<u64, LedgerError> {
        let cutoff = parse_cutoff(before)?;
        self.backend.borrow_mut().purge(&cutoff)
    }

    /// Copies every entry of `source` into this (empty) ledger, ids kept,
    /// and checks that both now hold the same count and checksum.
    pub fn import_from(&self, source: &Ledger) -> Result<ImportReport, LedgerError> {
        let (rows, confirmations, corrections) = {
            let mut src = source.backend.borrow_mut();
            (
                src.select(&Filter::All, false, None)?,
                src.confirmations()?,
                src.corrections(None)?,
            )
        };
        let before = checksum(&rows, &confirmations, &corrections);
        {
            let mut dst = self.backend.borrow_mut();
            // The target takes the source's privacy setting; a target that
            // already has another one is refused before anything is copied.
            let mode = if source.hashed {
                PrivacyMode::Hashed
            } else {
                PrivacyMode::Clear
            };
            let src_check = source.backend.borrow_mut().meta("key_check")?;
            if dst.count()? == 0 {
                dst.init_meta("privacy", mode.as_str())?;
                if let Some(k) = &src_check {
                    dst.init_meta("key_check", k)?;
                }
            }
            let dst_mode = dst.meta("privacy")?;
            if dst_mode.as_deref() != Some(mode.as_str()) || dst.meta("key_check")? != src_check {
                return Err(LedgerError::Privacy(format!(
                    "the target ledger is {} and the source {}: they must match",
                    dst_mode.unwrap_or_default(),
                    mode.as_str()
                )));
            }
            dst.import(&rows, &confirmations)?;
            dst.import_corrections(&corrections)?;
        }
        let after = self.checksum()?;
        if after != before {
            return Err(LedgerError::Import(format!(
                "source {} checks / {} confirmations, sha256 {}; target {} / {}, sha256 {}",
                before.checks,
                before.confirmations,
                before.checksum,
                after.checks,
                after.confirmations,
                after.checksum
            )));
        }
        Ok(after)
    }

    /// The count and checksum of everything stored (what import compares).
    pub fn checksum(&self) -> Result<ImportReport, LedgerError> {
        let mut b = self.backend.borrow_mut();
        Ok(checksum(
            &b.select(&Filter::All, false, None)?,
            &b.confirmations()?,
            &b.corrections(None)?,
        ))
    }

    /// Records a person's correction of check `id`: a new entry referring
    /// to it, with the reason and, if given, the verdict the person holds
    /// right and the online answer as corrected (also recorded as the
    /// latest answer). The check itself is never changed. Returns the
    /// correction's id.
    pub fn correct(
        &mut self,
        id: i64,
        reason: &str,
        verdict: Option<&str>,
        answer: Option<Confirmation>,
    ) -> Result<i64, LedgerError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(LedgerError::Usage(
                "a correction needs --reason (why the entry is wrong)".into(),
            ));
        }
        let verdict = verdict.map(verdict_name).transpose()?;
        let corrected = self.backend.borrow_mut().correct(&CorrectionRow {
            id: 0,
            check_id: id,
            reason: reason.to_string(),
            verdict,
            answer: answer.map(|a| a.as_str().to_string()),
            corrected_at: now_rfc3339(),
            operator: Some(self.stamp.operator.clone()),
            desk: Some(self.stamp.desk.clone()),
        })?;
        if let Some(a) = answer {
            self.record_confirmation(id, a)?;
        }
        Ok(corrected)
    }

    /// Writes every check, oldest first, as CSV (with [`EXPORT_HEADER`]),
    /// one JSON object per line, or an XLSX workbook.
    pub fn export<W: Write>(&self, format: ExportFormat, out: W) -> Result<(), LedgerError> {
        self.export_with(format, &ExportStyle::default(), out)
    }

    /// [`Ledger::export`] in a style (BOM and Chinese headers for Excel).
    pub fn export_with<W: Write>(
        &self,
        format: ExportFormat,
        style: &ExportStyle,
        out: W,
    ) -> Result<(), LedgerError> {
        self.export_filtered(format, style, &ExportFilter::default(), out)
    }

    /// [`Ledger::export_with`], only the checks that `filter` matches.
    pub fn export_filtered<W: Write>(
        &self,
        format: ExportFormat,
        style: &ExportStyle,
        filter: &ExportFilter,
        out: W,
    ) -> Result<(), LedgerError> {
        let keep = self.row_filter(filter)?;
        let rows = self
            .backend
            .borrow_mut()
            .select(&Filter::All, false, None)?;
        let entries: Vec<Entry> = rows
            .into_iter()
            .filter(|r| keep.matches(r))
            .map(|r| entry_from(r, false))
            .collect();
        export::write(&entries, format, style, out)
    }

    /// `filter` as the stored values it compares with: times as stored
    /// (RFC 3339, UTC), numbers and names as their keys.
    fn row_filter(&self, filter: &ExportFilter) -> Result<RowFilter, LedgerError> {
        let verdict = filter.verdict.as_deref().map(verdict_name).transpose()?;
        let personal = |value: &Option<String>, option: &str| match value {
            None => Ok(None),
            Some(v) => {
                // An empty value matches nothing, as in `ledger show`.
                let Some(k) = normalise(v) else {
                    return Ok(Some(String::new()));
                };
                match (self.hashed, &self.key) {
                    (false, _) => Ok(Some(k)),
                    (true, Some(key)) => Ok(Some(key.mac(&k))),
                    (true, None) => Err(LedgerError::Privacy(format!(
                        "this ledger keeps names and ID numbers hashed: {option} needs the key                          (--ledger-privacy hashed and ${KEY_ENV} or ledger_key in the config)"
                    ))),
                }
            }
        };
        Ok(RowFilter {
            from: filter
                .from
                .as_deref()
                .map(|f| parse_time("--from", f))
                .transpose()?,
            until: filter.to.as_deref().map(parse_end).transpose()?,
            verdict,
            mn_key: filter
                .management_number
                .as_ref()
                .map(|m| normalise(m).unwrap_or_default()),
            id_key: personal(&filter.id_number, "--id-number")?,
            name_key: personal(&filter.name, "--name")?,
        })
    }
}

/// The verdicts a check can have (as stored).
const VERDICT_NAMES: &[&str] = &[
    "authentic",
    "unsigned",
    "untrusted",
    "invalid",
    "altered",
    "malformed",
    "input_error",
];

/// An [`ExportFilter`] in stored terms; `until` is exclusive.
struct RowFilter {
    from: Option<String>,
    until: Option<String>,
    verdict: Option<String>,
    mn_key: Option<String>,
    id_key: Option<String>,
    name_key: Option<String>,
}

impl RowFilter {
    fn matches(&self, r: &Row) -> bool {
        let key = |want: &Option<String>, have: &Option<String>| {
            want.as_ref()
                .is_none_or(|w| !w.is_empty() && have.as_ref() == Some(w))
        };
        // Stored times are RFC 3339 in UTC with a Z, so they compare as text.
        self.from.as_ref().is_none_or(|f| r.checked_at >= *f)
            && self.until.as_ref().is_none_or(|u| r.checked_at < *u)
            && self.verdict.as_ref().is_none_or(|v| r.verdict == *v)
            && key(&self.mn_key, &r.mn_key)
            && key(&self.id_key, &r.id_key)
            && key(&self.name_key, &r.name_key)
    }
}

/// The first time after the end of `to`: a day ends at the next midnight,
/// an RFC 3339 time one second after it (stored times have whole seconds).
fn parse_end(to: &str) -> Result<String, LedgerError> {
    use time::format_description::well_known::Rfc3339;
    let start = parse_time("--to", to)?;
    let bad = || LedgerError::Usage(format!("--to {to:?}: give a date or an RFC 3339 time"));
    let t = OffsetDateTime::parse(&start, &Rfc3339).map_err(|_| bad())?;
    let is_day = OffsetDateTime::parse(to, &Rfc3339).is_err();
    let end = if is_day {
        t + time::Duration::days(1)
    } else {
        t + time::Duration::seconds(1)
    };
    end.format(&Rfc3339).map_err(|_| bad())
}

/// Brings the ledger to this build's schema; a ledger already at a later
/// one (a newer certcheck wrote it) is refused rather than misread.
fn migrate(b: &mut dyn Backend) -> Result<(), LedgerError> {
    b.migrate()?;
    let v = b.schema_version()?;
    if v > schema::latest() {
        return Err(LedgerError::Sql(format!(
            "schema version {v} is newer than this certcheck knows ({}); upgrade certcheck",
            schema::latest()
        )));
    }
    Ok(())
}

fn connect(location: &Location) -> Result<Box<dyn Backend>, LedgerError> {
    let err = |message: String| LedgerError::Open {
        location: location.describe(),
        message,
    };
    Ok(match location {
        Location::Sqlite(p) => Box::new(sqlite::Sqlite::open(p).map_err(err)?),
        Location::Postgres(url) => Box::new(postgres::Postgres::connect(url).map_err(err)?),
    })
}

/// An existing ledger's own privacy setting, and the key when it is hashed
/// and `asked` brings one (checked against the ledger's).
fn ledger_privacy(
    b: &mut dyn Backend,
    asked: &Privacy,
) -> Result<(bool, Option<HashKey>), LedgerError> {
    let hashed = b.meta("privacy")?.as_deref() == Some(PrivacyMode::Hashed.as_str());
    let key = match (asked, hashed) {
        (Privacy::Hashed(k), true) => {
            check_key(b, k)?;
            Some(k.clone())
        }
        _ => None,
    };
    Ok((hashed, key))
}

/// Agrees the ledger's privacy setting with the one asked for. A new
/// ledger takes the one asked for (the first writer wins a race); a ledger
/// from before the setting existed holds clear text. A hashed ledger is
/// never written in clear, nor a clear one "hashed" (it would still hold
/// the clear text of its earlier entries).
fn settle_privacy(
    b: &mut dyn Backend,
    asked: &Privacy,
) -> Result<(bool, Option<HashKey>), LedgerError> {
    if b.meta("privacy")?.is_none() {
        let mode = if b.count()? > 0 {
            PrivacyMode::Clear
        } else {
            asked.mode()
        };
        b.init_meta("privacy", mode.as_str())?;
        if let (PrivacyMode::Hashed, Privacy::Hashed(k)) = (mode, asked) {
            b.init_meta("key_check", &k.check_value())?;
        }
    }
    let stored = b.meta("privacy")?.unwrap_or_default();
    match (stored.as_str(), asked) {
        ("clear", Privacy::Clear) => Ok((false, None)),
        ("hashed", Privacy::Hashed(k)) => {
            check_key(b, k)?;
            Ok((true, Some(k.clone())))
        }
        ("hashed", Privacy::Clear) => Err(LedgerError::Privacy(format!(
            "this ledger keeps names and ID numbers only as keyed hashes; open it with \
             --ledger-privacy hashed and its key (${KEY_ENV} or ledger_key in the config)"
        ))),
        ("clear", Privacy::Hashed(_)) => Err(LedgerError::Privacy(
            "this ledger already holds names and ID numbers in clear text; hashed mode needs \
             a new ledger"
                .into(),
        )),
        (other, _) => Err(LedgerError::Privacy(format!(
            "unknown privacy setting {other:?} (a newer certcheck?)"
        ))),
    }
}

fn check_key(b: &mut dyn Backend, key: &HashKey) -> Result<(), LedgerError> {
    match b.meta("key_check")? {
        Some(v) if v == key.check_value() => Ok(()),
        Some(_) => Err(LedgerError::Privacy(
            "the key given is not this ledger's key (its hashes would not match)".into(),
        )),
        None => Err(LedgerError::Privacy(
            "this hashed ledger has no key check".into(),
        )),
    }
}

fn parse_cutoff(before: &str) -> Result<String, LedgerError> {
    parse_time("--before", before)
}

/// A day (its start, UTC) or an RFC 3339 time, as stored times are written.
fn parse_time(option: &str, before: &str) -> Result<String, LedgerError> {
    use time::format_description::well_known::Rfc3339;
    let bad = || {
        LedgerError::Usage(format!(
            "{option} {before:?}: give a date (2026-01-31) or an RFC 3339 time"
        ))
    };
    let t = if let Ok(t) = OffsetDateTime::parse(before, &Rfc3339) {
        t
    } else {
        let d = time::Date::parse(
            before,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| bad())?;
        d.midnight().assume_utc()
    };
    // Stored times are RFC 3339 in UTC with a Z, so they compare as text.
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .map_err(|_| bad())
}

pub(crate) fn now_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The values conflicts are matched on: normalised, and in hashed mode
/// the name and ID number keyed-hashed (equal values, equal hashes).
#[derive(Debug, Default)]
struct Keys {
    management_number: Option<String>,
    name: Option<String>,
    id_number: Option<String>,
    has_fields: bool,
}

impl Keys {
    fn of(fields: Option<&Fields>, key: Option<&HashKey>) -> Keys {
        let Some(f) = fields else {
            return Keys::default();
        };
        let personal = |v: &Option<String>| {
            v.as_deref()
                .and_then(normalise)
                .map(|n| key.map(|k| k.mac(&n)).unwrap_or(n))
        };
        Keys {
            management_number: f.management_number.as_deref().and_then(normalise),
            name: personal(&f.name),
            id_number: personal(&f.id_number),
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

/// The one place conflicts are decided, for both engines: which of the
/// earlier checks sharing a key with `record` hold another holder.
fn decide(record: &Record, keys: &Keys, candidates: &[Candidate]) -> Vec<LedgerConflict> {
    let mut out = Vec::new();
    let fields = record.fields.clone().unwrap_or_default();
    let differs = |theirs: &Option<String>, ours: &Option<String>| {
        theirs.is_some() && ours.is_some() && theirs != ours
    };
    if let Some(mn) = &keys.management_number {
        let rows = candidates.iter().filter(|c| {
            c.mn_key.as_ref() == Some(mn)
                && (differs(&c.name_key, &keys.name) || differs(&c.id_key, &keys.id_number))
        });
        push_conflicts(
            &mut out,
            rows,
            "management_number_other_holder",
            "management_number",
            fields.management_number.as_deref().unwrap_or(mn),
        );
    }
    if let (Some(idn), Some(_)) = (&keys.id_number, &keys.name) {
        let rows = candidates
            .iter()
            .filter(|c| c.id_key.as_ref() == Some(idn) && differs(&c.name_key, &keys.name));
        push_conflicts(
            &mut out,
            rows,
            "id_number_other_name",
            "id_number",
            fields.id_number.as_deref().unwrap_or(idn),
        );
    }
    if let (Some(sha), true) = (&record.sha256, keys.has_fields) {
        let rows = candidates.iter().filter(|c| {
            c.sha256.as_ref() == Some(sha)
                && c.has_fields
                && (c.mn_key != keys.management_number
                    || c.name_key != keys.name
                    || c.id_key != keys.id_number)
        });
        push_conflicts(&mut out, rows, "same_file_other_holder", "sha256", sha);
    }
    out
}

/// One conflict per distinct earlier holder (the first time it was seen).
fn push_conflicts<'a>(
    out: &mut Vec<LedgerConflict>,
    rows: impl Iterator<Item = &'a Candidate>,
    kind: &str,
    field: &str,
    value: &str,
) {
    let mut holders = Vec::new();
    for row in rows {
        let holder = (&row.mn_key, &row.name_key, &row.id_key);
        if holders.contains(&holder) {
            continue;
        }
        if holders.len() >= MAX_CONFLICTS_PER_KIND {
            break;
        }
        holders.push(holder);
        out.push(LedgerConflict {
            kind: kind.to_string(),
            field: field.to_string(),
            value: value.to_string(),
            earlier: LedgerEarlier {
                id: row.id,
                name: row.name.clone(),
                id_number: row.id_number.clone(),
                checked_at: row.checked_at.clone(),
                path: row.path.clone(),
                desk: row.desk.clone(),
                operator: row.operator.clone(),
            },
        });
    }
}

/// The row stored for `record`. In hashed mode no clear name or ID number
/// reaches it: the columns are empty, the fields carry the keyed hashes,
/// and every other string (the path, the reasons, the whole record) has
/// them blanked.
fn new_row(
    record: &Record,
    keys: &Keys,
    conflicts: &[LedgerConflict],
    stamp: &Stamp,
    key: Option<&HashKey>,
) -> Row {
    let fields = record.fields.as_ref();
    let field = |f: fn(&Fields) -> &Option<String>| fields.and_then(|x| f(x).clone());
    let mut stored = record.clone();
    stored.ledger = None;
    let mut record_json = serde_json::to_value(&stored).unwrap_or_default();
    let mut fields_json = fields.and_then(|f| serde_json::to_value(f).ok());
    let mut reasons_json = serde_json::to_value(&record.reasons).unwrap_or_default();
    let mut conflicts_json = serde_json::to_value(conflicts).unwrap_or_default();
    let mut path = record.path.clone();
    let (mut name, mut id_number) = (field(|f| &f.name), field(|f| &f.id_number));
    if key.is_some() {
        let secrets = privacy::secrets(fields);
        for f in [fields_json.as_mut(), record_json.get_mut("fields")]
            .into_iter()
            .flatten()
        {
            privacy::replace_field(f, "name", keys.name.as_deref());
            privacy::replace_field(f, "id_number", keys.id_number.as_deref());
            privacy::scrub_value(f, &secrets);
        }
        for v in [&mut record_json, &mut reasons_json, &mut conflicts_json] {
            privacy::scrub_value(v, &secrets);
        }
        path = privacy::scrub(&path, &secrets);
        name = None;
        id_number = None;
    }
    Row {
        id: 0,
        checked_at: now_rfc3339(),
        path,
        sha256: record.sha256.clone(),
        size: record.size.and_then(|s| i64::try_from(s).ok()),
        verdict: record.verdict.as_str().to_string(),
        reasons: reasons_json.to_string(),
        fields: fields_json.map(|v| v.to_string()),
        management_number: field(|f| &f.management_number),
        name,
        id_number,
        mn_key: keys.management_number.clone(),
        name_key: keys.name.clone(),
        id_key: keys.id_number.clone(),
        conflicts: conflicts_json.to_string(),
        record: record_json.to_string(),
        operator: Some(stamp.operator.clone()),
        desk: Some(stamp.desk.clone()),
        certcheck_version: Some(stamp.certcheck_version.clone()),
        trust_fingerprint: Some(stamp.trust_fingerprint.clone()),
        confirmation: None,
        confirmed_at: None,
    }
}

/// SHA-256 over every stored column of every check and confirmation, in
/// id order: equal on both sides exactly when nothing was lost or changed.
fn checksum(
    rows: &[Row],
    confirmations: &[ConfirmationRow],
    corrections: &[CorrectionRow],
) -> ImportReport {
    let mut h = Sha256::new();
    let mut line = |columns: Vec<serde_json::Value>| {
        h.update(serde_json::Value::Array(columns).to_string().as_bytes());
        h.update(b"\n");
    };
    let json = |params: Vec<Param<'_>>| -> Vec<serde_json::Value> {
        params.iter().map(|p| p.json()).collect()
    };
    for r in rows {
        line(json(r.import_columns()));
    }
    for c in confirmations {
        line(json(c.import_columns()));
    }
    // After the others, so a ledger without corrections keeps the checksum
    // it had before corrections existed.
    for c in corrections {
        let mut columns = vec![serde_json::json!("correction")];
        columns.extend(json(c.import_columns()));
        line(columns);
    }
    ImportReport {
        checks: rows.len() as i64,
        confirmations: confirmations.len() as i64,
        corrections: corrections.len() as i64,
        checksum: hex::encode(h.finalize()),
    }
}

/// The clerk-facing sentence for one conflict.
pub fn describe(c: &LedgerConflict) -> String {
    let e = &c.earlier;
    let holder = match (&e.name, &e.id_number) {
        (Some(n), Some(i)) => format!("{n} ({i})"),
        (Some(n), None) => n.clone(),
        (None, Some(i)) => format!("ID {i}"),
        (None, None) => "another holder (not readable, or kept hashed)".to_string(),
    };
    let what = match c.kind.as_str() {
        "management_number_other_holder" => format!("管理号 {} was checked before for", c.value),
        "id_number_other_name" => format!("ID number {} was checked before with", c.value),
        "same_file_other_holder" => "the same file was checked before showing".to_string(),
        other => format!("{other}: {} was seen before with", c.value),
    };
    let at = match (&e.desk, &e.operator) {
        (Some(d), Some(o)) if !o.is_empty() => format!(" at desk {d} by {o}"),
        (Some(d), _) => format!(" at desk {d}"),
        _ => String::new(),
    };
    format!(
        "{what} {holder}, in {} on {}{at} (ledger #{})",
        e.path, e.checked_at, e.id
    )
}

fn entry_from(r: Row, with_record: bool) -> Entry {
    let json = |s: Option<String>| {
        s.and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(serde_json::Value::Null)
    };
    Entry {
        id: r.id,
        checked_at: r.checked_at,
        path: r.path,
        sha256: r.sha256,
        size: r.size,
        verdict: r.verdict,
        reasons: json(Some(r.reasons)),
        fields: json(r.fields),
        management_number: r.management_number,
        name: r.name,
        id_number: r.id_number,
        conflicts: json(Some(r.conflicts)),
        confirmation: r.confirmation,
        confirmed_at: r.confirmed_at,
        operator: r.operator,
        desk: r.desk,
        certcheck_version: r.certcheck_version,
        trust_fingerprint: r.trust_fingerprint,
        record: with_record.then(|| json(Some(r.record))),
        corrections: Vec::new(),
    }
}

/// A `--verdict` value as the ledger stores it (`needs-person` and
/// `NEEDS_PERSON` both name `needs_person`), or a usage error naming the
/// accepted ones.
fn verdict_name(given: &str) -> Result<String, LedgerError> {
    let v = given.trim().to_ascii_lowercase().replace('-', "_");
    if VERDICT_NAMES.contains(&v.as_str()) {
        Ok(v)
    } else {
        Err(LedgerError::Usage(format!(
            "--verdict {v:?}: use one of {}",
            VERDICT_NAMES.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The import checksum hashes each entry as the JSON array of its
    /// stored columns, the id first (a correction after "correction").
    #[test]
    fn the_checksum_hashes_each_entry_as_a_json_array_of_its_columns() {
        let row = Row {
            id: 7,
            checked_at: "2026-01-02T03:04:05Z".into(),
            path: "a.pdf".into(),
            size: Some(42),
            verdict: "authentic".into(),
            reasons: "[]".into(),
            conflicts: "[]".into(),
            record: "{}".into(),
            operator: Some("王芳".into()),
            ..Row::default()
        };
        let confirmation = ConfirmationRow {
            id: 1,
            check_id: 7,
            answer: "found".into(),
            confirmed_at: "2026-01-02T03:05:00Z".into(),
            operator: None,
            desk: Some("d1".into()),
        };
        let correction = CorrectionRow {
            id: 2,
            check_id: 7,
            reason: "typo".into(),
            verdict: None,
            answer: Some("found".into()),
            corrected_at: "2026-01-03T00:00:00Z".into(),
            operator: None,
            desk: None,
        };
        let lines = [
            r#"[7,"2026-01-02T03:04:05Z","a.pdf",null,42,"authentic","[]",null,null,null,null,null,null,null,"[]","{}","王芳",null,null,null]"#,
            r#"[1,7,"found","2026-01-02T03:05:00Z",null,"d1"]"#,
            r#"["correction",2,7,"typo",null,"found","2026-01-03T00:00:00Z",null,null]"#,
        ];
        let mut h = Sha256::new();
        for l in lines {
            h.update(l.as_bytes());
            h.update(b"\n");
        }
        let report = checksum(&[row], &[confirmation], &[correction]);
        assert_eq!(report.checksum, hex::encode(h.finalize()));
    }

    #[test]
    fn locations_and_cutoffs() {
        assert_eq!(
            Location::parse("postgres://u@h/db"),
            Location::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            Location::parse("PostgreSQL://u@h/db"),
            Location::Postgres("PostgreSQL://u@h/db".into())
        );
        assert_eq!(
            Location::parse("l.sqlite3"),
            Location::Sqlite(PathBuf::from("l.sqlite3"))
        );
        assert_eq!(
            Location::parse("postgres://u:secret@h/db").describe(),
            "postgres://u:***@h/db"
        );
        assert_eq!(parse_cutoff("2026-01-31").unwrap(), "2026-01-31T00:00:00Z");
        assert_eq!(
            parse_cutoff("2026-01-31T08:00:00+08:00").unwrap(),
            "2026-01-31T00:00:00Z"
        );
        assert!(parse_cutoff("31/01/2026").is_err());
    }

    #[test]
    fn the_trust_fingerprint_ignores_order() {
        let issuer = |b: u8| crate::trust::store::KnownIssuer {
            name: format!("i{b}"),
            certificate: None,
            spki_sha256: [b; 32],
            note: None,
        };
        let a = TrustStore {
            issuers: vec![issuer(1), issuer(2)],
        };
        let b = TrustStore {
            issuers: vec![issuer(2), issuer(1)],
        };
        assert_eq!(trust_fingerprint(&a), trust_fingerprint(&b));
        assert_ne!(
            trust_fingerprint(&a),
            trust_fingerprint(&TrustStore::default())
        );
    }
}
