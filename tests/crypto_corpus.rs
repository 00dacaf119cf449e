//! Every corpus case about signature cryptography and trust (authentic-*,
//! invalid-*, untrusted-* whose signature is CMS) comes out as the manifest
//! says, through the whole library path, with only tests/corpus/trust as
//! known issuers.

use std::path::{Path, PathBuf};

use certcheck::trust::TrustStore;
use certcheck::{verify_file, Options};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn options() -> Options {
    let trust = TrustStore::load(&[corpus().join("trust")], false).expect("corpus trust loads");
    Options {
        trust,
        ..Options::default()
    }
}

/// (file, accepted verdicts, is SM2) for the CMS cases of the manifest.
fn cases() -> Vec<(String, Vec<String>, bool)> {
    let text = std::fs::read_to_string(corpus().join("manifest.json")).expect("manifest");
    let manifest: serde_json::Value = serde_json::from_str(&text).expect("manifest parses");
    let mut out = Vec::new();
    for f in manifest["files"].as_array().expect("files") {
        let name = f["file"].as_str().unwrap_or_default().to_string();
        let verdict = f["verdict"].as_str().unwrap_or_default().to_string();
        if !matches!(verdict.as_str(), "authentic" | "invalid" | "untrusted") {
            continue;
        }
        let sig = &f["signature"];
        if sig["container"].as_str() == Some("SES_Signature") {
            continue;
        }
        let mut accepted = vec![verdict];
        if let Some(also) = f["also_acceptable"].as_array() {
            accepted.extend(also.iter().filter_map(|v| v.as_str().map(str::to_string)));
        }
        let sm2 = sig["digest"].as_str() == Some("sm3");
        out.push((name, accepted, sm2));
    }
    out
}

fn run(select_sm2: bool) {
    let options = options();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, accepted, sm2) in cases() {
        if sm2 != select_sm2 {
            continue;
        }
        checked += 1;
        let record = verify_file(&corpus().join(&name), &options);
        let got = record.verdict.as_str().to_string();
        if !accepted.contains(&got) {
            let reasons: Vec<&str> = record
                .signatures
                .iter()
                .flat_map(|s| s.reasons.iter().map(|r| r.code.as_str()))
                .chain(record.reasons.iter().map(|r| r.code.as_str()))
                .collect();
            failures.push(format!("{name}: got {got}, want {accepted:?}; {reasons:?}"));
        }
        // The bar: nothing that is not authentic is called authentic.
        if got == "authentic" {
            assert!(
                accepted.iter().any(|a| a == "authentic"),
                "false authentic: {name}"
            );
            let s = record.signatures.first().expect("a signature");
            assert_eq!(s.digest_ok, Some(true), "{name}");
            assert_eq!(s.signature_ok, Some(true), "{name}");
            assert!(s.trusted_issuer.is_some(), "{name}");
            assert!(s.signer.is_some(), "{name}");
            assert!(s.signing_time.is_some(), "{name}");
        }
    }
    assert!(checked > 0, "no case selected");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cms_corpus_cases_match_the_manifest() {
    run(false);
}

/// Needs the SM2 verifier (src/signature/sm2.rs, national branch).
#[test]
fn sm2_corpus_cases_match_the_manifest() {
    run(true);
}

#[test]
fn without_known_issuers_nothing_is_authentic() {
    let options = Options::default();
    for (name, _, _) in cases() {
        let record = verify_file(&corpus().join(&name), &options);
        assert_ne!(record.verdict.as_str(), "authentic", "{name}");
    }
}

#[test]
fn signature_timestamp_fixes_the_time() {
    let record = verify_file(
        &corpus().join("authentic-signature-timestamp.pdf"),
        &options(),
    );
    let s = record.signatures.first().expect("signature");
    assert_eq!(
        s.signing_time_source,
        Some(certcheck::report::SigningTimeSource::Timestamp)
    );
    let ts = s.timestamp.as_ref().expect("timestamp info");
    assert!(ts.valid);
    assert!(ts.trusted_issuer.is_some());
}

#[test]
fn expired_seal_is_judged_at_signing_time() {
    let record = verify_file(&corpus().join("invalid-expired-seal-cert.pdf"), &options());
    assert!(record.has_reason(certcheck::report::Code::CertificateExpiredAtSigning));
}

#[test]
fn trust_add_pins_the_issuer_of_a_genuine_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let candidate = certcheck::trust_admin::inspect(
        &corpus().join("authentic-rsa-pkcs7.pdf"),
        &TrustStore::empty(),
    )
    .expect("a genuine file gives its issuer");
    let pinned = certcheck::trust_admin::pin(&candidate, dir.path()).expect("pins");
    let certcheck::trust_admin::Pinned::Written(file) = pinned else {
        panic!("a fresh folder already held it: {pinned:?}");
    };
    assert!(file.exists());
    let store = TrustStore::load(&[dir.path().to_path_buf()], false).expect("loads");
    assert_eq!(store.issuers.len(), 1);
    let options = Options {
        trust: store,
        ..Options::default()
    };
    let good = verify_file(&corpus().join("authentic-seal-cert-only.pdf"), &options);
    assert_eq!(good.verdict.as_str(), "authentic");
    // Same name, other key: still not trusted.
    let impostor = verify_file(&corpus().join("untrusted-impostor-ca.pdf"), &options);
    assert_eq!(impostor.verdict.as_str(), "untrusted");
}

/// Mutated signature containers never panic the CMS path: every byte of a
/// real /Contents flipped, truncated at every length, lengths inflated.
#[test]
fn mutated_cms_never_panics() {
    use certcheck::signature::{cms, CheckContext};
    let pdf = std::fs::read(corpus().join("authentic-signature-timestamp.pdf")).expect("pdf");
    let file = certcheck::pdf::PdfFile::parse(&pdf, None).expect("parses");
    let der = certcheck::signature::locate::find_signatures(&file)
        .into_iter()
        .find_map(|f| f.contents)
        .expect("a signature value");
    let store = options().trust;
    let ctx = CheckContext {
        trust: &store,
        document_dates: Vec::new(),
        claimed_m: None,
        doc_timestamp: None,
        now: time::OffsetDateTime::now_utc(),
    };
    let content: &[&[u8]] = &[b"bytes"];
    let real_len = der.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    let mut checked = 0;
    for i in (0..real_len).step_by(7) {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut m = der.clone();
            m[i] ^= flip;
            let _ = cms::check(&m, content, &ctx);
            checked += 1;
        }
    }
    for cut in (0..real_len).step_by(13) {
        let v = cms::check(&der[..cut], content, &ctx);
        assert_ne!(v.signature_ok, Some(true));
    }
    for i in (0..real_len.min(400)).step_by(3) {
        let mut m = der.clone();
        m[i] = 0x84;
        let _ = cms::check(&m, content, &ctx);
        m[i] = 0x80;
        let _ = cms::check(&m, content, &ctx);
    }
    assert!(checked > 1000);
}
