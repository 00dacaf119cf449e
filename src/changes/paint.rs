//! What a content stream paints, as far as change analysis needs it: the
//! decoded bytes of a stream (bounded), where text is shown on a page, and
//! the text an appearance stream paints. This is not a text extractor; it
//! only has to tell a clerk "this box shows 程国华" and whether a new widget
//! sits on top of page text.

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
    crate::pdf::stream::decode(stream).ok()
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

    fn apply(self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    /// The box the unit square (where images are drawn) maps to.
    fn unit_box(self) -> [f64; 4] {
        self.map_box([0.0, 0.0, 1.0, 1.0])
    }

    /// The bounding box of a box mapped through this matrix.
    fn map_box(self, b: [f64; 4]) -> [f64; 4] {
        let pts = [
            self.apply(b[0], b[1]),
            self.apply(b[2], b[1]),
            self.apply(b[0], b[3]),
            self.apply(b[2], b[3]),
        ];
        let xs = pts.iter().map(|p| p.0);
        let ys = pts.iter().map(|p| p.1);
        [
            xs.clone().fold(f64::INFINITY, f64::min),
            ys.clone().fold(f64::INFINITY, f64::min),
            xs.fold(f64::NEG_INFINITY, f64::max),
            ys.fold(f64::NEG_INFINITY, f64::max),
        ]
    }
}

/// What a page puts where (user space): the origin of every piece of text
/// shown, and the box of every image drawn, following form XObjects a few
/// levels deep. Good enough to tell whether a box placed later sits on top
/// of the page's text, seal picture or QR code.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Marks {
    /// The estimated box of each text run (from its origin, the font size
    /// and the number of glyphs; widths are not read from the font).
    pub text: Vec<[f64; 4]>,
    pub images: Vec<[f64; 4]>,
}

impl Marks {
    /// How many text runs and images `r` covers: a text run counts when a
    /// good part of it is under `r`, an image when they overlap at all.
    pub(crate) fn covered_by(&self, r: [f64; 4]) -> (usize, usize) {
        let overlap = |b: &[f64; 4]| {
            let w = (b[2].min(r[2]) - b[0].max(r[0])).max(0.0);
            let h = (b[3].min(r[3]) - b[1].max(r[1])).max(0.0);
            w * h
        };
        let text = self
            .text
            .iter()
            .filter(|b| {
                let area = ((b[2] - b[0]) * (b[3] - b[1])).max(1.0);
                overlap(b) > 0.15 * area
            })
            .count();
        let images = self.images.iter().filter(|b| overlap(b) > 1.0).count();
        (text, images)
    }
}

pub(crate) fn page_marks(doc: &Document, content: &[u8], resources: &Object) -> Marks {
    let mut marks = Marks::default();
    let res = resolve(doc, resources).as_dict().ok();
    collect_marks(doc, content, res, Matrix::IDENTITY, 0, &mut marks);
    marks
}

