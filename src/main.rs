//! The certcheck command line: parses arguments, runs the command in the
//! library's desk (certcheck::desk) and exits with the status it gives.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use certcheck::desk::{
    self, CheckSettings, Console, DocumentFormat, LedgerPlace, LedgerQuery, LedgerSettings,
};
use certcheck::i18n::Lang;
use certcheck::ledger::ExportFormat;
use certcheck::online::Confirmation;
use certcheck::report::printer::OutputFormat;
use certcheck::web::{self, start::ServeRequest};

#[derive(Parser)]
#[command(
    name = "certcheck",
    version,
    about = "Tells whether a certificate PDF is authentic"
)]
struct Cli {
    /// The language of what is printed for a person: zh or en (default:
    /// from LC_ALL, LC_MESSAGES or LANG; Chinese for a Chinese locale).
    #[arg(long, global = true, value_name = "zh|en", value_parser = parse_lang)]
    lang: Option<Lang>,
    #[command(subcommand)]
    command: Command,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    match s {
        "zh" | "zh-CN" | "zh_CN" => Ok(Lang::Zh),
        "en" => Ok(Lang::En),
        _ => Err("expected zh or en".into()),
    }
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
        format: OutputFormat,
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
        format: DocumentFormat,
        /// Open the official page in the browser.
        #[arg(long)]
        open: bool,
        /// Record the answer the official site gave (in the ledger; the
        /// default ledger unless --ledger names one).
        #[arg(long, value_parser = ["valid", "revoked", "not-found"])]
        confirm: Option<String>,
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
    /// Run the desk in a browser: a local web page to drop the PDFs received
    /// and read, in Chinese or English, what each one is.
    Serve {
        /// Where to listen. Anywhere but the loopback requires an access
        /// token (generated and printed once when --token is not given).
        #[arg(long, value_name = "ADDR:PORT", default_value = web::DEFAULT_LISTEN)]
        listen: SocketAddr,
        #[command(flatten)]
        check: CheckArgs,
        /// The ledger the desk records checks and online answers in
        /// (default: the default ledger in the platform data dir).
        #[arg(long, value_name = "PATH", conflicts_with = "no_ledger")]
        ledger: Option<PathBuf>,
        /// Record nothing (the online answers cannot be recorded then).
        #[arg(long)]
        no_ledger: bool,
        /// The access token every request must carry (at least 16 of
        /// A-Z a-z 0-9 _ -).
        #[arg(long, value_name = "TOKEN")]
        token: Option<String>,
        /// Who is at the desk, named in the evidence report (default: the
        /// login name).
        #[arg(long, value_name = "NAME")]
        operator: Option<String>,
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
        format: DocumentFormat,
        /// Known issuers: a PEM/DER certificate, a folder of them, or an issuers TOML file.
        #[arg(long = "trust", value_name = "PATH")]
        trust: Vec<PathBuf>,
        /// Use only the issuers named with --trust.
        #[arg(long)]
        no_default_trust: bool,
    },
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
        format: ExportFormat,
    },
}

fn main() -> ExitCode {
    desk::quiet_contained_panics();
    // On a usage error clap prints it and exits with 2 (0 for --help).
    let cli = Cli::parse();
    let lang = cli.lang.unwrap_or_else(Lang::from_env);
    let stdout = std::io::stdout();
    let color = stdout.is_terminal();
    let out = stdout.lock();
    let outcome = match cli.command {
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
            let request = desk::VerifyRequest {
                paths,
                check: check.settings(),
                format,
                jobs,
                ledger: ledger.settings(),
                online,
                extract_seal,
            };
            let progress = !quiet && std::io::stderr().is_terminal();
            desk::verify(&request, out, Console { color, progress })
        }
        Command::Online {
            file,
            check,
            format,
            open,
            confirm,
            ledger,
        } => {
            let request = desk::OnlineRequest {
                file,
                check: check.settings(),
                format,
                open,
                confirmation: confirm.as_deref().and_then(Confirmation::from_name),
                ledger: ledger.settings(),
            };
            desk::online(&request, out, color)
        }
        Command::Ledger { ledger, command } => {
            let query = match command {
                LedgerCommand::List { limit } => LedgerQuery::List { limit },
                LedgerCommand::Show { id } => LedgerQuery::Show { id },
                LedgerCommand::Export { format } => LedgerQuery::Export { format },
            };
            desk::read_ledger(ledger, query, out)
        }
        Command::Serve {
            listen,
            check,
            ledger,
            no_ledger,
            token,
            operator,
        } => {
            let request = ServeRequest {
                listen,
                check: check.settings(),
                ledger: match (ledger, no_ledger) {
                    (_, true) => None,
                    (Some(path), false) => Some(LedgerPlace::At(path)),
                    (None, false) => Some(LedgerPlace::Default),
                },
                token,
                operator,
                lang,
            };
            web::start::serve(&request, out)
        }
        Command::Trust { action } => match action {
            TrustAction::Add { path } => desk::trust_add(&path, out),
            TrustAction::List => desk::trust_list(out),
        },
        Command::Seal {
            file,
            format,
            trust,
            no_default_trust,
        } => desk::seal(&file, format, &trust, !no_default_trust, out),
    };
    match outcome {
        Ok(status) => ExitCode::from(status),
        Err(failure) => {
            eprintln!("certcheck: {}", failure.message);
            ExitCode::from(failure.status)
        }
    }
}

/// What a bare `--ledger` stands for (clap refuses an empty path).
const DEFAULT_LEDGER: &str = "<default>";

impl CheckArgs {
    fn settings(self) -> CheckSettings {
        CheckSettings {
            trust: self.trust,
            default_trust: !self.no_default_trust,
            password: self.password,
        }
    }
}

impl LedgerArgs {
    fn settings(self) -> LedgerSettings {
        let place = self.ledger.map(|p| match p.as_os_str() == DEFAULT_LEDGER {
            true => LedgerPlace::Default,
            false => LedgerPlace::At(p),
        });
        LedgerSettings {
            place,
            no_record: self.no_record,
        }
    }
}
