//! Revision boundaries and loading the document a revision shows.

use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::{Document, LoadOptions};

use super::bytes::{find, rfind};
use super::{limits, recover, Encryption, PdfError, PdfFile};
use crate::report::reason::{Code, Reason};

/// One saved version of the document: the file up to `end` is what it was
/// when this revision was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// 1-based, in file order.
    pub index: usize,
    /// Offset of this revision's `%%EOF` marker.
    pub eof_marker: usize,
    /// Offset just past the marker and its end-of-line, if any.
    pub end: usize,
    /// The `startxref` value this revision declares.
    pub startxref: Option<usize>,
}

impl Revision {
    /// Whether a signature whose signed bytes end at `end` covers exactly
    /// this revision (with or without the final end-of-line).
    pub fn accepts_end(&self, end: usize) -> bool {
        end >= self.eof_marker + 5 && end <= self.end
    }
}

/// Finds every `%%EOF` that closes a revision: one preceded by a
/// `startxref` within a short distance, as writers emit it. A `%%EOF`
/// inside stream data is not followed by this shape and is skipped.
pub fn find_revisions(bytes: &[u8]) -> Vec<Revision> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = find(bytes, b"%%EOF", from) {
        from = pos + 5;
        let window_start = pos.saturating_sub(64);
        let window = bytes.get(window_start..pos).unwrap_or(&[]);
        let Some(sx) = rfind(window, b"startxref") else {
            continue;
        };
        let number = window.get(sx + 9..).unwrap_or(&[]);
        let startxref = parse_leading_usize(number);
        let mut end = pos + 5;
        for _ in 0..2 {
            match bytes.get(end) {
                Some(b'\r') | Some(b'\n') => end += 1,
                _ => break,
            }
        }
        // "\n\r" is not an end-of-line pair; only keep CR LF, LF or CR.
        if end == pos + 7 && bytes.get(pos + 5) == Some(&b'\n') {
            end = pos + 6;
        }
        out.push(Revision {
            index: out.len() + 1,
            eof_marker: pos,
            end,
            startxref,
        });
        if out.len() >= limits::MAX_REVISIONS {
            break;
        }
    }
    out
}

