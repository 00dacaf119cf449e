//! Desk services: what the person at the desk adds around the pipeline's
//! check of a file — the ledger, the guided online check, the seal-picture
//! folder — and the commands that run them. The pipeline
//! ([`crate::verify`]) knows nothing of these; [`check`] is the one
//! orchestration of one checked file, shared by `certcheck verify`,
//! `certcheck online` and the coming web desk. Printing is report/'s: the
//! commands here only choose a printer and hand it the results.

pub mod manual;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::batch;
use crate::config::Config;
use crate::ledger::{
    self, ExportFilter, ExportFormat, ExportStyle, HistoryOf, Ledger, LedgerConfig, LedgerError,
    Location, Privacy, PrivacyMode, Stamp,
};
use crate::online::{self, Confirmation, OnlineCheck};
use crate::report::printer::{self, OutputFormat, Printer};
use crate::report::summary::Summary;
use crate::report::{self, Record};
use crate::trust::TrustStore;
use crate::Options;

/// Why a command stopped: the message for stderr (after "certcheck: ")
/// and the exit status SPEC.md gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub status: u8,
    pub message: String,
}

impl Failure {
    /// A usage error (exit status 2).
    pub fn usage(message: impl std::fmt::Display) -> Failure {
        Failure {
            status: 2,
            message: message.to_string(),
        }
    }

    fn with_status(status: u8, message: impl std::fmt::Display) -> Failure {
        Failure {
            status,
            message: message.to_string(),
        }
    }
}

/// What every check needs: issuers and a password.
#[derive(Debug, Clone, Default)]
pub struct CheckSettings {
    /// Certificates, folders of them, or issuers TOML files.
    pub trust: Vec<PathBuf>,
    /// Whether the default store of known issuers is loaded too.
    pub default_trust: bool,
    /// The user password of encrypted files.
    pub password: Option<String>,
}

impl CheckSettings {
    /// The pipeline's options: the issuers, the password and the
    /// configured official hosts.
    pub fn options(&self) -> Result<Options, Failure> {
        let trust = TrustStore::load(&self.trust, self.default_trust).map_err(Failure::usage)?;
        let config = Config::load().map_err(Failure::usage)?;
        Ok(Options {
            trust,
            password: self.password.clone(),
            extra_official_hosts: config.official_hosts,
            ..Options::default()
        })
    }
}

/// Which ledger a command uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerPlace {
    /// The config file's `ledger`, else the default file in the platform
    /// data dir.
    Default,
    /// An SQLite file, or a `postgres://` URL.
    At(PathBuf),
}

/// Where checks are recorded, and as whom.
#[derive(Debug, Clone, Default)]
pub struct LedgerSettings {
    /// None: no ledger (unless the command needs one).
    pub place: Option<LedgerPlace>,
    /// Compare with the ledger without writing to it.
    pub no_record: bool,
    /// Who checks (else the config's `operator`, else the login name).
    pub operator: Option<String>,
    /// How names and ID numbers are kept (else the config's
    /// `ledger_privacy`, else clear).
    pub privacy: Option<PrivacyMode>,
}

impl LedgerSettings {
    /// Which ledger, and its privacy setting with the key: the command
    /// line first, then the config file. None: no ledger named and none
    /// `required`.
    pub fn config(&self, required: bool) -> Result<Option<LedgerConfig>, Failure> {
        let config = Config::load().map_err(Failure::usage)?;
        let default = || -> Result<Location, Failure> {
            if let Some(l) = &config.ledger {
                return Ok(Location::parse(l));
            }
            Ledger::default_path().map(Location::Sqlite).ok_or_else(|| {
                Failure::usage("no platform data dir for the ledger; use --ledger PATH")
            })
        };
        let location = match &self.place {
            Some(LedgerPlace::At(p)) => Location::parse(&p.to_string_lossy()),
            Some(LedgerPlace::Default) => default()?,
            None if required => default()?,
            None => return Ok(None),
        };
        if let Location::Sqlite(path) = &location {
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
            {
                return Err(Failure::usage(format!(
                    "--ledger {}: that looks like a PDF, not a ledger; put --ledger after the files or write --ledger=PATH",
                    path.display()
                )));
            }
        }
        let mode = match (self.privacy, config.ledger_privacy.as_deref()) {
            (Some(m), _) => m,
            (None, Some(name)) => PrivacyMode::from_name(name).ok_or_else(|| {
                Failure::usage(format!(
                    "ledger_privacy = {name:?} in the config: use \"clear\" or \"hashed\""
                ))
            })?,
            (None, None) => PrivacyMode::Clear,
        };
        let privacy =
            Privacy::resolve(mode, config.ledger_key.as_deref()).map_err(Failure::usage)?;
        Ok(Some(LedgerConfig::new(location, privacy)))
    }

