//! The national electronic-seal structure SES_Signature placed directly in
//! /Contents: GM/T 0031-2014 (v1) and GB/T 38540-2020 (v4).
//!
//! The two versions are told apart by their shape, not by the version
//! numbers they carry (which vendors fill in carelessly): a v1
//! SES_Signature is SEQUENCE{TBS_Sign, signature} whose TBS_Sign ends with
//! the signer's certificate and the algorithm; a v4 one is
//! SEQUENCE{TBS_Sign, cert, signatureAlgID, signature, [0] timeStamp?}.
//! The seal inside is likewise SEQUENCE{SES_SealInfo, SES_SignInfo} (v1) or
//! SEQUENCE{SES_SealInfo, cert, signAlgID, signedValue} (v4).
//! docs/national-seals.md has the ASN.1 and the variants accepted.

use sha2::Digest as _;
use thiserror::Error;
use time::OffsetDateTime;

use super::{CheckContext, Format, ValueCheck};
use crate::crypto::sm2;
use crate::crypto::tlv::{self, Tlv, TlvError};
use crate::report::{Code, Reason, SealInfo, SignerInfo, SigningTimeSource};
use crate::trust::chain;
use crate::trust::chain::rfc3339;

/// Why bytes are not a readable SES structure.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SesError {
    #[error("not DER: {0}")]
    Der(TlvError),
    #[error("not an SES structure: {0}")]
    Shape(&'static str),
}

impl From<TlvError> for SesError {
    fn from(e: TlvError) -> Self {
        match e {
            TlvError::TooMany => SesError::Shape("too many elements"),
            TlvError::Unexpected(what) => SesError::Shape(what),
            e => SesError::Der(e),
        }
    }
}

/// SM3withSM2 (GM/T 0006).
pub const OID_SM3_WITH_SM2: &str = "1.2.156.10197.1.501";
/// sm2sign (GM/T 0006), used by some producers in place of SM3withSM2.
pub const OID_SM2_SIGN: &str = "1.2.156.10197.1.301.1";

/// Most elements any SES SEQUENCE has (TBS_Sign v1 has seven); more is
/// not a seal, and the bound keeps hostile input cheap.
const MAX_ELEMENTS: usize = 16;
/// Most certificates or digests a seal's certList may hold.
const MAX_CERT_LIST: usize = 256;

/// The elements of a constructed value, at most `limit`.
fn elements(value: &[u8], limit: usize) -> Result<Vec<Tlv<'_>>, SesError> {
    Ok(tlv::der_children(value, limit)?)
}

fn seq<'a>(t: Option<&Tlv<'a>>, what: &'static str) -> Result<Vec<Tlv<'a>>, SesError> {
    match t {
        Some(t) if t.tag == tlv::SEQUENCE => elements(t.content, MAX_ELEMENTS),
        _ => Err(SesError::Shape(what)),
    }
}

fn want<'a>(t: Option<&Tlv<'a>>, tag: u8, what: &'static str) -> Result<Tlv<'a>, SesError> {
    match t {
        Some(t) if t.tag == tag => Ok(*t),
        _ => Err(SesError::Shape(what)),
    }
}

fn integer(t: Option<&Tlv<'_>>, what: &'static str) -> Result<i64, SesError> {
    let t = want(t, tlv::INTEGER, what)?;
    int_value(t.content).ok_or(SesError::Shape(what))
}

fn int_value(v: &[u8]) -> Option<i64> {
    if v.is_empty() || v.len() > 8 {
        return None;
    }
    let negative = v.first().is_some_and(|b| b & 0x80 != 0);
    let mut n: i64 = if negative { -1 } else { 0 };
    for &b in v {
        n = (n << 8) | i64::from(b);
    }
    Some(n)
}

fn is_string_tag(tag: u8) -> bool {
    matches!(
        tag,
        tlv::UTF8_STRING
            | tlv::IA5_STRING
            | tlv::PRINTABLE_STRING
            | tlv::VISIBLE_STRING
            | tlv::TELETEX_STRING
            | tlv::BMP_STRING
            | tlv::OCTET_STRING
    )
}

/// Text of a string element. Vendors write names in UTF-8, BMPString or
/// (against the standard) GBK; all are read.
fn text(t: Option<&Tlv<'_>>, what: &'static str) -> Result<String, SesError> {
    match t {
        Some(t) if is_string_tag(t.tag) => Ok(decode_text(t.tag, t.content)),
        _ => Err(SesError::Shape(what)),
    }
}

fn decode_text(tag: u8, v: &[u8]) -> String {
    if tag == tlv::BMP_STRING {
        return crate::pdf::utf16be_lossy(v);
    }
    match std::str::from_utf8(v) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GBK.decode(v).0.into_owned(),
    }
}

fn oid(t: Option<&Tlv<'_>>, what: &'static str) -> Result<String, SesError> {
    let t = want(t, tlv::OID, what)?;
    der::asn1::ObjectIdentifier::from_bytes(t.content)
        .map(|o| o.to_string())
        .map_err(|_| SesError::Shape(what))
}

/// The content of a BIT STRING without unused bits, or of an OCTET STRING
/// (some producers use one for the other).
fn bit_content<'a>(t: Option<&Tlv<'a>>, what: &'static str) -> Result<&'a [u8], SesError> {
    match t {
        Some(t) if t.tag == tlv::BIT_STRING => match t.content.split_first() {
            Some((0, rest)) => Ok(rest),
            _ => Err(SesError::Shape(what)),
        },
        Some(t) if t.tag == tlv::OCTET_STRING => Ok(t.content),
        _ => Err(SesError::Shape(what)),
    }
}

/// A UTCTime or GeneralizedTime element, or a BIT/OCTET STRING holding one
/// (GM/T 0031 declares timeInfo a BIT STRING; producers put the DER time,
/// or its bare text, inside).
fn time_of(t: Option<&Tlv<'_>>) -> Option<OffsetDateTime> {
    let t = t?;
    match t.tag {
        tlv::UTC_TIME | tlv::GENERALIZED_TIME => tlv::time_of(t),
        tlv::BIT_STRING | tlv::OCTET_STRING => {
            let inner = if t.tag == tlv::BIT_STRING {
                t.content.split_first().filter(|(u, _)| **u == 0)?.1
            } else {
                t.content
            };
            if let Ok((time, rest)) = tlv::read_der(inner) {
                if rest.is_empty() && matches!(time.tag, tlv::UTC_TIME | tlv::GENERALIZED_TIME) {
                    return tlv::time_of(&time);
                }
            }
            let digits = inner.iter().take_while(|b| b.is_ascii_digit()).count();
            parse_time(inner, digits >= 14)
        }
        _ => None,
    }
}

