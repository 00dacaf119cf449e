//! The command line's argument model: the clap definition of every
//! command and option (which `certcheck man` and `certcheck completions`
//! are generated from), and the mapping from the arguments to the desk's
//! requests and settings. `main.rs` only parses and calls [`run`].

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};

use crate::desk::{
    self, CheckSettings, Console, DocumentFormat, LedgerPlace, LedgerQuery, LedgerSettings,
};
use crate::i18n::Lang;
use crate::ledger::{ExportFilter, ExportFormat, ExportStyle, HistoryOf, PrivacyMode};
use crate::online::Confirmation;
use crate::report::printer::{self, OutputFormat};
use crate::web::{self, start::ServeRequest};

#[derive(Parser)]
#[command(
    name = "certcheck",
    version,
    about = "Tells whether a certificate PDF is authentic"
)]
pub struct Cli {
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
    /// Record each check in a ledger and compare it with earlier ones: an
    /// SQLite file, or a shared PostgreSQL database (postgres://user@host/db).
    /// Without a value: the config file's ledger, else the default file in
    /// the platform data dir.
    #[arg(long, value_name = "PATH|URL", num_args = 0..=1, default_missing_value = DEFAULT_LEDGER)]
    ledger: Option<PathBuf>,
    /// Compare with the ledger without writing to it.
    #[arg(long, requires = "ledger")]
    no_record: bool,
    /// Who checks, recorded with each check (default: the config's
    /// operator, else the login name).
    #[arg(long, value_name = "NAME")]
    operator: Option<String>,
    /// hashed: names and ID numbers only as keyed hashes (HMAC-SHA-256,
    /// key from $CERTCHECK_LEDGER_KEY or ledger_key in the config).
    #[arg(long, value_enum, value_name = "MODE")]
    ledger_privacy: Option<PrivacyMode>,
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
        /// Revocation data to check the seals' certificates with: a CRL or
        /// an OCSP response (DER or PEM), or a folder of them. Repeatable.
        #[arg(long = "revocation", value_name = "PATH")]
        revocation: Vec<PathBuf>,
        /// A seal whose certificate has no usable revocation data (CRL or
        /// OCSP response) is invalid, not only warned about.
        #[arg(long)]
        require_revocation: bool,
        /// Fetch revocation data online (OCSP, then CRL, from the URLs in
        /// the certificates, http:// only) for certificates the PDF and
        /// --revocation do not cover; kept in --revocation-cache.
        #[arg(long)]
        fetch_revocation: bool,
        /// Where fetched CRLs and OCSP responses are kept as DER files (to
        /// repeat the check offline with --revocation DIR). Default: the
        /// user's cache folder (~/.cache/certcheck/revocation on Linux).
        #[arg(long, value_name = "DIR", requires = "fetch_revocation")]
        revocation_cache: Option<PathBuf>,
        /// Print each stage's time on stderr, and add it to each JSON
        /// record under `timings` (milliseconds).
        #[arg(long)]
        timings: bool,
        /// For Excel (with --format csv): a UTF-8 byte-order mark and
        /// Chinese headers (a Chinese locale gets the byte-order mark anyway).
        #[arg(long)]
        excel: bool,
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
        /// Ask for the answer (有效 / 已撤销 / 查无, valid / revoked /
        /// not-found, or 1 / 2 / 3) on stdin even when it is not a terminal
        /// (on a terminal it is asked anyway, in human output).
        #[arg(long, conflicts_with = "confirm")]
        prompt: bool,
        #[command(flatten)]
        ledger: LedgerArgs,
    },
    /// Read, migrate, purge or import the ledger of checks.
    Ledger {
        /// The ledger: an SQLite file or a postgres:// URL (default: the
        /// config file's ledger, else the platform data dir's file).
        #[arg(long, value_name = "PATH|URL", global = true)]
        ledger: Option<PathBuf>,
        /// The privacy setting (and so the key) of a hashed ledger, to look
        /// an ID number up in it.
        #[arg(long, value_enum, value_name = "MODE", global = true)]
        ledger_privacy: Option<PrivacyMode>,
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
        /// The ledger the desk records checks and online answers in: an
        /// SQLite file or postgres://user@host/db (default: the config's
        /// ledger, else the default file in the platform data dir).
        #[arg(long, value_name = "PATH|URL", conflicts_with = "no_ledger")]
        ledger: Option<PathBuf>,
        /// Record nothing (the online answers cannot be recorded then).
        #[arg(long)]
        no_ledger: bool,
        /// hashed: names and ID numbers only as keyed hashes (HMAC-SHA-256,
        /// key from $CERTCHECK_LEDGER_KEY or ledger_key in the config).
        #[arg(long, value_enum, value_name = "MODE", conflicts_with = "no_ledger")]
        ledger_privacy: Option<PrivacyMode>,
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
    /// Watch a folder: check each PDF that arrives, record it, and move it
    /// with its JSON record into the accepted or the needs-person folder.
    Watch {
        inbox: PathBuf,
        #[arg(long, value_name = "DIR")]
        accepted: PathBuf,
        #[arg(long, value_name = "DIR")]
        needs_person: PathBuf,
        #[command(flatten)]
        check: CheckArgs,
        #[command(flatten)]
        ledger: LedgerArgs,
        /// Milliseconds a file must stay unchanged before it is taken.
        #[arg(long, value_name = "MS", default_value_t = 500)]
        settle_ms: u64,
    },
    /// Print the completion script for a shell, e.g. `certcheck
    /// completions bash > /etc/bash_completion.d/certcheck`.
    Completions {
        #[arg(value_enum)]
        shell: desk::manual::Shell,
    },
    /// Print the manual page (roff), e.g. `certcheck man | man -l -`.
    Man,
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
    /// Show the issuer of a known-genuine signed PDF (or a certificate
    /// file) and, once confirmed, pin it into the default store.
    Add {
        path: PathBuf,
        /// Confirm without being asked (needed for a self-signed seal, a
        /// certificate that is not a CA, or an impostor of a known name).
        #[arg(long)]
        yes: bool,
        /// The SHA-256 fingerprint (of the key or the certificate) obtained
        /// from the issuer out of band; a match confirms.
        #[arg(long, value_name = "SHA256")]
        fingerprint: Option<String>,
    },
    /// Remove a known issuer from the default store by its fingerprint
    /// (or its first 8 or more hex digits).
    Remove { fingerprint: String },
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
    /// One check in full (JSON), or the history of a file, a 管理号 or an
    /// ID number across desks (JSON lines, oldest first).
    Show {
        /// The check's number in the ledger.
        #[arg(required_unless_present_any = ["file", "management_number", "id_number"])]
        id: Option<i64>,
        /// Every check of this file (same bytes, or same path).
        #[arg(long, value_name = "PDF", conflicts_with_all = ["id", "management_number", "id_number"])]
        file: Option<PathBuf>,
        /// Every check of this 管理号.
        #[arg(long, value_name = "NUMBER", conflicts_with_all = ["id", "id_number"])]
        management_number: Option<String>,
        /// Every check of this ID number.
        #[arg(long, value_name = "NUMBER", conflicts_with = "id")]
        id_number: Option<String>,
    },
    /// Every check (or those matching the filters), oldest first.
    Export {
        #[arg(long, value_enum, default_value = "jsonl")]
        format: ExportFormat,
        /// For Excel: CSV with a UTF-8 byte-order mark, and Chinese headers
        /// (an XLSX workbook has them too in a Chinese locale).
        #[arg(long)]
        excel: bool,
        /// Write into this new file (never over an existing one) instead
        /// of stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        filter: ExportFilterArgs,
    },
    /// Apply the schema migrations not yet applied (also done at first use).
    Migrate,
    /// Remove the checks made before a date (YYYY-MM-DD, UTC, or RFC 3339).
    Purge {
        #[arg(long, value_name = "DATE")]
        before: String,
    },
    /// Correct a check: a new entry referring to it, with why (the check
    /// itself is never changed); `ledger show ID` gives the chain.
    Correct {
        /// The check's number in the ledger.
        id: i64,
        /// Why the entry is wrong.
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// The verdict that is right (authentic, unsigned, untrusted,
        /// invalid, altered, malformed, input_error).
        #[arg(long, value_name = "VERDICT")]
        verdict: Option<String>,
        /// The online answer that is right (also recorded as the latest).
        #[arg(long, value_parser = ["valid", "revoked", "not-found"])]
        answer: Option<String>,
        /// Who corrects (default: the config's operator, else the login name).
        #[arg(long, value_name = "NAME")]
        operator: Option<String>,
    },
    /// Copy an SQLite ledger into the (empty) --ledger, checking count and checksum.
    Import {
        /// The SQLite ledger to copy.
        #[arg(long, value_name = "PATH")]
        from: PathBuf,
    },
}

