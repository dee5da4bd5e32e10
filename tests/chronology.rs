//! The chronology on the seed articles: publication dates, date mentions
//! against the gold file (skipped without ../shared), events and conflicts.

use std::path::PathBuf;

use dossier::build::{model, Paths};
use dossier::config::Config;
use dossier::model::Archive;

fn seeds_archive() -> Archive {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let paths = Paths {
        input: repo.join("seeds"),
        output: repo.join("target/unused-site"),
        templates: None,
    };
    model(&paths, &Config::default(), &mut Vec::new()).unwrap().0
}

#[test]
fn seed_dates_match_the_gold_file() {
    let gold_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/gold/seeds.json");
    let Ok(text) = std::fs::read_to_string(gold_path) else {
        eprintln!("skipped: {gold_path} is absent");
        return;
    };
    let gold: serde_json::Value = serde_json::from_str(&text).unwrap();
    let archive = seeds_archive();
    let scores = dossier::eval::score(&gold, &archive);
    let get = |name: &str| scores.iter().find(|s| s.name == name).unwrap().value;
    assert_eq!(get("publication dates in gold window"), 1.0, "{scores:#?}");
    assert!(get("date mentions found") >= 0.95, "{scores:#?}");
    assert!(get("date mentions resolved to the gold value") >= 0.95, "{scores:#?}");
}

#[test]
fn seed_events_are_sorted_merged_and_conflicts_are_mutual() {
    let archive = seeds_archive();
    assert!(archive
        .articles
        .iter()
        .all(|a| a.date.value.is_some() && a.date.inferred));
    let ev = &archive.events;
    assert!(ev.windows(2).all(|w| (&w[0].date, &w[0].id) < (&w[1].date, &w[1].id)));
    // A passage shared by several articles is one event citing each of them.
    assert!(ev.iter().any(|e| e.citations.len() >= 3));
    // Every citation names a paragraph of its article.
    for e in ev {
        for c in &e.citations {
            let a = archive.articles.iter().find(|a| a.id == c.article).unwrap();
            assert!(a.paragraphs.iter().any(|p| p.id == c.paragraph));
        }
        for other in &e.conflicts {
            let o = ev.iter().find(|x| &x.id == other).unwrap();
            assert!(o.conflicts.contains(&e.id), "{} -> {} is one-sided", e.id, o.id);
        }
    }
    // The two start dates of the same offensive are shown as a conflict.
    let sep = ev.iter().find(|e| e.date.ends_with("-09-15")).unwrap();
    let nov = ev.iter().find(|e| e.date.ends_with("-11-15")).unwrap();
    assert!(sep.conflicts.contains(&nov.id));
}

#[test]
fn chronology_links_month_and_year_pages_and_timeline_json() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let paths = Paths {
        input: repo.join("seeds"),
        output: tmp.path().join("site"),
        templates: None,
    };
    dossier::build::run(&paths, &Config::default()).unwrap();
    let site = tmp.path().join("site");
    let chrono = std::fs::read_to_string(site.join("chronology.html")).unwrap();
    for page in ["archive/2016.html", "archive/2016-12.html"] {
        assert!(chrono.contains(&format!("href=\"{page}\"")), "{page} not linked");
        let html = std::fs::read_to_string(site.join(page)).unwrap();
        assert!(html.contains("href=\"../articles/"), "{page} lists no article");
    }
    let timeline: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("data/timeline.json")).unwrap()).unwrap();
    let events = timeline["events"].as_array().unwrap();
    assert!(!events.is_empty() && events.iter().all(|e| e["start_date"]["year"].is_number()));
    assert!(dossier::check::run(&site).unwrap().is_empty());
}

