//! Times the chronology stage and its pages on a built site: takes the
//! articles of `SITE/data/archive.json` back to how chronology receives
//! them (input order, no date mentions, inferred dates cleared), runs
//! `chronology::run` and `chronology::pages::render`, prints wall and CPU
//! time, and checks that both reproduce the site byte for byte.
//!
//!   cargo run --release --example chronology_scale -- SITE [REPEATS]
//!
//! The site must have been built with the default config (`--config` naming
//! a missing file) by a build whose chronology output is to be matched.

use std::path::PathBuf;
use std::time::Instant;

use dossier::model::{Archive, Article, ArticleDate};

/// CPU seconds (user + system) of this process so far, from /proc.
/// Collects the pages in memory.
struct Pages(std::sync::Mutex<Vec<dossier::render::Output>>);

impl dossier::render::Sink for Pages {
    fn put(&self, path: PathBuf, _key: u64, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.0
            .lock()
            .expect("no panic while holding the lock")
            .push((path, bytes));
        Ok(())
    }
}

fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(site) = args.get(1).map(PathBuf::from) else {
        anyhow::bail!("usage: chronology_scale SITE [REPEATS]");
    };
    let repeats: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let reference: Archive = serde_json::from_slice(&std::fs::read(site.join("data/archive.json"))?)?;

    // Input order is source-path order, compared component by component like the walk.
    let mut input = reference.articles.clone();
    input.sort_by(|a, b| a.source_file.split('/').cmp(b.source_file.split('/')));
    for a in &mut input {
        a.dates.clear();
        if a.date.inferred {
            a.date = ArticleDate::default();
        }
    }

    let mut result = None;
    for _ in 0..repeats {
        let mut articles = input.clone();
        let (t, c) = (Instant::now(), cpu());
        let events = dossier::chronology::run(&mut articles, &Default::default(), &dossier::memo::Store::off());
        println!(
            "chronology::run        {:6.3} s wall {:6.2} s CPU",
            t.elapsed().as_secs_f64(),
            cpu() - c
        );
        result = Some((articles, events));
    }
    let Some((mut articles, events)) = result else {
        return Ok(());
    };
    // The build's order: by date (undated last), then id.
    let key = |a: &Article| (a.date.value.is_none(), a.date.value.clone());
    articles.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id)));
    println!(
        "same events: {}, same articles: {}",
        events == reference.events,
        articles == reference.articles
    );

    let archive = Archive {
        articles,
        events,
        ..reference
    };
    let tera = dossier::render::load_templates(None)?;
    let cfg = dossier::config::SiteConfig::default();
    let mut base = tera::Context::new();
    base.insert("site", &cfg);
    base.insert("generator", &archive.generator);
    for _ in 0..repeats {
        let (t, c) = (Instant::now(), cpu());
        let pages = Pages(std::sync::Mutex::new(Vec::new()));
        dossier::chronology::pages::render(&archive, &tera, &base, &cfg, &pages)?;
        let pages = pages.0.into_inner().expect("no panic while holding the lock");
        println!(
            "chronology::pages      {:6.3} s wall {:6.2} s CPU ({} files)",
            t.elapsed().as_secs_f64(),
            cpu() - c,
            pages.len()
        );
        let differ = pages
            .iter()
            .filter(|(path, bytes)| std::fs::read(site.join(path)).ok().as_ref() != Some(bytes))
            .count();
        println!("pages that differ from the site: {differ}");
    }
    Ok(())
}
