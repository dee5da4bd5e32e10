//! Stage 1, ingest: walk the input folder and read every article.
//!
//! `.txt`: the first non-empty line is the title, the rest is the body.
//! `.md`: TOML front matter between `+++` lines (title, date, source, url,
//! tags, byline), then a Markdown body whose blocks become body lines.
//! Other files are skipped with a warning. Files are decoded leniently
//! (BOM, UTF-16, invalid UTF-8) and every repair is reported. A file that
//! cannot be an article (binary, unreadable, malformed front matter) is a
//! warning naming the file and line; the rest of the archive still builds.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;
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
    pub raw: Original,
    /// Title from front matter or the first non-empty line.
    pub title: String,
    /// 1-based line of the title in the file (0 when from front matter).
    pub title_line: usize,
    /// Body lines after the title (or front matter), with 1-based line numbers.
    /// Blank lines separate paragraphs.
    pub body: Vec<(usize, String)>,
    pub front: FrontMatter,
    /// Raw HTML blocks of a `.md` body (whitespace collapsed), kept only when
    /// [`Options::allow_raw_html`] is on; their paragraphs are published as HTML.
    pub html_blocks: Vec<String>,
}

/// A file's text exactly as ingested (decoded, otherwise untouched), as
/// UTF-8 bytes. It is only shown on the article's page; [`Originals`] keeps
/// it out of memory until then. (It was LZ4-compressed, to hold less memory;
/// compressing every file again on each build was 3.6% of a rebuild's
/// instructions, and the texts now wait in a temporary file instead.)
#[derive(Clone, Default, PartialEq)]
pub struct Original(Vec<u8>);

impl Original {
    pub fn new(text: &str) -> Original {
        Original(text.as_bytes().to_vec())
    }

    /// The text.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.clone()).expect("made from a str")
    }

    /// A hash of the text.
    fn hash(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&self.0)
    }
}

impl std::fmt::Debug for Original {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Original({} bytes)", self.0.len())
    }
}

/// The text of every article as ingested, by article id, kept out of memory:
/// each is appended to an unlinked temporary file and read back when its
/// page is rendered (about 230 MB at 100k articles that would otherwise sit
/// in memory through every stage). Without a usable temporary folder they
/// are simply held in memory.
#[derive(Debug, Default)]
pub struct Originals {
    /// The temporary file, already unlinked (it disappears with the process).
    file: Option<std::fs::File>,
    /// Bytes of `file` written so far; `pending` follows them.
    written: u64,
    /// A write failed: later texts are held in memory.
    failed: bool,
    pending: Vec<u8>,
    /// Where each text is: offset and compressed length, and a hash of it.
    at: std::collections::BTreeMap<String, (u64, usize, u64)>,
    held: std::collections::BTreeMap<String, Original>,
}

/// Bytes gathered before one write to the temporary file.
const SPILL_CHUNK: usize = 1 << 20;

