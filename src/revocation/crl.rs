//! X.509 CRLs (RFC 5280 section 5), read with x509-parser; the signed
//! bytes, algorithm and value are taken with the project's one BER reader,
//! as for certificates, so one verifier checks both.

use time::OffsetDateTime;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use super::{RevocationError, Signed};
use crate::crypto::tlv;

/// One revoked entry: serial magnitude, revocation time, reason code.
#[derive(Debug, Clone)]
pub struct Entry {
    pub serial: Vec<u8>,
    pub revoked_at: OffsetDateTime,
    pub reason: Option<u8>,
}

/// What certcheck reads from a CRL.
#[derive(Debug, Clone)]
pub struct Crl {
    pub issuer_raw: Vec<u8>,
    pub issuer: String,
    pub this_update: OffsetDateTime,
    pub next_update: Option<OffsetDateTime>,
    /// tbsCertList, its signature algorithm and value.
    pub signed: Signed,
    pub entries: Vec<Entry>,
    /// Why this CRL cannot speak for a certificate's status although it
    /// verifies (a delta CRL, an indirect CRL, one for some reasons only,
    /// an unknown critical extension).
    pub unsupported: Option<String>,
    /// issuingDistributionPoint scope: only end-entity / only CA certificates.
    pub only_user_certs: bool,
    pub only_ca_certs: bool,
}

/// CRL entries read at most: a CA's full CRL may be large, but not this.
const MAX_ENTRIES: usize = 1_000_000;

impl Crl {
    pub fn parse(der: &[u8]) -> Result<Crl, RevocationError> {
        let bad = |why: &str| RevocationError::Unreadable(format!("CRL: {why}"));
        let (outer, _) = tlv::read(der).map_err(|e| bad(&e.to_string()))?;
        let kids = outer.children().map_err(|e| bad(&e.to_string()))?;
        let (_, signed) =
            Signed::read(&kids, "no tbsCertList", "no signature algorithm").map_err(|e| bad(&e))?;
        let (_, x) =
            CertificateRevocationList::from_der(outer.raw).map_err(|e| bad(&e.to_string()))?;
        let time_of = |t: &x509_parser::time::ASN1Time| {
            OffsetDateTime::from_unix_timestamp(t.timestamp()).ok()
        };
        let this_update = time_of(&x.last_update()).ok_or_else(|| bad("thisUpdate"))?;
        let next_update = match x.next_update() {
            Some(t) => Some(time_of(&t).ok_or_else(|| bad("nextUpdate"))?),
            None => None,
        };
        let mut crl = Crl {
            issuer_raw: x.issuer().as_raw().to_vec(),
            issuer: x.issuer().to_string(),
            this_update,
            next_update,
            signed,
            entries: Vec::new(),
            unsupported: None,
            only_user_certs: false,
            only_ca_certs: false,
        };
        for ext in x.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::CRLNumber(_) | ParsedExtension::AuthorityKeyIdentifier(_) => {}
                ParsedExtension::IssuingDistributionPoint(idp) => {
                    crl.only_user_certs = idp.only_contains_user_certs;
                    crl.only_ca_certs = idp.only_contains_ca_certs;
                    if idp.indirect_crl {
                        crl.unsupported = Some("an indirect CRL".into());
                    } else if idp.only_some_reasons.is_some() {
                        crl.unsupported = Some("a CRL for some revocation reasons only".into());
                    } else if idp.only_contains_attribute_certs {
                        crl.unsupported = Some("a CRL for attribute certificates".into());
                    }
                }
                _ if ext.oid.to_id_string() == "2.5.29.27" => {
                    crl.unsupported = Some("a delta CRL".into())
                }
                _ if ext.critical => {
                    crl.unsupported = Some(format!(
                        "an unknown critical extension {}",
                        ext.oid.to_id_string()
                    ))
                }
                _ => {}
            }
        }
        for entry in x.iter_revoked_certificates().take(MAX_ENTRIES) {
            let Some(revoked_at) = time_of(&entry.revocation_date) else {
                continue;
            };
            let mut reason = None;
            for ext in entry.extensions() {
                match ext.parsed_extension() {
                    ParsedExtension::ReasonCode(r) => reason = Some(r.0),
                    ParsedExtension::InvalidityDate(_) => {}
                    // The certificateIssuer entry extension belongs to
                    // indirect CRLs, which are not read.
                    _ if ext.critical => {
                        crl.unsupported = Some(format!(
                            "an unknown critical entry extension {}",
                            ext.oid.to_id_string()
                        ))
                    }
                    _ => {}
                }
            }
            crl.entries.push(Entry {
                serial: tlv::unsigned_bytes(entry.raw_serial()).to_vec(),
                revoked_at,
                reason,
            });
        }
        Ok(crl)
    }
}
