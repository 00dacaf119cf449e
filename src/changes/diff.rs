//! The object-graph difference between the signed revision and the final
//! document, walked from the catalog: pages, content, resources,
//! annotations, form fields, optional content, actions, names, metadata.
//!
//! Objects are compared by value, resolved through references, because a
//! writer may renumber objects; the comparison is cycle-safe (pairs under
//! comparison are assumed equal, as in a bisimulation) and bounded in depth
//! and in work. Running out of budget counts as "different": fail closed.

use std::collections::{BTreeSet, HashMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::paint::{self, dict_get, resolve};
use crate::pdf::limits;

/// Most object visits one value comparison may make.
const COMPARE_BUDGET: usize = 200_000;
/// Most pages compared.
const MAX_PAGES: usize = 10_000;
/// Most form fields collected.
const MAX_FIELDS: usize = 10_000;

/// What kind of difference the walk found. The names are the `kind` of a
/// change in the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    PageAdded,
    PageRemoved,
    PageContent,
    /// A page attribute other than content, resources and annotations
    /// (MediaBox, Rotate, ...); the key is in `Difference::key`.
    PageChanged,
    /// A named resource (font, XObject, ExtGState, ...) now differs.
    ResourceReplaced,
    ResourceAdded,
    ResourceRemoved,
    AnnotationAdded,
    AnnotationRemoved,
    AnnotationChanged,
    FieldAdded,
    FieldRemoved,
    FormValue,
    FieldChanged,
    AcroFormChanged,
    OptionalContent,
    OpenAction,
    AdditionalActions,
    JavaScript,
    Names,
    Perms,
    Dss,
    Extensions,
    Version,
    InfoChanged,
    XmpChanged,
    CatalogChanged,
    TrailerChanged,
    /// A later xref entry points into the signed bytes at an object that is
    /// not the one the signed revision had under that number.
    XrefRedirect,
    /// An object that was in the signed bytes but unused is now used.
    HiddenContentShown,
}

impl Kind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::PageAdded => "page_added",
            Kind::PageRemoved => "page_removed",
            Kind::PageContent => "page_content",
            Kind::PageChanged => "page_changed",
            Kind::ResourceReplaced => "resource_replaced",
            Kind::ResourceAdded => "resource_added",
            Kind::ResourceRemoved => "resource_removed",
            Kind::AnnotationAdded => "annotation_added",
            Kind::AnnotationRemoved => "annotation_removed",
            Kind::AnnotationChanged => "annotation_changed",
            Kind::FieldAdded => "form_field_added",
            Kind::FieldRemoved => "form_field_removed",
            Kind::FormValue => "form_value",
            Kind::FieldChanged => "form_field_changed",
            Kind::AcroFormChanged => "acroform_changed",
            Kind::OptionalContent => "optional_content_changed",
            Kind::OpenAction => "open_action_changed",
            Kind::AdditionalActions => "actions_changed",
            Kind::JavaScript => "javascript_added",
            Kind::Names => "names_changed",
            Kind::Perms => "permissions_changed",
            Kind::Dss => "dss_changed",
            Kind::Extensions => "extensions_changed",
            Kind::Version => "version_changed",
            Kind::InfoChanged => "metadata_info",
            Kind::XmpChanged => "metadata_xmp",
            Kind::CatalogChanged => "catalog_changed",
            Kind::TrailerChanged => "trailer_changed",
            Kind::XrefRedirect => "xref_redirect",
            Kind::HiddenContentShown => "hidden_content_shown",
        }
    }
}

/// One difference between the signed revision and the final document.
#[derive(Debug, Clone)]
pub struct Difference {
    pub kind: Kind,
    /// 1-based page, where the difference is on a page.
    pub page: Option<usize>,
    /// The object concerned, in the final document (in the signed one for
    /// removals).
    pub object: Option<ObjectId>,
    /// The dictionary key, resource name or field name concerned.
    pub key: Option<String>,
    /// A plain sentence for the clerk.
    pub description: String,
}

