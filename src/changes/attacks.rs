//! Names what the difference found after the published PDF-signature
//! attacks, and finds the two that the value diff alone cannot see:
//! xref entries re-pointed into the signed bytes (shadow hide-and-replace)
//! and objects hidden unused in the signed bytes that are now shown
//! (shadow hide). Also reads the certification (DocMDP) the signed
//! revision carries and says which changes it forbids.

use std::collections::{BTreeMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::xref::XrefEntry;
use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

use super::diff::{self, Difference, Kind};
use super::paint::{self, dict_get, resolve};
use super::rules::{Explanation, Level};

/// Most hidden-object findings listed (the first few tell the story).
const MAX_FINDINGS: usize = 20;

fn same_entry(a: &XrefEntry, b: &XrefEntry) -> bool {
    match (a, b) {
        (
            XrefEntry::Normal {
                offset: o1,
                generation: g1,
            },
            XrefEntry::Normal {
                offset: o2,
                generation: g2,
            },
        ) => o1 == o2 && g1 == g2,
        (
            XrefEntry::Compressed {
                container: c1,
                index: i1,
            },
            XrefEntry::Compressed {
                container: c2,
                index: i2,
            },
        ) => c1 == c2 && i1 == i2,
        (XrefEntry::Free, XrefEntry::Free) | (XrefEntry::UnusableFree, XrefEntry::UnusableFree) => {
            true
        }
        _ => false,
    }
}

/// The xref of a file as its sections chain say (following /Prev), not as
/// a recovery would rebuild it: what a viewer that trusts the xref reads.
/// Objects are not kept. `None` when the xref chain cannot be read.
pub type XrefMap = BTreeMap<u32, XrefEntry>;

pub fn raw_xref(bytes: &[u8]) -> Option<XrefMap> {
    fn keep_none(_: ObjectId, _: &mut Object) -> Option<(ObjectId, Object)> {
        None
    }
    let options = LoadOptions {
        filter: Some(keep_none),
        ..LoadOptions::default()
    };
    catch_unwind(AssertUnwindSafe(|| {
        Document::load_mem_with_options(bytes, options)
    }))
    .ok()?
    .ok()
    .map(|d| d.reference_table.entries)
}

/// Object numbers whose xref entry differs between two xrefs.
pub fn xref_delta(before: &XrefMap, after: &XrefMap) -> HashSet<u32> {
    after
        .iter()
        .filter(|(id, e)| before.get(id).is_none_or(|old| !same_entry(old, e)))
        .map(|(id, _)| *id)
        .collect()
}

/// Later xref entries that point into the signed bytes at something other
/// than what the signed revision had under that number: the update
/// re-uses signed bytes to change what an object is (shadow
/// hide-and-replace), without writing any new object a diff would flag as
/// added. `signed_end` is relative to the start of the PDF header, as
/// lopdf's offsets are.
pub fn xref_redirects(before: &XrefMap, after: &XrefMap, signed_end: usize) -> Vec<Difference> {
    let mut out = Vec::new();
    let in_signed = |e: Option<&XrefEntry>| match e {
        Some(XrefEntry::Normal { offset, .. }) => (*offset as usize) < signed_end,
        _ => false,
    };
    for (id, entry) in after {
        if before.get(id).is_some_and(|old| same_entry(old, entry)) {
            continue;
        }
        let into_signed = match entry {
            XrefEntry::Normal { offset, .. } => (*offset as usize) < signed_end,
            // An object now read from an object stream that was signed and
            // is itself unchanged.
            XrefEntry::Compressed { container, .. } => {
                let c_after = after.get(container);
                let c_before = before.get(container);
                in_signed(c_after)
                    && matches!((c_before, c_after), (Some(b), Some(a)) if same_entry(b, a))
            }
            _ => false,
        };
        if !into_signed {
            continue;
        }
        let what = match before.get(id) {
            None | Some(XrefEntry::Free) | Some(XrefEntry::UnusableFree) => {
                "an object number the signed version did not use"
            }
            _ => "an object the signed version had elsewhere",
        };
        out.push(
            Difference::new(
                Kind::XrefRedirect,
                format!(
                    "A later update re-points object {id} ({what}) to bytes inside the signed part of the file, so that signed bytes are read as a different object (shadow attack, hide-and-replace)."
                ),
            )
            .object(Some((*id, 0))),
        );
        if out.len() >= MAX_FINDINGS {
            break;
        }
    }
    out
}

/// Objects present, unchanged, in the signed revision but not used by it,
/// that the final document uses: content hidden in the signed file and
/// revealed by a small later update (shadow hide). Validation data (/DSS)
/// is not "shown" and is left out.
pub fn hidden_content_shown(signed: &Document, shown: &Document) -> Vec<Difference> {
    let mut out = Vec::new();
    let signed_roots: Vec<&Object> = signed.trailer.iter().map(|(_, v)| v).collect();
    let used_signed = diff::reachable(signed, &signed_roots);
    let Some(catalog) = diff::catalog(shown) else {
        return out;
    };
    let mut roots: Vec<&Object> = catalog
        .iter()
        .filter(|(k, _)| k.as_slice() != b"DSS")
        .map(|(_, v)| v)
        .collect();
    if let Ok(r) = shown.trailer.get(b"Root") {
        roots.push(r);
    }
    let used_shown = diff::reachable(shown, &roots);
    let mut ids: Vec<_> = used_shown
        .iter()
        .filter(|id| !used_signed.contains(id))
        .filter(|id| match (signed.objects.get(id), shown.objects.get(id)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        })
        .copied()
        .collect();
    ids.sort_unstable();
    let Some(first) = ids.first().copied() else {
        return out;
    };
    let listed: Vec<String> = ids
        .iter()
        .take(MAX_FINDINGS)
        .map(|id| format!("{} ({})", diff::id_str(*id), object_label(shown, *id)))
        .collect();
    let more = ids.len().saturating_sub(listed.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    // The page that now shows them, for the clerk.
    let page = diff::pages(shown).iter().position(|p| {
        let roots = [p.get(b"Contents"), p.get(b"Resources"), p.get(b"Annots")];
        let from_page = diff::reachable(shown, &roots);
        ids.iter().any(|id| from_page.contains(id))
    });
    let mut d = Difference::new(
        Kind::HiddenContentShown,
        format!(
            "Objects hidden unused in the signed file are now used by the document{}: {}{more} (shadow attack: content prepared before signing and revealed after).",
            page.map(|p| format!(" on page {}", p + 1)).unwrap_or_default(),
            listed.join(", ")
        ),
    )
    .object(Some(first));
    if let Some(p) = page {
        d = d.page(p + 1);
    }
    out.push(d);
    out
}

/// Most (covered, covering) annotation pairs looked at on one page; beyond
/// it the rest go unnamed (the changes themselves are still listed).
const MAX_COVER_PAIRS: usize = 250_000;
/// Share of a widget's area another annotation must paint over for the
/// widget to count as hidden under it.
const COVERED_SHARE: f64 = 0.5;

/// An annotation as drawn: where, and the bytes of its normal appearance
/// (`None` when it is hidden or draws nothing).
fn drawn(doc: &Document, annot: &Dictionary) -> Option<([f64; 4], Vec<u8>)> {
    let flags = dict_get(doc, annot, b"F").as_i64().unwrap_or(0);
    if flags & 2 != 0 || flags & 32 != 0 {
        return None;
    }
    let r = paint::rect(doc, annot, b"Rect")?;
    let s = paint::normal_appearance(doc, annot)?;
    let bytes = paint::stream_bytes(s).unwrap_or_else(|| s.content.clone());
    paint::paints_anything(&bytes).then_some((r, bytes))
}

fn area(r: &[f64; 4]) -> f64 {
    (r[2] - r[0]).max(0.0) * (r[3] - r[1]).max(0.0)
}

fn overlap(a: &[f64; 4], b: &[f64; 4]) -> f64 {
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    w * h
}

/// The fully qualified name of the field a widget belongs to.
fn widget_field_name(
    fields: &[diff::Field<'_>],
    doc: &Document,
    widget: &Dictionary,
) -> Option<String> {
    let parent = widget
        .get(b"Parent")
        .ok()
        .and_then(|p| resolve(doc, p).as_dict().ok());
    fields
        .iter()
        .find(|f| std::ptr::eq(f.dict, widget) || parent.is_some_and(|p| std::ptr::eq(f.dict, p)))
        .map(|f| f.name.clone())
}

/// Form over form (shadow hide): a widget the signed revision shows
/// painted over by a later-drawn annotation, which the final document no
/// longer draws over it (the covering annotation removed, freed, hidden,
/// moved, or its appearance replaced). What the viewer shows there is now
/// the field that the signer could not see. One difference per revealed
/// field, naming it.
pub fn revealed_fields(signed: &Document, shown: &Document) -> Vec<Difference> {
    let mut out = Vec::new();
    let fields_signed = diff::fields(signed);
    let pages_signed = diff::pages(signed);
    let pages_shown = diff::pages(shown);
    for (n, (pa, pb)) in pages_signed.iter().zip(pages_shown.iter()).enumerate() {
        let la = diff::annotations(signed, pa);
        let lb = diff::annotations(shown, pb);
        let shown_at = |id: ObjectId| lb.iter().position(|a| a.id == Some(id));
        let drawn_a: Vec<Option<([f64; 4], Vec<u8>)>> =
            la.iter().map(|a| drawn(signed, a.dict)).collect();
        let mut pairs = 0usize;
        for (j, w) in la.iter().enumerate() {
            if w.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Widget") {
                continue;
            }
            let (Some(wid), Some(Some((wr, _)))) = (w.id, drawn_a.get(j)) else {
                continue;
            };
            let warea = area(wr);
            if warea < 1.0 {
                continue;
            }
            // The widget must still be drawn in the final document.
            let Some(wj) = shown_at(wid) else { continue };
            if lb.get(wj).and_then(|a| drawn(shown, a.dict)).is_none() {
                continue;
            }
            let mut covering: Vec<String> = Vec::new();
            let mut still_covered = false;
            for (k, c) in la.iter().enumerate().skip(j + 1) {
                pairs += 1;
                if pairs > MAX_COVER_PAIRS {
                    break;
                }
                let Some(Some((cr, cbytes))) = drawn_a.get(k) else {
                    continue;
                };
                if overlap(wr, cr) < warea * COVERED_SHARE {
                    continue;
                }
                // Still drawn on top, in the same place, with the same
                // appearance: the field stays covered.
                let same = c.id.and_then(shown_at).is_some_and(|ck| {
                    ck > wj
                        && lb
                            .get(ck)
                            .and_then(|a| drawn(shown, a.dict))
                            .is_some_and(|(r2, b2)| r2 == *cr && b2 == *cbytes)
                });
                if same {
                    still_covered = true;
                    break;
                }
                covering.push(
                    widget_field_name(&fields_signed, signed, c.dict)
                        .map(|f| format!("the widget of “{f}”"))
                        .unwrap_or_else(|| match c.id {
                            Some(id) => format!("annotation {}", diff::id_str(id)),
                            None => "an annotation".into(),
                        }),
                );
            }
            if still_covered || covering.is_empty() {
                continue;
            }
            let name = widget_field_name(&fields_signed, signed, w.dict)
                .unwrap_or_else(|| format!("widget {}", diff::id_str(wid)));
            let painted =
                paint::normal_appearance(shown, lb.get(wj).map(|a| a.dict).unwrap_or(w.dict))
                    .map(|ap| paint::painted_text(shown, ap))
                    .filter(|t| !t.is_empty())
                    .map(|t| format!(", which shows “{t}”,"))
                    .unwrap_or_default();
            out.push(
                Difference::new(
                    Kind::FieldRevealed,
                    format!(
                        "On page {}, the form field “{name}”{painted} was painted over in the signed revision by {} and is uncovered now: what covered it was removed, hidden, moved or given another appearance after signing (shadow attack, hide).",
                        n + 1,
                        covering.join(" and ")
                    ),
                )
                .page(n + 1)
                .object(Some(wid))
                .key(name),
            );
            if out.len() >= MAX_FINDINGS {
                return out;
            }
        }
    }
    out
}

/// Most characters of revealed page text quoted in a description.
const MAX_QUOTED: usize = 80;

/// Page text (not a form field) painted over by an annotation in the
/// signed revision that the final document no longer draws over it (the
/// annotation removed, freed, hidden, moved or given another appearance):
/// the signer saw the annotation, a reader now sees the text under it. One
/// difference per uncovering annotation, quoting the text where it can be
/// read. Widgets are left to [`revealed_fields`] when what they uncover is
/// a field; here only the page's own text counts.
pub fn revealed_page_text(signed: &Document, shown: &Document) -> Vec<Difference> {
    let mut out = Vec::new();
    let pages_signed = diff::pages(signed);
    let pages_shown = diff::pages(shown);
    // Glyphs are read only when some annotation uncovers text.
    let mut glyphs: Option<Vec<Vec<crate::text::extract::Glyph>>> = None;
    for (n, (pa, pb)) in pages_signed.iter().zip(pages_shown.iter()).enumerate() {
        let la = diff::annotations(signed, pa);
        if la.is_empty() {
            continue;
        }
        let lb = diff::annotations(shown, pb);
        let content = paint::page_content(signed, pa.get(b"Contents"));
        // The page itself must be unchanged there: a changed page is
        // named as page_content already.
        if content != paint::page_content(shown, pb.get(b"Contents")) {
            continue;
        }
        let marks = paint::page_marks(signed, &content, pa.get(b"Resources"));
        for a in &la {
            let Some((r, bytes)) = drawn(signed, a.dict) else {
                continue;
            };
            if marks.covered_by(r).0 == 0 {
                continue;
            }
            // Still drawn in the same place with the same appearance.
            let still = lb.iter().any(|b| {
                ((a.id.is_some() && b.id == a.id) || (a.id.is_none() && b.dict == a.dict))
                    && drawn(shown, b.dict).is_some_and(|(r2, b2)| r2 == r && b2 == bytes)
            });
            // A widget still on the page was given another appearance by
            // filling its field (which the form rules judge), not removed.
            let kept = a.id.is_some_and(|id| lb.iter().any(|b| b.id == Some(id)));
            let widget = dict_get(signed, a.dict, b"Subtype").as_name().ok() == Some(b"Widget");
            if still || (widget && kept) {
                continue;
            }
            let page_glyphs = glyphs
                .get_or_insert_with(|| crate::text::extract::extract_glyphs(signed).pages)
                .get(n);
            let text: String = page_glyphs
                .into_iter()
                .flatten()
                .filter(|g| {
                    let (x, y) = (
                        f64::from(g.x + g.width / 2.0),
                        f64::from(g.y + g.size / 3.0),
                    );
                    r[0] <= x && x <= r[2] && r[1] <= y && y <= r[3]
                })
                .map(|g| g.ch)
                .take(MAX_QUOTED)
                .collect();
            let text = text.trim();
            let quoted = if text.is_empty() {
                String::new()
            } else {
                format!(" “{text}”")
            };
            let what = describe_cover(signed, a);
            let fate = if kept {
                "is no longer drawn over it the same way (hidden, moved or given another appearance)"
            } else {
                "was removed or freed"
            };
            out.push(
                Difference::new(
                    Kind::PageTextRevealed,
                    format!(
                        "On page {}, the page text{quoted} was painted over in the signed revision by {what}, which {fate} after signing: the text now shows, though the signer saw it covered (shadow attack, hide).",
                        n + 1
                    ),
                )
                .page(n + 1)
                .object(a.id)
                .key(text.to_string()),
            );
            if out.len() >= MAX_FINDINGS {
                return out;
            }
        }
    }
    out
}

/// "annotation 12 0 (Square)" for a description.
fn describe_cover(doc: &Document, a: &diff::Annot<'_>) -> String {
    let subtype = dict_get(doc, a.dict, b"Subtype")
        .as_name()
        .map(diff::name)
        .unwrap_or_else(|_| "unknown".into());
    match a.id {
        Some(id) => format!("annotation {} ({subtype})", diff::id_str(id)),
        None => format!("an annotation ({subtype})"),
    }
}

fn object_label(doc: &Document, id: lopdf::ObjectId) -> &'static str {
    match doc.objects.get(&id) {
        Some(Object::Stream(s)) => match s.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => "an image",
            Ok(b"Form") => "a form object",
            _ if s.dict.has(b"Length1") || s.dict.has(b"Length2") => "an embedded font file",
            _ => "a stream",
        },
        Some(Object::Dictionary(d)) => match d.get(b"Type").and_then(Object::as_name) {
            Ok(b"Font") => "a font",
            Ok(b"FontDescriptor") => "a font descriptor",
            Ok(b"Page") => "a page",
            Ok(b"Annot") => "an annotation",
            _ => "a dictionary",
        },
        _ => "an object",
    }
}

