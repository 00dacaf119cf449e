//! Hand-made CMS: rcgen certificates, signatures by ring, DER assembled
//! here, one test per algorithm and per failure.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SignatureAlgorithm,
};
use ring::rand::SystemRandom;
use ring::signature as rs;
use time::macros::datetime;
use time::OffsetDateTime;

use super::*;
use crate::crypto::tlv::{self, encode};
use crate::report::{Code, Severity};
use crate::signature::signed_data::{
    OID_CONTENT_TYPE, OID_MESSAGE_DIGEST, OID_SIGNING_CERT_V2, OID_SIGNING_TIME,
};
use crate::signature::CheckContext;
use crate::trust::TrustStore;

fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
    let mut body = Vec::new();
    let mut push = |mut v: u64| {
        let mut tmp = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            tmp.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        tmp.reverse();
        body.extend(tmp);
    };
    push(arcs[0] * 40 + arcs[1]);
    for &a in &arcs[2..] {
        push(a);
    }
    encode(tlv::OID, &body)
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    encode(tlv::SEQUENCE, &parts.concat())
}

fn set(parts: &[&[u8]]) -> Vec<u8> {
    encode(tlv::SET, &parts.concat())
}

fn alg_id(o: &str) -> Vec<u8> {
    seq(&[&oid(o)])
}

fn int(magnitude: &[u8]) -> Vec<u8> {
    let mut c = magnitude.to_vec();
    if c.first().is_none_or(|b| b & 0x80 != 0) {
        c.insert(0, 0);
    }
    encode(tlv::INTEGER, &c)
}

const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const SHA384: &str = "2.16.840.1.101.3.4.2.2";

/// A test PKI member: certificate and key.
struct Party {
    der: Vec<u8>,
    key: KeyPair,
    cert: rcgen::Certificate,
}

fn params(cn: &str, ca: bool, from: OffsetDateTime, to: OffsetDateTime) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CountryName, "CN");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = from;
    p.not_after = to;
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    } else {
        // rcgen writes no extensions at all for a leaf unless told it is one.
        p.is_ca = IsCa::ExplicitNoCa;
        p.use_authority_key_identifier_extension = true;
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
    }
    p
}

fn root(cn: &str, alg: &'static SignatureAlgorithm) -> Party {
    let key = KeyPair::generate_for(alg).unwrap();
    let cert = params(
        cn,
        true,
        datetime!(2015-01-01 0:00 UTC),
        datetime!(2045-01-01 0:00 UTC),
    )
    .self_signed(&key)
    .unwrap();
    Party {
        der: cert.der().to_vec(),
        key,
        cert,
    }
}

fn issue(issuer: &Party, p: CertificateParams, alg: &'static SignatureAlgorithm) -> Party {
    let key = KeyPair::generate_for(alg).unwrap();
    let cert = p.signed_by(&key, &issuer.cert, &issuer.key).unwrap();
    Party {
        der: cert.der().to_vec(),
        key,
        cert,
    }
}

/// id-kp-timeStamping in an ExtKeyUsageSyntax, DER.
const EKU_TIME_STAMPING: &[u8] = &[
    0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
];

/// A timestamp authority's certificate as RFC 3161 2.3 wants it: a
/// critical extended key usage id-kp-timeStamping (rcgen writes its own EKU
/// non-critical, so it is given by hand).
fn tsa_params(cn: &str, critical: bool) -> CertificateParams {
    let mut p = params(
        cn,
        false,
        datetime!(2015-01-01 0:00 UTC),
        datetime!(2040-01-01 0:00 UTC),
    );
    let mut eku =
        rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 37], EKU_TIME_STAMPING.to_vec());
    eku.set_criticality(critical);
    p.custom_extensions.push(eku);
    p
}

fn seal(issuer: &Party, alg: &'static SignatureAlgorithm) -> Party {
    issue(
        issuer,
        params(
            "人力资源和社会保障部人事考试中心",
            false,
            datetime!(2025-01-01 0:00 UTC),
            datetime!(2035-01-01 0:00 UTC),
        ),
        alg,
    )
}

