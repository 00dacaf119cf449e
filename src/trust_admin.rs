//! Trust administration for the desk: what `certcheck trust add` would pin
//! and whether that is safe, `trust list`, `trust remove`, and the warnings
//! a run gives when no known issuer is configured.
//!
//! Adding a known issuer is the most dangerous thing a clerk can do: from
//! then on, every forgery made with that key verifies as authentic. So
//! nothing is pinned silently. [`inspect`] says what would be pinned
//! (subject, issuer, SPKI SHA-256, validity, the verdict of the file it came
//! from) and what is worrying about it; it refuses a file that is altered,
//! invalid, malformed or unsigned; [`check_fingerprint`] compares the pin
//! with a fingerprint obtained out of band; [`pin`] writes it without ever
//! writing through an existing file or link.
//!
//! This sits above the pipeline (it checks the PDF it pins from), so it is
//! not part of the `trust` stage.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::pipeline::{verify_file, Options};
use crate::report::{Code, Record};
use crate::trust::chain::{rfc3339, Cert};
use crate::trust::store::certificates_in;
use crate::trust::TrustStore;
use crate::verdict::Verdict;

/// Certificate files larger than this are not certificates.
const MAX_CERT_FILE: u64 = 4 * 1024 * 1024;
/// Certificates climbed in a PDF's embedded chain, at most.
const MAX_CHAIN: usize = 8;
/// The shortest fingerprint prefix `trust remove` accepts.
const MIN_PREFIX: usize = 8;

#[derive(Debug, Error)]
pub enum AdminError {
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{path}: {message}")]
    NothingToPin { path: PathBuf, message: String },
    #[error("{path} is {verdict}: only a file that is genuine apart from its issuer being unknown can be a source of trust ({reasons})")]
    Refused {
        path: PathBuf,
        verdict: Verdict,
        reasons: String,
    },
    #[error("{0:?} is not a SHA-256 fingerprint (64 hex digits, colons and spaces allowed)")]
    BadFingerprint(String),
    #[error("the fingerprint given ({given}) matches neither the key (SPKI SHA-256 {spki}) nor the certificate (SHA-256 {cert}): do not pin it")]
    FingerprintMismatch {
        given: String,
        spki: String,
        cert: String,
    },
    #[error("cannot write to the trust store {path}: {message}")]
    Write { path: PathBuf, message: String },
    #[error("{0}")]
    Store(#[from] crate::trust::TrustError),
    #[error("no known issuer in {dir} has the fingerprint {given}")]
    NotFound { dir: PathBuf, given: String },
    #[error("the fingerprint {given} is ambiguous in {dir}: give more digits")]
    Ambiguous { dir: PathBuf, given: String },
    #[error("{path} holds other issuers too (or is an issuers TOML file); edit it by hand")]
    SharedFile { path: PathBuf },
}

/// Something about a candidate that should stop a person before pinning it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concern {
    /// The seal's own certificate would be pinned: it is self-signed, or
    /// the file carries no issuer for it. Anyone can make such a seal with
    /// the right name.
    SelfSignedSeal,
    /// The certificate does not look like an issuing CA (no basic
    /// constraints with cA, or a key usage without keyCertSign).
    NotACa,
    /// A known issuer already carries this name (or this exact subject)
    /// with another key: the file's chain imitates it.
    ImpostorOfKnownName,
}

impl Concern {
    pub fn message(self) -> &'static str {
        match self {
            Concern::SelfSignedSeal => "the seal's own certificate would be pinned (it is self-signed, or the file carries no issuer for it): anyone can make a seal like this with the right name",
            Concern::NotACa => "this certificate does not look like an issuing CA (no cA basic constraint, or no keyCertSign key usage)",
            Concern::ImpostorOfKnownName => "a known issuer already has this name with another key: this looks like an impostor of it",
        }
    }
}

/// What `trust add` would pin.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The file it comes from.
    pub source: PathBuf,
    pub name: String,
    pub subject: String,
    pub issuer: String,
    /// SHA-256 of the SubjectPublicKeyInfo, lower-case hex: what is pinned.
    pub spki_sha256: String,
    /// SHA-256 of the certificate's DER, lower-case hex.
    pub cert_sha256: String,
    pub not_before: String,
    pub not_after: String,
    pub der: Vec<u8>,
    /// The verdict of the PDF it came from (checked with no known issuer,
    /// so a genuine file is `untrusted`); `None` for a certificate file.
    pub file_verdict: Option<Verdict>,
    /// Whether the key is already a known issuer in the store given.
    pub already_known: bool,
    /// What should stop a person; pinning needs an explicit `--yes` then.
    pub concerns: Vec<Concern>,
}

