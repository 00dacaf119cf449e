//! Benign-change rules: each explains one kind of change that does not
//! alter what the document shows. A [`Policy`] composes them; a difference
//! no rule explains is a modification (fail closed).

pub mod doc_timestamp;
pub mod dss;
pub mod extensions;
pub mod later_signature;
pub mod metadata;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::diff::{self, Difference};
use super::paint::{self, dict_get, resolve};
use crate::report::Code;

/// What DocMDP level a benign change needs (ISO 32000 12.8.2.2; PAdES).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Validation data, document timestamps, metadata: allowed even when a
    /// certification forbids all changes (P=1), as pyHanko and PAdES do.
    Maintenance,
    /// Adding or filling signature fields: needs P=2 or P=3.
    Signing,
}

/// Why a difference is benign.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The `kind` the change is listed under (e.g. `signature_added`).
    pub kind: &'static str,
    pub description: String,
    /// The info reason this change earns (benign_update or metadata_changed).
    pub reason: Code,
    pub level: Level,
    /// The name of the rule that allowed the change (filled in by the
    /// policy, so that no rule can claim another's name).
    pub allowed_by: &'static str,
}

/// What the rules may look at.
pub struct Context<'a> {
    pub signed: &'a Document,
    pub shown: &'a Document,
    pub differences: &'a [Difference],
}

/// One benign-change rule.
pub trait Rule {
    fn name(&self) -> &'static str;
    /// `Some` when this rule explains the difference as benign.
    fn explain(&self, d: &Difference, ctx: &Context<'_>) -> Option<Explanation>;
}

/// The rules in force, tried in order.
pub struct Policy {
    rules: Vec<Box<dyn Rule>>,
}

impl Policy {
    /// The explicit list of accepted changes: later signatures, document
    /// timestamps, validation data (DSS) and the extensions declared with
    /// it, document metadata.
    pub fn standard() -> Self {
        Policy {
            rules: vec![
                Box::new(later_signature::LaterSignature),
                Box::new(doc_timestamp::DocTimestamp),
                Box::new(dss::Dss),
                Box::new(extensions::Extensions),
                Box::new(metadata::Metadata),
            ],
        }
    }

    pub fn explain(&self, d: &Difference, ctx: &Context<'_>) -> Option<Explanation> {
        self.rules.iter().find_map(|r| {
            r.explain(d, ctx).map(|mut e| {
                e.allowed_by = r.name();
                e
            })
        })
    }
}

/// What a signature field's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigValue {
    /// No value: an empty signature field.
    Empty,
    /// A signature dictionary (/Type /Sig, or a /ByteRange + /Contents).
    Signature,
    /// A document timestamp (/Type /DocTimeStamp or /SubFilter /ETSI.RFC3161).
    DocTimeStamp,
    /// Anything else.
    Other,
}

pub fn sig_value(doc: &Document, v: &Object) -> SigValue {
    let d = match resolve(doc, v) {
        Object::Null => return SigValue::Empty,
        Object::Dictionary(d) => d,
        _ => return SigValue::Other,
    };
    let ty = d.get(b"Type").and_then(Object::as_name).ok();
    let sub = d.get(b"SubFilter").and_then(Object::as_name).ok();
    if ty == Some(b"DocTimeStamp") || sub == Some(b"ETSI.RFC3161") {
        return SigValue::DocTimeStamp;
    }
    // A signature value holds only signature data; anything that could be
    // shown (an appearance, a page) is not a signature value.
    if d.has(b"AP") || d.has(b"Contents") && !matches!(d.get(b"Contents"), Ok(Object::String(..))) {
        return SigValue::Other;
    }
    if ty == Some(b"Sig") || (ty.is_none() && d.has(b"ByteRange") && d.has(b"Contents")) {
        return SigValue::Signature;
    }
    SigValue::Other
}

/// The signature field a widget belongs to: itself when merged, else its
/// /Parent; with the field's type and value.
pub struct SigField<'a> {
    pub id: Option<ObjectId>,
    pub dict: &'a Dictionary,
    pub value: SigValue,
}

