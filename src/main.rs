//! The certcheck command line: parses arguments, calls the library, prints.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use certcheck::batch::{self, Summary};
use certcheck::config::Config;
use certcheck::ledger::{self, ExportFormat, Ledger};
use certcheck::online::{self, Confirmation};
use certcheck::report::{self, Record};
use certcheck::trust::TrustStore;
use certcheck::Options;

#[derive(Parser)]
#[command(
    name = "certcheck",
    version,
    about = "Tells whether a certificate PDF is authentic"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
    Jsonl,
    Csv,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum OnlineFormat {
    Human,
    Json,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum ExportArg {
    Csv,
    Jsonl,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum Answer {
    Valid,
    Revoked,
    NotFound,
}

/// What every check needs: issuers and a password.
#[derive(clap::Args)]
struct CheckArgs {
    /// Known issuers: a PEM/DER certificate, a folder of them, or an issuers TOML file.
    #[arg(long = "trust", value_name = "PATH")]
    trust: Vec<PathBuf>,
    /// Use only the issuers named with --trust.
    #[arg(long)]
    no_default_trust: bool,
    /// The user password of encrypted files.
    #[arg(long)]
    password: Option<String>,
}

/// Where checks are recorded.
#[derive(clap::Args)]
struct LedgerArgs {
    /// Record each check in a ledger (SQLite) and compare it with earlier
    /// ones. Without PATH: the default ledger in the platform data dir.
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = DEFAULT_LEDGER)]
    ledger: Option<PathBuf>,
    /// Compare with the ledger without writing to it.
    #[arg(long, requires = "ledger")]
    no_record: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Check PDF files (or folders of them) and say whether each is authentic.
    Verify {
        /// PDF files, or folders searched for *.pdf.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        check: CheckArgs,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Files checked at once (default: the number of cores).
        #[arg(long, short = 'j', value_name = "N")]
        jobs: Option<usize>,
        /// No progress bar.
        #[arg(long, short = 'q')]
        quiet: bool,
        #[command(flatten)]
        ledger: LedgerArgs,
        /// Add the official online check to prepare by hand.
        #[arg(long)]
        online: bool,
        /// Save each electronic seal's picture in this folder.
        #[arg(long = "extract-seal", value_name = "DIR")]
        extract_seal: Option<PathBuf>,
    },
    /// Prepare the official online check of one file, by hand.
    Online {
        file: PathBuf,
        #[command(flatten)]
        check: CheckArgs,
        #[arg(long, value_enum, default_value = "human")]
        format: OnlineFormat,
        /// Open the official page in the browser.
        #[arg(long)]
        open: bool,
        /// Record the answer the official site gave (in the ledger; the
        /// default ledger unless --ledger names one).
        #[arg(long, value_enum)]
        confirm: Option<Answer>,
        #[command(flatten)]
        ledger: LedgerArgs,
    },
    /// Read the ledger of checks.
    Ledger {
        /// The ledger file (default: the platform data dir).
        #[arg(long, value_name = "PATH", global = true)]
        ledger: Option<PathBuf>,
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Manage the default store of known issuers.
    Trust {
        #[command(subcommand)]
        action: TrustAction,
    },
    /// Check a seal object on its own: an SES_Seal (.esl), an SES_Signature
    /// (OFD SignedValue.dat) or a CMS SignedData.
    Seal {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "human")]
        format: SealFormat,
        /// Known issuers: a PEM/DER certificate, a folder of them, or an issuers TOML file.
        #[arg(long = "trust", value_name = "PATH")]
        trust: Vec<PathBuf>,
        /// Use only the issuers named with --trust.
        #[arg(long)]
        no_default_trust: bool,
    },
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum SealFormat {
    Human,
    Json,
}

