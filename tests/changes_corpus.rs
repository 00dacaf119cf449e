//! Change analysis on the shared corpus: every file with more than one
//! revision whose first signature does not cover the whole file is
//! compared, signed revision against final document, and the result is
//! checked against the manifest's verdict.

use std::path::PathBuf;

use certcheck::changes;
use certcheck::pdf::PdfFile;
use certcheck::report::{Code, Severity};
use lopdf::Object;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// The end of the signed bytes of the earliest signature (the one whose
/// ByteRange ends first), read with lopdf from the final document.
fn first_signed_end(file: &PdfFile) -> Option<usize> {
    let mut ends = Vec::new();
    for obj in file.doc.objects.values() {
        let Ok(d) = obj.as_dict() else { continue };
        let Ok(Object::Array(br)) = d.get(b"ByteRange") else {
            continue;
        };
        let nums: Vec<i64> = br.iter().filter_map(|o| o.as_i64().ok()).collect();
        if nums.len() == 4 {
            ends.push(usize::try_from(nums[2] + nums[3]).ok()?);
        }
    }
    ends.into_iter().min()
}

struct Case {
    file: String,
    verdict: String,
    outcome: changes::ChangeOutcome,
}

fn analyzed_cases() -> Vec<Case> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(corpus().join("manifest.json")).expect("manifest"))
            .expect("manifest json");
    let mut out = Vec::new();
    for entry in manifest["files"].as_array().expect("files") {
        let name = entry["file"].as_str().expect("file name");
        let verdict = entry["verdict"].as_str().expect("verdict");
        let bytes = std::fs::read(corpus().join(name)).expect("read");
        let Ok(file) = PdfFile::parse(&bytes, None) else {
            continue;
        };
        if file.revisions.len() < 2 {
            continue;
        }
        let Some(end) = first_signed_end(&file) else {
            continue;
        };
        // Only signatures that end at a revision boundary before the end
        // are compared (the others are the byte-range checks' business).
        let last_end = file.revisions.last().map(|r| r.end).unwrap_or(bytes.len());
        if end >= last_end || file.revision_ending_at(end).is_none() {
            continue;
        }
        let signed = file.document_until(end).expect("signed revision loads");
        let outcome = changes::analyze(&file, &signed, end);
        out.push(Case {
            file: name.to_string(),
            verdict: verdict.to_string(),
            outcome,
        });
    }
    out
}

fn show(c: &Case) -> String {
    let mut s = format!("{} ({}):\n", c.file, c.verdict);
    for ch in &c.outcome.changes {
        s.push_str(&format!(
            "  rev {} {} obj {:?} page {:?} benign {}: {}\n",
            ch.revision, ch.kind, ch.object, ch.page, ch.benign, ch.description
        ));
    }
    for r in &c.outcome.reasons {
        s.push_str(&format!("  reason {}: {}\n", r.code.as_str(), r.message));
    }
    s
}

#[test]
fn corpus_changes_match_the_manifest() {
    let cases = analyzed_cases();
    for c in &cases {
        eprintln!("{}", show(c));
    }
    let names: Vec<&str> = cases.iter().map(|c| c.file.as_str()).collect();
    // The files whose signature covers an earlier revision must all be
    // analysed; a loader regression must not make this test vacuous.
    for expected in [
        "altered-incremental-content.pdf",
        "altered-overlay-freetext.pdf",
        "altered-shadow-hide-and-replace.pdf",
        "altered-encrypted-incremental.pdf",
        "authentic-lta-dss-doc-timestamp.pdf",
        "authentic-metadata-update.pdf",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} was not analysed: {names:?}"
        );
    }
    for c in &cases {
        let altered = c
            .outcome
            .reasons
            .iter()
            .any(|r| r.code.severity() == Severity::Altered);
        if c.verdict == "altered" {
            assert!(altered, "altered file not flagged:\n{}", show(c));
            assert!(
                c.outcome.changes.iter().any(|ch| !ch.benign),
                "no non-benign change listed:\n{}",
                show(c)
            );
        } else if c.verdict == "authentic" {
            assert!(!altered, "benign update flagged:\n{}", show(c));
            assert!(
                c.outcome.changes.iter().all(|ch| ch.benign),
                "non-benign change on a benign update:\n{}",
                show(c)
            );
            assert!(
                c.outcome
                    .reasons
                    .iter()
                    .any(|r| matches!(r.code, Code::BenignUpdate | Code::MetadataChanged)),
                "benign update not reported:\n{}",
                show(c)
            );
        }
    }
}

