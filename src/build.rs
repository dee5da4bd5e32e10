//! The build: runs the stages in order and writes the site atomically.
//!
//! Pages are rendered straight into an [`output::Writer`]: unchanged pages
//! are neither rendered again nor written, and changed ones go into a fresh
//! folder beside the output, which replaces the output only when
//! everything succeeded, so a failed or interrupted build leaves the
//! previous site as it was.
//!
//! Like `make`, a build first checks whether anything it reads changed since
//! the last build (see [`inputs_key`]); when nothing did and the site is as
//! that build left it, it stops there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::ingest::Originals;
use crate::memo::Store;
use crate::model::{Archive, Article, Warning};
use crate::text::slugify;
use crate::{annotate, chronology, clean, dedup, ingest, link, output, render};

/// Where a build reads and writes.
#[derive(Debug, Clone)]
pub struct Paths {
    pub input: PathBuf,
    pub output: PathBuf,
    /// Folder of template overrides (`templates/` beside the config).
    pub templates: Option<PathBuf>,
}

impl Paths {
    /// Resolves folders: explicit flags win, then the config (relative to the
    /// config file's folder), then the defaults.
    pub fn resolve(config_path: &Path, cfg: &Config, input: Option<PathBuf>, output: Option<PathBuf>) -> Paths {
        let base = config_path.parent().map(Path::to_path_buf).unwrap_or_default();
        let base = if base.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            base
        };
        Paths {
            input: input.unwrap_or_else(|| base.join(&cfg.build.input)),
            output: output.unwrap_or_else(|| base.join(&cfg.build.output)),
            templates: Some(base.join("templates")),
        }
    }
}

/// What a build did.
#[derive(Debug, Default)]
pub struct Report {
    /// The model, when the stages ran (not when the site was up to date).
    pub archive: Option<Archive>,
    /// Counts and warnings of the site (from the last build when up to date).
    pub summary: Summary,
    /// Nothing the build reads had changed since the last build, and the
    /// site was as that build left it: no stage ran.
    pub up_to_date: bool,
    /// Each stage's time and the peak memory at its end, in pipeline order.
    pub timings: Vec<Lap>,
    /// Files whose bytes were written (new or changed); 0 when nothing changed.
    pub files_written: usize,
    /// Files in the site.
    pub files: usize,
    /// Per-article results taken from the last build, and computed (see
    /// [`crate::memo`]).
    pub memo: (usize, usize),
}

/// What a build reports about the archive it made.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub articles: usize,
    pub duplicates: usize,
    pub entities: usize,
    pub events: usize,
    pub warnings: Vec<Warning>,
}

impl Summary {
    fn new(a: &Archive) -> Summary {
        Summary {
            articles: a.articles.len(),
            duplicates: a.articles.iter().filter(|x| x.duplicate_of.is_some()).count(),
            entities: a.entities.len(),
            events: a.events.len(),
            warnings: a.warnings.clone(),
        }
    }
}

/// One stage of a build, measured.
#[derive(Debug, Clone, Copy)]
pub struct Lap {
    pub stage: &'static str,
    pub time: Duration,
    /// CPU time (user + system, all threads) the process spent in the stage:
    /// about twice `time` when both cores were busy.
    pub cpu: Duration,
    /// The process's peak resident memory so far, in bytes (Linux only).
    pub peak_rss: Option<u64>,
    /// Resident memory at the end of the stage, in bytes (Linux only): what
    /// the stage left behind, where `peak_rss` includes its working memory.
    pub rss: Option<u64>,
}

/// When a stage started, by wall clock and by process CPU time.
#[derive(Clone, Copy)]
struct Start {
    wall: Instant,
    cpu: Duration,
}

impl Start {
    fn now() -> Start {
        Start {
            wall: Instant::now(),
            cpu: cpu_time(),
        }
    }

    fn lap(self, stage: &'static str) -> Lap {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        Lap {
            stage,
            time: self.wall.elapsed(),
            cpu: cpu_time().saturating_sub(self.cpu),
            peak_rss: status_bytes(&status, "VmHWM:"),
            rss: status_bytes(&status, "VmRSS:"),
        }
    }
}

