//! A later signature: a new signature field (or an empty one now signed),
//! its widget, and the bookkeeping that goes with it (/SigFlags, the
//! field list, default resources added for the appearance). Benign only
//! when the widget leaves the page as it was: a signature whose appearance
//! paints over the page (sneaky signature) is not explained here.

use lopdf::Object;

use super::{explain_signature_change, Context, Explanation, Level, Rule, SigValue};
use crate::changes::diff::{self, Difference, Kind};
use crate::changes::paint::resolve;
use crate::report::Code;

pub struct LaterSignature;

impl Rule for LaterSignature {
    fn name(&self) -> &'static str {
        "later_signature"
    }

    fn explain(&self, d: &Difference, ctx: &Context<'_>) -> Option<Explanation> {
        if d.kind == Kind::AcroFormChanged {
            return acroform_bookkeeping(d, ctx);
        }
        if d.kind == Kind::PageChanged && d.key.as_deref() == Some("Tabs") {
            return tab_order(d, ctx);
        }
        let (description, kind) =
            explain_signature_change(d, ctx, SigValue::Signature, "signature")?;
        Some(Explanation {
            kind,
            description,
            reason: Code::BenignUpdate,
            level: Level::Signing,
            allowed_by: "",
        })
    }
}

/// Signing applications set the page's tab order (/Tabs) when they add a
/// field; it orders keyboard navigation and draws nothing.
fn tab_order(d: &Difference, ctx: &Context<'_>) -> Option<Explanation> {
    signed_something(ctx).then(|| Explanation {
        kind: "signature_bookkeeping",
        description: format!(
            "The tab order of page {} was set for a new signature field.",
            d.page.unwrap_or(0)
        ),
        reason: Code::BenignUpdate,
        level: Level::Signing,
        allowed_by: "",
    })
}

fn signed_something(ctx: &Context<'_>) -> bool {
    ctx.differences.iter().any(|x| {
        matches!(x.kind, Kind::FieldAdded | Kind::FormValue)
            && super::shown_field(ctx, x)
                .map(|(_, f, v)| {
                    f.get(b"FT").and_then(Object::as_name).ok() == Some(b"Sig")
                        && super::sig_value(ctx.shown, &v) != SigValue::Other
                })
                .unwrap_or(false)
    })
}

/// /SigFlags set, or default resources (/DR) added where there were none,
/// when a signature or timestamp field was added: what writers do when
/// they sign. Anything else in the form dictionary is not explained.
fn acroform_bookkeeping(d: &Difference, ctx: &Context<'_>) -> Option<Explanation> {
    if !signed_something(ctx) {
        return None;
    }
    let key = d.key.as_deref()?;
    let had_before = diff::catalog(ctx.signed)
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(|f| resolve(ctx.signed, f).as_dict().ok())
        .is_some_and(|f| f.has(key.as_bytes()));
    let ok = match key {
        "SigFlags" => true,
        "DA" => !had_before,
        // Resources may be added for the new appearance; none taken away
        // or changed, since other fields' appearances may be drawn from them.
        "DR" => !had_before || dr_only_grows(ctx),
        _ => false,
    };
    ok.then(|| Explanation {
        kind: "signature_bookkeeping",
        description: format!("The form setting /{key} was updated for a new signature."),
        reason: Code::BenignUpdate,
        level: Level::Signing,
        allowed_by: "",
    })
}

fn acroform_dr(doc: &lopdf::Document) -> Option<&lopdf::Dictionary> {
    let form = diff::catalog(doc)?.get(b"AcroForm").ok()?;
    let form = resolve(doc, form).as_dict().ok()?;
    resolve(doc, form.get(b"DR").ok()?).as_dict().ok()
}

fn dr_only_grows(ctx: &Context<'_>) -> bool {
    let (Some(old), Some(new)) = (acroform_dr(ctx.signed), acroform_dr(ctx.shown)) else {
        return false;
    };
    let cmp = diff::Comparer::new(ctx.signed, ctx.shown);
    old.iter().all(|(cat, old_cat)| {
        let Ok(new_cat) = new.get(cat) else {
            return false;
        };
        match (
            resolve(ctx.signed, old_cat).as_dict(),
            resolve(ctx.shown, new_cat).as_dict(),
        ) {
            (Ok(o), Ok(n)) => o
                .iter()
                .all(|(name, v)| n.get(name).map(|nv| cmp.equal(v, nv, &[])).unwrap_or(false)),
            _ => cmp.equal(old_cat, new_cat, &[]),
        }
    })
}
