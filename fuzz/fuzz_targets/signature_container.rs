//! The signature-container parsers (CMS, SES, PKCS#1) on arbitrary
//! /Contents bytes, over a fixed signed text.
#![no_main]

use certcheck::signature::{self, CheckContext, SignatureField, SignatureKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let trust = certcheck::trust::TrustStore::empty();
    let ctx = CheckContext {
        trust: &trust,
        document_dates: Vec::new(),
        claimed_m: None,
        doc_timestamp: None,
        now: time::OffsetDateTime::UNIX_EPOCH,
    };
    for sub_filter in [
        "adbe.pkcs7.detached",
        "adbe.x509.rsa_sha1",
        "ETSI.RFC3161",
        "x.unknown",
    ] {
        let field = SignatureField {
            name: "fuzz".into(),
            object: None,
            kind: SignatureKind::Signature,
            filter: None,
            sub_filter: Some(sub_filter.into()),
            byte_range: Some(vec![0, 4, 8, 4]),
            contents: Some(data.to_vec()),
            contents_span: None,
            m: None,
            certificates: vec![data.to_vec()],
            docmdp_permission: None,
            damaged: false,
        };
        let check = signature::check_value(&field, &[b"%PDF", b"%EOF"], &ctx);
        assert!(check.trusted_issuer.is_none());
    }
});