fn sign(party: &Party, alg: &'static SignatureAlgorithm, msg: &[u8]) -> Vec<u8> {
    let pkcs8 = party.key.serialize_der();
    let rng = SystemRandom::new();
    if alg == &rcgen::PKCS_ED25519 {
        let kp = rs::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8).unwrap();
        return kp.sign(msg).as_ref().to_vec();
    }
    let ring_alg = if alg == &rcgen::PKCS_ECDSA_P384_SHA384 {
        &rs::ECDSA_P384_SHA384_ASN1_SIGNING
    } else {
        &rs::ECDSA_P256_SHA256_ASN1_SIGNING
    };
    let kp = rs::EcdsaKeyPair::from_pkcs8(ring_alg, &pkcs8, &rng).unwrap();
    kp.sign(&rng, msg).unwrap().as_ref().to_vec()
}

type UnsignedFn<'a> = dyn Fn(&[u8]) -> Vec<u8> + 'a;

/// What to put in (or break in) a hand-made SignedData.
struct Build<'a> {
    signer: &'a Party,
    alg: &'static SignatureAlgorithm,
    sig_oid: &'a str,
    digest_oid: &'a str,
    bag: Vec<&'a [u8]>,
    content: Vec<u8>,
    signing_time: Option<&'a str>,
    signed_attrs: bool,
    ess_hash: Option<Vec<u8>>,
    wrong_digest: bool,
    flip_signature: bool,
    /// Encapsulated content type (the content is then `content`).
    econtent_type: Option<&'a str>,
    /// Name the signer by subject key identifier instead of issuer+serial.
    sid_ski: bool,
    /// Makes the unsigned attributes from the signature value.
    unsigned: Option<&'a UnsignedFn<'a>>,
}

impl<'a> Build<'a> {
    fn new(signer: &'a Party, alg: &'static SignatureAlgorithm, content: &[u8]) -> Self {
        let sig_oid = if alg == &rcgen::PKCS_ED25519 {
            "1.3.101.112"
        } else if alg == &rcgen::PKCS_ECDSA_P384_SHA384 {
            "1.2.840.10045.4.3.3"
        } else {
            "1.2.840.10045.4.3.2"
        };
        let digest_oid = if alg == &rcgen::PKCS_ECDSA_P384_SHA384 {
            SHA384
        } else {
            SHA256
        };
        Build {
            signer,
            alg,
            sig_oid,
            digest_oid,
            bag: vec![&signer.der],
            content: content.to_vec(),
            signing_time: Some("260101120000Z"),
            signed_attrs: true,
            ess_hash: None,
            wrong_digest: false,
            flip_signature: false,
            econtent_type: None,
            unsigned: None,
            sid_ski: false,
        }
    }

    fn der(&self) -> Vec<u8> {
        let cert = Cert::parse(&self.signer.der).unwrap();
        let digest = DigestAlgorithm::from_oid(self.digest_oid).unwrap();
        let mut md = digest.digest(&[&self.content]);
        if self.wrong_digest {
            md[0] ^= 1;
        }
        let (attrs_field, mut signature) = if self.signed_attrs {
            let mut attrs = vec![
                seq(&[
                    &oid(OID_CONTENT_TYPE),
                    &set(&[&oid(self.econtent_type.unwrap_or(OID_DATA))]),
                ]),
                seq(&[
                    &oid(OID_MESSAGE_DIGEST),
                    &set(&[&encode(tlv::OCTET_STRING, &md)]),
                ]),
            ];
            if let Some(t) = self.signing_time {
                attrs.push(seq(&[
                    &oid(OID_SIGNING_TIME),
                    &set(&[&encode(tlv::UTC_TIME, t.as_bytes())]),
                ]));
            }
            let ess = self
                .ess_hash
                .clone()
                .unwrap_or_else(|| DigestAlgorithm::Sha256.digest(&[&self.signer.der]));
            attrs.push(seq(&[
                &oid(OID_SIGNING_CERT_V2),
                &set(&[&seq(&[&seq(&[&seq(&[&encode(tlv::OCTET_STRING, &ess)])])])]),
            ]));
            let body = attrs.concat();
            let as_set = encode(tlv::SET, &body);
            let signature = sign(self.signer, self.alg, &as_set);
            (encode(0xa0, &body), signature)
        } else {
            (Vec::new(), sign(self.signer, self.alg, &self.content))
        };
        if self.flip_signature {
            let last = signature.len() - 3;
            signature[last] ^= 0x40;
        }
        let unsigned = self
            .unsigned
            .map(|f| encode(0xa1, &f(&signature)))
            .unwrap_or_default();
        let sid = if self.sid_ski {
            encode(0x80, cert.ski.as_deref().unwrap())
        } else {
            seq(&[&cert.issuer_raw, &int(&cert.serial)])
        };
        let signer_info = seq(&[
            &int(&[if self.sid_ski { 3 } else { 1 }]),
            &sid,
            &alg_id(self.digest_oid),
            &attrs_field,
            &alg_id(self.sig_oid),
            &encode(tlv::OCTET_STRING, &signature),
            &unsigned,
        ]);
        let encap = match self.econtent_type {
            Some(t) => seq(&[
                &oid(t),
                &encode(0xa0, &encode(tlv::OCTET_STRING, &self.content)),
            ]),
            None => seq(&[&oid(OID_DATA)]),
        };
        let certs: Vec<u8> = self.bag.concat();
        let signed_data = seq(&[
            &int(&[1]),
            &set(&[&alg_id(self.digest_oid)]),
            &encap,
            &encode(0xa0, &certs),
            &set(&[&signer_info]),
        ]);
        seq(&[&oid(OID_SIGNED_DATA), &encode(0xa0, &signed_data)])
    }
}

