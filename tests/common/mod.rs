//! Helpers shared by the integration tests: the committed copy of the
//! shared corpus and its manifest.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use certcheck::trust::TrustStore;
use certcheck::Options;
use serde_json::Value;

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

pub fn manifest_entries() -> Vec<Value> {
    let text = std::fs::read_to_string(corpus_dir().join("manifest.json"))
        .expect("manifest.json is committed");
    let manifest: Value = serde_json::from_str(&text).expect("manifest.json is JSON");
    manifest["files"]
        .as_array()
        .expect("manifest has files")
        .clone()
}

pub fn corpus_options() -> Options {
    let trust = TrustStore::load(&[corpus_dir().join("trust")], false).expect("corpus trust loads");
    Options {
        trust,
        ..Options::default()
    }
}

/// As the acceptance tool compares: NFKC, whitespace removed, false = null.
pub fn norm(v: &Value) -> Value {
    use unicode_normalization::UnicodeNormalization;
    match v {
        Value::String(s) => Value::String(s.nfkc().filter(|c| !c.is_whitespace()).collect()),
        Value::Bool(false) => Value::Null,
        other => other.clone(),
    }
}

/// The fields SPEC.md defines, as the acceptance tool scores them.
pub const FIELDS: &[&str] = &[
    "management_number",
    "name",
    "gender",
    "birth",
    "id_number",
    "qualification",
    "level",
    "approval_date",
    "query_result_label",
];

/// The entries of the manifest in `dir`.
pub fn entries_in(dir: &Path) -> Vec<Value> {
    let text =
        std::fs::read_to_string(dir.join("manifest.json")).expect("manifest.json is committed");
    let manifest: Value = serde_json::from_str(&text).expect("manifest.json is JSON");
    manifest["files"]
        .as_array()
        .expect("manifest has files")
        .clone()
}

/// Options trusting the `trust/` folder beside the manifest in `dir`.
pub fn options_for(dir: &Path, password: Option<&str>) -> Options {
    let trust = TrustStore::load(&[dir.join("trust")], false).expect("trust folder loads");
    Options {
        trust,
        password: password.map(str::to_string),
        ..Options::default()
    }
}

/// Differences between `expected` fields (null: nothing should be found)
/// and the record's, compared as the acceptance tool does.
pub fn field_differences(file: &str, expected: &Value, record_json: &Value) -> Vec<String> {
    let got = &record_json["fields"];
    let mut out = Vec::new();
    for key in FIELDS {
        let want = if expected.is_null() {
            Value::Null
        } else if let Some(v) = expected.get(*key) {
            v.clone()
        } else {
            continue;
        };
        let have = got.get(*key).cloned().unwrap_or(Value::Null);
        if norm(&want) != norm(&have) {
            out.push(format!("{file}: field {key} = {have}, want {want}"));
        }
    }
    out
}

/// Every file of the manifest in `dir` through the library: the verdict (or
/// one the manifest allows), every expected field, every required reason.
/// Returns the differences and, separately, the files wrongly `authentic`.
pub fn manifest_differences(dir: &Path, options: &Options) -> (Vec<String>, Vec<String>) {
    let mut failures = Vec::new();
    let mut false_authentic = Vec::new();
    for entry in entries_in(dir) {
        let file = entry["file"].as_str().expect("file name");
        let want = entry["verdict"].as_str().expect("verdict");
        let also: Vec<&str> = entry["also_acceptable"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let record = certcheck::verify_file(&dir.join(file), options);
        let got = record.verdict.as_str();
        let codes: Vec<&str> = record
            .reasons
            .iter()
            .chain(record.signatures.iter().flat_map(|s| s.reasons.iter()))
            .map(|r| r.code.as_str())
            .collect();
        if got != want && !also.contains(&got) {
            if got == "authentic" {
                false_authentic.push(file.to_string());
            }
            failures.push(format!(
                "{file}: verdict {got}, want {want} (reasons {codes:?})"
            ));
        }
        let json = serde_json::to_value(&record).expect("record serialises");
        failures.extend(field_differences(file, &entry["fields"], &json));
        for code in entry["expect_reasons"].as_array().into_iter().flatten() {
            let code = code.as_str().unwrap_or_default();
            let known = certcheck::report::Code::from_name(code);
            if !known.is_some_and(|c| record.has_reason(c)) {
                failures.push(format!(
                    "{file}: reason {code} not reported (got {codes:?})"
                ));
            }
        }
    }
    (failures, false_authentic)
}

/// Asserts the manifest in `dir` holds for every file: no false
/// `authentic` first, then no difference at all.
pub fn assert_manifest_holds(dir: &Path, options: &Options) {
    let (failures, false_authentic) = manifest_differences(dir, options);
    assert!(
        false_authentic.is_empty(),
        "FALSE AUTHENTIC: {false_authentic:?}"
    );
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