fn case(name: &str) -> Case {
    analyzed_cases()
        .into_iter()
        .find(|c| c.file == name)
        .unwrap_or_else(|| panic!("{name} not analysed"))
}

fn has_change(c: &Case, kind: &str, page: Option<usize>) -> bool {
    c.outcome
        .changes
        .iter()
        .any(|ch| !ch.benign && ch.kind == kind && (page.is_none() || ch.page == page))
}

fn has_reason(c: &Case, code: Code) -> bool {
    c.outcome.reasons.iter().any(|r| r.code == code)
}

#[test]
fn incremental_content_replacement_is_named() {
    for name in [
        "altered-incremental-content.pdf",
        "altered-encrypted-incremental.pdf",
    ] {
        let c = case(name);
        assert!(has_change(&c, "page_content", Some(1)), "{}", show(&c));
        assert!(has_reason(&c, Code::ModifiedAfterSigning), "{}", show(&c));
        assert!(
            c.outcome
                .changes
                .iter()
                .all(|ch| ch.benign || ch.revision == 3),
            "the change is attributed to the third revision:\n{}",
            show(&c)
        );
    }
}

#[test]
fn overlay_freetext_is_reported_with_its_text() {
    let c = case("altered-overlay-freetext.pdf");
    assert!(has_reason(&c, Code::ModifiedAfterSigning), "{}", show(&c));
    let added = c
        .outcome
        .changes
        .iter()
        .find(|ch| ch.kind == "annotation_added" && !ch.benign)
        .unwrap_or_else(|| panic!("no annotation_added:\n{}", show(&c)));
    assert_eq!(added.page, Some(1));
    assert!(
        added.description.contains("FreeText"),
        "{}",
        added.description
    );
    assert!(
        added.description.contains("程国华"),
        "{}",
        added.description
    );
}

#[test]
fn shadow_hide_and_replace_is_named() {
    let c = case("altered-shadow-hide-and-replace.pdf");
    assert!(has_reason(&c, Code::ShadowAttack), "{}", show(&c));
    assert!(has_reason(&c, Code::ModifiedAfterSigning), "{}", show(&c));
    assert!(has_change(&c, "page_content", Some(1)), "{}", show(&c));
    assert!(
        has_change(&c, "hidden_content_shown", Some(1)),
        "{}",
        show(&c)
    );
}

#[test]
fn dss_and_document_timestamp_are_benign() {
    let c = case("authentic-lta-dss-doc-timestamp.pdf");
    let kinds: Vec<&str> = c
        .outcome
        .changes
        .iter()
        .map(|ch| ch.kind.as_str())
        .collect();
    assert!(kinds.contains(&"dss_updated"), "{}", show(&c));
    assert!(kinds.contains(&"document_timestamp_added"), "{}", show(&c));
}

#[test]
fn metadata_update_is_reported_as_metadata() {
    let c = case("authentic-metadata-update.pdf");
    assert!(has_reason(&c, Code::MetadataChanged), "{}", show(&c));
    assert!(c
        .outcome
        .changes
        .iter()
        .any(|ch| ch.kind == "metadata_changed"
            && ch.benign
            && ch.description.contains("Subject")));
}

/// Damaged later revisions never make the analysis panic.
#[test]
fn mutated_updates_never_panic() {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut analysed = 0;
    for name in [
        "altered-incremental-content.pdf",
        "altered-overlay-freetext.pdf",
        "altered-shadow-hide-and-replace.pdf",
        "authentic-lta-dss-doc-timestamp.pdf",
        "authentic-metadata-update.pdf",
    ] {
        let original = std::fs::read(corpus().join(name)).expect("read");
        let file = PdfFile::parse(&original, None).expect("parses");
        let end = first_signed_end(&file).expect("signature");
        for _ in 0..20 {
            let mut bytes = original.clone();
            let span = bytes.len() - end;
            for _ in 0..8 {
                let at = end + (next() as usize) % span;
                bytes[at] = (next() & 0xFF) as u8;
            }
            let Ok(file) = PdfFile::parse(&bytes, None) else {
                continue;
            };
            let Ok(signed) = file.document_until(end) else {
                continue;
            };
            let _ = changes::analyze(&file, &signed, end);
            analysed += 1;
        }
    }
    assert!(analysed > 50, "only {analysed} mutated files were analysed");
}
