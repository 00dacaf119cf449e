//! The one place a verdict is made, from the facts the stages recorded.

pub use crate::report::verdict::{exit_status, worse_exit, Verdict};
use crate::report::{Code, Reason, Severity, SignatureReport};
use crate::signature::SignatureKind;

/// What the decision reads about one signature.
pub struct SignatureFacts<'a> {
    pub kind: SignatureKind,
    pub report: &'a SignatureReport,
}

/// The verdict of one signature from its recorded facts. Fail closed: a
/// signature is authentic only when its digest and value were proven and
/// its signer chains to a known issuer, with no reason against it. Returns
/// the verdict and, where nothing recorded yet says why it is not
/// authentic, the reason to add.
pub fn decide_signature(
    kind: SignatureKind,
    report: &SignatureReport,
) -> (Verdict, Option<Reason>) {
    let worst = report
        .reasons
        .iter()
        .map(|r| effective_severity(kind, r.code))
        .max()
        .unwrap_or(Severity::Info);
    match worst {
        Severity::Altered => return (Verdict::Altered, None),
        Severity::Invalid => return (Verdict::Invalid, None),
        Severity::Untrusted => return (Verdict::Untrusted, None),
        Severity::Info | Severity::Warning => {}
    }
    if report.digest_ok != Some(true) || report.signature_ok != Some(true) {
        return (
            Verdict::Invalid,
            Some(Reason::detail(
                Code::SignatureValueInvalid,
                "the signature could not be verified",
            )),
        );
    }
    if report.trusted_issuer.is_none() && kind == SignatureKind::Signature {
        return (Verdict::Untrusted, Some(Reason::new(Code::NotTrusted)));
    }
    (Verdict::Authentic, None)
}

/// A document timestamp from an unknown authority does not make the file
/// untrusted: it only fails to prove a time.
fn effective_severity(kind: SignatureKind, code: Code) -> Severity {
    match (kind, code.severity()) {
        (SignatureKind::DocTimestamp, Severity::Untrusted) => Severity::Warning,
        (_, s) => s,
    }
}

/// The file's verdict: the worst of its own reasons and its signatures'
/// verdicts; `unsigned` without any signature; `authentic` only when some
/// signature (not a mere document timestamp) is authentic and nothing is
/// worse.
pub fn decide(file_reasons: &[Reason], signatures: &[SignatureFacts]) -> (Verdict, Vec<Reason>) {
    let mut extra = Vec::new();
    let seals: Vec<&SignatureFacts> = signatures
        .iter()
        .filter(|s| s.kind == SignatureKind::Signature)
        .collect();
    let mut worst = file_reasons
        .iter()
        .map(|r| match r.severity() {
            Severity::Altered => Verdict::Altered,
            Severity::Invalid => Verdict::Invalid,
            Severity::Untrusted => Verdict::Untrusted,
            _ => Verdict::Authentic,
        })
        .max()
        .unwrap_or(Verdict::Authentic);
    for s in signatures {
        let v = match (s.kind, s.report.verdict) {
            (SignatureKind::DocTimestamp, Verdict::Untrusted) => Verdict::Authentic,
            (_, v) => v,
        };
        worst = worst.max(v);
    }
    if worst > Verdict::Unsigned {
        return (worst, extra);
    }
    if seals.is_empty() {
        if signatures.is_empty() {
            extra.push(Reason::new(Code::NoSignature));
        }
        return (Verdict::Unsigned, extra);
    }
    if seals.iter().any(|s| s.report.verdict == Verdict::Authentic) {
        (Verdict::Authentic, extra)
    } else {
        (Verdict::Untrusted, extra)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_follows_spec_precedence() {
        use Verdict::*;
        assert_eq!(exit_status(&[]), 0);
        assert_eq!(exit_status(&[Authentic, Authentic]), 0);
        assert_eq!(exit_status(&[Malformed, Unsigned]), 3);
        assert_eq!(exit_status(&[Malformed, Authentic]), 4);
        assert_eq!(exit_status(&[Unsigned, Untrusted, Malformed]), 1);
        assert_eq!(exit_status(&[Altered]), 1);
        assert_eq!(exit_status(&[Malformed, InputError, Unsigned]), 2);
        assert_eq!(exit_status(&[InputError, Untrusted]), 1);
        assert_eq!(exit_status(&[InputError, Authentic]), 2);
        assert_eq!(worse_exit(0, 2), 2);
        assert_eq!(worse_exit(1, 2), 1);
    }
}