    /// Who and what the checks are recorded with.
    pub fn stamp(&self, trust: &TrustStore) -> Stamp {
        let config = Config::load().unwrap_or_default();
        let operator = self.operator.as_deref().or(config.operator.as_deref());
        Stamp::new(operator, config.desk.as_deref(), trust)
    }

    /// Opens the ledger named, or the default one when `required` and none
    /// is named, stamping its entries with the operator, this desk, this
    /// build and the fingerprint of `trust`. A path ending in .pdf is
    /// refused: it is a file to check that the command line took as the
    /// ledger.
    pub fn open(&self, required: bool, trust: &TrustStore) -> Result<Option<Ledger>, Failure> {
        let Some(config) = self.config(required)? else {
            return Ok(None);
        };
        let mut ledger = Ledger::open(config).map_err(Failure::usage)?;
        ledger.set_stamp(self.stamp(trust));
        Ok(Some(ledger))
    }
}

/// The desk services asked for around each check.
pub struct Services<'a> {
    /// Compare each check with this ledger.
    pub ledger: Option<&'a mut Ledger>,
    /// Write each check into the ledger (false: compare only).
    pub record: bool,
    /// Prepare the guided online check.
    pub online: bool,
    /// The answer the official site gave, recorded in the ledger.
    pub confirmation: Option<Confirmation>,
}

/// One file as the desk has it: the record (with its `ledger` and
/// `online` keys filled in) and the guided online check, typed.
pub struct Checked {
    pub record: Record,
    pub online: Option<OnlineCheck>,
    /// The ledger could not compare or record this check; the rest of
    /// the record stands.
    pub ledger_error: Option<LedgerError>,
}

/// The desk's one orchestration of a checked file: compare it with the
/// ledger (and record it, and the person's answer, unless compare-only),
/// then prepare the guided online check from what the ledger saw.
pub fn check(mut record: Record, services: &mut Services<'_>) -> Checked {
    let mut ledger_error = None;
    if let Some(ledger) = services.ledger.as_deref_mut() {
        let recorded = ledger
            .check_and_record(&mut record, services.record)
            .and_then(|()| match (services.confirmation, services.record) {
                (Some(answer), true) => {
                    let id = record.ledger.as_ref().map(|l| l.id).unwrap_or(0);
                    ledger.record_confirmation(id, answer)
                }
                _ => Ok(()),
            });
        ledger_error = recorded.err();
    }
    let online = services
        .online
        .then(|| online::prepare(&record, services.confirmation));
    record.online = online.as_ref().map(OnlineCheck::to_value);
    Checked {
        record,
        online,
        ledger_error,
    }
}

/// What the terminal allows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Console {
    /// ANSI colours in human output.
    pub color: bool,
    /// A progress bar on stderr.
    pub progress: bool,
}

/// `certcheck verify`.
pub struct VerifyRequest {
    pub paths: Vec<PathBuf>,
    pub check: CheckSettings,
    pub format: OutputFormat,
    /// Files checked at once (None: one per core).
    pub jobs: Option<usize>,
    pub ledger: LedgerSettings,
    /// Add the guided online check to each record.
    pub online: bool,
    /// Save each electronic seal's picture in this folder.
    pub extract_seal: Option<PathBuf>,
    /// CRLs and OCSP responses (files or folders of them), `--revocation`.
    pub revocation: Vec<PathBuf>,
    /// Missing revocation data is invalid (`--require-revocation`).
    pub require_revocation: bool,
    /// Fetch missing revocation data online (`--fetch-revocation`).
    pub fetch_revocation: bool,
    /// Where fetched revocation data is kept (`--revocation-cache`;
    /// default: the user's cache folder).
    pub revocation_cache: Option<PathBuf>,
    /// Each stage's time on stderr and in the record (`--timings`).
    pub timings: bool,
    /// CSV for Excel (`--excel`): a byte-order mark and Chinese headers.
    pub excel: bool,
}

