//! CMS / PKCS#7 SignedData read from its bytes: the ContentInfo, the
//! SignedData fields, each SignerInfo and its attributes, and one
//! SignerInfo's check over its content (message digest, ESS certificate
//! binding, signature value). Both the PDF signature check
//! ([`super::cms`]) and the timestamp-token reader ([`super::timestamp`])
//! read CMS through this module, which imports neither.
//!
//! The container is read by hand ([`tlv`]) rather than with a strict DER
//! decoder: signing tools emit BER, trailing padding and the GM/T 0010
//! content types, and a signature that a strict decoder refuses would be
//! reported as unreadable instead of being checked.

use std::borrow::Cow;

use thiserror::Error;
use time::OffsetDateTime;

use crate::crypto::algorithms::{self, DigestAlgorithm};
use crate::crypto::tlv::{self, Tlv, TlvError};
use crate::report::{Code, Reason};
use crate::trust::chain::Cert;

pub const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
pub const OID_GM_SIGNED_DATA: &str = "1.2.156.10197.6.1.4.2.2";
pub const OID_DATA: &str = "1.2.840.113549.1.7.1";
pub const OID_GM_DATA: &str = "1.2.156.10197.6.1.4.2.1";
pub const OID_TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
pub(crate) const OID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
pub(crate) const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
pub(crate) const OID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
pub(crate) const OID_SIGNING_CERT: &str = "1.2.840.113549.1.9.16.2.12";
pub(crate) const OID_SIGNING_CERT_V2: &str = "1.2.840.113549.1.9.16.2.47";
pub const OID_TIMESTAMP_TOKEN: &str = "1.2.840.113549.1.9.16.2.14";
/// adbe-revocationInfoArchival (PDF 32000-1, 12.8.3.3.2).
pub const OID_ADBE_REVOCATION: &str = "1.2.840.113583.1.1.8";

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CmsError {
    #[error("{0}")]
    Tlv(#[from] TlvError),
    #[error("not a SignedData (content type {0})")]
    NotSignedData(String),
    #[error("SignedData structure: {0}")]
    Structure(&'static str),
}

/// How a SignerInfo names its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerId {
    IssuerSerial { issuer: Vec<u8>, serial: Vec<u8> },
    SubjectKeyId(Vec<u8>),
}

#[derive(Debug, Clone)]
pub struct Attribute<'a> {
    pub oid: String,
    pub values: Vec<Tlv<'a>>,
}

#[derive(Debug, Clone)]
pub struct SignerInfoData<'a> {
    pub sid: SignerId,
    pub digest_oid: String,
    /// The `[0]` element as stored, and its attributes.
    pub signed_attrs: Option<(Tlv<'a>, Vec<Attribute<'a>>)>,
    pub sig_oid: String,
    pub sig_params: Option<Vec<u8>>,
    pub signature: Vec<u8>,
    pub unsigned_attrs: Vec<Attribute<'a>>,
}

#[derive(Debug, Clone)]
pub struct SignedData<'a> {
    /// GM/T 0010 content type.
    pub gm: bool,
    pub digest_algorithms: Vec<String>,
    pub econtent_type: String,
    /// Encapsulated content, where present (adbe.pkcs7.sha1, TSTInfo).
    pub econtent: Option<Vec<u8>>,
    /// The certificates bag (plain X.509 certificates only).
    pub certificates: Vec<Vec<u8>>,
    /// The SignedData's `crls` (RevocationInfoChoices) as stored: CRLs,
    /// and OCSP responses in the other-revocation-info form. The
    /// revocation stage reads them ([`CarriedRevocation`]).
    pub crls: Option<Tlv<'a>>,
    pub signers: Vec<SignerInfoData<'a>>,
}

