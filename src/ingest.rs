//! Stage 1, ingest: walk the input folder and read every article.
//!
//! `.txt`: the first non-empty line is the title, the rest is the body.
//! `.md`: TOML front matter between `+++` lines (title, date, source, url,
//! tags, byline), then a Markdown body whose blocks become body lines.
//! Other files are skipped with a warning. Files are decoded leniently
//! (BOM, UTF-16, invalid UTF-8) and every repair is reported.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use walkdir::WalkDir;

use crate::model::Warning;

/// One input article as read from disk, before any cleaning.
#[derive(Debug, Clone, Default)]
pub struct RawArticle {
    /// Path shown to users and exported: the input folder's name joined with
    /// the path inside it, `/`-separated (e.g. `seeds/politics/a.txt`).
    pub source_file: String,
    /// Absolute or working-directory-relative path on disk.
    pub path: PathBuf,
    /// The decoded text exactly as ingested (before cleaning).
    pub raw: String,
    /// Title from front matter or the first non-empty line.
    pub title: String,
    /// 1-based line of the title in the file (0 when from front matter).
    pub title_line: usize,
    /// Body lines after the title (or front matter), with 1-based line numbers.
    /// Blank lines separate paragraphs.
    pub body: Vec<(usize, String)>,
    pub front: FrontMatter,
}

/// TOML front matter of a `.md` article. Unknown keys are an error.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: Option<String>,
    /// ISO date `YYYY-MM-DD` (a TOML date or a string).
    pub date: Option<toml::Value>,
    /// One source name or a list of them.
    pub source: Option<toml::Value>,
    pub sources: Option<Vec<String>>,
    pub url: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub byline: Option<String>,
}

impl FrontMatter {
    /// The publication date as an ISO string, if given.
    pub fn date_string(&self) -> Option<String> {
        match &self.date {
            Some(toml::Value::String(s)) => Some(s.trim().to_string()),
            Some(toml::Value::Datetime(d)) => d.date.map(|d| d.to_string()),
            _ => None,
        }
    }

    /// All sources named in `source` and `sources`.
    pub fn source_list(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.source {
            Some(toml::Value::String(s)) => out.push(s.clone()),
            Some(toml::Value::Array(a)) => out.extend(a.iter().filter_map(|v| v.as_str().map(str::to_string))),
            _ => {}
        }
        if let Some(s) = &self.sources {
            out.extend(s.iter().cloned());
        }
        out
    }
}

/// Reads every article under `input`, in path order (deterministic).
/// Files that cannot be read as articles become warnings, not errors;
/// an unreadable input folder is an error.
pub fn run(input: &Path, warnings: &mut Vec<Warning>) -> Result<Vec<RawArticle>> {
    if !input.is_dir() {
        bail!("input folder {} does not exist or is not a folder", input.display());
    }
    let root_name = input
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "input".to_string());
    let mut articles = Vec::new();
    let walker = WalkDir::new(input).follow_links(true).sort_by_file_name().into_iter();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let file = err
                    .path()
                    .map(|p| display_path(&root_name, input, p))
                    .unwrap_or_default();
                warnings.push(warn(&file, None, format!("skipped: {err}")));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let shown = display_path(&root_name, input, path);
        let name = entry.file_name().to_string_lossy();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if name.starts_with('.') && ext != "txt" && ext != "md" {
            continue;
        }
        if ext != "txt" && ext != "md" {
            warnings.push(warn(&shown, None, "skipped: not a .txt or .md article".to_string()));
            continue;
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(err) => {
                warnings.push(warn(&shown, None, format!("skipped: cannot read file: {err}")));
                continue;
            }
        };
        match read_article(&shown, path, &bytes, ext == "md", warnings) {
            Ok(Some(a)) => articles.push(a),
            Ok(None) => {}
            Err(err) => warnings.push(warn(&shown, None, format!("skipped: {err:#}"))),
        }
    }
    Ok(articles)
}

fn warn(file: &str, line: Option<usize>, message: String) -> Warning {
    Warning {
        file: file.to_string(),
        line,
        message,
    }
}

fn display_path(root_name: &str, input: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(input).unwrap_or(path);
    let mut s = root_name.to_string();
    for c in rel.components() {
        s.push('/');
        s.push_str(&c.as_os_str().to_string_lossy());
    }
    s
}

