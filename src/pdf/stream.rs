//! The one bounded stream decoder. lopdf's own decoding has no bound on
//! output size, so a small FlateDecode stream could expand to gigabytes (a
//! decompression bomb). Every stream certcheck decodes, and every stream it
//! lets a library decode, goes through here first: Flate and LZW data is
//! inflated into a counter with a cap (no allocation), one filter of a
//! chain at a time, and only data within the limits is handed to lopdf's
//! decoders (which know every predictor).

use std::io::{Read, Write};

use lopdf::{Object, Stream};

use super::limits::{MAX_DECODED_STREAM, MAX_DECOMPRESSION_RATIO};
use super::PdfError;

fn filters(stream: &Stream) -> Option<Vec<Vec<u8>>> {
    match stream.dict.get(b"Filter") {
        Err(_) => Some(Vec::new()),
        Ok(Object::Name(n)) => Some(vec![n.clone()]),
        Ok(Object::Array(a)) => Some(
            a.iter()
                .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
                .collect(),
        ),
        Ok(_) => None,
    }
}

/// The decoded content of `stream`, or an error when decoding fails or
/// would exceed [`MAX_DECODED_STREAM`] or [`MAX_DECOMPRESSION_RATIO`].
pub fn decode(stream: &Stream) -> Result<Vec<u8>, PdfError> {
    decode_within(stream, MAX_DECODED_STREAM)
}

/// [`decode`] with a tighter cap of `max` decoded bytes, for data that is
/// known to be small (an XMP packet): nothing larger is ever allocated.
pub fn decode_within(stream: &Stream, max: usize) -> Result<Vec<u8>, PdfError> {
    let filters = filters(stream).unwrap_or_default();
    if filters.is_empty() {
        return Ok(stream.content.clone());
    }
    if filters.len() > 4 {
        return Err(PdfError::Limit("more than four stream filters".into()));
    }
    let cap = cap_for(stream.content.len()).min(max);
    // A Flate filter behind another one whose worst-case expansion (about
    // 1032:1) passes the limit is refused before anything runs.
    let later_flate = filters
        .iter()
        .skip(1)
        .any(|f| f == b"FlateDecode" || f == b"Fl");
    if later_flate && stream.content.len().saturating_mul(1032) > MAX_DECODED_STREAM.min(max) {
        return Err(PdfError::Limit(format!(
            "a {}-byte stream with a chained Flate filter could expand past the limit",
            stream.content.len()
        )));
    }
    // One filter at a time, each measured before lopdf runs it, so that
    // no stage of a chain can allocate past the cap. lopdf applies the
    // same DecodeParms dictionary after each filter, as here.
    let mut stage = Stream::new(stream.dict.clone(), stream.content.clone());
    for f in &filters {
        let size = decoded_size(f, &stage, cap);
        if size > cap {
            return Err(PdfError::Limit(format!(
                "a compressed stream of {} bytes expands past {cap} bytes",
                stream.content.len()
            )));
        }
        stage.dict.set("Filter", Object::Name(f.clone()));
        let decoded = std::panic::catch_unwind(|| stage.decompressed_content())
            .map_err(|_| PdfError::Unreadable("a stream decoder failed".into()))?
            .map_err(|e| PdfError::Unreadable(format!("stream cannot be decoded: {e}")))?;
        stage.content = decoded;
    }
    if stage.content.len() > cap {
        return Err(PdfError::Limit(format!(
            "a stream decodes to {} bytes",
            stage.content.len()
        )));
    }
    Ok(stage.content)
}

/// Whether `stream` decodes within the limits, for streams that another
/// library (pdf-extract) decodes without a bound of its own. A single
/// filter, the usual case, is measured without keeping its output.
pub fn check(stream: &Stream) -> Result<(), PdfError> {
    match filters(stream).unwrap_or_default().as_slice() {
        [] => Ok(()),
        [one] => {
            let cap = cap_for(stream.content.len());
            if decoded_size(one, stream, cap) > cap {
                return Err(PdfError::Limit(format!(
                    "a compressed stream of {} bytes expands past {cap} bytes",
                    stream.content.len()
                )));
            }
            Ok(())
        }
        _ => decode(stream).map(drop),
    }
}

/// How many bytes `filter` makes of `stream`'s content, counted without
/// keeping them and only up to `cap + 1`. Filters lopdf does not decode
/// count as their input (lopdf refuses them without allocating).
fn decoded_size(filter: &[u8], stream: &Stream, cap: usize) -> usize {
    let data = stream.content.as_slice();
    match filter {
        b"FlateDecode" | b"Fl" => {
            inflate_with(data, cap.saturating_add(1), &mut std::io::sink()).unwrap_or(0)
        }
        b"LZWDecode" | b"LZW" => lzw_size(stream, cap),
        b"ASCII85Decode" | b"A85" => ascii85_size(data),
        _ => data.len(),
    }
}

