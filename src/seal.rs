//! `certcheck seal FILE`: the SES and CMS parsers and checks on a seal
//! object outside a PDF (an .esl SES_Seal, an OFD SignedValue.dat
//! SES_Signature, or a CMS SignedData), and saving seal pictures for
//! `verify --extract-seal`.
//!
//! Every signature the object holds that can be checked on its own is
//! checked: the maker's over the seal, the signer's over TBS_Sign, the CMS
//! signer's over its signed attributes. What needs the signed document
//! (the data hash, the message digest) is reported as not checked.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use thiserror::Error;
use time::OffsetDateTime;

use crate::crypto::tlv::{self, Tlv};
use crate::report::{Code, Reason, SealInfo};
use crate::signature::ses::{self, MakerCheck, Seal, SesSignature};
use crate::signature::{CheckContext, Format};
use crate::trust::chain::rfc3339;
use crate::trust::{chain, TrustStore};

#[derive(Debug, Error)]
pub enum SealError {
    #[error("the file is not an SES_Seal, SES_Signature or CMS SignedData: {0}")]
    NotASealObject(String),
}

/// A certificate the object holds, and whether it chains to a known issuer.
#[derive(Debug, Clone, Serialize)]
pub struct CertificateReport {
    /// seal_maker, signer, listed_in_seal, cms_signer, cms_certificate.
    pub role: String,
    pub subject: Option<String>,
    pub issuer: Option<String>,
    pub serial: Option<String>,
    pub not_before: Option<String>,
    pub not_after: Option<String>,
    pub sha256: String,
    /// The known issuer it chains to (only for certificates that sign).
    pub trusted_issuer: Option<String>,
}

/// One signature the object holds.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureCheck {
    /// What is signed, by whom.
    pub what: String,
    pub algorithm: String,
    pub verified: bool,
    /// The variant that verified, or why it did not.
    pub detail: String,
}

/// A check that is not a signature (list membership, validity, data hash).
#[derive(Debug, Clone, Serialize)]
pub struct CheckLine {
    pub name: String,
    /// None where it cannot be checked without the signed document.
    pub ok: Option<bool>,
    pub detail: String,
}

/// The extra facts of a seal that the PDF record does not carry.
#[derive(Debug, Clone, Serialize)]
pub struct SealDetails {
    pub vid: String,
    pub create_date: Option<String>,
    pub cert_list_type: Option<i64>,
    pub cert_list_by_value: usize,
    pub cert_list_by_digest: Vec<String>,
    pub picture_type: String,
    pub picture_bytes: usize,
    pub picture_width: Option<i64>,
    pub picture_height: Option<i64>,
}

/// What `certcheck seal` reports.
#[derive(Debug, Clone, Serialize)]
pub struct SealReport {
    pub path: String,
    /// ses_signature, ses_seal or cms.
    pub object: String,
    /// "GB/T 38540-2020 (v4)", "GM/T 0031-2014 (v1)", "CMS SignedData (…)".
    pub structure: String,
    /// The version number the structure carries.
    pub version: Option<i64>,
    pub seal: Option<SealInfo>,
    pub seal_details: Option<SealDetails>,
    /// timeInfo or signingTime, RFC 3339, as claimed.
    pub signing_time: Option<String>,
    pub property_info: Option<String>,
    pub certificates: Vec<CertificateReport>,
    pub signatures: Vec<SignatureCheck>,
    pub checks: Vec<CheckLine>,
    pub reasons: Vec<Reason>,
    /// True when the object holds at least one signature and every one
    /// verifies: exit status 0.
    pub all_signatures_verified: bool,
}

