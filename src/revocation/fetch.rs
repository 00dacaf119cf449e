//! Revocation data fetched online (`--fetch-revocation`, off by default).
//!
//! For each certificate of a trusted signer's chain that the data at hand
//! (DSS, CMS, timestamp tokens, `--revocation` files) does not cover, the
//! certificate's own URLs are asked: its OCSP responders (AIA, HTTP POST of
//! an RFC 6960 OCSPRequest with a SHA-1 CertID, as RFC 5019 responders
//! expect) first, then its CRL distribution points (HTTP GET). Only
//! `http://` URLs, a few per certificate, short timeouts, bodies of at most
//! [`MAX_BODY`] bytes. What comes back is one more piece of evidence
//! (`fetched:URL`), verified by [`super::check`] exactly like a file the
//! user gave; a failure is no evidence, said in the record and in
//! `revocation_fetch_failed`.
//!
//! Everything fetched is kept as a DER file in a cache folder, so that the
//! same check can be repeated offline with `--revocation CACHE_DIR`; a
//! cached copy still current (a CRL before its nextUpdate, an OCSP
//! response within its nextUpdate) is used instead of fetching again, and
//! an older one when the fetch fails.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::{crl, ocsp, Evidence, Kind, Outcome, Request};
use crate::crypto::algorithms::DigestAlgorithm;
use crate::crypto::tlv;
use crate::report::{Code, Reason, RevocationFetch};
use crate::trust::chain::Cert;

/// The largest answer read from a URL.
pub const MAX_BODY: u64 = 10 * 1024 * 1024;
/// OCSP responders and CRL distribution points asked per certificate.
const MAX_OCSP_URLS: usize = 2;
const MAX_CRL_URLS: usize = 2;
/// URLs of one kind read from a certificate at most (the record names the
/// ones over the limit as skipped).
const MAX_URLS_LISTED: usize = 8;
const MAX_URL_LEN: usize = 2048;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);
const BODY_TIMEOUT: Duration = Duration::from_secs(10);
const WHOLE_TIMEOUT: Duration = Duration::from_secs(20);
const OID_AD_OCSP: &str = "1.3.6.1.5.5.7.48.1";
const OID_SHA1: [u8; 5] = [0x2b, 0x0e, 0x03, 0x02, 0x1a];

/// Fetches revocation data and keeps it in a cache folder. One per run:
/// what one URL gave (or why it failed) is remembered for the other files
/// of a batch.
pub struct Fetcher {
    agent: ureq::Agent,
    cache: PathBuf,
    memo: Mutex<HashMap<String, Result<Vec<u8>, String>>>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    /// A fetcher that keeps what it fetches in `cache` (made when first
    /// written to).
    pub fn new(cache: PathBuf) -> Fetcher {
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_recv_response(Some(RESPONSE_TIMEOUT))
            .timeout_recv_body(Some(BODY_TIMEOUT))
            .timeout_global(Some(WHOLE_TIMEOUT))
            // Redirects within http only: this build has no TLS, and ureq
            // follows no other scheme.
            .max_redirects(3)
            .http_status_as_error(false)
            .max_response_header_size(64 * 1024)
            .user_agent(concat!("certcheck/", env!("CARGO_PKG_VERSION")))
            .build();
        Fetcher {
            agent: ureq::Agent::new_with_config(config),
            cache,
            memo: Mutex::new(HashMap::new()),
        }
    }

    /// The cache folder.
    pub fn cache_dir(&self) -> &Path {
        &self.cache
    }

