//! Signature algorithms by OID, verified through ring (RSA, ECDSA, Ed25519)
//! and [`super::sm2`] (SM2). One entry point for CMS signer infos,
//! certificates and timestamps, so each algorithm rule lives here once.

use ring::signature as rs;
use sha2::Digest as _;
use thiserror::Error;

use super::cms::tlv::{self, Tlv};
use crate::report::{Code, Reason};

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum AlgorithmError {
    #[error("unsupported algorithm {0}")]
    Unsupported(String),
    #[error("forbidden algorithm: {0}")]
    Forbidden(String),
    #[error("the public key cannot be used: {0}")]
    BadKey(String),
    #[error("the signature does not verify")]
    Mismatch,
}

impl AlgorithmError {
    /// The reason a failed verification gives in the record.
    pub fn reason(&self, what: &str) -> Reason {
        let detail = format!("{what}: {self}");
        match self {
            AlgorithmError::Unsupported(_) => Reason::detail(Code::AlgorithmUnsupported, detail),
            AlgorithmError::Forbidden(_) => Reason::detail(Code::AlgorithmForbidden, detail),
            AlgorithmError::BadKey(_) | AlgorithmError::Mismatch => {
                Reason::detail(Code::SignatureValueInvalid, detail)
            }
        }
    }
}

pub const OID_RSA: &str = "1.2.840.113549.1.1.1";
pub const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
pub const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
pub const OID_P256: &str = "1.2.840.10045.3.1.7";
pub const OID_P384: &str = "1.3.132.0.34";
pub const OID_SM2_CURVE: &str = "1.2.156.10197.1.301";
pub const OID_SM2_SIGN: &str = "1.2.156.10197.1.301.1";
pub const OID_SM3_WITH_SM2: &str = "1.2.156.10197.1.501";
pub const OID_ED25519: &str = "1.3.101.112";
pub const OID_SM3: &str = "1.2.156.10197.1.401";

/// Message digests certcheck knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sm3,
}

impl DigestAlgorithm {
    pub fn from_oid(oid: &str) -> Option<Self> {
        Some(match oid {
            "1.2.840.113549.2.5" => DigestAlgorithm::Md5,
            "1.3.14.3.2.26" => DigestAlgorithm::Sha1,
            "2.16.840.1.101.3.4.2.4" => DigestAlgorithm::Sha224,
            "2.16.840.1.101.3.4.2.1" => DigestAlgorithm::Sha256,
            "2.16.840.1.101.3.4.2.2" => DigestAlgorithm::Sha384,
            "2.16.840.1.101.3.4.2.3" => DigestAlgorithm::Sha512,
            OID_SM3 | "1.2.156.10197.1.401.1" => DigestAlgorithm::Sm3,
            // Some signers put the signature OID where the digest belongs.
            "1.2.840.113549.1.1.5" => DigestAlgorithm::Sha1,
            "1.2.840.113549.1.1.11" => DigestAlgorithm::Sha256,
            "1.2.840.113549.1.1.12" => DigestAlgorithm::Sha384,
            "1.2.840.113549.1.1.13" => DigestAlgorithm::Sha512,
            "1.2.840.113549.1.1.4" => DigestAlgorithm::Md5,
            OID_SM3_WITH_SM2 => DigestAlgorithm::Sm3,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "md5",
            DigestAlgorithm::Sha1 => "sha1",
            DigestAlgorithm::Sha224 => "sha224",
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
            DigestAlgorithm::Sm3 => "sm3",
        }
    }

    /// The digest of the concatenation of `pieces`.
    pub fn digest(self, pieces: &[&[u8]]) -> Vec<u8> {
        fn run<D: digest::Digest>(pieces: &[&[u8]]) -> Vec<u8> {
            let mut h = D::new();
            for p in pieces {
                h.update(p);
            }
            h.finalize().to_vec()
        }
        match self {
            DigestAlgorithm::Md5 => run::<md5::Md5>(pieces),
            DigestAlgorithm::Sha1 => run::<sha1::Sha1>(pieces),
            DigestAlgorithm::Sha224 => run::<sha2::Sha224>(pieces),
            DigestAlgorithm::Sha256 => run::<sha2::Sha256>(pieces),
            DigestAlgorithm::Sha384 => run::<sha2::Sha384>(pieces),
            DigestAlgorithm::Sha512 => run::<sha2::Sha512>(pieces),
            DigestAlgorithm::Sm3 => run::<sm3::Sm3>(pieces),
        }
    }

    /// A digest algorithm that must not be relied on.
    pub fn forbidden(self) -> bool {
        self == DigestAlgorithm::Md5
    }
}

/// The kind of a subject public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    Rsa { bits: usize },
    EcP256,
    EcP384,
    Sm2,
    Ed25519,
    Other(String),
}

