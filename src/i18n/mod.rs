//! What certcheck says to a person, in Chinese and English, from one
//! catalogue (`catalogue.toml`, embedded in the binary).
//!
//! The catalogue is a plain table: each key has a `zh` and an `en` text.
//! Keys are grouped by their first word: `reason.<code>` (a reason's
//! sentence; the English one is the record's `message`), `verdict.<v>`,
//! `headline.<v>`, `next.<v>`, `field.<name>`, `change.<kind>`,
//! `time_source.<source>`, `answer.<answer>`, `conflict.<kind>`, and `ui.*`
//! for the web desk's labels and headings. The tests below fail when a key
//! lacks a language, when a reason code has no entry, or when the source
//! uses a key the catalogue does not have.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::report::{Code, Reason};
use crate::verdict::Verdict;

const CATALOGUE: &str = include_str!("catalogue.toml");

/// A language certcheck speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// `zh`, `zh-CN`, `zh_CN.UTF-8`, `en`, `en-US`, ...; `None` for any
    /// other language.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag
            .trim()
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language an HTTP `Accept-Language` header prefers, among the two
    /// certcheck speaks (by q-value, then order); Chinese when the header
    /// names neither or is absent: the desk's users read Chinese.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else {
            return Lang::Zh;
        };
        let mut best: Option<(f32, Lang)> = None;
        // A header is short; a hostile one is cut rather than walked whole.
        for item in header.split(',').take(32) {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else {
                continue;
            };
            // No q means 1; a q that is not a number counts as 0 (ignored).
            let q = match parts.find_map(|p| p.trim().strip_prefix("q=")) {
                None => 1.0,
                Some(q) => q
                    .trim()
                    .parse::<f32>()
                    .ok()
                    .filter(|q| q.is_finite())
                    .unwrap_or(0.0),
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or(Lang::Zh)
    }

    /// The command line's language when `--lang` is not given: `LC_ALL`,
    /// then `LC_MESSAGES`, then `LANG` (the POSIX order); Chinese for a
    /// Chinese locale, English otherwise.
    pub fn from_env() -> Lang {
        Lang::from_locale_vars(|name| std::env::var(name).ok())
    }

    /// [`Lang::from_env`] with the variables read through `get`.
    pub fn from_locale_vars(get: impl Fn(&str) -> Option<String>) -> Lang {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Some(value) = get(name).filter(|v| !v.is_empty()) {
                return Lang::from_tag(&value).unwrap_or(Lang::En);
            }
        }
        Lang::En
    }
}

struct Texts {
    zh: String,
    en: String,
}

/// Reads the catalogue into `key -> texts`. A text missing in one
/// language is left empty here (and caught by the tests).
fn parse(source: &str) -> Result<HashMap<String, Texts>, String> {
    let table: toml::Table = source.parse().map_err(|e| format!("{e}"))?;
    let mut out = HashMap::new();
    flatten("", &table, &mut out)?;
    Ok(out)
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut HashMap<String, Texts>,
) -> Result<(), String> {
    let text = |v: Option<&toml::Value>| v.and_then(|v| v.as_str()).unwrap_or("").to_string();
    if table.contains_key("zh") || table.contains_key("en") {
        out.insert(
            prefix.to_string(),
            Texts {
                zh: text(table.get("zh")),
                en: text(table.get("en")),
            },
        );
        return Ok(());
    }
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value.as_table() {
            Some(t) => flatten(&path, t, out)?,
            None => return Err(format!("{path}: expected a table with zh and en")),
        }
    }
    Ok(())
}

fn catalogue() -> &'static HashMap<String, Texts> {
    static CATALOGUE_TEXTS: OnceLock<HashMap<String, Texts>> = OnceLock::new();
    // The catalogue is part of the binary and its tests parse it; should it
    // ever fail to parse, every lookup shows its key rather than panicking.
    CATALOGUE_TEXTS.get_or_init(|| parse(CATALOGUE).unwrap_or_default())
}

