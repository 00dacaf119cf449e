//! Revocation: was a certificate of the signer's chain revoked, and was
//! that before the signature was provably made.
//!
//! Revocation data is collected from where PDFs and desks keep it
//! ([`collect`]); every CRL ([`crl`]) and OCSP response ([`ocsp`]) is
//! verified before it is believed: its signature by the certificate's
//! issuer (or, for OCSP, a responder the issuer delegated with
//! id-kp-OCSPSigning), its dates, and its scope; then it is matched to the
//! certificate by issuer and serial. Nothing is fetched unless the check
//! asks for it ([`fetch`], `--fetch-revocation`): what is fetched is then
//! one more piece of evidence, verified the same way.
//!
//! The rule (docs/verdicts.md): a certificate revoked at R is
//! `certificate_revoked` unless a trusted timestamp proves the signature
//! existed before R (`revoked_since`, a warning). A claimed signing time
//! does not count against a revocation: whoever holds a compromised key
//! can claim any time. Without usable data for every certificate below the
//! known issuer, `revocation_unknown` (a warning), or `revocation_required`
//! (invalid) when the check requires revocation data.

pub mod collect;
pub mod crl;
pub mod fetch;
pub mod ocsp;

use std::path::PathBuf;

use thiserror::Error;
use time::{Duration, OffsetDateTime};

use crate::crypto::algorithms::{self, DigestAlgorithm};
use crate::crypto::tlv;
use crate::report::{Code, Reason, RevocationEvidence, RevocationInfo};
use crate::trust::chain::{rfc3339, Cert};

/// The signed envelope a CRL and a BasicOCSPResponse share:
/// `SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING, … }`.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The encoding of the signed part, as stored.
    pub tbs: Vec<u8>,
    pub sig_oid: String,
    pub sig_params: Option<Vec<u8>>,
    pub signature: Vec<u8>,
}

impl Signed {
    /// Reads the first three elements of `kids`; the errors name the signed
    /// part (`tbs_missing`) and the algorithm (`alg_missing`) as each
    /// format says it.
    fn read<'a>(
        kids: &[tlv::Tlv<'a>],
        tbs_missing: &str,
        alg_missing: &str,
    ) -> Result<(tlv::Tlv<'a>, Signed), String> {
        let tbs = *kids.first().ok_or(tbs_missing)?;
        let (sig_oid, sig_params) = kids
            .get(1)
            .ok_or(alg_missing)
            .map_err(str::to_string)
            .and_then(|a| tlv::algorithm(a).map_err(|e| e.to_string()))?;
        let signature = kids
            .get(2)
            .filter(|b| b.tag == tlv::BIT_STRING)
            .and_then(|b| b.content.get(1..))
            .ok_or("no signature value")?
            .to_vec();
        let signed = Signed {
            tbs: tbs.raw.to_vec(),
            sig_oid,
            sig_params,
            signature,
        };
        Ok((tbs, signed))
    }

    /// Whether the signature verifies under `spki`.
    fn verify(&self, spki: &[u8]) -> algorithms::Verification {
        algorithms::verify(
            &self.sig_oid,
            self.sig_params.as_deref(),
            None,
            spki,
            &self.tbs,
            &self.signature,
        )
    }
}

/// Clocks differ: revocation data dated this far in the future is still
/// read as current.
const CLOCK_SKEW: Duration = Duration::days(1);

#[derive(Debug, Error)]
pub enum RevocationError {
    #[error("{}: {error}", path.display())]
    Io { path: PathBuf, error: String },
    #[error("{}: not a CRL or an OCSP response (DER or PEM)", .0.display())]
    NotRevocationData(PathBuf),
    #[error("{0}")]
    Unreadable(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Crl,
    Ocsp,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Crl => "crl",
            Kind::Ocsp => "ocsp",
        }
    }
}

/// One CRL or OCSP response, as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub kind: Kind,
    pub der: Vec<u8>,
    /// Where it was found: dss, dss_vri, cms_crls, cms_archival,
    /// timestamp, file:PATH, fetched:URL.
    pub source: String,
}

/// What a signature's revocation is checked with.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    /// The chain to the known issuer, signer first, the known issuer last.
    pub chain: &'a [Vec<u8>],
    /// The time the certificates were judged at.
    pub signing_time: OffsetDateTime,
    /// The time a trusted timestamp proves the signature existed by.
    pub proven_time: Option<OffsetDateTime>,
    pub evidence: &'a [&'a Evidence],
    /// Other certificates that may be a delegated OCSP responder's.
    pub certs: &'a [Vec<u8>],
    pub now: OffsetDateTime,
    /// `--require-revocation`.
    pub required: bool,
}