pub fn field_of_widget<'a>(
    doc: &'a Document,
    widget: &'a Dictionary,
    id: Option<ObjectId>,
) -> Option<SigField<'a>> {
    let (fid, field) = if widget.has(b"FT") || widget.has(b"T") {
        (id, widget)
    } else {
        let parent = widget.get(b"Parent").ok()?;
        (
            parent.as_reference().ok(),
            resolve(doc, parent).as_dict().ok()?,
        )
    };
    if field.get(b"FT").and_then(Object::as_name).ok() != Some(b"Sig") {
        return None;
    }
    let value = sig_value(doc, field.get(b"V").unwrap_or(&Object::Null));
    Some(SigField {
        id: fid,
        dict: field,
        value,
    })
}

/// The widgets of a field: itself when it is a widget, else its kids.
pub fn widgets_of<'a>(doc: &'a Document, field: &'a Dictionary) -> Vec<&'a Dictionary> {
    let mut out = Vec::new();
    if field.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Widget") || field.has(b"Rect")
    {
        out.push(field);
    }
    if let Object::Array(kids) = dict_get(doc, field, b"Kids") {
        for k in kids.iter().take(1000) {
            if let Ok(d) = resolve(doc, k).as_dict() {
                if !d.has(b"T") {
                    out.push(d);
                }
            }
        }
    }
    out
}

/// Largest share of the page a new signature appearance may take.
const MAX_WIDGET_SHARE: f64 = 0.25;

/// Whether a widget added (or given an appearance) after signing leaves
/// the page as it was: invisible, empty, or small and clear of the page's
/// text. `Ok` carries a note for the clerk; `Err` says why it is not benign
/// (a sneaky-signature or evil-annotation overlay).
pub fn widget_is_harmless(doc: &Document, widget: &Dictionary) -> Result<String, String> {
    let flags = dict_get(doc, widget, b"F").as_i64().unwrap_or(0);
    // Hidden (2) or NoView (32): never drawn on screen.
    if flags & 2 != 0 || flags & 32 != 0 {
        return Ok("it is hidden".into());
    }
    let Some(r) = paint::rect(doc, widget, b"Rect") else {
        return Ok("it has no area".into());
    };
    let (w, h) = (r[2] - r[0], r[3] - r[1]);
    if w <= 0.0 || h <= 0.0 || w * h < 1.0 {
        return Ok("it has no area".into());
    }
    let appearance = paint::normal_appearance(doc, widget);
    let paints = match appearance {
        None => false,
        Some(s) => match paint::stream_bytes(s) {
            Some(bytes) => paint::paints_anything(&bytes),
            None => true,
        },
    };
    if !paints {
        return Ok("its appearance is empty".into());
    }
    let page = widget
        .get(b"P")
        .ok()
        .and_then(|p| resolve(doc, p).as_dict().ok());
    let pages = diff::pages(doc);
    let page = match page {
        Some(p) => pages.iter().find(|pg| std::ptr::eq(pg.dict, p)),
        None => pages.iter().find(|pg| {
            diff::annotations(doc, pg)
                .iter()
                .any(|a| std::ptr::eq(a.dict, widget))
        }),
    };
    let Some(page) = page else {
        return Err("it is drawn, and the page it sits on cannot be found".into());
    };
    let mut boxed = Dictionary::new();
    boxed.set("MediaBox", page.get(b"MediaBox").clone());
    let media = paint::rect(doc, &boxed, b"MediaBox").unwrap_or([0.0, 0.0, 612.0, 792.0]);
    let page_area = ((media[2] - media[0]) * (media[3] - media[1])).max(1.0);
    if w * h > page_area * MAX_WIDGET_SHARE {
        return Err(format!(
            "its appearance covers {:.0}% of the page",
            100.0 * w * h / page_area
        ));
    }
    let content = paint::page_content(doc, page.get(b"Contents"));
    let marks = paint::page_marks(doc, &content, page.get(b"Resources"));
    let (text, images) = marks.covered_by(r);
    if text > 0 {
        return Err(format!(
            "its appearance is drawn over printed text of the page ({text} text runs)"
        ));
    }
    if images > 0 {
        return Err(format!(
            "its appearance is drawn over {images} picture(s) of the page (a seal or QR code)"
        ));
    }
    Ok("its appearance is small and clear of the page text and pictures".into())
}

/// The object a difference names, as a dictionary of the final document.
pub fn shown_dict<'a>(ctx: &Context<'a>, d: &Difference) -> Option<&'a Dictionary> {
    let id = d.object?;
    match ctx.shown.objects.get(&id)? {
        Object::Dictionary(dict) => Some(dict),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// The field of the final document named by a field difference.
pub fn shown_field<'a>(
    ctx: &Context<'a>,
    d: &Difference,
) -> Option<(Option<ObjectId>, &'a Dictionary, Object)> {
    let name = d.key.as_deref()?;
    diff::fields(ctx.shown)
        .into_iter()
        .find(|f| f.name == name)
        .map(|f| (f.id, f.dict, f.value.clone()))
}