/// Saves the seal pictures the record's signatures carry into `dir`, named
/// after the input file and the signature. A picture that cannot be saved
/// is that signature's info reason `seal_picture_not_saved` (the verdict
/// does not depend on it).
fn save_seal_pictures(record: &mut Record, dir: &Path) {
    let input_name = Path::new(&record.path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "seal".into());
    for source in std::mem::take(&mut record.seal_pictures) {
        let saved =
            crate::seal::save_seal_picture(dir, &input_name, &source.field, &source.contents);
        if let Err(e) = saved {
            let reason = report::Reason::detail(report::Code::SealPictureNotSaved, e.to_string());
            if let Some(sig) = record.signatures.get_mut(source.signature) {
                sig.reasons.push(reason);
            }
        }
    }
}

/// Checks the files of `request`, printing each record to `out` as soon as
/// it and every one before it are done. Returns SPEC.md's exit status.
pub fn verify<W: Write>(request: &VerifyRequest, out: W, console: Console) -> Result<u8, Failure> {
    // A named file that is not revocation data is a usage error: a check
    // without the evidence the user meant to give would mislead.
    let revocation =
        crate::revocation::collect::load_files(&request.revocation).map_err(Failure::usage)?;
    let fetch_revocation = if request.fetch_revocation {
        let dir = request
            .revocation_cache
            .clone()
            .or_else(crate::revocation::fetch::Fetcher::default_cache_dir)
            .ok_or_else(|| {
                Failure::usage(
                    "no cache folder for fetched revocation data: give --revocation-cache DIR",
                )
            })?;
        Some(std::sync::Arc::new(crate::revocation::fetch::Fetcher::new(
            dir,
        )))
    } else {
        None
    };
    let options = Options {
        keep_seal_pictures: request.extract_seal.is_some(),
        revocation,
        require_revocation: request.require_revocation,
        fetch_revocation,
        timings: request.timings,
        ..request.check.options()?
    };
    let mut ledger = request.ledger.open(false, &options.trust)?;
    if request.jobs == Some(0) {
        return Err(Failure::usage("--jobs must be at least 1"));
    }
    if let Some(dir) = &request.extract_seal {
        check_picture_folder(dir)?;
    }
    warn_about_trust(&request.check, &options);
    let mut pictures_lost = false;
    let inputs = batch::collect_inputs(&request.paths);
    for link in &inputs.skipped_links {
        eprintln!(
            "certcheck: {}: a symlinked folder, not followed (name it to check it)",
            crate::report::escape::for_terminal(&link.display().to_string())
        );
    }
    let files = inputs.files;
    if files.is_empty() {
        // Nothing checked must not read as "every file authentic" (0).
        return Err(Failure::usage("no PDF files found in the paths given"));
    }
    let progress = console.progress.then(|| {
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} files  {per_sec}  {eta} left",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let style = crate::report::csv::CsvStyle::for_desk(
        request.excel,
        request.excel,
        Some(request.ledger.stamp(&options.trust).operator),
    );
    let mut printer = Printer::with_csv_style(request.format, out, console.color, style);
    let mut summary = Summary::default();
    let mut services = Services {
        ledger: ledger.as_mut(),
        record: !request.ledger.no_record,
        online: request.online,
        confirmation: None,
    };
    batch::run(
        &files,
        &options,
        request.jobs.unwrap_or_else(batch::default_jobs),
        |_, mut record| {
            if let Some(dir) = &request.extract_seal {
                save_seal_pictures(&mut record, dir);
            }
            let checked = check(record, &mut services);
            if let Some(e) = &checked.ledger_error {
                eprintln!("certcheck: {}: {e}", checked.record.path);
            }
            for r in checked
                .record
                .signatures
                .iter()
                .flat_map(|s| s.reasons.iter())
                .filter(|r| r.code == crate::report::Code::SealPictureNotSaved)
            {
                pictures_lost = true;
                eprintln!(
                    "certcheck: {}: {}",
                    crate::report::escape::for_terminal(&checked.record.path),
                    crate::report::escape::for_terminal(&r.message)
                );
            }
            if let Some(t) = &checked.record.timings {
                eprintln!(
                    "certcheck: timings: {}: {}",
                    crate::report::escape::for_terminal(&checked.record.path),
                    t.line()
                );
            }
            summary.add(&checked.record);
            let mut print = || printer.print(&checked.record, checked.online.as_ref());
            match &progress {
                Some(bar) => {
                    bar.suspend(print);
                    bar.inc(1);
                }
                None => print(),
            }
        },
    );
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    printer.finish(&summary);
    let status = summary.exit_status();
    // A picture asked for and not saved is an input/output problem (2),
    // unless a worse outcome wins.
    Ok(match pictures_lost {
        true => crate::verdict::worse_exit(status, 2),
        false => status,
    })
}

