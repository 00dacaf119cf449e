//! The web desk at the HTTP level: requests sent straight into its router
//! (no socket), for the limits, the access token, CSRF, escaping, the
//! Chinese pages, the altered file's side-by-side values, the online answer
//! recorded in the ledger, and the evidence report.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use certcheck::trust::TrustStore;
use certcheck::web::{self, Limits, ServeConfig};
use certcheck::Options;
use tower::ServiceExt;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn options() -> Options {
    Options {
        trust: TrustStore::load(&[repo("samples/trust")], false).expect("sample trust"),
        ..Options::default()
    }
}

fn loopback() -> SocketAddr {
    "127.0.0.1:8420".parse().expect("addr")
}

struct Desk {
    app: Router,
    csrf: String,
    _dir: tempfile::TempDir,
}

fn desk_with(listen: SocketAddr, token: Option<&str>, limits: Limits) -> Desk {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = ServeConfig::new(listen, options());
    config.token = token.map(str::to_string);
    config.ledger = Some(dir.path().join("ledger.sqlite3").into());
    config.operator = "王老师".into();
    config.limits = limits;
    let (app, state) = web::router(config).expect("router");
    Desk {
        app,
        csrf: state.csrf.clone(),
        _dir: dir,
    }
}

fn desk() -> Desk {
    desk_with(loopback(), None, Limits::default())
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
        .await
        .expect("body");
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .header(header::HOST, "127.0.0.1:8420")
        .header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9")
        .body(Body::empty())
        .expect("request")
}

fn post(path: &str, csrf: Option<&str>, content_type: &str, body: Vec<u8>) -> Request<Body> {
    let mut r = Request::post(path)
        .header(header::HOST, "127.0.0.1:8420")
        .header(header::ACCEPT_LANGUAGE, "zh-CN")
        .header(header::CONTENT_TYPE, content_type);
    if let Some(c) = csrf {
        r = r.header("x-csrf-token", c);
    }
    r.body(Body::from(body)).expect("request")
}

