//! The one BER/DER reader for the structures certcheck reads by hand.
//!
//! CMS, timestamps and certificates are read tolerantly ([`read`]): signing
//! tools emit BER (indefinite lengths, chunked OCTET STRINGs) and
//! national-algorithm variants that strict DER decoders refuse. The
//! national seal structures (SES) are read as strict DER ([`read_der`]):
//! GM/T 0031 and GB/T 38540 require DER, and their signatures are over the
//! DER bytes, so anything else is not a seal. Every offset is checked and
//! nesting and element counts are bounded.

use std::borrow::Cow;

use thiserror::Error;

/// Nesting deeper than this is not a signature anyone made.
const MAX_DEPTH: usize = 48;
/// More elements in one constructed value than this is not a signature
/// anyone made.
const MAX_CHILDREN: usize = 100_001;
/// DER input of 256 MiB or more is refused outright (the bound of the `der`
/// crate the SES reader was first written with); no seal comes near it.
const MAX_DER_INPUT: usize = 0x0fff_ffff;

/// Which encoding rules an element must follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rules {
    /// BER: indefinite and non-minimal lengths, any low tag number.
    Ber,
    /// DER: definite, minimal lengths and only the tags of the types DER
    /// data read here uses.
    Der,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TlvError {
    #[error("truncated ASN.1 data")]
    Truncated,
    #[error("ASN.1 length is not usable")]
    BadLength,
    #[error("ASN.1 nesting is too deep")]
    TooDeep,
    #[error("high-tag-number ASN.1 tags are not used by CMS")]
    HighTag,
    #[error("unexpected ASN.1 element: {0}")]
    Unexpected(&'static str),
    #[error("too many ASN.1 elements")]
    TooMany,
    #[error("not DER: {0}")]
    NotDer(&'static str),
}

pub const SEQUENCE: u8 = 0x30;
pub const SET: u8 = 0x31;
pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OCTET_STRING: u8 = 0x04;
pub const NULL: u8 = 0x05;
pub const OID: u8 = 0x06;
pub const UTC_TIME: u8 = 0x17;
pub const GENERALIZED_TIME: u8 = 0x18;
pub const BOOLEAN: u8 = 0x01;
pub const UTF8_STRING: u8 = 0x0c;
pub const PRINTABLE_STRING: u8 = 0x13;
pub const TELETEX_STRING: u8 = 0x14;
pub const IA5_STRING: u8 = 0x16;
pub const VISIBLE_STRING: u8 = 0x1a;
pub const BMP_STRING: u8 = 0x1e;

/// One element: its identifier octet, its contents (without an
/// end-of-contents marker), and its whole encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
    /// Indefinite length (BER): `content` of a constructed element holds its
    /// children only.
    pub indefinite: bool,
}

impl<'a> Tlv<'a> {
    pub fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    /// The context-specific tag number if this element is `[n]`.
    pub fn context(&self) -> Option<u8> {
        (self.tag & 0xc0 == 0x80).then_some(self.tag & 0x1f)
    }

    /// The children of a constructed element.
    pub fn children(&self) -> Result<Vec<Tlv<'a>>, TlvError> {
        children(self.content)
    }

    /// The octets of an OCTET STRING, joining BER chunks.
    pub fn octets(&self) -> Result<Cow<'a, [u8]>, TlvError> {
        if !self.constructed() {
            return Ok(Cow::Borrowed(self.content));
        }
        let mut out = Vec::new();
        collect_chunks(self, &mut out, 0)?;
        Ok(Cow::Owned(out))
    }

    /// The element's encoding with its identifier octet replaced (signed
    /// attributes are signed as a SET, not as the `[0]` they are stored as).
    pub fn retagged(&self, tag: u8) -> Vec<u8> {
        let mut out = self.raw.to_vec();
        if let Some(first) = out.first_mut() {
            *first = tag;
        }
        out
    }

    pub fn expect_tag(self, tag: u8, what: &'static str) -> Result<Self, TlvError> {
        if self.tag == tag {
            Ok(self)
        } else {
            Err(TlvError::Unexpected(what))
        }
    }
}

fn collect_chunks(t: &Tlv, out: &mut Vec<u8>, depth: usize) -> Result<(), TlvError> {
    if depth > 8 {
        return Err(TlvError::TooDeep);
    }
    for c in t.children()? {
        if c.constructed() {
            collect_chunks(&c, out, depth + 1)?;
        } else {
            out.extend_from_slice(c.content);
        }
    }
    Ok(())
}

/// Reads one BER element from the front of `input`; returns it and the
/// rest.
pub fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    read_depth(input, 0, Rules::Ber)
}

