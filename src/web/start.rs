//! `certcheck serve`: from the command line's settings to a running desk.
//! The command line only parses its arguments into a [`ServeRequest`];
//! this builds the desk's configuration, runs it on a tokio runtime and
//! prints, once, the address to open (with the token where one is needed).

use super::{ServeConfig, Started};
use crate::desk::{CheckSettings, Failure, LedgerSettings};
use crate::i18n::{t, Lang};
use std::io::Write;
use std::net::SocketAddr;

/// What `certcheck serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeRequest {
    pub listen: SocketAddr,
    pub check: CheckSettings,
    /// The ledger the desk records into, named as for every other command
    /// (an SQLite file or a `postgres://` URL, its privacy mode; with no
    /// place: the config's ledger, else the default file); `None`: no
    /// ledger (the online answers cannot be recorded then).
    pub ledger: Option<LedgerSettings>,
    /// The access token; required off the loopback (generated when not given).
    pub token: Option<String>,
    /// Who is at the desk (the evidence report names them); default: the
    /// login name.
    pub operator: Option<String>,
    /// The language of what is printed here (the pages follow the browser).
    pub lang: Lang,
}

/// The desk's configuration for `request` (no socket yet).
pub fn config_for(request: &ServeRequest) -> Result<ServeConfig, Failure> {
    let options = request.check.options()?;
    let mut config = ServeConfig::new(request.listen, options);
    config.token = request.token.clone();
    config.ledger = match &request.ledger {
        None => None,
        Some(settings) => settings.config(true)?,
    };
    if let Some(operator) = &request.operator {
        config.operator = operator.clone();
    }
    Ok(config)
}

/// Runs the desk until the process is stopped, printing where it listens
/// to `out` once it does. Returns only when it cannot start or fails.
pub fn serve<W: Write>(request: &ServeRequest, mut out: W) -> Result<u8, Failure> {
    let config = config_for(request)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Failure::usage(format!("cannot start the web desk: {e}")))?;
    let lang = request.lang;
    let ledger = config.ledger.as_ref().map(|l| l.location.describe());
    let outcome = runtime.block_on(super::serve(config, |started: &Started| {
        let _ = write!(out, "{}", started_message(lang, started, ledger.as_deref()));
        let _ = out.flush();
    }));
    // Every way it can fail (the address, the token, the ledger) is a
    // matter of how it was started: SPEC.md's usage error.
    outcome.map(|()| 0).map_err(Failure::usage)
}

/// What is printed once the desk listens.
/// `ledger`: where the checks are recorded, as shown to a person (a
/// PostgreSQL password is not).
pub fn started_message(lang: Lang, started: &Started, ledger: Option<&str>) -> String {
    let mut s = format!("{} {}\n", t(lang, "cli.serve_open"), started.url);
    if started.token_generated {
        s.push_str(t(lang, "cli.serve_token_generated"));
        s.push('\n');
    }
    match ledger {
        Some(place) => s.push_str(&format!("{} {}\n", t(lang, "cli.serve_ledger"), place)),
        None => {
            s.push_str(t(lang, "cli.serve_no_ledger"));
            s.push('\n');
        }
    }
    s.push_str(t(lang, "cli.serve_stop"));
    s.push('\n');
    s
}
