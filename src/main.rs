//! The certcheck command line: parses arguments, calls the library, prints.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use certcheck::report::{self, Record};
use certcheck::trust::TrustStore;
use certcheck::{Options, Verdict};

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

#[derive(Subcommand)]
enum Command {
    /// Check PDF files (or folders of them) and say whether each is authentic.
    Verify {
        /// PDF files, or folders searched for *.pdf.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Known issuers: a PEM/DER certificate, a folder of them, or an issuers TOML file.
        #[arg(long = "trust", value_name = "PATH")]
        trust: Vec<PathBuf>,
        /// Use only the issuers named with --trust.
        #[arg(long)]
        no_default_trust: bool,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// The user password of encrypted files.
        #[arg(long)]
        password: Option<String>,
        /// Save each electronic seal's picture in this folder.
        #[arg(long = "extract-seal", value_name = "DIR")]
        extract_seal: Option<PathBuf>,
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

fn main() -> ExitCode {
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
    match cli.command {
        Command::Verify {
            paths,
            trust,
            no_default_trust,
            format,
            password,
            extract_seal,
        } => {
            let trust = match TrustStore::load(&trust, !no_default_trust) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("certcheck: {e}");
                    return ExitCode::from(2);
                }
            };
            let options = Options {
                trust,
                password,
                extract_seal_dir: extract_seal,
                ..Options::default()
            };
            let files = certcheck::pipeline::collect_pdfs(&paths);
            let records: Vec<Record> = files
                .iter()
                .map(|p| certcheck::verify_file(p, &options))
                .collect();
            print_records(&records, format);
            ExitCode::from(exit_status(&records))
        }
        Command::Seal {
            file,
            format,
            trust,
            no_default_trust,
        } => seal_command(&file, format, &trust, no_default_trust),
    }
}

/// SPEC.md "Seal objects on their own": 0 every signature verifies, 1
/// otherwise, 4 not a seal object (or unreadable), 2 usage error.
fn seal_command(
    file: &std::path::Path,
    format: SealFormat,
    trust: &[PathBuf],
    no_default_trust: bool,
) -> ExitCode {
    let trust = match TrustStore::load(trust, !no_default_trust) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("certcheck: {e}");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("certcheck: {}: {e}", file.display());
            return ExitCode::from(4);
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
            ExitCode::from(report.exit_code())
        }
        Err(e) => {
            eprintln!("certcheck: {}: {e}", file.display());
            ExitCode::from(4)
        }
    }
}

fn print_records(records: &[Record], format: Format) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Human => {
            let color = std::io::stdout().is_terminal();
            for r in records {
                let _ = write!(out, "{}", report::human::render(r, color));
            }
        }
        Format::Json => {
            let _ = serde_json::to_writer_pretty(&mut out, records);
            let _ = writeln!(out);
        }
        Format::Jsonl => {
            for r in records {
                let _ = serde_json::to_writer(&mut out, r);
                let _ = writeln!(out);
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            let _ = w.write_record(report::csv::HEADER);
            for r in records {
                let _ = w.write_record(report::csv::row(r));
            }
            let _ = w.flush();
        }
    }
}

/// SPEC.md: 0 all authentic; 1 some altered/invalid/untrusted; 3 some
/// unsigned; 4 some malformed.
fn exit_status(records: &[Record]) -> u8 {
    let ranks: Vec<u8> = records.iter().map(|r| r.verdict.exit_rank()).collect();
    if ranks.contains(&1) {
        1
    } else if ranks.contains(&3) {
        3
    } else if ranks.contains(&4) {
        4
    } else {
        let _ = Verdict::Authentic;
        0
    }
}
