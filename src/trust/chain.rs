//! Building a chain from the signer through intermediates (from the
//! signature's bag and the store) to a known issuer, at the signing time.
//! Every link's signature is verified; a known issuer is recognised by its
//! key (SubjectPublicKeyInfo), never by its name.

use std::collections::HashSet;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;

use super::TrustStore;
use crate::crypto::algorithms::{self, DigestAlgorithm};
use crate::crypto::tlv;
use crate::report::{Code, Reason, SignerInfo};

/// Longest chain certcheck follows (signer + intermediates + issuer).
const MAX_PATH: usize = 8;
/// Signature checks one chain search may spend.
const MAX_VERIFICATIONS: usize = 64;

/// The outcome of chain building for one signer.
#[derive(Debug, Clone, Default)]
pub struct ChainOutcome {
    /// The known issuer's name when a chain of verified signatures reached
    /// one. Validity problems along it are in `reasons`.
    pub trusted_issuer: Option<String>,
    /// DER certificates from the signer up to (and including) the issuer's,
    /// where a chain was found.
    pub path: Vec<Vec<u8>>,
    pub reasons: Vec<Reason>,
}

impl ChainOutcome {
    /// A chain to a known issuer with nothing invalid along it.
    pub fn is_valid(&self) -> bool {
        self.trusted_issuer.is_some()
            && !self
                .reasons
                .iter()
                .any(|r| r.severity() >= crate::report::Severity::Untrusted)
    }
}

/// What certcheck reads from a certificate.
#[derive(Debug, Clone)]
pub struct Cert {
    pub der: Vec<u8>,
    pub subject_raw: Vec<u8>,
    pub issuer_raw: Vec<u8>,
    pub subject: String,
    pub issuer: String,
    /// Serial number magnitude.
    pub serial: Vec<u8>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub spki: Vec<u8>,
    pub spki_sha256: [u8; 32],
    pub tbs: Vec<u8>,
    pub sig_oid: String,
    pub sig_params: Option<Vec<u8>>,
    pub signature: Vec<u8>,
    pub ski: Option<Vec<u8>>,
    pub aki: Option<Vec<u8>>,
    /// Basic constraints: (cA, pathLenConstraint), where present.
    pub basic_constraints: Option<(bool, Option<u32>)>,
    /// Key usage: (digitalSignature, nonRepudiation, keyCertSign).
    pub key_usage: Option<(bool, bool, bool)>,
    /// Extended key usage, where present: whether it allows timestamping.
    pub eku_time_stamping: Option<bool>,
    /// Extended key usage, where present: whether it allows signing OCSP
    /// responses (a delegated responder).
    pub eku_ocsp_signing: Option<bool>,
    /// Key usage, where present: whether it allows signing CRLs.
    pub key_crl_sign: Option<bool>,
    /// The extended key usage extension, where present.
    pub eku: Option<Eku>,
    pub has_extensions: bool,
}

/// Key purposes that are for something else than signing documents (RFC
/// 5280 and RFC 4945 IPsec purposes). serverAuth, timeStamping and
/// OCSPSigning are read by name.
const NOT_FOR_DOCUMENTS: &[&str] = &[
    "1.3.6.1.5.5.7.3.5",  // id-kp-ipsecEndSystem
    "1.3.6.1.5.5.7.3.6",  // id-kp-ipsecTunnel
    "1.3.6.1.5.5.7.3.7",  // id-kp-ipsecUser
    "1.3.6.1.5.5.7.3.13", // id-kp-eapOverPPP
    "1.3.6.1.5.5.7.3.14", // id-kp-eapOverLAN
    "1.3.6.1.5.5.7.3.17", // id-kp-ipsecIKE
];

/// What an extended key usage extension allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eku {
    pub critical: bool,
    /// anyExtendedKeyUsage.
    pub any: bool,
    /// id-kp-timeStamping.
    pub time_stamping: bool,
    /// Some listed purpose may be signing documents: any, clientAuth,
    /// codeSigning, emailProtection (the purposes Adobe and the national
    /// CAs' signing certificates carry), or a purpose certcheck does not
    /// know to be for something else (a CA's own document-signing OID).
    pub may_sign_documents: bool,
}