fn ctx(store: &TrustStore) -> CheckContext<'_> {
    CheckContext {
        trust: store,
        document_dates: Vec::new(),
        claimed_m: None,
        doc_timestamp: None,
        now: datetime!(2026-06-01 0:00 UTC),
    }
}

fn store_of(parties: &[&Party]) -> TrustStore {
    let mut s = TrustStore::empty();
    for p in parties {
        assert!(s.add_certificate(p.der.clone(), None, None));
    }
    s
}

fn codes(vc: &ValueCheck) -> Vec<Code> {
    vc.reasons.iter().map(|r| r.code).collect()
}

fn worst(vc: &ValueCheck) -> Severity {
    vc.reasons
        .iter()
        .map(|r| r.severity())
        .max()
        .unwrap_or(Severity::Info)
}

const DOC: &[u8] = b"%PDF-1.7 the signed bytes of a certificate";

fn good(vc: &ValueCheck) {
    assert_eq!(vc.digest_ok, Some(true), "{:?}", vc.reasons);
    assert_eq!(vc.signature_ok, Some(true), "{:?}", vc.reasons);
    assert!(vc.trusted_issuer.is_some(), "{:?}", vc.reasons);
    assert!(worst(vc) <= Severity::Warning, "{:?}", vc.reasons);
}

#[test]
fn ecdsa_p256_chain_to_a_known_root_verifies() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("测试根CA", alg);
    let mid = issue(
        &r,
        params(
            "测试中级CA",
            true,
            datetime!(2024-01-01 0:00 UTC),
            datetime!(2040-01-01 0:00 UTC),
        ),
        alg,
    );
    let s = seal(&mid, alg);
    let mut b = Build::new(&s, alg, DOC);
    b.bag.push(&mid.der);
    let store = store_of(&[&r]);
    let vc = check(&b.der(), &[DOC], &ctx(&store));
    good(&vc);
    assert_eq!(vc.signature_algorithm.as_deref(), Some("ecdsa-p256-sha256"));
    assert_eq!(vc.digest_algorithm.as_deref(), Some("sha256"));
    assert_eq!(vc.trusted_issuer.as_deref(), Some("测试根CA"));
    assert_eq!(
        vc.signing_time_source,
        Some(crate::report::SigningTimeSource::Claimed)
    );
    assert_eq!(vc.signing_time, Some(datetime!(2026-01-01 12:00 UTC)));
    assert!(codes(&vc).contains(&Code::SigningTimeClaimed));
    let signer = vc.signer.unwrap();
    assert!(signer.subject.contains("人力资源和社会保障部人事考试中心"));
    assert_eq!(signer.not_before, "2025-01-01T00:00:00Z");

    // The pieces of a ByteRange are hashed as one, and trailing zero
    // padding of /Contents is ignored.
    let mut padded = b.der();
    padded.extend([0u8; 300]);
    let (a, z) = DOC.split_at(10);
    good(&check(&padded, &[a, z], &ctx(&store)));
}

#[test]
fn p384_and_ed25519_verify() {
    for (alg, name) in [
        (&rcgen::PKCS_ECDSA_P384_SHA384, "ecdsa-p384-sha384"),
        (&rcgen::PKCS_ED25519, "ed25519"),
    ] {
        let r = root("Root", alg);
        let s = seal(&r, alg);
        let store = store_of(&[&r]);
        let vc = check(&Build::new(&s, alg, DOC).der(), &[DOC], &ctx(&store));
        good(&vc);
        assert_eq!(vc.signature_algorithm.as_deref(), Some(name));
    }
}

