//! Walks the pages' content streams (and the form XObjects they paint) and
//! yields each shown character with its position. Annotations are not
//! read: what an annotation paints over the page is a change, not text.

use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::content::{Lexer, Operand};
use super::font::{Font, FontCache};
use super::stream::deref;
use crate::pdf::stream::decode_prefix;

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
/// White boxes checked against the glyphs beneath them, per document.
const MAX_WHITE_BOXES: usize = 2_000;

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
    /// Characters drawn so that nobody sees them (not kept).
    pub invisible: usize,
    /// A limit was reached: part of the document was not read.
    pub limited: bool,
    /// Decoded content bytes read.
    pub content_bytes: usize,
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
    let n = numbers(doc, arr);
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
    /// The fill colour is white (or paper-coloured in CMYK).
    fill_white: bool,
    /// Text rendering mode (Tr).
    render: i64,
    /// The fill colour space is DeviceGray.
    fill_gray: bool,
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
            fill_white: false,
            render: 0,
            fill_gray: true,
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
    invisible: usize,
    limited: bool,
    forms: Vec<ObjectId>,
    /// Where each glyph of the page sits on the page (before turning it
    /// upright), for white boxes painted over it.
    origins: Vec<(f32, f32)>,
    /// The visible area of the page: MediaBox cut by CropBox.
    page_box: Option<[f32; 4]>,
    /// White boxes still to be checked against the glyphs (bounded).
    boxes_left: usize,
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
        invisible: 0,
        limited: false,
        forms: Vec::new(),
        origins: Vec::new(),
        page_box: None,
        boxes_left: MAX_WHITE_BOXES,
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
        w.page_box = page_box(doc, page);
        let data = page_content(doc, page, &mut w);
        w.run(&data, resources, GState::new(IDENTITY), 0);
        w.origins.clear();
        pages.push(std::mem::take(&mut w.glyphs));
    }
    Extraction {
        pages,
        shown: w.shown,
        undecoded: w.undecoded,
        invisible: w.invisible,
        limited: w.limited,
        content_bytes: w.content_bytes,
    }
}

/// The finite numbers of a PDF array (references followed once).
fn numbers(doc: &Document, arr: &[Object]) -> Vec<f32> {
    arr.iter()
        .filter_map(|o| match deref(doc, o) {
            Object::Integer(i) => Some(*i as f32),
            Object::Real(r) if r.is_finite() => Some(*r),
            _ => None,
        })
        .collect()
}

/// A rectangle of the page: [x0, y0, x1, y1] with x0 <= x1, y0 <= y1.
fn rect_of(doc: &Document, obj: &Object) -> Option<[f32; 4]> {
    let arr = deref(doc, obj).as_array().ok()?;
    let n = numbers(doc, arr);
    match n.as_slice() {
        [a, b, c, d] => Some([a.min(*c), b.min(*d), a.max(*c), b.max(*d)]),
        _ => None,
    }
}

fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..MAX_PARENTS {
        if let Ok(v) = node.get(key) {
            return Some(v);
        }
        node = node
            .get(b"Parent")
            .ok()
            .map(|p| deref(doc, p))
            .and_then(|p| p.as_dict().ok())?;
    }
    None
}

/// The visible area: the MediaBox, cut by the CropBox where there is one.
fn page_box(doc: &Document, page: &Dictionary) -> Option<[f32; 4]> {
    let media = inherited(doc, page, b"MediaBox").and_then(|o| rect_of(doc, o))?;
    let Some(crop) = inherited(doc, page, b"CropBox").and_then(|o| rect_of(doc, o)) else {
        return Some(media);
    };
    let cut = [
        media[0].max(crop[0]),
        media[1].max(crop[1]),
        media[2].min(crop[2]),
        media[3].min(crop[3]),
    ];
    if cut[0] < cut[2] && cut[1] < cut[3] {
        Some(cut)
    } else {
        Some(media)
    }
}

