//! Free entries of the xref chain, which lopdf drops: its parser keeps
//! only in-use entries and lets an older section fill the gap, so an
//! object a later update frees (`f`) is still read from the old bytes.
//! Conforming readers (Acrobat, pdf.js) resolve a reference to a freed
//! object to null, so what they show differs from what lopdf reads: a
//! covering widget freed after signing would stay on the page for us and
//! be gone for them. This module walks the chain as written, newest
//! section first, and says which objects its newest entry frees.

use std::collections::{BTreeMap, HashSet};

use lopdf::xref::XrefEntry;
use lopdf::{Document, Object, ObjectId};
use regex::bytes::Regex;

use super::bytes::{find, rfind};
use super::limits;

/// Most entries read from one section.
const MAX_SECTION_ENTRIES: usize = limits::MAX_OBJECTS;

/// The objects `doc` holds whose newest xref entry in `bytes` is free.
/// Empty when the chain cannot be read as written (a recovered file keeps
/// what recovery found).
pub fn freed_objects(bytes: &[u8], doc: &Document) -> Vec<ObjectId> {
    let states = newest_states(bytes, doc);
    let freed: HashSet<u32> = states
        .iter()
        .filter(|(_, e)| !e.used())
        .map(|(n, _)| *n)
        .collect();
    doc.objects
        .keys()
        .filter(|id| freed.contains(&id.0))
        .copied()
        .collect()
}

/// An object as its newest xref entry says, and that entry.
pub struct Misread {
    pub id: ObjectId,
    pub object: Object,
    pub entry: XrefEntry,
}

/// Objects whose newest entry, read as written, is in an object stream
/// other than where lopdf read them from. lopdf merges a section's
/// /XRefStm (a hybrid-reference update) after the older sections, so they
/// win, and never reads an older section's /XRefStm: an update written in
/// hybrid form that replaces a page object inside an object stream is
/// shown by Acrobat and pdf.js but was invisible to certcheck. Returned are
/// the objects as the newest entry says, read from their object stream
/// (through the bounded decoder). `None` when an entry in use cannot be
/// read as written (an uncompressed object at another offset than lopdf
/// used, a missing or unreadable object stream): the caller then reads
/// the file another way rather than trust lopdf's reading.
pub fn misread_objects(bytes: &[u8], doc: &Document) -> Option<Vec<Misread>> {
    let mut by_stream: BTreeMap<u32, Vec<(u32, u64)>> = BTreeMap::new();
    for (n, entry) in newest_states(bytes, doc) {
        let known = doc.reference_table.entries.get(&n);
        match (entry, known) {
            (Entry::Free, _) => {}
            (
                Entry::InStream { container, .. },
                Some(XrefEntry::Compressed { container: c, .. }),
            ) if *c == container => {}
            (Entry::InStream { container, index }, _) => {
                by_stream.entry(container).or_default().push((n, index))
            }
            (
                Entry::At {
                    offset,
                    in_stream_section: true,
                },
                known,
            ) => {
                let agrees = matches!(known, Some(XrefEntry::Normal { offset: o, .. })
                    if usize::try_from(*o).ok() == Some(offset));
                if !agrees {
                    return None;
                }
            }
            (Entry::At { .. }, _) => {}
        }
    }
    let mut out = Vec::new();
    for (container, numbers) in by_stream {
        let stream = doc
            .objects
            .get(&(container, 0))
            .and_then(|o| o.as_stream().ok())?;
        let data = super::stream::decode(stream).ok()?;
        let mut dict = stream.dict.clone();
        dict.remove(b"Filter");
        dict.remove(b"DecodeParms");
        let mut plain = lopdf::Stream::new(dict, data);
        let objects = lopdf::ObjectStream::new(&mut plain).ok()?.objects;
        for (n, index) in numbers {
            let object = objects.get(&(n, 0))?;
            out.push(Misread {
                id: (n, 0),
                object: object.clone(),
                entry: XrefEntry::Compressed {
                    container,
                    index: u16::try_from(index).ok()?,
                },
            });
        }
    }
    Some(out)
}

/// For each object number, its newest entry as written.
fn newest_states(bytes: &[u8], doc: &Document) -> BTreeMap<u32, Entry> {
    let mut out = BTreeMap::new();
    // lopdf's offsets, and the file's, count from the %PDF header.
    let header = find(bytes, b"%PDF-", 0).unwrap_or(0);
    let Some(mut next) = last_startxref(bytes) else {
        return out;
    };
    let mut seen = HashSet::new();
    for _ in 0..limits::MAX_REVISIONS {
        if !seen.insert(next) {
            break;
        }
        let Some(at) = header.checked_add(next) else {
            break;
        };
        let Some(section) = read_section(bytes, at, header, doc) else {
            // A section not readable as written: keep lopdf's reading.
            return BTreeMap::new();
        };
        for (n, used) in section.entries {
            out.entry(n).or_insert(used);
        }
        match section.prev {
            Some(p) => next = p,
            None => break,
        }
    }
    out
}

