//! Character maps: the ToUnicode and embedded encoding CMaps a PDF carries,
//! and the predefined CJK CMaps that older generators name without
//! shipping (UniGB-UCS2-H, UniGB-UTF16-H, GBK-EUC-H, GB-EUC-H, ...).
//!
//! The predefined CMaps are not tables here: for text, what matters is the
//! Unicode value, and for the Uni* CMaps the code *is* Unicode, while for the
//! EUC/GBK ones the code is the legacy encoding that encoding_rs decodes.

use std::collections::HashMap;

use encoding_rs::{Encoding, BIG5, EUC_JP, EUC_KR, GBK, SHIFT_JIS};

use crate::pdf::stream::hex_string;
use crate::pdf::utf16be_lossy;

/// At most this many mappings are kept from one CMap; a CMap that says
/// more is cut (it still decodes what it kept).
const MAX_ENTRIES: usize = 200_000;
/// A single bfrange/cidrange may cover at most this many codes.
const MAX_RANGE: u32 = 65_536;
/// Tokens read from one CMap stream.
const MAX_TOKENS: usize = 2_000_000;

/// A parsed CMap stream: its codespace and what each code maps to (Unicode
/// for a ToUnicode CMap, a CID for an encoding CMap).
#[derive(Debug, Default, Clone)]
pub struct CMap {
    /// (low, high) byte strings of equal length.
    codespace: Vec<(Vec<u8>, Vec<u8>)>,
    /// (code length, code) -> Unicode text.
    unicode: HashMap<(u8, u32), String>,
    /// (code length, code) -> CID.
    cid_single: HashMap<(u8, u32), u32>,
    /// (code length, low, high, first CID).
    cid_ranges: Vec<(u8, u32, u32, u32)>,
    /// The name of a CMap this one builds on (/UseCMap).
    pub use_cmap: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Hex(Vec<u8>),
    Int(i64),
    Name(Vec<u8>),
    Word(Vec<u8>),
    ArrayStart,
    ArrayEnd,
    Other,
}

