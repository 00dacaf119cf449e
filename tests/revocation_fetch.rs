//! `certcheck verify --fetch-revocation` against a test server on
//! 127.0.0.1:38457 (tests/revocation_fetch, built by its make.py with
//! cryptography and pyHanko, never with certcheck). The certificates name
//! that fixed address as their CRL distribution point and OCSP responder;
//! 127.0.0.1:38458 is where nothing listens. Nothing here reaches the
//! internet.
//!
//! The server answers GET /crl/root.crl with the CA's CRL, POST /ocsp with
//! the response made for the request cryptography builds for that
//! certificate (byte for byte: any other request gets HTTP 400, so the
//! request certcheck sends is checked too), GET /garbage.crl with bytes
//! that are no CRL, and POST /ocsp-error with HTTP 500. It logs every
//! request, so a test can tell what was fetched.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use serde_json::Value;

const SERVER: &str = "127.0.0.1:38457";
const OCSP_URL: &str = "http://127.0.0.1:38457/ocsp";
const CRL_URL: &str = "http://127.0.0.1:38457/crl/root.crl";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/revocation_fetch")
}

fn served(name: &str) -> Vec<u8> {
    std::fs::read(dir().join("served").join(name)).expect("served file")
}

/// The tests share the one server and its log: one at a time.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

type Log = Arc<Mutex<Vec<String>>>;

/// The server's log, cleared; the server is started on first use.
fn fresh_log() -> Log {
    static LOG: OnceLock<Log> = OnceLock::new();
    let log = LOG.get_or_init(|| {
        let log: Log = Arc::new(Mutex::new(Vec::new()));
        let listener = TcpListener::bind(SERVER).expect("the test server's fixed port is free");
        let routes = Arc::new(Routes {
            crl: served("root.crl"),
            garbage: served("garbage.bin"),
            ocsp: vec![
                (
                    served("ocsp-request-good.der"),
                    "good",
                    served("ocsp-good.der"),
                ),
                (
                    served("ocsp-request-revoked.der"),
                    "revoked",
                    served("ocsp-revoked.der"),
                ),
            ],
        });
        let in_thread = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (log, routes) = (in_thread.clone(), routes.clone());
                std::thread::spawn(move || answer(stream, &routes, &log));
            }
        });
        log
    });
    log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    log.clone()
}

fn logged(log: &Log) -> Vec<String> {
    log.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

struct Routes {
    crl: Vec<u8>,
    garbage: Vec<u8>,
    /// (expected request, name, response)
    ocsp: Vec<(Vec<u8>, &'static str, Vec<u8>)>,
}

/// One HTTP/1.1 exchange, then the connection is closed.
fn answer(mut stream: TcpStream, routes: &Routes, log: &Log) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.len() > 65536 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("").to_string();
    let mut length = 0usize;
    let mut content_type = String::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = v.trim().parse().unwrap_or(0),
                "content-type" => content_type = v.trim().to_string(),
                _ => {}
            }
        }
    }
    let mut body = buf[head_end..].to_vec();
    while body.len() < length.min(65536) {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("");
    let (status, ctype, payload, entry): (&str, &str, Vec<u8>, String) = match (method, path) {
        ("GET", "/crl/root.crl") => (
            "200 OK",
            "application/pkix-crl",
            routes.crl.clone(),
            "GET /crl/root.crl".into(),
        ),
        ("GET", "/garbage.crl") => (
            "200 OK",
            "application/pkix-crl",
            routes.garbage.clone(),
            "GET /garbage.crl".into(),
        ),
        ("POST", "/ocsp-error") => (
            "500 Internal Server Error",
            "text/plain",
            b"\x1b[31mbroken\x1b[0m".to_vec(),
            "POST /ocsp-error".into(),
        ),
        ("POST", "/ocsp") if content_type == "application/ocsp-request" => {
            match routes.ocsp.iter().find(|(req, _, _)| *req == body) {
                Some((_, name, resp)) => (
                    "200 OK",
                    "application/ocsp-response",
                    resp.clone(),
                    format!("POST /ocsp {name}"),
                ),
                None => (
                    "400 Bad Request",
                    "text/plain",
                    b"unexpected OCSP request".to_vec(),
                    format!("POST /ocsp unexpected request {}", hex(&body)),
                ),
            }
        }
        _ => (
            "404 Not Found",
            "text/plain",
            b"no".to_vec(),
            format!("{method} {path} {content_type} (not served)"),
        ),
    };
    log.lock().unwrap_or_else(|e| e.into_inner()).push(entry);
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    );
    let _ = stream.write_all(header.as_bytes());
    let _ = stream.write_all(&payload);
    let _ = stream.flush();
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

