//! Recognising what /Contents holds, from its bytes first and /SubFilter
//! second: vendors invent /SubFilter names, the bytes do not lie.

use serde::Serialize;

/// The signature container formats certcheck knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// CMS SignedData, content type 1.2.840.113549.1.7.2.
    Cms,
    /// CMS SignedData with the GM/T 0010 content type 1.2.156.10197.6.1.4.2.2.
    CmsGm,
    /// SES_Signature, GM/T 0031-2014.
    SesV1,
    /// SES_Signature, GB/T 38540-2020.
    SesV4,
    /// Raw PKCS#1 (adbe.x509.rsa_sha1).
    Pkcs1,
    /// RFC 3161 document timestamp.
    DocTimestamp,
    /// /Contents is empty or all zeros.
    Empty,
    #[default]
    Unknown,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Cms => "cms",
            Format::CmsGm => "cms-gm",
            Format::SesV1 => "ses-v1",
            Format::SesV4 => "ses-v4",
            Format::Pkcs1 => "pkcs1",
            Format::DocTimestamp => "timestamp",
            Format::Empty => "empty",
            Format::Unknown => "unknown",
        }
    }
}

/// DER of the OID 1.2.840.113549.1.7.2 (signedData).
const OID_SIGNED_DATA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
];
/// DER of the OID 1.2.156.10197.6.1.4.2.2 (GM/T 0010 signedData).
const OID_GM_SIGNED_DATA: &[u8] = &[
    0x06, 0x0a, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x06, 0x01, 0x04, 0x02, 0x02,
];

/// Recognises the container in `contents` (trailing zero padding allowed).
pub fn sniff(contents: &[u8], sub_filter: Option<&str>) -> Format {
    if contents.iter().all(|&b| b == 0) {
        return Format::Empty;
    }
    let head = contents.get(..contents.len().min(32)).unwrap_or(contents);
    let is_seq = contents.first() == Some(&0x30);
    if is_seq && contains(head, OID_GM_SIGNED_DATA) {
        return Format::CmsGm;
    }
    if is_seq && contains(head, OID_SIGNED_DATA) {
        return if sub_filter == Some("ETSI.RFC3161") {
            Format::DocTimestamp
        } else {
            Format::Cms
        };
    }
    if let Some(v) = super::ses::sniff_version(contents) {
        return v;
    }
    match sub_filter {
        Some("adbe.x509.rsa_sha1") => Format::Pkcs1,
        _ => Format::Unknown,
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeros_are_empty_and_garbage_is_unknown() {
        assert_eq!(sniff(&[0, 0, 0], None), Format::Empty);
        assert_eq!(
            sniff(&[1, 2, 3], Some("adbe.pkcs7.detached")),
            Format::Unknown
        );
        let mut cms = vec![0x30, 0x80];
        cms.extend_from_slice(OID_SIGNED_DATA);
        assert_eq!(sniff(&cms, Some("x.vendor")), Format::Cms);
        assert_eq!(sniff(&cms, Some("ETSI.RFC3161")), Format::DocTimestamp);
    }
}
