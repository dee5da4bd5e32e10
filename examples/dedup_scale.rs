//! How dedup time grows with the archive: synthesises 2k, 20k and 200k
//! articles by recombining sentences of the BBC corpus (fixed seed), runs
//! `dedup::run` on each and prints wall and CPU time (and the CPU time of
//! article dedup alone, passages off).
//!
//! Each new sentence joins three runs of 4 to 8 words taken from random
//! corpus sentences, so, as in a real archive, most text is unique at any size
//! (drawing whole sentences from a fixed pool would make every sentence
//! recur ~100 times at 200k and the number of truly matching paragraph
//! pairs grow with the square of the size). Duplication is injected on
//! purpose: 10% exact copies of an earlier article, 10% near copies (one
//! paragraph replaced, one word dropped), and 10% of articles reuse one
//! paragraph of an earlier article (a shared passage).
//!
//! `cargo run --release --example dedup_scale [CORPUS_DIR] [SIZES...]`
//! (default corpus `../shared/corpora/bbc`, sizes 2000 20000 200000).

use std::time::Instant;

use dossier::dedup;
use dossier::model::{Article, Paragraph};

/// A small deterministic generator (PCG-style LCG).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        dedup::minhash::mix(self.0)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn sentences(dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt") && e.file_name() != "README.TXT")
        .map(|e| e.into_path())
        .collect();
    files.sort();
    for f in files {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap_or_default()).into_owned();
        for para in text.lines().skip(1) {
            let mut start = 0;
            let b = para.as_bytes();
            for i in 0..b.len() {
                let end = (b[i] == b'.' || b[i] == b'?' || b[i] == b'!') && (i + 1 == b.len() || b[i + 1] == b' ');
                if end {
                    let s = para[start..=i].trim();
                    if s.split_whitespace().count() >= 4 {
                        out.push(s.to_string());
                    }
                    start = i + 1;
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A new sentence: three runs of 4 to 8 words, each from a random place in
/// a random pool sentence.
fn sentence(pool: &[String], rng: &mut Rng) -> String {
    let mut out: Vec<&str> = Vec::new();
    for _ in 0..3 {
        let words: Vec<&str> = pool[rng.below(pool.len())].split(' ').collect();
        let len = (4 + rng.below(5)).min(words.len());
        let at = rng.below(words.len() - len + 1);
        out.extend(&words[at..at + len]);
    }
    out.join(" ")
}

/// CPU seconds used by this process so far (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn synthesise(pool: &[String], n: usize, seed: u64) -> Vec<Article> {
    let mut rng = Rng(seed);
    let mut arts: Vec<Article> = Vec::with_capacity(n);
    for i in 0..n {
        let roll = rng.below(10);
        let mut paras: Vec<String> = if i > 0 && roll == 0 {
            // Exact copy of an earlier article.
            let src = &arts[rng.below(i)];
            src.paragraphs.iter().map(|p| p.text.clone()).collect()
        } else if i > 0 && roll == 1 {
            // Near copy: one sentence replaced, one word dropped elsewhere.
            let src = &arts[rng.below(i)];
            let mut p: Vec<String> = src.paragraphs.iter().map(|p| p.text.clone()).collect();
            let k = rng.below(p.len());
            p[k] = sentence(pool, &mut rng);
            let k = rng.below(p.len());
            let words: Vec<&str> = p[k].split(' ').collect();
            if words.len() > 3 {
                let drop = rng.below(words.len());
                p[k] = words
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != drop)
                    .map(|(_, w)| *w)
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            p
        } else {
            let count = 6 + rng.below(8);
            let mut p: Vec<String> = (0..count)
                .map(|_| {
                    let s = 1 + rng.below(3);
                    (0..s).map(|_| sentence(pool, &mut rng)).collect::<Vec<_>>().join(" ")
                })
                .collect();
            if i > 0 && roll == 2 {
                let src = &arts[rng.below(i)];
                let k = rng.below(src.paragraphs.len());
                let at = rng.below(p.len());
                p[at] = src.paragraphs[k].text.clone();
            }
            p
        };
        paras.retain(|p| !p.is_empty());
        arts.push(Article {
            id: format!("a{i:07}"),
            source_file: format!("synthetic/{i:07}.txt"),
            title: format!("Synthetic article {i}"),
            paragraphs: paras
                .into_iter()
                .enumerate()
                .map(|(j, text)| Paragraph {
                    id: format!("p{}", j + 1).into(),
                    text,
                    role: None,
                })
                .collect(),
            ..Article::default()
        });
    }
    arts
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpora/bbc").to_string());
    let mut sizes: Vec<usize> = args.filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![2_000, 20_000, 200_000];
    }
    let pool = sentences(&dir);
    if pool.is_empty() {
        eprintln!("no sentences found under {dir}");
        std::process::exit(1);
    }
    println!(
        "sentence pool: {} sentences from {dir}; threads: {}",
        pool.len(),
        rayon::current_num_threads()
    );
    println!(
        "{:>8} {:>10} {:>9} {:>8} {:>8} {:>12} {:>10} {:>9}",
        "articles", "paragraphs", "words", "wall s", "cpu s", "articles cpu", "dup groups", "passages"
    );
    let mut last: Option<(usize, f64)> = None;
    for n in sizes {
        let mut arts = synthesise(&pool, n, 0x5eed_0000 + n as u64);
        let paragraphs: usize = arts.iter().map(|a| a.paragraphs.len()).sum();
        let words: usize = arts
            .iter()
            .flat_map(|a| &a.paragraphs)
            .map(|p| p.text.split(' ').count())
            .sum();
        let (t, c) = (Instant::now(), cpu_seconds());
        let found = dedup::run(&mut arts, &dedup::Config::default(), &dossier::memo::Store::off());
        let (secs, cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - c);
        // Article dedup alone (passages off), on fresh copies.
        let mut again = synthesise(&pool, n, 0x5eed_0000 + n as u64);
        let c = cpu_seconds();
        let cfg = dedup::Config {
            min_passage_words: usize::MAX,
            ..dedup::Config::default()
        };
        dedup::run(&mut again, &cfg, &dossier::memo::Store::off());
        let articles_cpu = cpu_seconds() - c;
        drop(again);
        let growth = last.map(|(m, s)| format!("  cpu x{:.1} for x{:.0} articles", cpu / s, n as f64 / m as f64));
        println!(
            "{n:>8} {paragraphs:>10} {:>8}k {secs:>8.2} {cpu:>8.2} {articles_cpu:>12.2} {:>10} {:>9}{}",
            words / 1000,
            found.duplicates.len(),
            found.shared_passages.len(),
            growth.unwrap_or_default()
        );
        last = Some((n, cpu.max(0.01)));
    }
}