struct Run {
    status: Option<i32>,
    record: Value,
    stdout: String,
}

/// `certcheck verify` in tests/revocation_fetch with its root as the only
/// known issuer; no proxy, a home and cache home of the test's own.
fn verify(file: &str, args: &[&str], home: &Path, format: &str) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_certcheck"))
        .current_dir(dir())
        .args([
            "--lang",
            "en",
            "verify",
            "--trust",
            "trust",
            "--no-default-trust",
            "-q",
        ])
        .args(["--format", format])
        .args(args)
        .arg(file)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("all_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTPS_PROXY")
        .output()
        .expect("certcheck runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let record = if format == "json" {
        let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "{file} {args:?}: no JSON ({e}): {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        json[0].clone()
    } else {
        Value::Null
    };
    Run {
        status: out.status.code(),
        record,
        stdout,
    }
}

fn json(file: &str, args: &[&str], home: &Path) -> Run {
    verify(file, args, home, "json")
}

fn codes(record: &Value) -> Vec<String> {
    record["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(
            record["signatures"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|s| s["reasons"].as_array().into_iter().flatten()),
        )
        .filter_map(|r| r["code"].as_str().map(str::to_string))
        .collect()
}

fn message(record: &Value, code: &str) -> String {
    record["signatures"][0]["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["code"] == code)
        .and_then(|r| r["message"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn sources(record: &Value) -> Vec<String> {
    record["signatures"][0]["revocation"]["evidence"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["source"].as_str().map(str::to_string))
        .collect()
}

fn fetches(record: &Value) -> Vec<Value> {
    record["signatures"][0]["revocation"]["fetches"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn der_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "der"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

const ALL: &[&str] = &[
    "seal-good.pdf",
    "seal-revoked.pdf",
    "seal-crl-only.pdf",
    "seal-garbage.pdf",
    "seal-down.pdf",
];

#[test]
fn without_the_flag_nothing_is_fetched() {
    let _one = serial();
    let log = fresh_log();
    let home = tempfile::tempdir().expect("tempdir");
    for file in ALL {
        let run = json(file, &[], home.path());
        assert_eq!(run.record["verdict"], "authentic", "{file}: {}", run.record);
        assert_eq!(run.status, Some(0), "{file}");
        let codes = codes(&run.record);
        assert!(
            codes.contains(&"revocation_unknown".into()),
            "{file}: {codes:?}"
        );
        assert!(!codes.contains(&"revocation_fetch_failed".into()), "{file}");
        assert!(fetches(&run.record).is_empty(), "{file}: {}", run.record);
        assert!(run.record["signatures"][0]["revocation"]
            .get("fetches")
            .is_none());
    }
    assert_eq!(logged(&log), Vec::<String>::new(), "nothing may be fetched");
    assert!(
        !home.path().join("cache").exists(),
        "nothing may be cached either"
    );
}

#[test]
fn a_revoked_seal_fetched_by_ocsp_is_invalid() {
    let _one = serial();
    let log = fresh_log();
    let home = tempfile::tempdir().expect("tempdir");
    let cache = home.path().join("rc");
    let cache_arg = cache.to_str().expect("utf-8 path");
    let args = ["--fetch-revocation", "--revocation-cache", cache_arg];
    let run = json("seal-revoked.pdf", &args, home.path());
    assert_eq!(run.record["verdict"], "invalid", "{}", run.record);
    assert_eq!(run.status, Some(1));
    let codes = codes(&run.record);
    assert!(codes.contains(&"certificate_revoked".into()), "{codes:?}");
    assert!(!codes.contains(&"revocation_unknown".into()), "{codes:?}");
    let rev = &run.record["signatures"][0]["revocation"];
    assert_eq!(rev["status"], "revoked");
    assert_eq!(rev["time"], "2026-01-15T00:00:00Z");
    assert_eq!(rev["reason"], "keyCompromise");
    assert!(
        sources(&run.record).contains(&format!("fetched:{OCSP_URL}")),
        "{rev}"
    );
    // OCSP answered: the CRL is not needed.
    assert_eq!(logged(&log), vec!["POST /ocsp revoked".to_string()]);
    let f = fetches(&run.record);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["outcome"], "fetched");
    assert_eq!(f[0]["kind"], "ocsp");
    assert_eq!(f[0]["url"], OCSP_URL);

    // (3) The cache holds the DER; given with --revocation, offline, it
    // gives the same answer without a request.
    let files = der_files(&cache);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        std::fs::read(&files[0]).expect("cached"),
        served("ocsp-revoked.der")
    );
    log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    let offline = json(
        "seal-revoked.pdf",
        &["--revocation", cache_arg],
        home.path(),
    );
    assert_eq!(offline.record["verdict"], "invalid");
    assert!(codes_of(&offline).contains(&"certificate_revoked".into()));
    assert_eq!(
        offline.record["signatures"][0]["revocation"]["time"],
        "2026-01-15T00:00:00Z"
    );
    assert!(sources(&offline.record)
        .iter()
        .all(|s| s.starts_with("file:")));
    assert!(logged(&log).is_empty(), "{:?}", logged(&log));
}

fn codes_of(run: &Run) -> Vec<String> {
    codes(&run.record)
}

#[test]
fn a_good_seal_fetched_stays_authentic_and_the_cache_is_reused() {
    let _one = serial();
    let log = fresh_log();
    let home = tempfile::tempdir().expect("tempdir");
    let cache = home.path().join("rc");
    let cache_arg = cache.to_str().expect("utf-8 path");
    let args = ["--fetch-revocation", "--revocation-cache", cache_arg];

    let good = json("seal-good.pdf", &args, home.path());
    assert_eq!(good.record["verdict"], "authentic", "{}", good.record);
    assert_eq!(good.status, Some(0));
    let c = codes(&good.record);
    assert!(!c.contains(&"revocation_unknown".into()), "{c:?}");
    assert!(!c.contains(&"revocation_fetch_failed".into()), "{c:?}");
    assert_eq!(good.record["signatures"][0]["revocation"]["status"], "good");
    assert_eq!(sources(&good.record), vec![format!("fetched:{OCSP_URL}")]);
    // With --require-revocation too: fetched evidence is evidence.
    let required: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--require-revocation"])
        .collect();

    // Only a CRL distribution point: the CRL, which does not list it.
    let crl_only = json("seal-crl-only.pdf", &required, home.path());
    assert_eq!(
        crl_only.record["verdict"], "authentic",
        "{}",
        crl_only.record
    );
    assert_eq!(
        sources(&crl_only.record),
        vec![format!("fetched:{CRL_URL}")]
    );
    assert_eq!(
        logged(&log),
        vec![
            "POST /ocsp good".to_string(),
            "GET /crl/root.crl".to_string()
        ]
    );
    let files = der_files(&cache);
    assert_eq!(files.len(), 2, "{files:?}");
    let bytes: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).expect("cached"))
        .collect();
    assert!(bytes.contains(&served("root.crl")));
    assert!(bytes.contains(&served("ocsp-good.der")));

    // Again with the same cache: both are current (next update 2031),
    // so nothing is fetched, and the answer is the same.
    log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    for file in ["seal-good.pdf", "seal-crl-only.pdf"] {
        let again = json(file, &required, home.path());
        assert_eq!(again.record["verdict"], "authentic", "{file}");
        let f = fetches(&again.record);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0]["outcome"], "cached", "{f:?}");
        assert!(f[0]["cache_file"].as_str().is_some());
    }
    assert!(logged(&log).is_empty(), "{:?}", logged(&log));

    // Offline with the cache folder as --revocation: the same answers.
    for file in ["seal-good.pdf", "seal-crl-only.pdf"] {
        let offline = json(
            file,
            &["--revocation", cache_arg, "--require-revocation"],
            home.path(),
        );
        assert_eq!(offline.record["verdict"], "authentic", "{file}");
        assert!(!codes(&offline.record).contains(&"revocation_required".into()));
    }
    assert!(logged(&log).is_empty());
}

