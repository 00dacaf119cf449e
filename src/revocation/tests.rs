//! CRLs and OCSP responses made by the Python `cryptography` package
//! (tests/revocation/make.py), read and verified against the throwaway CA
//! that made them.

use time::macros::datetime;
use time::OffsetDateTime;

use super::*;

macro_rules! fixture {
    ($dir:literal, $name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/revocation/",
            $dir,
            "/",
            $name
        ))
        .to_vec()
    };
}

fn root() -> Vec<u8> {
    fixture!("certs", "root.der")
}

/// Signed (claimed and time-stamped) on this day in the corpus.
const SIGNED: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);
const NOW: OffsetDateTime = datetime!(2026-12-07 12:00 UTC);

fn ev(kind: Kind, der: Vec<u8>) -> Evidence {
    Evidence {
        kind,
        der,
        source: "dss".into(),
    }
}

fn run(
    seal: Vec<u8>,
    evidence: &[Evidence],
    proven: Option<OffsetDateTime>,
    required: bool,
) -> Outcome {
    let chain = vec![seal, root()];
    let refs: Vec<&Evidence> = evidence.iter().collect();
    check(&Request {
        chain: &chain,
        signing_time: SIGNED,
        proven_time: proven,
        evidence: &refs,
        certs: &[],
        now: NOW,
        required,
    })
}

fn codes(o: &Outcome) -> Vec<&'static str> {
    o.reasons.iter().map(|r| r.code.as_str()).collect()
}

#[test]
fn a_crl_is_read_with_its_dates_entries_and_reasons() {
    let crl = crl::Crl::parse(&fixture!("evidence", "crl.der")).expect("CRL parses");
    assert_eq!(crl.this_update, datetime!(2026-11-01 0:00 UTC));
    assert_eq!(crl.next_update, Some(datetime!(2031-11-01 0:00 UTC)));
    assert!(crl.unsupported.is_none(), "{:?}", crl.unsupported);
    let serials: Vec<(Vec<u8>, OffsetDateTime, Option<u8>)> = crl
        .entries
        .iter()
        .map(|e| (e.serial.clone(), e.revoked_at, e.reason))
        .collect();
    assert_eq!(
        serials,
        vec![
            (vec![0x7e, 0x11], datetime!(2026-01-15 0:00 UTC), Some(1)),
            (vec![0x7e, 0x12], datetime!(2026-06-01 0:00 UTC), Some(4)),
        ]
    );
    let root = Cert::parse(&root()).expect("root parses");
    assert_eq!(crl.issuer_raw, root.subject_raw);
}

#[test]
fn an_ocsp_response_is_read_with_its_responder_status_and_certificates() {
    let r = ocsp::Response::parse(&fixture!("evidence", "ocsp-good.der")).expect("OCSP parses");
    let responder = Cert::parse(&fixture!("certs", "ocsp-responder.der")).expect("responder");
    assert_eq!(
        r.responder,
        ocsp::ResponderId::ByName(responder.subject_raw.clone())
    );
    assert_eq!(r.certs, vec![responder.der.clone()]);
    let single = r.responses.first().expect("one single response");
    assert_eq!(single.status, ocsp::CertStatus::Good);
    assert_eq!(single.serial, vec![0x7e, 0x10]);
    assert_eq!(single.this_update, datetime!(2026-11-01 0:00 UTC));
    assert_eq!(single.next_update, Some(datetime!(2031-11-01 0:00 UTC)));

    let by_key = ocsp::Response::parse(&fixture!("evidence", "ocsp-good-by-issuer.der"))
        .expect("OCSP by key parses");
    assert!(matches!(by_key.responder, ocsp::ResponderId::ByKey(ref k) if k.len() == 20));

    let revoked =
        ocsp::Response::parse(&fixture!("evidence", "ocsp-revoked.der")).expect("OCSP parses");
    assert_eq!(
        revoked.responses.first().map(|s| s.status.clone()),
        Some(ocsp::CertStatus::Revoked {
            at: datetime!(2026-01-15 0:00 UTC),
            reason: Some(1)
        })
    );
}