/// A parsed SubjectPublicKeyInfo.
#[derive(Debug, Clone)]
pub struct PublicKey {
    pub kind: KeyKind,
    /// The subjectPublicKey bits (RSAPublicKey DER, EC point, Ed25519 key).
    pub key: Vec<u8>,
}

/// SHA-256 of a DER SubjectPublicKeyInfo: the identity of a key.
pub fn spki_sha256(spki_der: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(spki_der).into()
}

pub fn parse_spki(spki_der: &[u8]) -> Result<PublicKey, AlgorithmError> {
    let bad = |m: &str| AlgorithmError::BadKey(m.to_string());
    let (t, _) = tlv::read(spki_der).map_err(|e| bad(&e.to_string()))?;
    let kids = t.children().map_err(|e| bad(&e.to_string()))?;
    let alg = kids.first().ok_or_else(|| bad("no algorithm"))?;
    let bits = kids
        .get(1)
        .filter(|b| b.tag == tlv::BIT_STRING)
        .ok_or_else(|| bad("no key bits"))?;
    let key = bits.content.get(1..).unwrap_or(&[]).to_vec();
    let alg_kids = alg.children().map_err(|e| bad(&e.to_string()))?;
    let oid = alg_kids
        .first()
        .and_then(|o| tlv::oid_of(o).ok())
        .ok_or_else(|| bad("no algorithm"))?;
    let param_oid = alg_kids.get(1).and_then(|p| tlv::oid_of(p).ok());
    let kind = match oid.as_str() {
        OID_RSA | OID_RSA_PSS => KeyKind::Rsa {
            bits: rsa_bits(&key).ok_or_else(|| bad("RSA key does not parse"))?,
        },
        OID_EC_PUBLIC_KEY => match param_oid.as_deref() {
            Some(OID_P256) => KeyKind::EcP256,
            Some(OID_P384) => KeyKind::EcP384,
            Some(OID_SM2_CURVE) => KeyKind::Sm2,
            Some(other) => KeyKind::Other(format!("EC curve {other}")),
            None => KeyKind::Other("EC key without a named curve".into()),
        },
        OID_SM2_CURVE | OID_SM2_SIGN => KeyKind::Sm2,
        OID_ED25519 => KeyKind::Ed25519,
        other => KeyKind::Other(other.to_string()),
    };
    Ok(PublicKey { kind, key })
}

fn rsa_bits(rsa_public_key: &[u8]) -> Option<usize> {
    let (t, _) = tlv::read(rsa_public_key).ok()?;
    let kids = t.children().ok()?;
    let n = kids.first().filter(|n| n.tag == tlv::INTEGER)?;
    let mag = tlv::unsigned_bytes(n.content);
    let first = *mag.first()?;
    Some(mag.len() * 8 - first.leading_zeros() as usize)
}

/// What verifying a signature found out, whatever the outcome.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The algorithm's name for the record (e.g. rsa-pkcs1-sha256), when it
    /// could be told.
    pub name: Option<String>,
    pub digest: Option<DigestAlgorithm>,
    pub result: Result<(), AlgorithmError>,
}

impl Verification {
    fn fail(name: Option<String>, digest: Option<DigestAlgorithm>, e: AlgorithmError) -> Self {
        Verification {
            name,
            digest,
            result: Err(e),
        }
    }

    /// Warnings a successful verification still carries (SHA-1).
    pub fn warnings(&self, what: &str) -> Vec<Reason> {
        if self.result.is_ok() && self.digest == Some(DigestAlgorithm::Sha1) {
            vec![Reason::detail(Code::WeakAlgorithm, what)]
        } else {
            Vec::new()
        }
    }
}

