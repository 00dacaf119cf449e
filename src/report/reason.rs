//! One enum of reason codes. Each code has a stable snake_case name that
//! scripts rely on, a sentence a desk clerk understands, and the severity
//! that [`crate::verdict::decide`] reads. Stages never decide verdicts: they
//! report reasons.

use serde::{Serialize, Serializer};

/// What a reason does to the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing; changes nothing.
    Info,
    /// Shown to the person; the verdict stands.
    Warning,
    /// No signer chains to a known issuer.
    Untrusted,
    /// The signature itself is not a valid signature.
    Invalid,
    /// What is shown is not what was signed.
    Altered,
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident => ($name:literal, $sev:ident, $msg:literal), )*) => {
        /// Every reason certcheck can give. See docs/verdicts.md.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $( $(#[$doc])* $variant, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable machine name (JSON `code`).
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            pub fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            /// The clerk-facing sentence.
            pub fn message(self) -> &'static str {
                match self { $( Code::$variant => $msg, )* }
            }
        }
    };
}

codes! {
    // --- reading the file (pdf) ---
    EmptyFile => ("empty_file", Info, "The file is empty."),
    NotAPdf => ("not_a_pdf", Info, "The file is not a PDF document."),
    UnreadablePdf => ("unreadable_pdf", Info, "The PDF is damaged beyond repair and cannot be read."),
    FileUnreadable => ("file_unreadable", Info, "The file could not be opened."),
    XrefRecovered => ("xref_recovered", Warning, "The PDF's index (xref) was damaged; its objects were recovered by scanning the file."),
    ResourceLimit => ("resource_limit", Warning, "The file exceeds a safety limit (size, nesting or object count); part of it was not examined."),
    PasswordRequired => ("password_required", Warning, "The file needs a password to be opened; its signatures were checked but its text could not be read. Run again with --password."),
    WrongPassword => ("wrong_password", Warning, "The password given does not open this file."),
    Encrypted => ("encrypted", Info, "The file is encrypted; it was opened and read (printing or editing may be restricted by its owner password)."),
    // --- finding signatures and their byte ranges ---
    NoSignature => ("no_signature", Info, "The document carries no electronic signature or seal. Check it online with the issuer."),
    SignatureUnreadable => ("signature_unreadable", Invalid, "A signature in the document cannot be read (its dictionary is missing or damaged), so it vouches for nothing."),
    EmptySignatureField => ("empty_signature_field", Info, "The document has a signature field that was never signed."),
    ByteRangeMissing => ("byte_range_missing", Invalid, "The signature does not say which bytes it covers (/ByteRange missing): it protects nothing."),
    ByteRangeInvalid => ("byte_range_invalid", Invalid, "The signature's byte range is impossible (wrong shape, negative, overlapping or beyond the end of the file)."),
    ByteRangeNotFromStart => ("byte_range_not_from_start", Invalid, "The signature does not cover the beginning of the file."),
    ContentsMissing => ("contents_missing", Invalid, "The signature value is missing (/Contents empty)."),
    ContentsZeroed => ("contents_zeroed", Invalid, "The signature value is all zeros: the file was prepared for signing but never signed, or its signature was wiped."),
    ByteRangeGapMismatch => ("byte_range_gap_mismatch", Altered, "The bytes left out of the signature are not just the signature value: something visible may sit in the unsigned gap (signature wrapping)."),
    ByteRangeNotRevisionEnd => ("byte_range_not_revision_end", Altered, "The signed bytes do not end where a version of the document ends: bytes were inserted or moved inside the signed part (signature wrapping)."),
    UncoveredBytesAfterSignature => ("uncovered_bytes_after_signature", Altered, "Bytes were added after the signed part of the file without a proper update section."),
    // --- the signature container and its value ---
    SignatureFormatUnknown => ("signature_format_unknown", Invalid, "The signature is in a format certcheck does not understand, so it cannot vouch for the document."),
    CmsUnparseable => ("cms_unparseable", Invalid, "The signature data is not a readable signature (CMS/PKCS#7 does not parse)."),
    SignerCertificateMissing => ("signer_certificate_missing", Invalid, "The signer's certificate is not in the signature."),
    DigestMismatch => ("digest_mismatch", Altered, "The signed bytes were changed after signing: their fingerprint no longer matches the one the seal signed."),
    SignatureValueInvalid => ("signature_value_invalid", Invalid, "The signature value does not verify under the signer's key: it is not a genuine signature of this content."),
    AlgorithmUnsupported => ("algorithm_unsupported", Invalid, "The signature uses an algorithm certcheck cannot check."),
    AlgorithmForbidden => ("algorithm_forbidden", Invalid, "The signature uses a broken algorithm (MD5, or an RSA key shorter than 2048 bits)."),
    AlgorithmMisplaced => ("algorithm_misplaced", Invalid, "The signature names its algorithms in the wrong places or in ways that contradict each other (e.g. a signature algorithm given as the digest algorithm), so it does not say unambiguously how it was made."),
    CmsNotDetached => ("cms_not_detached", Invalid, "The signature data carries its own content instead of signing the document's bytes (attached CMS where the PDF signature must be detached), so it does not vouch for this document."),
    WeakAlgorithm => ("weak_algorithm", Warning, "The signature uses SHA-1, which is weak."),
    ContentTypeMismatch => ("content_type_mismatch", Invalid, "The signature's content-type attribute is wrong."),
    SigningCertificateMismatch => ("signing_certificate_mismatch", Invalid, "The certificate named inside the signature is not the one that signed it."),
    // --- trust and time ---
    NotTrusted => ("not_trusted", Untrusted, "The seal is not from a known issuer: its certificate does not chain to any issuer you trust (a look-alike name does not count)."),
    CertificateExpiredAtSigning => ("certificate_expired_at_signing", Invalid, "The seal's certificate had expired when the document was signed."),
    CertificateNotYetValidAtSigning => ("certificate_not_yet_valid_at_signing", Invalid, "The seal's certificate was not yet valid when the document was signed."),
    CertificateKeyUsage => ("certificate_key_usage", Invalid, "The seal's certificate is not allowed to sign documents (key usage)."),
    CertificateExtendedKeyUsage => ("certificate_extended_key_usage", Invalid, "The seal's certificate is not allowed to sign documents: its extended key usage names only other purposes (e.g. a website's TLS server certificate)."),
    TsaExtendedKeyUsage => ("tsa_extended_key_usage", Invalid, "The timestamp authority's certificate is not one for timestamping (RFC 3161 requires a critical extended key usage id-kp-timeStamping), so its timestamp proves nothing."),
    ChainCertificateInvalid => ("chain_certificate_invalid", Invalid, "A certificate in the seal's chain is invalid at signing time or not allowed to issue certificates."),
    CertificateExpiredSince => ("certificate_expired_since", Warning, "The seal's certificate has expired since the document was signed; the signature was valid when made."),
    SigningTimeClaimed => ("signing_time_claimed", Info, "The signing time is the one the signer claims; no trusted timestamp proves it."),
    SigningTimeContradicted => ("signing_time_contradicted", Warning, "The claimed signing time is earlier than dates inside the signed document, so it is not believed; the certificate was judged at the latest date the document carries."),
    TimestampInvalid => ("timestamp_invalid", Warning, "The timestamp on the signature does not verify; it was ignored."),
    TimestampUntrusted => ("timestamp_untrusted", Warning, "The timestamp on the signature is from an authority you do not trust; its time is treated as claimed."),
    // --- revocation ---
    CertificateRevoked => ("certificate_revoked", Invalid, "The seal's certificate (or a certificate above it) was revoked by its issuer before the document was provably signed: the seal no longer vouches for it."),
    RevokedSince => ("revoked_since", Warning, "The seal's certificate has been revoked since the document was signed; a timestamp proves the signature was made before that, so it stays valid."),
    RevocationUnknown => ("revocation_unknown", Warning, "No revocation data (CRL or OCSP response) was found for the seal's certificate: whether its issuer revoked it is not known."),
    RevocationRequired => ("revocation_required", Invalid, "No usable revocation data (CRL or OCSP response) was found for the seal's certificate, and revocation data is required (--require-revocation)."),
    RevocationEvidenceInvalid => ("revocation_evidence_invalid", Warning, "A CRL or OCSP response found for the seal's certificate was not used: it does not verify, is not from the issuer or a responder it delegated, or is out of date."),
    RevocationFetchFailed => ("revocation_fetch_failed", Warning, "Revocation data for the seal's certificate could not be fetched online (--fetch-revocation): the server could not be reached, answered with an error, or sent something that is not a CRL or an OCSP response."),
    // --- national electronic seals (SES_Signature) ---
    SesUnparseable => ("ses_unparseable", Invalid, "The electronic seal structure (SES_Signature) cannot be read."),
    SesSealSignatureInvalid => ("ses_seal_signature_invalid", Invalid, "The electronic seal was not made by its stated seal maker: the maker's signature over the seal does not verify."),
    SesSignerNotInSeal => ("ses_signer_not_in_seal", Invalid, "The signer's certificate is not one the electronic seal was issued to."),
    SesSealExpired => ("ses_seal_expired", Invalid, "The electronic seal was outside its validity period when it was used."),
    SesDataHashMismatch => ("ses_data_hash_mismatch", Altered, "The signed bytes were changed after sealing: their fingerprint no longer matches the one in the seal's signature."),
    SealPictureNotSaved => ("seal_picture_not_saved", Info, "The seal's picture could not be saved (--extract-seal)."),
    // --- changes after signing ---
    ModifiedAfterSigning => ("modified_after_signing", Altered, "The document was changed after it was signed: what it shows now is not what was signed."),
    ShadowAttack => ("shadow_attack", Altered, "A later update re-points signed objects to different content (shadow attack): what is shown is not what was signed."),
    CertificationViolated => ("certification_violated", Altered, "The document was certified against changes, and a forbidden change was made after certification."),
    BenignUpdate => ("benign_update", Info, "A later update only adds signature maintenance data or metadata; what the document shows is unchanged."),
    MetadataChanged => ("metadata_changed", Info, "The document's metadata (title, dates, producer) was updated after signing; what it shows is unchanged."),
    ChangesNotCompared => ("changes_not_compared", Altered, "The document was updated after signing, and the update could not be compared with the signed version (a password is needed, or the signed version cannot be read): it is not proven that what it shows is what was signed."),
    // --- what the document says ---
    NoTextLayer => ("no_text_layer", Warning, "The page has no text layer (a scan or picture): no fields could be read. Compare by eye."),
    TextExtractionFailed => ("text_extraction_failed", Warning, "Part of the page text could not be decoded."),
    IdNumberCheckDigit => ("id_number_check_digit", Warning, "The ID number's check digit is wrong: the number was mistyped or edited."),
    IdNumberBirthMismatch => ("id_number_birth_mismatch", Warning, "The birth date in the ID number does not match the printed birth date: a sign of editing."),
    IdNumberGenderMismatch => ("id_number_gender_mismatch", Warning, "The gender encoded in the ID number does not match the printed gender: a sign of editing."),
    TextChangedAfterSigning => ("text_changed_after_signing", Altered, "The text shown differs from the text that was signed."),
    // --- the desk: QR codes, ledger ---
    QrCodeOffOfficialHost => ("qr_code_off_official_host", Warning, "A QR code on the certificate points to a website that is not an official verification site: do not trust what it shows."),
    LedgerConflict => ("ledger_conflict", Warning, "The ledger has seen these details before with a different holder or file."),
    // --- the desk: inputs a person must see to ---
    ContentNotReadable => ("content_not_readable", Warning, "Content not readable: enter the password. The signatures were checked on the raw bytes, but what the document says could not be read, so a person must look at it."),
    NotARegularFile => ("not_a_regular_file", Info, "The input is not a regular file (a FIFO, device, socket or folder), so it was not opened."),
}

impl Code {
    pub fn from_name(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Code::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown reason code {name}")))
    }
}

/// A reason as it appears in the record: the code, and a message that adds
/// what is specific to this file to the code's sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Reason {
    pub code: Code,
    pub message: String,
}

impl Reason {
    pub fn new(code: Code) -> Self {
        Reason {
            code,
            message: code.message().to_string(),
        }
    }

    /// The code's sentence followed by a specific detail.
    pub fn detail(code: Code, detail: impl AsRef<str>) -> Self {
        let detail = detail.as_ref();
        let message = if detail.is_empty() {
            code.message().to_string()
        } else {
            format!("{} ({})", code.message(), detail)
        };
        Reason { code, message }
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_are_unique_and_round_trip() {
        let mut names = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(names.insert(c.as_str()), "duplicate code {}", c.as_str());
            assert_eq!(Code::from_name(c.as_str()), Some(*c));
            assert!(!c.message().is_empty());
        }
    }
}