/// User plus system time of the whole process so far.
fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// A memory figure (`VmHWM:`, `VmRSS:`) of `/proc/self/status` in bytes, when it has one.
fn status_bytes(status: &str, field: &str) -> Option<u64> {
    let kb = status.lines().find_map(|l| l.strip_prefix(field))?;
    Some(kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok()? * 1024)
}

/// Names of the build's stages, in order, as reported to a progress callback.
pub const STAGES: &[&str] = &[
    "ingest",
    "clean",
    "dedup",
    "annotate",
    "link",
    "chronology",
    "render",
    "write",
];

/// Runs the stages from ingest to chronology; returns the model and the
/// raw text of every article by id.
pub fn model(paths: &Paths, cfg: &Config, timings: &mut Vec<Lap>) -> Result<(Archive, Originals)> {
    model_with(paths, cfg, &Store::off(), timings, &|_| {})
}

/// [`model`], taking per-article results from `memo` where their inputs are
/// unchanged, and calling `on_stage` with each stage's name as it starts.
pub fn model_with(
    paths: &Paths,
    cfg: &Config,
    memo: &Store,
    timings: &mut Vec<Lap>,
    on_stage: &dyn Fn(&'static str),
) -> Result<(Archive, Originals)> {
    let mut warnings: Vec<Warning> = Vec::new();
    let mut t = Start::now();
    on_stage(STAGES[0]);
    let mut lap = |name: &'static str, timings: &mut Vec<Lap>| {
        timings.push(t.lap(name));
        if let Some(i) = STAGES.iter().position(|s| *s == name) {
            on_stage(STAGES[(i + 1).min(STAGES.len() - 1)]);
        }
        t = Start::now();
    };

    let opts = ingest::Options {
        allow_raw_html: cfg.build.allow_raw_html,
        exclude: excluded(paths),
    };
    let mut raw = ingest::run_with(&paths.input, &opts, &mut warnings)?;
    apply_overrides(&mut raw, cfg, &mut warnings);
    lap("ingest", timings);

    let mut articles = clean::run(&mut raw, &cfg.clean, memo);
    let originals = assign_ids(&mut articles, &mut raw);
    drop(raw);
    lap("clean", timings);

    let found = dedup::run(&mut articles, &cfg.dedup, memo);
    // A duplicate's original text is shown on its canonical article's page.
    for a in articles.iter_mut() {
        if let Some(canon) = &a.duplicate_of {
            a.original_text_url = format!("articles/{canon}.html#original-{}", a.id);
        }
    }
    lap("dedup", timings);

    let entities = annotate::run(&mut articles, &cfg.annotate, memo);
    lap("annotate", timings);

    link::run(&mut articles, &found.shared_passages, memo);
    lap("link", timings);

    let events = chronology::run(&mut articles, &cfg.chronology, memo);
    lap("chronology", timings);

    sort_articles(&mut articles);
    warnings.sort();
    let archive = Archive {
        generator: format!("dossier {}", env!("CARGO_PKG_VERSION")),
        articles,
        entities,
        duplicates: found.duplicates,
        shared_passages: found.shared_passages,
        events,
        warnings,
    };
    Ok((archive, originals))
}

/// Builds the whole site into `paths.output`.
pub fn run(paths: &Paths, cfg: &Config) -> Result<Report> {
    run_with(paths, cfg, &|_| {})
}

