//! Finding every signature dictionary: from the AcroForm fields, from
//! widget annotations, and any dictionary with /ByteRange and /Contents.

use std::collections::{BTreeMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};

use crate::pdf::limits::{MAX_DEPTH, MAX_SIGNATURE_SIZE};
use crate::pdf::PdfFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    /// /Type /Sig (or no /Type).
    Signature,
    /// /Type /DocTimeStamp.
    DocTimestamp,
}

/// A signature dictionary as found in the file, before any check.
#[derive(Debug, Clone)]
pub struct SignatureField {
    /// The field's /T, or `Signature@N` for a dictionary outside the form.
    pub name: String,
    /// The signature dictionary's object id, when it is an indirect object.
    pub object: Option<ObjectId>,
    pub kind: SignatureKind,
    pub filter: Option<String>,
    pub sub_filter: Option<String>,
    /// /ByteRange as written (None when missing or not an array of integers).
    pub byte_range: Option<Vec<i64>>,
    /// The decoded signature value. Read from the raw file bytes where the
    /// dictionary's position is known, since /Contents is never encrypted.
    pub contents: Option<Vec<u8>>,
    /// Where the /Contents hex string, delimiters included, lies in the file.
    pub contents_span: Option<(usize, usize)>,
    /// /M as written (a PDF date string).
    pub m: Option<String>,
    /// /Cert (adbe.x509.rsa_sha1): DER certificates.
    pub certificates: Vec<Vec<u8>>,
    /// /Reference ... /TransformMethod /DocMDP /P, where present.
    pub docmdp_permission: Option<i64>,
    /// A signature field's value that cannot be read (missing object, not
    /// a dictionary): reported as a signature that cannot be checked.
    pub damaged: bool,
}

/// A form field of type /Sig that has no value: a place for a signature
/// that was never signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmptyField {
    pub name: String,
}

/// Every signature dictionary in the file, in the order of their signed
/// ranges' ends (earliest signature first), and the empty signature fields.
pub fn find_signatures(file: &PdfFile) -> Vec<SignatureField> {
    find_all(file).0
}

pub fn find_all(file: &PdfFile) -> (Vec<SignatureField>, Vec<EmptyField>) {
    let doc = &file.doc;
    // Signature dictionary -> field name, from the form and the widgets.
    let mut names: BTreeMap<ObjectId, String> = BTreeMap::new();
    let mut inline: Vec<(String, Dictionary)> = Vec::new();
    let mut empty = Vec::new();
    for (field_name, field) in signature_fields(doc) {
        match field.get(b"V") {
            Ok(Object::Reference(id)) => {
                names.entry(*id).or_insert(field_name);
            }
            Ok(Object::Dictionary(d)) => inline.push((field_name, d.clone())),
            _ => empty.push(EmptyField { name: field_name }),
        }
    }
    // Any dictionary that looks like a signature, reachable from the form
    // or not: an attacker need not register it.
    for (id, obj) in &doc.objects {
        if let Ok(dict) = obj.as_dict() {
            if looks_like_signature(dict) {
                names
                    .entry(*id)
                    .or_insert_with(|| format!("Signature@{} {}", id.0, id.1));
            }
        }
    }
    let mut out = Vec::new();
    for (id, name) in names {
        // A signature field whose value cannot be read is not skipped: it
        // may be a signature damaged after the fact, and it vouches for
        // nothing.
        match doc.get_object(id).and_then(Object::as_dict) {
            Ok(dict) if looks_like_signature(dict) || dict.get(b"Contents").is_ok() => {
                out.push(read_signature(file, name, Some(id), dict));
            }
            _ => out.push(damaged_signature(name, id)),
        }
    }
    for (name, dict) in inline {
        out.push(read_signature(file, name, None, &dict));
    }
    if file.encryption == crate::pdf::Encryption::NeedsPassword {
        // Field names are encrypted strings: without the password they are
        // noise, so name the fields by their objects instead.
        for (i, sig) in out.iter_mut().enumerate() {
            sig.name = match sig.object {
                Some((n, g)) => format!("Signature@{n} {g}"),
                None => format!("Signature#{}", i + 1),
            };
        }
        for (i, e) in empty.iter_mut().enumerate() {
            e.name = format!("EmptyField#{}", i + 1);
        }
    }
    out.sort_by_key(|s| {
        let end = s
            .byte_range
            .as_ref()
            .and_then(|br| Some(br.get(2)?.saturating_add(*br.get(3)?)))
            .unwrap_or(i64::MAX);
        (end, s.name.clone())
    });
    (out, empty)
}