/// Parses UTCTime or GeneralizedTime text (one parser for CMS and SES).
fn parse_time(v: &[u8], generalized: bool) -> Option<OffsetDateTime> {
    tlv::parse_asn1_time(std::str::from_utf8(v).ok()?, !generalized)
}

/// The certificates a seal was issued to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertList<'a> {
    /// DER certificates by value.
    pub certs: Vec<&'a [u8]>,
    /// (digest algorithm name, digest) of certificates (v4 certListType 2).
    pub digests: Vec<(String, &'a [u8])>,
}

/// An electronic seal (SESeal).
#[derive(Debug, Clone)]
pub struct Seal<'a> {
    /// Format::SesV1 or Format::SesV4, by the seal's shape.
    pub format: Format,
    pub raw: &'a [u8],
    pub seal_info_raw: &'a [u8],
    pub header_id: String,
    pub header_version: i64,
    pub vid: String,
    pub es_id: String,
    pub seal_type: i64,
    pub name: String,
    pub cert_list_type: Option<i64>,
    pub cert_list: CertList<'a>,
    pub create_date: Option<OffsetDateTime>,
    pub valid_start: Option<OffsetDateTime>,
    pub valid_end: Option<OffsetDateTime>,
    pub picture_type: String,
    pub picture: &'a [u8],
    pub picture_width: Option<i64>,
    pub picture_height: Option<i64>,
    /// The maker's certificate (DER), its TLV, the algorithm TLV.
    pub maker_cert: &'a [u8],
    pub maker_cert_tlv: &'a [u8],
    pub maker_alg: String,
    pub maker_alg_tlv: &'a [u8],
    pub maker_signature: &'a [u8],
}

/// An SES_Signature.
#[derive(Debug, Clone)]
pub struct SesSignature<'a> {
    pub format: Format,
    pub version: i64,
    /// DER of TBS_Sign: what the signer signed.
    pub tbs_raw: &'a [u8],
    pub seal: Seal<'a>,
    pub time_info: Option<OffsetDateTime>,
    pub data_hash: &'a [u8],
    pub property_info: String,
    pub signer_cert: &'a [u8],
    pub signature_alg: String,
    pub signature: &'a [u8],
    /// v4 timeStamp [0]: an RFC 3161 token over the signature value.
    pub timestamp: Option<&'a [u8]>,
}

/// Parses an SESeal (either version) from its TLV.
fn parse_seal_tlv<'a>(t: &Tlv<'a>) -> Result<Seal<'a>, SesError> {
    if t.tag != tlv::SEQUENCE {
        return Err(SesError::Shape("SESeal is not a SEQUENCE"));
    }
    let parts = elements(t.content, MAX_ELEMENTS)?;
    let info = parts.first().ok_or(SesError::Shape("SESeal is empty"))?;
    // v1: SEQUENCE{SealInfo, SignInfo SEQUENCE{cert, alg, signData}};
    // v4: SEQUENCE{SealInfo, cert, signAlgID, signedValue}.
    let (format, cert, alg, value) = match parts.len() {
        2 => {
            let sign_info = seq(parts.get(1), "SES_SignInfo")?;
            (
                Format::SesV1,
                want(sign_info.first(), tlv::OCTET_STRING, "maker cert")?,
                *sign_info.get(1).ok_or(SesError::Shape("maker alg"))?,
                bit_content(sign_info.get(2), "maker signData")?,
            )
        }
        4 => (
            Format::SesV4,
            want(parts.get(1), tlv::OCTET_STRING, "maker cert")?,
            *parts.get(2).ok_or(SesError::Shape("maker alg"))?,
            bit_content(parts.get(3), "maker signedValue")?,
        ),
        _ => return Err(SesError::Shape("SESeal has neither 2 nor 4 elements")),
    };
    let maker_alg = oid(Some(&alg), "maker alg")?;
    let si = seq(Some(info), "SES_SealInfo")?;
    let header = seq(si.first(), "SES_Header")?;
    let header_id = text(header.first(), "header ID")?;
    if header_id != "ES" {
        return Err(SesError::Shape("header ID is not ES"));
    }
    let header_version = integer(header.get(1), "header version")?;
    let vid = text(header.get(2), "header Vid")?;
    let es_id = text(si.get(1), "esID")?;
    let prop = seq(si.get(2), "SES_ESPropertyInfo")?;
    let pic = seq(si.get(3), "SES_ESPictrueInfo")?;

    let seal_type = integer(prop.first(), "property type")?;
    let name = text(prop.get(1), "property name")?;
    let mut i = 2;
    let cert_list_type = match prop.get(i) {
        Some(t) if t.tag == tlv::INTEGER => {
            i += 1;
            Some(int_value(t.content).ok_or(SesError::Shape("certListType"))?)
        }
        _ => None,
    };
    let list = match prop.get(i) {
        Some(t) if t.tag == tlv::SEQUENCE => elements(t.content, MAX_CERT_LIST)?,
        _ => return Err(SesError::Shape("certList")),
    };
    i += 1;
    let mut cert_list = CertList::default();
    for c in &list {
        match c.tag {
            tlv::OCTET_STRING => cert_list.certs.push(c.content),
            tlv::SEQUENCE => {
                let inner = elements(c.content, MAX_ELEMENTS)?;
                match (inner.first(), inner.get(1)) {
                    // A bare Certificate SEQUENCE is taken by value.
                    (Some(a), _) if a.tag == tlv::SEQUENCE => cert_list.certs.push(c.raw),
                    (Some(a), Some(v)) if is_string_tag(a.tag) && v.tag == tlv::OCTET_STRING => {
                        cert_list
                            .digests
                            .push((decode_text(a.tag, a.content), v.content));
                    }
                    _ => return Err(SesError::Shape("certList entry")),
                }
            }
            _ => return Err(SesError::Shape("certList entry")),
        }
    }
    let create_date = time_of(prop.get(i));
    let valid_start = time_of(prop.get(i + 1));
    let valid_end = time_of(prop.get(i + 2));

    let picture_type = text(pic.first(), "picture type")?;
    let picture = want(pic.get(1), tlv::OCTET_STRING, "picture data")?.content;
    let picture_width = pic
        .get(2)
        .filter(|t| t.tag == tlv::INTEGER)
        .and_then(|t| int_value(t.content));
    let picture_height = pic
        .get(3)
        .filter(|t| t.tag == tlv::INTEGER)
        .and_then(|t| int_value(t.content));

    Ok(Seal {
        format,
        raw: t.raw,
        seal_info_raw: info.raw,
        header_id,
        header_version,
        vid,
        es_id,
        seal_type,
        name,
        cert_list_type,
        cert_list,
        create_date,
        valid_start,
        valid_end,
        picture_type,
        picture,
        picture_width,
        picture_height,
        maker_cert: cert.content,
        maker_cert_tlv: cert.raw,
        maker_alg,
        maker_alg_tlv: alg.raw,
        maker_signature: value,
    })
}