/// [`run`], calling `on_stage` with each stage's name (see [`STAGES`]) as it
/// starts. Rendering streams pages into the output writer (the `render`
/// time includes writing changed pages into the staging folder); `write`
/// puts the changed files in place (see [`output::Writer::finish`]).
pub fn run_with(paths: &Paths, cfg: &Config, on_stage: &dyn Fn(&'static str)) -> Result<Report> {
    let mut timings = Vec::new();
    let t = Start::now();
    let tera = render::load_templates(paths.templates.as_deref())?;
    let salt = salt(paths, cfg)?;
    let writer = output::Writer::new(&paths.output, salt)?;
    let stamp_path = writer.stamp_file();
    let key = inputs_key(paths, salt);
    let last: Option<Stamp> = std::fs::read(&stamp_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    if let (Some(key), Some(last)) = (key, last) {
        if last.key == key {
            if let Some(files) = writer.intact() {
                timings.push(t.lap("prepare"));
                return Ok(Report {
                    archive: None,
                    summary: last.summary,
                    up_to_date: true,
                    timings,
                    files_written: 0,
                    files,
                    memo: (0, 0),
                });
            }
        }
    }
    timings.push(t.lap("prepare"));
    let memo = Store::beside(&paths.output, model_salt(cfg));
    let (archive, originals) = model_with(paths, cfg, &memo, &mut timings, on_stage)?;
    let t = Start::now();
    render_into(paths, cfg, &tera, &archive, &originals, &writer, &memo)?;
    drop(originals);
    timings.push(t.lap("render"));
    on_stage("write");
    let t = Start::now();
    let stats = writer.finish()?;
    memo.prune();
    let summary = Summary::new(&archive);
    if let Some(key) = key {
        let stamp = Stamp {
            key,
            summary: summary.clone(),
        };
        // Without a stamp the next build just runs in full.
        let _ = std::fs::write(&stamp_path, serde_json::to_vec(&stamp)?);
    }
    timings.push(t.lap("write"));
    Ok(Report {
        archive: Some(archive),
        summary,
        up_to_date: false,
        timings,
        files_written: stats.written,
        files: stats.files,
        memo: memo.counts(),
    })
}

/// Left beside the manifest by a successful build: the [`inputs_key`] it
/// read and what it reported.
#[derive(Serialize, Deserialize)]
struct Stamp {
    key: u64,
    summary: Summary,
}

/// A hash of everything a build reads: [`salt`] (binary, config, template
/// overrides) and, for every file and folder under the input folder, its
/// path, size, inode, and modification and change times (the change time
/// cannot be set back by any tool). `None` when the folder cannot be read
/// in full, or when something in it changed in the last second: a
/// file written again within the filesystem's clock tick would keep its
/// times, so such a recent state is never trusted (as git does).
fn inputs_key(paths: &Paths, salt: u64) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    use std::os::unix::fs::MetadataExt;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos() as i128;
    let exclude = excluded(paths);
    let mut h = std::hash::DefaultHasher::new();
    salt.hash(&mut h);
    paths.input.canonicalize().ok()?.hash(&mut h);
    let mut walker = walkdir::WalkDir::new(&paths.input)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let entry = entry.ok()?;
        let is_dir = entry.file_type().is_dir();
        if is_dir && entry.depth() > 0 && entry.path().canonicalize().is_ok_and(|c| exclude.contains(&c)) {
            walker.skip_current_dir();
            continue;
        }
        let m = entry.metadata().ok()?;
        let (mtime, ctime) = (output::mtime_ns(&m), output::ctime_ns(&m));
        if mtime.max(ctime) + 1_000_000_000 > now {
            return None;
        }
        (entry.path(), is_dir, m.len(), m.ino(), mtime, ctime).hash(&mut h);
    }
    Some(h.finish())
}

/// Folders never read as input: the site and its cache, when they sit
/// inside the input folder.
fn excluded(paths: &Paths) -> Vec<PathBuf> {
    [paths.output.clone(), paths.output.with_file_name(".dossier-cache")]
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .collect()
}

/// Renders the site into `writer`; a template error names the template's
/// file and line (see [`render::locate_render_error`]).
pub(crate) fn render_into(
    paths: &Paths,
    cfg: &Config,
    tera: &tera::Tera,
    archive: &crate::model::Archive,
    originals: &crate::ingest::Originals,
    writer: &output::Writer,
    memo: &Store,
) -> Result<()> {
    render::run_into(archive, &cfg.site, tera, render::ABOUT_MD, originals, writer, memo).map_err(|e| {
        anyhow::anyhow!(render::locate_render_error(
            &format!("{e:#}"),
            paths.templates.as_deref()
        ))
    })
}

