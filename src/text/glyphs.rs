//! Glyph names to characters, for ToUnicode entries that name a glyph and
//! for /Differences arrays the base encodings do not cover.

/// The character a glyph name stands for: `uniXXXX`, `uXXXX[XX]`, the
/// Adobe names of the ASCII set and a few common punctuation names.
pub fn glyph_to_char(name: &[u8]) -> Option<char> {
    let name = std::str::from_utf8(name).ok()?;
    // "a.sc", "one.oldstyle": the part before the dot names the glyph.
    let base = name.split('.').next().unwrap_or(name);
    if let Some(hex) = base.strip_prefix("uni") {
        if hex.len() >= 4 {
            let code = u32::from_str_radix(hex.get(..4)?, 16).ok()?;
            return char::from_u32(code);
        }
    }
    if let Some(hex) = base.strip_prefix('u') {
        if (4..=6).contains(&hex.len()) && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return char::from_u32(u32::from_str_radix(hex, 16).ok()?);
        }
    }
    if base.len() == 1 {
        let c = base.chars().next()?;
        if c.is_ascii_alphabetic() {
            return Some(c);
        }
    }
    let c = match base {
        "space" | "nbspace" => ' ',
        "exclam" => '!',
        "quotedbl" => '"',
        "numbersign" => '#',
        "dollar" => '$',
        "percent" => '%',
        "ampersand" => '&',
        "quotesingle" | "quoteright" => '\'',
        "parenleft" => '(',
        "parenright" => ')',
        "asterisk" => '*',
        "plus" => '+',
        "comma" => ',',
        "hyphen" | "minus" | "endash" | "emdash" => '-',
        "period" => '.',
        "slash" => '/',
        "zero" => '0',
        "one" => '1',
        "two" => '2',
        "three" => '3',
        "four" => '4',
        "five" => '5',
        "six" => '6',
        "seven" => '7',
        "eight" => '8',
        "nine" => '9',
        "colon" => ':',
        "semicolon" => ';',
        "less" => '<',
        "equal" => '=',
        "greater" => '>',
        "question" => '?',
        "at" => '@',
        "bracketleft" => '[',
        "backslash" => '\\',
        "bracketright" => ']',
        "asciicircum" => '^',
        "underscore" => '_',
        "grave" | "quoteleft" => '`',
        "braceleft" => '{',
        "bar" => '|',
        "braceright" => '}',
        "asciitilde" => '~',
        "periodcentered" | "middot" => '·',
        _ => return None,
    };
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(glyph_to_char(b"uni59D3"), Some('姓'));
        assert_eq!(glyph_to_char(b"u20BB7"), Some('\u{20BB7}'));
        assert_eq!(glyph_to_char(b"zero"), Some('0'));
        assert_eq!(glyph_to_char(b"X"), Some('X'));
        assert_eq!(glyph_to_char(b"hyphen"), Some('-'));
        assert_eq!(glyph_to_char(b"one.oldstyle"), Some('1'));
        assert_eq!(glyph_to_char(b"g123"), None);
        assert_eq!(glyph_to_char(&[0xFF, 0xFE]), None);
    }
}