/// Parses a standalone SESeal (an .esl file).
pub fn parse_seal(bytes: &[u8]) -> Result<Seal<'_>, SesError> {
    parse_seal_tlv(&tlv::read_der_padded(bytes)?)
}

/// Parses an SES_Signature of either version.
pub fn parse(bytes: &[u8]) -> Result<SesSignature<'_>, SesError> {
    let top = tlv::read_der_padded(bytes)?;
    let parts = seq(Some(&top), "SES_Signature is not a SEQUENCE")?;
    let tbs = parts.first().ok_or(SesError::Shape("no TBS_Sign"))?;
    let t = seq(Some(tbs), "TBS_Sign is not a SEQUENCE")?;
    let version = integer(t.first(), "TBS_Sign version")?;
    let seal_tlv = t.get(1).ok_or(SesError::Shape("no eseal"))?;
    let seal = parse_seal_tlv(seal_tlv)?;
    let time_info = time_of(t.get(2));
    let data_hash = bit_content(t.get(3), "dataHash")?;
    let property_info = text(t.get(4), "propertyInfo")?;
    match parts.len() {
        2 => {
            // v1: the signer's certificate and algorithm sit in TBS_Sign.
            let cert = want(t.get(5), tlv::OCTET_STRING, "TBS_Sign cert")?;
            let alg = oid(t.get(6), "TBS_Sign signatureAlgorithm")?;
            let signature = bit_content(parts.get(1), "signature")?;
            Ok(SesSignature {
                format: Format::SesV1,
                version,
                tbs_raw: tbs.raw,
                seal,
                time_info,
                data_hash,
                property_info,
                signer_cert: cert.content,
                signature_alg: alg,
                signature,
                timestamp: None,
            })
        }
        4 | 5 => {
            let cert = want(parts.get(1), tlv::OCTET_STRING, "cert")?;
            let alg = oid(parts.get(2), "signatureAlgID")?;
            let signature = bit_content(parts.get(3), "signature")?;
            let timestamp = match parts.get(4) {
                Some(ts) if ts.context() == Some(0) => {
                    // [0] EXPLICIT BIT STRING; some write the token directly.
                    Some(match tlv::read_der(ts.content) {
                        Ok((inner, rest)) if rest.is_empty() && inner.tag == tlv::BIT_STRING => {
                            inner.content.get(1..).unwrap_or(&[])
                        }
                        _ => ts.content,
                    })
                }
                Some(_) => return Err(SesError::Shape("element after signature")),
                None => None,
            };
            Ok(SesSignature {
                format: Format::SesV4,
                version,
                tbs_raw: tbs.raw,
                seal,
                time_info,
                data_hash,
                property_info,
                signer_cert: cert.content,
                signature_alg: alg,
                signature,
                timestamp,
            })
        }
        _ => Err(SesError::Shape(
            "SES_Signature has neither 2 nor 4-5 elements",
        )),
    }
}

/// Recognises an SES_Signature by its structure; `None` when it is not one.
pub fn sniff_version(contents: &[u8]) -> Option<Format> {
    if contents.first() != Some(&0x30) {
        return None;
    }
    parse(contents).ok().map(|s| s.format)
}

/// What the record shows of the seal's version.
pub fn structure_name(format: Format) -> &'static str {
    match format {
        Format::SesV1 => "GM/T 0031-2014 (v1)",
        _ => "GB/T 38540-2020 (v4)",
    }
}

/// A digest an SES or CMS signature algorithm names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestName {
    Sm3,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestName {
    pub fn name(self) -> &'static str {
        match self {
            DigestName::Sm3 => "sm3",
            DigestName::Sha256 => "sha256",
            DigestName::Sha384 => "sha384",
            DigestName::Sha512 => "sha512",
        }
    }

    /// The digest by its algorithm OID.
    pub fn from_oid(oid: &str) -> Option<Self> {
        match oid {
            "1.2.156.10197.1.401" => Some(DigestName::Sm3),
            "2.16.840.1.101.3.4.2.1" => Some(DigestName::Sha256),
            "2.16.840.1.101.3.4.2.2" => Some(DigestName::Sha384),
            "2.16.840.1.101.3.4.2.3" => Some(DigestName::Sha512),
            _ => None,
        }
    }

    pub fn digest(self, pieces: &[&[u8]]) -> Vec<u8> {
        fn run<D: sha2::Digest>(pieces: &[&[u8]]) -> Vec<u8> {
            let mut h = D::new();
            for p in pieces {
                h.update(p);
            }
            h.finalize().to_vec()
        }
        match self {
            DigestName::Sm3 => run::<sm3::Sm3>(pieces),
            DigestName::Sha256 => run::<sha2::Sha256>(pieces),
            DigestName::Sha384 => run::<sha2::Sha384>(pieces),
            DigestName::Sha512 => run::<sha2::Sha512>(pieces),
        }
    }
}

