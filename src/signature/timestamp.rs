//! RFC 3161 timestamps: signature timestamps (unsigned attribute
//! id-aa-signatureTimeStampToken) and document timestamps (ETSI.RFC3161).
//! A token is a CMS SignedData over a TSTInfo whose message imprint is the
//! digest of what it timestamps; the TSA is chained like any signer.

use time::OffsetDateTime;

use super::signed_data;
use super::{CheckContext, Format, ValueCheck};
use crate::crypto::algorithms::DigestAlgorithm;
use crate::crypto::tlv;
use crate::report::{Code, Reason, Severity, SigningTimeSource, TimestampInfo};
use crate::trust::chain::{self, Cert};
use crate::trust::TrustStore;

/// What checking one TimeStampToken found.
#[derive(Debug, Clone, Default)]
pub struct TokenCheck {
    /// genTime.
    pub time: Option<OffsetDateTime>,
    pub imprint_algorithm: Option<DigestAlgorithm>,
    /// The imprint equals the digest of what is timestamped.
    pub imprint_ok: Option<bool>,
    pub digest_ok: Option<bool>,
    pub signature_ok: Option<bool>,
    pub signature_algorithm: Option<String>,
    pub tsa: Option<Cert>,
    pub trusted_issuer: Option<String>,
    /// Why the token (or its TSA) is not good, with the codes a document
    /// timestamp reports.
    pub reasons: Vec<Reason>,
}

impl TokenCheck {
    /// Imprint, TSA signature and content all verified.
    pub fn valid(&self) -> bool {
        self.time.is_some()
            && self.imprint_ok == Some(true)
            && self.digest_ok == Some(true)
            && self.signature_ok == Some(true)
            && !self
                .reasons
                .iter()
                .any(|r| r.severity() >= Severity::Invalid)
    }

    /// Valid and from a TSA chaining to a known issuer.
    pub fn trusted(&self) -> bool {
        self.valid()
            && self.trusted_issuer.is_some()
            && !self
                .reasons
                .iter()
                .any(|r| r.severity() >= Severity::Untrusted)
    }

    pub fn info(&self) -> TimestampInfo {
        TimestampInfo {
            time: self.time.map(chain::rfc3339).unwrap_or_default(),
            authority: self.tsa.as_ref().map(|c| c.subject.clone()),
            valid: self.valid(),
            trusted_issuer: if self.trusted() {
                self.trusted_issuer.clone()
            } else {
                None
            },
        }
    }

    /// On a signature, a bad or untrusted timestamp is only ignored: the
    /// time falls back to the claimed one.
    pub fn signature_timestamp_reasons(&self) -> Vec<Reason> {
        let detail = self
            .reasons
            .iter()
            .filter(|r| r.severity() >= Severity::Untrusted)
            .map(|r| r.message.clone())
            .collect::<Vec<_>>()
            .join("; ");
        if !self.valid() {
            vec![Reason::detail(Code::TimestampInvalid, detail)]
        } else if !self.trusted() {
            vec![Reason::detail(Code::TimestampUntrusted, detail)]
        } else {
            self.reasons
                .iter()
                .filter(|r| r.severity() == Severity::Warning)
                .cloned()
                .collect()
        }
    }
}

