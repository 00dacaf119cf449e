//! What a content stream paints, as far as change analysis needs it: the
//! decoded bytes of a stream (bounded), where text is shown on a page, and
//! the text an appearance stream paints. This is not a text extractor; it
//! only has to tell a clerk "this box shows 程国华" and whether a new widget
//! sits on top of page text.

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, Stream};

use crate::pdf::limits;

/// Most operations read from one content stream.
const MAX_OPERATIONS: usize = 200_000;
/// Deepest nesting of form XObjects followed when collecting painted text.
const MAX_FORM_DEPTH: usize = 4;
/// Most characters of painted text kept for a description.
const MAX_TEXT: usize = 200;

/// Resolves a reference (a few hops, cycle-safe by count).
pub(crate) fn resolve<'a>(doc: &'a Document, mut obj: &'a Object) -> &'a Object {
    for _ in 0..limits::MAX_DEPTH {
        match obj {
            Object::Reference(id) => match doc.objects.get(id) {
                Some(o) => obj = o,
                None => return &Object::Null,
            },
            _ => return obj,
        }
    }
    &Object::Null
}

pub(crate) fn dict_get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> &'a Object {
    match dict.get(key) {
        Ok(o) => resolve(doc, o),
        Err(_) => &Object::Null,
    }
}

/// The decoded data of a stream, or `None` when a filter is not supported
/// or the data would exceed the limits (a decompression bomb).
pub(crate) fn stream_bytes(stream: &Stream) -> Option<Vec<u8>> {
    let filters: Vec<Vec<u8>> = match stream.dict.get(b"Filter") {
        Err(_) => return Some(stream.content.clone()),
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        Ok(_) => return None,
    };
    if filters.is_empty() {
        return Some(stream.content.clone());
    }
    let has_params = match stream.dict.get(b"DecodeParms") {
        Ok(Object::Null) | Err(_) => false,
        Ok(Object::Dictionary(d)) => d
            .get(b"Predictor")
            .ok()
            .and_then(|p| p.as_i64().ok())
            .is_some_and(|p| p > 1),
        Ok(_) => true,
    };
    let cap = limits::MAX_DECODED_STREAM.min(
        stream
            .content
            .len()
            .saturating_mul(limits::MAX_DECOMPRESSION_RATIO)
            .max(1024 * 1024),
    );
    if filters.len() == 1
        && filters.first().map(Vec::as_slice) == Some(b"FlateDecode")
        && !has_params
    {
        let mut out = Vec::new();
        let decoder = flate2::read::ZlibDecoder::new(stream.content.as_slice());
        // A truncated or damaged stream still yields what was decoded;
        // comparisons only need the bytes to be deterministic.
        let read = decoder.take(cap as u64 + 1).read_to_end(&mut out);
        if read.is_err() && out.is_empty() {
            return None;
        }
        if out.len() > cap {
            return None;
        }
        return Some(out);
    }
    // Other filters: let lopdf decode small streams only, so the output
    // stays bounded by the ratio limit.
    if stream
        .content
        .len()
        .saturating_mul(limits::MAX_DECOMPRESSION_RATIO)
        > limits::MAX_DECODED_STREAM
    {
        return None;
    }
    catch_unwind(AssertUnwindSafe(|| stream.decompressed_content().ok()))
        .ok()
        .flatten()
        .filter(|d| d.len() <= cap)
}

/// The operations of a content stream; an unparsable stream yields none.
pub(crate) fn operations(data: &[u8]) -> Vec<Operation> {
    let parsed = catch_unwind(AssertUnwindSafe(|| Content::decode(data).ok()))
        .ok()
        .flatten();
    match parsed {
        Some(c) => c.operations.into_iter().take(MAX_OPERATIONS).collect(),
        None => Vec::new(),
    }
}

/// The concatenated decoded content of a page's /Contents (a stream or an
/// array of streams). Unreadable parts are replaced by their raw bytes so
/// that any change to them still shows.
pub(crate) fn page_content(doc: &Document, contents: &Object) -> Vec<u8> {
    let mut out = Vec::new();
    match resolve(doc, contents) {
        Object::Stream(s) => out.extend(stream_bytes(s).unwrap_or_else(|| s.content.clone())),
        Object::Array(items) => {
            for item in items.iter().take(10_000) {
                if let Object::Stream(s) = resolve(doc, item) {
                    out.extend(stream_bytes(s).unwrap_or_else(|| s.content.clone()));
                    out.push(b'\n');
                }
                if out.len() > limits::MAX_DECODED_STREAM {
                    break;
                }
            }
        }
        _ => {}
    }
    out
}