/// The text of `key` in `lang`; the key itself where the catalogue has no
/// such text (a test keeps that from happening).
pub fn t(lang: Lang, key: &str) -> &str {
    match catalogue().get(key) {
        Some(texts) => {
            let text = match lang {
                Lang::Zh => &texts.zh,
                Lang::En => &texts.en,
            };
            if text.is_empty() {
                key
            } else {
                text
            }
        }
        None => key,
    }
}

/// The text of `group.name` (e.g. `field.name`), or `None` when the
/// catalogue has no such key: for names that come from a record, which a
/// newer certcheck may extend.
pub fn lookup(lang: Lang, group: &str, name: &str) -> Option<&'static str> {
    let texts = catalogue().get(&format!("{group}.{name}"))?;
    let text = match lang {
        Lang::Zh => texts.zh.as_str(),
        Lang::En => texts.en.as_str(),
    };
    (!text.is_empty()).then_some(text)
}

/// A reason's sentence in `lang`, with the file-specific detail that the
/// record's message adds after the code's sentence kept as it is.
pub fn reason_message(lang: Lang, reason: &Reason) -> String {
    let Some(sentence) = lookup(lang, "reason", reason.code.as_str()) else {
        return reason.message.clone();
    };
    match reason.message.strip_prefix(reason.code.message()) {
        Some(detail) => format!("{sentence}{detail}"),
        // A message that is not the code's sentence plus a detail is shown
        // as it stands: it says something the catalogue does not.
        None => reason.message.clone(),
    }
}

/// A reason code's sentence in `lang`.
pub fn code_message(lang: Lang, code: Code) -> &'static str {
    lookup(lang, "reason", code.as_str()).unwrap_or(code.message())
}

/// The verdict as one word.
pub fn verdict_word(lang: Lang, verdict: Verdict) -> &'static str {
    lookup(lang, "verdict", verdict.as_str()).unwrap_or(verdict.as_str())
}

/// The verdict as a sentence for the clerk.
pub fn verdict_headline(lang: Lang, verdict: Verdict) -> &'static str {
    lookup(lang, "headline", verdict.as_str()).unwrap_or(verdict.as_str())
}

/// What the clerk does next with a file of this verdict.
pub fn next_step(lang: Lang, verdict: Verdict) -> &'static str {
    lookup(lang, "next", verdict.as_str()).unwrap_or(verdict.as_str())
}

