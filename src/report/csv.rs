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
    let mut codes: Vec<&str> = Vec::new();
    for r in record
        .reasons
        .iter()
        .chain(record.signatures.iter().flat_map(|s| s.reasons.iter()))
    {
        if !codes.contains(&r.code.as_str()) {
            codes.push(r.code.as_str());
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Code, Reason};

    #[test]
    fn each_reason_code_appears_once_in_file_order() {
        let mut record = Record::malformed("x.pdf", String::new(), vec![]);
        record.reasons = vec![
            Reason::new(Code::DigestMismatch),
            Reason::new(Code::ByteRangeNotRevisionEnd),
            Reason::new(Code::DigestMismatch),
        ];
        let row = row(&record);
        let reasons_at = HEADER.iter().position(|h| *h == "reasons").expect("column");
        assert_eq!(
            row[reasons_at],
            "digest_mismatch;byte_range_not_revision_end"
        );
        assert_eq!(row.len(), HEADER.len());
    }
}