/// The output formats of `certcheck online` and `certcheck seal` (named on
/// the command line, as [`OutputFormat`] is).
#[derive(Debug, Copy, Clone, PartialEq, Eq, clap::ValueEnum)]
pub enum DocumentFormat {
    Human,
    Json,
}

/// `certcheck online`.
pub struct OnlineRequest {
    pub file: PathBuf,
    pub check: CheckSettings,
    pub format: DocumentFormat,
    /// Open the official page in the browser.
    pub open: bool,
    /// The answer the official site gave, to record.
    pub confirmation: Option<Confirmation>,
    pub ledger: LedgerSettings,
}

/// Prepares the guided online check of one file (and records the answer
/// given), printed to `out`. With `ask` (the person at a terminal, or
/// `--prompt`) and no answer given, the answer is asked for after the
/// guided check is shown, and recorded when one is typed. Returns the
/// file's exit status.
pub fn online<W: Write>(
    request: &OnlineRequest,
    mut out: W,
    color: bool,
    ask: Option<&mut dyn std::io::BufRead>,
) -> Result<u8, Failure> {
    if request.confirmation.is_some() && request.ledger.no_record {
        return Err(Failure::usage(
            "--confirm records the answer; it cannot go with --no-record",
        ));
    }
    let ask = ask.filter(|_| request.confirmation.is_none() && !request.ledger.no_record);
    let options = request.check.options()?;
    warn_about_trust(&request.check, &options);
    let mut ledger = request.ledger.open(
        request.confirmation.is_some() || ask.is_some(),
        &options.trust,
    )?;
    let mut services = Services {
        ledger: ledger.as_mut(),
        record: !request.ledger.no_record,
        online: true,
        confirmation: request.confirmation,
    };
    let checked = check(crate::verify_file(&request.file, &options), &mut services);
    if let Some(e) = checked.ledger_error {
        return Err(Failure::with_status(2, e));
    }
    match request.format {
        DocumentFormat::Json => {
            let _ = write!(out, "{}", report::to_json(&checked.record, true));
            let _ = writeln!(out);
        }
        DocumentFormat::Human => {
            let text = printer::render_human(&checked.record, checked.online.as_ref(), color);
            let _ = write!(out, "{text}");
        }
    }
    let _ = out.flush();
    if request.open {
        if let Err(e) = online::open_official_page() {
            eprintln!(
                "certcheck: could not open {}: {e}",
                online::OFFICIAL_CHECK_URL
            );
        }
    }
    if let (Some(from), Some(ledger)) = (ask, ledger.as_mut()) {
        let id = checked.record.ledger.as_ref().map_or(0, |l| l.id);
        if let Some(answer) = online::ask_answer(from, &mut std::io::stderr()) {
            ledger
                .record_confirmation(id, answer)
                .map_err(|e| Failure::with_status(2, e))?;
            let stamp = ledger.stamp();
            let _ = writeln!(
                out,
                "  online answer recorded: {} ({}) by {} at desk {}, ledger #{id}",
                answer.zh(),
                answer.as_str(),
                report::escape::for_terminal(&stamp.operator),
                report::escape::for_terminal(&stamp.desk)
            );
        } else {
            eprintln!("certcheck: no online answer recorded");
        }
    }
    Ok(batch::exit_status(&[checked.record.verdict]))
}

