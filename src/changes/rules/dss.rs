//! The document security store (/DSS): certificates, OCSP responses and
//! CRLs added for long-term validation (PAdES-LT/LTA). It is never drawn;
//! it is benign as long as it holds only validation data.

use lopdf::{Dictionary, Document, Object};

use super::{Context, Explanation, Level, Rule};
use crate::changes::diff::{self, Difference, Kind};
use crate::changes::paint::{dict_get, resolve};
use crate::report::Code;

pub struct Dss;

impl Rule for Dss {
    fn name(&self) -> &'static str {
        "dss"
    }

    fn explain(&self, d: &Difference, ctx: &Context<'_>) -> Option<Explanation> {
        if d.kind != Kind::Dss {
            return None;
        }
        let catalog = diff::catalog(ctx.shown)?;
        let dss = match catalog.get(b"DSS") {
            // Removing validation data changes nothing shown either.
            Err(_) => None,
            Ok(o) => Some(resolve(ctx.shown, o).as_dict().ok()?),
        };
        if let Some(dss) = dss {
            well_formed(ctx.shown, dss).ok()?;
        }
        let counts = dss
            .map(|d| {
                let n = |k: &[u8]| match dict_get(ctx.shown, d, k) {
                    Object::Array(a) => a.len(),
                    _ => 0,
                };
                format!(
                    " ({} certificates, {} OCSP responses, {} CRLs)",
                    n(b"Certs"),
                    n(b"OCSPs"),
                    n(b"CRLs")
                )
            })
            .unwrap_or_default();
        Some(Explanation {
            kind: "dss_updated",
            description: format!(
                "Signature validation data (DSS) was added or updated{counts}; nothing shown changed."
            ),
            reason: Code::BenignUpdate,
            level: Level::Maintenance,
            allowed_by: "",
        })
    }
}

/// The DSS holds only /Type, /Certs, /OCSPs, /CRLs (arrays of streams) and
/// /VRI (a dictionary of per-signature dictionaries of the same).
pub fn well_formed(doc: &Document, dss: &Dictionary) -> Result<(), String> {
    for (k, v) in dss.iter() {
        match k.as_slice() {
            b"Type" => {
                if resolve(doc, v).as_name().ok() != Some(b"DSS") {
                    return Err("its /Type is not /DSS".into());
                }
            }
            b"Certs" | b"OCSPs" | b"CRLs" => streams(doc, v)?,
            b"VRI" => {
                let vri = resolve(doc, v)
                    .as_dict()
                    .map_err(|_| "/VRI is not a dictionary")?;
                for (_, entry) in vri.iter().take(100_000) {
                    let e = resolve(doc, entry)
                        .as_dict()
                        .map_err(|_| "a /VRI entry is not a dictionary")?;
                    for (ek, ev) in e.iter() {
                        match ek.as_slice() {
                            b"Type" | b"TU" => {}
                            b"Cert" | b"OCSP" | b"CRL" => streams(doc, ev)?,
                            b"TS" => {
                                if resolve(doc, ev).as_stream().is_err() {
                                    return Err("a /VRI /TS is not a stream".into());
                                }
                            }
                            other => {
                                return Err(format!(
                                    "a /VRI entry holds /{}",
                                    String::from_utf8_lossy(other)
                                ))
                            }
                        }
                    }
                }
            }
            other => return Err(format!("the DSS holds /{}", String::from_utf8_lossy(other))),
        }
    }
    Ok(())
}

fn streams(doc: &Document, v: &Object) -> Result<(), String> {
    let arr = resolve(doc, v)
        .as_array()
        .map_err(|_| "a DSS list is not an array".to_string())?;
    for item in arr.iter().take(100_000) {
        let s = resolve(doc, item)
            .as_stream()
            .map_err(|_| "a DSS list holds something other than a stream".to_string())?;
        // Validation data is raw DER; an image or form would be drawable.
        if s.dict.has(b"Subtype") || s.dict.has(b"Resources") {
            return Err("a DSS stream is an image or form".into());
        }
    }
    Ok(())
}
