//! Decoding stream data within the limits. lopdf's own decoding has no
//! bound on output size, so a small FlateDecode stream could expand to
//! gigabytes (a decompression bomb): the inflated size is measured first,
//! with a cap, and only a stream within the limits is handed to lopdf's
//! decoders (which know every filter and predictor).

use std::io::Read;

use lopdf::{Object, Stream};

use super::limits::{MAX_DECODED_STREAM, MAX_DECOMPRESSION_RATIO};
use super::PdfError;

/// The decoded content of `stream`, or an error when decoding fails or
/// would exceed [`MAX_DECODED_STREAM`] or [`MAX_DECOMPRESSION_RATIO`].
pub fn decode(stream: &Stream) -> Result<Vec<u8>, PdfError> {
    let filters: Vec<Vec<u8>> = match stream.dict.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    };
    if filters.is_empty() {
        return Ok(stream.content.clone());
    }
    let cap = cap_for(stream.content.len());
    if filters.len() > 4 {
        return Err(PdfError::Limit("more than four stream filters".into()));
    }
    if filters
        .first()
        .is_some_and(|f| f == b"FlateDecode" || f == b"Fl")
    {
        let measured = inflated_size(&stream.content, cap)?;
        if measured > cap {
            return Err(PdfError::Limit(format!(
                "a compressed stream of {} bytes expands past {cap} bytes",
                stream.content.len()
            )));
        }
    }
    // A Flate filter behind another one (ASCIIHex, then Flate) cannot be
    // measured before lopdf runs the chain, so only inputs whose worst-case
    // expansion (deflate's is about 1032:1) stays within the cap go there.
    let later_flate = filters
        .iter()
        .skip(1)
        .any(|f| f == b"FlateDecode" || f == b"Fl");
    if later_flate && stream.content.len().saturating_mul(1032) > MAX_DECODED_STREAM {
        return Err(PdfError::Limit(format!(
            "a {}-byte stream with a chained Flate filter could expand past the limit",
            stream.content.len()
        )));
    }
    let decoded = std::panic::catch_unwind(|| stream.decompressed_content())
        .map_err(|_| PdfError::Unreadable("a stream decoder failed".into()))?
        .map_err(|e| PdfError::Unreadable(format!("stream cannot be decoded: {e}")))?;
    if decoded.len() > cap {
        return Err(PdfError::Limit(format!(
            "a stream decodes to {} bytes",
            decoded.len()
        )));
    }
    Ok(decoded)
}

/// Checks, before lopdf reads the file, that no object stream or xref
/// stream inflates past the limits: lopdf inflates those while loading,
/// without a bound, so a decompression bomb there must be caught first.
pub fn check_structural_streams(bytes: &[u8]) -> Result<(), PdfError> {
    let mut from = 0;
    let mut seen = 0usize;
    while let Some(at) = next_structural_type(bytes, from) {
        from = at + 5;
        seen += 1;
        if seen > 100_000 {
            return Err(PdfError::Limit("too many object streams".into()));
        }
        let window = bytes.get(at..bytes.len().min(at + 4096)).unwrap_or(&[]);
        let Some(kw) = find(window, b"stream") else {
            continue;
        };
        let mut start = at + kw + 6;
        if bytes.get(start) == Some(&b'\r') {
            start += 1;
        }
        if bytes.get(start) == Some(&b'\n') {
            start += 1;
        }
        let rest = bytes.get(start..).unwrap_or(&[]);
        let end = find(rest, b"endstream").unwrap_or(rest.len());
        let data = rest.get(..end).unwrap_or(&[]);
        let cap = cap_for(data.len());
        if inflated_size(data, cap)? > cap {
            return Err(PdfError::Limit(format!(
                "an object stream of {} bytes expands past {cap} bytes",
                data.len()
            )));
        }
    }
    Ok(())
}

fn next_structural_type(bytes: &[u8], from: usize) -> Option<usize> {
    let hay = bytes.get(from..)?;
    let obj_stm = find(hay, b"/ObjStm");
    let xref = find(hay, b"/XRef");
    let first = match (obj_stm, xref) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some(from + first)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// The most a stream of `encoded` bytes may decode to.
pub fn cap_for(encoded: usize) -> usize {
    encoded
        .saturating_mul(MAX_DECOMPRESSION_RATIO)
        .clamp(1024 * 1024, MAX_DECODED_STREAM)
}

/// Inflates at most `cap + 1` bytes of zlib (or raw deflate) data and
/// returns how many came out.
fn inflated_size(data: &[u8], cap: usize) -> Result<usize, PdfError> {
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    let mut sink = std::io::sink();
    let zlib = std::io::copy(
        &mut flate2::read::ZlibDecoder::new(data).take(limit),
        &mut sink,
    );
    match zlib {
        Ok(n) => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        // A truncated or raw-deflate stream: measure what inflates.
        Err(_) => {
            let raw = std::io::copy(
                &mut flate2::read::DeflateDecoder::new(data).take(limit),
                &mut sink,
            );
            Ok(raw
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
                .unwrap_or(0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::Dictionary;
    use std::io::Write;

    fn flate(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(data).expect("in-memory write");
        enc.finish().expect("in-memory finish")
    }

    fn stream(content: Vec<u8>) -> Stream {
        let mut dict = Dictionary::new();
        dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        Stream::new(dict, content)
    }

    #[test]
    fn decodes_an_ordinary_stream() {
        let s = stream(flate(b"BT /F1 12 Tf (hello) Tj ET"));
        assert_eq!(decode(&s).expect("decodes"), b"BT /F1 12 Tf (hello) Tj ET");
    }

    #[test]
    fn an_object_stream_bomb_is_refused_before_lopdf_reads_it() {
        let bomb = flate(&vec![b' '; 200 * 1024 * 1024]);
        let mut pdf =
            b"%PDF-1.7\n5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\n"
                .to_vec();
        pdf.extend_from_slice(&bomb);
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
        assert!(matches!(
            check_structural_streams(&pdf),
            Err(PdfError::Limit(_))
        ));
        let ok = flate(b"1 0 << >>");
        let mut fine = b"5 0 obj\n<< /Type /ObjStm /Filter /FlateDecode >>\nstream\n".to_vec();
        fine.extend_from_slice(&ok);
        fine.extend_from_slice(b"\nendstream\n");
        assert!(check_structural_streams(&fine).is_ok());
    }

    #[test]
    fn refuses_a_large_stream_with_flate_behind_another_filter() {
        let mut dict = Dictionary::new();
        dict.set(
            "Filter",
            Object::Array(vec![
                Object::Name(b"ASCIIHexDecode".to_vec()),
                Object::Name(b"FlateDecode".to_vec()),
            ]),
        );
        let hex = hex::encode(flate(&vec![0u8; 200 * 1024 * 1024])).into_bytes();
        assert!(matches!(
            decode(&Stream::new(dict.clone(), hex)),
            Err(PdfError::Limit(_))
        ));
        // A small one is not refused by the limit (whether lopdf's build
        // decodes the chain is another matter).
        let small = hex::encode(flate(b"fine")).into_bytes();
        assert!(!matches!(
            decode(&Stream::new(dict, small)),
            Err(PdfError::Limit(_))
        ));
    }

    #[test]
    fn refuses_a_decompression_bomb() {
        let bomb = flate(&vec![0u8; 200 * 1024 * 1024]);
        assert!(bomb.len() < 1024 * 1024);
        assert!(matches!(decode(&stream(bomb)), Err(PdfError::Limit(_))));
    }
}