impl SealReport {
    /// SPEC.md: 0 when every signature verifies, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.all_signatures_verified {
            0
        } else {
            1
        }
    }

    fn finish(mut self) -> Self {
        self.all_signatures_verified =
            !self.signatures.is_empty() && self.signatures.iter().all(|s| s.verified);
        self
    }

    /// The report for people.
    pub fn render_human(&self) -> String {
        use std::fmt::Write;
        let mut o = String::new();
        let _ = writeln!(o, "{}", self.path);
        let _ = writeln!(
            o,
            "  object:     {} — {}{}",
            self.object,
            self.structure,
            self.version
                .map(|v| format!(", version {v}"))
                .unwrap_or_default()
        );
        if let Some(s) = &self.seal {
            let _ = writeln!(
                o,
                "  seal:       {} (ID {}, type {})",
                s.name.as_deref().unwrap_or("?"),
                s.seal_id.as_deref().unwrap_or("?"),
                s.seal_type.map(|t| t.to_string()).unwrap_or("?".into())
            );
            let _ = writeln!(
                o,
                "  valid:      {} to {}",
                s.valid_from.as_deref().unwrap_or("?"),
                s.valid_to.as_deref().unwrap_or("?")
            );
            let _ = writeln!(o, "  maker:      {}", s.maker.as_deref().unwrap_or("?"));
        }
        if let Some(d) = &self.seal_details {
            let _ = writeln!(
                o,
                "  picture:    {} ({} bytes{})",
                d.picture_type,
                d.picture_bytes,
                match (d.picture_width, d.picture_height) {
                    (Some(w), Some(h)) => format!(", {w}x{h} mm"),
                    _ => String::new(),
                }
            );
        }
        if let Some(t) = &self.signing_time {
            let _ = writeln!(o, "  signed at:  {t} (claimed)");
        }
        let _ = writeln!(o, "  certificates:");
        for c in &self.certificates {
            let _ = writeln!(
                o,
                "    {:<16} {} (issuer {}; {} to {}){}",
                c.role,
                c.subject.as_deref().unwrap_or("(does not parse)"),
                c.issuer.as_deref().unwrap_or("?"),
                c.not_before.as_deref().unwrap_or("?"),
                c.not_after.as_deref().unwrap_or("?"),
                match &c.trusted_issuer {
                    Some(t) => format!(" — chains to {t}"),
                    None => String::new(),
                }
            );
        }
        let _ = writeln!(o, "  signatures:");
        for s in &self.signatures {
            let _ = writeln!(
                o,
                "    [{}] {} ({}): {}",
                if s.verified { "ok" } else { "FAIL" },
                s.what,
                s.algorithm,
                s.detail
            );
        }
        let _ = writeln!(o, "  checks:");
        for c in &self.checks {
            let mark = match c.ok {
                Some(true) => "ok",
                Some(false) => "FAIL",
                None => "n/a",
            };
            let _ = writeln!(o, "    [{mark}] {}: {}", c.name, c.detail);
        }
        for r in &self.reasons {
            let _ = writeln!(o, "  - {}: {}", r.code.as_str(), r.message);
        }
        let _ = writeln!(
            o,
            "  => {}",
            if self.all_signatures_verified {
                "every signature verifies"
            } else {
                "NOT every signature verifies"
            }
        );
        o
    }
}

fn cert_report(role: &str, der_bytes: &[u8], trusted: Option<String>) -> CertificateReport {
    match ses::cert_facts(der_bytes) {
        Some(f) => CertificateReport {
            role: role.into(),
            subject: Some(f.info.subject),
            issuer: Some(f.info.issuer),
            serial: Some(f.info.serial),
            not_before: Some(f.info.not_before),
            not_after: Some(f.info.not_after),
            sha256: f.info.sha256,
            trusted_issuer: trusted,
        },
        None => CertificateReport {
            role: role.into(),
            subject: None,
            issuer: None,
            serial: None,
            not_before: None,
            not_after: None,
            sha256: hex::encode(Sha256::digest(der_bytes)),
            trusted_issuer: None,
        },
    }
}

/// Checks a seal object on its own. `Err` when it is none of the three.
pub fn inspect(bytes: &[u8], trust: &TrustStore) -> Result<SealReport, SealError> {
    let now = OffsetDateTime::now_utc();
    if let Ok(sig) = ses::parse(bytes) {
        return Ok(inspect_signature(&sig, trust, now));
    }
    if let Ok(seal) = ses::parse_seal(bytes) {
        return Ok(inspect_seal(&seal, trust, now));
    }
    match inspect_cms(bytes, trust, now) {
        Ok(r) => Ok(r),
        Err(why) => Err(SealError::NotASealObject(why.to_string())),
    }
}

