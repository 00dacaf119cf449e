//! The store of known issuers: PEM/DER certificates, folders of them, and
//! issuers TOML files (name + certificate or SPKI SHA-256 pin). Every
//! certificate given is a trust anchor: it is recognised by its key, so a
//! look-alike certificate with the same name and another key is not.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use super::chain::Cert;

/// Files in a store folder larger than this are not certificates.
const MAX_FILE: u64 = 4 * 1024 * 1024;
/// Files read from one folder, at most.
const MAX_FILES: usize = 10_000;

#[derive(Debug, Error)]
pub enum TrustError {
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{path} holds no certificate or issuer certcheck can use: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("cannot write to the trust store {path}: {message}")]
    Write { path: PathBuf, message: String },
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

#[derive(Deserialize)]
struct IssuersFile {
    #[serde(default)]
    issuer: Vec<IssuerEntry>,
}

#[derive(Deserialize)]
struct IssuerEntry {
    name: Option<String>,
    certificate: Option<PathBuf>,
    spki_sha256: Option<String>,
    note: Option<String>,
}

/// The environment variable that moves the default store (tests, portable
/// installs): the trust folder is `$CERTCHECK_CONFIG_DIR/trust`.
pub const CONFIG_DIR_ENV: &str = "CERTCHECK_CONFIG_DIR";

impl TrustStore {
    pub fn empty() -> Self {
        TrustStore::default()
    }

    /// Loads `paths` (files or folders), and the default store unless
    /// `use_default` is false. A default store that does not exist is empty.
    pub fn load(paths: &[PathBuf], use_default: bool) -> Result<Self, TrustError> {
        let mut store = TrustStore::default();
        if use_default {
            if let Some(dir) = Self::default_dir() {
                if dir.is_dir() {
                    store.add_path(&dir)?;
                }
            }
        }
        for p in paths {
            store.add_path(p)?;
        }
        Ok(store)
    }

