//! The ledger out of the program: `ledger list` lines for a terminal and
//! `ledger export` files for a spreadsheet (CSV, JSON lines, XLSX). Every
//! string from a file goes through report/escape: terminal escapes shown,
//! spreadsheet formulas neutralised (and in XLSX every such cell is a
//! string cell, never a formula).

use std::io::Write;

use unicode_width::UnicodeWidthStr;

use super::{Entry, LedgerError};
use crate::report::csv::UTF8_BOM;
use crate::report::escape;

/// `ledger export` formats (named on the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Jsonl,
    /// An Excel workbook: one sheet, the [`EXPORT_HEADER`] columns.
    Xlsx,
}

impl ExportFormat {
    /// Whether the export is bytes for a program, not text for a terminal.
    pub fn is_binary(self) -> bool {
        self == ExportFormat::Xlsx
    }
}

/// How a CSV export is written for the person who opens it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportStyle {
    /// Start with a UTF-8 byte-order mark (Excel on a Chinese PC reads
    /// UTF-8 only after one).
    pub bom: bool,
    /// Chinese column headers instead of the stable English keys.
    pub chinese_headers: bool,
}

/// Which checks `ledger export` writes: those matching every filter given
/// (all of them when none is). Dates are UTC days, `2026-01-31`, or RFC
/// 3339 times; numbers and names compare as the conflicts do (NFKC, no
/// spaces, upper case; keyed-hashed in a hashed ledger).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportFilter {
    /// Checked at or after (a day: from its start).
    pub from: Option<String>,
    /// Checked at or before (a day: to its end).
    pub to: Option<String>,
    /// One verdict: authentic, unsigned, untrusted, invalid, altered,
    /// malformed or input_error.
    pub verdict: Option<String>,
    pub management_number: Option<String>,
    pub id_number: Option<String>,
    pub name: Option<String>,
}

impl ExportFilter {
    pub fn is_empty(&self) -> bool {
        *self == ExportFilter::default()
    }
}

pub const EXPORT_HEADER: &[&str] = &[
    "id",
    "checked_at",
    "path",
    "sha256",
    "verdict",
    "reasons",
    "management_number",
    "name",
    "id_number",
    "conflicts",
    "confirmation",
    "confirmed_at",
    "operator",
    "desk",
    "certcheck_version",
    "trust_fingerprint",
];

/// [`EXPORT_HEADER`] for a Chinese desk, column for column.
pub const EXPORT_HEADER_ZH: &[&str] = &[
    "编号",
    "核验时间",
    "文件",
    "SHA-256",
    "结论",
    "原因",
    "管理号",
    "姓名",
    "证件号码",
    "冲突",
    "官方核验结果",
    "官方核验时间",
    "操作员",
    "核验台",
    "certcheck 版本",
    "信任库指纹",
];

pub(crate) fn write<W: Write>(
    entries: &[Entry],
    format: ExportFormat,
    style: &ExportStyle,
    mut out: W,
) -> Result<(), LedgerError> {
    let io = |e: std::io::Error| LedgerError::Io(e.to_string());
    match format {
        ExportFormat::Jsonl => {
            for entry in entries {
                serde_json::to_writer(&mut out, entry)
                    .map_err(|e| LedgerError::Io(e.to_string()))?;
                writeln!(out).map_err(io)?;
            }
            out.flush().map_err(io)?;
        }
        ExportFormat::Csv => {
            if style.bom {
                out.write_all(UTF8_BOM.as_bytes()).map_err(io)?;
            }
            let mut w = csv::Writer::from_writer(out);
            let csv_err = |e: csv::Error| LedgerError::Io(e.to_string());
            let header = if style.chinese_headers {
                EXPORT_HEADER_ZH
            } else {
                EXPORT_HEADER
            };
            w.write_record(header).map_err(csv_err)?;
            for e in entries {
                let row: Vec<String> = cells(e)
                    .iter()
                    .map(|c| escape::csv_cell(c).into_owned())
                    .collect();
                w.write_record(row).map_err(csv_err)?;
            }
            w.flush().map_err(io)?;
        }
        ExportFormat::Xlsx => {
            let bytes = xlsx(entries, style).map_err(|e| LedgerError::Io(e.to_string()))?;
            out.write_all(&bytes).map_err(io)?;
            out.flush().map_err(io)?;
        }
    }
    Ok(())
}

/// Excel's limit on the characters of one cell.
const XLSX_MAX_CELL_CHARS: usize = 32_767;

/// Widest column set, in Excel's character units.
const XLSX_MAX_COLUMN_WIDTH: usize = 60;