#[test]
fn without_signed_attributes_the_signature_covers_the_bytes() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let s = seal(&r, alg);
    let store = store_of(&[&r]);
    let mut b = Build::new(&s, alg, DOC);
    b.signed_attrs = false;
    let vc = check(&b.der(), &[DOC], &ctx(&store));
    good(&vc);
    let vc = check(&b.der(), &[b"other bytes"], &ctx(&store));
    assert_eq!(vc.signature_ok, Some(false));
    assert!(codes(&vc).contains(&Code::SignatureValueInvalid));
}

#[test]
fn changed_bytes_are_a_digest_mismatch() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let s = seal(&r, alg);
    let store = store_of(&[&r]);
    let vc = check(
        &Build::new(&s, alg, DOC).der(),
        &[b"%PDF-1.7 the signed bytes of a certificatE"],
        &ctx(&store),
    );
    assert_eq!(vc.digest_ok, Some(false));
    assert_eq!(vc.signature_ok, Some(true));
    assert!(codes(&vc).contains(&Code::DigestMismatch));

    // A messageDigest that was never right, signed anyway.
    let mut b = Build::new(&s, alg, DOC);
    b.wrong_digest = true;
    let vc = check(&b.der(), &[DOC], &ctx(&store));
    assert_eq!(vc.digest_ok, Some(false));
}

#[test]
fn a_flipped_signature_value_is_invalid() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let s = seal(&r, alg);
    let store = store_of(&[&r]);
    let mut b = Build::new(&s, alg, DOC);
    b.flip_signature = true;
    let vc = check(&b.der(), &[DOC], &ctx(&store));
    assert_eq!(vc.signature_ok, Some(false));
    assert!(codes(&vc).contains(&Code::SignatureValueInvalid));
    assert!(!codes(&vc).contains(&Code::DigestMismatch));
}

#[test]
fn ess_signing_certificate_must_name_the_signer() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let s = seal(&r, alg);
    let store = store_of(&[&r]);
    let mut b = Build::new(&s, alg, DOC);
    b.ess_hash = Some(DigestAlgorithm::Sha256.digest(&[&r.der]));
    let vc = check(&b.der(), &[DOC], &ctx(&store));
    assert!(codes(&vc).contains(&Code::SigningCertificateMismatch));
    assert_eq!(worst(&vc), Severity::Invalid);
}

#[test]
fn untrusted_root_and_same_name_impostor_are_not_trusted() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let real = root("测试根CA", alg);
    let impostor = root("测试根CA", alg);
    let s = seal(&impostor, alg);
    let mut b = Build::new(&s, alg, DOC);
    b.bag.push(&impostor.der);
    let store = store_of(&[&real]);
    let vc = check(&b.der(), &[DOC], &ctx(&store));
    assert_eq!(vc.signature_ok, Some(true));
    assert_eq!(vc.trusted_issuer, None);
    assert!(codes(&vc).contains(&Code::NotTrusted));
    let empty = TrustStore::empty();
    let vc = check(&b.der(), &[DOC], &ctx(&empty));
    assert!(codes(&vc).contains(&Code::NotTrusted));
}

#[test]
fn a_pinned_self_signed_signer_is_trusted_by_key() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let key = KeyPair::generate_for(alg).unwrap();
    let cert = params(
        "Self",
        false,
        datetime!(2025-01-01 0:00 UTC),
        datetime!(2030-01-01 0:00 UTC),
    )
    .self_signed(&key)
    .unwrap();
    let p = Party {
        der: cert.der().to_vec(),
        key,
        cert,
    };
    let vc = check(
        &Build::new(&p, alg, DOC).der(),
        &[DOC],
        &ctx(&store_of(&[&p])),
    );
    good(&vc);
}

