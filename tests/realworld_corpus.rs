//! The realworld corpus (tests/realworld, built by tests/realworld/make.py
//! with cryptography, reportlab, pyHanko and asn1crypto, never with
//! certcheck): files shaped as real signing software writes them (PAdES
//! B-LT/B-LTA updates, a second signature after a DSS update) and their
//! negative twins (an LTV update that also changes the page, attached or
//! empty eContent, misplaced algorithm identifiers). Each file must get
//! the manifest's verdict and every required reason.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realworld")
}

#[test]
fn every_realworld_file_gets_the_manifest_outcome() {
    assert!(entries_in(&dir()).len() >= 11);
    assert_manifest_holds(&dir(), &options_for(&dir(), None));
}

/// Each benign change after signing names the rule that allowed it, and
/// the long-term-validation updates are cleared by the DSS and
/// document-timestamp rules, not by anything broader.
#[test]
fn benign_changes_name_the_rule_that_allowed_them() {
    let options = options_for(&dir(), None);
    let record =
        certcheck::verify_file(&dir().join("authentic-pades-lta-two-rounds.pdf"), &options);
    assert!(!record.changes_after_signing.is_empty());
    for c in &record.changes_after_signing {
        assert!(c.benign, "{c:?}");
        let rule = c.allowed_by.as_deref().unwrap_or_default();
        assert!(
            matches!(rule, "dss" | "doc_timestamp" | "extensions" | "metadata"),
            "{c:?}"
        );
    }
    let rules: Vec<&str> = record
        .changes_after_signing
        .iter()
        .filter_map(|c| c.allowed_by.as_deref())
        .collect();
    assert!(
        rules.contains(&"dss") && rules.contains(&"doc_timestamp"),
        "{rules:?}"
    );

    let altered = certcheck::verify_file(
        &dir().join("altered-dss-update-with-page-content.pdf"),
        &options,
    );
    assert!(altered
        .changes_after_signing
        .iter()
        .any(|c| !c.benign && c.allowed_by.is_none()));
    assert!(altered
        .changes_after_signing
        .iter()
        .any(|c| c.benign && c.allowed_by.as_deref() == Some("dss")));
}

/// The manifest and the folder agree.
#[test]
fn realworld_manifest_matches_the_folder() {
    let mut listed: Vec<String> = entries_in(&dir())
        .iter()
        .map(|e| e["file"].as_str().expect("file name").to_string())
        .collect();
    let mut on_disk: Vec<String> = std::fs::read_dir(dir())
        .expect("tests/realworld exists")
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    listed.sort();
    on_disk.sort();
    assert_eq!(listed, on_disk);
}
