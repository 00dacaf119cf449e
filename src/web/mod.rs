//! The web desk (`certcheck serve`): a local web page where an intake clerk
//! drops the PDFs received and reads, in Chinese (or English), which can be
//! accepted, which need the online check, and what was changed in an
//! altered one.
//!
//! Pages are rendered on the server ([`pages`], maud templates); a little
//! plain JavaScript (`assets/app.js`, embedded) uploads the dropped files one
//! by one so that each row appears as its file is checked. Safe by default:
//!
//! - it listens on the loopback only unless told otherwise, and then every
//!   request needs the access token (given, or generated and printed once);
//!   on the loopback without a token, a request whose Host is not a loopback
//!   name is refused (DNS rebinding);
//! - every POST carries the server's CSRF token, and a cross-site Origin is
//!   refused;
//! - uploads are bounded in size and in number per batch; files are checked
//!   in memory and kept there (never on disk) only as long as the desk's
//!   limits allow, for their pages;
//! - everything from a file is escaped (maud escapes every value; the script
//!   sets `textContent` only), and every response carries a strict
//!   Content-Security-Policy that allows no inline script or style.

pub mod pages;
pub mod render;
pub mod start;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;
use tokio::sync::Semaphore;

use crate::i18n::{self, Lang};
use crate::ledger::{ExportFormat, ExportStyle, Ledger, LedgerConfig, LedgerError, Stamp};
use crate::online::{Confirmation, OnlineCheck};
use crate::report::Record;
use crate::Options;

/// Where the desk listens unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8420";

/// The cookie that carries the access token after the first visit.
const TOKEN_COOKIE: &str = "certcheck_token";
/// The cookie that remembers a language chosen with `?lang=`.
const LANG_COOKIE: &str = "certcheck_lang";
/// The header the page's script sends the CSRF token in.
const CSRF_HEADER: &str = "x-csrf-token";
/// The form field a plain form sends the CSRF token in.
const CSRF_FIELD: &str = "csrf";
/// Largest body of a request other than an upload (forms, JSON).
const MAX_SMALL_BODY: usize = 16 * 1024;
/// Batches remembered at once; the oldest is forgotten first.
const MAX_BATCHES: usize = 256;
/// Ledger rows a search or the ledger page reads at most.
const LEDGER_WINDOW: usize = 5_000;

/// The strict policy every page is served with: nothing inline, nothing
/// from elsewhere, no framing, forms post only to the desk itself.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; \
    base-uri 'none'; frame-ancestors 'none'";

/// How much the desk accepts and keeps.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest file accepted (bytes).
    pub max_file_bytes: usize,
    /// Most files in one batch (one drop).
    pub max_files_per_batch: usize,
    /// Most checked files kept in memory for their pages.
    pub max_kept_files: usize,
    /// Most bytes of checked files kept in memory.
    pub max_kept_bytes: usize,
    /// Files checked at once.
    pub max_concurrent_checks: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 32 * 1024 * 1024,
            max_files_per_batch: 200,
            max_kept_files: 1_000,
            max_kept_bytes: 512 * 1024 * 1024,
            max_concurrent_checks: crate::batch::default_jobs().max(1),
        }
    }
}

/// What `certcheck serve` is started with.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    /// The access token. Required off the loopback (generated there when
    /// not given); on the loopback, enforced when given.
    pub token: Option<String>,
    /// How each file is checked (known issuers, ...).
    pub options: Options,
    /// The ledger every check is recorded in, if any: an SQLite file or a
    /// shared PostgreSQL database, and how it keeps personal data
    /// (`PathBuf::into()` for a plain file).
    pub ledger: Option<LedgerConfig>,
    /// Who is at the desk, for the evidence report.
    pub operator: String,
    pub limits: Limits,
    /// The page renderer (pdftoppm); `None` looks it up on PATH.
    pub renderer: Option<PathBuf>,
}

impl ServeConfig {
    pub fn new(listen: SocketAddr, options: Options) -> Self {
        ServeConfig {
            listen,
            token: None,
            options,
            ledger: None,
            operator: default_operator(),
            limits: Limits::default(),
            renderer: None,
        }
    }
}