struct Section {
    entries: BTreeMap<u32, Entry>,
    prev: Option<usize>,
}

/// One xref entry as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Free,
    /// In use, at this offset (from the header); `in_stream_section`: the
    /// entry is a cross-reference stream's (lopdf reads classic tables
    /// itself, and may have corrected their offsets).
    At {
        offset: usize,
        in_stream_section: bool,
    },
    /// In use, the `index`-th object of object stream `container`.
    InStream {
        container: u32,
        index: u64,
    },
}

impl Entry {
    fn used(self) -> bool {
        self != Entry::Free
    }
}

fn last_startxref(bytes: &[u8]) -> Option<usize> {
    let at = rfind(bytes, b"startxref")?;
    leading_number(bytes.get(at + 9..)?)
}

fn leading_number(b: &[u8]) -> Option<usize> {
    let digits: Vec<u8> = b
        .iter()
        .copied()
        .skip_while(|c| c.is_ascii_whitespace())
        .take_while(u8::is_ascii_digit)
        .take(19)
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while bytes
        .get(at)
        .is_some_and(|c| c.is_ascii_whitespace() || *c == 0)
    {
        at += 1;
    }
    at
}

fn read_section(bytes: &[u8], at: usize, header: usize, doc: &Document) -> Option<Section> {
    let at = skip_ws(bytes, at);
    if bytes.get(at..at + 4) == Some(b"xref") {
        classic_section(bytes, at + 4, header, doc)
    } else {
        stream_section(bytes, at, doc)
    }
}

/// A classic table (`xref`, subsections of `start count` and 20-byte
/// entries) and its trailer; a hybrid file's /XRefStm entries count with
/// the table's, and fill what the table leaves free or out.
fn classic_section(bytes: &[u8], at: usize, header: usize, doc: &Document) -> Option<Section> {
    let (table, at) = classic_entries(bytes, at)?;
    // A later subsection's entry for the same number wins, as it is read.
    let mut entries = table
        .iter()
        .map(|e| {
            let entry = if e.used {
                Entry::At {
                    offset: e.offset,
                    in_stream_section: false,
                }
            } else {
                Entry::Free
            };
            Some((u32::try_from(e.number).ok()?, entry))
        })
        .collect::<Option<BTreeMap<u32, Entry>>>()?;
    let trailer_end = find(bytes, b"startxref", at).unwrap_or(bytes.len());
    let trailer = bytes.get(at..trailer_end)?;
    let prev = key_number(trailer, "Prev");
    if let Some(stm) = key_number(trailer, "XRefStm") {
        if let Some(s) = header
            .checked_add(stm)
            .and_then(|a| stream_section(bytes, a, doc))
        {
            for (n, entry) in s.entries {
                let table_free = entries.get(&n).is_none_or(|e| !e.used());
                if table_free && entry.used() {
                    entries.insert(n, entry);
                } else {
                    entries.entry(n).or_insert(entry);
                }
            }
        }
    }
    Some(Section { entries, prev })
}

/// One entry of a classic xref table.
struct ClassicEntry {
    number: usize,
    offset: usize,
    /// Where the offset's digits stand in the file.
    offset_digits: std::ops::Range<usize>,
    generation: usize,
    used: bool,
}

/// The entries of the classic table whose subsections start at `at` (just
/// after `xref`), and where its `trailer` keyword stands: the one reader
/// of a table, for the sections and for the offset repair alike. `None`
/// when the table is malformed or longer than [`MAX_SECTION_ENTRIES`].
fn classic_entries(bytes: &[u8], mut at: usize) -> Option<(Vec<ClassicEntry>, usize)> {
    let mut entries = Vec::new();
    loop {
        at = skip_ws(bytes, at);
        if bytes.get(at..at.checked_add(7)?) == Some(b"trailer") {
            return Some((entries, at));
        }
        let (start, rest) = number_token(bytes, at)?;
        let (count, rest) = number_token(bytes, rest)?;
        at = rest;
        for i in 0..count {
            if entries.len() >= MAX_SECTION_ENTRIES {
                return None;
            }
            let digits_at = skip_ws(bytes, at);
            let (offset, offset_end) = number_token(bytes, at)?;
            let (generation, rest) = number_token(bytes, offset_end)?;
            let kind_at = skip_ws(bytes, rest);
            let used = match bytes.get(kind_at) {
                Some(b'n') => true,
                Some(b'f') => false,
                _ => return None,
            };
            at = kind_at + 1;
            entries.push(ClassicEntry {
                number: start.checked_add(i)?,
                offset,
                offset_digits: digits_at..offset_end,
                generation,
                used,
            });
        }
    }
}