fn seal_details(seal: &Seal<'_>) -> SealDetails {
    SealDetails {
        vid: seal.vid.clone(),
        create_date: seal.create_date.map(rfc3339),
        cert_list_type: seal.cert_list_type,
        cert_list_by_value: seal.cert_list.certs.len(),
        cert_list_by_digest: seal
            .cert_list
            .digests
            .iter()
            .map(|(a, d)| format!("{a}:{}", hex::encode(d)))
            .collect(),
        picture_type: seal.picture_type.clone(),
        picture_bytes: seal.picture.len(),
        picture_width: seal.picture_width,
        picture_height: seal.picture_height,
    }
}

fn maker_signature_check(seal: &Seal<'_>) -> SignatureCheck {
    let (verified, detail) = match ses::check_maker_signature(seal) {
        MakerCheck::Verified(form, enc) => (true, format!("verifies over {form}, {enc}")),
        MakerCheck::Failed(why) => (false, why),
    };
    SignatureCheck {
        what: "seal maker's signature over the seal".into(),
        algorithm: seal.maker_alg.clone(),
        verified,
        detail,
    }
}

fn inspect_signature(
    sig: &SesSignature<'_>,
    trust: &TrustStore,
    now: OffsetDateTime,
) -> SealReport {
    let ctx = CheckContext {
        trust,
        document_dates: Vec::new(),
        claimed_m: None,
        doc_timestamp: None,
        now,
    };
    let facts = ses::check_parsed(sig, &ctx);
    let vc = facts.check;
    let seal = &sig.seal;
    let mut certificates = vec![
        cert_report(
            "seal_maker",
            seal.maker_cert,
            facts.maker_trusted_issuer.clone(),
        ),
        cert_report(
            "signer",
            sig.signer_cert,
            facts.signer_trusted_issuer.clone(),
        ),
    ];
    for c in &seal.cert_list.certs {
        certificates.push(cert_report("listed_in_seal", c, None));
    }
    let mut signatures = vec![maker_signature_check(seal)];
    signatures.push(SignatureCheck {
        what: "signer's signature over TBS_Sign".into(),
        algorithm: sig.signature_alg.clone(),
        verified: vc.signature_ok == Some(true),
        detail: match (vc.signature_ok, facts.signature_encoding) {
            (Some(true), Some(enc)) => format!("verifies ({enc})"),
            _ => vc
                .reasons
                .iter()
                .find(|r| {
                    matches!(
                        r.code,
                        Code::SignatureValueInvalid
                            | Code::AlgorithmUnsupported
                            | Code::SignerCertificateMissing
                    )
                })
                .map(|r| r.message.clone())
                .unwrap_or_else(|| "not verified".into()),
        },
    });
    let has = |c: Code| vc.reasons.iter().any(|r| r.code == c);
    let checks = vec![
        CheckLine {
            name: "signer in the seal's certificate list".into(),
            ok: Some(facts.signer_in_list.is_some()),
            detail: facts
                .signer_in_list
                .unwrap_or("the signer's certificate is not in the seal's list")
                .into(),
        },
        CheckLine {
            name: "seal valid at timeInfo".into(),
            ok: Some(!has(Code::SesSealExpired) && vc.signing_time.is_some()),
            detail: format!(
                "{} to {}, timeInfo {}",
                seal.valid_start.map(rfc3339).unwrap_or("?".into()),
                seal.valid_end.map(rfc3339).unwrap_or("?".into()),
                sig.time_info.map(rfc3339).unwrap_or("?".into())
            ),
        },
        CheckLine {
            name: "seal maker chains to a known issuer".into(),
            ok: Some(facts.maker_trusted_issuer.is_some()),
            detail: facts
                .maker_trusted_issuer
                .clone()
                .unwrap_or("no known issuer".into()),
        },
        CheckLine {
            name: "signer chains to a known issuer".into(),
            ok: Some(facts.signer_trusted_issuer.is_some()),
            detail: facts
                .signer_trusted_issuer
                .clone()
                .unwrap_or("no known issuer".into()),
        },
        CheckLine {
            name: "data hash".into(),
            ok: None,
            detail: format!(
                "SM3 {} cannot be checked without the signed document",
                hex::encode(sig.data_hash)
            ),
        },
    ];
    SealReport {
        path: String::new(),
        object: "ses_signature".into(),
        structure: ses::structure_name(sig.format).into(),
        version: Some(sig.version),
        seal: vc.seal.clone(),
        seal_details: Some(seal_details(seal)),
        signing_time: sig.time_info.map(rfc3339),
        property_info: Some(sig.property_info.clone()),
        certificates,
        signatures,
        checks,
        reasons: vc.reasons,
        all_signatures_verified: false,
    }
    .finish()
}