/// `certcheck ledger`: what to do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerQuery {
    /// The latest checks, newest first.
    List { limit: usize },
    /// One check in full (JSON).
    Show { id: i64 },
    /// Every check of a file, 管理号 or ID number, at every desk (JSON
    /// lines, oldest first).
    History(HistoryOf),
    /// Every check matching `filter`, oldest first.
    Export {
        format: ExportFormat,
        style: ExportStyle,
        filter: ExportFilter,
        to: ExportTo,
    },
    /// Apply the schema migrations not yet applied.
    Migrate,
    /// Remove the checks made before a date.
    Purge { before: String },
    /// Copy an SQLite ledger into this (empty) one.
    Import { from: PathBuf },
    /// Append a correction of check `id` (the check is not changed).
    Correct {
        id: i64,
        reason: String,
        verdict: Option<String>,
        answer: Option<Confirmation>,
    },
}

/// Where `ledger export` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportTo {
    /// The command's output; `terminal`: it is a terminal (a workbook's
    /// bytes are refused there).
    Stdout { terminal: bool },
    /// A new file (an existing file or link there is not overwritten).
    File(PathBuf),
}

/// Runs `query` on the ledger of `settings` (default: the config's, else
/// the platform data dir's), printing to `out`. Reading never creates a
/// ledger file.
pub fn ledger_command<W: Write>(
    settings: &LedgerSettings,
    query: LedgerQuery,
    mut out: W,
) -> Result<u8, Failure> {
    let Some(config) = settings.config(true)? else {
        return Err(Failure::usage("no ledger named"));
    };
    let opened = match &query {
        LedgerQuery::Migrate => Ledger::open(config.clone()),
        LedgerQuery::Import { .. } => Ledger::open_import_target(config.clone()),
        LedgerQuery::List { .. }
        | LedgerQuery::Show { .. }
        | LedgerQuery::History(_)
        | LedgerQuery::Export { .. } => Ledger::open_read_only(config.clone()),
        LedgerQuery::Purge { .. } | LedgerQuery::Correct { .. } => {
            Ledger::open_existing(config.clone())
        }
    };
    let mut ledger = opened.map_err(Failure::usage)?;
    if matches!(query, LedgerQuery::Correct { .. }) {
        ledger.set_stamp(settings.stamp(&TrustStore::default()));
    }
    let result = match query {
        LedgerQuery::List { limit } => ledger.list(limit).map(|entries| {
            for e in &entries {
                let _ = writeln!(out, "{}", ledger::list_line(e));
            }
        }),
        LedgerQuery::Show { id } => ledger.get(id).map(|e| {
            let _ = serde_json::to_writer_pretty(&mut out, &e);
            let _ = writeln!(out);
        }),
        LedgerQuery::History(of) => ledger.history(&of).map(|entries| {
            for e in &entries {
                let _ = serde_json::to_writer(&mut out, e);
                let _ = writeln!(out);
            }
        }),
        LedgerQuery::Export {
            format,
            style,
            filter,
            to,
        } => match to {
            ExportTo::Stdout { terminal: true } if format.is_binary() => {
                return Err(Failure::usage(
                    "an XLSX workbook is not for a terminal: add --output FILE.xlsx (or redirect)",
                ))
            }
            ExportTo::Stdout { .. } => ledger.export_filtered(format, &style, &filter, &mut out),
            ExportTo::File(path) => {
                let file = crate::trust_admin::create_new(&path)
                    .map_err(|e| Failure::usage(format!("--output {}: {e}", path.display())))?;
                let written =
                    ledger.export_filtered(format, &style, &filter, std::io::BufWriter::new(file));
                if written.is_err() {
                    // A half-written export must not pass for a whole one.
                    let _ = std::fs::remove_file(&path);
                }
                written
            }
        },
        LedgerQuery::Migrate => ledger.schema_version().and_then(|v| {
            let transport = ledger.transport()?;
            let _ = writeln!(
                out,
                "ledger {} is at schema version {v}\nconnection: {transport}",
                config.location.describe()
            );
            Ok(())
        }),
        LedgerQuery::Purge { before } => ledger.purge(&before).map(|n| {
            let _ = writeln!(out, "removed {n} check(s) made before {before}");
        }),
        LedgerQuery::Correct {
            id,
            reason,
            verdict,
            answer,
        } => ledger
            .correct(id, &reason, verdict.as_deref(), answer)
            .map(|n| {
                let stamp = ledger.stamp();
                let _ = writeln!(
                    out,
                    "correction #{n} of check #{id} recorded by {} at desk {} (the check itself is unchanged; `ledger show {id}` gives the chain)",
                    report::escape::for_terminal(&stamp.operator),
                    report::escape::for_terminal(&stamp.desk)
                );
            }),
        LedgerQuery::Import { from } => {
            let source = Ledger::open_existing(LedgerConfig::new(
                Location::Sqlite(from.clone()),
                config.privacy.clone(),
            ))
            .map_err(Failure::usage)?;
            ledger.import_from(&source).map(|r| {
                let _ = writeln!(
                    out,
                    "imported {} check(s) and {} confirmation(s) from {} into {}; count and sha256 {} match",
                    r.checks,
                    r.confirmations,
                    from.display(),
                    config.location.describe(),
                    r.checksum
                );
            })
        }
    };
    match result {
        Ok(()) => Ok(0),
        Err(LedgerError::NotFound(id)) => {
            Err(Failure::usage(format!("no check #{id} in the ledger")))
        }
        Err(e @ (LedgerError::Usage(_) | LedgerError::Privacy(_) | LedgerError::NotEmpty(_))) => {
            Err(Failure::usage(e))
        }
        Err(e) => Err(Failure::with_status(4, e)),
    }
}

