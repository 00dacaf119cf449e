//! The national electronic-seal structure SES_Signature placed directly in
//! /Contents: GM/T 0031-2014 (v1) and GB/T 38540-2020 (v4).

use super::{CheckContext, Format, ValueCheck};
use crate::report::{Code, Reason};

/// Recognises an SES_Signature by its structure; `None` when it is not one.
pub fn sniff_version(contents: &[u8]) -> Option<Format> {
    let _ = contents;
    None
}

/// Checks an SES_Signature over the signed bytes.
pub fn check(contents: &[u8], signed: &[&[u8]], ctx: &CheckContext) -> ValueCheck {
    let _ = (contents, signed, ctx);
    ValueCheck {
        format: Format::SesV4,
        reasons: vec![Reason::detail(
            Code::SesUnparseable,
            "SES checking is not built yet",
        )],
        ..ValueCheck::default()
    }
}