impl Candidate {
    /// What a person reads before confirming. Every string from the file
    /// is escaped for the terminal.
    pub fn render_human(&self) -> String {
        use crate::report::escape::for_terminal as shown;
        use std::fmt::Write as _;
        let mut o = String::new();
        let _ = writeln!(o, "certcheck would pin this issuer (trusted by its key):");
        let _ = writeln!(o, "  name:           {}", shown(&self.name));
        let _ = writeln!(o, "  subject:        {}", shown(&self.subject));
        let _ = writeln!(o, "  issued by:      {}", shown(&self.issuer));
        let _ = writeln!(o, "  SPKI SHA-256:   {}", self.spki_sha256);
        let _ = writeln!(o, "  cert SHA-256:   {}", self.cert_sha256);
        let _ = writeln!(
            o,
            "  valid:          {} to {}",
            self.not_before, self.not_after
        );
        let _ = writeln!(
            o,
            "  from:           {}",
            shown(&self.source.display().to_string())
        );
        if let Some(v) = self.file_verdict {
            let _ = writeln!(
                o,
                "  file verdict:   {v} without it (a genuine file is untrusted until its issuer is known)"
            );
        }
        if self.already_known {
            let _ = writeln!(
                o,
                "  already known:  yes, this key is a known issuer already"
            );
        }
        for c in &self.concerns {
            let _ = writeln!(o, "  WARNING: {}", c.message());
        }
        o
    }

    /// Pinning needs `--yes` even on a terminal.
    pub fn needs_explicit_yes(&self) -> bool {
        !self.concerns.is_empty()
    }
}

/// Reads what `trust add` would pin from `path`: a PEM/DER certificate
/// file, or a signed PDF (the top of the embedded chain of its valid
/// signature). A PDF must check as genuine apart from its issuer being
/// unknown: altered, invalid, malformed and unsigned files are refused.
/// `current` is the store the candidate is compared with (already known?).
pub fn inspect(path: &Path, current: &TrustStore) -> Result<Candidate, AdminError> {
    let read_err = |message: String| AdminError::Read {
        path: path.to_path_buf(),
        message,
    };
    let mut file = crate::pipeline::open_regular_file(path).map_err(|e| match e {
        crate::pipeline::InputError::NotRegular(kind) => read_err(kind.to_string()),
        crate::pipeline::InputError::Io(e) => read_err(e.to_string()),
    })?;
    let size = file.metadata().map_err(|e| read_err(e.to_string()))?.len();
    let is_pdf = {
        let mut head = [0u8; 1024];
        let n = std::io::Read::read(&mut file, &mut head).map_err(|e| read_err(e.to_string()))?;
        head.get(..n)
            .is_some_and(|h| memchr::memmem::find(h, b"%PDF-").is_some())
    };
    let (der, file_verdict, seal_is_top) =
        if is_pdf {
            let (der, verdict, seal_is_top) = from_pdf(path)?;
            (der, Some(verdict), seal_is_top)
        } else {
            if size > MAX_CERT_FILE {
                return Err(read_err("too large for a certificate".into()));
            }
            let bytes = std::fs::read(path).map_err(|e| read_err(e.to_string()))?;
            let der = certificates_in(&bytes).into_iter().next().ok_or_else(|| {
                AdminError::NothingToPin {
                    path: path.to_path_buf(),
                    message: "no PEM or DER certificate, and not a PDF".into(),
                }
            })?;
            (der, None, false)
        };
    let cert = Cert::parse(&der).ok_or_else(|| AdminError::NothingToPin {
        path: path.to_path_buf(),
        message: "the certificate does not parse".into(),
    })?;
    let mut concerns = Vec::new();
    if seal_is_top {
        concerns.push(Concern::SelfSignedSeal);
    }
    if !looks_like_ca(&cert) {
        concerns.push(Concern::NotACa);
    }
    if imitates_a_known_issuer(&cert, current) {
        concerns.push(Concern::ImpostorOfKnownName);
    }
    Ok(Candidate {
        source: path.to_path_buf(),
        name: cert.display_name(),
        subject: cert.subject.clone(),
        issuer: cert.issuer.clone(),
        spki_sha256: hex::encode(cert.spki_sha256),
        cert_sha256: hex::encode(Sha256::digest(&der)),
        not_before: rfc3339(cert.not_before),
        not_after: rfc3339(cert.not_after),
        already_known: current.find_spki(&cert.spki_sha256).is_some(),
        der,
        file_verdict,
        concerns,
    })
}

