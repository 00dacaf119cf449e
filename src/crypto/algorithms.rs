//! Signature algorithms by OID, verified through ring (RSA, ECDSA, Ed25519)
//! and [`super::sm2`] (SM2). One entry point for CMS signer infos,
//! certificates and timestamps, so each algorithm rule lives here once.

use ring::signature as rs;
use sha2::Digest as _;
use thiserror::Error;

use super::tlv::{self, Tlv};
use crate::report::reason::{Code, Reason};

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
    /// The outcome of a check that only says whether the value verified.
    fn checked(name: String, digest: DigestAlgorithm, ok: bool) -> Self {
        let result = if ok {
            Ok(())
        } else {
            Err(AlgorithmError::Mismatch)
        };
        Verification {
            name: Some(name),
            digest: Some(digest),
            result,
        }
    }

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
/// What a signature-algorithm OID fixes the digest to, when it does
/// (`sha256WithRSAEncryption` → SHA-256); `None` for key-only OIDs such as
/// rsaEncryption, whose digest comes from the digestAlgorithm.
fn digest_fixed_by(sig_oid: &str) -> Option<DigestAlgorithm> {
    use DigestAlgorithm as D;
    Some(match sig_oid {
        "1.2.840.113549.1.1.4" => D::Md5,
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" | "1.2.840.10045.4.1" => D::Sha1,
        "1.2.840.113549.1.1.14" | "1.2.840.10045.4.3.1" => D::Sha224,
        "1.2.840.113549.1.1.11" | "1.2.840.10045.4.3.2" => D::Sha256,
        "1.2.840.113549.1.1.12" | "1.2.840.10045.4.3.3" => D::Sha384,
        "1.2.840.113549.1.1.13" | "1.2.840.10045.4.3.4" => D::Sha512,
        OID_SM3_WITH_SM2 => D::Sm3,
        _ => return None,
    })
}

/// Digest OIDs proper (not signature OIDs that imply a digest).
fn is_digest_oid(oid: &str) -> bool {
    matches!(
        oid,
        "1.2.840.113549.2.5"
            | "1.3.14.3.2.26"
            | "2.16.840.1.101.3.4.2.1"
            | "2.16.840.1.101.3.4.2.2"
            | "2.16.840.1.101.3.4.2.3"
            | "2.16.840.1.101.3.4.2.4"
            | OID_SM3
            | "1.2.156.10197.1.401.1"
    )
}

