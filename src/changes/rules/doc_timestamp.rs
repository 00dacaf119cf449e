//! A document timestamp (/Type /DocTimeStamp, ETSI.RFC3161): a signature
//! field whose value is a timestamp token over the file, and its widget,
//! which must leave the page as it was.

use super::{explain_signature_change, Context, Explanation, Level, Rule, SigValue};
use crate::changes::diff::Difference;
use crate::report::Code;

pub struct DocTimestamp;

impl Rule for DocTimestamp {
    fn name(&self) -> &'static str {
        "doc_timestamp"
    }

    fn explain(&self, d: &Difference, ctx: &Context<'_>) -> Option<Explanation> {
        let (description, kind) =
            explain_signature_change(d, ctx, SigValue::DocTimeStamp, "document timestamp")?;
        Some(Explanation {
            kind,
            description,
            reason: Code::BenignUpdate,
            level: Level::Maintenance,
            allowed_by: "",
        })
    }
}