fn num(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// An affine matrix [a b c d e f].
#[derive(Clone, Copy, Debug)]
struct Matrix([f64; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn from_operands(ops: &[Object]) -> Option<Matrix> {
        if ops.len() != 6 {
            return None;
        }
        let mut m = [0.0; 6];
        for (slot, o) in m.iter_mut().zip(ops) {
            *slot = num(o)?;
        }
        Some(Matrix(m))
    }

    /// self × other (self applied first).
    fn then(self, other: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn translate(tx: f64, ty: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, tx, ty])
    }

    fn origin(self) -> (f64, f64) {
        (self.0[4], self.0[5])
    }
}

/// Where on the page (user space) each piece of text is shown: the text
/// origin of every show-text operator. Good enough to tell whether a box
/// placed later sits on top of printed text.
pub(crate) fn text_origins(content: &[u8]) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut ctm = Matrix::IDENTITY;
    let mut stack: Vec<Matrix> = Vec::new();
    let mut tm = Matrix::IDENTITY;
    let mut tlm = Matrix::IDENTITY;
    let mut leading = 0.0;
    for op in operations(content) {
        let o = op.operands.as_slice();
        match op.operator.as_str() {
            // Nesting beyond any real content is ignored, not followed.
            "q" if stack.len() < 256 => stack.push(ctm),
            "Q" => ctm = stack.pop().unwrap_or(Matrix::IDENTITY),
            "cm" => {
                if let Some(m) = Matrix::from_operands(o) {
                    ctm = m.then(ctm);
                }
            }
            "BT" => {
                tm = Matrix::IDENTITY;
                tlm = Matrix::IDENTITY;
            }
            "Tm" => {
                if let Some(m) = Matrix::from_operands(o) {
                    tm = m;
                    tlm = m;
                }
            }
            "TL" => leading = o.first().and_then(num).unwrap_or(leading),
            "Td" | "TD" => {
                let tx = o.first().and_then(num).unwrap_or(0.0);
                let ty = o.get(1).and_then(num).unwrap_or(0.0);
                if op.operator == "TD" {
                    leading = -ty;
                }
                tlm = Matrix::translate(tx, ty).then(tlm);
                tm = tlm;
            }
            "T*" => {
                tlm = Matrix::translate(0.0, -leading).then(tlm);
                tm = tlm;
            }
            "Tj" | "TJ" | "'" | "\"" => {
                if op.operator == "'" || op.operator == "\"" {
                    tlm = Matrix::translate(0.0, -leading).then(tlm);
                    tm = tlm;
                }
                out.push(tm.then(ctm).origin());
            }
            _ => {}
        }
    }
    out
}

/// Whether a content stream paints anything at all (fills, strokes, text,
/// images, shadings). An empty appearance paints nothing.
pub(crate) fn paints_anything(content: &[u8]) -> bool {
    operations(content).iter().any(|op| {
        matches!(
            op.operator.as_str(),
            "f" | "F"
                | "f*"
                | "B"
                | "B*"
                | "b"
                | "b*"
                | "S"
                | "s"
                | "Tj"
                | "TJ"
                | "'"
                | "\""
                | "Do"
                | "sh"
                | "BI"
                | "EI"
        )
    })
}

/// Decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, or
/// PDFDocEncoding, read as Latin-1 here).
pub(crate) fn text_string(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| {
                let hi = c.first().copied().unwrap_or(0);
                let lo = c.get(1).copied().unwrap_or(0);
                u16::from_be_bytes([hi, lo])
            })
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn decode_with_font(doc: &Document, font: Option<&Dictionary>, bytes: &[u8]) -> String {
    let Some(font) = font else {
        return bytes.iter().map(|&b| char::from(b)).collect();
    };
    let attempt = |f: &Dictionary| -> Option<String> {
        catch_unwind(AssertUnwindSafe(|| {
            f.get_font_encoding(doc)
                .ok()
                .and_then(|enc| enc.bytes_to_string(bytes).ok())
        }))
        .ok()
        .flatten()
    };
    if let Some(s) = attempt(font) {
        return s;
    }
    // Identity-H and other CMaps lopdf cannot map: read through the
    // ToUnicode map by asking again without /Encoding.
    if font.has(b"ToUnicode") {
        let mut bare = font.clone();
        bare.remove(b"Encoding");
        if let Some(s) = attempt(&bare) {
            return s;
        }
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn collect_text(doc: &Document, stream: &Stream, depth: usize, out: &mut String) {
    if depth > MAX_FORM_DEPTH || out.chars().count() >= MAX_TEXT {
        return;
    }
    let Some(data) = stream_bytes(stream) else {
        return;
    };
    let resources = match dict_get(doc, &stream.dict, b"Resources") {
        Object::Dictionary(d) => Some(d),
        _ => None,
    };
    let fonts = resources.and_then(|r| match dict_get(doc, r, b"Font") {
        Object::Dictionary(d) => Some(d),
        _ => None,
    });
    let xobjects = resources.and_then(|r| match dict_get(doc, r, b"XObject") {
        Object::Dictionary(d) => Some(d),
        _ => None,
    });
    let mut font: Option<&Dictionary> = None;
    for op in operations(&data) {
        match op.operator.as_str() {
            "Tf" => {
                font = op
                    .operands
                    .first()
                    .and_then(|n| n.as_name().ok())
                    .and_then(|name| fonts.map(|f| dict_get(doc, f, name)))
                    .and_then(|o| o.as_dict().ok());
            }
            "Tj" | "'" | "\"" => {
                if let Some(Object::String(s, _)) = op.operands.last() {
                    out.push_str(&decode_with_font(doc, font, s));
                }
            }
            "TJ" => {
                if let Some(Object::Array(parts)) = op.operands.first() {
                    for p in parts {
                        if let Object::String(s, _) = p {
                            out.push_str(&decode_with_font(doc, font, s));
                        }
                    }
                }
            }
            "Do" => {
                let target = op
                    .operands
                    .first()
                    .and_then(|n| n.as_name().ok())
                    .and_then(|name| xobjects.map(|x| dict_get(doc, x, name)));
                if let Some(Object::Stream(s)) = target {
                    if s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Form") {
                        collect_text(doc, s, depth + 1, out);
                    }
                }
            }
            _ => {}
        }
        if out.chars().count() >= MAX_TEXT {
            break;
        }
    }
}

/// The text an appearance (or any form XObject) paints, trimmed.
pub(crate) fn painted_text(doc: &Document, stream: &Stream) -> String {
    let mut out = String::new();
    collect_text(doc, stream, 0, &mut out);
    let cleaned: String = out
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_TEXT)
        .collect();
    cleaned.trim().to_string()
}

/// The normal appearance stream of an annotation (/AP /N, or its current
/// state /AS when /N is a dictionary of states).
pub(crate) fn normal_appearance<'a>(
    doc: &'a Document,
    annot: &'a Dictionary,
) -> Option<&'a Stream> {
    let ap = dict_get(doc, annot, b"AP").as_dict().ok()?;
    match dict_get(doc, ap, b"N") {
        Object::Stream(s) => Some(s),
        Object::Dictionary(states) => {
            let state = annot.get(b"AS").and_then(Object::as_name).ok();
            let chosen = match state {
                Some(name) => dict_get(doc, states, name),
                None => states
                    .iter()
                    .next()
                    .map(|(_, o)| resolve(doc, o))
                    .unwrap_or(&Object::Null),
            };
            chosen.as_stream().ok()
        }
        _ => None,
    }
}

/// A rectangle [x1 y1 x2 y2], normalised so x1 <= x2 and y1 <= y2.
pub(crate) fn rect(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<[f64; 4]> {
    let arr = dict_get(doc, dict, key).as_array().ok()?;
    if arr.len() != 4 {
        return None;
    }
    let mut v = [0.0; 4];
    for (slot, o) in v.iter_mut().zip(arr) {
        *slot = num(resolve(doc, o))?;
    }
    let [a, b, c, d] = v;
    Some([a.min(c), b.min(d), a.max(c), b.max(d)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_origins_follow_matrices() {
        let content = b"q 1 0 0 1 100 200 cm BT /F1 12 Tf 10 20 Td (A) Tj ET Q BT 5 5 Td (B) Tj ET";
        let pts = text_origins(content);
        assert_eq!(pts, vec![(110.0, 220.0), (5.0, 5.0)]);
    }

    #[test]
    fn empty_appearance_paints_nothing() {
        assert!(!paints_anything(b"q Q"));
        assert!(!paints_anything(b""));
        assert!(paints_anything(b"1 1 1 rg 0 0 10 10 re f"));
    }

    #[test]
    fn text_strings_decode() {
        assert_eq!(
            text_string(&[0xFE, 0xFF, 0x7A, 0x0B, 0x56, 0xFD, 0x53, 0x4E]),
            "程国华"
        );
        assert_eq!(text_string(b"abc"), "abc");
    }

    #[test]
    fn flate_stream_decodes_and_bomb_is_refused() {
        use std::io::Write;
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"BT (x) Tj ET").unwrap_or_default();
        let data = enc.finish().unwrap_or_default();
        let mut d = Dictionary::new();
        d.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        let s = Stream::new(d, data);
        assert_eq!(stream_bytes(&s).as_deref(), Some(&b"BT (x) Tj ET"[..]));
    }
}
