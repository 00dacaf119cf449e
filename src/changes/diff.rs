//! The object-graph difference between the signed revision and the final
//! document, walked from the catalog: pages, content, resources,
//! annotations, form fields, optional content, actions, names, metadata.
//!
//! Objects are compared by value, resolved through references, because a
//! writer may renumber objects; the comparison is cycle-safe (pairs under
//! comparison are assumed equal, as in a bisimulation) and bounded in depth
//! and in work. Running out of budget counts as "different": fail closed.

use std::collections::{BTreeSet, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};

pub use super::compare::{dict_keys, Comparer};
pub use super::graph::{
    annotations, catalog, fields, pages, reachable, Annot, Field, Page, INHERITABLE, MAX_PAGES,
};
use super::paint::{self, dict_get, resolve};
use crate::pdf::limits;

/// Most annotation pairs tried when looking for a renumbered twin; beyond
/// it, unmatched annotations count as added (fail closed).
const MAX_TWIN_PAIRS: usize = 250_000;
/// Most differences listed; a document changed beyond that is a
/// modification whatever the rest are.
pub const MAX_DIFFERENCES: usize = 500;

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
    /// The xref written after signing does not lead to the pages as
    /// written: viewers differ in how they repair it.
    XrefDamaged,
    /// An object that was in the signed bytes but unused is now used.
    HiddenContentShown,
    /// A form field painted over by another annotation when signed is no
    /// longer covered (form over form).
    FieldRevealed,
    /// Page text (not a form field) painted over by an annotation when
    /// signed is no longer covered.
    PageTextRevealed,
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
            Kind::XrefDamaged => "xref_damaged",
            Kind::HiddenContentShown => "hidden_content_shown",
            Kind::FieldRevealed => "form_field_revealed",
            Kind::PageTextRevealed => "page_text_revealed",
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

/// Whether an annotation is never drawn on screen (Hidden or NoView flag).
fn hidden(doc: &Document, annot: &Dictionary) -> bool {
    let flags = dict_get(doc, annot, b"F").as_i64().unwrap_or(0);
    flags & 2 != 0 || flags & 32 != 0
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
                // The object that holds the change, where it is its own
                // object, tells which revision made it.
                let holder = y.as_reference().ok().or(cat_id);
                out.push(catalog_difference(&key, x, y, shown).object(holder));
            }
        }
    }
    if out.len() > MAX_DIFFERENCES {
        let more = out.len() - MAX_DIFFERENCES;
        out.truncate(MAX_DIFFERENCES);
        out.push(Difference::new(
            Kind::CatalogChanged,
            format!("{more} more changes were found and not listed."),
        ));
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
    // Walk actions and name trees, not the pages a destination points to
    // (or every script anywhere in the document would count).
    let mut seen = HashSet::new();
    let mut stack: Vec<(&Object, usize)> = vec![(o, 0)];
    let mut visits = 0usize;
    while let Some((o, depth)) = stack.pop() {
        visits += 1;
        if visits > 100_000 || depth > limits::MAX_DEPTH {
            // Too deep to tell: say so, which fails closed.
            return true;
        }
        let o = match o {
            Object::Reference(id) => {
                if !seen.insert(*id) {
                    continue;
                }
                match doc.objects.get(id) {
                    Some(t) => t,
                    None => continue,
                }
            }
            other => other,
        };
        let d = match o {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &s.dict,
            Object::Array(a) => {
                stack.extend(a.iter().map(|x| (x, depth + 1)));
                continue;
            }
            _ => continue,
        };
        if d.get(b"S").and_then(Object::as_name).ok() == Some(b"JavaScript")
            || d.has(b"JS")
            || d.has(b"JavaScript")
        {
            return true;
        }
        if matches!(
            d.get(b"Type").and_then(Object::as_name).ok(),
            Some(b"Page") | Some(b"Pages")
        ) {
            continue;
        }
        for (k, v) in d.iter() {
            if !matches!(k.as_slice(), b"P" | b"Parent" | b"D") {
                stack.push((v, depth + 1));
            }
        }
    }
    false
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
    if pa.len() >= MAX_PAGES || pb.len() >= MAX_PAGES {
        // Pages past the limit are not compared: fail closed.
        out.push(Difference::new(
            Kind::PageChanged,
            format!(
                "The document has more than {MAX_PAGES} pages; pages past that were not compared."
            ),
        ));
    }
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
            if !cmp.equal_dicts(an.dict, bn.dict, &ANNOT_SKIP) {
                let revealed = hidden(cmp.a, an.dict) && !hidden(cmp.b, bn.dict);
                let sentence = if revealed {
                    format!(
                        "On page {n}, {} that was hidden when signed was made visible.",
                        describe_annotation(cmp.b, bn)
                    )
                } else {
                    format!(
                        "On page {n}, {} was changed after signing.",
                        describe_annotation(cmp.b, bn)
                    )
                };
                let mut d = Difference::new(Kind::AnnotationChanged, sentence)
                    .page(n)
                    .object(bn.id);
                if revealed {
                    d = d.key("revealed");
                }
                out.push(d);
            }
            continue;
        }
        // Otherwise an equal annotation under another number (renumbered).
        if la.len().saturating_mul(lb.len()) > MAX_TWIN_PAIRS {
            unmatched_b.push(*bn);
            continue;
        }
        let twin = la.iter().enumerate().find(|(i, an)| {
            !used_a.get(*i).copied().unwrap_or(true)
                && annotation_subtype(an) == annotation_subtype(bn)
                && cmp.equal_dicts(an.dict, bn.dict, &ANNOT_SKIP)
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
        if !cmp.equal_dicts(a.dict, b.dict, &FIELD_SKIP) {
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
