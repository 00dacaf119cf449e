//! The command line as a desk uses it: batches, output formats, exit
//! statuses, the ledger and the online check. Every run gets its own
//! config and data dirs, so nothing outside the temp dir is written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn c(name: &str) -> String {
    corpus().join(name).display().to_string()
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
            .env("CERTCHECK_DATA_DIR", self.path("data"));
        cmd
    }

    /// `certcheck verify` with the corpus issuers only.
    fn verify(&self, args: &[&str]) -> Output {
        let trust = corpus().join("trust");
        self.cmd()
            .arg("verify")
            .arg("--no-default-trust")
            .arg("--trust")
            .arg(&trust)
            .args(args)
            .output()
            .unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }
}

fn status(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn jsonl(o: &Output) -> Vec<Value> {
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn manifest_entry(file: &str) -> Value {
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus().join("manifest.json")).unwrap())
            .unwrap();
    m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == file)
        .cloned()
        .unwrap()
}

#[test]
fn jsonl_has_one_record_per_file_in_the_order_given() {
    let env = Env::new();
    let files = [
        "unsigned-query-result.pdf",
        "malformed-random-bytes.pdf",
        "unsigned-image-only.pdf",
        "malformed-empty.pdf",
        "unsigned-qr-lookalike.pdf",
        "malformed-jpeg-renamed.pdf",
    ];
    let paths: Vec<String> = files.iter().map(|f| c(f)).collect();
    let mut args = vec!["--format", "jsonl", "--jobs", "3"];
    args.extend(paths.iter().map(String::as_str));
    let out = env.verify(&args);
    let records = jsonl(&out);
    assert_eq!(records.len(), files.len());
    for (r, (file, path)) in records.iter().zip(files.iter().zip(&paths)) {
        assert_eq!(r["path"], path.as_str());
        let want = if file.starts_with("malformed") {
            "malformed"
        } else {
            "unsigned"
        };
        assert_eq!(r["verdict"], want, "{file}");
        // A malformed file gets its own record with an error; the others go on.
        assert_eq!(r["error"].is_null(), want != "malformed", "{file}");
        for key in [
            "sha256",
            "fields",
            "signatures",
            "signed_fields",
            "text_changes",
        ] {
            assert!(r.get(key).is_some(), "{file}: key {key} missing");
        }
    }
    // Unsigned beats malformed.
    assert_eq!(status(&out), 3);
    // jsonl prints records and nothing else.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Checked"));
}

#[test]
fn timings_are_on_stderr_and_in_the_record_only_when_asked() {
    let env = Env::new();
    let signed = c("authentic-rsa-pkcs7.pdf");
    let broken = c("malformed-random-bytes.pdf");
    let plain = env.verify(&["--format", "jsonl", &signed]);
    let timed = env.verify(&["--format", "jsonl", "--timings", &signed, &broken]);
    assert_eq!(status(&plain), 0);
    // The same verdict (authentic, then malformed: exit 4 beats 0).
    assert_eq!(status(&timed), 4);
    let plain = jsonl(&plain);
    let timed_records = jsonl(&timed);
    // The default record has no `timings` key at all.
    assert!(plain[0].get("timings").is_none(), "{}", plain[0]);
    let t = &timed_records[0]["timings"];
    let stages: Vec<&str> = t.as_object().unwrap().keys().map(String::as_str).collect();
    for stage in [
        "read",
        "hash",
        "parse",
        "locate",
        "signatures",
        "changes",
        "text",
        "qr",
        "verdict",
        "total",
    ] {
        let ms = t[stage]
            .as_f64()
            .unwrap_or_else(|| panic!("{stage} missing: {t}"));
        assert!((0.0..60_000.0).contains(&ms), "{stage}: {ms}");
    }
    // In the order the stages ran (serde_json's map sorts keys, so the
    // order is read from the text itself).
    let text = String::from_utf8_lossy(&timed.stdout);
    assert!(text.contains(r#""timings":{"read":"#), "{text}");
    assert!(stages.contains(&"signed_revision_parse"), "{t}");
    // Stages measured one after the other fit within the total.
    let serial: f64 = ["read", "locate", "verdict"]
        .iter()
        .map(|s| t[*s].as_f64().unwrap())
        .sum();
    assert!(serial <= t["total"].as_f64().unwrap() + 0.01, "{t}");
    // Everything else in the record is what the plain run said.
    let mut same = timed_records[0].clone();
    same.as_object_mut().unwrap().remove("timings");
    assert_eq!(same, plain[0]);
    // A file that does not parse still says how long it took.
    assert_eq!(timed_records[1]["verdict"], "malformed");
    assert!(timed_records[1]["timings"]["parse"].is_f64());
    // One line per file on stderr, naming it.
    let stderr = String::from_utf8_lossy(&timed.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("certcheck: timings: "))
        .collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0].contains("authentic-rsa-pkcs7.pdf") && lines[0].contains("parse "));
    assert!(lines[0].contains(" ms"), "{}", lines[0]);
}

