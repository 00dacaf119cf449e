//! The online cross-check, prepared for a person (the official site needs a
//! login, a CAPTCHA and an SMS code, so certcheck cannot and does not run
//! it), and QR codes checked against the allow-list of official hosts.

pub mod host;
pub mod qr;

use lopdf::Document;

pub use crate::report::online::{Confirmation, OnlineCheck, Query, OFFICIAL_CHECK_NAME};
use crate::report::{Code, Fields, QrCode, Reason, Record};

/// The official hosts; subdomains are allowed too.
pub const OFFICIAL_HOSTS: &[&str] = &["cpta.com.cn", "ruankao.org.cn", "mohrss.gov.cn"];

/// The official certificate check (中国人事考试网 证书查验).
pub const OFFICIAL_CHECK_URL: &str = "https://zscx.cpta.com.cn/examfront/";

/// Decodes the QR codes drawn on the document's pages and checks every web
/// address in them against [`OFFICIAL_HOSTS`] and `extra_hosts`.
pub fn decode_qr_codes(doc: &Document, extra_hosts: &[String]) -> Vec<QrCode> {
    qr::decode_texts(doc)
        .into_iter()
        .map(|text| check_qr_text(text, extra_hosts))
        .collect()
}

/// One QR text judged: allowed only when it holds at least one web address
/// and every address in it is on an official host. A text with no address
/// is not allowed either (fail closed: nothing proves it is official), and
/// the reason says so.
pub fn check_qr_text(text: String, extra_hosts: &[String]) -> QrCode {
    let hosts = host::hosts_in(&text);
    let allowed = |h: &String| {
        host::host_is_allowed(h, OFFICIAL_HOSTS) || host::host_is_allowed(h, extra_hosts)
    };
    let off = hosts.iter().find(|h| !allowed(h));
    let host = off.or(hosts.first()).cloned();
    QrCode {
        host_allowed: !hosts.is_empty() && off.is_none(),
        host,
        text,
    }
}

/// The reasons QR codes give: one `qr_code_off_official_host` per code
/// that is not on the allow-list, naming where it points.
pub fn qr_reasons(codes: &[QrCode]) -> Vec<Reason> {
    codes
        .iter()
        .filter(|q| !q.host_allowed)
        .map(|q| match q.host.as_deref() {
            Some(h) if !h.is_empty() => {
                Reason::detail(Code::QrCodeOffOfficialHost, format!("it points to {h}"))
            }
            _ => Reason::detail(
                Code::QrCodeOffOfficialHost,
                "it holds no address of an official site",
            ),
        })
        .collect()
}

/// Prepares the official check for `record`. Values come from what was
/// signed where the record has it, else from what the file shows.
pub fn prepare(record: &Record, confirmation: Option<Confirmation>) -> OnlineCheck {
    let (fields, from): (Option<&Fields>, Option<&str>) =
        match (&record.signed_fields, &record.fields) {
            (Some(s), _) => (Some(s), Some("signed_fields")),
            (None, Some(f)) => (Some(f), Some("fields")),
            (None, None) => (None, None),
        };
    let get = |f: fn(&Fields) -> &Option<String>| fields.and_then(|x| f(x).clone());
    let query = Query {
        id_number: get(|f| &f.id_number),
        name: get(|f| &f.name),
        management_number: get(|f| &f.management_number),
    };
    let mut compare = vec!["姓名 and 证件号码 are the ones entered".to_string()];
    for (label, value) in [
        ("资格名称", get(|f| &f.qualification)),
        ("级别", get(|f| &f.level)),
        ("批准日期", get(|f| &f.approval_date)),
    ] {
        if let Some(v) = value {
            compare.push(format!("{label} is {v}"));
        }
    }
    compare.push(
        "the status is 有效 (valid); 已撤销 (revoked) or no result: do not accept".to_string(),
    );
    OnlineCheck {
        url: OFFICIAL_CHECK_URL.to_string(),
        query,
        qr_codes: record.qr_codes.clone(),
        confirmation,
        values_from: from.map(str::to_string),
        compare,
    }
}