/// A known issuer with the same name or subject but another key.
fn imitates_a_known_issuer(cert: &Cert, current: &TrustStore) -> bool {
    let name = cert.display_name();
    current.issuers.iter().any(|known| {
        known.spki_sha256 != cert.spki_sha256
            && (known.name == name
                || known
                    .certificate
                    .as_deref()
                    .and_then(Cert::parse)
                    .is_some_and(|k| k.subject_raw == cert.subject_raw))
    })
}

/// An issuing CA says so: basic constraints with cA, and a key usage (if
/// any) that allows signing certificates.
fn looks_like_ca(cert: &Cert) -> bool {
    let ca = matches!(cert.basic_constraints, Some((true, _)));
    let may_sign_certs = cert.key_usage.is_none_or(|(_, _, cert_sign)| cert_sign);
    ca && may_sign_certs
}

/// The certificate to pin from a signed PDF, the file's verdict with no
/// known issuer, and whether that certificate is the seal's own.
fn from_pdf(path: &Path) -> Result<(Vec<u8>, Verdict, bool), AdminError> {
    let record = verify_file(path, &Options::default());
    let refuse = |record: &Record| AdminError::Refused {
        path: path.to_path_buf(),
        verdict: record.verdict,
        reasons: reason_codes(record),
    };
    match record.verdict {
        // With no known issuer, a genuine file is untrusted and nothing worse.
        Verdict::Untrusted => {}
        _ => return Err(refuse(&record)),
    }
    // The signatures that are valid but for their issuer.
    let valid_signers: Vec<&str> = record
        .signatures
        .iter()
        .filter(|s| s.verdict == Verdict::Untrusted && s.format != "timestamp")
        .filter_map(|s| s.signer.as_ref().map(|x| x.sha256.as_str()))
        .collect();
    let bytes = std::fs::read(path).map_err(|e| AdminError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let file = crate::pdf::PdfFile::parse(&bytes, None).map_err(|_| refuse(&record))?;
    for field in crate::signature::locate::find_signatures(&file) {
        let contents = field.contents.as_deref().unwrap_or(&[]);
        let Ok(sd) = crate::signature::cms::parse(contents) else {
            continue;
        };
        let bag: Vec<Cert> = sd
            .certificates
            .iter()
            .filter_map(|d| Cert::parse(d))
            .collect();
        let Some(si) = sd.signers.first() else {
            continue;
        };
        let Some(signer) = crate::signature::cms::find_signer(&si.sid, &bag) else {
            continue;
        };
        let signer_sha = hex::encode(Sha256::digest(&signer.der));
        if !valid_signers.contains(&signer_sha.as_str()) {
            continue;
        }
        // Climb the embedded chain by verified signatures.
        let mut top = signer;
        for _ in 0..MAX_CHAIN {
            let next = bag.iter().find(|c| {
                c.spki_sha256 != top.spki_sha256
                    && c.subject_raw == top.issuer_raw
                    && top.verify_issued_by(c).result.is_ok()
            });
            match next {
                Some(n) => top = n,
                None => break,
            }
        }
        let seal_is_top = top.spki_sha256 == signer.spki_sha256;
        return Ok((top.der.clone(), record.verdict, seal_is_top));
    }
    Err(AdminError::NothingToPin {
        path: path.to_path_buf(),
        message: "no valid CMS signature with its certificate in this PDF (an SES seal's issuer is given as a certificate file)".into(),
    })
}

fn reason_codes(record: &Record) -> String {
    let mut codes: Vec<&str> = Vec::new();
    for r in record
        .reasons
        .iter()
        .chain(record.signatures.iter().flat_map(|s| s.reasons.iter()))
    {
        if r.code != Code::SigningTimeClaimed && !codes.contains(&r.code.as_str()) {
            codes.push(r.code.as_str());
        }
    }
    if codes.is_empty() {
        "no reason recorded".into()
    } else {
        codes.join(", ")
    }
}

/// Which of the candidate's fingerprints matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FingerprintMatch {
    Key,
    Certificate,
}

