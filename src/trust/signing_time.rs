//! SPEC.md's rule for the time a signature is judged at: a trusted
//! timestamp, else the claimed time checked against the dates the signed
//! bytes carry.

use std::sync::OnceLock;
use time::{Duration, OffsetDateTime};

use crate::report::{Code, Reason, SigningTimeSource};

/// A claim may be this much earlier than a date the document carries
/// (time zones, clocks) before it is disbelieved.
const TOLERANCE: Duration = Duration::days(1);

/// The time a signer's certificate is judged at, where it came from, and
/// what the record should say about it.
#[derive(Debug, Clone)]
pub struct JudgedTime {
    pub at: OffsetDateTime,
    pub source: SigningTimeSource,
    pub reasons: Vec<Reason>,
}

/// SPEC's rule: a trusted timestamp wins; else a trusted document timestamp
/// that covers the signature (the signature existed by then); else the
/// claimed time, unless it is more than a day earlier than a date in the
/// signed document, in which case the latest such date; else the latest
/// document date; else now.
pub fn judge(
    trusted_timestamp: Option<OffsetDateTime>,
    doc_timestamp: Option<OffsetDateTime>,
    claimed: Option<OffsetDateTime>,
    document_dates: &[OffsetDateTime],
    now: OffsetDateTime,
) -> JudgedTime {
    if let Some(t) = trusted_timestamp {
        return JudgedTime {
            at: t,
            source: SigningTimeSource::Timestamp,
            reasons: Vec::new(),
        };
    }
    if let Some(t) = doc_timestamp {
        // The proof is an upper bound, and it is the time judged at (as a
        // signature timestamp's is): a claim after it is not believed, and
        // one before it proves nothing more.
        let mut reasons = Vec::new();
        if let Some(c) = claimed.filter(|c| *c > t + TOLERANCE) {
            reasons.push(Reason::detail(
                Code::SigningTimeContradicted,
                format!(
                    "claimed {}, a document timestamp proves the signature existed by {}",
                    super::chain::rfc3339(c),
                    super::chain::rfc3339(t)
                ),
            ));
        }
        return JudgedTime {
            at: t,
            source: SigningTimeSource::DocTimestamp,
            reasons,
        };
    }
    let latest_doc = document_dates.iter().max().copied();
    let mut judged = match (claimed, latest_doc) {
        (Some(c), Some(d)) if c + TOLERANCE < d => JudgedTime {
            at: d,
            source: SigningTimeSource::DocumentDate,
            reasons: vec![Reason::detail(
                Code::SigningTimeContradicted,
                format!(
                    "claimed {}, the signed document is dated {}",
                    super::chain::rfc3339(c),
                    super::chain::rfc3339(d)
                ),
            )],
        },
        (Some(c), _) => JudgedTime {
            at: c,
            source: SigningTimeSource::Claimed,
            reasons: vec![Reason::detail(
                Code::SigningTimeClaimed,
                super::chain::rfc3339(c),
            )],
        },
        (None, Some(d)) => JudgedTime {
            at: d,
            source: SigningTimeSource::DocumentDate,
            reasons: vec![Reason::detail(
                Code::SigningTimeClaimed,
                "no signing time is given; the latest date in the signed document was used",
            )],
        },
        (None, None) => JudgedTime {
            at: now,
            source: SigningTimeSource::CheckTime,
            reasons: vec![Reason::detail(
                Code::SigningTimeClaimed,
                "no signing time is given; the certificate was judged at the time of the check",
            )],
        },
    };
    // Nothing was signed after the check: a future date is not believed.
    if judged.at > now + TOLERANCE {
        judged.reasons.push(Reason::detail(
            Code::SigningTimeContradicted,
            format!(
                "{} is in the future; the certificate was judged at the time of the check",
                super::chain::rfc3339(judged.at)
            ),
        ));
        judged.at = now;
        judged.source = SigningTimeSource::CheckTime;
    }
    judged
}

/// The largest XMP packet read for dates (bytes, decoded).
const MAX_XMP: usize = 4 * 1024 * 1024;

/// Dates the document itself carries: Info /CreationDate and /ModDate, XMP
/// dates.
pub fn document_dates(doc: &lopdf::Document) -> Vec<OffsetDateTime> {
    let mut out = Vec::new();
    let resolve = |o: &lopdf::Object| -> Option<lopdf::Object> {
        match o {
            lopdf::Object::Reference(id) => doc.get_object(*id).ok().cloned(),
            other => Some(other.clone()),
        }
    };
    if let Some(lopdf::Object::Dictionary(info)) = doc.trailer.get(b"Info").ok().and_then(resolve) {
        for key in [&b"CreationDate"[..], b"ModDate"] {
            if let Some(lopdf::Object::String(bytes, _)) = info.get(key).ok().and_then(resolve) {
                if let Some(t) = parse_pdf_date(&decode_text(&bytes)) {
                    out.push(t);
                }
            }
        }
    }
    let metadata = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Metadata").ok())
        .and_then(resolve);
    if let Some(lopdf::Object::Stream(stream)) = metadata {
        // Through the bounded decoder, capped at what an XMP packet may be:
        // a decompression bomb here is refused before anything larger is
        // allocated.
        if let Ok(data) = crate::pdf::stream::decode_within(&stream, MAX_XMP) {
            out.extend(xmp_dates(&String::from_utf8_lossy(&data)));
        }
    }
    out
}