fn inspect_seal(seal: &Seal<'_>, trust: &TrustStore, now: OffsetDateTime) -> SealReport {
    // The maker's certificate is judged when the seal was made.
    let at = seal.create_date.or(seal.valid_start).unwrap_or(now);
    let bag: Vec<Vec<u8>> = std::iter::once(seal.maker_cert.to_vec())
        .chain(seal.cert_list.certs.iter().map(|c| c.to_vec()))
        .collect();
    let maker_chain = chain::build(seal.maker_cert, &bag, trust, at);
    let maker = ses::cert_facts(seal.maker_cert);
    let maker_sig = maker_signature_check(seal);
    let mut certificates = vec![cert_report(
        "seal_maker",
        seal.maker_cert,
        maker_chain.trusted_issuer.clone(),
    )];
    for c in &seal.cert_list.certs {
        certificates.push(cert_report("listed_in_seal", c, None));
    }
    let within = match (seal.valid_start, seal.valid_end) {
        (Some(a), Some(b)) => Some(a <= now && now <= b),
        _ => None,
    };
    let mut reasons = maker_chain.reasons;
    if !maker_sig.verified {
        reasons.push(Reason::detail(
            Code::SesSealSignatureInvalid,
            maker_sig.detail.clone(),
        ));
    }
    let info = SealInfo {
        maker_signature_ok: Some(maker_sig.verified),
        maker_signature_form: maker_sig.verified.then(|| {
            maker_sig
                .detail
                .trim_start_matches("verifies over ")
                .to_string()
        }),
        ..ses::seal_info(seal, maker.map(|m| m.info.subject))
    };
    SealReport {
        path: String::new(),
        object: "ses_seal".into(),
        structure: ses::structure_name(seal.format).into(),
        version: Some(seal.header_version),
        seal: Some(info),
        seal_details: Some(seal_details(seal)),
        signing_time: None,
        property_info: None,
        certificates,
        signatures: vec![maker_sig],
        checks: vec![
            CheckLine {
                name: "seal maker chains to a known issuer".into(),
                ok: Some(maker_chain.trusted_issuer.is_some()),
                detail: maker_chain
                    .trusted_issuer
                    .unwrap_or("no known issuer".into()),
            },
            CheckLine {
                name: "seal within its validity period now".into(),
                ok: within,
                detail: format!(
                    "{} to {}",
                    seal.valid_start.map(rfc3339).unwrap_or("?".into()),
                    seal.valid_end.map(rfc3339).unwrap_or("?".into())
                ),
            },
        ],
        reasons,
        all_signatures_verified: false,
    }
    .finish()
}

/// OIDs of the CMS parts read here.
const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const OID_GM_SIGNED_DATA: &str = "1.2.156.10197.6.1.4.2.2";
const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const OID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";

fn oid_text(t: &Tlv<'_>) -> Option<String> {
    if t.tag != tlv::OID {
        return None;
    }
    der::asn1::ObjectIdentifier::from_bytes(t.content)
        .ok()
        .map(|o| o.to_string())
}

fn ctx_tag(t: &Tlv<'_>, n: u8) -> bool {
    t.context() == Some(n)
}

