//! Files for publishing: `sitemap.xml`, `robots.txt` and the Atom feed
//! `atom.xml`. These are the only outputs with absolute URLs, made from
//! `base_url`; pages themselves link relatively.

use std::path::PathBuf;

use crate::config::SiteConfig;
use crate::model::Archive;
use crate::render::{escape, Output};

/// Most URLs in one sitemap file (the protocol's limit); more make a
/// sitemap index.
pub const SITEMAP_MAX: usize = 50_000;
/// Articles in the Atom feed (the most recent ones).
pub const FEED_ENTRIES: usize = 50;

/// `base_url` with exactly one trailing slash.
pub fn base(site: &SiteConfig) -> String {
    format!("{}/", site.base_url.trim_end_matches('/'))
}

/// The path part of `base_url` (`/repo/` for `https://user.github.io/repo/`,
/// `/` at a domain root): where the site's root is on its server.
pub fn base_path(base_url: &str) -> String {
    let rest = base_url.split_once("://").map(|(_, r)| r).unwrap_or(base_url);
    let path = rest.find('/').map(|i| &rest[i..]).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    format!("/{}/", path.trim_matches('/')).replace("//", "/")
}

/// Builds `sitemap.xml` (or an index of `sitemap-N.xml`), `robots.txt` and
/// `atom.xml`. `pages` are the files rendered so far: every `.html` page
/// except `404.html` and duplicate redirects goes into the sitemap.
pub fn run(archive: &Archive, site: &SiteConfig, pages: &[PathBuf]) -> Vec<Output> {
    let base = base(site);
    let redirects: std::collections::BTreeSet<&str> = archive
        .articles
        .iter()
        .filter(|a| a.duplicate_of.is_some())
        .map(|a| a.url.as_str())
        .collect();
    let dates: std::collections::BTreeMap<&str, &str> = archive
        .articles
        .iter()
        .filter_map(|a| Some((a.url.as_str(), a.date.value.as_deref()?)))
        .collect();
    let mut urls: Vec<(String, Option<&str>)> = pages
        .iter()
        .filter_map(|p| {
            let p = p.to_str()?.replace('\\', "/");
            (p.ends_with(".html") && p != "404.html" && !redirects.contains(p.as_str())).then_some(p)
        })
        .map(|p| {
            let d = dates.get(p.as_str()).copied();
            (p, d)
        })
        .collect();
    urls.sort();
    let mut out = Vec::new();
    let urlset = |chunk: &[(String, Option<&str>)]| -> Vec<u8> {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for (p, d) in chunk {
            let loc = if p == "index.html" {
                base.clone()
            } else {
                format!("{base}{p}")
            };
            s.push_str(&format!("<url><loc>{}</loc>", escape(&loc)));
            if let Some(d) = d.filter(|d| d.len() == 10) {
                s.push_str(&format!("<lastmod>{}</lastmod>", escape(d)));
            }
            s.push_str("</url>\n");
        }
        s.push_str("</urlset>\n");
        s.into_bytes()
    };
    if urls.len() <= SITEMAP_MAX {
        out.push((PathBuf::from("sitemap.xml"), urlset(&urls)));
    } else {
        let mut index = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for (i, chunk) in urls.chunks(SITEMAP_MAX).enumerate() {
            let name = format!("sitemap-{}.xml", i + 1);
            index.push_str(&format!(
                "<sitemap><loc>{}</loc></sitemap>\n",
                escape(&format!("{base}{name}"))
            ));
            out.push((PathBuf::from(name), urlset(chunk)));
        }
        index.push_str("</sitemapindex>\n");
        out.push((PathBuf::from("sitemap.xml"), index.into_bytes()));
    }
    out.push((
        PathBuf::from("robots.txt"),
        format!("User-agent: *\nAllow: /\n\nSitemap: {base}sitemap.xml\n").into_bytes(),
    ));
    out.push((PathBuf::from("atom.xml"), atom(archive, site, &base)));
    out
}