/// A signature algorithm certcheck verifies, with the digest it implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigAlg {
    /// SM2 over SM3(Z ‖ M).
    Sm2,
    RsaPkcs1(DigestName),
    Ecdsa(DigestName),
}

impl SigAlg {
    /// The algorithm an OID names; `digest` is the separately named digest
    /// where the OID names only the key type (CMS rsaEncryption).
    pub fn from_oid(oid: &str, digest: Option<DigestName>) -> Option<Self> {
        use DigestName::*;
        match oid {
            OID_SM3_WITH_SM2 | OID_SM2_SIGN => Some(SigAlg::Sm2),
            "1.2.840.113549.1.1.11" => Some(SigAlg::RsaPkcs1(Sha256)),
            "1.2.840.113549.1.1.12" => Some(SigAlg::RsaPkcs1(Sha384)),
            "1.2.840.113549.1.1.13" => Some(SigAlg::RsaPkcs1(Sha512)),
            "1.2.840.113549.1.1.1" => digest.filter(|d| *d != Sm3).map(SigAlg::RsaPkcs1),
            "1.2.840.10045.4.3.2" => Some(SigAlg::Ecdsa(Sha256)),
            "1.2.840.10045.4.3.3" => Some(SigAlg::Ecdsa(Sha384)),
            "1.2.840.10045.2.1" => digest.filter(|d| *d != Sm3).map(SigAlg::Ecdsa),
            _ => None,
        }
    }

    /// The digest the signed data is hashed with (dataHash, messageDigest).
    pub fn digest(self) -> DigestName {
        match self {
            SigAlg::Sm2 => DigestName::Sm3,
            SigAlg::RsaPkcs1(d) | SigAlg::Ecdsa(d) => d,
        }
    }

    /// The record's name for it, as the CMS checks write it.
    pub fn name(self) -> String {
        match self {
            SigAlg::Sm2 => "sm2-sm3".into(),
            SigAlg::RsaPkcs1(d) => format!("rsa-pkcs1-{}", d.name()),
            SigAlg::Ecdsa(d) => format!("ecdsa-{}", d.name()),
        }
    }
}

const OID_EC_P256: &str = "1.2.840.10045.3.1.7";
const OID_EC_P384: &str = "1.3.132.0.34";
const OID_EC_SM2: &str = "1.2.156.10197.1.301";

/// Verifies `value` over `message` under the key of the certificate
/// `cert_der` with `alg`; returns the variant that verified. SM2 keys go to
/// [`sm2::verify_any`] whatever the OID said (a certificate on the SM2
/// curve signs with SM2); RSA PKCS#1 v1.5 (2048 bits and up) and ECDSA
/// P-256/P-384 go to ring.
pub fn verify_by_certificate(
    cert_der: &[u8],
    alg: SigAlg,
    message: &[u8],
    value: &[u8],
) -> Result<String, String> {
    use ring::signature as rs;
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(cert_der) else {
        return Err("the certificate does not parse".into());
    };
    let spki = cert.public_key();
    let key = spki.subject_public_key.data.as_ref();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string());
    let key_is_sm2 = curve.as_deref() == Some(OID_EC_SM2)
        || spki.algorithm.algorithm.to_id_string() == OID_EC_SM2;
    if key_is_sm2 || alg == SigAlg::Sm2 {
        return sm2::verify_any(key, message, value)
            .map(|enc| format!("SM2, {enc}"))
            .map_err(|e| e.to_string());
    }
    let ring_alg: &dyn rs::VerificationAlgorithm = match (alg, curve.as_deref()) {
        (SigAlg::RsaPkcs1(DigestName::Sha256), _) => &rs::RSA_PKCS1_2048_8192_SHA256,
        (SigAlg::RsaPkcs1(DigestName::Sha384), _) => &rs::RSA_PKCS1_2048_8192_SHA384,
        (SigAlg::RsaPkcs1(DigestName::Sha512), _) => &rs::RSA_PKCS1_2048_8192_SHA512,
        (SigAlg::Ecdsa(DigestName::Sha256), Some(OID_EC_P256)) => &rs::ECDSA_P256_SHA256_ASN1,
        (SigAlg::Ecdsa(DigestName::Sha384), Some(OID_EC_P256)) => &rs::ECDSA_P256_SHA384_ASN1,
        (SigAlg::Ecdsa(DigestName::Sha256), Some(OID_EC_P384)) => &rs::ECDSA_P384_SHA256_ASN1,
        (SigAlg::Ecdsa(DigestName::Sha384), Some(OID_EC_P384)) => &rs::ECDSA_P384_SHA384_ASN1,
        _ => return Err(format!("{} with this key is not supported", alg.name())),
    };
    rs::UnparsedPublicKey::new(ring_alg, key)
        .verify(message, value)
        .map(|()| alg.name())
        .map_err(|_| "the signature does not verify (or the RSA key is under 2048 bits)".into())
}

/// A certificate's summary and SEC1 public key.
pub(crate) struct CertFacts {
    pub info: SignerInfo,
    pub not_after: Option<OffsetDateTime>,
}

/// What the record shows of a seal, `maker` being its maker's subject;
/// whoever checks the maker's signature fills in its two fields.
pub(crate) fn seal_info(seal: &Seal, maker: Option<String>) -> SealInfo {
    SealInfo {
        structure: structure_name(seal.format).to_string(),
        version: Some(seal.header_version),
        seal_id: Some(seal.es_id.clone()),
        name: Some(seal.name.clone()),
        seal_type: Some(seal.seal_type),
        valid_from: seal.valid_start.map(rfc3339),
        valid_to: seal.valid_end.map(rfc3339),
        maker,
        picture_type: Some(seal.picture_type.clone()),
        maker_signature_ok: None,
        maker_signature_form: None,
    }
}