/// A CMS SignedData: each signer's signature over its signed attributes.
fn inspect_cms(
    bytes: &[u8],
    trust: &TrustStore,
    now: OffsetDateTime,
) -> Result<SealReport, &'static str> {
    let top = tlv::read_der_padded(bytes).map_err(|_| "not DER")?;
    let ci = tlv::der_children(top.content, 4).map_err(|_| "not DER")?;
    if top.tag != tlv::SEQUENCE {
        return Err("not a SEQUENCE");
    }
    let content_type = ci.first().and_then(oid_text).ok_or("no content type")?;
    if content_type != OID_SIGNED_DATA && content_type != OID_GM_SIGNED_DATA {
        return Err("not SignedData");
    }
    let explicit = ci.get(1).filter(|t| ctx_tag(t, 0)).ok_or("no content")?;
    let (sd, _) = tlv::read_der(explicit.content).map_err(|_| "SignedData not DER")?;
    let parts = tlv::der_children(sd.content, 8).map_err(|_| "SignedData not DER")?;
    let version = parts
        .first()
        .filter(|t| t.tag == tlv::INTEGER)
        .and_then(|t| t.content.last().map(|&v| i64::from(v)));
    let mut certs: Vec<&[u8]> = Vec::new();
    let mut signer_infos = None;
    for p in parts.iter().skip(3) {
        if ctx_tag(p, 0) {
            for c in tlv::der_children(p.content, 64).map_err(|_| "certificates not DER")? {
                if c.tag == tlv::SEQUENCE {
                    certs.push(c.raw);
                }
            }
        } else if p.tag == tlv::SET {
            signer_infos = Some(p.content);
        }
    }
    let signer_infos = signer_infos.ok_or("no signerInfos")?;
    let infos = tlv::der_children(signer_infos, 16).map_err(|_| "signerInfos not DER")?;
    if infos.is_empty() {
        return Err("no signerInfo");
    }
    let bag: Vec<Vec<u8>> = certs.iter().map(|c| c.to_vec()).collect();
    let mut report = SealReport {
        path: String::new(),
        object: "cms".into(),
        structure: format!("CMS SignedData ({content_type})"),
        version,
        seal: None,
        seal_details: None,
        signing_time: None,
        property_info: None,
        certificates: Vec::new(),
        signatures: Vec::new(),
        checks: Vec::new(),
        reasons: Vec::new(),
        all_signatures_verified: false,
    };
    let mut signer_certs: Vec<(&[u8], Option<String>)> = Vec::new();
    for (i, info) in infos.iter().enumerate() {
        let f = tlv::der_children(info.content, 8).map_err(|_| "signerInfo not DER")?;
        let sid = f.get(1).ok_or("no sid")?;
        let alg_of = |t: Option<&Tlv<'_>>| {
            t.filter(|t| t.tag == tlv::SEQUENCE)
                .and_then(|t| tlv::der_children(t.content, 4).ok())
                .and_then(|e| e.first().and_then(oid_text))
        };
        let digest_alg = alg_of(f.get(2)).unwrap_or_default();
        let (attrs, rest_at) = match f.get(3) {
            Some(t) if ctx_tag(t, 0) => (Some(*t), 4),
            _ => (None, 3),
        };
        let sig_alg = alg_of(f.get(rest_at)).unwrap_or_default();
        let sig_value = f
            .get(rest_at + 1)
            .filter(|t| t.tag == tlv::OCTET_STRING)
            .map(|t| t.content)
            .ok_or("no signature value")?;
        let what = format!("CMS signer {} over its signed attributes", i + 1);
        let Some(attrs) = attrs else {
            report.signatures.push(SignatureCheck {
                what,
                algorithm: sig_alg,
                verified: false,
                detail: "no signed attributes: the signature is over the document itself and cannot be checked without it".into(),
            });
            continue;
        };
        // The signature covers the attributes as a SET OF (tag 0x31), not
        // as the [0] IMPLICIT field they are written in.
        let signed = tlv::encode(tlv::SET, attrs.content);
        let mut message_digest = None;
        let mut signing_time = None;
        for a in tlv::der_children(attrs.content, 32).unwrap_or_default() {
            let Ok(e) = tlv::der_children(a.content, 4) else {
                continue;
            };
            let Some(values) = e.get(1) else { continue };
            let first = tlv::der_children(values.content, 4)
                .ok()
                .and_then(|v| v.first().copied());
            match e.first().and_then(oid_text).as_deref() {
                Some(OID_MESSAGE_DIGEST) => message_digest = first.map(|v| hex::encode(v.content)),
                Some(OID_SIGNING_TIME) => signing_time = first.and_then(|v| tlv::time_of(&v)),
                _ => {}
            }
        }
        let signer = find_signer(sid, &certs);
        let (verified, detail) = match signer {
            None => (
                false,
                "the signer's certificate is not in the SignedData".to_string(),
            ),
            Some(cert) => verify_cms_signature(cert, &sig_alg, &digest_alg, &signed, sig_value),
        };
        report.signatures.push(SignatureCheck {
            what,
            algorithm: sig_alg,
            verified,
            detail,
        });
        report.checks.push(CheckLine {
            name: format!("CMS signer {} message digest", i + 1),
            ok: None,
            detail: format!(
                "{} {} cannot be checked without the signed document",
                digest_alg,
                message_digest.unwrap_or("(none)".into())
            ),
        });
        if let Some(t) = signing_time {
            report.signing_time.get_or_insert(rfc3339(t));
        }
        if let Some(cert) = signer {
            let at = signing_time.unwrap_or(now);
            let outcome = chain::build(cert, &bag, trust, at);
            report.checks.push(CheckLine {
                name: format!("CMS signer {} chains to a known issuer", i + 1),
                ok: Some(outcome.trusted_issuer.is_some()),
                detail: outcome
                    .trusted_issuer
                    .clone()
                    .unwrap_or("no known issuer".into()),
            });
            report.reasons.extend(outcome.reasons);
            signer_certs.push((cert, outcome.trusted_issuer));
        }
    }
    for c in &certs {
        let trusted = signer_certs
            .iter()
            .find(|(s, _)| s == c)
            .map(|(_, t)| t.clone());
        let role = if trusted.is_some() {
            "cms_signer"
        } else {
            "cms_certificate"
        };
        report
            .certificates
            .push(cert_report(role, c, trusted.flatten()));
    }
    Ok(report.finish())
}

