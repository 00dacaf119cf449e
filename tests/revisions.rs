//! Revision reading on hand-made incremental updates.

use certcheck::pdf::PdfFile;
use lopdf::{dictionary, Document, Object, Stream};

/// A one-page PDF whose page content is `text`, saved with a classic xref.
fn base_pdf(text: &str) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let content = Stream::new(
        dictionary! {},
        format!("BT /F1 12 Tf 10 10 Td ({text}) Tj ET").into_bytes(),
    );
    let content_id = doc.add_object(content);
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 200.into(), 200.into()],
        "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! {"Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1},
        ),
    );
    let catalog_id = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("in-memory save");
    out
}

/// Appends an incremental update that replaces object `id`'s content
/// stream with `text`. `prev` is written as the trailer's /Prev.
fn append_update(
    mut pdf: Vec<u8>,
    id: u32,
    text: &str,
    prev: usize,
    size: u32,
    root: &str,
) -> Vec<u8> {
    let body = format!("BT /F1 12 Tf 10 10 Td ({text}) Tj ET");
    let obj_at = pdf.len() + 1;
    pdf.extend_from_slice(
        format!(
            "\n{id} 0 obj\n<< /Length {} >>\nstream\n{body}\nendstream\nendobj\n",
            body.len()
        )
        .as_bytes(),
    );
    let xref_at = pdf.len();
    pdf.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f \n{id} 1\n{obj_at:010} 00000 n \ntrailer\n<< /Size {size} /Root {root} /Prev {prev} >>\nstartxref\n{xref_at}\n%%EOF\n"
        )
        .as_bytes(),
    );
    pdf
}

fn startxref(pdf: &[u8]) -> usize {
    let s = String::from_utf8_lossy(pdf);
    let at = s.rfind("startxref").expect("startxref");
    s[at + 9..]
        .split_whitespace()
        .next()
        .expect("number")
        .parse()
        .expect("offset")
}

fn page_text(doc: &Document) -> String {
    let (_, page) = doc.get_pages().into_iter().next().expect("a page");
    String::from_utf8_lossy(&doc.get_page_content(page).expect("content")).into_owned()
}

fn content_id(doc: &Document) -> u32 {
    let (_, page) = doc.get_pages().into_iter().next().expect("a page");
    doc.get_dictionary(page)
        .and_then(|p| p.get(b"Contents"))
        .and_then(Object::as_reference)
        .expect("content reference")
        .0
}

fn root_ref(doc: &Document) -> String {
    let r = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .expect("root");
    format!("{} {} R", r.0, r.1)
}

#[test]
fn each_revision_shows_its_own_document() {
    let base = base_pdf("Zhang Wei");
    let doc = Document::load_mem(&base).expect("base loads");
    let id = content_id(&doc);
    let size = doc.max_id + 1;
    let updated = append_update(
        base.clone(),
        id,
        "Cheng Guohua",
        startxref(&base),
        size,
        &root_ref(&doc),
    );

    let file = PdfFile::parse(&updated, None).expect("parses");
    assert_eq!(file.revisions.len(), 2);
    assert!(file.revisions[0].accepts_end(base.len()));
    assert_eq!(file.revisions[1].end, updated.len());
    assert!(page_text(&file.doc).contains("Cheng Guohua"));
    let first = file
        .document_until(file.revisions[0].end)
        .expect("first revision loads");
    assert!(page_text(&first).contains("Zhang Wei"));
    assert!(file
        .revision_ending_at(base.len())
        .is_some_and(|r| r.index == 1));
    assert!(file.revision_ending_at(base.len() - 10).is_none());
}

#[test]
fn a_prev_loop_ends_with_a_result_not_a_hang() {
    let base = base_pdf("Zhang Wei");
    let doc = Document::load_mem(&base).expect("base loads");
    let id = content_id(&doc);
    let size = doc.max_id + 1;
    // The update's /Prev points at its own xref section.
    let mut looped = base.clone();
    let own_xref = {
        let probe = append_update(base.clone(), id, "Loop", 0, size, &root_ref(&doc));
        startxref(&probe)
    };
    looped = append_update(looped, id, "Loop", own_xref, size, &root_ref(&doc));
    // Whatever lopdf makes of it, parsing returns.
    let _ = PdfFile::parse(&looped, None);
    let record = certcheck::verify(&looped, "loop.pdf", &certcheck::Options::default());
    assert_ne!(record.verdict, certcheck::Verdict::Authentic);
}

#[test]
fn a_damaged_xref_is_recovered_and_said() {
    let base = base_pdf("Zhang Wei");
    // Shift every object by inserting bytes after the header: all xref
    // offsets are now wrong.
    let mut shifted = base.clone();
    let at = shifted
        .iter()
        .position(|&b| b == b'\n')
        .expect("header line")
        + 1;
    shifted.splice(at..at, b"%garbage-garbage\n".iter().copied());
    let file = PdfFile::parse(&shifted, None).expect("recovered");
    assert!(
        file.recovered,
        "the xref offsets are wrong, so the objects were found by scanning"
    );
    assert!(page_text(&file.doc).contains("Zhang Wei"));
    let record = certcheck::verify(&shifted, "shifted.pdf", &certcheck::Options::default());
    assert_eq!(record.verdict, certcheck::Verdict::Unsigned);
}

#[test]
fn garbage_and_empty_input_are_malformed() {
    let options = certcheck::Options::default();
    for bytes in [
        &b""[..],
        b"not a pdf at all",
        b"%PDF-1.7\n%%EOF\n",
        &[0xff, 0xd8, 0xff, 0xe0, 0, 0x10],
    ] {
        let record = certcheck::verify(bytes, "x.pdf", &options);
        assert_eq!(record.verdict, certcheck::Verdict::Malformed, "{bytes:?}");
        assert!(record.error.is_some());
    }
}