fn page_resources<'a>(doc: &'a Document, page: &'a Dictionary) -> Option<&'a Dictionary> {
    inherited(doc, page, b"Resources").and_then(|r| deref(doc, r).as_dict().ok())
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
        if let Some(d) = decode_prefix(s, budget) {
            if d.len() >= budget {
                w.limited = true;
            }
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
        // The rectangles of the path being built; None once it holds
        // anything else.
        let mut rects: Option<Vec<[f32; 4]>> = Some(Vec::new());
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
                b"g" | b"rg" | b"k" | b"sc" | b"scn" => {
                    let n: Vec<f32> = args.iter().filter_map(Operand::number).collect();
                    // One component means grey only for g (or DeviceGray):
                    // in a Separation or Indexed space 1 is full ink.
                    let gray = op == b"g" || (op != b"rg" && op != b"k" && gs.fill_gray);
                    gs.fill_white = match (op.as_slice(), n.as_slice()) {
                        (b"k", [c, m, y, k]) => [c, m, y, k].iter().all(|v| **v <= 0.0),
                        (b"k", _) => false,
                        (_, [g]) => gray && *g >= 1.0,
                        (_, [r, g, b]) => [r, g, b].iter().all(|v| **v >= 1.0),
                        (b"sc" | b"scn", [c, m, y, k]) => [c, m, y, k].iter().all(|v| **v <= 0.0),
                        _ => false,
                    };
                    if op == b"g" {
                        gs.fill_gray = true;
                    } else if op == b"rg" || op == b"k" {
                        gs.fill_gray = false;
                    }
                }
                b"re" => {
                    let n: Vec<f32> = args.iter().filter_map(Operand::number).collect();
                    if let (Some(list), [x, y, w, h]) = (rects.as_mut(), n.as_slice()) {
                        list.push(device_rect(&gs.ctm, *x, *y, *w, *h));
                    }
                }
                b"cs" => {
                    gs.fill_white = false;
                    gs.fill_gray = matches!(
                        args.first(),
                        Some(Operand::Name(n)) if n == b"DeviceGray" || n == b"G"
                    );
                }
                b"m" | b"l" | b"c" | b"v" | b"y" | b"h" => rects = None,
                b"f" | b"F" | b"f*" | b"B" | b"B*" | b"b" | b"b*" => {
                    if gs.fill_white {
                        for r in rects.iter().flatten() {
                            self.hide_under(r);
                        }
                    }
                    rects = Some(Vec::new());
                }
                b"n" | b"S" | b"s" => rects = Some(Vec::new()),
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
                b"Tr" => gs.render = num(0).map(|r| r as i64).unwrap_or(gs.render),
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
                                    let shift = -n / 1000.0 * gs.size;
                                    let vertical = gs.font.as_ref().is_some_and(|f| f.vertical);
                                    let step = if vertical {
                                        [1.0, 0.0, 0.0, 1.0, 0.0, shift]
                                    } else {
                                        [1.0, 0.0, 0.0, 1.0, shift * gs.h_scale, 0.0]
                                    };
                                    tm = mul(&step, &tm);
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
        let Some(data) = decode_prefix(stream, budget) else {
            return;
        };
        if data.len() >= budget {
            self.limited = true;
        }
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
            let m = mul(tm, &gs.ctm);
            // Where the glyph sits, which way the text runs on the page, and
            // how far this glyph takes it. Vertical fonts run down the page
            // one em per glyph (their /W2 metrics are not read).
            let ox = m[4] + gs.rise * m[2];
            let oy = m[5] + gs.rise * m[3];
            let size = (gs.size * m[2].hypot(m[3])).abs();
            let (advance, run, device_width) = if font.vertical {
                (gs.size, (-m[2], -m[3]), size)
            } else {
                let advance = code.width / 1000.0 * font.scale * gs.size;
                let device = (advance * gs.h_scale * m[0].hypot(m[1])).abs();
                (advance, (m[0], m[1]), device)
            };
            let visible = self.page_box.is_none_or(|b| {
                let margin = size.max(1.0);
                ox >= b[0] - margin
                    && ox <= b[2] + margin
                    && oy >= b[1] - margin
                    && oy <= b[3] + margin
            });
            // Text nobody sees: invisible (Tr 3, 7: OCR layers, hidden
            // labels) or filled white and not stroked.
            let unseen =
                matches!(gs.render, 3 | 7) || (gs.fill_white && matches!(gs.render, 0 | 4));
            match code.text {
                Some(_) if !visible => {}
                Some(_) if unseen => self.invisible += 1,
                Some(text) if self.glyphs.len() < MAX_GLYPHS => {
                    let (x, y) = upright(run.0, run.1, ox, oy);
                    let n = text.chars().count().max(1) as f32;
                    let (ux, uy) = unit(run.0, run.1);
                    let (vx, vy) = if font.vertical {
                        unit(m[0], m[1])
                    } else {
                        unit(m[2], m[3])
                    };
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
                        // The middle of the glyph, a third of the size off
                        // the baseline, along the text's direction.
                        let along = device_width * (i as f32 + 0.5) / n;
                        self.origins.push((
                            ox + ux * along + vx * size * 0.33,
                            oy + uy * along + vy * size * 0.33,
                        ));
                    }
                }
                Some(_) => self.limited = true,
                None => self.undecoded += 1,
            }
            let mut spacing = gs.char_spacing;
            if code.is_space_byte {
                spacing += gs.word_spacing;
            }
            if font.vertical {
                *tm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -advance + spacing], tm);
            } else {
                let tx = (advance + spacing) * gs.h_scale;
                *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
            }
        }
    }
}

