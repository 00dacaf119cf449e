//! docs/verdicts.md explains every reason code: a code added to
//! src/report/reason.rs without an explanation fails here.

use certcheck::report::Code;

#[test]
fn every_reason_code_is_explained() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/verdicts.md"))
        .expect("docs/verdicts.md exists");
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|name| !doc.contains(&format!("**`{name}`**")))
        .collect();
    assert!(
        missing.is_empty(),
        "not explained in docs/verdicts.md: {missing:?}"
    );
}
