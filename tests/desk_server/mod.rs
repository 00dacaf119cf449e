//! `certcheck serve` started as a process, for the tests that talk to it
//! over a real socket (the command line's test and the browser test): it
//! listens on a port the system picks, and the address it prints is read
//! back from its stdout. The process is killed when the value is dropped.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

pub struct Server {
    child: Child,
    /// The address printed (with `?token=` where there is a token).
    pub url: String,
    /// Where it listens (port as bound).
    pub addr: SocketAddr,
    /// Everything printed before and with the address.
    pub printed: String,
    pub dir: tempfile::TempDir,
}

impl Server {
    /// `certcheck serve --lang en --trust tests/corpus/trust --ledger <tmp>`
    /// plus `args`, with its own config and data dirs.
    pub fn start(args: &[&str]) -> Server {
        Server::start_in("en", args)
    }

    /// [`Server::start`] printing in `lang`.
    pub fn start_in(lang: &str, args: &[&str]) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_certcheck"))
            .env("CERTCHECK_CONFIG_DIR", dir.path().join("config"))
            .env("CERTCHECK_DATA_DIR", dir.path().join("data"))
            .arg("serve")
            .arg("--lang")
            .arg(lang)
            .arg("--no-default-trust")
            .arg("--trust")
            .arg(repo("tests/corpus/trust"))
            .arg("--operator")
            .arg("王老师")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("certcheck serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let (printed, url) = match read_address(stdout) {
            Ok(found) => found,
            Err(printed) => {
                let _ = child.kill();
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                panic!("certcheck serve printed no address: {printed:?}, stderr {err:?}");
            }
        };
        let addr = address_of(&url);
        Server {
            child,
            url,
            addr,
            printed,
            dir,
        }
    }

    /// `http://127.0.0.1:PORT` (no token, no path).
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads stdout up to the last line printed at start (the one that says
/// how to stop, with "Ctrl+C" in either language); what was printed, and
/// the address in it. The rest of stdout is drained on a thread so that
/// the server never blocks writing to it.
fn read_address(stdout: ChildStdout) -> Result<(String, String), String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let mut printed = String::new();
        let mut url = None;
        for line in lines.by_ref() {
            let Ok(line) = line else { break };
            printed.push_str(&line);
            printed.push('\n');
            if url.is_none() {
                url = line
                    .split_whitespace()
                    .find(|w| w.starts_with("http://"))
                    .map(str::to_string);
            }
            if line.contains("Ctrl+C") {
                break;
            }
        }
        let _ = tx.send(url.map(|u| (printed.clone(), u)).ok_or(printed));
        for _ in lines.by_ref() {}
    });
    rx.recv_timeout(Duration::from_secs(60))
        .map_err(|_| "timed out".to_string())?
}

fn address_of(url: &str) -> SocketAddr {
    let rest = url.strip_prefix("http://").expect("http url");
    let host_port = rest.split('/').next().expect("host");
    host_port.parse().expect("an address with the bound port")
}

/// A response read whole.
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: String,
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
pub fn request(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)]) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("Content-Length: 0\r\n\r\n");
    stream.write_all(req.as_bytes()).expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    Response {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}
