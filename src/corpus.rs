//! Benchmark corpora: many distinct, realistic articles made by recombining
//! the paragraphs and sentences of a folder of real `.txt` articles.
//!
//! Every generated article is a pure function of the seed and its number, so
//! a corpus is the same on every run and can be generated in parallel. A
//! share of the articles are exact copies of an earlier article, near copies
//! (a sentence dropped, a word changed, straight quotes curled), or carry a
//! paragraph shared with other articles (agency boilerplate).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use walkdir::WalkDir;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub count: usize,
    pub seed: u64,
    /// Share of articles that are byte-for-byte copies of an earlier one.
    pub dup_share: f64,
    /// Share of articles that are lightly edited copies of an earlier one.
    pub near_share: f64,
    /// Share of articles that end with a paragraph shared with others.
    pub shared_share: f64,
}

/// Source material: per topic folder, its titles and paragraphs (as sentences).
struct Pool {
    topics: Vec<Topic>,
    /// Paragraphs reused verbatim across articles.
    boilerplate: Vec<String>,
}

struct Topic {
    name: String,
    titles: Vec<Vec<String>>,
    /// Paragraph shapes of the source articles: sentences per paragraph.
    shapes: Vec<Vec<usize>>,
    paragraphs: Vec<Vec<String>>,
    sentences: Vec<String>,
}

/// One generated article.
pub struct Generated {
    /// Path inside the output folder, e.g. `business/000042.txt`.
    pub path: String,
    pub title: String,
    pub paragraphs: Vec<String>,
}

impl Generated {
    /// The article as a `.txt` file: title, blank line, paragraphs.
    pub fn to_txt(&self) -> String {
        let mut s = self.title.clone();
        for p in &self.paragraphs {
            s.push_str("\n\n");
            s.push_str(p);
        }
        s.push('\n');
        s
    }

    /// The article as Markdown with TOML front matter (Hugo and dossier read it).
    pub fn to_markdown(&self) -> String {
        let mut s = format!("+++\ntitle = {}\n+++\n", toml::Value::String(self.title.clone()));
        for p in &self.paragraphs {
            s.push('\n');
            s.push_str(&markdown_escape(p));
            s.push('\n');
        }
        s
    }
}

/// Escapes characters that would start Markdown markup at a line start or inline.
fn markdown_escape(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 8);
    for c in p.chars() {
        if matches!(c, '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A small, fast deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// Splits a paragraph into sentences at `. `, `? ` and `! ` (after an
/// optional closing quote) followed by an upper-case letter or a quote.
pub fn sentences(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = p.as_bytes();
    let mut start = 0;
    let mut i = 0;
    let mut in_quote = false;
    while i < b.len() {
        if b[i] == b'"' {
            in_quote = !in_quote;
        }
        let initial =
            b[i] == b'.' && i >= 1 && b[i - 1].is_ascii_uppercase() && (i < 2 || matches!(b[i - 2], b' ' | b'.'));
        if matches!(b[i], b'.' | b'?' | b'!') && !initial {
            let mut end = i + 1;
            let mut closes = false;
            if end < b.len() && b[end] == b'"' {
                end += 1;
                closes = true;
            }
            if (in_quote == closes)
                && end + 1 < b.len()
                && b[end] == b' '
                && (b[end + 1].is_ascii_uppercase() || b[end + 1] == b'"')
            {
                out.push(p[start..end].to_string());
                in_quote = false;
                start = end + 1;
                i = start;
                continue;
            }
        }
        i += 1;
    }
    if start < p.len() {
        out.push(p[start..].trim().to_string());
    }
    out.retain(|s| !s.is_empty());
    out
}

fn load(from: &Path) -> Result<Pool> {
    let mut topics: Vec<Topic> = Vec::new();
    for entry in WalkDir::new(from).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot read {}", from.display()))?;
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(path)?).replace("\r\n", "\n");
        let mut blocks = text
            .split("\n\n")
            .map(|b| b.trim().replace('\n', " "))
            .filter(|b| !b.is_empty());
        let Some(title) = blocks.next() else { continue };
        let topic = path
            .parent()
            .and_then(|p| p.strip_prefix(from).ok())
            .map(|p| p.to_string_lossy().replace(['/', '\\'], "-"))
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "articles".into());
        let t = match topics.iter().position(|t| t.name == topic) {
            Some(i) => i,
            None => {
                topics.push(Topic {
                    name: topic,
                    titles: Vec::new(),
                    shapes: Vec::new(),
                    paragraphs: Vec::new(),
                    sentences: Vec::new(),
                });
                topics.len() - 1
            }
        };
        let t = &mut topics[t];
        t.titles.push(title.split_whitespace().map(str::to_string).collect());
        let mut shape = Vec::new();
        for b in blocks {
            let s = sentences(&b);
            shape.push(s.len());
            t.sentences.extend(s.iter().cloned());
            t.paragraphs.push(s);
        }
        if !shape.is_empty() {
            t.shapes.push(shape);
        }
    }
    topics.retain(|t| !t.shapes.is_empty() && !t.sentences.is_empty());
    if topics.is_empty() {
        bail!("no .txt articles with a body under {}", from.display());
    }
    // Boilerplate paragraphs: long source paragraphs, a few dozen of them.
    let mut rng = Rng::new(0x5eed, 1);
    let mut boilerplate = Vec::new();
    for _ in 0..10_000 {
        if boilerplate.len() == 40 {
            break;
        }
        let t = rng.pick(&topics);
        let p = rng.pick(&t.paragraphs).join(" ");
        if p.split(' ').count() >= 20 && !boilerplate.contains(&p) {
            boilerplate.push(p);
        }
    }
    Ok(Pool { topics, boilerplate })
}

