//! adbe.x509.rsa_sha1: a raw PKCS#1 signature in /Contents (wrapped in an
//! OCTET STRING), the certificates in /Cert. The first certificate is the
//! signer's; the signature is over the ByteRange bytes.

use super::{CheckContext, Format, ValueCheck};
use crate::crypto::algorithms::{self, DigestAlgorithm};
use crate::crypto::tlv;
use crate::report::{Code, Reason};
use crate::trust::chain::{self, Cert};
use crate::trust::signing_time;

pub fn check(
    contents: &[u8],
    certificates: &[Vec<u8>],
    signed: &[&[u8]],
    ctx: &CheckContext,
) -> ValueCheck {
    let mut vc = ValueCheck {
        format: Format::Pkcs1,
        ..ValueCheck::default()
    };
    // Some writers put a whole CMS here despite the /SubFilter.
    if super::cms::parse(contents).is_ok() {
        let mut vc = super::cms::check(contents, signed, ctx);
        vc.format = Format::Cms;
        return vc;
    }
    let signature = match tlv::read_padded(contents) {
        Ok(t) if t.tag & 0x1f == tlv::OCTET_STRING => match t.octets() {
            Ok(o) => o.into_owned(),
            Err(e) => {
                vc.reasons
                    .push(Reason::detail(Code::CmsUnparseable, e.to_string()));
                return vc;
            }
        },
        _ => {
            vc.reasons.push(Reason::detail(
                Code::CmsUnparseable,
                "adbe.x509.rsa_sha1 /Contents is not an OCTET STRING",
            ));
            return vc;
        }
    };
    let Some(signer) = certificates.first().and_then(|d| Cert::parse(d)) else {
        vc.reasons.push(Reason::detail(
            Code::SignerCertificateMissing,
            "no certificate in /Cert",
        ));
        return vc;
    };
    let message = signed.concat();
    // The name says SHA-1, but later writers use the PKCS#1 DigestInfo to
    // say which digest; try them in order of strength.
    let mut last = None;
    for d in [
        DigestAlgorithm::Sha256,
        DigestAlgorithm::Sha384,
        DigestAlgorithm::Sha512,
        DigestAlgorithm::Sha1,
    ] {
        let v = algorithms::verify(
            algorithms::OID_RSA,
            None,
            Some(d),
            &signer.spki,
            &message,
            &signature,
        );
        let done = v.result.is_ok()
            || matches!(
                v.result,
                Err(algorithms::AlgorithmError::Forbidden(_))
                    | Err(algorithms::AlgorithmError::BadKey(_))
            );
        last = Some(v);
        if done {
            break;
        }
    }
    let Some(v) = last else {
        return vc;
    };
    vc.digest_algorithm = v.digest.map(|d| d.name().to_string());
    vc.signature_algorithm = v.name.clone();
    vc.reasons
        .extend(v.warnings("adbe.x509.rsa_sha1 with SHA-1"));
    match &v.result {
        Ok(()) => {
            // The digest is inside the signature: verified together.
            vc.digest_ok = Some(true);
            vc.signature_ok = Some(true);
        }
        Err(e) => {
            vc.signature_ok = Some(false);
            vc.reasons.push(e.reason("signature value"));
        }
    }
    let judged = signing_time::judge(
        None,
        ctx.doc_timestamp,
        ctx.claimed_m,
        &ctx.document_dates,
        ctx.now,
    );
    vc.reasons.extend(judged.reasons.iter().cloned());
    let bag: Vec<Vec<u8>> = certificates.iter().skip(1).cloned().collect();
    vc.reasons.extend(chain::signer_eku_reason(&signer));
    let outcome = chain::build(&signer.der, &bag, ctx.trust, judged.at);
    vc.reasons.extend(outcome.reasons);
    vc.trusted_issuer = outcome.trusted_issuer;
    vc.chain = outcome.path;
    if signer.valid_at(judged.at) && signer.not_after < ctx.now {
        vc.reasons.push(Reason::detail(
            Code::CertificateExpiredSince,
            format!("expired {}", chain::rfc3339(signer.not_after)),
        ));
    }
    vc.signer = Some(signer.info());
    vc.signing_time = Some(judged.at);
    vc.signing_time_source = Some(judged.source);
    vc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::TrustStore;
    use time::macros::datetime;

    const CERT: &[u8] = include_bytes!("../../tests/data/crypto/rsa-sha1-signer.cert.der");
    const SIG: &[u8] = include_bytes!("../../tests/data/crypto/rsa-sha1-over-message.sig");
    const MSG: &[u8] = include_bytes!("../../tests/data/crypto/message.bin");
    const SHORT_CERT: &[u8] = include_bytes!("../../tests/data/crypto/rsa1024.cert.der");
    const SHORT_SIG: &[u8] =
        include_bytes!("../../tests/data/crypto/rsa1024-sha256-over-message.sig");

    fn ctx(store: &TrustStore) -> CheckContext<'_> {
        CheckContext {
            trust: store,
            document_dates: Vec::new(),
            claimed_m: Some(datetime!(2027-01-01 0:00 UTC)),
            doc_timestamp: None,
            now: datetime!(2027-06-01 0:00 UTC),
        }
    }

    #[test]
    fn raw_pkcs1_in_an_octet_string_with_cert_from_slash_cert() {
        let mut contents = tlv::encode(tlv::OCTET_STRING, SIG);
        contents.extend([0u8; 64]);
        let (a, z) = MSG.split_at(9);
        let mut store = TrustStore::empty();
        assert!(store.add_certificate(CERT.to_vec(), Some("pinned".into()), None));
        let vc = check(&contents, &[CERT.to_vec()], &[a, z], &ctx(&store));
        assert_eq!(vc.signature_ok, Some(true), "{:?}", vc.reasons);
        assert_eq!(vc.digest_ok, Some(true));
        assert_eq!(vc.signature_algorithm.as_deref(), Some("rsa-pkcs1-sha1"));
        assert_eq!(vc.trusted_issuer.as_deref(), Some("pinned"));
        assert!(vc.reasons.iter().any(|r| r.code == Code::WeakAlgorithm));
        assert_eq!(
            vc.signing_time_source,
            Some(crate::report::SigningTimeSource::Claimed)
        );

        // Other bytes: the value does not verify.
        let vc = check(&contents, &[CERT.to_vec()], &[b"changed"], &ctx(&store));
        assert_eq!(vc.signature_ok, Some(false));
        assert!(vc
            .reasons
            .iter()
            .any(|r| r.code == Code::SignatureValueInvalid));
        // Unknown signer: untrusted.
        let vc = check(
            &contents,
            &[CERT.to_vec()],
            &[MSG],
            &ctx(&TrustStore::empty()),
        );
        assert!(vc.reasons.iter().any(|r| r.code == Code::NotTrusted));
        // No /Cert.
        let vc = check(&contents, &[], &[MSG], &ctx(&store));
        assert!(vc
            .reasons
            .iter()
            .any(|r| r.code == Code::SignerCertificateMissing));
        // Not an OCTET STRING.
        let vc = check(b"\x02\x01\x00", &[CERT.to_vec()], &[MSG], &ctx(&store));
        assert!(vc.reasons.iter().any(|r| r.code == Code::CmsUnparseable));
    }

    #[test]
    fn a_1024_bit_key_is_forbidden() {
        let contents = tlv::encode(tlv::OCTET_STRING, SHORT_SIG);
        let mut store = TrustStore::empty();
        store.add_certificate(SHORT_CERT.to_vec(), None, None);
        let vc = check(&contents, &[SHORT_CERT.to_vec()], &[MSG], &ctx(&store));
        assert_ne!(vc.signature_ok, Some(true));
        assert!(
            vc.reasons
                .iter()
                .any(|r| r.code == Code::AlgorithmForbidden),
            "{:?}",
            vc.reasons
        );
    }
}
