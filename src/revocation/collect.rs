//! Where revocation data is kept: the document security store (/DSS and
//! its /VRI), the CMS signature (its `crls` and the signed attribute
//! adbe-revocationInfoArchival), the timestamp tokens on it, and files the
//! user names with `--revocation`.

use std::path::{Path, PathBuf};

use lopdf::{Document, Object};

use super::{Evidence, Kind, RevocationError};
use crate::crypto::tlv::{self, Tlv};
use crate::signature::signed_data::CarriedRevocation;

/// id-ri-ocsp-response (RFC 5940): an OCSPResponse in RevocationInfoChoices.
const OID_RI_OCSP: &str = "1.3.6.1.5.5.7.16.2";
/// Pieces of revocation data read from one place, at most.
const MAX_PIECES: usize = 1000;
/// One CRL or OCSP response larger than this is not read.
const MAX_PIECE_SIZE: usize = 16 * 1024 * 1024;
/// Files read from a `--revocation` folder, at most.
const MAX_FILES: usize = 10_000;

/// Revocation data and certificates kept in the document security store
/// of the final document.
pub fn from_dss(doc: &Document) -> (Vec<Evidence>, Vec<Vec<u8>>) {
    let mut evidence = Vec::new();
    let mut certs = Vec::new();
    let Some(dss) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"DSS").ok())
        .map(|o| resolve(doc, o))
        .and_then(|o| o.as_dict().ok())
    else {
        return (evidence, certs);
    };
    for (key, kind) in [(&b"CRLs"[..], Kind::Crl), (b"OCSPs", Kind::Ocsp)] {
        for der in streams(doc, dss.get(key).ok()) {
            push(&mut evidence, kind, der, "dss");
        }
    }
    certs.extend(streams(doc, dss.get(b"Certs").ok()));
    if let Some(vri) = dss
        .get(b"VRI")
        .ok()
        .map(|o| resolve(doc, o))
        .and_then(|o| o.as_dict().ok())
    {
        for (_, entry) in vri.iter().take(MAX_PIECES) {
            let Ok(entry) = resolve(doc, entry).as_dict() else {
                continue;
            };
            for (key, kind) in [(&b"CRL"[..], Kind::Crl), (b"OCSP", Kind::Ocsp)] {
                for der in streams(doc, entry.get(key).ok()) {
                    push(&mut evidence, kind, der, "dss_vri");
                }
            }
            certs.extend(streams(doc, entry.get(b"Cert").ok()));
        }
    }
    certs.truncate(MAX_PIECES);
    (evidence, certs)
}

fn resolve<'a>(doc: &'a Document, obj: &'a Object) -> &'a Object {
    let mut obj = obj;
    for _ in 0..8 {
        match obj {
            Object::Reference(id) => match doc.get_object(*id) {
                Ok(o) => obj = o,
                Err(_) => return obj,
            },
            _ => return obj,
        }
    }
    obj
}

/// The decoded streams of a DSS array.
fn streams(doc: &Document, list: Option<&Object>) -> Vec<Vec<u8>> {
    let Some(arr) = list
        .map(|o| resolve(doc, o))
        .and_then(|o| o.as_array().ok())
    else {
        return Vec::new();
    };
    arr.iter()
        .take(MAX_PIECES)
        .filter_map(|item| resolve(doc, item).as_stream().ok())
        .filter_map(|s| crate::pdf::stream::decode(s).ok())
        .filter(|d| d.len() <= MAX_PIECE_SIZE)
        .collect()
}

/// Adds a piece unless the same bytes are already there (the same CRL is
/// often in /CRLs and in a /VRI entry): the first place it was found names it.
fn push(out: &mut Vec<Evidence>, kind: Kind, der: Vec<u8>, source: &str) {
    if out.len() >= MAX_PIECES || out.iter().any(|e| e.der == der) {
        return;
    }
    out.push(Evidence {
        kind,
        der,
        source: source.to_string(),
    });
}

/// RevocationInfoChoices (the SignedData `crls` field): CRLs, and OCSP
/// responses in the other-revocation-info form.
fn revocation_info_choices(set: &Tlv, source: &str) -> Vec<Evidence> {
    let mut out = Vec::new();
    for choice in set.children().unwrap_or_default() {
        if choice.tag == tlv::SEQUENCE {
            push(&mut out, Kind::Crl, choice.raw.to_vec(), source);
        } else if choice.context() == Some(1) && choice.constructed() {
            let k = choice.children().unwrap_or_default();
            let is_ocsp = k
                .first()
                .and_then(|o| tlv::oid_of(o).ok())
                .is_some_and(|o| o == OID_RI_OCSP);
            if let (true, Some(v)) = (is_ocsp, k.get(1)) {
                push(&mut out, Kind::Ocsp, v.raw.to_vec(), source);
            }
        }
    }
    out
}

