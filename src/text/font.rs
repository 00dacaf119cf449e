//! Fonts as text extraction needs them: how a string's bytes split into
//! codes, what each code means as Unicode, and how far it advances.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::{Dictionary, Document, Object};

use super::cmap::{adobe_gb1_cid, CMap, Predefined};
use super::stream::deref;
use crate::pdf::stream::decode_prefix;

/// Bytes of a CMap or font stream that are read at most.
const MAX_CMAP_STREAM: usize = 4 * 1024 * 1024;
/// Entries of a /W or /Widths array that are read at most.
const MAX_WIDTH_ITEMS: usize = 100_000;
/// Bytes of an embedded font program that are read at most.
const MAX_FONT_PROGRAM: usize = 32 * 1024 * 1024;

/// One code of a shown string.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    /// The text it stands for; None where the font does not say.
    pub text: Option<String>,
    /// The advance, in thousandths of the font size (before Type3 scaling).
    pub width: f32,
    /// A single-byte code 32, to which word spacing applies.
    pub is_space_byte: bool,
}

#[derive(Debug)]
enum Encoding {
    /// One byte per code; the character each byte stands for.
    Simple(Box<[Option<char>; 256]>),
    Composite {
        codes: CodeMap,
        /// The CIDs follow the Adobe-GB1 ordering.
        gb1: bool,
        /// From the embedded TrueType program, where there is no ToUnicode.
        glyphs: Option<Box<TrueTypeText>>,
    },
}

#[derive(Debug)]
enum CodeMap {
    Predefined(Predefined),
    Embedded(Box<CMap>, Option<Predefined>),
}

#[derive(Debug, Default)]
struct Widths {
    /// Simple fonts: /FirstChar and /Widths.
    first: u32,
    list: Vec<f32>,
    /// Composite fonts: /W as ranges (low, high, width).
    ranges: Vec<(u32, u32, f32)>,
    default: f32,
}

impl Widths {
    fn simple(&self, code: u32) -> Option<f32> {
        let i = code.checked_sub(self.first)?;
        self.list.get(i as usize).copied()
    }

    fn cid(&self, cid: u32) -> Option<f32> {
        self.ranges
            .iter()
            .find(|(lo, hi, _)| *lo <= cid && cid <= *hi)
            .map(|(_, _, w)| *w)
    }
}

#[derive(Debug)]
pub struct Font {
    encoding: Encoding,
    to_unicode: Option<CMap>,
    widths: Widths,
    /// Glyph space to text space, divided by 1/1000 (1 for ordinary fonts;
    /// a Type3 font's FontMatrix may say otherwise).
    pub scale: f32,
    /// Writing mode 1: the text runs down the page.
    pub vertical: bool,
}

fn number(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) if r.is_finite() => Some(*r),
        _ => None,
    }
}

fn name_of<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    dict.get(key)
        .ok()
        .map(|o| deref(doc, o))
        .and_then(|o| o.as_name().ok())
}

fn dict_of<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    dict.get(key)
        .ok()
        .map(|o| deref(doc, o))
        .and_then(|o| o.as_dict().ok())
}

/// What one document may spend on fonts, whatever number of fonts it has:
/// a file with thousands of huge CMaps is not a certificate, and reading it
/// must stay cheap. Fonts read after the budget is spent decode less.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Decoded bytes of CMap and font streams.
    pub bytes: usize,
    /// CMap mappings.
    pub entries: usize,
    /// Embedded TrueType programs parsed.
    pub programs: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            bytes: 64 * 1024 * 1024,
            entries: 1_000_000,
            programs: 16,
        }
    }
}

impl Budget {
    fn decode(&mut self, stream: &lopdf::Stream, limit: usize) -> Option<Vec<u8>> {
        let data = decode_prefix(stream, limit.min(self.bytes))?;
        self.bytes = self.bytes.saturating_sub(data.len());
        Some(data)
    }

    fn cmap(&mut self, data: &[u8]) -> CMap {
        let cmap = CMap::parse_limited(data, self.entries);
        self.entries = self.entries.saturating_sub(cmap.entries());
        cmap
    }
}