#[test]
fn the_default_cache_is_in_the_users_cache_home() {
    let _one = serial();
    let log = fresh_log();
    let home = tempfile::tempdir().expect("tempdir");
    let run = json("seal-good.pdf", &["--fetch-revocation"], home.path());
    assert_eq!(run.record["verdict"], "authentic");
    assert_eq!(logged(&log), vec!["POST /ocsp good".to_string()]);
    let files = der_files(&home.path().join("cache/certcheck/revocation"));
    assert_eq!(files.len(), 1, "{files:?}");
}

#[test]
fn a_failed_fetch_is_no_evidence_and_is_said() {
    let _one = serial();
    let log = fresh_log();
    let home = tempfile::tempdir().expect("tempdir");
    let cache = home.path().join("rc");
    let cache_arg = cache.to_str().expect("utf-8 path");
    let args = ["--fetch-revocation", "--revocation-cache", cache_arg];

    // The OCSP URL answers HTTP 500, the CRL URL garbage.
    let garbage = json("seal-garbage.pdf", &args, home.path());
    assert_eq!(garbage.record["verdict"], "authentic", "{}", garbage.record);
    let c = codes(&garbage.record);
    assert!(c.contains(&"revocation_unknown".into()), "{c:?}");
    assert!(c.contains(&"revocation_fetch_failed".into()), "{c:?}");
    let why = message(&garbage.record, "revocation_fetch_failed");
    assert!(why.contains("HTTP status 500"), "{why}");
    assert!(why.contains("not a CRL"), "{why}");
    assert!(!why.contains('\u{1b}'), "{why}");
    let f = fetches(&garbage.record);
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(f.iter().all(|a| a["outcome"] == "failed"), "{f:?}");
    assert_eq!(
        logged(&log),
        vec![
            "POST /ocsp-error".to_string(),
            "GET /garbage.crl".to_string()
        ]
    );
    assert!(der_files(&cache).is_empty(), "garbage is not cached");

    // Nothing listens on 127.0.0.1:38458.
    let down = json("seal-down.pdf", &args, home.path());
    assert_eq!(down.record["verdict"], "authentic", "{}", down.record);
    let c = codes(&down.record);
    assert!(c.contains(&"revocation_unknown".into()), "{c:?}");
    assert!(c.contains(&"revocation_fetch_failed".into()), "{c:?}");
    let why = message(&down.record, "revocation_fetch_failed");
    assert!(why.contains("127.0.0.1:38458"), "{why}");

    // Required: not authentic.
    for file in ["seal-garbage.pdf", "seal-down.pdf"] {
        let required: Vec<&str> = args
            .iter()
            .copied()
            .chain(["--require-revocation"])
            .collect();
        let run = json(file, &required, home.path());
        assert_eq!(run.record["verdict"], "invalid", "{file}");
        assert_eq!(run.status, Some(1));
        let c = codes(&run.record);
        assert!(c.contains(&"revocation_required".into()), "{file}: {c:?}");
        assert!(
            c.contains(&"revocation_fetch_failed".into()),
            "{file}: {c:?}"
        );
    }

    // The human report says so, with no control byte from the server.
    let human = verify("seal-garbage.pdf", &args, home.path(), "human");
    assert!(!human.stdout.contains('\u{1b}'), "{}", human.stdout);
    assert!(
        human.stdout.contains("could not be fetched"),
        "{}",
        human.stdout
    );
}