/// The value a field had in the signed revision (`None`: no such field).
pub fn signed_field_value(ctx: &Context<'_>, name: &str) -> Option<SigValue> {
    diff::fields(ctx.signed)
        .into_iter()
        .find(|f| f.name == name)
        .map(|f| sig_value(ctx.signed, f.value))
}

/// Shared logic of the signature and timestamp rules: explains the
/// differences a new (or newly filled) signature field of `want` makes.
pub fn explain_signature_change(
    d: &Difference,
    ctx: &Context<'_>,
    want: SigValue,
    noun: &str,
) -> Option<(String, &'static str)> {
    use super::diff::Kind;
    match d.kind {
        Kind::FieldAdded => {
            let (_, dict, value) = shown_field(ctx, d)?;
            if dict.get(b"FT").and_then(Object::as_name).ok() != Some(b"Sig")
                && !inherits_sig(ctx.shown, dict)
            {
                return None;
            }
            let v = sig_value(ctx.shown, &value);
            if v != want && !(v == SigValue::Empty && want == SigValue::Signature) {
                return None;
            }
            let mut notes = Vec::new();
            for w in widgets_of(ctx.shown, dict) {
                notes.push(widget_is_harmless(ctx.shown, w).ok()?);
            }
            let name = d.key.clone().unwrap_or_default();
            let what = if v == SigValue::Empty {
                format!("An empty signature field “{name}” was added")
            } else {
                format!("A {noun} “{name}” was added")
            };
            let note = notes
                .first()
                .map(|n| format!("; its widget is benign: {n}"))
                .unwrap_or_default();
            Some((
                format!("{what}{note}."),
                if v == SigValue::Empty {
                    "signature_field_added"
                } else {
                    kind_for(want)
                },
            ))
        }
        Kind::FormValue => {
            // Signing a field that was empty when the document was signed.
            let name = d.key.as_deref()?;
            if signed_field_value(ctx, name)? != SigValue::Empty {
                return None;
            }
            let (_, dict, value) = shown_field(ctx, d)?;
            if sig_value(ctx.shown, &value) != want {
                return None;
            }
            for w in widgets_of(ctx.shown, dict) {
                widget_is_harmless(ctx.shown, w).ok()?;
            }
            Some((
                format!("The empty signature field “{name}” was signed ({noun})."),
                kind_for(want),
            ))
        }
        Kind::AnnotationAdded | Kind::AnnotationChanged => {
            let widget = shown_dict(ctx, d)?;
            if widget.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Widget") {
                return None;
            }
            let field = field_of_widget(ctx.shown, widget, d.object)?;
            if field.value != want
                && !(field.value == SigValue::Empty && want == SigValue::Signature)
            {
                return None;
            }
            // The widget must belong to a field that is new, or that was
            // empty when the document was signed and is now signed.
            let fresh = ctx.differences.iter().any(|x| {
                matches!(x.kind, Kind::FieldAdded | Kind::FormValue)
                    && x.object.is_some()
                    && x.object == field.id
            });
            if !fresh {
                return None;
            }
            let note = widget_is_harmless(ctx.shown, widget).ok()?;
            let page = d.page.map(|p| format!(" on page {p}")).unwrap_or_default();
            Some((
                format!("The widget of a {noun}{page} was added; it is benign: {note}."),
                kind_for(want),
            ))
        }
        _ => None,
    }
}

fn inherits_sig(doc: &Document, dict: &Dictionary) -> bool {
    let mut cur = dict;
    for _ in 0..crate::pdf::limits::MAX_DEPTH {
        if cur.get(b"FT").and_then(Object::as_name).ok() == Some(b"Sig") {
            return true;
        }
        match cur.get(b"Parent").ok().map(|p| resolve(doc, p)) {
            Some(Object::Dictionary(p)) => cur = p,
            _ => return false,
        }
    }
    false
}

fn kind_for(v: SigValue) -> &'static str {
    match v {
        SigValue::DocTimeStamp => "document_timestamp_added",
        _ => "signature_added",
    }
}