/// PDF text strings are PDFDocEncoding or UTF-16BE with a BOM; dates are
/// ASCII either way.
fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        // An odd last byte is dropped, not padded.
        crate::pdf::utf16be_lossy(rest.get(..rest.len() & !1).unwrap_or(&[]))
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

/// xmp:CreateDate, xmp:ModifyDate, xmp:MetadataDate as elements or
/// attributes.
fn xmp_dates(xml: &str) -> Vec<OffsetDateTime> {
    // Compiled once per process (a batch reads thousands of XMP packets).
    static PATTERNS: OnceLock<Vec<regex::Regex>> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        let mut patterns = Vec::new();
        for name in ["xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"] {
            let element = format!(r"<{name}>\s*([^<]+?)\s*</{name}>");
            let attribute = format!(r#"{name}\s*=\s*["']([^"']+)["']"#);
            for pattern in [element, attribute] {
                if let Ok(re) = regex::Regex::new(&pattern) {
                    patterns.push(re);
                }
            }
        }
        patterns
    });
    let mut out = Vec::new();
    for re in patterns {
        for cap in re.captures_iter(xml).take(16) {
            if let Some(t) = cap.get(1).and_then(|m| parse_iso_date(m.as_str())) {
                out.push(t);
            }
        }
    }
    out
}

/// ISO 8601 / XMP dates: YYYY, YYYY-MM, YYYY-MM-DD, with THH:MM[:SS[.s]]
/// and Z or ±HH:MM.
pub fn parse_iso_date(s: &str) -> Option<OffsetDateTime> {
    static RE: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let re = RE
        .get_or_init(|| {
            regex::Regex::new(
                r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$",
            )
            .ok()
        })
        .as_ref()?;
    let c = re.captures(s.trim())?;
    let num = |i: usize, d: u32| -> Option<u32> {
        match c.get(i) {
            Some(m) => m.as_str().parse().ok(),
            None => Some(d),
        }
    };
    let offset = match c.get(7).map(|m| m.as_str()) {
        None | Some("Z") => time::UtcOffset::UTC,
        Some(z) => {
            let sign: i8 = if z.starts_with('-') { -1 } else { 1 };
            let digits: String = z.chars().filter(char::is_ascii_digit).collect();
            let h: i8 = digits.get(..2)?.parse().ok()?;
            let m: i8 = digits.get(2..4)?.parse().ok()?;
            time::UtcOffset::from_hms(sign * h, sign * m, 0).ok()?
        }
    };
    crate::crypto::tlv::date_time(
        num(1, 0)? as i32,
        num(2, 1)?,
        num(3, 1)?,
        num(4, 0)?,
        num(5, 0)?,
        num(6, 0)?,
        offset,
    )
}