#[derive(Subcommand)]
enum TrustAction {
    /// Pin the issuer of a known-genuine signed PDF (or a certificate file) into the default store.
    Add { path: PathBuf },
    /// List the known issuers in the default store.
    List,
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// The latest checks, newest first.
    List {
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// One check in full (JSON).
    Show { id: i64 },
    /// Every check, oldest first.
    Export {
        #[arg(long, value_enum, default_value = "jsonl")]
        format: ExportArg,
    },
}

fn main() -> ExitCode {
    quiet_contained_panics();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let status = match cli.command {
        Command::Verify {
            paths,
            check,
            format,
            jobs,
            quiet,
            ledger,
            online,
            extract_seal,
        } => {
            let desk = Desk {
                jobs,
                quiet,
                with_online: online,
                extract_seal,
            };
            verify(&paths, &check, format, &desk, &ledger)
        }
        Command::Online {
            file,
            check,
            format,
            open,
            confirm,
            ledger,
        } => online_check(&file, &check, format, open, confirm, &ledger),
        Command::Ledger { ledger, command } => ledger_command(ledger, command),
        Command::Trust { action } => trust_command(action),
        Command::Seal {
            file,
            format,
            trust,
            no_default_trust,
        } => seal_command(&file, format, &trust, no_default_trust),
    };
    ExitCode::from(status)
}

/// rqrr asserts on some pictures; the QR stage contains those panics and
/// goes on, so they are not printed to the person at the desk. Any other
/// panic is printed as usual.
fn quiet_contained_panics() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.location().is_some_and(|l| l.file().contains("rqrr")) {
            return;
        }
        default_hook(info);
    }));
}

/// What a bare `--ledger` stands for (clap refuses an empty path).
const DEFAULT_LEDGER: &str = "<default>";

fn usage_error(message: impl std::fmt::Display) -> u8 {
    eprintln!("certcheck: {message}");
    2
}

fn options(check: &CheckArgs) -> Result<Options, String> {
    let trust =
        TrustStore::load(&check.trust, !check.no_default_trust).map_err(|e| e.to_string())?;
    let config = Config::load().map_err(|e| e.to_string())?;
    Ok(Options {
        trust,
        password: check.password.clone(),
        extra_official_hosts: config.official_hosts,
        ..Options::default()
    })
}

/// The ledger to use, if any: `--ledger PATH`, or the default one for a bare
/// `--ledger` (or when `required`).
fn open_ledger(args: &LedgerArgs, required: bool) -> Result<Option<Ledger>, String> {
    let path = match &args.ledger {
        Some(p) if p.as_os_str() != DEFAULT_LEDGER => p.clone(),
        Some(_) => Ledger::default_path().ok_or("no platform data dir for the ledger")?,
        None if required => Ledger::default_path().ok_or("no platform data dir for the ledger")?,
        None => return Ok(None),
    };
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
    {
        return Err(format!(
            "--ledger {}: that looks like a PDF, not a ledger; put --ledger after the files or write --ledger=PATH",
            path.display()
        ));
    }
    Ledger::open(&path).map(Some).map_err(|e| e.to_string())
}

/// How `verify` runs a batch.
struct Desk {
    jobs: Option<usize>,
    quiet: bool,
    with_online: bool,
    extract_seal: Option<PathBuf>,
}

