//! The whole check of one file, stage after stage, in the order the data
//! flows. Stages record facts and reasons; [`crate::verdict`] decides.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::changes;
use crate::online;
use crate::pdf::{self, Encryption, PdfFile};
use crate::report::{
    Code, Reason, Record, SealPictureSource, Severity, SignatureReport, SigningTimeSource,
};
use crate::revocation;
use crate::signature::{self, byte_range, CheckContext, SignatureKind};
use crate::text;
use crate::timings::Timings;
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
    /// Keep the containers that hold seal pictures in the record
    /// (`Record::seal_pictures`), for a caller that saves them.
    pub keep_seal_pictures: bool,
    /// CRLs and OCSP responses the user gave (`--revocation`).
    pub revocation: Vec<revocation::Evidence>,
    /// Missing revocation data makes a signature invalid
    /// (`--require-revocation`), not only a warning.
    pub require_revocation: bool,
    /// Fetch revocation data online for certificates the data at hand does
    /// not cover (`--fetch-revocation`); `None`, nothing is fetched.
    pub fetch_revocation: Option<std::sync::Arc<revocation::fetch::Fetcher>>,
    /// Measure each stage's time into the record's `timings`
    /// (`--timings`); off, the record has no `timings`.
    pub timings: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            trust: TrustStore::empty(),
            password: None,
            now: OffsetDateTime::now_utc(),
            extra_official_hosts: Vec::new(),
            keep_seal_pictures: false,
            revocation: Vec::new(),
            require_revocation: false,
            fetch_revocation: None,
            timings: false,
        }
    }
}