/// What every page depends on besides its own data: the dossier binary
/// itself (size and modification time), the config and template overrides.
pub(crate) fn salt(paths: &Paths, cfg: &Config) -> Result<u64> {
    let mut overrides = Vec::new();
    if let Some(dir) = &paths.templates {
        for (name, _) in render::TEMPLATES {
            if let Ok(b) = std::fs::read(dir.join(name)) {
                overrides.push((name, render::hash_bytes(&b)));
            }
        }
    }
    Ok(render::key_of(&(model_salt(cfg), overrides)))
}

/// What every stage's result depends on besides the articles: the dossier
/// binary (size and modification time) and the config.
pub(crate) fn model_salt(cfg: &Config) -> u64 {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let t = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            (m.len(), t.map(|t| t.as_nanos()))
        })
        .ok();
    render::key_of(&(env!("CARGO_PKG_VERSION"), exe, cfg))
}

/// Applies `[[articles]]` overrides from the config to matching files.
fn apply_overrides(raw: &mut [ingest::RawArticle], cfg: &Config, warnings: &mut Vec<Warning>) {
    for o in &cfg.articles {
        let wanted = o.file.trim_start_matches("./");
        let hit = raw
            .iter_mut()
            .find(|r| r.source_file.split_once('/').map(|(_, rest)| rest) == Some(wanted));
        match hit {
            Some(r) => {
                if let Some(t) = &o.title {
                    r.title = t.clone();
                }
                if let Some(d) = &o.date {
                    r.front.date = Some(toml::Value::String(d.clone()));
                }
                if let Some(s) = &o.sources {
                    r.front.sources = Some(s.clone());
                }
            }
            None => warnings.push(Warning {
                file: "config.toml".into(),
                line: None,
                message: format!("[[articles]] override names {:?}, which is not an input file", o.file),
            }),
        }
    }
}

/// Gives every article a unique, stable id and its URLs, and its given
/// publication date. Ids come from titles; on a clash the first article in
/// source-path order keeps the plain slug and the others get a suffix made
/// from their source path, so adding or removing another file does not
/// move them.
fn assign_ids(articles: &mut [Article], raw: &mut [ingest::RawArticle]) -> Originals {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut originals = Originals::spilled();
    for (a, r) in articles.iter_mut().zip(raw) {
        let mut base = slugify(&a.title, 60);
        if base.is_empty() {
            base = "article".into();
        }
        let mut id = base.clone();
        if used.contains(&id) {
            id = format!("{base}-{:06x}", path_hash(&a.source_file) & 0xff_ffff);
        }
        let mut n = 2;
        while !used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        a.url = format!("articles/{id}.html");
        a.original_text_url = format!("articles/{id}.html#original");
        if let Some(d) = r.front.date_string() {
            let d = crate::model::Short::from(d);
            a.date.value = Some(d.clone());
            a.date.earliest = Some(d.clone());
            a.date.latest = Some(d);
        }
        originals.insert(id.clone(), std::mem::take(&mut r.raw));
        a.id = id;
        mark_html_paragraphs(a, &r.html_blocks);
    }
    originals
}

/// FNV-1a of a path: a hash that never changes between builds or Rust versions.
fn path_hash(path: &str) -> u64 {
    path.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Gives role `html` to the paragraphs that are raw HTML blocks ingest
/// let through (only when the config allows raw HTML).
fn mark_html_paragraphs(a: &mut Article, html_blocks: &[String]) {
    if html_blocks.is_empty() {
        return;
    }
    // Cleaning may have curled quotes: compare with them straightened, publish the block as written.
    let key = |t: &str| {
        t.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace(['\u{201c}', '\u{201d}', '\u{201e}'], "\"")
            .replace(['\u{2018}', '\u{2019}'], "'")
    };
    let blocks: BTreeMap<String, &String> = html_blocks.iter().map(|b| (key(b), b)).collect();
    for p in &mut a.paragraphs {
        if let Some(block) = blocks.get(&key(&p.text)) {
            p.text = block.to_string();
            p.role = Some("html".into());
        }
    }
}

/// Articles by date (undated last), then id.
fn sort_articles(articles: &mut [Article]) {
    articles.sort_by(|a, b| {
        let key = |x: &Article| (x.date.value.is_none(), x.date.value.clone());
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
}