/// Checks a TimeStampToken (DER ContentInfo) over the concatenation of
/// `imprinted`.
pub fn check_token(token: &[u8], imprinted: &[&[u8]], trust: &TrustStore) -> TokenCheck {
    let mut out = TokenCheck::default();
    let sd = match signed_data::parse(token) {
        Ok(sd) => sd,
        Err(e) => {
            out.reasons.push(Reason::detail(
                Code::CmsUnparseable,
                format!("timestamp: {e}"),
            ));
            return out;
        }
    };
    let Some(tst) = sd
        .econtent
        .as_deref()
        .filter(|_| sd.econtent_type == signed_data::OID_TST_INFO)
    else {
        out.reasons.push(Reason::detail(
            Code::CmsUnparseable,
            "the timestamp holds no TSTInfo",
        ));
        return out;
    };
    match parse_tst_info(tst) {
        Some((alg_oid, imprint, gen_time)) => {
            out.time = Some(gen_time);
            match DigestAlgorithm::from_oid(&alg_oid) {
                Some(d) => {
                    out.imprint_algorithm = Some(d);
                    let ok = d.digest(imprinted) == imprint;
                    out.imprint_ok = Some(ok);
                    if !ok {
                        out.reasons.push(Reason::detail(
                            Code::DigestMismatch,
                            "the timestamp's message imprint does not match what it timestamps",
                        ));
                    }
                    if d.forbidden() {
                        out.reasons
                            .push(Reason::detail(Code::AlgorithmForbidden, "MD5 imprint"));
                    }
                }
                None => out.reasons.push(Reason::detail(
                    Code::AlgorithmUnsupported,
                    format!("timestamp imprint algorithm {alg_oid}"),
                )),
            }
        }
        None => {
            out.reasons.push(Reason::detail(
                Code::CmsUnparseable,
                "TSTInfo does not parse",
            ));
            return out;
        }
    }
    let Some(si) = sd.signers.first() else {
        out.reasons.push(Reason::detail(
            Code::CmsUnparseable,
            "the timestamp has no signer",
        ));
        return out;
    };
    let store_certs: Vec<Cert> = trust
        .issuers
        .iter()
        .filter_map(|i| i.certificate.as_deref())
        .filter_map(Cert::parse)
        .collect();
    let sc = signed_data::check_signer(&sd, si, &[tst], &store_certs);
    out.digest_ok = sc.digest_ok;
    out.signature_ok = sc.signature_ok;
    out.signature_algorithm = sc.signature_algorithm.clone();
    out.reasons.extend(sc.reasons);
    if let Some(reason) = sc.signer.as_ref().and_then(chain::tsa_eku_reason) {
        out.reasons.push(reason);
    }
    if let (Some(tsa), Some(at)) = (&sc.signer, out.time) {
        let chain = chain::build(&tsa.der, &sd.certificates, trust, at);
        out.trusted_issuer = chain.trusted_issuer.clone();
        out.reasons.extend(chain.reasons);
    }
    out.tsa = sc.signer;
    out
}

/// TSTInfo: (imprint algorithm OID, imprint, genTime).
fn parse_tst_info(der: &[u8]) -> Option<(String, Vec<u8>, OffsetDateTime)> {
    let (t, _) = tlv::read(der).ok()?;
    let kids = t.children().ok()?;
    let imprint = kids.get(2)?.children().ok()?;
    let (alg, _) = tlv::algorithm(imprint.first()?).ok()?;
    let hash = imprint.get(1)?.octets().ok()?.into_owned();
    let gen_time = tlv::time_of(kids.get(4)?)?;
    Some((alg, hash, gen_time))
}

/// Checks a document timestamp: a TimeStampToken whose imprint covers the
/// ByteRange bytes.
pub fn check_document_timestamp(
    contents: &[u8],
    signed: &[&[u8]],
    ctx: &CheckContext,
) -> ValueCheck {
    let tc = check_token(contents, signed, ctx.trust);
    let mut vc = ValueCheck {
        format: Format::DocTimestamp,
        digest_algorithm: tc.imprint_algorithm.map(|d| d.name().to_string()),
        signature_algorithm: tc.signature_algorithm.clone(),
        digest_ok: match (tc.imprint_ok, tc.digest_ok) {
            (Some(true), Some(true)) => Some(true),
            (None, None) => None,
            _ => Some(false),
        },
        signature_ok: tc.signature_ok,
        signer: tc.tsa.as_ref().map(Cert::info),
        trusted_issuer: tc.trusted_issuer.clone(),
        signing_time: tc.time,
        signing_time_source: tc.time.map(|_| SigningTimeSource::Timestamp),
        timestamp: Some(tc.info()),
        ..ValueCheck::default()
    };
    vc.reasons = tc.reasons;
    vc
}