/// Verifies `signature` over `message` by the key in `spki_der`, under the
/// signature algorithm `sig_oid` (with its parameters' DER). Where the OID
/// names only the key type (rsaEncryption, id-ecPublicKey, SM2), the digest
/// comes from `digest_hint` (the CMS digestAlgorithm).
pub fn verify(
    sig_oid: &str,
    sig_params: Option<&[u8]>,
    digest_hint: Option<DigestAlgorithm>,
    spki_der: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Verification {
    let key = match parse_spki(spki_der) {
        Ok(k) => k,
        Err(e) => return Verification::fail(None, digest_hint, e),
    };
    verify_with_key(sig_oid, sig_params, digest_hint, &key, message, signature)
}

pub fn verify_with_key(
    sig_oid: &str,
    sig_params: Option<&[u8]>,
    digest_hint: Option<DigestAlgorithm>,
    key: &PublicKey,
    message: &[u8],
    signature: &[u8],
) -> Verification {
    use DigestAlgorithm as D;
    let family = match sig_oid {
        OID_RSA => Family::RsaPkcs1(digest_hint),
        "1.2.840.113549.1.1.4" => Family::RsaPkcs1(Some(D::Md5)),
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => Family::RsaPkcs1(Some(D::Sha1)),
        "1.2.840.113549.1.1.14" => Family::RsaPkcs1(Some(D::Sha224)),
        "1.2.840.113549.1.1.11" => Family::RsaPkcs1(Some(D::Sha256)),
        "1.2.840.113549.1.1.12" => Family::RsaPkcs1(Some(D::Sha384)),
        "1.2.840.113549.1.1.13" => Family::RsaPkcs1(Some(D::Sha512)),
        OID_RSA_PSS => match pss_hash(sig_params) {
            Ok(d) => Family::RsaPss(d),
            Err(e) => return Verification::fail(Some("rsa-pss".into()), None, e),
        },
        OID_EC_PUBLIC_KEY if key.kind == KeyKind::Sm2 => Family::Sm2(digest_hint),
        OID_EC_PUBLIC_KEY => Family::Ecdsa(digest_hint),
        "1.2.840.10045.4.1" => Family::Ecdsa(Some(D::Sha1)),
        "1.2.840.10045.4.3.1" => Family::Ecdsa(Some(D::Sha224)),
        "1.2.840.10045.4.3.2" => Family::Ecdsa(Some(D::Sha256)),
        "1.2.840.10045.4.3.3" => Family::Ecdsa(Some(D::Sha384)),
        "1.2.840.10045.4.3.4" => Family::Ecdsa(Some(D::Sha512)),
        OID_ED25519 => Family::Ed25519,
        OID_SM3_WITH_SM2 => Family::Sm2(Some(D::Sm3)),
        OID_SM2_SIGN | OID_SM2_CURVE => Family::Sm2(digest_hint.or(Some(D::Sm3))),
        other => {
            return Verification::fail(
                None,
                digest_hint,
                AlgorithmError::Unsupported(format!("signature algorithm {other}")),
            )
        }
    };
    family.verify(key, message, signature)
}

enum Family {
    RsaPkcs1(Option<DigestAlgorithm>),
    RsaPss(DigestAlgorithm),
    Ecdsa(Option<DigestAlgorithm>),
    Ed25519,
    Sm2(Option<DigestAlgorithm>),
}

impl Family {
    fn verify(&self, key: &PublicKey, message: &[u8], signature: &[u8]) -> Verification {
        use DigestAlgorithm as D;
        let unsupported = |name: Option<String>, d: Option<D>, what: String| {
            Verification::fail(name, d, AlgorithmError::Unsupported(what))
        };
        let key_mismatch = |name: String, d: Option<D>| {
            Verification::fail(
                Some(name.clone()),
                d,
                AlgorithmError::BadKey(format!("{name} with a {:?} key", key.kind)),
            )
        };
        let rsa_digest = match *self {
            Family::RsaPkcs1(d) => Some(d),
            Family::RsaPss(d) => Some(Some(d)),
            _ => None,
        };
        if let Some(d) = rsa_digest {
            if !matches!(key.kind, KeyKind::Rsa { .. }) {
                return key_mismatch(format!("rsa-{}", d.map_or("unknown", |d| d.name())), d);
            }
        }
        match *self {
            Family::RsaPkcs1(d) => {
                let Some(d) = d else {
                    return unsupported(Some("rsa-pkcs1".into()), None, "RSA without a digest".into());
                };
                let name = format!("rsa-pkcs1-{}", d.name());
                if let Some(e) = rsa_forbidden(key, d) {
                    return Verification::fail(Some(name), Some(d), e);
                }
                let alg: &dyn rs::VerificationAlgorithm = match d {
                    D::Sha1 => &rs::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
                    D::Sha256 => &rs::RSA_PKCS1_2048_8192_SHA256,
                    D::Sha384 => &rs::RSA_PKCS1_2048_8192_SHA384,
                    D::Sha512 => &rs::RSA_PKCS1_2048_8192_SHA512,
                    other => {
                        return unsupported(Some(name), Some(d), format!("RSA with {}", other.name()))
                    }
                };
                ring_verify(alg, name, d, &key.key, message, signature)
            }
            Family::RsaPss(d) => {
                let name = format!("rsa-pss-{}", d.name());
                if let Some(e) = rsa_forbidden(key, d) {
                    return Verification::fail(Some(name), Some(d), e);
                }
                let alg: &dyn rs::VerificationAlgorithm = match d {
                    D::Sha256 => &rs::RSA_PSS_2048_8192_SHA256,
                    D::Sha384 => &rs::RSA_PSS_2048_8192_SHA384,
                    D::Sha512 => &rs::RSA_PSS_2048_8192_SHA512,
                    other => {
                        return unsupported(Some(name), Some(d), format!("RSA-PSS with {}", other.name()))
                    }
                };
                ring_verify(alg, name, d, &key.key, message, signature)
            }
            Family::Ecdsa(d) => {
                let Some(d) = d else {
                    return unsupported(Some("ecdsa".into()), None, "ECDSA without a digest".into());
                };
                let (curve, asn1, fixed): (&str, &dyn rs::VerificationAlgorithm, Option<&dyn rs::VerificationAlgorithm>) =
                    match (&key.kind, d) {
                        (KeyKind::EcP256, D::Sha256) => ("p256", &rs::ECDSA_P256_SHA256_ASN1, Some(&rs::ECDSA_P256_SHA256_FIXED)),
                        (KeyKind::EcP256, D::Sha384) => ("p256", &rs::ECDSA_P256_SHA384_ASN1, None),
                        (KeyKind::EcP384, D::Sha256) => ("p384", &rs::ECDSA_P384_SHA256_ASN1, None),
                        (KeyKind::EcP384, D::Sha384) => ("p384", &rs::ECDSA_P384_SHA384_ASN1, Some(&rs::ECDSA_P384_SHA384_FIXED)),
                        (KeyKind::EcP256 | KeyKind::EcP384, D::Md5) => {
                            return Verification::fail(Some("ecdsa-md5".into()), Some(d), AlgorithmError::Forbidden("MD5".into()))
                        }
                        (KeyKind::EcP256 | KeyKind::EcP384, other) => {
                            return unsupported(Some(format!("ecdsa-{}", other.name())), Some(d), format!("ECDSA with {}", other.name()))
                        }
                        _ => return key_mismatch(format!("ecdsa-{}", d.name()), Some(d)),
                    };
                let name = format!("ecdsa-{curve}-{}", d.name());
                let first = ring_verify(asn1, name.clone(), d, &key.key, message, signature);
                match (first.result.is_ok(), fixed) {
                    // Some signers write r‖s instead of the DER SEQUENCE.
                    (false, Some(fixed)) if signature.first() != Some(&0x30) => {
                        ring_verify(fixed, name, d, &key.key, message, signature)
                    }
                    _ => first,
                }
            }
            Family::Ed25519 => {
                if key.kind != KeyKind::Ed25519 {
                    return key_mismatch("ed25519".into(), None);
                }
                let ok = rs::UnparsedPublicKey::new(&rs::ED25519, &key.key)
                    .verify(message, signature)
                    .is_ok();
                Verification {
                    name: Some("ed25519".into()),
                    digest: Some(D::Sha512),
                    result: if ok { Ok(()) } else { Err(AlgorithmError::Mismatch) },
                }
            }
            Family::Sm2(d) => {
                let name = "sm2-sm3".to_string();
                if d != Some(D::Sm3) {
                    return unsupported(
                        Some(format!("sm2-{}", d.map_or("unknown", |d| d.name()))),
                        d,
                        "SM2 with a digest other than SM3".into(),
                    );
                }
                if key.kind != KeyKind::Sm2 {
                    return key_mismatch(name, d);
                }
                let result = match super::sm2::verify_any(&key.key, message, signature) {
                    Ok(_) => Ok(()),
                    Err(super::sm2::Sm2Error::BadKey) => {
                        Err(AlgorithmError::BadKey("SM2 point".into()))
                    }
                    Err(_) => Err(AlgorithmError::Mismatch),
                };
                Verification {
                    name: Some(name),
                    digest: d,
                    result,
                }
            }
        }
    }
}

fn rsa_forbidden(key: &PublicKey, d: DigestAlgorithm) -> Option<AlgorithmError> {
    if d.forbidden() {
        return Some(AlgorithmError::Forbidden("MD5".into()));
    }
    match key.kind {
        KeyKind::Rsa { bits } if bits < 2048 => Some(AlgorithmError::Forbidden(format!(
            "RSA key of {bits} bits"
        ))),
        KeyKind::Rsa { bits } if bits > 8192 => {
            Some(AlgorithmError::Unsupported(format!("RSA key of {bits} bits")))
        }
        _ => None,
    }
}

fn ring_verify(
    alg: &'static dyn rs::VerificationAlgorithm,
    name: String,
    d: DigestAlgorithm,
    key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Verification {
    let ok = rs::UnparsedPublicKey::new(alg, key)
        .verify(message, signature)
        .is_ok();
    Verification {
        name: Some(name),
        digest: Some(d),
        result: if ok { Ok(()) } else { Err(AlgorithmError::Mismatch) },
    }
}

/// The hash of RSASSA-PSS parameters, where ring can verify them: MGF1
/// with the same hash and a salt as long as the hash.
fn pss_hash(params: Option<&[u8]>) -> Result<DigestAlgorithm, AlgorithmError> {
    let unsupported = |m: &str| AlgorithmError::Unsupported(format!("RSA-PSS {m}"));
    let params = params.ok_or_else(|| unsupported("without parameters (SHA-1)"))?;
    let (seq, _) = tlv::read(params).map_err(|_| unsupported("parameters do not parse"))?;
    let mut hash = DigestAlgorithm::Sha1;
    let mut mgf_hash = DigestAlgorithm::Sha1;
    let mut salt = 20u64;
    for field in seq.children().map_err(|_| unsupported("parameters"))? {
        let inner: Option<Tlv> = field
            .children()
            .ok()
            .and_then(|k| k.into_iter().next());
        let inner = inner.ok_or_else(|| unsupported("parameters"))?;
        match field.context() {
            Some(0) => {
                let (oid, _) = tlv::algorithm(&inner).map_err(|_| unsupported("hash"))?;
                hash = DigestAlgorithm::from_oid(&oid).ok_or_else(|| unsupported(&oid))?;
            }
            Some(1) => {
                let (oid, p) = tlv::algorithm(&inner).map_err(|_| unsupported("mask"))?;
                if oid != "1.2.840.113549.1.1.8" {
                    return Err(unsupported(&format!("mask generation {oid}")));
                }
                let p = p.ok_or_else(|| unsupported("MGF1 without a hash"))?;
                let (h, _) = tlv::read(&p).map_err(|_| unsupported("MGF1"))?;
                let (oid, _) = tlv::algorithm(&h).map_err(|_| unsupported("MGF1"))?;
                mgf_hash = DigestAlgorithm::from_oid(&oid).ok_or_else(|| unsupported(&oid))?;
            }
            Some(2) => salt = tlv::small_int(&inner).ok_or_else(|| unsupported("salt"))?,
            Some(3) => {
                if tlv::small_int(&inner) != Some(1) {
                    return Err(unsupported("trailer field"));
                }
            }
            _ => return Err(unsupported("parameters")),
        }
    }
    let hash_len = hash.digest(&[]).len() as u64;
    if mgf_hash != hash || salt != hash_len {
        return Err(unsupported(&format!(
            "with MGF1-{} and a {salt}-byte salt",
            mgf_hash.name()
        )));
    }
    match hash {
        DigestAlgorithm::Sha256 | DigestAlgorithm::Sha384 | DigestAlgorithm::Sha512 => Ok(hash),
        other => Err(unsupported(&format!("with {}", other.name()))),
    }
}
