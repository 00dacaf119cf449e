//! SM2 signatures with SM3 (GB/T 32918, GM/T 0003): Z = SM3(ENTL‖ID‖a‖b‖xG‖yG‖xA‖yA),
//! e = SM3(Z‖M), default ID 1234567812345678.
//!
//! Producers disagree on how the value (r, s) is written: DER
//! SEQUENCE{r,s} (GM/T 0009, what OpenSSL and gmssl write), 64 raw bytes
//! r‖s (many seal vendors, GM/T 0031 BIT STRINGs), or either of those
//! wrapped once more in an OCTET STRING or BIT STRING. The value is the
//! same number pair in every case, so accepting each costs no security;
//! what verified is reported so an examiner can see it.

use der::{asn1::AnyRef, Decode, Reader, SliceReader, Tag, Tagged};
use sm2::dsa::{signature::hazmat::PrehashVerifier, Signature, VerifyingKey};
use sm3::{Digest, Sm3};
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

/// How deep OCTET/BIT STRING wrappers are unwrapped: one level is what is
/// in use; two allows a BIT STRING around an OCTET STRING.
const MAX_WRAP_DEPTH: usize = 2;

/// One way the bytes of a signature value were read as (r, s).
struct Candidate {
    signature: Signature,
    encoding: &'static str,
}

/// Verifies an SM2 signature by the uncompressed/compressed SEC1 point
/// `public_key` over `message` (Z is computed with `id`). Returns a short
/// description of the signature encoding that verified.
pub fn verify(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
    id: &[u8],
) -> Result<&'static str, Sm2Error> {
    let key = verifying_key(public_key)?;
    let candidates = candidates(signature);
    if candidates.is_empty() {
        return Err(Sm2Error::BadEncoding);
    }
    let z = z_value(public_key, id)?;
    let e: [u8; 32] = Sm3::new_with_prefix(z)
        .chain_update(message)
        .finalize()
        .into();
    candidates
        .iter()
        .find(|c| key.verify_prehash(&e, &c.signature).is_ok())
        .map(|c| c.encoding)
        .ok_or(Sm2Error::Mismatch)
}

/// Verifies an SM2 signature trying the variants in use (signature as DER
/// SEQUENCE{r,s}, raw r‖s, or either wrapped in an OCTET STRING; Z with the
/// default ID), returning which one verified. CMS, certificate and SES
/// checks all call this.
///
/// When the default ID does not verify, two variants real producers use
/// are tried, and named in what is returned: Z computed with an empty ID
/// (what OpenSSL 3 does when no ID is set) and e = SM3(M) without Z (what
/// OpenSSL 1.1.1 did for certificates, and some CMS producers do for signed
/// attributes). Each is still a signature by the same key over the same
/// bytes; only the hash preprocessing differs, and a signature made under
/// one can only pass another for a message that starts with a Z value,
/// which nobody can choose.
pub fn verify_any(
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<&'static str, Sm2Error> {
    match verify(public_key, message, signature, DEFAULT_ID) {
        Ok(v) => return Ok(v),
        Err(Sm2Error::Mismatch) => {}
        Err(e) => return Err(e),
    }
    let key = verifying_key(public_key)?;
    let cands = candidates(signature);
    let empty_z = z_value(public_key, b"")?;
    let e_empty: [u8; 32] = Sm3::new_with_prefix(empty_z)
        .chain_update(message)
        .finalize()
        .into();
    if let Some(c) = cands
        .iter()
        .find(|c| key.verify_prehash(&e_empty, &c.signature).is_ok())
    {
        return Ok(label(c.encoding, Variant::EmptyId));
    }
    let e: [u8; 32] = Sm3::digest(message).into();
    cands
        .iter()
        .find(|c| key.verify_prehash(&e, &c.signature).is_ok())
        .map(|c| label(c.encoding, Variant::NoZ))
        .ok_or(Sm2Error::Mismatch)
}

