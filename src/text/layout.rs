//! From positioned characters to lines, read top to bottom and left to
//! right. Characters are NFKC-normalised here (full-width digits, letters
//! and colons become ASCII; compatibility ideographs become the unified
//! ones), and white space is dropped: the gaps between characters are
//! what tells words apart.

use unicode_normalization::UnicodeNormalization;

use super::extract::Glyph;

/// A character of a line.
#[derive(Debug, Clone, PartialEq)]
pub struct Char {
    pub ch: char,
    pub x: f32,
    pub end: f32,
    pub size: f32,
    /// Painting order: of two characters on one spot, the later is seen.
    pub order: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    /// The baseline's height on the page (larger is higher).
    pub y: f32,
    /// The largest character size on the line.
    pub size: f32,
    /// Sorted by x.
    pub chars: Vec<Char>,
}

impl Line {
    /// The gap between character `i - 1` and character `i`.
    pub fn gap_before(&self, i: usize) -> f32 {
        match (
            i.checked_sub(1).and_then(|p| self.chars.get(p)),
            self.chars.get(i),
        ) {
            (Some(a), Some(b)) => b.x - a.end,
            _ => 0.0,
        }
    }

    /// The line as text, a space where characters stand apart.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.chars.iter().enumerate() {
            if i > 0 && self.gap_before(i) > 0.6 * c.size.max(1.0) {
                out.push(' ');
            }
            out.push(c.ch);
        }
        out
    }
}

/// Groups a page's characters into lines.
pub fn lines(glyphs: &[Glyph]) -> Vec<Line> {
    let mut chars: Vec<(f32, Char)> = Vec::new();
    for (order, g) in glyphs.iter().enumerate() {
        if !g.x.is_finite() || !g.y.is_finite() || !g.width.is_finite() || !g.size.is_finite() {
            continue;
        }
        let normalised: Vec<char> = std::iter::once(g.ch).nfkc().collect();
        let n = normalised.len().max(1) as f32;
        for (i, ch) in normalised.into_iter().enumerate() {
            if ch.is_whitespace() || ch.is_control() || ch == '\u{FFFD}' || ch == '\u{200B}' {
                continue;
            }
            let x = g.x + g.width * i as f32 / n;
            chars.push((
                g.y,
                Char {
                    ch,
                    x,
                    end: x + g.width / n,
                    size: g.size,
                    order,
                },
            ));
        }
    }
    chars.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.x.total_cmp(&b.1.x)));
    let mut out: Vec<Line> = Vec::new();
    for (y, c) in chars {
        let starts_new = match out.last() {
            Some(line) => {
                let tol = 0.4 * line.size.max(c.size).max(1.0);
                (line.y - y).abs() > tol
            }
            None => true,
        };
        if starts_new {
            out.push(Line {
                y,
                size: c.size,
                chars: Vec::new(),
            });
        }
        if let Some(line) = out.last_mut() {
            line.size = line.size.max(c.size);
            line.chars.push(c);
        }
    }
    for line in &mut out {
        line.chars.sort_by(|a, b| a.x.total_cmp(&b.x));
        // Two characters on one spot (fake bold, a shadow, or text painted
        // over other text) read as the one painted last: it is on top.
        let mut kept: Vec<Char> = Vec::with_capacity(line.chars.len());
        for c in line.chars.drain(..) {
            if let Some(k) = kept.last_mut() {
                // Measured by the narrower glyph: a narrow mark (the
                // middle dot of 阿依努尔·买买提) right before a wide one is
                // its neighbour, not a glyph under it.
                let width = (k.end - k.x).abs().min((c.end - c.x).abs()).max(0.5);
                if (c.x - k.x).abs() < 0.3 * width {
                    if c.order > k.order {
                        *k = c;
                    }
                    continue;
                }
            }
            kept.push(c);
        }
        line.chars = kept;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_mark_before_a_wide_glyph_is_kept() {
        let dot = Glyph {
            ch: '·',
            x: 20.0,
            y: 100.0,
            width: 2.5,
            size: 10.0,
        };
        let glyphs = [g('尔', 10.0, 100.0), dot, g('买', 22.5, 100.0)];
        let text: String = lines(&glyphs).iter().map(Line::text).collect();
        assert_eq!(text, "尔·买");
    }

    fn g(ch: char, x: f32, y: f32) -> Glyph {
        Glyph {
            ch,
            x,
            y,
            width: 10.0,
            size: 10.0,
        }
    }

    #[test]
    fn groups_sorts_and_normalises() {
        let glyphs = vec![
            g('Ｂ', 30.0, 100.0),
            g('A', 10.0, 101.0),
            g('　', 20.0, 100.0),
            g('C', 10.0, 80.0),
            g('C', 10.5, 80.0),
            g('：', 40.0, 99.5),
        ];
        let ls = lines(&glyphs);
        assert_eq!(ls.len(), 2);
        let first: String = ls[0].chars.iter().map(|c| c.ch).collect();
        assert_eq!(first, "AB:");
        assert_eq!(ls[0].text(), "A B:");
        let second: String = ls[1].chars.iter().map(|c| c.ch).collect();
        assert_eq!(second, "C");
    }

    #[test]
    fn text_painted_over_text_reads_as_the_top_one() {
        // 张伟 painted first, 李娜 painted later on the same spots.
        let glyphs = vec![
            g('张', 10.0, 100.0),
            g('伟', 20.0, 100.0),
            g('李', 10.5, 100.0),
            g('娜', 20.5, 100.0),
        ];
        let ls = lines(&glyphs);
        let text: String = ls[0].chars.iter().map(|c| c.ch).collect();
        assert_eq!(text, "李娜");
    }
}