/// Reads one DER element from the front of `input`; returns it and the
/// rest.
pub fn read_der(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    if input.len() > MAX_DER_INPUT {
        return Err(TlvError::BadLength);
    }
    read_depth(input, 0, Rules::Der)
}

/// Whether DER data read here may carry `tag`: the universal types of
/// X.690 that certificates and seals use, and any low-numbered
/// application, context-specific or private tag.
fn der_tag(tag: u8) -> bool {
    matches!(
        tag,
        0x01..=0x06 | 0x09 | 0x0a | 0x0c | 0x12..=0x18 | 0x1a | 0x1e | 0x30 | 0x31 | 0x40..
    )
}

fn read_depth(input: &[u8], depth: usize, rules: Rules) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    if depth > MAX_DEPTH {
        return Err(TlvError::TooDeep);
    }
    let tag = *input.first().ok_or(TlvError::Truncated)?;
    if tag & 0x1f == 0x1f {
        return Err(TlvError::HighTag);
    }
    if rules == Rules::Der && !der_tag(tag) {
        return Err(TlvError::NotDer("a tag no DER type read here has"));
    }
    let first_len = *input.get(1).ok_or(TlvError::Truncated)?;
    let (len, header) = if first_len < 0x80 {
        (Some(first_len as usize), 2usize)
    } else if first_len == 0x80 {
        if rules == Rules::Der {
            return Err(TlvError::NotDer("indefinite length"));
        }
        (None, 2usize)
    } else {
        let n = (first_len & 0x7f) as usize;
        if n > 4 {
            return Err(TlvError::BadLength);
        }
        let bytes = input.get(2..2 + n).ok_or(TlvError::Truncated)?;
        let mut len = 0usize;
        for &b in bytes {
            len = len.checked_mul(256).ok_or(TlvError::BadLength)? | b as usize;
        }
        // DER lengths take the fewest octets: long form only from 0x80, and
        // no leading zero octet.
        if rules == Rules::Der && (len < 0x80 || bytes.first() == Some(&0)) {
            return Err(TlvError::NotDer("length not in its shortest form"));
        }
        (Some(len), 2 + n)
    };
    let (content, end, indefinite) = match len {
        Some(len) => {
            let end = header.checked_add(len).ok_or(TlvError::BadLength)?;
            let content = input.get(header..end).ok_or(TlvError::Truncated)?;
            (content, end, false)
        }
        None => {
            if tag & 0x20 == 0 {
                return Err(TlvError::BadLength);
            }
            // Walk the children until the end-of-contents marker.
            let body = input.get(header..).ok_or(TlvError::Truncated)?;
            let mut pos = 0usize;
            loop {
                let here = body.get(pos..).ok_or(TlvError::Truncated)?;
                if here.starts_with(&[0, 0]) {
                    break;
                }
                let (_, rest) = read_depth(here, depth + 1, rules)?;
                pos = body.len() - rest.len();
            }
            let content = body.get(..pos).ok_or(TlvError::Truncated)?;
            (content, header + pos + 2, true)
        }
    };
    let raw = input.get(..end).ok_or(TlvError::Truncated)?;
    let rest = input.get(end..).ok_or(TlvError::Truncated)?;
    Ok((
        Tlv {
            tag,
            content,
            raw,
            indefinite,
        },
        rest,
    ))
}

/// All BER elements in `input`, which must hold nothing else.
pub fn children(input: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    elements(input, MAX_CHILDREN, read)
}

/// All DER elements in `input`, which must hold nothing else and at most
/// `max` of them.
pub fn der_children(input: &[u8], max: usize) -> Result<Vec<Tlv<'_>>, TlvError> {
    elements(input, max, read_der)
}

type ReadFn = for<'a> fn(&'a [u8]) -> Result<(Tlv<'a>, &'a [u8]), TlvError>;

fn elements(mut input: &[u8], max: usize, read: ReadFn) -> Result<Vec<Tlv<'_>>, TlvError> {
    let mut out = Vec::new();
    while !input.is_empty() {
        if out.len() >= max {
            return Err(TlvError::TooMany);
        }
        let (t, rest) = read(input)?;
        out.push(t);
        input = rest;
    }
    Ok(out)
}

/// Reads the single BER element at the start of `input`, ignoring trailing
/// zero padding (PDF /Contents are padded to their reserved size) but not
/// other trailing bytes.
pub fn read_padded(input: &[u8]) -> Result<Tlv<'_>, TlvError> {
    padded(input, read)
}

/// [`read_padded`] for DER.
pub fn read_der_padded(input: &[u8]) -> Result<Tlv<'_>, TlvError> {
    padded(input, read_der)
}

