//! Walking one document's object graph: its pages (with inherited
//! attributes), their annotations, the form's terminal fields, and what is
//! reachable from a set of roots. Bounded and cycle-safe.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::paint::{self, dict_get, resolve};
use crate::pdf::limits;

/// Most pages compared.
pub const MAX_PAGES: usize = 10_000;
/// Most form fields collected.
const MAX_FIELDS: usize = 10_000;

/// A page as the document shows it: its dictionary, with the attributes it
/// inherits from the page tree filled in.
pub struct Page<'a> {
    pub id: Option<ObjectId>,
    pub dict: &'a Dictionary,
    pub inherited: Vec<(&'static [u8], &'a Object)>,
}

impl<'a> Page<'a> {
    pub fn get(&self, key: &[u8]) -> &'a Object {
        if let Ok(o) = self.dict.get(key) {
            return o;
        }
        self.inherited
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, o)| *o)
            .unwrap_or(&Object::Null)
    }
}

pub const INHERITABLE: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// The pages of a document in order, walking the page tree from the
/// catalog (bounded, cycle-safe).
pub fn pages(doc: &Document) -> Vec<Page<'_>> {
    let mut out = Vec::new();
    let Some(catalog) = catalog(doc) else {
        return out;
    };
    let root = catalog.get(b"Pages").unwrap_or(&Object::Null);
    let mut seen = HashSet::new();
    walk_pages(doc, root, &[], 0, &mut seen, &mut out);
    out
}

fn walk_pages<'a>(
    doc: &'a Document,
    node: &'a Object,
    inherited: &[(&'static [u8], &'a Object)],
    depth: usize,
    seen: &mut HashSet<ObjectId>,
    out: &mut Vec<Page<'a>>,
) {
    let Some((id, dict)) = enter(doc, node, depth, out.len() >= MAX_PAGES, seen) else {
        return;
    };
    let mut inh: Vec<(&'static [u8], &'a Object)> = inherited.to_vec();
    for key in INHERITABLE {
        if let Ok(v) = dict.get(key) {
            inh.retain(|(k, _)| *k != key);
            inh.push((key, v));
        }
    }
    let is_page = dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"Page")
        || (!dict.has(b"Kids") && dict.has(b"Contents"));
    if is_page {
        out.push(Page {
            id,
            dict,
            inherited: inh,
        });
        return;
    }
    if let Object::Array(kids) = dict_get(doc, dict, b"Kids") {
        for kid in kids {
            walk_pages(doc, kid, &inh, depth + 1, seen, out);
        }
    }
}

/// A node of a tree walk (the page tree, the field tree), as entered:
/// its object id (when indirect) and dictionary. None, and the walk goes
/// no further down here, when it is too deep, `full` (it has gathered all
/// it takes), met before (a cycle) or not a dictionary.
fn enter<'a>(
    doc: &'a Document,
    node: &'a Object,
    depth: usize,
    full: bool,
    seen: &mut HashSet<ObjectId>,
) -> Option<(Option<ObjectId>, &'a Dictionary)> {
    if depth > limits::MAX_DEPTH || full {
        return None;
    }
    let id = node.as_reference().ok();
    if let Some(id) = id {
        if !seen.insert(id) {
            return None;
        }
    }
    let dict = resolve(doc, node).as_dict().ok()?;
    Some((id, dict))
}

pub fn catalog(doc: &Document) -> Option<&Dictionary> {
    resolve(doc, doc.trailer.get(b"Root").ok()?).as_dict().ok()
}

/// An annotation on a page: its object id (when indirect) and dictionary.
#[derive(Clone, Copy)]
pub struct Annot<'a> {
    pub id: Option<ObjectId>,
    pub dict: &'a Dictionary,
}

