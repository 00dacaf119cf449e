//! The whole check of one file, stage after stage, in the order the data
//! flows. Stages record facts and reasons; [`crate::verdict`] decides.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::changes;
use crate::online;
use crate::pdf::{self, Encryption, PdfFile};
use crate::report::{Code, Reason, Record, SignatureReport};
use crate::signature::{self, byte_range, CheckContext, SignatureKind};
use crate::text;
use crate::trust::{signing_time, TrustStore};
use crate::verdict::{self, SignatureFacts, Verdict};

/// What a check needs besides the file.
#[derive(Debug, Clone)]
pub struct Options {
    pub trust: TrustStore,
    /// The user password of an encrypted file.
    pub password: Option<String>,
    /// The time of the check (for "expired since" warnings).
    pub now: OffsetDateTime,
    /// Hosts added to the official QR allow-list (config file).
    pub extra_official_hosts: Vec<String>,
    /// Where to save pictures of electronic seals, if anywhere.
    pub extract_seal_dir: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            trust: TrustStore::empty(),
            password: None,
            now: OffsetDateTime::now_utc(),
            extra_official_hosts: Vec::new(),
            extract_seal_dir: None,
        }
    }
}

/// Reads and checks the file at `path`. A file that cannot be read gets a
/// `malformed` record with the error.
pub fn verify_file(path: &Path, options: &Options) -> Record {
    let shown = path.display().to_string();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return Record::malformed(
                &shown,
                e.to_string(),
                vec![Reason::new(Code::FileUnreadable)],
            )
        }
    };
    match file.metadata() {
        Ok(m) if m.len() > pdf::limits::MAX_FILE_SIZE => {
            return Record::malformed(
                &shown,
                format!("the file is {} bytes, over the limit", m.len()),
                vec![Reason::new(Code::ResourceLimit)],
            )
        }
        Ok(m) if m.len() == 0 => return verify(&[], &shown, options),
        Err(e) => {
            return Record::malformed(
                &shown,
                e.to_string(),
                vec![Reason::new(Code::FileUnreadable)],
            )
        }
        Ok(_) => {}
    }
    // SAFETY: the map is read-only and lives only for this call; a file
    // truncated by another process while mapped is the one hazard, as with
    // every mmap reader.
    match unsafe { memmap2::Mmap::map(&file) } {
        Ok(map) => verify(&map, &shown, options),
        Err(_) => match std::fs::read(path) {
            Ok(bytes) => verify(&bytes, &shown, options),
            Err(e) => Record::malformed(
                &shown,
                e.to_string(),
                vec![Reason::new(Code::FileUnreadable)],
            ),
        },
    }
}