/// `certcheck trust add`.
pub struct TrustAddRequest {
    /// A known-genuine signed PDF, or a certificate file.
    pub path: PathBuf,
    /// The person confirmed on the command line (`--yes`).
    pub yes: bool,
    /// A SHA-256 fingerprint obtained out of band, to compare with.
    pub fingerprint: Option<String>,
}

/// `certcheck trust add`: shows what would be pinned into the default store
/// and pins it only when confirmed: by `--yes`, by a matching
/// `--fingerprint`, or by the person answering `ask` (given only when
/// stdin is a terminal). Anything worrying (a self-signed seal, not a CA,
/// an impostor of a known name) needs `--yes` itself. Exit status: 0
/// pinned (or already known), 1 refused or not confirmed, 2 usage or
/// input problem.
pub fn trust_add<W: Write>(
    request: &TrustAddRequest,
    mut out: W,
    ask: Option<&mut dyn FnMut(&str) -> bool>,
) -> Result<u8, Failure> {
    use crate::trust_admin::{self, AdminError};
    let dir = TrustStore::default_dir()
        .ok_or_else(|| Failure::usage("no platform config folder for the trust store"))?;
    let current = TrustStore::load(&[], true).map_err(Failure::usage)?;
    let candidate = trust_admin::inspect(&request.path, &current).map_err(|e| match e {
        AdminError::Read { .. } => Failure::usage(e),
        _ => Failure::with_status(1, format!("not pinned: {e}")),
    })?;
    let _ = write!(out, "{}", candidate.render_human());
    let _ = out.flush();
    if candidate.already_known {
        let _ = writeln!(out, "nothing to do: this key is a known issuer already");
        return Ok(0);
    }
    let fingerprint_ok = match &request.fingerprint {
        Some(given) => match trust_admin::check_fingerprint(&candidate, given) {
            Ok(_) => true,
            Err(e @ AdminError::BadFingerprint(_)) => return Err(Failure::usage(e)),
            Err(e) => return Err(Failure::with_status(1, format!("not pinned: {e}"))),
        },
        None => false,
    };
    for c in &candidate.concerns {
        eprintln!("certcheck: WARNING: {}", c.message());
    }
    let confirmed = if request.yes {
        true
    } else if candidate.needs_explicit_yes() {
        return Err(Failure::with_status(
            1,
            "not pinned: a file like this needs --yes, after checking its fingerprint with the issuer",
        ));
    } else if fingerprint_ok {
        true
    } else if let Some(ask) = ask {
        ask("Pin this issuer? Every file it signs will then be authentic. [y/N] ")
    } else {
        return Err(Failure::with_status(
            1,
            "not pinned: confirm with --yes or --fingerprint SHA256 (stdin is not a terminal to ask)",
        ));
    };
    if !confirmed {
        return Err(Failure::with_status(1, "not pinned"));
    }
    let pinned = trust_admin::pin(&candidate, &dir).map_err(Failure::usage)?;
    let file = match pinned {
        trust_admin::Pinned::Written(f) | trust_admin::Pinned::AlreadyThere(f) => f,
    };
    let _ = writeln!(
        out,
        "pinned {} (SPKI SHA-256 {}) into {}",
        crate::report::escape::for_terminal(&candidate.name),
        candidate.spki_sha256,
        file.display()
    );
    Ok(0)
}