fn number_token(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let at = skip_ws(bytes, at);
    let len = bytes
        .get(at..)?
        .iter()
        .take(20)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if len == 0 {
        return None;
    }
    let n = std::str::from_utf8(bytes.get(at..at + len)?)
        .ok()?
        .parse()
        .ok()?;
    Some((n, at + len))
}

fn key_number(dict: &[u8], key: &str) -> Option<usize> {
    let re = Regex::new(&format!(r"(?-u)/{key}\s+(\d{{1,19}})\b")).ok()?;
    let caps = re.captures(dict)?;
    std::str::from_utf8(caps.get(1)?.as_bytes())
        .ok()?
        .parse()
        .ok()
}

/// A cross-reference stream (`N G obj << /Type /XRef ... >> stream`),
/// read from the object lopdf loaded under that number.
fn stream_section(bytes: &[u8], at: usize, doc: &Document) -> Option<Section> {
    let at = skip_ws(bytes, at);
    let (num, rest) = number_token(bytes, at)?;
    let (generation, rest) = number_token(bytes, rest)?;
    let rest = skip_ws(bytes, rest);
    if bytes.get(rest..rest + 3) != Some(b"obj") {
        return None;
    }
    let id = (u32::try_from(num).ok()?, u16::try_from(generation).ok()?);
    let stream = match doc.objects.get(&id)? {
        Object::Stream(s) => s,
        _ => return None,
    };
    if stream.dict.get(b"Type").and_then(Object::as_name).ok() != Some(b"XRef") {
        return None;
    }
    let data = super::stream::decode(stream).ok()?;
    let w: Vec<usize> = stream
        .dict
        .get(b"W")
        .and_then(Object::as_array)
        .ok()?
        .iter()
        .map(|o| o.as_i64().ok().and_then(|v| usize::try_from(v).ok()))
        .collect::<Option<Vec<usize>>>()?;
    let [w0, w1, w2] = <[usize; 3]>::try_from(w).ok()?;
    let width = w0.checked_add(w1)?.checked_add(w2)?;
    if width == 0 || w0 > 8 || w1 > 8 || w2 > 8 {
        return None;
    }
    let size = stream.dict.get(b"Size").and_then(Object::as_i64).ok()?;
    let index: Vec<i64> = match stream.dict.get(b"Index") {
        Ok(Object::Array(a)) => a
            .iter()
            .map(|o| o.as_i64().ok())
            .collect::<Option<Vec<i64>>>()?,
        _ => vec![0, size],
    };
    let mut entries = BTreeMap::new();
    let mut rows = data.chunks_exact(width);
    for pair in index.chunks(2) {
        let (start, count) = match pair {
            [s, c] => (u32::try_from(*s).ok()?, usize::try_from(*c).ok()?),
            _ => return None,
        };
        for i in 0..count.min(MAX_SECTION_ENTRIES) {
            let Some(row) = rows.next() else {
                break;
            };
            let field = |from: usize, len: usize| -> Option<u64> {
                Some(
                    row.get(from..from.checked_add(len)?)?
                        .iter()
                        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
                )
            };
            // A missing type field means type 1 (in use).
            let kind = if w0 == 0 { 1 } else { field(0, w0)? };
            let second = field(w0, w1)?;
            let third = field(w0 + w1, w2)?;
            let n = start.checked_add(u32::try_from(i).ok()?)?;
            match kind {
                0 => {
                    entries.insert(n, Entry::Free);
                }
                1 => {
                    entries.insert(
                        n,
                        Entry::At {
                            offset: usize::try_from(second).ok()?,
                            in_stream_section: true,
                        },
                    );
                }
                2 => {
                    entries.insert(
                        n,
                        Entry::InStream {
                            container: u32::try_from(second).ok()?,
                            index: third,
                        },
                    );
                }
                // Unknown types are references to null (ISO 32000 7.5.8.3)
                // but not frees; leave them to lopdf.
                _ => {}
            }
        }
    }
    let prev = stream
        .dict
        .get(b"Prev")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|p| usize::try_from(p).ok());
    Some(Section { entries, prev })
}

/// How far (bytes) an in-use entry's offset may be from its object's
/// `N G obj` header and still be corrected: about what a writer that
/// miscounts end-of-lines or a header line is off by.
const MAX_NUDGE: usize = 16;