/// The revocation stage's findings for one signature.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub info: RevocationInfo,
    pub reasons: Vec<Reason>,
}

/// A status a verified piece of evidence gives.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Status {
    Good,
    Revoked {
        at: OffsetDateTime,
        reason: Option<u8>,
    },
    Unknown,
}

/// What one piece of evidence says about one certificate.
enum Finding {
    /// It is about another certificate.
    NotAbout,
    /// It is about this one but cannot be used.
    Problem {
        this_update: Option<OffsetDateTime>,
        next_update: Option<OffsetDateTime>,
        why: String,
    },
    Says {
        status: Status,
        this_update: OffsetDateTime,
        next_update: Option<OffsetDateTime>,
    },
}

/// Checks the revocation of every certificate of `req.chain` below the
/// known issuer (which is trusted by configuration, not by its issuer).
pub fn check(req: &Request) -> Outcome {
    let mut out = Outcome::default();
    let certs: Vec<Cert> = req.chain.iter().filter_map(|d| Cert::parse(d)).collect();
    if certs.len() != req.chain.len() || certs.len() < 2 {
        // A known issuer that signs on its own, or a chain that does not
        // read: there is no issuer to ask.
        out.info.status = "unknown".into();
        out.reasons.push(unknown(req.required, "no issuer to ask"));
        return out;
    }
    let responders: Vec<Cert> = req.certs.iter().filter_map(|d| Cert::parse(d)).collect();
    let mut revoked: Vec<(String, OffsetDateTime, Option<u8>)> = Vec::new();
    let mut unknown_certs = Vec::new();
    for pair in certs.windows(2) {
        let (Some(cert), Some(issuer)) = (pair.first(), pair.get(1)) else {
            continue;
        };
        let name = cert.display_name();
        let mut good = false;
        let mut revoked_at: Option<(OffsetDateTime, Option<u8>)> = None;
        for ev in req.evidence {
            let finding = match ev.kind {
                Kind::Crl => crl_finding(ev, cert, issuer, req),
                Kind::Ocsp => ocsp_finding(ev, cert, issuer, &responders, req),
            };
            let mut shown = RevocationEvidence {
                kind: ev.kind.as_str().into(),
                source: ev.source.clone(),
                certificate: name.clone(),
                ..RevocationEvidence::default()
            };
            match finding {
                Finding::NotAbout => continue,
                Finding::Problem {
                    this_update,
                    next_update,
                    why,
                } => {
                    shown.status = "not_used".into();
                    shown.this_update = this_update.map(rfc3339);
                    shown.next_update = next_update.map(rfc3339);
                    out.reasons.push(Reason::detail(
                        Code::RevocationEvidenceInvalid,
                        format!(
                            "{} from {} about {name}: {why}",
                            ev.kind.as_str(),
                            ev.source
                        ),
                    ));
                    shown.problem = Some(why);
                }
                Finding::Says {
                    status,
                    this_update,
                    next_update,
                } => {
                    shown.this_update = Some(rfc3339(this_update));
                    shown.next_update = next_update.map(rfc3339);
                    match status {
                        Status::Good => {
                            shown.status = "good".into();
                            good = true;
                        }
                        Status::Unknown => shown.status = "unknown".into(),
                        Status::Revoked { at, reason } => {
                            shown.status = "revoked".into();
                            shown.revoked_at = Some(rfc3339(at));
                            shown.reason = reason.map(|r| reason_name(r).to_string());
                            // The earliest revocation any source states.
                            if revoked_at.is_none_or(|(t, _)| at < t) {
                                revoked_at = Some((at, reason));
                            }
                        }
                    }
                }
            }
            out.info.evidence.push(shown);
        }
        match revoked_at {
            Some((at, reason)) => revoked.push((name, at, reason)),
            None if !good => unknown_certs.push(name),
            None => {}
        }
    }

    let mut status = "good";
    for (name, at, reason) in &revoked {
        let why = reason
            .map(|r| format!(", {}", reason_name(r)))
            .unwrap_or_default();
        let proven_before = req.proven_time.filter(|p| p < at);
        if let Some(p) = proven_before {
            out.reasons.push(Reason::detail(
                Code::RevokedSince,
                format!(
                    "{name} revoked {}{why}; the signature existed by {}",
                    rfc3339(*at),
                    rfc3339(p)
                ),
            ));
            if status == "good" {
                status = "revoked_since";
            }
        } else {
            let when = match req.proven_time {
                Some(p) => format!("the signature is proven only by {}", rfc3339(p)),
                None if req.signing_time < *at => format!(
                    "signing claimed at {}, but no timestamp proves it was before the revocation",
                    rfc3339(req.signing_time)
                ),
                None => format!("signed {}", rfc3339(req.signing_time)),
            };
            out.reasons.push(Reason::detail(
                Code::CertificateRevoked,
                format!("{name} revoked {}{why}; {when}", rfc3339(*at)),
            ));
            status = "revoked";
        }
        if out.info.time.is_none() {
            out.info.time = Some(rfc3339(*at));
            out.info.reason = reason.map(|r| reason_name(r).to_string());
            out.info.certificate = Some(name.clone());
        }
    }
    if !unknown_certs.is_empty() {
        out.reasons.push(unknown(
            req.required,
            &format!("none usable for {}", unknown_certs.join(", ")),
        ));
        if status != "revoked" {
            status = "unknown";
        }
    }
    out.info.status = status.into();
    out
}