/// Which checks `ledger export` writes.
#[derive(clap::Args)]
struct ExportFilterArgs {
    /// Checked on or after this day (YYYY-MM-DD, UTC) or RFC 3339 time.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Checked on or before this day (YYYY-MM-DD, UTC) or RFC 3339 time.
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Only this verdict (authentic, unsigned, untrusted, invalid,
    /// altered, malformed, input_error).
    #[arg(long, value_name = "VERDICT")]
    verdict: Option<String>,
    /// Only this 管理号.
    #[arg(long, value_name = "NUMBER")]
    management_number: Option<String>,
    /// Only this ID number.
    #[arg(long, value_name = "NUMBER")]
    id_number: Option<String>,
    /// Only this holder's name (it may start with '-').
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    name: Option<String>,
}

impl From<ExportFilterArgs> for ExportFilter {
    fn from(a: ExportFilterArgs) -> Self {
        ExportFilter {
            from: a.from,
            to: a.to,
            verdict: a.verdict,
            management_number: a.management_number,
            id_number: a.id_number,
            name: a.name,
        }
    }
}

/// Runs the command `cli` names and gives the exit status (SPEC.md): the
/// desk's commands, the web desk, the manual and the completions. A
/// command that stops is told on stderr, through report/.
pub fn run(cli: Cli) -> u8 {
    let lang = cli.lang.unwrap_or_else(Lang::from_env);
    let stdout = std::io::stdout();
    let color = crate::report::escape::color_wanted(stdout.is_terminal());
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
            revocation,
            require_revocation,
            fetch_revocation,
            revocation_cache,
            timings,
            excel,
        } => {
            let request = desk::VerifyRequest {
                paths,
                check: check.settings(),
                format,
                jobs,
                ledger: ledger.settings(),
                online,
                extract_seal,
                revocation,
                require_revocation,
                fetch_revocation,
                revocation_cache,
                timings,
                excel,
            };
            let progress = !quiet
                && std::io::stderr().is_terminal()
                && !crate::report::escape::terminal_is_dumb();
            desk::verify(&request, out, Console { color, progress })
        }
        Command::Online {
            file,
            check,
            format,
            open,
            confirm,
            prompt,
            ledger,
        } => {
            let ask = prompt || (format == DocumentFormat::Human && std::io::stdin().is_terminal());
            let request = desk::OnlineRequest {
                file,
                check: check.settings(),
                format,
                open,
                confirmation: confirm.as_deref().and_then(Confirmation::from_name),
                ledger: ledger.settings(),
            };
            let stdin = std::io::stdin();
            let mut answers = stdin.lock();
            let answers = ask.then_some(&mut answers as &mut dyn std::io::BufRead);
            desk::online(&request, out, color, answers)
        }
        Command::Ledger {
            ledger,
            ledger_privacy,
            command,
        } => {
            let mut corrector = None;
            let query = match command {
                LedgerCommand::List { limit } => LedgerQuery::List { limit },
                LedgerCommand::Show {
                    id,
                    file,
                    management_number,
                    id_number,
                } => match (id, file, management_number, id_number) {
                    (Some(id), ..) => LedgerQuery::Show { id },
                    (_, Some(file), ..) => LedgerQuery::History(HistoryOf::File {
                        sha256: std::fs::read(&file).ok().map(|b| sha256_hex(&b)),
                        path: file.display().to_string(),
                    }),
                    (_, _, Some(m), _) => LedgerQuery::History(HistoryOf::ManagementNumber(m)),
                    // clap asks for one of the four; an empty number has no history.
                    (_, _, _, n) => {
                        LedgerQuery::History(HistoryOf::IdNumber(n.unwrap_or_default()))
                    }
                },
                LedgerCommand::Export {
                    format,
                    excel,
                    output,
                    filter,
                } => LedgerQuery::Export {
                    format,
                    style: ExportStyle {
                        bom: excel || crate::report::csv::chinese_locale(),
                        chinese_headers: excel || (format.is_binary() && lang == Lang::Zh),
                    },
                    filter: filter.into(),
                    to: output.map_or(
                        desk::ExportTo::Stdout {
                            terminal: std::io::stdout().is_terminal(),
                        },
                        desk::ExportTo::File,
                    ),
                },
                LedgerCommand::Migrate => LedgerQuery::Migrate,
                LedgerCommand::Purge { before } => LedgerQuery::Purge { before },
                LedgerCommand::Import { from } => LedgerQuery::Import { from },
                LedgerCommand::Correct {
                    id,
                    reason,
                    verdict,
                    answer,
                    ref operator,
                } => {
                    corrector = operator.clone();
                    LedgerQuery::Correct {
                        id,
                        reason,
                        verdict,
                        answer: answer.as_deref().and_then(Confirmation::from_name),
                    }
                }
            };
            let settings = LedgerSettings {
                place: Some(ledger.map_or(LedgerPlace::Default, LedgerPlace::At)),
                privacy: ledger_privacy,
                operator: corrector,
                ..LedgerSettings::default()
            };
            desk::ledger_command(&settings, query, out)
        }
        Command::Serve {
            listen,
            check,
            ledger,
            no_ledger,
            ledger_privacy,
            token,
            operator,
        } => {
            let request = ServeRequest {
                listen,
                check: check.settings(),
                ledger: (!no_ledger).then(|| LedgerSettings {
                    place: Some(ledger.map_or(LedgerPlace::Default, LedgerPlace::At)),
                    operator: operator.clone(),
                    privacy: ledger_privacy,
                    ..LedgerSettings::default()
                }),
                token,
                operator,
                lang,
            };
            web::start::serve(&request, out)
        }
        Command::Trust { action } => match action {
            TrustAction::Add {
                path,
                yes,
                fingerprint,
            } => {
                let request = desk::TrustAddRequest {
                    path,
                    yes,
                    fingerprint,
                };
                let mut ask = ask_on_terminal;
                let ask = std::io::stdin()
                    .is_terminal()
                    .then_some(&mut ask as &mut dyn FnMut(&str) -> bool);
                desk::trust_add(&request, out, ask)
            }
            TrustAction::Remove { fingerprint } => desk::trust_remove(&fingerprint, out),
            TrustAction::List => desk::trust_list(out),
        },
        Command::Watch {
            inbox,
            accepted,
            needs_person,
            check,
            ledger,
            settle_ms,
        } => {
            let request = desk::WatchRequest {
                folders: crate::watch::Folders {
                    inbox,
                    accepted,
                    needs_person,
                },
                check: check.settings(),
                ledger: ledger.settings(),
                settle: std::time::Duration::from_millis(settle_ms),
            };
            let stop = std::sync::atomic::AtomicBool::new(false);
            desk::watch(&request, out, &stop)
        }
        Command::Seal {
            file,
            format,
            trust,
            no_default_trust,
        } => desk::seal(&file, format, &trust, !no_default_trust, out),
        Command::Completions { shell } => Ok(desk::manual::completions(Cli::command(), shell, out)),
        Command::Man => desk::manual::man_page(Cli::command(), out),
    };
    match outcome {
        Ok(status) => status,
        Err(failure) => {
            printer::print_failure(&failure.message);
            failure.status
        }
    }
}

/// Asks a yes/no question on the terminal; only "y" or "yes" is yes.
fn ask_on_terminal(question: &str) -> bool {
    use std::io::Write;
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
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
            operator: self.operator,
            privacy: self.ledger_privacy,
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
