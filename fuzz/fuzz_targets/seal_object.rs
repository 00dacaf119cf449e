//! `certcheck seal` on arbitrary bytes: the SES_Signature, SES_Seal and CMS
//! readers must return a report or an error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let trust = certcheck::trust::TrustStore::empty();
    if let Ok(report) = certcheck::seal::inspect(data, &trust) {
        let _ = report.render_human();
        let _ = report.exit_code();
    }
    let dir = std::env::temp_dir().join("certcheck-fuzz-seal");
    let _ = certcheck::seal::save_seal_picture(&dir, "fuzz", "field", data);
});
