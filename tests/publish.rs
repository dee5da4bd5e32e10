//! Publishing outputs of a real build: sitemap, robots.txt, feed, 404 page,
//! search index; and `dossier check` catching a broken index.

use std::path::{Path, PathBuf};
use std::process::Command;

fn build(config: &Path, output: &Path, threads: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["build", "--quiet", "--config"])
        .arg(config)
        .arg("--input")
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds"))
        .arg("--output")
        .arg(output)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("run dossier");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn seeds_site(dir: &Path, base_url: &str) -> PathBuf {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!("[site]\ntitle = \"Test archive\"\nbase_url = \"{base_url}\"\n"),
    )
    .unwrap();
    let site = dir.join("site");
    build(&config, &site, "2");
    site
}

#[test]
fn publishing_files_use_base_url_only_for_absolute_links() {
    let tmp = tempfile::tempdir().unwrap();
    let site = seeds_site(tmp.path(), "https://someone.github.io/news-archive/");
    let sitemap = read(&site.join("sitemap.xml"));
    assert!(sitemap.contains("<loc>https://someone.github.io/news-archive/</loc>"));
    assert_eq!(sitemap.matches("/articles/").count(), 5, "{sitemap}");
    assert!(!sitemap.contains("404.html"));
    assert!(read(&site.join("robots.txt")).contains("Sitemap: https://someone.github.io/news-archive/sitemap.xml"));
    let feed = read(&site.join("atom.xml"));
    assert_eq!(feed.matches("<entry>").count(), 5);
    assert!(feed.contains("<id>https://someone.github.io/news-archive/</id>"));
    // Pages link relatively; base_url appears only in the canonical link.
    let home = read(&site.join("index.html"));
    assert!(home.contains("<link rel=\"canonical\" href=\"https://someone.github.io/news-archive/\">"));
    assert_eq!(home.matches("someone.github.io").count(), 1);
    assert!(home.contains("href=\"static/style.css\"") && home.contains("<input type=\"search\""));
    // 404.html works at any depth: it links from the site's path.
    let nf = read(&site.join("404.html"));
    assert!(nf.contains("href=\"/news-archive/static/style.css\""));
    assert!(nf.contains("src=\"/news-archive/static/search.js\""));
    assert!(site.join(".nojekyll").is_file());
    let problems = dossier::check::run(&site).unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn at_a_domain_root_the_404_page_links_from_the_root() {
    let tmp = tempfile::tempdir().unwrap();
    let site = seeds_site(tmp.path(), "https://news.example.com");
    assert!(read(&site.join("404.html")).contains("href=\"/static/style.css\""));
    assert!(read(&site.join("sitemap.xml")).contains("<loc>https://news.example.com/articles/"));
    assert!(dossier::check::run(&site).unwrap().is_empty());
}

#[test]
fn search_index_is_deterministic_across_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    build(&config, &a, "1");
    build(&config, &b, "3");
    let files = |root: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let mut v: Vec<_> = walkdir::WalkDir::new(root.join("search"))
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path().strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (fa, fb) = (files(&a), files(&b));
    assert!(fa.len() >= 3);
    assert!(fa == fb, "search index differs between 1 and 3 threads");
}

#[test]
fn check_reports_a_broken_search_index() {
    let tmp = tempfile::tempdir().unwrap();
    let site = seeds_site(tmp.path(), "https://example.org/");
    // A document bucket gone.
    std::fs::remove_file(site.join("search/d/0.js")).unwrap();
    // A shard that points at a document that does not exist.
    let shard = site.join("search/t/0.js");
    let text = read(&shard);
    let broken = text.replacen(":[", ":[1,[999999,1,1],0,[", 1);
    assert_ne!(text, broken);
    std::fs::write(&shard, broken).unwrap();
    let problems = dossier::check::run(&site).unwrap();
    assert!(
        problems.iter().any(|p| p.starts_with("search/d/0.js: cannot read")),
        "{problems:#?}"
    );
    assert!(problems.iter().any(|p| p.starts_with("search/t/0.js")), "{problems:#?}");
    // And a sitemap entry without its page.
    std::fs::remove_file(site.join("about.html")).unwrap();
    let problems = dossier::check::run(&site).unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("sitemap.xml") && p.contains("about.html")),
        "{problems:#?}"
    );
}
