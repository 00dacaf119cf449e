//! The certcheck command line: parses the arguments and runs the command
//! in the library (certcheck::cli), exiting with the status it gives.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    certcheck::desk::quiet_contained_panics();
    // On a usage error clap prints it and exits with 2 (0 for --help).
    let cli = certcheck::cli::Cli::parse();
    ExitCode::from(certcheck::cli::run(cli))
}