fn parse_cmap_stream(doc: &Document, obj: &Object, budget: &mut Budget) -> Option<CMap> {
    let stream = deref(doc, obj).as_stream().ok()?;
    let data = budget.decode(stream, MAX_CMAP_STREAM)?;
    Some(budget.cmap(&data))
}

impl Font {
    /// Reads a font dictionary. Never fails: what cannot be read gives a
    /// font that decodes less.
    pub fn load(doc: &Document, dict: &Dictionary) -> Font {
        Self::load_with(doc, dict, &mut Budget::default())
    }

    /// Reads a font dictionary, spending from `budget`.
    pub fn load_with(doc: &Document, dict: &Dictionary, budget: &mut Budget) -> Font {
        let subtype = name_of(doc, dict, b"Subtype").unwrap_or(b"");
        let to_unicode = dict
            .get(b"ToUnicode")
            .ok()
            .and_then(|o| parse_cmap_stream(doc, o, budget))
            .filter(CMap::has_unicode);
        if subtype == b"Type0" {
            Self::load_composite(doc, dict, to_unicode, budget)
        } else {
            Self::load_simple(doc, dict, to_unicode, subtype == b"Type3", budget)
        }
    }

    fn load_simple(
        doc: &Document,
        dict: &Dictionary,
        to_unicode: Option<CMap>,
        type3: bool,
        budget: &mut Budget,
    ) -> Font {
        let mut table: Box<[Option<char>; 256]> = Box::new([None; 256]);
        if let Ok(enc) = dict.get_font_encoding(doc) {
            for (b, slot) in table.iter_mut().enumerate() {
                let byte = [b as u8];
                if let Ok(s) = enc.bytes_to_string(&byte) {
                    *slot = s.chars().next().filter(|c| *c != '\u{FFFD}');
                }
            }
        }
        // Differences naming glyphs the base encodings do not know
        // (uniXXXX and the like) are resolved here.
        if let Some(diffs) = dict_of(doc, dict, b"Encoding")
            .and_then(|e| e.get(b"Differences").ok())
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_array().ok())
        {
            let mut code: i64 = 0;
            for item in diffs.iter().take(MAX_WIDTH_ITEMS) {
                match item {
                    Object::Integer(i) => code = *i,
                    Object::Name(n) => {
                        if let Some(c) = super::glyphs::glyph_to_char(n) {
                            if let Some(slot) =
                                usize::try_from(code).ok().and_then(|i| table.get_mut(i))
                            {
                                *slot = Some(c);
                            }
                        }
                        code = code.saturating_add(1);
                    }
                    _ => {}
                }
            }
        }
        // A symbolic TrueType font without an encoding of its own: its
        // bytes mean what the font program's cmap says.
        let symbolic = dict_of(doc, dict, b"FontDescriptor")
            .and_then(|fd| fd.get(b"Flags").ok())
            .and_then(|f| f.as_i64().ok())
            .is_some_and(|f| f & 4 != 0);
        if to_unicode.is_none() && symbolic && dict.get(b"Encoding").is_err() {
            for (code, ch) in symbolic_truetype_chars(doc, dict, budget).unwrap_or_default() {
                if let Some(slot) = table.get_mut(usize::from(code)) {
                    *slot = Some(ch);
                }
            }
        }
        let mut widths = Widths {
            first: dict
                .get(b"FirstChar")
                .ok()
                .map(|o| deref(doc, o))
                .and_then(number)
                .map(|f| f.max(0.0) as u32)
                .unwrap_or(0),
            ..Widths::default()
        };
        if let Some(arr) = dict
            .get(b"Widths")
            .ok()
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_array().ok())
        {
            widths.list = arr
                .iter()
                .take(MAX_WIDTH_ITEMS)
                .map(|o| number(deref(doc, o)).unwrap_or(0.0))
                .collect();
        }
        widths.default = dict_of(doc, dict, b"FontDescriptor")
            .and_then(|fd| fd.get(b"MissingWidth").ok())
            .and_then(number)
            .filter(|w| *w > 0.0)
            .unwrap_or(556.0);
        let mut scale = 1.0;
        if type3 {
            if let Some(m) = dict
                .get(b"FontMatrix")
                .ok()
                .map(|o| deref(doc, o))
                .and_then(|o| o.as_array().ok())
                .and_then(|a| a.first())
                .and_then(number)
            {
                if m.is_finite() && m.abs() < 1e3 {
                    scale = m * 1000.0;
                }
            }
        }
        Font {
            encoding: Encoding::Simple(table),
            to_unicode,
            widths,
            scale,
            vertical: false,
        }
    }

    fn load_composite(
        doc: &Document,
        dict: &Dictionary,
        to_unicode: Option<CMap>,
        budget: &mut Budget,
    ) -> Font {
        let vertical = match dict.get(b"Encoding").ok().map(|o| deref(doc, o)) {
            Some(Object::Name(n)) => n.ends_with(b"-V"),
            Some(Object::Stream(s)) => {
                s.dict.get(b"WMode").ok().and_then(|o| o.as_i64().ok()) == Some(1)
            }
            _ => false,
        };
        let codes = match dict.get(b"Encoding").ok().map(|o| deref(doc, o)) {
            Some(Object::Name(n)) => {
                CodeMap::Predefined(Predefined::from_name(n).unwrap_or(Predefined::Identity))
            }
            Some(Object::Stream(s)) => {
                let cmap = budget
                    .decode(s, MAX_CMAP_STREAM)
                    .map(|d| budget.cmap(&d))
                    .unwrap_or_default();
                let base = cmap
                    .use_cmap
                    .as_deref()
                    .and_then(Predefined::from_name)
                    .or_else(|| {
                        s.dict
                            .get(b"UseCMap")
                            .ok()
                            .and_then(|o| o.as_name().ok())
                            .and_then(Predefined::from_name)
                    });
                CodeMap::Embedded(Box::new(cmap), base)
            }
            _ => CodeMap::Predefined(Predefined::Identity),
        };
        let descendant = dict
            .get(b"DescendantFonts")
            .ok()
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok());
        let mut widths = Widths {
            default: 1000.0,
            ..Widths::default()
        };
        let mut gb1 = false;
        let mut glyphs = None;
        if let Some(desc) = descendant {
            let unicode_codes = matches!(
                codes,
                CodeMap::Predefined(p) if p != Predefined::Identity && !matches!(p, Predefined::Legacy(_))
            );
            if to_unicode.is_none() && !unicode_codes {
                glyphs = TrueTypeText::load(doc, desc, budget).map(Box::new);
            }
            if let Some(dw) = desc.get(b"DW").ok().map(|o| deref(doc, o)).and_then(number) {
                widths.default = dw;
            }
            if let Some(w) = desc
                .get(b"W")
                .ok()
                .map(|o| deref(doc, o))
                .and_then(|o| o.as_array().ok())
            {
                widths.ranges = parse_w(doc, w);
            }
            if let Some(info) = dict_of(doc, desc, b"CIDSystemInfo") {
                let ordering = info
                    .get(b"Ordering")
                    .ok()
                    .map(|o| deref(doc, o))
                    .and_then(|o| o.as_str().ok())
                    .unwrap_or(b"");
                gb1 = ordering == b"GB1";
            }
        }
        Font {
            encoding: Encoding::Composite { codes, gb1, glyphs },
            to_unicode,
            widths,
            scale: 1.0,
            vertical,
        }
    }

    /// Splits a shown string into codes.
    pub fn decode(&self, bytes: &[u8]) -> Vec<Code> {
        let mut out = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            let (len, code) = match &self.encoding {
                Encoding::Simple(table) => {
                    let b = rest.first().copied().unwrap_or(0);
                    let text = self
                        .to_unicode
                        .as_ref()
                        .and_then(|t| t.unicode(&[b]))
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .or_else(|| table.get(b as usize).copied().flatten().map(String::from));
                    let width = self.widths.simple(u32::from(b)).unwrap_or(if b == 32 {
                        278.0
                    } else {
                        self.widths.default
                    });
                    (
                        1,
                        Code {
                            text,
                            width,
                            is_space_byte: b == 32,
                        },
                    )
                }
                Encoding::Composite { codes, gb1, glyphs } => {
                    self.composite_code(codes, *gb1, glyphs.as_deref(), rest)
                }
            };
            out.push(code);
            rest = rest.get(len.max(1)..).unwrap_or(&[]);
        }
        out
    }

    fn composite_code(
        &self,
        codes: &CodeMap,
        gb1: bool,
        glyphs: Option<&TrueTypeText>,
        bytes: &[u8],
    ) -> (usize, Code) {
        let (len, cid, mut text) = match codes {
            CodeMap::Predefined(Predefined::Identity) => {
                // Identity-H/V codes are two bytes, whatever codespace a
                // (sometimes careless) ToUnicode map declares.
                let len = bytes.len().min(2);
                let cid = bytes
                    .get(..len)
                    .map(|b| b.iter().fold(0u32, |a, &x| (a << 8) | u32::from(x)));
                (len, cid, None)
            }
            CodeMap::Predefined(p) => {
                let (len, text) = p.next_code(bytes);
                (len, None, text)
            }
            CodeMap::Embedded(cmap, base) => {
                let len = cmap.code_len(bytes, 2).min(bytes.len());
                let code = bytes.get(..len).unwrap_or(&[]);
                let cid = cmap.cid(code);
                let (len, text) = match (cid, base) {
                    (None, Some(p)) => p.next_code(bytes),
                    _ => (len, None),
                };
                (len, cid, text)
            }
        };
        let code = bytes.get(..len).unwrap_or(&[]);
        if let Some(t) = self
            .to_unicode
            .as_ref()
            .and_then(|t| t.unicode(code))
            .filter(|s| !s.is_empty())
        {
            text = Some(t.to_string());
        }
        if text.is_none() {
            if let (Some(g), Some(cid)) = (glyphs, cid) {
                text = g.text(cid).map(String::from);
            }
        }
        if text.is_none() && gb1 {
            text = cid.and_then(adobe_gb1_cid).map(String::from);
        }
        let width = match cid {
            Some(cid) => self.widths.cid(cid).unwrap_or(self.widths.default),
            // The predefined Unicode CMaps do not tell the CID without their
            // tables: half width for narrow characters is close enough to
            // place the next glyph.
            None => match text.as_deref().and_then(|t| t.chars().next()) {
                Some(c) if is_narrow(c) => 500.0,
                _ => self.widths.default,
            },
        };
        (
            len,
            Code {
                text,
                width,
                is_space_byte: false,
            },
        )
    }
}

