//! The data model every printer reads, and the printers.

pub mod csv;
pub mod escape;
pub mod human;
pub mod online;
pub mod printer;
pub mod reason;
pub mod record;
pub mod summary;
pub mod verdict;

pub use reason::{Code, Reason, Severity};
pub use record::*;

/// `value` as JSON on one line (`pretty`: indented) with U+0085, U+2028 and
/// U+2029 escaped. They are valid JSON unescaped, but many line readers
/// (Python's `splitlines`, JavaScript before ES2019) break lines there, and
/// a field name or page text from a hostile file may hold them.
pub fn to_json<T: serde::Serialize>(value: &T, pretty: bool) -> String {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise the record: {e}\"}}"));
    if !text.contains(['\u{85}', '\u{2028}', '\u{2029}']) {
        return text;
    }
    text.replace('\u{85}', "\\u0085")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    #[test]
    fn line_separators_are_escaped() {
        let v = serde_json::json!({"name": "a\u{85}b\u{2028}c\u{2029}d"});
        let line = super::to_json(&v, false);
        assert!(!line.contains(['\u{85}', '\u{2028}', '\u{2029}']));
        let back: serde_json::Value = serde_json::from_str(&line).expect("still JSON");
        assert_eq!(back, v);
    }
}