/// The certificates of `req.chain` below the known issuer (their index)
/// for which no piece of `req.evidence` that verifies says good or
/// revoked: those whose status the data at hand leaves unknown.
pub fn uncovered(req: &Request) -> Vec<usize> {
    let certs: Vec<Cert> = req.chain.iter().filter_map(|d| Cert::parse(d)).collect();
    if certs.len() != req.chain.len() || certs.len() < 2 {
        return Vec::new();
    }
    let responders: Vec<Cert> = req.certs.iter().filter_map(|d| Cert::parse(d)).collect();
    let mut out = Vec::new();
    for (i, pair) in certs.windows(2).enumerate() {
        let (Some(cert), Some(issuer)) = (pair.first(), pair.get(1)) else {
            continue;
        };
        if !req
            .evidence
            .iter()
            .any(|ev| speaks(ev, cert, issuer, &responders, req))
        {
            out.push(i);
        }
    }
    out
}

/// Whether `ev` verifies and says good or revoked about `cert`.
pub fn speaks(
    ev: &Evidence,
    cert: &Cert,
    issuer: &Cert,
    responders: &[Cert],
    req: &Request,
) -> bool {
    let finding = match ev.kind {
        Kind::Crl => crl_finding(ev, cert, issuer, req),
        Kind::Ocsp => ocsp_finding(ev, cert, issuer, responders, req),
    };
    matches!(
        finding,
        Finding::Says {
            status: Status::Good | Status::Revoked { .. },
            ..
        }
    )
}

fn unknown(required: bool, detail: &str) -> Reason {
    let code = if required {
        Code::RevocationRequired
    } else {
        Code::RevocationUnknown
    };
    Reason::detail(code, detail)
}

/// RFC 5280 CRLReason names.
pub fn reason_name(code: u8) -> &'static str {
    match code {
        0 => "unspecified",
        1 => "keyCompromise",
        2 => "cACompromise",
        3 => "affiliationChanged",
        4 => "superseded",
        5 => "cessationOfOperation",
        6 => "certificateHold",
        8 => "removeFromCRL",
        9 => "privilegeWithdrawn",
        10 => "aACompromise",
        _ => "unknown reason",
    }
}

/// A status that is not a revocation only speaks for the signing time if
/// the data was current then: issued after it, or valid until after it.
fn stale(
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    at: OffsetDateTime,
) -> Option<String> {
    if this_update >= at || next_update.is_some_and(|n| n >= at) {
        return None;
    }
    Some(match next_update {
        Some(n) => format!(
            "out of date: valid until {}, before the signing time {}",
            rfc3339(n),
            rfc3339(at)
        ),
        None => format!(
            "out of date: issued {}, before the signing time {}, with no next update",
            rfc3339(this_update),
            rfc3339(at)
        ),
    })
}