/// Checks the PDF in `bytes`; `path` is only what the record shows.
pub fn verify(bytes: &[u8], path: &str, options: &Options) -> Record {
    let sha256 = hex::encode(Sha256::digest(bytes));
    let file = match PdfFile::parse(bytes, options.password.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            let mut record = Record::malformed(path, e.to_string(), vec![Reason::new(e.code())]);
            record.sha256 = Some(sha256);
            record.size = Some(bytes.len() as u64);
            return record;
        }
    };
    let mut record = Record::malformed(path, String::new(), Vec::new());
    record.error = None;
    record.sha256 = Some(sha256);
    record.size = Some(bytes.len() as u64);
    record.revisions = file.revisions.len().max(1);
    record.encrypted = file.encryption != Encryption::None;
    record.reasons.extend(file.reasons.iter().cloned());

    let mut signed_docs: HashMap<usize, Option<lopdf::Document>> = HashMap::new();
    let fields = signature::locate::find_signatures(&file);
    let mut reports = Vec::new();
    let mut kinds = Vec::new();
    let mut earliest_signed_end: Option<usize> = None;
    for field in &fields {
        let br = byte_range::check(&file, field);
        let mut report = SignatureReport {
            field: field.name.clone(),
            format: String::new(),
            sub_filter: field.sub_filter.clone(),
            filter: field.filter.clone(),
            byte_range: field.byte_range.clone(),
            revision: br.revision,
            covers_whole_file: br.covers_whole_file,
            digest_algorithm: None,
            signature_algorithm: None,
            digest_ok: None,
            signature_ok: None,
            signer: None,
            trusted_issuer: None,
            signing_time: None,
            signing_time_source: None,
            timestamp: None,
            seal: None,
            verdict: Verdict::Invalid,
            reasons: br.reasons.clone(),
        };
        let signed_end = br.pieces.last().map(|p| p.1);
        let signed_doc = signed_end.and_then(|end| {
            signed_docs
                .entry(end)
                .or_insert_with(|| file.document_until(end).ok())
                .clone()
        });
        let contents_format = signature::container::sniff(
            field.contents.as_deref().unwrap_or(&[]),
            field.sub_filter.as_deref(),
        );
        report.format = contents_format.as_str().to_string();
        if let (Some(dir), true) = (
            &options.extract_seal_dir,
            crate::seal::has_picture(contents_format),
        ) {
            let saved = crate::seal::save_seal_picture(
                dir,
                record.sha256.as_deref().unwrap_or("unknown"),
                &field.name,
                field.contents.as_deref().unwrap_or(&[]),
            );
            if let Err(e) = saved {
                report
                    .reasons
                    .push(Reason::detail(Code::SealPictureNotSaved, e.to_string()));
            }
        }
        if br.usable() {
            let pieces: Vec<&[u8]> = br
                .pieces
                .iter()
                .filter_map(|&(a, b)| bytes.get(a..b))
                .collect();
            let ctx = CheckContext {
                trust: &options.trust,
                document_dates: signed_doc
                    .as_ref()
                    .map(signing_time::document_dates)
                    .unwrap_or_default(),
                claimed_m: field.m.as_deref().and_then(signing_time::parse_pdf_date),
                now: options.now,
            };
            let value = signature::check_value(field, &pieces, &ctx);
            report.format = value.format.as_str().to_string();
            report.digest_algorithm = value.digest_algorithm;
            report.signature_algorithm = value.signature_algorithm;
            report.digest_ok = value.digest_ok;
            report.signature_ok = value.signature_ok;
            report.signer = value.signer;
            report.trusted_issuer = value.trusted_issuer;
            report.signing_time = value.signing_time.and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            });
            report.signing_time_source = value.signing_time_source;
            report.timestamp = value.timestamp;
            report.seal = value.seal;
            report.reasons.extend(value.reasons);
            if field.kind == SignatureKind::Signature {
                if let Some(end) = signed_end {
                    earliest_signed_end =
                        Some(earliest_signed_end.map_or(end, |e: usize| e.min(end)));
                }
            }
        }
        let (v, extra) = verdict::decide_signature(field.kind, &report);
        report.reasons.extend(extra);
        report.verdict = v;
        kinds.push(field.kind);
        reports.push(report);
    }

    // What changed after each signature: compare its revision with the end.
    for (field, report) in fields.iter().zip(reports.iter_mut()) {
        let Some(end) = report.byte_range.as_ref().and_then(|br| {
            let (c, d) = (*br.get(2)?, *br.get(3)?);
            usize::try_from(c.checked_add(d)?).ok()
        }) else {
            continue;
        };
        if report.covers_whole_file || report.revision.is_none() {
            continue;
        }
        let Some(Some(signed_doc)) = signed_docs.get(&end) else {
            continue;
        };
        let outcome = changes::analyze(&file, signed_doc, end);
        for change in outcome.changes {
            if !record.changes_after_signing.contains(&change) {
                record.changes_after_signing.push(change);
            }
        }
        for reason in outcome.reasons {
            if !record.reasons.iter().any(|r| r.code == reason.code) {
                record.reasons.push(reason);
            }
        }
        let _ = field;
    }

    // What the document says now, and what it said when signed.
    if file.encryption != Encryption::NeedsPassword {
        let shown = text::extract(&file.doc);
        record.reasons.extend(shown.reasons);
        record.fields = shown.fields;
        if let (Some(end), Some(shown_fields)) = (earliest_signed_end, record.fields.as_ref()) {
            let last_end = file.revisions.last().map(|r| r.end).unwrap_or(bytes.len());
            if end < last_end {
                if let Some(Some(doc)) = signed_docs.get(&end) {
                    if let Some(signed_fields) = text::extract(doc).fields {
                        let diffs = text::diff_fields(&signed_fields, shown_fields);
                        if !diffs.is_empty() {
                            record.text_changes = diffs;
                            record.signed_fields = Some(signed_fields);
                        }
                    }
                }
            }
        }
        record.qr_codes = online::decode_qr_codes(&file.doc, &options.extra_official_hosts);
        if record.qr_codes.iter().any(|q| !q.host_allowed) {
            record
                .reasons
                .push(Reason::new(Code::QrCodeOffOfficialHost));
        }
    }

    let facts: Vec<SignatureFacts> = kinds
        .iter()
        .zip(reports.iter())
        .map(|(&kind, report)| SignatureFacts { kind, report })
        .collect();
    let (v, extra) = verdict::decide(&record.reasons, &facts);
    record.reasons.extend(extra);
    record.verdict = v;
    record.signatures = reports;
    record
}

/// The files a command line names: files as given, folders searched
/// (recursively, sorted) for `*.pdf`.
pub fn collect_pdfs(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found, 0);
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 32 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, out, depth + 1);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
        {
            out.push(path);
        }
    }
}
