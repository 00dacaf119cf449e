//! TLS to the shared PostgreSQL ledger, with libpq's connection options:
//! `sslmode` (disable, allow, prefer, require, verify-ca, verify-full),
//! `sslrootcert`, `sslcert` and `sslkey`, in the URL's query or in
//! `PGSSLMODE`/`PGSSLROOTCERT`/`PGSSLCERT`/`PGSSLKEY`, as an engineer who
//! has used psql expects. The `postgres` client itself knows only disable,
//! prefer and require and no certificate files, so the options are taken
//! out of the URL here and turned into a rustls configuration.
//!
//! The ledger holds names and ID numbers: across a network it should be
//! reached with `sslmode=verify-full`. The default stays libpq's `prefer`
//! (encrypted when the server offers it, the server not authenticated), so
//! that a URL that works with psql works here too.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

/// How much of the connection is protected (libpq's `sslmode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SslMode {
    Disable,
    /// libpq tries a clear connection first; the client here cannot, so
    /// `allow` is taken as `prefer` (encrypted when offered: never weaker).
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(s: &str) -> Result<SslMode, String> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(format!(
                    "sslmode {other:?} is not one of disable, allow, prefer, require, \
                     verify-ca, verify-full"
                ))
            }
        })
    }

    /// The mode as the `postgres` client takes it.
    fn client_mode(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow | SslMode::Prefer => "prefer",
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => "require",
        }
    }
}

/// How the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServerCheck {
    /// Not at all (libpq's prefer and require without a root certificate).
    None,
    /// Its chain up to `sslrootcert`, not its name.
    Chain,
    /// Its chain and that it was issued for the host connected to.
    ChainAndName,
}

/// What the URL asked for, once its TLS options are taken out.
#[derive(Debug)]
pub(crate) struct TlsRequest {
    /// The URL without the options the `postgres` client does not know,
    /// and with the `sslmode` it does.
    pub client_url: String,
    pub mode: SslMode,
    pub check: ServerCheck,
    root_cert: Option<PathBuf>,
    client_cert: Option<(PathBuf, PathBuf)>,
}

/// Where libpq looks for the root certificate when none is named.
pub(crate) fn default_root_cert() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".postgresql").join("root.crt"))
}

/// Splits a `postgres://` URL's TLS options off; `env` stands for the
/// process environment (PGSSLMODE and friends), `default_root` for
/// libpq's `~/.postgresql/root.crt`.
pub(crate) fn parse_request(
    url: &str,
    env: &dyn Fn(&str) -> Option<String>,
    default_root: Option<PathBuf>,
) -> Result<TlsRequest, String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, q),
        None => (url, ""),
    };
    let mut kept = Vec::new();
    let mut mode = None;
    let mut root = None;
    let mut cert = None;
    let mut key = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let value = || percent_decode(v);
        match k {
            "sslmode" => mode = Some(value()?),
            "sslrootcert" => root = Some(value()?),
            "sslcert" => cert = Some(value()?),
            "sslkey" => key = Some(value()?),
            _ => kept.push(pair),
        }
    }
    let mode = mode.or_else(|| env("PGSSLMODE"));
    let mode = match mode.as_deref() {
        Some(m) => SslMode::parse(m)?,
        None => SslMode::Prefer,
    };
    let named_root = root.or_else(|| env("PGSSLROOTCERT")).map(PathBuf::from);
    let cert = cert.or_else(|| env("PGSSLCERT"));
    let key = key.or_else(|| env("PGSSLKEY"));
    let client_cert = match (cert, key) {
        (Some(c), Some(k)) => Some((PathBuf::from(c), PathBuf::from(k))),
        (None, None) => None,
        _ => return Err("sslcert and sslkey must be given together".into()),
    };
    // libpq: a root certificate that exists makes `require` check the
    // chain; the verify modes need one.
    let root_cert = named_root
        .clone()
        .or_else(|| default_root.filter(|p| p.is_file()));
    let check = match mode {
        SslMode::Disable | SslMode::Allow | SslMode::Prefer => ServerCheck::None,
        SslMode::Require if root_cert.is_some() => ServerCheck::Chain,
        SslMode::Require => ServerCheck::None,
        SslMode::VerifyCa => ServerCheck::Chain,
        SslMode::VerifyFull => ServerCheck::ChainAndName,
    };
    if check != ServerCheck::None && root_cert.is_none() {
        return Err(format!(
            "sslmode {} needs the CA certificate that issued the server's: give \
             sslrootcert=FILE (PEM), or put it at ~/.postgresql/root.crt",
            match mode {
                SslMode::VerifyFull => "verify-full",
                _ => "verify-ca",
            }
        ));
    }
    let client_mode = format!("sslmode={}", mode.client_mode());
    kept.push(&client_mode);
    Ok(TlsRequest {
        client_url: format!("{base}?{}", kept.join("&")),
        mode,
        check,
        root_cert: if check == ServerCheck::None {
            None
        } else {
            root_cert
        },
        client_cert,
    })
}

/// `%2F` → `/`: the URL's values are percent-encoded (a `+` is a `+`, as
/// in libpq).
fn percent_decode(v: &str) -> Result<String, String> {
    match crate::report::escape::percent_decode(v) {
        (_, true) => Err(format!("bad percent-encoding in {v:?}")),
        (bytes, false) => {
            String::from_utf8(bytes).map_err(|_| format!("{v:?} is not UTF-8 once decoded"))
        }
    }
}