fn padded(input: &[u8], read: ReadFn) -> Result<Tlv<'_>, TlvError> {
    let (t, rest) = read(input)?;
    if rest.iter().all(|&b| b == 0) {
        Ok(t)
    } else {
        Err(TlvError::Unexpected("bytes after the signature data"))
    }
}

/// Dotted form of an OBJECT IDENTIFIER's contents.
pub fn oid_string(content: &[u8]) -> Option<String> {
    if content.is_empty() || content.len() > 64 {
        return None;
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for (i, &b) in content.iter().enumerate() {
        value = value.checked_mul(128)? | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let (a, b) = match value {
                    0..=39 => (0, value),
                    40..=79 => (1, value - 40),
                    _ => (2, value - 80),
                };
                arcs.push(a);
                arcs.push(b);
            } else {
                arcs.push(value);
            }
            value = 0;
        } else if i + 1 == content.len() {
            return None;
        }
    }
    Some(
        arcs.iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// The OID of an OBJECT IDENTIFIER element.
pub fn oid_of(t: &Tlv) -> Result<String, TlvError> {
    if t.tag != OID {
        return Err(TlvError::Unexpected("object identifier"));
    }
    oid_string(t.content).ok_or(TlvError::Unexpected("object identifier"))
}

/// An AlgorithmIdentifier: its OID and its parameters' encoding (absent or
/// NULL parameters give `None`).
pub fn algorithm(t: &Tlv<'_>) -> Result<(String, Option<Vec<u8>>), TlvError> {
    let kids = t.expect_tag(SEQUENCE, "algorithm identifier")?.children()?;
    let oid = oid_of(kids.first().ok_or(TlvError::Unexpected("algorithm"))?)?;
    let params = kids
        .get(1)
        .filter(|p| p.tag != NULL)
        .map(|p| p.raw.to_vec());
    Ok((oid, params))
}

/// An INTEGER's magnitude without sign-padding zeros.
pub fn unsigned_bytes(content: &[u8]) -> &[u8] {
    let mut c = content;
    while c.len() > 1 && c.first() == Some(&0) {
        c = c.get(1..).unwrap_or(&[]);
    }
    c
}

/// A small non-negative INTEGER.
pub fn small_int(t: &Tlv) -> Option<u64> {
    if t.tag != INTEGER || t.content.is_empty() || t.content.len() > 8 {
        return None;
    }
    if t.content.first().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    Some(t.content.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b)))
}

/// UTCTime or GeneralizedTime to a date-time.
pub fn time_of(t: &Tlv) -> Option<time::OffsetDateTime> {
    let s = std::str::from_utf8(t.content).ok()?;
    match t.tag {
        UTC_TIME => parse_asn1_time(s, true),
        GENERALIZED_TIME => parse_asn1_time(s, false),
        _ => None,
    }
}

/// UTCTime (`utc`: YYMMDDhhmm[ss]) or GeneralizedTime (YYYYMMDDhhmm[ss][.f])
/// text with `Z`, an offset, or nothing (read as UTC).
pub fn parse_asn1_time(s: &str, utc: bool) -> Option<time::OffsetDateTime> {
    let s = s.trim();
    let digits = |x: &str| -> Option<u32> {
        if x.bytes().all(|b| b.is_ascii_digit()) {
            x.parse().ok()
        } else {
            None
        }
    };
    let (year, rest) = if utc {
        let yy = digits(s.get(..2)?)? as i32;
        (if yy >= 50 { 1900 + yy } else { 2000 + yy }, s.get(2..)?)
    } else {
        (digits(s.get(..4)?)? as i32, s.get(4..)?)
    };
    let month = digits(rest.get(..2)?)?;
    let day = digits(rest.get(2..4)?)?;
    let hour = digits(rest.get(4..6)?)?;
    let minute = digits(rest.get(6..8)?)?;
    let mut tail = rest.get(8..)?;
    let mut second = 0;
    if tail.len() >= 2 && tail.as_bytes().first().is_some_and(|b| b.is_ascii_digit()) {
        second = digits(tail.get(..2)?)?;
        tail = tail.get(2..)?;
    }
    // Fractions of a second do not matter for validity periods.
    if let Some(frac) = tail.strip_prefix(['.', ',']) {
        let n = frac.bytes().take_while(|b| b.is_ascii_digit()).count();
        tail = frac.get(n..)?;
    }
    let offset = match tail {
        "Z" | "" => time::UtcOffset::UTC,
        t if t.len() == 5 && (t.starts_with('+') || t.starts_with('-')) => {
            let h = digits(t.get(1..3)?)? as i8;
            let m = digits(t.get(3..5)?)? as i8;
            let sign = if t.starts_with('-') { -1 } else { 1 };
            time::UtcOffset::from_hms(sign * h, sign * m, 0).ok()?
        }
        _ => return None,
    };
    date_time(year, month, day, hour, minute, second, offset)
        .map(|t| t.to_offset(time::UtcOffset::UTC))
}

