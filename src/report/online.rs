//! The guided online check as the record's `online` key holds it, and its
//! human rendering. The data lives here, beside the record, so printers
//! need not import the online service (crate::online prepares it).

use serde::{Deserialize, Serialize};

use super::QrCode;

/// The name of the official check, as the site calls it.
pub const OFFICIAL_CHECK_NAME: &str = "中国人事考试网 证书查验";

/// The answer a person got from the official check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confirmation {
    /// The site shows the same data, status 有效.
    Valid,
    /// The site shows the certificate, status 已撤销.
    Revoked,
    /// The site finds no such certificate.
    NotFound,
}

impl Confirmation {
    pub fn as_str(self) -> &'static str {
        match self {
            Confirmation::Valid => "valid",
            Confirmation::Revoked => "revoked",
            Confirmation::NotFound => "not-found",
        }
    }

    pub fn from_name(name: &str) -> Option<Confirmation> {
        match name {
            "valid" => Some(Confirmation::Valid),
            "revoked" => Some(Confirmation::Revoked),
            "not-found" => Some(Confirmation::NotFound),
            _ => None,
        }
    }

    /// What the official page shows for it.
    pub fn zh(self) -> &'static str {
        match self {
            Confirmation::Valid => "有效",
            Confirmation::Revoked => "已撤销",
            Confirmation::NotFound => "查无",
        }
    }

    /// An answer as a person types it: the word the official page shows
    /// (有效 / 已撤销 / 查无), the English name, or its number 1 / 2 / 3.
    pub fn from_typed(typed: &str) -> Option<Confirmation> {
        let t = typed.trim().to_lowercase().replace(['_', ' '], "-");
        match t.as_str() {
            "1" | "有效" | "valid" => Some(Confirmation::Valid),
            "2" | "已撤销" | "撤销" | "revoked" => Some(Confirmation::Revoked),
            "3" | "查无" | "查无此证" | "not-found" | "notfound" => {
                Some(Confirmation::NotFound)
            }
            _ => None,
        }
    }
}

/// The values to enter on the official page (SPEC.md keys).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    #[serde(rename = "证件号码")]
    pub id_number: Option<String>,
    #[serde(rename = "姓名")]
    pub name: Option<String>,
    /// 管理号, or the 查询编号 of a query-result proof.
    #[serde(rename = "管理号")]
    pub management_number: Option<String>,
}

/// The check a person makes by hand, as the record's `online` key holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineCheck {
    pub url: String,
    pub query: Query,
    pub qr_codes: Vec<QrCode>,
    pub confirmation: Option<Confirmation>,
    /// Where the values come from: `signed_fields` (what was signed),
    /// `fields` (what the file shows, not proven), or null (nothing read).
    pub values_from: Option<String>,
    /// What to compare in the site's answer.
    pub compare: Vec<String>,
}

impl OnlineCheck {
    /// The record's `online` value.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The guided steps for a person.
    pub fn render_human(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Official check, by hand ({OFFICIAL_CHECK_NAME}; the site needs a login, a CAPTCHA and an SMS code):"
        );
        let _ = writeln!(out, "  1. Open {}", self.url);
        let source = match self.values_from.as_deref() {
            Some("signed_fields") => " (as signed)",
            Some(_) => " (as the file shows them; not proven)",
            None => "",
        };
        let _ = writeln!(out, "  2. Enter{source}:");
        let missing = "(not found in the file: read it from the document)";
        for (label, value) in [
            ("证件号码", &self.query.id_number),
            ("姓名", &self.query.name),
            ("管理号/查询编号", &self.query.management_number),
        ] {
            let _ = writeln!(
                out,
                "       {label}: {}",
                value.as_deref().unwrap_or(missing)
            );
        }
        let _ = writeln!(out, "  3. Compare the result:");
        for c in &self.compare {
            let _ = writeln!(out, "       - {c}");
        }
        for q in &self.qr_codes {
            let verdict = if q.host_allowed {
                "official host"
            } else {
                "NOT an official host: do not use it to check"
            };
            let _ = writeln!(out, "  QR code: {} ({verdict})", q.text);
        }
        match self.confirmation {
            Some(c) => {
                let _ = writeln!(out, "  Recorded answer: {}", c.as_str());
            }
            None => {
                let _ = writeln!(
                    out,
                    "  Record the answer with: certcheck online FILE --confirm valid|revoked|not-found"
                );
            }
        }
        out
    }
}
