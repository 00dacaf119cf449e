//! Streams records to a writer in one output format, as they are checked:
//! human text (with the desk's ledger line and guided online check), a JSON
//! array, JSON lines, or CSV.

use std::io::Write;

use super::online::OnlineCheck;
use super::summary::Summary;
use super::{csv, human, to_json, Record};

/// The output formats of `certcheck verify` (the command line names them;
/// the variants carry no doc comments, which clap would print as help).
#[derive(Debug, Copy, Clone, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
    Jsonl,
    Csv,
}

/// One record as a person reads it: the record, then the desk's ledger
/// line, then the guided online check if one was prepared.
pub fn render_human(record: &Record, online: Option<&OnlineCheck>, color: bool) -> String {
    let mut text = human::render(record, color);
    text.push_str(&human::ledger_line(record));
    if let Some(check) = online {
        text.push_str(&check.render_human());
    }
    text
}

/// Tells on stderr why a command stopped: `certcheck: ` and the message.
pub fn print_failure(message: &str) {
    eprintln!("certcheck: {message}");
}

/// Streams records in one output format. Write errors (a closed pipe) are
/// ignored: the exit status still reports what was found.
pub struct Printer<W: Write> {
    format: OutputFormat,
    out: Option<W>,
    csv: Option<::csv::Writer<W>>,
    color: bool,
    first: bool,
    style: csv::CsvStyle,
}

impl<W: Write> Printer<W> {
    pub fn new(format: OutputFormat, out: W, color: bool) -> Self {
        Printer::with_csv_style(format, out, color, csv::CsvStyle::default())
    }

    /// Like [`Printer::new`], the CSV written in `style` (a byte-order
    /// mark, Chinese headers, the operator column).
    pub fn with_csv_style(
        format: OutputFormat,
        mut out: W,
        color: bool,
        style: csv::CsvStyle,
    ) -> Self {
        if format == OutputFormat::Csv {
            if style.bom {
                let _ = out.write_all(csv::UTF8_BOM.as_bytes());
            }
            let mut w = ::csv::Writer::from_writer(out);
            let _ = w.write_record(style.header());
            let _ = w.flush();
            return Printer {
                format,
                out: None,
                csv: Some(w),
                color,
                first: true,
                style,
            };
        }
        Printer {
            format,
            out: Some(out),
            csv: None,
            color,
            first: true,
            style,
        }
    }

    /// Prints one record; `online` is the guided check the human format
    /// shows (the JSON formats have it as the record's `online` key).
    pub fn print(&mut self, r: &Record, online: Option<&OnlineCheck>) {
        if let Some(w) = self.csv.as_mut() {
            let _ = w.write_record(csv::row_for(r, &self.style));
            let _ = w.flush();
            return;
        }
        let Some(out) = self.out.as_mut() else {
            return;
        };
        match self.format {
            OutputFormat::Human => {
                let _ = write!(out, "{}", render_human(r, online, self.color));
            }
            OutputFormat::Json => {
                let _ = write!(out, "{}", if self.first { "[\n" } else { ",\n" });
                let _ = write!(out, "{}", to_json(r, true));
            }
            OutputFormat::Jsonl => {
                let _ = writeln!(out, "{}", to_json(r, false));
            }
            OutputFormat::Csv => {}
        }
        self.first = false;
        let _ = out.flush();
    }

    /// Closes the output: the JSON array's end, or the human summary.
    pub fn finish(&mut self, summary: &Summary) {
        let Some(out) = self.out.as_mut() else {
            return;
        };
        match self.format {
            OutputFormat::Json => {
                let _ = writeln!(out, "{}", if self.first { "[]" } else { "\n]" });
            }
            OutputFormat::Human => {
                let _ = write!(out, "{}", summary.render_human());
            }
            _ => {}
        }
        let _ = out.flush();
    }
}