impl Cert {
    pub fn parse(der: &[u8]) -> Option<Cert> {
        let (outer, _) = tlv::read(der).ok()?;
        let outer = outer.expect_tag(tlv::SEQUENCE, "certificate").ok()?;
        let kids = outer.children().ok()?;
        let tbs = kids.first()?;
        let (sig_oid, sig_params) = tlv::algorithm(kids.get(1)?).ok()?;
        let sig_bits = kids.get(2).filter(|b| b.tag == tlv::BIT_STRING)?;
        let signature = sig_bits.content.get(1..)?.to_vec();
        let der = outer.raw;
        let (_, x) = x509_parser::certificate::X509Certificate::from_der(der).ok()?;
        let spki = x.public_key().raw.to_vec();
        let time_of = |t: &x509_parser::time::ASN1Time| {
            OffsetDateTime::from_unix_timestamp(t.timestamp()).ok()
        };
        let mut cert = Cert {
            der: der.to_vec(),
            subject_raw: x.subject().as_raw().to_vec(),
            issuer_raw: x.issuer().as_raw().to_vec(),
            subject: x.subject().to_string(),
            issuer: x.issuer().to_string(),
            serial: tlv::unsigned_bytes(x.raw_serial()).to_vec(),
            not_before: time_of(&x.validity().not_before)?,
            not_after: time_of(&x.validity().not_after)?,
            spki_sha256: algorithms::spki_sha256(&spki),
            spki,
            tbs: tbs.raw.to_vec(),
            sig_oid,
            sig_params,
            signature,
            ski: None,
            aki: None,
            basic_constraints: None,
            key_usage: None,
            eku_time_stamping: None,
            eku_ocsp_signing: None,
            key_crl_sign: None,
            eku: None,
            has_extensions: !x.extensions().is_empty(),
        };
        for ext in x.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => cert.ski = Some(k.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    cert.aki = a.key_identifier.as_ref().map(|k| k.0.to_vec())
                }
                ParsedExtension::BasicConstraints(b) => {
                    cert.basic_constraints = Some((b.ca, b.path_len_constraint))
                }
                ParsedExtension::ExtendedKeyUsage(e) => {
                    cert.eku_time_stamping = Some(e.time_stamping || e.any);
                    cert.eku_ocsp_signing = Some(e.ocsp_signing);
                    cert.eku = Some(Eku {
                        critical: ext.critical,
                        any: e.any,
                        time_stamping: e.time_stamping,
                        may_sign_documents: e.any
                            || e.client_auth
                            || e.code_signing
                            || e.email_protection
                            || e.other
                                .iter()
                                .any(|o| !NOT_FOR_DOCUMENTS.contains(&o.to_id_string().as_str())),
                    });
                }
                ParsedExtension::KeyUsage(k) => {
                    cert.key_crl_sign = Some(k.crl_sign());
                    cert.key_usage = Some((
                        k.digital_signature(),
                        k.non_repudiation(),
                        k.key_cert_sign(),
                    ))
                }
                _ => {}
            }
        }
        Some(cert)
    }

    /// The certificate as the record shows a signer.
    pub fn info(&self) -> SignerInfo {
        let rfc = |t: OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        };
        SignerInfo {
            subject: self.subject.clone(),
            issuer: self.issuer.clone(),
            serial: hex::encode(&self.serial),
            not_before: rfc(self.not_before),
            not_after: rfc(self.not_after),
            sha256: hex::encode(Sha256::digest(&self.der)),
        }
    }

    pub fn valid_at(&self, at: OffsetDateTime) -> bool {
        self.not_before <= at && at <= self.not_after
    }

    /// The common name, else the whole subject.
    pub fn display_name(&self) -> String {
        x509_parser::certificate::X509Certificate::from_der(&self.der)
            .ok()
            .and_then(|(_, x)| {
                x.subject()
                    .iter_common_name()
                    .next()
                    .and_then(|cn| cn.as_str().ok().map(str::to_string))
            })
            .unwrap_or_else(|| self.subject.clone())
    }

    /// Whether `self` verifies as issued by `issuer`'s key.
    pub fn verify_issued_by(&self, issuer: &Cert) -> algorithms::Verification {
        algorithms::verify(
            &self.sig_oid,
            self.sig_params.as_deref(),
            None,
            &issuer.spki,
            &self.tbs,
            &self.signature,
        )
    }

    fn may_be_issued_by(&self, issuer: &Cert) -> bool {
        if self.issuer_raw != issuer.subject_raw && self.issuer != issuer.subject {
            return false;
        }
        match (&self.aki, &issuer.ski) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        }
    }
}

