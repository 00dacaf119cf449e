//! Reading what the certificate says: positioned text runs from the pages
//! (CJK fonts included), then the fields of SPEC.md.
//!
//! [`extract()`] walks the content streams itself ([`content`] reads them,
//! [`mod@extract`] keeps the graphics and text state): fonts are decoded by
//! [`font`] and [`cmap`] (ToUnicode, embedded and predefined CJK CMaps,
//! GBK/Big5 through encoding_rs), characters are grouped into lines by
//! [`layout`], and [`fields`] pairs labels with the values beside or below
//! them. [`ids`] checks ID numbers; [`pdfx`] is the pdf-extract fallback.
//! docs/text.md says why it is built this way.

pub mod cmap;
pub mod content;
pub mod extract;
pub mod fields;
pub mod font;
pub mod glyphs;
pub mod ids;
pub mod layout;
pub mod pdfx;
pub mod stream;

use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::Document;

use crate::report::{Code, Fields, Reason, TextChange};

/// The text and fields of one document (one revision).
#[derive(Debug, Clone, Default)]
pub struct TextOutcome {
    /// None when the document has no text layer at all.
    pub fields: Option<Fields>,
    /// The page text in reading order, for examiners and diffs.
    pub text: String,
    pub reasons: Vec<Reason>,
}

/// Extracts the text and fields of `doc` (already decrypted).
pub fn extract(doc: &Document) -> TextOutcome {
    // The reader is written not to panic; should a dependency or a bug
    // still do so, the file gets a reason, not a crash.
    match catch_unwind(AssertUnwindSafe(|| extract_inner(doc))) {
        Ok(outcome) => outcome,
        Err(_) => TextOutcome {
            fields: None,
            text: String::new(),
            reasons: vec![Reason::detail(
                Code::TextExtractionFailed,
                "the text reader stopped on this file",
            )],
        },
    }
}

/// pdf-extract is tried only on documents with at most this much content.
const FALLBACK_MAX_CONTENT: usize = 4 * 1024 * 1024;

fn extract_inner(doc: &Document) -> TextOutcome {
    let ex = extract::extract_glyphs(doc);
    let mut reasons = Vec::new();
    if ex.limited {
        reasons.push(Reason::detail(
            Code::ResourceLimit,
            "only part of the page text was read",
        ));
    }
    // Only white space drawn (an empty OCR layer, a blank form) is no text
    // layer either; codes that did not decode are text that is there.
    if ex.undecoded == 0 && extract::readable(&ex.pages) == 0 {
        reasons.push(if ex.invisible > 0 {
            Reason::detail(
                Code::NoTextLayer,
                "the only text is invisible (an OCR layer or hidden text), which is not read",
            )
        } else {
            Reason::new(Code::NoTextLayer)
        });
        return TextOutcome {
            fields: None,
            text: String::new(),
            reasons,
        };
    }
    let (mut text, mut fields) = read(&ex.pages);
    if ex.undecoded > 0 {
        let mut detail = format!(
            "{} of {} characters could not be decoded",
            ex.undecoded, ex.shown
        );
        // The fallback's reading is taken only where it finds more fields:
        // where it decodes no better, it can produce plausible-looking
        // garbage, which finds none.
        if ex.content_bytes <= FALLBACK_MAX_CONTENT {
            if let Some(pages) = pdfx::glyphs(doc) {
                let (other_text, other_fields) = read(&pages);
                if found(&other_fields) > found(&fields) {
                    text = other_text;
                    fields = other_fields;
                    detail.push_str("; the fields were read by the fallback reader");
                }
            }
        }
        reasons.push(Reason::detail(Code::TextExtractionFailed, detail));
    }
    reasons.extend(ids::consistency(&fields));
    TextOutcome {
        fields: Some(fields),
        text,
        reasons,
    }
}

/// The text and the fields of pages of glyphs.
fn read(pages: &[Vec<extract::Glyph>]) -> (String, Fields) {
    let lines: Vec<layout::Line> = pages.iter().flat_map(|p| layout::lines(p)).collect();
    let text = lines
        .iter()
        .map(layout::Line::text)
        .collect::<Vec<_>>()
        .join("\n");
    (text, fields::find(&lines))
}

/// How many fields were found.
fn found(f: &Fields) -> usize {
    f.named().iter().filter(|(_, v)| v.is_some()).count() + usize::from(f.query_result_label)
}