/// Parses a ContentInfo holding SignedData; zero padding after it is
/// ignored.
pub fn parse(contents: &[u8]) -> Result<SignedData<'_>, CmsError> {
    let ci = tlv::read_padded(contents)?.expect_tag(tlv::SEQUENCE, "ContentInfo")?;
    let kids = ci.children()?;
    let ct = tlv::oid_of(
        kids.first()
            .ok_or(CmsError::Structure("empty ContentInfo"))?,
    )?;
    let gm = match ct.as_str() {
        OID_SIGNED_DATA => false,
        OID_GM_SIGNED_DATA => true,
        other => return Err(CmsError::NotSignedData(other.to_string())),
    };
    let wrapped = kids
        .get(1)
        .filter(|t| t.context() == Some(0))
        .ok_or(CmsError::Structure("no content"))?;
    let sd = wrapped
        .children()?
        .into_iter()
        .next()
        .ok_or(CmsError::Structure("no content"))?
        .expect_tag(tlv::SEQUENCE, "SignedData")?;
    let mut it = sd.children()?.into_iter().peekable();
    let _version = it
        .next()
        .filter(|v| v.tag == tlv::INTEGER)
        .ok_or(CmsError::Structure("no version"))?;
    let digest_set = it
        .next()
        .filter(|t| t.tag == tlv::SET)
        .ok_or(CmsError::Structure("no digestAlgorithms"))?;
    let mut digest_algorithms = Vec::new();
    for a in digest_set.children()? {
        digest_algorithms.push(tlv::algorithm(&a)?.0);
    }
    let encap = it
        .next()
        .ok_or(CmsError::Structure("no encapContentInfo"))?
        .expect_tag(tlv::SEQUENCE, "encapContentInfo")?;
    let encap_kids = encap.children()?;
    let econtent_type = tlv::oid_of(
        encap_kids
            .first()
            .ok_or(CmsError::Structure("no eContentType"))?,
    )?;
    let econtent = match encap_kids.get(1) {
        Some(w) if w.context() == Some(0) => {
            let inner = w
                .children()?
                .into_iter()
                .next()
                .ok_or(CmsError::Structure("empty eContent"))?;
            // PKCS#7 v1.5 allowed any type here; CMS an OCTET STRING.
            Some(match inner.tag & 0x1f {
                0x04 => inner.octets()?.into_owned(),
                _ => inner.raw.to_vec(),
            })
        }
        _ => None,
    };
    let mut certificates = Vec::new();
    let mut crls = None;
    while let Some(t) = it.peek() {
        match t.context() {
            Some(0) => {
                for c in t.children()? {
                    if c.tag == tlv::SEQUENCE && certificates.len() < 64 {
                        certificates.push(c.raw.to_vec());
                    }
                }
                it.next();
            }
            Some(1) => {
                crls = Some(*t);
                it.next();
            }
            _ => break,
        }
    }
    let signer_set = it
        .next()
        .filter(|t| t.tag == tlv::SET)
        .ok_or(CmsError::Structure("no signerInfos"))?;
    let mut signers = Vec::new();
    for si in signer_set.children()? {
        signers.push(parse_signer_info(&si)?);
    }
    Ok(SignedData {
        gm,
        digest_algorithms,
        econtent_type,
        econtent,
        certificates,
        crls,
        signers,
    })
}

fn parse_signer_info<'a>(si: &Tlv<'a>) -> Result<SignerInfoData<'a>, CmsError> {
    let si = si.expect_tag(tlv::SEQUENCE, "SignerInfo")?;
    let mut it = si.children()?.into_iter().peekable();
    it.next()
        .filter(|v| v.tag == tlv::INTEGER)
        .ok_or(CmsError::Structure("SignerInfo version"))?;
    let sid_t = it
        .next()
        .ok_or(CmsError::Structure("no signer identifier"))?;
    let sid = if sid_t.tag == tlv::SEQUENCE {
        let k = sid_t.children()?;
        let issuer = k.first().ok_or(CmsError::Structure("issuer"))?;
        let serial = k
            .get(1)
            .filter(|s| s.tag == tlv::INTEGER)
            .ok_or(CmsError::Structure("serial"))?;
        SignerId::IssuerSerial {
            issuer: issuer.raw.to_vec(),
            serial: tlv::unsigned_bytes(serial.content).to_vec(),
        }
    } else if sid_t.context() == Some(0) {
        SignerId::SubjectKeyId(sid_t.octets()?.into_owned())
    } else {
        return Err(CmsError::Structure("signer identifier"));
    };
    let (digest_oid, _) = tlv::algorithm(&it.next().ok_or(CmsError::Structure("digest"))?)?;
    let mut signed_attrs = None;
    if it.peek().is_some_and(|t| t.context() == Some(0)) {
        if let Some(t) = it.next() {
            signed_attrs = Some((t, attributes(&t)?));
        }
    }
    let (sig_oid, sig_params) = tlv::algorithm(
        &it.next()
            .ok_or(CmsError::Structure("signature algorithm"))?,
    )?;
    let sig = it
        .next()
        .filter(|t| t.tag & 0x1f == tlv::OCTET_STRING || t.tag == tlv::BIT_STRING)
        .ok_or(CmsError::Structure("signature value"))?;
    let signature = if sig.tag == tlv::BIT_STRING {
        sig.content.get(1..).unwrap_or(&[]).to_vec()
    } else {
        sig.octets()?.into_owned()
    };
    let mut unsigned_attrs = Vec::new();
    if let Some(t) = it.next().filter(|t| t.context() == Some(1)) {
        unsigned_attrs = attributes(&t)?;
    }
    Ok(SignerInfoData {
        sid,
        digest_oid,
        signed_attrs,
        sig_oid,
        sig_params,
        signature,
        unsigned_attrs,
    })
}