pub(crate) fn cert_facts(der_bytes: &[u8]) -> Option<CertFacts> {
    let (_, cert) = x509_parser::parse_x509_certificate(der_bytes).ok()?;
    let ts =
        |t: &x509_parser::time::ASN1Time| OffsetDateTime::from_unix_timestamp(t.timestamp()).ok();
    let nb = ts(&cert.validity().not_before);
    let na = ts(&cert.validity().not_after);
    Some(CertFacts {
        info: SignerInfo {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            serial: cert.raw_serial_as_string(),
            not_before: nb.map(rfc3339).unwrap_or_default(),
            not_after: na.map(rfc3339).unwrap_or_default(),
            sha256: hex::encode(sha2::Sha256::digest(der_bytes)),
        },
        not_after: na,
    })
}

/// The forms of the seal a maker's signature is found over, in the order
/// tried (docs/national-seals.md says which producers use which).
fn maker_forms(seal: &Seal<'_>) -> Vec<(&'static str, Vec<u8>)> {
    let mut body = Vec::new();
    body.extend_from_slice(seal.seal_info_raw);
    body.extend_from_slice(seal.maker_cert_tlv);
    body.extend_from_slice(seal.maker_alg_tlv);
    let wrapped = tlv::encode(tlv::SEQUENCE, &body);
    vec![
        ("DER(SES_SealInfo)", seal.seal_info_raw.to_vec()),
        (
            "DER(SEQUENCE{SES_SealInfo, cert, signatureAlgorithm})",
            wrapped,
        ),
        ("SES_SealInfo || cert || signatureAlgorithm", body),
    ]
}

/// The outcome of the maker's signature over the seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MakerCheck {
    /// (form of the seal, algorithm and encoding of the value).
    Verified(&'static str, String),
    Failed(String),
}

pub fn check_maker_signature(seal: &Seal<'_>) -> MakerCheck {
    let Some(alg) = SigAlg::from_oid(&seal.maker_alg, None) else {
        return MakerCheck::Failed(format!(
            "the maker signed with {}, which certcheck cannot check",
            seal.maker_alg
        ));
    };
    let mut why = String::from("no known form of the seal verifies under the maker's key");
    for (form, message) in maker_forms(seal) {
        match verify_by_certificate(seal.maker_cert, alg, &message, seal.maker_signature) {
            Ok(enc) => return MakerCheck::Verified(form, enc),
            Err(e) if e.contains("parse") || e.contains("supported") => why = e,
            Err(_) => {}
        }
    }
    MakerCheck::Failed(why)
}