fn crl_finding(ev: &Evidence, cert: &Cert, issuer: &Cert, req: &Request) -> Finding {
    let crl = match crl::Crl::parse(&ev.der) {
        Ok(c) => c,
        Err(_) => return Finding::NotAbout,
    };
    if crl.issuer_raw != cert.issuer_raw && crl.issuer != cert.issuer {
        return Finding::NotAbout;
    }
    let is_ca = cert.basic_constraints.is_some_and(|(ca, _)| ca);
    if (crl.only_user_certs && is_ca) || (crl.only_ca_certs && !is_ca) {
        return Finding::NotAbout;
    }
    let problem = |why: String| Finding::Problem {
        this_update: Some(crl.this_update),
        next_update: crl.next_update,
        why,
    };
    let v = crl.signed.verify(&issuer.spki);
    if let Err(e) = v.result {
        return problem(format!(
            "its signature does not verify under the key of {} ({e})",
            issuer.display_name()
        ));
    }
    // RFC 5280 4.2.1.3: a key whose usage is stated signs CRLs only with
    // cRLSign.
    if issuer.key_crl_sign == Some(false) {
        return problem(format!(
            "{} may not sign CRLs (its key usage lacks cRLSign)",
            issuer.display_name()
        ));
    }
    if crl.this_update > req.now + CLOCK_SKEW {
        return problem(format!(
            "issued in the future ({})",
            rfc3339(crl.this_update)
        ));
    }
    if let Some(why) = &crl.unsupported {
        return problem(format!("{why}, which certcheck does not read"));
    }
    if let Some(e) = crl.entries.iter().find(|e| e.serial == cert.serial) {
        return Finding::Says {
            status: Status::Revoked {
                at: e.revoked_at,
                reason: e.reason,
            },
            this_update: crl.this_update,
            next_update: crl.next_update,
        };
    }
    if let Some(why) = stale(crl.this_update, crl.next_update, req.signing_time) {
        return problem(why);
    }
    Finding::Says {
        status: Status::Good,
        this_update: crl.this_update,
        next_update: crl.next_update,
    }
}

/// The subjectPublicKey bits of a SubjectPublicKeyInfo.
fn key_bits(spki: &[u8]) -> Option<Vec<u8>> {
    let (t, _) = tlv::read(spki).ok()?;
    let bits = t.children().ok()?.into_iter().nth(1)?;
    Some(bits.content.get(1..)?.to_vec())
}

fn ocsp_finding(
    ev: &Evidence,
    cert: &Cert,
    issuer: &Cert,
    responders: &[Cert],
    req: &Request,
) -> Finding {
    let resp = match ocsp::Response::parse(&ev.der) {
        Ok(r) => r,
        Err(_) => return Finding::NotAbout,
    };
    let Some(issuer_key) = key_bits(&issuer.spki) else {
        return Finding::NotAbout;
    };
    let single = resp.responses.iter().find(|s| {
        s.serial == cert.serial
            && DigestAlgorithm::from_oid(&s.hash_oid).is_some_and(|d| {
                d.digest(&[&issuer.subject_raw]) == s.issuer_name_hash
                    && d.digest(&[&issuer_key]) == s.issuer_key_hash
            })
    });
    let Some(single) = single else {
        return Finding::NotAbout;
    };
    let problem = |why: String| Finding::Problem {
        this_update: Some(single.this_update),
        next_update: single.next_update,
        why,
    };
    let names = |c: &Cert| match &resp.responder {
        ocsp::ResponderId::ByName(n) => *n == c.subject_raw,
        ocsp::ResponderId::ByKey(k) => {
            key_bits(&c.spki).is_some_and(|b| DigestAlgorithm::Sha1.digest(&[&b]) == *k)
        }
    };
    let signer_spki = if names(issuer) {
        issuer.spki.clone()
    } else {
        let embedded: Vec<Cert> = resp.certs.iter().filter_map(|d| Cert::parse(d)).collect();
        let delegated = embedded.iter().chain(responders).find(|r| {
            names(r)
                && r.issuer_raw == issuer.subject_raw
                && r.eku_ocsp_signing == Some(true)
                && r.valid_at(resp.produced_at)
                && r.verify_issued_by(issuer).result.is_ok()
        });
        match delegated {
            Some(r) => r.spki.clone(),
            None => {
                return problem(format!(
                    "the responder is neither {} nor a responder it delegated (id-kp-OCSPSigning)",
                    issuer.display_name()
                ))
            }
        }
    };
    let v = resp.signed.verify(&signer_spki);
    if let Err(e) = v.result {
        return problem(format!("its signature does not verify ({e})"));
    }
    if resp.produced_at > req.now + CLOCK_SKEW || single.this_update > req.now + CLOCK_SKEW {
        return problem(format!(
            "produced in the future ({})",
            rfc3339(resp.produced_at)
        ));
    }
    let status = match &single.status {
        ocsp::CertStatus::Good => Status::Good,
        ocsp::CertStatus::Unknown => Status::Unknown,
        ocsp::CertStatus::Revoked { at, reason } => Status::Revoked {
            at: *at,
            reason: *reason,
        },
    };
    if status == Status::Good {
        if let Some(why) = stale(single.this_update, single.next_update, req.signing_time) {
            return problem(why);
        }
    }
    Finding::Says {
        status,
        this_update: single.this_update,
        next_update: single.next_update,
    }
}

#[cfg(test)]
mod tests;
