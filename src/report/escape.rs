//! Strings from a file (names, subjects, field values, file names) on their
//! way to a terminal or a spreadsheet. A hostile file can hold terminal
//! escapes that clear the screen and print a fake verdict line, bidi
//! overrides that reverse what a person reads, or a CSV cell that a
//! spreadsheet runs as a formula. Every printer passes such strings
//! through here.

use std::borrow::Cow;

/// `text` fit for one line of a terminal: control characters (C0, DEL,
/// C1, including newline, carriage return and ESC) and the invisible
/// direction and formatting marks (bidi embeddings, overrides and
/// isolates, LRM/RLM/ALM, zero-width joiners, line and paragraph
/// separators, BOM) are shown escaped (`\x1b`, `\u{202e}`) so a person
/// sees that they are there and nothing acts on them.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if !needs_escape(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:04x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c as u32,
            0x061C              // Arabic letter mark
            | 0x180E            // Mongolian vowel separator
            | 0x200B..=0x200F   // zero-width space/joiners, LRM, RLM
            | 0x2028..=0x202E   // line/paragraph separators, bidi embeddings and overrides
            | 0x2060..=0x2069   // word joiner, invisible operators, bidi isolates
            | 0xFEFF            // BOM / zero-width no-break space
            | 0xFFF9..=0xFFFB // interlinear annotation marks
        )
}

/// A CSV (or XLSX) cell that a spreadsheet will show as text, never run:
/// OWASP's rule for CSV injection. A cell that starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'`, which spreadsheets
/// take as "this is text" and do not display. Quoting of separators and
/// quotes is the CSV writer's job.
pub fn csv_cell(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Whether to paint the output: only on a terminal, and not when
/// `NO_COLOR` is set to anything non-empty (no-color.org) or `TERM` is
/// `dumb`.
pub fn color_wanted(is_terminal: bool) -> bool {
    color_for(
        is_terminal,
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    )
}

/// `TERM=dumb`: a terminal that understands no escape at all, so no
/// progress bar either (it redraws its line with cursor controls).
pub fn terminal_is_dumb() -> bool {
    std::env::var_os("TERM").is_some_and(|t| t == "dumb")
}

fn color_for(
    is_terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
    term: Option<&std::ffi::OsStr>,
) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty()) && term.is_none_or(|t| t != "dumb")
}

/// `%2F` → `/`, as URLs carry their bytes: the bytes, and whether some `%`
/// was not followed by two hex digits (those are kept as they are, as a
/// browser keeps them; a caller that must be strict refuses them). A `+`
/// stays a `+`: it means a space only in HTML form data.
pub fn percent_decode(s: &str) -> (Vec<u8>, bool) {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut malformed = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
            malformed = true;
        }
        out.push(b);
        i += 1;
    }
    (out, malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_and_bidi_are_shown_not_acted_on() {
        let hostile = "人事考试中心\x1b[2J\x1b[1;32m\nAUTHENTIC\u{202e}fdp.exe\u{9b}";
        let shown = for_terminal(hostile);
        assert_eq!(
            shown,
            "人事考试中心\\x1b[2J\\x1b[1;32m\\x0aAUTHENTIC\\u{202e}fdp.exe\\u{009b}"
        );
        assert!(!shown.chars().any(needs_escape));
        assert!(matches!(for_terminal("张伟 Zhang"), Cow::Borrowed(_)));
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for bad in [
            "=HYPERLINK(\"http://x\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            let cell = csv_cell(bad);
            assert!(cell.starts_with('\''), "{cell}");
            assert_eq!(&cell[1..], bad);
        }
        assert_eq!(csv_cell("信息系统项目管理师"), "信息系统项目管理师");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn colour_only_on_a_terminal_that_wants_it() {
        use std::ffi::OsStr;
        let xterm = Some(OsStr::new("xterm-256color"));
        assert!(color_for(true, None, xterm));
        assert!(color_for(true, Some(OsStr::new("")), xterm));
        assert!(!color_for(true, Some(OsStr::new("1")), xterm));
        assert!(!color_for(true, None, Some(OsStr::new("dumb"))));
        assert!(!color_for(false, None, xterm));
        assert!(color_for(true, None, None));
    }
}