/// `certcheck trust remove`: removes the known issuer whose fingerprint is
/// (or starts with, 8 hex digits at least) `fingerprint` from the default
/// store. Exit status 0 removed, 1 not found, 2 usage problem.
pub fn trust_remove<W: Write>(fingerprint: &str, mut out: W) -> Result<u8, Failure> {
    use crate::trust_admin::{self, AdminError};
    let dir = TrustStore::default_dir()
        .ok_or_else(|| Failure::usage("no platform config folder for the trust store"))?;
    let removed = trust_admin::remove(&dir, fingerprint).map_err(|e| match e {
        AdminError::NotFound { .. } => Failure::with_status(1, e),
        _ => Failure::usage(e),
    })?;
    for f in removed {
        let _ = writeln!(out, "removed {}", f.display());
    }
    Ok(0)
}

/// `certcheck trust list`: the known issuers of the default store, one a
/// line: SPKI SHA-256, name, valid until, file.
pub fn trust_list<W: Write>(mut out: W) -> Result<u8, Failure> {
    let dir = TrustStore::default_dir()
        .ok_or_else(|| Failure::usage("no platform config folder for the trust store"))?;
    let listed = crate::trust_admin::list(&dir).map_err(Failure::usage)?;
    let _ = writeln!(out, "# {}", dir.display());
    for l in &listed {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}",
            l.spki_sha256,
            crate::report::escape::for_terminal(&l.name),
            l.not_after.as_deref().unwrap_or("-"),
            l.file.display()
        );
    }
    Ok(0)
}

/// Tells the person, once on stderr, when no file can be authentic: no
/// known issuer at all, or a `--trust` folder with none in it.
fn warn_about_trust(settings: &CheckSettings, options: &Options) {
    for w in crate::trust_admin::setup_warnings(&settings.trust, &options.trust) {
        eprintln!("certcheck: {w}");
    }
}

