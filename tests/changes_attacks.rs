//! Change analysis on hand-built incremental updates: a small signed-looking
//! base document, then one update appended by hand (new objects, an xref
//! section, a trailer with /Prev), one test per attack class and per
//! benign change.

use certcheck::changes::{self, ChangeOutcome};
use certcheck::pdf::PdfFile;
use certcheck::report::{Code, Severity};

const BASE_CONTENT: &str = "BT /F1 12 Tf 100 700 Td (Name: Zhang Wei) Tj ET";
const HIDDEN_CONTENT: &str = "BT /F1 12 Tf 100 700 Td (Name: Cheng Guohua) Tj ET";

fn stream(data: &str) -> String {
    format!("<< /Length {} >>\nstream\n{data}\nendstream", data.len())
}

fn page(contents: &str, annots: &str) -> String {
    format!(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {contents} /Resources << /Font << /F1 5 0 R >> >> /Annots [{annots}] >>"
    )
}

fn form_xobject(content: &str) -> String {
    format!(
        "<< /Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /F1 5 0 R >> >> /Length {} >>\nstream\n{content}\nendstream",
        content.len()
    )
}

fn catalog(extra: &str) -> String {
    format!("<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R {extra} >>")
}

const SIG_VALUE: &str =
    "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] /Contents <3082> >>";

