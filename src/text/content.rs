//! A content-stream reader of our own: operands and operators, one at a
//! time, with nothing that can panic or grow without bound. lopdf's content
//! parser stops at the first token it does not know (dropping the rest of
//! the page) and can panic on inline images without a colour space.

use crate::pdf::stream::{hex_digit, hex_string};

/// An operand, as far as text extraction needs to know it.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Number(f32),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Array(Vec<Operand>),
    /// Booleans, null, dictionaries: kept only so operand counts stay right.
    Other,
}

impl Operand {
    pub fn number(&self) -> Option<f32> {
        match self {
            Operand::Number(n) if n.is_finite() => Some(*n),
            _ => None,
        }
    }
}

/// Nesting of arrays and dictionaries inside one operand.
const MAX_NESTING: usize = 32;
/// Operands kept before an operator; more are dropped (no operator takes
/// more than six).
const MAX_OPERANDS: usize = 64;
/// Elements of one array operand (a TJ array).
const MAX_ARRAY: usize = 100_000;

pub struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Lexer { data, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if c == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else if is_white(c) {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// The next operation: (operator, operands). None at the end.
    pub fn next_op(&mut self) -> Option<(Vec<u8>, Vec<Operand>)> {
        let mut operands = Vec::new();
        loop {
            self.skip_space();
            let c = self.peek()?;
            if is_regular(c) && !is_number_start(c) {
                let word = self.word();
                match word.as_slice() {
                    b"true" | b"false" | b"null" => push(&mut operands, Operand::Other),
                    b"BI" => {
                        self.skip_inline_image();
                        return Some((b"BI".to_vec(), Vec::new()));
                    }
                    _ => return Some((word, operands)),
                }
                continue;
            }
            match self.operand(0) {
                Some(op) => push(&mut operands, op),
                None => {
                    // A byte that starts nothing (a stray ')' or '}'): skip it.
                    self.pos += 1;
                }
            }
        }
    }

    fn word(&mut self) -> Vec<u8> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !is_regular(c) {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            self.pos += 1;
        }
        self.data.get(start..self.pos).unwrap_or(&[]).to_vec()
    }

    fn operand(&mut self, depth: usize) -> Option<Operand> {
        self.skip_space();
        let c = self.peek()?;
        match c {
            b'/' => {
                self.pos += 1;
                let start = self.pos;
                while let Some(c) = self.peek() {
                    if !is_regular(c) {
                        break;
                    }
                    self.pos += 1;
                }
                Some(Operand::Name(decode_name(
                    self.data.get(start..self.pos).unwrap_or(&[]),
                )))
            }
            b'(' => Some(Operand::Str(self.literal_string())),
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                self.skip_dict(depth);
                Some(Operand::Other)
            }
            b'<' => Some(Operand::Str(self.hex_string())),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    match self.peek() {
                        None => break,
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        Some(c) if is_regular(c) && !is_number_start(c) => {
                            // An operator inside an array: the array was not
                            // closed; end it here so the operator is seen.
                            let save = self.pos;
                            let w = self.word();
                            if matches!(w.as_slice(), b"true" | b"false" | b"null") {
                                items.push(Operand::Other);
                                continue;
                            }
                            self.pos = save;
                            break;
                        }
                        Some(_) => {
                            if depth >= MAX_NESTING {
                                self.pos += 1;
                                continue;
                            }
                            match self.operand(depth + 1) {
                                Some(op) if items.len() < MAX_ARRAY => items.push(op),
                                Some(_) => {}
                                None => self.pos += 1,
                            }
                        }
                    }
                }
                Some(Operand::Array(items))
            }
            c if is_number_start(c) => {
                let start = self.pos;
                self.pos += 1;
                while let Some(c) = self.peek() {
                    if !(c.is_ascii_digit() || c == b'.' || c == b'-' || c == b'+') {
                        break;
                    }
                    self.pos += 1;
                }
                let text = self.data.get(start..self.pos).unwrap_or(&[]);
                Some(Operand::Number(parse_number(text)))
            }
            _ => None,
        }
    }

    fn skip_dict(&mut self, depth: usize) {
        let mut level = 1usize;
        while let Some(c) = self.peek() {
            match c {
                b'(' => {
                    self.literal_string();
                }
                b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                    self.pos += 2;
                    level += 1;
                    if depth + level > MAX_NESTING * 4 {
                        // Absurd nesting: give up on this dictionary.
                        return;
                    }
                }
                b'>' if self.data.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    level -= 1;
                    if level == 0 {
                        return;
                    }
                }
                b'<' => {
                    self.hex_string();
                }
                _ => self.pos += 1,
            }
        }
    }

    fn literal_string(&mut self) -> Vec<u8> {
        // At '('.
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1usize;
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(c);
                }
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xFF) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
        out
    }

    fn hex_string(&mut self) -> Vec<u8> {
        // At '<'.
        self.pos += 1;
        let (bytes, read) = hex_string(self.data.get(self.pos..).unwrap_or(&[]), usize::MAX);
        self.pos += read;
        bytes
    }

    /// Skips `<dict> ID <data> EI`: the data is binary and may hold
    /// anything, so the end is the first "EI" between white space.
    fn skip_inline_image(&mut self) {
        let Some(id) = find_token(self.data, self.pos, b"ID") else {
            self.pos = self.data.len();
            return;
        };
        self.pos = id + 2;
        match find_token(self.data, self.pos, b"EI") {
            Some(ei) => self.pos = ei + 2,
            None => self.pos = self.data.len(),
        }
    }
}