fn tokenize(data: &[u8]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < data.len() && out.len() < MAX_TOKENS {
        let Some(&c) = data.get(i) else { break };
        match c {
            b'%' => {
                while let Some(&c) = data.get(i) {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    i += 1;
                }
            }
            b'<' if data.get(i + 1) == Some(&b'<') => {
                out.push(Token::Other);
                i += 2;
            }
            b'>' if data.get(i + 1) == Some(&b'>') => {
                out.push(Token::Other);
                i += 2;
            }
            b'<' => {
                i += 1;
                let (bytes, read) = hex_string(data.get(i..).unwrap_or(&[]), usize::MAX);
                i += read;
                out.push(Token::Hex(bytes));
            }
            b'(' => {
                // Literal strings appear in CIDSystemInfo; their content is
                // not needed, only skipped with nesting respected.
                let mut depth = 0usize;
                while let Some(&c) = data.get(i) {
                    i += 1;
                    match c {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                out.push(Token::Other);
            }
            b'[' => {
                out.push(Token::ArrayStart);
                i += 1;
            }
            b']' => {
                out.push(Token::ArrayEnd);
                i += 1;
            }
            b'/' => {
                i += 1;
                let start = i;
                while let Some(&c) = data.get(i) {
                    if is_delim(c) {
                        break;
                    }
                    i += 1;
                }
                out.push(Token::Name(data.get(start..i).unwrap_or(&[]).to_vec()));
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                while let Some(&c) = data.get(i) {
                    if is_delim(c) {
                        break;
                    }
                    i += 1;
                }
                if i == start {
                    i += 1;
                    out.push(Token::Other);
                    continue;
                }
                let word = data.get(start..i).unwrap_or(&[]);
                match std::str::from_utf8(word).ok().and_then(|s| s.parse().ok()) {
                    Some(n) => out.push(Token::Int(n)),
                    None => out.push(Token::Word(word.to_vec())),
                }
            }
        }
    }
    out
}

fn is_delim(c: u8) -> bool {
    c.is_ascii_whitespace() || b"()<>[]{}/%".contains(&c)
}

/// The integer value of a code of up to 4 bytes.
fn code_value(bytes: &[u8]) -> Option<(u8, u32)> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    let v = bytes.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    Some((bytes.len() as u8, v))
}

/// Adds `offset` to the last UTF-16 unit of a bfrange destination.
fn utf16_plus(bytes: &[u8], offset: u32) -> String {
    let mut units = crate::pdf::utf16be_units(bytes);
    if let Some(last) = units.last_mut() {
        // Ranges that run past a unit boundary are malformed; wrapping
        // keeps decoding total without guessing further.
        *last = (u32::from(*last).wrapping_add(offset) & 0xFFFF) as u16;
    }
    String::from_utf16_lossy(&units)
}

impl CMap {
    /// Parses a CMap stream's (decoded) bytes. Never fails: what cannot be
    /// read is skipped.
    pub fn parse(data: &[u8]) -> CMap {
        Self::parse_limited(data, MAX_ENTRIES)
    }

    /// Parses keeping at most `max_entries` mappings (and never more than
    /// the per-CMap limit).
    pub fn parse_limited(data: &[u8], max_entries: usize) -> CMap {
        let max_entries = max_entries.min(MAX_ENTRIES);
        let tokens = tokenize(data);
        let mut cmap = CMap::default();
        let mut i = 0usize;
        let mut entries = 0usize;
        while let Some(tok) = tokens.get(i) {
            i += 1;
            let Token::Word(w) = tok else {
                if let (Token::Name(n), Some(Token::Word(w))) = (tok, tokens.get(i)) {
                    if w == b"usecmap" {
                        cmap.use_cmap = Some(n.clone());
                    }
                }
                continue;
            };
            match w.as_slice() {
                b"begincodespacerange" => {
                    while let (Some(Token::Hex(lo)), Some(Token::Hex(hi))) =
                        (tokens.get(i), tokens.get(i + 1))
                    {
                        if lo.len() == hi.len() && !lo.is_empty() && lo.len() <= 4 {
                            cmap.codespace.push((lo.clone(), hi.clone()));
                        }
                        i += 2;
                    }
                }
                b"beginbfchar" => loop {
                    match (tokens.get(i), tokens.get(i + 1)) {
                        (Some(Token::Hex(src)), Some(Token::Hex(dst))) => {
                            if let Some(key) = code_value(src) {
                                if entries < max_entries {
                                    cmap.unicode.insert(key, utf16be_lossy(dst));
                                    entries += 1;
                                }
                            }
                            i += 2;
                        }
                        (Some(Token::Hex(src)), Some(Token::Name(name))) => {
                            if let (Some(key), Some(ch)) =
                                (code_value(src), super::glyphs::glyph_to_char(name))
                            {
                                if entries < max_entries {
                                    cmap.unicode.insert(key, ch.to_string());
                                    entries += 1;
                                }
                            }
                            i += 2;
                        }
                        _ => break,
                    }
                },
                b"beginbfrange" => loop {
                    match (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2)) {
                        (Some(Token::Hex(lo)), Some(Token::Hex(hi)), Some(Token::Hex(dst))) => {
                            i += 3;
                            let (Some((len, a)), Some((_, b))) = (code_value(lo), code_value(hi))
                            else {
                                continue;
                            };
                            if b < a || b - a >= MAX_RANGE {
                                continue;
                            }
                            for off in 0..=(b - a) {
                                if entries >= max_entries {
                                    break;
                                }
                                cmap.unicode.insert((len, a + off), utf16_plus(dst, off));
                                entries += 1;
                            }
                        }
                        (Some(Token::Hex(lo)), Some(Token::Hex(hi)), Some(Token::ArrayStart)) => {
                            i += 3;
                            let mut dsts = Vec::new();
                            while let Some(t) = tokens.get(i) {
                                i += 1;
                                match t {
                                    Token::Hex(d) => dsts.push(utf16be_lossy(d)),
                                    Token::ArrayEnd => break,
                                    _ => dsts.push(String::new()),
                                }
                            }
                            let (Some((len, a)), Some((_, b))) = (code_value(lo), code_value(hi))
                            else {
                                continue;
                            };
                            for (off, d) in dsts.into_iter().enumerate() {
                                let Some(code) = a.checked_add(off as u32) else {
                                    break;
                                };
                                if code > b || entries >= max_entries {
                                    break;
                                }
                                cmap.unicode.insert((len, code), d);
                                entries += 1;
                            }
                        }
                        _ => break,
                    }
                },
                b"begincidchar" => {
                    while let (Some(Token::Hex(src)), Some(Token::Int(cid))) =
                        (tokens.get(i), tokens.get(i + 1))
                    {
                        if let (Some(key), Ok(cid)) = (code_value(src), u32::try_from(*cid)) {
                            if entries < max_entries {
                                cmap.cid_single.insert(key, cid);
                                entries += 1;
                            }
                        }
                        i += 2;
                    }
                }
                b"begincidrange" => {
                    while let (Some(Token::Hex(lo)), Some(Token::Hex(hi)), Some(Token::Int(cid))) =
                        (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
                    {
                        if let (Some((len, a)), Some((_, b)), Ok(cid)) =
                            (code_value(lo), code_value(hi), u32::try_from(*cid))
                        {
                            if b >= a && entries < max_entries {
                                cmap.cid_ranges.push((len, a, b, cid));
                                entries += 1;
                            }
                        }
                        i += 3;
                    }
                }
                _ => {}
            }
        }
        cmap
    }

    /// How many mappings the CMap holds.
    pub fn entries(&self) -> usize {
        self.unicode.len() + self.cid_single.len() + self.cid_ranges.len()
    }

    pub fn has_unicode(&self) -> bool {
        !self.unicode.is_empty()
    }

    /// The length of the code that starts `bytes`, by the codespace; where
    /// the CMap declares none, the length its mappings use (else `default`).
    pub fn code_len(&self, bytes: &[u8], default: usize) -> usize {
        for (lo, hi) in &self.codespace {
            let n = lo.len();
            let Some(head) = bytes.get(..n) else { continue };
            if head
                .iter()
                .zip(lo.iter().zip(hi.iter()))
                .all(|(b, (l, h))| l <= b && b <= h)
            {
                return n;
            }
        }
        if self.codespace.is_empty() {
            // Without a codespace, the mappings' own length is the best
            // evidence of how codes are split.
            for n in 1..=4usize {
                if let Some(key) = bytes.get(..n).and_then(code_value) {
                    if self.unicode.contains_key(&key) || self.cid_single.contains_key(&key) {
                        return n;
                    }
                }
            }
        } else {
            // A byte outside every range: the PDF spec says to take the
            // shortest codespace length that matches the first byte's range.
            if let Some(n) = self
                .codespace
                .iter()
                .filter(|(lo, hi)| {
                    bytes
                        .first()
                        .is_some_and(|b| lo.first() <= Some(b) && Some(b) <= hi.first())
                })
                .map(|(lo, _)| lo.len())
                .min()
            {
                return n;
            }
            if let Some(n) = self.codespace.iter().map(|(lo, _)| lo.len()).min() {
                return n;
            }
        }
        default
    }

    pub fn unicode(&self, code: &[u8]) -> Option<&str> {
        let key = code_value(code)?;
        if let Some(s) = self.unicode.get(&key) {
            return Some(s);
        }
        // A map written with another code length than the font uses
        // (<41> for the two-byte code <0041>): the same value still counts.
        (1u8..=4)
            .filter(|&len| len != key.0 && (len >= 4 || key.1 < 1u32 << (8 * u32::from(len))))
            .find_map(|len| self.unicode.get(&(len, key.1)))
            .map(String::as_str)
    }

    pub fn cid(&self, code: &[u8]) -> Option<u32> {
        let key = code_value(code)?;
        if let Some(c) = self.cid_single.get(&key) {
            return Some(*c);
        }
        self.cid_ranges
            .iter()
            .find(|(len, a, b, _)| *len == key.0 && *a <= key.1 && key.1 <= *b)
            .and_then(|(_, a, _, cid)| cid.checked_add(key.1 - a))
    }
}

/// How a predefined CMap named in /Encoding turns codes into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Predefined {
    /// Identity-H/V: two-byte codes that are CIDs; the text needs a
    /// ToUnicode map or the CID ordering.
    Identity,
    /// Uni*-UCS2-H/V: two-byte UCS-2 codes.
    Ucs2,
    /// Uni*-UTF16-H/V: UTF-16BE, surrogate pairs as four-byte codes.
    Utf16,
    /// Uni*-UTF8-H/V.
    Utf8,
    /// Uni*-UTF32-H/V.
    Utf32,
    /// A legacy multi-byte character set decoded by encoding_rs: GBK for
    /// GB-EUC, GBpc-EUC, GBK-EUC, GBK2K, GBKp-EUC; Big5 for the B5 CMaps;
    /// Shift-JIS and EUC for the Japanese and Korean ones.
    Legacy(LegacyCharset),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyCharset {
    Gbk,
    Big5,
    ShiftJis,
    EucJp,
    EucKr,
}

impl LegacyCharset {
    fn encoding(self) -> &'static Encoding {
        match self {
            LegacyCharset::Gbk => GBK,
            LegacyCharset::Big5 => BIG5,
            LegacyCharset::ShiftJis => SHIFT_JIS,
            LegacyCharset::EucJp => EUC_JP,
            LegacyCharset::EucKr => EUC_KR,
        }
    }

    /// The byte length of the character that starts `bytes`.
    fn char_len(self, bytes: &[u8]) -> usize {
        let Some(&b0) = bytes.first() else { return 0 };
        match self {
            LegacyCharset::Gbk => {
                if b0 <= 0x80 || b0 == 0xFF {
                    1
                } else if matches!(bytes.get(1), Some(0x30..=0x39)) {
                    // GB 18030 four-byte form (GBK2K).
                    4
                } else {
                    2
                }
            }
            LegacyCharset::Big5 | LegacyCharset::EucKr => {
                if b0 < 0x81 || b0 == 0xFF {
                    1
                } else {
                    2
                }
            }
            LegacyCharset::ShiftJis => {
                if b0 < 0x81 || (0xA0..=0xDF).contains(&b0) || b0 > 0xFC {
                    1
                } else {
                    2
                }
            }
            LegacyCharset::EucJp => match b0 {
                0x8F => 3,
                0x8E | 0xA1..=0xFE => 2,
                _ => 1,
            },
        }
    }
}