#[test]
fn a_certificate_revoked_before_the_proven_time_is_revoked() {
    let crl = ev(Kind::Crl, fixture!("evidence", "crl.der"));
    let o = run(
        fixture!("certs", "seal-revoked-early.der"),
        &[crl],
        Some(SIGNED),
        false,
    );
    assert_eq!(codes(&o), ["certificate_revoked"]);
    assert_eq!(o.info.status, "revoked");
    assert_eq!(o.info.time.as_deref(), Some("2026-01-15T00:00:00Z"));
    assert_eq!(o.info.reason.as_deref(), Some("keyCompromise"));
    assert_eq!(o.info.evidence.len(), 1);
    assert_eq!(o.info.evidence[0].source, "dss");
}

#[test]
fn a_revocation_after_the_proven_time_is_only_reported() {
    let crl = ev(Kind::Crl, fixture!("evidence", "crl.der"));
    let o = run(
        fixture!("certs", "seal-revoked-late.der"),
        &[crl],
        Some(SIGNED),
        false,
    );
    assert_eq!(codes(&o), ["revoked_since"]);
    assert_eq!(o.info.status, "revoked_since");
    assert_eq!(o.info.reason.as_deref(), Some("superseded"));
}

#[test]
fn a_claimed_time_before_the_revocation_does_not_count() {
    let crl = ev(Kind::Crl, fixture!("evidence", "crl.der"));
    let o = run(
        fixture!("certs", "seal-revoked-late.der"),
        &[crl],
        None,
        false,
    );
    assert_eq!(codes(&o), ["certificate_revoked"]);
}

#[test]
fn a_current_crl_without_the_certificate_is_good_evidence() {
    let crl = ev(Kind::Crl, fixture!("evidence", "crl.der"));
    let o = run(fixture!("certs", "seal-good.der"), &[crl], None, true);
    assert!(o.reasons.is_empty(), "{:?}", o.reasons);
    assert_eq!(o.info.status, "good");
}

#[test]
fn a_crl_signed_by_another_key_is_not_evidence() {
    let forged = ev(Kind::Crl, fixture!("evidence", "crl-forged.der"));
    let o = run(
        fixture!("certs", "seal-good.der"),
        std::slice::from_ref(&forged),
        None,
        false,
    );
    assert_eq!(
        codes(&o),
        ["revocation_evidence_invalid", "revocation_unknown"]
    );
    assert_eq!(o.info.evidence[0].status, "not_used");
    let o = run(fixture!("certs", "seal-good.der"), &[forged], None, true);
    assert_eq!(
        codes(&o),
        ["revocation_evidence_invalid", "revocation_required"]
    );
}

/// Flips one bit in the middle of `sig`, where it sits in `der`.
fn flip_in(der: &mut [u8], sig: &[u8]) {
    let at = der
        .windows(sig.len())
        .position(|w| w == sig)
        .expect("the signature value is in the DER");
    if let Some(b) = der.get_mut(at + sig.len() / 2) {
        *b ^= 0x01;
    }
}

#[test]
fn a_crl_or_ocsp_response_with_a_broken_signature_is_not_evidence() {
    let mut crl = fixture!("evidence", "crl.der");
    let sig = crl::Crl::parse(&crl).expect("CRL").signed.signature;
    flip_in(&mut crl, &sig);
    let mut resp = fixture!("evidence", "ocsp-good.der");
    let sig = ocsp::Response::parse(&resp).expect("OCSP").signed.signature;
    flip_in(&mut resp, &sig);
    for (kind, der) in [(Kind::Crl, crl), (Kind::Ocsp, resp)] {
        let o = run(
            fixture!("certs", "seal-good.der"),
            &[ev(kind, der)],
            None,
            false,
        );
        assert_eq!(
            codes(&o),
            ["revocation_evidence_invalid", "revocation_unknown"],
            "{kind:?}"
        );
        let problem = o.info.evidence[0].problem.clone().unwrap_or_default();
        assert!(
            problem.contains("signature does not verify"),
            "{kind:?}: {problem}"
        );
    }
}

