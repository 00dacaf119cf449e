//! Every field of every corpus file comes out as the manifest says, read
//! straight from the document (and, for altered files whose signature
//! covers an earlier revision, from that revision).

use std::path::PathBuf;

use certcheck::pdf::PdfFile;
use certcheck::report::Fields;
use serde_json::Value;

mod common;

use common::{norm, FIELDS};

fn corpus() -> PathBuf {
    common::corpus_dir()
}

fn manifest() -> Vec<Value> {
    common::manifest_entries()
}

fn as_json(f: &Fields) -> Value {
    serde_json::to_value(f).expect("fields serialise")
}

/// Compares every expected field; returns the differences.
fn differences(file: &str, want: &Value, got: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for &k in FIELDS {
        let Some(w) = want.get(k) else { continue };
        let g = got.get(k).cloned().unwrap_or(Value::Null);
        if norm(w) != norm(&g) {
            out.push(format!("{file}: {k} want {w}, got {g}"));
        }
    }
    out
}

/// The end of the first signature's byte range, found in the raw bytes.
fn first_signed_end(bytes: &[u8]) -> Option<usize> {
    let text = String::from_utf8_lossy(bytes);
    let at = text.find("/ByteRange")?;
    let rest = text.get(at + 10..)?;
    let open = rest.find('[')?;
    let close = rest.find(']')?;
    let nums: Vec<usize> = rest
        .get(open + 1..close)?
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    match nums.as_slice() {
        [_, _, c, d] => c.checked_add(*d),
        _ => None,
    }
}

#[test]
fn corpus_fields_match_the_manifest() {
    let mut failures = Vec::new();
    let mut checked = 0usize;
    for entry in manifest() {
        let file = entry["file"].as_str().expect("file name").to_string();
        let bytes = std::fs::read(corpus().join(&file)).expect("corpus file");
        let password = entry
            .get("encryption")
            .and_then(|e| e.get("user_password"))
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty());
        let want = match (password, entry.get("fields_with_password")) {
            (Some(_), Some(w)) if !w.is_null() => w.clone(),
            _ => entry["fields"].clone(),
        };
        let parsed = PdfFile::parse(&bytes, password);
        if want.is_null() {
            // Nothing should be found: either the file does not read, or
            // its text gives no field.
            if let Ok(f) = parsed {
                let out = certcheck::text::extract(&f.doc);
                if let Some(fields) = out.fields {
                    if !fields.is_empty() {
                        failures.push(format!("{file}: expected no fields, got {fields:?}"));
                    }
                }
            }
            checked += 1;
            continue;
        }
        let f = match parsed {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{file}: does not parse: {e}"));
                continue;
            }
        };
        let out = certcheck::text::extract(&f.doc);
        let Some(fields) = out.fields else {
            failures.push(format!("{file}: no fields at all ({:?})", out.reasons));
            continue;
        };
        failures.extend(differences(&file, &want, &as_json(&fields)));
        checked += 1;

        // What the signature covers, where it covers an earlier revision.
        if let (Some(signed), Some(end)) = (entry.get("signed_fields"), first_signed_end(&bytes)) {
            if signed.is_null() || end >= bytes.len() {
                continue;
            }
            let Ok(doc) = f.document_until(end) else {
                continue;
            };
            let Some(signed_got) = certcheck::text::extract(&doc).fields else {
                failures.push(format!("{file}: signed revision has no fields"));
                continue;
            };
            failures.extend(differences(
                &format!("{file} (signed revision)"),
                signed,
                &as_json(&signed_got),
            ));
        }
    }
    assert!(checked >= 40, "only {checked} corpus files were checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn image_only_scan_says_no_text_layer() {
    let bytes = std::fs::read(corpus().join("unsigned-image-only.pdf")).expect("file");
    let f = PdfFile::parse(&bytes, None).expect("parses");
    let out = certcheck::text::extract(&f.doc);
    assert!(out.fields.is_none());
    assert!(out
        .reasons
        .iter()
        .any(|r| r.code == certcheck::report::Code::NoTextLayer));
}