fn is_narrow(c: char) -> bool {
    (c as u32) < 0x1100 || ('\u{FF61}'..='\u{FFDC}').contains(&c)
}

/// What an embedded TrueType font's own cmap says each glyph is: for CID
/// fonts that come without a ToUnicode map.
#[derive(Debug)]
struct TrueTypeText {
    /// CIDToGIDMap; None for Identity.
    cid_to_gid: Option<Vec<u16>>,
    by_glyph: HashMap<u16, char>,
}

/// The code points looked up in a font's cmap: ASCII and Latin, general
/// punctuation, CJK symbols, the unified ideographs and the full-width
/// forms. A fixed list keeps the work bounded whatever the font says.
const LOOKUP_RANGES: &[(u32, u32)] = &[
    (0x20, 0x24F),
    (0x2000, 0x206F),
    (0x3000, 0x303F),
    (0x4E00, 0x9FFF),
    (0xFF00, 0xFFEF),
];

impl TrueTypeText {
    fn load(doc: &Document, desc: &Dictionary, budget: &mut Budget) -> Option<TrueTypeText> {
        let fd = dict_of(doc, desc, b"FontDescriptor")?;
        let data = font_program(doc, fd, budget)?;
        let face = ttf_parser::Face::parse(&data, 0).ok()?;
        let by_glyph = glyph_chars(&face);
        if by_glyph.is_empty() {
            return None;
        }
        let cid_to_gid = match desc.get(b"CIDToGIDMap").ok().map(|o| deref(doc, o)) {
            Some(Object::Stream(s)) => {
                decode_prefix(s, 2 * 65_536).map(|d| crate::pdf::utf16be_units(&d))
            }
            _ => None,
        };
        Some(TrueTypeText {
            cid_to_gid,
            by_glyph,
        })
    }

