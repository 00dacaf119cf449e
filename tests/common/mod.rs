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