/// Compares the candidate with a SHA-256 fingerprint obtained out of band
/// (of its key, SPKI, or of the whole certificate; hex, any case, colons
/// and spaces allowed).
pub fn check_fingerprint(
    candidate: &Candidate,
    given: &str,
) -> Result<FingerprintMatch, AdminError> {
    let clean = normalise_hex(given);
    if clean.len() != 64 || !clean.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AdminError::BadFingerprint(given.to_string()));
    }
    if clean == candidate.spki_sha256 {
        Ok(FingerprintMatch::Key)
    } else if clean == candidate.cert_sha256 {
        Ok(FingerprintMatch::Certificate)
    } else {
        Err(AdminError::FingerprintMismatch {
            given: clean,
            spki: candidate.spki_sha256.clone(),
            cert: candidate.cert_sha256.clone(),
        })
    }
}

fn normalise_hex(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ':' | ' ' | '\t'))
        .collect::<String>()
        .to_ascii_lowercase()
}

/// What [`pin`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pinned {
    /// A new file in the store.
    Written(PathBuf),
    /// The same certificate was already pinned in this file.
    AlreadyThere(PathBuf),
}

/// Writes the candidate into the store folder `dir` as
/// `issuer-<SPKI prefix>.pem`. The file is created new: never written
/// through an existing file or a link planted under that name.
pub fn pin(candidate: &Candidate, dir: &Path) -> Result<Pinned, AdminError> {
    let write_err = |path: &Path, e: std::io::Error| AdminError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
    let prefix = candidate
        .spki_sha256
        .get(..16)
        .unwrap_or(&candidate.spki_sha256);
    let path = dir.join(format!("issuer-{prefix}.pem"));
    match create_new(&path) {
        Ok(mut f) => {
            f.write_all(to_pem(&candidate.der).as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(|e| write_err(&path, e))?;
            Ok(Pinned::Written(path))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let same = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
                && std::fs::read(&path).is_ok_and(|b| certificates_in(&b).contains(&candidate.der));
            if same {
                Ok(Pinned::AlreadyThere(path))
            } else {
                Err(write_err(&path, e))
            }
        }
        Err(e) => Err(write_err(&path, e)),
    }
}

/// A file created for writing that did not exist before: `O_CREAT|O_EXCL`,
/// which also refuses a symbolic link (even a dangling one) at `path`.
pub fn create_new(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

fn to_pem(der: &[u8]) -> String {
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

/// One known issuer in a store folder, for `trust list`.
#[derive(Debug, Clone)]
pub struct Listed {
    pub file: PathBuf,
    pub name: String,
    pub spki_sha256: String,
    /// SHA-256 of the certificate, when the store has it (not for a bare pin).
    pub cert_sha256: Option<String>,
    pub not_after: Option<String>,
    /// How many issuers the file holds (a PEM bundle, an issuers TOML).
    pub in_file: usize,
}

/// Every known issuer in the store folder `dir`, file by file.
pub fn list(dir: &Path) -> Result<Vec<Listed>, AdminError> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| AdminError::Read {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for file in files {
        let mut store = TrustStore::default();
        // The store folder's own rule: what is not a certificate is skipped.
        if store.add_path(&file).is_err() {
            continue;
        }
        let in_file = store.issuers.len();
        for issuer in store.issuers {
            let cert = issuer.certificate.as_deref().and_then(Cert::parse);
            out.push(Listed {
                file: file.clone(),
                name: issuer.name,
                spki_sha256: hex::encode(issuer.spki_sha256),
                cert_sha256: issuer
                    .certificate
                    .as_deref()
                    .map(|d| hex::encode(Sha256::digest(d))),
                not_after: cert.map(|c| rfc3339(c.not_after)),
                in_file,
            });
        }
    }
    Ok(out)
}

/// Removes the known issuer whose key (or certificate) fingerprint is, or
/// starts with, `given` (at least 8 hex digits) from the store folder
/// `dir`. Returns the files removed. A file that holds other issuers too
/// is not touched: that is for a person with an editor.
pub fn remove(dir: &Path, given: &str) -> Result<Vec<PathBuf>, AdminError> {
    let clean = normalise_hex(given);
    if clean.len() < MIN_PREFIX || clean.len() > 64 || !clean.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Err(AdminError::BadFingerprint(given.to_string()));
    }
    let matching: Vec<Listed> = list(dir)?
        .into_iter()
        .filter(|l| {
            l.spki_sha256.starts_with(&clean)
                || l.cert_sha256
                    .as_deref()
                    .is_some_and(|c| c.starts_with(&clean))
        })
        .collect();
    let Some(first) = matching.first() else {
        return Err(AdminError::NotFound {
            dir: dir.to_path_buf(),
            given: clean,
        });
    };
    if matching.iter().any(|l| l.spki_sha256 != first.spki_sha256) {
        return Err(AdminError::Ambiguous {
            dir: dir.to_path_buf(),
            given: clean,
        });
    }
    let is_toml = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    };
    if let Some(shared) = matching.iter().find(|l| l.in_file > 1 || is_toml(&l.file)) {
        return Err(AdminError::SharedFile {
            path: shared.file.clone(),
        });
    }
    let mut removed = Vec::new();
    for l in matching {
        if removed.contains(&l.file) {
            continue;
        }
        std::fs::remove_file(&l.file).map_err(|e| AdminError::Write {
            path: l.file.clone(),
            message: e.to_string(),
        })?;
        removed.push(l.file);
    }
    Ok(removed)
}

/// What a person must be told, once, before a run: no known issuer at all
/// (so no file can be authentic), or a `--trust` folder that holds none.
pub fn setup_warnings(trust_paths: &[PathBuf], store: &TrustStore) -> Vec<String> {
    let mut warnings = Vec::new();
    for p in trust_paths.iter().filter(|p| p.is_dir()) {
        let mut alone = TrustStore::default();
        if alone.add_path(p).is_ok() && alone.issuers.is_empty() {
            warnings.push(format!(
                "warning: the trust folder {} holds no certificate or issuers file",
                crate::report::escape::for_terminal(&p.display().to_string())
            ));
        }
    }
    if store.issuers.is_empty() {
        warnings.push(
            "warning: no known issuer is configured, so no file can be authentic; add the real issuer with `certcheck trust add` or give --trust"
                .to_string(),
        );
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca(cn: &str, is_ca: bool) -> (Vec<u8>, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(rcgen::DnType::CommonName, cn);
        if is_ca {
            p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        }
        let c = p.self_signed(&key).unwrap();
        (c.der().to_vec(), c.pem())
    }

    fn extra(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/extra")
            .join(name)
    }

    #[test]
    fn signed_pdfs_from_the_extra_corpus() {
        let none = TrustStore::default();
        // A genuine file: its embedded chain's top, a CA, nothing worrying.
        let good = inspect(&extra("authentic-rsa-pss-sha256.pdf"), &none).unwrap();
        assert_eq!(good.file_verdict, Some(Verdict::Untrusted));
        assert!(good.concerns.is_empty(), "{:?}", good.concerns);
        assert!(good.subject.contains("扩展测试"), "{}", good.subject);
        let known = TrustStore::load(&[extra("trust")], false).unwrap();
        assert!(
            inspect(&extra("authentic-rsa-pss-sha256.pdf"), &known)
                .unwrap()
                .already_known
        );
        // A chain with the known root's exact names and other keys.
        let impostor = inspect(&extra("untrusted-impostor-same-names.pdf"), &known).unwrap();
        assert!(
            impostor.concerns.contains(&Concern::ImpostorOfKnownName),
            "{:?}",
            impostor.concerns
        );
        assert!(!impostor.already_known);
        let unknown = inspect(&extra("untrusted-impostor-same-names.pdf"), &none).unwrap();
        assert!(!unknown.concerns.contains(&Concern::ImpostorOfKnownName));
        // A self-signed seal with the real seal name.
        let selfsigned = inspect(&extra("untrusted-self-signed-seal.pdf"), &none).unwrap();
        assert!(selfsigned.concerns.contains(&Concern::SelfSignedSeal));
        assert!(selfsigned.needs_explicit_yes());
        // Altered, invalid, malformed, unsigned: refused.
        for bad in [
            "altered-byte-edit-id.pdf",
            "invalid-contents-zeroed.pdf",
            "invalid-rsa1024.pdf",
        ] {
            match inspect(&extra(bad), &none) {
                Err(AdminError::Refused { verdict, .. }) => {
                    assert!(
                        matches!(verdict, Verdict::Altered | Verdict::Invalid),
                        "{bad}"
                    )
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        for bad in ["malformed-truncated.pdf", "unsigned-query-result.pdf"] {
            assert!(
                matches!(
                    inspect(&corpus.join(bad), &none),
                    Err(AdminError::Refused { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_certificate_file_is_inspected_checked_pinned_listed_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let (der, pem) = ca("测试根CA", true);
        let src = dir.path().join("root.pem");
        std::fs::write(&src, pem).unwrap();
        let candidate = inspect(&src, &TrustStore::default()).unwrap();
        assert_eq!(candidate.name, "测试根CA");
        assert!(candidate.concerns.is_empty(), "{:?}", candidate.concerns);
        assert_eq!(candidate.file_verdict, None);
        assert!(candidate.render_human().contains(&candidate.spki_sha256));

        let spki = candidate.spki_sha256.clone();
        let with_colons: String = spki
            .as_bytes()
            .chunks(2)
            .map(|c| std::str::from_utf8(c).unwrap().to_ascii_uppercase())
            .collect::<Vec<_>>()
            .join(":");
        assert_eq!(
            check_fingerprint(&candidate, &with_colons).unwrap(),
            FingerprintMatch::Key
        );
        assert_eq!(
            check_fingerprint(&candidate, &candidate.cert_sha256.clone()).unwrap(),
            FingerprintMatch::Certificate
        );
        assert!(matches!(
            check_fingerprint(&candidate, &"0".repeat(64)),
            Err(AdminError::FingerprintMismatch { .. })
        ));
        assert!(matches!(
            check_fingerprint(&candidate, "abc"),
            Err(AdminError::BadFingerprint(_))
        ));

        let store = dir.path().join("store");
        let Pinned::Written(file) = pin(&candidate, &store).unwrap() else {
            panic!("first pin writes a file");
        };
        assert_eq!(
            pin(&candidate, &store).unwrap(),
            Pinned::AlreadyThere(file.clone())
        );
        let loaded = TrustStore::load(std::slice::from_ref(&store), false).unwrap();
        assert_eq!(loaded.issuers.len(), 1);
        assert_eq!(
            loaded.issuers[0].certificate.as_deref(),
            Some(der.as_slice())
        );
        assert!(inspect(&src, &loaded).unwrap().already_known);

        let listed = list(&store).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].spki_sha256, spki);
        assert!(matches!(
            remove(&store, "abc"),
            Err(AdminError::BadFingerprint(_))
        ));
        assert!(matches!(
            remove(&store, "00000000"),
            Err(AdminError::NotFound { .. })
        ));
        assert_eq!(remove(&store, &spki[..12]).unwrap(), vec![file]);
        assert!(list(&store).unwrap().is_empty());
    }

    #[test]
    fn a_leaf_certificate_is_a_concern() {
        let dir = tempfile::tempdir().unwrap();
        let (_, pem) = ca("人力资源和社会保障部人事考试中心", false);
        let src = dir.path().join("leaf.pem");
        std::fs::write(&src, pem).unwrap();
        let candidate = inspect(&src, &TrustStore::default()).unwrap();
        assert_eq!(candidate.concerns, vec![Concern::NotACa]);
        assert!(candidate.needs_explicit_yes());
        assert!(candidate.render_human().contains("WARNING"));
    }

    #[cfg(unix)]
    #[test]
    fn pinning_never_writes_through_a_planted_link() {
        let dir = tempfile::tempdir().unwrap();
        let (_, pem) = ca("Root", true);
        let src = dir.path().join("root.pem");
        std::fs::write(&src, pem).unwrap();
        let candidate = inspect(&src, &TrustStore::default()).unwrap();
        let store = dir.path().join("store");
        std::fs::create_dir(&store).unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep me").unwrap();
        let prefix = &candidate.spki_sha256[..16];
        std::os::unix::fs::symlink(&victim, store.join(format!("issuer-{prefix}.pem"))).unwrap();
        assert!(matches!(
            pin(&candidate, &store),
            Err(AdminError::Write { .. })
        ));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    }

    #[test]
    fn warnings_for_no_issuer_and_an_empty_trust_folder() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let w = setup_warnings(std::slice::from_ref(&empty), &TrustStore::default());
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("holds no certificate"));
        assert!(w[1].contains("no known issuer"));
        let (der, _) = ca("Root", true);
        let mut store = TrustStore::default();
        assert!(store.add_certificate(der, None, None));
        assert!(setup_warnings(&[], &store).is_empty());
    }
}