#[test]
fn certificate_validity_is_judged_at_signing_time() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let old = issue(
        &r,
        params(
            "Old seal",
            false,
            datetime!(2019-01-01 0:00 UTC),
            datetime!(2020-12-31 0:00 UTC),
        ),
        alg,
    );
    let store = store_of(&[&r]);
    let vc = check(&Build::new(&old, alg, DOC).der(), &[DOC], &ctx(&store));
    assert!(codes(&vc).contains(&Code::CertificateExpiredAtSigning));

    // Signed while valid, expired since: a warning only.
    let mut b = Build::new(&old, alg, DOC);
    b.signing_time = Some("200601000000Z");
    let vc = check(&b.der(), &[DOC], &ctx(&store));
    assert!(codes(&vc).contains(&Code::CertificateExpiredSince));
    assert!(worst(&vc) <= Severity::Warning, "{:?}", vc.reasons);

    // ... unless the document itself is dated later than the claim.
    let mut c = ctx(&store);
    c.document_dates = vec![datetime!(2026-03-01 0:00 UTC)];
    let vc = check(&b.der(), &[DOC], &c);
    assert!(codes(&vc).contains(&Code::SigningTimeContradicted));
    assert!(codes(&vc).contains(&Code::CertificateExpiredAtSigning));
    assert_eq!(
        vc.signing_time_source,
        Some(crate::report::SigningTimeSource::DocumentDate)
    );

    // Not yet valid.
    let mut b = Build::new(&old, alg, DOC);
    b.signing_time = Some("180601000000Z");
    let vc = check(&b.der(), &[DOC], &ctx(&store));
    assert!(codes(&vc).contains(&Code::CertificateNotYetValidAtSigning));
}

#[test]
fn signer_key_usage_must_allow_signing() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let mut p = params(
        "Encrypt only",
        false,
        datetime!(2025-01-01 0:00 UTC),
        datetime!(2030-01-01 0:00 UTC),
    );
    p.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
    let s = issue(&r, p, alg);
    let vc = check(
        &Build::new(&s, alg, DOC).der(),
        &[DOC],
        &ctx(&store_of(&[&r])),
    );
    assert!(
        codes(&vc).contains(&Code::CertificateKeyUsage),
        "{:?}",
        vc.reasons
    );
}

#[test]
fn an_issuer_that_is_not_a_ca_breaks_the_chain() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let not_ca = issue(
        &r,
        params(
            "Leaf posing as CA",
            false,
            datetime!(2024-01-01 0:00 UTC),
            datetime!(2040-01-01 0:00 UTC),
        ),
        alg,
    );
    let s = seal(&not_ca, alg);
    let mut b = Build::new(&s, alg, DOC);
    b.bag.push(&not_ca.der);
    let vc = check(&b.der(), &[DOC], &ctx(&store_of(&[&r])));
    assert!(codes(&vc).contains(&Code::ChainCertificateInvalid));
}

#[test]
fn garbage_and_missing_signers_are_reported() {
    let store = TrustStore::empty();
    for bad in [
        &b"\x30\x03\x02\x01"[..],
        b"not a signature",
        &[0x30, 0x80, 0x06],
    ] {
        let vc = check(bad, &[DOC], &ctx(&store));
        assert!(codes(&vc).contains(&Code::CmsUnparseable));
        assert_eq!(vc.signature_ok, None);
    }
    // A signer whose certificate is not in the bag.
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let s = seal(&r, alg);
    let mut b = Build::new(&s, alg, DOC);
    b.bag.clear();
    let vc = check(&b.der(), &[DOC], &ctx(&store));
    assert!(codes(&vc).contains(&Code::SignerCertificateMissing));
    assert_ne!(vc.signature_ok, Some(true));
}

#[test]
fn forbidden_and_unknown_algorithms() {
    use crate::crypto::algorithms::{verify, AlgorithmError};
    // A 1024-bit RSA key.
    let mut modulus = vec![0xc5u8; 128];
    modulus[127] = 0x01;
    let rsa_key = seq(&[&int(&modulus), &int(&[1, 0, 1])]);
    let mut bits = vec![0u8];
    bits.extend(&rsa_key);
    let spki = seq(&[
        &seq(&[&oid("1.2.840.113549.1.1.1"), &encode(tlv::NULL, &[])]),
        &encode(tlv::BIT_STRING, &bits),
    ]);
    let v = verify("1.2.840.113549.1.1.11", None, None, &spki, b"m", &[0; 128]);
    assert!(
        matches!(v.result, Err(AlgorithmError::Forbidden(_))),
        "{v:?}"
    );
    assert_eq!(
        v.result.unwrap_err().reason("x").code,
        Code::AlgorithmForbidden
    );
    let v = verify("1.2.840.113549.1.1.4", None, None, &spki, b"m", &[0; 128]);
    assert!(matches!(v.result, Err(AlgorithmError::Forbidden(_))));
    let v = verify("1.2.3.4.5", None, None, &spki, b"m", &[0; 128]);
    assert!(matches!(v.result, Err(AlgorithmError::Unsupported(_))));
    assert_eq!(
        v.result.unwrap_err().reason("x").code,
        Code::AlgorithmUnsupported
    );

    // An MD5 digest in a CMS signer info is forbidden.
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let s = seal(&r, alg);
    let mut b = Build::new(&s, alg, DOC);
    b.digest_oid = "1.2.840.113549.2.5";
    let vc = check(&b.der(), &[DOC], &ctx(&store_of(&[&r])));
    assert!(
        codes(&vc).contains(&Code::AlgorithmForbidden),
        "{:?}",
        vc.reasons
    );
}

