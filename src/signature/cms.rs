//! A CMS / PKCS#7 signature in /Contents, checked as a PDF signature:
//! the bytes its SignerInfos cover, each signer's value
//! ([`super::signed_data`]), its signature timestamp
//! ([`super::timestamp`]), the signing time SPEC's rule fixes, and the
//! signer's chain ([`crate::trust`]). The SignedData reader's items are
//! re-exported here, so `cms::parse` and `cms::check_signer` keep their
//! names.

use super::{CheckContext, Format, ValueCheck};
use crate::crypto::algorithms::DigestAlgorithm;
use crate::report::{Code, Reason};
use crate::trust::chain::{self, Cert};
use crate::trust::signing_time;

use super::signed_data::{attr, digest_mismatch};
pub use super::signed_data::{
    carried_revocation, check_signer, find_signer, parse, Attribute, CarriedRevocation, CmsError,
    SignedData, SignerCheck, SignerId, SignerInfoData, OID_ADBE_REVOCATION, OID_DATA, OID_GM_DATA,
    OID_GM_SIGNED_DATA, OID_SIGNED_DATA, OID_TIMESTAMP_TOKEN, OID_TST_INFO,
};

/// Signer infos checked per signature, at most.
const MAX_SIGNERS: usize = 8;

/// The bytes whose digest a PDF signature's SignerInfo covers: the
/// ByteRange pieces, or, where the SignedData encapsulates content
/// (adbe.pkcs7.sha1), that content, which must be the SHA-1 of the pieces.
fn pdf_content<'a>(
    sd: &'a SignedData<'_>,
    signed: &[&'a [u8]],
    sub_filter: Option<&str>,
    reasons: &mut Vec<Reason>,
) -> Option<(Vec<&'a [u8]>, Option<bool>)> {
    let detached = matches!(
        sub_filter,
        Some("adbe.pkcs7.detached" | "ETSI.CAdES.detached")
    );
    Some(match sd.econtent.as_deref() {
        None => (signed.to_vec(), None),
        // An empty eContent signs nothing of the document: whatever the
        // signer signed, it was not these bytes.
        Some([]) => {
            reasons.push(Reason::detail(
                Code::CmsNotDetached,
                "the CMS encapsulates an empty eContent",
            ));
            return None;
        }
        // ISO 32000-2 12.8.3.3.1 and PAdES: a detached SubFilter means no
        // eContent; an enveloping CMS signs its own copy, not the file.
        Some(e) if detached => {
            reasons.push(Reason::detail(
                Code::CmsNotDetached,
                format!(
                    "/SubFilter {} but the CMS encapsulates {} bytes of eContent",
                    sub_filter.unwrap_or_default(),
                    e.len()
                ),
            ));
            return None;
        }
        Some(e) => {
            let sha1 = DigestAlgorithm::Sha1.digest(signed);
            if e == sha1.as_slice() {
                reasons.push(Reason::detail(
                    Code::WeakAlgorithm,
                    "adbe.pkcs7.sha1: the document digest is SHA-1",
                ));
                (vec![e], Some(true))
            } else if e.len() == signed.iter().map(|p| p.len()).sum::<usize>()
                && e == signed.concat().as_slice()
            {
                (vec![e], Some(true))
            } else {
                (vec![e], Some(false))
            }
        }
    })
}

/// Checks a CMS SignedData (`Format::Cms` or `Format::CmsGm`).
pub fn check(contents: &[u8], signed: &[&[u8]], ctx: &CheckContext) -> ValueCheck {
    check_pdf(contents, signed, None, ctx)
}

/// [`check`] for a PDF signature whose dictionary declares `sub_filter`,
/// which decides whether the CMS may encapsulate content.
pub fn check_pdf(
    contents: &[u8],
    signed: &[&[u8]],
    sub_filter: Option<&str>,
    ctx: &CheckContext,
) -> ValueCheck {
    let mut vc = ValueCheck {
        format: Format::Cms,
        ..ValueCheck::default()
    };
    let sd = match parse(contents) {
        Ok(sd) => sd,
        Err(e) => {
            vc.reasons
                .push(Reason::detail(Code::CmsUnparseable, e.to_string()));
            return vc;
        }
    };
    if sd.gm {
        vc.format = Format::CmsGm;
    }
    if sd.signers.is_empty() {
        vc.reasons
            .push(Reason::detail(Code::CmsUnparseable, "no SignerInfo"));
        return vc;
    }
    let Some((content, encap_ok)) = pdf_content(&sd, signed, sub_filter, &mut vc.reasons) else {
        return vc;
    };
    check_signers(&sd, &content, encap_ok, &[], ctx, &mut vc);
    vc
}