/// The certificate a SignerIdentifier names: issuer and serial number, or
/// [0] subjectKeyIdentifier.
fn find_signer<'a>(sid: &Tlv<'_>, certs: &[&'a [u8]]) -> Option<&'a [u8]> {
    use x509_parser::prelude::*;
    certs.iter().copied().find(|c| {
        let Ok((_, cert)) = parse_x509_certificate(c) else {
            return false;
        };
        if sid.tag == tlv::SEQUENCE {
            let Ok(e) = tlv::der_children(sid.content, 4) else {
                return false;
            };
            let (Some(issuer), Some(serial)) = (e.first(), e.get(1)) else {
                return false;
            };
            issuer.raw == cert.tbs_certificate.issuer.as_raw()
                && strip_zeros(serial.content) == strip_zeros(cert.tbs_certificate.raw_serial())
        } else if ctx_tag(sid, 0) {
            cert.extensions().iter().any(|ext| {
                matches!(ext.parsed_extension(),
                    ParsedExtension::SubjectKeyIdentifier(k) if k.0 == sid.content)
            })
        } else {
            false
        }
    })
}

fn strip_zeros(v: &[u8]) -> &[u8] {
    let n = v.iter().take_while(|&&b| b == 0).count();
    v.get(n..).unwrap_or(&[])
}

/// Verifies one CMS signature over `signed` through
/// [`ses::verify_by_certificate`].
fn verify_cms_signature(
    cert: &[u8],
    sig_alg: &str,
    digest_alg: &str,
    signed: &[u8],
    value: &[u8],
) -> (bool, String) {
    let Some(alg) = ses::SigAlg::from_oid(sig_alg, ses::DigestName::from_oid(digest_alg)) else {
        return (
            false,
            format!("algorithm {sig_alg} with digest {digest_alg} is not checked here"),
        );
    };
    match ses::verify_by_certificate(cert, alg, signed, value) {
        Ok(v) => (true, format!("verifies ({v})")),
        Err(e) => (false, e),
    }
}

/// A file-name-safe form of `s`.
fn safe_name(s: &str, max: usize) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(max)
        .collect();
    let out = out.trim_start_matches('.').to_string();
    if out.is_empty() {
        "seal".into()
    } else {
        out
    }
}

