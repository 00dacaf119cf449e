//! OCSP responses (RFC 6960), read with the project's one BER reader: no
//! kept crate parses them, and the structure is small.

use time::OffsetDateTime;

use super::{RevocationError, Signed};
use crate::crypto::tlv::{self, Tlv};

const OID_OCSP_BASIC: &str = "1.3.6.1.5.5.7.48.1.1";
/// Single responses read at most from one response.
const MAX_RESPONSES: usize = 1024;

/// The status one SingleResponse gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertStatus {
    Good,
    Revoked {
        at: OffsetDateTime,
        reason: Option<u8>,
    },
    Unknown,
}

/// One SingleResponse.
#[derive(Debug, Clone)]
pub struct Single {
    pub hash_oid: String,
    pub issuer_name_hash: Vec<u8>,
    pub issuer_key_hash: Vec<u8>,
    pub serial: Vec<u8>,
    pub status: CertStatus,
    pub this_update: OffsetDateTime,
    pub next_update: Option<OffsetDateTime>,
}

/// How the response names its responder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponderId {
    /// The DER Name.
    ByName(Vec<u8>),
    /// SHA-1 of the responder's subjectPublicKey bits.
    ByKey(Vec<u8>),
}

/// A BasicOCSPResponse.
#[derive(Debug, Clone)]
pub struct Response {
    pub responder: ResponderId,
    pub produced_at: OffsetDateTime,
    pub responses: Vec<Single>,
    /// tbsResponseData, its signature algorithm and value.
    pub signed: Signed,
    /// The certificates the response carries (a delegated responder's).
    pub certs: Vec<Vec<u8>>,
}

fn bad(why: impl std::fmt::Display) -> RevocationError {
    RevocationError::Unreadable(format!("OCSP response: {why}"))
}

impl Response {
    /// Parses an OCSPResponse, or a bare BasicOCSPResponse (as CAdES
    /// revocation values hold them).
    pub fn parse(der: &[u8]) -> Result<Response, RevocationError> {
        let (outer, _) = tlv::read(der).map_err(bad)?;
        let outer = outer.expect_tag(tlv::SEQUENCE, "OCSP").map_err(bad)?;
        let kids = outer.children().map_err(bad)?;
        match kids.first() {
            // responseStatus ENUMERATED: an OCSPResponse.
            Some(status) if status.tag == 0x0a => {
                if status.content != [0] {
                    return Err(bad(format!(
                        "the responder answered with status {} (not successful)",
                        status.content.first().copied().unwrap_or(0xff)
                    )));
                }
                let bytes = kids
                    .get(1)
                    .filter(|t| t.context() == Some(0))
                    .and_then(|t| t.children().ok())
                    .and_then(|k| k.into_iter().next())
                    .ok_or_else(|| bad("no responseBytes"))?;
                let rb = bytes.children().map_err(bad)?;
                let kind = rb
                    .first()
                    .and_then(|o| tlv::oid_of(o).ok())
                    .ok_or_else(|| bad("no responseType"))?;
                if kind != OID_OCSP_BASIC {
                    return Err(bad(format!("response type {kind} is not basic")));
                }
                let inner = rb
                    .get(1)
                    .ok_or_else(|| bad("no response"))?
                    .octets()
                    .map_err(bad)?;
                Self::parse_basic(&inner)
            }
            Some(_) => Self::parse_basic(outer.raw),
            None => Err(bad("empty")),
        }
    }

    fn parse_basic(der: &[u8]) -> Result<Response, RevocationError> {
        let (basic, _) = tlv::read(der).map_err(bad)?;
        let kids = basic.children().map_err(bad)?;
        let (tbs, signed) = Signed::read(&kids, "no tbsResponseData", "algorithm").map_err(bad)?;
        let mut certs = Vec::new();
        if let Some(wrapped) = kids.get(3).filter(|t| t.context() == Some(0)) {
            let seq = wrapped
                .children()
                .map_err(bad)?
                .into_iter()
                .next()
                .ok_or_else(|| bad("certs"))?;
            for c in seq.children().map_err(bad)?.into_iter().take(16) {
                certs.push(c.raw.to_vec());
            }
        }
        let mut fields = tbs.children().map_err(bad)?.into_iter().peekable();
        if fields.peek().and_then(Tlv::context) == Some(0) {
            fields.next();
        }
        let rid = fields.next().ok_or_else(|| bad("no responderID"))?;
        let rid_inner = rid
            .children()
            .map_err(bad)?
            .into_iter()
            .next()
            .ok_or_else(|| bad("responderID"))?;
        let responder = match rid.context() {
            Some(1) => ResponderId::ByName(rid_inner.raw.to_vec()),
            Some(2) => ResponderId::ByKey(rid_inner.octets().map_err(bad)?.into_owned()),
            _ => return Err(bad("responderID")),
        };
        let produced_at = fields
            .next()
            .as_ref()
            .and_then(tlv::time_of)
            .ok_or_else(|| bad("producedAt"))?;
        let list = fields.next().ok_or_else(|| bad("no responses"))?;
        let mut responses = Vec::new();
        for single in list
            .children()
            .map_err(bad)?
            .into_iter()
            .take(MAX_RESPONSES)
        {
            responses.push(parse_single(&single)?);
        }
        Ok(Response {
            responder,
            produced_at,
            responses,
            signed,
            certs,
        })
    }
}

fn parse_single(single: &Tlv) -> Result<Single, RevocationError> {
    let k = single.children().map_err(bad)?;
    let cert_id = k
        .first()
        .ok_or_else(|| bad("certID"))?
        .children()
        .map_err(bad)?;
    let (hash_oid, _) =
        tlv::algorithm(cert_id.first().ok_or_else(|| bad("certID"))?).map_err(bad)?;
    let octets = |i: usize| -> Result<Vec<u8>, RevocationError> {
        Ok(cert_id
            .get(i)
            .ok_or_else(|| bad("certID"))?
            .octets()
            .map_err(bad)?
            .into_owned())
    };
    let serial = cert_id
        .get(3)
        .filter(|s| s.tag == tlv::INTEGER)
        .ok_or_else(|| bad("certID serial"))?;
    let status_t = k.get(1).ok_or_else(|| bad("certStatus"))?;
    let status = match status_t.tag {
        0x80 => CertStatus::Good,
        0x82 => CertStatus::Unknown,
        0xa1 => {
            let info = status_t.children().map_err(bad)?;
            let at = info
                .first()
                .and_then(tlv::time_of)
                .ok_or_else(|| bad("revocationTime"))?;
            let reason = info
                .get(1)
                .filter(|t| t.context() == Some(0))
                .and_then(|t| t.children().ok())
                .and_then(|k| k.into_iter().next())
                .filter(|e| e.tag == 0x0a)
                .and_then(|e| e.content.last().copied());
            CertStatus::Revoked { at, reason }
        }
        _ => return Err(bad("certStatus")),
    };
    let this_update = k
        .get(2)
        .and_then(tlv::time_of)
        .ok_or_else(|| bad("thisUpdate"))?;
    let next_update = k
        .get(3)
        .filter(|t| t.context() == Some(0))
        .and_then(|t| t.children().ok())
        .and_then(|k| k.into_iter().next())
        .and_then(|t| tlv::time_of(&t));
    Ok(Single {
        hash_oid,
        issuer_name_hash: octets(1)?,
        issuer_key_hash: octets(2)?,
        serial: tlv::unsigned_bytes(serial.content).to_vec(),
        status,
        this_update,
        next_update,
    })
}