/// The signed base: one page with text, a text field, a signed signature
/// field, an Info dictionary, and two objects nothing uses (a second
/// content stream and a font) that a shadow attack could reveal later.
/// `perms` is put in the catalog (certification).
fn base(perms: &str) -> Vec<u8> {
    let sig_value = if perms.is_empty() {
        SIG_VALUE.to_string()
    } else {
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] /Contents <3082> /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 1 /V /1.2 >> >>] >>".to_string()
    };
    let objects: Vec<(u32, String)> = vec![
        (1, catalog(perms)),
        (2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into()),
        (3, page("4 0 R", "7 0 R 8 0 R")),
        (4, stream(BASE_CONTENT)),
        (5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into()),
        (6, "<< /Fields [7 0 R 8 0 R] /SigFlags 3 >>".into()),
        (
            7,
            "<< /FT /Tx /T (name) /V (Zhang Wei) /Type /Annot /Subtype /Widget /Rect [100 600 300 620] /P 3 0 R /F 4 >>".into(),
        ),
        (
            8,
            "<< /FT /Sig /T (Signature1) /V 9 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /F 132 >>".into(),
        ),
        (9, sig_value),
        (10, "<< /Title (Certificate) /Producer (test) >>".into()),
        (11, stream(HIDDEN_CONTENT)),
        (12, "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>".into()),
    ];
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (n, body) in &objects {
        offsets.push((*n, out.len()));
        out.extend(format!("{n} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for (_, off) in &offsets {
        out.extend(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 10 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn last_startxref(bytes: &[u8]) -> usize {
    let text = String::from_utf8_lossy(bytes);
    let at = text.rfind("startxref").expect("startxref");
    text[at + 9..]
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("startxref number")
}

/// Offset of `N 0 obj` in `bytes`.
fn offset_of(bytes: &[u8], n: u32) -> usize {
    let needle = format!("\n{n} 0 obj");
    let text = String::from_utf8_lossy(bytes);
    text.find(&needle).expect("object present") + 1
}

/// Appends an incremental update: `objects` are written after the file;
/// `redirects` are xref entries pointing at given offsets without writing
/// anything there.
fn append(base: &[u8], objects: &[(u32, String)], redirects: &[(u32, usize)]) -> Vec<u8> {
    append_with_trailer(base, objects, redirects, "/Root 1 0 R /Info 10 0 R")
}

fn append_with_trailer(
    base: &[u8],
    objects: &[(u32, String)],
    redirects: &[(u32, usize)],
    trailer: &str,
) -> Vec<u8> {
    let mut out = base.to_vec();
    let prev = last_startxref(base);
    let mut entries: Vec<(u32, usize)> = Vec::new();
    for (n, body) in objects {
        entries.push((*n, out.len()));
        out.extend(format!("{n} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    entries.extend_from_slice(redirects);
    entries.sort();
    let size = entries
        .iter()
        .map(|(n, _)| n + 1)
        .max()
        .unwrap_or(1)
        .max(13);
    let xref = out.len();
    out.extend(b"xref\n0 1\n0000000000 65535 f \n");
    for (n, off) in &entries {
        out.extend(format!("{n} 1\n{off:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!("trailer\n<< /Size {size} {trailer} /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n")
            .as_bytes(),
    );
    out
}

/// Analyses `file` as if a signature covered exactly `signed` (its first
/// revision).
fn analyze(signed: &[u8], file_bytes: &[u8]) -> ChangeOutcome {
    let file = PdfFile::parse(file_bytes, None).expect("the updated file parses");
    assert!(file.revisions.len() >= 2, "base + updates");
    let end = signed.len();
    assert!(file.revision_ending_at(end).is_some());
    let signed_doc = file.document_until(end).expect("signed revision loads");
    changes::analyze(&file, &signed_doc, end)
}

fn altered(o: &ChangeOutcome) -> bool {
    o.reasons
        .iter()
        .any(|r| r.code.severity() == Severity::Altered)
}

fn has(o: &ChangeOutcome, code: Code) -> bool {
    o.reasons.iter().any(|r| r.code == code)
}

fn change<'a>(o: &'a ChangeOutcome, kind: &str) -> Option<&'a certcheck::report::Change> {
    o.changes.iter().find(|c| c.kind == kind && !c.benign)
}

fn dump(o: &ChangeOutcome) -> String {
    format!("{:#?}\n{:#?}", o.changes, o.reasons)
}

#[test]
fn nothing_appended_but_an_unchanged_copy_is_benign() {
    let b = base("");
    // The page rewritten with the same value (a writer re-saving it).
    let f = append(&b, &[(3, page("4 0 R", "7 0 R 8 0 R"))], &[]);
    let o = analyze(&b, &f);
    assert!(!altered(&o), "{}", dump(&o));
    assert!(o.changes.iter().all(|c| c.benign), "{}", dump(&o));
}

#[test]
fn renumbered_objects_are_compared_by_value() {
    let b = base("");
    // The same font and content under new numbers.
    let f = append(
        &b,
        &[
            (13, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into()),
            (14, stream(BASE_CONTENT)),
            (
                3,
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 14 0 R /Resources << /Font << /F1 13 0 R >> >> /Annots [7 0 R 8 0 R] >>".into(),
            ),
        ],
        &[],
    );
    let o = analyze(&b, &f);
    assert!(!altered(&o), "{}", dump(&o));
}

#[test]
fn content_replaced_is_a_modification() {
    let b = base("");
    let f = append(
        &b,
        &[(4, stream("BT /F1 12 Tf 100 700 Td (Name: Li Na) Tj ET"))],
        &[],
    );
    let o = analyze(&b, &f);
    let c = change(&o, "page_content").unwrap_or_else(|| panic!("{}", dump(&o)));
    assert_eq!(c.page, Some(1));
    assert_eq!(c.revision, 2);
    assert!(has(&o, Code::ModifiedAfterSigning));
    assert!(
        !has(&o, Code::ShadowAttack),
        "new content is not hidden content: {}",
        dump(&o)
    );
}

#[test]
fn annotation_added_is_reported_with_its_text() {
    let b = base("");
    let f = append(
        &b,
        &[
            (
                13,
                form_xobject("1 g 0 0 200 20 re f 0 g BT /F1 12 Tf 2 5 Td (Cheng Guohua) Tj ET"),
            ),
            (
                14,
                "<< /Type /Annot /Subtype /FreeText /Rect [100 695 300 715] /Contents (Cheng Guohua) /DA (/F1 12 Tf 0 g) /P 3 0 R /AP << /N 13 0 R >> >>".into(),
            ),
            (3, page("4 0 R", "7 0 R 8 0 R 14 0 R")),
        ],
        &[],
    );
    let o = analyze(&b, &f);
    let c = change(&o, "annotation_added").unwrap_or_else(|| panic!("{}", dump(&o)));
    assert_eq!(c.page, Some(1));
    assert!(c.description.contains("FreeText"), "{}", c.description);
    assert!(c.description.contains("Cheng Guohua"), "{}", c.description);
    assert!(has(&o, Code::ModifiedAfterSigning));
}

#[test]
fn page_added_is_a_modification() {
    let b = base("");
    let f = append(
        &b,
        &[
            (13, stream("BT /F1 12 Tf 100 700 Td (Extra page) Tj ET")),
            (
                14,
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 13 0 R /Resources << /Font << /F1 5 0 R >> >> >>".into(),
            ),
            (2, "<< /Type /Pages /Kids [3 0 R 14 0 R] /Count 2 >>".into()),
        ],
        &[],
    );
    let o = analyze(&b, &f);
    let c = change(&o, "page_added").unwrap_or_else(|| panic!("{}", dump(&o)));
    assert_eq!(c.page, Some(2));
    assert!(has(&o, Code::ModifiedAfterSigning));
}

#[test]
fn page_removed_is_a_modification() {
    let b = base("");
    let f = append(
        &b,
        &[(2, "<< /Type /Pages /Kids [] /Count 0 >>".into())],
        &[],
    );
    let o = analyze(&b, &f);
    assert!(change(&o, "page_removed").is_some(), "{}", dump(&o));
    assert!(altered(&o));
}

#[test]
fn font_swapped_under_unchanged_content_is_a_shadow_replace() {
    let b = base("");
    let f = append(
        &b,
        &[(
            5,
            "<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>".into(),
        )],
        &[],
    );
    let o = analyze(&b, &f);
    let c = change(&o, "resource_replaced").unwrap_or_else(|| panic!("{}", dump(&o)));
    assert_eq!(c.page, Some(1));
    assert!(has(&o, Code::ShadowAttack), "{}", dump(&o));
    assert!(has(&o, Code::ModifiedAfterSigning));
}

#[test]
fn xref_redirect_into_signed_bytes_is_a_shadow_attack() {
    let b = base("");
    // No new object: the update only re-points object 4 (the page
    // content) at the bytes of the unused object 11.
    let hidden = offset_of(&b, 11);
    let f = append(&b, &[], &[(4, hidden)]);
    let o = analyze(&b, &f);
    let c = change(&o, "xref_redirect").unwrap_or_else(|| panic!("{}", dump(&o)));
    assert_eq!(c.object.as_deref(), Some("4 0"));
    assert_eq!(c.revision, 2);
    assert!(has(&o, Code::ShadowAttack), "{}", dump(&o));
    assert!(has(&o, Code::ModifiedAfterSigning));
}

#[test]
fn hidden_content_revealed_is_a_shadow_hide() {
    let b = base("");
    let f = append(&b, &[(3, page("11 0 R", "7 0 R 8 0 R"))], &[]);
    let o = analyze(&b, &f);
    assert!(change(&o, "page_content").is_some(), "{}", dump(&o));
    let c = change(&o, "hidden_content_shown").unwrap_or_else(|| panic!("{}", dump(&o)));
    assert!(c.description.contains("11 0"), "{}", c.description);
    assert!(has(&o, Code::ShadowAttack));
}

#[test]
fn form_value_changed_is_a_modification() {
    let b = base("");
    let f = append(
        &b,
        &[(
            7,
            "<< /FT /Tx /T (name) /V (Cheng Guohua) /Type /Annot /Subtype /Widget /Rect [100 600 300 620] /P 3 0 R /F 4 >>".into(),
        )],
        &[],
    );
    let o = analyze(&b, &f);
    let c = change(&o, "form_value").unwrap_or_else(|| panic!("{}", dump(&o)));
    assert!(
        c.description.contains("Zhang Wei") && c.description.contains("Cheng Guohua"),
        "{}",
        c.description
    );
    assert!(has(&o, Code::ModifiedAfterSigning));
    assert!(
        has(&o, Code::ShadowAttack),
        "a value swap is a shadow replace: {}",
        dump(&o)
    );
}

#[test]
fn javascript_added_is_a_modification() {
    let b = base("");
    let f = append(
        &b,
        &[(
            1,
            catalog("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        )],
        &[],
    );
    let o = analyze(&b, &f);
    assert!(change(&o, "javascript_added").is_some(), "{}", dump(&o));
    assert!(altered(&o));
}

fn dss_update(b: &[u8], perms: &str) -> Vec<u8> {
    append(
        b,
        &[
            (13, stream("0123456789")),
            (14, "<< /Certs [13 0 R] /VRI << /ABCDEF << /Cert [13 0 R] >> >> >>".into()),
            (
                1,
                catalog(&format!(
                    "{perms} /DSS 14 0 R /Extensions << /ESIC << /Type /DeveloperExtensions /BaseVersion /1.7 /ExtensionLevel 1 >> >>"
                )),
            ),
        ],
        &[],
    )
}

#[test]
fn dss_added_is_benign() {
    let b = base("");
    let o = analyze(&b, &dss_update(&b, ""));
    assert!(!altered(&o), "{}", dump(&o));
    assert!(o.changes.iter().all(|c| c.benign), "{}", dump(&o));
    assert!(
        o.changes.iter().any(|c| c.kind == "dss_updated"),
        "{}",
        dump(&o)
    );
    assert!(has(&o, Code::BenignUpdate));
}

#[test]
fn dss_holding_a_drawable_form_is_not_benign() {
    let b = base("");
    let f = append(
        &b,
        &[
            (
                13,
                "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length 3 >>\nstream\nq Q\nendstream".into(),
            ),
            (14, "<< /Certs [13 0 R] >>".into()),
            (1, catalog("/DSS 14 0 R")),
        ],
        &[],
    );
    let o = analyze(&b, &f);
    assert!(altered(&o), "{}", dump(&o));
}

#[test]
fn metadata_updated_is_benign_and_reported() {
    let b = base("");
    let f = append(
        &b,
        &[(10, "<< /Title (Certificate) /Producer (test) /Subject (Downloaded) /ModDate (D:20261128000000Z) >>".into())],
        &[],
    );
    let o = analyze(&b, &f);
    assert!(!altered(&o), "{}", dump(&o));
    assert!(has(&o, Code::MetadataChanged));
    let c = o
        .changes
        .iter()
        .find(|c| c.kind == "metadata_changed")
        .expect("listed");
    assert!(
        c.benign && c.description.contains("Subject"),
        "{}",
        c.description
    );
}

fn second_signature(b: &[u8], rect: &str, appearance: Option<&str>) -> Vec<u8> {
    let mut objects: Vec<(u32, String)> = vec![
        (14, SIG_VALUE.into()),
        (6, "<< /Fields [7 0 R 8 0 R 13 0 R] /SigFlags 3 >>".into()),
        (3, page("4 0 R", "7 0 R 8 0 R 13 0 R")),
    ];
    let ap = match appearance {
        Some(content) => {
            objects.push((
                15,
                format!(
                    "<< /Type /XObject /Subtype /Form /BBox [0 0 200 30] /Resources << /Font << /F1 5 0 R >> >> /Length {} >>\nstream\n{content}\nendstream",
                    content.len()
                ),
            ));
            "/AP << /N 15 0 R >>"
        }
        None => "",
    };
    objects.push((
        13,
        format!("<< /FT /Sig /T (Signature2) /V 14 0 R /Type /Annot /Subtype /Widget /Rect {rect} /P 3 0 R /F 4 {ap} >>"),
    ));
    append(b, &objects, &[])
}

#[test]
fn second_signature_field_is_benign() {
    let b = base("");
    let o = analyze(&b, &second_signature(&b, "[0 0 0 0]", None));
    assert!(!altered(&o), "{}", dump(&o));
    assert!(o.changes.iter().all(|c| c.benign), "{}", dump(&o));
    assert!(
        o.changes.iter().any(|c| c.kind == "signature_added"),
        "{}",
        dump(&o)
    );
    assert!(has(&o, Code::BenignUpdate));
}

#[test]
fn small_visible_signature_clear_of_text_is_benign() {
    let b = base("");
    let o = analyze(
        &b,
        &second_signature(
            &b,
            "[400 100 500 130]",
            Some("BT /F1 8 Tf 2 10 Td (Signed) Tj ET"),
        ),
    );
    assert!(!altered(&o), "{}", dump(&o));
}

#[test]
fn signature_widget_painting_over_text_is_not_benign() {
    // Sneaky signature: a "signature" whose appearance covers the name.
    let b = base("");
    let o = analyze(
        &b,
        &second_signature(
            &b,
            "[95 690 300 720]",
            Some("1 g 0 0 205 30 re f 0 g BT /F1 12 Tf 5 10 Td (Name: Cheng Guohua) Tj ET"),
        ),
    );
    assert!(altered(&o), "{}", dump(&o));
    assert!(
        o.changes
            .iter()
            .any(|c| !c.benign && (c.kind == "annotation_added" || c.kind == "form_field_added")),
        "{}",
        dump(&o)
    );
}

const DOCMDP: &str = "/Perms << /DocMDP 9 0 R >>";

#[test]
fn docmdp_p1_forbids_annotations() {
    let b = base(DOCMDP);
    let f = append(
        &b,
        &[
            (
                13,
                "<< /Type /Annot /Subtype /Square /Rect [100 695 300 715] /IC [1 1 1] /P 3 0 R >>"
                    .into(),
            ),
            (3, page("4 0 R", "7 0 R 8 0 R 13 0 R")),
        ],
        &[],
    );
    let o = analyze(&b, &f);
    assert!(has(&o, Code::CertificationViolated), "{}", dump(&o));
    assert!(has(&o, Code::ModifiedAfterSigning));
}

#[test]
fn docmdp_p1_forbids_a_later_signature() {
    let b = base(DOCMDP);
    let o = analyze(&b, &second_signature(&b, "[0 0 0 0]", None));
    assert!(has(&o, Code::CertificationViolated), "{}", dump(&o));
}

#[test]
fn docmdp_p1_allows_validation_data() {
    let b = base(DOCMDP);
    let o = analyze(&b, &dss_update(&b, DOCMDP));
    assert!(!altered(&o), "{}", dump(&o));
    assert!(!has(&o, Code::CertificationViolated));
}

#[test]
fn optional_content_switched_on_is_a_shadow_hide() {
    // Signed with a layer hidden (OFF); an update switches it on.
    let b = base("/OCProperties << /OCGs [13 0 R] /D << /OFF [13 0 R] >> >>");
    // The layer object itself, appended to the signed revision.
    let b = append(&b, &[(13, "<< /Type /OCG /Name (Layer) >>".into())], &[]);
    let f = append(
        &b,
        &[(
            1,
            catalog("/OCProperties << /OCGs [13 0 R] /D << /ON [13 0 R] >> >>"),
        )],
        &[],
    );
    let o = analyze(&b, &f);
    assert!(
        change(&o, "optional_content_changed").is_some(),
        "{}",
        dump(&o)
    );
    assert!(has(&o, Code::ShadowAttack), "{}", dump(&o));
}

#[test]
fn signature_widget_over_a_picture_is_not_benign() {
    // A page with a seal picture; a later "signature" drawn on top of it.
    let b = base("");
    let with_image = append(
        &b,
        &[
            (
                13,
                "<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 1 >>\nstream\n\x00\nendstream".into(),
            ),
            (16, stream("q 80 0 0 80 450 100 cm /Im1 Do Q")),
            (
                3,
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 16 0 R] /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 13 0 R >> >> /Annots [7 0 R 8 0 R] >>".into(),
            ),
        ],
        &[],
    );
    let objects: Vec<(u32, String)> = vec![
        (14, SIG_VALUE.into()),
        (6, "<< /Fields [7 0 R 8 0 R 17 0 R] /SigFlags 3 >>".into()),
        (15, form_xobject("1 0 0 rg 0 0 80 80 re f")),
        (
            17,
            "<< /FT /Sig /T (Signature2) /V 14 0 R /Type /Annot /Subtype /Widget /Rect [450 100 530 180] /P 3 0 R /F 4 /AP << /N 15 0 R >> >>".into(),
        ),
        (
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 16 0 R] /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 13 0 R >> >> /Annots [7 0 R 8 0 R 17 0 R] >>".into(),
        ),
    ];
    let f = append(&with_image, &objects, &[]);
    let o = analyze(&with_image, &f);
    assert!(altered(&o), "{}", dump(&o));
    assert!(
        o.changes
            .iter()
            .any(|c| !c.benign
                && (c.description.contains("Signature2") || c.kind == "annotation_added")),
        "{}",
        dump(&o)
    );
}

#[test]
fn signing_a_prepared_empty_field_is_benign() {
    let b = base("");
    // Revision 2 (the one signed): an empty signature field is prepared.
    let prepared = append(
        &b,
        &[
            (13, "<< /FT /Sig /T (Approval) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /F 132 >>".into()),
            (6, "<< /Fields [7 0 R 8 0 R 13 0 R] /SigFlags 3 >>".into()),
            (3, page("4 0 R", "7 0 R 8 0 R 13 0 R")),
        ],
        &[],
    );
    // Revision 3: the field is signed.
    let f = append(
        &prepared,
        &[
            (14, SIG_VALUE.into()),
            (13, "<< /FT /Sig /T (Approval) /V 14 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /F 132 >>".into()),
        ],
        &[],
    );
    let o = analyze(&prepared, &f);
    assert!(!altered(&o), "{}", dump(&o));
    assert!(
        o.changes
            .iter()
            .any(|c| c.benign && c.kind == "signature_added"),
        "{}",
        dump(&o)
    );
}

#[test]
fn filling_a_prepared_signature_field_with_something_else_is_not_benign() {
    let b = base("");
    let prepared = append(
        &b,
        &[
            (13, "<< /FT /Sig /T (Approval) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /F 132 >>".into()),
            (6, "<< /Fields [7 0 R 8 0 R 13 0 R] /SigFlags 3 >>".into()),
            (3, page("4 0 R", "7 0 R 8 0 R 13 0 R")),
        ],
        &[],
    );
    let f = append(
        &prepared,
        &[(13, "<< /FT /Sig /T (Approval) /V (not a signature) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /F 132 >>".into())],
        &[],
    );
    let o = analyze(&prepared, &f);
    assert!(altered(&o), "{}", dump(&o));
}

/// A file that needs a user password (AES-256), updated after "signing"
/// without the password: compared structurally, an untouched object keeps
/// its encrypted bytes and a rewritten one differs.
fn password_base() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/user-password-query-result.pdf"
    ))
    .expect("test file")
}

const PASSWORD_TRAILER: &str = "/Root 1 0 R /Info 2 0 R /Encrypt 15 0 R /ID [<c9b4683319f90d4dca1dc6df298fd676><3b62d4af312980322dc515c855ee0a8d>]";

#[test]
fn password_file_with_metadata_update_is_compared_structurally() {
    let b = password_base();
    let f = append_with_trailer(
        &b,
        &[(
            2,
            "<< /Producer <00112233445566778899aabbccddeeff> >>".into(),
        )],
        &[],
        PASSWORD_TRAILER,
    );
    let o = analyze(&b, &f);
    assert!(!altered(&o), "{}", dump(&o));
    assert!(has(&o, Code::MetadataChanged), "{}", dump(&o));
}

#[test]
fn password_file_with_content_update_is_altered() {
    let b = password_base();
    let f = append_with_trailer(
        &b,
        &[
            (16, stream("BT /F2 12 Tf 100 700 Td (forged) Tj ET")),
            (
                3,
                "<< /Contents 16 0 R /Parent 4 0 R /Resources 6 0 R /Type /Page >>".into(),
            ),
        ],
        &[],
        PASSWORD_TRAILER,
    );
    let o = analyze(&b, &f);
    assert!(change(&o, "page_content").is_some(), "{}", dump(&o));
    assert!(!has(&o, Code::ChangesNotCompared), "{}", dump(&o));
}

#[test]
fn hidden_annotation_made_visible_is_a_shadow_hide() {
    let b = base("");
    // Signed with a hidden FreeText annotation carrying other text.
    let signed = append(
        &b,
        &[
            (13, form_xobject("BT /F1 12 Tf 2 5 Td (Cheng Guohua) Tj ET")),
            (
                14,
                "<< /Type /Annot /Subtype /FreeText /Rect [100 695 300 715] /Contents (Cheng Guohua) /F 2 /P 3 0 R /AP << /N 13 0 R >> >>".into(),
            ),
            (3, page("4 0 R", "7 0 R 8 0 R 14 0 R")),
        ],
        &[],
    );
    let f = append(
        &signed,
        &[(
            14,
            "<< /Type /Annot /Subtype /FreeText /Rect [100 695 300 715] /Contents (Cheng Guohua) /F 4 /P 3 0 R /AP << /N 13 0 R >> >>".into(),
        )],
        &[],
    );
    let o = analyze(&signed, &f);
    let c = change(&o, "annotation_changed").unwrap_or_else(|| panic!("{}", dump(&o)));
    assert!(c.description.contains("hidden"), "{}", c.description);
    assert!(has(&o, Code::ShadowAttack), "{}", dump(&o));
}

/// A base certified with DocMDP level `p` (the digit replaced in place, so
/// every offset holds).
fn certified(p: u8) -> Vec<u8> {
    let mut b = base(DOCMDP);
    let needle = b"/P 1 /V";
    let at = b
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("transform params");
    b[at + 3] = b'0' + p;
    b
}

fn square_added(b: &[u8]) -> Vec<u8> {
    append(
        b,
        &[
            (
                13,
                "<< /Type /Annot /Subtype /Square /Rect [400 100 450 150] /P 3 0 R >>".into(),
            ),
            (3, page("4 0 R", "7 0 R 8 0 R 13 0 R")),
        ],
        &[],
    )
}

#[test]
fn docmdp_p2_allows_signing_but_not_annotations() {
    let b = certified(2);
    let o = analyze(&b, &second_signature(&b, "[0 0 0 0]", None));
    assert!(!altered(&o), "{}", dump(&o));
    let o = analyze(&b, &square_added(&b));
    assert!(has(&o, Code::CertificationViolated), "{}", dump(&o));
}

#[test]
fn docmdp_p3_allows_annotations_which_still_change_what_is_shown() {
    let b = certified(3);
    let o = analyze(&b, &square_added(&b));
    assert!(!has(&o, Code::CertificationViolated), "{}", dump(&o));
    assert!(has(&o, Code::ModifiedAfterSigning), "{}", dump(&o));
}

#[test]
fn docmdp_p2_form_filling_is_permitted_but_reported() {
    let b = certified(2);
    let f = append(
        &b,
        &[(
            7,
            "<< /FT /Tx /T (name) /V (Li Na) /Type /Annot /Subtype /Widget /Rect [100 600 300 620] /P 3 0 R /F 4 >>".into(),
        )],
        &[],
    );
    let o = analyze(&b, &f);
    assert!(!has(&o, Code::CertificationViolated), "{}", dump(&o));
    assert!(change(&o, "form_value").is_some(), "{}", dump(&o));
    assert!(has(&o, Code::ModifiedAfterSigning));
}

#[test]
fn docmdp_p2_forbids_content_changes() {
    let b = certified(2);
    let f = append(
        &b,
        &[(4, stream("BT /F1 12 Tf 100 700 Td (Name: Li Na) Tj ET"))],
        &[],
    );
    let o = analyze(&b, &f);
    assert!(has(&o, Code::CertificationViolated), "{}", dump(&o));
}

#[test]
fn tab_order_set_with_a_new_signature_is_benign_but_not_alone() {
    let b = base("");
    let with_tabs = |annots: &str| {
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [{annots}] /Tabs /S >>"
        )
    };
    let f = append(
        &b,
        &[
            (14, SIG_VALUE.into()),
            (6, "<< /Fields [7 0 R 8 0 R 13 0 R] /SigFlags 3 >>".into()),
            (3, with_tabs("7 0 R 8 0 R 13 0 R")),
            (
                13,
                "<< /FT /Sig /T (Signature2) /V 14 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /F 132 >>".into(),
            ),
        ],
        &[],
    );
    let o = analyze(&b, &f);
    assert!(!altered(&o), "{}", dump(&o));
    let alone = append(&b, &[(3, with_tabs("7 0 R 8 0 R"))], &[]);
    let o = analyze(&b, &alone);
    assert!(altered(&o), "{}", dump(&o));
}

#[test]
fn xref_damage_from_before_signing_is_not_blamed_on_the_update() {
    // The generator wrote a wrong offset for the font (object 5) before
    // signing; readers repair it by scanning. A later metadata update
    // leaves that as it was.
    let mut b = base("");
    let xref_at = last_startxref(&b);
    let entry5 = xref_at + "xref\n0 13\n".len() + 5 * 20;
    let wrong = format!("{:010}", offset_of(&b, 4));
    b.splice(entry5..entry5 + 10, wrong.bytes());
    let f = append(
        &b,
        &[(
            10,
            "<< /Title (Certificate) /Producer (test) /Subject (x) >>".into(),
        )],
        &[],
    );
    let file = PdfFile::parse(&f, None).expect("parses");
    assert!(file.recovered, "the damaged xref is repaired");
    let o = analyze(&b, &f);
    assert!(!altered(&o), "{}", dump(&o));
}

#[test]
fn xref_damaged_by_the_update_is_a_modification() {
    let b = base("");
    // The update re-points the font (object 5) at the content stream's
    // bytes: readers that trust the xref lose the font.
    let f = append(&b, &[], &[(5, offset_of(&b, 4))]);
    let o = analyze(&b, &f);
    assert!(altered(&o), "{}", dump(&o));
    assert!(change(&o, "xref_redirect").is_some(), "{}", dump(&o));
}

#[test]
fn signature_widget_over_part_of_a_line_is_not_benign() {
    // The box covers "Zhang Wei" but not where the line starts.
    let b = base("");
    let o = analyze(
        &b,
        &second_signature(
            &b,
            "[150 695 250 715]",
            Some("1 g 0 0 100 20 re f 0 g BT /F1 12 Tf 2 5 Td (Cheng Guohua) Tj ET"),
        ),
    );
    assert!(altered(&o), "{}", dump(&o));
}

#[test]
fn metadata_rule_accepts_only_metadata() {
    let b = base("");
    // An Info value that is a stream has no place in metadata.
    let f = append(
        &b,
        &[
            (13, stream("BT (x) Tj ET")),
            (
                10,
                "<< /Title (Certificate) /Producer (test) /Extra 13 0 R >>".into(),
            ),
        ],
        &[],
    );
    assert!(altered(&analyze(&b, &f)));
    // An XMP stream is metadata; an image put there is not.
    let xmp = append(
        &b,
        &[
            (
                13,
                "<< /Type /Metadata /Subtype /XML /Length 9 >>\nstream\n<x:xmp/>\n\nendstream"
                    .into(),
            ),
            (1, catalog("/Metadata 13 0 R")),
        ],
        &[],
    );
    let o = analyze(&b, &xmp);
    assert!(!altered(&o), "{}", dump(&o));
    assert!(has(&o, Code::MetadataChanged));
    let image = append(
        &b,
        &[
            (13, "<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /Length 1 >>\nstream\nx\nendstream".into()),
            (1, catalog("/Metadata 13 0 R")),
        ],
        &[],
    );
    assert!(altered(&analyze(&b, &image)));
}

#[test]
fn unused_object_appended_changes_nothing_shown() {
    let b = base("");
    let f = append(&b, &[(13, stream("BT (unused) Tj ET"))], &[]);
    let o = analyze(&b, &f);
    assert!(!altered(&o), "{}", dump(&o));
    assert!(o.changes.is_empty(), "{}", dump(&o));
    assert!(has(&o, Code::BenignUpdate));
}

#[test]
fn catalog_entry_added_is_a_modification() {
    let b = base("");
    let f = append(&b, &[(1, catalog("/PageMode /FullScreen"))], &[]);
    let o = analyze(&b, &f);
    assert!(change(&o, "catalog_changed").is_some(), "{}", dump(&o));
}
