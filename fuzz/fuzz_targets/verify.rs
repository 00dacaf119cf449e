//! The whole verify path on arbitrary bytes: must return a record, never
//! panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = certcheck::Options::default();
    let record = certcheck::verify(data, "fuzz.pdf", &options);
    assert!(record.verdict != certcheck::Verdict::Authentic);
});