/// The signer infos of a PDF signature, checked over `content`; the first
/// fills the record, every one adds its reasons. Shared with
/// adbe.x509.rsa_sha1 (`extra` holds the /Cert certificates).
pub(crate) fn check_signers(
    sd: &SignedData,
    content: &[&[u8]],
    encap_ok: Option<bool>,
    extra: &[Vec<u8>],
    ctx: &CheckContext,
    vc: &mut ValueCheck,
) {
    let mut extra_certs: Vec<Cert> = extra.iter().filter_map(|d| Cert::parse(d)).collect();
    extra_certs.extend(
        ctx.trust
            .issuers
            .iter()
            .filter_map(|i| i.certificate.as_deref())
            .filter_map(Cert::parse),
    );
    let mut bag = sd.certificates.clone();
    bag.extend(extra.iter().cloned());
    for (n, si) in sd.signers.iter().take(MAX_SIGNERS).enumerate() {
        let mut sc = check_signer(sd, si, content, &extra_certs);
        if encap_ok == Some(false) && sc.digest_ok == Some(true) {
            sc.digest_ok = Some(false);
            sc.reasons.push(digest_mismatch(
                sc.signature_ok,
                "the encapsulated content is not the signed bytes' digest",
            ));
        }
        let mut reasons = std::mem::take(&mut sc.reasons);

        // The time the signer's certificate is judged at.
        let mut trusted_ts = None;
        if let Some(token) =
            attr(&si.unsigned_attrs, OID_TIMESTAMP_TOKEN).and_then(|a| a.values.first())
        {
            let ts = super::timestamp::check_token(token.raw, &[&si.signature], ctx.trust);
            reasons.extend(ts.signature_timestamp_reasons());
            if ts.trusted() {
                trusted_ts = ts.time;
            }
            if n == 0 {
                vc.timestamp = Some(ts.info());
            }
        }
        let judged = signing_time::judge(
            trusted_ts,
            ctx.doc_timestamp,
            sc.claimed_time.or(ctx.claimed_m),
            &ctx.document_dates,
            ctx.now,
        );
        reasons.extend(judged.reasons.iter().cloned());

        let mut trusted_issuer = None;
        let mut chain_path = Vec::new();
        if let Some(signer) = &sc.signer {
            reasons.extend(chain::signer_eku_reason(signer));
            let outcome = chain::build(&signer.der, &bag, ctx.trust, judged.at);
            reasons.extend(outcome.reasons.iter().cloned());
            trusted_issuer = outcome.trusted_issuer.clone();
            chain_path = outcome.path.clone();
            if signer.valid_at(judged.at) && signer.not_after < ctx.now {
                reasons.push(Reason::detail(
                    Code::CertificateExpiredSince,
                    format!("expired {}", chain::rfc3339(signer.not_after)),
                ));
            }
        }
        if n == 0 {
            vc.digest_algorithm = sc.digest_algorithm.map(|d| d.name().to_string());
            vc.signature_algorithm = sc.signature_algorithm.clone();
            vc.digest_ok = sc.digest_ok;
            vc.signature_ok = sc.signature_ok;
            vc.signer = sc.signer.as_ref().map(Cert::info);
            vc.trusted_issuer = trusted_issuer;
            vc.chain = chain_path;
            vc.carried_revocation = super::signed_data::carried_revocation(sd, si);
            vc.signing_time = Some(judged.at);
            vc.signing_time_source = Some(judged.source);
        } else {
            // Every signer must hold for the signature to count.
            if sc.digest_ok != Some(true) {
                vc.digest_ok = sc.digest_ok.or(Some(false));
            }
            if sc.signature_ok != Some(true) {
                vc.signature_ok = sc.signature_ok.or(Some(false));
            }
            if trusted_issuer.is_none() {
                vc.trusted_issuer = None;
            }
        }
        for r in reasons {
            if !vc.reasons.contains(&r) {
                vc.reasons.push(r);
            }
        }
    }
}

#[cfg(test)]
mod tests;