impl Predefined {
    /// Recognises a predefined CMap by name.
    pub fn from_name(name: &[u8]) -> Option<Predefined> {
        let name = std::str::from_utf8(name).ok()?;
        let base = name
            .strip_suffix("-H")
            .or_else(|| name.strip_suffix("-V"))
            .unwrap_or(name);
        if base == "Identity" {
            return Some(Predefined::Identity);
        }
        if base.starts_with("Uni") {
            if base.ends_with("UCS2") || base.ends_with("UCS2-HW") {
                return Some(Predefined::Ucs2);
            }
            if base.ends_with("UTF16") {
                return Some(Predefined::Utf16);
            }
            if base.ends_with("UTF8") {
                return Some(Predefined::Utf8);
            }
            if base.ends_with("UTF32") {
                return Some(Predefined::Utf32);
            }
            return None;
        }
        let legacy = match base {
            "GB-EUC" | "GBpc-EUC" | "GBK-EUC" | "GBKp-EUC" | "GBK2K" | "GBT-EUC" | "GBTpc-EUC" => {
                LegacyCharset::Gbk
            }
            "B5pc" | "ETen-B5" | "HKscs-B5" | "ETenms-B5" | "B5" | "HKdla-B5" | "HKdlb-B5"
            | "HKgccs-B5" | "HKm314-B5" | "HKm471-B5" => LegacyCharset::Big5,
            "90ms-RKSJ" | "90msp-RKSJ" | "90pv-RKSJ" | "83pv-RKSJ" | "Add-RKSJ" | "Ext-RKSJ"
            | "78-RKSJ" | "78ms-RKSJ" => LegacyCharset::ShiftJis,
            "EUC" | "78-EUC" | "Hankaku" => LegacyCharset::EucJp,
            "KSC-EUC" | "KSCms-UHC" | "KSCms-UHC-HW" | "KSCpc-EUC" => LegacyCharset::EucKr,
            _ => return None,
        };
        Some(Predefined::Legacy(legacy))
    }

