//! The JSON record of one file, exactly as SPEC.md lays it out. Keys that
//! have no value are `null`, never missing.

use serde::{Deserialize, Serialize};

use super::reason::Reason;
use super::verdict::Verdict;

/// What the certificate says (SPEC.md "Fields").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fields {
    pub management_number: Option<String>,
    pub name: Option<String>,
    pub gender: Option<String>,
    pub birth: Option<String>,
    pub id_number: Option<String>,
    pub id_number_valid: Option<bool>,
    pub qualification: Option<String>,
    pub level: Option<String>,
    pub approval_date: Option<String>,
    pub query_result_label: bool,
}

impl Fields {
    /// The named text fields, in SPEC order, for diffs and printers.
    pub fn named(&self) -> [(&'static str, Option<&str>); 8] {
        [
            ("management_number", self.management_number.as_deref()),
            ("name", self.name.as_deref()),
            ("gender", self.gender.as_deref()),
            ("birth", self.birth.as_deref()),
            ("id_number", self.id_number.as_deref()),
            ("qualification", self.qualification.as_deref()),
            ("level", self.level.as_deref()),
            ("approval_date", self.approval_date.as_deref()),
        ]
    }

    pub fn is_empty(&self) -> bool {
        self.named().iter().all(|(_, v)| v.is_none()) && !self.query_result_label
    }
}

/// The signer's certificate, as the record shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerInfo {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    /// RFC 3339.
    pub not_before: String,
    /// RFC 3339.
    pub not_after: String,
    /// SHA-256 of the certificate's DER, lower-case hex.
    pub sha256: String,
}

/// An RFC 3161 timestamp on a signature or a document timestamp.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimestampInfo {
    /// RFC 3339.
    pub time: String,
    /// The TSA's certificate subject.
    pub authority: Option<String>,
    /// Whether the token verified (imprint and TSA signature).
    pub valid: bool,
    /// The known issuer the TSA chains to, if any.
    pub trusted_issuer: Option<String>,
}

/// The document timestamp that fixed a signature's time (SPEC's time rule:
/// a later trusted document timestamp covering a signature proves it
/// existed by then).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeProof {
    /// The document timestamp's field.
    pub field: String,
    /// RFC 3339: its genTime.
    pub time: String,
    /// The TSA's certificate subject.
    pub authority: Option<String>,
    /// The known issuer the TSA chains to.
    pub trusted_issuer: Option<String>,
}

/// What the revocation data said about a signer's chain (SPEC.md
/// additions: status, time, reason, and where each piece came from).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationInfo {
    /// good, revoked, revoked_since (revoked after the signature was made),
    /// unknown.
    pub status: String,
    /// RFC 3339: when the certificate was revoked, where it was.
    pub time: Option<String>,
    /// The CRL reason (keyCompromise, superseded, ...), where given.
    pub reason: Option<String>,
    /// The revoked certificate's name, where one was.
    pub certificate: Option<String>,
    /// Each CRL or OCSP response that spoke about a certificate of the chain.
    pub evidence: Vec<RevocationEvidence>,
    /// What was fetched online for certificates the data at hand did not
    /// cover (`--fetch-revocation`); absent when nothing was tried.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fetches: Vec<RevocationFetch>,
}

/// One URL asked (or not) for a certificate's revocation status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationFetch {
    /// crl or ocsp.
    pub kind: String,
    /// The certificate's CRL distribution point or OCSP responder URL.
    pub url: String,
    /// The certificate it was asked for.
    pub certificate: String,
    /// fetched; cached (a copy from the cache still current, not fetched
    /// again, or an older one after a failed fetch); failed; skipped (not
    /// an http:// URL, or over the number of URLs asked per certificate).
    pub outcome: String,
    /// The DER file in the cache folder that holds it.
    pub cache_file: Option<String>,
    /// Why the fetch failed or was skipped, or why it was not cached.
    pub problem: Option<String>,
}

/// One CRL or OCSP response about one certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationEvidence {
    /// crl or ocsp.
    pub kind: String,
    /// dss, dss_vri, cms_crls, cms_archival, timestamp, file:PATH,
    /// fetched:URL (`--fetch-revocation`).
    pub source: String,
    /// The certificate it is about.
    pub certificate: String,
    /// good, revoked, unknown (the responder does not know it), or
    /// not_used (it does not verify or is out of date: see `problem`).
    pub status: String,
    pub this_update: Option<String>,
    pub next_update: Option<String>,
    pub revoked_at: Option<String>,
    pub reason: Option<String>,
    /// Why it was not used, where it was not.
    pub problem: Option<String>,
}