fn attributes<'a>(set: &Tlv<'a>) -> Result<Vec<Attribute<'a>>, CmsError> {
    let mut out = Vec::new();
    for a in set.children()? {
        let k = a.expect_tag(tlv::SEQUENCE, "attribute")?.children()?;
        let oid = tlv::oid_of(k.first().ok_or(CmsError::Structure("attribute"))?)?;
        let values = match k.get(1) {
            Some(v) if v.tag == tlv::SET => v.children()?,
            _ => return Err(CmsError::Structure("attribute values")),
        };
        out.push(Attribute { oid, values });
    }
    Ok(out)
}

pub(crate) fn attr<'b, 'a>(attrs: &'b [Attribute<'a>], oid: &str) -> Option<&'b Attribute<'a>> {
    attrs.iter().find(|a| a.oid == oid)
}

/// The certificate a SignerInfo names, among `certs`.
pub fn find_signer<'c>(sid: &SignerId, certs: &'c [Cert]) -> Option<&'c Cert> {
    certs.iter().find(|c| match sid {
        SignerId::IssuerSerial { issuer, serial } => {
            &c.serial == serial && (&c.issuer_raw == issuer || same_name(issuer, &c.issuer))
        }
        SignerId::SubjectKeyId(k) => match &c.ski {
            Some(ski) => ski == k,
            // RFC 5280's first method, for certificates without the extension.
            None => key_id_of(&c.spki).as_deref() == Some(k.as_slice()),
        },
    })
}

/// SHA-1 of the subjectPublicKey bits.
fn key_id_of(spki: &[u8]) -> Option<Vec<u8>> {
    let (t, _) = tlv::read(spki).ok()?;
    let bits = t.children().ok()?.into_iter().nth(1)?;
    Some(DigestAlgorithm::Sha1.digest(&[bits.content.get(1..)?]))
}

/// Names compared as text where their encodings differ (PrintableString
/// against UTF8String for the same value).
fn same_name(raw: &[u8], shown: &str) -> bool {
    use x509_parser::prelude::FromDer;
    x509_parser::x509::X509Name::from_der(raw)
        .map(|(_, n)| n.to_string() == shown)
        .unwrap_or(false)
}

/// What checking one SignerInfo over its content found.
#[derive(Debug, Clone, Default)]
pub struct SignerCheck {
    pub digest_algorithm: Option<DigestAlgorithm>,
    pub signature_algorithm: Option<String>,
    pub digest_ok: Option<bool>,
    pub signature_ok: Option<bool>,
    pub signer: Option<Cert>,
    /// The signingTime attribute.
    pub claimed_time: Option<OffsetDateTime>,
    pub reasons: Vec<Reason>,
}

