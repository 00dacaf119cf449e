//! `--ledger-privacy hashed`: names and ID numbers kept only as keyed
//! hashes (HMAC-SHA-256), so that equal values still meet — conflicts are
//! still found — while the database holds nothing a reader of it could
//! turn back into a person without the key.
//!
//! The key comes from `$CERTCHECK_LEDGER_KEY` or `ledger_key` in the
//! config file, never from the command line (where `ps` would show it).
//! The ledger stores a check value of the key (an HMAC of a fixed text),
//! so a wrong key is refused instead of silently matching nothing.

use ring::hmac;

use crate::report::Fields;

/// The environment variable that holds the key of a hashed ledger.
pub const KEY_ENV: &str = "CERTCHECK_LEDGER_KEY";

/// The shortest key accepted.
pub const MIN_KEY_BYTES: usize = 16;

const HASH_PREFIX: &str = "hmac-sha256:";

/// What stands in for a clear value blanked from a stored string.
pub const BLANKED: &str = "[hashed]";

/// How personal data is kept (named on the command line and in the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PrivacyMode {
    /// Names and ID numbers in clear text (one desk, a protected disk).
    #[default]
    Clear,
    /// Names and ID numbers only as keyed hashes.
    Hashed,
}

impl PrivacyMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PrivacyMode::Clear => "clear",
            PrivacyMode::Hashed => "hashed",
        }
    }

    pub fn from_name(s: &str) -> Option<PrivacyMode> {
        match s {
            "clear" => Some(PrivacyMode::Clear),
            "hashed" => Some(PrivacyMode::Hashed),
            _ => None,
        }
    }
}

/// A ledger's privacy setting, with its key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Privacy {
    #[default]
    Clear,
    Hashed(HashKey),
}

impl Privacy {
    pub fn mode(&self) -> PrivacyMode {
        match self {
            Privacy::Clear => PrivacyMode::Clear,
            Privacy::Hashed(_) => PrivacyMode::Hashed,
        }
    }

    /// `mode` with the key from the environment (first) or `config_key`.
    pub fn resolve(mode: PrivacyMode, config_key: Option<&str>) -> Result<Privacy, String> {
        match mode {
            PrivacyMode::Clear => Ok(Privacy::Clear),
            PrivacyMode::Hashed => {
                let key = std::env::var(KEY_ENV)
                    .ok()
                    .filter(|k| !k.is_empty())
                    .or_else(|| config_key.map(str::to_string))
                    .ok_or_else(|| {
                        format!(
                            "--ledger-privacy hashed needs a key: set {KEY_ENV} or ledger_key in the config file"
                        )
                    })?;
                HashKey::new(key.as_bytes()).map(Privacy::Hashed)
            }
        }
    }
}

/// An HMAC key. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct HashKey(Vec<u8>);

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashKey(..)")
    }
}

impl HashKey {
    pub fn new(bytes: &[u8]) -> Result<HashKey, String> {
        if bytes.len() < MIN_KEY_BYTES {
            return Err(format!(
                "the ledger key must be at least {MIN_KEY_BYTES} bytes"
            ));
        }
        Ok(HashKey(bytes.to_vec()))
    }

    /// `hmac-sha256:` and the hex HMAC of `value` (already normalised).
    pub fn mac(&self, value: &str) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.0);
        let tag = hmac::sign(&key, value.as_bytes());
        format!("{HASH_PREFIX}{}", hex::encode(tag.as_ref()))
    }

    /// What the ledger stores to recognise its key.
    pub fn check_value(&self) -> String {
        self.mac("certcheck ledger key check v1")
    }
}

/// The clear values to blank from every stored string: the name and the ID
/// number as read, trimmed, and normalised; longest first, so a value that
/// contains another is blanked whole.
pub(crate) fn secrets(fields: Option<&Fields>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(f) = fields {
        for v in [&f.name, &f.id_number].into_iter().flatten() {
            out.push(v.clone());
            out.push(v.trim().to_string());
            if let Some(n) = super::normalise(v) {
                out.push(n.to_lowercase());
                out.push(n);
            }
            let no_space: String = v.chars().filter(|c| !c.is_whitespace()).collect();
            out.push(no_space);
        }
    }
    out.retain(|s| !s.is_empty());
    out.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    out.dedup();
    out
}

pub(crate) fn scrub(s: &str, secrets: &[String]) -> String {
    let mut out = s.to_string();
    for secret in secrets {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), BLANKED);
        }
    }
    out
}

/// Blanks the secrets from every string in `v` (keys included).
pub(crate) fn scrub_value(v: &mut serde_json::Value, secrets: &[String]) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            let clean = scrub(s, secrets);
            if clean != *s {
                *s = clean;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| scrub_value(x, secrets)),
        Value::Object(o) => {
            let entries: Vec<(String, Value)> = std::mem::take(o).into_iter().collect();
            for (k, mut x) in entries {
                // A hash is not a secret, and is left as it is.
                if !matches!(&x, Value::String(s) if s.starts_with(HASH_PREFIX)) {
                    scrub_value(&mut x, secrets);
                }
                o.insert(scrub(&k, secrets), x);
            }
        }
        _ => {}
    }
}

/// Sets `obj[field]` to the hash (or null) where it holds a value.
pub(crate) fn replace_field(obj: &mut serde_json::Value, field: &str, hash: Option<&str>) {
    if let Some(slot) = obj.get_mut(field) {
        if !slot.is_null() {
            *slot = hash
                .map(|h| serde_json::Value::String(h.to_string()))
                .unwrap_or_default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_keyed_and_stable_and_secrets_are_blanked() {
        let k1 = HashKey::new(b"0123456789abcdef").unwrap();
        let k2 = HashKey::new(b"0123456789abcdeX").unwrap();
        assert_eq!(k1.mac("110"), k1.mac("110"));
        assert_ne!(k1.mac("110"), k2.mac("110"));
        assert!(k1.mac("110").starts_with("hmac-sha256:"));
        assert!(HashKey::new(b"short").is_err());
        assert_eq!(format!("{k1:?}"), "HashKey(..)");

        let f = Fields {
            name: Some(" 张 伟 ".into()),
            id_number: Some("11010119900307123x".into()),
            ..Fields::default()
        };
        let s = secrets(Some(&f));
        let mut v = serde_json::json!({
            "path": "/in/11010119900307123X-张伟.pdf",
            "reasons": [{"message": "name 张 伟 and 11010119900307123x"}],
            "h": k1.mac("x"),
        });
        scrub_value(&mut v, &s);
        let text = v.to_string();
        assert!(!text.contains("张"), "{text}");
        assert!(
            !text.to_uppercase().contains("11010119900307123X"),
            "{text}"
        );
        assert!(text.contains(&k1.mac("x")));
    }
}