fn looks_like_signature(dict: &Dictionary) -> bool {
    let typed = matches!(
        dict.get(b"Type").and_then(Object::as_name),
        Ok(b"Sig") | Ok(b"DocTimeStamp")
    );
    let has_contents = dict.get(b"Contents").is_ok();
    has_contents && (typed || dict.get(b"ByteRange").is_ok())
}

/// The fields of type /Sig, from the AcroForm tree and from widget
/// annotations on the pages, with their fully qualified names.
fn signature_fields(doc: &Document) -> Vec<(String, Dictionary)> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    if let Some(fields) = doc
        .catalog()
        .ok()
        .and_then(|c| deref(doc, c.get(b"AcroForm").ok()?))
        .and_then(|o| o.as_dict().ok())
        .and_then(|af| deref(doc, af.get(b"Fields").ok()?))
        .and_then(|o| o.as_array().ok())
    {
        for f in fields {
            walk_field(doc, f, "", None, 0, &mut seen, &mut out);
        }
    }
    for (_, page_id) in doc.get_pages() {
        let Ok(page) = doc.get_dictionary(page_id) else {
            continue;
        };
        let Some(annots) = page
            .get(b"Annots")
            .ok()
            .and_then(|a| deref(doc, a))
            .and_then(|a| a.as_array().ok())
        else {
            continue;
        };
        for a in annots.iter().take(10_000) {
            walk_field(doc, a, "", None, MAX_DEPTH - 1, &mut seen, &mut out);
        }
    }
    out
}

fn walk_field(
    doc: &Document,
    obj: &Object,
    parent_name: &str,
    inherited_ft: Option<&[u8]>,
    depth: usize,
    seen: &mut HashSet<ObjectId>,
    out: &mut Vec<(String, Dictionary)>,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    if let Object::Reference(id) = obj {
        if !seen.insert(*id) {
            return;
        }
    }
    let Some(dict) = deref(doc, obj).and_then(|o| o.as_dict().ok()) else {
        return;
    };
    let partial = dict
        .get(b"T")
        .ok()
        .and_then(|t| t.as_str().ok())
        .map(decode_text);
    let name = match (parent_name.is_empty(), partial) {
        (_, None) => parent_name.to_string(),
        (true, Some(p)) => p,
        (false, Some(p)) => format!("{parent_name}.{p}"),
    };
    let ft = dict
        .get(b"FT")
        .and_then(Object::as_name)
        .ok()
        .or(inherited_ft);
    if let Some(kids) = dict
        .get(b"Kids")
        .ok()
        .and_then(|k| deref(doc, k))
        .and_then(|k| k.as_array().ok())
    {
        for kid in kids.iter().take(10_000) {
            walk_field(doc, kid, &name, ft, depth + 1, seen, out);
        }
    }
    if ft == Some(b"Sig") && (dict.get(b"V").is_ok() || dict.get(b"Kids").is_err()) {
        let name = if name.is_empty() {
            "Signature".to_string()
        } else {
            name
        };
        if !out.iter().any(|(n, d)| n == &name && d == dict) {
            out.push((name, dict.clone()));
        }
    }
}

