//! A later signature: a new signature field (or an empty one now signed),
//! its widget, and the bookkeeping that goes with it (/SigFlags, the
//! field list, default resources added for the appearance). Benign only
//! when the widget leaves the page as it was: a signature whose appearance
//! paints over the page (sneaky signature) is not explained here.

use lopdf::Object;

use super::{explain_signature_change, Context, Explanation, Level, Rule, SigValue};
use crate::changes::diff::{self, Difference, Kind};
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
        let (description, kind) =
            explain_signature_change(d, ctx, SigValue::Signature, "signature")?;
        Some(Explanation {
            kind,
            description,
            reason: Code::BenignUpdate,
            level: Level::Signing,
        })
    }
}

/// /SigFlags set, or default resources (/DR) added where there were none,
/// when a signature or timestamp field was added: what writers do when
/// they sign. Anything else in the form dictionary is not explained.
fn acroform_bookkeeping(d: &Difference, ctx: &Context<'_>) -> Option<Explanation> {
    let signed_something = ctx.differences.iter().any(|x| {
        matches!(x.kind, Kind::FieldAdded | Kind::FormValue)
            && super::shown_field(ctx, x)
                .map(|(_, f, v)| {
                    f.get(b"FT").and_then(Object::as_name).ok() == Some(b"Sig")
                        && super::sig_value(ctx.shown, &v) != SigValue::Other
                })
                .unwrap_or(false)
    });
    if !signed_something {
        return None;
    }
    let key = d.key.as_deref()?;
    let had_before = diff::catalog(ctx.signed)
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(|f| crate::changes::paint::resolve(ctx.signed, f).as_dict().ok())
        .is_some_and(|f| f.has(key.as_bytes()));
    let ok = match key {
        "SigFlags" => true,
        "DR" | "DA" => !had_before,
        _ => false,
    };
    ok.then(|| Explanation {
        kind: "signature_bookkeeping",
        description: format!("The form setting /{key} was updated for a new signature."),
        reason: Code::BenignUpdate,
        level: Level::Signing,
    })
}