/// Drops the glyphs already painted whose middle a white box now covers:
/// what a person sees there is the box.
impl Walker<'_> {
    fn hide_under(&mut self, r: &[f32; 4]) {
        if self.boxes_left == 0 {
            self.limited = true;
            return;
        }
        self.boxes_left -= 1;
        let covered: Vec<bool> = self
            .origins
            .iter()
            .map(|&(x, y)| x >= r[0] && x <= r[2] && y >= r[1] && y <= r[3])
            .collect();
        if !covered.contains(&true) {
            return;
        }
        let mut keep = covered.iter().map(|c| !c);
        self.glyphs.retain(|_| keep.next().unwrap_or(true));
        let mut keep = covered.iter().map(|c| !c);
        self.origins.retain(|_| keep.next().unwrap_or(true));
    }
}

fn unit(x: f32, y: f32) -> (f32, f32) {
    let n = x.hypot(y);
    if n > 0.0 && n.is_finite() {
        (x / n, y / n)
    } else {
        (0.0, 0.0)
    }
}

/// The page-space bounding box of a rectangle drawn under `ctm`.
fn device_rect(ctm: &Matrix, x: f32, y: f32, w: f32, h: f32) -> [f32; 4] {
    let pts = [(x, y), (x + w, y), (x, y + h), (x + w, y + h)].map(|(px, py)| {
        (
            px * ctm[0] + py * ctm[2] + ctm[4],
            px * ctm[1] + py * ctm[3] + ctm[5],
        )
    });
    let xs = pts.map(|p| p.0);
    let ys = pts.map(|p| p.1);
    [
        xs.iter().copied().fold(f32::INFINITY, f32::min),
        ys.iter().copied().fold(f32::INFINITY, f32::min),
        xs.iter().copied().fold(f32::NEG_INFINITY, f32::max),
        ys.iter().copied().fold(f32::NEG_INFINITY, f32::max),
    ]
}

/// Characters that carry text (not white space, not U+FFFD).
/// (for comparing two readings, and telling text from its absence)
pub fn readable(pages: &[Vec<Glyph>]) -> usize {
    pages
        .iter()
        .flatten()
        .filter(|g| !g.ch.is_whitespace() && g.ch != '\u{FFFD}' && !g.ch.is_control())
        .count()
}

/// Turns a point into the frame of its baseline direction (a multiple of
/// 90 degrees), so rotated text still reads left to right.
pub(crate) fn upright(dx: f32, dy: f32, x: f32, y: f32) -> (f32, f32) {
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
    fn white_boxes_hide_what_is_under_them_and_off_page_text_is_not_read() {
        let doc = doc_with(
            b"BT /F1 10 Tf 100 100 Td (OLD) Tj ET 1 1 1 rg 95 95 40 20 re f 0 g \
              BT /F1 10 Tf 100 100 Td (NEW) Tj ET BT /F1 10 Tf 900 900 Td (OFF) Tj ET \
              0.5 g 0 0 600 800 re f",
        );
        let ex = extract_glyphs(&doc);
        let text: String = ex.pages[0].iter().map(|g| g.ch).collect();
        assert_eq!(text, "NEW");
    }

    #[test]
    fn vertical_fonts_read_top_to_bottom() {
        let mut doc = doc_with(b"BT /V1 10 Tf 100 500 Td <59D3540D> Tj ET");
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "Encoding" => "UniGB-UCS2-V",
        });
        let pages: Vec<_> = doc.page_iter().collect();
        if let Ok(Object::Dictionary(p)) = doc.get_object_mut(pages[0]) {
            p.set(
                "Resources",
                dictionary! { "Font" => dictionary! { "V1" => font } },
            );
        }
        let ex = extract_glyphs(&doc);
        let g = &ex.pages[0];
        let text: String = g.iter().map(|g| g.ch).collect();
        assert_eq!(text, "姓名");
        // Upright, the column reads as a line: same y, x growing.
        assert_eq!(g[0].y, g[1].y);
        assert!(g[1].x > g[0].x);
    }

    #[test]
    fn invisible_and_white_text_is_not_read() {
        let doc = doc_with(
            b"BT /F1 10 Tf 3 Tr 100 700 Td (HIDDEN) Tj 0 Tr 0 -20 Td (SEEN) Tj ET \
              1 1 1 rg BT /F1 10 Tf 100 600 Td (WHITE) Tj 1 Tr (OUTLINED) Tj ET \
              /Spot cs 1 scn BT /F1 10 Tf 100 500 Td (INK) Tj ET",
        );
        let ex = extract_glyphs(&doc);
        let text: String = ex.pages[0].iter().map(|g| g.ch).collect();
        // Tint 1 of a separation is full ink, not white.
        assert_eq!(text, "SEENOUTLINEDINK");
        assert_eq!(ex.invisible, "HIDDENWHITE".len());
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