fn verify(
    paths: &[PathBuf],
    check: &CheckArgs,
    format: Format,
    desk: &Desk,
    ledger_args: &LedgerArgs,
) -> u8 {
    let (jobs, quiet, with_online) = (desk.jobs, desk.quiet, desk.with_online);
    let options = match options(check) {
        Ok(o) => Options {
            extract_seal_dir: desk.extract_seal.clone(),
            ..o
        },
        Err(e) => return usage_error(e),
    };
    let mut ledger = match open_ledger(ledger_args, false) {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    if jobs == Some(0) {
        return usage_error("--jobs must be at least 1");
    }
    let files = batch::collect(paths);
    if files.is_empty() {
        // Nothing checked must not read as "every file authentic" (0).
        return usage_error("no PDF files found in the paths given");
    }
    let progress = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} files  {per_sec}  {eta} left",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let stdout = std::io::stdout();
    let color = stdout.is_terminal();
    let mut printer = Printer::new(format, stdout.lock(), color);
    let mut summary = Summary::default();
    let write = !ledger_args.no_record;
    batch::run(
        &files,
        &options,
        jobs.unwrap_or_else(batch::default_jobs),
        |_, mut record| {
            if let Some(l) = ledger.as_mut() {
                if let Err(e) = l.check_and_record(&mut record, write) {
                    eprintln!("certcheck: {}: {e}", record.path);
                }
            }
            if with_online {
                record.online = Some(online::prepare(&record, None).to_value());
            }
            summary.add(&record);
            match &progress {
                Some(bar) => {
                    bar.suspend(|| printer.print(&record));
                    bar.inc(1);
                }
                None => printer.print(&record),
            }
        },
    );
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    printer.finish(&summary);
    summary.exit_status()
}

/// Streams records in one output format.
struct Printer<W: Write> {
    format: Format,
    out: Option<W>,
    csv: Option<csv::Writer<W>>,
    color: bool,
    first: bool,
}

impl<W: Write> Printer<W> {
    fn new(format: Format, out: W, color: bool) -> Self {
        if format == Format::Csv {
            let mut w = csv::Writer::from_writer(out);
            let _ = w.write_record(report::csv::HEADER);
            let _ = w.flush();
            return Printer {
                format,
                out: None,
                csv: Some(w),
                color,
                first: true,
            };
        }
        Printer {
            format,
            out: Some(out),
            csv: None,
            color,
            first: true,
        }
    }

    fn print(&mut self, r: &Record) {
        if let Some(w) = self.csv.as_mut() {
            let _ = w.write_record(report::csv::row(r));
            let _ = w.flush();
            return;
        }
        let Some(out) = self.out.as_mut() else {
            return;
        };
        match self.format {
            Format::Human => {
                let mut text = report::human::render(r, self.color);
                text.push_str(&batch::render_ledger_human(r));
                if let Some(v) = &r.online {
                    if let Ok(c) = serde_json::from_value::<online::OnlineCheck>(v.clone()) {
                        text.push_str(&c.render_human());
                    }
                }
                let _ = write!(out, "{text}");
            }
            Format::Json => {
                let _ = write!(out, "{}", if self.first { "[\n" } else { ",\n" });
                let _ = write!(out, "{}", report::to_json(r, true));
            }
            Format::Jsonl => {
                let _ = writeln!(out, "{}", report::to_json(r, false));
            }
            Format::Csv => {}
        }
        self.first = false;
        let _ = out.flush();
    }

    fn finish(&mut self, summary: &Summary) {
        let Some(out) = self.out.as_mut() else {
            return;
        };
        match self.format {
            Format::Json => {
                let _ = writeln!(out, "{}", if self.first { "[]" } else { "\n]" });
            }
            Format::Human => {
                let _ = write!(out, "{}", summary.render_human());
            }
            _ => {}
        }
        let _ = out.flush();
    }
}

fn online_check(
    file: &Path,
    check: &CheckArgs,
    format: OnlineFormat,
    open: bool,
    confirm: Option<Answer>,
    ledger_args: &LedgerArgs,
) -> u8 {
    let confirmation = confirm.map(|a| match a {
        Answer::Valid => Confirmation::Valid,
        Answer::Revoked => Confirmation::Revoked,
        Answer::NotFound => Confirmation::NotFound,
    });
    if confirmation.is_some() && ledger_args.no_record {
        return usage_error("--confirm records the answer; it cannot go with --no-record");
    }
    let options = match options(check) {
        Ok(o) => o,
        Err(e) => return usage_error(e),
    };
    let mut ledger = match open_ledger(ledger_args, confirmation.is_some()) {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    let record = match online::check_file(
        file,
        &options,
        ledger.as_mut(),
        !ledger_args.no_record,
        confirmation,
    ) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("certcheck: {e}");
            return 2;
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        OnlineFormat::Json => {
            let _ = write!(out, "{}", report::to_json(&record, true));
            let _ = writeln!(out);
        }
        OnlineFormat::Human => {
            let mut text = report::human::render(&record, stdout.is_terminal());
            text.push_str(&batch::render_ledger_human(&record));
            text.push_str(&online::prepare(&record, confirmation).render_human());
            let _ = write!(out, "{text}");
        }
    }
    let _ = out.flush();
    if open {
        if let Err(e) = online::open_official_page() {
            eprintln!(
                "certcheck: could not open {}: {e}",
                online::OFFICIAL_CHECK_URL
            );
        }
    }
    batch::exit_status(&[record.verdict])
}

