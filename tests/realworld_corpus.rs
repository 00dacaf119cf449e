//! The realworld corpus (tests/realworld, built by tests/realworld/make.py
//! with cryptography, reportlab, pyHanko and asn1crypto, never with
//! certcheck): files shaped as real signing software writes them (PAdES
//! B-LT/B-LTA updates, a second signature after a DSS update) and their
//! negative twins (an LTV update that also changes the page, attached or
//! empty eContent, misplaced algorithm identifiers), form over form
//! shadow hides, hybrid-reference and lenient xrefs, BER CMS, RSA-PSS and
//! certified (DocMDP) documents. Each file must get the manifest's verdict
//! and every required reason.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realworld")
}

#[test]
fn every_realworld_file_gets_the_manifest_outcome() {
    assert!(entries_in(&dir()).len() >= 33);
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

/// Form over form: each way of uncovering the field hidden under the
/// covering widget names the field revealed, in the change and in the
/// shadow-attack reason; the twin that only signs another field does not.
#[test]
fn form_over_form_names_the_revealed_field() {
    let options = options_for(&dir(), None);
    for file in [
        "altered-shadow-hide-covering-widget-freed.pdf",
        "altered-shadow-hide-covering-widget-unlisted.pdf",
        "altered-shadow-hide-appearance-replaced.pdf",
    ] {
        let record = certcheck::verify_file(&dir().join(file), &options);
        let revealed: Vec<_> = record
            .changes_after_signing
            .iter()
            .filter(|c| c.kind == "form_field_revealed")
            .collect();
        assert_eq!(
            revealed.len(),
            1,
            "{file}: {:?}",
            record.changes_after_signing
        );
        let c = revealed[0];
        assert!(!c.benign && c.page == Some(1), "{file}: {c:?}");
        assert!(
            c.description.contains("“Grade”") && c.description.contains("“Remark”"),
            "{file}: {c:?}"
        );
        let shadow = record
            .reasons
            .iter()
            .find(|r| r.code.as_str() == "shadow_attack")
            .unwrap_or_else(|| panic!("{file}: no shadow_attack in {:?}", record.reasons));
        assert!(shadow.message.contains("“Grade”"), "{file}: {shadow:?}");
    }
    let twin = certcheck::verify_file(
        &dir().join("authentic-form-over-form-second-signature.pdf"),
        &options,
    );
    assert!(twin
        .changes_after_signing
        .iter()
        .all(|c| c.benign && c.kind != "form_field_revealed"));
}

/// Hybrid-reference and lenient xrefs read as written: no recovery, no
/// change where nothing changed.
#[test]
fn hybrid_and_lenient_xrefs_read_without_recovery() {
    let options = options_for(&dir(), None);
    for file in [
        "authentic-hybrid-xref-signed.pdf",
        "authentic-hybrid-xref-b-lt.pdf",
        "authentic-lenient-xref-offsets.pdf",
        "authentic-lenient-xref-offsets-into-header.pdf",
    ] {
        let record = certcheck::verify_file(&dir().join(file), &options);
        assert!(
            record
                .reasons
                .iter()
                .all(|r| r.code.as_str() != "xref_recovered"),
            "{file}: {:?}",
            record.reasons
        );
        assert!(
            record.changes_after_signing.iter().all(|c| c.benign),
            "{file}: {:?}",
            record.changes_after_signing
        );
    }
}

/// Page text (not a field) painted over when signed and uncovered after
/// signing is named as such, quoting the text; the twin that keeps the
/// cover does not name it.
#[test]
fn page_text_revealed_is_named_with_its_text() {
    let options = options_for(&dir(), None);
    for file in [
        "altered-page-text-revealed-annotation-freed.pdf",
        "altered-page-text-revealed-appearance-emptied.pdf",
    ] {
        let record = certcheck::verify_file(&dir().join(file), &options);
        let revealed: Vec<_> = record
            .changes_after_signing
            .iter()
            .filter(|c| c.kind == "page_text_revealed")
            .collect();
        assert_eq!(
            revealed.len(),
            1,
            "{file}: {:?}",
            record.changes_after_signing
        );
        let c = revealed[0];
        assert!(!c.benign && c.page == Some(1), "{file}: {c:?}");
        assert!(
            c.description.contains("this certificate was revoked"),
            "{file}: {c:?}"
        );
        let shadow = record
            .reasons
            .iter()
            .find(|r| r.code.as_str() == "shadow_attack")
            .unwrap_or_else(|| panic!("{file}: no shadow_attack in {:?}", record.reasons));
        assert!(shadow.message.contains("page text"), "{file}: {shadow:?}");
    }
    let twin = certcheck::verify_file(
        &dir().join("authentic-covering-annotation-kept-dss.pdf"),
        &options,
    );
    assert!(twin
        .changes_after_signing
        .iter()
        .all(|c| c.benign && c.kind != "page_text_revealed"));
}

/// A hybrid-reference update written after signing is read as viewers read
/// it: the page it replaces inside an object stream (or lists only in the
/// /XRefStm) is the page compared, so the added line is a page change; a
/// DSS-only one is benign and needs no recovery.
#[test]
fn hybrid_updates_after_signing_are_read_as_viewers_read_them() {
    let options = options_for(&dir(), None);
    for file in [
        "altered-hybrid-update-page-in-object-stream.pdf",
        "altered-hybrid-update-page-only-in-xrefstm.pdf",
    ] {
        let record = certcheck::verify_file(&dir().join(file), &options);
        assert_eq!(record.verdict.as_str(), "altered", "{file}: {record:?}");
        assert!(
            record
                .changes_after_signing
                .iter()
                .any(|c| !c.benign && c.kind == "page_content" && c.page == Some(1)),
            "{file}: {:?}",
            record.changes_after_signing
        );
    }
    let record = certcheck::verify_file(
        &dir().join("authentic-hybrid-update-dss-only.pdf"),
        &options,
    );
    assert_eq!(record.verdict.as_str(), "authentic", "{:?}", record.reasons);
    assert!(
        record
            .reasons
            .iter()
            .all(|r| r.code.as_str() != "xref_recovered"),
        "{:?}",
        record.reasons
    );
    assert!(
        record
            .changes_after_signing
            .iter()
            .any(|c| c.benign && c.allowed_by.as_deref() == Some("dss")),
        "{:?}",
        record.changes_after_signing
    );
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
