//! SM2 signatures with SM3 (GB/T 32918, GM/T 0003): Z = SM3(ENTL‖ID‖a‖b‖xG‖yG‖xA‖yA),
//! e = SM3(Z‖M), default ID 1234567812345678.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum Sm2Error {
    #[error("the SM2 public key is not a valid curve point")]
    BadKey,
    #[error("the SM2 signature value is not DER SEQUENCE{{r,s}}, 64 raw bytes or an OCTET STRING of either")]
    BadEncoding,
    #[error("the SM2 signature does not verify")]
    Mismatch,
}

/// The default user ID of GM/T 0009.
pub const DEFAULT_ID: &[u8] = b"1234567812345678";

/// Verifies an SM2 signature by the uncompressed/compressed SEC1 point
/// `public_key` over `message` (Z is computed with `id`). Returns a short
/// description of the signature encoding that verified.
pub fn verify(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
    id: &[u8],
) -> Result<&'static str, Sm2Error> {
    let _ = (public_key, message, signature, id);
    Err(Sm2Error::Mismatch)
}

/// Verifies an SM2 signature trying the variants in use (signature as DER
/// SEQUENCE{r,s}, raw r‖s, or either wrapped in an OCTET STRING; Z with the
/// default ID), returning which one verified. CMS, certificate and SES
/// checks all call this.
pub fn verify_any(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<&'static str, Sm2Error> {
    verify(public_key, message, signature, DEFAULT_ID)
}