    /// The default store's folder (platform config dir, or
    /// `$CERTCHECK_CONFIG_DIR/trust`).
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(dir).join("trust"));
        }
        directories::ProjectDirs::from("", "", "certcheck").map(|d| d.config_dir().join("trust"))
    }

    /// Adds a certificate file (PEM with one or more certificates, or DER),
    /// an issuers TOML file, or a folder of them (not recursive).
    pub fn add_path(&mut self, path: &Path) -> Result<(), TrustError> {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| read_error(path, e))?;
            let mut files: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && is_store_file(p))
                .take(MAX_FILES)
                .collect();
            files.sort();
            for f in files {
                let is_toml = f
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
                match self.add_file(&f) {
                    // A key or CSR next to the certificates in a folder is
                    // not an error; a broken issuers file is.
                    Err(TrustError::Parse { .. }) if !is_toml => continue,
                    other => other?,
                }
            }
            return Ok(());
        }
        self.add_file(path)
    }

    fn add_file(&mut self, path: &Path) -> Result<(), TrustError> {
        let meta = std::fs::metadata(path).map_err(|e| read_error(path, e))?;
        if meta.len() > MAX_FILE {
            return Err(TrustError::Parse {
                path: path.to_path_buf(),
                message: "too large for a certificate".into(),
            });
        }
        let bytes = std::fs::read(path).map_err(|e| read_error(path, e))?;
        if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
        {
            return self.add_toml(path, &bytes);
        }
        let certs = certificates_in(&bytes);
        if certs.is_empty() {
            return Err(TrustError::Parse {
                path: path.to_path_buf(),
                message: "no PEM or DER certificate".into(),
            });
        }
        for der in certs {
            self.add_certificate(der, None, None);
        }
        Ok(())
    }

    fn add_toml(&mut self, path: &Path, bytes: &[u8]) -> Result<(), TrustError> {
        let parse_err = |message: String| TrustError::Parse {
            path: path.to_path_buf(),
            message,
        };
        let text = std::str::from_utf8(bytes).map_err(|e| parse_err(e.to_string()))?;
        let file: IssuersFile = toml::from_str(text).map_err(|e| parse_err(e.to_string()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        for entry in file.issuer {
            let pin =
                match &entry.spki_sha256 {
                    Some(h) => Some(parse_pin(h).ok_or_else(|| {
                        parse_err(format!("spki_sha256 {h:?} is not 64 hex digits"))
                    })?),
                    None => None,
                };
            match &entry.certificate {
                Some(rel) => {
                    let cert_path = base.join(rel);
                    let bytes = std::fs::read(&cert_path).map_err(|e| read_error(&cert_path, e))?;
                    let certs = certificates_in(&bytes);
                    let der = certs.into_iter().next().ok_or_else(|| TrustError::Parse {
                        path: cert_path.clone(),
                        message: "no certificate".into(),
                    })?;
                    if let (Some(pin), Some(cert)) = (pin, Cert::parse(&der)) {
                        if pin != cert.spki_sha256 {
                            return Err(parse_err(format!(
                                "the spki_sha256 of {:?} does not match its certificate",
                                entry.name.as_deref().unwrap_or("an issuer")
                            )));
                        }
                    }
                    self.add_certificate(der, entry.name.clone(), entry.note.clone());
                }
                None => {
                    let pin = pin.ok_or_else(|| {
                        parse_err("an [[issuer]] needs a certificate or an spki_sha256".into())
                    })?;
                    self.issuers.push(KnownIssuer {
                        name: entry.name.clone().unwrap_or_else(|| hex::encode(pin)),
                        certificate: None,
                        spki_sha256: pin,
                        note: entry.note.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Adds one DER certificate; returns false when it does not parse.
    pub fn add_certificate(
        &mut self,
        der: Vec<u8>,
        name: Option<String>,
        note: Option<String>,
    ) -> bool {
        let Some(cert) = Cert::parse(&der) else {
            return false;
        };
        if self
            .issuers
            .iter()
            .any(|i| i.spki_sha256 == cert.spki_sha256 && i.certificate.as_ref() == Some(&der))
        {
            return true;
        }
        self.issuers.push(KnownIssuer {
            name: name.unwrap_or_else(|| cert.display_name()),
            certificate: Some(der),
            spki_sha256: cert.spki_sha256,
            note,
        });
        true
    }

    /// The known issuer with this key, if any.
    pub fn find_spki(&self, spki_sha256: &[u8; 32]) -> Option<&KnownIssuer> {
        self.issuers.iter().find(|i| &i.spki_sha256 == spki_sha256)
    }
}

fn is_store_file(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .is_some_and(|e| matches!(e.as_str(), "pem" | "crt" | "cer" | "der" | "toml"))
}

fn read_error(path: &Path, e: std::io::Error) -> TrustError {
    TrustError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn parse_pin(h: &str) -> Option<[u8; 32]> {
    let clean: String = h.chars().filter(|c| !matches!(c, ':' | ' ')).collect();
    hex::decode(clean).ok()?.try_into().ok()
}

/// The certificates in a PEM (any number of CERTIFICATE blocks) or DER file.
pub fn certificates_in(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        for pem in x509_parser::pem::Pem::iter_from_buffer(bytes).flatten() {
            if pem.label.contains("CERTIFICATE") && Cert::parse(&pem.contents).is_some() {
                out.push(pem.contents);
            }
        }
    } else if let Ok(t) = crate::crypto::tlv::read_padded(bytes) {
        if Cert::parse(t.raw).is_some() {
            out.push(t.raw.to_vec());
        }
    }
    out
}

/// A DER certificate as the PEM text the store folder keeps (the one
/// encoder, shared with `trust add`).
pub(crate) fn to_pem(der: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let idx = ((n >> (18 - 6 * i)) & 63) as usize;
                b64.push(char::from(TABLE.get(idx).copied().unwrap_or(b'A')));
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or(""));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// The default store's issuers, for `certcheck trust list`.
pub fn list_default() -> Result<(Option<PathBuf>, TrustStore), TrustError> {
    let dir = TrustStore::default_dir();
    let mut store = TrustStore::default();
    if let Some(d) = &dir {
        if d.is_dir() {
            store.add_path(d)?;
        }
    }
    Ok((dir, store))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(cn: &str) -> (Vec<u8>, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(rcgen::DnType::CommonName, cn);
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let c = p.self_signed(&key).unwrap();
        (c.der().to_vec(), c.pem())
    }

    #[test]
    fn loads_pem_der_folders_and_issuer_files() {
        let dir = tempfile::tempdir().unwrap();
        let (a_der, a_pem) = cert("A");
        let (b_der, b_pem) = cert("B");
        let (c_der, _) = cert("C");
        let (d_der, d_pem) = cert("D");
        std::fs::write(dir.path().join("two.pem"), format!("{a_pem}{b_pem}")).unwrap();
        std::fs::write(dir.path().join("c.der"), &c_der).unwrap();
        std::fs::write(dir.path().join("ignored.txt"), "not a cert").unwrap();
        std::fs::write(
            dir.path().join("key.pem"),
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let store = TrustStore::load(&[dir.path().to_path_buf()], false).unwrap();
        assert_eq!(store.issuers.len(), 3);
        let names: Vec<&str> = store.issuers.iter().map(|i| i.name.as_str()).collect();
        assert!(names.contains(&"A") && names.contains(&"B") && names.contains(&"C"));
        let a = Cert::parse(&a_der).unwrap();
        assert!(store.find_spki(&a.spki_sha256).is_some());

        // Issuers TOML: a certificate with a name, and a bare key pin.
        let toml_dir = tempfile::tempdir().unwrap();
        std::fs::write(toml_dir.path().join("d.pem"), &d_pem).unwrap();
        let b = Cert::parse(&b_der).unwrap();
        let toml = format!(
            "[[issuer]]\nname = \"人事考试中心\"\ncertificate = \"d.pem\"\nnote = \"from the desk\"\n\n[[issuer]]\nname = \"B pinned\"\nspki_sha256 = \"{}\"\n",
            hex::encode(b.spki_sha256)
        );
        let toml_path = toml_dir.path().join("issuers.toml");
        std::fs::write(&toml_path, toml).unwrap();
        let store = TrustStore::load(std::slice::from_ref(&toml_path), false).unwrap();
        assert_eq!(store.issuers.len(), 2);
        let d = Cert::parse(&d_der).unwrap();
        let known = store.find_spki(&d.spki_sha256).unwrap();
        assert_eq!(known.name, "人事考试中心");
        assert_eq!(known.note.as_deref(), Some("from the desk"));
        assert!(store
            .find_spki(&b.spki_sha256)
            .unwrap()
            .certificate
            .is_none());

        // A pin that does not match its certificate is refused.
        std::fs::write(
            &toml_path,
            format!(
                "[[issuer]]\nname = \"x\"\ncertificate = \"d.pem\"\nspki_sha256 = \"{}\"\n",
                hex::encode(b.spki_sha256)
            ),
        )
        .unwrap();
        assert!(TrustStore::load(std::slice::from_ref(&toml_path), false).is_err());
        std::fs::write(
            &toml_path,
            "[[issuer]]\nname = \"x\"\nspki_sha256 = \"12\"\n",
        )
        .unwrap();
        assert!(TrustStore::load(&[toml_path], false).is_err());
        // A file with no certificate is an error, not an empty store.
        let junk = dir.path().join("ignored.txt");
        assert!(TrustStore::load(&[junk], false).is_err());
        assert!(TrustStore::load(&[dir.path().join("missing.pem")], false).is_err());
    }
}