#[test]
fn gm_content_type_parses() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let s = seal(&r, alg);
    let der = Build::new(&s, alg, DOC).der();
    // Swap the outer content type for GM/T 0010 signedData.
    let (outer, _) = tlv::read(&der).unwrap();
    let kids = outer.children().unwrap();
    let gm = seq(&[&oid(OID_GM_SIGNED_DATA), kids[1].raw]);
    let sd = parse(&gm).unwrap();
    assert!(sd.gm);
    let vc = check(&gm, &[DOC], &ctx(&store_of(&[&r])));
    assert_eq!(vc.format, Format::CmsGm);
    good(&vc);
}

/// An RFC 3161 token by `tsa` over `imprinted`, at `gen_time`.
fn token(tsa: &Party, imprinted: &[u8], gen_time: &str) -> Vec<u8> {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let tst = seq(&[
        &int(&[1]),
        &oid("1.2.3.4"),
        &seq(&[
            &alg_id(SHA256),
            &encode(
                tlv::OCTET_STRING,
                &DigestAlgorithm::Sha256.digest(&[imprinted]),
            ),
        ]),
        &int(&[7]),
        &encode(tlv::GENERALIZED_TIME, gen_time.as_bytes()),
    ]);
    let mut b = Build::new(tsa, alg, &tst);
    b.econtent_type = Some(OID_TST_INFO);
    b.der()
}

#[test]
fn a_trusted_signature_timestamp_fixes_the_signing_time() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let tsa = issue(&r, tsa_params("TSA", true), alg);
    let old = issue(
        &r,
        params(
            "Old seal",
            false,
            datetime!(2019-01-01 0:00 UTC),
            datetime!(2020-12-31 0:00 UTC),
        ),
        alg,
    );
    let stamp = |sig: &[u8]| {
        seq(&[
            &oid(OID_TIMESTAMP_TOKEN),
            &set(&[&token(&tsa, sig, "20200601000000Z")]),
        ])
    };
    let mut b = Build::new(&old, alg, DOC);
    // The claim says 2026 (expired); the timestamp proves 2020.
    b.signing_time = Some("260101000000Z");
    b.unsigned = Some(&stamp);
    let store = store_of(&[&r]);
    let vc = check(&b.der(), &[DOC], &ctx(&store));
    assert_eq!(
        vc.signing_time_source,
        Some(crate::report::SigningTimeSource::Timestamp),
        "{:?}",
        vc.reasons
    );
    assert_eq!(vc.signing_time, Some(datetime!(2020-06-01 0:00 UTC)));
    let ts = vc.timestamp.clone().unwrap();
    assert!(ts.valid);
    assert_eq!(ts.trusted_issuer.as_deref(), Some("Root"));
    assert!(!codes(&vc).contains(&Code::CertificateExpiredAtSigning));
    assert!(codes(&vc).contains(&Code::CertificateExpiredSince));

    // A timestamp over some other signature is ignored with a warning.
    let wrong = |_: &[u8]| {
        seq(&[
            &oid(OID_TIMESTAMP_TOKEN),
            &set(&[&token(&tsa, b"another signature", "20200601000000Z")]),
        ])
    };
    b.unsigned = Some(&wrong);
    let vc = check(&b.der(), &[DOC], &ctx(&store));
    assert!(codes(&vc).contains(&Code::TimestampInvalid));
    assert!(codes(&vc).contains(&Code::CertificateExpiredAtSigning));

    // From an unknown TSA: the time stays claimed.
    let other = root("Other", alg);
    let other_tsa = issue(&other, tsa_params("TSA", true), alg);
    let untrusted = |sig: &[u8]| {
        seq(&[
            &oid(OID_TIMESTAMP_TOKEN),
            &set(&[&token(&other_tsa, sig, "20200601000000Z")]),
        ])
    };
    b.unsigned = Some(&untrusted);
    let vc = check(&b.der(), &[DOC], &ctx(&store));
    assert!(codes(&vc).contains(&Code::TimestampUntrusted));
    assert_eq!(
        vc.signing_time_source,
        Some(crate::report::SigningTimeSource::Claimed)
    );

    // A known issuer's certificate that is not for timestamping.
    let mut p = params(
        "Not a TSA",
        false,
        datetime!(2015-01-01 0:00 UTC),
        datetime!(2040-01-01 0:00 UTC),
    );
    p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::CodeSigning];
    let not_tsa = issue(&r, p, alg);
    let by_not_tsa = |sig: &[u8]| {
        seq(&[
            &oid(OID_TIMESTAMP_TOKEN),
            &set(&[&token(&not_tsa, sig, "20200601000000Z")]),
        ])
    };
    b.unsigned = Some(&by_not_tsa);
    let vc = check(&b.der(), &[DOC], &ctx(&store));
    assert!(
        codes(&vc).contains(&Code::TimestampInvalid),
        "{:?}",
        vc.reasons
    );
    assert_eq!(
        vc.signing_time_source,
        Some(crate::report::SigningTimeSource::Claimed)
    );
}

