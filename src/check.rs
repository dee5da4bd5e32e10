//! `dossier check`: verifies a built site as files on disk: every internal
//! `href`/`src` resolves to a file, every `#anchor` exists on its page,
//! `data/archive.json` parses as the model, the search index is complete and
//! consistent (every shard and document file present, every result pointing
//! at an existing page and paragraph), and the sitemap lists existing pages.
//!
//! `404.html` is the one page with root-relative links (GitHub Pages serves
//! it for missing paths at any depth): they must start with the path of the
//! site's `base_url`, read from the feed's `<id>`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Result};
use regex::Regex;
use walkdir::WalkDir;

use crate::model::Archive;

/// Returns the list of problems found (empty when the site is sound).
pub fn run(site: &Path) -> Result<Vec<String>> {
    if !site.join("index.html").is_file() {
        bail!("{} has no index.html: is it a built site?", site.display());
    }
    let link_re = Regex::new(r#"(?:href|src)="([^"]*)""#).expect("valid regex");
    let id_re = Regex::new(r#"\bid="([^"]*)""#).expect("valid regex");
    let mut pages: BTreeMap<PathBuf, String> = BTreeMap::new();
    for e in WalkDir::new(site)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html") {
            let rel = e.path().strip_prefix(site).unwrap_or(e.path()).to_path_buf();
            pages.insert(rel, std::fs::read_to_string(e.path()).unwrap_or_default());
        }
    }
    let ids: BTreeMap<&PathBuf, BTreeSet<String>> = pages
        .iter()
        .map(|(p, html)| (p, id_re.captures_iter(html).map(|c| unescape(&c[1])).collect()))
        .collect();
    let base_url = feed_id(site);
    let base_path = base_url
        .as_deref()
        .map(crate::feeds::base_path)
        .unwrap_or_else(|| "/".into());
    let mut problems = Vec::new();
    for (page, html) in &pages {
        for c in link_re.captures_iter(html) {
            let mut link = unescape(&c[1]);
            if link.is_empty() || link.starts_with("mailto:") || link.contains("://") || link.starts_with("data:") {
                continue;
            }
            if page.as_path() == Path::new("404.html") && !link.starts_with('#') {
                match link.strip_prefix(&base_path) {
                    Some(rest) => link = rest.to_string(),
                    None => {
                        problems.push(format!(
                            "404.html: link {link:?} does not start with the site path {base_path:?}"
                        ));
                        continue;
                    }
                }
            } else if link.starts_with('/') {
                problems.push(format!(
                    "{}: root-relative link {link:?} breaks under a sub-path and on file://",
                    page.display()
                ));
                continue;
            }
            let (file, anchor) = link
                .split_once('#')
                .map(|(f, a)| (f, Some(a)))
                .unwrap_or((link.as_str(), None));
            let file = file.split('?').next().unwrap_or("");
            let target = if file.is_empty() {
                page.clone()
            } else {
                normalise(&page.parent().unwrap_or(Path::new("")).join(file))
            };
            if !file.is_empty() && !site.join(&target).is_file() {
                problems.push(format!("{}: link {link:?} points to a missing file", page.display()));
                continue;
            }
            if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
                match ids.get(&target) {
                    Some(set) if set.contains(anchor) => {}
                    Some(_) => problems.push(format!(
                        "{}: link {link:?}: no id {anchor:?} on {}",
                        page.display(),
                        target.display()
                    )),
                    None => {}
                }
            }
        }
    }
    let json = site.join("data/archive.json");
    match std::fs::read_to_string(&json) {
        Ok(text) => {
            if let Err(e) = serde_json::from_str::<Archive>(&text) {
                problems.push(format!("data/archive.json: invalid: {e}"));
            }
        }
        Err(e) => problems.push(format!("data/archive.json: cannot read: {e}")),
    }
    check_search(site, &ids, &mut problems);
    if let Some(base) = &base_url {
        check_sitemap(site, base, &mut problems);
    }
    Ok(problems)
}

/// The feed's `<id>`, which is the site's `base_url`.
fn feed_id(site: &Path) -> Option<String> {
    let feed = std::fs::read_to_string(site.join("atom.xml")).ok()?;
    let start = feed.find("<id>")? + 4;
    let end = start + feed[start..].find("</id>")?;
    Some(unescape(&feed[start..end]))
}