#[test]
fn a_crl_out_of_date_at_the_signing_time_is_not_evidence() {
    let old = ev(Kind::Crl, fixture!("evidence", "crl-out-of-date.der"));
    let o = run(fixture!("certs", "seal-good.der"), &[old], None, false);
    assert_eq!(
        codes(&o),
        ["revocation_evidence_invalid", "revocation_unknown"]
    );
    let problem = o.info.evidence[0].problem.clone().unwrap_or_default();
    assert!(problem.contains("out of date"), "{problem}");
}

#[test]
fn a_crl_from_an_issuer_whose_key_usage_lacks_crl_sign_is_not_evidence() {
    let chain = vec![
        fixture!("certs", "seal-under-no-crlsign.der"),
        fixture!("certs", "ca-no-crlsign.der"),
    ];
    let crl = ev(
        Kind::Crl,
        fixture!("evidence", "crl-by-ca-without-crlsign.der"),
    );
    let o = check(&Request {
        chain: &chain,
        signing_time: SIGNED,
        proven_time: None,
        evidence: &[&crl],
        certs: &[],
        now: NOW,
        required: false,
    });
    assert_eq!(
        codes(&o),
        ["revocation_evidence_invalid", "revocation_unknown"]
    );
    let problem = o.info.evidence[0].problem.clone().unwrap_or_default();
    assert!(problem.contains("cRLSign"), "{problem}");
}

#[test]
fn ocsp_from_the_issuer_or_a_delegated_responder_is_good_evidence() {
    for name in ["ocsp-good.der", "ocsp-good-by-issuer.der"] {
        let der = match name {
            "ocsp-good.der" => fixture!("evidence", "ocsp-good.der"),
            _ => fixture!("evidence", "ocsp-good-by-issuer.der"),
        };
        let o = run(
            fixture!("certs", "seal-good.der"),
            &[ev(Kind::Ocsp, der)],
            None,
            true,
        );
        assert!(o.reasons.is_empty(), "{name}: {:?}", o.reasons);
        assert_eq!(o.info.status, "good", "{name}");
    }
}

#[test]
fn ocsp_from_a_responder_without_id_kp_ocsp_signing_is_not_evidence() {
    let o = run(
        fixture!("certs", "seal-good.der"),
        &[ev(Kind::Ocsp, fixture!("evidence", "ocsp-undelegated.der"))],
        None,
        false,
    );
    assert_eq!(
        codes(&o),
        ["revocation_evidence_invalid", "revocation_unknown"]
    );
}

#[test]
fn ocsp_revoked_before_the_proven_time_is_revoked() {
    let o = run(
        fixture!("certs", "seal-revoked-early.der"),
        &[ev(Kind::Ocsp, fixture!("evidence", "ocsp-revoked.der"))],
        Some(SIGNED),
        false,
    );
    assert_eq!(codes(&o), ["certificate_revoked"]);
}

#[test]
fn evidence_about_another_certificate_is_passed_over() {
    // The good OCSP response is about seal-good, not seal-no-data.
    let o = run(
        fixture!("certs", "seal-no-data.der"),
        &[ev(Kind::Ocsp, fixture!("evidence", "ocsp-good.der"))],
        None,
        false,
    );
    assert_eq!(codes(&o), ["revocation_unknown"]);
    assert!(o.info.evidence.is_empty());
}

#[test]
fn revocation_data_is_found_in_der_pem_files_and_folders() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/revocation");
    let pem = collect::load_files(&[dir.join("evidence/crl.pem")]).expect("PEM CRL loads");
    assert_eq!(pem.len(), 1);
    assert_eq!(pem[0].kind, Kind::Crl);
    assert_eq!(pem[0].der, fixture!("evidence", "crl.der"));
    assert!(pem[0].source.starts_with("file:"));
    let folder = collect::load_files(&[dir.join("revocation-folder")]).expect("the folder loads");
    assert_eq!(folder.len(), 1, "the README is passed over");
    assert_eq!(folder[0].kind, Kind::Ocsp);
    assert!(matches!(
        collect::load_files(&[dir.join("make.py")]),
        Err(RevocationError::NotRevocationData(_))
    ));
    assert!(matches!(
        collect::load_files(&[dir.join("no-such-file")]),
        Err(RevocationError::Io { .. })
    ));
}