/// The operator's name when none is given: the login name.
pub fn default_operator() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default()
}

#[derive(Debug, Error)]
pub enum WebError {
    #[error("cannot listen on {addr}: {message}")]
    Bind { addr: SocketAddr, message: String },
    #[error("the access token must be at least 16 characters of [A-Za-z0-9_-]")]
    WeakToken,
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("cannot make a random token: {0}")]
    Random(String),
    #[error("the server stopped: {0}")]
    Server(String),
}

/// A started desk: where it listens and the address to open.
pub struct Started {
    pub addr: SocketAddr,
    /// The address to open in a browser (with the token, where one is needed).
    pub url: String,
    /// Whether the token was generated (and must be shown once).
    pub token_generated: bool,
}

/// Binds the desk's address and serves until the process ends; `on_start`
/// is told where (to print it once).
pub async fn serve(config: ServeConfig, on_start: impl FnOnce(&Started)) -> Result<(), WebError> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| WebError::Bind {
            addr: config.listen,
            message: e.to_string(),
        })?;
    let addr = listener.local_addr().map_err(|e| WebError::Bind {
        addr: config.listen,
        message: e.to_string(),
    })?;
    let (app, desk) = router(config)?;
    let started = Started {
        addr,
        url: desk.url_for(addr),
        token_generated: desk.token_generated,
    };
    on_start(&started);
    axum::serve(listener, app)
        .await
        .map_err(|e| WebError::Server(e.to_string()))
}

/// The desk's routes and state, without a socket (tests send requests
/// straight into it).
pub fn router(mut config: ServeConfig) -> Result<(Router, Arc<Desk>), WebError> {
    let mut token_generated = false;
    if let Some(token) = &config.token {
        if !is_strong_token(token) {
            return Err(WebError::WeakToken);
        }
    } else if !config.listen.ip().is_loopback() {
        config.token = Some(random_token()?);
        token_generated = true;
    }
    let ledger = match &config.ledger {
        Some(ledger) => {
            // Opened here, called only through spawn_blocking: the
            // PostgreSQL client must not block a runtime thread.
            let mut l = Ledger::open(ledger)?;
            l.set_stamp(Stamp::new(
                Some(&config.operator),
                None,
                &config.options.trust,
            ));
            Some(Mutex::new(l))
        }
        None => None,
    };
    let renderer = config.renderer.clone().or_else(render::find_pdftoppm);
    let desk = Arc::new(Desk {
        csrf: random_token()?,
        token_generated,
        checks: Semaphore::new(config.limits.max_concurrent_checks.max(1)),
        store: Mutex::new(Store::default()),
        batches: Mutex::new(Batches::default()),
        ledger,
        renderer,
        config,
    });
    let uploads = Router::new()
        .route("/api/batches/{batch}/files", post(upload_file))
        .layer(DefaultBodyLimit::max(desk.config.limits.max_file_bytes));
    let app = Router::new()
        .route("/", get(drop_page))
        .route("/assets/app.js", get(asset_js))
        .route("/assets/app.css", get(asset_css))
        .route("/api/batches", post(new_batch))
        .route("/files/{id}", get(kept_page::<false>))
        .route("/files/{id}/report", get(kept_page::<true>))
        .route("/files/{id}/page1/{which}", get(page_picture))
        .route("/files/{id}/seal/{index}", get(seal_picture))
        .route("/files/{id}/online", post(record_answer))
        .route("/ledger", get(ledger_page))
        .route("/ledger/export.csv", get(ledger_csv))
        .route("/ledger/export.xlsx", get(ledger_xlsx))
        .layer(DefaultBodyLimit::max(MAX_SMALL_BODY))
        .merge(uploads)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(desk.clone(), guard))
        .layer(middleware::from_fn(security_headers))
        .with_state(desk.clone());
    Ok((app, desk))
}

/// The desk's state, shared by every request.
pub struct Desk {
    pub config: ServeConfig,
    /// The token every POST must carry (one per server run).
    pub csrf: String,
    token_generated: bool,
    checks: Semaphore,
    store: Mutex<Store>,
    batches: Mutex<Batches>,
    ledger: Option<Mutex<Ledger>>,
    pub renderer: Option<PathBuf>,
}

