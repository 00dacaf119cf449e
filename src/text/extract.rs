//! Walks the pages' content streams (and the form XObjects they paint) and
//! yields each shown character with its position. Annotations are not
//! read: what an annotation paints over the page is a change, not text.

use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::content::{Lexer, Operand};
use super::font::{Font, FontCache};
use super::stream::{decode_stream, deref};

/// Pages read at most (certificates have one or two).
pub const MAX_PAGES: usize = 16;
/// Decoded content bytes read at most, per document (forms included).
const MAX_CONTENT: usize = 32 * 1024 * 1024;
/// Operators executed at most, per document.
const MAX_OPS: usize = 2_000_000;
/// Characters kept at most, per document.
const MAX_GLYPHS: usize = 200_000;
/// Form XObjects nested at most.
const MAX_FORM_DEPTH: usize = 8;
/// Graphics states saved at most (q without Q).
const MAX_STACK: usize = 256;
/// Ancestors of a page searched for inherited resources.
const MAX_PARENTS: usize = 32;

/// One shown character, in a frame where its baseline runs left to right:
/// `x` grows along the baseline, `y` grows upwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub ch: char,
    pub x: f32,
    pub y: f32,
    /// The advance along the baseline.
    pub width: f32,
    /// The font size as drawn (height of the em square).
    pub size: f32,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Extraction {
    /// Per page, in content order.
    pub pages: Vec<Vec<Glyph>>,
    /// Codes shown with any font.
    pub shown: usize,
    /// Codes whose text the font does not give.
    pub undecoded: usize,
    /// A limit was reached: part of the document was not read.
    pub limited: bool,
}