#[derive(Clone, Copy)]
enum Variant {
    EmptyId,
    NoZ,
}

macro_rules! labels {
    ($($enc:literal),*) => {
        /// The encoding's name with the variant's suffix, as a static str.
        fn label(encoding: &'static str, variant: Variant) -> &'static str {
            match (encoding, variant) {
                $(
                    ($enc, Variant::EmptyId) => concat!($enc, ", Z with an empty ID"),
                    ($enc, Variant::NoZ) => concat!($enc, ", e = SM3(M) without Z"),
                )*
                (_, Variant::EmptyId) => "Z with an empty ID",
                (_, Variant::NoZ) => "e = SM3(M) without Z",
            }
        }
    };
}

labels!(
    "DER SEQUENCE{r,s}",
    "raw r||s",
    "OCTET STRING of DER SEQUENCE{r,s}",
    "OCTET STRING of raw r||s",
    "BIT STRING of DER SEQUENCE{r,s}",
    "BIT STRING of raw r||s",
    "BIT STRING of OCTET STRING",
    "OCTET STRING of BIT STRING"
);

fn verifying_key(public_key: &[u8]) -> Result<VerifyingKey, Sm2Error> {
    // The ID given here only seeds the key's own Z, which is not used:
    // verification goes through the prehash with our own Z.
    VerifyingKey::from_sec1_bytes("1234567812345678", public_key).map_err(|_| Sm2Error::BadKey)
}

/// Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) for the SM2 curve.
pub fn z_value(public_key: &[u8], id: &[u8]) -> Result<[u8; 32], Sm2Error> {
    use sm2::elliptic_curve::sec1::ToEncodedPoint;
    let pk = sm2::PublicKey::from_sec1_bytes(public_key).map_err(|_| Sm2Error::BadKey)?;
    let point = pk.to_encoded_point(false);
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        return Err(Sm2Error::BadKey);
    };
    let entl = u16::try_from(id.len().checked_mul(8).ok_or(Sm2Error::BadKey)?)
        .map_err(|_| Sm2Error::BadKey)?;
    let mut h = Sm3::new();
    h.update(entl.to_be_bytes());
    h.update(id);
    h.update(CURVE_A);
    h.update(CURVE_B);
    h.update(CURVE_GX);
    h.update(CURVE_GY);
    h.update(x);
    h.update(y);
    Ok(h.finalize().into())
}

// The SM2 curve of GM/T 0003.5 (GB/T 32918.5).
const CURVE_A: [u8; 32] = hex32("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC");
const CURVE_B: [u8; 32] = hex32("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93");
const CURVE_GX: [u8; 32] =
    hex32("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7");
const CURVE_GY: [u8; 32] =
    hex32("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");

// Only ever evaluated at compile time, on the curve constants above: a
// malformed constant fails the build; nothing read from a file gets here.
#[allow(clippy::indexing_slicing, clippy::panic)]
const fn hex32(s: &str) -> [u8; 32] {
    let b = s.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nibble(b[2 * i]) << 4) | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

// See hex32: compile time only.
#[allow(clippy::panic)]
const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => panic!("bad hex constant"),
    }
}

/// Every reading of `bytes` as (r, s) that is well-formed.
fn candidates(bytes: &[u8]) -> Vec<Candidate> {
    let mut out = Vec::new();
    collect(bytes, 0, &mut out);
    out
}

fn collect(bytes: &[u8], depth: usize, out: &mut Vec<Candidate>) {
    if let Some(sig) = parse_der_sequence(bytes) {
        out.push(Candidate {
            signature: sig,
            encoding: "DER SEQUENCE{r,s}",
        });
    }
    if bytes.len() == 64 {
        if let Ok(sig) = Signature::from_slice(bytes) {
            out.push(Candidate {
                signature: sig,
                encoding: "raw r||s",
            });
        }
    }
    if depth >= MAX_WRAP_DEPTH {
        return;
    }
    let Some((kind, inner)) = unwrap_string(bytes) else {
        return;
    };
    let before = out.len();
    collect(inner, depth + 1, out);
    for c in out.iter_mut().skip(before) {
        c.encoding = rename_wrapped(kind, c.encoding);
    }
}

