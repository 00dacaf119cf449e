//! The catalog's /Extensions (developer extensions such as ESIC, declared
//! by PAdES writers with the DSS) and /Version: declarations about the
//! file format that change nothing shown.

use lopdf::Object;

use super::{Context, Explanation, Level, Rule};
use crate::changes::diff::{self, Difference, Kind};
use crate::changes::paint::resolve;
use crate::report::Code;

pub struct Extensions;

const EXTENSION_KEYS: [&[u8]; 6] = [
    b"Type",
    b"BaseVersion",
    b"ExtensionLevel",
    b"URL",
    b"ExtensionRevision",
    b"ISO_",
];

impl Rule for Extensions {
    fn name(&self) -> &'static str {
        "extensions"
    }

    fn explain(&self, d: &Difference, ctx: &Context<'_>) -> Option<Explanation> {
        let catalog = diff::catalog(ctx.shown)?;
        match d.kind {
            Kind::Version => {
                let ok = match catalog.get(b"Version").map(|v| resolve(ctx.shown, v)) {
                    Err(_) => true,
                    Ok(Object::Name(n)) => {
                        n.len() <= 4 && n.iter().all(|c| c.is_ascii_digit() || *c == b'.')
                    }
                    Ok(_) => false,
                };
                ok.then(|| Explanation {
                    kind: "version_declared",
                    description: "The declared PDF version was updated; nothing shown changed."
                        .into(),
                    reason: Code::BenignUpdate,
                    level: Level::Maintenance,
                    allowed_by: "",
                })
            }
            Kind::Extensions => {
                if let Ok(ext) = catalog.get(b"Extensions") {
                    let ext = resolve(ctx.shown, ext).as_dict().ok()?;
                    for (_, entry) in ext.iter().take(1000) {
                        let entries: Vec<&Object> = match resolve(ctx.shown, entry) {
                            Object::Array(a) => a.iter().collect(),
                            other => vec![other],
                        };
                        for e in entries {
                            let e = resolve(ctx.shown, e).as_dict().ok()?;
                            if !e.iter().all(|(k, v)| {
                                EXTENSION_KEYS.contains(&k.as_slice())
                                    && !matches!(
                                        resolve(ctx.shown, v),
                                        Object::Stream(_)
                                            | Object::Dictionary(_)
                                            | Object::Array(_)
                                    )
                            }) {
                                return None;
                            }
                        }
                    }
                }
                Some(Explanation {
                    kind: "extensions_declared",
                    description:
                        "The PDF extensions the file declares (e.g. ESIC for PAdES) were updated; nothing shown changed."
                            .into(),
                    reason: Code::BenignUpdate,
                    level: Level::Maintenance,
                    allowed_by: "",
                })
            }
            _ => None,
        }
    }
}
