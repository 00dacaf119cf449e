//! The text reader on an arbitrary content stream and ToUnicode CMap, run
//! without the catch_unwind that text::extract adds: any panic is a bug.
#![no_main]

use certcheck::text::{extract::extract_glyphs, fields, layout};
use libfuzzer_sys::fuzz_target;
use lopdf::{dictionary, Document, Object, Stream};

fuzz_target!(|data: &[u8]| {
    // The first half is the page content, the second the font's ToUnicode.
    let (content, cmap) = data.split_at(data.len() / 2);
    let mut doc = Document::with_version("1.5");
    let tu = doc.add_object(Stream::new(dictionary! {}, cmap.to_vec()));
    let type0 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "Encoding" => "Identity-H", "ToUnicode" => tu,
    });
    let gbk = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type0", "Encoding" => "GBK-EUC-H",
    });
    let contents = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
    let pages_id = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => type0, "F2" => gbk } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let ex = extract_glyphs(&doc);
    let lines: Vec<_> = ex.pages.iter().flat_map(|p| layout::lines(p)).collect();
    let _ = fields::find(&lines);
});