/// Opens the official page with the platform's opener. Only ever called
/// with [`OFFICIAL_CHECK_URL`], never with text from a file.
pub fn open_official_page() -> std::io::Result<()> {
    let url = OFFICIAL_CHECK_URL;
    let mut cmd = if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    } else if cfg!(target_os = "windows") {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", "", url]);
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    let status = cmd.status()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "the opener exited with {status}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_text_on_official_host_is_allowed() {
        let q = check_qr_text(
            "https://zscx.cpta.com.cn/examfront/certQuery/verify?id=1".into(),
            &[],
        );
        assert!(q.host_allowed);
        assert_eq!(q.host.as_deref(), Some("zscx.cpta.com.cn"));
        assert!(qr_reasons(&[q]).is_empty());
    }

    #[test]
    fn qr_text_off_the_list_names_the_host() {
        let q = check_qr_text("https://cpta.com.cn.zscx-verify.net/x".into(), &[]);
        assert!(!q.host_allowed);
        assert_eq!(q.host.as_deref(), Some("cpta.com.cn.zscx-verify.net"));
        let reasons = qr_reasons(&[q]);
        assert_eq!(reasons.len(), 1);
        assert_eq!(reasons[0].code, Code::QrCodeOffOfficialHost);
        assert!(reasons[0].message.contains("cpta.com.cn.zscx-verify.net"));
    }

    #[test]
    fn configured_host_is_allowed_and_non_url_is_not() {
        let extra = vec!["verify.example.org".to_string()];
        assert!(check_qr_text("https://verify.example.org/q".into(), &extra).host_allowed);
        assert!(!check_qr_text("https://verify.example.org/q".into(), &[]).host_allowed);
        let plain = check_qr_text("2023K1101000417".into(), &[]);
        assert!(!plain.host_allowed);
        assert_eq!(plain.host, None);
    }

    #[test]
    fn prepare_prefers_signed_fields() {
        let mut r = Record::malformed("x.pdf", String::new(), Vec::new());
        r.fields = Some(Fields {
            name: Some("程国华".into()),
            id_number: Some("110".into()),
            management_number: Some("M1".into()),
            ..Fields::default()
        });
        r.signed_fields = Some(Fields {
            name: Some("张伟".into()),
            id_number: Some("110".into()),
            management_number: Some("M1".into()),
            ..Fields::default()
        });
        let c = prepare(&r, Some(Confirmation::NotFound));
        assert_eq!(c.query.name.as_deref(), Some("张伟"));
        assert_eq!(c.values_from.as_deref(), Some("signed_fields"));
        let v = c.to_value();
        assert_eq!(v["query"]["姓名"], "张伟");
        assert_eq!(v["confirmation"], "not-found");
        assert_eq!(v["url"], OFFICIAL_CHECK_URL);
        assert!(c.render_human().contains("张伟"));
    }
}

/// The question [`ask_answer`] puts.
pub const ANSWER_PROMPT: &str =
    "官方核验结果 / what did the official page say? 1 有效 valid, 2 已撤销 revoked, 3 查无 not found (Enter: none) ";

/// Asks the person for the official page's answer: `prompt` written to
/// `prompt_to`, one line read from `from`. An empty line or the end of the
/// input is no answer; something else not understood is asked again, at
/// most three times in all (then no answer: nothing is recorded on a guess).
pub fn ask_answer(
    from: &mut dyn std::io::BufRead,
    prompt_to: &mut dyn std::io::Write,
) -> Option<Confirmation> {
    for _ in 0..3 {
        let _ = write!(prompt_to, "{ANSWER_PROMPT}");
        let _ = prompt_to.flush();
        let mut line = String::new();
        match from.read_line(&mut line) {
            Ok(0) | Err(_) => return None,
            Ok(_) if line.trim().is_empty() => return None,
            Ok(_) => {}
        }
        if let Some(a) = Confirmation::from_typed(&line) {
            return Some(a);
        }
        let _ = writeln!(
            prompt_to,
            "not understood: {:?}",
            crate::report::escape::for_terminal(line.trim())
        );
    }
    None
}

#[cfg(test)]
mod answer_tests {
    use super::*;

    #[test]
    fn typed_answers_in_chinese_english_or_by_number() {
        for (typed, want) in [
            ("有效\n", Confirmation::Valid),
            (" 1 ", Confirmation::Valid),
            ("Valid", Confirmation::Valid),
            ("已撤销", Confirmation::Revoked),
            ("2", Confirmation::Revoked),
            ("revoked", Confirmation::Revoked),
            ("查无", Confirmation::NotFound),
            ("3", Confirmation::NotFound),
            ("not-found", Confirmation::NotFound),
            ("Not found", Confirmation::NotFound),
        ] {
            assert_eq!(Confirmation::from_typed(typed), Some(want), "{typed:?}");
        }
        assert_eq!(Confirmation::from_typed("4"), None);
        assert_eq!(Confirmation::from_typed("maybe"), None);
    }

    #[test]
    fn the_prompt_reads_one_answer_asks_again_and_gives_up() {
        let mut said = Vec::new();
        let mut input: &[u8] = b"maybe\n\xe5\xb7\xb2\xe6\x92\xa4\xe9\x94\x80\n";
        assert_eq!(
            ask_answer(&mut input, &mut said),
            Some(Confirmation::Revoked)
        );
        let said = String::from_utf8(said).unwrap();
        assert_eq!(said.matches(ANSWER_PROMPT).count(), 2, "{said}");
        assert!(said.contains("not understood"));
        let mut sink = Vec::new();
        assert_eq!(ask_answer(&mut &b"\n"[..], &mut sink), None);
        assert_eq!(ask_answer(&mut &b""[..], &mut sink), None);
        assert_eq!(ask_answer(&mut &b"x\ny\nz\n1\n"[..], &mut sink), None);
    }
}