/// The stream's decoded data cut at `limit` bytes, for readers that use
/// what fits (the text reader's budget). None where a filter is unknown
/// or the data does not decode at all.
pub fn decode_prefix(stream: &Stream, limit: usize) -> Option<Vec<u8>> {
    let filters = filters(stream)?;
    let has_predictor = stream
        .dict
        .get(b"DecodeParms")
        .ok()
        .is_some_and(|p| !matches!(p, Object::Null));
    let mut data = stream.content.clone();
    for f in &filters {
        data = match f.as_slice() {
            b"FlateDecode" | b"Fl" if !has_predictor => inflate(&data, limit)?,
            b"ASCIIHexDecode" | b"AHx" => ascii_hex(&data, limit),
            b"ASCII85Decode" | b"A85" => ascii85(&data, limit),
            _ => {
                // Predictors, LZW and the rest: lopdf decodes them, through
                // the bounded decoder, and only small inputs go there.
                if stream.content.len() > limit / 64 {
                    return None;
                }
                let mut s = stream.clone();
                s.content = data;
                s.dict.set("Filter", Object::Name(f.clone()));
                decode(&s).ok()?
            }
        };
        data.truncate(limit);
    }
    data.truncate(limit);
    Some(data)
}

/// Zlib (or, where that fails before giving a byte, raw deflate after the
/// two-byte header, as lopdf does) inflated to at most `limit` bytes. A
/// stream cut short or with a bad checksum still yields what inflated.
/// None when nothing inflates at all.
pub fn inflate(data: &[u8], limit: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    inflate_with(data, limit, &mut out)?;
    Some(out)
}

/// Inflates into `out`, at most `limit` bytes, and says how many came.
fn inflate_with<W: Write>(data: &[u8], limit: usize, out: &mut W) -> Option<usize> {
    let limit = u64::try_from(limit).unwrap_or(u64::MAX);
    let mut counted = Counting { inner: out, n: 0 };
    let zlib = std::io::copy(
        &mut flate2::read::ZlibDecoder::new(data).take(limit),
        &mut counted,
    );
    if zlib.is_ok() || counted.n > 0 {
        return Some(counted.n);
    }
    let raw = data.get(2..)?;
    let _ = std::io::copy(
        &mut flate2::read::DeflateDecoder::new(raw).take(limit),
        &mut counted,
    );
    (counted.n > 0).then_some(counted.n)
}

/// How many bytes lopdf's LZW decoder would give (it uses EarlyChange 1
/// unless told otherwise), counted up to `cap + 1`.
fn lzw_size(stream: &Stream, cap: usize) -> usize {
    use weezl::{decode::Decoder, BitOrder};
    let early_change = stream
        .dict
        .get(b"DecodeParms")
        .and_then(Object::as_dict)
        .ok()
        .and_then(|p| p.get(b"EarlyChange").ok())
        .and_then(|p| p.as_i64().ok())
        .is_none_or(|v| v != 0);
    let mut decoder = if early_change {
        Decoder::with_tiff_size_switch(BitOrder::Msb, 8)
    } else {
        Decoder::new(BitOrder::Msb, 8)
    };
    let mut counted = Capped {
        n: 0,
        cap: cap.saturating_add(1),
    };
    let _ = decoder
        .into_stream(&mut counted)
        .decode_all(stream.content.as_slice());
    counted.n
}

/// A writer that keeps a count and, optionally, the bytes.
struct Counting<'a, W: Write> {
    inner: &'a mut W,
    n: usize,
}