/// Reads and checks the file at `path`. An input that cannot be opened
/// (missing, not allowed, not a regular file) gets an `input_error` record
/// with the error; one that opens but is not a PDF is `malformed`.
pub fn verify_file(path: &Path, options: &Options) -> Record {
    let opened = Instant::now();
    let shown = path.display().to_string();
    // The time to open and map the file is the record's first stage.
    let verify = |bytes: &[u8], shown: &str, options: &Options| {
        verify_read(bytes, shown, options, Some(opened.elapsed()))
    };
    let file = match open_regular_file(path) {
        Ok(f) => f,
        Err(InputError::NotRegular(kind)) => {
            return Record::input_error(
                &shown,
                format!("{kind}, not a regular file: it was not opened"),
                vec![Reason::detail(Code::NotARegularFile, kind)],
            )
        }
        Err(InputError::Io(e)) => {
            return Record::input_error(
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
            return Record::input_error(
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
        Err(_) => {
            let mut bytes = Vec::new();
            match std::io::Read::read_to_end(&mut &file, &mut bytes) {
                Ok(_) => verify(&bytes, &shown, options),
                Err(e) => Record::input_error(
                    &shown,
                    e.to_string(),
                    vec![Reason::new(Code::FileUnreadable)],
                ),
            }
        }
    }
}

/// Why an input was not opened.
#[derive(Debug)]
pub enum InputError {
    /// A FIFO, device, socket or folder: what kind.
    NotRegular(&'static str),
    Io(std::io::Error),
}

/// Opens `path` for reading only if it is a regular file (through
/// symlinks). A FIFO named `*.pdf` would block `open` until a writer
/// comes, and a device can be read forever, so the kind is checked first,
/// the file is opened without blocking, and the kind is checked again on
/// the open handle (the path may have been swapped in between).
pub fn open_regular_file(path: &Path) -> Result<std::fs::File, InputError> {
    let before = std::fs::metadata(path).map_err(InputError::Io)?;
    if let Some(kind) = not_regular(&before.file_type()) {
        return Err(InputError::NotRegular(kind));
    }
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = open.open(path).map_err(InputError::Io)?;
    let after = file.metadata().map_err(InputError::Io)?;
    match not_regular(&after.file_type()) {
        Some(kind) => Err(InputError::NotRegular(kind)),
        None => Ok(file),
    }
}

fn not_regular(kind: &std::fs::FileType) -> Option<&'static str> {
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Some("a device");
        }
    }
    Some("not a regular file")
}

/// Checks the PDF in `bytes`; `path` is only what the record shows.
pub fn verify(bytes: &[u8], path: &str, options: &Options) -> Record {
    verify_read(bytes, path, options, None)
}

/// [`verify`], with the time it took to read `bytes` (for `timings`).
fn verify_read(bytes: &[u8], path: &str, options: &Options, read: Option<Duration>) -> Record {
    let started = Instant::now();
    let mut timings = Timings::default();
    if let Some(read) = read {
        timings.add("read", read);
    }
    let mut record = check_bytes(bytes, path, options, &mut timings);
    if options.timings {
        timings.add("total", started.elapsed() + read.unwrap_or_default());
        record.timings = Some(timings);
    }
    record
}

fn check_bytes(bytes: &[u8], path: &str, options: &Options, timings: &mut Timings) -> Record {
    // The whole-file hash (for the record and the ledger) does not depend
    // on parsing: on a large file it runs beside it on another core.
    let parallel = bytes.len() >= PARALLEL_FROM;
    let ((sha256, hashed), (parsed, parsed_in)) = join(
        parallel,
        || stopwatch(|| hex::encode(Sha256::digest(bytes))),
        || stopwatch(|| PdfFile::parse(bytes, options.password.as_deref())),
    );
    timings.add("hash", hashed);
    timings.add("parse", parsed_in);
    let file = match parsed {
        Ok(f) => f,
        Err(e) => {
            let mut record = Record::malformed(path, e.to_string(), vec![Reason::new(e.code())]);
            record.sha256 = Some(sha256);
            record.size = Some(bytes.len() as u64);
            return record;
        }
    };
    let mut record = Record::new(path);
    record.sha256 = Some(sha256);
    record.size = Some(bytes.len() as u64);
    record.revisions = file.revisions.len().max(1);
    record.encrypted = file.encryption != Encryption::None;
    record.reasons.extend(file.reasons.iter().cloned());

    let mut revisions = SignedRevisions::default();
    // Revocation data kept in the final document, and the user's.
    let (mut evidence, responder_certs) = timings.time("revocation_data", || {
        revocation::collect::from_dss(&file.doc)
    });
    evidence.extend(options.revocation.iter().cloned());
    let pool = Pool {
        evidence,
        certs: responder_certs,
    };
    let (fields, empty_fields) = timings.time("locate", || signature::locate::find_all(&file));
    for empty in &empty_fields {
        record
            .reasons
            .push(Reason::detail(Code::EmptySignatureField, &empty.name));
    }
    // QR codes are decoded from the page images beside the other stages:
    // inflating a large seal picture is the slowest step on a small file.
    let (mut checked, (qr_codes, qr_in)) = join(
        parallel,
        || {
            let ctx = FileContext {
                file: &file,
                options,
                pool: &pool,
            };
            // Document timestamps first: a trusted one fixes the time of
            // every signature it covers (SPEC's time rule).
            let mut slots: Vec<Option<Checked>> = fields.iter().map(|_| None).collect();
            let mut proofs = Vec::new();
            for (slot, field) in slots.iter_mut().zip(&fields) {
                if field.kind == SignatureKind::DocTimestamp {
                    let c = check_signature(ctx, field, &mut revisions, &[], timings);
                    proofs.extend(TimeProofAt::of(&c));
                    *slot = Some(c);
                }
            }
            for (slot, field) in slots.iter_mut().zip(&fields) {
                if slot.is_none() {
                    *slot = Some(check_signature(
                        ctx,
                        field,
                        &mut revisions,
                        &proofs,
                        timings,
                    ));
                }
            }
            let mut checked: Vec<Checked> = slots.into_iter().flatten().collect();
            timings.time("changes", || {
                compare_with_signed_revisions(&file, &mut checked, &revisions, &mut record)
            });
            timings.time("text", || {
                read_text(&file, &checked, &revisions, &mut record)
            });
            checked
        },
        || {
            stopwatch(|| match file.encryption {
                Encryption::NeedsPassword => Vec::new(),
                _ => online::decode_qr_codes(&file.doc, &options.extra_official_hosts),
            })
        },
    );
    timings.add("qr", qr_in);
    record.reasons.extend(online::qr_reasons(&qr_codes));
    record.qr_codes = qr_codes;

    let verdict_started = Instant::now();
    for c in &mut checked {
        let (v, extra) = verdict::decide_signature(c.kind, &c.report);
        c.report.reasons.extend(extra);
        c.report.verdict = v;
    }
    let facts: Vec<SignatureFacts> = checked
        .iter()
        .map(|c| SignatureFacts {
            kind: c.kind,
            report: &c.report,
        })
        .collect();
    let (v, extra) = verdict::decide(&record.reasons, &facts);
    record.reasons.extend(extra);
    record.verdict = v;
    for (i, c) in checked.iter_mut().enumerate() {
        if let Some(picture) = c.seal_picture.take() {
            record.seal_pictures.push(SealPictureSource {
                signature: i,
                ..picture
            });
        }
    }
    record.signatures = checked.into_iter().map(|c| c.report).collect();
    explain_at_file_level(&mut record);
    timings.add("verdict", verdict_started.elapsed());
    record
}

/// Files from this size on are hashed beside parsing and have their QR
/// codes decoded beside the signature checks. A smaller file is checked on
/// the calling thread alone: handing half of it to another thread (and, in
/// a one-file process, starting rayon's threads) cost more than the work
/// it moved, up to several milliseconds on a busy machine, against
/// well under one for the hash of a certificate.
const PARALLEL_FROM: usize = 4 * 1024 * 1024;

/// `rayon::join` when `parallel`, else `a` then `b` on this thread.
fn join<A: Send, B: Send>(
    parallel: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    match parallel {
        true => rayon::join(a, b),
        false => (a(), b()),
    }
}

/// Runs `f` and says how long it took.
fn stopwatch<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

/// The file's own reasons say why it got its verdict: where that came from
/// a signature, the signature's reasons of the deciding severity are listed
/// at the file level too (a reader of `reasons` alone must not see an
/// `untrusted` file with no reason).
fn explain_at_file_level(record: &mut Record) {
    let deciding = match record.verdict {
        Verdict::Altered => Severity::Altered,
        Verdict::Invalid => Severity::Invalid,
        Verdict::Untrusted => Severity::Untrusted,
        _ => return,
    };
    if record.reasons.iter().any(|r| r.severity() == deciding) {
        return;
    }
    let from_signatures: Vec<Reason> = record
        .signatures
        .iter()
        .flat_map(|s| s.reasons.iter())
        .filter(|r| r.severity() == deciding)
        .cloned()
        .collect();
    for reason in from_signatures {
        push_once(&mut record.reasons, reason);
    }
}

/// The documents that signed revisions show, read once each (several
/// signatures may cover the same revision). `None`: it cannot be read.
#[derive(Default)]
struct SignedRevisions {
    by_end: HashMap<usize, Option<lopdf::Document>>,
}

impl SignedRevisions {
    /// Reads the revision ending at `end` unless it is already read. The
    /// last revision is the final document itself, which is not read again.
    fn load<'a>(&'a mut self, file: &'a PdfFile, end: usize) -> Option<&'a lopdf::Document> {
        if is_last_revision(file, end) {
            return Some(&file.doc);
        }
        self.by_end
            .entry(end)
            .or_insert_with(|| file.document_until(end).ok())
            .as_ref()
    }

    /// The revision ending at `end`, as read by [`Self::load`]: `None` when
    /// it was never read, `Some(None)` when it could not be.
    fn get<'a>(&'a self, file: &'a PdfFile, end: usize) -> Option<Option<&'a lopdf::Document>> {
        if is_last_revision(file, end) {
            return Some(Some(&file.doc));
        }
        self.by_end.get(&end).map(Option::as_ref)
    }
}

fn is_last_revision(file: &PdfFile, end: usize) -> bool {
    file.revisions.last().is_some_and(|r| r.accepts_end(end))
}

/// Revocation data found outside the signatures (the document security
/// store, `--revocation`), and certificates a delegated OCSP responder's
/// may be among.
struct Pool {
    evidence: Vec<revocation::Evidence>,
    certs: Vec<Vec<u8>>,
}

/// What an intact document timestamp from a trusted authority proves: the
/// bytes before its /Contents existed at its time.
struct TimeProofAt {
    /// The end of the first piece of its ByteRange: everything before this
    /// offset is covered.
    covers_until: usize,
    at: OffsetDateTime,
    proof: crate::report::TimeProof,
}

impl TimeProofAt {
    fn of(c: &Checked) -> Option<TimeProofAt> {
        let r = &c.report;
        let ts = r.timestamp.as_ref()?;
        let trusted = ts.valid
            && ts.trusted_issuer.is_some()
            && r.trusted_issuer.is_some()
            && r.digest_ok == Some(true)
            && r.signature_ok == Some(true)
            && !r
                .reasons
                .iter()
                .any(|x| x.severity() >= Severity::Untrusted);
        if !trusted {
            return None;
        }
        let at = c.signing_time?;
        let covers_until = match r.byte_range.as_deref()? {
            [0, len, ..] => usize::try_from(*len).ok()?,
            _ => return None,
        };
        Some(TimeProofAt {
            covers_until,
            at,
            proof: crate::report::TimeProof {
                field: r.field.clone(),
                time: ts.time.clone(),
                authority: ts.authority.clone(),
                trusted_issuer: ts.trusted_issuer.clone(),
            },
        })
    }

    /// The earliest proof covering a signature whose signed bytes end at
    /// `signed_end` (its own /Contents included).
    fn earliest_covering(proofs: &[TimeProofAt], signed_end: usize) -> Option<&TimeProofAt> {
        proofs
            .iter()
            .filter(|p| signed_end <= p.covers_until)
            .min_by_key(|p| p.at)
    }
}

/// One signature as checked so far.
struct Checked {
    kind: SignatureKind,
    /// Where its signed bytes end, when its byte range is usable.
    signed_end: Option<usize>,
    /// The time its certificate was judged at.
    signing_time: Option<OffsetDateTime>,
    report: SignatureReport,
    /// Its container, when it holds a seal picture and the caller asked.
    seal_picture: Option<SealPictureSource>,
}

/// What every signature of one file is checked against.
#[derive(Clone, Copy)]
struct FileContext<'a> {
    file: &'a PdfFile<'a>,
    options: &'a Options,
    pool: &'a Pool,
}

