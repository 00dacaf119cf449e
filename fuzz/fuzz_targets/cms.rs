//! The CMS / PKCS#7 SignedData reader, the certificate reader and the
//! timestamp-token reader on arbitrary /Contents bytes: each must return a
//! result or an error, never panic, and never name a trusted issuer (the
//! store is empty).
#![no_main]

use certcheck::signature::{cms, timestamp, CheckContext};
use certcheck::trust::{chain::Cert, TrustStore};
use libfuzzer_sys::fuzz_target;

const SIGNED: [&[u8]; 2] = [b"%PDF-1.7 signed", b"%%EOF"];

fuzz_target!(|data: &[u8]| {
    let trust = TrustStore::empty();
    if let Ok(sd) = cms::parse(data) {
        let certs: Vec<Cert> = sd
            .certificates
            .iter()
            .filter_map(|c| Cert::parse(c))
            .collect();
        for cert in &certs {
            let _ = cert.info();
            let _ = cert.display_name();
        }
        for si in &sd.signers {
            let _ = cms::find_signer(&si.sid, &certs);
            let check = cms::check_signer(&sd, si, &SIGNED, &[]);
            let _ = check.reasons.len();
        }
    }
    let ctx = CheckContext {
        trust: &trust,
        document_dates: Vec::new(),
        claimed_m: None,
        doc_timestamp: None,
        now: time::OffsetDateTime::UNIX_EPOCH,
    };
    let vc = cms::check(data, &SIGNED, &ctx);
    assert!(vc.trusted_issuer.is_none());
    let tc = timestamp::check_token(data, &SIGNED, &trust);
    assert!(!tc.trusted());
    let _ = Cert::parse(data);
});