    fn text(&self, cid: u32) -> Option<char> {
        let gid = match &self.cid_to_gid {
            Some(map) => *map.get(cid as usize)?,
            None => u16::try_from(cid).ok()?,
        };
        self.by_glyph.get(&gid).copied()
    }
}

/// The decoded TrueType program of a font descriptor (/FontFile2).
fn font_program(doc: &Document, fd: &Dictionary, budget: &mut Budget) -> Option<Vec<u8>> {
    let program = fd
        .get(b"FontFile2")
        .ok()
        .map(|o| deref(doc, o))?
        .as_stream()
        .ok()?;
    budget.programs = budget.programs.checked_sub(1)?;
    budget.decode(program, MAX_FONT_PROGRAM)
}

/// The character each glyph draws, by the font's Unicode cmaps, over a
/// fixed list of code points.
fn glyph_chars(face: &ttf_parser::Face) -> HashMap<u16, char> {
    let mut by_glyph = HashMap::new();
    let Some(cmap) = face.tables().cmap else {
        return by_glyph;
    };
    for sub in cmap
        .subtables
        .into_iter()
        .filter(|s| s.is_unicode())
        .take(4)
    {
        for &(lo, hi) in LOOKUP_RANGES {
            for cp in lo..=hi {
                if let (Some(gid), Some(ch)) = (sub.glyph_index(cp), char::from_u32(cp)) {
                    by_glyph.entry(gid.0).or_insert(ch);
                }
            }
        }
    }
    by_glyph
}