/// The certification level of the signed revision: /Perms /DocMDP's
/// transform parameter /P (1 no changes, 2 form filling and signing, 3 also
/// annotations). `None` when the document is not certified.
pub fn docmdp_level(signed: &Document) -> Option<i64> {
    let catalog = diff::catalog(signed)?;
    let perms = dict_get(signed, catalog, b"Perms").as_dict().ok()?;
    let sig = dict_get(signed, perms, b"DocMDP").as_dict().ok()?;
    let mut p = None;
    if let Object::Array(refs) = dict_get(signed, sig, b"Reference") {
        for r in refs.iter().take(100) {
            let Ok(r) = resolve(signed, r).as_dict() else {
                continue;
            };
            if r.get(b"TransformMethod").and_then(Object::as_name).ok() != Some(b"DocMDP") {
                continue;
            }
            p = dict_get(signed, r, b"TransformParams")
                .as_dict()
                .ok()
                .map(|tp| dict_get(signed, tp, b"P").as_i64().unwrap_or(2));
        }
    }
    // A certification whose level cannot be read is taken at its default.
    Some(p.unwrap_or(2).clamp(1, 3))
}

/// Whether certification level `p` forbids this change.
pub fn docmdp_forbids(p: i64, d: &Difference, explanation: Option<&Explanation>) -> bool {
    if let Some(e) = explanation {
        return match e.level {
            Level::Maintenance => false,
            Level::Signing => p < 2,
        };
    }
    match d.kind {
        Kind::FormValue => p < 2,
        Kind::AnnotationAdded | Kind::AnnotationChanged | Kind::AnnotationRemoved => p < 3,
        _ => true,
    }
}