pub fn annotations<'a>(doc: &'a Document, page: &Page<'a>) -> Vec<Annot<'a>> {
    let mut out = Vec::new();
    if let Object::Array(items) = resolve(doc, page.get(b"Annots")) {
        for item in items.iter().take(10_000) {
            if let Ok(dict) = resolve(doc, item).as_dict() {
                out.push(Annot {
                    id: item.as_reference().ok(),
                    dict,
                });
            }
        }
    }
    out
}

/// A terminal form field, with its fully qualified name.
pub struct Field<'a> {
    pub name: String,
    pub id: Option<ObjectId>,
    pub dict: &'a Dictionary,
    /// The field type, inherited from ancestors where absent.
    pub ft: Option<Vec<u8>>,
    /// The value, inherited where absent.
    pub value: &'a Object,
}

pub fn fields(doc: &Document) -> Vec<Field<'_>> {
    let mut out = Vec::new();
    let Some(catalog) = catalog(doc) else {
        return out;
    };
    let Ok(acro) = dict_get(doc, catalog, b"AcroForm").as_dict() else {
        return out;
    };
    let mut seen = HashSet::new();
    if let Object::Array(roots) = dict_get(doc, acro, b"Fields") {
        for (i, f) in roots.iter().enumerate() {
            walk_field(doc, f, "", None, &Object::Null, i, 0, &mut seen, &mut out);
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn walk_field<'a>(
    doc: &'a Document,
    node: &'a Object,
    prefix: &str,
    ft: Option<&[u8]>,
    value: &'a Object,
    index: usize,
    depth: usize,
    seen: &mut HashSet<ObjectId>,
    out: &mut Vec<Field<'a>>,
) {
    let Some((id, dict)) = enter(doc, node, depth, out.len() >= MAX_FIELDS, seen) else {
        return;
    };
    let partial = match dict_get(doc, dict, b"T") {
        Object::String(s, _) => Some(paint::text_string(s)),
        _ => None,
    };
    let name = match (&partial, prefix.is_empty()) {
        (Some(p), true) => p.clone(),
        (Some(p), false) => format!("{prefix}.{p}"),
        (None, _) => prefix.to_string(),
    };
    let ft = dict
        .get(b"FT")
        .and_then(Object::as_name)
        .ok()
        .or(ft)
        .map(<[u8]>::to_vec);
    let value = dict.get(b"V").unwrap_or(value);
    // Kids that carry a /T are fields; kids without are widgets of this one.
    let kids: Vec<&Object> = match dict_get(doc, dict, b"Kids") {
        Object::Array(k) => k.iter().collect(),
        _ => Vec::new(),
    };
    let field_kids: Vec<&Object> = kids
        .iter()
        .copied()
        .filter(|k| {
            resolve(doc, k)
                .as_dict()
                .map(|d| d.has(b"T"))
                .unwrap_or(false)
        })
        .collect();
    if field_kids.is_empty() {
        let name = if name.is_empty() {
            format!("(unnamed field {index})")
        } else {
            name
        };
        out.push(Field {
            name,
            id,
            dict,
            ft,
            value,
        });
        return;
    }
    for (i, k) in field_kids.into_iter().enumerate() {
        walk_field(doc, k, &name, ft.as_deref(), value, i, depth + 1, seen, out);
    }
}

/// Every object reachable from `start`, following references (bounded).
pub fn reachable(doc: &Document, start: &[&Object]) -> HashSet<ObjectId> {
    let mut seen = HashSet::new();
    let mut stack: Vec<&Object> = start.to_vec();
    let mut visits = 0usize;
    while let Some(o) = stack.pop() {
        visits += 1;
        if visits > limits::MAX_OBJECTS * 4 {
            break;
        }
        match o {
            Object::Reference(id) if seen.insert(*id) => {
                if let Some(t) = doc.objects.get(id) {
                    stack.push(t);
                }
            }
            Object::Array(a) => stack.extend(a.iter()),
            Object::Dictionary(d) => stack.extend(d.iter().map(|(_, v)| v)),
            Object::Stream(s) => stack.extend(s.dict.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    seen
}