#[test]
fn document_timestamps_cover_the_byte_range() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let tsa = issue(&r, tsa_params("TSA", true), alg);
    let store = store_of(&[&r]);
    let t = token(&tsa, DOC, "20260101000000Z");
    let (a, z) = DOC.split_at(5);
    let vc = crate::signature::timestamp::check_document_timestamp(&t, &[a, z], &ctx(&store));
    assert_eq!(vc.format, Format::DocTimestamp);
    good(&vc);
    assert_eq!(vc.signing_time, Some(datetime!(2026-01-01 0:00 UTC)));
    let vc = crate::signature::timestamp::check_document_timestamp(&t, &[b"changed"], &ctx(&store));
    assert_eq!(vc.digest_ok, Some(false));
    assert!(codes(&vc).contains(&Code::DigestMismatch));
}

/// RFC 3161 2.3: a TSA certificate without an extended key usage, or with
/// id-kp-timeStamping in a non-critical one, makes a document timestamp
/// invalid with its own reason.
#[test]
fn a_tsa_certificate_needs_a_critical_time_stamping_eku() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let store = store_of(&[&r]);
    let (a, z) = DOC.split_at(5);
    let without = issue(
        &r,
        params(
            "TSA without EKU",
            false,
            datetime!(2015-01-01 0:00 UTC),
            datetime!(2040-01-01 0:00 UTC),
        ),
        alg,
    );
    let not_critical = issue(&r, tsa_params("TSA, EKU not critical", false), alg);
    for (tsa, why) in [
        (&without, "no extended key usage"),
        (&not_critical, "not critical"),
    ] {
        let t = token(tsa, DOC, "20260101000000Z");
        let vc = crate::signature::timestamp::check_document_timestamp(&t, &[a, z], &ctx(&store));
        let reason = vc
            .reasons
            .iter()
            .find(|r| r.code == Code::TsaExtendedKeyUsage)
            .unwrap_or_else(|| panic!("{why}: {:?}", vc.reasons));
        assert!(reason.message.contains(why), "{reason:?}");
        assert_eq!(worst(&vc), Severity::Invalid);
    }
}

/// A signer whose extended key usage names only other purposes (a TLS
/// server certificate) may not sign documents; clientAuth with
/// emailProtection, as signing certificates carry, may.
#[test]
fn a_signer_eku_for_other_purposes_only_is_refused() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let store = store_of(&[&r]);
    let leaf = |ekus: Vec<rcgen::ExtendedKeyUsagePurpose>| {
        let mut p = params(
            "Seal",
            false,
            datetime!(2025-01-01 0:00 UTC),
            datetime!(2035-01-01 0:00 UTC),
        );
        p.extended_key_usages = ekus;
        issue(&r, p, alg)
    };
    let server = leaf(vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth]);
    let vc = check(&Build::new(&server, alg, DOC).der(), &[DOC], &ctx(&store));
    assert!(
        codes(&vc).contains(&Code::CertificateExtendedKeyUsage),
        "{:?}",
        vc.reasons
    );
    let signing = leaf(vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::EmailProtection,
    ]);
    let vc = check(&Build::new(&signing, alg, DOC).der(), &[DOC], &ctx(&store));
    good(&vc);
    assert!(!codes(&vc).contains(&Code::CertificateExtendedKeyUsage));
}