impl Desk {
    fn url_for(&self, addr: SocketAddr) -> String {
        let host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            match addr {
                SocketAddr::V4(a) => a.ip().to_string(),
                SocketAddr::V6(a) => format!("[{}]", a.ip()),
            }
        };
        match &self.config.token {
            Some(t) => format!("http://{host}:{}/?token={t}", addr.port()),
            None => format!("http://{host}:{}/", addr.port()),
        }
    }

    /// The checked file `id`, if still kept.
    pub fn kept(&self, id: &str) -> Option<Arc<Kept>> {
        lock(&self.store).get(id)
    }

    fn ledger(&self) -> Option<MutexGuard<'_, Ledger>> {
        self.ledger.as_ref().map(lock)
    }
}

/// A lock that survives a panic in another request (the data is still
/// consistent: every update is one statement).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One checked file, kept in memory for its pages.
pub struct Kept {
    pub id: String,
    /// The name the file was dropped with (shown escaped, never trusted).
    pub file_name: String,
    pub record: Record,
    pub bytes: Arc<Vec<u8>>,
    /// RFC 3339, UTC.
    pub checked_at: String,
    /// The ledger row of this check, if there is a ledger.
    pub ledger_id: Option<i64>,
    /// The guided online check, prepared with the check (desk::check).
    pub online: Option<OnlineCheck>,
    /// The answer recorded from the online check.
    pub confirmation: Mutex<Option<Confirmation>>,
    pictures: tokio::sync::OnceCell<render::Pictures>,
}

#[derive(Default)]
struct Store {
    files: HashMap<String, Arc<Kept>>,
    order: VecDeque<String>,
    bytes: usize,
}

impl Store {
    fn get(&self, id: &str) -> Option<Arc<Kept>> {
        self.files.get(id).cloned()
    }

    fn insert(&mut self, kept: Arc<Kept>, limits: &Limits) {
        self.bytes += kept.bytes.len();
        self.order.push_back(kept.id.clone());
        self.files.insert(kept.id.clone(), kept);
        while self.order.len() > limits.max_kept_files.max(1)
            || (self.bytes > limits.max_kept_bytes && self.order.len() > 1)
        {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(k) = self.files.remove(&old) {
                self.bytes = self.bytes.saturating_sub(k.bytes.len());
            }
        }
    }
}

#[derive(Default)]
struct Batches {
    open: HashMap<String, Batch>,
    order: VecDeque<String>,
}

struct Batch {
    announced: usize,
    received: usize,
}

// --- guards -----------------------------------------------------------------

/// Every request: the Host (DNS rebinding), the access token, and on POST
/// the CSRF token and the Origin.
async fn guard(State(desk): State<Arc<Desk>>, request: Request, next: Next) -> Response {
    let lang = lang_of(request.headers(), request.uri().query());
    if desk.config.token.is_none() && !host_is_loopback(request.headers()) {
        return refusal(lang, StatusCode::FORBIDDEN, "ui.refused_host");
    }
    if let Some(token) = &desk.config.token {
        match token_presented(&request) {
            Presented::Header(t) | Presented::Cookie(t) if same_secret(&t, token) => {}
            Presented::Query(t) if same_secret(&t, token) && request.method() == Method::GET => {
                // The address printed at start carries the token once; it
                // moves into a cookie and out of the address bar.
                let path = request.uri().path().to_string();
                let mut response = Redirect::to(&path).into_response();
                let cookie = format!("{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
                if let Ok(v) = HeaderValue::from_str(&cookie) {
                    response.headers_mut().insert(header::SET_COOKIE, v);
                }
                return response;
            }
            _ => return refusal(lang, StatusCode::UNAUTHORIZED, "ui.refused_token"),
        }
    }
    if request.method() == Method::POST {
        if !origin_is_same(request.headers()) {
            return refusal(lang, StatusCode::FORBIDDEN, "ui.refused_csrf");
        }
        return match csrf_checked(&desk, request).await {
            Ok(request) => next.run(request).await,
            Err(()) => refusal(lang, StatusCode::FORBIDDEN, "ui.refused_csrf"),
        };
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return refusal(lang, StatusCode::METHOD_NOT_ALLOWED, "ui.refused_method");
    }
    next.run(request).await
}

enum Presented {
    Header(String),
    Cookie(String),
    Query(String),
    None,
}

fn token_presented(request: &Request) -> Presented {
    let headers = request.headers();
    if let Some(t) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Presented::Header(t.trim().to_string());
    }
    if let Some(t) = cookie(headers, TOKEN_COOKIE) {
        return Presented::Cookie(t);
    }
    if let Some(t) = query_param(request.uri().query(), "token") {
        return Presented::Query(t);
    }
    Presented::None
}

