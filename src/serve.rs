//! `dossier serve`: build, then serve the output folder on 127.0.0.1.
//! (Watching and live reload come with the publishing work.)

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};

/// Serves files under `root` until the process is stopped.
pub fn run(root: &Path, port: u16) -> Result<()> {
    let server =
        tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| anyhow!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let addr = server.server_addr().to_ip().map(|a| a.to_string()).unwrap_or_default();
    println!("Serving {} at http://{addr}/ (Ctrl-C to stop)", root.display());
    let root = root.canonicalize()?;
    for req in server.incoming_requests() {
        let resp = match resolve(&root, req.url()) {
            Some(path) => {
                let bytes = std::fs::read(&path).unwrap_or_default();
                tiny_http::Response::from_data(bytes).with_header(content_type(&path))
            }
            None => {
                let bytes = std::fs::read(root.join("404.html")).unwrap_or_else(|_| b"not found".to_vec());
                tiny_http::Response::from_data(bytes)
                    .with_status_code(404)
                    .with_header(content_type(Path::new("x.html")))
            }
        };
        let _ = req.respond(resp);
    }
    Ok(())
}

/// Maps a request path to a file inside `root`, refusing anything that
/// would leave it (`..`, encoded variants, symlinks out) and directories
/// without an `index.html`.
pub fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut full = root.to_path_buf();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => full.push(p),
        }
    }
    if full.is_dir() {
        full.push("index.html");
    }
    let real = full.canonicalize().ok()?;
    (real.starts_with(root) && real.is_file()).then_some(real)
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> tiny_http::Header {
    let ct = match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "application/octet-stream",
    };
    tiny_http::Header::from_bytes(&b"Content-Type"[..], ct.as_bytes()).expect("valid header")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("index.html"), "hi").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "no").unwrap();
        let root = root.canonicalize().unwrap();
        assert!(resolve(&root, "/").is_some());
        assert!(resolve(&root, "/index.html").is_some());
        assert!(resolve(&root, "/../secret.txt").is_none());
        assert!(resolve(&root, "/%2e%2e/secret.txt").is_none());
        assert!(resolve(&root, "/%2e%2e%2fsecret.txt").is_none());
        assert!(resolve(&root, "/nothing.html").is_none());
    }
}
