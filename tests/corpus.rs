//! Every file of the shared corpus through the library, against the
//! manifest: verdict (or one it allows), every expected field, and every
//! reason code it requires.

mod common;

use common::*;

#[test]
fn every_corpus_file_gets_the_manifest_outcome() {
    assert_manifest_holds(&corpus_dir(), &corpus_options());
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

/// Found by the mutation test: garbage written over a document timestamp's
/// /Contents made its dictionary unparseable, and the signature vanished
/// from the report, leaving the file `authentic`. A signature field whose
/// value cannot be read is a signature that vouches for nothing.
#[test]
fn a_signature_whose_dictionary_is_damaged_is_not_skipped() {
    use certcheck::report::Code;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/damaged-doc-timestamp.pdf");
    let record = certcheck::verify_file(&path, &corpus_options());
    assert!(
        record.has_reason(Code::SignatureUnreadable),
        "{:?}",
        record.reasons
    );
    assert_eq!(record.verdict.as_str(), "invalid");
}

/// A reader of the file-level `reasons` alone learns why the verdict is
/// what it is.
#[test]
fn every_non_authentic_signed_verdict_is_explained_at_file_level() {
    use certcheck::report::Severity;
    let options = corpus_options();
    for entry in manifest_entries() {
        let file = entry["file"].as_str().expect("file name");
        let record = certcheck::verify_file(&corpus_dir().join(file), &options);
        let deciding = match record.verdict {
            certcheck::Verdict::Altered => Severity::Altered,
            certcheck::Verdict::Invalid => Severity::Invalid,
            certcheck::Verdict::Untrusted => Severity::Untrusted,
            _ => continue,
        };
        assert!(
            record.reasons.iter().any(|r| r.severity() == deciding),
            "{file}: {} without a file-level reason of that kind: {:?}",
            record.verdict,
            record.reasons
        );
    }
}