/// Refuses a seal-picture folder that cannot be written before anything is
/// checked (a probe file, created new and removed).
fn check_picture_folder(dir: &Path) -> Result<(), Failure> {
    let fail = |e: std::io::Error| {
        Failure::usage(format!(
            "--extract-seal {}: cannot write seal pictures there: {e}",
            dir.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let probe = dir.join(format!(".certcheck-probe-{}", std::process::id()));
    crate::trust_admin::create_new(&probe).map_err(fail)?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// `certcheck watch`.
pub struct WatchRequest {
    pub folders: crate::watch::Folders,
    pub check: CheckSettings,
    pub ledger: LedgerSettings,
    /// How long a file must stay unchanged before it is taken.
    pub settle: std::time::Duration,
}

/// Watches the inbox until `stop` is set, one line on `out` per file
/// delivered (problems on stderr). Each file is recorded in the ledger
/// when one is named. Returns 0 once stopped.
pub fn watch<W: Write>(
    request: &WatchRequest,
    mut out: W,
    stop: &AtomicBool,
) -> Result<u8, Failure> {
    use crate::report::escape::for_terminal as shown;
    use crate::watch::{self, Event};
    let options = request.check.options()?;
    warn_about_trust(&request.check, &options);
    let mut ledger = request.ledger.open(false, &options.trust)?;
    request.folders.prepare().map_err(Failure::usage)?;
    let (tx, wake) = std::sync::mpsc::channel();
    let watcher = {
        use notify::Watcher;
        notify::recommended_watcher(move |_: notify::Result<notify::Event>| {
            let _ = tx.send(());
        })
        .and_then(|mut w| {
            w.watch(&request.folders.inbox, notify::RecursiveMode::NonRecursive)
                .map(|()| w)
        })
    };
    if let Err(e) = &watcher {
        eprintln!("certcheck: no file-system events ({e}); looking every few seconds");
    }
    // The same orchestration as verify's: the ledger (no online check).
    let mut services = Services {
        ledger: ledger.as_mut(),
        record: !request.ledger.no_record,
        online: false,
        confirmation: None,
    };
    let mut hook = |r: &mut Record| {
        if services.ledger.is_none() {
            return;
        }
        let checked = check(r.clone(), &mut services);
        if let Some(e) = &checked.ledger_error {
            eprintln!("certcheck: {}: {e}", shown(&checked.record.path));
        }
        *r = checked.record;
    };
    let mut report = |event: Event| match event {
        Event::Delivered(d) => {
            let what = if d.attention.is_empty() {
                "accepted".to_string()
            } else {
                format!("needs a person ({})", d.attention.join("; "))
            };
            let _ = writeln!(
                out,
                "{} {}: {what} -> {}",
                d.record.verdict.as_str().to_uppercase(),
                shown(&d.source.display().to_string()),
                shown(&d.pdf.display().to_string())
            );
            let _ = out.flush();
        }
        Event::Failed { source, error } => {
            eprintln!(
                "certcheck: {}: left in the inbox: {}",
                shown(&source.display().to_string()),
                shown(&error.to_string())
            );
        }
        Event::Refused(p) => eprintln!(
            "certcheck: {}: not a regular file, left alone",
            shown(&p.display().to_string())
        ),
    };
    watch::run(
        &request.folders,
        &options,
        request.settle,
        &wake,
        stop,
        &mut hook,
        &mut report,
    )
    .map_err(Failure::usage)?;
    drop(watcher);
    Ok(0)
}

/// `certcheck seal`. SPEC.md "Seal objects on their own": 0 every
/// signature verifies, 1 otherwise, 4 not a seal object (or unreadable),
/// 2 usage error.
pub fn seal<W: Write>(
    file: &Path,
    format: DocumentFormat,
    trust: &[PathBuf],
    default_trust: bool,
    mut out: W,
) -> Result<u8, Failure> {
    let trust = TrustStore::load(trust, default_trust).map_err(Failure::usage)?;
    let bytes = std::fs::read(file)
        .map_err(|e| Failure::with_status(4, format!("{}: {e}", file.display())))?;
    let mut report = crate::seal::inspect(&bytes, &trust)
        .map_err(|e| Failure::with_status(4, format!("{}: {e}", file.display())))?;
    report.path = file.display().to_string();
    match format {
        DocumentFormat::Human => {
            let _ = write!(out, "{}", report.render_human());
        }
        DocumentFormat::Json => {
            let _ = serde_json::to_writer_pretty(&mut out, &report);
            let _ = writeln!(out);
        }
    }
    Ok(report.exit_code())
}

/// rqrr asserts on some pictures; the QR stage contains those panics and
/// goes on, so they are not printed to the person at the desk. Any other
/// panic is printed as usual. For programs (the command line, the web
/// desk) to call once at start: the panic hook is process-wide.
pub fn quiet_contained_panics() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.location().is_some_and(|l| l.file().contains("rqrr")) {
            return;
        }
        default_hook(info);
    }));
}
