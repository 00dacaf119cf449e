//! A desk clerk's day from the command line, run as a user runs it: real
//! files (tests/desk, made by tests/desk/make.py with cryptography, fpdf2
//! and pyHanko; tests/extra; tests/corpus), real folders, FIFOs and links,
//! the real binary. Every run gets its own config and data dirs.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn desk(name: &str) -> PathBuf {
    root().join("tests/desk").join(name)
}

fn extra(name: &str) -> PathBuf {
    root().join("tests/extra").join(name)
}

fn corpus(name: &str) -> PathBuf {
    root().join("tests/corpus").join(name)
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_certcheck"));
        cmd.env("CERTCHECK_CONFIG_DIR", self.path("config"))
            .env("CERTCHECK_DATA_DIR", self.path("data"))
            .env_remove("LC_ALL")
            .env_remove("LC_CTYPE")
            .env("LANG", "C.UTF-8")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        cmd
    }

    /// `certcheck verify` trusting the extra corpus's issuers only, killed
    /// (and failed) if it runs longer than a minute: a hang is a failure.
    fn verify(&self, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
        let mut cmd = self.cmd();
        cmd.arg("verify")
            .arg("--no-default-trust")
            .arg("--trust")
            .arg(extra("trust"));
        for a in args {
            cmd.arg(a);
        }
        run_with_deadline(cmd, Duration::from_secs(60))
    }
}

fn run_with_deadline(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "certcheck hung for {limit:?}; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn status(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn jsonl(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Characters that must never reach a terminal from a file.
fn assert_no_raw_controls(text: &str) {
    for (i, line) in text.lines().enumerate() {
        let bad: Vec<char> = line
            .chars()
            .filter(|c| {
                c.is_control()
                    || matches!(*c as u32, 0x202A..=0x202E | 0x2066..=0x2069 | 0x200E | 0x200F)
            })
            .collect();
        assert!(bad.is_empty(), "line {i} holds {bad:?}: {line:?}");
    }
}

#[test]
fn the_desk_corpus_gets_its_manifest_outcome() {
    let dir = root().join("tests/desk");
    common::assert_manifest_holds(&dir, &common::options_for(&dir, None));
}

#[test]
fn a_hostile_seal_subject_cannot_paint_the_terminal() {
    let env = Env::new();
    let out = env.verify(&[&desk("untrusted-hostile-seal-subject.pdf")]);
    assert_eq!(status(&out), 1);
    let text = stdout(&out);
    assert_no_raw_controls(&text);
    // Shown, escaped, on the signature's own line.
    assert!(
        text.contains(r"\x1b[2J\x1b[H\x1b[1;32m\x0a  AUTHENTIC"),
        "{text}"
    );
    assert!(text.contains(r"\u{202e}"), "{text}");
    assert!(text.contains(r"\u{009b}"), "{text}");
    // No line of the output claims AUTHENTIC: the only verdict line is the real one.
    let verdict_lines: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.trim_start().starts_with("AUTHENTIC") || l.trim_start().starts_with("UNTRUSTED")
        })
        .collect();
    assert_eq!(verdict_lines.len(), 2, "{verdict_lines:?}"); // the record's, and the summary's
    assert!(verdict_lines
        .iter()
        .all(|l| l.trim_start().starts_with("UNTRUSTED")));
    // The JSON record keeps the exact subject for an examiner.
    let cn = common::entries_in(&root().join("tests/desk"));
    assert!(!cn.is_empty());
    let json = env.verify(&[
        &"--format",
        &"jsonl",
        &desk("untrusted-hostile-seal-subject.pdf"),
    ]);
    let record = &jsonl(&json)[0];
    let subject = record["signatures"][0]["signer"]["subject"]
        .as_str()
        .unwrap();
    assert!(subject.contains("\u{1b}[2J") && subject.contains('\n'));
}

#[test]
fn a_hostile_file_name_is_escaped_in_the_record_and_the_summary() {
    let env = Env::new();
    let folder = env.path("in");
    std::fs::create_dir_all(&folder).unwrap();
    let hostile = folder.join("证书\u{1b}[2J\u{202e}fdp.pdf");
    std::fs::copy(corpus("unsigned-query-result.pdf"), &hostile).unwrap();
    let out = env.verify(&[&hostile]);
    assert_eq!(status(&out), 3);
    let text = stdout(&out);
    assert_no_raw_controls(&text);
    assert_eq!(
        text.matches(r"证书\x1b[2J\u{202e}fdp.pdf").count(),
        2,
        "{text}"
    );
}

#[test]
fn csv_cells_from_files_are_never_formulas() {
    let env = Env::new();
    let folder = env.path("in");
    std::fs::create_dir_all(&folder).unwrap();
    let formula_name = folder.join("=HYPERLINK(\"evil\",\"x\").pdf");
    std::fs::copy(corpus("unsigned-query-result.pdf"), &formula_name).unwrap();
    let out = env.verify(&[
        &"--format",
        &"csv",
        &desk("untrusted-hostile-seal-subject.pdf"),
        &desk("unsigned-formula-fields.pdf"),
        &formula_name,
    ]);
    assert_eq!(status(&out), 1);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula cell: {cell:?}"
            );
            assert!(!cell.contains('\u{1b}'), "a raw escape: {cell:?}");
        }
    }
    assert!(rows[0][col("qualification")].starts_with("'=HYPERLINK("));
    assert!(rows[0][col("signers")].contains(r"\x1b[2J"));
    assert!(rows[1][col("qualification")].starts_with("'@SUM("));
    assert_eq!(&rows[1][col("name")], "'-马丽");
    assert!(rows[2][col("path")].ends_with("=HYPERLINK(\"evil\",\"x\").pdf"));
    // A relative path that is itself a formula is neutralised.
    let out = env
        .cmd()
        .current_dir(&folder)
        .args(["verify", "--no-default-trust", "--format", "csv"])
        .arg("=HYPERLINK(\"evil\",\"x\").pdf")
        .output()
        .unwrap();
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[0], "'=HYPERLINK(\"evil\",\"x\").pdf");
}