fn parse_leading_usize(bytes: &[u8]) -> Option<usize> {
    let digits: Vec<u8> = bytes
        .iter()
        .copied()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .take(19)
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

/// How many `N G obj` object headers the file holds, counted up to one
/// past `stop`. Objects packed in object streams are not counted here (the
/// loaded document's count catches them).
pub(crate) fn object_headers(bytes: &[u8], stop: usize) -> usize {
    let mut count = 0;
    for at in memchr::memmem::find_iter(bytes, b"obj") {
        if is_object_header(bytes, at) {
            count += 1;
            if count > stop {
                break;
            }
        }
    }
    count
}

/// Whether the `obj` at `at` ends `<digits> <ws> <digits> <ws>`.
fn is_object_header(bytes: &[u8], at: usize) -> bool {
    // What follows `obj` must end the keyword.
    if bytes.get(at + 3).is_some_and(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    let is_ws = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0');
    let mut i = at;
    for want_digits in [false, true, false, true] {
        let start = i;
        while let Some(b) = i.checked_sub(1).and_then(|j| bytes.get(j)) {
            let fits = match want_digits {
                true => b.is_ascii_digit(),
                false => is_ws(*b),
            };
            if !fits || start - i >= 24 {
                break;
            }
            i -= 1;
        }
        if i == start {
            return false;
        }
    }
    true
}

/// Loads `bytes` as a document, containing any panic in the parser, and
/// recovering a damaged xref by scanning. Returns the document, how it is
/// encrypted, and whether it was recovered.
pub(crate) fn load_document(
    bytes: &[u8],
    password: Option<&str>,
) -> Result<(Document, Encryption, bool), PdfError> {
    let first = load_lopdf(bytes, password).map(|(mut doc, enc)| {
        // Objects lopdf read from an older place than the newest xref entry
        // says (a hybrid-reference update): read as written, as viewers
        // do. Where that is impossible, the file is read another way.
        let as_written = enc == Encryption::NeedsPassword || read_as_written(bytes, &mut doc);
        let ok = as_written && (enc == Encryption::NeedsPassword || pages_resolve(&doc));
        // What the xref frees is gone for a conforming reader; lopdf still
        // reads the old bytes. Judged after the pages were found whole, so
        // that a dangling reference to a freed object does not send the
        // file to recovery (which would find the old object again).
        for id in super::xref::freed_objects(bytes, &doc) {
            doc.objects.remove(&id);
        }
        (doc, enc, ok)
    });
    if let Ok((_, _, true)) = &first {
        return first.map(|(doc, enc, _)| (doc, enc, false));
    }
    let first = first.map(|(doc, enc, _)| (doc, enc));
    // Offsets a few bytes off (every reader accepts them): corrected in
    // place, which is not a rebuild by scanning.
    if let Some(fixed) = super::xref::nudged(bytes) {
        if let Ok((mut doc, enc)) = load_lopdf(&fixed, password) {
            if enc == Encryption::NeedsPassword || pages_resolve(&doc) {
                for id in super::xref::freed_objects(&fixed, &doc) {
                    doc.objects.remove(&id);
                }
                return Ok((doc, enc, false));
            }
        }
    }
    // The xref is damaged (or points at the wrong places): rebuild it by
    // scanning, and prefer the rebuilt document when its pages resolve.
    let rebuilt = recover::rebuild(bytes).and_then(|fixed| load_lopdf(&fixed, password).ok());
    match (first, rebuilt) {
        (_, Some((doc, enc))) if enc == Encryption::NeedsPassword || pages_resolve(&doc) => {
            Ok((doc, enc, true))
        }
        (Ok((doc, enc)), _) if !doc.objects.is_empty() => Ok((doc, enc, false)),
        (Err(e), _) => Err(e),
        (Ok(_), _) => Err(PdfError::Unreadable(
            "the index is damaged and the pages cannot be recovered".into(),
        )),
    }
}

/// Replaces the objects lopdf misread with the newest entries' (see
/// [`super::xref::misread_objects`]); false when they cannot be read.
fn read_as_written(bytes: &[u8], doc: &mut Document) -> bool {
    match super::xref::misread_objects(bytes, doc) {
        Some(objects) => {
            for m in objects {
                doc.objects.insert(m.id, m.object);
                doc.reference_table.entries.insert(m.id.0, m.entry);
            }
            true
        }
        None => false,
    }
}

/// Whether a recovered document shows something: at least one page, and
/// everything the page tree refers to (contents, resources, fonts, images)
/// present. A download cut in half fails this; a file whose xref offsets
/// are merely wrong passes.
fn pages_resolve(doc: &Document) -> bool {
    let Some(pages_ref) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Pages").ok())
        .and_then(|p| p.as_reference().ok())
    else {
        return false;
    };
    if doc.get_pages().is_empty() {
        return false;
    }
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![(pages_ref, 0usize)];
    while let Some((id, depth)) = stack.pop() {
        if !seen.insert(id) || seen.len() > limits::MAX_OBJECTS {
            continue;
        }
        let Ok(obj) = doc.get_object(id) else {
            return false;
        };
        if depth < limits::MAX_DEPTH {
            collect_refs(obj, depth, &mut stack);
        }
    }
    true
}

fn collect_refs(obj: &lopdf::Object, depth: usize, out: &mut Vec<(lopdf::ObjectId, usize)>) {
    use lopdf::Object;
    match obj {
        Object::Reference(r) => out.push((*r, depth + 1)),
        Object::Array(items) => items.iter().for_each(|o| collect_refs(o, depth, out)),
        Object::Dictionary(d) => d
            .iter()
            .filter(|(k, _)| k.as_slice() != b"Parent")
            .for_each(|(_, o)| collect_refs(o, depth, out)),
        Object::Stream(s) => s
            .dict
            .iter()
            .filter(|(k, _)| k.as_slice() != b"Parent")
            .for_each(|(_, o)| collect_refs(o, depth, out)),
        _ => {}
    }
}

fn load_lopdf(bytes: &[u8], password: Option<&str>) -> Result<(Document, Encryption), PdfError> {
    let options = match password {
        Some(p) => LoadOptions::with_password(p),
        None => LoadOptions::default(),
    };
    let loaded = catch_unwind(AssertUnwindSafe(|| {
        Document::load_mem_with_options(bytes, options)
    }))
    .map_err(|_| PdfError::Unreadable("the PDF parser failed on this file".into()))?;
    let doc = match loaded {
        Ok(doc) => doc,
        // A wrong password: read what can be read without one.
        Err(lopdf::Error::InvalidPassword) if password.is_some() => {
            return load_lopdf(bytes, None);
        }
        Err(e) => return Err(PdfError::Unreadable(e.to_string())),
    };
    // lopdf removes /Encrypt from the trailer once it has decrypted.
    let encryption = if doc.encryption_state.is_some() {
        Encryption::Opened
    } else if doc.trailer.get(b"Encrypt").is_ok() {
        Encryption::NeedsPassword
    } else {
        Encryption::None
    };
    if doc.objects.len() > limits::MAX_OBJECTS {
        return Err(PdfError::Limit(format!(
            "{} objects (at most {})",
            doc.objects.len(),
            limits::MAX_OBJECTS
        )));
    }
    Ok((doc, encryption))
}

/// Parses the whole file: revisions, and the final document.
pub(crate) fn parse_file<'a>(
    bytes: &'a [u8],
    password: Option<&str>,
) -> Result<PdfFile<'a>, PdfError> {
    if bytes.is_empty() {
        return Err(PdfError::Empty);
    }
    if bytes.len() as u64 > limits::MAX_FILE_SIZE {
        return Err(PdfError::Limit(format!("{} bytes", bytes.len())));
    }
    let head = bytes.get(..bytes.len().min(1024)).unwrap_or(bytes);
    if find(head, b"%PDF-", 0).is_none() && find(bytes, b" obj", 0).is_none() {
        return Err(PdfError::NotAPdf);
    }
    super::stream::check_structural_streams(bytes)?;
    let headers = object_headers(bytes, limits::MAX_OBJECTS);
    if headers > limits::MAX_OBJECTS {
        // Refused before lopdf reads it: lopdf holds every object in
        // memory (about 2.5 KB per small object), so a file of a million
        // objects took gigabytes only to be refused after loading.
        return Err(PdfError::Limit(format!(
            "more than {} objects (`N G obj` headers)",
            limits::MAX_OBJECTS
        )));
    }
    let revisions = find_revisions(bytes);
    let (mut doc, encryption, recovered) = load_document(bytes, password)?;
    if encryption == Encryption::NeedsPassword {
        // Without the password the objects cannot be decrypted, but the
        // structure (signature dictionaries, byte ranges, names, numbers)
        // is readable as is: read it with the encryption entry hidden.
        // The replacement keeps every offset.
        let structural = hide_encryption(bytes);
        if let Ok((structure, _, _)) = load_document(&structural, None) {
            doc = structure;
        }
    }
    let mut reasons = Vec::new();
    if recovered {
        reasons.push(Reason::new(Code::XrefRecovered));
    }
    match encryption {
        Encryption::Opened => reasons.push(Reason::new(Code::Encrypted)),
        Encryption::NeedsPassword if password.is_some() => {
            reasons.push(Reason::new(Code::WrongPassword))
        }
        Encryption::NeedsPassword => reasons.push(Reason::new(Code::PasswordRequired)),
        Encryption::None => {}
    }
    Ok(PdfFile {
        bytes,
        revisions,
        doc,
        encryption,
        recovered,
        reasons,
        password: password.map(str::to_string),
    })
}

