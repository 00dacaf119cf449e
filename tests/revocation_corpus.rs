//! The revocation corpus (tests/revocation, built by tests/revocation/make.py
//! with cryptography, reportlab and pyHanko, never with certcheck) through
//! the real binary, as a user runs it: `certcheck verify --revocation PATH`,
//! `--require-revocation`. Each manifest entry gives the arguments, the
//! verdict, the reasons that must and must not be reported, and where the
//! revocation evidence must be said to come from.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/revocation")
}

fn entries() -> Vec<Value> {
    let text = std::fs::read_to_string(dir().join("manifest.json")).expect("manifest.json");
    let manifest: Value = serde_json::from_str(&text).expect("manifest is JSON");
    manifest["files"].as_array().expect("files").clone()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Runs `certcheck verify` in tests/revocation (so the manifest's relative
/// paths hold) with the corpus root as the only known issuer.
fn verify(file: &str, args: &[String]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_certcheck"))
        .current_dir(dir())
        .args(["verify", "--trust", "trust", "--no-default-trust"])
        .args(["--format", "json", "-q"])
        .args(args)
        .arg(file)
        .env("HOME", dir().join("no-such-home"))
        .env("XDG_CONFIG_HOME", dir().join("no-such-config"))
        .output()
        .expect("certcheck runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_revocation_case_gets_its_verdict_reasons_and_sources() {
    let entries = entries();
    assert!(entries.len() >= 18, "the manifest lists {}", entries.len());
    let mut failures = Vec::new();
    let mut false_authentic = Vec::new();
    for e in &entries {
        let file = e["file"].as_str().expect("file");
        let args = strings(&e["args"]);
        let want = e["verdict"].as_str().expect("verdict");
        let mut allowed = strings(&e["also_acceptable"]);
        allowed.push(want.to_string());
        let (status, stdout, stderr) = verify(file, &args);
        let Ok(json) = serde_json::from_str::<Value>(&stdout) else {
            failures.push(format!(
                "{file} {args:?}: no JSON (status {status:?}): {stderr}"
            ));
            continue;
        };
        let record = &json[0];
        let got = record["verdict"].as_str().unwrap_or("?");
        let sigs = record["signatures"].as_array().cloned().unwrap_or_default();
        let codes: Vec<String> = record["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(
                sigs.iter()
                    .flat_map(|s| s["reasons"].as_array().into_iter().flatten()),
            )
            .filter_map(|r| r["code"].as_str().map(str::to_string))
            .collect();
        let case = format!("{file} {args:?}");
        if !allowed.iter().any(|v| v == got) {
            if got == "authentic" {
                false_authentic.push(case.clone());
            }
            failures.push(format!("{case}: verdict {got}, want {want} ({codes:?})"));
        }
        let want_status = if want == "authentic" { 0 } else { 1 };
        if got == want && status != Some(want_status) {
            failures.push(format!(
                "{case}: exit status {status:?}, want {want_status}"
            ));
        }
        for c in strings(&e["expect_reasons"]) {
            if !codes.contains(&c) {
                failures.push(format!("{case}: {c} not reported ({codes:?})"));
            }
        }
        for c in strings(&e["forbid_reasons"]) {
            if codes.contains(&c) {
                failures.push(format!("{case}: {c} reported although it must not be"));
            }
        }
        // Where the first signature's (not a document timestamp's) time
        // came from, and which document timestamp proved it.
        let first = sigs.iter().find(|s| s["format"] != "timestamp");
        if let Some(want_source) = e["signing_time_source"].as_str() {
            let got_source = first.and_then(|s| s["signing_time_source"].as_str());
            if got_source != Some(want_source) {
                failures.push(format!(
                    "{case}: signing_time_source {got_source:?}, want {want_source}"
                ));
            }
        }
        if let Some(want_field) = e["signing_time_proof"].as_str() {
            let proof = first.map(|s| &s["signing_time_proof"]);
            if proof.and_then(|p| p["field"].as_str()) != Some(want_field)
                || proof.and_then(|p| p["trusted_issuer"].as_str()).is_none()
            {
                failures.push(format!(
                    "{case}: signing_time_proof {proof:?}, want one by {want_field}"
                ));
            }
        }
        let sources: Vec<String> = sigs
            .iter()
            .flat_map(|s| {
                s["revocation"]["evidence"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|ev| ev["source"].as_str().map(str::to_string))
            .collect();
        for s in strings(&e["revocation_sources"]) {
            if !sources.contains(&s) {
                failures.push(format!(
                    "{case}: no evidence from {s} (sources {sources:?})"
                ));
            }
        }
    }
    assert!(
        false_authentic.is_empty(),
        "FALSE AUTHENTIC: {false_authentic:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The record says what was revoked, when and why.
#[test]
fn a_revoked_seal_is_recorded_with_its_time_reason_and_certificate() {
    let (_, stdout, stderr) = verify("revoked-before-signing-crl-dss.pdf", &[]);
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
    let rev = &json[0]["signatures"][0]["revocation"];
    assert_eq!(rev["status"], "revoked");
    assert_eq!(rev["time"], "2026-01-15T00:00:00Z");
    assert_eq!(rev["reason"], "keyCompromise");
    assert!(
        rev["certificate"]
            .as_str()
            .is_some_and(|c| c.contains("seal-revoked-early")),
        "{rev}"
    );
    assert_eq!(rev["evidence"][0]["kind"], "crl");
    assert_eq!(rev["evidence"][0]["status"], "revoked");
}

/// A file named with --revocation that is not revocation data stops the
/// check (exit status 2) instead of checking without it.
#[test]
fn a_revocation_file_that_is_not_revocation_data_is_a_usage_error() {
    let (status, stdout, stderr) = verify(
        "no-revocation-data.pdf",
        &["--revocation".into(), "make.py".into()],
    );
    assert_eq!(status, Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("not a CRL or an OCSP response"), "{stderr}");
    let (status, _, stderr) = verify(
        "no-revocation-data.pdf",
        &["--revocation".into(), "no-such-folder".into()],
    );
    assert_eq!(status, Some(2), "{stderr}");
}
