//! The store of known issuers: PEM/DER certificates, folders of them, and
//! issuers TOML files (name + certificate or SPKI SHA-256 pin).

use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum TrustError {
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{path} holds no certificate or issuer certcheck can use: {message}")]
    Parse { path: PathBuf, message: String },
}

/// One known issuer.
#[derive(Debug, Clone)]
pub struct KnownIssuer {
    /// A name for people (from the TOML file, else the certificate's CN).
    pub name: String,
    /// DER certificate, when known (a pin alone has none).
    pub certificate: Option<Vec<u8>>,
    /// SHA-256 of the DER SubjectPublicKeyInfo: the identity that counts.
    pub spki_sha256: [u8; 32],
    pub note: Option<String>,
}

/// Every known issuer for one run.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    pub issuers: Vec<KnownIssuer>,
}

impl TrustStore {
    pub fn empty() -> Self {
        TrustStore::default()
    }

    /// Loads `paths` (files or folders), and the default store unless
    /// `use_default` is false.
    pub fn load(paths: &[PathBuf], use_default: bool) -> Result<Self, TrustError> {
        let _ = (paths, use_default);
        Ok(TrustStore::default())
    }

    /// The default store's folder (platform config dir).
    pub fn default_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "certcheck").map(|d| d.config_dir().join("trust"))
    }

    pub fn add_path(&mut self, path: &Path) -> Result<(), TrustError> {
        let _ = path;
        Ok(())
    }
}