#[test]
fn edited_id_number_is_reported() {
    // The same-length byte edit changed the ID number's check digit.
    let bytes = std::fs::read(corpus().join("altered-byte-edit-id-number.pdf")).expect("file");
    let f = PdfFile::parse(&bytes, None).expect("parses");
    let out = certcheck::text::extract(&f.doc);
    let fields = out.fields.expect("fields");
    assert_eq!(fields.id_number_valid, Some(false));
    assert!(out
        .reasons
        .iter()
        .any(|r| r.code == certcheck::report::Code::IdNumberCheckDigit));
}

#[test]
fn genuine_certificates_raise_no_consistency_reason() {
    use certcheck::report::Code;
    for file in [
        "authentic-rsa-pkcs7.pdf",
        "authentic-stsong-old-generator.pdf",
    ] {
        let bytes = std::fs::read(corpus().join(file)).expect("file");
        let f = PdfFile::parse(&bytes, None).expect("parses");
        let out = certcheck::text::extract(&f.doc);
        for r in &out.reasons {
            assert!(
                !matches!(
                    r.code,
                    Code::IdNumberCheckDigit
                        | Code::IdNumberBirthMismatch
                        | Code::IdNumberGenderMismatch
                        | Code::TextExtractionFailed
                        | Code::NoTextLayer
                ),
                "{file}: {}",
                r.message
            );
        }
    }
}

#[test]
fn embedded_truetype_without_tounicode_still_reads() {
    // The fpdf2 certificate with its ToUnicode maps removed: the glyphs'
    // meaning comes from the embedded subset font's own cmap.
    let bytes = std::fs::read(corpus().join("authentic-rsa-pkcs7.pdf")).expect("file");
    let mut f = PdfFile::parse(&bytes, None).expect("parses");
    let mut removed = 0;
    for obj in f.doc.objects.values_mut() {
        if let Ok(d) = obj.as_dict_mut() {
            if d.remove(b"ToUnicode").is_some() {
                removed += 1;
            }
        }
    }
    assert!(removed > 0);
    let out = certcheck::text::extract(&f.doc);
    let fields = out.fields.expect("fields");
    assert_eq!(fields.name.as_deref(), Some("张伟"));
    assert_eq!(fields.qualification.as_deref(), Some("信息系统项目管理师"));
    assert_eq!(fields.approval_date.as_deref(), Some("2023-12-20"));
    assert_eq!(fields.birth.as_deref(), Some("1990-03"));
}

/// A small deterministic generator, so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn mutated_content_and_cmaps_never_panic() {
    // The reader's own code runs here without the catch_unwind that
    // text::extract adds, so a panic in it fails the test.
    use certcheck::text::{extract::extract_glyphs, fields, layout};
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for file in [
        "authentic-rsa-pkcs7.pdf",
        "authentic-stsong-old-generator.pdf",
        "unsigned-query-result.pdf",
    ] {
        let bytes = std::fs::read(corpus().join(file)).expect("file");
        let base = PdfFile::parse(&bytes, None).expect("parses").doc;
        for _ in 0..60 {
            let mut doc = base.clone();
            for obj in doc.objects.values_mut() {
                let Ok(stream) = obj.as_stream_mut() else {
                    continue;
                };
                let Ok(mut data) = stream.decompressed_content() else {
                    continue;
                };
                if data.is_empty() {
                    continue;
                }
                for _ in 0..1 + rng.next() % 8 {
                    let i = (rng.next() as usize) % data.len();
                    match rng.next() % 3 {
                        0 => data[i] = rng.next() as u8,
                        1 => data.truncate(i),
                        _ => data.insert(i, b"()<>[]/%\\-.0"[(rng.next() % 12) as usize]),
                    }
                    if data.is_empty() {
                        break;
                    }
                }
                stream.dict.remove(b"Filter");
                stream.dict.remove(b"DecodeParms");
                stream.set_content(data);
            }
            let ex = extract_glyphs(&doc);
            let lines: Vec<_> = ex.pages.iter().flat_map(|p| layout::lines(p)).collect();
            let _ = fields::find(&lines);
        }
    }
}
