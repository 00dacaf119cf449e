//! The extra corpus (tests/extra, built by tests/extra/make.py with
//! cryptography, fpdf2, pyHanko and qpdf, never with certcheck) through the
//! library: its own CA hierarchy, people and attacks, to check that what
//! passes on the shared corpus generalises. Each file must get the manifest's
//! verdict (or one it allows), every expected field and every required reason.

mod common;

use std::path::{Path, PathBuf};

use certcheck::Options;
use common::*;
use serde_json::Value;

fn extra_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/extra")
}

fn entries() -> Vec<Value> {
    entries_in(&extra_dir())
}

fn options(password: Option<&str>) -> Options {
    options_for(&extra_dir(), password)
}

#[test]
fn every_extra_file_gets_the_manifest_outcome() {
    assert!(
        entries().len() >= 18,
        "the extra manifest lists {} files",
        entries().len()
    );
    assert_manifest_holds(&extra_dir(), &options(None));
}

/// With the user password the encrypted file's text is read, and the
/// verdict does not change.
#[test]
fn encrypted_files_read_with_their_password() {
    let mut seen = 0;
    for entry in entries() {
        let Some(pw) = entry["encryption"]["user_password"].as_str() else {
            continue;
        };
        if pw.is_empty() {
            continue;
        }
        seen += 1;
        let file = entry["file"].as_str().expect("file name");
        let record = certcheck::verify_file(&extra_dir().join(file), &options(Some(pw)));
        assert_eq!(
            record.verdict.as_str(),
            entry["verdict"].as_str().expect("verdict"),
            "{file} with --password"
        );
        assert!(
            !record.has_reason(certcheck::report::Code::PasswordRequired),
            "{file}: password_required although the password was given"
        );
        let json = serde_json::to_value(&record).expect("record serialises");
        let diffs = field_differences(file, &entry["fields_with_password"], &json);
        assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    }
    assert!(seen > 0, "no file with a user password in the extra corpus");
}

/// Where the manifest records what the signature covered, certcheck must
/// name the same text change (field, signed value, shown value).
#[test]
fn changed_text_is_reported_against_the_signed_revision() {
    let options = options(None);
    let mut seen = 0;
    for entry in entries() {
        let Some(signed) = entry.get("signed_fields").filter(|v| v.is_object()) else {
            continue;
        };
        seen += 1;
        let file = entry["file"].as_str().expect("file name");
        let record = certcheck::verify_file(&extra_dir().join(file), &options);
        for key in FIELDS {
            let before = norm(&signed[*key]);
            let after = norm(&entry["fields"][*key]);
            if before == after {
                continue;
            }
            let reported = record.text_changes.iter().any(|c| {
                c.field == *key
                    && norm(&serde_json::json!(c.signed)) == before
                    && norm(&serde_json::json!(c.shown)) == after
            });
            assert!(
                reported,
                "{file}: change of {key} ({before} -> {after}) not in text_changes {:?}",
                record.text_changes
            );
        }
    }
    assert!(seen > 0, "no file with signed_fields in the extra corpus");
}

/// The manifest and the folder agree, and the people's ID numbers are what
/// the manifest says (a generator bug must not pass as a certcheck bug).
#[test]
fn extra_manifest_matches_the_folder() {
    let listed: Vec<String> = entries()
        .iter()
        .map(|e| e["file"].as_str().expect("file name").to_string())
        .collect();
    let mut on_disk: Vec<String> = std::fs::read_dir(extra_dir())
        .expect("tests/extra exists")
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    on_disk.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, on_disk, "manifest and folder differ");
    for entry in entries() {
        let Some(id) = entry["fields"]["id_number"].as_str() else {
            continue;
        };
        let file = entry["file"].as_str().unwrap_or_default();
        let wrong_on_purpose = entry["expect_reasons"]
            .as_array()
            .is_some_and(|r| r.iter().any(|c| c == "id_number_check_digit"));
        let ascii: String = {
            use unicode_normalization::UnicodeNormalization;
            id.nfkc().collect()
        };
        assert_eq!(
            gb11643_ok(&ascii),
            !wrong_on_purpose,
            "{file}: ID {ascii} check digit"
        );
    }
}

fn gb11643_ok(id: &str) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let chars: Vec<char> = id.chars().collect();
    if chars.len() != 18 {
        return false;
    }
    let mut sum = 0;
    for (c, w) in chars.iter().zip(W) {
        match c.to_digit(10) {
            Some(d) => sum += d * w,
            None => return false,
        }
    }
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    chars
        .get(17)
        .is_some_and(|c| c.to_ascii_uppercase() == check)
}

/// `--format jsonl` is read line by line (the acceptance tool splits with
/// Python's `splitlines`, which also breaks at U+0085, U+2028 and U+2029).
/// A record must therefore stay one line under Unicode line rules, and the
/// names it shows must be text: a signature field name that could not be
/// decrypted (file needing a password) must not be printed as ciphertext.
#[test]
fn records_are_single_lines_with_readable_field_names() {
    let options = options(None);
    let mut failures = Vec::new();
    for entry in entries() {
        let file = entry["file"].as_str().expect("file name");
        let record = certcheck::verify_file(&extra_dir().join(file), &options);
        let line = serde_json::to_string(&record).expect("record serialises");
        if line
            .chars()
            .any(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
        {
            failures.push(format!("{file}: the JSON line holds a Unicode line break"));
        }
        for sig in &record.signatures {
            if sig.field.chars().any(char::is_control) {
                failures.push(format!(
                    "{file}: signature field name {:?} holds control characters",
                    sig.field
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
