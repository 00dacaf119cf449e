//! `certcheck serve` as a process: it prints the address to open, serves
//! the desk there, and off the loopback it requires an access token
//! (generated and printed once when none is given).

mod desk_server;

use std::process::Command;

use desk_server::{request, Server};

#[test]
fn serve_prints_its_address_and_serves_the_chinese_desk_there() {
    let server = Server::start(&["--listen", "127.0.0.1:0"]);
    assert!(
        server.printed.contains("open in a browser:"),
        "{}",
        server.printed
    );
    // On the loopback without --token the address carries no token.
    assert_eq!(server.url, format!("{}/", server.base()));
    let page = request(
        server.addr,
        "GET",
        "/",
        &[("Accept-Language", "zh-CN,zh;q=0.9")],
    );
    assert_eq!(page.status, 200, "{}", page.head);
    assert!(page.body.contains("lang=\"zh-CN\""), "{}", page.body);
    assert!(page.body.contains("检查证书文件"), "{}", page.body);
    assert!(page
        .head
        .to_ascii_lowercase()
        .contains("content-security-policy: default-src 'none'"));
    // The default ledger is used (in this run's own data dir) and named.
    let ledger = server.dir.path().join("data").join("ledger.sqlite3");
    let ledger_page = request(server.addr, "GET", "/ledger", &[("Accept-Language", "en")]);
    assert_eq!(ledger_page.status, 200);
    assert!(
        ledger_page.body.contains("/ledger/export.csv"),
        "{}",
        ledger_page.body
    );
    assert!(ledger.is_file(), "no ledger at {}", ledger.display());
    // A page asked for under another host name is refused (DNS rebinding).
    let mut stream = std::net::TcpStream::connect(server.addr).expect("connect");
    use std::io::{Read, Write};
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read");
    assert!(raw.starts_with("HTTP/1.1 403"), "{raw}");
}

#[test]
fn off_the_loopback_a_token_is_generated_printed_once_and_required() {
    let server = Server::start(&["--listen", "0.0.0.0:0", "--no-ledger"]);
    assert!(
        server
            .printed
            .contains("generated and is shown only this once"),
        "{}",
        server.printed
    );
    assert!(server.printed.contains("No ledger"), "{}", server.printed);
    let token = server
        .url
        .split_once("?token=")
        .map(|(_, t)| t.to_string())
        .expect("the address carries the token");
    assert_eq!(token.len(), 64, "{token}");
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], server.addr.port()));
    // Without the token: refused.
    let refused = request(addr, "GET", "/", &[]);
    assert_eq!(refused.status, 401, "{}", refused.head);
    let wrong = request(
        addr,
        "GET",
        "/",
        &[("Authorization", &format!("Bearer {}", "0".repeat(64)))],
    );
    assert_eq!(wrong.status, 401);
    // The printed address sets the token in a cookie and leaves the
    // address bar; the cookie then opens the page.
    let first = request(addr, "GET", &format!("/?token={token}"), &[]);
    assert_eq!(first.status, 303, "{}", first.head);
    let head = first.head.to_ascii_lowercase();
    assert!(
        head.contains(&format!("set-cookie: certcheck_token={token}")),
        "{head}"
    );
    assert!(head.contains("httponly") && head.contains("samesite=strict"));
    let with_cookie = request(
        addr,
        "GET",
        "/",
        &[("Cookie", &format!("certcheck_token={token}"))],
    );
    assert_eq!(with_cookie.status, 200, "{}", with_cookie.head);
    let with_header = request(
        addr,
        "GET",
        "/ledger",
        &[("Authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(with_header.status, 200);
}

#[test]
fn a_given_token_is_used_and_a_weak_one_is_a_usage_error() {
    let token = "desk-token-0123456789";
    let server = Server::start(&["--listen", "127.0.0.1:0", "--no-ledger", "--token", token]);
    assert_eq!(server.url, format!("{}/?token={token}", server.base()));
    assert!(!server.printed.contains("shown only this once"));
    assert_eq!(request(server.addr, "GET", "/", &[]).status, 401);
    let ok = request(
        server.addr,
        "GET",
        "/",
        &[("Authorization", &format!("Bearer {token}"))],
    );
    assert_eq!(ok.status, 200);

    let dir = tempfile::tempdir().expect("tempdir");
    let weak = Command::new(env!("CARGO_BIN_EXE_certcheck"))
        .env("CERTCHECK_CONFIG_DIR", dir.path().join("config"))
        .env("CERTCHECK_DATA_DIR", dir.path().join("data"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--no-ledger",
            "--token",
            "short",
        ])
        .output()
        .expect("runs");
    assert_eq!(weak.status.code(), Some(2));
    let err = String::from_utf8_lossy(&weak.stderr);
    assert!(err.contains("at least 16 characters"), "{err}");
}

#[test]
fn serve_prints_in_chinese_when_asked() {
    let server = Server::start_in("zh", &["--listen", "127.0.0.1:0", "--no-ledger"]);
    assert!(
        server
            .printed
            .contains("证书核验台已启动，请在浏览器中打开："),
        "{}",
        server.printed
    );
}

#[test]
fn an_address_in_use_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_certcheck"))
        .env("CERTCHECK_CONFIG_DIR", dir.path().join("config"))
        .env("CERTCHECK_DATA_DIR", dir.path().join("data"))
        .args(["serve", "--no-ledger", "--listen", &addr])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen on"), "{err}");
}
