//! Reading what the certificate says: positioned text runs from the pages
//! (CJK fonts included), then the fields of SPEC.md.
//!
//! [`extract`] walks the content streams itself ([`extract`](self::extract)
//! module): fonts are decoded by [`font`] and [`cmap`] (ToUnicode, embedded
//! and predefined CJK CMaps, GBK/Big5 through encoding_rs), characters are
//! grouped into lines by [`layout`], and [`fields`] pairs labels with the
//! values beside or below them. [`ids`] checks ID numbers.

pub mod cmap;
pub mod content;
pub mod extract;
pub mod fields;
pub mod font;
pub mod glyphs;
pub mod ids;
pub mod layout;
pub mod stream;

use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::Document;

use crate::report::{Code, Fields, Reason, TextChange};

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
    // The reader is written not to panic; should a dependency or a bug
    // still do so, the file gets a reason, not a crash.
    match catch_unwind(AssertUnwindSafe(|| extract_inner(doc))) {
        Ok(outcome) => outcome,
        Err(_) => TextOutcome {
            fields: None,
            text: String::new(),
            reasons: vec![Reason::detail(
                Code::TextExtractionFailed,
                "the text reader stopped on this file",
            )],
        },
    }
}

fn extract_inner(doc: &Document) -> TextOutcome {
    let ex = extract::extract_glyphs(doc);
    let mut reasons = Vec::new();
    if ex.limited {
        reasons.push(Reason::detail(
            Code::ResourceLimit,
            "only part of the page text was read",
        ));
    }
    if ex.shown == 0 {
        reasons.push(Reason::new(Code::NoTextLayer));
        return TextOutcome {
            fields: None,
            text: String::new(),
            reasons,
        };
    }
    if ex.undecoded > 0 {
        reasons.push(Reason::detail(
            Code::TextExtractionFailed,
            format!(
                "{} of {} characters could not be decoded",
                ex.undecoded, ex.shown
            ),
        ));
    }
    let lines: Vec<layout::Line> = ex.pages.iter().flat_map(|p| layout::lines(p)).collect();
    let text = lines
        .iter()
        .map(layout::Line::text)
        .collect::<Vec<_>>()
        .join("\n");
    let fields = fields::find(&lines);
    reasons.extend(ids::consistency(&fields));
    TextOutcome {
        fields: Some(fields),
        text,
        reasons,
    }
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
