//! Makes the national-algorithm samples in tests/national/: certificate PDFs
//! signed with SM2 in CMS and with SES_Signature (GM/T 0031 v1, GB/T 38540
//! v4), their tampered variants, two standalone seal objects, the test SM2
//! root, and expected.json with each file's expected verdict and reasons.
//!
//!     cargo run --example make_national_samples [OUT_DIR]
//!
//! Everything is deterministic (fixed test keys, RFC 6979 nonces, fixed
//! times), so running it again reproduces the committed files byte for
//! byte. The keys are test keys; never trust the root outside tests.

use std::path::{Path, PathBuf};

use certcheck::signature::sm2::{der_of_raw, public_key_of, sign_default_id};
use serde_json::json;
use sm3::{Digest, Sm3};

// ---------- DER by hand ----------

fn header(tag: u8, len: usize) -> Vec<u8> {
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let b = len.to_be_bytes();
        let skip = b.iter().take_while(|&&x| x == 0).count();
        out.push(0x80 | (b.len() - skip) as u8);
        out.extend(&b[skip..]);
    }
    out
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = header(tag, content.len());
    v.extend_from_slice(content);
    v
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn set(parts: &[&[u8]]) -> Vec<u8> {
    let mut sorted: Vec<&[u8]> = parts.to_vec();
    sorted.sort();
    tlv(0x31, &sorted.concat())
}

fn oid(dotted: &str) -> Vec<u8> {
    let o = der::oid::ObjectIdentifier::new(dotted).expect("valid OID");
    tlv(0x06, o.as_bytes())
}

fn int(n: u64) -> Vec<u8> {
    let b = n.to_be_bytes();
    let skip = b.iter().take_while(|&&x| x == 0).count().min(7);
    let mut v = b[skip..].to_vec();
    if v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    tlv(0x02, &v)
}

fn utf8(s: &str) -> Vec<u8> {
    tlv(0x0c, s.as_bytes())
}
fn ia5(s: &str) -> Vec<u8> {
    tlv(0x16, s.as_bytes())
}
fn printable(s: &str) -> Vec<u8> {
    tlv(0x13, s.as_bytes())
}
fn octets(b: &[u8]) -> Vec<u8> {
    tlv(0x04, b)
}
fn bits(b: &[u8]) -> Vec<u8> {
    let mut v = vec![0u8];
    v.extend_from_slice(b);
    tlv(0x03, &v)
}
/// `t` is "YYYYMMDDhhmmss".
fn utc(t: &str) -> Vec<u8> {
    tlv(0x17, format!("{}Z", &t[2..]).as_bytes())
}
fn gen(t: &str) -> Vec<u8> {
    tlv(0x18, format!("{t}Z").as_bytes())
}

const SM3_WITH_SM2: &str = "1.2.156.10197.1.501";
const SM3: &str = "1.2.156.10197.1.401";

fn name(cn: &str, o: &str) -> Vec<u8> {
    seq(&[
        &set(&[&seq(&[&oid("2.5.4.6"), &printable("CN")])]),
        &set(&[&seq(&[&oid("2.5.4.10"), &utf8(o)])]),
        &set(&[&seq(&[&oid("2.5.4.3"), &utf8(cn)])]),
    ])
}

struct Key {
    secret: [u8; 32],
    public: Vec<u8>,
}

fn key(seed: u8) -> Key {
    // A fixed, valid scalar per seed (far below the group order).
    let mut secret = [0u8; 32];
    secret[0] = 0x11;
    secret[31] = seed;
    secret[16] = seed.wrapping_mul(7);
    let public = public_key_of(&secret).expect("valid test key");
    Key { secret, public }
}

fn sm2_der(k: &Key, message: &[u8]) -> Vec<u8> {
    der_of_raw(&sign_default_id(&k.secret, message).expect("signs"))
}

fn sm2_raw(k: &Key, message: &[u8]) -> Vec<u8> {
    sign_default_id(&k.secret, message).expect("signs").to_vec()
}

struct Cert {
    der: Vec<u8>,
    serial: u64,
}