#[test]
fn a_missing_input_is_an_input_error_and_the_others_go_on() {
    let env = Env::new();
    let missing = env.path("no-such-file.pdf");
    let out = env.verify(&[
        &"--format",
        &"jsonl",
        &corpus("unsigned-query-result.pdf"),
        &missing,
        &corpus("malformed-empty.pdf"),
    ]);
    // 2 outranks unsigned (3) and malformed (4).
    assert_eq!(status(&out), 2);
    let records = jsonl(&out);
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["verdict"], "unsigned");
    assert_eq!(records[1]["verdict"], "input_error");
    assert_eq!(records[1]["reasons"][0]["code"], "file_unreadable");
    assert!(records[1]["error"]
        .as_str()
        .unwrap()
        .contains("No such file"));
    assert_eq!(records[2]["verdict"], "malformed");

    // A "do not accept" finding is not hidden by it.
    let out = env.verify(&[&desk("untrusted-hostile-seal-subject.pdf"), &missing]);
    assert_eq!(status(&out), 1);
    let text = stdout(&out);
    assert!(text.contains("INPUT_ERROR"), "{text}");
    assert!(text.contains("input problem"), "{text}");
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_before_opening_given_directly_or_in_a_folder() {
    let env = Env::new();
    let folder = env.path("in");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(corpus("unsigned-query-result.pdf"), folder.join("a.pdf")).unwrap();
    let fifo = folder.join("b-pipe.pdf");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    std::fs::copy(corpus("unsigned-query-result.pdf"), folder.join("c.pdf")).unwrap();

    // In a folder: the batch does not hang, the FIFO is an input error.
    let out = env.verify(&[&"--format", &"jsonl", &folder]);
    assert_eq!(status(&out), 2);
    let records = jsonl(&out);
    let verdicts: Vec<&str> = records
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["unsigned", "input_error", "unsigned"]);
    assert_eq!(records[1]["reasons"][0]["code"], "not_a_regular_file");
    assert!(records[1]["error"].as_str().unwrap().contains("FIFO"));

    // Given directly, beside a device.
    let out = env.verify(&[&"--format", &"jsonl", &fifo, &"/dev/zero"]);
    assert_eq!(status(&out), 2);
    let records = jsonl(&out);
    assert!(records.iter().all(|r| r["verdict"] == "input_error"));
    assert!(records[1]["error"].as_str().unwrap().contains("device"));
}