fn push(operands: &mut Vec<Operand>, op: Operand) {
    if operands.len() < MAX_OPERANDS {
        operands.push(op);
    }
}

/// The offset of `tok` at or after `from`, delimited by white space (or the
/// ends of the data).
fn find_token(data: &[u8], from: usize, tok: &[u8]) -> Option<usize> {
    let mut i = from;
    while let Some(window) = data.get(i..i + tok.len()) {
        if window == tok {
            let before = i == 0 || data.get(i - 1).is_some_and(|&c| is_white(c));
            let after = data.get(i + tok.len()).is_none_or(|&c| is_white(c));
            if before && after {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

fn decode_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0usize;
    while let Some(&c) = raw.get(i) {
        if c == b'#' {
            if let (Some(h), Some(l)) = (
                raw.get(i + 1).copied().and_then(hex_digit),
                raw.get(i + 2).copied().and_then(hex_digit),
            ) {
                out.push((h << 4) | l);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

fn parse_number(text: &[u8]) -> f32 {
    let s = std::str::from_utf8(text).unwrap_or("0");
    if let Ok(v) = s.parse::<f32>() {
        return v;
    }
    // "--5", "1.2.3" and the like: read the longest prefix that parses.
    let mut best = 0.0;
    for end in 1..=s.len() {
        if let Some(Ok(v)) = s.get(..end).map(str::parse::<f32>) {
            best = v;
        }
    }
    best
}

fn is_white(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0C' | b'\0')
}

fn is_regular(c: u8) -> bool {
    !is_white(c) && !b"()<>[]{}/%".contains(&c)
}

fn is_number_start(c: u8) -> bool {
    c.is_ascii_digit() || c == b'-' || c == b'+' || c == b'.'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(data: &[u8]) -> Vec<(String, Vec<Operand>)> {
        let mut lx = Lexer::new(data);
        let mut out = Vec::new();
        while let Some((op, args)) = lx.next_op() {
            out.push((String::from_utf8_lossy(&op).into_owned(), args));
        }
        out
    }

    #[test]
    fn reads_text_operators() {
        let got =
            ops(b"BT /F1 12 Tf 1 0 0 1 72.5 -3 Tm (a\\(b\\)\\101) Tj [<0041> -250 (x)] TJ ET");
        let names: Vec<&str> = got.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(names, ["BT", "Tf", "Tm", "Tj", "TJ", "ET"]);
        assert_eq!(
            got[1].1,
            vec![Operand::Name(b"F1".to_vec()), Operand::Number(12.0)]
        );
        assert_eq!(got[2].1[5], Operand::Number(-3.0));
        assert_eq!(got[3].1, vec![Operand::Str(b"a(b)A".to_vec())]);
        assert_eq!(
            got[4].1,
            vec![Operand::Array(vec![
                Operand::Str(vec![0, 0x41]),
                Operand::Number(-250.0),
                Operand::Str(b"x".to_vec())
            ])]
        );
    }

    #[test]
    fn skips_inline_images_and_garbage() {
        let got = ops(b"q BI /W 2 /H 2 /BPC 8 ID \x00EI\xff\x01 EI Q ) } (t) Tj /N#20x BDC");
        let names: Vec<&str> = got.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(names, ["q", "BI", "Q", "Tj", "BDC"]);
        assert_eq!(got[4].1, vec![Operand::Name(b"N x".to_vec())]);
    }

    #[test]
    fn token_soup_never_panics() {
        // Random strings over the characters that matter to the lexer.
        let alphabet = b"()<>[]{}/%\\ \n\r0123456789.-+eEBTIDjJTf'\"#";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..3000 {
            let mut data = Vec::new();
            for _ in 0..(state % 200) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                data.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let _ = ops(&data);
            let _ = crate::text::cmap::CMap::parse(&data);
        }
    }

    #[test]
    fn unterminated_things_end_cleanly() {
        for data in [
            &b"(abc"[..],
            b"<41",
            b"[1 2",
            b"<< /a (",
            b"BI /W 1 ID xx",
            b"-",
            b"\\",
        ] {
            let _ = ops(data);
        }
        let got = ops(b"[(a) 1 Tj");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "Tj");
    }
}