/// The electronic seal inside an SES_Signature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealInfo {
    /// "GB/T 38540-2020 (v4)" or "GM/T 0031-2014 (v1)".
    pub structure: String,
    pub version: Option<i64>,
    pub seal_id: Option<String>,
    pub name: Option<String>,
    pub seal_type: Option<i64>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// The seal maker's certificate subject.
    pub maker: Option<String>,
    pub picture_type: Option<String>,
    pub maker_signature_ok: Option<bool>,
    /// Which encoding of the seal the maker's signature verified over.
    pub maker_signature_form: Option<String>,
}

/// One signature's facts and its own verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureReport {
    /// The field's /T, or a made-up name for a dictionary outside the form.
    pub field: String,
    /// cms, cms-gm, ses-v1, ses-v4, pkcs1, timestamp, unknown, empty.
    pub format: String,
    pub sub_filter: Option<String>,
    pub filter: Option<String>,
    pub byte_range: Option<Vec<i64>>,
    /// 1-based revision the signature covers (the revision whose end its ByteRange reaches).
    pub revision: Option<usize>,
    pub covers_whole_file: bool,
    pub digest_algorithm: Option<String>,
    pub signature_algorithm: Option<String>,
    pub digest_ok: Option<bool>,
    pub signature_ok: Option<bool>,
    pub signer: Option<SignerInfo>,
    /// The known issuer the signer chains to.
    pub trusted_issuer: Option<String>,
    /// RFC 3339: the time the certificate was judged at.
    pub signing_time: Option<String>,
    /// Where signing_time came from.
    pub signing_time_source: Option<SigningTimeSource>,
    /// With source doc_timestamp: the document timestamp that proved it.
    #[serde(default)]
    pub signing_time_proof: Option<TimeProof>,
    pub timestamp: Option<TimestampInfo>,
    pub seal: Option<SealInfo>,
    /// Revocation of the signer's chain; null where no chain to a known
    /// issuer was found (there is nothing to ask about).
    #[serde(default)]
    pub revocation: Option<RevocationInfo>,
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
}

/// One change made after a signature, for the examiner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// 1-based revision that made the change.
    pub revision: usize,
    /// "12 0" style object id, where one object is concerned.
    pub object: Option<String>,
    /// page_content, annotation_added, form_value, resource_replaced,
    /// page_added, page_removed, xref_redirect, catalog_changed, ...
    pub kind: String,
    /// 1-based page, where known.
    pub page: Option<usize>,
    /// Benign changes are listed too, with benign = true.
    pub benign: bool,
    /// The benign-change rule that cleared this change (`None` when no
    /// rule did, i.e. the change is a modification).
    #[serde(default)]
    pub allowed_by: Option<String>,
    pub description: String,
}

/// A field whose signed value differs from what is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextChange {
    pub field: String,
    pub signed: Option<String>,
    pub shown: Option<String>,
}

/// A decoded QR code and whether it points to an official host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrCode {
    pub text: String,
    pub host: Option<String>,
    pub host_allowed: bool,
}

/// SPEC.md "The ledger": what the ledger knew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerInfo {
    pub id: i64,
    pub conflicts: Vec<LedgerConflict>,
    /// The answers of the official online check recorded earlier for the
    /// same 管理号 (at any desk), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_answers: Vec<LedgerAnswer>,
}

/// An answer from the official online check, as the ledger recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerAnswer {
    /// The ledger entry of the check it answers.
    pub check_id: i64,
    /// valid, revoked or not-found.
    pub answer: String,
    pub confirmed_at: String,
    /// Who confirmed it, where the ledger knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desk: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerConflict {
    pub kind: String,
    pub field: String,
    pub value: String,
    pub earlier: LedgerEarlier,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEarlier {
    pub id: i64,
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub checked_at: String,
    pub path: String,
    /// The desk (host) that made the earlier check, where the ledger knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desk: Option<String>,
    /// Who made it, where the ledger knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
}

/// The record of one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub path: String,
    pub sha256: Option<String>,
    pub size: Option<u64>,
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
    pub fields: Option<Fields>,
    pub signatures: Vec<SignatureReport>,
    pub revisions: usize,
    pub signed_fields: Option<Fields>,
    pub text_changes: Vec<TextChange>,
    pub changes_after_signing: Vec<Change>,
    pub qr_codes: Vec<QrCode>,
    pub encrypted: bool,
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ledger: Option<LedgerInfo>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub online: Option<serde_json::Value>,
    /// Each stage's time in milliseconds, only under `verify --timings`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timings: Option<crate::timings::Timings>,
    /// The signature containers that hold a seal picture, kept only when
    /// the caller asked (`Options::keep_seal_pictures`) so that the desk
    /// can save the pictures; never printed or stored.
    #[serde(skip)]
    pub seal_pictures: Vec<SealPictureSource>,
}