impl Originals {
    /// An empty store backed by a new temporary file in `std::env::temp_dir()`.
    pub fn spilled() -> Originals {
        use std::os::unix::fs::OpenOptionsExt;
        use std::sync::atomic::{AtomicU32, Ordering};
        static SERIAL: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            ".dossier-originals-{}-{}",
            std::process::id(),
            SERIAL.fetch_add(1, Ordering::Relaxed)
        ));
        // Readable by this user only, created afresh (never through a link).
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .ok();
        if file.is_some() {
            let _ = std::fs::remove_file(&path);
        }
        Originals {
            file,
            ..Originals::default()
        }
    }

    /// Stores `id`'s text (a later insert of the same id replaces it).
    pub fn insert(&mut self, id: String, text: Original) {
        if self.file.is_none() || self.failed {
            self.at.remove(&id);
            self.held.insert(id, text);
            return;
        }
        let at = self.written + self.pending.len() as u64;
        self.pending.extend_from_slice(&text.0);
        self.held.remove(&id);
        self.at.insert(id, (at, text.0.len(), text.hash()));
        if self.pending.len() >= SPILL_CHUNK {
            self.flush();
        }
    }

    /// Writes the pending bytes. On a write error the pending texts stay in
    /// memory, and so do all later ones.
    fn flush(&mut self) {
        use std::os::unix::fs::FileExt;
        let Some(file) = &self.file else { return };
        if file.write_all_at(&self.pending, self.written).is_ok() {
            self.written += self.pending.len() as u64;
            self.pending.clear();
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let written = self.written;
        self.at.retain(|id, &mut (at, len, _)| {
            if at < written {
                return true;
            }
            let start = (at - written) as usize;
            self.held
                .insert(id.clone(), Original(pending[start..start + len].to_vec()));
            false
        });
        // What was written can still be read; nothing more is written.
        self.failed = true;
    }

    /// A hash of `id`'s text as ingested (None for an unknown id), without
    /// reading it back.
    pub fn hash(&self, id: &str) -> Option<u64> {
        match self.held.get(id) {
            Some(o) => Some(o.hash()),
            None => self.at.get(id).map(|&(_, _, h)| h),
        }
    }

    /// `id`'s text as ingested (None for an unknown id); an error when the
    /// temporary file cannot be read back.
    pub fn text(&self, id: &str) -> Result<Option<String>> {
        use std::os::unix::fs::FileExt;
        if let Some(o) = self.held.get(id) {
            return Ok(Some(o.text()));
        }
        let Some(&(at, len, _)) = self.at.get(id) else {
            return Ok(None);
        };
        let mut bytes = vec![0u8; len];
        if at >= self.written {
            let start = (at - self.written) as usize;
            bytes.copy_from_slice(&self.pending[start..start + len]);
        } else if let Some(file) = &self.file {
            file.read_exact_at(&mut bytes, at)
                .with_context(|| format!("cannot read back the ingested text of {id} from a temporary file"))?;
        }
        Ok(Some(
            String::from_utf8(bytes).context("a text read back from a temporary file is not UTF-8")?,
        ))
    }
}

/// How ingest reads files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Pass raw HTML blocks in `.md` bodies through to the pages (off: shown
    /// as text).
    pub allow_raw_html: bool,
    /// Folders not to read (e.g. the output folder when it is inside the
    /// input folder), compared after resolving links.
    pub exclude: Vec<PathBuf>,
}

/// Paragraphs longer than this many bytes are split at sentence ends, so no
/// later stage sees one unbounded paragraph.
pub const MAX_PARAGRAPH_BYTES: usize = 20_000;

/// Why a file is not an article, and where in it.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleError {
    pub file: String,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ArticleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ArticleError {}

fn fail<T>(file: &str, line: Option<usize>, column: Option<usize>, message: impl Into<String>) -> Result<T> {
    Err(ArticleError {
        file: file.to_string(),
        line,
        column,
        message: message.into(),
    }
    .into())
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

/// Reads every article under `input`, in path order (deterministic), with
/// default [`Options`].
pub fn run(input: &Path, warnings: &mut Vec<Warning>) -> Result<Vec<RawArticle>> {
    run_with(input, &Options::default(), warnings)
}

/// Reads every article under `input`, in path order (deterministic).
/// Files that cannot be read as articles become warnings naming the file
/// (and line), not errors; only a missing input folder is an error.
/// Hidden folders (`.git`, ...) are skipped with a warning; hidden files
/// that are not articles are skipped silently.
pub fn run_with(input: &Path, opts: &Options, warnings: &mut Vec<Warning>) -> Result<Vec<RawArticle>> {
    if !input.is_dir() {
        anyhow::bail!("input folder {} does not exist or is not a folder", input.display());
    }
    let root_name = input
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "input".to_string());
    let mut articles = Vec::new();
    let mut files = Vec::new();
    let mut walker = WalkDir::new(input).follow_links(true).sort_by_file_name().into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let file = err
                    .path()
                    .map(|p| display_path(&root_name, input, p))
                    .unwrap_or_default();
                warnings.push(warn(&file, None, format!("skipped: {}", walk_error(&err))));
                continue;
            }
        };
        let path = entry.path();
        let shown = display_path(&root_name, input, path);
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_dir() {
            let excluded = || path.canonicalize().is_ok_and(|c| opts.exclude.contains(&c));
            if entry.depth() > 0 && !opts.exclude.is_empty() && excluded() {
                walker.skip_current_dir();
            } else if entry.depth() > 0 && name.starts_with('.') {
                warnings.push(warn(&shown, None, "skipped: hidden folder".to_string()));
                walker.skip_current_dir();
            }
            continue;
        }
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if name.starts_with('.') && ext != "txt" && ext != "md" {
            continue;
        }
        if !entry.file_type().is_file() {
            warnings.push(warn(
                &shown,
                None,
                "skipped: not a regular file (a pipe, socket or device)".to_string(),
            ));
            continue;
        }
        if ext != "txt" && ext != "md" {
            warnings.push(warn(&shown, None, "skipped: not a .txt or .md article".to_string()));
            continue;
        }
        files.push((path.to_path_buf(), shown, ext == "md"));
    }
    // Reading and parsing are per file: in parallel, collected in path order,
    // on more threads than cores so that reads of files not in the page
    // cache overlap (30k articles read cold: 1.7-2.1 s on 2 threads, 0.75 s
    // on 8).
    let read_all = || -> Vec<(Option<RawArticle>, Vec<Warning>)> {
        files
            .par_iter()
            .map(|(path, shown, markdown)| {
                let mut w = Vec::new();
                (read_file(path, shown, *markdown, opts, &mut w), w)
            })
            .collect()
    };
    let readers = rayon::current_num_threads().max(1) * 4;
    let read = match rayon::ThreadPoolBuilder::new()
        .num_threads(readers.clamp(8, 64))
        .thread_name(|i| format!("ingest-{i}"))
        .build()
    {
        Ok(pool) => pool.install(read_all),
        Err(_) => read_all(),
    };
    for (article, w) in read {
        warnings.extend(w);
        articles.extend(article);
    }
    Ok(articles)
}

