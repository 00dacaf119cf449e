//! Which host a QR code's text points to, and whether that host is official.
//!
//! The parsing follows what a browser would do with the text, because the
//! danger is a person scanning the code and landing on a cloned site: the
//! host is what sits between `scheme://` (after any `user@`) and the first
//! `/`, `\`, `?` or `#`, with its port removed, percent escapes decoded,
//! ideographic full stops read as dots, and case folded.

use unicode_normalization::UnicodeNormalization;

/// The hosts of every web address in `text`, in order. A text with no
/// scheme is read as an address when it starts with something shaped like a
/// host name (`zscx.cpta.com.cn/...`), since phone scanners open those too.
pub fn hosts_in(text: &str) -> Vec<String> {
    let mut hosts = Vec::new();
    let mut found_scheme = false;
    let mut rest = text;
    while let Some(pos) = rest.find("://") {
        found_scheme = true;
        let after = rest.get(pos + 3..).unwrap_or("");
        if let Some(h) = authority_host(after) {
            hosts.push(h);
        } else {
            // A scheme with no host still points somewhere unknown.
            hosts.push(String::new());
        }
        rest = after;
    }
    if !found_scheme {
        let first = text.split_whitespace().next().unwrap_or("");
        if let Some(h) = authority_host(first) {
            if h.contains('.') && is_host_name(&h) {
                hosts.push(h);
            }
        }
    }
    hosts
}

fn authority_host(after_scheme: &str) -> Option<String> {
    let end = after_scheme
        .find(|c: char| matches!(c, '/' | '\\' | '?' | '#') || c.is_whitespace())
        .unwrap_or(after_scheme.len());
    let authority = after_scheme.get(..end)?;
    // Everything up to the last '@' is user information, not the host.
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host = if let Some(inner) = host_port.strip_prefix('[') {
        inner.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    let decoded = percent_decode(host);
    let folded: String = decoded
        .nfkc()
        .map(|c| match c {
            // IDNA maps these to '.', so a browser does too.
            '\u{3002}' | '\u{FF61}' | '\u{FF0E}' => '.',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    let trimmed = folded.trim_end_matches('.').to_string();
    if trimmed.is_empty() {
        None
    } else {
        Some(trimmed)
    }
}

fn percent_decode(s: &str) -> String {
    let (bytes, _malformed) = crate::report::escape::percent_decode(s);
    String::from_utf8_lossy(&bytes).into_owned()
}

fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// Whether `host` (already lower-case) is one of `allowed` or a subdomain of
/// one: `zscx.cpta.com.cn` is, `cpta.com.cn.example.net`, `xcpta.com.cn` and
/// `cpta-com.cn` are not.
pub fn host_is_allowed<S: AsRef<str>>(host: &str, allowed: &[S]) -> bool {
    if !is_host_name(host) {
        return false;
    }
    allowed.iter().any(|a| {
        let a = a.as_ref().trim().trim_end_matches('.').to_lowercase();
        !a.is_empty()
            && (host == a
                || host
                    .strip_suffix(a.as_str())
                    .is_some_and(|prefix| prefix.ends_with('.')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFICIAL: &[&str] = &["cpta.com.cn", "ruankao.org.cn", "mohrss.gov.cn"];

    fn allowed(text: &str) -> bool {
        let hosts = hosts_in(text);
        !hosts.is_empty() && hosts.iter().all(|h| host_is_allowed(h, OFFICIAL))
    }

    #[test]
    fn official_hosts_and_subdomains_are_allowed() {
        assert!(allowed(
            "https://zscx.cpta.com.cn/examfront/certQuery/verify?id=1"
        ));
        assert!(allowed("https://cpta.com.cn"));
        assert!(allowed("http://WWW.RUANKAO.ORG.CN:8080/x"));
        assert!(allowed("https://www.mohrss.gov.cn./"));
        assert!(allowed("zscx.cpta.com.cn/examfront"));
    }

    #[test]
    fn look_alikes_are_off() {
        for text in [
            "https://cpta.com.cn.example.net/verify",
            "https://cpta.com.cn.zscx-verify.net/examfront/certQuery/verify?id=7c1e",
            "https://cpta-com.cn/verify",
            "https://xcpta.com.cn/verify",
            "https://cpta.com.cn@evil.example/verify",
            "https://evil.example\\@cpta.com.cn/",
            "https://evil.example#@cpta.com.cn",
            "https://cpta.com.cn%2eevil.example/",
            "https://cpta.com.cn:443@evil.example/",
            "cpta.com.cn.evil.example/verify",
            "https://cpta.com/verify",
            "https://ruankao.org/verify",
            "javascript:alert(1)",
            "plain text with no address",
            "",
            "https:///path-only",
            "https://zscx.cpta.com.cn/ then https://evil.example/",
        ] {
            assert!(!allowed(text), "{text} should be off the list");
        }
    }

    #[test]
    fn hosts_are_parsed_like_a_browser() {
        assert_eq!(hosts_in("https://a.b.cn:80/x"), vec!["a.b.cn"]);
        assert_eq!(hosts_in("https://u:p@A.B.cn/"), vec!["a.b.cn"]);
        assert_eq!(hosts_in("https://cpta%2Ecom%2Ecn/"), vec!["cpta.com.cn"]);
        assert_eq!(hosts_in("https://cpta。com。cn/"), vec!["cpta.com.cn"]);
        assert_eq!(hosts_in("https://[::1]:8080/"), vec!["::1"]);
        assert!(hosts_in("证书编号 2023K1101000417").is_empty());
    }

    #[test]
    fn configured_hosts_extend_the_list() {
        let extra = ["Verify.Example.org".to_string()];
        assert!(host_is_allowed("a.verify.example.org", &extra));
        assert!(!host_is_allowed("verify.example.org.evil.net", &extra));
        assert!(!host_is_allowed("anything.cn", &["".to_string()]));
    }
}