/// The original article `n`: a source article's paragraph shape filled with
/// source paragraphs from the same topic, about a third of whose sentences
/// are swapped for other sentences of the topic.
fn original(pool: &Pool, opts: &Options, n: usize) -> (usize, String, Vec<String>) {
    let mut rng = Rng::new(opts.seed, n as u64);
    let ti = rng.below(pool.topics.len());
    let t = &pool.topics[ti];
    let a = rng.pick(&t.titles);
    let b = rng.pick(&t.titles);
    let half = a.len().div_ceil(2);
    let rest = b.len() / 2;
    let title: Vec<&str> = a[..half].iter().chain(&b[rest..]).map(String::as_str).collect();
    let shape = rng.pick(&t.shapes).clone();
    let mut paragraphs = Vec::with_capacity(shape.len());
    for _ in shape {
        let src = rng.pick(&t.paragraphs);
        let sents: Vec<&str> = src
            .iter()
            .map(|s| {
                if rng.below(3) == 0 {
                    rng.pick(&t.sentences).as_str()
                } else {
                    s.as_str()
                }
            })
            .collect();
        paragraphs.push(sents.join(" "));
    }
    (ti, title.join(" "), paragraphs)
}

/// Article `n` of the corpus.
pub fn article(pool: &PoolRef, opts: &Options, n: usize) -> Generated {
    let mut rng = Rng::new(opts.seed ^ 0xD0551E, n as u64);
    let roll = rng.unit();
    let earlier = if n > 0 { Some(rng.below(n)) } else { None };
    let (ti, title, mut paragraphs) = match earlier {
        Some(j) if roll < opts.dup_share => {
            let g = article(pool, opts, j);
            let topic = g.path.split('/').next().unwrap_or("").to_string();
            return Generated {
                path: format!("{topic}/{n:06}.txt"),
                ..g
            };
        }
        Some(j) if roll < opts.dup_share + opts.near_share => {
            let (ti, title, mut paras) = original(&pool.0, opts, j);
            let p = rng.below(paras.len());
            let mut s = sentences(&paras[p]);
            if s.len() > 1 {
                s.remove(rng.below(s.len()));
                paras[p] = s.join(" ");
            }
            let p = rng.below(paras.len());
            let words: Vec<&str> = paras[p].split(' ').collect();
            let w = rng.below(words.len());
            let swapped: Vec<&str> = words
                .iter()
                .enumerate()
                .map(|(i, x)| if i == w && x.len() > 3 { "reportedly" } else { x })
                .collect();
            paras[p] = swapped.join(" ");
            if rng.chance(0.5) {
                for q in &mut paras {
                    *q = curl_quotes(q);
                }
            }
            (ti, title, paras)
        }
        _ => original(&pool.0, opts, n),
    };
    let shared_roll = rng.unit();
    if shared_roll < opts.shared_share && !pool.0.boilerplate.is_empty() {
        paragraphs.push(rng.pick(&pool.0.boilerplate).clone());
    }
    Generated {
        path: format!("{}/{n:06}.txt", pool.0.topics[ti].name),
        title,
        paragraphs,
    }
}