impl TlsRequest {
    /// The rustls configuration that does what the mode asks.
    pub fn client_config(&self) -> Result<ClientConfig, String> {
        // Deprecated only as a nudge towards aws-lc-rs (post-quantum key
        // exchange), which needs cmake and a C toolchain to build; ring is
        // already the crypto that checks the signatures.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup: {e}"))?;
        let chain = match (&self.root_cert, self.check) {
            (Some(path), check) if check != ServerCheck::None => Some(
                WebPkiServerVerifier::builder_with_provider(
                    Arc::new(read_roots(path)?),
                    provider.clone(),
                )
                .build()
                .map_err(|e| format!("TLS setup: {e}"))?,
            ),
            _ => None,
        };
        let verifier = Arc::new(ModeVerifier {
            chain,
            check_name: self.check == ServerCheck::ChainAndName,
            algorithms: provider.signature_verification_algorithms,
        });
        let builder = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        match &self.client_cert {
            None => Ok(builder.with_no_client_auth()),
            Some((cert, key)) => {
                let chain = CertificateDer::pem_file_iter(cert)
                    .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                    .map_err(|e| format!("sslcert {}: {e}", cert.display()))?;
                let key_der = PrivateKeyDer::from_pem_file(key)
                    .map_err(|e| format!("sslkey {}: {e}", key.display()))?;
                builder
                    .with_client_auth_cert(chain, key_der)
                    .map_err(|e| format!("sslcert/sslkey: {e}"))
            }
        }
    }

    /// In words, for `ledger migrate` and error messages.
    pub fn describe_check(&self) -> &'static str {
        match self.check {
            ServerCheck::None => "server not authenticated",
            ServerCheck::Chain => "server certificate checked against sslrootcert (not its name)",
            ServerCheck::ChainAndName => "server certificate and host name verified",
        }
    }
}

fn read_roots(path: &Path) -> Result<RootCertStore, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(format!(
            "sslrootcert {}: no certificate in it could be read",
            path.display()
        ));
    }
    Ok(roots)
}

/// The server check a mode asks for, in one verifier:
/// - verify-full: webpki's chain and name check;
/// - verify-ca: the same with the name error forgiven (webpki checks the
///   chain before the name, so a name error means the chain was good);
/// - prefer/require without a root certificate: any certificate, as in
///   libpq.
///
/// The handshake's own signature is checked in every mode, so the session
/// is with the key the certificate presents.
#[derive(Debug)]
struct ModeVerifier {
    chain: Option<Arc<WebPkiServerVerifier>>,
    check_name: bool,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for ModeVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.check_name => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn default_is_prefer_and_the_client_url_keeps_other_options() {
        let r = parse_request(
            "postgres://u@h/db?options=-c%20search_path%3Dx&application_name=a",
            &no_env,
            None,
        )
        .unwrap();
        assert_eq!(r.mode, SslMode::Prefer);
        assert_eq!(r.check, ServerCheck::None);
        assert_eq!(
            r.client_url,
            "postgres://u@h/db?options=-c%20search_path%3Dx&application_name=a&sslmode=prefer"
        );
    }

    #[test]
    fn verify_modes_need_a_root_certificate() {
        let e = parse_request("postgres://u@h/db?sslmode=verify-full", &no_env, None).unwrap_err();
        assert!(e.contains("sslrootcert"), "{e}");
        let r = parse_request(
            "postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem",
            &no_env,
            None,
        )
        .unwrap();
        assert_eq!(r.check, ServerCheck::ChainAndName);
        assert_eq!(r.root_cert.as_deref(), Some(Path::new("/tmp/ca.pem")));
        assert_eq!(r.client_url, "postgres://u@h/db?sslmode=require");
        let r = parse_request(
            "postgres://u@h/db?sslmode=verify-ca&sslrootcert=/tmp/ca.pem",
            &no_env,
            None,
        )
        .unwrap();
        assert_eq!(r.check, ServerCheck::Chain);
    }

    #[test]
    fn require_checks_the_chain_when_a_root_certificate_exists() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root.crt");
        let r = parse_request(
            "postgres://u@h/db?sslmode=require",
            &no_env,
            Some(root.clone()),
        )
        .unwrap();
        assert_eq!(r.check, ServerCheck::None, "no file there yet");
        std::fs::write(&root, "x").unwrap();
        let r = parse_request("postgres://u@h/db?sslmode=require", &no_env, Some(root)).unwrap();
        assert_eq!(r.check, ServerCheck::Chain);
    }

    #[test]
    fn the_environment_fills_what_the_url_does_not_say() {
        let env = |k: &str| match k {
            "PGSSLMODE" => Some("verify-full".to_string()),
            "PGSSLROOTCERT" => Some("/etc/ca.pem".to_string()),
            _ => None,
        };
        let r = parse_request("postgres://u@h/db", &env, None).unwrap();
        assert_eq!(r.mode, SslMode::VerifyFull);
        let r = parse_request("postgres://u@h/db?sslmode=disable", &env, None).unwrap();
        assert_eq!(r.mode, SslMode::Disable);
        assert_eq!(r.client_url, "postgres://u@h/db?sslmode=disable");
    }

    #[test]
    fn bad_options_are_refused_by_name() {
        let e = parse_request("postgres://u@h/db?sslmode=verify", &no_env, None).unwrap_err();
        assert!(e.contains("\"verify\""), "{e}");
        let e = parse_request("postgres://u@h/db?sslcert=/a", &no_env, None).unwrap_err();
        assert!(e.contains("together"), "{e}");
        let e = parse_request("postgres://u@h/db?sslrootcert=%zz", &no_env, None).unwrap_err();
        assert!(e.contains("percent"), "{e}");
    }
}