/// A date-time from its parts, `None` where a part is out of range (a
/// leap second is read as second 59). Shared by the PDF and ASN.1 date
/// parsers.
pub(crate) fn date_time(
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    offset: time::UtcOffset,
) -> Option<time::OffsetDateTime> {
    let date = time::Date::from_calendar_date(
        year,
        time::Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    let t = time::Time::from_hms(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second.min(59)).ok()?,
    )
    .ok()?;
    Some(time::PrimitiveDateTime::new(date, t).assume_offset(offset))
}

/// DER encoding helpers for the few structures certcheck writes (tests and
/// re-encoding).
pub fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = der_header(tag, content.len());
    out.extend_from_slice(content);
    out
}

/// The DER identifier and length octets of an element of `len` bytes.
pub fn der_header(tag: u8, len: usize) -> Vec<u8> {
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let used = bytes.get(skip..).unwrap_or(&[]);
        out.push(0x80 | used.len() as u8);
        out.extend_from_slice(used);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_definite_and_indefinite() {
        let der = encode(
            SEQUENCE,
            &[&encode(INTEGER, &[5])[..], &encode(NULL, &[])].concat(),
        );
        let (t, rest) = read(&der).unwrap();
        assert!(rest.is_empty());
        assert_eq!(t.children().unwrap().len(), 2);
        // BER: indefinite SEQUENCE holding a chunked OCTET STRING.
        let ber = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x01, 0xaa, 0x04, 0x02, 0xbb, 0xcc, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00,
        ];
        let t = read_padded(&ber).unwrap();
        assert!(t.indefinite);
        let kids = t.children().unwrap();
        assert_eq!(kids.len(), 1);
        assert_eq!(kids[0].octets().unwrap().as_ref(), &[0xaa, 0xbb, 0xcc]);
    }

    #[test]
    fn rejects_truncation_and_trailing_garbage() {
        assert!(read(&[0x30, 0x05, 0x02]).is_err());
        assert!(read(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(read_padded(&[0x05, 0x00, 0x01]).is_err());
        assert!(read(&[0x30, 0x80, 0x30, 0x80]).is_err());
    }

    #[test]
    fn der_reading_refuses_what_only_ber_allows() {
        let der = encode(
            SEQUENCE,
            &[encode(INTEGER, &[5]), encode(NULL, &[])].concat(),
        );
        let (t, rest) = read_der(&der).unwrap();
        assert!(rest.is_empty());
        assert_eq!(der_children(t.content, 2).unwrap().len(), 2);
        assert_eq!(der_children(t.content, 1), Err(TlvError::TooMany));
        // Each of these reads as BER but is not DER.
        for ber in [
            &[0x30, 0x80, 0x05, 0x00, 0x00, 0x00][..],
            &[0x04, 0x81, 0x01, 0xaa],
            &[0x04, 0x82, 0x00, 0x01, 0xaa],
            &[0x24, 0x03, 0x04, 0x01, 0xaa],
            &[0x07, 0x01, 0x00],
        ] {
            assert!(read(ber).is_ok(), "{ber:02x?}");
            assert!(
                matches!(read_der(ber), Err(TlvError::NotDer(_))),
                "{ber:02x?}"
            );
        }
        let long = encode(OCTET_STRING, &[0xaa; 0x80]);
        assert_eq!(read_der(&long).unwrap().0.content.len(), 0x80);
        assert_eq!(
            read_der_padded(&[0x05, 0x00, 0x00, 0x00]).unwrap().tag,
            NULL
        );
        assert!(read_der_padded(&[0x05, 0x00, 0x01]).is_err());
        assert_eq!(read_der(&[0xa0, 0x00]).unwrap().0.context(), Some(0));
    }

    #[test]
    fn oids_and_times() {
        assert_eq!(
            oid_string(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]).as_deref(),
            Some("1.2.840.113549.1.7.2")
        );
        assert_eq!(
            oid_string(&[0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x11]).as_deref(),
            Some("1.2.156.10197.1.401")
        );
        let t = encode(UTC_TIME, b"261128071509Z");
        let (t, _) = read(&t).unwrap();
        let when = time_of(&t).unwrap();
        assert_eq!(when.year(), 2026);
        assert_eq!(when.second(), 9);
        let g = encode(GENERALIZED_TIME, b"20261128071509.123Z");
        assert_eq!(time_of(&read(&g).unwrap().0).unwrap(), when);
    }
}