/// A symbolic simple TrueType font without ToUnicode: each byte's glyph by
/// the font's (3,0) or (1,0) cmap, and that glyph's character by its
/// Unicode cmap or its glyph name.
fn symbolic_truetype_chars(
    doc: &Document,
    dict: &Dictionary,
    budget: &mut Budget,
) -> Option<Vec<(u8, char)>> {
    let fd = dict_of(doc, dict, b"FontDescriptor")?;
    let data = font_program(doc, fd, budget)?;
    let face = ttf_parser::Face::parse(&data, 0).ok()?;
    let by_glyph = glyph_chars(&face);
    let cmap = face.tables().cmap?;
    let mut out = Vec::new();
    for code in 0u8..=255 {
        let gid = cmap.subtables.into_iter().take(8).find_map(|sub| {
            use ttf_parser::PlatformId;
            match (sub.platform_id, sub.encoding_id) {
                (PlatformId::Windows, 0) => sub
                    .glyph_index(0xF000 + u32::from(code))
                    .or_else(|| sub.glyph_index(u32::from(code))),
                (PlatformId::Macintosh, 0) => sub.glyph_index(u32::from(code)),
                _ => None,
            }
        });
        let Some(gid) = gid.filter(|g| g.0 != 0) else {
            continue;
        };
        let ch = by_glyph.get(&gid.0).copied().or_else(|| {
            face.glyph_name(gid)
                .and_then(|n| super::glyphs::glyph_to_char(n.as_bytes()))
        });
        if let Some(ch) = ch {
            out.push((code, ch));
        }
    }
    Some(out)
}

