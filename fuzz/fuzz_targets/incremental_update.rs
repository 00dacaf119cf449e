//! A structure-aware generator: a really signed certificate (the corpus's
//! authentic-rsa-pkcs7.pdf, checked against the corpus trust store) with
//! one to four incremental updates built from the fuzzer's bytes — pages,
//! content streams, annotations and widgets with appearances, catalogs,
//! AcroForms, Info dictionaries, form XObjects and raw object bodies, with
//! a correct xref table (or, sometimes, a wrong offset). Raw bytes mostly
//! die in the tokenizer; these reach revisions, the diff and the rules.
//!
//! Oracle: besides "no panic, no hang", a well-formed update that replaces
//! the signed page's content stream (object 4) must never be authentic.
#![no_main]

use std::fmt::Write as _;
use std::sync::OnceLock;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

const BASE: &[u8] = include_bytes!("../../tests/corpus/authentic-rsa-pkcs7.pdf");
/// /Size of the base file's last trailer; new objects get numbers above.
const BASE_SIZE: u32 = 21;
/// The signed page, its content stream, resources, Info, AcroForm, widget.
const PAGE: u32 = 3;
const CONTENT: u32 = 4;
const RESOURCES: u32 = 15;

fn options() -> &'static certcheck::Options {
    static O: OnceLock<certcheck::Options> = OnceLock::new();
    O.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpus/trust");
        let trust = certcheck::trust::TrustStore::load(&[dir.into()], false)
            .expect("corpus trust store loads");
        certcheck::Options {
            trust,
            ..certcheck::Options::default()
        }
    })
}