#[test]
fn beyond_its_limit_the_chronology_counts_events_and_every_anchor_still_resolves() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let build = |name: &str, max: usize| {
        let mut cfg = Config::default();
        cfg.site.chronology_max_events = max;
        let paths = Paths {
            input: repo.join("seeds"),
            output: tmp.path().join(name),
            templates: None,
        };
        dossier::build::run(&paths, &cfg).unwrap();
        tmp.path().join(name)
    };
    let (full, compact) = (build("full", usize::MAX), build("compact", 1));
    let archive: Archive = serde_json::from_slice(&std::fs::read(full.join("data/archive.json")).unwrap()).unwrap();
    let day_event = archive.events.iter().find(|e| e.granularity == "day").unwrap();
    let disputed = archive.events.iter().find(|e| !e.conflicts.is_empty()).unwrap();
    let read = |site: &PathBuf, page: &str| std::fs::read_to_string(site.join(page)).unwrap();

    // In full: every event on the chronology; conflicts link there.
    let chrono = read(&full, "chronology.html");
    assert!(archive
        .events
        .iter()
        .all(|e| chrono.contains(&format!("id=\"{}\"", e.id))));
    assert!(chrono.contains(&format!("href=\"chronology.html#{}\"", disputed.conflicts[0])));

    // Compact: no event listed; days link to their month's page, which
    // holds their events; conflicts link to the period page of the other event.
    let chrono = read(&compact, "chronology.html");
    assert!(archive
        .events
        .iter()
        .all(|e| !chrono.contains(&format!("id=\"{}\"", e.id))));
    let month = &day_event.date[..7];
    let day_link = format!("<li id=\"d{0}\"><a href=\"archive/{month}.html#d{0}\">", day_event.date);
    assert!(chrono.contains(&day_link), "{day_link} missing");
    assert!(read(&compact, &format!("archive/{month}.html")).contains(&format!("id=\"{}\"", day_event.id)));
    assert!(
        !chrono.contains("href=\"chronology.html#")
            && !read(&compact, &format!("archive/{month}.html")).contains("chronology.html#")
    );
    // A year's page likewise: in full it lists every event of the year;
    // past the limit only those dated to the year alone, and its days link
    // to the month's page.
    let year = &day_event.date[..4];
    let year_page = |site: &PathBuf| read(site, &format!("archive/{year}.html"));
    assert!(year_page(&full).contains(&format!("id=\"{}\"", day_event.id)));
    let compact_year = year_page(&compact);
    assert!(!compact_year.contains(&format!("id=\"{}\"", day_event.id)));
    let day_link = format!(
        "<li id=\"d{0}\"><a href=\"../archive/{month}.html#d{0}\">",
        day_event.date
    );
    assert!(compact_year.contains(&day_link), "{day_link} missing");
    for e in archive.events.iter().filter(|e| e.date == year) {
        assert!(
            compact_year.contains(&format!("id=\"{}\"", e.id)),
            "{} not on its year's page",
            e.id
        );
    }
    // Every link and anchor resolves, the articles' links to days of the chronology included.
    assert!(dossier::check::run(&compact).unwrap().is_empty());
    assert!(dossier::check::run(&full).unwrap().is_empty());
}

#[test]
fn long_periods_continue_on_numbered_pages_cut_where_the_date_changes() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let per = 3;
    let mut cfg = Config::default();
    cfg.site.page_size = per;
    cfg.site.chronology_max_events = 1; // days on chronology.html link into the month pages
    let site = tmp.path().join("site");
    let paths = Paths {
        input: repo.join("seeds"),
        output: site.clone(),
        templates: None,
    };
    dossier::build::run(&paths, &cfg).unwrap();
    assert!(dossier::check::run(&site).unwrap().is_empty(), "a link misses its page");
    let archive: Archive = serde_json::from_slice(&std::fs::read(site.join("data/archive.json")).unwrap()).unwrap();
    let chrono = std::fs::read_to_string(site.join("chronology.html")).unwrap();

    let mut months: Vec<&str> = archive.events.iter().filter_map(|e| e.date.get(..7)).collect();
    months.dedup();
    let mut paged = 0;
    for month in months {
        let expected: Vec<&dossier::model::Event> =
            archive.events.iter().filter(|e| e.date.starts_with(month)).collect();
        // Every event of the month once, over its pages, in order, at most
        // `per` a page; a page is cut where the date changes unless one date
        // alone has more than `per` events.
        let mut seen = Vec::new();
        let mut first_page: std::collections::HashMap<String, String> = Default::default();
        let mut articles: Vec<String> = Vec::new();
        for k in 1.. {
            let page = if k == 1 {
                format!("archive/{month}.html")
            } else {
                format!("archive/{month}.{k}.html")
            };
            let Ok(html) = std::fs::read_to_string(site.join(&page)) else {
                break;
            };
            let on: Vec<&&dossier::model::Event> = expected
                .iter()
                .filter(|e| html.contains(&format!("id=\"{}\"", e.id)))
                .collect();
            assert!(on.len() <= per, "{page}: {} events", on.len());
            if let Some(at) = html.find("class=\"article-list\"") {
                let list = &html[at..at + html[at..].find("</ol>").unwrap()];
                let ids = list.split("href=\"../articles/").skip(1);
                let ids: Vec<String> = ids.map(|s| s[..s.find(".html").unwrap()].to_string()).collect();
                assert!(ids.len() <= per, "{page}: {} articles", ids.len());
                articles.extend(ids);
            }
            if let (Some(last), Some(next)) = (on.last(), expected.get(seen.len() + on.len())) {
                let whole = expected.iter().filter(|e| e.date == last.date).count();
                assert!(next.date != last.date || whole > per, "{page} cuts {} short", last.date);
            }
            for e in on {
                // chronology.html links the day to the first page holding it.
                if e.granularity == "day" {
                    let first = first_page.entry(e.date.to_string()).or_insert(page.clone());
                    let href = format!("href=\"{first}#d{}\"", e.date);
                    assert!(chrono.contains(&href), "no {href}");
                }
                seen.push(e.id.clone());
            }
            paged = paged.max(k);
        }
        let ids: Vec<String> = expected.iter().map(|e| e.id.clone()).collect();
        assert_eq!(seen, ids, "{month}");
        // The month's articles, once each, `per` a page at most.
        let published: Vec<String> = archive
            .articles
            .iter()
            .filter(|a| a.duplicate_of.is_none() && a.date.value.as_deref().is_some_and(|d| d.starts_with(month)))
            .map(|a| a.id.clone())
            .collect();
        let mut listed = articles;
        listed.sort();
        let mut published = published;
        published.sort();
        assert_eq!(listed, published, "{month}");
    }
    assert!(paged >= 2, "the seeds' December 2016 takes several pages of {per}");
}