/// The printed label of a field (`name` -> 姓名).
pub fn field_label(lang: Lang, field: &str) -> &'static str {
    lookup(lang, "field", field)
        .or_else(|| lookup(lang, "field", "other"))
        .unwrap_or("field")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages() {
        let texts = parse(CATALOGUE).expect("the catalogue parses");
        assert!(texts.len() > 100, "only {} keys", texts.len());
        let mut missing = Vec::new();
        for (key, t) in &texts {
            if t.zh.trim().is_empty() {
                missing.push(format!("{key}: zh"));
            }
            if t.en.trim().is_empty() {
                missing.push(format!("{key}: en"));
            }
        }
        missing.sort();
        assert!(missing.is_empty(), "texts missing: {missing:?}");
    }

    #[test]
    fn every_reason_code_is_in_the_catalogue_and_its_english_is_the_record_message() {
        for code in Code::ALL {
            let zh = lookup(Lang::Zh, "reason", code.as_str());
            assert!(zh.is_some(), "reason.{} has no Chinese text", code.as_str());
            assert_eq!(
                lookup(Lang::En, "reason", code.as_str()),
                Some(code.message()),
                "reason.{}: the catalogue's English differs from reason.rs",
                code.as_str()
            );
        }
    }

    #[test]
    fn every_verdict_has_a_word_a_headline_and_a_next_step() {
        for v in [
            Verdict::Authentic,
            Verdict::Altered,
            Verdict::Invalid,
            Verdict::Untrusted,
            Verdict::Unsigned,
            Verdict::Malformed,
            Verdict::InputError,
        ] {
            for group in ["verdict", "headline", "next"] {
                for lang in [Lang::Zh, Lang::En] {
                    assert!(
                        lookup(lang, group, v.as_str()).is_some(),
                        "{group}.{} ({lang:?})",
                        v.as_str()
                    );
                }
            }
        }
    }

    #[test]
    fn every_field_and_change_kind_the_record_uses_has_a_label() {
        for (name, _) in crate::report::Fields::default().named() {
            assert!(lookup(Lang::Zh, "field", name).is_some(), "field.{name}");
        }
        // The change kinds, as src/changes/diff.rs names them.
        let diff = include_str!("../changes/diff.rs");
        let kinds = regex::Regex::new(r#"Kind::\w+ => "([a-z_]+)""#).expect("regex");
        let mut n = 0;
        for cap in kinds.captures_iter(diff) {
            let kind = cap.get(1).map(|m| m.as_str()).unwrap_or("");
            assert!(lookup(Lang::Zh, "change", kind).is_some(), "change.{kind}");
            n += 1;
        }
        assert!(n > 20, "found only {n} change kinds");
    }

    /// Every literal key the code looks up with `t(lang, "...")` exists.
    #[test]
    fn every_key_the_code_uses_exists() {
        let sources = [
            include_str!("../web/mod.rs"),
            include_str!("../web/pages.rs"),
            include_str!("../web/render.rs"),
            include_str!("../web/start.rs"),
        ];
        let uses =
            regex::Regex::new(r#"\bt\(\s*\w+\s*,\s*"([a-z_][a-z0-9_.\-]*)"\s*\)"#).expect("regex");
        let texts = parse(CATALOGUE).expect("the catalogue parses");
        let mut unknown = Vec::new();
        let mut n = 0;
        for source in sources {
            for cap in uses.captures_iter(source) {
                let key = cap.get(1).map(|m| m.as_str()).unwrap_or("");
                n += 1;
                if !texts.contains_key(key) {
                    unknown.push(key.to_string());
                }
            }
        }
        assert!(n > 30, "found only {n} uses");
        assert!(
            unknown.is_empty(),
            "keys used but not in the catalogue: {unknown:?}"
        );
    }

    #[test]
    fn accept_language_picks_the_preferred_of_zh_and_en() {
        assert_eq!(Lang::from_accept_language(None), Lang::Zh);
        assert_eq!(
            Lang::from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(
            Lang::from_accept_language(Some("fr-FR, en;q=0.5, zh;q=0.7")),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language(Some("de-DE")), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("zh;q=0, en")), Lang::En);
        assert_eq!(
            Lang::from_accept_language(Some("en;q=NaN, zh;q=0.1")),
            Lang::Zh
        );
    }

    #[test]
    fn the_locale_decides_the_command_line_language() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Lang::from_locale_vars(env(&[("LANG", "zh_CN.UTF-8")])),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_locale_vars(env(&[("LANG", "en_US.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_locale_vars(env(&[("LC_ALL", "en_GB.UTF-8"), ("LANG", "zh_CN.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_locale_vars(env(&[("LANG", "C.UTF-8")])),
            Lang::En
        );
        assert_eq!(Lang::from_locale_vars(env(&[])), Lang::En);
    }

    #[test]
    fn a_reason_keeps_its_detail_in_either_language() {
        let reason = Reason::detail(
            Code::TextChangedAfterSigning,
            "name: signed 张伟, shown 程国华",
        );
        let zh = reason_message(Lang::Zh, &reason);
        assert_eq!(
            zh,
            "显示的文字与签署时的文字不同。 (name: signed 张伟, shown 程国华)"
        );
        assert_eq!(reason_message(Lang::En, &reason), reason.message);
    }
}