/// A POST passes with the CSRF token in its header, or, for a plain form,
/// in its `csrf` field (the body is read here, bounded, and handed on).
async fn csrf_checked(desk: &Desk, request: Request) -> Result<Request, ()> {
    if let Some(t) = request
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        return if same_secret(t, &desk.csrf) {
            Ok(request)
        } else {
            Err(())
        };
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(());
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_SMALL_BODY)
        .await
        .map_err(|_| ())?;
    let fields: Vec<(String, String)> = serde_urlencoded_pairs(&bytes).ok_or(())?;
    let ok = fields
        .iter()
        .any(|(k, v)| k == CSRF_FIELD && same_secret(v, &desk.csrf));
    if !ok {
        return Err(());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The pairs of a urlencoded form body, through axum's own form reader.
fn serde_urlencoded_pairs(bytes: &Bytes) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let query: Query<Vec<(String, String)>> =
        Query::try_from_uri(&format!("/?{text}").parse().ok()?).ok()?;
    Some(query.0)
}

/// A browser names the page a POST comes from; it must be this desk. (A
/// request without Origin or Sec-Fetch-Site, e.g. from a script on this
/// machine, still needs the CSRF token.)
fn origin_is_same(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site != "same-origin" && site != "none" {
            return false;
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin.to_str().ok(), host) {
        (Some(origin), Some(host)) => origin == format!("http://{host}"),
        _ => false,
    }
}

fn host_is_loopback(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        // HTTP/1.1 requires Host; a request without one is no browser's.
        return true;
    };
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name == "::1"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Secrets compared in time that does not depend on where they differ.
fn same_secret(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn is_strong_token(token: &str) -> bool {
    token.len() >= 16
        && token.len() <= 256
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// 32 random bytes from the operating system, as hex.
fn random_token() -> Result<String, WebError> {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| WebError::Random("the system random source failed".into()))?;
    Ok(hex::encode(bytes))
}

/// A short random id for a batch or a kept file.
fn random_id() -> String {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 12];
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        // Ids only need to be unique within this run; the time will do.
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        return format!("{nanos:x}");
    }
    hex::encode(bytes)
}

/// Headers on every response: the strict CSP, no sniffing, no framing, no
/// referrer to other sites (an address may carry a token; within the desk
/// it is allowed, because under `no-referrer` a browser sends `Origin:
/// null` with a plain form's POST, and the Origin check would refuse the
/// desk's own forms), no caching of pages that show
/// personal data.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn refusal(lang: Lang, status: StatusCode, key: &str) -> Response {
    with_status(status, pages::message_page(lang, status, key))
}

// --- language -----------------------------------------------------------

