//! Fonts as text extraction needs them: how a string's bytes split into
//! codes, what each code means as Unicode, and how far it advances.

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object};

use super::cmap::{adobe_gb1_cid, CMap, Predefined};
use super::stream::{decode_stream, deref};

/// Bytes of a CMap or font stream that are read at most.
const MAX_CMAP_STREAM: usize = 4 * 1024 * 1024;
/// Entries of a /W or /Widths array that are read at most.
const MAX_WIDTH_ITEMS: usize = 100_000;

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

fn parse_cmap_stream(doc: &Document, obj: &Object) -> Option<CMap> {
    let stream = deref(doc, obj).as_stream().ok()?;
    let data = decode_stream(stream, MAX_CMAP_STREAM)?;
    Some(CMap::parse(&data))
}

impl Font {
    /// Reads a font dictionary. Never fails: what cannot be read gives a
    /// font that decodes less.
    pub fn load(doc: &Document, dict: &Dictionary) -> Font {
        let subtype = name_of(doc, dict, b"Subtype").unwrap_or(b"");
        let to_unicode = dict
            .get(b"ToUnicode")
            .ok()
            .and_then(|o| parse_cmap_stream(doc, o))
            .filter(CMap::has_unicode);
        if subtype == b"Type0" {
            Self::load_composite(doc, dict, to_unicode)
        } else {
            Self::load_simple(doc, dict, to_unicode, subtype == b"Type3")
        }
    }

    fn load_simple(
        doc: &Document,
        dict: &Dictionary,
        to_unicode: Option<CMap>,
        type3: bool,
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
        }
    }

    fn load_composite(doc: &Document, dict: &Dictionary, to_unicode: Option<CMap>) -> Font {
        let codes = match dict.get(b"Encoding").ok().map(|o| deref(doc, o)) {
            Some(Object::Name(n)) => {
                CodeMap::Predefined(Predefined::from_name(n).unwrap_or(Predefined::Identity))
            }
            Some(Object::Stream(s)) => {
                let cmap = decode_stream(s, MAX_CMAP_STREAM)
                    .map(|d| CMap::parse(&d))
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
        if let Some(desc) = descendant {
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
            encoding: Encoding::Composite { codes, gb1 },
            to_unicode,
            widths,
            scale: 1.0,
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
                Encoding::Composite { codes, gb1 } => self.composite_code(codes, *gb1, rest),
            };
            out.push(code);
            rest = rest.get(len.max(1)..).unwrap_or(&[]);
        }
        out
    }

    fn composite_code(&self, codes: &CodeMap, gb1: bool, bytes: &[u8]) -> (usize, Code) {
        let (len, cid, mut text) = match codes {
            CodeMap::Predefined(Predefined::Identity) => {
                let len = match &self.to_unicode {
                    Some(t) => t.code_len(bytes, 2),
                    None => 2,
                }
                .min(bytes.len());
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

/// Fonts already read, by object number, so each is parsed once.
#[derive(Default)]
pub struct FontCache {
    by_id: HashMap<lopdf::ObjectId, std::rc::Rc<Font>>,
}

impl FontCache {
    pub fn get(&mut self, doc: &Document, obj: &Object) -> Option<std::rc::Rc<Font>> {
        match obj {
            Object::Reference(id) => {
                if let Some(f) = self.by_id.get(id) {
                    return Some(f.clone());
                }
                let dict = deref(doc, obj).as_dict().ok()?;
                let font = std::rc::Rc::new(Font::load(doc, dict));
                // A file with thousands of fonts is not a certificate; the
                // cache stays bounded and later fonts are re-read.
                if self.by_id.len() < 4096 {
                    self.by_id.insert(*id, font.clone());
                }
                Some(font)
            }
            Object::Dictionary(d) => Some(std::rc::Rc::new(Font::load(doc, d))),
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

    #[test]
    fn gb1_cids_without_tounicode_decode_ascii() {
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
        assert_eq!(text_of(&f, &[0x10, 0x00]), "?");
    }
}
