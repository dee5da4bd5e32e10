//! `dossier serve`: local preview. Builds, serves the output folder on
//! 127.0.0.1, watches the input folder, the templates folder and the config
//! file, rebuilds on change and reloads open pages.
//!
//! - Only files inside the output folder are served: `..`, encoded variants,
//!   absolute paths and symlinks leading out are refused; folders are never
//!   listed; unknown paths get the site's `404.html` with status 404.
//! - The site answers both at `/` and under the path of `base_url` (e.g.
//!   `/repo/`), as on GitHub Pages, so `404.html` (which links from that
//!   path) is tested as published.
//! - Live reload: HTML responses get one extra `<script src="/__dossier/live.js">`
//!   (the files on disk are untouched). It polls `/__dossier/status` and
//!   reloads the page after a rebuild, or shows the build error over the
//!   page while the build is broken; the last good site stays served.
//! - A template-only change re-renders from the cached model; other changes
//!   rebuild everything.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _, Result};

use crate::build::{self, Paths};
use crate::config::Config;
use crate::model::Archive;
use crate::render;

/// What to serve and watch.
pub struct Options {
    pub paths: Paths,
    /// The config file (reloaded on every rebuild; may not exist).
    pub config: PathBuf,
    /// Replaces the config's `base_url` when set.
    pub base_url: Option<String>,
    pub port: u16,
}

/// Build state shared by the server threads and the watcher.
#[derive(Debug, Default, Clone)]
struct Status {
    /// Bumped after every successful build.
    version: u64,
    /// The last build's error, while the build is broken.
    error: Option<String>,
}

/// The model from the last successful build, reused when only templates
/// changed.
struct Cache {
    cfg_text: String,
    archive: Archive,
    originals: crate::ingest::Originals,
}

const LIVE_JS: &str = include_str!("../templates/static/live.js");
const LIVE_CSS: &str = include_str!("../templates/static/live.css");

/// Builds, serves and watches until the process is stopped.
pub fn run(opts: Options) -> Result<()> {
    // Watch before the first build and before the address is printed, so no
    // change made after either is missed.
    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(tx)?;
    let templates_watched = start_watching(&opts, &mut watcher)?;
    let status = Arc::new(Mutex::new(Status::default()));
    let mut cache: Option<Cache> = None;
    let t = Instant::now();
    match rebuild(&opts, &mut cache, false) {
        Ok(summary) => {
            println!("{summary} in {:.2}s", t.elapsed().as_secs_f64());
            status.lock().expect("status lock").version = 1;
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            status.lock().expect("status lock").error = Some(format!("{e:#}"));
        }
    }
    let cfg = load_config(&opts).unwrap_or_default();
    let base_path = crate::feeds::base_path(&cfg.site.base_url);
    let server = tiny_http::Server::http(("127.0.0.1", opts.port))
        .map_err(|e| anyhow!("cannot listen on 127.0.0.1:{}: {e}", opts.port))?;
    let addr = server.server_addr().to_ip().map(|a| a.to_string()).unwrap_or_default();
    std::fs::create_dir_all(&opts.paths.output)
        .with_context(|| format!("cannot create {}", opts.paths.output.display()))?;
    let root = opts.paths.output.canonicalize()?;
    let prefix = if base_path == "/" {
        String::new()
    } else {
        format!(" (and under {base_path} as published)")
    };
    println!("Serving {} at http://{addr}/{prefix}", opts.paths.output.display());
    println!("Watching for changes; Ctrl-C to stop.");
    let server = Arc::new(server);
    for _ in 0..4 {
        let (server, status, root, base_path) = (server.clone(), status.clone(), root.clone(), base_path.clone());
        std::thread::spawn(move || {
            while let Ok(req) = server.recv() {
                let snapshot = status.lock().expect("status lock").clone();
                let resp = respond(&root, &base_path, req.method(), req.url(), &snapshot);
                let _ = req.respond(resp);
            }
        });
    }
    watch(&opts, &status, &mut cache, watcher, rx, templates_watched)
}

