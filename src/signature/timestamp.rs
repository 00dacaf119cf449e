//! RFC 3161 timestamps: signature timestamps (unsigned attribute
//! id-aa-signatureTimeStampToken) and document timestamps (ETSI.RFC3161).

use super::{CheckContext, ValueCheck};
use crate::report::{Code, Reason};

/// Checks a document timestamp: a TimeStampToken whose imprint covers the
/// ByteRange bytes.
pub fn check_document_timestamp(
    contents: &[u8],
    signed: &[&[u8]],
    ctx: &CheckContext,
) -> ValueCheck {
    let _ = (contents, signed, ctx);
    ValueCheck {
        format: super::Format::DocTimestamp,
        reasons: vec![Reason::detail(
            Code::AlgorithmUnsupported,
            "document timestamps are not built yet",
        )],
        ..ValueCheck::default()
    }
}
