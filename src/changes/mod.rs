//! What changed after a signature: the signed revision, read as its own
//! document, compared with what the final document shows. Each benign
//! change is a small rule in [`rules`]; whatever no rule explains is a
//! modification (fail closed).

pub mod rules;

use lopdf::Document;

use crate::pdf::PdfFile;
use crate::report::{Change, Reason};

/// The changes made after one signature.
#[derive(Debug, Clone, Default)]
pub struct ChangeOutcome {
    /// Every change found, benign ones flagged as such.
    pub changes: Vec<Change>,
    pub reasons: Vec<Reason>,
}

/// Compares the revision a signature covers (`signed_doc`, the file cut at
/// `signed_end`) with the final document `file.doc`.
pub fn analyze(file: &PdfFile, signed_doc: &Document, signed_end: usize) -> ChangeOutcome {
    let _ = (file, signed_doc, signed_end);
    ChangeOutcome::default()
}
