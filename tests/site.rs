//! End-to-end tests: run the `dossier` binary on temporary folders and check
//! the built site as files.

use std::path::{Path, PathBuf};
use std::process::Command;

fn dossier() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dossier"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn build(input: &Path, output: &Path) -> std::process::Output {
    let out = dossier()
        .args(["build", "--quiet", "--config", "/nonexistent/config.toml", "--input"])
        .arg(input)
        .arg("--output")
        .arg(output)
        .output()
        .expect("run dossier");
    assert!(
        out.status.success(),
        "build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn read_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn seeds_build_into_a_complete_site_with_sound_links() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    build(&repo().join("seeds"), &site);
    for page in [
        "index.html",
        "chronology.html",
        "entities.html",
        "sources.html",
        "quotes.html",
        "report.html",
        "about.html",
        "shared.html",
        "404.html",
        ".nojekyll",
    ] {
        assert!(site.join(page).is_file(), "{page} missing");
    }
    let articles = std::fs::read_dir(site.join("articles")).unwrap().count();
    assert_eq!(articles, 5);
    let problems = dossier::check::run(&site).unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
    let archive: dossier::model::Archive =
        serde_json::from_slice(&std::fs::read(site.join("data/archive.json")).unwrap()).unwrap();
    assert_eq!(archive.articles.len(), 5);
    assert!(archive
        .articles
        .iter()
        .all(|a| a.url.starts_with("articles/") && !a.paragraphs.is_empty()));
    // The about page's code is highlighted by class, not inline colour.
    let about = std::fs::read_to_string(site.join("about.html")).unwrap();
    assert!(about.contains("class=\"hl-") && !about.contains("style=\""));
}

#[test]
fn archive_json_keeps_the_contract_keys_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    build(&repo().join("seeds"), &site);
    let text = std::fs::read_to_string(site.join("data/archive.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    for key in [
        "generator",
        "articles",
        "entities",
        "duplicates",
        "shared_passages",
        "events",
    ] {
        assert!(v.get(key).is_some(), "{key} missing");
    }
    let pos = |k: &str| text.find(&format!("\"{k}\":")).unwrap();
    assert!(pos("generator") < pos("articles") && pos("articles") < pos("entities"));
    let a = &v["articles"][0];
    for key in [
        "id",
        "source_file",
        "url",
        "title",
        "date",
        "sources",
        "paragraphs",
        "removed",
        "duplicate_of",
        "quotes",
        "attributions",
        "mentions",
        "dates",
        "related",
    ] {
        assert!(a.get(key).is_some(), "article.{key} missing");
    }
    assert!(a["source_file"].as_str().unwrap().starts_with("seeds/"));
}

#[test]
fn building_twice_is_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    build(&repo().join("seeds"), &a);
    let out = dossier()
        .env("RAYON_NUM_THREADS", "1")
        .args(["build", "--quiet", "--config", "/nonexistent/config.toml", "--input"])
        .arg(repo().join("seeds"))
        .arg("--output")
        .arg(&b)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(read_tree(&a), read_tree(&b));
}

#[test]
fn markdown_articles_with_front_matter_and_other_files() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(input.join("deep/er")).unwrap();
    std::fs::write(input.join("deep/er/a.md"), "+++\ntitle = \"Council <b>votes</b>\"\ndate = 2020-05-04\nsource = \"Wire\"\n+++\nThe council voted on Monday.\n").unwrap();
    std::fs::write(input.join("b.txt"), "Second story\n\nIt rained.\n").unwrap();
    std::fs::write(input.join("notes.pdf"), "x").unwrap();
    let site = tmp.path().join("site");
    let out = dossier()
        .args(["build", "--config", "/nonexistent/c.toml", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&site)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("notes.pdf"));
    let archive: dossier::model::Archive =
        serde_json::from_slice(&std::fs::read(site.join("data/archive.json")).unwrap()).unwrap();
    let a = archive.articles.iter().find(|a| a.title.contains("Council")).unwrap();
    assert_eq!(a.date.value.as_deref(), Some("2020-05-04"));
    assert_eq!(a.sources, ["Wire"]);
    assert_eq!(a.source_file, "in/deep/er/a.md");
    let html = std::fs::read_to_string(site.join(&a.url)).unwrap();
    assert!(html.contains("Council &lt;b&gt;votes&lt;/b&gt;") && !html.contains("<b>votes"));
}

