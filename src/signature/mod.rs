//! Finding signatures and checking each one: integrity of its byte range,
//! what its container is, and whether its value verifies. Trust of the
//! signer is asked of [`crate::trust`]; the verdict is not decided here.

pub mod byte_range;
pub mod cms;
pub mod container;
pub mod locate;
pub mod pkcs1;
pub mod ses;
pub mod signed_data;
pub mod timestamp;

use time::OffsetDateTime;

/// The BER/DER reader and the algorithms, which sit below this module in
/// [`crate::crypto`], under the names they had here.
pub use crate::crypto::{algorithms, sm2, tlv};

use crate::report::{Reason, SealInfo, SignerInfo, SigningTimeSource, TimestampInfo};
use crate::trust::TrustStore;
pub use container::Format;
pub use locate::{SignatureField, SignatureKind};

/// What a value check needs besides the signature itself.
pub struct CheckContext<'a> {
    pub trust: &'a TrustStore,
    /// Dates the signed revision itself carries (Info /CreationDate,
    /// /ModDate, XMP dates): a claimed signing time earlier than these by
    /// more than a day is not believed.
    pub document_dates: Vec<OffsetDateTime>,
    /// The signature dictionary's /M, parsed.
    pub claimed_m: Option<OffsetDateTime>,
    /// The earliest time a trusted, intact document timestamp covering this
    /// signature proves it existed by (SPEC's time rule). Used only where
    /// the signature has no trusted timestamp of its own.
    pub doc_timestamp: Option<OffsetDateTime>,
    /// The time of the check, for "expired since" warnings.
    pub now: OffsetDateTime,
}

/// The facts of one signature's container, value and signer. Every `None`
/// means "not established"; reasons say why.
#[derive(Debug, Clone, Default)]
pub struct ValueCheck {
    pub format: Format,
    pub digest_algorithm: Option<String>,
    pub signature_algorithm: Option<String>,
    /// The digest of the signed bytes equals the one the signature covers.
    pub digest_ok: Option<bool>,
    /// The signature value verifies under the signer's key.
    pub signature_ok: Option<bool>,
    pub signer: Option<SignerInfo>,
    /// The known issuer the signer chains to, at the signing time.
    pub trusted_issuer: Option<String>,
    /// The time the signer's certificate was judged at.
    pub signing_time: Option<OffsetDateTime>,
    /// timestamp, doc_timestamp, claimed, document_date, none.
    pub signing_time_source: Option<SigningTimeSource>,
    pub timestamp: Option<TimestampInfo>,
    pub seal: Option<SealInfo>,
    /// The (first) signer's chain to a known issuer, signer first; empty
    /// where none was found. The revocation stage asks about it.
    pub chain: Vec<Vec<u8>>,
    /// The revocation data the signature itself carries, as read from
    /// its CMS (the revocation stage reads it).
    pub carried_revocation: signed_data::CarriedRevocation,
    pub reasons: Vec<Reason>,
}

/// Checks the value of one signature over its signed bytes (`signed` are
/// the ByteRange pieces, in order), dispatching on the container format
/// recognised from the bytes of /Contents, then /SubFilter.
pub fn check_value(field: &SignatureField, signed: &[&[u8]], ctx: &CheckContext) -> ValueCheck {
    let contents = field.contents.as_deref().unwrap_or(&[]);
    let format = container::sniff(contents, field.sub_filter.as_deref());
    let mut check = match format {
        Format::Cms | Format::CmsGm => {
            cms::check_pdf(contents, signed, field.sub_filter.as_deref(), ctx)
        }
        Format::DocTimestamp => timestamp::check_document_timestamp(contents, signed, ctx),
        Format::SesV1 | Format::SesV4 => ses::check(contents, signed, ctx),
        Format::Pkcs1 => pkcs1::check(contents, &field.certificates, signed, ctx),
        Format::Empty | Format::Unknown => ValueCheck::default(),
    };
    if check.format == Format::Unknown {
        check.format = format;
    }
    if format == Format::Unknown {
        check.reasons.push(Reason::detail(
            crate::report::Code::SignatureFormatUnknown,
            field.sub_filter.as_deref().unwrap_or("no /SubFilter"),
        ));
    }
    check
}