/// The picture of the seal in an SES_Signature in `contents`, saved in
/// `dir` as `<input file name>-<field>.<picture type>` (so a person sees
/// which file and which signature it came from). The file is created new:
/// a name already taken (by an earlier picture, a file, or a link planted
/// there) gets `-2`, `-3`, … and nothing is ever written through an
/// existing file or link. `Ok(None)` when the contents hold no seal.
pub fn save_seal_picture(
    dir: &Path,
    input_name: &str,
    field: &str,
    contents: &[u8],
) -> std::io::Result<Option<PathBuf>> {
    let Ok(sig) = ses::parse(contents) else {
        return Ok(None);
    };
    let seal = &sig.seal;
    let ext = picture_extension(&seal.picture_type, seal.picture);
    let stem = format!("{}-{}", safe_name(input_name, 64), safe_name(field, 64));
    std::fs::create_dir_all(dir)?;
    for n in 1..=MAX_NAME_TRIES {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                std::io::Write::write_all(&mut f, seal.picture)?;
                return Ok(Some(path));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("{MAX_NAME_TRIES} pictures named {stem} already exist"),
    ))
}

/// Names tried for one picture before giving up.
const MAX_NAME_TRIES: usize = 1000;

/// The picture of the seal in an SES_Signature in `contents` (the web
/// desk shows it); `None` when the contents hold no seal.
pub fn seal_picture(contents: &[u8]) -> Option<Vec<u8>> {
    let sig = ses::parse(contents).ok()?;
    Some(sig.seal.picture.to_vec())
}

/// The extension for a picture: its declared type when it is a plain
/// short word, else what its first bytes say.
fn picture_extension(declared: &str, data: &[u8]) -> String {
    let d = declared.trim().to_ascii_lowercase();
    if !d.is_empty() && d.len() <= 8 && d.chars().all(|c| c.is_ascii_alphanumeric()) {
        return d;
    }
    if data.starts_with(b"\x89PNG") {
        "png".into()
    } else if data.starts_with(&[0xff, 0xd8]) {
        "jpg".into()
    } else if data.starts_with(b"GIF8") {
        "gif".into()
    } else if data.starts_with(b"PK") {
        "ofd".into()
    } else {
        "bin".into()
    }
}