#[test]
fn adbe_pkcs7_sha1_encapsulates_the_documents_sha1() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let s = seal(&r, alg);
    let store = store_of(&[&r]);
    let sha1 = DigestAlgorithm::Sha1.digest(&[DOC]);
    let mut b = Build::new(&s, alg, &sha1);
    b.econtent_type = Some(OID_DATA);
    let vc = check(&b.der(), &[DOC], &ctx(&store));
    good(&vc);
    assert!(codes(&vc).contains(&Code::WeakAlgorithm));
    let vc = check(&b.der(), &[b"other bytes"], &ctx(&store));
    assert_eq!(vc.digest_ok, Some(false));
    assert!(codes(&vc).contains(&Code::DigestMismatch));
}

#[test]
fn a_known_intermediate_under_a_known_root_reports_the_root() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("测试根CA", alg);
    let mid = issue(
        &r,
        params(
            "测试中级CA",
            true,
            datetime!(2024-01-01 0:00 UTC),
            datetime!(2040-01-01 0:00 UTC),
        ),
        alg,
    );
    let s = seal(&mid, alg);
    // Only the seal certificate is embedded; the store completes the chain.
    let b = Build::new(&s, alg, DOC);
    let vc = check(&b.der(), &[DOC], &ctx(&store_of(&[&mid, &r])));
    good(&vc);
    assert_eq!(vc.trusted_issuer.as_deref(), Some("测试根CA"));
    // The intermediate alone is a known issuer too.
    let vc = check(&b.der(), &[DOC], &ctx(&store_of(&[&mid])));
    good(&vc);
    assert_eq!(vc.trusted_issuer.as_deref(), Some("测试中级CA"));
    // Without it, the root cannot be reached.
    let vc = check(&b.der(), &[DOC], &ctx(&store_of(&[&r])));
    assert!(codes(&vc).contains(&Code::NotTrusted));
}

#[test]
fn signer_named_by_subject_key_identifier() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let r = root("Root", alg);
    let s = seal(&r, alg);
    let mut b = Build::new(&s, alg, DOC);
    b.sid_ski = true;
    let vc = check(&b.der(), &[DOC], &ctx(&store_of(&[&r])));
    good(&vc);
    // Another certificate in the bag does not stand in for it.
    let other = seal(&r, alg);
    b.bag = vec![&other.der];
    let vc = check(&b.der(), &[DOC], &ctx(&store_of(&[&r])));
    assert!(codes(&vc).contains(&Code::SignerCertificateMissing));
}

#[test]
fn path_length_and_issuer_validity_are_enforced() {
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let key = KeyPair::generate_for(alg).unwrap();
    let mut p = params(
        "Root pathlen 0",
        true,
        datetime!(2015-01-01 0:00 UTC),
        datetime!(2045-01-01 0:00 UTC),
    );
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let cert = p.self_signed(&key).unwrap();
    let r = Party {
        der: cert.der().to_vec(),
        key,
        cert,
    };
    let mid = issue(
        &r,
        params(
            "Intermediate",
            true,
            datetime!(2015-01-01 0:00 UTC),
            datetime!(2040-01-01 0:00 UTC),
        ),
        alg,
    );
    let s = seal(&mid, alg);
    let mut b = Build::new(&s, alg, DOC);
    b.bag.push(&mid.der);
    let vc = check(&b.der(), &[DOC], &ctx(&store_of(&[&r])));
    assert!(
        codes(&vc).contains(&Code::ChainCertificateInvalid),
        "{:?}",
        vc.reasons
    );

    // An intermediate that had expired when the seal signed.
    let r = root("Root", alg);
    let old_mid = issue(
        &r,
        params(
            "Old intermediate",
            true,
            datetime!(2015-01-01 0:00 UTC),
            datetime!(2025-06-01 0:00 UTC),
        ),
        alg,
    );
    let s = seal(&old_mid, alg);
    let mut b = Build::new(&s, alg, DOC);
    b.bag.push(&old_mid.der);
    let vc = check(&b.der(), &[DOC], &ctx(&store_of(&[&r])));
    assert!(
        codes(&vc).contains(&Code::ChainCertificateInvalid),
        "{:?}",
        vc.reasons
    );
    assert!(!codes(&vc).contains(&Code::CertificateExpiredAtSigning));
}