#[test]
fn a_file_whose_content_needs_a_password_needs_a_person() {
    let env = Env::new();
    let file = extra("authentic-encrypted-user-password.pdf");
    for args in [vec![], vec!["--password", "wrong"]] {
        let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = Vec::new();
        for a in &args {
            all.push(a);
        }
        all.push(&file);
        let out = env.verify(&all);
        let text = stdout(&out);
        assert!(
            text.contains("CONTENT NOT READABLE: enter the password"),
            "{args:?}: {text}"
        );
        assert!(!text.contains("No file needs a person"), "{args:?}: {text}");
        assert!(text.contains("Need a person (1)"), "{args:?}: {text}");
        assert!(
            text.contains("content not readable: enter the password"),
            "{args:?}: {text}"
        );
        let mut json_args = vec![&"--format" as &dyn AsRef<std::ffi::OsStr>, &"jsonl"];
        json_args.extend(all.iter().copied());
        let record = &jsonl(&env.verify(&json_args))[0];
        assert!(record["fields"].is_null());
        let codes: Vec<&str> = record["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"content_not_readable"), "{codes:?}");
    }
    // With the right password it reads, and nothing is flagged.
    let out = env.verify(&[&"--password", &"ruankao-2021", &file]);
    let text = stdout(&out);
    assert_eq!(status(&out), 0, "{text}");
    assert!(!text.contains("CONTENT NOT READABLE"), "{text}");
    assert!(text.contains("No file needs a person"), "{text}");
    // An unsigned query proof behind a password: the same outcome.
    let out = env.verify(&[&root().join("tests/data/user-password-query-result.pdf")]);
    assert_eq!(status(&out), 3);
    assert!(stdout(&out).contains("CONTENT NOT READABLE"));
}

impl Env {
    /// Any certcheck command, killed (and failed) after a minute.
    fn run(&self, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
        let mut cmd = self.cmd();
        for a in args {
            cmd.arg(a);
        }
        run_with_deadline(cmd, Duration::from_secs(60))
    }

    /// The verdict of `file` with the default store only (what `trust add`
    /// changes).
    fn verdict_with_default_store(&self, file: &Path) -> String {
        let out = self.run(&[&"verify", &"--format", &"jsonl", &file]);
        jsonl(&out)[0]["verdict"].as_str().unwrap().to_string()
    }

    fn pinned_files(&self) -> Vec<PathBuf> {
        match std::fs::read_dir(self.path("config/trust")) {
            Ok(d) => d.flatten().map(|e| e.path()).collect(),
            Err(_) => Vec::new(),
        }
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The key fingerprint `trust add` shows.
fn shown_spki(o: &Output) -> String {
    stdout(o)
        .lines()
        .find_map(|l| l.trim().strip_prefix("SPKI SHA-256:"))
        .map(|f| f.trim().to_string())
        .expect("trust add shows the SPKI SHA-256")
}

#[test]
fn trust_add_shows_what_it_would_pin_and_pins_only_when_confirmed() {
    let env = Env::new();
    let self_signed = extra("untrusted-self-signed-seal.pdf");
    let genuine = extra("authentic-intermediate-embedded-only.pdf");
    assert_eq!(env.verdict_with_default_store(&self_signed), "untrusted");

    // A self-signed seal: shown, warned about, refused without --yes (stdin
    // is not a terminal, and a matching fingerprint is not enough for it).
    let out = env.run(&[&"trust", &"add", &self_signed]);
    assert_eq!(status(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("人力资源和社会保障部人事考试中心"), "{text}");
    assert!(
        text.contains("WARNING: the seal's own certificate"),
        "{text}"
    );
    assert!(stderr(&out).contains("needs --yes"), "{}", stderr(&out));
    let spki = shown_spki(&out);
    let out = env.run(&[&"trust", &"add", &self_signed, &"--fingerprint", &spki]);
    assert_eq!(status(&out), 1);
    assert!(env.pinned_files().is_empty());
    assert_eq!(env.verdict_with_default_store(&self_signed), "untrusted");

    // The real root: not pinned unasked, nor with a wrong fingerprint; a
    // fingerprint obtained out of band that matches confirms it.
    let root = extra("trust/root-ca.pem");
    let out = env.run(&[&"trust", &"add", &root]);
    assert_eq!(status(&out), 1);
    assert!(
        stderr(&out).contains("confirm with --yes"),
        "{}",
        stderr(&out)
    );
    let root_spki = shown_spki(&out);
    let wrong = "0".repeat(64);
    let out = env.run(&[&"trust", &"add", &root, &"--fingerprint", &wrong]);
    assert_eq!(status(&out), 1);
    assert!(stderr(&out).contains("matches neither"), "{}", stderr(&out));
    assert_eq!(env.verdict_with_default_store(&genuine), "untrusted");
    let out = env.run(&[&"trust", &"add", &root, &"--fingerprint", &root_spki]);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("pinned 扩展测试根CA"));
    assert_eq!(env.pinned_files().len(), 1);
    assert_eq!(env.verdict_with_default_store(&genuine), "authentic");
    // Adding it again changes nothing.
    assert_eq!(status(&env.run(&[&"trust", &"add", &root])), 0);
    assert_eq!(env.pinned_files().len(), 1);

    // A chain with the known root's very names and other keys: an impostor.
    let impostor = extra("untrusted-impostor-same-names.pdf");
    let out = env.run(&[&"trust", &"add", &impostor]);
    assert_eq!(status(&out), 1);
    assert!(stdout(&out).contains("impostor"), "{}", stdout(&out));
    assert_eq!(env.verdict_with_default_store(&impostor), "untrusted");
    // A seal under an unrelated root: shown, not pinned unconfirmed.
    let impostor_ca = corpus("untrusted-impostor-ca.pdf");
    let out = env.run(&[&"trust", &"add", &impostor_ca]);
    assert_eq!(status(&out), 1);
    assert!(
        stdout(&out).contains("Unrelated Root CA"),
        "{}",
        stdout(&out)
    );
    assert_eq!(env.verdict_with_default_store(&impostor_ca), "untrusted");

    // Files that are not genuine are refused outright, even with --yes.
    for bad in [
        extra("altered-byte-edit-id.pdf"),
        corpus("malformed-truncated.pdf"),
        corpus("unsigned-query-result.pdf"),
    ] {
        let out = env.run(&[&"trust", &"add", &bad, &"--yes"]);
        assert_eq!(status(&out), 1, "{}", bad.display());
        assert!(stderr(&out).contains("not pinned"), "{}", stderr(&out));
    }
    assert_eq!(
        status(&env.run(&[&"trust", &"add", &env.path("missing.pdf")])),
        2
    );
    assert_eq!(env.pinned_files().len(), 1);

    // Confirmed with --yes, the self-signed seal is trusted from then on:
    // listed by its fingerprint, and removed by it.
    let out = env.run(&[&"trust", &"add", &self_signed, &"--yes"]);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert_eq!(env.verdict_with_default_store(&self_signed), "authentic");
    let list = stdout(&env.run(&[&"trust", &"list"]));
    assert!(list.contains(&spki) && list.contains(&root_spki), "{list}");
    let out = env.run(&[&"trust", &"remove", &&spki[..12]]);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert_eq!(env.verdict_with_default_store(&self_signed), "untrusted");
    assert_eq!(env.verdict_with_default_store(&genuine), "authentic");
    assert_eq!(status(&env.run(&[&"trust", &"remove", &&spki[..12]])), 1);
    assert_eq!(status(&env.run(&[&"trust", &"remove", &"xyz"])), 2);
}

#[test]
fn a_run_without_known_issuers_warns_once() {
    let env = Env::new();
    let file = corpus("unsigned-query-result.pdf");
    let out = env.run(&[&"verify", &"--no-default-trust", &file]);
    assert_eq!(status(&out), 3);
    assert_eq!(
        stderr(&out).matches("no known issuer").count(),
        1,
        "{}",
        stderr(&out)
    );
    let empty = env.path("empty-trust");
    std::fs::create_dir_all(&empty).unwrap();
    let out = env.run(&[&"verify", &"--no-default-trust", &"--trust", &empty, &file]);
    assert!(
        stderr(&out).contains("holds no certificate"),
        "{}",
        stderr(&out)
    );
    let out = env.verify(&[&file]);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn extract_seal_into_a_folder_that_cannot_be_written_is_an_error() {
    let env = Env::new();
    let ses = root().join("tests/national/ses-v1-valid.pdf");
    // Below a regular file: no folder can be made there, not even by root.
    let blocker = env.path("a-file");
    std::fs::write(&blocker, b"x").unwrap();
    let out = env.verify(&[&"--extract-seal", &blocker.join("seals"), &ses]);
    assert_eq!(status(&out), 2);
    assert!(
        stderr(&out).contains("cannot write seal pictures"),
        "{}",
        stderr(&out)
    );
    // A writable one: the picture is named after the file and the signature.
    let dir = env.path("seals");
    let out = env.verify(&[&"--extract-seal", &dir, &ses]);
    assert_ne!(status(&out), 2, "{}", stderr(&out));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with("ses-v1-valid-Signature1"), "{names:?}");
}

#[test]
fn a_ledger_named_like_a_pdf_is_refused_and_the_readme_order_works() {
    let env = Env::new();
    let file = corpus("unsigned-query-result.pdf");
    let out = env.verify(&[&"--ledger", &file, &corpus("unsigned-image-only.pdf")]);
    assert_eq!(status(&out), 2);
    assert!(
        stderr(&out).contains("looks like a PDF"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    // README: `verify [--ledger [PATH]] ... <PATH>...`, and --ledger=PATH.
    let ledger = env.path("desk.db");
    let out = env.verify(&[&"--ledger", &ledger, &file]);
    assert_eq!(status(&out), 3, "{}", stderr(&out));
    let mut eq = std::ffi::OsString::from("--ledger=");
    eq.push(&ledger);
    let out = env.verify(&[&eq, &file]);
    assert_eq!(status(&out), 3, "{}", stderr(&out));
    let list = env.run(&[&"ledger", &"--ledger", &ledger, &"list"]);
    assert_eq!(stdout(&list).lines().count(), 2, "{}", stdout(&list));
}

/// Waits (polling briefly) until `path` exists, for at most `limit`.
fn wait_for(path: &Path, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if path.exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    path.exists()
}

#[test]
fn the_watch_folder_delivers_files_that_arrive_while_it_runs() {
    let env = Env::new();
    let (inbox, ok, person) = (env.path("in"), env.path("ok"), env.path("person"));
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::create_dir_all(&ok).unwrap();
    // A file of that name was delivered earlier: it must not be replaced.
    std::fs::write(ok.join("cert.pdf"), b"earlier").unwrap();
    let ledger = env.path("desk.db");
    let mut child = env
        .cmd()
        .arg("watch")
        .arg(&inbox)
        .arg("--accepted")
        .arg(&ok)
        .arg("--needs-person")
        .arg(&person)
        .args(["--no-default-trust", "--trust"])
        .arg(extra("trust"))
        .arg("--ledger")
        .arg(&ledger)
        .args(["--settle-ms", "200"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Arrive the way a scanner or a copy does: a hidden name, then renamed.
    let part = inbox.join(".cert.pdf.part");
    std::fs::copy(extra("authentic-intermediate-embedded-only.pdf"), &part).unwrap();
    std::fs::rename(&part, inbox.join("cert.pdf")).unwrap();
    std::fs::copy(corpus("unsigned-query-result.pdf"), inbox.join("proof.pdf")).unwrap();

    let accepted = ok.join("cert-2.json");
    let to_person = person.join("proof.json");
    let delivered = wait_for(&accepted, Duration::from_secs(60))
        && wait_for(&to_person, Duration::from_secs(60));
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert!(
        delivered,
        "stdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );

    let record: Value = serde_json::from_slice(&std::fs::read(&accepted).unwrap()).unwrap();
    assert_eq!(record["verdict"], "authentic");
    assert!(ok.join("cert-2.pdf").is_file());
    assert_eq!(std::fs::read(ok.join("cert.pdf")).unwrap(), b"earlier");
    let record: Value = serde_json::from_slice(&std::fs::read(&to_person).unwrap()).unwrap();
    assert_eq!(record["verdict"], "unsigned");
    assert_eq!(
        std::fs::read(person.join("proof.pdf")).unwrap(),
        std::fs::read(corpus("unsigned-query-result.pdf")).unwrap()
    );
    assert_eq!(std::fs::read_dir(&inbox).unwrap().count(), 0);
    let text = stdout(&out);
    assert!(
        text.contains("AUTHENTIC") && text.contains("accepted"),
        "{text}"
    );
    assert!(text.contains("needs a person"), "{text}");
    // Both recorded in the ledger.
    let list = env.run(&[&"ledger", &"--ledger", &ledger, &"list"]);
    assert_eq!(stdout(&list).lines().count(), 2, "{}", stdout(&list));
}

/// An XLSX workbook read back as a user's spreadsheet sees it: the cells
/// of its first sheet by row (text: shared or inline strings; numbers as
/// written) and the sheet's XML (to look for formulas).
struct Workbook {
    rows: Vec<Vec<String>>,
    sheet_xml: String,
}

fn read_xlsx(path: &Path) -> Workbook {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut part = |name: &str| {
        let mut s = String::new();
        zip.by_name(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    let shared_xml = part("xl/sharedStrings.xml");
    let sheet_xml = part("xl/worksheets/sheet1.xml");
    let unescape = |s: &str| {
        let s = s
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'");
        let s = regex::Regex::new(r"_x([0-9A-Fa-f]{4})_")
            .unwrap()
            .replace_all(&s, |c: &regex::Captures| {
                let n = u32::from_str_radix(&c[1], 16).unwrap();
                char::from_u32(n).unwrap().to_string()
            })
            .into_owned();
        s.replace("&amp;", "&")
    };
    let t = regex::Regex::new(r"(?s)<t[^>]*>(.*?)</t>").unwrap();
    let shared: Vec<String> = regex::Regex::new(r"(?s)<si>(.*?)</si>")
        .unwrap()
        .captures_iter(&shared_xml)
        .map(|si| {
            t.captures_iter(&si[1])
                .map(|c| unescape(&c[1]))
                .collect::<String>()
        })
        .collect();
    let cell = regex::Regex::new(r#"(?s)<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)"#).unwrap();
    let value = regex::Regex::new(r"(?s)<v>(.*?)</v>").unwrap();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for c in cell.captures_iter(&sheet_xml) {
        let col = c[1]
            .bytes()
            .fold(0usize, |n, b| n * 26 + usize::from(b - b'A' + 1))
            - 1;
        let row: usize = c[2].parse::<usize>().unwrap() - 1;
        let attrs = &c[3];
        let body = c.get(4).map_or("", |m| m.as_str());
        let text = if attrs.contains(r#"t="s""#) {
            let i: usize = value.captures(body).unwrap()[1].parse().unwrap();
            shared[i].clone()
        } else if attrs.contains(r#"t="inlineStr""#) {
            t.captures_iter(body).map(|c| unescape(&c[1])).collect()
        } else {
            value
                .captures(body)
                .map(|v| v[1].to_string())
                .unwrap_or_default()
        };
        if rows.len() <= row {
            rows.resize(row + 1, Vec::new());
        }
        if rows[row].len() <= col {
            rows[row].resize(col + 1, String::new());
        }
        rows[row][col] = text;
    }
    Workbook { rows, sheet_xml }
}

#[test]
fn the_ledger_exports_a_workbook_with_neutralised_string_cells_and_filters() {
    let env = Env::new();
    let ledger = env.path("ledger.sqlite3");
    let ledger_arg = format!("--ledger={}", ledger.display());
    let folder = env.path("in");
    std::fs::create_dir_all(&folder).unwrap();
    let formula_name = "=HYPERLINK(\"evil\",\"x\").pdf";
    std::fs::copy(
        corpus("unsigned-query-result.pdf"),
        folder.join(formula_name),
    )
    .unwrap();
    let out = env.verify(&[
        &desk("untrusted-hostile-seal-subject.pdf"),
        &desk("unsigned-formula-fields.pdf"),
        &ledger_arg,
    ]);
    assert_eq!(status(&out), 1, "{}", stderr(&out));
    // Checked under a relative name, so the path cell itself is the formula.
    let out = env
        .cmd()
        .current_dir(&folder)
        .args(["verify", "--no-default-trust", "--quiet", &ledger_arg])
        .arg(formula_name)
        .output()
        .unwrap();
    assert_eq!(status(&out), 3, "{}", stderr(&out));

    let export = |args: &[&str]| {
        let mut cmd = env.cmd();
        cmd.args(["ledger", &ledger_arg, "export"]).args(args);
        cmd.output().unwrap()
    };
    let book_path = env.path("ledger.xlsx");
    let out = export(&["--format", "xlsx", "--output", book_path.to_str().unwrap()]);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let book = read_xlsx(&book_path);
    assert!(!book.sheet_xml.contains("<f>") && !book.sheet_xml.contains("<f "));
    let header = &book.rows[0];
    assert_eq!(header[0], "id");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(book.rows.len(), 4, "{:?}", book.rows);
    let rows = &book.rows[1..];
    for row in rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula cell: {cell:?}"
            );
        }
    }
    assert_eq!(rows[0][col("verdict")], "untrusted");
    assert_eq!(rows[0][col("name")], "何俊杰");
    assert_eq!(rows[0][col("management_number")], "2021R3401000512");
    assert_eq!(rows[1][col("name")], "'-马丽");
    assert_eq!(rows[1][col("id_number")], "13019919971121090X");
    assert_eq!(rows[2][col("path")], format!("'{formula_name}"));
    assert_eq!(rows[2][col("verdict")], "unsigned");
    // The hostile path is a string cell, held in the shared strings.
    assert!(book.sheet_xml.contains(&format!(
        r#"r="{}4" t="s""#,
        (b'A' + col("path") as u8) as char
    )));

    // The file is never written over, nor through a link.
    let again = export(&["--format", "xlsx", "--output", book_path.to_str().unwrap()]);
    assert_eq!(status(&again), 2);
    assert_eq!(read_xlsx(&book_path).rows.len(), 4);
    // Not onto a terminal either; to a pipe it is the same workbook.
    let piped = export(&["--format", "xlsx"]);
    assert_eq!(status(&piped), 0);
    assert!(piped.stdout.starts_with(b"PK\x03\x04"));

    // Filters: the same rows in the workbook and the CSV.
    let filtered = |args: &[&str], file: &str| {
        let p = env.path(file);
        let mut all = vec!["--format", "xlsx", "--output", p.to_str().unwrap()];
        all.extend_from_slice(args);
        let out = export(&all);
        assert_eq!(status(&out), 0, "{}", stderr(&out));
        let xlsx_ids: Vec<String> = read_xlsx(&p).rows[1..]
            .iter()
            .map(|r| r[0].clone())
            .collect();
        let mut csv_args = vec!["--format", "csv"];
        csv_args.extend_from_slice(args);
        let out = export(&csv_args);
        let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
        let csv_ids: Vec<String> = reader
            .records()
            .map(|r| r.unwrap()[0].to_string())
            .collect();
        assert_eq!(xlsx_ids, csv_ids, "{args:?}");
        xlsx_ids
    };
    assert_eq!(filtered(&["--verdict", "unsigned"], "f1.xlsx"), ["2", "3"]);
    assert_eq!(filtered(&["--name", "-马丽"], "f2.xlsx"), ["2"]);
    assert_eq!(
        filtered(&["--management-number", "2021r 3401000512"], "f3.xlsx"),
        ["1"]
    );
    assert_eq!(
        filtered(&["--id-number", "13019919971121090x"], "f4.xlsx"),
        ["2"]
    );
    assert_eq!(
        filtered(&["--from", "2000-01-01", "--to", "2999-12-31"], "f5.xlsx").len(),
        3
    );
    assert!(filtered(&["--from", "2999-01-01"], "f6.xlsx").is_empty());
    assert!(filtered(&["--to", "2000-01-01"], "f7.xlsx").is_empty());
    let bad = export(&["--verdict", "genuine"]);
    assert_eq!(status(&bad), 2);
    assert!(stderr(&bad).contains("authentic"), "{}", stderr(&bad));

    // A Chinese desk's workbook has Chinese headers.
    let zh = env.path("zh.xlsx");
    let out = env
        .cmd()
        .env("LANG", "zh_CN.UTF-8")
        .args(["ledger", &ledger_arg, "export", "--format", "xlsx", "-o"])
        .arg(&zh)
        .output()
        .unwrap();
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    let header = &read_xlsx(&zh).rows[0];
    assert_eq!(header[..3], ["编号", "核验时间", "文件"]);
}

#[test]
fn completions_and_the_man_page_come_from_the_command_line_definition() {
    let env = Env::new();
    let run = |args: &[&str]| {
        let out = env.cmd().args(args).output().unwrap();
        assert_eq!(status(&out), 0, "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    let bash = run(&["completions", "bash"]);
    for sub in [
        "verify", "online", "ledger", "serve", "trust", "watch", "seal", "man",
    ] {
        assert!(bash.contains(sub), "bash completion lacks {sub}");
    }
    assert!(bash.contains("--require-revocation") && bash.contains("complete -F"));
    for shell in ["zsh", "fish", "powershell"] {
        assert!(run(&["completions", shell]).contains("verify"), "{shell}");
    }
    let bad = env.cmd().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(status(&bad), 2);

    let man = run(&["man"]);
    assert!(
        man.starts_with(".ie") || man.contains(".TH certcheck 1"),
        "{man}"
    );
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH \"CERTCHECK VERIFY\"",
    ] {
        assert!(man.contains(section), "man page lacks {section}");
    }
    let verify = &man[man.find(".SH \"CERTCHECK VERIFY\"").unwrap()..];
    let verify = &verify[..verify[4..].find(".SH ").map_or(verify.len(), |i| i + 4)];
    for option in [
        r"\-\-trust",
        r"\-\-format",
        r"\-\-ledger",
        r"\-\-require\-revocation",
    ] {
        assert!(
            verify.contains(option),
            "verify section lacks {option}:\n{verify}"
        );
    }
    assert!(man.contains(".SH \"CERTCHECK LEDGER EXPORT\""));
}

/// Runs `cmd` with `input` piped to its stdin.
fn run_with_input(mut cmd: Command, input: &str) -> Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn online_asks_for_the_answer_and_later_checks_show_earlier_answers() {
    let env = Env::new();
    let ledger_arg = format!("--ledger={}", env.path("ledger.sqlite3").display());
    let file = corpus("unsigned-query-result.pdf");
    // Desk 1: the answer typed at the prompt (piped: --prompt), after one
    // that is not understood.
    let mut cmd = env.cmd();
    cmd.env("CERTCHECK_DESK", "desk-1")
        .args([
            "online",
            "--no-default-trust",
            "--prompt",
            "--operator",
            "ann",
        ])
        .arg(&ledger_arg)
        .arg(&file);
    let out = run_with_input(cmd, "perhaps\n已撤销\n");
    assert_eq!(status(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.matches("官方核验结果").count(), 2, "{err}");
    assert!(err.contains("not understood"), "{err}");
    let text = stdout(&out);
    assert!(
        text.contains("online answer recorded: 已撤销 (revoked) by ann at desk desk-1, ledger #1"),
        "{text}"
    );
    assert!(!text.contains("earlier online answer"), "{text}");

    // Nothing is asked when stdin is not a terminal and --prompt is not given.
    let out = env
        .cmd()
        .env("CERTCHECK_DESK", "desk-2")
        .args(["online", "--no-default-trust", "--operator", "bob"])
        .arg(&ledger_arg)
        .arg(&file)
        .output()
        .unwrap();
    assert!(!stderr(&out).contains("官方核验结果"));
    let text = stdout(&out);
    // Desk 2 sees desk 1's answer: when, what, who, where.
    let line = text
        .lines()
        .find(|l| l.contains("earlier online answer"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("已撤销 (revoked)")
            && line.contains("by ann at desk desk-1")
            && line.contains("(ledger #1)"),
        "{line}"
    );
    let today = time::OffsetDateTime::now_utc().date().to_string();
    assert!(line.contains(&format!(" on {today}T")), "{line}");

    // Desk 2 answers by number; a later verify shows both answers, oldest
    // first, and the JSON record carries them.
    let mut cmd = env.cmd();
    cmd.env("CERTCHECK_DESK", "desk-2")
        .args([
            "online",
            "--no-default-trust",
            "--prompt",
            "--operator",
            "bob",
        ])
        .arg(&ledger_arg)
        .arg(&file);
    let out = run_with_input(cmd, "1\n");
    assert!(stdout(&out)
        .contains("online answer recorded: 有效 (valid) by bob at desk desk-2, ledger #3"));
    let out = env.verify(&[&file, &ledger_arg]);
    let text = stdout(&out);
    let answers: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("earlier online answer"))
        .collect();
    assert_eq!(answers.len(), 2, "{text}");
    assert!(answers[0].contains("已撤销") && answers[0].contains("ann"));
    assert!(answers[1].contains("有效") && answers[1].contains("bob"));
    let json = env.verify(&[&"--format", &"jsonl", &file, &ledger_arg]);
    let record = &jsonl(&json)[0];
    let earlier = record["ledger"]["earlier_answers"].as_array().unwrap();
    assert_eq!(earlier.len(), 2);
    assert_eq!(earlier[0]["answer"], "revoked");
    assert_eq!(earlier[0]["operator"], "ann");
    assert_eq!(earlier[0]["desk"], "desk-1");
    assert_eq!(earlier[0]["check_id"], 1);
    assert_eq!(earlier[1]["answer"], "valid");
    // An empty line records nothing.
    let mut cmd = env.cmd();
    cmd.args(["online", "--no-default-trust", "--prompt"])
        .arg(&ledger_arg)
        .arg(&file);
    let out = run_with_input(cmd, "\n");
    assert!(stderr(&out).contains("no online answer recorded"));
    assert!(!stdout(&out).contains("online answer recorded"));
}

/// Runs `certcheck ARGS` with its stdout (and its stderr, unless
/// `stderr_to` names a file) on a pseudo-terminal, through util-linux
/// `script`, with TERM=xterm-256color and NO_COLOR unset unless `vars`
/// say otherwise. None (said plainly) where `script` is missing.
fn on_a_terminal(
    env: &Env,
    vars: &[(&str, &str)],
    args: &str,
    stderr_to: Option<&Path>,
) -> Option<Vec<u8>> {
    if Command::new("script").arg("--version").output().is_err() {
        println!("SKIPPED: util-linux `script` not installed (no pseudo-terminal)");
        return None;
    }
    let redirect = stderr_to.map_or(String::new(), |p| format!(" 2>'{}'", p.display()));
    let line = format!("'{}' {args}{redirect}", env!("CARGO_BIN_EXE_certcheck"));
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .env("CERTCHECK_CONFIG_DIR", env.path("config"))
        .env("CERTCHECK_DATA_DIR", env.path("data"))
        .env_remove("LC_ALL")
        .env("LANG", "C.UTF-8")
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    Some(cmd.output().unwrap().stdout)
}

#[test]
fn no_color_and_a_dumb_terminal_get_no_escape_bytes() {
    let env = Env::new();
    let args = format!(
        "verify --no-default-trust --trust '{}' '{}'",
        extra("trust").display(),
        corpus("unsigned-query-result.pdf").display()
    );
    let err = env.path("stderr.txt");
    // On a terminal, the verdict is painted.
    let Some(painted) = on_a_terminal(&env, &[], &args, None) else {
        return;
    };
    let text = String::from_utf8_lossy(&painted);
    assert!(text.contains("UNSIGNED"), "{text}");
    assert!(painted.contains(&0x1b), "no colour on a terminal: {text}");
    // NO_COLOR: the same words, no escape byte (stderr, with its progress
    // bar, kept apart).
    let plain = on_a_terminal(&env, &[("NO_COLOR", "1")], &args, Some(&err)).unwrap();
    let text = String::from_utf8_lossy(&plain);
    assert!(text.contains("UNSIGNED"), "{text}");
    assert!(!plain.contains(&0x1b), "{text:?}");
    // TERM=dumb: none at all, not even the progress bar's redraws.
    let dumb = on_a_terminal(&env, &[("TERM", "dumb")], &args, None).unwrap();
    let text = String::from_utf8_lossy(&dumb);
    assert!(text.contains("UNSIGNED"), "{text}");
    assert!(!dumb.contains(&0x1b), "{text:?}");
    // An empty NO_COLOR does not count (no-color.org).
    let empty = on_a_terminal(&env, &[("NO_COLOR", "")], &args, Some(&err)).unwrap();
    assert!(empty.contains(&0x1b));
}

#[test]
fn ledger_correct_appends_an_entry_and_show_gives_the_chain() {
    let env = Env::new();
    let ledger_arg = format!("--ledger={}", env.path("ledger.sqlite3").display());
    let file = corpus("unsigned-query-result.pdf");
    let out = env.verify(&[&file, &ledger_arg]);
    assert_eq!(status(&out), 3);
    let ledger = |args: &[&str]| {
        env.cmd()
            .env("CERTCHECK_DESK", "desk-9")
            .args(["ledger", &ledger_arg])
            .args(args)
            .output()
            .unwrap()
    };
    let show = |id: &str| -> Value {
        let out = ledger(&["show", id]);
        assert_eq!(status(&out), 0, "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let before = show("1");
    let out = ledger(&[
        "correct",
        "1",
        "--reason",
        "官方网站显示已撤销",
        "--answer",
        "revoked",
        "--operator",
        "ann",
    ]);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("correction #1 of check #1 recorded by ann at desk desk-9"),
        "{}",
        stdout(&out)
    );
    let out = ledger(&[
        "correct",
        "1",
        "--reason",
        "seal compared by hand",
        "--verdict",
        "untrusted",
    ]);
    assert_eq!(status(&out), 0, "{}", stderr(&out));
    let after = show("1");
    // The check is as it was; the corrections follow it, oldest first.
    for key in [
        "checked_at",
        "path",
        "sha256",
        "verdict",
        "record",
        "operator",
    ] {
        assert_eq!(after[key], before[key], "{key}");
    }
    assert_eq!(after["confirmation"], "revoked");
    let chain = after["corrections"].as_array().unwrap();
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[0]["reason"], "官方网站显示已撤销");
    assert_eq!(chain[0]["answer"], "revoked");
    assert_eq!(chain[0]["operator"], "ann");
    assert_eq!(chain[0]["desk"], "desk-9");
    assert_eq!(chain[1]["verdict"], "untrusted");
    assert_eq!(chain[1]["check_id"], 1);
    // Refused: no reason, an unknown check, an unknown verdict.
    assert_eq!(status(&ledger(&["correct", "1"])), 2);
    assert_eq!(status(&ledger(&["correct", "5", "--reason", "x"])), 2);
    let bad = ledger(&["correct", "1", "--reason", "x", "--verdict", "genuine"]);
    assert_eq!(status(&bad), 2);
    assert_eq!(show("1")["corrections"].as_array().unwrap().len(), 2);
}

#[cfg(unix)]
#[test]
fn a_symlinked_folder_inside_a_folder_is_named_on_stderr() {
    let env = Env::new();
    let (folder, elsewhere) = (env.path("in"), env.path("elsewhere"));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::copy(corpus("unsigned-query-result.pdf"), folder.join("a.pdf")).unwrap();
    std::fs::copy(corpus("unsigned-query-result.pdf"), elsewhere.join("b.pdf")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, folder.join("linked")).unwrap();
    let out = env.verify(&[&"--format", &"jsonl", &folder]);
    assert_eq!(status(&out), 3, "{}", stderr(&out));
    let records = jsonl(&out);
    assert_eq!(records.len(), 1);
    assert!(records[0]["path"].as_str().unwrap().ends_with("a.pdf"));
    let err = stderr(&out);
    assert_eq!(
        err.matches("linked: a symlinked folder, not followed")
            .count(),
        1,
        "{err}"
    );
    // Named on the command line, it is searched.
    let out = env.verify(&[&"--format", &"jsonl", &folder.join("linked")]);
    assert_eq!(status(&out), 3, "{}", stderr(&out));
    let records = jsonl(&out);
    assert_eq!(records.len(), 1);
    assert!(records[0]["path"].as_str().unwrap().ends_with("b.pdf"));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn trust_add_shows_the_issuer_the_validity_and_the_file_verdict() {
    let env = Env::new();
    let out = env.run(&[&"trust", &"add", &extra("authentic-rsa-pss-sha256.pdf")]);
    // Not confirmed: stdin is not a terminal and there is no --yes.
    assert_eq!(status(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    for label in [
        "subject:",
        "issued by:",
        "SPKI SHA-256:",
        "valid:",
        "file verdict:",
    ] {
        assert!(text.contains(label), "{label}: {text}");
    }
    let verdict = text
        .lines()
        .find(|l| l.contains("file verdict:"))
        .unwrap()
        .to_lowercase();
    assert!(verdict.contains("untrusted"), "{verdict}");
    assert!(text.contains(" to "), "{text}");
    assert!(env.pinned_files().is_empty());
}

#[test]
fn csv_for_excel_has_a_byte_order_mark_chinese_headers_and_the_operator() {
    const BOM: &[u8] = "\u{feff}".as_bytes();
    let env = Env::new();
    let file = corpus("unsigned-query-result.pdf");
    let ledger_arg = format!("--ledger={}", env.path("ledger.sqlite3").display());
    // Plain CSV in a C locale: no byte-order mark, the English keys.
    let out = env.verify(&[&"--format", &"csv", &"--operator", &"ann", &file]);
    assert_eq!(status(&out), 3, "{}", stderr(&out));
    assert!(out.stdout.starts_with(b"path,"), "{}", stdout(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let row = reader.records().next().unwrap().unwrap();
    let operator = header.iter().position(|h| h == "operator").unwrap();
    assert_eq!(&row[operator], "ann");
    // --excel: the mark, then Chinese headers.
    let out = env.verify(&[&"--format", &"csv", &"--excel", &ledger_arg, &file]);
    assert_eq!(status(&out), 3, "{}", stderr(&out));
    assert!(out.stdout.starts_with(BOM));
    let text = String::from_utf8(out.stdout[BOM.len()..].to_vec()).unwrap();
    assert!(text.starts_with("文件,SHA-256,结论,"), "{text}");
    assert!(text.lines().next().unwrap().ends_with("操作员"), "{text}");
    // A Chinese locale: the mark always, for verify and for the export.
    let mut cmd = env.cmd();
    cmd.env("LANG", "zh_CN.UTF-8")
        .args(["verify", "--no-default-trust", "--format", "csv"])
        .arg(&file);
    let out = run_with_deadline(cmd, Duration::from_secs(60));
    assert!(out.stdout.starts_with(BOM), "{}", stdout(&out));
    let export = |lang: &str, excel: bool| {
        let mut cmd = env.cmd();
        cmd.env("LANG", lang)
            .args(["ledger", &ledger_arg, "export", "--format", "csv"]);
        if excel {
            cmd.arg("--excel");
        }
        cmd.output().unwrap()
    };
    let plain = export("C.UTF-8", false);
    assert_eq!(status(&plain), 0, "{}", stderr(&plain));
    assert!(plain.stdout.starts_with(b"id,"), "{}", stdout(&plain));
    let excel = export("C.UTF-8", true);
    assert!(excel.stdout.starts_with(BOM));
    assert!(String::from_utf8_lossy(&excel.stdout).contains("编号"));
    let zh = export("zh_CN.UTF-8", false);
    assert!(zh.stdout.starts_with(BOM), "{}", stdout(&zh));
}

/// Runs `cmd` as a user who cannot write the ledger: the current user when
/// it is not root (the modes then bind it), else `nobody` through setpriv
/// (root ignores modes). None when neither is possible.
fn as_reader_without_write(cmd: &Command, env: &Env) -> Option<Command> {
    // /proc/self belongs to the process's own user.
    let uid = std::fs::metadata("/proc/self").ok().map(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid()
    })?;
    let program = Path::new(cmd.get_program());
    let mut out = if uid == 0 {
        which("setpriv")?;
        // nobody must reach the binary: copy it where every user can.
        let bin = env.path("bin/certcheck");
        std::fs::create_dir_all(env.path("bin")).ok()?;
        std::fs::copy(program, &bin).ok()?;
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(bin);
        c
    } else {
        Command::new(program)
    };
    out.args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => out.env(k, v),
            None => out.env_remove(k),
        };
    }
    out.stdin(Stdio::null());
    Some(out)
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

#[test]
fn a_ledger_that_cannot_be_written_can_still_be_listed_shown_and_exported() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let book = env.path("share/ledger.sqlite3");
    let out = env.verify(&[
        &format!("--ledger={}", book.display()),
        &extra("authentic-ecdsa-p256-sha384.pdf"),
    ]);
    assert_eq!(out.status.code(), Some(0), "verify: {out:?}");
    assert!(book.is_file(), "the ledger was written");
    // Read access only: the file 0444, its folder 0555 (no -wal or -shm
    // can be made beside it), every folder above it passable.
    let perms = |p: &Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    perms(env.dir.path(), 0o755);
    perms(&book, 0o444);
    perms(&env.path("share"), 0o555);
    let ledger_arg = format!("--ledger={}", book.display());
    let mut list = env.cmd();
    list.args(["ledger", &ledger_arg, "list"]);
    let Some(list) = as_reader_without_write(&list, &env) else {
        perms(&env.path("share"), 0o755);
        println!("skipped: running as root without setpriv, modes cannot be made to bind");
        return;
    };
    let out = run_with_deadline(list, Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "list: {stdout}\n{stderr}");
    assert!(
        stdout.contains("authentic-ecdsa-p256-sha384.pdf"),
        "list shows the check: {stdout}"
    );

    let mut export = env.cmd();
    export.args(["ledger", &ledger_arg, "export", "--format", "jsonl"]);
    let out = run_with_deadline(
        as_reader_without_write(&export, &env).unwrap(),
        Duration::from_secs(60),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "export: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first: Value =
        serde_json::from_str(stdout.lines().next().unwrap_or("")).expect("one JSON line");
    assert_eq!(first["verdict"], "authentic", "{first}");

    let mut show = env.cmd();
    show.args(["ledger", &ledger_arg, "show", "1"]);
    let out = run_with_deadline(
        as_reader_without_write(&show, &env).unwrap(),
        Duration::from_secs(60),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "show: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Writing is still refused, with the ledger's own words, not a crash.
    let mut correct = env.cmd();
    correct.args(["ledger", &ledger_arg, "correct", "1", "--reason", "test"]);
    let out = run_with_deadline(
        as_reader_without_write(&correct, &env).unwrap(),
        Duration::from_secs(60),
    );
    assert_ne!(out.status.code(), Some(0), "a correction cannot be written");
    assert_eq!(
        std::fs::read_dir(env.path("share")).unwrap().count(),
        1,
        "nothing was created beside the ledger"
    );
    perms(&env.path("share"), 0o755);
}