/// The Atom feed of the most recent articles. Deterministic: `updated` is
/// the newest article date, never the build time.
fn atom(archive: &Archive, site: &SiteConfig, base: &str) -> Vec<u8> {
    let mut articles: Vec<_> = archive.articles.iter().filter(|a| a.duplicate_of.is_none()).collect();
    // Newest first; undated last; then id.
    articles.sort_by(|a, b| {
        let key = |x: &crate::model::Article| (x.date.value.is_none(), std::cmp::Reverse(x.date.value.clone()));
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
    articles.truncate(FEED_ENTRIES);
    let stamp = |d: Option<&str>| match d {
        Some(d) if d.len() == 10 => format!("{d}T00:00:00Z"),
        Some(d) if d.len() == 7 => format!("{d}-01T00:00:00Z"),
        Some(d) if d.len() == 4 => format!("{d}-01-01T00:00:00Z"),
        _ => "1970-01-01T00:00:00Z".to_string(),
    };
    let updated = stamp(archive.articles.iter().filter_map(|a| a.date.value.as_deref()).max());
    let mut s =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    s.push_str(&format!("<title>{}</title>\n", escape(&site.title)));
    s.push_str(&format!("<subtitle>{}</subtitle>\n", escape(&site.description)));
    s.push_str(&format!("<id>{}</id>\n", escape(base)));
    s.push_str(&format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape(base)
    ));
    s.push_str(&format!(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape(&format!("{base}atom.xml"))
    ));
    s.push_str(&format!("<updated>{updated}</updated>\n"));
    s.push_str(&format!("<author><name>{}</name></author>\n", escape(&site.title)));
    s.push_str(&format!("<generator>{}</generator>\n", escape(&archive.generator)));
    for a in articles {
        let url = format!("{base}{}", a.url);
        let date = a
            .date
            .value
            .as_deref()
            .map(|d| stamp(Some(d)))
            .unwrap_or_else(|| updated.clone());
        s.push_str("<entry>\n");
        s.push_str(&format!("  <title>{}</title>\n", escape(&a.title)));
        s.push_str(&format!("  <id>{}</id>\n", escape(&url)));
        s.push_str(&format!(
            "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&url)
        ));
        s.push_str(&format!("  <updated>{date}</updated>\n"));
        if let Some(b) = &a.byline {
            s.push_str(&format!("  <author><name>{}</name></author>\n", escape(b)));
        }
        let summary: String = a
            .paragraphs
            .iter()
            .find(|p| p.role.as_deref() != Some("heading"))
            .map(|p| p.text.chars().take(400).collect())
            .unwrap_or_default();
        s.push_str(&format!("  <summary>{}</summary>\n", escape(&summary)));
        s.push_str("</entry>\n");
    }
    s.push_str("</feed>\n");
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Article, ArticleDate, Paragraph};
    use std::path::Path;

    #[test]
    fn base_path_of_sub_path_and_root() {
        assert_eq!(base_path("https://user.github.io/repo/"), "/repo/");
        assert_eq!(base_path("https://user.github.io/repo"), "/repo/");
        assert_eq!(base_path("https://example.org/"), "/");
        assert_eq!(base_path("https://example.org"), "/");
        assert_eq!(base_path("https://h/a/b/?x=1"), "/a/b/");
    }

    fn article(id: &str, date: Option<&str>, title: &str) -> Article {
        Article {
            id: id.into(),
            url: format!("articles/{id}.html"),
            title: title.into(),
            date: ArticleDate {
                value: date.map(Into::into),
                ..ArticleDate::default()
            },
            paragraphs: vec![Paragraph {
                id: "p1".into(),
                text: "Body & <text>".into(),
                role: None,
            }],
            ..Article::default()
        }
    }

    #[test]
    fn sitemap_robots_and_feed_use_base_url_and_escape() {
        let mut dup = article("c", Some("2020-01-03"), "Copy");
        dup.duplicate_of = Some("a".into());
        let archive = Archive {
            articles: vec![
                article("a", Some("2020-01-01"), "Old <one>"),
                article("b", Some("2020-01-02"), "New & shiny"),
                dup,
                article("u", None, "Undated"),
            ],
            ..Archive::default()
        };
        let site = SiteConfig {
            base_url: "https://user.github.io/repo".into(),
            ..SiteConfig::default()
        };
        let pages: Vec<PathBuf> = [
            "index.html",
            "404.html",
            "articles/a.html",
            "articles/c.html",
            "static/style.css",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let files = run(&archive, &site, &pages);
        let get =
            |name: &str| String::from_utf8(files.iter().find(|f| f.0 == Path::new(name)).unwrap().1.clone()).unwrap();
        let sitemap = get("sitemap.xml");
        assert!(sitemap.contains("<loc>https://user.github.io/repo/</loc>"), "{sitemap}");
        assert!(sitemap.contains("<loc>https://user.github.io/repo/articles/a.html</loc><lastmod>2020-01-01</lastmod>"));
        assert!(!sitemap.contains("404.html") && !sitemap.contains("articles/c.html") && !sitemap.contains(".css"));
        assert!(get("robots.txt").contains("Sitemap: https://user.github.io/repo/sitemap.xml"));
        let feed = get("atom.xml");
        assert!(feed.contains("<updated>2020-01-03T00:00:00Z</updated>"), "{feed}");
        assert!(feed.contains("<title>New &amp; shiny</title>") && feed.contains("Old &lt;one&gt;"));
        assert!(!feed.contains("Copy"), "duplicates stay out of the feed");
        // Newest first, undated last.
        let (b, a, u) = (
            feed.find("New &amp;").unwrap(),
            feed.find("Old &lt;").unwrap(),
            feed.find("Undated").unwrap(),
        );
        assert!(b < a && a < u);
    }

    #[test]
    fn large_sitemaps_become_an_index() {
        let pages: Vec<PathBuf> = (0..SITEMAP_MAX + 1)
            .map(|i| PathBuf::from(format!("entities/e{i}.html")))
            .collect();
        let files = run(&Archive::default(), &SiteConfig::default(), &pages);
        let names: Vec<_> = files.iter().map(|f| f.0.display().to_string()).collect();
        assert!(names.contains(&"sitemap-1.xml".to_string()) && names.contains(&"sitemap-2.xml".to_string()));
        let index = String::from_utf8(
            files
                .iter()
                .find(|f| f.0 == Path::new("sitemap.xml"))
                .unwrap()
                .1
                .clone(),
        )
        .unwrap();
        assert!(index.contains("<sitemapindex") && index.contains("https://example.org/sitemap-2.xml"));
    }
}