fn deref<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Object> {
    match obj {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

/// PDF text strings: UTF-16BE with a BOM, else PDFDocEncoding (read as Latin-1).
pub fn decode_text(bytes: &[u8]) -> String {
    decode_text_raw(bytes)
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

fn decode_text_raw(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return crate::pdf::utf16be_lossy(rest);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    bytes.iter().map(|&b| b as char).collect()
}

fn name_of(dict: &Dictionary, key: &[u8]) -> Option<String> {
    dict.get(key)
        .and_then(Object::as_name)
        .ok()
        .map(|n| String::from_utf8_lossy(n).into_owned())
}

fn read_signature(
    file: &PdfFile,
    name: String,
    id: Option<ObjectId>,
    dict: &Dictionary,
) -> SignatureField {
    let doc = &file.doc;
    let kind = match dict.get(b"Type").and_then(Object::as_name) {
        Ok(b"DocTimeStamp") => SignatureKind::DocTimestamp,
        _ if name_of(dict, b"SubFilter").as_deref() == Some("ETSI.RFC3161") => {
            SignatureKind::DocTimestamp
        }
        _ => SignatureKind::Signature,
    };
    let byte_range = dict
        .get(b"ByteRange")
        .ok()
        .and_then(|o| deref(doc, o))
        .and_then(|o| o.as_array().ok())
        .and_then(|a| {
            a.iter()
                .take(64)
                .map(|v| match v {
                    Object::Integer(i) => Some(*i),
                    Object::Real(r) if r.fract() == 0.0 => Some(*r as i64),
                    _ => None,
                })
                .collect::<Option<Vec<i64>>>()
        });
    let raw = id.and_then(|id| raw_contents(file, id));
    let (contents, contents_span) = match raw {
        Some((bytes, span)) => (Some(bytes), Some(span)),
        None => {
            // Not at a known offset (inline, in an object stream, or
            // recovered): fall back to the parsed value.
            let v = dict
                .get(b"Contents")
                .ok()
                .and_then(|o| deref(doc, o))
                .and_then(|o| o.as_str().ok())
                .map(|s| s.get(..MAX_SIGNATURE_SIZE).unwrap_or(s).to_vec());
            (v, None)
        }
    };
    let m = dict
        .get(b"M")
        .ok()
        .and_then(|o| o.as_str().ok())
        .map(|s| String::from_utf8_lossy(s).into_owned());
    let certificates = match dict.get(b"Cert").ok().and_then(|o| deref(doc, o)) {
        Some(Object::String(s, _)) => vec![s.clone()],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|o| deref(doc, o)?.as_str().ok().map(<[u8]>::to_vec))
            .take(16)
            .collect(),
        _ => Vec::new(),
    };
    SignatureField {
        name,
        object: id,
        kind,
        filter: name_of(dict, b"Filter"),
        sub_filter: name_of(dict, b"SubFilter"),
        byte_range,
        contents,
        contents_span,
        m,
        certificates,
        docmdp_permission: docmdp_permission(doc, dict),
        damaged: false,
    }
}

fn damaged_signature(name: String, id: ObjectId) -> SignatureField {
    SignatureField {
        name,
        object: Some(id),
        kind: SignatureKind::Signature,
        filter: None,
        sub_filter: None,
        byte_range: None,
        contents: None,
        contents_span: None,
        m: None,
        certificates: Vec::new(),
        docmdp_permission: None,
        damaged: true,
    }
}

fn docmdp_permission(doc: &Document, dict: &Dictionary) -> Option<i64> {
    let refs = deref(doc, dict.get(b"Reference").ok()?)?.as_array().ok()?;
    refs.iter().take(16).find_map(|r| {
        let r = deref(doc, r)?.as_dict().ok()?;
        if r.get(b"TransformMethod").and_then(Object::as_name).ok()? != b"DocMDP" {
            return None;
        }
        let params = r.get(b"TransformParams").ok().and_then(|p| deref(doc, p));
        Some(
            params
                .and_then(|p| p.as_dict().ok())
                .and_then(|p| p.get(b"P").ok())
                .and_then(|p| p.as_i64().ok())
                .unwrap_or(2),
        )
    })
}

/// The /Contents hex string of the signature dictionary `id`, read from the
/// raw bytes at the object's offset: its decoded value and its span
/// (delimiters included).
fn raw_contents(file: &PdfFile, id: ObjectId) -> Option<(Vec<u8>, (usize, usize))> {
    let offset = match file.doc.reference_table.get(id.0)? {
        lopdf::xref::XrefEntry::Normal { offset, .. } => usize::try_from(*offset).ok()?,
        _ => return None,
    };
    let bytes = file.bytes;
    let window_end = bytes
        .len()
        .min(offset.checked_add(2 * MAX_SIGNATURE_SIZE + 65_536)?);
    let window = bytes.get(offset..window_end)?;
    let obj_end = find(window, b"endobj").unwrap_or(window.len());
    let body = window.get(..obj_end)?;
    let mut from = 0;
    while let Some(p) = find(body.get(from..)?, b"/Contents") {
        let key_end = from + p + 9;
        from = key_end;
        // "/ContentsX" is another name.
        match body.get(key_end) {
            Some(c) if c.is_ascii_alphanumeric() => continue,
            _ => {}
        }
        let mut i = key_end;
        while body.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        if body.get(i) != Some(&b'<') || body.get(i + 1) == Some(&b'<') {
            return None;
        }
        let close = i + find(body.get(i..)?, b">")?;
        let hex_bytes = body.get(i + 1..close)?;
        let decoded = decode_hex(hex_bytes)?;
        return Some((decoded, (offset + i, offset + close + 1)));
    }
    None
}

fn decode_hex(hex_bytes: &[u8]) -> Option<Vec<u8>> {
    let digits: Vec<u8> = hex_bytes
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    if digits.len() / 2 > MAX_SIGNATURE_SIZE || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut padded = digits;
    if padded.len() % 2 == 1 {
        padded.push(b'0');
    }
    hex::decode(padded).ok()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
