//! The CSV printer: one row per file, for spreadsheets. Every cell from a
//! file is neutralised against formula injection ([`escape::csv_cell`]);
//! Excel on a Chinese PC reads UTF-8 only after a byte-order mark, so the
//! style can ask for one, and for Chinese headers.

use super::escape;
use super::Record;

/// The UTF-8 byte-order mark Excel needs to read the file as UTF-8.
pub const UTF8_BOM: &str = "\u{feff}";

/// How the CSV is written for the person who opens it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvStyle {
    /// Start with a UTF-8 byte-order mark (for Excel).
    pub bom: bool,
    /// Chinese column headers instead of the stable English keys.
    pub chinese_headers: bool,
    /// Who ran the check, for the operator column.
    pub operator: Option<String>,
}

impl CsvStyle {
    /// The style a desk wants: a BOM with `--excel`, or always when the
    /// locale is Chinese (the file will be opened in a Chinese Excel).
    pub fn for_desk(excel: bool, chinese_headers: bool, operator: Option<String>) -> Self {
        CsvStyle {
            bom: excel || chinese_locale(),
            chinese_headers,
            operator,
        }
    }

    /// The header row in this style.
    pub fn header(&self) -> &'static [&'static str] {
        if self.chinese_headers {
            HEADER_ZH
        } else {
            HEADER
        }
    }
}

/// Whether the locale (LC_ALL, else LC_CTYPE, else LANG, as POSIX orders
/// them) is Chinese: `zh_CN.UTF-8`, `zh_TW`, `zh`.
pub fn chinese_locale() -> bool {
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    locale_is_chinese(&locale)
}

fn locale_is_chinese(locale: &str) -> bool {
    let lower = locale.to_ascii_lowercase();
    lower == "zh"
        || lower.starts_with("zh_")
        || lower.starts_with("zh-")
        || lower.starts_with("zh.")
}

pub const HEADER: &[&str] = &[
    "path",
    "sha256",
    "verdict",
    "reasons",
    "management_number",
    "name",
    "gender",
    "birth",
    "id_number",
    "id_number_valid",
    "qualification",
    "level",
    "approval_date",
    "query_result_label",
    "signers",
    "trusted_issuers",
    "error",
    "operator",
];

/// [`HEADER`] in Chinese, column for column.
pub const HEADER_ZH: &[&str] = &[
    "文件",
    "SHA-256",
    "结论",
    "原因",
    "管理号",
    "姓名",
    "性别",
    "出生年月",
    "证件号码",
    "证件号码校验",
    "资格名称",
    "级别",
    "批准日期",
    "查询结果证明",
    "签章人",
    "已知签发机构",
    "错误",
    "操作员",
];

/// The CSV row of one record, in [`HEADER`] order, without an operator.
pub fn row(record: &Record) -> Vec<String> {
    row_for(record, &CsvStyle::default())
}

/// The CSV row of one record in `style`, in [`HEADER`] order: every cell
/// neutralised against formula injection, and control and bidi characters
/// shown escaped as in human output (a CSV is also printed to terminals;
/// the exact bytes are in the JSON record).
pub fn row_for(record: &Record, style: &CsvStyle) -> Vec<String> {
    raw_row(record, style)
        .into_iter()
        .map(|cell| escape::csv_cell(&escape::for_terminal(&cell)).into_owned())
        .collect()
}

fn raw_row(record: &Record, style: &CsvStyle) -> Vec<String> {
    let f = record.fields.clone().unwrap_or_default();
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut codes: Vec<&str> = Vec::new();
    for r in record
        .reasons
        .iter()
        .chain(record.signatures.iter().flat_map(|s| s.reasons.iter()))
    {
        if !codes.contains(&r.code.as_str()) {
            codes.push(r.code.as_str());
        }
    }
    vec![
        record.path.clone(),
        opt(&record.sha256),
        record.verdict.as_str().to_string(),
        codes.join(";"),
        opt(&f.management_number),
        opt(&f.name),
        opt(&f.gender),
        opt(&f.birth),
        opt(&f.id_number),
        f.id_number_valid.map(|b| b.to_string()).unwrap_or_default(),
        opt(&f.qualification),
        opt(&f.level),
        opt(&f.approval_date),
        f.query_result_label.to_string(),
        record
            .signatures
            .iter()
            .filter_map(|s| s.signer.as_ref().map(|x| x.subject.clone()))
            .collect::<Vec<_>>()
            .join(";"),
        record
            .signatures
            .iter()
            .filter_map(|s| s.trusted_issuer.clone())
            .collect::<Vec<_>>()
            .join(";"),
        opt(&record.error),
        style.operator.clone().unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Code, Reason};

    #[test]
    fn each_reason_code_appears_once_in_file_order() {
        let mut record = Record::malformed("x.pdf", String::new(), vec![]);
        record.reasons = vec![
            Reason::new(Code::DigestMismatch),
            Reason::new(Code::ByteRangeNotRevisionEnd),
            Reason::new(Code::DigestMismatch),
        ];
        let row = row(&record);
        let reasons_at = HEADER.iter().position(|h| *h == "reasons").expect("column");
        assert_eq!(
            row[reasons_at],
            "digest_mismatch;byte_range_not_revision_end"
        );
        assert_eq!(row.len(), HEADER.len());
        assert_eq!(HEADER_ZH.len(), HEADER.len());
    }

    #[test]
    fn cells_from_the_file_cannot_be_formulas() {
        let mut record = Record::malformed(
            "=HYPERLINK(\"http://evil\",\"x\").pdf",
            String::new(),
            vec![],
        );
        record.fields = Some(crate::report::Fields {
            qualification: Some("+cmd|' /C calc'!A0".into()),
            name: Some("@SUM(1+1)".into()),
            ..Default::default()
        });
        let style = CsvStyle {
            operator: Some("-王芳".into()),
            ..CsvStyle::default()
        };
        let row = row_for(&record, &style);
        let col = |name: &str| {
            let at = HEADER.iter().position(|h| *h == name).expect("column");
            row[at].clone()
        };
        assert_eq!(col("path"), "'=HYPERLINK(\"http://evil\",\"x\").pdf");
        assert_eq!(col("qualification"), "'+cmd|' /C calc'!A0");
        assert_eq!(col("name"), "'@SUM(1+1)");
        assert_eq!(col("operator"), "'-王芳");
    }

    #[test]
    fn chinese_locales_are_recognised() {
        for yes in ["zh_CN.UTF-8", "zh_TW", "zh", "ZH_cn.gb18030", "zh-Hans"] {
            assert!(locale_is_chinese(yes), "{yes}");
        }
        for no in ["", "C", "POSIX", "en_US.UTF-8", "zu_ZA"] {
            assert!(!locale_is_chinese(no), "{no}");
        }
    }
}