/// Integrity, container, value and signer of one signature.
fn check_signature(
    ctx: FileContext<'_>,
    field: &signature::SignatureField,
    revisions: &mut SignedRevisions,
    proofs: &[TimeProofAt],
    timings: &mut Timings,
) -> Checked {
    let started = Instant::now();
    let mut parse = Duration::ZERO;
    let checked = check_signature_timed(ctx, field, revisions, proofs, &mut parse);
    // The signed revision's parse is its own stage; the rest is the
    // signature's (byte range, container, digest, value, chain, revocation).
    timings.add("signed_revision_parse", parse);
    timings.add("signatures", started.elapsed().saturating_sub(parse));
    checked
}

fn check_signature_timed(
    ctx: FileContext<'_>,
    field: &signature::SignatureField,
    revisions: &mut SignedRevisions,
    proofs: &[TimeProofAt],
    parse: &mut Duration,
) -> Checked {
    let FileContext {
        file,
        options,
        pool,
    } = ctx;
    let br = byte_range::check(file, field);
    let contents = field.contents.as_deref().unwrap_or(&[]);
    let format = signature::container::sniff(contents, field.sub_filter.as_deref());
    let mut report = SignatureReport {
        field: field.name.clone(),
        format: format.as_str().to_string(),
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
        signing_time_proof: None,
        timestamp: None,
        seal: None,
        revocation: None,
        verdict: Verdict::Invalid,
        reasons: br.reasons.clone(),
    };
    let seal_picture =
        (options.keep_seal_pictures && crate::seal::has_picture(format)).then(|| {
            SealPictureSource {
                signature: 0,
                field: field.name.clone(),
                contents: contents.to_vec(),
            }
        });
    let signed_end = br.pieces.last().map(|p| p.1);
    if !br.usable() {
        return Checked {
            kind: field.kind,
            signed_end: None,
            signing_time: None,
            report,
            seal_picture,
        };
    }
    let pieces: Vec<&[u8]> = br
        .pieces
        .iter()
        .filter_map(|&(a, b)| file.bytes.get(a..b))
        .collect();
    let proof = signed_end.and_then(|end| TimeProofAt::earliest_covering(proofs, end));
    let loading = Instant::now();
    let signed_doc = signed_end.and_then(|end| revisions.load(file, end));
    *parse += loading.elapsed();
    let document_dates = signed_doc
        .map(signing_time::document_dates)
        .unwrap_or_default();
    let ctx = CheckContext {
        trust: &options.trust,
        document_dates,
        claimed_m: field.m.as_deref().and_then(signing_time::parse_pdf_date),
        doc_timestamp: proof.map(|p| p.at),
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
    if report.signing_time_source == Some(SigningTimeSource::DocTimestamp) {
        report.signing_time_proof = proof.map(|p| p.proof.clone());
    }
    report.timestamp = value.timestamp;
    report.seal = value.seal;
    report.reasons.extend(value.reasons);
    // A chain that was not kept reads as one without an issuer to ask:
    // unknown, and invalid where revocation data is required.
    if field.kind == SignatureKind::Signature && report.trusted_issuer.is_some() {
        // Without a signing time the data must hold now.
        let at = value.signing_time.unwrap_or(options.now);
        let carried = revocation::collect::from_cms(&value.carried_revocation);
        let evidence: Vec<&revocation::Evidence> =
            carried.iter().chain(pool.evidence.iter()).collect();
        // Only a trusted timestamp (on the signature, or a document
        // timestamp covering it) proves a time against a revocation: a
        // revoked key can claim any time.
        let proven = report
            .signing_time_source
            .is_some_and(SigningTimeSource::is_proven)
            .then_some(at);
        let request = revocation::Request {
            chain: &value.chain,
            signing_time: at,
            proven_time: proven,
            evidence: &evidence,
            certs: &pool.certs,
            now: options.now,
            required: options.require_revocation,
        };
        let outcome = match &options.fetch_revocation {
            Some(fetcher) => revocation::fetch::check(&request, fetcher),
            None => revocation::check(&request),
        };
        report.revocation = Some(outcome.info);
        for r in outcome.reasons {
            push_once_exact(&mut report.reasons, r);
        }
    }
    Checked {
        kind: field.kind,
        signed_end,
        signing_time: value.signing_time,
        report,
        seal_picture,
    }
}

/// What changed after each signature: its revision against the final
/// document. A change that alters what is shown is the signature's own
/// reason too (what it signed is no longer what is shown), and the file's.
fn compare_with_signed_revisions(
    file: &PdfFile,
    checked: &mut [Checked],
    revisions: &SignedRevisions,
    record: &mut Record,
) {
    for c in checked.iter_mut() {
        let Some(end) = c.signed_end else { continue };
        if c.report.covers_whole_file || c.report.revision.is_none() {
            continue;
        }
        let signed_doc = match revisions.get(file, end) {
            Some(Some(doc)) => doc,
            // The signed revision cannot be read: what was signed cannot
            // be compared with what is shown (fail closed).
            Some(None) => {
                push_once(
                    &mut c.report.reasons,
                    Reason::detail(
                        Code::ChangesNotCompared,
                        "the signed revision cannot be read",
                    ),
                );
                continue;
            }
            None => continue,
        };
        let outcome = changes::analyze(file, signed_doc, end);
        for change in outcome.changes {
            if !record.changes_after_signing.contains(&change) {
                record.changes_after_signing.push(change);
            }
        }
        for reason in outcome.reasons {
            if reason.severity() >= Severity::Untrusted {
                push_once(&mut c.report.reasons, reason.clone());
            }
            push_once(&mut record.reasons, reason);
        }
    }
}

fn push_once_exact(reasons: &mut Vec<Reason>, reason: Reason) {
    if !reasons.contains(&reason) {
        reasons.push(reason);
    }
}

fn push_once(reasons: &mut Vec<Reason>, reason: Reason) {
    if !reasons.iter().any(|r| r.code == reason.code) {
        reasons.push(reason);
    }
}

/// What the document says now and, where the earliest signature covers an
/// earlier revision, what it said when signed.
fn read_text(
    file: &PdfFile,
    checked: &[Checked],
    revisions: &SignedRevisions,
    record: &mut Record,
) {
    if file.encryption == Encryption::NeedsPassword {
        // Never a bare verdict with nothing shown: a person must read it.
        record.reasons.push(Reason::new(Code::ContentNotReadable));
        return;
    }
    let shown = text::extract(&file.doc);
    record.reasons.extend(shown.reasons);
    record.fields = shown.fields;
    let earliest_signed_end = checked
        .iter()
        .filter(|c| c.kind == SignatureKind::Signature)
        .filter_map(|c| c.signed_end)
        .min();
    let last_end = file
        .revisions
        .last()
        .map(|r| r.end)
        .unwrap_or(file.bytes.len());
    if let (Some(end), Some(shown_fields)) = (earliest_signed_end, record.fields.as_ref()) {
        if end < last_end {
            if let Some(Some(doc)) = revisions.get(file, end) {
                if let Some(signed_fields) = text::extract(doc).fields {
                    let diffs = text::diff_fields(&signed_fields, shown_fields);
                    if !diffs.is_empty() {
                        // Whatever the object-level analysis made of the
                        // update, text that reads differently from what
                        // was signed is a change to what is shown.
                        let detail: Vec<String> = diffs
                            .iter()
                            .map(|d| {
                                format!(
                                    "{}: signed {}, shown {}",
                                    d.field,
                                    d.signed.as_deref().unwrap_or("nothing"),
                                    d.shown.as_deref().unwrap_or("nothing")
                                )
                            })
                            .collect();
                        record.reasons.push(Reason::detail(
                            Code::TextChangedAfterSigning,
                            detail.join("; "),
                        ));
                        record.text_changes = diffs;
                        record.signed_fields = Some(signed_fields);
                    }
                }
            }
        }
    }
}