/// The file with every `/Encrypt` key renamed (same length), so that
/// lopdf reads the objects without trying to decrypt them.
fn hide_encryption(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let mut from = 0;
    while let Some(p) = find(&out, b"/Encrypt", from) {
        from = p + 8;
        let next = out.get(p + 8).copied().unwrap_or(b' ');
        if !next.is_ascii_alphanumeric() {
            if let Some(last) = out.get_mut(p + 7) {
                *last = b'_';
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_headers_are_counted_and_other_obj_words_are_not() {
        let pdf = b"%PDF-1.7\n1 0 obj\n<< /A (x obj) >>\nendobj\n2 0 obj<< >>endobj\r\n10  3\tobj [] endobj objx 4 0 objstm";
        assert_eq!(object_headers(pdf, 100), 3);
        // Counting stops one past the limit.
        assert_eq!(object_headers(pdf, 1), 2);
    }

    #[test]
    fn finds_revisions_after_startxref_only() {
        let pdf = b"%PDF-1.7\n1 0 obj<<>>stream\n%%EOF\nendstream\nxref\nstartxref\n9\n%%EOF\n2 0 obj<<>>endobj\nstartxref\n40\n%%EOF\r\n";
        let revs = find_revisions(pdf);
        assert_eq!(revs.len(), 2);
        assert_eq!(revs[0].startxref, Some(9));
        assert_eq!(revs[1].startxref, Some(40));
        assert_eq!(revs[1].end, pdf.len());
        assert!(revs[0].accepts_end(revs[0].eof_marker + 5));
        assert!(revs[0].accepts_end(revs[0].eof_marker + 6));
        assert!(!revs[0].accepts_end(revs[0].eof_marker + 4));
    }
}
