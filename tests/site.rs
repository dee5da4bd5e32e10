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
    build_with(input, output, Path::new("/nonexistent/config.toml"))
}

/// Builds `input` with `config` (TOML text) into `output`.
fn build_with_config(input: &Path, output: &Path, config: &str) {
    let cfg = output.with_extension("toml");
    std::fs::write(&cfg, config).unwrap();
    build_with(input, output, &cfg);
}

fn build_with(input: &Path, output: &Path, config: &Path) -> std::process::Output {
    let out = dossier()
        .args(["build", "--quiet", "--config"])
        .arg(config)
        .arg("--input")
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
    // Without a usable temporary folder the originals stay in memory: same pages.
    let held = tmp.path().join("held");
    let out = dossier()
        .env("TMPDIR", tmp.path().join("no-such-folder"))
        .args(["build", "--quiet", "--config", "/nonexistent/config.toml", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&held)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for a in &archive.articles {
        let page = a.original_text_url.split_once('#').unwrap().0;
        assert_eq!(
            std::fs::read(site.join(page)).unwrap(),
            std::fs::read(held.join(page)).unwrap(),
            "{page}"
        );
    }
}

/// Twelve articles about floods, each at its own place, and a paragraph they all end with.
const FLOOD_TOPICS: [&str; 12] = [
    "bridge", "harbour", "museum", "railway", "library", "stadium", "market", "airport", "school", "hospital",
    "theatre", "factory",
];
const FLOOD_SHARED: &str =
    "Readers can send their own photographs and stories of the flooding to the newsroom by email.";

#[test]
fn a_paragraph_shared_by_many_articles_lists_a_few_and_links_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let shared = FLOOD_SHARED;
    for (i, t) in FLOOD_TOPICS.iter().enumerate() {
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

#[test]
fn long_listings_continue_on_numbered_pages_and_links_find_their_page() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir(&input).unwrap();
    // Five passages, each shared by a pair of articles, and one shared by all twelve.
    let everywhere = FLOOD_SHARED;
    for (i, t) in FLOOD_TOPICS.iter().enumerate() {
        let pair = [
            "Volunteers filled sandbags through the night and carried them to the houses nearest the water.",
            "The council opened three schools as shelters and asked families with cars to drive neighbours there.",
            "Insurance companies said claims would be paid quickly but warned that some policies exclude floods.",
            "A second storm is forecast for the weekend, bringing more rain to hills that are already soaked.",
            "Farmers upstream lost most of the winter crop and many animals drowned in fields beside the river.",
            "Trains between the two cities were cancelled after a section of track was washed away overnight.",
        ][i / 2];
        // Two paragraphs of this article's own, so no two articles are near duplicates.
        let own = |salt: usize| {
            let words = [
                "river", "council", "mayor", "police", "rescue", "boats", "roads", "power", "bridge", "water", "homes",
                "shops", "rain", "storm", "army", "pumps", "mud", "cars", "children", "doctors", "nurses", "church",
                "station", "fields", "hill", "valley", "winter", "night", "morning", "crews", "cables", "walls",
            ];
            (0..18)
                .map(|j| words[(i * 7 + j * (salt + 3) + j * j) % words.len()])
                .collect::<Vec<_>>()
                .join(" ")
        };
        let text = format!(
            "Floods reach the {t}\n\nAt the {t}: {}.\n\nNear the {t}: {}.\n\n{pair}\n\n{everywhere}\n",
            own(1),
            own(4)
        );
        std::fs::write(input.join(format!("{t}.txt")), text).unwrap();
    }
    let site = tmp.path().join("site");
    build_with_config(&input, &site, "[site]\npage_size = 2\n");
    let one_per_page = tmp.path().join("one");
    build_with_config(&input, &one_per_page, "[site]\npage_size = 1\n");
    let problems = dossier::check::run(&site).unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
    let archive: dossier::model::Archive =
        serde_json::from_slice(&std::fs::read(site.join("data/archive.json")).unwrap()).unwrap();
    let n = archive.shared_passages.len();
    assert_eq!(n, 7, "six pairs and the passage in every article");

    // Two passages per page, numbered across pages, each page linking every page.
    let pages: Vec<String> = (1..=n.div_ceil(2))
        .map(|k| {
            if k == 1 {
                "shared.html".to_string()
            } else {
                format!("shared.{k}.html")
            }
        })
        .collect();
    assert!(!site.join(format!("shared.{}.html", pages.len() + 1)).exists());
    for (k, page) in pages.iter().enumerate() {
        let html = std::fs::read_to_string(site.join(page)).unwrap();
        let ids: Vec<usize> = (1..=n).filter(|i| html.contains(&format!("id=\"s{i}\""))).collect();
        let expected: Vec<usize> = (2 * k + 1..=(2 * k + 2).min(n)).collect();
        assert_eq!(ids, expected, "{page}");
        assert!(html.contains(&format!("Page {} of {}", k + 1, pages.len())), "{page}");
        for other in &pages {
            assert!(
                html.contains(&format!("href=\"{other}\"")) || other == page,
                "{page} links {other}"
            );
        }
    }

    // The article's "more" link goes to the page holding the big passage
    // (not the first page when there is one passage per page).
    let big = archive
        .shared_passages
        .iter()
        .position(|s| s.occurrences.len() == 12)
        .unwrap();
    assert!(big > 0);
    for (site, per) in [(&site, 2), (&one_per_page, 1)] {
        let page = std::fs::read_to_string(site.join("articles/floods-reach-the-bridge.html")).unwrap();
        let k = big / per + 1;
        let holder = if k == 1 {
            "shared.html".to_string()
        } else {
            format!("shared.{k}.html")
        };
        let target = format!("../{holder}#s{}\">3 more</a>", big + 1);
        assert!(page.contains(&target), "no {target}");
        let html = std::fs::read_to_string(site.join(&holder)).unwrap();
        assert!(html.contains(&format!("id=\"s{}\"", big + 1)));
    }
    assert!(dossier::check::run(&one_per_page).unwrap().is_empty());
    // Seven pages of one: each links the first, the last and its neighbours
    // within two, and stands for the rest with an ellipsis.
    let url = |k: usize| {
        if k == 1 {
            "shared.html".to_string()
        } else {
            format!("shared.{k}.html")
        }
    };
    for k in 1..=n {
        let html = std::fs::read_to_string(one_per_page.join(url(k))).unwrap();
        let nav = &html[html.find("class=\"pager\"").unwrap()..];
        let nav = &nav[..nav.find("</nav>").unwrap()];
        for j in 1..=n {
            let linked = nav.contains(&format!("href=\"{}\">{j}</a>", url(j)));
            let expected = j != k && (j == 1 || j == n || j.abs_diff(k) <= 2);
            assert_eq!(linked, expected, "page {k} linking page {j}: {nav}");
        }
        assert_eq!(nav.contains('…'), k > 4 || k + 3 < n, "{nav}");
    }

    // The articles on the home page: two a page, each once, in order.
    let listed: Vec<String> = (1..)
        .map(|k| {
            site.join(if k == 1 {
                "index.html".to_string()
            } else {
                format!("index.{k}.html")
            })
        })
        .take_while(|p| p.is_file())
        .flat_map(|p| {
            let html = std::fs::read_to_string(p).unwrap();
            let list = &html[html.find("class=\"article-list\"").unwrap()..];
            let list = &list[..list.find("</ol>").unwrap()];
            let ids: Vec<String> = list
                .split("href=\"articles/")
                .skip(1)
                .map(|s| s[..s.find(".html").unwrap()].to_string())
                .collect();
            assert!(ids.len() <= 2, "{ids:?}");
            ids
        })
        .collect();
    let expected: Vec<&str> = archive
        .articles
        .iter()
        .filter(|a| a.duplicate_of.is_none())
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(listed, expected);
}

#[test]
fn long_entity_pages_continue_on_numbered_pages_with_nothing_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let (whole, paged) = (tmp.path().join("whole"), tmp.path().join("paged"));
    build(&repo().join("seeds"), &whole);
    build_with_config(&repo().join("seeds"), &paged, "[site]\npage_size = 2\n");
    assert!(dossier::check::run(&paged).unwrap().is_empty());
    let archive: dossier::model::Archive =
        serde_json::from_slice(&std::fs::read(whole.join("data/archive.json")).unwrap()).unwrap();
    // The items of each list (quotes, claims, articles) of a page, in order.
    let items = |html: &str| -> Vec<Vec<String>> {
        ["class=\"quotes\"", "class=\"claims\"", "class=\"mentions\""]
            .iter()
            .map(|list| match html.find(list) {
                Some(at) => {
                    let body = &html[at..at + html[at..].find("</ul>").unwrap()];
                    body.split("<li>").skip(1).map(str::to_string).collect()
                }
                None => Vec::new(),
            })
            .collect()
    };
    let mut most = 0;
    for e in &archive.entities {
        let one = items(&std::fs::read_to_string(whole.join(&e.url)).unwrap());
        let mut joined = vec![Vec::new(), Vec::new(), Vec::new()];
        let stem = e.url.strip_suffix(".html").unwrap();
        let pages: Vec<String> = std::iter::once(e.url.clone())
            .chain((2..).map(|k| format!("{stem}.{k}.html")))
            .take_while(|p| paged.join(p).is_file())
            .collect();
        for p in &pages {
            for (list, page_items) in joined
                .iter_mut()
                .zip(items(&std::fs::read_to_string(paged.join(p)).unwrap()))
            {
                assert!(page_items.len() <= 2, "{p}");
                list.extend(page_items);
            }
        }
        assert_eq!(joined, one, "{}", e.url);
        let longest = one.iter().map(Vec::len).max().unwrap();
        assert_eq!(pages.len(), longest.div_ceil(2).max(1), "{}", e.url);
        most = most.max(pages.len());
    }
    assert!(most >= 3, "some seed entity needs several pages of two");
}
