//! Stream data and references, read with limits.

use std::io::Read;

use lopdf::{Document, Object, Stream};

/// How many references are followed before giving up (a cycle or a chain
/// no honest file has).
const MAX_DEREF: usize = 16;

/// The object `obj` stands for, following references; a dangling or
/// cyclic reference gives Null.
pub fn deref<'a>(doc: &'a Document, mut obj: &'a Object) -> &'a Object {
    for _ in 0..MAX_DEREF {
        match obj {
            Object::Reference(id) => match doc.get_object(*id) {
                Ok(o) => obj = o,
                Err(_) => return &Object::Null,
            },
            _ => return obj,
        }
    }
    &Object::Null
}

/// The decoded data of a stream, at most `limit` bytes (cut there). None
/// where a filter is unknown or the data does not decode at all.
pub fn decode_stream(stream: &Stream, limit: usize) -> Option<Vec<u8>> {
    let filters: Vec<Vec<u8>> = match stream.dict.get(b"Filter") {
        Err(_) => Vec::new(),
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        Ok(_) => return None,
    };
    let has_predictor = stream
        .dict
        .get(b"DecodeParms")
        .ok()
        .is_some_and(|p| !matches!(p, Object::Null));
    let mut data = stream.content.clone();
    for f in &filters {
        data = match f.as_slice() {
            b"FlateDecode" | b"Fl" if !has_predictor => inflate(&data, limit)?,
            b"ASCIIHexDecode" | b"AHx" => ascii_hex(&data),
            b"ASCII85Decode" | b"A85" => ascii85(&data),
            _ => {
                // Predictors, LZW and the rest: lopdf decodes them. Its
                // output is not bounded, so only small inputs go there.
                if stream.content.len() > limit / 64 {
                    return None;
                }
                let mut s = stream.clone();
                s.content = data;
                s.dict.set("Filter", Object::Name(f.clone()));
                s.decompressed_content().ok()?
            }
        };
        data.truncate(limit);
    }
    data.truncate(limit);
    Some(data)
}

fn inflate(input: &[u8], limit: usize) -> Option<Vec<u8>> {
    let cap = u64::try_from(limit).unwrap_or(u64::MAX);
    let mut out = Vec::new();
    let ok = flate2::read::ZlibDecoder::new(input)
        .take(cap)
        .read_to_end(&mut out)
        .is_ok();
    if ok || !out.is_empty() {
        return Some(out);
    }
    // Some writers emit raw deflate, or a zlib stream with a bad checksum.
    out.clear();
    let raw = input.get(2..)?;
    let _ = flate2::read::DeflateDecoder::new(raw)
        .take(cap)
        .read_to_end(&mut out);
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

fn ascii_hex(input: &[u8]) -> Vec<u8> {
    let mut nibbles = Vec::new();
    for &c in input {
        if c == b'>' {
            break;
        }
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => continue,
        };
        nibbles.push(v);
    }
    if nibbles.len() % 2 == 1 {
        nibbles.push(0);
    }
    nibbles
        .chunks(2)
        .map(|p| (p.first().copied().unwrap_or(0) << 4) | p.get(1).copied().unwrap_or(0))
        .collect()
}

fn ascii85(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut group = [0u8; 5];
    let mut n = 0usize;
    let body = input.strip_prefix(b"<~").unwrap_or(input);
    for &c in body {
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

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;
    use std::io::Write;

    #[test]
    fn flate_is_bounded() {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![b'a'; 1_000_000]).unwrap();
        let s = Stream::new(
            dictionary! { "Filter" => "FlateDecode" },
            enc.finish().unwrap(),
        );
        assert_eq!(decode_stream(&s, 1000).unwrap().len(), 1000);
        assert_eq!(decode_stream(&s, 2_000_000).unwrap().len(), 1_000_000);
    }

    #[test]
    fn ascii_filters() {
        assert_eq!(ascii_hex(b"41 42 4>"), b"AB@");
        assert_eq!(ascii85(b"<~87cURDZ~>"), b"Hello");
        assert_eq!(ascii85(b"z~>"), [0, 0, 0, 0]);
        let s = Stream::new(dictionary! { "Filter" => "Crypt2" }, b"x".to_vec());
        assert!(decode_stream(&s, 100).is_none());
    }
}