/// The fields whose signed value differs from the shown one.
pub fn diff_fields(signed: &Fields, shown: &Fields) -> Vec<TextChange> {
    signed
        .named()
        .iter()
        .zip(shown.named().iter())
        .filter(|((_, a), (_, b))| a != b)
        .map(|((name, a), (_, b))| TextChange {
            field: name.to_string(),
            signed: a.map(str::to_string),
            shown: b.map(str::to_string),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, Object, Stream};

    /// One page showing `content` with font F1 = `font`; no MediaBox when
    /// `media_box` is false (pdf-extract panics on that).
    fn doc(content: &[u8], font: lopdf::Dictionary, media_box: bool) -> Document {
        let mut doc = Document::with_version("1.5");
        let font = doc.add_object(font);
        let contents = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
        let pages_id = doc.new_object_id();
        let mut page = dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        };
        if media_box {
            page.set("MediaBox", vec![0.into(), 0.into(), 600.into(), 800.into()]);
        }
        let page = doc.add_object(page);
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            ),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        doc
    }

    fn codes(out: &TextOutcome) -> Vec<Code> {
        out.reasons.iter().map(|r| r.code).collect()
    }

    #[test]
    fn undecodable_font_is_a_reason_and_a_panicking_fallback_is_contained() {
        // Identity-H, no ToUnicode, no font program, an unknown ordering:
        // nothing can say what the codes mean. Without a MediaBox,
        // pdf-extract panics; the outcome must still come back.
        let font = dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Dictionary(dictionary! {
                "Subtype" => "CIDFontType2",
                "CIDSystemInfo" => dictionary! { "Ordering" => Object::string_literal("Japan1") },
            })],
        };
        for media_box in [true, false] {
            let d = doc(
                b"BT /F1 12 Tf 10 10 Td <0102030405> Tj ET",
                font.clone(),
                media_box,
            );
            let out = extract(&d);
            assert!(codes(&out).contains(&Code::TextExtractionFailed));
            assert!(!codes(&out).contains(&Code::NoTextLayer));
            assert_eq!(out.fields, Some(Fields::default()));
        }
    }

    #[test]
    fn text_without_fields_gives_empty_fields() {
        let font =
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" };
        let out = extract(&doc(b"BT /F1 12 Tf 10 10 Td (Hello) Tj ET", font, true));
        assert_eq!(out.fields, Some(Fields::default()));
        assert!(out.reasons.is_empty());
        assert_eq!(out.text, "Hello");
    }

    #[test]
    fn no_text_at_all_is_no_text_layer() {
        let font =
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" };
        let out = extract(&doc(b"0 0 100 100 re f", font, true));
        assert_eq!(out.fields, None);
        assert_eq!(codes(&out), [Code::NoTextLayer]);
        let out = extract(&Document::with_version("1.5"));
        assert_eq!(out.fields, None);
    }

    #[test]
    fn only_white_space_is_no_text_layer() {
        let font =
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" };
        let out = extract(&doc(b"BT /F1 12 Tf 10 10 Td (   ) Tj ET", font, true));
        assert_eq!(out.fields, None);
        assert_eq!(codes(&out), [Code::NoTextLayer]);
    }

    #[test]
    fn inconsistent_fields_are_reported() {
        // GBK-coded labels through a predefined CMap, with an ID number
        // whose birth date and gender disagree with the printed ones.
        let font =
            dictionary! { "Type" => "Font", "Subtype" => "Type0", "Encoding" => "GBK-EUC-H" };
        let mut content = b"BT /F1 12 Tf 10 700 Td (".to_vec();
        let (line1, _, _) = encoding_rs::GBK.encode("性别:女 出生年月:1950年01月");
        content.extend(line1.iter().flat_map(|&b| escape(b)));
        content.extend_from_slice(b") Tj 0 -20 Td (");
        let (line2, _, _) = encoding_rs::GBK.encode("身份证号:11010519491231002X");
        content.extend(line2.iter().flat_map(|&b| escape(b)));
        content.extend_from_slice(b") Tj ET");
        let out = extract(&doc(&content, font, true));
        let f = out.fields.clone().expect("fields");
        assert_eq!(f.gender.as_deref(), Some("女"));
        assert_eq!(f.birth.as_deref(), Some("1950-01"));
        assert_eq!(f.id_number.as_deref(), Some("11010519491231002X"));
        assert_eq!(f.id_number_valid, Some(true));
        assert_eq!(codes(&out), [Code::IdNumberBirthMismatch]);
    }

    fn escape(b: u8) -> Vec<u8> {
        if matches!(b, b'(' | b')' | b'\\') {
            vec![b'\\', b]
        } else {
            vec![b]
        }
    }
}