fn base_startxref() -> usize {
    let at = BASE.windows(9).rposition(|w| w == b"startxref").unwrap() + 9;
    let digits: String = BASE[at..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    digits.parse().unwrap()
}

fn num(u: &mut Unstructured) -> Result<i32> {
    u.int_in_range(-50..=900)
}

fn rect(u: &mut Unstructured) -> Result<String> {
    Ok(format!("[{} {} {} {}]", num(u)?, num(u)?, num(u)?, num(u)?))
}

fn text(u: &mut Unstructured) -> Result<String> {
    const WORDS: &[&str] = &[
        "<0001>",
        "<00410042>",
        "(ABC)",
        "(2026)",
        "<4e2d56fd>",
        "(\\(x\\))",
        "<>",
        "(",
    ];
    let mut s = String::new();
    for _ in 0..u.int_in_range(1..=3)? {
        s.push_str(u.choose(WORDS)?);
    }
    Ok(s)
}

/// A content stream from a small vocabulary: text, covering rectangles,
/// XObjects, clipping, and a few raw bytes.
fn content(u: &mut Unstructured) -> Result<String> {
    let mut s = String::new();
    for _ in 0..u.int_in_range(1..=8)? {
        match u.int_in_range(0..=6)? {
            0 => {
                let font = u.choose(&["/F1", "/F2", "/F9"])?;
                let _ = write!(
                    s,
                    "BT {font} {} Tf {} {} Td {} Tj ET\n",
                    u.int_in_range(0..=40)?,
                    num(u)?,
                    num(u)?,
                    text(u)?
                );
            }
            1 => {
                let _ = write!(
                    s,
                    "q 1 1 1 rg {} {} {} {} re f Q\n",
                    num(u)?,
                    num(u)?,
                    num(u)?,
                    num(u)?
                );
            }
            2 => {
                s.push_str(u.choose(&["/I1 Do\n", "/X9 Do\n", "q 10 0 0 10 0 0 cm /I1 Do Q\n"])?)
            }
            3 => {
                let _ = write!(
                    s,
                    "BT {} Tr /F1 12 Tf [{} -250 {}] TJ ET\n",
                    u.int_in_range(0..=7)?,
                    text(u)?,
                    text(u)?
                );
            }
            4 => {
                let _ = write!(
                    s,
                    "{} {} {} {} re W n\n",
                    num(u)?,
                    num(u)?,
                    num(u)?,
                    num(u)?
                );
            }
            5 => s.push_str(u.choose(&["q\n", "Q\n", "BT\n", "ET\n", "BI /W 1 /H 1 ID x EI\n"])?),
            _ => {
                let n = u.int_in_range(0..=24)?;
                let raw: &[u8] = u.bytes(n)?;
                s.push_str(&String::from_utf8_lossy(raw));
                s.push('\n');
            }
        }
    }
    Ok(s)
}

fn stream(dict: &str, body: &str) -> String {
    format!(
        "<< {dict} /Length {} >>\nstream\n{body}\nendstream",
        body.len()
    )
}

/// One object body of a kind the fuzzer picks; `new` are the numbers this
/// update may refer to.
fn object(u: &mut Unstructured, target: u32, new: &[u32], oracle: &mut bool) -> Result<String> {
    let refer = |u: &mut Unstructured| -> Result<u32> {
        if !new.is_empty() && u.arbitrary()? {
            Ok(*u.choose(new)?)
        } else {
            u.int_in_range(1..=BASE_SIZE + 6)
        }
    };
    Ok(match u.int_in_range(0..=9)? {
        0 => {
            let annots = if u.arbitrary()? {
                format!("/Annots [{} 0 R 19 0 R]", refer(u)?)
            } else {
                String::new()
            };
            format!(
                "<< /Type /Page /Parent 1 0 R /MediaBox [0 0 841.89 595.28] /Contents {} 0 R /Resources {RESOURCES} 0 R {annots} >>",
                if u.arbitrary()? { CONTENT } else { refer(u)? }
            )
        }
        1 | 2 => {
            if target == CONTENT {
                *oracle = true;
            }
            stream("", &content(u)?)
        }
        3 => {
            let sub = u.choose(&["FreeText", "Widget", "Square", "Link", "Text", "Stamp", "Ink"])?;
            let ap = if u.arbitrary()? {
                format!("/AP << /N {} 0 R >>", refer(u)?)
            } else {
                String::new()
            };
            let field = if *sub == "Widget" {
                format!("/FT /{} /T (f{}) /V ({})", u.choose(&["Tx", "Sig", "Btn"])?, u.int_in_range(0..=9)?, text(u)?)
            } else {
                String::new()
            };
            format!(
                "<< /Type /Annot /Subtype /{sub} /Rect {} /P {PAGE} 0 R /F {} {ap} {field} /Contents {} >>",
                rect(u)?,
                u.int_in_range(0..=255)?,
                text(u)?
            )
        }
        4 => {
            let extra = u.choose(&[
                "",
                "/Metadata 30 0 R",
                "/OpenAction [3 0 R /FitH null]",
                "/Names << /JavaScript 31 0 R >>",
                "/Perms << /DocMDP 20 0 R >>",
                "/Pages 3 0 R",
            ])?;
            format!("<< /Type /Catalog /Pages 1 0 R /AcroForm 18 0 R {extra} >>")
        }
        5 => format!(
            "<< /Fields [19 0 R {} 0 R] /SigFlags {} {} >>",
            refer(u)?,
            u.int_in_range(0..=3)?,
            if u.arbitrary()? { "/NeedAppearances true" } else { "" }
        ),
        6 => format!(
            "<< /Producer ({}) /ModDate (D:2026{:02}01120000Z) /CreationDate (D:20261120093000Z) >>",
            text(u)?,
            u.int_in_range(1..=12)?
        ),
        7 => stream(
            &format!("/Type /XObject /Subtype /Form /BBox {} /Resources {RESOURCES} 0 R", rect(u)?),
            &content(u)?,
        ),
        8 => format!("<< /Count {} /Kids [{PAGE} 0 R {} 0 R] /Type /Pages >>", u.int_in_range(0..=3)?, refer(u)?),
        _ => {
            let n = u.int_in_range(0..=64)?;
            let raw = u.bytes(n)?;
            String::from_utf8_lossy(raw).into_owned()
        }
    })
}

/// Appends up to four updates to `file`; returns whether the oracle
/// applies (a well-formed update replaced the signed content stream).
fn build(u: &mut Unstructured, file: &mut Vec<u8>) -> Result<bool> {
    let mut prev = base_startxref();
    let mut size = BASE_SIZE;
    let mut oracle = false;
    let mut well_formed = true;
    for _ in 0..u.int_in_range(1..=4)? {
        let mut targets = Vec::new();
        for _ in 0..u.int_in_range(1..=5)? {
            let t = if u.arbitrary()? {
                *u.choose(&[1, 2, PAGE, CONTENT, 7, RESOURCES, 16, 18, 19])?
            } else {
                size += 1;
                size - 1
            };
            if !targets.contains(&t) {
                targets.push(t);
            }
        }
        let new: Vec<u32> = targets
            .iter()
            .copied()
            .filter(|&t| t >= BASE_SIZE)
            .collect();
        let mut offsets = Vec::new();
        let mut replaced_content = false;
        for &t in &targets {
            let mut o = false;
            let body = object(u, t, &new, &mut o)?;
            replaced_content |= o;
            offsets.push((t, file.len()));
            file.extend_from_slice(format!("{t} 0 obj\n{body}\nendobj\n").as_bytes());
        }
        let mut xref_at = file.len();
        offsets.sort();
        let mut xref = String::from("xref\n");
        for (t, off) in &offsets {
            let _ = write!(xref, "{t} 1\n{off:010} 00000 n \n");
        }
        let _ = write!(
            xref,
            "trailer\n<< /Size {size} /Root 2 0 R /Info 16 0 R /Prev {prev} >>\n"
        );
        if u.ratio(1, 8)? {
            // A wrong startxref: the reader must recover or refuse.
            well_formed = false;
            xref_at = xref_at.saturating_sub(u.int_in_range(1..=40)?);
        }
        let _ = write!(xref, "startxref\n{xref_at}\n%%EOF\n");
        prev = xref_at;
        file.extend_from_slice(xref.as_bytes());
        oracle |= replaced_content;
    }
    Ok(oracle && well_formed)
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let mut file = BASE.to_vec();
    let oracle = build(&mut u, &mut file).unwrap_or(false);
    let record = certcheck::verify(&file, "fuzz-incremental.pdf", options());
    if oracle {
        assert_ne!(
            record.verdict,
            certcheck::Verdict::Authentic,
            "the signed page's content was replaced"
        );
    }
});