/// A CID font's /W array: `c [w1 w2 ...]` and `c_first c_last w`.
fn parse_w(doc: &Document, w: &[Object]) -> Vec<(u32, u32, f32)> {
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < w.len() && out.len() < MAX_WIDTH_ITEMS {
        let Some(first) = w.get(i).map(|o| deref(doc, o)).and_then(number) else {
            i += 1;
            continue;
        };
        let first = first.max(0.0) as u32;
        match w.get(i + 1).map(|o| deref(doc, o)) {
            Some(Object::Array(list)) => {
                for (k, item) in list.iter().take(MAX_WIDTH_ITEMS).enumerate() {
                    if let (Some(width), Some(cid)) = (number(item), first.checked_add(k as u32)) {
                        out.push((cid, cid, width));
                    }
                }
                i += 2;
            }
            Some(o) => {
                let last = number(o).map(|l| l.max(0.0) as u32);
                let width = w.get(i + 2).map(|o| deref(doc, o)).and_then(number);
                if let (Some(last), Some(width)) = (last, width) {
                    out.push((first, last, width));
                }
                i += 3;
            }
            None => break,
        }
    }
    out
}

/// Fonts already read, each once: by object number, or (for a font
/// dictionary written inline in the resources) by where it sits in memory,
/// which does not change while the document is borrowed.
#[derive(Default)]
pub struct FontCache {
    by_id: HashMap<lopdf::ObjectId, Rc<Font>>,
    inline: HashMap<usize, Rc<Font>>,
    budget: Budget,
}

impl FontCache {
    pub fn get(&mut self, doc: &Document, obj: &Object) -> Option<Rc<Font>> {
        match obj {
            Object::Reference(id) => {
                if let Some(f) = self.by_id.get(id) {
                    return Some(f.clone());
                }
                let dict = deref(doc, obj).as_dict().ok()?;
                let font = Rc::new(Font::load_with(doc, dict, &mut self.budget));
                self.by_id.insert(*id, font.clone());
                Some(font)
            }
            Object::Dictionary(d) => {
                let key = d as *const Dictionary as usize;
                if let Some(f) = self.inline.get(&key) {
                    return Some(f.clone());
                }
                let font = Rc::new(Font::load_with(doc, d, &mut self.budget));
                self.inline.insert(key, font.clone());
                Some(font)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, Stream};

    fn text_of(font: &Font, bytes: &[u8]) -> String {
        font.decode(bytes)
            .into_iter()
            .map(|c| c.text.unwrap_or_else(|| "?".into()))
            .collect()
    }

    #[test]
    fn type0_ucs2_without_tounicode() {
        let doc = Document::with_version("1.4");
        let font = dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "STSong-Light",
            "Encoding" => "UniGB-UCS2-H",
            "DescendantFonts" => vec![Object::Dictionary(dictionary! {
                "Type" => "Font", "Subtype" => "CIDFontType0",
                "CIDSystemInfo" => dictionary! {
                    "Registry" => Object::string_literal("Adobe"),
                    "Ordering" => Object::string_literal("GB1"),
                    "Supplement" => 0 },
                "DW" => 1000,
            })],
        };
        let f = Font::load(&doc, &font);
        assert_eq!(text_of(&f, &[0x59, 0xD3, 0x54, 0x0D, 0xFF, 0x1A]), "姓名：");
        let codes = f.decode(&[0x00, 0x31, 0x59, 0xD3]);
        assert_eq!(codes[0].width, 500.0);
        assert_eq!(codes[1].width, 1000.0);
    }

    #[test]
    fn type0_gbk_euc() {
        let doc = Document::with_version("1.4");
        let font =
            dictionary! { "Type" => "Font", "Subtype" => "Type0", "Encoding" => "GBK-EUC-H" };
        let f = Font::load(&doc, &font);
        let (bytes, _, _) = encoding_rs::GBK.encode("资格名称:高级");
        assert_eq!(text_of(&f, &bytes), "资格名称:高级");
    }

    #[test]
    fn type0_identity_with_tounicode_and_widths() {
        let mut doc = Document::with_version("1.4");
        let cmap = b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
            2 beginbfchar <0001> <5F20> <0002> <4F1F> endbfchar"
            .to_vec();
        let tu = doc.add_object(Stream::new(dictionary! {}, cmap));
        let font = dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "Encoding" => "Identity-H",
            "ToUnicode" => tu,
            "DescendantFonts" => vec![Object::Dictionary(dictionary! {
                "Subtype" => "CIDFontType2", "DW" => 900,
                "W" => vec![1.into(), vec![Object::Integer(700)].into(), 2.into(), 3.into(), 650.into()],
            })],
        };
        let f = Font::load(&doc, &font);
        let codes = f.decode(&[0, 1, 0, 2, 0, 9]);
        assert_eq!(codes.len(), 3);
        assert_eq!(codes[0].text.as_deref(), Some("张"));
        assert_eq!(codes[1].text.as_deref(), Some("伟"));
        assert_eq!(codes[2].text, None);
        assert_eq!(codes[0].width, 700.0);
        assert_eq!(codes[1].width, 650.0);
        assert_eq!(codes[2].width, 900.0);
    }

