//! Reading a PDF: its revisions, each revision's xref, and the document as
//! each revision shows it. lopdf parses objects; this module adds what lopdf
//! does not do: revision boundaries, recovery of a damaged xref by scanning,
//! hard limits, and containment of parser panics.

mod bytes;
pub mod limits;
pub mod recover;
pub mod revisions;
pub mod stream;
pub mod xref;

use lopdf::Document;
use thiserror::Error;

use crate::report::reason::{Code, Reason};
pub use revisions::Revision;

#[derive(Debug, Error)]
pub enum PdfError {
    #[error("the file is empty")]
    Empty,
    #[error("not a PDF: no %PDF header or PDF objects found")]
    NotAPdf,
    #[error("the PDF cannot be read: {0}")]
    Unreadable(String),
    #[error("the file exceeds a safety limit: {0}")]
    Limit(String),
}

impl PdfError {
    pub fn code(&self) -> Code {
        match self {
            PdfError::Empty => Code::EmptyFile,
            PdfError::NotAPdf => Code::NotAPdf,
            PdfError::Unreadable(_) => Code::UnreadablePdf,
            PdfError::Limit(_) => Code::ResourceLimit,
        }
    }
}

/// How the file is encrypted, and whether its text could be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    None,
    /// Opened with the empty user password or the password given.
    Opened,
    /// A user password is needed and none (or a wrong one) was given.
    NeedsPassword,
}

/// A parsed PDF: the raw bytes, where each revision ends, and the final
/// document (decrypted where that is possible).
pub struct PdfFile<'a> {
    pub bytes: &'a [u8],
    /// In file order; the last is what a reader shows.
    pub revisions: Vec<Revision>,
    /// The document as the last revision shows it. Objects are decrypted
    /// when `encryption` is `Opened`.
    pub doc: Document,
    pub encryption: Encryption,
    /// The xref was damaged and objects were found by scanning.
    pub recovered: bool,
    pub reasons: Vec<Reason>,
    password: Option<String>,
}

impl<'a> PdfFile<'a> {
    /// Parses `bytes`. Never panics; a file is only an error when nothing
    /// usable can be read from it.
    pub fn parse(bytes: &'a [u8], password: Option<&str>) -> Result<PdfFile<'a>, PdfError> {
        revisions::parse_file(bytes, password)
    }

    /// The document as it was when the revision ending at `end` was saved:
    /// the file cut there, read as its own PDF.
    pub fn document_until(&self, end: usize) -> Result<Document, PdfError> {
        let cut = self.bytes.get(..end).ok_or_else(|| {
            PdfError::Unreadable(format!("offset {end} is past the end of the file"))
        })?;
        revisions::load_document(cut, self.password.as_deref()).map(|(doc, _, _)| doc)
    }

    /// The revision whose saved bytes end exactly at `end`, if any.
    pub fn revision_ending_at(&self, end: usize) -> Option<&Revision> {
        self.revisions.iter().find(|r| r.accepts_end(end))
    }
}

/// UTF-16BE bytes as text (a PDF text string after its BOM, an ASN.1
/// BMPString); an odd last byte is padded, bad surrogates are replaced.
pub fn utf16be_lossy(bytes: &[u8]) -> String {
    String::from_utf16_lossy(&utf16be_units(bytes))
}

/// Big-endian 16-bit units (UTF-16BE text, a CIDToGIDMap); an odd last
/// byte is padded with zero.
pub fn utf16be_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|c| {
            u16::from_be_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
        .collect()
}