/// Registers the input folder, the config's folder and (when it exists) the
/// templates folder with `watcher`; returns whether templates are watched.
fn start_watching(opts: &Options, watcher: &mut notify::RecommendedWatcher) -> Result<bool> {
    use notify::{RecursiveMode, Watcher};
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let input = canon(&opts.paths.input);
    let config_dir = canon(&opts.config)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    watcher
        .watch(&input, RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", input.display()))?;
    watcher.watch(&config_dir, RecursiveMode::NonRecursive)?;
    let templates = opts.paths.templates.as_deref().map(canon).filter(|t| t.is_dir());
    Ok(templates.is_some_and(|t| watcher.watch(&t, RecursiveMode::Recursive).is_ok()))
}

/// Watches the inputs and rebuilds after each burst of changes.
fn watch(
    opts: &Options,
    status: &Mutex<Status>,
    cache: &mut Option<Cache>,
    mut watcher: notify::RecommendedWatcher,
    rx: std::sync::mpsc::Receiver<notify::Result<notify::Event>>,
    mut watching_templates: bool,
) -> Result<()> {
    use notify::{RecursiveMode, Watcher};
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let input = canon(&opts.paths.input);
    let templates = opts.paths.templates.as_deref().map(canon);
    let config = canon(&opts.config);
    let mut watch_templates = |w: &mut notify::RecommendedWatcher| {
        if let Some(t) = templates.as_deref().filter(|t| t.is_dir()) {
            if !watching_templates && w.watch(t, RecursiveMode::Recursive).is_ok() {
                watching_templates = true;
            }
        }
    };
    watch_templates(&mut watcher);
    // Which kinds of input an event touched: (templates only?, anything?).
    let relevant = |ev: &notify::Event| -> (bool, bool) {
        if matches!(ev.kind, notify::EventKind::Access(_)) {
            return (true, false);
        }
        let mut only_templates = true;
        let mut any = false;
        for p in &ev.paths {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name == "4913" {
                continue;
            }
            let in_templates = templates.as_deref().is_some_and(|t| p.starts_with(t));
            if in_templates {
                any = true;
            } else if p.starts_with(&input) || *p == config {
                any = true;
                only_templates = false;
            }
        }
        (only_templates, any)
    };
    loop {
        let ev = match rx.recv() {
            Ok(Ok(ev)) => ev,
            Ok(Err(e)) => {
                eprintln!("watch error: {e}");
                continue;
            }
            Err(_) => return Ok(()),
        };
        let (mut only_templates, any) = relevant(&ev);
        if !any {
            continue;
        }
        // Let the burst settle (editors write, rename and touch in turn).
        loop {
            match rx.recv_timeout(Duration::from_millis(150)) {
                Ok(Ok(ev)) => {
                    let (t, a) = relevant(&ev);
                    if a {
                        only_templates &= t;
                    }
                }
                Ok(Err(_)) => {}
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
        watch_templates(&mut watcher);
        let t = Instant::now();
        match rebuild(opts, cache, only_templates) {
            Ok(summary) => {
                let mut s = status.lock().expect("status lock");
                s.version += 1;
                s.error = None;
                println!("Rebuilt: {summary} in {:.2}s", t.elapsed().as_secs_f64());
            }
            Err(e) => {
                eprintln!("error: {e:#}\n(still serving the last good build; fix it and save)");
                status.lock().expect("status lock").error = Some(format!("{e:#}"));
            }
        }
    }
}

fn load_config(opts: &Options) -> Result<Config> {
    let mut cfg = Config::load(&opts.config)?;
    if let Some(b) = &opts.base_url {
        cfg.site.base_url = b.clone();
    }
    Ok(cfg)
}

/// One build: the model is reused when only templates changed and the
/// config is the same; then render and write as `dossier build` does.
fn rebuild(opts: &Options, cache: &mut Option<Cache>, only_templates: bool) -> Result<String> {
    let cfg = load_config(opts)?;
    let cfg_text = format!("{cfg:?}");
    let tera = render::load_templates(opts.paths.templates.as_deref())?;
    let reuse = only_templates && cache.as_ref().is_some_and(|c| c.cfg_text == cfg_text);
    let memo = crate::memo::Store::beside(&opts.paths.output, build::model_salt(&cfg));
    if !reuse {
        let (archive, originals) = build::model_with(&opts.paths, &cfg, &memo, &mut Vec::new(), &|_| {})?;
        *cache = Some(Cache {
            cfg_text,
            archive,
            originals,
        });
    }
    let c = cache.as_ref().expect("model cached");
    // As `dossier build` does: pages streamed to the writer, and those whose
    // key is unchanged since the last build neither rendered nor written.
    let writer = crate::output::Writer::new(&opts.paths.output, build::salt(&opts.paths, &cfg)?)?;
    build::render_into(&opts.paths, &cfg, &tera, &c.archive, &c.originals, &writer, &memo)?;
    let n = writer.finish()?.written;
    let what = if reuse { "re-rendered" } else { "built" };
    Ok(format!(
        "{what} {} articles into {} ({n} files)",
        c.archive.articles.len(),
        opts.paths.output.display()
    ))
}

type Response = tiny_http::Response<std::io::Cursor<Vec<u8>>>;

/// Answers one request.
fn respond(root: &Path, base_path: &str, method: &tiny_http::Method, url: &str, status: &Status) -> Response {
    use tiny_http::Method;
    if !matches!(method, Method::Get | Method::Head) {
        return tiny_http::Response::from_data(b"method not allowed".to_vec()).with_status_code(405);
    }
    let path = url.split(['?', '#']).next().unwrap_or("");
    match path {
        "/__dossier/live.js" => return file_response(LIVE_JS.as_bytes().to_vec(), "js", 200),
        "/__dossier/live.css" => return file_response(LIVE_CSS.as_bytes().to_vec(), "css", 200),
        "/__dossier/status" => {
            let body = serde_json::json!({"version": status.version, "error": status.error});
            return file_response(body.to_string().into_bytes(), "json", 200);
        }
        _ => {}
    }
    if base_path != "/" && path == base_path.trim_end_matches('/') {
        return redirect(base_path);
    }
    let found = resolve(root, url).or_else(|| {
        let rest = path
            .strip_prefix(base_path.trim_end_matches('/'))
            .filter(|r| r.starts_with('/'));
        rest.filter(|_| base_path != "/").and_then(|r| resolve(root, r))
    });
    if let Some(file) = found {
        let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("").to_string();
        if file.is_dir() {
            return redirect(&format!("{path}/"));
        }
        let bytes = std::fs::read(&file).unwrap_or_default();
        return file_response(inject(bytes, &ext, status), &ext, 200);
    }
    if status.error.is_some() && !root.join("index.html").is_file() {
        let page = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head>\
             <body><main><h1>Build failed</h1><pre>{}</pre></main></body></html>",
            render::escape(status.error.as_deref().unwrap_or(""))
        );
        return file_response(inject(page.into_bytes(), "html", status), "html", 500);
    }
    let bytes = std::fs::read(root.join("404.html")).unwrap_or_else(|_| b"<h1>Not found</h1>".to_vec());
    file_response(inject(bytes, "html", status), "html", 404)
}

fn redirect(to: &str) -> Response {
    let loc = tiny_http::Header::from_bytes(&b"Location"[..], to.as_bytes()).expect("valid header");
    tiny_http::Response::from_data(Vec::new())
        .with_status_code(301)
        .with_header(loc)
}

/// Adds the live-reload script to an HTML page, just before `</body>`.
fn inject(bytes: Vec<u8>, ext: &str, status: &Status) -> Vec<u8> {
    if ext != "html" {
        return bytes;
    }
    let tag = format!("<script src=\"/__dossier/live.js?v={}\"></script>\n", status.version);
    let mut html = String::from_utf8_lossy(&bytes).into_owned();
    match html.rfind("</body>") {
        Some(i) => html.insert_str(i, &tag),
        None => html.push_str(&tag),
    }
    html.into_bytes()
}

fn file_response(bytes: Vec<u8>, ext: &str, code: u16) -> Response {
    let header = |k: &str, v: &str| tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).expect("valid header");
    tiny_http::Response::from_data(bytes)
        .with_status_code(code)
        .with_header(header("Content-Type", content_type(ext)))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
}

/// Maps a request path to a file inside `root` (which must be canonical),
/// refusing anything that would leave it (`..`, encoded variants, symlinks
/// out) and folders without an `index.html`. A folder requested without
/// its trailing slash maps to the folder itself (the caller redirects).
pub fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return None;
    }
    let decoded = percent_decode(path)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut full = root.to_path_buf();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.contains(':') => return None,
            p => full.push(p),
        }
    }
    let real = full.canonicalize().ok()?;
    if !real.starts_with(root) {
        return None;
    }
    if real.is_dir() {
        let index = real.join("index.html").canonicalize().ok()?;
        if !index.starts_with(root) || !index.is_file() {
            return None;
        }
        return Some(if decoded.ends_with('/') || real == root {
            index
        } else {
            real
        });
    }
    real.is_file().then_some(real)
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