    #[test]
    fn simple_font_with_differences() {
        let doc = Document::with_version("1.4");
        let font = dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            "Encoding" => dictionary! {
                "Type" => "Encoding", "BaseEncoding" => "WinAnsiEncoding",
                "Differences" => vec![65.into(), Object::Name(b"uni59D3".to_vec()), Object::Name(b"uni540D".to_vec())],
            },
            "FirstChar" => 48, "Widths" => vec![Object::Integer(556); 10],
        };
        let f = Font::load(&doc, &font);
        assert_eq!(text_of(&f, b"AB:01X"), "姓名:01X");
        let codes = f.decode(b"0 ");
        assert_eq!(codes[0].width, 556.0);
        assert!(codes[1].is_space_byte);
    }

    /// A cmap format 4 subtable of single-code segments (code, glyph).
    fn format4(map: &[(u16, u16)]) -> Vec<u8> {
        let mut segs: Vec<(u16, u16)> = map.to_vec();
        segs.sort();
        segs.push((0xFFFF, 0));
        let n = segs.len() as u16;
        let mut out = Vec::new();
        for v in [4u16, 16 + 8 * n, 0, 2 * n, 0, 0, 0] {
            out.extend(v.to_be_bytes());
        }
        segs.iter().for_each(|(c, _)| out.extend(c.to_be_bytes()));
        out.extend(0u16.to_be_bytes());
        segs.iter().for_each(|(c, _)| out.extend(c.to_be_bytes()));
        for (c, g) in &segs {
            let delta = if *c == 0xFFFF { 1 } else { g.wrapping_sub(*c) };
            out.extend(delta.to_be_bytes());
        }
        segs.iter().for_each(|_| out.extend(0u16.to_be_bytes()));
        out
    }

    /// The smallest TrueType program ttf-parser reads: head, hhea, maxp and
    /// a cmap with a (3,0) symbol subtable and a (3,1) Unicode one.
    fn tiny_truetype(symbol: &[(u16, u16)], unicode: &[(u16, u16)]) -> Vec<u8> {
        let (sym, uni) = (format4(symbol), format4(unicode));
        let mut cmap = Vec::new();
        for v in [0u16, 2, 3, 0] {
            cmap.extend(v.to_be_bytes());
        }
        cmap.extend(20u32.to_be_bytes());
        for v in [3u16, 1] {
            cmap.extend(v.to_be_bytes());
        }
        cmap.extend((20 + sym.len() as u32).to_be_bytes());
        cmap.extend(&sym);
        cmap.extend(&uni);
        let mut head = vec![0u8; 54];
        head[..4].copy_from_slice(&0x0001_0000u32.to_be_bytes());
        head[12..16].copy_from_slice(&0x5F0F_3CF5u32.to_be_bytes());
        head[18..20].copy_from_slice(&1000u16.to_be_bytes());
        let mut hhea = vec![0u8; 36];
        hhea[..4].copy_from_slice(&0x0001_0000u32.to_be_bytes());
        hhea[34..36].copy_from_slice(&3u16.to_be_bytes());
        let mut maxp = 0x0000_5000u32.to_be_bytes().to_vec();
        maxp.extend(3u16.to_be_bytes());
        let tables: [(&[u8; 4], Vec<u8>); 4] = [
            (b"cmap", cmap),
            (b"head", head),
            (b"hhea", hhea),
            (b"maxp", maxp),
        ];
        let mut out = Vec::new();
        out.extend(0x0001_0000u32.to_be_bytes());
        for v in [4u16, 64, 2, 0] {
            out.extend(v.to_be_bytes());
        }
        let mut offset = 12 + 16 * tables.len() as u32;
        let mut body = Vec::new();
        for (tag, data) in &tables {
            out.extend(*tag);
            out.extend(0u32.to_be_bytes());
            out.extend(offset.to_be_bytes());
            out.extend((data.len() as u32).to_be_bytes());
            body.extend(data);
            while body.len() % 4 != 0 {
                body.push(0);
            }
            offset = 12 + 16 * tables.len() as u32 + body.len() as u32;
        }
        out.extend(body);
        out
    }

    #[test]
    fn symbolic_truetype_without_encoding_reads_the_font_cmap() {
        // Bytes A and B draw glyphs 1 and 2, which the font's Unicode cmap
        // says are 姓 and 名; the standard encoding would say "AB".
        let ttf = tiny_truetype(&[(0xF041, 1), (0xF042, 2)], &[(0x59D3, 1), (0x540D, 2)]);
        assert!(ttf_parser::Face::parse(&ttf, 0).is_ok());
        let mut doc = Document::with_version("1.4");
        let program = doc.add_object(Stream::new(dictionary! {}, ttf));
        let font = dictionary! {
            "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "ABCDEF+SimSun",
            "FontDescriptor" => dictionary! { "Flags" => 4, "FontFile2" => program },
        };
        let f = Font::load(&doc, &font);
        assert_eq!(text_of(&f, b"AB"), "姓名");
        // Not symbolic: the standard encoding stands.
        let mut plain = font.clone();
        plain.set(
            "FontDescriptor",
            dictionary! { "Flags" => 32, "FontFile2" => program },
        );
        assert_eq!(text_of(&Font::load(&doc, &plain), b"AB"), "AB");
    }

    #[test]
    fn the_budget_bounds_what_fonts_cost() {
        let mut doc = Document::with_version("1.4");
        // A ToUnicode map of 65536 entries, shared by many font objects.
        let big = b"1 beginbfrange <0000> <FFFF> <0000> endbfrange".to_vec();
        let tu = doc.add_object(Stream::new(dictionary! {}, big));
        let mut cache = FontCache::default();
        let mut decoded = 0;
        for _ in 0..40 {
            let id = doc.add_object(dictionary! {
                "Type" => "Font", "Subtype" => "Type0", "Encoding" => "Identity-H", "ToUnicode" => tu,
            });
            let font = cache.get(&doc, &Object::Reference(id)).expect("font");
            if font.decode(&[0x4E, 0x00])[0].text.is_some() {
                decoded += 1;
            }
        }
        // 1,000,000 entries buy 15 full maps, and a 16th in part.
        assert_eq!(decoded, 15);
        assert_eq!(cache.budget.entries, 0);
    }

    #[test]
    fn gb1_cids_without_tounicode_decode_by_the_adobe_table() {
        let doc = Document::with_version("1.4");
        let font = dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Dictionary(dictionary! {
                "CIDSystemInfo" => dictionary! { "Ordering" => Object::string_literal("GB1") },
            })],
        };
        let f = Font::load(&doc, &font);
        // CIDs 18..=26 are the digits 1..9 and 57 is 'X'.
        assert_eq!(text_of(&f, &[0, 18, 0, 26, 0, 57]), "19X");
        // 张 is CID 4454 (0x1166) and 伟 3775 (0x0EBF) in Adobe-GB1.
        assert_eq!(text_of(&f, &[0x11, 0x66, 0x0E, 0xBF]), "张伟");
        assert_eq!(text_of(&f, &[0xFF, 0xF0]), "?");
    }
}