/// Parses one file's bytes into a raw article. `Ok(None)` means the file
/// holds no article (empty or whitespace only), which is warned about.
pub fn read_article(
    shown: &str,
    path: &Path,
    bytes: &[u8],
    markdown: bool,
    warnings: &mut Vec<Warning>,
) -> Result<Option<RawArticle>> {
    let raw = decode(shown, bytes, warnings)?;
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let (front, body_start, body_text) = if markdown {
        split_front_matter(shown, &text)?
    } else {
        (FrontMatter::default(), 1, text.as_str())
    };
    let mut lines: Vec<(usize, String)> = if markdown {
        markdown_blocks(body_text, body_start)
    } else {
        body_text
            .split('\n')
            .enumerate()
            .map(|(i, l)| (i + body_start, l.to_string()))
            .collect()
    };
    let (title, title_line) = match front.title.clone().filter(|t| !t.trim().is_empty()) {
        Some(t) => (t.trim().to_string(), 0),
        None => {
            let Some(pos) = lines.iter().position(|(_, l)| !is_blank(l)) else {
                warnings.push(warn(shown, None, "skipped: the file holds no text".to_string()));
                return Ok(None);
            };
            let (line_no, title) = lines[pos].clone();
            lines.drain(..=pos);
            (title.trim().to_string(), line_no)
        }
    };
    Ok(Some(RawArticle {
        source_file: shown.to_string(),
        path: path.to_path_buf(),
        raw,
        title,
        title_line,
        body: lines,
        front,
    }))
}

/// True for a line holding only whitespace (including no-break and zero-width spaces).
pub fn is_blank(line: &str) -> bool {
    line.chars()
        .all(|c| c.is_whitespace() || matches!(c, '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}'))
}

/// Decodes bytes as UTF-8 (BOM stripped) or UTF-16 (by BOM); invalid UTF-8
/// is decoded lossily with a warning naming the first bad byte offset.
fn decode(shown: &str, bytes: &[u8], warnings: &mut Vec<Warning>) -> Result<String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode(shown, rest, warnings);
    }
    let utf16 = |le: bool, body: &[u8]| -> String {
        let units: Vec<u16> = body
            .chunks(2)
            .map(|c| {
                let pair = [c[0], *c.get(1).unwrap_or(&0)];
                if le {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Ok(utf16(true, rest));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Ok(utf16(false, rest));
    }
    let nul = bytes.iter().take(8192).filter(|&&b| b == 0).count();
    if nul > 0 {
        bail!("binary file (it contains NUL bytes)");
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            warnings.push(warn(
                shown,
                None,
                format!(
                    "invalid UTF-8 at byte offset {}; decoded with replacement characters",
                    e.valid_up_to()
                ),
            ));
            Ok(String::from_utf8_lossy(bytes).into_owned())
        }
    }
}

/// Splits `+++` TOML front matter off a Markdown file. Returns the parsed
/// front matter, the 1-based line where the body starts, and the body.
fn split_front_matter<'a>(shown: &str, text: &'a str) -> Result<(FrontMatter, usize, &'a str)> {
    let Some(rest) = text.strip_prefix("+++\n") else {
        return Ok((FrontMatter::default(), 1, text));
    };
    let Some(end) = rest.find("\n+++") else {
        bail!("{shown}:1: front matter opened with +++ is never closed");
    };
    let toml_text = &rest[..end + 1];
    let after = &rest[end + 4..];
    let body = after.strip_prefix('\n').unwrap_or(after);
    let body_start = 2 + toml_text.matches('\n').count() + 1;
    let front: FrontMatter = toml::from_str(toml_text).map_err(|e| {
        let (line, col) = e.span().map(|s| line_col(toml_text, s.start)).unwrap_or((0, 0));
        anyhow::anyhow!("{shown}:{}:{}: invalid front matter: {}", line + 1, col, e.message())
    })?;
    if let Some(d) = front.date_string() {
        if !is_iso_date(&d) {
            bail!("{shown}:2: front matter date {d:?} is not a date like 2016-12-13");
        }
    }
    Ok((front, body_start, body))
}

/// 1-based line and column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map(|p| offset - p).unwrap_or(offset + 1);
    (line, col)
}

/// `YYYY-MM-DD` with a plausible month and day.
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    matches!((num(0..4), num(5..7), num(8..10)), (Some(_), Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d))
}

