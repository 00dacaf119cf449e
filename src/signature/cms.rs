//! CMS / PKCS#7 SignedData in /Contents: parse, check the message digest
//! against the signed bytes, verify the signature over the signed
//! attributes, and hand the signer to [`crate::trust`].

use super::{CheckContext, ValueCheck};
use crate::report::{Code, Reason};

/// Checks a CMS SignedData (`Format::Cms` or `Format::CmsGm`).
pub fn check(contents: &[u8], signed: &[&[u8]], ctx: &CheckContext) -> ValueCheck {
    let _ = (contents, signed, ctx);
    ValueCheck {
        format: super::Format::Cms,
        reasons: vec![Reason::detail(
            Code::AlgorithmUnsupported,
            "CMS checking is not built yet",
        )],
        ..ValueCheck::default()
    }
}