    /// The default cache folder: `revocation` in certcheck's folder under
    /// the user's cache home ($XDG_CACHE_HOME or ~/.cache on Linux).
    pub fn default_cache_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "certcheck")
            .map(|d| d.cache_dir().join("revocation"))
    }

    /// Asks one certificate's URLs, OCSP first, until a piece that
    /// verifies says good or revoked.
    fn fetch_for(&self, cert: &Cert, issuer: &Cert, ctx: &Context, found: &mut Found) {
        let (ocsp_urls, crl_urls) = urls(&cert.der);
        let name = cert.display_name();
        let mut asked = |kind: Kind, urls: &[String], max: usize, body: Option<&[u8]>| {
            for (n, url) in urls.iter().enumerate() {
                if n >= max {
                    found.attempts.push(RevocationFetch {
                        kind: kind.as_str().into(),
                        url: clean(url),
                        certificate: name.clone(),
                        outcome: "skipped".into(),
                        problem: Some(format!("over the {max} URLs asked per certificate")),
                        ..RevocationFetch::default()
                    });
                    continue;
                }
                let (attempt, evidence) = self.get(kind, url, body, cert, ctx.req.now, &name);
                found.attempts.push(attempt);
                if let Some(ev) = evidence {
                    let speaks = super::speaks(&ev, cert, issuer, &ctx.responders, ctx.req);
                    found.evidence.push(ev);
                    if speaks {
                        return true;
                    }
                }
            }
            false
        };
        if let Some(request) = ocsp_request(cert, issuer) {
            if asked(Kind::Ocsp, &ocsp_urls, MAX_OCSP_URLS, Some(&request)) {
                return;
            }
        }
        asked(Kind::Crl, &crl_urls, MAX_CRL_URLS, None);
    }

    /// One URL: a current cached copy, else the network (remembered for
    /// the run), else an older cached copy.
    fn get(
        &self,
        kind: Kind,
        url: &str,
        body: Option<&[u8]>,
        cert: &Cert,
        now: OffsetDateTime,
        name: &str,
    ) -> (RevocationFetch, Option<Evidence>) {
        let mut attempt = RevocationFetch {
            kind: kind.as_str().into(),
            url: clean(url),
            certificate: name.to_string(),
            ..RevocationFetch::default()
        };
        if !is_http(url) {
            attempt.outcome = "skipped".into();
            attempt.problem = Some("only http:// URLs are fetched".into());
            return (attempt, None);
        }
        let key = match body {
            None => url.to_string(),
            Some(b) => format!("{url}\n{}", hex::encode(b)),
        };
        let digest = hex::encode(Sha256::digest(key.as_bytes()));
        let file = self.cache.join(format!(
            "{}-{}.der",
            kind.as_str(),
            digest.get(..32).unwrap_or(&digest)
        ));
        let evidence = |der: Vec<u8>| Evidence {
            kind,
            der,
            source: format!("fetched:{url}"),
        };
        let cached = read_cached(&file, kind);
        if let Some(der) = cached.as_ref().filter(|d| current(kind, d, cert, now)) {
            attempt.outcome = "cached".into();
            attempt.cache_file = Some(file.display().to_string());
            return (attempt, Some(evidence(der.clone())));
        }
        let remembered = self
            .memo
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned();
        let result = match remembered {
            Some(r) => r,
            None => {
                let r = self.download(url, body).and_then(|b| readable(kind, b));
                self.memo
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(key, r.clone());
                r
            }
        };
        match (result, cached) {
            (Ok(der), _) => {
                attempt.outcome = "fetched".into();
                match store(&self.cache, &file, &der) {
                    Ok(()) => attempt.cache_file = Some(file.display().to_string()),
                    Err(e) => attempt.problem = Some(clean(&format!("not cached: {e}"))),
                }
                (attempt, Some(evidence(der)))
            }
            (Err(why), Some(der)) => {
                attempt.outcome = "cached".into();
                attempt.cache_file = Some(file.display().to_string());
                attempt.problem = Some(clean(&format!(
                    "the fetch failed ({why}); an older copy from the cache is used"
                )));
                (attempt, Some(evidence(der)))
            }
            (Err(why), None) => {
                attempt.outcome = "failed".into();
                attempt.problem = Some(clean(&why));
                (attempt, None)
            }
        }
    }

    /// The body of a 200 answer to a GET (no `body`) or an OCSP POST.
    fn download(&self, url: &str, body: Option<&[u8]>) -> Result<Vec<u8>, String> {
        let answer = match body {
            None => self
                .agent
                .get(url)
                .header(
                    "Accept",
                    "application/pkix-crl, application/x-pkcs7-crl, */*",
                )
                .call(),
            Some(b) => self
                .agent
                .post(url)
                .header("Content-Type", "application/ocsp-request")
                .header("Accept", "application/ocsp-response")
                .send(b),
        };
        let mut answer = answer.map_err(|e| e.to_string())?;
        let status = answer.status();
        if status != ureq::http::StatusCode::OK {
            return Err(format!("HTTP status {}", status.as_u16()));
        }
        answer
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => {
                    format!("the answer is larger than {MAX_BODY} bytes")
                }
                e => e.to_string(),
            })
    }
}

/// What the check asks with.
struct Context<'a> {
    req: &'a Request<'a>,
    responders: Vec<Cert>,
}

#[derive(Default)]
struct Found {
    evidence: Vec<Evidence>,
    attempts: Vec<RevocationFetch>,
}