impl Difference {
    pub(crate) fn new(kind: Kind, description: impl Into<String>) -> Self {
        Difference {
            kind,
            page: None,
            object: None,
            key: None,
            description: description.into(),
        }
    }
    pub(crate) fn page(mut self, page: usize) -> Self {
        self.page = Some(page);
        self
    }
    pub(crate) fn object(mut self, id: Option<ObjectId>) -> Self {
        self.object = id;
        self
    }
    pub(crate) fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }
}

pub(crate) fn name(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub(crate) fn id_str(id: ObjectId) -> String {
    format!("{} {}", id.0, id.1)
}

/// Value comparison of objects of two documents, through references.
pub struct Comparer<'a> {
    pub a: &'a Document,
    pub b: &'a Document,
    /// Page object → 1-based page number, per document: a reference to a
    /// page (a destination, a back-link) means "that page", and two such
    /// references are equal when they name the same page number, whatever
    /// was changed on the page (the page walk reports that).
    pages_a: HashMap<ObjectId, usize>,
    pages_b: HashMap<ObjectId, usize>,
}

struct CompareState {
    assumed: HashSet<(ObjectId, ObjectId)>,
    budget: usize,
}

impl<'a> Comparer<'a> {
    pub fn new(a: &'a Document, b: &'a Document) -> Self {
        let index = |d: &Document| -> HashMap<ObjectId, usize> {
            pages(d)
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.id.map(|id| (id, i + 1)))
                .collect()
        };
        Comparer {
            pages_a: index(a),
            pages_b: index(b),
            a,
            b,
        }
    }

    /// Whether `x` (in `a`) and `y` (in `b`) are the same value. Keys in
    /// `skip` are ignored in the top-level dictionaries only.
    pub fn equal(&self, x: &Object, y: &Object, skip: &[&[u8]]) -> bool {
        let mut st = CompareState {
            assumed: HashSet::new(),
            budget: COMPARE_BUDGET,
        };
        self.eq(x, y, skip, 0, &mut st)
    }

    fn eq(
        &self,
        x: &Object,
        y: &Object,
        skip: &[&[u8]],
        depth: usize,
        st: &mut CompareState,
    ) -> bool {
        if depth > limits::MAX_DEPTH || st.budget == 0 {
            return false;
        }
        st.budget -= 1;
        if let (Object::Reference(ra), Object::Reference(rb)) = (x, y) {
            match (self.pages_a.get(ra), self.pages_b.get(rb)) {
                (Some(pa), Some(pb)) => return pa == pb,
                (None, None) => {}
                _ => return false,
            }
            if !st.assumed.insert((*ra, *rb)) {
                return true;
            }
        }
        let x = resolve(self.a, x);
        let y = resolve(self.b, y);
        match (x, y) {
            (Object::Null, Object::Null) => true,
            (Object::Boolean(p), Object::Boolean(q)) => p == q,
            (Object::Integer(_) | Object::Real(_), Object::Integer(_) | Object::Real(_)) => {
                let p = number(x);
                let q = number(y);
                (p - q).abs() < 1e-6
            }
            (Object::Name(p), Object::Name(q)) => p == q,
            (Object::String(p, _), Object::String(q, _)) => p == q,
            (Object::Array(p), Object::Array(q)) => {
                p.len() == q.len()
                    && p.iter()
                        .zip(q.iter())
                        .all(|(i, j)| self.eq(i, j, &[], depth + 1, st))
            }
            (Object::Dictionary(p), Object::Dictionary(q)) => self.dict_eq(p, q, skip, depth, st),
            (Object::Stream(p), Object::Stream(q)) => {
                if p.content == q.content && self.dict_eq(&p.dict, &q.dict, &[b"Length"], depth, st)
                {
                    return true;
                }
                let (Some(dp), Some(dq)) = (paint::stream_bytes(p), paint::stream_bytes(q)) else {
                    return false;
                };
                dp == dq
                    && self.dict_eq(
                        &p.dict,
                        &q.dict,
                        &[b"Length", b"Filter", b"DecodeParms", b"DL"],
                        depth,
                        st,
                    )
            }
            _ => false,
        }
    }

    fn dict_eq(
        &self,
        p: &Dictionary,
        q: &Dictionary,
        skip: &[&[u8]],
        depth: usize,
        st: &mut CompareState,
    ) -> bool {
        let keys = dict_keys(p, q);
        keys.iter().all(|k| {
            if skip.contains(&k.as_slice()) {
                return true;
            }
            let x = p.get(k).unwrap_or(&Object::Null);
            let y = q.get(k).unwrap_or(&Object::Null);
            self.eq(x, y, &[], depth + 1, st)
        })
    }
}