#[test]
fn a_folder_is_searched_for_pdfs_recursively_and_sorted() {
    let env = Env::new();
    let folder = env.path("in");
    std::fs::create_dir_all(folder.join("sub")).unwrap();
    std::fs::copy(corpus().join("malformed-empty.pdf"), folder.join("b.pdf")).unwrap();
    std::fs::copy(
        corpus().join("unsigned-image-only.pdf"),
        folder.join("a.PDF"),
    )
    .unwrap();
    std::fs::copy(
        corpus().join("malformed-truncated.pdf"),
        folder.join("sub/c.pdf"),
    )
    .unwrap();
    std::fs::write(folder.join("notes.txt"), "not a certificate").unwrap();
    let out = env.verify(&["--format", "jsonl", folder.to_str().unwrap()]);
    let records = jsonl(&out);
    let names: Vec<String> = records
        .iter()
        .map(|r| {
            Path::new(r["path"].as_str().unwrap())
                .strip_prefix(&folder)
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(names, vec!["a.PDF", "b.pdf", "sub/c.pdf"]);
    assert_eq!(records[0]["verdict"], "unsigned");
    assert_eq!(records[1]["verdict"], "malformed");
    assert_eq!(records[2]["verdict"], "malformed");
    assert_eq!(status(&out), 3);
}

#[test]
fn exit_statuses() {
    let env = Env::new();
    let only_malformed = env.verify(&[
        "--format",
        "jsonl",
        &c("malformed-empty.pdf"),
        &c("malformed-truncated.pdf"),
    ]);
    assert_eq!(status(&only_malformed), 4);

    // A missing input is an input problem (SPEC additions), not a PDF
    // verdict: exit 2, and an error record.
    let missing = env.path("no-such-file.pdf");
    let out = env.verify(&["--format", "jsonl", missing.to_str().unwrap()]);
    assert_eq!(status(&out), 2);
    let r = &jsonl(&out)[0];
    assert_eq!(r["verdict"], "input_error");
    assert!(r["error"].is_string());

    let unsigned = env.verify(&["--format", "jsonl", &c("unsigned-query-result.pdf")]);
    assert_eq!(status(&unsigned), 3);

    // A zeroed signature value can never be authentic or unsigned: status 1.
    let zeroed = env.verify(&[
        "--format",
        "jsonl",
        &c("unsigned-query-result.pdf"),
        &c("invalid-contents-zeroed.pdf"),
        &c("malformed-empty.pdf"),
    ]);
    let v = jsonl(&zeroed)[1]["verdict"].as_str().unwrap().to_string();
    assert!(
        ["invalid", "altered", "untrusted"].contains(&v.as_str()),
        "{v}"
    );
    assert_eq!(status(&zeroed), 1);

    // Usage errors, and a folder with no PDF in it (not "all authentic").
    let empty = env.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert_eq!(status(&env.verify(&[empty.to_str().unwrap()])), 2);
    assert_eq!(status(&env.run(&["verify"])), 2);
    assert_eq!(
        status(&env.verify(&["--format", "xml", &c("malformed-empty.pdf")])),
        2
    );
    assert_eq!(
        status(&env.verify(&["--jobs", "0", &c("malformed-empty.pdf")])),
        2
    );
    assert_eq!(status(&env.run(&["frobnicate"])), 2);
}

#[test]
fn csv_has_the_header_and_one_row_per_file() {
    let env = Env::new();
    let out = env.verify(&[
        "--format",
        "csv",
        &c("malformed-empty.pdf"),
        &c("unsigned-image-only.pdf"),
    ]);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, certcheck::report::csv::HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][2], "malformed");
    assert_eq!(&rows[1][2], "unsigned");
    assert_eq!(&rows[1][0], c("unsigned-image-only.pdf"));
}