/// Builds and checks a chain for `signer` (DER) using `bag` (other DER
/// certificates from the signature) and `store`, judging validity at `at`.
pub fn build(
    signer: &[u8],
    bag: &[Vec<u8>],
    store: &TrustStore,
    at: OffsetDateTime,
) -> ChainOutcome {
    let mut out = ChainOutcome::default();
    let Some(signer) = Cert::parse(signer) else {
        out.reasons.push(Reason::detail(
            Code::SignerCertificateMissing,
            "the signer's certificate does not parse",
        ));
        return out;
    };
    check_signer(&signer, at, &mut out.reasons);

    // Candidate issuers: the signature's own certificates and the store's.
    let mut seen = HashSet::new();
    seen.insert(Sha256::digest(&signer.der).to_vec());
    let mut candidates = Vec::new();
    for der in bag.iter().map(Vec::as_slice).chain(
        store
            .issuers
            .iter()
            .filter_map(|i| i.certificate.as_deref()),
    ) {
        if candidates.len() >= 256 {
            break;
        }
        if seen.insert(Sha256::digest(der).to_vec()) {
            if let Some(c) = Cert::parse(der) {
                candidates.push(c);
            }
        }
    }

    let mut search = Search {
        candidates: &candidates,
        store,
        budget: MAX_VERIFICATIONS,
        weak: false,
    };
    let mut path = vec![&signer];
    match search.find(&mut path) {
        Some(anchor_name) => {
            out.trusted_issuer = Some(anchor_name);
            check_issuers(&path, at, &mut out.reasons);
            if search.weak {
                out.reasons.push(Reason::detail(
                    Code::WeakAlgorithm,
                    "a certificate in the chain is signed with SHA-1",
                ));
            }
            out.path = path.iter().map(|c| c.der.clone()).collect();
        }
        None => {
            out.reasons.push(Reason::detail(
                Code::NotTrusted,
                format!("issuer: {}", signer.issuer),
            ));
        }
    }
    out
}

struct Search<'a> {
    candidates: &'a [Cert],
    store: &'a TrustStore,
    budget: usize,
    weak: bool,
}

impl<'a> Search<'a> {
    /// Extends `path` (whose last element is the certificate to place) to a
    /// known issuer, depth first; returns the issuer's name.
    fn find(&mut self, path: &mut Vec<&'a Cert>) -> Option<String> {
        let last = *path.last()?;
        if let Some(known) = self.store.find_spki(&last.spki_sha256) {
            // A known intermediate issued by a known root: report the root,
            // and hold the intermediate to the root's signature too.
            if last.subject_raw != last.issuer_raw && path.len() < MAX_PATH {
                for cand in self.candidates {
                    if self.store.find_spki(&cand.spki_sha256).is_none()
                        || path.iter().any(|p| p.spki_sha256 == cand.spki_sha256)
                        || !last.may_be_issued_by(cand)
                        || self.budget == 0
                    {
                        continue;
                    }
                    if let Some(name) = self.through(path, last, cand) {
                        return Some(name);
                    }
                }
            }
            return Some(known.name.clone());
        }
        if path.len() >= MAX_PATH {
            return None;
        }
        for cand in self.candidates {
            if path.iter().any(|p| p.spki_sha256 == cand.spki_sha256) {
                continue;
            }
            if !last.may_be_issued_by(cand) || self.budget == 0 {
                continue;
            }
            if let Some(name) = self.through(path, last, cand) {
                return Some(name);
            }
        }
        None
    }

    /// Tries `cand` as the issuer of `last`, the end of `path`: its
    /// signature on `last` must verify and the path through it reach a
    /// known issuer, whose name is returned. Spends one of the budget.
    fn through(&mut self, path: &mut Vec<&'a Cert>, last: &Cert, cand: &'a Cert) -> Option<String> {
        self.budget -= 1;
        let v = last.verify_issued_by(cand);
        if v.result.is_err() {
            return None;
        }
        path.push(cand);
        let found = self.find(path);
        if found.is_some() {
            if v.digest == Some(DigestAlgorithm::Sha1) {
                self.weak = true;
            }
        } else {
            path.pop();
        }
        found
    }
}

