//! Builds only the search index of a folder of articles (ingest, clean, then
//! `search::build`), to measure the index at archive scale without the
//! other stages. Prints the index statistics and the time taken.
//!
//!   cargo run --release --example search_scale -- INPUT_DIR OUT_DIR
//!
//! Copy a built site's `search.html`, `index.html` and `static/` into OUT_DIR
//! to query it with `node tests/browser/measure.mjs OUT_DIR`.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use dossier::model::Archive;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (input, out) = match (args.get(1), args.get(2)) {
        (Some(i), Some(o)) => (PathBuf::from(i), PathBuf::from(o)),
        _ => anyhow::bail!("usage: search_scale INPUT_DIR OUT_DIR"),
    };
    let t = Instant::now();
    let mut warnings = Vec::new();
    let mut raw = dossier::ingest::run(&input, &mut warnings)?;
    let mut articles = dossier::clean::run(&mut raw, &Default::default(), &dossier::memo::Store::off());
    let mut used = BTreeSet::new();
    for a in &mut articles {
        let base = dossier::text::slugify(&a.title, 60);
        let mut id = base.clone();
        let mut n = 2;
        while !used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        a.url = format!("articles/{id}.html");
        a.id = id;
    }
    let prep = t.elapsed();
    let archive = Archive {
        articles,
        ..Archive::default()
    };
    let t = Instant::now();
    let (files, stats) = dossier::search::build(&archive);
    let index = t.elapsed();
    for (path, bytes) in &files {
        let full = out.join(path);
        std::fs::create_dir_all(full.parent().expect("has a parent"))?;
        std::fs::write(full, bytes)?;
    }
    println!(
        "{} articles: ingest+clean {:.1}s, index {:.1}s; {} docs, {} terms, {} term shards, {} document buckets, {:.1} MB",
        archive.articles.len(),
        prep.as_secs_f64(),
        index.as_secs_f64(),
        stats.docs,
        stats.terms,
        stats.term_shards,
        stats.doc_buckets,
        stats.bytes as f64 / 1048576.0
    );
    Ok(())
}
