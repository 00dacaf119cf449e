//! The user's configuration file: `config.toml` in the platform config dir
//! (or in `$CERTCHECK_CONFIG_DIR`, which tests use to stay out of the
//! user's home).
//!
//! ```toml
//! # hosts added to the official QR allow-list (subdomains included)
//! official_hosts = ["verify.example.org"]
//! # the ledger a bare --ledger (and `certcheck ledger`) uses: a file or a
//! # shared PostgreSQL database
//! ledger = "postgres://certcheck@db.example.org/certcheck"
//! # names and ID numbers only as keyed hashes (docs/ledger.md)
//! ledger_privacy = "hashed"
//! ledger_key = "at least 16 bytes, the same at every desk"
//! # who and where, recorded with every check
//! operator = "王芳"
//! desk = "北京-窗口3"
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

/// The environment variable that relocates the config dir.
pub const CONFIG_DIR_ENV: &str = "CERTCHECK_CONFIG_DIR";

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("config {path}: {message}")]
    Read { path: PathBuf, message: String },
}

#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Hosts added to the QR allow-list.
    pub official_hosts: Vec<String>,
    /// The ledger a bare `--ledger` names: an SQLite path or a
    /// `postgres://` URL.
    pub ledger: Option<String>,
    /// `clear` (the default) or `hashed`.
    pub ledger_privacy: Option<String>,
    /// The HMAC key of a hashed ledger (`$CERTCHECK_LEDGER_KEY` wins).
    pub ledger_key: Option<String>,
    /// Who checks at this desk (`--operator` wins; else the login name).
    pub operator: Option<String>,
    /// This desk's name in the ledger (`$CERTCHECK_DESK` wins; else the
    /// host name).
    pub desk: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("official_hosts", &self.official_hosts)
            .field("ledger", &self.ledger)
            .field("ledger_privacy", &self.ledger_privacy)
            .field("ledger_key", &self.ledger_key.as_ref().map(|_| ".."))
            .field("operator", &self.operator)
            .field("desk", &self.desk)
            .finish()
    }
}

impl Config {
    /// The config file's path, if there is a config dir.
    pub fn path() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV) {
            return Some(PathBuf::from(dir).join("config.toml"));
        }
        directories::ProjectDirs::from("", "", "certcheck")
            .map(|d| d.config_dir().join("config.toml"))
    }

    /// Reads the config file; a missing file is the default config, a
    /// broken one an error (a typo must not silently drop an allow-list).
    pub fn load() -> Result<Config, ConfigError> {
        match Self::path() {
            Some(p) if p.exists() => Self::load_from(&p),
            _ => Ok(Config::default()),
        }
    }

    pub fn load_from(path: &Path) -> Result<Config, ConfigError> {
        let err = |message: String| ConfigError::Read {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        toml::from_str(&text).map_err(|e| err(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_official_hosts_and_rejects_typos() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, "official_hosts = [\"verify.example.org\"]\n").unwrap();
        assert_eq!(
            Config::load_from(&p).unwrap().official_hosts,
            vec!["verify.example.org".to_string()]
        );
        std::fs::write(&p, "oficial_hosts = [\"x\"]\n").unwrap();
        assert!(Config::load_from(&p).is_err());
        std::fs::write(
            &p,
            "ledger = \"postgres://u@h/db\"\nledger_privacy = \"hashed\"\nledger_key = \"k\"\n",
        )
        .unwrap();
        let c = Config::load_from(&p).unwrap();
        assert_eq!(c.ledger.as_deref(), Some("postgres://u@h/db"));
        assert!(!format!("{c:?}").contains("\"k\""));
    }
}
