//! adbe.x509.rsa_sha1: a raw PKCS#1 signature in /Contents (wrapped in an
//! OCTET STRING), the certificates in /Cert.

use super::{CheckContext, ValueCheck};
use crate::report::{Code, Reason};

pub fn check(
    contents: &[u8],
    certificates: &[Vec<u8>],
    signed: &[&[u8]],
    ctx: &CheckContext,
) -> ValueCheck {
    let _ = (contents, certificates, signed, ctx);
    ValueCheck {
        format: super::Format::Pkcs1,
        reasons: vec![Reason::detail(
            Code::AlgorithmUnsupported,
            "adbe.x509.rsa_sha1 is not built yet",
        )],
        ..ValueCheck::default()
    }
}