/// [`super::check`], after fetching for each certificate of the chain that
/// `req.evidence` leaves unknown. The outcome names each URL asked
/// (`info.fetches`); `revocation_fetch_failed` (a warning) is added when a
/// certificate is still unknown and a fetch for it failed.
pub fn check(req: &Request, fetcher: &Fetcher) -> Outcome {
    let missing = super::uncovered(req);
    if missing.is_empty() {
        return super::check(req);
    }
    let certs: Vec<Cert> = req.chain.iter().filter_map(|d| Cert::parse(d)).collect();
    let ctx = Context {
        req,
        responders: req.certs.iter().filter_map(|d| Cert::parse(d)).collect(),
    };
    let mut found = Found::default();
    for &i in &missing {
        if let (Some(cert), Some(issuer)) = (certs.get(i), certs.get(i + 1)) {
            fetcher.fetch_for(cert, issuer, &ctx, &mut found);
        }
    }
    let all: Vec<&Evidence> = req
        .evidence
        .iter()
        .copied()
        .chain(found.evidence.iter())
        .collect();
    let with = Request {
        evidence: &all,
        ..*req
    };
    let mut out = super::check(&with);
    let still: Vec<String> = super::uncovered(&with)
        .into_iter()
        .filter_map(|i| certs.get(i).map(Cert::display_name))
        .collect();
    let failures: Vec<String> = found
        .attempts
        .iter()
        .filter(|a| a.outcome == "failed" && still.contains(&a.certificate))
        .map(|a| {
            format!(
                "{} {} for {}: {}",
                a.kind,
                a.url,
                a.certificate,
                a.problem.as_deref().unwrap_or("failed")
            )
        })
        .collect();
    if !failures.is_empty() {
        out.reasons.push(Reason::detail(
            Code::RevocationFetchFailed,
            failures.join("; "),
        ));
    }
    out.info.fetches = found.attempts;
    out
}

fn is_http(url: &str) -> bool {
    url.len() <= MAX_URL_LEN
        && url
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
        && url.chars().all(|c| c.is_ascii_graphic())
}