fn check_signer(signer: &Cert, at: OffsetDateTime, reasons: &mut Vec<Reason>) {
    let when = rfc3339(at);
    if at < signer.not_before {
        reasons.push(Reason::detail(
            Code::CertificateNotYetValidAtSigning,
            format!("valid from {}, signed {when}", rfc3339(signer.not_before)),
        ));
    } else if at > signer.not_after {
        reasons.push(Reason::detail(
            Code::CertificateExpiredAtSigning,
            format!("valid until {}, signed {when}", rfc3339(signer.not_after)),
        ));
    }
    if let Some((digital_signature, non_repudiation, _)) = signer.key_usage {
        if !digital_signature && !non_repudiation {
            reasons.push(Reason::detail(
                Code::CertificateKeyUsage,
                "neither digitalSignature nor nonRepudiation",
            ));
        }
    }
}

/// A document signer's extended key usage: present and listing only purposes
/// that are for something else (a TLS server, a timestamp authority, an OCSP
/// responder), the certificate may not sign documents. Absent, it may (RFC
/// 5280: no restriction), as pyHanko and EU DSS read it; Adobe also refuses
/// such certificates.
pub fn signer_eku_reason(signer: &Cert) -> Option<Reason> {
    let eku = signer.eku?;
    (!eku.may_sign_documents).then(|| {
        Reason::detail(
            Code::CertificateExtendedKeyUsage,
            format!(
                "{}: its extended key usage lists no purpose for signing documents",
                signer.display_name()
            ),
        )
    })
}

/// RFC 3161 2.3: a TSA's certificate carries exactly the purpose
/// id-kp-timeStamping in a critical extended key usage extension. Missing,
/// without timeStamping (anyExtendedKeyUsage does not stand in for it), or
/// not critical, it is refused, as pyHanko refuses the first two.
pub fn tsa_eku_reason(tsa: &Cert) -> Option<Reason> {
    let problem = match tsa.eku {
        None => "it has no extended key usage",
        Some(e) if !e.time_stamping => "its extended key usage lacks id-kp-timeStamping",
        Some(e) if !e.critical => "its extended key usage is not critical",
        Some(_) => return None,
    };
    Some(Reason::detail(
        Code::TsaExtendedKeyUsage,
        format!(
            "the timestamp authority's certificate {}: {problem}",
            tsa.display_name()
        ),
    ))
}

/// Every certificate above the signer: valid at `at`, a CA allowed to sign
/// certificates, within its path length.
fn check_issuers(path: &[&Cert], at: OffsetDateTime, reasons: &mut Vec<Reason>) {
    for (i, cert) in path.iter().enumerate().skip(1) {
        let name = cert.display_name();
        if !cert.valid_at(at) {
            reasons.push(Reason::detail(
                Code::ChainCertificateInvalid,
                format!(
                    "{name} is valid {} to {}, not at {}",
                    rfc3339(cert.not_before),
                    rfc3339(cert.not_after),
                    rfc3339(at)
                ),
            ));
        }
        match cert.basic_constraints {
            Some((true, path_len)) => {
                // Intermediates between this CA and the signer, not counting
                // self-issued ones.
                let below = path
                    .get(1..i)
                    .unwrap_or(&[])
                    .iter()
                    .filter(|c| c.subject_raw != c.issuer_raw)
                    .count();
                if let Some(max) = path_len {
                    if below > max as usize {
                        reasons.push(Reason::detail(
                            Code::ChainCertificateInvalid,
                            format!("{name} allows {max} intermediate(s) below it, found {below}"),
                        ));
                    }
                }
            }
            // A version 1 certificate has no extensions; it can only be
            // relied on as a configured trust anchor.
            None if !cert.has_extensions && i + 1 == path.len() => {}
            _ => reasons.push(Reason::detail(
                Code::ChainCertificateInvalid,
                format!("{name} is not a certificate authority"),
            )),
        }
        if let Some((_, _, key_cert_sign)) = cert.key_usage {
            if !key_cert_sign {
                reasons.push(Reason::detail(
                    Code::ChainCertificateInvalid,
                    format!("{name} may not sign certificates (key usage)"),
                ));
            }
        }
    }
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
