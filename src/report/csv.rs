//! The CSV printer: one row per file, for spreadsheets.

use super::Record;

pub const HEADER: &[&str] = &[
    "path",
    "sha256",
    "verdict",
    "reasons",
    "management_number",
    "name",
    "gender",
    "birth",
    "id_number",
    "id_number_valid",
    "qualification",
    "level",
    "approval_date",
    "query_result_label",
    "signers",
    "trusted_issuers",
    "error",
];

/// The CSV row of one record, in [`HEADER`] order.
pub fn row(record: &Record) -> Vec<String> {
    let f = record.fields.clone().unwrap_or_default();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut codes: Vec<&str> = record
        .reasons
        .iter()
        .chain(record.signatures.iter().flat_map(|s| s.reasons.iter()))
        .map(|r| r.code.as_str())
        .collect();
    codes.dedup();
    vec![
        record.path.clone(),
        opt(&record.sha256),
        record.verdict.as_str().to_string(),
        codes.join(";"),
        opt(&f.management_number),
        opt(&f.name),
        opt(&f.gender),
        opt(&f.birth),
        opt(&f.id_number),
        f.id_number_valid.map(|b| b.to_string()).unwrap_or_default(),
        opt(&f.qualification),
        opt(&f.level),
        opt(&f.approval_date),
        f.query_result_label.to_string(),
        record
            .signatures
            .iter()
            .filter_map(|s| s.signer.as_ref().map(|x| x.subject.clone()))
            .collect::<Vec<_>>()
            .join(";"),
        record
            .signatures
            .iter()
            .filter_map(|s| s.trusted_issuer.clone())
            .collect::<Vec<_>>()
            .join(";"),
        opt(&record.error),
    ]
}