/// A string from a certificate or the network, fit for a record: control
/// characters escaped, at most 500 characters.
fn clean(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().take(500) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The OCSP responder and CRL distribution point URLs a certificate
/// names (full names only; a distribution point for some reasons or of
/// another CRL issuer is passed over, as such CRLs are not read).
fn urls(der: &[u8]) -> (Vec<String>, Vec<String>) {
    let mut ocsp_urls: Vec<String> = Vec::new();
    let mut crl_urls: Vec<String> = Vec::new();
    let Ok((_, x)) = X509Certificate::from_der(der) else {
        return (ocsp_urls, crl_urls);
    };
    let add = |list: &mut Vec<String>, u: &str| {
        if list.len() < MAX_URLS_LISTED && !list.iter().any(|l| l == u) {
            list.push(u.to_string());
        }
    };
    for ext in x.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for d in aia.iter() {
                    if d.access_method.to_id_string() != OID_AD_OCSP {
                        continue;
                    }
                    if let GeneralName::URI(u) = &d.access_location {
                        add(&mut ocsp_urls, u);
                    }
                }
            }
            ParsedExtension::CRLDistributionPoints(points) => {
                for p in points.iter() {
                    if p.crl_issuer.is_some() || p.reasons.is_some() {
                        continue;
                    }
                    if let Some(DistributionPointName::FullName(names)) = &p.distribution_point {
                        for n in names {
                            if let GeneralName::URI(u) = n {
                                add(&mut crl_urls, u);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    (ocsp_urls, crl_urls)
}

/// An OCSPRequest for `cert` (RFC 6960 4.1.1): one Request whose CertID
/// hashes the issuer's name and key with SHA-1 (what RFC 5019 responders
/// expect), the serial as the certificate encodes it, no nonce and no
/// signature.
pub fn ocsp_request(cert: &Cert, issuer: &Cert) -> Option<Vec<u8>> {
    let key = super::key_bits(&issuer.spki)?;
    let (_, x) = X509Certificate::from_der(&cert.der).ok()?;
    let serial = x.tbs_certificate.raw_serial();
    if serial.is_empty() {
        return None;
    }
    let sha1 = DigestAlgorithm::Sha1;
    let mut alg = tlv::encode(tlv::OID, &OID_SHA1);
    alg.extend_from_slice(&[tlv::NULL, 0]);
    let mut cert_id = tlv::encode(tlv::SEQUENCE, &alg);
    cert_id.extend(tlv::encode(
        tlv::OCTET_STRING,
        &sha1.digest(&[&issuer.subject_raw]),
    ));
    cert_id.extend(tlv::encode(tlv::OCTET_STRING, &sha1.digest(&[&key])));
    cert_id.extend(tlv::encode(tlv::INTEGER, serial));
    let request = tlv::encode(tlv::SEQUENCE, &tlv::encode(tlv::SEQUENCE, &cert_id));
    let list = tlv::encode(tlv::SEQUENCE, &request);
    let tbs = tlv::encode(tlv::SEQUENCE, &list);
    Some(tlv::encode(tlv::SEQUENCE, &tbs))
}

/// The DER of a fetched answer, if it is what was asked for: a CRL (DER,
/// or PEM as some CAs publish), or an OCSP response whose status is
/// successful.
fn readable(kind: Kind, body: Vec<u8>) -> Result<Vec<u8>, String> {
    match kind {
        Kind::Crl => {
            let der = if body.starts_with(b"-----BEGIN") {
                x509_parser::pem::Pem::iter_from_buffer(&body)
                    .flatten()
                    .find(|p| p.label == "X509 CRL")
                    .map(|p| p.contents)
                    .unwrap_or_default()
            } else {
                body
            };
            match crl::Crl::parse(&der) {
                Ok(_) => Ok(der),
                Err(e) => Err(format!("not a CRL ({e})")),
            }
        }
        Kind::Ocsp => match ocsp::Response::parse(&body) {
            Ok(_) => Ok(body),
            Err(e) => Err(format!("not a usable OCSP response ({e})")),
        },
    }
}

/// A cached copy that still reads as what it should be.
fn read_cached(file: &Path, kind: Kind) -> Option<Vec<u8>> {
    let meta = std::fs::metadata(file).ok()?;
    if !meta.is_file() || meta.len() > MAX_BODY {
        return None;
    }
    let der = std::fs::read(file).ok()?;
    readable(kind, der).ok()
}

/// Whether a cached copy may stand for a fetch now: a CRL before its
/// nextUpdate, an OCSP response about `cert` within its nextUpdate.
fn current(kind: Kind, der: &[u8], cert: &Cert, now: OffsetDateTime) -> bool {
    match kind {
        Kind::Crl => crl::Crl::parse(der)
            .ok()
            .and_then(|c| c.next_update)
            .is_some_and(|n| n > now),
        Kind::Ocsp => ocsp::Response::parse(der).is_ok_and(|r| {
            r.responses
                .iter()
                .any(|s| s.serial == cert.serial && s.next_update.is_some_and(|n| n > now))
        }),
    }
}

/// Writes `der` to `file` in `dir` (a temporary file renamed, so that a
/// reader never sees half of it).
fn store(dir: &Path, file: &Path, der: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, der)?;
    std::fs::rename(&tmp, file).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_urls_are_fetched() {
        assert!(is_http("http://crl.example.com/ca.crl"));
        assert!(is_http("HTTP://crl.example.com/ca.crl"));
        assert!(!is_http("https://crl.example.com/ca.crl"));
        assert!(!is_http(
            "ldap://ldap.example.com/cn=CA?certificateRevocationList"
        ));
        assert!(!is_http("file:///etc/passwd"));
        assert!(!is_http("http://a b/"));
        assert!(!is_http(&format!("http://{}", "a".repeat(MAX_URL_LEN))));
    }

    #[test]
    fn record_strings_have_no_control_characters() {
        let shown = clean("http://x/\u{1b}[31mred\u{7}");
        assert!(!shown.chars().any(char::is_control), "{shown}");
        assert!(shown.contains("\\u{1b}"), "{shown}");
        assert_eq!(clean(&"a".repeat(900)).len(), 500);
    }

    /// The request is byte for byte the one the `cryptography` package
    /// builds (tests/revocation_fetch/make.py): SHA-1 CertID with NULL
    /// parameters, the serial as encoded, no extensions.
    #[test]
    fn the_ocsp_request_is_the_one_rfc_6960_clients_send() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/revocation_fetch");
        let read = |p: &str| std::fs::read(dir.join(p)).expect("fixture");
        let root = Cert::parse(&read("certs/root.der")).expect("root");
        for name in ["good", "revoked"] {
            let seal = Cert::parse(&read(&format!("certs/seal-{name}.der"))).expect("seal");
            assert_eq!(
                ocsp_request(&seal, &root),
                Some(read(&format!("served/ocsp-request-{name}.der"))),
                "{name}"
            );
        }
    }

    #[test]
    fn the_urls_are_read_from_the_certificate() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/revocation_fetch");
        let der = std::fs::read(dir.join("certs/seal-good.der")).expect("fixture");
        let (ocsp_urls, crl_urls) = urls(&der);
        assert_eq!(ocsp_urls, vec!["http://127.0.0.1:38457/ocsp".to_string()]);
        assert_eq!(
            crl_urls,
            vec!["http://127.0.0.1:38457/crl/root.crl".to_string()]
        );
        let der = std::fs::read(dir.join("certs/seal-crl-only.der")).expect("fixture");
        assert!(urls(&der).0.is_empty());
        assert_eq!(urls(b"not a certificate"), (Vec::new(), Vec::new()));
    }

    #[test]
    fn garbage_is_not_evidence() {
        assert!(readable(Kind::Crl, b"<html>nope</html>".to_vec()).is_err());
        assert!(readable(Kind::Ocsp, vec![0x30, 0x03, 0x0a, 0x01, 0x06]).is_err());
        assert!(readable(Kind::Crl, Vec::new()).is_err());
    }
}