/// Straight double quotes to curly ones, alternating open and close.
fn curl_quotes(s: &str) -> String {
    let mut open = true;
    s.chars()
        .map(|c| {
            if c == '"' {
                let q = if open { '“' } else { '”' };
                open = !open;
                q
            } else {
                c
            }
        })
        .collect()
}

/// Loaded source material, opaque to callers.
pub struct PoolRef(Pool);

/// Reads the source articles under `from`.
pub fn load_pool(from: &Path) -> Result<PoolRef> {
    load(from).map(PoolRef)
}

/// Writes the corpus as `.txt` files under `out` (and, when `markdown` is
/// given, the same articles as Markdown pages under it). Returns the
/// number of articles written.
pub fn generate(from: &Path, out: &Path, markdown: Option<&Path>, opts: &Options) -> Result<usize> {
    if !(0.0..=1.0).contains(&(opts.dup_share + opts.near_share)) {
        bail!("--dup-share plus --near-share must be between 0 and 1");
    }
    let pool = load_pool(from)?;
    for t in &pool.0.topics {
        std::fs::create_dir_all(out.join(&t.name)).with_context(|| format!("cannot create {}", out.display()))?;
        if let Some(md) = markdown {
            std::fs::create_dir_all(md.join(&t.name)).with_context(|| format!("cannot create {}", md.display()))?;
        }
    }
    (0..opts.count).into_par_iter().try_for_each(|n| -> Result<()> {
        let g = article(&pool, opts, n);
        let p: PathBuf = out.join(&g.path);
        std::fs::write(&p, g.to_txt()).with_context(|| format!("cannot write {}", p.display()))?;
        if let Some(md) = markdown {
            let p = md.join(g.path.replace(".txt", ".md"));
            std::fs::write(&p, g.to_markdown()).with_context(|| format!("cannot write {}", p.display()))?;
        }
        Ok(())
    })?;
    Ok(opts.count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> PoolRef {
        let tmp = tempfile::tempdir().unwrap();
        for topic in ["alpha", "beta"] {
            std::fs::create_dir_all(tmp.path().join(topic)).unwrap();
            for i in 0..20 {
                let text = format!(
                    "Title number {i} of {topic} here\n\nFirst sentence {i} of {topic}. Second {i} one \"quoted\" here. Third {i}? Yes.\n\n\
                     Another paragraph {i} of {topic} that is long enough to be used as shared boilerplate text in the corpus today.\n\n\
                     Last {i} words. Are {i} these. Really {i} the end.\n"
                );
                std::fs::write(tmp.path().join(topic).join(format!("{i}.txt")), text).unwrap();
            }
        }
        load_pool(tmp.path()).unwrap()
    }

    #[test]
    fn sentences_split_at_terminal_punctuation_before_a_capital() {
        assert_eq!(
            sentences("He paid $1.5bn. \"We won. It is over.\" Then what? no split here. U.S. Army"),
            [
                "He paid $1.5bn.",
                "\"We won. It is over.\"",
                "Then what? no split here.",
                "U.S. Army"
            ]
        );
    }

    #[test]
    fn corpus_is_deterministic_and_has_the_asked_duplicates() {
        let p = pool();
        let opts = Options {
            count: 400,
            seed: 7,
            dup_share: 0.25,
            near_share: 0.0,
            shared_share: 0.0,
        };
        let a: Vec<String> = (0..400).map(|n| article(&p, &opts, n).to_txt()).collect();
        let b: Vec<String> = (0..400).map(|n| article(&p, &opts, n).to_txt()).collect();
        assert_eq!(a, b);
        let distinct: std::collections::BTreeSet<&String> = a.iter().collect();
        let dups = a.len() - distinct.len();
        assert!((60..=140).contains(&dups), "{dups} exact duplicates");
        let other = Options { seed: 8, ..opts };
        assert_ne!(a[5], article(&p, &other, 5).to_txt());
    }

    #[test]
    fn markdown_escapes_markup_and_quotes_the_title() {
        let g = Generated {
            path: "x/1.txt".into(),
            title: "A \"b\" c".into(),
            paragraphs: vec!["5 * 3 <b> [x]".into()],
        };
        let md = g.to_markdown();
        let front = md.strip_prefix("+++\n").unwrap().split("+++\n").next().unwrap();
        let v: toml::Table = toml::from_str(front).unwrap();
        assert_eq!(v["title"].as_str(), Some("A \"b\" c"));
        assert!(md.contains("5 \\* 3 \\<b\\> \\[x\\]"), "{md}");
    }
}
