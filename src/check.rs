//! `dossier check`: verifies a built site as files on disk: every internal
//! `href`/`src` resolves to a file, every `#anchor` exists on its page, and
//! `data/archive.json` parses as the model.

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
    let mut problems = Vec::new();
    for (page, html) in &pages {
        for c in link_re.captures_iter(html) {
            let link = unescape(&c[1]);
            if link.is_empty() || link.starts_with("mailto:") || link.contains("://") || link.starts_with("data:") {
                continue;
            }
            if link.starts_with('/') {
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
    Ok(problems)
}

/// Decodes the character references an attribute value may hold.
fn unescape(s: &str) -> String {
    let re = Regex::new(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|quot|lt|gt|apos);").expect("valid regex");
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