/// Whether `format` holds a seal picture (for the pipeline).
pub fn has_picture(format: Format) -> bool {
    matches!(format, Format::SesV1 | Format::SesV4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::ses::tests::{contents_and_pieces, corpus};

    #[test]
    fn ses_signature_from_corpus_is_inspected() {
        let bytes = corpus("authentic-ses-v4.pdf");
        let (contents, _) = contents_and_pieces(&bytes);
        let r = inspect(&contents, &TrustStore::empty()).unwrap();
        assert_eq!(r.object, "ses_signature");
        assert_eq!(r.structure, "GB/T 38540-2020 (v4)");
        assert_eq!(r.signatures.len(), 2);
        assert!(r.all_signatures_verified, "{r:#?}");
        assert_eq!(r.exit_code(), 0);
        let hash = r.checks.iter().find(|c| c.name == "data hash").unwrap();
        assert_eq!(hash.ok, None);
        assert!(hash.detail.contains("cannot be checked"));
        assert!(r.render_human().contains("11010020250000000417"));
    }

    #[test]
    fn standalone_seal_and_tampered_seal() {
        let bytes = corpus("authentic-ses-v1.pdf");
        let (contents, _) = contents_and_pieces(&bytes);
        let sig = ses::parse(&contents).unwrap();
        let esl = sig.seal.raw.to_vec();
        let r = inspect(&esl, &TrustStore::empty()).unwrap();
        assert_eq!(r.object, "ses_seal");
        assert_eq!(r.structure, "GM/T 0031-2014 (v1)");
        assert!(r.all_signatures_verified);
        // Change one letter of the seal's ID: the maker's signature fails.
        let pos = esl
            .windows(20)
            .position(|w| w == b"11010020250000000418")
            .unwrap();
        let mut bad = esl.clone();
        bad[pos + 19] = b'9';
        let r = inspect(&bad, &TrustStore::empty()).unwrap();
        assert!(!r.all_signatures_verified);
        assert_eq!(r.exit_code(), 1);
        assert!(r
            .reasons
            .iter()
            .any(|x| x.code == Code::SesSealSignatureInvalid));
    }

    #[test]
    fn cms_signed_attributes_are_checked() {
        let bytes = corpus("authentic-sm2-sm3.pdf");
        let (contents, _) = contents_and_pieces(&bytes);
        let end = contents.iter().rposition(|&b| b != 0).unwrap() + 1;
        let r = inspect(&contents[..end], &TrustStore::empty()).unwrap();
        assert_eq!(r.object, "cms");
        assert_eq!(r.signatures.len(), 1);
        assert!(r.all_signatures_verified, "{r:#?}");
        assert!(r.signatures[0].detail.contains("SM2, DER SEQUENCE{r,s}"));
        // Flip a bit of the signature value (its last byte).
        let mut bad = contents[..end].to_vec();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let r = inspect(&bad, &TrustStore::empty()).unwrap();
        assert!(!r.all_signatures_verified);
    }

    #[test]
    fn rsa_cms_and_garbage() {
        let bytes = corpus("authentic-rsa-pkcs7.pdf");
        let (contents, _) = contents_and_pieces(&bytes);
        let end = contents.iter().rposition(|&b| b != 0).unwrap() + 1;
        let r = inspect(&contents[..end], &TrustStore::empty()).unwrap();
        assert_eq!(r.object, "cms");
        assert!(r.all_signatures_verified, "{r:#?}");
        assert!(r.signatures[0].detail.contains("rsa-pkcs1-sha256"));
        let bytes = corpus("authentic-ecdsa-p256.pdf");
        let (contents, _) = contents_and_pieces(&bytes);
        let end = contents.iter().rposition(|&b| b != 0).unwrap() + 1;
        let r = inspect(&contents[..end], &TrustStore::empty()).unwrap();
        assert!(r.all_signatures_verified, "{r:#?}");
        assert!(r.signatures[0].detail.contains("ecdsa-sha256"));
        assert!(inspect(b"%PDF-1.7", &TrustStore::empty()).is_err());
        assert!(inspect(&[], &TrustStore::empty()).is_err());
    }

    #[test]
    fn mutated_and_truncated_objects_never_panic() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/national");
        let trust = TrustStore::empty();
        for name in ["seal-v4.esl", "signed-value-v1.dat", "sm2-cms.p7s"] {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            assert!(inspect(&bytes, &trust).unwrap().all_signatures_verified);
            for cut in (0..bytes.len()).step_by(37) {
                let _ = inspect(&bytes[..cut], &trust);
            }
            for pos in (0..bytes.len()).step_by(41) {
                for mask in [0x01u8, 0x80] {
                    let mut m = bytes.clone();
                    m[pos] ^= mask;
                    let _ = inspect(&m, &trust);
                }
            }
        }
    }

    #[test]
    fn picture_is_saved_under_a_safe_name() {
        let bytes = corpus("authentic-ses-v4.pdf");
        let (contents, _) = contents_and_pieces(&bytes);
        let dir = tempfile::tempdir().unwrap();
        let path = save_seal_picture(dir.path(), "abc123", "../Sig 1", &contents)
            .unwrap()
            .unwrap();
        assert_eq!(path.file_name().unwrap(), "abc123-_Sig_1.png");
        let saved = std::fs::read(&path).unwrap();
        assert!(saved.starts_with(b"\x89PNG"));
        assert_eq!(saved.len(), 5913);
        assert_eq!(
            save_seal_picture(dir.path(), "x", "f", b"not a seal").unwrap(),
            None
        );
        // The name is taken: a new name, the first picture untouched.
        let again = save_seal_picture(dir.path(), "abc123", "../Sig 1", &contents)
            .unwrap()
            .unwrap();
        assert_eq!(again.file_name().unwrap(), "abc123-_Sig_1-2.png");
        assert_eq!(std::fs::read(&path).unwrap(), saved);
        // A link planted under the next name is not written through.
        #[cfg(unix)]
        {
            let victim = dir.path().join("victim");
            std::fs::write(&victim, "keep").unwrap();
            std::os::unix::fs::symlink(&victim, dir.path().join("证书-S.png")).unwrap();
            let third = save_seal_picture(dir.path(), "证书", "S", &contents)
                .unwrap()
                .unwrap();
            assert_eq!(third.file_name().unwrap(), "证书-S-2.png");
            assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        }
    }
}