type Matrix = [f32; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn mul(m1: &Matrix, m2: &Matrix) -> Matrix {
    [
        m1[0] * m2[0] + m1[1] * m2[2],
        m1[0] * m2[1] + m1[1] * m2[3],
        m1[2] * m2[0] + m1[3] * m2[2],
        m1[2] * m2[1] + m1[3] * m2[3],
        m1[4] * m2[0] + m1[5] * m2[2] + m2[4],
        m1[4] * m2[1] + m1[5] * m2[3] + m2[5],
    ]
}

fn matrix_of(operands: &[Operand]) -> Option<Matrix> {
    let n: Vec<f32> = operands.iter().filter_map(Operand::number).collect();
    match n.as_slice() {
        [a, b, c, d, e, f] => Some([*a, *b, *c, *d, *e, *f]),
        _ => None,
    }
}

fn matrix_from_object(doc: &Document, obj: Option<&Object>) -> Matrix {
    let Some(arr) = obj.map(|o| deref(doc, o)).and_then(|o| o.as_array().ok()) else {
        return IDENTITY;
    };
    let n: Vec<f32> = arr
        .iter()
        .filter_map(|o| match deref(doc, o) {
            Object::Integer(i) => Some(*i as f32),
            Object::Real(r) if r.is_finite() => Some(*r),
            _ => None,
        })
        .collect();
    match n.as_slice() {
        [a, b, c, d, e, f] => [*a, *b, *c, *d, *e, *f],
        _ => IDENTITY,
    }
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    h_scale: f32,
    leading: f32,
    rise: f32,
}

impl GState {
    fn new(ctm: Matrix) -> Self {
        GState {
            ctm,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            h_scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

struct Walker<'a> {
    doc: &'a Document,
    fonts: FontCache,
    glyphs: Vec<Glyph>,
    ops: usize,
    content_bytes: usize,
    shown: usize,
    undecoded: usize,
    limited: bool,
    forms: Vec<ObjectId>,
}

/// Reads the text of every page (up to [`MAX_PAGES`]).
pub fn extract_glyphs(doc: &Document) -> Extraction {
    let mut w = Walker {
        doc,
        fonts: FontCache::default(),
        glyphs: Vec::new(),
        ops: 0,
        content_bytes: 0,
        shown: 0,
        undecoded: 0,
        limited: false,
        forms: Vec::new(),
    };
    let mut pages = Vec::new();
    for (n, page_id) in doc.page_iter().enumerate() {
        if n >= MAX_PAGES {
            w.limited = true;
            break;
        }
        let Ok(page) = doc.get_dictionary(page_id) else {
            pages.push(Vec::new());
            continue;
        };
        let resources = page_resources(doc, page);
        let data = page_content(doc, page, &mut w);
        w.run(&data, resources, GState::new(IDENTITY), 0);
        pages.push(std::mem::take(&mut w.glyphs));
    }
    Extraction {
        pages,
        shown: w.shown,
        undecoded: w.undecoded,
        limited: w.limited,
    }
}

fn page_resources<'a>(doc: &'a Document, page: &'a Dictionary) -> Option<&'a Dictionary> {
    let mut node = page;
    for _ in 0..MAX_PARENTS {
        if let Ok(r) = node.get(b"Resources") {
            return deref(doc, r).as_dict().ok();
        }
        node = node
            .get(b"Parent")
            .ok()
            .map(|p| deref(doc, p))
            .and_then(|p| p.as_dict().ok())?;
    }
    None
}

fn page_content(doc: &Document, page: &Dictionary, w: &mut Walker) -> Vec<u8> {
    let mut streams = Vec::new();
    match page.get(b"Contents").ok().map(|c| deref(doc, c)) {
        Some(Object::Stream(s)) => streams.push(s),
        Some(Object::Array(a)) => {
            for item in a.iter().take(10_000) {
                if let Object::Stream(s) = deref(doc, item) {
                    streams.push(s);
                }
            }
        }
        _ => {}
    }
    let mut data = Vec::new();
    for s in streams {
        let budget = MAX_CONTENT.saturating_sub(w.content_bytes);
        if budget == 0 {
            w.limited = true;
            break;
        }
        if let Some(d) = decode_stream(s, budget) {
            w.content_bytes += d.len();
            data.extend_from_slice(&d);
            // Content streams of one page are one stream split anywhere
            // between tokens; a separator keeps tokens apart.
            data.push(b'\n');
        }
    }
    data
}

impl<'a> Walker<'a> {
    fn run(&mut self, data: &[u8], resources: Option<&'a Dictionary>, start: GState, depth: usize) {
        let mut gs = start;
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        let mut lexer = Lexer::new(data);
        while let Some((op, args)) = lexer.next_op() {
            self.ops += 1;
            if self.ops > MAX_OPS || self.glyphs.len() >= MAX_GLYPHS {
                self.limited = true;
                return;
            }
            let num = |i: usize| args.get(i).and_then(Operand::number);
            match op.as_slice() {
                b"q" => {
                    if stack.len() < MAX_STACK {
                        stack.push(gs.clone());
                    } else {
                        self.limited = true;
                    }
                }
                b"Q" => {
                    if let Some(s) = stack.pop() {
                        gs = s;
                    }
                }
                b"cm" => {
                    if let Some(m) = matrix_of(&args) {
                        gs.ctm = mul(&m, &gs.ctm);
                    }
                }
                b"BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                b"Tf" => {
                    if let Some(Operand::Name(name)) = args.first() {
                        gs.font = self.font(resources, name);
                    }
                    if let Some(size) = num(1) {
                        gs.size = size;
                    }
                }
                b"Tc" => gs.char_spacing = num(0).unwrap_or(gs.char_spacing),
                b"Tw" => gs.word_spacing = num(0).unwrap_or(gs.word_spacing),
                b"Tz" => gs.h_scale = num(0).map(|z| z / 100.0).unwrap_or(gs.h_scale),
                b"TL" => gs.leading = num(0).unwrap_or(gs.leading),
                b"Ts" => gs.rise = num(0).unwrap_or(gs.rise),
                b"Td" | b"TD" => {
                    if let (Some(tx), Some(ty)) = (num(0), num(1)) {
                        if op == b"TD" {
                            gs.leading = -ty;
                        }
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, tx, ty], &tlm);
                        tm = tlm;
                    }
                }
                b"Tm" => {
                    if let Some(m) = matrix_of(&args) {
                        tlm = m;
                        tm = m;
                    }
                }
                b"T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                }
                b"Tj" | b"'" | b"\"" => {
                    if op == b"\"" {
                        gs.word_spacing = num(0).unwrap_or(gs.word_spacing);
                        gs.char_spacing = num(1).unwrap_or(gs.char_spacing);
                    }
                    if op != b"Tj" {
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                        tm = tlm;
                    }
                    if let Some(Operand::Str(s)) = args.last() {
                        self.show(&gs, &mut tm, s);
                    }
                }
                b"TJ" => {
                    if let Some(Operand::Array(items)) = args.first() {
                        for item in items {
                            match item {
                                Operand::Str(s) => self.show(&gs, &mut tm, s),
                                Operand::Number(n) if n.is_finite() => {
                                    let tx = -n / 1000.0 * gs.size * gs.h_scale;
                                    tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &tm);
                                }
                                _ => {}
                            }
                        }
                    }
                }
                b"Do" => {
                    if let Some(Operand::Name(name)) = args.first() {
                        self.form(resources, name, &gs, depth);
                    }
                }
                _ => {}
            }
        }
    }

    fn font(&mut self, resources: Option<&'a Dictionary>, name: &[u8]) -> Option<Rc<Font>> {
        let fonts = resources?
            .get(b"Font")
            .ok()
            .map(|o| deref(self.doc, o))
            .and_then(|o| o.as_dict().ok())?;
        let obj = fonts.get(name).ok()?;
        self.fonts.get(self.doc, obj)
    }

    fn form(&mut self, resources: Option<&'a Dictionary>, name: &[u8], gs: &GState, depth: usize) {
        if depth >= MAX_FORM_DEPTH {
            self.limited = true;
            return;
        }
        let Some(obj) = resources
            .and_then(|r| r.get(b"XObject").ok())
            .map(|o| deref(self.doc, o))
            .and_then(|o| o.as_dict().ok())
            .and_then(|x| x.get(name).ok())
        else {
            return;
        };
        let id = obj.as_reference().ok();
        if let Some(id) = id {
            if self.forms.contains(&id) {
                // A form that paints itself: nothing new below.
                return;
            }
        }
        let Ok(stream) = deref(self.doc, obj).as_stream() else {
            return;
        };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form") {
            return;
        }
        let budget = MAX_CONTENT.saturating_sub(self.content_bytes);
        if budget == 0 {
            self.limited = true;
            return;
        }
        let Some(data) = decode_stream(stream, budget) else {
            return;
        };
        self.content_bytes += data.len();
        let form_resources = stream
            .dict
            .get(b"Resources")
            .ok()
            .map(|o| deref(self.doc, o))
            .and_then(|o| o.as_dict().ok())
            .or(resources);
        let matrix = matrix_from_object(self.doc, stream.dict.get(b"Matrix").ok());
        let mut inner = gs.clone();
        inner.ctm = mul(&matrix, &gs.ctm);
        if let Some(id) = id {
            self.forms.push(id);
        }
        self.run(&data, form_resources, inner, depth + 1);
        if id.is_some() {
            self.forms.pop();
        }
    }

    fn show(&mut self, gs: &GState, tm: &mut Matrix, bytes: &[u8]) {
        let Some(font) = gs.font.clone() else {
            // Text without a font: counted, as it shows something we
            // cannot read.
            self.shown += bytes.len();
            self.undecoded += bytes.len();
            return;
        };
        for code in font.decode(bytes) {
            self.shown += 1;
            let advance = code.width / 1000.0 * font.scale * gs.size;
            let m = mul(tm, &gs.ctm);
            // Where the glyph sits, and how its baseline runs on the page.
            let ox = m[4] + gs.rise * m[2];
            let oy = m[5] + gs.rise * m[3];
            let scale_x = m[0].hypot(m[1]);
            let size = (gs.size * m[2].hypot(m[3])).abs();
            let device_width = (advance * gs.h_scale * scale_x).abs();
            match code.text {
                Some(text) if self.glyphs.len() < MAX_GLYPHS => {
                    let (x, y) = upright(m[0], m[1], ox, oy);
                    let n = text.chars().count().max(1) as f32;
                    for (i, ch) in text.chars().enumerate() {
                        if !ox.is_finite() || !oy.is_finite() {
                            break;
                        }
                        self.glyphs.push(Glyph {
                            ch,
                            x: x + device_width * i as f32 / n,
                            y,
                            width: device_width / n,
                            size,
                        });
                    }
                }
                Some(_) => self.limited = true,
                None => self.undecoded += 1,
            }
            let mut tx = advance + gs.char_spacing;
            if code.is_space_byte {
                tx += gs.word_spacing;
            }
            tx *= gs.h_scale;
            *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
        }
    }
}