fn content_type(ext: &str) -> &'static str {
    match ext {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("articles")).unwrap();
        std::fs::create_dir_all(root.join("empty")).unwrap();
        std::fs::write(root.join("index.html"), "<html><body>home</body></html>").unwrap();
        std::fs::write(root.join("404.html"), "<html><body>lost</body></html>").unwrap();
        std::fs::write(root.join("articles/index.html"), "list").unwrap();
        std::fs::write(root.join("articles/a b.html"), "spaced").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "no").unwrap();
        let root = root.canonicalize().unwrap();
        (dir, root)
    }

    #[test]
    fn traversal_is_refused() {
        let (_dir, root) = site();
        assert!(resolve(&root, "/").is_some());
        assert!(resolve(&root, "/index.html").is_some());
        assert!(resolve(&root, "/articles/a%20b.html").is_some());
        for bad in [
            "/../secret.txt",
            "/articles/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/%2e%2e%2fsecret.txt",
            "/..%2fsecret.txt",
            "/..%5csecret.txt",
            "/articles/..%2f..%2fsecret.txt",
            "/%252e%252e/secret.txt",
            "/index.html%00.txt",
            "/%",
            "/%zz",
            "secret.txt",
            "../secret.txt",
            "//../secret.txt",
            "/C:/secret.txt",
            "/nothing.html",
        ] {
            assert!(resolve(&root, bad).is_none(), "{bad} was served");
        }
    }

    #[test]
    fn absolute_paths_stay_inside_the_root() {
        let (_dir, root) = site();
        // "//etc/passwd" is a path inside the root, not the system file.
        assert!(resolve(&root, "//etc/passwd").is_none());
        let secret = root.parent().unwrap().join("secret.txt");
        assert!(resolve(&root, &format!("/{}", secret.display())).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_root_are_refused() {
        let (dir, root) = site();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("up")).unwrap();
        std::os::unix::fs::symlink(root.join("index.html"), root.join("inside.html")).unwrap();
        assert!(resolve(&root, "/link.txt").is_none());
        assert!(resolve(&root, "/up/secret.txt").is_none());
        assert!(resolve(&root, "/inside.html").is_some());
    }

    #[test]
    fn folders_are_never_listed() {
        let (_dir, root) = site();
        assert!(resolve(&root, "/empty/").is_none());
        assert!(resolve(&root, "/empty").is_none());
        assert_eq!(resolve(&root, "/articles/").unwrap(), root.join("articles/index.html"));
        // Without the slash: the folder, which the server redirects.
        assert_eq!(resolve(&root, "/articles").unwrap(), root.join("articles"));
    }

    fn body(r: Response) -> (u16, String) {
        let code = r.status_code().0;
        let mut out = Vec::new();
        let mut reader = r.into_reader();
        std::io::Read::read_to_end(&mut reader, &mut out).unwrap();
        (code, String::from_utf8(out).unwrap())
    }

    #[test]
    fn responses_inject_live_reload_and_use_the_404_page() {
        let (_dir, root) = site();
        let ok = Status {
            version: 3,
            error: None,
        };
        let get = tiny_http::Method::Get;
        let (code, html) = body(respond(&root, "/repo/", &get, "/index.html", &ok));
        assert_eq!(code, 200);
        assert_eq!(
            html,
            "<html><body>home<script src=\"/__dossier/live.js?v=3\"></script>\n</body></html>"
        );
        // Under the published sub-path too.
        assert_eq!(body(respond(&root, "/repo/", &get, "/repo/index.html", &ok)).0, 200);
        assert_eq!(body(respond(&root, "/repo/", &get, "/repo", &ok)).0, 301);
        let (code, html) = body(respond(&root, "/repo/", &get, "/a/b/c/missing.html", &ok));
        assert_eq!(code, 404);
        assert!(html.contains("lost") && html.contains("live.js"));
        assert_eq!(body(respond(&root, "/", &get, "/../secret.txt", &ok)).0, 404);
        assert_eq!(
            body(respond(&root, "/", &tiny_http::Method::Post, "/index.html", &ok)).0,
            405
        );
        let (code, json) = body(respond(&root, "/", &get, "/__dossier/status", &ok));
        assert_eq!((code, json.as_str()), (200, r#"{"error":null,"version":3}"#));
        let broken = Status {
            version: 3,
            error: Some("template error: <oops>".into()),
        };
        let (_, json) = body(respond(&root, "/", &get, "/__dossier/status", &broken));
        assert!(json.contains("template error: <oops>"));
    }
}