#[derive(Clone, Copy)]
enum WrapKind {
    Octet,
    Bit,
}

fn rename_wrapped(kind: WrapKind, inner: &'static str) -> &'static str {
    match (kind, inner) {
        (WrapKind::Octet, "DER SEQUENCE{r,s}") => "OCTET STRING of DER SEQUENCE{r,s}",
        (WrapKind::Octet, "raw r||s") => "OCTET STRING of raw r||s",
        (WrapKind::Bit, "DER SEQUENCE{r,s}") => "BIT STRING of DER SEQUENCE{r,s}",
        (WrapKind::Bit, "raw r||s") => "BIT STRING of raw r||s",
        (WrapKind::Bit, _) => "BIT STRING of OCTET STRING",
        (WrapKind::Octet, _) => "OCTET STRING of BIT STRING",
    }
}

/// The content of an OCTET STRING, or of a BIT STRING without unused bits,
/// spanning all of `bytes`.
fn unwrap_string(bytes: &[u8]) -> Option<(WrapKind, &[u8])> {
    let any = whole_tlv(bytes)?;
    match any.tag() {
        Tag::OctetString => Some((WrapKind::Octet, any.value())),
        Tag::BitString => match any.value().split_first() {
            Some((0, rest)) => Some((WrapKind::Bit, rest)),
            _ => None,
        },
        _ => None,
    }
}

/// One TLV that spans all of `bytes`.
fn whole_tlv(bytes: &[u8]) -> Option<AnyRef<'_>> {
    let mut reader = SliceReader::new(bytes).ok()?;
    let any = AnyRef::decode(&mut reader).ok()?;
    reader.is_finished().then_some(any)
}

/// SEQUENCE { r INTEGER, s INTEGER } spanning all of `bytes`. INTEGERs are
/// read leniently (a missing leading zero is tolerated): the signature
/// equation decides, not the encoding.
fn parse_der_sequence(bytes: &[u8]) -> Option<Signature> {
    let any = whole_tlv(bytes)?;
    if any.tag() != Tag::Sequence {
        return None;
    }
    let mut reader = SliceReader::new(any.value()).ok()?;
    let r = AnyRef::decode(&mut reader).ok()?;
    let s = AnyRef::decode(&mut reader).ok()?;
    if !reader.is_finished() || r.tag() != Tag::Integer || s.tag() != Tag::Integer {
        return None;
    }
    let r = scalar_bytes(r.value())?;
    let s = scalar_bytes(s.value())?;
    Signature::from_scalars(r, s).ok()
}

fn scalar_bytes(value: &[u8]) -> Option<[u8; 32]> {
    let start = value.iter().position(|&b| b != 0).unwrap_or(value.len());
    let digits = value.get(start..)?;
    if digits.len() > 32 {
        return None;
    }
    let mut out = [0u8; 32];
    out.get_mut(32 - digits.len()..)?.copy_from_slice(digits);
    Some(out)
}

/// Signs `message` with the default ID (tests and the sample generator).
/// Deterministic (RFC 6979 nonce), so generated samples are reproducible.
pub fn sign_default_id(secret: &[u8; 32], message: &[u8]) -> Option<[u8; 64]> {
    use sm2::dsa::{signature::Signer, SigningKey};
    let key = SigningKey::from_slice("1234567812345678", secret).ok()?;
    let sig: Signature = key.sign(message);
    Some(sig.to_bytes())
}

/// The uncompressed SEC1 public key of `secret`.
pub fn public_key_of(secret: &[u8; 32]) -> Option<Vec<u8>> {
    use sm2::dsa::SigningKey;
    let key = SigningKey::from_slice("1234567812345678", secret).ok()?;
    Some(key.verifying_key().to_sec1_bytes().to_vec())
}