/// Checks one SignerInfo: the message digest over `content` (the pieces
/// whose digest the signer signed), the ESS certificate binding and the
/// signature value. `extra_certs` are certificates from elsewhere (the
/// store, /Cert) to find the signer among.
pub fn check_signer(
    sd: &SignedData,
    si: &SignerInfoData,
    content: &[&[u8]],
    extra_certs: &[Cert],
) -> SignerCheck {
    let mut out = SignerCheck::default();
    let digest = DigestAlgorithm::from_oid(&si.digest_oid);
    // A forbidden digest is named even when the identifiers also
    // contradict each other: it is the plainer reason.
    let forbidden = digest.is_some_and(|d| d.forbidden());
    if let Some(why) = algorithms::misplaced(&si.digest_oid, &si.sig_oid, si.sig_params.as_deref())
    {
        if forbidden {
            out.reasons
                .push(Reason::detail(Code::AlgorithmForbidden, "MD5 digest"));
        }
        out.reasons
            .push(Reason::detail(Code::AlgorithmMisplaced, why));
        return out;
    }
    out.digest_algorithm = digest;
    let Some(digest) = digest else {
        out.reasons.push(Reason::detail(
            Code::AlgorithmUnsupported,
            format!("digest algorithm {}", si.digest_oid),
        ));
        return out;
    };
    if digest.forbidden() {
        out.reasons
            .push(Reason::detail(Code::AlgorithmForbidden, "MD5 digest"));
    }

    let bag: Vec<Cert> = sd
        .certificates
        .iter()
        .filter_map(|d| Cert::parse(d))
        .collect();
    let signer = find_signer(&si.sid, &bag).or_else(|| find_signer(&si.sid, extra_certs));
    let Some(signer) = signer.cloned() else {
        out.reasons
            .push(Reason::new(Code::SignerCertificateMissing));
        return out;
    };

    let computed = digest.digest(content);
    let message: Cow<[u8]> = match &si.signed_attrs {
        Some((raw, attrs)) => {
            check_signed_attrs(sd, attrs, &computed, &signer, &mut out);
            // Signed as the DER SET OF, not as the [0] IMPLICIT it is stored as.
            Cow::Owned(raw.retagged(tlv::SET))
        }
        None => {
            out.digest_ok = Some(true);
            Cow::Owned(content.concat())
        }
    };

    let v = algorithms::verify(
        &si.sig_oid,
        si.sig_params.as_deref(),
        Some(digest),
        &signer.spki,
        &message,
        &si.signature,
    );
    out.signature_algorithm = v.name.clone();
    out.reasons
        .extend(v.warnings("the signature's digest is SHA-1"));
    if digest == DigestAlgorithm::Sha1 && v.digest != Some(DigestAlgorithm::Sha1) {
        out.reasons.push(Reason::detail(
            Code::WeakAlgorithm,
            "the document digest is SHA-1",
        ));
    }
    match &v.result {
        Ok(()) => out.signature_ok = Some(true),
        Err(e) => {
            out.signature_ok = Some(false);
            out.reasons.push(e.reason("signature value"));
        }
    }
    // A digest mismatch only means "altered" when the signature itself is
    // genuine; a signature that does not verify is invalid, whatever it
    // claims to cover.
    if out.digest_ok == Some(false) {
        out.reasons.push(digest_mismatch(
            out.signature_ok,
            "the messageDigest does not match the signed bytes",
        ));
    }
    out.signer = Some(signer);
    out
}

/// The reason for a digest that does not match: "altered" only when the
/// signature itself is genuine; a signature that does not verify is
/// invalid, whatever it claims to cover.
pub(crate) fn digest_mismatch(signature_ok: Option<bool>, detail: &str) -> Reason {
    let code = if signature_ok == Some(true) {
        Code::DigestMismatch
    } else {
        Code::SignatureValueInvalid
    };
    Reason::detail(code, detail)
}

fn check_signed_attrs(
    sd: &SignedData,
    attrs: &[Attribute],
    computed: &[u8],
    signer: &Cert,
    out: &mut SignerCheck,
) {
    match attr(attrs, OID_MESSAGE_DIGEST)
        .and_then(|a| a.values.first())
        .and_then(|v| v.octets().ok())
    {
        Some(md) => out.digest_ok = Some(md.as_ref() == computed),
        None => {
            out.digest_ok = Some(false);
            out.reasons.push(Reason::detail(
                Code::CmsUnparseable,
                "the signed attributes hold no messageDigest",
            ));
        }
    }
    if let Some(ct) = attr(attrs, OID_CONTENT_TYPE) {
        let value = ct.values.first().and_then(|v| tlv::oid_of(v).ok());
        if value.as_deref() != Some(sd.econtent_type.as_str()) {
            out.reasons.push(Reason::detail(
                Code::ContentTypeMismatch,
                format!(
                    "attribute {} but content {}",
                    value.as_deref().unwrap_or("unreadable"),
                    sd.econtent_type
                ),
            ));
        }
    }
    out.claimed_time = attr(attrs, OID_SIGNING_TIME)
        .and_then(|a| a.values.first())
        .and_then(tlv::time_of);
    for (oid, v2) in [(OID_SIGNING_CERT, false), (OID_SIGNING_CERT_V2, true)] {
        if let Some(a) = attr(attrs, oid) {
            if let Err(why) = check_ess(a, v2, signer) {
                out.reasons
                    .push(Reason::detail(Code::SigningCertificateMismatch, why));
            }
        }
    }
}

