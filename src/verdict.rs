//! The one place a verdict is made, from the facts the stages recorded.

use serde::{Deserialize, Serialize};

/// One verdict per file (and per signature), as SPEC.md defines them.
///
/// The order of the variants is the precedence: where several apply, the
/// worst wins (`Malformed` only applies when the file cannot be read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Authentic,
    Unsigned,
    Untrusted,
    Invalid,
    Altered,
    Malformed,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Authentic => "authentic",
            Verdict::Unsigned => "unsigned",
            Verdict::Untrusted => "untrusted",
            Verdict::Invalid => "invalid",
            Verdict::Altered => "altered",
            Verdict::Malformed => "malformed",
        }
    }

    /// SPEC.md's exit status contribution of one file.
    pub fn exit_rank(self) -> u8 {
        match self {
            Verdict::Authentic => 0,
            Verdict::Altered | Verdict::Invalid | Verdict::Untrusted => 1,
            Verdict::Unsigned => 3,
            Verdict::Malformed => 4,
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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

/// SPEC.md: 0 every file authentic; 1 some file altered, invalid or
/// untrusted; 3 otherwise some file unsigned; 4 otherwise some file
/// malformed or unreadable. (2, a usage error, is the command line's.)
pub fn exit_status<'a, I: IntoIterator<Item = &'a Verdict>>(verdicts: I) -> u8 {
    let mut worst = 0;
    for v in verdicts {
        let rank = v.exit_rank();
        // 1 beats 3 beats 4: the ranks are ordered by how bad, not by value.
        let badness = |r: u8| match r {
            1 => 3,
            3 => 2,
            4 => 1,
            _ => 0,
        };
        if badness(rank) > badness(worst) {
            worst = rank;
        }
    }
    worst
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
    }
}