/// DER SEQUENCE{r, s} of a raw 64-byte signature.
pub fn der_of_raw(raw: &[u8; 64]) -> Vec<u8> {
    fn int(bytes: &[u8]) -> Vec<u8> {
        let start = bytes
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bytes.len() - 1);
        let mut v: Vec<u8> = bytes.iter().skip(start).copied().collect();
        if v.first().is_some_and(|b| b & 0x80 != 0) {
            v.insert(0, 0);
        }
        let mut out = vec![0x02, v.len() as u8];
        out.extend(v);
        out
    }
    let (r, s) = raw.split_at(32);
    let mut body = int(r);
    body.extend(int(s));
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s.replace([' ', '\n'], "")).unwrap()
    }

    #[test]
    fn sm3_abc_vector() {
        // GB/T 32905-2016 Appendix A.1.
        assert_eq!(
            hex::encode(Sm3::digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn sm3_512_bit_vector() {
        // GB/T 32905-2016 Appendix A.2: "abcd" repeated 16 times.
        let m = b"abcd".repeat(16);
        assert_eq!(
            hex::encode(Sm3::digest(&m)),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
    }

    // GM/T 0003.5-2012 / GB/T 32918.5 Appendix A: signature on the
    // recommended curve, message "message digest", ID 1234567812345678.
    const VEC_D: &str = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8";
    const VEC_X: &str = "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020";
    const VEC_Y: &str = "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13";
    const VEC_R: &str = "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3";
    const VEC_S: &str = "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA";

    fn vec_public() -> Vec<u8> {
        let mut pk = vec![4u8];
        pk.extend(unhex(VEC_X));
        pk.extend(unhex(VEC_Y));
        pk
    }

    #[test]
    fn published_vector_public_key_matches_private_key() {
        let d: [u8; 32] = unhex(VEC_D).try_into().unwrap();
        assert_eq!(public_key_of(&d).unwrap(), vec_public());
    }

    #[test]
    fn published_vector_verifies_in_every_encoding() {
        let pk = vec_public();
        let mut raw = unhex(VEC_R);
        raw.extend(unhex(VEC_S));
        let raw: [u8; 64] = raw.try_into().unwrap();
        let der = der_of_raw(&raw);
        assert_eq!(
            verify(&pk, b"message digest", &der, DEFAULT_ID),
            Ok("DER SEQUENCE{r,s}")
        );
        assert_eq!(verify_any(&pk, b"message digest", &raw), Ok("raw r||s"));
        let mut octet = vec![0x04, der.len() as u8];
        octet.extend(&der);
        assert_eq!(
            verify_any(&pk, b"message digest", &octet),
            Ok("OCTET STRING of DER SEQUENCE{r,s}")
        );
        let mut octet_raw = vec![0x04, 64];
        octet_raw.extend(raw);
        assert_eq!(
            verify_any(&pk, b"message digest", &octet_raw),
            Ok("OCTET STRING of raw r||s")
        );
        let mut bits = vec![0x03, 65, 0];
        bits.extend(raw);
        assert_eq!(
            verify_any(&pk, b"message digest", &bits),
            Ok("BIT STRING of raw r||s")
        );
        assert_eq!(
            verify_any(&pk, b"message digesu", &der),
            Err(Sm2Error::Mismatch)
        );
        // Another ID gives another Z: the published signature must fail.
        assert_eq!(
            verify(&pk, b"message digest", &der, b"ALICE123@YAHOO.COM"),
            Err(Sm2Error::Mismatch)
        );
    }

    #[test]
    fn z_of_published_vector() {
        // ZA of GM/T 0003.5 Appendix A for the key above and the default ID.
        assert_eq!(
            hex::encode_upper(z_value(&vec_public(), DEFAULT_ID).unwrap()),
            "B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3"
        );
    }

    #[test]
    fn round_trip_and_flipped_bits_fail() {
        let secret = [7u8; 32];
        let pk = public_key_of(&secret).unwrap();
        let msg = b"certificate of qualification";
        let raw = sign_default_id(&secret, msg).unwrap();
        assert_eq!(verify_any(&pk, msg, &raw), Ok("raw r||s"));
        let der = der_of_raw(&raw);
        assert_eq!(verify_any(&pk, msg, &der), Ok("DER SEQUENCE{r,s}"));
        for byte in [0usize, 31, 32, 63] {
            let mut bad = raw;
            bad[byte] ^= 0x01;
            assert!(verify_any(&pk, msg, &bad).is_err(), "flip in byte {byte}");
        }
        let mut bad_msg = msg.to_vec();
        bad_msg[0] ^= 0x80;
        assert_eq!(verify_any(&pk, &bad_msg, &raw), Err(Sm2Error::Mismatch));
        // Another key.
        let other = public_key_of(&[9u8; 32]).unwrap();
        assert_eq!(verify_any(&other, msg, &raw), Err(Sm2Error::Mismatch));
    }

    #[test]
    fn signature_without_z_is_accepted_and_labelled() {
        use sm2::dsa::{signature::hazmat::PrehashSigner, SigningKey};
        let secret = [5u8; 32];
        let key = SigningKey::from_slice("1234567812345678", &secret).unwrap();
        let msg = b"signed attributes";
        let e: [u8; 32] = Sm3::digest(msg).into();
        let sig: Signature = key.sign_prehash(&e).unwrap();
        let pk = public_key_of(&secret).unwrap();
        let der = der_of_raw(&sig.to_bytes());
        assert_eq!(
            verify_any(&pk, msg, &der),
            Ok("DER SEQUENCE{r,s}, e = SM3(M) without Z")
        );
        assert_eq!(verify(&pk, msg, &der, DEFAULT_ID), Err(Sm2Error::Mismatch));
    }

    #[test]
    fn signature_with_an_empty_id_is_accepted_and_labelled() {
        use sm2::dsa::{signature::Signer, SigningKey};
        let secret = [6u8; 32];
        let key = SigningKey::from_slice("", &secret).unwrap();
        let msg = b"tbsCertificate";
        let sig: Signature = key.sign(msg);
        let pk = public_key_of(&secret).unwrap();
        let der = der_of_raw(&sig.to_bytes());
        assert_eq!(
            verify_any(&pk, msg, &der),
            Ok("DER SEQUENCE{r,s}, Z with an empty ID")
        );
        assert_eq!(verify(&pk, msg, &der, b""), Ok("DER SEQUENCE{r,s}"));
        assert_eq!(verify(&pk, msg, &der, DEFAULT_ID), Err(Sm2Error::Mismatch));
        assert_eq!(verify_any(&pk, b"other", &der), Err(Sm2Error::Mismatch));
    }

    #[test]
    fn garbage_is_rejected_without_panic() {
        let pk = public_key_of(&[3u8; 32]).unwrap();
        assert_eq!(verify_any(&pk, b"m", &[]), Err(Sm2Error::BadEncoding));
        assert_eq!(
            verify_any(&pk, b"m", &[0x30, 0x80]),
            Err(Sm2Error::BadEncoding)
        );
        assert_eq!(
            verify_any(&[4u8; 65], b"m", &[0u8; 64]),
            Err(Sm2Error::BadKey)
        );
        assert_eq!(
            verify_any(&pk, b"m", &[0u8; 64]),
            Err(Sm2Error::BadEncoding)
        );
        let mut long_int = vec![0x30, 0x46, 0x02, 0x21, 0x01];
        long_int.extend([0xffu8; 32]);
        long_int.extend([0x02, 0x21, 0x00]);
        long_int.extend([0x11u8; 32]);
        assert_eq!(verify_any(&pk, b"m", &long_int), Err(Sm2Error::BadEncoding));
    }
}