#[allow(clippy::too_many_arguments)]
fn certificate(
    serial: u64,
    issuer: &[u8],
    issuer_key: &Key,
    subject: &[u8],
    subject_key: &Key,
    not_before: &str,
    not_after: &str,
    ca: bool,
) -> Cert {
    let alg = seq(&[&oid(SM3_WITH_SM2)]);
    let spki = seq(&[
        &seq(&[&oid("1.2.840.10045.2.1"), &oid("1.2.156.10197.1.301")]),
        &bits(&subject_key.public),
    ]);
    let ski = Sm3::digest(&subject_key.public)[..20].to_vec();
    let aki = Sm3::digest(&issuer_key.public)[..20].to_vec();
    let basic = if ca {
        seq(&[&tlv(0x01, &[0xff])])
    } else {
        seq(&[])
    };
    let usage: &[u8] = if ca {
        &[0x03, 0x02, 0x01, 0x06]
    } else {
        &[0x03, 0x02, 0x06, 0xc0]
    };
    let exts = seq(&[
        &seq(&[&oid("2.5.29.19"), &tlv(0x01, &[0xff]), &octets(&basic)]),
        &seq(&[&oid("2.5.29.15"), &tlv(0x01, &[0xff]), &octets(usage)]),
        &seq(&[&oid("2.5.29.14"), &octets(&octets(&ski))]),
        &seq(&[&oid("2.5.29.35"), &octets(&seq(&[&tlv(0x80, &aki)]))]),
    ]);
    let tbs = seq(&[
        &tlv(0xa0, &int(2)),
        &int(serial),
        &alg,
        issuer,
        &seq(&[&utc(not_before), &utc(not_after)]),
        subject,
        &spki,
        &tlv(0xa3, &exts),
    ]);
    let sig = sm2_der(issuer_key, &tbs);
    Cert {
        der: seq(&[&tbs, &alg, &bits(&sig)]),
        serial,
    }
}