#[test]
fn json_is_one_array_and_human_ends_with_a_summary() {
    let env = Env::new();
    let files = [c("malformed-empty.pdf"), c("unsigned-image-only.pdf")];
    let out = env.verify(&["--format", "json", &files[0], &files[1]]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    assert_eq!(arr[1]["path"], files[1].as_str());

    let out = env.verify(&["--quiet", &files[0], &files[1]]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Checked 2 files: 1 unsigned, 1 malformed"),
        "{text}"
    );
    assert!(text.contains("Need a person (2)"), "{text}");
    // Piped stderr: no progress bar.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn online_json_has_the_guided_check_and_flags_the_look_alike_qr() {
    let env = Env::new();
    let trust = corpus().join("trust");
    let file = c("unsigned-qr-lookalike.pdf");
    let out = env.run(&[
        "online",
        "--no-default-trust",
        "--trust",
        trust.to_str().unwrap(),
        "--format",
        "json",
        &file,
    ]);
    assert_eq!(status(&out), 3);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["verdict"], "unsigned");
    let online = &r["online"];
    assert_eq!(online["url"], "https://zscx.cpta.com.cn/examfront/");
    assert!(online["confirmation"].is_null());
    let query = online["query"].as_object().unwrap();
    let entry = manifest_entry("unsigned-qr-lookalike.pdf");
    for (key, field) in [
        ("证件号码", "id_number"),
        ("姓名", "name"),
        ("管理号", "management_number"),
    ] {
        let got = query.get(key).unwrap_or_else(|| panic!("query key {key}"));
        // The values are what the text stage read; where it read them they
        // must be the certificate's.
        if !r["fields"].is_null() && !r["fields"][field].is_null() {
            assert_eq!(got, &entry["fields"][field], "{key}");
        } else {
            assert!(got.is_null(), "{key}");
        }
    }
    let want_qr = &entry["qr_codes"][0];
    let qr = online["qr_codes"].as_array().unwrap();
    assert_eq!(qr.len(), 1);
    assert_eq!(qr[0]["text"], want_qr["text"]);
    assert_eq!(qr[0]["host_allowed"], false);
    let codes: Vec<&str> = r["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["code"].as_str())
        .collect();
    assert!(codes.contains(&"qr_code_off_official_host"), "{codes:?}");
    // Nothing was recorded: no ledger was asked for.
    assert!(r.get("ledger").is_none());
    assert!(!env.path("data").exists());

    // The human guide names the page, the values and what to compare.
    let out = env.run(&["online", "--no-default-trust", &file]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("https://zscx.cpta.com.cn/examfront/"),
        "{text}"
    );
    assert!(text.contains("证件号码") && text.contains("有效") && text.contains("已撤销"));
    assert!(text.contains("NOT an official host"), "{text}");
}

#[test]
fn online_confirmation_is_recorded_in_the_ledger() {
    let env = Env::new();
    let ledger = env.path("desk.sqlite3");
    let l = ledger.to_str().unwrap();
    let out = env.run(&[
        "online",
        "--no-default-trust",
        "--format",
        "json",
        "--confirm",
        "not-found",
        "--ledger",
        l,
        &c("unsigned-image-only.pdf"),
    ]);
    assert_eq!(status(&out), 3, "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["online"]["confirmation"], "not-found");
    assert_eq!(r["ledger"]["id"], 1);
    let shown = env.run(&["ledger", "--ledger", l, "show", "1"]);
    assert_eq!(status(&shown), 0);
    let e: Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(e["confirmation"], "not-found");
    assert_eq!(e["record"]["path"], c("unsigned-image-only.pdf").as_str());
    assert_eq!(status(&env.run(&["ledger", "--ledger", l, "show", "9"])), 2);
    // --confirm without --ledger goes to the default ledger (the data dir).
    let out = env.run(&[
        "online",
        "--confirm",
        "valid",
        &c("unsigned-image-only.pdf"),
    ]);
    assert_eq!(status(&out), 3);
    assert!(env.path("data/ledger.sqlite3").is_file());
    // --confirm with --no-record is a contradiction.
    let out = env.run(&[
        "online",
        "--confirm",
        "valid",
        "--ledger",
        l,
        "--no-record",
        &c("malformed-empty.pdf"),
    ]);
    assert_eq!(status(&out), 2);
}

#[test]
fn the_ledger_across_two_runs_and_its_commands() {
    let env = Env::new();
    let ledger = env.path("l/ledger.sqlite3");
    let l = ledger.to_str().unwrap();
    // First run: 张伟's query-result proof.
    let first = env.verify(&[
        "--format",
        "jsonl",
        "--ledger",
        l,
        &c("unsigned-query-result.pdf"),
    ]);
    let a = &jsonl(&first)[0];
    assert_eq!(a["ledger"]["id"], 1);
    assert_eq!(a["ledger"]["conflicts"], serde_json::json!([]));
    // Second run: the same 管理号 and ID number shown with another name.
    let second = env.verify(&[
        "--format",
        "jsonl",
        "--ledger",
        l,
        &c("altered-incremental-content.pdf"),
        &c("malformed-empty.pdf"),
    ]);
    let rs = jsonl(&second);
    assert_eq!(rs[0]["ledger"]["id"], 2);
    assert_eq!(rs[1]["ledger"]["id"], 3);
    let kinds: Vec<&str> = rs[0]["ledger"]["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    let read = |r: &Value, f: &str| r["fields"][f].as_str().map(String::from);
    let names_read = read(a, "name").is_some() && read(&rs[0], "name").is_some();
    if names_read && read(a, "management_number") == read(&rs[0], "management_number") {
        // Where the text stage read both certificates, the reuse is caught.
        assert!(
            kinds.contains(&"management_number_other_holder"),
            "{kinds:?}"
        );
        assert!(kinds.contains(&"id_number_other_name"), "{kinds:?}");
        let c0 = &rs[0]["ledger"]["conflicts"][0];
        assert_eq!(c0["earlier"]["id"], 1);
        assert_eq!(c0["earlier"]["name"], "张伟");
        let human = env.verify(&[
            "--ledger",
            l,
            "--no-record",
            &c("altered-incremental-content.pdf"),
        ]);
        let text = String::from_utf8(human.stdout).unwrap();
        // The person sees the earlier holder and that nothing was written.
        assert!(
            text.lines()
                .any(|l| l.contains("2023K1101000417") && l.contains("张伟")),
            "{text}"
        );
        assert!(text.contains("compared, not recorded"), "{text}");
        assert!(text.contains("ledger conflict"), "{text}");
    } else {
        assert!(kinds.is_empty(), "{kinds:?}");
    }
    // --no-record compares without writing.
    let again = env.verify(&[
        "--format",
        "jsonl",
        "--ledger",
        l,
        "--no-record",
        &c("malformed-empty.pdf"),
    ]);
    assert_eq!(jsonl(&again)[0]["ledger"]["id"], 0);

    let list = env.run(&["ledger", "--ledger", l, "list"]);
    assert_eq!(status(&list), 0);
    let lines: Vec<String> = String::from_utf8(list.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("#3"), "{lines:?}");

    let exported = env.run(&["ledger", "--ledger", l, "export", "--format", "jsonl"]);
    let rows = jsonl(&exported);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["path"], c("unsigned-query-result.pdf").as_str());
    assert_eq!(rows[2]["verdict"], "malformed");

    let csv_out = env.run(&["ledger", "--ledger", l, "export", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, certcheck::ledger::EXPORT_HEADER);
    assert_eq!(reader.records().count(), 3);

    // A ledger that does not exist is not created by reading it.
    let none = env.path("none.sqlite3");
    assert_eq!(
        status(&env.run(&["ledger", "--ledger", none.to_str().unwrap(), "list"])),
        2
    );
    assert!(!none.exists());
    // A PDF given where the ledger goes is refused, not overwritten.
    let out = env.verify(&[
        "--ledger",
        &c("malformed-empty.pdf"),
        &c("malformed-empty.pdf"),
    ]);
    assert_eq!(status(&out), 2);
}

#[test]
fn two_processes_write_the_same_ledger() {
    let env = Env::new();
    let ledger = env.path("shared.sqlite3");
    let files: Vec<String> = [
        "unsigned-query-result.pdf",
        "unsigned-image-only.pdf",
        "malformed-empty.pdf",
        "malformed-random-bytes.pdf",
        "unsigned-qr-lookalike.pdf",
        "malformed-truncated.pdf",
    ]
    .iter()
    .map(|f| c(f))
    .collect();
    let spawn = || {
        let mut cmd = env.cmd();
        cmd.args([
            "verify",
            "--no-default-trust",
            "--format",
            "jsonl",
            "--jobs",
            "2",
            "--ledger",
        ])
        .arg(&ledger)
        // Known issuers given, so the stderr checked below holds no
        // "no known issuer" warning.
        .arg("--trust")
        .arg(corpus().join("trust"))
        .args(&files)
        .args(&files)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
        cmd.spawn().unwrap()
    };
    let (p1, p2) = (spawn(), spawn());
    let (o1, o2) = (
        p1.wait_with_output().unwrap(),
        p2.wait_with_output().unwrap(),
    );
    for o in [&o1, &o2] {
        assert!(
            o.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(jsonl(o).len(), 12);
    }
    let rows = jsonl(&env.run(&["ledger", "--ledger", ledger.to_str().unwrap(), "export"]));
    assert_eq!(rows.len(), 24);
    let mut ids: Vec<i64> = rows.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids, (1..=24).collect::<Vec<i64>>());
}

#[test]
fn config_file_extends_the_qr_allow_list() {
    let env = Env::new();
    std::fs::create_dir_all(env.path("config")).unwrap();
    std::fs::write(
        env.path("config/config.toml"),
        "official_hosts = [\"zscx-verify.net\"]\n",
    )
    .unwrap();
    let out = env.verify(&["--format", "jsonl", &c("unsigned-qr-lookalike.pdf")]);
    let r = &jsonl(&out)[0];
    assert_eq!(r["qr_codes"][0]["host_allowed"], true);
    // A broken config is a usage error, not a silently empty allow-list.
    std::fs::write(env.path("config/config.toml"), "official_hosts = 3\n").unwrap();
    assert_eq!(status(&env.verify(&[&c("unsigned-qr-lookalike.pdf")])), 2);
}