/// Turns a point into the frame of its baseline direction (a multiple of
/// 90 degrees), so rotated text still reads left to right.
fn upright(dx: f32, dy: f32, x: f32, y: f32) -> (f32, f32) {
    if dx.abs() >= dy.abs() {
        if dx >= 0.0 {
            (x, y)
        } else {
            (-x, -y)
        }
    } else if dy > 0.0 {
        (y, -x)
    } else {
        (-y, x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, Stream};

    /// A one-page document whose page shows `content` with a Helvetica F1.
    pub(crate) fn doc_with(content: &[u8]) -> Document {
        let mut doc = Document::with_version("1.5");
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        });
        let contents = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
        let pages_id = doc.new_object_id();
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
            "MediaBox" => vec![0.into(), 0.into(), 600.into(), 800.into()],
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
                "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        doc
    }

    #[test]
    fn positions_follow_td_tm_and_cm() {
        let doc = doc_with(b"q 2 0 0 2 10 20 cm BT /F1 10 Tf 5 6 Td (AB) Tj ET Q BT /F1 12 Tf 1 0 0 1 300 400 Tm [(C) -1000 (D)] TJ ET");
        let ex = extract_glyphs(&doc);
        let g = &ex.pages[0];
        let text: String = g.iter().map(|g| g.ch).collect();
        assert_eq!(text, "ABCD");
        assert_eq!((g[0].x, g[0].y, g[0].size), (20.0, 32.0, 20.0));
        // Helvetica without /Widths: 556/1000 em, doubled by cm.
        assert!((g[1].x - (20.0 + 0.556 * 20.0)).abs() < 0.01);
        assert_eq!((g[2].x, g[2].y), (300.0, 400.0));
        // D comes after C's advance plus one em of TJ adjustment.
        assert!((g[3].x - (300.0 + 0.556 * 12.0 + 12.0)).abs() < 0.01);
        assert_eq!(ex.undecoded, 0);
    }

    #[test]
    fn forms_are_read_with_a_depth_limit_and_annotations_are_not() {
        let mut doc = doc_with(b"/X1 Do");
        let form_id = doc.new_object_id();
        // The form paints some text and then itself again.
        let form = Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Form",
            "Matrix" => vec![1.into(), 0.into(), 0.into(), 1.into(), 100.into(), 0.into()],
            "Resources" => dictionary! {
                "XObject" => dictionary! { "X1" => form_id },
                "Font" => dictionary! { "F1" => dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" } },
            } },
            b"BT /F1 10 Tf (Z) Tj ET /X1 Do".to_vec(),
        );
        doc.objects.insert(form_id, Object::Stream(form));
        let pages: Vec<_> = doc.page_iter().collect();
        let page_id = pages[0];
        let annot_ap = doc.add_object(Stream::new(
            dictionary! { "Subtype" => "Form" },
            b"BT /F1 10 Tf (EVIL) Tj ET".to_vec(),
        ));
        let annot = doc.add_object(dictionary! { "Type" => "Annot", "Subtype" => "FreeText", "AP" => dictionary! { "N" => annot_ap } });
        let resources = dictionary! { "XObject" => dictionary! { "X1" => form_id } };
        if let Ok(Object::Dictionary(p)) = doc.get_object_mut(page_id) {
            p.set("Resources", resources);
            p.set("Annots", vec![annot.into()]);
        }
        let ex = extract_glyphs(&doc);
        let text: String = ex.pages[0].iter().map(|g| g.ch).collect();
        assert_eq!(text, "Z");
        assert_eq!(ex.pages[0][0].x, 100.0);
    }

    #[test]
    fn rotated_text_reads_upright() {
        let doc = doc_with(b"BT /F1 10 Tf 0 1 -1 0 100 200 Tm (AB) Tj ET");
        let ex = extract_glyphs(&doc);
        let g = &ex.pages[0];
        assert_eq!(g.len(), 2);
        assert!(g[1].x > g[0].x);
        assert_eq!(g[0].y, g[1].y);
    }
}