    /// Splits off the first code of `bytes`: its length and its text (None
    /// where this CMap alone cannot say: Identity).
    pub fn next_code(self, bytes: &[u8]) -> (usize, Option<String>) {
        match self {
            Predefined::Identity => (bytes.len().min(2), None),
            Predefined::Ucs2 => {
                let n = bytes.len().min(2);
                let text = match bytes {
                    [hi, lo, ..] => {
                        char::from_u32(u32::from(u16::from_be_bytes([*hi, *lo]))).map(String::from)
                    }
                    _ => None,
                };
                (n, text)
            }
            Predefined::Utf16 => {
                let [hi, lo, rest @ ..] = bytes else {
                    return (bytes.len(), None);
                };
                let unit = u16::from_be_bytes([*hi, *lo]);
                if (0xD800..0xDC00).contains(&unit) {
                    if let [hi2, lo2, ..] = rest {
                        let low = u16::from_be_bytes([*hi2, *lo2]);
                        let s: String = char::decode_utf16([unit, low])
                            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
                            .collect();
                        return (4, Some(s));
                    }
                    return (bytes.len(), None);
                }
                (2, char::from_u32(u32::from(unit)).map(String::from))
            }
            Predefined::Utf8 => {
                let n = match bytes.first() {
                    Some(0x00..=0x7F) => 1,
                    Some(0xC0..=0xDF) => 2,
                    Some(0xE0..=0xEF) => 3,
                    Some(0xF0..=0xF7) => 4,
                    Some(_) => 1,
                    None => 0,
                };
                let n = n.min(bytes.len());
                let text = bytes
                    .get(..n)
                    .and_then(|b| std::str::from_utf8(b).ok())
                    .map(str::to_string);
                (n, text)
            }
            Predefined::Utf32 => {
                let n = bytes.len().min(4);
                let text = match bytes {
                    [a, b, c, d, ..] => {
                        char::from_u32(u32::from_be_bytes([*a, *b, *c, *d])).map(String::from)
                    }
                    _ => None,
                };
                (n, text)
            }
            Predefined::Legacy(cs) => {
                let n = cs.char_len(bytes).min(bytes.len()).max(1).min(bytes.len());
                let text = bytes.get(..n).and_then(|b| decode_legacy(cs, b));
                (n, text)
            }
        }
    }
}