/// The page's language: `?lang=` (remembered in a cookie), else the
/// cookie, else the browser's Accept-Language.
fn lang_of(headers: &HeaderMap, query: Option<&str>) -> Lang {
    if let Some(l) = query_param(query, "lang").and_then(|v| Lang::from_tag(&v)) {
        return l;
    }
    if let Some(l) = cookie(headers, LANG_COOKIE).and_then(|v| Lang::from_tag(&v)) {
        return l;
    }
    Lang::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// A page response in `lang`, remembering a language chosen with `?lang=`.
fn page(lang: Lang, query: Option<&str>, markup: maud::Markup) -> Response {
    let mut response = markup.into_response_html();
    if query_param(query, "lang")
        .and_then(|v| Lang::from_tag(&v))
        .is_some()
    {
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Strict",
            if lang == Lang::Zh { "zh" } else { "en" }
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    response
}

/// A page with another status than 200.
fn with_status(status: StatusCode, markup: maud::Markup) -> Response {
    let mut response = markup.into_response_html();
    *response.status_mut() = status;
    response
}

trait IntoHtml {
    fn into_response_html(self) -> Response;
}

impl IntoHtml for maud::Markup {
    fn into_response_html(self) -> Response {
        (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            self.into_string(),
        )
            .into_response()
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    let uri = format!("/?{}", query?).parse().ok()?;
    let Query(pairs): Query<Vec<(String, String)>> = Query::try_from_uri(&uri).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

// --- handlers -----------------------------------------------------------

async fn drop_page(
    State(desk): State<Arc<Desk>>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let lang = lang_of(&headers, uri.query());
    page(lang, uri.query(), pages::drop_page(lang, &desk))
}

async fn asset_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("assets/app.js"),
    )
}

async fn asset_css() -> Response {
    asset("text/css; charset=utf-8", include_str!("assets/app.css"))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn not_found(headers: HeaderMap, uri: axum::http::Uri) -> Response {
    refusal(
        lang_of(&headers, uri.query()),
        StatusCode::NOT_FOUND,
        "ui.not_found",
    )
}

#[derive(Deserialize)]
struct NewBatch {
    count: usize,
}

#[derive(Serialize)]
struct BatchOpened {
    batch: String,
    max_file_bytes: usize,
}

#[derive(Serialize)]
struct ApiError {
    error: String,
}

fn api_error(status: StatusCode, lang: Lang, key: &str) -> Response {
    (
        status,
        Json(ApiError {
            error: i18n::t(lang, key).to_string(),
        }),
    )
        .into_response()
}

/// Opens a batch of `count` files; more than the limit is refused whole.
async fn new_batch(State(desk): State<Arc<Desk>>, headers: HeaderMap, body: Bytes) -> Response {
    let lang = lang_of(&headers, None);
    let Ok(NewBatch { count }) = serde_json::from_slice(&body) else {
        return api_error(StatusCode::BAD_REQUEST, lang, "ui.bad_request");
    };
    if count == 0 || count > desk.config.limits.max_files_per_batch {
        return api_error(StatusCode::PAYLOAD_TOO_LARGE, lang, "ui.too_many_files");
    }
    let id = random_id();
    let mut batches = lock(&desk.batches);
    batches.open.insert(
        id.clone(),
        Batch {
            announced: count,
            received: 0,
        },
    );
    batches.order.push_back(id.clone());
    while batches.order.len() > MAX_BATCHES {
        if let Some(old) = batches.order.pop_front() {
            batches.open.remove(&old);
        }
    }
    Json(BatchOpened {
        batch: id,
        max_file_bytes: desk.config.limits.max_file_bytes,
    })
    .into_response()
}

#[derive(Deserialize)]
struct UploadQuery {
    name: Option<String>,
}

/// One row of the drop page, as the script shows it.
#[derive(Serialize)]
pub struct Row {
    pub id: String,
    pub url: String,
    pub file_name: String,
    pub verdict: String,
    pub verdict_word: String,
    pub headline: String,
    pub next_step: String,
    pub name: Option<String>,
    pub management_number: Option<String>,
    pub qualification: Option<String>,
}

/// Checks one uploaded file (the body, in memory) and returns its row.
async fn upload_file(
    State(desk): State<Arc<Desk>>,
    Path(batch): Path<String>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = lang_of(&headers, None);
    {
        let mut batches = lock(&desk.batches);
        let Some(b) = batches.open.get_mut(&batch) else {
            return api_error(StatusCode::NOT_FOUND, lang, "ui.batch_unknown");
        };
        if b.received >= b.announced {
            return api_error(StatusCode::PAYLOAD_TOO_LARGE, lang, "ui.too_many_files");
        }
        b.received += 1;
    }
    let file_name = clean_file_name(query.name.as_deref().unwrap_or(""));
    let Ok(_permit) = desk.checks.acquire().await else {
        return api_error(StatusCode::SERVICE_UNAVAILABLE, lang, "ui.busy");
    };
    let bytes = Arc::new(body.to_vec());
    drop(body);
    let work = {
        let desk = desk.clone();
        let bytes = bytes.clone();
        let file_name = file_name.clone();
        tokio::task::spawn_blocking(move || check_and_record(&desk, &bytes, &file_name))
    };
    let (record, ledger_id, online) = match work.await {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(ApiError {
                    error: e.to_string(),
                }),
            )
                .into_response()
        }
        Err(_) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, lang, "ui.check_failed"),
    };
    let kept = Arc::new(Kept {
        id: random_id(),
        file_name,
        record,
        bytes,
        checked_at: now_rfc3339(),
        ledger_id,
        online,
        confirmation: Mutex::new(None),
        pictures: tokio::sync::OnceCell::new(),
    });
    let row = row_of(lang, &kept);
    lock(&desk.store).insert(kept, &desk.config.limits);
    Json(row).into_response()
}