fn pem(der: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= n {
                b64.push(T[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

fn seal_picture() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(48, 48, |x, y| {
        let (dx, dy) = (x as i32 - 24, y as i32 - 24);
        let d = dx * dx + dy * dy;
        if (18 * 18..=22 * 22).contains(&d) || (dx.abs() < 6 && dy.abs() < 6) {
            image::Rgba([200, 16, 16, 255])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    let mut buf = std::io::Cursor::new(Vec::new());
    img.write_to(&mut buf, image::ImageFormat::Png)
        .expect("png encodes");
    buf.into_inner()
}

// ---------- seals ----------

#[derive(Clone, Copy, PartialEq)]
enum Version {
    V1,
    V4,
}

struct SealSpec<'a> {
    version: Version,
    es_id: &'a str,
    maker: &'a Cert,
    maker_key: &'a Key,
    listed: &'a Cert,
    by_digest: bool,
    /// v4: the maker signs SealInfo ‖ cert ‖ alg (no outer SEQUENCE).
    concatenated: bool,
    valid_start: &'a str,
    valid_end: &'a str,
}

fn spec<'a>(
    version: Version,
    es_id: &'a str,
    maker: &'a Cert,
    maker_key: &'a Key,
    listed: &'a Cert,
) -> SealSpec<'a> {
    SealSpec {
        version,
        es_id,
        maker,
        maker_key,
        listed,
        by_digest: false,
        concatenated: false,
        valid_start: "20250101000000",
        valid_end: "20351231235959",
    }
}

const SEAL_NAME: &str = "人力资源和社会保障部人事考试中心电子证书专用章(测试)";

fn make_seal(s: &SealSpec, picture: &[u8]) -> Vec<u8> {
    let time = |t: &str| {
        if s.version == Version::V1 {
            utc(t)
        } else {
            gen(t)
        }
    };
    let header = seq(&[
        &ia5("ES"),
        &int(if s.version == Version::V1 { 1 } else { 4 }),
        &ia5("CERTCHECKTEST"),
    ]);
    let list = if s.by_digest {
        seq(&[&seq(&[
            &printable("SM3"),
            &octets(&Sm3::digest(&s.listed.der)),
        ])])
    } else {
        seq(&[&octets(&s.listed.der)])
    };
    let mut prop_parts: Vec<Vec<u8>> = vec![int(1), utf8(SEAL_NAME)];
    if s.version == Version::V4 {
        prop_parts.push(int(if s.by_digest { 2 } else { 1 }));
    }
    prop_parts.push(list);
    prop_parts.push(time(s.valid_start));
    prop_parts.push(time(s.valid_start));
    prop_parts.push(time(s.valid_end));
    let prop_refs: Vec<&[u8]> = prop_parts.iter().map(|p| p.as_slice()).collect();
    let property = seq(&prop_refs);
    let pic = seq(&[&ia5("png"), &octets(picture), &int(40), &int(40)]);
    let info = seq(&[&header, &ia5(s.es_id), &property, &pic]);
    let cert = octets(&s.maker.der);
    let alg = oid(SM3_WITH_SM2);
    match s.version {
        // GM/T 0031: the maker signs SEQUENCE{SealInfo, cert, algorithm}.
        Version::V1 => {
            let tbs = seq(&[&info, &cert, &alg]);
            let sig = sm2_der(s.maker_key, &tbs);
            seq(&[&info, &seq(&[&cert, &alg, &bits(&sig)])])
        }
        // GB/T 38540 as the corpus producer does it: DER of SealInfo alone.
        Version::V4 if s.concatenated => {
            let sig = sm2_der(s.maker_key, &[info.as_slice(), &cert, &alg].concat());
            seq(&[&info, &cert, &alg, &bits(&sig)])
        }
        Version::V4 => {
            let sig = sm2_der(s.maker_key, &info);
            seq(&[&info, &cert, &alg, &bits(&sig)])
        }
    }
}

fn make_ses(
    version: Version,
    seal: &[u8],
    signer: &Cert,
    signer_key: &Key,
    time_info: &str,
    data_hash: &[u8],
) -> Vec<u8> {
    let prop = ia5("certcheck national sample; dataHash SM3 of the ByteRange bytes");
    match version {
        Version::V1 => {
            // timeInfo as a BIT STRING holding the DER UTCTime; the value
            // raw r||s, as several v1 producers write it.
            let tbs = seq(&[
                &int(1),
                seal,
                &bits(&utc(time_info)),
                &bits(data_hash),
                &prop,
                &octets(&signer.der),
                &oid(SM3_WITH_SM2),
            ]);
            let sig = sm2_raw(signer_key, &tbs);
            seq(&[&tbs, &bits(&sig)])
        }
        Version::V4 => {
            let tbs = seq(&[&int(4), seal, &gen(time_info), &bits(data_hash), &prop]);
            let sig = sm2_der(signer_key, &tbs);
            seq(&[&tbs, &octets(&signer.der), &oid(SM3_WITH_SM2), &bits(&sig)])
        }
    }
}

fn make_cms(
    gm_oid: bool,
    raw_value: bool,
    signer: &Cert,
    issuer: &[u8],
    signer_key: &Key,
    time: &str,
    digest: &[u8],
) -> Vec<u8> {
    let attrs = [
        seq(&[
            &oid("1.2.840.113549.1.9.3"),
            &set(&[&oid("1.2.840.113549.1.7.1")]),
        ]),
        seq(&[&oid("1.2.840.113549.1.9.5"), &set(&[&utc(time)])]),
        seq(&[&oid("1.2.840.113549.1.9.4"), &set(&[&octets(digest)])]),
    ];
    let refs: Vec<&[u8]> = attrs.iter().map(|a| a.as_slice()).collect();
    let signed = set(&refs);
    let value = if raw_value {
        sm2_raw(signer_key, &signed)
    } else {
        sm2_der(signer_key, &signed)
    };
    let mut implicit = signed.clone();
    implicit[0] = 0xa0;
    let signer_info = seq(&[
        &int(1),
        &seq(&[issuer, &int(signer.serial)]),
        &seq(&[&oid(SM3)]),
        &implicit,
        &seq(&[&oid(SM3_WITH_SM2)]),
        &octets(&value),
    ]);
    let signed_data = seq(&[
        &int(1),
        &set(&[&seq(&[&oid(SM3)])]),
        &seq(&[&oid("1.2.840.113549.1.7.1")]),
        &tlv(0xa0, &signer.der),
        &set(&[&signer_info]),
    ]);
    let ct = if gm_oid {
        "1.2.156.10197.6.1.4.2.2"
    } else {
        "1.2.840.113549.1.7.2"
    };
    seq(&[&oid(ct), &tlv(0xa0, &signed_data)])
}

// ---------- the PDF ----------

const PLACEHOLDER: usize = 12288;

struct Pdf {
    bytes: Vec<u8>,
    /// Offsets of '<' and just after '>' of /Contents.
    gap: (usize, usize),
    byte_range_at: usize,
}

/// A one-page certificate with an empty signature of `sub_filter`.
fn prepared_pdf(holder: &str, number: &str, sub_filter: &str, date: &str) -> Pdf {
    let text = format!(
        "BT /F1 16 Tf 72 760 Td (Certificate of qualification - certcheck national sample) Tj ET\n\
         BT /F1 12 Tf 72 720 Td (Holder: {holder}) Tj ET\n\
         BT /F1 12 Tf 72 700 Td (Management number: {number}) Tj ET\n"
    );
    let pdf_date = format!("D:{date}Z");
    let mut objs: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] /SigFlags 3 >> >>".into(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 6 0 R /Annots [5 0 R] >>".into(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into(),
        "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /Rect [0 0 0 0] /F 132 /P 3 0 R /V 7 0 R >>".into(),
        format!("<< /Length {} >>\nstream\n{}endstream", text.len(), text),
    ];
    let sig_dict = format!(
        "<< /Type /Sig /Filter /Vendor.NationalSeal /SubFilter /{sub_filter} /ByteRange [0 0000000000 0000000000 0000000000] /Contents <{}> /M ({pdf_date}) >>",
        "0".repeat(PLACEHOLDER * 2)
    );
    objs.push(sig_dict);
    objs.push(format!(
        "<< /Producer (certcheck make_national_samples) /CreationDate ({pdf_date}) >>"
    ));
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    let mut gap = (0, 0);
    let mut byte_range_at = 0;
    for (i, body) in objs.iter().enumerate() {
        offsets.push(out.len());
        let start = out.len();
        out.extend(format!("{} 0 obj\n{}\nendobj\n", i + 1, body).as_bytes());
        if i == 6 {
            let s = String::from_utf8_lossy(&out[start..]).to_string();
            let lt = s.find("/Contents <").unwrap() + "/Contents ".len();
            gap = (start + lt, start + lt + PLACEHOLDER * 2 + 2);
            byte_range_at = start + s.find("/ByteRange [").unwrap() + "/ByteRange [".len();
        }
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for o in &offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 8 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    Pdf {
        bytes: out,
        gap,
        byte_range_at,
    }
}

impl Pdf {
    /// Fills /ByteRange and returns the signed pieces' concatenation.
    fn fix_byte_range(&mut self) -> Vec<u8> {
        let (a, b) = self.gap;
        let len = self.bytes.len();
        let br = format!("0 {a:010} {b:010} {:010}", len - b);
        self.bytes[self.byte_range_at..self.byte_range_at + br.len()]
            .copy_from_slice(br.as_bytes());
        let mut signed = self.bytes[..a].to_vec();
        signed.extend_from_slice(&self.bytes[b..]);
        signed
    }

    fn put_contents(&mut self, value: &[u8]) {
        assert!(value.len() <= PLACEHOLDER, "signature too large");
        let hex = hex::encode_upper(value);
        let at = self.gap.0 + 1;
        self.bytes[at..at + hex.len()].copy_from_slice(hex.as_bytes());
    }
}

fn replace_once(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let pos = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("text to edit");
    bytes[pos..pos + to.len()].copy_from_slice(to);
}

struct Case {
    file: &'static str,
    verdict: &'static str,
    format: &'static str,
    reasons: Vec<&'static str>,
    description: &'static str,
}

fn main() {
    let out: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/national"));
    std::fs::create_dir_all(out.join("trust")).expect("output folder");

    let o = "certcheck 国密测试";
    let root_key = key(1);
    let root_name = name("certcheck 国密测试根CA", o);
    let root = certificate(
        1,
        &root_name,
        &root_key,
        &root_name,
        &root_key,
        "20240101000000",
        "20460101000000",
        true,
    );
    let maker_key = key(2);
    let maker = certificate(
        2,
        &root_name,
        &root_key,
        &name("certcheck 电子印章制作系统(测试)", o),
        &maker_key,
        "20240101000000",
        "20450101000000",
        false,
    );
    let signer_key = key(3);
    let signer_name = name("人力资源和社会保障部人事考试中心(测试)", o);
    let signer = certificate(
        3,
        &root_name,
        &root_key,
        &signer_name,
        &signer_key,
        "20250101000000",
        "20440101000000",
        false,
    );
    let other_key = key(4);
    let other = certificate(
        4,
        &root_name,
        &root_key,
        &signer_name,
        &other_key,
        "20250101000000",
        "20440101000000",
        false,
    );
    // An impostor root with the same name, not in trust/.
    let fake_root_key = key(5);
    let fake_maker_key = key(6);
    let fake_maker = certificate(
        7,
        &root_name,
        &fake_root_key,
        &name("certcheck 电子印章制作系统(测试)", o),
        &fake_maker_key,
        "20240101000000",
        "20450101000000",
        false,
    );
    std::fs::write(out.join("trust/national-root-sm2.pem"), pem(&root.der)).expect("write");

    let picture = seal_picture();
    let t = "20260601080000";
    let date = "20260601080000";
    let mut cases = Vec::new();
    let ses_pdf_at = |file: &str,
                      version: Version,
                      seal: &[u8],
                      who: &Cert,
                      who_key: &Key,
                      edit_after: bool,
                      time_info: &str| {
        let sf = if version == Version::V1 {
            "Vendor.SES.v1"
        } else {
            "Vendor.SES.v4"
        };
        let mut pdf = prepared_pdf("Zhang San", "2026NAT0000001", sf, date);
        let signed = pdf.fix_byte_range();
        let hash = Sm3::digest(&signed);
        let ses = make_ses(version, seal, who, who_key, time_info, &hash);
        pdf.put_contents(&ses);
        if edit_after {
            replace_once(&mut pdf.bytes, b"Holder: Zhang San", b"Holder: Zhang Sam");
        }
        std::fs::write(out.join(file), &pdf.bytes).expect("write");
        ses
    };
    let ses_pdf =
        |file: &str, version: Version, seal: &[u8], who: &Cert, who_key: &Key, edit_after: bool| {
            ses_pdf_at(file, version, seal, who, who_key, edit_after, t)
        };

    let seal_v4 = make_seal(
        &spec(
            Version::V4,
            "11010020260000000001",
            &maker,
            &maker_key,
            &signer,
        ),
        &picture,
    );
    let ses_v4 = ses_pdf(
        "ses-v4-valid.pdf",
        Version::V4,
        &seal_v4,
        &signer,
        &signer_key,
        false,
    );
    cases.push(Case { file: "ses-v4-valid.pdf", verdict: "authentic", format: "ses-v4", reasons: vec![],
        description: "GB/T 38540 v4 SES_Signature; seal signed by the maker over DER(SES_SealInfo); signer listed by value" });
    std::fs::write(out.join("seal-v4.esl"), &seal_v4).expect("write");

    let mut digest_spec = spec(
        Version::V4,
        "11010020260000000002",
        &maker,
        &maker_key,
        &signer,
    );
    digest_spec.by_digest = true;
    let seal_v4_digest = make_seal(&digest_spec, &picture);
    ses_pdf(
        "ses-v4-certlist-digest.pdf",
        Version::V4,
        &seal_v4_digest,
        &signer,
        &signer_key,
        false,
    );
    cases.push(Case {
        file: "ses-v4-certlist-digest.pdf",
        verdict: "authentic",
        format: "ses-v4",
        reasons: vec![],
        description:
            "v4 seal whose certList holds the signer's certificate by SM3 digest (certListType 2)",
    });

    let seal_v1 = make_seal(
        &spec(
            Version::V1,
            "11010020260000000003",
            &maker,
            &maker_key,
            &signer,
        ),
        &picture,
    );
    let ses_v1 = ses_pdf(
        "ses-v1-valid.pdf",
        Version::V1,
        &seal_v1,
        &signer,
        &signer_key,
        false,
    );
    cases.push(Case { file: "ses-v1-valid.pdf", verdict: "authentic", format: "ses-v1", reasons: vec![],
        description: "GM/T 0031 v1 SES_Signature; maker signs SEQUENCE{SealInfo, cert, alg}; timeInfo BIT STRING of UTCTime; value raw r||s" });
    std::fs::write(out.join("signed-value-v1.dat"), &ses_v1).expect("write");
    let _ = ses_v4;

    ses_pdf(
        "ses-v4-wrong-data-hash.pdf",
        Version::V4,
        &seal_v4,
        &signer,
        &signer_key,
        true,
    );
    cases.push(Case { file: "ses-v4-wrong-data-hash.pdf", verdict: "altered", format: "ses-v4",
        reasons: vec!["ses_data_hash_mismatch"],
        description: "valid v4 seal, then one letter of the holder's name changed in the signed page content" });
    ses_pdf(
        "ses-v1-wrong-data-hash.pdf",
        Version::V1,
        &seal_v1,
        &signer,
        &signer_key,
        true,
    );
    cases.push(Case {
        file: "ses-v1-wrong-data-hash.pdf",
        verdict: "altered",
        format: "ses-v1",
        reasons: vec!["ses_data_hash_mismatch"],
        description: "valid v1 seal, then one letter of the holder's name changed",
    });

    let mut expired = spec(
        Version::V4,
        "11010020260000000004",
        &maker,
        &maker_key,
        &signer,
    );
    expired.valid_start = "20200101000000";
    expired.valid_end = "20251231235959";
    let seal_expired = make_seal(&expired, &picture);
    ses_pdf(
        "ses-v4-seal-expired.pdf",
        Version::V4,
        &seal_expired,
        &signer,
        &signer_key,
        false,
    );
    cases.push(Case {
        file: "ses-v4-seal-expired.pdf",
        verdict: "invalid",
        format: "ses-v4",
        reasons: vec!["ses_seal_expired"],
        description: "the seal's validity ended 2025-12-31, timeInfo is 2026-06-01",
    });

    ses_pdf(
        "ses-v4-signer-not-in-seal.pdf",
        Version::V4,
        &seal_v4,
        &other,
        &other_key,
        false,
    );
    cases.push(Case { file: "ses-v4-signer-not-in-seal.pdf", verdict: "invalid", format: "ses-v4",
        reasons: vec!["ses_signer_not_in_seal"],
        description: "signed by a second certificate of the trusted root with the listed signer's name but another key" });

    let seal_fake = make_seal(
        &spec(
            Version::V4,
            "11010020260000000005",
            &fake_maker,
            &fake_maker_key,
            &signer,
        ),
        &picture,
    );
    ses_pdf(
        "ses-v4-untrusted-maker.pdf",
        Version::V4,
        &seal_fake,
        &signer,
        &signer_key,
        false,
    );
    cases.push(Case { file: "ses-v4-untrusted-maker.pdf", verdict: "untrusted", format: "ses-v4",
        reasons: vec!["not_trusted"],
        description: "the seal's maker certificate is issued by an impostor root with the trusted root's name" });

    let mut forged = seal_v4.clone();
    replace_once(
        &mut forged,
        b"11010020260000000001",
        b"11010020260000000009",
    );
    ses_pdf(
        "ses-v4-seal-forged.pdf",
        Version::V4,
        &forged,
        &signer,
        &signer_key,
        false,
    );
    cases.push(Case {
        file: "ses-v4-seal-forged.pdf",
        verdict: "invalid",
        format: "ses-v4",
        reasons: vec!["ses_seal_signature_invalid"],
        description: "the seal's ID was edited after the maker signed it",
    });

    let mut concatenated = spec(
        Version::V4,
        "11010020260000000006",
        &maker,
        &maker_key,
        &signer,
    );
    concatenated.concatenated = true;
    let seal_concat = make_seal(&concatenated, &picture);
    ses_pdf(
        "ses-v4-maker-concatenated.pdf",
        Version::V4,
        &seal_concat,
        &signer,
        &signer_key,
        false,
    );
    cases.push(Case {
        file: "ses-v4-maker-concatenated.pdf",
        verdict: "authentic",
        format: "ses-v4",
        reasons: vec![],
        description: "v4 seal whose maker signed SES_SealInfo || cert || signAlgID without an outer SEQUENCE (a producer variant)",
    });

    // A seal that expired on 2025-12-31, used on a document dated
    // 2026-06-01 with timeInfo backdated to 2025-06-01: the claim is not
    // believed, the seal is judged at the document's date.
    let mut short = spec(
        Version::V4,
        "11010020260000000007",
        &maker,
        &maker_key,
        &signer,
    );
    short.valid_end = "20251231235959";
    let seal_short = make_seal(&short, &picture);
    ses_pdf_at(
        "ses-v4-backdated.pdf",
        Version::V4,
        &seal_short,
        &signer,
        &signer_key,
        false,
        "20250601080000",
    );
    cases.push(Case {
        file: "ses-v4-backdated.pdf",
        verdict: "invalid",
        format: "ses-v4",
        reasons: vec!["signing_time_contradicted", "ses_seal_expired"],
        description: "timeInfo 2025-06-01 inside the seal's validity, but the signed document is dated 2026-06-01, after the seal expired",
    });

    let cms_pdf = |file: &str, gm: bool, raw: bool, flip: bool| {
        let mut pdf = prepared_pdf("Li Si", "2026NAT0000002", "adbe.pkcs7.detached", date);
        let signed = pdf.fix_byte_range();
        let mut cms = make_cms(
            gm,
            raw,
            &signer,
            &root_name,
            &signer_key,
            t,
            &Sm3::digest(&signed),
        );
        if flip {
            let last = cms.len() - 1;
            cms[last] ^= 0x01;
        }
        pdf.put_contents(&cms);
        std::fs::write(out.join(file), &pdf.bytes).expect("write");
        cms
    };
    let cms = cms_pdf("sm2-cms-valid.pdf", false, false, false);
    std::fs::write(out.join("sm2-cms.p7s"), &cms).expect("write");
    cases.push(Case {
        file: "sm2-cms-valid.pdf",
        verdict: "authentic",
        format: "cms",
        reasons: vec![],
        description:
            "CMS SignedData with SM3 and SM3withSM2, DER signature value, signed attributes",
    });
    cms_pdf("sm2-cms-gm-oid-raw.pdf", true, true, false);
    cases.push(Case { file: "sm2-cms-gm-oid-raw.pdf", verdict: "authentic", format: "cms-gm", reasons: vec![],
        description: "GM/T 0010 content type 1.2.156.10197.6.1.4.2.2, signature value raw r||s in the OCTET STRING" });
    cms_pdf("sm2-cms-bad-signature.pdf", false, false, true);
    cases.push(Case {
        file: "sm2-cms-bad-signature.pdf",
        verdict: "invalid",
        format: "cms",
        reasons: vec!["signature_value_invalid"],
        description: "the SM2 signature value's last bit flipped",
    });

    let expected = json!({
        "about": "Expected verdicts of the national-algorithm samples made by examples/make_national_samples.rs; trust only trust/national-root-sm2.pem.",
        "trust": ["trust/national-root-sm2.pem"],
        "standalone": [
            {"file": "seal-v4.esl", "object": "ses_seal", "exit": 0},
            {"file": "signed-value-v1.dat", "object": "ses_signature", "exit": 0},
            {"file": "sm2-cms.p7s", "object": "cms", "exit": 0}
        ],
        "files": cases.iter().map(|c| json!({
            "file": c.file, "verdict": c.verdict, "format": c.format,
            "reasons": c.reasons, "description": c.description,
        })).collect::<Vec<_>>(),
    });
    std::fs::write(
        out.join("expected.json"),
        serde_json::to_string_pretty(&expected).expect("json") + "\n",
    )
    .expect("write");
    println!("wrote {} cases to {}", cases.len(), out.display());
}