#[test]
fn config_errors_name_the_key_and_a_failed_build_keeps_the_old_site() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    build(&repo().join("seeds"), &site);
    let before = read_tree(&site);
    let cfg = tmp.path().join("config.toml");
    std::fs::write(&cfg, "[site]\ntitel = \"x\"\n").unwrap();
    let out = dossier()
        .args(["build", "--config"])
        .arg(&cfg)
        .arg("--input")
        .arg(repo().join("seeds"))
        .arg("--output")
        .arg(&site)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("titel") && err.contains("config.toml:2"), "{err}");
    assert_eq!(read_tree(&site), before);
}

#[test]
fn template_overrides_beside_the_config_apply_file_by_file() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("templates")).unwrap();
    std::fs::write(
        tmp.path().join("templates/404.html"),
        "{% extends \"base.html\" %}{% block content %}CUSTOM 404{% endblock content %}",
    )
    .unwrap();
    std::fs::write(tmp.path().join("config.toml"), "").unwrap();
    let site = tmp.path().join("out");
    let out = dossier()
        .args(["build", "--config"])
        .arg(tmp.path().join("config.toml"))
        .arg("--input")
        .arg(repo().join("seeds"))
        .arg("--output")
        .arg(&site)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(site.join("404.html"))
        .unwrap()
        .contains("CUSTOM 404"));
    assert!(std::fs::read_to_string(site.join("index.html"))
        .unwrap()
        .contains("Articles by date"));
}

#[test]
fn init_scaffolds_an_archive_that_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new");
    assert!(dossier().arg("init").arg(&dir).status().unwrap().success());
    let out = dossier()
        .args(["build", "--config"])
        .arg(dir.join("config.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join("site/index.html").is_file());
    assert!(
        !dossier().arg("init").arg(&dir).status().unwrap().success(),
        "init must not overwrite"
    );
}

#[test]
fn every_original_text_is_on_a_page_escaped_duplicates_included() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let body = "The <b>council</b> met on Monday & agreed a budget of £3m for the new bridge.\n\n\
                Work starts in spring, the mayor said, and should end within two years.\n";
    std::fs::write(input.join("a.txt"), format!("Council backs bridge\n\n{body}")).unwrap();
    std::fs::write(input.join("b.txt"), format!("Council backs  bridge\n\n{body}\n")).unwrap();
    std::fs::write(
        input.join("c.txt"),
        "Storm closes port\n\nA storm shut the port for a day.\n",
    )
    .unwrap();
    let site = tmp.path().join("site");
    build(&input, &site);
    let archive: dossier::model::Archive =
        serde_json::from_slice(&std::fs::read(site.join("data/archive.json")).unwrap()).unwrap();
    assert_eq!(archive.duplicates.len(), 1);
    for a in &archive.articles {
        let (page, id) = a.original_text_url.split_once('#').expect("a fragment");
        let html = std::fs::read_to_string(site.join(page)).unwrap();
        let text = std::fs::read_to_string(input.join(a.source_file.rsplit('/').next().unwrap())).unwrap();
        let at = html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("{} has no #{id}", page));
        let pre = &html[at..];
        let pre = &pre[pre.find("<pre>").unwrap() + 5..pre.find("</pre>").unwrap()];
        assert_eq!(pre, dossier::render::escape(&text), "{}", a.source_file);
    }
    // Nothing is left in a separate folder of raw files.
    assert!(!site.join("originals").exists());
}

#[test]
fn a_paragraph_shared_by_many_articles_lists_a_few_and_links_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let shared = "Readers can send their own photographs and stories of the flooding to the newsroom by email.";
    let topics = [
        "bridge", "harbour", "museum", "railway", "library", "stadium", "market", "airport", "school", "hospital",
        "theatre", "factory",
    ];
    for (i, t) in topics.iter().enumerate() {
        let text = format!(
            "Floods reach the {t}\n\nWater reached the {t} on day {i} after the river burst its banks near the old town.\n\n\
             Engineers at the {t} said repairs to the {t} would take weeks and cost more than first thought.\n\n{shared}\n"
        );
        std::fs::write(input.join(format!("{t}.txt")), text).unwrap();
    }
    let site = tmp.path().join("site");
    build(&input, &site);
    let problems = dossier::check::run(&site).unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
    let page = std::fs::read_to_string(site.join("articles/floods-reach-the-bridge.html")).unwrap();
    let also = &page[page.find("class=\"also-in\"").expect("an also-in line")..];
    let also = &also[..also.find("</p>").unwrap()];
    // Eleven other articles: eight linked here, three more on the shared passages page.
    assert_eq!(also.matches("<a href=\"../articles/").count(), 8, "{also}");
    assert!(also.contains("../shared.html#s1\">3 more</a>"), "{also}");
    let shared_page = std::fs::read_to_string(site.join("shared.html")).unwrap();
    assert_eq!(shared_page.matches("href=\"articles/").count(), 12);
}