/// The whole check of one uploaded file: verify, then the desk's one
/// orchestration (desk::check): compare with the ledger, record it there,
/// prepare the guided online check. The web desk refuses a check its
/// ledger could not record rather than show it as recorded.
fn check_and_record(
    desk: &Desk,
    bytes: &[u8],
    file_name: &str,
) -> Result<(Record, Option<i64>, Option<OnlineCheck>), LedgerError> {
    let record = crate::verify(bytes, file_name, &desk.config.options);
    let mut ledger = desk.ledger();
    let checked = crate::desk::check(
        record,
        &mut crate::desk::Services {
            ledger: ledger.as_deref_mut(),
            record: true,
            online: true,
            confirmation: None,
        },
    );
    drop(ledger);
    if let Some(e) = checked.ledger_error {
        return Err(e);
    }
    let ledger_id = checked.record.ledger.as_ref().map(|l| l.id);
    Ok((checked.record, ledger_id, checked.online))
}

fn row_of(lang: Lang, kept: &Kept) -> Row {
    let r = &kept.record;
    let field = |f: fn(&crate::report::Fields) -> &Option<String>| {
        r.fields.as_ref().and_then(|x| f(x).clone())
    };
    Row {
        id: kept.id.clone(),
        url: format!("/files/{}", kept.id),
        file_name: kept.file_name.clone(),
        verdict: r.verdict.as_str().to_string(),
        verdict_word: i18n::verdict_word(lang, r.verdict).to_string(),
        headline: i18n::verdict_headline(lang, r.verdict).to_string(),
        next_step: i18n::next_step(lang, r.verdict).to_string(),
        name: field(|f| &f.name),
        management_number: field(|f| &f.management_number),
        qualification: field(|f| &f.qualification),
    }
}

/// The dropped file's name as shown: without control characters and
/// without bidi controls (which could make `fdp.exe` read as `exe.pdf`), at
/// most 200 characters. It is only ever shown (escaped) and recorded, never used
/// as a path, so slashes and markup stay as they are.
fn clean_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|&c| !c.is_control() && !is_bidi_control(c))
        .take(200)
        .collect();
    if cleaned.trim().is_empty() {
        "(unnamed).pdf".to_string()
    } else {
        cleaned
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn now_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A kept file's page (`/files/{id}`, with page 1 pictured) or, with
/// `REPORT`, its printable report (`/files/{id}/report`).
async fn kept_page<const REPORT: bool>(
    State(desk): State<Arc<Desk>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let lang = lang_of(&headers, uri.query());
    let Some(kept) = desk.kept(&id) else {
        return refusal(lang, StatusCode::NOT_FOUND, "ui.file_gone");
    };
    let body = if REPORT {
        pages::report_page(lang, &desk, &kept)
    } else {
        let pictures = pictures_of(&desk, &kept).await;
        pages::file_page(lang, &desk, &kept, pictures)
    };
    page(lang, uri.query(), body)
}

/// Page 1 as signed and as shown, rendered once per file.
async fn pictures_of<'a>(desk: &Desk, kept: &'a Kept) -> &'a render::Pictures {
    kept.pictures
        .get_or_init(|| async {
            let renderer = desk.renderer.clone();
            let bytes = kept.bytes.clone();
            let signed_end = render::signed_revision_end(&kept.record);
            tokio::task::spawn_blocking(move || {
                render::Pictures::make(renderer.as_deref(), &bytes, signed_end)
            })
            .await
            .unwrap_or_else(|_| render::Pictures::failed())
        })
        .await
}

