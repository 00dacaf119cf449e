//! Document metadata: the Info dictionary (title, author, subject,
//! keywords, dates, producer) and the XMP metadata stream. Never drawn on
//! a page; reported as metadata_changed.

use lopdf::Object;

use super::{Context, Explanation, Level, Rule};
use crate::changes::diff::{self, Difference, Kind};
use crate::changes::paint::{self, resolve};
use crate::report::Code;

pub struct Metadata;

impl Rule for Metadata {
    fn name(&self) -> &'static str {
        "metadata"
    }

    fn explain(&self, d: &Difference, ctx: &Context<'_>) -> Option<Explanation> {
        match d.kind {
            Kind::InfoChanged => {
                let info = match ctx.shown.trailer.get(b"Info") {
                    Err(_) => None,
                    Ok(o) => Some(resolve(ctx.shown, o).as_dict().ok()?),
                };
                let mut changed = Vec::new();
                if let Some(info) = info {
                    let before = ctx
                        .signed
                        .trailer
                        .get(b"Info")
                        .ok()
                        .and_then(|o| resolve(ctx.signed, o).as_dict().ok());
                    for (k, v) in info.iter().take(1000) {
                        // Info values are text, names or dates; anything
                        // else (a stream, a dictionary) has no place here.
                        match resolve(ctx.shown, v) {
                            Object::String(..)
                            | Object::Name(_)
                            | Object::Boolean(_)
                            | Object::Integer(_)
                            | Object::Real(_)
                            | Object::Null => {}
                            _ => return None,
                        }
                        let old = before
                            .and_then(|b| b.get(k).ok())
                            .map(|o| resolve(ctx.signed, o));
                        if old != Some(resolve(ctx.shown, v)) {
                            let value = match resolve(ctx.shown, v) {
                                Object::String(s, _) => paint::text_string(s),
                                _ => String::new(),
                            };
                            let value: String = value.chars().take(60).collect();
                            changed.push(format!("{} “{}”", diff::name(k), value));
                        }
                    }
                }
                let list = if changed.is_empty() {
                    String::new()
                } else {
                    format!(": {}", changed.join(", "))
                };
                Some(Explanation {
                    kind: "metadata_changed",
                    description: format!(
                        "The document information was updated{list}; nothing shown changed."
                    ),
                    reason: Code::MetadataChanged,
                    level: Level::Maintenance,
                    allowed_by: "",
                })
            }
            Kind::XmpChanged => {
                let catalog = diff::catalog(ctx.shown)?;
                if let Ok(m) = catalog.get(b"Metadata") {
                    let s = resolve(ctx.shown, m).as_stream().ok()?;
                    let ty = s.dict.get(b"Type").and_then(Object::as_name).ok();
                    let sub = s.dict.get(b"Subtype").and_then(Object::as_name).ok();
                    if ty.is_some_and(|t| t != b"Metadata") || sub.is_some_and(|t| t != b"XML") {
                        return None;
                    }
                }
                Some(Explanation {
                    kind: "metadata_changed",
                    description: "The XMP metadata was updated; nothing shown changed.".into(),
                    reason: Code::MetadataChanged,
                    level: Level::Maintenance,
                    allowed_by: "",
                })
            }
            _ => None,
        }
    }
}