impl<W: Write> Write for Counting<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.n = self.n.saturating_add(n);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A counting sink that stops the writer once `cap` bytes have come.
struct Capped {
    n: usize,
    cap: usize,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.n = self.n.saturating_add(buf.len());
        if self.n >= self.cap {
            return Err(std::io::Error::other("past the cap"));
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
        let inflated = inflate_with(data, cap.saturating_add(1), &mut std::io::sink());
        if inflated.unwrap_or(0) > cap {
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

fn ascii_hex(input: &[u8], limit: usize) -> Vec<u8> {
    hex_string(input, limit).0
}

/// The bytes of hex digits up to a `>` (a hex string after its `<`, the
/// ASCIIHexDecode filter's data): other bytes between are skipped, an odd
/// last digit is padded with 0, at most `limit` bytes are made. Also
/// returns how many input bytes were read, the `>` included.
pub fn hex_string(input: &[u8], limit: usize) -> (Vec<u8>, usize) {
    let mut nibbles = Vec::new();
    let mut read = 0;
    for &c in input {
        if nibbles.len() / 2 >= limit {
            break;
        }
        read += 1;
        if c == b'>' {
            break;
        }
        if let Some(v) = hex_digit(c) {
            nibbles.push(v);
        }
    }
    if nibbles.len() % 2 == 1 {
        nibbles.push(0);
    }
    let bytes = nibbles
        .chunks(2)
        .map(|p| (p.first().copied().unwrap_or(0) << 4) | p.get(1).copied().unwrap_or(0))
        .collect();
    (bytes, read)
}

/// The value of one hex digit.
pub fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn ascii85(input: &[u8], limit: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut group = [0u8; 5];
    let mut n = 0usize;
    let body = input.strip_prefix(b"<~").unwrap_or(input);
    for &c in body {
        if out.len() >= limit {
            break;
        }
        match c {
            b'~' => break,
            b'z' if n == 0 => out.extend_from_slice(&[0, 0, 0, 0]),
            b'!'..=b'u' => {
                if let Some(slot) = group.get_mut(n) {
                    *slot = c - b'!';
                }
                n += 1;
                if n == 5 {
                    out.extend_from_slice(&a85_word(&group).to_be_bytes());
                    n = 0;
                }
            }
            _ => {}
        }
    }
    if n > 1 {
        for slot in group.iter_mut().skip(n) {
            *slot = 84;
        }
        let word = a85_word(&group).to_be_bytes();
        out.extend_from_slice(word.get(..n - 1).unwrap_or(&[]));
    }
    out
}

fn a85_word(group: &[u8; 5]) -> u32 {
    group.iter().fold(0u32, |acc, &d| {
        acc.wrapping_mul(85).wrapping_add(u32::from(d))
    })
}

/// How many bytes [`ascii85`] makes of `input`, without making them.
fn ascii85_size(input: &[u8]) -> usize {
    let body = input.strip_prefix(b"<~").unwrap_or(input);
    let (mut size, mut n) = (0usize, 0usize);
    for &c in body {
        match c {
            b'~' => break,
            b'z' if n == 0 => size = size.saturating_add(4),
            b'!'..=b'u' => {
                n += 1;
                if n == 5 {
                    size = size.saturating_add(4);
                    n = 0;
                }
            }
            _ => {}
        }
    }
    size.saturating_add(n.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;
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

    #[test]
    fn flate_is_bounded() {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![b'a'; 1_000_000]).expect("in-memory");
        let s = Stream::new(
            dictionary! { "Filter" => "FlateDecode" },
            enc.finish().expect("in-memory"),
        );
        assert_eq!(decode_prefix(&s, 1000).expect("in-memory").len(), 1000);
        assert_eq!(
            decode_prefix(&s, 2_000_000).expect("in-memory").len(),
            1_000_000
        );
    }

    #[test]
    fn ascii_filters() {
        assert_eq!(ascii_hex(b"41 42 4>", 100), b"AB@");
        assert_eq!(ascii85(b"<~87cURDZ~>", 100), b"Hello");
        assert_eq!(ascii85(b"z~>", 100), [0, 0, 0, 0]);
        let s = Stream::new(dictionary! { "Filter" => "Crypt2" }, b"x".to_vec());
        assert!(decode_prefix(&s, 100).is_none());
    }

    #[test]
    fn ascii_decoders_stop_at_the_limit() {
        assert_eq!(ascii85(&vec![b'z'; 1000], 8).len(), 8);
        assert_eq!(ascii_hex(&vec![b'4'; 1000], 3).len(), 3);
        assert_eq!(ascii85_size(b"<~87cURDZ~>"), 5);
        assert_eq!(ascii85_size(b"zz~>"), 8);
    }

    /// A zlib stream whose header is broken: zlib gives nothing, and lopdf
    /// then inflates the raw deflate data after the header in full. The
    /// measurement follows the same rule, so the bomb is refused before
    /// lopdf sees it.
    #[test]
    fn refuses_a_bomb_behind_a_broken_zlib_header() {
        let mut bomb = flate(&vec![0u8; 200 * 1024 * 1024]);
        if let Some(b) = bomb.get_mut(1) {
            *b ^= 0x01;
        }
        assert!(matches!(
            decode(&stream(bomb.clone())),
            Err(PdfError::Limit(_))
        ));
        assert!(matches!(
            check(&stream(bomb.clone())),
            Err(PdfError::Limit(_))
        ));
        assert!(matches!(
            decode_within(&stream(flate(&vec![b' '; 100_000])), 1000),
            Err(PdfError::Limit(_))
        ));
    }

    #[test]
    fn refuses_an_lzw_bomb() {
        // 8-bit LZW (weezl, an independent encoder) of 300 MB of zeros.
        let data = vec![0u8; 300 * 1024 * 1024];
        let lzw = weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
            .encode(&data)
            .expect("in-memory");
        drop(data);
        let mut dict = Dictionary::new();
        dict.set("Filter", Object::Name(b"LZWDecode".to_vec()));
        assert!(matches!(
            decode(&Stream::new(dict, lzw)),
            Err(PdfError::Limit(_))
        ));
    }
}