/// Whether `signer` (DER) is one of the certificates the seal lists, and how
/// that was established.
pub fn signer_in_cert_list(seal: &Seal<'_>, signer: &[u8]) -> Option<&'static str> {
    if seal.cert_list.certs.contains(&signer) {
        return Some("certificate listed by value");
    }
    seal.cert_list
        .digests
        .iter()
        .any(|(alg, value)| {
            digest_named(alg, signer)
                .into_iter()
                .any(|(_, d)| d == *value)
        })
        .then_some("certificate listed by digest")
}

/// Digests of `data` under `alg` (a name or OID); an unrecognised name
/// gives every supported digest, so a list naming its algorithm oddly still
/// matches only a real digest of the certificate.
fn digest_named(alg: &str, data: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let a = alg.trim().to_ascii_lowercase().replace(['-', '_'], "");
    let sm3 = || ("sm3", sm3::Sm3::digest(data).to_vec());
    let sha256 = || ("sha256", sha2::Sha256::digest(data).to_vec());
    let sha1 = || ("sha1", <sha1::Sha1 as sha1::Digest>::digest(data).to_vec());
    match a.as_str() {
        "sm3" | "1.2.156.10197.1.401" => vec![sm3()],
        "sha256" | "2.16.840.1.101.3.4.2.1" => vec![sha256()],
        "sha1" | "1.3.14.3.2.26" => vec![sha1()],
        _ => vec![sm3(), sha256(), sha1()],
    }
}

/// The time the seal and certificates are judged at: timeInfo as claimed,
/// unless dates the signed revision carries are more than a day later
/// (SPEC.md): then the latest such date.
fn judged_time(
    claimed: OffsetDateTime,
    ctx: &CheckContext,
    reasons: &mut Vec<Reason>,
) -> (OffsetDateTime, SigningTimeSource) {
    // A covering document timestamp proves the seal existed by then.
    if let Some(t) = ctx.doc_timestamp {
        if claimed > t + time::Duration::days(1) {
            reasons.push(Reason::detail(
                Code::SigningTimeContradicted,
                format!(
                    "timeInfo {} but a document timestamp proves the seal existed by {}",
                    rfc3339(claimed),
                    rfc3339(t)
                ),
            ));
        }
        return (t, SigningTimeSource::DocTimestamp);
    }
    let latest = ctx.document_dates.iter().max().copied();
    match latest {
        Some(d) if d > claimed + time::Duration::days(1) => {
            reasons.push(Reason::detail(
                Code::SigningTimeContradicted,
                format!(
                    "timeInfo {} but the document is dated {}",
                    rfc3339(claimed),
                    rfc3339(d)
                ),
            ));
            (d, SigningTimeSource::DocumentDate)
        }
        _ => {
            reasons.push(Reason::new(Code::SigningTimeClaimed));
            (claimed, SigningTimeSource::Claimed)
        }
    }
}

/// Every fact of one SES_Signature except the data hash (for standalone
/// seal objects there is no document to hash).
pub struct SesFacts {
    pub check: ValueCheck,
    pub maker: Option<SignerInfo>,
    pub maker_trusted_issuer: Option<String>,
    pub signer_trusted_issuer: Option<String>,
    pub signer_in_list: Option<&'static str>,
    pub signature_encoding: Option<String>,
}

/// Checks everything of `ses` that does not need the signed document.
pub fn check_parsed(ses: &SesSignature<'_>, ctx: &CheckContext) -> SesFacts {
    let alg = SigAlg::from_oid(&ses.signature_alg, None);
    let mut vc = ValueCheck {
        format: ses.format,
        digest_algorithm: alg.map(|a| a.digest().name().to_string()),
        signature_algorithm: Some(alg.map_or_else(|| ses.signature_alg.clone(), SigAlg::name)),
        ..ValueCheck::default()
    };
    let seal = &ses.seal;
    let maker = cert_facts(seal.maker_cert);
    let mut info = seal_info(seal, maker.as_ref().map(|m| m.info.subject.clone()));
    if seal.format != ses.format {
        vc.reasons.push(Reason::detail(
            Code::SesUnparseable,
            "the seal's structure version differs from the signature's",
        ));
    }

    // The seal was made by its maker.
    match check_maker_signature(seal) {
        MakerCheck::Verified(form, enc) => {
            info.maker_signature_ok = Some(true);
            info.maker_signature_form = Some(format!("{form}, {enc}"));
        }
        MakerCheck::Failed(why) => {
            info.maker_signature_ok = Some(false);
            vc.reasons
                .push(Reason::detail(Code::SesSealSignatureInvalid, why));
        }
    }

    // The signer is one the seal was issued to.
    let signer = cert_facts(ses.signer_cert);
    let signer_in_list = signer_in_cert_list(seal, ses.signer_cert);
    if signer_in_list.is_none() {
        vc.reasons.push(Reason::new(Code::SesSignerNotInSeal));
    }

    // The signature over TBS_Sign.
    let mut signature_encoding = None;
    match (&signer, alg) {
        (None, _) => {
            vc.reasons.push(Reason::detail(
                Code::SignerCertificateMissing,
                "the signer's certificate in the SES_Signature does not parse",
            ));
        }
        (Some(_), None) => {
            vc.reasons.push(Reason::detail(
                Code::AlgorithmUnsupported,
                format!("SES_Signature algorithm {}", ses.signature_alg),
            ));
        }
        (Some(_), Some(alg)) => {
            match verify_by_certificate(ses.signer_cert, alg, ses.tbs_raw, ses.signature) {
                Ok(enc) => {
                    vc.signature_ok = Some(true);
                    signature_encoding = Some(enc);
                }
                Err(e) => {
                    vc.signature_ok = Some(false);
                    vc.reasons
                        .push(Reason::detail(Code::SignatureValueInvalid, e));
                }
            }
        }
    }
    vc.signer = signer.as_ref().map(|s| s.info.clone());

    // Time: timeInfo is what the signer claims; a v4 timeStamp would prove it.
    let mut maker_trusted = None;
    let mut signer_trusted = None;
    match ses.time_info {
        None => vc.reasons.push(Reason::detail(
            Code::SesUnparseable,
            "timeInfo is missing or unreadable",
        )),
        Some(claimed) => {
            let (at, source) = judged_time(claimed, ctx, &mut vc.reasons);
            vc.signing_time = Some(at);
            vc.signing_time_source = Some(source);
            match (seal.valid_start, seal.valid_end) {
                (Some(a), Some(b)) if a <= at && at <= b => {}
                (Some(a), Some(b)) => vc.reasons.push(Reason::detail(
                    Code::SesSealExpired,
                    format!(
                        "seal valid {} to {}, used {}",
                        rfc3339(a),
                        rfc3339(b),
                        rfc3339(at)
                    ),
                )),
                _ => vc.reasons.push(Reason::detail(
                    Code::SesSealExpired,
                    "the seal's validity period is unreadable",
                )),
            }

            // Both certificates chain to known issuers at that time.
            let mut bag: Vec<Vec<u8>> = vec![seal.maker_cert.to_vec(), ses.signer_cert.to_vec()];
            bag.extend(seal.cert_list.certs.iter().map(|c| c.to_vec()));
            let maker_chain = chain::build(seal.maker_cert, &bag, ctx.trust, at);
            let signer_chain = chain::build(ses.signer_cert, &bag, ctx.trust, at);
            for r in maker_chain.reasons {
                let mut r = r;
                r.message = format!("{} [the seal maker's certificate]", r.message);
                vc.reasons.push(r);
            }
            vc.reasons.extend(signer_chain.reasons);
            maker_trusted = maker_chain.trusted_issuer;
            signer_trusted = signer_chain.trusted_issuer;
            if maker_trusted.is_none() && !vc.reasons.iter().any(|r| r.code == Code::NotTrusted) {
                vc.reasons.push(Reason::detail(
                    Code::NotTrusted,
                    "the seal maker's certificate does not chain to a known issuer",
                ));
            }
            if signer_trusted.is_some() && maker_trusted.is_some() {
                vc.trusted_issuer = signer_trusted.clone();
                vc.chain = signer_chain.path;
            }
            if let (Some(s), Some(_)) = (&signer, &signer_trusted) {
                if s.not_after.is_some_and(|na| na < ctx.now && na >= at) {
                    vc.reasons.push(Reason::new(Code::CertificateExpiredSince));
                }
            }
        }
    }
    vc.seal = Some(info);
    SesFacts {
        check: vc,
        maker: maker.map(|m| m.info),
        maker_trusted_issuer: maker_trusted,
        signer_trusted_issuer: signer_trusted,
        signer_in_list,
        signature_encoding,
    }
}

/// Checks an SES_Signature over the signed bytes.
pub fn check(contents: &[u8], signed: &[&[u8]], ctx: &CheckContext) -> ValueCheck {
    let ses = match parse(contents) {
        Ok(s) => s,
        Err(e) => {
            return ValueCheck {
                format: sniff_format_hint(contents),
                reasons: vec![Reason::detail(Code::SesUnparseable, e.to_string())],
                ..ValueCheck::default()
            }
        }
    };
    let mut vc = check_parsed(&ses, ctx).check;
    // dataHash: the digest the signature algorithm names (SM3 for
    // SM3withSM2) of the ByteRange bytes.
    let digest = SigAlg::from_oid(&ses.signature_alg, None)
        .map_or(DigestName::Sm3, SigAlg::digest)
        .digest(signed);
    let ok = ses.data_hash == digest.as_slice();
    vc.digest_ok = Some(ok);
    if !ok {
        vc.reasons.push(Reason::detail(
            Code::SesDataHashMismatch,
            format!(
                "dataHash {} but the signed bytes hash to {}",
                hex::encode(ses.data_hash),
                hex::encode(digest)
            ),
        ));
    }
    vc
}

/// The version to report for bytes that did not parse.
fn sniff_format_hint(contents: &[u8]) -> Format {
    sniff_version(contents).unwrap_or(Format::SesV4)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::trust::TrustStore;

    /// /Contents (decoded) and the ByteRange pieces of the first signature
    /// of a corpus PDF, found by a plain byte search (test scaffolding, not
    /// the project's PDF reader).
    pub(crate) fn contents_and_pieces(bytes: &[u8]) -> (Vec<u8>, Vec<(usize, usize)>) {
        let re = regex::bytes::Regex::new(r"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")
            .unwrap();
        let c = re.captures(bytes).unwrap();
        let n = |i: usize| -> usize { std::str::from_utf8(&c[i]).unwrap().parse().unwrap() };
        let (a, b, cc, d) = (n(1), n(2), n(3), n(4));
        let hex_start = a + b + 1;
        let hex_end = cc - 1;
        let hex = std::str::from_utf8(&bytes[hex_start..hex_end]).unwrap();
        let contents = hex::decode(hex.trim()).unwrap();
        (contents, vec![(a, a + b), (cc, cc + d)])
    }

    pub(crate) fn corpus(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/corpus/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn ctx(trust: &TrustStore) -> CheckContext<'_> {
        CheckContext {
            trust,
            document_dates: Vec::new(),
            claimed_m: None,
            doc_timestamp: None,
            now: OffsetDateTime::now_utc(),
        }
    }

    fn run(name: &str) -> (Format, ValueCheck) {
        let bytes = corpus(name);
        let (contents, pieces) = contents_and_pieces(&bytes);
        let signed: Vec<&[u8]> = pieces.iter().map(|&(a, b)| &bytes[a..b]).collect();
        let trust = TrustStore::empty();
        let format = sniff_version(&contents).expect("recognised as SES");
        (format, check(&contents, &signed, &ctx(&trust)))
    }

    fn codes(vc: &ValueCheck) -> Vec<Code> {
        vc.reasons.iter().map(|r| r.code).collect()
    }

    /// The check gave every code of `has` and none of `lacks`.
    fn assert_codes(vc: &ValueCheck, has: &[Code], lacks: &[Code]) {
        let c = codes(vc);
        for code in has {
            assert!(c.contains(code), "{code:?} not in {c:?}");
        }
        for code in lacks {
            assert!(!c.contains(code), "{code:?} in {c:?}");
        }
    }

    #[test]
    fn v4_corpus_seal_checks() {
        let (format, vc) = run("authentic-ses-v4.pdf");
        assert_eq!(format, Format::SesV4);
        assert_eq!(vc.format, Format::SesV4);
        assert_eq!(vc.signature_ok, Some(true));
        assert_eq!(vc.digest_ok, Some(true));
        let seal = vc.seal.as_ref().unwrap();
        assert_eq!(seal.seal_id.as_deref(), Some("11010020250000000417"));
        assert_eq!(
            seal.name.as_deref(),
            Some("人力资源和社会保障部人事考试中心电子证书专用章")
        );
        assert_eq!(seal.seal_type, Some(1));
        assert_eq!(seal.version, Some(4));
        assert_eq!(seal.picture_type.as_deref(), Some("png"));
        assert_eq!(seal.valid_from.as_deref(), Some("2025-01-01T00:00:00Z"));
        assert_eq!(seal.valid_to.as_deref(), Some("2035-12-31T23:59:59Z"));
        assert_eq!(seal.maker_signature_ok, Some(true));
        assert!(seal
            .maker_signature_form
            .as_deref()
            .unwrap()
            .starts_with("DER(SES_SealInfo),"));
        assert!(seal
            .maker
            .as_deref()
            .unwrap()
            .contains("测试电子印章制作系统"));
        assert!(vc
            .signer
            .as_ref()
            .unwrap()
            .subject
            .contains("人力资源和社会保障部人事考试中心"));
        assert_eq!(
            vc.signing_time.map(rfc3339).as_deref(),
            Some("2026-11-28T07:15:32Z")
        );
        assert_eq!(
            vc.signing_time_source,
            Some(crate::report::SigningTimeSource::Claimed)
        );
        assert_codes(
            &vc,
            &[],
            &[
                Code::SesSealSignatureInvalid,
                Code::SesSignerNotInSeal,
                Code::SesDataHashMismatch,
                Code::SesSealExpired,
                Code::SignatureValueInvalid,
                Code::SesUnparseable,
            ],
        );
    }

    #[test]
    fn v1_corpus_seal_checks() {
        let (format, vc) = run("authentic-ses-v1.pdf");
        assert_eq!(format, Format::SesV1);
        assert_eq!(vc.signature_ok, Some(true));
        assert_eq!(vc.digest_ok, Some(true));
        let seal = vc.seal.as_ref().unwrap();
        assert_eq!(seal.structure, "GM/T 0031-2014 (v1)");
        assert_eq!(seal.seal_id.as_deref(), Some("11010020250000000418"));
        assert!(seal
            .maker_signature_form
            .as_deref()
            .unwrap()
            .starts_with("DER(SEQUENCE{SES_SealInfo, cert, signatureAlgorithm})"));
        assert_eq!(
            vc.signing_time.map(rfc3339).as_deref(),
            Some("2026-11-28T07:15:34Z")
        );
        assert_codes(
            &vc,
            &[],
            &[
                Code::SesSignerNotInSeal,
                Code::SesSealExpired,
                Code::SesSealSignatureInvalid,
            ],
        );
    }

    #[test]
    fn byte_edit_gives_data_hash_mismatch_only() {
        let (_, vc) = run("altered-ses-v4-byte-edit.pdf");
        assert_eq!(vc.signature_ok, Some(true));
        assert_eq!(vc.digest_ok, Some(false));
        assert_codes(
            &vc,
            &[Code::SesDataHashMismatch],
            &[Code::SesSignerNotInSeal, Code::SesSealSignatureInvalid],
        );
    }

    #[test]
    fn signer_not_in_cert_list() {
        let (_, vc) = run("invalid-ses-v4-signer-not-in-certlist.pdf");
        assert_eq!(vc.signature_ok, Some(true));
        assert_eq!(vc.digest_ok, Some(true));
        assert_codes(
            &vc,
            &[Code::SesSignerNotInSeal],
            &[Code::SesSealSignatureInvalid],
        );
    }

    #[test]
    fn cms_is_not_ses_and_garbage_is_unparseable() {
        let bytes = corpus("authentic-sm2-sm3.pdf");
        let (contents, _) = contents_and_pieces(&bytes);
        assert_eq!(sniff_version(&contents), None);
        assert_eq!(sniff_version(&[]), None);
        assert_eq!(sniff_version(&[0x30, 0x03, 0x02, 0x01, 0x04]), None);
        let trust = TrustStore::empty();
        let vc = check(&[0x30, 0x82, 0xff], &[], &ctx(&trust));
        assert!(codes(&vc).contains(&Code::SesUnparseable));
    }

    #[test]
    fn every_truncation_and_bit_flip_is_handled_without_panic() {
        let bytes = corpus("authentic-ses-v4.pdf");
        let (contents, pieces) = contents_and_pieces(&bytes);
        let signed: Vec<&[u8]> = pieces.iter().map(|&(a, b)| &bytes[a..b]).collect();
        let trust = TrustStore::empty();
        let end = contents.iter().rposition(|&b| b != 0).unwrap() + 1;
        for cut in (0..end).step_by(97) {
            let vc = check(&contents[..cut], &signed, &ctx(&trust));
            assert!(vc.signature_ok != Some(true) || vc.digest_ok != Some(true) || cut == end);
        }
        // A flipped bit anywhere in the structure never leaves every
        // check passing.
        for pos in (0..end).step_by(131) {
            let mut m = contents.clone();
            m[pos] ^= 0x04;
            let vc = check(&m, &signed, &ctx(&trust));
            let c = codes(&vc);
            let all_ok = vc.signature_ok == Some(true)
                && vc.digest_ok == Some(true)
                && !c.iter().any(|c| {
                    matches!(
                        c,
                        Code::SesSealSignatureInvalid
                            | Code::SesSignerNotInSeal
                            | Code::SesSealExpired
                            | Code::SesUnparseable
                    )
                });
            assert!(!all_ok, "flip at {pos} left the seal valid");
        }
    }

    #[test]
    fn v4_timestamp_field_is_read_and_other_trailers_refused() {
        let bytes = corpus("authentic-ses-v4.pdf");
        let (contents, _) = contents_and_pieces(&bytes);
        let top = tlv::read_der_padded(&contents).unwrap();
        let token = [0x30u8, 0x03, 0x02, 0x01, 0x07];
        let mut inner = top.content.to_vec();
        let mut bit = vec![0x03, (token.len() + 1) as u8, 0x00];
        bit.extend(token);
        inner.extend(tlv::der_header(0xa0, bit.len()));
        inner.extend(&bit);
        let mut with_ts = tlv::der_header(0x30, inner.len());
        with_ts.extend(&inner);
        let parsed = parse(&with_ts).unwrap();
        assert_eq!(parsed.format, Format::SesV4);
        assert_eq!(parsed.timestamp, Some(&token[..]));
        // A sixth element, or a trailer that is not [0], is not SES.
        let mut odd = top.content.to_vec();
        odd.extend([0x02, 0x01, 0x00]);
        let mut odd_full = tlv::der_header(0x30, odd.len());
        odd_full.extend(&odd);
        assert!(parse(&odd_full).is_err());
        // Non-zero bytes after the structure are refused; zero padding is not.
        let end = contents.iter().rposition(|&b| b != 0).unwrap() + 1;
        let mut trailing = contents[..end].to_vec();
        trailing.push(1);
        assert!(parse(&trailing).is_err());
        trailing.pop();
        trailing.extend([0u8; 10]);
        assert!(parse(&trailing).is_ok());
    }

    #[test]
    fn algorithms_name_their_digests() {
        assert_eq!(SigAlg::from_oid(OID_SM3_WITH_SM2, None), Some(SigAlg::Sm2));
        assert_eq!(SigAlg::from_oid(OID_SM2_SIGN, None), Some(SigAlg::Sm2));
        assert_eq!(SigAlg::Sm2.digest(), DigestName::Sm3);
        assert_eq!(SigAlg::Sm2.name(), "sm2-sm3");
        let rsa = SigAlg::from_oid("1.2.840.113549.1.1.11", None).unwrap();
        assert_eq!(rsa.name(), "rsa-pkcs1-sha256");
        assert_eq!(
            SigAlg::from_oid("1.2.840.113549.1.1.1", Some(DigestName::Sha384)),
            Some(SigAlg::RsaPkcs1(DigestName::Sha384))
        );
        // rsaEncryption says nothing of the digest: without one it is not
        // guessed, and SM3 with RSA is not a combination in use.
        assert_eq!(SigAlg::from_oid("1.2.840.113549.1.1.1", None), None);
        assert_eq!(
            SigAlg::from_oid("1.2.840.113549.1.1.1", Some(DigestName::Sm3)),
            None
        );
        // MD5 and SHA-1 with RSA are not accepted for seals.
        assert_eq!(SigAlg::from_oid("1.2.840.113549.1.1.4", None), None);
        assert_eq!(SigAlg::from_oid("1.2.840.113549.1.1.5", None), None);
        assert_eq!(
            hex::encode(DigestName::Sm3.digest(&[b"a", b"bc"])),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            DigestName::Sha256.digest(&[b"abc"]),
            sha2::Sha256::digest(b"abc").to_vec()
        );
    }

    #[test]
    fn times_parse() {
        let t = |s: &str, g| parse_time(s.as_bytes(), g).map(rfc3339);
        assert_eq!(
            t("261128071534Z", false).as_deref(),
            Some("2026-11-28T07:15:34Z")
        );
        assert_eq!(
            t("20261128071534Z", true).as_deref(),
            Some("2026-11-28T07:15:34Z")
        );
        assert_eq!(
            t("20261128071534.123Z", true).as_deref(),
            Some("2026-11-28T07:15:34Z")
        );
        assert_eq!(
            t("20261128151534+0800", true).as_deref(),
            Some("2026-11-28T07:15:34Z")
        );
        assert_eq!(
            t("991231235959Z", false).as_deref(),
            Some("1999-12-31T23:59:59Z")
        );
        assert_eq!(t("20261328071534Z", true), None);
        assert_eq!(t("2026", true), None);
    }
}