/// A signature whose container carries the seal's picture: which one, and
/// the container's bytes (the picture is read from them when saved).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SealPictureSource {
    /// Its place in `Record::signatures`.
    pub signature: usize,
    /// The signature field's name.
    pub field: String,
    pub contents: Vec<u8>,
}

impl Record {
    /// A record for a file that could not be read or parsed.
    pub fn malformed(path: &str, error: String, reasons: Vec<Reason>) -> Self {
        Record {
            error: Some(error),
            reasons,
            ..Record::new(path)
        }
    }

    /// The record of a file about to be checked: nothing known yet. Its
    /// verdict is `malformed` until `verdict::decide` says otherwise, so a
    /// record that never reaches the decision never reads as proven.
    pub fn new(path: &str) -> Self {
        Record {
            path: path.to_string(),
            sha256: None,
            size: None,
            verdict: Verdict::Malformed,
            reasons: Vec::new(),
            fields: None,
            signatures: Vec::new(),
            revisions: 0,
            signed_fields: None,
            text_changes: Vec::new(),
            changes_after_signing: Vec::new(),
            qr_codes: Vec::new(),
            encrypted: false,
            error: None,
            ledger: None,
            online: None,
            timings: None,
            seal_pictures: Vec::new(),
        }
    }

    /// A record for an input that could not be read from the disk at all
    /// (missing, not allowed, not a regular file): nothing was checked.
    pub fn input_error(path: &str, error: String, reasons: Vec<Reason>) -> Self {
        Record {
            verdict: Verdict::InputError,
            ..Record::malformed(path, error, reasons)
        }
    }

    pub fn has_reason(&self, code: super::Code) -> bool {
        self.reasons.iter().any(|r| r.code == code)
            || self
                .signatures
                .iter()
                .any(|s| s.reasons.iter().any(|r| r.code == code))
    }
}

/// Where the time a signer's certificate was judged at came from (SPEC's
/// time rule). Serialised as the snake_case names the JSON has always
/// carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SigningTimeSource {
    /// A trusted timestamp in the signature.
    Timestamp,
    /// A trusted document timestamp that covers the signature.
    DocTimestamp,
    /// The signer's own claim, believed for want of anything better.
    Claimed,
    /// The latest date the signed document carries.
    DocumentDate,
    /// Nothing: the certificate was judged at the time of the check.
    #[serde(rename = "none")]
    CheckTime,
}

impl SigningTimeSource {
    /// The JSON name, also the key of its wording in the catalogue.
    pub fn as_str(self) -> &'static str {
        match self {
            SigningTimeSource::Timestamp => "timestamp",
            SigningTimeSource::DocTimestamp => "doc_timestamp",
            SigningTimeSource::Claimed => "claimed",
            SigningTimeSource::DocumentDate => "document_date",
            SigningTimeSource::CheckTime => "none",
        }
    }

    /// Whether the time is proven by a trusted timestamp, and so counts
    /// against a revocation (a revoked key can claim any time).
    pub fn is_proven(self) -> bool {
        matches!(
            self,
            SigningTimeSource::Timestamp | SigningTimeSource::DocTimestamp
        )
    }
}

#[cfg(test)]
mod signing_time_source_tests {
    use super::SigningTimeSource;

    /// The JSON names are the contract scripts read; the enum must not
    /// change them, and `as_str` (the catalogue key) must agree with serde.
    #[test]
    fn serialises_as_the_names_the_json_always_had() {
        let all = [
            (SigningTimeSource::Timestamp, "timestamp"),
            (SigningTimeSource::DocTimestamp, "doc_timestamp"),
            (SigningTimeSource::Claimed, "claimed"),
            (SigningTimeSource::DocumentDate, "document_date"),
            (SigningTimeSource::CheckTime, "none"),
        ];
        for (source, name) in all {
            assert_eq!(
                serde_json::to_string(&source).ok(),
                Some(format!("\"{name}\""))
            );
            assert_eq!(source.as_str(), name);
            let back: Result<SigningTimeSource, _> = serde_json::from_str(&format!("\"{name}\""));
            assert_eq!(back.ok(), Some(source));
        }
        assert!(SigningTimeSource::Timestamp.is_proven());
        assert!(SigningTimeSource::DocTimestamp.is_proven());
        assert!(!SigningTimeSource::Claimed.is_proven());
        assert!(!SigningTimeSource::DocumentDate.is_proven());
        assert!(!SigningTimeSource::CheckTime.is_proven());
    }
}
