//! The web desk in a real browser: `certcheck serve` on a free loopback
//! port, headless Chromium driven through chromedriver (WebDriver). It
//! picks real corpus files through the file input (a genuine, an altered
//! and an unsigned one), waits for their rows and reads the verdicts in
//! Chinese, opens the altered file and reads the signed and shown values
//! side by side, records a "valid" online answer and finds it in the
//! ledger view. A screenshot of each page is kept under
//! target/tmp/web-browser/.
//!
//! It needs CERTCHECK_TEST_CHROMIUM and CERTCHECK_TEST_CHROMEDRIVER (.ci/run
//! sets them); without them it says SKIPPED, plainly.

mod desk_server;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use desk_server::{repo, Server};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const GENUINE: &str = "authentic-rsa-pkcs7.pdf";
const ALTERED: &str = "altered-incremental-content.pdf";
const UNSIGNED: &str = "unsigned-query-result.pdf";

/// chromedriver, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start_driver(chromedriver: &Path, logs: &Path) -> Driver {
    let port = free_port();
    let log = std::fs::File::create(logs.join("chromedriver.log")).expect("log file");
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    driver
}

async fn browser(driver: &Driver, chromium: &Path, profile: &Path) -> Client {
    let args = [
        "--headless=new".to_string(),
        "--no-sandbox".to_string(),
        "--disable-gpu".to_string(),
        "--disable-quic".to_string(),
        "--no-first-run".to_string(),
        "--disable-background-networking".to_string(),
        "--disable-component-update".to_string(),
        "--disable-sync".to_string(),
        "--disable-dev-shm-usage".to_string(),
        "--lang=zh-CN".to_string(),
        "--window-size=1280,1400".to_string(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_string(),
        json!({
            "binary": chromium,
            "args": args,
            "prefs": { "intl.accept_languages": "zh-CN,zh" },
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

async fn screenshot(client: &Client, dir: &Path, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(name), png).expect("screenshot saved");
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .expect("text")
}

/// Polls `probe` every 200 ms until it returns `Some`, at most `limit`.
async fn wait_until<T, F, Fut>(limit: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_drops_files_reads_the_verdicts_in_chinese_and_records_an_online_answer() {
    let (Some(chromium), Some(chromedriver)) = (
        std::env::var_os("CERTCHECK_TEST_CHROMIUM").filter(|v| !v.is_empty()),
        std::env::var_os("CERTCHECK_TEST_CHROMEDRIVER").filter(|v| !v.is_empty()),
    ) else {
        println!(
            "SKIPPED: the browser test needs CERTCHECK_TEST_CHROMIUM and \
             CERTCHECK_TEST_CHROMEDRIVER (set by .ci/run); it did not run"
        );
        eprintln!(
            "SKIPPED: web_browser (no CERTCHECK_TEST_CHROMIUM / CERTCHECK_TEST_CHROMEDRIVER)"
        );
        return;
    };
    let artefacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-browser");
    std::fs::create_dir_all(&artefacts).expect("artefact dir");
    let profile = tempfile::tempdir().expect("profile dir");

    let server = Server::start(&["--listen", "127.0.0.1:0"]);
    let driver = start_driver(Path::new(&chromedriver), &artefacts);
    let client = browser(&driver, Path::new(&chromium), profile.path()).await;
    // The steps run on their own task, so that a failed assertion still
    // ends the browser session (and Chromium with it) before it is reported.
    let steps = {
        let (client, url, base, artefacts) = (
            client.clone(),
            server.url.clone(),
            server.base(),
            artefacts.clone(),
        );
        tokio::spawn(async move { run(&client, &url, &base, &artefacts).await })
    };
    let outcome = steps.await;
    let _ = client.close().await;
    drop(driver);
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("{e}"),
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
    println!("screenshots: {}", artefacts.display());
}

/// The clerk's steps; an error (rather than a panic) closes the browser.
async fn run(client: &Client, url: &str, base: &str, artefacts: &Path) -> Result<(), String> {
    client
        .goto(url)
        .await
        .map_err(|e| format!("open the desk: {e}"))?;
    let lang = client
        .find(Locator::Css("html"))
        .await
        .map_err(|e| e.to_string())?
        .attr("lang")
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(
        lang.as_deref(),
        Some("zh-CN"),
        "a Chinese browser gets the Chinese page"
    );
    assert_eq!(text_of(client, "h1").await, "检查证书文件");

    // Pick the three files at once through the file input.
    let files: Vec<String> = [GENUINE, ALTERED, UNSIGNED]
        .iter()
        .map(|f| repo(&format!("tests/corpus/{f}")).display().to_string())
        .collect();
    let picker = client
        .find(Locator::Css("#picker"))
        .await
        .map_err(|e| e.to_string())?;
    picker
        .send_keys(&files.join("\n"))
        .await
        .map_err(|e| format!("pick the files: {e}"))?;

    // Each file gets its row; the bar stands over the batch.
    let rows = wait_until(Duration::from_secs(120), "three rows", || async {
        let rows = client.find_all(Locator::Css("#rows tbody tr")).await.ok()?;
        (rows.len() == 3).then_some(rows)
    })
    .await;
    let mut verdicts = std::collections::HashMap::new();
    for row in &rows {
        let file = row
            .find(Locator::Css("td.file"))
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        let word = row
            .find(Locator::Css("td.verdict"))
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        let href = row
            .find(Locator::Css("td.file a"))
            .await
            .map_err(|e| e.to_string())?
            .attr("href")
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or_default();
        let next = row
            .find(Locator::Css("td.next"))
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        verdicts.insert(file, (word, href, next));
    }
    let (word, genuine_page, _) = verdicts.get(GENUINE).ok_or("no row for the genuine file")?;
    assert_eq!(word, "真实", "{verdicts:?}");
    let (word, altered_page, _) = verdicts.get(ALTERED).ok_or("no row for the altered file")?;
    assert_eq!(word, "已篡改", "{verdicts:?}");
    let (word, _, next) = verdicts
        .get(UNSIGNED)
        .ok_or("no row for the unsigned file")?;
    assert_eq!(word, "未签名", "{verdicts:?}");
    assert_eq!(next, "在线核验", "{verdicts:?}");
    let bar = client
        .execute(
            "const b = document.getElementById('bar'); \
             return [b.value, b.max, document.getElementById('progress').hidden, \
                     document.getElementById('progress-text').textContent];",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(bar[0], json!(3), "{bar}");
    assert_eq!(bar[1], json!(3), "{bar}");
    assert_eq!(bar[2], json!(false), "{bar}");
    assert!(
        bar[3].as_str().is_some_and(|t| t.contains("3 / 3")),
        "{bar}"
    );
    screenshot(client, artefacts, "drop-page.png").await;

    // The altered file: what was signed and what is shown, side by side.
    client
        .goto(&format!("{}{altered_page}", base))
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(text_of(client, ".banner .word").await, "已篡改");
    let signed = text_of(client, "#side-by-side tr[data-field=name] td.signed").await;
    let shown = text_of(client, "#side-by-side tr[data-field=name] td.shown").await;
    assert_eq!((signed.as_str(), shown.as_str()), ("张伟", "程国华"));
    let class = client
        .find(Locator::Css("#side-by-side tr[data-field=name]"))
        .await
        .map_err(|e| e.to_string())?
        .attr("class")
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(class.as_deref(), Some("differs"));
    assert!(text_of(client, "#changes").await.contains("第 1"));
    screenshot(client, artefacts, "altered-file-page.png").await;

    // The genuine file: record the official site's "valid".
    client
        .goto(&format!("{}{genuine_page}", base))
        .await
        .map_err(|e| e.to_string())?;
    client
        .find(Locator::Css("button.a-valid"))
        .await
        .map_err(|e| e.to_string())?
        .click()
        .await
        .map_err(|e| format!("click valid: {e}"))?;
    let recorded = wait_until(Duration::from_secs(30), "the recorded answer", || async {
        let e = client.find(Locator::Css("#recorded-answer")).await.ok()?;
        e.text().await.ok()
    })
    .await;
    assert!(
        recorded.contains("已记录核验结果") && recorded.contains("有效"),
        "{recorded}"
    );
    screenshot(client, artefacts, "genuine-file-page.png").await;

    // The ledger view shows today's three checks and the answer.
    client
        .goto(&format!("{}/ledger", base))
        .await
        .map_err(|e| e.to_string())?;
    let rows = client
        .find_all(Locator::Css("#checks + table tbody tr"))
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(rows.len(), 3, "today's checks");
    let mut answered = Vec::new();
    for row in &rows {
        let text = row.text().await.map_err(|e| e.to_string())?;
        let answer = row
            .find(Locator::Css("td.answer"))
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        if answer != "—" {
            answered.push((text, answer));
        }
    }
    assert_eq!(answered.len(), 1, "{answered:?}");
    assert_eq!(answered[0].1, "有效");
    assert!(answered[0].0.contains(GENUINE), "{answered:?}");
    screenshot(client, artefacts, "ledger.png").await;
    Ok(())
}