/// Reads one article file; failures become warnings naming the file.
fn read_file(
    path: &Path,
    shown: &str,
    markdown: bool,
    opts: &Options,
    warnings: &mut Vec<Warning>,
) -> Option<RawArticle> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(err) => {
            warnings.push(warn(shown, None, format!("skipped: cannot read file: {err}")));
            return None;
        }
    };
    match read_article_with(shown, path, &bytes, markdown, opts, warnings) {
        Ok(a) => a,
        Err(err) => {
            match err.downcast_ref::<ArticleError>() {
                Some(e) => {
                    let col = e.column.map(|c| format!(" (column {c})")).unwrap_or_default();
                    warnings.push(warn(shown, e.line, format!("skipped: {}{col}", e.message)))
                }
                None => warnings.push(warn(shown, None, format!("skipped: {err:#}"))),
            }
            None
        }
    }
}

/// A walk error in words: loops, broken links and permissions.
fn walk_error(err: &walkdir::Error) -> String {
    if err.loop_ancestor().is_some() {
        return "symbolic link loop (it points back into an enclosing folder)".to_string();
    }
    match err.io_error().map(|e| e.kind()) {
        Some(std::io::ErrorKind::NotFound) => "broken symbolic link (its target does not exist)".to_string(),
        Some(std::io::ErrorKind::PermissionDenied) => "permission denied".to_string(),
        _ => format!("cannot read: {err}"),
    }
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

/// Parses one file's bytes into a raw article with default [`Options`].
/// `Ok(None)` means the file holds no article (empty or whitespace only),
/// which is warned about. Errors are [`ArticleError`]s.
pub fn read_article(
    shown: &str,
    path: &Path,
    bytes: &[u8],
    markdown: bool,
    warnings: &mut Vec<Warning>,
) -> Result<Option<RawArticle>> {
    read_article_with(shown, path, bytes, markdown, &Options::default(), warnings)
}

/// [`read_article`] with options.
pub fn read_article_with(
    shown: &str,
    path: &Path,
    bytes: &[u8],
    markdown: bool,
    opts: &Options,
    warnings: &mut Vec<Warning>,
) -> Result<Option<RawArticle>> {
    let raw = decode(shown, bytes, warnings)?;
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let (mut front, body_start, body_text) = if markdown {
        split_front_matter(shown, &text)?
    } else {
        (FrontMatter::default(), 1, text.as_str())
    };
    if let Some(u) = front.url.clone() {
        if !is_web_url(&u) {
            let line = url_line(&text);
            warnings.push(warn(
                shown,
                line,
                format!("front matter url {u:?} is not an http(s) address; it is not linked"),
            ));
            front.url = None;
        }
    }
    let mut html_blocks = Vec::new();
    let lines: Vec<(usize, String)> = if markdown {
        markdown_blocks(body_text, body_start, opts.allow_raw_html.then_some(&mut html_blocks))
    } else {
        body_text
            .split('\n')
            .enumerate()
            .map(|(i, l)| (i + body_start, l.to_string()))
            .collect()
    };
    let mut lines = split_long_paragraphs(shown, lines, warnings);
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
    if lines.iter().all(|(_, l)| is_blank(l)) {
        let line = (title_line > 0).then_some(title_line);
        warnings.push(warn(
            shown,
            line,
            "the article has a title but no body text".to_string(),
        ));
    }
    Ok(Some(RawArticle {
        source_file: shown.to_string(),
        path: path.to_path_buf(),
        raw: Original::new(&raw),
        title,
        title_line,
        body: lines,
        front,
        html_blocks,
    }))
}

/// An absolute `http://` or `https://` URL with a host.
pub fn is_web_url(url: &str) -> bool {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !u.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// The line of the `url =` key in the front matter, if any.
fn url_line(text: &str) -> Option<usize> {
    text.lines()
        .take_while(|l| !l.starts_with("+++") || text.starts_with(*l))
        .position(|l| {
            let t = l.trim_start();
            t.strip_prefix("url").is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

/// Splits every paragraph (block of non-blank lines) longer than
/// [`MAX_PARAGRAPH_BYTES`] at sentence ends (else at spaces) by inserting
/// blank lines, with one warning per paragraph split. Text is kept whole.
fn split_long_paragraphs(
    shown: &str,
    lines: Vec<(usize, String)>,
    warnings: &mut Vec<Warning>,
) -> Vec<(usize, String)> {
    if lines.iter().all(|(_, l)| l.len() <= MAX_PARAGRAPH_BYTES)
        && lines.iter().map(|(_, l)| l.len()).sum::<usize>() <= MAX_PARAGRAPH_BYTES
    {
        return lines;
    }
    let mut out = Vec::with_capacity(lines.len());
    let mut block_len = 0usize;
    let mut block_start: Option<usize> = None;
    let mut parts = 1usize;
    let flush = |start: Option<usize>, parts: &mut usize, warnings: &mut Vec<Warning>| {
        if *parts > 1 {
            warnings.push(warn(
                shown,
                start,
                format!("paragraph longer than {MAX_PARAGRAPH_BYTES} bytes; split into {parts} paragraphs"),
            ));
        }
        *parts = 1;
    };
    for (no, line) in lines {
        if is_blank(&line) {
            flush(block_start.take(), &mut parts, warnings);
            block_len = 0;
            out.push((no, line));
            continue;
        }
        block_start.get_or_insert(no);
        if block_len > 0 && block_len + line.len() > MAX_PARAGRAPH_BYTES {
            out.push((no, String::new()));
            parts += 1;
            block_len = 0;
        }
        let mut rest = line.as_str();
        while rest.len() > MAX_PARAGRAPH_BYTES {
            let cut = split_point(rest, MAX_PARAGRAPH_BYTES);
            out.push((no, rest[..cut].trim_end().to_string()));
            out.push((no, String::new()));
            parts += 1;
            rest = rest[cut..].trim_start();
        }
        block_len += rest.len();
        out.push((no, rest.to_string()));
    }
    flush(block_start, &mut parts, warnings);
    out
}

/// Where to cut `text` at most `max` bytes in: after the last sentence end
/// (`. `, `! `, `? `) in the second half, else the last space, else the
/// last char boundary. Always > 0.
fn split_point(text: &str, max: usize) -> usize {
    let mut limit = max.min(text.len());
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let head = &text[..limit];
    let sentence = head
        .rmatch_indices([' ', '\n'])
        .map(|(i, _)| i)
        .find(|&i| i >= limit / 2 && head[..i].ends_with(['.', '!', '?', '"', '\u{201d}']));
    let cut = sentence.or_else(|| head.rfind(' ').filter(|&i| i > 0)).unwrap_or(limit);
    if cut == 0 {
        text.char_indices().nth(1).map(|(i, _)| i).unwrap_or(text.len())
    } else {
        cut
    }
}

/// True for a line holding only whitespace (including no-break and zero-width spaces).
pub fn is_blank(line: &str) -> bool {
    line.chars()
        .all(|c| c.is_whitespace() || matches!(c, '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}'))
}

/// Decodes bytes as UTF-8 (BOM stripped) or UTF-16 (by BOM, or by the
/// pattern of NUL bytes when there is none); invalid UTF-8 is decoded
/// lossily with a warning naming the first bad byte's offset and line.
/// Binary data is an error.
pub fn decode(shown: &str, bytes: &[u8], warnings: &mut Vec<Warning>) -> Result<String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode_utf8(shown, rest, 3, warnings);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(shown, true, rest, warnings);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(shown, false, rest, warnings);
    }
    let head = &bytes[..bytes.len().min(8192)];
    let nul = head.iter().filter(|&&b| b == 0).count();
    if nul > 0 {
        // Text in UTF-16 without a BOM: mostly ASCII, so nearly every other
        // byte is NUL (and none of the others).
        let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        let even = nul - odd;
        let half = head.len() / 2;
        if bytes.len().is_multiple_of(2)
            && half >= 2
            && (odd * 10 >= half * 7 || even * 10 >= half * 7)
            && (odd == 0 || even == 0)
        {
            let le = odd > 0;
            let text = decode_utf16(shown, le, bytes, warnings)?;
            warnings.push(warn(
                shown,
                None,
                format!("no byte-order mark; decoded as UTF-16{}", if le { "LE" } else { "BE" }),
            ));
            return Ok(text);
        }
        return fail(shown, None, None, "binary file (it contains NUL bytes)");
    }
    decode_utf8(shown, bytes, 0, warnings)
}

fn decode_utf8(shown: &str, bytes: &[u8], base: usize, warnings: &mut Vec<Warning>) -> Result<String> {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(e) => {
            let at = e.valid_up_to();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            let text = String::from_utf8_lossy(bytes).into_owned();
            check_not_binary(shown, &text)?;
            let bad = text.matches('\u{FFFD}').count();
            warnings.push(warn(
                shown,
                Some(line),
                format!(
                    "invalid UTF-8 at byte offset {}; decoded with {bad} replacement character{}",
                    base + at,
                    if bad == 1 { "" } else { "s" }
                ),
            ));
            return Ok(text);
        }
    };
    check_not_binary(shown, &text)?;
    Ok(text)
}

fn decode_utf16(shown: &str, le: bool, body: &[u8], warnings: &mut Vec<Warning>) -> Result<String> {
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
    let text = String::from_utf16_lossy(&units);
    check_not_binary(shown, &text)?;
    if text.contains('\u{FFFD}') || !body.len().is_multiple_of(2) {
        warnings.push(warn(
            shown,
            None,
            "invalid UTF-16 (unpaired surrogate or odd length); decoded with replacement characters".to_string(),
        ));
    }
    Ok(text)
}

/// Fails on text that is mostly control or replacement characters: a
/// binary file that happens to hold no NUL byte.
fn check_not_binary(shown: &str, text: &str) -> Result<()> {
    let (total, odd) = odd_chars(text);
    if total >= 16 && odd * 10 > total {
        return fail(
            shown,
            None,
            None,
            format!("binary file ({odd} of its first {total} characters are control or invalid bytes)"),
        );
    }
    Ok(())
}

/// How many of the first 8,192 characters of `text` there are, and how many
/// of them are control characters (but line ends, tabs and form feeds),
/// NUL or replacement characters.
fn odd_chars(text: &str) -> (usize, usize) {
    const HEAD: usize = 8192;
    let odd = |c: char| c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c'));
    let head = &text.as_bytes()[..text.len().min(HEAD)];
    if head.is_ascii() {
        // One byte a character: counted a byte at a time, which the compiler
        // does many at once (the loop below was 2% of a rebuild).
        let odd_byte = |b: u8| (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)) || b == 0x7f;
        return (head.len(), head.iter().filter(|&&b| odd_byte(b)).count());
    }
    text.chars()
        .take(HEAD)
        .fold((0, 0), |(total, n), c| (total + 1, n + usize::from(odd(c))))
}

/// Splits `+++` TOML front matter off a Markdown file. Returns the parsed
/// front matter, the 1-based line where the body starts, and the body.
fn split_front_matter<'a>(shown: &str, text: &'a str) -> Result<(FrontMatter, usize, &'a str)> {
    let Some(rest) = text.strip_prefix("+++\n") else {
        return Ok((FrontMatter::default(), 1, text));
    };
    // The closing line is `+++` alone (trailing spaces allowed).
    let mut offset = 0;
    let mut end = None;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            end = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((end, body_at)) = end else {
        return fail(
            shown,
            Some(1),
            Some(1),
            "front matter opened with +++ is never closed (expected a line holding only +++)",
        );
    };
    let toml_text = &rest[..end];
    let body = &rest[body_at..];
    let body_start = 2 + toml_text.matches('\n').count() + 1;
    let front: FrontMatter = toml::from_str(toml_text).map_err(|e| {
        let (line, col) = e.span().map(|s| line_col(toml_text, s.start)).unwrap_or((0, 0));
        let message = e.message().trim().replace('\n', "; ");
        ArticleError {
            file: shown.to_string(),
            line: Some(line + 1),
            column: Some(col),
            message: format!("invalid front matter: {message}"),
        }
    })?;
    if let Some(d) = front.date_string() {
        if !is_iso_date(&d) {
            let line = toml_text
                .lines()
                .position(|l| l.trim_start().starts_with("date"))
                .map(|i| i + 2);
            return fail(
                shown,
                line,
                None,
                format!("invalid front matter: date {d:?} is not a date like 2016-12-13"),
            );
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
/// list item, quote paragraph, code block, HTML block) becomes one line of
/// plain text, followed by a blank line. Inline markup is reduced to its
/// text; raw HTML is kept as literal text (escaped later on output). When
/// `html_blocks` is given, the text of each HTML block is also pushed there.
fn markdown_blocks(body: &str, first_line: usize, mut html_blocks: Option<&mut Vec<String>>) -> Vec<(usize, String)> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut out = Vec::new();
    let mut current = String::new();
    let mut current_line = first_line;
    let mut depth = 0usize;
    // Line counting is incremental: offsets only grow.
    let (mut seen_at, mut seen_lines) = (0usize, 0usize);
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::CodeBlock(_) | Tag::Item | Tag::HtmlBlock) => {
                if depth == 0 || current.trim().is_empty() {
                    if range.start >= seen_at {
                        seen_lines += body[seen_at..range.start].matches('\n').count();
                        seen_at = range.start;
                    }
                    current_line = first_line + seen_lines;
                }
                depth += 1;
            }
            Event::End(
                end @ (TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::Item | TagEnd::HtmlBlock),
            ) => {
                depth = depth.saturating_sub(1);
                let text = current.split_whitespace().collect::<Vec<_>>().join(" ");
                if !text.is_empty() {
                    if end == TagEnd::HtmlBlock {
                        if let Some(h) = html_blocks.as_deref_mut() {
                            h.push(text.clone());
                        }
                    }
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

    proptest::proptest! {
        #[test]
        fn originals_come_back_byte_for_byte(t in "\\PC*( \\PC*)*") {
            proptest::prop_assert_eq!(Original::new(&t).text(), t);
        }
    }

    #[test]
    fn originals_spilled_to_disk_or_held_come_back_by_id() {
        // Texts of about 300 KB that compress poorly: several temporary-file
        // writes, and some texts still pending when read.
        let mut seed = 7u64;
        let mut noise = |n: usize| -> String {
            (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    char::from(b'a' + (seed >> 59) as u8 % 26)
                })
                .collect()
        };
        let texts: Vec<String> = (0..12)
            .map(|i| format!("Article {i} «{}»\n", noise(300_000 + i)))
            .collect();
        for mut store in [Originals::spilled(), Originals::default()] {
            for (i, t) in texts.iter().enumerate() {
                store.insert(format!("a{i}"), Original::new(t));
            }
            store.insert("a3".into(), Original::new("replaced"));
            for (i, t) in texts.iter().enumerate() {
                let want = if i == 3 { "replaced" } else { t.as_str() };
                assert_eq!(store.text(&format!("a{i}")).unwrap().as_deref(), Some(want), "a{i}");
            }
            assert_eq!(store.text("missing").unwrap(), None);
            assert_eq!(store.file.is_some(), store.written > 0, "spilled but nothing written");
        }
        assert!(
            Originals::spilled().file.is_some(),
            "no temporary file in {:?}",
            std::env::temp_dir()
        );
    }

    #[test]
    fn the_original_is_the_decoded_file() {
        let text = "Title\r\n\r\nCaf\u{e9} \u{201c}quoted\u{201d}  text.\r\n".repeat(50);
        let (a, _) = read("a.txt", &text);
        let raw = a.unwrap().raw;
        assert_eq!(raw.text(), text, "line ends, spaces and quotes are kept as in the file");
    }

    #[test]
    fn odd_characters_are_counted_alike_in_ascii_and_other_text() {
        let plain = |t: &str| {
            t.chars().take(8192).fold((0, 0), |(n, odd), c| {
                let bad = c == '\u{FFFD}' || c == '\0' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c'));
                (n + 1, odd + usize::from(bad))
            })
        };
        let long = "ab\u{1}\n".repeat(3000);
        let long_accented = "é\u{7f}\t\u{FFFD}".repeat(3000);
        for t in [
            "",
            "plain text\r\n",
            "nul\0 and bell\u{7}",
            "del\u{7f}",
            &long,
            &long_accented,
            "caf\u{e9}\u{85}\x0c",
        ] {
            assert_eq!(odd_chars(t), plain(t), "{t:?}");
        }
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

    #[test]
    fn front_matter_errors_carry_line_and_column() {
        let mut w = Vec::new();
        let err = read_article(
            "a.md",
            Path::new("a.md"),
            b"+++\ntitle = \"x\"\ntags = [1,,]\n+++\nb",
            true,
            &mut w,
        )
        .unwrap_err();
        let e = err.downcast_ref::<ArticleError>().unwrap();
        assert_eq!(e.line, Some(3));
        assert!(e.column.is_some());
        assert!(e.message.contains("expected") && !e.message.contains('\n'), "{e}");
        let err = read_article("a.md", Path::new("a.md"), b"+++\ntitle = \"x\"\nbody", true, &mut w).unwrap_err();
        assert!(err.to_string().starts_with("a.md:1:1: front matter"), "{err}");
        let err = read_article(
            "a.md",
            Path::new("a.md"),
            b"+++\ntitle = \"x\"\ndate = \"soon\"\n+++\n",
            true,
            &mut w,
        )
        .unwrap_err();
        assert_eq!(err.downcast_ref::<ArticleError>().unwrap().line, Some(3));
        // Empty front matter and a `+++` inside a value are fine.
        let a = read_article("a.md", Path::new("a.md"), b"+++\n+++\nTitle\n\nBody", true, &mut w)
            .unwrap()
            .unwrap();
        assert_eq!(a.title, "Title");
        let a = read_article(
            "a.md",
            Path::new("a.md"),
            b"+++\ntitle = \"a\\n+++ b\"\n+++\nBody",
            true,
            &mut w,
        )
        .unwrap()
        .unwrap();
        assert_eq!(a.title, "a\n+++ b");
    }

    #[test]
    fn only_web_urls_are_kept() {
        for (url, kept) in [
            ("https://example.org/a", true),
            ("HTTP://example.org", true),
            ("javascript:alert(1)", false),
            (" JavaScript:alert(1)", false),
            ("data:text/html,x", false),
            ("//evil.example/x", false),
            ("https://", false),
            ("https://a b", false),
        ] {
            let mut w = Vec::new();
            let text = format!("+++\ntitle = \"T\"\nurl = {url:?}\n+++\nBody.");
            let a = read_article("a.md", Path::new("a.md"), text.as_bytes(), true, &mut w)
                .unwrap()
                .unwrap();
            assert_eq!(a.front.url.is_some(), kept, "{url}");
            assert_eq!(w.len(), usize::from(!kept), "{url}: {w:?}");
            if !kept {
                assert_eq!(w[0].line, Some(3));
            }
        }
    }

    #[test]
    fn utf16_without_bom_and_binary_without_nul() {
        let mut w = Vec::new();
        let le: Vec<u8> = "Title\n\nBody text here."
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let a = read_article("a.txt", Path::new("a"), &le, false, &mut w)
            .unwrap()
            .unwrap();
        assert_eq!(a.title, "Title");
        assert!(w[0].message.contains("UTF-16LE"), "{w:?}");
        let be: Vec<u8> = "Title\n\nBody".encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        let a = read_article("a.txt", Path::new("a"), &be, false, &mut w)
            .unwrap()
            .unwrap();
        assert_eq!(a.title, "Title");
        let noise: Vec<u8> = (0..400u32).map(|i| (i * 37 % 31 + 1) as u8).collect();
        let err = read_article("n.txt", Path::new("n"), &noise, false, &mut w).unwrap_err();
        assert!(err.to_string().contains("binary"), "{err}");
        // Offsets count the BOM; the line is given.
        let mut w = Vec::new();
        read_article("b.txt", Path::new("b"), b"\xEF\xBB\xBFT\nok\n\xC3(", false, &mut w).unwrap();
        assert!(w[0].message.contains("byte offset 8"), "{w:?}");
        assert_eq!(w[0].line, Some(3));
    }

    #[test]
    fn title_only_article_is_kept_with_a_warning() {
        let mut w = Vec::new();
        let a = read_article("t.txt", Path::new("t"), b"\n Only a title \n\n", false, &mut w)
            .unwrap()
            .unwrap();
        assert_eq!(a.title, "Only a title");
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, Some(2));
    }

    #[test]
    fn long_paragraphs_are_split_at_sentences_and_nothing_is_lost() {
        let sentence = "The committee met again on Tuesday and agreed nothing at all. ";
        let body = sentence.repeat(1000);
        let text = format!("Title\n\n{body}\n\nShort one.\n");
        let mut w = Vec::new();
        let a = read_article("l.txt", Path::new("l"), text.as_bytes(), false, &mut w)
            .unwrap()
            .unwrap();
        let pieces: Vec<&str> = a
            .body
            .iter()
            .map(|(_, l)| l.as_str())
            .filter(|l| !l.is_empty())
            .collect();
        assert!(pieces.len() >= 4, "{}", pieces.len());
        assert!(pieces.iter().all(|p| p.len() <= MAX_PARAGRAPH_BYTES));
        assert!(pieces.iter().all(|p| p.trim_end().ends_with('.')), "{pieces:?}");
        let words = |t: &str| t.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(words(&pieces.join(" ")), words(&format!("{body} Short one.")));
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].line, Some(3));
        // No space at all: cut at a char boundary.
        let text = format!("T\n\n{}", "é".repeat(MAX_PARAGRAPH_BYTES));
        let a = read_article("l.txt", Path::new("l"), text.as_bytes(), false, &mut w)
            .unwrap()
            .unwrap();
        let joined: String = a.body.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(joined.chars().count(), MAX_PARAGRAPH_BYTES);
    }

    #[test]
    fn html_blocks_are_separate_lines_and_collected_only_when_allowed() {
        let text = b"+++\ntitle = \"T\"\n+++\n<div class=\"box\">\n<b>Hi</b>\n</div>\n\nNext para.\n";
        let mut w = Vec::new();
        let a = read_article("h.md", Path::new("h"), text, true, &mut w)
            .unwrap()
            .unwrap();
        let lines: Vec<&str> = a
            .body
            .iter()
            .map(|(_, l)| l.as_str())
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lines, ["<div class=\"box\"> <b>Hi</b> </div>", "Next para."]);
        assert!(a.html_blocks.is_empty());
        let opts = Options {
            allow_raw_html: true,
            ..Options::default()
        };
        let a = read_article_with("h.md", Path::new("h"), text, true, &opts, &mut w)
            .unwrap()
            .unwrap();
        assert_eq!(a.html_blocks, ["<div class=\"box\"> <b>Hi</b> </div>"]);
        assert_eq!(a.body[0].0, 4);
    }
}