async fn page_picture(
    State(desk): State<Arc<Desk>>,
    Path((id, which)): Path<(String, String)>,
) -> Response {
    let Some(kept) = desk.kept(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let pictures = pictures_of(&desk, &kept).await;
    let png = match which.as_str() {
        "signed.png" => pictures.signed.as_ref(),
        "shown.png" => pictures.shown.as_ref(),
        "marked.png" => pictures.marked.as_ref().or(pictures.shown.as_ref()),
        _ => None,
    };
    match png {
        Some(png) => ([(header::CONTENT_TYPE, "image/png")], png.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn seal_picture(
    State(desk): State<Arc<Desk>>,
    Path((id, index)): Path<(String, usize)>,
) -> Response {
    let Some(kept) = desk.kept(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match render::seal_picture(&kept.bytes, &kept.record, index) {
        Some((content_type, data)) => {
            ([(header::CONTENT_TYPE, content_type)], data).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Deserialize)]
struct AnswerForm {
    answer: String,
}

/// Records the answer of the official online check in the ledger.
async fn record_answer(
    State(desk): State<Arc<Desk>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<AnswerForm>,
) -> Response {
    let lang = lang_of(&headers, None);
    let Some(kept) = desk.kept(&id) else {
        return refusal(lang, StatusCode::NOT_FOUND, "ui.file_gone");
    };
    let Some(answer) = Confirmation::from_name(&form.answer) else {
        return refusal(lang, StatusCode::BAD_REQUEST, "ui.bad_request");
    };
    let (Some(ledger_id), true) = (kept.ledger_id, desk.ledger.is_some()) else {
        return refusal(lang, StatusCode::CONFLICT, "ui.no_ledger");
    };
    match on_ledger(&desk, move |l| l.record_confirmation(ledger_id, answer)).await {
        Ok(Some(Ok(()))) => {
            *lock(&kept.confirmation) = Some(answer);
            Redirect::to(&format!("/files/{}#online", kept.id)).into_response()
        }
        Ok(Some(Err(e))) => ledger_failed(lang, &e),
        _ => refusal(lang, StatusCode::INTERNAL_SERVER_ERROR, "ui.check_failed"),
    }
}

/// Runs `work` on the desk's ledger on a blocking thread (a ledger call
/// may wait on its database): Ok(None) when the desk keeps no ledger, Err
/// when the task was lost.
async fn on_ledger<T: Send + 'static>(
    desk: &Arc<Desk>,
    work: impl FnOnce(&mut Ledger) -> Result<T, LedgerError> + Send + 'static,
) -> Result<Option<Result<T, LedgerError>>, tokio::task::JoinError> {
    let desk = desk.clone();
    tokio::task::spawn_blocking(move || desk.ledger().map(|mut l| work(&mut l))).await
}

/// The error page for a ledger call that failed.
fn ledger_failed(lang: Lang, e: &LedgerError) -> Response {
    with_status(
        StatusCode::INTERNAL_SERVER_ERROR,
        pages::error_page(lang, &e.to_string()),
    )
}

#[derive(Deserialize)]
struct LedgerQuery {
    q: Option<String>,
}

async fn ledger_page(
    State(desk): State<Arc<Desk>>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    Query(query): Query<LedgerQuery>,
) -> Response {
    let lang = lang_of(&headers, uri.query());
    let search = query.q.unwrap_or_default();
    match on_ledger(&desk, |l| l.list(LEDGER_WINDOW)).await {
        Ok(Some(Ok(entries))) => page(
            lang,
            uri.query(),
            pages::ledger_page(lang, &desk, &entries, search.trim()),
        ),
        Ok(Some(Err(e))) => ledger_failed(lang, &e),
        Ok(None) => page(lang, uri.query(), pages::ledger_page(lang, &desk, &[], "")),
        Err(_) => refusal(lang, StatusCode::INTERNAL_SERVER_ERROR, "ui.check_failed"),
    }
}

async fn ledger_csv(State(desk): State<Arc<Desk>>, headers: HeaderMap) -> Response {
    ledger_export(desk, &headers, ExportFormat::Csv).await
}

async fn ledger_xlsx(State(desk): State<Arc<Desk>>, headers: HeaderMap) -> Response {
    ledger_export(desk, &headers, ExportFormat::Xlsx).await
}

/// The whole ledger as a download. The workbook's headers follow the
/// page's language; the CSV keeps the stable English keys programs read.
async fn ledger_export(desk: Arc<Desk>, headers: &HeaderMap, format: ExportFormat) -> Response {
    let lang = lang_of(headers, None);
    let style = ExportStyle {
        bom: false,
        chinese_headers: format == ExportFormat::Xlsx && lang == Lang::Zh,
    };
    let out = on_ledger(&desk, move |l| {
        let mut buf = Vec::new();
        l.export_with(format, &style, &mut buf).map(|()| buf)
    })
    .await;
    let (content_type, disposition) = match format {
        ExportFormat::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "attachment; filename=\"certcheck-ledger.xlsx\"",
        ),
        ExportFormat::Jsonl => (
            "application/jsonl; charset=utf-8",
            "attachment; filename=\"certcheck-ledger.jsonl\"",
        ),
        ExportFormat::Csv => (
            "text/csv; charset=utf-8",
            "attachment; filename=\"certcheck-ledger.csv\"",
        ),
    };
    match out {
        Ok(Some(Ok(bytes))) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response(),
        Ok(Some(Err(e))) => ledger_failed(lang, &e),
        _ => refusal(lang, StatusCode::CONFLICT, "ui.no_ledger"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised() {
        let host = |h: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::HOST, HeaderValue::from_str(h).expect("header"));
            host_is_loopback(&m)
        };
        assert!(host("127.0.0.1:8420"));
        assert!(host("localhost:8420"));
        assert!(host("[::1]:8420"));
        assert!(host("127.9.9.9"));
        assert!(!host("evil.example:8420"));
        assert!(!host("127.0.0.1.evil.example"));
        assert!(!host("[::2]:8420"));
    }

    #[test]
    fn file_names_lose_control_characters_and_keep_the_rest() {
        assert_eq!(
            clean_file_name("<script>alert(1)</script>.pdf"),
            "<script>alert(1)</script>.pdf"
        );
        assert_eq!(clean_file_name("p\u{7}\u{1b}[31m.pdf"), "p[31m.pdf");
        assert_eq!(clean_file_name("a\u{202E}fdp.exe"), "afdp.exe");
        assert_eq!(clean_file_name(""), "(unnamed).pdf");
        assert_eq!(clean_file_name(&"长".repeat(500)).chars().count(), 200);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abd", "abc"));
        assert!(!same_secret("ab", "abc"));
        assert!(is_strong_token("0123456789abcdef"));
        assert!(!is_strong_token("short"));
        assert!(!is_strong_token("0123456789abcdef;"));
    }

    #[test]
    fn the_store_forgets_the_oldest_beyond_its_limits() {
        let limits = Limits {
            max_kept_files: 2,
            ..Limits::default()
        };
        let mut store = Store::default();
        for i in 0..3 {
            store.insert(
                Arc::new(Kept {
                    id: format!("f{i}"),
                    file_name: String::new(),
                    record: Record::malformed("x", String::new(), vec![]),
                    bytes: Arc::new(vec![0; 10]),
                    checked_at: String::new(),
                    ledger_id: None,
                    online: None,
                    confirmation: Mutex::new(None),
                    pictures: tokio::sync::OnceCell::new(),
                }),
                &limits,
            );
        }
        assert!(store.get("f0").is_none());
        assert!(store.get("f1").is_some() && store.get("f2").is_some());
        assert_eq!(store.bytes, 20);
    }
}