/// Parses a PDF date string (D:YYYYMMDDHHmmSSOHH'mm'); every part after the
/// year is optional, as PDF allows.
pub fn parse_pdf_date(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim().trim_end_matches('\0');
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 || digits.len() > 14 || !digits.len().is_multiple_of(2) {
        return None;
    }
    let part = |a: usize, b: usize, d: u32| -> Option<u32> {
        match digits.get(a..b) {
            Some(p) => p.parse().ok(),
            None => Some(d),
        }
    };
    let year = part(0, 4, 0)? as i32;
    let rest = s.get(digits.len()..).unwrap_or("");
    let offset = match rest.chars().next() {
        None | Some('Z') => time::UtcOffset::UTC,
        Some(sign @ ('+' | '-')) => {
            let nums: Vec<i8> = rest
                .get(1..)
                .unwrap_or("")
                .split(['\'', ':'])
                .filter(|p| !p.is_empty())
                .filter_map(|p| p.parse().ok())
                .collect();
            let h = nums.first().copied().unwrap_or(0);
            let m = nums.get(1).copied().unwrap_or(0);
            let k: i8 = if sign == '-' { -1 } else { 1 };
            time::UtcOffset::from_hms(k * h, k * m, 0).ok()?
        }
        Some(_) => return None,
    };
    crate::crypto::tlv::date_time(
        year,
        part(4, 6, 1)?,
        part(6, 8, 1)?,
        part(8, 10, 0)?,
        part(10, 12, 0)?,
        part(12, 14, 0)?,
        offset,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn document_with_metadata(content: Vec<u8>, flate: bool) -> lopdf::Document {
        use lopdf::{dictionary, Object, Stream};
        let mut doc = lopdf::Document::with_version("1.7");
        let mut dict = dictionary! { "Type" => "Metadata", "Subtype" => "XML" };
        if flate {
            dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        }
        let meta = doc.add_object(Stream::new(dict, content));
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Metadata" => meta });
        doc.trailer.set("Root", catalog);
        doc
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(data).expect("in-memory write");
        enc.finish().expect("in-memory finish")
    }

    #[test]
    fn xmp_dates_are_read_through_the_bounded_decoder() {
        let xmp =
            b"<x:xmpmeta><xmp:CreateDate>2026-11-28T07:15:09+08:00</xmp:CreateDate></x:xmpmeta>";
        let doc = document_with_metadata(zlib(xmp), true);
        assert_eq!(
            document_dates(&doc),
            vec![datetime!(2026-11-27 23:15:09 UTC)]
        );
    }

    #[test]
    fn an_xmp_decompression_bomb_yields_no_dates() {
        // 300 MB of XMP-looking padding after a date: inflating it in full
        // is what the bounded decoder refuses.
        let mut xmp =
            b"<x:xmpmeta><xmp:CreateDate>2026-11-28T07:15:09+08:00</xmp:CreateDate>".to_vec();
        xmp.resize(300 * 1024 * 1024, b' ');
        let compressed = {
            use std::io::Write;
            let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            enc.write_all(&xmp).expect("in-memory write");
            enc.finish().expect("in-memory finish")
        };
        assert!(compressed.len() < 2 * 1024 * 1024);
        let doc = document_with_metadata(compressed, true);
        assert!(document_dates(&doc).is_empty());
    }

    #[test]
    fn pdf_dates() {
        assert_eq!(
            parse_pdf_date("D:20261128071509+08'00'"),
            Some(datetime!(2026-11-27 23:15:09 UTC))
        );
        assert_eq!(
            parse_pdf_date("D:20240101"),
            Some(datetime!(2024-01-01 0:00 UTC))
        );
        assert_eq!(
            parse_pdf_date("D:20261128071509Z"),
            Some(datetime!(2026-11-28 07:15:09 UTC))
        );
        assert_eq!(parse_pdf_date("D:2026131"), None);
        assert_eq!(parse_pdf_date("D:20261332000000Z"), None);
        assert_eq!(parse_pdf_date("yesterday"), None);
    }

    #[test]
    fn xmp() {
        let x = r#"<x:xmpmeta><rdf:Description xmp:CreateDate="2025-03-01T10:00:00+08:00">
            <xmp:ModifyDate>2025-03-02T00:00:00Z</xmp:ModifyDate></rdf:Description></x:xmpmeta>"#;
        let mut d = xmp_dates(x);
        d.sort();
        assert_eq!(
            d,
            vec![
                datetime!(2025-03-01 02:00 UTC),
                datetime!(2025-03-02 00:00 UTC)
            ]
        );
    }

    #[test]
    fn the_rule() {
        let now = datetime!(2026-11-28 0:00 UTC);
        let doc = [datetime!(2026-01-10 0:00 UTC)];
        let ts = judge(
            Some(datetime!(2026-01-11 0:00 UTC)),
            None,
            Some(datetime!(2020-01-01 0:00 UTC)),
            &doc,
            now,
        );
        assert_eq!(
            (ts.source, ts.at),
            (SigningTimeSource::Timestamp, datetime!(2026-01-11 0:00 UTC))
        );
        let back = judge(None, None, Some(datetime!(2020-01-01 0:00 UTC)), &doc, now);
        assert_eq!(
            (back.source, back.at),
            (SigningTimeSource::DocumentDate, doc[0])
        );
        assert_eq!(back.reasons[0].code, Code::SigningTimeContradicted);
        // Within a day (time zones) the claim stands.
        let close = judge(None, None, Some(datetime!(2026-01-09 12:00 UTC)), &doc, now);
        assert_eq!(
            (close.source, close.at),
            (SigningTimeSource::Claimed, datetime!(2026-01-09 12:00 UTC))
        );
        assert_eq!(close.reasons[0].code, Code::SigningTimeClaimed);
        assert_eq!(judge(None, None, None, &[], now).at, now);
        // A covering document timestamp fixes the time, over the claim and
        // the document's dates; a claim after it is contradicted.
        let proven = datetime!(2026-02-01 0:00 UTC);
        let by_doc = judge(
            None,
            Some(proven),
            Some(datetime!(2026-01-20 0:00 UTC)),
            &doc,
            now,
        );
        assert_eq!(
            (by_doc.source, by_doc.at),
            (SigningTimeSource::DocTimestamp, proven)
        );
        assert!(by_doc.reasons.is_empty());
        let late_claim = judge(
            None,
            Some(proven),
            Some(datetime!(2026-03-01 0:00 UTC)),
            &doc,
            now,
        );
        assert_eq!(late_claim.at, proven);
        assert_eq!(late_claim.reasons[0].code, Code::SigningTimeContradicted);
        let future = judge(None, None, Some(datetime!(2030-01-01 0:00 UTC)), &[], now);
        assert_eq!(future.at, now);
        assert!(future
            .reasons
            .iter()
            .any(|r| r.code == Code::SigningTimeContradicted));
    }
}