/// The shadow-attack variants the unexplained differences show, each as a
/// short phrase for the reason's detail.
pub fn shadow_variants(unexplained: &[&Difference], signed: &Document) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    let content_pages: HashSet<usize> = unexplained
        .iter()
        .filter(|d| d.kind == Kind::PageContent)
        .filter_map(|d| d.page)
        .collect();
    let signed_had_oc = diff::catalog(signed).is_some_and(|c| c.has(b"OCProperties"));
    for d in unexplained {
        match d.kind {
            Kind::XrefRedirect => {
                add("hide-and-replace: an xref entry re-pointed into the signed bytes".into())
            }
            Kind::HiddenContentShown => {
                add("hide: objects hidden in the signed file are now shown".into())
            }
            Kind::PageTextRevealed => add(match d.key.as_deref().filter(|k| !k.is_empty()) {
                Some(t) => format!("hide: page text “{t}”, painted over when signed, is revealed"),
                None => "hide: page text painted over when signed is revealed".into(),
            }),
            Kind::FieldRevealed => add(format!(
                "hide: form field “{}”, painted over when signed, is revealed",
                d.key.as_deref().unwrap_or("?")
            )),
            Kind::OptionalContent if signed_had_oc => {
                add("hide: the visibility of optional content (layers) was switched".into())
            }
            Kind::ResourceReplaced | Kind::ResourceAdded
                if d.page.is_some_and(|p| !content_pages.contains(&p))
                    && d.key
                        .as_deref()
                        .is_some_and(|k| k.starts_with("Font/") || k.starts_with("XObject/")) =>
            {
                add(format!(
                    "replace: {} swapped under the unchanged page content",
                    d.key.as_deref().unwrap_or("a resource")
                ))
            }
            Kind::AnnotationChanged if d.key.as_deref() == Some("revealed") => {
                add("hide: an annotation hidden in the signed file was made visible".into())
            }
            Kind::FormValue => add(format!(
                "replace: the value of form field “{}” swapped",
                d.key.as_deref().unwrap_or("?")
            )),
            _ => {}
        }
    }
    out
}