fn collect_marks(
    doc: &Document,
    content: &[u8],
    resources: Option<&Dictionary>,
    base: Matrix,
    depth: usize,
    out: &mut Marks,
) {
    let xobjects = resources.and_then(|r| dict_get(doc, r, b"XObject").as_dict().ok());
    let fonts = resources.and_then(|r| dict_get(doc, r, b"Font").as_dict().ok());
    let mut font_size = 12.0;
    // Composite (Type0) fonts take two bytes per glyph, as CJK text does.
    let mut two_byte = false;
    let mut ctm = base;
    let mut stack: Vec<Matrix> = Vec::new();
    let mut tm = Matrix::IDENTITY;
    let mut tlm = Matrix::IDENTITY;
    let mut leading = 0.0;
    for op in operations(content) {
        let o = op.operands.as_slice();
        match op.operator.as_str() {
            // Nesting beyond any real content is ignored, not followed.
            "q" if stack.len() < 256 => stack.push(ctm),
            "Q" => ctm = stack.pop().unwrap_or(base),
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
            "Tf" => {
                font_size = o.get(1).and_then(num).unwrap_or(font_size);
                two_byte = o
                    .first()
                    .and_then(|n| n.as_name().ok())
                    .and_then(|name| fonts.map(|f| dict_get(doc, f, name)))
                    .and_then(|f| f.as_dict().ok())
                    .is_some_and(|f| {
                        f.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0")
                    });
            }
            "Tj" | "TJ" | "'" | "\"" => {
                if op.operator == "'" || op.operator == "\"" {
                    tlm = Matrix::translate(0.0, -leading).then(tlm);
                    tm = tlm;
                }
                let mut width = 0.0;
                let em = if two_byte { 1.0 } else { 0.6 };
                let per_glyph = if two_byte { 2.0 } else { 1.0 };
                let add = |obj: &Object, width: &mut f64| match obj {
                    Object::String(bytes, _) => {
                        *width += bytes.len() as f64 / per_glyph * em * font_size
                    }
                    other => *width -= num(other).unwrap_or(0.0) / 1000.0 * font_size,
                };
                match (op.operator.as_str(), o.last()) {
                    ("TJ", Some(Object::Array(parts))) => {
                        for p in parts {
                            add(p, &mut width);
                        }
                    }
                    (_, Some(last)) => add(last, &mut width),
                    _ => {}
                }
                let width = width.max(0.0);
                if out.text.len() < MAX_OPERATIONS {
                    let run = tm.then(ctm);
                    out.text
                        .push(run.map_box([0.0, -0.25 * font_size, width, 0.85 * font_size]));
                }
                tm = Matrix::translate(width, 0.0).then(tm);
            }
            "BI" | "EI" => out.images.push(ctm.unit_box()),
            "Do" => {
                let target = o
                    .first()
                    .and_then(|n| n.as_name().ok())
                    .and_then(|name| xobjects.map(|x| dict_get(doc, x, name)));
                let Some(Object::Stream(x)) = target else {
                    continue;
                };
                match x.dict.get(b"Subtype").and_then(Object::as_name) {
                    Ok(b"Image") if out.images.len() < MAX_OPERATIONS => {
                        out.images.push(ctm.unit_box())
                    }
                    Ok(b"Form") if depth < MAX_FORM_DEPTH => {
                        let matrix = x
                            .dict
                            .get(b"Matrix")
                            .ok()
                            .and_then(|m| m.as_array().ok())
                            .and_then(|a| Matrix::from_operands(a))
                            .unwrap_or(Matrix::IDENTITY);
                        let inner = resolve(doc, x.dict.get(b"Resources").unwrap_or(&Object::Null))
                            .as_dict()
                            .ok()
                            .or(resources);
                        if let Some(data) = stream_bytes(x) {
                            collect_marks(doc, &data, inner, matrix.then(ctm), depth + 1, out);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
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
        return crate::pdf::utf16be_lossy(rest);
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
    // The ToUnicode map, where there is one, says what the codes mean
    // whatever the encoding (Identity-H, a subset font).
    if let Object::Stream(cmap) = dict_get(doc, font, b"ToUnicode") {
        if let Some(map) = stream_bytes(cmap).map(|d| ToUnicode::parse(&d)) {
            if !map.is_empty() {
                return map.decode(bytes);
            }
        }
    }
    if let Some(s) = attempt(font) {
        return s;
    }
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// A ToUnicode CMap: bfchar and bfrange entries, source codes of one to
/// four bytes. Enough to say what text an annotation paints.
#[derive(Default)]
struct ToUnicode {
    /// (code length in bytes, code) → text.
    map: std::collections::HashMap<(usize, u32), String>,
    lengths: Vec<usize>,
}

const MAX_CMAP_ENTRIES: usize = 65_536;

impl ToUnicode {
    fn parse(data: &[u8]) -> ToUnicode {
        let text = String::from_utf8_lossy(data);
        let mut out = ToUnicode::default();
        let mut section = "";
        let mut pending: Vec<String> = Vec::new();
        let mut tokens = Vec::new();
        // Tokens: hex strings, [ and ], and words.
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '<' => {
                    let start = i + 1;
                    let mut end = start;
                    for (j, d) in chars.by_ref() {
                        if d == '>' {
                            end = j;
                            break;
                        }
                    }
                    tokens.push(format!("<{}", text.get(start..end).unwrap_or("")));
                }
                '[' | ']' => tokens.push(c.to_string()),
                c if c.is_whitespace() => {}
                _ => {
                    let mut w = c.to_string();
                    while let Some(&(_, d)) = chars.peek() {
                        if d.is_whitespace() || d == '<' || d == '[' || d == ']' {
                            break;
                        }
                        w.push(d);
                        chars.next();
                    }
                    tokens.push(w);
                }
            }
            if tokens.len() > MAX_CMAP_ENTRIES * 4 {
                break;
            }
        }
        for t in tokens {
            match t.as_str() {
                "beginbfchar" => section = "char",
                "beginbfrange" => section = "range",
                "endbfchar" | "endbfrange" => {
                    section = "";
                    pending.clear();
                }
                _ if section.is_empty() => {}
                _ => {
                    pending.push(t);
                    out.take(section, &mut pending);
                }
            }
            if out.map.len() > MAX_CMAP_ENTRIES {
                break;
            }
        }
        out.lengths.sort_unstable();
        out.lengths.dedup();
        out
    }

    fn take(&mut self, section: &str, pending: &mut Vec<String>) {
        let hex = |t: &str| -> Option<(usize, u32)> {
            let h = t.strip_prefix('<')?;
            let h: String = h.chars().filter(|c| !c.is_whitespace()).collect();
            if h.is_empty() || h.len() > 8 {
                return None;
            }
            Some((h.len().div_ceil(2), u32::from_str_radix(&h, 16).ok()?))
        };
        let utf16 = |t: &str, add: u32| -> Option<String> {
            let h = t.strip_prefix('<')?;
            let mut units = crate::pdf::utf16be_units(&hex_bytes(h)?);
            if let Some(last) = units.last_mut() {
                *last = last.wrapping_add(u16::try_from(add).ok()?);
            }
            Some(String::from_utf16_lossy(&units))
        };
        match section {
            "char" if pending.len() == 2 => {
                if let (Some((len, code)), Some(dst)) = (
                    pending.first().and_then(|t| hex(t)),
                    pending.get(1).and_then(|t| utf16(t, 0)),
                ) {
                    self.map.insert((len, code), dst);
                    self.lengths.push(len);
                }
                pending.clear();
            }
            "range" if pending.len() >= 3 => {
                let lo = pending.first().and_then(|t| hex(t));
                let hi = pending.get(1).and_then(|t| hex(t));
                let third = pending.get(2).cloned().unwrap_or_default();
                if third == "[" {
                    if pending.last().map(String::as_str) != Some("]") {
                        return;
                    }
                    if let (Some((len, lo)), Some((_, hi))) = (lo, hi) {
                        let dsts = pending
                            .get(3..pending.len().saturating_sub(1))
                            .unwrap_or(&[]);
                        for (k, d) in dsts.iter().enumerate() {
                            let Some(code) = lo.checked_add(k as u32) else {
                                break;
                            };
                            if code > hi {
                                break;
                            }
                            if let Some(t) = utf16(d, 0) {
                                self.map.insert((len, code), t);
                            }
                        }
                        self.lengths.push(len);
                    }
                } else if let (Some((len, lo)), Some((_, hi))) = (lo, hi) {
                    let span = hi.saturating_sub(lo).min(MAX_CMAP_ENTRIES as u32);
                    for k in 0..=span {
                        let (Some(code), Some(t)) = (lo.checked_add(k), utf16(&third, k)) else {
                            break;
                        };
                        self.map.insert((len, code), t);
                    }
                    self.lengths.push(len);
                }
                pending.clear();
            }
            _ => {}
        }
    }

    fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn decode(&self, bytes: &[u8]) -> String {
        let mut out = String::new();
        let mut i = 0;
        'outer: while i < bytes.len() {
            for &len in self.lengths.iter().rev() {
                if let Some(chunk) = bytes.get(i..i + len) {
                    let code = chunk.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b));
                    if let Some(t) = self.map.get(&(len, code)) {
                        out.push_str(t);
                        i += len;
                        continue 'outer;
                    }
                }
            }
            i += self.lengths.first().copied().unwrap_or(1).max(1);
        }
        out
    }
}

fn hex_bytes(h: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = h
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| (b as char).to_digit(16).map(|d| d as u8))
        .collect::<Option<Vec<u8>>>()?;
    Some(
        digits
            .chunks(2)
            .map(|c| (c.first().copied().unwrap_or(0) << 4) | c.get(1).copied().unwrap_or(0))
            .collect(),
    )
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
        let marks = page_marks(&Document::new(), content, &Object::Null);
        let origins: Vec<(f64, f64)> = marks.text.iter().map(|b| (b[0], b[1] + 3.0)).collect();
        assert_eq!(origins, vec![(110.0, 220.0), (5.0, 5.0)]);
        // 12 pt, one glyph of a simple font: about 7 pt wide.
        assert!(
            (marks.text[0][2] - 117.2).abs() < 0.01,
            "{:?}",
            marks.text[0]
        );
        assert_eq!(marks.covered_by([100.0, 200.0, 120.0, 230.0]), (1, 0));
        // A box over the middle of a long run covers it, though not its origin.
        let long = b"BT /F1 10 Tf 100 700 Td (Name: Zhang Wei) Tj ET";
        let marks = page_marks(&Document::new(), long, &Object::Null);
        assert_eq!(marks.covered_by([130.0, 695.0, 200.0, 715.0]), (1, 0));
        assert_eq!(marks.covered_by([300.0, 695.0, 400.0, 715.0]), (0, 0));
    }

    #[test]
    fn images_and_forms_are_followed() {
        let mut doc = Document::new();
        let img = doc.add_object(Stream::new(
            Dictionary::from_iter(vec![("Subtype", Object::Name(b"Image".to_vec()))]),
            vec![0],
        ));
        let form = doc.add_object(Stream::new(
            Dictionary::from_iter(vec![
                ("Subtype", Object::Name(b"Form".to_vec())),
                (
                    "Matrix",
                    Object::Array(vec![
                        1.into(),
                        0.into(),
                        0.into(),
                        1.into(),
                        50.into(),
                        0.into(),
                    ]),
                ),
            ]),
            b"BT 1 1 Td (x) Tj ET".to_vec(),
        ));
        let mut xobjects = Dictionary::new();
        xobjects.set("Im1", Object::Reference(img));
        xobjects.set("Fm1", Object::Reference(form));
        let mut res = Dictionary::new();
        res.set("XObject", Object::Dictionary(xobjects));
        let content = b"q 100 0 0 100 300 400 cm /Im1 Do Q /Fm1 Do";
        let marks = page_marks(&doc, content, &Object::Dictionary(res));
        assert_eq!(marks.images, vec![[300.0, 400.0, 400.0, 500.0]]);
        assert_eq!(marks.text.len(), 1);
        assert_eq!((marks.text[0][0], marks.text[0][1] + 3.0), (51.0, 1.0));
        assert_eq!(marks.covered_by([350.0, 450.0, 360.0, 460.0]), (0, 1));
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

    #[test]
    fn painted_text_reads_identity_h_through_to_unicode() {
        let mut doc = Document::new();
        let cmap = b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n2 beginbfchar\n<0001> <7A0B>\n<0002> <56FD>\nendbfchar\n1 beginbfrange\n<0003> <0004> <534E>\nendbfrange\nendcmap\nend\nend\n".to_vec();
        let to_unicode = doc.add_object(Stream::new(Dictionary::new(), cmap));
        let font = doc.add_object(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Font".to_vec())),
            ("Subtype", Object::Name(b"Type0".to_vec())),
            ("Encoding", Object::Name(b"Identity-H".to_vec())),
            ("ToUnicode", Object::Reference(to_unicode)),
        ]));
        let mut fonts = Dictionary::new();
        fonts.set("F1", Object::Reference(font));
        let mut res = Dictionary::new();
        res.set("Font", Object::Dictionary(fonts));
        let mut dict = Dictionary::new();
        dict.set("Subtype", Object::Name(b"Form".to_vec()));
        dict.set("Resources", Object::Dictionary(res));
        let ap = Stream::new(
            dict,
            b"BT /F1 12 Tf <00010002> Tj [<0003> -20 <0004>] TJ ET".to_vec(),
        );
        assert_eq!(painted_text(&doc, &ap), "程国华协");
    }
}