/// A file whose classic xref entries point a few bytes away from their
/// objects (on the end-of-line before, into the header), corrected in
/// place: each such offset is replaced, digit for digit, by the one header
/// `N G obj` for that number and generation within [`MAX_NUDGE`] bytes.
/// Every reader accepts these files; this reads them without a rebuild by
/// scanning. `None` when nothing needs correcting, or when an entry is
/// off by more, or ambiguously (then recovery decides).
pub fn nudged(bytes: &[u8]) -> Option<Vec<u8>> {
    let header = find(bytes, b"%PDF-", 0).unwrap_or(0);
    let mut next = last_startxref(bytes)?;
    let mut seen = HashSet::new();
    let mut fixes: Vec<(usize, usize)> = Vec::new();
    for _ in 0..limits::MAX_REVISIONS {
        if !seen.insert(next) {
            break;
        }
        let at = skip_ws(bytes, header.checked_add(next)?);
        if bytes.get(at..at + 4) != Some(b"xref") {
            break;
        }
        let (table, at) = classic_entries(bytes, at + 4)?;
        for e in table.iter().filter(|e| e.used) {
            let want = header.checked_add(e.offset)?;
            if header_at(bytes, want, e.number, e.generation) {
                continue;
            }
            // Only a 10-digit field can be rewritten in place.
            if e.offset_digits.len() != 10 {
                return None;
            }
            let lo = want.saturating_sub(MAX_NUDGE);
            let hits: Vec<usize> = (lo..=want.saturating_add(MAX_NUDGE))
                .filter(|p| header_at(bytes, *p, e.number, e.generation))
                .filter(|p| *p == 0 || bytes.get(p - 1).is_some_and(|c| is_delimiter(*c)))
                .collect();
            match hits.as_slice() {
                [p] => fixes.push((e.offset_digits.start, p.checked_sub(header)?)),
                _ => return None,
            }
        }
        let end = find(bytes, b"startxref", at).unwrap_or(bytes.len());
        match key_number(bytes.get(at..end)?, "Prev") {
            Some(p) => next = p,
            None => break,
        }
    }
    if fixes.is_empty() {
        return None;
    }
    let mut out = bytes.to_vec();
    for (digits_at, offset) in fixes {
        let text = format!("{offset:010}");
        out.get_mut(digits_at..digits_at + 10)?
            .copy_from_slice(text.as_bytes());
    }
    Some(out)
}

fn is_delimiter(c: u8) -> bool {
    c.is_ascii_whitespace() || c == 0 || b"()<>[]{}/%".contains(&c)
}

/// Whether `N G obj` starts exactly at `at` (no whitespace skipped).
fn header_at(bytes: &[u8], at: usize, num: usize, generation: usize) -> bool {
    if !bytes.get(at).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let Some((n, rest)) = number_token(bytes, at) else {
        return false;
    };
    let Some((g, rest)) = number_token(bytes, rest) else {
        return false;
    };
    let rest = skip_ws(bytes, rest);
    n == num && g == generation && bytes.get(rest..rest + 3) == Some(b"obj")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file whose second section frees object 3, which the page's
    /// /Annots still names: the freed annotation is not read.
    #[test]
    fn an_object_freed_by_a_later_section_is_reported() {
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for body in [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            "<< /Type /Annot /Subtype /Square /Rect [0 0 10 10] >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Annots [3 0 R] >>",
        ] {
            offsets.push(pdf.len());
            let n = offsets.len();
            pdf.extend_from_slice(format!("{n} 0 obj\n{body}\nendobj\n").as_bytes());
        }
        let first = pdf.len();
        pdf.extend_from_slice(b"xref\n0 5\n0000000000 65535 f \n");
        for o in &offsets {
            pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{first}\n%%EOF\n").as_bytes(),
        );
        let second = pdf.len();
        pdf.extend_from_slice(
            format!("xref\n0 1\n0000000000 65535 f \n3 1\n0000000000 00001 f \ntrailer\n<< /Size 5 /Root 1 0 R /Prev {first} >>\nstartxref\n{second}\n%%EOF\n")
                .as_bytes(),
        );
        let doc = Document::load_mem(&pdf).expect("loads");
        assert!(
            doc.objects.contains_key(&(3, 0)),
            "lopdf reads the freed object"
        );
        assert_eq!(freed_objects(&pdf, &doc), vec![(3, 0)]);
        let cut = pdf.get(..second).expect("first revision");
        let doc = Document::load_mem(cut).expect("loads");
        assert!(freed_objects(cut, &doc).is_empty());
    }

    #[test]
    fn offsets_a_few_bytes_off_are_corrected_in_place() {
        let body = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n";
        let mut pdf = body.to_vec();
        let xref = pdf.len();
        // Object 1 is at 9, object 2 at 58: written as 11 and 55.
        pdf.extend_from_slice(format!("xref\n0 3\n0000000000 65535 f \n0000000011 00000 n \n0000000055 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes());
        let fixed = nudged(&pdf).expect("corrected");
        assert_eq!(fixed.len(), pdf.len());
        let text = String::from_utf8_lossy(&fixed);
        assert!(text.contains("0000000009 00000 n"), "{text}");
        assert!(text.contains("0000000058 00000 n"), "{text}");
        assert!(nudged(&fixed).is_none(), "nothing left to correct");
    }
}