/// The entries as an XLSX workbook: a bold, frozen header row, then one row
/// per entry. Every cell is written as a string (a value a file chose can
/// never become a formula) after the same neutralising as CSV, so a copy
/// pasted on from Excel stays harmless too; columns are as wide as their
/// widest cell shows (a Chinese character takes two).
fn xlsx(entries: &[Entry], style: &ExportStyle) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let header = if style.chinese_headers {
        EXPORT_HEADER_ZH
    } else {
        EXPORT_HEADER
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(if style.chinese_headers {
        "核验台账"
    } else {
        "ledger"
    })?;
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = header.iter().map(|h| UnicodeWidthStr::width(*h)).collect();
    for (col, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *h, &bold)?;
    }
    for (i, e) in entries.iter().enumerate() {
        // Row 0 is the header; Excel has 1 048 576 rows, more than a
        // ledger export writes (the rest would be refused by the writer).
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        for (col, cell) in cells(e).iter().enumerate() {
            let cell = escape::csv_cell(cell);
            let cell: String = cell.chars().take(XLSX_MAX_CELL_CHARS).collect();
            if let Some(w) = widths.get_mut(col) {
                *w = (*w).max(UnicodeWidthStr::width(cell.as_str()));
            }
            sheet.write_string(row, col as u16, cell)?;
        }
    }
    for (col, w) in widths.iter().enumerate() {
        let w = (*w).clamp(6, XLSX_MAX_COLUMN_WIDTH) + 1;
        sheet.set_column_width(col as u16, w as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// One entry's cells, in [`EXPORT_HEADER`] order.
pub(crate) fn cells(e: &Entry) -> Vec<String> {
    let codes = |v: &serde_json::Value, key: &str| {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.get(key).and_then(|c| c.as_str()))
                    .collect::<Vec<_>>()
                    .join(";")
            })
            .unwrap_or_default()
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        e.id.to_string(),
        e.checked_at.clone(),
        e.path.clone(),
        opt(&e.sha256),
        e.verdict.clone(),
        codes(&e.reasons, "code"),
        opt(&e.management_number),
        opt(&e.name),
        opt(&e.id_number),
        codes(&e.conflicts, "kind"),
        opt(&e.confirmation),
        opt(&e.confirmed_at),
        opt(&e.operator),
        opt(&e.desk),
        opt(&e.certcheck_version),
        opt(&e.trust_fingerprint),
    ]
}

/// `s` escaped for a terminal and padded with spaces to `width` columns
/// as a terminal shows them (a Chinese character takes two), so columns
/// line up whatever the script.
fn pad(s: &str, width: usize) -> String {
    let s = escape::for_terminal(s);
    let w = UnicodeWidthStr::width(s.as_ref());
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// A one-line summary of an entry, for `ledger list`.
pub fn list_line(e: &Entry) -> String {
    let conflicts = e.conflicts.as_array().map(|a| a.len()).unwrap_or(0);
    let flag = if conflicts > 0 {
        format!("  {conflicts} conflict(s)")
    } else {
        String::new()
    };
    let confirm = e
        .confirmation
        .as_deref()
        .map(|c| format!("  online: {c}"))
        .unwrap_or_default();
    let corrected = match e.corrections.last() {
        None => String::new(),
        Some(c) => format!(
            "  corrected #{}: {}",
            c.id,
            c.verdict.as_deref().unwrap_or("see ledger show")
        ),
    };
    let who = match (&e.desk, &e.operator) {
        (Some(d), Some(o)) if !o.is_empty() => format!("{o}@{d}"),
        (Some(d), _) => d.clone(),
        (None, _) => "-".into(),
    };
    format!(
        "{} {}  {} {} {} {} {}{flag}{confirm}{corrected}",
        pad(&format!("#{}", e.id), 6),
        e.checked_at,
        pad(&e.verdict, 10),
        pad(e.management_number.as_deref().unwrap_or("-"), 20),
        pad(e.name.as_deref().unwrap_or("-"), 10),
        pad(&who, 16),
        escape::for_terminal(&e.path)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str) -> Entry {
        Entry {
            id: 1,
            checked_at: "2026-01-01T00:00:00Z".into(),
            path: "a.pdf".into(),
            sha256: None,
            size: None,
            verdict: "authentic".into(),
            reasons: serde_json::json!([]),
            fields: serde_json::Value::Null,
            management_number: Some("M1".into()),
            name: Some(name.into()),
            id_number: None,
            conflicts: serde_json::json!([]),
            confirmation: None,
            confirmed_at: None,
            operator: Some("ann".into()),
            desk: Some("desk1".into()),
            certcheck_version: None,
            trust_fingerprint: None,
            record: None,
            corrections: Vec::new(),
        }
    }

    #[test]
    fn list_lines_align_chinese_and_latin_names() {
        let a = list_line(&entry("张伟"));
        let b = list_line(&entry("Li Na"));
        let col = |l: &str| UnicodeWidthStr::width(&l[..l.find("ann@").unwrap()]);
        assert_eq!(col(&a), col(&b), "{a}\n{b}");
        assert!(list_line(&entry("\u{1b}[2J")).contains("\\x1b"));
    }

    #[test]
    fn csv_cells_are_neutralised_and_excel_gets_a_bom_and_chinese_headers() {
        let mut e = entry("=HYPERLINK(\"x\")");
        e.path = "@SUM(1).pdf".into();
        let mut out = Vec::new();
        let style = ExportStyle {
            bom: true,
            chinese_headers: true,
        };
        write(&[e], ExportFormat::Csv, &style, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\u{feff}编号,核验时间,文件"), "{text}");
        let mut rd = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let row = rd.records().next().unwrap().unwrap();
        assert_eq!(&row[2], "'@SUM(1).pdf");
        assert_eq!(&row[7], "'=HYPERLINK(\"x\")");
        assert_eq!(EXPORT_HEADER.len(), EXPORT_HEADER_ZH.len());
    }
}