fn number(o: &Object) -> f64 {
    match o {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => f64::from(*r),
        _ => 0.0,
    }
}

/// The keys of two dictionaries, in a stable order.
pub(crate) fn dict_keys(p: &Dictionary, q: &Dictionary) -> BTreeSet<Vec<u8>> {
    p.iter().chain(q.iter()).map(|(k, _)| k.clone()).collect()
}

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

const INHERITABLE: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

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
    if depth > limits::MAX_DEPTH || out.len() >= MAX_PAGES {
        return;
    }
    let id = node.as_reference().ok();
    if let Some(id) = id {
        if !seen.insert(id) {
            return;
        }
    }
    let Ok(dict) = resolve(doc, node).as_dict() else {
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

pub(crate) fn catalog(doc: &Document) -> Option<&Dictionary> {
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
    if depth > limits::MAX_DEPTH || out.len() >= MAX_FIELDS {
        return;
    }
    let id = node.as_reference().ok();
    if let Some(id) = id {
        if !seen.insert(id) {
            return;
        }
    }
    let Ok(dict) = resolve(doc, node).as_dict() else {
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

/// A short description of an annotation: its subtype, where it is, and
/// the text it carries or paints.
pub fn describe_annotation(doc: &Document, a: &Annot<'_>) -> String {
    let subtype = a
        .dict
        .get(b"Subtype")
        .and_then(Object::as_name)
        .map(name)
        .unwrap_or_else(|_| "unknown".into());
    let mut s = format!("a {subtype} annotation");
    if let Some(r) = paint::rect(doc, a.dict, b"Rect") {
        s.push_str(&format!(
            " at [{:.0} {:.0} {:.0} {:.0}]",
            r[0], r[1], r[2], r[3]
        ));
    }
    let contents = match dict_get(doc, a.dict, b"Contents") {
        Object::String(b, _) => paint::text_string(b).trim().to_string(),
        _ => String::new(),
    };
    let painted = paint::normal_appearance(doc, a.dict)
        .map(|ap| paint::painted_text(doc, ap))
        .unwrap_or_default();
    if !painted.is_empty() {
        s.push_str(&format!(" that paints the text “{painted}”"));
        if !contents.is_empty() && contents != painted {
            s.push_str(&format!(" (its text: “{contents}”)"));
        }
    } else if !contents.is_empty() {
        s.push_str(&format!(" with the text “{contents}”"));
    }
    s
}

fn annotation_subtype(a: &Annot<'_>) -> Vec<u8> {
    a.dict
        .get(b"Subtype")
        .and_then(Object::as_name)
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

/// Keys of an annotation that are not part of what it is: back-links, and
/// field data that the form comparison covers.
const ANNOT_SKIP: [&[u8]; 4] = [b"P", b"Parent", b"V", b"M"];
/// Keys of a field that belong to its widget or to the tree.
const FIELD_SKIP: [&[u8]; 10] = [
    b"Kids", b"Parent", b"P", b"V", b"AP", b"AS", b"Rect", b"MK", b"F", b"M",
];

/// Walks both documents and lists every difference.
pub fn diff(signed: &Document, shown: &Document) -> Vec<Difference> {
    let cmp = Comparer::new(signed, shown);
    let mut out = Vec::new();
    diff_trailer(&cmp, &mut out);
    let (Some(cat_a), Some(cat_b)) = (catalog(signed), catalog(shown)) else {
        out.push(Difference::new(
            Kind::CatalogChanged,
            "The document catalog (the root of the document) cannot be read in one of the versions.",
        ));
        return out;
    };
    let cat_id = shown
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .ok();
    for key in dict_keys(cat_a, cat_b) {
        let x = cat_a.get(&key).unwrap_or(&Object::Null);
        let y = cat_b.get(&key).unwrap_or(&Object::Null);
        match key.as_slice() {
            b"Pages" => diff_pages(&cmp, &mut out),
            b"AcroForm" => diff_form(&cmp, x, y, &mut out),
            b"Type" => {}
            _ => {
                if cmp.equal(x, y, &[]) {
                    continue;
                }
                out.push(catalog_difference(&key, x, y, shown).object(cat_id));
            }
        }
    }
    out
}

fn presence(x: &Object, y: &Object) -> &'static str {
    match (x, y) {
        (Object::Null, _) => "added",
        (_, Object::Null) => "removed",
        _ => "changed",
    }
}

fn catalog_difference(key: &[u8], x: &Object, y: &Object, shown: &Document) -> Difference {
    let how = presence(x, y);
    let k = name(key);
    let (kind, sentence) = match key {
        b"DSS" => (
            Kind::Dss,
            format!("Signature validation data (/DSS) was {how}."),
        ),
        b"Metadata" => (
            Kind::XmpChanged,
            format!("The XMP metadata stream was {how}."),
        ),
        b"Extensions" => (
            Kind::Extensions,
            format!("The declared PDF extensions were {how}."),
        ),
        b"Version" => (
            Kind::Version,
            format!("The declared PDF version was {how}."),
        ),
        b"Perms" => (
            Kind::Perms,
            format!("The document's permissions (/Perms, certification) were {how}."),
        ),
        b"OCProperties" => (
            Kind::OptionalContent,
            format!("The optional content settings (layers shown or hidden) were {how}."),
        ),
        b"OpenAction" if contains_javascript(shown, y) => (
            Kind::JavaScript,
            "JavaScript was added to run when the document opens.".to_string(),
        ),
        b"OpenAction" => (
            Kind::OpenAction,
            format!("The action run when the document opens was {how}."),
        ),
        b"AA" if contains_javascript(shown, y) => (
            Kind::JavaScript,
            "JavaScript was added to the document's actions.".to_string(),
        ),
        b"AA" => (
            Kind::AdditionalActions,
            format!("The document's automatic actions were {how}."),
        ),
        b"Names" if contains_javascript(shown, y) => (
            Kind::JavaScript,
            "JavaScript was added to the document's names.".to_string(),
        ),
        b"Names" => (
            Kind::Names,
            format!("The document's name tree (embedded files, destinations, scripts) was {how}."),
        ),
        _ => (
            Kind::CatalogChanged,
            format!("The document catalog entry /{k} was {how}."),
        ),
    };
    Difference::new(kind, sentence).key(k)
}

/// Whether an action tree holds JavaScript (bounded walk).
pub(crate) fn contains_javascript(doc: &Document, o: &Object) -> bool {
    let start = [o];
    let ids = reachable(doc, &start);
    let mut objs: Vec<&Object> = ids.iter().filter_map(|id| doc.objects.get(id)).collect();
    objs.push(o);
    objs.iter().any(|o| {
        let d = match o {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &s.dict,
            _ => return false,
        };
        d.get(b"S").and_then(Object::as_name).ok() == Some(b"JavaScript")
            || d.has(b"JS")
            || d.has(b"JavaScript")
    })
}

fn diff_trailer(cmp: &Comparer<'_>, out: &mut Vec<Difference>) {
    let (ta, tb) = (&cmp.a.trailer, &cmp.b.trailer);
    for key in dict_keys(ta, tb) {
        let x = ta.get(&key).unwrap_or(&Object::Null);
        let y = tb.get(&key).unwrap_or(&Object::Null);
        match key.as_slice() {
            // Bookkeeping every save rewrites, and the root walked apart.
            b"Root" | b"Size" | b"Prev" | b"ID" | b"XRefStm" | b"Type" | b"Length" | b"Filter"
            | b"DecodeParms" | b"W" | b"Index" => {}
            b"Info" => {
                if !cmp.equal(x, y, &[]) {
                    out.push(
                        Difference::new(
                            Kind::InfoChanged,
                            format!(
                                "The document information (title, author, dates) was {}.",
                                presence(x, y)
                            ),
                        )
                        .object(y.as_reference().ok())
                        .key("Info"),
                    );
                }
            }
            _ => {
                if !cmp.equal(x, y, &[]) {
                    let k = name(&key);
                    out.push(
                        Difference::new(
                            Kind::TrailerChanged,
                            format!("The file trailer entry /{k} was {}.", presence(x, y)),
                        )
                        .key(k),
                    );
                }
            }
        }
    }
}

fn diff_pages(cmp: &Comparer<'_>, out: &mut Vec<Difference>) {
    let pa = pages(cmp.a);
    let pb = pages(cmp.b);
    for (i, (a, b)) in pa.iter().zip(pb.iter()).enumerate() {
        diff_page(cmp, i + 1, a, b, out);
    }
    for (i, b) in pb.iter().enumerate().skip(pa.len()) {
        out.push(
            Difference::new(
                Kind::PageAdded,
                format!("Page {} was added after signing.", i + 1),
            )
            .page(i + 1)
            .object(b.id),
        );
    }
    for (i, a) in pa.iter().enumerate().skip(pb.len()) {
        out.push(
            Difference::new(
                Kind::PageRemoved,
                format!("Page {} of the signed document was removed.", i + 1),
            )
            .page(i + 1)
            .object(a.id),
        );
    }
}

fn diff_page(cmp: &Comparer<'_>, n: usize, a: &Page<'_>, b: &Page<'_>, out: &mut Vec<Difference>) {
    let mut keys: BTreeSet<Vec<u8>> = dict_keys(a.dict, b.dict);
    for k in INHERITABLE {
        keys.insert(k.to_vec());
    }
    for key in keys {
        match key.as_slice() {
            b"Parent" | b"Type" | b"Annots" => {}
            b"Contents" => {
                let ca = paint::page_content(cmp.a, a.get(b"Contents"));
                let cb = paint::page_content(cmp.b, b.get(b"Contents"));
                if ca != cb {
                    let obj = b.get(b"Contents").as_reference().ok().or(b.id);
                    out.push(
                        Difference::new(
                            Kind::PageContent,
                            format!(
                                "The content of page {n} (what is printed on it) was replaced after signing."
                            ),
                        )
                        .page(n)
                        .object(obj),
                    );
                }
            }
            b"Resources" => diff_resources(cmp, n, a, b, out),
            _ => {
                let x = a.get(&key);
                let y = b.get(&key);
                if !cmp.equal(x, y, &[]) {
                    let k = name(&key);
                    out.push(
                        Difference::new(
                            Kind::PageChanged,
                            format!("The page setting /{k} of page {n} was {}.", presence(x, y)),
                        )
                        .page(n)
                        .object(b.id)
                        .key(k),
                    );
                }
            }
        }
    }
    diff_annotations(cmp, n, a, b, out);
}

fn diff_resources(
    cmp: &Comparer<'_>,
    n: usize,
    a: &Page<'_>,
    b: &Page<'_>,
    out: &mut Vec<Difference>,
) {
    let ra = resolve(cmp.a, a.get(b"Resources"));
    let rb = resolve(cmp.b, b.get(b"Resources"));
    let empty = Dictionary::new();
    let da = ra.as_dict().unwrap_or(&empty);
    let db = rb.as_dict().unwrap_or(&empty);
    let res_id = b.get(b"Resources").as_reference().ok().or(b.id);
    for cat in dict_keys(da, db) {
        let x = da.get(&cat).unwrap_or(&Object::Null);
        let y = db.get(&cat).unwrap_or(&Object::Null);
        if cmp.equal(x, y, &[]) {
            continue;
        }
        let cat_name = name(&cat);
        let (Ok(ca), Ok(cb)) = (resolve(cmp.a, x).as_dict(), resolve(cmp.b, y).as_dict()) else {
            // ProcSet, or a category added or removed as a whole.
            let kind = match (x, y) {
                (Object::Null, _) => Kind::ResourceAdded,
                (_, Object::Null) => Kind::ResourceRemoved,
                _ => Kind::ResourceReplaced,
            };
            out.push(
                Difference::new(
                    kind,
                    format!(
                        "The {} resources of page {n} were {}.",
                        resource_label(&cat),
                        presence(x, y)
                    ),
                )
                .page(n)
                .object(res_id)
                .key(cat_name),
            );
            continue;
        };
        for res in dict_keys(ca, cb) {
            let x = ca.get(&res).unwrap_or(&Object::Null);
            let y = cb.get(&res).unwrap_or(&Object::Null);
            if cmp.equal(x, y, &[]) {
                continue;
            }
            let kind = match (x, y) {
                (Object::Null, _) => Kind::ResourceAdded,
                (_, Object::Null) => Kind::ResourceRemoved,
                _ => Kind::ResourceReplaced,
            };
            let label = resource_label(&cat);
            let r = name(&res);
            let sentence = match kind {
                Kind::ResourceAdded => format!("A {label} /{r} was added to page {n}."),
                Kind::ResourceRemoved => format!("The {label} /{r} was removed from page {n}."),
                _ => format!(
                    "The {label} /{r} used by page {n} was swapped for a different one after signing."
                ),
            };
            out.push(
                Difference::new(kind, sentence)
                    .page(n)
                    .object(y.as_reference().ok().or(res_id))
                    .key(format!("{cat_name}/{r}")),
            );
        }
    }
}

fn resource_label(cat: &[u8]) -> &'static str {
    match cat {
        b"Font" => "font",
        b"XObject" => "image or form object",
        b"ExtGState" => "graphics state",
        b"ColorSpace" => "colour space",
        b"Pattern" => "pattern",
        b"Shading" => "shading",
        b"Properties" => "marked-content property",
        _ => "resource",
    }
}

fn diff_annotations(
    cmp: &Comparer<'_>,
    n: usize,
    a: &Page<'_>,
    b: &Page<'_>,
    out: &mut Vec<Difference>,
) {
    let la = annotations(cmp.a, a);
    let lb = annotations(cmp.b, b);
    let mut used_a = vec![false; la.len()];
    let mut unmatched_b = Vec::new();
    for bn in &lb {
        // Same object number first: an edited annotation keeps its number.
        let same_id = bn.id.and_then(|id| {
            la.iter()
                .enumerate()
                .find(|(i, an)| an.id == Some(id) && !used_a.get(*i).copied().unwrap_or(true))
        });
        if let Some((i, an)) = same_id {
            if let Some(u) = used_a.get_mut(i) {
                *u = true;
            }
            if !cmp.equal(
                &Object::Dictionary(an.dict.clone()),
                &Object::Dictionary(bn.dict.clone()),
                &ANNOT_SKIP,
            ) {
                out.push(
                    Difference::new(
                        Kind::AnnotationChanged,
                        format!(
                            "On page {n}, {} was changed after signing.",
                            describe_annotation(cmp.b, bn)
                        ),
                    )
                    .page(n)
                    .object(bn.id),
                );
            }
            continue;
        }
        // Otherwise an equal annotation under another number (renumbered).
        let twin = la.iter().enumerate().find(|(i, an)| {
            !used_a.get(*i).copied().unwrap_or(true)
                && annotation_subtype(an) == annotation_subtype(bn)
                && cmp.equal(
                    &Object::Dictionary(an.dict.clone()),
                    &Object::Dictionary(bn.dict.clone()),
                    &ANNOT_SKIP,
                )
        });
        match twin {
            Some((i, _)) => {
                if let Some(u) = used_a.get_mut(i) {
                    *u = true;
                }
            }
            None => unmatched_b.push(*bn),
        }
    }
    for bn in unmatched_b {
        out.push(
            Difference::new(
                Kind::AnnotationAdded,
                format!(
                    "On page {n}, {} was added after signing.",
                    describe_annotation(cmp.b, &bn)
                ),
            )
            .page(n)
            .object(bn.id),
        );
    }
    for (an, used) in la.iter().zip(used_a) {
        if !used {
            out.push(
                Difference::new(
                    Kind::AnnotationRemoved,
                    format!(
                        "On page {n}, {} of the signed document was removed.",
                        describe_annotation(cmp.a, an)
                    ),
                )
                .page(n)
                .object(an.id),
            );
        }
    }
}

fn describe_value(doc: &Document, v: &Object) -> String {
    match resolve(doc, v) {
        Object::Null => "empty".into(),
        Object::String(s, _) => format!("“{}”", paint::text_string(s)),
        Object::Name(n) => format!("/{}", name(n)),
        Object::Dictionary(d) | Object::Stream(lopdf::Stream { dict: d, .. }) => {
            match d.get(b"Type").and_then(Object::as_name) {
                Ok(t) => format!("a /{} dictionary", name(t)),
                Err(_) => "a dictionary".into(),
            }
        }
        Object::Array(a) => format!("a list of {}", a.len()),
        Object::Integer(i) => i.to_string(),
        Object::Real(r) => r.to_string(),
        Object::Boolean(b) => b.to_string(),
        Object::Reference(_) => "a reference".into(),
    }
}

fn diff_form(cmp: &Comparer<'_>, x: &Object, y: &Object, out: &mut Vec<Difference>) {
    let empty = Dictionary::new();
    let fa = resolve(cmp.a, x).as_dict().unwrap_or(&empty);
    let fb = resolve(cmp.b, y).as_dict().unwrap_or(&empty);
    let form_id = y.as_reference().ok();
    for key in dict_keys(fa, fb) {
        if key.as_slice() == b"Fields" {
            continue;
        }
        let vx = fa.get(&key).unwrap_or(&Object::Null);
        let vy = fb.get(&key).unwrap_or(&Object::Null);
        if !cmp.equal(vx, vy, &[]) {
            let k = name(&key);
            out.push(
                Difference::new(
                    Kind::AcroFormChanged,
                    format!("The form setting /{k} was {}.", presence(vx, vy)),
                )
                .object(form_id)
                .key(k),
            );
        }
    }
    let la = fields(cmp.a);
    let lb = fields(cmp.b);
    for b in &lb {
        let Some(a) = la.iter().find(|a| a.name == b.name) else {
            out.push(
                Difference::new(
                    Kind::FieldAdded,
                    format!(
                        "A form field “{}”{} was added.",
                        b.name,
                        field_type_label(b.ft.as_deref())
                    ),
                )
                .object(b.id)
                .key(b.name.clone()),
            );
            continue;
        };
        if !cmp.equal(a.value, b.value, &[]) {
            out.push(
                Difference::new(
                    Kind::FormValue,
                    format!(
                        "The value of form field “{}” changed from {} to {}.",
                        b.name,
                        describe_value(cmp.a, a.value),
                        describe_value(cmp.b, b.value)
                    ),
                )
                .object(b.id)
                .key(b.name.clone()),
            );
        }
        if !cmp.equal(
            &Object::Dictionary(a.dict.clone()),
            &Object::Dictionary(b.dict.clone()),
            &FIELD_SKIP,
        ) {
            out.push(
                Difference::new(
                    Kind::FieldChanged,
                    format!("The form field “{}” was changed.", b.name),
                )
                .object(b.id)
                .key(b.name.clone()),
            );
        }
    }
    for a in &la {
        if !lb.iter().any(|b| b.name == a.name) {
            out.push(
                Difference::new(
                    Kind::FieldRemoved,
                    format!("The form field “{}” was removed.", a.name),
                )
                .object(a.id)
                .key(a.name.clone()),
            );
        }
    }
}

fn field_type_label(ft: Option<&[u8]>) -> &'static str {
    match ft {
        Some(b"Sig") => " (a signature field)",
        Some(b"Tx") => " (a text field)",
        Some(b"Btn") => " (a button)",
        Some(b"Ch") => " (a choice field)",
        _ => "",
    }
}