/// What a CMS signature carries for its signer, as the CMS reader found
/// it: the SignedData's `crls`, adbe-revocationInfoArchival among the
/// signed attributes, and the revocation data of the timestamp tokens on it.
pub fn from_cms(carried: &CarriedRevocation) -> Vec<Evidence> {
    let mut out = Vec::new();
    if let Some(crls) = carried.crls.as_deref().and_then(read) {
        for e in revocation_info_choices(&crls, "cms_crls") {
            push(&mut out, e.kind, e.der, &e.source);
        }
    }
    for value in carried.archival.iter().filter_map(|v| read(v)) {
        archival(&value, &mut out);
    }
    for ts in &carried.timestamps {
        if let Some(crls) = ts.crls.as_deref().and_then(read) {
            for e in revocation_info_choices(&crls, "timestamp") {
                push(&mut out, e.kind, e.der, "timestamp");
            }
        }
        for value in ts.archival.iter().filter_map(|v| read(v)) {
            let mut found = Vec::new();
            archival(&value, &mut found);
            for e in found {
                push(&mut out, e.kind, e.der, "timestamp");
            }
        }
    }
    out
}

/// One element the CMS reader kept as its encoding.
fn read(der: &[u8]) -> Option<Tlv<'_>> {
    tlv::read(der).ok().map(|(t, _)| t)
}

/// RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF
/// CRLs, ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse, otherRevInfo [2] }.
fn archival(value: &Tlv, out: &mut Vec<Evidence>) {
    for part in value.children().unwrap_or_default() {
        let kind = match part.context() {
            Some(0) => Kind::Crl,
            Some(1) => Kind::Ocsp,
            _ => continue,
        };
        let inner = part.children().unwrap_or_default();
        for seq in inner {
            for item in seq.children().unwrap_or_default() {
                push(out, kind, item.raw.to_vec(), "cms_archival");
            }
        }
    }
}

/// The CRLs and OCSP responses in the files and folders `paths` name:
/// DER or PEM. A file named on its own must be revocation data; in a
/// folder, other files are passed over.
pub fn load_files(paths: &[PathBuf]) -> Result<Vec<Evidence>, RevocationError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| RevocationError::Io {
            path: path.clone(),
            error: e.to_string(),
        })?;
        if meta.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files, 0);
            files.sort();
            for f in files.into_iter().take(MAX_FILES) {
                if let Ok(found) = read_file(&f) {
                    for e in found {
                        push(&mut out, e.kind, e.der, &e.source);
                    }
                }
            }
        } else {
            for e in read_file(path)? {
                push(&mut out, e.kind, e.der, &e.source);
            }
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 8 || out.len() >= MAX_FILES {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&entry.path(), out, depth + 1);
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
}

fn read_file(path: &Path) -> Result<Vec<Evidence>, RevocationError> {
    let io = |e: std::io::Error| RevocationError::Io {
        path: path.to_path_buf(),
        error: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_PIECE_SIZE as u64 {
        return Err(RevocationError::NotRevocationData(path.to_path_buf()));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let source = format!("file:{}", path.display());
    let mut out = Vec::new();
    if bytes.starts_with(b"-----BEGIN") {
        for pem in x509_parser::pem::Pem::iter_from_buffer(&bytes).flatten() {
            let kind = match pem.label.as_str() {
                "X509 CRL" => Kind::Crl,
                "OCSP RESPONSE" => Kind::Ocsp,
                _ => continue,
            };
            push(&mut out, kind, pem.contents, &source);
        }
    } else if let Some(kind) = sniff(&bytes) {
        push(&mut out, kind, bytes, &source);
    }
    if out.is_empty() {
        return Err(RevocationError::NotRevocationData(path.to_path_buf()));
    }
    Ok(out)
}

/// Whether DER bytes are a CRL or an OCSP response.
pub fn sniff(der: &[u8]) -> Option<Kind> {
    if super::crl::Crl::parse(der).is_ok() {
        Some(Kind::Crl)
    } else if super::ocsp::Response::parse(der).is_ok() {
        Some(Kind::Ocsp)
    } else {
        None
    }
}