/// ESS signing-certificate(-v2): the first ESSCertID must be the signer's.
fn check_ess(a: &Attribute, v2: bool, signer: &Cert) -> Result<(), String> {
    let unreadable = || "the signing-certificate attribute does not parse".to_string();
    let value = a.values.first().ok_or_else(unreadable)?;
    let certs = value
        .children()
        .ok()
        .and_then(|k| k.into_iter().next())
        .ok_or_else(unreadable)?;
    let first = certs
        .children()
        .ok()
        .and_then(|k| k.into_iter().next())
        .ok_or_else(unreadable)?;
    let fields = first.children().map_err(|_| unreadable())?;
    let mut fields = fields.iter();
    let mut hash_alg = if v2 {
        DigestAlgorithm::Sha256
    } else {
        DigestAlgorithm::Sha1
    };
    let mut f = fields.next().ok_or_else(unreadable)?;
    if v2 && f.tag == tlv::SEQUENCE {
        let (oid, _) = tlv::algorithm(f).map_err(|_| unreadable())?;
        hash_alg = DigestAlgorithm::from_oid(&oid)
            .ok_or_else(|| format!("signing-certificate hash {oid} is unknown"))?;
        f = fields.next().ok_or_else(unreadable)?;
    }
    let hash = f.octets().map_err(|_| unreadable())?;
    if hash.as_ref() != hash_alg.digest(&[&signer.der]).as_slice() {
        return Err("the signing-certificate attribute names another certificate".into());
    }
    if let Some(issuer_serial) = fields.next() {
        let k = issuer_serial.children().map_err(|_| unreadable())?;
        if let Some(serial) = k.get(1).filter(|s| s.tag == tlv::INTEGER) {
            if tlv::unsigned_bytes(serial.content) != signer.serial.as_slice() {
                return Err("the signing-certificate serial is another certificate's".into());
            }
        }
    }
    Ok(())
}

/// The revocation data one CMS signer carries, as the encodings it was
/// read from: plain data the revocation stage reads
/// (`revocation::collect::from_cms`), so that this reader needs nothing
/// of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CarriedRevocation {
    /// The SignedData's `crls` element (RevocationInfoChoices).
    pub crls: Option<Vec<u8>>,
    /// The values of adbe-revocationInfoArchival among the signed
    /// attributes (at most four), each a RevocationInfoArchival.
    pub archival: Vec<Vec<u8>>,
    /// The same, for each timestamp token among the unsigned attributes
    /// (at most four per attribute) that parses, its first signer's.
    pub timestamps: Vec<CarriedRevocation>,
}

/// What `sd`'s signer `si` carries: the SignedData's `crls`, the
/// adbe-revocationInfoArchival signed attribute, and the same of the
/// timestamp tokens on it.
pub fn carried_revocation(sd: &SignedData, si: &SignerInfoData) -> CarriedRevocation {
    let mut out = CarriedRevocation {
        crls: sd.crls.map(|t| t.raw.to_vec()),
        archival: archival_values(si),
        timestamps: Vec::new(),
    };
    for a in si
        .unsigned_attrs
        .iter()
        .filter(|a| a.oid == OID_TIMESTAMP_TOKEN)
    {
        for token in a.values.iter().take(4) {
            if let Ok(tsd) = parse(token.raw) {
                out.timestamps.push(CarriedRevocation {
                    crls: tsd.crls.map(|t| t.raw.to_vec()),
                    archival: tsd.signers.first().map(archival_values).unwrap_or_default(),
                    timestamps: Vec::new(),
                });
            }
        }
    }
    out
}

fn archival_values(si: &SignerInfoData) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if let Some((_, attrs)) = &si.signed_attrs {
        for a in attrs.iter().filter(|a| a.oid == OID_ADBE_REVOCATION) {
            out.extend(a.values.iter().take(4).map(|v| v.raw.to_vec()));
        }
    }
    out
}
