//! `dossier serve` end to end: the binary on a temporary archive, spoken to
//! with raw HTTP requests (so no client tidies the paths first).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["serve", "--port", "0", "--config"])
        .arg(dir.join("config.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dossier serve");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut addr = String::new();
    for _ in 0..10 {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(rest) = line.split("http://").nth(1) {
            addr = rest.split('/').next().unwrap().to_string();
            break;
        }
    }
    assert!(!addr.is_empty(), "serve printed no address");
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in out.lines() {});
    Server { child, addr }
}

/// Sends `GET target` as written; returns (status, body).
fn get(addr: &str, target: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let code = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|x| x.1.to_string()).unwrap_or_default();
    (code, body)
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(30) {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

fn archive() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("articles")).unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[site]\ntitle = \"Harbour news\"\nbase_url = \"https://user.github.io/harbour/\"\n\n[build]\ninput = \"articles\"\noutput = \"site\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("articles/storm.txt"),
        "Storm closes the harbour\n\nThe harbour closed on Monday as the storm arrived.\n\nFishing boats stayed in port.\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("secret.txt"), "private").unwrap();
    dir
}

#[test]
fn serves_the_site_refuses_traversal_and_answers_404() {
    let dir = archive();
    let srv = start(dir.path());
    let (code, home) = get(&srv.addr, "/");
    assert_eq!(code, 200);
    assert!(home.contains("Harbour news"));
    assert!(home.contains("/__dossier/live.js"), "live reload script injected");
    // The file on disk has no live-reload script.
    let disk = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    assert!(!disk.contains("__dossier"));
    // Also under the published sub-path, as on GitHub Pages.
    assert_eq!(get(&srv.addr, "/harbour/index.html").0, 200);
    for bad in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..%2f..%2fsecret.txt",
        "/static/..%5c..%5csecret.txt",
        "//../secret.txt",
    ] {
        let (code, body) = get(&srv.addr, bad);
        assert_eq!(code, 404, "{bad}");
        assert!(!body.contains("private"), "{bad} leaked a file outside the site");
        assert!(body.contains("Page not found"), "{bad}: not the site's 404 page");
    }
    let (code, body) = get(&srv.addr, "/articles/");
    assert_eq!(code, 404, "folders are never listed");
    assert!(!body.contains("storm-closes"));
    let (code, body) = get(&srv.addr, "/harbour/deep/er/missing.html");
    assert_eq!(code, 404);
    assert!(
        body.contains("href=\"/harbour/static/style.css\""),
        "404 links from the site path"
    );
    assert_eq!(get(&srv.addr, "/harbour/static/style.css").0, 200);
}

#[test]
fn rebuilds_on_change_and_reports_errors_without_stopping() {
    let dir = archive();
    let srv = start(dir.path());
    let status = |addr: &str| -> serde_json::Value { serde_json::from_str(&get(addr, "/__dossier/status").1).unwrap() };
    let v1 = status(&srv.addr)["version"].as_u64().unwrap();
    assert!(v1 >= 1);

    // A new article appears after a rebuild, and the version moves on.
    std::fs::write(
        dir.path().join("articles/quay.txt"),
        "Quay reopens\n\nThe quay reopened on Friday after repairs.\n",
    )
    .unwrap();
    wait_for("the rebuild", || status(&srv.addr)["version"].as_u64().unwrap() > v1);
    let (code, page) = get(&srv.addr, "/articles/quay-reopens.html");
    assert_eq!(code, 200);
    assert!(page.contains("The quay reopened on Friday"));

    // A broken template: the error is reported, the last good site stays.
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("templates/article.html"),
        "{% extends \"base.html\" %}{% block content %}{{ oops(",
    )
    .unwrap();
    wait_for("the template error", || status(&srv.addr)["error"].is_string());
    let err = status(&srv.addr)["error"].as_str().unwrap().to_string();
    assert!(err.contains("template"), "{err}");
    assert_eq!(get(&srv.addr, "/articles/quay-reopens.html").0, 200);

    // Fixed: the error clears and the new template is used.
    let v2 = status(&srv.addr)["version"].as_u64().unwrap();
    std::fs::write(
        dir.path().join("templates/article.html"),
        "{% extends \"base.html\" %}{% block content %}<h1>Custom: {{ article.title }}</h1>{% endblock content %}",
    )
    .unwrap();
    wait_for("the fix", || {
        let s = status(&srv.addr);
        s["error"].is_null() && s["version"].as_u64().unwrap() > v2
    });
    assert!(get(&srv.addr, "/articles/quay-reopens.html")
        .1
        .contains("Custom: Quay reopens"));

    // A config error is reported too.
    std::fs::write(dir.path().join("config.toml"), "[site]\nnot_a_key = 1\n").unwrap();
    wait_for("the config error", || status(&srv.addr)["error"].is_string());
    assert!(status(&srv.addr)["error"].as_str().unwrap().contains("not_a_key"));
}