/// Every `<loc>` of the sitemap (and of the sitemaps it indexes) is under
/// `base` and names an existing file.
fn check_sitemap(site: &Path, base: &str, problems: &mut Vec<String>) {
    let loc_re = Regex::new(r"<loc>([^<]*)</loc>").expect("valid regex");
    let Ok(text) = std::fs::read_to_string(site.join("sitemap.xml")) else {
        problems.push("sitemap.xml: missing".into());
        return;
    };
    let mut todo = vec![("sitemap.xml".to_string(), text)];
    while let Some((name, text)) = todo.pop() {
        for c in loc_re.captures_iter(&text) {
            let loc = unescape(&c[1]);
            let Some(rest) = loc.strip_prefix(base) else {
                problems.push(format!("{name}: {loc} is not under base_url {base}"));
                continue;
            };
            let file = if rest.is_empty() { "index.html" } else { rest };
            if !site.join(file).is_file() {
                problems.push(format!("{name}: {loc} points to a missing file"));
            } else if file.starts_with("sitemap-") && file.ends_with(".xml") {
                todo.push((
                    file.to_string(),
                    std::fs::read_to_string(site.join(file)).unwrap_or_default(),
                ));
            }
        }
    }
}

/// The search index: manifest, every term shard and document bucket it
/// implies, terms in their shard's range, postings pointing at existing
/// documents and paragraphs, documents pointing at existing pages and ids.
fn check_search(site: &Path, ids: &BTreeMap<&PathBuf, BTreeSet<String>>, problems: &mut Vec<String>) {
    use crate::search::parse_file;
    let dir = site.join("search");
    let read = |rel: &str, want: &str, n: usize, problems: &mut Vec<String>| -> Option<serde_json::Value> {
        let text = match std::fs::read_to_string(dir.join(rel)) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("search/{rel}: cannot read: {e}"));
                return None;
            }
        };
        match parse_file(&text) {
            Some((kind, k, data)) if kind == want && k == n => Some(data),
            _ => {
                problems.push(format!("search/{rel}: not a {want} file number {n}"));
                None
            }
        }
    };
    if !dir.join("index.js").is_file() {
        problems.push("search/index.js: missing (no search index)".into());
        return;
    }
    let Some(m) = read("index.js", "manifest", 0, problems) else {
        return;
    };
    let n_docs = m["docs"].as_u64().unwrap_or(0) as usize;
    let bucket = m["bucket"].as_u64().unwrap_or(0) as usize;
    let firsts: Vec<String> = serde_json::from_value(m["shards"].clone()).unwrap_or_default();
    if bucket == 0 || firsts.is_empty() {
        problems.push("search/index.js: no bucket size or no shards".into());
        return;
    }
    // Paragraph counts per document, from the buckets.
    let mut paras: Vec<usize> = Vec::with_capacity(n_docs);
    for b in 0..n_docs.div_ceil(bucket) {
        let Some(docs) = read(&format!("d/{b}.js"), "docs", b, problems) else {
            paras.extend(std::iter::repeat_n(usize::MAX, bucket));
            continue;
        };
        for d in docs.as_array().into_iter().flatten() {
            let url = d["url"].as_str().unwrap_or("");
            let page = PathBuf::from(url);
            let ps = d["paragraphs"].as_array().cloned().unwrap_or_default();
            match ids.get(&page) {
                None => problems.push(format!("search/d/{b}.js: {url:?} is not a page of the site")),
                Some(set) => {
                    for p in &ps {
                        let id = p[0].as_str().unwrap_or("");
                        if !set.contains(id) {
                            problems.push(format!("search/d/{b}.js: no id {id:?} on {url}"));
                        }
                    }
                }
            }
            paras.push(ps.len());
        }
    }
    if paras.len() < n_docs {
        problems.push(format!(
            "search: {} documents in the manifest, {} in the buckets",
            n_docs,
            paras.len()
        ));
    }
    for (i, first) in firsts.iter().enumerate() {
        let Some(terms) = read(&format!("t/{i}.js"), "terms", i, problems) else {
            continue;
        };
        let next = firsts.get(i + 1);
        for (term, entry) in terms.as_object().into_iter().flatten() {
            if term < first || next.is_some_and(|n| term >= n) {
                problems.push(format!("search/t/{i}.js: term {term:?} is outside the shard's range"));
            }
            let list = entry[1].as_array().cloned().unwrap_or_default();
            for p in list.chunks(3) {
                let (d, k) = (
                    p[0].as_u64().unwrap_or(u64::MAX) as usize,
                    p.get(1).and_then(|x| x.as_u64()),
                );
                match (paras.get(d), k) {
                    (Some(&n), Some(k)) if n == usize::MAX || k as usize <= n => {}
                    _ => {
                        problems.push(format!(
                            "search/t/{i}.js: term {term:?} points to a missing document or paragraph"
                        ));
                        break;
                    }
                }
            }
        }
    }
}

/// Decodes the character references an attribute value may hold.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|quot|lt|gt|apos);").expect("valid regex"));
    re.replace_all(s, |c: &regex::Captures| {
        let name = &c[1];
        let ch = match name {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            _ if name.starts_with("#x") => u32::from_str_radix(&name[2..], 16).ok().and_then(char::from_u32),
            _ => name[1..].parse().ok().and_then(char::from_u32),
        };
        ch.map(String::from).unwrap_or_else(|| c[0].to_string())
    })
    .into_owned()
}

/// Resolves `.` and `..` without touching the disk.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