/// Why a SignerInfo's algorithm identifiers are in the wrong place or
/// contradict each other (RFC 5652 5.3, RFC 3370/5754, RFC 5758), as EU
/// DSS and pyHanko refuse them; `None` when they are consistent.
///
/// SM3withSM2 given as the digest is tolerated: GM/T 0010 writers commonly
/// do so and the national corpus relies on it; the RSA and ECDSA signature
/// OIDs there are not.
pub fn misplaced(digest_oid: &str, sig_oid: &str, sig_params: Option<&[u8]>) -> Option<String> {
    if digest_oid.starts_with("1.2.840.113549.1.1.") || digest_oid.starts_with("1.2.840.10045.4.") {
        return Some(format!(
            "the digestAlgorithm {digest_oid} is a signature algorithm, not a digest"
        ));
    }
    if is_digest_oid(sig_oid) {
        return Some(format!(
            "the signatureAlgorithm {sig_oid} is a bare digest algorithm"
        ));
    }
    if let (Some(fixed), Some(declared)) = (
        digest_fixed_by(sig_oid),
        DigestAlgorithm::from_oid(digest_oid),
    ) {
        if fixed != declared && is_digest_oid(digest_oid) {
            return Some(format!(
                "the signatureAlgorithm {sig_oid} signs a {} digest but the digestAlgorithm {digest_oid} is {}",
                fixed.name(),
                declared.name()
            ));
        }
    }
    // RFC 4056 section 3: the PSS parameters' hash is the digestAlgorithm.
    // A signature that hashes with one and digests with another says two
    // things about how it was made (pyHanko and EU DSS refuse it too).
    if sig_oid == OID_RSA_PSS {
        if let (Ok(p), Some(declared)) = (
            pss_params(sig_params),
            DigestAlgorithm::from_oid(digest_oid),
        ) {
            if p.hash != declared {
                return Some(format!(
                    "the RSASSA-PSS parameters hash with {} but the digestAlgorithm {digest_oid} is {}",
                    p.hash.name(),
                    declared.name()
                ));
            }
        }
    }
    // PKCS#1 v1.5 and ECDSA identifiers take NULL or no parameters.
    let parameterless =
        sig_oid == OID_RSA || digest_fixed_by(sig_oid).is_some() && sig_oid != OID_SM3_WITH_SM2;
    if parameterless && sig_params.is_some() {
        return Some(format!(
            "the signatureAlgorithm {sig_oid} carries parameters it does not take"
        ));
    }
    None
}

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
        OID_RSA_PSS => match pss_params(sig_params) {
            Ok(p) => Family::RsaPss(p),
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
    RsaPss(PssParams),
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
            Family::RsaPss(p) => Some(Some(p.hash)),
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
                    return unsupported(
                        Some("rsa-pkcs1".into()),
                        None,
                        "RSA without a digest".into(),
                    );
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
                        return unsupported(
                            Some(name),
                            Some(d),
                            format!("RSA with {}", other.name()),
                        )
                    }
                };
                ring_verify(alg, name, d, &key.key, message, signature)
            }
            Family::RsaPss(p) => {
                let d = p.hash;
                let name = format!("rsa-pss-{}", d.name());
                if let Some(e) = rsa_forbidden(key, d) {
                    return Verification::fail(Some(name), Some(d), e);
                }
                let ring_alg: Option<&'static dyn rs::VerificationAlgorithm> =
                    match (d, p.mgf_hash == d && p.salt == d.digest(&[]).len()) {
                        (D::Sha256, true) => Some(&rs::RSA_PSS_2048_8192_SHA256),
                        (D::Sha384, true) => Some(&rs::RSA_PSS_2048_8192_SHA384),
                        (D::Sha512, true) => Some(&rs::RSA_PSS_2048_8192_SHA512),
                        _ => None,
                    };
                match ring_alg {
                    Some(alg) => ring_verify(alg, name, d, &key.key, message, signature),
                    None => {
                        // Salt lengths and MGF hashes ring does not take
                        // (OpenSSL's "max" salt, for one).
                        let ok = pss::verify(&key.key, &p, message, signature);
                        Verification::checked(name, d, ok)
                    }
                }
            }
            Family::Ecdsa(d) => {
                let Some(d) = d else {
                    return unsupported(
                        Some("ecdsa".into()),
                        None,
                        "ECDSA without a digest".into(),
                    );
                };
                let (curve, asn1, fixed): (
                    &str,
                    &dyn rs::VerificationAlgorithm,
                    Option<&dyn rs::VerificationAlgorithm>,
                ) = match (&key.kind, d) {
                    (KeyKind::EcP256, D::Sha256) => (
                        "p256",
                        &rs::ECDSA_P256_SHA256_ASN1,
                        Some(&rs::ECDSA_P256_SHA256_FIXED),
                    ),
                    (KeyKind::EcP256, D::Sha384) => ("p256", &rs::ECDSA_P256_SHA384_ASN1, None),
                    (KeyKind::EcP384, D::Sha256) => ("p384", &rs::ECDSA_P384_SHA256_ASN1, None),
                    (KeyKind::EcP384, D::Sha384) => (
                        "p384",
                        &rs::ECDSA_P384_SHA384_ASN1,
                        Some(&rs::ECDSA_P384_SHA384_FIXED),
                    ),
                    (KeyKind::EcP256 | KeyKind::EcP384, D::Md5) => {
                        return Verification::fail(
                            Some("ecdsa-md5".into()),
                            Some(d),
                            AlgorithmError::Forbidden("MD5".into()),
                        )
                    }
                    (KeyKind::EcP256 | KeyKind::EcP384, D::Sha512 | D::Sha1) => {
                        // ring has no P-256/P-384 with SHA-512 or SHA-1:
                        // verify the prehashed digest with RustCrypto.
                        let name = format!(
                            "ecdsa-{}-{}",
                            if key.kind == KeyKind::EcP256 {
                                "p256"
                            } else {
                                "p384"
                            },
                            d.name()
                        );
                        let digest = d.digest(&[message]);
                        let ok = ecdsa_prehash_verify(key, &digest, signature);
                        return Verification::checked(name, d, ok);
                    }
                    (KeyKind::EcP256 | KeyKind::EcP384, other) => {
                        return unsupported(
                            Some(format!("ecdsa-{}", other.name())),
                            Some(d),
                            format!("ECDSA with {}", other.name()),
                        )
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
                Verification::checked("ed25519".into(), D::Sha512, ok)
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

/// ECDSA over an already computed digest (the digest is truncated to the
/// curve's size as FIPS 186 says), signature as DER or r‖s.
fn ecdsa_prehash_verify(key: &PublicKey, digest: &[u8], signature: &[u8]) -> bool {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    match key.kind {
        KeyKind::EcP256 => {
            let Ok(vk) = p256::ecdsa::VerifyingKey::from_sec1_bytes(&key.key) else {
                return false;
            };
            let sig = p256::ecdsa::Signature::from_der(signature)
                .or_else(|_| p256::ecdsa::Signature::from_slice(signature));
            sig.is_ok_and(|sig| vk.verify_prehash(digest, &sig).is_ok())
        }
        KeyKind::EcP384 => {
            let Ok(vk) = p384::ecdsa::VerifyingKey::from_sec1_bytes(&key.key) else {
                return false;
            };
            let sig = p384::ecdsa::Signature::from_der(signature)
                .or_else(|_| p384::ecdsa::Signature::from_slice(signature));
            sig.is_ok_and(|sig| vk.verify_prehash(digest, &sig).is_ok())
        }
        _ => false,
    }
}

fn rsa_forbidden(key: &PublicKey, d: DigestAlgorithm) -> Option<AlgorithmError> {
    if d.forbidden() {
        return Some(AlgorithmError::Forbidden("MD5".into()));
    }
    match key.kind {
        KeyKind::Rsa { bits } if bits < 2048 => {
            Some(AlgorithmError::Forbidden(format!("RSA key of {bits} bits")))
        }
        KeyKind::Rsa { bits } if bits > 8192 => Some(AlgorithmError::Unsupported(format!(
            "RSA key of {bits} bits"
        ))),
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
    Verification::checked(name, d, ok)
}

/// RSASSA-PSS parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PssParams {
    pub hash: DigestAlgorithm,
    pub mgf_hash: DigestAlgorithm,
    pub salt: usize,
}

/// Reads RSASSA-PSS-params (RFC 4055), defaults included.
fn pss_params(params: Option<&[u8]>) -> Result<PssParams, AlgorithmError> {
    let unsupported = |m: &str| AlgorithmError::Unsupported(format!("RSA-PSS {m}"));
    let mut p = PssParams {
        hash: DigestAlgorithm::Sha1,
        mgf_hash: DigestAlgorithm::Sha1,
        salt: 20,
    };
    let Some(params) = params else {
        return Ok(p);
    };
    let (seq, _) = tlv::read(params).map_err(|_| unsupported("parameters do not parse"))?;
    for field in seq.children().map_err(|_| unsupported("parameters"))? {
        let inner: Option<Tlv> = field.children().ok().and_then(|k| k.into_iter().next());
        let inner = inner.ok_or_else(|| unsupported("parameters"))?;
        match field.context() {
            Some(0) => {
                let (oid, _) = tlv::algorithm(&inner).map_err(|_| unsupported("hash"))?;
                p.hash = DigestAlgorithm::from_oid(&oid).ok_or_else(|| unsupported(&oid))?;
            }
            Some(1) => {
                let (oid, mp) = tlv::algorithm(&inner).map_err(|_| unsupported("mask"))?;
                if oid != "1.2.840.113549.1.1.8" {
                    return Err(unsupported(&format!("mask generation {oid}")));
                }
                let mp = mp.ok_or_else(|| unsupported("MGF1 without a hash"))?;
                let (h, _) = tlv::read(&mp).map_err(|_| unsupported("MGF1"))?;
                let (oid, _) = tlv::algorithm(&h).map_err(|_| unsupported("MGF1"))?;
                p.mgf_hash = DigestAlgorithm::from_oid(&oid).ok_or_else(|| unsupported(&oid))?;
            }
            Some(2) => {
                p.salt = tlv::small_int(&inner)
                    .and_then(|v| usize::try_from(v).ok())
                    .filter(|&v| v <= 1024)
                    .ok_or_else(|| unsupported("salt"))?
            }
            Some(3) => {
                if tlv::small_int(&inner) != Some(1) {
                    return Err(unsupported("trailer field"));
                }
            }
            _ => return Err(unsupported("parameters")),
        }
    }
    match p.hash {
        DigestAlgorithm::Md5 => Err(AlgorithmError::Forbidden("MD5".into())),
        DigestAlgorithm::Sm3 => Err(unsupported("with SM3")),
        _ => Ok(p),
    }
}

/// EMSA-PSS verification (RFC 8017, 9.1.2) for the parameters ring does
/// not cover.
mod pss {
    use num_bigint::BigUint;

    use super::{tlv, DigestAlgorithm, PssParams};

    fn mgf1(hash: DigestAlgorithm, seed: &[u8], len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 64);
        let mut counter: u32 = 0;
        while out.len() < len {
            out.extend(hash.digest(&[seed, &counter.to_be_bytes()]));
            counter = counter.wrapping_add(1);
        }
        out.truncate(len);
        out
    }

    pub(super) fn verify(rsa_key: &[u8], p: &PssParams, message: &[u8], signature: &[u8]) -> bool {
        let Some((n, e)) = (|| {
            let (t, _) = tlv::read(rsa_key).ok()?;
            let k = t.children().ok()?;
            let n = BigUint::from_bytes_be(tlv::unsigned_bytes(k.first()?.content));
            let e = BigUint::from_bytes_be(tlv::unsigned_bytes(k.get(1)?.content));
            Some((n, e))
        })() else {
            return false;
        };
        // ring's bound on the exponent; a huge one only burns time.
        if e.bits() > 64 {
            return false;
        }
        let mod_bits = n.bits() as usize;
        let k = mod_bits.div_ceil(8);
        if mod_bits < 2048 || signature.len() > k {
            return false;
        }
        let s = BigUint::from_bytes_be(signature);
        if s >= n {
            return false;
        }
        let m = s.modpow(&e, &n).to_bytes_be();
        let em_bits = mod_bits - 1;
        let em_len = em_bits.div_ceil(8);
        if m.len() > em_len {
            return false;
        }
        let mut em = vec![0u8; em_len - m.len()];
        em.extend(m);
        let h_len = p.hash.digest(&[]).len();
        if em_len < h_len + p.salt + 2 || em.last() != Some(&0xbc) {
            return false;
        }
        let db_len = em_len - h_len - 1;
        let (Some(masked_db), Some(h)) = (em.get(..db_len), em.get(db_len..db_len + h_len)) else {
            return false;
        };
        let unused = 8 * em_len - em_bits;
        let top_mask = 0xffu8.checked_shr(unused as u32).unwrap_or(0);
        if masked_db.first().is_some_and(|b| b & !top_mask != 0) {
            return false;
        }
        let mut db: Vec<u8> = masked_db
            .iter()
            .zip(mgf1(p.mgf_hash, h, db_len))
            .map(|(a, b)| a ^ b)
            .collect();
        if let Some(first) = db.first_mut() {
            *first &= top_mask;
        }
        let ps_len = db_len - p.salt - 1;
        if db.get(..ps_len).is_none_or(|ps| ps.iter().any(|&b| b != 0))
            || db.get(ps_len) != Some(&1)
        {
            return false;
        }
        let salt = db.get(ps_len + 1..).unwrap_or(&[]);
        let m_hash = p.hash.digest(&[message]);
        let h2 = p.hash.digest(&[&[0u8; 8], &m_hash, salt]);
        h2 == h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tlv::encode;

    #[test]
    fn pss_parameters_that_hash_otherwise_than_the_digest_algorithm_are_misplaced() {
        // RSASSA-PSS-params { hashAlgorithm [0] sha512 }.
        let sha512_params: &[u8] = &[
            0x30, 0x0f, 0xa0, 0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
            0x04, 0x02, 0x03,
        ];
        let sha256 = "2.16.840.1.101.3.4.2.1";
        let sha512 = "2.16.840.1.101.3.4.2.3";
        let why = misplaced(sha256, OID_RSA_PSS, Some(sha512_params)).unwrap_or_default();
        assert!(why.contains("SHA-512") || why.contains("sha512"), "{why}");
        assert_eq!(misplaced(sha512, OID_RSA_PSS, Some(sha512_params)), None);
        // Absent parameters are SHA-1 (RFC 4055 defaults).
        assert_eq!(misplaced("1.3.14.3.2.26", OID_RSA_PSS, None), None);
        assert!(misplaced(sha256, OID_RSA_PSS, None).is_some());
    }

    #[test]
    fn ecdsa_with_sha512_verifies_on_both_curves_and_a_flip_fails() {
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        let msg = b"signed attributes";
        let digest = DigestAlgorithm::Sha512.digest(&[msg]);
        let sk256 = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).expect("valid scalar");
        let sig256: p256::ecdsa::Signature = sk256.sign_prehash(&digest).expect("signs");
        let key256 = PublicKey {
            kind: KeyKind::EcP256,
            key: sk256
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
        };
        let der = sig256.to_der();
        let ok = verify_with_key(
            "1.2.840.10045.4.3.4",
            None,
            None,
            &key256,
            msg,
            der.as_bytes(),
        );
        assert!(ok.result.is_ok());
        assert_eq!(ok.name.as_deref(), Some("ecdsa-p256-sha512"));
        let bad = verify_with_key(
            "1.2.840.10045.4.3.4",
            None,
            None,
            &key256,
            b"other",
            der.as_bytes(),
        );
        assert_eq!(bad.result, Err(AlgorithmError::Mismatch));

        let sk384 = p384::ecdsa::SigningKey::from_slice(&[9u8; 48]).expect("valid scalar");
        let sig384: p384::ecdsa::Signature = sk384.sign_prehash(&digest).expect("signs");
        let key384 = PublicKey {
            kind: KeyKind::EcP384,
            key: sk384
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
        };
        let raw = sig384.to_bytes();
        let ok = verify_with_key("1.2.840.10045.4.3.4", None, None, &key384, msg, &raw);
        assert!(ok.result.is_ok(), "r||s form is accepted too");
        let mut flipped = raw.to_vec();
        flipped[10] ^= 1;
        let bad = verify_with_key("1.2.840.10045.4.3.4", None, None, &key384, msg, &flipped);
        assert_eq!(bad.result, Err(AlgorithmError::Mismatch));
    }

    const SPKI: &[u8] = include_bytes!("../../tests/data/crypto/rsa2048.spki.der");
    const MSG: &[u8] = include_bytes!("../../tests/data/crypto/message.bin");
    const PKCS1_SHA256: &[u8] = include_bytes!("../../tests/data/crypto/rsa-pkcs1-sha256.sig");
    const PKCS1_SHA1: &[u8] = include_bytes!("../../tests/data/crypto/rsa-pkcs1-sha1.sig");
    const PSS_32: &[u8] = include_bytes!("../../tests/data/crypto/rsa-pss-sha256-salt32.sig");
    const PSS_MAX: &[u8] = include_bytes!("../../tests/data/crypto/rsa-pss-sha256-saltmax.sig");

    const SHA256_ALG: &[u8] = &[
        0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
    ];
    const MGF1_OID: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08,
    ];

    fn pss_params_der(salt: u8) -> Vec<u8> {
        let salt_int = if salt >= 0x80 {
            vec![0, salt]
        } else {
            vec![salt]
        };
        let mgf = encode(tlv::SEQUENCE, &[MGF1_OID, SHA256_ALG].concat());
        encode(
            tlv::SEQUENCE,
            &[
                encode(0xa0, SHA256_ALG),
                encode(0xa1, &mgf),
                encode(0xa2, &encode(tlv::INTEGER, &salt_int)),
            ]
            .concat(),
        )
    }

    #[test]
    fn rsa_pkcs1() {
        let v = verify("1.2.840.113549.1.1.11", None, None, SPKI, MSG, PKCS1_SHA256);
        assert_eq!(v.result, Ok(()));
        assert_eq!(v.name.as_deref(), Some("rsa-pkcs1-sha256"));
        assert!(v.warnings("x").is_empty());
        // rsaEncryption takes the digest from the CMS digestAlgorithm.
        let v = verify(
            OID_RSA,
            None,
            Some(DigestAlgorithm::Sha256),
            SPKI,
            MSG,
            PKCS1_SHA256,
        );
        assert_eq!(v.result, Ok(()));
        let v = verify(
            OID_RSA,
            None,
            Some(DigestAlgorithm::Sha256),
            SPKI,
            b"other",
            PKCS1_SHA256,
        );
        assert_eq!(v.result, Err(AlgorithmError::Mismatch));
        // SHA-1 verifies, with a warning.
        let v = verify("1.2.840.113549.1.1.5", None, None, SPKI, MSG, PKCS1_SHA1);
        assert_eq!(v.result, Ok(()));
        assert_eq!(v.warnings("x")[0].code, Code::WeakAlgorithm);
        assert!(matches!(
            parse_spki(SPKI).unwrap().kind,
            KeyKind::Rsa { bits: 2048 }
        ));
    }

    #[test]
    fn rsa_pss_with_digest_and_maximal_salts() {
        let p32 = pss_params_der(32);
        let v = verify(OID_RSA_PSS, Some(&p32), None, SPKI, MSG, PSS_32);
        assert_eq!(v.result, Ok(()));
        assert_eq!(v.name.as_deref(), Some("rsa-pss-sha256"));
        let pmax = pss_params_der(222);
        let v = verify(OID_RSA_PSS, Some(&pmax), None, SPKI, MSG, PSS_MAX);
        assert_eq!(v.result, Ok(()));
        // The salt length is part of what was signed.
        let v = verify(OID_RSA_PSS, Some(&p32), None, SPKI, MSG, PSS_MAX);
        assert_eq!(v.result, Err(AlgorithmError::Mismatch));
        let v = verify(OID_RSA_PSS, Some(&pmax), None, SPKI, b"other", PSS_MAX);
        assert_eq!(v.result, Err(AlgorithmError::Mismatch));
        let mut bad = PSS_MAX.to_vec();
        bad[100] ^= 1;
        let v = verify(OID_RSA_PSS, Some(&pmax), None, SPKI, MSG, &bad);
        assert_eq!(v.result, Err(AlgorithmError::Mismatch));
        // PKCS#1 v1.5 signature presented as PSS.
        let v = verify(OID_RSA_PSS, Some(&p32), None, SPKI, MSG, PKCS1_SHA256);
        assert!(v.result.is_err());
    }

    #[test]
    fn key_and_algorithm_mismatches_fail() {
        let v = verify("1.2.840.10045.4.3.2", None, None, SPKI, MSG, PKCS1_SHA256);
        assert!(matches!(v.result, Err(AlgorithmError::BadKey(_))));
        let v = verify(OID_SM3_WITH_SM2, None, None, SPKI, MSG, PKCS1_SHA256);
        assert!(v.result.is_err());
        let v = verify(
            "1.2.840.113549.1.1.11",
            None,
            None,
            b"\x30\x00",
            MSG,
            PKCS1_SHA256,
        );
        assert!(matches!(v.result, Err(AlgorithmError::BadKey(_))));
    }

    #[test]
    fn digests() {
        assert_eq!(
            hex::encode(DigestAlgorithm::Sm3.digest(&[b"a", b"bc"])),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            DigestAlgorithm::Sha256.digest(&[b"ab", b"c"]),
            DigestAlgorithm::Sha256.digest(&[b"abc"])
        );
        assert_eq!(
            DigestAlgorithm::from_oid("1.2.156.10197.1.401"),
            Some(DigestAlgorithm::Sm3)
        );
        assert!(DigestAlgorithm::Md5.forbidden());
    }
}