/// Turns a Markdown body into body lines: each block (paragraph, heading,
/// list item, quote paragraph, code block) becomes one line of plain text,
/// followed by a blank line. Inline markup is reduced to its text; raw HTML
/// is kept as literal text (escaped later on output).
fn markdown_blocks(body: &str, first_line: usize) -> Vec<(usize, String)> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut out = Vec::new();
    let mut current = String::new();
    let mut current_line = first_line;
    let mut depth = 0usize;
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::Item) => {
                if depth == 0 || current.trim().is_empty() {
                    current_line = first_line + body[..range.start].matches('\n').count();
                }
                depth += 1;
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::Item) => {
                depth = depth.saturating_sub(1);
                let text = current.trim().to_string();
                if !text.is_empty() {
                    out.push((current_line, text));
                    out.push((current_line, String::new()));
                }
                current.clear();
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => current.push_str(&t),
            Event::SoftBreak | Event::HardBreak => current.push(' '),
            _ => {}
        }
    }
    if !current.trim().is_empty() {
        out.push((current_line, current.trim().to_string()));
    }
    out
}

/// Reads a file for tests and tools: a convenience over [`read_article`].
pub fn read_path(path: &Path, warnings: &mut Vec<Warning>) -> Result<Option<RawArticle>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let md = path.extension().is_some_and(|e| e == "md");
    read_article(&path.display().to_string(), path, &bytes, md, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, text: &str) -> (Option<RawArticle>, Vec<Warning>) {
        let mut w = Vec::new();
        let md = name.ends_with(".md");
        let a = read_article(name, Path::new(name), text.as_bytes(), md, &mut w).unwrap();
        (a, w)
    }

    #[test]
    fn txt_title_is_first_non_empty_line() {
        let (a, _) = read("a.txt", "\n\n  The Title \n\nBody one.\n\nBody two.");
        let a = a.unwrap();
        assert_eq!(a.title, "The Title");
        assert_eq!(a.title_line, 3);
        assert_eq!(a.body[1], (5, "Body one.".to_string()));
    }

    #[test]
    fn md_front_matter_is_parsed() {
        let text = "+++\ntitle = \"Hello\"\ndate = 2016-12-13\nsource = [\"AFP\", \"BBC\"]\ntags = [\"x\"]\n+++\nFirst *para*.\n\n# Head\n";
        let (a, _) = read("a.md", text);
        let a = a.unwrap();
        assert_eq!(a.title, "Hello");
        assert_eq!(a.front.date_string().as_deref(), Some("2016-12-13"));
        assert_eq!(a.front.source_list(), vec!["AFP", "BBC"]);
        let texts: Vec<_> = a.body.iter().filter(|(_, l)| !l.is_empty()).collect();
        assert_eq!(texts[0], &(7, "First para.".to_string()));
        assert_eq!(texts[1], &(9, "Head".to_string()));
    }

    #[test]
    fn bad_front_matter_names_file_and_line() {
        let mut w = Vec::new();
        let text = "+++\ntitle = \"ok\"\ndate = \n+++\nbody";
        let err = read_article("x/a.md", Path::new("a.md"), text.as_bytes(), true, &mut w)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x/a.md:3:"), "{err}");
        let err = read_article("a.md", Path::new("a.md"), b"+++\nwho = 1\n+++\n", true, &mut w)
            .unwrap_err()
            .to_string();
        assert!(err.contains("who"), "{err}");
    }

    #[test]
    fn encodings_are_repaired_and_reported() {
        let mut w = Vec::new();
        let a = read_article(
            "b.txt",
            Path::new("b.txt"),
            b"\xEF\xBB\xBFTitle\r\n\r\nBody",
            false,
            &mut w,
        )
        .unwrap()
        .unwrap();
        assert_eq!(a.title, "Title");
        assert_eq!(a.body.last().unwrap().1, "Body");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Tïtle\n\nx".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        let a = read_article("c.txt", Path::new("c.txt"), &utf16, false, &mut w)
            .unwrap()
            .unwrap();
        assert_eq!(a.title, "Tïtle");
        assert!(w.is_empty());
        let a = read_article("d.txt", Path::new("d.txt"), b"Ti\xFFtle\n", false, &mut w)
            .unwrap()
            .unwrap();
        assert_eq!(a.title, "Ti\u{FFFD}tle");
        assert!(w[0].message.contains("byte offset 2"), "{:?}", w);
        assert!(read_article("e.bin", Path::new("e"), b"ab\0cd", false, &mut w).is_err());
        assert!(read_article("f.txt", Path::new("f"), b" \n\t\n", false, &mut w)
            .unwrap()
            .is_none());
    }
}