fn ledger_command(path: Option<PathBuf>, command: LedgerCommand) -> u8 {
    let Some(path) = path.or_else(Ledger::default_path) else {
        return usage_error("no platform data dir for the ledger; use --ledger PATH");
    };
    let ledger = match Ledger::open_read_only(&path) {
        Ok(l) => l,
        Err(e) => return usage_error(e),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = match command {
        LedgerCommand::List { limit } => ledger.list(limit).map(|entries| {
            for e in &entries {
                let _ = writeln!(out, "{}", ledger::list_line(e));
            }
        }),
        LedgerCommand::Show { id } => ledger.get(id).map(|e| {
            let _ = serde_json::to_writer_pretty(&mut out, &e);
            let _ = writeln!(out);
        }),
        LedgerCommand::Export { format } => ledger.export(
            match format {
                ExportArg::Csv => ExportFormat::Csv,
                ExportArg::Jsonl => ExportFormat::Jsonl,
            },
            &mut out,
        ),
    };
    match result {
        Ok(()) => 0,
        Err(ledger::LedgerError::NotFound(id)) => {
            usage_error(format!("no check #{id} in the ledger"))
        }
        Err(e) => {
            eprintln!("certcheck: {e}");
            4
        }
    }
}

fn trust_command(action: TrustAction) -> u8 {
    use certcheck::trust::store;
    match action {
        TrustAction::Add { path } => match store::pin_into_default(&path) {
            Ok(p) => {
                println!(
                    "pinned {} (SPKI SHA-256 {}) into {}",
                    p.name,
                    p.spki_sha256,
                    p.file.display()
                );
                0
            }
            Err(e) => {
                eprintln!("certcheck: {e}");
                4
            }
        },
        TrustAction::List => match store::list_default() {
            Ok((dir, s)) => {
                if let Some(d) = dir {
                    println!("# {}", d.display());
                }
                for i in &s.issuers {
                    let note = i.note.as_deref().unwrap_or("");
                    println!("{}\t{}\t{}", hex::encode(i.spki_sha256), i.name, note);
                }
                0
            }
            Err(e) => {
                eprintln!("certcheck: {e}");
                2
            }
        },
    }
}

/// SPEC.md "Seal objects on their own": 0 every signature verifies, 1
/// otherwise, 4 not a seal object (or unreadable), 2 usage error.
fn seal_command(
    file: &std::path::Path,
    format: SealFormat,
    trust: &[PathBuf],
    no_default_trust: bool,
) -> u8 {
    let trust = match TrustStore::load(trust, !no_default_trust) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("certcheck: {e}");
            return 2;
        }
    };
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("certcheck: {}: {e}", file.display());
            return 4;
        }
    };
    match certcheck::seal::inspect(&bytes, &trust) {
        Ok(mut report) => {
            report.path = file.display().to_string();
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match format {
                SealFormat::Human => {
                    let _ = write!(out, "{}", report.render_human());
                }
                SealFormat::Json => {
                    let _ = serde_json::to_writer_pretty(&mut out, &report);
                    let _ = writeln!(out);
                }
            }
            report.exit_code()
        }
        Err(e) => {
            eprintln!("certcheck: {}: {e}", file.display());
            4
        }
    }
}