async fn open_batch(d: &Desk, count: usize) -> String {
    let (status, _, body) = send(
        &d.app,
        post(
            "/api/batches",
            Some(&d.csrf),
            "application/json",
            format!("{{\"count\": {count}}}").into_bytes(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    v["batch"].as_str().expect("batch id").to_string()
}

fn encode(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Uploads `bytes` as `name` in a new batch of one; returns the row.
async fn upload(d: &Desk, name: &str, bytes: Vec<u8>) -> serde_json::Value {
    let batch = open_batch(d, 1).await;
    let (status, _, body) = send(
        &d.app,
        post(
            &format!("/api/batches/{batch}/files?name={}", encode(name)),
            Some(&d.csrf),
            "application/pdf",
            bytes,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("row json")
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(repo(&format!("samples/{name}"))).expect("sample")
}

#[tokio::test]
async fn the_drop_page_is_chinese_for_a_chinese_browser_and_english_for_an_english_one() {
    let d = desk();
    let (status, headers, zh) = send(&d.app, get("/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(zh.contains("lang=\"zh-CN\""), "{zh}");
    assert!(zh.contains("检查证书文件"), "{zh}");
    assert!(zh.contains(&format!(
        "<meta name=\"csrf-token\" content=\"{}\">",
        d.csrf
    )));
    let csp = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp");
    assert_eq!(csp, web::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    // No inline script or style anywhere on the page.
    assert!(!zh.contains("<script>") && !zh.contains("<style") && !zh.contains(" style="));

    let en = Request::get("/")
        .header(header::HOST, "localhost:8420")
        .header(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9")
        .body(Body::empty())
        .expect("request");
    let (_, _, en) = send(&d.app, en).await;
    assert!(
        en.contains("lang=\"en\"") && en.contains("Check certificate files"),
        "{en}"
    );
}

#[tokio::test]
async fn posts_without_the_csrf_token_or_from_another_site_are_refused() {
    let d = desk();
    let body = b"{\"count\": 1}".to_vec();
    let (status, _, _) = send(
        &d.app,
        post("/api/batches", None, "application/json", body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(
        &d.app,
        post(
            "/api/batches",
            Some("0".repeat(64).as_str()),
            "application/json",
            body.clone(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The right token from a page on another site is still refused.
    let mut cross = post(
        "/api/batches",
        Some(&d.csrf),
        "application/json",
        body.clone(),
    );
    cross.headers_mut().insert(
        header::ORIGIN,
        "http://evil.example".parse().expect("origin"),
    );
    let (status, _, _) = send(&d.app, cross).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut cross_site = post(
        "/api/batches",
        Some(&d.csrf),
        "application/json",
        body.clone(),
    );
    cross_site
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().expect("header"));
    let (status, _, _) = send(&d.app, cross_site).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The same request with the token and a same-origin Origin passes.
    let mut same = post("/api/batches", Some(&d.csrf), "application/json", body);
    same.headers_mut().insert(
        header::ORIGIN,
        "http://127.0.0.1:8420".parse().expect("origin"),
    );
    let (status, _, _) = send(&d.app, same).await;
    assert_eq!(status, StatusCode::OK);

    // A plain form (the online answer) needs the token in its field.
    let row = upload(
        &d,
        "certificate-signed.pdf",
        sample("certificate-signed.pdf"),
    )
    .await;
    let id = row["id"].as_str().expect("id");
    let form = |csrf: &str| {
        post(
            &format!("/files/{id}/online"),
            None,
            "application/x-www-form-urlencoded",
            format!("csrf={csrf}&answer=valid").into_bytes(),
        )
    };
    let (status, _, _) = send(&d.app, form("wrong")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, headers, _) = send(&d.app, form(&d.csrf)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        format!("/files/{id}#online").as_str()
    );
}

#[tokio::test]
async fn uploads_have_a_size_limit_and_batches_a_count_limit() {
    let limits = Limits {
        max_file_bytes: 64 * 1024,
        max_files_per_batch: 3,
        ..Limits::default()
    };
    let d = desk_with(loopback(), None, limits);
    let (status, _, body) = send(
        &d.app,
        post(
            "/api/batches",
            Some(&d.csrf),
            "application/json",
            b"{\"count\": 4}".to_vec(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body.contains("文件太多"), "{body}");

    // A batch of one takes one file, not two.
    let batch = open_batch(&d, 1).await;
    let small = std::fs::read(repo("tests/web/unsigned-html-fields.pdf")).expect("file");
    let url = format!("/api/batches/{batch}/files?name=a.pdf");
    let (status, _, _) = send(
        &d.app,
        post(&url, Some(&d.csrf), "application/pdf", small.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = send(&d.app, post(&url, Some(&d.csrf), "application/pdf", small)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // A file over the size limit is refused before it is checked.
    let batch = open_batch(&d, 1).await;
    let big = sample("certificate-signed.pdf");
    assert!(big.len() > 64 * 1024);
    let (status, _, _) = send(
        &d.app,
        post(
            &format!("/api/batches/{batch}/files?name=big.pdf"),
            Some(&d.csrf),
            "application/pdf",
            big,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // An unknown batch takes nothing.
    let (status, _, _) = send(
        &d.app,
        post(
            "/api/batches/nope/files?name=a.pdf",
            Some(&d.csrf),
            "application/pdf",
            b"%PDF".to_vec(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn off_the_loopback_every_request_needs_the_token() {
    // Not loopback and no token given: one is generated.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = ServeConfig::new("0.0.0.0:0".parse().expect("addr"), options());
    config.ledger = Some(dir.path().join("l.sqlite3").into());
    let (_, state) = web::router(config).expect("router");
    let generated = state.config.token.clone().expect("a token is generated");
    assert!(generated.len() >= 32);

    let token = "desk-token-0123456789abcdef";
    let d = desk_with(
        "0.0.0.0:0".parse().expect("addr"),
        Some(token),
        Limits::default(),
    );
    let plain = |path: &str| {
        Request::get(path)
            .header(header::HOST, "192.0.2.10:8420")
            .body(Body::empty())
            .expect("request")
    };
    for path in [
        "/",
        "/ledger",
        "/assets/app.js",
        "/files/x",
        "/ledger/export.csv",
        "/ledger/export.xlsx",
    ] {
        let (status, _, _) = send(&d.app, plain(path)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let (status, _, _) = send(&d.app, plain("/?token=wrong-token-0123456789")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The printed address: the token moves into a cookie.
    let (status, headers, _) = send(&d.app, plain(&format!("/?token={token}"))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = headers[header::SET_COOKIE]
        .to_str()
        .expect("cookie")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().expect("pair").to_string();
    let with_cookie = Request::get("/")
        .header(header::HOST, "192.0.2.10:8420")
        .header(header::COOKIE, pair)
        .body(Body::empty())
        .expect("request");
    let (status, _, _) = send(&d.app, with_cookie).await;
    assert_eq!(status, StatusCode::OK);
    let bearer = Request::get("/ledger")
        .header(header::HOST, "192.0.2.10:8420")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let (status, _, _) = send(&d.app, bearer).await;
    assert_eq!(status, StatusCode::OK);
    // A POST with the token but without the CSRF token is still refused.
    let no_csrf = Request::post("/api/batches")
        .header(header::HOST, "192.0.2.10:8420")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"count\":1}"))
        .expect("request");
    let (status, _, _) = send(&d.app, no_csrf).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A weak token is refused at start.
    let mut weak = ServeConfig::new("0.0.0.0:0".parse().expect("addr"), options());
    weak.token = Some("1234".into());
    assert!(matches!(web::router(weak), Err(web::WebError::WeakToken)));
}

#[tokio::test]
async fn on_the_loopback_a_foreign_host_name_is_refused() {
    let d = desk();
    let rebinding = Request::get("/")
        .header(header::HOST, "attacker.example:8420")
        .body(Body::empty())
        .expect("request");
    let (status, _, _) = send(&d.app, rebinding).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_file_named_like_a_script_is_shown_as_text() {
    let d = desk();
    let name = "<script>alert(1)</script>.pdf";
    let row = upload(&d, name, sample("certificate-signed.pdf")).await;
    // JSON carries the name as data; the page's script shows it as text.
    assert_eq!(row["file_name"], name);
    assert_eq!(row["verdict"], "authentic");
    let id = row["id"].as_str().expect("id");
    for path in [format!("/files/{id}"), format!("/files/{id}/report")] {
        let (status, _, html) = send(&d.app, get(&path)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("<script>alert(1)"), "{path}: unescaped name");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;.pdf"),
            "{path}: escaped name missing"
        );
    }
    let (_, _, ledger) = send(&d.app, get("/ledger")).await;
    assert!(!ledger.contains("<script>alert(1)"));
    assert!(ledger.contains("&lt;script&gt;alert(1)&lt;/script&gt;.pdf"));
}

#[tokio::test]
async fn html_in_a_file_s_fields_and_in_its_signer_is_shown_as_text() {
    let d = desk();
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/web/manifest.json")).expect("manifest"),
    )
    .expect("json");
    let files = manifest["files"].as_array().expect("files");
    assert_eq!(files.len(), 2);
    for entry in files {
        let file = entry["file"].as_str().expect("file");
        let row = upload(
            &d,
            file,
            std::fs::read(repo(&format!("tests/web/{file}"))).expect("pdf"),
        )
        .await;
        assert_eq!(row["verdict"], entry["verdict"], "{file}");
        let id = row["id"].as_str().expect("id");
        let (_, _, html) = send(&d.app, get(&format!("/files/{id}"))).await;
        for markup in entry["html"].as_array().expect("html") {
            let markup = markup.as_str().expect("markup");
            assert!(!html.contains(markup), "{file}: {markup} appears unescaped");
        }
        assert!(
            !html.contains("<script>alert") && !html.contains("<img src=x"),
            "{file}"
        );
    }
    // The qualification holding markup is read as a field and shown escaped.
    let row = upload(
        &d,
        "q.pdf",
        std::fs::read(repo("tests/web/unsigned-html-fields.pdf")).expect("pdf"),
    )
    .await;
    assert_eq!(row["qualification"], "<script>alert(\"q\")</script>");
    let (_, _, html) = send(
        &d.app,
        get(&format!("/files/{}", row["id"].as_str().expect("id"))),
    )
    .await;
    assert!(
        html.contains("&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt;"),
        "{html}"
    );
    // The signer's name holding markup is shown escaped on the seal.
    let row = upload(
        &d,
        "s.pdf",
        std::fs::read(repo("tests/web/untrusted-html-signer.pdf")).expect("pdf"),
    )
    .await;
    let (_, _, html) = send(
        &d.app,
        get(&format!("/files/{}", row["id"].as_str().expect("id"))),
    )
    .await;
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;人事考试中心"),
        "{html}"
    );
}

#[tokio::test]
async fn the_altered_sample_shows_signed_and_shown_values_side_by_side_in_chinese() {
    let d = desk();
    let row = upload(
        &d,
        "certificate-edited-after-signing.pdf",
        sample("certificate-edited-after-signing.pdf"),
    )
    .await;
    assert_eq!(row["verdict"], "altered");
    assert_eq!(row["verdict_word"], "已篡改");
    assert_eq!(row["name"], "程国华");
    let id = row["id"].as_str().expect("id");
    let (status, _, html) = send(&d.app, get(&format!("/files/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("签署时与现在显示的内容对比"),
        "no side-by-side heading"
    );
    let differs = html
        .split("<tr class=\"differs\" data-field=\"name\">")
        .nth(1)
        .expect("the name row differs");
    let row_html = differs.split("</tr>").next().expect("row");
    assert!(
        row_html.contains("<td class=\"signed\">张伟</td>"),
        "{row_html}"
    );
    assert!(
        row_html.contains("<td class=\"shown\">程国华</td>"),
        "{row_html}"
    );
    // The changes, by page, in Chinese with the English alongside.
    assert!(html.contains("签署后的修改（按页）"));
    assert!(html.contains("第 1"));
    assert!(html.contains("页面的内容（印在上面的东西）在签署后被替换。"));
    // The why, in the clerk's words.
    assert!(html.contains("文档在签名后被修改"));
}

#[tokio::test]
async fn an_online_answer_is_recorded_in_the_ledger_and_shown_there() {
    let d = desk();
    let row = upload(
        &d,
        "query-result-unsigned.pdf",
        sample("query-result-unsigned.pdf"),
    )
    .await;
    assert_eq!(row["verdict"], "unsigned");
    assert_eq!(row["next_step"], "在线核验");
    let id = row["id"].as_str().expect("id").to_string();
    let (_, _, page) = send(&d.app, get(&format!("/files/{id}"))).await;
    assert!(page.contains("https://zscx.cpta.com.cn/examfront/"));
    assert!(
        page.contains("data-copy=\"110199199003071212\""),
        "copy button for the ID number"
    );
    let form = post(
        &format!("/files/{id}/online"),
        None,
        "application/x-www-form-urlencoded",
        format!("csrf={}&answer=revoked", d.csrf).into_bytes(),
    );
    let (status, _, _) = send(&d.app, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(&d.app, get(&format!("/files/{id}"))).await;
    assert!(page.contains("id=\"recorded-answer\""), "{page}");
    assert!(page.contains("已撤销"));
    let (_, _, ledger) = send(&d.app, get("/ledger")).await;
    assert!(ledger.contains("今天的检查"));
    assert!(
        ledger.contains("<td class=\"answer\">已撤销</td>"),
        "{ledger}"
    );
    // Search by 管理号, by ID number and by name.
    for q in [
        "2023K1101000417",
        "110199199003071212",
        "%E5%BC%A0%E4%BC%9F",
    ] {
        let (_, _, found) = send(&d.app, get(&format!("/ledger?q={q}"))).await;
        assert!(found.contains("query-result-unsigned.pdf"), "search {q}");
    }
    let (_, _, none) = send(&d.app, get("/ledger?q=NOSUCHNUMBER999")).await;
    assert!(!none.contains("query-result-unsigned.pdf"));
    let (status, headers, csv) = send(&d.app, get("/ledger/export.csv")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .expect("type")
        .starts_with("text/csv"));
    assert!(csv.lines().count() >= 2 && csv.contains("revoked"), "{csv}");
    // A bad answer is refused.
    let bad = post(
        &format!("/files/{id}/online"),
        None,
        "application/x-www-form-urlencoded",
        format!("csrf={}&answer=maybe", d.csrf).into_bytes(),
    );
    let (status, _, _) = send(&d.app, bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_evidence_report_names_the_file_hash_verdict_evidence_and_operator() {
    let d = desk();
    let bytes = sample("certificate-signed.pdf");
    let row = upload(&d, "certificate-signed.pdf", bytes.clone()).await;
    let id = row["id"].as_str().expect("id");
    let (status, _, html) = send(&d.app, get(&format!("/files/{id}/report"))).await;
    assert_eq!(status, StatusCode::OK);
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(&bytes));
    assert!(html.contains(&sha), "hash");
    assert!(html.contains("王老师"), "operator");
    assert!(html.contains("真实"), "verdict");
    assert!(html.contains("signing_time_claimed"), "evidence codes");
    assert!(html.contains("测试根CA"), "known issuer");
    assert!(html.contains("证书核验证据报告"));
    let (_, _, css) = send(&d.app, get("/assets/app.css")).await;
    assert!(css.contains("@media print"));
}

#[tokio::test]
async fn a_file_that_is_not_a_pdf_gets_a_row_too() {
    let d = desk();
    let row = upload(&d, "photo.pdf", b"\xff\xd8\xff\xe0 not a pdf".to_vec()).await;
    assert_eq!(row["verdict"], "malformed");
    assert_eq!(row["verdict_word"], "无法读取");
    let (status, _, _) = send(&d.app, get("/files/doesnotexist")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_plain_form_posted_by_a_browser_from_the_desk_passes_and_from_elsewhere_does_not() {
    let d = desk();
    let row = upload(
        &d,
        "query-result-unsigned.pdf",
        sample("query-result-unsigned.pdf"),
    )
    .await;
    let id = row["id"].as_str().expect("id").to_string();
    // The page keeps the browser's Origin on the desk's own forms: under
    // Referrer-Policy no-referrer a browser would send `Origin: null`.
    let (_, headers, _) = send(&d.app, get(&format!("/files/{id}"))).await;
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
    let form = |origin: &str, site: &str| {
        let mut r = post(
            &format!("/files/{id}/online"),
            None,
            "application/x-www-form-urlencoded",
            format!("csrf={}&answer=valid", d.csrf).into_bytes(),
        );
        r.headers_mut()
            .insert(header::ORIGIN, origin.parse().expect("origin"));
        r.headers_mut()
            .insert("sec-fetch-site", site.parse().expect("site"));
        r
    };
    let (status, _, _) = send(&d.app, form("null", "same-origin")).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "Origin: null is no page of the desk"
    );
    let (status, _, _) = send(&d.app, form("http://evil.example", "cross-site")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(&d.app, form("http://127.0.0.1:8420", "same-origin")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_ledger_view_offers_an_xlsx_workbook_with_string_cells() {
    use std::io::Read;
    let d = desk();
    let hostile = "=HYPERLINK(\"evil\",\"x\").pdf";
    let row = upload(&d, hostile, sample("query-result-unsigned.pdf")).await;
    assert_eq!(row["verdict"], "unsigned");
    let (_, _, ledger) = send(&d.app, get("/ledger")).await;
    assert!(ledger.contains("href=\"/ledger/export.xlsx\""), "{ledger}");
    assert!(ledger.contains("导出 Excel"), "{ledger}");
    let response = d
        .app
        .clone()
        .oneshot(get("/ledger/export.xlsx"))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(headers[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("disposition")
        .contains("certcheck-ledger.xlsx"));
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
        .await
        .expect("body");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(body.to_vec())).expect("a zip");
    let mut part = |name: &str| {
        let mut s = String::new();
        zip.by_name(name)
            .expect(name)
            .read_to_string(&mut s)
            .expect("utf-8");
        s
    };
    let strings = part("xl/sharedStrings.xml");
    let sheet = part("xl/worksheets/sheet1.xml");
    // A Chinese browser gets Chinese headers; the hostile name is a string.
    assert!(strings.contains("<t>编号</t>"), "{strings}");
    assert!(strings.contains("<t>张伟</t>"), "{strings}");
    assert!(
        strings.contains("<t>'=HYPERLINK(\"evil\",\"x\").pdf</t>"),
        "{strings}"
    );
    assert!(!sheet.contains("<f>") && !sheet.contains("<f "), "{sheet}");
}
