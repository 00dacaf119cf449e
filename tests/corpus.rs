//! Every file of the shared corpus through the library, against the
//! manifest: verdict (or one it allows), every expected field, and every
//! reason code it requires.

mod common;

use common::*;
use serde_json::Value;

const FIELDS: &[&str] = &[
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

#[test]
fn every_corpus_file_gets_the_manifest_outcome() {
    let options = corpus_options();
    let mut failures = Vec::new();
    let mut false_authentic = Vec::new();
    for entry in manifest_entries() {
        let file = entry["file"].as_str().expect("file name");
        let want = entry["verdict"].as_str().expect("verdict");
        let also: Vec<&str> = entry["also_acceptable"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let record = certcheck::verify_file(&corpus_dir().join(file), &options);
        let got = record.verdict.as_str();
        if got != want && !also.contains(&got) {
            if got == "authentic" {
                false_authentic.push(file.to_string());
            }
            failures.push(format!("{file}: verdict {got}, want {want}"));
        }
        let json = serde_json::to_value(&record).expect("record serialises");
        let fields = &json["fields"];
        let expected = &entry["fields"];
        for key in FIELDS {
            let want_v = if expected.is_null() {
                Value::Null
            } else if let Some(v) = expected.get(*key) {
                v.clone()
            } else {
                continue;
            };
            let got_v = fields.get(*key).cloned().unwrap_or(Value::Null);
            if norm(&want_v) != norm(&got_v) {
                failures.push(format!("{file}: field {key} = {got_v}, want {want_v}"));
            }
        }
        for code in entry["expect_reasons"].as_array().into_iter().flatten() {
            let code = code.as_str().unwrap_or_default();
            let known = certcheck::report::Code::from_name(code);
            if !known.is_some_and(|c| record.has_reason(c)) {
                failures.push(format!("{file}: reason {code} not reported"));
            }
        }
    }
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

#[test]
fn malformed_files_get_a_record_with_an_error() {
    let options = corpus_options();
    for entry in manifest_entries() {
        if entry["verdict"] != "malformed" {
            continue;
        }
        let file = entry["file"].as_str().expect("file name");
        let record = certcheck::verify_file(&corpus_dir().join(file), &options);
        assert_eq!(record.verdict.as_str(), "malformed", "{file}");
        assert!(
            record.error.as_deref().is_some_and(|e| !e.is_empty()),
            "{file} has no error message"
        );
        assert!(!record.reasons.is_empty(), "{file} has no reason");
    }
}

#[test]
fn structural_signature_defects_are_named() {
    use certcheck::report::Code;
    let options = corpus_options();
    let cases: &[(&str, Code)] = &[
        ("invalid-contents-zeroed.pdf", Code::ContentsZeroed),
        ("invalid-usf-byterange-zero.pdf", Code::ByteRangeInvalid),
        ("invalid-usf-byterange-missing.pdf", Code::ByteRangeMissing),
        ("altered-signature-wrapping.pdf", Code::ByteRangeGapMismatch),
        (
            "altered-bytes-before-eof.pdf",
            Code::ByteRangeNotRevisionEnd,
        ),
    ];
    for (file, code) in cases {
        let record = certcheck::verify_file(&corpus_dir().join(file), &options);
        assert!(
            record.has_reason(*code),
            "{file}: {code:?} not reported; record: {:?}",
            record.signatures
        );
        assert_ne!(record.verdict.as_str(), "authentic", "{file}");
    }
}

#[test]
fn a_user_password_file_is_read_with_the_password_only() {
    use certcheck::report::Code;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/user-password-query-result.pdf");
    let mut options = corpus_options();
    let without = certcheck::verify_file(&path, &options);
    assert_eq!(without.verdict.as_str(), "unsigned");
    assert!(without.has_reason(Code::PasswordRequired));
    assert!(without.fields.is_none());
    options.password = Some("wrong".into());
    let wrong = certcheck::verify_file(&path, &options);
    assert!(wrong.has_reason(Code::WrongPassword));
    assert!(wrong.fields.is_none());
    options.password = Some("userpw".into());
    let with = certcheck::verify_file(&path, &options);
    assert!(!with.has_reason(Code::PasswordRequired));
    assert!(with.encrypted);
    assert!(
        with.fields.as_ref().is_some_and(|f| f.query_result_label),
        "with the password the query-result line is read: {:?}",
        with.fields
    );
}
