//! Structural checks of /ByteRange and /Contents before any cryptography:
//! exactly two ranges from the start of the file, a gap that is exactly the
//! /Contents hex string, and an end that is the end of a revision.

use super::SignatureField;
use crate::pdf::PdfFile;
use crate::report::{Code, Reason};

/// The result of the structural checks of one signature.
#[derive(Debug, Clone, Default)]
pub struct ByteRangeCheck {
    /// The two signed pieces, as offsets into the file: [(start, end)].
    /// Empty when the byte range cannot be used at all.
    pub pieces: Vec<(usize, usize)>,
    /// 1-based revision whose end the signed bytes reach.
    pub revision: Option<usize>,
    /// The signed bytes reach the end of the file (trailing end-of-line
    /// or padding whitespace aside).
    pub covers_whole_file: bool,
    pub reasons: Vec<Reason>,
}

impl ByteRangeCheck {
    /// Whether the byte range is usable for the digest check.
    pub fn usable(&self) -> bool {
        self.pieces.len() == 2
    }
}

pub fn check(file: &PdfFile, field: &SignatureField) -> ByteRangeCheck {
    let mut out = ByteRangeCheck::default();
    if field.damaged {
        out.reasons.push(Reason::new(Code::SignatureUnreadable));
        return out;
    }
    let len = file.bytes.len();
    match field.contents.as_deref() {
        None | Some([]) => out.reasons.push(Reason::new(Code::ContentsMissing)),
        Some(c) if c.iter().all(|&b| b == 0) => out.reasons.push(Reason::new(Code::ContentsZeroed)),
        Some(_) => {}
    }
    let Some(br) = field.byte_range.as_deref() else {
        out.reasons.push(Reason::new(Code::ByteRangeMissing));
        return out;
    };
    let [a, b, c, d] = match br {
        [a, b, c, d] => [*a, *b, *c, *d],
        _ => {
            out.reasons.push(Reason::detail(
                Code::ByteRangeInvalid,
                format!("{} numbers instead of 4", br.len()),
            ));
            return out;
        }
    };
    if a != 0 {
        out.reasons.push(Reason::new(Code::ByteRangeNotFromStart));
        return out;
    }
    let to_usize = |v: i64| usize::try_from(v).ok();
    let (Some(b), Some(c), Some(d)) = (to_usize(b), to_usize(c), to_usize(d)) else {
        out.reasons
            .push(Reason::detail(Code::ByteRangeInvalid, "negative numbers"));
        return out;
    };
    let Some(end) = c.checked_add(d) else {
        out.reasons
            .push(Reason::detail(Code::ByteRangeInvalid, "overflow"));
        return out;
    };
    if b == 0 || d == 0 || c <= b {
        out.reasons.push(Reason::detail(
            Code::ByteRangeInvalid,
            format!("[0 {b} {c} {d}] covers nothing or overlaps itself"),
        ));
        return out;
    }
    if end > len {
        out.reasons.push(Reason::detail(
            Code::ByteRangeInvalid,
            format!("it reaches byte {end} of a {len}-byte file"),
        ));
        return out;
    }
    out.pieces = vec![(0, b), (c, end)];

    // The gap must be exactly the signature value: '<' hex '>', and it must
    // be this dictionary's own /Contents. Anything else in the gap is
    // unsigned and may be displayed (signature wrapping).
    let gap = file.bytes.get(b..c).unwrap_or(&[]);
    let gap_is_hex = gap.len() >= 2
        && gap.first() == Some(&b'<')
        && gap.last() == Some(&b'>')
        && gap.get(1..gap.len() - 1).is_some_and(|h| {
            h.iter()
                .all(|x| x.is_ascii_hexdigit() || x.is_ascii_whitespace())
        });
    let gap_is_own_contents = match field.contents_span {
        Some(span) => span == (b, c),
        None => gap_is_hex && decoded_gap_matches(gap, field.contents.as_deref()),
    };
    if !gap_is_hex || !gap_is_own_contents {
        out.reasons.push(Reason::detail(
            Code::ByteRangeGapMismatch,
            format!("unsigned gap of {} bytes at {b}..{c}", c - b),
        ));
    }

    match file.revision_ending_at(end) {
        Some(rev) => {
            out.revision = Some(rev.index);
            let rest = file.bytes.get(end..).unwrap_or(&[]);
            out.covers_whole_file = rest.iter().all(|x| x.is_ascii_whitespace() || *x == 0);
            let is_last = file
                .revisions
                .last()
                .is_some_and(|last| last.index == rev.index);
            if is_last && !out.covers_whole_file && contains(rest, b"obj") {
                // Objects appended without a proper update section: some
                // readers still show them.
                out.reasons
                    .push(Reason::new(Code::UncoveredBytesAfterSignature));
            }
        }
        None if end == len => {
            // A file that ends without %%EOF at the end of the signed bytes:
            // nothing unsigned follows.
            out.covers_whole_file = true;
        }
        None => {
            out.reasons.push(Reason::detail(
                Code::ByteRangeNotRevisionEnd,
                format!("the signed bytes end at {end}, inside a version of the document"),
            ));
        }
    }
    out
}

fn decoded_gap_matches(gap: &[u8], contents: Option<&[u8]>) -> bool {
    let Some(contents) = contents else {
        return false;
    };
    let inner = gap.get(1..gap.len().saturating_sub(1)).unwrap_or(&[]);
    let digits: Vec<u8> = inner
        .iter()
        .copied()
        .filter(|x| !x.is_ascii_whitespace())
        .collect();
    hex::decode(digits).is_ok_and(|decoded| decoded == contents)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