/// Decodes one character's bytes in a legacy charset; None where the bytes
/// are not a character of it.
pub fn decode_legacy(cs: LegacyCharset, bytes: &[u8]) -> Option<String> {
    let (text, _, had_errors) = cs.encoding().decode(bytes);
    if had_errors {
        return None;
    }
    Some(text.into_owned())
}

/// Adobe's CID-to-Unicode map of the Adobe-GB1 collection (see
/// data/README.md), compressed.
static ADOBE_GB1_UCS2: &[u8] = include_bytes!("data/Adobe-GB1-UCS2.z");

fn adobe_gb1_table() -> &'static CMap {
    static TABLE: std::sync::OnceLock<CMap> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut data = Vec::new();
        let ok = std::io::Read::read_to_end(
            &mut std::io::Read::take(flate2::read::ZlibDecoder::new(ADOBE_GB1_UCS2), 1 << 21),
            &mut data,
        )
        .is_ok();
        if ok {
            CMap::parse(&data)
        } else {
            CMap::default()
        }
    })
}

/// The character of an Adobe-GB1 CID (fonts such as STSong-Light drawn
/// through Identity-H without a ToUnicode map).
pub fn adobe_gb1_cid(cid: u32) -> Option<char> {
    let code = u16::try_from(cid).ok()?.to_be_bytes();
    match adobe_gb1_table().unicode(&code) {
        Some(s) => s.chars().next().filter(|c| *c != '\u{FFFD}'),
        // CIDs 1 to 95 are the Latin set in ASCII order, table or not.
        None if (1..=95).contains(&cid) => char::from_u32(cid + 31),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(p: Predefined, mut bytes: &[u8]) -> String {
        let mut out = String::new();
        while !bytes.is_empty() {
            let (n, t) = p.next_code(bytes);
            out.push_str(t.as_deref().unwrap_or("\u{FFFD}"));
            bytes = bytes.get(n.max(1)..).unwrap_or(&[]);
        }
        out
    }

    #[test]
    fn predefined_names() {
        assert_eq!(
            Predefined::from_name(b"UniGB-UCS2-H"),
            Some(Predefined::Ucs2)
        );
        assert_eq!(
            Predefined::from_name(b"UniGB-UCS2-V"),
            Some(Predefined::Ucs2)
        );
        assert_eq!(
            Predefined::from_name(b"UniGB-UTF16-H"),
            Some(Predefined::Utf16)
        );
        assert_eq!(
            Predefined::from_name(b"GBK-EUC-H"),
            Some(Predefined::Legacy(LegacyCharset::Gbk))
        );
        assert_eq!(
            Predefined::from_name(b"GB-EUC-H"),
            Some(Predefined::Legacy(LegacyCharset::Gbk))
        );
        assert_eq!(
            Predefined::from_name(b"ETen-B5-H"),
            Some(Predefined::Legacy(LegacyCharset::Big5))
        );
        assert_eq!(
            Predefined::from_name(b"Identity-H"),
            Some(Predefined::Identity)
        );
        assert_eq!(Predefined::from_name(b"WinAnsiEncoding"), None);
    }

    #[test]
    fn ucs2_decodes_chinese() {
        // 姓名 in UCS-2 big-endian.
        assert_eq!(
            decode_all(Predefined::Ucs2, &[0x59, 0xD3, 0x54, 0x0D]),
            "姓名"
        );
        assert_eq!(
            decode_all(Predefined::Ucs2, &[0x00, 0x31, 0x00, 0x58]),
            "1X"
        );
    }

    #[test]
    fn utf16_decodes_surrogates() {
        // 张 then U+20BB7 (𠮷) as a surrogate pair.
        let bytes = [0x5F, 0x20, 0xD8, 0x42, 0xDF, 0xB7];
        assert_eq!(decode_all(Predefined::Utf16, &bytes), "张\u{20BB7}");
    }

    #[test]
    fn gbk_decodes_mixed_widths() {
        // "管理号:" in GBK, with an ASCII colon and digits.
        let (bytes, _, _) = GBK.encode("管理号:2023K");
        let p = Predefined::Legacy(LegacyCharset::Gbk);
        assert_eq!(decode_all(p, &bytes), "管理号:2023K");
        // 姓名 is D0D5 C3FB in GB 2312, which GB-EUC-H uses as well.
        assert_eq!(decode_all(p, &[0xD0, 0xD5, 0xC3, 0xFB]), "姓名");
        // A lone lead byte at the end decodes to the replacement, not a panic.
        assert_eq!(decode_all(p, &[0xC9]), "\u{FFFD}");
    }

    #[test]
    fn big5_decodes() {
        let (bytes, _, _) = BIG5.encode("證件號碼");
        let p = Predefined::Legacy(LegacyCharset::Big5);
        assert_eq!(decode_all(p, &bytes), "證件號碼");
    }

    #[test]
    fn tounicode_bfchar_bfrange_and_arrays() {
        let src = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
            1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
            2 beginbfchar <0001> <59D3> <0002> <540D> endbfchar\n\
            2 beginbfrange <0010> <0012> <0030> <0020> <0021> [<5F20> <4F1F>] endbfrange\n\
            endcmap";
        let cmap = CMap::parse(src);
        assert_eq!(cmap.unicode(&[0, 1]), Some("姓"));
        assert_eq!(cmap.unicode(&[0, 2]), Some("名"));
        assert_eq!(cmap.unicode(&[0, 0x11]), Some("1"));
        assert_eq!(cmap.unicode(&[0, 0x12]), Some("2"));
        assert_eq!(cmap.unicode(&[0, 0x21]), Some("伟"));
        assert_eq!(cmap.unicode(&[0, 0x13]), None);
        assert_eq!(cmap.code_len(&[0, 1, 0, 2], 1), 2);
        // Written with one-byte keys, looked up with a two-byte code.
        let short = CMap::parse(b"1 beginbfchar <41> <59D3> endbfchar");
        assert_eq!(short.unicode(&[0x00, 0x41]), Some("姓"));
        assert_eq!(short.unicode(&[0x01, 0x41]), None);
    }

    #[test]
    fn encoding_cmap_cid_ranges_and_mixed_codespace() {
        let src = b"2 begincodespacerange <00> <80> <8140> <FEFE> endcodespacerange\n\
            1 begincidrange <20> <7e> 1 endcidrange\n\
            1 begincidchar <B0A1> 814 endcidchar";
        let cmap = CMap::parse(src);
        assert_eq!(cmap.code_len(&[0x41, 0xB0], 2), 1);
        assert_eq!(cmap.code_len(&[0xB0, 0xA1], 1), 2);
        assert_eq!(cmap.cid(&[0x41]), Some(34));
        assert_eq!(cmap.cid(&[0xB0, 0xA1]), Some(814));
        assert_eq!(adobe_gb1_cid(34), Some('A'));
    }

    #[test]
    fn adobe_gb1_cids() {
        // The CIDs the UniGB-UCS2-H CMap (which maps the other way) gives
        // for 姓 (<59d3> -> 4000) and 名 (<540d> -> 2816).
        assert_eq!(adobe_gb1_cid(4000), Some('姓'));
        assert_eq!(adobe_gb1_cid(2816), Some('名'));
        assert_eq!(adobe_gb1_cid(18), Some('1'));
        assert_eq!(adobe_gb1_cid(0), None);
        assert_eq!(adobe_gb1_cid(70_000), None);
    }

    #[test]
    fn garbage_cmap_is_harmless() {
        let cmap = CMap::parse(b"<<<<< [[[ beginbfrange <00> <FFFFFFFF> <0000> ( unterminated");
        assert!(!cmap.has_unicode());
        let cmap = CMap::parse(b"1 beginbfrange <0000> <FFFF> <4E00> endbfrange");
        assert_eq!(cmap.unicode(&[0x00, 0x01]), Some("\u{4E01}"));
    }
}
