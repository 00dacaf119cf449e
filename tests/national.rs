//! The national-algorithm paths end to end: the generated samples in
//! tests/national (examples/make_national_samples.rs, expected.json) and
//! the shared corpus's SM2 and SES cases, through `certcheck::verify_file`
//! and `certcheck::seal::inspect`.

use std::path::{Path, PathBuf};

use certcheck::report::Code;
use certcheck::trust::TrustStore;
use certcheck::{verify_file, Options, Verdict};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn national() -> PathBuf {
    root().join("tests/national")
}

fn expected() -> Value {
    let text = std::fs::read_to_string(national().join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn national_options() -> Options {
    let trust = TrustStore::load(&[national().join("trust/national-root-sm2.pem")], false)
        .expect("the national test root loads");
    Options {
        trust,
        ..Options::default()
    }
}

fn verdict_of(name: &str) -> Verdict {
    serde_json::from_value(Value::String(name.to_string())).unwrap()
}

#[test]
fn generated_samples_have_their_expected_verdicts_and_reasons() {
    let options = national_options();
    let exp = expected();
    let files = exp["files"].as_array().unwrap();
    assert!(files.len() >= 10);
    let mut failures = Vec::new();
    for case in files {
        let file = case["file"].as_str().unwrap();
        let record = verify_file(&national().join(file), &options);
        let want = verdict_of(case["verdict"].as_str().unwrap());
        let codes: Vec<&str> = record
            .signatures
            .iter()
            .flat_map(|s| s.reasons.iter().map(|r| r.code.as_str()))
            .chain(record.reasons.iter().map(|r| r.code.as_str()))
            .collect();
        if record.verdict != want {
            failures.push(format!(
                "{file}: verdict {} (expected {want}); reasons {codes:?}",
                record.verdict
            ));
        }
        for code in case["reasons"].as_array().unwrap() {
            let code = code.as_str().unwrap();
            let c = Code::from_name(code).expect("a known code");
            if !record.has_reason(c) {
                failures.push(format!("{file}: reason {code} missing; got {codes:?}"));
            }
        }
        let Some(sig) = record.signatures.first() else {
            failures.push(format!("{file}: no signature found"));
            continue;
        };
        let format = case["format"].as_str().unwrap();
        if sig.format != format {
            failures.push(format!("{file}: format {} (expected {format})", sig.format));
        }
        if format.starts_with("ses") {
            let Some(seal) = &sig.seal else {
                failures.push(format!("{file}: no seal facts"));
                continue;
            };
            if !seal
                .seal_id
                .as_deref()
                .unwrap_or("")
                .starts_with("110100202600000000")
            {
                failures.push(format!("{file}: seal id {:?}", seal.seal_id));
            }
            let forged = case["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "ses_seal_signature_invalid");
            if seal.maker_signature_ok != Some(!forged) {
                failures.push(format!(
                    "{file}: maker signature {:?}",
                    seal.maker_signature_ok
                ));
            }
            if sig.signing_time.as_deref() != Some("2026-06-01T08:00:00Z") {
                failures.push(format!("{file}: signing time {:?}", sig.signing_time));
            }
        }
        if want == Verdict::Authentic && sig.trusted_issuer.is_none() {
            failures.push(format!("{file}: authentic without a trusted issuer"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn without_the_national_root_nothing_is_authentic() {
    let options = Options::default();
    for case in expected()["files"].as_array().unwrap() {
        let file = case["file"].as_str().unwrap();
        let record = verify_file(&national().join(file), &options);
        assert_ne!(record.verdict, Verdict::Authentic, "{file}");
    }
}

#[test]
fn corpus_national_cases_match_the_manifest() {
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/corpus/manifest.json")).unwrap(),
    )
    .unwrap();
    let trust = TrustStore::load(&[root().join("tests/corpus/trust/root-ca-sm2.pem")], false)
        .expect("the corpus SM2 root loads");
    let options = Options {
        trust,
        ..Options::default()
    };
    let mut failures = Vec::new();
    let mut seen = 0;
    for entry in manifest["files"].as_array().unwrap() {
        let file = entry["file"].as_str().unwrap();
        let container = entry["signature"]["container"].as_str().unwrap_or("");
        let algorithm = entry["signature"]["algorithm"].as_str().unwrap_or("");
        if container != "SES_Signature" && !algorithm.contains("SM2") {
            continue;
        }
        seen += 1;
        let record = verify_file(&root().join("tests/corpus").join(file), &options);
        let want = verdict_of(entry["verdict"].as_str().unwrap());
        let also: Vec<Verdict> = entry["also_acceptable"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .map(verdict_of)
                    .collect()
            })
            .unwrap_or_default();
        if record.verdict != want && !also.contains(&record.verdict) {
            failures.push(format!(
                "{file}: {} (expected {want}); {:?}",
                record.verdict,
                record
                    .signatures
                    .iter()
                    .flat_map(|s| s.reasons.iter().map(|r| r.code.as_str()))
                    .collect::<Vec<_>>()
            ));
        }
        if container == "SES_Signature" {
            let sig = record.signatures.first();
            let seal = sig.and_then(|s| s.seal.as_ref());
            let es_id = entry["signature"]["seal"]["es_id"].as_str();
            if seal.and_then(|s| s.seal_id.as_deref()) != es_id {
                failures.push(format!("{file}: seal id {:?}", seal.map(|s| &s.seal_id)));
            }
            let ver = entry["signature"]["ses_version"].as_str().unwrap_or("");
            let fmt = if ver.starts_with("v1") {
                "ses-v1"
            } else {
                "ses-v4"
            };
            if sig.map(|s| s.format.as_str()) != Some(fmt) {
                failures.push(format!("{file}: format {:?}", sig.map(|s| &s.format)));
            }
        }
    }
    assert!(seen >= 5, "the corpus lost its national cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn standalone_seal_objects_are_checked() {
    let trust = TrustStore::load(&[national().join("trust/national-root-sm2.pem")], false).unwrap();
    for case in expected()["standalone"].as_array().unwrap() {
        let file = case["file"].as_str().unwrap();
        let bytes = std::fs::read(national().join(file)).unwrap();
        let report = certcheck::seal::inspect(&bytes, &trust).unwrap();
        assert_eq!(report.object, case["object"].as_str().unwrap(), "{file}");
        assert_eq!(
            u64::from(report.exit_code()),
            case["exit"].as_u64().unwrap(),
            "{file}: {report:#?}"
        );
        // Each object ends with a signature value: one changed bit there
        // must make it fail.
        let mut bad = bytes.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0x01;
        let r = certcheck::seal::inspect(&bad, &trust).unwrap();
        assert_eq!(r.exit_code(), 1, "{file} with its last bit changed");
    }
    assert!(certcheck::seal::inspect(b"%PDF-1.7\n", &trust).is_err());
}

#[test]
fn extract_seal_saves_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        keep_seal_pictures: true,
        ..national_options()
    };
    let path = national().join("ses-v4-valid.pdf");
    let record = verify_file(&path, &options);
    assert!(record.sha256.is_some());
    // The pipeline only hands the containers over; the desk saves them.
    assert_eq!(record.seal_pictures.len(), 1, "one SES seal");
    let source = &record.seal_pictures[0];
    assert_eq!(source.field, record.signatures[0].field);
    certcheck::seal::save_seal_picture(dir.path(), "ses-v4-valid", &source.field, &source.contents)
        .expect("saved");
    let without = verify_file(&path, &national_options());
    assert!(without.seal_pictures.is_empty(), "kept only when asked");
    // Named after the input file and the signature (issue 15), not a hash.
    let saved = dir.path().join("ses-v4-valid-Signature1.png");
    let png = std::fs::read(&saved).expect("the seal picture is saved");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    let esl = std::fs::read(national().join("seal-v4.esl")).unwrap();
    assert!(esl.windows(png.len()).any(|w| w == png.as_slice()));
}

#[test]
fn seal_command_exit_statuses_and_json() {
    let bin = env!("CARGO_BIN_EXE_certcheck");
    let trust = national().join("trust/national-root-sm2.pem");
    let run = |file: &Path, json: bool| {
        let mut cmd = std::process::Command::new(bin);
        cmd.arg("seal")
            .arg(file)
            .arg("--no-default-trust")
            .arg("--trust")
            .arg(&trust);
        if json {
            cmd.args(["--format", "json"]);
        }
        cmd.output().unwrap()
    };
    let out = run(&national().join("seal-v4.esl"), true);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["object"], "ses_seal");
    assert_eq!(v["seal"]["seal_id"], "11010020260000000001");
    assert_eq!(v["structure"], "GB/T 38540-2020 (v4)");
    assert!(v["certificates"].as_array().unwrap().len() >= 2);

    let out = run(&national().join("signed-value-v1.dat"), false);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("GM/T 0031-2014 (v1)"));
    assert!(text.contains("cannot be checked without the signed document"));

    let dir = tempfile::tempdir().unwrap();
    let mut bad = std::fs::read(national().join("signed-value-v1.dat")).unwrap();
    let last = bad.len() - 1;
    bad[last] ^= 0x01;
    let bad_path = dir.path().join("bad.dat");
    std::fs::write(&bad_path, &bad).unwrap();
    assert_eq!(run(&bad_path, false).status.code(), Some(1));

    // A PDF is not a seal object.
    let out = run(&national().join("ses-v4-valid.pdf"), false);
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn verify_extract_seal_option_on_the_command_line() {
    let bin = env!("CARGO_BIN_EXE_certcheck");
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(bin)
        .arg("verify")
        .arg("--no-default-trust")
        .arg("--extract-seal")
        .arg(dir.path())
        .arg(national().join("ses-v1-valid.pdf"))
        .arg(national().join("sm2-cms-valid.pdf"))
        .output()
        .unwrap();
    assert!(out.status.code().is_some());
    let saved: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert!(saved[0].ends_with("-Signature1.png"));
}
